/* cs-index-failure.h - a file the indexer could not index, and why.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The indexer's own type for the failures of a run (CsIndexSummary's
 * failures), so that its callers need not know the store's.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  char   *path;      /* in the file system's encoding */
  char   *reason;    /* for people, without the path (UTF-8) */
  gint64  size;      /* bytes, when it failed (0: not a photo read) */
  gint64  mtime_us;  /* µs since the epoch, when it failed */
} CsIndexFailure;

#define CS_TYPE_INDEX_FAILURE (cs_index_failure_get_type ())
GType           cs_index_failure_get_type (void) G_GNUC_CONST;

CsIndexFailure *cs_index_failure_new      (const char           *path,
                                           const char           *reason,
                                           gint64                size,
                                           gint64                mtime_us);
CsIndexFailure *cs_index_failure_copy     (const CsIndexFailure *failure);
/* NULL is fine. */
void            cs_index_failure_free     (CsIndexFailure       *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsIndexFailure, cs_index_failure_free)

G_END_DECLS
