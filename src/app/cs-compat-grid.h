/* cs-compat-grid.h - the grid's "Open With…" on GTK 4.8 and later.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Beside cs-compat.h (another part of the window owns it): the one
 * version check of the photo grid's actions.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lets the person choose an application for `file` and opens it there.
 * In a Flatpak sandbox (GTK 4.10 and later) the OpenURI portal asks
 * (GtkFileLauncher, always asking from 4.12); elsewhere a
 * GtkAppChooserDialog does, as no portal may run outside a sandbox.
 * Finishes with FALSE and `error` when the launch failed, with
 * G_IO_ERROR_CANCELLED when the person closed the chooser. */
void     cs_compat_open_with_async  (GtkWindow           *parent,
                                     GFile               *file,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean cs_compat_open_with_finish (GAsyncResult        *result,
                                     GError             **error);

/* The chooser shown by the last call, when it is a GtkAppChooserDialog
 * (for tests), or NULL. */
GtkWidget *cs_compat_open_with_dialog (void);

G_END_DECLS
