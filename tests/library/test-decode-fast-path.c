/* test-decode-fast-path.c - the reduced-size path against the exact one:
 * embeddings of the golden photos enlarged to 12 megapixels (as JPEG, WebP
 * and PNG) and of installed wallpapers within cosine 0.995 with the trained
 * toy-clip and the random tiny-clip.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <stdio.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-decode-clip.h"
#include "decode-test-util.h"

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
  g_autofree char *manifest = g_build_filename (decode_test_ref_dir, "manifest.json", NULL);
  g_autofree char *tiny_dir = g_build_filename (decode_test_ref_dir, "tiny-clip", NULL);
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
      g_autofree char *src = g_build_filename (decode_test_ref_dir, json_object_get_string_member (image, "file"), NULL);
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

void
decode_test_add_fast_path (void)
{
  DECODE_TEST_ADD ("for-size/embedding-cosine", test_fast_path_cosine);
}
