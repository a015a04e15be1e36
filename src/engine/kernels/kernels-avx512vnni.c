/* kernels-avx512vnni.c - the avx512 table plus an int8 GEMM on AVX512-VNNI.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: I8 panels (groups of 4 k per column, kernels.h) times uint8
 * activations with a scale and zero point per row; VPDPBUSD sums four
 * u8 x s8 products into int32 lanes.  Tolerance against _ref: the int32
 * sums are exact, only the float32 scaling rounds (tests: 1e-6 relative).
 * Built with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni.
 */
#include <string.h>

#include <immintrin.h>

#include "kernels.h"

#define VEC_LANES 16
#include "kernels-vmath.inc"

#define MR 12
#define MC CLIP_GEMM_MC
#ifndef GROUP_BYTES
#define GROUP_BYTES (256 * 1024)
#endif

static clip_kernels table;
static const clip_kernels *base_table;
static void (*act_gelu) (float *x, size_t n);
static void (*row_add) (float *y, const float *x, size_t n);

/* acc += four u8 x s8 products per lane.  Through asm: GCC 12 copies the
 * accumulator around the intrinsic (a register move per instruction). */
static inline __attribute__ ((always_inline)) __m512i
dpbusd (__m512i acc,
        __m512i u8,
        __m512i s8)
{
  __asm__ ("vpdpbusd %2, %1, %0" : "+v" (acc) : "v" (u8), "v" (s8));
  return acc;
}

/* Converts a tile row's int32 sums to floats and stores them as the
 * epilogue says. */
static inline __attribute__ ((always_inline)) void
finish_row (const clip_gemm_args *g,
            size_t                i,
            size_t                p,
            size_t                cols,
            __m512i               s0,
            __m512i               s1)
{
  const clip_packed *w = g->w;
  const size_t col = p * CLIP_PANEL;
  __m512i zero = _mm512_set1_epi32 (g->a_zero[i]);
  __m512 as = _mm512_set1_ps (g->a_scale[i]);
  __m512 f0, f1;
  float out[CLIP_PANEL], *c = g->c + i * g->ldc + col;

  s0 = _mm512_sub_epi32 (s0, _mm512_mullo_epi32 (zero, _mm512_load_si512 (w->colsum + col)));
  s1 = _mm512_sub_epi32 (s1, _mm512_mullo_epi32 (zero, _mm512_load_si512 (w->colsum + col + 16)));
  f0 = _mm512_mul_ps (_mm512_load_ps (w->scale + col), as);
  f1 = _mm512_mul_ps (_mm512_load_ps (w->scale + col + 16), as);
  if (w->bias != NULL)
    {
      f0 = _mm512_fmadd_ps (_mm512_maskz_cvtepi32_ps (0xffff, s0), f0, _mm512_load_ps (w->bias + col));
      f1 = _mm512_fmadd_ps (_mm512_maskz_cvtepi32_ps (0xffff, s1), f1, _mm512_load_ps (w->bias + col + 16));
    }
  else
    {
      f0 = _mm512_mul_ps (_mm512_maskz_cvtepi32_ps (0xffff, s0), f0);
      f1 = _mm512_mul_ps (_mm512_maskz_cvtepi32_ps (0xffff, s1), f1);
    }

  if (g->epilogue == CLIP_EPI_ADD)
    {
      if (cols == CLIP_PANEL)
        {
          _mm512_storeu_ps (c, _mm512_add_ps (_mm512_loadu_ps (c), f0));
          _mm512_storeu_ps (c + 16, _mm512_add_ps (_mm512_loadu_ps (c + 16), f1));
        }
      else
        {
          _mm512_storeu_ps (out, f0);
          _mm512_storeu_ps (out + 16, f1);
          row_add (c, out, cols);
        }
      return;
    }
  if (g->epilogue == CLIP_EPI_QUICK_GELU)
    {
      f0 = vquick_gelu (f0);
      f1 = vquick_gelu (f1);
    }
  if (cols == CLIP_PANEL)
    {
      _mm512_storeu_ps (c, f0);
      _mm512_storeu_ps (c + 16, f1);
    }
  else
    {
      _mm512_storeu_ps (out, f0);
      _mm512_storeu_ps (out + 16, f1);
      memcpy (c, out, cols * sizeof (float));
    }
  if (g->epilogue == CLIP_EPI_GELU)
    act_gelu (c, cols);
}

/* MR rows x 32 columns over the whole k range. */
static inline __attribute__ ((always_inline)) void
tile_i8 (const int             mr,
         const clip_gemm_args *g,
         size_t                i0,
         size_t                p)
{
  const clip_packed *w = g->w;
  const uint8_t *a = (const uint8_t *) g->a + i0 * g->lda;
  const int8_t *b = (const int8_t *) w->data + p * w->kp * CLIP_PANEL;
  size_t cols = w->n - p * CLIP_PANEL < CLIP_PANEL ? w->n - p * CLIP_PANEL : CLIP_PANEL;
  __m512i acc[MR][2];

#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    acc[r][0] = acc[r][1] = _mm512_setzero_si512 ();
  for (size_t k = 0; k < w->kp; k += 4)
    {
      __m512i b0 = _mm512_load_si512 (b + k * CLIP_PANEL);
      __m512i b1 = _mm512_load_si512 (b + k * CLIP_PANEL + 64);
#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        {
          int32_t quad;
          memcpy (&quad, a + r * g->lda + k, sizeof quad);
          __m512i av = _mm512_set1_epi32 (quad);
          acc[r][0] = dpbusd (acc[r][0], av, b0);
          acc[r][1] = dpbusd (acc[r][1], av, b1);
        }
    }
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    finish_row (g, i0 + r, p, cols, acc[r][0], acc[r][1]);
}

/* MR2 rows x two adjacent panels: per group of four k, four weight
 * vectors and MR2 broadcasts feed 24 VPDPBUSD (the one-panel tile needs
 * 14 loads for 24). */
#define MR2 6

static inline __attribute__ ((always_inline)) void
tile2_i8 (const int             mr,
          const clip_gemm_args *g,
          size_t                i0,
          size_t                p)
{
  const clip_packed *w = g->w;
  const uint8_t *a = (const uint8_t *) g->a + i0 * g->lda;
  const int8_t *b = (const int8_t *) w->data + p * w->kp * CLIP_PANEL;
  const int8_t *bb = b + w->kp * CLIP_PANEL;
  __m512i acc[MR2][4];

#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    acc[r][0] = acc[r][1] = acc[r][2] = acc[r][3] = _mm512_setzero_si512 ();
  for (size_t k = 0; k < w->kp; k += 4)
    {
      __m512i b0 = _mm512_load_si512 (b + k * CLIP_PANEL);
      __m512i b1 = _mm512_load_si512 (b + k * CLIP_PANEL + 64);
      __m512i b2 = _mm512_load_si512 (bb + k * CLIP_PANEL);
      __m512i b3 = _mm512_load_si512 (bb + k * CLIP_PANEL + 64);
#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        {
          int32_t quad;
          memcpy (&quad, a + r * g->lda + k, sizeof quad);
          __m512i av = _mm512_set1_epi32 (quad);
          acc[r][0] = dpbusd (acc[r][0], av, b0);
          acc[r][1] = dpbusd (acc[r][1], av, b1);
          acc[r][2] = dpbusd (acc[r][2], av, b2);
          acc[r][3] = dpbusd (acc[r][3], av, b3);
        }
    }
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    {
      finish_row (g, i0 + r, p, CLIP_PANEL, acc[r][0], acc[r][1]);
      finish_row (g, i0 + r, p + 1, CLIP_PANEL, acc[r][2], acc[r][3]);
    }
}

static void
tile2_i8_any (int                   mr,
              const clip_gemm_args *g,
              size_t                i0,
              size_t                p)
{
  switch (mr)
    {
    case 6: tile2_i8 (6, g, i0, p); break;
    case 5: tile2_i8 (5, g, i0, p); break;
    case 4: tile2_i8 (4, g, i0, p); break;
    case 3: tile2_i8 (3, g, i0, p); break;
    case 2: tile2_i8 (2, g, i0, p); break;
    case 1: tile2_i8 (1, g, i0, p); break;
    default: break;
    }
}

static void
tile_i8_any (int                   mr,
             const clip_gemm_args *g,
             size_t                i0,
             size_t                p)
{
  switch (mr)
    {
    case 12: tile_i8 (12, g, i0, p); break;
    case 11: tile_i8 (11, g, i0, p); break;
    case 10: tile_i8 (10, g, i0, p); break;
    case 9: tile_i8 (9, g, i0, p); break;
    case 8: tile_i8 (8, g, i0, p); break;
    case 7: tile_i8 (7, g, i0, p); break;
    case 6: tile_i8 (6, g, i0, p); break;
    case 5: tile_i8 (5, g, i0, p); break;
    case 4: tile_i8 (4, g, i0, p); break;
    case 3: tile_i8 (3, g, i0, p); break;
    case 2: tile_i8 (2, g, i0, p); break;
    case 1: tile_i8 (1, g, i0, p); break;
    default: break;
    }
}

/* Panels a group at a time, their weights (about 256 KB) staying in L2
 * while every row block goes past; rows MC at a time. */
static void
gemm_i8_vnni (const clip_gemm_args *g,
              size_t                p0,
              size_t                p1)
{
  size_t group = GROUP_BYTES / (g->w->kp * CLIP_PANEL), whole = g->w->n / CLIP_PANEL;

  if (group < 2)
    group = 2;

  for (size_t q0 = p0; q0 < p1; q0 += group)
    {
      size_t q1 = p1 - q0 < group ? p1 : q0 + group;
      for (size_t m0 = 0; m0 < g->m; m0 += MC)
        {
          size_t m1 = g->m - m0 < MC ? g->m : m0 + MC, p = q0;
          for (; p + 1 < q1 && p + 1 < whole; p += 2)
            for (size_t i = m0; i < m1; i += MR2)
              tile2_i8_any (m1 - i < MR2 ? (int) (m1 - i) : MR2, g, i, p);
          for (; p < q1; p++)
            for (size_t i = m0; i < m1; i += MR)
              tile_i8_any (m1 - i < MR ? (int) (m1 - i) : MR, g, i, p);
        }
    }
}

static double
peak_loop_vnni (clip_weights_format format,
                long                iters)
{
  __m512i acc[24], x = _mm512_set1_epi8 (1), y = _mm512_set1_epi8 (2);
  volatile int sink;
  int32_t lanes[16];

  if (format != CLIP_WEIGHTS_I8)
    return base_table->peak_loop (format, iters);
  for (int i = 0; i < 24; i++)
    acc[i] = _mm512_set1_epi32 (i);
  for (long it = 0; it < iters; it++)
    {
#pragma GCC unroll 24
      for (int i = 0; i < 24; i++)
        acc[i] = dpbusd (acc[i], x, y);
    }
  for (int i = 1; i < 24; i++)
    acc[0] = _mm512_add_epi32 (acc[0], acc[i]);
  /* (not _mm512_reduce_add_epi32: GCC 12 warns inside it) */
  _mm512_storeu_si512 (lanes, acc[0]);
  sink = lanes[0];
  (void) sink;
  /* 16 lanes x 4 multiply-adds */
  return 2.0 * 24 * 64 * (double) iters;
}

/* Called once, from cpu.c's detection. */
const clip_kernels *
clip_kernels_avx512vnni (void)
{
  const clip_kernels *base = clip_kernels_avx512 ();

  if (base_table != NULL)
    return &table;
  base_table = base;
  table = *base;
  table.name = "avx512vnni";
  table.gemm[CLIP_WEIGHTS_I8] = gemm_i8_vnni;
  table.fast[CLIP_WEIGHTS_I8] = 1;
  table.peak_loop = peak_loop_vnni;
  act_gelu = base->gelu_f32;
  row_add = base->add_f32;
  return &table;
}
