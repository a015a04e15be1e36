/* cli-bench-photos.c - the photos of `clipsight-cli bench --photos`:
 * generated ones (--make-photos) and the listing of a folder's.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cs-raw.h"
#include "cs-scanner.h"

#include "cli-bench.h"

/* Generated photos: 12 megapixels, as a phone camera's. */
#define MADE_WIDTH  4000
#define MADE_HEIGHT 3000

/* ------------------------------------------------------ generated photos */

static guint32
xorshift32 (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* A photo-like picture: per channel a plane, a broad product of two waves
 * and a finer one (texture), some soft-edged ellipses, and sensor-like
 * noise; at quality 90 it compresses to about what a 12-megapixel phone
 * photo does. */
static GdkPixbuf *
make_photo_pixbuf (guint32 seed)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, MADE_WIDTH, MADE_HEIGHT);
  g_autofree float *wave_x = NULL, *wave_y = NULL, *fine_x = NULL, *fine_y = NULL;
  GRand *rand;
  guint8 *pixels;
  int stride;
  float base[3], gx[3], gy[3], amp[3], fine_amp[3];
  guint32 noise = seed * 2654435761u + 1;

  if (pixbuf == NULL)
    return NULL;
  rand = g_rand_new_with_seed (seed);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  wave_x = g_new (float, 3 * MADE_WIDTH);
  wave_y = g_new (float, 3 * MADE_HEIGHT);
  fine_x = g_new (float, 3 * MADE_WIDTH);
  fine_y = g_new (float, 3 * MADE_HEIGHT);
  for (int c = 0; c < 3; c++)
    {
      double fx = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / MADE_WIDTH;
      double fy = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / MADE_HEIGHT;
      double px = g_rand_double_range (rand, 0, 2 * G_PI), py = g_rand_double_range (rand, 0, 2 * G_PI);
      double ffx = g_rand_double_range (rand, 100, 400) * 2 * G_PI / MADE_WIDTH;
      double ffy = g_rand_double_range (rand, 100, 400) * 2 * G_PI / MADE_HEIGHT;

      base[c] = (float) g_rand_double_range (rand, 40, 200);
      gx[c] = (float) g_rand_double_range (rand, -60, 60) / MADE_WIDTH;
      gy[c] = (float) g_rand_double_range (rand, -60, 60) / MADE_HEIGHT;
      amp[c] = (float) g_rand_double_range (rand, 10, 50);
      fine_amp[c] = (float) g_rand_double_range (rand, 4, 12);
      for (int x = 0; x < MADE_WIDTH; x++)
        {
          wave_x[c * MADE_WIDTH + x] = (float) sin (fx * x + px);
          fine_x[c * MADE_WIDTH + x] = (float) sin (ffx * x + px + x * x * 1e-5);
        }
      for (int y = 0; y < MADE_HEIGHT; y++)
        {
          wave_y[c * MADE_HEIGHT + y] = (float) cos (fy * y + py);
          fine_y[c * MADE_HEIGHT + y] = (float) cos (ffy * y + py + y * y * 1e-5);
        }
    }
  for (int y = 0; y < MADE_HEIGHT; y++)
    {
      guint8 *p = pixels + (gsize) y * stride;

      for (int x = 0; x < MADE_WIDTH; x++, p += 3)
        for (int c = 0; c < 3; c++)
          {
            float v = base[c] + gx[c] * x + gy[c] * y
                      + amp[c] * wave_x[c * MADE_WIDTH + x] * wave_y[c * MADE_HEIGHT + y]
                      + fine_amp[c] * fine_x[c * MADE_WIDTH + x] * fine_y[c * MADE_HEIGHT + y]
                      + (float) (xorshift32 (&noise) & 31) - 15.5f;

            p[c] = (guint8) CLAMP (v, 0.0f, 255.0f);
          }
    }
  /* Objects: ellipses blended in over a soft edge. */
  for (int k = 0; k < 8; k++)
    {
      double cx = g_rand_double_range (rand, 0, MADE_WIDTH), cy = g_rand_double_range (rand, 0, MADE_HEIGHT);
      double rx = g_rand_double_range (rand, 100, 900), ry = g_rand_double_range (rand, 100, 900);
      guint8 colour[3] = { g_rand_int_range (rand, 0, 256), g_rand_int_range (rand, 0, 256),
                           g_rand_int_range (rand, 0, 256) };
      int x0 = MAX (0, (int) (cx - rx)), x1 = MIN (MADE_WIDTH, (int) (cx + rx) + 1);
      int y0 = MAX (0, (int) (cy - ry)), y1 = MIN (MADE_HEIGHT, (int) (cy + ry) + 1);

      for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
          {
            double dx = (x - cx) / rx, dy = (y - cy) / ry;
            double r = sqrt (dx * dx + dy * dy);
            double a = CLAMP ((1.0 - r) * 20.0, 0.0, 0.85);   /* soft edge */
            guint8 *p = pixels + (gsize) y * stride + (gsize) x * 3;

            if (a <= 0)
              continue;
            for (int c = 0; c < 3; c++)
              p[c] = (guint8) lround (p[c] * (1 - a) + colour[c] * a);
          }
    }
  g_rand_free (rand);
  return pixbuf;
}

gboolean
make_photos (const char *folder,
             int         n,
             gboolean    verbose,
             GError    **error)
{
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *name = g_filename_display_name (folder);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", name, g_strerror (saved));
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      g_autofree char *base = g_strdup_printf ("bench-%05d.jpg", i + 1);
      g_autofree char *path = g_build_filename (folder, base, NULL);
      g_autoptr(GdkPixbuf) pixbuf = make_photo_pixbuf ((guint32) i + 1);

      if (pixbuf == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               "not enough memory for a generated photo");
          return FALSE;
        }
      if (!gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "90", NULL))
        return FALSE;
      if (verbose)
        {
          fprintf (stderr, "\rwriting photos: %d/%d", i + 1, n);
          fflush (stderr);
        }
    }
  if (verbose && n > 0)
    fputc ('\n', stderr);
  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The photos of `folder` (not of its subfolders), sorted; raw camera
 * files are left out (their previews take another path). */
GPtrArray *
list_photos (const char *folder,
             GError    **error)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, error);
  GPtrArray *photos;
  const char *name;

  if (dir == NULL)
    return NULL;
  photos = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!cs_scanner_is_photo_name (name) || cs_raw_is_raw_name (name))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (photos, g_steal_pointer (&path));
    }
  g_ptr_array_sort (photos, compare_paths);
  return photos;
}

/* Removes the files of a temporary folder of ours, then the folder. */
void
remove_temp_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
}
