/* kernels-avx2.c - the kernel table for AVX2 + FMA (8 floats a vector).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout and tolerance: see kernels-simd.inc, the one source of the SIMD
 * tables; this file only fixes the vector width, and takes the int8 GEMM
 * of kernels-i8-ymm.inc (VPMADDUBSW, exact for activations in 0..127: so
 * the table's quantize_u8 maps rows onto 0..127, u8_max).  Built with
 * -mavx2 -mfma.
 */
#define VEC_LANES 8
#define KERNELS_NAME avx2
#define KERNELS_STR "avx2"
#define KERNELS_I8_YMM 1
#define U8_MAX 127
#include "kernels-simd.inc"

/* The same quantiser onto the full 0..255, for tables built on this one
 * whose int8 GEMM takes any uint8 (kernels-avxvnni.c). */
void
clip_quantize_u8_avx2_full (uint8_t     *y,
                            float       *scale,
                            int32_t     *zero,
                            const float *x,
                            size_t       n,
                            size_t       np)
{
  FN (quantize_u8_to) (y, scale, zero, x, n, np, 255);
}

const clip_kernels *
clip_kernels_avx2 (void)
{
  return &kernels_table;
}
