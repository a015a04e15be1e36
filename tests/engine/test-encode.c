/* test-encode.c - the encoders against the original CLIP's float64 goldens.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Inputs are the goldens' own preprocessed tensors and token ids, so this
 * test isolates the transformers; preprocessing and tokenizing have their
 * own tests.  The three backends (native, BLAS and the plain-C reference)
 * are checked, for both golden models (F32 and F16 weights), in float32;
 * test-precision.c checks the other precisions.  Registered twice in meson:
 * plainly and with CLIP_ISA=ref.
 */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "clip-private.h" /* clip_ctx_set_head_major_bytes, clip_ctx_set_lane_min_rows */
#include "test-util.h"

static char *golden_dir;
static JsonParser *golden;

typedef struct {
  const char  *model_name;
  clip_backend backend;
  gboolean     head_major; /* native: q, k and v head by head at any size */
  gboolean     lanes;      /* native: three threads, each its own group of sequences */
} EncodeCase;

static const char *
backend_name (clip_backend backend)
{
  return backend == CLIP_BACKEND_REF ? "ref" : backend == CLIP_BACKEND_BLAS ? "blas" : "native";
}

static JsonObject *
golden_root (void)
{
  return json_node_get_object (json_parser_get_root (golden));
}

static void
read_floats (JsonArray *arr,
             double    *out,
             guint      n)
{
  g_assert_cmpuint (json_array_get_length (arr), ==, n);
  for (guint i = 0; i < n; i++)
    out[i] = json_array_get_double_element (arr, i);
}

static double
cosine_fd (const float  *a,
           const double *b,
           int           n)
{
  double dot = 0, na = 0, nb = 0;
  for (int i = 0; i < n; i++)
    {
      dot += a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += b[i] * b[i];
    }
  return dot / sqrt (na * nb);
}

static void
test_goldens (gconstpointer data)
{
  const EncodeCase *tc = data;
  JsonObject *root = golden_root ();
  JsonObject *gm = json_object_get_object_member (json_object_get_object_member (root, "models"),
                                                  tc->model_name);
  JsonArray *images = json_object_get_array_member (root, "images");
  JsonArray *captions = json_object_get_array_member (root, "captions");
  g_autofree char *dir = g_build_filename (golden_dir, tc->model_name, NULL);
  gboolean is_f32 = g_str_equal (json_object_get_string_member (gm, "dtype"), "F32");
  double cos_min = is_f32 ? 0.9999 : 0.999;
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  char *err = NULL;
  clip_params params = clip_params_default ();

  g_assert_cmpint (clip_model_load (dir, &model, &err), ==, CLIP_STATUS_OK);
  g_assert_null (err);
  params.backend = tc->backend;
  params.n_threads = tc->lanes ? 3 : 0;
  g_assert_cmpint (clip_ctx_new (model, &params, &ctx, &err), ==, CLIP_STATUS_OK);
  if (tc->head_major)
    clip_ctx_set_head_major_bytes (ctx, 0);
  /* lanes at any size and grouping, or never: each path on its own */
  clip_ctx_set_lane_min_rows (ctx, tc->lanes ? 0 : SIZE_MAX);

  const clip_model_info *info = clip_model_get_info (model);
  int dim = info->embed_dim, ctxlen = info->context_length;
  guint n_img = json_array_get_length (images), n_cap = json_array_get_length (captions);
  size_t nf = clip_model_image_floats (model);
  g_assert_cmpint (dim, ==, (int) json_object_get_int_member (gm, "embed_dim"));
  g_assert_cmpfloat (info->logit_scale, ==, (float) json_object_get_double_member (gm, "logit_scale"));

  /* all images in one batch */
  g_autofree float *pix = g_new (float, nf * n_img);
  for (guint i = 0; i < n_img; i++)
    {
      g_autofree char *stem = g_strdup (json_array_get_string_element (images, i));
      *strrchr (stem, '.') = '\0';
      g_autofree char *name = g_strconcat (stem, ".f32", NULL);
      g_autofree char *path = g_build_filename (golden_dir, "preprocess", name, NULL);
      size_t n = 0;
      g_autofree float *t = test_read_f32 (path, &n);
      g_assert_cmpuint (n, ==, nf);
      memcpy (pix + nf * i, t, nf * sizeof (float));
    }
  g_autofree float *img_emb = g_new (float, (size_t) n_img * dim);
  g_assert_cmpint (clip_encode_images (ctx, pix, (int) n_img, img_emb, &err), ==, CLIP_STATUS_OK);

  /* the same images one at a time give the same vectors */
  for (guint i = 0; i < n_img; i += 3)
    {
      g_autofree float *one = g_new (float, dim);
      g_assert_cmpint (clip_encode_images (ctx, pix + nf * i, 1, one, &err), ==, CLIP_STATUS_OK);
      g_assert_cmpfloat (test_cosine (one, img_emb + (size_t) i * dim, dim), >=, 0.9999999);
    }

  /* captions: the golden ids, all in one batch */
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) n_cap * ctxlen);
  for (guint c = 0; c < n_cap; c++)
    {
      JsonArray *cid = json_object_get_array_member (json_array_get_object_element (captions, c), "ids");
      g_assert_cmpuint (json_array_get_length (cid), ==, (guint) ctxlen);
      for (int j = 0; j < ctxlen; j++)
        ids[(size_t) c * ctxlen + j] = (int32_t) json_array_get_int_element (cid, j);
    }
  g_autofree float *txt_emb = g_new (float, (size_t) n_cap * dim);
  g_assert_cmpint (clip_encode_texts (ctx, ids, (int) n_cap, txt_emb, &err), ==, CLIP_STATUS_OK);

  /* embeddings: raw and normalised */
  JsonObject *gimg = json_object_get_object_member (gm, "image_embeddings");
  JsonArray *gtxt = json_object_get_array_member (gm, "text_embeddings");
  g_autofree double *want = g_new (double, dim);
  double worst_img = 1.0, worst_txt = 1.0, worst_raw_rel = 0.0;
  for (guint i = 0; i < n_img; i++)
    {
      JsonObject *e = json_object_get_object_member (gimg, json_array_get_string_element (images, i));
      read_floats (json_object_get_array_member (e, "raw"), want, dim);
      double c = cosine_fd (img_emb + (size_t) i * dim, want, dim);
      double num = 0, den = 0;
      for (int j = 0; j < dim; j++)
        {
          num += pow (img_emb[(size_t) i * dim + j] - want[j], 2);
          den += want[j] * want[j];
        }
      worst_raw_rel = MAX (worst_raw_rel, sqrt (num / den));
      worst_img = MIN (worst_img, c);
      if (c < cos_min)
        g_error ("%s: image %s cosine %.9f < %.4f", tc->model_name,
                 json_array_get_string_element (images, i), c, cos_min);
    }
  for (guint c = 0; c < n_cap; c++)
    {
      read_floats (json_object_get_array_member (json_array_get_object_element (gtxt, c), "raw"), want, dim);
      double cs = cosine_fd (txt_emb + (size_t) c * dim, want, dim);
      worst_txt = MIN (worst_txt, cs);
      if (cs < cos_min)
        g_error ("%s: caption %u cosine %.9f < %.4f", tc->model_name, c, cs, cos_min);
    }
  g_test_message ("%s (%s, %s): worst image cosine 1-%.3g, worst caption cosine 1-%.3g, raw relative error %.3g",
                  tc->model_name, backend_name (tc->backend),
                  tc->backend == CLIP_BACKEND_REF ? "ref" : clip_kernels_name (),
                  1 - worst_img, 1 - worst_txt, worst_raw_rel);

  /* cosines, the probability matrix over the first 10 captions, top-1 */
  for (guint i = 0; i < n_img; i++)
    clip_normalize (img_emb + (size_t) i * dim, dim);
  for (guint c = 0; c < n_cap; c++)
    clip_normalize (txt_emb + (size_t) c * dim, dim);
  JsonArray *gcos = json_object_get_array_member (gm, "cosine_image_caption");
  JsonArray *gprob = json_object_get_array_member (gm, "probs_first10");
  JsonObject *gtop = json_object_get_object_member (gm, "top1");
  double scale = exp (info->logit_scale), worst_prob = 0, worst_cos = 0;
  for (guint i = 0; i < n_img; i++)
    {
      double logits[10], maxl = -1e30, sum = 0;
      int best = 0;
      double bestc = -2;
      JsonArray *row = json_array_get_array_element (gcos, i);
      JsonArray *prow = json_array_get_array_element (gprob, i);
      for (guint c = 0; c < n_cap; c++)
        {
          double cs = 0;
          for (int j = 0; j < dim; j++)
            cs += (double) img_emb[(size_t) i * dim + j] * txt_emb[(size_t) c * dim + j];
          worst_cos = MAX (worst_cos, fabs (cs - json_array_get_double_element (row, c)));
          if (cs > bestc)
            {
              bestc = cs;
              best = (int) c;
            }
          if (c < 10)
            {
              logits[c] = scale * cs;
              maxl = MAX (maxl, logits[c]);
            }
        }
      for (int c = 0; c < 10; c++)
        sum += exp (logits[c] - maxl);
      for (int c = 0; c < 10; c++)
        worst_prob = MAX (worst_prob, fabs (exp (logits[c] - maxl) / sum
                                            - json_array_get_double_element (prow, c)));
      JsonObject *t = json_object_get_object_member (gtop, json_array_get_string_element (images, i));
      g_assert_cmpint (best, ==, (int) json_object_get_int_member (t, "caption"));
    }
  g_test_message ("%s: max |cosine - golden| %.3g, max |probability - golden| %.3g",
                  tc->model_name, worst_cos, worst_prob);
  g_assert_cmpfloat (worst_cos, <=, is_f32 ? 1e-5 : 1e-3);
  g_assert_cmpfloat (worst_prob, <=, is_f32 ? 1e-4 : 1e-2);

  clip_ctx_free (ctx);
  clip_model_free (model);
}

/* The fast paths against the specification on the same inputs. */
static void
test_matches_reference (gconstpointer data)
{
  clip_backend backend = (clip_backend) GPOINTER_TO_INT (data);
  g_autofree char *dir = g_build_filename (golden_dir, "tiny-clip", NULL);
  clip_model *model = NULL;
  clip_ctx *fast = NULL, *ref = NULL;
  clip_params p = clip_params_default ();

  g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
  p.backend = backend;
  g_assert_cmpint (clip_ctx_new (model, &p, &fast, NULL), ==, CLIP_STATUS_OK);
  p.backend = CLIP_BACKEND_REF;
  g_assert_cmpint (clip_ctx_new (model, &p, &ref, NULL), ==, CLIP_STATUS_OK);

  const clip_model_info *info = clip_model_get_info (model);
  size_t nf = clip_model_image_floats (model);
  int dim = info->embed_dim, ctxlen = info->context_length;
  g_autofree float *pix = g_new (float, nf * 3);
  GRand *rand = g_rand_new_with_seed (3);
  for (size_t i = 0; i < nf * 3; i++)
    pix[i] = (float) g_rand_double_range (rand, -2, 2);
  float a[3 * 64], b[3 * 64];
  g_assert_cmpint (dim, <=, 64);
  g_assert_cmpint (clip_encode_images (fast, pix, 3, a, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_images (ref, pix, 3, b, NULL), ==, CLIP_STATUS_OK);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (test_cosine (a + i * dim, b + i * dim, dim), >=, 0.99999);

  /* texts of different lengths in one batch; junk after EOT is ignored */
  g_autofree int32_t *ids = g_new0 (int32_t, 3 * ctxlen);
  for (int s = 0; s < 3; s++)
    {
      int len = 2 + s * 20;
      ids[s * ctxlen] = 49406;
      for (int j = 1; j < len - 1; j++)
        ids[s * ctxlen + j] = g_rand_int_range (rand, 256, 49000);
      ids[s * ctxlen + len - 1] = 49407;
      if (s == 2)
        for (int j = len; j < ctxlen; j++)
          ids[s * ctxlen + j] = g_rand_int_range (rand, 256, 49000);
    }
  g_assert_cmpint (clip_encode_texts (fast, ids, 3, a, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_texts (ref, ids, 3, b, NULL), ==, CLIP_STATUS_OK);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (test_cosine (a + i * dim, b + i * dim, dim), >=, 0.99999);

  /* an id outside the vocabulary is refused, not read out of bounds */
  char *err = NULL;
  ids[5] = 60000;
  g_assert_cmpint (clip_encode_texts (fast, ids, 1, a, &err), ==, CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (err, "vocabulary"));
  clip_free (err);

  g_rand_free (rand);
  clip_ctx_free (fast);
  clip_ctx_free (ref);
  clip_model_free (model);
}

static int
abort_now (void *data)
{
  return ++*(int *) data >= 2;
}

static void
test_abort (void)
{
  g_autofree char *dir = g_build_filename (golden_dir, "tiny-clip", NULL);
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params p = clip_params_default ();
  int calls = 0;
  char *err = NULL;

  g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
  p.abort_cb = abort_now;
  p.abort_data = &calls;
  g_assert_cmpint (clip_ctx_new (model, &p, &ctx, NULL), ==, CLIP_STATUS_OK);
  g_autofree float *pix = g_new0 (float, clip_model_image_floats (model));
  float out[64];
  g_assert_cmpint (clip_encode_images (ctx, pix, 1, out, &err), ==, CLIP_STATUS_ABORTED);
  g_assert_cmpint (calls, ==, 2);
  clip_free (err);
  clip_ctx_free (ctx);
  clip_model_free (model);
}

/* In lanes the callback is polled from every thread; any lane's "stop"
 * stops the call, and the context encodes normally afterwards. */
static int
abort_while_set (void *data)
{
  return g_atomic_int_get ((int *) data);
}

static void
test_abort_lanes (void)
{
  g_autofree char *dir = g_build_filename (golden_dir, "tiny-clip", NULL);
  clip_model *model = NULL;
  clip_ctx *ctx = NULL, *ref = NULL;
  clip_params p = clip_params_default ();
  int stop = 1;
  char *err = NULL;

  g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_ctx_new (model, &p, &ref, NULL), ==, CLIP_STATUS_OK);
  p.n_threads = 2;
  p.abort_cb = abort_while_set;
  p.abort_data = &stop;
  g_assert_cmpint (clip_ctx_new (model, &p, &ctx, NULL), ==, CLIP_STATUS_OK);
  clip_ctx_set_lane_min_rows (ctx, 0);

  size_t nf = clip_model_image_floats (model);
  int dim = clip_model_get_info (model)->embed_dim;
  g_autofree float *pix = g_new (float, 4 * nf);
  float out[4 * 64], want[64];
  g_assert_cmpint (dim, <=, 64);
  for (size_t i = 0; i < 4 * nf; i++)
    pix[i] = (float) ((i * 7919) % 401) / 100.0f - 2.0f;
  g_assert_cmpint (clip_encode_images (ctx, pix, 4, out, &err), ==, CLIP_STATUS_ABORTED);
  g_assert_nonnull (strstr (err, "aborted"));
  clip_free (err);
  err = NULL;

  g_atomic_int_set (&stop, 0);
  g_assert_cmpint (clip_encode_images (ctx, pix, 4, out, &err), ==, CLIP_STATUS_OK);
  g_assert_null (err);
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (clip_encode_images (ref, pix + (size_t) i * nf, 1, want, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpfloat (test_cosine (out + i * dim, want, dim), >=, 0.9999999);
    }
  clip_ctx_free (ctx);
  clip_ctx_free (ref);
  clip_model_free (model);
}

int
main (int    argc,
      char **argv)
{
  static const EncodeCase cases[] = {
    { "tiny-clip", CLIP_BACKEND_NATIVE },
    { "tiny-clip", CLIP_BACKEND_BLAS },
    { "tiny-clip", CLIP_BACKEND_REF },
    { "tiny-clip-f16", CLIP_BACKEND_NATIVE },
    { "tiny-clip-f16", CLIP_BACKEND_BLAS },
    { "tiny-clip-f16", CLIP_BACKEND_REF },
    /* the tiny models' q, k and v fit in L2: force the head-major layout
     * that bigger batches of bigger models take */
    { "tiny-clip", CLIP_BACKEND_NATIVE, TRUE },
    { "tiny-clip-f16", CLIP_BACKEND_NATIVE, TRUE },
    /* batches in lanes: 8 + 2 images (passes of up to 420 rows) and
     * texts of mixed lengths, cut into three uneven groups */
    { "tiny-clip", CLIP_BACKEND_NATIVE, FALSE, TRUE },
    { "tiny-clip", CLIP_BACKEND_NATIVE, TRUE, TRUE },
    { "tiny-clip-f16", CLIP_BACKEND_NATIVE, FALSE, TRUE },
  };
  g_autofree char *json_path = NULL;
  GError *error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  golden_dir = test_shared_path_or_skip ("testdata/clip-reference");
  json_path = g_build_filename (golden_dir, "embeddings.json", NULL);
  golden = json_parser_new ();
  if (!json_parser_load_from_file (golden, json_path, &error))
    g_error ("%s", error->message);

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/encode/goldens/%s/%s%s%s", cases[i].model_name,
                                               backend_name (cases[i].backend),
                                               cases[i].head_major ? "-head-major" : "",
                                               cases[i].lanes ? "-lanes" : "");
      g_test_add_data_func (path, &cases[i], test_goldens);
    }
  g_test_add_data_func ("/engine/encode/native-matches-reference", GINT_TO_POINTER (CLIP_BACKEND_NATIVE),
                        test_matches_reference);
  g_test_add_data_func ("/engine/encode/blas-matches-reference", GINT_TO_POINTER (CLIP_BACKEND_BLAS),
                        test_matches_reference);
  g_test_add_func ("/engine/encode/abort", test_abort);
  g_test_add_func ("/engine/encode/abort-lanes", test_abort_lanes);
  rc = g_test_run ();
  g_object_unref (golden);
  g_free (golden_dir);
  return rc;
}
