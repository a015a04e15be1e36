/* clip-spm-siglip.c - SigLIP's text input around SentencePiece.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What Hugging Face's SiglipTokenizer does before and after SentencePiece
 * (read in transformers' models/siglip/tokenization_siglip.py), in its
 * order:
 *
 *  1. tokenize(): "▁" + the text with each "▁" made a space;
 *  2. PreTrainedTokenizer.tokenize(): str.lower() (do_lower_case);
 *  3. _tokenize() -> canonicalize_text(): the 32 ASCII punctuation
 *     characters (string.punctuation) removed, each run of whitespace
 *     (re "\s+") one space, strip();
 *  4. the pieces of "<unk>" + text, without as many as "<unk>" alone
 *     makes, from the model loaded with add_dummy_prefix off;
 *  5. the ids truncated to context - 1, "</s>" appended, padded with the
 *     pad token, "</s>" too (SiglipProcessor, padding="max_length").
 *
 * SigLIP 2 with Gemma's model is simpler (clip_spm_encode_siglip2): the
 * lower case one character at a time (Siglip2Tokenizer's Lowercase
 * normalizer), the model's encoding, "<eos>" (GemmaTokenizerFast with
 * add_eos_token, as convert_siglip2_to_hf.py makes it), "<pad>".
 *
 * Python's lower() is full Unicode lower-casing: one character at a time
 * (GLib's tables, plus the Roman numerals and circled letters GLib leaves)
 * except İ -> "i̇" and Σ, which is ς at the end of a word by Python's
 * Final_Sigma rule.  Python's whitespace is str.isspace().
 * tests/engine/test-spm.c checks all of it against a reimplementation in
 * Python running SentencePiece (tools/make-spm-goldens.py).
 */
#include <string.h>

#include "clip-spm-private.h"

#define UNK_TEXT "<unk>"
#define EOS_TEXT "</s>"

/* Python's str.isspace(): Unicode White_Space by bidirectional class. */
static gboolean
py_isspace (gunichar c)
{
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0
         || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
         || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Python's str.lower() of `n` characters (`context`: with the final
 * sigma; without, one character at a time, as Rust's char::to_lowercase
 * in Hugging Face's Lowercase normalizer). */
static void
py_lower (const gunichar *s,
          size_t          n,
          gboolean        context,
          GString        *out)
{
  for (size_t i = 0; i < n; i++)
    {
      gunichar c = s[i];

      if (c == 0x130)
        {
          g_string_append (out, "i\xcc\x87");  /* i + U+0307 */
          continue;
        }
      if (c == 0x3a3 && context)
        {
          g_string_append_unichar (out, clip_sigma_is_final (s, n, i) ? 0x3c2 : 0x3c3);
          continue;
        }
      /* GLib lowers only letters of type Lu and Lt; Python too the
       * Roman numerals (Nl) and circled letters (So) that have a
       * lower-case form. */
      if (c >= 0x2160 && c <= 0x216f)
        c += 0x10;
      else if (c >= 0x24b6 && c <= 0x24cf)
        c += 0x1a;
      g_string_append_unichar (out, g_unichar_tolower (c));
    }
}

/* The characters of `n` bytes, a malformed byte U+FFFD (as SentencePiece
 * reads it); "▁" a space with `no_space_symbol`. */
static void
decode (const char *text,
        size_t      n,
        gboolean    no_space_symbol,
        GArray     *chars)
{
  for (size_t pos = 0; pos < n;)
    {
      size_t k = spm_valid_char_len (text + pos, n - pos);
      gunichar c;

      if (k == 0)
        {
          c = 0xfffd;
          k = 1;
        }
      else
        c = g_utf8_get_char (text + pos);
      if (c == 0x2581 && no_space_symbol)
        c = ' ';
      g_array_append_val (chars, c);
      pos += k;
    }
}

/* `n` ids, then `end`, then `pad`: `context` in all. */
static int
frame (const int32_t *content,
       size_t         n,
       int32_t        end,
       int32_t        pad,
       int32_t       *ids,
       int            context)
{
  size_t n_ids = MIN (n, (size_t) context - 1);

  memcpy (ids, content, n_ids * sizeof (int32_t));
  ids[n_ids++] = end;
  for (size_t i = n_ids; i < (size_t) context; i++)
    ids[i] = pad;
  return (int) n_ids;
}

int
clip_spm_encode_siglip2 (const clip_spm *spm,
                         const char     *text,
                         long            len,
                         int32_t        *ids,
                         int             context_length)
{
  g_autoptr (GArray) chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autoptr (GString) lowered = g_string_new (NULL);
  g_autofree int32_t *content = NULL;
  size_t n = len < 0 ? (text != NULL ? strlen (text) : 0) : (size_t) len;
  size_t n_content;

  if (spm == NULL || ids == NULL || context_length < 1 || (text == NULL && n > 0)
      || spm->eos_id < 0 || spm->pad_id < 0)
    return -1;
  decode (text, n, FALSE, chars);
  py_lower ((const gunichar *) chars->data, chars->len, FALSE, lowered);
  content = clip_spm_encode (spm, lowered->str, (long) lowered->len, &n_content);
  return frame (content, n_content, spm->eos_id, spm->pad_id, ids, context_length);
}

int
clip_spm_encode_siglip (const clip_spm *spm,
                        const char     *text,
                        long            len,
                        int32_t        *ids,
                        int             context_length)
{
  g_autoptr (GArray) chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autoptr (GString) lowered = g_string_new (NULL);
  g_autoptr (GString) canon = g_string_new (UNK_TEXT);
  g_autofree int32_t *unk_ids = NULL;
  g_autofree int32_t *all = NULL;
  size_t n = len < 0 ? (text != NULL ? strlen (text) : 0) : (size_t) len;
  size_t n_unk, n_all, skip;
  gboolean in_space = FALSE;
  clip_spm no_dummy;
  int32_t eos;

  if (spm == NULL || ids == NULL || context_length < 1 || (text == NULL && n > 0))
    return -1;
  eos = spm_table_find (spm, &spm->reserved, EOS_TEXT, strlen (EOS_TEXT));
  if (eos < 0 || spm->pieces[eos].type != SPM_CONTROL)
    return -1;

  /* 1: "▁" + text, "▁" -> " "; malformed bytes are U+FFFD each. */
  {
    gunichar c = 0x2581;
    g_array_append_val (chars, c);
  }
  decode (text, n, TRUE, chars);

  /* 2: lower case. */
  py_lower ((const gunichar *) chars->data, chars->len, TRUE, lowered);

  /* 3: no ASCII punctuation, whitespace runs one space, stripped. */
  for (const char *p = lowered->str; p < lowered->str + lowered->len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && g_ascii_ispunct ((char) c))
        continue;
      if (py_isspace (c))
        {
          in_space = TRUE;
          continue;
        }
      if (in_space && canon->len > strlen (UNK_TEXT))
        g_string_append_c (canon, ' ');
      in_space = FALSE;
      g_string_append_unichar (canon, c);
    }

  /* 4: without the dummy prefix, after "<unk>". */
  no_dummy = *spm;
  no_dummy.add_dummy_prefix = FALSE;
  unk_ids = clip_spm_encode (&no_dummy, UNK_TEXT, -1, &n_unk);
  all = clip_spm_encode (&no_dummy, canon->str, (long) canon->len, &n_all);
  skip = n_all >= n_unk ? n_unk : 0;

  /* 5: truncated, end of text, padded. */
  return frame (all + skip, n_all - skip, eos, eos, ids, context_length);
}
