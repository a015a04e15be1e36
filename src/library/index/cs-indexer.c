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

#include <string.h>

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-indexer-private.h"
#include "cs-store.h"

G_DEFINE_QUARK (cs-indexer-error-quark, cs_indexer_error)


/* ------------------------------------------------------------------ */
/* Progress shared between the job and the home thread                 */
/* ------------------------------------------------------------------ */

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

Progress *
cs_indexer_progress_ref (Progress *p)
{
  g_atomic_ref_count_inc (&p->ref);
  return p;
}

void
cs_indexer_progress_unref (Progress *p)
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

G_DEFINE_FINAL_TYPE (CsIndexer, cs_indexer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_MODEL_DIR,
  PROP_PRECISION,
  PROP_THUMBNAIL_DIR,
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
  SIGNAL_FOLDERS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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
void
cs_indexer_progress_changed_locked (Progress *p)
{
  GSource *source;

  if (p->idle_pending)
    return;
  p->idle_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_callback (source, progress_idle_cb, cs_indexer_progress_ref (p),
                         (GDestroyNotify) cs_indexer_progress_unref);
  g_source_set_static_name (source, "[cs-indexer] progress");
  g_source_attach (source, p->home);
  g_source_unref (source);
}

/* ------------------------------------------------------------------ */
/* The GObject                                                         */
/* ------------------------------------------------------------------ */

CsIndexSummary *
cs_index_summary_copy (const CsIndexSummary *s)
{
  CsIndexSummary *c = g_memdup2 (s, sizeof *s);
  c->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_index_failure_free);
  for (guint i = 0; s->failures != NULL && i < s->failures->len; i++)
    g_ptr_array_add (c->failures, cs_index_failure_copy (s->failures->pdata[i]));
  c->skips = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_index_failure_free);
  for (guint i = 0; s->skips != NULL && i < s->skips->len; i++)
    g_ptr_array_add (c->skips, cs_index_failure_copy (s->skips->pdata[i]));
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
  g_clear_pointer (&s->skips, g_ptr_array_unref);
  g_clear_pointer (&s->unavailable, g_ptr_array_unref);
  g_free (s);
}


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

/* A run that failed: what it was given goes to the next run. */
static void
keep_failed_run_input (CsIndexer *self,
                       Job       *job)
{
  /* a watched change's run: its folders go with the next change's,
   * rather than waiting for a full run (no retry of their own, so a
   * lasting failure does not spin) */
  for (guint i = 0; self->watching && job->roots != NULL && i < job->roots->len; i++)
    g_hash_table_add (self->pending_roots, g_strdup (job->roots->pdata[i]));
  /* a run that failed before applying the folders it was given (the
   * database locked by another run, busy, unreadable) leaves them to
   * the next run, before any given since */
  if (!job->folder_ops_applied && job->folder_ops != NULL && job->folder_ops->len > 0)
    {
      GPtrArray *later = g_steal_pointer (&self->folder_ops);

      self->folder_ops = g_steal_pointer (&job->folder_ops);
      for (guint i = 0; i < later->len; i++)
        g_ptr_array_add (self->folder_ops, g_steal_pointer (&later->pdata[i]));
      g_ptr_array_set_free_func (later, NULL);
      g_ptr_array_unref (later);
    }
}

/* The callers of a run: they asked before it started. */
static void
return_to_waiting (GTask        *task,
                   JobResult    *r,
                   const GError *error)
{
  g_autoptr(GPtrArray) waiting = g_object_steal_data (G_OBJECT (task), "cs-waiting");

  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      GTask *t = waiting->pdata[i];
      if (r != NULL)
        g_task_return_pointer (t, cs_index_summary_copy (r->summary), (GDestroyNotify) cs_index_summary_free);
      else
        g_task_return_error (t, g_error_copy (error));
    }
}

/* The job's task holds no reference on the indexer (a watched change's
 * run must not keep it alive, and disposing it cancels the run):
 * `user_data` is a GWeakRef to it. */
static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(CsIndexer) self = g_weak_ref_get (weak);
  GTask *task = G_TASK (result);
  GError *error = NULL;
  JobResult *r;

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self != NULL && self->disposed)
    g_clear_object (&self);
  r = g_task_propagate_pointer (task, &error);
  if (self == NULL)
    {
      /* disposed during the run: only its callers are left to answer */
      return_to_waiting (task, r, error);
      g_clear_error (&error);
      g_clear_pointer (&r, cs_index_job_result_free);
      return;
    }
  self->current = NULL;
  self->folders_serial++;
  if (r == NULL)
    keep_failed_run_input (self, g_task_get_task_data (task));
  else
    cs_indexer_set_store_folders (self, r->included, r->excluded, FALSE);
  /* the latest counters, now that the job is over */
  progress_idle_cb (self->progress);

  if (r != NULL)
    {
      cs_indexer_update_monitors (self, r->folders_seen);
      g_clear_pointer (&self->last_summary, cs_index_summary_free);
      self->last_summary = cs_index_summary_copy (r->summary);
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
    }
  else
    /* before the callers: a watched change's run has none, and its error
     * must reach someone */
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);

  return_to_waiting (task, r, error);
  g_clear_error (&error);
  g_clear_pointer (&r, cs_index_job_result_free);

  if (self->queued->len > 0)
    cs_indexer_start_run (self);
  else
    set_running (self, FALSE);
}

void
cs_indexer_start_run (CsIndexer *self)
{
  Job *job = g_new0 (Job, 1);
  GWeakRef *weak;
  GTask *task;
  GPtrArray *waiting = g_steal_pointer (&self->queued);

  self->queued = g_ptr_array_new ();
  g_ptr_array_set_free_func (waiting, g_object_unref);
  job->database_path = g_strdup (self->database_path);
  job->model_dir = g_strdup (self->model_dir);
  job->thumbnail_dir = g_strdup (self->thumbnail_dir);
  if (self->precision == NULL || !clip_precision_parse (self->precision, &job->precision))
    {
      job->precision = cs_clip_indexing_precision ();
      job->check_precision = !cs_clip_precision_is_forced ();
    }
  job->folder_ops = g_steal_pointer (&self->folder_ops);
  self->folder_ops = g_ptr_array_new_with_free_func (folder_op_free);
  job->roots = g_steal_pointer (&self->queued_roots);
  job->cancellable = g_cancellable_new ();
  job->progress = cs_indexer_progress_ref (self->progress);

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

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, NULL, on_job_done_cb, weak);
  g_task_set_source_tag (task, cs_indexer_start_run);
  g_task_set_task_data (task, job, (GDestroyNotify) cs_index_job_free);
  g_object_set_data_full (G_OBJECT (task), "cs-waiting", waiting, (GDestroyNotify) g_ptr_array_unref);
  self->current = task;
  set_running (self, TRUE);
  g_task_run_in_thread (task, cs_index_job_thread);
  g_object_unref (task);
}

static void
cs_indexer_dispose (GObject *object)
{
  CsIndexer *self = CS_INDEXER (object);

  self->disposed = TRUE;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->monitors != NULL)
    g_hash_table_remove_all (self->monitors);
  /* the run stops within a second (what it committed stays) and answers
   * its callers, without the indexer */
  if (self->current != NULL)
    {
      Job *job = g_task_get_task_data (self->current);

      g_cancellable_cancel (job->cancellable);
      self->current = NULL;
    }
  /* callers queued for a next run that will not come */
  for (guint i = 0; self->queued != NULL && i < self->queued->len; i++)
    g_task_return_new_error (self->queued->pdata[i], G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "the indexer was disposed");
  if (self->queued != NULL)
    g_ptr_array_set_free_func (self->queued, g_object_unref);
  g_clear_pointer (&self->queued, g_ptr_array_unref);
  G_OBJECT_CLASS (cs_indexer_parent_class)->dispose (object);
}

static void
cs_indexer_finalize (GObject *object)
{
  CsIndexer *self = CS_INDEXER (object);

  g_free (self->database_path);
  g_free (self->model_dir);
  g_free (self->precision);
  g_free (self->thumbnail_dir);
  g_free (self->current_folder);
  g_clear_pointer (&self->progress, cs_indexer_progress_unref);
  g_clear_pointer (&self->folder_ops, g_ptr_array_unref);
  g_clear_pointer (&self->queued, g_ptr_array_unref);
  g_clear_pointer (&self->queued_roots, g_ptr_array_unref);
  g_clear_pointer (&self->pending_roots, g_hash_table_unref);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->last_summary, cs_index_summary_free);
  g_clear_pointer (&self->folders, g_hash_table_unref);
  g_clear_pointer (&self->folder_lists[0], g_strfreev);
  g_clear_pointer (&self->folder_lists[1], g_strfreev);
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
    case PROP_THUMBNAIL_DIR: g_value_set_string (value, self->thumbnail_dir); break;
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
    case PROP_THUMBNAIL_DIR: cs_indexer_set_thumbnail_dir (self, g_value_get_string (value)); break;
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
  /**
   * CsIndexer:thumbnail-dir:
   *
   * Where the decoders write each photo's thumbnail (cs-thumbnail.h: the
   * folder holding large/), from the pixels decoded for the model, or
   * NULL for none.  Read by the next run.
   */
  properties[PROP_THUMBNAIL_DIR] = g_param_spec_string ("thumbnail-dir", NULL, NULL, NULL, rw);
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
  /* The folders of cs_indexer_get_folders() changed. */
  signals[SIGNAL_FOLDERS_CHANGED] =
    g_signal_new ("folders-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cs_indexer_init (CsIndexer *self)
{
  self->progress = progress_new (G_OBJECT (self));
  self->folder_ops = g_ptr_array_new_with_free_func (folder_op_free);
  self->queued = g_ptr_array_new ();
  self->pending_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->folder_lists[0] = g_new0 (char *, 1);
  self->folder_lists[1] = g_new0 (char *, 1);
}

CsIndexer *
cs_indexer_new (const char *database_path,
                const char *model_dir)
{
  return g_object_new (CS_TYPE_INDEXER, "database-path", database_path, "model-dir", model_dir, NULL);
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
    cs_indexer_start_run (self);
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

const char *
cs_indexer_get_thumbnail_dir (CsIndexer *self)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return self->thumbnail_dir;
}

void
cs_indexer_set_thumbnail_dir (CsIndexer  *self,
                              const char *thumbnail_dir)
{
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_INDEXER (self));
  canon = thumbnail_dir != NULL ? g_canonicalize_filename (thumbnail_dir, NULL) : NULL;
  if (g_strcmp0 (self->thumbnail_dir, canon) == 0)
    return;
  g_free (self->thumbnail_dir);
  self->thumbnail_dir = g_steal_pointer (&canon);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL_DIR]);
}
