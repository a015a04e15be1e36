/* cs-compat.c - what depends on the GTK version, in one place.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compat"

/* The build caps the GTK API at 4.8 (Debian 12) so that nothing newer
 * slips in by accident; this file alone may use newer API, and only
 * behind GTK_CHECK_VERSION. */
#undef GDK_VERSION_MAX_ALLOWED

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compat.h"

/* ------------------------------------------------------------------ */
/* Show in Files                                                        */
/* ------------------------------------------------------------------ */

#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_folder_opened_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (gtk_file_launcher_open_containing_folder_finish (GTK_FILE_LAUNCHER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cs_compat_show_in_folder_async (GtkWindow           *parent,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (file);

  g_task_set_source_tag (task, cs_compat_show_in_folder_async);
  gtk_file_launcher_open_containing_folder (launcher, parent, cancellable, on_folder_opened_cb, task);
}

#else /* GTK < 4.10 */

typedef struct {
  GFile *folder;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_clear_object (&data->folder);
  g_free (data);
}

static void
on_folder_launched_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("no application opens folders: %s", error->message);
  /* both ways failed: say what is missing rather than GIO's last word */
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                           _("no file manager is running and no application opens folders"));
}

static void
launch_folder (GTask *task)
{
  ShowData *data = g_task_get_task_data (task);
  g_autofree char *uri = g_file_get_uri (data->folder);

  g_app_info_launch_default_for_uri_async (uri, NULL, g_task_get_cancellable (task), on_folder_launched_cb,
                                           task);
}

static void
on_show_items_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (ret != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* no file manager on the bus: open the folder instead */
  g_debug ("FileManager1.ShowItems: %s", error->message);
  launch_folder (task);
}

void
cs_compat_show_in_folder_async (GtkWindow           *parent,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  ShowData *data = g_new0 (ShowData, 1);
  g_autofree char *uri = g_file_get_uri (file);
  const char *uris[2] = { uri, NULL };

  g_task_set_source_tag (task, cs_compat_show_in_folder_async);
  data->folder = g_file_get_parent (file);
  if (data->folder == NULL)
    data->folder = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) show_data_free);
  if (bus == NULL)
    {
      launch_folder (task);
      return;
    }
  /* NO_AUTO_START would miss a file manager that D-Bus starts on demand */
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL, G_DBUS_CALL_FLAGS_NONE, 5000,
                          cancellable, on_show_items_cb, task);
}

#endif /* GTK < 4.10 */

gboolean
cs_compat_show_in_folder_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_compat_show_in_folder_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
