/* cs-store.c - the SQLite store.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <sqlite3.h>

#include "cs-store.h"

G_DEFINE_QUARK (cs-store-error-quark, cs_store_error)

const char *
cs_store_sqlite_version (void)
{
  return sqlite3_libversion ();
}
