/* provider-client.c - several callers of the search provider at once.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   provider-client BUS_NAME OBJECT_PATH CALLER:TEXT...
 *
 * Each CALLER (any word) is a connection of its own to the session bus, so
 * a caller of its own for the provider (its own unique name, as two Shells
 * would be); `gdbus call` cannot do this, since it makes one call per
 * connection.  Sends GetInitialResultSet (TEXT split at spaces) for every
 * argument, in order and without waiting for the answers.  Then, on each
 * connection, a GetResultMetas that the provider answers at once: once it
 * is answered, the provider has taken every search sent before it on that
 * connection (a bus keeps each connection's messages in order, and GDBus
 * hands them to the provider in order).  Prints "sent", then waits for
 * every answer and prints one line per argument, in the order given:
 *
 *   CALLER:TEXT N ID...
 *
 * Exits 1 when a call fails, 2 on a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#define IFACE "org.gnome.Shell.SearchProvider2"
#define TIMEOUT_MS 120000

typedef struct {
  char      *caller;
  char      *text;
  GVariant  *reply;
  GError    *error;
} Call;

static guint n_pending;

static void
on_reply_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  n_pending--;
}

static void
call_free (Call *call)
{
  g_free (call->caller);
  g_free (call->text);
  g_clear_pointer (&call->reply, g_variant_unref);
  g_clear_error (&call->error);
  g_free (call);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) connections = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *address = NULL;
  const char *dest, *path;
  GHashTableIter iter;
  gpointer value;
  int status = 0;

  if (argc < 4 || !g_dbus_is_name (argv[1]) || !g_variant_is_object_path (argv[2]))
    {
      g_printerr ("usage: provider-client BUS_NAME OBJECT_PATH CALLER:TEXT...\n");
      return 2;
    }
  dest = argv[1];
  path = argv[2];

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address == NULL)
    {
      g_printerr ("provider-client: %s\n", error->message);
      return 1;
    }

  connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  for (int i = 3; i < argc; i++)
    {
      const char *colon = strchr (argv[i], ':');
      g_auto(GStrv) terms = NULL;
      GDBusConnection *connection;
      Call *call;

      if (colon == NULL || colon == argv[i])
        {
          g_printerr ("provider-client: %s is not CALLER:TEXT\n", argv[i]);
          return 2;
        }
      call = g_new0 (Call, 1);
      call->caller = g_strndup (argv[i], colon - argv[i]);
      call->text = g_strdup (colon + 1);
      g_ptr_array_add (calls, call);

      connection = g_hash_table_lookup (connections, call->caller);
      if (connection == NULL)
        {
          connection = g_dbus_connection_new_for_address_sync (
            address,
            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
            NULL, NULL, &error);
          if (connection == NULL)
            {
              g_printerr ("provider-client: %s\n", error->message);
              return 1;
            }
          g_hash_table_insert (connections, g_strdup (call->caller), connection);
        }

      terms = g_strsplit (call->text, " ", -1);
      n_pending++;
      g_dbus_connection_call (connection, dest, path, IFACE, "GetInitialResultSet",
                              g_variant_new ("(^as)", terms), G_VARIANT_TYPE ("(as)"),
                              G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, on_reply_cb, call);
    }

  /* The barrier: the searches sent before it have reached the provider. */
  g_hash_table_iter_init (&iter, connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      static const char * const none[] = { "barrier", NULL };
      g_autoptr(GVariant) metas = NULL;

      metas = g_dbus_connection_call_sync (value, dest, path, IFACE, "GetResultMetas",
                                           g_variant_new ("(^as)", none), G_VARIANT_TYPE ("(aa{sv})"),
                                           G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
      if (metas == NULL)
        {
          g_printerr ("provider-client: GetResultMetas: %s\n", error->message);
          return 1;
        }
    }
  printf ("sent\n");
  fflush (stdout);

  while (n_pending > 0)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < calls->len; i++)
    {
      Call *call = g_ptr_array_index (calls, i);
      g_autofree const char **ids = NULL;

      if (call->reply == NULL)
        {
          g_printerr ("provider-client: %s:%s: %s\n", call->caller, call->text, call->error->message);
          status = 1;
          continue;
        }
      g_variant_get (call->reply, "(^a&s)", &ids);
      printf ("%s:%s %u", call->caller, call->text, g_strv_length ((char **) ids));
      for (guint k = 0; ids[k] != NULL; k++)
        printf (" %s", ids[k]);
      printf ("\n");
    }

  return status;
}
