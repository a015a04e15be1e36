/* fuzz-query.c - the search text syntax (cs_query_parse_terms).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any text (a NUL ends it, as in a C string) parses into terms: none
 * empty, none weighted zero, each a piece of the text.
 */
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "cs-query.h"
#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) terms = cs_query_parse_terms (text, &error);
  g_autoptr(CsQuery) query = cs_query_new (text);
  g_autoptr(CsQuery) copy = cs_query_copy (query);

  /* refused (a weight that is not finite or too large): with a reason */
  if ((terms == NULL) != (error != NULL))
    abort ();
  for (guint i = 0; terms != NULL && i < terms->len; i++)
    {
      const CsQueryTerm *term = terms->pdata[i];

      if (term->text == NULL || term->text[0] == '\0' || term->weight == 0.0
          || !isfinite (term->weight) || strstr (text, term->text) == NULL)
        abort ();
    }
  if (g_strcmp0 (cs_query_get_text (copy), text) != 0)
    abort ();
  return 0;
}
