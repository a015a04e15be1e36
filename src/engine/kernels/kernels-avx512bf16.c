/* kernels-avx512bf16.c - the avx512vnni table plus a bfloat16 GEMM on
 * AVX512_BF16.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: BF16 panels (pairs of k per column, kernels.h) times bfloat16
 * activations; VDPBF16PS adds two exact bf16 x bf16 products to a float32
 * lane.  Tolerance against _ref: float32 sums where the reference sums in
 * double (tests: 1e-5 of the sum of |terms|).  Built with the avx512vnni
 * flags plus -mavx512bf16.
 */
#include <string.h>

#include <immintrin.h>

#include "kernels.h"

#define VEC_LANES 16
#include "kernels-vmath.inc"

#define MR 12
#define MC CLIP_GEMM_MC
#define KC CLIP_GEMM_KC
#define NCP CLIP_GEMM_NCP

static clip_kernels table;
static const clip_kernels *base_table;
static void (*act_gelu) (float *x, size_t n);

static inline __attribute__ ((always_inline)) void
tile_bf16 (const int             mr,
           const clip_gemm_args *g,
           size_t                i0,
           size_t                p,
           size_t                k0,
           size_t                kc,
           int                   first,
           int                   last)
{
  const clip_packed *w = g->w;
  const uint16_t *a = (const uint16_t *) g->a + i0 * g->lda + k0;
  const uint16_t *b = (const uint16_t *) w->data + (p * w->kp + k0) * CLIP_PANEL;
  float *c = g->c + i0 * g->ldc + p * CLIP_PANEL;
  size_t cols = w->n - p * CLIP_PANEL < CLIP_PANEL ? w->n - p * CLIP_PANEL : CLIP_PANEL;
  const __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16) ((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32 ? 0xffff : cols <= 16 ? 0 : (__mmask16) ((1u << (cols - 16)) - 1);
  int from_c = !first || g->epilogue == CLIP_EPI_ADD;
  __m512 acc[MR][2];

#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    {
      __m512 x0 = _mm512_setzero_ps (), x1 = _mm512_setzero_ps ();
      if (from_c)
        {
          x0 = _mm512_maskz_loadu_ps (m0, c + r * g->ldc);
          x1 = _mm512_maskz_loadu_ps (m1, c + r * g->ldc + 16);
        }
      if (first && w->bias != NULL)
        {
          x0 = _mm512_add_ps (x0, _mm512_load_ps (w->bias + p * CLIP_PANEL));
          x1 = _mm512_add_ps (x1, _mm512_load_ps (w->bias + p * CLIP_PANEL + 16));
        }
      acc[r][0] = x0;
      acc[r][1] = x1;
    }
  for (size_t k = 0; k < kc; k += 2)
    {
      __m512bh b0 = (__m512bh) _mm512_load_si512 (b + k * CLIP_PANEL);
      __m512bh b1 = (__m512bh) _mm512_load_si512 (b + k * CLIP_PANEL + 32);
#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        {
          int32_t pair;
          memcpy (&pair, a + r * g->lda + k, sizeof pair);
          __m512bh av = (__m512bh) _mm512_set1_epi32 (pair);
          acc[r][0] = _mm512_dpbf16_ps (acc[r][0], av, b0);
          acc[r][1] = _mm512_dpbf16_ps (acc[r][1], av, b1);
        }
    }
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    {
      float *cr = c + r * g->ldc;
      if (last && g->epilogue == CLIP_EPI_QUICK_GELU)
        {
          acc[r][0] = vquick_gelu (acc[r][0]);
          acc[r][1] = vquick_gelu (acc[r][1]);
        }
      _mm512_mask_storeu_ps (cr, m0, acc[r][0]);
      _mm512_mask_storeu_ps (cr + 16, m1, acc[r][1]);
      if (last && g->epilogue == CLIP_EPI_GELU)
        act_gelu (cr, cols);
    }
}

/* MR2 rows x two adjacent panels: per pair of k, four weight vectors and
 * MR2 broadcasts feed 24 VDPBF16PS. */
#define MR2 6

static inline __attribute__ ((always_inline)) void
tile2_bf16 (const int             mr,
            const clip_gemm_args *g,
            size_t                i0,
            size_t                p,
            size_t                k0,
            size_t                kc,
            int                   first,
            int                   last)
{
  const clip_packed *w = g->w;
  const uint16_t *a = (const uint16_t *) g->a + i0 * g->lda + k0;
  const uint16_t *b = (const uint16_t *) w->data + (p * w->kp + k0) * CLIP_PANEL;
  const uint16_t *bb = b + w->kp * CLIP_PANEL;
  float *c = g->c + i0 * g->ldc + p * CLIP_PANEL;
  int from_c = !first || g->epilogue == CLIP_EPI_ADD;
  __m512 acc[MR2][4];

#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    for (int v = 0; v < 4; v++)
      {
        __m512 x = from_c ? _mm512_loadu_ps (c + r * g->ldc + v * 16) : _mm512_setzero_ps ();
        if (first && w->bias != NULL)
          x = _mm512_add_ps (x, _mm512_load_ps (w->bias + p * CLIP_PANEL + v * 16));
        acc[r][v] = x;
      }
  for (size_t k = 0; k < kc; k += 2)
    {
      __m512bh b0 = (__m512bh) _mm512_load_si512 (b + k * CLIP_PANEL);
      __m512bh b1 = (__m512bh) _mm512_load_si512 (b + k * CLIP_PANEL + 32);
      __m512bh b2 = (__m512bh) _mm512_load_si512 (bb + k * CLIP_PANEL);
      __m512bh b3 = (__m512bh) _mm512_load_si512 (bb + k * CLIP_PANEL + 32);
#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        {
          int32_t pair;
          memcpy (&pair, a + r * g->lda + k, sizeof pair);
          __m512bh av = (__m512bh) _mm512_set1_epi32 (pair);
          acc[r][0] = _mm512_dpbf16_ps (acc[r][0], av, b0);
          acc[r][1] = _mm512_dpbf16_ps (acc[r][1], av, b1);
          acc[r][2] = _mm512_dpbf16_ps (acc[r][2], av, b2);
          acc[r][3] = _mm512_dpbf16_ps (acc[r][3], av, b3);
        }
    }
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    {
      float *cr = c + r * g->ldc;
      for (int v = 0; v < 4; v++)
        {
          if (last && g->epilogue == CLIP_EPI_QUICK_GELU)
            acc[r][v] = vquick_gelu (acc[r][v]);
          _mm512_storeu_ps (cr + v * 16, acc[r][v]);
        }
      if (last && g->epilogue == CLIP_EPI_GELU)
        act_gelu (cr, 2 * CLIP_PANEL);
    }
}

static void
tile2_bf16_any (int                   mr,
                const clip_gemm_args *g,
                size_t                i0,
                size_t                p,
                size_t                k0,
                size_t                kc,
                int                   first,
                int                   last)
{
  switch (mr)
    {
    case 6: tile2_bf16 (6, g, i0, p, k0, kc, first, last); break;
    case 5: tile2_bf16 (5, g, i0, p, k0, kc, first, last); break;
    case 4: tile2_bf16 (4, g, i0, p, k0, kc, first, last); break;
    case 3: tile2_bf16 (3, g, i0, p, k0, kc, first, last); break;
    case 2: tile2_bf16 (2, g, i0, p, k0, kc, first, last); break;
    case 1: tile2_bf16 (1, g, i0, p, k0, kc, first, last); break;
    default: break;
    }
}

static void
tile_bf16_any (int                   mr,
               const clip_gemm_args *g,
               size_t                i0,
               size_t                p,
               size_t                k0,
               size_t                kc,
               int                   first,
               int                   last)
{
  switch (mr)
    {
    case 12: tile_bf16 (12, g, i0, p, k0, kc, first, last); break;
    case 11: tile_bf16 (11, g, i0, p, k0, kc, first, last); break;
    case 10: tile_bf16 (10, g, i0, p, k0, kc, first, last); break;
    case 9: tile_bf16 (9, g, i0, p, k0, kc, first, last); break;
    case 8: tile_bf16 (8, g, i0, p, k0, kc, first, last); break;
    case 7: tile_bf16 (7, g, i0, p, k0, kc, first, last); break;
    case 6: tile_bf16 (6, g, i0, p, k0, kc, first, last); break;
    case 5: tile_bf16 (5, g, i0, p, k0, kc, first, last); break;
    case 4: tile_bf16 (4, g, i0, p, k0, kc, first, last); break;
    case 3: tile_bf16 (3, g, i0, p, k0, kc, first, last); break;
    case 2: tile_bf16 (2, g, i0, p, k0, kc, first, last); break;
    case 1: tile_bf16 (1, g, i0, p, k0, kc, first, last); break;
    default: break;
    }
}

static void
gemm_bf16_avx512 (const clip_gemm_args *g,
                  size_t                p0,
                  size_t                p1)
{
  size_t kp = g->w->kp, m = g->m, whole = g->w->n / CLIP_PANEL;

  /* panels NCP at a time, k in blocks of KC, rows in blocks of MC */
  for (size_t q0 = p0; q0 < p1; q0 += NCP)
    {
      size_t q1 = p1 - q0 < NCP ? p1 : q0 + NCP;
      for (size_t k0 = 0; k0 < kp; k0 += KC)
        {
          size_t kc = kp - k0 < KC ? kp - k0 : KC;
          for (size_t m0 = 0; m0 < m; m0 += MC)
            {
              size_t m1 = m - m0 < MC ? m : m0 + MC, p = q0;
              for (; p + 1 < q1 && p + 1 < whole; p += 2)
                for (size_t i = m0; i < m1; i += MR2)
                  tile2_bf16_any (m1 - i < MR2 ? (int) (m1 - i) : MR2, g, i, p, k0, kc,
                                  k0 == 0, k0 + kc == kp);
              for (; p < q1; p++)
                for (size_t i = m0; i < m1; i += MR)
                  tile_bf16_any (m1 - i < MR ? (int) (m1 - i) : MR, g, i, p, k0, kc,
                                 k0 == 0, k0 + kc == kp);
            }
        }
    }
}

static double
peak_loop_bf16 (clip_weights_format format,
                long                iters)
{
  __m512 acc[24];
  __m512bh x = (__m512bh) _mm512_set1_epi16 (0x3f80), y = x; /* 1.0 */
  volatile float sink;
  float lanes[16];

  if (format != CLIP_WEIGHTS_BF16)
    return base_table->peak_loop (format, iters);
  for (int i = 0; i < 24; i++)
    acc[i] = _mm512_set1_ps ((float) i);
  for (long it = 0; it < iters; it++)
    {
#pragma GCC unroll 24
      for (int i = 0; i < 24; i++)
        acc[i] = _mm512_dpbf16_ps (acc[i], x, y);
    }
  for (int i = 1; i < 24; i++)
    acc[0] = _mm512_add_ps (acc[0], acc[i]);
  _mm512_storeu_ps (lanes, acc[0]);
  sink = lanes[0];
  (void) sink;
  /* 16 lanes x 2 multiply-adds */
  return 2.0 * 24 * 32 * (double) iters;
}

/* Called once, from cpu.c's detection, after clip_kernels_avx512vnni. */
const clip_kernels *
clip_kernels_avx512bf16 (void)
{
  const clip_kernels *base = clip_kernels_avx512vnni ();

  base_table = base;
  table = *base;
  table.name = "avx512bf16";
  table.gemm[CLIP_WEIGHTS_BF16] = gemm_bf16_avx512;
  table.fast[CLIP_WEIGHTS_BF16] = 1;
  table.peak_loop = peak_loop_bf16;
  act_gelu = base->gelu_f32;
  return &table;
}
