/* cs-store-private.h - what cs-store.c and cs-store-schema.c share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only for files in src/store/: it exposes the SQLite handle type.
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

G_END_DECLS
