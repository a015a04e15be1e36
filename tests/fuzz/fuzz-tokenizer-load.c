/* fuzz-tokenizer-load.c - vocab.json + merges.txt loading.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is vocab.json, a NUL byte, then merges.txt (no NUL: all of it
 * is vocab.json and merges.txt is empty).  A vocabulary that loads must
 * then tokenize a fixed text into ids it contains, framed by its start
 * and end tokens.
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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char text[] = "a Photo of 2 dogs &amp; a cat, naïve café 😀 <|endoftext|>";
  const uint8_t *nul = memchr (data, 0, size);
  size_t vocab_len = nul != NULL ? (size_t) (nul - data) : size;
  const char *vocab = fuzz_write_file ("vocab.json", data, vocab_len);
  const char *merges = fuzz_write_file ("merges.txt", nul != NULL ? nul + 1 : data,
                                        nul != NULL ? size - vocab_len - 1 : 0);
  clip_tokenizer *tok = NULL;
  char *error = NULL;
  int32_t ids[77];
  int n;

  if (clip_tokenizer_load (vocab, merges, &tok, &error) != CLIP_STATUS_OK)
    {
      fuzz_report ("tokenizer", error);
      if (error == NULL || error[0] == '\0' || tok != NULL)
        abort ();
      g_free (error);
      return 0;
    }
  n = clip_tokenizer_encode (tok, text, -1, ids, G_N_ELEMENTS (ids));
  if (n < 2 || n > (int) G_N_ELEMENTS (ids) || ids[0] != clip_tokenizer_sot_id (tok)
      || ids[n - 1] != clip_tokenizer_eot_id (tok))
    abort ();
  for (int i = 0; i < n; i++)
    if (ids[i] < 0 || ids[i] >= clip_tokenizer_vocab_size (tok))
      abort ();
  fuzz_report ("tokenizer", NULL);
  clip_tokenizer_free (tok);
  g_free (error);
  return 0;
}
