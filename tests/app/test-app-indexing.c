/* test-app-indexing.c - the welcome page, indexing (paused, resumed, held
 * back on battery, refused while another process indexes), and folders
 * opened in the running instance.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-indexing-bar.h"
#include "cs-store.h"
#include "cs-welcome-page.h"

void
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

void
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
void
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
void
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

/* The speed the indexing bar shows: photos per second over the last
 * seconds of running time, paused time not counted (issue 17: it showed
 * 31 photos/s while 150/s arrived). */
void
test_indexing_rate (void)
{
  g_autoptr(CsIndexingRate) rate = cs_indexing_rate_new ();
  gint64 t = 0;
  guint64 n = 0;

  /* a second of indexing, then a minute paused */
  cs_indexing_rate_sample (rate, t, n, TRUE);
  t += G_USEC_PER_SEC;
  n += 150;
  cs_indexing_rate_sample (rate, t, n, FALSE);
  t += 60 * G_USEC_PER_SEC;
  cs_indexing_rate_sample (rate, t, n, TRUE);
  /* five seconds at 150 photos/s */
  for (guint i = 0; i < 50; i++)
    {
      t += G_USEC_PER_SEC / 10;
      n += 15;
      cs_indexing_rate_sample (rate, t, n, TRUE);
    }
  g_assert_cmpfloat_with_epsilon (cs_indexing_rate_get (rate), 150, 5);

  /* thirty seconds at 20/s, then ten at 150/s: the recent speed */
  cs_indexing_rate_reset (rate);
  n = 0;
  for (guint i = 0; i <= 300; i++)
    {
      cs_indexing_rate_sample (rate, t, n, TRUE);
      t += G_USEC_PER_SEC / 10;
      n += 2;
    }
  for (guint i = 0; i < 100; i++)
    {
      t += G_USEC_PER_SEC / 10;
      n += 15;
      cs_indexing_rate_sample (rate, t, n, TRUE);
    }
  g_assert_cmpfloat_with_epsilon (cs_indexing_rate_get (rate), 150, 10);
}

static GtkWidget *
pause_button (void)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), "GtkToggleButton", "action-name", "win.pause-indexing");
  g_assert_nonnull (button);
  return button;
}

/* While paused, the pause button offers to resume: a play icon and
 * "Resume Indexing"; else a pause icon and "Pause Indexing". */
void
test_pause_button (void)
{
  GtkWidget *button = pause_button ();

  g_assert_false (cs_application_get_user_paused (app));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "media-playback-pause-symbolic");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause-indexing", NULL);
  g_assert_true (cs_application_get_user_paused (app));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "media-playback-start-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Resume Indexing");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause-indexing", NULL);
  g_assert_false (cs_application_get_user_paused (app));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "media-playback-pause-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Pause Indexing");
}
