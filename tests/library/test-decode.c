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
 *
 * This file holds main(), the golden tests and the pixel budget; the
 * others are added by test-decode-formats.c (orientations, palette PNGs,
 * GIFs, BMPs), -bombs.c, -refusals.c (files refused, engine errors, files
 * left unchanged), -reduced.c (the reduced-size path and the estimates),
 * -progressive.c (the DC decoder) and -fast-path.c (the embeddings).
 */
#include <malloc.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-decode-clip.h"
#include "cs-pixel-budget.h"
#include "decode-test-util.h"

/* README "Recommended tolerances": preprocessing. */
#define GOLDEN_MAX_ABS  0.02
#define GOLDEN_MEAN_ABS 0.002

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
  g_autofree char *config = g_build_filename (decode_test_ref_dir, "tiny-clip", "preprocessor_config.json", NULL);
  g_autofree char *manifest = g_build_filename (decode_test_ref_dir, "manifest.json", NULL);
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
      g_autofree char *path = g_build_filename (decode_test_ref_dir, file, NULL);
      g_autofree char *f32 = g_strdup_printf ("%s/preprocess/%s.f32", decode_test_ref_dir, stem);
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
      g_autofree char *path = g_build_filename (decode_test_ref_dir, "images", cases[i].file, NULL);
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

int
main (int    argc,
      char **argv)
{
  int status;

  /* No G_TEST_OPTION_ISOLATE_DIRS: these tests touch no XDG directory (files
   * go to test_make_temp_dir ()), and GLib 2.74 leaks the isolated paths,
   * which fails the AddressSanitizer build. */
  g_test_init (&argc, &argv, NULL);
  decode_test_ref_dir = test_shared_path_or_skip ("testdata/clip-reference");

  g_test_add_func ("/library/decode/golden", test_golden);
  g_test_add_func ("/library/decode/golden-layout", test_golden_layout);
  decode_test_add_formats ();
  decode_test_add_bombs ();
  decode_test_add_refusals ();
  decode_test_add_reduced ();
  decode_test_add_progressive ();
  g_test_add_func ("/library/decode/pixel-budget", test_pixel_budget);
  g_test_add_func ("/library/decode/pixel-budget-mmap", test_pixel_budget_mmap);
  decode_test_add_fast_path ();

  status = g_test_run ();
  g_free (decode_test_ref_dir);
  return status;
}
