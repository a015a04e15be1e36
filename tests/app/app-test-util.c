/* app-test-util.c - what the test-app cases share: the application and
 * its window, the main loop waited on, screenshots, the truth of the toy
 * photos, and the conditions and widget look-ups the cases use.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "app-test-util.h"
#include "cs-label-dialog.h"
#include "cs-photo-cell.h"
#include "cs-photo-grid.h"
#include "cs-stall-monitor.h"

CsApplication *app;
CsWindow *window;
char *photos_dir;
char *shots_dir;
JsonNode *queries;
GHashTable *shapes;   /* file name -> "triangle;circle" */

/* One main-loop iteration; what the test does between iterations is not
 * the app's work, so the stall monitor stops counting when it returns. */
static void
iterate (void)
{
  g_main_context_iteration (NULL, FALSE);
  cs_stall_monitor_end_iteration ();
  g_usleep (1000);
}

gboolean
wait_for (Condition   cond,
          gpointer    data,
          double      seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      iterate ();
    }
  return TRUE;
}

void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    iterate ();
}

typedef struct { int width, height; gint64 frame; } Size;

static gint64
window_frame (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

  return clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : 0;
}

/* The window has the size asked for, or has been laid out and painted
 * since it was asked (a size below its minimum is never reached). */
static gboolean
window_resized (gpointer data)
{
  const Size *size = data;

  return (gtk_widget_get_width (GTK_WIDGET (window)) == size->width
          && gtk_widget_get_height (GTK_WIDGET (window)) == size->height)
         || window_frame () >= size->frame + 2;
}

void
resize_window (int width,
               int height)
{
  Size size = { width, height, window_frame () };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  /* the new size lands when the window is next laid out, later under ASan
   * on a loaded machine; a size the window cannot take is left to the
   * caller's own assertions to catch */
  wait_for (window_resized, &size, 15);
  spin (0.3);
}

void
save_screenshot (GtkWidget  *window_widget,
                 const char *name)
{
  /* a toplevel does not draw through a paintable: take its content, on
   * the window's background colour (a dialog inside a window, as the
   * preferences are with libadwaita >= 1.5, does: take it whole) */
  GtkWidget *widget = ADW_IS_APPLICATION_WINDOW (window_widget)
                      ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (window_widget))
                      : ADW_IS_WINDOW (window_widget)
                      ? adw_window_get_content (ADW_WINDOW (window_widget))
                      : window_widget;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA bg;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (shots_dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (gtk_widget_get_native (widget)));
  graphene_rect_t bounds;
  int w, h;

  spin (0.6);  /* let pending frames and transitions land */
  for (int i = 0; i < 100 && gtk_widget_get_width (widget) == 0; i++)
    spin (0.05);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  g_assert_cmpint (w, >, 0);
  gdk_rgba_parse (&bg, dark ? "#242424" : "#fafafa");
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  graphene_rect_init (&bounds, 0, 0, w, h);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The window's parts, through its template. */
gpointer
window_part (const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (window), CS_TYPE_WINDOW, name);
}

gboolean
view_is (gpointer name)
{
  return g_strcmp0 (cs_window_get_view_name (window), name) == 0;
}

gboolean
indexer_idle (gpointer data)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  return !cs_indexer_get_running (indexer);
}

gboolean
library_has_all (gpointer data)
{
  CsLibrary *library = cs_application_get_library (app);
  return cs_library_get_n_photos (library) >= GPOINTER_TO_UINT (data);
}

gboolean
search_settled (gpointer data)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  g_autofree char *typed = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (window_part ("search_entry")))));
  CsQuery *query;

  if (cs_window_get_busy (window) || model == NULL)
    return FALSE;
  /* the grid shows a list from the start (every photo by date, issue
   * 17): settled is the list of the words typed, once the entry's delay
   * passed and their search ran */
  query = CS_IS_PHOTO_LIST (model) ? cs_photo_list_get_query (CS_PHOTO_LIST (model)) : NULL;
  return query == NULL || typed[0] == '\0' || g_strcmp0 (cs_query_get_text (query), typed) == 0;
}

/* The visible cells show their thumbnails. */
gboolean
thumbnails_loaded (gpointer data)
{
  GtkWidget *root = data;
  gboolean all = TRUE;
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL && all;
       w = gtk_widget_get_next_sibling (w))
    {
      if (CS_IS_PHOTO_CELL (w))
        {
          n++;
          if (gtk_widget_get_mapped (w) && cs_photo_cell_get_photo (CS_PHOTO_CELL (w)) != NULL
              && !cs_photo_cell_get_loaded (CS_PHOTO_CELL (w)))
            all = FALSE;
        }
      else if (!thumbnails_loaded (w))
        all = FALSE;
    }
  return all;
}

JsonObject *
find_query (const char *text)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object (queries), "queries");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *q = json_array_get_object_element (list, i);
      if (g_strcmp0 (json_object_get_string_member (q, "query"), text) == 0)
        return q;
    }
  g_assert_not_reached ();
}

gboolean
has_shape (const char *file,
           const char *shape)
{
  const char *list = g_hash_table_lookup (shapes, file);
  g_auto(GStrv) parts = list != NULL ? g_strsplit (list, ";", -1) : NULL;

  return parts != NULL && g_strv_contains ((const char * const *) parts, shape);
}

void
load_truth (void)
{
  g_autofree char *qpath = g_build_filename (photos_dir, "queries.json", NULL);
  g_autofree char *cpath = g_build_filename (photos_dir, "labels.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (qpath, &text, NULL, &error));
    queries = json_from_string (text, &error);
    g_assert_no_error (error);
  }
  shapes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_assert_true (g_file_get_contents (cpath, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 3);
      if (f[0] != NULL && f[1] != NULL)
        g_hash_table_insert (shapes, g_strdup (f[0]), g_strdup (f[1]));
    }
}

CsLabel *
label_named (const char *name)
{
  return cs_library_lookup_label (cs_application_get_library (app), name);
}

gboolean
label_exists (gpointer name)
{
  return label_named (name) != NULL;
}

/* The photos the cells below `root` show, in order. */
void
collect_cell_photos (GtkWidget *root,
                     GPtrArray *photos)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (CS_IS_PHOTO_CELL (w) && cs_photo_cell_get_photo (CS_PHOTO_CELL (w)) != NULL)
        g_ptr_array_add (photos, g_object_ref (cs_photo_cell_get_photo (CS_PHOTO_CELL (w))));
      else
        collect_cell_photos (w, photos);
    }
}

/* The first widget below `root` (itself included) of type `type` whose
 * string property `property` is `value` (NULL: any). */
GtkWidget *
find_widget (GtkWidget  *root,
             const char *type,
             const char *property,
             const char *value)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), type))
    {
      g_autofree char *got = NULL;

      if (property == NULL)
        return root;
      g_object_get (root, property, &got, NULL);
      if (g_strcmp0 (got, value) == 0)
        return root;
    }
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found = find_widget (w, type, property, value);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The search options popover (sort, strictness, dates, folders). */
GtkWidget *
options_popover (void)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), "GtkMenuButton", "icon-name",
                                   "view-sort-descending-symbolic");

  g_assert_nonnull (button);
  return GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
}

/* Clicks the item that reads `text` in the search options. */
void
click_option (const char *text)
{
  GtkWidget *item = find_widget (options_popover (), "GtkModelButton", "text", text);

  g_assert_nonnull (item);
  g_signal_emit_by_name (item, "clicked");
}

guint n_results_changed;

void
on_results_changed_cb (CsWindow *w,
                       gpointer  data)
{
  n_results_changed++;
}

gboolean
results_since (gpointer data)
{
  return n_results_changed > GPOINTER_TO_UINT (data) && !cs_window_get_busy (window);
}

/* Whether a label below `root` shows a text containing `text`. */
gboolean
label_shows (GtkWidget  *root,
             const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (label_shows (w, text))
      return TRUE;
  return FALSE;
}

/* Whether the toast on screen shows a text containing `text`. */
gboolean
toast_shows (gpointer text)
{
  GtkWidget *toast = find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL);

  return toast != NULL && label_shows (toast, text);
}

/* The New Label dialog the window shows, if any. */
CsLabelDialog *
shown_label_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CS_IS_LABEL_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

gboolean
label_dialog_shown (gpointer data)
{
  CsLabelDialog *dialog = shown_label_dialog ();
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

gboolean
label_dialog_gone (gpointer data)
{
  return shown_label_dialog () == NULL;
}
