/* cs-library-load.c - loading and refreshing the library.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both run on the serial thread (cs-library.c): a load reads the whole
 * index, the labels and the model; a refresh adds what the indexer
 * stored since the last one, drops the photos gone, and re-clusters.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-object-private.h"

/* -------------------------------------------------------- loading jobs */

/* What a load or refresh job starts from and comes back with. */
typedef struct {
  /* in */
  char          *database_path;
  char          *model_dir;         /* given: a failure is an error */
  CsVectorIndex *base;              /* refresh: the index to update */
  CsClipRuntime *runtime;           /* refresh: kept */
  GPtrArray     *defs;              /* refresh: to re-cluster */
  GCancellable  *library_cancellable;
  gboolean       full;
  gboolean       skip_clustering;
  /* out */
  CsVectorIndex *index;
  CsClipRuntime *new_runtime;
  GError        *model_error;
  GPtrArray     *new_defs;
  CsClustering  *clustering;
  gboolean       changed;
  gboolean       pending;           /* model_dir is not the active model: the active one answers */
  char          *building_dir;      /* the model being built, NULL if none */
  guint64        building_done;     /* photos with its vectors */
  guint64        building_total;    /* photos in the library */
} LoadJob;

static void
load_job_free (gpointer p)
{
  LoadJob *job = p;

  g_free (job->database_path);
  g_free (job->model_dir);
  g_clear_pointer (&job->base, _cs_vector_index_unref);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
  g_clear_pointer (&job->defs, g_ptr_array_unref);
  g_clear_object (&job->library_cancellable);
  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->new_runtime, cs_clip_runtime_unref);
  g_clear_error (&job->model_error);
  g_clear_pointer (&job->new_defs, g_ptr_array_unref);
  g_clear_pointer (&job->clustering, cs_clustering_unref);
  g_free (job->building_dir);
  g_free (job);
}

static gboolean
add_row_cb (const CsStorePhoto *photo,
            const float        *vector,
            int                 dim,
            gpointer            user_data)
{
  _cs_segment_builder_add (user_data, photo, vector);
  return TRUE;
}

/* The active model's row and id, or 0 when the database has none. */
static gint64
active_model (CsStore  *store,
              char    **model_id,
              int      *dim,
              GError  **error)
{
  g_autofree char *active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, error);
  gint64 row;

  *model_id = NULL;
  *dim = 0;
  if (active == NULL)
    return error != NULL && *error != NULL ? -1 : 0;
  row = cs_store_lookup_model (store, active, dim, error);
  if (row > 0)
    *model_id = g_steal_pointer (&active);
  return row;
}

/* The whole index of the active model, from scratch. */
static CsVectorIndex *
read_index (CsStore  *store,
            int       fallback_dim,
            GError  **error)
{
  g_autofree char *model_id = NULL;
  gint64 change = 0;
  int dim = 0;
  gint64 row = active_model (store, &model_id, &dim, error);

  if (row < 0)
    return NULL;
  if (row == 0)
    return _cs_vector_index_new (fallback_dim, 0, NULL, 0, NULL);

  gint64 expected = cs_store_count_vectors (store, row, error);
  if (expected < 0)
    return NULL;
  CsSegmentBuilder *builder = _cs_segment_builder_new (dim, (guint) CLAMP (expected, 0, G_MAXINT));
  if (!cs_store_foreach_indexed_photo (store, row, 0, add_row_cb, builder, &change, NULL, error))
    {
      _cs_segment_builder_free (builder);
      return NULL;
    }
  CsSegment *segment = _cs_segment_builder_end (builder);
  CsVectorIndex *index = _cs_vector_index_new (dim, row, model_id, change, segment);
  _cs_segment_unref (segment);
  return index;
}

static gboolean
runtime_fits (CsClipRuntime  *rt,
              CsVectorIndex  *index,
              GError        **error)
{
  if (_cs_vector_index_model_id (index) == NULL)
    return TRUE;  /* nothing indexed yet: any model will do */
  if (g_strcmp0 (cs_clip_runtime_get_model_id (rt), _cs_vector_index_model_id (index)) != 0
      || cs_clip_runtime_get_dim (rt) != _cs_vector_index_dim (index))
    {
      g_autofree char *dir = g_filename_display_name (cs_clip_runtime_get_dir (rt));

      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_MODEL_MISMATCH,
                   "the photos were indexed with another model than %s: index them with it, "
                   "or search with the model they were indexed with", dir);
      return FALSE;
    }
  return TRUE;
}

/* The model change in progress, if any (the indexer's "building-model"
 * settings): its folder and how many photos have its vectors.  For the
 * app's progress only: a failure to read it is logged, not an error. */
static void
read_building (LoadJob *job,
               CsStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = cs_store_dup_setting (store, CS_STORE_SETTING_BUILDING_MODEL, &error);
  gint64 row = 0, done = 0, total = 0;

  if (id != NULL)
    row = cs_store_lookup_model (store, id, NULL, &error);
  if (row > 0)
    done = cs_store_count_vectors (store, row, &error);
  if (row > 0 && done >= 0)
    total = cs_store_count_photos (store, &error);
  if (row > 0 && done >= 0 && total >= 0)
    job->building_dir = cs_store_dup_setting (store, CS_STORE_SETTING_BUILDING_MODEL_DIR, &error);
  if (error != NULL)
    {
      g_debug ("cannot read the model change in progress: %s", error->message);
      g_clear_pointer (&job->building_dir, g_free);
      return;
    }
  if (job->building_dir != NULL)
    {
      job->building_done = (guint64) done;
      job->building_total = (guint64) MAX (total, done);
    }
}

/* The named model does not fit the stored vectors: when they are another
 * model's (a model change in progress, or one about to start), that
 * model answers from its own folder (the "model-dir" setting) until the
 * indexer has made the named model's vectors for every photo and made it
 * active; the next refresh then reloads with the named one. */
static CsClipRuntime *
active_runtime (CsStore       *store,
                CsVectorIndex *index,
                const char    *named_dir,
                GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = cs_store_dup_setting (store, CS_STORE_SETTING_MODEL_DIR, &error);
  g_autoptr(CsClipRuntime) rt = NULL;

  if (dir == NULL || g_strcmp0 (dir, named_dir) == 0 || _cs_vector_index_model_id (index) == NULL)
    return NULL;
  rt = cs_clip_runtime_load (dir, cancellable, &error);
  if (rt == NULL || !runtime_fits (rt, index, &error))
    {
      g_debug ("the active model cannot answer meanwhile: %s", error->message);
      return NULL;
    }
  cs_clip_runtime_set_image_precision (rt, cs_clip_image_precision (store, dir));
  return g_steal_pointer (&rt);
}

static gboolean
cluster (LoadJob       *job,
         CsStore       *store,
         CsVectorIndex *index,
         CsClipRuntime *rt,
         GPtrArray     *defs,
         GCancellable  *cancellable,
         GError       **error)
{
  if (rt == NULL || defs == NULL || job->skip_clustering)
    return TRUE;
  job->clustering = cs_clustering_compute (index, rt, store, defs, cancellable, error);
  return job->clustering != NULL;
}

static void
load_job_run (GTask *task)
{
  LoadJob *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CsStore) store = NULL;
  g_autofree char *model_dir = NULL;
  GError *error = NULL;

  if (_cs_library_job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    goto fail;
  job->new_defs = _cs_library_read_defs (store, &error);
  if (job->new_defs == NULL)
    goto fail;

  model_dir = job->model_dir != NULL ? g_strdup (job->model_dir)
                                     : cs_store_dup_setting (store, CS_STORE_SETTING_MODEL_DIR, &error);
  if (error != NULL)
    goto fail; /* not "no model": the database could not be read */
  if (model_dir != NULL)
    {
      job->new_runtime = cs_clip_runtime_load (model_dir, cancellable, &job->model_error);
      /* an example photo is embedded in the precision the indexer's check
       * chose for this model, not the unchecked default */
      if (job->new_runtime != NULL)
        cs_clip_runtime_set_image_precision (job->new_runtime, cs_clip_image_precision (store, model_dir));
      if (job->new_runtime == NULL && job->model_dir != NULL)
        {
          /* the caller named this model: it must work */
          error = g_steal_pointer (&job->model_error);
          goto fail;
        }
    }
  else
    g_set_error_literal (&job->model_error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL,
                         "no CLIP model: give a model folder (or index photos with one first)");

  job->index = read_index (store, job->new_runtime != NULL ? cs_clip_runtime_get_dim (job->new_runtime) : 0,
                           &error);
  if (job->index == NULL)
    goto fail;
  if (job->new_runtime != NULL && !runtime_fits (job->new_runtime, job->index, &job->model_error))
    {
      g_clear_pointer (&job->new_runtime, cs_clip_runtime_unref);
      if (job->model_dir != NULL
          && (job->new_runtime = active_runtime (store, job->index, job->model_dir, cancellable)) != NULL)
        {
          g_clear_error (&job->model_error);
          job->pending = TRUE;
        }
    }
  read_building (job, store);
  if (_cs_library_job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  if (!cluster (job, store, job->index, job->new_runtime, job->new_defs, cancellable, &error))
    goto fail;
  job->changed = TRUE;
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, error);
}

/* Photo ids live in `index` that `ids` (sorted) no longer holds. */
static GArray *
find_removed (CsVectorIndex *index,
              GArray        *ids)
{
  GArray *removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_rows = _cs_vector_index_n_rows (index);

  for (guint r = 0; r < n_rows; r++)
    {
      CsPhotoMeta m;
      guint lo = 0, hi = ids->len;

      if (!_cs_vector_index_is_live (index, r))
        continue;
      _cs_vector_index_meta (index, r, &m);
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          if (g_array_index (ids, gint64, mid) < m.id)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo >= ids->len || g_array_index (ids, gint64, lo) != m.id)
        g_array_append_val (removed, m.id);
    }
  return removed;
}

static void
refresh_job_run (GTask *task)
{
  LoadJob *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CsStore) store = NULL;
  g_autofree char *model_id = NULL;
  g_autoptr(GArray) removed = NULL;
  CsSegment *segment;
  gint64 change = 0, count = 0, row;
  guint added_new = 0;
  int dim;
  GError *error = NULL;

  if (_cs_library_job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    goto fail;
  row = active_model (store, &model_id, &dim, &error);
  if (row < 0)
    goto fail;
  if (row != _cs_vector_index_model_row (job->base)
      || g_strcmp0 (model_id, _cs_vector_index_model_id (job->base)) != 0)
    {
      /* a new active model: everything is new */
      job->full = TRUE;
      load_job_run (task);
      return;
    }
  read_building (job, store);
  if (row == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  CsSegmentBuilder *builder = _cs_segment_builder_new (dim, 0);
  if (!cs_store_foreach_indexed_photo (store, row, _cs_vector_index_change (job->base), add_row_cb,
                                       builder, &change, &count, &error))
    {
      _cs_segment_builder_free (builder);
      goto fail;
    }
  segment = _cs_segment_builder_end (builder);

  /* rows deleted since leave no stamp: the count tells whether any did */
  if (segment != NULL)
    added_new = _cs_vector_index_count_new (job->base, segment);
  if ((gint64) _cs_vector_index_n_live (job->base) + added_new != count)
    {
      g_autoptr(GArray) ids = cs_store_list_vector_ids (store, row, &error);

      if (ids == NULL)
        {
          _cs_segment_unref (segment);
          goto fail;
        }
      removed = find_removed (job->base, ids);
    }
  job->changed = segment != NULL || (removed != NULL && removed->len > 0);
  job->index = job->changed ? _cs_vector_index_update (job->base, segment, removed, change)
                            : _cs_vector_index_ref (job->base);
  _cs_segment_unref (segment);
  if (job->changed && job->defs != NULL && job->defs->len > 0
      && !cluster (job, store, job->index, job->runtime, job->defs, cancellable, &error))
    goto fail;
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, error);
}

/* --------------------------------------------------- applying a result */

static void
apply_load (CsLibrary *self,
            LoadJob   *job)
{
  guint old_n = self->index != NULL ? _cs_vector_index_n_live (self->index) : 0;
  gboolean had_model = self->runtime != NULL;

  if (job->index != NULL)
    {
      g_clear_pointer (&self->index, _cs_vector_index_unref);
      self->index = _cs_vector_index_ref (job->index);
    }
  _cs_library_set_building (self, job->building_dir, job->building_done, job->building_total);
  if (job->full)
    {
      _cs_library_set_pending (self, job->pending);
      g_clear_pointer (&self->runtime, cs_clip_runtime_unref);
      if (job->new_runtime != NULL)
        self->runtime = cs_clip_runtime_ref (job->new_runtime);
      g_clear_error (&self->model_error);
      if (job->model_error != NULL)
        self->model_error = g_error_copy (job->model_error);
    }
  if (job->new_defs != NULL)
    {
      g_ptr_array_unref (self->defs);
      self->defs = g_ptr_array_ref (job->new_defs);
    }
  if (job->clustering != NULL || job->full)
    {
      g_clear_pointer (&self->clustering, cs_clustering_unref);
      if (job->clustering != NULL)
        self->clustering = cs_clustering_ref (job->clustering);
    }

  _cs_library_finish_load (self, old_n, had_model, job->changed);
}

/* --------------------------------------------------------------- load */

static LoadJob *
load_job_new (CsLibrary *self)
{
  LoadJob *job = g_new0 (LoadJob, 1);

  job->database_path = g_strdup (self->database_path);
  job->model_dir = g_strdup (self->model_dir);
  job->library_cancellable = g_object_ref (self->cancellable);
  job->full = TRUE;
  job->skip_clustering = self->skip_clustering;
  return job;
}

static void
on_load_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  CsLibrary *self = g_task_get_source_object (outer);
  GTask *inner = G_TASK (result);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  apply_load (self, g_task_get_task_data (inner));
  g_task_return_boolean (outer, TRUE);
}

void
cs_library_load_async (CsLibrary           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_load_async);
  inner = g_task_new (NULL, cancellable, on_load_done_cb, outer);
  g_task_set_task_data (inner, load_job_new (self), load_job_free);
  _cs_library_serial_push (self, inner, load_job_run);
}

gboolean
cs_library_load_finish (CsLibrary     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------ refresh */

static void start_refresh (CsLibrary *self);

static void
finish_waiters (GPtrArray    *waiters,
                const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *t = waiters->pdata[i];

      if (error != NULL)
        g_task_return_error (t, g_error_copy (error));
      else
        g_task_return_boolean (t, TRUE);
    }
  g_ptr_array_set_size (waiters, 0);
}

static void
on_refresh_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CsLibrary) self = user_data;
  GTask *inner = G_TASK (result);
  LoadJob *job = g_task_get_task_data (inner);
  g_autoptr(GError) error = NULL;

  self->refreshing = FALSE;
  if (g_task_propagate_boolean (inner, &error))
    {
      /* a load in between made the base stale, and the result with it:
       * those waiting need another round */
      if (job->full || job->base == self->index)
        apply_load (self, job);
      else
        {
          g_ptr_array_extend_and_steal (self->refresh_queued, g_steal_pointer (&self->refresh_waiting));
          self->refresh_waiting = g_ptr_array_new_with_free_func (g_object_unref);
        }
    }
  finish_waiters (self->refresh_waiting, error);
  if (self->refresh_queued->len > 0 && !g_cancellable_is_cancelled (self->cancellable))
    start_refresh (self);
  else
    finish_waiters (self->refresh_queued, error);
}

static void
start_refresh (CsLibrary *self)
{
  g_autoptr(GTask) inner = NULL;
  LoadJob *job = load_job_new (self);
  GPtrArray *swap;

  if (self->index != NULL)
    {
      job->full = FALSE;
      job->base = _cs_vector_index_ref (self->index);
      job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
      job->defs = _cs_library_copy_defs (self->defs);
    }
  swap = self->refresh_waiting;
  self->refresh_waiting = self->refresh_queued;
  self->refresh_queued = swap;
  self->refreshing = TRUE;
  inner = g_task_new (NULL, NULL, on_refresh_done_cb, g_object_ref (self));
  g_task_set_task_data (inner, job, load_job_free);
  _cs_library_serial_push (self, inner, job->base != NULL ? refresh_job_run : load_job_run);
}

void
cs_library_refresh_async (CsLibrary           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_refresh_async);
  g_ptr_array_add (self->refresh_queued, task);
  if (!self->refreshing)
    start_refresh (self);
}

gboolean
cs_library_refresh_finish (CsLibrary     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
