/* test-search-queries.c - queries on the toy library: the reference's
 * precision@10 and the adaptive cutoff against the relevant lists,
 * strictness, composed queries, similar photos (in each precision) and the
 * folder and date filters.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "cs-clip-runtime.h"
#include "cs-decode-clip.h"
#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-store.h"
#include "search-test-util.h"

static CsPhotoList *
search_text (CsLibrary  *library,
             const char *text,
             guint       limit)
{
  g_autoptr(CsQuery) query = cs_query_new (text);

  cs_query_set_limit (query, limit);
  return search_test_search (library, query);
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
  g_autofree char *path = g_build_filename (search_test_toy_photos, "labels.csv", NULL);
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

static void
test_precision_and_cutoff (void)
{
  g_autoptr(CsLibrary) library = search_test_open_library ();
  JsonArray *qs = json_object_get_array_member (json_node_get_object (search_test_queries), "queries");
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
  g_autoptr(CsLibrary) library = search_test_open_library ();
  const double levels[] = { -1.0, -0.5, 0.0, 0.5, 1.0 };
  guint last = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autoptr(CsQuery) query = cs_query_new ("a red shape");
      g_autoptr(CsPhotoList) list = NULL;

      cs_query_set_strictness (query, levels[i]);
      list = search_test_search (library, query);
      g_assert_cmpuint (cs_photo_list_get_n_accepted (list), <=, last);
      last = cs_photo_list_get_n_accepted (list);
      if (levels[i] == 1.0)
        g_assert_cmpuint (last, ==, 1);
    }
}

static void
test_composed (void)
{
  g_autoptr(CsLibrary) library = search_test_open_library ();
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
  g_autoptr(CsLibrary) library = search_test_open_library ();
  g_autoptr(CsPhotoList) any = search_text (library, "a blue ring", 30);

  for (guint j = 0; j < 30; j += 3)
    {
      CsPhoto *photo = cs_photo_list_get_photo (any, j);
      g_autoptr(CsQuery) query = cs_query_new_similar (cs_photo_get_id (photo));
      g_autoptr(CsPhotoList) list = search_test_search (library, query);
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
    list = search_test_search (library, query);
    g_assert_cmpint (cs_photo_get_id (cs_photo_list_get_photo (list, 0)), ==, cs_photo_get_id (photo));
    g_assert_cmpfloat (cs_photo_get_score (cs_photo_list_get_photo (list, 0)), >, 0.999);
  }

  /* a text and a photo: not a plain text query, so the background
   * prompts do not apply, and every photo over the cutoff is accepted
   * (the photo's weight is small, so that the text's matches lead, and
   * the cutoff loose, so that some over it fail the prompts) */
  for (guint j = 0; j < 30; j += 3)
    {
      g_autoptr(CsQuery) query = cs_query_new ("a red circle");
      g_autoptr(CsPhotoList) list = NULL;
      guint over = 0;

      cs_query_set_similar_to (query, cs_photo_get_id (cs_photo_list_get_photo (any, j)));
      cs_query_set_image_weight (query, 0.2);
      cs_query_set_strictness (query, -0.6);
      cs_query_set_limit (query, 0);
      list = search_test_search (library, query);
      for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
        over += cs_photo_get_score (cs_photo_list_get_photo (list, i)) >= cs_photo_list_get_cutoff (list);
      g_assert_cmpuint (cs_photo_list_get_n_accepted (list), ==, over);
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

  g_assert_cmpint (clip_model_load_for (search_test_toy_model, precision, CLIP_TOWER_VISION,
                                        &model, NULL), ==,
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
    g_autoptr(CsStore) store = cs_store_open (search_test_db_path, &error);
    g_autofree char *value = NULL, *fake = NULL;
    /* as the indexer names it (CsIndexer:model-dir is canonicalised) */
    g_autofree char *canon = g_canonicalize_filename (search_test_toy_model, NULL);
    CsPrecisionCheck check;

    g_assert_no_error (error);
    g_assert_true (cs_clip_check_precision (canon, store, &check, NULL, &error));
    g_assert_no_error (error);
    value = cs_store_dup_setting (store, "precision-check", &error);
    g_assert_nonnull (value);
    g_assert_nonnull (strchr (value, '\n'));
    /* the kept record, rewritten to say bf16 was chosen over a failing int8 */
    {
      g_autofree char *key = NULL;
      CsPrecisionCheck kept;

      g_assert_true (cs_clip_check_record_parse (value, &key, &kept));
      kept.precision = CLIP_PRECISION_BF16;
      kept.tested[CLIP_PRECISION_INT8] = 0.5;
      kept.tested[CLIP_PRECISION_BF16] = 0.9999;
      kept.images_per_s[CLIP_PRECISION_INT8] = 100.0;
      kept.images_per_s[CLIP_PRECISION_BF16] = 50.0;
      fake = cs_clip_check_record_format (key, &kept);
    }
    g_assert_true (cs_store_set_setting (store, "precision-check", fake, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(CsLibrary) library = search_test_open_library ();
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
    list = search_test_search (library, query);
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
  g_autoptr(CsLibrary) library = search_test_open_library ();
  g_autofree char *a = g_build_filename (search_test_work_dir, "a", NULL);
  g_autofree char *a_slash = g_strconcat (a, "/", NULL);

  /* folder */
  {
    g_autoptr(CsQuery) query = cs_query_new ("a yellow star");
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_folder (query, a);
    cs_query_set_limit (query, 0);
    list = search_test_search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 120);
    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, 120);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      g_assert_true (g_str_has_prefix (cs_photo_get_path (cs_photo_list_get_photo (list, j)), a_slash));
  }
  /* folder: one holds its subfolders, a trailing slash changes nothing,
   * and the root holds everything; a name that only begins like a
   * folder's (the work folder without its last letter) is not it */
  {
    g_autofree char *parent_slash = g_strconcat (search_test_work_dir, "/", NULL);
    g_autofree char *stem = g_strndup (search_test_work_dir, strlen (search_test_work_dir) - 1);
    struct {
      const char *folder;
      guint n;
    } cases[] = {
      { search_test_work_dir, 240 }, { parent_slash, 240 }, { a_slash, 120 }, { "/", 240 }, { stem, 0 },
    };

    g_assert_true (g_path_is_absolute (search_test_work_dir));
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(CsQuery) query = cs_query_new ("a yellow star");
        g_autoptr(CsPhotoList) list = NULL;

        cs_query_set_folder (query, cases[i].folder);
        cs_query_set_limit (query, 0);
        list = search_test_search (library, query);
        g_test_message ("folder %s: %u photos", cases[i].folder, cs_photo_list_get_n_matched (list));
        g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, cases[i].n);
        g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, cases[i].n);
      }
  }
  /* dates: after is inclusive, before exclusive */
  {
    g_autoptr(CsQuery) query = cs_query_new ("a yellow star");
    g_autoptr(CsPhotoList) list = NULL;

    cs_query_set_after (query, DATE_B);
    cs_query_set_limit (query, 0);
    list = search_test_search (library, query);
    g_assert_cmpuint (cs_photo_list_get_n_matched (list), ==, 120);
    for (guint j = 0; j < cs_photo_list_get_n_items (list); j++)
      g_assert_cmpint (cs_photo_get_taken (cs_photo_list_get_photo (list, j)), ==, DATE_B);

    cs_query_set_after (query, G_MININT64);
    cs_query_set_before (query, DATE_B);
    g_clear_object (&list);
    list = search_test_search (library, query);
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
    list = search_test_search (library, query);
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

void
search_test_add_queries (void)
{
  g_test_add_func ("/library/search/precision-and-cutoff", test_precision_and_cutoff);
  g_test_add_func ("/library/search/strictness", test_strictness);
  g_test_add_func ("/library/search/composed", test_composed);
  g_test_add_func ("/library/search/similar", test_similar);
  g_test_add_func ("/library/search/similar-precision", test_similar_precision);
  g_test_add_func ("/library/search/filters", test_filters);
}
