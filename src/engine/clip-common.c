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

/* Case_Ignorable (Unicode DerivedCoreProperties): Mn, Me, Cf, Lm, Sk and
 * the Word_Break classes MidLetter, MidNumLet and Single_Quote. */
static gboolean
is_case_ignorable (gunichar c)
{
  static const gunichar mid[] = {
    0x0027, 0x002e, 0x003a, 0x00b7, 0x0387, 0x055f, 0x05f4, 0x2018, 0x2019,
    0x2024, 0x2027, 0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a,
  };

  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_FORMAT:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_MODIFIER_SYMBOL:
      return TRUE;
    default:
      break;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (mid); i++)
    if (c == mid[i])
      return TRUE;
  return FALSE;
}

/* Cased: Lu, Ll, Lt, plus Other_Lowercase and Other_Uppercase.  Only asked
 * of characters that are not case-ignorable, so the Other_* characters that
 * are Lm or Mn need not be listed. */
static gboolean
is_cased (gunichar c)
{
  static const gunichar ranges[][2] = {
    { 0x00aa, 0x00aa }, { 0x00ba, 0x00ba },     /* ª º */
    { 0x2160, 0x217f },                         /* Roman numerals */
    { 0x24b6, 0x24e9 },                         /* circled letters */
    { 0x1f130, 0x1f149 }, { 0x1f150, 0x1f169 }, { 0x1f170, 0x1f189 },
  };

  switch (g_unichar_type (c))
    {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
      return TRUE;
    default:
      break;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (c >= ranges[i][0] && c <= ranges[i][1])
      return TRUE;
  return FALSE;
}

/* Unicode's Final_Sigma: \p{cased} \p{case-ignorable}* SIGMA
 * !(\p{case-ignorable}* \p{cased}), as Python's str.lower() applies it. */
gboolean
clip_sigma_is_final (const gunichar *s,
                     size_t          n,
                     size_t          i)
{
  size_t j = i;

  while (j > 0 && is_case_ignorable (s[j - 1]))
    j--;
  if (j == 0 || !is_cased (s[j - 1]))
    return FALSE;
  j = i + 1;
  while (j < n && is_case_ignorable (s[j]))
    j++;
  return j == n || !is_cased (s[j]);
}
