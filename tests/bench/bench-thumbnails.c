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
 * each run, and the median of each mode; then, steadier on a loaded
 * machine, the CPU time (this thread's) that making and writing one
 * thumbnail takes from the decode a 224-pixel model's indexing makes
 * (short side 448), against the CPU time of that decode.
 */
#include <stdio.h>
#include <stdlib.h>

#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-decode.h"
#include "cs-indexer.h"
#include "cs-thumbnail.h"
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

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU per photo: the decode, and the thumbnail made and saved from it. */
static void
thumbnail_cpu (const char *photos)
{
  g_autofree char *tmp = test_make_temp_dir ();
  g_autoptr(GDir) dir = g_dir_open (photos, 0, NULL);
  double decode_ms = 0, make_ms = 0, save_ms = 0, bytes = 0;
  guint n = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (photos, name, NULL);
      g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
      g_autoptr(CsDecodedImage) image = NULL;
      g_autoptr(GdkPixbuf) thumb = NULL;
      double t0, t1, t2, t3;

      t0 = thread_cpu_ms ();
      image = cs_decode_file_for_size (path, 448, 0, NULL);
      t1 = thread_cpu_ms ();
      if (image == NULL)
        continue;
      thumb = cs_thumbnail_make_from_image (image);
      t2 = thread_cpu_ms ();
      if (!cs_thumbnail_save (thumb, tmp, uri, 0, NULL))
        continue;
      t3 = thread_cpu_ms ();
      {
        g_autofree char *file = cs_thumbnail_file_for_uri (tmp, uri);
        GStatBuf st;
        if (g_stat (file, &st) == 0)
          bytes += st.st_size;
      }
      decode_ms += t1 - t0;
      make_ms += t2 - t1;
      save_ms += t3 - t2;
      n++;
    }
  if (n > 0)
    printf ("per photo, CPU: reduced decode %.1f ms; thumbnail: shrink %.2f ms + PNG write %.2f ms, %.1f KB (%u photos)\n",
            decode_ms / n, make_ms / n, save_ms / n, bytes / n / 1024, n);
  test_rm_rf (tmp);
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
  thumbnail_cpu (argv[2]);
  return 0;
}
