/* test-search.c - CsLibrary's search end to end, and the scan beneath it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The toy photos of ../shared are indexed with the real indexer and the
 * toy CLIP (skipped without ../shared), in two folders with different
 * dates; the queries of queries.json are then checked against the
 * reference's precision@10 and the adaptive cutoff against the relevant
 * lists.  The scan's kernels and its int8 first pass are checked against
 * plain float32 on random vectors too.  Synthetic libraries of 30,000
 * photos (vectors written through the store, as bench-startup does)
 * check that nothing caps a result list: the loosest strictness lists
 * every photo, by score or by date, and an accepted set larger than the
 * scan's head is listed whole.
 */
#include <math.h>
#include <string.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-decode.h"
#include "cs-file-hash.h"
#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-library-private.h"
#include "cs-store.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;
static char *work_dir;     /* the library: work_dir/a (2020), work_dir/b (2023) */
static char *db_path;
static JsonNode *queries;

#define DATE_A 1577880000  /* 2020-01-01 12:00 UTC */
#define DATE_B 1685620800  /* 2023-06-01 12:00 UTC */

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
  g_autoptr(GDir) d = g_dir_open (toy_photos, 0, NULL);
  g_autofree char *a = g_build_filename (work_dir, "a", NULL);
  g_autofree char *b = g_build_filename (work_dir, "b", NULL);
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
      src = g_build_filename (toy_photos, name, NULL);
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
  g_autoptr(CsIndexer) indexer = cs_indexer_new (db, toy_model);
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  cs_indexer_add_folder (indexer, folder);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->failed, ==, 0);
}

static CsLibrary *
open_library (void)
{
  g_autoptr(CsLibrary) library = cs_library_new (db_path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_library_get_loaded (library));
  g_assert_true (cs_library_get_has_model (library));
  return g_steal_pointer (&library);
}

static CsPhotoList *
search (CsLibrary *library,
        CsQuery   *query)
{
  g_autoptr(GError) error = NULL;
  CsPhotoList *list = cs_library_search (library, query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static CsPhotoList *
search_text (CsLibrary  *library,
             const char *text,
             guint       limit)
{
  g_autoptr(CsQuery) query = cs_query_new (text);

  cs_query_set_limit (query, limit);
  return search (library, query);
}

static char *
base_name (CsPhoto *photo)
{
  return g_path_get_basename (cs_photo_get_path (photo));
}

/* labels.csv: file -> "shapes,colours" fields */
static GHashTable *
read_labels_csv (void)
{
  g_autofree char *path = g_build_filename (toy_photos, "labels.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 4);
      if (g_strv_length (f) < 3)
        continue;
      g_hash_table_insert (table, g_strdup (f[0]), g_strdupv ((char *[]) { f[1], f[2], NULL }));
    }
  return table;
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

static void
test_kernels (void)
{
  const guint sizes[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 512, 1000 };
  GRand *rand = g_rand_new_with_seed (11);

  g_test_message ("vector kernels: %s", clip_vec_isa_name ());
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint offset = 0; offset < 3; offset++)
      {
        int dim = (int) sizes[s];
        guint n = 9, stride = dim + offset;
        g_autofree float *m = g_new0 (float, n * stride + offset + 1);
        g_autofree float *q = g_new0 (float, dim + offset + 1);
        g_autofree gint8 *m8 = g_new0 (gint8, n * stride + offset + 1);
        g_autofree gint8 *q8 = g_new0 (gint8, dim + offset + 1);
        float out[9];
        gint32 out8[9];

        for (guint i = 0; i < n * stride + offset; i++)
          {
            m[i] = (float) g_rand_double_range (rand, -1, 1);
            m8[i] = (gint8) g_rand_int_range (rand, -127, 128);
          }
        for (int i = 0; i < dim + (int) offset; i++)
          {
            q[i] = (float) g_rand_double_range (rand, -1, 1);
            q8[i] = (gint8) g_rand_int_range (rand, -127, 128);
          }
        /* misaligned starts */
        clip_vec_dot_rows_f32 (m + offset, stride, n, q + offset, dim, out);
        clip_vec_dot_rows_i8 (m8 + offset, stride, n, q8 + offset, dim, out8);
        for (guint r = 0; r < n; r++)
          {
            double ref = 0;
            gint32 ref8 = 0;

            for (int d = 0; d < dim; d++)
              {
                ref += (double) m[offset + r * stride + d] * q[offset + d];
                ref8 += (gint32) m8[offset + r * stride + d] * q8[offset + d];
              }
            g_assert_cmpfloat (fabs (out[r] - ref), <=, 1e-5 * (1 + sqrt (dim)));
            g_assert_cmpint (out8[r], ==, ref8);
          }
      }

  /* quantisation: the error bound it reports holds */
  {
    float v[100], scale, err;
    gint8 o[100];
    double e2 = 0;

    for (int i = 0; i < 100; i++)
      v[i] = (float) g_rand_double_range (rand, -0.3, 0.3);
    clip_vec_quantize_i8 (v, 100, o, &scale, &err);
    for (int i = 0; i < 100; i++)
      {
        g_assert_cmpint (o[i], >=, -127);
        g_assert_cmpint (o[i], <=, 127);
        e2 += (v[i] - scale * o[i]) * (v[i] - scale * o[i]);
      }
    g_assert_cmpfloat (fabs (sqrt (e2) - err), <=, 1e-6);
  }
  g_rand_free (rand);
}

/* Random unit vectors as an index. */
static CsVectorIndex *
random_index (guint   n,
              int     dim,
              guint32 seed)
{
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
  g_autofree float *v = g_new (float, dim);
  GRand *rand = g_rand_new_with_seed (seed);
  CsVectorIndex *index;
  CsSegment *segment;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/r/%u.jpg", i);
      CsStorePhoto p = { .id = i + 1, .path = path, .taken_unix = i };
      double norm = 0;

      for (int d = 0; d < dim; d++)
        {
          v[d] = (float) g_rand_double_range (rand, -1, 1);
          norm += v[d] * v[d];
        }
      for (int d = 0; d < dim; d++)
        v[d] = (float) (v[d] / sqrt (norm));
      _cs_segment_builder_add (b, &p, v);
    }
  segment = _cs_segment_builder_end (g_steal_pointer (&b));
  index = _cs_vector_index_new (dim, 1, "random", 1, segment);
  _cs_segment_unref (segment);
  g_rand_free (rand);
  return index;
}

/* The int8 pass never changes the float32 ranking of the best `rank`. */
static void
check_same_ranking (CsVectorIndex *index,
                    const float   *query,
                    guint          rank)
{
  CsScanParams p = { .query = query, .after = G_MININT64, .before = G_MAXINT64,
                     .head = MIN (_cs_vector_index_n_live (index), rank * 4), .rank = rank };
  CsScanResult fast, exact;

  g_assert_true (_cs_vector_index_scan (index, &p, NULL, &fast));
  p.exact = TRUE;
  g_assert_true (_cs_vector_index_scan (index, &p, NULL, &exact));
  g_assert_cmpuint (fast.n_matched, ==, exact.n_matched);
  for (guint i = 0; i < MIN (rank, exact.n); i++)
    {
      g_assert_cmpuint (fast.rows[i], ==, exact.rows[i]);
      g_assert_cmpfloat (fast.scores[i], ==, exact.scores[i]);
    }
  /* and the exact pass is the plain brute force */
  for (guint i = 0; i + 1 < exact.n; i++)
    g_assert_cmpfloat (exact.scores[i], >=, exact.scores[i + 1]);
  _cs_scan_result_clear (&fast);
  _cs_scan_result_clear (&exact);
}

static void
test_int8_ranking_random (void)
{
  g_autoptr(CsVectorIndex) index = random_index (50000, 512, 3);
  GRand *rand = g_rand_new_with_seed (5);
  float q[512];

  for (int t = 0; t < 20; t++)
    {
      double norm = 0;

      for (int d = 0; d < 512; d++)
        {
          q[d] = (float) g_rand_double_range (rand, -1, 1);
          norm += q[d] * q[d];
        }
      for (int d = 0; d < 512; d++)
        q[d] = (float) (q[d] / sqrt (norm));
      check_same_ranking (index, q, 100);
    }
  /* a query equal to a row: that row first, at 1 */
  {
    CsScanParams p = { .query = _cs_vector_index_vector (index, 1234), .after = G_MININT64,
                       .before = G_MAXINT64, .head = 400, .rank = 100 };
    CsScanResult r;

    g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
    g_assert_cmpuint (r.rows[0], ==, 1234);
    g_assert_cmpfloat_with_epsilon (r.scores[0], 1.0, 1e-5);
    _cs_scan_result_clear (&r);
  }
  g_rand_free (rand);
}

/* The `k` best rows for `query`, by a brute force in double precision
 * written here, independent of the scan's kernels and its int8 pass. */
static guint *
brute_force_top (CsVectorIndex *index,
                 const float   *query,
                 guint          k)
{
  guint n = _cs_vector_index_n_rows (index);
  int dim = _cs_vector_index_dim (index);
  g_autofree double *score = g_new (double, n);
  guint *top = g_new (guint, k);
  g_autofree gboolean *taken = g_new0 (gboolean, n);

  for (guint r = 0; r < n; r++)
    {
      const float *v = _cs_vector_index_vector (index, r);
      double s = 0;

      for (int d = 0; d < dim; d++)
        s += (double) v[d] * query[d];
      score[r] = s;
    }
  for (guint i = 0; i < k; i++)
    {
      guint best = G_MAXUINT;

      for (guint r = 0; r < n; r++)
        if (!taken[r] && (best == G_MAXUINT || score[r] > score[best]))
          best = r;
      taken[best] = TRUE;
      top[i] = best;
    }
  return top;
}

/* The int8 pass and its proof, against the brute force above: on random
 * vectors (where the proof holds and the int8 pass answers), and on an
 * index built so that int8 ranks the rows in the reverse of their true
 * order: the proof must fail there and the scan fall back to float32.
 * Without the proof (*proven always TRUE) the scan would answer the int8
 * pass's wrong rows.
 *
 * The adversarial rows: v = (x, sqrt(1 - x^2), 0, ...) with x in
 * [0.298, 0.302], the query e0.  Each row's int8 scale is its largest
 * component over 127, sqrt(1 - x^2) / 127, and its first component's
 * code is round(127 x / sqrt(1 - x^2)) = 40 for every row (39.6 to 40.2);
 * so its int8 score, 40 sqrt(1 - x^2) / 127, falls as the true score x
 * rises.  With 3000 such rows and a head of 10 (the int8 pass keeps 76),
 * the int8 pass keeps the 76 worst rows. */
static void
test_int8_proof (void)
{
  const int dim = 64;
  const guint k = 10;

  /* random: the int8 pass must give the brute force's best k */
  {
    g_autoptr(CsVectorIndex) index = random_index (20000, dim, 11);
    GRand *rand = g_rand_new_with_seed (13);
    float q[64];

    for (int t = 0; t < 10; t++)
      {
        double norm = 0;
        CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64, .head = 200, .rank = k };
        CsScanResult r;
        g_autofree guint *top = NULL;

        for (int d = 0; d < dim; d++)
          {
            q[d] = (float) g_rand_double_range (rand, -1, 1);
            norm += q[d] * q[d];
          }
        for (int d = 0; d < dim; d++)
          q[d] = (float) (q[d] / sqrt (norm));
        top = brute_force_top (index, q, k);
        g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
        g_assert_cmpuint (r.n, >=, k);
        for (guint i = 0; i < k; i++)
          g_assert_cmpuint (r.rows[i], ==, top[i]);
        _cs_scan_result_clear (&r);
      }
    g_rand_free (rand);
  }

  /* adversarial: the proof must fail, and the fall-back answer */
  {
    const guint n = 3000;
    g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
    g_autofree float *v = g_new0 (float, dim);
    g_autofree float *q = g_new0 (float, dim);
    g_autoptr(CsVectorIndex) index = NULL;
    g_autofree guint *top = NULL;
    CsSegment *segment;
    CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64, .head = k, .rank = k };
    CsScanResult r;

    for (guint i = 0; i < n; i++)
      {
        g_autofree char *path = g_strdup_printf ("/adv/%u.jpg", i);
        CsStorePhoto ph = { .id = i + 1, .path = path, .taken_unix = i };
        double x = 0.298 + 0.004 * i / (n - 1);

        v[0] = (float) x;
        v[1] = (float) sqrt (1 - x * x);
        /* the premise: one int8 code for every row's first component */
        g_assert_cmpint ((int) lround (127.0 * v[0] / v[1]), ==, 40);
        _cs_segment_builder_add (b, &ph, v);
      }
    segment = _cs_segment_builder_end (g_steal_pointer (&b));
    index = _cs_vector_index_new (dim, 1, "adversarial", 1, segment);
    _cs_segment_unref (segment);
    q[0] = 1.0f;

    top = brute_force_top (index, q, k);
    /* the truth: the last rows, best last */
    g_assert_cmpuint (top[0], ==, n - 1);
    g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
    g_assert_true (r.fell_back);
    g_assert_cmpuint (r.n, >=, k);
    for (guint i = 0; i < k; i++)
      g_assert_cmpuint (r.rows[i], ==, top[i]);
    _cs_scan_result_clear (&r);
  }
}

static gboolean
add_row_cb (const CsStorePhoto *photo,
            const float        *vector,
            int                 dim,
            gpointer            data)
{
  _cs_segment_builder_add (data, photo, vector);
  return TRUE;
}

/* The same on the toy library, with the reference's query embeddings, and
 * a head small enough that the int8 pass must leave rows out. */
static void
test_int8_ranking_toy (void)
{
  g_autoptr(CsStore) store = cs_store_open (db_path, NULL);
  g_autofree char *active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, NULL);
  g_autofree char *ref_path = g_build_filename (toy_photos, "reference_embeddings.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CsVectorIndex) index = NULL;
  JsonObject *texts;
  GList *names;
  int dim = 0;
  gint64 row = cs_store_lookup_model (store, active, &dim, NULL);
  CsSegmentBuilder *b = _cs_segment_builder_new (dim, 0);
  CsSegment *segment;
  gint64 change;

  g_assert_true (cs_store_foreach_indexed_photo (store, row, 0, add_row_cb, b, &change, NULL, NULL));
  segment = _cs_segment_builder_end (b);
  index = _cs_vector_index_new (dim, row, active, change, segment);
  _cs_segment_unref (segment);
  g_assert_cmpuint (_cs_vector_index_n_live (index), ==, 240);

  g_assert_true (json_parser_load_from_file (parser, ref_path, NULL));
  texts = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "texts");
  names = json_object_get_members (texts);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonArray *e = json_object_get_array_member (texts, l->data);
      g_autofree float *q = g_new (float, dim);

      g_assert_cmpuint (json_array_get_length (e), ==, (guint) dim);
      for (int d = 0; d < dim; d++)
        q[d] = (float) json_array_get_double_element (e, d);
      /* head 100 of 240 + the int8 margin: the pass must prove the order */
      check_same_ranking (index, q, 25);
      {
        CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64, .head = 100, .rank = 100 };
        CsScanResult fast, exact;

        g_assert_true (_cs_vector_index_scan (index, &p, NULL, &fast));
        p.exact = TRUE;
        g_assert_true (_cs_vector_index_scan (index, &p, NULL, &exact));
        for (guint i = 0; i < 100; i++)
          g_assert_cmpuint (fast.rows[i], ==, exact.rows[i]);
        _cs_scan_result_clear (&fast);
        _cs_scan_result_clear (&exact);
      }
    }
  g_list_free (names);
}

static void
test_index_updates (void)
{
  g_autoptr(CsVectorIndex) base = random_index (1000, 16, 7);
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (16, 0);
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CsVectorIndex) next = NULL;
  float v[16] = { 1 };
  CsStorePhoto replaced = { .id = 10, .path = (char *) "/r/moved.jpg" };
  CsStorePhoto added = { .id = 5000, .path = (char *) "/r/new.jpg" };
  gint64 gone = 20;
  CsPhotoMeta meta;
  guint row;

  _cs_segment_builder_add (b, &replaced, v);
  _cs_segment_builder_add (b, &added, v);
  g_array_append_val (removed, gone);
  CsSegment *segment = _cs_segment_builder_end (g_steal_pointer (&b));
  g_assert_cmpuint (_cs_vector_index_count_new (base, segment), ==, 1);
  next = _cs_vector_index_update (base, segment, removed, 2);
  _cs_segment_unref (segment);

  g_assert_cmpuint (_cs_vector_index_n_live (base), ==, 1000);
  g_assert_cmpuint (_cs_vector_index_n_live (next), ==, 1000);
  g_assert_true (_cs_vector_index_find (next, 10, &row));
  _cs_vector_index_meta (next, row, &meta);
  g_assert_cmpstr (meta.path, ==, "/r/moved.jpg");
  g_assert_false (_cs_vector_index_find (next, 20, &row));
  g_assert_true (_cs_vector_index_find (next, 5000, &row));
  g_assert_true (_cs_vector_index_find (base, 20, &row));

  /* many small updates stay a few segments, and stay right */
  g_autoptr(CsVectorIndex) cur = _cs_vector_index_ref (next);
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(CsSegmentBuilder) bb = _cs_segment_builder_new (16, 0);
      CsStorePhoto p = { .id = 6000 + i, .path = (char *) "/r/x.jpg" };
      CsSegment *s;
      CsVectorIndex *n2;

      _cs_segment_builder_add (bb, &p, v);
      s = _cs_segment_builder_end (g_steal_pointer (&bb));
      n2 = _cs_vector_index_update (cur, s, NULL, 3 + i);
      _cs_segment_unref (s);
      _cs_vector_index_unref (cur);
      cur = n2;
    }
  g_assert_cmpuint (_cs_vector_index_n_live (cur), ==, 1040);
  for (int i = 0; i < 40; i++)
    g_assert_true (_cs_vector_index_find (cur, 6000 + i, &row));
  g_assert_true (_cs_vector_index_find (cur, 999, &row));
}

static void
test_precision_and_cutoff (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  JsonArray *qs = json_object_get_array_member (json_node_get_object (queries), "queries");
  double sum_p = 0, sum_r = 0, sum_p10 = 0;
  guint n = json_array_get_length (qs);

  g_assert_cmpuint (cs_library_get_n_photos (library), ==, 240);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *q = json_array_get_object_element (qs, i);
      const char *text = json_object_get_string_member (q, "query");
      JsonArray *rel_a = json_object_get_array_member (q, "relevant");
      double ref = json_object_get_double_member (json_object_get_object_member (q, "reference"),
                                                  "precision_at_10");
      g_autoptr(GHashTable) rel = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(CsPhotoList) list = search_text (library, text, 0);
      guint hits = 0, tp = 0, fp = 0;

      for (guint j = 0; j < json_array_get_length (rel_a); j++)
        g_hash_table_add (rel, (gpointer) json_array_get_string_element (rel_a, j));
      g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, 240);
      g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 240);
      for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
        {
          CsPhoto *photo = cs_photo_list_get_photo (list, j);
          g_autofree char *name = base_name (photo);
          gboolean is_rel = g_hash_table_contains (rel, name);

          if (j < 10)
            hits += is_rel;
          if (cs_photo_get_accepted (photo))
            {
              tp += is_rel;
              fp += !is_rel;
              /* accepted photos are a prefix of a relevance list */
              g_assert_cmpfloat (cs_photo_get_score (photo), >=, cs_photo_list_get_cutoff (list));
            }
          if (j > 0)
            {
              CsPhoto *prev = cs_photo_list_get_photo (list, j - 1);

              g_assert_cmpfloat (cs_photo_get_score (photo), <=, cs_photo_get_score (prev));
              g_assert_true (cs_photo_get_accepted (prev) || !cs_photo_get_accepted (photo));
            }
        }
      g_test_message ("%-30s P@10 %.2f (reference %.2f)  accepted %u: precision %.2f recall %.2f",
                      text, hits / 10.0, ref, tp + fp, tp / (double) MAX (tp + fp, 1),
                      tp / (double) g_hash_table_size (rel));
      g_assert_cmpfloat (hits / 10.0, >=, ref - 0.05 - 1e-9);
      g_assert_cmpuint (tp, >, fp);
      g_assert_cmpuint (cs_photo_list_get_n_accepted (list), ==, tp + fp);
      sum_p10 += hits / 10.0;
      sum_p += tp / (double) (tp + fp);
      sum_r += tp / (double) g_hash_table_size (rel);
    }
  g_test_message ("mean P@10 %.3f; accepted sets: mean precision %.3f, mean recall %.3f",
                  sum_p10 / n, sum_p / n, sum_r / n);
}

static void
test_strictness (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  const double levels[] = { -1.0, -0.5, 0.0, 0.5, 1.0 };
  guint last = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autoptr(CsQuery) query = cs_query_new ("a red shape");
      g_autoptr(CsPhotoList) list = NULL;

      cs_query_set_strictness (query, levels[i]);
      list = search (library, query);
      g_assert_cmpuint (cs_photo_list_get_n_accepted (list), <=, last);
      last = cs_photo_list_get_n_accepted (list);
      if (levels[i] == 1.0)
        g_assert_cmpuint (last, ==, 1);
    }
}

static void
test_composed (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GHashTable) truth = read_labels_csv ();
  g_autoptr(CsPhotoList) list = search_text (library, "red - circle", 0);
  g_autoptr(CsPhotoList) plain = search_text (library, "red", 0);
  double rank_circle = 0, rank_other = 0;
  guint n_circle = 0, n_other = 0, top_other = 0, top_circle = 0;

  for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
    {
      g_autofree char *name = base_name (cs_photo_list_get_photo (list, j));
      char **f = g_hash_table_lookup (truth, name);
      gboolean red_circle = FALSE, red_other = FALSE;
      g_auto(GStrv) shapes = g_strsplit (f[0], ";", -1);
      g_auto(GStrv) colours = g_strsplit (f[1], ";", -1);

      for (guint k = 0; shapes[k] != NULL && colours[k] != NULL; k++)
        if (g_str_equal (colours[k], "red"))
          {
            if (g_str_equal (shapes[k], "circle"))
              red_circle = TRUE;
            else
              red_other = TRUE;
          }
      if (red_circle && !red_other)
        {
          rank_circle += j;
          n_circle++;
          top_circle += j < 20;
        }
      else if (red_other && !red_circle)
        {
          rank_other += j;
          n_other++;
          top_other += j < 20;
        }
    }
  g_assert_cmpuint (n_circle, >, 0);
  g_assert_cmpuint (n_other, >, 0);
  g_test_message ("red - circle: mean rank of red circles %.1f, of other red shapes %.1f; "
                  "in the top 20: %u circles, %u others",
                  rank_circle / n_circle, rank_other / n_other, top_circle, top_other);
  g_assert_cmpfloat (rank_other / n_other, <, rank_circle / n_circle);
  g_assert_cmpuint (top_other, >, top_circle);
  g_assert_cmpuint (top_circle, ==, 0);

  /* weights: "3:red" is "red" */
  {
    g_autoptr(CsPhotoList) weighted = search_text (library, "3:red", 10);
    for (guint j = 0; j < 10; j++)
      g_assert_cmpint (cs_photo_get_id (cs_photo_list_get_photo (weighted, j)), ==,
                       cs_photo_get_id (cs_photo_list_get_photo (plain, j)));
  }
  /* terms that cancel out are an error, not noise */
  {
    g_autoptr(CsQuery) query = cs_query_new ("red - red");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsPhotoList) none = cs_library_search (library, query, NULL, &error);

    g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY);
    g_assert_null (none);
  }
}

static void
test_similar (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(CsPhotoList) any = search_text (library, "a blue ring", 30);

  for (guint j = 0; j < 30; j += 3)
    {
      CsPhoto *photo = cs_photo_list_get_photo (any, j);
      g_autoptr(CsQuery) query = cs_query_new_similar (cs_photo_get_id (photo));
      g_autoptr(CsPhotoList) list = search (library, query);
      CsPhoto *first = cs_photo_list_get_photo (list, 0);

      g_assert_cmpint (cs_photo_get_id (first), ==, cs_photo_get_id (photo));
      g_assert_cmpfloat_with_epsilon (cs_photo_get_score (first), 1.0, 1e-4);
      g_assert_true (cs_photo_get_accepted (first));
    }

  /* the same file outside the library, through the image encoder */
  {
    CsPhoto *photo = cs_photo_list_get_photo (any, 0);
    g_autoptr(CsQuery) query = cs_query_new (NULL);
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_image_path (query, cs_photo_get_path (photo));
    list = search (library, query);
    g_assert_cmpint (cs_photo_get_id (cs_photo_list_get_photo (list, 0)), ==, cs_photo_get_id (photo));
    g_assert_cmpfloat (cs_photo_get_score (cs_photo_list_get_photo (list, 0)), >, 0.999);
  }

  /* an unknown photo */
  {
    g_autoptr(CsQuery) query = cs_query_new_similar (987654);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsPhotoList) none = cs_library_search (library, query, NULL, &error);

    g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_PHOTO);
    g_assert_null (none);
  }
}

/* `path` embedded in `precision` straight through the engine (as the
 * indexer does: cs_decode_file_to_tensor, one image), normalised. */
static float *
embed_in (const char     *path,
          clip_precision  precision,
          int            *dim)
{
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  g_autoptr(GError) error = NULL;
  g_autofree float *pixels = NULL;
  float *v;

  g_assert_cmpint (clip_model_load_for (toy_model, precision, CLIP_TOWER_VISION, &model, NULL), ==,
                   CLIP_STATUS_OK);
  params.precision = precision;
  g_assert_cmpint (clip_ctx_new (model, &params, &ctx, NULL), ==, CLIP_STATUS_OK);
  pixels = g_new (float, clip_model_image_floats (model));
  g_assert_true (cs_decode_file_to_tensor (path, clip_model_get_preprocess (model), pixels, &error));
  g_assert_no_error (error);
  *dim = clip_model_get_info (model)->embed_dim;
  v = g_new (float, *dim);
  g_assert_cmpint (clip_encode_images (ctx, pixels, 1, v, NULL), ==, CLIP_STATUS_OK);
  clip_normalize (v, *dim);
  clip_ctx_free (ctx);
  clip_model_free (model);
  return v;
}


/* An example photo is embedded in the precision the run-time check kept
 * for the model (the one the indexer uses), not the unchecked default:
 * with a kept check saying bf16, the query's vector is a bf16 one.  The
 * library's vectors are float32 ones here, so the photo's own score is
 * the cosine of its bf16 and float32 vectors, computed here. */
static void
test_similar_precision (void)
{
  g_autofree char *forced = g_strdup (g_getenv ("CLIPSIGHT_PRECISION"));
  g_autoptr(GError) error = NULL;
  g_autofree float *f32 = NULL, *bf16 = NULL, *dflt = NULL;
  g_autofree char *path = NULL;
  double want, other;
  gboolean found = FALSE;
  int dim;

  /* the check runs (and is kept) only when no precision is forced */
  g_unsetenv ("CLIPSIGHT_PRECISION");
  {
    g_autoptr(CsStore) store = cs_store_open (db_path, &error);
    g_autofree char *value = NULL, *fake = NULL;
    /* as the indexer names it (CsIndexer:model-dir is canonicalised) */
    g_autofree char *canon = g_canonicalize_filename (toy_model, NULL);
    CsPrecisionCheck check;

    g_assert_no_error (error);
    g_assert_true (cs_clip_check_precision (canon, store, &check, NULL, &error));
    g_assert_no_error (error);
    value = cs_store_dup_setting (store, "precision-check", &error);
    g_assert_nonnull (value);
    g_assert_nonnull (strchr (value, '\n'));
    fake = g_strdup_printf ("%.*s\nbf16\nint8=0.5 bf16=0.9999", (int) (strchr (value, '\n') - value), value);
    g_assert_true (cs_store_set_setting (store, "precision-check", fake, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(CsLibrary) library = open_library ();
    g_autoptr(CsPhotoList) any = search_text (library, "a blue ring", 40);
    g_autoptr(CsQuery) query = cs_query_new (NULL);
    g_autoptr(CsPhotoList) list = NULL;
    CsPhoto *photo = NULL;

    /* a PNG: its decode is exact, so the stored vector is the float32 one */
    for (guint j = 0; j < cs_photo_list_get_n_items (any) && photo == NULL; j++)
      if (g_str_has_suffix (cs_photo_get_path (cs_photo_list_get_photo (any, j)), ".png"))
        photo = cs_photo_list_get_photo (any, j);
    g_assert_nonnull (photo);
    path = g_strdup (cs_photo_get_path (photo));
    f32 = embed_in (path, CLIP_PRECISION_F32, &dim);
    bf16 = embed_in (path, CLIP_PRECISION_BF16, &dim);
    dflt = embed_in (path, cs_clip_indexing_precision (), &dim);
    want = test_cosine (bf16, f32, (size_t) dim);
    other = test_cosine (dflt, f32, (size_t) dim);

    cs_query_set_image_path (query, path);
    cs_query_set_limit (query, 0);
    list = search (library, query);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      if (cs_photo_get_id (cs_photo_list_get_photo (list, j)) == cs_photo_get_id (photo))
        {
          double got = cs_photo_get_score (cs_photo_list_get_photo (list, j));

          g_test_message ("%s: score %.7f; bf16 vs f32 %.7f, default (%s) vs f32 %.7f", path, got, want,
                          clip_precision_name (cs_clip_indexing_precision ()), other);
          g_assert_cmpfloat_with_epsilon (got, want, 2e-6);
          found = TRUE;
        }
    g_assert_true (found);
    /* where the default is bf16 too, this proves only that bf16 is used */
    if (cs_clip_indexing_precision () != CLIP_PRECISION_BF16)
      g_assert_cmpfloat (fabs (other - want), >, 1e-5);
  }
  if (forced != NULL)
    g_setenv ("CLIPSIGHT_PRECISION", forced, TRUE);
}

static void
test_filters (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autofree char *a = g_build_filename (work_dir, "a", NULL);
  g_autofree char *a_slash = g_strconcat (a, "/", NULL);

  /* folder */
  {
    g_autoptr(CsQuery) query = cs_query_new ("a yellow star");
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_folder (query, a);
    cs_query_set_limit (query, 0);
    list = search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 120);
    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, 120);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      g_assert_true (g_str_has_prefix (cs_photo_get_path (cs_photo_list_get_photo (list, j)), a_slash));
  }
  /* dates: after is inclusive, before exclusive */
  {
    g_autoptr(CsQuery) query = cs_query_new ("a yellow star");
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_after (query, DATE_B);
    cs_query_set_limit (query, 0);
    list = search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 120);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      g_assert_cmpint (cs_photo_get_taken (cs_photo_list_get_photo (list, j)), ==, DATE_B);

    cs_query_set_after (query, G_MININT64);
    cs_query_set_before (query, DATE_B);
    g_clear_object (&list);
    list = search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 120);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      g_assert_cmpint (cs_photo_get_taken (cs_photo_list_get_photo (list, j)), ==, DATE_A);
  }
  /* sorted by date: the accepted ones only, newest first */
  {
    g_autoptr(CsQuery) query = cs_query_new ("a photo of a ring");
    g_autoptr(CsPhotoList) by_score = search_text (library, "a photo of a ring", 0);
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_sort (query, CS_SORT_DATE);
    list = search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, cs_photo_list_get_n_accepted (by_score));
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      {
        CsPhoto *photo = cs_photo_list_get_photo (list, j);

        g_assert_true (cs_photo_get_accepted (photo));
        if (j > 0)
          g_assert_cmpint (cs_photo_get_taken (photo), <=,
                           cs_photo_get_taken (cs_photo_list_get_photo (list, j - 1)));
      }
  }
}

/* ------------------------------------------------- synthetic libraries */

#define SYNTH_N 30000
#define SYNTH_DIM 64        /* the toy model's */
#define SYNTH_FOLDERS 12

typedef struct {
  char   *dir;
  char   *db;
  guint   n;
  float  *vectors;   /* n x SYNTH_DIM, unit rows, as stored */
  gint64 *ids;
  gint64 *taken;
  guint  *folder;
} Synth;

static void
synth_free (Synth *s)
{
  test_rm_rf (s->dir);
  g_free (s->dir);
  g_free (s->db);
  g_free (s->vectors);
  g_free (s->ids);
  g_free (s->taken);
  g_free (s->folder);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Synth, synth_free)

static void
unit (float *v)
{
  double norm = 0;

  for (int d = 0; d < SYNTH_DIM; d++)
    norm += (double) v[d] * v[d];
  for (int d = 0; d < SYNTH_DIM; d++)
    v[d] = (float) (v[d] / sqrt (norm));
}

/* A database of `n` photos whose vectors `vectors` holds (unit rows),
 * tagged with the toy model so that the library loads them and embeds
 * text queries with it; dates are hours in a span of 200 days (so many
 * photos share one), in SYNTH_FOLDERS folders below /nonexistent. */
static Synth *
synth_new (guint   n,
           float  *vectors,
           guint32 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autofree char *model_id = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Synth *s = g_new0 (Synth, 1);
  gint64 row;

  s->dir = test_make_temp_dir ();
  s->db = g_build_filename (s->dir, "synthetic.db", NULL);
  s->n = n;
  s->vectors = vectors;
  s->ids = g_new (gint64, n);
  s->taken = g_new (gint64, n);
  s->folder = g_new (guint, n);
  store = cs_store_open (s->db, &error);
  g_assert_no_error (error);
  model_id = cs_model_id_for_dir (toy_model, NULL, &error);
  g_assert_no_error (error);
  row = cs_store_ensure_model (store, model_id, "toy-clip", SYNTH_DIM, "f32", &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, model_id, &error));
  g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_MODEL_DIR, toy_model, &error));
  g_assert_true (cs_store_add_folder (store, "/nonexistent/synthetic", FALSE, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *hash = g_strdup_printf ("%032x", i);
      CsStorePhoto photo = { 0 };

      s->folder[i] = (guint) g_rand_int_range (rand, 0, SYNTH_FOLDERS);
      s->taken[i] = 1600000000 + 3600 * (gint64) g_rand_int_range (rand, 0, 24 * 200);
      path = g_strdup_printf ("/nonexistent/synthetic/f%02u/photo-%06u.jpg", s->folder[i], i);
      photo.path = path;
      photo.size = 1000 + i;
      photo.mtime_us = s->taken[i] * G_USEC_PER_SEC;
      photo.hash = hash;
      photo.width = 4000;
      photo.height = 3000;
      photo.taken_unix = s->taken[i];
      photo.state = CS_STORE_PHOTO_STATE_INDEXED;
      if (i % 5000 == 0)
        g_assert_true (cs_store_begin (store, &error));
      s->ids[i] = cs_store_upsert_photo (store, &photo, &error);
      g_assert_no_error (error);
      g_assert_true (cs_store_put_vector (store, s->ids[i], row, vectors + (gsize) i * SYNTH_DIM,
                                          SYNTH_DIM, &error));
      if (i % 5000 == 4999 || i + 1 == n)
        g_assert_true (cs_store_commit (store, &error));
    }
  return s;
}

static CsLibrary *
synth_open (Synth *s)
{
  g_autoptr(CsLibrary) library = cs_library_new (s->db, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_library_get_n_photos (library), ==, s->n);
  g_assert_true (cs_library_get_has_model (library));
  return g_steal_pointer (&library);
}

/* The synthetic photo with row id `id` (ids are given in order). */
static guint
synth_index (Synth  *s,
             gint64  id)
{
  guint lo = 0, hi = s->n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (s->ids[mid] < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_assert_cmpuint (lo, <, s->n);
  g_assert_cmpint (s->ids[lo], ==, id);
  return lo;
}

/* The cosine of photos i and j, from the vectors written (the truth). */
static double
synth_cosine (Synth *s,
              guint  i,
              guint  j)
{
  return test_cosine (s->vectors + (gsize) i * SYNTH_DIM, s->vectors + (gsize) j * SYNTH_DIM, SYNTH_DIM);
}

static CsPhotoList *
synth_search (CsLibrary   *library,
              CsQuery     *query,
              double       strictness,
              CsSortOrder  sort)
{
  cs_query_set_strictness (query, strictness);
  cs_query_set_sort (query, sort);
  cs_query_set_limit (query, 0);
  return search (library, query);
}

/* Random unit vectors. */
static float *
random_vectors (guint   n,
                guint32 seed)
{
  float *v = g_new (float, (gsize) n * SYNTH_DIM);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    {
      for (int d = 0; d < SYNTH_DIM; d++)
        v[(gsize) i * SYNTH_DIM + d] = (float) g_rand_double_range (rand, -1, 1);
      unit (v + (gsize) i * SYNTH_DIM);
    }
  return v;
}

/* At the loosest strictness a query lists every photo of the library,
 * best first by the true cosine, or newest first by the true date; each
 * step looser accepts more, and the accepted set is every photo scoring
 * at least the cutoff, however many that is. */
static void
test_large_loosest (void)
{
  g_autoptr(Synth) s = synth_new (SYNTH_N, random_vectors (SYNTH_N, 21), 22);
  g_autoptr(CsLibrary) library = synth_open (s);
  guint probe = 777;
  g_autoptr(CsQuery) query = cs_query_new_similar (s->ids[probe]);
  g_autoptr(CsPhotoList) by_score = synth_search (library, query, -1.0, CS_SORT_RELEVANCE);
  g_autoptr(CsPhotoList) by_date = synth_search (library, query, -1.0, CS_SORT_DATE);
  g_autofree guint8 *seen = g_new0 (guint8, s->n);
  guint n_before = 0;

  /* by score: all of them, each with its true cosine, in order */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (by_score)), ==, s->n);
  g_assert_cmpuint (cs_photo_list_get_n_matched (by_score), ==, s->n);
  g_assert_cmpuint (cs_photo_list_get_n_accepted (by_score), ==, s->n);
  for (guint j = 0; j < s->n; j++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (by_score), j);
      guint i = synth_index (s, cs_photo_get_id (photo));

      g_assert_false (seen[i]);
      seen[i] = 1;
      g_assert_true (cs_photo_get_accepted (photo));
      g_assert_cmpfloat_with_epsilon (cs_photo_get_score (photo), synth_cosine (s, i, probe), 1e-5);
      if (j > 0)
        {
          g_autoptr(CsPhoto) prev = g_list_model_get_item (G_LIST_MODEL (by_score), j - 1);
          g_assert_cmpfloat (cs_photo_get_score (photo), <=, cs_photo_get_score (prev));
        }
    }
  g_assert_cmpint (cs_photo_get_id (cs_photo_list_get_photo (by_score, 0)), ==, s->ids[probe]);

  /* by date: the same photos, newest first, ties by the higher id */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (by_date)), ==, s->n);
  for (guint j = 0; j < s->n; j++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (by_date), j);
      guint i = synth_index (s, cs_photo_get_id (photo));

      g_assert_true (seen[i] == 1);
      seen[i] = 2;
      g_assert_cmpint (cs_photo_get_taken (photo), ==, s->taken[i]);
      if (j > 0)
        {
          g_autoptr(CsPhoto) prev = g_list_model_get_item (G_LIST_MODEL (by_date), j - 1);
          guint p = synth_index (s, cs_photo_get_id (prev));

          g_assert_true (s->taken[p] > s->taken[i] || (s->taken[p] == s->taken[i] && s->ids[p] > s->ids[i]));
        }
    }

  /* a text query too (the background prompts are waived there) */
  {
    g_autoptr(CsQuery) text = cs_query_new ("a red circle");
    g_autoptr(CsPhotoList) list = synth_search (library, text, -1.0, CS_SORT_RELEVANCE);

    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, s->n);
    g_assert_cmpuint (cs_photo_list_get_n_accepted (list), ==, s->n);
  }

  /* with filters: every photo that passes them, and only those */
  {
    g_autoptr(CsQuery) filtered = cs_query_new_similar (s->ids[probe]);
    g_autoptr(CsPhotoList) list = NULL;
    gint64 after = 1600000000 + 3600 * 24 * 50, before = 1600000000 + 3600 * 24 * 120;
    guint want = 0;

    cs_query_set_folder (filtered, "/nonexistent/synthetic/f03");
    cs_query_set_after (filtered, after);
    cs_query_set_before (filtered, before);
    for (guint i = 0; i < s->n; i++)
      want += s->folder[i] == 3 && s->taken[i] >= after && s->taken[i] < before;
    list = synth_search (library, filtered, -1.0, CS_SORT_DATE);
    g_assert_cmpuint (want, >, 500);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, want);
    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, want);
    for (guint j = 0; j < want; j++)
      {
        guint i = synth_index (s, cs_photo_get_id (cs_photo_list_get_photo (list, j)));
        g_assert_true (s->folder[i] == 3 && s->taken[i] >= after && s->taken[i] < before);
      }
  }

  /* looser and looser: more each time, and the accepted set is complete */
  for (double level = 0.0; level >= -0.95; level -= 0.15)
    {
      g_autoptr(CsPhotoList) list = synth_search (library, query, level, CS_SORT_RELEVANCE);
      guint n_acc = cs_photo_list_get_n_accepted (list);
      double cutoff = cs_photo_list_get_cutoff (list);
      guint sure_in = 0, maybe_in = 0;

      for (guint i = 0; i < s->n; i++)
        {
          double c = synth_cosine (s, i, probe);
          sure_in += c >= cutoff + 1e-5;
          maybe_in += c >= cutoff - 1e-5;
        }
      g_test_message ("strictness %.2f: %u accepted of %u, %u listed", level, n_acc, s->n,
                      cs_photo_list_get_n_items (list));
      g_assert_cmpuint (n_acc, >=, sure_in);
      g_assert_cmpuint (n_acc, <=, maybe_in);
      g_assert_cmpuint (n_acc, >=, n_before);
      g_assert_cmpuint (cs_photo_list_get_n_items (list), >=, n_acc);
      for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
        g_assert_true (cs_photo_get_accepted (cs_photo_list_get_photo (list, j)) == (j < n_acc));
      n_before = n_acc;
    }
  /* the last steps reach past the scan's head (about 1,200 photos here) */
  g_assert_cmpuint (n_before, >, 5000);
}

/* A group of 4,000 photos as close to the query as each other, in a
 * library of 30,000 that are not close at all: the default cutoff
 * accepts the group, and the list holds all of it, though the scan's
 * head (which feeds the cutoff) holds about 1,200 photos. */
static void
test_large_accepted_set (void)
{
  const guint n_group = 4000;
  float *v = g_new (float, (gsize) SYNTH_N * SYNTH_DIM);
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  float u[SYNTH_DIM];
  g_autoptr(Synth) s = NULL;
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(CsQuery) query = NULL;
  g_autoptr(CsPhotoList) list = NULL;
  g_autoptr(CsPhotoList) by_date = NULL;

  for (int d = 0; d < SYNTH_DIM; d++)
    u[d] = (float) g_rand_double_range (rand, -1, 1);
  unit (u);
  /* photo 0 is u itself; photos 1 .. n_group lie at cosine 0.6 from it;
   * the others at cosines spread evenly over [-0.1, 0.1] */
  for (guint i = 0; i < SYNTH_N; i++)
    {
      float *x = v + (gsize) i * SYNTH_DIM;
      double along = 0, c = i <= n_group ? 0.6 : g_rand_double_range (rand, -0.1, 0.1);

      for (int d = 0; d < SYNTH_DIM; d++)
        x[d] = (float) g_rand_double_range (rand, -1, 1);
      for (int d = 0; d < SYNTH_DIM; d++)
        along += (double) x[d] * u[d];
      for (int d = 0; d < SYNTH_DIM; d++)
        x[d] -= (float) (along * u[d]);
      unit (x);
      for (int d = 0; d < SYNTH_DIM; d++)
        x[d] = (float) (c * u[d] + sqrt (1 - c * c) * x[d]);
      unit (x);
      if (i == 0)
        memcpy (x, u, sizeof u);
    }
  s = synth_new (SYNTH_N, v, 32);
  library = synth_open (s);
  query = cs_query_new_similar (s->ids[0]);
  list = synth_search (library, query, 0.0, CS_SORT_RELEVANCE);

  g_test_message ("%u accepted, %u listed, cutoff %.4f", cs_photo_list_get_n_accepted (list),
                  cs_photo_list_get_n_items (list), cs_photo_list_get_cutoff (list));
  g_assert_cmpuint (cs_photo_list_get_n_accepted (list), ==, n_group + 1);
  g_assert_cmpuint (cs_photo_list_get_n_items (list), >=, n_group + 1);
  for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (list, j);
      guint i = synth_index (s, cs_photo_get_id (photo));

      g_assert_true (cs_photo_get_accepted (photo) == (j <= n_group));
      g_assert_true ((i <= n_group) == (j <= n_group));
    }

  /* by date: the same group, nothing else */
  by_date = synth_search (library, query, 0.0, CS_SORT_DATE);
  g_assert_cmpuint (cs_photo_list_get_n_items (by_date), ==, n_group + 1);
  for (guint j = 0; j < n_group + 1; j++)
    g_assert_cmpuint (synth_index (s, cs_photo_get_id (cs_photo_list_get_photo (by_date, j))), <=, n_group);
}

/* A grid scrolling through a long list holds only the photos on screen:
 * the list keeps none it made for g_list_model_get_item() once they are
 * let go, and gives the same object while one is held. */
static void
test_list_lazy (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(CsQuery) query = cs_query_new ("a red circle");
  g_autoptr(CsPhotoList) list = synth_search (library, query, -1.0, CS_SORT_RELEVANCE);
  g_autoptr(CsPhoto) held = g_list_model_get_item (G_LIST_MODEL (list), 3);
  GWeakRef gone;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 240);
  {
    g_autoptr(CsPhoto) again = g_list_model_get_item (G_LIST_MODEL (list), 3);
    g_assert_true (again == held);
  }
  {
    CsPhoto *photo = g_list_model_get_item (G_LIST_MODEL (list), 5);
    g_weak_ref_init (&gone, photo);
    g_object_unref (photo);
  }
  g_assert_null (g_weak_ref_get (&gone));
  g_weak_ref_clear (&gone);
  /* a borrowed photo stays as long as the list */
  g_assert_true (cs_photo_list_get_photo (list, 3) == held);
  g_assert_true (cs_photo_list_get_photo (list, 7) == cs_photo_list_get_photo (list, 7));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 240));
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
  g_autofree char *src = g_build_filename (toy_photos, "photo-0001.png", NULL);
  g_autofree char *src2 = g_build_filename (toy_photos, "photo-0002.png", NULL);
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
  g_autoptr(CsLibrary) library = cs_library_new (db_path, NULL);
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
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  queries_path = g_build_filename (toy_photos, "queries.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, queries_path, &error));
  queries = json_node_copy (json_parser_get_root (parser));

  work_dir = test_make_temp_dir ();
  db_path = g_build_filename (work_dir, "library.db", NULL);
  make_library ();
  a = g_build_filename (work_dir, "a", NULL);
  b = g_build_filename (work_dir, "b", NULL);
  {
    g_autoptr(CsIndexer) indexer = cs_indexer_new (db_path, toy_model);
    g_autoptr(CsIndexSummary) summary = NULL;

    cs_indexer_add_folder (indexer, a);
    cs_indexer_add_folder (indexer, b);
    summary = cs_indexer_rescan (indexer, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (summary->added, ==, 240);
  }

  g_test_add_func ("/library/search/parse-terms", test_parse_terms);
  g_test_add_func ("/library/search/kernels", test_kernels);
  g_test_add_func ("/library/search/int8-ranking-random", test_int8_ranking_random);
  g_test_add_func ("/library/search/int8-ranking-toy", test_int8_ranking_toy);
  g_test_add_func ("/library/search/int8-proof", test_int8_proof);
  g_test_add_func ("/library/search/index-updates", test_index_updates);
  g_test_add_func ("/library/search/precision-and-cutoff", test_precision_and_cutoff);
  g_test_add_func ("/library/search/strictness", test_strictness);
  g_test_add_func ("/library/search/composed", test_composed);
  g_test_add_func ("/library/search/similar", test_similar);
  g_test_add_func ("/library/search/similar-precision", test_similar_precision);
  g_test_add_func ("/library/search/filters", test_filters);
  g_test_add_func ("/library/search/large-loosest", test_large_loosest);
  g_test_add_func ("/library/search/large-accepted-set", test_large_accepted_set);
  g_test_add_func ("/library/search/list-lazy", test_list_lazy);
  g_test_add_func ("/library/search/refresh", test_refresh);
  g_test_add_func ("/library/search/not-loaded", test_not_loaded);
  rc = g_test_run ();

  test_rm_rf (work_dir);
  g_free (work_dir);
  g_free (db_path);
  g_free (toy_model);
  g_free (toy_photos);
  json_node_unref (queries);
  return rc;
}
