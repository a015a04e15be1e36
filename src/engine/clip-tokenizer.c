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

#include <glib.h>

#include "clip-tokenizer-private.h"

/* ---------------------------------------------------------------------------
 * BPE
 * ------------------------------------------------------------------------- */


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

  t = clip_tok_clean_text (text, len, &n);

  /* One content id more than fits is enough to know the text is cut. */
  max_content = (size_t) context_length - 1;
  content = g_array_new (FALSE, FALSE, sizeof (int32_t));
  word = g_string_new (NULL);
  for (size_t i = 0; i < n && content->len < max_content; )
    {
      size_t m = clip_tok_match_pretoken (t, i, n);

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
