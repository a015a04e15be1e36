/* test-util.c - helpers shared by the GTest binaries.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

static G_NORETURN void shared_fixture_absent (const char *what);

static gboolean
shared_required (void)
{
  const char *require = g_getenv ("CLIPSIGHT_REQUIRE_SHARED");

  return require != NULL && strcmp (require, "1") == 0;
}

const char *
test_shared_dir (void)
{
  const char *dir = g_getenv ("CLIPSIGHT_SHARED");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (shared_required ())
        shared_fixture_absent ("../shared (CLIPSIGHT_SHARED)");
      return NULL;
    }
  return dir;
}

void
test_skip_all (const char *format,
               ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("1..0 # SKIP %s\n", reason);
  fflush (stdout);
  exit (0);
}

/* A fixture of ../shared is absent: a skip, or under
 * CLIPSIGHT_REQUIRE_SHARED=1 a failure. */
static G_NORETURN void
shared_fixture_absent (const char *what)
{
  if (shared_required ())
    {
      printf ("Bail out! %s is absent, and CLIPSIGHT_REQUIRE_SHARED=1 forbids skipping\n", what);
      fflush (stdout);
      exit (1);
    }
  test_skip_all ("%s is absent", what);
}

char *
test_shared_path_or_skip (const char *relative)
{
  const char *dir = test_shared_dir ();
  char *path;

  if (dir == NULL)
    shared_fixture_absent ("../shared (CLIPSIGHT_SHARED)");
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    shared_fixture_absent (path);
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
