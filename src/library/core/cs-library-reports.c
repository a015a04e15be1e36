/* cs-library-reports.c - what the app shows of the precision check.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>

#include "cs-clip-runtime.h"
#include "cs-library-reports.h"

void
cs_precision_check_read_async (const char          *database_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  cs_clip_precision_check_read_async (database_path, cancellable, callback, user_data);
}

gboolean
cs_precision_check_read_finish (GAsyncResult  *result,
                                const char   **precision,
                                double        *cosine,
                                GError       **error)
{
  CsPrecisionCheck check;

  if (!cs_clip_precision_check_read_finish (result, &check, error))
    return FALSE;
  if (precision != NULL)
    *precision = clip_precision_name (check.precision);
  if (cosine != NULL)
    *cosine = check.cosine;
  return TRUE;
}

/* Fastest first; the untimed after the timed. */
static int
trial_compare (gconstpointer a,
               gconstpointer b)
{
  const CsPrecisionTrial *x = a, *y = b;
  double vx = isfinite (x->images_per_second) ? x->images_per_second : -1.0;
  double vy = isfinite (y->images_per_second) ? y->images_per_second : -1.0;

  return (vx < vy) - (vx > vy);
}

gboolean
cs_precision_check_read_finish_full (GAsyncResult  *result,
                                     const char   **precision,
                                     double        *cosine,
                                     char         **cpu,
                                     GArray       **trials,
                                     GError       **error)
{
  CsPrecisionCheck check;

  if (!cs_clip_precision_check_read_finish (result, &check, error))
    return FALSE;
  if (precision != NULL)
    *precision = clip_precision_name (check.precision);
  if (cosine != NULL)
    *cosine = check.cosine;
  if (cpu != NULL)
    *cpu = g_strdup (check.cpu);
  if (trials != NULL)
    {
      *trials = g_array_new (FALSE, FALSE, sizeof (CsPrecisionTrial));
      for (int p = 0; p < CLIP_N_PRECISIONS; p++)
        if (!isnan (check.tested[p]))
          {
            CsPrecisionTrial t = { clip_precision_name (p), check.tested[p], check.images_per_s[p] };

            g_array_append_val (*trials, t);
          }
      g_array_sort (*trials, trial_compare);
    }
  return TRUE;
}
