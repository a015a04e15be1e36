/* cs-decode-reduced.c - the decoders of the reduced path that read the
 * file themselves: a large PNG row by row, reduced on the fly, and a
 * large progressive JPEG from its DC coefficients.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-decode"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include "cs-decode-private.h"
#include "cs-jpeg-dc.h"

/* ---- PNG row by row, reduced on the fly ----------------------------- */

typedef struct {
  int  fd;
  char message[256];
} PngIo;

static void
png_read_cb (png_structp png,
             png_bytep   data,
             size_t      len)
{
  PngIo *io = png_get_io_ptr (png);
  gssize n = cs_decode_read_full (io->fd, data, len);

  if (n < 0 || (gsize) n != len)
    png_error (png, n < 0 ? g_strerror (errno) : "the image data ends early");
}

static void
png_error_cb (png_structp     png,
              png_const_charp message)
{
  PngIo *io = png_get_error_ptr (png);

  g_strlcpy (io->message, message, sizeof io->message);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp     png,
                png_const_charp message)
{
}

typedef enum {
  PNG_ROWS_DONE,
  PNG_ROWS_FALLBACK,   /* a colour key or translucent pixels */
  PNG_ROWS_FAILED,     /* libpng's error, in the PngIo's message */
} PngRows;

/* Reads the rows and averages each d x d block into `pixels` (RGB); the
 * only function that runs under libpng's setjmp, and it changes none of
 * its locals that the error branch reads. */
static PngRows
png_reduce_rows (png_structp png,
                 png_infop   pinfo,
                 guint32     w,
                 guint32     h,
                 guint       colour_type,
                 int         d,
                 guint8     *pixels,
                 int         out_stride,
                 guint32    *acc,
                 guint8     *row)
{
  gboolean alpha = (colour_type & 4) != 0;
  guint step = alpha ? 4 : 3;
  int ow = cs_decode_div_round_up ((int) w, d);

  if (setjmp (png_jmpbuf (png)))
    return PNG_ROWS_FAILED;
  png_read_info (png, pinfo);
  if (png_get_valid (png, pinfo, PNG_INFO_tRNS))
    return PNG_ROWS_FALLBACK;
  if (colour_type == 0 || colour_type == 4)
    png_set_gray_to_rgb (png);
  png_read_update_info (png, pinfo);

  for (guint32 y = 0; y < h; y++)
    {
      png_read_row (png, row, NULL);
      for (guint32 x = 0; x < w; x++)
        {
          const guint8 *p = row + (gsize) x * step;
          guint32 *a = acc + (gsize) (x / (guint32) d) * 3;

          if (alpha && p[3] != 255)
            return PNG_ROWS_FALLBACK;
          a[0] += p[0];
          a[1] += p[1];
          a[2] += p[2];
        }
      if ((y + 1) % (guint32) d == 0 || y + 1 == h)
        {
          guint32 rows = y % (guint32) d + 1;
          guint8 *o = pixels + (gsize) (y / (guint32) d) * out_stride;

          for (int ox = 0; ox < ow; ox++)
            {
              guint32 cols = MIN ((guint32) d, w - (guint32) ox * d);
              guint32 n = rows * cols;

              for (int c = 0; c < 3; c++)
                o[ox * 3 + c] = (guint8) ((acc[ox * 3 + c] + n / 2) / n);
            }
          memset (acc, 0, (gsize) ow * 3 * sizeof *acc);
        }
    }
  return PNG_ROWS_DONE;
}


/* The reduced path for an 8-bit, non-interlaced grey or RGB PNG, opaque
 * and without a tRNS colour key (nearly every photo and wallpaper saved as
 * PNG): libpng hands over one row at a time and each d x d block of the
 * source is averaged into one pixel of a ceil(w/d) x ceil(h/d) image, d
 * picked as for a JPEG.  So only that image and a row or two are held,
 * where GdkPixbuf's loader held the whole image (a 13000 x 13000 PNG:
 * 676 MB).  Sets `fallback` and returns NULL, the file untouched but its
 * offset, when the file does not qualify (another kind of PNG, too small
 * to reduce, or pixels found translucent on the way); else returns the
 * image, or NULL with `error` set (truncated, corrupt). */
CsDecodedImage *
cs_decode_png_reduced (int         fd,
                       const char *name,
                       int         min_short_side,
                       guint64     max_pixels,
                       gboolean   *fallback,
                       GError    **error)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 head[29];
  guint32 w, h;
  guint depth, colour_type;
  int d, ow, oh, out_stride;
  png_structp png = NULL;
  png_infop pinfo = NULL;
  PngIo io = { fd, "" };
  GdkPixbuf *out = NULL;
  guint32 *acc = NULL;
  guint8 *row = NULL, *pixels;
  CsDecodedImage *image = NULL;

  *fallback = TRUE;
  if (pread (fd, head, sizeof head, 0) != (ssize_t) sizeof head ||
      memcmp (head, png_signature, 8) != 0 || memcmp (head + 12, "IHDR", 4) != 0)
    return NULL;
  w = read_be32 (head + 16);
  h = read_be32 (head + 20);
  depth = head[24];
  colour_type = head[25];
  if (depth != 8 || (colour_type != 0 && colour_type != 2 && colour_type != 4 && colour_type != 6) ||
      head[28] != 0 || w == 0 || h == 0 || w > G_MAXINT / 4 || h > G_MAXINT ||
      (guint64) w * h > max_pixels || (guint64) w * h < PNG_REDUCE_MIN_PIXELS)
    return NULL;
  d = cs_decode_jpeg_pick_scale_denom ((int) w, (int) h, min_short_side);
  if (d == 1)
    return NULL;
  ow = cs_decode_div_round_up ((int) w, d);
  oh = cs_decode_div_round_up ((int) h, d);

  /* everything allocated before setjmp: nothing changes after it that the
   * error branch needs */
  out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, ow, oh);
  acc = g_try_new0 (guint32, (gsize) ow * 3);
  row = g_try_malloc ((gsize) w * 4);
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &io, png_error_cb, png_warning_cb);
  if (png != NULL)
    png_set_read_fn (png, &io, png_read_cb);
  pinfo = png != NULL ? png_create_info_struct (png) : NULL;
  if (out == NULL || acc == NULL || row == NULL || pinfo == NULL)
    {
      *fallback = FALSE;
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to decode the image", name);
      goto out;
    }
  out_stride = gdk_pixbuf_get_rowstride (out);
  pixels = gdk_pixbuf_get_pixels (out);

  switch (png_reduce_rows (png, pinfo, w, h, colour_type, d, pixels, out_stride, acc, row))
    {
    case PNG_ROWS_DONE:
      break;
    case PNG_ROWS_FALLBACK:
      goto out;
    case PNG_ROWS_FAILED:
    default:
      *fallback = FALSE;
      if (strstr (io.message, "ends early") != NULL)
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                     "%s: truncated PNG (the image data ends early)", name);
      else
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                     "%s: cannot decode image: %s", name, io.message);
      goto out;
    }

  *fallback = FALSE;
  image = g_new0 (CsDecodedImage, 1);
  image->width = ow;
  image->height = oh;
  image->orig_width = (int) w;
  image->orig_height = (int) h;
  image->scale_denom = d;
  image->stride = out_stride;
  image->channels = 3;
  image->pixels = gdk_pixbuf_get_pixels (out);
  image->owner = g_steal_pointer (&out);

out:
  if (png != NULL)
    png_destroy_read_struct (&png, pinfo != NULL ? &pinfo : NULL, NULL);
  g_clear_object (&out);
  g_free (acc);
  g_free (row);
  return image;
}

static void
free_pixels (guchar  *pixels,
             gpointer data G_GNUC_UNUSED)
{
  g_free (pixels);
}

/* A large progressive JPEG that libjpeg would decode at 1/8 is decoded
 * from its DC coefficients alone (see cs-jpeg-dc.c): libjpeg would hold
 * every coefficient of the image.  `fallback` as for cs_decode_png_reduced(). */
CsDecodedImage *
cs_decode_jpeg_dc_reduced (int         fd,
                           const char *name,
                           int         min_short_side,
                           guint64     max_pixels,
                           gboolean   *fallback,
                           GError    **error)
{
  CsJpegDc dc;
  CsJpegDcResult r;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbuf *upright;
  CsDecodedImage *image;
  char orientation[2] = { 0 };
  gboolean swap;

  *fallback = FALSE;
  r = cs_jpeg_dc_decode (fd, name, min_short_side, max_pixels, &dc, error);
  if (r == CS_JPEG_DC_NOT_HANDLED)
    {
      *fallback = TRUE;
      return NULL;
    }
  if (r == CS_JPEG_DC_FAILED)
    return NULL;
  pixbuf = gdk_pixbuf_new_from_data (dc.rgb, GDK_COLORSPACE_RGB, FALSE, 8, dc.width, dc.height,
                                     dc.width * 3, free_pixels, NULL);
  orientation[0] = (char) ('0' + dc.orientation);
  gdk_pixbuf_set_option (pixbuf, "orientation", orientation);
  upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (upright == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to rotate the image", name);
      return NULL;
    }
  swap = dc.orientation >= 5;
  image = g_new0 (CsDecodedImage, 1);
  image->width = gdk_pixbuf_get_width (upright);
  image->height = gdk_pixbuf_get_height (upright);
  image->orig_width = swap ? dc.frame_height : dc.frame_width;
  image->orig_height = swap ? dc.frame_width : dc.frame_height;
  image->scale_denom = 8;
  image->stride = gdk_pixbuf_get_rowstride (upright);
  image->channels = 3;
  image->pixels = (guint8 *) gdk_pixbuf_read_pixels (upright);
  image->owner = upright;
  return image;
}

