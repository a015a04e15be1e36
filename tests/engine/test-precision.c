/* test-precision.c - the reduced precisions against float32.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each precision of the native backend (f16, bf16, int8) embeds the same
 * inputs as float32, and the cosine of each embedding with its float32
 * twin must reach clip.h's floors: 0.9999 for f16, 0.999 for bf16, 0.995
 * for int8.  On the trained toy model (shared/models/toy-clip) the 240 toy
 * photos are decoded and embedded, and the retrieval figures (precision at
 * 10 of the 20 queries, zero-shot shape and colour accuracy) must come out
 * the same as in float32.  On a random full-size ViT-B/32, written to a
 * temporary directory, images and texts of 10 and 77 tokens.  Registered
 * in meson plainly, with CLIP_ISA=ref (the plain-C GEMMs; the ViT-B/32
 * then gets one image and one text, the rest takes too long) and, on
 * x86-64, with CLIP_ISA=avx2 and avxvnni (their own int8 GEMMs, which the
 * plain run does not reach on an AVX-512 CPU).
 * No timing is asserted anywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "cs-decode-clip.h"
#include "kernels/kernels.h"
#include "test-util.h"

static const double floors[CLIP_N_PRECISIONS] = { 0.99999, 0.9999, 0.999, 0.995 };

/* Whether int8 runs on activations of 7 bits here (kernels.h: u8_max; the
 * avx2 table, whose VPMADDUBSW GEMM needs them): half the resolution of
 * the other tables, so a near-tie of the toy figures may go the other
 * way and the tiny random towers lose more (see their test). */
static gboolean
int8_is_7_bits (void)
{
  return clip_kernels_get ()->u8_max == 127;
}

/* Linux: VmHWM or VmRSS of /proc/self/status in MB; -1 elsewhere. */
static double
status_mb (const char *key)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, key)) == NULL)
    return -1;
  return g_ascii_strtod (line + strlen (key), NULL) / 1024.0;
}

/* Linux: starts a new peak (writing 5 to clear_refs resets VmHWM). */
static void
reset_peak (void)
{
  FILE *fp = fopen ("/proc/self/clear_refs", "w");
  if (fp != NULL)
    {
      fputs ("5", fp);
      fclose (fp);
    }
}

static gboolean
isa_is_ref (void)
{
  const char *isa = g_getenv ("CLIP_ISA");
  return isa != NULL && g_str_equal (isa, "ref");
}

/* Embeddings of images and texts in one precision; NULL inputs skipped. */
static void
embed_all (clip_model    *model,
           clip_precision precision,
           const float   *pix,
           int            n_img,
           const int32_t *ids,
           int            n_txt,
           float         *img_out,
           float         *txt_out)
{
  clip_params p = clip_params_default ();
  clip_ctx *ctx = NULL;
  char *err = NULL;

  p.precision = precision;
  if (clip_ctx_new (model, &p, &ctx, &err) != CLIP_STATUS_OK)
    g_error ("%s: %s", clip_precision_name (precision), err);
  /* in batches of 8, as the indexer sends them */
  for (int i = 0; i < n_img; i += 8)
    {
      int nb = MIN (8, n_img - i);
      size_t nf = clip_model_image_floats (model);
      int dim = clip_model_get_info (model)->embed_dim;
      g_assert_cmpint (clip_encode_images (ctx, pix + (size_t) i * nf, nb, img_out + (size_t) i * dim,
                                           &err), ==, CLIP_STATUS_OK);
    }
  if (n_txt > 0)
    g_assert_cmpint (clip_encode_texts (ctx, ids, n_txt, txt_out, &err), ==, CLIP_STATUS_OK);
  clip_ctx_free (ctx);
}

/* The smallest cosine of rows of a against rows of b. */
static double
min_cosine (const float *a,
            const float *b,
            int          n,
            int          dim)
{
  double worst = 1.0;
  for (int i = 0; i < n; i++)
    worst = MIN (worst, test_cosine (a + (size_t) i * dim, b + (size_t) i * dim, dim));
  return worst;
}

/* --- the trained toy model on the toy photos ---------------------------- */

typedef struct {
  double mean_p10;
  double shape_acc, colour_acc;
  double min_img_cos, min_txt_cos;
} ToyFigures;

typedef struct {
  char      **files;       /* 240 */
  char      **shapes;      /* single-object truth, NULL for two objects */
  char      **colours;
  int         n;
  float      *pix;
  JsonParser *queries;
  int32_t    *ids;         /* queries, then shape prompts, then colour prompts */
  int         n_queries, n_shapes, n_colours;
} ToySet;

static void
toy_set_load (ToySet     *set,
              clip_model *model)
{
  g_autofree char *dir = test_shared_path_or_skip ("testdata/toy-photos");
  g_autofree char *csv_path = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *q_path = g_build_filename (dir, "queries.json", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  const clip_preprocess_params *pp = clip_model_get_preprocess (model);
  const clip_tokenizer *tok = clip_model_get_tokenizer (model);
  size_t nf = clip_model_image_floats (model);
  int ctxlen = clip_model_get_info (model)->context_length;
  GError *error = NULL;

  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  set->files = g_new0 (char *, g_strv_length (lines));
  set->shapes = g_new0 (char *, g_strv_length (lines));
  set->colours = g_new0 (char *, g_strv_length (lines));
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 4);
      if (g_strv_length (f) < 4)
        continue;
      set->files[set->n] = g_strdup (f[0]);
      if (strchr (f[1], ';') == NULL)
        {
          set->shapes[set->n] = g_strdup (f[1]);
          set->colours[set->n] = g_strdup (f[2]);
        }
      set->n++;
    }
  g_assert_cmpint (set->n, ==, 240);

  set->pix = g_new (float, nf * set->n);
  for (int i = 0; i < set->n; i++)
    {
      g_autofree char *path = g_build_filename (dir, set->files[i], NULL);
      if (!cs_decode_file_to_tensor (path, pp, set->pix + nf * i, &error))
        g_error ("%s", error->message);
    }

  set->queries = json_parser_new ();
  g_assert_true (json_parser_load_from_file (set->queries, q_path, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (set->queries));
  JsonArray *qs = json_object_get_array_member (root, "queries");
  JsonArray *zs = json_object_get_array_member (root, "zero_shot");
  JsonArray *shape_labels = json_object_get_array_member (json_array_get_object_element (zs, 0), "labels");
  JsonArray *colour_labels = json_object_get_array_member (json_array_get_object_element (zs, 1), "labels");
  set->n_queries = (int) json_array_get_length (qs);
  set->n_shapes = (int) json_array_get_length (shape_labels);
  set->n_colours = (int) json_array_get_length (colour_labels);
  int n_txt = set->n_queries + set->n_shapes + set->n_colours, t = 0;
  set->ids = g_new0 (int32_t, (size_t) n_txt * ctxlen);
  for (int i = 0; i < set->n_queries; i++, t++)
    clip_tokenizer_encode (tok, json_object_get_string_member (json_array_get_object_element (qs, i), "query"),
                           -1, set->ids + (size_t) t * ctxlen, ctxlen);
  for (int i = 0; i < set->n_shapes; i++, t++)
    {
      g_autofree char *s = g_strdup_printf ("a photo of a %s", json_array_get_string_element (shape_labels, i));
      clip_tokenizer_encode (tok, s, -1, set->ids + (size_t) t * ctxlen, ctxlen);
    }
  for (int i = 0; i < set->n_colours; i++, t++)
    {
      g_autofree char *s = g_strdup_printf ("a photo of a %s shape", json_array_get_string_element (colour_labels, i));
      clip_tokenizer_encode (tok, s, -1, set->ids + (size_t) t * ctxlen, ctxlen);
    }
}

static void
toy_set_clear (ToySet *set)
{
  for (int i = 0; i < set->n; i++)
    {
      g_free (set->files[i]);
      g_free (set->shapes[i]);
      g_free (set->colours[i]);
    }
  g_free (set->files);
  g_free (set->shapes);
  g_free (set->colours);
  g_free (set->pix);
  g_free (set->ids);
  g_object_unref (set->queries);
}

/* The label (index into `labels` text rows) whose embedding is closest. */
static int
best_label (const float *img,
            const float *labels,
            int          n_labels,
            int          dim)
{
  int best = 0;
  double best_cos = -2;
  for (int l = 0; l < n_labels; l++)
    {
      double c = test_cosine (img, labels + (size_t) l * dim, dim);
      if (c > best_cos)
        {
          best_cos = c;
          best = l;
        }
    }
  return best;
}

static int
compare_desc (const void *a,
              const void *b)
{
  double x = ((const double *) a)[0], y = ((const double *) b)[0];
  return x < y ? 1 : x > y ? -1 : 0;
}

static ToyFigures
toy_figures (ToySet      *set,
             const float *img,
             const float *txt,
             int          dim)
{
  JsonObject *root = json_node_get_object (json_parser_get_root (set->queries));
  JsonArray *qs = json_object_get_array_member (root, "queries");
  JsonArray *zs = json_object_get_array_member (root, "zero_shot");
  JsonArray *shape_labels = json_object_get_array_member (json_array_get_object_element (zs, 0), "labels");
  JsonArray *colour_labels = json_object_get_array_member (json_array_get_object_element (zs, 1), "labels");
  g_autofree double *scored = g_new (double, 2 * set->n);
  ToyFigures f = { 0 };
  int n_single = 0, shape_ok = 0, colour_ok = 0;

  for (int q = 0; q < set->n_queries; q++)
    {
      JsonArray *rel = json_object_get_array_member (json_array_get_object_element (qs, q), "relevant");
      int hits = 0;
      for (int i = 0; i < set->n; i++)
        {
          scored[2 * i] = test_cosine (img + (size_t) i * dim, txt + (size_t) q * dim, dim);
          scored[2 * i + 1] = i;
        }
      qsort (scored, set->n, 2 * sizeof (double), compare_desc);
      for (int r = 0; r < 10; r++)
        {
          const char *file = set->files[(int) scored[2 * r + 1]];
          for (guint j = 0; j < json_array_get_length (rel); j++)
            if (g_str_equal (json_array_get_string_element (rel, j), file))
              hits++;
        }
      f.mean_p10 += hits / 10.0 / set->n_queries;
    }
  for (int i = 0; i < set->n; i++)
    {
      const float *v = img + (size_t) i * dim;
      if (set->shapes[i] == NULL)
        continue;
      n_single++;
      int s = best_label (v, txt + (size_t) set->n_queries * dim, set->n_shapes, dim);
      int c = best_label (v, txt + (size_t) (set->n_queries + set->n_shapes) * dim, set->n_colours, dim);
      shape_ok += g_str_equal (json_array_get_string_element (shape_labels, s), set->shapes[i]);
      colour_ok += g_str_equal (json_array_get_string_element (colour_labels, c), set->colours[i]);
    }
  f.shape_acc = (double) shape_ok / n_single;
  f.colour_acc = (double) colour_ok / n_single;
  return f;
}

static void
test_toy_model (void)
{
  g_autofree char *dir = test_shared_path_or_skip ("models/toy-clip");
  clip_model *model = NULL;
  char *err = NULL;
  ToySet set = { 0 };
  ToyFigures base = { 0 };

  if (clip_model_load (dir, &model, &err) != CLIP_STATUS_OK)
    g_error ("%s", err);
  toy_set_load (&set, model);
  int dim = clip_model_get_info (model)->embed_dim;
  int n_txt = set.n_queries + set.n_shapes + set.n_colours;
  g_autofree float *img32 = g_new (float, (size_t) set.n * dim);
  g_autofree float *txt32 = g_new (float, (size_t) n_txt * dim);
  g_autofree float *img = g_new (float, (size_t) set.n * dim);
  g_autofree float *txt = g_new (float, (size_t) n_txt * dim);

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      float *io = p == 0 ? img32 : img, *to = p == 0 ? txt32 : txt;
      ToyFigures f;

      embed_all (model, (clip_precision) p, set.pix, set.n, set.ids, n_txt, io, to);
      f = toy_figures (&set, io, to, dim);
      f.min_img_cos = min_cosine (io, img32, set.n, dim);
      f.min_txt_cos = min_cosine (to, txt32, n_txt, dim);
      g_test_message ("toy-clip %s (%s%s): min cosine to f32 images %.6f, texts %.6f; "
                      "mean P@10 %.3f, zero-shot shape %.3f, colour %.3f",
                      clip_precision_name (p), clip_kernels_name (),
                      clip_precision_is_fast (p) ? "" : ", generic loops",
                      f.min_img_cos, f.min_txt_cos, f.mean_p10, f.shape_acc, f.colour_acc);
      if (p == 0)
        {
          base = f;
          /* the shared README's figures, within a near-tie or two */
          g_assert_cmpfloat (fabs (f.mean_p10 - 0.865), <=, 0.011);
          g_assert_cmpfloat (fabs (f.shape_acc - 0.874), <=, 0.014);
          g_assert_cmpfloat (f.colour_acc, >=, 0.99);
          continue;
        }
      g_assert_cmpfloat (f.min_img_cos, >=, floors[p]);
      g_assert_cmpfloat (f.min_txt_cos, >=, floors[p]);
      if (p == CLIP_PRECISION_INT8 && int8_is_7_bits ())
        {
          /* the same figures but for one near-tie (one photo of the
           * 151, 0.0066; measured: the colour of one photo, cosine
           * 0.99957), as the float32 run is allowed against the README */
          g_assert_cmpfloat (fabs (f.mean_p10 - base.mean_p10), <=, 0.0051);
          g_assert_cmpfloat (fabs (f.shape_acc - base.shape_acc), <=, 0.0067);
          g_assert_cmpfloat (fabs (f.colour_acc - base.colour_acc), <=, 0.0067);
          continue;
        }
      g_assert_cmpfloat (f.mean_p10, ==, base.mean_p10);
      g_assert_cmpfloat (f.shape_acc, ==, base.shape_acc);
      g_assert_cmpfloat (f.colour_acc, ==, base.colour_acc);
    }
  toy_set_clear (&set);
  clip_model_free (model);
}

/* --- the golden tiny models: random weights, the goldens' inputs ------- */

static void
test_golden_models (void)
{
  g_autofree char *gdir = test_shared_path_or_skip ("testdata/clip-reference");
  static const char *const names[] = { "tiny-clip", "tiny-clip-f16" };

  for (size_t mi = 0; mi < G_N_ELEMENTS (names); mi++)
    {
      g_autofree char *dir = g_build_filename (gdir, names[mi], NULL);
      g_autofree char *pre = g_build_filename (gdir, "preprocess", NULL);
      clip_model *model = NULL;
      g_autoptr(GDir) d = NULL;
      const char *name;
      int n_img = 0;

      g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
      size_t nf = clip_model_image_floats (model);
      int dim = clip_model_get_info (model)->embed_dim, ctxlen = clip_model_get_info (model)->context_length;
      g_autofree float *pix = g_new (float, nf * 16);
      d = g_dir_open (pre, 0, NULL);
      g_assert_nonnull (d);
      while ((name = g_dir_read_name (d)) != NULL && n_img < 16)
        if (g_str_has_suffix (name, ".f32"))
          {
            g_autofree char *path = g_build_filename (pre, name, NULL);
            size_t n = 0;
            g_autofree float *t = test_read_f32 (path, &n);
            if (n != nf)
              continue;
            memcpy (pix + nf * n_img++, t, nf * sizeof (float));
          }
      g_assert_cmpint (n_img, >, 0);

      const clip_tokenizer *tok = clip_model_get_tokenizer (model);
      static const char *const texts[] = { "a photo of a cat", "a diagram", "two dogs playing in the snow",
                                           "an old red bicycle leaning against a wall on a sunny street" };
      int32_t ids[4 * 77];
      g_assert_cmpint (ctxlen, ==, 77);
      for (int i = 0; i < 4; i++)
        clip_tokenizer_encode (tok, texts[i], -1, ids + i * 77, 77);

      g_autofree float *img32 = g_new (float, (size_t) n_img * dim);
      g_autofree float *img = g_new (float, (size_t) n_img * dim);
      float txt32[4 * 512], txt[4 * 512];
      g_assert_cmpint (dim, <=, 512);
      embed_all (model, CLIP_PRECISION_F32, pix, n_img, ids, 4, img32, txt32);
      for (int p = 1; p < CLIP_N_PRECISIONS; p++)
        {
          embed_all (model, (clip_precision) p, pix, n_img, ids, 4, img, txt);
          double ci = min_cosine (img, img32, n_img, dim), ct = min_cosine (txt, txt32, 4, dim);
          g_test_message ("%s %s: min cosine to f32 images %.6f, texts %.6f", names[mi],
                          clip_precision_name (p), ci, ct);
          /* These random tiny towers (width 64, two blocks) are the worst
           * case seen for int8: their MLP outputs cancel, so the second MLP
           * product's rounding of its uint8 inputs (0.7 % of each value)
           * comes out at 3-4 % of its result, and the images reach only
           * 0.995-0.998.  The floors hold for the toy model and ViT-B/32.
           * With 7-bit activations (the avx2 table) that rounding doubles:
           * measured 0.978, floor 0.97. */
          double i8_floor = int8_is_7_bits () ? 0.97 : 0.99;
          g_assert_cmpfloat (ci, >=, p == CLIP_PRECISION_INT8 ? i8_floor : floors[p]);
          g_assert_cmpfloat (ct, >=, p == CLIP_PRECISION_INT8 ? i8_floor : floors[p]);
        }
      clip_model_free (model);
    }
}

/* --- a random full-size ViT-B/32 ------------------------------------------ */

static void
test_vit_b_32 (void)
{
  clip_test_model_spec spec;
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *tokenizer = NULL;
  const char *shared = test_shared_dir ();
  clip_model *model = NULL;
  char *err = NULL;
  gboolean ref = isa_is_ref ();
  int n_img = ref ? 1 : 4, n_txt = ref ? 1 : 3;

  g_assert_cmpint (clip_test_model_preset ("vit-b-32", &spec, &err), ==, CLIP_STATUS_OK);
  spec.shape.dtype = CLIP_DTYPE_F16;
  if (shared != NULL)
    {
      tokenizer = g_build_filename (shared, "models", "toy-clip", NULL);
      if (!g_file_test (tokenizer, G_FILE_TEST_IS_DIR))
        g_clear_pointer (&tokenizer, g_free);
    }
  spec.tokenizer_from = tokenizer;
  if (clip_test_model_write (&spec, dir, &err) != CLIP_STATUS_OK
      || clip_model_load (dir, &model, &err) != CLIP_STATUS_OK)
    g_error ("%s", err);

  const clip_model_info *info = clip_model_get_info (model);
  size_t nf = clip_model_image_floats (model);
  int dim = info->embed_dim, ctxlen = info->context_length;
  g_autofree float *pix = g_new (float, nf * n_img);
  GRand *rand = g_rand_new_with_seed (17);
  /* smooth synthetic pictures with some noise, in normalised units */
  for (int b = 0; b < n_img; b++)
    for (size_t i = 0; i < nf; i++)
      pix[nf * b + i] = (float) (1.5 * sin ((double) i * 0.0007 * (b + 1)) + g_rand_double_range (rand, -0.3, 0.3));
  g_rand_free (rand);
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) 3 * ctxlen);
  const clip_tokenizer *tok = clip_model_get_tokenizer (model);
  clip_tokenizer_encode (tok, "a photo of a dog on a beach", -1, ids, ctxlen);
  ids[ctxlen] = clip_tokenizer_sot_id (tok);      /* 77 tokens */
  for (int i = 1; i < ctxlen - 1; i++)
    ids[ctxlen + i] = 320 + i;
  ids[2 * ctxlen - 1] = clip_tokenizer_eot_id (tok);
  clip_tokenizer_encode (tok, "red", -1, ids + 2 * ctxlen, ctxlen);

  g_autofree float *img32 = g_new (float, (size_t) n_img * dim);
  g_autofree float *img = g_new (float, (size_t) n_img * dim);
  g_autofree float *txt32 = g_new (float, (size_t) n_txt * dim);
  g_autofree float *txt = g_new (float, (size_t) n_txt * dim);
  embed_all (model, CLIP_PRECISION_F32, pix, n_img, ids, n_txt, img32, txt32);
  for (int p = 1; p < CLIP_N_PRECISIONS; p++)
    {
      if (ref && p != CLIP_PRECISION_INT8)
        continue; /* plain C is slow: the format most likely to lose accuracy */
      embed_all (model, (clip_precision) p, pix, n_img, ids, n_txt, img, txt);
      double ci = min_cosine (img, img32, n_img, dim), ct = min_cosine (txt, txt32, n_txt, dim);
      g_test_message ("random ViT-B/32 %s (%s): min cosine to f32 images %.6f, texts %.6f",
                      clip_precision_name (p), clip_kernels_name (), ci, ct);
      g_assert_cmpfloat (ci, >=, floors[p]);
      g_assert_cmpfloat (ct, >=, floors[p]);
    }

  /* Loaded for int8 images only: the same vectors as int8 from the full
   * model, and far less memory: the vision tower's int8 weights (about
   * 90 MB) and no float32 copy.  (Not on the plain-C kernels: packing is
   * the same code on every table, and two more images cost minutes.) */
  clip_precision lp = CLIP_PRECISION_INT8;
  if (ref)
    {
      clip_model_free (model);
      test_rm_rf (dir);
      return;
    }
  embed_all (model, lp, pix, n_img, NULL, 0, img32, NULL);
  clip_model_free (model);
  model = NULL;
  double before = status_mb ("VmRSS:");
  reset_peak ();
  if (clip_model_load_for (dir, lp, CLIP_TOWER_VISION, &model, &err) != CLIP_STATUS_OK)
    g_error ("%s", err);
  embed_all (model, lp, pix, n_img, NULL, 0, img, NULL);
  double peak = status_mb ("VmHWM:");
  g_test_message ("random ViT-B/32 loaded for int8 images: peak RSS %.0f MB (%.0f MB before loading)",
                  peak, before);
  g_assert_cmpmem (img, (size_t) n_img * dim * sizeof (float), img32, (size_t) n_img * dim * sizeof (float));
  if (peak > 0 && before > 0)
    g_assert_cmpfloat (peak - before, <, 90 + 150);
  clip_model_free (model);
  test_rm_rf (dir);
}

/* --- activation outliers (make-test-model --outliers) ---------------------- */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The worst and the median cosine of rows of a against rows of b. */
static void
cosine_stats (const float *a,
              const float *b,
              int          n,
              int          dim,
              double      *worst,
              double      *median)
{
  g_autofree double *c = g_new (double, n);

  for (int i = 0; i < n; i++)
    c[i] = test_cosine (a + (size_t) i * dim, b + (size_t) i * dim, dim);
  qsort (c, (size_t) n, sizeof *c, compare_doubles);
  *worst = c[0];
  *median = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
}

/* Random towers map every input near one common vector (their pooled
 * row is dominated by what all inputs share), so a cosine near 1 to
 * float32 could say little.  These take that common part, the float32
 * rows' mean, out: spread is the rows' mean distance from it relative to
 * its length (how much the float32 model tells its inputs apart), and
 * the centred cosine compares b - mean with a - mean (how much of that
 * difference a precision keeps). */
static double
spread (const float *a,
        int          n,
        int          dim,
        float       *mean)
{
  double dist = 0.0, len = 0.0;

  for (int d = 0; d < dim; d++)
    {
      double m = 0.0;
      for (int i = 0; i < n; i++)
        m += a[(size_t) i * dim + d];
      mean[d] = (float) (m / n);
      len += (m / n) * (m / n);
    }
  for (int i = 0; i < n; i++)
    {
      double s = 0.0;
      for (int d = 0; d < dim; d++)
        s += (a[(size_t) i * dim + d] - mean[d]) * (a[(size_t) i * dim + d] - mean[d]);
      dist += sqrt (s) / n;
    }
  return dist / sqrt (len);
}

static double
min_centred_cosine (const float *a,
                    const float *b,
                    const float *mean,
                    int          n,
                    int          dim)
{
  g_autofree float *x = g_new (float, dim), *y = g_new (float, dim);
  double worst = 1.0;

  for (int i = 0; i < n; i++)
    {
      for (int d = 0; d < dim; d++)
        {
          x[d] = a[(size_t) i * dim + d] - mean[d];
          y[d] = b[(size_t) i * dim + d] - mean[d];
        }
      worst = MIN (worst, test_cosine (x, y, dim));
    }
  return worst;
}

/* A random model whose layer norms have outlier channels (gains 20-100):
 * every reduced precision must still reach its floor, on images and
 * texts, both when the float32 weights are packed by a context and when
 * the model is loaded straight into the precision. */
static void
check_outlier_model (const char *preset,
                     int         n_img,
                     int         n_txt)
{
  clip_test_model_spec spec;
  g_autofree char *dir = test_make_temp_dir ();
  clip_model *model = NULL;
  char *err = NULL;
  gboolean ref = isa_is_ref ();

  g_assert_cmpint (clip_test_model_preset (preset, &spec, &err), ==, CLIP_STATUS_OK);
  spec.outliers = 1;
  if (clip_test_model_write (&spec, dir, &err) != CLIP_STATUS_OK
      || clip_model_load (dir, &model, &err) != CLIP_STATUS_OK)
    g_error ("%s", err);

  const clip_model_info *info = clip_model_get_info (model);
  size_t nf = clip_model_image_floats (model);
  int dim = info->embed_dim, ctxlen = info->context_length, side = info->image_size;
  g_autofree float *pix = g_new (float, nf * n_img);
  GRand *rand = g_rand_new_with_seed (29);
  /* gradients, a disc and stripes of a different colour each, some noise */
  for (int b = 0; b < n_img; b++)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
          {
            double u = (double) x / side, v = (double) y / side;
            double d = hypot (u - 0.3 - 0.05 * b, v - 0.6 + 0.04 * b);
            double val = (c == b % 3 ? 1.2 : -0.6) * u + 0.8 * v * ((b + c) % 2 ? 1 : -1)
                         + (d < 0.15 + 0.02 * b ? 1.5 : 0.0)
                         + ((x / (4 + b)) % 2 ? 0.4 * (c - 1) : 0.0)
                         + g_rand_double_range (rand, -0.2, 0.2);
            pix[nf * b + ((size_t) c * side + y) * side + x] = (float) val;
          }
  g_rand_free (rand);

  static const char *const texts[] = { "a photo of a cat", "a diagram", "two dogs playing in the snow",
                                       "an old red bicycle leaning against a wall on a sunny street",
                                       "sunset", "a bowl of soup on a wooden table",
                                       "the 1998 world cup final, in colour", "blue" };
  const clip_tokenizer *tok = clip_model_get_tokenizer (model);
  g_assert_cmpint (n_txt, <=, (int) G_N_ELEMENTS (texts));
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) n_txt * ctxlen);
  for (int i = 0; i < n_txt; i++)
    clip_tokenizer_encode (tok, texts[i], -1, ids + (size_t) i * ctxlen, ctxlen);

  g_autofree float *img32 = g_new (float, (size_t) n_img * dim);
  g_autofree float *img = g_new (float, (size_t) n_img * dim);
  g_autofree float *txt32 = g_new (float, (size_t) n_txt * dim);
  g_autofree float *txt = g_new (float, (size_t) n_txt * dim);
  embed_all (model, CLIP_PRECISION_F32, pix, n_img, ids, n_txt, img32, txt32);
  g_autofree float *img_mean = g_new (float, dim), *txt_mean = g_new (float, dim);
  double si = spread (img32, n_img, dim, img_mean), st = spread (txt32, n_txt, dim, txt_mean);
  g_test_message ("%s with outliers, f32: spread of the images %.4f, of the texts %.4f", preset, si, st);

  for (int p = 1; p < CLIP_N_PRECISIONS; p++)
    {
      double wi, mi, wt, mt, ci, ct;

      if (ref && p != CLIP_PRECISION_INT8)
        continue;
      embed_all (model, (clip_precision) p, pix, n_img, ids, n_txt, img, txt);
      cosine_stats (img, img32, n_img, dim, &wi, &mi);
      cosine_stats (txt, txt32, n_txt, dim, &wt, &mt);
      ci = min_centred_cosine (img32, img, img_mean, n_img, dim);
      ct = min_centred_cosine (txt32, txt, txt_mean, n_txt, dim);
      g_test_message ("%s with outliers, %s (%s): cosine to f32 images worst %.6f median %.6f, "
                      "texts worst %.6f median %.6f; centred: images %.4f, texts %.4f", preset,
                      clip_precision_name (p), clip_kernels_name (), wi, mi, wt, mt, ci, ct);
      g_assert_cmpfloat (wi, >=, floors[p]);
      g_assert_cmpfloat (wt, >=, floors[p]);
      /* without smoothing, int8 keeps 0.59-0.90 of the differences here */
      g_assert_cmpfloat (ci, >=, 0.98);
      g_assert_cmpfloat (ct, >=, 0.98);
    }

  /* loaded straight into int8 (the indexer's way): the same vectors */
  if (!ref)
    {
      clip_model *part = NULL;
      g_autofree float *got = g_new (float, (size_t) n_img * dim);

      embed_all (model, CLIP_PRECISION_INT8, pix, n_img, NULL, 0, img, NULL);
      if (clip_model_load_for (dir, CLIP_PRECISION_INT8, CLIP_TOWER_VISION, &part, &err) != CLIP_STATUS_OK)
        g_error ("%s", err);
      embed_all (part, CLIP_PRECISION_INT8, pix, n_img, NULL, 0, got, NULL);
      g_assert_cmpmem (got, (size_t) n_img * dim * sizeof (float), img, (size_t) n_img * dim * sizeof (float));
      clip_model_free (part);
    }
  clip_model_free (model);
  test_rm_rf (dir);
}

static void
test_outliers_tiny (void)
{
  check_outlier_model ("tiny", 8, 8);
}

static void
test_outliers_vit_b_32 (void)
{
  /* on the plain-C kernels the tiny model shows the GEMMs read the
   * folded weights the same; a ViT-B/32 there costs minutes */
  if (isa_is_ref ())
    {
      g_test_skip ("the plain-C kernels are too slow for a ViT-B/32 in two precisions");
      return;
    }
  check_outlier_model ("vit-b-32", 8, 8);
}

/* clip_model_load_for on the toy model: each tower alone, in each
 * precision, gives what the full model gives; what it lacks is refused. */
static void
test_load_for (void)
{
  g_autofree char *dir = test_shared_path_or_skip ("models/toy-clip");
  clip_model *full = NULL, *part = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  char *err = NULL;

  g_assert_cmpint (clip_model_load (dir, &full, NULL), ==, CLIP_STATUS_OK);
  size_t nf = clip_model_image_floats (full);
  int dim = clip_model_get_info (full)->embed_dim, ctxlen = clip_model_get_info (full)->context_length;
  g_autofree float *pix = g_new (float, nf * 3);
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) 2 * ctxlen);
  g_autofree float *want = g_new (float, (size_t) 3 * dim), *got = g_new (float, (size_t) 3 * dim);
  for (size_t i = 0; i < nf * 3; i++)
    pix[i] = (float) sin ((double) i * 0.01);
  clip_tokenizer_encode (clip_model_get_tokenizer (full), "a photo of a red circle", -1, ids, ctxlen);
  clip_tokenizer_encode (clip_model_get_tokenizer (full), "two stars", -1, ids + ctxlen, ctxlen);

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      embed_all (full, (clip_precision) p, pix, 3, NULL, 0, want, NULL);
      g_assert_cmpint (clip_model_load_for (dir, (clip_precision) p, CLIP_TOWER_VISION, &part, &err), ==,
                       CLIP_STATUS_OK);
      embed_all (part, (clip_precision) p, pix, 3, NULL, 0, got, NULL);
      g_assert_cmpmem (got, (size_t) 3 * dim * sizeof (float), want, (size_t) 3 * dim * sizeof (float));
      /* no text tower, no other precision, no float32 backend */
      params.precision = (clip_precision) p;
      g_assert_cmpint (clip_ctx_new (part, &params, &ctx, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpint (clip_encode_texts (ctx, ids, 1, got, &err), ==, CLIP_STATUS_UNSUPPORTED);
      g_assert_nonnull (strstr (err, "text"));
      g_clear_pointer (&err, clip_free);
      clip_ctx_free (ctx);
      params.precision = (clip_precision) ((p + 1) % CLIP_N_PRECISIONS);
      g_assert_cmpint (clip_ctx_new (part, &params, &ctx, &err), ==, CLIP_STATUS_UNSUPPORTED);
      g_clear_pointer (&err, clip_free);
      params.precision = CLIP_PRECISION_F32;
      params.backend = CLIP_BACKEND_REF;
      g_assert_cmpint (clip_ctx_new (part, &params, &ctx, &err), ==, CLIP_STATUS_UNSUPPORTED);
      g_clear_pointer (&err, clip_free);
      params.backend = CLIP_BACKEND_NATIVE;
      clip_model_free (part);

      embed_all (full, (clip_precision) p, NULL, 0, ids, 2, NULL, want);
      g_assert_cmpint (clip_model_load_for (dir, (clip_precision) p, CLIP_TOWER_TEXT, &part, NULL), ==,
                       CLIP_STATUS_OK);
      embed_all (part, (clip_precision) p, NULL, 0, ids, 2, NULL, got);
      g_assert_cmpmem (got, (size_t) 2 * dim * sizeof (float), want, (size_t) 2 * dim * sizeof (float));
      params.precision = (clip_precision) p;
      g_assert_cmpint (clip_ctx_new (part, &params, &ctx, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpint (clip_encode_images (ctx, pix, 1, got, NULL), ==, CLIP_STATUS_UNSUPPORTED);
      clip_ctx_free (ctx);
      clip_model_free (part);
    }
  g_assert_cmpint (clip_model_load_for (dir, CLIP_PRECISION_INT8, 0, &part, NULL), ==,
                   CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_cmpint (clip_model_load_for (dir, CLIP_N_PRECISIONS, CLIP_TOWERS_ALL, &part, NULL), ==,
                   CLIP_STATUS_INVALID_ARGUMENT);
  clip_model_free (full);
}

static void
test_names (void)
{
  clip_precision p;

  for (int i = 0; i < CLIP_N_PRECISIONS; i++)
    {
      g_assert_true (clip_precision_parse (clip_precision_name ((clip_precision) i), &p));
      g_assert_cmpint (p, ==, i);
    }
  g_assert_true (clip_precision_parse ("fp16", &p));
  g_assert_cmpint (p, ==, CLIP_PRECISION_F16);
  g_assert_false (clip_precision_parse ("int4", &p));
  g_assert_false (clip_precision_parse (NULL, &p));
  g_assert_null (clip_precision_name (CLIP_N_PRECISIONS));
  g_assert_true (clip_precision_is_fast (CLIP_PRECISION_F32) || g_str_equal (clip_kernels_name (), "ref"));
}

/* Precisions other than f32 need the native backend; contexts share and
 * free the packed weights. */
static void
test_params (void)
{
  g_autofree char *gdir = test_shared_path_or_skip ("testdata/clip-reference");
  g_autofree char *dir = g_build_filename (gdir, "tiny-clip", NULL);
  clip_model *model = NULL;
  clip_ctx *a = NULL, *b = NULL, *c = NULL;
  clip_params p = clip_params_default ();
  char *err = NULL;

  g_assert_cmpint (p.precision, ==, CLIP_PRECISION_F32);
  g_assert_cmpint (p.backend, ==, CLIP_BACKEND_NATIVE);
  g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
  p.precision = CLIP_PRECISION_INT8;
  p.backend = CLIP_BACKEND_REF;
  g_assert_cmpint (clip_ctx_new (model, &p, &a, &err), ==, CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err, "int8"));
  clip_free (err);
  p.precision = (clip_precision) 99;
  p.backend = CLIP_BACKEND_NATIVE;
  g_assert_cmpint (clip_ctx_new (model, &p, &a, NULL), ==, CLIP_STATUS_INVALID_ARGUMENT);

  /* two int8 contexts and a one-thread bf16 one, in any order */
  p.precision = CLIP_PRECISION_INT8;
  g_assert_cmpint (clip_ctx_new (model, &p, &a, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_ctx_new (model, &p, &b, NULL), ==, CLIP_STATUS_OK);
  p.precision = CLIP_PRECISION_BF16;
  p.n_threads = 1;
  g_assert_cmpint (clip_ctx_new (model, &p, &c, NULL), ==, CLIP_STATUS_OK);
  float out_a[64] = { 0 }, out_b[64] = { 0 };
  g_autofree float *pix = g_new0 (float, clip_model_image_floats (model));
  g_assert_cmpint (clip_model_get_info (model)->embed_dim, <=, 64);
  g_assert_cmpint (clip_encode_images (a, pix, 1, out_a, NULL), ==, CLIP_STATUS_OK);
  clip_ctx_free (a);
  g_assert_cmpint (clip_encode_images (b, pix, 1, out_b, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpmem (out_a, sizeof out_a, out_b, sizeof out_b);
  clip_ctx_free (b);
  g_assert_cmpint (clip_encode_images (c, pix, 1, out_a, NULL), ==, CLIP_STATUS_OK);
  clip_ctx_free (c);
  clip_model_free (model);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The tests below reach ../shared mid-run, where a skip plan is too late
   * (Meson reads it as ERROR): skip, or fail in CI, here */
  g_free (test_shared_path_or_skip ("models/toy-clip"));
  g_free (test_shared_path_or_skip ("testdata/toy-photos"));
  g_free (test_shared_path_or_skip ("testdata/clip-reference"));
  g_test_add_func ("/engine/precision/names", test_names);
  g_test_add_func ("/engine/precision/params", test_params);
  g_test_add_func ("/engine/precision/golden-models", test_golden_models);
  g_test_add_func ("/engine/precision/load-for", test_load_for);
  g_test_add_func ("/engine/precision/toy-model", test_toy_model);
  g_test_add_func ("/engine/precision/vit-b-32", test_vit_b_32);
  g_test_add_func ("/engine/precision/outliers-tiny", test_outliers_tiny);
  g_test_add_func ("/engine/precision/outliers-vit-b-32", test_outliers_vit_b_32);
  return g_test_run ();
}
