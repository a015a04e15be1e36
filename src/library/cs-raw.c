/* cs-raw.c - camera RAW files through the preview the camera embedded.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-raw"

#include <string.h>

#include <libraw/libraw.h>

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

static GdkPixbuf *
pixbuf_from_memory (const guint8 *data,
                    gsize         len,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  GdkPixbuf *pb;

  if (!gdk_pixbuf_loader_write (loader, data, len, error) || !gdk_pixbuf_loader_close (loader, error))
    {
      g_prefix_error (error, "%s: embedded preview: ", path);
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
