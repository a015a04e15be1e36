/* fuzz-config.c - config.json and preprocessor_config.json parsing.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is read as both files (the seeds hold both kinds; each
 * parser must refuse the other's with an error, not a crash).  Parameters
 * a preprocessor_config.json was accepted with then preprocess a small
 * image, when the output they ask for is small enough to allocate here.
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

static void
try_preprocess (const clip_preprocess_params *pp)
{
  static uint8_t pixels[13 * 7 * 3];
  clip_image image = {
    .pixels = pixels, .width = 13, .height = 7, .stride = 13 * 3, .format = CLIP_PIXELS_RGB8,
  };
  float *out;
  char *error = NULL;

  if (pp->crop_width <= 0 || pp->crop_height <= 0 || pp->crop_width > 512
      || pp->crop_height > 512 || pp->shortest_edge > 2048)
    return;
  for (size_t i = 0; i < sizeof pixels; i++)
    pixels[i] = (uint8_t) (i * 37);
  out = g_new (float, 3 * (size_t) pp->crop_width * pp->crop_height);
  if (clip_preprocess (pp, &image, out, &error) != CLIP_STATUS_OK
      && (error == NULL || error[0] == '\0'))
    abort ();
  g_free (error);
  g_free (out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *path = fuzz_write_file ("config.json", data, size);
  clip_model_info info;
  clip_preprocess_params pp;
  char *error = NULL;

  if (clip_config_load (path, &info, &error) != CLIP_STATUS_OK)
    {
      fuzz_report ("config", error);
      if (error == NULL || error[0] == '\0')
        abort ();
    }
  else
    fuzz_report ("config", NULL);
  g_clear_pointer (&error, g_free);

  if (clip_preprocess_params_load (path, &pp, &error) != CLIP_STATUS_OK)
    {
      fuzz_report ("preprocessor", error);
      if (error == NULL || error[0] == '\0')
        abort ();
    }
  else
    {
      fuzz_report ("preprocessor", NULL);
      try_preprocess (&pp);
    }
  g_free (error);
  return 0;
}
