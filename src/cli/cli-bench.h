/* cli-bench.h - what cli-bench.c uses of cli-bench-photos.c.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* --make-photos: at most this many. */
#define MADE_MAX 10000

/* Writes n generated 12-megapixel JPEGs, bench-NNNNN.jpg, into folder
 * (created if needed); a progress line on stderr when verbose. */
gboolean   make_photos        (const char *folder,
                               int         n,
                               gboolean    verbose,
                               GError    **error);
/* The photos of `folder` (not of its subfolders), sorted; raw camera
 * files are left out (their previews take another path). */
GPtrArray *list_photos        (const char *folder,
                               GError    **error);
/* Removes the files of a temporary folder of ours, then the folder. */
void       remove_temp_folder (const char *folder);
