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

/* y[n] = W[n, k] x[k] + b[n] */
static void
matvec (const float *w,
        const float *b,
        const float *x,
        size_t       n,
        size_t       k,
        float       *y)
{
  for (size_t i = 0; i < n; i++)
    {
      const float *row = w + i * k;
      double acc = b != NULL ? b[i] : 0.0;

      for (size_t j = 0; j < k; j++)
        acc += (double) row[j] * x[j];
      y[i] = (float) acc;
    }
}

static void
layer_norm (const float *x,
            const float *g,
            const float *b,
            size_t       n,
            float        eps,
            float       *y)
{
  double mean = 0.0, var = 0.0;

  for (size_t i = 0; i < n; i++)
    mean += x[i];
  mean /= (double) n;
  for (size_t i = 0; i < n; i++)
    var += (x[i] - mean) * (x[i] - mean);
  var /= (double) n;
  for (size_t i = 0; i < n; i++)
    y[i] = (float) ((x[i] - mean) / sqrt (var + eps)) * g[i] + b[i];
}

void
clip_siglip_pool_image (const clip_model *model,
                        const float      *x,
                        size_t            np,
                        float            *out,
                        float            *scratch)
{
  const clip_tower_info *vi = &model->info.vision;
  size_t w = (size_t) vi->width, m = (size_t) vi->mlp, heads = (size_t) vi->heads;
  size_t hd = w / heads;
  const float *wq = model->pool_in_w, *wk = model->pool_in_w + w * w;
  const float *wv = model->pool_in_w + 2 * w * w;
  const float *bq = model->pool_in_b, *bk = model->pool_in_b + w, *bv = model->pool_in_b + 2 * w;
  float *q = scratch, *ctx = scratch + w, *h = scratch + 2 * w, *ln = scratch + 3 * w;
  float *hid = scratch + 4 * w, *a = hid + m;
  double scale = 1.0 / sqrt ((double) hd);

  matvec (wq, bq, model->probe, w, w, q);
  memset (ctx, 0, w * sizeof (float));
  for (size_t j = 0; j < heads; j++)
    {
      const float *qj = q + j * hd;
      double qb = 0.0, amax = -INFINITY, sum = 0.0;
      float *wsum = ln;   /* sum_i a_i x_i: width floats, free until the MLP */

      /* qk = Wk_j^T q_j (width floats, in h) */
      for (size_t c = 0; c < w; c++)
        {
          double acc = 0.0;

          for (size_t d = 0; d < hd; d++)
            acc += (double) wk[(j * hd + d) * w + c] * qj[d];
          h[c] = (float) acc;
        }
      for (size_t d = 0; d < hd; d++)
        qb += (double) qj[d] * bk[j * hd + d];
      for (size_t i = 0; i < np; i++)
        {
          double s = qb;

          for (size_t c = 0; c < w; c++)
            s += (double) h[c] * x[i * w + c];
          a[i] = (float) (s * scale);
          amax = MAX (amax, a[i]);
        }
      for (size_t i = 0; i < np; i++)
        {
          a[i] = (float) exp (a[i] - amax);
          sum += a[i];
        }
      memset (wsum, 0, w * sizeof (float));
      for (size_t i = 0; i < np; i++)
        {
          float ai = (float) (a[i] / sum);

          for (size_t c = 0; c < w; c++)
            wsum[c] += ai * x[i * w + c];
        }
      matvec (wv + j * hd * w, bv + j * hd, wsum, hd, w, ctx + j * hd);
    }
  matvec (model->pool_out_w, model->pool_out_b, ctx, w, w, h);
  layer_norm (h, model->pool_ln_w, model->pool_ln_b, w, vi->eps, ln);
  matvec (model->pool_fc1_w, model->pool_fc1_b, ln, m, w, hid);
  clip_gelu_tanh_inplace (hid, m);
  matvec (model->pool_fc2_w, model->pool_fc2_b, hid, w, m, out);
  for (size_t c = 0; c < w; c++)
    out[c] += h[c];
}
