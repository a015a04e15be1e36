/* test-app-grid.c - the photo grid of issue 17: browsing without typing
 * (every photo by date, with month headings), "Best Matches" and "More
 * Results", and the photos' actions (context menu, Copy Image, Move to
 * Trash with Undo, a refused trash, dragging out, Escape).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The photos acted on are copies of four toy photos in a folder of the
 * test's home ("grid-photos"), with modification times set to known
 * dates (PNGs have no EXIF date: the library takes the mtime): the toy
 * photos themselves are never trashed.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-match-words.h"
#include "cs-photo-cell.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-compat-grid.h"
#include "test-util.h"

#define N_COPIES 4

/* The copies' dates, newest first (noon, local time): two in September
 * 2021 (the longest English month: its heading does not fit one line of
 * the default cell), two in July 2019, so the landing view heads
 * positions 0 and 2. */
static const int copy_dates[N_COPIES][3] = {
  { 2021, 9, 15 }, { 2021, 9, 2 }, { 2019, 7, 4 }, { 2019, 7, 1 },
};

static char *grid_folder;

static char *
copy_path (guint i)
{
  g_autofree char *name = g_strdup_printf ("grid-%u.png", i);
  return g_build_filename (grid_folder, name, NULL);
}

static char *
toy_path (guint i)
{
  /* PNGs: no EXIF date to override the mtime set */
  static const char *const names[N_COPIES] = { "photo-0001.png", "photo-0002.png", "photo-0003.png",
                                               "photo-0009.png" };
  return g_build_filename (photos_dir, names[i], NULL);
}

static CsPhotoGrid *
grid (void)
{
  return CS_PHOTO_GRID (window_part ("grid"));
}

static GListModel *
grid_model (void)
{
  return cs_photo_grid_get_model (grid ());
}

static gboolean
library_has_copies (gpointer data)
{
  CsLibrary *library = cs_application_get_library (app);

  for (guint i = 0; i < N_COPIES; i++)
    {
      g_autofree char *path = copy_path (i);
      g_autoptr(CsPhoto) photo = cs_library_lookup_path (library, path);
      if (photo == NULL)
        return FALSE;
    }
  return TRUE;
}

/* The folder of copies, indexed (once). */
static void
ensure_copies (void)
{
  g_autoptr(GFile) dir = NULL;

  if (grid_folder != NULL)
    return;
  grid_folder = g_build_filename (g_get_home_dir (), "grid-photos", NULL);
  g_assert_no_errno (g_mkdir_with_parents (grid_folder, 0755));
  for (guint i = 0; i < N_COPIES; i++)
    {
      g_autofree char *from = toy_path (i);
      g_autofree char *to = copy_path (i);
      g_autofree char *data = NULL;
      g_autoptr(GDateTime) when = g_date_time_new_local (copy_dates[i][0], copy_dates[i][1], copy_dates[i][2],
                                                         12, 0, 0);
      struct utimbuf times;
      gsize len;

      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
      times.actime = times.modtime = (time_t) g_date_time_to_unix (when);
      g_assert_no_errno (g_utime (to, &times));
    }
  dir = g_file_new_for_path (grid_folder);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_copies, NULL, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));
}

/* The grid shows the landing view (no query: every photo by date) of
 * `folder` (NULL: all folders), settled. */
static gboolean
browsing (gpointer folder)
{
  GListModel *model = grid_model ();
  CsQuery *query;

  if (model == NULL || cs_window_get_busy (window))
    return FALSE;
  query = cs_photo_list_get_query (CS_PHOTO_LIST (model));
  return query != NULL && cs_query_get_text (query) == NULL && cs_query_get_sort (query) == CS_SORT_DATE
         && g_strcmp0 (cs_query_get_folder (query), folder) == 0
         && g_strcmp0 (gtk_stack_get_visible_child_name (window_part ("content_stack")), "grid") == 0;
}

static void
browse (const char *folder)
{
  /* the search view, whatever an earlier case left shown (a label, a
   * suggestion); then Escape in the entry: no text, no "find similar" */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  g_assert_true (wait_for (view_is, (gpointer) "search", 10));
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "");
  g_signal_emit_by_name (window_part ("search_entry"), "stop-search");
  g_action_group_change_action_state (G_ACTION_GROUP (window), "folder-filter",
                                      g_variant_new_string (folder != NULL ? folder : ""));
  g_assert_true (wait_for (browsing, (gpointer) folder, 60));
  spin (0.3);   /* laid out: the cells bound */
}

static guint
position_of_path (const char *path)
{
  GListModel *model = grid_model ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
      if (g_strcmp0 (cs_photo_get_path (photo), path) == 0)
        return i;
    }
  return G_MAXUINT;
}

/* The grid's cell showing `path`, if bound. */
static CsPhotoCell *
cell_for (GtkWidget  *root,
          const char *path)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      CsPhotoCell *found;

      if (CS_IS_PHOTO_CELL (w) && cs_photo_cell_get_photo (CS_PHOTO_CELL (w)) != NULL
          && g_strcmp0 (cs_photo_get_path (cs_photo_cell_get_photo (CS_PHOTO_CELL (w))), path) == 0)
        return CS_PHOTO_CELL (w);
      if ((found = cell_for (w, path)) != NULL)
        return found;
    }
  return NULL;
}

/* The centre of the cell showing `path`, in the grid view's coordinates. */
static void
cell_centre (const char *path,
             double     *x,
             double     *y)
{
  GtkWidget *view = GTK_WIDGET (cs_photo_grid_get_view (grid ()));
  CsPhotoCell *cell = cell_for (view, path);
  graphene_point_t in, out;

  g_assert_nonnull (cell);
  graphene_point_init (&in, gtk_widget_get_width (GTK_WIDGET (cell)) / 2.f,
                       gtk_widget_get_height (GTK_WIDGET (cell)) / 2.f);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (cell), view, &in, &out));
  *x = out.x;
  *y = out.y;
}

static void
select_only (guint position)
{
  g_assert_true (gtk_selection_model_select_item (cs_photo_grid_get_selection (grid ()), position, TRUE));
}

static guint
n_selected (void)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (cs_photo_grid_get_selection (grid ()));
  return (guint) gtk_bitset_get_size (set);
}

/* ------------------------------------------------------------------ */

/* No query: every photo of the library, newest taken first, the first
 * photo of each month headed with its month; in the folder of copies,
 * the headings "September 2021" and "July 2019" at the dates set, each
 * shown whole inside its cell (wrapped, not cut short). */
void
test_grid_landing (void)
{
  CsLibrary *library = cs_application_get_library (app);
  GtkWidget *view = GTK_WIDGET (cs_photo_grid_get_view (grid ()));
  GListModel *model;
  guint n;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  ensure_copies ();

  /* the whole library, by date */
  browse (NULL);
  model = grid_model ();
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, ==, cs_library_get_n_photos (library));
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(CsPhoto) a = g_list_model_get_item (model, i - 1);
      g_autoptr(CsPhoto) b = g_list_model_get_item (model, i);
      g_autoptr(GDateTime) da = g_date_time_new_from_unix_local (cs_photo_get_taken (a));
      g_autoptr(GDateTime) db = g_date_time_new_from_unix_local (cs_photo_get_taken (b));
      g_autofree char *heading = cs_photo_grid_dup_heading (grid (), i);
      gboolean new_month = g_date_time_get_year (da) != g_date_time_get_year (db)
                           || g_date_time_get_month (da) != g_date_time_get_month (db);

      g_assert_cmpint (cs_photo_get_taken (a), >=, cs_photo_get_taken (b));
      /* a heading exactly where the month changes */
      g_assert_cmpint (heading != NULL, ==, new_month);
    }
  {
    g_autofree char *first = cs_photo_grid_dup_heading (grid (), 0);
    g_assert_nonnull (first);
  }
  save_screenshot (GTK_WIDGET (window), "grid-landing.png");

  /* the copies, with the dates set: their order, and the headings the
   * cells show */
  browse (grid_folder);
  model = grid_model ();
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_COPIES);
  for (guint i = 0; i < N_COPIES; i++)
    {
      g_autofree char *path = copy_path (i);
      static const char *const headings[N_COPIES] = { "September 2021", NULL, "July 2019", NULL };
      CsPhotoCell *cell = cell_for (view, path);
      GtkLabel *label = NULL;

      g_assert_cmpuint (position_of_path (path), ==, i);
      g_assert_nonnull (cell);
      g_assert_cmpstr (cs_photo_cell_get_heading (cell), ==, headings[i]);
      for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (cell)); w != NULL; w = gtk_widget_get_next_sibling (w))
        if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "section-heading") && gtk_widget_get_visible (w))
          label = GTK_LABEL (w);
      if (headings[i] == NULL)
        {
          g_assert_null (label);
          continue;
        }
      g_assert_nonnull (label);
      g_assert_cmpstr (gtk_label_get_label (label), ==, headings[i]);
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (label)));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (label)), <=, gtk_widget_get_width (GTK_WIDGET (cell)));
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (label)), <=, gtk_widget_get_height (GTK_WIDGET (cell)));
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (label)), >, 0);
    }
  save_screenshot (GTK_WIDGET (window), "grid-landing-months.png");
}

/* The context menu of a photo (a secondary click on it): it selects the
 * photo, holds the six actions, and its "Find Similar" searches for
 * photos like it.  The results then split at the library's cutoff:
 * "Best Matches" over the first, "More Results" over the first photo
 * scoring below the cutoff (a find-similar query has no background
 * prompts: its accepted photos are exactly those at or above it). */
void
test_grid_menu_and_sections (void)
{
  static const char *const expected[][2] = {
    { "_Open", "win.open-photo" },
    { "Open _With…", "win.open-photo-with" },
    { "Show in _Files", "win.show-photo-in-files" },
    { "_Copy Image", "win.copy-photo" },
    { "Find _Similar", "win.find-similar-photo" },
    { "Move to _Trash", "win.trash-photos" },
  };
  g_autofree char *path = NULL;
  g_autoptr(CsPhoto) photo = NULL;
  GtkWidget *menu;
  GMenuModel *model;
  GListModel *list;
  guint found = 0, n, split = G_MAXUINT;
  double x, y, cutoff;

  ensure_copies ();
  browse (grid_folder);
  gtk_selection_model_unselect_all (cs_photo_grid_get_selection (grid ()));
  path = copy_path (1);
  cell_centre (path, &x, &y);
  g_assert_true (cs_photo_grid_popup_menu (grid (), x, y));
  menu = cs_photo_grid_get_menu (grid ());
  spin (0.2);
  g_assert_true (gtk_widget_get_visible (menu));
  save_screenshot (GTK_WIDGET (window), "grid-context-menu.png");
  /* the photo under the pointer became the selection */
  g_assert_cmpuint (n_selected (), ==, 1);
  g_assert_true (gtk_selection_model_is_selected (cs_photo_grid_get_selection (grid ()), 1));

  /* its items, each naming an action the window has and enables */
  model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);
      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *label = NULL;
          g_autofree char *action = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          g_assert_cmpuint (found, <, G_N_ELEMENTS (expected));
          g_assert_cmpstr (label, ==, expected[found][0]);
          g_assert_cmpstr (action, ==, expected[found][1]);
          /* shown, and live: the window has the action and enables it */
          {
            g_auto(GStrv) parts = g_strsplit (label, "_", -1);
            g_autofree char *shown = g_strjoinv ("", parts);
            GtkWidget *item = find_widget (menu, "GtkModelButton", "text", shown);

            g_assert_nonnull (item);
            g_assert_true (gtk_widget_is_sensitive (item));
          }
          found++;
        }
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (expected));

  /* Find Similar, from the menu, for all folders */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "folder-filter", g_variant_new_string (""));
  photo = cs_library_lookup_path (cs_application_get_library (app), path);
  g_assert_nonnull (photo);
  gtk_popover_popdown (GTK_POPOVER (menu));
  g_assert_true (gtk_widget_activate_action (menu, "win.find-similar-photo", NULL));
  {
    gboolean shown = FALSE;
    for (guint tries = 0; tries < 600 && !shown; tries++)
      {
        CsQuery *query;

        spin (0.05);
        list = grid_model ();
        query = list != NULL ? cs_photo_list_get_query (CS_PHOTO_LIST (list)) : NULL;
        shown = query != NULL && !cs_window_get_busy (window)
                && cs_query_get_similar_to (query) == cs_photo_get_id (photo)
                && cs_query_get_sort (query) == CS_SORT_RELEVANCE;
      }
    g_assert_true (shown);
  }
  spin (0.3);
  list = grid_model ();
  n = g_list_model_get_n_items (list);
  cutoff = cs_photo_list_get_cutoff (CS_PHOTO_LIST (list));
  g_assert_true (isfinite (cutoff));
  /* the truth: the first photo scoring below the cutoff */
  for (guint i = 0; i < n && split == G_MAXUINT; i++)
    {
      g_autoptr(CsPhoto) p = g_list_model_get_item (list, i);
      if (cs_photo_get_score (p) < cutoff)
        split = i;
    }
  g_test_message ("find similar: %u results, cutoff %.4f, the first below it at %u", n, cutoff, split);
  g_assert_cmpuint (split, >, 0);
  g_assert_cmpuint (split, <, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *heading = cs_photo_grid_dup_heading (grid (), i);

      if (i == 0)
        g_assert_cmpstr (heading, ==, "Best Matches");
      else if (i == split)
        g_assert_cmpstr (heading, ==, "More Results");
      else
        g_assert_null (heading);
    }
  /* the details' words agree with the split: the first photo (itself,
   * score 1) is a strong match, the first of "More Results" at best a
   * possible one */
  {
    g_autoptr(CsPhoto) first = g_list_model_get_item (list, 0);
    g_autoptr(CsPhoto) below = g_list_model_get_item (list, split);
    const char *w_first = cs_match_words (cs_photo_get_score (first), cutoff, 1, cs_photo_get_accepted (first));
    const char *w_below = cs_match_words (cs_photo_get_score (below), cutoff, 1, cs_photo_get_accepted (below));

    g_assert_cmpfloat (cs_photo_get_score (first), >=, cutoff + CS_MATCH_MARGIN);
    g_assert_cmpstr (w_first, ==, "Strong match");
    g_assert_true (g_str_equal (w_below, "Possible match") || g_str_equal (w_below, "Weak match"));
    g_assert_cmpstr (cs_match_words (cutoff + CS_MATCH_MARGIN / 2, cutoff, 1, TRUE), ==, "Good match");
  }
  save_screenshot (GTK_WIDGET (window), "grid-best-and-more.png");
}

static gboolean
clipboard_has_texture (gpointer clipboard)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);
  return gdk_clipboard_is_local (clipboard) && gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

/* Copy Image puts the image itself on the clipboard, whole (its size
 * read from the file by GdkPixbuf), and says so in a toast. */
void
test_grid_copy_image (void)
{
  g_autofree char *path = NULL;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  GdkContentProvider *content;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;
  int width = 0, height = 0;

  ensure_copies ();
  browse (grid_folder);
  path = copy_path (2);
  g_assert_nonnull (gdk_pixbuf_get_file_info (path, &width, &height));
  gdk_clipboard_set_text (clipboard, "not an image");
  select_only (position_of_path (path));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-photo", NULL);
  g_assert_true (wait_for (clipboard_has_texture, clipboard, 30));
  /* toasts queue: the one of the case before goes first */
  g_assert_true (wait_for (toast_shows, (gpointer) "Image copied", 60));
  content = gdk_clipboard_get_content (clipboard);
  g_assert_nonnull (content);
  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_assert_true (gdk_content_provider_get_value (content, &value, &error));
  g_assert_no_error (error);
  texture = g_value_get_object (&value);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
}

static GtkWidget *
undo_of_toast (GtkWidget  *root,
               const char *text)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget") && label_shows (root, text))
    return find_widget (root, "GtkButton", "label", "_Undo");
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found = undo_of_toast (w, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
trash_undo_shows (gpointer data)
{
  GtkWidget **button = data;

  *button = undo_of_toast (GTK_WIDGET (window), "Moved 1 photo to trash");
  return *button != NULL;
}

static gboolean
file_is_back (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* The trash's files/ entries whose .trashinfo names `path`. */
static guint
n_in_trash (const char *path)
{
  g_autofree char *info_dir = g_build_filename (g_get_user_data_dir (), "Trash", "info", NULL);
  g_autoptr(GDir) dir = g_dir_open (info_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *info = g_build_filename (info_dir, name, NULL);
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *escaped = NULL;
      g_autofree char *orig = NULL;

      if (g_key_file_load_from_file (kf, info, G_KEY_FILE_NONE, NULL)
          && (escaped = g_key_file_get_string (kf, "Trash Info", "Path", NULL)) != NULL
          && (orig = g_uri_unescape_string (escaped, NULL)) != NULL && g_str_equal (orig, path))
        n++;
    }
  return n;
}

/* The restore moves the file back before it removes its .trashinfo (a
 * thread's two steps): the test waits for the second as well. */
static gboolean
trash_entry_gone (gpointer path)
{
  return n_in_trash (path) == 0;
}

/* Delete on a selected photo moves it to the trash (the file leaves its
 * folder for the freedesktop.org trash), a toast says so, and its Undo
 * brings the same bytes back to the same path.  Escape then leaves a
 * selection. */
void
test_grid_trash_undo (void)
{
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *undo = NULL;
  GtkWidget *view = GTK_WIDGET (cs_photo_grid_get_view (grid ()));
  gsize len_before, len_after;

  ensure_copies ();
  browse (grid_folder);
  path = copy_path (3);
  g_assert_true (g_file_get_contents (path, &before, &len_before, NULL));
  g_assert_cmpuint (n_in_trash (path), ==, 0);

  select_only (position_of_path (path));
  g_assert_true (gtk_widget_grab_focus (view));
  press_key (GDK_KEY_Delete, 0);
  g_assert_true (wait_for (trash_undo_shows, &undo, 30));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (n_in_trash (path), ==, 1);
  save_screenshot (GTK_WIDGET (window), "grid-trash-toast.png");

  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (wait_for (file_is_back, path, 30));
  g_assert_true (g_file_get_contents (path, &after, &len_after, NULL));
  g_assert_cmpmem (before, len_before, after, len_after);
  g_assert_true (wait_for (trash_entry_gone, path, 30));
  g_assert_true (wait_for (library_has_copies, NULL, 120));

  /* Escape leaves the selection */
  browse (grid_folder);
  gtk_selection_model_select_range (cs_photo_grid_get_selection (grid ()), 0, 2, TRUE);
  g_assert_cmpuint (n_selected (), ==, 2);
  g_assert_true (gtk_widget_grab_focus (view));
  press_key (GDK_KEY_Escape, 0);
  g_assert_cmpuint (n_selected (), ==, 0);
}

static gboolean
alert_shown (gpointer data)
{
  return cs_compat_alert_find_shown ("photos-trash-error") != NULL;
}

/* A trash refused (the file went behind the grid's back: GIO cannot
 * trash what is not there) says so in words naming the photo, and leaves
 * the others alone. */
void
test_grid_trash_refused (void)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *kept = NULL;
  GtkWidget *alert;
  const char *body;

  ensure_copies ();
  browse (grid_folder);
  path = copy_path (0);
  kept = copy_path (1);
  name = g_path_get_basename (path);
  select_only (position_of_path (path));
  gtk_selection_model_select_item (cs_photo_grid_get_selection (grid ()), position_of_path (kept), FALSE);
  g_assert_no_errno (g_unlink (path));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.trash-photos", NULL);
  g_assert_true (wait_for (alert_shown, NULL, 30));
  alert = cs_compat_alert_find_shown ("photos-trash-error");
  g_assert_cmpstr (cs_compat_alert_get_heading (alert), ==, "Cannot Move to the Trash");
  body = cs_compat_alert_get_body (alert);
  g_test_message ("refused: %s", body);
  g_assert_nonnull (strstr (body, name));
  g_assert_nonnull (strstr (body, "left where it is"));
  save_screenshot (GTK_WIDGET (alert), "grid-trash-refused.png");
  cs_compat_alert_respond (alert, "close");
  /* the trash stopped at the refused photo: the next one stays */
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (n_in_trash (kept), ==, 0);
}

/* Dragging a photo out offers it as a file (text/uri-list to other
 * apps): the selection when the drag starts on a selected photo, the
 * photo under the pointer alone otherwise. */
void
test_grid_drag_out (void)
{
  GtkWidget *view = GTK_WIDGET (cs_photo_grid_get_view (grid ()));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  GtkDragSource *source = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  double x, y;

  ensure_copies ();
  browse (grid_folder);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DRAG_SOURCE (c))
        source = GTK_DRAG_SOURCE (c);
    }
  g_assert_nonnull (source);
  one = copy_path (1);
  two = copy_path (2);

  for (guint round = 0; round < 2; round++)
    {
      GdkContentProvider *provider = NULL;
      g_auto(GValue) value = G_VALUE_INIT;
      GSList *files;
      guint n = 0;

      gtk_selection_model_unselect_all (cs_photo_grid_get_selection (grid ()));
      if (round == 1)
        gtk_selection_model_select_range (cs_photo_grid_get_selection (grid ()),
                                          MIN (position_of_path (one), position_of_path (two)), 2, TRUE);
      cell_centre (one, &x, &y);
      g_signal_emit_by_name (source, "prepare", x, y, &provider);
      g_assert_nonnull (provider);
      g_value_init (&value, GDK_TYPE_FILE_LIST);
      g_assert_true (gdk_content_provider_get_value (provider, &value, NULL));
      files = gdk_file_list_get_files (g_value_get_boxed (&value));
      for (GSList *l = files; l != NULL; l = l->next, n++)
        {
          g_autofree char *got = g_file_get_path (l->data);
          g_assert_true (g_str_equal (got, one) || (round == 1 && g_str_equal (got, two)));
        }
      g_slist_free (files);
      g_assert_cmpuint (n, ==, round == 0 ? 1 : 2);
      g_object_unref (provider);
    }
  gtk_selection_model_unselect_all (cs_photo_grid_get_selection (grid ()));
}

/* Open shows the selected photo in the photo view; Open With asks which
 * application, for the photo's own file (a GtkAppChooserDialog outside a
 * sandbox), and closing the chooser opens nothing. */
void
test_grid_open (void)
{
  g_autofree char *path = NULL;
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));
  GtkWidget *chooser;

  ensure_copies ();
  browse (grid_folder);
  path = copy_path (2);
  select_only (position_of_path (path));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-photo", NULL));
  g_assert_true (wait_for (view_is, (gpointer) "photo", 10));
  g_assert_cmpstr (cs_photo_get_path (cs_photo_view_get_photo (view)), ==, path);
  g_signal_emit_by_name (view, "close");
  g_assert_true (wait_for (view_is, (gpointer) "search", 10));

  select_only (position_of_path (path));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-photo-with", NULL));
  chooser = cs_compat_open_with_dialog ();
  g_assert_nonnull (chooser);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    g_autoptr(GFile) file = NULL;
    g_autofree char *got = NULL;

    g_object_get (chooser, "gfile", &file, NULL);
    got = g_file_get_path (file);

    g_assert_cmpstr (got, ==, path);
    g_assert_true (gtk_widget_get_visible (chooser));
    save_screenshot (chooser, "grid-open-with.png");
    gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_null (cs_compat_open_with_dialog ());
}
