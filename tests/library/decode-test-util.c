/* decode-test-util.c - what the files of the test-decode binary share:
 * the temporary-folder fixture, files written byte by byte (PNGs, the
 * tables of hand-made JPEGs, lossless WebPs), the EXIF orientation pattern
 * and the checks of a refused file's error.  decode-test-child.c measures
 * decodes in forked children.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "cs-decode.h"
#include "decode-test-util.h"

char *decode_test_ref_dir; /* ../shared/testdata/clip-reference */

void
decode_test_temp_setup (TempFixture  *fixture,
                        gconstpointer data)
{
  fixture->dir = test_make_temp_dir ();
}

void
decode_test_temp_teardown (TempFixture  *fixture,
                           gconstpointer data)
{
  test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

char *
decode_test_write_temp (TempFixture  *fixture,
                        const char   *name,
                        const guint8 *data,
                        gsize         len)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- EXIF orientation ------------------------------------------------ */

const guint8 decode_test_quadrant_colours[4][3] = {
  { 255, 0, 0 },     /* top left */
  { 0, 255, 0 },     /* top right */
  { 0, 0, 255 },     /* bottom left */
  { 255, 255, 255 }, /* bottom right */
};

/* The quadrant colour at upright (x, y) of a `w` x `h` pattern. */
const guint8 *
decode_test_upright_colour_in (int x,
                               int y,
                               int w,
                               int h)
{
  return decode_test_quadrant_colours[(y >= h / 2) * 2 + (x >= w / 2)];
}
/* The stored pixel that EXIF orientation `o` shows at upright (x, y) of a
 * `w` x `h` image. */
static void
stored_position (int  o,
                 int  x,
                 int  y,
                 int  w,
                 int  h,
                 int *sx,
                 int *sy)
{
  int sw = o >= 5 ? h : w;
  int sh = o >= 5 ? w : h;

  switch (o)
    {
    case 1: *sx = x; *sy = y; break;
    case 2: *sx = sw - 1 - x; *sy = y; break;                 /* mirrored */
    case 3: *sx = sw - 1 - x; *sy = sh - 1 - y; break;        /* rotated 180 */
    case 4: *sx = x; *sy = sh - 1 - y; break;                 /* flipped */
    case 5: *sx = y; *sy = x; break;                          /* transposed */
    case 6: *sx = y; *sy = sh - 1 - x; break;                 /* needs 90 CW */
    case 7: *sx = sw - 1 - y; *sy = sh - 1 - x; break;        /* transverse */
    case 8: *sx = sw - 1 - y; *sy = x; break;                 /* needs 90 CCW */
    default: g_assert_not_reached ();
    }
}

/* A JPEG of the `w` x `h` (upright) pattern stored for orientation `o`,
 * with an APP1 Exif segment (big-endian TIFF, one IFD entry: Orientation)
 * after SOI. */
GByteArray *
decode_test_make_oriented_jpeg_sized (int o,
                                      int w,
                                      int h)
{
  int sw = o >= 5 ? h : w;
  int sh = o >= 5 ? w : h;
  g_autoptr(GdkPixbuf) stored = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, sw, sh);
  guint8 *pixels = gdk_pixbuf_get_pixels (stored);
  int stride = gdk_pixbuf_get_rowstride (stored);
  g_autofree char *jpeg = NULL;
  gsize jpeg_len;
  GError *error = NULL;
  const guint8 app1[] = {
    0xff, 0xe1, 0x00, 34,
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,        /* TIFF header, IFD at 8 */
    0x00, 0x01,                                          /* one entry */
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,      /* Orientation, SHORT, 1 */
    0x00, (guint8) o, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,                              /* no next IFD */
  };
  GByteArray *file;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        int sx, sy;

        stored_position (o, x, y, w, h, &sx, &sy);
        memcpy (pixels + (gsize) sy * stride + sx * 3, decode_test_upright_colour_in (x, y, w, h), 3);
      }
  gdk_pixbuf_save_to_buffer (stored, &jpeg, &jpeg_len, "jpeg", &error, "quality", "95", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (jpeg_len, >, 2);
  g_assert_cmpint ((guint8) jpeg[0], ==, 0xff);
  g_assert_cmpint ((guint8) jpeg[1], ==, 0xd8);

  file = g_byte_array_new ();
  g_byte_array_append (file, (const guint8 *) jpeg, 2);
  g_byte_array_append (file, app1, sizeof app1);
  g_byte_array_append (file, (const guint8 *) jpeg + 2, (guint) (jpeg_len - 2));
  return file;
}

GByteArray *
decode_test_make_oriented_jpeg (int o)
{
  return decode_test_make_oriented_jpeg_sized (o, PATTERN_W, PATTERN_H);
}

void
decode_test_assert_colour_near (const CsDecodedImage *image,
                                int                   x,
                                int                   y,
                                const guint8         *want)
{
  const guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * image->channels;

  for (int c = 0; c < 3; c++)
    if (ABS ((int) p[c] - (int) want[c]) > 48)
      g_error ("pixel (%d, %d) is %d,%d,%d; expected about %d,%d,%d",
               x, y, p[0], p[1], p[2], want[0], want[1], want[2]);
}

/* ---- files written byte by byte -------------------------------------- */

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         len)
{
  crc = ~crc;
  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *a,
             guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

void
decode_test_append_le16 (GByteArray *a,
                         guint       v)
{
  guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (a, b, 2);
}

void
decode_test_append_le32 (GByteArray *a,
                         guint32     v)
{
  guint8 b[4] = { v, v >> 8, v >> 16, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
png_chunk (GByteArray   *png,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  guint32 crc;

  append_be32 (png, (guint32) len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (png, data, (guint) len);
  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len);
  append_be32 (png, crc);
}

/* A zlib stream of stored (uncompressed) deflate blocks. */
static GByteArray *
zlib_store (const guint8 *data,
            gsize         len)
{
  GByteArray *z = g_byte_array_new ();
  guint32 a = 1, b = 0;
  gsize at = 0;

  g_byte_array_append (z, (const guint8 *) "\x78\x01", 2);
  do
    {
      guint n = (guint) MIN (len - at, 65535);
      guint8 final = at + n == len;

      g_byte_array_append (z, &final, 1);
      decode_test_append_le16 (z, n);
      decode_test_append_le16 (z, ~n & 0xffff);
      if (n > 0)
        g_byte_array_append (z, data + at, n);
      at += n;
    }
  while (at < len);
  for (gsize i = 0; i < len; i++)
    {
      a = (a + data[i]) % 65521;
      b = (b + a) % 65521;
    }
  append_be32 (z, (b << 16) | a);
  return z;
}

/* A PNG with the given header fields and raw (unfiltered) rows, each
 * row `row_bytes` long; `plte`/`trns` are optional chunk payloads. */
GByteArray *
decode_test_make_png (guint32       width,
                      guint32       height,
                      guint8        depth,
                      guint8        colour_type,
                      const guint8 *rows,
                      gsize         row_bytes,
                      const guint8 *plte,
                      gsize         plte_len,
                      const guint8 *trns,
                      gsize         trns_len)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *png = g_byte_array_new ();
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GByteArray) z = NULL;
  guint8 ihdr[13];

  g_byte_array_append (png, signature, 8);
  ihdr[0] = width >> 24, ihdr[1] = width >> 16, ihdr[2] = width >> 8, ihdr[3] = width;
  ihdr[4] = height >> 24, ihdr[5] = height >> 16, ihdr[6] = height >> 8, ihdr[7] = height;
  ihdr[8] = depth, ihdr[9] = colour_type, ihdr[10] = ihdr[11] = ihdr[12] = 0;
  png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  if (plte != NULL)
    png_chunk (png, "PLTE", plte, plte_len);
  if (trns != NULL)
    png_chunk (png, "tRNS", trns, trns_len);
  if (rows != NULL)
    for (guint32 y = 0; y < height; y++)
      {
        guint8 filter = 0;

        g_byte_array_append (raw, &filter, 1);
        g_byte_array_append (raw, rows + y * row_bytes, (guint) row_bytes);
      }
  else
    g_byte_array_append (raw, (const guint8 *) "\0\0\0\0", 4);  /* a stub, never reached */
  z = zlib_store (raw->data, raw->len);
  png_chunk (png, "IDAT", z->data, z->len);
  png_chunk (png, "IEND", NULL, 0);
  return png;
}

void
decode_test_assert_pixel (const CsDecodedImage *image,
                          int                   x,
                          int                   y,
                          guint8                r,
                          guint8                g,
                          guint8                b)
{
  const guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * image->channels;

  g_assert_cmpuint (p[0], ==, r);
  g_assert_cmpuint (p[1], ==, g);
  g_assert_cmpuint (p[2], ==, b);
}

/* Bit writer for hand-made JPEG entropy data (no 0xFF bytes occur here). */
void
decode_test_append_be16 (GByteArray *a,
                         guint       v)
{
  guint8 b[2] = { (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (a, b, 2);
}

/* The tables of the hand-made JPEGs below: one quantisation table of
 * ones (id 0), and DC and AC Huffman tables 0 each holding one 1-bit
 * code for symbol 0 (a zero difference, an end of block). */
void
decode_test_append_unit_tables (GByteArray *jpeg)
{
  guint8 q[64];

  g_byte_array_append (jpeg, (const guint8 *) "\xff\xdb", 2);            /* DQT */
  decode_test_append_be16 (jpeg, 67);
  g_byte_array_append (jpeg, (const guint8 *) "\x00", 1);
  memset (q, 1, sizeof q);
  g_byte_array_append (jpeg, q, sizeof q);
  for (guint t = 0; t < 2; t++)                                           /* DHT: DC 0, AC 0 */
    {
      guint8 table = t == 0 ? 0x00 : 0x10;
      guint8 counts[16] = { 1 };                                          /* one 1-bit code */

      g_byte_array_append (jpeg, (const guint8 *) "\xff\xc4", 2);
      decode_test_append_be16 (jpeg, 2 + 1 + 16 + 1);
      g_byte_array_append (jpeg, &table, 1);
      g_byte_array_append (jpeg, counts, 16);
      g_byte_array_append (jpeg, (const guint8 *) "\x00", 1);            /* symbol 0 */
    }
}

/* A lossless WebP (VP8L) of `width` x `height` black pixels in a few
 * dozen bytes: no transform, no colour cache, and five prefix codes of one
 * symbol each, so that every pixel costs zero bits.  Bits go LSB first. */
typedef struct {
  GByteArray *bytes;
  guint       bit;
} BitWriter;

static void
put_bits (BitWriter *w,
          guint32    value,
          guint      n)
{
  for (guint i = 0; i < n; i++, w->bit++)
    {
      if (w->bit % 8 == 0)
        g_byte_array_append (w->bytes, (const guint8 *) "\0", 1);
      if ((value >> i) & 1)
        w->bytes->data[w->bit / 8] |= (guint8) (1u << (w->bit % 8));
    }
}

GByteArray *
decode_test_make_vp8l_chunk (guint width,
                             guint height)
{
  g_autoptr(GByteArray) bits = g_byte_array_new ();
  BitWriter w = { bits, 0 };
  static const guint symbols[5] = { 0, 0, 0, 255, 0 };  /* green, red, blue, alpha, distance */
  GByteArray *chunk = g_byte_array_new ();

  put_bits (&w, 0x2f, 8);
  put_bits (&w, width - 1, 14);
  put_bits (&w, height - 1, 14);
  put_bits (&w, 0, 1 + 3);        /* alpha hint, version 0 */
  put_bits (&w, 0, 1 + 1 + 1);    /* no transform, no colour cache, no meta codes */
  for (guint i = 0; i < 5; i++)
    {
      put_bits (&w, 1, 1);        /* simple code */
      put_bits (&w, 0, 1);        /* one symbol */
      if (symbols[i] < 2)
        {
          put_bits (&w, 0, 1);
          put_bits (&w, symbols[i], 1);
        }
      else
        {
          put_bits (&w, 1, 1);
          put_bits (&w, symbols[i], 8);
        }
    }
  g_byte_array_append (chunk, (const guint8 *) "VP8L", 4);
  decode_test_append_le32 (chunk, bits->len);
  g_byte_array_append (chunk, bits->data, bits->len);
  if (bits->len % 2)
    g_byte_array_append (chunk, (const guint8 *) "\0", 1);
  return chunk;
}

GByteArray *
decode_test_riff_webp (GByteArray *chunks)
{
  GByteArray *webp = g_byte_array_new ();

  g_byte_array_append (webp, (const guint8 *) "RIFF", 4);
  decode_test_append_le32 (webp, 4 + chunks->len);
  g_byte_array_append (webp, (const guint8 *) "WEBP", 4);
  g_byte_array_append (webp, chunks->data, chunks->len);
  return webp;
}

GByteArray *
decode_test_make_vp8l_webp (guint width,
                            guint height)
{
  g_autoptr(GByteArray) chunk = decode_test_make_vp8l_chunk (width, height);

  return decode_test_riff_webp (chunk);
}

char *
decode_test_save_flat_png (const char *dir,
                           const char *name,
                           int         width,
                           int         height)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  gdk_pixbuf_fill (pb, 0x406080ff);
  gdk_pixbuf_save (pb, path, "png", &error, NULL);
  g_assert_no_error (error);
  return path;
}

/* ---- refusals -------------------------------------------------------- */

void
decode_test_assert_error_names_file (GError     *error,
                                     const char *path)
{
  g_autofree char *name = g_filename_display_name (path);

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, name));
  g_assert_null (strchr (error->message, '\n'));
}

/* `path` is refused by the exact decode with `code`, a one-line message
 * that names the file and contains `word`. */
void
decode_test_assert_refused (const char *path,
                            int         code,
                            const char *word)
{
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, code);
  decode_test_assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, word));
  g_clear_error (&error);
}
