/* clip-common.c - status strings, error messages, small vector helpers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <sys/stat.h>

#include <glib.h>

#include "clip-private.h"

const char *
clip_status_to_string (clip_status status)
{
  switch (status)
    {
    case CLIP_STATUS_OK: return "success";
    case CLIP_STATUS_IO: return "cannot read file";
    case CLIP_STATUS_FORMAT: return "malformed file";
    case CLIP_STATUS_MISMATCH: return "files disagree";
    case CLIP_STATUS_UNSUPPORTED: return "not supported";
    case CLIP_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case CLIP_STATUS_NO_MEMORY: return "out of memory";
    case CLIP_STATUS_ABORTED: return "aborted";
    case CLIP_STATUS_NOT_FINITE: return "result not a finite number";
    default: return "unknown status";
    }
}

void
clip_free (void *p)
{
  g_free (p);
}

clip_status
clip_set_error (char      **error,
                clip_status status,
                const char *format,
                ...)
{
  if (error != NULL)
    {
      va_list args;

      va_start (args, format);
      g_free (*error);
      *error = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return status;
}

void
clip_normalize (float *v,
                int    dim)
{
  double sum = 0.0;

  for (int i = 0; i < dim; i++)
    sum += (double) v[i] * v[i];
  if (sum <= 0.0)
    return;
  float inv = (float) (1.0 / sqrt (sum));
  for (int i = 0; i < dim; i++)
    v[i] *= inv;
}

clip_status
clip_read_file_bounded (const char  *path,
                        size_t       max_bytes,
                        const char  *what,
                        char       **data_out,
                        size_t      *len_out,
                        char       **error)
{
  g_autoptr (GString) data = NULL;
  FILE *f = fopen (path, "rb");
  char buf[65536];
  size_t got;
  struct stat st;

  if (f == NULL)
    {
      int saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: cannot open: %s",
                             path, g_strerror (saved));
    }
  if (fstat (fileno (f), &st) == 0 && S_ISREG (st.st_mode)
      && (guint64) st.st_size > max_bytes)
    {
      fclose (f);
      return clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s: the file is %" G_GUINT64_FORMAT " bytes, more than the %u MiB "
                             "%s may have", path, (guint64) st.st_size,
                             (unsigned) (max_bytes >> 20), what);
    }
  data = g_string_new (NULL);
  while ((got = fread (buf, 1, sizeof buf, f)) > 0)
    {
      if (data->len + got > max_bytes)
        {
          fclose (f);
          return clip_set_error (error, CLIP_STATUS_FORMAT,
                                 "%s: the file is more than the %u MiB %s may have",
                                 path, (unsigned) (max_bytes >> 20), what);
        }
      g_string_append_len (data, buf, (gssize) got);
    }
  if (ferror (f))
    {
      int saved = errno;
      fclose (f);
      return clip_set_error (error, CLIP_STATUS_IO, "%s: cannot read: %s",
                             path, g_strerror (saved));
    }
  fclose (f);
  *len_out = data->len;
  *data_out = g_string_free (g_steal_pointer (&data), FALSE);
  return CLIP_STATUS_OK;
}
