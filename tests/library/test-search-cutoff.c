/* test-search-cutoff.c - the adaptive cutoff's rule (cs-cutoff.c) on
 * hand-made scores and histograms, against figures computed here from the
 * rule as its comment states it: the gap (its ratio, its lowest rank, the
 * ranks searched), the outlier rule, and strictness in both directions,
 * inside the head and beyond it.  The scores are multiples of powers of
 * two, so that the figures are exact.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "cs-library.h"
#include "cs-library-private.h"
#include "search-test-util.h"

/* The centre of histogram bin `b` of CS_SCAN_HIST_BINS over [-1, 1]. */
static double
centre (guint b)
{
  return (b + 0.5) / CS_SCAN_HIST_BINS * 2.0 - 1.0;
}

/* The lower edge of bin `b`. */
static double
lower_edge (guint b)
{
  return (double) b / CS_SCAN_HIST_BINS * 2.0 - 1.0;
}

/* `n` scores from `top` down by `step`, with an extra drop of `drop`
 * between ranks gap_at - 1 and gap_at (no drop when gap_at is 0). */
static float *
scores_with_drop (guint  n,
                  double top,
                  double step,
                  guint  gap_at,
                  double drop)
{
  float *h = g_new (float, n);

  for (guint i = 0; i < n; i++)
    h[i] = (float) (top - i * step - (gap_at > 0 && i >= gap_at ? drop : 0.0));
  return h;
}

/* A histogram of `h` alone (its shape is not what the gap cases test). */
static guint32 *
hist_of (const float *h,
         guint        n)
{
  guint32 *hist = g_new0 (guint32, CS_SCAN_HIST_BINS);

  for (guint i = 0; i < n; i++)
    hist[CLAMP ((int) ((h[i] + 1.0) / 2.0 * CS_SCAN_HIST_BINS), 0, CS_SCAN_HIST_BINS - 1)]++;
  return hist;
}

/* The gap: a drop of 4 steps after rank 4, in steps of 1/64, is exactly
 * R = 4 times the mean step above it ((h0 - h3) / 3) and below it
 * ((h4 - h12) / 8), and "at least" takes it; a hair less is no gap; the
 * cutoff is the middle of the drop. */
static void
test_cutoff_gap (void)
{
  const double step = 1.0 / 64;

  {
    g_autofree float *h = scores_with_drop (24, 0.75, step, 4, 3 * step);
    g_autofree guint32 *hist = hist_of (h, 24);
    CsCutoff c = _cs_cutoff_find (h, 24, hist, 24, 0.0);

    /* the drop h3 - h4 is 4 steps: 0.703125 to 0.640625 */
    g_assert_cmpfloat (h[3], ==, 0.703125);
    g_assert_cmpfloat (h[4], ==, 0.640625);
    g_assert_cmpstr (c.method, ==, "gap");
    g_assert_cmpfloat (c.cutoff, ==, (0.703125 + 0.640625) / 2);
  }
  {
    /* the drop 1/1024 short of 4 steps: not a gap at 4, nor anywhere */
    g_autofree float *h = scores_with_drop (24, 0.75, step, 4, 3 * step - 1.0 / 1024);
    g_autofree guint32 *hist = hist_of (h, 24);
    CsCutoff c = _cs_cutoff_find (h, 24, hist, 24, 0.0);

    g_assert_cmpstr (c.method, ==, "outlier");
  }
  {
    /* a lone best score far above the rest is no group: the gap is
     * looked for from rank 2 (k >= 2), and none follows */
    g_autofree float *h = scores_with_drop (24, 0.75, step, 1, 0.25);
    g_autofree guint32 *hist = hist_of (h, 24);
    CsCutoff c = _cs_cutoff_find (h, 24, hist, 24, 0.0);

    g_assert_cmpstr (c.method, ==, "outlier");
  }
}

/* Only the top max(100, n/4) scores are searched for the gap, and a gap
 * needs its window of 8 scores below inside them: with 400 photos matched
 * and a head of 200, a drop after rank 91 (its window ends at rank 99) is
 * the group's end; a drop after rank 92 separates kinds of non-matches. */
static void
test_cutoff_gap_ranks (void)
{
  const double step = 1.0 / 1024;

  for (guint at = 90; at <= 93; at++)
    {
      g_autofree float *h = scores_with_drop (200, 0.875, step, at, 63 * step);
      g_autofree guint32 *hist = hist_of (h, 200);
      CsCutoff c = _cs_cutoff_find (h, 200, hist, 400, 0.0);

      if (at + 8 < 100)
        {
          g_assert_cmpstr (c.method, ==, "gap");
          g_assert_cmpfloat (c.cutoff, ==, ((double) h[at - 1] + h[at]) / 2);
        }
      else
        g_assert_cmpstr (c.method, ==, "outlier");
    }
}

/* The outlier rule on hand-made histograms (no gap in the head): the
 * median of the histogram plus 3 x 1.4826 x its median absolute
 * deviation, at most the top score. */
static void
test_cutoff_outlier (void)
{
  const double step = 1.0 / 64;
  g_autofree float *h = scores_with_drop (20, 0.5, step, 0, 0.0);
  g_autofree guint32 *hist = g_new0 (guint32, CS_SCAN_HIST_BINS);
  CsCutoff c;

  /* half the mass in bin 2048, half in 2049: the median is the first
   * bin's centre (half the mass lies at or below it), and so is the
   * deviation's median 0 */
  hist[2048] = 50;
  hist[2049] = 50;
  c = _cs_cutoff_find (h, 20, hist, 100, 0.0);
  g_assert_cmpstr (c.method, ==, "outlier");
  g_assert_cmpfloat (c.median, ==, centre (2048));
  g_assert_cmpfloat (fabs (c.spread), <, 1e-9);
  g_assert_cmpfloat (fabs (c.cutoff - centre (2048)), <, 1e-9);

  /* 30 / 40 / 30 over three bins: the median is the middle bin, and the
   * median deviation one bin's width (60 of 100 lie within it) */
  memset (hist, 0, CS_SCAN_HIST_BINS * sizeof (guint32));
  hist[2047] = 30;
  hist[2048] = 40;
  hist[2049] = 30;
  c = _cs_cutoff_find (h, 20, hist, 100, 0.0);
  g_assert_cmpfloat (c.median, ==, centre (2048));
  g_assert_cmpfloat (fabs (c.spread - 1.4826 * 2.0 / CS_SCAN_HIST_BINS), <, 1e-9);
  g_assert_cmpfloat (fabs (c.cutoff - (centre (2048) + 3 * 1.4826 * 2.0 / CS_SCAN_HIST_BINS)), <, 1e-9);

  /* a distribution lying above the head's best: the cutoff is the best */
  memset (hist, 0, CS_SCAN_HIST_BINS * sizeof (guint32));
  hist[4000] = 100;
  c = _cs_cutoff_find (h, 20, hist, 100, 0.0);
  g_assert_cmpstr (c.method, ==, "outlier");
  g_assert_cmpfloat (c.cutoff, ==, 0.5);
}

/* Strictness on the gap case of test_cutoff_gap: s > 0 moves the cutoff
 * toward the top score by s of the way, -1 takes every photo, and s < 0
 * keeps about n0^(1+s) n^(-s) photos (n0 above the adaptive cutoff): here
 * 4 of 64, so at s = -0.3 the score of rank ceil(4 x 16^0.3) = 10. */
static void
test_cutoff_strictness (void)
{
  const double step = 1.0 / 64;
  g_autofree float *h = scores_with_drop (64, 0.75, step, 4, 3 * step);
  g_autofree guint32 *hist = hist_of (h, 64);
  const double adaptive = (0.703125 + 0.640625) / 2;
  CsCutoff c;

  g_assert_cmpfloat (_cs_cutoff_find (h, 64, hist, 64, 0.0).cutoff, ==, adaptive);
  g_assert_cmpfloat (_cs_cutoff_find (h, 64, hist, 64, 0.5).cutoff, ==, adaptive + 0.5 * (0.75 - adaptive));
  g_assert_cmpfloat (_cs_cutoff_find (h, 64, hist, 64, 1.0).cutoff, ==, 0.75);
  g_assert_cmpfloat (_cs_cutoff_find (h, 64, hist, 64, -1.0).cutoff, ==, -INFINITY);

  g_assert_cmpfloat (ceil (4 * pow (16, 0.3)), ==, 10);
  c = _cs_cutoff_find (h, 64, hist, 64, -0.3);
  g_assert_cmpfloat (c.cutoff, ==, h[9]);
}

/* Strictness below the head: a head of 8 scores near 0.5 in a library of
 * 1000 whose histogram holds 42 more just above 0, 900 at 0 and 50 just
 * below.  The median is bin 2048's centre and the deviation's median 0,
 * so the adaptive cutoff is that centre: n0 = 8 + 42 = 50 photos, counted
 * from the histogram as the head lies wholly above it.  At s = -0.5 the
 * rank is ceil(50 x 20^0.5) = 224, which the histogram reaches in bin
 * 2048: the cutoff is its lower edge, 0.  Then the count is never fewer
 * than the head's. */
static void
test_cutoff_beyond_head (void)
{
  g_autofree float *h = scores_with_drop (8, 0.5, 1.0 / 64, 0, 0.0);
  g_autofree guint32 *hist = hist_of (h, 8);
  CsCutoff c;

  hist[2047] += 50;
  hist[2048] += 900;
  hist[2049] += 42;
  c = _cs_cutoff_find (h, 8, hist, 1000, 0.0);
  g_assert_cmpstr (c.method, ==, "outlier");
  g_assert_cmpfloat (fabs (c.cutoff - centre (2048)), <, 1e-9);

  g_assert_cmpfloat (ceil (50 * sqrt (20)), ==, 224);
  c = _cs_cutoff_find (h, 8, hist, 1000, -0.5);
  g_assert_cmpfloat (c.cutoff, ==, lower_edge (2048));
  g_assert_cmpfloat (c.cutoff, ==, 0.0);

  /* a histogram sampled from 100,000 photos (1 in 100) that missed the
   * head's 8 rows: 501 samples at 0 and 499 below, none above the
   * cutoff.  The head still counts (n0 = 8, not 1): at s = -0.935 the rank
   * is ceil(8 x 12,500^0.935), past the 50,100 photos of bin 2048, so
   * the cutoff is bin 2040's lower edge (from n0 = 1 the rank would be
   * 100,000^0.935, inside bin 2048) */
  memset (hist, 0, CS_SCAN_HIST_BINS * sizeof (guint32));
  hist[2040] = 499;
  hist[2048] = 501;
  g_assert_cmpfloat (8 * pow (12500, 0.935), >, 50100);
  g_assert_cmpfloat (pow (100000, 0.935), <, 50100);
  c = _cs_cutoff_find (h, 8, hist, 100000, -0.935);
  g_assert_cmpfloat (c.cutoff, ==, lower_edge (2040));
}

/* At strictness 1 only the best is kept, whatever the scores: the cutoff
 * is never above the top score.  Smooth heads (no gap) with positive
 * scores above a histogram of negative ones, so that the outlier rule
 * gives a negative cutoff that is no float: c + 1 x (h0 - c) then can
 * round one ulp past h0 (for some of the cases here), and the best
 * photo would fall out. */
static void
test_cutoff_strictest (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  for (guint t = 0; t < 2000; t++)
    {
      double top = g_rand_double_range (rand, 0.05, 0.9);
      double step = g_rand_double_range (rand, 1e-4, 1e-3);
      g_autofree float *h = scores_with_drop (40, top, step, 0, 0.0);
      g_autofree guint32 *hist = g_new0 (guint32, CS_SCAN_HIST_BINS);
      guint lo = (guint) g_rand_int_range (rand, 1600, 1940);
      CsCutoff c;

      for (guint i = 0; i < 1000; i++)
        hist[lo + (guint) g_rand_int_range (rand, 0, 40)]++;
      c = _cs_cutoff_find (h, 40, hist, 1000, 0.0);
      g_assert_cmpstr (c.method, ==, "outlier");
      g_assert_cmpfloat (c.cutoff, <, 0.0);
      c = _cs_cutoff_find (h, 40, hist, 1000, 1.0);
      g_assert_cmpfloat (c.cutoff, <=, h[0]);
      g_assert_cmpfloat (c.cutoff, >, h[1]);
    }
}

void
search_test_add_cutoff (void)
{
  g_test_add_func ("/library/search/cutoff-gap", test_cutoff_gap);
  g_test_add_func ("/library/search/cutoff-gap-ranks", test_cutoff_gap_ranks);
  g_test_add_func ("/library/search/cutoff-outlier", test_cutoff_outlier);
  g_test_add_func ("/library/search/cutoff-strictness", test_cutoff_strictness);
  g_test_add_func ("/library/search/cutoff-beyond-head", test_cutoff_beyond_head);
  g_test_add_func ("/library/search/cutoff-strictest", test_cutoff_strictest);
}
