/* cs-store-models.c - the models that vectors are tagged with.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include "cs-store-private.h"

gboolean
_cs_store_model_dim (CsStore  *self,
                     gint64    model_row,
                     int      *dim,
                     GError  **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_MODEL_DIM, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "no model has the row %" G_GINT64_FORMAT, model_row);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _cs_store_set_error (self, error, rc, "cannot read model %" G_GINT64_FORMAT, model_row);
  *dim = sqlite3_column_int (stmt, 0);
  return TRUE;
}

/* Public API: models */

gint64
cs_store_ensure_model (CsStore     *self,
                       const char  *model_id,
                       const char  *name,
                       int          dim,
                       const char  *dtype,
                       GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  gint64 row;
  int stored_dim;
  const char *stored_dtype;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (model_id != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);
  g_return_val_if_fail (dim > 0, -1);
  g_return_val_if_fail (dtype != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = _cs_store_use_stmt (self, STMT_MODEL_ENSURE, error);
  if (stmt == NULL)
    return -1;
  rc = _cs_store_bind_text (stmt, 1, model_id);
  if (rc == SQLITE_OK)
    rc = _cs_store_bind_text (stmt, 2, name);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 3, dim);
  if (rc == SQLITE_OK)
    rc = _cs_store_bind_text (stmt, 4, dtype);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot record the model %s", model_id);
      return -1;
    }
  row = sqlite3_column_int64 (stmt, 0);
  stored_dim = sqlite3_column_int (stmt, 1);
  stored_dtype = (const char *) sqlite3_column_text (stmt, 2);
  if (stored_dim != dim || g_strcmp0 (stored_dtype, dtype) != 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "the model %s is recorded with %d dimensions in %s, not %d in %s",
                   model_id, stored_dim, stored_dtype, dim, dtype);
      return -1;
    }
  /* RETURNING rows are produced before the change is final: run it out. */
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot record the model %s", model_id);
      return -1;
    }
  return row;
}

gint64
cs_store_lookup_model (CsStore     *self,
                       const char  *model_id,
                       int         *dim,
                       GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (model_id != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return -1;

  stmt = _cs_store_use_stmt (self, STMT_MODEL_LOOKUP, error);
  if (stmt == NULL)
    return -1;
  rc = _cs_store_bind_text (stmt, 1, model_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot look up the model %s", model_id);
      return -1;
    }
  if (dim != NULL)
    *dim = sqlite3_column_int (stmt, 1);
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
cs_store_delete_model (CsStore   *self,
                       gint64     model_row,
                       GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_MODEL_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot delete model %" G_GINT64_FORMAT, model_row);
  return TRUE;
}

GArray *
cs_store_list_model_rows (CsStore  *self,
                          GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GArray) rows = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_MODEL_ROWS, error);
  if (stmt == NULL)
    return NULL;
  rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (rows, id);
    }
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot list the models");
      return NULL;
    }
  return g_steal_pointer (&rows);
}
