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
 * Two backends share this file: CLIP_BACKEND_BLAS sends the linear layers
 * and attention products to cblas_sgemm and the row ops to the kernel table
 * chosen for the CPU; CLIP_BACKEND_REF uses plain loops and the reference
 * kernels, the specification the tests compare the fast path with.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#include <glib.h>

#include "clip-private.h"
#include "kernels/kernels.h"

/* OpenBLAS's thread count is process-wide; it has no public header
 * guarantee across distributions' cblas.h, so declare it here. */
void openblas_set_num_threads (int num_threads);

struct clip_ctx {
  const clip_model   *model;
  clip_params         params;
  const clip_kernels *k;

  /* Scratch, grown on demand and reused: no allocation per image once a
   * batch of a given size has been seen. */
  float  *x, *h, *q, *kk, *v, *attn, *mlp, *scores;
  size_t  rows_cap;     /* rows the activation buffers hold */
  size_t  width_cap;    /* their width */
  size_t  mlp_cap;      /* width of the mlp buffer */
  size_t  scores_cap;   /* floats in scores */
  float  *patches;      /* im2col of a batch */
  size_t  patches_cap;
};

clip_params
clip_params_default (void)
{
  clip_params p = {
    .n_threads = 0,
    .backend = CLIP_BACKEND_BLAS,
    .abort_cb = NULL,
    .abort_data = NULL,
  };
  return p;
}

static int
online_cpus (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int) n : 1;
}

clip_status
clip_ctx_new (const clip_model  *model,
              const clip_params *params,
              clip_ctx         **out,
              char             **error)
{
  clip_ctx *ctx;

  if (model == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_ctx_new: no model");
  ctx = g_new0 (clip_ctx, 1);
  ctx->model = model;
  ctx->params = params != NULL ? *params : clip_params_default ();
  if (ctx->params.n_threads <= 0)
    ctx->params.n_threads = online_cpus ();
  ctx->k = ctx->params.backend == CLIP_BACKEND_REF ? clip_kernels_ref () : clip_kernels_get ();
  if (ctx->params.backend == CLIP_BACKEND_BLAS)
    openblas_set_num_threads (ctx->params.n_threads);
  *out = ctx;
  return CLIP_STATUS_OK;
}

void
clip_ctx_free (clip_ctx *ctx)
{
  if (ctx == NULL)
    return;
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

static clip_status
reserve (clip_ctx *ctx,
         size_t    rows,
         size_t    width,
         size_t    mlp,
         size_t    scores,
         char    **error)
{
  if (rows > ctx->rows_cap || width > ctx->width_cap)
    {
      size_t r = MAX (rows, ctx->rows_cap), w = MAX (width, ctx->width_cap);
      float **bufs[] = { &ctx->x, &ctx->h, &ctx->q, &ctx->kk, &ctx->v, &ctx->attn };

      if (w != 0 && r > SIZE_MAX / sizeof (float) / w)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "batch too large (%zu rows)", rows);
      for (size_t i = 0; i < G_N_ELEMENTS (bufs); i++)
        {
          g_free (*bufs[i]);
          *bufs[i] = g_try_new (float, r * w);
          if (*bufs[i] == NULL)
            return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                                   "cannot allocate %zu x %zu activations", r, w);
        }
      ctx->rows_cap = r;
      ctx->width_cap = w;
      ctx->mlp_cap = 0; /* rows changed: the mlp buffer must follow */
    }
  if (mlp > ctx->mlp_cap)
    {
      g_free (ctx->mlp);
      ctx->mlp = g_try_new (float, ctx->rows_cap * mlp);
      if (ctx->mlp == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate the MLP buffer");
      ctx->mlp_cap = mlp;
    }
  if (scores > ctx->scores_cap)
    {
      g_free (ctx->scores);
      ctx->scores = g_try_new (float, scores);
      if (ctx->scores == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate attention scores");
      ctx->scores_cap = scores;
    }
  return CLIP_STATUS_OK;
}

/* y[rows, out] = x[rows, in] W[out, in]^T (+ b), or += when accumulate. */
static void
linear (clip_ctx    *ctx,
        float       *y,
        const float *x,
        const float *w,
        const float *b,
        size_t       rows,
        size_t       in,
        size_t       out,
        gboolean     accumulate)
{
  if (rows == 0)
    return;
  if (ctx->params.backend == CLIP_BACKEND_BLAS)
    {
      if (!accumulate)
        {
          if (b != NULL)
            for (size_t r = 0; r < rows; r++)
              memcpy (y + r * out, b, out * sizeof (float));
          else
            memset (y, 0, rows * out * sizeof (float));
        }
      else if (b != NULL)
        for (size_t r = 0; r < rows; r++)
          ctx->k->add_f32 (y + r * out, b, out);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   (int) rows, (int) out, (int) in,
                   1.0f, x, (int) in, w, (int) in,
                   1.0f, y, (int) out);
      return;
    }

  for (size_t r = 0; r < rows; r++)
    for (size_t o = 0; o < out; o++)
      {
        float s = ctx->k->dot_f32 (x + r * in, w + o * in, in) + (b != NULL ? b[o] : 0.0f);
        y[r * out + o] = accumulate ? y[r * out + o] + s : s;
      }
}

/* Multi-head self-attention of one sequence of `t` rows (stride `width`)
 * from q, k, v into out.  `causal`: row i sees rows 0..i only. */
static void
attention (clip_ctx    *ctx,
           float       *out,
           const float *q,
           const float *k,
           const float *v,
           size_t       t,
           size_t       width,
           size_t       heads,
           gboolean     causal)
{
  size_t hd = width / heads;
  float scale = 1.0f / sqrtf ((float) hd);
  float *s = ctx->scores;

  for (size_t h = 0; h < heads; h++)
    {
      const float *qh = q + h * hd, *kh = k + h * hd, *vh = v + h * hd;
      float *oh = out + h * hd;

      /* scores[t, t] = q_h k_h^T * scale */
      if (ctx->params.backend == CLIP_BACKEND_BLAS)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) t, (int) t, (int) hd,
                     scale, qh, (int) width, kh, (int) width, 0.0f, s, (int) t);
      else
        for (size_t i = 0; i < t; i++)
          for (size_t j = 0; j < t; j++)
            s[i * t + j] = ctx->k->dot_f32 (qh + i * width, kh + j * width, hd) * scale;

      for (size_t i = 0; i < t; i++)
        {
          size_t visible = causal ? i + 1 : t;
          ctx->k->softmax_f32 (s + i * t, visible);
          for (size_t j = visible; j < t; j++)
            s[i * t + j] = 0.0f;
        }

      /* out_h[t, hd] = scores v_h */
      if (ctx->params.backend == CLIP_BACKEND_BLAS)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) t, (int) hd, (int) t,
                     1.0f, s, (int) t, vh, (int) width, 0.0f, oh, (int) width);
      else
        for (size_t i = 0; i < t; i++)
          {
            float *row = oh + i * width;
            memset (row, 0, hd * sizeof (float));
            for (size_t j = 0; j < t; j++)
              ctx->k->axpy_f32 (row, s[i * t + j], vh + j * width, hd);
          }
    }
}

/* Runs the blocks of a tower over ctx->x: `n_seq` sequences whose rows
 * start at seq_start[i] and number seq_len[i]; `rows` in all. */
static clip_status
run_blocks (clip_ctx                 *ctx,
            const clip_tower_info    *info,
            const clip_tower_weights *tw,
            const size_t             *seq_start,
            const size_t             *seq_len,
            size_t                    n_seq,
            size_t                    rows,
            gboolean                  causal,
            char                    **error)
{
  size_t w = (size_t) info->width, m = (size_t) info->mlp;
  const clip_kernels *k = ctx->k;

  for (int l = 0; l < info->layers; l++)
    {
      const clip_layer_weights *lw = &tw->layers[l];

      if (ctx->params.abort_cb != NULL && ctx->params.abort_cb (ctx->params.abort_data))
        return clip_set_error (error, CLIP_STATUS_ABORTED, "encoding aborted");

      for (size_t r = 0; r < rows; r++)
        k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, lw->ln1_w, lw->ln1_b, w, info->eps);
      linear (ctx, ctx->q, ctx->h, lw->q_w, lw->q_b, rows, w, w, FALSE);
      linear (ctx, ctx->kk, ctx->h, lw->k_w, lw->k_b, rows, w, w, FALSE);
      linear (ctx, ctx->v, ctx->h, lw->v_w, lw->v_b, rows, w, w, FALSE);
      for (size_t s = 0; s < n_seq; s++)
        {
          size_t off = seq_start[s] * w;
          attention (ctx, ctx->attn + off, ctx->q + off, ctx->kk + off, ctx->v + off,
                     seq_len[s], w, (size_t) info->heads, causal);
        }
      linear (ctx, ctx->x, ctx->attn, lw->o_w, lw->o_b, rows, w, w, TRUE);

      for (size_t r = 0; r < rows; r++)
        k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, lw->ln2_w, lw->ln2_b, w, info->eps);
      linear (ctx, ctx->mlp, ctx->h, lw->fc1_w, lw->fc1_b, rows, w, m, FALSE);
      if (info->act == CLIP_ACT_GELU)
        k->gelu_f32 (ctx->mlp, rows * m);
      else
        k->quick_gelu_f32 (ctx->mlp, rows * m);
      linear (ctx, ctx->x, ctx->mlp, lw->fc2_w, lw->fc2_b, rows, m, w, TRUE);
    }
  return CLIP_STATUS_OK;
}

/* Final layer norm of the pooled rows, then the projection into `out`. */
static void
pool_and_project (clip_ctx                 *ctx,
                  const clip_tower_info    *info,
                  const clip_tower_weights *tw,
                  const size_t             *pooled_row,
                  size_t                    n,
                  float                    *out)
{
  size_t w = (size_t) info->width, e = (size_t) ctx->model->info.embed_dim;

  /* ctx->h holds the n pooled, normalised rows */
  for (size_t i = 0; i < n; i++)
    ctx->k->layernorm_f32 (ctx->h + i * w, ctx->x + pooled_row[i] * w,
                           tw->final_ln_w, tw->final_ln_b, w, info->eps);
  linear (ctx, out, ctx->h, tw->proj, NULL, n, w, e, FALSE);
}

clip_status
clip_encode_images (clip_ctx    *ctx,
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
  if (n == 0)
    return CLIP_STATUS_OK;

  m = ctx->model;
  w = (size_t) m->info.vision.width;
  p = (size_t) m->info.patch_size;
  s = (size_t) m->info.image_size;
  grid = s / p;
  np = grid * grid;
  t = np + 1;
  rows = (size_t) n * t;
  pd = 3 * p * p;

  status = reserve (ctx, rows, MAX (w, (size_t) m->info.embed_dim), (size_t) m->info.vision.mlp,
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
  linear (ctx, ctx->h, ctx->patches, m->patch_embedding, NULL, (size_t) n * np, pd, w, FALSE);

  starts = g_new (size_t, n);
  lens = g_new (size_t, n);
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

  status = run_blocks (ctx, &m->info.vision, &m->vision, starts, lens, (size_t) n, rows, FALSE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  /* the class token of each image is its first row */
  pool_and_project (ctx, &m->info.vision, &m->vision, starts, (size_t) n, out);
  return CLIP_STATUS_OK;
}

clip_status
clip_encode_texts (clip_ctx      *ctx,
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
      starts[b] = rows;
      lens[b] = best + 1;
      rows += best + 1;
      pooled[b] = starts[b] + best;
    }

  status = reserve (ctx, MAX (rows, (size_t) n), MAX (w, (size_t) m->info.embed_dim),
                    (size_t) m->info.text.mlp, ctxlen * ctxlen, error);
  if (status != CLIP_STATUS_OK)
    return status;

  for (int b = 0; b < n; b++)
    {
      const int32_t *seq = ids + (size_t) b * ctxlen;
      for (size_t i = 0; i < lens[b]; i++)
        {
          float *x = ctx->x + (starts[b] + i) * w;
          memcpy (x, m->token_embedding + (size_t) seq[i] * w, w * sizeof (float));
          ctx->k->add_f32 (x, m->text_position + i * w, w);
        }
    }

  status = run_blocks (ctx, &m->info.text, &m->text, starts, lens, (size_t) n, rows, TRUE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pool_and_project (ctx, &m->info.text, &m->text, pooled, (size_t) n, out);
  return CLIP_STATUS_OK;
}
