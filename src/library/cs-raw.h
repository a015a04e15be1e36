/* cs-raw.h - camera RAW files through the preview the camera embedded.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* TRUE when the file name ends with a RAW extension we read
 * (cr2 cr3 nef nrw arw srf sr2 dng orf rw2 raf pef srw 3fr rwl iiq x3f). */
gboolean   cs_raw_is_raw_name     (const char *path);

/* The largest preview image embedded in a RAW file, upright (the RAW's own
 * orientation applied).  libraw opens the file read-only and does not
 * develop the sensor data: a preview is what a camera shows and is plenty
 * for a 224-pixel model input.  Any thread.  NULL with an error naming the
 * file when there is no usable preview. */
GdkPixbuf *cs_raw_load_preview    (const char *path,
                                   GError    **error);

/* About how many bytes cs_raw_load_preview() will hold for `path`, from
 * the preview's size the file announces (see cs_decode_estimate_bytes());
 * 0 when libraw cannot open it. */
guint64    cs_raw_estimate_bytes  (const char *path);

G_END_DECLS
