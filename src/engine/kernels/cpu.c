/* cpu.c - detect the CPU's features once, read CLIP_ISA once, and pick
 * the instruction-set level of the encoder's kernel table and of the
 * vector search kernels (clip-vector.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AVX needs the OS to save the wide registers: the CPUID bits alone are not
 * enough, so XGETBV is checked too (YMM state for AVX2, ZMM and opmask
 * state for AVX-512).  avx2 is AVX2, FMA and F16C (the table converts
 * halves with VCVTPH2PS); avxvnni adds AVX-VNNI (the int8 GEMM on ymm);
 * avx512 adds AVX-512 F, BW, VL and DQ to avx2; avx512vnni adds the int8
 * GEMM; avx512bf16 adds the bfloat16 GEMM.  The levels are ordered by
 * preference but are not a chain: each table needs its own features only,
 * since AVX-VNNI and AVX-512 come apart (Alder Lake has AVX-VNNI and no
 * AVX-512, Zen 4 and Ice Lake AVX512-VNNI and no AVX-VNNI).  The choice is
 * the highest level the CPU runs under the ceiling.  The detector is a
 * feature mask, and the choice a function of that mask, so tests can ask
 * what another CPU would get.
 *
 * On aarch64 the kernel says what the CPU has (getauxval (AT_HWCAP)): neon
 * is Advanced SIMD, which every aarch64 CPU has but is still read, and
 * neondot adds the dot-product extension (HWCAP_ASIMDDP, Armv8.2 and
 * optional there, Armv8.4 and later always) for the int8 GEMM.  The x86
 * and Arm levels never bound one another: a ceiling of the other
 * architecture leaves only ref.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "../clip.h"

static const char *const isa_names[CLIP_N_ISAS] = {
  [CLIP_ISA_REF]        = "ref",
  [CLIP_ISA_AVX2]       = "avx2",
  [CLIP_ISA_AVXVNNI]    = "avxvnni",
  [CLIP_ISA_AVX512]     = "avx512",
  [CLIP_ISA_AVX512VNNI] = "avx512vnni",
  [CLIP_ISA_AVX512BF16] = "avx512bf16",
  [CLIP_ISA_NEON]       = "neon",
  [CLIP_ISA_NEONDOT]    = "neondot",
};

/* What each level's table needs, all of it (avxvnni's not avx512's). */
#define NEEDS_AVX2       (CLIP_CPU_AVX2 | CLIP_CPU_FMA | CLIP_CPU_F16C | CLIP_CPU_YMM_STATE)
#define NEEDS_AVXVNNI    (NEEDS_AVX2 | CLIP_CPU_AVXVNNI)
#define NEEDS_AVX512     (NEEDS_AVX2 | CLIP_CPU_AVX512F | CLIP_CPU_AVX512BW | CLIP_CPU_AVX512VL \
                          | CLIP_CPU_AVX512DQ | CLIP_CPU_ZMM_STATE)
#define NEEDS_AVX512VNNI (NEEDS_AVX512 | CLIP_CPU_AVX512VNNI)
#define NEEDS_AVX512BF16 (NEEDS_AVX512VNNI | CLIP_CPU_AVX512BF16)

static const unsigned isa_needs[CLIP_N_ISAS] = {
  [CLIP_ISA_REF]        = 0,
  [CLIP_ISA_AVX2]       = NEEDS_AVX2,
  [CLIP_ISA_AVXVNNI]    = NEEDS_AVXVNNI,
  [CLIP_ISA_AVX512]     = NEEDS_AVX512,
  [CLIP_ISA_AVX512VNNI] = NEEDS_AVX512VNNI,
  [CLIP_ISA_AVX512BF16] = NEEDS_AVX512BF16,
  [CLIP_ISA_NEON]       = CLIP_CPU_NEON,
  [CLIP_ISA_NEONDOT]    = CLIP_CPU_NEON | CLIP_CPU_DOTPROD,
};

/* Whether a level is one of the Arm chain (neon, neondot). */
static int
isa_is_arm (clip_isa isa)
{
  return isa == CLIP_ISA_NEON || isa == CLIP_ISA_NEONDOT;
}

const char *
clip_isa_name (clip_isa isa)
{
  return (unsigned) isa < CLIP_N_ISAS ? isa_names[isa] : NULL;
}

int
clip_isa_parse (const char *value,
                clip_isa   *out)
{
  if (value == NULL || *value == '\0' || strcmp (value, "auto") == 0)
    {
      *out = CLIP_ISA_AUTO;
      return 1;
    }
  for (int i = 0; i < CLIP_N_ISAS; i++)
    if (strcmp (value, isa_names[i]) == 0)
      {
        *out = (clip_isa) i;
        return 1;
      }
  return 0;
}

int
clip_isa_supported (unsigned features,
                    clip_isa isa)
{
  return (unsigned) isa < CLIP_N_ISAS && (features & isa_needs[isa]) == isa_needs[isa];
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long
read_xcr0 (void)
{
  unsigned int eax, edx;

  __asm__ volatile ("xgetbv" : "=a" (eax), "=d" (edx) : "c" (0));
  return ((unsigned long long) edx << 32) | eax;
}

static int
os_saves (unsigned long long mask)
{
  unsigned int a, b, c, d;

  if (!__get_cpuid (1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
    return 0;
  return (read_xcr0 () & mask) == mask;
}

static unsigned
detect_features (void)
{
  unsigned f = 0;

  __builtin_cpu_init ();
  /* __builtin_cpu_supports takes only a string literal */
#define HAS(name, bit) (__builtin_cpu_supports (name) ? (bit) : 0u)
  f |= HAS ("avx2", CLIP_CPU_AVX2) | HAS ("fma", CLIP_CPU_FMA);
  f |= HAS ("avx512f", CLIP_CPU_AVX512F) | HAS ("avx512bw", CLIP_CPU_AVX512BW)
       | HAS ("avx512vl", CLIP_CPU_AVX512VL) | HAS ("avx512dq", CLIP_CPU_AVX512DQ);
  f |= HAS ("avx512vnni", CLIP_CPU_AVX512VNNI) | HAS ("avx512bf16", CLIP_CPU_AVX512BF16);
#undef HAS
  /* F16C from CPUID itself: clang 14's __builtin_cpu_supports has no "f16c" */
  {
    unsigned int a, b, c, d;

    if (__get_cpuid (1, &a, &b, &c, &d) && (c & bit_F16C))
      f |= CLIP_CPU_F16C;
    /* AVX-VNNI from CPUID too: GCC 12 has no __builtin_cpu_supports for it */
    if (__get_cpuid_count (7, 1, &a, &b, &c, &d) && (a & (1u << 4)))
      f |= CLIP_CPU_AVXVNNI;
  }
  if (os_saves (0x6))
    f |= CLIP_CPU_YMM_STATE;
  if (os_saves (0xe6))
    f |= CLIP_CPU_ZMM_STATE;
  return f;
}
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

/* The bits of <asm/hwcap.h>, which an old libc's headers may lack. */
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

static unsigned
detect_features (void)
{
  unsigned long hwcap = getauxval (AT_HWCAP);
  unsigned f = 0;

  if (hwcap & HWCAP_ASIMD)
    f |= CLIP_CPU_NEON;
  if (hwcap & HWCAP_ASIMDDP)
    f |= CLIP_CPU_DOTPROD;
  return f;
}
#else
static unsigned
detect_features (void)
{
  return 0;
}
#endif

static unsigned features;
static clip_isa ceiling;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void
detect (void)
{
  const char *value = getenv ("CLIP_ISA");

  features = detect_features ();
  if (!clip_isa_parse (value, &ceiling))
    {
      fprintf (stderr, "clipsight: CLIP_ISA=%s is not auto, ref, avx2, avxvnni, avx512, avx512vnni, "
               "avx512bf16, neon or neondot; ignored\n", value);
      ceiling = CLIP_ISA_AUTO;
    }
}

unsigned
clip_cpu_features (void)
{
  pthread_once (&features_once, detect);
  return features;
}

clip_isa
clip_isa_ceiling (void)
{
  pthread_once (&features_once, detect);
  return ceiling;
}

size_t
clip_kernels_for_features (unsigned             cpu,
                           const clip_kernels **out)
{
  size_t n = 0;

  out[n++] = clip_kernels_ref ();
#ifdef CLIP_BUILD_AVX2
  if (clip_isa_supported (cpu, CLIP_ISA_AVX2))
    out[n++] = clip_kernels_avx2 ();
#endif
#ifdef CLIP_BUILD_AVXVNNI
  if (clip_isa_supported (cpu, CLIP_ISA_AVXVNNI))
    out[n++] = clip_kernels_avxvnni ();
#endif
#ifdef CLIP_BUILD_AVX512
  if (clip_isa_supported (cpu, CLIP_ISA_AVX512))
    out[n++] = clip_kernels_avx512 ();
#endif
#ifdef CLIP_BUILD_AVX512VNNI
  if (clip_isa_supported (cpu, CLIP_ISA_AVX512VNNI))
    out[n++] = clip_kernels_avx512vnni ();
#endif
#ifdef CLIP_BUILD_AVX512BF16
  if (clip_isa_supported (cpu, CLIP_ISA_AVX512BF16))
    out[n++] = clip_kernels_avx512bf16 ();
#endif
#ifdef CLIP_BUILD_NEON
  if (clip_isa_supported (cpu, CLIP_ISA_NEON))
    out[n++] = clip_kernels_neon ();
#endif
#ifdef CLIP_BUILD_NEONDOT
  if (clip_isa_supported (cpu, CLIP_ISA_NEONDOT))
    out[n++] = clip_kernels_neondot ();
#endif
  (void) cpu;
  out[n] = NULL;
  return n;
}

static const clip_kernels *available[CLIP_N_ISAS + 1];
static const clip_kernels *chosen;
static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

static void
choose_kernels (void)
{
  size_t n = clip_kernels_for_features (clip_cpu_features (), available);
  clip_isa limit = clip_isa_ceiling ();

  /* the tables are in level order, each one's level its name's */
  chosen = available[0];
  for (size_t i = 1; i < n; i++)
    {
      clip_isa level;

      if (clip_isa_parse (available[i]->name, &level) && level <= limit
          && (limit == CLIP_ISA_AUTO || isa_is_arm (level) == isa_is_arm (limit)))
        chosen = available[i];
    }
  if (limit != CLIP_ISA_AUTO && strcmp (chosen->name, clip_isa_name (limit)) != 0)
    fprintf (stderr, "clipsight: CLIP_ISA=%s is not available on this CPU or build; using %s\n",
             clip_isa_name (limit), chosen->name);
}

const clip_kernels *
clip_kernels_get (void)
{
  pthread_once (&kernels_once, choose_kernels);
  return chosen;
}

const clip_kernels *const *
clip_kernels_available (void)
{
  pthread_once (&kernels_once, choose_kernels);
  return available;
}

const char *
clip_kernels_name (void)
{
  return clip_kernels_get ()->name;
}
