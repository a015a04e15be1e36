/* cs-blank.h - the "nearly blank" statistic of a photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/ (core).  Any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pixels count as "nearly blank" when every channel's standard deviation
 * (0-255 scale, over a small decode) is below this. */
#define CS_BLANK_STDDEV 6.0

/* TRUE when the image at `path` is nearly one colour (or cannot be read:
 * then only exact copies may group it). */
gboolean    cs_blank_is_blank  (const char     *path);

/* The statistic the duplicate search computes for a photo the indexer
 * gave none (a decode of at least 32 pixels); -1 when the file cannot be
 * read. */
double      cs_blank_file_stddev (const char   *path);

/* The nearly blank test's statistic of an 8-bit image (1 to 4 bytes per
 * pixel, colour first): the image is reduced to a fixed 32 x 32 grid of
 * cell means first (so that the value hardly depends on the decode's
 * size), then the largest standard deviation of the cells' colour
 * channels (0-255 scale; alpha ignored).  Nearly blank: below
 * CS_BLANK_STDDEV.  Both the indexer (from its decode) and the
 * duplicate search (from a small decode) compute it here. */
double      cs_blank_pixel_stddev (const guint8 *pixels,
                                   int           width,
                                   int           height,
                                   int           stride,
                                   int           bytes_per_pixel);

G_END_DECLS
