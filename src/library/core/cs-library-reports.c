/* cs-library-reports.c - what the app shows of the precision check.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

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
