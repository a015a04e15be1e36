/* cs-path.h - where a path lies, for the scanner, the indexer and search.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One rule for "below a folder": the scan of the photo folders (excluded
 * folders), the indexer (which folder a photo belongs to) and the search's
 * folder filter (library/core/cs-path.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when `path` is `folder` or lies below it (a '/' boundary, so
 * /a/bc is not below /a/b; trailing slashes of `folder` ignored; every
 * path is below "/"). */
gboolean cs_path_is_below (const char *path,
                           const char *folder);

G_END_DECLS
