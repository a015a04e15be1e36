/* clip-vector.c - inner products of a query with stored embeddings, for
 * brute-force vector search.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: row-major rows of `dim` values, `stride` apart; one query.
 * Tolerance: int8 results are exact integers on every path; float32 ones
 * match the plain-C order within float rounding (relative 1e-6 at dim 512).
 *
 * The search scan is bound by memory bandwidth, not arithmetic, so each
 * path works on four rows at a time (one load of the query feeds four
 * products) and leaves the threading to the caller, which splits rows.
 *
 * This file is separate from the encoder's kernel table (kernels/) on
 * purpose: the table is internal to the encoder and changes with it.  The
 * instruction-set variants here are compiled with GCC's target attribute
 * rather than as separate static libraries with their own flags: that
 * keeps them in one file and one build line, and, since only the
 * functions that carry the attribute use wider instructions and they are
 * reached only through the run-time choice below, no AVX code can leak
 * into baseline callers (there are no inline functions shared with them).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "clip.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CLIP_VECTOR_X86 1
#include <immintrin.h>
#endif

typedef void (*dot_f32_fn) (const float *, size_t, size_t, const float *, int, float *);
typedef void (*dot_i8_fn) (const int8_t *, size_t, size_t, const int8_t *, int, int32_t *);

static dot_f32_fn chosen_f32;
static dot_i8_fn chosen_i8;
static const char *chosen_name = "ref";
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------ reference */

static void
dot_rows_f32_ref (const float *m,
                  size_t       stride,
                  size_t       n_rows,
                  const float *q,
                  int          dim,
                  float       *out)
{
  for (size_t i = 0; i < n_rows; i++)
    {
      const float *x = m + i * stride;
      float s = 0.0f;

      for (int d = 0; d < dim; d++)
        s += x[d] * q[d];
      out[i] = s;
    }
}

static void
dot_rows_i8_ref (const int8_t *m,
                 size_t        stride,
                 size_t        n_rows,
                 const int8_t *q,
                 int           dim,
                 int32_t      *out)
{
  for (size_t i = 0; i < n_rows; i++)
    {
      const int8_t *x = m + i * stride;
      int32_t s = 0;

      for (int d = 0; d < dim; d++)
        s += (int32_t) x[d] * (int32_t) q[d];
      out[i] = s;
    }
}

#ifdef CLIP_VECTOR_X86

/* ------------------------------------------------------------------ AVX2 */

__attribute__ ((target ("avx2,fma"))) static float
hsum256 (__m256 v)
{
  __m128 lo = _mm256_castps256_ps128 (v), hi = _mm256_extractf128_ps (v, 1);
  lo = _mm_add_ps (lo, hi);
  lo = _mm_add_ps (lo, _mm_movehl_ps (lo, lo));
  lo = _mm_add_ss (lo, _mm_movehdup_ps (lo));
  return _mm_cvtss_f32 (lo);
}

__attribute__ ((target ("avx2,fma"))) static int32_t
hsum256i (__m256i v)
{
  __m128i lo = _mm_add_epi32 (_mm256_castsi256_si128 (v), _mm256_extracti128_si256 (v, 1));
  lo = _mm_add_epi32 (lo, _mm_shuffle_epi32 (lo, _MM_SHUFFLE (1, 0, 3, 2)));
  lo = _mm_add_epi32 (lo, _mm_shuffle_epi32 (lo, _MM_SHUFFLE (2, 3, 0, 1)));
  return _mm_cvtsi128_si32 (lo);
}

__attribute__ ((target ("avx2,fma"))) static void
dot_rows_f32_avx2 (const float *m,
                   size_t       stride,
                   size_t       n_rows,
                   const float *q,
                   int          dim,
                   float       *out)
{
  int body = dim & ~7;
  size_t i = 0;

  for (; i + 4 <= n_rows; i += 4)
    {
      const float *x0 = m + i * stride, *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
      __m256 s0 = _mm256_setzero_ps (), s1 = s0, s2 = s0, s3 = s0;
      float t0 = 0, t1 = 0, t2 = 0, t3 = 0;

      for (int d = 0; d < body; d += 8)
        {
          __m256 qv = _mm256_loadu_ps (q + d);
          s0 = _mm256_fmadd_ps (_mm256_loadu_ps (x0 + d), qv, s0);
          s1 = _mm256_fmadd_ps (_mm256_loadu_ps (x1 + d), qv, s1);
          s2 = _mm256_fmadd_ps (_mm256_loadu_ps (x2 + d), qv, s2);
          s3 = _mm256_fmadd_ps (_mm256_loadu_ps (x3 + d), qv, s3);
        }
      for (int d = body; d < dim; d++)
        {
          t0 += x0[d] * q[d];
          t1 += x1[d] * q[d];
          t2 += x2[d] * q[d];
          t3 += x3[d] * q[d];
        }
      out[i] = hsum256 (s0) + t0;
      out[i + 1] = hsum256 (s1) + t1;
      out[i + 2] = hsum256 (s2) + t2;
      out[i + 3] = hsum256 (s3) + t3;
    }
  for (; i < n_rows; i++)
    {
      const float *x = m + i * stride;
      __m256 s = _mm256_setzero_ps ();
      float t = 0;

      for (int d = 0; d < body; d += 8)
        s = _mm256_fmadd_ps (_mm256_loadu_ps (x + d), _mm256_loadu_ps (q + d), s);
      for (int d = body; d < dim; d++)
        t += x[d] * q[d];
      out[i] = hsum256 (s) + t;
    }
}

/* maddubs multiplies unsigned by signed bytes: feed it |x| and q with x's
 * sign.  With both in [-127, 127] a pair sums to at most 32,258, inside
 * the int16 it saturates at. */
__attribute__ ((target ("avx2,fma"))) static void
dot_rows_i8_avx2 (const int8_t *m,
                  size_t        stride,
                  size_t        n_rows,
                  const int8_t *q,
                  int           dim,
                  int32_t      *out)
{
  const __m256i ones = _mm256_set1_epi16 (1);
  int body = dim & ~31;

  for (size_t i = 0; i < n_rows; i++)
    {
      const int8_t *x = m + i * stride;
      __m256i acc = _mm256_setzero_si256 ();
      int32_t t = 0;

      for (int d = 0; d < body; d += 32)
        {
          __m256i xv = _mm256_loadu_si256 ((const __m256i *) (x + d));
          __m256i qv = _mm256_loadu_si256 ((const __m256i *) (q + d));
          __m256i p = _mm256_maddubs_epi16 (_mm256_abs_epi8 (xv), _mm256_sign_epi8 (qv, xv));
          acc = _mm256_add_epi32 (acc, _mm256_madd_epi16 (p, ones));
        }
      for (int d = body; d < dim; d++)
        t += (int32_t) x[d] * (int32_t) q[d];
      out[i] = hsum256i (acc) + t;
    }
}

/* --------------------------------------------------------------- AVX-512 */

#define AVX512_TARGET "avx512f,avx512bw,avx512vl,avx512dq,fma"

/* The sum of the lanes, added in the order of GCC's _mm512_reduce_add_ps
 * (upper half + lower half, then as hsum256), so the results are the same
 * to the bit.  The _mm512_reduce_add_* of GCC 12 (and its
 * _mm512_cast*512_*256) take the halves out with extracts whose
 * pass-through operand is an _mm256_undefined_* () value, which
 * -Wmaybe-uninitialized reports wherever they are inlined at -O2; the
 * zero-masked extracts of AVX512DQ pass zeros through instead, so no
 * warning has to be switched off for the intrinsics headers. */
__attribute__ ((target (AVX512_TARGET))) static inline float
hsum512 (__m512 v)
{
  __m256 lo = _mm512_maskz_extractf32x8_ps (0xff, v, 0);
  __m256 hi = _mm512_maskz_extractf32x8_ps (0xff, v, 1);

  return hsum256 (_mm256_add_ps (hi, lo));
}

__attribute__ ((target (AVX512_TARGET))) static inline int32_t
hsum512i (__m512i v)
{
  __m256i lo = _mm512_maskz_extracti32x8_epi32 (0xff, v, 0);
  __m256i hi = _mm512_maskz_extracti32x8_epi32 (0xff, v, 1);

  return hsum256i (_mm256_add_epi32 (hi, lo));
}

__attribute__ ((target (AVX512_TARGET))) static void
dot_rows_f32_avx512 (const float *m,
                     size_t       stride,
                     size_t       n_rows,
                     const float *q,
                     int          dim,
                     float       *out)
{
  int body = dim & ~15;
  __mmask16 tail = (__mmask16) ((1u << (dim - body)) - 1);
  size_t i = 0;

  for (; i + 4 <= n_rows; i += 4)
    {
      const float *x0 = m + i * stride, *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
      __m512 s0 = _mm512_setzero_ps (), s1 = s0, s2 = s0, s3 = s0;
      int d = 0;

      for (; d < body; d += 16)
        {
          __m512 qv = _mm512_loadu_ps (q + d);
          s0 = _mm512_fmadd_ps (_mm512_loadu_ps (x0 + d), qv, s0);
          s1 = _mm512_fmadd_ps (_mm512_loadu_ps (x1 + d), qv, s1);
          s2 = _mm512_fmadd_ps (_mm512_loadu_ps (x2 + d), qv, s2);
          s3 = _mm512_fmadd_ps (_mm512_loadu_ps (x3 + d), qv, s3);
        }
      if (tail)
        {
          __m512 qv = _mm512_maskz_loadu_ps (tail, q + d);
          s0 = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (tail, x0 + d), qv, s0);
          s1 = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (tail, x1 + d), qv, s1);
          s2 = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (tail, x2 + d), qv, s2);
          s3 = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (tail, x3 + d), qv, s3);
        }
      out[i] = hsum512 (s0);
      out[i + 1] = hsum512 (s1);
      out[i + 2] = hsum512 (s2);
      out[i + 3] = hsum512 (s3);
    }
  for (; i < n_rows; i++)
    {
      const float *x = m + i * stride;
      __m512 s = _mm512_setzero_ps ();
      int d = 0;

      for (; d < body; d += 16)
        s = _mm512_fmadd_ps (_mm512_loadu_ps (x + d), _mm512_loadu_ps (q + d), s);
      if (tail)
        s = _mm512_fmadd_ps (_mm512_maskz_loadu_ps (tail, x + d), _mm512_maskz_loadu_ps (tail, q + d), s);
      out[i] = hsum512 (s);
    }
}

/* VNNI's dpbusd multiplies unsigned by signed bytes and adds groups of four
 * into int32 lanes without saturating.  x + 128 (x XOR 0x80) is x as an
 * unsigned byte; the 128 * sum(q) it adds is taken off at the end. */
__attribute__ ((target (AVX512_TARGET ",avx512vnni"))) static void
dot_rows_i8_vnni (const int8_t *m,
                  size_t        stride,
                  size_t        n_rows,
                  const int8_t *q,
                  int           dim,
                  int32_t      *out)
{
  const __m512i flip = _mm512_set1_epi8 ((char) 0x80);
  int body = dim & ~63;
  int rest = dim - body;
  __mmask64 tail = rest ? (((__mmask64) 1 << rest) - 1) : 0;
  int32_t qsum = 0;
  size_t i = 0;

  for (int d = 0; d < dim; d++)
    qsum += q[d];
  qsum *= 128;

  for (; i + 4 <= n_rows; i += 4)
    {
      const int8_t *x0 = m + i * stride, *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
      __m512i s0 = _mm512_setzero_si512 (), s1 = s0, s2 = s0, s3 = s0;
      int d = 0;

      for (; d < body; d += 64)
        {
          __m512i qv = _mm512_loadu_si512 (q + d);
          s0 = _mm512_dpbusd_epi32 (s0, _mm512_xor_si512 (_mm512_loadu_si512 (x0 + d), flip), qv);
          s1 = _mm512_dpbusd_epi32 (s1, _mm512_xor_si512 (_mm512_loadu_si512 (x1 + d), flip), qv);
          s2 = _mm512_dpbusd_epi32 (s2, _mm512_xor_si512 (_mm512_loadu_si512 (x2 + d), flip), qv);
          s3 = _mm512_dpbusd_epi32 (s3, _mm512_xor_si512 (_mm512_loadu_si512 (x3 + d), flip), qv);
        }
      if (tail)
        {
          /* masked-off bytes are 0 in q, so whatever x holds there adds 0 */
          __m512i qv = _mm512_maskz_loadu_epi8 (tail, q + d);
          s0 = _mm512_dpbusd_epi32 (s0, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (tail, x0 + d), flip), qv);
          s1 = _mm512_dpbusd_epi32 (s1, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (tail, x1 + d), flip), qv);
          s2 = _mm512_dpbusd_epi32 (s2, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (tail, x2 + d), flip), qv);
          s3 = _mm512_dpbusd_epi32 (s3, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (tail, x3 + d), flip), qv);
        }
      out[i] = hsum512i (s0) - qsum;
      out[i + 1] = hsum512i (s1) - qsum;
      out[i + 2] = hsum512i (s2) - qsum;
      out[i + 3] = hsum512i (s3) - qsum;
    }
  for (; i < n_rows; i++)
    {
      const int8_t *x = m + i * stride;
      __m512i s = _mm512_setzero_si512 ();
      int d = 0;

      for (; d < body; d += 64)
        s = _mm512_dpbusd_epi32 (s, _mm512_xor_si512 (_mm512_loadu_si512 (x + d), flip),
                                 _mm512_loadu_si512 (q + d));
      if (tail)
        s = _mm512_dpbusd_epi32 (s, _mm512_xor_si512 (_mm512_maskz_loadu_epi8 (tail, x + d), flip),
                                 _mm512_maskz_loadu_epi8 (tail, q + d));
      out[i] = hsum512i (s) - qsum;
    }
}

#endif /* CLIP_VECTOR_X86 */

/* The best path at most the level CLIP_ISA allows, from the detector the
 * kernel tables use (kernels/cpu.c); avx512bf16 has nothing for vectors
 * beyond avx512vnni. */
static void
choose (void)
{
  chosen_f32 = dot_rows_f32_ref;
  chosen_i8 = dot_rows_i8_ref;
  chosen_name = "ref";
#ifdef CLIP_VECTOR_X86
  unsigned cpu = clip_cpu_features ();
  clip_isa limit = clip_isa_ceiling ();

  /* an Arm ceiling (neon, neondot) leaves an x86 CPU at ref, as it does
   * the kernel tables: the levels are numbered after the x86 ones */
  if (limit == CLIP_ISA_NEON || limit == CLIP_ISA_NEONDOT)
    limit = CLIP_ISA_REF;
  if (limit >= CLIP_ISA_AVX2 && clip_isa_supported (cpu, CLIP_ISA_AVX2))
    {
      chosen_f32 = dot_rows_f32_avx2;
      chosen_i8 = dot_rows_i8_avx2;
      chosen_name = "avx2";
    }
  if (limit >= CLIP_ISA_AVX512 && clip_isa_supported (cpu, CLIP_ISA_AVX512))
    {
      chosen_f32 = dot_rows_f32_avx512;
      chosen_name = "avx512";
    }
  if (limit >= CLIP_ISA_AVX512VNNI && clip_isa_supported (cpu, CLIP_ISA_AVX512VNNI))
    {
      chosen_i8 = dot_rows_i8_vnni;
      chosen_name = "avx512vnni";
    }
#endif
}

const char *
clip_vec_isa_name (void)
{
  pthread_once (&once, choose);
  return chosen_name;
}

void
clip_vec_dot_rows_f32 (const float *matrix,
                       size_t       stride,
                       size_t       n_rows,
                       const float *query,
                       int          dim,
                       float       *scores)
{
  if (n_rows == 0 || dim <= 0)
    {
      for (size_t i = 0; i < n_rows; i++)
        scores[i] = 0.0f;
      return;
    }
  pthread_once (&once, choose);
  chosen_f32 (matrix, stride, n_rows, query, dim, scores);
}

void
clip_vec_dot_rows_i8 (const int8_t *matrix,
                      size_t        stride,
                      size_t        n_rows,
                      const int8_t *query,
                      int           dim,
                      int32_t      *dots)
{
  if (n_rows == 0 || dim <= 0)
    {
      for (size_t i = 0; i < n_rows; i++)
        dots[i] = 0;
      return;
    }
  pthread_once (&once, choose);
  chosen_i8 (matrix, stride, n_rows, query, dim, dots);
}

void
clip_vec_quantize_i8 (const float *v,
                      int          dim,
                      int8_t      *out,
                      float       *scale,
                      float       *error)
{
  float max = 0.0f;
  double err = 0.0;

  for (int d = 0; d < dim; d++)
    max = fmaxf (max, fabsf (v[d]));
  if (!(max > 0.0f) || !isfinite (max))
    {
      /* zero (or broken) vectors score 0 against everything */
      memset (out, 0, (size_t) (dim > 0 ? dim : 0));
      *scale = 0.0f;
      if (error != NULL)
        {
          for (int d = 0; d < dim; d++)
            err += isfinite (v[d]) ? (double) v[d] * v[d] : 0.0;
          *error = (float) sqrt (err);
        }
      return;
    }
  *scale = max / 127.0f;
  for (int d = 0; d < dim; d++)
    {
      long r = lrintf (v[d] / *scale);
      r = r > 127 ? 127 : r < -127 ? -127 : r;
      out[d] = (int8_t) r;
      double e = (double) v[d] - (double) *scale * (double) r;
      err += e * e;
    }
  if (error != NULL)
    *error = (float) sqrt (err);
}

void
clip_vec_dot_matrix_f32 (const float *a,
                         size_t       n_a,
                         const float *b,
                         size_t       n_b,
                         int          dim,
                         float       *out)
{
  if (n_a == 0 || n_b == 0)
    return;
  if (dim <= 0)
    {
      memset (out, 0, n_a * n_b * sizeof (float));
      return;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n_a, (int) n_b, dim,
               1.0f, a, dim, b, dim, 0.0f, out, (int) n_b);
}
