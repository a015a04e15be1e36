/* store-test-fixture.c - the fixture and helpers of the store's tests.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store-test-fixture.h"

void
setup_dir (StoreFixture  *fixture,
           gconstpointer  data)
{
  fixture->dir = g_build_filename (g_get_user_cache_dir (), "store-test", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->path = g_build_filename (fixture->dir, "library.db", NULL);
}

void
setup_store (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  setup_dir (fixture, data);
  fixture->store = cs_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

void
teardown (StoreFixture  *fixture,
          gconstpointer  data)
{
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}


CsStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  CsStore *store = cs_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

gint64
ensure_model (CsStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 row = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);

  g_assert_no_error (error);
  g_assert_cmpint (row, >, 0);
  return row;
}

gint64
add_photo (CsStore    *store,
           const char *path,
           const char *hash)
{
  g_autoptr(GError) error = NULL;
  CsStorePhoto photo = {
    .path = (char *) path, .size = 1234, .mtime_us = 1700000000123456,
    .hash = (char *) hash, .width = 640, .height = 480, .taken_unix = 1600000000,
    .state = CS_STORE_PHOTO_STATE_NEW,
  };
  gint64 id = cs_store_upsert_photo (store, &photo, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* A deterministic vector for (a, b, c). */
void
fill_vector (float  *v,
             guint32 a,
             guint32 b,
             guint32 c)
{
  guint32 x = a * 2654435761u ^ b * 40503u ^ c * 2246822519u ^ 0x9e3779b9u;

  for (int i = 0; i < DIM; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      v[i] = (float) ((double) x / G_MAXUINT32 - 0.5);
    }
}

void
put_vector (CsStore *store,
            gint64   photo_id,
            gint64   model_row,
            guint32  seed)
{
  g_autoptr(GError) error = NULL;
  float v[DIM];

  fill_vector (v, seed, 0, 0);
  g_assert_true (cs_store_put_vector (store, photo_id, model_row, v, DIM, &error));
  g_assert_no_error (error);
}

void
assert_integrity (CsStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_store_check_integrity (store, &error));
  g_assert_no_error (error);
}

/* Rewrites a 4-byte big-endian field of the database header (SQLite's
 * file format: user_version at 60, application_id at 68).  The store must
 * be closed, so the WAL has been checkpointed into the file. */
void
patch_header (const char *path,
              goffset     offset,
              guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);
  int fd = g_open (path, O_RDWR, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, &be, sizeof be, offset), ==, sizeof be);
  g_assert_no_errno (close (fd));
}
