/* fuzz-raw.c - camera RAW files through their embedded preview (cs-raw.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libraw parses the container (TIFF-based DNG seeds with a JPEG preview,
 * and a bitmap one); cs_raw_load_preview() decodes the preview and turns
 * it upright, or names the file and the problem.
 */
#include <stdlib.h>

#include "cs-raw.h"
#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_quiet_warnings ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *path = fuzz_write_file ("photo.dng", data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) preview = cs_raw_load_preview (path, &error);

  fuzz_report ("raw", error != NULL ? error->message : NULL);
  if (preview == NULL)
    {
      if (error == NULL || error->message[0] == '\0')
        abort ();
      return 0;
    }
  if (gdk_pixbuf_get_width (preview) <= 0 || gdk_pixbuf_get_height (preview) <= 0)
    abort ();
  return 0;
}
