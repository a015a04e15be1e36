/* test-app.c - the application as a person uses it, under Xvfb.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real CsApplication in-process with a temporary home, the toy
 * CLIP model and the toy photos: adds the folder from the welcome page,
 * waits for indexing (pausing and resuming it on the way), types a query
 * into the search entry and checks the grid's first ten results against
 * queries.json, creates labels through the label dialog, confirms and
 * rejects photos, opens a photo, the duplicates and the preferences, and
 * saves a screenshot of each state.  The whole run goes with the stall
 * monitor on, and reports the longest main-loop iteration.
 *
 * The cases run in order and share one application (GApplication is once
 * per process).
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-application.h"
#include "cs-duplicates-view.h"
#include "cs-label-dialog.h"
#include "cs-label-row.h"
#include "cs-photo-cell.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-preferences.h"
#include "cs-stall-monitor.h"
#include "cs-store.h"
#include "cs-welcome-page.h"
#include "cs-window.h"
#include "synthetic-library.h"
#include "test-util.h"

static CsApplication *app;
static CsWindow *window;
static char *photos_dir;
static char *shots_dir;
static JsonNode *queries;
static GHashTable *shapes;   /* file name -> "triangle;circle" */

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

/* One main-loop iteration; what the test does between iterations is not
 * the app's work, so the stall monitor stops counting when it returns. */
static void
iterate (void)
{
  g_main_context_iteration (NULL, FALSE);
  cs_stall_monitor_end_iteration ();
  g_usleep (1000);
}

static gboolean
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

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    iterate ();
}

static void
save_screenshot (GtkWidget  *window_widget,
                 const char *name)
{
  /* a toplevel does not draw through a paintable: take its content, on
   * the window's background colour */
  GtkWidget *widget = ADW_IS_APPLICATION_WINDOW (window_widget)
                      ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (window_widget))
                      : adw_window_get_content (ADW_WINDOW (window_widget));
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
static gpointer
window_part (const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (window), CS_TYPE_WINDOW, name);
}

static gboolean
view_is (gpointer name)
{
  return g_strcmp0 (cs_window_get_view_name (window), name) == 0;
}

static gboolean
indexer_idle (gpointer data)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  return !cs_indexer_get_running (indexer);
}

static gboolean
library_has_all (gpointer data)
{
  CsLibrary *library = cs_application_get_library (app);
  return cs_library_get_n_photos (library) >= GPOINTER_TO_UINT (data);
}

static gboolean
search_settled (gpointer data)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  return !cs_window_get_busy (window) && model != NULL;
}

/* The visible cells show their thumbnails. */
static gboolean
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

static JsonObject *
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

static gboolean
has_shape (const char *file,
           const char *shape)
{
  const char *list = g_hash_table_lookup (shapes, file);
  g_auto(GStrv) parts = list != NULL ? g_strsplit (list, ";", -1) : NULL;

  return parts != NULL && g_strv_contains ((const char * const *) parts, shape);
}

static void
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

static CsLabel *
label_named (const char *name)
{
  return cs_library_lookup_label (cs_application_get_library (app), name);
}

static gboolean
label_exists (gpointer name)
{
  return label_named (name) != NULL;
}

/* The photos the cells below `root` show, in order. */
static void
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
static GtkWidget *
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
static GtkWidget *
options_popover (void)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), "GtkMenuButton", "icon-name",
                                   "view-sort-descending-symbolic");

  g_assert_nonnull (button);
  return GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
}

/* Clicks the item that reads `text` in the search options. */
static void
click_option (const char *text)
{
  GtkWidget *item = find_widget (options_popover (), "GtkModelButton", "text", text);

  g_assert_nonnull (item);
  g_signal_emit_by_name (item, "clicked");
}

static guint n_results_changed;

static void
on_results_changed_cb (CsWindow *w,
                       gpointer  data)
{
  n_results_changed++;
}

static gboolean
results_since (gpointer data)
{
  return n_results_changed > GPOINTER_TO_UINT (data) && !cs_window_get_busy (window);
}

/* ------------------------------------------------------------------ */
/* The cases, in order                                                  */
/* ------------------------------------------------------------------ */

static void
test_welcome (void)
{
  window = CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, window, 10));
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "welcome");
  /* the model comes from $CLIPSIGHT_MODEL: only the folder is left to choose */
  cs_welcome_page_set_folder (CS_WELCOME_PAGE (window_part ("welcome_page")), photos_dir);
  save_screenshot (GTK_WIDGET (window), "welcome.png");
}

static gboolean
some_indexed (gpointer data)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  return cs_indexer_get_n_done (indexer) >= 16;
}

static void
test_indexing (void)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  guint64 before;

  /* paused before it starts: the run waits; resumed: it goes on */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause-indexing", NULL);
  g_assert_true (cs_application_get_user_paused (app));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (view_is, (gpointer) "search", 5));
  g_assert_true (cs_indexer_get_running (indexer));
  g_assert_true (cs_indexer_get_paused (indexer));
  spin (2.0);
  before = cs_indexer_get_n_done (indexer);
  spin (2.0);
  g_assert_cmpuint (cs_indexer_get_n_done (indexer), ==, before);
  g_assert_cmpuint (before, <, 240);
  g_assert_true (cs_indexer_get_running (indexer));
  save_screenshot (GTK_WIDGET (window), "indexing-paused.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause-indexing", NULL);
  g_assert_false (cs_indexer_get_paused (indexer));
  g_assert_true (wait_for (some_indexed, NULL, 120));
  save_screenshot (GTK_WIDGET (window), "indexing.png");

  /* the power policy holds indexing back on battery, and lets it go after */
  cs_power_policy_set_on_battery (cs_application_get_power_policy (app), TRUE);
  g_assert_true (cs_indexer_get_paused (indexer));
  cs_power_policy_set_on_battery (cs_application_get_power_policy (app), FALSE);
  g_assert_false (cs_indexer_get_paused (indexer));

  g_assert_true (wait_for (indexer_idle, NULL, 300));
  g_assert_true (wait_for (library_has_all, GUINT_TO_POINTER (240), 60));
}

/* `clipsight FOLDER` opens the folder in the running instance: it joins
 * the library's folders. */
static void
test_open_folder (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("clipsight-open-XXXXXX", NULL);
  g_autofree char *canon = g_canonicalize_filename (tmp, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (tmp);
  CsIndexer *indexer = cs_application_get_indexer (app);

  /* the store's folders, as the indexer shows them */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  g_assert_true (g_strv_contains (cs_indexer_get_folders (indexer, FALSE), canon));
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
  cs_application_remove_folder (app, canon);
  g_assert_false (g_strv_contains (cs_indexer_get_folders (indexer, FALSE), canon));
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  g_assert_true (wait_for (library_has_all, GUINT_TO_POINTER (240), 60));
  g_rmdir (tmp);
}

static void
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

static void
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

static double
label_precision (CsLabel    *label,
                 const char *shape,
                 guint      *n_out)
{
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (cs_application_get_library (app), label);
  guint n = cs_photo_list_get_n_items (members), good = 0;

  for (guint i = 0; i < n; i++)
    if (has_shape (cs_photo_get_display_name (cs_photo_list_get_photo (members, i)), shape))
      good++;
  *n_out = n;
  return n > 0 ? (double) good / n : 0;
}

static gboolean
label_shown_with_results (gpointer data)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  GtkListBoxRow *row = gtk_list_box_get_selected_row (GTK_LIST_BOX (window_part ("label_list")));

  return view_is ((gpointer) "label") && row != NULL && cs_label_row_get_label (CS_LABEL_ROW (row)) == data
         && model != NULL && g_list_model_get_n_items (model) > 0;
}

static void
test_labels (void)
{
  static const char *others[] = { "circle", "square", "star", "cross", "ring" };
  CsLibrary *library = cs_application_get_library (app);
  g_autoptr(GSettings) settings = g_object_ref (cs_application_get_settings (app));
  CsLabelDialog *dialog;
  CsLabel *triangle;
  double precision;
  guint n;

  /* "triangle" through the dialog (what win.new-label opens), as a person would */
  dialog = cs_label_dialog_new (library, settings, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  cs_label_dialog_set_name (dialog, "triangle");
  save_screenshot (GTK_WIDGET (dialog), "label-dialog.png");
  cs_label_dialog_save (dialog);
  g_assert_true (wait_for (label_exists, (gpointer) "triangle", 30));

  /* a label competes with the others: add the rest of the shapes */
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsLabel) label = cs_library_add_label (library, others[i], NULL, -1, NULL, &error);
      g_assert_no_error (error);
    }
  triangle = label_named ("triangle");
  g_assert_nonnull (triangle);
  g_assert_cmpuint (g_list_model_get_n_items (cs_library_get_labels (library)), ==, 6);

  /* the label's row in the sidebar, as a click would */
  {
    GtkListBox *list = GTK_LIST_BOX (window_part ("label_list"));
    GtkListBoxRow *row = NULL;

    for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
      if (cs_label_row_get_label (CS_LABEL_ROW (row)) == triangle)
        break;
    g_assert_nonnull (row);
    gtk_widget_activate (GTK_WIDGET (row));
  }
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "label");
  g_assert_true (wait_for (label_shown_with_results, triangle, 10));
  precision = label_precision (triangle, "triangle", &n);
  g_test_message ("label \"triangle\": %u photos, %.2f hold a triangle", n, precision);
  g_assert_cmpuint (n, >=, 10);
  g_assert_cmpfloat (precision, >=, 0.7);
  g_assert_cmpuint (cs_label_get_count (triangle), ==, n);
  g_assert_true (wait_for (thumbnails_loaded, CS_PHOTO_GRID (window_part ("grid")), 30));
  save_screenshot (GTK_WIDGET (window), "labels.png");
}

typedef struct {
  CsLabelDialog *dialog;
  double         threshold;
} PreviewWait;

static gboolean
preview_shows (gpointer data)
{
  PreviewWait *w = data;
  double shown;

  g_object_get (w->dialog, "preview-threshold", &shown, NULL);
  return shown == w->threshold;
}

static gboolean
threshold_is (gpointer data)
{
  return cs_label_get_threshold (label_named ("triangle")) == *(double *) data;
}

/* The photos of `list` by id -> probability. */
static GHashTable *
probabilities (CsPhotoList *list,
               gboolean     verdict_free)
{
  GHashTable *table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (list, i);
      gint64 id = cs_photo_get_id (photo);
      double p = cs_photo_get_probability (photo);

      if (verdict_free && cs_photo_get_verdict (photo) != 0)
        continue;
      g_hash_table_insert (table, g_memdup2 (&id, sizeof id), g_memdup2 (&p, sizeof p));
    }
  return table;
}

static int
compare_doubles_desc (gconstpointer a,
                      gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x > y ? -1 : x < y;
}

/* The values of `truth` (id -> probability) below `under`, most probable
 * first. */
static GArray *
sorted_probabilities (GHashTable *truth,
                      double      under)
{
  GArray *sorted = g_array_new (FALSE, FALSE, sizeof (double));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, truth);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (*(double *) value < under)
      g_array_append_val (sorted, *(double *) value);
  g_array_sort (sorted, compare_doubles_desc);
  return sorted;
}

/* The threshold's preview in the label dialog: the photos just in are
 * the label's least probable members at that threshold and the photos
 * just out the most probable of those a lower threshold would add, as
 * the library's own member lists tell (at that threshold, then at 0). */
static void
test_label_threshold (void)
{
  CsLibrary *library = cs_application_get_library (app);
  GSettings *settings = cs_application_get_settings (app);
  CsLabel *triangle = label_named ("triangle");
  double old = cs_label_get_threshold (triangle), threshold;
  g_autoptr(CsPhotoList) before = cs_library_list_label_members (library, triangle);
  g_autoptr(GPtrArray) in = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  CsLabelDialog *dialog;
  GtkRange *scale;
  PreviewWait w;
  guint n = cs_photo_list_get_n_items (before);

  /* a threshold in the middle of the members' probabilities */
  g_assert_cmpuint (n, >=, 10);
  dialog = cs_label_dialog_new (library, settings, triangle);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, 900);  /* both rows in the screenshot */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  scale = GTK_RANGE (gtk_widget_get_template_child (GTK_WIDGET (dialog), CS_TYPE_LABEL_DIALOG, "threshold_scale"));
  gtk_range_set_value (scale, floor (100 * cs_photo_get_probability (cs_photo_list_get_photo (before, n / 2))) / 100);
  threshold = gtk_range_get_value (scale);
  g_assert_cmpfloat (threshold, >, old);
  w = (PreviewWait) { dialog, threshold };
  g_assert_true (wait_for (threshold_is, &threshold, 10));
  g_assert_true (wait_for (preview_shows, &w, 10));
  collect_cell_photos (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), CS_TYPE_LABEL_DIALOG,
                                                                  "above_box")), in);
  collect_cell_photos (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), CS_TYPE_LABEL_DIALOG,
                                                                  "below_box")), out);
  g_test_message ("threshold %.2f: %u photos just in, %u just out", threshold, in->len, out->len);
  g_assert_cmpuint (in->len, >, 0);
  g_assert_cmpuint (out->len, >, 0);
  g_assert_true (wait_for (thumbnails_loaded, dialog, 30));
  save_screenshot (GTK_WIDGET (dialog), "label-threshold.png");

  /* just in: members now, with the least probabilities of those the
   * threshold decides on */
  {
    g_autoptr(CsPhotoList) members = cs_library_list_label_members (library, triangle);
    g_autoptr(GHashTable) truth = probabilities (members, TRUE);
    g_autoptr(GArray) sorted = sorted_probabilities (truth, INFINITY);
    g_assert_cmpuint (sorted->len, >=, in->len);
    for (guint i = 0; i < in->len; i++)
      {
        gint64 id = cs_photo_get_id (in->pdata[i]);
        double *p = g_hash_table_lookup (truth, &id);

        g_assert_nonnull (p);
        g_assert_cmpfloat (*p, >=, threshold);
        /* the i-th of the row is the (len - i)-th least probable */
        g_assert_cmpfloat_with_epsilon (*p, g_array_index (sorted, double, sorted->len - in->len + i), 1e-6);
      }
    for (guint i = 0; i < out->len; i++)
      {
        gint64 id = cs_photo_get_id (out->pdata[i]);
        g_assert_false (g_hash_table_contains (truth, &id));
      }
  }

  /* Cancel puts the old threshold back */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (wait_for (threshold_is, &old, 10));

  /* just out: at threshold 0 they join, and they are the most probable of
   * the photos below the threshold */
  g_assert_true (cs_library_edit_label (library, triangle, NULL, NULL, 0.0, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CsPhotoList) members = cs_library_list_label_members (library, triangle);
    g_autoptr(GHashTable) truth = probabilities (members, TRUE);
    g_autoptr(GArray) below = sorted_probabilities (truth, threshold);
    g_assert_cmpuint (below->len, >=, out->len);
    for (guint i = 0; i < out->len; i++)
      {
        gint64 id = cs_photo_get_id (out->pdata[i]);
        double *p = g_hash_table_lookup (truth, &id);

        g_assert_nonnull (p);
        g_assert_cmpfloat (*p, <, threshold);
        g_assert_cmpfloat_with_epsilon (*p, g_array_index (below, double, i), 1e-6);
      }
  }
  g_assert_true (cs_library_edit_label (library, triangle, NULL, NULL, old, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_label_get_count (triangle), ==, n);
}

static gboolean
membership_is (gpointer data)
{
  const char **want = data;   /* { name, "in" | "out" } */
  CsLabel *triangle = label_named ("triangle");
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (cs_application_get_library (app), triangle);
  gboolean found = FALSE;

  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    if (g_strcmp0 (cs_photo_get_display_name (cs_photo_list_get_photo (members, i)), want[0]) == 0)
      found = TRUE;
  return found == (g_strcmp0 (want[1], "in") == 0);
}

static void
test_verdicts (void)
{
  CsLibrary *library = cs_application_get_library (app);
  CsLabel *triangle = label_named ("triangle");
  CsPhotoGrid *grid = CS_PHOTO_GRID (window_part ("grid"));
  GListModel *model = cs_photo_grid_get_model (grid);
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (library, triangle);
  g_autofree char *rejected = NULL;
  g_autofree char *confirmed = NULL;
  const char *want[2];
  guint position = G_MAXUINT;

  /* reject a member from the grid: select it, "Not in Label" */
  for (guint i = 0; i < g_list_model_get_n_items (model) && position == G_MAXUINT; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
      if (!has_shape (cs_photo_get_display_name (photo), "triangle"))
        position = i;
    }
  if (position == G_MAXUINT)
    position = g_list_model_get_n_items (model) - 1;
  {
    g_autoptr(CsPhoto) photo = g_list_model_get_item (model, position);
    rejected = g_strdup (cs_photo_get_display_name (photo));
  }
  gtk_selection_model_select_item (cs_photo_grid_get_selection (grid), position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reject-selected", NULL);
  want[0] = rejected;
  want[1] = "out";
  g_assert_true (wait_for (membership_is, want, 20));

  /* confirm a triangle the label missed, from the photo view */
  {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init (&iter, shapes);
    while (confirmed == NULL && g_hash_table_iter_next (&iter, &key, &value))
      {
        const char *candidate[2] = { key, "out" };
        if (has_shape (key, "triangle") && membership_is (candidate))
          confirmed = g_strdup (key);
      }
  }
  if (confirmed != NULL)
    {
      g_autofree char *path = g_build_filename (photos_dir, confirmed, NULL);
      CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));

      cs_window_show_photo_file (window, path);
      g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
      gtk_widget_activate_action (GTK_WIDGET (view), "photo.add-to-label", "u",
                                  /* the labels are sorted by name */
                                  (guint) 5);
      want[0] = confirmed;
      want[1] = "in";
      g_assert_true (wait_for (membership_is, want, 20));
      gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
    }
  spin (2.5);  /* the toast goes */
  g_assert_cmpuint (cs_label_get_n_rejected (triangle), ==, 1);
  g_assert_cmpuint (cs_label_get_n_confirmed (triangle), ==, confirmed != NULL ? 1 : 0);
}

static gboolean
duplicates_done (gpointer data)
{
  return !cs_duplicates_view_get_busy (CS_DUPLICATES_VIEW (window_part ("duplicates_view")));
}

static void
test_duplicates (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "duplicates");
  g_assert_true (wait_for (duplicates_done, NULL, 60));
  g_assert_nonnull (cs_duplicates_view_get_groups (CS_DUPLICATES_VIEW (window_part ("duplicates_view"))));
  spin (0.5);
  save_screenshot (GTK_WIDGET (window), "duplicates.png");
}

static void
test_preferences (void)
{
  CsPreferences *prefs = cs_preferences_new (app);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  save_screenshot (GTK_WIDGET (prefs), "preferences.png");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
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
static void
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

static void
test_stalls (void)
{
  g_autofree char *path = g_build_filename (shots_dir, "stalls.txt", NULL);
  g_autofree char *text = g_strdup_printf ("longest main-loop iteration: %.1f ms\n"
                                           "longest on the CPU outside drawing frames: %.1f ms\n"
                                           "iterations over 50 ms: %u\n",
                                           cs_stall_monitor_get_max_ms (),
                                           cs_stall_monitor_get_max_busy_ms (),
                                           cs_stall_monitor_get_n_stalls ());

  g_test_message ("%s", text);
  g_file_set_contents (path, text, -1, NULL);
  /* The figure to read is in the report (50 ms is the aim; this machine
   * draws frames in software).  The bound only catches work that blocks
   * the loop outright: a synchronous query or decode.  It is on the main
   * thread's CPU time (CLOCK_THREAD_CPUTIME_ID, frame drawing left out),
   * not wall-clock time, so a busy machine preempting the thread does
   * not count; 10 times the aim is the margin for a slower CPU. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpfloat (cs_stall_monitor_get_max_busy_ms (), <, 500);
#endif
}

/* --large-library: 10,080 photos (the toy photos hard-linked 42 times),
 * indexed while searching, beside 90,000 photos already in the database
 * (vectors written through the store, as bench-startup does, in a folder
 * that is not mounted); then a search at the loosest strictness lists
 * all 100,080, and the grid is scrolled from top to bottom, all with the
 * stall monitor on. */
#define SYNTH_PHOTOS 90000
#define SYNTH_FOLDER "/nonexistent/clipsight-synthetic"

static char *large_dir;

static gboolean
make_large_library (void)
{
  g_autoptr(GDir) dir = g_dir_open (photos_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  large_dir = g_build_filename (g_get_home_dir (), "Large", NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "photo-"))
      g_ptr_array_add (names, g_strdup (name));
  for (guint copy = 0; copy < 42; copy++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/copy-%02u", large_dir, copy);
      g_mkdir_with_parents (sub, 0755);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *from = g_build_filename (photos_dir, names->pdata[i], NULL);
          g_autofree char *to = g_build_filename (sub, names->pdata[i], NULL);
          if (link (from, to) != 0)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
scrolled_to_bottom (gpointer data)
{
  GtkWidget *grid = data;
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_first_child (grid));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  gtk_adjustment_set_value (adj, MIN (bottom, gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)));
  return gtk_adjustment_get_value (adj) >= bottom - 1;
}

static gboolean
n_results_is (gpointer data)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));

  return !cs_window_get_busy (window) && model != NULL
         && g_list_model_get_n_items (model) == GPOINTER_TO_UINT (data);
}

/* The grid has laid out its model of `data` photos (its height is more
 * than a pixel a photo; the height of the last model until then). */
static gboolean
grid_laid_out (gpointer data)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid")))));

  return gtk_adjustment_get_upper (adj) >= GPOINTER_TO_UINT (data);
}

/* A cell of the grid shows `photo` (by id). */
static gboolean
grid_shows (gpointer data)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);

  collect_cell_photos (GTK_WIDGET (CS_PHOTO_GRID (window_part ("grid"))), shown);
  for (guint i = 0; i < shown->len; i++)
    if (cs_photo_get_id (shown->pdata[i]) == cs_photo_get_id (data))
      return TRUE;
  return FALSE;
}

/* The grid shows the last photo of its results (and says where it is
 * when it does not). */
static void
assert_grid_shows_last (void)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  g_autoptr(CsPhoto) last = g_list_model_get_item (model, g_list_model_get_n_items (model) - 1);

  if (!wait_for (grid_shows, last, 30))
    {
      GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid")))));
      g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);

      collect_cell_photos (GTK_WIDGET (CS_PHOTO_GRID (window_part ("grid"))), shown);
      g_error ("the last of %u photos is not shown: scrolled to %.0f of %.0f - %.0f, %u cells",
               g_list_model_get_n_items (model), gtk_adjustment_get_value (adj), gtk_adjustment_get_upper (adj),
               gtk_adjustment_get_page_size (adj), shown->len);
    }
}

static void
test_large_library (void)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  static const char *queries_during[] = { "a red circle", "a blue square", "a green triangle",
                                          "a yellow star", "two yellow stars" };
  const guint total = SYNTH_PHOTOS + 10080;
  GListModel *model;
  guint q = 0;

#ifdef __SANITIZE_ADDRESS__
  g_test_skip ("timings mean nothing under AddressSanitizer (and it takes 15 minutes)");
  return;
#endif
  if (!make_large_library ())
    {
      g_test_skip ("cannot hard-link the toy photos here");
      return;
    }
  window = CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, window, 10));
  cs_welcome_page_set_folder (CS_WELCOME_PAGE (window_part ("welcome_page")), large_dir);
  cs_stall_monitor_reset ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start", NULL);
  g_assert_true (wait_for (view_is, (gpointer) "search", 5));

  /* search while it indexes, until every photo is searchable */
  for (gint64 end = g_get_monotonic_time () + 1500 * G_USEC_PER_SEC;
       !library_has_all (GUINT_TO_POINTER (total)) || cs_indexer_get_running (indexer);)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), queries_during[q++ % G_N_ELEMENTS (queries_during)]);
      spin (3.0);
    }
  g_assert_cmpuint (cs_library_get_n_photos (cs_application_get_library (app)), ==, total);
  g_test_message ("indexed 10,080 photos beside 90,000; longest iteration so far %.1f ms "
                  "(%.1f ms on the CPU outside drawing)",
                  cs_stall_monitor_get_max_ms (), cs_stall_monitor_get_max_busy_ms ());

  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a red circle");
  g_assert_true (wait_for (search_settled, NULL, 60));
  spin (1.0);
  model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  g_test_message ("%u results at the default strictness", g_list_model_get_n_items (model));

  /* the loosest, through the slider: every photo, best first */
  gtk_range_set_value (GTK_RANGE (find_widget (options_popover (), "GtkScale", NULL, NULL)), -1.0);
  g_assert_true (wait_for (n_results_is, GUINT_TO_POINTER (total), 60));
  g_assert_true (wait_for (grid_laid_out, GUINT_TO_POINTER (total), 30));
  model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  g_test_message ("%u results at the loosest strictness", g_list_model_get_n_items (model));
  /* through all of them, a page at a time, to the last one.  GTK 4.8's
   * GtkGridView warns "ran out of items" when a scroll lands on a last
   * row that is not full (fixed in later GTK; nothing goes wrong), so
   * warnings are not fatal here; criticals still are. */
  {
    GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    guint seen = n_results_changed;
    gulong handler = g_signal_connect (window, "results-changed", G_CALLBACK (on_results_changed_cb), NULL);

    g_assert_true (wait_for (scrolled_to_bottom, CS_PHOTO_GRID (window_part ("grid")), 900));
    assert_grid_shows_last ();
    /* other results for the same search keep the place: by date, the
     * newest last photo is in view at once */
    click_option ("Date Taken");
    g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 60));
    g_assert_cmpuint (g_list_model_get_n_items (cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")))), ==, total);
    assert_grid_shows_last ();
    click_option ("Relevance");
    g_signal_handler_disconnect (window, handler);
    spin (1.0);
    g_log_set_always_fatal (fatal);
  }
  spin (1.0);
  test_stalls ();
}

static void
run_tests_cb (GApplication *application,
              int          *ret)
{
  static gboolean once;

  if (once)
    return;
  once = TRUE;
  *ret = g_test_run ();
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (application);
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

/* Whether a label below `root` shows a text containing `text`. */
static gboolean
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
static gboolean
toast_shows (gpointer text)
{
  GtkWidget *toast = find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL);

  return toast != NULL && label_shows (toast, text);
}

static void
count_cb (CsApplication *application,
          guint         *count)
{
  (*count)++;
}

static gboolean
count_positive (gpointer count)
{
  return *(guint *) count > 0;
}

/* A run refused because another process indexes the library (its lock
 * held here, as another clipsight-cli index would) shows why in a toast,
 * for a run the window did not start (as a watched change's) too; once
 * the lock is gone, the next run works. */
static void
test_index_refused (void)
{
  CsIndexer *indexer = cs_application_get_indexer (app);
  /* NULL: the default database, as the app's */
  const char *db = cs_library_get_database_path (cs_application_get_library (app));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsStoreIndexLock) lock = NULL;
  g_autofree char *want = g_strdup_printf ("another index run (pid %d) is using this library", (int) getpid ());
  guint finished = 0;
  gulong id;

  g_assert_true (wait_for (indexer_idle, NULL, 300));
  store = cs_store_open (db, &error);
  g_assert_no_error (error);
  lock = cs_store_lock_indexing (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);

  cs_indexer_rescan_async (indexer, NULL, NULL, NULL);
  g_assert_true (wait_for (toast_shows, want, 60));
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  save_screenshot (GTK_WIDGET (window), "index-refused.png");

  g_clear_pointer (&lock, cs_store_index_lock_free);
  id = g_signal_connect (app, "index-finished", G_CALLBACK (count_cb), &finished);
  cs_application_rescan (app);
  g_assert_true (wait_for (count_positive, &finished, 300));
  g_signal_handler_disconnect (app, id);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
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
static void
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

    gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (window));
    gtk_window_present (GTK_WINDOW (prefs));
    g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
    g_assert_cmpstr (shown_in_row (GTK_WIDGET (prefs), "title", base), ==, base);
    g_assert_cmpstr (shown_in_row (GTK_WIDGET (prefs), "subtitle", folder), ==, folder);
    gtk_window_destroy (GTK_WINDOW (prefs));
  }

  cs_welcome_page_set_folder (CS_WELCOME_PAGE (window_part ("welcome_page")), photos_dir);
  cs_application_remove_folder (app, folder);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *model = NULL;
  g_autofree char *home = NULL;
  int ret = 1;

  /* One temporary home for the whole run (the cases share the app and its
   * database); the system data dirs stay, for the MIME database and the
   * icon themes. */
  home = g_dir_make_tmp ("clipsight-test-app-XXXXXX", NULL);
  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < 5; i++)
    {
      static const char *vars[] = { "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
                                    "XDG_STATE_HOME", "XDG_RUNTIME_DIR" };
      static const char *dirs[] = { ".local/share", ".cache", ".config", ".local/state", "runtime" };
      g_autofree char *dir = g_build_filename (home, dirs[i], NULL);
      g_mkdir_with_parents (dir, 0700);
      g_setenv (vars[i], dir, TRUE);
    }
  g_test_init (&argc, &argv, NULL);
  model = test_shared_path_or_skip ("models/toy-clip");
  photos_dir = test_shared_path_or_skip ("testdata/toy-photos");
  if (!gtk_init_check ())
    test_skip_all ("no display");
  g_setenv ("CLIPSIGHT_MODEL", model, TRUE);
  g_setenv ("CLIPSIGHT_NO_UPOWER", "1", TRUE);
  shots_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                "screenshots", NULL);
  g_mkdir_with_parents (shots_dir, 0755);
  load_truth ();

  cs_stall_monitor_install (50);
  app = cs_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);

  if (argc > 1 && g_str_equal (argv[argc - 1], "--large-library"))
    {
      g_autofree char *db = g_build_filename (home, "library.db", NULL);
      g_autoptr(GSettings) settings = g_settings_new ("io.github.clipsight.Clipsight");
      const char *folders[] = { SYNTH_FOLDER, NULL };

      /* the 90,000 photos of a disk that is not there: they stay */
      synthetic_library_fill (db, model, SYNTH_FOLDER, SYNTH_PHOTOS, FALSE);
      g_setenv ("CLIPSIGHT_DATABASE", db, TRUE);
      g_settings_set_strv (settings, "folders", folders);
      g_test_add_func ("/app/stalls/large-library", test_large_library);
    }
  else
    {
      g_test_add_func ("/app/window/welcome", test_welcome);
      g_test_add_func ("/app/window/indexing", test_indexing);
      g_test_add_func ("/app/window/open-folder", test_open_folder);
      g_test_add_func ("/app/window/search", test_search);
      g_test_add_func ("/app/window/photo-view", test_photo_view);
      g_test_add_func ("/app/window/labels", test_labels);
      g_test_add_func ("/app/window/label-threshold", test_label_threshold);
      g_test_add_func ("/app/window/verdicts", test_verdicts);
      g_test_add_func ("/app/window/duplicates", test_duplicates);
      g_test_add_func ("/app/window/preferences", test_preferences);
      g_test_add_func ("/app/window/dark-and-narrow", test_dark_and_narrow);
      g_test_add_func ("/app/window/filters", test_filters);
      g_test_add_func ("/app/window/stalls", test_stalls);
      g_test_add_func ("/app/window/markup-in-names", test_markup_in_names);
      g_test_add_func ("/app/window/index-refused", test_index_refused);
    }
  /* The cases run inside g_application_run (), from the first activation,
   * so that the application starts up and shuts down as it does for
   * people. */
  g_signal_connect_after (app, "activate", G_CALLBACK (run_tests_cb), &ret);
  {
    char *args[] = { argv[0], NULL };
    g_application_run (G_APPLICATION (app), 1, args);
  }
  g_clear_object (&app);
  json_node_unref (queries);
  g_hash_table_unref (shapes);
  g_free (photos_dir);
  g_free (shots_dir);
  test_rm_rf (home);
  return ret;
}
