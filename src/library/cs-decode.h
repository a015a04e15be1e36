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
 * Indexing may take a faster path, cs_decode_file_for_size(): a JPEG is
 * decoded by libjpeg at 1/2, 1/4 or 1/8 scale (its DCT scaling), never
 * below a short side the caller names (twice the model's input), then
 * goes through the same exact resize, on the view
 * cs_decoded_image_as_clip_for() gives.  Tensors are then no longer
 * Pillow's, but on ten 12-megapixel photos the embeddings stay within
 * cosine 0.9988 (tiny-clip, 224 pixels) and 0.9996 (toy-clip, 64 pixels)
 * of the full decode's; tests/library/test-decode.c requires 0.995.  A
 * WebP takes the same sizes, decoded by libwebp's scaling decoder (which
 * averages the source pixels under each output pixel as it decodes), and
 * is held to the same 0.995.  So is an 8-bit grey or RGB PNG (opaque
 * RGBA too), read row by row with libpng and averaged in d x d blocks as it
 * goes: a 13000 x 13000 PNG costs a few megabytes instead of 676.
 *
 * What hands a decoded image to the engine is in cs-decode-clip.h, so
 * that this header (which the app uses for thumbnails) knows nothing of
 * the engine.
 *
 * Threads: every function here may be called from any thread; nothing is
 * shared between calls.
 */
#pragma once

#include <glib.h>

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

/* How many times `max_pixels` a single-pass JPEG may hold when
 * cs_decode_file_for_size() decodes it at 1/2 scale or less. */
#define CS_DECODE_SCALED_JPEG_FACTOR 4

typedef struct {
  guint8  *pixels;    /* top row first; owned by the struct */
  int      width;
  int      height;
  int      stride;    /* bytes from one row to the next */
  int      channels;  /* 3 (RGB) or 4 (RGB + straight alpha) */
  gboolean nearest;   /* palette or 1-bit source: resample with nearest */
  int      orig_width;  /* the file's upright size before any DCT scaling */
  int      orig_height; /* (equal to width and height at full size) */
  int      scale_denom; /* 1 at full size; 2, 4 or 8 when decoded at 1/2, 1/4, 1/8 */
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

/* Like cs_decode_file(), but a JPEG comes back reduced by libjpeg's DCT
 * scaling: at 1/8, 1/4 or 1/2 scale, the smallest whose short side is
 * still at least `min_short_side` pixels (so between min_short_side and
 * about twice that, unless 1/8 still leaves it longer), or at full size
 * when even 1/2 would go below.  A PNG of 4 megapixels or more (8-bit, not
 * interlaced, grey or RGB or opaque RGBA, no colour key) is reduced row by
 * row to the same sizes by averaging d x d blocks.  A WebP without alpha is reduced to the
 * same sizes by libwebp's scaling decoder (whose premultiplied averaging
 * would lose the colour under transparent pixels, which CLIP's RGB
 * conversion keeps).  Other formats, and any image when
 * `min_short_side` <= 0, are decoded at full size.  EXIF orientation is
 * applied; orig_width and orig_height give the file's upright size.
 *
 * Pixel limit and memory: `max_pixels` (0: CS_DECODE_MAX_PIXELS) bounds the
 * decoded buffer and the header's width x height, except that a single-pass
 * JPEG (sequential, its first scan carrying every component: nearly every
 * camera JPEG) that is reduced may announce up to
 * CS_DECODE_SCALED_JPEG_FACTOR x max_pixels, since libjpeg then holds only
 * a few rows of 8x8 blocks (memory proportional to the width) besides the
 * reduced image, itself at most a quarter of the source.  Progressive and
 * multi-scan JPEGs keep the `max_pixels` limit on the source: libjpeg keeps
 * every DCT coefficient of those (2 bytes each: 3 bytes per pixel at 4:2:0
 * chroma subsampling, 6 at 4:4:4) whatever the output scale.  So one call
 * holds at most: the decoded image (3 or 4 bytes a pixel, about max_pixels
 * pixels at most) and, for a rotated photo, one rotated copy; plus
 * libjpeg's coefficients for a progressive JPEG (<= 6 x max_pixels bytes).  With the
 * defaults and a short side of 448, a 200-megapixel baseline JPEG
 * (16,384 x 12,288) is decoded at 1/8 as a 2,048 x 1,536 image: about
 * 9.4 MB of pixels, where the full decode would refuse it (over
 * CS_DECODE_MAX_PIXELS) or need 600 MB. */
CsDecodedImage *cs_decode_file_for_size (const char *path,
                                         int         min_short_side,
                                         guint64     max_pixels,
                                         GError    **error);

/* About how many bytes decoding `path` with cs_decode_file_for_size() (or
 * cs_decode_file() when `min_short_side` is 0) will hold at its peak, read
 * from the file's first 64 KB: the decoded pixels, a rotated or converted
 * copy, and what the loader keeps besides (libjpeg's coefficients for a
 * progressive JPEG, the file for WebP, the YCbCr planes for HEIF).  0 for
 * what fails before decoding (unreadable, not a regular file, empty, or
 * refused from the header); for a format whose size is not known in
 * advance (TIFF, formats GdkPixbuf recognises by itself), what the pixel
 * limit allows in RGBA.  For a CsPixelBudget. */
guint64 cs_decode_estimate_bytes (const char *path,
                                  int         min_short_side);

G_END_DECLS
