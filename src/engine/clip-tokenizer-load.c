/* clip-tokenizer-load.c - loading vocab.json and merges.txt into a
 * clip_tokenizer, with the checks clip.h promises.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include <glib.h>

#include "clip-tokenizer-private.h"

/* Doubles the merge table (loading: it is kept at most half full). */
static void
merges_grow (clip_tokenizer *tok)
{
  merge_slot *old = tok->merges;
  size_t old_size = tok->merges_mask + 1, size = 2 * old_size;

  tok->merges = g_new (merge_slot, size);
  tok->merges_mask = size - 1;
  for (size_t i = 0; i < size; i++)
    tok->merges[i] = (merge_slot) { MERGE_EMPTY_KEY, 0, 0 };
  for (size_t i = 0; i < old_size; i++)
    if (old[i].key != MERGE_EMPTY_KEY)
      *merge_slot_for (tok, old[i].key) = old[i];
  g_free (old);
}

/* ---------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

/* A whole tokenizer file, at most CLIP_TOKENIZER_MAX_FILE bytes. */
static clip_status
read_file (const char  *path,
           char       **data_out,
           size_t      *len_out,
           char       **error)
{
  return clip_read_file_bounded (path, CLIP_TOKENIZER_MAX_FILE, "a tokenizer file", data_out, len_out,
                                 error);
}

/* The vocabulary file is one flat JSON object of token -> id; this small
 * parser reads exactly that and reports line numbers. */
typedef struct {
  const char *path;
  const char *p;
  const char *end;
  const char *line_start;
  int         line;
} json_reader;

/* Where the reader is, for messages: "line 3, column 12". vocab.json is
 * often a single line, so the column matters. */
static char *
json_where (const json_reader *r,
            const char        *at)
{
  return g_strdup_printf ("line %d, column %d", r->line, (int) (at - r->line_start) + 1);
}

/* A token or symbol made safe for a one-line message: control characters
 * become \xNN, everything else (UTF-8 included) is kept. */
static char *
printable (const char *s,
           size_t      len)
{
  GString *out = g_string_new (NULL);

  for (size_t i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  return g_string_free (out, FALSE);
}

static void
json_skip_space (json_reader *r)
{
  while (r->p < r->end)
    {
      if (*r->p == '\n')
        {
          r->line++;
          r->line_start = r->p + 1;
        }
      else if (*r->p != ' ' && *r->p != '\t' && *r->p != '\r')
        break;
      r->p++;
    }
}

static clip_status
json_fail (json_reader *r,
           char       **error,
           const char  *what)
{
  g_autofree char *where = json_where (r, r->p);

  if (r->p >= r->end)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s %s: malformed JSON: %s, found the end of the file",
                           r->path, where, what);
  return clip_set_error (error, CLIP_STATUS_FORMAT,
                         "%s %s: malformed JSON: %s, found '%c'",
                         r->path, where, what,
                         g_ascii_isprint (*r->p) ? *r->p : '?');
}

static int
json_hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = hex_value ((guchar) p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

static clip_status
json_read_string (json_reader *r,
                  GString     *out,
                  char       **error)
{
  const char *start = r->p;

  g_string_truncate (out, 0);
  if (r->p >= r->end || *r->p != '"')
    return json_fail (r, error, "expected a string");
  r->p++;
  for (;;)
    {
      guchar c;

      if (r->p >= r->end)
        return json_fail (r, error, "unterminated string");
      c = (guchar) *r->p;
      if (c == '"')
        {
          r->p++;
          break;
        }
      if (c < 0x20)
        return json_fail (r, error, "control character in a string");
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          r->p++;
          continue;
        }
      if (r->end - r->p < 2)
        return json_fail (r, error, "unterminated escape");
      r->p++;
      switch (*r->p)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int u, lo;

            if (r->end - r->p < 5 || (u = json_hex4 (r->p + 1)) < 0)
              return json_fail (r, error, "bad \\u escape");
            r->p += 4;
            if (u >= 0xd800 && u <= 0xdbff)
              {
                if (r->end - r->p < 7 || r->p[1] != '\\' || r->p[2] != 'u'
                    || (lo = json_hex4 (r->p + 3)) < 0xdc00 || lo > 0xdfff)
                  return json_fail (r, error, "unpaired surrogate in a \\u escape");
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                r->p += 6;
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              return json_fail (r, error, "unpaired surrogate in a \\u escape");
            else if (u == 0)
              return json_fail (r, error, "NUL character in a string");
            g_string_append_unichar (out, (gunichar) u);
          }
          break;
        default:
          return json_fail (r, error, "unknown escape");
        }
      r->p++;
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      g_autofree char *where = json_where (r, start);

      return clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s %s: a token is not valid UTF-8", r->path, where);
    }
  return CLIP_STATUS_OK;
}

static clip_status
json_read_id (json_reader *r,
              const char  *token,
              int32_t     *id_out,
              char       **error)
{
  int64_t v = 0;
  const char *start = r->p;

  while (r->p < r->end && g_ascii_isdigit (*r->p))
    {
      v = v * 10 + (*r->p - '0');
      if (v > INT32_MAX)
        break;
      r->p++;
    }
  if (v > INT32_MAX || r->p == start
      || (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E')))
    {
      g_autofree char *where = json_where (r, start);
      g_autofree char *shown = printable (token, strlen (token));

      return clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s %s: the id of \"%s\" is not an integer from 0 to %d",
                             r->path, where, shown, INT32_MAX);
    }
  *id_out = (int32_t) v;
  return CLIP_STATUS_OK;
}

/* Parses vocab.json into token -> id (GINT_TO_POINTER). */
static clip_status
load_vocab (const char  *path,
            GHashTable **vocab_out,
            char       **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GHashTable) vocab = NULL;
  g_autoptr (GHashTable) by_id = NULL;
  g_autoptr (GString) key = NULL;
  json_reader r;
  size_t len = 0;
  clip_status status;

  status = read_file (path, &data, &len, error);
  if (status != CLIP_STATUS_OK)
    return status;

  r.path = path;
  r.p = data;
  r.end = data + len;
  r.line = 1;
  r.line_start = data;
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    r.p += 3;
  json_skip_space (&r);
  if (r.p >= r.end)
    return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: the file is empty", path);
  if (*r.p != '{')
    return json_fail (&r, error, "expected '{' (a JSON object of token to id)");
  r.p++;

  vocab = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  key = g_string_new (NULL);

  json_skip_space (&r);
  if (r.p < r.end && *r.p == '}')
    r.p++;
  else
    for (;;)
      {
        int32_t id = 0;
        g_autofree char *where = NULL;
        g_autofree char *shown = NULL;
        const char *other;

        json_skip_space (&r);
        where = json_where (&r, r.p);
        status = json_read_string (&r, key, error);
        if (status != CLIP_STATUS_OK)
          return status;
        json_skip_space (&r);
        if (r.p >= r.end || *r.p != ':')
          return json_fail (&r, error, "expected ':' after a token");
        r.p++;
        json_skip_space (&r);
        status = json_read_id (&r, key->str, &id, error);
        if (status != CLIP_STATUS_OK)
          return status;

        shown = printable (key->str, key->len);
        if (g_hash_table_contains (vocab, key->str))
          return clip_set_error (error, CLIP_STATUS_FORMAT,
                                 "%s %s: the token \"%s\" appears twice",
                                 path, where, shown);
        /* id + 1 keeps id 0 apart from NULL; unsigned, as id may be
         * INT32_MAX */
        other = g_hash_table_lookup (by_id, GUINT_TO_POINTER ((guint32) id + 1u));
        if (other != NULL)
          {
            g_autofree char *other_shown = printable (other, strlen (other));

            return clip_set_error (error, CLIP_STATUS_FORMAT,
                                   "%s %s: the id %d is given to both \"%s\" and \"%s\"",
                                   path, where, id, other_shown, shown);
          }
        {
          char *k = g_strndup (key->str, key->len);

          g_hash_table_insert (vocab, k, GINT_TO_POINTER (id));
          g_hash_table_insert (by_id, GUINT_TO_POINTER ((guint32) id + 1u), k);
        }

        json_skip_space (&r);
        if (r.p < r.end && *r.p == ',')
          {
            r.p++;
            continue;
          }
        if (r.p < r.end && *r.p == '}')
          {
            r.p++;
            break;
          }
        return json_fail (&r, error, "expected ',' or '}' after an id");
      }
  json_skip_space (&r);
  if (r.p < r.end)
    return json_fail (&r, error, "expected the end of the file after the object");

  *vocab_out = g_steal_pointer (&vocab);
  return CLIP_STATUS_OK;
}

static gboolean
vocab_lookup (GHashTable *vocab,
              const char *token,
              int32_t    *id_out)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (vocab, token, NULL, &value))
    return FALSE;
  *id_out = GPOINTER_TO_INT (value);
  return TRUE;
}

/* GPT-2's byte -> unicode table: printable Latin-1 bytes map to themselves,
 * the 68 others to U+0100 onwards in byte order. */
static void
byte_to_unicode_table (gunichar table[256])
{
  gunichar next = 0x100;

  for (int b = 0; b < 256; b++)
    {
      gboolean printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;

      table[b] = printable ? (gunichar) b : next++;
    }
}

static clip_status
check_vocab (clip_tokenizer *tok,
             GHashTable     *vocab,
             const char     *path,
             char          **error)
{
  gunichar table[256];

  byte_to_unicode_table (table);
  for (int b = 0; b < 256; b++)
    {
      char sym[16];
      int len = g_unichar_to_utf8 (table[b], sym);

      sym[len] = '\0';
      if (!vocab_lookup (vocab, sym, &tok->byte_id[b]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: the symbol \"%s\" of byte 0x%02x is missing",
                               path, sym, b);
      strcpy (sym + len, END_OF_WORD);
      if (!vocab_lookup (vocab, sym, &tok->byte_end_id[b]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: the symbol \"%s\" of byte 0x%02x is missing",
                               path, sym, b);
    }
  if (!vocab_lookup (vocab, SOT_TEXT, &tok->sot_id))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the special token \"%s\" is missing", path, SOT_TEXT);
  if (!vocab_lookup (vocab, EOT_TEXT, &tok->eot_id))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the special token \"%s\" is missing", path, EOT_TEXT);
  return CLIP_STATUS_OK;
}

static clip_status
load_merges (clip_tokenizer *tok,
             GHashTable     *vocab,
             const char     *path,
             const char     *vocab_path,
             char          **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GString) joined = NULL;
  size_t len = 0, size = 16, n_merges = 0;
  const char *p, *end;
  int line_no = 0, blank_line = 0;
  int32_t rank = 0;
  clip_status status;

  status = read_file (path, &data, &len, error);
  if (status != CLIP_STATUS_OK)
    return status;
  end = data + len;

  for (p = data; p < end && g_ascii_isspace (*p); p++)
    ;
  if (p == end)
    return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: the file is empty", path);

  /* The table grows with the merges, not with the file's lines: a file
   * of blank lines must not cost a table sized for them. */
  tok->merges = g_new (merge_slot, size);
  tok->merges_mask = size - 1;
  for (size_t i = 0; i < size; i++)
    tok->merges[i] = (merge_slot) { MERGE_EMPTY_KEY, 0, 0 };

  joined = g_string_new (NULL);
  for (p = data; p < end; )
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *part[2] = { NULL, NULL };
      size_t part_len[2] = { 0, 0 };
      const char *q;
      int n_parts = 0;
      int32_t a, b, ab;
      merge_slot *slot;

      line_no++;
      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      q = p;
      p = nl != NULL ? nl + 1 : end;

      if (line_no == 1 && g_str_has_prefix (q, "#version"))
        continue;
      if (!g_utf8_validate (q, line_end - q, NULL))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s line %d: not valid UTF-8", path, line_no);

      /* Split on runs of spaces and tabs, as Python's str.split(). */
      while (q < line_end)
        {
          const char *w;

          while (q < line_end && (*q == ' ' || *q == '\t'))
            q++;
          if (q == line_end)
            break;
          for (w = q; w < line_end && *w != ' ' && *w != '\t'; w++)
            ;
          if (n_parts < 2)
            {
              part[n_parts] = q;
              part_len[n_parts] = w - q;
            }
          n_parts++;
          q = w;
        }
      if (n_parts == 0)
        {
          /* Blank lines are allowed only at the end of the file. */
          if (blank_line == 0)
            blank_line = line_no;
          continue;
        }
      if (blank_line != 0)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s line %d: blank line (expected two symbols separated by a space)",
                               path, blank_line);
      if (n_parts != 2)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s line %d: expected two symbols separated by a space, found %d",
                               path, line_no, n_parts);

      for (int k = 0; k < 2; k++)
        {
          g_string_truncate (joined, 0);
          g_string_append_len (joined, part[k], part_len[k]);
          if (!vocab_lookup (vocab, joined->str, k == 0 ? &a : &b))
            {
              g_autofree char *shown = printable (joined->str, joined->len);

              return clip_set_error (error, CLIP_STATUS_MISMATCH,
                                     "%s line %d: symbol '%s' is not in %s",
                                     path, line_no, shown, vocab_path);
            }
        }
      g_string_truncate (joined, 0);
      g_string_append_len (joined, part[0], part_len[0]);
      g_string_append_len (joined, part[1], part_len[1]);
      if (!vocab_lookup (vocab, joined->str, &ab))
        {
          g_autofree char *shown = printable (joined->str, joined->len);

          return clip_set_error (error, CLIP_STATUS_MISMATCH,
                                 "%s line %d: merge result '%s' is not in %s",
                                 path, line_no, shown, vocab_path);
        }

      /* A repeated pair takes its last rank, as the reference's dict does. */
      slot = merge_slot_for (tok, pair_key (a, b));
      if (slot->key == MERGE_EMPTY_KEY && 2 * (n_merges + 1) > tok->merges_mask + 1)
        {
          merges_grow (tok);
          slot = merge_slot_for (tok, pair_key (a, b));
        }
      if (slot->key == MERGE_EMPTY_KEY)
        n_merges++;
      slot->key = pair_key (a, b);
      slot->rank = rank++;
      slot->result = ab;
    }
  return CLIP_STATUS_OK;
}

static void
free_cache_key (gpointer p)
{
  g_free (p);
}

clip_status
clip_tokenizer_load (const char      *vocab_path,
                     const char      *merges_path,
                     clip_tokenizer **out,
                     char           **error)
{
  g_autoptr (clip_tokenizer) tok = NULL;
  g_autoptr (GHashTable) vocab = NULL;
  clip_status status;

  if (vocab_path == NULL || merges_path == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_tokenizer_load: a path or the output is NULL");
  *out = NULL;

  tok = g_new0 (clip_tokenizer, 1);
  g_mutex_init (&tok->cache_lock);
  tok->cache = g_hash_table_new_full (g_str_hash, g_str_equal, free_cache_key, g_free);

  status = load_vocab (vocab_path, &vocab, error);
  if (status != CLIP_STATUS_OK)
    return status;
  tok->n_vocab = (int32_t) g_hash_table_size (vocab);
  /* Ids index the model's embedding rows: each must be below the entry
   * count (distinct, they then run from 0 to n_vocab - 1); the model's
   * loader checks that count against its vocab_size */
  {
    GHashTableIter iter;
    gpointer token, value;

    g_hash_table_iter_init (&iter, vocab);
    while (g_hash_table_iter_next (&iter, &token, &value))
      {
        if (GPOINTER_TO_INT (value) >= tok->n_vocab)
          {
            g_autofree char *shown = printable (token, strlen (token));

            return clip_set_error (error, CLIP_STATUS_FORMAT,
                                   "%s: the id %d of \"%s\" is not below the %d entries "
                                   "(ids must run from 0 to %d)", vocab_path,
                                   GPOINTER_TO_INT (value), shown, tok->n_vocab, tok->n_vocab - 1);
          }
      }
  }
  status = check_vocab (tok, vocab, vocab_path, error);
  if (status != CLIP_STATUS_OK)
    return status;
  status = load_merges (tok, vocab, merges_path, vocab_path, error);
  if (status != CLIP_STATUS_OK)
    return status;

  *out = g_steal_pointer (&tok);
  return CLIP_STATUS_OK;
}
