/* test-full-size.c - a full-size ViT-B/32 written, loaded and checked.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Slow: writes a random-weight CLIPModel of the real ViT-B/32 shape (about
 * 300 MB in F16, 600 MB in F32) into a temporary directory, loads it and
 * reports load time and peak resident memory.  Each model is written once
 * and shared by the tests that use it (FullSizeFixture); tests are grouped
 * by model so that at most one is alive at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "test-util.h"

/* Counted by hand from the shapes (see test-model-load.c's presets test):
 * text 63,428,096 + vision 87,849,216 + logit_scale. */
#define VIT_B_32_PARAMS 151277313ull

typedef struct {
  const char *preset;
  clip_dtype  dtype;
} FullSizeCase;

typedef struct {
  FullSizeCase key;
  char        *dir;
  clip_model  *model;
  double       write_seconds;
  double       load_seconds;
  long         peak_rss_kb;    /* during the load; -1 when unknown */
} FullSizeModel;

typedef struct {
  const FullSizeCase *c;
  FullSizeModel      *m;       /* borrowed from the cache */
} FullSizeFixture;

static FullSizeModel *cached;

static const char *
dtype_name (clip_dtype dtype)
{
  return dtype == CLIP_DTYPE_F16 ? "F16" : dtype == CLIP_DTYPE_BF16 ? "BF16" : "F32";
}

/* Linux: VmHWM of /proc/self/status, in kB; -1 elsewhere. */
static long
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

/* Linux: starts a new peak (writing 5 to clear_refs resets VmHWM). */
static void
reset_peak_rss (void)
{
  FILE *fp = fopen ("/proc/self/clear_refs", "w");

  /* Not g_file_set_contents: it writes a temporary file and renames. */
  if (fp != NULL)
    {
      fputs ("5", fp);
      fclose (fp);
    }
}

static void
full_size_model_free (FullSizeModel *m)
{
  if (m == NULL)
    return;
  clip_model_free (m->model);
  test_rm_rf (m->dir);
  g_free (m->dir);
  g_free (m);
}

static FullSizeModel *
full_size_model_get (const FullSizeCase *c)
{
  clip_test_model_spec spec;
  g_autofree char *tokenizer = NULL;
  const char *shared = test_shared_dir ();
  FullSizeModel *m;
  char *error = NULL;
  gint64 t0;

  if (cached != NULL && strcmp (cached->key.preset, c->preset) == 0
      && cached->key.dtype == c->dtype)
    return cached;
  /* One model alive at a time. */
  g_clear_pointer (&cached, full_size_model_free);

  m = g_new0 (FullSizeModel, 1);
  m->key = *c;
  m->dir = test_make_temp_dir ();
  g_assert_cmpint (clip_test_model_preset (c->preset, &spec, &error), ==, CLIP_STATUS_OK);
  spec.shape.dtype = c->dtype;
  if (shared != NULL)
    {
      tokenizer = g_build_filename (shared, "models", "toy-clip", NULL);
      if (!g_file_test (tokenizer, G_FILE_TEST_IS_DIR))
        g_clear_pointer (&tokenizer, g_free);
    }
  spec.tokenizer_from = tokenizer; /* NULL: a generated vocabulary */

  t0 = g_get_monotonic_time ();
  if (clip_test_model_write (&spec, m->dir, &error) != CLIP_STATUS_OK)
    g_error ("writing %s: %s", m->dir, error);
  m->write_seconds = (double) (g_get_monotonic_time () - t0) / 1e6;

  reset_peak_rss ();
  t0 = g_get_monotonic_time ();
  if (clip_model_load (m->dir, &m->model, &error) != CLIP_STATUS_OK)
    g_error ("loading %s: %s", m->dir, error);
  m->load_seconds = (double) (g_get_monotonic_time () - t0) / 1e6;
  m->peak_rss_kb = peak_rss_kb ();

  cached = m;
  return m;
}

static void
full_size_setup (FullSizeFixture *f,
                 gconstpointer    data)
{
  f->c = data;
  f->m = full_size_model_get (f->c);
}

static void
full_size_teardown (FullSizeFixture *f,
                    gconstpointer    data)
{
  /* The model stays cached for the next test of the same case. */
}

static void
check_tower (const clip_tower_info *t,
             int width, int layers, int heads, int mlp)
{
  g_assert_cmpint (t->width, ==, width);
  g_assert_cmpint (t->layers, ==, layers);
  g_assert_cmpint (t->heads, ==, heads);
  g_assert_cmpint (t->mlp, ==, mlp);
  g_assert_cmpint (t->act, ==, CLIP_ACT_QUICK_GELU);
  g_assert_cmpfloat (t->eps, ==, 1e-5f);
}

static void
test_load (FullSizeFixture *f,
           gconstpointer    data)
{
  const clip_model_info *info = clip_model_get_info (f->m->model);
  const clip_preprocess_params *p = clip_model_get_preprocess (f->m->model);

  g_test_message ("%s %s: written in %.2f s, loaded in %.3f s, peak RSS during the load %.1f MB",
                  f->c->preset, dtype_name (f->c->dtype), f->m->write_seconds,
                  f->m->load_seconds, f->m->peak_rss_kb / 1024.0);

  check_tower (&info->vision, 768, 12, 12, 3072);
  check_tower (&info->text, 512, 12, 8, 2048);
  g_assert_cmpint (info->image_size, ==, 224);
  g_assert_cmpint (info->patch_size, ==, 32);
  g_assert_cmpint (info->num_channels, ==, 3);
  g_assert_cmpint (info->context_length, ==, 77);
  g_assert_cmpint (info->vocab_size, ==, 49408);
  g_assert_cmpint (info->embed_dim, ==, 512);
  g_assert_cmpint (info->dtype, ==, f->c->dtype);
  g_assert_cmpuint (info->n_params, ==, VIT_B_32_PARAMS);
  g_assert_cmpfloat (info->logit_scale, >, 2.65f);
  g_assert_cmpfloat (info->logit_scale, <, 2.67f);
  g_assert_cmpint (p->shortest_edge, ==, 224);
  g_assert_cmpint (p->crop_height, ==, 224);
  g_assert_cmpint (p->crop_width, ==, 224);
  g_assert_cmpuint (clip_model_image_floats (f->m->model), ==, 3 * 224 * 224);
  g_assert_cmpint (clip_tokenizer_vocab_size (clip_model_get_tokenizer (f->m->model)), ==, 49408);
}

/* One image and one text through the full-size encoders: finite, and the
 * fast path agrees with the plain-C specification on the same input. */
static void
test_embed (FullSizeFixture *f,
            gconstpointer    data)
{
  const clip_model_info *info = clip_model_get_info (f->m->model);
  const clip_tokenizer *tok = clip_model_get_tokenizer (f->m->model);
  size_t nf = clip_model_image_floats (f->m->model);
  int dim = info->embed_dim;
  g_autofree float *pix = g_new (float, nf);
  g_autofree float *img_fast = g_new (float, dim);
  g_autofree float *img_ref = g_new (float, dim);
  g_autofree float *txt_fast = g_new (float, dim);
  g_autofree float *txt_ref = g_new (float, dim);
  g_autofree int32_t *ids = g_new0 (int32_t, info->context_length);
  clip_params params = clip_params_default ();
  clip_ctx *fast = NULL, *ref = NULL;
  GRand *rand = g_rand_new_with_seed (11);
  gint64 t0;

  /* a smooth synthetic picture in normalised units */
  for (size_t i = 0; i < nf; i++)
    pix[i] = (float) (sin ((double) i * 0.001) + g_rand_double_range (rand, -0.1, 0.1));
  g_rand_free (rand);
  g_assert_cmpint (clip_tokenizer_encode (tok, "a photo of a dog on a beach", -1, ids,
                                          info->context_length), >=, 3);

  g_assert_cmpint (clip_ctx_new (f->m->model, &params, &fast, NULL), ==, CLIP_STATUS_OK);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (clip_encode_images (fast, pix, 1, img_fast, NULL), ==, CLIP_STATUS_OK);
  double img_ms = (g_get_monotonic_time () - t0) / 1000.0;
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (clip_encode_texts (fast, ids, 1, txt_fast, NULL), ==, CLIP_STATUS_OK);
  double txt_ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("%s %s: load %.3f s, one image %.1f ms, one text %.1f ms (kernels %s)",
                  f->c->preset, dtype_name (f->c->dtype), f->m->load_seconds, img_ms, txt_ms,
                  clip_kernels_name ());

  params.backend = CLIP_BACKEND_REF;
  g_assert_cmpint (clip_ctx_new (f->m->model, &params, &ref, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_images (ref, pix, 1, img_ref, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_texts (ref, ids, 1, txt_ref, NULL), ==, CLIP_STATUS_OK);
  for (int i = 0; i < dim; i++)
    {
      g_assert_true (isfinite (img_fast[i]));
      g_assert_true (isfinite (txt_fast[i]));
    }
  double ci = test_cosine (img_fast, img_ref, dim), ct = test_cosine (txt_fast, txt_ref, dim);
  g_test_message ("fast vs reference path: image cosine %.9f, text cosine %.9f", ci, ct);
  g_assert_cmpfloat (ci, >=, 0.9999);
  g_assert_cmpfloat (ct, >=, 0.9999);
  clip_ctx_free (fast);
  clip_ctx_free (ref);
}

static const FullSizeCase cases[] = {
  { "vit-b-32", CLIP_DTYPE_F16 },
  { "vit-b-32", CLIP_DTYPE_F32 },
};

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  /* Grouped by case: the cache holds one model at a time. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/full-size/%s-%s/load", cases[i].preset,
                                               dtype_name (cases[i].dtype));

      g_test_add (path, FullSizeFixture, &cases[i], full_size_setup, test_load,
                  full_size_teardown);
      g_autofree char *epath = g_strdup_printf ("/engine/full-size/%s-%s/embed", cases[i].preset,
                                                dtype_name (cases[i].dtype));
      g_test_add (epath, FullSizeFixture, &cases[i], full_size_setup, test_embed,
                  full_size_teardown);
    }

  result = g_test_run ();
  g_clear_pointer (&cached, full_size_model_free);
  return result;
}
