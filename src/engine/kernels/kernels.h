/* kernels.h - the table of element-wise and row kernels around the GEMMs.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * kernels-ref.c is the specification: plain C, no intrinsics, always built.
 * Each kernels-<isa>.c fills the same table with its own instruction set and
 * finishes every loop with a scalar tail.  cpu.c picks one table at run time.
 * Rows are float32, contiguous; pointers need no particular alignment.
 * No inline functions here: ISA files include this header.
 */
#pragma once

#include <stddef.h>

typedef struct {
  const char *name;
  /* sum a[i] * b[i] */
  float (*dot_f32)        (const float *a, const float *b, size_t n);
  /* y[i] += a * x[i] */
  void  (*axpy_f32)       (float *y, float a, const float *x, size_t n);
  /* y[i] += x[i] */
  void  (*add_f32)        (float *y, const float *x, size_t n);
  /* y = (x - mean) / sqrt(var + eps) * w + b, biased variance; y may be x */
  void  (*layernorm_f32)  (float *y, const float *x, const float *w, const float *b,
                           size_t n, float eps);
  /* x = x * sigmoid(1.702 x), in place */
  void  (*quick_gelu_f32) (float *x, size_t n);
  /* x = 0.5 x (1 + erf(x / sqrt 2)), in place */
  void  (*gelu_f32)       (float *x, size_t n);
  /* x = exp(x - max) / sum, in place; n >= 1 */
  void  (*softmax_f32)    (float *x, size_t n);
  /* x[i] *= a */
  void  (*scale_f32)      (float *x, float a, size_t n);
} clip_kernels;

/* The reference table (always available). */
const clip_kernels *clip_kernels_ref (void);
#ifdef CLIP_BUILD_AVX2
const clip_kernels *clip_kernels_avx2 (void);
#endif
#ifdef CLIP_BUILD_AVX512
const clip_kernels *clip_kernels_avx512 (void);
#endif

/* The table chosen for this CPU (once, thread-safe), or the one CLIP_ISA
 * names (ref, avx2, avx512) when this CPU supports it. */
const clip_kernels *clip_kernels_get (void);

/* Every table this build has and this CPU runs, NULL-terminated (tests). */
const clip_kernels *const *clip_kernels_available (void);
