/* cs-library.c - the indexed photo library: search, zero-shot labels and
 * near-duplicates.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads.  Everything that changes the library's state (load, refresh,
 * label changes and the re-clustering they cause) runs as a job on one
 * serial worker thread, in the order asked, so a job always starts from
 * the state the previous one left and results are applied on the home
 * thread in that same order.  Searches and duplicate searches only read a
 * snapshot (the index, the model) and run in parallel on GLib's task
 * threads.  A job gets an owned snapshot of what it needs and hands back
 * an owned result; the home thread swaps results in (STYLE.md E).
 *
 * Searching: see cs-cutoff.c for the adaptive cutoff and
 * cs-vector-index.c for the scan; here the query's terms are embedded and
 * summed, and the result list assembled.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-cancel.h"
#include "cs-clip-error.h"
#include "cs-clip-runtime.h"
#include "cs-duplicates.h"
#include "cs-labels.h"
#include "cs-library.h"
#include "cs-library-enums.h"
#include "cs-library-private.h"

G_DEFINE_QUARK (cs-library-error-quark, cs_library_error)

struct _CsLibrary
{
  GObject        parent_instance;

  char          *database_path;
  char          *model_dir;
  gboolean       loaded;
  GMainContext  *context;           /* home */

  CsVectorIndex *index;
  CsClipRuntime *runtime;
  GError        *model_error;       /* why there is no runtime */
  GListStore    *labels;            /* CsLabel, by name */
  GPtrArray     *defs;              /* CsLabelDef*, by id */
  CsClustering  *clustering;

  GCancellable  *cancellable;       /* cancelled at dispose */
  GCancellable  *search_cancellable;
  GThreadPool   *serial;

  /* refresh coalescing */
  gboolean       refreshing;
  gboolean       skip_clustering;   /* cs_library_set_cluster_labels (FALSE) */
  GPtrArray     *refresh_waiting;   /* GTask*: finish with the running refresh */
  GPtrArray     *refresh_queued;    /* GTask*: need one more */
};

G_DEFINE_FINAL_TYPE (CsLibrary, cs_library, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_MODEL_DIR,
  PROP_LOADED,
  PROP_N_PHOTOS,
  PROP_HAS_MODEL,
  PROP_LABELS,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The starter labels: names people use, prompts that CLIP models know. */
typedef struct {
  const char *name;
  const char *prompts[5];
} Starter;

static const Starter starters[] = {
  { "People", { "a photo of a person.", "a photo of people.", "a portrait of a person.", "a group photo of friends.", NULL } },
  { "Pets", { "a photo of a pet.", "a photo of a dog.", "a photo of a cat.", NULL } },
  { "Food", { "a photo of food.", "a photo of a meal on a plate.", "a photo of a dish.", NULL } },
  { "Documents and receipts", { "a photo of a document.", "a photo of a receipt.", "a scan of a page of text.", NULL } },
  { "Screenshots", { "a screenshot.", "a screenshot of a phone screen.", "a screenshot of a computer screen.", NULL } },
  { "Landscapes", { "a landscape photo.", "a photo of nature scenery.", "a photo of fields and hills.", NULL } },
  { "Beaches", { "a photo of a beach.", "a photo of the sea and sand.", NULL } },
  { "Mountains", { "a photo of mountains.", "a photo of a mountain peak.", NULL } },
  { "Cities", { "a photo of a city.", "a photo of city streets and buildings.", "a photo of a skyline.", NULL } },
  { "Vehicles", { "a photo of a car.", "a photo of a vehicle.", "a photo of a bicycle.", "a photo of a train.", NULL } },
  { "Flowers and plants", { "a photo of flowers.", "a photo of a plant.", NULL } },
  { "Sunsets", { "a photo of a sunset.", "a photo of a sunrise.", NULL } },
  { "Snow", { "a photo of snow.", "a photo of a winter scene.", NULL } },
  { "Art", { "a photo of a painting.", "a photo of a drawing.", "a photo of a sculpture.", NULL } },
};

/* The names as stored, marked for the catalogue: the app shows a starter
 * label under its name translated. */
static const char * const starter_names[] = {
  N_("People"), N_("Pets"), N_("Food"), N_("Documents and receipts"), N_("Screenshots"),
  N_("Landscapes"), N_("Beaches"), N_("Mountains"), N_("Cities"), N_("Vehicles"),
  N_("Flowers and plants"), N_("Sunsets"), N_("Snow"), N_("Art"), NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (starters) + 1 == G_N_ELEMENTS (starter_names));

/* ------------------------------------------------------------- helpers */

static void
def_free (gpointer p)
{
  cs_label_def_free (p);
}

static GPtrArray *
defs_copy (GPtrArray *defs)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (def_free);

  for (guint i = 0; defs != NULL && i < defs->len; i++)
    g_ptr_array_add (copy, cs_label_def_copy (defs->pdata[i]));
  return copy;
}

static CsLabelDef *
find_def (CsLibrary *self,
          gint64     id)
{
  for (guint i = 0; i < self->defs->len; i++)
    if (((CsLabelDef *) self->defs->pdata[i])->id == id)
      return self->defs->pdata[i];
  return NULL;
}

static gboolean
set_not_loaded (GError **error)
{
  g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED,
                       "the library is not loaded yet");
  return FALSE;
}

/* Cancelled by the caller or by the library's disposal. */
static gboolean
job_cancelled (GCancellable  *mine,
               GCancellable  *library,
               GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (mine, error))
    return TRUE;
  return g_cancellable_set_error_if_cancelled (library, error);
}

/* Runs `task`'s work on the serial thread. */
typedef void (*SerialFunc) (GTask *task);

typedef struct {
  GTask      *task;
  SerialFunc  func;
} SerialItem;

static void
serial_thread (gpointer data,
               gpointer user_data)
{
  SerialItem *item = data;

  item->func (item->task);
  g_object_unref (item->task);
  g_free (item);
}

static void
serial_push (CsLibrary  *self,
             GTask      *task,
             SerialFunc  func)
{
  SerialItem *item = g_new0 (SerialItem, 1);

  item->task = g_object_ref (task);
  item->func = func;
  g_thread_pool_push (self->serial, item, NULL);
}

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
  g_autofree char *active = cs_store_get_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, error);
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

static GPtrArray *
read_defs (CsStore  *store,
           GError  **error)
{
  g_autoptr(GPtrArray) labels = cs_store_list_labels (store, error);
  g_autoptr(GPtrArray) defs = NULL;

  if (labels == NULL)
    return NULL;
  defs = g_ptr_array_new_with_free_func (def_free);
  for (guint i = 0; i < labels->len; i++)
    {
      const CsStoreLabel *label = labels->pdata[i];
      g_autoptr(GArray) verdicts = cs_store_list_label_verdicts (store, label->id, error);

      if (verdicts == NULL)
        return NULL;
      g_ptr_array_add (defs, cs_label_def_new (label, verdicts));
    }
  return g_steal_pointer (&defs);
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

  if (job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    goto fail;
  job->new_defs = read_defs (store, &error);
  if (job->new_defs == NULL)
    goto fail;

  model_dir = job->model_dir != NULL ? g_strdup (job->model_dir)
                                     : cs_store_get_setting (store, CS_STORE_SETTING_MODEL_DIR, &error);
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
    g_clear_pointer (&job->new_runtime, cs_clip_runtime_unref);
  if (job_cancelled (cancellable, job->library_cancellable, &error))
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

  if (job_cancelled (cancellable, job->library_cancellable, &error))
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

/* ------------------------------------------------ applying job results */

static void update_label_counts (CsLibrary *self);

static gint
compare_labels_by_name (gconstpointer a,
                        gconstpointer b,
                        gpointer      user_data)
{
  return g_utf8_collate (cs_label_get_name ((CsLabel *) a), cs_label_get_name ((CsLabel *) b));
}

static gint
compare_label_ptrs_by_name (gconstpointer a,
                            gconstpointer b,
                            gpointer      user_data)
{
  return compare_labels_by_name (*(CsLabel * const *) a, *(CsLabel * const *) b, NULL);
}

/* self->defs by id (borrowed): the loops below over every label must not
 * search the list for each one (10,000 labels: 10^8 steps). */
static GHashTable *
defs_by_id (CsLibrary *self)
{
  GHashTable *by_id = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < self->defs->len; i++)
    {
      CsLabelDef *def = self->defs->pdata[i];
      g_hash_table_insert (by_id, &def->id, def);
    }
  return by_id;
}

/* Makes the CsLabel objects match `self->defs`, keeping the objects of
 * labels that stay (the app may hold them). */
static void
sync_label_objects (CsLibrary *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));
  g_autoptr(GHashTable) defs = defs_by_id (self);
  /* id -> CsLabel (the list's reference) */
  g_autoptr(GHashTable) objects = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

  /* removed ones */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
      gint64 id = cs_label_get_id (label);

      if (g_hash_table_lookup (defs, &id) == NULL)
        g_list_store_remove (self->labels, i);
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
      CsLabelDef *def = g_hash_table_lookup (defs, &(gint64) { cs_label_get_id (label) });

      g_hash_table_insert (objects, &def->id, label);
    }
  /* changed and new ones */
  for (guint d = 0; d < self->defs->len; d++)
    {
      CsLabelDef *def = self->defs->pdata[d];
      CsLabel *label = g_hash_table_lookup (objects, &def->id);
      guint pos;

      if (label == NULL)
        {
          g_ptr_array_add (fresh, _cs_label_new (def->id, def->name, (const char * const *) def->prompts,
                                                 def->threshold));
          continue;
        }
      _cs_label_set_prompts (label, (const char * const *) def->prompts);
      _cs_label_set_threshold (label, def->threshold);
      if (g_strcmp0 (cs_label_get_name (label), def->name) != 0
          && g_list_store_find (self->labels, label, &pos))
        {
          /* renamed: move it to its new place */
          g_object_ref (label);
          g_list_store_remove (self->labels, pos);
          _cs_label_set_name (label, def->name);
          g_list_store_insert_sorted (self->labels, label, compare_labels_by_name, NULL);
          g_object_unref (label);
        }
    }
  /* the new ones: all at once into an empty list (a load), else one by
   * one in their places */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->labels)) == 0 && fresh->len > 0)
    {
      g_ptr_array_sort_with_data (fresh, compare_label_ptrs_by_name, NULL);
      g_list_store_splice (self->labels, 0, 0, fresh->pdata, fresh->len);
    }
  else
    for (guint i = 0; i < fresh->len; i++)
      g_list_store_insert_sorted (self->labels, fresh->pdata[i], compare_labels_by_name, NULL);
  update_label_counts (self);
}

static void
update_label_counts (CsLibrary *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));
  g_autoptr(GHashTable) defs = defs_by_id (self);
  g_autoptr(GHashTable) position = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint *counts = g_new0 (guint, MAX (self->defs->len, 1));

  /* every count in one pass over the library */
  if (self->clustering != NULL)
    cs_clustering_count_members (self->clustering, self->defs, counts);
  for (guint d = 0; d < self->defs->len; d++)
    g_hash_table_insert (position, self->defs->pdata[d], GUINT_TO_POINTER (d));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
      CsLabelDef *def = g_hash_table_lookup (defs, &(gint64) { cs_label_get_id (label) });
      guint count = 0, nc = 0, nr = 0;

      if (def == NULL)
        continue;
      count = counts[GPOINTER_TO_UINT (g_hash_table_lookup (position, def))];
      for (guint v = 0; v < def->verdicts->len; v++)
        {
          if (g_array_index (def->verdicts, CsStoreVerdict, v).verdict > 0)
            nc++;
          else
            nr++;
        }
      _cs_label_set_counts (label, count, nc, nr);
    }
}

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
  if (job->full)
    {
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

  g_object_freeze_notify (G_OBJECT (self));
  sync_label_objects (self);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  if (old_n != _cs_vector_index_n_live (self->index))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PHOTOS]);
  if (had_model != (self->runtime != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MODEL]);
  g_object_thaw_notify (G_OBJECT (self));
  if (job->changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
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
  serial_push (self, inner, load_job_run);
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
      job->defs = defs_copy (self->defs);
    }
  swap = self->refresh_waiting;
  self->refresh_waiting = self->refresh_queued;
  self->refresh_queued = swap;
  self->refreshing = TRUE;
  inner = g_task_new (NULL, NULL, on_refresh_done_cb, g_object_ref (self));
  g_task_set_task_data (inner, job, load_job_free);
  serial_push (self, inner, job->base != NULL ? refresh_job_run : load_job_run);
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

/* ------------------------------------------------------------- search */

typedef struct {
  CsVectorIndex *index;
  CsClipRuntime *runtime;
  GError        *model_error;
  CsQueryData   *q;
  CsQuery       *query;
} SearchJob;

static void
search_job_free (gpointer p)
{
  SearchJob *job = p;

  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
  g_clear_error (&job->model_error);
  g_clear_pointer (&job->q, _cs_query_data_free);
  g_clear_object (&job->query);
  g_free (job);
}

static gboolean
need_model (SearchJob  *job,
            GError    **error)
{
  if (job->runtime != NULL)
    return TRUE;
  if (job->model_error != NULL)
    g_propagate_error (error, g_error_copy (job->model_error));
  else
    g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL,
                         "searching by text or image needs a CLIP model");
  return FALSE;
}

/* The query vector: the weighted sum of its terms, normalised.
 * *plain_text tells whether it is text terms with positive weights only
 * (the background prompts then apply). */
static float *
query_vector (SearchJob     *job,
              GCancellable  *cancellable,
              gboolean      *plain_text,
              guint         *self_row,
              GError       **error)
{
  int dim = _cs_vector_index_dim (job->index);
  g_autoptr(GPtrArray) terms = cs_query_parse_terms (job->q->text, error);
  g_autofree float *q = NULL;
  double norm = 0;
  gboolean any = FALSE;

  if (terms == NULL)
    return NULL;
  q = g_new0 (float, MAX (dim, 1));

  *plain_text = terms->len > 0 && job->q->image_path == NULL && job->q->similar_to <= 0;
  *self_row = G_MAXUINT;
  if (terms->len > 0)
    {
      g_autofree const char **texts = g_new0 (const char *, terms->len + 1);
      g_autofree float *emb = NULL;

      if (!need_model (job, error))
        return NULL;
      for (guint i = 0; i < terms->len; i++)
        {
          const CsQueryTerm *t = terms->pdata[i];
          texts[i] = t->text;
          if (t->weight < 0)
            *plain_text = FALSE;
        }
      emb = g_new (float, (gsize) terms->len * dim);
      if (!cs_clip_runtime_embed_texts (job->runtime, texts, terms->len, emb, cancellable, error))
        return NULL;
      for (guint i = 0; i < terms->len; i++)
        for (int d = 0; d < dim; d++)
          q[d] += (float) (((CsQueryTerm *) terms->pdata[i])->weight * emb[(gsize) i * dim + d]);
      any = TRUE;
    }
  if (job->q->image_path != NULL)
    {
      g_autofree float *v = g_new (float, dim);

      if (!need_model (job, error)
          || !cs_clip_runtime_embed_image (job->runtime, job->q->image_path, v, cancellable, error))
        return NULL;
      for (int d = 0; d < dim; d++)
        q[d] += (float) (job->q->image_weight * v[d]);
      any = TRUE;
    }
  if (job->q->similar_to > 0)
    {
      guint row;
      const float *v;
      double vn = 0;

      if (!_cs_vector_index_find (job->index, job->q->similar_to, &row))
        {
          g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_PHOTO,
                       "photo %" G_GINT64_FORMAT " is not in the library (or not indexed yet)",
                       job->q->similar_to);
          return NULL;
        }
      *self_row = row;
      v = _cs_vector_index_vector (job->index, row);
      for (int d = 0; d < dim; d++)
        vn += (double) v[d] * v[d];
      vn = vn > 0 ? sqrt (vn) : 1;
      for (int d = 0; d < dim; d++)
        q[d] += (float) (job->q->image_weight * v[d] / vn);
      any = TRUE;
    }
  if (!any)
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY,
                           "the query is empty: give a text, an image or a photo");
      return NULL;
    }
  for (int d = 0; d < dim; d++)
    norm += (double) q[d] * q[d];
  norm = sqrt (norm);
  if (!(norm > 1e-6))
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY,
                           "the terms of the query cancel out");
      return NULL;
    }
  for (int d = 0; d < dim; d++)
    q[d] = (float) (q[d] / norm);
  return g_steal_pointer (&q);
}

/* How many of the rows (best first) beat every generic background prompt
 * before the first that does not: the accepted photos stay the top of the
 * ranking. */
static guint
count_beating_background (CsVectorIndex *index,
                          CsClipRuntime *rt,
                          const guint   *rows,
                          const float   *scores,
                          guint          n)
{
  guint n_bg;
  const float *bg = cs_clip_runtime_get_background (rt, &n_bg);
  int dim = _cs_vector_index_dim (index);
  g_autofree float *s = g_new (float, MAX (n_bg, 1));

  for (guint i = 0; i < n; i++)
    {
      clip_vec_dot_rows_f32 (bg, dim, n_bg, _cs_vector_index_vector (index, rows[i]), dim, s);
      for (guint g = 0; g < n_bg; g++)
        if (s[g] >= scores[i])
          return i;
    }
  return n;
}

typedef struct {
  gint64          taken;
  gint64          id;
  CsPhotoListItem item;
} DateKey;

static gint
compare_by_date (gconstpointer a,
                 gconstpointer b)
{
  const DateKey *x = a, *y = b;

  if (x->taken != y->taken)
    return x->taken > y->taken ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

/* `items` newest first (ties: the higher id first).  The dates are read
 * once, not at every comparison: the list may be the whole library. */
static void
sort_by_date (CsVectorIndex *index,
              GArray        *items)
{
  g_autofree DateKey *keys = g_new (DateKey, MAX (items->len, 1));

  for (guint i = 0; i < items->len; i++)
    {
      CsPhotoMeta meta;

      keys[i].item = g_array_index (items, CsPhotoListItem, i);
      _cs_vector_index_meta (index, keys[i].item.row, &meta);
      keys[i].taken = meta.taken;
      keys[i].id = meta.id;
    }
  qsort (keys, items->len, sizeof (DateKey), compare_by_date);
  for (guint i = 0; i < items->len; i++)
    g_array_index (items, CsPhotoListItem, i) = keys[i].item;
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchJob *job = task_data;
  CsVectorIndex *index = job->index;
  guint n_live = _cs_vector_index_n_live (index);
  g_autofree float *q = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GArray) acc_rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) acc_scores = g_array_new (FALSE, FALSE, sizeof (float));
  CsScanResult scan = { 0 };
  CsScanParams params = { 0 };
  CsCutoff cut;
  gboolean plain_text, everything;
  guint self_row, limit = job->q->limit, n_accepted = 0;
  GError *error = NULL;

  q = query_vector (job, cancellable, &plain_text, &self_row, &error);
  if (q == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  params.query = q;
  params.folder = job->q->folder;
  params.after = job->q->after;
  params.before = job->q->before;
  /* The head feeds the cutoff (cs-cutoff.c looks for the gap in it) and
   * the near misses that follow the accepted photos in a relevance list.
   * It does not bound the list: when the cutoff lies below what the head
   * holds completely, a second pass collects every photo above it. */
  params.head = MIN (n_live, MAX (limit, 100) + 1024 + n_live / 512);
  params.rank = limit > 0 ? MIN (limit, params.head) : params.head;
  if (!_cs_vector_index_scan (index, &params, cancellable, &scan))
    {
      g_cancellable_set_error_if_cancelled (cancellable, &error);
      g_task_return_error (task, error);
      return;
    }
  cut = _cs_cutoff_find (scan.scores, scan.n, scan.hist, scan.n_matched, job->q->strictness);
  if (self_row != G_MAXUINT && scan.n > 0)
    cut.cutoff = MIN (cut.cutoff, scan.scores[0]);
  /* the loosest strictness: every photo passing the filters, ranked */
  everything = cut.cutoff == -INFINITY;

  /* every photo scoring at least the cutoff, best first */
  if (cut.cutoff < scan.floor && scan.n > 0)
    {
      _cs_vector_index_collect (index, &params, (float) cut.cutoff, acc_rows, acc_scores);
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, error);
          _cs_scan_result_clear (&scan);
          return;
        }
    }
  else
    for (guint i = 0; i < scan.n && scan.scores[i] >= cut.cutoff; i++)
      {
        g_array_append_val (acc_rows, scan.rows[i]);
        g_array_append_val (acc_scores, scan.scores[i]);
      }

  /* the accepted photos are a prefix of those: for a plain text query it
   * ends at the first photo that fails the background prompts */
  n_accepted = acc_rows->len;
  if (plain_text && !everything)
    n_accepted = count_beating_background (index, job->runtime, (guint *) acc_rows->data,
                                           (float *) acc_scores->data, acc_rows->len);

  if (job->q->sort == CS_SORT_DATE)
    {
      for (guint i = 0; i < n_accepted; i++)
        {
          CsPhotoListItem it = { g_array_index (acc_rows, guint, i), g_array_index (acc_scores, float, i),
                                 0, TRUE, 0 };
          g_array_append_val (items, it);
        }
      sort_by_date (index, items);
      if (limit > 0 && items->len > limit)
        g_array_set_size (items, limit);
    }
  else
    {
      guint n = job->q->accepted_only ? n_accepted : acc_rows->len;

      if (limit > 0)
        n = MIN (n, limit);
      g_array_set_size (items, n);
      for (guint i = 0; i < n; i++)
        {
          CsPhotoListItem it = { g_array_index (acc_rows, guint, i), g_array_index (acc_scores, float, i),
                                 0, i < n_accepted, 0 };
          g_array_index (items, CsPhotoListItem, i) = it;
        }
      /* then the near misses of the head, below the cutoff */
      for (guint i = 0; !job->q->accepted_only && i < scan.n && (limit == 0 || items->len < limit); i++)
        if (scan.scores[i] < cut.cutoff)
          {
            CsPhotoListItem it = { scan.rows[i], scan.scores[i], 0, FALSE, 0 };
            g_array_append_val (items, it);
          }
    }

  g_task_return_pointer (task,
                         _cs_photo_list_new (index, (CsPhotoListItem *) items->data, items->len,
                                             scan.n_matched, n_accepted, cut.cutoff, job->query),
                         g_object_unref);
  _cs_scan_result_clear (&scan);
}

void
cs_library_search_async (CsLibrary           *self,
                         CsQuery             *query,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_QUERY (query));

  /* without a cancellable of its own the newest such search wins; with
   * one, the caller decides (two callers' searches never cancel each
   * other) */
  if (cancellable == NULL)
    {
      cs_cancel_and_clear (&self->search_cancellable);
      self->search_cancellable = g_cancellable_new ();
      cancellable = self->search_cancellable;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_search_async);
  g_task_set_return_on_cancel (task, FALSE);
  if (self->index == NULL)
    {
      GError *error = NULL;
      set_not_loaded (&error);
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (SearchJob, 1);
  job->index = _cs_vector_index_ref (self->index);
  job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
  job->model_error = self->model_error != NULL ? g_error_copy (self->model_error) : NULL;
  job->q = _cs_query_data_new (query);
  job->query = cs_query_copy (query);
  g_task_set_task_data (task, job, search_job_free);
  g_task_run_in_thread (task, search_thread);
}

CsPhotoList *
cs_library_search_finish (CsLibrary     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CsPhoto *
cs_library_lookup_photo (CsLibrary *self,
                         gint64     id)
{
  CsPhotoMeta meta;
  guint row;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  if (self->index == NULL || !_cs_vector_index_find (self->index, id, &row))
    return NULL;
  _cs_vector_index_meta (self->index, row, &meta);
  return _cs_photo_new (&meta, 0.0, FALSE, 0.0, 0);
}

CsPhoto *
cs_library_lookup_path (CsLibrary  *self,
                        const char *path)
{
  CsPhotoMeta meta;
  guint row;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  if (self->index == NULL || !_cs_vector_index_find_path (self->index, path, &row))
    return NULL;
  _cs_vector_index_meta (self->index, row, &meta);
  return _cs_photo_new (&meta, 0.0, FALSE, 0.0, 0);
}

/* ------------------------------------------------------------- labels */

typedef enum {
  LABEL_ADD,
  LABEL_EDIT,
  LABEL_REMOVE,
  LABEL_VERDICT,
  LABEL_STARTER,
} LabelOp;

typedef struct {
  LabelOp        op;
  char          *database_path;
  GCancellable  *library_cancellable;
  CsVectorIndex *index;
  CsClipRuntime *runtime;
  /* the change */
  gint64         label_id;
  char          *name;
  char         **prompts;
  gboolean       set_prompts;
  double         threshold;
  GArray        *photo_ids;
  int            verdict;
  gboolean       needs_model;   /* the change must be re-clustered */
  /* out */
  gint64         new_id;
  guint          n_added;
  GPtrArray     *defs;
  CsClustering  *clustering;
  GError        *cluster_error;
} LabelJob;

static void
label_job_free (gpointer p)
{
  LabelJob *job = p;

  g_free (job->database_path);
  g_clear_object (&job->library_cancellable);
  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
  g_free (job->name);
  g_strfreev (job->prompts);
  g_clear_pointer (&job->photo_ids, g_array_unref);
  g_clear_pointer (&job->defs, g_ptr_array_unref);
  g_clear_pointer (&job->clustering, cs_clustering_unref);
  g_clear_error (&job->cluster_error);
  g_free (job);
}

/* Store errors about labels in the library's own terms. */
static void
translate_store_error (GError **error)
{
  if (*error == NULL || (*error)->domain != CS_STORE_ERROR)
    return;
  if ((*error)->code == CS_STORE_ERROR_EXISTS)
    (*error)->domain = CS_LIBRARY_ERROR, (*error)->code = CS_LIBRARY_ERROR_LABEL_EXISTS;
  else if ((*error)->code == CS_STORE_ERROR_INVALID)
    (*error)->domain = CS_LIBRARY_ERROR, (*error)->code = CS_LIBRARY_ERROR_INVALID;
}

static gboolean
label_write (LabelJob  *job,
             CsStore   *store,
             GError   **error)
{
  switch (job->op)
    {
    case LABEL_ADD:
      job->new_id = cs_store_add_label (store, job->name, (const char * const *) job->prompts,
                                        job->threshold, error);
      return job->new_id > 0;
    case LABEL_EDIT:
      return cs_store_update_label (store, job->label_id, job->name,
                                    job->set_prompts ? (const char * const *) job->prompts : NULL,
                                    job->threshold, error);
    case LABEL_REMOVE:
      return cs_store_delete_label (store, job->label_id, error);
    case LABEL_VERDICT:
      for (guint i = 0; i < job->photo_ids->len; i++)
        if (!cs_store_set_label_verdict (store, job->label_id, g_array_index (job->photo_ids, gint64, i),
                                         job->verdict, error))
          return FALSE;
      return TRUE;
    case LABEL_STARTER:
      {
        g_autoptr(GPtrArray) labels = cs_store_list_labels (store, error);

        if (labels == NULL)
          return FALSE;
        for (guint s = 0; s < G_N_ELEMENTS (starters); s++)
          {
            gboolean have = FALSE;

            for (guint i = 0; i < labels->len && !have; i++)
              have = g_utf8_collate (((CsStoreLabel *) labels->pdata[i])->name, starters[s].name) == 0;
            if (have)
              continue;
            if (cs_store_add_label (store, starters[s].name, starters[s].prompts,
                                    CS_LIBRARY_DEFAULT_LABEL_THRESHOLD, error) < 0)
              return FALSE;
            job->n_added++;
          }
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
label_job_run (GTask *task)
{
  LabelJob *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CsStore) store = NULL;
  GError *error = NULL;

  if (job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    goto fail;
  if (!cs_store_begin (store, &error))
    goto fail;
  if (!label_write (job, store, &error) || !cs_store_commit (store, &error))
    {
      cs_store_rollback (store);
      translate_store_error (&error);
      goto fail;
    }
  job->defs = read_defs (store, &error);
  if (job->defs == NULL)
    goto fail;
  /* the change is stored; clustering it may still fail (no model) */
  if (job->runtime != NULL && job->index != NULL)
    job->clustering = cs_clustering_compute (job->index, job->runtime, store, job->defs, cancellable,
                                             &job->cluster_error);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, error);
}

static void
on_label_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  CsLibrary *self = g_task_get_source_object (outer);
  GTask *inner = G_TASK (result);
  LabelJob *job = g_task_get_task_data (inner);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  g_ptr_array_unref (self->defs);
  self->defs = g_ptr_array_ref (job->defs);
  /* a clustering of an index since replaced is still the best there is
   * until the next refresh re-clusters */
  if (job->clustering != NULL)
    {
      g_clear_pointer (&self->clustering, cs_clustering_unref);
      self->clustering = cs_clustering_ref (job->clustering);
    }
  sync_label_objects (self);

  if (job->cluster_error != NULL && !g_error_matches (job->cluster_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (outer, g_error_copy (job->cluster_error));
      return;
    }
  if (job->needs_model && job->runtime == NULL && self->index != NULL)
    {
      if (self->model_error != NULL)
        g_task_return_error (outer, g_error_copy (self->model_error));
      else
        g_task_return_new_error (outer, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL,
                                 "labels need a CLIP model");
      return;
    }
  switch (job->op)
    {
    case LABEL_ADD:
      {
        guint n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));

        for (guint i = 0; i < n; i++)
          {
            g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
            if (cs_label_get_id (label) == job->new_id)
              {
                g_task_return_pointer (outer, g_steal_pointer (&label), g_object_unref);
                return;
              }
          }
        g_task_return_new_error (outer, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL,
                                 "the new label was removed at once");
        return;
      }
    case LABEL_STARTER:
      g_task_return_int (outer, job->n_added);
      return;
    default:
      g_task_return_boolean (outer, TRUE);
    }
}

static LabelJob *
label_job_new (CsLibrary *self,
               LabelOp    op)
{
  LabelJob *job = g_new0 (LabelJob, 1);

  job->op = op;
  job->database_path = g_strdup (self->database_path);
  job->library_cancellable = g_object_ref (self->cancellable);
  job->index = self->index != NULL ? _cs_vector_index_ref (self->index) : NULL;
  job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
  job->threshold = -1.0;
  job->needs_model = op != LABEL_REMOVE;
  return job;
}

static void
push_label_job (CsLibrary *self,
                LabelJob  *job,
                GTask     *outer)
{
  g_autoptr(GTask) inner = g_task_new (NULL, g_task_get_cancellable (outer), on_label_done_cb, outer);

  g_task_set_task_data (inner, job, label_job_free);
  serial_push (self, inner, label_job_run);
}

static gboolean
check_label_args (const char  *name,
                  double       threshold,
                  gboolean     threshold_optional,
                  GError     **error)
{
  if (name != NULL && (*name == '\0' || !g_utf8_validate (name, -1, NULL)))
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID,
                           "a label needs a name");
      return FALSE;
    }
  if (!(threshold_optional && threshold < 0) && !(threshold >= 0.0 && threshold <= 1.0))
    {
      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID,
                   "a label's threshold is a probability between 0 and 1, not %g", threshold);
      return FALSE;
    }
  return TRUE;
}

void
cs_library_add_label_async (CsLibrary           *self,
                            const char          *name,
                            const char * const  *prompts,
                            double               threshold,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer;
  LabelJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (name != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_add_label_async);
  if (threshold < 0)
    threshold = CS_LIBRARY_DEFAULT_LABEL_THRESHOLD;
  if (!check_label_args (name, threshold, FALSE, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  job = label_job_new (self, LABEL_ADD);
  job->name = g_strdup (name);
  job->prompts = g_strdupv ((char **) prompts);
  job->threshold = threshold;
  push_label_job (self, job, outer);
}

CsLabel *
cs_library_add_label_finish (CsLibrary     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
label_is_ours (CsLibrary  *self,
               CsLabel    *label,
               GError    **error)
{
  if (find_def (self, cs_label_get_id (label)) == NULL)
    {
      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL,
                   "the label “%s” was removed", cs_label_get_name (label));
      return FALSE;
    }
  return TRUE;
}

void
cs_library_edit_label_async (CsLibrary           *self,
                             CsLabel             *label,
                             const char          *name,
                             const char * const  *prompts,
                             double               threshold,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *outer;
  LabelJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_edit_label_async);
  if (!check_label_args (name, threshold, TRUE, &error) || !label_is_ours (self, label, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  if (threshold >= 0)
    {
      /* at once, from the probabilities at hand */
      CsLabelDef *def = find_def (self, cs_label_get_id (label));

      if (def != NULL)   /* label_is_ours found it */
        def->threshold = threshold;
      _cs_label_set_threshold (label, threshold);
      update_label_counts (self);
    }
  job = label_job_new (self, LABEL_EDIT);
  job->label_id = cs_label_get_id (label);
  job->name = g_strdup (name);
  job->set_prompts = prompts != NULL;
  job->prompts = g_strdupv ((char **) prompts);
  job->threshold = threshold;
  if (name == NULL && prompts == NULL)
    {
      /* nothing to re-cluster: only the write */
      g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
      g_clear_pointer (&job->index, _cs_vector_index_unref);
      job->needs_model = FALSE;
    }
  push_label_job (self, job, outer);
}

gboolean
cs_library_edit_label_finish (CsLibrary     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_library_remove_label_async (CsLibrary           *self,
                               CsLabel             *label,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *outer;
  LabelJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_remove_label_async);
  if (!label_is_ours (self, label, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  job = label_job_new (self, LABEL_REMOVE);
  job->label_id = cs_label_get_id (label);
  push_label_job (self, job, outer);
}

gboolean
cs_library_remove_label_finish (CsLibrary     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_library_set_verdict_async (CsLibrary           *self,
                              CsLabel             *label,
                              const gint64        *photo_ids,
                              guint                n_photos,
                              CsVerdict            verdict,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer;
  LabelJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));
  g_return_if_fail (photo_ids != NULL || n_photos == 0);
  g_return_if_fail (verdict >= CS_VERDICT_REJECT && verdict <= CS_VERDICT_CONFIRM);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_set_verdict_async);
  if (!label_is_ours (self, label, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  for (guint i = 0; i < n_photos; i++)
    {
      guint row;

      if (self->index == NULL || !_cs_vector_index_find (self->index, photo_ids[i], &row))
        {
          g_task_return_new_error (outer, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_PHOTO,
                                   "photo %" G_GINT64_FORMAT " is not in the library", photo_ids[i]);
          g_object_unref (outer);
          return;
        }
    }
  job = label_job_new (self, LABEL_VERDICT);
  job->label_id = cs_label_get_id (label);
  job->photo_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_photos);
  g_array_append_vals (job->photo_ids, photo_ids, n_photos);
  job->verdict = verdict;
  push_label_job (self, job, outer);
}

gboolean
cs_library_set_verdict_finish (CsLibrary     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_library_add_starter_labels_async (CsLibrary           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *outer;

  g_return_if_fail (CS_IS_LIBRARY (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_add_starter_labels_async);
  push_label_job (self, label_job_new (self, LABEL_STARTER), outer);
}

gboolean
cs_library_add_starter_labels_finish (CsLibrary     *self,
                                      GAsyncResult  *result,
                                      guint         *n_added,
                                      GError       **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_added != NULL)
    *n_added = (guint) n;
  return TRUE;
}

const char * const *
cs_library_starter_label_names (void)
{
  return starter_names;
}

GListModel *
cs_library_get_labels (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  return G_LIST_MODEL (self->labels);
}

CsLabel *
cs_library_lookup_label (CsLibrary  *self,
                         const char *name)
{
  guint n;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
      if (g_strcmp0 (cs_label_get_name (label), name) == 0)
        return label;  /* the store keeps its reference */
    }
  return NULL;
}

CsPhotoList *
cs_library_list_label_members (CsLibrary *self,
                               CsLabel   *label)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  CsLabelDef *def;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);

  def = find_def (self, cs_label_get_id (label));
  if (def == NULL || self->clustering == NULL)
    return _cs_photo_list_new (self->index, NULL, 0, 0, 0, 0.0, NULL);
  cs_clustering_members (self->clustering, def, items);
  for (guint i = 0; i < items->len; i++)
    {
      CsPhotoListItem *it = &g_array_index (items, CsPhotoListItem, i);
      CsPhotoMeta meta;

      _cs_vector_index_meta (cs_clustering_get_index (self->clustering), it->row, &meta);
      it->verdict = (gint8) cs_label_def_verdict (def, meta.id);
    }
  return _cs_photo_list_new (cs_clustering_get_index (self->clustering),
                             (CsPhotoListItem *) items->data, items->len, items->len, items->len,
                             def->threshold, NULL);
}

typedef struct {
  CsClustering *clustering;   /* may be NULL */
  CsVectorIndex *index;       /* may be NULL */
  CsLabelDef   *def;
  double        threshold;
  guint         n;
} BoundaryJob;

static void
boundary_job_free (gpointer p)
{
  BoundaryJob *job = p;

  g_clear_pointer (&job->clustering, cs_clustering_unref);
  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->def, cs_label_def_free);
  g_free (job);
}

static void
boundary_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  BoundaryJob *job = task_data;
  g_autoptr(GArray) above = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GArray) below = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  CsVectorIndex *index = job->clustering != NULL ? cs_clustering_get_index (job->clustering) : job->index;
  GPtrArray *lists = g_ptr_array_new_with_free_func (g_object_unref);

  if (job->clustering != NULL)
    cs_clustering_boundary (job->clustering, job->def, job->threshold, job->n, above, below);
  g_ptr_array_add (lists, _cs_photo_list_new (index, (CsPhotoListItem *) above->data, above->len,
                                              above->len, above->len, job->threshold, NULL));
  g_ptr_array_add (lists, _cs_photo_list_new (index, (CsPhotoListItem *) below->data, below->len,
                                              below->len, 0, job->threshold, NULL));
  if (g_task_return_error_if_cancelled (task))
    g_ptr_array_unref (lists);
  else
    g_task_return_pointer (task, lists, (GDestroyNotify) g_ptr_array_unref);
}

void
cs_library_list_label_boundary_async (CsLibrary           *self,
                                      CsLabel             *label,
                                      double               threshold,
                                      guint                n,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  BoundaryJob *job;
  CsLabelDef *def;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_list_label_boundary_async);
  if (!label_is_ours (self, label, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  def = find_def (self, cs_label_get_id (label));
  job = g_new0 (BoundaryJob, 1);
  job->clustering = self->clustering != NULL ? cs_clustering_ref (self->clustering) : NULL;
  job->index = self->index != NULL ? _cs_vector_index_ref (self->index) : NULL;
  job->def = cs_label_def_copy (def);
  job->threshold = CLAMP (threshold, 0.0, 1.0);
  job->n = n;
  g_task_set_task_data (task, job, boundary_job_free);
  g_task_run_in_thread (task, boundary_thread);
}

gboolean
cs_library_list_label_boundary_finish (CsLibrary     *self,
                                       GAsyncResult  *result,
                                       CsPhotoList  **above,
                                       CsPhotoList  **below,
                                       GError       **error)
{
  g_autoptr(GPtrArray) lists = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  lists = g_task_propagate_pointer (G_TASK (result), error);
  if (lists == NULL)
    return FALSE;
  if (above != NULL)
    *above = g_object_ref (lists->pdata[0]);
  if (below != NULL)
    *below = g_object_ref (lists->pdata[1]);
  return TRUE;
}

/* --------------------------------------------------------- duplicates */

typedef struct {
  CsVectorIndex *index;
  double         threshold;
  char          *database_path;  /* where the blank statistics are */
} DupJob;

static void
dup_job_free (gpointer p)
{
  DupJob *job = p;

  _cs_vector_index_unref (job->index);
  g_free (job->database_path);
  g_free (job);
}

static void
duplicates_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DupJob *job = task_data;
  GError *error = NULL;
  GListModel *groups = cs_duplicates_find_in (job->index, job->database_path, job->threshold,
                                              cancellable, &error);

  if (groups == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, groups, g_object_unref);
}

void
cs_library_find_duplicates_async (CsLibrary           *self,
                                  double               threshold,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DupJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_find_duplicates_async);
  if (self->index == NULL)
    {
      GError *error = NULL;
      set_not_loaded (&error);
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (DupJob, 1);
  job->index = _cs_vector_index_ref (self->index);
  job->threshold = threshold > 0 ? MIN (threshold, 1.0) : CS_LIBRARY_DEFAULT_DUPLICATE_THRESHOLD;
  job->database_path = g_strdup (self->database_path);
  g_task_set_task_data (task, job, dup_job_free);
  g_task_run_in_thread (task, duplicates_thread);
}

GListModel *
cs_library_find_duplicates_finish (CsLibrary     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------ blocking twins */

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
on_wait_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

/* Iterates the home context until the operation finished. */
static void
wait_for (CsLibrary *self,
          Waiter    *w)
{
  gboolean acquired = g_main_context_acquire (self->context);

  g_return_if_fail (acquired);
  while (w->result == NULL)
    g_main_context_iteration (self->context, TRUE);
  g_main_context_release (self->context);
}

#define BLOCKING(call_async, finish_expr)                                   \
  G_STMT_START {                                                            \
    Waiter w = { NULL };                                                    \
    call_async;                                                             \
    wait_for (self, &w);                                                    \
    finish_expr;                                                            \
    g_object_unref (w.result);                                              \
  } G_STMT_END

gboolean
cs_library_load (CsLibrary     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_load_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_load_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_refresh (CsLibrary     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_refresh_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_refresh_finish (self, w.result, error));
  return ok;
}

CsPhotoList *
cs_library_search (CsLibrary     *self,
                   CsQuery       *query,
                   GCancellable  *cancellable,
                   GError       **error)
{
  CsPhotoList *list;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_search_async (self, query, cancellable, on_wait_done_cb, &w),
            list = cs_library_search_finish (self, w.result, error));
  return list;
}

CsLabel *
cs_library_add_label (CsLibrary           *self,
                      const char          *name,
                      const char * const  *prompts,
                      double               threshold,
                      GCancellable        *cancellable,
                      GError             **error)
{
  CsLabel *label;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_add_label_async (self, name, prompts, threshold, cancellable, on_wait_done_cb, &w),
            label = cs_library_add_label_finish (self, w.result, error));
  return label;
}

gboolean
cs_library_edit_label (CsLibrary           *self,
                       CsLabel             *label,
                       const char          *name,
                       const char * const  *prompts,
                       double               threshold,
                       GCancellable        *cancellable,
                       GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_edit_label_async (self, label, name, prompts, threshold, cancellable,
                                         on_wait_done_cb, &w),
            ok = cs_library_edit_label_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_remove_label (CsLibrary     *self,
                         CsLabel       *label,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_remove_label_async (self, label, cancellable, on_wait_done_cb, &w),
            ok = cs_library_remove_label_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_set_verdict (CsLibrary     *self,
                        CsLabel       *label,
                        const gint64  *photo_ids,
                        guint          n_photos,
                        CsVerdict      verdict,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_set_verdict_async (self, label, photo_ids, n_photos, verdict, cancellable,
                                          on_wait_done_cb, &w),
            ok = cs_library_set_verdict_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_add_starter_labels (CsLibrary     *self,
                               guint         *n_added,
                               GCancellable  *cancellable,
                               GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_add_starter_labels_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_add_starter_labels_finish (self, w.result, n_added, error));
  return ok;
}

GListModel *
cs_library_find_duplicates (CsLibrary     *self,
                            double         threshold,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GListModel *groups;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_find_duplicates_async (self, threshold, cancellable, on_wait_done_cb, &w),
            groups = cs_library_find_duplicates_finish (self, w.result, error));
  return groups;
}

/* ------------------------------------------------------------ GObject */

static void
cs_library_dispose (GObject *object)
{
  CsLibrary *self = CS_LIBRARY (object);

  g_cancellable_cancel (self->cancellable);
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  if (self->serial != NULL)
    {
      /* jobs hold their own snapshots; wait for the one running */
      g_thread_pool_free (self->serial, TRUE, TRUE);
      self->serial = NULL;
    }
  g_clear_pointer (&self->clustering, cs_clustering_unref);
  g_clear_pointer (&self->index, _cs_vector_index_unref);
  g_clear_pointer (&self->runtime, cs_clip_runtime_unref);
  g_clear_object (&self->labels);
  g_clear_object (&self->search_cancellable);
  G_OBJECT_CLASS (cs_library_parent_class)->dispose (object);
}

static void
cs_library_finalize (GObject *object)
{
  CsLibrary *self = CS_LIBRARY (object);

  g_clear_pointer (&self->database_path, g_free);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_error (&self->model_error);
  g_clear_pointer (&self->defs, g_ptr_array_unref);
  g_clear_pointer (&self->refresh_waiting, g_ptr_array_unref);
  g_clear_pointer (&self->refresh_queued, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (cs_library_parent_class)->finalize (object);
}

static void
cs_library_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CsLibrary *self = CS_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH: g_value_set_string (value, self->database_path); break;
    case PROP_MODEL_DIR: g_value_set_string (value, self->model_dir); break;
    case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
    case PROP_N_PHOTOS: g_value_set_uint (value, cs_library_get_n_photos (self)); break;
    case PROP_HAS_MODEL: g_value_set_boolean (value, self->runtime != NULL); break;
    case PROP_LABELS: g_value_set_object (value, self->labels); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_library_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CsLibrary *self = CS_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH: self->database_path = g_value_dup_string (value); break;
    case PROP_MODEL_DIR: cs_library_set_model_dir (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_library_class_init (CsLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cs_library_dispose;
  object_class->finalize = cs_library_finalize;
  object_class->get_property = cs_library_get_property;
  object_class->set_property = cs_library_set_property;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_DIR] =
    g_param_spec_string ("model-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_N_PHOTOS] = g_param_spec_uint ("n-photos", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_HAS_MODEL] = g_param_spec_boolean ("has-model", NULL, NULL, FALSE, ro);
  properties[PROP_LABELS] = g_param_spec_object ("labels", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The photos the library holds changed (after a load or a refresh). */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cs_library_init (CsLibrary *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->labels = g_list_store_new (CS_TYPE_LABEL);
  self->defs = g_ptr_array_new_with_free_func (def_free);
  self->cancellable = g_cancellable_new ();
  self->serial = g_thread_pool_new (serial_thread, NULL, 1, FALSE, NULL);
  self->refresh_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->refresh_queued = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ----------------------------------------------------------------- API */

CsLibrary *
cs_library_new (const char *database_path,
                const char *model_dir)
{
  return g_object_new (CS_TYPE_LIBRARY, "database-path", database_path, "model-dir", model_dir, NULL);
}

const char *
cs_library_get_database_path (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  return self->database_path;
}

const char *
cs_library_get_model_dir (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  return self->model_dir;
}

void
cs_library_set_cluster_labels (CsLibrary *self,
                               gboolean   cluster)
{
  g_return_if_fail (CS_IS_LIBRARY (self));
  self->skip_clustering = !cluster;
}

void
cs_library_set_model_dir (CsLibrary  *self,
                          const char *model_dir)
{
  g_return_if_fail (CS_IS_LIBRARY (self));
  if (g_strcmp0 (self->model_dir, model_dir) == 0)
    return;
  g_free (self->model_dir);
  self->model_dir = g_strdup (model_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_DIR]);
}

gboolean
cs_library_get_loaded (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  return self->loaded;
}

guint
cs_library_get_n_photos (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), 0);
  return self->index != NULL ? _cs_vector_index_n_live (self->index) : 0;
}

gboolean
cs_library_get_has_model (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  return self->runtime != NULL;
}

guint64
cs_library_get_matrix_bytes (CsLibrary *self)
{
  guint64 i8 = 0, f32;

  g_return_val_if_fail (CS_IS_LIBRARY (self), 0);
  if (self->index == NULL)
    return 0;
  f32 = _cs_vector_index_bytes (self->index, &i8);
  return f32 + i8;
}
