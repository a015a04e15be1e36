/* cs-store-vectors.c - the vectors of photos and of texts, and following
 * the indexer.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <math.h>
#include <string.h>

#include "cs-store-private.h"

/* Vectors are little-endian float32 on disk.  The blob's memory has no
 * alignment guarantee, so it is always copied out, never cast. */
static void
vector_from_blob (const void *blob,
                  int         dim,
                  float      *out)
{
  memcpy (out, blob, (gsize) dim * sizeof (float));
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (int i = 0; i < dim; i++)
    {
      guint32 bits;

      memcpy (&bits, &out[i], sizeof bits);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&out[i], &bits, sizeof bits);
    }
#endif
}

/* Whether the vector in `column` of the row can be used: a blob of exactly
 * `dim` floats, every one finite.  A NaN or an infinity (only an older
 * version, or another program, can have written one) and a value of any
 * other size or type (damage, or another program) are left out by every
 * reader, as if absent, so that no search or duplicate scan computes with
 * them and one bad row does not make the library unreadable; the next full
 * index run deletes them and embeds their photos again
 * (cs_store_delete_unusable_vectors). */
static gboolean
usable_vector (sqlite3_stmt *stmt,
               int           column,
               int           dim,
               gint64        photo_id)
{
  int type = sqlite3_column_type (stmt, column);
  const void *blob = sqlite3_column_blob (stmt, column);
  int n_bytes = sqlite3_column_bytes (stmt, column);

  if (type != SQLITE_BLOB || dim <= 0 || (gsize) n_bytes != (gsize) dim * sizeof (float))
    {
      g_debug ("skipping the damaged vector of photo %" G_GINT64_FORMAT " (%d bytes, %d floats expected)",
               photo_id, n_bytes, dim);
      return FALSE;
    }
  if (!_cs_store_floats_finite (blob, (gsize) dim))
    {
      g_debug ("skipping the non-finite vector of photo %" G_GINT64_FORMAT, photo_id);
      return FALSE;
    }
  return TRUE;
}

/* The dimension the vectors of `model_row` must have; 0, without an
 * error, when there is no such model (its vectors went with it: a reader
 * that races a model switch finds none, as it did before it asked). */
static gboolean
vectors_dim (CsStore  *self,
             gint64    model_row,
             int      *dim,
             GError  **error)
{
  g_autoptr(GError) local = NULL;

  if (_cs_store_model_dim (self, model_row, dim, &local))
    return TRUE;
  if (g_error_matches (local, CS_STORE_ERROR, CS_STORE_ERROR_INVALID))
    {
      *dim = 0;
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Public API: vectors */

/* What both vector puts check before writing: the model's dimension and
 * finite components.  `what` names the vector in the message ("of photo 3"). */
static gboolean
check_vector (CsStore      *self,
              gint64        model_row,
              const float  *vector,
              int           dim,
              const char   *what,
              GError      **error)
{
  int expected_dim = 0;

  if (!_cs_store_model_dim (self, model_row, &expected_dim, error))
    {
      g_prefix_error (error, "cannot store the vector %s: ", what);
      return FALSE;
    }
  if (dim != expected_dim)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "cannot store the vector %s: it has %d dimensions, the model %d",
                   what, dim, expected_dim);
      return FALSE;
    }
  /* A NaN or an infinity would poison every search and duplicate scan
   * that reads it (every score NaN, every photo "similar"). */
  for (int i = 0; i < dim; i++)
    if (!isfinite (vector[i]))
      {
        g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                     "cannot store the vector %s: component %d is not finite", what, i);
        return FALSE;
      }
  return TRUE;
}

/* The vector as stored: little-endian float32 (a swapped copy in
 * *swapped on big-endian machines, which the caller frees). */
static const void *
vector_blob (const float  *vector,
             int           dim,
             guint32     **swapped)
{
#if G_BYTE_ORDER == G_BIG_ENDIAN
  *swapped = g_new (guint32, dim);
  memcpy (*swapped, vector, (gsize) dim * sizeof (float));
  for (int i = 0; i < dim; i++)
    (*swapped)[i] = GUINT32_TO_LE ((*swapped)[i]);
  return *swapped;
#else
  *swapped = NULL;
  return vector;
#endif
}

gboolean
cs_store_put_vector (CsStore      *self,
                     gint64        photo_id,
                     gint64        model_row,
                     const float  *vector,
                     int           dim,
                     GError      **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autofree char *what = NULL;
  g_autofree guint32 *swapped = NULL;
  const void *blob;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (vector != NULL, FALSE);
  g_return_val_if_fail (dim > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  what = g_strdup_printf ("of photo %" G_GINT64_FORMAT, photo_id);
  if (!check_vector (self, model_row, vector, dim, what, error))
    return FALSE;
  blob = vector_blob (vector, dim, &swapped);

  stmt = _cs_store_use_stmt (self, STMT_VECTOR_PUT, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, photo_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64 (stmt, 3, blob, (sqlite3_uint64) dim * sizeof (float), SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot store the vector of photo %" G_GINT64_FORMAT,
                                photo_id);
  return TRUE;
}

gboolean
cs_store_has_vector (CsStore   *self,
                     gint64     photo_id,
                     gint64     model_row,
                     GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return FALSE;

  stmt = _cs_store_use_stmt (self, STMT_VECTOR_HAS, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, photo_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    _cs_store_set_error (self, error, rc, "cannot look up the vector of photo %" G_GINT64_FORMAT, photo_id);
  return FALSE;
}

float *
cs_store_dup_vector (CsStore   *self,
                     gint64     photo_id,
                     gint64     model_row,
                     int       *dim,
                     GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  float *vector;
  int n;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (dim != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return NULL;

  *dim = 0;
  if (!vectors_dim (self, model_row, &n, error))
    return NULL;
  stmt = _cs_store_use_stmt (self, STMT_VECTOR_GET, error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_bind_int64 (stmt, 1, photo_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot read the vector of photo %" G_GINT64_FORMAT, photo_id);
      return NULL;
    }
  if (!usable_vector (stmt, 0, n, photo_id))
    return NULL;  /* as good as none (see usable_vector) */
  vector = g_new (float, n);
  vector_from_blob (sqlite3_column_blob (stmt, 0), n, vector);
  *dim = n;
  return vector;
}

/* Public API: text vectors (the label prompts' encodings) */

guint
cs_store_get_text_vectors (CsStore            *self,
                           gint64              model_row,
                           const char * const *texts,
                           guint               n_texts,
                           int                 dim,
                           float              *vectors,
                           gboolean           *found,
                           GError            **error)
{
  guint n_found = 0;

  g_return_val_if_fail (CS_IS_STORE (self), 0);
  g_return_val_if_fail (texts != NULL || n_texts == 0, 0);
  g_return_val_if_fail (dim > 0, 0);
  g_return_val_if_fail (vectors != NULL || n_texts == 0, 0);
  g_return_val_if_fail (found != NULL || n_texts == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  for (guint i = 0; i < n_texts; i++)
    found[i] = FALSE;
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return 0;
  for (guint i = 0; i < n_texts; i++)
    {
      g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_TEXT_VECTOR_GET, error);
      const void *blob;
      int rc;

      if (stmt == NULL)
        return 0;
      rc = sqlite3_bind_int64 (stmt, 1, model_row);
      if (rc == SQLITE_OK)
        rc = _cs_store_bind_text (stmt, 2, texts[i]);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        {
          _cs_store_set_error (self, error, rc, "cannot read the vector of the text “%s”", texts[i]);
          return 0;
        }
      blob = sqlite3_column_blob (stmt, 0);
      /* another size or a non-finite value (written by hand, or by a bug):
       * as good as none, the caller encodes the text again */
      if (sqlite3_column_bytes (stmt, 0) != (int) ((gsize) dim * sizeof (float))
          || !_cs_store_floats_finite (blob, dim))
        continue;
      vector_from_blob (blob, dim, vectors + (gsize) i * dim);
      found[i] = TRUE;
      n_found++;
    }
  return n_found;
}

gboolean
cs_store_put_text_vector (CsStore      *self,
                          gint64        model_row,
                          const char   *text,
                          const float  *vector,
                          int           dim,
                          GError      **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autofree char *what = NULL;
  g_autofree guint32 *swapped = NULL;
  const void *blob;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (vector != NULL, FALSE);
  g_return_val_if_fail (dim > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  what = g_strdup_printf ("of the text “%s”", text);
  if (!check_vector (self, model_row, vector, dim, what, error))
    return FALSE;
  blob = vector_blob (vector, dim, &swapped);

  stmt = _cs_store_use_stmt (self, STMT_TEXT_VECTOR_PUT, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = _cs_store_bind_text (stmt, 2, text);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64 (stmt, 3, blob, (sqlite3_uint64) dim * sizeof (float), SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot store the vector of the text “%s”", text);
  return TRUE;
}

gint64
cs_store_count_text_vectors (CsStore   *self,
                             gint64     model_row,
                             GError   **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _cs_store_count_rows (self, STMT_TEXT_VECTOR_COUNT, model_row,
                               "cannot count the text vectors", error);
}

gint64
cs_store_count_vectors (CsStore   *self,
                        gint64     model_row,
                        GError   **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return -1;

  return _cs_store_count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
}

gboolean
cs_store_foreach_vector (CsStore            *self,
                         gint64              model_row,
                         CsStoreVectorFunc   func,
                         gpointer            user_data,
                         GError            **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autofree float *scratch = NULL;
  int dim = 0;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!vectors_dim (self, model_row, &dim, error))
    return FALSE;
  scratch = g_new (float, MAX (dim, 1));
  stmt = _cs_store_use_stmt (self, STMT_VECTOR_ALL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 photo_id = sqlite3_column_int64 (stmt, 0);

        if (!usable_vector (stmt, 1, dim, photo_id))
          continue;
        vector_from_blob (sqlite3_column_blob (stmt, 1), dim, scratch);
        if (!func (photo_id, scratch, dim, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return _cs_store_set_error (self, error, rc, "cannot read the vectors of model %" G_GINT64_FORMAT,
                                model_row);
  return TRUE;
}

static gboolean
load_vectors_snapshot (CsStore   *self,
                       gint64     model_row,
                       float    **matrix_out,
                       gint64   **ids_out,
                       gsize     *n_rows_out,
                       int       *dim_out,
                       GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autofree float *matrix = NULL;
  g_autofree gint64 *ids = NULL;
  gint64 count;
  gsize row = 0;
  int dim = 0;
  int rc;

  if (!_cs_store_model_dim (self, model_row, &dim, error))
    return FALSE;
  count = _cs_store_count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
  if (count < 0)
    return FALSE;
  if (count > 0)
    {
      matrix = g_try_malloc_n ((gsize) count, (gsize) dim * sizeof (float));
      ids = g_try_new (gint64, count);
      if (matrix == NULL || ids == NULL)
        {
          g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                       "not enough memory for %" G_GINT64_FORMAT " vectors of %d dimensions",
                       count, dim);
          return FALSE;
        }
    }

  stmt = _cs_store_use_stmt (self, STMT_VECTOR_ALL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 photo_id = sqlite3_column_int64 (stmt, 0);

        /* The count holds inside the snapshot; more rows is damage. */
        if (row >= (gsize) count)
          {
            g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                         "the vectors of model %" G_GINT64_FORMAT " are inconsistent",
                         model_row);
            return FALSE;
          }
        if (!usable_vector (stmt, 1, dim, photo_id))
          continue;
        ids[row] = photo_id;
        vector_from_blob (sqlite3_column_blob (stmt, 1), dim, matrix + row * (gsize) dim);
        row++;
      }
  if (rc != SQLITE_DONE)
    return _cs_store_set_error (self, error, rc, "cannot read the vectors of model %" G_GINT64_FORMAT,
                                model_row);

  *matrix_out = g_steal_pointer (&matrix);
  *ids_out = g_steal_pointer (&ids);
  *n_rows_out = row;
  *dim_out = dim;
  return TRUE;
}

gboolean
cs_store_load_vectors (CsStore   *self,
                       gint64     model_row,
                       float    **matrix,
                       gint64   **photo_ids,
                       gsize     *n_rows,
                       int       *dim,
                       GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (matrix != NULL, FALSE);
  g_return_val_if_fail (photo_ids != NULL, FALSE);
  g_return_val_if_fail (n_rows != NULL, FALSE);
  g_return_val_if_fail (dim != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *matrix = NULL;
  *photo_ids = NULL;
  *n_rows = 0;
  *dim = 0;

  /* The count and the rows must come from one snapshot: the savepoint
   * holds one read transaction across both (other writers go on). */
  if (!_cs_store_savepoint_begin (self, error))
    return FALSE;
  ok = load_vectors_snapshot (self, model_row, matrix, photo_ids, n_rows, dim, error);
  if (!_cs_store_savepoint_end (self, ok, ok ? error : NULL))
    {
      g_clear_pointer (matrix, g_free);
      g_clear_pointer (photo_ids, g_free);
      *n_rows = 0;
      *dim = 0;
      return FALSE;
    }
  return TRUE;
}

gint64
cs_store_delete_unusable_vectors (CsStore   *self,
                                  gint64     model_row,
                                  GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  int dim = 0;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!vectors_dim (self, model_row, &dim, error))
    return -1;
  stmt = _cs_store_use_stmt (self, STMT_VECTOR_DELETE_UNUSABLE, error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) dim * (sqlite3_int64) sizeof (float));
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_error (self, error, rc, "cannot delete the unusable vectors of model %" G_GINT64_FORMAT,
                           model_row);
      return -1;
    }
  return sqlite3_changes64 (self->db);
}

/* Public API: following the indexer */

static gboolean
indexed_snapshot (CsStore             *self,
                  gint64               model_row,
                  gint64               since,
                  CsStoreIndexedFunc   func,
                  gpointer             user_data,
                  gint64              *change,
                  gint64              *n_vectors,
                  GError             **error)
{
  g_autoptr(GString) path = g_string_new (NULL);
  g_autofree float *scratch = NULL;
  int dim = 0;
  gint64 counter, count;
  int rc;

  if (!vectors_dim (self, model_row, &dim, error))
    return FALSE;
  scratch = g_new (float, MAX (dim, 1));
  counter = _cs_store_count_rows (self, STMT_CHANGE_COUNTER, 0, "cannot read the change counter", error);
  if (counter < 0)
    return FALSE;
  count = _cs_store_count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
  if (count < 0)
    return FALSE;

  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, since > 0 ? STMT_INDEXED_SINCE : STMT_INDEXED_ALL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK && since > 0)
    rc = sqlite3_bind_int64 (stmt, 2, since);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CsStorePhoto photo;
        gint64 photo_id = sqlite3_column_int64 (stmt, 0);

        if (!usable_vector (stmt, 10, dim, photo_id))
          continue;
        vector_from_blob (sqlite3_column_blob (stmt, 10), dim, scratch);
        _cs_store_photo_peek_row (stmt, &photo, path);
        if (!func (&photo, scratch, dim, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return _cs_store_set_error (self, error, rc, "cannot read the photos of model %" G_GINT64_FORMAT,
                                model_row);
  if (change != NULL)
    *change = counter;
  if (n_vectors != NULL)
    *n_vectors = count;
  return TRUE;
}

gboolean
cs_store_foreach_indexed_photo (CsStore             *self,
                                gint64               model_row,
                                gint64               since,
                                CsStoreIndexedFunc   func,
                                gpointer             user_data,
                                gint64              *change,
                                gint64              *n_vectors,
                                GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* One read transaction across the counter, the count and the walk. */
  if (!_cs_store_savepoint_begin (self, error))
    return FALSE;
  ok = indexed_snapshot (self, model_row, since, func, user_data, change, n_vectors, error);
  return _cs_store_savepoint_end (self, ok, ok ? error : NULL) && ok;
}

GArray *
cs_store_list_vector_ids (CsStore  *self,
                          gint64    model_row,
                          GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  g_autoptr(GArray) ids = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _cs_store_use_stmt (self, STMT_VECTOR_IDS, error);
  if (stmt == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }
  if (rc != SQLITE_DONE)
    {
      _cs_store_set_error (self, error, rc, "cannot list the vectors of model %" G_GINT64_FORMAT, model_row);
      return NULL;
    }
  return g_steal_pointer (&ids);
}
