/* cs-thumbnailer.h - photo thumbnails, loaded off the main thread.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thumbnails follow the freedesktop Thumbnail Managing Standard ("large",
 * 256 px: PNG named by the MD5 of the file's URI, with Thumb::URI and
 * Thumb::MTime, written under a temporary name then renamed; the format is
 * the library's cs-thumbnail.h, which the indexer writes too) in the app's
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

#include "cs-thumbnail.h"

G_BEGIN_DECLS

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

/* The folder holding large/ (the indexer's "thumbnail-dir"). */
const char    *cs_thumbnailer_get_cache_dir (CsThumbnailer *self);

/* For tests: how many thumbnails the workers made (decoding the photo)
 * and how many they read from a cache, since the thumbnailer was made. */
void           cs_thumbnailer_get_counts_for_testing (CsThumbnailer *self,
                                                      guint         *n_generated,
                                                      guint         *n_from_cache);

G_END_DECLS
