/* fuzz-spm.c - SentencePiece .model loading and encoding.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is a little-endian uint32 N, N bytes of .model, then a text;
 * an input too short for its N is all .model, and fixed texts are
 * encoded.  A refused model must come with a message; one that loads
 * must encode the input's text and the fixed ones into ids it has, and
 * into SigLIP's and SigLIP 2's frames when it has the pieces they need.
 * Seeds: tools/make-spm-goldens.py writes the committed models as seeds.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "clip.h"
#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  return 0;
}

static void
check_text (const clip_spm *spm,
            const char     *text,
            size_t          len)
{
  size_t n = 0;
  int32_t *ids = clip_spm_encode (spm, text, (long) len, &n);

  if (ids == NULL)
    abort ();
  for (size_t i = 0; i < n; i++)
    if (ids[i] < 0 || ids[i] >= clip_spm_vocab_size (spm))
      abort ();
  g_free (ids);

  /* SigLIP's frame (ids, EOS, EOS as padding) and SigLIP 2's (ids, EOS,
   * pad). */
  for (int v = 0; v < 2; v++)
    {
      int32_t frame[64];
      int m = v == 0 ? clip_spm_encode_siglip (spm, text, (long) len, frame, 64)
                     : clip_spm_encode_siglip2 (spm, text, (long) len, frame, 64);
      int32_t pad = v == 0 ? clip_spm_eos_id (spm) : clip_spm_pad_id (spm);

      if (m == -1)
        continue;
      if (m < 1 || m > 64 || frame[m - 1] != clip_spm_eos_id (spm))
        abort ();
      for (int i = 0; i < 64; i++)
        if (frame[i] < 0 || frame[i] >= clip_spm_vocab_size (spm) || (i >= m && frame[i] != pad))
          abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char *const texts[] = {
    "a photo of 2 dogs, naïve café 😀 İstanbul straße",
    "  leading   and trailing\tspaces \n",
    "\xff\xfe invalid \xc3 utf-8 \xed\xa0\x80 \xf4\x90\x80\x80",
    "東京の写真 서울 сабака قطة ☃☃☃",
    "",
  };
  const uint8_t *model = data;
  size_t model_len = size;
  const char *text = NULL;
  size_t text_len = 0;
  clip_spm *spm = NULL;
  char *error = NULL;

  if (size >= 4)
    {
      size_t n = (size_t) data[0] | (size_t) data[1] << 8 | (size_t) data[2] << 16
                 | (size_t) data[3] << 24;
      if (n <= size - 4)
        {
          model = data + 4;
          model_len = n;
          text = (const char *) data + 4 + n;
          text_len = size - 4 - n;
        }
    }
  if (clip_spm_load_data (model, model_len, &spm, &error) != CLIP_STATUS_OK)
    {
      fuzz_report ("spm", error);
      if (error == NULL || error[0] == '\0' || spm != NULL)
        abort ();
      g_free (error);
      return 0;
    }
  if (clip_spm_unk_id (spm) < 0 || clip_spm_unk_id (spm) >= clip_spm_vocab_size (spm))
    abort ();
  if (text != NULL)
    check_text (spm, text, text_len);
  for (size_t i = 0; i < G_N_ELEMENTS (texts); i++)
    check_text (spm, texts[i], strlen (texts[i]));
  fuzz_report ("spm", NULL);
  clip_spm_free (spm);
  return 0;
}
