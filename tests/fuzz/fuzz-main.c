/* fuzz-main.c - runs a fuzz target once over files, without libFuzzer.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-NAME FILE-OR-DIRECTORY...  Every regular file named (and
 * every one directly inside a named directory) is passed to
 * LLVMFuzzerTestOneInput() once.  The default build's `meson test` runs
 * each target so over its committed corpus: a regression seed that
 * crashes, or trips a sanitizer in the ASan build, fails the suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-util.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  /* g_ptr_array_sort passes pointers to the elements */
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
run_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 0;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  return 1;
}

int
main (int    argc,
      char **argv)
{
  int n = 0, missing = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          g_ptr_array_sort (names, compare_paths);
          for (guint j = 0; j < names->len; j++)
            if (g_file_test (names->pdata[j], G_FILE_TEST_IS_REGULAR))
              n += run_file (names->pdata[j]);
        }
      else if (g_file_test (argv[i], G_FILE_TEST_IS_REGULAR))
        n += run_file (argv[i]);
      else
        {
          fprintf (stderr, "%s: no such file or directory\n", argv[i]);
          missing++;
        }
    }
  printf ("%s: %d inputs ran\n", argv[0], n);
  return missing > 0 || n == 0 ? 1 : 0;
}
