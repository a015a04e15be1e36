/* test-thumbnails.c - the thumbnails the indexer writes while it decodes
 * (issue 17: a first results page fills in without decoding a photo).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each thumbnail is checked against one made here independently: the
 * photo decoded whole by GdkPixbuf, turned upright by its own EXIF code,
 * shrunk to the size the freedesktop spec gives.  File names, URI and
 * MTime are computed here from the spec.  Uses the toy CLIP and the toy
 * photos of ../shared (skipped without).
 */
#include <math.h>
#include <string.h>
#include <utime.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-indexer.h"
#include "cs-thumbnail.h"
#include "decode-test-util.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;

typedef struct {
  char      *dir;
  char      *photos;
  char      *cache;
  char      *db;
  CsIndexer *indexer;
} Fixture;

static void
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  fx->dir = test_make_temp_dir ();
  fx->photos = g_build_filename (fx->dir, "photos", NULL);
  fx->cache = g_build_filename (fx->dir, "cache", "thumbnails", NULL);
  fx->db = g_build_filename (fx->dir, "library.db", NULL);
  g_mkdir_with_parents (fx->photos, 0755);
  fx->indexer = cs_indexer_new (fx->db, toy_model);
  cs_indexer_add_folder (fx->indexer, fx->photos);
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  g_clear_object (&fx->indexer);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->photos);
  g_free (fx->cache);
  g_free (fx->db);
}

/* Copies every toy photo into `dest`: their paths. */
static GPtrArray *
copy_photos (const char *dest)
{
  g_autoptr(GDir) d = g_dir_open (toy_photos, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *src = NULL;
      g_autofree char *contents = NULL;
      char *dst;
      gsize len;

      if (!g_str_has_prefix (name, "photo-"))
        continue;
      src = g_build_filename (toy_photos, name, NULL);
      dst = g_build_filename (dest, name, NULL);
      g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
      g_ptr_array_add (paths, dst);
    }
  g_assert_cmpuint (paths->len, >, 0);
  return paths;
}

static CsIndexSummary *
rescan (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  CsIndexSummary *summary = cs_indexer_rescan (fx->indexer, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->failed, ==, 0);
  return summary;
}

/* name -> "size mtime_ns" of every entry below `dir` (recursively). */
static void
snapshot_into (const char *dir,
               const char *prefix,
               GHashTable *into)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char *rel = g_build_filename (prefix, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      g_hash_table_insert (into, rel,
                           g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %o",
                                            (gint64) st.st_size,
                                            (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
                                            (unsigned) st.st_mode));
      if (S_ISDIR (st.st_mode))
        snapshot_into (path, rel, into);
    }
}

static GHashTable *
snapshot (const char *dir)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  snapshot_into (dir, "", t);
  return t;
}

static void
assert_same_snapshot (GHashTable *before,
                      GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *was = g_hash_table_lookup (before, key);
      if (g_strcmp0 (was, value) != 0)
        g_error ("%s changed in the photo folder: %s -> %s", (char *) key, was, (char *) value);
    }
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
}

/* The spec's file name, computed here: MD5 of the file URI, in large/. */
static char *
spec_thumbnail_file (const char *cache,
                     const char *photo)
{
  g_autofree char *uri = g_filename_to_uri (photo, NULL, NULL);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);

  return g_build_filename (cache, "large", name, NULL);
}

/* The photo as GdkPixbuf decodes it whole, upright. */
static GdkPixbuf *
reference_full (const char *photo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) raw = gdk_pixbuf_new_from_file (photo, &error);

  g_assert_no_error (error);
  return gdk_pixbuf_apply_embedded_orientation (raw);
}

/* The thumbnail's size is the spec's: the photo's when its long side is
 * at most 256, else the long side 256 and the short one in proportion
 * (within a pixel of rounding); the reference shrunk to that size. */
static GdkPixbuf *
reference_thumbnail_for (const char *photo,
                         GdkPixbuf  *thumb)
{
  g_autoptr(GdkPixbuf) full = reference_full (photo);
  int w = gdk_pixbuf_get_width (full), h = gdk_pixbuf_get_height (full);
  int tw = gdk_pixbuf_get_width (thumb), th = gdk_pixbuf_get_height (thumb);

  if (MAX (w, h) <= 256)
    {
      g_assert_cmpint (tw, ==, w);
      g_assert_cmpint (th, ==, h);
      return g_steal_pointer (&full);
    }
  g_assert_cmpint (MAX (tw, th), ==, 256);
  g_assert_true ((w >= h) == (tw >= th) || w == h);
  if (w >= h)
    g_assert_cmpfloat (fabs (th - (double) h * 256 / w), <=, 1.0);
  else
    g_assert_cmpfloat (fabs (tw - (double) w * 256 / h), <=, 1.0);
  return gdk_pixbuf_scale_simple (full, tw, th, GDK_INTERP_BILINEAR);
}

/* Mean absolute difference of the RGB channels, in 0..255 levels
 * (alpha, where one has it, is compared as the colour it covers). */
static double
mean_abs_diff (GdkPixbuf *a,
               GdkPixbuf *b)
{
  int w = gdk_pixbuf_get_width (a), h = gdk_pixbuf_get_height (a);
  int na = gdk_pixbuf_get_n_channels (a), nb = gdk_pixbuf_get_n_channels (b);
  int sa = gdk_pixbuf_get_rowstride (a), sb = gdk_pixbuf_get_rowstride (b);
  const guint8 *pa = gdk_pixbuf_read_pixels (a), *pb = gdk_pixbuf_read_pixels (b);
  double sum = 0;

  g_assert_cmpint (gdk_pixbuf_get_width (b), ==, w);
  g_assert_cmpint (gdk_pixbuf_get_height (b), ==, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        sum += abs ((int) pa[y * sa + x * na + c] - (int) pb[y * sb + x * nb + c]);
  return sum / ((double) w * h * 3);
}

/* The thumbnail of `photo` is in `cache`, names the photo's URI and
 * mtime, is the spec's size and looks like the photo: its mean difference
 * from the reference. */
static double
check_thumbnail (const char *cache,
                 const char *photo)
{
  g_autofree char *file = spec_thumbnail_file (cache, photo);
  g_autofree char *uri = g_filename_to_uri (photo, NULL, NULL);
  g_autofree char *mtime = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) thumb = NULL;
  g_autoptr(GdkPixbuf) ref = NULL;
  GStatBuf st;
  double diff;

  thumb = gdk_pixbuf_new_from_file (file, &error);
  if (thumb == NULL)
    g_error ("%s has no thumbnail %s: %s", photo, file, error->message);
  g_assert_cmpint (g_stat (photo, &st), ==, 0);
  mtime = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_mtime);
  g_assert_cmpstr (gdk_pixbuf_get_option (thumb, "tEXt::Thumb::URI"), ==, uri);
  g_assert_cmpstr (gdk_pixbuf_get_option (thumb, "tEXt::Thumb::MTime"), ==, mtime);
  /* the library's reader agrees it is valid */
  {
    g_autoptr(GdkPixbuf) valid = cs_thumbnail_load_valid (file, uri, st.st_mtime);
    g_assert_nonnull (valid);
  }
  ref = reference_thumbnail_for (photo, thumb);
  diff = mean_abs_diff (thumb, ref);
  /* up to 3.2 on the toy photos (the noisy ones, from a DCT-reduced
   * decode); another photo's thumbnail is off by tens */
  if (diff > 6.0)
    g_error ("%s: thumbnail differs from a full decode by %.2f levels on average", photo, diff);
  return diff;
}

/* Every photo gets a valid thumbnail that looks like it, in the cache
 * only; nothing else is written there, nothing at all in the photos. */
static void
test_index_writes_thumbnails (Fixture      *fx,
                              gconstpointer data)
{
  g_autoptr(GPtrArray) photos = copy_photos (fx->photos);
  g_autoptr(GHashTable) before = snapshot (fx->photos);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GHashTable) in_cache = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;
  double worst = 0, total = 0;

  g_assert_null (cs_indexer_get_thumbnail_dir (fx->indexer));
  cs_indexer_set_thumbnail_dir (fx->indexer, fx->cache);
  summary = rescan (fx);
  g_assert_cmpuint (summary->added, ==, photos->len);

  for (guint i = 0; i < photos->len; i++)
    {
      double d = check_thumbnail (fx->cache, photos->pdata[i]);
      g_autofree char *file = spec_thumbnail_file (fx->cache, photos->pdata[i]);
      g_autofree char *rel = g_strdup (file + strlen (fx->cache) + 1);
      worst = MAX (worst, d);
      total += d;
      g_hash_table_add (expected, g_steal_pointer (&rel));
    }
  g_test_message ("%u thumbnails: mean difference %.3f levels, worst %.3f", photos->len,
                  total / photos->len, worst);

  /* the photo folder is untouched: no file added, none changed */
  after = snapshot (fx->photos);
  assert_same_snapshot (before, after);
  /* the cache holds large/ and the thumbnails: no temporary file left */
  in_cache = snapshot (fx->cache);
  g_hash_table_add (expected, g_strdup ("large"));
  g_hash_table_iter_init (&iter, in_cache);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (expected, key))
      g_error ("unexpected file in the cache: %s", (char *) key);
  g_assert_cmpuint (g_hash_table_size (in_cache), ==, g_hash_table_size (expected));
}

/* Off by default (the command line's case): nothing is written. */
static void
test_off_by_default (Fixture      *fx,
                     gconstpointer data)
{
  g_autoptr(GPtrArray) photos = copy_photos (fx->photos);
  g_autoptr(GHashTable) before = snapshot (fx->dir);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(CsIndexSummary) summary = rescan (fx);
  GHashTableIter iter;
  gpointer key;

  g_assert_cmpuint (summary->added, ==, photos->len);
  g_assert_false (g_file_test (fx->cache, G_FILE_TEST_EXISTS));
  /* nothing new beside the photos but the database's own files */
  after = snapshot (fx->dir);
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key) && !g_str_has_prefix (key, "library.db"))
      g_error ("unexpected file: %s", (char *) key);
}

/* A changed photo gets a new thumbnail, of its new content and mtime. */
static void
test_modified_photo (Fixture      *fx,
                     gconstpointer data)
{
  g_autoptr(GPtrArray) photos = copy_photos (fx->photos);
  g_autoptr(CsIndexSummary) first = NULL;
  g_autoptr(CsIndexSummary) second = NULL;
  g_autofree char *target = g_build_filename (fx->photos, "photo-0004.jpg", NULL);
  g_autofree char *other = g_build_filename (toy_photos, "photo-0007.jpg", NULL);
  g_autofree char *file = spec_thumbnail_file (fx->cache, target);
  g_autofree char *contents = NULL;
  g_autoptr(GdkPixbuf) old_thumb = NULL;
  g_autoptr(GdkPixbuf) new_thumb = NULL;
  GStatBuf st;
  struct utimbuf times;
  gsize len;

  cs_indexer_set_thumbnail_dir (fx->indexer, fx->cache);
  first = rescan (fx);
  check_thumbnail (fx->cache, target);
  old_thumb = gdk_pixbuf_new_from_file (file, NULL);
  g_assert_nonnull (old_thumb);

  /* another picture under the same name, a minute later */
  g_assert_true (g_file_get_contents (other, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (target, contents, (gssize) len, NULL));
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  times.actime = st.st_atime;
  times.modtime = st.st_mtime + 60;
  g_assert_cmpint (utime (target, &times), ==, 0);

  second = rescan (fx);
  g_assert_cmpuint (second->updated, ==, 1);
  check_thumbnail (fx->cache, target);
  /* and it is not the old picture's (the two toy photos differ) */
  new_thumb = gdk_pixbuf_new_from_file (file, NULL);
  if (gdk_pixbuf_get_width (old_thumb) == gdk_pixbuf_get_width (new_thumb)
      && gdk_pixbuf_get_height (old_thumb) == gdk_pixbuf_get_height (new_thumb))
    g_assert_cmpfloat (mean_abs_diff (old_thumb, new_thumb), >, 10.0);
}

/* A photo stored turned (EXIF orientation 6 and 8) gets an upright
 * thumbnail, as the app's are: its quadrants where they belong. */
static void
test_orientation (Fixture      *fx,
                  gconstpointer data)
{
  const int orientations[] = { 3, 6, 8 };
  g_autoptr(CsIndexSummary) summary = NULL;

  /* 600 x 400 upright: larger than a thumbnail, so it is shrunk */
  for (guint i = 0; i < G_N_ELEMENTS (orientations); i++)
    {
      g_autoptr(GByteArray) jpeg = decode_test_make_oriented_jpeg_sized (orientations[i], 600, 400);
      g_autofree char *name = g_strdup_printf ("turned-%d.jpg", orientations[i]);
      g_autofree char *path = g_build_filename (fx->photos, name, NULL);
      g_assert_true (g_file_set_contents (path, (char *) jpeg->data, (gssize) jpeg->len, NULL));
    }
  cs_indexer_set_thumbnail_dir (fx->indexer, fx->cache);
  summary = rescan (fx);
  g_assert_cmpuint (summary->added, ==, G_N_ELEMENTS (orientations));
  for (guint i = 0; i < G_N_ELEMENTS (orientations); i++)
    {
      g_autofree char *name = g_strdup_printf ("turned-%d.jpg", orientations[i]);
      g_autofree char *path = g_build_filename (fx->photos, name, NULL);
      g_autofree char *file = spec_thumbnail_file (fx->cache, path);
      g_autoptr(GdkPixbuf) thumb = gdk_pixbuf_new_from_file (file, NULL);
      const guint8 *px;
      int stride, n;

      check_thumbnail (fx->cache, path);
      g_assert_nonnull (thumb);
      g_assert_cmpint (gdk_pixbuf_get_width (thumb), ==, 256);
      g_assert_cmpint (gdk_pixbuf_get_height (thumb), ==, 171);
      px = gdk_pixbuf_read_pixels (thumb);
      stride = gdk_pixbuf_get_rowstride (thumb);
      n = gdk_pixbuf_get_n_channels (thumb);
      /* the centre of each upright quadrant */
      for (int q = 0; q < 4; q++)
        {
          int x = (q % 2) * 128 + 64, y = (q / 2) * 85 + 43;
          const guint8 *want = decode_test_upright_colour_in (x, y, 256, 171);
          const guint8 *got = px + y * stride + x * n;
          for (int c = 0; c < 3; c++)
            if (abs ((int) got[c] - (int) want[c]) > 24)
              g_error ("orientation %d, quadrant %d: channel %d is %d, want %d", orientations[i], q, c,
                       got[c], want[c]);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  g_test_add ("/library/thumbnails/index-writes", Fixture, NULL, fixture_setup,
              test_index_writes_thumbnails, fixture_teardown);
  g_test_add ("/library/thumbnails/off-by-default", Fixture, NULL, fixture_setup,
              test_off_by_default, fixture_teardown);
  g_test_add ("/library/thumbnails/modified-photo", Fixture, NULL, fixture_setup,
              test_modified_photo, fixture_teardown);
  g_test_add ("/library/thumbnails/orientation", Fixture, NULL, fixture_setup,
              test_orientation, fixture_teardown);
  return g_test_run ();
}
