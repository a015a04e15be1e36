/* fuzz-util.c - what the libFuzzer targets in tests/fuzz share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz-util.h"

#define MAX_FILES 8

static char *scratch;
static struct {
  char *name;
  char *path;
  int   fd;
} files[MAX_FILES];

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
      g_free (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static void
remove_scratch (void)
{
  for (int i = 0; i < MAX_FILES && files[i].name != NULL; i++)
    close (files[i].fd);
  if (scratch != NULL)
    remove_tree (scratch);
}

const char *
fuzz_scratch_dir (void)
{
  if (scratch == NULL)
    {
      /* $TMPDIR when set (run-fuzzers.sh points it into its own work
       * directory, removed even when a crash skips atexit), else memory */
      const char *base = g_getenv ("TMPDIR") != NULL || !g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)
                         ? g_get_tmp_dir () : "/dev/shm";
      char *tmpl = g_build_filename (base, "clipsight-fuzz-XXXXXX", NULL);

      if (g_mkdtemp (tmpl) == NULL)
        {
          fprintf (stderr, "fuzz: cannot make %s: %s\n", tmpl, g_strerror (errno));
          abort ();
        }
      scratch = tmpl;
      atexit (remove_scratch);
    }
  return scratch;
}

const char *
fuzz_write_file (const char    *name,
                 const uint8_t *data,
                 size_t         size)
{
  int i;

  for (i = 0; i < MAX_FILES && files[i].name != NULL; i++)
    if (strcmp (files[i].name, name) == 0)
      break;
  if (i == MAX_FILES)
    abort ();
  if (files[i].name == NULL)
    {
      files[i].path = g_build_filename (fuzz_scratch_dir (), name, NULL);
      files[i].fd = open (files[i].path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (files[i].fd < 0)
        {
          fprintf (stderr, "fuzz: cannot create %s: %s\n", files[i].path, g_strerror (errno));
          abort ();
        }
      files[i].name = g_strdup (name);
    }
  if (ftruncate (files[i].fd, 0) != 0)
    abort ();
  for (size_t done = 0; done < size;)
    {
      ssize_t n = pwrite (files[i].fd, data + done, size - done, (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        abort ();
      done += (size_t) n;
    }
  return files[i].path;
}

static GLogWriterOutput
quiet_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

void
fuzz_quiet_warnings (void)
{
  g_log_set_writer_func (quiet_writer, NULL, NULL);
}

void
fuzz_report (const char *what,
             const char *error)
{
  static int verbose = -1;

  if (verbose < 0)
    verbose = g_getenv ("FUZZ_VERBOSE") != NULL;
  if (verbose)
    fprintf (stderr, "  %s: %s\n", what, error != NULL ? error : "ok");
}
