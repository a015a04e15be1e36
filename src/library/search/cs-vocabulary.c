/* cs-vocabulary.c - the concepts that name themes and events.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-discover"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-text-vectors.h"
#include "cs-vocabulary.h"

void
cs_concept_free (CsConcept *concept)
{
  if (concept == NULL)
    return;
  g_free (concept->id);
  g_free (concept->name);
  g_strfreev (concept->prompts);
  g_free (concept);
}

/* Whether an English name reads as a plural or a name that takes no
 * article ("Mountains", "Autumn leaves"): a final 's' but not "ss". */
static gboolean
is_plural (const char *lower)
{
  gsize n = strlen (lower);

  return n >= 2 && lower[n - 1] == 's' && lower[n - 2] != 's';
}

/* The default prompts of a concept named `name` (English), then its
 * extra ones. */
static char **
make_prompts (const char         *name,
              const char * const *extra)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *lower = g_utf8_strdown (name, -1);
  const char *article = "";
  g_autofree char *photo = NULL;

  if (!is_plural (lower))
    article = strchr ("aeiou", lower[0]) != NULL && lower[0] != '\0' ? "an " : "a ";
  photo = g_strdup_printf ("a photo of %s%s.", article, lower);
  g_strv_builder_add (b, photo);
  g_strv_builder_add (b, lower);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    if (extra[i][0] != '\0')
      g_strv_builder_add (b, extra[i]);
  return g_strv_builder_end (b);
}

GPtrArray *
cs_vocabulary_new_builtin (void)
{
  GPtrArray *v = g_ptr_array_new_full (cs_vocabulary_builtin_n, (GDestroyNotify) cs_concept_free);

  for (guint i = 0; i < cs_vocabulary_builtin_n; i++)
    {
      const CsBuiltinConcept *b = &cs_vocabulary_builtin_data[i];
      g_auto(GStrv) extra = g_strsplit (b->prompts, "|", -1);
      CsConcept *c = g_new0 (CsConcept, 1);

      c->id = g_strdup (b->name);
      c->name = g_strdup (g_dpgettext2 (GETTEXT_PACKAGE, CS_VOCABULARY_CONTEXT, b->name));
      c->prompts = make_prompts (b->name, (const char * const *) extra);
      g_ptr_array_add (v, c);
    }
  return v;
}

GPtrArray *
cs_vocabulary_parse (const char  *text,
                     gsize        length,
                     GError     **error)
{
  g_autoptr(GPtrArray) v = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_concept_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *end = text + length;
  const char *bad;
  guint line_no = 0;

  if (!g_utf8_validate (text, (gssize) length, &bad))
    {
      guint l = 1;
      for (const char *p = text; p < bad; p++)
        l += *p == '\n';
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "line %u: not valid UTF-8", l);
      return NULL;
    }
  for (const char *p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      g_autofree char *line = g_strndup (p, (gsize) ((nl != NULL ? nl : end) - p));
      g_auto(GStrv) parts = NULL;
      g_autofree char *key = NULL;
      CsConcept *c;
      gpointer prev;

      line_no++;
      p = nl != NULL ? nl + 1 : end;
      g_strstrip (line);
      if (line[0] == '\0' || line[0] == '#')
        continue;
      parts = g_strsplit (line, "|", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        g_strstrip (parts[i]);
      if (parts[0][0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "line %u: a concept needs a name before its prompts", line_no);
          return NULL;
        }
      key = g_utf8_casefold (parts[0], -1);
      if (g_hash_table_lookup_extended (seen, key, NULL, &prev))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "line %u: \"%s\" is already on line %u", line_no, parts[0],
                       GPOINTER_TO_UINT (prev));
          return NULL;
        }
      g_hash_table_insert (seen, g_steal_pointer (&key), GUINT_TO_POINTER (line_no));
      c = g_new0 (CsConcept, 1);
      c->id = g_strdup (parts[0]);
      c->name = g_strdup (parts[0]);
      c->prompts = make_prompts (parts[0], (const char * const *) parts + 1);
      g_ptr_array_add (v, c);
    }
  if (v->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the vocabulary has no concept (one a line)");
      return NULL;
    }
  return g_steal_pointer (&v);
}

GPtrArray *
cs_vocabulary_load (const char  *path,
                    GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  g_autoptr(GError) local = NULL;
  GPtrArray *v;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  v = cs_vocabulary_parse (text, len, &local);
  if (v == NULL)
    g_set_error (error, local->domain, local->code, "%s: %s", shown, local->message);
  return v;
}

gboolean
cs_vocabulary_embed (GPtrArray     *vocabulary,
                     CsClipRuntime *rt,
                     CsStore       *store,
                     gint64         model_row,
                     float         *out,
                     GCancellable  *cancellable,
                     GError       **error)
{
  int dim = cs_clip_runtime_get_dim (rt);
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autofree float *emb = NULL;
  guint k = 0;

  for (guint i = 0; i < vocabulary->len; i++)
    {
      CsConcept *c = vocabulary->pdata[i];
      for (guint j = 0; c->prompts[j] != NULL; j++)
        g_ptr_array_add (texts, c->prompts[j]);
    }
  emb = g_new (float, (gsize) MAX (texts->len, 1) * dim);
  if (!_cs_text_vectors_embed (rt, store, model_row, (const char * const *) texts->pdata, texts->len, dim,
                               emb, NULL, cancellable, error))
    return FALSE;
  for (guint i = 0; i < vocabulary->len; i++)
    {
      CsConcept *c = vocabulary->pdata[i];
      float *v = out + (gsize) i * dim;
      double norm = 0;
      guint np = g_strv_length (c->prompts);

      memset (v, 0, (gsize) dim * sizeof (float));
      for (guint j = 0; j < np; j++, k++)
        for (int d = 0; d < dim; d++)
          v[d] += emb[(gsize) k * dim + d] / (float) np;
      for (int d = 0; d < dim; d++)
        norm += (double) v[d] * v[d];
      norm = sqrt (norm);
      for (int d = 0; d < dim; d++)
        v[d] = norm > 0 ? (float) (v[d] / norm) : 0.0f;
    }
  return TRUE;
}
