/* test-kernels.c - every kernel table this CPU runs against the reference.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sizes 0, 1, 7, 8, 9, 15, 16, 17, 33, 1000 from misaligned starts (one
 * float past a 64-byte boundary); the tolerances are named below.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "kernels/kernels.h"

/* relative to the largest magnitude involved */
#define TOL_SUM     1e-5   /* re-associated sums (dot, layernorm statistics) */
#define TOL_EXP     2e-6   /* polynomial exp inside softmax and quick_gelu */
#define TOL_EXACT   0.0    /* element-wise adds and scales are exact */

static const size_t sizes[] = { 0, 1, 7, 8, 9, 15, 16, 17, 33, 1000 };

typedef struct {
  float *a_buf, *b_buf, *c_buf, *d_buf;
  float *a, *b, *c, *d;
} Bufs;

static void
bufs_init (Bufs  *bf,
           size_t n,
           GRand *rand)
{
  bf->a_buf = g_malloc0 ((n + 32) * sizeof (float));
  bf->b_buf = g_malloc0 ((n + 32) * sizeof (float));
  bf->c_buf = g_malloc0 ((n + 32) * sizeof (float));
  bf->d_buf = g_malloc0 ((n + 32) * sizeof (float));
  /* misaligned: one float past the allocation's start */
  bf->a = bf->a_buf + 1;
  bf->b = bf->b_buf + 1;
  bf->c = bf->c_buf + 1;
  bf->d = bf->d_buf + 1;
  for (size_t i = 0; i < n; i++)
    {
      bf->a[i] = (float) g_rand_double_range (rand, -4, 4);
      bf->b[i] = (float) g_rand_double_range (rand, -2, 2);
    }
}

static void
bufs_clear (Bufs *bf)
{
  g_free (bf->a_buf);
  g_free (bf->b_buf);
  g_free (bf->c_buf);
  g_free (bf->d_buf);
}

static void
assert_close (const float *got,
              const float *want,
              size_t       n,
              double       tol,
              const char  *what,
              const char  *isa)
{
  double scale = 1e-30;
  for (size_t i = 0; i < n; i++)
    scale = MAX (scale, fabs (want[i]));
  for (size_t i = 0; i < n; i++)
    if (fabs ((double) got[i] - want[i]) > tol * scale + 1e-30)
      g_error ("%s (%s), n=%zu, i=%zu: got %.9g, want %.9g", what, isa, n, i, got[i], want[i]);
}

static void
test_all_tables (void)
{
  const clip_kernels *ref = clip_kernels_ref ();
  const clip_kernels *const *tables = clip_kernels_available ();
  GRand *rand = g_rand_new_with_seed (42);
  int n_tables = 0;

  for (; tables[n_tables] != NULL; n_tables++)
    {
      const clip_kernels *k = tables[n_tables];
      g_test_message ("checking table %s", k->name);
      for (size_t si = 0; si < G_N_ELEMENTS (sizes); si++)
        {
          size_t n = sizes[si];
          Bufs bf;
          bufs_init (&bf, n, rand);

          /* dot */
          float want = ref->dot_f32 (bf.a, bf.b, n), got = k->dot_f32 (bf.a, bf.b, n);
          double mag = 0;
          for (size_t i = 0; i < n; i++)
            mag += fabs (bf.a[i] * bf.b[i]);
          g_assert_cmpfloat (fabs (got - want), <=, TOL_SUM * MAX (mag, 1e-30));

          /* axpy, add, scale */
          memcpy (bf.c, bf.b, n * sizeof (float));
          memcpy (bf.d, bf.b, n * sizeof (float));
          ref->axpy_f32 (bf.c, 0.37f, bf.a, n);
          k->axpy_f32 (bf.d, 0.37f, bf.a, n);
          assert_close (bf.d, bf.c, n, 1e-6, "axpy", k->name); /* FMA rounds once */
          ref->add_f32 (bf.c, bf.a, n);
          k->add_f32 (bf.d, bf.a, n);
          assert_close (bf.d, bf.c, n, 1e-6, "add", k->name);
          memcpy (bf.d, bf.c, n * sizeof (float));
          ref->scale_f32 (bf.c, -1.5f, n);
          k->scale_f32 (bf.d, -1.5f, n);
          assert_close (bf.d, bf.c, n, TOL_EXACT, "scale", k->name);

          if (n > 0)
            {
              /* layernorm with weights b and bias a */
              float *x = g_new (float, n);
              for (size_t i = 0; i < n; i++)
                x[i] = bf.a[i] * 3.0f + 100.0f; /* an offset mean stresses the variance */
              ref->layernorm_f32 (bf.c, x, bf.b, bf.a, n, 1e-5f);
              k->layernorm_f32 (bf.d, x, bf.b, bf.a, n, 1e-5f);
              assert_close (bf.d, bf.c, n, 1e-4, "layernorm", k->name);
              /* in place */
              k->layernorm_f32 (x, x, bf.b, bf.a, n, 1e-5f);
              assert_close (x, bf.c, n, 1e-4, "layernorm in place", k->name);
              g_free (x);

              /* activations */
              memcpy (bf.c, bf.a, n * sizeof (float));
              memcpy (bf.d, bf.a, n * sizeof (float));
              ref->quick_gelu_f32 (bf.c, n);
              k->quick_gelu_f32 (bf.d, n);
              assert_close (bf.d, bf.c, n, TOL_EXP, "quick_gelu", k->name);
              memcpy (bf.c, bf.a, n * sizeof (float));
              memcpy (bf.d, bf.a, n * sizeof (float));
              ref->gelu_f32 (bf.c, n);
              k->gelu_f32 (bf.d, n);
              assert_close (bf.d, bf.c, n, 1e-6, "gelu", k->name);

              /* softmax, with a large spread */
              for (size_t i = 0; i < n; i++)
                bf.c[i] = bf.d[i] = bf.a[i] * 10.0f;
              ref->softmax_f32 (bf.c, n);
              k->softmax_f32 (bf.d, n);
              assert_close (bf.d, bf.c, n, TOL_EXP * 4, "softmax", k->name);
              double sum = 0;
              for (size_t i = 0; i < n; i++)
                sum += bf.d[i];
              g_assert_cmpfloat (fabs (sum - 1.0), <=, 1e-5);
            }
          bufs_clear (&bf);
        }
    }
  g_assert_cmpint (n_tables, >=, 1);
  g_rand_free (rand);
}

/* Hand-computed values: the reference is the specification. */
static void
test_reference_values (void)
{
  const clip_kernels *k = clip_kernels_ref ();
  float x[4] = { 1, 2, 3, 4 };
  float w[4] = { 1, 1, 1, 1 }, b[4] = { 0, 0, 0, 0 };
  float y[4];

  g_assert_cmpfloat (k->dot_f32 (x, x, 4), ==, 30.0f);
  /* mean 2.5, biased variance 1.25 */
  k->layernorm_f32 (y, x, w, b, 4, 0.0f);
  g_assert_cmpfloat_with_epsilon (y[0], -1.5 / sqrt (1.25), 1e-6);
  g_assert_cmpfloat_with_epsilon (y[3], 1.5 / sqrt (1.25), 1e-6);

  /* quick_gelu(1) = 1 / (1 + e^-1.702); gelu(1) = 0.5 (1 + erf(1/sqrt 2)) */
  float q[2] = { 1.0f, 0.0f }, g[2] = { 1.0f, -1.0f };
  k->quick_gelu_f32 (q, 2);
  g_assert_cmpfloat_with_epsilon (q[0], 1.0 / (1.0 + exp (-1.702)), 1e-6);
  g_assert_cmpfloat (q[1], ==, 0.0f);
  k->gelu_f32 (g, 2);
  g_assert_cmpfloat_with_epsilon (g[0], 0.8413447460685429, 1e-6);
  g_assert_cmpfloat_with_epsilon (g[1], -0.15865525393145707, 1e-6);

  float s[3] = { 0.0f, log (2.0f), log (5.0f) };
  k->softmax_f32 (s, 3);
  g_assert_cmpfloat_with_epsilon (s[0], 1.0 / 8, 1e-7);
  g_assert_cmpfloat_with_epsilon (s[2], 5.0 / 8, 1e-7);
}

static void
test_dispatch (void)
{
  const clip_kernels *chosen = clip_kernels_get ();
  const char *force = g_getenv ("CLIP_ISA");

  g_assert_nonnull (chosen);
  g_test_message ("kernels in use: %s", chosen->name);
  if (force != NULL && g_str_equal (force, "ref"))
    g_assert_cmpstr (chosen->name, ==, "ref");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/kernels/reference-values", test_reference_values);
  g_test_add_func ("/engine/kernels/tables-match-reference", test_all_tables);
  g_test_add_func ("/engine/kernels/dispatch", test_dispatch);
  return g_test_run ();
}
