/* cs-compat.h - what depends on the GTK version, in one place.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12 has GTK 4.8; newer GTK has better ways to do some things.
 * The rest of the app calls these and never tests the version itself.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows `file` in the file manager, selected (or at least its folder
 * opened), on behalf of `parent` (may be NULL).  GTK >= 4.10: its
 * GtkFileLauncher (which goes through the desktop portal where there is
 * one); before: the file manager's org.freedesktop.FileManager1.ShowItems
 * on the session bus, then the folder opened with the application for
 * folders (GIO goes through the OpenURI portal in a sandbox).  The finish
 * returns FALSE with an error saying why (for people) when every way
 * failed. */
void     cs_compat_show_in_folder_async  (GtkWindow           *parent,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean cs_compat_show_in_folder_finish (GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
