/* test-app-labels.c - labels made through the label dialog, the
 * threshold's preview, and photos confirmed and rejected.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "app-test-util.h"
#include "cs-label-dialog.h"
#include "cs-label-row.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"

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

void
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
void
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

void
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

/* The New Label dialog from the keyboard (issue 17, defect 6): Ctrl+N's
 * action does nothing on the welcome page; in the library it opens the
 * dialog with the focus in the name, and Enter there adds the label, as
 * the Add button does, once the name is not empty. */
void
test_new_label_keys (void)
{
  CsLibrary *library = cs_application_get_library (app);
  GtkStack *main_stack = GTK_STACK (window_part ("main_stack"));
  g_autofree char *page = g_strdup (gtk_stack_get_visible_child_name (main_stack));
  GtkWidget *sidebar_button = find_widget (GTK_WIDGET (window), "GtkButton", "action-name", "win.new-label");
  guint n_labels = g_list_model_get_n_items (cs_library_get_labels (library));
  g_autoptr(GError) error = NULL;
  CsLabelDialog *dialog;
  GtkWidget *name_row, *save_button, *focus;
  CsLabel *hexagon;

  g_assert_cmpstr (page, !=, "welcome");
  g_assert_nonnull (sidebar_button);
  g_assert_null (shown_label_dialog ());

  /* the welcome page: no library to label yet, the action is off */
  gtk_stack_set_visible_child_name (main_stack, "welcome");
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "welcome");
  g_assert_false (gtk_widget_get_sensitive (sidebar_button));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-label", NULL);
  spin (0.5);
  g_assert_null (shown_label_dialog ());
  gtk_stack_set_visible_child_name (main_stack, page);
  g_assert_true (gtk_widget_get_sensitive (sidebar_button));

  /* the library: the dialog opens with the focus in the name */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-label", NULL);
  g_assert_true (wait_for (label_dialog_shown, NULL, 10));
  dialog = shown_label_dialog ();
  name_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), CS_TYPE_LABEL_DIALOG, "name_row"));
  save_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), CS_TYPE_LABEL_DIALOG,
                                                           "save_button"));
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (focus == name_row || gtk_widget_is_ancestor (focus, name_row));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == save_button);

  /* Enter with no name: nothing (GtkText binds Enter to its "activate") */
  g_assert_false (gtk_widget_get_sensitive (save_button));
  g_signal_emit_by_name (focus, "activate");
  spin (0.5);
  g_assert_true (shown_label_dialog () == dialog);
  g_assert_cmpuint (g_list_model_get_n_items (cs_library_get_labels (library)), ==, n_labels);

  /* Enter with a name: the label is added and the dialog closes */
  gtk_editable_set_text (GTK_EDITABLE (name_row), "hexagon");
  g_assert_true (gtk_widget_get_sensitive (save_button));
  g_signal_emit_by_name (focus, "activate");
  g_assert_true (wait_for (label_exists, (gpointer) "hexagon", 30));
  g_assert_true (wait_for (label_dialog_gone, NULL, 10));

  /* the label was for this case only */
  hexagon = label_named ("hexagon");
  cs_library_remove_label (library, hexagon, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (cs_library_get_labels (library)), ==, n_labels);
}

typedef struct {
  gint64 id;
  int    verdict;
  guint  position;
} CellWait;

/* Whether the grid shows photo `id` at `position` with `verdict`. */
static gboolean
grid_cell_is (gpointer data)
{
  CellWait *w = data;
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  g_autoptr(CsPhoto) photo = NULL;

  if (model == NULL || w->position >= g_list_model_get_n_items (model))
    return FALSE;
  photo = g_list_model_get_item (model, w->position);
  return cs_photo_get_id (photo) == w->id && cs_photo_get_verdict (photo) == w->verdict;
}

static GArray *
grid_ids (void)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
      gint64 id = cs_photo_get_id (photo);

      g_array_append_val (ids, id);
    }
  return ids;
}

static gboolean
undo_button_shown (gpointer data)
{
  GtkWidget **button = data;
  GtkWidget *toast = find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL);

  *button = toast != NULL ? find_widget (toast, "GtkButton", "label", "_Undo") : NULL;
  return *button != NULL;
}

static gboolean
label_count_is (gpointer data)
{
  guint *want = data;   /* { count, n_rejected } */
  CsLabel *triangle = label_named ("triangle");

  return cs_label_get_count (triangle) == want[0] && cs_label_get_n_rejected (triangle) == want[1];
}

/* A judgement in the label's grid (issue 16): the judged photo changes
 * state in its cell and the grid keeps its order; a toast says what
 * happened with the count before and after; its Undo gives the photo its
 * verdict back; no other label's count moves. */
void
test_judgement_toast (void)
{
  CsLibrary *library = cs_application_get_library (app);
  CsLabel *triangle = label_named ("triangle");
  GListModel *labels = cs_library_get_labels (library);
  CsPhotoGrid *grid = CS_PHOTO_GRID (window_part ("grid"));
  g_autoptr(GArray) before = NULL;
  g_autoptr(GArray) after = NULL;
  g_autofree guint *counts = g_new0 (guint, g_list_model_get_n_items (labels));
  g_autofree char *text = NULL;
  GtkWidget *undo = NULL;
  guint count = cs_label_get_count (triangle), n_rejected = cs_label_get_n_rejected (triangle);
  guint want[2];
  CellWait w = { 0 };

  /* the label shown, as a click on its row does */
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (window_part ("label_list")), i);

      g_assert_nonnull (row);
      if (cs_label_row_get_label (CS_LABEL_ROW (row)) == triangle)
        {
          gtk_widget_activate (GTK_WIDGET (row));
          break;
        }
    }
  g_assert_true (wait_for (label_shown_with_results, triangle, 10));
  spin (6);  /* earlier toasts go */
  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    {
      g_autoptr(CsLabel) l = g_list_model_get_item (labels, i);
      counts[i] = cs_label_get_count (l);
    }

  /* reject an unjudged member in the middle of the grid */
  before = grid_ids ();
  g_assert_cmpuint (before->len, >=, 4);
  w.position = G_MAXUINT;
  for (guint i = before->len / 2; i < before->len && w.position == G_MAXUINT; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (cs_photo_grid_get_model (grid), i);

      if (cs_photo_get_verdict (photo) == 0)
        w = (CellWait) { cs_photo_get_id (photo), -1, i };
    }
  g_assert_cmpuint (w.position, !=, G_MAXUINT);
  gtk_selection_model_select_item (cs_photo_grid_get_selection (grid), w.position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reject-selected", NULL);

  /* in place: the same photos in the same order, the one judged marked */
  g_assert_true (wait_for (grid_cell_is, &w, 20));
  after = grid_ids ();
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpint (g_array_index (after, gint64, i), ==, g_array_index (before, gint64, i));
  g_assert_cmpuint (cs_label_get_count (triangle), ==, count - 1);
  g_assert_cmpuint (cs_label_get_n_rejected (triangle), ==, n_rejected + 1);

  /* the toast, with the count change */
  text = g_strdup_printf ("Removed from “triangle”: %u → %u photos", count, count - 1);
  g_assert_true (wait_for (toast_shows, text, 10));
  save_screenshot (GTK_WIDGET (window), "label-judgement-toast.png");

  /* the other labels did not move */
  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    {
      g_autoptr(CsLabel) l = g_list_model_get_item (labels, i);

      if (l != triangle)
        g_assert_cmpuint (cs_label_get_count (l), ==, counts[i]);
    }

  /* Undo: the photo is a member again, unjudged, in the same cell */
  g_assert_true (wait_for (undo_button_shown, &undo, 10));
  g_signal_emit_by_name (undo, "clicked");
  want[0] = count;
  want[1] = n_rejected;
  g_assert_true (wait_for (label_count_is, want, 20));
  w.verdict = 0;
  g_assert_true (wait_for (grid_cell_is, &w, 20));
  g_clear_pointer (&after, g_array_unref);
  after = grid_ids ();
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpint (g_array_index (after, gint64, i), ==, g_array_index (before, gint64, i));
}
