/* cs-compat-grid.c - the grid's "Open With…" on GTK 4.8 and later.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compat"

/* As in cs-compat.c: newer API only behind GTK_CHECK_VERSION. */
#undef GDK_VERSION_MAX_ALLOWED

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compat-grid.h"

static GtkWidget *last_dialog;

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_launched_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (gtk_file_launcher_launch_finish (GTK_FILE_LAUNCHER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}
#endif

/* GtkAppChooserDialog is deprecated from GTK 4.10 (for the portal) but
 * is what a desktop without one has. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
on_chooser_response_cb (GtkDialog *dialog,
                        int        response,
                        gpointer   user_data)
{
  g_autoptr(GTask) task = user_data;
  GFile *file = g_task_get_task_data (task);
  GError *error = NULL;

  if (response == GTK_RESPONSE_OK)
    {
      g_autoptr(GAppInfo) info = gtk_app_chooser_get_app_info (GTK_APP_CHOOSER (dialog));
      GList files = { file, NULL, NULL };

      if (info == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "no application chosen");
      else
        g_app_info_launch (info, &files, NULL, &error);
    }
  else
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the chooser was closed");
  if (last_dialog == GTK_WIDGET (dialog))
    last_dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
choose_with_dialog (GtkWindow *parent,
                    GFile     *file,
                    GTask     *task)
{
  GtkWidget *dialog = gtk_app_chooser_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, file);

  gtk_window_set_title (GTK_WINDOW (dialog), _("Open With"));
  last_dialog = dialog;
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response_cb), task);
  gtk_window_present (GTK_WINDOW (dialog));
}

G_GNUC_END_IGNORE_DEPRECATIONS

void
cs_compat_open_with_async (GtkWindow           *parent,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_compat_open_with_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
#if GTK_CHECK_VERSION (4, 10, 0)
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (file);
#if GTK_CHECK_VERSION (4, 12, 0)
      gtk_file_launcher_set_always_ask (launcher, TRUE);
#endif
      gtk_file_launcher_launch (launcher, parent, cancellable, on_launched_cb, task);
      return;
    }
#endif
  choose_with_dialog (parent, file, task);
}

gboolean
cs_compat_open_with_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GtkWidget *
cs_compat_open_with_dialog (void)
{
  return last_dialog;
}
