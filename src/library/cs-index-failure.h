/* cs-index-failure.h - a file the indexer could not index, and why.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The indexer's own type for the failures of a run (CsIndexSummary's
 * failures), so that its callers need not know the store's.
 */
#pragma once

#include <gio/gio.h>

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

/* Every failure the database at `database_path` (NULL: the default
 * location) holds, whichever run recorded it, read in a thread: the
 * finish returns a GPtrArray of CsIndexFailure sorted by path, the
 * reasons without the path in them, or NULL with CS_STORE_ERROR. */
void            cs_index_failures_read_async    (const char           *database_path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray      *cs_index_failures_read_finish   (GAsyncResult         *result,
                                                 GError              **error);

/* Forgets every failure the database holds, in a thread, so that the
 * next run tries those files again (unchanged failed files are skipped
 * otherwise).  Call it while no run is going. */
void            cs_index_failures_forget_async  (const char           *database_path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        cs_index_failures_forget_finish (GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
