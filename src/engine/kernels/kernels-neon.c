/* kernels-neon.c - the kernel table for Armv8 NEON (4 floats a vector).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout and tolerance: see kernels-simd.inc, the one source of the SIMD
 * tables; this file only fixes the vector width.  Built with
 * -march=armv8-a+simd: every aarch64 CPU runs it.  GCC contracts the
 * vector multiply-adds into FMLA (FMA), and F16 weights are widened with
 * FCVTL, both base Armv8.  BF16 and I8 run the source's plain vector loops
 * (fast[] says so); kernels-neondot.c adds an I8 GEMM on the dot-product
 * extension.
 */
#define VEC_LANES 4
#define KERNELS_NAME neon
#define KERNELS_STR "neon"
#include "kernels-simd.inc"

const clip_kernels *
clip_kernels_neon (void)
{
  return &kernels_table;
}
