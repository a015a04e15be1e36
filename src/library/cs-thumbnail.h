/* cs-thumbnail.h - the thumbnail files the indexer and the app share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One definition of a photo's thumbnail, so that what the indexer writes
 * while it decodes a photo anyway is what the app's grid looks for.  The
 * format is the freedesktop Thumbnail Managing Standard's "large" size: a
 * PNG at most CS_THUMBNAIL_SIZE pixels on its long side (never enlarged),
 * named by the MD5 of the photo's file URI, in `cache_dir`/large, holding
 * tEXt Thumb::URI (the URI) and Thumb::MTime (the photo's modification
 * time in whole seconds, decimal).  It is valid while both still match the
 * photo.  Files are written under a temporary name in the same folder,
 * then renamed, so a reader never sees half a file; only `cache_dir` is
 * ever written, never the photo's folder.  Pixels are upright (EXIF
 * orientation applied, as cs-decode.h decodes).
 *
 * Threads: any; nothing is shared between calls.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "cs-decode.h"

G_BEGIN_DECLS

/* The freedesktop "large" size. */
#define CS_THUMBNAIL_SIZE 256

/* What a thumbnail of the photo at `path` must name: its file URI and its
 * modification time in seconds.  FALSE with `error` set (G_IO_ERROR, the
 * file's name in the message) when the photo cannot be stat()ed or has no
 * URI. */
gboolean   cs_thumbnail_stamp      (const char  *path,
                                    char       **uri,
                                    gint64      *mtime,
                                    GError     **error);

/* The thumbnail file for `uri` in `cache_dir`: cache_dir/large/MD5.png. */
char      *cs_thumbnail_file_for_uri (const char *cache_dir,
                                      const char *uri);

/* The thumbnail file for the photo at `path` (NULL when it has no URI). */
char      *cs_thumbnail_file_for_path (const char *cache_dir,
                                       const char *path);

/* The thumbnail in `file` when it is a readable PNG naming `uri` and
 * `mtime`, else NULL (missing, unreadable or stale: make a new one). */
GdkPixbuf *cs_thumbnail_load_valid (const char  *file,
                                    const char  *uri,
                                    gint64       mtime);

/* Whether the decoded image holds enough pixels for a thumbnail as good
 * as a full decode's: it is the full size, or reduced but still at least
 * CS_THUMBNAIL_SIZE on its long side (the thumbnail's), so that making
 * the thumbnail only shrinks it. */
gboolean   cs_thumbnail_can_make_from (const CsDecodedImage *image);

/* The thumbnail of an upright decoded image: shrunk (bilinear, which in
 * GdkPixbuf averages the source under each pixel) so that its long side
 * is CS_THUMBNAIL_SIZE, or a copy when it is no larger.  Copies the
 * pixels: `image` stays the caller's. */
GdkPixbuf *cs_thumbnail_make_from_image (const CsDecodedImage *image);

/* Decodes the photo at `path` (reduced where the format allows) and makes
 * its thumbnail; NULL with the decoding error. */
GdkPixbuf *cs_thumbnail_make        (const char  *path,
                                     GError     **error);

/* Writes `thumbnail` as the thumbnail of `uri` at `mtime` in `cache_dir`
 * (creating cache_dir/large, mode 0700), atomically. */
gboolean   cs_thumbnail_save        (GdkPixbuf   *thumbnail,
                                     const char  *cache_dir,
                                     const char  *uri,
                                     gint64       mtime,
                                     GError     **error);

G_END_DECLS
