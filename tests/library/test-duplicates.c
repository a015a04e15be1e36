/* test-duplicates.c - exact and near-duplicate groups.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A folder of toy photos (../shared; skipped without) with byte copies,
 * JPEG re-encodes at another quality, a half-size copy, and blank
 * pictures of several colours (one of them copied), indexed with the real
 * indexer and the toy CLIP.  Copies and re-encodes must group with their
 * original, the keeper must be the largest, and blank pictures of
 * different colours must never group, whatever the threshold.
 *
 * The toy CLIP knows only a synthetic world in which two distinct
 * pictures can be as close as 0.996 (the same shape and colour at another
 * size), while its re-encodes stay above 0.998; so the tests use 0.998.
 * Real CLIP models separate photos far better; the default (0.97) is for
 * them.
 */
#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-duplicates.h"
#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-library-private.h"
#include "cs-store.h"
#include "test-util.h"

#define TOY_THRESHOLD 0.998

static char *toy_model;
static char *toy_photos;
static char *work_dir;
static char *photos_dir;
static char *db_path;

static const char * const originals[] = {
  "photo-0004.jpg", "photo-0005.jpg", "photo-0002.png", "photo-0100.jpg", "photo-0010.png",
  "photo-0020.png", "photo-0030.png", "photo-0040.png",
};

static const struct {
  const char *name;
  guint32     rgba;
} blanks[] = {
  { "blank-red.png", 0xff0000ff },
  { "blank-blue.png", 0x0000ffff },
  { "blank-white.png", 0xffffffff },
  { "blank-gray.png", 0x808080ff },
  { "blank-black.png", 0x000000ff },
};

static char *
in_photos (const char *name)
{
  return g_build_filename (photos_dir, name, NULL);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
}

static void
make_photos (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (photos_dir, "copies", NULL);

  g_mkdir_with_parents (sub, 0755);
  for (guint i = 0; i < G_N_ELEMENTS (originals); i++)
    {
      g_autofree char *src = g_build_filename (toy_photos, originals[i], NULL);
      g_autofree char *dst = in_photos (originals[i]);
      copy_file (src, dst);
    }
  /* byte copies */
  {
    g_autofree char *a = in_photos ("photo-0004.jpg");
    g_autofree char *b = g_build_filename (sub, "copy-of-0004.jpg", NULL);
    g_autofree char *c = in_photos ("photo-0002.png");
    g_autofree char *d = g_build_filename (sub, "copy-of-0002.png", NULL);
    copy_file (a, b);
    copy_file (c, d);
  }
  /* re-encoded at JPEG quality 30 */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *src = in_photos (originals[i == 0 ? 1 : 3]);
      g_autofree char *dst = g_strdup_printf ("%s/reencoded-%u.jpg", sub, i);
      g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new_from_file (src, &error);

      g_assert_no_error (error);
      g_assert_true (gdk_pixbuf_save (pb, dst, "jpeg", &error, "quality", "30", NULL));
    }
  /* half size */
  {
    g_autofree char *src = in_photos ("photo-0020.png");
    g_autofree char *dst = g_build_filename (sub, "half-0020.jpg", NULL);
    g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new_from_file (src, &error);
    g_autoptr(GdkPixbuf) half = gdk_pixbuf_scale_simple (pb, gdk_pixbuf_get_width (pb) / 2,
                                                         gdk_pixbuf_get_height (pb) / 2,
                                                         GDK_INTERP_BILINEAR);
    g_assert_true (gdk_pixbuf_save (half, dst, "jpeg", &error, "quality", "95", NULL));
  }
  /* blank pictures, one with a byte copy, one nearly blank (a faint dot) */
  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    {
      g_autofree char *dst = in_photos (blanks[i].name);
      g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 200, 150);

      gdk_pixbuf_fill (pb, blanks[i].rgba);
      g_assert_true (gdk_pixbuf_save (pb, dst, "png", &error, NULL));
    }
  {
    g_autofree char *a = in_photos ("blank-red.png");
    g_autofree char *b = g_build_filename (sub, "copy-of-blank-red.png", NULL);
    g_autofree char *c = in_photos ("nearly-blank-white.png");
    g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 200, 150);
    guint8 *px;

    copy_file (a, b);
    gdk_pixbuf_fill (pb, 0xfafafaff);
    px = gdk_pixbuf_get_pixels (pb);
    for (int x = 95; x < 105; x++)
      for (int c3 = 0; c3 < 3; c3++)
        px[75 * gdk_pixbuf_get_rowstride (pb) + x * 3 + c3] = 200;
    g_assert_true (gdk_pixbuf_save (pb, c, "png", &error, NULL));
  }
}

static CsLibrary *
open_library (void)
{
  g_autoptr(CsLibrary) library = cs_library_new (db_path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&library);
}

/* The group holding `name` (a base name), or NULL. */
static CsDuplicateGroup *
group_of (GListModel *groups,
          const char *name)
{
  for (guint g = 0; g < g_list_model_get_n_items (groups); g++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, g);
      GListModel *photos = cs_duplicate_group_get_photos (group);

      for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_autofree char *base = g_path_get_basename (cs_photo_get_path (photo));

          if (g_str_equal (base, name))
            return group;  /* the model keeps its reference */
        }
    }
  return NULL;
}

static gboolean
same_group (GListModel *groups,
            const char *a,
            const char *b)
{
  CsDuplicateGroup *ga = group_of (groups, a);

  return ga != NULL && ga == group_of (groups, b);
}

static const char *
keeper_name (CsDuplicateGroup *group,
             char            **out)
{
  *out = g_path_get_basename (cs_photo_get_path (cs_duplicate_group_get_keeper (group)));
  return *out;
}

static void
dump (GListModel *groups)
{
  for (guint g = 0; g < g_list_model_get_n_items (groups); g++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, g);
      GListModel *photos = cs_duplicate_group_get_photos (group);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_autofree char *base = g_path_get_basename (cs_photo_get_path (photo));
          g_string_append_printf (line, " %s (%.4f)", base, cs_photo_get_score (photo));
        }
      g_test_message ("%s group, similarity %.4f, keeper by %s:%s",
                      cs_duplicate_group_get_kind (group) == CS_DUPLICATE_EXACT ? "exact" : "near",
                      cs_duplicate_group_get_similarity (group),
                      cs_duplicate_group_get_keeper_reason (group), line->str);
    }
}

static void
test_groups (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates (library, TOY_THRESHOLD, NULL, &error);
  g_autofree char *k = NULL;
  CsDuplicateGroup *g;

  g_assert_no_error (error);
  dump (groups);

  /* byte copies: exact groups */
  g = group_of (groups, "photo-0004.jpg");
  g_assert_nonnull (g);
  g_assert_true (same_group (groups, "photo-0004.jpg", "copy-of-0004.jpg"));
  g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_EXACT);
  g_assert_cmpfloat (cs_duplicate_group_get_similarity (g), ==, 1.0);
  g_assert_true (same_group (groups, "photo-0002.png", "copy-of-0002.png"));

  /* re-encodes: near groups with their original, which is kept (same
   * pixels, larger file) */
  g_assert_true (same_group (groups, "photo-0005.jpg", "reencoded-0.jpg"));
  g_assert_true (same_group (groups, "photo-0100.jpg", "reencoded-1.jpg"));
  g = group_of (groups, "reencoded-0.jpg");
  g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_NEAR);
  g_assert_cmpstr (keeper_name (g, &k), ==, "photo-0005.jpg");
  g_assert_cmpfloat (cs_duplicate_group_get_similarity (g), >=, TOY_THRESHOLD);
  g_clear_pointer (&k, g_free);

  /* half size: the full size one is kept, for its pixels */
  g_assert_true (same_group (groups, "photo-0020.png", "half-0020.jpg"));
  g = group_of (groups, "half-0020.jpg");
  g_assert_cmpstr (keeper_name (g, &k), ==, "photo-0020.png");
  g_assert_cmpstr (cs_duplicate_group_get_keeper_reason (g), ==, "most pixels");
  g_clear_pointer (&k, g_free);

  /* blank pictures: only the byte copy */
  g_assert_true (same_group (groups, "blank-red.png", "copy-of-blank-red.png"));
  g = group_of (groups, "blank-red.png");
  g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (g)), ==, 2);
  g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_EXACT);
  for (guint i = 1; i < G_N_ELEMENTS (blanks); i++)
    g_assert_null (group_of (groups, blanks[i].name));
  g_assert_null (group_of (groups, "nearly-blank-white.png"));

  /* distinct originals stay apart */
  for (guint i = 0; i < G_N_ELEMENTS (originals); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (originals); j++)
      g_assert_false (same_group (groups, originals[i], originals[j]));
}

/* A loose threshold would put the blank pictures together (grey and black
 * are at 0.96 with the toy model): they must stay apart anyway. */
static void
test_blank_never_merge (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates (library, 0.5, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (blanks); j++)
      g_assert_false (same_group (groups, blanks[i].name, blanks[j].name));
  g_assert_true (same_group (groups, "blank-red.png", "copy-of-blank-red.png"));
  for (guint i = 1; i < G_N_ELEMENTS (blanks); i++)
    g_assert_false (same_group (groups, blanks[i].name, "nearly-blank-white.png"));

  /* groups are complete: every pair at or above the threshold */
  for (guint g = 0; g < g_list_model_get_n_items (groups); g++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, g);
      g_assert_cmpfloat (cs_duplicate_group_get_similarity (group), >=, 0.5);
    }
}

static void
test_blank_detector (void)
{
  g_autofree char *blank = in_photos ("blank-gray.png");
  g_autofree char *nearly = in_photos ("nearly-blank-white.png");
  g_autofree char *photo = in_photos ("photo-0004.jpg");
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates (library, 0, NULL, &error);

  g_assert_true (cs_blank_is_blank (blank));
  g_assert_true (cs_blank_is_blank (nearly));
  g_assert_false (cs_blank_is_blank (photo));

  /* the default threshold works too */
  g_assert_no_error (error);
  g_assert_true (same_group (groups, "photo-0004.jpg", "copy-of-0004.jpg"));
}

typedef struct {
  GArray     *fractions;   /* double, as reported */
  gboolean    done;
  guint       after_done;  /* reports after the callback: none allowed */
  GListModel *groups;
  GError     *error;
  GThread    *caller;      /* every report comes on this thread */
} ProgressRun;

static void
on_progress (double   fraction,
             gpointer data)
{
  ProgressRun *run = data;

  g_assert_true (g_thread_self () == run->caller);
  if (run->done)
    run->after_done++;
  g_array_append_val (run->fractions, fraction);
}

static void
on_progress_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  ProgressRun *run = data;

  run->groups = cs_library_find_duplicates_finish (CS_LIBRARY (source), result, &run->error);
  run->done = TRUE;
}

/* The search reports its progress in the caller's context: fractions in
 * [0, 1] that never go down, none after the result, and the same groups
 * as without progress; none at all once cancelled, even when the search
 * ran on before the cancel while the caller's context stood free. */
static void
test_progress (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) plain = cs_library_find_duplicates (library, TOY_THRESHOLD, NULL, &error);
  ProgressRun run = { g_array_new (FALSE, FALSE, sizeof (double)), FALSE, 0, NULL, NULL, g_thread_self () };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_no_error (error);
  cs_library_find_duplicates_with_progress_async (library, TOY_THRESHOLD, on_progress, &run, NULL,
                                                  on_progress_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  /* anything still queued would run now */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.fractions->len, >=, 1);
  g_assert_cmpuint (run.after_done, ==, 0);
  for (guint i = 0; i < run.fractions->len; i++)
    {
      double f = g_array_index (run.fractions, double, i);
      g_assert_cmpfloat (f, >=, 0.0);
      g_assert_cmpfloat (f, <=, 1.0);
      if (i > 0)
        g_assert_cmpfloat (f, >, g_array_index (run.fractions, double, i - 1));
    }
  /* the whole way: the last report, before the result, is the end */
  g_assert_cmpfloat (g_array_index (run.fractions, double, run.fractions->len - 1), ==, 1.0);
  g_assert_cmpuint (g_list_model_get_n_items (run.groups), ==, g_list_model_get_n_items (plain));
  for (guint g = 0; g < g_list_model_get_n_items (plain); g++)
    {
      g_autoptr(CsDuplicateGroup) a = g_list_model_get_item (plain, g);
      g_autoptr(CsDuplicateGroup) b = g_list_model_get_item (run.groups, g);
      g_autoptr(CsPhoto) ka = g_list_model_get_item (cs_duplicate_group_get_photos (a), 0);
      g_autoptr(CsPhoto) kb = g_list_model_get_item (cs_duplicate_group_get_photos (b), 0);

      g_assert_cmpint (cs_photo_get_id (ka), ==, cs_photo_get_id (kb));
      g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (a)), ==,
                        g_list_model_get_n_items (cs_duplicate_group_get_photos (b)));
    }
  g_clear_object (&run.groups);

  /* cancelled at once: the error, and no report */
  g_array_set_size (run.fractions, 0);
  run.done = FALSE;
  cs_library_find_duplicates_with_progress_async (library, TOY_THRESHOLD, on_progress, &run, cancellable,
                                                  on_progress_done, &run);
  /* the caller's context is free meanwhile (nobody iterates it): the
   * search runs on, and its reports must still wait for the caller */
  g_usleep (G_USEC_PER_SEC / 10);
  g_cancellable_cancel (cancellable);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.groups);
  g_assert_cmpuint (run.fractions->len, ==, 0);
  g_clear_error (&run.error);
  g_array_unref (run.fractions);
}

/* An index made here, over real photos of the fixture (so that the blank
 * test sees real pictures), with vectors chosen by the test. */
typedef struct {
  const char *name;     /* under photos_dir */
  const char *hash;
  gint64      size;
  int         kind;     /* 0: NaN, 1: an infinity, 2: e0, 3: near e0 */
} Row;

static CsVectorIndex *
index_of (const Row *rows,
          guint      n,
          int        dim)
{
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (dim, 0);
  g_autofree float *v = g_new (float, dim);
  CsVectorIndex *index;
  CsSegment *segment;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = in_photos (rows[i].name);
      CsStorePhoto p = { .id = i + 1, .path = path, .size = rows[i].size, .hash = (char *) rows[i].hash,
                         .width = 100, .height = 100, .taken_unix = i };

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      for (int d = 0; d < dim; d++)
        v[d] = rows[i].kind == 0 ? NAN : 0.0f;
      if (rows[i].kind == 1)
        v[0] = INFINITY;
      if (rows[i].kind == 2)
        v[0] = 1.0f;
      if (rows[i].kind == 3)
        {
          v[0] = 0.9995f;
          v[1] = sqrtf (1.0f - 0.9995f * 0.9995f);
        }
      _cs_segment_builder_add (b, &p, v);
    }
  segment = _cs_segment_builder_end (g_steal_pointer (&b));
  index = _cs_vector_index_new (dim, 1, "test", 1, segment);
  _cs_segment_unref (segment);
  return index;
}

/* Vectors with NaN or infinity (stored by an older version or made by a
 * broken model) compare as NaN to everything: they must never make a
 * pair, so never a group the app would offer to trash, at any threshold;
 * byte copies still group, as exact copies with finite figures. */
static void
test_non_finite_vectors (void)
{
  static const Row rows[] = {
    { "photo-0004.jpg", "h0", 100, 0 },
    { "copies/copy-of-0004.jpg", "h0", 100, 0 },
    { "photo-0005.jpg", "h2", 200, 0 },
    { "photo-0002.png", "h3", 300, 1 },
    { "photo-0100.jpg", "h4", 400, 0 },
  };
  static const double thresholds[] = { 1.0, 0.998, 0.5, 0.01 };
  g_autoptr(CsVectorIndex) index = index_of (rows, G_N_ELEMENTS (rows), 16);

  for (guint t = 0; t < G_N_ELEMENTS (thresholds); t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) groups = cs_duplicates_find (index, thresholds[t], NULL, &error);
      g_autoptr(CsDuplicateGroup) g = NULL;
      GListModel *photos;

      g_assert_no_error (error);
      dump (groups);
      g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
      g = g_list_model_get_item (groups, 0);
      g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_EXACT);
      g_assert_cmpfloat (cs_duplicate_group_get_similarity (g), ==, 1.0);
      photos = cs_duplicate_group_get_photos (g);
      g_assert_cmpuint (g_list_model_get_n_items (photos), ==, 2);
      g_assert_true (same_group (groups, "photo-0004.jpg", "copy-of-0004.jpg"));
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_assert_cmpfloat (cs_photo_get_score (photo), ==, 1.0);
        }
    }
}

/* A near group holding two byte-identical files marks them as exact
 * copies (of each other), and only them. */
static void
test_exact_copies_in_near_group (void)
{
  static const Row rows[] = {
    { "photo-0100.jpg", "h4", 400, 2 },
    { "copies/reencoded-1.jpg", "h5", 500, 3 },
    { "photo-0010.png", "h5", 500, 3 },
    { "photo-0020.png", "h6", 600, 0 },
  };
  g_autoptr(CsVectorIndex) index = index_of (rows, G_N_ELEMENTS (rows), 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_duplicates_find (index, TOY_THRESHOLD, NULL, &error);
  g_autoptr(CsDuplicateGroup) g = NULL;
  GListModel *photos;
  guint n_copies = 0;

  g_assert_no_error (error);
  dump (groups);
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
  g = g_list_model_get_item (groups, 0);
  g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_NEAR);
  photos = cs_duplicate_group_get_photos (g);
  g_assert_cmpuint (g_list_model_get_n_items (photos), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      g_autofree char *base = g_path_get_basename (cs_photo_get_path (photo));
      gboolean copy = g_str_equal (base, "reencoded-1.jpg") || g_str_equal (base, "photo-0010.png");
      guint of = cs_duplicate_group_get_copy_of (g, i);

      g_assert_cmpint (cs_duplicate_group_is_exact_copy (g, i), ==, copy);
      if (of != i)
        {
          g_autoptr(CsPhoto) other = g_list_model_get_item (photos, of);
          g_autofree char *other_base = g_path_get_basename (cs_photo_get_path (other));

          g_assert_cmpuint (of, <, i);
          g_assert_true (copy);
          g_assert_true (g_str_equal (other_base, "reencoded-1.jpg") || g_str_equal (other_base, "photo-0010.png"));
          g_assert_cmpstr (other_base, !=, base);
          n_copies++;
        }
    }
  g_assert_cmpuint (n_copies, ==, 1);
}

/* ------------------------------------------------- chosen vectors */

/* A photo of an index made here with its vector and metadata chosen by
 * the test, so that the expected groups follow from figures worked out
 * by hand (or by brute force below), not from the code under test.  The
 * files are real (the nearly blank test decodes them); several rows may
 * share one. */
typedef struct {
  const char *name;     /* under photos_dir */
  const char *hash;
  gint64      size;
  int         width;
  int         height;
  gint64      taken;
  float       v[8];     /* the vector (unit length, or NaN) */
} Pick;

/* A unit vector in the plane of axes `a` and `b`, at `angle` from `a`. */
#define AT(a, b, angle) { [a] = cosf (angle), [b] = sinf (angle) }

static CsVectorIndex *
index_of_picks (const Pick *rows,
                guint       n)
{
  g_autoptr(CsSegmentBuilder) b = _cs_segment_builder_new (G_N_ELEMENTS (rows->v), 0);
  float v[G_N_ELEMENTS (rows->v)];
  CsVectorIndex *index;
  CsSegment *segment;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = in_photos (rows[i].name);
      CsStorePhoto p = { .id = i + 1, .path = path, .size = rows[i].size, .hash = (char *) rows[i].hash,
                         .width = rows[i].width, .height = rows[i].height, .taken_unix = rows[i].taken };

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      memcpy (v, rows[i].v, sizeof v);
      _cs_segment_builder_add (b, &p, v);
    }
  segment = _cs_segment_builder_end (g_steal_pointer (&b));
  index = _cs_vector_index_new (G_N_ELEMENTS (rows->v), 1, "test", 1, segment);
  _cs_segment_unref (segment);
  return index;
}

/* The cosine of two picks, in double (the vectors are unit length). */
static double
pick_cos (const Pick *a,
          const Pick *b)
{
  double s = 0;

  for (guint d = 0; d < G_N_ELEMENTS (a->v); d++)
    s += (double) a->v[d] * b->v[d];
  return s;
}

static GListModel *
find_in (CsVectorIndex *index,
         double         threshold)
{
  g_autoptr(GError) error = NULL;
  GListModel *groups = cs_duplicates_find (index, threshold, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (groups);
  dump (groups);
  return groups;
}

/* "At or above the threshold": two photos whose cosine is exactly the
 * threshold (0.75 = 1 x 0.75 + 0 x 0.66, exact in float and double) are
 * a group, and a hair above it they are not. */
static void
test_threshold_inclusive (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "ha", 100, 100, 100, 0, { 1.0f } },
    { "photo-0005.jpg", "hb", 100, 100, 100, 0, { 0.75f, 0.66143783f } },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) at = find_in (index, 0.75);
  g_autoptr(GListModel) above = find_in (index, 0.7500001);

  g_assert_cmpuint (g_list_model_get_n_items (at), ==, 1);
  g_assert_true (same_group (at, "photo-0004.jpg", "photo-0005.jpg"));
  g_assert_cmpuint (g_list_model_get_n_items (above), ==, 0);
}

/* Greedy complete linkage takes the closest pair first: B and C (0.9999)
 * group, and A, close enough to B (0.9992) but not to C (0.9985), stays
 * out, in no group of its own either (a group has two photos). */
static void
test_closest_pair_first (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "ha", 100, 100, 100, 0, AT (0, 1, 0.0f) },
    { "photo-0005.jpg", "hb", 100, 100, 100, 0, AT (0, 1, 0.04f) },
    { "photo-0100.jpg", "hc", 100, 100, 100, 0, AT (0, 1, 0.0541f) },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) groups = NULL;
  g_autoptr(CsDuplicateGroup) g = NULL;
  g_autofree char *names = NULL;

  /* the premises, by brute force */
  g_assert_cmpfloat (pick_cos (&rows[1], &rows[2]), >, pick_cos (&rows[0], &rows[1]));
  g_assert_cmpfloat (pick_cos (&rows[0], &rows[1]), >=, 0.999);
  g_assert_cmpfloat (pick_cos (&rows[0], &rows[2]), <, 0.999);

  groups = find_in (index, 0.999);
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
  g = g_list_model_get_item (groups, 0);
  g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (g)), ==, 2);
  g_assert_true (same_group (groups, "photo-0005.jpg", "photo-0100.jpg"));
  g_assert_null (group_of (groups, "photo-0004.jpg"));
}

/* Byte copies go together before any pair of photos that are merely
 * close, however close: X' (X's bytes, a broken vector) stays with X
 * although Y's vector is X's own. */
static void
test_exact_pairs_first (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "hx", 100, 100, 100, 0, { 1.0f } },
    { "photo-0005.jpg", "hy", 100, 100, 100, 0, { 1.0f } },
    { "copies/copy-of-0004.jpg", "hx", 100, 100, 100, 0, { NAN } },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) groups = find_in (index, TOY_THRESHOLD);
  CsDuplicateGroup *g;

  g_assert_true (same_group (groups, "photo-0004.jpg", "copy-of-0004.jpg"));
  g = group_of (groups, "photo-0004.jpg");
  g_assert_cmpint (cs_duplicate_group_get_kind (g), ==, CS_DUPLICATE_EXACT);
  g_assert_null (group_of (groups, "photo-0005.jpg"));
}

/* A content hash that matches but a size that does not is no copy (the
 * hash covers only part of a file): Q is no closer to P than its cosine
 * says, so P goes with R, its closest (0.9999), and Q (0.9992 to P,
 * 0.9985 to R) with nobody. */
static void
test_same_hash_other_size (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "hp", 100, 100, 100, 0, AT (0, 1, 0.0f) },
    { "photo-0005.jpg", "hp", 200, 100, 100, 0, AT (0, 1, 0.04f) },
    { "photo-0100.jpg", "hr", 300, 100, 100, 0, AT (0, 1, -0.0141f) },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) groups = NULL;

  g_assert_cmpfloat (pick_cos (&rows[0], &rows[2]), >, pick_cos (&rows[0], &rows[1]));
  g_assert_cmpfloat (pick_cos (&rows[0], &rows[1]), >=, 0.999);
  g_assert_cmpfloat (pick_cos (&rows[1], &rows[2]), <, 0.999);

  groups = find_in (index, 0.999);
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
  g_assert_true (same_group (groups, "photo-0004.jpg", "photo-0100.jpg"));
  g_assert_cmpint (cs_duplicate_group_get_kind (group_of (groups, "photo-0004.jpg")), ==, CS_DUPLICATE_NEAR);
  g_assert_null (group_of (groups, "photo-0005.jpg"));
}

/* A group's similarity is the lowest cosine between any two of its
 * photos (brute force here), also when that pair is not the one whose
 * merge came last: R and S (0.02 apart) are the farthest of the four. */
static void
test_similarity_is_lowest_pair (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "h1", 100, 100, 100, 0, AT (0, 1, 0.0f) },
    { "photo-0005.jpg", "h2", 100, 100, 100, 0, AT (0, 1, 0.01f) },
    { "photo-0100.jpg", "h3", 100, 100, 100, 0, AT (0, 1, -0.01f) },
    { "photo-0010.png", "h4", 100, 100, 100, 0, AT (0, 2, 0.012f) },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) groups = find_in (index, 0.999);
  g_autoptr(CsDuplicateGroup) g = NULL;
  double lowest = 1.0;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (rows); j++)
      lowest = MIN (lowest, pick_cos (&rows[i], &rows[j]));
  g_assert_cmpfloat (lowest, >=, 0.999);  /* so all four group */
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
  g = g_list_model_get_item (groups, 0);
  g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (g)), ==, 4);
  g_assert_cmpfloat_with_epsilon (cs_duplicate_group_get_similarity (g), lowest, 1e-6);
}

/* The largest groups first, then among groups of a size the closest
 * (highest similarity) first, whatever the order of the rows: here the
 * loose pair comes first in the index and the big group last. */
static void
test_group_order (void)
{
  static const Pick rows[] = {
    { "photo-0030.png", "l1", 100, 100, 100, 0, AT (4, 5, 0.0f) },    /* loose pair: 0.99955 */
    { "photo-0040.png", "l2", 100, 100, 100, 0, AT (4, 5, 0.03f) },
    { "photo-0010.png", "t1", 100, 100, 100, 0, AT (2, 3, 0.0f) },    /* tight pair: 0.99999 */
    { "photo-0020.png", "t2", 100, 100, 100, 0, AT (2, 3, 0.005f) },
    { "photo-0004.jpg", "b1", 100, 100, 100, 0, AT (0, 1, 0.0f) },    /* three: 0.9998 */
    { "photo-0005.jpg", "b2", 100, 100, 100, 0, AT (0, 1, 0.01f) },
    { "photo-0100.jpg", "b3", 100, 100, 100, 0, AT (0, 1, 0.02f) },
  };
  g_autoptr(CsVectorIndex) index = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GListModel) groups = find_in (index, 0.999);
  static const char * const first[] = { "photo-0004.jpg", "photo-0010.png", "photo-0030.png" };

  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CsDuplicateGroup) g = g_list_model_get_item (groups, i);

      g_assert_true (group_of (groups, first[i]) == g);
    }
}

/* The keeper rule (cs-duplicate-group.h), one criterion at a time, and
 * the keeper first in the group whatever the others' scores and rows:
 * the copy taken first is not on the first row, where an exact copy
 * (scored 1 like the keeper) used to be sorted ahead of it. */
static void
test_keeper_rule (void)
{
  /* exact copies (same pixels and size): the one taken first */
  static const Pick by_date[] = {
    { "photo-0004.jpg", "hk", 100, 100, 100, 300, { 1.0f } },
    { "photo-0004.jpg", "hk", 100, 100, 100, 100, { 1.0f } },
    { "photo-0004.jpg", "hk", 100, 100, 100, 200, { 1.0f } },
  };
  /* the same in everything but the id (row i has id i + 1): the lowest */
  static const Pick by_id[] = {
    { "photo-0004.jpg", "hk", 100, 100, 100, 500, { 1.0f } },
    { "photo-0004.jpg", "hk", 100, 100, 100, 500, { 1.0f } },
  };
  /* near copies: R1 loses on pixels, R2 only on its file size, so the
   * size is what finally decided */
  static const Pick by_size[] = {
    { "photo-0005.jpg", "r1", 900, 100, 100, 0, AT (0, 1, 0.0f) },
    { "photo-0100.jpg", "r2", 400, 200, 100, 0, AT (0, 1, 0.001f) },
    { "photo-0004.jpg", "kk", 500, 200, 100, 0, AT (0, 1, 0.002f) },
  };
  struct {
    const Pick *rows;
    guint       n;
    guint       keeper;   /* row */
    const char *reason;
  } cases[] = {
    { by_date, G_N_ELEMENTS (by_date), 1, "taken first" },
    { by_id, G_N_ELEMENTS (by_id), 0, "indexed first" },
    { by_size, G_N_ELEMENTS (by_size), 2, "largest file" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(CsVectorIndex) index = index_of_picks (cases[c].rows, cases[c].n);
      g_autoptr(GListModel) groups = find_in (index, 0.999);
      g_autoptr(CsDuplicateGroup) g = NULL;
      GListModel *photos;

      g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 1);
      g = g_list_model_get_item (groups, 0);
      photos = cs_duplicate_group_get_photos (g);
      g_assert_cmpuint (g_list_model_get_n_items (photos), ==, cases[c].n);
      g_assert_cmpint (cs_photo_get_id (cs_duplicate_group_get_keeper (g)), ==, cases[c].keeper + 1);
      g_assert_cmpstr (cs_duplicate_group_get_keeper_reason (g), ==, cases[c].reason);
      /* keeper first, then by decreasing similarity to it */
      for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_autoptr(CsPhoto) prev = i > 0 ? g_list_model_get_item (photos, i - 1) : NULL;

          if (i == 0)
            g_assert_cmpint (cs_photo_get_id (photo), ==, cases[c].keeper + 1);
          else if (i > 1)
            g_assert_cmpfloat (cs_photo_get_score (photo), <=, cs_photo_get_score (prev));
        }
    }
}

/* Rows gone from the index (photos deleted, or replaced by a newer
 * version) are in no group, though their vectors are still in the
 * matrix: three copies of one vector, the first and last removed, leave
 * nothing. */
static void
test_dead_rows (void)
{
  static const Pick rows[] = {
    { "photo-0004.jpg", "d1", 100, 100, 100, 0, { 1.0f } },
    { "photo-0005.jpg", "d2", 100, 100, 100, 0, { 1.0f } },
    { "photo-0100.jpg", "d3", 100, 100, 100, 0, { 1.0f } },
  };
  g_autoptr(CsVectorIndex) full = index_of_picks (rows, G_N_ELEMENTS (rows));
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CsVectorIndex) index = NULL;
  g_autoptr(GListModel) before = find_in (full, TOY_THRESHOLD);
  g_autoptr(GListModel) after = NULL;
  gint64 gone[] = { 1, 3 };

  g_assert_cmpuint (g_list_model_get_n_items (before), ==, 1);
  g_array_append_vals (removed, gone, G_N_ELEMENTS (gone));
  index = _cs_vector_index_update (full, NULL, removed, 2);
  /* the rows are still there, dead: what this test is about */
  g_assert_cmpuint (_cs_vector_index_n_rows (index), ==, 3);
  g_assert_cmpuint (_cs_vector_index_n_live (index), ==, 1);
  after = find_in (index, TOY_THRESHOLD);
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, 0);
}

/* A threshold above 1 is taken as 1: exact copies are copies at any
 * threshold (cs-library.h: groups of exact copies, and of near ones at
 * the threshold). */
static void
test_threshold_above_one (void)
{
  g_autoptr(CsLibrary) library = open_library ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates (library, 1.5, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (same_group (groups, "photo-0004.jpg", "copy-of-0004.jpg"));
  g_assert_true (same_group (groups, "blank-red.png", "copy-of-blank-red.png"));
  g_assert_null (group_of (groups, "reencoded-0.jpg"));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  work_dir = test_make_temp_dir ();
  photos_dir = g_build_filename (work_dir, "photos", NULL);
  db_path = g_build_filename (work_dir, "library.db", NULL);
  g_mkdir_with_parents (photos_dir, 0755);
  make_photos ();
  {
    g_autoptr(CsIndexer) indexer = cs_indexer_new (db_path, toy_model);
    g_autoptr(CsIndexSummary) summary = NULL;
    g_autoptr(GError) error = NULL;

    cs_indexer_add_folder (indexer, photos_dir);
    summary = cs_indexer_rescan (indexer, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (summary->failed, ==, 0);
  }

  g_test_add_func ("/library/duplicates/groups", test_groups);
  g_test_add_func ("/library/duplicates/blank-never-merge", test_blank_never_merge);
  g_test_add_func ("/library/duplicates/blank-detector", test_blank_detector);
  g_test_add_func ("/library/duplicates/non-finite-vectors", test_non_finite_vectors);
  g_test_add_func ("/library/duplicates/exact-copies-in-near-group", test_exact_copies_in_near_group);
  g_test_add_func ("/library/duplicates/progress", test_progress);
  g_test_add_func ("/library/duplicates/threshold-inclusive", test_threshold_inclusive);
  g_test_add_func ("/library/duplicates/closest-pair-first", test_closest_pair_first);
  g_test_add_func ("/library/duplicates/exact-pairs-first", test_exact_pairs_first);
  g_test_add_func ("/library/duplicates/same-hash-other-size", test_same_hash_other_size);
  g_test_add_func ("/library/duplicates/similarity-is-lowest-pair", test_similarity_is_lowest_pair);
  g_test_add_func ("/library/duplicates/group-order", test_group_order);
  g_test_add_func ("/library/duplicates/keeper-rule", test_keeper_rule);
  g_test_add_func ("/library/duplicates/dead-rows", test_dead_rows);
  g_test_add_func ("/library/duplicates/threshold-above-one", test_threshold_above_one);
  rc = g_test_run ();

  test_rm_rf (work_dir);
  g_free (work_dir);
  g_free (photos_dir);
  g_free (db_path);
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
