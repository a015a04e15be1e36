/* kernels-ref.c - the reference kernels: plain C, the specification.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: contiguous float32 rows.  Tolerance: this is the truth the other
 * tables are compared with; sums accumulate in double to be a sharp one.
 */
#include <math.h>

#include "kernels.h"

static float
dot_ref (const float *a,
         const float *b,
         size_t       n)
{
  double s = 0.0;

  for (size_t i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return (float) s;
}

static void
axpy_ref (float       *y,
          float        a,
          const float *x,
          size_t       n)
{
  for (size_t i = 0; i < n; i++)
    y[i] += a * x[i];
}

static void
add_ref (float       *y,
         const float *x,
         size_t       n)
{
  for (size_t i = 0; i < n; i++)
    y[i] += x[i];
}

static void
layernorm_ref (float       *y,
               const float *x,
               const float *w,
               const float *b,
               size_t       n,
               float        eps)
{
  double mean = 0.0, var = 0.0;

  if (n == 0)
    return;
  for (size_t i = 0; i < n; i++)
    mean += x[i];
  mean /= (double) n;
  for (size_t i = 0; i < n; i++)
    {
      double d = x[i] - mean;
      var += d * d;
    }
  var /= (double) n;
  double inv = 1.0 / sqrt (var + eps);
  for (size_t i = 0; i < n; i++)
    y[i] = (float) ((x[i] - mean) * inv * w[i] + b[i]);
}

static void
quick_gelu_ref (float *x,
                size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = x[i] / (1.0f + expf (-1.702f * x[i]));
}

static void
gelu_ref (float *x,
          size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] = 0.5f * x[i] * (1.0f + erff (x[i] * 0.70710678118654752f));
}

static void
softmax_ref (float *x,
             size_t n)
{
  float max = x[0];
  double sum = 0.0;

  for (size_t i = 1; i < n; i++)
    if (x[i] > max)
      max = x[i];
  for (size_t i = 0; i < n; i++)
    {
      x[i] = expf (x[i] - max);
      sum += x[i];
    }
  float inv = (float) (1.0 / sum);
  for (size_t i = 0; i < n; i++)
    x[i] *= inv;
}

static void
scale_ref (float *x,
           float  a,
           size_t n)
{
  for (size_t i = 0; i < n; i++)
    x[i] *= a;
}

static const clip_kernels kernels_ref = {
  .name = "ref",
  .dot_f32 = dot_ref,
  .axpy_f32 = axpy_ref,
  .add_f32 = add_ref,
  .layernorm_f32 = layernorm_ref,
  .quick_gelu_f32 = quick_gelu_ref,
  .gelu_f32 = gelu_ref,
  .softmax_f32 = softmax_ref,
  .scale_f32 = scale_ref,
};

const clip_kernels *
clip_kernels_ref (void)
{
  return &kernels_ref;
}
