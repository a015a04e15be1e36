/* cs-store-sqlite.c - the SQLite plumbing every part of the store shares:
 * the statements and their cache, binding and reading values, errors.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <string.h>

#include "cs-store-private.h"

/* The columns photo_from_row() reads, in its order. */
#define PHOTO_COLUMNS "id, path, size, mtime_us, hash, width, height, taken_unix, state, taken_source"

static const char * const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  /* A savepoint makes a multi-statement operation atomic both inside a
   * caller's transaction and alone. */
  [STMT_SAVEPOINT] = "SAVEPOINT cs_store_step",
  [STMT_RELEASE] = "RELEASE cs_store_step",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO cs_store_step",
  [STMT_USER_VERSION] = "PRAGMA user_version",
  [STMT_JOURNAL_MODE] = "PRAGMA journal_mode",
  [STMT_INTEGRITY_CHECK] = "PRAGMA integrity_check",
  [STMT_FOREIGN_KEY_CHECK] = "PRAGMA foreign_key_check",

  [STMT_FOLDER_ADD] =
    "INSERT INTO folders (path, excluded) VALUES (?1, ?2) "
    "ON CONFLICT (path) DO UPDATE SET excluded = excluded.excluded",
  [STMT_FOLDER_REMOVE] = "DELETE FROM folders WHERE path = ?1",
  [STMT_FOLDER_LIST] = "SELECT path FROM folders WHERE excluded = ?1 ORDER BY path",

  /* DO UPDATE (not DO NOTHING) so that RETURNING yields the existing row. */
  [STMT_MODEL_ENSURE] =
    "INSERT INTO models (model_id, name, dim, dtype) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (model_id) DO UPDATE SET name = excluded.name "
    "RETURNING id, dim, dtype",
  [STMT_MODEL_LOOKUP] = "SELECT id, dim FROM models WHERE model_id = ?1",
  [STMT_MODEL_DIM] = "SELECT dim FROM models WHERE id = ?1",
  [STMT_MODEL_DELETE] = "DELETE FROM models WHERE id = ?1",
  [STMT_MODEL_ROWS] = "SELECT id FROM models ORDER BY id",

  [STMT_PHOTO_LOOKUP] = "SELECT " PHOTO_COLUMNS " FROM photos WHERE path = ?1",
  [STMT_PHOTO_GET] = "SELECT " PHOTO_COLUMNS " FROM photos WHERE id = ?1",
  [STMT_PHOTO_BY_HASH] =
    "SELECT " PHOTO_COLUMNS " FROM photos WHERE hash = ?1 AND size = ?2 ORDER BY path",
  /* An upsert, not INSERT OR REPLACE: REPLACE deletes the old row, which
   * would give the photo a new id and cascade its vectors away. */
  [STMT_PHOTO_UPSERT] =
    "INSERT INTO photos (path, size, mtime_us, hash, width, height, taken_unix, state, taken_source) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_us = excluded.mtime_us, "
    "hash = excluded.hash, width = excluded.width, height = excluded.height, "
    "taken_unix = excluded.taken_unix, state = excluded.state, taken_source = excluded.taken_source "
    "RETURNING id",
  [STMT_PHOTO_DELETE_OTHER_AT] = "DELETE FROM photos WHERE path = ?1 AND id <> ?2",
  [STMT_PHOTO_MOVE] = "UPDATE photos SET path = ?2, mtime_us = ?3 WHERE id = ?1",
  [STMT_PHOTO_DELETE] = "DELETE FROM photos WHERE id = ?1",
  [STMT_PHOTO_COUNT] = "SELECT count(*) FROM photos",
  [STMT_PHOTO_BLANK_SET] = "UPDATE photos SET blank_stddev = ?2 WHERE id = ?1",
  [STMT_PHOTO_BLANK_GET] = "SELECT blank_stddev FROM photos WHERE id = ?1",
  [STMT_PHOTO_ALL] = "SELECT " PHOTO_COLUMNS " FROM photos ORDER BY path",
  /* A range on the BLOB key instead of LIKE: exact bytes ('%' and '_' are
   * not wildcards), and the unique index on path answers it.  '0' is the
   * byte after '/', so [prefix/, prefix0) is everything below prefix. */
  [STMT_PHOTO_UNDER] =
    "SELECT " PHOTO_COLUMNS " FROM photos WHERE path >= ?1 AND path < ?2 ORDER BY path",
  [STMT_PHOTO_MISSING_VECTOR] =
    "SELECT " PHOTO_COLUMNS " FROM photos WHERE NOT EXISTS "
    "(SELECT 1 FROM vectors WHERE vectors.photo_id = photos.id AND vectors.model = ?1) "
    "ORDER BY path",

  [STMT_VECTOR_PUT] =
    "INSERT INTO vectors (photo_id, model, vector) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (photo_id, model) DO UPDATE SET vector = excluded.vector",
  [STMT_VECTOR_HAS] = "SELECT 1 FROM vectors WHERE photo_id = ?1 AND model = ?2",
  [STMT_VECTOR_GET] = "SELECT vector FROM vectors WHERE photo_id = ?1 AND model = ?2",
  [STMT_VECTOR_COUNT] = "SELECT count(*) FROM vectors WHERE model = ?1",
  [STMT_TEXT_VECTOR_GET] = "SELECT vector FROM text_vectors WHERE model = ?1 AND text = ?2",
  [STMT_TEXT_VECTOR_PUT] =
    "INSERT INTO text_vectors (model, text, vector) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (model, text) DO UPDATE SET vector = excluded.vector",
  [STMT_TEXT_VECTOR_COUNT] = "SELECT count(*) FROM text_vectors WHERE model = ?1",
  [STMT_VECTOR_ALL] =
    "SELECT photo_id, vector FROM vectors WHERE model = ?1 ORDER BY photo_id",

  [STMT_FAILURE_RECORD] =
    "INSERT INTO failures (path, reason, size, mtime_us) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, size = excluded.size, "
    "mtime_us = excluded.mtime_us",
  [STMT_FAILURE_LOOKUP] = "SELECT reason, size, mtime_us FROM failures WHERE path = ?1",
  [STMT_FAILURE_CLEAR] = "DELETE FROM failures WHERE path = ?1",
  [STMT_FAILURE_LIST] = "SELECT path, reason, size, mtime_us FROM failures ORDER BY path",

  [STMT_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
  [STMT_SETTING_SET] =
    "INSERT INTO settings (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  [STMT_SETTING_UNSET] = "DELETE FROM settings WHERE key = ?1",

  /* Change tracking for the in-memory index (schema 2). */
  [STMT_CHANGE_COUNTER] = "SELECT seq FROM change_counter WHERE id = 1",
  /* vectors_by_model (model, photo_id) gives the order without a sort. */
  [STMT_INDEXED_ALL] =
    "SELECT p.id, p.path, p.size, p.mtime_us, p.hash, p.width, p.height, p.taken_unix, p.state, "
    "p.taken_source, v.vector FROM vectors v JOIN photos p ON p.id = v.photo_id "
    "WHERE v.model = ?1 ORDER BY v.photo_id",
  /* No ORDER BY: vectors_by_seq answers the range, which an ordering on
   * photo_id would tempt the planner to trade for a walk of every row. */
  [STMT_INDEXED_SINCE] =
    "SELECT p.id, p.path, p.size, p.mtime_us, p.hash, p.width, p.height, p.taken_unix, p.state, "
    "p.taken_source, v.vector FROM vectors v JOIN photos p ON p.id = v.photo_id "
    "WHERE v.model = ?1 AND v.seq > ?2",
  [STMT_VECTOR_DELETE_UNUSABLE] =
    "DELETE FROM vectors WHERE model = ?1 AND (typeof (vector) != 'blob' OR length (vector) != ?2"
    " OR NOT cs_vector_finite (vector))",
  [STMT_VECTOR_IDS] = "SELECT photo_id FROM vectors WHERE model = ?1 ORDER BY photo_id",

  [STMT_LABEL_LIST] = "SELECT id, name, threshold FROM labels ORDER BY id",
  [STMT_LABEL_PROMPTS] = "SELECT prompt FROM label_prompts WHERE label_id = ?1 ORDER BY position",
  [STMT_LABEL_ADD] = "INSERT INTO labels (name, threshold) VALUES (?1, ?2) RETURNING id",
  [STMT_LABEL_FIND] = "SELECT id FROM labels WHERE name = ?1",
  [STMT_LABEL_RENAME] = "UPDATE labels SET name = ?2 WHERE id = ?1",
  [STMT_LABEL_THRESHOLD] = "UPDATE labels SET threshold = ?2 WHERE id = ?1",
  [STMT_LABEL_DELETE] = "DELETE FROM labels WHERE id = ?1",
  [STMT_LABEL_PROMPTS_CLEAR] = "DELETE FROM label_prompts WHERE label_id = ?1",
  [STMT_LABEL_PROMPT_ADD] =
    "INSERT INTO label_prompts (label_id, position, prompt) VALUES (?1, ?2, ?3)",
  [STMT_LABEL_VERDICT_SET] =
    "INSERT INTO label_feedback (label_id, photo_id, verdict) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (label_id, photo_id) DO UPDATE SET verdict = excluded.verdict",
  [STMT_LABEL_VERDICT_CLEAR] = "DELETE FROM label_feedback WHERE label_id = ?1 AND photo_id = ?2",
  [STMT_LABEL_VERDICTS] =
    "SELECT photo_id, verdict FROM label_feedback WHERE label_id = ?1 ORDER BY photo_id",
};

void
_cs_store_stmt_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

CsStoreError
_cs_store_error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return CS_STORE_ERROR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CS_STORE_ERROR_CORRUPT;
    default:
      return CS_STORE_ERROR_SQLITE;
    }
}

void
_cs_store_set_sqlite_error (GError    **error,
                            sqlite3    *db,
                            int         rc,
                            const char *format,
                            ...)
{
  g_autofree char *what = NULL;
  const char *reason;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  /* The connection's message is the precise one ("UNIQUE constraint
   * failed: photos.path") when it belongs to this failure. */
  reason = db != NULL && sqlite3_errcode (db) == rc ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  g_set_error (error, CS_STORE_ERROR, _cs_store_error_code (rc), "%s: %s", what, reason);
}

gboolean
_cs_store_query_int (sqlite3     *db,
                     const char  *sql,
                     gint64      *value,
                     GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot read the database (%s)", sql);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

const char *
cs_store_sqlite_version (void)
{
  return sqlite3_libversion ();
}

/* Helpers */

gboolean
_cs_store_set_error (CsStore     *self,
                     GError     **error,
                     int          rc,
                     const char  *format,
                     ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  _cs_store_set_sqlite_error (error, self->db, rc, "%s", what);
  return FALSE;
}

/* A path for a message: the file system's bytes shown as UTF-8. */
char *
_cs_store_display_path (const char *path)
{
  return g_filename_display_name (path);
}

/* The cached statement `id`, prepared on first use, or NULL with an
 * error.  The caller holds it in a g_auto(StmtUse). */
sqlite3_stmt *
_cs_store_use_stmt (CsStore  *self,
                    Stmt      id,
                    GError  **error)
{
  sqlite3_stmt *stmt = self->stmts[id];
  int rc;

  if (stmt == NULL)
    {
      rc = sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          _cs_store_set_error (self, error, rc, "cannot prepare “%s”", stmt_sql[id]);
          return NULL;
        }
      self->stmts[id] = stmt;
    }
  else if (sqlite3_stmt_busy (stmt))
    {
      /* Re-entered from a foreach callback: resetting the statement now
       * would silently end the outer walk. */
      g_critical ("cs-store: “%s” is already running (called again from its own callback?)",
                  stmt_sql[id]);
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "the statement “%s” is already running", stmt_sql[id]);
      return NULL;
    }
  return stmt;
}

/* Paths are bound as BLOBs of their bytes (see the schema).  SQLITE_STATIC
 * is safe: StmtUse clears the bindings before the caller's string can go. */
int
_cs_store_bind_path (sqlite3_stmt *stmt,
                     int           index,
                     const char   *path)
{
  return sqlite3_bind_blob64 (stmt, index, path, strlen (path), SQLITE_STATIC);
}

int
_cs_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

char *
_cs_store_column_dup_bytes (sqlite3_stmt *stmt,
                            int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int n = sqlite3_column_bytes (stmt, column);
  char *copy = g_malloc (n + 1);

  if (n > 0)
    memcpy (copy, data, n);
  copy[n] = '\0';
  return copy;
}

char *
_cs_store_column_dup_text (sqlite3_stmt *stmt,
                           int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The row step after binding, for statements that change rows. */
int
_cs_store_step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
/* Test hook: cs_store_inject_failure_for_testing() */
static char *injected_function;
static int   injected_count;
G_LOCK_DEFINE_STATIC (injected);

void
cs_store_inject_failure_for_testing (const char *function,
                                     int         count)
{
  G_LOCK (injected);
  g_free (injected_function);
  injected_function = g_strdup (function);
  injected_count = count;
  G_UNLOCK (injected);
}

gboolean
_cs_store_injected_failure (const char  *function,
                            GError     **error)
{
  gboolean fail = FALSE;

  if (g_atomic_pointer_get (&injected_function) == NULL)
    return FALSE;
  G_LOCK (injected);
  if (injected_function != NULL && injected_count != 0 && strcmp (injected_function, function) == 0)
    {
      if (injected_count > 0)
        injected_count--;
      fail = TRUE;
    }
  G_UNLOCK (injected);
  if (fail)
    g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_BUSY,
                 "%s: database is locked (injected by a test)", function);
  return fail;
}

gint64
_cs_store_count_rows (CsStore     *self,
                      Stmt         id,
                      gint64       bound,
                      const char  *what,
                      GError     **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, id, error);
  int rc = SQLITE_OK;

  if (stmt == NULL)
    return -1;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    rc = sqlite3_bind_int64 (stmt, 1, bound);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "%s", what);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
