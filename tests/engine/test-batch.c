/* test-batch.c - a batch encodes each input as if it were alone.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The property: whatever the number of texts or images in one call and
 * whatever the mix of text lengths, embedding i of the batch equals input
 * i encoded on its own (cosine >= 0.9999999).  Batches cross the passes of
 * ROWS_PER_PASS rows (texts: up to 256 of 1..77 tokens, thousands of rows;
 * images: up to 60 of 17 rows, 24 to a pass), in every precision, on every
 * kernel table this CPU has (the plain-C reference included), with lanes
 * forced on and off.  The model is the "tiny" test model made smaller still
 * (towers 32 wide, 32-pixel images of 8-pixel patches) so that the whole
 * runs in seconds, generated here: the test needs nothing from ../shared.
 * The RNG is seeded, so a failure repeats.  The same file checks the CPU
 * budget and the shared pool (clip_parallel_run, contexts with n_threads
 * 0): every task once, and the same vectors from contexts sharing it.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "clip.h"
#include "clip-private.h" /* clip_ctx_set_kernels, clip_ctx_set_lane_min_rows */
#include "test-util.h"

#define N_TEXTS 120   /* distinct texts; batches draw from them */
#define N_IMAGES 20   /* distinct images */
#define MIN_COS 0.9999999

static char *model_dir;
static clip_model *model;

/* Text i: `len` tokens, start-of-text .. end-of-text (a one-token text is
 * only the end-of-text token), and random ids after its end, which the
 * encoder must ignore. */
static void
make_text (GRand   *rand,
           int32_t *ids,
           int      ctxlen,
           int      len)
{
  for (int j = 0; j < ctxlen; j++)
    ids[j] = g_rand_int_range (rand, 256, 49000);
  if (len > 1)
    ids[0] = 49406;
  ids[len - 1] = 49407;
}

static void
check_close (const float *got,
             const float *want,
             int          dim,
             const char  *what,
             int          index,
             int          batch,
             const char  *config)
{
  double c = test_cosine (got, want, (size_t) dim);

  for (int j = 0; j < dim; j++)
    if (!isfinite (got[j]))
      g_error ("%s: %s %d of a batch of %d has a non-finite value", config, what, index, batch);
  if (!(c >= MIN_COS))
    g_error ("%s: %s %d of a batch of %d: cosine %.9f to it encoded alone", config, what, index,
             batch, c);
}

/* The tiny preset, smaller: 32-wide towers of two layers, 32-pixel images
 * of 16 patches (17 rows an image). */
static void
shrink (clip_test_model_spec *spec)
{
  clip_tower_info *towers[] = { &spec->shape.vision, &spec->shape.text };

  for (int i = 0; i < 2; i++)
    {
      towers[i]->width = 32;
      towers[i]->heads = 1;
      towers[i]->mlp = 64;
      towers[i]->layers = 2;
    }
  spec->shape.embed_dim = 32;
  spec->shape.image_size = 32;
  spec->shape.patch_size = 8;
  spec->preprocess.shortest_edge = 32;
  spec->preprocess.crop_height = spec->preprocess.crop_width = 32;
}

typedef struct {
  clip_precision precision;
  gboolean       lanes;
} BatchCase;

static void
test_batches (gconstpointer data)
{
  const BatchCase *bc = data;
  const clip_model_info *info = clip_model_get_info (model);
  int dim = info->embed_dim, ctxlen = info->context_length;
  size_t nf = clip_model_image_floats (model);
  g_autofree int32_t *texts = g_new (int32_t, (size_t) N_TEXTS * ctxlen);
  g_autofree int *text_len = g_new (int, N_TEXTS);
  g_autofree float *images = g_new (float, N_IMAGES * nf);
  g_autofree float *alone_t = g_new (float, (size_t) N_TEXTS * dim);
  g_autofree float *alone_i = g_new (float, (size_t) N_IMAGES * dim);
  /* a batch: up to 256 texts or 3 N_IMAGES images */
  g_autofree int32_t *batch_ids = g_new (int32_t, (size_t) 256 * ctxlen);
  g_autofree float *batch_pix = g_new (float, 3 * N_IMAGES * nf);
  g_autofree float *out = g_new (float, (size_t) 256 * dim);
  g_autofree int *pick = g_new (int, 256);
  GRand *rand = g_rand_new_with_seed (1400 + (guint32) bc->precision);
  clip_params p = clip_params_default ();
  clip_ctx *ctx = NULL;
  char *err = NULL;

  for (int i = 0; i < N_TEXTS; i++)
    {
      /* the first texts are short like those of the report (143 x "a"),
       * the next the longest possible, then any length */
      text_len[i] = i < 8 ? 3 : i < 16 ? ctxlen : g_rand_int_range (rand, 1, ctxlen + 1);
      make_text (rand, texts + (size_t) i * ctxlen, ctxlen, text_len[i]);
    }
  for (size_t i = 0; i < N_IMAGES * nf; i++)
    images[i] = (float) g_rand_double_range (rand, -2.0, 2.0);

  p.precision = bc->precision;
  p.n_threads = 2;
  g_assert_cmpint (clip_ctx_new (model, &p, &ctx, &err), ==, CLIP_STATUS_OK);
  clip_ctx_set_lane_min_rows (ctx, bc->lanes ? 0 : SIZE_MAX);

  for (const clip_kernels *const *t = clip_kernels_available (); *t != NULL; t++)
    {
      g_autofree char *config = g_strdup_printf ("%s on %s, lanes %s",
                                                 clip_precision_name (bc->precision), (*t)->name,
                                                 bc->lanes ? "on" : "off");

      clip_ctx_set_kernels (ctx, *t);
      for (int i = 0; i < N_TEXTS; i++)
        g_assert_cmpint (clip_encode_texts (ctx, texts + (size_t) i * ctxlen, 1, alone_t + (size_t) i * dim,
                                            NULL), ==, CLIP_STATUS_OK);
      for (int i = 0; i < N_IMAGES; i++)
        g_assert_cmpint (clip_encode_images (ctx, images + i * nf, 1, alone_i + (size_t) i * dim, NULL),
                         ==, CLIP_STATUS_OK);

      /* texts: 143 copies of a short text (the report), the 8 longest
       * (8 x 77 rows: a pass fits 5), all N_TEXTS in order, then batches
       * of random sizes and random picks */
      for (int round = 0; round < 7; round++)
        {
          int n;

          if (round == 0)
            {
              n = 143;
              for (int b = 0; b < n; b++)
                pick[b] = 0;
            }
          else if (round == 1)
            {
              n = 8;
              for (int b = 0; b < n; b++)
                pick[b] = 8 + b;
            }
          else if (round == 2)
            {
              n = N_TEXTS;
              for (int b = 0; b < n; b++)
                pick[b] = b;
            }
          else
            {
              n = round < 5 ? g_rand_int_range (rand, 1, 21) : g_rand_int_range (rand, 1, 257);
              for (int b = 0; b < n; b++)
                pick[b] = g_rand_int_range (rand, 0, N_TEXTS);
            }
          for (int b = 0; b < n; b++)
            memcpy (batch_ids + (size_t) b * ctxlen, texts + (size_t) pick[b] * ctxlen,
                    (size_t) ctxlen * sizeof (int32_t));
          g_assert_cmpint (clip_encode_texts (ctx, batch_ids, n, out, &err), ==, CLIP_STATUS_OK);
          for (int b = 0; b < n; b++)
            check_close (out + (size_t) b * dim, alone_t + (size_t) pick[b] * dim, dim, "text", b, n,
                         config);
        }

      /* images: batch sizes up to 3 N_IMAGES in random steps (passes of
       * 24), random picks */
      for (int n = 1; n <= 3 * N_IMAGES; n += g_rand_int_range (rand, 5, 20))
        {
          for (int b = 0; b < n; b++)
            {
              pick[b] = g_rand_int_range (rand, 0, N_IMAGES);
              memcpy (batch_pix + b * nf, images + pick[b] * nf, nf * sizeof (float));
            }
          g_assert_cmpint (clip_encode_images (ctx, batch_pix, n, out, &err), ==, CLIP_STATUS_OK);
          for (int b = 0; b < n; b++)
            check_close (out + (size_t) b * dim, alone_i + (size_t) pick[b] * dim, dim, "image", b, n,
                         config);
        }
    }
  g_assert_null (err);
  g_rand_free (rand);
  clip_ctx_free (ctx);
}

/* --- the CPU budget and the shared pool --------------------------------- */

#define N_TASKS 997

typedef struct {
  gint     counts[N_TASKS];
  gboolean nest;   /* each task runs a small clip_parallel_run of its own */
} TaskCounts;

static void
count_inner (size_t task,
             void  *data)
{
  g_atomic_int_inc ((gint *) data + task);
}

static void
count_task (size_t task,
            void  *data)
{
  TaskCounts *c = data;

  g_assert_cmpuint (task, <, N_TASKS);
  g_atomic_int_inc (&c->counts[task]);
  if (c->nest && task % 100 == 0)
    {
      gint inner[3] = { 0 };

      clip_parallel_run (3, count_inner, inner);
      for (int i = 0; i < 3; i++)
        g_assert_cmpint (inner[i], ==, 1);
    }
}

static gpointer
run_counted (gpointer data)
{
  TaskCounts *c = data;

  clip_parallel_run (N_TASKS, count_task, c);
  return NULL;
}

/* main set the budget to 3 before anything used the pool; once the pool
 * exists the budget can no longer change. */
static void
test_budget (void)
{
  g_autofree TaskCounts *c = g_new0 (TaskCounts, 1);

  g_assert_cmpint (clip_cpu_budget (), ==, 3);
  run_counted (c);
  g_assert_false (clip_set_cpu_budget (5));
  g_assert_cmpint (clip_cpu_budget (), ==, 3);
  clip_parallel_run (0, count_task, c); /* nothing to do */
}

/* Every task runs exactly once, whether calls overlap (four threads at
 * once: all but one find the pool busy) or nest (a task's own run). */
static void
test_parallel_run (void)
{
  g_autofree TaskCounts *c = g_new0 (TaskCounts, 4);
  GThread *threads[4];

  for (int t = 0; t < 4; t++)
    {
      c[t].nest = t % 2;
      threads[t] = g_thread_new ("run", run_counted, &c[t]);
    }
  for (int t = 0; t < 4; t++)
    g_thread_join (threads[t]);
  for (int t = 0; t < 4; t++)
    for (int i = 0; i < N_TASKS; i++)
      g_assert_cmpint (c[t].counts[i], ==, 1);
}

typedef struct {
  const int32_t *ids;
  int            n;
  float         *out;
} SharedJob;

static gpointer
encode_shared (gpointer data)
{
  SharedJob *j = data;
  clip_params p = clip_params_default ();
  clip_ctx *ctx = NULL;
  char *err = NULL;

  g_assert_cmpint (p.n_threads, ==, 0);
  g_assert_cmpint (clip_ctx_new (model, &p, &ctx, &err), ==, CLIP_STATUS_OK);
  for (int round = 0; round < 5; round++)
    g_assert_cmpint (clip_encode_texts (ctx, j->ids, j->n, j->out, &err), ==, CLIP_STATUS_OK);
  g_assert_null (err);
  clip_ctx_free (ctx);
  return NULL;
}

/* Contexts on the shared pool (n_threads 0), encoding at once from two
 * threads, get what a context of its own gets. */
static void
test_shared_contexts (void)
{
  const clip_model_info *info = clip_model_get_info (model);
  int dim = info->embed_dim, ctxlen = info->context_length, n = 40;
  g_autofree int32_t *ids = g_new (int32_t, (size_t) n * ctxlen);
  g_autofree float *want = g_new (float, (size_t) n * dim);
  g_autofree float *got = g_new (float, (size_t) 2 * n * dim);
  GRand *rand = g_rand_new_with_seed (1500);
  clip_params p = clip_params_default ();
  clip_ctx *ctx = NULL;
  char *err = NULL;
  SharedJob jobs[2];
  GThread *threads[2];

  for (int i = 0; i < n; i++)
    make_text (rand, ids + (size_t) i * ctxlen, ctxlen, g_rand_int_range (rand, 1, ctxlen + 1));
  p.n_threads = 2;
  g_assert_cmpint (clip_ctx_new (model, &p, &ctx, &err), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_texts (ctx, ids, n, want, &err), ==, CLIP_STATUS_OK);
  clip_ctx_free (ctx);

  for (int t = 0; t < 2; t++)
    {
      jobs[t] = (SharedJob) { ids, n, got + (size_t) t * n * dim };
      threads[t] = g_thread_new ("encode", encode_shared, &jobs[t]);
    }
  for (int t = 0; t < 2; t++)
    g_thread_join (threads[t]);
  for (int t = 0; t < 2; t++)
    for (int i = 0; i < n; i++)
      check_close (got + ((size_t) t * n + i) * dim, want + (size_t) i * dim, dim, "text", i, n,
                   "shared pool");
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  static BatchCase cases[2 * CLIP_N_PRECISIONS];
  clip_test_model_spec spec;
  char *err = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);

  model_dir = test_make_temp_dir ();
  if (clip_test_model_preset ("tiny", &spec, &err) != CLIP_STATUS_OK
      || (shrink (&spec), FALSE)
      || clip_test_model_write (&spec, model_dir, &err) != CLIP_STATUS_OK
      || clip_model_load (model_dir, &model, &err) != CLIP_STATUS_OK)
    g_error ("the tiny test model: %s", err);

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    for (int lanes = 0; lanes < 2; lanes++)
      {
        BatchCase *c = &cases[2 * p + lanes];
        g_autofree char *path = NULL;

        c->precision = (clip_precision) p;
        c->lanes = lanes;
        path = g_strdup_printf ("/engine/batch/%s/lanes-%s", clip_precision_name (c->precision),
                                lanes ? "on" : "off");
        g_test_add_data_func (path, c, test_batches);
      }
  /* before anything makes the shared pool */
  g_assert_true (clip_set_cpu_budget (3));
  g_test_add_func ("/engine/threads/budget", test_budget);
  g_test_add_func ("/engine/threads/parallel-run", test_parallel_run);
  g_test_add_func ("/engine/threads/shared-contexts", test_shared_contexts);
  rc = g_test_run ();
  clip_model_free (model);
  test_rm_rf (model_dir);
  g_free (model_dir);
  return rc;
}
