/* app-test-util.h - what the test-app cases share (app-test-util.c), and
 * the cases themselves, which test-app.c registers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cases run in order inside one application (GApplication is once per
 * process): each takes the window as the case before it left it.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-application.h"
#include "cs-label-dialog.h"
#include "cs-window.h"

G_BEGIN_DECLS

/* The run's application and window, the toy photos' folder, where the
 * screenshots go, and the truth about the toy photos (load_truth()). */
extern CsApplication *app;
extern CsWindow *window;
extern char *photos_dir;
extern char *shots_dir;
extern JsonNode *queries;
extern GHashTable *shapes;   /* file name -> "triangle;circle" */

/* The window's "results-changed" signals seen, while a case counts them
 * (on_results_changed_cb() connected). */
extern guint n_results_changed;

/* ------------------------------------------------------------------ */
/* Waiting on the main loop                                             */
/* ------------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until `cond` holds (TRUE) or `seconds` pass (FALSE). */
gboolean wait_for (Condition cond,
                   gpointer  data,
                   double    seconds);
/* Runs the main loop for `seconds`. */
void     spin     (double    seconds);
/* The window resized to width × height, waiting (up to 15 s) until its
 * allocation has that size, then a little more for the layout to settle. */
void     resize_window (int width,
                        int height);

/* Saves the content of a window (a toplevel) as shots_dir/name. */
void save_screenshot (GtkWidget  *window_widget,
                      const char *name);

/* The window's parts, through its template. */
gpointer window_part (const char *name);

/* ------------------------------------------------------------------ */
/* Conditions (for wait_for())                                          */
/* ------------------------------------------------------------------ */

gboolean view_is                  (gpointer name);
gboolean indexer_idle             (gpointer data);
gboolean library_has_all          (gpointer data);   /* GUINT_TO_POINTER (n) photos */
gboolean search_settled           (gpointer data);
gboolean thumbnails_loaded        (gpointer data);   /* below the widget `data` */
gboolean label_exists             (gpointer name);
gboolean results_since            (gpointer data);   /* GUINT_TO_POINTER (n_results_changed) */
gboolean toast_shows              (gpointer text);

/* ------------------------------------------------------------------ */
/* Truth, look-ups and actions                                          */
/* ------------------------------------------------------------------ */

/* queries.json and labels.csv of the toy photos, into queries and shapes. */
void        load_truth (void);
JsonObject *find_query (const char *text);
gboolean    has_shape  (const char *file,
                        const char *shape);

CsLabel   *label_named         (const char *name);
void       collect_cell_photos (GtkWidget  *root,
                                GPtrArray  *photos);
GtkWidget *find_widget         (GtkWidget  *root,
                                const char *type,
                                const char *property,
                                const char *value);
gboolean   label_shows         (GtkWidget  *root,
                                const char *text);
GtkWidget *options_popover     (void);
void       click_option        (const char *text);
void       on_results_changed_cb (CsWindow *w,
                                  gpointer  data);

/* ------------------------------------------------------------------ */
/* The cases, in the order test-app.c registers them                    */
/* ------------------------------------------------------------------ */

/* test-app-indexing.c */
void test_welcome         (void);
void test_indexing        (void);
void test_open_folder     (void);
/* test-app-search.c */
void test_search          (void);
void test_photo_view      (void);
/* test-app-labels.c */
void test_labels          (void);
void test_label_threshold (void);
void test_verdicts        (void);
/* test-app-views.c */
void test_duplicates      (void);
void test_preferences     (void);
/* test-app-search.c */
void test_dark_and_narrow (void);
void test_filters         (void);
/* test-app-stalls.c */
void test_stalls          (void);
/* test-app-views.c */
void test_markup_in_names (void);
/* test-app-search.c */
void test_type_query      (void);
void test_photo_view_keys (void);
/* test-app-indexing.c */
void test_index_refused   (void);
/* The New Label dialog the window shows, if any; wait_for conditions on it. */
CsLabelDialog *shown_label_dialog (void);
gboolean       label_dialog_shown (gpointer data);
gboolean       label_dialog_gone  (gpointer data);

/* test-app-labels.c */
void test_new_label_keys  (void);
/* issue 16 */
void test_judgement_toast (void);
void test_models          (void);

/* test-app-precision.c */
void test_precision_row   (void);
/* issue 17: test-app-indexing.c */
void test_indexing_rate   (void);
void test_pause_button    (void);
/* issue 17: test-app-views.c */
void test_date_taken      (void);
void test_date_taken_exif (void);
void test_remove_folder_undo (void);
void test_remove_folder_close_prefs (void);

/* issue 17: test-app-platform.c */
void test_failures_listed (void);
void test_failures_retry  (void);
void test_find_like_file  (void);
void test_show_in_files_fails_visibly (void);
/* Keys typed in the window, delivered as GTK delivers them
 * (test-app-search.c). */
void press_key_in (GtkWidget *root, guint keyval, GdkModifierType state);
void press_key (guint           keyval,
                GdkModifierType state);
void type_text (const char     *text);

/* issue 17, defects 7 and 8: test-app-filters.c */
void test_filter_chips      (void);
void test_retype_no_flash   (void);
void test_index_keeps_order (void);
/* issue 17: test-app-duplicates.c */
void test_duplicates_trash      (void);
void test_duplicates_no_reorder (void);
void test_duplicates_thumbnails (void);
void test_duplicates_trash_error (void);

/* issue 17, the photo grid: test-app-grid.c */
void test_grid_landing           (void);
void test_grid_menu_and_sections (void);
void test_grid_copy_image        (void);
void test_grid_trash_undo        (void);
void test_grid_trash_refused     (void);
void test_grid_drag_out          (void);
void test_grid_open              (void);
/* issue 17, defect 4 and the photo view: test-app-layout.c */
void test_layout_narrow        (void);
void test_layout_sidebar_width (void);
void test_photo_view_narrow    (void);
void test_photo_no_upscale     (void);
void test_photo_zoom_pan       (void);
void test_photo_fullscreen     (void);
void test_photo_view_accels    (void);

/* issue 17, defect 7, the grid's cells per result list: test-app-grid-cells.c */
void test_grid_cells (void);

/* issue 17, thumbnails made while indexing: test-app-thumbs.c */
void test_first_page_from_cache  (void);

/* --large-library (test-app-stalls.c): the 90,000 photos already in the
 * database, in a folder that is not there, beside those indexed. */
#define SYNTH_PHOTOS 90000
#define SYNTH_FOLDER "/nonexistent/clipsight-synthetic"
void test_large_library   (void);

void test_date_range        (void);
void test_date_range_format (void);

G_END_DECLS
