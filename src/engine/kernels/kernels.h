/* kernels.h - the table of kernels: row ops, attention and packed GEMMs.
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
#include <stdint.h>

/* --- packed weights ------------------------------------------------------
 *
 * A linear layer y = x W^T + b, W [n, k] as nn.Linear stores it, is packed
 * once into panels of CLIP_PANEL output columns.  Panel p holds columns
 * p*32 .. p*32+31 (zeros past n); inside a panel the k index is outer:
 *
 *   F32, F16   element (k, j) at  p*kp*32 + k*32 + j
 *   BF16       pairs of k:        p*kp*32 + (k/2)*64 + j*2 + k%2
 *   I8         groups of 4 k:     p*kp*32 + (k/4)*128 + j*4 + k%4
 *
 * where kp is k rounded up to the group (1, 2 or 4) and padded entries are
 * zero.  So one 32-column row of the panel is what a SIMD tile multiplies
 * by one broadcast activation (or pair, or group of four).  I8 weights are
 * symmetric per output column: w[n][k] ~ scale[n] * q[n][k], q in
 * [-127, 127]; colsum[n] = sum_k q[n][k]. */
#define CLIP_PANEL 32

/* Blocking of the packed GEMMs, the same in every table: rows in blocks
 * of CLIP_GEMM_MC, k in blocks of CLIP_GEMM_KC, panels CLIP_GEMM_NCP at a
 * time (kernels-simd.inc says why KC is 768).  Tuning runs may set them
 * with -D. */
#ifndef CLIP_GEMM_MC
#define CLIP_GEMM_MC 96
#endif
#ifndef CLIP_GEMM_KC
#define CLIP_GEMM_KC 768
#endif
#ifndef CLIP_GEMM_NCP
#define CLIP_GEMM_NCP 8
#endif

typedef enum {
  CLIP_WEIGHTS_F32 = 0, /* float32 weights, float32 activations and sums */
  CLIP_WEIGHTS_F16,     /* IEEE half weights, float32 activations and sums */
  CLIP_WEIGHTS_BF16,    /* bfloat16 weights and activations, float32 sums */
  CLIP_WEIGHTS_I8,      /* int8 weights, uint8 activations, int32 sums */
  CLIP_N_WEIGHTS
} clip_weights_format;

typedef struct {
  clip_weights_format format;
  size_t              n, k;    /* output and input features */
  size_t              kp;      /* k padded to the format's group */
  const void         *data;    /* panels, 64-byte aligned */
  const float        *bias;    /* [n] or NULL */
  const float        *scale;   /* I8: [n] per output column */
  const int32_t      *colsum;  /* I8: [n] */
} clip_packed;

/* What a GEMM does with its result, per element of C. */
typedef enum {
  CLIP_EPI_STORE = 0,  /* c = a w^T + b */
  CLIP_EPI_ADD,        /* c += a w^T + b (a residual connection) */
  CLIP_EPI_QUICK_GELU, /* c = quick_gelu (a w^T + b) */
  CLIP_EPI_GELU,       /* c = gelu (a w^T + b) */
} clip_epilogue;

/* One GEMM: c[m, n] (row stride ldc) from the activations a[m, kp] (row
 * stride lda, in elements of the format's activation type: float32 for
 * F32 and F16 weights, bfloat16 bits for BF16, uint8 for I8) and the packed
 * weights.  I8 activations are per row: x[i][k] ~ a_scale[i] * (a[i][k] -
 * a_zero[i]).  Activations past k (up to kp) must be zero. */
typedef struct {
  const clip_packed *w;
  const void        *a;
  size_t             lda;
  const float       *a_scale;  /* I8 */
  const int32_t     *a_zero;   /* I8 */
  float             *c;
  size_t             ldc;
  size_t             m;
  clip_epilogue      epilogue;
} clip_gemm_args;

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

  /* y[0..n) = bfloat16 of x (round to nearest even), y[n..np) = 0 */
  void  (*to_bf16)        (uint16_t *y, const float *x, size_t n, size_t np);
  /* Quantises a row to uint8 with its own affine scale: min and max of
   * the row (widened to include 0) map to 0 and u8_max; y[n..np) = 0.
   * clip_quantize_u8_ref (.., u8_max) is the specification. */
  void  (*quantize_u8)    (uint8_t *y, float *scale, int32_t *zero, const float *x,
                           size_t n, size_t np);
  /* The largest activation quantize_u8 gives and gemm[CLIP_WEIGHTS_I8]
   * takes: 255, or 127 where the GEMM multiplies with VPMADDUBSW (the
   * avx2 table: two u8 x s8 products into a saturating int16 are exact
   * only for u8 <= 127). */
  int   u8_max;

  /* One attention head of one sequence of t rows: for query rows q0..q1,
   * out[i - q0] = softmax (scale q[i] k^T) v over keys 0..t-1 (0..i when
   * causal).  q, k, v rows are hd floats at stride ld; out rows at stride
   * ldo.  scratch holds (hd + 4) * (t + 16) floats. */
  void  (*attention_f32)  (float *out, size_t ldo, const float *q, const float *k,
                           const float *v, size_t ld, size_t t, size_t hd, size_t q0,
                           size_t q1, float scale, int causal, float *scratch);

  /* Packed GEMMs, one per weight format: compute panels p0..p1 of c (all
   * m rows).  Any table runs every format; the ISA tables use the fastest
   * instructions they have and fall back on plain loops otherwise. */
  void  (*gemm[CLIP_N_WEIGHTS]) (const clip_gemm_args *args, size_t p0, size_t p1);
  /* Whether gemm[format] runs on instructions made for it (not a
   * fallback): 1 or 0. */
  int   fast[CLIP_N_WEIGHTS];

  /* A register-resident loop of the instruction each GEMM is built on
   * (FMA, VDPBF16PS, VPDPBUSD...): runs `iters` iterations and returns
   * the arithmetic operations done (2 per multiply-add). */
  double (*peak_loop)     (clip_weights_format format, long iters);
} clip_kernels;

/* The reference table (always available). */
const clip_kernels *clip_kernels_ref (void);
#ifdef CLIP_BUILD_AVX2
const clip_kernels *clip_kernels_avx2 (void);
/* The avx2 table's quantiser onto 0..255 (its own is 0..127) */
void clip_quantize_u8_avx2_full (uint8_t *y, float *scale, int32_t *zero, const float *x,
                                 size_t n, size_t np);
#endif
#ifdef CLIP_BUILD_AVXVNNI
/* avx2 plus the AVX-VNNI int8 GEMM */
const clip_kernels *clip_kernels_avxvnni (void);
#endif
#ifdef CLIP_BUILD_AVX512
const clip_kernels *clip_kernels_avx512 (void);
#endif
#ifdef CLIP_BUILD_AVX512VNNI
/* avx512 plus the AVX512-VNNI int8 GEMM */
const clip_kernels *clip_kernels_avx512vnni (void);
#endif
#ifdef CLIP_BUILD_AVX512BF16
/* avx512vnni plus the AVX512_BF16 bfloat16 GEMM */
const clip_kernels *clip_kernels_avx512bf16 (void);
#endif
#ifdef CLIP_BUILD_NEON
/* Armv8 NEON (aarch64) */
const clip_kernels *clip_kernels_neon (void);
#endif
#ifdef CLIP_BUILD_NEONDOT
/* neon plus the int8 GEMM on the dot-product extension (SDOT) */
const clip_kernels *clip_kernels_neondot (void);
#endif

/* --- the CPU's features and the instruction-set levels (cpu.c) ---------
 *
 * One detector and one reading of CLIP_ISA for the kernel tables and the
 * vector search kernels (clip-vector.c); clip.h documents CLIP_ISA. */

/* The levels, in the order of preference.  Not a chain: each needs its
 * own features (cpu.c), and a CPU may run a level without the one below
 * it (Zen 4 has avx512vnni but not avxvnni).  The Arm levels (neon,
 * neondot) come after the x86 ones and need none of them. */
typedef enum {
  CLIP_ISA_REF = 0,    /* plain C */
  CLIP_ISA_AVX2,       /* AVX2, FMA, F16C */
  CLIP_ISA_AVXVNNI,    /* avx2 + AVX-VNNI (VEX VPDPBUSD) */
  CLIP_ISA_AVX512,     /* avx2 + AVX-512 F, BW, VL, DQ */
  CLIP_ISA_AVX512VNNI, /* + AVX512-VNNI */
  CLIP_ISA_AVX512BF16, /* + AVX512_BF16 */
  CLIP_ISA_NEON,       /* aarch64: Armv8 NEON (Advanced SIMD) */
  CLIP_ISA_NEONDOT,    /* + the dot-product extension (SDOT/UDOT) */
  CLIP_N_ISAS,
  CLIP_ISA_AUTO = CLIP_N_ISAS, /* no ceiling: the best the CPU has */
} clip_isa;

/* A CPU's features, as a mask: CPUID bits, and whether the OS saves the
 * wide registers (XGETBV); on aarch64 the kernel's HWCAP bits. */
enum {
  CLIP_CPU_AVX2       = 1u << 0,
  CLIP_CPU_FMA        = 1u << 1,
  CLIP_CPU_F16C       = 1u << 2,
  CLIP_CPU_YMM_STATE  = 1u << 3,
  CLIP_CPU_AVX512F    = 1u << 4,
  CLIP_CPU_AVX512BW   = 1u << 5,
  CLIP_CPU_AVX512VL   = 1u << 6,
  CLIP_CPU_AVX512DQ   = 1u << 7,
  CLIP_CPU_ZMM_STATE  = 1u << 8, /* ZMM and opmask state */
  CLIP_CPU_AVX512VNNI = 1u << 9,
  CLIP_CPU_AVX512BF16 = 1u << 10,
  CLIP_CPU_AVXVNNI    = 1u << 11, /* CPUID 7.1 EAX bit 4 */
  /* aarch64, from getauxval (AT_HWCAP) */
  CLIP_CPU_NEON       = 1u << 16, /* HWCAP_ASIMD */
  CLIP_CPU_DOTPROD    = 1u << 17, /* HWCAP_ASIMDDP */
};

/* This CPU's features (detected once, thread-safe; 0 off x86 and
 * aarch64). */
unsigned     clip_cpu_features  (void);
/* Parses a CLIP_ISA value: NULL, "" and "auto" give CLIP_ISA_AUTO; "ref",
 * "avx2", "avxvnni", "avx512", "avx512vnni", "avx512bf16", "neon", "neondot"
 * their level.  Anything
 * else (other spellings, case included) is refused: returns 0. */
int          clip_isa_parse     (const char *value,
                                 clip_isa   *out);
/* "ref", ...; NULL for CLIP_ISA_AUTO. */
const char  *clip_isa_name      (clip_isa isa);
/* Whether a CPU with `features` runs level `isa`. */
int          clip_isa_supported (unsigned features,
                                 clip_isa isa);
/* The ceiling CLIP_ISA sets (read once); a refused value is ignored with
 * a warning on stderr: CLIP_ISA_AUTO. */
clip_isa     clip_isa_ceiling   (void);

/* The tables this build has that a CPU with `features` runs, lowest level
 * first (each for its own features: not necessarily a prefix of the
 * levels), into out[] (CLIP_N_ISAS + 1 entries, NULL-terminated); returns
 * how many.  For tests: what another CPU would get. */
size_t       clip_kernels_for_features (unsigned             features,
                                        const clip_kernels **out);

/* The table in use (chosen once, thread-safe): the highest level that
 * this build has, this CPU runs and CLIP_ISA allows. */
const clip_kernels *clip_kernels_get (void);

/* Every table this build has and this CPU runs, NULL-terminated (tests). */
const clip_kernels *const *clip_kernels_available (void);

/* The specification of quantize_u8 for a table with this u8_max (the
 * reference table's is 255). */
void clip_quantize_u8_ref (uint8_t     *y,
                           float       *scale,
                           int32_t     *zero,
                           const float *x,
                           size_t       n,
                           size_t       np,
                           int          u8_max);

/* Helpers shared by the tables' plain-C paths (kernels-ref.c). */
uint16_t clip_f32_to_bf16_bits (float x);
float    clip_bf16_bits_to_f32 (uint16_t h);
float    clip_f16_bits_to_f32  (uint16_t h);
uint16_t clip_f32_to_f16_bits  (float x);

/* The plain-C GEMMs of kernels-ref.c, which ISA tables use for the
 * formats they have no instructions for. */
void clip_gemm_ref (const clip_gemm_args *args, size_t p0, size_t p1);
double clip_peak_loop_ref (clip_weights_format format, long iters);
