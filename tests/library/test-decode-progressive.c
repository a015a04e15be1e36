/* test-decode-progressive.c - the DC decoder of progressive JPEGs against
 * libjpeg's own 1/8 scaling, on damaged copies, and on a 13000 x 13000 file
 * decoded in little memory.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <unistd.h>
#include <stdio.h>

#include <jpeglib.h>

#include <gio/gio.h>

#include "cs-decode.h"
#include "cs-jpeg-dc.h"
#include "decode-test-util.h"

/* A progressive JPEG written by libjpeg: a smooth colour field with
 * edges and noise, `n_comp` 1 or 3, chroma sampled 1/`sub` in both
 * directions, restart markers every `restart_rows` MCU rows (0: none). */
static char *
write_progressive_jpeg (const char *dir,
                        const char *name,
                        int         width,
                        int         height,
                        int         n_comp,
                        int         sub,
                        int         restart_rows,
                        gboolean    sharp)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "wb");
  g_autofree guint8 *row = g_malloc ((gsize) width * 3);
  GRand *rand = g_rand_new_with_seed (7);

  g_assert_nonnull (f);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, f);
  cinfo.image_width = (JDIMENSION) width;
  cinfo.image_height = (JDIMENSION) height;
  cinfo.input_components = n_comp;
  cinfo.in_color_space = n_comp == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 85, TRUE);
  if (n_comp == 3)
    {
      cinfo.comp_info[0].h_samp_factor = sub;
      cinfo.comp_info[0].v_samp_factor = sub;
      cinfo.comp_info[1].h_samp_factor = cinfo.comp_info[1].v_samp_factor = 1;
      cinfo.comp_info[2].h_samp_factor = cinfo.comp_info[2].v_samp_factor = 1;
    }
  cinfo.restart_in_rows = restart_rows;
  jpeg_simple_progression (&cinfo);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      int y = (int) cinfo.next_scanline;
      JSAMPROW rows[1] = { row };

      for (int x = 0; x < width; x++)
        for (int c = 0; c < n_comp; c++)
          {
            double v = 128 + 100 * sin (x * (0.004 + 0.002 * c) + y * 0.003 * (c + 1));

            if (sharp && (x / 300 + y / 200) % 3 == c)
              v = 255 - v;   /* edges */
            if (sharp)
              v += g_rand_double_range (rand, -20, 20);
            row[x * n_comp + c] = (guint8) CLAMP (v, 0, 255);
          }
      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  fclose (f);
  g_rand_free (rand);
  return path;
}

/* A copy of the JPEG at `path` with an EXIF orientation `o` after SOI. */
static char *
add_orientation (const char *path,
                 const char *dir,
                 int         o)
{
  static const guint8 exif_head[] = {
    0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0, 42, 0, 0, 0, 8,                    /* TIFF header, IFD0 at 8 */
    0, 1,                                           /* one entry */
    0x01, 0x12, 0, 3, 0, 0, 0, 1,                   /* Orientation, SHORT, 1 */
  };
  g_autofree gchar *bytes = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  char *copy = g_build_filename (dir, "oriented.jpg", NULL);
  guint8 value[8] = { 0, (guint8) o, 0, 0, 0, 0, 0, 0 };   /* value, next IFD 0 */
  gsize len;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_byte_array_append (out, (const guint8 *) bytes, 2);
  g_byte_array_append (out, exif_head, sizeof exif_head);
  g_byte_array_append (out, value, sizeof value);
  g_byte_array_append (out, (const guint8 *) bytes + 2, (guint) len - 2);
  g_assert_true (g_file_set_contents (copy, (const char *) out->data, out->len, NULL));
  return copy;
}

/* The DC decoder (its threshold lowered to 0) against libjpeg's own 1/8
 * decode of the same file through the ordinary path. */
static void
compare_dc_to_libjpeg (const char *path,
                       int        *max_d,
                       double     *mean_d)
{
  g_autoptr(CsDecodedImage) dc = NULL, lib = NULL;
  GError *error = NULL;
  guint64 sum = 0;

  cs_jpeg_dc_set_min_coef_bytes (G_MAXUINT64);
  lib = cs_decode_file_for_size (path, 64, 0, &error);
  g_assert_no_error (error);
  cs_jpeg_dc_set_min_coef_bytes (0);
  dc = cs_decode_file_for_size (path, 64, 0, &error);
  cs_jpeg_dc_set_min_coef_bytes (64 * 1024 * 1024);
  g_assert_no_error (error);
  g_assert_cmpint (lib->scale_denom, ==, 8);
  g_assert_cmpint (dc->scale_denom, ==, 8);
  g_assert_cmpint (dc->width, ==, lib->width);
  g_assert_cmpint (dc->height, ==, lib->height);
  g_assert_cmpint (dc->orig_width, ==, lib->orig_width);
  g_assert_cmpint (dc->orig_height, ==, lib->orig_height);
  g_assert_cmpint (dc->channels, ==, 3);
  *max_d = 0;
  for (int y = 0; y < dc->height; y++)
    for (int x = 0; x < dc->width; x++)
      for (int c = 0; c < 3; c++)
        {
          int a = dc->pixels[y * dc->stride + x * dc->channels + c];
          int b = lib->pixels[y * lib->stride + x * lib->channels + c];

          *max_d = MAX (*max_d, ABS (a - b));
          sum += (guint64) ABS (a - b);
        }
  *mean_d = (double) sum / ((double) dc->width * dc->height * 3);
  g_test_message ("%s: DC decoder vs libjpeg at 1/8: max |d| %d, mean |d| %.4f",
                  path, *max_d, *mean_d);
}

static void
test_progressive_dc (TempFixture  *fixture,
                     gconstpointer data G_GNUC_UNUSED)
{
  int max_d;
  double mean_d;
  g_autofree char *p444 = write_progressive_jpeg (fixture->dir, "444.jpg", 2000, 1500, 3, 1, 0, TRUE);
  g_autofree char *p420 = write_progressive_jpeg (fixture->dir, "420.jpg", 2001, 1503, 3, 2, 0, TRUE);
  g_autofree char *grey = write_progressive_jpeg (fixture->dir, "grey.jpg", 1999, 1500, 1, 1, 0, TRUE);
  g_autofree char *rst = write_progressive_jpeg (fixture->dir, "rst.jpg", 2000, 1497, 3, 2, 1, TRUE);
  g_autofree char *smooth = write_progressive_jpeg (fixture->dir, "smooth.jpg", 2001, 1503, 3, 2, 0, FALSE);

  compare_dc_to_libjpeg (p444, &max_d, &mean_d);
  g_assert_cmpint (max_d, <=, 2);
  compare_dc_to_libjpeg (grey, &max_d, &mean_d);
  g_assert_cmpint (max_d, <=, 2);
  /* EXIF orientations turn both decodes alike */
  for (int o = 2; o <= 8; o += 3)
    {
      g_autofree char *oriented = add_orientation (p444, fixture->dir, o);

      compare_dc_to_libjpeg (oriented, &max_d, &mean_d);
      g_assert_cmpint (max_d, <=, 2);
    }
  /* 4:2:0: at 1/8 libjpeg decodes chroma with a 2 x 2 IDCT (its fancy
   * upsampling asks for chroma at luma resolution), using the chroma
   * blocks' first AC coefficients, which the DC decoder replicates
   * instead: measured max 11, mean 1.48 on the smooth field; mean 4.54
   * (max 195, at chroma edges inside a 16-pixel block) with sharp edges
   * and +-20 noise. */
  compare_dc_to_libjpeg (smooth, &max_d, &mean_d);
  g_assert_cmpint (max_d, <=, 16);
  g_assert_cmpfloat (mean_d, <=, 2.5);
  compare_dc_to_libjpeg (p420, &max_d, &mean_d);
  g_assert_cmpfloat (mean_d, <=, 6.0);
  /* restart markers every MCU row */
  compare_dc_to_libjpeg (rst, &max_d, &mean_d);
  g_assert_cmpfloat (mean_d, <=, 6.0);
}

/* Truncated and damaged copies of a progressive JPEG: an error or an
 * image from the DC decoder, never a crash (run under ASan). */
static void
test_progressive_dc_hostile (TempFixture  *fixture,
                             gconstpointer data G_GNUC_UNUSED)
{
  g_autofree char *src = write_progressive_jpeg (fixture->dir, "src.jpg", 640, 480, 3, 2, 2, TRUE);
  g_autofree char *bad = g_build_filename (fixture->dir, "bad.jpg", NULL);
  g_autofree gchar *bytes = NULL;
  gsize len;
  GRand *rand = g_rand_new_with_seed (11);
  int decoded = 0, failed = 0;

  g_assert_true (g_file_get_contents (src, &bytes, &len, NULL));
  cs_jpeg_dc_set_min_coef_bytes (0);
  for (int i = 0; i < 120; i++)
    {
      g_autofree gchar *copy = g_memdup2 (bytes, len);
      gsize n = len;
      CsDecodedImage *image;
      GError *error = NULL;

      if (i < 40)
        n = (gsize) i * len / 40;                   /* cut */
      else
        for (int k = 0; k < 1 + i % 5; k++)         /* flipped bytes */
          copy[g_rand_int_range (rand, 2, (gint32) MIN (len, i < 80 ? 700 : len))] ^=
            (gchar) g_rand_int_range (rand, 1, 256);
      g_assert_true (g_file_set_contents (bad, copy, (gssize) n, NULL));
      image = cs_decode_file_for_size (bad, 32, 0, &error);
      g_assert_true ((image == NULL) != (error == NULL));
      if (i < 40)   /* a cut file is refused with a reason */
        g_assert_true (error != NULL && error->domain == CS_DECODE_ERROR);
      if (image != NULL)
        decoded++;
      else
        failed++;
      cs_decoded_image_free (image);
      g_clear_error (&error);
    }
  cs_jpeg_dc_set_min_coef_bytes (64 * 1024 * 1024);
  g_test_message ("damaged progressive JPEGs: %d decoded, %d refused", decoded, failed);
  g_assert_cmpint (failed, >=, 39);
  g_rand_free (rand);
}

/* A 13000 x 13000 progressive JPEG (4:2:0, written by hand: one DC scan
 * and one AC scan per component of 1-bit codes) at 1/8: libjpeg would
 * keep 507 MB of coefficients; the DC decoder needs one per block. */
#define PROG_BIG 13000
static void
test_progressive_dc_memory (TempFixture  *fixture,
                            gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr(GByteArray) jpeg = g_byte_array_new ();
  g_autofree char *path = NULL;
  g_autofree char *warm = write_progressive_jpeg (fixture->dir, "warm.jpg", 640, 480, 3, 2, 0, TRUE);
  gsize mcus = (gsize) ((PROG_BIG + 15) / 16) * ((PROG_BIG + 15) / 16);
  gsize y_blocks = (gsize) ((PROG_BIG + 7) / 8) * ((PROG_BIG + 7) / 8);
  gsize c_blocks = (gsize) ((PROG_BIG + 15) / 16) * ((PROG_BIG + 15) / 16);
  g_autofree guint8 *zeros = g_malloc0 (mcus * 6 / 8 + 8);
  ChildDecode r;

  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd8", 2);            /* SOI */
  decode_test_append_unit_tables (jpeg);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xc2", 2);            /* SOF2 */
  decode_test_append_be16 (jpeg, 17);
  g_byte_array_append (jpeg, (const guint8 *) "\x08", 1);
  decode_test_append_be16 (jpeg, PROG_BIG);
  decode_test_append_be16 (jpeg, PROG_BIG);
  g_byte_array_append (jpeg, (const guint8 *) "\x03\x01\x22\x00\x02\x11\x00\x03\x11\x00", 10);
  /* DC scan, all three components: 6 one-bit differences per MCU */
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);
  decode_test_append_be16 (jpeg, 12);
  g_byte_array_append (jpeg, (const guint8 *) "\x03\x01\x00\x02\x00\x03\x00\x00\x00\x00", 10);
  g_byte_array_append (jpeg, zeros, (guint) ((mcus * 6 + 7) / 8));
  /* AC scans, one component each: one end-of-block per block */
  for (guint c = 1; c <= 3; c++)
    {
      guint8 sos[6] = { 1, (guint8) c, 0x00, 1, 63, 0 };
      gsize blocks = c == 1 ? y_blocks : c_blocks;

      g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);
      decode_test_append_be16 (jpeg, 8);
      g_byte_array_append (jpeg, sos, 6);
      g_byte_array_append (jpeg, zeros, (guint) ((blocks + 7) / 8));
    }
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd9", 2);
  path = decode_test_write_temp (fixture, "big-progressive.jpg", jpeg->data, jpeg->len);

  decode_test_in_child_for_size (path, warm, 0, FALSE, 448, &r);
  g_assert_true (r.decoded);
  g_test_message ("%d x %d progressive JPEG at 1/8: peak RSS grew by %.1f MB",
                  PROG_BIG, PROG_BIG, r.growth_kb / 1024.0);
  g_assert_cmpint (r.growth_kb, <, 64 * 1024);
  /* the estimate: the output, its rotated copy and one DC per block */
  g_assert_cmpuint (cs_decode_estimate_bytes (path, 448), ==,
                    2 * (guint64) 1625 * 1625 * 3 + (y_blocks + 2 * c_blocks) * 2);
}

void
decode_test_add_progressive (void)
{
  DECODE_TEST_ADD ("progressive-dc", test_progressive_dc);
  DECODE_TEST_ADD ("progressive-dc/hostile", test_progressive_dc_hostile);
  DECODE_TEST_ADD ("progressive-dc/memory", test_progressive_dc_memory);
}
