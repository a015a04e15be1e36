/* clip-spm-private.h - the SentencePiece tokenizer's structure, shared by
 * clip-spm-load.c (the .model protobuf) and clip-spm.c (normaliser and
 * encoders).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "clip-private.h"

/* ModelProto.SentencePiece.Type */
enum {
  SPM_NORMAL       = 1,
  SPM_UNKNOWN      = 2,
  SPM_CONTROL      = 3,
  SPM_USER_DEFINED = 4,
  SPM_UNUSED       = 5,
  SPM_BYTE         = 6,
};

/* Refusal bounds for what a .model may declare (the real ones: Gemma has
 * 256000 pieces of at most a few dozen bytes, nmt_nfkc's charsmap is
 * 238 kB). */
#define SPM_MAX_PIECES    (1 << 22)
#define SPM_MAX_PIECE_LEN 1024
/* The charsmap's keys and replacements (nmt_nfkc's longest are a few
 * dozen bytes): a longer replacement is refused, a key is not looked for
 * past this depth, so a hostile trie cannot make a text cost more. */
#define SPM_MAX_NORM_LEN  1024

typedef struct {
  const char *text;     /* into clip_spm.strings; not NUL-terminated */
  uint32_t    len;
  float       score;
  uint8_t     type;
} spm_piece;

/* An open-addressing table of byte strings -> piece id. */
typedef struct {
  int32_t  *slots;      /* piece id, -1 empty */
  uint32_t  mask;
} spm_table;

struct clip_spm {
  clip_spm_kind kind;
  int32_t    n_pieces;
  spm_piece *pieces;
  char      *strings;           /* the whole file: the pieces point into it */

  /* SentencePiece's two maps: NORMAL, USER_DEFINED and UNUSED pieces are
   * "pieces" (what the encoders may produce); UNKNOWN, CONTROL and BYTE are
   * "reserved", looked up first when a surface becomes an id. */
  spm_table  normal;
  spm_table  reserved;
  uint32_t   max_piece_len;     /* of the normal pieces */
  uint32_t   max_user_len;      /* of the user-defined ones; 0: none */

  int32_t    unk_id, bos_id, eos_id, pad_id;
  int32_t    byte_id[256];      /* with byte_fallback */
  gboolean   byte_fallback;
  gboolean   treat_whitespace_as_suffix;
  float      min_score, max_score;  /* over the NORMAL pieces (unigram) */

  /* normalizer_spec */
  gboolean   add_dummy_prefix;
  gboolean   remove_extra_whitespaces;
  gboolean   escape_whitespaces;
  char      *norm_name;         /* the rule's name (nmt_nfkc...): the charsmap is what counts */
  uint32_t  *trie;              /* the charsmap's double-array units, or NULL */
  uint32_t   trie_units;
  char      *norm_strings;      /* its NUL-separated replacement strings (+ a NUL) */
  uint32_t   norm_strings_len;
};

/* FNV-1a, byte by byte: the hash of a string extended by one byte is
 * one step from its prefix's, so the pieces at a position are looked up
 * in time linear in the longest. */
#define SPM_HASH_INIT 2166136261u
static inline guint32
spm_hash_step (guint32 h,
               char    c)
{
  return (h ^ (uint8_t) c) * 16777619u;
}

/* The piece id of `len` bytes at `s` in `t`, or -1; `hash` is their
 * hash (spm_table_find computes it). */
int32_t spm_table_find_hashed (const clip_spm  *spm,
                               const spm_table *t,
                               const char      *s,
                               size_t           len,
                               guint32          hash);
int32_t spm_table_find        (const clip_spm  *spm,
                               const spm_table *t,
                               const char      *s,
                               size_t           len);

/* SentencePiece's normalisation of `len` bytes: appended to `out`. */
void    spm_normalize  (const clip_spm *spm,
                        const char     *text,
                        size_t          len,
                        GString        *out);

/* The length of the well-formed UTF-8 character at `s` (of `len` bytes),
 * or 0, by SentencePiece's rules (shortest form, no surrogates). */
size_t  spm_valid_char_len (const char *s,
                            size_t      len);
