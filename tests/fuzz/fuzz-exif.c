/* fuzz-exif.c - the EXIF date reader on arbitrary bytes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the start of a file (JPEG with an APP1 block, or TIFF-based
 * RAW): cs_exif_parse_date_taken() either finds a date or says there is
 * none, reading nothing outside the buffer.
 */
#include <stdlib.h>

#include <glib.h>

#include "cs-exif.h"
#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* EXIF times without a zone are local: one zone for every run */
  g_setenv ("TZ", "UTC", TRUE);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A copy of exactly `size` bytes, so ASan sees any read past the end */
  g_autofree guint8 *copy = g_memdup2 (data, size);
  gint64 t = 0;

  if (cs_exif_parse_date_taken (copy, size, &t))
    {
      g_autofree char *when = g_strdup_printf ("ok, %" G_GINT64_FORMAT, t);

      fuzz_report ("exif", when);
    }
  else
    fuzz_report ("exif", "no date");
  return 0;
}
