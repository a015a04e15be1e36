/* cs-jpeg-dc.c - the DC coefficients of a progressive JPEG, as pixels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libjpeg keeps every DCT coefficient of a progressive image (2 bytes per
 * pixel and component) whatever the output scale, so a 13000 x 13000
 * progressive photo costs it 1 GB at 1/8.  At 1/8 its output is each 8 x 8
 * block's 1 x 1 IDCT, (DC x q0 + 4) >> 3 + 128, so the DC scans alone
 * give that output: this decoder keeps one coefficient per block (1/64 of
 * the pixels), decodes the DC first and refinement scans and skips the AC
 * scans' bytes.  Chroma blocks are replicated onto the luma block grid
 * (libjpeg's fancy upsampling interpolates; see the tests for how far the
 * two differ).  Colours are converted as libjpeg converts JFIF YCbCr.
 *
 * The input is hostile: every read is checked, a bad Huffman code or a
 * missing table is an error, and anything but an 8-bit Huffman-coded
 * progressive frame of 1 or 3 components is left to libjpeg.
 */
#define G_LOG_DOMAIN "cs-decode"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cs-decode.h"
#include "cs-jpeg-dc.h"

#define DEFAULT_MIN_COEF_BYTES (64 * 1024 * 1024)
#define READ_SIZE (64 * 1024)

static guint64 min_coef_bytes = DEFAULT_MIN_COEF_BYTES;

guint64
cs_jpeg_dc_min_coef_bytes (void)
{
  return min_coef_bytes;
}

/* Tests and the fuzz harness lower it to reach this decoder with small
 * files. */
void
cs_jpeg_dc_set_min_coef_bytes (guint64 bytes)
{
  min_coef_bytes = bytes;
}

/* libjpeg's coefficient memory for a frame: 128 bytes per block of each
 * component at its own sampling. */
guint64
cs_jpeg_dc_coef_bytes (guint        width,
                       guint        height,
                       guint        n_comp,
                       const guint *h,
                       const guint *v)
{
  guint hmax = 1, vmax = 1;
  guint64 coef = 0;

  for (guint c = 0; c < n_comp; c++)
    {
      hmax = MAX (hmax, h[c]);
      vmax = MAX (vmax, v[c]);
    }
  for (guint c = 0; c < n_comp; c++)
    {
      guint64 cw = ((guint64) width * h[c] + hmax - 1) / hmax;
      guint64 ch = ((guint64) height * v[c] + vmax - 1) / vmax;

      coef += ((cw + 7) / 8) * ((ch + 7) / 8) * 64 * 2;
    }
  return coef;
}

typedef struct {
  guint8  bits[17];     /* codes of each length 1-16 */
  guint8  values[256];
  int     n_values;
  gint32  maxcode[18];  /* largest code of each length, -1 when none */
  int     valptr[17];   /* index in values of the first code of a length */
  gint32  mincode[17];
  gboolean defined;
} Huffman;

typedef struct {
  int      id;
  guint    h, v;
  int      tq;
  guint16  q0;          /* latched at the component's first scan */
  gboolean latched;
  int      bw, bh;      /* the block grid kept (padded to whole MCUs) */
  int      cbw, cbh;    /* the component's own blocks (non-interleaved scans) */
  gint16  *dc;
  int      pred;
  int      td;          /* DC table of the current scan */
} Component;

typedef struct {
  int      fd;
  guint8   buf[READ_SIZE];
  gsize    pos, len;
  gboolean eof;
  gboolean read_error;
  /* entropy-coded data */
  guint32  bitbuf;
  int      nbits;
  int      marker;      /* a marker met inside entropy data; 0 when none */
  /* tables */
  guint16  quant[4][64];
  gboolean quant_defined[4];
  Huffman  dc_tables[4];
  guint    restart;
  /* the frame */
  int      width, height, n_comp;
  guint    hmax, vmax;
  int      mcux, mcuy;
  Component comp[3];
  int      orientation;
  gboolean adobe_rgb;
  guint8   seg[65536];
} Decoder;

static int
read_byte (Decoder *d)
{
  if (d->pos == d->len)
    {
      gssize n;

      if (d->eof)
        return -1;
      do
        n = read (d->fd, d->buf, sizeof d->buf);
      while (n < 0 && errno == EINTR);
      if (n <= 0)
        {
          d->eof = TRUE;
          d->read_error = n < 0;
          return -1;
        }
      d->pos = 0;
      d->len = (gsize) n;
    }
  return d->buf[d->pos++];
}

/* Reads a marker segment's payload into d->seg; its length, or -1. */
static int
read_segment (Decoder *d)
{
  int hi = read_byte (d), lo = read_byte (d), len;

  if (hi < 0 || lo < 0)
    return -1;
  len = (hi << 8 | lo) - 2;
  if (len < 0)
    return -1;
  for (int i = 0; i < len; i++)
    {
      int b = read_byte (d);

      if (b < 0)
        return -1;
      d->seg[i] = (guint8) b;
    }
  return len;
}

/* The next marker's code, skipping fill bytes and (entropy-coded) data up
 * to it; -1 at the end of the file. */
static int
next_marker (Decoder *d)
{
  int b;

  if (d->marker != 0)
    {
      b = d->marker;
      d->marker = 0;
      return b;
    }
  for (;;)
    {
      b = read_byte (d);
      if (b < 0)
        return -1;
      if (b != 0xff)
        continue;
      do
        b = read_byte (d);
      while (b == 0xff);
      if (b < 0)
        return -1;
      if (b != 0x00 && !(b >= 0xd0 && b <= 0xd7))
        return b;
    }
}

static gboolean
build_huffman (Huffman *t)
{
  gint32 code = 0;
  int k = 0;

  for (int l = 1; l <= 16; l++)
    {
      t->valptr[l] = k;
      t->mincode[l] = code;
      code += t->bits[l];
      k += t->bits[l];
      t->maxcode[l] = t->bits[l] != 0 ? code - 1 : -1;
      if (code > (1 << l))
        return FALSE;   /* over-subscribed */
      code <<= 1;
    }
  t->maxcode[17] = G_MAXINT32;
  return k == t->n_values;
}

static int
get_bit (Decoder *d)
{
  if (d->nbits == 0)
    {
      int b = 0;

      if (d->marker == 0)
        {
          b = read_byte (d);
          if (b < 0)
            {
              d->marker = 0xd9;   /* the data ends: zeros, then "EOI" */
              b = 0;
            }
          else if (b == 0xff)
            {
              int c;

              do
                c = read_byte (d);
              while (c == 0xff);
              if (c != 0x00)
                {
                  d->marker = c < 0 ? 0xd9 : c;
                  b = 0;
                }
            }
        }
      d->bitbuf = (guint32) b;
      d->nbits = 8;
    }
  d->nbits--;
  return (d->bitbuf >> d->nbits) & 1;
}

static int
decode_symbol (Decoder       *d,
               const Huffman *t)
{
  gint32 code = 0;

  for (int l = 1; l <= 16; l++)
    {
      code = (code << 1) | get_bit (d);
      if (t->maxcode[l] >= 0 && code <= t->maxcode[l] && code >= t->mincode[l])
        return t->values[t->valptr[l] + code - t->mincode[l]];
    }
  return -1;
}

static int
receive_extend (Decoder *d,
                int      s)
{
  int v = 0;

  for (int i = 0; i < s; i++)
    v = (v << 1) | get_bit (d);
  if (s > 0 && v < (1 << (s - 1)))
    v -= (1 << s) - 1;
  return v;
}

/* At a restart boundary: drop the bits left and expect RSTn. */
static void
restart (Decoder *d)
{
  d->nbits = 0;
  if (d->marker >= 0xd0 && d->marker <= 0xd7)
    d->marker = 0;
  else if (d->marker == 0)
    {
      int b;

      for (;;)
        {
          b = read_byte (d);
          if (b < 0)
            {
              d->marker = 0xd9;
              break;
            }
          if (b != 0xff)
            continue;
          do
            b = read_byte (d);
          while (b == 0xff);
          if (b < 0)
            {
              d->marker = 0xd9;
              break;
            }
          if (b >= 0xd0 && b <= 0xd7)
            break;
          if (b != 0x00)
            {
              d->marker = b;
              break;
            }
        }
    }
  for (int c = 0; c < d->n_comp; c++)
    d->comp[c].pred = 0;
}

static gboolean
fail (GError    **error,
      const char *name,
      const char *what)
{
  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
               "%s: cannot decode progressive JPEG: %s", name, what);
  return FALSE;
}

/* One block's DC: a first scan decodes a difference, a refinement scan
 * one more bit. */
static gboolean
decode_block (Decoder   *d,
              Component *c,
              int        bx,
              int        by,
              int        ah,
              int        al)
{
  gint16 *slot = &c->dc[(gsize) by * (gsize) c->bw + (gsize) bx];

  if (ah == 0)
    {
      int s = decode_symbol (d, &d->dc_tables[c->td]);

      if (s < 0 || s > 15)
        return FALSE;
      c->pred += receive_extend (d, s);
      c->pred = CLAMP (c->pred, -32768, 32767);
      *slot = (gint16) (gint32) ((guint32) c->pred << al);
    }
  else if (get_bit (d))
    *slot = (gint16) (*slot | (1 << al));
  return TRUE;
}

static gboolean
decode_scan (Decoder    *d,
             const char *name,
             int         len,
             GError    **error)
{
  const guint8 *s = d->seg;
  int ns, ss, se, ah, al;
  Component *sc[4];
  guint64 done = 0;
  int ux, uy;

  if (len < 1)
    return fail (error, name, "short scan header");
  ns = s[0];
  if (ns < 1 || ns > 4 || len < 1 + 2 * ns + 3)
    return fail (error, name, "bad scan header");
  for (int i = 0; i < ns; i++)
    {
      int id = s[1 + 2 * i];

      sc[i] = NULL;
      for (int c = 0; c < d->n_comp; c++)
        if (d->comp[c].id == id)
          sc[i] = &d->comp[c];
      if (sc[i] == NULL)
        return fail (error, name, "scan names an unknown component");
      sc[i]->td = s[2 + 2 * i] >> 4;
      if (sc[i]->td > 3)
        return fail (error, name, "bad Huffman table number");
    }
  ss = s[1 + 2 * ns];
  se = s[2 + 2 * ns];
  ah = s[3 + 2 * ns] >> 4;
  al = s[3 + 2 * ns] & 15;
  if (ss != 0)
    return TRUE;   /* AC: its bytes are skipped to the next marker */
  if (se != 0 || al > 13 || (ah != 0 && ah != al + 1))
    return fail (error, name, "bad progression parameters");

  for (int i = 0; i < ns; i++)
    {
      Component *c = sc[i];

      if (!c->latched)
        {
          if (!d->quant_defined[c->tq])
            return fail (error, name, "missing quantization table");
          c->q0 = d->quant[c->tq][0];
          c->latched = TRUE;
        }
      if (ah == 0 && !d->dc_tables[c->td].defined)
        return fail (error, name, "missing Huffman table");
      c->pred = 0;
    }
  d->nbits = 0;
  d->marker = 0;

  if (ns == 1)
    {
      ux = sc[0]->cbw;
      uy = sc[0]->cbh;
    }
  else
    {
      ux = d->mcux;
      uy = d->mcuy;
    }
  for (int y = 0; y < uy; y++)
    for (int x = 0; x < ux; x++)
      {
        if (d->restart != 0 && done != 0 && done % d->restart == 0)
          restart (d);
        if (ns == 1)
          {
            if (!decode_block (d, sc[0], x, y, ah, al))
              return fail (error, name, "bad Huffman code");
          }
        else
          for (int i = 0; i < ns; i++)
            for (guint by = 0; by < sc[i]->v; by++)
              for (guint bx = 0; bx < sc[i]->h; bx++)
                if (!decode_block (d, sc[i], x * (int) sc[i]->h + (int) bx,
                                   y * (int) sc[i]->v + (int) by, ah, al))
                  return fail (error, name, "bad Huffman code");
        done++;
        if (d->marker == 0xd9 && d->eof)
          {
            g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                         "%s: truncated JPEG (the scan data ends early)", name);
            return FALSE;
          }
      }
  return TRUE;
}

/* EXIF orientation from an APP1 payload; 0 when not found. */
static int
exif_orientation (const guint8 *p,
                  int           len)
{
  gboolean le;
  guint32 ifd;
  guint n;

#define RD16(o) (le ? (guint) (p[(o)] | p[(o) + 1] << 8) : (guint) (p[(o)] << 8 | p[(o) + 1]))
#define RD32(o) (le ? ((guint32) p[(o)] | (guint32) p[(o) + 1] << 8 | (guint32) p[(o) + 2] << 16 | (guint32) p[(o) + 3] << 24) \
                    : ((guint32) p[(o)] << 24 | (guint32) p[(o) + 1] << 16 | (guint32) p[(o) + 2] << 8 | (guint32) p[(o) + 3]))
  if (len < 14 || memcmp (p, "Exif\0\0", 6) != 0)
    return 0;
  p += 6;
  len -= 6;
  if (p[0] == 'I' && p[1] == 'I')
    le = TRUE;
  else if (p[0] == 'M' && p[1] == 'M')
    le = FALSE;
  else
    return 0;
  ifd = RD32 (4);
  if (ifd > (guint32) len - 2)
    return 0;
  n = RD16 (ifd);
  for (guint i = 0; i < n; i++)
    {
      guint32 e = ifd + 2 + 12 * i;

      if (e + 12 > (guint32) len)
        return 0;
      if (RD16 (e) == 0x0112)
        {
          guint o = RD16 (e + 8);

          return o >= 1 && o <= 8 ? (int) o : 0;
        }
    }
#undef RD16
#undef RD32
  return 0;
}

static gboolean
div8_covers (int w,
             int h,
             int min_short_side)
{
  return MIN ((w + 7) / 8, (h + 7) / 8) >= min_short_side;
}

/* Reads the frame header; NOT_HANDLED for anything left to libjpeg. */
static CsJpegDcResult
read_frame (Decoder *d,
            int      len,
            int      min_short_side,
            guint64  max_pixels)
{
  const guint8 *f = d->seg;
  guint h[3], v[3];

  if (len < 6 || f[0] != 8)
    return CS_JPEG_DC_NOT_HANDLED;
  d->height = f[1] << 8 | f[2];
  d->width = f[3] << 8 | f[4];
  d->n_comp = f[5];
  if (d->width == 0 || d->height == 0 || (d->n_comp != 1 && d->n_comp != 3) ||
      len < 6 + 3 * d->n_comp)
    return CS_JPEG_DC_NOT_HANDLED;
  if ((guint64) d->width * (guint64) d->height > max_pixels ||
      !div8_covers (d->width, d->height, min_short_side))
    return CS_JPEG_DC_NOT_HANDLED;
  d->hmax = d->vmax = 1;
  for (int c = 0; c < d->n_comp; c++)
    {
      Component *cp = &d->comp[c];

      cp->id = f[6 + 3 * c];
      cp->h = f[7 + 3 * c] >> 4;
      cp->v = f[7 + 3 * c] & 15;
      cp->tq = f[8 + 3 * c];
      if (cp->h < 1 || cp->h > 4 || cp->v < 1 || cp->v > 4 || cp->tq > 3)
        return CS_JPEG_DC_NOT_HANDLED;
      for (int o = 0; o < c; o++)
        if (d->comp[o].id == cp->id)
          return CS_JPEG_DC_NOT_HANDLED;
      h[c] = cp->h;
      v[c] = cp->v;
      d->hmax = MAX (d->hmax, cp->h);
      d->vmax = MAX (d->vmax, cp->v);
    }
  for (int c = 0; c < d->n_comp; c++)
    if (d->hmax % d->comp[c].h != 0 || d->vmax % d->comp[c].v != 0)
      return CS_JPEG_DC_NOT_HANDLED;
  /* libjpeg reads components named R, G, B (or an Adobe marker's
   * transform 0) as RGB, not YCbCr. */
  if (d->n_comp == 3 && (d->adobe_rgb ||
      (d->comp[0].id == 'R' && d->comp[1].id == 'G' && d->comp[2].id == 'B')))
    return CS_JPEG_DC_NOT_HANDLED;
  if (cs_jpeg_dc_coef_bytes ((guint) d->width, (guint) d->height, (guint) d->n_comp, h, v) <
      min_coef_bytes)
    return CS_JPEG_DC_NOT_HANDLED;

  d->mcux = (int) (((guint) d->width + 8 * d->hmax - 1) / (8 * d->hmax));
  d->mcuy = (int) (((guint) d->height + 8 * d->vmax - 1) / (8 * d->vmax));
  for (int c = 0; c < d->n_comp; c++)
    {
      Component *cp = &d->comp[c];
      guint64 cw = ((guint64) d->width * cp->h + d->hmax - 1) / d->hmax;
      guint64 ch = ((guint64) d->height * cp->v + d->vmax - 1) / d->vmax;

      cp->bw = d->mcux * (int) cp->h;
      cp->bh = d->mcuy * (int) cp->v;
      cp->cbw = (int) ((cw + 7) / 8);
      cp->cbh = (int) ((ch + 7) / 8);
      cp->dc = g_try_new0 (gint16, (gsize) cp->bw * (gsize) cp->bh);
      if (cp->dc == NULL)
        return CS_JPEG_DC_NOT_HANDLED;
    }
  return CS_JPEG_DC_DECODED;
}

static gboolean
read_dqt (Decoder *d,
          int      len)
{
  int at = 0;

  while (at < len)
    {
      int pq = d->seg[at] >> 4, tq = d->seg[at] & 15;
      int size = pq ? 128 : 64;

      if (pq > 1 || tq > 3 || at + 1 + size > len)
        return FALSE;
      for (int i = 0; i < 64; i++)
        d->quant[tq][i] = pq ? (guint16) (d->seg[at + 1 + 2 * i] << 8 | d->seg[at + 2 + 2 * i])
                             : d->seg[at + 1 + i];
      d->quant_defined[tq] = TRUE;
      at += 1 + size;
    }
  return TRUE;
}

static gboolean
read_dht (Decoder *d,
          int      len)
{
  int at = 0;

  while (at < len)
    {
      int tc, th, n = 0;
      Huffman t = { 0 };

      if (at + 17 > len)
        return FALSE;
      tc = d->seg[at] >> 4;
      th = d->seg[at] & 15;
      if (tc > 1 || th > 3)
        return FALSE;
      for (int l = 1; l <= 16; l++)
        {
          t.bits[l] = d->seg[at + l];
          n += t.bits[l];
        }
      if (n > 256 || at + 17 + n > len)
        return FALSE;
      memcpy (t.values, d->seg + at + 17, (gsize) n);
      t.n_values = n;
      if (!build_huffman (&t))
        return FALSE;
      t.defined = TRUE;
      if (tc == 0)
        d->dc_tables[th] = t;
      at += 17 + n;
    }
  return TRUE;
}

static guint8
clamp_byte (int x)
{
  return (guint8) CLAMP (x, 0, 255);
}

#define FIX(x) ((gint32) ((x) * 65536.0 + 0.5))

static void
to_pixels (Decoder *d,
           CsJpegDc *out)
{
  int w = (d->width + 7) / 8, h = (d->height + 7) / 8;
  guint8 *p = g_malloc ((gsize) w * (gsize) h * 3);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int s[3];
        guint8 *o = p + ((gsize) y * (gsize) w + (gsize) x) * 3;

        for (int c = 0; c < d->n_comp; c++)
          {
            Component *cp = &d->comp[c];
            int bx = (int) ((guint) x * cp->h / d->hmax);
            int by = (int) ((guint) y * cp->v / d->vmax);
            gint32 dc = cp->dc[(gsize) by * (gsize) cp->bw + (gsize) bx];

            /* libjpeg's 1 x 1 IDCT */
            s[c] = clamp_byte (((dc * (gint32) cp->q0 + 4) >> 3) + 128);
          }
        if (d->n_comp == 1)
          o[0] = o[1] = o[2] = (guint8) s[0];
        else
          {
            int cb = s[1] - 128, cr = s[2] - 128;

            o[0] = clamp_byte (s[0] + ((FIX (1.40200) * cr + 32768) >> 16));
            o[1] = clamp_byte (s[0] + ((-FIX (0.34414) * cb - FIX (0.71414) * cr + 32768) >> 16));
            o[2] = clamp_byte (s[0] + ((FIX (1.77200) * cb + 32768) >> 16));
          }
      }
  out->rgb = p;
  out->width = w;
  out->height = h;
  out->frame_width = d->width;
  out->frame_height = d->height;
  out->orientation = d->orientation != 0 ? d->orientation : 1;
}

static void
decoder_free (Decoder *d)
{
  for (int c = 0; c < 3; c++)
    g_free (d->comp[c].dc);
  g_free (d);
}

/* Decodes a large progressive JPEG at 1/8 from its DC scans when libjpeg
 * would choose 1/8 for `min_short_side` and its coefficients would exceed
 * the threshold; NOT_HANDLED otherwise (the file position is then
 * anywhere: the caller seeks back). */
CsJpegDcResult
cs_jpeg_dc_decode (int         fd,
                   const char *name,
                   int         min_short_side,
                   guint64     max_pixels,
                   CsJpegDc   *out,
                   GError    **error)
{
  Decoder *d;
  CsJpegDcResult result = CS_JPEG_DC_NOT_HANDLED;
  gboolean have_frame = FALSE, in_scans = FALSE;

  memset (out, 0, sizeof *out);
  if (min_short_side <= 0)
    return CS_JPEG_DC_NOT_HANDLED;
  d = g_new0 (Decoder, 1);
  d->fd = fd;
  if (read_byte (d) != 0xff || read_byte (d) != 0xd8)
    goto done;

  for (;;)
    {
      int code = next_marker (d), len;

      if (code < 0)
        {
          if (!have_frame)
            goto done;
          if (d->read_error)
            fail (error, name, g_strerror (errno));
          else
            g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                         "%s: truncated JPEG (no end-of-image marker)", name);
          result = CS_JPEG_DC_FAILED;
          goto done;
        }
      if (code == 0xd9)
        break;
      if (code == 0x01 || code == 0xd8)
        continue;
      len = read_segment (d);
      if (len < 0)
        {
          if (!have_frame)
            goto done;
          g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                       "%s: truncated JPEG (no end-of-image marker)", name);
          result = CS_JPEG_DC_FAILED;
          goto done;
        }
      if (!have_frame)
        {
          if (code == 0xe1 && d->orientation == 0)
            d->orientation = exif_orientation (d->seg, len);
          else if (code == 0xee && len >= 12 && memcmp (d->seg, "Adobe", 5) == 0)
            d->adobe_rgb = d->seg[11] == 0;
          else if (code == 0xc2)
            {
              if (read_frame (d, len, min_short_side, max_pixels) != CS_JPEG_DC_DECODED)
                goto done;
              have_frame = TRUE;
              continue;
            }
          else if (code == 0xda || (code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xcc))
            goto done;   /* another frame type, or a scan before a frame */
        }
      else if (code >= 0xc0 && code <= 0xcf && code != 0xc4 && code != 0xcc && code != 0xc8)
        {
          fail (error, name, "second frame header");
          result = CS_JPEG_DC_FAILED;
          goto done;
        }
      switch (code)
        {
        case 0xdb:
          if (!read_dqt (d, len))
            {
              if (!have_frame)
                goto done;
              fail (error, name, "bad quantization table");
              result = CS_JPEG_DC_FAILED;
              goto done;
            }
          break;
        case 0xc4:
          if (!read_dht (d, len))
            {
              if (!have_frame)
                goto done;
              fail (error, name, "bad Huffman table");
              result = CS_JPEG_DC_FAILED;
              goto done;
            }
          break;
        case 0xdd:
          if (len < 2)
            {
              if (!have_frame)
                goto done;
              fail (error, name, "bad restart interval");
              result = CS_JPEG_DC_FAILED;
              goto done;
            }
          d->restart = (guint) (d->seg[0] << 8 | d->seg[1]);
          break;
        case 0xda:
          in_scans = TRUE;
          if (!decode_scan (d, name, len, error))
            {
              result = CS_JPEG_DC_FAILED;
              goto done;
            }
          break;
        default:
          break;
        }
    }
  if (!have_frame || !in_scans)
    {
      if (have_frame)
        {
          fail (error, name, "no scan");
          result = CS_JPEG_DC_FAILED;
        }
      goto done;
    }
  for (int c = 0; c < d->n_comp; c++)
    if (!d->comp[c].latched)
      {
        fail (error, name, "a component has no DC scan");
        result = CS_JPEG_DC_FAILED;
        goto done;
      }
  to_pixels (d, out);
  result = CS_JPEG_DC_DECODED;

done:
  decoder_free (d);
  return result;
}
