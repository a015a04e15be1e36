/* cs-scanner.c - walk photo folders, deciding what counts as a photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain opendir/readdir rather than GFileEnumerator: file names stay bytes
 * (a non-UTF-8 name is still a photo), and no GFileInfo is built per file
 * in a folder of 100,000 photos.  Memory is bounded by the depth of the
 * tree and the entries of one folder at a time.
 */
#define G_LOG_DOMAIN "cs-scanner"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cs-raw.h"
#include "cs-scanner.h"

static const char *const photo_exts[] = {
  "jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "tif", "tiff", "bmp", "heic", "heif", "avif",
};

/* Images without pixels to embed: drawings that a renderer would have to
 * rasterise at a size of its choosing (and SVG can reference other files). */
static const char *const unsupported_exts[] = {
  "svg", "svgz",
};

static const char *const skipped_dirs[] = {
  "@eaDir", "#recycle", "#snapshot", "@Recycle", ".thumbnails", "lost+found", "$RECYCLE.BIN",
};

gboolean
cs_scanner_is_photo_name (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (photo_exts); i++)
    if (g_ascii_strcasecmp (dot + 1, photo_exts[i]) == 0)
      return TRUE;
  return cs_raw_is_raw_name (name);
}

gboolean
cs_scanner_is_unsupported_image_name (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (unsupported_exts); i++)
    if (g_ascii_strcasecmp (dot + 1, unsupported_exts[i]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cs_scanner_is_skipped_dir_name (const char *name)
{
  if (name[0] == '.')
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (skipped_dirs); i++)
    if (strcmp (name, skipped_dirs[i]) == 0)
      return TRUE;
  return FALSE;
}

typedef struct {
  const char * const *excluded;
  CsScanFunc          func;
  gpointer            user_data;
  GCancellable       *cancellable;
  GHashTable         *visited;   /* "dev:ino" of folders entered */
  gboolean            stop;
} Walk;

static gboolean
is_excluded (Walk       *w,
             const char *path)
{
  for (int i = 0; w->excluded != NULL && w->excluded[i] != NULL; i++)
    if (cs_path_is_below (path, w->excluded[i]))
      return TRUE;
  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
report_unreadable (Walk       *w,
                   const char *path,
                   int         err)
{
  g_autofree char *reason = g_strdup_printf ("cannot read: %s", g_strerror (err));
  if (!w->func (path, CS_SCAN_UNREADABLE, NULL, reason, w->user_data))
    w->stop = TRUE;
}

static void
walk_dir (Walk       *w,
          const char *dir_path,
          int         depth)
{
  g_autoptr(GPtrArray) names = NULL;
  struct stat dst;
  DIR *dir;
  struct dirent *ent;

  if (w->stop || g_cancellable_is_cancelled (w->cancellable))
    return;
  if (depth > CS_SCANNER_MAX_DEPTH)
    {
      g_autofree char *reason = g_strdup_printf ("more than %d folders deep: not indexed",
                                                 CS_SCANNER_MAX_DEPTH);
      if (!w->func (dir_path, CS_SCAN_SKIPPED, NULL, reason, w->user_data))
        w->stop = TRUE;
      return;
    }
  if (stat (dir_path, &dst) != 0)
    {
      report_unreadable (w, dir_path, errno);
      return;
    }
  char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) dst.st_dev, (uintmax_t) dst.st_ino);
  if (!g_hash_table_add (w->visited, key))
    return; /* a symlink loop or a second way into the same folder */

  dir = opendir (dir_path);
  if (dir == NULL)
    {
      report_unreadable (w, dir_path, errno);
      return;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  gboolean marker = FALSE;
  while ((ent = readdir (dir)) != NULL)
    {
      if (strcmp (ent->d_name, ".nomedia") == 0 || strcmp (ent->d_name, ".noimage") == 0)
        marker = TRUE;
      if (ent->d_name[0] == '.')
        continue; /* hidden, and . and .. */
      g_ptr_array_add (names, g_strdup (ent->d_name));
    }
  closedir (dir);
  if (marker)
    return;
  if (!w->func (dir_path, CS_SCAN_FOLDER, &dst, NULL, w->user_data))
    {
      w->stop = TRUE;
      return;
    }
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len && !w->stop; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      struct stat st;

      if (g_cancellable_is_cancelled (w->cancellable))
        return;
      if (stat (path, &st) != 0)
        {
          /* a dangling symlink, or a file that vanished since readdir */
          if (errno != ENOENT && cs_scanner_is_photo_name (name))
            report_unreadable (w, path, errno);
          continue;
        }
      if (is_excluded (w, path))
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (!cs_scanner_is_skipped_dir_name (name))
            walk_dir (w, path, depth + 1);
        }
      else if (S_ISREG (st.st_mode) && cs_scanner_is_photo_name (name))
        {
          if (!w->func (path, CS_SCAN_PHOTO, &st, NULL, w->user_data))
            w->stop = TRUE;
        }
      else if (S_ISREG (st.st_mode) && cs_scanner_is_unsupported_image_name (name))
        {
          if (!w->func (path, CS_SCAN_SKIPPED, NULL, "SVG drawings are not indexed", w->user_data))
            w->stop = TRUE;
        }
    }
}

gboolean
cs_scanner_walk (const char * const *roots,
                 const char * const *excluded,
                 CsScanFunc          func,
                 gpointer            user_data,
                 GCancellable       *cancellable,
                 GError            **error)
{
  Walk w = { excluded, func, user_data, cancellable, NULL, FALSE };

  g_return_val_if_fail (func != NULL, FALSE);
  w.visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; roots != NULL && roots[i] != NULL && !w.stop; i++)
    if (!is_excluded (&w, roots[i]))
      walk_dir (&w, roots[i], 0);
  g_hash_table_unref (w.visited);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}
