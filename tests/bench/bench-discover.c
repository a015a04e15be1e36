/* bench-discover.c - themes and events at 100,000 photos.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 16's figure: themes and events of 100,000 photos in <= 3 s of
 * CPU, peak memory <= the vectors + 50 MB.  The photos are synthetic
 * 512-d vectors (the size of ViT-B/32's): 200 topics with noise, as a
 * real library clusters, dated over five years in trips and everyday
 * photos, 10 % undated; the vocabulary 1,305 concept vectors (the built-
 * in list's size).  Measures cs_discover_run() (what
 * cs_library_discover_async() runs after its snapshot; the vocabulary's
 * text encoding is cached in the database after the first run and not
 * counted).  Prints the CPU time (getrusage, this thread's and the
 * process's) and the peak resident memory above the vectors.  Not a
 * test: no figure is asserted.
 *
 *   build/tests/bench/bench-discover [--photos N] [--dim D]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include "cs-discover.h"

static double
cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Peak resident set (VmHWM) in MB. */
static double
peak_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (p = strstr (status, "VmRSS:")) == NULL)
    return NAN;
  return g_ascii_strtod (p + 6, NULL) / 1024.0;
}

static void
unit_noise (GRand *rand,
            float *v,
            int    dim)
{
  double n = 0;

  for (int d = 0; d < dim; d++)
    {
      double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);
      v[d] = (float) (sqrt (-2 * log (u1)) * cos (2 * G_PI * u2));
      n += (double) v[d] * v[d];
    }
  n = sqrt (n);
  for (int d = 0; d < dim; d++)
    v[d] = (float) (v[d] / n);
}

int
main (int    argc,
      char **argv)
{
  gint64 n_opt = 100000, dim_opt = 512;
  GOptionEntry entries[] = {
    { "photos", 0, 0, G_OPTION_ARG_INT64, &n_opt, "Photos (default 100000)", "N" },
    { "dim", 0, 0, G_OPTION_ARG_INT64, &dim_opt, "Dimension (default 512)", "D" },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("- time themes and events");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) themes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n, n_topics = 200, n_concepts = 1305;
  int dim;
  float *vectors, *topics, *concepts, *noise;
  const float **rows;
  gint64 *ids, *taken;
  double rss_before, cpu0, proc0, cpu1, proc1;
  guint covered = 0;
  const gint64 t0 = 1577836800; /* 2020-01-01 */

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-discover: %s\n", error->message);
      return 2;
    }
  n = (guint) n_opt;
  dim = (int) dim_opt;
  topics = g_new (float, (gsize) n_topics * dim);
  concepts = g_new (float, (gsize) n_concepts * dim);
  noise = g_new (float, dim);
  for (guint k = 0; k < n_topics; k++)
    unit_noise (rand, topics + (gsize) k * dim, dim);
  /* concepts: the topics' directions (some named) and others */
  for (guint c = 0; c < n_concepts; c++)
    {
      float *v = concepts + (gsize) c * dim;
      unit_noise (rand, v, dim);
      if (c < n_topics)
        {
          double nn = 0;
          for (int d = 0; d < dim; d++)
            {
              v[d] = topics[(gsize) c * dim + d] + 0.5f * v[d];
              nn += (double) v[d] * v[d];
            }
          for (int d = 0; d < dim; d++)
            v[d] = (float) (v[d] / sqrt (nn));
        }
    }

  rss_before = rss_mb ();
  vectors = g_new (float, (gsize) n * dim);
  rows = g_new (const float *, n);
  ids = g_new (gint64, n);
  taken = g_new (gint64, n);
  {
    /* trips: bursts of 40-400 photos over 2-7 days, a topic each; the
     * rest everyday photos; 10 % undated */
    guint i = 0;
    gint64 clock = t0;

    while (i < n)
      {
        gboolean trip = g_rand_int_range (rand, 0, 100) < 3;
        guint k = (guint) g_rand_int_range (rand, 0, (gint32) n_topics);
        guint burst = trip ? (guint) g_rand_int_range (rand, 40, 400) : 1;
        int days = g_rand_int_range (rand, 2, 8);

        for (guint b = 0; b < burst && i < n; b++, i++)
          {
            float *v = vectors + (gsize) i * dim;
            guint topic = trip ? k : (guint) g_rand_int_range (rand, 0, (gint32) n_topics);
            double nn = 0;

            unit_noise (rand, noise, dim);
            for (int d = 0; d < dim; d++)
              {
                v[d] = topics[(gsize) topic * dim + d] + 0.8f * noise[d];
                nn += (double) v[d] * v[d];
              }
            for (int d = 0; d < dim; d++)
              v[d] = (float) (v[d] / sqrt (nn));
            rows[i] = v;
            ids[i] = i + 1;
            taken[i] = g_rand_int_range (rand, 0, 10) == 0 ? 0
                       : clock + (trip ? (gint64) b * days * 86400 / burst : 0) + g_rand_int_range (rand, 8, 22) * 3600;
          }
        clock += trip ? (days + 3) * 86400 : g_rand_int_range (rand, 3600, 86400);
      }
  }

  {
    CsDiscoverInput in = { n, dim, rows, ids, taken, NULL };
    CsDiscoverConcepts cc = { n_concepts, dim, concepts };
    double rss_vectors = rss_mb ();

    cpu0 = cpu_s (RUSAGE_THREAD);
    proc0 = cpu_s (RUSAGE_SELF);
    if (!cs_discover_run (&in, &cc, NULL, &themes, &events, NULL, &error))
      {
        fprintf (stderr, "bench-discover: %s\n", error->message);
        return 1;
      }
    cpu1 = cpu_s (RUSAGE_THREAD);
    proc1 = cpu_s (RUSAGE_SELF);
    for (guint t = 0; t < themes->len; t++)
      covered += ((CsDiscoverGroup *) themes->pdata[t])->members->len;
    printf ("{\"photos\": %u, \"dim\": %d, \"themes\": %u, \"photos_in_themes\": %u, \"events\": %u, "
            "\"cpu_s\": %.3f, \"process_cpu_s\": %.3f, \"vectors_mb\": %.1f, "
            "\"peak_rss_mb\": %.1f, \"peak_above_vectors_mb\": %.1f}\n",
            n, dim, themes->len, covered, events->len, cpu1 - cpu0, proc1 - proc0,
            (double) n * dim * 4 / 1048576.0, peak_mb (), peak_mb () - rss_vectors);
    (void) rss_before;
  }
  g_free (vectors);
  g_free (rows);
  g_free (ids);
  g_free (taken);
  g_free (topics);
  g_free (concepts);
  g_free (noise);
  return 0;
}
