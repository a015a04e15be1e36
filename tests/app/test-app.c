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
 * per process).  This file sets the run up and registers them; they live
 * in test-app-*.c by concern, and what they share in app-test-util.c.
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "app-test-util.h"
#include "cs-stall-monitor.h"
#include "synthetic-library.h"
#include "test-util.h"

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

/* test-app-export.c */
void test_export_album (void);
/* test-app-suggested.c */
void test_suggested (void);
void test_suggested_keep (void);
void test_suggested_dismiss (void);
void test_suggested_keep_taken_name (void);
void test_suggested_large (void);

/* test-app-welcome.c */
void test_welcome_page          (void);
void test_german_window         (void);
void test_german_starter_button (void);
void test_german_starter_labels (void);
void test_german_suggested      (void);

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
  else if (argc > 1 && g_str_equal (argv[argc - 1], "--suggested-large"))
    {
      /* an empty library: the case draws its photos and adds their folder */
      g_test_add_func ("/app/suggested/large-library", test_suggested_large);
    }
  else if (argc > 1 && g_str_equal (argv[argc - 1], "--german"))
    {
      g_autoptr(GSettings) settings = g_settings_new ("io.github.clipsight.Clipsight");
      const char *folders[] = { photos_dir, NULL };
      const char *localedir = g_getenv ("CLIPSIGHT_LOCALEDIR");

      /* the app in German as main () sets it up (LANGUAGE=de from the
       * test's environment), from the build's catalogue; the library
       * opens on the toy photos, with no labels yet */
      /* Debian 13's glibc (2.41) ignores LANGUAGE under the C.UTF-8 that
       * tests/app/meson.build sets, as under C: the German locale where it
       * is installed, as a German user has it (through the environment:
       * GTK calls setlocale (LC_ALL, "") when the app starts), else the
       * environment's (Debian 12's glibc honours LANGUAGE under C.UTF-8) */
      if (setlocale (LC_ALL, "de_DE.UTF-8") != NULL)
        g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
      bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      g_settings_set_strv (settings, "folders", folders);
      g_test_add_func ("/app/german/window", test_german_window);
      g_test_add_func ("/app/german/starter-button", test_german_starter_button);
      g_test_add_func ("/app/german/starter-labels", test_german_starter_labels);
      g_test_add_func ("/app/german/suggested", test_german_suggested);
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
      g_test_add_func ("/app/window/indexing-rate", test_indexing_rate);
      g_test_add_func ("/app/window/pause-button", test_pause_button);
      g_test_add_func ("/app/window/date-taken", test_date_taken);
      g_test_add_func ("/app/window/remove-folder-undo", test_remove_folder_undo);
      g_test_add_func ("/app/window/type-query", test_type_query);
      g_test_add_func ("/app/window/photo-view-keys", test_photo_view_keys);
      g_test_add_func ("/app/window/index-refused", test_index_refused);
      g_test_add_func ("/app/window/new-label-keys", test_new_label_keys);
      g_test_add_func ("/app/window/failures-listed", test_failures_listed);
      g_test_add_func ("/app/window/failures-retry", test_failures_retry);
      g_test_add_func ("/app/window/find-like-file", test_find_like_file);
      g_test_add_func ("/app/window/show-in-files-fails-visibly", test_show_in_files_fails_visibly);
      g_test_add_func ("/app/window/precision-row", test_precision_row);
      g_test_add_func ("/app/window/filter-chips", test_filter_chips);
      g_test_add_func ("/app/window/retype-no-flash", test_retype_no_flash);
      g_test_add_func ("/app/window/index-keeps-order", test_index_keeps_order);
      g_test_add_func ("/app/window/duplicates-thumbnails", test_duplicates_thumbnails);
      g_test_add_func ("/app/window/duplicates-trash", test_duplicates_trash);
      g_test_add_func ("/app/window/duplicates-no-reorder", test_duplicates_no_reorder);
      g_test_add_func ("/app/window/duplicates-trash-error", test_duplicates_trash_error);
      g_test_add_func ("/app/window/judgement-toast", test_judgement_toast);
      g_test_add_func ("/app/window/models", test_models);
      g_test_add_func ("/app/window/export-album", test_export_album);
      g_test_add_func ("/app/window/grid/landing", test_grid_landing);
      g_test_add_func ("/app/window/grid/menu-and-sections", test_grid_menu_and_sections);
      g_test_add_func ("/app/window/grid/copy-image", test_grid_copy_image);
      g_test_add_func ("/app/window/grid/trash-undo", test_grid_trash_undo);
      g_test_add_func ("/app/window/grid/trash-refused", test_grid_trash_refused);
      g_test_add_func ("/app/window/grid/drag-out", test_grid_drag_out);
      g_test_add_func ("/app/window/grid/open", test_grid_open);
      g_test_add_func ("/app/window/layout-narrow", test_layout_narrow);
      g_test_add_func ("/app/window/layout-sidebar-width", test_layout_sidebar_width);
      g_test_add_func ("/app/window/photo-view-narrow", test_photo_view_narrow);
      g_test_add_func ("/app/window/photo-no-upscale", test_photo_no_upscale);
      g_test_add_func ("/app/window/photo-zoom-pan", test_photo_zoom_pan);
      g_test_add_func ("/app/window/photo-fullscreen", test_photo_fullscreen);
      g_test_add_func ("/app/window/photo-view-accels", test_photo_view_accels);
      g_test_add_func ("/app/window/suggested", test_suggested);
      g_test_add_func ("/app/window/suggested-keep", test_suggested_keep);
      g_test_add_func ("/app/window/suggested-dismiss", test_suggested_dismiss);
      g_test_add_func ("/app/window/suggested-keep-taken-name", test_suggested_keep_taken_name);
      g_test_add_func ("/app/window/welcome-page", test_welcome_page);
      g_test_add_func ("/app/window/first-page-from-cache", test_first_page_from_cache);
      g_test_add_func ("/app/window/date-range-format", test_date_range_format);
      g_test_add_func ("/app/window/date-range", test_date_range);
      g_test_add_func ("/app/window/grid/cells", test_grid_cells);
      g_test_add_func ("/app/window/date-taken-exif", test_date_taken_exif);
      g_test_add_func ("/app/window/remove-folder-close-prefs", test_remove_folder_close_prefs);
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
