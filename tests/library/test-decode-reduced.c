/* test-decode-reduced.c - the reduced-size path (cs_decode_file_for_size):
 * the scale it picks, orientation, the pixel budget, the view that keeps
 * the full image's crop, a 200-megapixel JPEG decoded in a few megabytes,
 * WebP and PNG reduced, and the byte estimates of cs_decode_estimate_bytes().
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "cs-decode-clip.h"
#include "decode-test-util.h"

/* ---- the reduced-size path (cs_decode_file_for_size) ------------------ */

static int
ceil_div (int n,
          int d)
{
  return (n + d - 1) / d;
}

/* The DCT scaling the fast path should pick: 1/8, 1/4 or 1/2 (largest
 * first) while the short side stays >= min, else 1. */
static int
expected_denom (int w,
                int h,
                int min_short_side)
{
  for (int d = 8; d > 1; d /= 2)
    if (MIN (ceil_div (w, d), ceil_div (h, d)) >= min_short_side)
      return d;
  return 1;
}

static void
assert_same_pixels (const CsDecodedImage *a,
                    const CsDecodedImage *b)
{
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->channels, ==, b->channels);
  for (int y = 0; y < a->height; y++)
    g_assert_cmpmem (a->pixels + (gsize) y * a->stride, a->width * a->channels,
                     b->pixels + (gsize) y * b->stride, b->width * b->channels);
}

/* Short side >= the minimum and < twice it, the original size kept. */
static void
test_for_size_range (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg_sized (1, 2000, 1500);
  g_autofree char *path = decode_test_write_temp (fixture, "big.jpg", jpeg->data, jpeg->len);
  g_autoptr(CsDecodedImage) full = NULL;
  const int mins[] = { 1, 100, 188, 189, 200, 375, 448, 700, 750, 751, 1000, 1500, 1501, 4000 };
  GError *error = NULL;

  full = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (full->scale_denom, ==, 1);
  g_assert_cmpint (full->orig_width, ==, 2000);
  g_assert_cmpint (full->orig_height, ==, 1500);

  for (guint i = 0; i < G_N_ELEMENTS (mins); i++)
    {
      g_autoptr(CsDecodedImage) image = NULL;
      int d = expected_denom (2000, 1500, mins[i]);
      int short_side;

      image = cs_decode_file_for_size (path, mins[i], 0, &error);
      g_assert_no_error (error);
      short_side = MIN (image->width, image->height);
      g_test_message ("min %4d: 1/%d, %dx%d", mins[i], d, image->width, image->height);
      g_assert_cmpint (image->scale_denom, ==, d);
      g_assert_cmpint (image->width, ==, ceil_div (2000, d));
      g_assert_cmpint (image->height, ==, ceil_div (1500, d));
      g_assert_cmpint (image->orig_width, ==, 2000);
      g_assert_cmpint (image->orig_height, ==, 1500);
      g_assert_cmpint (image->channels, ==, 3);
      if (mins[i] <= 1500)
        {
          g_assert_cmpint (short_side, >=, mins[i]);
          /* 1/8 is the smallest scale: the short side can only stay
           * longer than twice the minimum there. */
          if (d < 8)
            g_assert_cmpint (short_side, <, 2 * mins[i]);
        }
      else
        g_assert_cmpint (short_side, ==, 1500);   /* too small: full size */
      if (d == 1)
        assert_same_pixels (image, full);
      /* The quadrants survive the reduction. */
      decode_test_assert_colour_near (image, image->width / 4, image->height / 4,
                                      decode_test_quadrant_colours[0]);
      decode_test_assert_colour_near (image, 3 * image->width / 4, 3 * image->height / 4,
                                      decode_test_quadrant_colours[3]);
    }

  /* No minimum: the full decode. */
  {
    g_autoptr(CsDecodedImage) image = cs_decode_file_for_size (path, 0, 0, &error);

    g_assert_no_error (error);
    assert_same_pixels (image, full);
  }
}

/* EXIF orientation applies to the reduced image; the original size is
 * reported upright (the header's size is the stored one). */
static void
test_for_size_orientation (TempFixture  *fixture,
                           gconstpointer data)
{
  const int w = 1600, h = 800;

  for (int o = 1; o <= 8; o++)
    {
      g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg_sized (o, w, h);
      g_autofree char *name = g_strdup_printf ("big-orientation-%d.jpg", o);
      g_autofree char *path = decode_test_write_temp (fixture, name, jpeg->data, jpeg->len);
      g_autoptr(CsDecodedImage) image = NULL;
      GError *error = NULL;

      image = cs_decode_file_for_size (path, 100, 0, &error);
      g_assert_no_error (error);
      g_test_message ("orientation %d: %dx%d of %dx%d", o, image->width, image->height,
                      image->orig_width, image->orig_height);
      g_assert_cmpint (image->scale_denom, ==, 8);
      g_assert_cmpint (image->width, ==, w / 8);
      g_assert_cmpint (image->height, ==, h / 8);
      g_assert_cmpint (image->orig_width, ==, w);
      g_assert_cmpint (image->orig_height, ==, h);
      for (int qy = 0; qy < 2; qy++)
        for (int qx = 0; qx < 2; qx++)
          {
            int x = (2 * qx + 1) * image->width / 4, y = (2 * qy + 1) * image->height / 4;

            decode_test_assert_colour_near (image, x, y,
                                            decode_test_upright_colour_in (x, y, image->width,
                                                                           image->height));
          }
    }
}

/* Small photos: full size, the same pixels as the exact path. */
static void
test_for_size_full_size (void)
{
  const char *files[] = { "rocket.jpg", "chelsea-exif6.jpg", "astronaut.png", "chelsea-alpha.png" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (decode_test_ref_dir, "images", files[i], NULL);
      g_autoptr(CsDecodedImage) full = NULL, fast = NULL;
      GError *error = NULL;

      full = cs_decode_file (path, 0, &error);
      g_assert_no_error (error);
      /* 448: the golden photos' short sides are below 896, so not even 1/2
       * applies (to JPEGs and PNGs alike; reduced PNGs: for-size/png) */
      fast = cs_decode_file_for_size (path, 448, 0, &error);
      g_assert_no_error (error);
      assert_same_pixels (fast, full);
      g_assert_cmpint (fast->orig_width, ==, full->width);
      g_assert_cmpint (fast->orig_height, ==, full->height);
      g_assert_cmpint (fast->nearest, ==, full->nearest);
    }
}

/* The pixel budget: a single-pass JPEG reduced at least to 1/2 may be up
 * to CS_DECODE_SCALED_JPEG_FACTOR times the limit; one decoded at full
 * size, or a progressive one, may not. */
static void
test_for_size_limits (TempFixture  *fixture,
                      gconstpointer data)
{
  g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg_sized (1, 2000, 1500); /* 3 MP */
  g_autofree char *path = decode_test_write_temp (fixture, "3mp.jpg", jpeg->data, jpeg->len);
  g_autofree char *progressive = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  gboolean patched = FALSE;

  image = cs_decode_file (path, 1000000, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  image = cs_decode_file_for_size (path, 100, 1000000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 250);
  g_assert_cmpint (image->height, ==, 188);
  g_assert_cmpint (image->orig_width, ==, 2000);
  g_clear_pointer (&image, cs_decoded_image_free);

  /* 1/2 is enough too; full size is not. */
  image = cs_decode_file_for_size (path, 750, 1000000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 1000);
  g_clear_pointer (&image, cs_decoded_image_free);
  image = cs_decode_file_for_size (path, 751, 1000000, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  decode_test_assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, "2000x1500"));
  g_assert_nonnull (strstr (error->message, "limit of 1000000 pixels"));
  g_clear_error (&error);

  /* Four times the limit, and no more. */
  image = cs_decode_file_for_size (path, 100, 750000, &error);
  g_assert_no_error (error);
  g_clear_pointer (&image, cs_decoded_image_free);
  image = cs_decode_file_for_size (path, 100, 749999, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "limit of 2999996 pixels"));
  g_clear_error (&error);

  /* The same header marked progressive (SOF2): libjpeg would keep every
   * coefficient, so the plain limit holds; refused before decoding. */
  for (guint i = 2; i + 1 < jpeg->len; i++)
    if (jpeg->data[i] == 0xff && jpeg->data[i + 1] == 0xc0)
      {
        jpeg->data[i + 1] = 0xc2;
        patched = TRUE;
        break;
      }
  g_assert_true (patched);
  progressive = decode_test_write_temp (fixture, "3mp-progressive.jpg", jpeg->data, jpeg->len);
  image = cs_decode_file_for_size (progressive, 100, 1000000, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "limit of 1000000 pixels"));
  g_clear_error (&error);
}

/* torchvision's Resize(edge): short side edge, long side int(edge * long / short). */
static void
torch_resized (int  w,
               int  h,
               int  edge,
               int *ow,
               int *oh)
{
  if (w <= h)
    *ow = edge, *oh = (int) ((gint64) edge * h / w);
  else
    *ow = (int) ((gint64) edge * w / h), *oh = edge;
}

/* The view of a reduced image resizes to the full image's size (so the
 * same crop window), though libjpeg rounds the reduced size up. */
static void
test_for_size_view (void)
{
  static const int edges[] = { 64, 224, 336 };
  /* room for the largest reduced image below: 4500 x 3000 at 1/2 */
  g_autofree guint8 *pixels = g_malloc (4500 * 3 * 3000);
  guint cases = 0, plain_differs = 0;
  double worst_off = 0.0, worst_shift = 0.0, worst_shift_2to1 = 0.0;

  for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
    for (int wo = 700; wo <= 9000; wo += 37)
      for (int ho = 700; ho <= 6000; ho += 53)
        {
          int se = edges[e], d = expected_denom (wo, ho, 2 * se);
          CsDecodedImage image = { 0 };
          clip_preprocess_params pp = { 0 };
          clip_image view;
          int want_w, want_h, got_w, got_h, plain_w, plain_h;

          if (d == 1)
            continue;
          image.pixels = pixels;
          image.width = ceil_div (wo, d);
          image.height = ceil_div (ho, d);
          image.stride = image.width * 3;
          image.channels = 3;
          image.orig_width = wo;
          image.orig_height = ho;
          image.scale_denom = d;
          pp.shortest_edge = se;
          pp.crop_width = pp.crop_height = se;
          pp.do_resize = pp.do_center_crop = pp.do_normalize = 1;

          view = cs_decoded_image_as_clip_for (&image, &pp);
          torch_resized (wo, ho, se, &want_w, &want_h);
          torch_resized (view.width, view.height, se, &got_w, &got_h);
          torch_resized (image.width, image.height, se, &plain_w, &plain_h);
          cases++;
          plain_differs += plain_w != want_w || plain_h != want_h;
          if (got_w != want_w || got_h != want_h)
            g_error ("%dx%d at 1/%d, edge %d: view %dx%d resizes to %dx%d, the full image to %dx%d",
                     wo, ho, d, se, view.width, view.height, got_w, got_h, want_w, want_h);
          g_assert_true (view.pixels >= pixels);
          g_assert_true (view.pixels + (gsize) (view.height - 1) * view.stride + view.width * 3 <=
                         pixels + (gsize) image.height * image.stride);
          g_assert_cmpint (view.stride, ==, image.stride);
          g_assert_cmpint (view.width, <=, image.width);
          g_assert_cmpint (view.height, <=, image.height);
          worst_off = MAX (worst_off, fabs ((double) view.width * d - wo) / d);
          worst_off = MAX (worst_off, fabs ((double) view.height * d - ho) / d);
          /* How far the crop's ends land from the full image's, in
           * resized pixels: resized coordinate p maps to source p * wo / want_w
           * (full image) and to d * (x0 + p * view.width / want_w) (view). */
          {
            gsize offset = (gsize) (view.pixels - pixels);
            int y0 = (int) (offset / image.stride), x0 = (int) (offset % image.stride) / 3;
            double ends[2][2] = { { (want_w - se) / 2.0, (want_w + se) / 2.0 },
                                  { (want_h - se) / 2.0, (want_h + se) / 2.0 } };

            for (int k = 0; k < 2; k++)
              {
                double px = ends[0][k], py = ends[1][k];
                double sx = fabs (d * (x0 + px * view.width / want_w) - px * wo / want_w) * want_w / wo;
                double sy = fabs (d * (y0 + py * view.height / want_h) - py * ho / want_h) * want_h / ho;

                worst_shift = MAX (worst_shift, MAX (sx, sy));
                if (MAX (wo, ho) <= 2 * MIN (wo, ho))
                  worst_shift_2to1 = MAX (worst_shift_2to1, MAX (sx, sy));
              }
          }
        }
  g_test_message ("%u reduced sizes: the whole reduced image would resize to another size "
                  "than the full image in %u; the views stay within %.3f reduced pixels "
                  "of the true reduced size; the crop moves by %.3f pixels at most, "
                  "%.3f for aspect ratios up to 2:1",
                  cases, plain_differs, worst_off, worst_shift, worst_shift_2to1);
  g_assert_cmpuint (cases, >, 1000);
  g_assert_cmpfloat (worst_shift, <, 0.5);

  /* Full size: the whole image. */
  {
    CsDecodedImage image = { .width = 640, .height = 427, .stride = 1920, .channels = 3,
                             .orig_width = 640, .orig_height = 427, .scale_denom = 1 };
    clip_preprocess_params pp = { .shortest_edge = 224, .crop_width = 224, .crop_height = 224,
                                  .do_resize = 1 };
    clip_image view = cs_decoded_image_as_clip_for (&image, &pp);

    g_assert_cmpint (view.width, ==, 640);
    g_assert_cmpint (view.height, ==, 427);
  }
}

/* A baseline greyscale JPEG of `width` x `height` (multiples of 8), every
 * block flat mid-grey, written directly: one-code Huffman tables ("0" is
 * DC difference 0 and end-of-block), two bits per block. */
static GByteArray *
make_flat_grey_jpeg (guint width,
                     guint height)
{
  GByteArray *jpeg = g_byte_array_new ();
  gsize blocks = (gsize) (width / 8) * (height / 8);
  gsize bytes = (blocks * 2 + 7) / 8;
  g_autofree guint8 *zeros = g_malloc0 (bytes);

  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd8", 2);            /* SOI */
  decode_test_append_unit_tables (jpeg);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xc0", 2);            /* SOF0 */
  decode_test_append_be16 (jpeg, 11);
  g_byte_array_append (jpeg, (const guint8 *) "\x08", 1);
  decode_test_append_be16 (jpeg, height);
  decode_test_append_be16 (jpeg, width);
  g_byte_array_append (jpeg, (const guint8 *) "\x01\x01\x11\x00", 4);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);            /* SOS */
  decode_test_append_be16 (jpeg, 8);
  g_byte_array_append (jpeg, (const guint8 *) "\x01\x01\x00\x00\x3f\x00", 6);
  g_byte_array_append (jpeg, zeros, (guint) bytes);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd9", 2);            /* EOI */
  return jpeg;
}

/* A 200-megapixel baseline JPEG: the exact path refuses it; the reduced
 * path decodes it at 1/8 in a few megabytes.  The peak resident size is
 * measured in a fresh process. */
#define BIG_W 16384
#define BIG_H 12288
#define BIG_RSS_BOUND_MB 64

static void
test_for_size_200_megapixels (void)
{
  if (g_test_subprocess ())
    {
      const char *path = g_getenv ("CS_TEST_BIG_JPEG");
      g_autofree char *small = g_build_filename (decode_test_ref_dir, "images", "rocket.jpg", NULL);
      g_autoptr(CsDecodedImage) warm = NULL, image = NULL;
      g_autofree char *report = NULL, *report_path = NULL;
      GError *error = NULL;
      long before, after;

      g_assert_nonnull (path);
      /* Load the JPEG module and its libraries first. */
      warm = cs_decode_file_for_size (small, 448, 0, &error);
      g_assert_no_error (error);
      before = decode_test_peak_rss_reset_kb ();
      image = cs_decode_file_for_size (path, 448, 0, &error);
      after = decode_test_peak_rss_kb ();
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, BIG_W / 8);
      g_assert_cmpint (image->height, ==, BIG_H / 8);
      g_assert_cmpint (image->orig_width, ==, BIG_W);
      g_assert_cmpint (image->orig_height, ==, BIG_H);
      decode_test_assert_pixel (image, 0, 0, 128, 128, 128);
      decode_test_assert_pixel (image, image->width - 1, image->height - 1, 128, 128, 128);
      report = g_strdup_printf ("%ld", after - before);
      report_path = g_strconcat (path, ".rss", NULL);
      g_file_set_contents (report_path, report, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (after - before, <, BIG_RSS_BOUND_MB * 1024);
      return;
    }

  {
    g_autofree char *dir = test_make_temp_dir ();
    g_autofree char *path = g_build_filename (dir, "200mp.jpg", NULL);
    g_autofree char *report_path = g_strconcat (path, ".rss", NULL);
    g_autofree char *report = NULL;
    g_autoptr(GByteArray) jpeg = make_flat_grey_jpeg (BIG_W, BIG_H);
    g_autoptr(CsDecodedImage) image = NULL;
    GError *error = NULL;

    g_file_set_contents (path, (const char *) jpeg->data, jpeg->len, &error);
    g_assert_no_error (error);

    image = cs_decode_file (path, 0, &error);
    g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
    g_clear_error (&error);

    g_setenv ("CS_TEST_BIG_JPEG", path, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv ("CS_TEST_BIG_JPEG");
    if (g_file_get_contents (report_path, &report, NULL, NULL))
      g_test_message ("%d x %d baseline JPEG (%u bytes) at 1/8: peak RSS grew by %.1f MB "
                      "(bound %d MB; the full RGB image alone would be %.0f MB)",
                      BIG_W, BIG_H, jpeg->len, g_ascii_strtod (report, NULL) / 1024,
                      BIG_RSS_BOUND_MB, (double) BIG_W * BIG_H * 3 / 1e6);
    test_rm_rf (dir);
    g_test_trap_assert_passed ();
  }
}

/* A WebP is reduced by libwebp's scaling decoder to libjpeg's sizes; the
 * exact path keeps it whole. */
static void
test_for_size_webp (TempFixture  *fixture,
                    gconstpointer data)
{
  g_autoptr(GByteArray) webp = decode_test_make_vp8l_webp (4000, 3000);
  g_autofree char *path = decode_test_write_temp (fixture, "4000x3000.webp", webp->data, webp->len);
  g_autoptr(CsDecodedImage) fast = NULL, full = NULL;
  GError *error = NULL;

  fast = cs_decode_file_for_size (path, 448, 0, &error);
  g_assert_no_error (error);
  /* 1/8 would leave a short side of 375 < 448 */
  g_assert_cmpint (fast->scale_denom, ==, 4);
  g_assert_cmpint (fast->width, ==, 1000);
  g_assert_cmpint (fast->height, ==, 750);
  g_assert_cmpint (fast->orig_width, ==, 4000);
  g_assert_cmpint (fast->orig_height, ==, 3000);
  decode_test_assert_pixel (fast, 500, 400, 0, 0, 0);

  full = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (full->scale_denom, ==, 1);
  g_assert_cmpint (full->width, ==, 4000);
}

/* The PNG reduced path: each d x d block averaged (rounded), computed
 * here by brute force on random pixels, for RGB, opaque RGBA and grey;
 * translucent RGBA, a colour key and a PNG under 4 megapixels take the
 * full path; a cut file is truncated. */
static void
test_for_size_png (TempFixture  *fixture,
                   gconstpointer data)
{
  enum { W = 2603, H = 1701, D = 8, MIN = 200, OW = (W + D - 1) / D, OH = (H + D - 1) / D };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *rgb = g_malloc ((gsize) W * H * 3);
  g_autofree guint8 *rgba = g_malloc ((gsize) W * H * 4);
  g_autofree guint8 *grey = g_malloc ((gsize) W * H);
  static const guint8 key[6] = { 0, 1, 0, 2, 0, 3 };

  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      for (int c = 0; c < 3; c++)
        rgb[i * 3 + c] = rgba[i * 4 + c] = (guint8) g_rand_int_range (rand, 0, 256);
      rgba[i * 4 + 3] = 255;
      grey[i] = rgb[i * 3];
    }
  for (int kind = 0; kind < 3; kind++)
    {
      g_autoptr(GByteArray) png = kind == 0 ? decode_test_make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, NULL, 0)
                                  : kind == 1 ? decode_test_make_png (W, H, 8, 6, rgba, W * 4, NULL, 0, NULL, 0)
                                  : decode_test_make_png (W, H, 8, 0, grey, W, NULL, 0, NULL, 0);
      g_autofree char *path = decode_test_write_temp (fixture, "blocks.png", png->data, png->len);
      g_autoptr(CsDecodedImage) image = NULL;
      GError *error = NULL;

      /* 1/8 leaves a short side of 213 >= 200 */
      image = cs_decode_file_for_size (path, MIN, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->scale_denom, ==, D);
      g_assert_cmpint (image->width, ==, OW);
      g_assert_cmpint (image->height, ==, OH);
      g_assert_cmpint (image->orig_width, ==, W);
      g_assert_cmpint (image->orig_height, ==, H);
      g_assert_cmpint (image->channels, ==, 3);
      for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++)
          for (int c = 0; c < 3; c++)
            {
              guint sum = 0, n = 0;

              for (int y = oy * D; y < MIN (H, oy * D + D); y++)
                for (int x = ox * D; x < MIN (W, ox * D + D); x++, n++)
                  sum += kind == 2 ? grey[(gsize) y * W + x] : rgb[((gsize) y * W + x) * 3 + c];
              g_assert_cmpint (image->pixels[(gsize) oy * image->stride + ox * 3 + c], ==, (sum + n / 2) / n);
            }
    }

  /* translucent, or a colour key: the full path, as GdkPixbuf decodes it */
  rgba[5 * 4 + 3] = 128;
  {
    g_autoptr(GByteArray) translucent = decode_test_make_png (W, H, 8, 6, rgba, W * 4, NULL, 0, NULL, 0);
    g_autoptr(GByteArray) keyed = decode_test_make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, key, sizeof key);
    g_autoptr(GByteArray) small = decode_test_make_png (300, 200, 8, 2, rgb, 300 * 3, NULL, 0, NULL, 0);
    g_autofree char *p1 = decode_test_write_temp (fixture, "translucent.png", translucent->data, translucent->len);
    g_autofree char *p2 = decode_test_write_temp (fixture, "keyed.png", keyed->data, keyed->len);
    g_autofree char *p4 = decode_test_write_temp (fixture, "small.png", small->data, small->len);
    g_autoptr(CsDecodedImage) a = NULL, b = NULL, c = NULL;
    g_autoptr(GByteArray) cut = NULL;
    g_autofree char *p3 = NULL;
    GError *error = NULL;

    a = cs_decode_file_for_size (p1, MIN, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (a->scale_denom, ==, 1);
    g_assert_cmpint (a->width, ==, W);
    g_assert_cmpint (a->channels, ==, 4);
    b = cs_decode_file_for_size (p2, MIN, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (b->scale_denom, ==, 1);
    g_assert_cmpint (b->width, ==, W);
    /* under 4 megapixels: the exact decode, even where 1/8 would do */
    c = cs_decode_file_for_size (p4, 20, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (c->scale_denom, ==, 1);
    g_assert_cmpint (c->width, ==, 300);

    /* cut in the middle of the image data */
    cut = decode_test_make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, NULL, 0);
    p3 = decode_test_write_temp (fixture, "cut.png", cut->data, cut->len / 2);
    g_assert_null (cs_decode_file_for_size (p3, MIN, 0, &error));
    g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
    decode_test_assert_error_names_file (error, p3);
    g_clear_error (&error);
  }
}

/* A 24-megapixel PNG on the reduced path holds a few megabytes, where
 * GdkPixbuf's loader held the whole 72 MB image. */
static void
test_for_size_png_memory (TempFixture  *fixture,
                          gconstpointer data)
{
  g_autofree char *path = decode_test_save_flat_png (fixture->dir, "24mp.png", 6000, 4000);
  g_autofree char *warm = decode_test_save_flat_png (fixture->dir, "small.png", 64, 48);
  ChildDecode r;

  decode_test_in_child_for_size (path, warm, 0, FALSE, 448, &r);
  g_assert_true (r.decoded);
  g_assert_cmpint (r.growth_kb, <, 24 * 1024);
}

/* cs_decode_estimate_bytes(), against sizes computed by hand. */
static void
test_estimate_bytes (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autoptr(GByteArray) png = decode_test_make_png (1000, 800, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autoptr(GByteArray) bomb = decode_test_make_png (100000, 100000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autoptr(GByteArray) webp = decode_test_make_vp8l_webp (4000, 3000);
  g_autoptr(GByteArray) jpeg = make_flat_grey_jpeg (4096, 3072);
  g_autofree char *png_path = decode_test_write_temp (fixture, "a.png", png->data, png->len);
  g_autoptr(GByteArray) big_png = decode_test_make_png (2500, 2000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autofree char *big_png_path = decode_test_write_temp (fixture, "big.png", big_png->data, big_png->len);
  g_autofree char *bomb_path = decode_test_write_temp (fixture, "bomb.png", bomb->data, bomb->len);
  g_autofree char *webp_path = decode_test_write_temp (fixture, "a.webp", webp->data, webp->len);
  g_autofree char *jpeg_path = decode_test_write_temp (fixture, "a.jpg", jpeg->data, jpeg->len);
  g_autofree char *prog_path = NULL;
  g_autofree char *text_path = decode_test_write_temp (fixture, "text.jpg", (const guint8 *) "hello", 5);
  g_autofree char *empty_path = decode_test_write_temp (fixture, "empty.jpg", (const guint8 *) "", 0);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.jpg", NULL);
  const guint64 unknown = CS_DECODE_MAX_PIXELS * 4;
  gboolean patched = FALSE;

  /* RGBA plus an RGB copy; 1/2 would leave a short side of 400 < 448 */
  g_assert_cmpuint (cs_decode_estimate_bytes (png_path, 0), ==, 1000 * 800 * 7);
  g_assert_cmpuint (cs_decode_estimate_bytes (png_path, 448), ==, 1000 * 800 * 7);
  /* under 4 megapixels: the full decode even where 1/2 would do */
  g_assert_cmpuint (cs_decode_estimate_bytes (png_path, 400), ==, 1000 * 800 * 7);
  /* reduced row by row at 1/2: the RGB output, a row, the block sums */
  g_assert_cmpuint (cs_decode_estimate_bytes (big_png_path, 1000), ==, 1250 * 1000 * 3 + 2500 * (4 + 6));
  /* refused from the header, missing, empty: nothing is decoded */
  g_assert_cmpuint (cs_decode_estimate_bytes (bomb_path, 0), ==, 0);
  g_assert_cmpuint (cs_decode_estimate_bytes (missing, 0), ==, 0);
  g_assert_cmpuint (cs_decode_estimate_bytes (empty_path, 0), ==, 0);
  /* no format known: whatever a loader may hold within the limit */
  g_assert_cmpuint (cs_decode_estimate_bytes (text_path, 0), ==, unknown);
  /* the file, and RGBA at full size or at 1/4 */
  g_assert_cmpuint (cs_decode_estimate_bytes (webp_path, 0), ==, webp->len + 4000 * 3000 * 4);
  g_assert_cmpuint (cs_decode_estimate_bytes (webp_path, 448), ==, webp->len + 1000 * 750 * 4);
  /* a baseline JPEG: RGB output and a rotated copy, at 1/1 or 1/4 */
  g_assert_cmpuint (cs_decode_estimate_bytes (jpeg_path, 0), ==, 2 * 4096 * 3072 * 3);
  g_assert_cmpuint (cs_decode_estimate_bytes (jpeg_path, 448), ==, 2 * 1024 * 768 * 3);
  /* progressive (SOF2): libjpeg also keeps every coefficient, 128 bytes
   * per 8 x 8 block of the one component, whatever the output scale */
  for (guint i = 2; i + 1 < jpeg->len; i++)
    if (jpeg->data[i] == 0xff && jpeg->data[i + 1] == 0xc0)
      {
        jpeg->data[i + 1] = 0xc2;
        patched = TRUE;
        break;
      }
  g_assert_true (patched);
  prog_path = decode_test_write_temp (fixture, "prog.jpg", jpeg->data, jpeg->len);
  g_assert_cmpuint (cs_decode_estimate_bytes (prog_path, 448), ==,
                    2 * 1024 * 768 * 3 + (4096 / 8) * (3072 / 8) * 128);
}

void
decode_test_add_reduced (void)
{
  DECODE_TEST_ADD ("for-size/range", test_for_size_range);
  DECODE_TEST_ADD ("for-size/orientation", test_for_size_orientation);
  g_test_add_func ("/library/decode/for-size/full-size", test_for_size_full_size);
  g_test_add_func ("/library/decode/for-size/view", test_for_size_view);
  DECODE_TEST_ADD ("for-size/limits", test_for_size_limits);
  g_test_add_func ("/library/decode/for-size/200-megapixels", test_for_size_200_megapixels);
  DECODE_TEST_ADD ("for-size/webp", test_for_size_webp);
  DECODE_TEST_ADD ("for-size/png", test_for_size_png);
  DECODE_TEST_ADD ("for-size/png-memory", test_for_size_png_memory);
  DECODE_TEST_ADD ("estimate-bytes", test_estimate_bytes);
}
