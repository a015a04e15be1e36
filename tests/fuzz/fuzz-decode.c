/* fuzz-decode.c - decoding of every image format (cs-decode.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seeds are small JPEG (baseline, progressive, with EXIF orientation),
 * PNG, WebP, HEIF, AVIF, GIF, TIFF and BMP files: the decoder sniffs the
 * format from the bytes, so mutations cross formats.  Each input goes the
 * indexer's way (cs_decode_file_for_size: JPEGs at reduced size) and, for
 * a JPEG, the full-size way too; an image that decodes is then
 * preprocessed as the indexer would.  A pixel limit of a megapixel keeps
 * runs fast; the limit's logic is the same at any size.  The DC-only
 * decoder of large progressive JPEGs (cs-jpeg-dc.c) is made to take every
 * progressive JPEG that is reduced to 1/8.
 */
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "cs-decode-clip.h"
#include "cs-jpeg-dc.h"
#include "fuzz-util.h"

#define FUZZ_MAX_PIXELS (1024 * 1024)
#define CROP 32

static volatile guint8 sink;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_quiet_warnings ();
  /* every progressive JPEG decoded at 1/8 takes the DC-only decoder
   * (seed-progressive-dc.jpg: 320 x 256, 1/8 at CROP) */
  cs_jpeg_dc_set_min_coef_bytes (0);
  return 0;
}

static void
check (CsDecodedImage *image,
       GError         *error,
       guint64         max_pixels)
{
  static const clip_preprocess_params pp = {
    .shortest_edge = CROP, .crop_height = CROP, .crop_width = CROP,
    .do_resize = 1, .do_center_crop = 1, .do_normalize = 1,
    .rescale_factor = 1.0f / 255.0f,
    .mean = { 0.48145466f, 0.4578275f, 0.40821073f },
    .std = { 0.26862954f, 0.26130258f, 0.27577711f },
  };
  static float out[3 * CROP * CROP];
  char *message = NULL;
  clip_image view;

  fuzz_report ("decode", error != NULL ? error->message : NULL);
  if (image == NULL)
    {
      if (error == NULL || error->message[0] == '\0'
          || (error->domain != CS_DECODE_ERROR && error->domain != G_IO_ERROR))
        abort ();
      return;
    }
  if (error != NULL || image->width <= 0 || image->height <= 0
      || (guint64) image->width * image->height > max_pixels
      || (image->channels != 3 && image->channels != 4)
      || image->stride < image->width * image->channels)
    abort ();
  /* the last pixel's last byte, for ASan */
  sink ^= image->pixels[(size_t) (image->height - 1) * image->stride
                        + (size_t) image->width * image->channels - 1];
  view = cs_decoded_image_as_clip_for (image, &pp);
  if (clip_preprocess (&pp, &view, out, &message) != CLIP_STATUS_OK)
    abort ();
  g_free (message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *path = fuzz_write_file ("photo", data, size);
  CsDecodedImage *image;
  GError *error = NULL;

  image = cs_decode_file_for_size (path, CROP, FUZZ_MAX_PIXELS, &error);
  check (image, error, FUZZ_MAX_PIXELS);
  g_clear_pointer (&image, cs_decoded_image_free);
  g_clear_error (&error);

  if (size >= 2 && data[0] == 0xff && data[1] == 0xd8)
    {
      image = cs_decode_file (path, FUZZ_MAX_PIXELS, &error);
      check (image, error, FUZZ_MAX_PIXELS);
      g_clear_pointer (&image, cs_decoded_image_free);
      g_clear_error (&error);
    }
  return 0;
}
