/* test-app-search.c - a query typed into the search entry, its results
 * against queries.json, the photo view, dark and narrow, and the folder
 * and date filters of the search options.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <utime.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "test-util.h"

void
test_search (void)
{
  JsonObject *q = find_query ("a red circle");
  JsonArray *relevant = json_object_get_array_member (q, "relevant");
  double reference = json_object_get_double_member (json_object_get_object_member (q, "reference"),
                                                    "precision_at_10");
  g_autoptr(GHashTable) truth = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *model;
  guint hits = 0, n;

  for (guint i = 0; i < json_array_get_length (relevant); i++)
    g_hash_table_add (truth, (gpointer) json_array_get_string_element (relevant, i));

  /* typed into the entry, as a person would */
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a red circle");
  g_assert_true (wait_for (search_settled, NULL, 30));
  model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, >=, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
      if (g_hash_table_contains (truth, cs_photo_get_display_name (photo)))
        hits++;
    }
  g_test_message ("\"a red circle\": precision@10 %.2f (reference %.2f), %u results", hits / 10.0,
                  reference, n);
  g_assert_cmpfloat (hits / 10.0, >=, reference - 1e-9);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
  g_assert_true (wait_for (thumbnails_loaded, CS_PHOTO_GRID (window_part ("grid")), 30));
  save_screenshot (GTK_WIDGET (window), "results.png");
}

void
test_photo_view (void)
{
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));
  g_autoptr(CsPhoto) first = g_list_model_get_item (cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid"))), 0);

  gtk_widget_activate_action (GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid")))),
                              "list.activate-item", "u", 0);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  g_assert_true (cs_photo_view_get_photo (view) == first);
  g_assert_true (wait_for ((Condition) cs_photo_view_get_loaded, view, 20));
  save_screenshot (GTK_WIDGET (window), "photo.png");

  gtk_widget_activate_action (GTK_WIDGET (view), "photo.next", NULL);
  g_assert_cmpuint (cs_photo_view_get_position (view), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.previous", NULL);
  g_assert_cmpuint (cs_photo_view_get_position (view), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
}

void
test_dark_and_narrow (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a yellow star");
  g_assert_true (wait_for (search_settled, NULL, 30));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (wait_for (thumbnails_loaded, CS_PHOTO_GRID (window_part ("grid")), 30));
  save_screenshot (GTK_WIDGET (window), "results-dark.png");

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  spin (1.0);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 420);  /* 360 + the shadow */
  g_assert_true (wait_for (thumbnails_loaded, CS_PHOTO_GRID (window_part ("grid")), 30));
  save_screenshot (GTK_WIDGET (window), "narrow.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* --- filters ------------------------------------------------------ */

static gboolean
library_has_exactly (gpointer data)
{
  return cs_library_get_n_photos (cs_application_get_library (app)) == GPOINTER_TO_UINT (data)
         && !cs_indexer_get_running (cs_application_get_indexer (app));
}

/* The photos of `dir` (the truth: the files themselves) into `files`:
 * path -> mtime in seconds. */
static void
list_photos (const char *dir,
             GHashTable *files)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *canon = g_canonicalize_filename (dir, NULL);  /* as the library has it */
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "photo-"))
      {
        char *path = g_build_filename (canon, name, NULL);
        GStatBuf st;
        gint64 *mtime = g_new (gint64, 1);

        g_assert_cmpint (g_stat (path, &st), ==, 0);
        *mtime = st.st_mtime;
        g_hash_table_insert (files, path, mtime);
      }
}

/* Sets the filters the way a person does (clicking `items` in the search
 * options, in order) and checks that the grid shows exactly the photos of
 * `files` (path -> mtime) under `folder` (NULL: any) taken at or after
 * `after` (G_MININT64: any). */
static void
check_filtered (const char * const *items,
                GHashTable         *files,
                const char         *folder,
                gint64              after)
{
  g_autoptr(GHashTable) want = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *prefix = folder != NULL ? g_strconcat (folder, "/", NULL) : NULL;
  GListModel *model;
  GHashTableIter it;
  gpointer key, value;
  guint n;

  for (guint i = 0; items[i] != NULL; i++)
    {
      guint seen = n_results_changed;

      click_option (items[i]);
      g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 30));
    }
  g_hash_table_iter_init (&it, files);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      gint64 mtime = *(gint64 *) value;

      /* no photo's date lies near the bound: "past month" cannot be read
       * two ways */
      g_assert_true (after == G_MININT64 || llabs (mtime - after) > 3 * 24 * 3600);
      if ((prefix == NULL || g_str_has_prefix (key, prefix)) && mtime >= after)
        g_hash_table_add (want, key);
    }
  model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  n = g_list_model_get_n_items (model);
  g_test_message ("filters %s%s%s: %u photos shown, %u expected", items[0], items[1] ? ", " : "",
                  items[1] ? items[1] : "", n, g_hash_table_size (want));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (want, cs_photo_get_path (photo)))
        g_error ("%s is shown, though %s", cs_photo_get_path (photo),
                 g_hash_table_contains (files, cs_photo_get_path (photo)) ? "filtered out" : "no photo there");
    }
  g_assert_cmpuint (n, ==, g_hash_table_size (want));
  if (n == 0)
    g_assert_true (gtk_widget_get_mapped (find_widget (GTK_WIDGET (window), "AdwStatusPage", "title",
                                                       "No Matches")));
}

/* The folder and date filters of the search options, on two more folders
 * of eight photos each: one dated ten days ago, one a hundred days ago
 * (the toy photos are dated when they were copied, recently). */
void
test_filters (void)
{
  g_autofree char *root = g_build_filename (g_get_home_dir (), "Filters", NULL);
  g_autofree char *recent = g_build_filename (root, "recent-photos", NULL);
  g_autofree char *old = g_build_filename (root, "old_photos", NULL);
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) d = g_dir_open (photos_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *popover = options_popover ();
  GtkRange *strictness = GTK_RANGE (find_widget (popover, "GtkScale", NULL, NULL));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 month = 0, year = 0;
  const char *name;
  gulong handler;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_mkdir_with_parents (recent, 0755);
  g_mkdir_with_parents (old, 0755);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "photo-"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *from = g_build_filename (photos_dir, names->pdata[i * 7], NULL);
      g_autofree char *to = g_build_filename (i % 2 ? old : recent, names->pdata[i * 7], NULL);
      g_autofree char *data = NULL;
      gsize len;
      gint64 when = now - (i % 2 ? 100 : 10) * 24 * 3600;
      struct utimbuf t = { (time_t) when, (time_t) when };

      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
      g_assert_cmpint (utime (to, &t), ==, 0);
    }
  cs_application_add_folder (app, recent);
  cs_application_add_folder (app, old);
  g_assert_true (wait_for (library_has_exactly, GUINT_TO_POINTER (256), 120));
  list_photos (photos_dir, files);
  list_photos (recent, files);
  list_photos (old, files);
  g_assert_cmpuint (g_hash_table_size (files), ==, 256);
  {
    g_autoptr(GDateTime) t = g_date_time_new_now_local ();
    g_autoptr(GDateTime) m = g_date_time_add_months (t, -1);
    g_autoptr(GDateTime) y = g_date_time_add_years (t, -1);

    month = g_date_time_to_unix (m);
    year = g_date_time_to_unix (y);
  }

  /* the loosest search lists every photo the filters let through */
  handler = g_signal_connect (window, "results-changed", G_CALLBACK (on_results_changed_cb), NULL);
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a red circle");
  g_assert_true (wait_for (search_settled, NULL, 30));
  {
    guint seen = n_results_changed;

    g_assert_nonnull (strictness);
    gtk_range_set_value (strictness, -1.0);
    g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 30));
    g_assert_cmpuint (g_list_model_get_n_items (cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")))), ==, 256);
    g_assert_nonnull (find_widget (GTK_WIDGET (window), "GtkLabel", "label", "256 photos, best matches first"));
  }

  check_filtered ((const char *[]) { "recent-photos", NULL }, files, recent, G_MININT64);
  save_screenshot (GTK_WIDGET (window), "filter-folder.png");
  /* (the underscore shows as itself, not as a mnemonic) */
  check_filtered ((const char *[]) { "old_photos", NULL }, files, old, G_MININT64);
  check_filtered ((const char *[]) { "All Folders", "Past Month", NULL }, files, NULL, month);
  check_filtered ((const char *[]) { "Past Year", NULL }, files, NULL, year);
  check_filtered ((const char *[]) { "old_photos", NULL }, files, old, year);
  check_filtered ((const char *[]) { "Past Month", NULL }, files, old, month);
  check_filtered ((const char *[]) { "All Folders", "Any Time", NULL }, files, NULL, G_MININT64);

  /* back as it was */
  {
    guint seen = n_results_changed;

    gtk_range_set_value (strictness, 0.0);
    g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 30));
  }
  g_signal_handler_disconnect (window, handler);
  cs_application_remove_folder (app, recent);
  cs_application_remove_folder (app, old);
  g_assert_true (wait_for (library_has_exactly, GUINT_TO_POINTER (240), 120));
  test_rm_rf (root);
}
