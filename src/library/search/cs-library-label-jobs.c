/* cs-library-label-jobs.c - changing the library's labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change is a job on the serial thread (cs-library.c): it writes
 * the store, reads the labels back and re-clusters them; the home
 * thread then swaps the result in.  The steps are the same for every
 * change but two, which each operation's job names: its write, and its
 * answer to the caller.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-library-object-private.h"

/* ---------------------------------------------------------- every job */

typedef struct _LabelJob LabelJob;

/* The change itself, on the serial thread, inside a transaction. */
typedef gboolean (*LabelWriteFunc) (LabelJob   *job,
                                    CsStore    *store,
                                    GError    **error);
/* The answer to the caller once the result is swapped in, on the home
 * thread (NULL: TRUE). */
typedef void     (*LabelReplyFunc) (LabelJob   *job,
                                    CsLibrary  *self,
                                    GTask      *outer);

/* What every change carries; each operation's job begins with it. */
struct _LabelJob
{
  LabelWriteFunc  write;
  LabelReplyFunc  reply;
  GDestroyNotify  clear;          /* frees the operation's own fields; may be NULL */
  char           *database_path;
  GCancellable   *library_cancellable;
  CsVectorIndex  *index;
  CsClipRuntime  *runtime;
  gboolean        needs_model;    /* the change must be re-clustered */
  /* out */
  GPtrArray      *defs;
  CsClustering   *clustering;
  GError         *cluster_error;
};

static void
label_job_free (gpointer p)
{
  LabelJob *job = p;

  if (job->clear != NULL)
    job->clear (job);
  g_free (job->database_path);
  g_clear_object (&job->library_cancellable);
  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
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

static void
label_job_run (GTask *task)
{
  LabelJob *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CsStore) store = NULL;
  GError *error = NULL;

  if (_cs_library_job_cancelled (cancellable, job->library_cancellable, &error))
    goto fail;
  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    goto fail;
  if (!cs_store_begin (store, &error))
    goto fail;
  if (!job->write (job, store, &error) || !cs_store_commit (store, &error))
    {
      cs_store_rollback (store);
      translate_store_error (&error);
      goto fail;
    }
  job->defs = _cs_library_read_defs (store, &error);
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
  _cs_library_sync_labels (self);

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
  if (job->reply != NULL)
    job->reply (job, self, outer);
  else
    g_task_return_boolean (outer, TRUE);
}

/* A job of `size` bytes (the operation's struct, zeroed beyond the
 * LabelJob) over the library's current snapshot. */
static gpointer
label_job_new (CsLibrary      *self,
               gsize           size,
               LabelWriteFunc  write,
               LabelReplyFunc  reply,
               GDestroyNotify  clear)
{
  LabelJob *job;

  g_assert (size >= sizeof (LabelJob));
  job = g_malloc0 (size);
  job->write = write;
  job->reply = reply;
  job->clear = clear;
  job->database_path = g_strdup (self->database_path);
  job->library_cancellable = g_object_ref (self->cancellable);
  job->index = self->index != NULL ? _cs_vector_index_ref (self->index) : NULL;
  job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
  job->needs_model = TRUE;
  return job;
}

static void
push_label_job (CsLibrary *self,
                gpointer   job,
                GTask     *outer)
{
  g_autoptr(GTask) inner = g_task_new (NULL, g_task_get_cancellable (outer), on_label_done_cb, outer);

  g_task_set_task_data (inner, job, label_job_free);
  _cs_library_serial_push (self, inner, label_job_run);
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

/* ------------------------------------------------------- add and edit */

/* A label defined anew (add) or again (edit): the two share the fields
 * and differ in their writes and answers. */
typedef struct {
  LabelJob   base;
  gint64     label_id;      /* edit: the label; add: the new label, out */
  char      *name;          /* edit: NULL, unchanged */
  char     **prompts;
  gboolean   set_prompts;   /* edit: FALSE, unchanged */
  double     threshold;     /* edit: < 0, unchanged */
} DefineJob;

static void
define_job_clear (gpointer p)
{
  DefineJob *job = p;

  g_free (job->name);
  g_strfreev (job->prompts);
}

static gboolean
add_job_write (LabelJob  *base,
               CsStore   *store,
               GError   **error)
{
  DefineJob *job = (DefineJob *) base;

  job->label_id = cs_store_add_label (store, job->name, (const char * const *) job->prompts,
                                      job->threshold, error);
  return job->label_id > 0;
}

/* The new label's object. */
static void
add_job_reply (LabelJob  *base,
               CsLibrary *self,
               GTask     *outer)
{
  DefineJob *job = (DefineJob *) base;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->labels));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (G_LIST_MODEL (self->labels), i);
      if (cs_label_get_id (label) == job->label_id)
        {
          g_task_return_pointer (outer, g_steal_pointer (&label), g_object_unref);
          return;
        }
    }
  g_task_return_new_error (outer, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL,
                           "the new label was removed at once");
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
  DefineJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (name != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_add_label_async);
  if (threshold < 0)
    threshold = cs_library_get_default_label_threshold (self);
  if (!check_label_args (name, threshold, FALSE, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  job = label_job_new (self, sizeof (DefineJob), add_job_write, add_job_reply, define_job_clear);
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
edit_job_write (LabelJob  *base,
                CsStore   *store,
                GError   **error)
{
  DefineJob *job = (DefineJob *) base;

  return cs_store_update_label (store, job->label_id, job->name,
                                job->set_prompts ? (const char * const *) job->prompts : NULL,
                                job->threshold, error);
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
  DefineJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_edit_label_async);
  if (!check_label_args (name, threshold, TRUE, &error)
      || !_cs_library_label_is_ours (self, label, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  if (threshold >= 0)
    {
      /* at once, from the probabilities at hand */
      CsLabelDef *def = _cs_library_find_def (self, cs_label_get_id (label));

      if (def != NULL)   /* label_is_ours found it */
        def->threshold = threshold;
      _cs_label_set_threshold (label, threshold);
      _cs_library_update_label_counts (self);
    }
  job = label_job_new (self, sizeof (DefineJob), edit_job_write, NULL, define_job_clear);
  job->label_id = cs_label_get_id (label);
  job->name = g_strdup (name);
  job->set_prompts = prompts != NULL;
  job->prompts = g_strdupv ((char **) prompts);
  job->threshold = threshold;
  if (name == NULL && prompts == NULL)
    {
      /* nothing to re-cluster: only the write */
      g_clear_pointer (&job->base.runtime, cs_clip_runtime_unref);
      g_clear_pointer (&job->base.index, _cs_vector_index_unref);
      job->base.needs_model = FALSE;
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

/* ------------------------------------------------------------- remove */

typedef struct {
  LabelJob base;
  gint64   label_id;
} RemoveJob;

static gboolean
remove_job_write (LabelJob  *base,
                  CsStore   *store,
                  GError   **error)
{
  RemoveJob *job = (RemoveJob *) base;

  return cs_store_delete_label (store, job->label_id, error);
}

void
cs_library_remove_label_async (CsLibrary           *self,
                               CsLabel             *label,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *outer;
  RemoveJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_remove_label_async);
  if (!_cs_library_label_is_ours (self, label, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  job = label_job_new (self, sizeof (RemoveJob), remove_job_write, NULL, NULL);
  /* removing a label needs no model */
  job->base.needs_model = FALSE;
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

/* ------------------------------------------------------------ verdict */

typedef struct {
  LabelJob  base;
  gint64    label_id;
  GArray   *photo_ids;   /* gint64 */
  int       verdict;
} VerdictJob;

static void
verdict_job_clear (gpointer p)
{
  VerdictJob *job = p;

  g_clear_pointer (&job->photo_ids, g_array_unref);
}

static gboolean
verdict_job_write (LabelJob  *base,
                   CsStore   *store,
                   GError   **error)
{
  VerdictJob *job = (VerdictJob *) base;

  for (guint i = 0; i < job->photo_ids->len; i++)
    if (!cs_store_set_label_verdict (store, job->label_id, g_array_index (job->photo_ids, gint64, i),
                                     job->verdict, error))
      return FALSE;
  return TRUE;
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
  VerdictJob *job;
  GError *error = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));
  g_return_if_fail (photo_ids != NULL || n_photos == 0);
  g_return_if_fail (verdict >= CS_VERDICT_REJECT && verdict <= CS_VERDICT_CONFIRM);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_library_set_verdict_async);
  if (!_cs_library_label_is_ours (self, label, &error))
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
  job = label_job_new (self, sizeof (VerdictJob), verdict_job_write, NULL, verdict_job_clear);
  /* a verdict moves no label's rule (cs-labels.h): only the write, then
   * the label's count from the clustering at hand */
  g_clear_pointer (&job->base.runtime, cs_clip_runtime_unref);
  g_clear_pointer (&job->base.index, _cs_vector_index_unref);
  job->base.needs_model = FALSE;
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

/* ------------------------------------------------------------ starter */

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

typedef struct {
  LabelJob base;
  double   threshold; /* the family's default */
  guint    n_added;   /* out */
} StarterJob;

/* The starter labels the library does not have yet. */
static gboolean
starter_job_write (LabelJob  *base,
                   CsStore   *store,
                   GError   **error)
{
  StarterJob *job = (StarterJob *) base;
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
      if (cs_store_add_label (store, starters[s].name, starters[s].prompts, job->threshold, error) < 0)
        return FALSE;
      job->n_added++;
    }
  return TRUE;
}

/* How many were added. */
static void
starter_job_reply (LabelJob  *base,
                   CsLibrary *self,
                   GTask     *outer)
{
  g_task_return_int (outer, ((StarterJob *) base)->n_added);
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
  {
    StarterJob *job = label_job_new (self, sizeof (StarterJob), starter_job_write, starter_job_reply, NULL);

    job->threshold = cs_library_get_default_label_threshold (self);
    push_label_job (self, job, outer);
  }
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
