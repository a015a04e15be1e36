/* cs-store.h - the SQLite store of photos, vectors and labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the error domain exists so far; the schema and its API come with the
 * photo-library work.  No sqlite3_ name leaves this folder.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_STORE_ERROR (cs_store_error_quark ())
GQuark cs_store_error_quark (void);

typedef enum {
  CS_STORE_ERROR_SQLITE,   /* SQLite reported an error */
  CS_STORE_ERROR_SCHEMA,   /* the database was written by a newer Clipsight */
} CsStoreError;

/* The SQLite library version in use, e.g. "3.40.1". Static string. */
const char *cs_store_sqlite_version (void);

G_END_DECLS
