/* cs-indexer-folders.c - the library's folders: the store holds them,
 * the indexer shows them with the changes a run has yet to write.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is the one place the folders live, so that a folder added
 * by clipsight-cli shows in the app and a folder the app removes leaves
 * for the CLI too.  The home thread runs no SQL: changes are queued for
 * the next run (FolderOp) and applied at once to the indexer's view of
 * the folders, which a run's end or a load replaces with the store's.
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include <string.h>

#include "cs-indexer-private.h"
#include "cs-store.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Rebuilds the sorted lists from the hash table; TRUE when they changed. */
static gboolean
rebuild_folder_lists (CsIndexer *self)
{
  gboolean changed = FALSE;

  for (int excluded = 0; excluded <= 1; excluded++)
    {
      g_autoptr(GPtrArray) paths = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key, value;
      char **list;

      g_hash_table_iter_init (&iter, self->folders);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if ((GPOINTER_TO_INT (value) == OP_EXCLUDE) == excluded)
          g_ptr_array_add (paths, g_strdup (key));
      g_ptr_array_sort (paths, compare_paths);
      g_ptr_array_add (paths, NULL);
      list = (char **) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
      if (self->folder_lists[excluded] != NULL
          && g_strv_equal ((const char *const *) list, (const char *const *) self->folder_lists[excluded]))
        {
          g_strfreev (list);
          continue;
        }
      g_strfreev (self->folder_lists[excluded]);
      self->folder_lists[excluded] = list;
      changed = TRUE;
    }
  return changed;
}

static void
apply_op (CsIndexer      *self,
          const FolderOp *op)
{
  if (op->kind == OP_REMOVE)
    g_hash_table_remove (self->folders, op->path);
  else
    g_hash_table_insert (self->folders, g_strdup (op->path), GINT_TO_POINTER (op->kind));
}

static void
apply_ops (CsIndexer *self,
           GPtrArray *ops)
{
  for (guint i = 0; ops != NULL && i < ops->len; i++)
    apply_op (self, ops->pdata[i]);
}

static void
folders_changed (CsIndexer *self)
{
  if (rebuild_folder_lists (self))
    g_signal_emit_by_name (self, "folders-changed");
}

/* The store's folders (`included`, `excluded`), with the changes queued
 * since (and those of the running job when `with_running`: read before
 * it wrote them, perhaps) applied on top. */
void
cs_indexer_set_store_folders (CsIndexer *self,
                              GPtrArray *included,
                              GPtrArray *excluded,
                              gboolean   with_running)
{
  g_hash_table_remove_all (self->folders);
  for (guint i = 0; included != NULL && i < included->len; i++)
    if (included->pdata[i] != NULL)
      g_hash_table_insert (self->folders, g_strdup (included->pdata[i]), GINT_TO_POINTER (OP_ADD));
  for (guint i = 0; excluded != NULL && i < excluded->len; i++)
    if (excluded->pdata[i] != NULL)
      g_hash_table_insert (self->folders, g_strdup (excluded->pdata[i]), GINT_TO_POINTER (OP_EXCLUDE));
  if (with_running && self->current != NULL)
    apply_ops (self, ((Job *) g_task_get_task_data (self->current))->folder_ops);
  apply_ops (self, self->folder_ops);
  folders_changed (self);
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
  apply_op (self, op);
  folders_changed (self);
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

const char *const *
cs_indexer_get_folders (CsIndexer *self,
                        gboolean   excluded)
{
  g_return_val_if_fail (CS_IS_INDEXER (self), NULL);
  return (const char *const *) self->folder_lists[excluded ? 1 : 0];
}

typedef struct {
  char      *database_path;
  guint      serial;     /* the indexer's folders_serial when asked */
  GPtrArray *included;
  GPtrArray *excluded;
} FolderLoad;

static void
folder_load_free (gpointer data)
{
  FolderLoad *load = data;

  g_free (load->database_path);
  g_clear_pointer (&load->included, g_ptr_array_unref);
  g_clear_pointer (&load->excluded, g_ptr_array_unref);
  g_free (load);
}

static void
load_folders_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  FolderLoad *load = task_data;
  g_autoptr(CsStore) store = NULL;
  GError *error = NULL;

  store = cs_store_open (load->database_path, &error);
  if (store != NULL)
    load->included = cs_store_list_folders (store, FALSE, &error);
  if (load->included != NULL)
    load->excluded = cs_store_list_folders (store, TRUE, &error);
  if (load->excluded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cs_indexer_load_folders_async (CsIndexer           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FolderLoad *load;

  g_return_if_fail (CS_IS_INDEXER (self));

  load = g_new0 (FolderLoad, 1);
  load->database_path = g_strdup (self->database_path);
  load->serial = self->folders_serial;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_indexer_load_folders_async);
  g_task_set_task_data (task, load, folder_load_free);
  g_task_run_in_thread (task, load_folders_thread);
}

gboolean
cs_indexer_load_folders_finish (CsIndexer     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  FolderLoad *load;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  /* a run that ended meanwhile read the folders later than this did */
  load = g_task_get_task_data (G_TASK (result));
  if (load->serial == self->folders_serial)
    cs_indexer_set_store_folders (self, load->included, load->excluded, TRUE);
  return TRUE;
}
