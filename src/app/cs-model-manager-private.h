/* cs-model-manager-private.h - what the model download's worker shares.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CsModelManager (cs-model-manager.c) runs the download on a worker
 * thread with a snapshot, a Job; cs-model-fetch.c fetches and checks each
 * file of it.  Only these two files include this header.
 */
#pragma once

#include <libsoup/soup.h>

#include "cs-model-manager.h"

G_BEGIN_DECLS

#define PART_DIR     ".download"
#define CHUNK_SIZE   (256 * 1024)

typedef struct {
  char   *name;
  gint64  size;
  char   *sha256;
} FileSpec;

/* Progress shared by the worker and the home thread. */
typedef struct {
  gatomicrefcount ref;
  GMutex          mutex;
  GWeakRef        owner;
  GMainContext   *home;
  gboolean        idle_pending;
  guint64         done, total;
  char           *current;
} Progress;

/* What the worker gets: a snapshot. */
typedef struct {
  char      *target_dir;
  char      *base_url;
  GPtrArray *files;
  Progress  *progress;
} Job;

/* cs-model-manager.c: adds to the progress (from any thread); the home
 * thread hears of it in an idle of low priority, one at a time. */
void     _cs_model_report          (Progress       *p,
                                    gint64          done_delta,
                                    gint64          total_delta,
                                    const char     *current);
/* cs-model-manager.c: whether `s` is 64 hexadecimal digits. */
gboolean _cs_model_is_sha256       (const char     *s);

/* cs-model-fetch.c: a file already in the target folder counts once it
 * matches its pin; otherwise it is deleted, to be fetched again.  Sets
 * `*good`. */
gboolean _cs_model_check_in_place  (Job            *job,
                                    const FileSpec *spec,
                                    gboolean       *good,
                                    GCancellable   *cancellable,
                                    GError        **error);
/* cs-model-fetch.c: fetches one file into its part, resuming it; verifies
 * it and renames it into place. */
gboolean _cs_model_fetch_file      (SoupSession    *session,
                                    Job            *job,
                                    const FileSpec *spec,
                                    GCancellable   *cancellable,
                                    GError        **error);

G_END_DECLS
