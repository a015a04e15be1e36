/* cs-decode-private.h - what the files of the decoder share: the sniffed
 * header, the JPEG and PNG scanners and the size check of a loader.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "cs-decode-clip.h"

G_BEGIN_DECLS

/* Bytes read per loader write.  The first chunk is also the sniffing
 * window, large enough for a BMP header with a 256-entry palette. */
#define CHUNK_SIZE (64 * 1024)

/* PNGs smaller than this keep the full decode on the reduced path: they
 * cost little memory (16 MB of RGBA at most) and libpng takes as long
 * either way, while the full decode gives the reference's exact tensor
 * (block averages moved a 297 x 297 toy photo's embedding enough to split
 * it from its half-size copy in duplicates). */
#define PNG_REDUCE_MIN_PIXELS G_GUINT64_CONSTANT (4000000)

typedef enum {
  FORMAT_OTHER,
  FORMAT_JPEG,
  FORMAT_PNG,
  FORMAT_GIF,
  FORMAT_BMP,
  FORMAT_TIFF,
  FORMAT_WEBP,
  FORMAT_HEIF,    /* ISO base media file: HEIC, HEIF, AVIF */
} SniffedFormat;

typedef struct {
  SniffedFormat format;
  gboolean      have_size;   /* width/height read from the header */
  guint64       width;
  guint64       height;
  gboolean      nearest;     /* Pillow mode "P" or "1" */
  gboolean      drop_alpha;  /* PNG without an alpha channel: a tRNS colour key
                              * becomes alpha in GdkPixbuf, not in Pillow */
  gboolean      interlaced;  /* PNG: Adam7 */
  gboolean      alpha;       /* WebP: the header announces alpha */
  guint32       riff_size;   /* WebP: the RIFF chunk's size (the file's less 8) */
  guint32       bmp_pixels_at; /* BMP: where the header says the pixels start */
  guint         bmp_bits;      /* BMP: bits per pixel */
  gboolean      bmp_raw;       /* BMP: uncompressed rows (BI_RGB, BI_BITFIELDS) */
  gboolean      has_key;     /* GIF: the transparent index's colour */
  guint8        key_rgb[3];
  char          refusal[96]; /* a header Pillow refuses (why); "": none */
} SniffInfo;

/* Follows a PNG's chunks (length, type, data, CRC) to IEND. */
typedef struct {
  gsize    skip;           /* bytes of signature or chunk data + CRC left */
  guint8   header[8];      /* the chunk header being read */
  guint    header_len;
  gboolean in_idat;        /* the chunk being skipped is IDAT */
  gboolean idat_done;      /* at least one IDAT chunk read completely */
  gboolean iend;           /* reached IEND */
} PngScanner;

/* Follows a JPEG's segments and entropy-coded data to EOI (0xFF 0xD9). */
typedef enum {
  JPEG_SOI_FF,     /* expecting the 0xFF of SOI */
  JPEG_SOI_D8,
  JPEG_MARKER_FF,  /* between segments: expecting 0xFF */
  JPEG_MARKER,     /* after 0xFF: the marker code */
  JPEG_LEN_HI,
  JPEG_LEN_LO,
  JPEG_SKIP,       /* inside a segment's payload */
  JPEG_ENTROPY,    /* scan data after SOS */
  JPEG_ENTROPY_FF, /* scan data after 0xFF */
  JPEG_EOI,        /* found the end: the rest is ignored */
  JPEG_INVALID,    /* not a JPEG after all */
} JpegState;

typedef struct {
  JpegState state;
  guint     length_hi;
  gsize     remaining;        /* payload bytes left in JPEG_SKIP */
  gsize     payload;          /* payload length of the segment in JPEG_SKIP */
  guint8    marker;           /* marker code of that segment */
  gboolean  in_sos;           /* the segment being skipped is SOS */
  guint8    sof;              /* the first start-of-frame marker; 0 before it */
  int       frame_components; /* its component count; -1 before it */
  int       scan_components;  /* the first scan's component count; -1 before it */
} JpegScanner;

typedef struct {
  guint64  max_pixels;
  int      min_short_side;   /* > 0: a JPEG may be DCT-scaled down to this */
  const JpegScanner *jpeg;   /* the file's scanner when it is a JPEG */
  gboolean webp;             /* a WebP: libwebp scales while decoding */
  int      width;            /* as the header announces (stored orientation) */
  int      height;
  int      scale_denom;      /* the DCT scaling asked for: 1, 2, 4 or 8 */
  guint64  limit;            /* the pixel limit applied to width x height */
  gboolean refused;
  int      rows_done;        /* bottom of the lowest area the loader updated */
} SizeCheck;

static inline guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint32
read_le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static inline guint
read_le16 (const guint8 *p)
{
  return ((guint) p[1] << 8) | p[0];
}

/* cs-decode-sniff.c */
void      cs_decode_sniff (const guint8 *data,
                           gsize         len,
                           SniffInfo    *info);

/* cs-decode-scan.c */
gboolean  cs_decode_jpeg_marker_is_standalone (guint8 code);
gboolean  cs_decode_jpeg_marker_is_sof (guint8 code);
void      cs_decode_jpeg_scanner_init (JpegScanner *scan);
gboolean  cs_decode_jpeg_scanner_is_single_scan (const JpegScanner *scan);
void      cs_decode_jpeg_scanner_feed (JpegScanner  *scan,
                                       const guint8 *data,
                                       gsize         len);
void      cs_decode_png_scanner_feed (PngScanner   *scan,
                                      const guint8 *data,
                                      gsize         len);
gboolean  cs_decode_png_is_truncated (const PngScanner *scan,
                                      const SniffInfo  *info,
                                      const SizeCheck  *check);
int       cs_decode_div_round_up (int n,
                                  int d);
int       cs_decode_jpeg_pick_scale_denom (int width,
                                           int height,
                                           int min_short_side);

/* cs-decode-reduced.c */
CsDecodedImage *cs_decode_png_reduced (int         fd,
                                       const char *name,
                                       int         min_short_side,
                                       guint64     max_pixels,
                                       gboolean   *fallback,
                                       GError    **error);
CsDecodedImage *cs_decode_jpeg_dc_reduced (int         fd,
                                           const char *name,
                                           int         min_short_side,
                                           guint64     max_pixels,
                                           gboolean   *fallback,
                                           GError    **error);

/* cs-decode-convert.c */
void       cs_decode_paint_key_colour (GdkPixbuf    *pixbuf,
                                       const guint8 *rgb);
GdkPixbuf *cs_decode_strip_alpha (GdkPixbuf *src);

/* cs-decode.c */
gboolean  cs_decode_set_too_large (GError    **error,
                                   const char *name,
                                   guint64     width,
                                   guint64     height,
                                   guint64     max_pixels);
gssize    cs_decode_read_full (int     fd,
                               guint8 *buf,
                               gsize   len);

G_END_DECLS
