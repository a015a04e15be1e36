/* clip-siglip.c - the parts of SigLIP's graph CLIP does not have: the
 * vision tower's attention-pooling head and the tanh GELU.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The head (transformers' SiglipMultiheadAttentionPoolingHead): a learned
 * probe attends over all patch rows through nn.MultiheadAttention (q, k,
 * v packed in in_proj, then out_proj), then h + mlp(layernorm(h)).  With
 * one query it is cheap when reassociated: the scores of head j are
 * q_j . (Wk_j x_i + bk_j) = (Wk_j^T q_j) . x_i + q_j . bk_j, and its output
 * is Wv_j (sum_i a_i x_i) + bv_j (the weights a_i sum to 1), so the cost is
 * O(width^2 + patches * width * heads) instead of two projections of every
 * patch.  It runs in float32 in every precision, as the final projections
 * do.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "clip-private.h"

void
clip_gelu_tanh_inplace (float  *x,
                        size_t  n)
{
  /* transformers' gelu_pytorch_tanh = torch's gelu(approximate="tanh"). */
  const float c = 0.7978845608028654f;   /* sqrt(2 / pi) */

  for (size_t i = 0; i < n; i++)
    {
      float v = x[i];

      x[i] = 0.5f * v * (1.0f + tanhf (c * (v + 0.044715f * v * v * v)));
    }
}

/* Floats clip_gelu_tanh does at a time: a fixed count, so that GCC's
 * -O2 vectorises the loops around the kernel whole, and few enough to
 * stay in L1. */
#define GELU_BLOCK 256

/* The tanh GELU is x sigmoid(2 z), z = c (x + 0.044715 x^3), and the
 * kernel table has a vectorised x sigmoid(1.702 x) (QuickGELU, CLIP's
 * activation).  With u = 1 + 0.044715 x^2 and y = (2 c / 1.702) x u,
 * quick_gelu (y) = y sigmoid(2 z), so gelu_tanh (x) = quick_gelu (y) /
 * ((2 c / 1.702) u): a division by a number >= 0.94, never by x.  (tanhf
 * one value at a time took a fifth of a SigLIP image's time.)  Exact to
 * float rounding while y is finite, |x| < 1.9e13; past that the result
 * is not finite, which the encoder reports, as it does any overflow.
 * The loops have no branches, no clamps: that is what GCC's -O2 cost
 * model vectorises. */
static void
gelu_tanh_block (const clip_kernels *k,
                 float *restrict     x)
{
  const float kk = 2.0f * 0.7978845608028654f / 1.702f;
  float y[GELU_BLOCK];

  for (size_t i = 0; i < GELU_BLOCK; i++)
    y[i] = kk * x[i] * (1.0f + 0.044715f * x[i] * x[i]);
  k->quick_gelu_f32 (y, GELU_BLOCK);
  for (size_t i = 0; i < GELU_BLOCK; i++)
    x[i] = y[i] / (kk * (1.0f + 0.044715f * x[i] * x[i]));
}

void
clip_gelu_tanh (const clip_kernels *k,
                float              *x,
                size_t              n)
{
  size_t i = 0;

  for (; i + GELU_BLOCK <= n; i += GELU_BLOCK)
    gelu_tanh_block (k, x + i);
  if (i < n)
    {
      float tail[GELU_BLOCK] = { 0 };

      memcpy (tail, x + i, (n - i) * sizeof (float));
      gelu_tanh_block (k, tail);
      memcpy (x + i, tail, (n - i) * sizeof (float));
    }
}

/* y[n] = W[n, k] x[k] + b[n] */
static void
matvec (const clip_kernels *k,
        const float        *w,
        const float        *b,
        const float        *x,
        size_t              n,
        size_t              kd,
        float              *y)
{
  for (size_t i = 0; i < n; i++)
    y[i] = k->dot_f32 (w + i * kd, x, kd) + (b != NULL ? b[i] : 0.0f);
}

void
clip_siglip_pool_image (const clip_kernels *k,
                        const clip_model   *model,
                        const float        *x,
                        size_t              np,
                        float              *out,
                        float              *scratch)
{
  const clip_tower_info *vi = &model->info.vision;
  size_t w = (size_t) vi->width, m = (size_t) vi->mlp, heads = (size_t) vi->heads;
  size_t hd = w / heads;
  const float *wq = model->pool_in_w, *wk = model->pool_in_w + w * w;
  const float *wv = model->pool_in_w + 2 * w * w;
  const float *bq = model->pool_in_b, *bk = model->pool_in_b + w, *bv = model->pool_in_b + 2 * w;
  float *q = scratch, *ctx = scratch + w, *h = scratch + 2 * w, *ln = scratch + 3 * w;
  float *hid = scratch + 4 * w, *a = hid + m;
  float scale = (float) (1.0 / sqrt ((double) hd));

  matvec (k, wq, bq, model->probe, w, w, q);
  for (size_t j = 0; j < heads; j++)
    {
      const float *qj = q + j * hd;
      float qb, amax = -INFINITY;
      double sum = 0.0;
      float *wsum = ln;   /* sum_i a_i x_i: width floats, free until the MLP */

      /* qk = Wk_j^T q_j (width floats, in h): the rows of head j's Wk,
       * weighted */
      memset (h, 0, w * sizeof (float));
      for (size_t d = 0; d < hd; d++)
        k->axpy_f32 (h, qj[d], wk + (j * hd + d) * w, w);
      qb = k->dot_f32 (qj, bk + j * hd, hd);
      for (size_t i = 0; i < np; i++)
        {
          a[i] = (k->dot_f32 (h, x + i * w, w) + qb) * scale;
          amax = MAX (amax, a[i]);
        }
      for (size_t i = 0; i < np; i++)
        {
          a[i] = expf (a[i] - amax);
          sum += a[i];
        }
      memset (wsum, 0, w * sizeof (float));
      for (size_t i = 0; i < np; i++)
        k->axpy_f32 (wsum, (float) (a[i] / sum), x + i * w, w);
      matvec (k, wv + j * hd * w, bv + j * hd, wsum, hd, w, ctx + j * hd);
    }
  matvec (k, model->pool_out_w, model->pool_out_b, ctx, w, w, h);
  k->layernorm_f32 (ln, h, model->pool_ln_w, model->pool_ln_b, w, vi->eps);
  matvec (k, model->pool_fc1_w, model->pool_fc1_b, ln, m, w, hid);
  clip_gelu_tanh (k, hid, m);
  matvec (k, model->pool_fc2_w, model->pool_fc2_b, hid, w, m, out);
  k->add_f32 (out, h, w);
}
