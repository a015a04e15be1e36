/* kernels-avxvnni.c - the avx2 table plus an int8 GEMM on AVX-VNNI.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AVX-VNNI is the VEX encoding of VPDPBUSD on ymm (Alder Lake and later,
 * Zen 5), without AVX-512: four u8 x s8 products summed into each int32
 * lane.  Layout: the shared I8 panels of kernels.h; the GEMM is the one
 * of kernels-i8-ymm.inc.  Tolerance against _ref: the int32 sums are
 * exact, only the float32 scaling rounds.  Everything else is the avx2
 * table's.  Built with -mavx2 -mfma -mf16c -mavxvnni.
 */
#include <string.h>

#include <immintrin.h>

#include "kernels.h"

#define VEC_LANES 8
#include "kernels-vmath.inc"

static clip_kernels table;
static const clip_kernels *base_table;
static void (*act_gelu) (float *x, size_t n);
static void (*row_add) (float *y, const float *x, size_t n);

#define I8_VNNI 1
#define I8_GELU act_gelu
#define I8_ADD row_add
#define I8_BASE_PEAK base_table->peak_loop
#include "kernels-i8-ymm.inc"

/* Called once, from cpu.c's detection. */
const clip_kernels *
clip_kernels_avxvnni (void)
{
  const clip_kernels *base = clip_kernels_avx2 ();

  if (base_table != NULL)
    return &table;
  base_table = base;
  table = *base;
  table.name = "avxvnni";
  /* VPDPBUSD is exact for any uint8: the full range, not the avx2
   * table's 0..127 */
  table.quantize_u8 = clip_quantize_u8_avx2_full;
  table.u8_max = 255;
  table.gemm[CLIP_WEIGHTS_I8] = i8_gemm;
  table.fast[CLIP_WEIGHTS_I8] = 1;
  table.peak_loop = i8_peak_loop;
  act_gelu = base->gelu_f32;
  row_add = base->add_f32;
  return &table;
}
