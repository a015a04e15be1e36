/* test-preprocess.c - clip_preprocess() against hand-computed answers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No decoding here: every image is a byte array written in the test.  The
 * expected resampled values were worked out by hand from Pillow's
 * algorithm (the weights are in the comments) and agree with Pillow 9.4's
 * Image.resize (BICUBIC / NEAREST).  The golden comparison on real photos
 * lives in tests/library/test-decode.c.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "clip.h"

static const float clip_mean[3] = { 0.48145466f, 0.4578275f, 0.40821073f };
static const float clip_std[3] = { 0.26862954f, 0.26130258f, 0.27577711f };

static clip_preprocess_params
params_new (int shortest_edge,
            int crop_width,
            int crop_height)
{
  clip_preprocess_params pp = { 0 };

  pp.shortest_edge = shortest_edge;
  pp.crop_width = crop_width;
  pp.crop_height = crop_height;
  pp.do_resize = pp.do_center_crop = pp.do_normalize = 1;
  pp.rescale_factor = 1.0f / 255.0f;
  memcpy (pp.mean, clip_mean, sizeof pp.mean);
  memcpy (pp.std, clip_std, sizeof pp.std);
  return pp;
}

static clip_image
image_new (const guint8     *pixels,
           int               width,
           int               height,
           clip_pixel_format format)
{
  clip_image image = { pixels, width, height, width * (int) format, format, 0 };

  return image;
}

/* What torchvision makes of 8-bit value v in channel c: ToTensor's v / 255
 * then Normalize's (x - mean) / std, each rounded to float32. */
static float
normalised (const clip_preprocess_params *pp,
            int                           c,
            guint8                        v)
{
  volatile float x = (float) v / 255.0f;
  volatile float d = x - pp->mean[c];

  return d / pp->std[c];
}

static float *
run (const clip_preprocess_params *pp,
     const clip_image             *image)
{
  float *out = g_new (float, 3 * (gsize) pp->crop_width * pp->crop_height);
  char *error = NULL;
  clip_status status;

  status = clip_preprocess (pp, image, out, &error);
  if (status != CLIP_STATUS_OK)
    g_error ("clip_preprocess: %s", error);
  g_assert_null (error);
  return out;
}

/* out[c][y][x] must be exactly the normalised `rgb` value. */
static void
assert_pixel (const clip_preprocess_params *pp,
              const float                  *out,
              int                           x,
              int                           y,
              guint8                        r,
              guint8                        g,
              guint8                        b)
{
  const guint8 rgb[3] = { r, g, b };
  gsize plane = (gsize) pp->crop_width * pp->crop_height;

  for (int c = 0; c < 3; c++)
    {
      float got = out[c * plane + (gsize) y * pp->crop_width + x];
      float want = normalised (pp, c, rgb[c]);

      if (got != want)
        g_error ("pixel (%d, %d) channel %d: got %.9g, want %.9g (value %d)",
                 x, y, c, got, want, rgb[c]);
    }
}

static void
assert_grey_row (const clip_preprocess_params *pp,
                 const float                  *out,
                 int                           y,
                 const guint8                 *values)
{
  for (int x = 0; x < pp->crop_width; x++)
    assert_pixel (pp, out, x, y, values[x], values[x], values[x]);
}

static void
fill_random (guint8 *p,
             gsize   n)
{
  for (gsize i = 0; i < n; i++)
    p[i] = (guint8) g_test_rand_int_range (0, 256);
}

/* ---- no resampling ---------------------------------------------------- */

/* An image already at the crop size is not resampled: each value is
 * normalised exactly, laid out C x H x W. */
static void
test_identity (void)
{
  clip_preprocess_params pp = params_new (6, 8, 6);
  guint8 pixels[8 * 6 * 3];
  clip_image image = image_new (pixels, 8, 6, CLIP_PIXELS_RGB8);
  g_autofree float *out = NULL;

  fill_random (pixels, sizeof pixels);
  out = run (&pp, &image);
  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 8; x++)
      {
        const guint8 *p = pixels + (y * 8 + x) * 3;

        assert_pixel (&pp, out, x, y, p[0], p[1], p[2]);
      }
}

/* Every 8-bit value in every channel, through a 256 x 1 ramp. */
static void
test_identity_all_values (void)
{
  clip_preprocess_params pp = params_new (1, 256, 1);
  guint8 pixels[256 * 3];
  clip_image image = image_new (pixels, 256, 1, CLIP_PIXELS_RGB8);
  g_autofree float *out = NULL;

  for (int v = 0; v < 256; v++)
    {
      pixels[3 * v] = (guint8) v;
      pixels[3 * v + 1] = (guint8) (255 - v);
      pixels[3 * v + 2] = (guint8) (v * 7);
    }
  out = run (&pp, &image);
  for (int v = 0; v < 256; v++)
    assert_pixel (&pp, out, v, 0, (guint8) v, (guint8) (255 - v), (guint8) (v * 7));
  /* Spot values: (0 - mean) / std and (1 - mean) / std. */
  g_assert_cmpfloat (fabs (out[0] - (-0.48145466 / 0.26862954)), <, 1e-6);
  g_assert_cmpfloat (fabs (out[256] - ((1 - 0.4578275) / 0.26130258)), <, 1e-6);
}

/* When the short side already is shortest_edge, Pillow is not called to
 * resample: the crop is a plain copy (offset (300 - 224) / 2 = 38), and
 * RGBA is not premultiplied (which would lose precision). */
static void
test_no_resample_copy (void)
{
  clip_preprocess_params pp = params_new (224, 224, 224);
  g_autofree guint8 *pixels = g_malloc (300 * 224 * 4);
  clip_image image = image_new (pixels, 300, 224, CLIP_PIXELS_RGBA8);
  g_autofree float *out = NULL;

  fill_random (pixels, 300 * 224 * 4);
  out = run (&pp, &image);
  for (int y = 0; y < 224; y++)
    for (int x = 0; x < 224; x++)
      {
        const guint8 *p = pixels + ((gsize) y * 300 + x + 38) * 4;

        assert_pixel (&pp, out, x, y, p[0], p[1], p[2]);
      }
}

/* ---- bicubic, worked by hand ---------------------------------------- */

/* 2 x 1 grey -> 4 x 2 (shortest_edge 2).  Upscaling: support 2, taps
 * k((j - center + 0.5)), center = (i + 0.5) / 2, k(0.25) = 0.8671875,
 * k(0.75) = 0.2265625, k(1.25) = -0.0703125.  Normalised weights:
 *   i = 0: 1.0882353, -0.0882353    i = 1: 0.7928571, 0.2071429
 *   i = 2: 0.2071429, 0.7928571     i = 3: -0.0882353, 1.0882353
 * [100, 200] -> 91.18, 120.71, 179.29, 208.82 -> 91, 121, 179, 209.
 * [0, 255] -> -22.5, 52.8, 202.2, 277.5 -> clamped 0, 53, 202, 255.
 * The vertical 1 -> 2 pass has one tap of weight 1: rows repeat. */
static void
test_bicubic_upscale (void)
{
  clip_preprocess_params pp = params_new (2, 4, 2);
  const guint8 a[2] = { 100, 200 }, b[2] = { 0, 255 };
  const guint8 want_a[4] = { 91, 121, 179, 209 }, want_b[4] = { 0, 53, 202, 255 };
  clip_image image = image_new (a, 2, 1, CLIP_PIXELS_GRAY8);
  g_autofree float *out_a = NULL, *out_b = NULL;

  out_a = run (&pp, &image);
  assert_grey_row (&pp, out_a, 0, want_a);
  assert_grey_row (&pp, out_a, 1, want_a);

  image.pixels = b;
  out_b = run (&pp, &image);
  assert_grey_row (&pp, out_b, 0, want_b);
  assert_grey_row (&pp, out_b, 1, want_b);
}

/* 4 x 2 grey -> 2 x 1 (shortest_edge 1).  Downscaling by 2: support 4,
 * weights k((j - center + 0.5) / 2).  Horizontal, i = 0 (center 1):
 * k(-0.25), k(0.25), k(0.75), k(1.25) normalised = 0.4586777, 0.4586777,
 * 0.1198347, -0.0371901; i = 1 mirrors it.  Row [0, 100, 200, 255] gives
 * 60.35 -> 60 and 220.68 -> 221; row [50 x 4] stays 50.  Vertical, center
 * 1: k(-0.25), k(0.25): 0.5 each, so (60 + 50 + 1) / 2 = 55 and
 * (221 + 50 + 1) / 2 = 136, using the 8-bit intermediate. */
static void
test_bicubic_downscale (void)
{
  clip_preprocess_params pp = params_new (1, 2, 1);
  const guint8 pixels[8] = { 0, 100, 200, 255, 50, 50, 50, 50 };
  const guint8 want[2] = { 55, 136 };
  clip_image image = image_new (pixels, 4, 2, CLIP_PIXELS_GRAY8);
  g_autofree float *out = NULL;

  out = run (&pp, &image);
  assert_grey_row (&pp, out, 0, want);
}

/* A constant image stays constant: the fixed-point weights sum to 2^22
 * within far less than half a level. */
static void
test_constant (void)
{
  static const struct {
    int w, h, se, cw, ch;
  } cases[] = {
    { 37, 23, 10, 9, 8 },      /* downscale */
    { 5, 3, 224, 224, 224 },   /* large upscale */
    { 640, 427, 224, 224, 224 },
    { 1411, 1411, 224, 224, 224 },
    { 3000, 7, 5, 5, 5 },      /* scale 1.4 and 600 */
    { 1, 1, 3, 3, 3 },
  };
  const guint8 colour[4] = { 13, 200, 77, 255 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int f = 0; f < 3; f++)
      {
        clip_pixel_format format = (clip_pixel_format[]) { CLIP_PIXELS_GRAY8, CLIP_PIXELS_RGB8,
                                                           CLIP_PIXELS_RGBA8 }[f];
        clip_preprocess_params pp = params_new (cases[i].se, cases[i].cw, cases[i].ch);
        gsize n = (gsize) cases[i].w * cases[i].h;
        g_autofree guint8 *pixels = g_malloc (n * format);
        clip_image image = image_new (pixels, cases[i].w, cases[i].h, format);
        g_autofree float *out = NULL;

        for (gsize p = 0; p < n; p++)
          memcpy (pixels + p * format, format == CLIP_PIXELS_GRAY8 ? colour + 1 : colour, format);
        out = run (&pp, &image);
        for (int y = 0; y < pp.crop_height; y++)
          for (int x = 0; x < pp.crop_width; x++)
            if (format == CLIP_PIXELS_GRAY8)
              assert_pixel (&pp, out, x, y, colour[1], colour[1], colour[1]);
            else
              assert_pixel (&pp, out, x, y, colour[0], colour[1], colour[2]);
      }
}

/* ---- modes ---------------------------------------------------------- */

/* RGBA is resampled premultiplied.  2 x 1: opaque grey 100 and a fully
 * transparent white.  Premultiplied colour [100, 0], alpha [255, 0], with
 * the upscale weights above: colour 109, 79, 21, 0 (clamped), alpha 255,
 * 202, 53, 0; unpremultiplied 109, 255 * 79 / 202 = 99, 255 * 21 / 53 =
 * 101, 0.  The transparent white comes out black. */
static void
test_alpha_premultiplied (void)
{
  clip_preprocess_params pp = params_new (2, 4, 2);
  const guint8 pixels[8] = { 100, 100, 100, 255, 255, 255, 255, 0 };
  const guint8 want[4] = { 109, 99, 101, 0 };
  clip_image image = image_new (pixels, 2, 1, CLIP_PIXELS_RGBA8);
  g_autofree float *out = NULL;

  out = run (&pp, &image);
  assert_grey_row (&pp, out, 0, want);
  assert_grey_row (&pp, out, 1, want);
}

/* Partial alpha loses precision in the round trip, as in Pillow:
 * (200, 100, 50) at alpha 128 premultiplies to (100, 50, 25) and comes
 * back as 255 * c' / 128 = (199, 99, 49). */
static void
test_alpha_round_trip (void)
{
  clip_preprocess_params pp = params_new (2, 3, 2);
  guint8 pixels[5 * 3 * 4];
  clip_image image = image_new (pixels, 5, 3, CLIP_PIXELS_RGBA8);
  g_autofree float *out = NULL;

  for (int p = 0; p < 15; p++)
    memcpy (pixels + 4 * p, (const guint8[]) { 200, 100, 50, 128 }, 4);
  out = run (&pp, &image);
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 3; x++)
      assert_pixel (&pp, out, x, y, 199, 99, 49);
}

static void
assert_floats_equal (const float *a,
                     const float *b,
                     gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (a[i] != b[i])
      g_error ("element %" G_GSIZE_FORMAT ": %.9g != %.9g", i, a[i], b[i]);
}

static void
test_rgba_opaque_equals_rgb (void)
{
  clip_preprocess_params pp = params_new (10, 9, 8);
  guint8 rgb[37 * 23 * 3], rgba[37 * 23 * 4];
  clip_image a = image_new (rgb, 37, 23, CLIP_PIXELS_RGB8);
  clip_image b = image_new (rgba, 37, 23, CLIP_PIXELS_RGBA8);
  g_autofree float *out_a = NULL, *out_b = NULL;

  fill_random (rgb, sizeof rgb);
  for (int p = 0; p < 37 * 23; p++)
    {
      memcpy (rgba + 4 * p, rgb + 3 * p, 3);
      rgba[4 * p + 3] = 255;
    }
  out_a = run (&pp, &a);
  out_b = run (&pp, &b);
  assert_floats_equal (out_a, out_b, 3 * 9 * 8);
}

static void
test_gray_equals_rgb (void)
{
  clip_preprocess_params pp = params_new (12, 12, 12);
  guint8 grey[31 * 45], rgb[31 * 45 * 3];
  clip_image a = image_new (grey, 31, 45, CLIP_PIXELS_GRAY8);
  clip_image b = image_new (rgb, 31, 45, CLIP_PIXELS_RGB8);
  g_autofree float *out_a = NULL, *out_b = NULL;

  fill_random (grey, sizeof grey);
  for (int p = 0; p < 31 * 45; p++)
    rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
  out_a = run (&pp, &a);
  out_b = run (&pp, &b);
  assert_floats_equal (out_a, out_b, 3 * 12 * 12);
}

/* Rows may be padded; the padding is never read. */
static void
test_stride (void)
{
  clip_preprocess_params pp = params_new (7, 7, 7);
  guint8 packed[19 * 11 * 3], padded[11 * 64];
  clip_image a = image_new (packed, 19, 11, CLIP_PIXELS_RGB8);
  clip_image b = image_new (padded, 19, 11, CLIP_PIXELS_RGB8);
  g_autofree float *out_a = NULL, *out_b = NULL;

  fill_random (packed, sizeof packed);
  fill_random (padded, sizeof padded);
  for (int y = 0; y < 11; y++)
    memcpy (padded + y * 64, packed + y * 19 * 3, 19 * 3);
  b.stride = 64;
  out_a = run (&pp, &a);
  out_b = run (&pp, &b);
  assert_floats_equal (out_a, out_b, 3 * 7 * 7);
}

/* Pillow's NEAREST resize for palette sources: the source coordinate
 * starts at scale / 2 and grows by `scale` per pixel.  4 x 4 -> 2 x 2:
 * scale 2, sources 1 and 3.  2 x 2 -> 3 x 3: scale 2/3, positions 1/3,
 * 1 (the running sum rounds to exactly 1.0), 5/3 -> 0, 1, 1. */
static void
test_nearest (void)
{
  clip_preprocess_params down = params_new (2, 2, 2), up = params_new (3, 3, 3);
  guint8 ramp[16];
  const guint8 quad[4] = { 0, 1, 2, 3 };
  const guint8 want_down[2][2] = { { 5, 7 }, { 13, 15 } };
  const guint8 want_up[3][3] = { { 0, 1, 1 }, { 2, 3, 3 }, { 2, 3, 3 } };
  clip_image image = image_new (ramp, 4, 4, CLIP_PIXELS_GRAY8);
  g_autofree float *out_down = NULL, *out_up = NULL;

  for (int i = 0; i < 16; i++)
    ramp[i] = (guint8) i;
  image.nearest = 1;
  out_down = run (&down, &image);
  for (int y = 0; y < 2; y++)
    assert_grey_row (&down, out_down, y, want_down[y]);

  image = image_new (quad, 2, 2, CLIP_PIXELS_GRAY8);
  image.nearest = 1;
  out_up = run (&up, &image);
  for (int y = 0; y < 3; y++)
    assert_grey_row (&up, out_up, y, want_up[y]);
}

/* Nearest on RGBA (a palette with transparency): channels are taken as
 * they are, not premultiplied, and alpha is dropped. */
static void
test_nearest_rgba (void)
{
  clip_preprocess_params pp = params_new (1, 1, 1);
  const guint8 pixels[4 * 4] = {
    1, 2, 3, 0,      9, 9, 9, 9,
    9, 9, 9, 9,      200, 150, 100, 0,
  };
  clip_image image = image_new (pixels, 2, 2, CLIP_PIXELS_RGBA8);
  g_autofree float *out = NULL;

  /* 2 x 2 -> 1 x 1: scale 2, source (1, 1). */
  image.nearest = 1;
  out = run (&pp, &image);
  assert_pixel (&pp, out, 0, 0, 200, 150, 100);
}

/* ---- crop and padding ------------------------------------------------ */

/* Python's round() is half to even: offset 54.5 -> 54, 55.5 -> 56
 * horizontally, 50.5 -> 50, 51.5 -> 52 vertically.  do_resize is off so
 * the sizes are exactly those; pixel values are their coordinates. */
static void
test_crop_half_even (void)
{
  static const struct {
    int w, h, left, top;
  } cases[] = {
    { 8 + 109, 4, 54, 0 },
    { 8 + 111, 4, 56, 0 },
    { 8, 4 + 101, 0, 50 },
    { 8, 4 + 103, 0, 52 },
    { 8 + 3, 4 + 3, 2, 2 },    /* 1.5 -> 2 */
    { 8 + 1, 4 + 1, 0, 0 },    /* 0.5 -> 0 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      clip_preprocess_params pp = params_new (0, 8, 4);
      g_autofree guint8 *pixels = g_malloc ((gsize) cases[i].w * cases[i].h * 3);
      clip_image image = image_new (pixels, cases[i].w, cases[i].h, CLIP_PIXELS_RGB8);
      g_autofree float *out = NULL;

      pp.do_resize = 0;
      for (int y = 0; y < cases[i].h; y++)
        for (int x = 0; x < cases[i].w; x++)
          {
            guint8 *p = pixels + ((gsize) y * cases[i].w + x) * 3;

            p[0] = (guint8) x, p[1] = (guint8) y, p[2] = 7;
          }
      out = run (&pp, &image);
      for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++)
          assert_pixel (&pp, out, x, y, (guint8) (x + cases[i].left),
                        (guint8) (y + cases[i].top), 7);
    }
}

/* An image smaller than the crop is padded with black, (crop - size) // 2
 * before and the rest after, as torchvision's center_crop does. */
static void
test_crop_padding (void)
{
  clip_preprocess_params pp = params_new (0, 5, 4);
  const guint8 pixels[2 * 1 * 3] = { 10, 20, 30, 40, 50, 60 };
  clip_image image = image_new (pixels, 2, 1, CLIP_PIXELS_RGB8);
  g_autofree float *out = NULL;

  /* 2 x 1 in 5 x 4: left (5 - 2) // 2 = 1, top (4 - 1) // 2 = 1. */
  pp.do_resize = 0;
  out = run (&pp, &image);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 5; x++)
      {
        if (y == 1 && x == 1)
          assert_pixel (&pp, out, x, y, 10, 20, 30);
        else if (y == 1 && x == 2)
          assert_pixel (&pp, out, x, y, 40, 50, 60);
        else
          assert_pixel (&pp, out, x, y, 0, 0, 0);
      }
}

/* The crop larger than shortest_edge pads the resized image on the short
 * axis only and crops the long one. */
static void
test_crop_padding_after_resize (void)
{
  clip_preprocess_params pp = params_new (2, 3, 4);
  guint8 pixels[6 * 2];
  clip_image image = image_new (pixels, 6, 2, CLIP_PIXELS_GRAY8);
  g_autofree float *out = NULL;

  /* 6 x 2 is already short side 2: no resampling.  Width: offset
   * round((6 - 3) / 2) = round(1.5) = 2; height: pad (4 - 2) // 2 = 1. */
  for (int i = 0; i < 12; i++)
    pixels[i] = (guint8) (10 * i);
  out = run (&pp, &image);
  for (int x = 0; x < 3; x++)
    {
      assert_pixel (&pp, out, x, 0, 0, 0, 0);
      assert_pixel (&pp, out, x, 1, pixels[x + 2], pixels[x + 2], pixels[x + 2]);
      assert_pixel (&pp, out, x, 2, pixels[6 + x + 2], pixels[6 + x + 2], pixels[6 + x + 2]);
      assert_pixel (&pp, out, x, 3, 0, 0, 0);
    }
}

/* A panorama whose resized long side is in the millions: only the crop
 * window is computed. */
static void
test_extreme_aspect (void)
{
  clip_preprocess_params pp = params_new (224, 224, 224);
  const int h = 20000;
  g_autofree guint8 *pixels = g_malloc (h * 3);
  clip_image image = image_new (pixels, 1, h, CLIP_PIXELS_RGB8);
  g_autofree float *out = NULL;

  memset (pixels, 99, h * 3);
  out = run (&pp, &image);   /* resized 224 x 4,480,000 */
  assert_pixel (&pp, out, 0, 0, 99, 99, 99);
  assert_pixel (&pp, out, 223, 223, 99, 99, 99);
}

/* ---- flags ---------------------------------------------------------- */

static void
test_flags (void)
{
  const guint8 pixels[2 * 2 * 3] = { 0, 1, 2, 51, 102, 255, 128, 64, 32, 7, 8, 9 };
  clip_image image = image_new (pixels, 2, 2, CLIP_PIXELS_RGB8);
  clip_preprocess_params pp = params_new (2, 2, 2);
  g_autofree float *out = NULL, *out_half = NULL;
  float buf[12];
  char *error = NULL;

  /* No normalisation: v / 255 (a true division, as torchvision's). */
  pp.do_normalize = 0;
  out = run (&pp, &image);
  for (int i = 0; i < 4; i++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat (out[c * 4 + i], ==, (float) pixels[3 * i + c] / 255.0f);

  /* Another rescale factor multiplies. */
  pp.rescale_factor = 0.5f;
  out_half = run (&pp, &image);
  for (int i = 0; i < 4; i++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat (out_half[c * 4 + i], ==, pixels[3 * i + c] * 0.5f);

  /* Without a centre crop the image must already have the crop size. */
  pp = params_new (2, 2, 2);
  pp.do_center_crop = 0;
  g_assert_cmpint (clip_preprocess (&pp, &image, buf, &error), ==, CLIP_STATUS_OK);
  g_assert_null (error);
  pp.shortest_edge = 3;
  g_assert_cmpint (clip_preprocess (&pp, &image, buf, &error), ==, CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (error);
  g_test_message ("%s", error);
  clip_free (error);
}

/* ---- errors --------------------------------------------------------- */

static void
assert_invalid (const clip_preprocess_params *pp,
                const clip_image             *image,
                float                        *out)
{
  char *error = NULL;

  g_assert_cmpint (clip_preprocess (pp, image, out, &error), ==, CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (error);
  g_assert_null (strchr (error, '\n'));
  g_test_message ("%s", error);
  clip_free (error);
  /* A NULL error pointer is fine too. */
  g_assert_cmpint (clip_preprocess (pp, image, out, NULL), ==, CLIP_STATUS_INVALID_ARGUMENT);
}

static void
test_errors (void)
{
  const guint8 pixels[4 * 4 * 4] = { 0 };
  const clip_preprocess_params good = params_new (2, 2, 2);
  const clip_image good_image = image_new (pixels, 4, 4, CLIP_PIXELS_RGB8);
  float out[3 * 2 * 2];
  clip_preprocess_params pp;
  clip_image image;

  assert_invalid (NULL, &good_image, out);
  assert_invalid (&good, NULL, out);
  assert_invalid (&good, &good_image, NULL);

  image = good_image, image.pixels = NULL;
  assert_invalid (&good, &image, out);
  image = good_image, image.width = 0;
  assert_invalid (&good, &image, out);
  image = good_image, image.height = -1;
  assert_invalid (&good, &image, out);
  image = good_image, image.stride = 11;   /* < 4 * 3 */
  assert_invalid (&good, &image, out);
  image = good_image, image.format = 2;
  assert_invalid (&good, &image, out);
  image = good_image, image.format = 0;
  assert_invalid (&good, &image, out);
  image = good_image, image.width = G_MAXINT / 2, image.stride = G_MAXINT;
  assert_invalid (&good, &image, out);     /* width * 3 overflows int */

  pp = good, pp.crop_width = 0;
  assert_invalid (&pp, &good_image, out);
  pp = good, pp.crop_height = -3;
  assert_invalid (&pp, &good_image, out);
  pp = good, pp.shortest_edge = 0;
  assert_invalid (&pp, &good_image, out);
  pp = good, pp.std[1] = 0.0f;
  assert_invalid (&pp, &good_image, out);
  pp = good, pp.mean[2] = NAN;
  assert_invalid (&pp, &good_image, out);
  pp = good, pp.rescale_factor = INFINITY;
  assert_invalid (&pp, &good_image, out);

  /* The resized long side would not fit in an int: 1 x 10000 with a
   * short side of 10^6 is 10^6 x 10^10. */
  pp = good, pp.shortest_edge = 1000000;
  image = good_image, image.width = 1, image.height = 4, image.stride = 3;
  pp.crop_width = pp.crop_height = 1;
  image.height = 10000;
  {
    g_autofree guint8 *tall = g_malloc0 (10000 * 3);

    image.pixels = tall;
    assert_invalid (&pp, &image, out);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/preprocess/identity", test_identity);
  g_test_add_func ("/engine/preprocess/identity-all-values", test_identity_all_values);
  g_test_add_func ("/engine/preprocess/no-resample-copy", test_no_resample_copy);
  g_test_add_func ("/engine/preprocess/bicubic-upscale", test_bicubic_upscale);
  g_test_add_func ("/engine/preprocess/bicubic-downscale", test_bicubic_downscale);
  g_test_add_func ("/engine/preprocess/constant", test_constant);
  g_test_add_func ("/engine/preprocess/alpha-premultiplied", test_alpha_premultiplied);
  g_test_add_func ("/engine/preprocess/alpha-round-trip", test_alpha_round_trip);
  g_test_add_func ("/engine/preprocess/rgba-opaque-equals-rgb", test_rgba_opaque_equals_rgb);
  g_test_add_func ("/engine/preprocess/gray-equals-rgb", test_gray_equals_rgb);
  g_test_add_func ("/engine/preprocess/stride", test_stride);
  g_test_add_func ("/engine/preprocess/nearest", test_nearest);
  g_test_add_func ("/engine/preprocess/nearest-rgba", test_nearest_rgba);
  g_test_add_func ("/engine/preprocess/crop-half-even", test_crop_half_even);
  g_test_add_func ("/engine/preprocess/crop-padding", test_crop_padding);
  g_test_add_func ("/engine/preprocess/crop-padding-after-resize", test_crop_padding_after_resize);
  g_test_add_func ("/engine/preprocess/extreme-aspect", test_extreme_aspect);
  g_test_add_func ("/engine/preprocess/flags", test_flags);
  g_test_add_func ("/engine/preprocess/errors", test_errors);

  return g_test_run ();
}
