/* cs-photo-trash.h - photos moved to the trash, and back.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The grid's "Move to Trash" and its Undo.  Both run in a thread (a
 * trash on a network folder can take seconds) and go file by file: a
 * refused file stops the batch, the files moved before it stay moved
 * and are reported, so Undo brings back exactly those.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Trashes `paths` (filename encoding), in order.  The result: the paths
 * moved (a GPtrArray of char*, maybe fewer than asked) and, when one was
 * refused, `error` says which and why in words for people. */
void       cs_photo_trash_async    (GPtrArray            *paths,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
GPtrArray *cs_photo_trash_finish   (GAsyncResult         *result,
                                    GError              **error);

/* Moves each of `paths` (as trashed) back to where it was: the number
 * restored, or -1 and `error` for the first that could not be. */
void       cs_photo_restore_async  (GPtrArray            *paths,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gssize     cs_photo_restore_finish (GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
