/* test-kernels.c - every kernel table this CPU runs against the reference.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Row kernels: sizes 0, 1, 7, 8, 9, 15, 16, 17, 33, 1000 from misaligned
 * starts (one float past a 64-byte boundary).  GEMMs: every weight format
 * and epilogue, odd m, n, k (partial panels, row tails, k not a multiple of
 * the format's group or of the k block), activations and results at odd
 * strides and misaligned starts, the panels split in two calls as threads
 * split them.  The tolerances are named below.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "clip-private.h"
#include "kernels/kernels.h"

/* relative to the largest magnitude involved */
#define TOL_SUM     1e-5   /* re-associated sums (dot, layernorm statistics) */
#define TOL_EXP     2e-6   /* polynomial exp inside softmax and quick_gelu */
#define TOL_EXACT   0.0    /* element-wise adds and scales are exact */
/* GEMMs, relative to the sum of |terms| of each output: float32 sums of
 * up to ~500 terms against the reference's double sums */
#define TOL_GEMM    2e-6

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
          memcpy (bf.d, bf.c, n * sizeof (float));  /* the same start: add is exact */
          ref->add_f32 (bf.c, bf.a, n);
          k->add_f32 (bf.d, bf.a, n);
          assert_close (bf.d, bf.c, n, TOL_EXACT, "add", k->name);
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

/* --- GEMMs -------------------------------------------------------------- */

static void *
test_alloc (void  *data,
            size_t bytes)
{
  GPtrArray *blocks = data;
  void *p = g_aligned_alloc0 (bytes, 1, 64);

  g_ptr_array_add (blocks, p);
  return p;
}

typedef struct {
  size_t m, n, k;
} GemmSize;

static const GemmSize gemm_sizes[] = {
  { 1, 1, 1 }, { 3, 33, 7 }, { 13, 64, 100 }, { 12, 32, 300 }, { 25, 70, 257 },
  { 50, 96, 515 }, { 7, 129, 33 }, { 97, 40, 64 }, { 9, 64, 1000 },
};

static const char *const format_names[] = { "f32", "f16", "bf16", "i8" };
static const char *const epi_names[] = { "store", "add", "quick_gelu", "gelu" };

/* One GEMM problem in one format, checked on every table against ref. */
static void
check_gemm (clip_weights_format format,
            const GemmSize     *sz,
            clip_epilogue       epi,
            gboolean            with_bias,
            GRand              *rand)
{
  const clip_kernels *ref = clip_kernels_ref ();
  const clip_kernels *const *tables = clip_kernels_available ();
  size_t m = sz->m, n = sz->n, k = sz->k;
  size_t xlda = k + 5, lda = xlda, ldc = n + 3;   /* odd strides */
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_aligned_free);
  g_autofree float *w = g_new (float, n * k);
  g_autofree float *bias = g_new (float, n);
  g_autofree float *x = g_new0 (float, m * lda);
  g_autofree float *c0_buf = g_new (float, m * ldc + 1);
  g_autofree float *want_buf = g_new (float, m * ldc + 1);
  g_autofree float *got_buf = g_new (float, m * ldc + 1);
  g_autofree double *mag = g_new0 (double, m * n);
  g_autofree float *a_scale = g_new (float, m);
  g_autofree int32_t *a_zero = g_new (int32_t, m);
  float *c0 = c0_buf + 1, *want = want_buf + 1, *got = got_buf + 1; /* misaligned */
  clip_packed pk;
  void *a_buf = NULL;
  const void *a;
  int u8_max = 255; /* I8: the range the activations were quantised to */

  for (size_t i = 0; i < n * k; i++)
    w[i] = (float) g_rand_double_range (rand, -1, 1) * (i % 7 == 0 ? 3.0f : 1.0f);
  for (size_t i = 0; i < n; i++)
    bias[i] = (float) g_rand_double_range (rand, -2, 2);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < k; j++)
      x[i * lda + j] = (float) g_rand_double_range (rand, -1.5, 2.5);
  for (size_t i = 0; i < m * ldc + 1; i++)
    c0_buf[i] = (float) g_rand_double_range (rand, -1, 1);
  g_assert_true (clip_pack_linear (&pk, format, w, with_bias ? bias : NULL, n, k, test_alloc, blocks));
  g_assert_cmpuint (pk.kp % (format == CLIP_WEIGHTS_I8 ? 4 : format == CLIP_WEIGHTS_BF16 ? 2 : 1), ==, 0);

  /* the activations in the format, at a misaligned start (one element on) */
  if (format == CLIP_WEIGHTS_BF16)
    {
      uint16_t *a16 = g_new0 (uint16_t, m * (pk.kp + 3) + 1);
      for (size_t i = 0; i < m; i++)
        ref->to_bf16 (a16 + 1 + i * (pk.kp + 3), x + i * lda, k, pk.kp);
      a_buf = a16;
      a = a16 + 1;
      lda = pk.kp + 3;
    }
  else if (format == CLIP_WEIGHTS_I8)
    {
      uint8_t *a8 = g_new0 (uint8_t, m * (pk.kp + 3) + 1);
      for (size_t i = 0; i < m; i++)
        clip_quantize_u8_ref (a8 + 1 + i * (pk.kp + 3), &a_scale[i], &a_zero[i], x + i * lda, k,
                              pk.kp, u8_max);
      a_buf = a8;
      a = a8 + 1;
      lda = pk.kp + 3;
    }
  else
    a = x;

  /* the scale of each output: sum of |terms|, plus |bias| and |c| */
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++)
      {
        double s = fabs (with_bias ? bias[j] : 0.0) + fabs (c0[i * ldc + j]);
        for (size_t kk = 0; kk < k; kk++)
          s += fabs ((double) x[i * xlda + kk] * w[j * k + kk]);
        mag[i * n + j] = s + 1e-6;
      }

  clip_gemm_args g = { &pk, a, lda, a_scale, a_zero, want, ldc, m, epi };
  size_t np = (n + CLIP_PANEL - 1) / CLIP_PANEL, mid = np / 2;
  memcpy (want_buf, c0_buf, (m * ldc + 1) * sizeof (float));
  ref->gemm[format] (&g, 0, np);

  for (const clip_kernels *const *t = tables; *t != NULL; t++)
    {
      if (format == CLIP_WEIGHTS_I8 && (*t)->u8_max != u8_max)
        {
          /* the table's own activations: the rows quantised onto its
           * range, and the reference's result for them */
          u8_max = (*t)->u8_max;
          for (size_t i = 0; i < m; i++)
            clip_quantize_u8_ref ((uint8_t *) a + i * lda, &a_scale[i], &a_zero[i], x + i * xlda, k,
                                  pk.kp, u8_max);
          memcpy (want_buf, c0_buf, (m * ldc + 1) * sizeof (float));
          g.c = want;
          ref->gemm[format] (&g, 0, np);
        }
      memcpy (got_buf, c0_buf, (m * ldc + 1) * sizeof (float));
      g.c = got;
      (*t)->gemm[format] (&g, 0, mid);
      (*t)->gemm[format] (&g, mid, np);
      /* nothing outside c's n columns is touched */
      g_assert_cmpfloat (got_buf[0], ==, c0_buf[0]);
      for (size_t i = 0; i < m; i++)
        for (size_t j = n; j < ldc && i * ldc + j < m * ldc; j++)
          g_assert_cmpfloat (got[i * ldc + j], ==, c0[i * ldc + j]);
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
          {
            double d = fabs ((double) got[i * ldc + j] - want[i * ldc + j]);
            if (!(d <= TOL_GEMM * mag[i * n + j]))
              g_error ("gemm %s %s%s (%s) m=%zu n=%zu k=%zu: c[%zu][%zu] = %.9g, want %.9g",
                       format_names[format], epi_names[epi], with_bias ? "+bias" : "", (*t)->name,
                       m, n, k, i, j, got[i * ldc + j], want[i * ldc + j]);
          }
    }
  g_free (a_buf);
}

static void
test_gemm_tables (void)
{
  GRand *rand = g_rand_new_with_seed (7);

  for (int f = 0; f < CLIP_N_WEIGHTS; f++)
    for (size_t si = 0; si < G_N_ELEMENTS (gemm_sizes); si++)
      for (int e = 0; e < 4; e++)
        check_gemm ((clip_weights_format) f, &gemm_sizes[si], (clip_epilogue) e, (si + e) % 2 == 0, rand);
  g_rand_free (rand);
}

/* The int8 GEMMs at the extremes of their operands, against a brute force
 * in int64: activations of the table's u8_max (and 0) with weights of +127
 * or -127.  At 255 a u8 x s8 multiply-add into int16 (VPMADDUBSW: 255 *
 * 127 * 2 > 32767) saturates; at 127 (the avx2 table, which relies on
 * it) the pair is 32258, the closest to the edge it gets.  Patterns:
 * every activation u8_max with columns all +127 or all -127; u8_max and 0
 * alternating with weights alternating in sign; and random picks of 0,
 * u8_max and anything against +-127 and anything.  m, n and k are not
 * multiples of any tile, zero points are nonzero, every epilogue is run,
 * and the panels are split in two calls. */
static void
test_gemm_i8_extremes (void)
{
  const size_t m = 13, n = 45, k = 1030, lda = 1040, ldc = 47;
  GRand *rand = g_rand_new_with_seed (5);

  for (int pattern = 0; pattern < 3; pattern++)
    for (int e = 0; e < 4; e++)
      {
        g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_aligned_free);
        g_autofree float *w = g_new (float, n * k);
        g_autofree int32_t *q = g_new (int32_t, n * k);
        g_autofree uint8_t *a255 = g_new0 (uint8_t, m * lda);
        g_autofree uint8_t *a = g_new0 (uint8_t, m * lda);
        g_autofree float *c0 = g_new (float, m * ldc);
        g_autofree float *got = g_new (float, m * ldc);
        float bias[45], a_scale[13];
        int32_t a_zero[13];
        int u8_max;
        clip_packed pk;

        for (size_t j = 0; j < n; j++)
          {
            bias[j] = (float) g_rand_double_range (rand, -1, 1);
            for (size_t kk = 0; kk < k; kk++)
              {
                int32_t v;
                if (pattern == 0)
                  v = j % 2 == 0 ? 127 : -127;
                else if (pattern == 1)
                  v = (kk + j) % 2 == 0 ? 127 : -127;
                else
                  v = g_rand_boolean (rand) ? (g_rand_boolean (rand) ? 127 : -127)
                                            : g_rand_int_range (rand, -127, 128);
                /* column j's largest |w| is 1 (kk = 0 is +-127 in every
                 * pattern but the random one, which gets it here), so
                 * w * 127 quantises back to v */
                if (kk == 0)
                  v = j % 2 == 0 ? 127 : -127;
                q[j * k + kk] = v;
                w[j * k + kk] = (float) v / 127.0f;
              }
          }
        for (size_t i = 0; i < m; i++)
          {
            a_scale[i] = 1e-5f * (float) (i + 1);
            for (size_t kk = 0; kk < k; kk++)
              a255[i * lda + kk] = pattern == 0 ? 255
                                : pattern == 1 ? ((kk + i) % 2 == 0 ? 255 : 0)
                                : (uint8_t) (g_rand_boolean (rand) ? (g_rand_boolean (rand) ? 255 : 0)
                                                                   : g_rand_int_range (rand, 0, 256));
          }
        for (size_t i = 0; i < m * ldc; i++)
          c0[i] = (float) g_rand_double_range (rand, -1, 1);
        g_assert_true (clip_pack_linear (&pk, CLIP_WEIGHTS_I8, w, e % 2 == 0 ? bias : NULL, n, k,
                                         test_alloc, blocks));
        g_assert_cmpuint (pk.kp, <=, lda);

        for (const clip_kernels *const *t = clip_kernels_available (); *t != NULL; t++)
          {
            clip_gemm_args g = { &pk, a, lda, a_scale, a_zero, got, ldc, m, (clip_epilogue) e };
            size_t np = (n + CLIP_PANEL - 1) / CLIP_PANEL;

            /* the pattern in the table's range: 255 becomes u8_max, the
             * rest scales down */
            u8_max = (*t)->u8_max;
            g_assert_true (u8_max == 127 || u8_max == 255);
            for (size_t i = 0; i < m; i++)
              {
                a_zero[i] = (int32_t) (i * 19 % (u8_max + 1));
                for (size_t kk = 0; kk < lda; kk++)
                  a[i * lda + kk] = (uint8_t) ((a255[i * lda + kk] * u8_max + 127) / 255);
              }

            memcpy (got, c0, m * ldc * sizeof (float));
            (*t)->gemm[CLIP_WEIGHTS_I8] (&g, 0, 1);
            (*t)->gemm[CLIP_WEIGHTS_I8] (&g, 1, np);
            for (size_t i = 0; i < m; i++)
              for (size_t j = 0; j < ldc; j++)
                {
                  int64_t dot = 0;
                  double v, want;

                  if (j >= n)
                    {
                      g_assert_cmpfloat (got[i * ldc + j], ==, c0[i * ldc + j]);
                      continue;
                    }
                  for (size_t kk = 0; kk < k; kk++)
                    dot += (int64_t) (a[i * lda + kk] - a_zero[i]) * q[j * k + kk];
                  v = (double) dot * a_scale[i] * pk.scale[j] + (e % 2 == 0 ? bias[j] : 0.0);
                  want = e == CLIP_EPI_ADD ? c0[i * ldc + j] + v
                         : e == CLIP_EPI_QUICK_GELU ? v / (1.0 + exp (-1.702 * v))
                         : e == CLIP_EPI_GELU ? 0.5 * v * (1.0 + erf (v / sqrt (2.0)))
                         : v;
                  if (!(fabs (got[i * ldc + j] - want) <= 1e-5 * (fabs (v) + 1.0)))
                    g_error ("gemm i8 extremes, pattern %d %s (%s, u8_max %d): c[%zu][%zu] = %.9g, want %.9g",
                             pattern, epi_names[e], (*t)->name, u8_max, i, j, got[i * ldc + j], want);
                }
          }
      }
  g_rand_free (rand);
}

/* The reference GEMM on packed weights against the plain definition:
 * checks the packing layouts and what each format costs in accuracy. */
static void
test_gemm_reference (void)
{
  const clip_kernels *ref = clip_kernels_ref ();
  const size_t m = 5, n = 37, k = 90;
  /* relative error of a dot product of k = 90 terms, worst case */
  const double tol[CLIP_N_WEIGHTS] = { 1e-6, 2e-3, 2e-2, 4e-2 };
  GRand *rand = g_rand_new_with_seed (11);
  float w[37 * 90], bias[37], x[5 * 92], c[5 * 37];

  for (size_t i = 0; i < n * k; i++)
    w[i] = (float) g_rand_double_range (rand, -1, 1);
  for (size_t i = 0; i < n; i++)
    bias[i] = (float) g_rand_double_range (rand, -1, 1);
  for (size_t i = 0; i < m * 92; i++)
    x[i] = (float) g_rand_double_range (rand, -1, 1);

  for (int f = 0; f < CLIP_N_WEIGHTS; f++)
    {
      g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_aligned_free);
      uint16_t a16[5 * 92];
      uint8_t a8[5 * 92];
      float a_scale[5];
      int32_t a_zero[5];
      clip_packed pk;
      const void *a = x;

      g_assert_true (clip_pack_linear (&pk, (clip_weights_format) f, w, bias, n, k, test_alloc, blocks));
      for (size_t i = 0; i < m; i++)
        {
          ref->to_bf16 (a16 + i * 92, x + i * 92, k, pk.kp);
          ref->quantize_u8 (a8 + i * 92, &a_scale[i], &a_zero[i], x + i * 92, k, pk.kp);
        }
      if (f == CLIP_WEIGHTS_BF16)
        a = a16;
      else if (f == CLIP_WEIGHTS_I8)
        a = a8;
      clip_gemm_args g = { &pk, a, 92, a_scale, a_zero, c, n, m, CLIP_EPI_STORE };
      ref->gemm[f] (&g, 0, (n + 31) / 32);
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
          {
            double want = bias[j], mag = fabs (bias[j]);
            for (size_t kk = 0; kk < k; kk++)
              {
                want += (double) x[i * 92 + kk] * w[j * k + kk];
                mag += fabs ((double) x[i * 92 + kk] * w[j * k + kk]);
              }
            if (fabs (c[i * n + j] - want) > tol[f] * mag)
              g_error ("reference gemm %s: c[%zu][%zu] = %.7g, want %.7g", format_names[f], i, j,
                       c[i * n + j], want);
          }
    }
  g_rand_free (rand);
}

static void
test_activation_formats (void)
{
  const clip_kernels *ref = clip_kernels_ref ();
  const clip_kernels *const *tables = clip_kernels_available ();
  GRand *rand = g_rand_new_with_seed (5);
  static const size_t ns[] = { 1, 15, 16, 17, 100, 771 };

  for (size_t si = 0; si < G_N_ELEMENTS (ns); si++)
    {
      size_t n = ns[si], np = n + 3;
      g_autofree float *x_buf = g_new (float, n + 1);
      g_autofree uint16_t *want16 = g_new (uint16_t, np), *got16 = g_new (uint16_t, np);
      g_autofree uint8_t *want8 = g_new (uint8_t, np), *got8 = g_new (uint8_t, np);
      float *x = x_buf + 1, ws, gs;
      int32_t wz, gz;

      for (size_t i = 0; i < n; i++)
        x[i] = (float) g_rand_double_range (rand, -3, 5) * (i % 11 == 3 ? 40.0f : 1.0f);
      if (n > 1)
        x[n / 2] = 0.5f * (x[0] + x[1]); /* some ties and exact values */
      ref->to_bf16 (want16, x, n, np);
      /* the specification at both ranges, and the reference table's */
      for (int r = 0; r < 3; r++)
        {
          int u8_max = r == 0 ? 127 : 255, top = 0;
          float hi = 0.0f;
          if (r < 2)
            clip_quantize_u8_ref (want8, &ws, &wz, x, n, np, u8_max);
          else
            ref->quantize_u8 (want8, &ws, &wz, x, n, np);
          g_assert_cmpint (ref->u8_max, ==, 255);
          g_assert_cmpint (wz, >=, 0);
          g_assert_cmpint (wz, <=, u8_max);
          for (size_t i = 0; i < n; i++)
            {
              /* within half a step of the truth, the step the row's
               * range over u8_max */
              double back = ws * ((double) want8[i] - wz);
              g_assert_cmpint (want8[i], <=, u8_max);
              g_assert_cmpfloat (fabs (back - x[i]), <=, 0.5001 * ws);
              top = MAX (top, want8[i]);
              hi = MAX (hi, x[i]);
            }
          /* and the range is used: the row's maximum lands on u8_max
           * (give or take the rounding of the zero point) */
          if (hi > 0.0f)
            g_assert_cmpint (top, >=, u8_max - 1);
        }
      for (size_t i = 0; i < n; i++)
        {
          /* bfloat16: 8 significant bits */
          uint32_t u = (uint32_t) want16[i] << 16;
          float b;
          memcpy (&b, &u, sizeof b);
          g_assert_cmpfloat (fabs (b - x[i]), <=, fabs (x[i]) / 256.0);
        }
      for (const clip_kernels *const *t = tables; *t != NULL; t++)
        {
          (*t)->to_bf16 (got16, x, n, np);
          g_assert_cmpmem (got16, np * 2, want16, np * 2);
          /* quantize_u8 against the specification for the table's range */
          g_assert_true ((*t)->u8_max == 127 || (*t)->u8_max == 255);
          clip_quantize_u8_ref (want8, &ws, &wz, x, n, np, (*t)->u8_max);
          (*t)->quantize_u8 (got8, &gs, &gz, x, n, np);
          g_assert_cmpmem (got8, np, want8, np);
          g_assert_cmpfloat (gs, ==, ws);
          g_assert_cmpint (gz, ==, wz);
        }
    }
  /* all zeros: scale 1, zero point 0 */
  {
    float z[5] = { 0 };
    uint8_t q[8];
    float sc;
    int32_t zp;
    for (const clip_kernels *const *t = tables; *t != NULL; t++)
      {
        (*t)->quantize_u8 (q, &sc, &zp, z, 5, 8);
        g_assert_cmpfloat (sc, ==, 1.0f);
        g_assert_cmpint (zp, ==, 0);
      }
  }
  g_rand_free (rand);
}

static void
test_attention_tables (void)
{
  const clip_kernels *ref = clip_kernels_ref ();
  const clip_kernels *const *tables = clip_kernels_available ();
  GRand *rand = g_rand_new_with_seed (9);
  static const size_t shapes[][2] = { { 1, 8 }, { 5, 24 }, { 50, 64 }, { 77, 64 }, { 17, 33 }, { 10, 96 },
                                       { 3, 64 }, { 33, 128 } };

  for (size_t si = 0; si < G_N_ELEMENTS (shapes); si++)
    for (int causal = 0; causal < 2; causal++)
      {
        size_t t = shapes[si][0], hd = shapes[si][1], ld = 3 * hd + 1, ldo = hd + 2;
        g_autofree float *qkv = g_new (float, t * ld + 1);
        g_autofree float *want = g_new0 (float, t * ldo), *got = g_new0 (float, t * ldo);
        g_autofree float *scratch = g_new (float, (hd + 4) * (t + 16));
        const float *q = qkv + 1, *k = q + hd, *v = q + 2 * hd;
        float scale = 1.0f / sqrtf ((float) hd);

        for (size_t i = 0; i < t * ld + 1; i++)
          qkv[i] = (float) g_rand_double_range (rand, -2, 2);
        ref->attention_f32 (want, ldo, q, k, v, ld, t, hd, 0, t, scale, causal, scratch);
        for (const clip_kernels *const *tb = tables; *tb != NULL; tb++)
          {
            (*tb)->attention_f32 (got, ldo, q, k, v, ld, t, hd, 0, t, scale, causal, scratch);
            for (size_t i = 0; i < t; i++)
              assert_close (got + i * ldo, want + i * ldo, hd, 1e-5, "attention", (*tb)->name);
            /* one query row on its own, as the last block computes it */
            (*tb)->attention_f32 (got, ldo, q, k, v, ld, t, hd, t - 1, t, scale, causal, scratch);
            assert_close (got, want + (t - 1) * ldo, hd, 1e-5, "attention, last row", (*tb)->name);
          }
      }
  g_rand_free (rand);
}

/* The reference table quantising onto 0..127: the specification of a
 * table whose u8_max is 127 (kernels.h). */
static void
quantize_u8_ref127 (uint8_t     *y,
                    float       *scale,
                    int32_t     *zero,
                    const float *x,
                    size_t       n,
                    size_t       np)
{
  clip_quantize_u8_ref (y, scale, zero, x, n, np, 127);
}

/* The whole encoder on every table against the reference table, per
 * precision: the same packed weights, so only the kernels differ.  For
 * int8, the reference quantises onto the table's own range (u8_max):
 * a table on 0..127 is compared with the reference on 0..127. */
static void
test_tables_end_to_end (void)
{
  const char *shared = g_getenv ("CLIPSIGHT_SHARED");
  g_autofree char *dir = NULL;
  clip_model *model = NULL;

  if (shared == NULL
      || !g_file_test ((dir = g_build_filename (shared, "testdata", "clip-reference", "tiny-clip", NULL)),
                       G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no ../shared/testdata/clip-reference");
      return;
    }
  g_assert_cmpint (clip_model_load (dir, &model, NULL), ==, CLIP_STATUS_OK);
  size_t nf = clip_model_image_floats (model);
  int dim = clip_model_get_info (model)->embed_dim, ctxlen = clip_model_get_info (model)->context_length;
  g_autofree float *pix = g_new (float, nf * 3);
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) 2 * ctxlen);
  g_autofree float *want = g_new (float, (size_t) 5 * dim), *got = g_new (float, (size_t) 5 * dim);
  g_autofree float *want127 = g_new (float, (size_t) 5 * dim);
  clip_kernels ref127 = *clip_kernels_ref ();

  ref127.quantize_u8 = quantize_u8_ref127;
  ref127.u8_max = 127;
  for (size_t i = 0; i < nf * 3; i++)
    pix[i] = (float) sin ((double) i * 0.003) * 1.5f;
  clip_tokenizer_encode (clip_model_get_tokenizer (model), "a photo of a cat", -1, ids, ctxlen);
  clip_tokenizer_encode (clip_model_get_tokenizer (model), "a diagram of a very large engine", -1,
                         ids + ctxlen, ctxlen);

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      clip_params params = clip_params_default ();
      clip_ctx *ctx = NULL;

      params.precision = (clip_precision) p;
      params.n_threads = 2;
      g_assert_cmpint (clip_ctx_new (model, &params, &ctx, NULL), ==, CLIP_STATUS_OK);
      clip_ctx_set_kernels (ctx, clip_kernels_ref ());
      g_assert_cmpint (clip_encode_images (ctx, pix, 3, want, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpint (clip_encode_texts (ctx, ids, 2, want + 3 * dim, NULL), ==, CLIP_STATUS_OK);
      clip_ctx_set_kernels (ctx, &ref127);
      g_assert_cmpint (clip_encode_images (ctx, pix, 3, want127, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpint (clip_encode_texts (ctx, ids, 2, want127 + 3 * dim, NULL), ==, CLIP_STATUS_OK);
      for (const clip_kernels *const *t = clip_kernels_available (); *t != NULL; t++)
        {
          const float *spec = p == CLIP_PRECISION_INT8 && (*t)->u8_max == 127 ? want127 : want;
          double worst = 1.0;
          g_assert_true ((*t)->u8_max == 127 || (*t)->u8_max == 255);
          clip_ctx_set_kernels (ctx, *t);
          g_assert_cmpint (clip_encode_images (ctx, pix, 3, got, NULL), ==, CLIP_STATUS_OK);
          g_assert_cmpint (clip_encode_texts (ctx, ids, 2, got + 3 * dim, NULL), ==, CLIP_STATUS_OK);
          for (int i = 0; i < 5; i++)
            {
              double c = 0, na = 0, nb = 0;
              for (int j = 0; j < dim; j++)
                {
                  c += (double) got[i * dim + j] * spec[i * dim + j];
                  na += (double) got[i * dim + j] * got[i * dim + j];
                  nb += (double) spec[i * dim + j] * spec[i * dim + j];
                }
              c /= sqrt (na * nb);
              worst = MIN (worst, c);
              /* int8 and bfloat16 round every activation again: an ulp of
               * difference upstream moves some roundings, and this random
               * tiny model amplifies int8 rounding (see test-precision) */
              if (c < (p == CLIP_PRECISION_INT8 ? 0.999 : p == CLIP_PRECISION_BF16 ? 0.9999 : 0.999999))
                g_error ("%s on table %s: embedding %d cosine %.9f to the reference table",
                         clip_precision_name ((clip_precision) p), (*t)->name, i, c);
            }
          g_test_message ("%s on %s: worst cosine to the reference table 1-%.2g",
                          clip_precision_name ((clip_precision) p), (*t)->name, 1 - worst);
        }
      clip_ctx_free (ctx);
    }
  clip_model_free (model);
}

static void
test_peak_loops (void)
{
  for (const clip_kernels *const *t = clip_kernels_available (); *t != NULL; t++)
    for (int f = 0; f < CLIP_N_WEIGHTS; f++)
      g_assert_cmpfloat ((*t)->peak_loop ((clip_weights_format) f, 1000), >, 0.0);
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

  clip_isa limit, level;

  g_assert_nonnull (chosen);
  g_test_message ("kernels in use: %s, vector kernels: %s", chosen->name, clip_vec_isa_name ());
  if (force != NULL && g_str_equal (force, "ref"))
    {
      g_assert_cmpstr (chosen->name, ==, "ref");
      g_assert_cmpstr (clip_vec_isa_name (), ==, "ref");
    }
  /* CLIP_ISA is one ceiling for both */
  if (clip_isa_parse (force, &limit))
    {
      g_assert_true (clip_isa_parse (chosen->name, &level));
      g_assert_cmpint (level, <=, limit);
      g_assert_true (clip_isa_parse (clip_vec_isa_name (), &level));
      g_assert_cmpint (level, <=, limit);
      /* the x86 and Arm levels do not bound each other: a ceiling of the
       * other architecture leaves the kernels at ref */
      g_assert_true (clip_isa_parse (chosen->name, &level));
      if (limit != CLIP_ISA_AUTO && level != CLIP_ISA_REF)
        g_assert_cmpint (level >= CLIP_ISA_NEON, ==, limit >= CLIP_ISA_NEON);
    }
}

/* CLIP_ISA's values as clip.h documents them: the six level names
 * exactly, "auto" or empty for no ceiling, and nothing else. */
static void
test_isa_parse (void)
{
  static const char *const refused[] = {
    "AVX2", "Ref", "avx", "avx512f", "sse4", "native", " avx2", "avx2 ", "avx2,fma", "1", "none",
    "NEON", "asimd", "neon ", "dotprod", "neondotprod", "sve",
  };
  clip_isa isa;

  g_assert_true (clip_isa_parse (NULL, &isa));
  g_assert_cmpint (isa, ==, CLIP_ISA_AUTO);
  isa = CLIP_ISA_REF;
  g_assert_true (clip_isa_parse ("", &isa));
  g_assert_cmpint (isa, ==, CLIP_ISA_AUTO);
  isa = CLIP_ISA_REF;
  g_assert_true (clip_isa_parse ("auto", &isa));
  g_assert_cmpint (isa, ==, CLIP_ISA_AUTO);
  for (int i = 0; i < CLIP_N_ISAS; i++)
    {
      const char *name = clip_isa_name ((clip_isa) i);

      isa = CLIP_ISA_AUTO;
      g_assert_true (clip_isa_parse (name, &isa));
      g_assert_cmpint (isa, ==, i);
    }
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_REF), ==, "ref");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_AVX2), ==, "avx2");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_AVXVNNI), ==, "avxvnni");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_AVX512), ==, "avx512");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_AVX512VNNI), ==, "avx512vnni");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_AVX512BF16), ==, "avx512bf16");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_NEON), ==, "neon");
  g_assert_cmpstr (clip_isa_name (CLIP_ISA_NEONDOT), ==, "neondot");
  g_assert_null (clip_isa_name (CLIP_ISA_AUTO));
  for (size_t i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      isa = CLIP_ISA_AVX2;
      g_assert_false (clip_isa_parse (refused[i], &isa));
      g_assert_cmpint (isa, ==, CLIP_ISA_AVX2); /* left alone */
    }
}

static gboolean
has_table (const clip_kernels *const *tables,
           const char                *name)
{
  for (; *tables != NULL; tables++)
    if (g_str_equal ((*tables)->name, name))
      return TRUE;
  return FALSE;
}

/* The tables a CPU gets, from a feature mask: every level needs all of
 * its features and avx2's, F16C included (the AVX2 and AVX-512 tables
 * convert halves with it); avxvnni and the AVX-512 levels need nothing of
 * one another. */
static void
test_isa_features (void)
{
  const unsigned avx2 = CLIP_CPU_AVX2 | CLIP_CPU_FMA | CLIP_CPU_F16C | CLIP_CPU_YMM_STATE;
  const unsigned avx512 = avx2 | CLIP_CPU_AVX512F | CLIP_CPU_AVX512BW | CLIP_CPU_AVX512VL
                          | CLIP_CPU_AVX512DQ | CLIP_CPU_ZMM_STATE;
  const unsigned all = avx512 | CLIP_CPU_AVX512VNNI | CLIP_CPU_AVX512BF16 | CLIP_CPU_AVXVNNI;
  /* AVX-VNNI without AVX-512 (Alder Lake); AVX-512 VNNI and BF16
   * without AVX-VNNI (Zen 4) */
  const unsigned alder = avx2 | CLIP_CPU_AVXVNNI;
  const unsigned zen4 = all & ~CLIP_CPU_AVXVNNI;
  const unsigned needs[] = {
    CLIP_CPU_AVX2, CLIP_CPU_FMA, CLIP_CPU_F16C, CLIP_CPU_YMM_STATE,
  };
  const clip_kernels *tables[CLIP_N_ISAS + 1];
  const clip_kernels *const *built;
  size_t n;

  /* no features: the reference only */
  n = clip_kernels_for_features (0, tables);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (tables[0]->name, ==, "ref");
  g_assert_null (tables[1]);

  g_assert_true (clip_isa_supported (0, CLIP_ISA_REF));
  g_assert_true (clip_isa_supported (avx2, CLIP_ISA_AVX2));
  g_assert_false (clip_isa_supported (avx2, CLIP_ISA_AVX512));
  g_assert_true (clip_isa_supported (all, CLIP_ISA_AVX512BF16));
  g_assert_false (clip_isa_supported (all & ~CLIP_CPU_AVX512VNNI, CLIP_ISA_AVX512BF16));
  g_assert_false (clip_isa_supported (all & ~CLIP_CPU_ZMM_STATE, CLIP_ISA_AVX512));
  g_assert_false (clip_isa_supported (all, CLIP_ISA_AUTO));

  /* without any one of AVX2, FMA, F16C or the OS's YMM state, no SIMD
   * table at all, even with every AVX-512 feature */
  for (size_t i = 0; i < G_N_ELEMENTS (needs); i++)
    {
      g_assert_false (clip_isa_supported (all & ~needs[i], CLIP_ISA_AVX2));
      g_assert_false (clip_isa_supported (all & ~needs[i], CLIP_ISA_AVXVNNI));
      g_assert_false (clip_isa_supported (all & ~needs[i], CLIP_ISA_AVX512));
      n = clip_kernels_for_features (all & ~needs[i], tables);
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpstr (tables[0]->name, ==, "ref");
    }

  /* with every feature: every table this build has, in level order */
  built = clip_kernels_available ();
  n = clip_kernels_for_features (all | CLIP_CPU_NEON | CLIP_CPU_DOTPROD, tables);
  for (size_t i = 0; i < n; i++)
    {
      clip_isa level;

      g_assert_true (clip_isa_parse (tables[i]->name, &level));
      if (i > 0)
        {
          clip_isa prev;

          g_assert_true (clip_isa_parse (tables[i - 1]->name, &prev));
          g_assert_cmpint (prev, <, level);
        }
    }
  /* this CPU's tables are those of its own mask */
  for (size_t i = 0; built[i] != NULL; i++)
    g_assert_true (has_table ((const clip_kernels *const *) tables, built[i]->name));
  /* a build with the AVX2 table gives it to a CPU with just AVX2, FMA,
   * F16C and YMM state (and so not to one without F16C, above) */
  if (has_table ((const clip_kernels *const *) tables, "avx2"))
    {
      n = clip_kernels_for_features (avx2, tables);
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpstr (tables[1]->name, ==, "avx2");
    }
  else
    g_test_message ("this build has no AVX2 table");

  /* not a chain: each level for its own features */
  g_assert_true (clip_isa_supported (alder, CLIP_ISA_AVXVNNI));
  g_assert_false (clip_isa_supported (alder, CLIP_ISA_AVX512));
  g_assert_false (clip_isa_supported (alder, CLIP_ISA_AVX512VNNI));
  g_assert_false (clip_isa_supported (zen4, CLIP_ISA_AVXVNNI));
  g_assert_true (clip_isa_supported (zen4, CLIP_ISA_AVX512BF16));
  g_assert_false (clip_isa_supported (avx2, CLIP_ISA_AVXVNNI));
  g_assert_false (clip_isa_supported (CLIP_CPU_AVXVNNI | CLIP_CPU_YMM_STATE, CLIP_ISA_AVXVNNI));
  n = clip_kernels_for_features (alder, tables);
  g_assert_false (has_table ((const clip_kernels *const *) tables, "avx512"));
  g_assert_false (has_table ((const clip_kernels *const *) tables, "avx512vnni"));
  n = clip_kernels_for_features (zen4, tables);
  g_assert_false (has_table ((const clip_kernels *const *) tables, "avxvnni"));
  n = clip_kernels_for_features (all, tables);
  if (has_table ((const clip_kernels *const *) tables, "avxvnni"))
    {
      n = clip_kernels_for_features (alder, tables);
      g_assert_cmpuint (n, ==, 3);
      g_assert_cmpstr (tables[1]->name, ==, "avx2");
      g_assert_cmpstr (tables[2]->name, ==, "avxvnni");
      g_assert_true (tables[2]->fast[CLIP_WEIGHTS_I8]);
      /* the AVX-512 tables after it, in level order (checked above) */
      n = clip_kernels_for_features (all, tables);
      g_assert_cmpstr (tables[2]->name, ==, "avxvnni");
    }
  else
    g_test_message ("this build has no AVX-VNNI table");
  if (has_table ((const clip_kernels *const *) tables, "avx512vnni"))
    {
      n = clip_kernels_for_features (zen4, tables);
      g_assert_true (has_table ((const clip_kernels *const *) tables, "avx512vnni"));
    }
  (void) n;
}

/* The Arm levels from a feature mask: neon needs Advanced SIMD, neondot
 * the dot-product extension too; neither architecture's features give
 * the other's tables, and this CPU's detector reads its own. */
static void
test_isa_features_arm (void)
{
  const unsigned x86 = CLIP_CPU_AVX2 | CLIP_CPU_FMA | CLIP_CPU_F16C | CLIP_CPU_YMM_STATE
                       | CLIP_CPU_AVX512F | CLIP_CPU_AVX512BW | CLIP_CPU_AVX512VL
                       | CLIP_CPU_AVX512DQ | CLIP_CPU_ZMM_STATE | CLIP_CPU_AVX512VNNI
                       | CLIP_CPU_AVX512BF16;
  const unsigned arm = CLIP_CPU_NEON | CLIP_CPU_DOTPROD;
  const clip_kernels *tables[CLIP_N_ISAS + 1];
  size_t n;

  g_assert_true (clip_isa_supported (CLIP_CPU_NEON, CLIP_ISA_NEON));
  g_assert_false (clip_isa_supported (CLIP_CPU_NEON, CLIP_ISA_NEONDOT));
  g_assert_false (clip_isa_supported (CLIP_CPU_DOTPROD, CLIP_ISA_NEONDOT));
  g_assert_false (clip_isa_supported (CLIP_CPU_DOTPROD, CLIP_ISA_NEON));
  g_assert_true (clip_isa_supported (arm, CLIP_ISA_NEONDOT));
  g_assert_false (clip_isa_supported (x86, CLIP_ISA_NEON));
  g_assert_false (clip_isa_supported (arm, CLIP_ISA_AVX2));

  /* no Arm table for an x86 CPU, no x86 table for an Arm one */
  n = clip_kernels_for_features (x86, tables);
  for (size_t i = 0; i < n; i++)
    g_assert_false (g_str_has_prefix (tables[i]->name, "neon"));
  n = clip_kernels_for_features (arm, tables);
  for (size_t i = 0; i < n; i++)
    g_assert_false (g_str_has_prefix (tables[i]->name, "avx"));

  if (has_table ((const clip_kernels *const *) tables, "neon"))
    {
      /* dotprod without Advanced SIMD is no CPU, and gets no table */
      n = clip_kernels_for_features (CLIP_CPU_DOTPROD, tables);
      g_assert_cmpuint (n, ==, 1);
      n = clip_kernels_for_features (CLIP_CPU_NEON, tables);
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpstr (tables[1]->name, ==, "neon");
      g_assert_false (tables[1]->fast[CLIP_WEIGHTS_I8]);
      g_assert_true (tables[1]->fast[CLIP_WEIGHTS_F32] && tables[1]->fast[CLIP_WEIGHTS_F16]);
      n = clip_kernels_for_features (arm, tables);
      if (has_table ((const clip_kernels *const *) tables, "neondot"))
        {
          g_assert_cmpuint (n, ==, 3);
          g_assert_cmpstr (tables[2]->name, ==, "neondot");
          g_assert_true (tables[2]->fast[CLIP_WEIGHTS_I8]);
        }
    }
  else
    g_test_message ("this build has no NEON table");

#if defined(__aarch64__) && defined(__linux__)
  /* every aarch64 CPU has Advanced SIMD, and none has an x86 feature */
  g_assert_true (clip_cpu_features () & CLIP_CPU_NEON);
  g_assert_cmpuint (clip_cpu_features () & x86, ==, 0);
#else
  g_assert_cmpuint (clip_cpu_features () & arm, ==, 0);
#endif
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/kernels/reference-values", test_reference_values);
  g_test_add_func ("/engine/kernels/tables-match-reference", test_all_tables);
  g_test_add_func ("/engine/kernels/dispatch", test_dispatch);
  g_test_add_func ("/engine/kernels/isa-parse", test_isa_parse);
  g_test_add_func ("/engine/kernels/isa-features", test_isa_features);
  g_test_add_func ("/engine/kernels/isa-features-arm", test_isa_features_arm);
  g_test_add_func ("/engine/kernels/gemm-reference", test_gemm_reference);
  g_test_add_func ("/engine/kernels/gemm-tables-match-reference", test_gemm_tables);
  g_test_add_func ("/engine/kernels/gemm-i8-extremes", test_gemm_i8_extremes);
  g_test_add_func ("/engine/kernels/activation-formats", test_activation_formats);
  g_test_add_func ("/engine/kernels/attention-tables-match-reference", test_attention_tables);
  g_test_add_func ("/engine/kernels/peak-loops", test_peak_loops);
  g_test_add_func ("/engine/kernels/tables-end-to-end", test_tables_end_to_end);
  return g_test_run ();
}
