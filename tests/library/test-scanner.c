/* test-scanner.c - what the folder walk takes and what it leaves.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-scanner.h"
#include "test-util.h"

typedef struct {
  GPtrArray *photos;      /* paths relative to the root */
  GPtrArray *unreadable;
  const char *root;
} Seen;

static gboolean
collect_cb (const char        *path,
            CsScanKind         kind,
            const struct stat *st,
            const char        *reason,
            gpointer           user_data)
{
  Seen *seen = user_data;
  const char *rel;

  if (kind == CS_SCAN_FOLDER)
    return TRUE;
  rel = path + strlen (seen->root) + 1;
  if (kind == CS_SCAN_PHOTO)
    {
      g_assert_nonnull (st);
      g_ptr_array_add (seen->photos, g_strdup (rel));
    }
  else
    {
      g_assert_nonnull (reason);
      g_ptr_array_add (seen->unreadable, g_strdup (rel));
    }
  return TRUE;
}

static void
touch (const char *root,
       const char *rel)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, "x", 1, NULL));
}

static gboolean
has (GPtrArray  *arr,
     const char *s)
{
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (arr->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

static void
test_walk_rules (void)
{
  g_autofree char *root = test_make_temp_dir ();
  g_autofree char *excluded = g_build_filename (root, "private", NULL);
  g_autofree char *loop = g_build_filename (root, "a", "loop", NULL);
  g_autofree char *nonutf8 = g_strdup ("caf\xe9.jpg"); /* Latin-1 'é' */
  const char *roots[] = { root, NULL };
  const char *excl[] = { excluded, NULL };
  Seen seen = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free), root };

  touch (root, "a/one.jpg");
  touch (root, "a/TWO.JPEG");
  touch (root, "a/three.png");
  touch (root, "a/b/four.webp");
  touch (root, "a/b/raw.NEF");
  touch (root, "a/notes.txt");
  touch (root, "a/.hidden.jpg");
  touch (root, ".hiddendir/five.jpg");
  touch (root, "@eaDir/six.jpg");
  touch (root, "#recycle/seven.jpg");
  touch (root, "x/.thumbnails/eight.png");
  touch (root, "nomedia/nine.jpg");
  touch (root, "nomedia/.nomedia");
  touch (root, "noimage/ten.jpg");
  touch (root, "noimage/.noimage");
  touch (root, "private/eleven.jpg");
  touch (root, "privateer/twelve.jpg"); /* not below private/ */
  touch (root, nonutf8);
  /* a symlink loop back to the root, and a dangling link */
  g_assert_cmpint (symlink (root, loop), ==, 0);
  g_autofree char *dangling = g_build_filename (root, "a", "gone.jpg", NULL);
  g_assert_cmpint (symlink ("/nonexistent/gone.jpg", dangling), ==, 0);

  g_assert_true (cs_scanner_walk (roots, excl, collect_cb, &seen, NULL, NULL));

  g_assert_true (has (seen.photos, "a/one.jpg"));
  g_assert_true (has (seen.photos, "a/TWO.JPEG"));
  g_assert_true (has (seen.photos, "a/three.png"));
  g_assert_true (has (seen.photos, "a/b/four.webp"));
  g_assert_true (has (seen.photos, "a/b/raw.NEF"));
  g_assert_true (has (seen.photos, "privateer/twelve.jpg"));
  g_assert_true (has (seen.photos, nonutf8));
  g_assert_cmpuint (seen.photos->len, ==, 7);
  g_assert_cmpuint (seen.unreadable->len, ==, 0);

  g_ptr_array_unref (seen.photos);
  g_ptr_array_unref (seen.unreadable);
  test_rm_rf (root);
}

typedef struct {
  GPtrArray *photos;    /* char* full paths */
  GPtrArray *skipped;   /* char* "path|reason" */
} Kinds;

static gboolean
kinds_cb (const char        *path,
          CsScanKind         kind,
          const struct stat *st,
          const char        *reason,
          gpointer           user_data)
{
  Kinds *k = user_data;

  if (kind == CS_SCAN_PHOTO)
    g_ptr_array_add (k->photos, g_strdup (path));
  else if (kind == CS_SCAN_SKIPPED)
    {
      g_assert_null (st);
      g_assert_nonnull (reason);
      g_assert_null (strstr (reason, path)); /* shown after the path: not again */
      g_ptr_array_add (k->skipped, g_strdup_printf ("%s|%s", path, reason));
    }
  return TRUE;
}

/* What is left out on purpose is reported with a reason, never dropped
 * silently: SVG drawings, and folders too deep to walk. */
static void
test_skipped_with_reason (void)
{
  g_autofree char *root = test_make_temp_dir ();
  const char *roots[] = { root, NULL };
  Kinds k = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GString) deep = g_string_new (root);
  g_autofree char *at_limit = NULL;
  g_autofree char *too_deep = NULL;

  touch (root, "drawing.svg");
  touch (root, "zipped.SVGZ");
  touch (root, "photo.jpg");
  /* folders 1 .. MAX_DEPTH + 3 below the root, a photo in each of the
   * last four */
  for (int d = 1; d <= CS_SCANNER_MAX_DEPTH + 3; d++)
    {
      g_string_append (deep, "/d");
      if (d >= CS_SCANNER_MAX_DEPTH)
        {
          g_autofree char *photo = g_strdup_printf ("%s/p%d.jpg", deep->str, d);
          g_assert_cmpint (g_mkdir_with_parents (deep->str, 0755), ==, 0);
          g_assert_true (g_file_set_contents (photo, "", 0, NULL));
          if (d == CS_SCANNER_MAX_DEPTH)
            at_limit = g_steal_pointer (&photo);
          if (d == CS_SCANNER_MAX_DEPTH + 1)
            too_deep = g_strdup (deep->str);
        }
    }

  g_assert_true (cs_scanner_walk (roots, NULL, kinds_cb, &k, NULL, NULL));

  /* photo.jpg and the one at the limit; nothing below it */
  g_assert_cmpuint (k.photos->len, ==, 2);
  g_assert_true (has (k.photos, at_limit));
  g_assert_cmpuint (k.skipped->len, ==, 3);
  for (guint i = 0; i < k.skipped->len; i++)
    g_test_message ("skipped: %s", (char *) k.skipped->pdata[i]);
  g_autofree char *svg = g_strdup_printf ("%s/drawing.svg|SVG drawings are not indexed", root);
  g_autofree char *svgz = g_strdup_printf ("%s/zipped.SVGZ|SVG drawings are not indexed", root);
  g_autofree char *folder = g_strdup_printf ("%s|more than %d folders deep: not indexed", too_deep,
                                             CS_SCANNER_MAX_DEPTH);
  g_assert_true (has (k.skipped, folder));
  g_assert_true (has (k.skipped, svg));
  g_assert_true (has (k.skipped, svgz));

  g_ptr_array_unref (k.photos);
  g_ptr_array_unref (k.skipped);
  test_rm_rf (root);
}

static void
test_path_below (void)
{
  g_assert_true (cs_path_is_below ("/a/b/c.jpg", "/a/b"));
  g_assert_true (cs_path_is_below ("/a/b/c.jpg", "/a/b/"));
  g_assert_true (cs_path_is_below ("/a/b", "/a/b"));
  g_assert_false (cs_path_is_below ("/a/bc/d.jpg", "/a/b"));
  g_assert_false (cs_path_is_below ("/a", "/a/b"));
  g_assert_true (cs_path_is_below ("/x.jpg", "/"));
}

static void
test_names (void)
{
  g_assert_true (cs_scanner_is_photo_name ("x.heic"));
  g_assert_true (cs_scanner_is_photo_name ("x.AVIF"));
  g_assert_true (cs_scanner_is_photo_name ("x.tif"));
  g_assert_true (cs_scanner_is_photo_name ("IMG_0001.CR2"));
  g_assert_true (cs_scanner_is_photo_name ("x.dng"));
  g_assert_false (cs_scanner_is_photo_name ("x.mp4"));
  g_assert_false (cs_scanner_is_photo_name ("jpg"));
  g_assert_false (cs_scanner_is_photo_name (".jpg"));
}

/* An unreadable folder is reported, and the walk goes on.  Root reads
 * everything, so the walk runs in a child that drops to nobody. */
static void
test_unreadable_folder (void)
{
  g_autofree char *root = test_make_temp_dir ();
  g_autofree char *locked = g_build_filename (root, "locked", NULL);
  int status;
  pid_t pid;

  touch (root, "locked/hidden-from-us.jpg");
  touch (root, "open/visible.jpg");
  g_assert_cmpint (g_chmod (root, 0755), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      const char *roots[] = { root, NULL };
      Seen seen = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free), root };
      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (3);
      cs_scanner_walk (roots, NULL, collect_cb, &seen, NULL, NULL);
      _exit (has (seen.photos, "open/visible.jpg") && has (seen.unreadable, "locked")
             && seen.photos->len == 1 ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_chmod (locked, 0755);
  test_rm_rf (root);
}

static gboolean
stop_after_one_cb (const char        *path,
                   CsScanKind         kind,
                   const struct stat *st,
                   const char        *reason,
                   gpointer           user_data)
{
  if (kind == CS_SCAN_PHOTO)
    g_cancellable_cancel (user_data);
  return TRUE;
}

static void
test_cancel (void)
{
  g_autofree char *root = test_make_temp_dir ();
  g_autoptr(GCancellable) c = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const char *roots[] = { root, NULL };

  touch (root, "a.jpg");
  touch (root, "b.jpg");
  g_assert_false (cs_scanner_walk (roots, NULL, stop_after_one_cb, c, c, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_rm_rf (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/scanner/names", test_names);
  g_test_add_func ("/library/scanner/path-below", test_path_below);
  g_test_add_func ("/library/scanner/walk-rules", test_walk_rules);
  g_test_add_func ("/library/scanner/unreadable-folder", test_unreadable_folder);
  g_test_add_func ("/library/scanner/cancel", test_cancel);
  g_test_add_func ("/library/scanner/skipped-with-reason", test_skipped_with_reason);
  return g_test_run ();
}
