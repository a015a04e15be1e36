/* kernels-avx2.c - the kernel table for AVX2 + FMA (8 floats a vector).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout and tolerance: see kernels-simd.inc, the one source of the SIMD
 * tables; this file only fixes the vector width, and takes the int8 GEMM
 * of kernels-i8-ymm.inc (VPMADDWD, exact).  Built with -mavx2 -mfma.
 */
#define VEC_LANES 8
#define KERNELS_NAME avx2
#define KERNELS_STR "avx2"
#define KERNELS_I8_YMM 1
#include "kernels-simd.inc"

const clip_kernels *
clip_kernels_avx2 (void)
{
  return &kernels_table;
}
