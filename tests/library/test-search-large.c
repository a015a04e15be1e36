/* test-search-large.c - synthetic libraries of 30,000 photos (vectors
 * written through the store, as bench-startup does): nothing caps a result
 * list, the loosest strictness lists every photo by score or by date, an
 * accepted set larger than the scan's head is listed whole, and a long list
 * holds only the photos asked for.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "cs-file-hash.h"
#include "cs-library.h"
#include "cs-store.h"
#include "search-test-util.h"

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
  model_id = cs_model_id_for_dir (search_test_toy_model, NULL, &error);
  g_assert_no_error (error);
  row = cs_store_ensure_model (store, model_id, "toy-clip", SYNTH_DIM, "f32", &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, model_id, &error));
  g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_MODEL_DIR, search_test_toy_model, &error));
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
  return search_test_search (library, query);
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

/* Browsing: an "all" query lists every photo passing the filters, newest
 * first (ties: the higher id), each with score 0, whatever text it holds
 * and whatever the strictness; checked against the synthetic library's own
 * dates and folders. */
static void
test_large_all (void)
{
  g_autoptr(Synth) s = synth_new (SYNTH_N, random_vectors (SYNTH_N, 31), 32);
  g_autoptr(CsLibrary) library = synth_open (s);
  g_autoptr(CsQuery) query = cs_query_new_all ();
  g_autoptr(CsPhotoList) list = NULL;
  g_autofree guint8 *seen = g_new0 (guint8, s->n);
  gint64 after = 1600000000 + 3600 * 24 * 50, before = 1600000000 + 3600 * 24 * 120;
  guint want = 0;

  g_assert_true (cs_query_get_all (query));
  g_assert_cmpint (cs_query_get_sort (query), ==, CS_SORT_DATE);
  /* a strict setting and a stray text change nothing */
  cs_query_set_strictness (query, 1.0);
  cs_query_set_text (query, "a red circle");
  list = search_test_search (library, query);
  g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, s->n);
  g_assert_cmpuint (cs_photo_list_get_n_accepted (list), ==, s->n);
  for (guint j = 0; j < s->n; j++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (list, j);
      guint i = synth_index (s, cs_photo_get_id (photo));

      g_assert_false (seen[i]);
      seen[i] = 1;
      g_assert_cmpfloat (cs_photo_get_score (photo), ==, 0.0);
      g_assert_cmpint (cs_photo_get_taken (photo), ==, s->taken[i]);
      if (j > 0)
        {
          guint p = synth_index (s, cs_photo_get_id (cs_photo_list_get_photo (list, j - 1)));

          g_assert_true (s->taken[p] > s->taken[i] || (s->taken[p] == s->taken[i] && s->ids[p] > s->ids[i]));
        }
    }
  g_clear_object (&list);

  /* filters: exactly the photos that pass them */
  cs_query_set_folder (query, "/nonexistent/synthetic/f03");
  cs_query_set_after (query, after);
  cs_query_set_before (query, before);
  for (guint i = 0; i < s->n; i++)
    want += s->folder[i] == 3 && s->taken[i] >= after && s->taken[i] < before;
  list = search_test_search (library, query);
  g_assert_cmpuint (want, >, 500);
  g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, want);
  for (guint j = 0; j < want; j++)
    {
      guint i = synth_index (s, cs_photo_get_id (cs_photo_list_get_photo (list, j)));
      g_assert_true (s->folder[i] == 3 && s->taken[i] >= after && s->taken[i] < before);
    }
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
  g_autoptr(CsLibrary) library = search_test_open_library ();
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

void
search_test_add_large (void)
{
  g_test_add_func ("/library/search/large-loosest", test_large_loosest);
  g_test_add_func ("/library/search/large-all", test_large_all);
  g_test_add_func ("/library/search/large-accepted-set", test_large_accepted_set);
  g_test_add_func ("/library/search/list-lazy", test_list_lazy);
}
