/* cs-duplicates.h - exact and near-duplicate groups over the index.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  Runs on a worker thread; reads image files
 * (the nearly blank test).
 */
#pragma once

#include "cs-blank.h"
#include "cs-library-private.h"

G_BEGIN_DECLS

/* The groups (a new GListStore of CsDuplicateGroup), or NULL when
 * cancelled (G_IO_ERROR_CANCELLED). */
GListModel *cs_duplicates_find      (CsVectorIndex  *index,
                                     double          threshold,
                                     GCancellable   *cancellable,
                                     GError        **error);

/* The same, reading the nearly blank test's statistic from the database
 * at `database_path` (NULL: decode every candidate), where the indexer
 * stores it; photos without it are decoded once and get it stored. */
GListModel *cs_duplicates_find_in   (CsVectorIndex  *index,
                                     const char     *database_path,
                                     double          threshold,
                                     GCancellable   *cancellable,
                                     GError        **error);

/* How far a search is, from 0 to 1 (never decreasing), called on the
 * search's thread, often (once per tile of the similarity matrix and per
 * candidate pair): the callee coalesces. */
typedef void (*CsDuplicatesProgress) (double   fraction,
                                      gpointer data);

/* cs_duplicates_find_in() that reports its progress. */
GListModel *cs_duplicates_find_with_progress (CsVectorIndex         *index,
                                              const char            *database_path,
                                              double                 threshold,
                                              CsDuplicatesProgress   progress,
                                              gpointer               progress_data,
                                              GCancellable          *cancellable,
                                              GError               **error);

G_END_DECLS
