/* test-app-layout.c - issue 17: the adaptive layout (defect 4) and the
 * photo view as a photo app's (zoom, pan, fullscreen, keys, icons).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's widgets are measured where GTK put them: the truth is
 * geometry (what fits in 360 px, what share of the width the photo has)
 * and the photos' own sizes, read from their files with GdkPixbuf, not
 * from the app.  Xvfb runs no window manager: "maximised" is the size a
 * maximised window gets on a 1920 px screen, and fullscreen is what the
 * window was asked for.
 */
#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-duplicates-view.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "test-util.h"

static void
resize (int width,
        int height)
{
  resize_window (width, height);
}

/* The window's content area (inside any shadow). */
static GtkWidget *
content_area (void)
{
  return GTK_WIDGET (window_part ("toast_overlay"));
}

/* `widget` lies whole inside the window's content, and got at least the
 * width it asks for. */
static void
assert_unclipped (GtkWidget  *widget,
                  const char *what)
{
  GtkWidget *area = content_area ();
  graphene_rect_t bounds;
  int min;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, area, &bounds));
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("%s: x %.0f width %.0f (minimum %d) of %d", what, bounds.origin.x, bounds.size.width,
                  min, gtk_widget_get_width (area));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (area) + 0.5);
  g_assert_cmpfloat (bounds.size.width, >=, min);
  g_assert_cmpfloat (bounds.size.width, >, 0);
}

static GtkWidget *
split_view (void)
{
  return gtk_widget_get_first_child (GTK_WIDGET (window_part ("split_box")));
}

static void
show_search (const char *query)
{
  GtkListBox *nav = GTK_LIST_BOX (window_part ("nav_list"));

  g_signal_emit_by_name (nav, "row-activated", window_part ("search_row"));
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), query);
  spin (0.3);
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
}

static gboolean
widget_unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

/* Two byte-identical copies of a toy photo in a folder of their own,
 * indexed: a group of duplicates, whatever the cases before left. */
static void
make_copies (void)
{
  g_autofree char *folder = g_build_filename (g_get_home_dir (), "layout-copies", NULL);
  g_autofree char *source = g_build_filename (photos_dir, "photo-0001.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) dir = NULL;
  gsize length;

  g_assert_no_errno (g_mkdir_with_parents (folder, 0755));
  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("copy-%u.png", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_assert_true (g_file_set_contents (path, contents, length, NULL));
    }
  dir = g_file_new_for_path (folder);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  spin (1.0);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
}

static gboolean
duplicates_found (gpointer data)
{
  CsDuplicatesView *view = CS_DUPLICATES_VIEW (window_part ("duplicates_view"));
  GListModel *groups = cs_duplicates_view_get_groups (view);

  return !cs_duplicates_view_get_busy (view) && groups != NULL && g_list_model_get_n_items (groups) > 0;
}

/* Issue 17, defect 4: the window goes down to 360 px, where the photos
 * and the search entry show whole (the sidebar is one step away). */
void
test_layout_narrow (void)
{
  GtkWidget *area = content_area ();
  int min;

  show_search ("a red circle");
  resize (360, 720);
  gtk_widget_measure (area, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("the window's content needs %d px", min);
  g_assert_cmpint (min, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (area), ==, 360);
  g_assert_true (cs_compat_split_view_get_collapsed (split_view ()));
  assert_unclipped (GTK_WIDGET (window_part ("search_entry")), "entry");
  assert_unclipped (GTK_WIDGET (window_part ("grid")), "grid");
  /* the sidebar slides away (an animation) */
  g_assert_true (wait_for (widget_unmapped, window_part ("nav_list"), 10));
  save_screenshot (GTK_WIDGET (window), "layout-360.png");

  /* the duplicates' groups fit too (their buttons side by side needed 420
   * px; libadwaita >= 1.4 squeezes what does not fit, with a warning) */
  make_copies ();
  g_signal_emit_by_name (window_part ("nav_list"), "row-activated", window_part ("duplicates_row"));
  cs_duplicates_view_refresh (CS_DUPLICATES_VIEW (window_part ("duplicates_view")));
  g_assert_true (wait_for (duplicates_found, NULL, 120));
  spin (0.5);
  gtk_widget_measure (area, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("the duplicates need %d px", min);
  g_assert_cmpint (min, <=, 360);
  g_assert_cmpint (gtk_widget_get_width (area), ==, 360);
  save_screenshot (GTK_WIDGET (window), "duplicates-360.png");
  show_search ("a red circle");
  resize (1000, 700);
  g_assert_false (cs_compat_split_view_get_collapsed (split_view ()));
}

/* Issue 17, defect 4: the sidebar keeps one width between views and at
 * every window size (it grew to 655 px maximised). */
void
test_layout_sidebar_width (void)
{
  GtkWidget *sidebar = GTK_WIDGET (window_part ("nav_list"));
  GtkListBox *nav = GTK_LIST_BOX (window_part ("nav_list"));
  int search_1000, duplicates_1000, search_1900, duplicates_1900, grid_1000, grid_1900, area_1000, area_1900;

  show_search ("a red circle");
  resize (1000, 700);
  g_assert_false (cs_compat_split_view_get_collapsed (split_view ()));
  g_assert_true (gtk_widget_get_mapped (sidebar));
  search_1000 = gtk_widget_get_width (sidebar);
  grid_1000 = gtk_widget_get_width (GTK_WIDGET (window_part ("grid")));
  area_1000 = gtk_widget_get_width (content_area ());

  g_signal_emit_by_name (nav, "row-activated", window_part ("duplicates_row"));
  spin (0.5);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "duplicates");
  duplicates_1000 = gtk_widget_get_width (sidebar);

  /* a maximised window on a 1920 × 1080 screen */
  resize (1900, 1000);
  area_1900 = gtk_widget_get_width (content_area ());
  duplicates_1900 = gtk_widget_get_width (sidebar);
  show_search ("a red circle");
  spin (0.3);
  search_1900 = gtk_widget_get_width (sidebar);
  grid_1900 = gtk_widget_get_width (GTK_WIDGET (window_part ("grid")));
  save_screenshot (GTK_WIDGET (window), "layout-1900.png");
  g_test_message ("sidebar: %d, %d at 1000 px; %d, %d at 1900 px; grid %d, %d", search_1000, duplicates_1000,
                  search_1900, duplicates_1900, grid_1000, grid_1900);
  g_assert_cmpint (search_1000, ==, duplicates_1000);
  g_assert_cmpint (search_1000, ==, search_1900);
  g_assert_cmpint (search_1000, ==, duplicates_1900);
  /* a sidebar's width (the HIG's 180-300 px), the rest for the photos */
  g_assert_cmpint (search_1000, >=, 180);
  g_assert_cmpint (search_1000, <=, 300);
  /* all the width gained goes to the photos */
  g_assert_cmpint (area_1900, >=, 1880);
  g_assert_cmpint (grid_1900 - grid_1000, ==, area_1900 - area_1000);
  resize (1000, 700);
}

/* The first result that `accept` takes (its file's size from the file),
 * opened in the photo view; the view. */
typedef gboolean (*SizeAccept) (int width,
                                int height);

static CsPhotoView *
open_photo_sized (SizeAccept  accept,
                  int        *width,
                  int        *height)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
  CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);

      if (gdk_pixbuf_get_file_info (cs_photo_get_path (photo), width, height) != NULL
          && accept (*width, *height))
        {
          gtk_widget_activate_action (GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid")))),
                                      "list.activate-item", "u", i);
          g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
          g_assert_true (wait_for ((Condition) cs_photo_view_get_loaded, view, 20));
          spin (0.3);
          return view;
        }
    }
  g_assert_not_reached ();
  return NULL;
}

static gboolean
small_photo (int width,
             int height)
{
  return width <= 200 && height <= 200;
}

static gboolean
large_photo (int width,
             int height)
{
  return width >= 400 && height >= 400;
}

static GtkWidget *
view_picture (CsPhotoView *view)
{
  GtkWidget *picture = find_widget (GTK_WIDGET (view), "GtkPicture", NULL, NULL);

  g_assert_nonnull (picture);
  return picture;
}

static GtkScrolledWindow *
view_scroller (CsPhotoView *view)
{
  return GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (view_picture (view), GTK_TYPE_SCROLLED_WINDOW));
}

/* The scale the photo (of `width` × `height` pixels in its file) is drawn
 * at: GtkPicture draws it whole, keeping its aspect, inside its
 * allocation. */
static double
drawn_scale (CsPhotoView *view,
             int          width,
             int          height)
{
  GtkWidget *picture = view_picture (view);

  return MIN ((double) gtk_widget_get_width (picture) / width, (double) gtk_widget_get_height (picture) / height);
}

static GtkToggleButton *
details_button (CsPhotoView *view)
{
  GtkWidget *button = find_widget (GTK_WIDGET (view), "GtkToggleButton", "tooltip-text", "Details");

  g_assert_nonnull (button);
  return GTK_TOGGLE_BUTTON (button);
}

/* Issue 17, defect 4: at 360 px the photo keeps most of the width, the
 * details open over it; wide, they sit beside it at their own width. */
void
test_photo_view_narrow (void)
{
  CsPhotoView *view;
  GtkWidget *stage;
  int width, height, stage_wide;

  show_search ("a red circle");
  resize (360, 720);
  view = open_photo_sized (large_photo, &width, &height);
  stage = GTK_WIDGET (view_scroller (view));
  g_test_message ("the photo's stage: %d of %d px", gtk_widget_get_width (stage),
                  gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), ==, 360);
  g_assert_cmpint (gtk_widget_get_width (stage) * 10, >=, gtk_widget_get_width (GTK_WIDGET (view)) * 8);
  /* the photo fills the stage's width (less its margins) */
  g_assert_cmpint (gtk_widget_get_width (view_picture (view)), >=, gtk_widget_get_width (stage) - 24);
  gtk_toggle_button_set_active (details_button (view), TRUE);
  spin (0.6);
  g_assert_cmpint (gtk_widget_get_width (stage) * 10, >=, gtk_widget_get_width (GTK_WIDGET (view)) * 8);
  save_screenshot (GTK_WIDGET (window), "photo-360-details.png");
  gtk_toggle_button_set_active (details_button (view), FALSE);

  resize (1000, 700);
  gtk_toggle_button_set_active (details_button (view), TRUE);
  spin (0.6);
  stage_wide = gtk_widget_get_width (stage);
  g_test_message ("the photo's stage with the details: %d of 1000 px", stage_wide);
  g_assert_cmpint (stage_wide, <, 1000 - 250);
  g_assert_cmpint (stage_wide, >=, 1000 - 320);
  press_key (GDK_KEY_Escape, 0);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
}

static GtkEventController *
scroller_controller (CsPhotoView *view,
                     GType        type,
                     GtkPropagationPhase phase)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view_scroller (view)));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      /* the scrolled window's own drag is for touch screens only */
      if (G_OBJECT_TYPE (c) == type && gtk_event_controller_get_propagation_phase (c) == phase
          && !(GTK_IS_GESTURE_SINGLE (c) && gtk_gesture_single_get_touch_only (GTK_GESTURE_SINGLE (c))))
        return c;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Issue 17: a small photo is shown at 100 %, not blown up; the keys zoom
 * it by steps of 1.25 and back. */
void
test_photo_no_upscale (void)
{
  CsPhotoView *view;
  int width, height;

  show_search ("a red circle");
  resize (1000, 700);
  view = open_photo_sized (small_photo, &width, &height);
  g_test_message ("a %d × %d photo drawn at %.3f", width, height, drawn_scale (view, width, height));
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.0, 0.02);
  g_assert_cmpfloat (cs_photo_view_get_zoom (view), ==, 0);

  press_key (GDK_KEY_plus, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.25, 0.02);
  press_key (GDK_KEY_plus, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.5625, 0.02);
  press_key (GDK_KEY_minus, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.25, 0.02);
  press_key (GDK_KEY_0, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.0, 0.02);
  g_assert_cmpfloat (cs_photo_view_get_zoom (view), ==, 0);
  press_key (GDK_KEY_Escape, 0);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
}

/* Issue 17: a photo larger than the stage is fitted; zoomed in (keys, a
 * pinch) it scrolls, and a drag pans it; a plain scroll does not zoom. */
void
test_photo_zoom_pan (void)
{
  CsPhotoView *view;
  GtkAdjustment *hadj, *vadj;
  GtkEventController *pinch, *drag, *scroll;
  gboolean handled = TRUE;
  int width, height;
  double fit, h0, v0;

  show_search ("a red circle");
  resize (360, 720);
  view = open_photo_sized (large_photo, &width, &height);
  fit = drawn_scale (view, width, height);
  g_test_message ("a %d × %d photo fitted at %.3f", width, height, fit);
  g_assert_cmpfloat (fit, <, 1.0);
  /* whole: no wider than the stage less its margins */
  g_assert_cmpfloat (width * fit, <=, gtk_widget_get_width (GTK_WIDGET (view_scroller (view))) - 24 + 1);

  press_key (GDK_KEY_plus, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), fit * 1.25, 0.02);
  hadj = gtk_scrolled_window_get_hadjustment (view_scroller (view));
  vadj = gtk_scrolled_window_get_vadjustment (view_scroller (view));
  g_assert_cmpfloat (gtk_adjustment_get_upper (hadj), >, gtk_adjustment_get_page_size (hadj));
  /* zoomed about the middle: the view is centred */
  g_assert_cmpfloat (fabs (gtk_adjustment_get_value (hadj)
                           - (gtk_adjustment_get_upper (hadj) - gtk_adjustment_get_page_size (hadj)) / 2), <=, 2);

  /* a drag to the left and up shows more of the right and the bottom */
  drag = scroller_controller (view, GTK_TYPE_GESTURE_DRAG, GTK_PHASE_BUBBLE);
  h0 = gtk_adjustment_get_value (hadj);
  v0 = gtk_adjustment_get_value (vadj);
  g_signal_emit_by_name (drag, "drag-begin", 100.0, 100.0);
  g_signal_emit_by_name (drag, "drag-update", -20.0, -10.0);
  g_signal_emit_by_name (drag, "drag-end", -20.0, -10.0);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (hadj), MIN (h0 + 20, gtk_adjustment_get_upper (hadj)
                                                                         - gtk_adjustment_get_page_size (hadj)),
                                  0.5);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (vadj), MIN (v0 + 10, gtk_adjustment_get_upper (vadj)
                                                                         - gtk_adjustment_get_page_size (vadj)),
                                  0.5);

  /* a scroll without Ctrl scrolls, and leaves the zoom alone */
  scroll = scroller_controller (view, GTK_TYPE_EVENT_CONTROLLER_SCROLL, GTK_PHASE_CAPTURE);
  g_signal_emit_by_name (scroll, "scroll", 0.0, -1.0, &handled);
  g_assert_false (handled);
  spin (0.2);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), fit * 1.25, 0.02);

  /* back to the fit, then a pinch that doubles it */
  press_key (GDK_KEY_0, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), fit, 0.01);
  pinch = scroller_controller (view, GTK_TYPE_GESTURE_ZOOM, GTK_PHASE_BUBBLE);
  g_signal_emit_by_name (pinch, "begin", NULL);
  g_signal_emit_by_name (pinch, "scale-changed", 2.0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), fit * 2, 0.02);
  /* a pinch in, past the fit, fits */
  g_signal_emit_by_name (pinch, "begin", NULL);
  g_signal_emit_by_name (pinch, "scale-changed", 0.2);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), fit, 0.01);
  g_assert_cmpfloat (cs_photo_view_get_zoom (view), ==, 0);

  /* 1 is 100 % */
  press_key (GDK_KEY_1, 0);
  spin (0.3);
  g_assert_cmpfloat_with_epsilon (drawn_scale (view, width, height), 1.0, 0.02);
  save_screenshot (GTK_WIDGET (window), "photo-zoomed.png");
  /* the next photo starts fitted */
  press_key (GDK_KEY_Escape, 0);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
  resize (1000, 700);
}

/* Issue 17: F11 and the button make the window fullscreen; Escape leaves
 * fullscreen first, then the photo; leaving the photo leaves
 * fullscreen. */
void
test_photo_fullscreen (void)
{
  CsPhotoView *view;
  GtkWidget *button;
  int width, height;

  show_search ("a red circle");
  view = open_photo_sized (large_photo, &width, &height);
  button = find_widget (GTK_WIDGET (view), "GtkButton", "action-name", "photo.fullscreen");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));

  press_key (GDK_KEY_F11, 0);
  g_assert_true (cs_photo_view_get_fullscreen (view));
  press_key (GDK_KEY_Escape, 0);
  g_assert_false (cs_photo_view_get_fullscreen (view));
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");

  g_signal_emit_by_name (button, "clicked");
  g_assert_true (cs_photo_view_get_fullscreen (view));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "view-restore-symbolic");
  gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
  g_assert_false (cs_photo_view_get_fullscreen (view));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "view-fullscreen-symbolic");
}

static gboolean
on_close_request_cb (GtkWindow *w,
                     gboolean  *asked)
{
  *asked = TRUE;
  return TRUE;   /* the run goes on */
}

/* Issue 17: the photo view's keys and icons: Ctrl+S is not Find Similar
 * (Ctrl+Shift+F is), Ctrl+W closes the photo and then the window, the
 * details button is not the lightbulb of dialog-information, and opening
 * a photo does not select it. */
void
test_photo_view_accels (void)
{
  CsPhotoView *view;
  GtkSelectionModel *selection = cs_photo_grid_get_selection (CS_PHOTO_GRID (window_part ("grid")));
  g_autoptr(GtkBitset) selected = NULL;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  const char *icon;
  gboolean close_asked = FALSE;
  gulong handler;
  int width, height;

  show_search ("a red circle");
  view = open_photo_sized (large_photo, &width, &height);
  icon = gtk_button_get_icon_name (GTK_BUTTON (details_button (view)));
  g_assert_cmpstr (icon, !=, "dialog-information-symbolic");
  g_assert_true (gtk_icon_theme_has_icon (theme, icon));

  press_key (GDK_KEY_s, GDK_CONTROL_MASK);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  press_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");

  view = open_photo_sized (large_photo, &width, &height);
  press_key (GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));

  /* a double click's first click selects the photo alone; the second
   * opens it, which leaves nothing selected */
  gtk_selection_model_select_item (selection, 1, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid")))),
                              "list.activate-item", "u", 1);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
  selected = gtk_selection_model_get_selection (selection);
  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 0);
  press_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_assert_cmpstr (cs_window_get_view_name (window), ==, "search");

  /* from the grid, Ctrl+W closes the window (asked, and refused here) */
  handler = g_signal_connect (window, "close-request", G_CALLBACK (on_close_request_cb), &close_asked);
  press_key (GDK_KEY_w, GDK_CONTROL_MASK);
  g_signal_handler_disconnect (window, handler);
  g_assert_true (close_asked);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
}
