/* cs-cutoff.c - where a query's matches end: the adaptive cutoff.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scores mean different things for different queries (a query whose words
 * the model knows well scores its matches at 0.8 with the toy model and at
 * 0.3 with OpenAI's; partial matches of a two-word query sit in between),
 * so no fixed threshold works.  What is the same for every query is the
 * shape of the sorted scores: the photos that match form a group at the
 * top, and below the group the scores drop more than they vary inside it.
 *
 * The rule, on the best scores h[0] >= h[1] >= ... of the query over the
 * photos that pass its filters:
 *  1. Gap: the first k >= 2 (from the top) where the drop g = h[k-1] - h[k]
 *     is at least R = 4 times both the mean step inside the group above
 *     ((h[0] - h[k-1]) / (k - 1)) and the mean step over the W = 8 scores
 *     below (h[k] - h[k+W]) / W.  The cutoff is the middle of the drop.
 *     Only the top max(100, n/4) scores are searched: a "gap" below them
 *     separates kinds of non-matches.
 *  2. Otherwise (a smooth tail: no clear group) an outlier rule on the
 *     whole distribution: median + 3 robust standard deviations (1.4826 x
 *     the median absolute deviation), but at most the top score.
 *  3. Strictness s in [-1, 1] moves the cutoff toward the top score (s > 0;
 *     at 1 only the best is kept) or down (s < 0): with n0 photos above
 *     the adaptive cutoff among n, the looser cutoff keeps about
 *     n0^(1+s) n^(-s) of them, the score of that rank (exact from the
 *     head, estimated from the histogram below it).  Each step of the
 *     slider so multiplies the count by the same factor, from the
 *     adaptive set at 0 to the whole library at -1, where the cutoff is
 *     -inf: every photo that passes the filters, ranked.  (Moving toward
 *     the median, as before, kept at most half the library however loose,
 *     and a library of 100,000 photos had no way to list them all.)
 * The search also requires a photo to beat the generic background prompts
 * for a plain text query (cs-library-search.c).
 *
 * Why: on ../shared/testdata/toy-photos this keeps more relevant than
 * irrelevant photos for every one of the 20 queries (mean precision 0.95,
 * mean recall 0.51; tests/library/test-search.c prints them), where a
 * fixed threshold, a z-score alone, or the background prompts alone each
 * fail on 4 to 18 of them (partial matches, "a red square" for "a red
 * circle", outscore every generic prompt).  On random vectors (no group)
 * it keeps the few outliers.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>

#include "cs-library-private.h"

#define GAP_RATIO 4.0
#define GAP_WINDOW 8
#define GAP_MIN_RANK 2
#define OUTLIER_Z 3.0

static double
bin_center (guint b)
{
  return (b + 0.5) / CS_SCAN_HIST_BINS * 2.0 - 1.0;
}

/* The value below which half of the histogram's mass lies. */
static double
hist_median (const guint32 *hist,
             guint          n)
{
  guint64 seen = 0;

  for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
    {
      seen += hist[b];
      if (seen * 2 >= n)
        return bin_center (b);
    }
  return 0.0;
}

/* The median of |x - median| over the histogram, by bisection on the
 * distance. */
static double
hist_mad (const guint32 *hist,
          guint          n,
          double         median)
{
  double lo = 0.0, hi = 2.0;

  for (int it = 0; it < 40; it++)
    {
      double mid = (lo + hi) / 2;
      guint64 within = 0;

      for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
        if (fabs (bin_center (b) - median) <= mid)
          within += hist[b];
      if (within * 2 >= n)
        hi = mid;
      else
        lo = mid;
    }
  return hi;
}

/* The sampled histogram scaled to `n_matched` photos: the factor. */
static double
hist_scale (const guint32 *hist,
            guint          n_matched)
{
  guint64 sampled = 0;

  for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
    sampled += hist[b];
  return sampled > 0 ? (double) n_matched / sampled : 0.0;
}

/* How many of the matched photos score at least `cutoff`: counted in the
 * head while the head reaches below it, estimated from the histogram
 * (never fewer than the head) when the whole head lies above it. */
static double
count_above (const float   *h,
             guint          n_head,
             const guint32 *hist,
             guint          n_matched,
             double         cutoff)
{
  double scale, n = 0;

  if (h[n_head - 1] < cutoff || n_head >= n_matched)
    {
      guint lo = 0, hi = n_head;

      /* h is sorted best first: the first score below the cutoff */
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          if (h[mid] >= cutoff)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo;
    }
  scale = hist_scale (hist, n_matched);
  for (guint b = CS_SCAN_HIST_BINS; b-- > 0 && bin_center (b) >= cutoff;)
    n += hist[b] * scale;
  return MAX (n, (double) n_head);
}

/* The score of the photo at rank `rank` (1: the best), from the head when
 * it holds that rank, else the lower edge of the histogram bin in which
 * the estimated count reaches it (never above the head's last score). */
static double
score_at_rank (const float   *h,
               guint          n_head,
               const guint32 *hist,
               guint          n_matched,
               double         rank)
{
  double scale, seen = 0;
  guint r = (guint) CLAMP (ceil (rank), 1.0, (double) MAX (n_matched, 1));

  if (r <= n_head)
    return h[r - 1];
  scale = hist_scale (hist, n_matched);
  for (guint b = CS_SCAN_HIST_BINS; b-- > 0;)
    {
      seen += hist[b] * scale;
      if (seen >= r)
        return MIN ((double) b / CS_SCAN_HIST_BINS * 2.0 - 1.0, (double) h[n_head - 1]);
    }
  return -1.0;
}

CsCutoff
_cs_cutoff_find (const float   *h,
                 guint          n_head,
                 const guint32 *hist,
                 guint          n_matched,
                 double         strictness)
{
  CsCutoff c = { 0 };
  guint k_max;
  gboolean found = FALSE;

  if (n_head == 0)
    {
      c.cutoff = INFINITY;
      c.method = "empty";
      return c;
    }
  {
    guint64 sampled = 0;

    for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
      sampled += hist[b];
    c.median = hist_median (hist, (guint) sampled);
    c.spread = 1.4826 * hist_mad (hist, (guint) sampled, c.median);
  }

  k_max = MIN (n_head, MAX (100, n_matched / 4));
  for (guint k = GAP_MIN_RANK; k + GAP_WINDOW < k_max; k++)
    {
      double g = h[k - 1] - h[k];
      double above = (h[0] - h[k - 1]) / (k - 1);
      double below = (h[k] - h[k + GAP_WINDOW]) / GAP_WINDOW;

      if (g >= GAP_RATIO * MAX (MAX (above, below), 1e-7))
        {
          c.cutoff = (h[k - 1] + h[k]) / 2.0;
          c.method = "gap";
          found = TRUE;
          break;
        }
    }
  if (!found)
    {
      c.cutoff = MIN ((double) h[0], c.median + OUTLIER_Z * c.spread);
      c.method = "outlier";
    }

  strictness = CLAMP (strictness, -1.0, 1.0);
  if (strictness > 0)
    /* never past the top score: at 1, c + (h0 - c) can round one ulp
     * above h0 (when c is negative and h0 positive), and then no photo
     * at all is accepted where the best one should be */
    c.cutoff = MIN (c.cutoff + strictness * (h[0] - c.cutoff), (double) h[0]);
  else if (strictness <= -1.0)
    c.cutoff = -INFINITY;
  else if (strictness < 0)
    {
      double n0 = MAX (count_above (h, n_head, hist, n_matched, c.cutoff), 1.0);
      double target = n0 * pow ((double) MAX (n_matched, 1) / n0, -strictness);

      c.cutoff = MIN (c.cutoff, score_at_rank (h, n_head, hist, n_matched, target));
    }
  return c;
}
