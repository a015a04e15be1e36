/* cs-exif.h - the date a photo was taken, from its EXIF block.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The moment the photo was taken, as Unix seconds, from EXIF
 * DateTimeOriginal (else DateTimeDigitized, else the IFD0 DateTime) in a
 * JPEG's APP1 block or a TIFF-based file (TIFF, DNG, CR2, NEF, ARW, ...).
 * The EXIF time has no zone unless OffsetTimeOriginal says one; without it,
 * it is read as local time, as cameras write it.  Reads at most the first
 * 512 KiB, read-only.  Returns FALSE when the file has no usable date. */
gboolean cs_exif_read_date_taken (const char *path,
                                  gint64     *unix_seconds);

/* The same from a buffer holding the start of a file (tests, or a caller
 * that has read it already). */
gboolean cs_exif_parse_date_taken (const guint8 *data,
                                   gsize         len,
                                   gint64       *unix_seconds);

G_END_DECLS
