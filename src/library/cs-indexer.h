/* cs-indexer.h - background indexing of photo folders into the store.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsIndexer lives on the thread that made it (its home: normally the
 * main thread, with a GMainContext running); its properties change and its
 * signals fire only there.  Scanning, hashing, decoding, embedding and
 * every SQL statement run on worker threads, so nothing here blocks the
 * caller's main loop.  Progress is coalesced: at most one notification of
 * the counters is pending at any time, never one per photo.
 */
#pragma once

#include <gio/gio.h>

#include "cs-index-failure.h"

G_BEGIN_DECLS

#define CS_INDEXER_ERROR (cs_indexer_error_quark ())
GQuark cs_indexer_error_quark (void);

typedef enum {
  CS_INDEXER_ERROR_NO_MODEL,     /* no model directory is set */
  CS_INDEXER_ERROR_NO_FOLDERS,   /* nothing to index */
  CS_INDEXER_ERROR_BUSY,         /* a run is already going on */
  CS_INDEXER_ERROR_NOT_FINITE,   /* the model gave a photo a NaN or infinite embedding */
  CS_INDEXER_ERROR_READ_ONLY,    /* the database cannot be written */
} CsIndexerError;

typedef enum {
  CS_INDEXER_STATE_IDLE,
  CS_INDEXER_STATE_SCANNING,     /* walking folders, finding what changed */
  CS_INDEXER_STATE_INDEXING,     /* decoding and embedding */
} CsIndexerState;

/* What one run did.  Paths are in the file system's encoding. */
typedef struct {
  guint64    added;        /* new photos embedded (or given a twin's vector) */
  guint64    updated;      /* changed photos re-embedded */
  guint64    moved;        /* moved or renamed: kept their vectors */
  guint64    removed;      /* gone from disk or excluded: left the index */
  guint64    reembedded;   /* unchanged photos embedded for a new model */
  guint64    unchanged;
  guint64    failed;       /* files (and folders) that failed in this run */
  guint64    still_failing;/* failed before and unchanged since: not retried */
  guint64    skipped;      /* left out on purpose: SVG drawings, folders too deep */
  GPtrArray *failures;     /* CsIndexFailure* of this run (path, reason) */
  GPtrArray *skips;        /* CsIndexFailure* left out on purpose (path, reason):
                            * not failures, never recorded, listed every run */
  GPtrArray *unavailable;  /* char*: included folders missing (not emptied) */
  double     seconds;
  const char *precision;  /* the image encoder's: "f32", "int8", ... (static) */
} CsIndexSummary;

CsIndexSummary *cs_index_summary_copy (const CsIndexSummary *summary);

/* `message` (an error about the file `path`) without the path in it, for
 * a failure's reason (shown after the path).  Newly allocated. */
char *cs_indexer_failure_reason (const char *path,
                                 const char *message);

/* For tests only: called on every fresh embedding (normalised, before the
 * finiteness check and the store) of every run, on the run's thread, so a
 * test can poison one.  NULL removes it.  Not thread-safe against a run. */
typedef void (*CsIndexerEmbeddingHook) (const char *path,
                                        float      *vector,
                                        int         dim);
void cs_indexer_set_embedding_hook_for_testing (CsIndexerEmbeddingHook hook);
void            cs_index_summary_free (CsIndexSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsIndexSummary, cs_index_summary_free)

#define CS_TYPE_INDEXER (cs_indexer_get_type ())
G_DECLARE_FINAL_TYPE (CsIndexer, cs_indexer, CS, INDEXER, GObject)

/* A new indexer on the database at `database_path` (NULL: the default
 * location) with the CLIP model in `model_dir` (NULL: none yet; set the
 * "model-dir" property before a run).  Nothing is opened until a run. */
CsIndexer  *cs_indexer_new              (const char *database_path,
                                         const char *model_dir);

/* The library's folders live in the store (the database), whoever added
 * them (the app, clipsight-cli).  Changes are written by the next run
 * (the home thread runs no SQL) but show in cs_indexer_get_folders() at
 * once; a removed or excluded folder's photos leave the index at that
 * run.  Adding an excluded folder includes it; removing an excluded one
 * un-excludes it.  Paths are canonicalised (absolute, no trailing '/'). */
void        cs_indexer_add_folder       (CsIndexer  *self,
                                         const char *path);
void        cs_indexer_exclude_folder   (CsIndexer  *self,
                                         const char *path);
void        cs_indexer_remove_folder    (CsIndexer  *self,
                                         const char *path);

/* The included (or excluded) folders, sorted bytewise, NULL-terminated:
 * the store's as last read (by cs_indexer_load_folders_async() or a
 * run), with the changes given since.  Empty until first read.  Valid
 * until the next "folders-changed". */
const char *const *cs_indexer_get_folders (CsIndexer *self,
                                           gboolean   excluded);

/* Reads the store's folders on a worker thread (emitting
 * "folders-changed" when they differ from what the indexer had), for a
 * library whose folders another process may have changed. */
void        cs_indexer_load_folders_async  (CsIndexer           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    cs_indexer_load_folders_finish (CsIndexer           *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Scans every included folder, embeds what is new or changed, moves what
 * moved, removes what is gone, re-embeds for a new model.  One run at a
 * time: a second call while one runs is queued behind it and finishes
 * when that next run does.  Cancelling stops within a second; everything
 * committed stays.  `callback` runs on the home thread. */
void        cs_indexer_rescan_async     (CsIndexer           *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* The run's summary (free it), or NULL with an error (G_IO_ERROR_CANCELLED
 * when cancelled, CS_INDEXER_ERROR, CS_STORE_ERROR, CS_CLIP_ERROR). */
CsIndexSummary *cs_indexer_rescan_finish (CsIndexer    *self,
                                          GAsyncResult *result,
                                          GError      **error);

/* The blocking twin, for the command line: runs on the calling thread
 * (which is then the home of the notifications it makes, dispatched when
 * that thread iterates its main context). */
CsIndexSummary *cs_indexer_rescan       (CsIndexer    *self,
                                         GCancellable *cancellable,
                                         GError      **error);

/* Pausing takes effect within a second (at the next photo or batch); the
 * run keeps its place and goes on when unpaused. */
void        cs_indexer_set_paused       (CsIndexer  *self,
                                         gboolean    paused);
gboolean    cs_indexer_get_paused       (CsIndexer  *self);

/* Live mode: after each run, watch every folder of the library with
 * GFileMonitor and run again (on the changed folders only) a moment after
 * photos are added, changed, moved or deleted.  Needs the home thread's
 * main loop running. */
void        cs_indexer_set_watching     (CsIndexer  *self,
                                         gboolean    watching);
gboolean    cs_indexer_get_watching     (CsIndexer  *self);

/* Stops the running run, if any, whoever started it (a caller or a
 * watched change): what it committed stays.  Its waiting callers get
 * G_IO_ERROR_CANCELLED; "running" turns FALSE once it is over. */
void        cs_indexer_cancel           (CsIndexer  *self);
/* The summary of the last run that succeeded (a caller's or a watched
 * change's), or NULL; valid until the next run ends.  Read it in a
 * "finished" handler.  A run that fails emits "failed" (const GError *)
 * instead, whoever started it: the way to hear of a watched change's
 * failure. */
const CsIndexSummary *cs_indexer_get_last_summary (CsIndexer *self);

const char *cs_indexer_get_model_dir    (CsIndexer  *self);
const char *cs_indexer_get_precision    (CsIndexer  *self);
void        cs_indexer_set_precision    (CsIndexer  *self,
                                         const char *precision);
void        cs_indexer_set_model_dir    (CsIndexer  *self,
                                         const char *model_dir);
/* The folder (holding large/) where runs write thumbnails (cs-thumbnail.h)
 * of the photos they decode, or NULL (the default) for none. */
const char *cs_indexer_get_thumbnail_dir (CsIndexer *self);
void        cs_indexer_set_thumbnail_dir (CsIndexer  *self,
                                          const char *thumbnail_dir);
CsIndexerState cs_indexer_get_state     (CsIndexer  *self);
gboolean    cs_indexer_get_running      (CsIndexer  *self);
guint64     cs_indexer_get_n_done       (CsIndexer  *self);
guint64     cs_indexer_get_n_total      (CsIndexer  *self);
guint64     cs_indexer_get_n_failed     (CsIndexer  *self);
/* n_done / n_total of the photos this run embeds (0 when none). */
double      cs_indexer_get_fraction     (CsIndexer  *self);
const char *cs_indexer_get_current_folder (CsIndexer *self);

G_END_DECLS
