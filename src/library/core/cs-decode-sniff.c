/* cs-decode-sniff.c - what a file's first bytes tell before any decoder
 * sees them: the format, the announced size, Pillow's mode, and the
 * memory a decode will take (cs_decode_estimate_bytes).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-decode"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-decode-private.h"
#include "cs-jpeg-dc.h"

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
  info->bmp_pixels_at = read_le32 (data + 10);
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
      info->bmp_raw = TRUE;
    }
  else if (header_size >= 40 && len >= 54)
    {
      gint32 h = (gint32) read_le32 (data + 22);

      info->width = (gint32) read_le32 (data + 18) < 0 ? 0 : read_le32 (data + 18);
      info->height = h < 0 ? (guint64) -(gint64) h : (guint64) h;
      bits = read_le16 (data + 28);
      colors = read_le32 (data + 46);
      entry = 4;
      /* BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS (3 is Huffman in the
       * 64-byte OS/2 header) */
      info->bmp_raw = read_le32 (data + 30) == 0
                      || (header_size != 64 && (read_le32 (data + 30) == 3 || read_le32 (data + 30) == 6));
    }
  else
    return;
  info->have_size = TRUE;
  info->bmp_bits = bits;
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

void
cs_decode_sniff (const guint8 *data,
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
      if (cs_decode_jpeg_marker_is_standalone (code))
        {
          at += 2;
          continue;
        }
      seg = ((gsize) data[at + 2] << 8) | data[at + 3];
      if (cs_decode_jpeg_marker_is_sof (code) && sof == 0 && at + 2 + 8 <= len)
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

  d = min_short_side > 0 ? cs_decode_jpeg_pick_scale_denom ((int) width, (int) height, min_short_side) : 1;
  out = (guint64) cs_decode_div_round_up ((int) width, d) * (guint64) cs_decode_div_round_up ((int) height, d) * 3;
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

/* Whether a PNG's first bytes name a tRNS chunk.  (A loop, not memmem():
 * GCC 12 with UBSan at -O2 takes the heap buffer for NULL there and
 * fails the build on -Werror=nonnull.) */
static gboolean
has_trns (const guint8 *buf,
          gsize         n)
{
  for (gsize i = 0; i + 4 <= n; i++)
    if (buf[i] == 't' && buf[i + 1] == 'R' && buf[i + 2] == 'N' && buf[i + 3] == 'S')
      return TRUE;
  return FALSE;
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
  n = cs_decode_read_full (fd, buf, CHUNK_SIZE);
  close (fd);
  if (n <= 0)
    return 0;

  cs_decode_sniff (buf, (gsize) n, &info);
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
       * data: cs_decode_png_reduced() holds the reduced RGB image and a row
       * (opaque RGBA qualifies too, but translucent pixels found on the
       * way fall back to the full decode: counted in full) */
      if (info.have_size && min_short_side > 0 && pixels >= PNG_REDUCE_MIN_PIXELS && n >= 29 && buf[24] == 8 &&
          (buf[25] == 0 || buf[25] == 2) && buf[28] == 0 &&
          !has_trns (buf, (gsize) n))
        {
          int d = cs_decode_jpeg_pick_scale_denom ((int) info.width, (int) info.height, min_short_side);

          if (d > 1)
            {
              bytes = (guint64) cs_decode_div_round_up ((int) info.width, d)
                      * cs_decode_div_round_up ((int) info.height, d) * 3
                      + info.width * (4 + 3 * 4 / d);
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
          int d = cs_decode_jpeg_pick_scale_denom ((int) info.width, (int) info.height, min_short_side);

          pixels = (guint64) cs_decode_div_round_up ((int) info.width, d)
                   * cs_decode_div_round_up ((int) info.height, d);
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

