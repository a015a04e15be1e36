/* test-util.c - helpers shared by the GTest binaries.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

const char *
test_shared_dir (void)
{
  const char *dir = g_getenv ("CLIPSIGHT_SHARED");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return dir;
}

char *
test_shared_path_or_skip (const char *relative)
{
  const char *dir = test_shared_dir ();
  char *path;

  if (dir == NULL)
    {
      printf ("1..0 # SKIP ../shared is absent (set CLIPSIGHT_SHARED)\n");
      exit (TEST_EXIT_SKIP);
    }
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      printf ("1..0 # SKIP %s is absent\n", path);
      exit (TEST_EXIT_SKIP);
    }
  return path;
}

double
test_cosine (const float *a,
             const float *b,
             size_t       n)
{
  double dot = 0, na = 0, nb = 0;

  for (size_t i = 0; i < n; i++)
    {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
  if (na <= 0 || nb <= 0)
    return 0.0;
  return dot / sqrt (na * nb);
}

float *
test_read_f32 (const char *path,
               size_t     *n_out)
{
  char *data = NULL;
  gsize len = 0;
  GError *error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("%s", error->message);
  g_assert_cmpuint (len % 4, ==, 0);
  *n_out = len / 4;
  return (float *) data;
}

char *
test_make_temp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("clipsight-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (path == NULL)
    return;
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      dir = g_dir_open (path, 0, NULL);
      if (dir != NULL)
        {
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              char *child = g_build_filename (path, name, NULL);
              test_rm_rf (child);
              g_free (child);
            }
          g_dir_close (dir);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}
