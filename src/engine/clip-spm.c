/* clip-spm.c - SentencePiece encoding: the normaliser, unigram and BPE.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What SentencePiece 0.1.97's EncodeAsIds does, step by step, so that the
 * ids are the same (tests/engine/test-spm.c checks them against ids the
 * library itself wrote, tools/make-spm-goldens.py):
 *
 *  1. Normalise.  At each position the longest user-defined piece is taken
 *     as it is; otherwise the longest key of the precompiled charsmap (a
 *     darts-clone double-array trie) is replaced by its string; otherwise
 *     one UTF-8 character is kept, a malformed byte becoming U+FFFD.
 *     Spaces become U+2581 "▁"; with remove_extra_whitespaces, leading,
 *     trailing and repeated spaces go; add_dummy_prefix puts a "▁" in
 *     front (behind with treat_whitespace_as_suffix).
 *  2. Segment.  Unigram: the best-scoring path through the lattice of
 *     pieces (Viterbi), a character no piece starts with being the unknown
 *     piece scored 10 below the lowest score; user-defined pieces score
 *     length x the highest score - 0.1, so they always win.  BPE: start
 *     from characters (user-defined pieces whole, never merged further)
 *     and repeatedly merge the adjacent pair whose concatenation is the
 *     highest-scoring piece (the leftmost on a tie); an UNUSED piece so
 *     made is split back into the two it came from.
 *  3. Ids.  A segment that is no piece is unknown; with byte_fallback an
 *     unknown segment becomes its bytes' <0xXX> pieces, otherwise a run of
 *     unknown segments is one unknown id.
 */
#include <string.h>

#include "clip-spm-private.h"

#define SPACE_SYMBOL "\xe2\x96\x81"  /* U+2581 */
#define SPACE_SYMBOL_LEN 3
/* The charsmap matches SentencePiece looks at (kMaxTrieResultsSize). */
#define MAX_TRIE_RESULTS 32
/* What SentencePiece's unigram model gives an unknown character less than
 * the lowest piece score (kUnkPenalty). */
#define UNK_PENALTY 10.0f

/* SentencePiece's OneCharLen: the length a lead byte announces. */
static inline size_t
one_char_len (const char *s)
{
  static const uint8_t len[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4 };
  return len[(uint8_t) s[0] >> 4];
}

static inline gboolean
is_trail (uint8_t b)
{
  return (b & 0xc0) == 0x80;
}

static inline gboolean
is_valid_codepoint (guint32 c)
{
  return c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);
}

/* SentencePiece's DecodeUTF8: shortest form, no surrogates, at most
 * U+10FFFF. */
size_t
spm_valid_char_len (const char *str,
                    size_t      len)
{
  const uint8_t *s = (const uint8_t *) str;
  guint32 c;

  if (s[0] < 0x80)
    return 1;
  if (len >= 2 && (s[0] & 0xe0) == 0xc0)
    {
      c = (guint32) (s[0] & 0x1f) << 6 | (s[1] & 0x3f);
      return is_trail (s[1]) && c >= 0x80 && is_valid_codepoint (c) ? 2 : 0;
    }
  if (len >= 3 && (s[0] & 0xf0) == 0xe0)
    {
      c = (guint32) (s[0] & 0x0f) << 12 | (guint32) (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
      return is_trail (s[1]) && is_trail (s[2]) && c >= 0x800 && is_valid_codepoint (c)
             ? 3 : 0;
    }
  if (len >= 4 && (s[0] & 0xf8) == 0xf0)
    {
      c = (guint32) (s[0] & 0x07) << 18 | (guint32) (s[1] & 0x3f) << 12
          | (guint32) (s[2] & 0x3f) << 6 | (s[3] & 0x3f);
      return is_trail (s[1]) && is_trail (s[2]) && is_trail (s[3]) && c >= 0x10000
             && is_valid_codepoint (c) ? 4 : 0;
    }
  return 0;
}

/* The longest user-defined piece at `s` (at most `len` bytes), or 0. */
static size_t
user_defined_prefix (const clip_spm *spm,
                     const char     *s,
                     size_t          len)
{
  size_t max = MIN (len, spm->max_user_len), best = 0;
  guint32 h = SPM_HASH_INIT;

  for (size_t n = 1; n <= max; n++)
    {
      int32_t id;

      h = spm_hash_step (h, s[n - 1]);
      id = spm_table_find_hashed (spm, &spm->normal, s, n, h);
      if (id >= 0 && spm->pieces[id].type == SPM_USER_DEFINED)
        best = n;
    }
  return best;
}

/* The charsmap's longest key at `s` (of the first MAX_TRIE_RESULTS it
 * has there): its length, and its replacement in `repl`/`repl_len`; 0
 * when none.  A trie that points outside itself or its strings (a broken
 * file) just stops matching there. */
static size_t
charsmap_prefix (const clip_spm *spm,
                 const char     *s,
                 size_t          len,
                 const char    **repl,
                 size_t         *repl_len)
{
  const uint32_t *units = spm->trie;
  guint32 n_units = spm->trie_units;
  guint32 pos = 0, unit;
  size_t best = 0;
  int n_results = 0;

  if (units == NULL)
    return 0;
  unit = units[0];
  /* offset (): (unit >> 10) << ((unit & (1 << 9)) >> 6) */
  pos ^= (unit >> 10) << ((unit & (1u << 9)) >> 6);
  for (size_t i = 0; i < MIN (len, (size_t) SPM_MAX_NORM_LEN); i++)
    {
      uint8_t c = (uint8_t) s[i];

      pos ^= c;
      if (pos >= n_units)
        break;
      unit = units[pos];
      /* label (): unit & ((1 << 31) | 0xff) */
      if ((unit & ((1u << 31) | 0xff)) != c)
        break;
      pos ^= (unit >> 10) << ((unit & (1u << 9)) >> 6);
      if ((unit >> 8) & 1)  /* has_leaf () */
        {
          guint32 value;

          if (n_results++ >= MAX_TRIE_RESULTS)
            continue;
          if (pos >= n_units)
            break;
          value = units[pos] & ((1u << 31) - 1);
          if (value >= spm->norm_strings_len)
            continue;
          best = i + 1;
          *repl = spm->norm_strings + value;
          *repl_len = strlen (*repl);
        }
    }
  return best;
}

/* SentencePiece's NormalizePrefix: how many bytes of `s` the next step
 * consumes and what it gives (`out`, `out_len`). */
static size_t
normalize_prefix (const clip_spm *spm,
                  const char     *s,
                  size_t          len,
                  const char    **out,
                  size_t         *out_len)
{
  size_t n;

  if ((n = user_defined_prefix (spm, s, len)) > 0)
    {
      *out = s;
      *out_len = n;
      return n;
    }
  if ((n = charsmap_prefix (spm, s, len, out, out_len)) > 0)
    return n;
  n = spm_valid_char_len (s, len);
  if (n == 0)
    {
      *out = "\xef\xbf\xbd";  /* U+FFFD for one malformed byte */
      *out_len = 3;
      return 1;
    }
  *out = s;
  *out_len = n;
  return n;
}

void
spm_normalize (const clip_spm *spm,
               const char     *text,
               size_t          len,
               GString        *out)
{
  size_t pos = 0;
  gboolean prev_space;
  const char *piece;
  size_t piece_len;
  const gsize start = out->len;

  /* Leading whitespace. */
  if (spm->remove_extra_whitespaces)
    while (pos < len)
      {
        size_t n = normalize_prefix (spm, text + pos, len - pos, &piece, &piece_len);
        if (!(piece_len == 1 && piece[0] == ' '))
          break;
        pos += n;
      }
  if (pos == len)
    return;

  if (!spm->treat_whitespace_as_suffix && spm->add_dummy_prefix)
    g_string_append (out, spm->escape_whitespaces ? SPACE_SYMBOL : " ");

  prev_space = spm->remove_extra_whitespaces;
  while (pos < len)
    {
      size_t n = normalize_prefix (spm, text + pos, len - pos, &piece, &piece_len);

      if (prev_space)
        while (piece_len > 0 && piece[0] == ' ')
          {
            piece++;
            piece_len--;
          }
      if (piece_len > 0)
        {
          for (size_t i = 0; i < piece_len; i++)
            {
              if (spm->escape_whitespaces && piece[i] == ' ')
                g_string_append_len (out, SPACE_SYMBOL, SPACE_SYMBOL_LEN);
              else
                g_string_append_c (out, piece[i]);
            }
          prev_space = piece[piece_len - 1] == ' ';
        }
      pos += n;
      if (!spm->remove_extra_whitespaces)
        prev_space = FALSE;
    }

  /* Trailing whitespace. */
  if (spm->remove_extra_whitespaces)
    {
      const char *space = spm->escape_whitespaces ? SPACE_SYMBOL : " ";
      gsize space_len = strlen (space);

      while (out->len - start >= space_len
             && memcmp (out->str + out->len - space_len, space, space_len) == 0)
        g_string_truncate (out, out->len - space_len);
    }

  if (spm->treat_whitespace_as_suffix && spm->add_dummy_prefix)
    g_string_append (out, spm->escape_whitespaces ? SPACE_SYMBOL : " ");
}

/* --- segments to ids -------------------------------------------------------- */

typedef struct {
  GArray   *ids;
  gboolean  prev_unk;
  gboolean  failed;
} id_sink;

/* A segment (`len` bytes at `s`) whose piece is `id`. */
static void
emit (const clip_spm *spm,
      id_sink        *sink,
      const char     *s,
      size_t          len,
      int32_t         id)
{
  gboolean unk = id == spm->unk_id;

  /* A control piece has no surface: SentencePiece finds the text it
   * covers unaccounted for and fails the whole encoding (no ids).  Only
   * BPE can get here, when a symbol's text is also a control piece's. */
  if (spm->pieces[id].type == SPM_CONTROL)
    sink->failed = TRUE;
  if (unk && spm->byte_fallback)
    for (size_t i = 0; i < len; i++)
      g_array_append_val (sink->ids, spm->byte_id[(uint8_t) s[i]]);
  else if (!(unk && sink->prev_unk))
    g_array_append_val (sink->ids, id);
  sink->prev_unk = unk;
}

/* SentencePiece's PieceToId: reserved pieces first, then the others,
 * unknown when neither. */
static int32_t
piece_to_id (const clip_spm *spm,
             const char     *s,
             size_t          len)
{
  int32_t id = spm_table_find (spm, &spm->reserved, s, len);

  if (id < 0)
    id = spm_table_find (spm, &spm->normal, s, len);
  return id >= 0 ? id : spm->unk_id;
}

/* --- unigram -------------------------------------------------------------- */

typedef struct {
  int32_t id;
  float   score;      /* of the best path ending here */
  int32_t starts_at;  /* -1: no path yet */
} best_node;

static void
encode_unigram (const clip_spm *spm,
                const char     *s,
                size_t          len,
                id_sink        *sink)
{
  g_autofree best_node *best = g_new (best_node, len + 1);
  const float unk_score = spm->min_score - UNK_PENALTY;
  g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (int32_t));

  for (size_t i = 0; i <= len; i++)
    best[i] = (best_node) { .id = -1, .score = 0.0f, .starts_at = -1 };

  for (size_t start = 0; start < len;)
    {
      const float here = best[start].score;
      const size_t char_len = MIN (one_char_len (s + start), len - start);
      const size_t max_len = MIN (spm->max_piece_len, len - start);
      gboolean has_single = FALSE;
      guint32 h = SPM_HASH_INIT;

      /* Every piece starting here, shortest first (SentencePiece walks its
       * trie byte by byte; the first of equal scores stays). */
      for (size_t n = 1; n <= max_len; n++)
        {
          int32_t id;
          const spm_piece *p;
          double score, candidate;
          best_node *target;

          h = spm_hash_step (h, s[start + n - 1]);
          id = spm_table_find_hashed (spm, &spm->normal, s + start, n, h);
          if (id < 0)
            continue;
          p = &spm->pieces[id];
          if (p->type == SPM_UNUSED)
            continue;
          target = &best[start + n];
          /* As SentencePiece computes it: a double, stored as a float. */
          score = p->type == SPM_USER_DEFINED ? (double) ((float) n * spm->max_score) - 0.1
                                              : (double) p->score;
          candidate = score + (double) here;
          if (target->starts_at < 0 || candidate > (double) target->score)
            {
              target->score = (float) candidate;
              target->starts_at = (int32_t) start;
              target->id = id;
            }
          if (n == char_len)
            has_single = TRUE;
        }
      if (!has_single)
        {
          best_node *target = &best[start + char_len];
          float candidate = unk_score + here;

          if (target->starts_at < 0 || candidate > target->score)
            {
              target->score = candidate;
              target->starts_at = (int32_t) start;
              target->id = spm->unk_id;
            }
        }
      start += char_len;
    }

  /* Back from the end, then forwards. */
  for (size_t end = len; end > 0; end = (size_t) best[end].starts_at)
    {
      int32_t e = (int32_t) end;
      g_array_append_val (path, e);
    }
  for (guint k = path->len; k > 0; k--)
    {
      size_t end = (size_t) g_array_index (path, int32_t, k - 1);
      size_t begin = (size_t) best[end].starts_at;
      emit (spm, sink, s + begin, end - begin, best[end].id);
    }
}

/* --- BPE ------------------------------------------------------------------ */

typedef struct {
  int32_t  prev, next;
  uint32_t start, len;  /* len 0: merged into its left neighbour */
  gboolean freeze;      /* a user-defined piece: never merged */
} symbol;

typedef struct {
  float    score;
  int32_t  left, right;
  uint32_t size;
} pair;

/* The agenda's order: the highest score first, the leftmost on a tie. */
static inline gboolean
pair_before (const pair *a,
             const pair *b)
{
  return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void
heap_push (GArray *heap,
           pair    p)
{
  pair *h;
  guint i;

  g_array_append_val (heap, p);
  h = (pair *) heap->data;
  for (i = heap->len - 1; i > 0;)
    {
      guint parent = (i - 1) / 2;
      if (!pair_before (&h[i], &h[parent]))
        break;
      pair t = h[i];
      h[i] = h[parent];
      h[parent] = t;
      i = parent;
    }
}

static pair
heap_pop (GArray *heap)
{
  pair *h = (pair *) heap->data;
  pair top = h[0];
  guint n = heap->len - 1, i = 0;

  h[0] = h[n];
  g_array_set_size (heap, n);
  h = (pair *) heap->data;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      if (l < n && pair_before (&h[l], &h[m]))
        m = l;
      if (r < n && pair_before (&h[r], &h[m]))
        m = r;
      if (m == i)
        break;
      pair t = h[i];
      h[i] = h[m];
      h[m] = t;
      i = m;
    }
  return top;
}

typedef struct {
  const clip_spm *spm;
  const char     *s;
  GArray         *symbols;
  GArray         *heap;
  GHashTable     *unused_split;  /* an UNUSED piece made -> its left part's length */
} bpe_state;

static void
maybe_add_pair (bpe_state *st,
                int32_t    left,
                int32_t    right)
{
  const symbol *sym = (const symbol *) st->symbols->data;
  const spm_piece *p;
  uint32_t size;
  int32_t id;

  if (left < 0 || right < 0 || sym[left].freeze || sym[right].freeze)
    return;
  size = sym[left].len + sym[right].len;
  id = spm_table_find (st->spm, &st->spm->normal, st->s + sym[left].start, size);
  if (id < 0)
    return;
  p = &st->spm->pieces[id];
  heap_push (st->heap, (pair) { .score = p->score, .left = left, .right = right,
                                .size = size });
  if (p->type == SPM_UNUSED)
    {
      if (st->unused_split == NULL)
        st->unused_split = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (st->unused_split, g_strndup (st->s + sym[left].start, size),
                           GUINT_TO_POINTER (sym[left].len));
    }
}

/* SentencePiece's resegment: an UNUSED piece back into the two pieces the
 * merge made it from, recursively. */
static void
emit_bpe_segment (bpe_state  *st,
                  id_sink    *sink,
                  const char *s,
                  size_t      len,
                  int         depth)
{
  int32_t id = piece_to_id (st->spm, s, len);
  gpointer left_len;

  if (st->spm->pieces[id].type == SPM_UNUSED && st->unused_split != NULL && depth < 64)
    {
      g_autofree char *key = g_strndup (s, len);
      if (g_hash_table_lookup_extended (st->unused_split, key, NULL, &left_len))
        {
          size_t l = GPOINTER_TO_UINT (left_len);
          emit_bpe_segment (st, sink, s, l, depth + 1);
          emit_bpe_segment (st, sink, s + l, len - l, depth + 1);
          return;
        }
    }
  emit (st->spm, sink, s, len, id);
}

static void
encode_bpe (const clip_spm *spm,
            const char     *s,
            size_t          len,
            id_sink        *sink)
{
  bpe_state st = {
    .spm = spm,
    .s = s,
    .symbols = g_array_new (FALSE, FALSE, sizeof (symbol)),
    .heap = g_array_new (FALSE, FALSE, sizeof (pair)),
  };
  symbol *sym;

  for (size_t pos = 0; pos < len;)
    {
      size_t n = user_defined_prefix (spm, s + pos, len - pos);
      symbol y = { .prev = (int32_t) st.symbols->len - 1, .start = (uint32_t) pos,
                   .freeze = n > 0 };

      if (n == 0)
        n = MIN (one_char_len (s + pos), len - pos);
      y.len = (uint32_t) n;
      pos += n;
      y.next = pos < len ? (int32_t) st.symbols->len + 1 : -1;
      g_array_append_val (st.symbols, y);
    }
  for (guint i = 1; i < st.symbols->len; i++)
    maybe_add_pair (&st, (int32_t) i - 1, (int32_t) i);

  while (st.heap->len > 0)
    {
      pair top = heap_pop (st.heap);
      symbol *l, *r;

      sym = (symbol *) st.symbols->data;
      l = &sym[top.left];
      r = &sym[top.right];
      /* Stale: one side was merged away or grew since. */
      if (l->len == 0 || r->len == 0 || l->len + r->len != top.size)
        continue;
      l->len += r->len;
      l->next = r->next;
      if (r->next >= 0)
        sym[r->next].prev = top.left;
      r->len = 0;
      maybe_add_pair (&st, l->prev, top.left);
      maybe_add_pair (&st, top.left, l->next);
    }

  sym = (symbol *) st.symbols->data;
  for (int32_t i = st.symbols->len > 0 ? 0 : -1; i >= 0; i = sym[i].next)
    emit_bpe_segment (&st, sink, s + sym[i].start, sym[i].len, 0);

  g_array_free (st.symbols, TRUE);
  g_array_free (st.heap, TRUE);
  if (st.unused_split != NULL)
    g_hash_table_destroy (st.unused_split);
}

int32_t *
clip_spm_encode (const clip_spm *spm,
                 const char     *text,
                 long            len,
                 size_t         *n_ids)
{
  g_autoptr (GString) normalized = g_string_new (NULL);
  /* Sized: g_array_free returns an array even when it stays empty. */
  id_sink sink = { .ids = g_array_sized_new (FALSE, FALSE, sizeof (int32_t), 16),
                   .prev_unk = FALSE };
  size_t n = len < 0 ? (text != NULL ? strlen (text) : 0) : (size_t) len;

  if (spm != NULL && text != NULL)
    {
      spm_normalize (spm, text, n, normalized);
      if (normalized->len > 0)
        {
          if (spm->kind == CLIP_SPM_BPE)
            encode_bpe (spm, normalized->str, normalized->len, &sink);
          else
            encode_unigram (spm, normalized->str, normalized->len, &sink);
        }
    }
  if (sink.failed)
    g_array_set_size (sink.ids, 0);
  if (n_ids != NULL)
    *n_ids = sink.ids->len;
  return (int32_t *) g_array_free (sink.ids, FALSE);
}
