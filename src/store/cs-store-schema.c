/* cs-store-schema.c - the schema and its ordered migrations.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include "cs-store-private.h"

#define FOREIGN_TABLES_MESSAGE "not a Clipsight database (it has tables but no Clipsight schema)"

/* migrations[i] takes a database from user_version i to i + 1 and ends by
 * setting that version, so the version and the tables change in the same
 * transaction.  Never edit a step that has shipped: append a new one.
 *
 * Paths are BLOBs (file names are bytes, not text; BLOBs compare with
 * memcmp, which the prefix ranges of cs_store_foreach_photo rely on), and a
 * CHECK keeps a TEXT path from slipping in, since 'a' and x'61' are
 * different keys to SQLite. */
static const char * const migrations[] = {
  /* 0 → 1: the first schema, with room for labels and settings. */
  "CREATE TABLE folders ("
  "  path BLOB PRIMARY KEY CHECK (typeof (path) = 'blob'),"
  "  excluded INTEGER NOT NULL CHECK (excluded IN (0, 1))"
  ") WITHOUT ROWID;"

  /* AUTOINCREMENT: ids are never reused, so an id held in memory (the
   * search matrix, the grid) can never come to mean another row. */
  "CREATE TABLE models ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  model_id TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  dim INTEGER NOT NULL CHECK (dim > 0),"
  "  dtype TEXT NOT NULL"
  ");"

  "CREATE TABLE photos ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  path BLOB NOT NULL UNIQUE CHECK (typeof (path) = 'blob'),"
  "  size INTEGER NOT NULL,"
  "  mtime_us INTEGER NOT NULL,"
  "  hash TEXT,"
  "  width INTEGER NOT NULL DEFAULT 0,"
  "  height INTEGER NOT NULL DEFAULT 0,"
  "  taken_unix INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX photos_by_hash ON photos (hash, size);"

  /* A rowid table, not WITHOUT ROWID: a 512-d vector is 2 KiB, too big a
   * row for a clustered key.  The unique index serves lookups and the
   * cascade from photos, the second one the per-model scans. */
  "CREATE TABLE vectors ("
  "  id INTEGER PRIMARY KEY,"
  "  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,"
  "  model INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  vector BLOB NOT NULL,"
  "  UNIQUE (photo_id, model)"
  ");"
  "CREATE INDEX vectors_by_model ON vectors (model, photo_id);"

  /* Vectors describe content: new content (another hash) makes them
   * stale, whoever updates the row. */
  "CREATE TRIGGER photos_hash_changed AFTER UPDATE OF hash ON photos"
  "  WHEN old.hash IS NOT new.hash "
  "BEGIN"
  "  DELETE FROM vectors WHERE photo_id = new.id;"
  "END;"

  "CREATE TABLE failures ("
  "  path BLOB PRIMARY KEY CHECK (typeof (path) = 'blob'),"
  "  reason TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  mtime_us INTEGER NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE labels ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  name TEXT NOT NULL UNIQUE,"
  "  threshold REAL NOT NULL CHECK (threshold >= 0.0 AND threshold <= 1.0)"
  ");"
  "CREATE TABLE label_prompts ("
  "  label_id INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  prompt TEXT NOT NULL,"
  "  PRIMARY KEY (label_id, position)"
  ") WITHOUT ROWID;"
  /* verdict: 1 the user confirmed the photo has the label, -1 rejected. */
  "CREATE TABLE label_feedback ("
  "  label_id INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,"
  "  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,"
  "  verdict INTEGER NOT NULL CHECK (verdict IN (-1, 1)),"
  "  PRIMARY KEY (label_id, photo_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX label_feedback_by_photo ON label_feedback (photo_id);"

  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "PRAGMA application_id = " G_STRINGIFY (CS_STORE_APPLICATION_ID) ";"
  "PRAGMA user_version = 1;",

  /* 1 → 2: change tracking, so that the search index in RAM can follow the
   * indexer by reading only what changed (cs_store_foreach_indexed_photo).
   * Every change to a vector, or to the photo row it describes, stamps the
   * vector with the next value of one counter; deletions are found by
   * counting.  Triggers rather than code in the writers, so no writer can
   * forget, whichever process it runs in. */
  "CREATE TABLE change_counter ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  seq INTEGER NOT NULL"
  ");"
  "INSERT INTO change_counter (id, seq) VALUES (1, 1);"
  "ALTER TABLE vectors ADD COLUMN seq INTEGER NOT NULL DEFAULT 1;"
  "CREATE INDEX vectors_by_seq ON vectors (model, seq);"

  "CREATE TRIGGER vectors_stamp_insert AFTER INSERT ON vectors "
  "BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1) WHERE id = new.id;"
  "END;"
  "CREATE TRIGGER vectors_stamp_update AFTER UPDATE OF vector ON vectors "
  "BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1) WHERE id = new.id;"
  "END;"
  "CREATE TRIGGER photos_stamp_update"
  "  AFTER UPDATE OF path, size, mtime_us, hash, width, height, taken_unix ON photos"
  "  WHEN old.path IS NOT new.path OR old.size IS NOT new.size"
  "    OR old.mtime_us IS NOT new.mtime_us OR old.hash IS NOT new.hash"
  "    OR old.width IS NOT new.width OR old.height IS NOT new.height"
  "    OR old.taken_unix IS NOT new.taken_unix "
  "BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1)"
  "    WHERE photo_id = new.id;"
  "END;"
  "PRAGMA user_version = 2;",

  /* 2 → 3: the blank statistic of each photo (cs_store_set_photo_blank_
   * stddev), computed by the indexer from its decode so that the duplicate
   * search does not decode every candidate again.  NULL: not known yet
   * (rows indexed before this step get it once, lazily). */
  "ALTER TABLE photos ADD COLUMN blank_stddev REAL;"
  "CREATE TRIGGER photos_hash_changed_blank AFTER UPDATE OF hash ON photos"
  "  WHEN old.hash IS NOT new.hash "
  "BEGIN"
  "  UPDATE photos SET blank_stddev = NULL WHERE id = new.id;"
  "END;"
  "PRAGMA user_version = 3;",

  /* 3 → 4: versions before the store refused them could write a NaN or
   * an infinity into a vector (a broken model, a bad decode): such a
   * vector poisons every search score and duplicate scan that reads it.
   * Deleting it makes its photo "missing a vector", so the next index run
   * embeds it again (and records it failed if the model still gives a
   * non-finite embedding).  cs_vector_finite() is registered on every
   * connection (_cs_store_register_functions).  The blank statistics go
   * too: they are now computed on a fixed small grid whatever the decode
   * size (cs_duplicates_blank_stddev), so older values are on another
   * scale; the duplicate search fills them in again, once. */
  "DELETE FROM vectors WHERE NOT cs_vector_finite (vector);"
  "UPDATE photos SET blank_stddev = NULL WHERE blank_stddev IS NOT NULL;"
  "PRAGMA user_version = 4;",

  /* 4 → 5: the text encoder's vector of each label prompt, per model
   * (cs_store_get_text_vectors): without them every command that loads
   * the labels encodes all their prompts again (25,000 texts for 10,000
   * labels, a minute with a ViT-B/32 text tower).  Keyed by the expanded
   * text, so a changed prompt or name misses and is encoded afresh; a
   * model's vectors go with it (ON DELETE CASCADE).  IF NOT EXISTS: a
   * cache, the same whoever made it, so a database whose version was
   * set back (as the tests of the older steps do) migrates again. */
  "CREATE TABLE IF NOT EXISTS text_vectors ("
  "  model INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  text TEXT NOT NULL,"
  "  vector BLOB NOT NULL,"
  "  PRIMARY KEY (model, text)"
  ");"
  "PRAGMA user_version = 5;",

  /* 5 → 6: where taken_unix came from (CsStoreTakenSource): the capture
   * date the photo carries (EXIF DateTimeOriginal and its fallbacks), or
   * the file's modification time, which the indexer stores when there is
   * none and which says nothing of when the photo was taken (a download,
   * a screenshot, a copy).  Until now readers had to guess by comparing
   * with the file time and reading the file again.  Rows from before are
   * 0, unknown: nothing here can tell (a touched file's date is its old
   * mtime, no longer equal to its current one), so the readers keep the
   * old guess for them until the indexer learns it.  The app shows it
   * (a file date is not labelled as the date taken), so a change of it
   * alone (0 to 1 or 2, same date) must reach the in-memory index too:
   * photos_stamp_update is made again with the column.
   * The column itself is added by column_additions, before this. */
  "DROP TRIGGER photos_stamp_update;"
  "CREATE TRIGGER photos_stamp_update"
  "  AFTER UPDATE OF path, size, mtime_us, hash, width, height, taken_unix, taken_source ON photos"
  "  WHEN old.path IS NOT new.path OR old.size IS NOT new.size"
  "    OR old.mtime_us IS NOT new.mtime_us OR old.hash IS NOT new.hash"
  "    OR old.width IS NOT new.width OR old.height IS NOT new.height"
  "    OR old.taken_unix IS NOT new.taken_unix OR old.taken_source IS NOT new.taken_source "
  "BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1)"
  "    WHERE photo_id = new.id;"
  "END;"
  "PRAGMA user_version = 6;",
};

/* Columns a step adds, added before its SQL only when missing: SQLite has
 * no ADD COLUMN IF NOT EXISTS, and a database whose version was set back
 * (as the tests of the older steps do) must migrate again, as the IF NOT
 * EXISTS of step 5 allows for its table.  `step` is the index in
 * migrations[]. */
static const struct {
  int         step;
  const char *table;
  const char *column;
  const char *sql;
} column_additions[] = {
  { 5, "photos", "taken_source",
    "ALTER TABLE photos ADD COLUMN taken_source INTEGER NOT NULL DEFAULT 0"
    "  CHECK (taken_source IN (0, 1, 2))" },
};

static gboolean exec_sql (sqlite3     *db,
                          const char  *sql,
                          const char  *what,
                          GError     **error);

static gboolean
add_columns (sqlite3     *db,
             gint64       step,
             const char  *what,
             GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (column_additions); i++)
    {
      g_autofree char *query = NULL;
      gint64 n = 0;

      if (column_additions[i].step != step)
        continue;
      /* constants of this file: no quoting needed */
      query = g_strdup_printf ("SELECT count(*) FROM pragma_table_info ('%s') WHERE name = '%s'",
                               column_additions[i].table, column_additions[i].column);
      if (!_cs_store_query_int (db, query, &n, error))
        return FALSE;
      if (n == 0 && !exec_sql (db, column_additions[i].sql, what, error))
        return FALSE;
    }
  return TRUE;
}

/* cs_vector_finite(blob): 1 when every float32 of the vector is finite,
 * 0 when one is a NaN or an infinity (1 when the value is no blob of a
 * whole number of floats: damage, which cs_store_delete_unusable_vectors
 * tests for by its length).  Non-finiteness
 * (all exponent bits set) does not depend on the byte order of the
 * mantissa, but the bits are read as little-endian, as stored. */
static void
vector_finite_func (sqlite3_context  *context,
                    int               argc,
                    sqlite3_value   **argv)
{
  const guint8 *bytes = sqlite3_value_blob (argv[0]);
  int n_bytes = sqlite3_value_bytes (argv[0]);

  if (sqlite3_value_type (argv[0]) != SQLITE_BLOB || n_bytes % 4 != 0)
    {
      sqlite3_result_int (context, 1);
      return;
    }
  sqlite3_result_int (context, _cs_store_floats_finite (bytes, n_bytes / 4));
}

gboolean
_cs_store_floats_finite (const void *blob,
                         gsize       n)
{
  const guint8 *bytes = blob;

  for (gsize i = 0; i < n; i++)
    {
      guint32 bits = (guint32) bytes[4 * i] | (guint32) bytes[4 * i + 1] << 8
                     | (guint32) bytes[4 * i + 2] << 16 | (guint32) bytes[4 * i + 3] << 24;

      if ((bits & 0x7f800000u) == 0x7f800000u)
        return FALSE;
    }
  return TRUE;
}

gboolean
_cs_store_register_functions (sqlite3  *db,
                              GError  **error)
{
  int rc = sqlite3_create_function_v2 (db, "cs_vector_finite", 1,
                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                       NULL, vector_finite_func, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot set up the database");
      return FALSE;
    }
  return TRUE;
}

int
cs_store_schema_version_latest (void)
{
  return G_N_ELEMENTS (migrations);
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  char *message = NULL;
  int rc;

  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      /* sqlite3_exec's own message is the precise one; errmsg may have
       * been reset by the statement's finalisation. */
      g_set_error (error, CS_STORE_ERROR, _cs_store_error_code (rc), "%s: %s", what, message ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
check_version (gint64   version,
               GError **error)
{
  if (version > cs_store_schema_version_latest ())
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SCHEMA,
                   "database was written by a newer Clipsight (schema %" G_GINT64_FORMAT
                   ", this version knows up to %d)",
                   version, cs_store_schema_version_latest ());
      return FALSE;
    }
  if (version < 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN,
                   "not a Clipsight database (schema version %" G_GINT64_FORMAT ")",
                   version);
      return FALSE;
    }
  return TRUE;
}

/* A version-0 file with tables in it was made by someone else; filling it
 * with ours would mix two programs' data. */
static gboolean
check_empty (sqlite3  *db,
             GError  **error)
{
  gint64 n_objects = 0;

  if (!_cs_store_query_int (db, "SELECT count(*) FROM sqlite_master", &n_objects, error))
    return FALSE;
  if (n_objects > 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN, FOREIGN_TABLES_MESSAGE);
      return FALSE;
    }
  return TRUE;
}

/* Runs one step, or none when another connection got there first. */
static gboolean
migrate_once (sqlite3   *db,
              gboolean  *done,
              GError   **error)
{
  gint64 version = 0;
  G_GNUC_UNUSED gint64 from;

  *done = FALSE;
  if (!exec_sql (db, "BEGIN IMMEDIATE", "cannot start migrating the database", error))
    return FALSE;

  if (!_cs_store_query_int (db, "PRAGMA user_version", &version, error) ||
      !check_version (version, error))
    goto fail;
  if (version == cs_store_schema_version_latest ())
    {
      /* Another connection migrated while we waited for the lock. */
      *done = TRUE;
      rollback (db);
      return TRUE;
    }

  if (version == 0 && !check_empty (db, error))
    goto fail;

  g_debug ("migrating the database from schema %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
           version, version + 1);
  {
    g_autofree char *what = g_strdup_printf ("cannot migrate the database to schema %"
                                             G_GINT64_FORMAT, version + 1);

    if (!add_columns (db, version, what, error) ||
        !exec_sql (db, migrations[version], what, error))
      goto fail;
  }

  /* Every step must end by setting its own version. */
  from = version;
  if (!_cs_store_query_int (db, "PRAGMA user_version", &version, error))
    goto fail;
  g_assert (version == from + 1);

  if (!exec_sql (db, "COMMIT", "cannot finish migrating the database", error))
    goto fail;
  *done = version == cs_store_schema_version_latest ();
  return TRUE;

fail:
  rollback (db);
  return FALSE;
}

gboolean
_cs_store_schema_check (sqlite3  *db,
                        GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 application_id, version, n_objects;
  int rc;

  /* One statement, so one snapshot: read one by one, another process's
   * first migration could commit in between and its tables would look
   * like someone else's. */
  rc = sqlite3_prepare_v2 (db,
                           "SELECT (SELECT application_id FROM pragma_application_id), "
                           "(SELECT user_version FROM pragma_user_version), "
                           "(SELECT count(*) FROM sqlite_master)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot read the database");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  application_id = sqlite3_column_int64 (stmt, 0);
  version = sqlite3_column_int64 (stmt, 1);
  n_objects = sqlite3_column_int64 (stmt, 2);
  sqlite3_finalize (stmt);

  if (application_id != 0 && application_id != CS_STORE_APPLICATION_ID)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN,
                   "not a Clipsight database (application id %#" G_GINT64_MODIFIER "x)",
                   application_id);
      return FALSE;
    }
  if (!check_version (version, error))
    return FALSE;
  if (version == 0 && n_objects > 0)
    {
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN, FOREIGN_TABLES_MESSAGE);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cs_store_schema_migrate (sqlite3  *db,
                          GError  **error)
{
  gint64 version = 0;
  gboolean done = FALSE;

  /* The common case, an up-to-date file, takes no write lock: opening the
   * library must not wait for an indexer that is writing. */
  if (!_cs_store_query_int (db, "PRAGMA user_version", &version, error) ||
      !check_version (version, error))
    return FALSE;
  if (version == cs_store_schema_version_latest ())
    return TRUE;

  while (!done)
    if (!migrate_once (db, &done, error))
      return FALSE;
  return TRUE;
}
