/* bench-typing.c - from a key typed in the search entry to the grid
 * showing that query's results, with 100,000 photos.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fills a database with 100,000 fake photos (synthetic-library.c), runs
 * the real CsApplication in-process on it under Xvfb, searches once, then
 * types a second query one key at a time (a pause after each key, so each
 * key's search is its own) and times each key from the moment its text is
 * in the entry to the end of the first frame painted once the grid holds
 * that text's results and no page transition is running.  The first key
 * replaces the whole query (what typing from the grid does), the others
 * append.  Also counts how often the status page (the start page) showed
 * between the two result lists.  Prints the median and range, the main
 * thread's CPU time from key to frame (what the window costs, apart from
 * waiting for a CPU on a loaded machine) and the item widgets the grid
 * view holds (what each new result list makes and lays out again);
 * asserts nothing about them: a benchmark.
 *
 * usage: bench-typing [N_PHOTOS]
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <adwaita.h>

#include "cs-application.h"
#include "cs-photo-grid.h"
#include "cs-window.h"
#include "synthetic-library.h"
#include "test-util.h"

#define FOLDER "/nonexistent/clipsight-bench"

static CsApplication *app;
static CsWindow *window;
static gint64 painted_at;
static double painted_cpu_ms;   /* the main thread's CPU time then */
static gint64 search_changed_at, results_at;
static guint n_status_shown;

static gpointer
part (const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (window), CS_TYPE_WINDOW, name);
}

/* The main thread's CPU time, in ms: what the window costs, apart from
 * waiting for a CPU on a loaded machine. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static gboolean
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);   /* 1 ms steps: little CPU spent polling */
    }
  return TRUE;
}

static void
spin (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
}

static gboolean
library_ready (gpointer data)
{
  window = CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window))
         && cs_library_get_loaded (cs_application_get_library (app))
         && g_strcmp0 (cs_window_get_view_name (window), "search") == 0;
}

/* The grid holds the results of `text`, and the content shows them
 * without a transition running. */
static gboolean
grid_shows (gpointer text)
{
  GListModel *model = cs_photo_grid_get_model (CS_PHOTO_GRID (part ("grid")));
  GtkStack *content = part ("content_stack");
  CsQuery *query;

  if (model == NULL || cs_window_get_busy (window))
    return FALSE;
  query = cs_photo_list_get_query (CS_PHOTO_LIST (model));
  return query != NULL && g_strcmp0 (cs_query_get_text (query), text) == 0
         && g_strcmp0 (gtk_stack_get_visible_child_name (content), "grid") == 0
         && !gtk_stack_get_transition_running (content);
}

static gboolean
painted_since (gpointer data)
{
  return painted_at > *(gint64 *) data;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  painted_at = g_get_monotonic_time ();
  painted_cpu_ms = thread_cpu_ms ();
}

static void
on_content_page_cb (GtkStack   *stack,
                    GParamSpec *pspec,
                    gpointer    data)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "status") == 0)
    n_status_shown++;
}

static void
on_search_changed_cb (GtkSearchEntry *entry,
                      gpointer        data)
{
  search_changed_at = g_get_monotonic_time ();
}

static void
on_results_cb (CsWindow *w,
               gpointer  data)
{
  results_at = g_get_monotonic_time ();
}

/* The item widgets the grid view holds: what each new result list makes,
 * binds and lays out again. */
static guint
n_item_widgets (void)
{
  GtkWidget *view = GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (part ("grid"))));
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (view); w != NULL; w = gtk_widget_get_next_sibling (w))
    n++;
  return n;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
run_bench_cb (GApplication *application,
              int          *ret)
{
  static gboolean once;
  const char *second = "a blue square";
  GtkEditable *entry;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  GdkFrameClock *clock;

  if (once)
    return;
  once = TRUE;
  if (!wait_until (library_ready, NULL, 300))
    {
      g_printerr ("the library never loaded\n");
      g_application_quit (application);
      return;
    }
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), NULL);
  g_signal_connect (part ("content_stack"), "notify::visible-child", G_CALLBACK (on_content_page_cb), NULL);
  entry = GTK_EDITABLE (part ("search_entry"));
  g_signal_connect (entry, "search-changed", G_CALLBACK (on_search_changed_cb), NULL);
  g_signal_connect (window, "results-changed", G_CALLBACK (on_results_cb), NULL);
  gtk_widget_grab_focus (GTK_WIDGET (entry));

  gtk_editable_set_text (entry, "a red circle");
  if (!wait_until (grid_shows, (gpointer) "a red circle", 60))
    g_error ("no results for the first query");
  spin (0.5);
  n_status_shown = 0;

  for (const char *p = second; *p != '\0'; p++)
    {
      g_autofree char *typed = g_strndup (second, (gsize) (p - second) + 1);
      char key[2] = { *p, '\0' };
      gint64 t0, done;
      double ms, cpu0;
      int pos;

      if (*p == ' ')
        {
          /* a space makes the same query: typed, not timed */
          gtk_editable_insert_text (entry, key, -1, &(int) { (int) g_utf8_strlen (gtk_editable_get_text (entry), -1) });
          gtk_editable_set_position (entry, -1);
          spin (0.4);
          continue;
        }
      t0 = g_get_monotonic_time ();
      cpu0 = thread_cpu_ms ();
      if (p == second)
        {
          /* the first key replaces the query, as typing from the grid does */
          gtk_editable_select_region (entry, 0, -1);
          gtk_editable_delete_selection (entry);
        }
      pos = (int) g_utf8_strlen (gtk_editable_get_text (entry), -1);
      gtk_editable_insert_text (entry, key, -1, &pos);
      gtk_editable_set_position (entry, pos);
      if (!wait_until (grid_shows, typed, 30))
        g_error ("no results for “%s”", typed);
      done = g_get_monotonic_time ();
      if (!wait_until (painted_since, &done, 5))
        g_error ("no frame painted after the results of “%s”", typed);
      ms = (painted_at - t0) / 1000.0;
      g_array_append_val (times, ms);
      /* (the main loop polls meanwhile: a little of this is the wait) */
      cpu0 = painted_cpu_ms - cpu0;
      g_array_append_val (cpu, cpu0);
      g_print ("  “%s”: %.0f ms (the entry's search-changed after %.0f ms, the results after %.0f ms)\n",
               typed, ms, (search_changed_at - t0) / 1000.0, (results_at - t0) / 1000.0);
      spin (0.4);
    }
  g_array_sort (times, compare_doubles);
  g_array_sort (cpu, compare_doubles);
  g_print ("key to grid with %u photos: median %.0f ms, min %.0f, max %.0f (%u keys); "
           "the start page showed %u times between result lists; "
           "the main thread's CPU time from key to frame: median %.0f ms, min %.0f, max %.0f; "
           "%u item widgets in the grid view\n",
           cs_library_get_n_photos (cs_application_get_library (app)),
           g_array_index (times, double, times->len / 2), g_array_index (times, double, 0),
           g_array_index (times, double, times->len - 1), times->len, n_status_shown,
           g_array_index (cpu, double, cpu->len / 2), g_array_index (cpu, double, 0),
           g_array_index (cpu, double, cpu->len - 1), n_item_widgets ());
  *ret = 0;
  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (application);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *model = test_shared_path_or_skip ("models/toy-clip");
  guint n_photos = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autofree char *home = g_dir_make_tmp ("clipsight-bench-typing-XXXXXX", NULL);
  g_autofree char *db = NULL;
  int ret = 1;

#ifdef __SANITIZE_ADDRESS__
  g_print ("SKIP: a benchmark means nothing under AddressSanitizer\n");
  return TEST_EXIT_SKIP;
#endif
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
  if (!gtk_init_check ())
    {
      g_print ("SKIP: no display\n");
      return TEST_EXIT_SKIP;
    }
  db = g_build_filename (home, "library.db", NULL);
  {
    gint64 t0 = g_get_monotonic_time ();
    synthetic_library_fill (db, model, FOLDER, n_photos, TRUE);
    g_print ("filled a database of %u photos in %.1f s\n", n_photos, (g_get_monotonic_time () - t0) / 1e6);
  }
  g_setenv ("CLIPSIGHT_DATABASE", db, TRUE);
  g_setenv ("CLIPSIGHT_MODEL", model, TRUE);
  g_setenv ("CLIPSIGHT_NO_UPOWER", "1", TRUE);
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.clipsight.Clipsight");
    const char *folders[] = { FOLDER, NULL };

    g_settings_set_strv (settings, "folders", folders);
    g_settings_set_boolean (settings, "watch-folders", FALSE);
    g_settings_set_int (settings, "window-width", 1080);
    g_settings_set_int (settings, "window-height", 720);
  }
  app = cs_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (run_bench_cb), &ret);
  {
    char *args[] = { argv[0], NULL };
    g_application_run (G_APPLICATION (app), 1, args);
  }
  g_clear_object (&app);
  test_rm_rf (home);
  return ret;
}
