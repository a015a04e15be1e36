/* cs-thumbnailer.h - photo thumbnails, loaded off the main thread.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thumbnails follow the freedesktop Thumbnail Managing Standard ("large",
 * 256 px: PNG named by the MD5 of the file's URI, with Thumb::URI and
 * Thumb::MTime, written under a temporary name then renamed) in the app's
 * own cache, $XDG_CACHE_HOME/clipsight/thumbnails, since the desktop prunes
 * the shared one and a sandbox may not reach it.  A valid thumbnail in the
 * shared $XDG_CACHE_HOME/thumbnails is used when readable.
 *
 * Loads run on a pool of two threads, newest request first (the cells the
 * user is looking at now), and a cancelled request is dropped before any
 * work.  Recent textures are kept in memory.  Home thread: the main one.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_THUMBNAIL_SIZE 256

#define CS_TYPE_THUMBNAILER (cs_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (CsThumbnailer, cs_thumbnailer, CS, THUMBNAILER, GObject)

CsThumbnailer *cs_thumbnailer_new          (const char          *cache_dir);
/* The application's thumbnailer (made on first use, in the user's cache
 * directory), and its release at shutdown. */
CsThumbnailer *cs_thumbnailer_get_default  (void);
void           cs_thumbnailer_clear_default (void);

/* The texture in memory for `path`, if any (borrowed), without I/O. */
GdkTexture    *cs_thumbnailer_lookup       (CsThumbnailer       *self,
                                            const char          *path);
void           cs_thumbnailer_load_async   (CsThumbnailer       *self,
                                            const char          *path,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* A new reference to the thumbnail, or NULL with an error (G_IO_ERROR_CANCELLED
 * when cancelled; the decoding error when the photo cannot be read). */
GdkTexture    *cs_thumbnailer_load_finish  (CsThumbnailer       *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* The path of the thumbnail file in `cache_dir` for `path`'s URI (g_free). */
char          *cs_thumbnailer_dup_thumbnail_path (CsThumbnailer *self,
                                                  const char    *path);

G_END_DECLS
