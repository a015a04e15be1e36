/* test-app-platform.c - issue 17, "The GNOME platform": the files not
 * indexed listed in full in the preferences, "Find Photos Like a File"
 * (its chooser, its entry, its results) and "Show in Files" without a
 * file manager.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-preferences.h"
#include "test-util.h"

/* ------------------------------------------------------------------ */
/* Files not indexed                                                    */
/* ------------------------------------------------------------------ */

/* The failures table as the database holds it, read with SQLite itself
 * (not through the store): path -> reason. */
static GHashTable *
read_failures (void)
{
  const char *env = g_getenv ("CLIPSIGHT_DATABASE");
  g_autofree char *db = env != NULL ? g_strdup (env)
                                    : g_build_filename (g_get_user_data_dir (), "clipsight", "library.db", NULL);
  GHashTable *failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *conn = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db, &conn, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (conn, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT path, reason FROM failures", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (failures,
                         g_strndup (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  return failures;
}

static void
collect_rows (GtkWidget *root,
              GPtrArray *rows)
{
  if (ADW_IS_ACTION_ROW (root))
    g_ptr_array_add (rows, root);
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    collect_rows (w, rows);
}

static CsPreferences *
shown_preferences (void)
{
  /* a window, or a dialog inside one (libadwaita >= 1.5) */
  return (CsPreferences *) cs_compat_find_shown (CS_TYPE_PREFERENCES);
}

typedef struct {
  GtkWidget *group;
  guint      n;
} RowsWait;

static gboolean
group_has_rows (gpointer data)
{
  RowsWait *w = data;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (w->group, rows);
  return rows->len == w->n;
}

static gboolean
group_has_row (gpointer group)
{
  return find_widget (group, "AdwActionRow", "title", "mended.jpg") != NULL;
}

static gboolean
group_lacks_row (gpointer group)
{
  return !group_has_row (group);
}

static void
on_index_finished_cb (CsApplication *application,
                      guint         *n)
{
  (*n)++;
}

static gboolean
count_reached (gpointer data)
{
  guint *n = data;
  return n[0] >= n[1] && indexer_idle (NULL);
}

static gboolean
library_has_path (gpointer path)
{
  g_autoptr(CsPhoto) photo = cs_library_lookup_path (cs_application_get_library (app), path);
  return photo != NULL;
}

/* A folder of broken files, indexed, then indexed again (the second run
 * does not try the unchanged failed files, so its own list of failures
 * is empty: the indexing bar's dialog used to show that list, 3 of the
 * 7 failures the database held).  The warning's action opens the
 * preferences on the files not indexed: one row for each failure the
 * database holds, the file's name as the title, the reason and the
 * folder below it, the path never repeated, and the count. */
void
test_failures_listed (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("clipsight-failures-XXXXXX", NULL);
  g_autofree char *folder = g_canonicalize_filename (tmp, NULL);
  g_autofree char *src = g_build_filename (photos_dir, "photo-0004.jpg", NULL);
  g_autofree char *good = g_build_filename (folder, "good.jpg", NULL);
  g_autofree char *data = NULL;
  g_autofree char *noise = g_malloc (4096);
  g_autoptr(GFile) dir = g_file_new_for_path (folder);
  g_autoptr(GHashTable) failures = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  const char *broken[] = { "noise.jpg", "empty.png", "truncated.jpg", "words.gif", "zeros.webp" };
  guint runs[2] = { 0, 0 };
  gulong handler;
  gsize len;
  CsPreferences *prefs;
  GtkWidget *group;
  GHashTableIter iter;
  gpointer key, value;
  RowsWait rw;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (good, data, (gssize) len, NULL));
  for (guint i = 0; i < 4096; i++)
    noise[i] = (char) g_random_int_range (0, 256);
  {
    const struct { const char *name; const char *bytes; gssize n; } files[] = {
      { broken[0], noise, 4096 },
      { broken[1], "", 0 },
      { broken[2], data, 300 },  /* a JPEG cut after its headers */
      { broken[3], "These are words, not a GIF.\n", -1 },
      { broken[4], NULL, 1000 },
    };
    g_autofree char *zeros = g_malloc0 (1000);

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *path = g_build_filename (folder, files[i].name, NULL);
        g_assert_true (g_file_set_contents (path, files[i].bytes != NULL ? files[i].bytes : zeros, files[i].n, NULL));
      }
  }

  handler = g_signal_connect (app, "index-finished", G_CALLBACK (on_index_finished_cb), &runs[0]);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_path, good, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));

  /* the truth: each broken file is a failure in the database */
  failures = read_failures ();
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *path = g_build_filename (folder, broken[i], NULL);
      g_assert_true (g_hash_table_contains (failures, path));
    }
  g_assert_false (g_hash_table_contains (failures, good));

  /* a second run: the failed files are unchanged and not tried again */
  runs[1] = runs[0] + 1;
  cs_application_rescan (app);
  g_assert_true (wait_for (count_reached, runs, 120));
  g_signal_handler_disconnect (app, handler);
  g_clear_pointer (&failures, g_hash_table_unref);
  failures = read_failures ();
  g_assert_cmpuint (g_hash_table_size (failures), >=, G_N_ELEMENTS (broken));

  /* the indexing bar's warning button */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-failures", NULL);
  prefs = shown_preferences ();
  g_assert_nonnull (prefs);
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  g_assert_cmpstr (cs_compat_preferences_get_visible_page_name (GTK_WIDGET (prefs)), ==,
                   "not-indexed");
  group = find_widget (GTK_WIDGET (prefs), "AdwPreferencesGroup", "title", "Files Not Indexed");
  g_assert_nonnull (group);
  rw.group = group;
  rw.n = g_hash_table_size (failures);
  g_assert_true (wait_for (group_has_rows, &rw, 30));
  spin (0.3);
  save_screenshot (GTK_WIDGET (prefs), "not-indexed.png");

  /* every failure of the database, each once, and nothing else */
  collect_rows (group, rows);
  g_assert_cmpuint (rows->len, ==, g_hash_table_size (failures));
  g_hash_table_iter_init (&iter, failures);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *path = key, *reason = value;
      g_autofree char *name = g_filename_display_basename (path);
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *shown_folder = g_filename_display_name (parent);
      g_autofree char *shown_path = g_filename_display_name (path);
      guint matches = 0;

      g_assert_cmpstr (reason, !=, "");
      for (guint i = 0; i < rows->len; i++)
        {
          const char *title = adw_preferences_row_get_title (rows->pdata[i]);
          const char *subtitle = adw_action_row_get_subtitle (rows->pdata[i]);

          if (g_strcmp0 (title, name) != 0 || subtitle == NULL || strstr (subtitle, shown_folder) == NULL)
            continue;
          matches++;
          /* the reason, starting the line with a capital */
          {
            g_autofree char *sub_folded = g_utf8_casefold (subtitle, -1);
            g_autofree char *reason_folded = g_utf8_casefold (reason, -1);

            g_assert_true (g_str_has_prefix (sub_folded, reason_folded));
            g_assert_true (g_unichar_isupper (g_utf8_get_char (subtitle)) || !g_unichar_isalpha (g_utf8_get_char (subtitle)));
          }
          /* the name is the title; the path is not repeated below it */
          g_assert_null (strstr (subtitle, shown_path));
          g_assert_null (strstr (subtitle, name));
        }
      g_assert_cmpuint (matches, ==, 1);
    }
  {
    g_autofree char *count = g_strdup_printf ("%u files could not be indexed", g_hash_table_size (failures));
    g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), count));
  }
  cs_compat_preferences_close (GTK_WIDGET (prefs));

  cs_application_remove_folder (app, folder);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  test_rm_rf (folder);
}

static gboolean
library_lacks_path (gpointer path)
{
  return !library_has_path (path) && indexer_idle (NULL);
}

static void
set_mtime (const char *path,
           guint64     seconds)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, seconds,
                                              G_FILE_QUERY_INFO_NONE, NULL, NULL));
  g_assert_true (g_file_set_attribute_uint32 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC, 0,
                                              G_FILE_QUERY_INFO_NONE, NULL, NULL));
}

/* Try Again retries files that did not change: a JPEG whose first bytes
 * were broken fails; mended in place with the same size and time, a run
 * passes it over (failed before, unchanged), but Try Again on the Not
 * Indexed page indexes it, and its row goes. */
void
test_failures_retry (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("clipsight-retry-XXXXXX", NULL);
  g_autofree char *folder = g_canonicalize_filename (tmp, NULL);
  g_autofree char *src = g_build_filename (photos_dir, "photo-0005.jpg", NULL);
  g_autofree char *path = g_build_filename (folder, "mended.jpg", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GFile) dir = g_file_new_for_path (folder);
  g_autoptr(GHashTable) failures = NULL;
  guint runs[2] = { 0, 0 };
  CsPreferences *prefs;
  GtkWidget *retry, *group;
  gulong handler;
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  data[0] = data[1] = 0;  /* no JPEG start marker: not an image */
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  set_mtime (path, 1700000000);

  handler = g_signal_connect (app, "index-finished", G_CALLBACK (on_index_finished_cb), &runs[0]);
  runs[1] = 1;
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (count_reached, runs, 120));
  failures = read_failures ();
  g_assert_true (g_hash_table_contains (failures, path));

  /* mended, same size and time: an ordinary run leaves it */
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  set_mtime (path, 1700000000);
  runs[1] = runs[0] + 1;
  cs_application_rescan (app);
  g_assert_true (wait_for (count_reached, runs, 120));
  g_assert_false (library_has_path (path));

  prefs = cs_preferences_new (app);
  cs_preferences_show_failures (prefs);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  group = find_widget (GTK_WIDGET (prefs), "AdwPreferencesGroup", "title", "Files Not Indexed");
  g_assert_nonnull (group);
  g_assert_true (wait_for (group_has_row, group, 30));
  retry = find_widget (GTK_WIDGET (prefs), "GtkButton", "tooltip-text", "Try These Files Again");
  g_assert_nonnull (retry);
  /* offered only while no run is going: the folder's watch may still be
   * finishing a run of the mended file's new time */
  g_assert_true (wait_for ((Condition) gtk_widget_is_sensitive, retry, 60));
  runs[1] = runs[0] + 1;
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (wait_for (count_reached, runs, 120));
  g_assert_true (wait_for (library_has_path, path, 60));
  g_signal_handler_disconnect (app, handler);
  g_clear_pointer (&failures, g_hash_table_unref);
  failures = read_failures ();
  g_assert_false (g_hash_table_contains (failures, path));
  g_assert_true (wait_for (group_lacks_row, group, 30));
  cs_compat_preferences_close (GTK_WIDGET (prefs));

  cs_application_remove_folder (app, folder);
  g_assert_true (wait_for (library_lacks_path, path, 60));
  test_rm_rf (folder);
}

/* ------------------------------------------------------------------ */
/* Find Photos Like a File                                              */
/* ------------------------------------------------------------------ */

/* GTK's own chooser window (no portal here), behind GtkFileDialog or
 * GtkFileChooserNative */
static GtkWidget *
shown_chooser (void)
{
  return cs_compat_chooser_find_shown ();
}

static gboolean
chooser_shown (gpointer data)
{
  GtkWidget *chooser = shown_chooser ();
  return chooser != NULL && gtk_widget_get_mapped (chooser);
}

static gboolean
chooser_has_file (gpointer data)
{
  g_autoptr(GFile) file = cs_compat_chooser_get_file (data);
  return file != NULL;
}

static gboolean
filter_matches (GtkFileFilter *filter,
                const char    *name,
                const char    *content_type)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  g_file_info_set_content_type (info, content_type);
  return gtk_filter_match (GTK_FILTER (filter), info);
}

/* The paths of `list`'s first `n` photos. */
static GPtrArray *
first_paths (GListModel *list,
             guint       n)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < MIN (n, g_list_model_get_n_items (list)); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (list, i);
      g_ptr_array_add (paths, g_strdup (cs_photo_get_path (photo)));
    }
  return paths;
}

static gboolean
same_paths (GPtrArray *a,
            GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (g_strcmp0 (a->pdata[i], b->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

/* What the library finds for `text` and/or the image at `path`, with the
 * window's settings (relevance order, the settings' strictness). */
static GPtrArray *
library_paths (const char *text,
               const char *path,
               guint       n)
{
  CsLibrary *library = cs_application_get_library (app);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.clipsight.Clipsight");
  g_autoptr(CsQuery) query = cs_query_new (text);
  g_autoptr(CsPhotoList) list = NULL;
  g_autoptr(GError) error = NULL;

  cs_query_set_image_path (query, path);
  cs_query_set_strictness (query, g_settings_get_double (settings, "strictness"));
  cs_query_set_sort (query, CS_SORT_RELEVANCE);
  cs_query_set_limit (query, 0);
  cs_query_set_accepted_only (query, FALSE);
  list = cs_library_search (library, query, NULL, &error);
  g_assert_no_error (error);
  return first_paths (G_LIST_MODEL (list), n);
}

static gboolean
placeholder_is (gpointer text)
{
  g_autofree char *placeholder = NULL;

  g_object_get (window_part ("search_entry"), "placeholder-text", &placeholder, NULL);
  return g_strcmp0 (placeholder, text) == 0;
}

/* "Find Photos Like a File…" after a typed query: the chooser offers
 * images only; the chosen file replaces the typed words (the toast says
 * so), the entry names the file, and the results are the file's alone,
 * not those of the words and the file together. */
void
test_find_like_file (void)
{
  g_autofree char *file_path = g_build_filename (photos_dir, "photo-0004.jpg", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (file_path);
  g_autofree char *placeholder = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(GPtrArray) alone = NULL;
  g_autoptr(GPtrArray) combined = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  GtkWidget *entry = window_part ("search_entry");
  GtkWidget *chooser;
  GtkFileFilter *filter;
  gulong handler;
  guint before;

  /* relevance, no folder or date filter: the library's own order */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sort", g_variant_new_string ("relevance"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "folder-filter", g_variant_new_string (""));
  g_action_group_activate_action (G_ACTION_GROUP (window), "date-filter", g_variant_new_string ("any"));
  g_object_get (entry, "placeholder-text", &plain, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), "a red circle");
  g_assert_true (wait_for (search_settled, NULL, 30));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.search-by-image", NULL);
  g_assert_true (wait_for (chooser_shown, NULL, 10));
  chooser = shown_chooser ();

  /* images only: what GdkPixbuf reads and camera RAW, no text, no SVG */
  filter = cs_compat_chooser_get_filter (chooser);
  g_assert_nonnull (filter);
  g_assert_true (filter_matches (filter, "a.jpg", "image/jpeg"));
  g_assert_true (filter_matches (filter, "a.png", "image/png"));
  g_assert_true (filter_matches (filter, "a.NEF", "application/octet-stream"));
  g_assert_true (filter_matches (filter, "a.cr3", "application/octet-stream"));
  g_assert_false (filter_matches (filter, "notes.txt", "text/plain"));
  g_assert_false (filter_matches (filter, "a.svg", "image/svg+xml"));
  g_assert_false (filter_matches (filter, "a.pdf", "application/pdf"));
  {
    GSList *formats = gdk_pixbuf_get_formats ();

    for (GSList *l = formats; l != NULL; l = l->next)
      {
        g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (l->data);

        for (guint i = 0; types != NULL && types[i] != NULL; i++)
          if (!gdk_pixbuf_format_is_disabled (l->data) && !g_str_has_prefix (types[i], "image/svg"))
            g_assert_true (filter_matches (filter, "x", types[i]));
      }
    g_slist_free (formats);
  }

  /* the file chosen as a person would: selected, then "Select" */
  g_assert_true (cs_compat_chooser_set_file (chooser, file));
  g_assert_true (wait_for (chooser_has_file, chooser, 20));
  before = n_results_changed;
  handler = g_signal_connect (window, "results-changed", G_CALLBACK (on_results_changed_cb), NULL);
  cs_compat_chooser_accept (chooser);
  /* the toast comes with the choice and lives 5 s: looked for first, as
   * the results can take longer than that under a sanitizer */
  g_assert_true (wait_for (toast_shows, (gpointer) "instead of the words typed", 30));
  g_assert_true (wait_for (results_since, GUINT_TO_POINTER (before), 60));
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_signal_handler_disconnect (window, handler);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_object_get (entry, "placeholder-text", &placeholder, NULL);
  g_assert_cmpstr (placeholder, ==, "Photos like photo-0004.jpg");

  alone = library_paths (NULL, file_path, 10);
  combined = library_paths ("a red circle", file_path, 10);
  /* else this case could not tell them apart */
  g_assert_false (same_paths (alone, combined));
  shown = first_paths (cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid"))), 10);
  g_assert_cmpuint (shown->len, ==, 10);
  g_assert_true (same_paths (shown, alone));
  save_screenshot (GTK_WIDGET (window), "find-like-file.png");

  /* typing again is a text search: the entry's hint is back (once the
   * entry has reported the change, after its delay) */
  gtk_editable_set_text (GTK_EDITABLE (entry), "a blue square");
  g_assert_true (wait_for (placeholder_is, plain, 30));
}

/* ------------------------------------------------------------------ */
/* Show in Files                                                        */
/* ------------------------------------------------------------------ */

/* Whether a file manager could answer here: one on the session bus (or
 * startable by it), or an application for folders. */
static gboolean
file_manager_present (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  g_autoptr(GAppInfo) folders = g_app_info_get_default_for_type ("inode/directory", FALSE);
  const char *methods[] = { "ListNames", "ListActivatableNames" };

  if (folders != NULL)
    return TRUE;
  for (guint m = 0; bus != NULL && m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(GVariant) ret = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                              "org.freedesktop.DBus", methods[m], NULL,
                                                              G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                                              5000, NULL, NULL);
      g_autofree const char **names = NULL;

      if (ret == NULL)
        continue;
      g_variant_get (ret, "(^a&s)", &names);
      if (g_strv_contains (names, "org.freedesktop.FileManager1"))
        return TRUE;
    }
  return FALSE;
}

/* Without a file manager, "Show in Files" says that it could not show
 * the folder and why, instead of doing nothing. */
void
test_show_in_files_fails_visibly (void)
{
  g_autofree char *canon = g_canonicalize_filename (photos_dir, NULL);
  g_autofree char *path = g_build_filename (canon, "photo-0004.jpg", NULL);
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));

  if (file_manager_present ())
    {
      g_test_skip ("a file manager is there: Show in Files would open it");
      return;
    }
  cs_window_show_photo_file (window, path);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  g_assert_nonnull (cs_photo_view_get_photo (view));
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.show-in-files", NULL);
  g_assert_true (wait_for (toast_shows, (gpointer) "Cannot show the folder: no file manager is running", 60));
  save_screenshot (GTK_WIDGET (window), "show-in-files-failed.png");
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
}
