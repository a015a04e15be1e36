/* test-search.c - CsLibrary's search end to end, and the scan beneath it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The toy photos of ../shared are indexed with the real indexer and the
 * toy CLIP (skipped without ../shared), in two folders with different
 * dates, by main() here, which also holds the query-term parsing, the
 * library following the indexer (refresh) and a library not loaded.  The
 * other cases are added by test-search-scan.c (the scan's kernels and its
 * int8 first pass against plain float32), test-search-queries.c (the
 * queries of queries.json against the reference's precision@10, the
 * adaptive cutoff, similar photos, filters) and test-search-large.c
 * (synthetic libraries of 30,000 photos: nothing caps a result list) and
 * test-search-cutoff.c (the adaptive cutoff's rule on hand-made scores).
 */
#include <math.h>
#include <string.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-library-private.h"
#include "search-test-util.h"

/* ------------------------------------------------------------ fixture */

static void
set_mtime (const char *path,
           gint64      when)
{
  struct utimbuf t = { (time_t) when, (time_t) when };

  g_assert_cmpint (utime (path, &t), ==, 0);
}

/* Copies the toy photos: even numbers to a/, odd to b/. */
static void
make_library (void)
{
  g_autoptr(GDir) d = g_dir_open (search_test_toy_photos, 0, NULL);
  g_autofree char *a = g_build_filename (search_test_work_dir, "a", NULL);
  g_autofree char *b = g_build_filename (search_test_work_dir, "b", NULL);
  const char *name;

  g_assert_nonnull (d);
  g_mkdir_with_parents (a, 0755);
  g_mkdir_with_parents (b, 0755);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *src = NULL, *dst = NULL, *data = NULL;
      gsize len;
      int num;

      if (sscanf (name, "photo-%d.", &num) != 1)
        continue;
      src = g_build_filename (search_test_toy_photos, name, NULL);
      dst = g_build_filename (num % 2 == 0 ? a : b, name, NULL);
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_assert_true (g_file_set_contents (dst, data, (gssize) len, NULL));
      set_mtime (dst, num % 2 == 0 ? DATE_A : DATE_B);
    }
}

static void
index_folder (const char *db,
              const char *folder)
{
  g_autoptr(CsIndexer) indexer = cs_indexer_new (db, search_test_toy_model);
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  cs_indexer_add_folder (indexer, folder);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->failed, ==, 0);
}

/* -------------------------------------------------------------- tests */

static void
test_parse_terms (void)
{
  struct {
    const char *text;
    guint n;
    const char *t0;
    double w0;
    const char *t1;
    double w1;
  } cases[] = {
    { "beach + sunset - people", 3, "beach", 1, "sunset", 1 },
    { "2:dog", 1, "dog", 2, NULL, 0 },
    { "2:dog - 0.5:cat", 2, "dog", 2, "cat", -0.5 },
    { "red - circle", 2, "red", 1, "circle", -1 },
    { "- people", 1, "people", -1, NULL, 0 },
    { "a t-shirt + a+b", 2, "a t-shirt", 1, "a+b", 1 },
    { "   ", 0, NULL, 0, NULL, 0 },
    { "a photo: 3 dogs", 1, "a photo: 3 dogs", 1, NULL, 0 },
    { "100:dog", 1, "dog", 100, NULL, 0 },
    { "1e-999:dog", 0, NULL, 0, NULL, 0 },
    /* an operator at the very end ends the term before it */
    { "dog -", 1, "dog", 1, NULL, 0 },
    { "dog + cat +", 2, "dog", 1, "cat", 1 },
    /* a weight may start with its decimal point */
    { ".5:cat", 1, "cat", 0.5, NULL, 0 },
  };
  /* a weight that parses as a number but is unusable is refused by
   * name: infinity would make every score infinite or NaN */
  static const char * const refused[] = {
    "1e999:cat", "dog + 1e999:cat", "100.5:cat", "1e300:cat", "- 1e39:cat",
  };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      GPtrArray *terms = cs_query_parse_terms (refused[i], &error);

      g_assert_null (terms);
      g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "weight"));
      g_clear_error (&error);
    }

  /* the image weight has the same bound, for direct callers too */
  {
    g_autoptr(CsQuery) q = cs_query_new (NULL);

    /* the bound itself is a weight */
    cs_query_set_image_weight (q, CS_QUERY_MAX_WEIGHT);
    g_assert_cmpfloat (cs_query_get_image_weight (q), ==, CS_QUERY_MAX_WEIGHT);
    cs_query_set_image_weight (q, -CS_QUERY_MAX_WEIGHT);
    g_assert_cmpfloat (cs_query_get_image_weight (q), ==, -CS_QUERY_MAX_WEIGHT);
    cs_query_set_image_weight (q, 2.5);
    g_test_expect_message ("cs-library", G_LOG_LEVEL_CRITICAL, "*isfinite*");
    cs_query_set_image_weight (q, INFINITY);
    g_test_assert_expected_messages ();
    g_test_expect_message ("cs-library", G_LOG_LEVEL_CRITICAL, "*isfinite*");
    cs_query_set_image_weight (q, 1e6);
    g_test_assert_expected_messages ();
    g_assert_cmpfloat (cs_query_get_image_weight (q), ==, 2.5);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) terms = cs_query_parse_terms (cases[i].text, &error);

      g_assert_no_error (error);

      g_assert_cmpuint (terms->len, ==, cases[i].n);
      if (cases[i].n >= 1)
        {
          g_assert_cmpstr (((CsQueryTerm *) terms->pdata[0])->text, ==, cases[i].t0);
          g_assert_cmpfloat (((CsQueryTerm *) terms->pdata[0])->weight, ==, cases[i].w0);
        }
      if (cases[i].n >= 2)
        {
          g_assert_cmpstr (((CsQueryTerm *) terms->pdata[1])->text, ==, cases[i].t1);
          g_assert_cmpfloat (((CsQueryTerm *) terms->pdata[1])->weight, ==, cases[i].w1);
        }
    }
}

/* A copy of a query (the one a result list keeps) has every property of
 * the original, each set here away from its default. */
static void
test_query_copy (void)
{
  g_autoptr(CsQuery) q = cs_query_new ("a red circle");
  g_autoptr(CsQuery) copy = NULL;

  cs_query_set_image_path (q, "/photos/example.jpg");
  cs_query_set_image_weight (q, -2.5);
  cs_query_set_similar_to (q, 42);
  cs_query_set_folder (q, "/photos/2020");
  cs_query_set_after (q, DATE_A);
  cs_query_set_before (q, DATE_B);
  cs_query_set_strictness (q, -0.25);
  cs_query_set_sort (q, CS_SORT_DATE);
  cs_query_set_limit (q, 17);
  cs_query_set_accepted_only (q, TRUE);
  cs_query_set_all (q, TRUE);
  copy = cs_query_copy (q);

  g_assert_true (copy != q);
  g_assert_cmpstr (cs_query_get_text (copy), ==, "a red circle");
  g_assert_cmpstr (cs_query_get_image_path (copy), ==, "/photos/example.jpg");
  g_assert_cmpfloat (cs_query_get_image_weight (copy), ==, -2.5);
  g_assert_cmpint (cs_query_get_similar_to (copy), ==, 42);
  g_assert_cmpstr (cs_query_get_folder (copy), ==, "/photos/2020");
  g_assert_cmpint (cs_query_get_after (copy), ==, DATE_A);
  g_assert_cmpint (cs_query_get_before (copy), ==, DATE_B);
  g_assert_cmpfloat (cs_query_get_strictness (copy), ==, -0.25);
  g_assert_cmpint (cs_query_get_sort (copy), ==, CS_SORT_DATE);
  g_assert_cmpuint (cs_query_get_limit (copy), ==, 17);
  g_assert_true (cs_query_get_accepted_only (copy));
  g_assert_true (cs_query_get_all (copy));
}

typedef struct {
  GMainLoop *loop;
  guint      changed;
  guint      done;
} AsyncState;

static void
on_changed_cb (CsLibrary *library,
               gpointer   data)
{
  ((AsyncState *) data)->changed++;
}

static void
on_refresh_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_refresh_finish (CS_LIBRARY (source), result, &error));
  g_assert_no_error (error);
  ((AsyncState *) data)->done++;
}

static void
on_search_superseded_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search_finish (CS_LIBRARY (source), result, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (list);
  ((AsyncState *) data)->done++;
}

static void
on_search_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search_finish (CS_LIBRARY (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (cs_photo_list_get_n_items (list), >, 0);
  ((AsyncState *) data)->done++;
}

static void
iterate_until (guint *counter,
               guint  value)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*counter < value && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (*counter, >=, value);
}

/* The library follows the indexer: new photos, moved ones, removed ones;
 * refreshes coalesce; a newer search supersedes an older one. */
static void
test_refresh (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autofree char *src = g_build_filename (search_test_toy_photos, "photo-0001.png", NULL);
  g_autofree char *src2 = g_build_filename (search_test_toy_photos, "photo-0002.png", NULL);
  g_autofree char *p1 = g_build_filename (photos, "one.png", NULL);
  g_autofree char *p2 = g_build_filename (photos, "two.png", NULL);
  g_autofree char *p2b = g_build_filename (photos, "renamed.png", NULL);
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  AsyncState st = { 0 };
  g_autofree char *data = NULL;
  gsize len;

  g_mkdir_with_parents (photos, 0755);
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (p1, data, (gssize) len, NULL));
  index_folder (db, photos);

  library = cs_library_new (db, NULL);
  g_signal_connect (library, "changed", G_CALLBACK (on_changed_cb), &st);
  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_cmpuint (cs_library_get_n_photos (library), ==, 1);
  g_assert_cmpuint (st.changed, ==, 1);

  /* nothing changed: a refresh says so */
  g_assert_true (cs_library_refresh (library, NULL, &error));
  g_assert_cmpuint (st.changed, ==, 1);

  /* a new photo */
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (src2, &data, &len, NULL));
  g_assert_true (g_file_set_contents (p2, data, (gssize) len, NULL));
  index_folder (db, photos);
  /* three refreshes at once: one runs, the others ride on one more */
  cs_library_refresh_async (library, NULL, on_refresh_cb, &st);
  cs_library_refresh_async (library, NULL, on_refresh_cb, &st);
  cs_library_refresh_async (library, NULL, on_refresh_cb, &st);
  iterate_until (&st.done, 3);
  g_assert_cmpuint (cs_library_get_n_photos (library), ==, 2);
  g_assert_cmpuint (st.changed, ==, 2);

  /* a rename keeps the photo, with its new path */
  g_assert_cmpint (g_rename (p2, p2b), ==, 0);
  index_folder (db, photos);
  g_assert_true (cs_library_refresh (library, NULL, &error));
  g_assert_cmpuint (cs_library_get_n_photos (library), ==, 2);
  {
    g_autoptr(CsPhoto) moved = cs_library_lookup_path (library, p2b);
    g_autoptr(CsPhoto) old = cs_library_lookup_path (library, p2);

    g_assert_nonnull (moved);
    g_assert_null (old);
  }

  /* a removal */
  g_assert_cmpint (g_unlink (p1), ==, 0);
  index_folder (db, photos);
  g_assert_true (cs_library_refresh (library, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_library_get_n_photos (library), ==, 1);
  g_assert_cmpuint (st.changed, ==, 4);

  /* the newest search wins */
  {
    g_autoptr(CsQuery) q1 = cs_query_new ("a red circle");
    g_autoptr(CsQuery) q2 = cs_query_new ("a blue square");

    st.done = 0;
    cs_library_search_async (library, q1, NULL, on_search_superseded_cb, &st);
    cs_library_search_async (library, q2, NULL, on_search_cb, &st);
    iterate_until (&st.done, 2);
  }
  g_clear_object (&library);
  test_rm_rf (dir);
}

static void
test_not_loaded (void)
{
  g_autoptr(CsLibrary) library = cs_library_new (search_test_db_path, NULL);
  g_autoptr(CsQuery) query = cs_query_new ("a red circle");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search (library, query, NULL, &error);

  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED);
  g_assert_null (list);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *queries_path = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  search_test_toy_model = test_shared_path_or_skip ("models/toy-clip");
  search_test_toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  queries_path = g_build_filename (search_test_toy_photos, "queries.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, queries_path, &error));
  search_test_queries = json_node_copy (json_parser_get_root (parser));

  search_test_work_dir = test_make_temp_dir ();
  search_test_db_path = g_build_filename (search_test_work_dir, "library.db", NULL);
  make_library ();
  a = g_build_filename (search_test_work_dir, "a", NULL);
  b = g_build_filename (search_test_work_dir, "b", NULL);
  {
    g_autoptr(CsIndexer) indexer = cs_indexer_new (search_test_db_path, search_test_toy_model);
    g_autoptr(CsIndexSummary) summary = NULL;

    cs_indexer_add_folder (indexer, a);
    cs_indexer_add_folder (indexer, b);
    summary = cs_indexer_rescan (indexer, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (summary->added, ==, 240);
  }

  g_test_add_func ("/library/search/parse-terms", test_parse_terms);
  g_test_add_func ("/library/search/query-copy", test_query_copy);
  search_test_add_scan ();
  search_test_add_queries ();
  search_test_add_large ();
  search_test_add_cutoff ();
  g_test_add_func ("/library/search/refresh", test_refresh);
  g_test_add_func ("/library/search/not-loaded", test_not_loaded);
  rc = g_test_run ();

  test_rm_rf (search_test_work_dir);
  g_free (search_test_work_dir);
  g_free (search_test_db_path);
  g_free (search_test_toy_model);
  g_free (search_test_toy_photos);
  json_node_unref (search_test_queries);
  return rc;
}
