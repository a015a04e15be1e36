/* provider-host.c - a small application that exports CsSearchProvider.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider exactly as the app uses it (made for the library with
 * cs_search_provider_new () and registered from GApplication's
 * dbus_register on the app's own connection), without GTK, so that its
 * D-Bus face can be tested with gdbus on a private bus.
 *
 *   provider-host [--hold-library] APP_ID
 *                           with CLIPSIGHT_DATABASE and CLIPSIGHT_MODEL
 *
 * The app.show-photo and app.search actions print "show-photo URI" and
 * "search TEXT" on standard output; "loaded N" is printed once the library
 * is loaded.  With --hold-library the library starts loading only when the
 * app.load-library action is activated (over D-Bus: org.gtk.Actions), so
 * that a test can queue calls that wait for it.  SIGTERM or SIGINT quits.
 */

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>

#include "cs-library.h"
#include "cs-search-provider.h"

#define HOST_TYPE_APPLICATION (host_application_get_type ())
G_DECLARE_FINAL_TYPE (HostApplication, host_application, HOST, APPLICATION, GApplication)

struct _HostApplication
{
  GApplication      parent_instance;

  CsLibrary        *library;
  CsSearchProvider *provider;
  gboolean          hold_library;
};

G_DEFINE_FINAL_TYPE (HostApplication, host_application, G_TYPE_APPLICATION)

static void
on_action_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  printf ("%s %s\n", g_action_get_name (G_ACTION (action)), g_variant_get_string (parameter, NULL));
  fflush (stdout);
}

static void
on_library_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_library_load_finish (CS_LIBRARY (source), result, &error))
    g_printerr ("provider-host: %s\n", error->message);
  printf ("loaded %u\n", cs_library_get_n_photos (CS_LIBRARY (source)));
  fflush (stdout);
}

static void
on_load_library_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HostApplication *self = HOST_APPLICATION (user_data);

  if (!self->hold_library)
    return;
  self->hold_library = FALSE;
  cs_library_load_async (self->library, NULL, on_library_loaded_cb, NULL);
}

static gboolean
on_quit_signal_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));

  return G_SOURCE_REMOVE;
}

static gboolean
host_application_dbus_register (GApplication     *application,
                                GDBusConnection  *connection,
                                const char       *object_path,
                                GError          **error)
{
  if (!G_APPLICATION_CLASS (host_application_parent_class)->dbus_register (application, connection,
                                                                          object_path, error))
    return FALSE;

  return cs_search_provider_register (HOST_APPLICATION (application)->provider, application, connection,
                                      object_path, error);
}

static void
host_application_dbus_unregister (GApplication    *application,
                                  GDBusConnection *connection,
                                  const char      *object_path)
{
  cs_search_provider_unregister (HOST_APPLICATION (application)->provider);

  G_APPLICATION_CLASS (host_application_parent_class)->dbus_unregister (application, connection,
                                                                       object_path);
}

static void
host_application_startup (GApplication *application)
{
  HostApplication *self = HOST_APPLICATION (application);
  static const GActionEntry actions[] = {
    { .name = "show-photo", .activate = on_action_cb, .parameter_type = "s" },
    { .name = "search", .activate = on_action_cb, .parameter_type = "s" },
    { .name = "load-library", .activate = on_load_library_cb },
  };

  G_APPLICATION_CLASS (host_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  /* Loaded after the provider is exported, as in the app: the first
   * calls wait for it. */
  if (!self->hold_library)
    cs_library_load_async (self->library, NULL, on_library_loaded_cb, NULL);
  g_unix_signal_add (SIGTERM, on_quit_signal_cb, application);
  g_unix_signal_add (SIGINT, on_quit_signal_cb, application);
  g_application_hold (application);
}

static void
host_application_activate (GApplication *application)
{
}

static void
host_application_dispose (GObject *object)
{
  HostApplication *self = HOST_APPLICATION (object);

  g_clear_object (&self->provider);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (host_application_parent_class)->dispose (object);
}

static void
host_application_class_init (HostApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = host_application_dispose;
  application_class->dbus_register = host_application_dbus_register;
  application_class->dbus_unregister = host_application_dbus_unregister;
  application_class->startup = host_application_startup;
  application_class->activate = host_application_activate;
}

static void
host_application_init (HostApplication *self)
{
  self->library = cs_library_new (g_getenv ("CLIPSIGHT_DATABASE"), g_getenv ("CLIPSIGHT_MODEL"));
  self->provider = cs_search_provider_new (self->library);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GApplication) application = NULL;
  gboolean hold_library = argc == 3 && g_strcmp0 (argv[1], "--hold-library") == 0;
  const char *app_id = argv[argc - 1];

  if (argc != 2 + hold_library || !g_application_id_is_valid (app_id))
    {
      g_printerr ("usage: provider-host [--hold-library] APP_ID\n");
      return 2;
    }

  application = g_object_new (HOST_TYPE_APPLICATION,
                              "application-id", app_id,
                              "flags", G_APPLICATION_DEFAULT_FLAGS,
                              NULL);
  HOST_APPLICATION (application)->hold_library = hold_library;
  return g_application_run (application, 1, argv);
}
