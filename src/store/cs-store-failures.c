/* cs-store-failures.c - the files that could not be indexed.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include "cs-store-private.h"

/* Public API: failures */

void
cs_store_failure_free (CsStoreFailure *failure)
{
  if (failure == NULL)
    return;
  g_free (failure->path);
  g_free (failure->reason);
  g_free (failure);
}

gboolean
cs_store_record_failure (CsStore     *self,
                         const char  *path,
                         const char  *reason,
                         gint64       size,
                         gint64       mtime_us,
                         GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_FAILURE_RECORD, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = _cs_store_bind_text (stmt, 2, reason);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 3, size);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 4, mtime_us);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      return _cs_store_set_error (self, error, rc, "cannot record the failure of %s", shown);
    }
  return TRUE;
}

gboolean
cs_store_lookup_failure (CsStore     *self,
                         const char  *path,
                         gint64      *size,
                         gint64      *mtime_us,
                         char       **reason,
                         GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return FALSE;

  stmt = _cs_store_use_stmt (self, STMT_FAILURE_LOOKUP, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      return _cs_store_set_error (self, error, rc, "cannot look up the failure of %s", shown);
    }
  if (reason != NULL)
    *reason = _cs_store_column_dup_text (stmt, 0);
  if (size != NULL)
    *size = sqlite3_column_int64 (stmt, 1);
  if (mtime_us != NULL)
    *mtime_us = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
cs_store_clear_failure (CsStore     *self,
                        const char  *path,
                        GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_FAILURE_CLEAR, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      return _cs_store_set_error (self, error, rc, "cannot clear the failure of %s", shown);
    }
  return TRUE;
}

GPtrArray *
cs_store_list_failures (CsStore  *self,
                        GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = _cs_store_use_stmt (self, STMT_FAILURE_LIST, error);
  if (stmt == NULL)
    return NULL;
  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_failure_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsStoreFailure *failure = g_new0 (CsStoreFailure, 1);

      failure->path = _cs_store_column_dup_bytes (stmt, 0);
      failure->reason = _cs_store_column_dup_text (stmt, 1);
      failure->size = sqlite3_column_int64 (stmt, 2);
      failure->mtime_us = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (failures, failure);
    }
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot list the failures");
      return NULL;
    }
  return g_steal_pointer (&failures);
}
