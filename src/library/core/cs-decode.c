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
    check->scale_denom = cs_decode_jpeg_pick_scale_denom (width, height, check->min_short_side);
  /* A single-pass JPEG decoded at 1/2 or less needs memory for the reduced
   * image only, at most a quarter of the source. */
  if (check->scale_denom > 1 && check->jpeg != NULL && cs_decode_jpeg_scanner_is_single_scan (check->jpeg))
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
                                cs_decode_div_round_up (width, check->scale_denom),
                                cs_decode_div_round_up (height, check->scale_denom));
}

gboolean
cs_decode_set_too_large (GError    **error,
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
cs_decode_read_full (int     fd,
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

/* One decode through a GdkPixbufLoader: what the bytes told on the way. */
typedef struct {
  const char      *name;         /* for messages */
  guint64          max_pixels;
  SniffInfo        info;
  SizeCheck        check;
  JpegScanner      jpeg;
  PngScanner       png;
  GdkPixbufLoader *loader;       /* created on the first chunk */
  gboolean         loader_closed;
  GError          *load_error;
  guint64          total;        /* bytes read */
  gboolean         write_failed;
  gboolean         reached_eof;
} LoaderRun;

static void
loader_run_clear (LoaderRun *run)
{
  if (run->loader != NULL && !run->loader_closed)
    gdk_pixbuf_loader_close (run->loader, NULL);
  g_clear_object (&run->loader);
  g_clear_error (&run->load_error);
}

static gboolean
set_errno_error (GError    **error,
                 const char *name,
                 int         saved)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", name, g_strerror (saved));
  return FALSE;
}

/* Opens `path` for reading if it is a regular file; -1 with `error` set.
 * O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
static int
open_regular_file (const char *path,
                   const char *name,
                   GError    **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);

  if (fd < 0)
    {
      set_errno_error (error, name, errno);
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file", name);
      close (fd);
      return -1;
    }
  return fd;
}

/* Decoders of the reduced path that read the file themselves: each
 * either answers (an image, or NULL with `error` set: *answered is TRUE)
 * or hands the file back for the next, rewound. */
static CsDecodedImage *
decode_reduced_first (int         fd,
                      const char *name,
                      int         min_short_side,
                      guint64     max_pixels,
                      gboolean   *answered,
                      GError    **error)
{
  static CsDecodedImage *(*const reduced[]) (int, const char *, int, guint64, gboolean *, GError **) = {
    cs_decode_jpeg_dc_reduced, cs_decode_png_reduced,
  };

  *answered = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (reduced); i++)
    {
      gboolean fallback;
      CsDecodedImage *image = reduced[i] (fd, name, min_short_side, max_pixels, &fallback, error);

      if (!fallback)
        return image;
      if (lseek (fd, 0, SEEK_SET) != 0)
        {
          set_errno_error (error, name, errno);
          return NULL;
        }
    }
  *answered = FALSE;
  return NULL;
}

/* What the first chunk's header tells before the loader sees a byte:
 * FALSE (with `error` set) for an image refused from its header. */
static gboolean
check_sniffed_header (const SniffInfo *info,
                      const char      *name,
                      guint64          max_pixels,
                      guint64          file_size,
                      GError         **error)
{
  if (info->have_size && (info->width == 0 || info->height == 0))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: the header announces an empty image", name);
      return FALSE;
    }
  if (info->have_size && info->width * info->height > max_pixels)
    return cs_decode_set_too_large (error, name, info->width, info->height, max_pixels);
  if (info->refusal[0] != '\0')
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT, "%s: %s", name, info->refusal);
      return FALSE;
    }
  /* GdkPixbuf's loader allocates a buffer reaching the pixels' offset
   * before it reads them (a 634-byte file asked for 2.5 GB); pixels that
   * start past the end of the file are not there, for Pillow either */
  if (info->format == FORMAT_BMP && info->bmp_pixels_at > file_size)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: the BMP header places the pixels at byte %u, past the end "
                   "of the %" G_GUINT64_FORMAT "-byte file", name, info->bmp_pixels_at, file_size);
      return FALSE;
    }
  if (info->format == FORMAT_HEIF && !info->have_size)
    {
      /* libheif decodes before it tells the size: without the
       * size from the header there is no refusing a bomb. */
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                   "%s: HEIF/AVIF image size not found in the file's first %d KB "
                   "(no \"ispe\" property in its \"meta\" box)", name, CHUNK_SIZE / 1024);
      return FALSE;
    }
  return TRUE;
}

/* The loader for the sniffed format, its size check connected. */
static void
loader_run_start (LoaderRun *run)
{
  if (run->info.format == FORMAT_JPEG)
    run->check.jpeg = &run->jpeg;
  /* libwebp's scaler premultiplies: under transparent pixels the
   * colour (which CLIP's RGB conversion keeps) would be lost */
  run->check.webp = run->info.format == FORMAT_WEBP && !run->info.alpha;
  run->loader = new_loader (run->info.format);
  g_signal_connect (run->loader, "size-prepared", G_CALLBACK (on_loader_size_prepared_cb), &run->check);
  g_signal_connect (run->loader, "area-updated", G_CALLBACK (on_loader_area_updated_cb), &run->check);
}

/* Reads the file in chunks into the loader, sniffing the first and
 * following the JPEG or PNG structure; stops early at a refusal or a
 * failed write.  FALSE with `error` set when reading failed or the header
 * was refused. */
static gboolean
loader_run_feed (LoaderRun *run,
                 int        fd,
                 GError   **error)
{
  g_autofree guint8 *buf = g_malloc (CHUNK_SIZE);

  for (;;)
    {
      gssize n = cs_decode_read_full (fd, buf, CHUNK_SIZE);

      if (n < 0)
        return set_errno_error (error, run->name, errno);
      if (n == 0)
        {
          run->reached_eof = TRUE;
          return TRUE;
        }
      if (run->total == 0)
        {
          struct stat st;

          if (fstat (fd, &st) != 0)
            return set_errno_error (error, run->name, errno);
          cs_decode_sniff (buf, (gsize) n, &run->info);
          if (!check_sniffed_header (&run->info, run->name, run->max_pixels,
                                     (guint64) st.st_size, error))
            return FALSE;
          loader_run_start (run);
        }
      run->total += (guint64) n;
      if (run->info.format == FORMAT_JPEG)
        cs_decode_jpeg_scanner_feed (&run->jpeg, buf, (gsize) n);
      else if (run->info.format == FORMAT_PNG)
        cs_decode_png_scanner_feed (&run->png, buf, (gsize) n);

      if (!gdk_pixbuf_loader_write (run->loader, buf, (gsize) n, &run->load_error))
        {
          run->write_failed = TRUE;
          return TRUE;
        }
      if (run->check.refused)
        return TRUE;
    }
}

/* Closes the loader, which finishes the decode, and judges the result:
 * refused, truncated (which the loaders do not say), or failed. */
static gboolean
loader_run_finish (LoaderRun *run,
                   GError   **error)
{
  const char *name = run->name;
  gboolean closed_ok;

  if (run->total == 0)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_EMPTY, "%s: empty file", name);
      return FALSE;
    }
  /* after a failed write the loader is already in error and only its
   * resources are released */
  run->loader_closed = TRUE;
  if (run->write_failed || run->check.refused)
    {
      gdk_pixbuf_loader_close (run->loader, NULL);
      closed_ok = FALSE;
    }
  else
    closed_ok = gdk_pixbuf_loader_close (run->loader, &run->load_error);

  if (run->check.refused)
    return cs_decode_set_too_large (error, name, (guint64) MAX (run->check.width, 0),
                                    (guint64) MAX (run->check.height, 0), run->check.limit);
  /* Only a JPEG read to its end can be called truncated; a failed write
   * stops reading early and is reported as the loader's error. */
  if (run->info.format == FORMAT_JPEG && run->reached_eof && run->jpeg.state != JPEG_EOI)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated JPEG (no end-of-image marker)", name);
      return FALSE;
    }
  /* The WebP loader decodes what there is of a truncated lossy WebP and
   * fills the rest; the RIFF header tells the file's full length. */
  if (run->info.format == FORMAT_WEBP && run->reached_eof && run->total < (guint64) run->info.riff_size + 8)
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated WebP (%" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                   " bytes its header announces)", name, run->total, (guint64) run->info.riff_size + 8);
      return FALSE;
    }
  /* GdkPixbuf's BMP loader returns what rows arrived, the rest blank;
   * uncompressed rows (each padded to 4 bytes) tell the size needed */
  if (run->info.format == FORMAT_BMP && run->reached_eof && run->info.bmp_raw
      && run->info.have_size && run->info.bmp_bits > 0)
    {
      guint64 stride = (run->info.width * run->info.bmp_bits + 31) / 32 * 4;
      guint64 need = run->info.bmp_pixels_at + stride * run->info.height;

      if (run->total < need)
        {
          g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                       "%s: truncated BMP (%" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                       " bytes its header announces)", name, run->total, need);
          return FALSE;
        }
    }
  if (run->info.format == FORMAT_PNG && run->reached_eof
      && cs_decode_png_is_truncated (&run->png, &run->info, &run->check))
    {
      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED,
                   "%s: truncated PNG (the image data ends early)", name);
      return FALSE;
    }
  if (!closed_ok)
    {
      if (run->load_error != NULL &&
          g_error_matches (run->load_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_UNKNOWN_TYPE))
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_UNKNOWN_FORMAT,
                     "%s: not an image file (unrecognised format)", name);
      else
        g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT,
                     "%s: cannot decode image: %s", name,
                     run->load_error != NULL ? run->load_error->message
                     : "the image loader failed without saying why (a damaged or truncated file?)");
      return FALSE;
    }
  return TRUE;
}

/* The loader's pixbuf, checked, upright, with Pillow's handling of colour
 * keys and alpha, as a CsDecodedImage. */
static CsDecodedImage *
loader_run_image (LoaderRun *run,
                  GError   **error)
{
  const char *name = run->name;
  GdkPixbuf *decoded = gdk_pixbuf_loader_get_pixbuf (run->loader);
  g_autoptr(GdkPixbuf) upright = NULL;
  CsDecodedImage *image;

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
  if ((guint64) gdk_pixbuf_get_width (decoded) * (guint64) gdk_pixbuf_get_height (decoded) > run->check.limit)
    {
      cs_decode_set_too_large (error, name, (guint64) gdk_pixbuf_get_width (decoded),
                               (guint64) gdk_pixbuf_get_height (decoded), run->check.limit);
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
  if (run->info.has_key && gdk_pixbuf_get_has_alpha (upright))
    cs_decode_paint_key_colour (upright, run->info.key_rgb);
  if (run->info.drop_alpha && !run->info.nearest && gdk_pixbuf_get_has_alpha (upright))
    {
      GdkPixbuf *rgb = cs_decode_strip_alpha (upright);

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
  image->scale_denom = run->check.scale_denom;
  if (run->check.scale_denom > 1)
    {
      /* The header's size is the stored one; orientations 5-8 swap it. */
      const char *orientation = gdk_pixbuf_get_option (decoded, "orientation");
      gint64 o = orientation != NULL ? g_ascii_strtoll (orientation, NULL, 10) : 1;
      gboolean swap = o >= 5 && o <= 8;

      image->orig_width = swap ? run->check.height : run->check.width;
      image->orig_height = swap ? run->check.width : run->check.height;
    }
  image->stride = gdk_pixbuf_get_rowstride (upright);
  image->channels = gdk_pixbuf_get_n_channels (upright);
  image->nearest = run->info.nearest;
  /* Read-only access: no copy of the pixel data is made. */
  image->pixels = (guint8 *) gdk_pixbuf_read_pixels (upright);
  image->owner = g_steal_pointer (&upright);
  return image;
}

/* The decode of the open file `fd` (which the caller closes). */
static CsDecodedImage *
decode_fd (int         fd,
           const char *name,
           guint64     max_pixels,
           int         min_short_side,
           GError    **error)
{
  LoaderRun run = { 0 };
  CsDecodedImage *image = NULL;

  if (min_short_side > 0)
    {
      gboolean answered;

      image = decode_reduced_first (fd, name, min_short_side, max_pixels, &answered, error);
      if (answered)
        return image;
    }

  run.name = name;
  run.max_pixels = max_pixels;
  run.check.max_pixels = max_pixels;
  run.check.limit = max_pixels;
  run.check.scale_denom = 1;
  run.check.min_short_side = min_short_side;
  run.png.skip = 8;   /* the signature */
  cs_decode_jpeg_scanner_init (&run.jpeg);
  if (loader_run_feed (&run, fd, error) && loader_run_finish (&run, error))
    image = loader_run_image (&run, error);
  loader_run_clear (&run);
  return image;
}

/* Decodes at full size, or, when `min_short_side` > 0, a JPEG at the
 * smallest DCT scaling whose short side stays at least that long.  The
 * file is opened and closed here only. */
static CsDecodedImage *
decode_file (const char *path,
             guint64     max_pixels,
             int         min_short_side,
             GError    **error)
{
  g_autofree char *name = g_filename_display_name (path);
  CsDecodedImage *image;
  int fd;

  if (max_pixels == 0)
    max_pixels = CS_DECODE_MAX_PIXELS;
  fd = open_regular_file (path, name, error);
  if (fd < 0)
    return NULL;
  image = decode_fd (fd, name, max_pixels, min_short_side, error);
  close (fd);
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
