/* cs-store-photos.c - photos, keyed by path.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <math.h>
#include <string.h>

#include "cs-store-private.h"

static CsStorePhoto *
photo_from_row (sqlite3_stmt *stmt)
{
  CsStorePhoto *photo = g_new0 (CsStorePhoto, 1);

  photo->id = sqlite3_column_int64 (stmt, 0);
  photo->path = _cs_store_column_dup_bytes (stmt, 1);
  photo->size = sqlite3_column_int64 (stmt, 2);
  photo->mtime_us = sqlite3_column_int64 (stmt, 3);
  photo->hash = _cs_store_column_dup_text (stmt, 4);
  photo->width = sqlite3_column_int (stmt, 5);
  photo->height = sqlite3_column_int (stmt, 6);
  photo->taken_unix = sqlite3_column_int64 (stmt, 7);
  photo->state = sqlite3_column_int (stmt, 8);
  photo->taken_source = sqlite3_column_int (stmt, 9);
  return photo;
}

/* Fills `photo` in place with borrowed column data, for callbacks. */
void
_cs_store_photo_peek_row (sqlite3_stmt *stmt,
                          CsStorePhoto *photo,
                          GString      *path)
{
  const void *data = sqlite3_column_blob (stmt, 1);
  int n = sqlite3_column_bytes (stmt, 1);

  g_string_truncate (path, 0);
  g_string_append_len (path, data, n);

  photo->id = sqlite3_column_int64 (stmt, 0);
  photo->path = path->str;
  photo->size = sqlite3_column_int64 (stmt, 2);
  photo->mtime_us = sqlite3_column_int64 (stmt, 3);
  photo->hash = (char *) sqlite3_column_text (stmt, 4);
  photo->width = sqlite3_column_int (stmt, 5);
  photo->height = sqlite3_column_int (stmt, 6);
  photo->taken_unix = sqlite3_column_int64 (stmt, 7);
  photo->state = sqlite3_column_int (stmt, 8);
  photo->taken_source = sqlite3_column_int (stmt, 9);
}

/* Public API: photos */

CsStorePhoto *
cs_store_photo_copy (const CsStorePhoto *photo)
{
  CsStorePhoto *copy;

  g_return_val_if_fail (photo != NULL, NULL);

  copy = g_memdup2 (photo, sizeof *photo);
  copy->path = g_strdup (photo->path);
  copy->hash = g_strdup (photo->hash);
  return copy;
}

void
cs_store_photo_free (CsStorePhoto *photo)
{
  if (photo == NULL)
    return;
  g_free (photo->path);
  g_free (photo->hash);
  g_free (photo);
}

/* Steps a bound statement that yields at most one photo: SQLITE_ROW with
 * *photo set, SQLITE_DONE when there is none, or the error code. */
static int
fetch_one_photo (sqlite3_stmt  *stmt,
                 int            rc,
                 CsStorePhoto **photo)
{
  *photo = NULL;
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *photo = photo_from_row (stmt);
  return rc;
}

CsStorePhoto *
cs_store_lookup_photo (CsStore     *self,
                       const char  *path,
                       GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  CsStorePhoto *photo;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_LOOKUP, error);
  if (stmt == NULL)
    return NULL;
  rc = fetch_one_photo (stmt, _cs_store_bind_path (stmt, 1, path), &photo);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_autofree char *shown = _cs_store_display_path (path);

      _cs_store_set_error (self, error, rc, "cannot look up the photo %s", shown);
    }
  return photo;
}

CsStorePhoto *
cs_store_dup_photo (CsStore   *self,
                    gint64     id,
                    GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  CsStorePhoto *photo;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_GET, error);
  if (stmt == NULL)
    return NULL;
  rc = fetch_one_photo (stmt, sqlite3_bind_int64 (stmt, 1, id), &photo);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    _cs_store_set_error (self, error, rc, "cannot read photo %" G_GINT64_FORMAT, id);
  return photo;
}

/* Collects every photo a bound statement yields. */
static GPtrArray *
fetch_photos (CsStore       *self,
              sqlite3_stmt  *stmt,
              int            rc,
              const char    *what,
              GError       **error)
{
  g_autoptr(GPtrArray) photos = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_photo_free);

  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (photos, photo_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "%s", what);
      return NULL;
    }
  return g_steal_pointer (&photos);
}

GPtrArray *
cs_store_find_photos_by_hash (CsStore     *self,
                              const char  *hash,
                              gint64       size,
                              GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_BY_HASH, error);
  if (stmt == NULL)
    return NULL;
  rc = _cs_store_bind_text (stmt, 1, hash);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, size);
  return fetch_photos (self, stmt, rc, "cannot look up photos by content", error);
}

gint64
cs_store_upsert_photo (CsStore             *self,
                       const CsStorePhoto  *photo,
                       GError             **error)
{
  g_auto (StmtUse) stmt = NULL;
  gint64 id = -1;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (photo != NULL, -1);
  g_return_val_if_fail (photo->path != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_UPSERT, error);
  if (stmt == NULL)
    return -1;
  rc = _cs_store_bind_path (stmt, 1, photo->path);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, photo->size);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 3, photo->mtime_us);
  if (rc == SQLITE_OK)
    rc = _cs_store_bind_text (stmt, 4, photo->hash);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 5, photo->width);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 6, photo->height);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 7, photo->taken_unix);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 8, photo->state);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 9, photo->taken_source);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      rc = _cs_store_step_done (stmt);
    }
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = _cs_store_display_path (photo->path);

      _cs_store_set_error (self, error, rc, "cannot store the photo %s", shown);
      return -1;
    }
  return id;
}

static gboolean
move_photo_steps (CsStore     *self,
                  gint64       id,
                  const char  *new_path,
                  gint64       mtime_us,
                  GError     **error)
{
  int rc;

  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_PHOTO_DELETE_OTHER_AT, error);

    if (stmt == NULL)
      return FALSE;
    rc = _cs_store_bind_path (stmt, 1, new_path);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64 (stmt, 2, id);
    if (rc == SQLITE_OK)
      rc = _cs_store_step_done (stmt);
    if (rc != SQLITE_OK)
      return _cs_store_set_error (self, error, rc, "cannot move photo %" G_GINT64_FORMAT, id);
  }
  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_PHOTO_MOVE, error);

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_bind_int64 (stmt, 1, id);
    if (rc == SQLITE_OK)
      rc = _cs_store_bind_path (stmt, 2, new_path);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64 (stmt, 3, mtime_us);
    if (rc == SQLITE_OK)
      rc = _cs_store_step_done (stmt);
    if (rc != SQLITE_OK)
      return _cs_store_set_error (self, error, rc, "cannot move photo %" G_GINT64_FORMAT, id);
  }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "cannot move photo %" G_GINT64_FORMAT ": there is no such photo", id);
      return FALSE;
    }
  return TRUE;
}

gboolean
cs_store_move_photo (CsStore     *self,
                     gint64       id,
                     const char  *new_path,
                     gint64       mtime_us,
                     GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (new_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cs_store_savepoint_begin (self, error))
    return FALSE;
  ok = move_photo_steps (self, id, new_path, mtime_us, error);
  return _cs_store_savepoint_end (self, ok, ok ? error : NULL);
}

gboolean
cs_store_delete_photo (CsStore   *self,
                       gint64     id,
                       GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot delete photo %" G_GINT64_FORMAT, id);
  return TRUE;
}

gint64
cs_store_count_photos (CsStore  *self,
                       GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return -1;

  return _cs_store_count_rows (self, STMT_PHOTO_COUNT, 0, "cannot count the photos", error);
}

gboolean
cs_store_set_photo_blank_stddev (CsStore  *self,
                                 gint64    id,
                                 double    stddev,
                                 GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!isfinite (stddev) || stddev < 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "cannot store the blank statistic of photo %" G_GINT64_FORMAT ": %g is not a "
                   "standard deviation", id, stddev);
      return FALSE;
    }
  stmt = _cs_store_use_stmt (self, STMT_PHOTO_BLANK_SET, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_double (stmt, 2, stddev);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc,
                                "cannot store the blank statistic of photo %" G_GINT64_FORMAT, id);
  return TRUE;
}

gboolean
cs_store_get_photo_blank_stddev (CsStore  *self,
                                 gint64    id,
                                 double   *stddev,
                                 GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;
  gboolean known = FALSE;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_BLANK_GET, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          known = sqlite3_column_type (stmt, 0) != SQLITE_NULL;
          if (known && stddev != NULL)
            *stddev = sqlite3_column_double (stmt, 0);
          rc = SQLITE_DONE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot read the blank statistic of photo %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  return known;
}

gboolean
cs_store_foreach_photo (CsStore           *self,
                        const char        *under_folder,
                        CsStorePhotoFunc   func,
                        gpointer           user_data,
                        GError           **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GString) path = NULL;
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  CsStorePhoto photo;
  int rc = SQLITE_OK;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (under_folder != NULL)
    {
      gsize len = strlen (under_folder);

      while (len > 0 && under_folder[len - 1] == '/')
        len--;
      low = g_strdup_printf ("%.*s/", (int) len, under_folder);
      high = g_strdup_printf ("%.*s0", (int) len, under_folder);
      stmt = _cs_store_use_stmt (self, STMT_PHOTO_UNDER, error);
      if (stmt == NULL)
        return FALSE;
      rc = _cs_store_bind_path (stmt, 1, low);
      if (rc == SQLITE_OK)
        rc = _cs_store_bind_path (stmt, 2, high);
    }
  else
    {
      stmt = _cs_store_use_stmt (self, STMT_PHOTO_ALL, error);
      if (stmt == NULL)
        return FALSE;
    }

  path = g_string_new (NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        _cs_store_photo_peek_row (stmt, &photo, path);
        if (!func (&photo, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return _cs_store_set_error (self, error, rc, "cannot list the photos");
  return TRUE;
}

GPtrArray *
cs_store_list_photos_missing_vector (CsStore  *self,
                                     gint64    model_row,
                                     GError  **error)
{
  g_auto (StmtUse) stmt = NULL;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_PHOTO_MISSING_VECTOR, error);
  if (stmt == NULL)
    return NULL;
  return fetch_photos (self, stmt, sqlite3_bind_int64 (stmt, 1, model_row),
                       "cannot list the photos to embed", error);
}
