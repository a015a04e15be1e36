/* clip-common.c - status strings, error messages, small vector helpers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>

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
