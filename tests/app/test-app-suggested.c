/* test-app-suggested.c - the sidebar's "Suggested" section (issue 16).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the toy library the earlier cases indexed: the section lists what
 * the library's own discovery (run here, blocking, as the command line
 * does) finds, in its order; opening one shows exactly its photos in the
 * grid; "Keep as Label" makes a label whose confirmed members are those
 * photos; "Dismiss" hides one, still hidden after discovery runs again
 * and after the dismissed keys are read afresh from their file, as at a
 * start, although the library still finds it.
 */
#include "config.h"

#include "app-test-util.h"
#include "cs-photo-grid.h"
#include "cs-suggestion-row.h"
#include "cs-suggestions.h"
#include "cs-window-suggested.h"

void test_suggested         (void);
void test_suggested_keep    (void);
void test_suggested_dismiss (void);
void test_suggested_keep_taken_name (void);

static GListModel *
discover_truth (void)
{
  g_autoptr(GError) error = NULL;
  GListModel *truth = cs_library_discover (cs_application_get_library (app), NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (truth);
  return truth;
}

static guint
n_rows (void)
{
  GtkListBox *list = cs_window_get_suggested_list (window);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, (int) n) != NULL)
    n++;
  return n;
}

static CsSuggestionRow *
row_at (guint i)
{
  return CS_SUGGESTION_ROW (gtk_list_box_get_row_at_index (cs_window_get_suggested_list (window), (int) i));
}

static CsSuggestionRow *
row_with_key (const char *key)
{
  for (guint i = 0, n = n_rows (); i < n; i++)
    if (g_strcmp0 (cs_suggestion_get_key (cs_suggestion_row_get_suggestion (row_at (i))), key) == 0)
      return row_at (i);
  return NULL;
}

static CsSuggestion *
truth_with_key (GListModel *truth,
                const char *key)
{
  for (guint i = 0, n = g_list_model_get_n_items (truth); i < n; i++)
    {
      g_autoptr(CsSuggestion) s = g_list_model_get_item (truth, i);
      if (g_strcmp0 (cs_suggestion_get_key (s), key) == 0)
        return s;  /* `truth` holds it */
    }
  return NULL;
}

/* Every row's cover is drawn (the thumbnailer answered). */
static gboolean
covers_loaded (gpointer data)
{
  for (guint i = 0, n = n_rows (); i < n; i++)
    {
      GtkWidget *image = find_widget (GTK_WIDGET (row_at (i)), "GtkImage", NULL, NULL);
      if (image == NULL || gtk_image_get_storage_type (GTK_IMAGE (image)) != GTK_IMAGE_PAINTABLE)
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_rows (gpointer data)
{
  return n_rows () > 0;
}

static gboolean
runs_past (gpointer data)
{
  return cs_window_get_discover_runs (window) > GPOINTER_TO_UINT (data);
}

static gboolean
row_gone (gpointer key)
{
  return row_with_key (key) == NULL;
}

/* Discovery in the window again, waited for. */
static void
rediscover (gboolean reload_dismissed)
{
  guint runs = cs_window_get_discover_runs (window);

  cs_window_rediscover (window, reload_dismissed);
  g_assert_true (wait_for (runs_past, GUINT_TO_POINTER (runs), 120));
}

/* The rows must be the library's suggestions less `hidden`, in order. */
static void
assert_rows_match (GListModel *truth,
                   GHashTable *hidden)
{
  guint r = 0;

  for (guint i = 0, n = g_list_model_get_n_items (truth); i < n; i++)
    {
      g_autoptr(CsSuggestion) s = g_list_model_get_item (truth, i);
      CsSuggestion *shown;

      if (hidden != NULL && g_hash_table_contains (hidden, cs_suggestion_get_key (s)))
        continue;
      g_assert_cmpuint (r, <, n_rows ());
      shown = cs_suggestion_row_get_suggestion (row_at (r));
      g_assert_cmpstr (cs_suggestion_get_key (shown), ==, cs_suggestion_get_key (s));
      g_assert_cmpstr (cs_suggestion_get_name (shown), ==, cs_suggestion_get_name (s));
      r++;
    }
  g_assert_cmpuint (r, ==, n_rows ());
}

static void
assert_same_ids (GListModel *shown,
                 GListModel *expected)
{
  guint n = g_list_model_get_n_items (expected);

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) a = g_list_model_get_item (shown, i);
      g_autoptr(CsPhoto) b = g_list_model_get_item (expected, i);
      g_assert_cmpint (cs_photo_get_id (a), ==, cs_photo_get_id (b));
    }
}

static gboolean
grid_shows (gpointer expected)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  guint n = g_list_model_get_n_items (expected);

  if (model == NULL || g_list_model_get_n_items (model) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) a = g_list_model_get_item (model, i);
      g_autoptr(CsPhoto) b = g_list_model_get_item (expected, i);
      if (cs_photo_get_id (a) != cs_photo_get_id (b))
        return FALSE;
    }
  return TRUE;
}

void
test_suggested (void)
{
  g_autoptr(GListModel) truth = NULL;
  CsSuggestion *expected;
  CsSuggestionRow *row;

  g_assert_true (wait_for (indexer_idle, NULL, 120));
  /* the window discovers by itself once indexing settles */
  g_assert_true (wait_for (has_rows, NULL, 120));

  truth = discover_truth ();
  g_assert_cmpuint (g_list_model_get_n_items (truth), >, 0);
  rediscover (FALSE);
  assert_rows_match (truth, NULL);
  g_assert_true (wait_for (covers_loaded, NULL, 30));
  save_screenshot (GTK_WIDGET (window), "suggested.png");

  /* open the second (or only) one: exactly its photos, in its order */
  row = row_at (n_rows () > 1 ? 1 : 0);
  expected = truth_with_key (truth, cs_suggestion_get_key (cs_suggestion_row_get_suggestion (row)));
  g_assert_nonnull (expected);
  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_true (wait_for (view_is, (gpointer) "suggestion", 10));
  g_assert_true (wait_for (grid_shows, cs_suggestion_get_photos (expected), 10));
  assert_same_ids (cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid"))),
                   G_LIST_MODEL (cs_suggestion_get_photos (expected)));
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)));
  g_assert_true (wait_for (thumbnails_loaded, window_part ("grid"), 20));
  save_screenshot (GTK_WIDGET (window), "suggested-open.png");
}

static gboolean
popover_shown (gpointer row)
{
  GtkWidget *popover = find_widget (row, "GtkPopoverMenu", NULL, NULL);
  return popover != NULL && gtk_widget_get_mapped (popover);
}

void
test_suggested_keep (void)
{
  g_autoptr(GListModel) truth = discover_truth ();
  g_autoptr(CsPhotoList) members = NULL;
  g_autoptr(GHashTable) confirmed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *key = NULL, *name = NULL;
  CsSuggestionRow *row = NULL;
  CsSuggestion *expected;
  GListModel *photos;

  /* one whose name no label has yet */
  for (guint i = 0, n = n_rows (); i < n && row == NULL; i++)
    if (label_named (cs_suggestion_get_name (cs_suggestion_row_get_suggestion (row_at (i)))) == NULL)
      row = row_at (i);
  g_assert_nonnull (row);
  key = g_strdup (cs_suggestion_get_key (cs_suggestion_row_get_suggestion (row)));
  name = g_strdup (cs_suggestion_get_name (cs_suggestion_row_get_suggestion (row)));
  expected = truth_with_key (truth, key);
  g_assert_nonnull (expected);

  /* the row's context menu, as the Menu key gives it */
  gtk_widget_grab_focus (GTK_WIDGET (row));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "suggestion-row.menu", NULL));
  g_assert_true (wait_for (popover_shown, row, 10));
  gtk_popover_popdown (GTK_POPOVER (find_widget (GTK_WIDGET (row), "GtkPopoverMenu", NULL, NULL)));

  /* its first item */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "suggested.keep", "s", key));
  g_assert_true (wait_for (label_exists, name, 60));
  g_assert_true (wait_for (row_gone, key, 60));

  members = cs_library_list_label_members (cs_application_get_library (app), label_named (name));
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (members)); i < n; i++)
    {
      g_autoptr(CsPhoto) p = g_list_model_get_item (G_LIST_MODEL (members), i);
      if (cs_photo_get_verdict (p) == CS_VERDICT_CONFIRM)
        g_hash_table_add (confirmed, g_memdup2 (&(gint64) { cs_photo_get_id (p) }, sizeof (gint64)));
    }
  photos = G_LIST_MODEL (cs_suggestion_get_photos (expected));
  g_assert_cmpuint (g_hash_table_size (confirmed), ==, g_list_model_get_n_items (photos));
  for (guint i = 0, n = g_list_model_get_n_items (photos); i < n; i++)
    {
      g_autoptr(CsPhoto) p = g_list_model_get_item (photos, i);
      g_assert_true (g_hash_table_contains (confirmed, &(gint64) { cs_photo_get_id (p) }));
    }
  /* kept is hidden for good too */
  {
    g_autoptr(GHashTable) stored = cs_dismissed_suggestions_load ();
    g_assert_true (g_hash_table_contains (stored, key));
  }
}

void
test_suggested_dismiss (void)
{
  g_autoptr(GListModel) truth = NULL;
  g_autoptr(GHashTable) stored = NULL;
  g_autofree char *key = NULL;
  CsSuggestionRow *row;

  g_assert_cmpuint (n_rows (), >, 0);
  row = row_at (0);
  key = g_strdup (cs_suggestion_get_key (cs_suggestion_row_get_suggestion (row)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "suggested.dismiss", "s", key));
  g_assert_true (wait_for (row_gone, key, 10));

  /* discovery again: the library still finds it, the section does not show it */
  rediscover (FALSE);
  truth = discover_truth ();
  g_assert_nonnull (truth_with_key (truth, key));
  g_assert_null (row_with_key (key));

  /* as at a start: the keys read afresh from their file */
  stored = cs_dismissed_suggestions_load ();
  g_assert_true (g_hash_table_contains (stored, key));
  rediscover (TRUE);
  g_assert_null (row_with_key (key));
  assert_rows_match (truth, stored);
}

/* A suggestion named as a label already is: kept under a numbered name,
 * not refused. */
void
test_suggested_keep_taken_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsLabel) taken = NULL;
  g_autoptr(CsPhotoList) members = NULL;
  g_autofree char *key = NULL, *name = NULL, *numbered = NULL;
  g_autoptr(CsSuggestion) suggestion = NULL;
  guint n_confirmed = 0;

  g_assert_cmpuint (n_rows (), >, 0);
  /* the row and the window's list let it go once kept */
  suggestion = g_object_ref (cs_suggestion_row_get_suggestion (row_at (n_rows () - 1)));
  key = g_strdup (cs_suggestion_get_key (suggestion));
  name = g_strdup (cs_suggestion_get_name (suggestion));
  if (label_named (name) == NULL)
    {
      taken = cs_library_add_label (cs_application_get_library (app), name, NULL, -1, NULL, &error);
      g_assert_no_error (error);
    }
  numbered = g_strdup_printf ("%s 2", name);
  g_assert_null (label_named (numbered));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row_at (n_rows () - 1)), "suggested.keep", "s", key));
  g_assert_true (wait_for (label_exists, numbered, 60));
  g_assert_true (wait_for (row_gone, key, 60));
  members = cs_library_list_label_members (cs_application_get_library (app), label_named (numbered));
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (members)); i < n; i++)
    {
      g_autoptr(CsPhoto) p = g_list_model_get_item (G_LIST_MODEL (members), i);
      n_confirmed += cs_photo_get_verdict (p) == CS_VERDICT_CONFIRM;
    }
  g_assert_cmpuint (n_confirmed, ==, g_list_model_get_n_items (G_LIST_MODEL (cs_suggestion_get_photos (suggestion))));
}
