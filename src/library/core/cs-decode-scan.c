/* cs-decode-scan.c - following a JPEG's markers to its end-of-image and
 * a PNG's chunks to IEND while the bytes go to the loader, and the DCT
 * scaling a JPEG is decoded at.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-decode"

#include "cs-decode-private.h"

/* Marker codes that stand alone (no length): TEM, RST0-7, SOI. */
gboolean
cs_decode_jpeg_marker_is_standalone (guint8 code)
{
  return code == 0x01 || (code >= 0xd0 && code <= 0xd8);
}

/* SOF0-SOF15 less DHT (C4), JPG (C8) and DAC (CC). */
gboolean
cs_decode_jpeg_marker_is_sof (guint8 code)
{
  return code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xc8 && code != 0xcc;
}

void
cs_decode_jpeg_scanner_init (JpegScanner *scan)
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

  if (cs_decode_jpeg_marker_is_sof (scan->marker) && scan->sof == 0)
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
gboolean
cs_decode_jpeg_scanner_is_single_scan (const JpegScanner *scan)
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
  else if (code == 0x00 || cs_decode_jpeg_marker_is_standalone (code))
    scan->state = JPEG_MARKER_FF;
  else
    {
      scan->in_sos = code == 0xda;
      scan->marker = code;
      scan->state = JPEG_LEN_HI;
    }
}

void
cs_decode_jpeg_scanner_feed (JpegScanner  *scan,
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

void
cs_decode_png_scanner_feed (PngScanner   *scan,
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
gboolean
cs_decode_png_is_truncated (const PngScanner *scan,
                            const SniffInfo  *info,
                            const SizeCheck  *check)
{
  if (scan->iend)
    return FALSE;
  if (scan->skip > 0 || scan->header_len > 0 || !scan->idat_done)
    return TRUE;
  return !info->interlaced && check->rows_done < check->height;
}

/* ceil (n / d), as libjpeg rounds its scaled dimensions. */
int
cs_decode_div_round_up (int n,
                        int d)
{
  return (int) (((gint64) n + d - 1) / d);
}

/* The largest DCT scaling 1/d (d in 8, 4, 2) that keeps the short side at
 * least `min_short_side`; 1 when none does. */
int
cs_decode_jpeg_pick_scale_denom (int width,
                                 int height,
                                 int min_short_side)
{
  for (int d = 8; d > 1; d /= 2)
    if (MIN (cs_decode_div_round_up (width, d), cs_decode_div_round_up (height, d)) >= min_short_side)
      return d;
  return 1;
}

