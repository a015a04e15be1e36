/* test-decode-formats.c - EXIF orientations and the formats Pillow opens
 * in a mode of its own: palette and bilevel PNGs, an RGB PNG with a colour
 * key, GIFs and 8-bit BMPs, all written byte by byte.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "cs-decode.h"
#include "decode-test-util.h"

static const guint8 *
upright_colour (int x,
                int y)
{
  return decode_test_upright_colour_in (x, y, PATTERN_W, PATTERN_H);
}

static void
test_exif_orientation (TempFixture  *fixture,
                       gconstpointer data)
{
  for (int o = 1; o <= 8; o++)
    {
      g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg (o);
      g_autofree char *name = g_strdup_printf ("orientation-%d.jpg", o);
      g_autofree char *path = decode_test_write_temp (fixture, name, jpeg->data, jpeg->len);
      g_autoptr(CsDecodedImage) image = NULL;
      GError *error = NULL;
      /* Sample inside each quadrant, away from JPEG's block edges. */
      const int xs[2] = { 4, PATTERN_W - 5 }, ys[2] = { 4, PATTERN_H - 5 };

      image = cs_decode_file (path, 0, &error);
      g_assert_no_error (error);
      g_test_message ("orientation %d: decoded %dx%d", o, image->width, image->height);
      g_assert_cmpint (image->width, ==, PATTERN_W);
      g_assert_cmpint (image->height, ==, PATTERN_H);
      for (int qy = 0; qy < 2; qy++)
        for (int qx = 0; qx < 2; qx++)
          decode_test_assert_colour_near (image, xs[qx], ys[qy], upright_colour (xs[qx], ys[qy]));
    }
}

/* Palette PNGs are Pillow mode "P": nearest neighbour. */
static void
test_palette_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 plte[] = { 10, 20, 30, 200, 100, 50, 0, 255, 0 };
  const guint8 trns[] = { 0 };   /* index 0 fully transparent */
  const guint8 rows[] = { 0, 1, 2, 1, 2, 1, 0, 0 };   /* 4 x 2 */
  g_autoptr(GByteArray) png = decode_test_make_png (4, 2, 8, 3, rows, 4, plte, sizeof plte, trns, sizeof trns);
  g_autofree char *path = decode_test_write_temp (fixture, "palette.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 4);
  g_assert_cmpint (image->height, ==, 2);
  /* The transparent entry keeps its palette colour, as Pillow's
   * convert("RGB") of a "P" image does. */
  decode_test_assert_pixel (image, 0, 0, 10, 20, 30);
  decode_test_assert_pixel (image, 1, 0, 200, 100, 50);
  decode_test_assert_pixel (image, 2, 0, 0, 255, 0);
}

/* A 1-bit grey PNG is Pillow mode "1": nearest neighbour too. */
static void
test_bilevel_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 rows[] = { 0xa0, 0x50 };   /* 4 x 2: 1010 / 0101 */
  g_autoptr(GByteArray) png = decode_test_make_png (4, 2, 1, 0, rows, 1, NULL, 0, NULL, 0);
  g_autofree char *path = decode_test_write_temp (fixture, "bilevel.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  decode_test_assert_pixel (image, 0, 0, 255, 255, 255);
  decode_test_assert_pixel (image, 1, 0, 0, 0, 0);
  decode_test_assert_pixel (image, 0, 1, 0, 0, 0);
}

/* An RGB PNG with a tRNS colour key is Pillow mode "RGB": no alpha, so the
 * keyed pixels keep their colour instead of turning black. */
static void
test_rgb_png_colour_key (TempFixture  *fixture,
                         gconstpointer data)
{
  const guint8 rows[] = { 1, 2, 3, 200, 150, 100 };   /* 2 x 1 */
  const guint8 trns[] = { 0, 1, 0, 2, 0, 3 };         /* key: (1, 2, 3) */
  g_autoptr(GByteArray) png = decode_test_make_png (2, 1, 8, 2, rows, 6, NULL, 0, trns, sizeof trns);
  g_autofree char *path = decode_test_write_temp (fixture, "keyed.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_false (image->nearest);
  g_assert_cmpint (image->channels, ==, 3);
  decode_test_assert_pixel (image, 0, 0, 1, 2, 3);
  decode_test_assert_pixel (image, 1, 0, 200, 150, 100);
}

/* GIFs are Pillow mode "P". */
static void
test_gif (TempFixture  *fixture,
          gconstpointer data)
{
  /* 1 x 1, two-colour global table (red, blue), pixel index 1. */
  const guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0,
    255, 0, 0, 0, 0, 255,
    0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0,
    2, 2, 0x4c, 0x01, 0,            /* LZW: clear, 1, end */
    0x3b,
  };
  g_autofree char *path = decode_test_write_temp (fixture, "dot.gif", gif, sizeof gif);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 1);
  g_assert_cmpint (image->height, ==, 1);
  decode_test_assert_pixel (image, 0, 0, 0, 0, 255);
}

/* A GIF's transparent index keeps its palette colour, as in Pillow's
 * convert("RGB"); GdkPixbuf alone would give black. */
static void
test_gif_transparent (TempFixture  *fixture,
                      gconstpointer data)
{
  /* 2 x 1, four-colour table (red, blue, green, white), index 2
   * transparent, pixels [1, 2]. */
  const guint8 gif[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x81, 0, 0,
    255, 0, 0, 0, 0, 255, 0, 255, 0, 255, 255, 255,
    0x21, 0xf9, 4, 0x01, 0, 0, 2, 0,                  /* transparent index 2 */
    0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0,
    2, 2, 0x8c, 0x0a, 0,            /* LZW: clear, 1, 2, end */
    0x3b,
  };
  g_autofree char *path = decode_test_write_temp (fixture, "key.gif", gif, sizeof gif);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 2);
  decode_test_assert_pixel (image, 0, 0, 0, 0, 255);
  decode_test_assert_pixel (image, 1, 0, 0, 255, 0);
}

/* An 8-bit BMP with the given 256-entry palette (BGRX), 2 x 2 pixels. */
static GByteArray *
make_bmp8 (const guint8 palette[256][4])
{
  GByteArray *bmp = g_byte_array_new ();
  const guint8 rows[2][4] = { { 0, 1, 0, 0 }, { 2, 3, 0, 0 } };   /* padded to 4 */
  guint32 data_at = 14 + 40 + 256 * 4;

  g_byte_array_append (bmp, (const guint8 *) "BM", 2);
  decode_test_append_le32 (bmp, data_at + sizeof rows);
  decode_test_append_le32 (bmp, 0);
  decode_test_append_le32 (bmp, data_at);
  decode_test_append_le32 (bmp, 40); /* BITMAPINFOHEADER */
  decode_test_append_le32 (bmp, 2); /* width */
  decode_test_append_le32 (bmp, 2); /* height, bottom-up */
  decode_test_append_le16 (bmp, 1); /* planes */
  decode_test_append_le16 (bmp, 8); /* bits */
  decode_test_append_le32 (bmp, 0); /* BI_RGB */
  decode_test_append_le32 (bmp, sizeof rows);
  decode_test_append_le32 (bmp, 2835);
  decode_test_append_le32 (bmp, 2835);
  decode_test_append_le32 (bmp, 256); /* colours used */
  decode_test_append_le32 (bmp, 0);
  g_byte_array_append (bmp, &palette[0][0], 256 * 4);
  g_byte_array_append (bmp, &rows[0][0], sizeof rows);
  return bmp;
}

/* Pillow opens an 8-bit BMP as "P" unless its palette is the grey ramp
 * (then "L", resampled bicubic). */
static void
test_bmp_palette (TempFixture  *fixture,
                  gconstpointer data)
{
  guint8 palette[256][4];
  g_autoptr(GByteArray) grey = NULL, colour = NULL;
  g_autofree char *grey_path = NULL, *colour_path = NULL;
  g_autoptr(CsDecodedImage) a = NULL, b = NULL;
  GError *error = NULL;

  for (int i = 0; i < 256; i++)
    palette[i][0] = palette[i][1] = palette[i][2] = (guint8) i, palette[i][3] = 0;
  grey = make_bmp8 (palette);
  palette[1][0] = 255, palette[1][1] = 0, palette[1][2] = 0;   /* BGR: blue */
  colour = make_bmp8 (palette);
  grey_path = decode_test_write_temp (fixture, "grey.bmp", grey->data, grey->len);
  colour_path = decode_test_write_temp (fixture, "colour.bmp", colour->data, colour->len);

  a = cs_decode_file (grey_path, 0, &error);
  g_assert_no_error (error);
  g_assert_false (a->nearest);
  decode_test_assert_pixel (a, 0, 0, 2, 2, 2); /* bottom-up: the second row is on top */

  b = cs_decode_file (colour_path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (b->nearest);
  decode_test_assert_pixel (b, 1, 1, 0, 0, 255);
}

void
decode_test_add_formats (void)
{
  DECODE_TEST_ADD ("exif-orientation", test_exif_orientation);
  DECODE_TEST_ADD ("palette-png", test_palette_png);
  DECODE_TEST_ADD ("bilevel-png", test_bilevel_png);
  DECODE_TEST_ADD ("rgb-png-colour-key", test_rgb_png_colour_key);
  DECODE_TEST_ADD ("gif", test_gif);
  DECODE_TEST_ADD ("gif-transparent", test_gif_transparent);
  DECODE_TEST_ADD ("bmp-palette", test_bmp_palette);
}
