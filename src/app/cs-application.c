/* cs-application.c - the Clipsight application: one instance per session.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clipsight"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-compat.h"
#include "cs-cancel.h"
#include "cs-library.h"
#include "cs-library-reports.h"
#include "cs-power-policy.h"
#include "cs-preferences.h"
#include "cs-search-provider.h"
#include "cs-stall-monitor.h"
#include "cs-thumbnailer.h"
#include "cs-window.h"

#define BACKGROUND_DELAY_MS 400

struct _CsApplication {
  AdwApplication  parent_instance;

  GSettings        *settings;
  CsIndexer        *indexer;
  CsLibrary        *library;
  CsModelManager   *model_manager;
  CsPowerPolicy    *power_policy;
  CsSearchProvider *search_provider;
  GCancellable     *cancellable;
  char             *model_dir;
  gboolean          user_paused;
  guint             background_id; /* the background work is yet to start */
  gboolean          background_started;
  gboolean          migrating_folders; /* the folder settings await a run */
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_MODEL_DIR,
  PROP_USER_PAUSED,
  PROP_POLICY_PAUSED,
  N_PROPS
};

enum {
  SIGNAL_INDEX_FINISHED,
  SIGNAL_INDEX_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static gboolean
model_dir_is_complete (const char *dir)
{
  g_autofree char *config = g_build_filename (dir, "config.json", NULL);
  g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);

  return g_file_test (config, G_FILE_TEST_IS_REGULAR) && g_file_test (weights, G_FILE_TEST_IS_REGULAR);
}

/* $CLIPSIGHT_MODEL, the settings, or the downloaded default model. */
static char *
resolve_model_dir (CsApplication *self)
{
  const char *env = g_getenv ("CLIPSIGHT_MODEL");
  g_autofree char *setting = g_settings_get_string (self->settings, "model-dir");
  g_autofree char *fallback = NULL;

  if (env != NULL && *env != '\0')
    return g_canonicalize_filename (env, NULL);
  if (setting[0] != '\0')
    return g_canonicalize_filename (setting, NULL);
  fallback = cs_model_manager_dup_default_dir ();
  if (model_dir_is_complete (fallback))
    return g_steal_pointer (&fallback);
  /* the model the Flatpak bundles (flatpak/modules/clip-vit-base-patch32.yml) */
  g_clear_pointer (&fallback, g_free);
  fallback = g_build_filename (DATADIR, "clipsight", "models", "clip-vit-base-patch32", NULL);
  if (model_dir_is_complete (fallback))
    return g_steal_pointer (&fallback);
  return NULL;
}

static void
update_paused (CsApplication *self)
{
  cs_indexer_set_paused (self->indexer,
                         self->user_paused || cs_power_policy_get_hold (self->power_policy));
}

static char **
strv_without (char       **strv,
              const char  *path)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; strv[i] != NULL; i++)
    if (g_strcmp0 (strv[i], path) != 0)
      g_strv_builder_add (builder, strv[i]);
  return g_strv_builder_end (builder);
}

/* Folders used to live in the "folders" and "excluded-folders" settings
 * as well as in the store, and the two drifted apart (a folder indexed
 * with clipsight-cli never showed; resetting the setting never removed
 * one).  The store is their one home now: the settings an older version
 * left are handed to the indexer at start and cleared once a run has
 * written them (until then a later start hands them over again). */
static void
migrate_folder_settings (CsApplication *self)
{
  g_auto(GStrv) folders = g_settings_get_strv (self->settings, "folders");
  g_auto(GStrv) excluded = g_settings_get_strv (self->settings, "excluded-folders");

  for (guint i = 0; folders[i] != NULL; i++)
    cs_indexer_add_folder (self->indexer, folders[i]);
  for (guint i = 0; excluded[i] != NULL; i++)
    cs_indexer_exclude_folder (self->indexer, excluded[i]);
  self->migrating_folders = folders[0] != NULL || excluded[0] != NULL;
}

/* A folder the user removed must not come back from a setting still
 * waiting for its migration. */
static void
forget_legacy_folder (CsApplication *self,
                      const char    *key,
                      const char    *canon)
{
  g_auto(GStrv) list = NULL;
  g_auto(GStrv) rest = NULL;

  if (!self->migrating_folders)
    return;
  list = g_settings_get_strv (self->settings, key);
  rest = strv_without (list, canon);
  if (g_strv_length (rest) != g_strv_length (list))
    g_settings_set_strv (self->settings, key, (const char * const *) rest);
}

static char *
canonical_folder (const char *path)
{
  char *canon = g_canonicalize_filename (path, NULL);
  size_t n = strlen (canon);

  while (n > 1 && canon[n - 1] == '/')
    canon[--n] = '\0';
  return canon;
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                            */
/* ------------------------------------------------------------------ */

static void on_library_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_folders_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CsApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_indexer_load_folders_finish (CS_INDEXER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* the run will say what is wrong with the database */
      g_debug ("cannot read the library's folders: %s", error->message);
    }
  /* the background start runs when it comes; a run going on has them */
  if (!cs_indexer_get_running (self->indexer))
    cs_application_rescan (self);
}

static void
start_background (CsApplication *self)
{
  g_clear_handle_id (&self->background_id, g_source_remove);
  if (self->background_started)
    return;
  self->background_started = TRUE;
  cs_library_load_async (self->library, self->cancellable, on_library_loaded_cb, NULL);
  /* a run needs folders: without any yet, on_folders_loaded_cb starts it */
  cs_application_rescan (self);
}

static gboolean
start_background_cb (gpointer data)
{
  CsApplication *self = data;

  self->background_id = 0;
  start_background (self);
  return G_SOURCE_REMOVE;
}

static void
on_first_frame_cb (GdkFrameClock *clock,
                   CsApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, self);
  start_background (self);
}

static gboolean
first_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_first_frame_cb), user_data, 0);
  return G_SOURCE_REMOVE;
}

static void
on_library_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_library_load_finish (CS_LIBRARY (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("cannot load the library: %s", error->message);
}

static void
on_library_refreshed_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_library_refresh_finish (CS_LIBRARY (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("cannot refresh the library: %s", error->message);
}

static void
on_indexer_batch_cb (CsIndexer     *indexer,
                     CsApplication *self)
{
  cs_library_refresh_async (self->library, self->cancellable, on_library_refreshed_cb, NULL);
}

static void
on_rescan_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsApplication) self = user_data;
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &error);
  if (summary != NULL)
    {
      if (self->migrating_folders)
        {
          /* the run wrote the migrated folders to the store */
          g_settings_reset (self->settings, "folders");
          g_settings_reset (self->settings, "excluded-folders");
          self->migrating_folders = FALSE;
        }
      g_signal_emit (self, signals[SIGNAL_INDEX_FINISHED], 0);
    }
  /* a failure was reported by on_indexer_failed_cb, once per run */
}

/* Every failed run, the app's own and those it did not start (a watched
 * change's): refused because another process indexes the library, or
 * failed on the database.  The indexer goes on; the next run may work. */
static void
on_indexer_failed_cb (CsIndexer     *indexer,
                      const GError  *error,
                      CsApplication *self)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (error, CS_INDEXER_ERROR, CS_INDEXER_ERROR_NO_FOLDERS))
    g_signal_emit (self, signals[SIGNAL_INDEX_FAILED], 0, error->message);
}

static void
on_policy_hold_cb (CsPowerPolicy *policy,
                   GParamSpec    *pspec,
                   CsApplication *self)
{
  update_paused (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLICY_PAUSED]);
}

static void
on_watch_changed_cb (GSettings     *settings,
                     const char    *key,
                     CsApplication *self)
{
  cs_indexer_set_watching (self->indexer, g_settings_get_boolean (settings, "watch-folders"));
}

static void
on_model_downloaded_cb (CsModelManager *manager,
                        GParamSpec     *pspec,
                        CsApplication  *self)
{
  g_autofree char *setting = NULL;

  if (cs_model_manager_get_state (manager) != CS_MODEL_STATE_READY)
    return;
  setting = g_settings_get_string (self->settings, "model-dir");
  /* a model the user chose wins over the download */
  if (setting[0] == '\0' || self->model_dir == NULL)
    cs_application_set_model_dir (self, cs_model_manager_get_target_dir (manager));
}

/* ------------------------------------------------------------------ */
/* Actions                                                              */
/* ------------------------------------------------------------------ */

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* closing saves the window state */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (app);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  static const char *developers[] = { "The Clipsight authors", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (app);

  cs_compat_show_about (window,
                        "application-name", _("Clipsight"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Clipsight authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Find your photos by describing them. Clipsight looks at "
                                      "each photo once, on this computer, with OpenAI’s CLIP "
                                      "model: nothing leaves your machine."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Clipsight authors",
                        "translator-credits", _("translator-credits"),
                        NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  CsApplication *self = CS_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  CsPreferences *prefs = cs_preferences_new (self);

  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
}

static CsWindow *
present_window (CsApplication *self)
{
  g_application_activate (G_APPLICATION (self));
  return CS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

/* From the Shell search provider: a photo's file URI. */
static void
show_photo_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  CsApplication *self = CS_APPLICATION (user_data);
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));
  g_autofree char *path = g_file_get_path (file);
  CsWindow *window = present_window (self);

  if (path != NULL)
    cs_window_show_photo_file (window, path);
}

/* From the Shell search provider: the text typed in the overview. */
static void
search_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  CsWindow *window = present_window (CS_APPLICATION (user_data));
  cs_window_search (window, g_variant_get_string (param, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "show-photo", show_photo_action, "s" },
  { "search", search_action, "s" },
};

/* ------------------------------------------------------------------ */
/* GApplication                                                         */
/* ------------------------------------------------------------------ */

static void
cs_application_startup (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  const char *stalls = g_getenv ("CLIPSIGHT_DEBUG_STALLS");
  g_autofree char *url = NULL;
  g_autofree char *model_target = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (app);

  if (stalls != NULL && *stalls != '\0' && g_strcmp0 (stalls, "0") != 0)
    {
      guint threshold = (guint) g_ascii_strtoull (stalls, NULL, 10);
      cs_stall_monitor_install (threshold > 1 ? threshold : 50);
    }

  self->settings = g_settings_new (CS_SCHEMA_ID);
  self->cancellable = g_cancellable_new ();
  self->model_dir = resolve_model_dir (self);

  self->indexer = cs_indexer_new (g_getenv ("CLIPSIGHT_DATABASE"), self->model_dir);
  /* thumbnails made while indexing (the photo is decoded then anyway), in
   * the grid's cache: a first results page needs no decoding */
  cs_indexer_set_thumbnail_dir (self->indexer,
                                cs_thumbnailer_get_cache_dir (cs_thumbnailer_get_default ()));
  self->library = cs_library_new (g_getenv ("CLIPSIGHT_DATABASE"), self->model_dir);
  /* registered on the bus (dbus_register) before startup, without one */
  if (self->search_provider != NULL)
    cs_search_provider_set_library (self->search_provider, self->library);
  g_signal_connect_object (self->indexer, "batch-committed", G_CALLBACK (on_indexer_batch_cb), self, 0);
  g_signal_connect_object (self->indexer, "finished", G_CALLBACK (on_indexer_batch_cb), self, 0);
  g_signal_connect_object (self->indexer, "failed", G_CALLBACK (on_indexer_failed_cb), self, 0);
  /* the folders (the store's) early, for the window's first view; a tiny
   * read on a worker thread */
  migrate_folder_settings (self);
  cs_indexer_load_folders_async (self->indexer, self->cancellable, on_folders_loaded_cb, g_object_ref (self));

  self->power_policy = cs_power_policy_new (self->settings);
  g_signal_connect_object (self->power_policy, "notify::hold", G_CALLBACK (on_policy_hold_cb), self, 0);
  update_paused (self);
  g_signal_connect_object (self->settings, "changed::watch-folders", G_CALLBACK (on_watch_changed_cb), self, 0);

  model_target = cs_model_manager_dup_default_dir ();
  url = g_settings_get_string (self->settings, "model-url");
  self->model_manager = cs_model_manager_new (model_target, url);
  g_settings_bind (self->settings, "model-url", self->model_manager, "base-url", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->model_manager, "notify::state", G_CALLBACK (on_model_downloaded_cb), self, 0);
  cs_model_manager_refresh (self->model_manager);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);

  /* Loading the library and the model, and the first indexing run, go on
   * worker threads, but they would compete for the CPU with the window's
   * first frame: they start once it is drawn, or after a moment when no
   * window shows (D-Bus activation for the search provider). */
  self->background_id = g_timeout_add (BACKGROUND_DELAY_MS, start_background_cb, self);
}

/* CLIPSIGHT_BENCH_STARTUP=1 (tests/app/bench-startup.c): print when the
 * first frame is painted and when the library is searchable, then quit. */
static void
bench_maybe_quit (CsApplication *self)
{
  if (!cs_library_get_loaded (self->library))
    return;
  g_print ("library-loaded %u\n", cs_library_get_n_photos (self->library));
  fflush (stdout);
  g_application_quit (G_APPLICATION (self));
}

static void
on_bench_loaded_cb (CsLibrary     *library,
                    GParamSpec    *pspec,
                    CsApplication *self)
{
  bench_maybe_quit (self);
}

static void
on_bench_after_paint_cb (GdkFrameClock *clock,
                         CsApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_bench_after_paint_cb, self);
  g_print ("first-frame\n");
  fflush (stdout);
  g_signal_connect_object (self->library, "notify::loaded", G_CALLBACK (on_bench_loaded_cb), self, 0);
  bench_maybe_quit (self);
}

static gboolean
bench_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_bench_after_paint_cb), user_data, 0);
  return G_SOURCE_REMOVE;
}

static void
cs_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (cs_window_new (CS_APPLICATION (app)));
      if (!CS_APPLICATION (app)->background_started)
        gtk_widget_add_tick_callback (GTK_WIDGET (window), first_tick_cb, app, NULL);
      if (g_getenv ("CLIPSIGHT_BENCH_STARTUP") != NULL)
        gtk_widget_add_tick_callback (GTK_WIDGET (window), bench_tick_cb, app, NULL);
    }
  gtk_window_present (window);
}

static void
cs_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CsApplication *self = CS_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      if (path == NULL)
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        cs_application_add_folder (self, path);
      else
        g_message ("%s is not a folder: Clipsight adds folders of photos", path);
    }
  g_application_activate (app);
}

static gboolean
cs_application_dbus_register (GApplication     *app,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  CsApplication *self = CS_APPLICATION (app);

  if (!G_APPLICATION_CLASS (cs_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;
  if (self->search_provider == NULL)
    self->search_provider = cs_search_provider_new (self->library);
  return cs_search_provider_register (self->search_provider, app, connection, object_path, error);
}

static void
cs_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  CsApplication *self = CS_APPLICATION (app);

  if (self->search_provider != NULL)
    cs_search_provider_unregister (self->search_provider);
  G_APPLICATION_CLASS (cs_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
cs_application_shutdown (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);

  g_clear_handle_id (&self->background_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->model_manager != NULL)
    cs_model_manager_cancel (self->model_manager);
  cs_thumbnailer_clear_default ();
  if (cs_stall_monitor_is_installed ())
    {
      g_message ("longest main-loop iteration: %.1f ms; longest on the CPU outside drawing frames: %.1f ms "
                 "(%u over the threshold)", cs_stall_monitor_get_max_ms (),
                 cs_stall_monitor_get_max_busy_ms (), cs_stall_monitor_get_n_stalls ());
      cs_stall_monitor_uninstall ();
    }
  G_APPLICATION_CLASS (cs_application_parent_class)->shutdown (app);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cs_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CsApplication *self = CS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_MODEL_DIR: g_value_set_string (value, self->model_dir); break;
    case PROP_USER_PAUSED: g_value_set_boolean (value, self->user_paused); break;
    case PROP_POLICY_PAUSED: g_value_set_boolean (value, cs_application_get_policy_paused (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CsApplication *self = CS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_MODEL_DIR: cs_application_set_model_dir (self, g_value_get_string (value)); break;
    case PROP_USER_PAUSED: cs_application_set_user_paused (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_application_dispose (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  cs_cancel_and_clear (&self->cancellable);
  g_clear_object (&self->power_policy);
  g_clear_object (&self->search_provider);
  g_clear_object (&self->model_manager);
  g_clear_object (&self->library);
  g_clear_object (&self->indexer);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cs_application_parent_class)->dispose (object);
}

static void
cs_application_finalize (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_clear_pointer (&self->model_dir, g_free);
  G_OBJECT_CLASS (cs_application_parent_class)->finalize (object);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = cs_application_get_property;
  object_class->set_property = cs_application_set_property;
  object_class->dispose = cs_application_dispose;
  object_class->finalize = cs_application_finalize;

  app_class->startup = cs_application_startup;
  app_class->activate = cs_application_activate;
  app_class->open = cs_application_open;
  app_class->dbus_register = cs_application_dbus_register;
  app_class->dbus_unregister = cs_application_dbus_unregister;
  app_class->shutdown = cs_application_shutdown;

  properties[PROP_MODEL_DIR] =
    g_param_spec_string ("model-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_PAUSED] =
    g_param_spec_boolean ("user-paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLICY_PAUSED] =
    g_param_spec_boolean ("policy-paused", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A run of the indexer finished (every failure the library holds:
   * cs_index_failures_read_async ()). */
  signals[SIGNAL_INDEX_FINISHED] =
    g_signal_new ("index-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* A run could not be done: the message, for people. */
  signals[SIGNAL_INDEX_FAILED] =
    g_signal_new ("index-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cs_application_init (CsApplication *self)
{
  /* `clipsight --help`: what the app is, and that folders may be given */
  /* TRANSLATORS: the arguments `clipsight --help` shows after the command */
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FOLDER…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Find your photos by describing them. Folders given are "
                                              "added to the library, in the running window if there is one."));
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/clipsight/Clipsight",
                       NULL);
}

GSettings *
cs_application_get_settings (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->settings;
}

CsIndexer *
cs_application_get_indexer (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->indexer;
}

CsModelManager *
cs_application_get_model_manager (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->model_manager;
}

CsLibrary *
cs_application_get_library (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->library;
}

CsPowerPolicy *
cs_application_get_power_policy (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->power_policy;
}

const char *
cs_application_get_model_dir (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);
  return self->model_dir;
}

void
cs_application_set_model_dir (CsApplication *self,
                              const char    *model_dir)
{
  g_autofree char *fallback = cs_model_manager_dup_default_dir ();
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_APPLICATION (self));
  if (model_dir != NULL && *model_dir != '\0')
    canon = g_canonicalize_filename (model_dir, NULL);
  model_dir = canon;
  if (g_strcmp0 (self->model_dir, model_dir) == 0)
    return;
  g_free (self->model_dir);
  self->model_dir = g_strdup (model_dir);
  /* the downloaded model is found without a setting */
  g_settings_set_string (self->settings, "model-dir",
                         model_dir != NULL && g_strcmp0 (model_dir, fallback) != 0 ? model_dir : "");
  cs_indexer_set_model_dir (self->indexer, model_dir);
  cs_library_set_model_dir (self->library, model_dir);
  if (self->background_started)
    cs_library_load_async (self->library, self->cancellable, on_library_loaded_cb, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_DIR]);
  cs_application_rescan (self);
}

void
cs_application_add_folder (CsApplication *self,
                           const char    *path)
{
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_APPLICATION (self));
  g_return_if_fail (path != NULL);

  canon = canonical_folder (path);
  forget_legacy_folder (self, "excluded-folders", canon);
  cs_indexer_add_folder (self->indexer, canon);
  cs_application_rescan (self);
}

void
cs_application_remove_folder (CsApplication *self,
                              const char    *path)
{
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_APPLICATION (self));
  canon = canonical_folder (path);
  forget_legacy_folder (self, "folders", canon);
  forget_legacy_folder (self, "excluded-folders", canon);
  cs_indexer_remove_folder (self->indexer, canon);
  cs_application_rescan (self);
}

void
cs_application_exclude_folder (CsApplication *self,
                               const char    *path)
{
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_APPLICATION (self));
  canon = canonical_folder (path);
  forget_legacy_folder (self, "folders", canon);
  cs_indexer_exclude_folder (self->indexer, canon);
  cs_application_rescan (self);
}

void
cs_application_rescan (CsApplication *self)
{
  g_return_if_fail (CS_IS_APPLICATION (self));
  if (self->model_dir == NULL || cs_indexer_get_folders (self->indexer, FALSE)[0] == NULL
      || !self->background_started)
    return;
  cs_indexer_rescan_async (self->indexer, self->cancellable, on_rescan_done_cb, g_object_ref (self));
  cs_indexer_set_watching (self->indexer, g_settings_get_boolean (self->settings, "watch-folders"));
}

gboolean
cs_application_get_policy_paused (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), FALSE);
  return self->power_policy != NULL && cs_power_policy_get_hold (self->power_policy);
}

gboolean
cs_application_get_user_paused (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), FALSE);
  return self->user_paused;
}

void
cs_application_set_user_paused (CsApplication *self,
                                gboolean       paused)
{
  g_return_if_fail (CS_IS_APPLICATION (self));
  paused = !!paused;
  if (self->user_paused == paused)
    return;
  self->user_paused = paused;
  update_paused (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_PAUSED]);
}
