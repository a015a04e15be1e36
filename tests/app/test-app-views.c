/* test-app-views.c - the duplicates view and the preferences, and names
 * with markup's special characters shown as text in the views.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-duplicates-view.h"
#include "cs-photo-view.h"
#include "cs-preferences.h"
#include "cs-welcome-page.h"

static gboolean
duplicates_done (gpointer data)
{
  return !cs_duplicates_view_get_busy (CS_DUPLICATES_VIEW (window_part ("duplicates_view")));
}

void
test_duplicates (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "duplicates");
  g_assert_true (wait_for (duplicates_done, NULL, 60));
  g_assert_nonnull (cs_duplicates_view_get_groups (CS_DUPLICATES_VIEW (window_part ("duplicates_view"))));
  spin (0.5);
  save_screenshot (GTK_WIDGET (window), "duplicates.png");
}

void
test_preferences (void)
{
  CsPreferences *prefs = cs_preferences_new (app);

  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  save_screenshot (GTK_WIDGET (prefs), "preferences.png");
  cs_compat_preferences_close (GTK_WIDGET (prefs));
}

/* ------------------------------------------------------------------ */
/* Names are text, never markup                                         */
/* ------------------------------------------------------------------ */

/* The first GtkLabel below `root` (itself included) with CSS class
 * `css_class`. */
static GtkLabel *
label_with_class (GtkWidget  *root,
                  const char *css_class)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, css_class))
    return GTK_LABEL (root);
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkLabel *found = label_with_class (w, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The text a person sees in the row below `root` whose `property`
 * ("title" or "subtitle") is `value`: its label's text once parsed (with
 * markup on, "Tom & Jerry" is no valid markup and shows nothing). */
static const char *
shown_in_row (GtkWidget  *root,
              const char *property,
              const char *value)
{
  GtkWidget *row = find_widget (root, "AdwActionRow", property, value);
  GtkLabel *label;

  g_assert_nonnull (row);
  label = label_with_class (row, property);
  g_assert_nonnull (label);
  return gtk_label_get_text (label);
}

static gboolean
library_has (gpointer path)
{
  g_autoptr(CsPhoto) photo = cs_library_lookup_path (cs_application_get_library (app), path);
  return photo != NULL;
}

/* File and folder names with markup's special characters, as a person
 * may have them: the photo view's rows, the preferences' folder rows,
 * the welcome page's folder row and a toast show them as they are.  With
 * markup on, "Tom & Jerry.jpg" shows nothing (not valid markup),
 * "R&amp;D.jpg" shows "R&D.jpg", and a folder path that runs through
 * "<span size='xx-large'>big<" and "span>" shows in large type. */
void
test_markup_in_names (void)
{
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "Tom & Jerry's <photos>", NULL);
  g_autofree char *deep = g_build_filename (folder, "<span size='xx-large'>big<", "span>", NULL);
  const char *paths[][2] = {
    { folder, "Tom & Jerry.jpg" }, { folder, "R&amp;D.jpg" }, { deep, "photo.jpg" },
  };
  g_autofree char *src = g_build_filename (photos_dir, "photo-0004.jpg", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_mkdir_with_parents (deep, 0755);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = g_build_filename (paths[i][0], paths[i][1], NULL);
      g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
    }
  g_application_open (G_APPLICATION (app), &file, 1, "");
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = g_build_filename (paths[i][0], paths[i][1], NULL);
      g_assert_true (wait_for (library_has, path, 120));
    }

  /* the photo view: name and folder rows */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = g_build_filename (paths[i][0], paths[i][1], NULL);

      cs_window_show_photo_file (window, path);
      g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
      g_assert_true (cs_photo_view_get_photo (view) != NULL);
      g_assert_cmpstr (shown_in_row (GTK_WIDGET (view), "subtitle", paths[i][1]), ==, paths[i][1]);
      g_assert_cmpstr (shown_in_row (GTK_WIDGET (view), "subtitle", paths[i][0]), ==, paths[i][0]);
      if (i == 2)
        save_screenshot (GTK_WIDGET (window), "markup-names.png");
      gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
    }

  /* the welcome page's folder row (hidden now, the same widget) */
  cs_welcome_page_set_folder (CS_WELCOME_PAGE (window_part ("welcome_page")), folder);
  g_assert_cmpstr (shown_in_row (GTK_WIDGET (window), "subtitle", folder), ==, folder);

  /* a toast naming a file */
  {
    g_autofree char *missing = g_build_filename (folder, "R&amp;D <missing> & co.jpg", NULL);

    /* toasts queue: wait for ours to come up */
    cs_window_show_photo_file (window, missing);
    g_assert_true (wait_for (toast_shows, (gpointer) "R&amp;D <missing> & co.jpg", 60));
  }

  /* the preferences' folder rows */
  {
    CsPreferences *prefs = cs_preferences_new (app);
    g_autofree char *base = g_path_get_basename (folder);

    cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
    g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
    g_assert_cmpstr (shown_in_row (GTK_WIDGET (prefs), "title", base), ==, base);
    g_assert_cmpstr (shown_in_row (GTK_WIDGET (prefs), "subtitle", folder), ==, folder);
    cs_compat_preferences_close (GTK_WIDGET (prefs));
  }

  cs_welcome_page_set_folder (CS_WELCOME_PAGE (window_part ("welcome_page")), photos_dir);
  cs_application_remove_folder (app, folder);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
}

/* ------------------------------------------------------------------ */
/* The photo view's date, the preferences' folder removal               */
/* ------------------------------------------------------------------ */

/* The date of a photo taken on a single-digit day reads "3 March 2024,
 * 09:05": no padding before the day (issue 17).  Without an EXIF date it
 * is the file's time, titled as such (issue 16). */
void
test_date_taken (void)
{
  g_autofree char *folder = g_dir_make_tmp ("clipsight-date-XXXXXX", NULL);
  g_autofree char *canon = g_canonicalize_filename (folder, NULL);
  g_autofree char *src = g_build_filename (photos_dir, "photo-0004.jpg", NULL);
  g_autofree char *path = g_build_filename (canon, "march.jpg", NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (canon);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GDateTime) taken = g_date_time_new_local (2024, 3, 3, 9, 5, 0);
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));
  GtkWidget *row;
  g_autofree char *data = NULL;
  gsize len;

  /* the toy photos have no EXIF date: the date shown is the file's time */
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  g_assert_true (g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                              (guint64) g_date_time_to_unix (taken),
                                              G_FILE_QUERY_INFO_NONE, NULL, NULL));
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has, path, 120));

  cs_window_show_photo_file (window, path);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  row = find_widget (GTK_WIDGET (view), "AdwActionRow", "title", "File Modified");
  g_assert_nonnull (row);
  g_assert_null (find_widget (GTK_WIDGET (view), "AdwActionRow", "title", "Date Taken"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "3 March 2024, 09:05");
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);

  cs_application_remove_folder (app, canon);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (canon));
}

/* `data` (a JPEG) with an APP1 Exif block after its SOI holding only
 * DateTimeOriginal `date` (little-endian TIFF: IFD0 {ExifIFD}, Exif IFD
 * {DateTimeOriginal}); no time zone, so read as local time. */
static GByteArray *
jpeg_with_exif_date (const char *data,
                     gsize       len,
                     const char *date)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) t = g_byte_array_new ();
  guint8 hdr[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  guint32 exif_ifd = 8 + 2 + 12 + 4, value = exif_ifd + 2 + 12 + 4;
  gsize seg;

#define U16(v) do { guint16 x = GUINT16_TO_LE (v); g_byte_array_append (t, (guint8 *) &x, 2); } while (0)
#define U32(v) do { guint32 x = GUINT32_TO_LE (v); g_byte_array_append (t, (guint8 *) &x, 4); } while (0)
  g_byte_array_append (t, hdr, 8);
  U16 (1); U16 (0x8769); U16 (4); U32 (1); U32 (exif_ifd); U32 (0);
  U16 (1); U16 (0x9003); U16 (2); U32 (20); U32 (value); U32 (0);
  g_byte_array_append (t, (const guint8 *) date, 20);
#undef U16
#undef U32
  seg = t->len + 8;
  g_byte_array_append (out, (const guint8 *) data, 2);
  g_byte_array_append (out, (const guint8 []) { 0xff, 0xe1, (guint8) (seg >> 8), (guint8) seg }, 4);
  g_byte_array_append (out, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (out, t->data, t->len);
  g_byte_array_append (out, (const guint8 *) data + 2, len - 2);
  return out;
}

/* A photo with an EXIF DateTimeOriginal shows it as "Date Taken", not
 * the file's time (issue 16). */
void
test_date_taken_exif (void)
{
  g_autofree char *folder = g_dir_make_tmp ("clipsight-exif-XXXXXX", NULL);
  g_autofree char *canon = g_canonicalize_filename (folder, NULL);
  g_autofree char *src = g_build_filename (photos_dir, "photo-0004.jpg", NULL);
  g_autofree char *path = g_build_filename (canon, "camera.jpg", NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (canon);
  g_autoptr(GByteArray) jpeg = NULL;
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));
  GtkWidget *row;
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_cmpuint ((guint8) data[0], ==, 0xff);
  g_assert_cmpuint ((guint8) data[1], ==, 0xd8);
  jpeg = jpeg_with_exif_date (data, len, "2023:05:06 07:08:09");
  g_assert_true (g_file_set_contents (path, (const char *) jpeg->data, jpeg->len, NULL));
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has, path, 120));

  cs_window_show_photo_file (window, path);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  row = find_widget (GTK_WIDGET (view), "AdwActionRow", "title", "Date Taken");
  g_assert_nonnull (row);
  g_assert_null (find_widget (GTK_WIDGET (view), "AdwActionRow", "title", "File Modified"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "6 May 2023, 07:08");
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);

  cs_application_remove_folder (app, canon);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (canon));
}

static gboolean
button_with_label (gpointer data)
{
  GtkWidget **button = data;

  *button = find_widget (button[1], "GtkButton", "label", "_Undo");
  return *button != NULL;
}

/* Clicks the Remove button of the folder row titled `base`. */
static void
click_remove (CsPreferences *prefs,
              const char    *base)
{
  GtkWidget *row = find_widget (GTK_WIDGET (prefs), "AdwActionRow", "title", base);
  GtkWidget *remove;

  g_assert_nonnull (row);
  remove = find_widget (row, "GtkButton", "tooltip-text", "Remove");
  g_assert_nonnull (remove);
  /* the click rebuilds the rows, this button's among them: held for
   * the emission, as GTK holds a widget it delivers an event to */
  g_object_ref (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_object_unref (remove);
}

/* Removing a folder in the preferences (the only one here) offers an
 * Undo on a toast, which brings the folder back (issue 17: one click
 * and no way back). */
void
test_remove_folder_undo (void)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  CsPreferences *prefs;
  g_auto(GStrv) before = g_strdupv ((char **) cs_indexer_get_folders (indexer, FALSE));
  GtkWidget *undo[2] = { NULL, NULL };
  g_autofree char *base = NULL;

  /* the only folder: the toy photos */
  g_assert_cmpuint (g_strv_length (before), ==, 1);
  base = g_path_get_basename (before[0]);

  prefs = cs_preferences_new (app);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  click_remove (prefs, base);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 0);

  undo[1] = GTK_WIDGET (prefs);
  g_assert_true (wait_for (button_with_label, undo, 10));
  save_screenshot (GTK_WIDGET (prefs), "folder-removed.png");
  /* The toast goes away by itself after its timeout (5 s), and its
   * widgets with it: the screenshot runs the main loop, and under ASan
   * on a loaded machine an iteration can take that long.  So the button
   * is looked up again after it, and clicked before the loop runs again
   * (a pointer kept from before was a freed button now and then).  When
   * the toast timed out meanwhile, the folder is put back and removed
   * once more, and Undo pressed at once. */
  if (!button_with_label (undo))
    {
      g_test_message ("the toast timed out during the screenshot: removing the folder again");
      cs_application_add_folder (app, before[0]);
      click_remove (prefs, base);
      g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 0);
      g_assert_true (wait_for (button_with_label, undo, 10));
    }
  g_signal_emit_by_name (undo[0], "clicked");
  g_assert_true (g_strv_equal ((const char * const *) before, cs_indexer_get_folders (indexer, FALSE)));
  cs_compat_preferences_close (GTK_WIDGET (prefs));
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  g_assert_true (wait_for (library_has_all, GUINT_TO_POINTER (240), 300));
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* The preferences closed right after a folder was taken off their
 * list, with the toast (its Undo names the preferences) still up and
 * the rescan it started still going: the preferences go away, and what
 * they listened to (the indexer's folders and runs, the library, the
 * settings) goes on without reaching them.  An excluded folder, so that
 * the library keeps its photos. */
void
test_remove_folder_close_prefs (void)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  g_autofree char *tmp = g_dir_make_tmp ("clipsight-excluded-XXXXXX", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  GtkWidget *undo[2] = { NULL, NULL };
  CsPreferences *prefs;
  gpointer alive;

  g_assert_nonnull (tmp);
  dir = g_canonicalize_filename (tmp, NULL);
  base = g_path_get_basename (dir);
  cs_application_exclude_folder (app, dir);
  g_assert_true (g_strv_contains (cs_indexer_get_folders (indexer, TRUE), dir));

  prefs = cs_preferences_new (app);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  click_remove (prefs, base);
  g_assert_false (g_strv_contains (cs_indexer_get_folders (indexer, TRUE), dir));
  undo[1] = GTK_WIDGET (prefs);
  g_assert_true (wait_for (button_with_label, undo, 10));

  alive = prefs;
  g_object_add_weak_pointer (G_OBJECT (prefs), &alive);
  cs_compat_preferences_close (GTK_WIDGET (prefs));
  /* nothing keeps them: the reads they started end, cancelled */
  g_assert_true (wait_for (pointer_cleared, &alive, 60));

  /* each emits what the preferences were connected to: a handler that
   * outlived them would run on freed memory (ASan names it) */
  cs_application_exclude_folder (app, dir);
  g_assert_true (g_strv_contains (cs_indexer_get_folders (indexer, TRUE), dir));
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  cs_application_remove_folder (app, dir);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  g_assert_false (g_strv_contains (cs_indexer_get_folders (indexer, TRUE), dir));
  g_assert_no_errno (g_rmdir (dir));
}
