/* test-store-photos.c - the store's photos: round trips, unique paths,
 * hashes, moves, deletions, walks below a folder, the blank statistic.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "store-test-fixture.h"

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

void
store_test_add_photos (void)
{
  STORE_TEST_ADD ("photo-round-trip", setup_store, test_photo_round_trip);
  STORE_TEST_ADD ("photo-unique", setup_store, test_photo_unique);
  STORE_TEST_ADD ("photo-hash", setup_store, test_photo_hash);
  STORE_TEST_ADD ("photo-move", setup_store, test_photo_move);
  STORE_TEST_ADD ("photo-delete", setup_store, test_photo_delete);
  STORE_TEST_ADD ("photo-under-folder", setup_store, test_photo_under_folder);
  STORE_TEST_ADD ("blank-stddev", setup_store, test_blank_stddev);
}
