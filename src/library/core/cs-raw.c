/* cs-raw.c - camera RAW files through the preview the camera embedded.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-raw"

#include <string.h>

#include <libraw/libraw.h>

#include "cs-decode.h"
#include "cs-raw.h"

static const char *const raw_exts[] = {
  "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "dng", "orf", "rw2", "raf", "pef",
  "srw", "3fr", "rwl", "iiq", "x3f", "erf", "kdc", "mos", "mrw",
};

gboolean
cs_raw_is_raw_name (const char *path)
{
  const char *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, '/') != NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (raw_exts); i++)
    if (g_ascii_strcasecmp (dot + 1, raw_exts[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
raw_error (GError    **error,
           const char *path,
           const char *what,
           int         code)
{
  g_autofree char *display = g_filename_display_name (path);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s: %s", display, what,
               libraw_strerror (code));
}

typedef struct {
  int      width;
  int      height;
  gboolean refused;
} PreviewSize;

/* The JPEG loader announces the frame's size (its SOF) before libjpeg
 * allocates anything: refuse a preview over the pixel limit there, as
 * cs-decode does for image files.  A RAW file is a TIFF whose preview can
 * be any JPEG (a 30000 x 30000 one costs 2.7 GB decoded). */
static void
on_preview_size_prepared_cb (GdkPixbufLoader *loader,
                             int              width,
                             int              height,
                             gpointer         user_data)
{
  PreviewSize *size = user_data;

  size->width = width;
  size->height = height;
  if (width <= 0 || height <= 0 || (guint64) width * (guint64) height > CS_DECODE_MAX_PIXELS)
    {
      size->refused = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);   /* every loader fails on 0 x 0 */
    }
}

static void
set_preview_too_large (GError    **error,
                       const char *path,
                       guint64     width,
                       guint64     height)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE,
               "%s: embedded preview of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
               " pixels exceeds the limit of %" G_GUINT64_FORMAT " pixels",
               display, width, height, (guint64) CS_DECODE_MAX_PIXELS);
}

static GdkPixbuf *
pixbuf_from_memory (const guint8 *data,
                    gsize         len,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("jpeg", NULL);
  g_autoptr(GError) load_error = NULL;
  PreviewSize size = { 0 };
  GdkPixbuf *pb;
  gboolean ok;

  if (loader == NULL)
    loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_preview_size_prepared_cb), &size);
  ok = gdk_pixbuf_loader_write (loader, data, len, &load_error);
  if (ok)
    ok = gdk_pixbuf_loader_close (loader, &load_error);
  else
    gdk_pixbuf_loader_close (loader, NULL);
  if (size.refused)
    {
      set_preview_too_large (error, path, (guint64) MAX (size.width, 0), (guint64) MAX (size.height, 0));
      return NULL;
    }
  if (!ok)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT, "%s: embedded preview: %s",
                   display, load_error != NULL ? load_error->message : "cannot decode");
      return NULL;
    }
  pb = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pb == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: embedded preview is empty", path);
      return NULL;
    }
  /* the RAW's orientation (libraw's flip) is applied by the caller; a
   * preview's own EXIF block, where there is one, says the same thing */
  return g_object_ref (pb);
}

GdkPixbuf *
cs_raw_load_preview (const char *path,
                     GError    **error)
{
  libraw_data_t *raw = libraw_init (0);
  libraw_processed_image_t *img = NULL;
  g_autoptr(GdkPixbuf) pb = NULL;
  GdkPixbuf *upright = NULL;
  int rc, flip;

  if (raw == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot start libraw", path);
      return NULL;
    }
  rc = libraw_open_file (raw, path);
  if (rc != LIBRAW_SUCCESS)
    {
      raw_error (error, path, "not a RAW file libraw can read", rc);
      goto out;
    }
  /* A bitmap preview is allocated whole by libraw: refuse it from the
   * size the file announces. */
  if ((raw->thumbnail.tformat == LIBRAW_THUMBNAIL_BITMAP ||
       raw->thumbnail.tformat == LIBRAW_THUMBNAIL_BITMAP16) &&
      (guint64) raw->thumbnail.twidth * raw->thumbnail.theight > CS_DECODE_MAX_PIXELS)
    {
      set_preview_too_large (error, path, raw->thumbnail.twidth, raw->thumbnail.theight);
      goto out;
    }
  rc = libraw_unpack_thumb (raw);
  if (rc != LIBRAW_SUCCESS)
    {
      raw_error (error, path, "no embedded preview", rc);
      goto out;
    }
  img = libraw_dcraw_make_mem_thumb (raw, &rc);
  if (img == NULL)
    {
      raw_error (error, path, "cannot extract the embedded preview", rc);
      goto out;
    }
  if (img->type == LIBRAW_IMAGE_JPEG)
    pb = pixbuf_from_memory (img->data, img->data_size, path, error);
  else if (img->type == LIBRAW_IMAGE_BITMAP && img->colors == 3 && img->bits == 8
           && img->width > 0 && img->height > 0
           && img->data_size >= (unsigned) img->width * img->height * 3)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (img->data, (gsize) img->width * img->height * 3);
      pb = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, FALSE, 8, img->width, img->height,
                                      img->width * 3);
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "%s: embedded preview has an unsupported layout (%d colours, %d bits)",
                 path, img->colors, img->bits);
  if (pb == NULL)
    goto out;

  /* libraw's flip: 0 none, 3 half turn, 5 quarter turn counter-clockwise, 6 clockwise */
  flip = raw->sizes.flip;
  if (flip == 3)
    upright = gdk_pixbuf_rotate_simple (pb, GDK_PIXBUF_ROTATE_UPSIDEDOWN);
  else if (flip == 5)
    upright = gdk_pixbuf_rotate_simple (pb, GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
  else if (flip == 6)
    upright = gdk_pixbuf_rotate_simple (pb, GDK_PIXBUF_ROTATE_CLOCKWISE);
  else
    upright = g_object_ref (pb);

out:
  if (img != NULL)
    libraw_dcraw_clear_mem (img);
  libraw_close (raw);
  return upright;
}

guint64
cs_raw_estimate_bytes (const char *path)
{
  libraw_data_t *raw = libraw_init (0);
  guint64 bytes = CS_DECODE_MAX_PIXELS * 4;   /* not known: whatever the limit allows */

  if (raw == NULL)
    return bytes;
  if (libraw_open_file (raw, path) != LIBRAW_SUCCESS)
    bytes = 0;                                 /* fails before decoding */
  else if (raw->thumbnail.twidth > 0 && raw->thumbnail.theight > 0)
    /* the file's bytes of the preview, its RGB pixels and a rotated copy */
    bytes = raw->thumbnail.tlength + (guint64) raw->thumbnail.twidth * raw->thumbnail.theight * 3 * 2;
  libraw_close (raw);
  return bytes;
}
