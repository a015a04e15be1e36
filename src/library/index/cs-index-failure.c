/* cs-index-failure.c - a file the indexer could not index, and why.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-index-failure.h"

G_DEFINE_BOXED_TYPE (CsIndexFailure, cs_index_failure, cs_index_failure_copy, cs_index_failure_free)

CsIndexFailure *
cs_index_failure_new (const char *path,
                      const char *reason,
                      gint64      size,
                      gint64      mtime_us)
{
  CsIndexFailure *f;

  g_return_val_if_fail (path != NULL, NULL);

  f = g_new0 (CsIndexFailure, 1);
  f->path = g_strdup (path);
  f->reason = g_strdup (reason);
  f->size = size;
  f->mtime_us = mtime_us;
  return f;
}

CsIndexFailure *
cs_index_failure_copy (const CsIndexFailure *failure)
{
  g_return_val_if_fail (failure != NULL, NULL);
  return cs_index_failure_new (failure->path, failure->reason, failure->size, failure->mtime_us);
}

void
cs_index_failure_free (CsIndexFailure *failure)
{
  if (failure == NULL)
    return;
  g_free (failure->path);
  g_free (failure->reason);
  g_free (failure);
}
