/* test-search-scan.c - the scan beneath the search: its kernels and its
 * int8 first pass against plain float32 on random vectors and on the toy
 * library (the same ranking, the proof that bounds it and the bound
 * itself, against a brute force), ties, and the vector index's updates
 * and the scan after one.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "cs-library.h"
#include "cs-library-private.h"
#include "cs-store.h"
#include "search-test-util.h"

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

/* The `k` best live rows for `query`, by a brute force in double
 * precision written here, independent of the scan's kernels and its int8
 * pass; at equal scores the earliest row first. */
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
        if (!taken[r] && _cs_vector_index_is_live (index, r)
            && (best == G_MAXUINT || score[r] > score[best]))
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
  g_autoptr(CsStore) store = cs_store_open (search_test_db_path, NULL);
  g_autofree char *active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, NULL);
  g_autofree char *ref_path = g_build_filename (search_test_toy_photos, "reference_embeddings.json", NULL);
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

  /* a builder given one id twice keeps the later row */
  {
    g_autoptr(CsSegmentBuilder) bb = _cs_segment_builder_new (16, 0);
    g_autoptr(CsVectorIndex) twice = NULL;
    float w[16] = { 0, 1 };
    CsStorePhoto first = { .id = 7, .path = (char *) "/r/first.jpg" };
    CsStorePhoto later = { .id = 7, .path = (char *) "/r/later.jpg" };

    _cs_segment_builder_add (bb, &first, v);
    _cs_segment_builder_add (bb, &later, w);
    segment = _cs_segment_builder_end (g_steal_pointer (&bb));
    twice = _cs_vector_index_new (16, 1, "twice", 1, segment);
    _cs_segment_unref (segment);
    g_assert_cmpuint (_cs_vector_index_n_live (twice), ==, 1);
    g_assert_true (_cs_vector_index_find (twice, 7, &row));
    _cs_vector_index_meta (twice, row, &meta);
    g_assert_cmpstr (meta.path, ==, "/r/later.jpg");
    g_assert_cmpfloat (_cs_vector_index_vector (twice, row)[1], ==, 1.0f);
  }
}

/* Ties: rows with the same score keep the earliest rows, whatever task
 * of the scan they fall in ("ties by row").  200 rows equal to the query,
 * one in every 100 of 20,000 (so in every task of the scan, and more of
 * them than the int8 pass keeps), among random ones; the brute force
 * above takes the earliest at equal scores. */
static void
test_scan_ties (void)
{
  const guint n = 20000;
  const int dim = 64;
  const guint ks[] = { 5, 150, 250 };
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  g_autoptr(CsVectorIndex) index = NULL;
  g_autofree float *v = g_new (float, dim);
  g_autofree float *q = g_new0 (float, dim);
  CsSegment *segment;

  q[0] = 1.0f;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/tie/%u.jpg", i);
      CsStorePhoto p = { .id = i + 1, .path = path, .taken_unix = i };
      double norm = 0;

      for (int d = 0; d < dim; d++)
        {
          v[d] = i % 100 == 99 ? (d == 0) : (float) g_rand_double_range (rand, -1, 1);
          norm += v[d] * v[d];
        }
      for (int d = 0; d < dim; d++)
        v[d] = (float) (v[d] / sqrt (norm));
      _cs_segment_builder_add (b, &p, v);
    }
  segment = _cs_segment_builder_end (g_steal_pointer (&b));
  index = _cs_vector_index_new (dim, 1, "ties", 1, segment);
  _cs_segment_unref (segment);

  for (guint t = 0; t < G_N_ELEMENTS (ks); t++)
    for (int exact = 0; exact <= 1; exact++)
      {
        g_autofree guint *top = brute_force_top (index, q, ks[t]);
        CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64,
                           .head = ks[t], .rank = ks[t], .exact = exact };
        CsScanResult r;

        /* the premise: the first 200 are the tied rows, earliest first */
        g_assert_cmpuint (top[0], ==, 99);
        g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
        g_assert_cmpuint (r.n, ==, ks[t]);
        for (guint i = 0; i < ks[t]; i++)
          g_assert_cmpuint (r.rows[i], ==, top[i]);
        _cs_scan_result_clear (&r);
      }
}

/* The whole head against the brute force, not only its first rows: with
 * `rank` = `head` every candidate is ranked exactly, so the scan (exact or
 * int8) must give the brute force's best `head`, in order, though they
 * are picked from the heaps of several tasks (30,000 rows: more than one
 * task per thread) by a selection that must not lose one. */
static void
test_scan_head (void)
{
  const int dim = 64;
  const guint heads[] = { 97, 300, 1000 };
  g_autoptr(CsVectorIndex) index = random_index (30000, dim, 29);
  g_autoptr(GRand) rand = g_rand_new_with_seed (37);
  g_autofree float *q = g_new (float, dim);

  for (guint t = 0; t < 4; t++)
    {
      double norm = 0;

      for (int d = 0; d < dim; d++)
        {
          q[d] = (float) g_rand_double_range (rand, -1, 1);
          norm += q[d] * q[d];
        }
      for (int d = 0; d < dim; d++)
        q[d] = (float) (q[d] / sqrt (norm));
      for (guint h = 0; h < G_N_ELEMENTS (heads); h++)
        {
          g_autofree guint *top = brute_force_top (index, q, heads[h]);

          for (int exact = 0; exact <= 1; exact++)
            {
              CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64,
                                 .head = heads[h], .rank = heads[h], .exact = exact };
              CsScanResult r;

              guint64 sampled = 0;

              g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
              g_assert_cmpuint (r.n, ==, heads[h]);
              for (guint i = 0; i < heads[h]; i++)
                g_assert_cmpuint (r.rows[i], ==, top[i]);
              /* the histogram samples rows only beyond about 65,536:
               * here it holds every one */
              for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
                sampled += r.hist[b];
              g_assert_cmpuint (r.n_matched, ==, 30000);
              g_assert_cmpuint (sampled, ==, r.n_matched);
              _cs_scan_result_clear (&r);
            }
        }
    }
}

/* After an update the scan and the collection see the live rows only:
 * not a removed photo (the query is its vector, so it would come first),
 * nor the old row of a replaced one (its id would be listed twice). */
static void
test_scan_after_update (void)
{
  const int dim = 64;
  g_autoptr(CsVectorIndex) base = random_index (3000, dim, 17);
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) scores = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(CsVectorIndex) next = NULL;
  g_autofree float *q = g_new (float, dim);
  CsStorePhoto replaced = { .id = 31, .path = (char *) "/r/replaced.jpg" };
  gint64 gone = 21;
  guint row;
  CsSegment *segment;

  /* id 21 is row 20, id 31 row 30 (random_index) */
  memcpy (q, _cs_vector_index_vector (base, 20), dim * sizeof (float));
  /* id 31 again, with its own vector: two rows of one score */
  _cs_segment_builder_add (b, &replaced, _cs_vector_index_vector (base, 30));
  g_array_append_val (removed, gone);
  segment = _cs_segment_builder_end (g_steal_pointer (&b));
  next = _cs_vector_index_update (base, segment, removed, 2);
  _cs_segment_unref (segment);
  g_assert_false (_cs_vector_index_find (next, 21, &row));
  g_assert_cmpuint (_cs_vector_index_n_live (next), ==, 2999);
  /* nor does a path lookup find the dead rows' paths */
  g_assert_false (_cs_vector_index_find_path (next, "/r/20.jpg", &row));
  g_assert_false (_cs_vector_index_find_path (next, "/r/30.jpg", &row));
  g_assert_true (_cs_vector_index_find_path (next, "/r/replaced.jpg", &row));
  g_assert_true (_cs_vector_index_find_path (next, "/r/40.jpg", &row));

  for (int exact = 0; exact <= 1; exact++)
    {
      g_autofree guint *top = brute_force_top (next, q, 50);
      CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64,
                         .head = 3001, .rank = 50, .exact = exact };
      CsScanResult r;

      g_assert_true (_cs_vector_index_scan (next, &p, NULL, &r));
      g_assert_cmpuint (r.n_matched, ==, 2999);
      g_assert_cmpuint (r.n, ==, 2999);
      for (guint i = 0; i < 50; i++)
        g_assert_cmpuint (r.rows[i], ==, top[i]);
      {
        /* ids 1 .. 3000 */
        g_autofree guint8 *seen = g_new0 (guint8, 3001);

        for (guint i = 0; i < r.n; i++)
          {
            CsPhotoMeta meta;

            g_assert_true (_cs_vector_index_is_live (next, r.rows[i]));
            _cs_vector_index_meta (next, r.rows[i], &meta);
            g_assert_false (seen[meta.id]);
            seen[meta.id] = 1;
          }
      }
      _cs_scan_result_clear (&r);

      /* every live row, by the collection (a threshold below every
       * cosine, finite: the int8 pass runs) */
      g_array_set_size (rows, 0);
      g_array_set_size (scores, 0);
      _cs_vector_index_collect (next, &p, -2.0f, rows, scores);
      g_assert_cmpuint (rows->len, ==, 2999);
      for (guint i = 0; i < rows->len; i++)
        g_assert_true (_cs_vector_index_is_live (next, g_array_index (rows, guint, i)));
    }
}

/* A segment of rows (x, sqrt(1 - x^2), 0, ...), ids from `first_id`. */
static CsSegment *
plane_segment (const double *x,
               guint         n,
               gint64        first_id,
               int           dim)
{
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
  g_autofree float *v = g_new0 (float, dim);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/plane/%" G_GINT64_FORMAT ".jpg", first_id + i);
      CsStorePhoto p = { .id = first_id + i, .path = path, .taken_unix = first_id + i };

      v[0] = (float) x[i];
      v[1] = (float) sqrt (1 - x[i] * x[i]);
      _cs_segment_builder_add (b, &p, v);
    }
  return _cs_segment_builder_end (g_steal_pointer (&b));
}

/* The scan's answer checked against the brute force: the first `rank`
 * rows exactly, and every live row left out scoring below the floor
 * (the query is e0, so a row's score is its first component, exactly). */
static void
check_against_brute_force (CsVectorIndex *index,
                           const float   *q,
                           guint          head,
                           guint          rank)
{
  CsScanParams p = { .query = q, .after = G_MININT64, .before = G_MAXINT64, .head = head, .rank = rank };
  g_autofree guint *top = brute_force_top (index, q, rank);
  g_autofree guint8 *listed = g_new0 (guint8, _cs_vector_index_n_rows (index));
  CsScanResult r;

  g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
  g_assert_cmpuint (r.n, >=, rank);
  for (guint i = 0; i < rank; i++)
    g_assert_cmpuint (r.rows[i], ==, top[i]);
  for (guint i = 0; i < r.n; i++)
    listed[r.rows[i]] = 1;
  for (guint row = 0; row < _cs_vector_index_n_rows (index); row++)
    if (_cs_vector_index_is_live (index, row) && !listed[row])
      g_assert_cmpfloat (_cs_vector_index_vector (index, row)[0], <, r.floor);
  _cs_scan_result_clear (&r);
}

/* The int8 bound must cover the rows' quantisation error.  Query e0; the
 * rows (x, sqrt(1 - x^2)) have the int8 scale sqrt(1 - x^2) / 127 and the
 * code round(127 x / sqrt(1 - x^2)) on e0.  "Near" rows sit on code 40
 * exactly (x = 40 / sqrt(127^2 + 40^2) = 0.30042, no error); the "best"
 * row at 40.45 (x = 0.30348) is rounded down to code 40 too, and with its
 * smaller scale its int8 score, 0.30011, is below the near rows' one
 * although its true score is the best by 0.003.  As many near rows as the
 * int8 pass keeps push it out of the pass; then only a bound as large as
 * its error (0.0034) shows that it may belong first.  Counts of near rows
 * around any margin the pass keeps, each in one segment and in two merged
 * ones; and with a far better row on top (proven at rank 1), the best row
 * left out must lie below the floor. */
static void
test_int8_bound (void)
{
  const int dim = 64;
  const double x_near = 40 / sqrt (127.0 * 127 + 40 * 40);
  const double x_best = 40.45 / sqrt (127.0 * 127 + 40.45 * 40.45);
  g_autofree float *q = g_new0 (float, dim);

  q[0] = 1.0f;
  /* the premise: one code, and int8 scores in the reverse order */
  g_assert_cmpint ((int) lrint (127 * x_near / sqrt (1 - x_near * x_near)), ==, 40);
  g_assert_cmpint ((int) lrint (127 * x_best / sqrt (1 - x_best * x_best)), ==, 40);
  g_assert_cmpfloat (40 * sqrt (1 - x_best * x_best) / 127, <, 40 * sqrt (1 - x_near * x_near) / 127 - 1e-4);
  g_assert_cmpfloat (x_best, >, x_near + 1e-3);

  for (guint n_near = 60; n_near <= 90; n_near++)
    for (int with_top = 0; with_top <= 1; with_top++)
      {
        g_autofree double *x = g_new (double, n_near + 2);
        guint n = 0, rank = with_top ? 1 : 10;

        if (with_top)
          x[n++] = 0.9;
        for (guint i = 0; i < n_near; i++)
          x[n++] = x_near;
        x[n++] = x_best;

        /* one segment, the best row last */
        {
          CsSegment *segment = plane_segment (x, n, 1, dim);
          g_autoptr(CsVectorIndex) index = _cs_vector_index_new (dim, 1, "bound", 1, segment);

          _cs_segment_unref (segment);
          check_against_brute_force (index, q, 10, rank);
        }
        /* the first half in one segment, the rest (the best row among
         * them) added by an update that merges the two */
        {
          CsSegment *first = plane_segment (x, n / 2, 1, dim);
          CsSegment *second = plane_segment (x + n / 2, n - n / 2, 1 + n / 2, dim);
          g_autoptr(CsVectorIndex) one = _cs_vector_index_new (dim, 1, "bound", 1, first);
          g_autoptr(CsVectorIndex) index = _cs_vector_index_update (one, second, NULL, 2);

          _cs_segment_unref (first);
          _cs_segment_unref (second);
          g_assert_cmpuint (_cs_vector_index_n_live (index), ==, n);
          check_against_brute_force (index, q, 10, rank);
        }
      }
}

void
search_test_add_scan (void)
{
  g_test_add_func ("/library/search/kernels", test_kernels);
  g_test_add_func ("/library/search/int8-ranking-random", test_int8_ranking_random);
  g_test_add_func ("/library/search/int8-ranking-toy", test_int8_ranking_toy);
  g_test_add_func ("/library/search/int8-proof", test_int8_proof);
  g_test_add_func ("/library/search/int8-bound", test_int8_bound);
  g_test_add_func ("/library/search/scan-ties", test_scan_ties);
  g_test_add_func ("/library/search/scan-head", test_scan_head);
  g_test_add_func ("/library/search/scan-after-update", test_scan_after_update);
  g_test_add_func ("/library/search/index-updates", test_index_updates);
}
