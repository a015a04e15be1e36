/* test-labels.c - zero-shot labels: clustering, thresholds, learning from
 * the user's verdicts, persistence, starter set.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The toy photos of ../shared are indexed with the real indexer and the
 * toy CLIP (skipped without ../shared); the label sets of queries.json
 * must cluster the single-object photos as well as the reference does
 * (minus 0.05), and a label with a misleading prompt must get measurably
 * better from a few confirmations and rejections.
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "cs-indexer.h"
#include "cs-labels.h"
#include "cs-library.h"
#include "cs-store.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;
static JsonNode *queries;
static GHashTable *truth;  /* file -> shapes;colours of single-object photos only */

typedef struct {
  char      *dir;
  char      *db;
  CsLibrary *library;
} Fixture;

static void
index_folder (const char *db,
              const char *folder,
              const char *model)
{
  g_autoptr(CsIndexer) indexer = cs_indexer_new (db, model);
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  cs_indexer_add_folder (indexer, folder);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);
}

static CsLibrary *
load (const char *db,
      const char *model)
{
  g_autoptr(CsLibrary) library = cs_library_new (db, model);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&library);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->dir = test_make_temp_dir ();
  fx->db = g_build_filename (fx->dir, "library.db", NULL);
  index_folder (fx->db, toy_photos, toy_model);
  fx->library = load (fx->db, NULL);
  g_assert_cmpuint (cs_library_get_n_photos (fx->library), ==, 240);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->library);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->db);
}

static CsLabel *
add_label (CsLibrary  *library,
           const char *name,
           const char *prompt,
           double      threshold)
{
  const char *prompts[] = { prompt, NULL };
  g_autoptr(GError) error = NULL;
  CsLabel *label = cs_library_add_label (library, name, prompt != NULL ? prompts : NULL, threshold,
                                         NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (label);
  return label;
}

/* A label for each of the toy photos' six shapes ("a photo of a {}",
 * threshold 0, the star's prompt `star_prompt`); returns the star's. */
static CsLabel *
add_shape_labels (CsLibrary  *library,
                  const char *star_prompt)
{
  const char *shapes[] = { "circle", "square", "triangle", "star", "cross", "ring" };
  CsLabel *star = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      gboolean is_star = g_str_equal (shapes[i], "star");
      CsLabel *label = add_label (library, shapes[i], is_star ? star_prompt : "a photo of a {}", 0.0);

      if (is_star)
        star = label;
      else
        g_object_unref (label);
    }
  return star;
}

static char *
base_name (CsPhoto *photo)
{
  return g_path_get_basename (cs_photo_get_path (photo));
}

/* file -> the label it got, over every label of the library */
static GHashTable *
assignments (CsLibrary *library)
{
  GHashTable *got = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GListModel *labels = cs_library_get_labels (library);

  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (labels, i);
      g_autoptr(CsPhotoList) members = cs_library_list_label_members (library, label);

      g_assert_cmpuint (cs_photo_list_get_n_items (members), ==, cs_label_get_count (label));
      for (guint j = 0; j < cs_photo_list_get_n_items (members); j++)
        {
          CsPhoto *photo = cs_photo_list_get_photo (members, j);
          g_hash_table_replace (got, base_name (photo), g_strdup (cs_label_get_name (label)));
          if (j > 0)
            g_assert_cmpfloat (cs_photo_get_probability (photo), <=,
                               cs_photo_get_probability (cs_photo_list_get_photo (members, j - 1)));
          if (cs_photo_get_verdict (photo) == 0)
            g_assert_cmpfloat (cs_photo_get_probability (photo), >=, cs_label_get_threshold (label));
        }
    }
  return got;
}

/* field 0: shapes, 1: colours */
static double
accuracy (CsLibrary *library,
          int        field)
{
  g_autoptr(GHashTable) got = assignments (library);
  GHashTableIter it;
  gpointer key, value;
  guint right = 0, n = 0;

  g_hash_table_iter_init (&it, truth);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const char *label = g_hash_table_lookup (got, key);
      n++;
      right += label != NULL && g_str_equal (label, ((char **) value)[field]);
    }
  return right / (double) n;
}

static void
test_zero_shot_sets (Fixture       *fx,
                     gconstpointer  data)
{
  JsonArray *sets = json_object_get_array_member (json_node_get_object (queries), "zero_shot");

  for (guint s = 0; s < json_array_get_length (sets); s++)
    {
      JsonObject *set = json_array_get_object_element (sets, s);
      const char *prompt = json_object_get_string_member (set, "prompt");
      JsonArray *names = json_object_get_array_member (set, "labels");
      double ref = json_object_get_double_member (json_object_get_object_member (set, "reference"), "accuracy");
      int field = strstr (prompt, "shape") != NULL ? 1 : 0;  /* "a photo of a {} shape": colours */
      double acc;

      for (guint i = 0; i < json_array_get_length (names); i++)
        g_object_unref (add_label (fx->library, json_array_get_string_element (names, i), prompt, 0.0));
      acc = accuracy (fx->library, field);
      g_test_message ("labels '%s': accuracy %.4f on the %u single-object photos (reference %.4f)",
                      prompt, acc, g_hash_table_size (truth), ref);
      g_assert_cmpfloat (acc, >=, ref - 0.05);

      /* with the default threshold, fewer photos but no worse */
      {
        GListModel *labels = cs_library_get_labels (fx->library);
        guint before = 0, after = 0;

        for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
          {
            g_autoptr(CsLabel) label = g_list_model_get_item (labels, i);
            g_autoptr(GError) error = NULL;

            before += cs_label_get_count (label);
            g_assert_true (cs_library_edit_label (fx->library, label, NULL, NULL,
                                                  CS_LIBRARY_DEFAULT_LABEL_THRESHOLD, NULL, &error));
            g_assert_no_error (error);
            after += cs_label_get_count (label);
          }
        g_assert_cmpuint (before, ==, 240);
        g_assert_cmpuint (after, <=, before);
        g_test_message ("  at threshold %.2f: %u of 240 photos labelled", CS_LIBRARY_DEFAULT_LABEL_THRESHOLD, after);
      }

      /* remove the set before the next one, so they do not compete */
      while (g_list_model_get_n_items (cs_library_get_labels (fx->library)) > 0)
        {
          g_autoptr(CsLabel) label = g_list_model_get_item (cs_library_get_labels (fx->library), 0);
          g_autoptr(GError) error = NULL;

          g_assert_true (cs_library_remove_label (fx->library, label, NULL, &error));
          g_assert_no_error (error);
        }
    }
}

static void
on_edit_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_edit_label_finish (CS_LIBRARY (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* A threshold change re-clusters at once, before the write completes. */
static void
test_threshold_instant (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(CsLabel) star = NULL;
  guint all, strict;
  gboolean done = FALSE;

  star = add_shape_labels (fx->library, "a photo of a {}");
  all = cs_label_get_count (star);
  cs_library_edit_label_async (fx->library, star, NULL, NULL, 0.99, NULL, on_edit_done_cb, &done);
  strict = cs_label_get_count (star);
  g_assert_false (done);
  g_assert_cmpfloat (cs_label_get_threshold (star), ==, 0.99);
  g_assert_cmpuint (strict, <, all);
  g_assert_cmpuint (strict, >, 0);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_label_get_count (star), ==, strict);

  /* and it was stored */
  {
    g_autoptr(CsLibrary) again = load (fx->db, NULL);
    CsLabel *l = cs_library_lookup_label (again, "star");

    g_assert_nonnull (l);
    g_assert_cmpfloat (cs_label_get_threshold (l), ==, 0.99);
    g_assert_cmpuint (cs_label_get_count (l), ==, strict);
  }
}

typedef struct {
  CsPhotoList *above;
  CsPhotoList *below;
  gboolean     done;
} Boundary;

static void
on_boundary_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Boundary *b = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_list_label_boundary_finish (CS_LIBRARY (source), result, &b->above, &b->below,
                                                        &error));
  g_assert_no_error (error);
  b->done = TRUE;
}

/* A photo exactly at the threshold is a member.  Two labels with the same
 * single prompt (no "{}": the name does not enter it) get the same vector,
 * so every photo's cosines to both are equal and its probability is
 * softmax of two equal logits: 1 / (e^0 + e^0) = 1/2 exactly, in float
 * too.  The tie goes to the first label; at threshold 0.5 it takes all
 * 240 photos, the other none; just above 0.5, neither takes any.  The
 * boundary lists them all above 0.5, none below. */
static void
test_at_threshold (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(CsLabel) a = add_label (fx->library, "twin-a", "a red circle", 0.5);
  g_autoptr(CsLabel) b = add_label (fx->library, "twin-b", "a red circle", 0.5);
  g_autoptr(CsPhotoList) members = NULL;
  CsLabel *first;
  Boundary bd = { 0 };
  gboolean done = FALSE;

  g_assert_cmpuint (cs_label_get_count (a) + cs_label_get_count (b), ==, 240);
  first = cs_label_get_count (a) > 0 ? a : b;
  g_assert_cmpuint (cs_label_get_count (first), ==, 240);
  members = cs_library_list_label_members (fx->library, first);
  g_assert_cmpuint (cs_photo_list_get_n_items (members), ==, 240);
  for (guint i = 0; i < 240; i++)
    g_assert_cmpfloat (cs_photo_get_probability (cs_photo_list_get_photo (members, i)), ==, 0.5);

  cs_library_list_label_boundary_async (fx->library, first, 0.5, 1000, NULL, on_boundary_cb, &bd);
  while (!bd.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_photo_list_get_n_items (bd.above), ==, 240);
  g_assert_cmpuint (cs_photo_list_get_n_items (bd.below), ==, 0);
  g_clear_object (&bd.above);
  g_clear_object (&bd.below);

  /* just above: nobody */
  cs_library_edit_label_async (fx->library, first, NULL, NULL, nextafter (0.5, 1.0), NULL,
                               on_edit_done_cb, &done);
  g_assert_cmpuint (cs_label_get_count (a) + cs_label_get_count (b), ==, 0);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gint64
photo_id_at (CsPhotoList *list,
             guint        i)
{
  return cs_photo_get_id (cs_photo_list_get_photo (list, i));
}

/* The photos on either side of a threshold, against the members the
 * label has at threshold 0 (every photo whose best label it is, with its
 * probability): the least probable at or above it, the most probable
 * below it, and never a photo the user judged. */
static void
test_boundary (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(CsLabel) star = NULL;
  g_autoptr(CsPhotoList) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) probs = g_array_new (FALSE, FALSE, sizeof (double));
  Boundary b = { 0 };
  double threshold;
  gint64 confirmed;
  guint n, split;

  star = add_shape_labels (fx->library, "a photo of a {}");
  /* a confirmation among the less probable members: the threshold does
   * not decide on it, so it is in neither row */
  all = cs_library_list_label_members (fx->library, star);
  n = cs_photo_list_get_n_items (all);
  g_assert_cmpuint (n, >=, 20);
  confirmed = photo_id_at (all, n - 2);
  g_assert_true (cs_library_set_verdict (fx->library, star, &confirmed, 1, CS_VERDICT_CONFIRM, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&all);

  /* the truth: the members at threshold 0, most probable first */
  all = cs_library_list_label_members (fx->library, star);
  for (guint i = 0; i < cs_photo_list_get_n_items (all); i++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (all, i);
      double p = cs_photo_get_probability (photo);
      gint64 id = cs_photo_get_id (photo);

      if (cs_photo_get_verdict (photo) != 0)
        continue;
      g_array_append_val (ids, id);
      g_array_append_val (probs, p);
    }
  /* (the confirmation moved the label's vector: the members changed) */
  g_assert_cmpuint (ids->len, >=, 12);
  g_assert_cmpuint (ids->len, <, cs_photo_list_get_n_items (all));
  split = ids->len / 2;
  threshold = (g_array_index (probs, double, split - 1) + g_array_index (probs, double, split)) / 2;
  g_assert_cmpfloat (g_array_index (probs, double, split - 1), >, g_array_index (probs, double, split));

  cs_library_list_label_boundary_async (fx->library, star, threshold, 6, NULL, on_boundary_cb, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_photo_list_get_n_items (b.above), ==, 6);
  g_assert_cmpuint (cs_photo_list_get_n_items (b.below), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      CsPhoto *in = cs_photo_list_get_photo (b.above, i);
      CsPhoto *out = cs_photo_list_get_photo (b.below, i);

      /* above: ranks split - 6 .. split - 1 of the truth; below: split .. split + 5 */
      g_assert_cmpint (cs_photo_get_id (in), ==, g_array_index (ids, gint64, split - 6 + i));
      g_assert_cmpint (cs_photo_get_id (out), ==, g_array_index (ids, gint64, split + i));
      g_assert_cmpfloat (cs_photo_get_probability (in), >=, threshold);
      g_assert_cmpfloat (cs_photo_get_probability (out), <, threshold);
      g_assert_cmpfloat_with_epsilon (cs_photo_get_probability (in), g_array_index (probs, double, split - 6 + i), 1e-6);
      g_assert_true (cs_photo_get_accepted (in));
      g_assert_false (cs_photo_get_accepted (out));
      g_assert_cmpint (cs_photo_get_id (in), !=, confirmed);
      g_assert_cmpint (cs_photo_get_id (out), !=, confirmed);
    }
  g_clear_object (&b.above);
  g_clear_object (&b.below);

  /* past the ends: what there is */
  b.done = FALSE;
  cs_library_list_label_boundary_async (fx->library, star, 0.0, 1000, NULL, on_boundary_cb, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_photo_list_get_n_items (b.above), ==, ids->len);
  g_assert_cmpuint (cs_photo_list_get_n_items (b.below), ==, 0);
  g_clear_object (&b.above);
  g_clear_object (&b.below);
}

typedef struct {
  double f1;
  double accuracy;
} Quality;

/* The star label's F1 over the single-object photos the user did not
 * judge, and the shape accuracy over them. */
static Quality
star_quality (CsLibrary  *library,
              GHashTable *judged)
{
  g_autoptr(GHashTable) got = assignments (library);
  GHashTableIter it;
  gpointer key, value;
  guint tp = 0, fp = 0, fn = 0, right = 0, n = 0;

  g_hash_table_iter_init (&it, truth);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const char *label = g_hash_table_lookup (got, key);
      gboolean is_star = g_str_equal (((char **) value)[0], "star");
      gboolean in_star = label != NULL && g_str_equal (label, "star");

      if (g_hash_table_contains (judged, key))
        continue;
      n++;
      right += label != NULL && g_str_equal (label, ((char **) value)[0]);
      tp += is_star && in_star;
      fp += !is_star && in_star;
      fn += is_star && !in_star;
    }
  return (Quality) { 2.0 * tp / MAX (2 * tp + fp + fn, 1), right / (double) n };
}

/* A label whose prompt names the wrong shape learns from three
 * confirmations and three rejections. */
static void
test_feedback_improves (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(CsLabel) star = NULL;
  g_autoptr(GHashTable) judged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) confirm = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) reject = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) members = NULL;
  Quality before, after;

  /* the bad label: "star" described as a cross */
  star = add_shape_labels (fx->library, "a photo of a cross");
  {
    g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
    before = star_quality (fx->library, none);
  }

  /* the user confirms the first three real stars (by file name) and
   * rejects the first three wrong members */
  {
    g_autoptr(GList) files = g_hash_table_get_keys (truth);
    files = g_list_sort (files, (GCompareFunc) g_strcmp0);
    for (GList *l = files; l != NULL && confirm->len < 3; l = l->next)
      if (g_str_equal (((char **) g_hash_table_lookup (truth, l->data))[0], "star"))
        {
          g_autofree char *path = g_build_filename (toy_photos, l->data, NULL);
          g_autoptr(CsPhoto) photo = cs_library_lookup_path (fx->library, path);
          gint64 id = cs_photo_get_id (photo);

          g_array_append_val (confirm, id);
          g_hash_table_add (judged, g_strdup (l->data));
        }
  }
  members = cs_library_list_label_members (fx->library, star);
  for (guint j = 0; j < cs_photo_list_get_n_items (members) && reject->len < 3; j++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (members, j);
      g_autofree char *name = base_name (photo);
      char **t = g_hash_table_lookup (truth, name);
      gint64 id = cs_photo_get_id (photo);

      if (t == NULL || g_str_equal (t[0], "star"))
        continue;
      g_array_append_val (reject, id);
      g_hash_table_add (judged, g_steal_pointer (&name));
    }
  g_assert_cmpuint (reject->len, ==, 3);

  g_assert_true (cs_library_set_verdict (fx->library, star, (gint64 *) confirm->data, confirm->len,
                                         CS_VERDICT_CONFIRM, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_library_set_verdict (fx->library, star, (gint64 *) reject->data, reject->len,
                                         CS_VERDICT_REJECT, NULL, &error));
  g_assert_no_error (error);
  after = star_quality (fx->library, judged);
  g_test_message ("bad label 'star' ('a photo of a cross'): F1 on the unjudged photos %.3f -> %.3f, "
                  "shape accuracy %.3f -> %.3f, after 3 confirmations and 3 rejections",
                  before.f1, after.f1, before.accuracy, after.accuracy);
  g_assert_cmpfloat (after.f1, >=, before.f1 + 0.05);
  g_assert_cmpuint (cs_label_get_n_confirmed (star), ==, 3);
  g_assert_cmpuint (cs_label_get_n_rejected (star), ==, 3);

  /* membership follows the user's word */
  {
    g_autoptr(CsPhotoList) now = cs_library_list_label_members (fx->library, star);
    g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
    g_autofree gint64 *keep = g_new (gint64, cs_photo_list_get_n_items (now));

    for (guint j = 0; j < cs_photo_list_get_n_items (now); j++)
      {
        CsPhoto *photo = cs_photo_list_get_photo (now, j);
        keep[j] = cs_photo_get_id (photo);
        g_hash_table_add (ids, &keep[j]);
        if (cs_photo_get_verdict (photo) > 0)
          g_assert_cmpfloat (cs_photo_get_probability (photo), ==, 1.0);
      }
    for (guint i = 0; i < confirm->len; i++)
      g_assert_true (g_hash_table_contains (ids, &g_array_index (confirm, gint64, i)));
    for (guint i = 0; i < reject->len; i++)
      g_assert_false (g_hash_table_contains (ids, &g_array_index (reject, gint64, i)));
  }

  /* and survives a restart */
  {
    g_autoptr(CsLibrary) again = load (fx->db, NULL);
    CsLabel *l = cs_library_lookup_label (again, "star");
    Quality q;

    g_assert_nonnull (l);
    g_assert_cmpuint (cs_label_get_n_confirmed (l), ==, 3);
    g_assert_cmpuint (cs_label_get_n_rejected (l), ==, 3);
    g_assert_cmpstr (cs_label_get_prompts (l)[0], ==, "a photo of a cross");
    q = star_quality (again, judged);
    g_assert_cmpfloat (fabs (q.f1 - after.f1), <, 1e-9);
  }

  /* forgetting the verdicts brings the label back where it was */
  g_assert_true (cs_library_set_verdict (fx->library, star, (gint64 *) confirm->data, confirm->len,
                                         CS_VERDICT_NONE, NULL, &error));
  g_assert_true (cs_library_set_verdict (fx->library, star, (gint64 *) reject->data, reject->len,
                                         CS_VERDICT_NONE, NULL, &error));
  {
    g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
    Quality q = star_quality (fx->library, none);
    g_assert_cmpfloat (fabs (q.f1 - before.f1), <, 1e-9);
  }
}

static void
test_edit_and_errors (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(CsLabel) red = add_label (fx->library, "red", "a photo of a {} shape", 0.0);
  g_autoptr(CsLabel) blue = add_label (fx->library, "blue", "a photo of a {} shape", 0.0);
  g_autoptr(GError) error = NULL;
  const char *prompts[] = { "a photo of a green shape", NULL };
  guint red_before = cs_label_get_count (red);

  /* names are unique */
  g_assert_null (cs_library_add_label (fx->library, "red", NULL, -1, NULL, &error));
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_LABEL_EXISTS);
  g_clear_error (&error);
  g_assert_false (cs_library_edit_label (fx->library, blue, "red", NULL, -1, NULL, &error));
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_LABEL_EXISTS);
  g_clear_error (&error);
  g_assert_null (cs_library_add_label (fx->library, "", NULL, -1, NULL, &error));
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (cs_library_add_label (fx->library, "x", NULL, 1.5, NULL, &error));
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID);
  g_clear_error (&error);

  /* rename, new prompts: the label moves in the sorted list and clusters anew */
  g_assert_true (cs_library_edit_label (fx->library, red, "green", prompts, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_label_get_name (red), ==, "green");
  g_assert_cmpstr (cs_label_get_prompts (red)[0], ==, "a photo of a green shape");
  g_assert_true (cs_library_lookup_label (fx->library, "green") == red);
  g_assert_null (cs_library_lookup_label (fx->library, "red"));
  {
    g_autoptr(CsLabel) first = g_list_model_get_item (cs_library_get_labels (fx->library), 0);
    g_assert_cmpstr (cs_label_get_name (first), ==, "blue");
  }
  g_assert_cmpuint (cs_label_get_count (red) + cs_label_get_count (blue), ==, 240);
  g_test_message ("red had %u photos, now green has %u", red_before, cs_label_get_count (red));

  /* removing a label lets the others take its photos */
  g_assert_true (cs_library_remove_label (fx->library, red, NULL, &error));
  g_assert_cmpuint (cs_label_get_count (blue), ==, 240);
  g_assert_false (cs_library_remove_label (fx->library, red, NULL, &error));
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL);
  g_clear_error (&error);

  /* verdicts on photos the library does not hold */
  {
    gint64 bogus = 999999;
    g_assert_false (cs_library_set_verdict (fx->library, blue, &bogus, 1, CS_VERDICT_CONFIRM, NULL, &error));
    g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_PHOTO);
  }
}

static void
test_starter (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n = 0, names = g_strv_length ((char **) cs_library_starter_label_names ());

  g_assert_cmpuint (names, >=, 10);
  g_object_unref (add_label (fx->library, "Pets", NULL, -1));
  g_assert_true (cs_library_add_starter_labels (fx->library, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, names - 1);
  g_assert_cmpuint (g_list_model_get_n_items (cs_library_get_labels (fx->library)), ==, names);
  g_assert_true (cs_library_add_starter_labels (fx->library, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 0);
  /* every photo lands somewhere at threshold 0 is not the default: the
   * default threshold leaves the unsure ones out, and the counts add up */
  {
    GListModel *labels = cs_library_get_labels (fx->library);
    guint total = 0;

    for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
      {
        g_autoptr(CsLabel) label = g_list_model_get_item (labels, i);
        total += cs_label_get_count (label);
        g_assert_cmpfloat (cs_label_get_threshold (label), ==, CS_LIBRARY_DEFAULT_LABEL_THRESHOLD);
      }
    g_assert_cmpuint (total, <=, 240);
  }
}

/* A model change: the labels stay, their vectors come from the new
 * model's text encoder, the verdicts stay by photo. */
/* The row of the database's active model. */
static gint64
active_model_row (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = cs_store_open (db, &error);
  g_autofree char *active = NULL;
  gint64 row;

  g_assert_no_error (error);
  active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (active);
  row = cs_store_lookup_model (store, active, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (row, >, 0);
  return row;
}


/* The cosine between the vector the database caches for `text` under
 * model row `row` and a fresh encoding of it by the model in `model_dir`
 * (-2 when none is cached). */
static double
cached_vs_fresh (const char *db,
                 gint64      row,
                 const char *model_dir,
                 const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = cs_store_open (db, &error);
  CsClipRuntime *rt = cs_clip_runtime_load (model_dir, NULL, &error);
  int dim;
  g_autofree float *cached = NULL, *fresh = NULL;
  gboolean found = FALSE;
  double cos;

  g_assert_no_error (error);
  dim = cs_clip_runtime_get_dim (rt);
  cached = g_new0 (float, dim);
  fresh = g_new0 (float, dim);
  cs_store_get_text_vectors (store, row, (const char * const[]) { text }, 1, dim, cached, &found, &error);
  g_assert_no_error (error);
  g_assert_true (cs_clip_runtime_embed_texts (rt, (const char * const[]) { text }, 1, fresh, NULL, &error));
  g_assert_no_error (error);
  cs_clip_runtime_unref (rt);
  if (!found)
    return -2;
  cos = test_cosine (cached, fresh, (size_t) dim);
  return cos;
}

/* A library told not to cluster (the CLI's search and duplicates) still
 * reads the labels but scores no photo against them. */
static void
test_no_clustering (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(CsLabel) star = add_label (fx->library, "star", "a photo of a {}", 0.0);
  g_autoptr(CsLabel) ring = add_label (fx->library, "ring", "a photo of a {}", 0.0);
  g_autoptr(CsLibrary) plain = cs_library_new (fx->db, NULL);
  g_autoptr(GError) error = NULL;
  CsLabel *s;

  g_assert_cmpuint (cs_label_get_count (star) + cs_label_get_count (ring), ==, 240);
  cs_library_set_cluster_labels (plain, FALSE);
  g_assert_true (cs_library_load (plain, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_library_get_n_photos (plain), ==, 240);
  s = cs_library_lookup_label (plain, "star");
  g_assert_nonnull (s);
  g_assert_nonnull (cs_library_lookup_label (plain, "ring"));
  g_assert_cmpuint (cs_label_get_count (s) + cs_label_get_count (cs_library_lookup_label (plain, "ring")), ==, 0);
}

static void
test_model_change (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fx->dir, "other-model", NULL);
  clip_test_model_spec spec;
  char *message = NULL;
  g_autoptr(CsLabel) star = add_label (fx->library, "star", "a photo of a {}", 0.0);
  g_autoptr(CsLabel) ring = add_label (fx->library, "ring", "a photo of a {}", 0.0);
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (fx->library, star);
  gint64 id = cs_photo_get_id (cs_photo_list_get_photo (members, 0));
  g_autoptr(GError) error = NULL;
  guint64 before;

  g_assert_true (cs_library_set_verdict (fx->library, ring, &id, 1, CS_VERDICT_CONFIRM, NULL, &error));
  g_clear_object (&fx->library);

  g_assert_cmpint (clip_test_model_preset ("tiny", &spec, &message), ==, CLIP_STATUS_OK);
  spec.tokenizer_from = toy_model;
  spec.seed = 99;
  g_assert_cmpint (clip_test_model_write (&spec, other, &message), ==, CLIP_STATUS_OK);
  index_folder (fx->db, toy_photos, other);

  before = _cs_labels_debug_n_encoded ();
  fx->library = load (fx->db, other);
  g_assert_true (cs_library_get_has_model (fx->library));
  /* the first model's cached vectors are not the second's: both prompts
   * encoded again, the cache holding the second model's */
  g_assert_cmpuint (_cs_labels_debug_n_encoded (), ==, before + 2);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, active_model_row (fx->db), other, "a photo of a star"),
                     >=, 0.9999999);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, active_model_row (fx->db), toy_model, "a photo of a star"),
                     <, 0.9999);
  g_assert_cmpuint (cs_library_get_n_photos (fx->library), ==, 240);
  {
    CsLabel *s = cs_library_lookup_label (fx->library, "star");
    CsLabel *r = cs_library_lookup_label (fx->library, "ring");
    g_autoptr(CsPhotoList) rm = NULL;
    gboolean found = FALSE;

    g_assert_nonnull (s);
    g_assert_nonnull (r);
    g_assert_cmpuint (cs_label_get_count (s) + cs_label_get_count (r), >=, 240);
    g_assert_cmpuint (cs_label_get_n_confirmed (r), ==, 1);
    rm = cs_library_list_label_members (fx->library, r);
    for (guint j = 0; j < cs_photo_list_get_n_items (rm); j++)
      found |= cs_photo_get_id (cs_photo_list_get_photo (rm, j)) == id;
    g_assert_true (found);
  }
}

/* Label prompts are encoded once per model: their vectors are cached in
 * the database, a second load encodes none, a changed prompt or name
 * gets its own fresh vector. */
static void
test_prompt_cache (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(CsLabel) star = add_label (fx->library, "star", "a photo of a {}", 0.0);
  g_autoptr(CsLabel) ring = add_label (fx->library, "ring", NULL, 0.0);  /* the default prompts */
  g_autoptr(GError) error = NULL;
  gint64 row = active_model_row (fx->db);
  guint star_count = cs_label_get_count (star), ring_count = cs_label_get_count (ring);
  guint64 before;

  g_assert_cmpuint (star_count + ring_count, ==, 240);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, row, toy_model, "a photo of a star"), >=, 0.9999999);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, row, toy_model, "a sketch of a star"), <, -1);
  {
    g_autoptr(CsStore) store = cs_store_open (fx->db, &error);

    g_assert_no_error (error);
    /* the default prompts, one vector each, plus the star's */
    g_assert_cmpint (cs_store_count_text_vectors (store, row, &error), >=, 2);
  }

  /* a second load: everything from the cache, the same clusters */
  g_clear_object (&star);
  g_clear_object (&ring);
  g_clear_object (&fx->library);
  before = _cs_labels_debug_n_encoded ();
  fx->library = load (fx->db, NULL);
  g_assert_cmpuint (_cs_labels_debug_n_encoded (), ==, before);
  star = g_object_ref (cs_library_lookup_label (fx->library, "star"));
  ring = g_object_ref (cs_library_lookup_label (fx->library, "ring"));
  g_assert_cmpuint (cs_label_get_count (star), ==, star_count);
  g_assert_cmpuint (cs_label_get_count (ring), ==, ring_count);

  /* a changed prompt: encoded (one text), its vector the fresh one */
  before = _cs_labels_debug_n_encoded ();
  g_assert_true (cs_library_edit_label (fx->library, star, NULL,
                                        (const char * const[]) { "a drawing of a {}", NULL }, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_cs_labels_debug_n_encoded (), ==, before + 1);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, row, toy_model, "a drawing of a star"), >=, 0.9999999);

  /* a new name: its prompt is another text, encoded afresh */
  before = _cs_labels_debug_n_encoded ();
  g_assert_true (cs_library_edit_label (fx->library, star, "circle", NULL, -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (_cs_labels_debug_n_encoded (), ==, before + 1);
  g_assert_cmpfloat (cached_vs_fresh (fx->db, row, toy_model, "a drawing of a circle"), >=, 0.9999999);
}

static GHashTable *
read_truth (void)
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

      if (g_strv_length (f) < 3 || strchr (f[1], ';') != NULL)
        continue;  /* single-object photos only, as the reference scores */
      g_hash_table_insert (table, g_strdup (f[0]), g_strdupv ((char *[]) { f[1], f[2], NULL }));
    }
  return table;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *queries_path = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  {
    /* as the indexer stores it: absolute, without "..", so lookups match */
    g_autofree char *raw = test_shared_path_or_skip ("testdata/toy-photos");
    toy_photos = g_canonicalize_filename (raw, NULL);
  }
  queries_path = g_build_filename (toy_photos, "queries.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, queries_path, &error));
  queries = json_node_copy (json_parser_get_root (parser));
  truth = read_truth ();
  g_assert_cmpuint (g_hash_table_size (truth), ==, 151);

  g_test_add ("/library/labels/zero-shot-sets", Fixture, NULL, fixture_setup, test_zero_shot_sets, fixture_teardown);
  g_test_add ("/library/labels/threshold-instant", Fixture, NULL, fixture_setup, test_threshold_instant, fixture_teardown);
  g_test_add ("/library/labels/boundary", Fixture, NULL, fixture_setup, test_boundary, fixture_teardown);
  g_test_add ("/library/labels/at-threshold", Fixture, NULL, fixture_setup, test_at_threshold, fixture_teardown);
  g_test_add ("/library/labels/feedback-improves", Fixture, NULL, fixture_setup, test_feedback_improves, fixture_teardown);
  g_test_add ("/library/labels/edit-and-errors", Fixture, NULL, fixture_setup, test_edit_and_errors, fixture_teardown);
  g_test_add ("/library/labels/starter", Fixture, NULL, fixture_setup, test_starter, fixture_teardown);
  g_test_add ("/library/labels/prompt-cache", Fixture, NULL, fixture_setup, test_prompt_cache, fixture_teardown);
  g_test_add ("/library/labels/no-clustering", Fixture, NULL, fixture_setup, test_no_clustering, fixture_teardown);
  g_test_add ("/library/labels/model-change", Fixture, NULL, fixture_setup, test_model_change, fixture_teardown);
  rc = g_test_run ();

  g_hash_table_unref (truth);
  json_node_unref (queries);
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
