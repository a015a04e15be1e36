/* clip-tokenizer-private.h - the tokenizer's structure and the helpers
 * its files share: clip-tokenizer.c (BPE and encoding),
 * clip-tokenizer-text.c (cleaning and pre-tokenisation) and
 * clip-tokenizer-load.c (vocab.json and merges.txt).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (clip_tokenizer, clip_tokenizer_free)

/* The merge table (clip-tokenizer.c finds merges, clip-tokenizer-load.c
 * fills it). */
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

/* clip-tokenizer-text.c */

/* Cleans `len` bytes of text into a newly allocated code point array. */
gunichar *clip_tok_clean_text     (const char     *text,
                                   long            len,
                                   size_t         *n_out);
/* The length of the pre-token that CLIP's pattern matches at t[i]
 * (alternatives in order, IGNORECASE), or 0 when nothing matches there. */
size_t    clip_tok_match_pretoken (const gunichar *t,
                                   size_t          i,
                                   size_t          n);
