/* cs-library-reports.c - what the app shows of indexing runs and checks.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-clip-runtime.h"
#include "cs-library-reports.h"
#include "cs-store.h"

const char *
cs_index_summary_get_failure_path (const CsIndexSummary *summary,
                                   guint                 i)
{
  g_return_val_if_fail (summary != NULL && summary->failures != NULL, NULL);
  g_return_val_if_fail (i < summary->failures->len, NULL);

  return ((const CsStoreFailure *) summary->failures->pdata[i])->path;
}

const char *
cs_index_summary_get_failure_reason (const CsIndexSummary *summary,
                                     guint                 i)
{
  g_return_val_if_fail (summary != NULL && summary->failures != NULL, NULL);
  g_return_val_if_fail (i < summary->failures->len, NULL);

  return ((const CsStoreFailure *) summary->failures->pdata[i])->reason;
}

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
