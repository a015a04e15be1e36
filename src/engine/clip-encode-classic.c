/* clip-encode-classic.c - the float32 backends: BLAS and the plain-C
 * reference, the specification the native backend is tested against.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <glib.h>

#include "clip-encode-private.h"

clip_status
clip_enc_reserve (clip_ctx *ctx,
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

/* --- the float32 backends: BLAS and the plain-C reference ------------------ */

/* y[rows, out] = x[rows, in] W[out, in]^T (+ b), or += when accumulate. */
void
clip_enc_linear (clip_ctx    *ctx,
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
clip_status
clip_enc_run_blocks_classic (clip_ctx                 *ctx,
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
      clip_enc_linear (ctx, ctx->q, ctx->h, lw->q_w, lw->q_b, rows, w, w, FALSE);
      clip_enc_linear (ctx, ctx->kk, ctx->h, lw->k_w, lw->k_b, rows, w, w, FALSE);
      clip_enc_linear (ctx, ctx->v, ctx->h, lw->v_w, lw->v_b, rows, w, w, FALSE);
      for (size_t s = 0; s < n_seq; s++)
        {
          size_t off = seq_start[s] * w;
          attention (ctx, ctx->attn + off, ctx->q + off, ctx->kk + off, ctx->v + off,
                     seq_len[s], w, (size_t) info->heads, causal);
        }
      clip_enc_linear (ctx, ctx->x, ctx->attn, lw->o_w, lw->o_b, rows, w, w, TRUE);

      for (size_t r = 0; r < rows; r++)
        k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, lw->ln2_w, lw->ln2_b, w, info->eps);
      clip_enc_linear (ctx, ctx->mlp, ctx->h, lw->fc1_w, lw->fc1_b, rows, w, m, FALSE);
      if (info->act == CLIP_ACT_GELU)
        k->gelu_f32 (ctx->mlp, rows * m);
      else if (info->act == CLIP_ACT_GELU_TANH)
        clip_gelu_tanh_inplace (ctx->mlp, rows * m);
      else
        k->quick_gelu_f32 (ctx->mlp, rows * m);
      clip_enc_linear (ctx, ctx->x, ctx->mlp, lw->fc2_w, lw->fc2_b, rows, m, w, TRUE);
    }
  return CLIP_STATUS_OK;
}

/* Final layer norm of the pooled rows, then the projection into `out`. */
void
clip_enc_pool_and_project_classic (clip_ctx                 *ctx,
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
  clip_enc_linear (ctx, out, ctx->h, tw->proj, NULL, n, w, e, FALSE);
  /* SigLIP's text head is a Linear with a bias */
  if (tw == &ctx->model->text && ctx->model->text_head_b != NULL)
    for (size_t i = 0; i < n; i++)
      ctx->k->add_f32 (out + i * e, ctx->model->text_head_b, e);
}
