/* cli-util.c - output and error helpers shared by the commands.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"

char *
cli_printable (const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s != NULL ? s : "", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c >= 0x80 && c < 0xa0)
        /* C1 controls: U+009B is a terminal's CSI, as ESC [ is */
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

char *
cli_display_path (const char *path)
{
  g_autofree char *shown = g_filename_display_name (path);

  return cli_printable (shown);
}

void
fail_message (const char *message)
{
  /* one line: newlines in a message would break the contract (spaces,
   * as they are a message's own line breaks); other control characters
   * (from names) escaped */
  g_autofree char *line = g_strdup (message);
  g_autofree char *shown = NULL;

  for (char *p = line; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  shown = cli_printable (line);
  fprintf (stderr, "clipsight-cli: %s\n", shown);
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

JsonNode *
cli_json_number (const char *format,
                 double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double rounded;

  if (!isfinite (value))
    return json_node_init_null (json_node_alloc ());
  /* JsonGenerator writes doubles with 17 significant digits: round as
   * the format would, so that readers see the figures they always did */
  g_ascii_formatd (buf, sizeof buf, format, value);
  rounded = g_ascii_strtod (buf, NULL);
  /* json-glib 1.6 writes an integral double of 1e17 or more as "1e+17.0",
   * which is not JSON: those go as integers */
  if (strpbrk (buf, ".e") == NULL
      || (fabs (rounded) >= 1e17 && fabs (rounded) < 9e18 && rounded == floor (rounded)))
    return json_node_init_int (json_node_alloc (), (gint64) rounded);
  return json_node_init_double (json_node_alloc (), rounded);
}

JsonNode *
cli_json_floats (const float *v,
                 int          n)
{
  JsonArray *array = json_array_sized_new ((guint) n);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (int i = 0; i < n; i++)
    json_array_add_element (array, cli_json_number ("%.9g", v[i]));
  json_node_take_array (node, array);
  return node;
}

void
cli_json_append_object (GString    *out,
                        JsonObject *object)
{
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  /* json-glib 1.6 leaves U+001F unescaped, which JSON forbids; in its
   * (UTF-8) output a 0x1f byte can only be that character in a string */
  for (const char *p = text, *unit; ; p = unit + 1)
    {
      unit = strchr (p, 0x1f);
      if (unit == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, unit - p);
      g_string_append (out, "\\u001f");
    }
  g_string_append_c (out, '\n');
}

gboolean
cli_json_print_object (JsonObject *object)
{
  g_autoptr(GString) line = g_string_new (NULL);

  cli_json_append_object (line, object);
  return fwrite (line->str, 1, line->len, stdout) == line->len;
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
