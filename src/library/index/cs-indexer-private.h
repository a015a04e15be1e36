/* cs-indexer-private.h - what the files of CsIndexer share: the object,
 * the job of one run and the progress between them.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/stat.h>

#include "clip.h"
#include "cs-indexer.h"
#include "cs-pixel-budget.h"
#include "cs-scanner.h"
#include "cs-store.h"

G_BEGIN_DECLS


#define BATCH_SIZE        8
#define SCAN_TXN_OPS      256
#define DECODE_THREADS    2
#define MONITOR_DEBOUNCE_MS 1500
typedef struct {
  gatomicrefcount ref;
  GMutex          mutex;
  GCond           cond;
  GMainContext   *home;
  GWeakRef        owner;
  gboolean        idle_pending;
  gboolean        paused;
  CsIndexerState  state;
  guint64         done, total, failed;
  guint64         batches;       /* batches committed: one signal per idle */
  char           *folder;
} Progress;

struct _CsIndexer {
  GObject         parent_instance;

  char           *database_path;
  char           *model_dir;
  char           *precision;       /* NULL: cs_clip_indexing_precision () */
  char           *thumbnail_dir;   /* NULL: no thumbnails */
  Progress       *progress;

  /* mirrors of the progress, as last notified on the home thread */
  CsIndexerState  state;
  guint64         n_done, n_total, n_failed;
  guint64         n_batches;
  char           *current_folder;
  gboolean        running;
  gboolean        paused;

  GPtrArray      *folder_ops;      /* FolderOp*, applied by the next run */
  GTask          *current;         /* the running job's task */
  GPtrArray      *queued;          /* GTask* waiting for the next run */
  GHashTable     *pending_roots;   /* folders the monitors saw change */
  GPtrArray      *queued_roots;    /* roots for the queued run, NULL: all */

  gboolean        watching;
  GHashTable     *monitors;        /* folder path -> GFileMonitor */
  CsIndexSummary *last_summary;    /* of the last successful run */
  guint           debounce_id;
  gboolean        disposed;        /* a run ending later leaves it alone */

  /* the folders as the store has them, with the changes given since:
   * path -> GINT_TO_POINTER (FolderOpKind OP_ADD or OP_EXCLUDE) */
  GHashTable     *folders;
  char          **folder_lists[2]; /* included, excluded: sorted views */
  guint           folders_serial;  /* runs that ended: a slower read is stale */
};

typedef enum {
  OP_ADD,
  OP_EXCLUDE,
  OP_REMOVE,
} FolderOpKind;

typedef struct {
  FolderOpKind kind;
  char        *path;
} FolderOp;

typedef enum {
  ITEM_ADDED,
  ITEM_UPDATED,
  ITEM_REEMBED,
  ITEM_MOVED,     /* found to be a moved photo with its vector: nothing to do */
} ItemKind;

typedef struct {
  ItemKind kind;
  char    *path;
  gint64   size;
  gint64   mtime_us;
  char    *hash;       /* NULL until the decode task computes it */
  char    *old_hash;   /* ITEM_UPDATED: the stored content's hash */
  gboolean has_vector; /* ITEM_UPDATED: the stored row has a current vector */
  int      old_taken_source; /* ITEM_UPDATED: the stored row's CsStoreTakenSource */
  /* filled by the decode task */
  gboolean touched;    /* same content as stored: nothing to decode */
  float   *tensor;
  int      width, height;
  gint64   taken;
  int      taken_source; /* a CsStoreTakenSource */
  double   blank_stddev; /* the duplicate search's nearly blank statistic */
  GError  *error;
} Item;

typedef struct {
  /* inputs: an immutable snapshot */
  char          *database_path;
  char          *model_dir;
  clip_precision precision;
  gboolean       check_precision; /* chosen by cs_clip_check_precision on first load */
  char          *thumbnail_dir;  /* where decoders write thumbnails; NULL: none */
  GPtrArray     *folder_ops;     /* FolderOp*, immutable once the run starts */
  gboolean       folder_ops_applied; /* written to the store by this run */
  GPtrArray     *roots;          /* char*, NULL: every included folder */
  GCancellable  *cancellable;
  Progress      *progress;

  /* worker state */
  CsStore       *store;
  CsStoreIndexLock *lock;        /* held from the open to the end of the run */
  clip_model    *model;
  clip_ctx      *ctx;
  gint64         model_row;
  GPtrArray     *included;       /* char* */
  GPtrArray     *excluded;       /* char*, NULL-terminated view below */
  GHashTable    *seen;           /* paths walked */
  GPtrArray     *folders_seen;   /* char*: folders walked, for the monitors */
  GPtrArray     *queue;          /* Item* to embed */
  guint          scan_ops;       /* writes in the open scan transaction */
  CsIndexSummary *summary;

  GAsyncQueue   *results;        /* Item* back from the decode pool */
  CsPixelBudget *decode_budget;  /* bytes the decode threads may hold at once */
} Job;

typedef struct {
  CsIndexSummary *summary;
  GPtrArray      *folders_seen;
  GPtrArray      *included;       /* the store's folders, after the run's changes */
  GPtrArray      *excluded;
} JobResult;


Progress *cs_indexer_progress_ref (Progress *p);
void      cs_indexer_progress_unref (Progress *p);
void      cs_indexer_progress_changed_locked (Progress *p);

void      cs_index_item_free (gpointer p);
void      cs_index_job_result_free (gpointer p);
void      cs_index_job_free (Job *job);
void      cs_index_job_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable);
void      cs_index_job_set_state (Job           *job,
                                  CsIndexerState state,
                                  const char    *folder);
void      cs_index_job_add_progress (Job    *job,
                                     guint64 done,
                                     guint64 failed,
                                     guint64 total);
gboolean  cs_index_job_continue (Job *job);
int       cs_index_job_abort_cb (void *data);
void      cs_index_summary_add_failure (CsIndexSummary *s,
                                        const char     *path,
                                        const char     *reason,
                                        gint64          size,
                                        gint64          mtime_us);
void      cs_index_summary_add_skip    (CsIndexSummary *s,
                                        const char     *path,
                                        const char     *reason);
GPtrArray *cs_index_strv_array_new (void);
const char *const *cs_index_ptr_array_as_strv (GPtrArray *a);
gboolean  cs_index_path_is_under_any (const char *path,
                                      GPtrArray  *folders);

gboolean  cs_index_job_scan (Job       *job,
                             GPtrArray *roots,
                             GError   **error);
gboolean  cs_index_job_sweep (Job       *job,
                              GPtrArray *roots,
                              GError   **error);

gboolean  cs_index_job_load_model (Job     *job,
                                   GError **error);
gboolean  cs_index_job_embed (Job     *job,
                              GError **error);

void      cs_indexer_start_run (CsIndexer *self);
void      cs_indexer_set_store_folders (CsIndexer *self,
                                        GPtrArray *included,
                                        GPtrArray *excluded,
                                        gboolean   with_running);
void      cs_indexer_update_monitors (CsIndexer *self,
                                      GPtrArray *folders);

G_END_DECLS
