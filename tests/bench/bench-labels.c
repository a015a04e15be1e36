/* bench-labels.c - what a command costs with many labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The toy photos of ../shared indexed with the toy CLIP (skipped without
 * ../shared), then N labels (default 10,000; half with a prompt of their
 * own, half with the default prompts; threshold 0) added through the
 * store, then the library loaded a few times, as every CLI command and the
 * app's start do: the label vectors, the clustering and every label's
 * count.  The first load encodes every prompt and caches the vectors in
 * the database, the next ones (a second command on the same database)
 * read them; the last load clusters nothing, as `search` and `duplicates`
 * load.  Prints the wall-clock and CPU time of each load and the prompts
 * it encoded; asserts nothing about the times.
 *
 *   build/tests/bench/bench-labels [N]
 */
#include <sys/resource.h>

#include <gio/gio.h>

#include "cs-indexer.h"
#include "cs-labels.h"
#include "cs-library.h"
#include "cs-store.h"
#include "test-util.h"

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main (int    argc,
      char **argv)
{
  guint n_labels = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autofree char *model = test_shared_path_or_skip ("models/toy-clip");
  g_autofree char *photos = test_shared_path_or_skip ("testdata/toy-photos");
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(CsIndexer) indexer = cs_indexer_new (db, model);
    g_autoptr(CsIndexSummary) summary = NULL;

    cs_indexer_add_folder (indexer, photos);
    summary = cs_indexer_rescan (indexer, NULL, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(CsStore) store = cs_store_open (db, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < n_labels; i++)
      {
        g_autofree char *name = g_strdup_printf ("label %u", i);
        g_autofree char *prompt = g_strdup_printf ("a photo of thing %u {}", i);
        const char *prompts[] = { prompt, NULL };

        g_assert_cmpint (cs_store_add_label (store, name, i % 2 == 0 ? prompts : NULL, 0.0, &error), >, 0);
        g_assert_no_error (error);
      }
  }
  for (int run = 0; run < 4; run++)
    {
      g_autoptr(CsLibrary) library = cs_library_new (db, NULL);
      gboolean clustered = run < 3;
      guint64 encoded0 = _cs_labels_debug_n_encoded ();
      double cpu0;

      cs_library_set_cluster_labels (library, clustered);
      cpu0 = cpu_seconds ();
      gint64 t0 = g_get_monotonic_time ();
      guint total = 0;
      GListModel *labels;

      g_assert_true (cs_library_load (library, NULL, &error));
      g_assert_no_error (error);
      labels = cs_library_get_labels (library);
      g_assert_cmpuint (g_list_model_get_n_items (labels), ==, n_labels);
      for (guint i = 0; i < n_labels; i++)
        {
          g_autoptr(CsLabel) label = g_list_model_get_item (labels, i);
          total += cs_label_get_count (label);
        }
      g_print ("%s load with %u labels, %u photos: %.2f s wall, %.2f s CPU (%u memberships, "
               "%" G_GUINT64_FORMAT " prompts encoded)\n",
               !clustered ? "unclustered (search)" : run == 0 ? "first" : "cached",
               n_labels, cs_library_get_n_photos (library), (g_get_monotonic_time () - t0) / 1e6,
               cpu_seconds () - cpu0, total, _cs_labels_debug_n_encoded () - encoded0);
    }
  test_rm_rf (dir);
  return 0;
}
