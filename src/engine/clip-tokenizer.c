/* clip-tokenizer.c - CLIP's byte-level BPE tokenizer.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Behaves exactly as OpenAI's `clip.tokenize` with `simple_tokenizer.py`
 * (ftfy.fix_text stood in for by NFC), step by step:
 *
 *  1. clean: invalid UTF-8 -> U+FFFD, NFC, Python's html.unescape() twice,
 *     str.strip(), every run of the `regex` module's \s -> one space,
 *     str.strip(), str.lower();
 *  2. pre-tokenise as regex.findall() with CLIP's pattern;
 *  3. each pre-token's UTF-8 bytes through GPT-2's byte -> unicode table,
 *     "</w>" on the last symbol, BPE merges lowest rank first;
 *  4. SOT, ids, EOT, truncated keeping EOT last, padded with 0.
 *
 * The text is handled as an array of code points (UCS-4) from step 1 on,
 * because Python's semantics are defined on code points.  BPE runs on token
 * ids over a linked list with a min-heap keyed by (rank, position), which
 * gives the reference's pass-by-pass result in O(n log n); see bpe_word().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include <glib.h>

#include "clip-html-entities.h"
#include "clip-private.h"

#define SOT_TEXT "<|startoftext|>"
#define EOT_TEXT "<|endoftext|>"
#define END_OF_WORD "</w>"

/* The BPE cache: words of at most CACHE_MAX_WORD bytes, at most
 * CACHE_MAX_ENTRIES of them (the table is emptied when it is full). */
#define CACHE_MAX_WORD 64
#define CACHE_MAX_ENTRIES 8192

/* A merge table slot: the pair (left id, right id) packed in `key`. */
#define MERGE_EMPTY_KEY UINT64_MAX

typedef struct {
  uint64_t key;
  int32_t  rank;    /* line order in merges.txt, 0 first */
  int32_t  result;  /* id of the concatenation */
} merge_slot;

struct clip_tokenizer {
  int32_t     n_vocab;
  int32_t     sot_id;
  int32_t     eot_id;
  int32_t     byte_id[256];      /* id of each byte's symbol */
  int32_t     byte_end_id[256];  /* id of each byte's symbol + "</w>" */

  merge_slot *merges;            /* open addressing, power-of-two size */
  size_t      merges_mask;

  /* Internally synchronised, so a tokenizer may be shared by threads. */
  GMutex      cache_lock;
  GHashTable *cache;             /* word bytes -> int32 [count, ids...] */
};

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

static inline int
hex_value (gunichar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
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
          gboolean final = FALSE;
          size_t j = i;

          /* \p{cased} \p{case-ignorable}* SIGMA !(\p{case-ignorable}* \p{cased}) */
          while (j > 0 && is_case_ignorable (in[j - 1]))
            j--;
          if (j > 0 && is_cased (in[j - 1]))
            {
              j = i + 1;
              while (j < n && is_case_ignorable (in[j]))
                j++;
              final = j == n || !is_cased (in[j]);
            }
          out[o++] = final ? 0x03c2 : 0x03c3;
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
static gunichar *
clean_text (const char *text,
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
 * BPE
 * ------------------------------------------------------------------------- */

static inline uint64_t
mix64 (uint64_t x)
{
  x ^= x >> 33;
  x *= UINT64_C (0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C (0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return x;
}

static inline uint64_t
pair_key (int32_t a,
          int32_t b)
{
  return ((uint64_t) (uint32_t) a << 32) | (uint32_t) b;
}

static inline merge_slot *
merge_slot_for (const clip_tokenizer *tok,
                uint64_t              key)
{
  size_t i = mix64 (key) & tok->merges_mask;

  for (;;)
    {
      merge_slot *slot = &tok->merges[i];

      if (slot->key == key || slot->key == MERGE_EMPTY_KEY)
        return slot;
      i = (i + 1) & tok->merges_mask;
    }
}

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

static inline const merge_slot *
merge_find (const clip_tokenizer *tok,
            int32_t               a,
            int32_t               b)
{
  const merge_slot *slot = merge_slot_for (tok, pair_key (a, b));

  return slot->key == MERGE_EMPTY_KEY ? NULL : slot;
}

typedef struct {
  int32_t id;    /* token id; -1 once merged into the node on its left */
  int32_t prev;
  int32_t next;
} bpe_node;

typedef struct {
  int32_t rank;
  int32_t pos;   /* index of the left node */
} bpe_item;

typedef struct {
  bpe_node *nodes;
  bpe_item *heap;
  bpe_item *deferred;
  size_t    cap;   /* symbols the arrays are sized for */
  size_t    n_heap;
} bpe_scratch;

static void
bpe_scratch_reserve (bpe_scratch *s,
                     size_t       n)
{
  if (n <= s->cap)
    return;
  s->cap = MAX (n, 2 * s->cap);
  s->nodes = g_renew (bpe_node, s->nodes, s->cap);
  s->heap = g_renew (bpe_item, s->heap, 3 * s->cap);
  s->deferred = g_renew (bpe_item, s->deferred, 2 * s->cap);
}

static void
bpe_scratch_clear (bpe_scratch *s)
{
  g_free (s->nodes);
  g_free (s->heap);
  g_free (s->deferred);
}

static inline gboolean
item_less (bpe_item a,
           bpe_item b)
{
  return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos);
}

static void
heap_push (bpe_scratch *s,
           bpe_item     item)
{
  size_t i = s->n_heap++;

  while (i > 0)
    {
      size_t parent = (i - 1) / 2;

      if (!item_less (item, s->heap[parent]))
        break;
      s->heap[i] = s->heap[parent];
      i = parent;
    }
  s->heap[i] = item;
}

static bpe_item
heap_pop (bpe_scratch *s)
{
  bpe_item top = s->heap[0];
  bpe_item last = s->heap[--s->n_heap];
  size_t n = s->n_heap, i = 0;

  for (;;)
    {
      size_t child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && item_less (s->heap[child + 1], s->heap[child]))
        child++;
      if (!item_less (s->heap[child], last))
        break;
      s->heap[i] = s->heap[child];
      i = child;
    }
  if (n > 0)
    s->heap[i] = last;
  return top;
}

/* BPE on one pre-token's bytes; appends the resulting ids to `out`.
 *
 * The reference repeats: take the adjacent pair of lowest rank, then join
 * every occurrence of that pair in one left-to-right pass over the word.
 * Here every adjacent pair with a rank is a heap item (rank, left node).
 * A pass pops all items of the lowest rank, in position order, skipping
 * those a previous merge made stale, and defers the pairs its merges
 * create until the pass is over, so a new pair of lower rank never jumps
 * ahead of the pass (a pair of the same rank cannot be created: the joined
 * symbol is longer than either half).  Each merge costs O(log n). */
static void
bpe_word (const clip_tokenizer *tok,
          const guint8         *bytes,
          size_t                len,
          bpe_scratch          *s,
          GArray               *out)
{
  bpe_node *nodes;

  g_assert (len > 0);
  bpe_scratch_reserve (s, len);
  nodes = s->nodes;
  for (size_t i = 0; i < len; i++)
    {
      nodes[i].id = i + 1 < len ? tok->byte_id[bytes[i]] : tok->byte_end_id[bytes[i]];
      nodes[i].prev = (int32_t) i - 1;
      nodes[i].next = i + 1 < len ? (int32_t) i + 1 : -1;
    }

  s->n_heap = 0;
  for (size_t i = 0; i + 1 < len; i++)
    {
      const merge_slot *m = merge_find (tok, nodes[i].id, nodes[i + 1].id);

      if (m != NULL)
        heap_push (s, (bpe_item) { m->rank, (int32_t) i });
    }

  while (s->n_heap > 0)
    {
      int32_t rank = s->heap[0].rank;
      size_t n_deferred = 0;

      while (s->n_heap > 0 && s->heap[0].rank == rank)
        {
          bpe_item item = heap_pop (s);
          bpe_node *left = &nodes[item.pos];
          const merge_slot *m;
          int32_t right;

          if (left->id < 0 || left->next < 0)
            continue;
          right = left->next;
          m = merge_find (tok, left->id, nodes[right].id);
          if (m == NULL || m->rank != rank)
            continue;  /* stale */

          left->id = m->result;
          left->next = nodes[right].next;
          if (left->next >= 0)
            nodes[left->next].prev = item.pos;
          nodes[right].id = -1;

          if (left->prev >= 0
              && (m = merge_find (tok, nodes[left->prev].id, left->id)) != NULL)
            s->deferred[n_deferred++] = (bpe_item) { m->rank, left->prev };
          if (left->next >= 0
              && (m = merge_find (tok, left->id, nodes[left->next].id)) != NULL)
            s->deferred[n_deferred++] = (bpe_item) { m->rank, item.pos };
        }
      for (size_t i = 0; i < n_deferred; i++)
        heap_push (s, s->deferred[i]);
    }

  /* Node 0 is never merged away: it is always the left of its pair. */
  for (int32_t i = 0; i >= 0; i = nodes[i].next)
    g_array_append_val (out, nodes[i].id);
}

/* Appends the ids of one pre-token (UTF-8 bytes), using the cache. */
static void
encode_word (const clip_tokenizer *tok,
             const char           *bytes,
             size_t                len,
             bpe_scratch          *s,
             GArray               *out)
{
  clip_tokenizer *mutable_tok = (clip_tokenizer *) tok;
  gboolean cacheable = len <= CACHE_MAX_WORD && memchr (bytes, '\0', len) == NULL;
  char key[CACHE_MAX_WORD + 1];
  guint start;
  int32_t *entry;

  if (len == strlen (SOT_TEXT) && memcmp (bytes, SOT_TEXT, len) == 0)
    {
      g_array_append_val (out, tok->sot_id);
      return;
    }
  if (len == strlen (EOT_TEXT) && memcmp (bytes, EOT_TEXT, len) == 0)
    {
      g_array_append_val (out, tok->eot_id);
      return;
    }

  if (cacheable)
    {
      memcpy (key, bytes, len);
      key[len] = '\0';
      g_mutex_lock (&mutable_tok->cache_lock);
      entry = g_hash_table_lookup (tok->cache, key);
      if (entry != NULL)
        g_array_append_vals (out, entry + 1, entry[0]);
      g_mutex_unlock (&mutable_tok->cache_lock);
      if (entry != NULL)
        return;
    }

  start = out->len;
  bpe_word (tok, (const guint8 *) bytes, len, s, out);

  if (cacheable)
    {
      guint n = out->len - start;

      entry = g_new (int32_t, n + 1);
      entry[0] = (int32_t) n;
      memcpy (entry + 1, &g_array_index (out, int32_t, start), n * sizeof (int32_t));
      g_mutex_lock (&mutable_tok->cache_lock);
      if (g_hash_table_size (tok->cache) >= CACHE_MAX_ENTRIES)
        g_hash_table_remove_all (tok->cache);
      g_hash_table_replace (tok->cache, g_strdup (key), entry);
      g_mutex_unlock (&mutable_tok->cache_lock);
    }
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
static size_t
match_pretoken (const gunichar *t,
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

/* ---------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------- */

int
clip_tokenizer_encode (const clip_tokenizer *tok,
                       const char           *text,
                       long                  len,
                       int32_t              *ids,
                       int                   context_length)
{
  g_autofree gunichar *t = NULL;
  g_autoptr (GArray) content = NULL;
  g_autoptr (GString) word = NULL;
  bpe_scratch scratch = { 0 };
  size_t n = 0, max_content;
  int count;

  g_return_val_if_fail (tok != NULL, -1);
  g_return_val_if_fail (ids != NULL, -1);
  g_return_val_if_fail (text != NULL || len <= 0, -1);

  if (context_length < 2)
    return -1;
  if (text == NULL)
    text = "";
  if (len < 0)
    len = (long) strlen (text);

  t = clean_text (text, len, &n);

  /* One content id more than fits is enough to know the text is cut. */
  max_content = (size_t) context_length - 1;
  content = g_array_new (FALSE, FALSE, sizeof (int32_t));
  word = g_string_new (NULL);
  for (size_t i = 0; i < n && content->len < max_content; )
    {
      size_t m = match_pretoken (t, i, n);

      if (m == 0)
        {
          i++;
          continue;
        }
      g_string_truncate (word, 0);
      for (size_t k = i; k < i + m; k++)
        g_string_append_unichar (word, t[k]);
      encode_word (tok, word->str, word->len, &scratch, content);
      i += m;
    }
  bpe_scratch_clear (&scratch);

  ids[0] = tok->sot_id;
  if (content->len <= (guint) context_length - 2)
    {
      if (content->len > 0)
        memcpy (ids + 1, content->data, content->len * sizeof (int32_t));
      ids[content->len + 1] = tok->eot_id;
      count = (int) content->len + 2;
    }
  else
    {
      memcpy (ids + 1, content->data, (size_t) (context_length - 2) * sizeof (int32_t));
      ids[context_length - 1] = tok->eot_id;
      count = context_length;
    }
  for (int i = count; i < context_length; i++)
    ids[i] = 0;
  return count;
}

int32_t
clip_tokenizer_sot_id (const clip_tokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->sot_id;
}

int32_t
clip_tokenizer_eot_id (const clip_tokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->eot_id;
}

int32_t
clip_tokenizer_vocab_size (const clip_tokenizer *tok)
{
  g_return_val_if_fail (tok != NULL, -1);
  return tok->n_vocab;
}

void
clip_tokenizer_free (clip_tokenizer *tok)
{
  if (tok == NULL)
    return;
  g_free (tok->merges);
  if (tok->cache != NULL)
    g_hash_table_unref (tok->cache);
  g_mutex_clear (&tok->cache_lock);
  g_free (tok);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (clip_tokenizer, clip_tokenizer_free)

/* ---------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

/* Reads a whole file of at most CLIP_TOKENIZER_MAX_FILE bytes; a missing
 * or unreadable file is CLIP_STATUS_IO, a bigger one CLIP_STATUS_FORMAT,
 * refused from its size before reading (and, for a file that is not
 * regular or grows, as soon as it passes the bound). */
static clip_status
read_file (const char  *path,
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
      && (guint64) st.st_size > CLIP_TOKENIZER_MAX_FILE)
    {
      fclose (f);
      return clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s: the file is %" G_GUINT64_FORMAT " bytes, more than the %u MiB "
                             "a tokenizer file may have", path, (guint64) st.st_size,
                             CLIP_TOKENIZER_MAX_FILE >> 20);
    }
  data = g_string_new (NULL);
  while ((got = fread (buf, 1, sizeof buf, f)) > 0)
    {
      if (data->len + got > CLIP_TOKENIZER_MAX_FILE)
        {
          fclose (f);
          return clip_set_error (error, CLIP_STATUS_FORMAT,
                                 "%s: the file is more than the %u MiB a tokenizer file may have",
                                 path, CLIP_TOKENIZER_MAX_FILE >> 20);
        }
      g_string_append_len (data, buf, got);
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
