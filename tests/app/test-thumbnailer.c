/* test-thumbnailer.c - thumbnails as the freedesktop spec has them.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cs-thumbnailer.h"
#include "test-util.h"

static char *photos_dir;
static char *tmp_dir;

typedef struct {
  GdkTexture *texture;
  GError     *error;
  gboolean    done;
} Result;

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;
  r->texture = cs_thumbnailer_load_finish (CS_THUMBNAILER (source), result, &r->error);
  r->done = TRUE;
}

static void
load (CsThumbnailer *thumbnailer,
      const char    *path,
      GCancellable  *cancellable,
      Result        *r)
{
  cs_thumbnailer_load_async (thumbnailer, path, cancellable, on_loaded_cb, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_spec (void)
{
  g_autofree char *cache = g_build_filename (tmp_dir, "clipsight-test", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new (cache);
  g_autofree char *photo = g_build_filename (photos_dir, "photo-0005.jpg", NULL);
  g_autofree char *uri = g_filename_to_uri (photo, NULL, NULL);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);
  g_autofree char *expected = g_build_filename (cache, "large", name, NULL);
  g_autofree char *path = cs_thumbnailer_dup_thumbnail_path (thumbnailer, photo);
  g_autofree char *mtime = NULL;
  g_autoptr(GdkPixbuf) png = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *large = g_path_get_dirname (expected);
  Result r = { 0 };
  GStatBuf st;
  const char *entry;

  g_assert_cmpstr (path, ==, expected);
  load (thumbnailer, photo, NULL, &r);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.texture);
  /* 593 x 640: the long side becomes 256 (the JPEG is decoded at half
   * size first, so the short side rounds from 297 x 0.8) */
  g_assert_cmpint (gdk_texture_get_height (r.texture), ==, 256);
  g_assert_cmpint (ABS (gdk_texture_get_width (r.texture) - 237), <=, 1);

  /* on disk as the spec says, with no temporary file left */
  png = gdk_pixbuf_new_from_file (expected, &error);
  g_assert_no_error (error);
  g_assert_nonnull (png);
  g_assert_cmpint (g_stat (photo, &st), ==, 0);
  mtime = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_mtime);
  g_assert_cmpstr (gdk_pixbuf_get_option (png, "tEXt::Thumb::URI"), ==, uri);
  g_assert_cmpstr (gdk_pixbuf_get_option (png, "tEXt::Thumb::MTime"), ==, mtime);
  dir = g_dir_open (large, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_str_has_suffix (entry, ".png"));

  /* in memory now */
  g_assert_true (cs_thumbnailer_lookup (thumbnailer, photo) == r.texture);
  g_clear_object (&r.texture);

  /* a new thumbnailer (a new session) reads the file */
  {
    g_autoptr(CsThumbnailer) again = cs_thumbnailer_new (cache);
    Result r2 = { 0 };
    load (again, photo, NULL, &r2);
    g_assert_no_error (r2.error);
    g_assert_cmpint (gdk_texture_get_height (r2.texture), ==, 256);
    g_clear_object (&r2.texture);
  }
  test_rm_rf (cache);
}

static void
test_cancel (void)
{
  g_autofree char *cache = g_build_filename (tmp_dir, "clipsight-test2", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new (cache);
  g_autofree char *photo = g_build_filename (photos_dir, "photo-0006.jpg", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result r = { 0 };

  /* a recycled cell cancels before the worker gets to it */
  g_cancellable_cancel (cancellable);
  load (thumbnailer, photo, cancellable, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.texture);
  g_clear_error (&r.error);
  test_rm_rf (cache);
}

static void
test_unreadable (void)
{
  g_autofree char *cache = g_build_filename (tmp_dir, "clipsight-test3", NULL);
  g_autoptr(CsThumbnailer) thumbnailer = cs_thumbnailer_new (cache);
  g_autofree char *bad = g_build_filename (tmp_dir, "not-a-photo.jpg", NULL);
  Result r = { 0 };

  g_assert_true (g_file_set_contents (bad, "hello", -1, NULL));
  load (thumbnailer, bad, NULL, &r);
  g_assert_nonnull (r.error);
  g_assert_null (r.texture);
  g_clear_error (&r.error);
  test_rm_rf (cache);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* not G_TEST_OPTION_ISOLATE_DIRS: it hides the MIME database that
   * GdkPixbuf needs to recognise a PNG; the caches go to a temporary dir */
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("clipsight-thumbs-XXXXXX", NULL);
  photos_dir = test_shared_path_or_skip ("testdata/toy-photos");
  g_test_add_func ("/app/thumbnailer/spec", test_spec);
  g_test_add_func ("/app/thumbnailer/cancel", test_cancel);
  g_test_add_func ("/app/thumbnailer/unreadable", test_unreadable);
  ret = g_test_run ();
  test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (photos_dir);
  return ret;
}
