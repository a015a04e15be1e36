/* cs-decode.h - image files to upright 8-bit pixel buffers (GdkPixbuf).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decoding prepares a photo the way CLIP's reference sees it: Pillow's
 * `ImageOps.exif_transpose (Image.open (file))`.  The file is opened
 * read-only and decoded at full size (no DCT scaling: GdkPixbuf 2.42's
 * JPEG decode is then bit-identical to Pillow's), the EXIF orientation the
 * JPEG and TIFF loaders report is applied, alpha is kept (the engine
 * resamples RGBA premultiplied, as Pillow does), and palette and 1-bit
 * sources are flagged so the engine resamples them with nearest neighbour,
 * as Pillow forces for modes "P" and "1".
 *
 * Checked against Pillow 9.4 + the same preprocessing: identical tensors
 * for baseline and progressive JPEG (all 8 orientations), PNG (RGB, RGBA,
 * L, LA, P with and without tRNS, 1-bit, RGB with a tRNS colour key), GIF
 * (with a transparent index), BMP (RGB, palette), lossless WebP and RGB
 * TIFF.  Known differences, rare in photo libraries: CMYK JPEGs (one level
 * at most: Pillow resamples CMYK, then converts), TIFFs with alpha
 * (libtiff hands GdkPixbuf premultiplied colour), 16-bit grayscale PNGs
 * (Pillow's "I;16" saturates), GIF frames smaller than the canvas, and EXIF
 * orientation stored in PNG or WebP (GdkPixbuf does not report it).
 *
 * Threads: every function here may be called from any thread; nothing is
 * shared between calls.
 */
#pragma once

#include <glib.h>

#include "clip.h"

G_BEGIN_DECLS

#define CS_DECODE_ERROR (cs_decode_error_quark ())
GQuark cs_decode_error_quark (void);

/* Failures of a readable file.  Failures to open or read it are G_IO_ERROR
 * (G_IO_ERROR_NOT_FOUND, G_IO_ERROR_PERMISSION_DENIED, ...). */
typedef enum {
  CS_DECODE_ERROR_EMPTY,        /* the file has no bytes */
  CS_DECODE_ERROR_UNKNOWN_FORMAT, /* no image loader recognises it */
  CS_DECODE_ERROR_TRUNCATED,    /* the data ends early */
  CS_DECODE_ERROR_CORRUPT,      /* the loader failed on the data */
  CS_DECODE_ERROR_TOO_LARGE,    /* the header announces more than max_pixels */
} CsDecodeError;

/* Pillow's decompression-bomb *error* threshold: twice its MAX_IMAGE_PIXELS
 * (1024 * 1024 * 1024 / 4 / 3 = 89,478,485).  Pillow refuses larger images
 * outright, so the reference has no answer for them either.  An RGBA decode
 * at the limit needs 716 MB. */
#define CS_DECODE_MAX_PIXELS G_GUINT64_CONSTANT (178956970)

typedef struct {
  guint8  *pixels;    /* top row first; owned by the struct */
  int      width;
  int      height;
  int      stride;    /* bytes from one row to the next */
  int      channels;  /* 3 (RGB) or 4 (RGB + straight alpha) */
  gboolean nearest;   /* palette or 1-bit source: resample with nearest */
  /*< private >*/
  gpointer owner;     /* the GdkPixbuf holding `pixels` */
} CsDecodedImage;

void cs_decoded_image_free (CsDecodedImage *image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsDecodedImage, cs_decoded_image_free)

/* Decodes `path` (in the GLib filename encoding) upright.  `max_pixels`
 * bounds width x height as announced by the header, checked before any
 * pixel is decoded; 0 means CS_DECODE_MAX_PIXELS.  Returns a new image
 * (free with cs_decoded_image_free()) or NULL with `error` set to a
 * one-line message that names the file and the problem.  The file is
 * opened read-only and never modified. */
CsDecodedImage *cs_decode_file (const char *path,
                                guint64     max_pixels,
                                GError    **error);

/* The engine's view of a decoded image (borrowing its pixels). */
clip_image cs_decoded_image_as_clip (const CsDecodedImage *image);

/* Decodes `path` with the default pixel limit and runs clip_preprocess()
 * on it: `out` receives 3 x pp->crop_height x pp->crop_width floats
 * (C x H x W, R, G, B).  Engine failures come back as CS_CLIP_ERROR,
 * prefixed with the file name. */
gboolean cs_decode_file_to_tensor (const char                   *path,
                                   const clip_preprocess_params *pp,
                                   float                        *out,
                                   GError                      **error);

G_END_DECLS
