/* cs-blank.c - the "nearly blank" statistic of a photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Computed by the indexer from its decode and by the duplicate search for
 * photos indexed before the indexer stored it.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>

#include "cs-blank.h"
#include "cs-decode.h"

/* The statistic is computed on a fixed grid of cell means, not on the
 * pixels as decoded: the indexer has a decode of at least twice the
 * model's input, the duplicate search (for photos indexed before the
 * indexer stored it) a decode of at least 32 pixels, and per-pixel noise
 * shrinks with every downscale, so raw-pixel deviations of one photo
 * differ between the two (a noisy grey 800 x 600 JPEG: 8.8 from one, 4.4 from the
 * other, on both sides of the threshold).  Cell means over a fixed grid
 * are area averages of the same regions of the picture, whatever the
 * decode's size. */
#define BLANK_GRID 32

double
cs_blank_pixel_stddev (const guint8 *pixels,
                            int           width,
                            int           height,
                            int           stride,
                            int           bytes_per_pixel)
{
  int n_colour = MIN (bytes_per_pixel, 3);   /* alpha does not count */
  double sum[3] = { 0 }, sum2[3] = { 0 }, worst = 0;
  int n = 0;

  if (width <= 0 || height <= 0 || n_colour <= 0)
    return 0;
  for (int gy = 0; gy < BLANK_GRID; gy++)
    {
      /* each cell covers whole pixels, at least one (small images repeat
       * pixels over several cells) */
      int y0 = (int) ((gint64) gy * height / BLANK_GRID);
      int y1 = MAX (y0 + 1, (int) ((gint64) (gy + 1) * height / BLANK_GRID));

      for (int gx = 0; gx < BLANK_GRID; gx++)
        {
          int x0 = (int) ((gint64) gx * width / BLANK_GRID);
          int x1 = MAX (x0 + 1, (int) ((gint64) (gx + 1) * width / BLANK_GRID));
          double cell[3] = { 0 };
          double count = (double) (x1 - x0) * (y1 - y0);

          for (int y = y0; y < y1; y++)
            {
              const guint8 *row = pixels + (gsize) y * stride;

              for (int x = x0; x < x1; x++)
                for (int c = 0; c < n_colour; c++)
                  cell[c] += row[(gsize) x * bytes_per_pixel + c];
            }
          for (int c = 0; c < n_colour; c++)
            {
              double mean = cell[c] / count;

              sum[c] += mean;
              sum2[c] += mean * mean;
            }
          n++;
        }
    }
  for (int c = 0; c < n_colour; c++)
    {
      double mean = sum[c] / n, var = sum2[c] / n - mean * mean;
      worst = MAX (worst, sqrt (MAX (var, 0.0)));
    }
  return worst;
}

double
cs_blank_file_stddev (const char *path)
{
  g_autoptr(CsDecodedImage) img = cs_decode_file_for_size (path, 32, 0, NULL);

  if (img == NULL)
    return -1;
  return cs_blank_pixel_stddev (img->pixels, img->width, img->height, img->stride, img->channels);
}

gboolean
cs_blank_is_blank (const char *path)
{
  double stddev = cs_blank_file_stddev (path);

  return stddev < CS_BLANK_STDDEV;
}
