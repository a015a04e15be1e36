/* test-decode-bombs.c - bombs (PNG, JPEG, WebP, HEIF/AVIF, a DNG's
 * embedded preview, TIFF) refused from their header, each decoded in a
 * forked child whose peak resident size may grow by a few megabytes only;
 * a truncated WebP and a HEIF without a size.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "cs-decode.h"
#include "cs-raw.h"
#include "decode-test-util.h"

static void
test_bomb_png (TempFixture  *fixture,
               gconstpointer data)
{
  g_autoptr(GByteArray) png = decode_test_make_png (100000, 100000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autofree char *path = decode_test_write_temp (fixture, "bomb.png", png->data, png->len);

  decode_test_assert_refused (path, CS_DECODE_ERROR_TOO_LARGE, "100000x100000");
  /* refused before any pixel: memory, not time, is what a bomb costs */
  decode_test_assert_bomb_refused (path, NULL, 0, "100000x100000", 16);
}

/* A format the decoder does not sniff: the loader's size-prepared signal
 * refuses it before pixels are allocated. */
static void
test_bomb_jpeg (TempFixture  *fixture,
                gconstpointer data)
{
  g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg (1);
  g_autofree char *path = NULL;
  gboolean patched = FALSE;

  /* Patch SOF0's height and width to 60000 x 60000. */
  for (guint i = 2; i + 9 < jpeg->len; i++)
    if (jpeg->data[i] == 0xff && jpeg->data[i + 1] == 0xc0)
      {
        jpeg->data[i + 5] = 60000 >> 8, jpeg->data[i + 6] = 60000 & 0xff;
        jpeg->data[i + 7] = 60000 >> 8, jpeg->data[i + 8] = 60000 & 0xff;
        patched = TRUE;
        break;
      }
  g_assert_true (patched);
  path = decode_test_write_temp (fixture, "bomb.jpg", jpeg->data, jpeg->len);

  decode_test_assert_refused (path, CS_DECODE_ERROR_TOO_LARGE, "60000x60000");
  decode_test_assert_bomb_refused (path, NULL, 0, "60000x60000", 16);
}

/* WebP bombs are refused from the header: the WebP loader buffers the
 * file and decodes it whole before it announces the size (a 30-byte
 * 16383 x 16383 file cost 1 GB).  Lossless, extended (VP8X) and lossy. */
static void
test_bomb_webp (TempFixture  *fixture,
                gconstpointer data)
{
  g_autoptr(GByteArray) small = decode_test_make_vp8l_webp (16, 12);
  g_autoptr(GByteArray) bomb = decode_test_make_vp8l_webp (16383, 16383);
  g_autoptr(GByteArray) mid = decode_test_make_vp8l_webp (4000, 4000);
  g_autofree char *warm = decode_test_write_temp (fixture, "small.webp", small->data, small->len);
  g_autofree char *bomb_path = decode_test_write_temp (fixture, "bomb.webp", bomb->data, bomb->len);
  g_autofree char *mid_path = decode_test_write_temp (fixture, "mid.webp", mid->data, mid->len);
  g_autoptr(CsDecodedImage) image = NULL;
  g_autoptr(GByteArray) ext = g_byte_array_new ();
  g_autoptr(GByteArray) ext_webp = NULL, inner = NULL;
  g_autoptr(GdkPixbuf) pb = NULL;
  g_autofree gchar *lossy = NULL;
  g_autofree char *ext_path = NULL, *lossy_path = NULL;
  gsize lossy_len = 0;
  GError *error = NULL;
  guint8 canvas[6];

  /* the hand-made stream is a real WebP: it decodes */
  image = cs_decode_file (warm, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 16);
  g_assert_cmpint (image->height, ==, 12);
  decode_test_assert_pixel (image, 3, 3, 0, 0, 0);
  g_clear_pointer (&image, cs_decoded_image_free);

  g_test_message ("lossless bomb: %u bytes", bomb->len);
  decode_test_assert_bomb_refused (bomb_path, warm, 0, "16383x16383", 32);
  /* 16 megapixels (64 MB decoded) against a 1-megapixel limit */
  decode_test_assert_bomb_refused (mid_path, warm, 1000000, "4000x4000", 16);

  /* VP8X: a 20000 x 20000 canvas around a small image */
  g_byte_array_append (ext, (const guint8 *) "VP8X", 4);
  decode_test_append_le32 (ext, 10);
  g_byte_array_append (ext, (const guint8 *) "\0\0\0\0", 4);
  canvas[0] = (20000 - 1) & 0xff, canvas[1] = ((20000 - 1) >> 8) & 0xff, canvas[2] = 0;
  memcpy (canvas + 3, canvas, 3);
  g_byte_array_append (ext, canvas, 6);
  inner = decode_test_make_vp8l_chunk (16, 12);
  g_byte_array_append (ext, inner->data, inner->len);
  ext_webp = decode_test_riff_webp (ext);
  ext_path = decode_test_write_temp (fixture, "canvas.webp", ext_webp->data, ext_webp->len);
  decode_test_assert_bomb_refused (ext_path, warm, 0, "20000x20000", 16);

  /* lossy (VP8): GdkPixbuf's WebP saver, then the frame's size patched */
  pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  gdk_pixbuf_fill (pb, 0x808080ff);
  if (!gdk_pixbuf_save_to_buffer (pb, &lossy, &lossy_len, "webp", &error, NULL))
    {
      g_test_message ("no WebP saver: %s", error->message);
      g_clear_error (&error);
      return;
    }
  g_assert_cmpuint (lossy_len, >, 30);
  g_assert_cmpmem (lossy + 12, 4, "VP8 ", 4);
  lossy_path = decode_test_write_temp (fixture, "lossy.webp", (const guint8 *) lossy, lossy_len);
  image = cs_decode_file (lossy_path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 64);
  g_assert_cmpint (image->height, ==, 48);
  g_clear_pointer (&image, cs_decoded_image_free);
  lossy[26] = 16000 & 0xff, lossy[27] = 16000 >> 8;
  lossy[28] = 12000 & 0xff, lossy[29] = 12000 >> 8;
  g_file_set_contents (lossy_path, lossy, (gssize) lossy_len, &error);
  g_assert_no_error (error);
  decode_test_assert_bomb_refused (lossy_path, warm, 0, "16000x12000", 16);
}

/* A minimal DNG that libraw opens: IFD 0 a 64 x 64 16-bit CFA (libraw
 * refuses sensors under 22 pixels), chained to IFD 1, a JPEG-compressed
 * preview (NewSubfileType 1) holding `jpeg`. */
typedef struct {
  guint16 tag, type;
  guint32 count, value;
} TiffEntry;

static void
append_tiff_ifd (GByteArray      *out,
                 const TiffEntry *entries,
                 guint            n,
                 guint32          next)
{
  guint8 b[2] = { n & 0xff, n >> 8 };

  g_byte_array_append (out, b, 2);
  for (guint i = 0; i < n; i++)
    {
      guint8 e[4] = { entries[i].tag & 0xff, entries[i].tag >> 8,
                      entries[i].type & 0xff, entries[i].type >> 8 };

      g_byte_array_append (out, e, 4);
      decode_test_append_le32 (out, entries[i].count);
      decode_test_append_le32 (out, entries[i].value); /* SHORT values: low half, little-endian */
    }
  decode_test_append_le32 (out, next);
}

static GByteArray *
make_dng (const GByteArray *jpeg)
{
  enum { N0 = 15, N1 = 10, SENSOR = 64 };
  guint32 ifd1 = 8 + 2 + N0 * 12 + 4;
  guint32 data = ifd1 + 2 + N1 * 12 + 4;
  guint32 raw_len = SENSOR * SENSOR * 2;
  guint32 make_at = data, raw_at = data + 8, jpeg_at = raw_at + raw_len;
  const TiffEntry ifd0[N0] = {
    { 254, 4, 1, 0 }, { 256, 4, 1, SENSOR }, { 257, 4, 1, SENSOR }, { 258, 3, 1, 16 },
    { 259, 3, 1, 1 }, { 262, 3, 1, 32803 }, { 271, 2, 6, make_at }, { 273, 4, 1, raw_at },
    { 274, 3, 1, 1 }, { 277, 3, 1, 1 }, { 278, 4, 1, SENSOR }, { 279, 4, 1, raw_len },
    { 33421, 3, 2, 2 | (2u << 16) },                     /* CFARepeatPatternDim 2 x 2 */
    { 33422, 1, 4, 0x02010100 },                         /* CFAPattern R G G B */
    { 50706, 1, 4, 0x00000401 },                         /* DNGVersion 1.4 */
  };
  const TiffEntry ifd1_entries[N1] = {
    { 254, 4, 1, 1 }, { 256, 4, 1, 64 }, { 257, 4, 1, 48 }, { 258, 3, 1, 8 },
    { 259, 3, 1, 7 }, { 262, 3, 1, 6 }, { 273, 4, 1, jpeg_at }, { 277, 3, 1, 3 },
    { 278, 4, 1, 48 }, { 279, 4, 1, jpeg->len },
  };
  GByteArray *out = g_byte_array_new ();
  g_autofree guint8 *raw = g_malloc0 (raw_len);

  g_byte_array_append (out, (const guint8 *) "II*\0", 4);
  decode_test_append_le32 (out, 8);
  append_tiff_ifd (out, ifd0, N0, ifd1);
  append_tiff_ifd (out, ifd1_entries, N1, 0);
  g_assert_cmpuint (out->len, ==, data);
  g_byte_array_append (out, (const guint8 *) "Canon\0\0\0", 8);
  g_byte_array_append (out, raw, raw_len);
  g_byte_array_append (out, jpeg->data, jpeg->len);
  return out;
}

/* A RAW file's embedded JPEG preview is refused from its SOF header
 * (a 30000 x 30000 one was decoded whole: 2.7 GB), and a normal one
 * still loads. */
static void
test_bomb_raw (TempFixture  *fixture,
               gconstpointer data)
{
  g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg (1);
  g_autoptr(GByteArray) ok_dng = make_dng (jpeg);
  g_autoptr(GByteArray) bomb_dng = NULL;
  g_autofree char *ok_path = decode_test_write_temp (fixture, "ok.dng", ok_dng->data, ok_dng->len);
  g_autofree char *bomb_path = NULL;
  g_autoptr(GdkPixbuf) preview = NULL;
  GError *error = NULL;
  gboolean patched = FALSE;

  preview = cs_raw_load_preview (ok_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (preview), ==, PATTERN_W);
  g_assert_cmpint (gdk_pixbuf_get_height (preview), ==, PATTERN_H);

  for (guint i = 2; i + 9 < jpeg->len; i++)
    if (jpeg->data[i] == 0xff && jpeg->data[i + 1] == 0xc0)
      {
        jpeg->data[i + 5] = 30000 >> 8, jpeg->data[i + 6] = 30000 & 0xff;
        jpeg->data[i + 7] = 30000 >> 8, jpeg->data[i + 8] = 30000 & 0xff;
        patched = TRUE;
        break;
      }
  g_assert_true (patched);
  bomb_dng = make_dng (jpeg);
  bomb_path = decode_test_write_temp (fixture, "bomb.dng", bomb_dng->data, bomb_dng->len);
  decode_test_assert_bomb_refused_as (bomb_path, ok_path, 0, TRUE, "30000x30000", 32);
}

/* A TIFF announcing 60000 x 60000 in IFD 0 is refused from its header with
 * the decoder's own message (GdkPixbuf's TIFF loader said "Dimensions of
 * TIFF image too large" and would decode up to 536 megapixels). */
static void
test_bomb_tiff (TempFixture  *fixture,
                gconstpointer data)
{
  const TiffEntry entries[] = {
    { 256, 4, 1, 60000 }, { 257, 4, 1, 60000 }, { 258, 3, 1, 8 }, { 259, 3, 1, 1 },
    { 262, 3, 1, 2 }, { 273, 4, 1, 8 + 2 + 9 * 12 + 4 }, { 277, 3, 1, 3 },
    { 278, 4, 1, 60000 }, { 279, 4, 1, 16 },
  };
  g_autoptr(GByteArray) tiff = g_byte_array_new ();
  g_autofree char *path = NULL;
  guint8 strip[16];

  g_byte_array_append (tiff, (const guint8 *) "II*\0", 4);
  decode_test_append_le32 (tiff, 8);
  append_tiff_ifd (tiff, entries, G_N_ELEMENTS (entries), 0);
  memset (strip, 0x80, sizeof strip);
  g_byte_array_append (tiff, strip, sizeof strip);
  path = decode_test_write_temp (fixture, "bomb.tif", tiff->data, tiff->len);
  decode_test_assert_bomb_refused (path, NULL, 0, "60000x60000", 16);
  g_assert_cmpuint (cs_decode_estimate_bytes (path, 0), ==, 0);
}

/* A lossy WebP cut short: the loader decoded what there was and filled
 * the rest; the RIFF header's length tells. */
static void
test_truncated_webp (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  g_autofree gchar *webp = NULL;
  g_autofree char *path = NULL;
  gsize len = 0;
  GError *error = NULL;

  gdk_pixbuf_fill (pb, 0x336699ff);
  if (!gdk_pixbuf_save_to_buffer (pb, &webp, &len, "webp", &error, "quality", "90", NULL))
    {
      g_test_skip (error->message);
      g_clear_error (&error);
      return;
    }
  path = decode_test_write_temp (fixture, "half.webp", (const guint8 *) webp, len / 2);
  decode_test_assert_refused (path, CS_DECODE_ERROR_TRUNCATED, "truncated WebP");
}

/* Runs `argv` (a converter such as heif-enc); FALSE when it is missing. */
static gboolean
run_tool (const char * const *argv)
{
  g_autofree char *found = g_find_program_in_path (argv[0]);
  g_autofree char *err = NULL;
  GError *error = NULL;
  int status = 0;

  if (found == NULL)
    return FALSE;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return TRUE;
}

/* HEIF and AVIF bombs are refused from the "ispe" property: libheif's
 * loader decodes the whole image before it announces the size (a 41 KB
 * 13500 x 13500 HEIC cost 1.1 GB).  Encoded with heif-enc and avifenc
 * (libheif-examples, libavif-bin), skipped without them. */
static void
test_bomb_heif (TempFixture  *fixture,
                gconstpointer data)
{
  g_autofree char *small_png = decode_test_save_flat_png (fixture->dir, "small.png", 64, 48);
  g_autofree char *big_png = decode_test_save_flat_png (fixture->dir, "big.png", 3000, 3000);
  static const char *const exts[2] = { "heic", "avif" };
  gboolean any = FALSE;

  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *small = g_strdup_printf ("%s/small.%s", fixture->dir, exts[k]);
      g_autofree char *big = g_strdup_printf ("%s/big.%s", fixture->dir, exts[k]);
      g_autoptr(CsDecodedImage) image = NULL;
      GError *error = NULL;
      gboolean have;

      if (k == 0)
        {
          const char *a1[] = { "heif-enc", "-q", "20", "-o", small, small_png, NULL };
          const char *a2[] = { "heif-enc", "-q", "20", "-o", big, big_png, NULL };

          have = run_tool (a1) && run_tool (a2);
        }
      else
        {
          const char *a1[] = { "avifenc", "-s", "10", small_png, small, NULL };
          const char *a2[] = { "avifenc", "-s", "10", big_png, big, NULL };

          have = run_tool (a1) && run_tool (a2);
        }
      if (!have)
        {
          g_test_message ("no encoder for %s", exts[k]);
          continue;
        }
      image = cs_decode_file (small, 0, &error);
      if (error != NULL && error->code == CS_DECODE_ERROR_UNKNOWN_FORMAT)
        {
          g_test_message ("no GdkPixbuf loader for %s", exts[k]);
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, 64);
      g_assert_cmpint (image->height, ==, 48);
      /* 9 megapixels (27 MB of RGB, more in YUV and copies) against a
       * 1-megapixel limit */
      decode_test_assert_bomb_refused (big, small, 1000000, "3000x3000", 12);
      any = TRUE;
    }
  if (!any)
    g_test_skip ("neither heif-enc nor avifenc with a GdkPixbuf loader");
}

/* A HEIF whose size cannot be read is refused, not handed to a loader
 * that would decode whatever it holds. */
static void
test_heif_without_size (TempFixture  *fixture,
                        gconstpointer data)
{
  static const guint8 file[] = {
    0, 0, 0, 20, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1',
    0, 0, 0, 12, 'm', 'e', 't', 'a', 0, 0, 0, 0,
  };
  g_autofree char *path = decode_test_write_temp (fixture, "nosize.heic", file, sizeof file);

  decode_test_assert_refused (path, CS_DECODE_ERROR_CORRUPT, "size");
}

void
decode_test_add_bombs (void)
{
  DECODE_TEST_ADD ("bomb-png", test_bomb_png);
  DECODE_TEST_ADD ("bomb-jpeg", test_bomb_jpeg);
  DECODE_TEST_ADD ("bomb-webp", test_bomb_webp);
  DECODE_TEST_ADD ("bomb-heif", test_bomb_heif);
  DECODE_TEST_ADD ("bomb-raw", test_bomb_raw);
  DECODE_TEST_ADD ("bomb-tiff", test_bomb_tiff);
  DECODE_TEST_ADD ("truncated-webp", test_truncated_webp);
  DECODE_TEST_ADD ("heif-without-size", test_heif_without_size);
}
