/* fuzz-safetensors.c - the safetensors reader on arbitrary files.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * clip_st_open() promises a validated header: every tensor's byte range
 * inside the file, exactly numel x element size, found again by name.  The
 * target checks those promises and reads each range's first and last byte
 * (ASan sees a read outside the mapping).
 */
#include <stdlib.h>
#include <string.h>

#include "clip-safetensors.h"
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
  const char *path = fuzz_write_file ("model.safetensors", data, size);
  clip_st_file *file = NULL;
  char *error = NULL;
  volatile uint8_t sink = 0;

  if (clip_st_open (path, &file, &error) != CLIP_STATUS_OK)
    {
      fuzz_report ("safetensors", error);
      if (error == NULL || error[0] == '\0' || file != NULL)
        abort ();
      g_free (error);
      return 0;
    }
  for (size_t i = 0; i < clip_st_get_n_tensors (file); i++)
    {
      const clip_st_tensor *t = clip_st_get_tensor (file, i);
      uint64_t bytes = t->end - t->begin;

      if (t->name == NULL || clip_st_find (file, t->name) != t)
        abort ();
      if (t->end < t->begin || t->end > size || t->n_dims < 0 || t->n_dims > CLIP_ST_MAX_DIMS)
        abort ();
      if (bytes != t->numel * clip_st_dtype_size (t->dtype))
        abort ();
      if (bytes > 0)
        sink ^= t->data[0] ^ t->data[bytes - 1];
      if (t->dtype == CLIP_ST_F16 && bytes >= 2)
        sink ^= clip_f16_to_f32 ((uint16_t) (t->data[0] | t->data[1] << 8)) > 1.0f;
      (void) clip_st_dtype_name (t->dtype);
    }
  (void) clip_st_get_metadata (file, "format");
  fuzz_report ("safetensors", NULL);
  clip_st_close (file);
  (void) sink;
  return 0;
}
