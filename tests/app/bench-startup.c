/* bench-startup.c - time from launch to the first frame with 100,000 photos.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a database with 100,000 fake photos and their vectors through the
 * store API (a test tool may; the app never does), tagged with the toy
 * model's id so the library loads them, then launches the real
 * `clipsight` a few times with CLIPSIGHT_BENCH_STARTUP=1, which prints a
 * line when the window's first frame is painted and another when the
 * library is loaded (searchable), then quits.  Prints the median times
 * from launch, beside those of a bare libadwaita window (this program run
 * with --baseline: a header bar and a status page), which is what GTK
 * and libadwaita alone cost on the machine.  Asserts nothing about them:
 * a benchmark.
 *
 * usage: bench-startup [N_PHOTOS]    ($CLIPSIGHT_APP: the app to launch)
 */
#include "config.h"

#include <stdlib.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "synthetic-library.h"
#include "test-util.h"

#define RUNS 3

static int compare_doubles (gconstpointer a, gconstpointer b);

static void
on_baseline_painted_cb (GdkFrameClock *clock,
                        GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, on_baseline_painted_cb, app);
  g_print ("first-frame\n");
  fflush (stdout);
  g_application_quit (app);
}

static gboolean
baseline_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       app)
{
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_baseline_painted_cb), app);
  return G_SOURCE_REMOVE;
}

static void
on_baseline_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "system-search-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), "Baseline");
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), page);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1080, 720);
  gtk_widget_add_tick_callback (window, baseline_tick_cb, app, NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_baseline (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.clipsight.BenchBaseline",
                                                       G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_baseline_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

/* Launches `argv` RUNS times; the median time to its "first-frame" and
 * "library-loaded" lines, in ms (-1 when never printed). */
static void
time_launches (GSubprocessLauncher *launcher,
               const char * const  *argv,
               double              *first_frame_ms,
               double              *loaded_ms)
{
  double first_frame[RUNS], loaded[RUNS];

  for (int run = 0; run < RUNS; run++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      char *line;

      first_frame[run] = loaded[run] = -1;
      proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
      while ((line = g_data_input_stream_read_line (out, NULL, NULL, NULL)) != NULL)
        {
          double ms = (g_get_monotonic_time () - t0) / 1000.0;
          if (g_str_has_prefix (line, "first-frame"))
            first_frame[run] = ms;
          else if (g_str_has_prefix (line, "library-loaded"))
            loaded[run] = ms;
          g_free (line);
        }
      g_subprocess_wait (proc, NULL, NULL);
      g_print ("  %s run %d: first frame after %.0f ms", argv[0], run + 1, first_frame[run]);
      if (loaded[run] >= 0)
        g_print (", library searchable after %.0f ms", loaded[run]);
      g_print ("\n");
    }
  qsort (first_frame, RUNS, sizeof (double), compare_doubles);
  qsort (loaded, RUNS, sizeof (double), compare_doubles);
  *first_frame_ms = first_frame[RUNS / 2];
  *loaded_ms = loaded[RUNS / 2];
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *model = test_shared_path_or_skip ("models/toy-clip");
  const char *app = g_getenv ("CLIPSIGHT_APP");
  guint n_photos = argc > 1 && argv[1][0] != '-' ? (guint) atoi (argv[1]) : 100000;
  g_autofree char *tmp = test_make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "library.db", NULL);
  g_autofree char *config = g_build_filename (tmp, "config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);
  const char *self = argv[0];
  int status;
  gint64 t0;

  if (argc > 1 && g_str_equal (argv[1], "--baseline"))
    return run_baseline ();
#ifdef __SANITIZE_ADDRESS__
  g_print ("SKIP: a benchmark means nothing under AddressSanitizer\n");
  return TEST_EXIT_SKIP;
#endif
  if (app == NULL)
    {
      g_printerr ("CLIPSIGHT_APP is not set\n");
      return 1;
    }
  t0 = g_get_monotonic_time ();
  synthetic_library_fill (db, model, "/nonexistent/clipsight-bench", n_photos, TRUE);
  g_print ("filled a database of %u photos in %.1f s\n", n_photos, (g_get_monotonic_time () - t0) / 1e6);

  /* the settings of a library in use: a folder (absent: nothing to index) */
  g_mkdir_with_parents (keyfile_dir, 0700);
  g_assert_true (g_file_set_contents (keyfile,
                                      "[io/github/clipsight/Clipsight]\n"
                                      "folders=['/nonexistent/clipsight-bench']\n"
                                      "watch-folders=false\n", -1, NULL));

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    const char *app_argv[] = { app, NULL };
    const char *base_argv[] = { self, "--baseline", NULL };
    double ff, loaded, base_ff, base_loaded;

    g_subprocess_launcher_setenv (launcher, "CLIPSIGHT_BENCH_STARTUP", "1", TRUE);
    g_subprocess_launcher_setenv (launcher, "CLIPSIGHT_DATABASE", db, TRUE);
    g_subprocess_launcher_setenv (launcher, "CLIPSIGHT_MODEL", model, TRUE);
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
    g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
    time_launches (launcher, base_argv, &base_ff, &base_loaded);
    time_launches (launcher, app_argv, &ff, &loaded);
    g_print ("start-up with %u photos: first frame %.0f ms, searchable %.0f ms "
             "(median of %d; a bare libadwaita window: first frame %.0f ms)\n",
             n_photos, ff, loaded, RUNS, base_ff);
    status = ff > 0 ? 0 : 1;
  }
  test_rm_rf (tmp);
  return status;
}
