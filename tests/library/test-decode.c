/* test-decode.c - decoding image files for the engine (cs-decode.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The golden test decodes every image of ../shared's clip-reference set and
 * preprocesses it with the tiny model's preprocessor_config.json; the
 * result must match the reference tensors (README tolerances: per image
 * max |d| <= 0.02 and mean |d| <= 0.002; a faithful port gets 0).  The
 * other tests build their files here: JPEGs carrying each EXIF orientation,
 * PNGs, a GIF and BMPs written byte by byte, a PNG and a JPEG announcing
 * absurd sizes, an empty file, a truncated JPEG, text named .jpg.
 *
 * The reduced-size path (cs_decode_file_for_size) is checked for the scale
 * it picks, orientation, the pixel budget, a 200-megapixel JPEG decoded in
 * a few megabytes (written by hand, measured in a subprocess), the view
 * that keeps the full image's crop, and, on the golden photos enlarged to
 * 12 megapixels, for embeddings within cosine 0.995 of the exact path's
 * with the trained toy-clip and the random tiny-clip.  The same holds for
 * those photos saved as WebP and PNG (reduced by libwebp's scaling decoder
 * and by libpng row by row) and for real wallpapers where installed.
 *
 * Bombs (PNG, JPEG, WebP, HEIF/AVIF, TIFF, and a DNG's embedded preview)
 * must be refused from the header: each is decoded in a forked child whose
 * peak resident size may grow by a few megabytes only (no wall-clock
 * bound: memory is what a bomb costs).  The byte budget of the decode
 * threads (CsPixelBudget) and the estimates it is fed are checked against
 * hand-computed sizes and by threads hammering it.
 */
#include <malloc.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>

#include <jpeglib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-clip-error.h"
#include "cs-decode.h"
#include "cs-jpeg-dc.h"
#include "cs-pixel-budget.h"
#include "cs-raw.h"
#include "test-util.h"

/* README "Recommended tolerances": preprocessing. */
#define GOLDEN_MAX_ABS  0.02
#define GOLDEN_MEAN_ABS 0.002

static char *ref_dir;   /* ../shared/testdata/clip-reference */

typedef struct {
  char *dir;
} TempFixture;

static void
temp_setup (TempFixture  *fixture,
            gconstpointer data)
{
  fixture->dir = test_make_temp_dir ();
}

static void
temp_teardown (TempFixture  *fixture,
               gconstpointer data)
{
  test_rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_temp (TempFixture  *fixture,
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

/* ---- preprocessor_config.json --------------------------------------- */

static int
get_size_member (JsonObject *obj,
                 const char *member,
                 const char *key)
{
  JsonNode *node = json_object_get_member (obj, member);

  g_assert_nonnull (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    return (int) json_object_get_int_member (json_node_get_object (node), key);
  return (int) json_node_get_int (node);
}

static void
load_preprocess_params (const char             *path,
                        clip_preprocess_params *pp)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  JsonObject *obj;
  JsonArray *mean, *std;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));
  memset (pp, 0, sizeof *pp);
  pp->shortest_edge = get_size_member (obj, "size", "shortest_edge");
  pp->crop_height = get_size_member (obj, "crop_size", "height");
  pp->crop_width = get_size_member (obj, "crop_size", "width");
  pp->do_resize = json_object_get_boolean_member_with_default (obj, "do_resize", TRUE);
  pp->do_center_crop = json_object_get_boolean_member_with_default (obj, "do_center_crop", TRUE);
  pp->do_normalize = json_object_get_boolean_member_with_default (obj, "do_normalize", TRUE);
  pp->rescale_factor = (float) json_object_get_double_member_with_default (obj, "rescale_factor",
                                                                          1.0 / 255.0);
  mean = json_object_get_array_member (obj, "image_mean");
  std = json_object_get_array_member (obj, "image_std");
  g_assert_cmpuint (json_array_get_length (mean), ==, 3);
  g_assert_cmpuint (json_array_get_length (std), ==, 3);
  for (guint c = 0; c < 3; c++)
    {
      pp->mean[c] = (float) json_array_get_double_element (mean, c);
      pp->std[c] = (float) json_array_get_double_element (std, c);
    }
}

/* ---- golden tensors -------------------------------------------------- */

static void
test_golden (void)
{
  g_autofree char *config = g_build_filename (ref_dir, "tiny-clip", "preprocessor_config.json", NULL);
  g_autofree char *manifest = g_build_filename (ref_dir, "manifest.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  clip_preprocess_params pp;
  GError *error = NULL;
  JsonArray *images;
  double worst_max = 0.0, worst_mean = 0.0;
  const char *worst_max_name = "-", *worst_mean_name = "-";
  size_t n_floats;
  g_autofree float *out = NULL;

  load_preprocess_params (config, &pp);
  g_assert_cmpint (pp.shortest_edge, ==, 224);
  g_assert_cmpint (pp.crop_width, ==, 224);
  g_assert_cmpint (pp.crop_height, ==, 224);
  n_floats = 3 * (size_t) pp.crop_width * pp.crop_height;
  out = g_new (float, n_floats);

  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  images = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "images");
  g_assert_cmpuint (json_array_get_length (images), >, 0);

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      const char *file = json_object_get_string_member (image, "file");
      const char *stem = json_object_get_string_member (image, "stem");
      g_autofree char *path = g_build_filename (ref_dir, file, NULL);
      g_autofree char *f32 = g_strdup_printf ("%s/preprocess/%s.f32", ref_dir, stem);
      g_autofree float *want = NULL;
      size_t n_want;
      double max_d = 0.0, sum_d = 0.0;

      cs_decode_file_to_tensor (path, &pp, out, &error);
      g_assert_no_error (error);
      want = test_read_f32 (f32, &n_want);
      g_assert_cmpuint (n_want, ==, n_floats);
      for (size_t e = 0; e < n_floats; e++)
        {
          double d = fabs ((double) out[e] - want[e]);

          max_d = MAX (max_d, d);
          sum_d += d;
        }
      g_test_message ("%-24s max |d| %.3g, mean |d| %.3g", stem, max_d, sum_d / n_floats);
      g_assert_cmpfloat (max_d, <=, GOLDEN_MAX_ABS);
      g_assert_cmpfloat (sum_d / n_floats, <=, GOLDEN_MEAN_ABS);
      if (max_d > worst_max)
        worst_max = max_d, worst_max_name = stem;
      if (sum_d / n_floats > worst_mean)
        worst_mean = sum_d / n_floats, worst_mean_name = stem;
    }
  g_test_message ("worst max |d| %.3g (%s), worst mean |d| %.3g (%s)",
                  worst_max, worst_max_name, worst_mean, worst_mean_name);
}

/* Decoding the golden images directly: size, channels and nearest flag. */
static void
test_golden_layout (void)
{
  static const struct {
    const char *file;
    int width, height, channels;
  } cases[] = {
    { "rocket.jpg", 640, 427, 3 },
    { "coins-gray.jpg", 384, 303, 3 },
    { "chelsea-alpha.png", 451, 300, 4 },
    { "camera.png", 512, 512, 3 },
    { "chelsea-exif6.jpg", 451, 300, 3 },   /* stored 300 x 451 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (ref_dir, "images", cases[i].file, NULL);
      g_autoptr(CsDecodedImage) image = NULL;
      GError *error = NULL;

      image = cs_decode_file (path, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, cases[i].width);
      g_assert_cmpint (image->height, ==, cases[i].height);
      g_assert_cmpint (image->channels, ==, cases[i].channels);
      g_assert_cmpint (image->stride, >=, image->width * image->channels);
      g_assert_false (image->nearest);
    }
}

/* ---- EXIF orientation ------------------------------------------------ */

#define PATTERN_W 64
#define PATTERN_H 32

static const guint8 quadrant_colours[4][3] = {
  { 255, 0, 0 },     /* top left */
  { 0, 255, 0 },     /* top right */
  { 0, 0, 255 },     /* bottom left */
  { 255, 255, 255 }, /* bottom right */
};

/* The quadrant colour at upright (x, y) of a `w` x `h` pattern. */
static const guint8 *
upright_colour_in (int x,
                   int y,
                   int w,
                   int h)
{
  return quadrant_colours[(y >= h / 2) * 2 + (x >= w / 2)];
}

static const guint8 *
upright_colour (int x,
                int y)
{
  return upright_colour_in (x, y, PATTERN_W, PATTERN_H);
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
static GByteArray *
make_oriented_jpeg_sized (int o,
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
        memcpy (pixels + (gsize) sy * stride + sx * 3, upright_colour_in (x, y, w, h), 3);
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

static GByteArray *
make_oriented_jpeg (int o)
{
  return make_oriented_jpeg_sized (o, PATTERN_W, PATTERN_H);
}

static void
assert_colour_near (const CsDecodedImage *image,
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

static void
test_exif_orientation (TempFixture  *fixture,
                       gconstpointer data)
{
  for (int o = 1; o <= 8; o++)
    {
      g_autoptr(GByteArray) jpeg = make_oriented_jpeg (o);
      g_autofree char *name = g_strdup_printf ("orientation-%d.jpg", o);
      g_autofree char *path = write_temp (fixture, name, jpeg->data, jpeg->len);
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
          assert_colour_near (image, xs[qx], ys[qy], upright_colour (xs[qx], ys[qy]));
    }
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

static void
append_le16 (GByteArray *a,
             guint       v)
{
  guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (a, b, 2);
}

static void
append_le32 (GByteArray *a,
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
      append_le16 (z, n);
      append_le16 (z, ~n & 0xffff);
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
static GByteArray *
make_png (guint32       width,
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

static void
assert_pixel (const CsDecodedImage *image,
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

/* Palette PNGs are Pillow mode "P": nearest neighbour. */
static void
test_palette_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 plte[] = { 10, 20, 30, 200, 100, 50, 0, 255, 0 };
  const guint8 trns[] = { 0 };   /* index 0 fully transparent */
  const guint8 rows[] = { 0, 1, 2, 1, 2, 1, 0, 0 };   /* 4 x 2 */
  g_autoptr(GByteArray) png = make_png (4, 2, 8, 3, rows, 4, plte, sizeof plte, trns, sizeof trns);
  g_autofree char *path = write_temp (fixture, "palette.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 4);
  g_assert_cmpint (image->height, ==, 2);
  /* The transparent entry keeps its palette colour, as Pillow's
   * convert("RGB") of a "P" image does. */
  assert_pixel (image, 0, 0, 10, 20, 30);
  assert_pixel (image, 1, 0, 200, 100, 50);
  assert_pixel (image, 2, 0, 0, 255, 0);
}

/* A 1-bit grey PNG is Pillow mode "1": nearest neighbour too. */
static void
test_bilevel_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 rows[] = { 0xa0, 0x50 };   /* 4 x 2: 1010 / 0101 */
  g_autoptr(GByteArray) png = make_png (4, 2, 1, 0, rows, 1, NULL, 0, NULL, 0);
  g_autofree char *path = write_temp (fixture, "bilevel.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  assert_pixel (image, 0, 0, 255, 255, 255);
  assert_pixel (image, 1, 0, 0, 0, 0);
  assert_pixel (image, 0, 1, 0, 0, 0);
}

/* An RGB PNG with a tRNS colour key is Pillow mode "RGB": no alpha, so the
 * keyed pixels keep their colour instead of turning black. */
static void
test_rgb_png_colour_key (TempFixture  *fixture,
                         gconstpointer data)
{
  const guint8 rows[] = { 1, 2, 3, 200, 150, 100 };   /* 2 x 1 */
  const guint8 trns[] = { 0, 1, 0, 2, 0, 3 };         /* key: (1, 2, 3) */
  g_autoptr(GByteArray) png = make_png (2, 1, 8, 2, rows, 6, NULL, 0, trns, sizeof trns);
  g_autofree char *path = write_temp (fixture, "keyed.png", png->data, png->len);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_false (image->nearest);
  g_assert_cmpint (image->channels, ==, 3);
  assert_pixel (image, 0, 0, 1, 2, 3);
  assert_pixel (image, 1, 0, 200, 150, 100);
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
  g_autofree char *path = write_temp (fixture, "dot.gif", gif, sizeof gif);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 1);
  g_assert_cmpint (image->height, ==, 1);
  assert_pixel (image, 0, 0, 0, 0, 255);
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
  g_autofree char *path = write_temp (fixture, "key.gif", gif, sizeof gif);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (image->nearest);
  g_assert_cmpint (image->width, ==, 2);
  assert_pixel (image, 0, 0, 0, 0, 255);
  assert_pixel (image, 1, 0, 0, 255, 0);
}

/* An 8-bit BMP with the given 256-entry palette (BGRX), 2 x 2 pixels. */
static GByteArray *
make_bmp8 (const guint8 palette[256][4])
{
  GByteArray *bmp = g_byte_array_new ();
  const guint8 rows[2][4] = { { 0, 1, 0, 0 }, { 2, 3, 0, 0 } };   /* padded to 4 */
  guint32 data_at = 14 + 40 + 256 * 4;

  g_byte_array_append (bmp, (const guint8 *) "BM", 2);
  append_le32 (bmp, data_at + sizeof rows);
  append_le32 (bmp, 0);
  append_le32 (bmp, data_at);
  append_le32 (bmp, 40);          /* BITMAPINFOHEADER */
  append_le32 (bmp, 2);           /* width */
  append_le32 (bmp, 2);           /* height, bottom-up */
  append_le16 (bmp, 1);           /* planes */
  append_le16 (bmp, 8);           /* bits */
  append_le32 (bmp, 0);           /* BI_RGB */
  append_le32 (bmp, sizeof rows);
  append_le32 (bmp, 2835);
  append_le32 (bmp, 2835);
  append_le32 (bmp, 256);         /* colours used */
  append_le32 (bmp, 0);
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
  grey_path = write_temp (fixture, "grey.bmp", grey->data, grey->len);
  colour_path = write_temp (fixture, "colour.bmp", colour->data, colour->len);

  a = cs_decode_file (grey_path, 0, &error);
  g_assert_no_error (error);
  g_assert_false (a->nearest);
  assert_pixel (a, 0, 0, 2, 2, 2);   /* bottom-up: the second row is on top */

  b = cs_decode_file (colour_path, 0, &error);
  g_assert_no_error (error);
  g_assert_true (b->nearest);
  assert_pixel (b, 1, 1, 0, 0, 255);
}

/* A "VmRSS:" or "VmHWM:" figure of /proc/self/status in kB, or -1. */
static long
proc_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (at = strstr (status, field)) == NULL)
    return -1;
  return strtol (at + strlen (field), NULL, 10);
}

/* Starts measuring the peak resident size afresh: the current size, after
 * resetting the kernel's high-water mark when allowed ("5" to clear_refs),
 * else the peak so far. */
static long
peak_rss_reset_kb (void)
{
  struct rusage ru;

  if (g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL) &&
      proc_status_kb ("VmRSS:") >= 0)
    return proc_status_kb ("VmRSS:");
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static long
peak_rss_kb (void)
{
  struct rusage ru;
  long hwm = proc_status_kb ("VmHWM:");

  if (hwm >= 0)
    return hwm;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* What a decode did in a forked child: its error (domain CS_DECODE_ERROR
 * or not, code, message) and how much its peak resident size grew, in kB.
 * `warm`, when not NULL, is decoded first so that the loader module and
 * its libraries are in memory before the measure starts. */
typedef struct {
  gboolean decoded;       /* an image came back */
  gboolean decode_domain; /* the error is CS_DECODE_ERROR */
  int      code;
  long     growth_kb;
  char     message[1024];
} ChildDecode;

static void
decode_in_child_for_size (const char  *path,
                          const char  *warm,
                          guint64      max_pixels,
                          gboolean     raw,
                          int          min_short_side,
                          ChildDecode *out)
{
  int fds[2];
  pid_t pid;
  int status;
  gsize got = 0;

  memset (out, 0, sizeof *out);
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      ChildDecode r = { 0 };
      CsDecodedImage *image = NULL;
      GdkPixbuf *preview = NULL;
      GError *error = NULL;
      long before;
      gsize off = 0;

      close (fds[0]);
      if (warm != NULL)
        {
          if (raw)
            preview = cs_raw_load_preview (warm, &error);
          else
            image = cs_decode_file (warm, 0, &error);
          cs_decoded_image_free (image);
          g_clear_object (&preview);
          g_clear_error (&error);
        }
      before = peak_rss_reset_kb ();
      image = raw ? NULL : cs_decode_file_for_size (path, min_short_side, max_pixels, &error);
      preview = raw ? cs_raw_load_preview (path, &error) : NULL;
      r.growth_kb = peak_rss_kb () - before;
      r.decoded = image != NULL || preview != NULL;
      if (error != NULL)
        {
          r.decode_domain = error->domain == CS_DECODE_ERROR;
          r.code = error->code;
          g_strlcpy (r.message, error->message, sizeof r.message);
        }
      while (off < sizeof r)
        {
          ssize_t n = write (fds[1], (const char *) &r + off, sizeof r - off);

          if (n <= 0)
            break;
          off += (gsize) n;
        }
      _exit (0);
    }
  close (fds[1]);
  while (got < sizeof *out)
    {
      ssize_t n = read (fds[0], (char *) out + got, sizeof *out - got);

      if (n <= 0)
        break;
      got += (gsize) n;
    }
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpuint (got, ==, sizeof *out);
  g_test_message ("%s: %s; peak RSS grew by %.1f MB", path,
                  out->decoded ? "decoded" : out->message, out->growth_kb / 1024.0);
}

static void
decode_in_child (const char  *path,
                 const char  *warm,
                 guint64      max_pixels,
                 gboolean     raw,
                 ChildDecode *out)
{
  decode_in_child_for_size (path, warm, max_pixels, raw, 0, out);
}

/* A bomb is refused from its header: TOO_LARGE, a message naming the
 * file and the announced size, and no more than `bound_mb` of memory. */
static void
assert_bomb_refused_as (const char *path,
                        const char *warm,
                        guint64     max_pixels,
                        gboolean    raw,
                        const char *size_text,
                        long        bound_mb)
{
  ChildDecode r;
  g_autofree char *name = g_filename_display_name (path);

  decode_in_child (path, warm, max_pixels, raw, &r);
  g_assert_false (r.decoded);
  g_assert_true (r.decode_domain);
  g_assert_cmpint (r.code, ==, CS_DECODE_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (r.message, name));
  g_assert_nonnull (strstr (r.message, size_text));
  g_assert_cmpint (r.growth_kb, <, bound_mb * 1024);
}

static void
assert_bomb_refused (const char *path,
                     const char *warm,
                     guint64     max_pixels,
                     const char *size_text,
                     long        bound_mb)
{
  assert_bomb_refused_as (path, warm, max_pixels, FALSE, size_text, bound_mb);
}

/* ---- refusals -------------------------------------------------------- */

static void
assert_error_names_file (GError     *error,
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
static void
assert_refused (const char *path,
                int         code,
                const char *word)
{
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, code);
  assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, word));
  g_clear_error (&error);
}

static void
test_bomb_png (TempFixture  *fixture,
               gconstpointer data)
{
  g_autoptr(GByteArray) png = make_png (100000, 100000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autofree char *path = write_temp (fixture, "bomb.png", png->data, png->len);

  assert_refused (path, CS_DECODE_ERROR_TOO_LARGE, "100000x100000");
  /* refused before any pixel: memory, not time, is what a bomb costs */
  assert_bomb_refused (path, NULL, 0, "100000x100000", 16);
}

/* A format the decoder does not sniff: the loader's size-prepared signal
 * refuses it before pixels are allocated. */
static void
test_bomb_jpeg (TempFixture  *fixture,
                gconstpointer data)
{
  g_autoptr(GByteArray) jpeg = make_oriented_jpeg (1);
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
  path = write_temp (fixture, "bomb.jpg", jpeg->data, jpeg->len);

  assert_refused (path, CS_DECODE_ERROR_TOO_LARGE, "60000x60000");
  assert_bomb_refused (path, NULL, 0, "60000x60000", 16);
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

static GByteArray *
make_vp8l_chunk (guint width,
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
  append_le32 (chunk, bits->len);
  g_byte_array_append (chunk, bits->data, bits->len);
  if (bits->len % 2)
    g_byte_array_append (chunk, (const guint8 *) "\0", 1);
  return chunk;
}

static GByteArray *
riff_webp (GByteArray *chunks)
{
  GByteArray *webp = g_byte_array_new ();

  g_byte_array_append (webp, (const guint8 *) "RIFF", 4);
  append_le32 (webp, 4 + chunks->len);
  g_byte_array_append (webp, (const guint8 *) "WEBP", 4);
  g_byte_array_append (webp, chunks->data, chunks->len);
  return webp;
}

static GByteArray *
make_vp8l_webp (guint width,
                guint height)
{
  g_autoptr(GByteArray) chunk = make_vp8l_chunk (width, height);

  return riff_webp (chunk);
}

/* WebP bombs are refused from the header: the WebP loader buffers the
 * file and decodes it whole before it announces the size (a 30-byte
 * 16383 x 16383 file cost 1 GB).  Lossless, extended (VP8X) and lossy. */
static void
test_bomb_webp (TempFixture  *fixture,
                gconstpointer data)
{
  g_autoptr(GByteArray) small = make_vp8l_webp (16, 12);
  g_autoptr(GByteArray) bomb = make_vp8l_webp (16383, 16383);
  g_autoptr(GByteArray) mid = make_vp8l_webp (4000, 4000);
  g_autofree char *warm = write_temp (fixture, "small.webp", small->data, small->len);
  g_autofree char *bomb_path = write_temp (fixture, "bomb.webp", bomb->data, bomb->len);
  g_autofree char *mid_path = write_temp (fixture, "mid.webp", mid->data, mid->len);
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
  assert_pixel (image, 3, 3, 0, 0, 0);
  g_clear_pointer (&image, cs_decoded_image_free);

  g_test_message ("lossless bomb: %u bytes", bomb->len);
  assert_bomb_refused (bomb_path, warm, 0, "16383x16383", 32);
  /* 16 megapixels (64 MB decoded) against a 1-megapixel limit */
  assert_bomb_refused (mid_path, warm, 1000000, "4000x4000", 16);

  /* VP8X: a 20000 x 20000 canvas around a small image */
  g_byte_array_append (ext, (const guint8 *) "VP8X", 4);
  append_le32 (ext, 10);
  g_byte_array_append (ext, (const guint8 *) "\0\0\0\0", 4);
  canvas[0] = (20000 - 1) & 0xff, canvas[1] = ((20000 - 1) >> 8) & 0xff, canvas[2] = 0;
  memcpy (canvas + 3, canvas, 3);
  g_byte_array_append (ext, canvas, 6);
  inner = make_vp8l_chunk (16, 12);
  g_byte_array_append (ext, inner->data, inner->len);
  ext_webp = riff_webp (ext);
  ext_path = write_temp (fixture, "canvas.webp", ext_webp->data, ext_webp->len);
  assert_bomb_refused (ext_path, warm, 0, "20000x20000", 16);

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
  lossy_path = write_temp (fixture, "lossy.webp", (const guint8 *) lossy, lossy_len);
  image = cs_decode_file (lossy_path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 64);
  g_assert_cmpint (image->height, ==, 48);
  g_clear_pointer (&image, cs_decoded_image_free);
  lossy[26] = 16000 & 0xff, lossy[27] = 16000 >> 8;
  lossy[28] = 12000 & 0xff, lossy[29] = 12000 >> 8;
  g_file_set_contents (lossy_path, lossy, (gssize) lossy_len, &error);
  g_assert_no_error (error);
  assert_bomb_refused (lossy_path, warm, 0, "16000x12000", 16);
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
      append_le32 (out, entries[i].count);
      append_le32 (out, entries[i].value);   /* SHORT values: low half, little-endian */
    }
  append_le32 (out, next);
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
  append_le32 (out, 8);
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
  g_autoptr(GByteArray) jpeg = make_oriented_jpeg (1);
  g_autoptr(GByteArray) ok_dng = make_dng (jpeg);
  g_autoptr(GByteArray) bomb_dng = NULL;
  g_autofree char *ok_path = write_temp (fixture, "ok.dng", ok_dng->data, ok_dng->len);
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
  bomb_path = write_temp (fixture, "bomb.dng", bomb_dng->data, bomb_dng->len);
  assert_bomb_refused_as (bomb_path, ok_path, 0, TRUE, "30000x30000", 32);
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
  append_le32 (tiff, 8);
  append_tiff_ifd (tiff, entries, G_N_ELEMENTS (entries), 0);
  memset (strip, 0x80, sizeof strip);
  g_byte_array_append (tiff, strip, sizeof strip);
  path = write_temp (fixture, "bomb.tif", tiff->data, tiff->len);
  assert_bomb_refused (path, NULL, 0, "60000x60000", 16);
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
  path = write_temp (fixture, "half.webp", (const guint8 *) webp, len / 2);
  assert_refused (path, CS_DECODE_ERROR_TRUNCATED, "truncated WebP");
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

static char *
save_flat_png (const char *dir,
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

/* HEIF and AVIF bombs are refused from the "ispe" property: libheif's
 * loader decodes the whole image before it announces the size (a 41 KB
 * 13500 x 13500 HEIC cost 1.1 GB).  Encoded with heif-enc and avifenc
 * (libheif-examples, libavif-bin), skipped without them. */
static void
test_bomb_heif (TempFixture  *fixture,
                gconstpointer data)
{
  g_autofree char *small_png = save_flat_png (fixture->dir, "small.png", 64, 48);
  g_autofree char *big_png = save_flat_png (fixture->dir, "big.png", 3000, 3000);
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
      assert_bomb_refused (big, small, 1000000, "3000x3000", 12);
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
  g_autofree char *path = write_temp (fixture, "nosize.heic", file, sizeof file);

  assert_refused (path, CS_DECODE_ERROR_CORRUPT, "size");
}

static void
test_max_pixels (void)
{
  g_autofree char *path = g_build_filename (ref_dir, "images", "rocket.jpg", NULL);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 640 * 427 - 1, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, "640x427"));
  g_clear_error (&error);

  image = cs_decode_file (path, 640 * 427, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 640);
}

static void
test_empty_file (TempFixture  *fixture,
                 gconstpointer data)
{
  g_autofree char *path = write_temp (fixture, "empty.jpg", (const guint8 *) "", 0);

  assert_refused (path, CS_DECODE_ERROR_EMPTY, "empty");
}

static void
test_truncated_jpeg (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autofree char *src = g_build_filename (ref_dir, "images", "rocket.jpg", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  gsize len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = write_temp (fixture, "half.jpg", (const guint8 *) contents, len / 2);

  assert_refused (path, CS_DECODE_ERROR_TRUNCATED, "truncated JPEG");

  /* All but the end-of-image marker: still refused, as Pillow does. */
  g_clear_pointer (&path, g_free);
  path = write_temp (fixture, "no-eoi.jpg", (const guint8 *) contents, len - 2);
  image = cs_decode_file (path, 0, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* Data after the end-of-image marker (as in "motion photos") is fine. */
  {
    g_autoptr(GByteArray) longer = g_byte_array_new ();

    g_byte_array_append (longer, (const guint8 *) contents, (guint) len);
    g_byte_array_append (longer, (const guint8 *) "trailing data \xff\xd8", 16);
    g_clear_pointer (&path, g_free);
    path = write_temp (fixture, "trailer.jpg", longer->data, longer->len);
    image = cs_decode_file (path, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (image->width, ==, 640);
  }
}

static void
test_truncated_png (TempFixture  *fixture,
                    gconstpointer data)
{
  g_autofree char *src = g_build_filename (ref_dir, "images", "astronaut.png", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  gsize len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = write_temp (fixture, "half.png", (const guint8 *) contents, len / 2);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
  assert_error_names_file (error, path);
  g_clear_error (&error);

  /* Only the IEND chunk missing: the image data is whole; Pillow accepts
   * it, so do we. */
  g_assert_cmpmem (contents + len - 8, 4, "IEND", 4);
  g_clear_pointer (&path, g_free);
  path = write_temp (fixture, "no-iend.png", (const guint8 *) contents, len - 12);
  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 512);
}

static void
test_corrupt_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 rows[12] = { 0 };
  g_autoptr(GByteArray) png = make_png (2, 2, 8, 2, rows, 6, NULL, 0, NULL, 0);
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  /* Break the zlib header inside IDAT (offset: 8 signature + 25 IHDR +
   * 8 IDAT length and type). */
  png->data[8 + 25 + 8] = 0x00;
  path = write_temp (fixture, "corrupt.png", png->data, png->len);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT);
  assert_error_names_file (error, path);
  g_clear_error (&error);
}

static void
test_text_as_jpeg (TempFixture  *fixture,
                   gconstpointer data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "This is not a photograph, only some text.\n");
  path = write_temp (fixture, "notes.jpg", (const guint8 *) text->str, text->len);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_UNKNOWN_FORMAT);
  assert_error_names_file (error, path);
  g_clear_error (&error);
}

static void
test_nonexistent (TempFixture  *fixture,
                  gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "missing.jpg", NULL);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_error_names_file (error, path);
  g_clear_error (&error);

  /* A directory is not an image either. */
  image = cs_decode_file (fixture->dir, 0, &error);
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);
}

/* An engine failure comes back as CS_CLIP_ERROR, prefixed with the file. */
static void
test_engine_error (void)
{
  g_autofree char *path = g_build_filename (ref_dir, "images", "rocket.jpg", NULL);
  clip_preprocess_params pp = { 224, 0, 224, 1, 1, 1, 1.0f / 255, { 0 }, { 1, 1, 1 } };
  float out[3];
  GError *error = NULL;

  g_assert_false (cs_decode_file_to_tensor (path, &pp, out, &error));
  g_assert_error (error, CS_CLIP_ERROR, CLIP_STATUS_INVALID_ARGUMENT);
  assert_error_names_file (error, path);
  g_clear_error (&error);
}

/* Decoding never writes: content and mtime are unchanged, and a file
 * without write permission decodes. */
static void
test_file_unchanged (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autofree char *src = g_build_filename (ref_dir, "images", "chelsea-exif6.jpg", NULL);
  g_autofree char *contents = NULL, *after = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  GStatBuf before_st, after_st;
  gsize len, after_len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = write_temp (fixture, "photo.jpg", (const guint8 *) contents, len);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_cmpint (g_stat (path, &before_st), ==, 0);

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &after_st), ==, 0);
  g_assert_cmpint (after_st.st_mtim.tv_sec, ==, before_st.st_mtim.tv_sec);
  g_assert_cmpint (after_st.st_mtim.tv_nsec, ==, before_st.st_mtim.tv_nsec);
  g_assert_cmpint (after_st.st_ctim.tv_sec, ==, before_st.st_ctim.tv_sec);
  g_assert_cmpint (after_st.st_ctim.tv_nsec, ==, before_st.st_ctim.tv_nsec);
  g_assert_cmpint (after_st.st_mode & 0777, ==, 0444);
  g_file_get_contents (path, &after, &after_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (after, after_len, contents, len);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
}

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
  g_autoptr(GByteArray) jpeg = make_oriented_jpeg_sized (1, 2000, 1500);
  g_autofree char *path = write_temp (fixture, "big.jpg", jpeg->data, jpeg->len);
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
      assert_colour_near (image, image->width / 4, image->height / 4, quadrant_colours[0]);
      assert_colour_near (image, 3 * image->width / 4, 3 * image->height / 4, quadrant_colours[3]);
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
      g_autoptr(GByteArray) jpeg = make_oriented_jpeg_sized (o, w, h);
      g_autofree char *name = g_strdup_printf ("big-orientation-%d.jpg", o);
      g_autofree char *path = write_temp (fixture, name, jpeg->data, jpeg->len);
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

            assert_colour_near (image, x, y, upright_colour_in (x, y, image->width, image->height));
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
      g_autofree char *path = g_build_filename (ref_dir, "images", files[i], NULL);
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
  g_autoptr(GByteArray) jpeg = make_oriented_jpeg_sized (1, 2000, 1500);   /* 3 MP */
  g_autofree char *path = write_temp (fixture, "3mp.jpg", jpeg->data, jpeg->len);
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
  assert_error_names_file (error, path);
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
  progressive = write_temp (fixture, "3mp-progressive.jpg", jpeg->data, jpeg->len);
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

/* Bit writer for hand-made JPEG entropy data (no 0xFF bytes occur here). */
static void
append_be16 (GByteArray *a,
             guint       v)
{
  guint8 b[2] = { (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (a, b, 2);
}

/* The tables of the hand-made JPEGs below: one quantisation table of
 * ones (id 0), and DC and AC Huffman tables 0 each holding one 1-bit
 * code for symbol 0 (a zero difference, an end of block). */
static void
append_unit_tables (GByteArray *jpeg)
{
  guint8 q[64];

  g_byte_array_append (jpeg, (const guint8 *) "\xff\xdb", 2);            /* DQT */
  append_be16 (jpeg, 67);
  g_byte_array_append (jpeg, (const guint8 *) "\x00", 1);
  memset (q, 1, sizeof q);
  g_byte_array_append (jpeg, q, sizeof q);
  for (guint t = 0; t < 2; t++)                                           /* DHT: DC 0, AC 0 */
    {
      guint8 table = t == 0 ? 0x00 : 0x10;
      guint8 counts[16] = { 1 };                                          /* one 1-bit code */

      g_byte_array_append (jpeg, (const guint8 *) "\xff\xc4", 2);
      append_be16 (jpeg, 2 + 1 + 16 + 1);
      g_byte_array_append (jpeg, &table, 1);
      g_byte_array_append (jpeg, counts, 16);
      g_byte_array_append (jpeg, (const guint8 *) "\x00", 1);            /* symbol 0 */
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
  append_unit_tables (jpeg);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xc0", 2);            /* SOF0 */
  append_be16 (jpeg, 11);
  g_byte_array_append (jpeg, (const guint8 *) "\x08", 1);
  append_be16 (jpeg, height);
  append_be16 (jpeg, width);
  g_byte_array_append (jpeg, (const guint8 *) "\x01\x01\x11\x00", 4);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);            /* SOS */
  append_be16 (jpeg, 8);
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
      g_autofree char *small = g_build_filename (ref_dir, "images", "rocket.jpg", NULL);
      g_autoptr(CsDecodedImage) warm = NULL, image = NULL;
      g_autofree char *report = NULL, *report_path = NULL;
      GError *error = NULL;
      long before, after;

      g_assert_nonnull (path);
      /* Load the JPEG module and its libraries first. */
      warm = cs_decode_file_for_size (small, 448, 0, &error);
      g_assert_no_error (error);
      before = peak_rss_reset_kb ();
      image = cs_decode_file_for_size (path, 448, 0, &error);
      after = peak_rss_kb ();
      g_assert_no_error (error);
      g_assert_cmpint (image->width, ==, BIG_W / 8);
      g_assert_cmpint (image->height, ==, BIG_H / 8);
      g_assert_cmpint (image->orig_width, ==, BIG_W);
      g_assert_cmpint (image->orig_height, ==, BIG_H);
      assert_pixel (image, 0, 0, 128, 128, 128);
      assert_pixel (image, image->width - 1, image->height - 1, 128, 128, 128);
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
  g_autoptr(GByteArray) webp = make_vp8l_webp (4000, 3000);
  g_autofree char *path = write_temp (fixture, "4000x3000.webp", webp->data, webp->len);
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
  assert_pixel (fast, 500, 400, 0, 0, 0);

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
      g_autoptr(GByteArray) png = kind == 0 ? make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, NULL, 0)
                                  : kind == 1 ? make_png (W, H, 8, 6, rgba, W * 4, NULL, 0, NULL, 0)
                                  : make_png (W, H, 8, 0, grey, W, NULL, 0, NULL, 0);
      g_autofree char *path = write_temp (fixture, "blocks.png", png->data, png->len);
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
    g_autoptr(GByteArray) translucent = make_png (W, H, 8, 6, rgba, W * 4, NULL, 0, NULL, 0);
    g_autoptr(GByteArray) keyed = make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, key, sizeof key);
    g_autoptr(GByteArray) small = make_png (300, 200, 8, 2, rgb, 300 * 3, NULL, 0, NULL, 0);
    g_autofree char *p1 = write_temp (fixture, "translucent.png", translucent->data, translucent->len);
    g_autofree char *p2 = write_temp (fixture, "keyed.png", keyed->data, keyed->len);
    g_autofree char *p4 = write_temp (fixture, "small.png", small->data, small->len);
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
    cut = make_png (W, H, 8, 2, rgb, W * 3, NULL, 0, NULL, 0);
    p3 = write_temp (fixture, "cut.png", cut->data, cut->len / 2);
    g_assert_null (cs_decode_file_for_size (p3, MIN, 0, &error));
    g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
    assert_error_names_file (error, p3);
    g_clear_error (&error);
  }
}

/* A 24-megapixel PNG on the reduced path holds a few megabytes, where
 * GdkPixbuf's loader held the whole 72 MB image. */
static void
test_for_size_png_memory (TempFixture  *fixture,
                          gconstpointer data)
{
  g_autofree char *path = save_flat_png (fixture->dir, "24mp.png", 6000, 4000);
  g_autofree char *warm = save_flat_png (fixture->dir, "small.png", 64, 48);
  ChildDecode r;

  decode_in_child_for_size (path, warm, 0, FALSE, 448, &r);
  g_assert_true (r.decoded);
  g_assert_cmpint (r.growth_kb, <, 24 * 1024);
}

/* cs_decode_estimate_bytes(), against sizes computed by hand. */
static void
test_estimate_bytes (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autoptr(GByteArray) png = make_png (1000, 800, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autoptr(GByteArray) bomb = make_png (100000, 100000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autoptr(GByteArray) webp = make_vp8l_webp (4000, 3000);
  g_autoptr(GByteArray) jpeg = make_flat_grey_jpeg (4096, 3072);
  g_autofree char *png_path = write_temp (fixture, "a.png", png->data, png->len);
  g_autoptr(GByteArray) big_png = make_png (2500, 2000, 8, 2, NULL, 0, NULL, 0, NULL, 0);
  g_autofree char *big_png_path = write_temp (fixture, "big.png", big_png->data, big_png->len);
  g_autofree char *bomb_path = write_temp (fixture, "bomb.png", bomb->data, bomb->len);
  g_autofree char *webp_path = write_temp (fixture, "a.webp", webp->data, webp->len);
  g_autofree char *jpeg_path = write_temp (fixture, "a.jpg", jpeg->data, jpeg->len);
  g_autofree char *prog_path = NULL;
  g_autofree char *text_path = write_temp (fixture, "text.jpg", (const guint8 *) "hello", 5);
  g_autofree char *empty_path = write_temp (fixture, "empty.jpg", (const guint8 *) "", 0);
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
  prog_path = write_temp (fixture, "prog.jpg", jpeg->data, jpeg->len);
  g_assert_cmpuint (cs_decode_estimate_bytes (prog_path, 448), ==,
                    2 * 1024 * 768 * 3 + (4096 / 8) * (3072 / 8) * 128);
}

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
  append_unit_tables (jpeg);
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xc2", 2);            /* SOF2 */
  append_be16 (jpeg, 17);
  g_byte_array_append (jpeg, (const guint8 *) "\x08", 1);
  append_be16 (jpeg, PROG_BIG);
  append_be16 (jpeg, PROG_BIG);
  g_byte_array_append (jpeg, (const guint8 *) "\x03\x01\x22\x00\x02\x11\x00\x03\x11\x00", 10);
  /* DC scan, all three components: 6 one-bit differences per MCU */
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);
  append_be16 (jpeg, 12);
  g_byte_array_append (jpeg, (const guint8 *) "\x03\x01\x00\x02\x00\x03\x00\x00\x00\x00", 10);
  g_byte_array_append (jpeg, zeros, (guint) ((mcus * 6 + 7) / 8));
  /* AC scans, one component each: one end-of-block per block */
  for (guint c = 1; c <= 3; c++)
    {
      guint8 sos[6] = { 1, (guint8) c, 0x00, 1, 63, 0 };
      gsize blocks = c == 1 ? y_blocks : c_blocks;

      g_byte_array_append (jpeg, (const guint8 *) "\xff\xda", 2);
      append_be16 (jpeg, 8);
      g_byte_array_append (jpeg, sos, 6);
      g_byte_array_append (jpeg, zeros, (guint) ((blocks + 7) / 8));
    }
  g_byte_array_append (jpeg, (const guint8 *) "\xff\xd9", 2);
  path = write_temp (fixture, "big-progressive.jpg", jpeg->data, jpeg->len);

  decode_in_child_for_size (path, warm, 0, FALSE, 448, &r);
  g_assert_true (r.decoded);
  g_test_message ("%d x %d progressive JPEG at 1/8: peak RSS grew by %.1f MB",
                  PROG_BIG, PROG_BIG, r.growth_kb / 1024.0);
  g_assert_cmpint (r.growth_kb, <, 64 * 1024);
  /* the estimate: the output, its rotated copy and one DC per block */
  g_assert_cmpuint (cs_decode_estimate_bytes (path, 448), ==,
                    2 * (guint64) 1625 * 1625 * 3 + (y_blocks + 2 * c_blocks) * 2);
}

/* Threads taking and giving back random amounts of a budget: what is held
 * at once never exceeds the capacity, except by one request larger than
 * the capacity held alone; every request is granted (no deadlock). */
#define BUDGET_CAPACITY 1000
#define BUDGET_THREADS  6
#define BUDGET_ROUNDS   2000

typedef struct {
  CsPixelBudget *budget;
  gint          *held;      /* sum held, kept by the threads */
  gint          *holders;
  gint          *violations;
  guint32        seed;
} BudgetWorker;

static gpointer
budget_worker (gpointer data)
{
  BudgetWorker *w = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (w->seed);

  for (int r = 0; r < BUDGET_ROUNDS; r++)
    {
      /* one request in 20 is over the capacity; none is empty (0 bytes
       * may go beside anything, which would count as a violation here) */
      guint64 want = g_rand_int_range (rand, 0, 20) == 0
                     ? (guint64) g_rand_int_range (rand, BUDGET_CAPACITY + 1, 3 * BUDGET_CAPACITY)
                     : (guint64) g_rand_int_range (rand, 1, BUDGET_CAPACITY / 2);
      guint64 got = cs_pixel_budget_acquire (w->budget, want);
      gint now = g_atomic_int_add (w->held, (gint) got) + (gint) got;
      gint holders = g_atomic_int_add (w->holders, 1) + 1;

      if (now > BUDGET_CAPACITY && holders > 1)
        g_atomic_int_inc (w->violations);
      if (got > BUDGET_CAPACITY && holders > 1)
        g_atomic_int_inc (w->violations);
      g_thread_yield ();
      g_atomic_int_add (w->holders, -1);
      g_atomic_int_add (w->held, -(gint) got);
      cs_pixel_budget_release (w->budget, got);
    }
  return NULL;
}

static void
test_pixel_budget (void)
{
  g_autoptr(CsPixelBudget) budget = cs_pixel_budget_new (BUDGET_CAPACITY);
  BudgetWorker workers[BUDGET_THREADS];
  GThread *threads[BUDGET_THREADS];
  gint held = 0, holders = 0, violations = 0;

  g_assert_cmpuint (cs_pixel_budget_capacity (budget), ==, BUDGET_CAPACITY);
  /* alone, an over-budget request is granted at once */
  g_assert_cmpuint (cs_pixel_budget_acquire (budget, 5000), ==, 5000);
  cs_pixel_budget_release (budget, 5000);

  for (guint i = 0; i < BUDGET_THREADS; i++)
    {
      workers[i] = (BudgetWorker) { budget, &held, &holders, &violations, 17 + i };
      threads[i] = g_thread_new ("budget", budget_worker, &workers[i]);
    }
  for (guint i = 0; i < BUDGET_THREADS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (violations, ==, 0);
  g_assert_cmpint (held, ==, 0);
  g_assert_cmpuint (cs_pixel_budget_in_use (budget), ==, 0);
  g_test_message ("peak held %" G_GUINT64_FORMAT " of %d", cs_pixel_budget_peak (budget),
                  BUDGET_CAPACITY);
}

#if defined(__SANITIZE_ADDRESS__)
#define RUNNING_ON_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUNNING_ON_SANITIZER 1
#endif
#endif
#ifndef RUNNING_ON_SANITIZER
#define RUNNING_ON_SANITIZER 0
#endif

/* A budget turns off glibc's sliding mmap threshold: once an 8 MB block
 * is freed, a 4 MB one is still mmapped (and so given back when freed),
 * not carved from a heap that keeps it resident. */
static void
test_pixel_budget_mmap (void)
{
#ifdef __GLIBC__
  if (g_test_subprocess ())
    {
      g_autoptr(CsPixelBudget) budget = cs_pixel_budget_new (1);
      volatile char *big, *mid;
      size_t before;

      big = malloc (8 << 20);
      big[0] = 1;
      free ((void *) big);
      before = mallinfo2 ().hblks;
      mid = malloc (4 << 20);
      mid[0] = 1;
      g_assert_cmpuint (mallinfo2 ().hblks, ==, before + 1);
      free ((void *) mid);
      return;
    }
  if (g_getenv ("MALLOC_MMAP_THRESHOLD_") != NULL || RUNNING_ON_SANITIZER)
    {
      g_test_skip ("malloc is not glibc's own here");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
#else
  g_test_skip ("not glibc");
#endif
}

/* ---- fast path vs exact path: embeddings on real photos --------------- */

/* README-style tolerance from the design: the fast path must keep the
 * embedding within this cosine of the exact path's. */
#define FAST_PATH_MIN_COSINE 0.995
#define LARGE_PHOTO_PIXELS   12e6
#define WALLPAPER_DIR        "/usr/share/backgrounds/gnome"

typedef struct {
  const char *label;
  clip_model *model;
  clip_ctx   *ctx;
  const clip_preprocess_params *pp;
  int         min_short_side;
  size_t      n_floats;
  float      *full;     /* n images of tensors */
  float      *fast;
  int        *denom;
} CosineModel;

/* Upscales `src` (bilinear) to about 12 megapixels, keeping its aspect,
 * and saves it as a quality-90 JPEG: a stand-in for a camera photo. */
static char *
make_large_photo (const char *src,
                  const char *dir,
                  const char *stem,
                  const char *format)
{
  g_autoptr(GdkPixbuf) small = NULL, big = NULL;
  g_autofree char *name = g_strconcat (stem, "-12mp.", format, NULL);
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  double f;

  small = gdk_pixbuf_new_from_file (src, &error);
  g_assert_no_error (error);
  f = sqrt (LARGE_PHOTO_PIXELS / ((double) gdk_pixbuf_get_width (small) * gdk_pixbuf_get_height (small)));
  big = gdk_pixbuf_scale_simple (small, (int) lround (gdk_pixbuf_get_width (small) * f),
                                 (int) lround (gdk_pixbuf_get_height (small) * f),
                                 GDK_INTERP_BILINEAR);
  g_assert_nonnull (big);
  if (strcmp (format, "png") == 0)
    gdk_pixbuf_save (big, path, format, &error, "compression", "1", NULL);
  else
    gdk_pixbuf_save (big, path, format, &error, "quality", "90", NULL);
  g_assert_no_error (error);
  return path;
}

static void
cosine_model_load (CosineModel *m,
                   const char  *label,
                   const char  *dir,
                   guint        n_images)
{
  clip_params params = clip_params_default ();
  char *message = NULL;

  m->label = label;
  if (clip_model_load (dir, &m->model, &message) != CLIP_STATUS_OK)
    g_error ("%s", message);
  if (clip_ctx_new (m->model, &params, &m->ctx, &message) != CLIP_STATUS_OK)
    g_error ("%s", message);
  m->pp = clip_model_get_preprocess (m->model);
  m->min_short_side = 2 * clip_model_get_info (m->model)->image_size;
  m->n_floats = clip_model_image_floats (m->model);
  m->full = g_new (float, m->n_floats * n_images);
  m->fast = g_new (float, m->n_floats * n_images);
  m->denom = g_new0 (int, n_images);
}

static void
cosine_model_clear (CosineModel *m)
{
  clip_ctx_free (m->ctx);
  clip_model_free (m->model);
  g_free (m->full);
  g_free (m->fast);
  g_free (m->denom);
}

static void
preprocess_or_die (const CosineModel    *m,
                   const CsDecodedImage *image,
                   float                *out)
{
  clip_image view = cs_decoded_image_as_clip_for (image, m->pp);
  char *message = NULL;

  if (clip_preprocess (m->pp, &view, out, &message) != CLIP_STATUS_OK)
    g_error ("%s", message);
}

static void
test_fast_path_cosine (TempFixture  *fixture,
                       gconstpointer data)
{
  g_autofree char *manifest = g_build_filename (ref_dir, "manifest.json", NULL);
  g_autofree char *tiny_dir = g_build_filename (ref_dir, "tiny-clip", NULL);
  g_autofree char *toy_dir = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) stems = g_ptr_array_new ();
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  static const char *const real_wallpapers[] = {
    "adwaita-l.webp", "wood-d.webp", "pixels-l.webp", "licorice-d.webp",
    /* plasma-workspace-wallpapers: 5K PNGs, RGB and opaque RGBA */
    "/usr/share/wallpapers/Altai/contents/images/5120x2880.png",
    "/usr/share/wallpapers/Kay/contents/images/5120x2880.png",
  };
  CosineModel models[2] = { { 0 } };
  GError *error = NULL;
  JsonArray *images;
  guint n;

  if (test_shared_dir () == NULL)
    {
      g_test_skip ("../shared is absent");
      return;
    }
  toy_dir = g_build_filename (test_shared_dir (), "models", "toy-clip", NULL);
  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  images = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "images");
  n = json_array_get_length (images);
  g_assert_cmpuint (n, >=, 6);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);
      g_autofree char *src = g_build_filename (ref_dir, json_object_get_string_member (image, "file"), NULL);
      const char *stem = json_object_get_string_member (image, "stem");

      g_ptr_array_add (paths, make_large_photo (src, fixture->dir, stem, "jpeg"));
      g_ptr_array_add (stems, (gpointer) stem);
      /* every other photo also as a lossy WebP (libwebp's scaling
       * decoder), the others as a PNG (libpng row by row, averaged in
       * d x d blocks): half the encoding time of both */
      g_ptr_array_add (paths, make_large_photo (src, fixture->dir, stem, i % 2 == 0 ? "webp" : "png"));
      g_ptr_array_add (stems, g_strconcat (stem, i % 2 == 0 ? ".webp" : ".png", NULL));
      g_ptr_array_add (owned, stems->pdata[stems->len - 1]);
    }
  /* Real wallpapers (gnome-backgrounds: 4096 x 4096 lossy WebPs, drawn
   * and photographic) where installed. */
  for (guint i = 0; i < G_N_ELEMENTS (real_wallpapers); i++)
    {
      g_autofree char *path = real_wallpapers[i][0] == '/' ? g_strdup (real_wallpapers[i])
                              : g_build_filename (WALLPAPER_DIR, real_wallpapers[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_test_message ("%s absent (gnome-backgrounds not installed)", path);
          continue;
        }
      g_ptr_array_add (paths, g_steal_pointer (&path));
      g_ptr_array_add (stems, (gpointer) real_wallpapers[i]);
    }
  n = paths->len;

  cosine_model_load (&models[0], "toy-clip", toy_dir, n);
  cosine_model_load (&models[1], "tiny-clip", tiny_dir, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsDecodedImage) full = cs_decode_file (paths->pdata[i], 0, &error);

      g_assert_no_error (error);
      /* the exact path (clipsight-cli preprocess) never reduces */
      g_assert_cmpint (full->scale_denom, ==, 1);
      for (guint k = 0; k < G_N_ELEMENTS (models); k++)
        {
          CosineModel *m = &models[k];
          g_autoptr(CsDecodedImage) fast = NULL;

          fast = cs_decode_file_for_size (paths->pdata[i], m->min_short_side, 0, &error);
          g_assert_no_error (error);
          g_assert_cmpint (fast->orig_width, ==, full->width);
          g_assert_cmpint (fast->orig_height, ==, full->height);
          g_assert_cmpint (MIN (fast->width, fast->height), >=, m->min_short_side);
          m->denom[i] = fast->scale_denom;
          preprocess_or_die (m, full, m->full + m->n_floats * i);
          preprocess_or_die (m, fast, m->fast + m->n_floats * i);
        }
    }

  for (guint k = 0; k < G_N_ELEMENTS (models); k++)
    {
      CosineModel *m = &models[k];
      int dim = clip_model_get_info (m->model)->embed_dim;
      g_autofree float *emb_full = g_new (float, (size_t) dim * n);
      g_autofree float *emb_fast = g_new (float, (size_t) dim * n);
      double worst = 1.0, worst_d = 0.0;
      const char *worst_name = "-";
      char *message = NULL;

      if (clip_encode_images (m->ctx, m->full, (int) n, emb_full, &message) != CLIP_STATUS_OK ||
          clip_encode_images (m->ctx, m->fast, (int) n, emb_fast, &message) != CLIP_STATUS_OK)
        g_error ("%s", message);
      for (guint i = 0; i < n; i++)
        {
          double cosine = test_cosine (emb_full + (size_t) dim * i, emb_fast + (size_t) dim * i, dim);
          double max_d = 0.0, sum_d = 0.0;

          for (size_t e = 0; e < m->n_floats; e++)
            {
              double d = fabs ((double) m->full[m->n_floats * i + e] - m->fast[m->n_floats * i + e]);

              max_d = MAX (max_d, d);
              sum_d += d;
            }
          g_test_message ("%-9s %-20s decoded at 1/%d: cosine %.6f, tensor max |d| %.3f, mean |d| %.4f",
                          m->label, (const char *) stems->pdata[i], m->denom[i], cosine, max_d,
                          sum_d / m->n_floats);
          g_assert_cmpfloat (cosine, >=, FAST_PATH_MIN_COSINE);
          if (cosine < worst)
            worst = cosine, worst_name = stems->pdata[i];
          worst_d = MAX (worst_d, max_d);
        }
      g_test_message ("%s: worst cosine %.6f (%s), worst tensor max |d| %.3f",
                      m->label, worst, worst_name, worst_d);
    }

  for (guint k = 0; k < G_N_ELEMENTS (models); k++)
    cosine_model_clear (&models[k]);
}

int
main (int    argc,
      char **argv)
{
  int status;

  /* No G_TEST_OPTION_ISOLATE_DIRS: these tests touch no XDG directory (files
   * go to test_make_temp_dir ()), and GLib 2.74 leaks the isolated paths,
   * which fails the AddressSanitizer build. */
  g_test_init (&argc, &argv, NULL);
  ref_dir = test_shared_path_or_skip ("testdata/clip-reference");

  g_test_add_func ("/library/decode/golden", test_golden);
  g_test_add_func ("/library/decode/golden-layout", test_golden_layout);
  g_test_add ("/library/decode/exif-orientation", TempFixture, NULL,
              temp_setup, test_exif_orientation, temp_teardown);
  g_test_add ("/library/decode/palette-png", TempFixture, NULL,
              temp_setup, test_palette_png, temp_teardown);
  g_test_add ("/library/decode/bilevel-png", TempFixture, NULL,
              temp_setup, test_bilevel_png, temp_teardown);
  g_test_add ("/library/decode/rgb-png-colour-key", TempFixture, NULL,
              temp_setup, test_rgb_png_colour_key, temp_teardown);
  g_test_add ("/library/decode/gif", TempFixture, NULL,
              temp_setup, test_gif, temp_teardown);
  g_test_add ("/library/decode/gif-transparent", TempFixture, NULL,
              temp_setup, test_gif_transparent, temp_teardown);
  g_test_add ("/library/decode/bmp-palette", TempFixture, NULL,
              temp_setup, test_bmp_palette, temp_teardown);
  g_test_add ("/library/decode/bomb-png", TempFixture, NULL,
              temp_setup, test_bomb_png, temp_teardown);
  g_test_add ("/library/decode/bomb-jpeg", TempFixture, NULL,
              temp_setup, test_bomb_jpeg, temp_teardown);
  g_test_add ("/library/decode/bomb-webp", TempFixture, NULL,
              temp_setup, test_bomb_webp, temp_teardown);
  g_test_add ("/library/decode/bomb-heif", TempFixture, NULL,
              temp_setup, test_bomb_heif, temp_teardown);
  g_test_add ("/library/decode/bomb-raw", TempFixture, NULL,
              temp_setup, test_bomb_raw, temp_teardown);
  g_test_add ("/library/decode/bomb-tiff", TempFixture, NULL,
              temp_setup, test_bomb_tiff, temp_teardown);
  g_test_add ("/library/decode/truncated-webp", TempFixture, NULL,
              temp_setup, test_truncated_webp, temp_teardown);
  g_test_add ("/library/decode/heif-without-size", TempFixture, NULL,
              temp_setup, test_heif_without_size, temp_teardown);
  g_test_add_func ("/library/decode/max-pixels", test_max_pixels);
  g_test_add ("/library/decode/empty", TempFixture, NULL,
              temp_setup, test_empty_file, temp_teardown);
  g_test_add ("/library/decode/truncated-jpeg", TempFixture, NULL,
              temp_setup, test_truncated_jpeg, temp_teardown);
  g_test_add ("/library/decode/truncated-png", TempFixture, NULL,
              temp_setup, test_truncated_png, temp_teardown);
  g_test_add ("/library/decode/corrupt-png", TempFixture, NULL,
              temp_setup, test_corrupt_png, temp_teardown);
  g_test_add ("/library/decode/text-as-jpeg", TempFixture, NULL,
              temp_setup, test_text_as_jpeg, temp_teardown);
  g_test_add ("/library/decode/nonexistent", TempFixture, NULL,
              temp_setup, test_nonexistent, temp_teardown);
  g_test_add_func ("/library/decode/engine-error", test_engine_error);
  g_test_add ("/library/decode/file-unchanged", TempFixture, NULL,
              temp_setup, test_file_unchanged, temp_teardown);
  g_test_add ("/library/decode/for-size/range", TempFixture, NULL,
              temp_setup, test_for_size_range, temp_teardown);
  g_test_add ("/library/decode/for-size/orientation", TempFixture, NULL,
              temp_setup, test_for_size_orientation, temp_teardown);
  g_test_add_func ("/library/decode/for-size/full-size", test_for_size_full_size);
  g_test_add_func ("/library/decode/for-size/view", test_for_size_view);
  g_test_add ("/library/decode/for-size/limits", TempFixture, NULL,
              temp_setup, test_for_size_limits, temp_teardown);
  g_test_add_func ("/library/decode/for-size/200-megapixels", test_for_size_200_megapixels);
  g_test_add ("/library/decode/for-size/webp", TempFixture, NULL,
              temp_setup, test_for_size_webp, temp_teardown);
  g_test_add ("/library/decode/for-size/png", TempFixture, NULL,
              temp_setup, test_for_size_png, temp_teardown);
  g_test_add ("/library/decode/for-size/png-memory", TempFixture, NULL,
              temp_setup, test_for_size_png_memory, temp_teardown);
  g_test_add ("/library/decode/estimate-bytes", TempFixture, NULL,
              temp_setup, test_estimate_bytes, temp_teardown);
  g_test_add ("/library/decode/progressive-dc", TempFixture, NULL,
              temp_setup, test_progressive_dc, temp_teardown);
  g_test_add ("/library/decode/progressive-dc/hostile", TempFixture, NULL,
              temp_setup, test_progressive_dc_hostile, temp_teardown);
  g_test_add ("/library/decode/progressive-dc/memory", TempFixture, NULL,
              temp_setup, test_progressive_dc_memory, temp_teardown);
  g_test_add_func ("/library/decode/pixel-budget", test_pixel_budget);
  g_test_add_func ("/library/decode/pixel-budget-mmap", test_pixel_budget_mmap);
  g_test_add ("/library/decode/for-size/embedding-cosine", TempFixture, NULL,
              temp_setup, test_fast_path_cosine, temp_teardown);

  status = g_test_run ();
  g_free (ref_dir);
  return status;
}
