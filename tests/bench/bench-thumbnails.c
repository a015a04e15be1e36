/* bench-thumbnails.c - what writing thumbnails while indexing costs
 * (issue 17): the real indexer on a folder of photos, without and with
 * its "thumbnail-dir", into fresh temporary databases, alternating.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-thumbnails MODEL_DIR PHOTOS_DIR [ROUNDS]
 *
 * e.g. with `clipsight-cli make-test-model --preset vit-b-32 M` and
 * `clipsight-cli bench --photos P --make-photos 40` (12-megapixel JPEGs).
 * Prints photos per second (wall clock, model load and scan included) of
 * each run, and the median of each mode.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "cs-indexer.h"
#include "test-util.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
run_once (const char *model,
          const char *photos,
          gboolean    thumbnails,
          guint64    *n)
{
  g_autofree char *tmp = test_make_temp_dir ();
  g_autofree char *db = g_build_filename (tmp, "library.db", NULL);
  g_autofree char *cache = g_build_filename (tmp, "thumbnails", NULL);
  g_autoptr(CsIndexer) indexer = cs_indexer_new (db, model);
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  double seconds;

  cs_indexer_add_folder (indexer, photos);
  if (thumbnails)
    cs_indexer_set_thumbnail_dir (indexer, cache);
  start = g_get_monotonic_time ();
  summary = cs_indexer_rescan (indexer, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (summary == NULL)
    {
      g_printerr ("bench-thumbnails: %s\n", error->message);
      exit (1);
    }
  *n = summary->added;
  test_rm_rf (tmp);
  return summary->added / seconds;
}

int
main (int    argc,
      char **argv)
{
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 3;
  double off[16], on[16];
  guint64 n = 0;

  if (argc < 3 || rounds == 0 || rounds > 16)
    {
      g_printerr ("usage: bench-thumbnails MODEL_DIR PHOTOS_DIR [ROUNDS (1-16)]\n");
      return 2;
    }
  for (guint r = 0; r < rounds; r++)
    {
      /* alternating, so that a change of load hits both modes alike */
      off[r] = run_once (argv[1], argv[2], FALSE, &n);
      printf ("round %u: without thumbnails %.2f photos/s (%" G_GUINT64_FORMAT " photos)\n", r + 1, off[r], n);
      on[r] = run_once (argv[1], argv[2], TRUE, &n);
      printf ("round %u: with thumbnails    %.2f photos/s\n", r + 1, on[r]);
      fflush (stdout);
    }
  qsort (off, rounds, sizeof (double), compare_doubles);
  qsort (on, rounds, sizeof (double), compare_doubles);
  printf ("median: without %.2f photos/s, with %.2f photos/s (%+.1f%%)\n", off[rounds / 2],
          on[rounds / 2], 100.0 * (on[rounds / 2] / off[rounds / 2] - 1.0));
  return 0;
}
