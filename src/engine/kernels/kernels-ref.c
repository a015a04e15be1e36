/* kernels-ref.c - the reference kernels: plain C, the specification.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: contiguous float32 rows; packed weights as kernels.h describes.
 * Tolerance: this is the truth the other tables are compared with; sums
 * accumulate in double (int8: in int64) to be a sharp one.
 */
#include <math.h>
#include <string.h>

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

/* --- conversions ---------------------------------------------------------- */

uint16_t
clip_f32_to_bf16_bits (float x)
{
  uint32_t u;

  memcpy (&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t) ((u >> 16) | 0x40); /* a quiet NaN stays a NaN */
  u += 0x7fffu + ((u >> 16) & 1);          /* round to nearest, ties to even */
  return (uint16_t) (u >> 16);
}

float
clip_bf16_bits_to_f32 (uint16_t h)
{
  uint32_t u = (uint32_t) h << 16;
  float x;

  memcpy (&x, &u, sizeof x);
  return x;
}

float
clip_f16_bits_to_f32 (uint16_t h)
{
  uint32_t sign = (uint32_t) (h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, u;
  float x;

  if (e == 0x1f)
    u = sign | 0x7f800000u | (m << 13);
  else if (e != 0)
    u = sign | ((e + 112) << 23) | (m << 13);
  else if (m == 0)
    u = sign;
  else
    {
      /* subnormal: m * 2^-24, exact in float */
      x = ldexpf ((float) m, -24);
      return sign ? -x : x;
    }
  memcpy (&x, &u, sizeof x);
  return x;
}

uint16_t
clip_f32_to_f16_bits (float x)
{
  uint32_t u, sign, au;

  memcpy (&u, &x, sizeof u);
  sign = (u >> 16) & 0x8000u;
  au = u & 0x7fffffffu;
  if (au > 0x7f800000u)
    return (uint16_t) (sign | 0x7e00u);
  if (au >= 0x477ff000u) /* rounds to at least 65520: infinity */
    return (uint16_t) (sign | 0x7c00u);
  if (au < 0x38800000u)  /* below 2^-14: a subnormal half (or zero) */
    {
      float a;
      memcpy (&a, &au, sizeof a);
      return (uint16_t) (sign | (uint32_t) nearbyintf (a * 16777216.0f)); /* units of 2^-24 */
    }
  /* normal: rebias, round the 13 dropped bits to nearest even */
  au += 0xc8000fffu + ((au >> 13) & 1); /* (15 - 127) << 23, plus rounding */
  return (uint16_t) (sign | (au >> 13));
}

static void
to_bf16_ref (uint16_t    *y,
             const float *x,
             size_t       n,
             size_t       np)
{
  for (size_t i = 0; i < n; i++)
    y[i] = clip_f32_to_bf16_bits (x[i]);
  for (size_t i = n; i < np; i++)
    y[i] = 0;
}

/* Each row onto 0..u8_max with its own scale and zero point (kernels.h);
 * the ISA tables' quantize_u8 give the same bytes for their u8_max. */
void
clip_quantize_u8_ref (uint8_t     *y,
                      float       *scale,
                      int32_t     *zero,
                      const float *x,
                      size_t       n,
                      size_t       np,
                      int          u8_max)
{
  float lo = 0.0f, hi = 0.0f;

  for (size_t i = 0; i < n; i++)
    {
      lo = x[i] < lo ? x[i] : lo;
      hi = x[i] > hi ? x[i] : hi;
    }
  if (!(hi > lo)) /* all zero (or NaN) */
    {
      *scale = 1.0f;
      *zero = 0;
      memset (y, 0, np);
      return;
    }
  float s = (hi - lo) / (float) u8_max, inv = 1.0f / s;
  float z = nearbyintf (-lo * inv);
  *scale = s;
  *zero = (int32_t) z;
  for (size_t i = 0; i < n; i++)
    {
      float q = nearbyintf (x[i] * inv) + z;
      y[i] = (uint8_t) (q < 0.0f ? 0.0f : q > (float) u8_max ? (float) u8_max : q);
    }
  for (size_t i = n; i < np; i++)
    y[i] = 0;
}

static void
quantize_u8_ref (uint8_t     *y,
                 float       *scale,
                 int32_t     *zero,
                 const float *x,
                 size_t       n,
                 size_t       np)
{
  clip_quantize_u8_ref (y, scale, zero, x, n, np, 255);
}

/* --- attention -------------------------------------------------------------- */

static void
attention_ref (float       *out,
               size_t       ldo,
               const float *q,
               const float *k,
               const float *v,
               size_t       ld,
               size_t       t,
               size_t       hd,
               size_t       q0,
               size_t       q1,
               float        scale,
               int          causal,
               float       *scratch)
{
  float *s = scratch;

  for (size_t i = q0; i < q1; i++)
    {
      size_t visible = causal ? i + 1 : t;
      float *o = out + (i - q0) * ldo;

      for (size_t j = 0; j < visible; j++)
        s[j] = dot_ref (q + i * ld, k + j * ld, hd) * scale;
      softmax_ref (s, visible);
      for (size_t d = 0; d < hd; d++)
        {
          double acc = 0.0;
          for (size_t j = 0; j < visible; j++)
            acc += (double) s[j] * v[j * ld + d];
          o[d] = (float) acc;
        }
    }
}

/* --- packed GEMM -------------------------------------------------------------- */

/* Weight (k, column j of panel p), as the float it stands for (I8: the
 * integer). */
static double
packed_weight (const clip_packed *w,
               size_t             p,
               size_t             k,
               size_t             j)
{
  size_t base = p * w->kp * CLIP_PANEL;

  switch (w->format)
    {
    case CLIP_WEIGHTS_F32:
      return ((const float *) w->data)[base + k * CLIP_PANEL + j];
    case CLIP_WEIGHTS_F16:
      return clip_f16_bits_to_f32 (((const uint16_t *) w->data)[base + k * CLIP_PANEL + j]);
    case CLIP_WEIGHTS_BF16:
      return clip_bf16_bits_to_f32 (((const uint16_t *) w->data)
                                    [base + (k / 2) * 2 * CLIP_PANEL + j * 2 + k % 2]);
    case CLIP_WEIGHTS_I8:
      return ((const int8_t *) w->data)[base + (k / 4) * 4 * CLIP_PANEL + j * 4 + k % 4];
    default:
      return 0.0;
    }
}

void
clip_gemm_ref (const clip_gemm_args *g,
               size_t                p0,
               size_t                p1)
{
  const clip_packed *w = g->w;

  for (size_t p = p0; p < p1; p++)
    for (size_t j = 0; j < CLIP_PANEL && p * CLIP_PANEL + j < w->n; j++)
      {
        size_t col = p * CLIP_PANEL + j;
        float b = w->bias != NULL ? w->bias[col] : 0.0f;

        for (size_t i = 0; i < g->m; i++)
          {
            float *c = g->c + i * g->ldc + col, r;

            if (w->format == CLIP_WEIGHTS_I8)
              {
                const uint8_t *a = (const uint8_t *) g->a + i * g->lda;
                int64_t acc = 0;
                for (size_t k = 0; k < w->k; k++)
                  acc += (int64_t) a[k] * (int64_t) packed_weight (w, p, k, j);
                acc -= (int64_t) g->a_zero[i] * w->colsum[col];
                r = (float) acc * (g->a_scale[i] * w->scale[col]) + b;
              }
            else
              {
                double acc = 0.0;
                for (size_t k = 0; k < w->k; k++)
                  {
                    double a = w->format == CLIP_WEIGHTS_BF16
                               ? clip_bf16_bits_to_f32 (((const uint16_t *) g->a)[i * g->lda + k])
                               : ((const float *) g->a)[i * g->lda + k];
                    acc += a * packed_weight (w, p, k, j);
                  }
                r = (float) acc + b;
              }
            switch (g->epilogue)
              {
              case CLIP_EPI_ADD:
                *c += r;
                break;
              case CLIP_EPI_QUICK_GELU:
                quick_gelu_ref (&r, 1);
                *c = r;
                break;
              case CLIP_EPI_GELU:
                gelu_ref (&r, 1);
                *c = r;
                break;
              default:
                *c = r;
              }
          }
      }
}

/* A chain of multiply-adds the compiler cannot fold: the scalar peak. */
double
clip_peak_loop_ref (clip_weights_format format,
                    long                iters)
{
  volatile float sink;
  float a0 = 1.0f, a1 = 0.5f, a2 = 0.25f, a3 = 0.125f, m = 0.9999f, c = 1e-4f;

  for (long i = 0; i < iters; i++)
    {
      a0 = a0 * m + c;
      a1 = a1 * m + c;
      a2 = a2 * m + c;
      a3 = a3 * m + c;
    }
  sink = a0 + a1 + a2 + a3;
  (void) sink;
  return 8.0 * (double) iters;
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
  .to_bf16 = to_bf16_ref,
  .quantize_u8 = quantize_u8_ref,
  .u8_max = 255,
  .attention_f32 = attention_ref,
  .gemm = { clip_gemm_ref, clip_gemm_ref, clip_gemm_ref, clip_gemm_ref },
  .fast = { 0, 0, 0, 0 },
  .peak_loop = clip_peak_loop_ref,
};

const clip_kernels *
clip_kernels_ref (void)
{
  return &kernels_ref;
}
