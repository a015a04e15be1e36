/* test-spm.c - the SentencePiece tokenizer against SentencePiece itself.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Truth comes from outside this code: tests/data/spm holds two models
 * trained by SentencePiece 0.1.97 (a unigram one as SigLIP's spiece.model,
 * a BPE one with byte fallback as Gemma's tokenizer.model) and the ids its
 * EncodeAsIds gave for 3253 strings in many scripts, invalid UTF-8
 * included (tools/make-spm-goldens.py).  Every id must be the same.  The
 * refusals are of files written here byte by byte, broken in one way each,
 * and of every prefix of a real model.
 *
 * CLIPSIGHT_SPM_EXTRA=DIR also checks DIR/unigram.model against
 * DIR/unigram-ids.json (make-spm-goldens.py --full-nfkc DIR: the real
 * nmt_nfkc charsmap, too big to commit).
 */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "test-util.h"

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "spm", name, NULL);
}

static clip_spm *
load_ok (const char *path)
{
  clip_spm *spm = NULL;
  char *error = NULL;
  clip_status status = clip_spm_load (path, &spm, &error);

  if (status != CLIP_STATUS_OK)
    g_error ("loading %s: %s", path, error);
  g_assert_null (error);
  g_assert_nonnull (spm);
  return spm;
}

static char *
format_ids (const int32_t *ids,
            size_t         n)
{
  GString *s = g_string_new ("[");

  for (size_t i = 0; i < n; i++)
    g_string_append_printf (s, "%s%d", i > 0 ? ", " : "", ids[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Encodes every case of `cases` with `spm` (`model` names it); returns
 * the number of cases and sets *same to how many gave exactly
 * SentencePiece's ids. */
static guint
compare_cases (clip_spm   *spm,
               const char *model,
               JsonArray  *cases,
               guint      *same)
{
  guint n = json_array_get_length (cases), shown = 0;

  *same = 0;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonArray *want = json_object_get_array_member (c, "ids");
      g_autofree guchar *bytes = NULL;
      gsize len;
      g_autofree int32_t *ids = NULL;
      size_t n_ids;
      gboolean ok;

      if (json_object_has_member (c, "hex"))
        {
          const char *hex = json_object_get_string_member (c, "hex");
          len = strlen (hex) / 2;
          bytes = g_malloc (len + 1);
          for (gsize k = 0; k < len; k++)
            bytes[k] = (guchar) (g_ascii_xdigit_value (hex[2 * k]) * 16
                                 + g_ascii_xdigit_value (hex[2 * k + 1]));
        }
      else
        {
          const char *text = json_object_get_string_member (c, "text");
          len = strlen (text);
          bytes = (guchar *) g_strdup (text);
        }
      ids = clip_spm_encode (spm, (const char *) bytes, (long) len, &n_ids);
      g_assert_nonnull (ids);
      ok = n_ids == json_array_get_length (want);
      for (size_t k = 0; ok && k < n_ids; k++)
        ok = ids[k] == json_array_get_int_element (want, (guint) k);
      if (ok)
        (*same)++;
      else if (shown++ < 10)
        {
          g_autofree char *got = format_ids (ids, n_ids);
          g_autofree char *escaped = g_strescape ((const char *) bytes, NULL);
          g_autofree char *expected = json_to_string (json_object_get_member (c, "ids"), FALSE);
          g_test_message ("%s case %u \"%s\": got %s, SentencePiece %s", model, i, escaped,
                          got, expected);
        }
    }
  return n;
}

static guint
compare_goldens (const char *model,
                 const char *golden,
                 guint      *same)
{
  clip_spm *spm = load_ok (model);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *cases;
  guint n;

  json_parser_load_from_file (parser, golden, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "cases");
  n = compare_cases (spm, model, cases, same);
  clip_spm_free (spm);
  return n;
}

static void
check_model (const char *model_name,
             const char *golden_name)
{
  g_autofree char *model = data_path (model_name);
  g_autofree char *golden = data_path (golden_name);
  guint same, n = compare_goldens (model, golden, &same);

  g_test_message ("%s: %u of %u strings give SentencePiece's ids", model_name, same, n);
  g_assert_cmpuint (n, >=, 3000);
  g_assert_cmpuint (same, ==, n);
}

static void
test_unigram_goldens (void)
{
  check_model ("unigram.model", "unigram-ids.json");
}

static void
test_bpe_goldens (void)
{
  check_model ("bpe.model", "bpe-ids.json");
}

static void
test_extra_goldens (void)
{
  const char *dir = g_getenv ("CLIPSIGHT_SPM_EXTRA");
  g_autofree char *model = NULL, *golden = NULL;
  guint same, n;

  if (dir == NULL)
    {
      g_test_skip ("CLIPSIGHT_SPM_EXTRA is not set (make-spm-goldens.py --full-nfkc DIR)");
      return;
    }
  model = g_build_filename (dir, "unigram.model", NULL);
  golden = g_build_filename (dir, "unigram-ids.json", NULL);
  n = compare_goldens (model, golden, &same);
  g_test_message ("%s: %u of %u strings give SentencePiece's ids", model, same, n);
  g_assert_cmpuint (same, ==, n);
}

/* SigLIP's wrapping (lower case, punctuation, "▁", EOS, padding to 64)
 * against make-spm-goldens.py's reimplementation of Hugging Face's
 * SiglipTokenizer in Python, running SentencePiece. */
typedef int (*wrap_func) (const clip_spm *spm,
                          const char     *text,
                          long            len,
                          int32_t        *ids,
                          int             context_length);

/* Checks `wrap` with `model_name` against `golden_name`: the ids before
 * the padding, then `pad` to 64. */
static void
check_wrapping (const char *model_name,
                const char *golden_name,
                wrap_func   wrap,
                gboolean    pad_is_eos)
{
  g_autofree char *model = data_path (model_name);
  g_autofree char *golden = data_path (golden_name);
  clip_spm *spm = load_ok (model);
  int32_t pad = pad_is_eos ? clip_spm_eos_id (spm) : clip_spm_pad_id (spm);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *cases;
  guint n, same = 0, shown = 0, truncated = 0;

  json_parser_load_from_file (parser, golden, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "cases");
  n = json_array_get_length (cases);
  g_assert_cmpuint (n, >=, 3000);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "text");
      JsonArray *want = json_object_get_array_member (c, "ids");
      guint n_want = json_array_get_length (want);
      int32_t ids[64];
      int got = wrap (spm, text, -1, ids, 64);
      gboolean ok = got == (int) n_want;

      for (int k = 0; ok && k < 64; k++)
        ok = ids[k] == (k < got ? json_array_get_int_element (want, (guint) k) : pad);
      truncated += n_want == 64;
      if (ok)
        same++;
      else if (shown++ < 10)
        {
          g_autofree char *g = format_ids (ids, got > 0 ? (size_t) got : 0);
          g_autofree char *expected = json_to_string (json_object_get_member (c, "ids"),
                                                      FALSE);
          g_autofree char *escaped = g_strescape (text, NULL);
          g_test_message ("siglip case %u \"%s\": got %s, reference %s", i, escaped, g,
                          expected);
        }
    }
  g_test_message ("%s wrapping: %u of %u strings give the reference's 64 ids (%u "
                  "truncated)", model_name, same, n, truncated);
  g_assert_cmpuint (truncated, >, 0);
  g_assert_cmpuint (same, ==, n);

  /* The frame, by hand: an empty text is EOS then padding; a context of
   * one is EOS alone; no room is -1. */
  {
    int32_t ids[4] = { -7, -7, -7, -7 };
    g_assert_cmpint (wrap (spm, "", -1, ids, 4), ==, 1);
    g_assert_cmpint (ids[0], ==, clip_spm_eos_id (spm));
    for (int k = 1; k < 4; k++)
      g_assert_cmpint (ids[k], ==, pad);
    g_assert_cmpint (wrap (spm, "a photo", -1, ids, 1), ==, 1);
    g_assert_cmpint (ids[0], ==, clip_spm_eos_id (spm));
    g_assert_cmpint (wrap (spm, "a photo", -1, ids, 0), ==, -1);
  }
  clip_spm_free (spm);
}

static void
test_siglip_goldens (void)
{
  check_wrapping ("unigram.model", "unigram-siglip-ids.json", clip_spm_encode_siglip, TRUE);
}

/* SigLIP 2's, against make-spm-goldens.py's reading of Hugging Face's
 * setup, running SentencePiece. */
static void
test_siglip2_goldens (void)
{
  check_wrapping ("bpe.model", "bpe-siglip2-ids.json", clip_spm_encode_siglip2, FALSE);
}

/* The crafted models: each tells one rule of the encoders from its
 * likely misreadings (make-spm-goldens.py says which). */
static void
test_crafted_goldens (void)
{
  g_autofree char *path = data_path ("crafted.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *models;
  guint total = 0, total_same = 0;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  models = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "models");
  g_assert_cmpuint (json_array_get_length (models), >=, 10);
  for (guint m = 0; m < json_array_get_length (models); m++)
    {
      JsonObject *o = json_array_get_object_element (models, m);
      const char *name = json_object_get_string_member (o, "name");
      const char *hex = json_object_get_string_member (o, "model_hex");
      gsize len = strlen (hex) / 2;
      g_autofree guchar *data = g_malloc (len + 1);
      clip_spm *spm = NULL;
      char *msg = NULL;
      guint same, n;

      for (gsize k = 0; k < len; k++)
        data[k] = (guchar) (g_ascii_xdigit_value (hex[2 * k]) * 16
                            + g_ascii_xdigit_value (hex[2 * k + 1]));
      if (clip_spm_load_data (data, len, &spm, &msg) != CLIP_STATUS_OK)
        g_error ("crafted model %s: %s", name, msg);
      n = compare_cases (spm, name, json_object_get_array_member (o, "cases"), &same);
      if (same != n)
        g_test_message ("crafted %s: %u of %u", name, same, n);
      total += n;
      total_same += same;
      clip_spm_free (spm);
    }
  g_test_message ("crafted models: %u of %u strings give SentencePiece's ids", total_same,
                  total);
  g_assert_cmpuint (total_same, ==, total);
}

/* What the generator asked the trainer for (SigLIP's and Gemma's
 * numbering). */
static void
test_properties (void)
{
  g_autofree char *uni_path = data_path ("unigram.model");
  g_autofree char *bpe_path = data_path ("bpe.model");
  clip_spm *uni = load_ok (uni_path);
  clip_spm *bpe = load_ok (bpe_path);

  g_assert_cmpint (clip_spm_get_kind (uni), ==, CLIP_SPM_UNIGRAM);
  g_assert_cmpint (clip_spm_vocab_size (uni), ==, 2000);
  g_assert_cmpint (clip_spm_pad_id (uni), ==, 0);
  g_assert_cmpint (clip_spm_eos_id (uni), ==, 1);
  g_assert_cmpint (clip_spm_unk_id (uni), ==, 2);
  g_assert_cmpint (clip_spm_bos_id (uni), ==, -1);

  g_assert_cmpint (clip_spm_get_kind (bpe), ==, CLIP_SPM_BPE);
  g_assert_cmpint (clip_spm_vocab_size (bpe), ==, 2000);
  g_assert_cmpint (clip_spm_pad_id (bpe), ==, 0);
  g_assert_cmpint (clip_spm_eos_id (bpe), ==, 1);
  g_assert_cmpint (clip_spm_bos_id (bpe), ==, 2);
  g_assert_cmpint (clip_spm_unk_id (bpe), ==, 3);
  clip_spm_free (uni);
  clip_spm_free (bpe);
}

/* --- hand-written models ------------------------------------------------ */

static void
put_varint (GByteArray *b,
            guint64     v)
{
  do
    {
      guint8 byte = (guint8) (v & 0x7f);
      v >>= 7;
      if (v != 0)
        byte |= 0x80;
      g_byte_array_append (b, &byte, 1);
    }
  while (v != 0);
}

static void
put_key (GByteArray *b,
         guint       field,
         guint       wire)
{
  put_varint (b, (guint64) field << 3 | wire);
}

static void
put_bytes (GByteArray *b,
           guint       field,
           const void *data,
           gsize       len)
{
  put_key (b, field, 2);
  put_varint (b, len);
  g_byte_array_append (b, data, (guint) len);
}

static void
put_message (GByteArray *b,
             guint       field,
             GByteArray *msg)
{
  put_bytes (b, field, msg->data, msg->len);
}

static void
put_piece (GByteArray *b,
           const char *text,
           float       score,
           int         type)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();
  guint32 bits;
  guint8 le[4];

  put_bytes (p, 1, text, strlen (text));
  memcpy (&bits, &score, 4);
  for (int i = 0; i < 4; i++)
    le[i] = (guint8) (bits >> (8 * i));
  put_key (p, 2, 5);
  g_byte_array_append (p, le, 4);
  if (type != 1)
    {
      put_key (p, 3, 0);
      put_varint (p, (guint64) type);
    }
  put_message (b, 1, p);
}

/* A trainer_spec of `model_type` (and byte_fallback). */
static void
put_trainer (GByteArray *b,
             int         model_type,
             gboolean    byte_fallback)
{
  g_autoptr (GByteArray) t = g_byte_array_new ();

  put_key (t, 3, 0);
  put_varint (t, (guint64) model_type);
  if (byte_fallback)
    {
      put_key (t, 35, 0);
      put_varint (t, 1);
    }
  put_message (b, 2, t);
}

/* A normalizer_spec without charsmap, dummy prefix or space removal. */
static void
put_plain_normalizer (GByteArray *b)
{
  g_autoptr (GByteArray) n = g_byte_array_new ();

  put_bytes (n, 1, "identity", 8);
  put_key (n, 3, 0);
  put_varint (n, 0);
  put_key (n, 4, 0);
  put_varint (n, 0);
  put_message (b, 3, n);
}

static clip_spm *
load_bytes_ok (GByteArray *b)
{
  clip_spm *spm = NULL;
  char *error = NULL;

  if (clip_spm_load_data (b->data, b->len, &spm, &error) != CLIP_STATUS_OK)
    g_error ("hand-written model refused: %s", error);
  return spm;
}

static void
assert_ids (const clip_spm *spm,
            const char     *text,
            const char     *expected)
{
  size_t n;
  g_autofree int32_t *ids = clip_spm_encode (spm, text, -1, &n);
  g_autofree char *got = format_ids (ids, n);

  g_assert_cmpstr (got, ==, expected);
}

/* Unigram by hand: "abc" is best as "ab" "c" (-1 - 1 = -2) over "a" "bc"
 * (-3 - 1 = -4) and "a" "b" "c" (-3 - 3 - 1); "x" is unknown and a run of
 * them is one unknown id. */
static void
test_hand_unigram (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  clip_spm *spm;

  put_piece (b, "<unk>", 0, 2);   /* 0 */
  put_piece (b, "a", -3, 1);      /* 1 */
  put_piece (b, "b", -3, 1);      /* 2 */
  put_piece (b, "c", -1, 1);      /* 3 */
  put_piece (b, "ab", -1, 1);     /* 4 */
  put_piece (b, "bc", -1, 1);     /* 5 */
  put_piece (b, "\xe2\x96\x81", -5, 1);  /* 6 "▁" */
  put_piece (b, "d", -1, 1);      /* 7 */
  put_piece (b, "e", -1, 1);      /* 8 */
  put_piece (b, "de", -2, 1);     /* 9 */
  put_trainer (b, 1, FALSE);
  put_plain_normalizer (b);
  spm = load_bytes_ok (b);
  /* "a" "bc" is -3 - 1 = -4, "ab" "c" is -2: the latter. */
  assert_ids (spm, "abc", "[4, 3]");
  assert_ids (spm, "bca", "[5, 1]");
  assert_ids (spm, "axxb", "[1, 0, 2]");
  assert_ids (spm, "a b", "[1, 6, 2]");
  assert_ids (spm, "", "[]");
  /* "de" and "d" "e" both score -2: the first path found ("de", ending
   * at 2 from 0) stays. */
  assert_ids (spm, "de", "[9]");
  clip_spm_free (spm);
}

/* BPE by hand: merges by the score of what they make, leftmost first on a
 * tie; with byte fallback "é" (not a piece) is its two bytes. */
static void
test_hand_bpe (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  clip_spm *spm;

  put_piece (b, "<unk>", 0, 2);   /* 0 */
  for (int i = 0; i < 256; i++)   /* 1 .. 256 */
    {
      char name[8];
      g_snprintf (name, sizeof name, "<0x%02X>", i);
      put_piece (b, name, 0, 6);
    }
  put_piece (b, "a", 0, 1);       /* 257 */
  put_piece (b, "b", 0, 1);       /* 258 */
  put_piece (b, "ab", -2, 1);     /* 259 */
  put_piece (b, "ba", -1, 1);     /* 260 */
  put_piece (b, "aa", -1, 1);     /* 261 */
  put_trainer (b, 2, TRUE);
  put_plain_normalizer (b);
  spm = load_bytes_ok (b);
  /* "aba": "ba" (-1) beats "ab" (-2). */
  assert_ids (spm, "aba", "[257, 260]");
  /* "aaa": both pairs are "aa" (-1): the leftmost goes first. */
  assert_ids (spm, "aaa", "[261, 257]");
  /* "abab": "ba" first, then a + ba and b are no pieces. */
  assert_ids (spm, "abab", "[257, 260, 258]");
  /* é = C3 A9 -> <0xC3> <0xA9>. */
  assert_ids (spm, "a\xc3\xa9", "[257, 196, 170]");
  clip_spm_free (spm);
}

/* --- refusals ------------------------------------------------------------- */

static void
assert_refused (GByteArray  *b,
                clip_status  expected_status,
                const char  *expected_text)
{
  clip_spm *spm = NULL;
  char *error = NULL;
  clip_status status = clip_spm_load_data (b->data, b->len, &spm, &error);

  g_assert_null (spm);
  g_assert_nonnull (error);
  if (strstr (error, expected_text) == NULL || status != expected_status)
    g_error ("expected %s \"%s\", got %s: %s", clip_status_to_string (expected_status),
             expected_text, clip_status_to_string (status), error);
  g_free (error);
}

/* A model of one unknown piece then whatever `extra` adds. */
static GByteArray *
base_model (void)
{
  GByteArray *b = g_byte_array_new ();

  put_piece (b, "<unk>", 0, 2);
  put_piece (b, "a", -1, 1);
  return b;
}

static void
test_refusals (void)
{
  GByteArray *b;
  guint8 raw[16];

  /* Empty. */
  b = g_byte_array_new ();
  assert_refused (b, CLIP_STATUS_FORMAT, "no trainer_spec");
  g_byte_array_unref (b);

  /* A field of the wrong wire type: pieces as a varint. */
  b = base_model ();
  put_key (b, 1, 0);
  put_varint (b, 5);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "ModelProto.pieces has wire type 0");
  g_byte_array_unref (b);

  /* A score as a varint. */
  b = base_model ();
  {
    g_autoptr (GByteArray) p = g_byte_array_new ();
    put_bytes (p, 1, "b", 1);
    put_key (p, 2, 0);
    put_varint (p, 7);
    put_message (b, 1, p);
  }
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "SentencePiece.score has wire type 0");
  g_byte_array_unref (b);

  /* An absurd length. */
  b = base_model ();
  put_key (b, 1, 2);
  put_varint (b, G_GUINT64_CONSTANT (1) << 40);
  assert_refused (b, CLIP_STATUS_FORMAT, "runs past the end");
  g_byte_array_unref (b);

  /* A length that takes more than the file has left. */
  b = base_model ();
  put_key (b, 2, 2);
  put_varint (b, 100);
  g_byte_array_append (b, (const guint8 *) "\x18\x01", 2);
  assert_refused (b, CLIP_STATUS_FORMAT, "the file is truncated");
  g_byte_array_unref (b);

  /* A varint of 11 bytes. */
  b = base_model ();
  put_key (b, 9, 0);
  memset (raw, 0xff, 11);
  raw[10] = 0x01;
  g_byte_array_append (b, raw, 11);
  assert_refused (b, CLIP_STATUS_FORMAT, "varint");
  g_byte_array_unref (b);

  /* A group (wire type 3). */
  b = base_model ();
  put_key (b, 9, 3);
  assert_refused (b, CLIP_STATUS_FORMAT, "wire type 3");
  g_byte_array_unref (b);

  /* No unknown piece. */
  b = g_byte_array_new ();
  put_piece (b, "a", -1, 1);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "no unknown piece");
  g_byte_array_unref (b);

  /* Two of them. */
  b = base_model ();
  put_piece (b, "<unk2>", 0, 2);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "both the unknown piece");
  g_byte_array_unref (b);

  /* A duplicate piece. */
  b = base_model ();
  put_piece (b, "a", -2, 1);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "piece 2 \"a\" is also piece 1");
  g_byte_array_unref (b);

  /* An empty piece. */
  b = base_model ();
  put_piece (b, "", -2, 1);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "piece 2 is empty");
  g_byte_array_unref (b);

  /* A piece type out of range. */
  b = base_model ();
  put_piece (b, "b", -2, 9);
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "type 9");
  g_byte_array_unref (b);

  /* An absurdly long piece. */
  b = base_model ();
  {
    g_autofree char *long_piece = g_strnfill (5000, 'x');
    put_piece (b, long_piece, -2, 1);
  }
  put_trainer (b, 1, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "5000 bytes long");
  g_byte_array_unref (b);

  /* A byte piece without byte_fallback, and byte_fallback without them. */
  b = base_model ();
  put_piece (b, "<0x41>", 0, 6);
  put_trainer (b, 2, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "byte_fallback is off");
  g_byte_array_unref (b);
  b = base_model ();
  put_piece (b, "<0x41>", 0, 6);
  put_trainer (b, 2, TRUE);
  assert_refused (b, CLIP_STATUS_FORMAT, "no byte piece <0x00> (1 of the 256");
  g_byte_array_unref (b);
  b = base_model ();
  put_piece (b, "<0x4g>", 0, 6);
  put_trainer (b, 2, TRUE);
  assert_refused (b, CLIP_STATUS_FORMAT, "is not <0x00> to <0xFF>");
  g_byte_array_unref (b);

  /* Word and char models: well-formed, not supported; type 7: broken. */
  b = base_model ();
  put_trainer (b, 3, FALSE);
  assert_refused (b, CLIP_STATUS_UNSUPPORTED, "model type 3 (word)");
  g_byte_array_unref (b);
  b = base_model ();
  put_trainer (b, 7, FALSE);
  assert_refused (b, CLIP_STATUS_FORMAT, "model type 7");
  g_byte_array_unref (b);

  /* A charsmap whose trie is larger than the charsmap. */
  b = base_model ();
  put_trainer (b, 1, FALSE);
  {
    g_autoptr (GByteArray) n = g_byte_array_new ();
    static const guint8 blob[] = { 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 'a', 0 };
    put_bytes (n, 2, blob, sizeof blob);
    put_message (b, 3, n);
  }
  assert_refused (b, CLIP_STATUS_FORMAT, "charsmap's trie is 256 bytes");
  g_byte_array_unref (b);

  /* A charsmap replacement string of 2000 bytes. */
  b = base_model ();
  put_trainer (b, 1, FALSE);
  {
    g_autoptr (GByteArray) n = g_byte_array_new ();
    g_autoptr (GByteArray) blob = g_byte_array_new ();
    static const guint8 head[] = { 0x04, 0, 0, 0, 0, 0, 0, 0 };
    g_autofree char *xs = g_strnfill (2000, 'x');

    g_byte_array_append (blob, head, sizeof head);
    g_byte_array_append (blob, (const guint8 *) xs, 2000);
    put_bytes (n, 2, blob->data, blob->len);
    put_message (b, 3, n);
  }
  assert_refused (b, CLIP_STATUS_FORMAT, "a replacement longer than 1024 bytes");
  g_byte_array_unref (b);

  /* Larger than the bound: refused before a byte is read. */
  {
    clip_spm *spm = NULL;
    char *error = NULL;
    g_assert_cmpint (clip_spm_load_data (raw, (size_t) CLIP_SPM_MAX_FILE + 1, &spm, &error),
                     ==, CLIP_STATUS_FORMAT);
    g_assert_nonnull (strstr (error, "MiB"));
    g_free (error);
  }

  /* A missing file. */
  {
    clip_spm *spm = NULL;
    char *error = NULL;
    g_assert_cmpint (clip_spm_load ("/nonexistent/spiece.model", &spm, &error), ==,
                     CLIP_STATUS_IO);
    g_assert_null (spm);
    g_free (error);
  }
}

static void
add_cut (gpointer key,
         gpointer value,
         gpointer cuts)
{
  g_hash_table_add (cuts, key);
}

/* Every prefix of a real model is refused, except one that ends exactly
 * at a top-level field after the trainer_spec (a shorter but well-formed
 * model), and then it must load. */
static void
test_truncated (void)
{
  g_autofree char *path = data_path ("bpe.model");
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) gerror = NULL;
  g_autoptr (GHashTable) boundaries = g_hash_table_new (NULL, NULL);
  gsize pos = 0, after_trainer = G_MAXSIZE;
  g_autoptr (GHashTable) cuts = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;
  guint refused = 0, loaded = 0;

  g_file_get_contents (path, &data, &len, &gerror);
  g_assert_no_error (gerror);
  /* The top-level field boundaries (all are length-delimited here). */
  while (pos < len)
    {
      guint64 k = 0, n = 0;
      int shift = 0;
      while ((guint8) data[pos] & 0x80)
        k |= (guint64) (data[pos++] & 0x7f) << (7 * shift++);
      k |= (guint64) data[pos++] << (7 * shift);
      g_assert_cmpuint (k & 7, ==, 2);
      shift = 0;
      while ((guint8) data[pos] & 0x80)
        n |= (guint64) (data[pos++] & 0x7f) << (7 * shift++);
      n |= (guint64) data[pos++] << (7 * shift);
      pos += n;
      if ((k >> 3) == 2)
        after_trainer = pos;
      g_hash_table_add (boundaries, GSIZE_TO_POINTER (pos));
    }
  g_assert_cmpuint (pos, ==, len);

  /* Every cut in the first 4 KiB, one in 97 after, and each boundary. */
  for (gsize cut = 0; cut < len; cut += cut < 4096 ? 1 : 97)
    g_hash_table_add (cuts, GSIZE_TO_POINTER (cut));
  g_hash_table_foreach (boundaries, add_cut, cuts);
  g_hash_table_remove (cuts, GSIZE_TO_POINTER (len));
  g_hash_table_iter_init (&iter, cuts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gsize cut = GPOINTER_TO_SIZE (key);
      clip_spm *spm = NULL;
      char *error = NULL;
      clip_status status = clip_spm_load_data (data, cut, &spm, &error);
      gboolean may_load = cut >= after_trainer
                          && g_hash_table_contains (boundaries, GSIZE_TO_POINTER (cut));

      if (status == CLIP_STATUS_OK)
        {
          g_assert_true (may_load);
          g_assert_null (error);
          clip_spm_free (spm);
          loaded++;
        }
      else
        {
          g_assert_false (may_load);
          g_assert_cmpint (status, ==, CLIP_STATUS_FORMAT);
          g_assert_null (spm);
          g_assert_nonnull (error);
          g_free (error);
          refused++;
        }
    }
  g_test_message ("%u prefixes refused, %u loaded", refused, loaded);
  g_assert_cmpuint (loaded, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spm/unigram-goldens", test_unigram_goldens);
  g_test_add_func ("/spm/bpe-goldens", test_bpe_goldens);
  g_test_add_func ("/spm/crafted-goldens", test_crafted_goldens);
  g_test_add_func ("/spm/siglip-goldens", test_siglip_goldens);
  g_test_add_func ("/spm/siglip2-goldens", test_siglip2_goldens);
  g_test_add_func ("/spm/extra-goldens", test_extra_goldens);
  g_test_add_func ("/spm/properties", test_properties);
  g_test_add_func ("/spm/hand-unigram", test_hand_unigram);
  g_test_add_func ("/spm/hand-bpe", test_hand_bpe);
  g_test_add_func ("/spm/refusals", test_refusals);
  g_test_add_func ("/spm/truncated", test_truncated);
  return g_test_run ();
}
