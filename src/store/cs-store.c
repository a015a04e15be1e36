/* cs-store.c - the SQLite store.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-store-private.h"

/* Long enough for another process's batch (a few hundred photos and their
 * vectors) to commit; short enough that a stuck writer is reported. */
#define BUSY_TIMEOUT_MS 10000

/* The WAL file is truncated back to this after a checkpoint, so a burst of
 * writes does not leave a large file behind. */
#define JOURNAL_SIZE_LIMIT "67108864"

/* Every statement the store runs more than once, prepared on first use and
 * kept for the connection's life.  Values are always bound: no SQL is ever
 * formatted. */
typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SAVEPOINT,
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_USER_VERSION,
  STMT_JOURNAL_MODE,
  STMT_INTEGRITY_CHECK,
  STMT_FOREIGN_KEY_CHECK,
  STMT_FOLDER_ADD,
  STMT_FOLDER_REMOVE,
  STMT_FOLDER_LIST,
  STMT_MODEL_ENSURE,
  STMT_MODEL_LOOKUP,
  STMT_MODEL_DIM,
  STMT_MODEL_DELETE,
  STMT_MODEL_ROWS,
  STMT_PHOTO_LOOKUP,
  STMT_PHOTO_GET,
  STMT_PHOTO_BY_HASH,
  STMT_PHOTO_UPSERT,
  STMT_PHOTO_DELETE_OTHER_AT,
  STMT_PHOTO_MOVE,
  STMT_PHOTO_DELETE,
  STMT_PHOTO_COUNT,
  STMT_PHOTO_BLANK_SET,
  STMT_PHOTO_BLANK_GET,
  STMT_PHOTO_ALL,
  STMT_PHOTO_UNDER,
  STMT_PHOTO_MISSING_VECTOR,
  STMT_VECTOR_PUT,
  STMT_VECTOR_HAS,
  STMT_VECTOR_GET,
  STMT_VECTOR_COUNT,
  STMT_VECTOR_ALL,
  STMT_TEXT_VECTOR_GET,
  STMT_TEXT_VECTOR_PUT,
  STMT_TEXT_VECTOR_COUNT,
  STMT_VECTOR_DELETE_NON_FINITE,
  STMT_FAILURE_RECORD,
  STMT_FAILURE_LOOKUP,
  STMT_FAILURE_CLEAR,
  STMT_FAILURE_LIST,
  STMT_SETTING_GET,
  STMT_SETTING_SET,
  STMT_SETTING_UNSET,
  STMT_CHANGE_COUNTER,
  STMT_INDEXED_ALL,
  STMT_INDEXED_SINCE,
  STMT_VECTOR_IDS,
  STMT_LABEL_LIST,
  STMT_LABEL_PROMPTS,
  STMT_LABEL_ADD,
  STMT_LABEL_FIND,
  STMT_LABEL_RENAME,
  STMT_LABEL_THRESHOLD,
  STMT_LABEL_DELETE,
  STMT_LABEL_PROMPTS_CLEAR,
  STMT_LABEL_PROMPT_ADD,
  STMT_LABEL_VERDICT_SET,
  STMT_LABEL_VERDICT_CLEAR,
  STMT_LABEL_VERDICTS,
  N_STMTS
} Stmt;

/* The columns photo_from_row() reads, in its order. */
#define PHOTO_COLUMNS "id, path, size, mtime_us, hash, width, height, taken_unix, state"

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
    "INSERT INTO photos (path, size, mtime_us, hash, width, height, taken_unix, state) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_us = excluded.mtime_us, "
    "hash = excluded.hash, width = excluded.width, height = excluded.height, "
    "taken_unix = excluded.taken_unix, state = excluded.state "
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
    "v.vector FROM vectors v JOIN photos p ON p.id = v.photo_id "
    "WHERE v.model = ?1 ORDER BY v.photo_id",
  /* No ORDER BY: vectors_by_seq answers the range, which an ordering on
   * photo_id would tempt the planner to trade for a walk of every row. */
  [STMT_INDEXED_SINCE] =
    "SELECT p.id, p.path, p.size, p.mtime_us, p.hash, p.width, p.height, p.taken_unix, p.state, "
    "v.vector FROM vectors v JOIN photos p ON p.id = v.photo_id "
    "WHERE v.model = ?1 AND v.seq > ?2",
  [STMT_VECTOR_DELETE_NON_FINITE] =
    "DELETE FROM vectors WHERE model = ?1 AND NOT cs_vector_finite (vector)",
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

struct _CsStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
  gboolean      read_only;   /* opened read-only: its folder or file cannot be written */
};

static void cs_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsStore, cs_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      cs_store_initable_iface_init))

G_DEFINE_QUARK (cs-store-error-quark, cs_store_error)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A cached statement in use: g_auto(StmtUse) resets it and clears its
 * bindings (so no bound pointer outlives the call) when it goes out of
 * scope.  It never finalizes: the store owns the statement. */
typedef sqlite3_stmt *StmtUse;

static void
stmt_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (StmtUse, stmt_release, NULL)

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

static gboolean
set_error (CsStore     *self,
           GError     **error,
           int          rc,
           const char  *format,
           ...) G_GNUC_PRINTF (4, 5);

static gboolean
set_error (CsStore     *self,
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
static char *
display_path (const char *path)
{
  return g_filename_display_name (path);
}

/* The cached statement `id`, prepared on first use, or NULL with an
 * error.  The caller holds it in a g_auto(StmtUse). */
static sqlite3_stmt *
use_stmt (CsStore  *self,
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
          set_error (self, error, rc, "cannot prepare “%s”", stmt_sql[id]);
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
static int
bind_path (sqlite3_stmt *stmt,
           int           index,
           const char   *path)
{
  return sqlite3_bind_blob64 (stmt, index, path, strlen (path), SQLITE_STATIC);
}

static int
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static char *
column_dup_bytes (sqlite3_stmt *stmt,
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

static char *
column_dup_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static CsStorePhoto *
photo_from_row (sqlite3_stmt *stmt)
{
  CsStorePhoto *photo = g_new0 (CsStorePhoto, 1);

  photo->id = sqlite3_column_int64 (stmt, 0);
  photo->path = column_dup_bytes (stmt, 1);
  photo->size = sqlite3_column_int64 (stmt, 2);
  photo->mtime_us = sqlite3_column_int64 (stmt, 3);
  photo->hash = column_dup_text (stmt, 4);
  photo->width = sqlite3_column_int (stmt, 5);
  photo->height = sqlite3_column_int (stmt, 6);
  photo->taken_unix = sqlite3_column_int64 (stmt, 7);
  photo->state = sqlite3_column_int (stmt, 8);
  return photo;
}

/* Fills `photo` in place with borrowed column data, for callbacks. */
static void
photo_peek_row (sqlite3_stmt *stmt,
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
}

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

/* A vector with a NaN or an infinity, which only an older version (or
 * another program) can have written: the readers leave it out, so that no
 * search or duplicate scan ever computes with it, and the next index run
 * deletes it and embeds its photo again (cs_store_delete_non_finite_
 * vectors). */
static gboolean
skip_non_finite (const void *blob,
                 int         dim,
                 gint64      photo_id)
{
  if (_cs_store_floats_finite (blob, (gsize) dim))
    return FALSE;
  g_debug ("skipping the non-finite vector of photo %" G_GINT64_FORMAT, photo_id);
  return TRUE;
}

/* The row step after binding, for statements that change rows. */
static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one of the statements that take no value and return no row. */
static gboolean
run_simple (CsStore    *self,
            Stmt        id,
            const char *what,
            GError    **error)
{
  g_auto (StmtUse) stmt = use_stmt (self, id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "%s", what);
  return TRUE;
}

static gboolean
step_begin (CsStore  *self,
            GError  **error)
{
  return run_simple (self, STMT_SAVEPOINT, "cannot start a change", error);
}

/* Ends what step_begin() started: keeps it when `ok`, else undoes it
 * (leaving a caller's enclosing transaction open and intact). */
static gboolean
step_end (CsStore   *self,
          gboolean   ok,
          GError   **error)
{
  if (ok)
    {
      if (run_simple (self, STMT_RELEASE, "cannot finish a change", error))
        return TRUE;
    }
  /* Best effort: SQLite may already have rolled the whole transaction
   * back, and then the savepoint is gone too. */
  if (!sqlite3_get_autocommit (self->db))
    {
      run_simple (self, STMT_ROLLBACK_TO, "cannot undo a change", NULL);
      run_simple (self, STMT_RELEASE, "cannot undo a change", NULL);
    }
  return FALSE;
}

static gboolean
model_dim (CsStore  *self,
           gint64    model_row,
           int      *dim,
           GError  **error)
{
  g_auto (StmtUse) stmt = use_stmt (self, STMT_MODEL_DIM, error);
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
    return set_error (self, error, rc, "cannot read model %" G_GINT64_FORMAT, model_row);
  *dim = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
query_text (sqlite3     *db,
            const char  *sql,
            char       **value,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot set up the database (%s)", sql);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
exec_setup (sqlite3     *db,
            const char  *sql,
            GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot set up the database (%s)", sql);
      return FALSE;
    }
  return TRUE;
}

/* Connection settings.  Only constant SQL here.
 *
 * synchronous=NORMAL is safe in WAL mode: a commit appends to the WAL and
 * the WAL is synced at each checkpoint, so a killed process loses nothing
 * that was committed (the writes are in the kernel), and a power loss can
 * only drop the last transactions, never corrupt the file.  FULL would
 * buy durability against power loss at one fsync per batch. */
static gboolean
configure (CsStore  *self,
           GError  **error)
{
  g_autofree char *mode = NULL;
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_GINT64_CONSTANT (1000);

  /* Switching a new file to WAL needs an exclusive lock, and SQLite does
   * not wait for it (the busy handler is skipped to avoid a deadlock
   * between two connections that both hold a shared lock), so two
   * processes creating the library at once must retry here. */
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (query_text (self->db, "PRAGMA journal_mode = WAL", &mode, &local_error))
        break;
      if (!g_error_matches (local_error, CS_STORE_ERROR, CS_STORE_ERROR_BUSY) ||
          g_get_monotonic_time () > deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (g_random_int_range (1000, 10000));
    }
  if (g_ascii_strcasecmp (mode, "wal") != 0)
    g_warning ("%s: no WAL on this file system, using journal mode “%s”: readers will wait for writers",
               self->path, mode);

  return exec_setup (self->db, "PRAGMA synchronous = NORMAL", error) &&
         exec_setup (self->db, "PRAGMA foreign_keys = ON", error) &&
         exec_setup (self->db, "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT, error);
}

static gboolean
ensure_parent_dir (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *shown = display_path (dir);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create the folder %s: %s", shown, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* A database whose folder (or file) this process cannot write: in WAL
 * mode SQLite needs to create the -shm (and -wal) files next to it, so a
 * normal open fails even to read.  Opened read-only instead; with no -wal
 * file (every writer closed cleanly: the WAL was checkpointed into the
 * file) as immutable, which needs no -shm and no locks. */
static gboolean
wants_read_only (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_access (path, F_OK) != 0)
    return FALSE;
  return g_access (dir, W_OK) != 0 || g_access (path, W_OK) != 0;
}

static int
open_read_only (CsStore *self)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  g_autofree char *escaped = g_uri_escape_bytes ((const guint8 *) self->path, strlen (self->path), "/");
  gboolean has_wal = g_access (wal, F_OK) == 0;
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro%s", escaped, has_wal ? "" : "&immutable=1");

  self->read_only = TRUE;
  return sqlite3_open_v2 (uri, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
}

/* GInitable */

static gboolean
cs_store_initable_init (GInitable     *initable,
                        GCancellable  *cancellable,
                        GError       **error)
{
  CsStore *self = CS_STORE (initable);
  g_autofree char *shown = NULL;
  int rc;

  g_return_val_if_fail (self->db == NULL, FALSE);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "clipsight", "library.db", NULL);
  shown = display_path (self->path);

  if (wants_read_only (self->path))
    rc = open_read_only (self);
  else if (!ensure_parent_dir (self->path, error))
    return FALSE;
  else
    /* NOMUTEX: one thread at a time uses a connection (see the header), so
     * SQLite's per-connection mutex would be pure cost. */
    rc = sqlite3_open_v2 (self->path, &self->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                          NULL);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc, "cannot open the database %s", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (!_cs_store_register_functions (self->db, error))
    {
      g_prefix_error (error, "%s: ", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }

  if (self->read_only)
    {
      gint64 version = 0;

      if (!_cs_store_schema_check (self->db, error) ||
          !_cs_store_query_int (self->db, "PRAGMA user_version", &version, error) ||
          !exec_setup (self->db, "PRAGMA foreign_keys = ON", error))
        {
          g_prefix_error (error, "%s: ", shown);
          g_clear_pointer (&self->db, sqlite3_close_v2);
          return FALSE;
        }
      if (version != cs_store_schema_version_latest ())
        {
          g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SCHEMA,
                       "%s: the database is read-only (its folder or file cannot be written) "
                       "and needs upgrading from schema %" G_GINT64_FORMAT " to %d: open it once "
                       "where it can be written",
                       shown, version, cs_store_schema_version_latest ());
          g_clear_pointer (&self->db, sqlite3_close_v2);
          return FALSE;
        }
      return TRUE;
    }
  if (!_cs_store_schema_check (self->db, error) ||
      !configure (self, error) ||
      !_cs_store_schema_migrate (self->db, error))
    {
      g_prefix_error (error, "%s: ", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }
  return TRUE;
}

static void
cs_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = cs_store_initable_init;
}

gboolean
cs_store_is_read_only (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), TRUE);
  return self->read_only;
}

/* GObject */

static void
cs_store_finalize (GObject *object)
{
  CsStore *self = CS_STORE (object);

  /* Statements first: closing with statements alive would leave the
   * connection a zombie. sqlite3_close_v2 rolls back an open transaction. */
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cs_store_parent_class)->finalize (object);
}

static void
cs_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_class_init (CsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_store_finalize;
  object_class->get_property = cs_store_get_property;
  object_class->set_property = cs_store_set_property;

  /* The database file; NULL at construction means the default location,
   * and reading the property then gives the path chosen. */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_store_init (CsStore *self)
{
}

/* Public API: opening */

CsStore *
cs_store_open (const char  *path,
               GError     **error)
{
  g_return_val_if_fail (path == NULL || *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (CS_TYPE_STORE, NULL, error, "path", path, NULL);
}

const char *
cs_store_get_path (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  return self->path;
}

int
cs_store_get_schema_version (CsStore  *self,
                             GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);

  stmt = use_stmt (self, STMT_USER_VERSION, error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot read the schema version");
      return -1;
    }
  return sqlite3_column_int (stmt, 0);
}

char *
cs_store_dup_journal_mode (CsStore  *self,
                           GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  stmt = use_stmt (self, STMT_JOURNAL_MODE, error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot read the journal mode");
      return NULL;
    }
  return column_dup_text (stmt, 0);
}

static gboolean
check_foreign_keys (CsStore  *self,
                    GError  **error)
{
  g_auto (StmtUse) stmt = use_stmt (self, STMT_FOREIGN_KEY_CHECK, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* Columns: table, rowid, referred table, foreign key index. */
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                   "the database is inconsistent: row %" G_GINT64_FORMAT " of %s refers to a missing %s",
                   (gint64) sqlite3_column_int64 (stmt, 1),
                   (const char *) sqlite3_column_text (stmt, 0),
                   (const char *) sqlite3_column_text (stmt, 2));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "cannot check the database's references");
  return TRUE;
}

gboolean
cs_store_check_integrity (CsStore  *self,
                          GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto (StmtUse) stmt = use_stmt (self, STMT_INTEGRITY_CHECK, error);
    const char *first;
    int rc;

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      return set_error (self, error, rc, "cannot check the database");
    first = (const char *) sqlite3_column_text (stmt, 0);
    if (g_strcmp0 (first, "ok") != 0)
      {
        g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                     "the database is damaged: %s", first ? first : "(no reason)");
        return FALSE;
      }
  }
  return check_foreign_keys (self, error);
}

/* Public API: transactions */

gboolean
cs_store_begin (CsStore  *self,
                GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (sqlite3_get_autocommit (self->db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_simple (self, STMT_BEGIN, "cannot start a transaction", error);
}

gboolean
cs_store_commit (CsStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sqlite3_get_autocommit (self->db))
    {
      /* SQLite rolled the transaction back after an error the caller
       * ignored: committing now would report a batch that is not there. */
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "cannot commit: no transaction is open (it was rolled back after an error)");
      return FALSE;
    }
  return run_simple (self, STMT_COMMIT, "cannot commit the transaction", error);
}

void
cs_store_rollback (CsStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CS_IS_STORE (self));

  if (sqlite3_get_autocommit (self->db))
    return;
  if (!run_simple (self, STMT_ROLLBACK, "cannot roll back the transaction", &error))
    g_warning ("%s", error->message);
}

gboolean
cs_store_in_transaction (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);

  return !sqlite3_get_autocommit (self->db);
}

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

  stmt = use_stmt (self, STMT_FOLDER_ADD, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 2, excluded ? 1 : 0);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = display_path (path);

      return set_error (self, error, rc, "cannot add the folder %s", shown);
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

  stmt = use_stmt (self, STMT_FOLDER_REMOVE, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = display_path (path);

      return set_error (self, error, rc, "cannot remove the folder %s", shown);
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

  stmt = use_stmt (self, STMT_FOLDER_LIST, error);
  if (stmt == NULL)
    return NULL;
  folders = g_ptr_array_new_with_free_func (g_free);
  rc = sqlite3_bind_int (stmt, 1, excluded ? 1 : 0);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (folders, column_dup_bytes (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "cannot list the folders");
      return NULL;
    }
  return g_steal_pointer (&folders);
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

static gboolean
injected_failure (const char  *function,
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

  stmt = use_stmt (self, STMT_MODEL_ENSURE, error);
  if (stmt == NULL)
    return -1;
  rc = bind_text (stmt, 1, model_id);
  if (rc == SQLITE_OK)
    rc = bind_text (stmt, 2, name);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 3, dim);
  if (rc == SQLITE_OK)
    rc = bind_text (stmt, 4, dtype);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot record the model %s", model_id);
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
      set_error (self, error, rc, "cannot record the model %s", model_id);
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
  if (injected_failure (G_STRFUNC, error))
    return -1;

  stmt = use_stmt (self, STMT_MODEL_LOOKUP, error);
  if (stmt == NULL)
    return -1;
  rc = bind_text (stmt, 1, model_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot look up the model %s", model_id);
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

  stmt = use_stmt (self, STMT_MODEL_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot delete model %" G_GINT64_FORMAT, model_row);
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

  stmt = use_stmt (self, STMT_MODEL_ROWS, error);
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
      set_error (self, error, rc, "cannot list the models");
      return NULL;
    }
  return g_steal_pointer (&rows);
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
  if (injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = use_stmt (self, STMT_PHOTO_LOOKUP, error);
  if (stmt == NULL)
    return NULL;
  rc = fetch_one_photo (stmt, bind_path (stmt, 1, path), &photo);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_autofree char *shown = display_path (path);

      set_error (self, error, rc, "cannot look up the photo %s", shown);
    }
  return photo;
}

CsStorePhoto *
cs_store_get_photo (CsStore   *self,
                    gint64     id,
                    GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  CsStorePhoto *photo;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = use_stmt (self, STMT_PHOTO_GET, error);
  if (stmt == NULL)
    return NULL;
  rc = fetch_one_photo (stmt, sqlite3_bind_int64 (stmt, 1, id), &photo);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_error (self, error, rc, "cannot read photo %" G_GINT64_FORMAT, id);
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
      set_error (self, error, rc, "%s", what);
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
  if (injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = use_stmt (self, STMT_PHOTO_BY_HASH, error);
  if (stmt == NULL)
    return NULL;
  rc = bind_text (stmt, 1, hash);
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

  stmt = use_stmt (self, STMT_PHOTO_UPSERT, error);
  if (stmt == NULL)
    return -1;
  rc = bind_path (stmt, 1, photo->path);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, photo->size);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 3, photo->mtime_us);
  if (rc == SQLITE_OK)
    rc = bind_text (stmt, 4, photo->hash);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 5, photo->width);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 6, photo->height);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 7, photo->taken_unix);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int (stmt, 8, photo->state);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      rc = step_done (stmt);
    }
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = display_path (photo->path);

      set_error (self, error, rc, "cannot store the photo %s", shown);
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
    g_auto (StmtUse) stmt = use_stmt (self, STMT_PHOTO_DELETE_OTHER_AT, error);

    if (stmt == NULL)
      return FALSE;
    rc = bind_path (stmt, 1, new_path);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64 (stmt, 2, id);
    if (rc == SQLITE_OK)
      rc = step_done (stmt);
    if (rc != SQLITE_OK)
      return set_error (self, error, rc, "cannot move photo %" G_GINT64_FORMAT, id);
  }
  {
    g_auto (StmtUse) stmt = use_stmt (self, STMT_PHOTO_MOVE, error);

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_bind_int64 (stmt, 1, id);
    if (rc == SQLITE_OK)
      rc = bind_path (stmt, 2, new_path);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64 (stmt, 3, mtime_us);
    if (rc == SQLITE_OK)
      rc = step_done (stmt);
    if (rc != SQLITE_OK)
      return set_error (self, error, rc, "cannot move photo %" G_GINT64_FORMAT, id);
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

  if (!step_begin (self, error))
    return FALSE;
  ok = move_photo_steps (self, id, new_path, mtime_us, error);
  return step_end (self, ok, ok ? error : NULL);
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

  stmt = use_stmt (self, STMT_PHOTO_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot delete photo %" G_GINT64_FORMAT, id);
  return TRUE;
}

static gint64
count_rows (CsStore     *self,
            Stmt         id,
            gint64       bound,
            const char  *what,
            GError     **error)
{
  g_auto (StmtUse) stmt = use_stmt (self, id, error);
  int rc = SQLITE_OK;

  if (stmt == NULL)
    return -1;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    rc = sqlite3_bind_int64 (stmt, 1, bound);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "%s", what);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gint64
cs_store_count_photos (CsStore  *self,
                       GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  if (injected_failure (G_STRFUNC, error))
    return -1;

  return count_rows (self, STMT_PHOTO_COUNT, 0, "cannot count the photos", error);
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
  stmt = use_stmt (self, STMT_PHOTO_BLANK_SET, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_double (stmt, 2, stddev);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot store the blank statistic of photo %" G_GINT64_FORMAT, id);
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

  stmt = use_stmt (self, STMT_PHOTO_BLANK_GET, error);
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
      set_error (self, error, rc, "cannot read the blank statistic of photo %" G_GINT64_FORMAT, id);
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
      stmt = use_stmt (self, STMT_PHOTO_UNDER, error);
      if (stmt == NULL)
        return FALSE;
      rc = bind_path (stmt, 1, low);
      if (rc == SQLITE_OK)
        rc = bind_path (stmt, 2, high);
    }
  else
    {
      stmt = use_stmt (self, STMT_PHOTO_ALL, error);
      if (stmt == NULL)
        return FALSE;
    }

  path = g_string_new (NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        photo_peek_row (stmt, &photo, path);
        if (!func (&photo, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "cannot list the photos");
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

  stmt = use_stmt (self, STMT_PHOTO_MISSING_VECTOR, error);
  if (stmt == NULL)
    return NULL;
  return fetch_photos (self, stmt, sqlite3_bind_int64 (stmt, 1, model_row),
                       "cannot list the photos to embed", error);
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

  if (!model_dim (self, model_row, &expected_dim, error))
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

  stmt = use_stmt (self, STMT_VECTOR_PUT, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, photo_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, model_row);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64 (stmt, 3, blob, (sqlite3_uint64) dim * sizeof (float), SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot store the vector of photo %" G_GINT64_FORMAT,
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
  if (injected_failure (G_STRFUNC, error))
    return FALSE;

  stmt = use_stmt (self, STMT_VECTOR_HAS, error);
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
    set_error (self, error, rc, "cannot look up the vector of photo %" G_GINT64_FORMAT, photo_id);
  return FALSE;
}

/* The element count of a vector blob, or -1 (with an error) when its size
 * is not a whole number of floats. */
static int
blob_dim (sqlite3_stmt  *stmt,
          int            column,
          gint64         photo_id,
          GError       **error)
{
  int n_bytes = sqlite3_column_bytes (stmt, column);

  if (n_bytes <= 0 || n_bytes % sizeof (float) != 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                   "the vector of photo %" G_GINT64_FORMAT " is damaged (%d bytes)",
                   photo_id, n_bytes);
      return -1;
    }
  return n_bytes / (int) sizeof (float);
}

float *
cs_store_get_vector (CsStore   *self,
                     gint64     photo_id,
                     gint64     model_row,
                     int       *dim,
                     GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  const void *blob;
  float *vector;
  int n;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (dim != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (injected_failure (G_STRFUNC, error))
    return NULL;

  *dim = 0;
  stmt = use_stmt (self, STMT_VECTOR_GET, error);
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
      set_error (self, error, rc, "cannot read the vector of photo %" G_GINT64_FORMAT, photo_id);
      return NULL;
    }
  blob = sqlite3_column_blob (stmt, 0);
  n = blob_dim (stmt, 0, photo_id, error);
  if (n < 0)
    return NULL;
  if (!_cs_store_floats_finite (blob, n))
    return NULL;  /* an older version's NaN: as good as none (see skip_non_finite) */
  vector = g_new (float, n);
  vector_from_blob (blob, n, vector);
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
  if (injected_failure (G_STRFUNC, error))
    return 0;
  for (guint i = 0; i < n_texts; i++)
    {
      g_auto (StmtUse) stmt = use_stmt (self, STMT_TEXT_VECTOR_GET, error);
      const void *blob;
      int rc;

      if (stmt == NULL)
        return 0;
      rc = sqlite3_bind_int64 (stmt, 1, model_row);
      if (rc == SQLITE_OK)
        rc = bind_text (stmt, 2, texts[i]);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        {
          set_error (self, error, rc, "cannot read the vector of the text “%s”", texts[i]);
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

  stmt = use_stmt (self, STMT_TEXT_VECTOR_PUT, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = bind_text (stmt, 2, text);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64 (stmt, 3, blob, (sqlite3_uint64) dim * sizeof (float), SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot store the vector of the text “%s”", text);
  return TRUE;
}

gint64
cs_store_count_text_vectors (CsStore   *self,
                             gint64     model_row,
                             GError   **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return count_rows (self, STMT_TEXT_VECTOR_COUNT, model_row, "cannot count the text vectors", error);
}

gint64
cs_store_count_vectors (CsStore   *self,
                        gint64     model_row,
                        GError   **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  if (injected_failure (G_STRFUNC, error))
    return -1;

  return count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
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
  int scratch_dim = 0;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = use_stmt (self, STMT_VECTOR_ALL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 photo_id = sqlite3_column_int64 (stmt, 0);
        const void *blob = sqlite3_column_blob (stmt, 1);
        int n = blob_dim (stmt, 1, photo_id, error);

        if (n < 0)
          return FALSE;
        if (skip_non_finite (blob, n, photo_id))
          continue;
        if (n != scratch_dim)
          {
            g_free (scratch);
            scratch = g_new (float, n);
            scratch_dim = n;
          }
        vector_from_blob (blob, n, scratch);
        if (!func (photo_id, scratch, n, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "cannot read the vectors of model %" G_GINT64_FORMAT,
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

  if (!model_dim (self, model_row, &dim, error))
    return FALSE;
  count = count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
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

  stmt = use_stmt (self, STMT_VECTOR_ALL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 photo_id = sqlite3_column_int64 (stmt, 0);
        const void *blob = sqlite3_column_blob (stmt, 1);
        int n = blob_dim (stmt, 1, photo_id, error);

        if (n < 0)
          return FALSE;
        /* Both bounds hold inside the snapshot; a mismatch is damage. */
        if (n != dim || row >= (gsize) count)
          {
            g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                         "the vectors of model %" G_GINT64_FORMAT " are inconsistent",
                         model_row);
            return FALSE;
          }
        if (skip_non_finite (blob, n, photo_id))
          continue;
        ids[row] = photo_id;
        vector_from_blob (blob, n, matrix + row * (gsize) dim);
        row++;
      }
  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "cannot read the vectors of model %" G_GINT64_FORMAT,
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
  if (!step_begin (self, error))
    return FALSE;
  ok = load_vectors_snapshot (self, model_row, matrix, photo_ids, n_rows, dim, error);
  if (!step_end (self, ok, ok ? error : NULL))
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
cs_store_delete_non_finite_vectors (CsStore   *self,
                                    gint64     model_row,
                                    GError   **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = use_stmt (self, STMT_VECTOR_DELETE_NON_FINITE, error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_bind_int64 (stmt, 1, model_row);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    {
      set_error (self, error, rc, "cannot delete the non-finite vectors of model %" G_GINT64_FORMAT,
                 model_row);
      return -1;
    }
  return sqlite3_changes64 (self->db);
}

/* Public API: the indexing lock */

struct _CsStoreIndexLock {
  int fd;
};

CsStoreIndexLock *
cs_store_lock_indexing (CsStore  *self,
                        GError  **error)
{
  g_autofree char *lock_path = NULL;
  g_autofree char *shown = NULL;
  CsStoreIndexLock *lock;
  char pid_text[32];
  int fd, n;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lock_path = g_strconcat (self->path, ".index-lock", NULL);
  shown = display_path (lock_path);
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open the lock file %s: %s", shown, g_strerror (saved_errno));
      return NULL;
    }
  /* flock, not fcntl: it belongs to this open file, so an indexer in the
   * same process (the app's) and one in another conflict alike, and the
   * kernel drops it when the process dies, however it dies. */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      gint64 pid = 0;

      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EWOULDBLOCK)
        {
          /* the holder writes its pid right after taking the lock: read
           * between the two, the pid may be missing (or a previous one's) */
          n = pread (fd, pid_text, sizeof pid_text - 1, 0);
          pid_text[MAX (n, 0)] = '\0';
          pid = g_ascii_strtoll (pid_text, NULL, 10);
          if (pid > 0)
            g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED,
                         "another index run (pid %" G_GINT64_FORMAT ") is using this library",
                         pid);
          else
            g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED,
                                 "another index run is using this library");
        }
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "cannot lock %s: %s", shown, g_strerror (saved_errno));
      close (fd);
      return NULL;
    }

  n = g_snprintf (pid_text, sizeof pid_text, "%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid_text, n, 0) != n)
    g_debug ("%s: cannot write the pid: %s", shown, g_strerror (errno));
  lock = g_new0 (CsStoreIndexLock, 1);
  lock->fd = fd;
  return lock;
}

void
cs_store_index_lock_free (CsStoreIndexLock *lock)
{
  if (lock == NULL)
    return;
  /* the file stays: removing it would let a run that opened it just
   * before lock an unlinked file while the next one locks a new file */
  close (lock->fd);
  g_free (lock);
}

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

  stmt = use_stmt (self, STMT_FAILURE_RECORD, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = bind_text (stmt, 2, reason);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 3, size);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 4, mtime_us);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = display_path (path);

      return set_error (self, error, rc, "cannot record the failure of %s", shown);
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
  if (injected_failure (G_STRFUNC, error))
    return FALSE;

  stmt = use_stmt (self, STMT_FAILURE_LOOKUP, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    {
      g_autofree char *shown = display_path (path);

      return set_error (self, error, rc, "cannot look up the failure of %s", shown);
    }
  if (reason != NULL)
    *reason = column_dup_text (stmt, 0);
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

  stmt = use_stmt (self, STMT_FAILURE_CLEAR, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_path (stmt, 1, path);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    {
      g_autofree char *shown = display_path (path);

      return set_error (self, error, rc, "cannot clear the failure of %s", shown);
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
  if (injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = use_stmt (self, STMT_FAILURE_LIST, error);
  if (stmt == NULL)
    return NULL;
  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_failure_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CsStoreFailure *failure = g_new0 (CsStoreFailure, 1);

      failure->path = column_dup_bytes (stmt, 0);
      failure->reason = column_dup_text (stmt, 1);
      failure->size = sqlite3_column_int64 (stmt, 2);
      failure->mtime_us = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (failures, failure);
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, error, rc, "cannot list the failures");
      return NULL;
    }
  return g_steal_pointer (&failures);
}

/* Public API: settings */

char *
cs_store_get_setting (CsStore     *self,
                      const char  *key,
                      GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = use_stmt (self, STMT_SETTING_GET, error);
  if (stmt == NULL)
    return NULL;
  rc = bind_text (stmt, 1, key);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot read the setting %s", key);
      return NULL;
    }
  return column_dup_text (stmt, 0);
}

gboolean
cs_store_set_setting (CsStore     *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = use_stmt (self, value != NULL ? STMT_SETTING_SET : STMT_SETTING_UNSET, error);
  if (stmt == NULL)
    return FALSE;
  rc = bind_text (stmt, 1, key);
  if (rc == SQLITE_OK && value != NULL)
    rc = bind_text (stmt, 2, value);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot change the setting %s", key);
  return TRUE;
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
  int scratch_dim = 0;
  gint64 counter, count;
  int rc;

  counter = count_rows (self, STMT_CHANGE_COUNTER, 0, "cannot read the change counter", error);
  if (counter < 0)
    return FALSE;
  count = count_rows (self, STMT_VECTOR_COUNT, model_row, "cannot count the vectors", error);
  if (count < 0)
    return FALSE;

  g_auto (StmtUse) stmt = use_stmt (self, since > 0 ? STMT_INDEXED_SINCE : STMT_INDEXED_ALL, error);
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
        int n = blob_dim (stmt, 9, photo_id, error);

        if (n < 0)
          return FALSE;
        if (skip_non_finite (sqlite3_column_blob (stmt, 9), n, photo_id))
          continue;
        if (n != scratch_dim)
          {
            g_free (scratch);
            scratch = g_new (float, n);
            scratch_dim = n;
          }
        vector_from_blob (sqlite3_column_blob (stmt, 9), n, scratch);
        photo_peek_row (stmt, &photo, path);
        if (!func (&photo, scratch, n, user_data))
          {
            rc = SQLITE_DONE;
            break;
          }
      }
  if (rc != SQLITE_DONE)
    return set_error (self, error, rc, "cannot read the photos of model %" G_GINT64_FORMAT,
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
  if (!step_begin (self, error))
    return FALSE;
  ok = indexed_snapshot (self, model_row, since, func, user_data, change, n_vectors, error);
  return step_end (self, ok, ok ? error : NULL) && ok;
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

  stmt = use_stmt (self, STMT_VECTOR_IDS, error);
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
      set_error (self, error, rc, "cannot list the vectors of model %" G_GINT64_FORMAT, model_row);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

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
  g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_PROMPTS, error);
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
      set_error (self, error, rc, "cannot read the prompts of label %" G_GINT64_FORMAT, label_id);
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
    g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_LIST, error);

    if (stmt == NULL)
      return FALSE;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CsStoreLabel *label = g_new0 (CsStoreLabel, 1);

        label->id = sqlite3_column_int64 (stmt, 0);
        label->name = column_dup_text (stmt, 1);
        label->threshold = sqlite3_column_double (stmt, 2);
        g_ptr_array_add (labels, label);
      }
    if (rc != SQLITE_DONE)
      return set_error (self, error, rc, "cannot list the labels");
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
  if (!step_begin (self, error))
    return NULL;
  ok = list_labels_snapshot (self, labels, error);
  if (!step_end (self, ok, ok ? error : NULL) || !ok)
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
  g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_FIND, error);
  int rc;

  if (stmt == NULL)
    return -1;
  rc = bind_text (stmt, 1, name);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      set_error (self, error, rc, "cannot look up the label “%s”", name);
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
    g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_PROMPTS_CLEAR, error);

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_bind_int64 (stmt, 1, label_id);
    if (rc == SQLITE_OK)
      rc = step_done (stmt);
    if (rc != SQLITE_OK)
      return set_error (self, error, rc, "cannot change the prompts of label %" G_GINT64_FORMAT,
                        label_id);
  }
  for (int i = 0; prompts != NULL && prompts[i] != NULL; i++)
    {
      g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_PROMPT_ADD, error);

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
        rc = bind_text (stmt, 3, prompts[i]);
      if (rc == SQLITE_OK)
        rc = step_done (stmt);
      if (rc != SQLITE_OK)
        return set_error (self, error, rc, "cannot store a prompt of label %" G_GINT64_FORMAT,
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
    g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_ADD, error);

    if (stmt == NULL)
      return -1;
    rc = bind_text (stmt, 1, name);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_double (stmt, 2, threshold);
    if (rc == SQLITE_OK)
      rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        set_error (self, error, rc, "cannot add the label “%s”", name);
        return -1;
      }
    id = sqlite3_column_int64 (stmt, 0);
    /* finish the statement so that its write completes */
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE)
      {
        set_error (self, error, rc, "cannot add the label “%s”", name);
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

  if (!check_label_values (name, threshold, FALSE, error) || !step_begin (self, error))
    return -1;
  id = add_label_step (self, name, prompts, threshold, error);
  if (!step_end (self, id > 0, id > 0 ? error : NULL))
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
      g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_RENAME, error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_bind_int64 (stmt, 1, id);
      if (rc == SQLITE_OK)
        rc = bind_text (stmt, 2, name);
      if (rc == SQLITE_OK)
        rc = step_done (stmt);
      if (rc != SQLITE_OK)
        return set_error (self, error, rc, "cannot rename label %" G_GINT64_FORMAT, id);
    }
  {
    /* a threshold "change" to itself also tells whether the label exists */
    g_auto (StmtUse) stmt = use_stmt (self, STMT_LABEL_THRESHOLD, error);
    g_auto (StmtUse) get = NULL;

    if (stmt == NULL)
      return FALSE;
    if (threshold < 0.0)
      {
        g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_label_free);
        gboolean found = FALSE;

        stmt_release (stmt);
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
      rc = step_done (stmt);
    if (rc != SQLITE_OK)
      return set_error (self, error, rc, "cannot change label %" G_GINT64_FORMAT, id);
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

  if (!check_label_values (name, threshold, threshold < 0.0, error) || !step_begin (self, error))
    return FALSE;
  ok = update_label_step (self, id, name, prompts, threshold, error);
  return step_end (self, ok, ok ? error : NULL) && ok;
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

  stmt = use_stmt (self, STMT_LABEL_DELETE, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot delete label %" G_GINT64_FORMAT, id);
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

  stmt = use_stmt (self, verdict != 0 ? STMT_LABEL_VERDICT_SET : STMT_LABEL_VERDICT_CLEAR, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_bind_int64 (stmt, 1, label_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, photo_id);
  if (rc == SQLITE_OK && verdict != 0)
    rc = sqlite3_bind_int (stmt, 3, verdict);
  if (rc == SQLITE_OK)
    rc = step_done (stmt);
  if (rc != SQLITE_OK)
    return set_error (self, error, rc, "cannot record the verdict on photo %" G_GINT64_FORMAT
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

  stmt = use_stmt (self, STMT_LABEL_VERDICTS, error);
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
      set_error (self, error, rc, "cannot list the verdicts for label %" G_GINT64_FORMAT, label_id);
      return NULL;
    }
  return g_steal_pointer (&verdicts);
}
