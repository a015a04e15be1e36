/* cs-indexer-job.c - one run on its worker thread: the job's life, its
 * progress, the model bookkeeping and the order of the phases.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-file-hash.h"
#include "cs-indexer-private.h"
#include "cs-scanner.h"
#include "cs-store.h"

void
cs_index_item_free (gpointer p)
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

void
cs_index_job_result_free (gpointer p)
{
  JobResult *r = p;
  cs_index_summary_free (r->summary);
  g_clear_pointer (&r->folders_seen, g_ptr_array_unref);
  g_clear_pointer (&r->included, g_ptr_array_unref);
  g_clear_pointer (&r->excluded, g_ptr_array_unref);
  g_free (r);
}

void
cs_index_job_free (Job *job)
{
  g_free (job->database_path);
  g_free (job->model_dir);
  g_free (job->thumbnail_dir);
  g_clear_pointer (&job->folder_ops, g_ptr_array_unref);
  g_clear_pointer (&job->roots, g_ptr_array_unref);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->progress, cs_indexer_progress_unref);
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

void
cs_index_job_set_state (Job           *job,
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
  cs_indexer_progress_changed_locked (p);
  g_mutex_unlock (&p->mutex);
}

void
cs_index_job_add_progress (Job    *job,
                           guint64 done,
                           guint64 failed,
                           guint64 total)
{
  Progress *p = job->progress;
  g_mutex_lock (&p->mutex);
  p->done += done;
  p->failed += failed;
  p->total += total;
  cs_indexer_progress_changed_locked (p);
  g_mutex_unlock (&p->mutex);
}

/* Blocks while paused; FALSE when cancelled. */
gboolean
cs_index_job_continue (Job *job)
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

int
cs_index_job_abort_cb (void *data)
{
  Job *job = data;
  return g_cancellable_is_cancelled (job->cancellable);
}

void
cs_index_summary_add_failure (CsIndexSummary *s,
                              const char     *path,
                              const char     *reason,
                              gint64          size,
                              gint64          mtime_us)
{
  g_ptr_array_add (s->failures, cs_index_failure_new (path, reason, size, mtime_us));
  s->failed++;
}

void
cs_index_summary_add_skip (CsIndexSummary *s,
                           const char     *path,
                           const char     *reason)
{
  g_ptr_array_add (s->skips, cs_index_failure_new (path, reason, 0, 0));
  s->skipped++;
}

const char *const *
cs_index_ptr_array_as_strv (GPtrArray *a)
{
  /* the arrays below are kept NULL-terminated */
  return a != NULL ? (const char *const *) a->pdata : NULL;
}

GPtrArray *
cs_index_strv_array_new (void)
{
  GPtrArray *a = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  return a;
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
      || !cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL, NULL, error)
      || !cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL_DIR, NULL, error)
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
          || !cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL, NULL, error)
          || !cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL_DIR, NULL, error))
        goto fail;
    }
  else if (!cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL, model_id, error)
           || !cs_store_set_setting (job->store, CS_STORE_SETTING_BUILDING_MODEL_DIR, job->model_dir, error))
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
  job->folder_ops_applied = TRUE;
  return TRUE;
}

/* Opens the run's store connection, takes the database's indexing lock
 * and writes the folder changes given since the last run. */
static gboolean
job_open_store (Job     *job,
                GError **error)
{
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
  return job_apply_folder_ops (job, error);
}

/* The model's row in the store (its weights loaded only for a model the
 * store does not know yet), the model bookkeeping of job_begin_model,
 * and the removal of stored vectors that are not finite. */
static gboolean
job_prepare_model (Job        *job,
                   const char *model_id,
                   GError    **error)
{
  /* the weights only when needed: for a model the store does not know yet
   * (its dimension), else once there is something to embed */
  job->model_row = cs_store_lookup_model (job->store, model_id, NULL, error);
  if (job->model_row == 0)
    {
      g_autofree char *name = g_path_get_basename (job->model_dir);

      if (!cs_index_job_load_model (job, error))
        return FALSE;
      job->model_row = cs_store_ensure_model (job->store, model_id, name,
                                              clip_model_get_info (job->model)->embed_dim, "f32", error);
    }
  if (job->model_row < 0 || !job_begin_model (job, model_id, error))
    return FALSE;
  /* a NaN or infinite vector written past the store (opening deleted any
   * an older version wrote), or a damaged one (another size): the readers
   * never return one, and its photo is embedded again below.  It reads every vector of the model (about 1 s
   * for 100 000 of 512 dimensions), so only full runs do it, not the
   * frequent partial runs of watched changes. */
  if (job->roots == NULL
      && cs_store_delete_unusable_vectors (job->store, job->model_row, error) < 0)
    return FALSE;
  return TRUE;
}

/* Reads the included and excluded folders and returns the folders to
 * walk: all included ones (the missing ones go to the summary's
 * unavailable), or the changed ones below them. */
static GPtrArray *
job_list_roots (Job     *job,
                GError **error)
{
  g_autoptr(GPtrArray) inc = cs_store_list_folders (job->store, FALSE, error);
  g_autoptr(GPtrArray) exc = inc != NULL ? cs_store_list_folders (job->store, TRUE, error) : NULL;
  g_autoptr(GPtrArray) roots = NULL;

  if (exc == NULL)
    return NULL;
  job->included = cs_index_strv_array_new ();
  job->excluded = cs_index_strv_array_new ();
  for (guint i = 0; i < inc->len; i++)
    g_ptr_array_add (job->included, g_strdup (inc->pdata[i]));
  for (guint i = 0; i < exc->len; i++)
    g_ptr_array_add (job->excluded, g_strdup (exc->pdata[i]));

  roots = cs_index_strv_array_new ();
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
      if (cs_index_path_is_under_any (job->roots->pdata[i], job->included))
        g_ptr_array_add (roots, g_strdup (job->roots->pdata[i]));
  return g_steal_pointer (&roots);
}

/* After the embedding: the precision this run's vectors were made in and
 * the active model. */
static gboolean
job_finish_model (Job        *job,
                  const char *model_id,
                  GError    **error)
{
  /* the precision this run's vectors were made in, which a forced one
   * (CLIPSIGHT_PRECISION, --precision) makes differ from the check's: for
   * status.  Only a run that embedded something changes it. */
  if (job->summary->added + job->summary->updated + job->summary->reembedded > 0
      && !cs_store_set_setting (job->store, CS_STORE_SETTING_INDEXED_PRECISION, clip_precision_name (job->precision), error))
    return FALSE;
  /* a run that loaded no model never learnt the precision its check would
   * choose: it reports the one the library's vectors were made in, not
   * the one it would have started from */
  if (job->check_precision)
    {
      g_autofree char *indexed = cs_store_dup_setting (job->store, CS_STORE_SETTING_INDEXED_PRECISION, NULL);
      clip_precision p;

      if (indexed != NULL && clip_precision_parse (indexed, &p))
        job->summary->precision = clip_precision_name (p);
    }
  return job_update_active_model (job, model_id, error);
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
  job->summary->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_index_failure_free);
  job->summary->skips = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_index_failure_free);
  job->summary->unavailable = g_ptr_array_new_with_free_func (g_free);
  job->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->folders_seen = g_ptr_array_new_with_free_func (g_free);
  job->queue = g_ptr_array_new_with_free_func (cs_index_item_free);
  cs_index_job_set_state (job, CS_INDEXER_STATE_SCANNING, NULL);

  if (job->model_dir == NULL)
    {
      g_set_error_literal (error, CS_INDEXER_ERROR, CS_INDEXER_ERROR_NO_MODEL,
                           "no CLIP model: choose a model folder first");
      return FALSE;
    }
  if (!job_open_store (job, error))
    return FALSE;
  model_id = cs_model_id_for_dir (job->model_dir, job->cancellable, error);
  if (model_id == NULL || !job_prepare_model (job, model_id, error))
    return FALSE;
  roots = job_list_roots (job, error);
  if (roots == NULL || !cs_index_job_scan (job, roots, error))
    return FALSE;
  /* a partial run sweeps only below its roots; a missing root is not swept */
  if (!cs_index_job_sweep (job, job->roots == NULL ? NULL : roots, error))
    return FALSE;

  /* a library without searchable vectors searches this model's at once,
   * so photos become findable batch by batch */
  if (!job_update_active_model (job, model_id, error) || !cs_index_job_embed (job, error)
      || !job_finish_model (job, model_id, error))
    return FALSE;
  job->summary->seconds = (g_get_monotonic_time () - t0) / 1e6;
  return TRUE;
}

void
cs_index_job_thread (GTask        *task,
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
      cs_index_job_set_state (job, CS_INDEXER_STATE_IDLE, NULL);
      g_task_return_error (task, error);
      return;
    }
  cs_index_job_set_state (job, CS_INDEXER_STATE_IDLE, NULL);
  JobResult *r = g_new0 (JobResult, 1);
  r->summary = g_steal_pointer (&job->summary);
  r->folders_seen = g_steal_pointer (&job->folders_seen);
  r->included = g_steal_pointer (&job->included);
  r->excluded = g_steal_pointer (&job->excluded);
  g_task_return_pointer (task, r, cs_index_job_result_free);
}

