/* clip-encode.c - the vision and text transformers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The computation is Hugging Face's CLIPModel (equal to OpenAI's CLIP):
 * pre-norm blocks x += attn(ln1(x)); x += mlp(ln2(x)), attention scaled by
 * 1/sqrt(head_dim), a causal mask in the text tower.  All sequences of a
 * batch are stacked as rows of one activation matrix, so each linear layer
 * is one matrix product over the whole batch; attention runs per sequence
 * and head.  Text sequences are cut at their end-of-text token, since with
 * a causal mask nothing after it can change the pooled output.
 *
 * Three backends; this file holds the context and what they share.
 * CLIP_BACKEND_NATIVE (clip-encode-native.c), the default, multiplies by
 * weights packed once per precision (clip-pack.c) with the kernel table's
 * GEMMs, fuses the bias, the activation and the residual add into them,
 * and splits every step over the context's thread pool (GEMMs by panels
 * of 32 output columns pulled from an atomic counter, attention by
 * sequence and head, row ops by rows), or, for a batch of several
 * sequences, gives each thread a lane of whole sequences to run through
 * every step on its own.  In the last block only the pooled rows (the
 * class token, the end-of-text token) go past the attention: no other row
 * reaches the output.  CLIP_BACKEND_BLAS sends the float32 products to
 * cblas_sgemm; CLIP_BACKEND_REF uses plain loops and the reference
 * kernels, the specification the tests compare the others with (both in
 * clip-encode-classic.c).  Scratch memory grows to the largest batch seen
 * and is then reused: no allocation per image.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <glib.h>

#include "clip-encode-private.h"


/* OpenBLAS's thread count is process-wide; it has no public header
 * guarantee across distributions' cblas.h, so declare it here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wredundant-decls"
void openblas_set_num_threads (int num_threads);
#pragma GCC diagnostic pop

clip_params
clip_params_default (void)
{
  clip_params p = {
    .n_threads = 0,
    .backend = CLIP_BACKEND_NATIVE,
    .precision = CLIP_PRECISION_F32,
    .abort_cb = NULL,
    .abort_data = NULL,
  };
  return p;
}

static clip_weights_format
precision_format (clip_precision precision)
{
  switch (precision)
    {
    case CLIP_PRECISION_F16: return CLIP_WEIGHTS_F16;
    case CLIP_PRECISION_BF16: return CLIP_WEIGHTS_BF16;
    case CLIP_PRECISION_INT8: return CLIP_WEIGHTS_I8;
    default: return CLIP_WEIGHTS_F32;
    }
}

int
clip_precision_is_fast (clip_precision precision)
{
  if ((unsigned) precision >= CLIP_N_PRECISIONS)
    return 0;
  return clip_kernels_get ()->fast[precision_format (precision)];
}

clip_status
clip_ctx_new (const clip_model  *model,
              const clip_params *params,
              clip_ctx         **out,
              char             **error)
{
  clip_params p;
  clip_ctx *ctx;
  clip_status status;

  if (model == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_ctx_new: no model");
  p = params != NULL ? *params : clip_params_default ();
  if ((unsigned) p.backend > CLIP_BACKEND_BLAS || (unsigned) p.precision >= CLIP_N_PRECISIONS)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_ctx_new: unknown backend %d or precision %d",
                           (int) p.backend, (int) p.precision);
  if (p.backend != CLIP_BACKEND_NATIVE && p.precision != CLIP_PRECISION_F32)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_ctx_new: precision %s needs the native backend",
                           clip_precision_name (p.precision));
  if (model->load_packed && p.backend != CLIP_BACKEND_NATIVE)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "clip_ctx_new: a model loaded for %s has no float32 weights for backend %d",
                           clip_precision_name (model->load_precision), (int) p.backend);

  ctx = g_new0 (clip_ctx, 1);
  ctx->model = model;
  ctx->params = p;
  ctx->k = p.backend == CLIP_BACKEND_REF ? clip_kernels_ref () : clip_kernels_get ();
  ctx->head_major_bytes = (size_t) 1 << 20;
  ctx->lane_min_rows = LANE_MIN_ROWS;
  if (p.backend == CLIP_BACKEND_BLAS)
    openblas_set_num_threads (p.n_threads > 0 ? p.n_threads : clip_cpu_budget ());
  if (p.backend == CLIP_BACKEND_NATIVE)
    {
      status = clip_model_pack_ref (model, p.precision, &ctx->pack, error);
      if (status != CLIP_STATUS_OK)
        {
          g_free (ctx);
          return status;
        }
      ctx->pool = p.n_threads > 0 ? clip_pool_new (p.n_threads) : clip_pool_shared ();
    }
  *out = ctx;
  return CLIP_STATUS_OK;
}

void
clip_ctx_set_kernels (clip_ctx           *ctx,
                      const clip_kernels *k)
{
  if (ctx->params.backend == CLIP_BACKEND_NATIVE && k != NULL)
    ctx->k = k;
}

void
clip_ctx_set_head_major_bytes (clip_ctx *ctx,
                               size_t    bytes)
{
  ctx->head_major_bytes = bytes;
}

void
clip_ctx_set_lane_min_rows (clip_ctx *ctx,
                            size_t    rows)
{
  ctx->lane_min_rows = rows;
}

void
clip_ctx_free (clip_ctx *ctx)
{
  if (ctx == NULL)
    return;
  clip_pool_free (ctx->pool);
  clip_model_pack_unref (ctx->model, ctx->pack);
  for (int i = 0; i < N_SCRATCH; i++)
    g_free (ctx->s[i].p);
  g_free (ctx->x);
  g_free (ctx->h);
  g_free (ctx->q);
  g_free (ctx->kk);
  g_free (ctx->v);
  g_free (ctx->attn);
  g_free (ctx->mlp);
  g_free (ctx->scores);
  g_free (ctx->patches);
  g_free (ctx);
}

/* SigLIP on the float32 backends, once the patches are embedded in
 * ctx->h: + bias + positions (no class token, no pre-norm), the blocks,
 * post_layernorm on every patch and the attention-pooling head. */
static clip_status
encode_images_siglip_classic (clip_ctx *ctx,
                              int       n,
                              size_t    np,
                              size_t   *starts,
                              size_t   *lens,
                              float    *out,
                              char    **error)
{
  const clip_model *m = ctx->model;
  size_t w = (size_t) m->info.vision.width, rows = (size_t) n * np;
  g_autofree float *scratch = g_try_new (float, 4 * w + (size_t) m->info.vision.mlp + np);
  clip_status status;

  if (scratch == NULL)
    return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate the pooling head's scratch");
  for (size_t r = 0; r < rows; r++)
    {
      float *x = ctx->x + r * w;

      memcpy (x, ctx->h + r * w, w * sizeof (float));
      ctx->k->add_f32 (x, m->patch_bias, w);
      ctx->k->add_f32 (x, m->vision_position + (r % np) * w, w);
    }
  for (int b = 0; b < n; b++)
    {
      starts[b] = (size_t) b * np;
      lens[b] = np;
    }
  status = clip_enc_run_blocks_classic (ctx, &m->info.vision, &m->vision, starts, lens, (size_t) n,
                                        rows, FALSE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  for (size_t r = 0; r < rows; r++)
    ctx->k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, m->vision.final_ln_w, m->vision.final_ln_b,
                           w, m->info.vision.eps);
  for (int b = 0; b < n; b++)
    clip_siglip_pool_image (ctx->k, m, ctx->h + (size_t) b * np * w, np, out + (size_t) b * w, scratch);
  return CLIP_STATUS_OK;
}

static clip_status
encode_images (clip_ctx    *ctx,
               const float *pixels,
               int          n,
               float       *out,
               char       **error)
{
  const clip_model *m;
  size_t w, p, grid, np, t, rows, pd, s;
  g_autofree size_t *starts = NULL;
  g_autofree size_t *lens = NULL;
  clip_status status;

  if (ctx == NULL || (n > 0 && (pixels == NULL || out == NULL)) || n < 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_encode_images: invalid arguments");
  if (!(ctx->model->towers & CLIP_TOWER_VISION))
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED, "this model was loaded without its vision tower");
  if (n == 0)
    return CLIP_STATUS_OK;
  if (ctx->params.backend == CLIP_BACKEND_NATIVE)
    {
      /* Passes of about ROWS_PER_PASS rows: the activations of a bigger
       * batch no longer fit in the caches (a batch of 32 ViT-B/32 images
       * costs a fifth more per image than one of 8), and nothing depends
       * on the other images of a batch, so the vectors are the same. */
      const clip_model *mm = ctx->model;
      size_t side = (size_t) (mm->info.image_size / mm->info.patch_size);
      int per = (int) MAX (ROWS_PER_PASS / (side * side + 1), 1);
      size_t nf = clip_model_image_floats (mm), e = (size_t) mm->info.embed_dim;

      for (int b = 0; b < n; b += per)
        {
          clip_status st = clip_enc_images_native (ctx, pixels + (size_t) b * nf, MIN (per, n - b),
                                                   out + (size_t) b * e, error);
          if (st != CLIP_STATUS_OK)
            return st;
        }
      return CLIP_STATUS_OK;
    }

  m = ctx->model;
  w = (size_t) m->info.vision.width;
  p = (size_t) m->info.patch_size;
  s = (size_t) m->info.image_size;
  grid = s / p;
  np = grid * grid;
  t = m->info.family == CLIP_FAMILY_CLIP ? np + 1 : np;   /* SigLIP: no class token */
  rows = (size_t) n * t;
  pd = 3 * p * p;

  status = clip_enc_reserve (ctx, rows, MAX (w, (size_t) m->info.embed_dim), (size_t) m->info.vision.mlp,
                             t * t, error);
  if (status != CLIP_STATUS_OK)
    return status;
  if ((size_t) n * np * pd > ctx->patches_cap)
    {
      g_free (ctx->patches);
      ctx->patches = g_try_new (float, (size_t) n * np * pd);
      if (ctx->patches == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate patches");
      ctx->patches_cap = (size_t) n * np * pd;
    }

  /* im2col: each patch as a row in (channel, y, x) order, the order of the
   * convolution weight [width, 3, p, p]; the convolution has no bias. */
  for (int b = 0; b < n; b++)
    {
      const float *img = pixels + (size_t) b * 3 * s * s;
      for (size_t gy = 0; gy < grid; gy++)
        for (size_t gx = 0; gx < grid; gx++)
          {
            float *row = ctx->patches + ((size_t) b * np + gy * grid + gx) * pd;
            for (size_t c = 0; c < 3; c++)
              for (size_t ky = 0; ky < p; ky++)
                memcpy (row + (c * p + ky) * p,
                        img + c * s * s + (gy * p + ky) * s + gx * p,
                        p * sizeof (float));
          }
    }
  clip_enc_linear (ctx, ctx->h, ctx->patches, m->patch_embedding, NULL, (size_t) n * np, pd, w, FALSE);

  starts = g_new (size_t, n);
  lens = g_new (size_t, n);
  if (m->info.family != CLIP_FAMILY_CLIP)
    return encode_images_siglip_classic (ctx, n, np, starts, lens, out, error);
  for (int b = 0; b < n; b++)
    {
      float *x = ctx->x + (size_t) b * t * w;
      memcpy (x, m->class_embedding, w * sizeof (float));
      memcpy (x + w, ctx->h + (size_t) b * np * w, np * w * sizeof (float));
      for (size_t i = 0; i < t; i++)
        {
          ctx->k->add_f32 (x + i * w, m->vision_position + i * w, w);
          ctx->k->layernorm_f32 (x + i * w, x + i * w, m->pre_ln_w, m->pre_ln_b, w,
                                 m->info.vision.eps);
        }
      starts[b] = (size_t) b * t;
      lens[b] = t;
    }

  status = clip_enc_run_blocks_classic (ctx, &m->info.vision, &m->vision, starts, lens, (size_t) n, rows, FALSE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  /* the class token of each image is its first row */
  clip_enc_pool_and_project_classic (ctx, &m->info.vision, &m->vision, starts, (size_t) n, out);
  return CLIP_STATUS_OK;
}

static clip_status
encode_texts (clip_ctx      *ctx,
              const int32_t *ids,
              int            n,
              float         *out,
              char         **error)
{
  const clip_model *m;
  size_t w, ctxlen, rows = 0;
  g_autofree size_t *starts = NULL;
  g_autofree size_t *lens = NULL;
  g_autofree size_t *pooled = NULL;
  clip_status status;

  if (ctx == NULL || (n > 0 && (ids == NULL || out == NULL)) || n < 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_encode_texts: invalid arguments");
  if (!(ctx->model->towers & CLIP_TOWER_TEXT))
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED, "this model was loaded without its text tower");
  if (n == 0)
    return CLIP_STATUS_OK;

  m = ctx->model;
  w = (size_t) m->info.text.width;
  ctxlen = (size_t) m->info.context_length;
  starts = g_new (size_t, n);
  lens = g_new (size_t, n);
  pooled = g_new (size_t, n);

  /* Each sequence ends at its pooled token: the first occurrence of the
   * highest id (the end-of-text token), as CLIP's argmax does. */
  for (int b = 0; b < n; b++)
    {
      const int32_t *seq = ids + (size_t) b * ctxlen;
      size_t best = 0;
      for (size_t i = 0; i < ctxlen; i++)
        {
          if (seq[i] < 0 || seq[i] >= m->info.vocab_size)
            return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                                   "token id %d at position %zu is outside the vocabulary (0..%d)",
                                   seq[i], i, m->info.vocab_size - 1);
          if (seq[i] > seq[best])
            best = i;
        }
      /* SigLIP: no mask at all, every text is its 64 tokens (padding
       * included), pooled at the last one. */
      if (m->info.family != CLIP_FAMILY_CLIP)
        best = ctxlen - 1;
      starts[b] = rows;
      lens[b] = best + 1;
      rows += best + 1;
      pooled[b] = starts[b] + best;
    }

  if (ctx->params.backend == CLIP_BACKEND_NATIVE)
    {
      /* Passes of about ROWS_PER_PASS rows too, whole texts each: a few
       * hundred prompts at once need no more scratch than a few. */
      size_t e = (size_t) m->info.embed_dim;

      for (size_t b0 = 0; b0 < (size_t) n;)
        {
          size_t b1 = b0 + 1, pass_rows = lens[b0], base = starts[b0];

          while (b1 < (size_t) n && pass_rows + lens[b1] <= ROWS_PER_PASS)
            pass_rows += lens[b1++];
          /* the pass's rows count from its first text's (read once: the
           * loop overwrites starts[b0] first) */
          for (size_t b = b0; b < b1; b++)
            starts[b] -= base;
          status = clip_enc_texts_native (ctx, ids + b0 * ctxlen, b1 - b0, starts + b0, lens + b0,
                                          pass_rows, out + b0 * e, error);
          if (status != CLIP_STATUS_OK)
            return status;
          b0 = b1;
        }
      return CLIP_STATUS_OK;
    }

  status = clip_enc_reserve (ctx, MAX (rows, (size_t) n), MAX (w, (size_t) m->info.embed_dim),
                             (size_t) m->info.text.mlp, ctxlen * ctxlen, error);
  if (status != CLIP_STATUS_OK)
    return status;

  for (int b = 0; b < n; b++)
    {
      const int32_t *seq = ids + (size_t) b * ctxlen;
      for (size_t i = 0; i < lens[b]; i++)
        {
          float *x = ctx->x + (starts[b] + i) * w;
          clip_model_token_row (m, seq[i], x);
          ctx->k->add_f32 (x, m->text_position + i * w, w);
        }
    }

  status = clip_enc_run_blocks_classic (ctx, &m->info.text, &m->text, starts, lens, (size_t) n, rows,
                                        m->info.family == CLIP_FAMILY_CLIP, error);
  if (status != CLIP_STATUS_OK)
    return status;
  clip_enc_pool_and_project_classic (ctx, &m->info.text, &m->text, pooled, (size_t) n, out);
  return CLIP_STATUS_OK;
}

/* An embedding with a NaN or an infinity is never handed out: one would
 * make every similarity with it NaN.  Finite weights and inputs can still
 * overflow (weights near FLT_MAX); the loader refuses non-finite ones. */
static clip_status
check_finite_out (const clip_ctx *ctx,
                  const float    *out,
                  int             n,
                  const char     *what,
                  char          **error)
{
  size_t e = (size_t) ctx->model->info.embed_dim;

  for (int b = 0; b < n; b++)
    for (size_t i = 0; i < e; i++)
      if (!isfinite (out[(size_t) b * e + i]))
        return clip_set_error (error, CLIP_STATUS_NOT_FINITE,
                               "the embedding of %s %d of %d is not a finite number "
                               "(the model's arithmetic overflowed)", what, b, n);
  return CLIP_STATUS_OK;
}

clip_status
clip_encode_images (clip_ctx    *ctx,
                    const float *pixels,
                    int          n,
                    float       *out,
                    char       **error)
{
  clip_status status;

  if (ctx != NULL && n > 0 && pixels != NULL)
    {
      size_t nf = clip_model_image_floats (ctx->model) * (size_t) n;

      /* inputs are checked as cheaply as outputs: a NaN pixel would make
       * its image's whole vector NaN */
      for (size_t i = 0; i < nf; i++)
        if (!isfinite (pixels[i]))
          return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                                 "clip_encode_images: value %zu of image %zu is not a finite number",
                                 i % clip_model_image_floats (ctx->model),
                                 i / clip_model_image_floats (ctx->model));
    }
  status = encode_images (ctx, pixels, n, out, error);
  if (status == CLIP_STATUS_OK && n > 0)
    status = check_finite_out (ctx, out, n, "image", error);
  return status;
}

clip_status
clip_encode_texts (clip_ctx      *ctx,
                   const int32_t *ids,
                   int            n,
                   float         *out,
                   char         **error)
{
  clip_status status = encode_texts (ctx, ids, n, out, error);

  if (status == CLIP_STATUS_OK && n > 0)
    status = check_finite_out (ctx, out, n, "text", error);
  return status;
}

/* --- peak measurement ------------------------------------------------------------ */

typedef struct {
  const clip_kernels *k;
  clip_weights_format format;
  long                iters;
  double              ops;
} peak_arg;

static gpointer
peak_thread (gpointer data)
{
  peak_arg *a = data;

  a->ops = a->k->peak_loop (a->format, a->iters);
  return NULL;
}

double
clip_kernels_peak_gops (clip_precision precision,
                        int            n_threads,
                        double         seconds)
{
  const clip_kernels *k = clip_kernels_get ();
  clip_weights_format format = precision_format (precision);
  long iters = 1 << 14;
  double dt, ops = 0.0;
  gint64 t0;

  if ((unsigned) precision >= CLIP_N_PRECISIONS)
    return 0.0;
  if (n_threads <= 0)
    n_threads = clip_cpu_budget ();
  /* calibrate on this thread: at least 20 ms */
  for (;;)
    {
      t0 = g_get_monotonic_time ();
      k->peak_loop (format, iters);
      dt = (double) (g_get_monotonic_time () - t0) / 1e6;
      if (dt >= 0.02 || iters > (1L << 40))
        break;
      iters *= 4;
    }
  iters = (long) MAX ((double) iters * MAX (seconds, 0.01) / MAX (dt, 1e-6), 1.0);

  g_autofree peak_arg *args = g_new0 (peak_arg, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < n_threads; i++)
    {
      args[i] = (peak_arg) { k, format, iters, 0.0 };
      if (i > 0)
        threads[i] = g_thread_try_new ("clip-peak", peak_thread, &args[i], NULL);
    }
  peak_thread (&args[0]);
  for (int i = 0; i < n_threads; i++)
    {
      if (i > 0 && threads[i] != NULL)
        g_thread_join (threads[i]);
      ops += args[i].ops;
    }
  dt = (double) (g_get_monotonic_time () - t0) / 1e6;
  return ops / MAX (dt, 1e-9) / 1e9;
}
