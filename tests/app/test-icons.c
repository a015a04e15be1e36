/* test-icons.c - the installed icons load with GdkPixbuf.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   test-icons [--tap] SIZE FILE [SIZE FILE]...
 *
 * Each FILE (the build's copy of an icon, the file that is installed) must
 * be recognised as an SVG from its contents alone, the way GdkPixbuf sniffs
 * a file or a stream (shared-mime-info looks for "<svg" in the first 256
 * bytes: a long comment before the <svg> tag hid it), and must render at
 * its SIZE x SIZE with visible pixels.  Skipped when GdkPixbuf has no SVG
 * loader (librsvg2-common).
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

typedef struct {
  const char *path;
  int         size;
} Icon;

static gboolean
have_svg_loader (void)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

      if (g_strcmp0 (name, "svg") == 0)
        return TRUE;
    }
  return FALSE;
}

/* Pixels that are not fully transparent. */
static guint
count_visible (GdkPixbuf *pixbuf)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint n = 0;

  if (!gdk_pixbuf_get_has_alpha (pixbuf))
    return (guint) (gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_height (pixbuf));
  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
      if (pixels[y * stride + x * channels + 3] != 0)
        n++;
  return n;
}

static void
check_pixbuf (const Icon *icon,
              GdkPixbuf  *pixbuf,
              const char *how)
{
  guint visible = count_visible (pixbuf);

  g_test_message ("%s (%s): %d x %d, %u visible pixels", icon->path, how,
                  gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), visible);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, icon->size);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, icon->size);
  /* a drawing, not an empty canvas */
  g_assert_cmpuint (visible, >=, (guint) (icon->size * icon->size / 8));
}

static void
test_icon (gconstpointer data)
{
  const Icon *icon = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) from_file = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sniffed = NULL;
  g_autofree char *streamed = NULL;
  GdkPixbufFormat *format;
  gsize length = 0;
  int width = 0, height = 0;

  if (!have_svg_loader ())
    {
      g_test_skip ("GdkPixbuf has no SVG loader (librsvg2-common)");
      return;
    }

  /* What the file's contents say it is (the name is a fallback only when
   * they say nothing certain: an XML file is certain). */
  format = gdk_pixbuf_get_file_info (icon->path, &width, &height);
  g_assert_nonnull (format);
  sniffed = gdk_pixbuf_format_get_name (format);
  g_assert_cmpstr (sniffed, ==, "svg");

  from_file = gdk_pixbuf_new_from_file (icon->path, &error);
  g_assert_no_error (error);
  check_pixbuf (icon, from_file, "file");

  /* A stream has no name at all: the contents alone must do. */
  g_assert_true (g_file_get_contents (icon->path, &contents, &length, &error));
  g_assert_no_error (error);
  loader = gdk_pixbuf_loader_new ();
  g_assert_true (gdk_pixbuf_loader_write (loader, (const guchar *) contents, length, &error));
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  streamed = gdk_pixbuf_format_get_name (gdk_pixbuf_loader_get_format (loader));
  g_assert_cmpstr (streamed, ==, "svg");
  check_pixbuf (icon, gdk_pixbuf_loader_get_pixbuf (loader), "stream");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) icons = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  if (argc < 3 || argc % 2 != 1)
    {
      g_printerr ("usage: test-icons [--tap] SIZE FILE [SIZE FILE]...\n");
      return 2;
    }
  for (int i = 1; i + 1 < argc; i += 2)
    {
      Icon *icon = g_new0 (Icon, 1);
      g_autofree char *base = g_path_get_basename (argv[i + 1]);
      g_autofree char *name = g_strconcat ("/icons/", base, NULL);

      icon->size = (int) g_ascii_strtoll (argv[i], NULL, 10);
      icon->path = argv[i + 1];
      g_ptr_array_add (icons, icon);
      g_test_add_data_func (name, icon, test_icon);
    }

  return g_test_run ();
}
