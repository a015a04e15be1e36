/* clip-spm-load.c - reading a SentencePiece .model (ModelProto).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A .model is a protobuf ModelProto (sentencepiece_model.proto):
 *
 *   1 repeated SentencePiece pieces   { 1 piece, 2 float score, 3 Type type }
 *   2 TrainerSpec trainer_spec        (3 model_type, 24 treat_whitespace_as_suffix,
 *                                      35 byte_fallback, 44-47 unk/bos/eos/pad piece)
 *   3 NormalizerSpec normalizer_spec  (1 name, 2 precompiled_charsmap,
 *                                      3 add_dummy_prefix, 4 remove_extra_whitespaces,
 *                                      5 escape_whitespaces)
 *   4 self_test_data, 5 denormalizer_spec: not needed to encode, skipped.
 *
 * The file comes from wherever the user got the model, so the reader is
 * bounded: every length is checked against what is left of its message,
 * a known field of the wrong wire type, a varint of more than 10 bytes and
 * groups are refused, each with the offset where it happened.  The checks
 * SentencePiece makes when it loads a model are made too (no empty or
 * duplicate piece, one unknown piece, byte pieces only with byte_fallback
 * and then all 256 of them).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clip-spm-private.h"

typedef struct {
  const uint8_t *base;  /* the whole file: offsets in messages are from here */
  const char    *name;  /* the path, for messages */
  char         **error;
} loader;

typedef struct {
  const uint8_t *p;
  const uint8_t *end;
  const char    *message;  /* the protobuf message being read */
} reader;

/* Wire types. */
enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

static clip_status
fail (loader        *l,
      const uint8_t *at,
      const char    *format,
      ...) G_GNUC_PRINTF (3, 4);

static clip_status
fail (loader        *l,
      const uint8_t *at,
      const char    *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                         "%s: not a SentencePiece model: at byte %zu, %s",
                         l->name, (size_t) (at - l->base), what);
}

static clip_status
read_varint (loader  *l,
             reader  *r,
             guint64 *out)
{
  guint64 v = 0;
  const uint8_t *start = r->p;

  for (int shift = 0; shift < 70; shift += 7)
    {
      if (r->p >= r->end)
        return fail (l, start, "%s: a varint runs past the end of its message", r->message);
      uint8_t b = *r->p++;
      if (shift == 63 && b > 1)
        return fail (l, start, "%s: a varint overflows 64 bits", r->message);
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *out = v;
          return CLIP_STATUS_OK;
        }
    }
  return fail (l, start, "%s: a varint is longer than 10 bytes", r->message);
}

/* Reads a field's key: its number and wire type. */
static clip_status
read_key (loader   *l,
          reader   *r,
          guint32  *field,
          int      *wire)
{
  const uint8_t *at = r->p;
  guint64 key = 0;
  clip_status status = read_varint (l, r, &key);

  if (status != CLIP_STATUS_OK)
    return status;
  if ((key >> 3) == 0 || (key >> 3) > G_MAXINT32)
    return fail (l, at, "%s: field number %" G_GUINT64_FORMAT " is not valid",
                 r->message, key >> 3);
  *field = (guint32) (key >> 3);
  *wire = (int) (key & 7);
  if (*wire != WIRE_VARINT && *wire != WIRE_I64 && *wire != WIRE_LEN && *wire != WIRE_I32)
    return fail (l, at, "%s: field %u has wire type %d (groups and unknown types are not read)",
                 r->message, *field, *wire);
  return CLIP_STATUS_OK;
}

/* A length-delimited field's contents, as a reader of them. */
static clip_status
read_len (loader     *l,
          reader     *r,
          const char *message,
          reader     *sub)
{
  const uint8_t *at = r->p;
  guint64 n = 0;
  clip_status status = read_varint (l, r, &n);

  if (status != CLIP_STATUS_OK)
    return status;
  if (n > (guint64) (r->end - r->p))
    return fail (l, at, "%s: a field of %" G_GUINT64_FORMAT " bytes runs past the end of its "
                 "message (%zu bytes left): the file is truncated or corrupt",
                 r->message, n, (size_t) (r->end - r->p));
  sub->p = r->p;
  sub->end = r->p + n;
  sub->message = message;
  r->p += n;
  return CLIP_STATUS_OK;
}

static clip_status
skip_field (loader *l,
            reader *r,
            int     wire)
{
  guint64 v;
  reader sub;

  switch (wire)
    {
    case WIRE_VARINT:
      return read_varint (l, r, &v);
    case WIRE_LEN:
      return read_len (l, r, r->message, &sub);
    case WIRE_I64:
    case WIRE_I32:
      {
        size_t n = wire == WIRE_I64 ? 8 : 4;
        if ((size_t) (r->end - r->p) < n)
          return fail (l, r->p, "%s: a %zu-byte field runs past the end of its message",
                       r->message, n);
        r->p += n;
        return CLIP_STATUS_OK;
      }
    default:
      g_assert_not_reached ();
    }
}

static clip_status
expect_wire (loader     *l,
             reader     *r,
             const char *field_name,
             int         wire,
             int         expected)
{
  static const char *const names[] = { "varint", "64-bit", "length-delimited", "", "",
                                       "32-bit" };
  if (wire == expected)
    return CLIP_STATUS_OK;
  return fail (l, r->p, "%s.%s has wire type %d (%s), not %d (%s)", r->message, field_name,
               wire, names[wire], expected, names[expected]);
}

typedef struct {
  GArray     *pieces;        /* spm_piece */
  guint64     model_type;
  gboolean    byte_fallback;
  gboolean    treat_whitespace_as_suffix;
  const char *special[4];    /* unk, bos, eos, pad piece */
  uint32_t    special_len[4];
  gboolean    add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
  reader      name;
  reader      charsmap;
} model_fields;

static clip_status
read_piece (loader       *l,
            reader       *r,
            model_fields *m)
{
  spm_piece piece = { .text = NULL, .len = 0, .score = 0.0f, .type = SPM_NORMAL };
  const uint8_t *start = r->p;
  gboolean has_piece = FALSE;
  clip_status status;

  if (m->pieces->len >= SPM_MAX_PIECES)
    return fail (l, start, "more than %d pieces", SPM_MAX_PIECES);
  while (r->p < r->end)
    {
      guint32 field;
      int wire;
      guint64 v;
      reader sub;

      if ((status = read_key (l, r, &field, &wire)) != CLIP_STATUS_OK)
        return status;
      switch (field)
        {
        case 1:
          if ((status = expect_wire (l, r, "piece", wire, WIRE_LEN)) != CLIP_STATUS_OK
              || (status = read_len (l, r, "SentencePiece.piece", &sub)) != CLIP_STATUS_OK)
            return status;
          if (sub.end - sub.p > SPM_MAX_PIECE_LEN)
            return fail (l, sub.p, "piece %u is %zu bytes long, more than %d", m->pieces->len,
                         (size_t) (sub.end - sub.p), SPM_MAX_PIECE_LEN);
          piece.text = (const char *) sub.p;
          piece.len = (uint32_t) (sub.end - sub.p);
          has_piece = TRUE;
          break;
        case 2:
          if ((status = expect_wire (l, r, "score", wire, WIRE_I32)) != CLIP_STATUS_OK
              || (status = skip_field (l, r, wire)) != CLIP_STATUS_OK)
            return status;
          {
            guint32 bits = (guint32) r->p[-4] | (guint32) r->p[-3] << 8
                           | (guint32) r->p[-2] << 16 | (guint32) r->p[-1] << 24;
            memcpy (&piece.score, &bits, sizeof piece.score);
          }
          break;
        case 3:
          if ((status = expect_wire (l, r, "type", wire, WIRE_VARINT)) != CLIP_STATUS_OK
              || (status = read_varint (l, r, &v)) != CLIP_STATUS_OK)
            return status;
          if (v < SPM_NORMAL || v > SPM_BYTE)
            return fail (l, r->p, "piece %u has type %" G_GUINT64_FORMAT ", not one of 1-6",
                         m->pieces->len, v);
          piece.type = (uint8_t) v;
          break;
        default:
          if ((status = skip_field (l, r, wire)) != CLIP_STATUS_OK)
            return status;
        }
    }
  if (!has_piece || piece.len == 0)
    return fail (l, start, "piece %u is empty", m->pieces->len);
  if (!isfinite (piece.score))
    return fail (l, start, "piece %u has a score that is not a finite number", m->pieces->len);
  g_array_append_val (m->pieces, piece);
  return CLIP_STATUS_OK;
}

static clip_status
read_bool (loader   *l,
           reader   *r,
           const char *name,
           int       wire,
           gboolean *out)
{
  guint64 v;
  clip_status status;

  if ((status = expect_wire (l, r, name, wire, WIRE_VARINT)) != CLIP_STATUS_OK
      || (status = read_varint (l, r, &v)) != CLIP_STATUS_OK)
    return status;
  *out = v != 0;
  return CLIP_STATUS_OK;
}

static clip_status
read_trainer_spec (loader       *l,
                   reader       *r,
                   model_fields *m)
{
  clip_status status;

  while (r->p < r->end)
    {
      guint32 field;
      int wire;
      reader sub;

      if ((status = read_key (l, r, &field, &wire)) != CLIP_STATUS_OK)
        return status;
      switch (field)
        {
        case 3:
          if ((status = expect_wire (l, r, "model_type", wire, WIRE_VARINT)) != CLIP_STATUS_OK
              || (status = read_varint (l, r, &m->model_type)) != CLIP_STATUS_OK)
            return status;
          break;
        case 24:
          if ((status = read_bool (l, r, "treat_whitespace_as_suffix", wire,
                                   &m->treat_whitespace_as_suffix)) != CLIP_STATUS_OK)
            return status;
          break;
        case 35:
          if ((status = read_bool (l, r, "byte_fallback", wire, &m->byte_fallback))
              != CLIP_STATUS_OK)
            return status;
          break;
        case 44:
        case 45:
        case 46:
        case 47:
          if ((status = expect_wire (l, r, "unk/bos/eos/pad_piece", wire, WIRE_LEN))
                != CLIP_STATUS_OK
              || (status = read_len (l, r, "TrainerSpec", &sub)) != CLIP_STATUS_OK)
            return status;
          m->special[field - 44] = (const char *) sub.p;
          m->special_len[field - 44] = (uint32_t) (sub.end - sub.p);
          break;
        default:
          if ((status = skip_field (l, r, wire)) != CLIP_STATUS_OK)
            return status;
        }
    }
  return CLIP_STATUS_OK;
}

static clip_status
read_normalizer_spec (loader       *l,
                      reader       *r,
                      model_fields *m)
{
  clip_status status;

  while (r->p < r->end)
    {
      guint32 field;
      int wire;

      if ((status = read_key (l, r, &field, &wire)) != CLIP_STATUS_OK)
        return status;
      switch (field)
        {
        case 1:
          if ((status = expect_wire (l, r, "name", wire, WIRE_LEN)) != CLIP_STATUS_OK
              || (status = read_len (l, r, "NormalizerSpec.name", &m->name)) != CLIP_STATUS_OK)
            return status;
          break;
        case 2:
          if ((status = expect_wire (l, r, "precompiled_charsmap", wire, WIRE_LEN))
                != CLIP_STATUS_OK
              || (status = read_len (l, r, "NormalizerSpec.precompiled_charsmap",
                                     &m->charsmap)) != CLIP_STATUS_OK)
            return status;
          break;
        case 3:
          if ((status = read_bool (l, r, "add_dummy_prefix", wire, &m->add_dummy_prefix))
              != CLIP_STATUS_OK)
            return status;
          break;
        case 4:
          if ((status = read_bool (l, r, "remove_extra_whitespaces", wire,
                                   &m->remove_extra_whitespaces)) != CLIP_STATUS_OK)
            return status;
          break;
        case 5:
          if ((status = read_bool (l, r, "escape_whitespaces", wire, &m->escape_whitespaces))
              != CLIP_STATUS_OK)
            return status;
          break;
        default:
          if ((status = skip_field (l, r, wire)) != CLIP_STATUS_OK)
            return status;
        }
    }
  return CLIP_STATUS_OK;
}

/* --- the piece tables ------------------------------------------------------ */

static guint32
hash_bytes (const char *s,
            size_t      len)
{
  guint32 h = SPM_HASH_INIT;

  for (size_t i = 0; i < len; i++)
    h = spm_hash_step (h, s[i]);
  return h;
}

int32_t
spm_table_find_hashed (const clip_spm  *spm,
                       const spm_table *t,
                       const char      *s,
                       size_t           len,
                       guint32          hash)
{
  guint32 i;

  if (t->slots == NULL)
    return -1;
  for (i = hash & t->mask;; i = (i + 1) & t->mask)
    {
      int32_t id = t->slots[i];
      if (id < 0)
        return -1;
      if (spm->pieces[id].len == len && memcmp (spm->pieces[id].text, s, len) == 0)
        return id;
    }
}

int32_t
spm_table_find (const clip_spm  *spm,
                const spm_table *t,
                const char      *s,
                size_t           len)
{
  return spm_table_find_hashed (spm, t, s, len, hash_bytes (s, len));
}

/* Inserts piece `id`; returns the id already holding its text, or -1. */
static int32_t
table_insert (const clip_spm *spm,
              spm_table      *t,
              int32_t         id)
{
  const spm_piece *p = &spm->pieces[id];
  guint32 i;

  for (i = hash_bytes (p->text, p->len) & t->mask;; i = (i + 1) & t->mask)
    {
      int32_t other = t->slots[i];
      if (other < 0)
        {
          t->slots[i] = id;
          return -1;
        }
      if (spm->pieces[other].len == p->len && memcmp (spm->pieces[other].text, p->text,
                                                      p->len) == 0)
        return other;
    }
}

static void
table_init (spm_table *t,
            guint32    n)
{
  guint32 size = 16;

  while (size < 2 * n)
    size *= 2;
  t->slots = g_new (int32_t, size);
  memset (t->slots, 0xff, size * sizeof (int32_t));
  t->mask = size - 1;
}

/* "<0x41>" -> 0x41, or -1 (SentencePiece writes them as "<0x%02X>"). */
static int
byte_piece_value (const spm_piece *p)
{
  static const char hex[] = "0123456789ABCDEF";
  const char *hi, *lo;

  if (p->len != 6 || memcmp (p->text, "<0x", 3) != 0 || p->text[5] != '>'
      || p->text[3] == '\0' || p->text[4] == '\0')
    return -1;
  hi = strchr (hex, p->text[3]);
  lo = strchr (hex, p->text[4]);
  if (hi == NULL || lo == NULL)
    return -1;
  return (int) ((hi - hex) * 16 + (lo - hex));
}

static char *
printable_piece (const spm_piece *p)
{
  g_autofree char *raw = g_strndup (p->text, p->len);
  return g_strescape (raw, NULL);
}

static clip_status
build (loader       *l,
       model_fields *m,
       clip_spm     *spm)
{
  int n_unknown = 0, n_bytes = 0;
  guint32 n_normal = 0, n_reserved = 0;

  spm->n_pieces = (int32_t) m->pieces->len;
  spm->pieces = (spm_piece *) g_array_free (g_steal_pointer (&m->pieces), FALSE);
  if (spm->n_pieces == 0)
    return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                           "%s: not a SentencePiece model: it has no pieces", l->name);
  for (int32_t i = 0; i < spm->n_pieces; i++)
    {
      guint8 type = spm->pieces[i].type;
      if (type == SPM_NORMAL || type == SPM_USER_DEFINED || type == SPM_UNUSED)
        n_normal++;
      else
        n_reserved++;
    }
  table_init (&spm->normal, n_normal);
  table_init (&spm->reserved, n_reserved);
  spm->unk_id = -1;
  spm->min_score = G_MAXFLOAT;
  spm->max_score = G_MINFLOAT;  /* as SentencePiece: FLT_MIN, the smallest positive */
  for (int i = 0; i < 256; i++)
    spm->byte_id[i] = -1;

  for (int32_t i = 0; i < spm->n_pieces; i++)
    {
      const spm_piece *p = &spm->pieces[i];
      gboolean normal = p->type == SPM_NORMAL || p->type == SPM_USER_DEFINED
                        || p->type == SPM_UNUSED;
      int32_t other = table_insert (spm, normal ? &spm->normal : &spm->reserved, i);

      if (other >= 0)
        {
          g_autofree char *text = printable_piece (p);
          return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                                 "%s: not a SentencePiece model: piece %d \"%s\" is also piece %d",
                                 l->name, i, text, other);
        }
      if (normal)
        spm->max_piece_len = MAX (spm->max_piece_len, p->len);
      if (p->type == SPM_USER_DEFINED)
        spm->max_user_len = MAX (spm->max_user_len, p->len);
      if (p->type == SPM_NORMAL)
        {
          spm->min_score = MIN (spm->min_score, p->score);
          spm->max_score = MAX (spm->max_score, p->score);
        }
      if (p->type == SPM_UNKNOWN)
        {
          if (n_unknown++ > 0)
            return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                                   "%s: not a SentencePiece model: pieces %d and %d are both "
                                   "the unknown piece", l->name, spm->unk_id, i);
          spm->unk_id = i;
        }
      if (p->type == SPM_BYTE)
        {
          int b = byte_piece_value (p);
          g_autofree char *text = printable_piece (p);

          if (!m->byte_fallback)
            return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                                   "%s: not a SentencePiece model: piece %d \"%s\" is a byte "
                                   "piece but byte_fallback is off", l->name, i, text);
          if (b < 0)
            return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                                   "%s: not a SentencePiece model: byte piece %d \"%s\" is not "
                                   "<0x00> to <0xFF>", l->name, i, text);
          n_bytes++;
        }
    }
  if (spm->unk_id < 0)
    return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                           "%s: not a SentencePiece model: it has no unknown piece", l->name);
  spm->byte_fallback = m->byte_fallback;
  if (m->byte_fallback)
    {
      /* The ids SentencePiece gives bytes: its PieceToId of "<0xXX>". */
      for (int b = 0; b < 256; b++)
        {
          char name[8];
          int32_t id;

          g_snprintf (name, sizeof name, "<0x%02X>", b);
          id = spm_table_find (spm, &spm->reserved, name, 6);
          if (id < 0 || spm->pieces[id].type != SPM_BYTE)
            return clip_set_error (l->error, CLIP_STATUS_FORMAT,
                                   "%s: not a SentencePiece model: byte_fallback is on but there "
                                   "is no byte piece %s (%d of the 256 are there)",
                                   l->name, name, n_bytes);
          spm->byte_id[b] = id;
        }
    }

  {
    static const char *const defaults[4] = { "<unk>", "<s>", "</s>", "<pad>" };
    int32_t *ids[4] = { NULL, &spm->bos_id, &spm->eos_id, &spm->pad_id };

    for (int k = 1; k < 4; k++)
      {
        const char *name = m->special[k] != NULL ? m->special[k] : defaults[k];
        size_t len = m->special[k] != NULL ? m->special_len[k] : strlen (defaults[k]);
        int32_t id = spm_table_find (spm, &spm->reserved, name, len);

        *ids[k] = id >= 0 && spm->pieces[id].type == SPM_CONTROL ? id : -1;
      }
  }
  return CLIP_STATUS_OK;
}

/* The precompiled charsmap: a little-endian uint32 size of the trie, the
 * trie (darts-clone double-array units, little-endian uint32s), then the
 * replacement strings, each NUL-terminated. */
static clip_status
read_charsmap (loader       *l,
               model_fields *m,
               clip_spm     *spm)
{
  const uint8_t *blob = m->charsmap.p;
  size_t size = (size_t) (m->charsmap.end - m->charsmap.p);
  guint32 trie_size;

  if (size == 0)
    return CLIP_STATUS_OK;
  if (size <= 4)
    return fail (l, blob, "the precompiled charsmap is %zu bytes, too short", size);
  trie_size = (guint32) blob[0] | (guint32) blob[1] << 8 | (guint32) blob[2] << 16
              | (guint32) blob[3] << 24;
  if (trie_size == 0 || trie_size % 4 != 0 || trie_size > size - 4)
    return fail (l, blob, "the precompiled charsmap's trie is %u bytes, which is not a "
                 "non-zero multiple of 4 within its %zu bytes", trie_size, size - 4);
  spm->trie_units = trie_size / 4;
  spm->trie = g_new (uint32_t, spm->trie_units);
  for (guint32 i = 0; i < spm->trie_units; i++)
    {
      const uint8_t *u = blob + 4 + 4 * (size_t) i;
      spm->trie[i] = (guint32) u[0] | (guint32) u[1] << 8 | (guint32) u[2] << 16
                     | (guint32) u[3] << 24;
    }
  spm->norm_strings_len = (uint32_t) (size - 4 - trie_size);
  /* A NUL after them all: a last string without its own ends there. */
  spm->norm_strings = g_malloc (spm->norm_strings_len + 1);
  memcpy (spm->norm_strings, blob + 4 + trie_size, spm->norm_strings_len);
  spm->norm_strings[spm->norm_strings_len] = '\0';
  {
    size_t run = 0;

    for (guint32 i = 0; i < spm->norm_strings_len; i++)
      if (spm->norm_strings[i] == '\0')
        run = 0;
      else if (++run > SPM_MAX_NORM_LEN)
        return fail (l, blob + 4 + trie_size + i,
                     "the precompiled charsmap has a replacement longer than %d bytes",
                     SPM_MAX_NORM_LEN);
  }
  return CLIP_STATUS_OK;
}

/* Takes `data` (g_malloc'ed, `size` bytes): the pieces point into it. */
static clip_status
load_owned (uint8_t    *data,
            size_t      size,
            const char *name,
            clip_spm  **out,
            char      **error)
{
  loader l = { .base = data, .name = name, .error = error };
  reader r = { .p = data, .end = data + size, .message = "ModelProto" };
  model_fields m = {
    .pieces = g_array_new (FALSE, FALSE, sizeof (spm_piece)),
    .model_type = CLIP_SPM_UNIGRAM,
    .add_dummy_prefix = TRUE,
    .remove_extra_whitespaces = TRUE,
    .escape_whitespaces = TRUE,
  };
  clip_spm *spm = g_new0 (clip_spm, 1);
  clip_status status = CLIP_STATUS_OK;
  gboolean has_trainer = FALSE;

  spm->strings = (char *) data;
  while (status == CLIP_STATUS_OK && r.p < r.end)
    {
      guint32 field;
      int wire;
      reader sub;

      if ((status = read_key (&l, &r, &field, &wire)) != CLIP_STATUS_OK)
        break;
      switch (field)
        {
        case 1:
          if ((status = expect_wire (&l, &r, "pieces", wire, WIRE_LEN)) == CLIP_STATUS_OK
              && (status = read_len (&l, &r, "SentencePiece", &sub)) == CLIP_STATUS_OK)
            status = read_piece (&l, &sub, &m);
          break;
        case 2:
          if ((status = expect_wire (&l, &r, "trainer_spec", wire, WIRE_LEN)) == CLIP_STATUS_OK
              && (status = read_len (&l, &r, "TrainerSpec", &sub)) == CLIP_STATUS_OK)
            status = read_trainer_spec (&l, &sub, &m);
          has_trainer = TRUE;
          break;
        case 3:
          if ((status = expect_wire (&l, &r, "normalizer_spec", wire, WIRE_LEN))
                == CLIP_STATUS_OK
              && (status = read_len (&l, &r, "NormalizerSpec", &sub)) == CLIP_STATUS_OK)
            status = read_normalizer_spec (&l, &sub, &m);
          break;
        default:
          status = skip_field (&l, &r, wire);
        }
    }
  if (status == CLIP_STATUS_OK && !has_trainer)
    status = clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s: not a SentencePiece model: it has no trainer_spec", name);
  if (status == CLIP_STATUS_OK && m.model_type != CLIP_SPM_UNIGRAM
      && m.model_type != CLIP_SPM_BPE)
    status = clip_set_error (error, m.model_type == 3 || m.model_type == 4
                                    ? CLIP_STATUS_UNSUPPORTED : CLIP_STATUS_FORMAT,
                             "%s: SentencePiece model type %" G_GUINT64_FORMAT " (%s) is not "
                             "supported: only unigram (1) and BPE (2) are", name, m.model_type,
                             m.model_type == 3 ? "word" : m.model_type == 4 ? "char"
                             : "unknown");
  if (status == CLIP_STATUS_OK)
    status = build (&l, &m, spm);
  if (status == CLIP_STATUS_OK)
    status = read_charsmap (&l, &m, spm);
  if (m.pieces != NULL)
    g_array_free (m.pieces, TRUE);
  if (status != CLIP_STATUS_OK)
    {
      clip_spm_free (spm);
      return status;
    }
  spm->kind = (clip_spm_kind) m.model_type;
  spm->treat_whitespace_as_suffix = m.treat_whitespace_as_suffix;
  spm->add_dummy_prefix = m.add_dummy_prefix;
  spm->remove_extra_whitespaces = m.remove_extra_whitespaces;
  spm->escape_whitespaces = m.escape_whitespaces;
  spm->norm_name = m.name.p != NULL ? g_strndup ((const char *) m.name.p,
                                                 (gsize) (m.name.end - m.name.p))
                                    : g_strdup ("");
  *out = spm;
  return CLIP_STATUS_OK;
}

clip_status
clip_spm_load_data (const void *data,
                    size_t      size,
                    clip_spm  **out,
                    char      **error)
{
  if (out == NULL || (data == NULL && size > 0))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_spm_load_data: no data");
  *out = NULL;
  if (size > CLIP_SPM_MAX_FILE)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "the SentencePiece model is %zu bytes, more than the %u MiB one may "
                           "have", size, CLIP_SPM_MAX_FILE >> 20);
  {
    /* One byte more: never a zero-sized allocation. */
    uint8_t *copy = g_malloc (size + 1);
    if (size > 0)
      memcpy (copy, data, size);
    return load_owned (copy, size, "the SentencePiece model", out, error);
  }
}

clip_status
clip_spm_load (const char *path,
               clip_spm  **out,
               char      **error)
{
  char *data = NULL;
  size_t len = 0;
  clip_status status;

  if (path == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_spm_load: no path");
  *out = NULL;
  status = clip_read_file_bounded (path, CLIP_SPM_MAX_FILE, "a SentencePiece model", &data, &len,
                                   error);
  if (status != CLIP_STATUS_OK)
    return status;
  if (len == 0)
    {
      g_free (data);
      return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: the file is empty", path);
    }
  return load_owned ((uint8_t *) data, len, path, out, error);
}

void
clip_spm_free (clip_spm *spm)
{
  if (spm == NULL)
    return;
  g_free (spm->pieces);
  g_free (spm->strings);
  g_free (spm->normal.slots);
  g_free (spm->reserved.slots);
  g_free (spm->norm_name);
  g_free (spm->trie);
  g_free (spm->norm_strings);
  g_free (spm);
}

clip_spm_kind
clip_spm_get_kind (const clip_spm *spm)
{
  return spm->kind;
}

int32_t
clip_spm_vocab_size (const clip_spm *spm)
{
  return spm->n_pieces;
}

int32_t
clip_spm_unk_id (const clip_spm *spm)
{
  return spm->unk_id;
}

int32_t
clip_spm_bos_id (const clip_spm *spm)
{
  return spm->bos_id;
}

int32_t
clip_spm_eos_id (const clip_spm *spm)
{
  return spm->eos_id;
}

int32_t
clip_spm_pad_id (const clip_spm *spm)
{
  return spm->pad_id;
}
