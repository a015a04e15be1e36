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
 * This file is the object, its properties and the serial queue; the rest
 * of CsLibrary is one file per concern (cs-library-object-private.h).
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-enums.h"
#include "cs-library-object-private.h"

G_DEFINE_QUARK (cs-library-error-quark, cs_library_error)

G_DEFINE_FINAL_TYPE (CsLibrary, cs_library, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_MODEL_DIR,
  PROP_LOADED,
  PROP_N_PHOTOS,
  PROP_HAS_MODEL,
  PROP_LABELS,
  PROP_MODEL_PENDING,
  PROP_BUILDING_MODEL_DIR,
  PROP_BUILDING_N_DONE,
  PROP_BUILDING_N_TOTAL,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------- helpers */

gboolean
_cs_library_set_not_loaded (GError **error)
{
  g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED,
                       "the library is not loaded yet");
  return FALSE;
}

gboolean
_cs_library_job_cancelled (GCancellable  *mine,
                           GCancellable  *library,
                           GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (mine, error))
    return TRUE;
  return g_cancellable_set_error_if_cancelled (library, error);
}

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

void
_cs_library_serial_push (CsLibrary  *self,
                         GTask      *task,
                         SerialFunc  func)
{
  SerialItem *item = g_new0 (SerialItem, 1);

  item->task = g_object_ref (task);
  item->func = func;
  g_thread_pool_push (self->serial, item, NULL);
}

void
_cs_library_finish_load (CsLibrary *self,
                         guint      old_n_photos,
                         gboolean   had_model,
                         gboolean   changed)
{
  g_object_freeze_notify (G_OBJECT (self));
  _cs_library_sync_labels (self);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  if (old_n_photos != _cs_vector_index_n_live (self->index))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PHOTOS]);
  if (had_model != (self->runtime != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MODEL]);
  g_object_thaw_notify (G_OBJECT (self));
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
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
  g_clear_pointer (&self->building_dir, g_free);
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
    case PROP_MODEL_PENDING: g_value_set_boolean (value, self->pending); break;
    case PROP_BUILDING_MODEL_DIR: g_value_set_string (value, self->building_dir); break;
    case PROP_BUILDING_N_DONE: g_value_set_uint64 (value, self->building_done); break;
    case PROP_BUILDING_N_TOTAL: g_value_set_uint64 (value, self->building_total); break;
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
  properties[PROP_MODEL_PENDING] = g_param_spec_boolean ("model-pending", NULL, NULL, FALSE, ro);
  properties[PROP_BUILDING_MODEL_DIR] = g_param_spec_string ("building-model-dir", NULL, NULL, NULL, ro);
  properties[PROP_BUILDING_N_DONE] = g_param_spec_uint64 ("building-n-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BUILDING_N_TOTAL] = g_param_spec_uint64 ("building-n-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
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
  self->defs = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_label_def_free);
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

gboolean
cs_library_get_model_pending (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  return self->pending;
}

const char *
cs_library_get_answering_model_dir (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  return self->runtime != NULL ? cs_clip_runtime_get_dir (self->runtime) : NULL;
}

gboolean
cs_library_get_sigmoid_scores (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  return self->runtime != NULL && cs_clip_runtime_is_sigmoid (self->runtime);
}

double
cs_library_get_default_label_threshold (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), CS_LIBRARY_DEFAULT_LABEL_THRESHOLD);
  return cs_library_get_sigmoid_scores (self) ? CS_LIBRARY_SIGLIP_LABEL_THRESHOLD
                                              : CS_LIBRARY_DEFAULT_LABEL_THRESHOLD;
}

double
cs_library_get_default_duplicate_threshold (CsLibrary *self)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), CS_LIBRARY_DEFAULT_DUPLICATE_THRESHOLD);
  return cs_library_get_sigmoid_scores (self) ? CS_LIBRARY_SIGLIP_DUPLICATE_THRESHOLD
                                              : CS_LIBRARY_DEFAULT_DUPLICATE_THRESHOLD;
}

const char *
cs_library_get_building_model_dir (CsLibrary *self,
                                   guint64   *n_done,
                                   guint64   *n_total)
{
  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  if (n_done != NULL)
    *n_done = self->building_done;
  if (n_total != NULL)
    *n_total = self->building_total;
  return self->building_dir;
}

void
_cs_library_set_building (CsLibrary  *self,
                          const char *dir,
                          guint64     done,
                          guint64     total)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->building_dir, dir) != 0)
    {
      g_free (self->building_dir);
      self->building_dir = g_strdup (dir);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILDING_MODEL_DIR]);
    }
  if (self->building_done != done)
    {
      self->building_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILDING_N_DONE]);
    }
  if (self->building_total != total)
    {
      self->building_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILDING_N_TOTAL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_cs_library_set_pending (CsLibrary *self,
                         gboolean   pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_PENDING]);
}
