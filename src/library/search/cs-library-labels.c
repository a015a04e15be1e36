/* cs-library-labels.c - the library's labels on the home thread.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The label definitions as stored, the CsLabel objects the app sees,
 * their member counts, and the read-only views of a label's members.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-object-private.h"

/* ------------------------------------------------------------- helpers */

static void
def_free (gpointer p)
{
  cs_label_def_free (p);
}

GPtrArray *
_cs_library_copy_defs (GPtrArray *defs)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (def_free);

  for (guint i = 0; defs != NULL && i < defs->len; i++)
    g_ptr_array_add (copy, cs_label_def_copy (defs->pdata[i]));
  return copy;
}

CsLabelDef *
_cs_library_find_def (CsLibrary *self,
                      gint64     id)
{
  for (guint i = 0; i < self->defs->len; i++)
    if (((CsLabelDef *) self->defs->pdata[i])->id == id)
      return self->defs->pdata[i];
  return NULL;
}

GPtrArray *
_cs_library_read_defs (CsStore  *store,
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

/* -------------------------------------------------- the label objects */

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
void
_cs_library_sync_labels (CsLibrary *self)
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
  _cs_library_update_label_counts (self);
}

void
_cs_library_update_label_counts (CsLibrary *self)
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

gboolean
_cs_library_label_is_ours (CsLibrary  *self,
                           CsLabel    *label,
                           GError    **error)
{
  if (_cs_library_find_def (self, cs_label_get_id (label)) == NULL)
    {
      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL,
                   "the label “%s” was removed", cs_label_get_name (label));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------- views */

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

/* The label's members as list items, most probable first, with the
 * user's verdicts. */
static GArray *
member_items (CsLibrary  *self,
              CsLabelDef *def)
{
  GArray *items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));

  cs_clustering_members (self->clustering, def, items);
  for (guint i = 0; i < items->len; i++)
    {
      CsPhotoListItem *it = &g_array_index (items, CsPhotoListItem, i);
      CsPhotoMeta meta;

      _cs_vector_index_meta (cs_clustering_get_index (self->clustering), it->row, &meta);
      it->verdict = (gint8) cs_label_def_verdict (def, meta.id);
    }
  return items;
}

CsPhotoList *
cs_library_list_label_members (CsLibrary *self,
                               CsLabel   *label)
{
  g_autoptr(GArray) items = NULL;
  CsLabelDef *def;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);

  def = _cs_library_find_def (self, cs_label_get_id (label));
  if (def == NULL || self->clustering == NULL)
    return _cs_photo_list_new (self->index, NULL, 0, 0, 0, 0.0, NULL);
  items = member_items (self, def);
  return _cs_photo_list_new (cs_clustering_get_index (self->clustering),
                             (CsPhotoListItem *) items->data, items->len, items->len, items->len,
                             def->threshold, NULL);
}

CsPhotoList *
cs_library_list_label_members_keeping (CsLibrary   *self,
                                       CsLabel     *label,
                                       CsPhotoList *shown)
{
  g_autoptr(GArray) members = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GHashTable) by_row = g_hash_table_new (g_direct_hash, g_direct_equal);  /* row -> i + 1 */
  g_autofree gboolean *placed = NULL;
  CsVectorIndex *index;
  CsLabelDef *def;
  guint n_in = 0;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);
  g_return_val_if_fail (shown == NULL || CS_IS_PHOTO_LIST (shown), NULL);

  def = _cs_library_find_def (self, cs_label_get_id (label));
  if (shown == NULL || def == NULL || self->clustering == NULL)
    return cs_library_list_label_members (self, label);
  index = cs_clustering_get_index (self->clustering);
  members = member_items (self, def);
  placed = g_new0 (gboolean, MAX (members->len, 1));
  for (guint i = 0; i < members->len; i++)
    g_hash_table_insert (by_row, GUINT_TO_POINTER (g_array_index (members, CsPhotoListItem, i).row),
                         GUINT_TO_POINTER (i + 1));
  /* the photos shown first, where they were: members as they are now,
   * the ones the user rejected kept (their cells show the verdict), the
   * others (out by a threshold change, removed) dropped */
  for (guint j = 0, m = cs_photo_list_get_n_items (shown); j < m; j++)
    {
      gint64 id = cs_photo_get_id (cs_photo_list_get_photo (shown, j));
      guint row, pos;

      if (!_cs_vector_index_find (index, id, &row))
        continue;
      pos = GPOINTER_TO_UINT (g_hash_table_lookup (by_row, GUINT_TO_POINTER (row)));
      if (pos > 0 && !placed[pos - 1])
        {
          g_array_append_val (items, g_array_index (members, CsPhotoListItem, pos - 1));
          placed[pos - 1] = TRUE;
          n_in++;
        }
      else if (pos == 0 && cs_label_def_verdict (def, id) < 0)
        {
          CsPhotoListItem it = { row, 0, 0, FALSE, -1 };
          g_array_append_val (items, it);
        }
    }
  /* then the new members, most probable first */
  for (guint i = 0; i < members->len; i++)
    if (!placed[i])
      {
        g_array_append_val (items, g_array_index (members, CsPhotoListItem, i));
        n_in++;
      }
  return _cs_photo_list_new (index, (CsPhotoListItem *) items->data, items->len, items->len, n_in,
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
  if (!_cs_library_label_is_ours (self, label, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  def = _cs_library_find_def (self, cs_label_get_id (label));
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
