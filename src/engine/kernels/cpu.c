/* cpu.c - detect the CPU's features once and pick a kernel table.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AVX needs the OS to save the wide registers: the CPUID bits alone are not
 * enough, so XGETBV is checked too (YMM state for AVX2, ZMM and opmask
 * state for AVX-512).  The tables build on one another: avx512vnni adds
 * the int8 GEMM to avx512, avx512bf16 adds the bfloat16 GEMM to that.
 * CLIP_ISA=ref|avx2|avx512|avx512vnni|avx512bf16 forces a table this CPU
 * supports; an unknown or unsupported name falls back to the automatic
 * choice with a warning on stderr.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "../clip.h"

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
#endif

static const clip_kernels *available[8];
static const clip_kernels *chosen;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
detect (void)
{
  size_t n = 0;

  available[n++] = clip_kernels_ref ();
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init ();
#ifdef CLIP_BUILD_AVX2
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma") && os_saves (0x6))
    available[n++] = clip_kernels_avx2 ();
#endif
#ifdef CLIP_BUILD_AVX512
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
      && __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512dq")
      && os_saves (0xe6))
    {
      available[n++] = clip_kernels_avx512 ();
#ifdef CLIP_BUILD_AVX512VNNI
      if (__builtin_cpu_supports ("avx512vnni"))
        {
          available[n++] = clip_kernels_avx512vnni ();
#ifdef CLIP_BUILD_AVX512BF16
          if (__builtin_cpu_supports ("avx512bf16"))
            available[n++] = clip_kernels_avx512bf16 ();
#endif
        }
#endif
    }
#endif
#endif
  available[n] = NULL;
  chosen = available[n - 1];

  const char *force = getenv ("CLIP_ISA");
  if (force != NULL && *force != '\0' && strcmp (force, "auto") != 0)
    {
      for (size_t i = 0; i < n; i++)
        if (strcmp (available[i]->name, force) == 0)
          {
            chosen = available[i];
            return;
          }
      fprintf (stderr, "clipsight: CLIP_ISA=%s is not available on this CPU or build; using %s\n",
               force, chosen->name);
    }
}

const clip_kernels *
clip_kernels_get (void)
{
  pthread_once (&once, detect);
  return chosen;
}

const clip_kernels *const *
clip_kernels_available (void)
{
  pthread_once (&once, detect);
  return available;
}

const char *
clip_kernels_name (void)
{
  return clip_kernels_get ()->name;
}
