/* cs-store-private.h - what the files of src/store/ share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only for files in src/store/: it exposes the SQLite types and the
 * instance struct.  cs-store.c is the object (opening, transactions,
 * the index lock, settings); cs-store-sqlite.c the statements, their
 * cache and errors; cs-store-schema.c the schema and its migrations;
 * cs-store-{folders,models,photos,vectors,failures,labels}.c one concern
 * of the public API each.
 */
#pragma once

#include <sqlite3.h>

#include "cs-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of a Clipsight database: the bytes "ClpS". */
#define CS_STORE_APPLICATION_ID 1131180115

/* The CsStoreError matching an SQLite result code. */
CsStoreError _cs_store_error_code   (int         rc);

/* Sets `error` to CS_STORE_ERROR with the code matching `rc` and the
 * message "<format>: <SQLite's message for db>". */
void     _cs_store_set_sqlite_error (GError    **error,
                                     sqlite3    *db,
                                     int         rc,
                                     const char *format,
                                     ...) G_GNUC_PRINTF (4, 5);

/* Runs a constant one-row, one-column query (a PRAGMA) and stores its
 * integer in *value.  For open and migrations, not for hot paths. */
gboolean _cs_store_query_int        (sqlite3    *db,
                                     const char *sql,
                                     gint64     *value,
                                     GError    **error);

/* Refuses, before anything is written to it, a database from a newer
 * Clipsight (CS_STORE_ERROR_SCHEMA) or another program's SQLite file
 * (CS_STORE_ERROR_FOREIGN: another application_id, or tables without a
 * schema version). */
gboolean _cs_store_schema_check     (sqlite3    *db,
                                     GError    **error);

/* Brings the schema of `db` to cs_store_schema_version_latest(), one
 * transaction per step, re-reading the version inside each transaction so
 * that two processes opening a new file at once migrate it once.  Errors
 * as cs_store_open(). */
gboolean _cs_store_schema_migrate   (sqlite3    *db,
                                     GError    **error);

/* Registers the SQL functions the schema and the statements use
 * (cs_vector_finite(blob)) on a new connection. */
gboolean _cs_store_register_functions (sqlite3  *db,
                                       GError  **error);

/* Whether the `n` little-endian float32 values at `blob` (any alignment)
 * are all finite: no NaN, no infinity. */
gboolean _cs_store_floats_finite    (const void *blob,
                                     gsize       n);

/* Every statement the store runs more than once, prepared on first use and
 * kept for the connection's life.  Values are always bound: no SQL is ever
 * formatted.  Their SQL is in cs-store-sqlite.c. */
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
  STMT_VECTOR_DELETE_UNUSABLE,
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

/* The instance; only the files of the store see its fields. */
struct _CsStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
  gboolean      read_only;   /* opened read-only: its folder or file cannot be written */
};

/* A cached statement in use: g_auto(StmtUse) resets it and clears its
 * bindings (so no bound pointer outlives the call) when it goes out of
 * scope.  It never finalizes: the store owns the statement. */
typedef sqlite3_stmt *StmtUse;

void          _cs_store_stmt_release      (sqlite3_stmt *stmt);

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (StmtUse, _cs_store_stmt_release, NULL)

/* Statements (cs-store-sqlite.c).  _cs_store_use_stmt() returns the
 * cached statement `id`, prepared on first use, or NULL with an error
 * (also when it is already running: a foreach callback calling its own
 * foreach).  The binders bind with SQLITE_STATIC: the caller's string must
 * outlive the StmtUse, which clears the bindings.  Paths are bound as
 * BLOBs of their bytes.  The column readers return a copy (g_free it). */
sqlite3_stmt *_cs_store_use_stmt          (CsStore      *self,
                                           Stmt          id,
                                           GError      **error);
int           _cs_store_bind_path         (sqlite3_stmt *stmt,
                                           int           index,
                                           const char   *path);
int           _cs_store_bind_text         (sqlite3_stmt *stmt,
                                           int           index,
                                           const char   *text);
char         *_cs_store_column_dup_bytes  (sqlite3_stmt *stmt,
                                           int           column);
char         *_cs_store_column_dup_text   (sqlite3_stmt *stmt,
                                           int           column);
/* Steps a statement that changes rows: SQLITE_OK when done, else the
 * error code. */
int           _cs_store_step_done         (sqlite3_stmt *stmt);
/* Binds `bound` to ?1 when the statement has a parameter and returns the
 * integer in the first column of its one row (a count, the change
 * counter); -1 with the error "<what>: <reason>" on failure. */
gint64        _cs_store_count_rows        (CsStore      *self,
                                           Stmt          id,
                                           gint64        bound,
                                           const char   *what,
                                           GError      **error);

/* Errors (cs-store-sqlite.c).  _cs_store_set_error() sets "<format>:
 * <SQLite's reason>" from the store's connection and returns FALSE, for
 * `return _cs_store_set_error (...)`.  _cs_store_display_path() returns a
 * path as UTF-8 for a message (g_free it). */
gboolean      _cs_store_set_error         (CsStore      *self,
                                           GError      **error,
                                           int           rc,
                                           const char   *format,
                                           ...) G_GNUC_PRINTF (4, 5);
char         *_cs_store_display_path      (const char   *path);

/* TRUE, with CS_STORE_ERROR_BUSY set, when a test made `function` (the
 * caller's G_STRFUNC) fail with cs_store_inject_failure_for_testing().
 * Cheap when no test did: one atomic read. */
gboolean      _cs_store_injected_failure  (const char   *function,
                                           GError      **error);

/* A savepoint around a multi-statement change or a consistent read, atomic
 * both alone and inside a caller's transaction (cs-store.c).  End it with
 * `ok`: TRUE keeps the change, FALSE undoes it (and returns FALSE), leaving
 * the caller's transaction open.  The usual shape:
 *
 *   if (!_cs_store_savepoint_begin (self, error))
 *     return FALSE;
 *   ok = do_the_steps (self, ..., error);
 *   return _cs_store_savepoint_end (self, ok, ok ? error : NULL) && ok; */
gboolean      _cs_store_savepoint_begin   (CsStore      *self,
                                           GError      **error);
gboolean      _cs_store_savepoint_end     (CsStore      *self,
                                           gboolean      ok,
                                           GError      **error);

/* The dimension of model row `model_row`; CS_STORE_ERROR_INVALID when
 * there is no such row (cs-store-models.c). */
gboolean      _cs_store_model_dim         (CsStore      *self,
                                           gint64        model_row,
                                           int          *dim,
                                           GError      **error);

/* Fills `photo` with the current row of a statement that selects
 * PHOTO_COLUMNS first, borrowing its strings (the path from `path`): valid
 * until the next step (cs-store-photos.c). */
void          _cs_store_photo_peek_row    (sqlite3_stmt *stmt,
                                           CsStorePhoto *photo,
                                           GString      *path);

G_END_DECLS
