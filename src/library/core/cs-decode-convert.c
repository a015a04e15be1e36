/* cs-decode-convert.c - decoded pixels as the engine wants them: GIF
 * colour keys, alpha dropped, and the views (cropped to what
 * clip_preprocess() reads) handed to the engine.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-decode"

#include <math.h>
#include <string.h>

#include "cs-decode-private.h"


/* Gives fully transparent pixels the GIF's transparent palette colour. */
void
cs_decode_paint_key_colour (GdkPixbuf    *pixbuf,
                            const guint8 *rgb)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    {
      guint8 *p = pixels + (gsize) y * stride;

      for (int x = 0; x < width; x++, p += 4)
        if (p[3] == 0)
          memcpy (p, rgb, 3);
    }
}

/* A copy of an RGBA pixbuf without its alpha channel. */
GdkPixbuf *
cs_decode_strip_alpha (GdkPixbuf *src)
{
  int width = gdk_pixbuf_get_width (src);
  int height = gdk_pixbuf_get_height (src);
  int src_stride = gdk_pixbuf_get_rowstride (src);
  const guint8 *src_pixels = gdk_pixbuf_read_pixels (src);
  GdkPixbuf *dst = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int dst_stride;
  guint8 *dst_pixels;

  if (dst == NULL)
    return NULL;
  dst_stride = gdk_pixbuf_get_rowstride (dst);
  dst_pixels = gdk_pixbuf_get_pixels (dst);
  for (int y = 0; y < height; y++)
    {
      const guint8 *s = src_pixels + (gsize) y * src_stride;
      guint8 *d = dst_pixels + (gsize) y * dst_stride;

      for (int x = 0; x < width; x++, s += 4, d += 3)
        {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
    }
  return dst;
}

void
cs_decoded_image_free (CsDecodedImage *image)
{
  if (image == NULL)
    return;
  g_clear_object (&image->owner);
  g_free (image);
}

clip_image
cs_decoded_image_as_clip (const CsDecodedImage *image)
{
  clip_image view = { 0 };

  g_return_val_if_fail (image != NULL, view);

  view.pixels = image->pixels;
  view.width = image->width;
  view.height = image->height;
  view.stride = image->stride;
  view.format = image->channels == 4 ? CLIP_PIXELS_RGBA8 : CLIP_PIXELS_RGB8;
  view.nearest = image->nearest;
  return view;
}

/* clip_preprocess()'s resized size: the short side `edge`, the long side
 * floor (edge x long / short). */
static void
resized_size (int  width,
              int  height,
              int  edge,
              int *out_width,
              int *out_height)
{
  gboolean landscape = width > height;
  gint64 s = landscape ? height : width;
  gint64 l = landscape ? width : height;
  int long_side = (int) MIN ((gint64) edge * l / s, G_MAXINT);

  *out_width = landscape ? long_side : edge;
  *out_height = landscape ? edge : long_side;
}

/* How many columns or rows a view may leave out. */
#define VIEW_TRIM_MAX 8

typedef struct {
  int    start;   /* first reduced pixel of the view */
  double error;   /* resized pixels between the two mappings, at worst */
} AxisFit;

/* Along one axis: the full image maps resized coordinate p (0..out) to
 * source coordinate p x orig / out, a view of `size` reduced pixels from
 * `start` to d x (start + p x size / out).  Over the crop (centred, `crop`
 * long) the difference is linear in p: places the view to balance it at
 * the crop's two ends. */
static AxisFit
fit_axis (int decoded,
          int size,
          int d,
          int orig,
          int out,
          int crop)
{
  double slope = ((double) d * size - orig) / out;   /* source pixels per resized pixel */
  double lo = (out - crop) / 2.0, hi = (out + crop) / 2.0;
  AxisFit fit;

  fit.start = CLAMP ((int) lround (-(lo + hi) / 2.0 * slope / d), 0, decoded - size);
  fit.error = MAX (fabs (d * fit.start + lo * slope), fabs (d * fit.start + hi * slope)) * out / orig;
  return fit;
}

clip_image
cs_decoded_image_as_clip_for (const CsDecodedImage         *image,
                              const clip_preprocess_params *pp)
{
  clip_image view = { 0 };
  int d, want_w, want_h;
  double best = G_MAXDOUBLE;

  g_return_val_if_fail (image != NULL, view);
  g_return_val_if_fail (pp != NULL, view);

  view = cs_decoded_image_as_clip (image);
  d = image->scale_denom;
  if (d <= 1 || !pp->do_resize || image->orig_width <= 0 || image->orig_height <= 0)
    return view;

  /* SigLIP's processors resize straight to a fixed size (clip.h): any
   * view gives that size, so the one whose source window is closest to
   * the full image's over the whole output (or its crop) is chosen */
  if (pp->resize_width > 0 && pp->resize_height > 0)
    {
      for (int w = image->width; w >= MAX (1, image->width - VIEW_TRIM_MAX); w--)
        for (int h = image->height; h >= MAX (1, image->height - VIEW_TRIM_MAX); h--)
          {
            AxisFit fx = fit_axis (image->width, w, d, image->orig_width, pp->resize_width,
                                   pp->do_center_crop ? pp->crop_width : pp->resize_width);
            AxisFit fy = fit_axis (image->height, h, d, image->orig_height, pp->resize_height,
                                   pp->do_center_crop ? pp->crop_height : pp->resize_height);

            if (MAX (fx.error, fy.error) < best)
              {
                best = MAX (fx.error, fy.error);
                view.pixels = image->pixels + (gsize) fy.start * image->stride +
                              (gsize) fx.start * image->channels;
                view.width = w;
                view.height = h;
              }
          }
      return view;
    }
  if (pp->shortest_edge <= 0)
    return view;

  resized_size (image->orig_width, image->orig_height, pp->shortest_edge, &want_w, &want_h);
  for (int w = image->width; w >= MAX (1, image->width - VIEW_TRIM_MAX); w--)
    for (int h = image->height; h >= MAX (1, image->height - VIEW_TRIM_MAX); h--)
      {
        int out_w, out_h;
        AxisFit fx, fy;

        resized_size (w, h, pp->shortest_edge, &out_w, &out_h);
        if (out_w != want_w || out_h != want_h)
          continue;
        fx = fit_axis (image->width, w, d, image->orig_width, out_w,
                       pp->do_center_crop ? pp->crop_width : out_w);
        fy = fit_axis (image->height, h, d, image->orig_height, out_h,
                       pp->do_center_crop ? pp->crop_height : out_h);
        if (MAX (fx.error, fy.error) < best)
          {
            best = MAX (fx.error, fy.error);
            view.pixels = image->pixels + (gsize) fy.start * image->stride +
                          (gsize) fx.start * image->channels;
            view.width = w;
            view.height = h;
          }
      }
  return view;
}

