/* test-app-thumbs.c - issue 17: the indexer writes the thumbnails, so a
 * first results page after indexing decodes no photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-photo-cell.h"
#include "cs-photo-grid.h"
#include "cs-thumbnailer.h"
#include "test-util.h"

/* How many cells below `root` show a photo under `prefix` with its
 * thumbnail loaded. */
static guint
count_loaded_under (GtkWidget  *root,
                    const char *prefix)
{
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      CsPhoto *photo = CS_IS_PHOTO_CELL (w) ? cs_photo_cell_get_photo (CS_PHOTO_CELL (w)) : NULL;

      if (photo != NULL)
        n += cs_photo_cell_get_loaded (CS_PHOTO_CELL (w)) && g_str_has_prefix (cs_photo_get_path (photo), prefix);
      else if (!CS_IS_PHOTO_CELL (w))
        n += count_loaded_under (w, prefix);
    }
  return n;
}

/* Copies of every toy photo in a new folder (new paths: no thumbnail of
 * theirs is in memory or on disk yet), indexed by the app: the results
 * page that then shows some of them reads every thumbnail from the
 * cache, and makes none. */
void
test_first_page_from_cache (void)
{
  g_autofree char *folder = g_dir_make_tmp ("clipsight-thumbs-XXXXXX", NULL);
  g_autofree char *canon = g_canonicalize_filename (folder, NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (canon);
  g_autoptr(GDir) photos = g_dir_open (photos_dir, 0, NULL);
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);
  CsThumbnailer *thumbnailer = cs_thumbnailer_get_default ();
  GtkWidget *grid = GTK_WIDGET (window_part ("grid"));
  g_autofree char *prefix = g_strconcat (canon, G_DIR_SEPARATOR_S, NULL);
  guint generated0, cached0, generated1, cached1, n_copies_shown = 0, n_copies_loaded;
  const char *name;

  /* the app hands its thumbnail cache to the indexer */
  g_assert_cmpstr (cs_indexer_get_thumbnail_dir (cs_application_get_indexer (app)), ==,
                   cs_thumbnailer_get_cache_dir (thumbnailer));

  g_assert_nonnull (photos);
  while ((name = g_dir_read_name (photos)) != NULL)
    {
      g_autofree char *src = NULL;
      g_autofree char *data = NULL;
      gsize len;

      if (!g_str_has_prefix (name, "photo-"))
        continue;
      src = g_build_filename (photos_dir, name, NULL);
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_ptr_array_add (copies, g_build_filename (canon, name, NULL));
      g_assert_true (g_file_set_contents (copies->pdata[copies->len - 1], data, (gssize) len, NULL));
    }
  g_assert_cmpuint (copies->len, ==, 240);

  cs_thumbnailer_get_counts_for_testing (thumbnailer, &generated0, &cached0);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (indexer_idle, NULL, 300));
  g_assert_true (wait_for (library_has_all, GUINT_TO_POINTER (480), 120));

  /* a new search: copies tie with their originals, so the first page
   * holds both */
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "");
  g_assert_true (wait_for (search_settled, NULL, 30));
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a green triangle");
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_assert_true (wait_for (thumbnails_loaded, grid, 30));
  /* every cell on screen is loaded now; cells prepared off screen may
   * still be waiting for theirs (in CI 80 copies had cells, 59 loaded):
   * each loaded copy's thumbnail was made or read from the cache */
  collect_cell_photos (grid, shown);
  for (guint i = 0; i < shown->len; i++)
    if (g_str_has_prefix (cs_photo_get_path (shown->pdata[i]), prefix))
      n_copies_shown++;
  n_copies_loaded = count_loaded_under (grid, prefix);
  cs_thumbnailer_get_counts_for_testing (thumbnailer, &generated1, &cached1);
  g_test_message ("first page: %u cells, %u of them copies, %u of those loaded; thumbnails made %u, "
                  "read from the cache %u", shown->len, n_copies_shown, n_copies_loaded,
                  generated1 - generated0, cached1 - cached0);
  g_assert_cmpuint (n_copies_loaded, >, 0);
  g_assert_cmpuint (generated1 - generated0, ==, 0);
  g_assert_cmpuint (cached1 - cached0, >=, n_copies_loaded);

  cs_application_remove_folder (app, canon);
  g_assert_true (wait_for (indexer_idle, NULL, 60));
  for (guint i = 0; i < copies->len; i++)
    g_assert_no_errno (g_unlink (copies->pdata[i]));
  g_assert_no_errno (g_rmdir (canon));
}
