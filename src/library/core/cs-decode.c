/* cs-decode.c - image files to upright 8-bit pixel buffers (GdkPixbuf).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is read in chunks through a GdkPixbufLoader.  Before the loader
 * sees a byte, the first chunk is sniffed for what GdkPixbuf does not tell:
 * the PNG/GIF/BMP header's size (refused early when too large) and whether
 * Pillow would open the file as a palette or 1-bit image (then the engine
 * resamples with nearest neighbour, as Pillow forces for those modes).  The
 * loader's "size-prepared" signal, which every loader emits after parsing
 * its header and before allocating pixels, refuses other formats' bombs.
 * The sniffed format also names the loader module, so JPEG, PNG, GIF, BMP,
 * TIFF and WebP load even where GdkPixbuf's MIME sniffing has no
 * shared-mime-info database.
 *
 * While the bytes go by, small state machines follow a JPEG's marker
 * structure to its end-of-image marker and a PNG's chunks to IEND: libjpeg
 * fills a truncated JPEG with grey and GdkPixbuf's PNG loader returns a
 * half-blank image, both without an error, while Pillow refuses such files
 * ("image file is truncated"), so the reference has no answer for them.
 * The JPEG state machine also notes the frame type and the component
 * counts of the frame and of the first scan, which tell how much memory
 * libjpeg will need (see cs_decode_file_for_size()).
 *
 * The reduced-size path asks the JPEG loader, from the size-prepared
 * handler, for exactly the size one of libjpeg's DCT scalings produces.
 * GdkPixbuf 2.42's io-jpeg.c only ever sets scale_num = 1 and picks the
 * largest scale_denom among 2, 4 and 8 whose output still covers the
 * requested size; GdkPixbufLoader rescales (bilinear) only when the
 * loader's pixbuf differs from the requested size.  So a request of
 * ceil(w/d) x ceil(h/d), d in {1, 2, 4, 8}, is decoded by libjpeg at 1/d
 * and handed over untouched (checked against a direct libjpeg decode at
 * each scale: identical bytes, baseline and progressive), while n/8 scales
 * with n other than 1, 2, 4 or 8 would go through that bilinear rescale.
 */
#define G_LOG_DOMAIN "cs-decode"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-clip-error.h"
#include "cs-decode-private.h"

G_DEFINE_QUARK (cs-decode-error-quark, cs_decode_error)

static void
on_loader_area_updated_cb (GdkPixbufLoader *loader,
                           int              x,
                           int              y,
                           int              width,
                           int              height,
                           gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->rows_done = MAX (check->rows_done, y + height);
}

static void
on_loader_size_prepared_cb (GdkPixbufLoader *loader,
                            int              width,
                            int              height,
                            gpointer         user_data)
{
  SizeCheck *check = user_data;

  check->width = width;
  check->height = height;
  check->scale_denom = 1;
  check->limit = check->max_pixels;
  if (width > 0 && height > 0 && (check->jpeg != NULL || check->webp) && check->min_short_side > 0)
    check->scale_denom = jpeg_pick_scale_denom (width, height, check->min_short_side);
  /* A single-pass JPEG decoded at 1/2 or less needs memory for the reduced
   * image only, at most a quarter of the source. */
  if (check->scale_denom > 1 && check->jpeg != NULL && jpeg_scanner_is_single_scan (check->jpeg))
    check->limit = check->max_pixels > G_MAXUINT64 / CS_DECODE_SCALED_JPEG_FACTOR
                   ? G_MAXUINT64 : check->max_pixels * CS_DECODE_SCALED_JPEG_FACTOR;

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > check->limit)
    {
      check->refused = TRUE;
      /* The documented way to stop a loader before it allocates: every
       * loader fails on a requested size of 0 x 0. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
  else if (check->scale_denom > 1)
    /* Exactly libjpeg's output at 1/d: no rescale by the loader.  The
     * WebP loader hands the size to libwebp, whose decoder averages the
     * source pixels each output pixel covers as it goes, never holding the
     * full-size image. */
    gdk_pixbuf_loader_set_size (loader,
                                div_round_up (width, check->scale_denom),
                                div_round_up (height, check->scale_denom));
}

gboolean
set_too_large (GError    **error,
               const char *name,
               guint64     width,
               guint64     height,
               guint64     max_pixels)
{
  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE,
               "%s: image of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
               " pixels exceeds the limit of %" G_GUINT64_FORMAT " pixels",
               name, width, height, max_pixels);
  return FALSE;
}

/* Reads up to `len` bytes, retrying short reads; returns the count, or -1
 * with errno set. */
gssize
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

/* A loader for the sniffed format.  Naming the module skips GdkPixbuf's
 * own sniffing, which goes through the shared-mime-info database in
 * $XDG_DATA_DIRS and finds nothing when that is unset or sandboxed; other
 * formats (TIFF, WebP, HEIF...) still depend on it. */
static GdkPixbufLoader *
new_loader (SniffedFormat format)
{
  const char *type = NULL;
  GdkPixbufLoader *loader = NULL;

  switch (format)
    {
    case FORMAT_JPEG: type = "jpeg"; break;
    case FORMAT_PNG: type = "png"; break;
    case FORMAT_GIF: type = "gif"; break;
    case FORMAT_BMP: type = "bmp"; break;
    case FORMAT_TIFF: type = "tiff"; break;
    case FORMAT_WEBP: type = "webp"; break;
    case FORMAT_OTHER:
    default:
      break;
    }
  if (type != NULL)
    loader = gdk_pixbuf_loader_new_with_type (type, NULL);
  if (loader == NULL)
    loader = gdk_pixbuf_loader_new ();
  return loader;
}

/* Decodes at full size, or, when `min_short_side` > 0, a JPEG at the
 * smallest DCT scaling whose short side stays at least that long. */
static CsDecodedImage *
decode_file (const char *path,
             guint64     max_pixels,
             int         min_short_side,
             GError    **error)
{
  g_autofree char *name = NULL;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  GdkPixbuf *decoded;
  CsDecodedImage *image;
  SniffInfo info = { 0 };
  SizeCheck check = { 0 };
  JpegScanner jpeg;
  PngScanner png = { .skip = 8 };   /* the signature */
  struct stat st;
  guint64 total = 0;
  gboolean write_failed = FALSE;
  gboolean reached_eof = FALSE;
  gboolean closed_ok;
  int fd;

  if (max_pixels == 0)
    max_pixels = CS_DECODE_MAX_PIXELS;
  name = g_filename_display_name (path);
  jpeg_scanner_init (&jpeg);

  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", name, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s: not a regular file", name);
      close (fd);
      return NULL;
    }

  if (min_short_side > 0)
    {
      /* Decoders of the reduced path that read the file themselves: each
       * either answers or hands the file back for the next, rewound. */
      static CsDecodedImage *(*const reduced[]) (int, const char *, int, guint64, gboolean *,
                                                 GError **) = {
        jpeg_dc_decode_reduced, png_decode_reduced,
      };

      for (gsize i = 0; i < G_N_ELEMENTS (reduced); i++)
        {
          gboolean fallback;

          image = reduced[i] (fd, name, min_short_side, max_pixels, &fallback, error);
          if (!fallback)
            {
              close (fd);
              return image;
            }
          if (lseek (fd, 0, SEEK_SET) != 0)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                           "%s: %s", name, g_strerror (saved));
              close (fd);
              return NULL;
            }
        }
    }

  buf = g_malloc (CHUNK_SIZE);
  check.max_pixels = max_pixels;
  check.limit = max_pixels;
  check.scale_denom = 1;
  check.min_short_side = min_short_side;

  for (;;)
    {
      gssize n = read_full (fd, buf, CHUNK_SIZE);

      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "%s: %s", name, g_strerror (saved));
          close (fd);
          if (loader != NULL)
            gdk_pixbuf_loader_close (loader, NULL);
          return NULL;
        }
      if (n == 0)
        {
          reached_eof = TRUE;
          break;
        }

      if (total == 0)
        {
          sniff (buf, (gsize) n, &info);
          if (info.have_size &&
              (info.width == 0 || info.height == 0 || info.width * info.height > max_pixels))
            {
              close (fd);
              if (info.width == 0 || info.height == 0)
                {
                  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                               "%s: the header announces an empty image", name);
                  return NULL;
                }
              set_too_large (error, name, info.width, info.height, max_pixels);
              return NULL;
            }
          if (info.refusal[0] != '\0')
            {
              close (fd);
              g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT, "%s: %s", name,
                           info.refusal);
              return NULL;
            }
          if (info.format == FORMAT_HEIF && !info.have_size)
            {
              /* libheif decodes before it tells the size: without the
               * size from the header there is no refusing a bomb. */
              close (fd);
              g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                           "%s: HEIF/AVIF image size not found in the file's first %d KB "
                           "(no \"ispe\" property in its \"meta\" box)", name, CHUNK_SIZE / 1024);
              return NULL;
            }
          if (info.format == FORMAT_JPEG)
            check.jpeg = &jpeg;
          /* libwebp's scaler premultiplies: under transparent pixels the
           * colour (which CLIP's RGB conversion keeps) would be lost */
          check.webp = info.format == FORMAT_WEBP && !info.alpha;
          loader = new_loader (info.format);
          g_signal_connect (loader, "size-prepared",
                            G_CALLBACK (on_loader_size_prepared_cb), &check);
          g_signal_connect (loader, "area-updated",
                            G_CALLBACK (on_loader_area_updated_cb), &check);
        }
      total += (guint64) n;
      if (info.format == FORMAT_JPEG)
        jpeg_scanner_feed (&jpeg, buf, (gsize) n);
      else if (info.format == FORMAT_PNG)
        png_scanner_feed (&png, buf, (gsize) n);

      if (!gdk_pixbuf_loader_write (loader, buf, (gsize) n, &load_error))
        {
          write_failed = TRUE;
          break;
        }
      if (check.refused)
        break;
    }
  close (fd);

  if (total == 0)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_EMPTY, "%s: empty file", name);
      return NULL;
    }

  /* Closing finishes the decode; after a failed write the loader is
   * already in error and only its resources are released. */
  if (write_failed || check.refused)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      closed_ok = FALSE;
    }
  else
    closed_ok = gdk_pixbuf_loader_close (loader, &load_error);

  if (check.refused)
    {
      set_too_large (error, name, (guint64) MAX (check.width, 0),
                     (guint64) MAX (check.height, 0), check.limit);
      return NULL;
    }
  /* Only a JPEG read to its end can be called truncated; a failed write
   * stops reading early and is reported as the loader's error. */
  if (info.format == FORMAT_JPEG && reached_eof && jpeg.state != JPEG_EOI)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated JPEG (no end-of-image marker)", name);
      return NULL;
    }
  /* The WebP loader decodes what there is of a truncated lossy WebP and
   * fills the rest; the RIFF header tells the file's full length. */
  if (info.format == FORMAT_WEBP && reached_eof && total < (guint64) info.riff_size + 8)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated WebP (%" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                   " bytes its header announces)", name, total, (guint64) info.riff_size + 8);
      return NULL;
    }
  if (info.format == FORMAT_PNG && reached_eof && png_is_truncated (&png, &info, &check))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated PNG (the image data ends early)", name);
      return NULL;
    }
  if (!closed_ok)
    {
      if (load_error != NULL &&
          g_error_matches (load_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_UNKNOWN_FORMAT,
                     "%s: not an image file (unrecognised format)", name);
      else
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                     "%s: cannot decode image: %s", name,
                     load_error != NULL ? load_error->message
                     : "the image loader failed without saying why (a damaged or truncated file?)");
      return NULL;
    }

  decoded = gdk_pixbuf_loader_get_pixbuf (loader);
  if (decoded == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: cannot decode image: the loader produced no pixels", name);
      return NULL;
    }
  if (gdk_pixbuf_get_colorspace (decoded) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_bits_per_sample (decoded) != 8 ||
      (gdk_pixbuf_get_n_channels (decoded) != 3 && gdk_pixbuf_get_n_channels (decoded) != 4))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: unsupported pixel layout from the image loader", name);
      return NULL;
    }
  /* Defensive: a loader that did not announce its size still may not
   * hand over more than the limit. */
  if ((guint64) gdk_pixbuf_get_width (decoded) * (guint64) gdk_pixbuf_get_height (decoded) > check.limit)
    {
      set_too_large (error, name, (guint64) gdk_pixbuf_get_width (decoded),
                     (guint64) gdk_pixbuf_get_height (decoded), check.limit);
      return NULL;
    }

  /* The JPEG and TIFF loaders store the EXIF orientation as the pixbuf's
   * "orientation" option; this returns a new reference either way. */
  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (upright == NULL)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: not enough memory to rotate the image", name);
      return NULL;
    }
  if (info.has_key && gdk_pixbuf_get_has_alpha (upright))
    paint_key_colour (upright, info.key_rgb);
  if (info.drop_alpha && !info.nearest && gdk_pixbuf_get_has_alpha (upright))
    {
      GdkPixbuf *rgb = strip_alpha (upright);

      if (rgb == NULL)
        {
          g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                       "%s: not enough memory to convert the image", name);
          return NULL;
        }
      g_object_unref (upright);
      upright = rgb;
    }

  image = g_new0 (CsDecodedImage, 1);
  image->width = gdk_pixbuf_get_width (upright);
  image->height = gdk_pixbuf_get_height (upright);
  image->orig_width = image->width;
  image->orig_height = image->height;
  image->scale_denom = check.scale_denom;
  if (check.scale_denom > 1)
    {
      /* The header's size is the stored one; orientations 5-8 swap it. */
      const char *orientation = gdk_pixbuf_get_option (decoded, "orientation");
      gint64 o = orientation != NULL ? g_ascii_strtoll (orientation, NULL, 10) : 1;
      gboolean swap = o >= 5 && o <= 8;

      image->orig_width = swap ? check.height : check.width;
      image->orig_height = swap ? check.width : check.height;
    }
  image->stride = gdk_pixbuf_get_rowstride (upright);
  image->channels = gdk_pixbuf_get_n_channels (upright);
  image->nearest = info.nearest;
  /* Read-only access: no copy of the pixel data is made. */
  image->pixels = (guint8 *) gdk_pixbuf_read_pixels (upright);
  image->owner = g_steal_pointer (&upright);
  return image;
}

CsDecodedImage *
cs_decode_file (const char *path,
                guint64     max_pixels,
                GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_file (path, max_pixels, 0, error);
}

CsDecodedImage *
cs_decode_file_for_size (const char *path,
                         int         min_short_side,
                         guint64     max_pixels,
                         GError    **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_file (path, max_pixels, MAX (min_short_side, 0), error);
}

gboolean
cs_decode_file_to_tensor (const char                   *path,
                          const clip_preprocess_params *pp,
                          float                        *out,
                          GError                      **error)
{
  g_autoptr(CsDecodedImage) image = NULL;
  clip_image view;
  clip_status status;
  char *message = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (pp != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  image = cs_decode_file (path, 0, error);
  if (image == NULL)
    return FALSE;

  view = cs_decoded_image_as_clip (image);
  status = clip_preprocess (pp, &view, out, &message);
  if (status != CLIP_STATUS_OK)
    {
      g_autofree char *name = g_filename_display_name (path);

      cs_clip_propagate (error, status, message);
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}
