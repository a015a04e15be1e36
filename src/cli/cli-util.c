/* cli-util.c - output and error helpers shared by the commands.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli-util.h"

void
fail_message (const char *message)
{
  /* one line: newlines in a message would break the contract */
  g_autofree char *line = g_strdup (message);
  for (char *p = line; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  fprintf (stderr, "clipsight-cli: %s\n", line);
}

int
fail_clip (clip_status status,
           char       *message)
{
  fail_message (message != NULL ? message : clip_status_to_string (status));
  clip_free (message);
  return EXIT_FAILURE;
}

int
fail_error (GError *error)
{
  fail_message (error->message);
  g_error_free (error);
  return EXIT_FAILURE;
}

/* Appends `s` as a JSON string literal. */
void
json_append_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

void
json_append_floats (GString     *out,
                    const float *v,
                    int          n)
{
  g_string_append_c (out, '[');
  for (int i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      if (i > 0)
        g_string_append (out, ", ");
      /* 9 significant digits round-trip a float32 */
      g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", v[i]));
    }
  g_string_append_c (out, ']');
}

const char *
model_dir_or_env (const char *opt)
{
  if (opt != NULL)
    return opt;
  return g_getenv ("CLIPSIGHT_MODEL");
}

gboolean
parse_options (GOptionContext *octx,
               int            *argc,
               char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (octx, argc, argv, &error))
    {
      fail_message (error->message);
      return FALSE;
    }
  return TRUE;
}


gboolean
cli_parse_backend (const char   *name,
                   clip_backend *out)
{
  if (name == NULL || g_str_equal (name, "native"))
    *out = CLIP_BACKEND_NATIVE;
  else if (g_str_equal (name, "blas"))
    *out = CLIP_BACKEND_BLAS;
  else if (g_str_equal (name, "ref"))
    *out = CLIP_BACKEND_REF;
  else
    return FALSE;
  return TRUE;
}

gboolean
cli_parse_precision (const char     *command,
                     const char     *name,
                     clip_precision *out)
{
  g_autofree char *m = NULL;

  if (clip_precision_parse (name, out))
    return TRUE;
  m = g_strdup_printf ("%s: unknown precision '%s' (f32, f16, bf16 or int8)", command, name);
  fail_message (m);
  return FALSE;
}
