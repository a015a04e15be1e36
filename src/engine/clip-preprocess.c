/* clip-preprocess.c - an 8-bit image buffer to the tensor CLIP's image
 * encoder takes, exactly as the reference (torchvision on Pillow 9.4) does.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The steps and why each is done the way it is:
 *
 *  1. Resize so the short side is `shortest_edge` and the long side
 *     floor(shortest_edge * long / short) (torchvision truncates with int()).
 *     Pillow's `Image.resize (size, BICUBIC)` on 8-bit data is separable:
 *     a horizontal pass, then a vertical one, each with 22-bit fixed-point
 *     weights and each rounded and clamped to uint8.  A pass is skipped when
 *     its dimension does not change, and nothing is resampled when neither
 *     does.  The intermediate rounding is part of the answer: a float
 *     resampler misses the goldens by up to six levels.
 *  2. Pillow forces nearest neighbour for palette and 1-bit images
 *     (`clip_image.nearest`), resamples RGBA premultiplied ("RGBa") and
 *     grayscale as one channel.
 *  3. Centre crop with Python's round() (half to even), or zero padding
 *     when the resized image is smaller than the crop (torchvision pads,
 *     then crops).
 *  4. v / 255 and (x - mean) / std, in float32, as torch does; this file is
 *     built with -ffp-contract=off so no multiply-add is fused.
 *
 * Only the output pixels inside the crop window are computed: every output
 * pixel of Pillow's resampler depends only on its own row and column
 * coefficients, so computing a subset gives the same numbers while a very
 * wide panorama costs no more than the 224 columns kept.
 *
 * Flags (`clip_preprocess_params`):
 *  - do_resize = 0: the image is used at its own size.
 *  - do_center_crop = 0: no crop; the (resized) image must then already be
 *    crop_width x crop_height, or the call fails with
 *    CLIP_STATUS_INVALID_ARGUMENT, because the output size is fixed.
 *  - rescale_factor: x = v * rescale_factor.  When it is 1/255 (the only
 *    value CLIP checkpoints use) or 0 (unset), x = v / 255.0f, a true
 *    division as torchvision's ToTensor() computes, which differs from the
 *    product with (float) (1/255) in the last bit for some v.
 *  - do_normalize = 0: x is written as is; otherwise (x - mean) / std.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "clip-private.h"

/* Pillow's 8-bit resampler: 32 bits minus 8 for the value, minus 2 of
 * headroom for the kernel's negative lobes and overshoot. */
#define PRECISION_BITS 22

/* The kernels' support in input pixels at scale 1: cubic (a = -0.5) and
 * Pillow's bilinear (a triangle). */
#define BICUBIC_SUPPORT 2.0
#define BILINEAR_SUPPORT 1.0

/* One axis (x or y) of the resize and the crop. */
typedef struct {
  int       in_size;   /* source pixels */
  int       out_size;  /* pixels after the resize */
  int       crop;      /* output pixels */
  int       offset;    /* resized index of output index 0; negative: padding */
  int       first;     /* output indices [first, first + count) lie inside */
  int       count;     /*   the resized image; the others are padding */
  gboolean  resample;  /* in_size != out_size */

  /* Bicubic, per valid output index i (0-based from `first`): taps
   * src_min + bounds[2i] .. src_min + bounds[2i] + bounds[2i+1] - 1,
   * weights at coeffs[i * ksize]. */
  int       ksize;
  int      *bounds;
  int32_t  *coeffs;
  int       src_min;   /* source indices the valid outputs read: [min, max) */
  int       src_max;

  /* Nearest, per valid output index: the source index, -1 for "fill". */
  int      *nearest;
} axis_plan;

static void
axis_plan_clear (axis_plan *plan)
{
  g_clear_pointer (&plan->bounds, g_free);
  g_clear_pointer (&plan->coeffs, g_free);
  g_clear_pointer (&plan->nearest, g_free);
}

/* Pillow's bicubic kernel (a = -0.5), written with the same operations in
 * the same order so the double results, hence the rounded fixed-point
 * weights, are the same. */
static double
bicubic_kernel (double x)
{
  const double a = -0.5;

  if (x < 0.0)
    x = -x;
  if (x < 1.0)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/* Pillow's bilinear_filter: the triangle, antialiased like the cubic by
 * the support scaling of axis_plan_filter. */
static double
bilinear_kernel (double x)
{
  if (x < 0.0)
    x = -x;
  if (x < 1.0)
    return 1.0 - x;
  return 0.0;
}

/* Where the crop window sits on this axis: torchvision's center_crop.
 * When the image is at least as large as the crop, the offset is
 * round((size - crop) / 2) with round half to even (Python's round);
 * otherwise the image is padded with (crop - size) // 2 zeros before
 * and the rest after. */
static void
axis_place_crop (axis_plan *plan)
{
  if (plan->out_size >= plan->crop)
    {
      /* nearbyint rounds half to even in the default rounding mode. */
      plan->offset = (int) nearbyint ((plan->out_size - plan->crop) / 2.0);
    }
  else
    {
      plan->offset = -((plan->crop - plan->out_size) / 2);
    }
  plan->first = MAX (0, -plan->offset);
  plan->count = MIN (plan->crop, plan->out_size - plan->offset) - plan->first;
  g_assert (plan->count > 0);
}

/* Pillow's precompute_coeffs + normalize_coeffs_8bpc for the valid output
 * indices of this axis. */
static clip_status
axis_plan_filter (axis_plan *plan,
                  int        resample,
                  char     **error)
{
  /* Pillow passes the box as floats: (double) (float) in_size. */
  double scale = (double) (float) plan->in_size / plan->out_size;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  gboolean bilinear = resample == CLIP_RESAMPLE_BILINEAR;
  double (*kernel) (double) = bilinear ? bilinear_kernel : bicubic_kernel;
  double support = (bilinear ? BILINEAR_SUPPORT : BICUBIC_SUPPORT) * filterscale;
  double ss = 1.0 / filterscale;
  double *w;

  if (support > (INT_MAX / 2 - 1) / 2.0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "cannot resize %d pixels to %d: scale too large",
                           plan->in_size, plan->out_size);
  plan->ksize = (int) ceil (support) * 2 + 1;
  if ((size_t) plan->count > SIZE_MAX / sizeof (int32_t) / (size_t) plan->ksize)
    return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                           "resize coefficients do not fit in memory");

  plan->bounds = g_try_new (int, 2 * (size_t) plan->count);
  plan->coeffs = g_try_new0 (int32_t, (size_t) plan->count * plan->ksize);
  w = g_try_new (double, plan->ksize);
  if (plan->bounds == NULL || plan->coeffs == NULL || w == NULL)
    {
      g_free (w);
      return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                             "resize coefficients do not fit in memory");
    }

  plan->src_min = plan->in_size;
  plan->src_max = 0;
  for (int i = 0; i < plan->count; i++)
    {
      int xx = plan->first + i + plan->offset;   /* resized index */
      double center = (xx + 0.5) * scale;
      double ww = 0.0;
      int xmin = (int) (center - support + 0.5);
      int xmax = (int) (center + support + 0.5);
      int32_t *k = plan->coeffs + (size_t) i * plan->ksize;

      if (xmin < 0)
        xmin = 0;
      if (xmax > plan->in_size)
        xmax = plan->in_size;
      xmax -= xmin;
      g_assert (xmax >= 0 && xmax <= plan->ksize);

      for (int x = 0; x < xmax; x++)
        {
          w[x] = kernel ((x + xmin - center + 0.5) * ss);
          ww += w[x];
        }
      for (int x = 0; x < xmax; x++)
        {
          double v = ww != 0.0 ? w[x] / ww : w[x];

          /* 22-bit fixed point, rounding away from zero. */
          if (v < 0)
            k[x] = (int32_t) (-0.5 + v * (1 << PRECISION_BITS));
          else
            k[x] = (int32_t) (0.5 + v * (1 << PRECISION_BITS));
        }
      plan->bounds[2 * i] = xmin;
      plan->bounds[2 * i + 1] = xmax;
      if (xmax > 0)
        {
          plan->src_min = MIN (plan->src_min, xmin);
          plan->src_max = MAX (plan->src_max, xmin + xmax);
        }
    }
  g_free (w);
  if (plan->src_min >= plan->src_max)
    plan->src_min = plan->src_max = 0;
  /* Make the taps relative to the first source index read, so the passes
   * only touch (and, for RGBA, premultiply) the pixels they need. */
  for (int i = 0; i < plan->count; i++)
    plan->bounds[2 * i] = plan->bounds[2 * i + 1] > 0 ? plan->bounds[2 * i] - plan->src_min : 0;
  return CLIP_STATUS_OK;
}

/* Pillow's ImagingScaleAffine (what resize with NEAREST runs): the source
 * coordinate starts at scale / 2 and the scale is *added* once per output
 * pixel, so the rounding of the running sum is reproduced here by walking
 * the same sum up to the last index the crop needs. */
static clip_status
axis_plan_nearest (axis_plan *plan,
                   char     **error)
{
  double a = (double) (float) plan->in_size / plan->out_size;
  double pos = a * 0.5;
  int end = plan->first + plan->count + plan->offset;   /* resized, exclusive */
  int start = plan->first + plan->offset;

  plan->nearest = g_try_new (int, plan->count);
  if (plan->nearest == NULL)
    return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                           "resize table does not fit in memory");
  for (int xx = 0; xx < end; xx++)
    {
      if (xx >= start)
        {
          /* Pillow's COORD(): negative coordinates are out of range. */
          int src = pos < 0.0 ? -1 : (int) pos;

          plan->nearest[xx - start] = src >= 0 && src < plan->in_size ? src : -1;
        }
      pos += a;
    }
  return CLIP_STATUS_OK;
}

static inline uint8_t
clamp8_fixed (int32_t acc)
{
  /* Arithmetic shift, as Pillow's clip8() does before its lookup table. */
  int32_t v = acc >> PRECISION_BITS;

  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t) v;
}

/* Pillow's RGBA -> RGBa: c * a / 255 rounded, in integers. */
static inline uint8_t
premultiply (unsigned c,
             unsigned a)
{
  unsigned t = c * a + 128;

  return (uint8_t) (((t >> 8) + t) >> 8);
}

/* Pillow's RGBa -> RGBA. */
static inline uint8_t
unpremultiply (unsigned c,
               unsigned a)
{
  unsigned v;

  if (a == 0 || a == 255)
    return (uint8_t) c;
  v = (255 * c) / a;
  return v > 255 ? 255 : (uint8_t) v;
}

/* One row of the horizontal pass.  `src` points at source column 0 of the
 * row (in `nc` channels), `dst` receives h->count pixels.  Kept inline with
 * a constant `nc` at each call so the channel loop unrolls. */
static inline void
resample_row (const axis_plan *h,
              const uint8_t   *src,
              uint8_t         *dst,
              int              nc)
{
  for (int i = 0; i < h->count; i++)
    {
      const int32_t *k = h->coeffs + (size_t) i * h->ksize;
      const uint8_t *p = src + (size_t) h->bounds[2 * i] * nc;
      int n = h->bounds[2 * i + 1];
      int32_t acc[4];

      for (int c = 0; c < nc; c++)
        acc[c] = 1 << (PRECISION_BITS - 1);
      for (int t = 0; t < n; t++)
        for (int c = 0; c < nc; c++)
          acc[c] += p[t * nc + c] * k[t];
      for (int c = 0; c < nc; c++)
        dst[i * nc + c] = clamp8_fixed (acc[c]);
    }
}

static void
resample_row_nc (const axis_plan *h,
                 const uint8_t   *src,
                 uint8_t         *dst,
                 int              nc)
{
  switch (nc)
    {
    case 1: resample_row (h, src, dst, 1); break;
    case 3: resample_row (h, src, dst, 3); break;
    case 4: resample_row (h, src, dst, 4); break;
    default: g_assert_not_reached ();
    }
}

/* Per channel, the float each 8-bit value becomes. */
static void
build_lut (const clip_preprocess_params *params,
           float                         lut[3][256])
{
  const float k255 = (float) (1.0 / 255.0);
  float factor = params->rescale_factor;
  gboolean divide = factor == 0.0f || fabsf (factor - k255) <= k255 * 1e-6f;

  for (int c = 0; c < 3; c++)
    for (int v = 0; v < 256; v++)
      {
        float x = divide ? (float) v / 255.0f : (float) v * factor;

        if (params->do_normalize)
          {
            x = x - params->mean[c];
            x = x / params->std[c];
          }
        lut[c][v] = x;
      }
}

/* Writes pixel (R, G, B) at output (oy, ox). */
static inline void
store_pixel (float       *out,
             size_t       plane,
             int          crop_w,
             int          oy,
             int          ox,
             float        lut[3][256],
             unsigned     r,
             unsigned     g,
             unsigned     b)
{
  size_t at = (size_t) oy * crop_w + ox;

  out[at] = lut[0][r];
  out[plane + at] = lut[1][g];
  out[2 * plane + at] = lut[2][b];
}

static void
preprocess_nearest (const clip_image *image,
                    const axis_plan  *h,
                    const axis_plan  *v,
                    float            *out,
                    float             lut[3][256])
{
  int bpp = (int) image->format;
  size_t plane = (size_t) v->crop * h->crop;

  for (int j = 0; j < v->count; j++)
    {
      int sy = v->nearest[j];
      const uint8_t *row = sy >= 0 ? image->pixels + (size_t) sy * image->stride : NULL;

      for (int i = 0; i < h->count; i++)
        {
          int sx = h->nearest[i];
          unsigned r = 0, g = 0, b = 0;

          /* Pillow fills pixels mapped outside the source with zeros. */
          if (row != NULL && sx >= 0)
            {
              const uint8_t *p = row + (size_t) sx * bpp;

              r = p[0];
              g = bpp == 1 ? p[0] : p[1];
              b = bpp == 1 ? p[0] : p[2];
            }
          store_pixel (out, plane, h->crop, v->first + j, h->first + i, lut, r, g, b);
        }
    }
}

static clip_status
preprocess_bicubic (const clip_image *image,
                    const axis_plan  *h,
                    const axis_plan  *v,
                    float            *out,
                    float             lut[3][256],
                    char            **error)
{
  gboolean rgba = image->format == CLIP_PIXELS_RGBA8;
  int nc = (int) image->format;   /* working channels: 1, 3 or 4 (RGBa) */
  int y0, y1, x0, x1;
  size_t tmp_row, n_rows;
  uint8_t *tmp = NULL, *rowbuf = NULL, *vrow = NULL;
  int32_t *acc = NULL;
  size_t plane = (size_t) v->crop * h->crop;
  clip_status status = CLIP_STATUS_OK;

  /* Source rows the vertical pass reads, source columns the horizontal
   * pass reads. */
  if (v->resample)
    y0 = v->src_min, y1 = v->src_max;
  else
    y0 = v->first + v->offset, y1 = y0 + v->count;
  if (h->resample)
    x0 = h->src_min, x1 = h->src_max;
  else
    x0 = h->first + h->offset, x1 = x0 + h->count;

  /* The horizontal pass's result: (y1 - y0) rows of h->count pixels. */
  tmp_row = (size_t) h->count * nc;
  n_rows = (size_t) (y1 - y0);
  if (n_rows != 0 && tmp_row > SIZE_MAX / n_rows)
    return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                           "resize buffer does not fit in memory");
  tmp = g_try_malloc (MAX (tmp_row * n_rows, 1));
  if (rgba)
    rowbuf = g_try_malloc ((size_t) MAX (x1 - x0, 1) * 4);
  if (v->resample)
    {
      acc = g_try_new (int32_t, tmp_row);
      vrow = g_try_malloc (tmp_row);
    }
  if (tmp == NULL || (rgba && rowbuf == NULL) || (v->resample && (acc == NULL || vrow == NULL)))
    {
      status = clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                               "resize buffer does not fit in memory");
      goto out;
    }

  /* Horizontal pass (or a copy of the needed columns). */
  for (int y = y0; y < y1; y++)
    {
      const uint8_t *src = image->pixels + (size_t) y * image->stride;
      uint8_t *dst = tmp + (size_t) (y - y0) * tmp_row;
      const uint8_t *base;   /* source column x0, in the working format */

      if (rgba)
        {
          const uint8_t *p = src + (size_t) x0 * 4;

          for (int x = 0; x < x1 - x0; x++, p += 4)
            {
              unsigned a = p[3];

              rowbuf[4 * x + 0] = premultiply (p[0], a);
              rowbuf[4 * x + 1] = premultiply (p[1], a);
              rowbuf[4 * x + 2] = premultiply (p[2], a);
              rowbuf[4 * x + 3] = (uint8_t) a;
            }
          base = rowbuf;
        }
      else
        base = src + (size_t) x0 * nc;

      if (h->resample)
        resample_row_nc (h, base, dst, nc);
      else
        memcpy (dst, base, tmp_row);
    }

  /* Vertical pass, then unpremultiply, drop alpha and normalise. */
  for (int j = 0; j < v->count; j++)
    {
      const uint8_t *row;

      if (v->resample)
        {
          const int32_t *k = v->coeffs + (size_t) j * v->ksize;
          int ymin = v->bounds[2 * j];
          int n = v->bounds[2 * j + 1];

          for (size_t e = 0; e < tmp_row; e++)
            acc[e] = 1 << (PRECISION_BITS - 1);
          for (int t = 0; t < n; t++)
            {
              const uint8_t *r = tmp + (size_t) (ymin + t) * tmp_row;
              int32_t w = k[t];

              for (size_t e = 0; e < tmp_row; e++)
                acc[e] += r[e] * w;
            }
          for (size_t e = 0; e < tmp_row; e++)
            vrow[e] = clamp8_fixed (acc[e]);
          row = vrow;
        }
      else
        row = tmp + (size_t) (v->first + j + v->offset - y0) * tmp_row;

      for (int i = 0; i < h->count; i++)
        {
          const uint8_t *p = row + (size_t) i * nc;
          unsigned r, g, b;

          if (nc == 1)
            r = g = b = p[0];
          else if (nc == 3)
            r = p[0], g = p[1], b = p[2];
          else
            {
              r = unpremultiply (p[0], p[3]);
              g = unpremultiply (p[1], p[3]);
              b = unpremultiply (p[2], p[3]);
            }
          store_pixel (out, plane, h->crop, v->first + j, h->first + i, lut, r, g, b);
        }
    }

out:
  g_free (tmp);
  g_free (rowbuf);
  g_free (acc);
  g_free (vrow);
  return status;
}

static clip_status
check_arguments (const clip_preprocess_params *params,
                 const clip_image             *image,
                 const float                  *out,
                 char                        **error)
{
  int bpp;

  if (params == NULL || image == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: params, image and out must not be NULL");
  if (image->pixels == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: the image has no pixels");
  if (image->format != CLIP_PIXELS_GRAY8 && image->format != CLIP_PIXELS_RGB8 &&
      image->format != CLIP_PIXELS_RGBA8)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: unknown pixel format %d (expected 1, 3 or 4)",
                           (int) image->format);
  if (image->width <= 0 || image->height <= 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: invalid image size %dx%d",
                           image->width, image->height);
  bpp = (int) image->format;
  if (image->width > INT_MAX / bpp)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: image width %d is too large", image->width);
  if (image->stride < image->width * bpp)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: stride %d is too small for %d pixels of %d bytes",
                           image->stride, image->width, bpp);
  if ((size_t) image->width * (size_t) image->height > SIZE_MAX / (size_t) bpp)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: image %dx%d is too large",
                           image->width, image->height);
  if (params->crop_width <= 0 || params->crop_height <= 0 ||
      (size_t) params->crop_width * (size_t) params->crop_height > SIZE_MAX / 3 / sizeof (float))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: invalid crop size %dx%d",
                           params->crop_width, params->crop_height);
  if (params->resample != 0 && params->resample != CLIP_RESAMPLE_BILINEAR
      && params->resample != CLIP_RESAMPLE_BICUBIC)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: unsupported resample filter %d (2 bilinear or 3 bicubic)",
                           params->resample);
  if (params->do_resize && params->shortest_edge <= 0 && params->resize_height <= 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: invalid shortest_edge %d",
                           params->shortest_edge);
  if (!isfinite (params->rescale_factor))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: invalid rescale_factor");
  if (params->do_normalize)
    for (int c = 0; c < 3; c++)
      if (!isfinite (params->mean[c]) || !isfinite (params->std[c]) || params->std[c] == 0.0f)
        return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                               "clip_preprocess: invalid mean/std for channel %d", c);
  return CLIP_STATUS_OK;
}

clip_status
clip_preprocess (const clip_preprocess_params *params,
                 const clip_image             *image,
                 float                        *out,
                 char                        **error)
{
  axis_plan h = { 0 }, v = { 0 };
  float lut[3][256];
  clip_status status;
  size_t plane;

  status = check_arguments (params, image, out, error);
  if (status != CLIP_STATUS_OK)
    return status;

  h.in_size = image->width;
  v.in_size = image->height;
  h.out_size = image->width;
  v.out_size = image->height;
  if (params->do_resize && params->resize_height > 0 && params->resize_width > 0)
    {
      /* SigLIP: straight to the size, whatever the aspect ratio. */
      h.out_size = params->resize_width;
      v.out_size = params->resize_height;
    }
  else if (params->do_resize)
    {
      /* torchvision: short side = size, long side = int(size * long / short). */
      gboolean landscape = image->width > image->height;
      int s = landscape ? image->height : image->width;
      int l = landscape ? image->width : image->height;
      double long_side = floor ((double) params->shortest_edge * l / s);

      if (long_side > INT_MAX || long_side < 1)
        return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                               "clip_preprocess: cannot resize %dx%d to a short side of %d",
                               image->width, image->height, params->shortest_edge);
      h.out_size = landscape ? (int) long_side : params->shortest_edge;
      v.out_size = landscape ? params->shortest_edge : (int) long_side;
    }
  h.crop = params->crop_width;
  v.crop = params->crop_height;
  if (!params->do_center_crop && (h.out_size != h.crop || v.out_size != v.crop))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_preprocess: the image is %dx%d after resizing, the model "
                           "takes %dx%d and do_center_crop is off",
                           h.out_size, v.out_size, h.crop, v.crop);
  axis_place_crop (&h);
  axis_place_crop (&v);
  h.resample = h.in_size != h.out_size;
  v.resample = v.in_size != v.out_size;

  build_lut (params, lut);

  /* Padding, if any, is black: 0 before normalisation. */
  plane = (size_t) h.crop * v.crop;
  if (h.count != h.crop || v.count != v.crop)
    for (int c = 0; c < 3; c++)
      for (size_t e = 0; e < plane; e++)
        out[c * plane + e] = lut[c][0];

  /* Nearest neighbour for palette sources; and when nothing is resampled,
   * because Pillow then copies the image, so RGBA is not premultiplied
   * (which would lose precision) and the nearest walk is the identity. */
  if (image->nearest || (!h.resample && !v.resample))
    {
      status = axis_plan_nearest (&h, error);
      if (status == CLIP_STATUS_OK)
        status = axis_plan_nearest (&v, error);
      if (status == CLIP_STATUS_OK)
        preprocess_nearest (image, &h, &v, out, lut);
    }
  else
    {
      if (h.resample)
        status = axis_plan_filter (&h, params->resample, error);
      if (status == CLIP_STATUS_OK && v.resample)
        status = axis_plan_filter (&v, params->resample, error);
      if (status == CLIP_STATUS_OK)
        status = preprocess_bicubic (image, &h, &v, out, lut, error);
    }

  axis_plan_clear (&h);
  axis_plan_clear (&v);
  return status;
}
