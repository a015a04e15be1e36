/* cs-path.c - where a path lies.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-path.h"

gboolean
cs_path_is_below (const char *path,
                  const char *folder)
{
  size_t n = strlen (folder);

  while (n > 1 && folder[n - 1] == '/')
    n--;
  if (strncmp (path, folder, n) != 0)
    return FALSE;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && folder[0] == '/');
}
