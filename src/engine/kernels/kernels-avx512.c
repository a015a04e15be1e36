/* kernels-avx512.c - the kernel table for AVX-512F (16 floats a vector).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout and tolerance: see kernels-simd.inc, the one source of the SIMD
 * tables; this file only fixes the vector width.  Built with -mavx512f.
 */
#define VEC_LANES 16
#define KERNELS_NAME avx512
#define KERNELS_STR "avx512"
#include "kernels-simd.inc"

const clip_kernels *
clip_kernels_avx512 (void)
{
  return &kernels_table;
}
