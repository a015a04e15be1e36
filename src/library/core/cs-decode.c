/* cs-decode.c - image files to upright 8-bit pixel buffers (GdkPixbuf).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read in chunks through a GdkPixbufLoader.  Before the loader
 * sees a byte, the first chunk is sniffed for what GdkPixbuf does not tell:
 * the PNG/GIF/BMP header's size (refused early when too large) and whether
 * Pillow would open the file as a palette or 1-bit image (then the engine
 * resamples with nearest neighbour, as Pillow forces for those modes).  The
 * loader's "size-prepared" signal, which every loader emits after parsing
 * its header and before allocating pixels, refuses other formats' bombs.
 * The sniffed format also names the loader module, so JPEG, PNG, GIF, BMP,
 * TIFF and WebP load even where GdkPixbuf's MIME sniffing has no
 * shared-mime-info database.
 *
 * While the bytes go by, small state machines follow a JPEG's marker
 * structure to its end-of-image marker and a PNG's chunks to IEND: libjpeg
 * fills a truncated JPEG with grey and GdkPixbuf's PNG loader returns a
 * half-blank image, both without an error, while Pillow refuses such files
 * ("image file is truncated"), so the reference has no answer for them.
 * The JPEG state machine also notes the frame type and the component
 * counts of the frame and of the first scan, which tell how much memory
 * libjpeg will need (see cs_decode_file_for_size()).
 *
 * The reduced-size path asks the JPEG loader, from the size-prepared
 * handler, for exactly the size one of libjpeg's DCT scalings produces.
 * GdkPixbuf 2.42's io-jpeg.c only ever sets scale_num = 1 and picks the
 * largest scale_denom among 2, 4 and 8 whose output still covers the
 * requested size; GdkPixbufLoader rescales (bilinear) only when the
 * loader's pixbuf differs from the requested size.  So a request of
 * ceil(w/d) x ceil(h/d), d in {1, 2, 4, 8}, is decoded by libjpeg at 1/d
 * and handed over untouched (checked against a direct libjpeg decode at
 * each scale: identical bytes, baseline and progressive), while n/8 scales
 * with n other than 1, 2, 4 or 8 would go through that bilinear rescale.
 */
#define G_LOG_DOMAIN "cs-decode"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-clip-error.h"
#include "cs-decode.h"
#include "cs-jpeg-dc.h"

/* Bytes read per loader write.  The first chunk is also the sniffing
 * window, large enough for a BMP header with a 256-entry palette. */
#define CHUNK_SIZE (64 * 1024)

G_DEFINE_QUARK (cs-decode-error-quark, cs_decode_error)

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

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
read_le32 (const guint8 *p)
{
  return ((guint32) p[3] << 24) | ((guint32) p[2] << 16) | ((guint32) p[1] << 8) | p[0];
}

static guint
read_le16 (const guint8 *p)
{
  return ((guint) p[1] << 8) | p[0];
}

/* Pillow's BmpImagePlugin: a 1/4/8-bit BMP is mode "P" unless its palette
 * is the identity grey ramp (then "L", or "1" for two colours). */
static void
sniff_bmp (const guint8 *data,
           gsize         len,
           SniffInfo    *info)
{
  guint32 header_size;
  guint bits, entry;
  guint64 colors;
  gsize palette_at;
  gboolean grey = TRUE;

  if (len < 18)
    return;
  header_size = read_le32 (data + 14);
  /* Pillow's header types (OS/2 1 and 2, Windows 3 to 5); GdkPixbuf's
   * loader allocates whatever size is announced (a 26-byte file asked for
   * 4 GB) */
  if (header_size != 12 && header_size != 40 && header_size != 52 && header_size != 56
      && header_size != 64 && header_size != 108 && header_size != 124)
    {
      g_snprintf (info->refusal, sizeof info->refusal,
                  "the BMP header announces an unknown header size of %u bytes", header_size);
      return;
    }
  if (header_size == 12 && len >= 26)
    {
      info->width = read_le16 (data + 18);
      info->height = read_le16 (data + 20);
      bits = read_le16 (data + 24);
      colors = 0;
      entry = 3;
    }
  else if (header_size >= 40 && len >= 54)
    {
      gint32 h = (gint32) read_le32 (data + 22);

      info->width = (gint32) read_le32 (data + 18) < 0 ? 0 : read_le32 (data + 18);
      info->height = h < 0 ? (guint64) -(gint64) h : (guint64) h;
      bits = read_le16 (data + 28);
      colors = read_le32 (data + 46);
      entry = 4;
    }
  else
    return;
  info->have_size = TRUE;
  if (bits == 0 || bits > 8)
    return;
  /* Pillow refuses a palette of more than 65,536 colours; GdkPixbuf's
   * loader allocates 4 bytes per announced colour, in 32 bits (a 380-byte
   * file asked for 3.7 GB) */
  if (colors > 65536)
    {
      g_snprintf (info->refusal, sizeof info->refusal,
                  "the BMP header announces a palette of %" G_GUINT64_FORMAT
                  " colours (65,536 at most)", colors);
      return;
    }

  if (colors == 0)
    colors = 1u << bits;
  palette_at = 14 + (gsize) header_size;
  info->nearest = TRUE;
  if (colors > 256 || palette_at + colors * entry > len)
    return;
  for (guint i = 0; i < colors; i++)
    {
      const guint8 *bgr = data + palette_at + (gsize) i * entry;
      guint want = colors == 2 ? (i == 0 ? 0 : 255) : i;

      if (bgr[0] != want || bgr[1] != want || bgr[2] != want)
        grey = FALSE;
    }
  if (grey && colors != 2)
    info->nearest = FALSE;
}

/* The colour of the first frame's transparent index.  GdkPixbuf turns
 * those pixels into (0, 0, 0, 0); Pillow's convert("RGB") of the "P"
 * image shows the palette entry.  Gives up quietly when the first image
 * is not inside the sniffed bytes. */
static void
sniff_gif_key (const guint8 *data,
               gsize         len,
               SniffInfo    *info)
{
  const guint8 *table = NULL;
  gsize table_len = 0, at = 13;
  int key = -1;

  if (len < 13)
    return;
  if (data[10] & 0x80)
    {
      table = data + 13;
      table_len = (gsize) 3 << ((data[10] & 7) + 1);
      at += table_len;
    }
  while (at < len)
    {
      if (data[at] == 0x21 && at + 1 < len)              /* extension */
        {
          guint8 label = data[at + 1];

          at += 2;
          if (label == 0xf9 && at + 5 <= len && data[at] == 4)
            key = (data[at + 1] & 1) ? data[at + 4] : -1;   /* graphic control */
          while (at < len && data[at] != 0)              /* sub-blocks */
            at += (gsize) data[at] + 1;
          at++;
        }
      else if (data[at] == 0x2c && at + 10 <= len)       /* first image */
        {
          if (data[at + 9] & 0x80)
            {
              table = data + at + 10;
              table_len = (gsize) 3 << ((data[at + 9] & 7) + 1);
            }
          if (key >= 0 && table != NULL && (gsize) (table - data) + table_len <= len &&
              (gsize) key * 3 + 3 <= table_len)
            {
              info->has_key = TRUE;
              memcpy (info->key_rgb, table + key * 3, 3);
            }
          return;
        }
      else
        return;
    }
}

/* Gives fully transparent pixels the GIF's transparent palette colour. */
static void
paint_key_colour (GdkPixbuf    *pixbuf,
                  const guint8 *rgb)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    {
      guint8 *p = pixels + (gsize) y * stride;

      for (int x = 0; x < width; x++, p += 4)
        if (p[3] == 0)
          memcpy (p, rgb, 3);
    }
}

/* A WebP's canvas size from its first chunk: VP8X (extended: 24-bit
 * canvas width - 1 and height - 1), VP8L (lossless: 14-bit width - 1 and
 * height - 1 after the 0x2f signature) or VP8 (lossy: 14-bit width and
 * height after the key frame's start code).  The WebP loader buffers the
 * whole file and decodes it before it announces the size, so this is the
 * only chance to refuse a bomb (38 bytes can announce 16383 x 16383). */
static void
sniff_webp (const guint8 *data,
            gsize         len,
            SniffInfo    *info)
{
  if (len >= 30 && memcmp (data + 12, "VP8X", 4) == 0)
    {
      info->alpha = (data[20] & 0x10) != 0;
      info->width = 1 + (data[24] | ((guint) data[25] << 8) | ((guint) data[26] << 16));
      info->height = 1 + (data[27] | ((guint) data[28] << 8) | ((guint) data[29] << 16));
      info->have_size = TRUE;
    }
  else if (len >= 25 && memcmp (data + 12, "VP8L", 4) == 0 && data[20] == 0x2f)
    {
      guint32 bits = read_le32 (data + 21);

      info->width = 1 + (bits & 0x3fff);
      info->height = 1 + ((bits >> 14) & 0x3fff);
      info->alpha = ((bits >> 28) & 1) != 0;
      info->have_size = TRUE;
    }
  else if (len >= 30 && memcmp (data + 12, "VP8 ", 4) == 0 &&
           data[23] == 0x9d && data[24] == 0x01 && data[25] == 0x2a)
    {
      info->width = read_le16 (data + 26) & 0x3fff;
      info->height = read_le16 (data + 28) & 0x3fff;
      info->have_size = TRUE;
    }
}

/* The first image's size from a TIFF's IFD 0 (ImageWidth, ImageLength),
 * the page GdkPixbuf's TIFF loader decodes, when the IFD lies within the
 * sniffed bytes. */
static void
sniff_tiff (const guint8 *data,
            gsize         len,
            SniffInfo    *info)
{
  gboolean le = data[0] == 'I';
  guint32 ifd;
  guint n;
  guint64 width = 0, height = 0;

  if (len < 8)
    return;
  ifd = le ? read_le32 (data + 4) : read_be32 (data + 4);
  if ((gsize) ifd + 2 > len)
    return;
  n = le ? read_le16 (data + ifd) : ((guint) data[ifd] << 8) | data[ifd + 1];
  for (guint i = 0; i < n && (gsize) ifd + 2 + 12 * (i + 1) <= len; i++)
    {
      const guint8 *e = data + ifd + 2 + 12 * i;
      guint tag = le ? read_le16 (e) : ((guint) e[0] << 8) | e[1];
      guint type = le ? read_le16 (e + 2) : ((guint) e[2] << 8) | e[3];
      guint64 value;

      if (type == 3)        /* SHORT */
        value = le ? read_le16 (e + 8) : ((guint) e[8] << 8) | e[9];
      else if (type == 4)   /* LONG */
        value = le ? read_le32 (e + 8) : read_be32 (e + 8);
      else
        continue;
      if (tag == 256)
        width = value;
      else if (tag == 257)
        height = value;
    }
  if (width > 0 && height > 0)
    {
      info->width = width;
      info->height = height;
      info->have_size = TRUE;
    }
}

/* An ISO base media box inside [at, end): its type, payload start and end.
 * FALSE when the box does not fit. */
static gboolean
bmff_box (const guint8 *data,
          gsize         at,
          gsize         end,
          guint32      *type,
          gsize        *payload,
          gsize        *box_end)
{
  guint64 size;
  gsize header = 8;

  if (at + 8 > end)
    return FALSE;
  size = read_be32 (data + at);
  *type = read_be32 (data + at + 4);
  if (size == 1)
    {
      if (at + 16 > end)
        return FALSE;
      size = ((guint64) read_be32 (data + at + 8) << 32) | read_be32 (data + at + 12);
      header = 16;
    }
  else if (size == 0)
    size = end - at;
  if (size < header || size > end - at)
    return FALSE;
  *payload = at + header;
  *box_end = at + (gsize) size;
  return TRUE;
}

#define FOURCC(a, b, c, d) (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))

/* The primary image's size from a HEIF/AVIF file's "meta" box: pitm names
 * the primary item, ipma lists each item's properties (indexes into ipco,
 * from 1), and the image-spatial-extents property "ispe" holds the width
 * and height.  When the association cannot be followed, the largest ispe
 * in ipco stands for the primary's (grid images carry their full size,
 * tiles and thumbnails less), erring on the side of refusing.  libheif's
 * GdkPixbuf loader decodes the whole image before it announces the size. */
static void
sniff_heif (const guint8 *data,
            gsize         len,
            SniffInfo    *info)
{
  gsize at = 0, payload, box_end, meta = 0, meta_end = 0;
  gsize ipco = 0, ipco_end = 0, ipma = 0, ipma_end = 0;
  guint32 type, primary = 0;
  gboolean have_primary = FALSE;
  guint64 max_w = 0, max_h = 0, prim_w = 0, prim_h = 0;
  gboolean have_prim = FALSE, have_any = FALSE;
  GArray *ispe_index = NULL;  /* for each ipco property (from 1): its ispe, or none */

  while (bmff_box (data, at, len, &type, &payload, &box_end))
    {
      if (type == FOURCC ('m', 'e', 't', 'a'))
        {
          meta = payload + 4;   /* full box: version and flags */
          meta_end = box_end;
          break;
        }
      at = box_end;
    }
  if (meta == 0 || meta > meta_end)
    return;

  for (at = meta; bmff_box (data, at, meta_end, &type, &payload, &box_end); at = box_end)
    {
      if (type == FOURCC ('p', 'i', 't', 'm') && payload + 6 <= box_end)
        {
          primary = data[payload] == 0 ? read_be32 (data + payload + 2) >> 16
                                       : (payload + 8 <= box_end ? read_be32 (data + payload + 4) : 0);
          have_primary = TRUE;
        }
      else if (type == FOURCC ('i', 'p', 'r', 'p'))
        {
          gsize in_at, in_payload, in_end;
          guint32 in_type;

          for (in_at = payload; bmff_box (data, in_at, box_end, &in_type, &in_payload, &in_end);
               in_at = in_end)
            if (in_type == FOURCC ('i', 'p', 'c', 'o'))
              ipco = in_payload, ipco_end = in_end;
            else if (in_type == FOURCC ('i', 'p', 'm', 'a'))
              ipma = in_payload, ipma_end = in_end;
        }
    }
  if (ipco == 0)
    return;

  ispe_index = g_array_new (FALSE, TRUE, sizeof (guint64) * 2);
  for (at = ipco; bmff_box (data, at, ipco_end, &type, &payload, &box_end); at = box_end)
    {
      guint64 wh[2] = { 0, 0 };

      if (type == FOURCC ('i', 's', 'p', 'e') && payload + 12 <= box_end)
        {
          wh[0] = read_be32 (data + payload + 4);
          wh[1] = read_be32 (data + payload + 8);
          if (wh[0] * wh[1] > max_w * max_h || !have_any)
            max_w = wh[0], max_h = wh[1];
          have_any = TRUE;
        }
      g_array_append_vals (ispe_index, wh, 1);
    }

  /* ipma: version/flags, entry count; per entry the item id (16 or 32
   * bits), an association count, then 1- or 2-byte property indexes
   * (essential bit first). */
  if (have_primary && ipma != 0 && ipma + 8 <= ipma_end)
    {
      guint version = data[ipma];
      gboolean wide = (data[ipma + 3] & 1) != 0;
      guint32 entries = read_be32 (data + ipma + 4);
      gsize p = ipma + 8;

      for (guint32 e = 0; e < entries && !have_prim; e++)
        {
          guint32 item;
          guint n;

          if (p + (version < 1 ? 2 : 4) + 1 > ipma_end)
            break;
          item = version < 1 ? read_be32 (data + p) >> 16 : read_be32 (data + p);
          p += version < 1 ? 2 : 4;
          n = data[p++];
          for (guint k = 0; k < n; k++)
            {
              guint idx;

              if (p + (wide ? 2 : 1) > ipma_end)
                break;
              idx = wide ? ((guint) (data[p] & 0x7f) << 8) | data[p + 1] : (guint) (data[p] & 0x7f);
              p += wide ? 2 : 1;
              if (item == primary && idx >= 1 && idx <= ispe_index->len)
                {
                  const guint64 *wh = &g_array_index (ispe_index, guint64, (idx - 1) * 2);

                  if (wh[0] != 0 || wh[1] != 0)
                    {
                      prim_w = wh[0];
                      prim_h = wh[1];
                      have_prim = TRUE;
                    }
                }
            }
        }
    }
  g_array_unref (ispe_index);

  if (have_prim)
    {
      info->width = prim_w;
      info->height = prim_h;
      info->have_size = TRUE;
    }
  else if (have_any)
    {
      info->width = max_w;
      info->height = max_h;
      info->have_size = TRUE;
    }
}

static void
sniff (const guint8 *data,
       gsize         len,
       SniffInfo    *info)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  memset (info, 0, sizeof *info);
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    info->format = FORMAT_JPEG;
  else if (len >= 8 && memcmp (data, png_signature, 8) == 0)
    {
      info->format = FORMAT_PNG;
      if (len >= 26 && memcmp (data + 12, "IHDR", 4) == 0)
        {
          guint depth = data[24], colour_type = data[25];

          info->have_size = TRUE;
          info->width = read_be32 (data + 16);
          info->height = read_be32 (data + 20);
          /* Pillow: colour type 3 is "P", 1-bit grey is "1". */
          info->nearest = colour_type == 3 || (colour_type == 0 && depth == 1);
          info->drop_alpha = colour_type == 0 || colour_type == 2 || colour_type == 3;
          info->interlaced = len >= 29 && data[28] != 0;
        }
    }
  else if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    {
      info->format = FORMAT_GIF;
      info->nearest = TRUE;   /* Pillow opens GIFs as "P" */
      if (len >= 10)
        {
          info->have_size = TRUE;
          info->width = read_le16 (data + 6);
          info->height = read_le16 (data + 8);
        }
      sniff_gif_key (data, len, info);
    }
  else if (len >= 2 && data[0] == 'B' && data[1] == 'M')
    {
      info->format = FORMAT_BMP;
      sniff_bmp (data, len, info);
    }
  else if (len >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    {
      info->format = FORMAT_TIFF;
      sniff_tiff (data, len, info);
    }
  else if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    {
      info->format = FORMAT_WEBP;
      info->riff_size = read_le32 (data + 4);
      sniff_webp (data, len, info);
    }
  else if (len >= 12 && memcmp (data + 4, "ftyp", 4) == 0)
    {
      info->format = FORMAT_HEIF;
      sniff_heif (data, len, info);
    }
}

/* Marker codes that stand alone (no length): TEM, RST0-7, SOI. */
static gboolean
jpeg_marker_is_standalone (guint8 code)
{
  return code == 0x01 || (code >= 0xd0 && code <= 0xd8);
}

/* SOF0-SOF15 less DHT (C4), JPG (C8) and DAC (CC). */
static gboolean
jpeg_marker_is_sof (guint8 code)
{
  return code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc;
}

static void
jpeg_scanner_init (JpegScanner *scan)
{
  memset (scan, 0, sizeof *scan);
  scan->state = JPEG_SOI_FF;
  scan->frame_components = -1;
  scan->scan_components = -1;
}

/* Notes the frame's component count (payload byte 5 of the first SOF:
 * precision, height, width, Nf) and the first scan's (byte 0 of the first
 * SOS: Ns) from `n` payload bytes about to be skipped. */
static void
jpeg_scanner_note (JpegScanner  *scan,
                   const guint8 *data,
                   gsize         n)
{
  gsize at = scan->payload - scan->remaining;   /* payload offset of data[0] */
  gsize want;

  if (jpeg_marker_is_sof (scan->marker) && scan->sof == 0)
    want = 5;
  else if (scan->marker == 0xda && scan->scan_components < 0)
    want = 0;
  else
    return;
  if (want < at || want >= at + n)
    return;
  if (scan->marker == 0xda)
    scan->scan_components = data[want - at];
  else
    {
      scan->sof = scan->marker;
      scan->frame_components = data[want - at];
    }
}

/* Whether libjpeg decodes the file in one pass, holding a few rows of
 * blocks at a time: a sequential frame (baseline, extended or arithmetic)
 * whose first scan carries every component.  libjpeg keeps the DCT
 * coefficients of the whole image for progressive frames and for frames
 * split into several scans (as it decides from the first scan). */
static gboolean
jpeg_scanner_is_single_scan (const JpegScanner *scan)
{
  return (scan->sof == 0xc0 || scan->sof == 0xc1 || scan->sof == 0xc9) &&
         scan->frame_components > 0 && scan->scan_components == scan->frame_components;
}

static void
jpeg_scanner_marker (JpegScanner *scan,
                     guint8       code)
{
  if (code == 0xff)
    scan->state = JPEG_MARKER;               /* fill byte */
  else if (code == 0xd9)
    scan->state = JPEG_EOI;
  else if (code == 0x00 || jpeg_marker_is_standalone (code))
    scan->state = JPEG_MARKER_FF;
  else
    {
      scan->in_sos = code == 0xda;
      scan->marker = code;
      scan->state = JPEG_LEN_HI;
    }
}

static void
jpeg_scanner_feed (JpegScanner  *scan,
                   const guint8 *data,
                   gsize         len)
{
  gsize i = 0;

  while (i < len && scan->state != JPEG_EOI && scan->state != JPEG_INVALID)
    {
      guint8 b = data[i];

      switch (scan->state)
        {
        case JPEG_SOI_FF:
          scan->state = b == 0xff ? JPEG_SOI_D8 : JPEG_INVALID;
          i++;
          break;
        case JPEG_SOI_D8:
          scan->state = b == 0xd8 ? JPEG_MARKER_FF : JPEG_INVALID;
          i++;
          break;
        case JPEG_MARKER_FF:
          /* libjpeg skips stray bytes before a marker; so do we. */
          if (b == 0xff)
            scan->state = JPEG_MARKER;
          i++;
          break;
        case JPEG_MARKER:
          jpeg_scanner_marker (scan, b);
          i++;
          break;
        case JPEG_LEN_HI:
          scan->length_hi = b;
          scan->state = JPEG_LEN_LO;
          i++;
          break;
        case JPEG_LEN_LO:
          {
            guint length = (scan->length_hi << 8) | b;

            scan->remaining = length >= 2 ? length - 2 : 0;
            scan->payload = scan->remaining;
            scan->state = JPEG_SKIP;
            i++;
            break;
          }
        case JPEG_SKIP:
          {
            gsize n = MIN (scan->remaining, len - i);

            jpeg_scanner_note (scan, data + i, n);
            i += n;
            scan->remaining -= n;
            break;
          }
        case JPEG_ENTROPY:
          {
            const guint8 *ff = memchr (data + i, 0xff, len - i);

            if (ff == NULL)
              i = len;
            else
              {
                i = (gsize) (ff - data) + 1;
                scan->state = JPEG_ENTROPY_FF;
              }
            break;
          }
        case JPEG_ENTROPY_FF:
          if (b == 0x00 || (b >= 0xd0 && b <= 0xd7))
            scan->state = JPEG_ENTROPY;      /* stuffed byte or restart marker */
          else
            jpeg_scanner_marker (scan, b);
          i++;
          break;
        case JPEG_EOI:
        case JPEG_INVALID:
        default:
          g_assert_not_reached ();
        }

      if (scan->state == JPEG_SKIP && scan->remaining == 0)
        scan->state = scan->in_sos ? JPEG_ENTROPY : JPEG_MARKER_FF;
    }
}

static void
png_scanner_feed (PngScanner   *scan,
                  const guint8 *data,
                  gsize         len)
{
  gsize i = 0;

  while (i < len && !scan->iend)
    {
      if (scan->skip > 0)
        {
          gsize n = MIN (scan->skip, len - i);

          i += n;
          scan->skip -= n;
          if (scan->skip == 0 && scan->in_idat)
            scan->idat_done = TRUE;
          continue;
        }
      scan->header[scan->header_len++] = data[i++];
      if (scan->header_len == 8)
        {
          scan->header_len = 0;
          scan->in_idat = memcmp (scan->header + 4, "IDAT", 4) == 0;
          scan->iend = memcmp (scan->header + 4, "IEND", 4) == 0;
          scan->skip = (gsize) read_be32 (scan->header) + 4;
        }
    }
}

/* Whether a PNG's data ended before its image did.  Pillow refuses such a
 * file ("image file is truncated"), GdkPixbuf returns it half blank.  A
 * missing IEND alone is tolerated, as by Pillow, when the last chunk is
 * whole and (where rows arrive in order) every row was delivered. */
static gboolean
png_is_truncated (const PngScanner *scan,
                  const SniffInfo  *info,
                  const SizeCheck  *check)
{
  if (scan->iend)
    return FALSE;
  if (scan->skip > 0 || scan->header_len > 0 || !scan->idat_done)
    return TRUE;
  return !info->interlaced && check->rows_done < check->height;
}

static void
on_loader_area_updated_cb (GdkPixbufLoader *loader,
                           int              x,
                           int              y,
                           int              width,
                           int              height,
                           gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->rows_done = MAX (check->rows_done, y + height);
}

/* ceil (n / d), as libjpeg rounds its scaled dimensions. */
static int
div_round_up (int n,
              int d)
{
  return (int) (((gint64) n + d - 1) / d);
}

/* The largest DCT scaling 1/d (d in 8, 4, 2) that keeps the short side at
 * least `min_short_side`; 1 when none does. */
static int
jpeg_pick_scale_denom (int width,
                       int height,
                       int min_short_side)
{
  for (int d = 8; d > 1; d /= 2)
    if (MIN (div_round_up (width, d), div_round_up (height, d)) >= min_short_side)
      return d;
  return 1;
}

static void
on_loader_size_prepared_cb (GdkPixbufLoader *loader,
                            int              width,
                            int              height,
                            gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->width = width;
  check->height = height;
  check->scale_denom = 1;
  check->limit = check->max_pixels;
  if (width > 0 && height > 0 && (check->jpeg != NULL || check->webp) && check->min_short_side > 0)
    check->scale_denom = jpeg_pick_scale_denom (width, height, check->min_short_side);
  /* A single-pass JPEG decoded at 1/2 or less needs memory for the reduced
   * image only, at most a quarter of the source. */
  if (check->scale_denom > 1 && check->jpeg != NULL && jpeg_scanner_is_single_scan (check->jpeg))
    check->limit = check->max_pixels > G_MAXUINT64 / CS_DECODE_SCALED_JPEG_FACTOR
                   ? G_MAXUINT64 : check->max_pixels * CS_DECODE_SCALED_JPEG_FACTOR;

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > check->limit)
    {
      check->refused = TRUE;
      /* The documented way to stop a loader before it allocates: every
       * loader fails on a requested size of 0 x 0. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
  else if (check->scale_denom > 1)
    /* Exactly libjpeg's output at 1/d: no rescale by the loader.  The
     * WebP loader hands the size to libwebp, whose decoder averages the
     * source pixels each output pixel covers as it goes, never holding the
     * full-size image. */
    gdk_pixbuf_loader_set_size (loader,
                                div_round_up (width, check->scale_denom),
                                div_round_up (height, check->scale_denom));
}

static gboolean
set_too_large (GError    **error,
               const char *name,
               guint64     width,
               guint64     height,
               guint64     max_pixels)
{
  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE,
               "%s: image of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
               " pixels exceeds the limit of %" G_GUINT64_FORMAT " pixels",
               name, width, height, max_pixels);
  return FALSE;
}

/* Reads up to `len` bytes, retrying short reads; returns the count, or -1
 * with errno set. */
static gssize
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

/* A loader for the sniffed format.  Naming the module skips GdkPixbuf's
 * own sniffing, which goes through the shared-mime-info database in
 * $XDG_DATA_DIRS and finds nothing when that is unset or sandboxed; other
 * formats (TIFF, WebP, HEIF...) still depend on it. */
static GdkPixbufLoader *
new_loader (SniffedFormat format)
{
  const char *type = NULL;
  GdkPixbufLoader *loader = NULL;

  switch (format)
    {
    case FORMAT_JPEG: type = "jpeg"; break;
    case FORMAT_PNG: type = "png"; break;
    case FORMAT_GIF: type = "gif"; break;
    case FORMAT_BMP: type = "bmp"; break;
    case FORMAT_TIFF: type = "tiff"; break;
    case FORMAT_WEBP: type = "webp"; break;
    case FORMAT_OTHER:
    default:
      break;
    }
  if (type != NULL)
    loader = gdk_pixbuf_loader_new_with_type (type, NULL);
  if (loader == NULL)
    loader = gdk_pixbuf_loader_new ();
  return loader;
}

/* A copy of an RGBA pixbuf without its alpha channel. */
static GdkPixbuf *
strip_alpha (GdkPixbuf *src)
{
  int width = gdk_pixbuf_get_width (src);
  int height = gdk_pixbuf_get_height (src);
  int src_stride = gdk_pixbuf_get_rowstride (src);
  const guint8 *src_pixels = gdk_pixbuf_read_pixels (src);
  GdkPixbuf *dst = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int dst_stride;
  guint8 *dst_pixels;

  if (dst == NULL)
    return NULL;
  dst_stride = gdk_pixbuf_get_rowstride (dst);
  dst_pixels = gdk_pixbuf_get_pixels (dst);
  for (int y = 0; y < height; y++)
    {
      const guint8 *s = src_pixels + (gsize) y * src_stride;
      guint8 *d = dst_pixels + (gsize) y * dst_stride;

      for (int x = 0; x < width; x++, s += 4, d += 3)
        {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
    }
  return dst;
}

void
cs_decoded_image_free (CsDecodedImage *image)
{
  if (image == NULL)
    return;
  g_clear_object (&image->owner);
  g_free (image);
}

clip_image
cs_decoded_image_as_clip (const CsDecodedImage *image)
{
  clip_image view = { 0 };

  g_return_val_if_fail (image != NULL, view);

  view.pixels = image->pixels;
  view.width = image->width;
  view.height = image->height;
  view.stride = image->stride;
  view.format = image->channels == 4 ? CLIP_PIXELS_RGBA8 : CLIP_PIXELS_RGB8;
  view.nearest = image->nearest;
  return view;
}

/* ---- PNG row by row, reduced on the fly ----------------------------- */

typedef struct {
  int  fd;
  char message[256];
} PngIo;

static void
png_read_cb (png_structp png,
             png_bytep   data,
             size_t      len)
{
  PngIo *io = png_get_io_ptr (png);
  gssize n = read_full (io->fd, data, len);

  if (n < 0 || (gsize) n != len)
    png_error (png, n < 0 ? g_strerror (errno) : "the image data ends early");
}

static void
png_error_cb (png_structp     png,
              png_const_charp message)
{
  PngIo *io = png_get_error_ptr (png);

  g_strlcpy (io->message, message, sizeof io->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp message)
{
}

typedef enum {
  PNG_ROWS_DONE,
  PNG_ROWS_FALLBACK,   /* a colour key or translucent pixels */
  PNG_ROWS_FAILED,     /* libpng's error, in the PngIo's message */
} PngRows;

/* Reads the rows and averages each d x d block into `pixels` (RGB); the
 * only function that runs under libpng's setjmp, and it changes none of
 * its locals that the error branch reads. */
static PngRows
png_reduce_rows (png_structp png,
                 png_infop   pinfo,
                 guint32     w,
                 guint32     h,
                 guint       colour_type,
                 int         d,
                 guint8     *pixels,
                 int         out_stride,
                 guint32    *acc,
                 guint8     *row)
{
  gboolean alpha = (colour_type & 4) != 0;
  guint step = alpha ? 4 : 3;
  int ow = div_round_up ((int) w, d);

  if (setjmp (png_jmpbuf (png)))
    return PNG_ROWS_FAILED;
  png_read_info (png, pinfo);
  if (png_get_valid (png, pinfo, PNG_INFO_tRNS))
    return PNG_ROWS_FALLBACK;
  if (colour_type == 0 || colour_type == 4)
    png_set_gray_to_rgb (png);
  png_read_update_info (png, pinfo);

  for (guint32 y = 0; y < h; y++)
    {
      png_read_row (png, row, NULL);
      for (guint32 x = 0; x < w; x++)
        {
          const guint8 *p = row + (gsize) x * step;
          guint32 *a = acc + (gsize) (x / (guint32) d) * 3;

          if (alpha && p[3] != 255)
            return PNG_ROWS_FALLBACK;
          a[0] += p[0];
          a[1] += p[1];
          a[2] += p[2];
        }
      if ((y + 1) % (guint32) d == 0 || y + 1 == h)
        {
          guint32 rows = y % (guint32) d + 1;
          guint8 *o = pixels + (gsize) (y / (guint32) d) * out_stride;

          for (int ox = 0; ox < ow; ox++)
            {
              guint32 cols = MIN ((guint32) d, w - (guint32) ox * d);
              guint32 n = rows * cols;

              for (int c = 0; c < 3; c++)
                o[ox * 3 + c] = (guint8) ((acc[ox * 3 + c] + n / 2) / n);
            }
          memset (acc, 0, (gsize) ow * 3 * sizeof *acc);
        }
    }
  return PNG_ROWS_DONE;
}

/* PNGs smaller than this keep the full decode on the reduced path: they
 * cost little memory (16 MB of RGBA at most) and libpng takes as long
 * either way, while the full decode gives the reference's exact tensor
 * (block averages moved a 297 x 297 toy photo's embedding enough to split
 * it from its half-size copy in duplicates). */
#define PNG_REDUCE_MIN_PIXELS G_GUINT64_CONSTANT (4000000)

/* The reduced path for an 8-bit, non-interlaced grey or RGB PNG, opaque
 * and without a tRNS colour key (nearly every photo and wallpaper saved as
 * PNG): libpng hands over one row at a time and each d x d block of the
 * source is averaged into one pixel of a ceil(w/d) x ceil(h/d) image, d
 * picked as for a JPEG.  So only that image and a row or two are held,
 * where GdkPixbuf's loader held the whole image (a 13000 x 13000 PNG:
 * 676 MB).  Sets `fallback` and returns NULL, the file untouched but its
 * offset, when the file does not qualify (another kind of PNG, too small
 * to reduce, or pixels found translucent on the way); else returns the
 * image, or NULL with `error` set (truncated, corrupt). */
static CsDecodedImage *
png_decode_reduced (int         fd,
                    const char *name,
                    int         min_short_side,
                    guint64     max_pixels,
                    gboolean   *fallback,
                    GError    **error)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 head[29];
  guint32 w, h;
  guint depth, colour_type;
  int d, ow, oh, out_stride;
  png_structp png = NULL;
  png_infop pinfo = NULL;
  PngIo io = { fd, "" };
  GdkPixbuf *out = NULL;
  guint32 *acc = NULL;
  guint8 *row = NULL, *pixels;
  CsDecodedImage *image = NULL;

  *fallback = TRUE;
  if (pread (fd, head, sizeof head, 0) != (ssize_t) sizeof head ||
      memcmp (head, png_signature, 8) != 0 || memcmp (head + 12, "IHDR", 4) != 0)
    return NULL;
  w = read_be32 (head + 16);
  h = read_be32 (head + 20);
  depth = head[24];
  colour_type = head[25];
  if (depth != 8 || (colour_type != 0 && colour_type != 2 && colour_type != 4 && colour_type != 6) ||
      head[28] != 0 || w == 0 || h == 0 || w > G_MAXINT / 4 || h > G_MAXINT ||
      (guint64) w * h > max_pixels || (guint64) w * h < PNG_REDUCE_MIN_PIXELS)
    return NULL;
  d = jpeg_pick_scale_denom ((int) w, (int) h, min_short_side);
  if (d == 1)
    return NULL;
  ow = div_round_up ((int) w, d);
  oh = div_round_up ((int) h, d);

  /* everything allocated before setjmp: nothing changes after it that the
   * error branch needs */
  out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, ow, oh);
  acc = g_try_new0 (guint32, (gsize) ow * 3);
  row = g_try_malloc ((gsize) w * 4);
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &io, png_error_cb, png_warning_cb);
  if (png != NULL)
    png_set_read_fn (png, &io, png_read_cb);
  pinfo = png != NULL ? png_create_info_struct (png) : NULL;
  if (out == NULL || acc == NULL || row == NULL || pinfo == NULL)
    {
      *fallback = FALSE;
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to decode the image", name);
      goto out;
    }
  out_stride = gdk_pixbuf_get_rowstride (out);
  pixels = gdk_pixbuf_get_pixels (out);

  switch (png_reduce_rows (png, pinfo, w, h, colour_type, d, pixels, out_stride, acc, row))
    {
    case PNG_ROWS_DONE:
      break;
    case PNG_ROWS_FALLBACK:
      goto out;
    case PNG_ROWS_FAILED:
    default:
      *fallback = FALSE;
      if (strstr (io.message, "ends early") != NULL)
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                     "%s: truncated PNG (the image data ends early)", name);
      else
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                     "%s: cannot decode image: %s", name, io.message);
      goto out;
    }

  *fallback = FALSE;
  image = g_new0 (CsDecodedImage, 1);
  image->width = ow;
  image->height = oh;
  image->orig_width = (int) w;
  image->orig_height = (int) h;
  image->scale_denom = d;
  image->stride = out_stride;
  image->channels = 3;
  image->pixels = gdk_pixbuf_get_pixels (out);
  image->owner = g_steal_pointer (&out);

out:
  if (png != NULL)
    png_destroy_read_struct (&png, pinfo != NULL ? &pinfo : NULL, NULL);
  g_clear_object (&out);
  g_free (acc);
  g_free (row);
  return image;
}

static void
free_pixels (guchar  *pixels,
             gpointer data G_GNUC_UNUSED)
{
  g_free (pixels);
}

/* A large progressive JPEG that libjpeg would decode at 1/8 is decoded
 * from its DC coefficients alone (see cs-jpeg-dc.c): libjpeg would hold
 * every coefficient of the image.  `fallback` as for png_decode_reduced(). */
static CsDecodedImage *
jpeg_dc_decode_reduced (int         fd,
                        const char *name,
                        int         min_short_side,
                        guint64     max_pixels,
                        gboolean   *fallback,
                        GError    **error)
{
  CsJpegDc dc;
  CsJpegDcResult r;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbuf *upright;
  CsDecodedImage *image;
  char orientation[2] = { 0 };
  gboolean swap;

  *fallback = FALSE;
  r = cs_jpeg_dc_decode (fd, name, min_short_side, max_pixels, &dc, error);
  if (r == CS_JPEG_DC_NOT_HANDLED)
    {
      *fallback = TRUE;
      return NULL;
    }
  if (r == CS_JPEG_DC_FAILED)
    return NULL;
  pixbuf = gdk_pixbuf_new_from_data (dc.rgb, GDK_COLORSPACE_RGB, FALSE, 8, dc.width, dc.height,
                                     dc.width * 3, free_pixels, NULL);
  orientation[0] = (char) ('0' + dc.orientation);
  gdk_pixbuf_set_option (pixbuf, "orientation", orientation);
  upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (upright == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to rotate the image", name);
      return NULL;
    }
  swap = dc.orientation >= 5;
  image = g_new0 (CsDecodedImage, 1);
  image->width = gdk_pixbuf_get_width (upright);
  image->height = gdk_pixbuf_get_height (upright);
  image->orig_width = swap ? dc.frame_height : dc.frame_width;
  image->orig_height = swap ? dc.frame_width : dc.frame_height;
  image->scale_denom = 8;
  image->stride = gdk_pixbuf_get_rowstride (upright);
  image->channels = 3;
  image->pixels = (guint8 *) gdk_pixbuf_read_pixels (upright);
  image->owner = upright;
  return image;
}

/* Decodes at full size, or, when `min_short_side` > 0, a JPEG at the
 * smallest DCT scaling whose short side stays at least that long. */
static CsDecodedImage *
decode_file (const char *path,
             guint64     max_pixels,
             int         min_short_side,
             GError    **error)
{
  g_autofree char *name = NULL;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  GdkPixbuf *decoded;
  CsDecodedImage *image;
  SniffInfo info = { 0 };
  SizeCheck check = { 0 };
  JpegScanner jpeg;
  PngScanner png = { .skip = 8 };   /* the signature */
  struct stat st;
  guint64 total = 0;
  gboolean write_failed = FALSE;
  gboolean reached_eof = FALSE;
  gboolean closed_ok;
  int fd;

  if (max_pixels == 0)
    max_pixels = CS_DECODE_MAX_PIXELS;
  name = g_filename_display_name (path);
  jpeg_scanner_init (&jpeg);

  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", name, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s: not a regular file", name);
      close (fd);
      return NULL;
    }

  if (min_short_side > 0)
    {
      /* Decoders of the reduced path that read the file themselves: each
       * either answers or hands the file back for the next, rewound. */
      static CsDecodedImage *(*const reduced[]) (int, const char *, int, guint64, gboolean *,
                                                 GError **) = {
        jpeg_dc_decode_reduced, png_decode_reduced,
      };

      for (gsize i = 0; i < G_N_ELEMENTS (reduced); i++)
        {
          gboolean fallback;

          image = reduced[i] (fd, name, min_short_side, max_pixels, &fallback, error);
          if (!fallback)
            {
              close (fd);
              return image;
            }
          if (lseek (fd, 0, SEEK_SET) != 0)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           "%s: %s", name, g_strerror (saved));
              close (fd);
              return NULL;
            }
        }
    }

  buf = g_malloc (CHUNK_SIZE);
  check.max_pixels = max_pixels;
  check.limit = max_pixels;
  check.scale_denom = 1;
  check.min_short_side = min_short_side;

  for (;;)
    {
      gssize n = read_full (fd, buf, CHUNK_SIZE);

      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "%s: %s", name, g_strerror (saved));
          close (fd);
          if (loader != NULL)
            gdk_pixbuf_loader_close (loader, NULL);
          return NULL;
        }
      if (n == 0)
        {
          reached_eof = TRUE;
          break;
        }

      if (total == 0)
        {
          sniff (buf, (gsize) n, &info);
          if (info.have_size &&
              (info.width == 0 || info.height == 0 || info.width * info.height > max_pixels))
            {
              close (fd);
              if (info.width == 0 || info.height == 0)
                {
                  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                               "%s: the header announces an empty image", name);
                  return NULL;
                }
              set_too_large (error, name, info.width, info.height, max_pixels);
              return NULL;
            }
          if (info.refusal[0] != '\0')
            {
              close (fd);
              g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT, "%s: %s", name,
                           info.refusal);
              return NULL;
            }
          if (info.format == FORMAT_HEIF && !info.have_size)
            {
              /* libheif decodes before it tells the size: without the
               * size from the header there is no refusing a bomb. */
              close (fd);
              g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                           "%s: HEIF/AVIF image size not found in the file's first %d KB "
                           "(no \"ispe\" property in its \"meta\" box)", name, CHUNK_SIZE / 1024);
              return NULL;
            }
          if (info.format == FORMAT_JPEG)
            check.jpeg = &jpeg;
          /* libwebp's scaler premultiplies: under transparent pixels the
           * colour (which CLIP's RGB conversion keeps) would be lost */
          check.webp = info.format == FORMAT_WEBP && !info.alpha;
          loader = new_loader (info.format);
          g_signal_connect (loader, "size-prepared",
                            G_CALLBACK (on_loader_size_prepared_cb), &check);
          g_signal_connect (loader, "area-updated",
                            G_CALLBACK (on_loader_area_updated_cb), &check);
        }
      total += (guint64) n;
      if (info.format == FORMAT_JPEG)
        jpeg_scanner_feed (&jpeg, buf, (gsize) n);
      else if (info.format == FORMAT_PNG)
        png_scanner_feed (&png, buf, (gsize) n);

      if (!gdk_pixbuf_loader_write (loader, buf, (gsize) n, &load_error))
        {
          write_failed = TRUE;
          break;
        }
      if (check.refused)
        break;
    }
  close (fd);

  if (total == 0)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_EMPTY, "%s: empty file", name);
      return NULL;
    }

  /* Closing finishes the decode; after a failed write the loader is
   * already in error and only its resources are released. */
  if (write_failed || check.refused)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      closed_ok = FALSE;
    }
  else
    closed_ok = gdk_pixbuf_loader_close (loader, &load_error);

  if (check.refused)
    {
      set_too_large (error, name, (guint64) MAX (check.width, 0),
                     (guint64) MAX (check.height, 0), check.limit);
      return NULL;
    }
  /* Only a JPEG read to its end can be called truncated; a failed write
   * stops reading early and is reported as the loader's error. */
  if (info.format == FORMAT_JPEG && reached_eof && jpeg.state != JPEG_EOI)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated JPEG (no end-of-image marker)", name);
      return NULL;
    }
  /* The WebP loader decodes what there is of a truncated lossy WebP and
   * fills the rest; the RIFF header tells the file's full length. */
  if (info.format == FORMAT_WEBP && reached_eof && total < (guint64) info.riff_size + 8)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated WebP (%" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                   " bytes its header announces)", name, total, (guint64) info.riff_size + 8);
      return NULL;
    }
  if (info.format == FORMAT_PNG && reached_eof && png_is_truncated (&png, &info, &check))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated PNG (the image data ends early)", name);
      return NULL;
    }
  if (!closed_ok)
    {
      if (load_error != NULL &&
          g_error_matches (load_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_UNKNOWN_FORMAT,
                     "%s: not an image file (unrecognised format)", name);
      else
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                     "%s: cannot decode image: %s", name,
                     load_error != NULL ? load_error->message
                     : "the image loader failed without saying why (a damaged or truncated file?)");
      return NULL;
    }

  decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  if (decoded == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: cannot decode image: the loader produced no pixels", name);
      return NULL;
    }
  if (gdk_pixbuf_get_colorspace (decoded) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_bits_per_sample (decoded) != 8 ||
      (gdk_pixbuf_get_n_channels (decoded) != 3 && gdk_pixbuf_get_n_channels (decoded) != 4))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: unsupported pixel layout from the image loader", name);
      return NULL;
    }
  /* Defensive: a loader that did not announce its size still may not
   * hand over more than the limit. */
  if ((guint64) gdk_pixbuf_get_width (decoded) * (guint64) gdk_pixbuf_get_height (decoded) > check.limit)
    {
      set_too_large (error, name, (guint64) gdk_pixbuf_get_width (decoded),
                     (guint64) gdk_pixbuf_get_height (decoded), check.limit);
      return NULL;
    }

  /* The JPEG and TIFF loaders store the EXIF orientation as the pixbuf's
   * "orientation" option; this returns a new reference either way. */
  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (upright == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to rotate the image", name);
      return NULL;
    }
  if (info.has_key && gdk_pixbuf_get_has_alpha (upright))
    paint_key_colour (upright, info.key_rgb);
  if (info.drop_alpha && !info.nearest && gdk_pixbuf_get_has_alpha (upright))
    {
      GdkPixbuf *rgb = strip_alpha (upright);

      if (rgb == NULL)
        {
          g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                       "%s: not enough memory to convert the image", name);
          return NULL;
        }
      g_object_unref (upright);
      upright = rgb;
    }

  image = g_new0 (CsDecodedImage, 1);
  image->width = gdk_pixbuf_get_width (upright);
  image->height = gdk_pixbuf_get_height (upright);
  image->orig_width = image->width;
  image->orig_height = image->height;
  image->scale_denom = check.scale_denom;
  if (check.scale_denom > 1)
    {
      /* The header's size is the stored one; orientations 5-8 swap it. */
      const char *orientation = gdk_pixbuf_get_option (decoded, "orientation");
      gint64 o = orientation != NULL ? g_ascii_strtoll (orientation, NULL, 10) : 1;
      gboolean swap = o >= 5 && o <= 8;

      image->orig_width = swap ? check.height : check.width;
      image->orig_height = swap ? check.width : check.height;
    }
  image->stride = gdk_pixbuf_get_rowstride (upright);
  image->channels = gdk_pixbuf_get_n_channels (upright);
  image->nearest = info.nearest;
  /* Read-only access: no copy of the pixel data is made. */
  image->pixels = (guint8 *) gdk_pixbuf_read_pixels (upright);
  image->owner = g_steal_pointer (&upright);
  return image;
}

/* clip_preprocess()'s resized size: the short side `edge`, the long side
 * floor (edge x long / short). */
static void
resized_size (int  width,
              int  height,
              int  edge,
              int *out_width,
              int *out_height)
{
  gboolean landscape = width > height;
  gint64 s = landscape ? height : width;
  gint64 l = landscape ? width : height;
  int long_side = (int) MIN ((gint64) edge * l / s, G_MAXINT);

  *out_width = landscape ? long_side : edge;
  *out_height = landscape ? edge : long_side;
}

/* How many columns or rows a view may leave out. */
#define VIEW_TRIM_MAX 8

typedef struct {
  int    start;   /* first reduced pixel of the view */
  double error;   /* resized pixels between the two mappings, at worst */
} AxisFit;

/* Along one axis: the full image maps resized coordinate p (0..out) to
 * source coordinate p x orig / out, a view of `size` reduced pixels from
 * `start` to d x (start + p x size / out).  Over the crop (centred, `crop`
 * long) the difference is linear in p: places the view to balance it at
 * the crop's two ends. */
static AxisFit
fit_axis (int decoded,
          int size,
          int d,
          int orig,
          int out,
          int crop)
{
  double slope = ((double) d * size - orig) / out;   /* source pixels per resized pixel */
  double lo = (out - crop) / 2.0, hi = (out + crop) / 2.0;
  AxisFit fit;

  fit.start = CLAMP ((int) lround (-(lo + hi) / 2.0 * slope / d), 0, decoded - size);
  fit.error = MAX (fabs (d * fit.start + lo * slope), fabs (d * fit.start + hi * slope)) * out / orig;
  return fit;
}

clip_image
cs_decoded_image_as_clip_for (const CsDecodedImage         *image,
                              const clip_preprocess_params *pp)
{
  clip_image view = { 0 };
  int d, want_w, want_h;
  double best = G_MAXDOUBLE;

  g_return_val_if_fail (image != NULL, view);
  g_return_val_if_fail (pp != NULL, view);

  view = cs_decoded_image_as_clip (image);
  d = image->scale_denom;
  if (d <= 1 || !pp->do_resize || pp->shortest_edge <= 0 ||
      image->orig_width <= 0 || image->orig_height <= 0)
    return view;

  resized_size (image->orig_width, image->orig_height, pp->shortest_edge, &want_w, &want_h);
  for (int w = image->width; w >= MAX (1, image->width - VIEW_TRIM_MAX); w--)
    for (int h = image->height; h >= MAX (1, image->height - VIEW_TRIM_MAX); h--)
      {
        int out_w, out_h;
        AxisFit fx, fy;

        resized_size (w, h, pp->shortest_edge, &out_w, &out_h);
        if (out_w != want_w || out_h != want_h)
          continue;
        fx = fit_axis (image->width, w, d, image->orig_width, out_w,
                       pp->do_center_crop ? pp->crop_width : out_w);
        fy = fit_axis (image->height, h, d, image->orig_height, out_h,
                       pp->do_center_crop ? pp->crop_height : out_h);
        if (MAX (fx.error, fy.error) < best)
          {
            best = MAX (fx.error, fy.error);
            view.pixels = image->pixels + (gsize) fy.start * image->stride +
                          (gsize) fx.start * image->channels;
            view.width = w;
            view.height = h;
          }
      }
  return view;
}

/* What libjpeg will hold for a JPEG whose first bytes are `data`: the
 * frame's size and, for a progressive or multi-scan frame, its DCT
 * coefficients (2 bytes each, per component at its own sampling).  FALSE
 * when no frame header is within the bytes. */
static gboolean
jpeg_frame_cost (const guint8 *data,
                 gsize         len,
                 int           min_short_side,
                 guint64      *bytes)
{
  gsize at = 2;
  guint8 sof = 0;
  guint width = 0, height = 0, n_comp = 0, scan_comp = 0, precision = 0;
  guint h[4] = { 0 }, v[4] = { 0 }, hmax = 1, vmax = 1;
  guint64 out, coef = 0;
  int d;

  while (at + 4 <= len)
    {
      guint8 code;
      gsize seg;

      if (data[at] != 0xff)
        return FALSE;
      code = data[at + 1];
      if (code == 0xff)
        {
          at++;
          continue;
        }
      if (jpeg_marker_is_standalone (code))
        {
          at += 2;
          continue;
        }
      seg = ((gsize) data[at + 2] << 8) | data[at + 3];
      if (jpeg_marker_is_sof (code) && sof == 0 && at + 2 + 8 <= len)
        {
          const guint8 *f = data + at + 4;

          sof = code;
          precision = f[0];
          height = ((guint) f[1] << 8) | f[2];
          width = ((guint) f[3] << 8) | f[4];
          n_comp = f[5];
          for (guint c = 0; c < MIN (n_comp, 4u) && at + 4 + 6 + 3 * c + 3 <= len; c++)
            {
              h[c] = MAX (f[6 + 3 * c + 1] >> 4, 1);
              v[c] = MAX (f[6 + 3 * c + 1] & 15, 1);
              hmax = MAX (hmax, h[c]);
              vmax = MAX (vmax, v[c]);
            }
        }
      else if (code == 0xda)
        {
          if (at + 4 < len)
            scan_comp = data[at + 4];
          break;
        }
      at += 2 + seg;
    }
  if (sof == 0 || width == 0 || height == 0)
    return FALSE;

  d = min_short_side > 0 ? jpeg_pick_scale_denom ((int) width, (int) height, min_short_side) : 1;
  out = (guint64) div_round_up ((int) width, d) * (guint64) div_round_up ((int) height, d) * 3;
  if (sof == 0xc2 && d == 8 && precision == 8 && (n_comp == 1 || n_comp == 3) &&
      cs_jpeg_dc_coef_bytes (width, height, n_comp, h, v) >= cs_jpeg_dc_min_coef_bytes ())
    /* decoded from its DC coefficients (cs-jpeg-dc.c): one per block */
    coef = cs_jpeg_dc_coef_bytes (width, height, n_comp, h, v) / 64;
  else if (!((sof == 0xc0 || sof == 0xc1 || sof == 0xc9) && scan_comp == n_comp))
    for (guint c = 0; c < MIN (n_comp, 4u); c++)
      {
        guint64 cw = ((guint64) width * h[c] + hmax - 1) / hmax;
        guint64 ch = ((guint64) height * v[c] + vmax - 1) / vmax;

        coef += ((cw + 7) / 8) * ((ch + 7) / 8) * 64 * 2;
      }
  /* the output, a rotated copy of it, and the coefficients */
  *bytes = 2 * out + coef;
  return TRUE;
}

guint64
cs_decode_estimate_bytes (const char *path,
                          int         min_short_side)
{
  /* What a loader may allocate for an image it does not describe in
   * advance: the pixel limit in RGBA. */
  const guint64 unknown = CS_DECODE_MAX_PIXELS * 4;
  g_autofree guint8 *buf = NULL;
  SniffInfo info;
  struct stat st;
  gssize n;
  guint64 pixels, bytes = unknown;
  int fd;

  g_return_val_if_fail (path != NULL, unknown);

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    return 0;                       /* fails at once: costs nothing */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return 0;
    }
  buf = g_malloc (CHUNK_SIZE);
  n = read_full (fd, buf, CHUNK_SIZE);
  close (fd);
  if (n <= 0)
    return 0;

  sniff (buf, (gsize) n, &info);
  pixels = info.have_size ? info.width * info.height : 0;
  if (info.have_size && (pixels == 0 || pixels > CS_DECODE_MAX_PIXELS))
    return 0;                       /* refused from the header */
  switch (info.format)
    {
    case FORMAT_JPEG:
      if (!jpeg_frame_cost (buf, (gsize) n, min_short_side, &bytes))
        bytes = unknown;
      break;
    case FORMAT_PNG:
      /* 8-bit grey or RGB, not interlaced, no colour key before the image
       * data: png_decode_reduced() holds the reduced RGB image and a row
       * (opaque RGBA qualifies too, but translucent pixels found on the
       * way fall back to the full decode: counted in full) */
      if (info.have_size && min_short_side > 0 && pixels >= PNG_REDUCE_MIN_PIXELS && n >= 29 && buf[24] == 8 &&
          (buf[25] == 0 || buf[25] == 2) && buf[28] == 0 &&
          memmem (buf, (gsize) n, "tRNS", 4) == NULL)
        {
          int d = jpeg_pick_scale_denom ((int) info.width, (int) info.height, min_short_side);

          if (d > 1)
            {
              bytes = (guint64) div_round_up ((int) info.width, d) * div_round_up ((int) info.height, d) * 3 +
                      info.width * (4 + 3 * 4 / d);
              break;
            }
        }
      bytes = info.have_size ? pixels * (4 + 3) : unknown;
      break;
    case FORMAT_GIF:
    case FORMAT_BMP:
      /* RGBA, and a copy without alpha or with the key colour */
      bytes = info.have_size ? pixels * (4 + 3) : unknown;
      break;
    case FORMAT_WEBP:
      /* the loader buffers the file, then decodes RGBA */
      if (info.have_size && min_short_side > 0 && !info.alpha)
        {
          int d = jpeg_pick_scale_denom ((int) info.width, (int) info.height, min_short_side);

          pixels = (guint64) div_round_up ((int) info.width, d) * div_round_up ((int) info.height, d);
        }
      bytes = info.have_size ? (guint64) st.st_size + pixels * 4 : unknown;
      break;
    case FORMAT_HEIF:
      /* libheif: YCbCr planes (up to 3 bytes a pixel at 4:4:4), RGB(A),
       * the loader's copy */
      bytes = info.have_size ? (guint64) st.st_size + pixels * (3 + 4 + 4) : unknown;
      break;
    case FORMAT_TIFF:
      /* RGBA and a rotated copy */
      bytes = info.have_size ? pixels * 4 * 2 : unknown;
      break;
    case FORMAT_OTHER:
    default:
      bytes = unknown;
      break;
    }
  return bytes;
}

CsDecodedImage *
cs_decode_file (const char *path,
                guint64     max_pixels,
                GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_file (path, max_pixels, 0, error);
}

CsDecodedImage *
cs_decode_file_for_size (const char *path,
                         int         min_short_side,
                         guint64     max_pixels,
                         GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_file (path, max_pixels, MAX (min_short_side, 0), error);
}

gboolean
cs_decode_file_to_tensor (const char                   *path,
                          const clip_preprocess_params *pp,
                          float                        *out,
                          GError                      **error)
{
  g_autoptr(CsDecodedImage) image = NULL;
  clip_image view;
  clip_status status;
  char *message = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (pp != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  image = cs_decode_file (path, 0, error);
  if (image == NULL)
    return FALSE;

  view = cs_decoded_image_as_clip (image);
  status = clip_preprocess (pp, &view, out, &message);
  if (status != CLIP_STATUS_OK)
    {
      g_autofree char *name = g_filename_display_name (path);

      cs_clip_propagate (error, status, message);
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}
