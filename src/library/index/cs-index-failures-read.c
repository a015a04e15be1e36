/* cs-index-failures-read.c - the failures a database holds, for the app.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app shows every file the store records as not indexed (not only
 * the last run's: a file that failed before and has not changed since is
 * not tried again, so a run's summary lists only what it tried), and may
 * not include the store's header: these read and clear them in a thread
 * on a connection of their own.
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include "cs-index-failure.h"
#include "cs-indexer.h"
#include "cs-store.h"

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(CsStore) store = cs_store_open (task_data, &error);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) failures = NULL;

  if (store == NULL || (stored = cs_store_list_failures (store, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  failures = g_ptr_array_new_full (stored->len, (GDestroyNotify) cs_index_failure_free);
  for (guint i = 0; i < stored->len; i++)
    {
      const CsStoreFailure *f = stored->pdata[i];
      /* failures recorded by older versions had the path in front */
      g_autofree char *reason = cs_indexer_failure_reason (f->path, f->reason);

      g_ptr_array_add (failures, cs_index_failure_new (f->path, reason, f->size, f->mtime_us));
    }
  g_task_return_pointer (task, g_steal_pointer (&failures), (GDestroyNotify) g_ptr_array_unref);
}

void
cs_index_failures_read_async (const char          *database_path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_index_failures_read_async);
  g_task_set_task_data (task, g_strdup (database_path), g_free);
  g_task_run_in_thread (task, read_thread);
}

GPtrArray *
cs_index_failures_read_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_index_failures_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
forget_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(CsStore) store = cs_store_open (task_data, &error);
  g_autoptr(GPtrArray) stored = NULL;

  if (store == NULL || (stored = cs_store_list_failures (store, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < stored->len; i++)
    {
      const CsStoreFailure *f = stored->pdata[i];

      if (!cs_store_clear_failure (store, f->path, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

void
cs_index_failures_forget_async (const char          *database_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_index_failures_forget_async);
  g_task_set_task_data (task, g_strdup (database_path), g_free);
  g_task_run_in_thread (task, forget_thread);
}

gboolean
cs_index_failures_forget_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_index_failures_forget_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
