/* cs-store-folders.c - the folders the user chose.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include "cs-store-private.h"

/* Public API: folders */

gboolean
cs_store_add_folder (CsStore     *self,
                     const char  *path,
                     gboolean     excluded,
                     GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_FOLDER_ADD, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 2, excluded ? 1 : 0);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      return _cs_store_set_error (self, error, rc, "cannot add the folder %s", shown);
    }
  return TRUE;
}

gboolean
cs_store_remove_folder (CsStore     *self,
                        const char  *path,
                        GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_FOLDER_REMOVE, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      return _cs_store_set_error (self, error, rc, "cannot remove the folder %s", shown);
    }
  return TRUE;
}

GPtrArray *
cs_store_list_folders (CsStore   *self,
                       gboolean   excluded,
                       GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_FOLDER_LIST, error);
  if (stmt == NULL)
    return NULL;
  folders = g_ptr_array_new_with_free_func (g_free);
  rc = sqlite3_bind_int (stmt, 1, excluded ? 1 : 0);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (folders, _cs_store_column_dup_bytes (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot list the folders");
      return NULL;
    }
  return g_steal_pointer (&folders);
}
