/* test-store.c - the SQLite store: schema, rows, transactions, crashes and
 * concurrent writers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cs-store.h"
#include "test-util.h"

#define DIM 512

typedef struct {
  char    *dir;
  char    *path;
  CsStore *store;
} StoreFixture;

static void
setup_dir (StoreFixture  *fixture,
           gconstpointer  data)
{
  fixture->dir = g_build_filename (g_get_user_cache_dir (), "store-test", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->path = g_build_filename (fixture->dir, "library.db", NULL);
}

static void
setup_store (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  setup_dir (fixture, data);
  fixture->store = cs_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
teardown (StoreFixture  *fixture,
          gconstpointer  data)
{
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Helpers */

static CsStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  CsStore *store = cs_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
ensure_model (CsStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 row = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);

  g_assert_no_error (error);
  g_assert_cmpint (row, >, 0);
  return row;
}

static gint64
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
static void
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

static void
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

static void
assert_integrity (CsStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_store_check_integrity (store, &error));
  g_assert_no_error (error);
}

/* Rewrites a 4-byte big-endian field of the database header (SQLite's
 * file format: user_version at 60, application_id at 68).  The store must
 * be closed, so the WAL has been checkpointed into the file. */
static void
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

/* Tests: opening and schema */

static void
test_default_path (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "clipsight",
                                                "library.db", NULL);

  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  store = cs_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_true (cs_store_add_folder (store, "/home/me/Pictures", FALSE, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Reopened: the data is still there. */
  store = cs_store_open (NULL, &error);
  g_assert_no_error (error);
  folders = cs_store_list_folders (store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpstr (folders->pdata[0], ==, "/home/me/Pictures");
}

static void
test_schema_fresh (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = NULL;
  int version;

  g_assert_cmpint (cs_store_schema_version_latest (), >=, 1);
  version = cs_store_get_schema_version (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, cs_store_schema_version_latest ());

  mode = cs_store_dup_journal_mode (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mode, ==, "wal");

  assert_integrity (fixture->store);

  /* Reopening an up-to-date file changes nothing. */
  g_clear_object (&fixture->store);
  fixture->store = open_store (fixture->path);
  version = cs_store_get_schema_version (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, cs_store_schema_version_latest ());
  g_test_message ("SQLite %s, schema %d", cs_store_sqlite_version (), version);
}

static void
test_schema_future (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;

  g_clear_object (&fixture->store);
  patch_header (fixture->path, 60, cs_store_schema_version_latest () + 1);

  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SCHEMA);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "database was written by a newer Clipsight"));
  g_test_message ("refused: %s", error->message);
}

static void
test_not_ours (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autofree char *garbage = g_build_filename (fixture->dir, "garbage.db", NULL);
  char bytes[4096];

  /* Another program's SQLite file. */
  g_clear_object (&fixture->store);
  patch_header (fixture->path, 68, 0x12345678);
  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN);
  g_assert_null (store);
  g_clear_error (&error);

  /* Tables but no Clipsight schema version. */
  patch_header (fixture->path, 68, 0);
  patch_header (fixture->path, 60, 0);
  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN);
  g_assert_null (store);
  g_clear_error (&error);

  /* An empty file is a new database. */
  g_assert_true (g_file_set_contents (garbage, "", 0, NULL));
  store = open_store (garbage);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_no_errno (g_unlink (garbage));
  {
    g_autofree char *wal = g_strconcat (garbage, "-wal", NULL);
    g_autofree char *shm = g_strconcat (garbage, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }

  /* Not a database at all. */
  memset (bytes, 'x', sizeof bytes);
  g_assert_true (g_file_set_contents (garbage, bytes, sizeof bytes, NULL));
  store = cs_store_open (garbage, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_test_message ("refused: %s", error->message);
}

/* Tests: photos */

static void
assert_photo_equal (const CsStorePhoto *a,
                    const CsStorePhoto *b)
{
  g_assert_cmpmem (a->path, strlen (a->path), b->path, strlen (b->path));
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->mtime_us, ==, b->mtime_us);
  g_assert_cmpstr (a->hash, ==, b->hash);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->taken_unix, ==, b->taken_unix);
  g_assert_cmpint (a->state, ==, b->state);
}

static void
test_photo_round_trip (StoreFixture  *fixture,
                       gconstpointer  data)
{
  static const char * const paths[] = {
    "/photos/plain.jpg",
    "/photos/\xff\xfe caf\xe9 latin-1.jpg",   /* not UTF-8 */
    "/photos/100% done_1.jpg",                /* LIKE wildcards */
    "/photos/new\nline.jpg",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      CsStorePhoto photo = {
        .path = (char *) paths[i], .size = 1000 + i, .mtime_us = G_GINT64_CONSTANT (1700000000000001) + i,
        .hash = (char *) "0123456789abcdef", .width = 4000 + i, .height = 3000,
        .taken_unix = -86400 * 365,  /* before the epoch: an old scan */
        .state = CS_STORE_PHOTO_STATE_INDEXED,
      };
      g_autoptr(CsStorePhoto) found = NULL;
      g_autoptr(CsStorePhoto) by_id = NULL;
      gint64 id = cs_store_upsert_photo (fixture->store, &photo, &error);

      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
      found = cs_store_lookup_photo (fixture->store, paths[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      g_assert_cmpint (found->id, ==, id);
      assert_photo_equal (found, &photo);
      by_id = cs_store_dup_photo (fixture->store, id, &error);
      g_assert_no_error (error);
      assert_photo_equal (by_id, &photo);
    }
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, G_N_ELEMENTS (paths));

  /* A prefix of a stored path, and the same bytes re-encoded, are not it. */
  g_assert_null (cs_store_lookup_photo (fixture->store, "/photos/plain", &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_lookup_photo (fixture->store, "/photos/\xc3\xbf\xc3\xbe caf\xc3\xa9 latin-1.jpg",
                                        &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_dup_photo (fixture->store, 999999, &error));
  g_assert_no_error (error);
}

static void
test_photo_unique (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStorePhoto) found = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 first = add_photo (fixture->store, "/p/a.jpg", "aaaa");
  CsStorePhoto changed = {
    .path = (char *) "/p/a.jpg", .size = 99, .mtime_us = 5, .hash = (char *) "aaaa",
    .width = 1, .height = 2, .taken_unix = 3, .state = CS_STORE_PHOTO_STATE_INDEXED,
  };
  gint64 second;

  put_vector (fixture->store, first, model, 1);
  second = cs_store_upsert_photo (fixture->store, &changed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, ==, first);
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  found = cs_store_lookup_photo (fixture->store, "/p/a.jpg", &error);
  assert_photo_equal (found, &changed);
  /* Same content hash: the vector stays. */
  g_assert_true (cs_store_has_vector (fixture->store, first, model, &error));

  /* New content: the vector describes what is gone, so it goes. */
  changed.hash = (char *) "bbbb";
  g_assert_cmpint (cs_store_upsert_photo (fixture->store, &changed, &error), ==, first);
  g_assert_no_error (error);
  g_assert_false (cs_store_has_vector (fixture->store, first, model, &error));
  g_assert_no_error (error);
}

static void
test_photo_hash (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) none = NULL;

  add_photo (fixture->store, "/p/one.jpg", "cafe");
  add_photo (fixture->store, "/p/two.jpg", "cafe");
  add_photo (fixture->store, "/p/three.jpg", "beef");
  add_photo (fixture->store, "/p/nohash.jpg", NULL);

  found = cs_store_find_photos_by_hash (fixture->store, "cafe", 1234, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpstr (((CsStorePhoto *) found->pdata[0])->path, ==, "/p/one.jpg");
  g_assert_cmpstr (((CsStorePhoto *) found->pdata[1])->path, ==, "/p/two.jpg");
  none = cs_store_find_photos_by_hash (fixture->store, "cafe", 1235, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_photo_move (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStorePhoto) moved = NULL;
  g_autoptr(CsStorePhoto) gone = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 id = add_photo (fixture->store, "/old/a.jpg", "aaaa");
  gint64 other = add_photo (fixture->store, "/new/b.jpg", "bbbb");
  float v[DIM];
  g_autofree float *back = NULL;
  int dim = 0;

  fill_vector (v, 7, 0, 0);
  g_assert_true (cs_store_put_vector (fixture->store, id, model, v, DIM, &error));
  put_vector (fixture->store, other, model, 8);

  g_assert_true (cs_store_move_photo (fixture->store, id, "/new/a.jpg", 42, &error));
  g_assert_no_error (error);
  moved = cs_store_lookup_photo (fixture->store, "/new/a.jpg", &error);
  g_assert_nonnull (moved);
  g_assert_cmpint (moved->id, ==, id);
  g_assert_cmpint (moved->mtime_us, ==, 42);
  g_assert_cmpstr (moved->hash, ==, "aaaa");
  g_assert_null (cs_store_lookup_photo (fixture->store, "/old/a.jpg", &error));
  back = cs_store_dup_vector (fixture->store, id, model, &dim, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back, dim * sizeof (float), v, sizeof v);

  /* Onto another photo's path: that photo is replaced. */
  g_assert_true (cs_store_move_photo (fixture->store, id, "/new/b.jpg", 43, &error));
  g_assert_no_error (error);
  gone = cs_store_dup_photo (fixture->store, other, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  g_assert_false (cs_store_has_vector (fixture->store, other, model, &error));
  g_assert_true (cs_store_has_vector (fixture->store, id, model, &error));
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);

  /* A photo that does not exist cannot move, and nothing changes. */
  g_assert_false (cs_store_move_photo (fixture->store, 424242, "/new/b.jpg", 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  g_assert_false (cs_store_in_transaction (fixture->store));
  assert_integrity (fixture->store);
}

static void
test_photo_delete (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 a = add_photo (fixture->store, "/p/a.jpg", "aa");
  gint64 b = add_photo (fixture->store, "/p/b.jpg", "bb");

  put_vector (fixture->store, a, model, 1);
  put_vector (fixture->store, b, model, 2);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, 2);

  g_assert_true (cs_store_delete_photo (fixture->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, 1);
  g_assert_false (cs_store_has_vector (fixture->store, a, model, &error));
  g_assert_no_error (error);
  /* Deleting what is gone is fine. */
  g_assert_true (cs_store_delete_photo (fixture->store, a, &error));
  g_assert_no_error (error);
  assert_integrity (fixture->store);
}

static gboolean
collect_path_cb (const CsStorePhoto *photo,
                 gpointer            user_data)
{
  g_ptr_array_add (user_data, g_strdup (photo->path));
  return TRUE;
}

static GPtrArray *
paths_under (CsStore    *store,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (cs_store_foreach_photo (store, folder, collect_path_cb, paths, &error));
  g_assert_no_error (error);
  g_ptr_array_add (paths, NULL);
  return paths;
}

static void
assert_paths (CsStore           *store,
              const char        *folder,
              const char * const *expected)
{
  g_autoptr(GPtrArray) paths = paths_under (store, folder);

  g_assert_cmpstrv ((const char * const *) paths->pdata, expected);
}

static gboolean
stop_after_two_cb (const CsStorePhoto *photo,
                   gpointer            user_data)
{
  int *n = user_data;

  return ++*n < 2;
}

static void
test_photo_under_folder (StoreFixture  *fixture,
                         gconstpointer  data)
{
  static const char * const all[] = {
    "/a/b", "/a/b%/w.jpg", "/a/b.jpg", "/a/b/c/y.jpg", "/a/b/x.jpg",
    "/a/b_/v.jpg", "/a/bc/z.jpg", "/a/b\xff/u.jpg", "/z.jpg", NULL,
  };
  static const char * const under_b[] = { "/a/b/c/y.jpg", "/a/b/x.jpg", NULL };
  static const char * const under_percent[] = { "/a/b%/w.jpg", NULL };
  static const char * const under_underscore[] = { "/a/b_/v.jpg", NULL };
  static const char * const under_ff[] = { "/a/b\xff/u.jpg", NULL };
  static const char * const none[] = { NULL };
  g_autoptr(GError) error = NULL;
  int n = 0;

  for (guint i = 0; all[i] != NULL; i++)
    add_photo (fixture->store, all[i], NULL);

  assert_paths (fixture->store, NULL, all);
  assert_paths (fixture->store, "/", all);
  assert_paths (fixture->store, "/a/b", under_b);
  assert_paths (fixture->store, "/a/b/", under_b);
  assert_paths (fixture->store, "/a/b//", under_b);
  assert_paths (fixture->store, "/a/b%", under_percent);
  assert_paths (fixture->store, "/a/b_", under_underscore);
  assert_paths (fixture->store, "/a/b\xff", under_ff);
  assert_paths (fixture->store, "/a/b/x.jpg", none);
  assert_paths (fixture->store, "/nowhere", none);

  /* A callback can stop the walk. */
  g_assert_true (cs_store_foreach_photo (fixture->store, NULL, stop_after_two_cb, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
}

/* Tests: vectors and models */

typedef struct {
  GArray *ids;
  int     bad;
} VectorWalk;

static gboolean
check_vector_cb (gint64       photo_id,
                 const float *vector,
                 int          dim,
                 gpointer     user_data)
{
  VectorWalk *walk = user_data;
  float expected[DIM];

  fill_vector (expected, (guint32) photo_id, 0, 0);
  if (dim != DIM || memcmp (vector, expected, sizeof expected) != 0)
    walk->bad++;
  g_array_append_val (walk->ids, photo_id);
  return TRUE;
}

static void
test_vectors (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 ids[5];
  float special[DIM];
  g_autofree float *back = NULL;
  g_autofree float *matrix = NULL;
  g_autofree gint64 *matrix_ids = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  VectorWalk walk = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  gsize n_rows = 0;
  int dim = 0;

  /* Values whose bits must survive: signed zero, subnormals, extremes
   * (NaN and infinity are refused, below). */
  static const guint32 bits[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000,
    0x3effffff, 0x7f7ffffe, 0xff7fffff, 0x7f7fffff, 0x3f800000, 0xbeaaaaab,
  };
  static const guint32 non_finite[] = { 0x7fc00000, 0x7fa5a5a5, 0xffc12345, 0x7f800000, 0xff800000 };
  for (int i = 0; i < DIM; i++)
    {
      guint32 b = bits[i % G_N_ELEMENTS (bits)] ^ (i >= (int) G_N_ELEMENTS (bits) ? (guint32) i << 3 : 0);

      memcpy (&special[i], &b, sizeof b);
    }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/v/%u.jpg", i);

      ids[i] = add_photo (fixture->store, path, NULL);
    }
  g_assert_false (cs_store_has_vector (fixture->store, ids[0], model, &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_dup_vector (fixture->store, ids[0], model, &dim, &error));
  g_assert_no_error (error);

  g_assert_true (cs_store_put_vector (fixture->store, ids[0], model, special, DIM, &error));
  g_assert_no_error (error);
  back = cs_store_dup_vector (fixture->store, ids[0], model, &dim, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dim, ==, DIM);
  g_assert_cmpmem (back, dim * sizeof (float), special, sizeof special);

  /* Putting again replaces. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      float v[DIM];

      fill_vector (v, (guint32) ids[i], 0, 0);
      g_assert_true (cs_store_put_vector (fixture->store, ids[i], model, v, DIM, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, G_N_ELEMENTS (ids));

  g_assert_true (cs_store_foreach_vector (fixture->store, model, check_vector_cb, &walk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (walk.bad, ==, 0);
  g_assert_cmpuint (walk.ids->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_cmpint (g_array_index (walk.ids, gint64, i), ==, ids[i]);
  g_array_unref (walk.ids);

  g_assert_true (cs_store_load_vectors (fixture->store, model, &matrix, &matrix_ids,
                                        &n_rows, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, G_N_ELEMENTS (ids));
  g_assert_cmpint (dim, ==, DIM);
  for (gsize r = 0; r < n_rows; r++)
    {
      float v[DIM];

      g_assert_cmpint (matrix_ids[r], ==, ids[r]);
      fill_vector (v, (guint32) ids[r], 0, 0);
      g_assert_cmpmem (matrix + r * DIM, DIM * sizeof (float), v, sizeof v);
    }
  g_assert_false (cs_store_in_transaction (fixture->store));

  /* The wrong dimension, an unknown model, an unknown photo. */
  g_assert_false (cs_store_put_vector (fixture->store, ids[0], model, special, DIM - 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_store_put_vector (fixture->store, ids[0], model + 100, special, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  /* A NaN or an infinity anywhere: refused, and the stored vector stays. */
  for (guint k = 0; k < G_N_ELEMENTS (non_finite); k++)
    {
      float v[DIM];
      g_autofree float *kept = NULL;
      int at = (int) (k * 7) % DIM;

      fill_vector (v, (guint32) ids[1], 0, 0);
      memcpy (&v[at], &non_finite[k], sizeof (float));
      g_assert_false (cs_store_put_vector (fixture->store, ids[1], model, v, DIM, &error));
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "not finite"));
      g_clear_error (&error);
      fill_vector (v, (guint32) ids[1], 0, 0);
      kept = cs_store_dup_vector (fixture->store, ids[1], model, &dim, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (kept, dim * sizeof (float), v, sizeof v);
    }
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, G_N_ELEMENTS (ids));
  g_assert_false (cs_store_put_vector (fixture->store, 987654, model, special, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "cannot store the vector of photo 987654"));
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);

  /* A photo without a vector is listed for embedding. */
  add_photo (fixture->store, "/v/new.jpg", NULL);
  missing = cs_store_list_photos_missing_vector (fixture->store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpstr (((CsStorePhoto *) missing->pdata[0])->path, ==, "/v/new.jpg");
  assert_integrity (fixture->store);
}

static void
test_models (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 again = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:other", "other", 768, "f16", &error);
  gint64 photo = add_photo (fixture->store, "/m/p.jpg", NULL);
  int dim = 0;

  g_assert_no_error (error);
  g_assert_cmpint (a, ==, again);
  g_assert_cmpint (b, >, 0);
  g_assert_cmpint (b, !=, a);
  g_assert_cmpint (cs_store_lookup_model (fixture->store, "sha256:other", &dim, &error), ==, b);
  g_assert_cmpint (dim, ==, 768);
  g_assert_cmpint (cs_store_lookup_model (fixture->store, "sha256:none", NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* One id, one shape. */
  g_assert_cmpint (cs_store_ensure_model (fixture->store, "sha256:other", "other", 512, "f16", &error),
                   ==, -1);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Vectors of one model are not another's. */
  put_vector (fixture->store, photo, a, 1);
  g_assert_false (cs_store_has_vector (fixture->store, photo, b, &error));
  g_assert_cmpint (cs_store_count_vectors (fixture->store, b, &error), ==, 0);
  missing = cs_store_list_photos_missing_vector (fixture->store, b, &error);
  g_assert_cmpuint (missing->len, ==, 1);

  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, a, &error), ==, 0);
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  assert_integrity (fixture->store);
}

/* Tests: folders, failures, settings */

static void
test_folders (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) included = NULL;
  g_autoptr(GPtrArray) excluded = NULL;

  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/media/\xe9t\xe9", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures/private", TRUE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/tmp/x", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/tmp/x", TRUE, &error));
  g_assert_true (cs_store_remove_folder (fixture->store, "/tmp/x", &error));
  g_assert_true (cs_store_remove_folder (fixture->store, "/never/added", &error));
  g_assert_no_error (error);

  included = cs_store_list_folders (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (included->len, ==, 2);
  g_assert_cmpstr (included->pdata[0], ==, "/home/me/Pictures");
  g_assert_cmpstr (included->pdata[1], ==, "/media/\xe9t\xe9");
  excluded = cs_store_list_folders (fixture->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (excluded->len, ==, 1);
  g_assert_cmpstr (excluded->pdata[0], ==, "/home/me/Pictures/private");
}

static void
test_failures (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *reason = NULL;
  gint64 size = 0, mtime = 0;
  const char *bad = "/p/bad \xff.jpg";

  g_assert_false (cs_store_lookup_failure (fixture->store, bad, &size, &mtime, &reason, &error));
  g_assert_no_error (error);
  g_assert_null (reason);

  g_assert_true (cs_store_record_failure (fixture->store, bad, "truncated JPEG", 10, 20, &error));
  g_assert_true (cs_store_record_failure (fixture->store, "/p/other.png", "unknown format", 1, 2, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_lookup_failure (fixture->store, bad, &size, &mtime, &reason, &error));
  g_assert_cmpstr (reason, ==, "truncated JPEG");
  g_assert_cmpint (size, ==, 10);
  g_assert_cmpint (mtime, ==, 20);
  g_clear_pointer (&reason, g_free);

  /* Failing again after a change replaces the record. */
  g_assert_true (cs_store_record_failure (fixture->store, bad, "still broken", 11, 21, &error));
  g_assert_true (cs_store_lookup_failure (fixture->store, bad, &size, NULL, &reason, &error));
  g_assert_cmpstr (reason, ==, "still broken");
  g_assert_cmpint (size, ==, 11);

  list = cs_store_list_failures (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((CsStoreFailure *) list->pdata[0])->path, ==, bad);
  g_assert_cmpint (((CsStoreFailure *) list->pdata[0])->mtime_us, ==, 21);
  g_assert_cmpstr (((CsStoreFailure *) list->pdata[1])->reason, ==, "unknown format");

  g_assert_true (cs_store_clear_failure (fixture->store, bad, &error));
  g_assert_true (cs_store_clear_failure (fixture->store, bad, &error));
  g_assert_no_error (error);
  g_assert_false (cs_store_lookup_failure (fixture->store, bad, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_settings (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (cs_store_dup_setting (fixture->store, "model", &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_set_setting (fixture->store, "model", "clip-vit-b-32", &error));
  g_assert_true (cs_store_set_setting (fixture->store, "model", "clip-vit-l-14 ✓", &error));
  g_assert_true (cs_store_set_setting (fixture->store, "empty", "", &error));
  g_assert_no_error (error);
  value = cs_store_dup_setting (fixture->store, "model", &error);
  g_assert_cmpstr (value, ==, "clip-vit-l-14 ✓");
  g_clear_pointer (&value, g_free);
  value = cs_store_dup_setting (fixture->store, "empty", &error);
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);

  g_assert_true (cs_store_set_setting (fixture->store, "model", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_dup_setting (fixture->store, "model", &error));
  g_assert_no_error (error);
}

/* Tests: transactions */

static void
test_rollback (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 id;

  g_assert_false (cs_store_in_transaction (fixture->store));
  g_assert_true (cs_store_begin (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_in_transaction (fixture->store));
  id = add_photo (fixture->store, "/t/a.jpg", "aa");
  put_vector (fixture->store, id, model, 1);
  g_assert_true (cs_store_record_failure (fixture->store, "/t/b.jpg", "bad", 1, 1, &error));
  g_assert_true (cs_store_set_setting (fixture->store, "k", "v", &error));
  /* A failing step inside a batch leaves the batch open and intact. */
  g_assert_false (cs_store_move_photo (fixture->store, 4242, "/t/c.jpg", 1, &error));
  g_clear_error (&error);
  g_assert_true (cs_store_in_transaction (fixture->store));
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  cs_store_rollback (fixture->store);
  g_assert_false (cs_store_in_transaction (fixture->store));

  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 0);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, 0);
  g_assert_false (cs_store_lookup_failure (fixture->store, "/t/b.jpg", NULL, NULL, NULL, &error));
  g_assert_null (cs_store_dup_setting (fixture->store, "k", &error));
  g_assert_no_error (error);
  /* Rolling back with nothing open does nothing. */
  cs_store_rollback (fixture->store);

  /* And a committed batch is there, also for a second connection. */
  g_assert_true (cs_store_begin (fixture->store, &error));
  id = add_photo (fixture->store, "/t/a.jpg", "aa");
  put_vector (fixture->store, id, model, 1);
  g_assert_true (cs_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CsStore) other = open_store (fixture->path);

    g_assert_cmpint (cs_store_count_photos (other, &error), ==, 1);
    g_assert_cmpint (cs_store_count_vectors (other, model, &error), ==, 1);
    g_assert_no_error (error);
  }
}

/* Tests: processes.  The children use only their own connection, opened
 * after fork (an SQLite connection must not cross a fork), and leave with
 * _exit() so nothing of the test harness runs twice. */

#define CRASH_ROUNDS 20
#define CRASH_BATCH 40
#define CRASH_MAX_BATCHES 100000

static char *
crash_path (int round,
            int batch,
            int i)
{
  return g_strdup_printf ("/crash/r%02d/b%06d/p%03d.jpg", round, batch, i);
}

static void G_GNUC_NORETURN
child_fail (const char *what,
            GError     *error)
{
  fprintf (stderr, "child %d: %s: %s\n", (int) getpid (), what, error ? error->message : "?");
  _exit (1);
}

/* Writes batches of CRASH_BATCH photos and their vectors, one transaction
 * each, until killed.  Reports on `fd` -(b + 1) once batch b's transaction
 * is open and b once it is committed. */
static void G_GNUC_NORETURN
crash_child (const char *db,
             int         round,
             int         fd)
{
  GError *error = NULL;
  CsStore *store = cs_store_open (db, &error);
  gint64 model;

  if (store == NULL)
    child_fail ("open", error);
  model = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);
  if (model < 0)
    child_fail ("model", error);

  for (gint32 batch = 0; batch < CRASH_MAX_BATCHES; batch++)
    {
      gint32 opened = -(batch + 1);

      if (!cs_store_begin (store, &error))
        child_fail ("begin", error);
      if (write (fd, &opened, sizeof opened) != sizeof opened)
        _exit (2);
      for (int i = 0; i < CRASH_BATCH; i++)
        {
          g_autofree char *path = crash_path (round, batch, i);
          CsStorePhoto photo = { .path = path, .size = batch, .mtime_us = i, .hash = (char *) "ff" };
          float v[DIM];
          gint64 id = cs_store_upsert_photo (store, &photo, &error);

          if (id < 0)
            child_fail ("upsert", error);
          fill_vector (v, round, batch, i);
          if (!cs_store_put_vector (store, id, model, v, DIM, &error))
            child_fail ("vector", error);
        }
      if (!cs_store_commit (store, &error))
        child_fail ("commit", error);
      if (write (fd, &batch, sizeof batch) != sizeof batch)
        _exit (2);
    }
  _exit (0);
}

static gboolean
count_cb (const CsStorePhoto *photo,
          gpointer            user_data)
{
  (*(gint64 *) user_data)++;
  return TRUE;
}

static gint64
count_under (CsStore    *store,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 0;

  g_assert_true (cs_store_foreach_photo (store, folder, count_cb, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* Every photo of a batch, with its exact vector. */
static void
assert_batch_complete (CsStore *store,
                       gint64   model,
                       int      round,
                       int      batch)
{
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < CRASH_BATCH; i++)
    {
      g_autofree char *path = crash_path (round, batch, i);
      g_autoptr(CsStorePhoto) photo = cs_store_lookup_photo (store, path, &error);
      g_autofree float *v = NULL;
      float expected[DIM];
      int dim = 0;

      g_assert_no_error (error);
      g_assert_nonnull (photo);
      v = cs_store_dup_vector (store, photo->id, model, &dim, &error);
      g_assert_no_error (error);
      g_assert_nonnull (v);
      fill_vector (expected, round, batch, i);
      g_assert_cmpmem (v, dim * sizeof (float), expected, sizeof expected);
    }
}

static void
test_crash_sigkill (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(CsStore) first = NULL;
  gint64 model;
  int total_reported = 0, total_found = 0, n_unreported = 0, n_early = 0, n_open_at_kill = 0;

  /* Created once by the parent, so every round also recovers the previous
   * round's interrupted WAL. */
  first = open_store (fixture->path);
  model = ensure_model (first);
  g_clear_object (&first);

  for (int round = 0; round < CRASH_ROUNDS; round++)
    {
      g_autoptr(CsStore) store = NULL;
      g_autofree char *folder = g_strdup_printf ("/crash/r%02d", round);
      int target = g_test_rand_int_range (0, 12);
      int delay_us = g_test_rand_int_range (0, 4000);
      int fds[2];
      int last = -1;
      gboolean open_at_kill;
      gint32 batch;
      gint64 n_found;
      int status = 0;
      pid_t pid;

      g_assert_no_errno (pipe (fds));
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_child (fixture->path, round, fds[1]);
        }
      close (fds[1]);

      /* Let it commit `target` batches, then kill it somewhere in the
       * next ones: mid-statement, mid-commit, mid-checkpoint.  One round
       * in four kills it early instead, while it opens the file (WAL
       * recovery, setup) or writes its first batch. */
      if (g_test_rand_int_range (0, 4) == 0)
        n_early++;
      else
        while (last < target && read (fds[0], &batch, sizeof batch) == sizeof batch)
          last = batch >= 0 ? batch : last;
      g_usleep (delay_us);
      g_assert_no_errno (kill (pid, SIGKILL));
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      /* The rest of the reports: was a transaction open at the kill? */
      open_at_kill = FALSE;
      while (read (fds[0], &batch, sizeof batch) == sizeof batch)
        {
          if (batch < 0)
            {
              g_assert_cmpint (-batch - 1, ==, last + 1);
              open_at_kill = TRUE;
            }
          else
            {
              g_assert_cmpint (batch, ==, last + 1);
              last = batch;
              open_at_kill = FALSE;
            }
        }
      close (fds[0]);
      n_open_at_kill += open_at_kill;

      store = open_store (fixture->path);
      assert_integrity (store);
      for (int b = 0; b <= last; b++)
        assert_batch_complete (store, model, round, b);
      /* The batch in flight is all there (committed, not yet reported) or
       * not at all. */
      n_found = count_under (store, folder);
      g_assert_cmpint (n_found % CRASH_BATCH, ==, 0);
      g_assert_cmpint (n_found / CRASH_BATCH, >=, last + 1);
      g_assert_cmpint (n_found / CRASH_BATCH, <=, last + 2);
      if (n_found / CRASH_BATCH == last + 2)
        {
          assert_batch_complete (store, model, round, last + 1);
          n_unreported++;
        }
      g_assert_cmpint (cs_store_count_vectors (store, model, NULL), ==,
                       cs_store_count_photos (store, NULL));
      total_reported += last + 1;
      total_found += n_found / CRASH_BATCH;
    }

  g_test_message ("%d SIGKILL rounds: %d batches of %d photos + %d-d vectors reported committed, "
                  "%d found (%d committed but killed before reporting); %d kills inside an open "
                  "transaction, %d early (0-4 ms after fork); integrity ok after every round",
                  CRASH_ROUNDS, total_reported, CRASH_BATCH, DIM, total_found, n_unreported,
                  n_open_at_kill, n_early);
}

#define WRITERS 2
#define WRITER_PHOTOS 300
#define WRITER_BATCH 25
#define WRITER_PASSES 3

/* Upserts every photo of a shared set (in an order of its own) with its
 * vector, alternating transactions and autocommit writes, plus a failure
 * and a setting per batch. */
static void G_GNUC_NORETURN
writer_child (const char *db,
              int         who,
              int         barrier)
{
  GError *error = NULL;
  CsStore *store;
  gint64 model;
  char go;

  /* Start together: the parent closes the barrier's write end. */
  if (read (barrier, &go, 1) != 0)
    _exit (3);
  store = cs_store_open (db, &error);
  if (store == NULL)
    child_fail ("open", error);
  model = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);
  if (model < 0)
    child_fail ("model", error);

  for (int pass = 0; pass < WRITER_PASSES; pass++)
    for (int start = 0; start < WRITER_PHOTOS; start += WRITER_BATCH)
      {
        gboolean batched = (start / WRITER_BATCH + who) % 2 == 0;
        g_autofree char *value = g_strdup_printf ("writer %d pass %d", who, pass);

        if (batched && !cs_store_begin (store, &error))
          child_fail ("begin", error);
        for (int k = start; k < start + WRITER_BATCH && k < WRITER_PHOTOS; k++)
          {
            int i = who == 0 ? k : WRITER_PHOTOS - 1 - k;
            g_autofree char *path = g_strdup_printf ("/shared/%04d.jpg", i);
            CsStorePhoto photo = { .path = path, .size = i, .mtime_us = pass, .hash = (char *) "ab" };
            float v[DIM];
            gint64 id = cs_store_upsert_photo (store, &photo, &error);

            if (id < 0)
              child_fail ("upsert", error);
            fill_vector (v, i, 0, 0);
            if (!cs_store_put_vector (store, id, model, v, DIM, &error))
              child_fail ("vector", error);
          }
        if (!cs_store_record_failure (store, "/shared/bad.jpg", value, start, pass, &error))
          child_fail ("failure", error);
        if (!cs_store_set_setting (store, "last-writer", value, &error))
          child_fail ("setting", error);
        if (batched && !cs_store_commit (store, &error))
          child_fail ("commit", error);
      }
  g_object_unref (store);
  _exit (0);
}

static gboolean
collect_unique_cb (const CsStorePhoto *photo,
                   gpointer            user_data)
{
  g_hash_table_add (user_data, g_strdup (photo->path));
  return TRUE;
}

static void
test_two_writers (StoreFixture  *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GHashTable) unique = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) failures = NULL;
  pid_t pids[WRITERS];
  int barrier[2];
  gint64 model;
  gint64 n_photos;

  /* The file does not exist yet: the writers race to create and migrate
   * it too. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_assert_no_errno (pipe (barrier));
  for (int w = 0; w < WRITERS; w++)
    {
      pids[w] = fork ();
      g_assert_cmpint (pids[w], >=, 0);
      if (pids[w] == 0)
        {
          close (barrier[1]);
          writer_child (fixture->path, w, barrier[0]);
        }
    }
  close (barrier[0]);
  close (barrier[1]);

  for (int w = 0; w < WRITERS; w++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[w], &status, 0), ==, pids[w]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  store = open_store (fixture->path);
  assert_integrity (store);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  model = cs_store_lookup_model (store, "sha256:test-model", NULL, &error);
  g_assert_cmpint (model, >, 0);
  n_photos = cs_store_count_photos (store, &error);
  g_assert_true (cs_store_foreach_photo (store, NULL, collect_unique_cb, unique, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_photos, ==, WRITER_PHOTOS);
  g_assert_cmpuint (g_hash_table_size (unique), ==, WRITER_PHOTOS);
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, WRITER_PHOTOS);
  failures = cs_store_list_failures (store, &error);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_no_error (error);

  g_test_message ("%d writers x %d passes over %d shared paths (%d upserts + vectors in all, "
                  "half in %d-photo transactions, half autocommit), racing to create the file: "
                  "%" G_GINT64_FORMAT " rows, %u distinct paths, integrity ok",
                  WRITERS, WRITER_PASSES, WRITER_PHOTOS, WRITERS * WRITER_PASSES * WRITER_PHOTOS,
                  WRITER_BATCH, n_photos, g_hash_table_size (unique));
}

/* GLib 2.74's g_set_user_dirs(), which G_TEST_OPTION_ISOLATE_DIRS calls
 * before each test, never frees the directories it replaces (callers may
 * still hold them).  These two hooks, read by the sanitizers only when
 * they are linked in, suppress exactly that leak: the suppression needs
 * the full stack (GLib has no frame pointers, so the fast unwinder stops at
 * g_malloc), and the store's own allocations stay checked.  ASAN_OPTIONS
 * in the environment still overrides them. */
/* The nearly blank statistic: kept per photo, forgotten with new content. */
static void
test_blank_stddev (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = add_photo (fixture->store, "/b/one.jpg", "aaaa");
  double value = -1;
  CsStorePhoto changed = {
    .path = (char *) "/b/one.jpg", .size = 1234, .mtime_us = 1700000000123456,
    .hash = (char *) "bbbb", .width = 640, .height = 480, .taken_unix = 1600000000,
  };

  g_assert_false (cs_store_get_photo_blank_stddev (fixture->store, id, &value, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_set_photo_blank_stddev (fixture->store, id, 12.5, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_get_photo_blank_stddev (fixture->store, id, &value, &error));
  g_assert_cmpfloat (value, ==, 12.5);
  g_assert_true (cs_store_set_photo_blank_stddev (fixture->store, id, 0.0, &error));
  g_assert_true (cs_store_get_photo_blank_stddev (fixture->store, id, &value, &error));
  g_assert_cmpfloat (value, ==, 0.0);
  g_assert_false (cs_store_set_photo_blank_stddev (fixture->store, id, NAN, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_store_set_photo_blank_stddev (fixture->store, id, -1.0, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* the same content (a touched file) keeps it; new content forgets it */
  changed.hash = (char *) "aaaa";
  g_assert_cmpint (cs_store_upsert_photo (fixture->store, &changed, &error), ==, id);
  g_assert_true (cs_store_get_photo_blank_stddev (fixture->store, id, &value, &error));
  changed.hash = (char *) "bbbb";
  g_assert_cmpint (cs_store_upsert_photo (fixture->store, &changed, &error), ==, id);
  g_assert_false (cs_store_get_photo_blank_stddev (fixture->store, id, &value, &error));
  g_assert_no_error (error);
  /* an absent photo: unknown */
  g_assert_false (cs_store_get_photo_blank_stddev (fixture->store, id + 100, &value, &error));
  g_assert_no_error (error);
}

/* Writes `value` into component 7 of the vector of `photo_id` with raw
 * SQL, past the store's check, as a version before it (or another
 * program) could have; `version` > 0 also sets the schema version. */
static void
poison_vector (const char *path,
               gint64      photo_id,
               float       value,
               int         version)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  float v[DIM];

  fill_vector (v, (guint32) photo_id, 1, 2);
  v[7] = value;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE vectors SET vector = ?1 WHERE photo_id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, v, sizeof v, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, photo_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  if (version > 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gboolean
collect_vector_id_cb (gint64       photo_id,
                      const float *vector,
                      int          dim,
                      gpointer     user_data)
{
  for (int i = 0; i < dim; i++)
    g_assert_true (isfinite (vector[i]));
  g_array_append_val (user_data, photo_id);
  return TRUE;
}

static gboolean
collect_indexed_id_cb (const CsStorePhoto *photo,
                       const float        *vector,
                       int                 dim,
                       gpointer            user_data)
{
  return collect_vector_id_cb (photo->id, vector, dim, user_data);
}

/* The ids every reader of the vectors gives, checked equal to each other
 * and finite; with the count of rows in the table. */
static GArray *
readable_vector_ids (CsStore *store,
                     gint64   model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) walked = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *indexed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree float *matrix = NULL;
  g_autofree gint64 *ids = NULL;
  gsize n_rows = 0;
  int dim = 0;

  g_assert_true (cs_store_foreach_vector (store, model, collect_vector_id_cb, walked, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_foreach_indexed_photo (store, model, 0, collect_indexed_id_cb, indexed,
                                                 NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_load_vectors (store, model, &matrix, &ids, &n_rows, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, walked->len);
  g_assert_cmpuint (indexed->len, ==, walked->len);
  for (gsize i = 0; i < n_rows; i++)
    {
      g_assert_cmpint (ids[i], ==, g_array_index (walked, gint64, i));
      g_assert_cmpint (g_array_index (indexed, gint64, i), ==, ids[i]);
      for (int j = 0; j < dim; j++)
        g_assert_true (isfinite (matrix[i * dim + j]));
    }
  return indexed;
}

/* Vectors with a NaN or an infinity written past the store (an older
 * version, another program): a database of an older schema loses them
 * on open; in a current one every reader leaves them out until
 * cs_store_delete_non_finite_vectors deletes them, and their photos are
 * then missing a vector (so the indexer embeds them again). */
static void
test_non_finite_vectors (StoreFixture  *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = open_store (fixture->path);
  gint64 model = ensure_model (store);
  gint64 a = add_photo (store, "/n/a.jpg", "aaaa");
  gint64 b = add_photo (store, "/n/b.jpg", "bbbb");
  gint64 c = add_photo (store, "/n/c.jpg", "cccc");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  float *v;
  int dim = -1;

  put_vector (store, a, model, 1);
  put_vector (store, b, model, 2);
  put_vector (store, c, model, 3);
  g_clear_object (&store);

  /* schema 3 (and before): gone on open */
  poison_vector (fixture->path, b, NAN, 3);
  poison_vector (fixture->path, c, INFINITY, 0);
  store = open_store (fixture->path);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (cs_store_has_vector (store, b, model, &error));
  g_assert_false (cs_store_has_vector (store, c, model, &error));
  g_assert_true (cs_store_has_vector (store, a, model, &error));
  g_assert_no_error (error);
  missing = cs_store_list_photos_missing_vector (store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 2);
  g_assert_cmpint (((CsStorePhoto *) missing->pdata[0])->id, ==, b);
  g_assert_cmpint (((CsStorePhoto *) missing->pdata[1])->id, ==, c);
  g_clear_pointer (&missing, g_ptr_array_unref);
  put_vector (store, b, model, 2);
  put_vector (store, c, model, 3);
  assert_integrity (store);
  g_clear_object (&store);

  /* the current schema: never read, deleted by the index run's call */
  poison_vector (fixture->path, b, -INFINITY, 0);
  store = open_store (fixture->path);
  v = cs_store_dup_vector (store, b, model, &dim, &error);
  g_assert_no_error (error);
  g_assert_null (v);
  v = cs_store_dup_vector (store, a, model, &dim, &error);
  g_assert_nonnull (v);
  g_free (v);
  ids = readable_vector_ids (store, model);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, a);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, c);
  g_assert_cmpint (cs_store_delete_non_finite_vectors (store, model, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_delete_non_finite_vectors (store, model, &error), ==, 0);
  missing = cs_store_list_photos_missing_vector (store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpint (((CsStorePhoto *) missing->pdata[0])->id, ==, b);
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, 2);
  assert_integrity (store);
}

/* One index run per database: the second lock is refused, naming the
 * holder's pid, in the same process (another open file) as in another;
 * freeing it, or the holder dying, lets the next one in. */
static void
test_index_lock (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) other = open_store (fixture->path);
  g_autoptr(CsStoreIndexLock) lock = cs_store_lock_indexing (fixture->store, &error);
  g_autofree char *expected = g_strdup_printf ("another index run (pid %ld) is using this library",
                                               (long) getpid ());
  CsStoreIndexLock *second;
  pid_t child;
  int status, pipe_fds[2];
  char byte;

  g_assert_no_error (error);
  g_assert_nonnull (lock);
  second = cs_store_lock_indexing (other, &error);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&lock, cs_store_index_lock_free);
  second = cs_store_lock_indexing (other, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  cs_store_index_lock_free (second);

  /* a holder killed with SIGKILL leaves no lock behind */
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      CsStore *store = cs_store_open (fixture->path, NULL);
      CsStoreIndexLock *held = store != NULL ? cs_store_lock_indexing (store, NULL) : NULL;

      byte = held != NULL ? 'y' : 'n';
      if (write (pipe_fds[1], &byte, 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (pipe_fds[1]);
  g_assert_cmpint (read (pipe_fds[0], &byte, 1), ==, 1);
  close (pipe_fds[0]);
  g_assert_cmpint (byte, ==, 'y');
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("another index run (pid %ld) is using this library", (long) child);
  second = cs_store_lock_indexing (other, &error);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  second = cs_store_lock_indexing (other, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  cs_store_index_lock_free (second);
}

static void
test_model_rows (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:b", "b", 32, "f32", &error);
  g_autoptr(GArray) rows = NULL;

  g_assert_no_error (error);
  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  a = ensure_model (fixture->store);
  rows = cs_store_list_model_rows (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (g_array_index (rows, gint64, 0), ==, b);
  g_assert_cmpint (g_array_index (rows, gint64, 1), ==, a);
}

/* The label prompts' vectors: a stored one comes back bit for bit, per
 * model and per exact text; a non-finite or wrong-sized one is refused;
 * they go with their model. */
static void
test_text_vectors (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:b", "b", DIM, "f32", &error);
  const char *texts[] = { "a photo of a star", "a photo of a ring", "a photo of a star " };
  float v[DIM], w[DIM], out[3 * DIM];
  gboolean found[3];

  g_assert_no_error (error);
  for (int i = 0; i < DIM; i++)
    {
      v[i] = (float) ((i * 37) % 101) / 101.0f - 0.5f;
      w[i] = (float) ((i * 53) % 89) / 89.0f - 0.5f;
    }
  g_assert_true (cs_store_put_text_vector (fixture->store, a, texts[0], v, DIM, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_put_text_vector (fixture->store, b, texts[0], w, DIM, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 3, DIM, out, found, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (found[0]);
  g_assert_false (found[1]);
  g_assert_false (found[2]);  /* another text, however close */
  g_assert_cmpmem (out, sizeof v, v, sizeof v);
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, b, texts, 1, DIM, out, found, &error), ==, 1);
  g_assert_cmpmem (out, sizeof w, w, sizeof w);

  /* replaced, not duplicated */
  g_assert_true (cs_store_put_text_vector (fixture->store, a, texts[0], w, DIM, &error));
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM, out, found, &error), ==, 1);
  g_assert_cmpmem (out, sizeof w, w, sizeof w);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 1);

  /* refused: non-finite, another size (nothing stored) */
  v[7] = NAN;
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], v, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  v[7] = INFINITY;
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], v, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], w, DIM - 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 1);
  /* asked for another size: as if absent */
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM / 2, out, found, &error), ==, 0);
  g_assert_false (found[0]);

  /* the model goes, its text vectors with it; the other's stay */
  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 0);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, b, &error), ==, 1);
  a = ensure_model (fixture->store);
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM, out, found, &error), ==, 0);
  g_assert_no_error (error);
}

/* A library in a folder this process cannot write: it opens read-only
 * (WAL would need to create -shm there), reads work, writes fail. */
static void
test_read_only_folder (StoreFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *value = NULL;
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  if (geteuid () == 0)
    {
      g_test_skip ("root writes every folder (tests/cli/test_index.py covers it as nobody)");
      return;
    }
  store = open_store (fixture->path);
  g_assert_true (cs_store_add_folder (store, "/photos", FALSE, &error));
  g_assert_true (cs_store_set_setting (store, "k", "v", &error));
  g_assert_false (cs_store_is_read_only (store));
  g_clear_object (&store);
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (fixture->dir, 0555), ==, 0);

  store = cs_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_is_read_only (store));
  folders = cs_store_list_folders (store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  value = cs_store_dup_setting (store, "k", &error);
  g_assert_cmpstr (value, ==, "v");
  g_assert_false (cs_store_set_setting (store, "k", "w", &error));
  g_assert_nonnull (error);
  g_clear_object (&store);
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (fixture->dir, 0700), ==, 0);
}

const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, setup, func) \
  g_test_add ("/store/store/" name, StoreFixture, NULL, setup, func, teardown)

  ADD ("default-path", setup_dir, test_default_path);
  ADD ("schema-fresh", setup_store, test_schema_fresh);
  ADD ("schema-future", setup_store, test_schema_future);
  ADD ("not-ours", setup_store, test_not_ours);
  ADD ("photo-round-trip", setup_store, test_photo_round_trip);
  ADD ("photo-unique", setup_store, test_photo_unique);
  ADD ("photo-hash", setup_store, test_photo_hash);
  ADD ("photo-move", setup_store, test_photo_move);
  ADD ("photo-delete", setup_store, test_photo_delete);
  ADD ("photo-under-folder", setup_store, test_photo_under_folder);
  ADD ("vectors", setup_store, test_vectors);
  ADD ("models", setup_store, test_models);
  ADD ("folders", setup_store, test_folders);
  ADD ("failures", setup_store, test_failures);
  ADD ("settings", setup_store, test_settings);
  ADD ("rollback", setup_store, test_rollback);
  ADD ("crash-sigkill", setup_dir, test_crash_sigkill);
  ADD ("two-writers", setup_dir, test_two_writers);
  ADD ("blank-stddev", setup_store, test_blank_stddev);
  ADD ("model-rows", setup_store, test_model_rows);
  ADD ("text-vectors", setup_store, test_text_vectors);
  ADD ("read-only-folder", setup_dir, test_read_only_folder);
  ADD ("non-finite-vectors", setup_dir, test_non_finite_vectors);
  ADD ("index-lock", setup_store, test_index_lock);

#undef ADD

  return g_test_run ();
}
