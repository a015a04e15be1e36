/* cs-store-labels.c - labels, their prompts and the user's verdicts.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include "cs-store-private.h"

/* Public API: labels */

void
cs_store_label_free (CsStoreLabel *label)
{
  if (label == NULL)
    return;
  g_free (label->name);
  g_strfreev (label->prompts);
  g_free (label);
}

static char **
label_prompts (CsStore  *self,
               gint64    label_id,
               GError  **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_PROMPTS, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_bind_int64 (stmt, 1, label_id);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot read the prompts of label %" G_GINT64_FORMAT, label_id);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

static gboolean
list_labels_snapshot (CsStore    *self,
                      GPtrArray  *labels,
                      GError    **error)
{
  int rc;

  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_LIST, error);

    if (stmt == NULL)
      return FALSE;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CsStoreLabel *label = g_new0 (CsStoreLabel, 1);

        label->id = sqlite3_column_int64 (stmt, 0);
        label->name = _cs_store_column_dup_text (stmt, 1);
        label->threshold = sqlite3_column_double (stmt, 2);
        g_ptr_array_add (labels, label);
      }
    if (rc != SQLITE_DONE)
      return _cs_store_set_error (self, error, rc, "cannot list the labels");
  }
  for (guint i = 0; i < labels->len; i++)
    {
      CsStoreLabel *label = labels->pdata[i];

      label->prompts = label_prompts (self, label->id, error);
      if (label->prompts == NULL)
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
cs_store_list_labels (CsStore  *self,
                      GError  **error)
{
  g_autoptr(GPtrArray) labels = NULL;
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  labels = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_label_free);
  if (!_cs_store_savepoint_begin (self, error))
    return NULL;
  ok = list_labels_snapshot (self, labels, error);
  if (!_cs_store_savepoint_end (self, ok, ok ? error : NULL) || !ok)
    return NULL;
  return g_steal_pointer (&labels);
}

static gboolean
check_label_values (const char  *name,
                    double       threshold,
                    gboolean     keep_threshold,
                    GError     **error)
{
  if (name != NULL && (*name == '\0' || !g_utf8_validate (name, -1, NULL)))
    {
      g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                           "a label needs a name in UTF-8");
      return FALSE;
    }
  if (!keep_threshold && !(threshold >= 0.0 && threshold <= 1.0))
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "a label's threshold must lie between 0 and 1, not %g", threshold);
      return FALSE;
    }
  return TRUE;
}

/* The row of the label called `name`, 0 when none, -1 on error. */
static gint64
find_label (CsStore     *self,
            const char  *name,
            GError     **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_FIND, error);
  int rc;

  if (stmt == NULL)
    return -1;
  rc = _cs_store_bind_text (stmt, 1, name);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot look up the label “%s”", name);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
label_name_free (CsStore     *self,
                 const char  *name,
                 gint64       except,
                 GError     **error)
{
  gint64 other = find_label (self, name, error);

  if (other < 0)
    return FALSE;
  if (other > 0 && other != except)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_EXISTS,
                   "a label called “%s” exists already", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_prompts (CsStore             *self,
               gint64               label_id,
               const char * const  *prompts,
               GError             **error)
{
  int rc;

  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_PROMPTS_CLEAR, error);

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_bind_int64 (stmt, 1, label_id);
    if (rc == SQLITE_OK)
      rc = _cs_store_step_done (stmt);
    if (rc != SQLITE_OK)
      return _cs_store_set_error (self, error, rc, "cannot change the prompts of label %" G_GINT64_FORMAT,
                                  label_id);
  }
  for (int i = 0; prompts != NULL && prompts[i] != NULL; i++)
    {
      g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_PROMPT_ADD, error);

      if (stmt == NULL)
        return FALSE;
      if (!g_utf8_validate (prompts[i], -1, NULL))
        {
          g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                               "a label's prompts must be UTF-8");
          return FALSE;
        }
      rc = sqlite3_bind_int64 (stmt, 1, label_id);
      if (rc == SQLITE_OK)
        rc = sqlite3_bind_int (stmt, 2, i);
      if (rc == SQLITE_OK)
        rc = _cs_store_bind_text (stmt, 3, prompts[i]);
      if (rc == SQLITE_OK)
        rc = _cs_store_step_done (stmt);
      if (rc != SQLITE_OK)
        return _cs_store_set_error (self, error, rc, "cannot store a prompt of label %" G_GINT64_FORMAT,
                                    label_id);
    }
  return TRUE;
}

static gint64
add_label_step (CsStore             *self,
                const char          *name,
                const char * const  *prompts,
                double               threshold,
                GError             **error)
{
  gint64 id;
  int rc;

  if (!label_name_free (self, name, 0, error))
    return -1;
  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_ADD, error);

    if (stmt == NULL)
      return -1;
    rc = _cs_store_bind_text (stmt, 1, name);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_double (stmt, 2, threshold);
    if (rc == SQLITE_OK)
      rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        _cs_store_set_error (self, error, rc, "cannot add the label “%s”", name);
        return -1;
      }
    id = sqlite3_column_int64 (stmt, 0);
    /* finish the statement so that its write completes */
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE)
      {
        _cs_store_set_error (self, error, rc, "cannot add the label “%s”", name);
        return -1;
      }
  }
  if (!write_prompts (self, id, prompts, error))
    return -1;
  return id;
}

gint64
cs_store_add_label (CsStore             *self,
                    const char          *name,
                    const char * const  *prompts,
                    double               threshold,
                    GError             **error)
{
  gint64 id;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (name != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!check_label_values (name, threshold, FALSE, error) || !_cs_store_savepoint_begin (self, error))
    return -1;
  id = add_label_step (self, name, prompts, threshold, error);
  if (!_cs_store_savepoint_end (self, id > 0, id > 0 ? error : NULL))
    return -1;
  return id;
}

static gboolean
update_label_step (CsStore             *self,
                   gint64               id,
                   const char          *name,
                   const char * const  *prompts,
                   double               threshold,
                   GError             **error)
{
  int rc;

  if (name != NULL)
    {
      if (!label_name_free (self, name, id, error))
        return FALSE;
      g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_RENAME, error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_bind_int64 (stmt, 1, id);
      if (rc == SQLITE_OK)
        rc = _cs_store_bind_text (stmt, 2, name);
      if (rc == SQLITE_OK)
        rc = _cs_store_step_done (stmt);
      if (rc != SQLITE_OK)
        return _cs_store_set_error (self, error, rc, "cannot rename label %" G_GINT64_FORMAT, id);
    }
  {
    /* a threshold "change" to itself also tells whether the label exists */
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_LABEL_THRESHOLD, error);

    if (stmt == NULL)
      return FALSE;
    if (threshold < 0.0)
      {
        g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_label_free);
        gboolean found = FALSE;

        _cs_store_stmt_release (stmt);
        if (!list_labels_snapshot (self, all, error))
          return FALSE;
        for (guint i = 0; i < all->len && !found; i++)
          if (((CsStoreLabel *) all->pdata[i])->id == id)
            {
              threshold = ((CsStoreLabel *) all->pdata[i])->threshold;
              found = TRUE;
            }
        if (!found)
          {
            g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                         "there is no label %" G_GINT64_FORMAT, id);
            return FALSE;
          }
      }
    rc = sqlite3_bind_int64 (stmt, 1, id);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_double (stmt, 2, threshold);
    if (rc == SQLITE_OK)
      rc = _cs_store_step_done (stmt);
    if (rc != SQLITE_OK)
      return _cs_store_set_error (self, error, rc, "cannot change label %" G_GINT64_FORMAT, id);
    if (sqlite3_changes (self->db) == 0)
      {
        g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                     "there is no label %" G_GINT64_FORMAT, id);
        return FALSE;
      }
  }
  if (prompts != NULL && !write_prompts (self, id, prompts, error))
    return FALSE;
  return TRUE;
}

gboolean
cs_store_update_label (CsStore             *self,
                       gint64               id,
                       const char          *name,
                       const char * const  *prompts,
                       double               threshold,
                       GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_label_values (name, threshold, threshold < 0.0, error) ||
      !_cs_store_savepoint_begin (self, error))
    return FALSE;
  ok = update_label_step (self, id, name, prompts, threshold, error);
  return _cs_store_savepoint_end (self, ok, ok ? error : NULL) && ok;
}

gboolean
cs_store_delete_label (CsStore  *self,
                       gint64    id,
                       GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_LABEL_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot delete label %" G_GINT64_FORMAT, id);
  return TRUE;
}

gboolean
cs_store_set_label_verdict (CsStore  *self,
                            gint64    label_id,
                            gint64    photo_id,
                            int       verdict,
                            GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (verdict >= -1 && verdict <= 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, verdict != 0 ? STMT_LABEL_VERDICT_SET : STMT_LABEL_VERDICT_CLEAR, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, label_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, photo_id);
  if (rc == SQLITE_OK && verdict != 0)
    rc = sqlite3_bind_int (stmt, 3, verdict);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot record the verdict on photo %" G_GINT64_FORMAT
                                " for label %" G_GINT64_FORMAT, photo_id, label_id);
  return TRUE;
}

GArray *
cs_store_list_label_verdicts (CsStore  *self,
                              gint64    label_id,
                              GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GArray) verdicts = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_LABEL_VERDICTS, error);
  if (stmt == NULL)
    return NULL;
  verdicts = g_array_new (FALSE, FALSE, sizeof (CsStoreVerdict));
  rc = sqlite3_bind_int64 (stmt, 1, label_id);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CsStoreVerdict v = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int (stmt, 1) };
        g_array_append_val (verdicts, v);
      }
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot list the verdicts for label %" G_GINT64_FORMAT, label_id);
      return NULL;
    }
  return g_steal_pointer (&verdicts);
}
