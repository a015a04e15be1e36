/* cs-indexer.c - background indexing of photo folders into the store.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run is a job on one worker thread with its own store connection:
 *
 *  1. scan: walk the folders; for each photo decide, from size and mtime
 *     and then the partial hash, whether it is unchanged, changed, new, a
 *     moved photo (same hash, old path gone: keep its vectors) or a copy
 *     (same hash, old path still there: copy its vector);
 *  2. remove what was not seen (gone, excluded, hidden), except below an
 *     included folder that is missing altogether (an unmounted disk must
 *     not empty the library);
 *  3. embed: a GThreadPool of at most two threads decodes and preprocesses,
 *     the job thread batches the tensors through the engine and commits
 *     each batch (photos, vectors, failures) in one transaction, so a kill
 *     loses at most the batch in flight.
 *
 * The home thread gets progress through one pending low-priority idle at
 * most (sysprof's pattern) and never runs SQL.
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clip.h"
#include "cs-clip-error.h"
#include "cs-clip-runtime.h"
#include "cs-decode.h"
#include "cs-blank.h"
#include "cs-exif.h"
#include "cs-file-hash.h"
#include "cs-indexer.h"
#include "cs-pixel-budget.h"
#include "cs-raw.h"
#include "cs-scanner.h"
#include "cs-store.h"

#define BATCH_SIZE        8
#define SCAN_TXN_OPS      256
#define DECODE_THREADS    2
#define MONITOR_DEBOUNCE_MS 1500

G_DEFINE_QUARK (cs-indexer-error-quark, cs_indexer_error)

/* ------------------------------------------------------------------ */
/* Progress shared between the job and the home thread                 */
/* ------------------------------------------------------------------ */

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

static Progress *
progress_new (GObject *owner)
{
  Progress *p = g_new0 (Progress, 1);
  g_atomic_ref_count_init (&p->ref);
  g_mutex_init (&p->mutex);
  g_cond_init (&p->cond);
  p->home = g_main_context_ref_thread_default ();
  g_weak_ref_init (&p->owner, owner);
  return p;
}

static Progress *
progress_ref (Progress *p)
{
  g_atomic_ref_count_inc (&p->ref);
  return p;
}

static void
progress_unref (Progress *p)
{
  if (!g_atomic_ref_count_dec (&p->ref))
    return;
  g_mutex_clear (&p->mutex);
  g_cond_clear (&p->cond);
  g_main_context_unref (p->home);
  g_weak_ref_clear (&p->owner);
  g_free (p->folder);
  g_free (p);
}

struct _CsIndexer {
  GObject         parent_instance;

  char           *database_path;
  char           *model_dir;
  char           *precision;       /* NULL: cs_clip_indexing_precision () */
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
};

G_DEFINE_FINAL_TYPE (CsIndexer, cs_indexer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_MODEL_DIR,
  PROP_PRECISION,
  PROP_STATE,
  PROP_RUNNING,
  PROP_PAUSED,
  PROP_WATCHING,
  PROP_N_DONE,
  PROP_N_TOTAL,
  PROP_N_FAILED,
  PROP_FRACTION,
  PROP_CURRENT_FOLDER,
  N_PROPS
};

enum {
  SIGNAL_BATCH_COMMITTED,
  SIGNAL_FINISHED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum {
  OP_ADD,
  OP_EXCLUDE,
  OP_REMOVE,
} FolderOpKind;

typedef struct {
  FolderOpKind kind;
  char        *path;
} FolderOp;

static void
folder_op_free (gpointer p)
{
  FolderOp *op = p;
  g_free (op->path);
  g_free (op);
}

static gboolean
progress_idle_cb (gpointer data)
{
  Progress *p = data;
  g_autoptr(CsIndexer) self = g_weak_ref_get (&p->owner);
  CsIndexerState state;
  guint64 done, total, failed, batches;
  g_autofree char *folder = NULL;
  double old_fraction;

  g_mutex_lock (&p->mutex);
  p->idle_pending = FALSE;
  batches = p->batches;
  state = p->state;
  done = p->done;
  total = p->total;
  failed = p->failed;
  folder = g_strdup (p->folder);
  g_mutex_unlock (&p->mutex);

  if (self == NULL || self->progress != p)
    return G_SOURCE_REMOVE;

  old_fraction = cs_indexer_get_fraction (self);
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (self->n_done != done)
    {
      self->n_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
    }
  if (self->n_total != total)
    {
      self->n_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
    }
  if (self->n_failed != failed)
    {
      self->n_failed = failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
    }
  if (g_strcmp0 (self->current_folder, folder) != 0)
    {
      g_free (self->current_folder);
      self->current_folder = g_steal_pointer (&folder);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_FOLDER]);
    }
  if (old_fraction != cs_indexer_get_fraction (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_thaw_notify (G_OBJECT (self));
  if (self->n_batches != batches)
    {
      self->n_batches = batches;
      g_signal_emit (self, signals[SIGNAL_BATCH_COMMITTED], 0);
    }
  return G_SOURCE_REMOVE;
}

/* Called with p->mutex held, from any thread. */
static void
progress_changed_locked (Progress *p)
{
  GSource *source;

  if (p->idle_pending)
    return;
  p->idle_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_callback (source, progress_idle_cb, progress_ref (p), (GDestroyNotify) progress_unref);
  g_source_set_static_name (source, "[cs-indexer] progress");
  g_source_attach (source, p->home);
  g_source_unref (source);
}

/* ------------------------------------------------------------------ */
/* The job                                                             */
/* ------------------------------------------------------------------ */

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
  /* filled by the decode task */
  gboolean touched;    /* same content as stored: nothing to decode */
  float   *tensor;
  int      width, height;
  gint64   taken;
  double   blank_stddev; /* the duplicate search's nearly blank statistic */
  GError  *error;
} Item;

static void
item_free (gpointer p)
{
  Item *it = p;

  if (it == NULL)
    return; /* taken by the decode pool */
  g_free (it->path);
  g_free (it->hash);
  g_free (it->old_hash);
  g_free (it->tensor);
  g_clear_error (&it->error);
  g_free (it);
}

typedef struct {
  /* inputs: an immutable snapshot */
  char          *database_path;
  char          *model_dir;
  clip_precision precision;
  gboolean       check_precision; /* chosen by cs_clip_check_precision on first load */
  GPtrArray     *folder_ops;     /* FolderOp* */
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
} JobResult;

static void
job_result_free (gpointer p)
{
  JobResult *r = p;
  cs_index_summary_free (r->summary);
  g_clear_pointer (&r->folders_seen, g_ptr_array_unref);
  g_free (r);
}

static void
job_free (Job *job)
{
  g_free (job->database_path);
  g_free (job->model_dir);
  g_clear_pointer (&job->folder_ops, g_ptr_array_unref);
  g_clear_pointer (&job->roots, g_ptr_array_unref);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->progress, progress_unref);
  if (job->store != NULL)
    cs_store_rollback (job->store);
  g_clear_object (&job->store);
  g_clear_pointer (&job->lock, cs_store_index_lock_free);
  clip_ctx_free (job->ctx);
  clip_model_free (job->model);
  g_clear_pointer (&job->included, g_ptr_array_unref);
  g_clear_pointer (&job->excluded, g_ptr_array_unref);
  g_clear_pointer (&job->seen, g_hash_table_unref);
  g_clear_pointer (&job->folders_seen, g_ptr_array_unref);
  g_clear_pointer (&job->queue, g_ptr_array_unref);
  g_clear_pointer (&job->summary, cs_index_summary_free);
  g_clear_pointer (&job->results, g_async_queue_unref);
  g_free (job);
}

static void
job_set_state (Job           *job,
               CsIndexerState state,
               const char    *folder)
{
  Progress *p = job->progress;
  g_mutex_lock (&p->mutex);
  p->state = state;
  if (folder != NULL && g_strcmp0 (p->folder, folder) != 0)
    {
      g_free (p->folder);
      p->folder = g_filename_display_name (folder);
    }
  progress_changed_locked (p);
  g_mutex_unlock (&p->mutex);
}

static void
job_add_progress (Job    *job,
                  guint64 done,
                  guint64 failed,
                  guint64 total)
{
  Progress *p = job->progress;
  g_mutex_lock (&p->mutex);
  p->done += done;
  p->failed += failed;
  p->total += total;
  progress_changed_locked (p);
  g_mutex_unlock (&p->mutex);
}

/* Blocks while paused; FALSE when cancelled. */
static gboolean
job_continue (Job *job)
{
  Progress *p = job->progress;
  gboolean go;

  g_mutex_lock (&p->mutex);
  while (p->paused && !g_cancellable_is_cancelled (job->cancellable))
    {
      gint64 until = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
      g_cond_wait_until (&p->cond, &p->mutex, until);
    }
  go = !g_cancellable_is_cancelled (job->cancellable);
  g_mutex_unlock (&p->mutex);
  return go;
}

static int
job_abort_cb (void *data)
{
  Job *job = data;
  return g_cancellable_is_cancelled (job->cancellable);
}

static void
summary_add_failure (CsIndexSummary *s,
                     const char     *path,
                     const char     *reason,
                     gint64          size,
                     gint64          mtime_us)
{
  CsStoreFailure *f = g_new0 (CsStoreFailure, 1);
  f->path = g_strdup (path);
  f->reason = g_strdup (reason);
  f->size = size;
  f->mtime_us = mtime_us;
  g_ptr_array_add (s->failures, f);
  s->failed++;
}

static gint64
stat_mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* Scan writes (moves, touches) are grouped in transactions too. */
static gboolean
scan_write_begin (Job     *job,
                  GError **error)
{
  if (cs_store_in_transaction (job->store))
    return TRUE;
  job->scan_ops = 0;
  return cs_store_begin (job->store, error);
}

static gboolean
scan_write_done (Job     *job,
                 GError **error)
{
  if (++job->scan_ops < SCAN_TXN_OPS)
    return TRUE;
  job->scan_ops = 0;
  return cs_store_commit (job->store, error);
}

static gboolean
scan_flush (Job     *job,
            GError **error)
{
  if (!cs_store_in_transaction (job->store))
    return TRUE;
  return cs_store_commit (job->store, error);
}

static void
queue_item (Job               *job,
            ItemKind           kind,
            const char        *path,
            const struct stat *st,
            char              *hash)
{
  Item *it = g_new0 (Item, 1);
  it->kind = kind;
  it->path = g_strdup (path);
  it->size = st->st_size;
  it->mtime_us = stat_mtime_us (st);
  it->hash = hash;
  g_ptr_array_add (job->queue, it);
}

/* The walk only stats and looks up: no file is read, so a first index
 * of a million photos starts embedding after seconds, not after hashing a
 * terabyte.  Hashes are computed where they are needed: by the decode
 * task (which reads the file anyway), and here only for new files whose
 * size matches a photo that vanished (move candidates). */
static gboolean
scan_photo (Job               *job,
            const char        *path,
            const struct stat *st,
            GError           **error)
{
  g_autoptr(CsStorePhoto) existing = NULL;
  g_autoptr(GError) local = NULL;
  gint64 mtime = stat_mtime_us (st), f_size = 0, f_mtime = 0;

  g_hash_table_add (job->seen, g_strdup (path));
  existing = cs_store_lookup_photo (job->store, path, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* Every lookup's error is the run's: taking a failed lookup for "no
   * vector" would re-embed an unchanged photo, for "no failure" retry a
   * broken file, for "same content" keep a stale vector. */
  if (existing != NULL && existing->size == st->st_size && existing->mtime_us == mtime)
    {
      gboolean has = cs_store_has_vector (job->store, existing->id, job->model_row, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (has)
        job->summary->unchanged++;
      else
        queue_item (job, ITEM_REEMBED, path, st, g_strdup (existing->hash));
      return TRUE;
    }
  gboolean failed_before = cs_store_lookup_failure (job->store, path, &f_size, &f_mtime, NULL, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (failed_before && f_size == st->st_size && f_mtime == mtime)
    {
      job->summary->still_failing++;
      return TRUE;
    }
  if (existing != NULL)
    {
      /* changed size or mtime: the decode task hashes it and skips the
       * decode when only the mtime moved */
      gboolean has = cs_store_has_vector (job->store, existing->id, job->model_row, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      queue_item (job, ITEM_UPDATED, path, st, NULL);
      Item *it = job->queue->pdata[job->queue->len - 1];
      it->old_hash = g_strdup (existing->hash);
      it->has_vector = has;
      return TRUE;
    }
  queue_item (job, ITEM_ADDED, path, st, NULL);
  return TRUE;
}

typedef struct {
  Job    *job;
  GError *error;
} ScanCtx;

static gboolean
on_scan_entry_cb (const char        *path,
                  CsScanKind         kind,
                  const struct stat *st,
                  const char        *reason,
                  gpointer           user_data)
{
  ScanCtx *sc = user_data;
  Job *job = sc->job;

  if (!job_continue (job))
    return FALSE;
  switch (kind)
    {
    case CS_SCAN_FOLDER:
      g_ptr_array_add (job->folders_seen, g_strdup (path));
      job_set_state (job, CS_INDEXER_STATE_SCANNING, path);
      return TRUE;
    case CS_SCAN_UNREADABLE:
    case CS_SCAN_SKIPPED:
      summary_add_failure (job->summary, path, reason, 0, 0);
      return TRUE;
    case CS_SCAN_PHOTO:
    default:
      return scan_photo (job, path, st, &sc->error);
    }
}

static const char *const *
ptr_array_as_strv (GPtrArray *a)
{
  /* the arrays below are kept NULL-terminated */
  return a != NULL ? (const char *const *) a->pdata : NULL;
}

static GPtrArray *
strv_array_new (void)
{
  GPtrArray *a = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  return a;
}

static gboolean
is_under_any (const char *path,
              GPtrArray  *folders)
{
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    if (cs_path_is_below (path, folders->pdata[i]))
      return TRUE;
  return FALSE;
}

typedef struct {
  Job        *job;
  GPtrArray  *unavailable;
  GPtrArray  *vanished;   /* CsStorePhoto*: in the index, not seen on disk */
} SweepCtx;

static gboolean
on_sweep_photo_cb (const CsStorePhoto *photo,
                   gpointer            user_data)
{
  SweepCtx *sw = user_data;

  if (g_hash_table_contains (sw->job->seen, photo->path))
    return TRUE;
  if (is_under_any (photo->path, sw->unavailable))
    return TRUE; /* its folder is missing (unmounted?): keep it */
  g_ptr_array_add (sw->vanished, cs_store_photo_copy (photo));
  return TRUE;
}

/* New files whose size and content hash equal a vanished photo's are that
 * photo, moved or renamed: it keeps its row, vectors and label feedback. */
static gboolean
job_find_moves (Job       *job,
                GPtrArray *vanished,
                GError   **error)
{
  g_autoptr(GHashTable) by_size = NULL;

  if (vanished->len == 0)
    return TRUE;
  by_size = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < vanished->len; i++)
    {
      CsStorePhoto *v = vanished->pdata[i];
      g_hash_table_insert (by_size, &v->size, v);
    }
  for (guint i = 0; i < job->queue->len; i++)
    {
      Item *it = job->queue->pdata[i];
      g_autoptr(GError) local = NULL;

      if (it->kind != ITEM_ADDED || it->error != NULL || !g_hash_table_contains (by_size, &it->size))
        continue;
      if (!job_continue (job))
        return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
      it->hash = cs_file_hash_partial (it->path, job->cancellable, &local);
      if (it->hash == NULL)
        {
          it->error = g_steal_pointer (&local);
          continue;
        }
      for (guint j = 0; j < vanished->len; j++)
        {
          CsStorePhoto *v = vanished->pdata[j];
          if (v == NULL || v->size != it->size || g_strcmp0 (v->hash, it->hash) != 0)
            continue;
          gboolean has;

          if (!scan_write_begin (job, error)
              || !cs_store_move_photo (job->store, v->id, it->path, it->mtime_us, error))
            return FALSE;
          has = cs_store_has_vector (job->store, v->id, job->model_row, &local);
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          job->summary->moved++;
          it->kind = has ? ITEM_MOVED : ITEM_REEMBED;
          cs_store_photo_free (v);
          vanished->pdata[j] = NULL;
          if (!scan_write_done (job, error))
            return FALSE;
          break;
        }
    }
  return TRUE;
}

static gboolean
job_sweep (Job       *job,
           GPtrArray *roots,
           GError   **error)
{
  g_autoptr(GPtrArray) vanished = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_photo_free);
  SweepCtx sw = { job, job->summary->unavailable, vanished };
  gboolean ok = TRUE;

  if (roots == NULL)
    ok = cs_store_foreach_photo (job->store, NULL, on_sweep_photo_cb, &sw, error);
  else
    for (guint i = 0; ok && i < roots->len; i++)
      ok = cs_store_foreach_photo (job->store, roots->pdata[i], on_sweep_photo_cb, &sw, error);
  if (ok)
    ok = job_find_moves (job, vanished, error);

  for (guint i = 0; ok && i < vanished->len; i++)
    {
      CsStorePhoto *v = vanished->pdata[i];
      if (v == NULL)
        continue; /* moved */
      ok = scan_write_begin (job, error)
           && cs_store_delete_photo (job->store, v->id, error)
           && scan_write_done (job, error);
      if (ok)
        job->summary->removed++;
    }

  /* failures of files that are no longer there (or no longer ours) */
  if (ok && roots == NULL)
    {
      g_autoptr(GPtrArray) fails = cs_store_list_failures (job->store, error);
      ok = fails != NULL;
      for (guint i = 0; ok && fails != NULL && i < fails->len; i++)
        {
          CsStoreFailure *f = fails->pdata[i];
          if (!g_hash_table_contains (job->seen, f->path) && !is_under_any (f->path, job->summary->unavailable))
            ok = scan_write_begin (job, error) && cs_store_clear_failure (job->store, f->path, error)
                 && scan_write_done (job, error);
        }
    }
  return ok && scan_flush (job, error);
}

/* Decoding (a pool thread): read-only decode, EXIF orientation, the
 * engine's exact preprocessing. */
static void
decode_task (gpointer data,
             gpointer user_data)
{
  Item *it = data;
  Job *job = user_data;
  const clip_preprocess_params *pp = clip_model_get_preprocess (job->model);
  g_autoptr(CsDecodedImage) img = NULL;
  g_autoptr(GdkPixbuf) raw = NULL;
  clip_image ci;
  char *msg = NULL;
  clip_status status;

  if (g_cancellable_is_cancelled (job->cancellable))
    {
      it->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      g_async_queue_push (job->results, it);
      return;
    }
  if (it->hash == NULL)
    {
      it->hash = cs_file_hash_partial (it->path, job->cancellable, &it->error);
      if (it->hash == NULL)
        {
          g_async_queue_push (job->results, it);
          return;
        }
    }
  if (it->kind == ITEM_UPDATED && it->has_vector && g_strcmp0 (it->hash, it->old_hash) == 0)
    {
      /* touched, not changed: keep the row's vectors */
      it->touched = TRUE;
      g_async_queue_push (job->results, it);
      return;
    }
  int min_side = 2 * clip_model_get_info (job->model)->image_size;
  guint64 held = cs_pixel_budget_acquire (job->decode_budget,
                                          cs_raw_is_raw_name (it->path) ? cs_raw_estimate_bytes (it->path)
                                          : cs_decode_estimate_bytes (it->path, min_side));
  if (cs_raw_is_raw_name (it->path))
    {
      raw = cs_raw_load_preview (it->path, &it->error);
      if (raw != NULL)
        {
          ci.pixels = gdk_pixbuf_read_pixels (raw);
          ci.width = gdk_pixbuf_get_width (raw);
          ci.height = gdk_pixbuf_get_height (raw);
          ci.stride = gdk_pixbuf_get_rowstride (raw);
          ci.format = gdk_pixbuf_get_has_alpha (raw) ? CLIP_PIXELS_RGBA8 : CLIP_PIXELS_RGB8;
          ci.nearest = 0;
        }
    }
  else
    {
      /* DCT-scaled JPEG decode to at least twice the model's input, then the
       * exact resize: embeddings stay within cosine 0.995 of the full decode
       * (test-decode measures it) at a sixth of the decoding time */
      img = cs_decode_file_for_size (it->path, min_side, 0, &it->error);
      if (img != NULL)
        ci = cs_decoded_image_as_clip_for (img, pp);
    }
  if (it->error == NULL)
    {
      it->width = img != NULL ? img->orig_width : ci.width;
      it->height = img != NULL ? img->orig_height : ci.height;
      /* from this decode, so that the duplicate search need not decode */
      it->blank_stddev = cs_blank_pixel_stddev (ci.pixels, ci.width, ci.height, ci.stride, ci.format);
      it->tensor = g_try_new (float, 3 * (gsize) pp->crop_height * pp->crop_width);
      if (it->tensor == NULL)
        it->error = g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "out of memory");
      else if ((status = clip_preprocess (pp, &ci, it->tensor, &msg)) != CLIP_STATUS_OK)
        {
          cs_clip_propagate (&it->error, status, msg);
          g_clear_pointer (&it->tensor, g_free);
        }
      if (!cs_exif_read_date_taken (it->path, &it->taken))
        it->taken = it->mtime_us / G_USEC_PER_SEC;
    }
  g_clear_pointer (&img, cs_decoded_image_free);
  g_clear_object (&raw);
  cs_pixel_budget_release (job->decode_budget, held);
  g_async_queue_push (job->results, it);
}

/* The reason of a failure, without the path: failures are shown as
 * "path: reason", and the decoders name the file in their messages
 * (sometimes twice, a RAW's preview error inside the RAW's). */
char *
cs_indexer_failure_reason (const char *path,
                           const char *message)
{
  g_autoptr(GString) reason = g_string_new (message);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *raw_prefix = g_strconcat (path, ": ", NULL);
  g_autofree char *display_prefix = g_strconcat (display, ": ", NULL);

  g_string_replace (reason, raw_prefix, "", 0);
  g_string_replace (reason, display_prefix, "", 0);
  if (reason->len == 0)
    return g_strdup (message);
  return g_string_free (g_steal_pointer (&reason), FALSE);
}

static char *
item_reason (const Item *it)
{
  if (g_error_matches (it->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_strdup ("vanished while indexing");
  return cs_indexer_failure_reason (it->path, it->error->message);
}

/* A new file whose content is already indexed under another path (a
 * copy): its twin's vector, or NULL (with *error set when a lookup
 * failed: the caller must not take that for "no twin"). */
static float *
twin_vector (Job     *job,
             Item    *it,
             int     *dim,
             GError **error)
{
  g_autoptr(GPtrArray) twins = cs_store_find_photos_by_hash (job->store, it->hash, it->size, error);

  for (guint i = 0; twins != NULL && i < twins->len; i++)
    {
      CsStorePhoto *t = twins->pdata[i];
      float *v;
      if (strcmp (t->path, it->path) == 0)
        continue;
      v = cs_store_dup_vector (job->store, t->id, job->model_row, dim, error);
      if (v != NULL || (error != NULL && *error != NULL))
        return v;
    }
  return NULL;
}

static gboolean
vector_is_finite (const float *v,
                  int          dim)
{
  for (int i = 0; i < dim; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

static CsIndexerEmbeddingHook embedding_hook;

void
cs_indexer_set_embedding_hook_for_testing (CsIndexerEmbeddingHook hook)
{
  embedding_hook = hook;
}

/* Encodes and commits one batch in one transaction: `ok` hold tensors (or
 * are touched files), `bad` errors. */
static gboolean
commit_batch (Job       *job,
              GPtrArray *ok,
              GPtrArray *bad,
              GError   **error)
{
  const clip_model_info *info = clip_model_get_info (job->model);
  int dim = info->embed_dim;
  size_t nf = clip_model_image_floats (job->model);
  g_autofree float *pix = g_new (float, nf * MAX (ok->len, 1));
  g_autofree float *emb = g_new (float, (gsize) dim * MAX (ok->len, 1));
  g_autofree float **vec = g_new0 (float *, MAX (ok->len, 1));   /* per item: its vector */
  g_autoptr(GPtrArray) reused = g_ptr_array_new_with_free_func (g_free);
  guint n_encode = 0, n_touched = 0, n_items = ok->len + bad->len;
  char *msg = NULL;
  clip_status status;

  /* copies reuse their twin's vector; the rest go through the encoder */
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      int tdim = 0;
      float *tv;

      if (it->touched)
        continue;
      if (it->kind == ITEM_ADDED && (tv = twin_vector (job, it, &tdim, error)) != NULL && tdim == dim)
        {
          g_ptr_array_add (reused, tv);
          vec[i] = tv;
          continue;
        }
      else if (it->kind == ITEM_ADDED && tv != NULL)
        g_free (tv);
      if (error != NULL && *error != NULL)
        return FALSE;
      memcpy (pix + nf * n_encode, it->tensor, nf * sizeof (float));
      vec[i] = emb + (gsize) dim * n_encode++;
    }
  if (n_encode > 0)
    {
      status = clip_encode_images (job->ctx, pix, (int) n_encode, emb, &msg);
      if (status == CLIP_STATUS_ABORTED)
        {
          clip_free (msg);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "indexing cancelled");
          return FALSE;
        }
      if (status == CLIP_STATUS_NOT_FINITE)
        {
          /* The engine refuses the whole batch when one embedding is not
           * finite: encode each image alone, so that only the photo whose
           * embedding overflowed fails (with its reason, below) and the
           * rest of the batch is stored. */
          clip_free (msg);
          msg = NULL;
          for (guint j = 0; j < n_encode; j++)
            {
              status = clip_encode_images (job->ctx, pix + nf * j, 1, emb + (gsize) dim * j, &msg);
              if (status == CLIP_STATUS_NOT_FINITE)
                {
                  clip_free (msg);
                  msg = NULL;
                  emb[(gsize) dim * j] = NAN;  /* fails the finiteness check below */
                  continue;
                }
              if (status == CLIP_STATUS_ABORTED)
                {
                  clip_free (msg);
                  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "indexing cancelled");
                  return FALSE;
                }
              if (status != CLIP_STATUS_OK)
                return cs_clip_propagate (error, status, msg);
            }
          status = CLIP_STATUS_OK;
        }
      if (status != CLIP_STATUS_OK)
        return cs_clip_propagate (error, status, msg);
      for (guint j = 0; j < n_encode; j++)
        clip_normalize (emb + (gsize) dim * j, dim);
    }
  /* Never store a NaN or an infinity (a broken model, or a kernel bug):
   * the photo fails, with its reason, and is not searchable. */
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];

      if (it->touched)
        continue;
      if (embedding_hook != NULL)
        embedding_hook (it->path, vec[i], dim);
      if (!vector_is_finite (vec[i], dim))
        {
          g_clear_error (&it->error);
          it->error = g_error_new_literal (CS_INDEXER_ERROR, CS_INDEXER_ERROR_NOT_FINITE,
                                           "embedding is not finite");
          g_ptr_array_add (bad, it);
          ok->pdata[i] = NULL;
        }
    }

  if (!cs_store_begin (job->store, error))
    return FALSE;
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      gint64 id;

      if (it == NULL)
        continue; /* failed above */
      if (it->touched)
        {
          /* same content, new mtime: update the row, keep its vectors */
          g_autoptr(CsStorePhoto) row = cs_store_lookup_photo (job->store, it->path, error);
          if (row == NULL)
            {
              if (error != NULL && *error != NULL)
                goto fail;
              continue; /* removed meanwhile by another indexer */
            }
          row->size = it->size;
          row->mtime_us = it->mtime_us;
          if (cs_store_upsert_photo (job->store, row, error) < 0)
            goto fail;
          n_touched++;
          continue;
        }
      CsStorePhoto photo = {
        0, it->path, it->size, it->mtime_us, it->hash, it->width, it->height, it->taken,
        CS_STORE_PHOTO_STATE_INDEXED
      };
      id = cs_store_upsert_photo (job->store, &photo, error);
      if (id < 0 || !cs_store_put_vector (job->store, id, job->model_row, vec[i], dim, error)
          || !cs_store_set_photo_blank_stddev (job->store, id, it->blank_stddev, error)
          || !cs_store_clear_failure (job->store, it->path, error))
        goto fail;
    }
  for (guint i = 0; i < bad->len; i++)
    {
      Item *it = bad->pdata[i];
      g_autofree char *reason = item_reason (it);
      g_autoptr(CsStorePhoto) stale = cs_store_lookup_photo (job->store, it->path, error);

      /* a changed file that no longer decodes: its old vector is wrong now */
      if (stale == NULL && error != NULL && *error != NULL)
        goto fail;
      if (stale != NULL && !cs_store_delete_photo (job->store, stale->id, error))
        goto fail;
      if (!cs_store_record_failure (job->store, it->path, reason, it->size, it->mtime_us, error))
        goto fail;
    }
  if (!cs_store_commit (job->store, error))
    goto fail;

  job->summary->unchanged += n_touched;
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      if (it == NULL || it->touched)
        continue;
      if (it->kind == ITEM_ADDED)
        job->summary->added++;
      else if (it->kind == ITEM_UPDATED)
        job->summary->updated++;
      else
        job->summary->reembedded++;
    }
  for (guint i = 0; i < bad->len; i++)
    {
      Item *it = bad->pdata[i];
      g_autofree char *reason = item_reason (it);
      summary_add_failure (job->summary, it->path, reason, it->size, it->mtime_us);
    }
  g_mutex_lock (&job->progress->mutex);
  job->progress->batches++;
  g_mutex_unlock (&job->progress->mutex);
  job_add_progress (job, n_items, bad->len, 0);
  return TRUE;

fail:
  cs_store_rollback (job->store);
  return FALSE;
}

/* Loads the vision tower (once a run), straight into the packed weights
 * of the run's precision: the process holds those and little else.  A
 * run with nothing to embed (most runs of a watched library) never
 * calls it. */
static gboolean
job_load_model (Job     *job,
                GError **error)
{
  clip_params params = clip_params_default ();
  char *msg = NULL;
  clip_status status;

  if (job->ctx != NULL)
    return TRUE;
  if (job->check_precision)
    {
      CsPrecisionCheck check;

      if (!cs_clip_check_precision (job->model_dir, job->store, &check, job->cancellable, error))
        return FALSE;
      job->precision = check.precision;
      job->check_precision = FALSE;
      if (job->summary != NULL)
        job->summary->precision = clip_precision_name (job->precision);
    }
  if (job->model == NULL)
    {
      status = clip_model_load_for (job->model_dir, job->precision, CLIP_TOWER_VISION, &job->model, &msg);
      if (status != CLIP_STATUS_OK)
        return cs_clip_propagate (error, status, msg);
    }
  params.precision = job->precision;
  params.abort_cb = job_abort_cb;
  params.abort_data = job;
  status = clip_ctx_new (job->model, &params, &job->ctx, &msg);
  if (status != CLIP_STATUS_OK)
    return cs_clip_propagate (error, status, msg);
  return TRUE;
}

static gboolean
job_embed (Job     *job,
           GError **error)
{
  GThreadPool *pool = NULL;
  g_autoptr(GPtrArray) ok = g_ptr_array_new_with_free_func (item_free);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (item_free);
  guint next = 0, in_flight = 0, max_in_flight = BATCH_SIZE * 2;
  gboolean cancelled = FALSE, failed = FALSE;

  guint n_work = 0;
  for (guint i = 0; i < job->queue->len; i++)
    if (((Item *) job->queue->pdata[i])->kind != ITEM_MOVED)
      n_work++;
  if (n_work == 0)
    return TRUE;
  if (!job_load_model (job, error))
    return FALSE;
  job_set_state (job, CS_INDEXER_STATE_INDEXING, NULL);
  job_add_progress (job, 0, 0, n_work);
  job->results = g_async_queue_new ();
  pool = g_thread_pool_new (decode_task, job, DECODE_THREADS, FALSE, error);
  if (pool == NULL)
    return FALSE;
  job->decode_budget = cs_pixel_budget_new (CS_DECODE_BUDGET_BYTES);

  while (next < job->queue->len || in_flight > 0)
    {
      /* keep the decoders busy, with a bounded number of tensors around */
      while (!cancelled && !failed && next < job->queue->len && in_flight < max_in_flight)
        {
          Item *it = job->queue->pdata[next];
          job->queue->pdata[next++] = NULL;
          if (it->kind == ITEM_MOVED)
            {
              item_free (it);
              continue;
            }
          if (it->error != NULL)
            {
              g_ptr_array_add (bad, it);
              continue;
            }
          in_flight++;
          g_thread_pool_push (pool, it, NULL);
        }
      if (in_flight == 0 && ok->len == 0 && bad->len == 0)
        break;

      Item *done = in_flight > 0 ? g_async_queue_timeout_pop (job->results, 200 * G_TIME_SPAN_MILLISECOND) : NULL;
      if (done != NULL)
        {
          in_flight--;
          if (g_error_matches (done->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            item_free (done);
          else if (done->error != NULL)
            g_ptr_array_add (bad, done);
          else
            {
              job_set_state (job, CS_INDEXER_STATE_INDEXING, done->path);
              g_ptr_array_add (ok, done);
            }
        }
      if (!cancelled && !failed && !job_continue (job))
        cancelled = TRUE;

      gboolean drained = next >= job->queue->len && in_flight == 0;
      if (!cancelled && !failed && (ok->len >= BATCH_SIZE || bad->len >= BATCH_SIZE * 4
                                    || (drained && (ok->len > 0 || bad->len > 0))))
        {
          if (!commit_batch (job, ok, bad, error))
            {
              if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                cancelled = TRUE;
              failed = TRUE;
            }
          g_ptr_array_set_size (ok, 0);
          g_ptr_array_set_size (bad, 0);
        }
      if ((cancelled || failed) && in_flight == 0)
        break;
    }
  /* wait for the decoders; drop what they finish */
  g_thread_pool_free (pool, FALSE, TRUE);
  g_clear_pointer (&job->decode_budget, cs_pixel_budget_free);
  Item *left;
  while ((left = g_async_queue_try_pop (job->results)) != NULL)
    item_free (left);
  if (failed)
    return FALSE;
  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
  return TRUE;
}

/* The vectors a search uses come from one model only: the "active" one
 * (settings "active-model", its id, and "model-dir", its folder).  A new
 * model is "being built" (settings "building-model" and
 * "building-model-dir") until its vectors cover the library; then it
 * becomes active and the old model's vectors go.  Searches keep answering
 * from the active model meanwhile, whatever happens to the run.  A library
 * without vectors makes a new model active at once, so that photos become
 * findable batch by batch. */
static gboolean
job_update_active_model (Job        *job,
                         const char *model_id,
                         GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *active = cs_store_dup_setting (job->store, CS_STORE_SETTING_ACTIVE_MODEL, &local);
  gint64 n_photos, n_vectors, old_row = 0, n_old = 0;

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (active != NULL && g_str_equal (active, model_id))
    return TRUE;
  n_photos = cs_store_count_photos (job->store, error);
  n_vectors = n_photos >= 0 ? cs_store_count_vectors (job->store, job->model_row, error) : -1;
  if (n_vectors < 0)
    return FALSE;
  if (active != NULL)
    {
      old_row = cs_store_lookup_model (job->store, active, NULL, error);
      if (old_row < 0)
        return FALSE;
      n_old = old_row > 0 ? cs_store_count_vectors (job->store, old_row, error) : 0;
      if (n_old < 0)
        return FALSE;
    }
  if (old_row > 0 && n_vectors < n_photos && n_old > 0)
    return TRUE; /* keep searching the old model's vectors until the new ones cover the library */
  if (!cs_store_begin (job->store, error))
    return FALSE;
  if (!cs_store_set_setting (job->store, CS_STORE_SETTING_ACTIVE_MODEL, model_id, error)
      || !cs_store_set_setting (job->store, CS_STORE_SETTING_MODEL_DIR, job->model_dir, error)
      || !cs_store_set_setting (job->store, "building-model", NULL, error)
      || !cs_store_set_setting (job->store, "building-model-dir", NULL, error)
      || (old_row > 0 && !cs_store_delete_model (job->store, old_row, error))
      || !cs_store_commit (job->store, error))
    {
      cs_store_rollback (job->store);
      return FALSE;
    }
  return TRUE;
}

/* At the start of a run with `model_id` (row job->model_row): records it as
 * the active model's folder or as the model being built, and deletes the
 * vectors of every other model but the active one (an abandoned model
 * change: nobody will search them, and they cost disk and time). */
static gboolean
job_begin_model (Job        *job,
                 const char *model_id,
                 GError    **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *active = cs_store_dup_setting (job->store, CS_STORE_SETTING_ACTIVE_MODEL, &local);
  g_autoptr(GArray) rows = NULL;
  gint64 active_row = 0;
  gboolean is_active;

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (active != NULL && (active_row = cs_store_lookup_model (job->store, active, NULL, error)) < 0)
    return FALSE;
  is_active = active_row > 0 && active_row == job->model_row;
  rows = cs_store_list_model_rows (job->store, error);
  if (rows == NULL || !cs_store_begin (job->store, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      gint64 row = g_array_index (rows, gint64, i);
      if (row != active_row && row != job->model_row && !cs_store_delete_model (job->store, row, error))
        goto fail;
    }
  if (is_active)
    {
      if (!cs_store_set_setting (job->store, CS_STORE_SETTING_MODEL_DIR, job->model_dir, error)
          || !cs_store_set_setting (job->store, "building-model", NULL, error)
          || !cs_store_set_setting (job->store, "building-model-dir", NULL, error))
        goto fail;
    }
  else if (!cs_store_set_setting (job->store, "building-model", model_id, error)
           || !cs_store_set_setting (job->store, "building-model-dir", job->model_dir, error))
    goto fail;
  return cs_store_commit (job->store, error) || (cs_store_rollback (job->store), FALSE);

fail:
  cs_store_rollback (job->store);
  return FALSE;
}

static gboolean
job_apply_folder_ops (Job     *job,
                      GError **error)
{
  if (job->folder_ops == NULL || job->folder_ops->len == 0)
    return TRUE;
  if (!cs_store_begin (job->store, error))
    return FALSE;
  for (guint i = 0; i < job->folder_ops->len; i++)
    {
      FolderOp *op = job->folder_ops->pdata[i];
      gboolean ok = op->kind == OP_REMOVE ? cs_store_remove_folder (job->store, op->path, error)
                                          : cs_store_add_folder (job->store, op->path, op->kind == OP_EXCLUDE, error);
      if (!ok)
        {
          cs_store_rollback (job->store);
          return FALSE;
        }
    }
  if (!cs_store_commit (job->store, error))
    return FALSE;
  /* applied: a failure later in the run must not give them back */
  g_ptr_array_set_size (job->folder_ops, 0);
  return TRUE;
}

static gboolean
job_run (Job     *job,
         GError **error)
{
  g_autofree char *model_id = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(GPtrArray) roots = NULL;

  job->summary = g_new0 (CsIndexSummary, 1);
  job->summary->precision = clip_precision_name (job->precision);
  job->summary->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_failure_free);
  job->summary->unavailable = g_ptr_array_new_with_free_func (g_free);
  job->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->folders_seen = g_ptr_array_new_with_free_func (g_free);
  job->queue = g_ptr_array_new_with_free_func (item_free);
  job_set_state (job, CS_INDEXER_STATE_SCANNING, NULL);

  if (job->model_dir == NULL)
    {
      g_set_error_literal (error, CS_INDEXER_ERROR, CS_INDEXER_ERROR_NO_MODEL,
                           "no CLIP model: choose a model folder first");
      return FALSE;
    }
  job->store = cs_store_open (job->database_path, error);
  if (job->store == NULL)
    return FALSE;
  if (cs_store_is_read_only (job->store))
    {
      g_autofree char *shown = g_filename_display_name (cs_store_get_path (job->store));

      g_set_error (error, CS_INDEXER_ERROR, CS_INDEXER_ERROR_READ_ONLY,
                   "%s: the database is read-only (its folder or file cannot be written): "
                   "cannot index into it", shown);
      return FALSE;
    }
  /* one run at a time per database, in any process: two runs with
   * different models would each delete the other's as abandoned
   * (job_begin_model), and two runs of one model would embed every photo
   * twice */
  job->lock = cs_store_lock_indexing (job->store, error);
  if (job->lock == NULL)
    return FALSE;
  if (!job_apply_folder_ops (job, error))
    return FALSE;

  model_id = cs_model_id_for_dir (job->model_dir, job->cancellable, error);
  if (model_id == NULL)
    return FALSE;
  /* the weights only when needed: for a model the store does not know yet
   * (its dimension), else once there is something to embed */
  job->model_row = cs_store_lookup_model (job->store, model_id, NULL, error);
  if (job->model_row == 0)
    {
      g_autofree char *name = g_path_get_basename (job->model_dir);

      if (!job_load_model (job, error))
        return FALSE;
      job->model_row = cs_store_ensure_model (job->store, model_id, name,
                                              clip_model_get_info (job->model)->embed_dim, "f32", error);
    }
  if (job->model_row < 0 || !job_begin_model (job, model_id, error))
    return FALSE;
  /* a NaN or infinite vector written past the store (opening deleted any
   * an older version wrote; the readers never return one): its photo is
   * embedded again below.  It reads every vector of the model (about 1 s
   * for 100 000 of 512 dimensions), so only full runs do it, not the
   * frequent partial runs of watched changes. */
  if (job->roots == NULL
      && cs_store_delete_non_finite_vectors (job->store, job->model_row, error) < 0)
    return FALSE;

  g_autoptr(GPtrArray) inc = cs_store_list_folders (job->store, FALSE, error);
  g_autoptr(GPtrArray) exc = inc != NULL ? cs_store_list_folders (job->store, TRUE, error) : NULL;
  if (exc == NULL)
    return FALSE;
  job->included = strv_array_new ();
  job->excluded = strv_array_new ();
  for (guint i = 0; i < inc->len; i++)
    g_ptr_array_add (job->included, g_strdup (inc->pdata[i]));
  for (guint i = 0; i < exc->len; i++)
    g_ptr_array_add (job->excluded, g_strdup (exc->pdata[i]));

  /* the folders to walk: all included ones, or the changed ones below them */
  roots = strv_array_new ();
  if (job->roots == NULL)
    {
      for (guint i = 0; i < job->included->len; i++)
        {
          const char *f = job->included->pdata[i];
          if (g_file_test (f, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (roots, g_strdup (f));
          else
            g_ptr_array_add (job->summary->unavailable, g_strdup (f));
        }
    }
  else
    for (guint i = 0; i < job->roots->len; i++)
      if (is_under_any (job->roots->pdata[i], job->included))
        g_ptr_array_add (roots, g_strdup (job->roots->pdata[i]));

  ScanCtx sc = { job, NULL };
  if (!cs_scanner_walk (ptr_array_as_strv (roots), ptr_array_as_strv (job->excluded),
                        on_scan_entry_cb, &sc, job->cancellable, error))
    {
      g_clear_error (&sc.error);
      scan_flush (job, NULL);
      return FALSE;
    }
  if (sc.error != NULL)
    {
      g_propagate_error (error, sc.error);
      return FALSE;
    }
  if (!scan_flush (job, error))
    return FALSE;
  /* a partial run sweeps only below its roots; a missing root is not swept */
  if (!job_sweep (job, job->roots == NULL ? NULL : roots, error))
    return FALSE;

  /* a library without searchable vectors searches this model's at once,
   * so photos become findable batch by batch */
  if (!job_update_active_model (job, model_id, error) || !job_embed (job, error))
    return FALSE;
  /* the precision this run's vectors were made in, which a forced one
   * (CLIPSIGHT_PRECISION, --precision) makes differ from the check's: for
   * status.  Only a run that embedded something changes it. */
  if (job->summary->added + job->summary->updated + job->summary->reembedded > 0
      && !cs_store_set_setting (job->store, "indexed-precision", clip_precision_name (job->precision), error))
    return FALSE;
  if (!job_update_active_model (job, model_id, error))
    return FALSE;
  job->summary->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return TRUE;
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = job_run (job, &error);

  /* released here, not with the job: the next run may start (and lock)
   * before this task and its job are freed */
  if (job->store != NULL)
    cs_store_rollback (job->store);
  g_clear_pointer (&job->lock, cs_store_index_lock_free);
  if (!ok)
    {
      job_set_state (job, CS_INDEXER_STATE_IDLE, NULL);
      g_task_return_error (task, error);
      return;
    }
  job_set_state (job, CS_INDEXER_STATE_IDLE, NULL);
  JobResult *r = g_new0 (JobResult, 1);
  r->summary = g_steal_pointer (&job->summary);
  r->folders_seen = g_steal_pointer (&job->folders_seen);
  g_task_return_pointer (task, r, job_result_free);
}

/* ------------------------------------------------------------------ */
/* The GObject                                                         */
/* ------------------------------------------------------------------ */

CsIndexSummary *
cs_index_summary_copy (const CsIndexSummary *s)
{
  CsIndexSummary *c = g_memdup2 (s, sizeof *s);
  c->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_failure_free);
  for (guint i = 0; s->failures != NULL && i < s->failures->len; i++)
    {
      const CsStoreFailure *f = s->failures->pdata[i];
      CsStoreFailure *fc = g_memdup2 (f, sizeof *f);
      fc->path = g_strdup (f->path);
      fc->reason = g_strdup (f->reason);
      g_ptr_array_add (c->failures, fc);
    }
  c->unavailable = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; s->unavailable != NULL && i < s->unavailable->len; i++)
    g_ptr_array_add (c->unavailable, g_strdup (s->unavailable->pdata[i]));
  return c;
}

void
cs_index_summary_free (CsIndexSummary *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->failures, g_ptr_array_unref);
  g_clear_pointer (&s->unavailable, g_ptr_array_unref);
  g_free (s);
}

static void start_run (CsIndexer *self);

static void
cancel_other (GCancellable *cancellable,
              gpointer      other)
{
  g_cancellable_cancel (other);
}

static void
set_running (CsIndexer *self,
             gboolean   running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_monitor_changed_cb (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       gpointer           user_data);

static void
update_monitors (CsIndexer *self,
                 GPtrArray *folders)
{
  if (!self->watching || folders == NULL)
    return;
  for (guint i = 0; i < folders->len; i++)
    {
      const char *path = folders->pdata[i];
      if (g_hash_table_contains (self->monitors, path))
        continue;
      g_autoptr(GFile) f = g_file_new_for_path (path);
      GFileMonitor *m = g_file_monitor_directory (f, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (m == NULL)
        continue; /* out of inotify watches: the next full rescan still finds changes */
      g_signal_connect_object (m, "changed", G_CALLBACK (on_monitor_changed_cb), self, 0);
      g_hash_table_insert (self->monitors, g_strdup (path), m);
    }
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsIndexer *self = CS_INDEXER (source);
  GTask *task = G_TASK (result);
  g_autoptr(GPtrArray) waiting = NULL;
  GError *error = NULL;
  JobResult *r;

  r = g_task_propagate_pointer (task, &error);
  self->current = NULL;
  if (r == NULL)
    {
      /* a run that failed before applying the folders it was given (the
       * database locked by another run, busy, unreadable) leaves them to
       * the next run, before any given since */
      Job *job = g_task_get_task_data (task);

      /* a watched change's run: its folders go with the next change's,
       * rather than waiting for a full run (no retry of their own, so a
       * lasting failure does not spin) */
      for (guint i = 0; self->watching && job->roots != NULL && i < job->roots->len; i++)
        g_hash_table_add (self->pending_roots, g_strdup (job->roots->pdata[i]));
      if (job->folder_ops != NULL && job->folder_ops->len > 0)
        {
          GPtrArray *later = g_steal_pointer (&self->folder_ops);

          self->folder_ops = g_steal_pointer (&job->folder_ops);
          for (guint i = 0; i < later->len; i++)
            g_ptr_array_add (self->folder_ops, g_steal_pointer (&later->pdata[i]));
          g_ptr_array_set_free_func (later, NULL);
          g_ptr_array_unref (later);
        }
    }
  /* the latest counters, now that the job is over */
  progress_idle_cb (self->progress);

  if (r != NULL)
    {
      update_monitors (self, r->folders_seen);
      g_clear_pointer (&self->last_summary, cs_index_summary_free);
      self->last_summary = cs_index_summary_copy (r->summary);
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
    }
  else
    /* before the callers: a watched change's run has none, and its error
     * must reach someone */
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);

  /* the callers of this run: they asked before it started */
  waiting = g_object_steal_data (G_OBJECT (task), "cs-waiting");
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      GTask *t = waiting->pdata[i];
      if (r != NULL)
        g_task_return_pointer (t, cs_index_summary_copy (r->summary), (GDestroyNotify) cs_index_summary_free);
      else
        g_task_return_error (t, g_error_copy (error));
    }
  g_clear_error (&error);
  if (r != NULL)
    job_result_free (r);

  if (self->queued->len > 0)
    start_run (self);
  else
    set_running (self, FALSE);
}

static void
start_run (CsIndexer *self)
{
  Job *job = g_new0 (Job, 1);
  GTask *task;
  GPtrArray *waiting = g_steal_pointer (&self->queued);

  self->queued = g_ptr_array_new ();
  g_ptr_array_set_free_func (waiting, g_object_unref);
  job->database_path = g_strdup (self->database_path);
  job->model_dir = g_strdup (self->model_dir);
  if (self->precision == NULL || !clip_precision_parse (self->precision, &job->precision))
    {
      job->precision = cs_clip_indexing_precision ();
      job->check_precision = !cs_clip_precision_is_forced ();
    }
  job->folder_ops = g_steal_pointer (&self->folder_ops);
  self->folder_ops = g_ptr_array_new_with_free_func (folder_op_free);
  job->roots = g_steal_pointer (&self->queued_roots);
  job->cancellable = g_cancellable_new ();
  job->progress = progress_ref (self->progress);

  /* the run stops when a caller waiting for it cancels */
  for (guint i = 0; i < waiting->len; i++)
    {
      GCancellable *c = g_task_get_cancellable (waiting->pdata[i]);
      if (c != NULL)
        g_cancellable_connect (c, G_CALLBACK (cancel_other), g_object_ref (job->cancellable),
                               g_object_unref);
    }

  g_mutex_lock (&self->progress->mutex);
  self->progress->done = self->progress->total = self->progress->failed = 0;
  g_mutex_unlock (&self->progress->mutex);

  task = g_task_new (self, NULL, on_job_done_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_object_set_data_full (G_OBJECT (task), "cs-waiting", waiting, (GDestroyNotify) g_ptr_array_unref);
  self->current = task;
  set_running (self, TRUE);
  g_task_run_in_thread (task, job_thread);
  g_object_unref (task);
}

static gboolean
on_debounce_cb (gpointer user_data)
{
  CsIndexer *self = user_data;
  GHashTableIter iter;
  gpointer key;

  self->debounce_id = 0;
  if (self->current != NULL)
    {
      /* try again once the current run is over */
      self->debounce_id = g_timeout_add (MONITOR_DEBOUNCE_MS, on_debounce_cb, self);
      return G_SOURCE_REMOVE;
    }
  self->queued_roots = strv_array_new ();
  g_hash_table_iter_init (&iter, self->pending_roots);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (self->queued_roots, g_strdup (key));
  g_hash_table_remove_all (self->pending_roots);
  start_run (self);
  return G_SOURCE_REMOVE;
}

static void
note_changed_folder (CsIndexer *self,
                     GFile     *file,
                     gboolean   is_folder_itself)
{
  g_autoptr(GFile) parent = is_folder_itself ? g_object_ref (file) : g_file_get_parent (file);
  g_autofree char *path = parent != NULL ? g_file_get_path (parent) : NULL;

  if (path == NULL)
    return;
  g_hash_table_add (self->pending_roots, g_steal_pointer (&path));
  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (MONITOR_DEBOUNCE_MS, on_debounce_cb, self);
}

static void
on_monitor_changed_cb (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       gpointer           user_data)
{
  CsIndexer *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      note_changed_folder (self, file, FALSE);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      note_changed_folder (self, file, FALSE);
      if (other != NULL)
        note_changed_folder (self, other, FALSE);
      break;
    default:
      break;
    }
}

static void
cs_indexer_dispose (GObject *object)
{
  CsIndexer *self = CS_INDEXER (object);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->monitors != NULL)
    g_hash_table_remove_all (self->monitors);
  G_OBJECT_CLASS (cs_indexer_parent_class)->dispose (object);
}

static void
cs_indexer_finalize (GObject *object)
{
  CsIndexer *self = CS_INDEXER (object);

  g_free (self->database_path);
  g_free (self->model_dir);
  g_free (self->precision);
  g_free (self->current_folder);
  g_clear_pointer (&self->progress, progress_unref);
  g_clear_pointer (&self->folder_ops, g_ptr_array_unref);
  g_clear_pointer (&self->queued, g_ptr_array_unref);
  g_clear_pointer (&self->queued_roots, g_ptr_array_unref);
  g_clear_pointer (&self->pending_roots, g_hash_table_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->last_summary, cs_index_summary_free);
  G_OBJECT_CLASS (cs_indexer_parent_class)->finalize (object);
}

static void
cs_indexer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CsIndexer *self = CS_INDEXER (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH: g_value_set_string (value, self->database_path); break;
    case PROP_MODEL_DIR: g_value_set_string (value, self->model_dir); break;
    case PROP_PRECISION: g_value_set_string (value, self->precision); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_PAUSED: g_value_set_boolean (value, self->paused); break;
    case PROP_WATCHING: g_value_set_boolean (value, self->watching); break;
    case PROP_N_DONE: g_value_set_uint64 (value, self->n_done); break;
    case PROP_N_TOTAL: g_value_set_uint64 (value, self->n_total); break;
    case PROP_N_FAILED: g_value_set_uint64 (value, self->n_failed); break;
    case PROP_FRACTION: g_value_set_double (value, cs_indexer_get_fraction (self)); break;
    case PROP_CURRENT_FOLDER: g_value_set_string (value, self->current_folder); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_indexer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CsIndexer *self = CS_INDEXER (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH: self->database_path = g_value_dup_string (value); break;
    case PROP_MODEL_DIR: cs_indexer_set_model_dir (self, g_value_get_string (value)); break;
    case PROP_PRECISION: cs_indexer_set_precision (self, g_value_get_string (value)); break;
    case PROP_PAUSED: cs_indexer_set_paused (self, g_value_get_boolean (value)); break;
    case PROP_WATCHING: cs_indexer_set_watching (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_indexer_class_init (CsIndexerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cs_indexer_dispose;
  object_class->finalize = cs_indexer_finalize;
  object_class->get_property = cs_indexer_get_property;
  object_class->set_property = cs_indexer_set_property;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_DIR] = g_param_spec_string ("model-dir", NULL, NULL, NULL, rw);
  /**
   * CsIndexer:precision:
   *
   * The arithmetic photos are encoded in: "f32", "f16", "bf16", "int8",
   * or NULL for the fastest the CPU has (cs_clip_indexing_precision()).
   * Read by the next run.
   */
  properties[PROP_PRECISION] = g_param_spec_string ("precision", NULL, NULL, NULL, rw);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, CS_INDEXER_STATE_IDLE,
                                             CS_INDEXER_STATE_INDEXING, CS_INDEXER_STATE_IDLE, ro);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE, rw);
  properties[PROP_WATCHING] = g_param_spec_boolean ("watching", NULL, NULL, FALSE, rw);
  properties[PROP_N_DONE] = g_param_spec_uint64 ("n-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_N_TOTAL] = g_param_spec_uint64 ("n-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_N_FAILED] = g_param_spec_uint64 ("n-failed", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_CURRENT_FOLDER] = g_param_spec_string ("current-folder", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A batch of photos reached the database (searchable now). */
  signals[SIGNAL_BATCH_COMMITTED] =
    g_signal_new ("batch-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* A run finished successfully. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* A run failed (cancelled ones too: G_IO_ERROR_CANCELLED), with its
   * error (a const GError*, valid during the emission). */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
cs_indexer_init (CsIndexer *self)
{
  self->progress = progress_new (G_OBJECT (self));
  self->folder_ops = g_ptr_array_new_with_free_func (folder_op_free);
  self->queued = g_ptr_array_new ();
  self->pending_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

CsIndexer *
cs_indexer_new (const char *database_path,
                const char *model_dir)
{
  return g_object_new (CS_TYPE_INDEXER, "database-path", database_path, "model-dir", model_dir, NULL);
}

static void
push_folder_op (CsIndexer   *self,
                FolderOpKind kind,
                const char  *path)
{
  FolderOp *op = g_new0 (FolderOp, 1);
  char *canon = g_canonicalize_filename (path, NULL);
  size_t n = strlen (canon);

  while (n > 1 && canon[n - 1] == '/')
    canon[--n] = '\0';
  op->kind = kind;
  op->path = canon;
  g_ptr_array_add (self->folder_ops, op);
}

void
cs_indexer_add_folder (CsIndexer  *self,
                       const char *path)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  g_return_if_fail (path != NULL);
  push_folder_op (self, OP_ADD, path);
}

void
cs_indexer_exclude_folder (CsIndexer  *self,
                           const char *path)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  g_return_if_fail (path != NULL);
  push_folder_op (self, OP_EXCLUDE, path);
}

void
cs_indexer_remove_folder (CsIndexer  *self,
                          const char *path)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  g_return_if_fail (path != NULL);
  push_folder_op (self, OP_REMOVE, path);
}

void
cs_indexer_rescan_async (CsIndexer           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CS_IS_INDEXER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_indexer_rescan_async);
  g_ptr_array_add (self->queued, task);
  /* a full run supersedes a pending partial one */
  g_clear_pointer (&self->queued_roots, g_ptr_array_unref);
  if (self->current == NULL)
    start_run (self);
}

CsIndexSummary *
cs_indexer_rescan_finish (CsIndexer    *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_sync_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

CsIndexSummary *
cs_indexer_rescan (CsIndexer    *self,
                   GCancellable *cancellable,
                   GError      **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GAsyncResult) result = NULL;

  cs_indexer_rescan_async (self, cancellable, on_sync_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  return cs_indexer_rescan_finish (self, result, error);
}

void
cs_indexer_set_paused (CsIndexer *self,
                       gboolean   paused)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  g_mutex_lock (&self->progress->mutex);
  self->progress->paused = paused;
  g_cond_broadcast (&self->progress->cond);
  g_mutex_unlock (&self->progress->mutex);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
cs_indexer_get_paused (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), FALSE);
  return self->paused;
}

void
cs_indexer_set_watching (CsIndexer *self,
                         gboolean   watching)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  watching = !!watching;
  if (self->watching == watching)
    return;
  self->watching = watching;
  if (!watching)
    {
      g_hash_table_remove_all (self->monitors);
      g_clear_handle_id (&self->debounce_id, g_source_remove);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
}

const CsIndexSummary *
cs_indexer_get_last_summary (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return self->last_summary;
}

void
cs_indexer_cancel (CsIndexer *self)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  if (self->current != NULL)
    {
      Job *job = g_task_get_task_data (self->current);
      g_cancellable_cancel (job->cancellable);
    }
}

gboolean
cs_indexer_get_watching (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), FALSE);
  return self->watching;
}

const char *
cs_indexer_get_model_dir (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return self->model_dir;
}

const char *
cs_indexer_get_precision (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return self->precision;
}

void
cs_indexer_set_precision (CsIndexer  *self,
                          const char *precision)
{
  clip_precision p;

  g_return_if_fail (CS_IS_INDEXER (self));
  g_return_if_fail (precision == NULL || clip_precision_parse (precision, &p));
  if (g_strcmp0 (self->precision, precision) == 0)
    return;
  g_free (self->precision);
  self->precision = g_strdup (precision);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRECISION]);
}

void
cs_indexer_set_model_dir (CsIndexer  *self,
                          const char *model_dir)
{
  g_return_if_fail (CS_IS_INDEXER (self));
  g_autofree char *canon = model_dir != NULL ? g_canonicalize_filename (model_dir, NULL) : NULL;

  /* the job thread and the database keep it: it must not depend on the cwd */
  if (g_strcmp0 (self->model_dir, canon) == 0)
    return;
  g_free (self->model_dir);
  self->model_dir = g_steal_pointer (&canon);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_DIR]);
}

CsIndexerState
cs_indexer_get_state (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), CS_INDEXER_STATE_IDLE);
  return self->state;
}

gboolean
cs_indexer_get_running (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), FALSE);
  return self->running;
}

guint64
cs_indexer_get_n_done (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), 0);
  return self->n_done;
}

guint64
cs_indexer_get_n_total (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), 0);
  return self->n_total;
}

guint64
cs_indexer_get_n_failed (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), 0);
  return self->n_failed;
}

double
cs_indexer_get_fraction (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), 0.0);
  return self->n_total > 0 ? MIN (1.0, (double) self->n_done / (double) self->n_total) : 0.0;
}

const char *
cs_indexer_get_current_folder (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return self->current_folder;
}
