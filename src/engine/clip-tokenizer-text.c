/* clip-tokenizer-text.c - the tokenizer's first two steps: cleaning the
 * text (NFC, HTML unescape, whitespace, lower case) and pre-tokenising it
 * with CLIP's pattern, in code points, as Python does.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * clip-tokenizer.c says what each step follows in the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "clip-html-entities.h"
#include "clip-tokenizer-private.h"

/* ---------------------------------------------------------------------------
 * Character classes
 * ------------------------------------------------------------------------- */

/* Python's str.isspace(): bidirectional class WS, B or S, or category Zs. */
static inline gboolean
py_isspace (gunichar c)
{
  if (c < 0x80)
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
  return c == 0x85 || c == 0xa0 || c == 0x1680
         || (c >= 0x2000 && c <= 0x200a)
         || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
         || c == 0x3000;
}

/* \s of the `regex` module: Unicode White_Space, which is Python's
 * isspace() without the information separators U+001C..U+001F. */
static inline gboolean
re_isspace (gunichar c)
{
  return py_isspace (c) && !(c >= 0x1c && c <= 0x1f);
}

typedef enum {
  CLASS_NONE,    /* matched by no alternative: \s, and U+0345 (below) */
  CLASS_LETTER,  /* \p{L}: Lu Ll Lt Lm Lo */
  CLASS_NUMBER,  /* \p{N}: Nd Nl No */
  CLASS_OTHER,   /* [^\s\p{L}\p{N}] */
} char_class;

static char_class
classify (gunichar c)
{
  if (c < 0x80)
    {
      if (g_ascii_isalpha (c))
        return CLASS_LETTER;
      if (g_ascii_isdigit (c))
        return CLASS_NUMBER;
    }
  /* U+0345 COMBINING GREEK YPOGEGRAMMENI is neither \p{L} nor, under
   * IGNORECASE, [^\s\p{L}\p{N}], because its case variants (U+0399,
   * U+03B9) are letters: the `regex` module matches it with nothing. */
  if (re_isspace (c) || c == 0x0345)
    return CLASS_NONE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
      return CLASS_LETTER;
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return CLASS_NUMBER;
    default:
      return CLASS_OTHER;
    }
}

/* ---------------------------------------------------------------------------
 * Cleaning
 * ------------------------------------------------------------------------- */

static int
compare_entity (const void *key,
                const void *member)
{
  return strcmp (key, ((const clip_html_entity *) member)->name);
}

static const clip_html_entity *
find_entity (const char *name)
{
  return bsearch (name, clip_html_entities, G_N_ELEMENTS (clip_html_entities),
                  sizeof clip_html_entities[0], compare_entity);
}

static int
compare_u32 (const void *a,
             const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

  return x < y ? -1 : x > y;
}

/* Python's html._replace_charref for a numeric reference; returns the
 * number of code points written to out (0 or 1). */
static size_t
numeric_charref (uint32_t  num,
                 gunichar *out)
{
  const clip_html_charref *ref;

  /* clip_html_charref starts with its key, so compare_u32 works on it. */
  ref = bsearch (&num, clip_html_invalid_charrefs,
                 G_N_ELEMENTS (clip_html_invalid_charrefs),
                 sizeof clip_html_invalid_charrefs[0], compare_u32);
  if (ref != NULL)
    {
      out[0] = ref->to;
      return 1;
    }
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff)
    {
      out[0] = 0xfffd;
      return 1;
    }
  if (bsearch (&num, clip_html_invalid_codepoints,
               G_N_ELEMENTS (clip_html_invalid_codepoints),
               sizeof clip_html_invalid_codepoints[0], compare_u32) != NULL)
    return 0;
  out[0] = num;
  return 1;
}

/* The {1,32} of the reference's pattern; no entity name is longer. */
#define ENTITY_MATCH_MAX 32
G_STATIC_ASSERT (CLIP_HTML_ENTITY_MAX_NAME <= ENTITY_MATCH_MAX + 1);

static inline gboolean
is_entity_name_char (gunichar c)
{
  /* [^\t\n\f <&#;] */
  return !(c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<'
           || c == '&' || c == '#' || c == ';');
}


/* Python's html.unescape(): every match of
 *   &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
 * is replaced, scanning left to right.  The result is never longer than
 * the input, so `out` needs room for `n` code points. */
static size_t
html_unescape (const gunichar *in,
               size_t          n,
               gunichar       *out)
{
  size_t i = 0, o = 0;

  while (i < n)
    {
      size_t j, k;

      if (in[i] != '&' || i + 1 >= n)
        {
          out[o++] = in[i++];
          continue;
        }
      j = i + 1;

      if (in[j] == '#')
        {
          gboolean hex = FALSE;
          uint32_t num = 0;

          k = j + 1;
          if (k < n && (in[k] == 'x' || in[k] == 'X')
              && k + 1 < n && hex_value (in[k + 1]) >= 0)
            {
              hex = TRUE;
              k++;
            }
          else if (!(k < n && in[k] >= '0' && in[k] <= '9'))
            {
              out[o++] = in[i++];  /* no match at this '&' */
              continue;
            }
          for (; k < n; k++)
            {
              int d = hex ? hex_value (in[k])
                          : (in[k] >= '0' && in[k] <= '9' ? (int) (in[k] - '0') : -1);
              if (d < 0)
                break;
              /* Saturate: anything above U+10FFFF gives U+FFFD. */
              if (num <= 0x10ffff)
                num = num * (hex ? 16 : 10) + (uint32_t) d;
            }
          if (k < n && in[k] == ';')
            k++;
          o += numeric_charref (num, out + o);
          i = k;
          continue;
        }

      /* A named reference: up to 32 name characters, then an optional ';'. */
      {
        char name[ENTITY_MATCH_MAX + 2];
        size_t len, ascii_len, end;
        const clip_html_entity *entity = NULL;
        size_t used = 0;

        for (k = j; k < n && k - j < ENTITY_MATCH_MAX && is_entity_name_char (in[k]); k++)
          ;
        if (k == j)
          {
            out[o++] = in[i++];
            continue;
          }
        end = k < n && in[k] == ';' ? k + 1 : k;
        len = end - j;

        /* Entity names are ASCII: only the prefix before the first
         * non-ASCII character can match. */
        for (ascii_len = 0; ascii_len < len && in[j + ascii_len] < 0x80
             && in[j + ascii_len] != 0; ascii_len++)
          name[ascii_len] = (char) in[j + ascii_len];
        name[ascii_len] = '\0';

        if (ascii_len == len)
          entity = find_entity (name);
        if (entity != NULL)
          used = len;
        else
          {
            /* The longest prefix of at least 2 characters that is a name. */
            for (size_t x = MIN (len - 1, ascii_len); x >= 2; x--)
              {
                name[x] = '\0';
                entity = find_entity (name);
                if (entity != NULL)
                  {
                    used = x;
                    break;
                  }
              }
          }

        if (entity != NULL)
          {
            out[o++] = entity->value[0];
            if (entity->value[1] != 0)
              out[o++] = entity->value[1];
            for (size_t x = used; x < len; x++)
              out[o++] = in[j + x];
          }
        else
          {
            /* Unchanged: '&' and the name. */
            for (size_t x = i; x < end; x++)
              out[o++] = in[x];
          }
        i = end;
      }
    }
  return o;
}

/* Python's str.lower() on code points, with the Final_Sigma rule as
 * CPython's handle_capital_sigma() implements it.  g_utf8_strdown() is not
 * used: it follows the locale (Turkish, Lithuanian) and has a simpler final
 * sigma test; g_unichar_tolower() maps only Lu and Lt, so the two other
 * blocks with lowercase mappings are added here.  `out` needs room for
 * 2n code points (U+0130 becomes two). */
static size_t
lower_text (const gunichar *in,
            size_t          n,
            gunichar       *out)
{
  size_t o = 0;

  for (size_t i = 0; i < n; i++)
    {
      gunichar c = in[i];

      if (c < 0x80)
        out[o++] = g_ascii_tolower (c);
      else if (c == 0x0130)
        {
          /* SpecialCasing: the one unconditional multi-character lowercase. */
          out[o++] = 'i';
          out[o++] = 0x0307;
        }
      else if (c == 0x03a3)
        {
          out[o++] = clip_sigma_is_final (in, n, i) ? 0x03c2 : 0x03c3;
        }
      else if (c >= 0x2160 && c <= 0x216f)
        out[o++] = c + 0x10;  /* Roman numerals (Nl) */
      else if (c >= 0x24b6 && c <= 0x24cf)
        out[o++] = c + 0x1a;  /* circled letters (So) */
      else
        out[o++] = g_unichar_tolower (c);  /* Lu and Lt only */
    }
  return o;
}

/* Removes Python-whitespace from both ends; returns the new length and
 * moves *start. */
static size_t
py_strip (const gunichar **start,
          size_t           n)
{
  const gunichar *p = *start;

  while (n > 0 && py_isspace (p[0]))
    {
      p++;
      n--;
    }
  while (n > 0 && py_isspace (p[n - 1]))
    n--;
  *start = p;
  return n;
}

/* Cleans `len` bytes of text into a newly allocated code point array. */
gunichar *
clip_tok_clean_text (const char *text,
                     long        len,
                     size_t     *n_out)
{
  g_autoptr (GArray) chars = g_array_sized_new (FALSE, FALSE, sizeof (gunichar), len + 1);
  g_autofree gunichar *a = NULL;
  g_autofree gunichar *b = NULL;
  const char *p = text, *end = text + len;
  const gunichar zero = 0;
  const gunichar *q;
  size_t n, o;
  gunichar *lowered;

  /* GLib would take a NUL byte for invalid UTF-8 or the end of the string;
   * Python keeps U+0000 as a character.  NUL never composes, so each
   * NUL-free segment is normalised on its own. */
  for (;;)
    {
      const char *nul = memchr (p, '\0', end - p);
      const char *seg_end = nul != NULL ? nul : end;
      g_autofree char *valid = g_utf8_make_valid (p, seg_end - p);
      g_autofree char *nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);

      if (nfc != NULL)  /* NULL only for invalid UTF-8, which it is not */
        {
          glong n_chars = 0;
          g_autofree gunichar *u = g_utf8_to_ucs4_fast (nfc, -1, &n_chars);

          g_array_append_vals (chars, u, n_chars);
        }
      if (nul == NULL)
        break;
      g_array_append_val (chars, zero);
      p = nul + 1;
    }

  n = chars->len;
  a = (gunichar *) g_array_free (g_steal_pointer (&chars), FALSE);
  a = g_renew (gunichar, a, n + 1);
  b = g_new (gunichar, n + 1);

  n = html_unescape (a, n, b);
  n = html_unescape (b, n, a);

  /* strip; runs of \s -> ' '; strip */
  q = a;
  n = py_strip (&q, n);
  o = 0;
  for (size_t i = 0; i < n; )
    {
      if (re_isspace (q[i]))
        {
          while (i < n && re_isspace (q[i]))
            i++;
          b[o++] = ' ';
        }
      else
        b[o++] = q[i++];
    }
  q = b;
  n = py_strip (&q, o);

  lowered = g_new (gunichar, 2 * n + 1);
  *n_out = lower_text (q, n, lowered);
  return lowered;
}


/* ---------------------------------------------------------------------------
 * Pre-tokenisation
 * ------------------------------------------------------------------------- */

/* Does c equal the lowercase ASCII letter x under the `regex` module's
 * IGNORECASE (simple case folding)?  Of the letters in CLIP's pattern only
 * 's' has a non-ASCII variant that survives str.lower(): U+017F. */
static inline gboolean
letter_matches (gunichar c,
                char     x)
{
  return c == (gunichar) x || c == (gunichar) g_ascii_toupper (x)
         || (x == 's' && c == 0x017f);
}

/* Matches the ASCII literal `lit` at t[i..n) case-insensitively; returns
 * its length or 0. */
static size_t
match_literal (const gunichar *t,
               size_t          i,
               size_t          n,
               const char     *lit)
{
  size_t len = strlen (lit);

  if (n - i < len)
    return 0;
  for (size_t k = 0; k < len; k++)
    {
      char x = lit[k];

      if (g_ascii_isalpha (x) ? !letter_matches (t[i + k], x) : t[i + k] != (gunichar) x)
        return 0;
    }
  return len;
}

/* Length of the pre-token at t[i] per
 *   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
 * (alternatives in order, IGNORECASE), or 0 when nothing matches there. */
size_t
clip_tok_match_pretoken (const gunichar *t,
                         size_t          i,
                         size_t          n)
{
  static const char *const literals[] = {
    SOT_TEXT, EOT_TEXT, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
  };
  char_class cls;
  size_t k;

  if (t[i] == '<' || t[i] == '\'')
    for (size_t l = 0; l < G_N_ELEMENTS (literals); l++)
      {
        size_t len = match_literal (t, i, n, literals[l]);

        if (len > 0)
          return len;
      }

  cls = classify (t[i]);
  switch (cls)
    {
    case CLASS_NONE:
      return 0;
    case CLASS_NUMBER:
      return 1;
    case CLASS_LETTER:
    case CLASS_OTHER:
    default:
      for (k = i + 1; k < n && classify (t[k]) == cls; k++)
        ;
      return k - i;
    }
}
