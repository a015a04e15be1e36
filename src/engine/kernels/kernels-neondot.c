/* kernels-neondot.c - the neon table plus an int8 GEMM on the Armv8.2
 * dot-product extension (SDOT).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: I8 panels (groups of 4 k per column, kernels.h) times uint8
 * activations with a scale and zero point per row.  The extension has
 * SDOT (s8 x s8) and UDOT (u8 x u8) but no mixed u8 x s8 product, so the
 * activations are shifted to int8 (a - 128, one EOR of the top bit) and
 * the shift is given back with the column sums, exactly:
 *   sum_k q (a - zero) = sum_k q (a - 128) + (128 - zero) colsum.
 * One SDOT (by element) sums four products into each of four int32 lanes:
 * one 16-byte weight vector is 4 columns x 4 k, and one activation vector
 * holds 16 k of a row, so a row's vector serves four groups of k.
 * Tolerance against _ref: the int32 sums are exact (|sum| < 2^31 for any
 * k the models have: 255 x 127 x k), only the float32 scaling rounds
 * (tests: 1e-6 relative).  Built with -march=armv8.2-a+dotprod; cpu.c
 * picks it only where HWCAP_ASIMDDP says the CPU has SDOT.
 */
#include <string.h>

#include <arm_neon.h>

#include "kernels.h"

#define VEC_LANES 4
#include "kernels-vmath.inc"

/* 3 rows x 8 int32x4 accumulators (32 columns) = 24 of the 32 vector
 * registers, plus 3 activation vectors and the weight vector in flight. */
#define MR 3
#define MC CLIP_GEMM_MC
#ifndef GROUP_BYTES
#define GROUP_BYTES (256 * 1024)
#endif

static clip_kernels table;
static const clip_kernels *base_table;
static void (*act_gelu) (float *x, size_t n);
static void (*row_add) (float *y, const float *x, size_t n);

#define ALWAYS_INLINE static inline __attribute__ ((always_inline))

/* Converts a tile row's int32 sums (shifted activations) to floats and
 * stores them as the epilogue says. */
ALWAYS_INLINE void
finish_row (const clip_gemm_args *g,
            size_t                i,
            size_t                p,
            size_t                cols,
            const int32x4_t       s[8])
{
  const clip_packed *w = g->w;
  const size_t col = p * CLIP_PANEL;
  const int32x4_t back = vdupq_n_s32 (128 - g->a_zero[i]);
  const float32x4_t as = vdupq_n_f32 (g->a_scale[i]);
  float out[CLIP_PANEL], *c = g->c + i * g->ldc + col;

  for (int v = 0; v < 8; v++)
    {
      int32x4_t sum = vmlaq_s32 (s[v], back, vld1q_s32 (w->colsum + col + v * 4));
      float32x4_t f = vmulq_f32 (vcvtq_f32_s32 (sum),
                                 vmulq_f32 (vld1q_f32 (w->scale + col + v * 4), as));
      if (w->bias != NULL)
        f = vaddq_f32 (f, vld1q_f32 (w->bias + col + v * 4));
      if (g->epilogue == CLIP_EPI_QUICK_GELU)
        f = vquick_gelu (f);
      vst1q_f32 (out + v * 4, f);
    }
  if (g->epilogue == CLIP_EPI_ADD)
    row_add (c, out, cols);
  else
    {
      memcpy (c, out, cols * sizeof (float));
      if (g->epilogue == CLIP_EPI_GELU)
        act_gelu (c, cols);
    }
}

/* Four bytes of activations (one group of k) in every lane, shifted. */
ALWAYS_INLINE int8x16_t
load_quad (const uint8_t *a)
{
  uint32_t quad;

  memcpy (&quad, a, sizeof quad);
  return vreinterpretq_s8_u8 (veorq_u8 (vreinterpretq_u8_u32 (vdupq_n_u32 (quad)), vdupq_n_u8 (0x80)));
}

/* MR rows x 32 columns over the whole k range: 16 k a step (four groups,
 * one activation vector a row), then the remaining groups one at a time. */
ALWAYS_INLINE void
tile_i8 (const int             mr,
         const clip_gemm_args *g,
         size_t                i0,
         size_t                p)
{
  const clip_packed *w = g->w;
  const uint8_t *a = (const uint8_t *) g->a + i0 * g->lda;
  const int8_t *b = (const int8_t *) w->data + p * w->kp * CLIP_PANEL;
  size_t cols = w->n - p * CLIP_PANEL < CLIP_PANEL ? w->n - p * CLIP_PANEL : CLIP_PANEL;
  const uint8x16_t top = vdupq_n_u8 (0x80);
  int32x4_t acc[MR][8];
  size_t k = 0;

#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    for (int v = 0; v < 8; v++)
      acc[r][v] = vdupq_n_s32 (0);
  for (; k + 16 <= w->kp; k += 16)
    {
      int8x16_t av[MR];

#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        av[r] = vreinterpretq_s8_u8 (veorq_u8 (vld1q_u8 (a + r * g->lda + k), top));
#define GROUP(l)                                                               \
      _Pragma ("GCC unroll 8")                                                 \
      for (int v = 0; v < 8; v++)                                              \
        {                                                                      \
          int8x16_t bv = vld1q_s8 (b + (k + 4 * (l)) * CLIP_PANEL + v * 16);   \
          _Pragma ("GCC unroll 16")                                            \
          for (int r = 0; r < mr; r++)                                         \
            acc[r][v] = vdotq_laneq_s32 (acc[r][v], bv, av[r], (l));           \
        }
      GROUP (0)
      GROUP (1)
      GROUP (2)
      GROUP (3)
#undef GROUP
    }
  for (; k < w->kp; k += 4)
    {
      int8x16_t aq[MR];

#pragma GCC unroll 16
      for (int r = 0; r < mr; r++)
        aq[r] = load_quad (a + r * g->lda + k);
#pragma GCC unroll 8
      for (int v = 0; v < 8; v++)
        {
          int8x16_t bv = vld1q_s8 (b + k * CLIP_PANEL + v * 16);
#pragma GCC unroll 16
          for (int r = 0; r < mr; r++)
            acc[r][v] = vdotq_s32 (acc[r][v], bv, aq[r]);
        }
    }
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++)
    finish_row (g, i0 + r, p, cols, acc[r]);
}

static void
tile_i8_any (int                   mr,
             const clip_gemm_args *g,
             size_t                i0,
             size_t                p)
{
  switch (mr)
    {
    case 3: tile_i8 (3, g, i0, p); break;
    case 2: tile_i8 (2, g, i0, p); break;
    case 1: tile_i8 (1, g, i0, p); break;
    default: break;
    }
}

/* Panels a group at a time, their weights (about 256 KB) staying in L2
 * while every row block goes past; rows MC at a time. */
static void
gemm_i8_dot (const clip_gemm_args *g,
             size_t                p0,
             size_t                p1)
{
  size_t group = GROUP_BYTES / (g->w->kp * CLIP_PANEL);

  if (group < 1)
    group = 1;
  for (size_t q0 = p0; q0 < p1; q0 += group)
    {
      size_t q1 = p1 - q0 < group ? p1 : q0 + group;
      for (size_t m0 = 0; m0 < g->m; m0 += MC)
        {
          size_t m1 = g->m - m0 < MC ? g->m : m0 + MC;
          for (size_t p = q0; p < q1; p++)
            for (size_t i = m0; i < m1; i += MR)
              tile_i8_any (m1 - i < MR ? (int) (m1 - i) : MR, g, i, p);
        }
    }
}

/* 24 independent SDOT chains (as many as the tile keeps). */
static double
peak_loop_dot (clip_weights_format format,
               long                iters)
{
  int32x4_t acc[24];
  int8x16_t x = vdupq_n_s8 (1), y = vdupq_n_s8 (2);
  volatile int sink;

  if (format != CLIP_WEIGHTS_I8)
    return base_table->peak_loop (format, iters);
  for (int i = 0; i < 24; i++)
    acc[i] = vdupq_n_s32 (i);
  for (long it = 0; it < iters; it++)
    {
#pragma GCC unroll 24
      for (int i = 0; i < 24; i++)
        acc[i] = vdotq_s32 (acc[i], x, y);
    }
  for (int i = 1; i < 24; i++)
    acc[0] = vaddq_s32 (acc[0], acc[i]);
  sink = vaddvq_s32 (acc[0]);
  (void) sink;
  /* 4 lanes x 4 multiply-adds */
  return 2.0 * 24 * 16 * (double) iters;
}

/* Called once, from cpu.c's detection. */
const clip_kernels *
clip_kernels_neondot (void)
{
  const clip_kernels *base = clip_kernels_neon ();

  if (base_table != NULL)
    return &table;
  base_table = base;
  table = *base;
  table.name = "neondot";
  table.gemm[CLIP_WEIGHTS_I8] = gemm_i8_dot;
  table.fast[CLIP_WEIGHTS_I8] = 1;
  table.peak_loop = peak_loop_dot;
  act_gelu = base->gelu_f32;
  row_add = base->add_f32;
  return &table;
}
