/* bench-search.c - how fast a search scans the library, against faiss.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each library size (default 100,000 and 1,000,000 photos) it makes
 * random unit vectors of 512 dimensions, builds the library's index from
 * them (float32 matrix + int8 copy), and times single queries after the
 * text is encoded: the scan with the top-k heap and the adaptive cutoff,
 * exactly as CsLibrary runs them for a list of 100, median of several
 * random queries.  In the same run it gives the same vectors and queries
 * to faiss's exact IndexFlatIP (Debian's libfaiss-dev, when the build found
 * it) and prints the ratio, and checks that both find the same 100 best.
 *
 *   bench-search [--rows N]... [--dim D] [--queries Q] [--json]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <glib.h>

#include "cs-library-private.h"

#ifdef HAVE_FAISS
#include "faiss-flat.h"
#endif

#define K 100

static guint64 rng_state = 0x9e3779b97f4a7c15ULL;

static double
next_uniform (void)
{
  /* xorshift64*: fast, and good enough for test vectors */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return ((rng_state * 0x2545f4914f6cdd1dULL) >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}

static void
random_unit (float *v,
             int    dim)
{
  double n = 0;

  for (int d = 0; d < dim; d++)
    {
      v[d] = (float) next_uniform ();
      n += (double) v[d] * v[d];
    }
  n = sqrt (n);
  for (int d = 0; d < dim; d++)
    v[d] = (float) (v[d] / n);
}

/* CPU time of the whole process (every thread), in ms: on a busy machine
 * wall time measures the neighbours too. */
static double
cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3
         + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return v[n / 2];
}

/* One search as CsLibrary runs it for a list of K: scan + cutoff. */
static double
time_search (CsVectorIndex *index,
             const float   *query,
             gboolean       exact,
             CsScanResult  *keep,
             double        *cpu)
{
  guint n = _cs_vector_index_n_live (index);
  CsScanParams p = {
    .query = query, .after = G_MININT64, .before = G_MAXINT64,
    .head = MIN (n, K + 1024 + n / 512), .rank = K, .exact = exact,
  };
  CsScanResult r;
  double c0 = cpu_ms ();
  gint64 t0 = g_get_monotonic_time ();

  g_assert_true (_cs_vector_index_scan (index, &p, NULL, &r));
  _cs_cutoff_find (r.scores, r.n, r.hist, r.n_matched, 0.0);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (cpu != NULL)
    *cpu = cpu_ms () - c0;
  if (keep != NULL)
    *keep = r;
  else
    _cs_scan_result_clear (&r);
  return ms;
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) rows_opt = NULL;
  int dim = 512, n_queries = 11;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &rows_opt, "Library size (repeatable; default 100000 and 1000000)", "N" },
    { "dim", 'd', 0, G_OPTION_ARG_INT, &dim, "Dimensions (default 512)", "D" },
    { "queries", 'q', 0, G_OPTION_ARG_INT, &n_queries, "Timed queries per size (default 11; the median is kept)", "Q" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("- time the search scan against faiss");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new (NULL);
  guint64 sizes[8];
  guint n_sizes = 0;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error) || dim < 1 || n_queries < 1)
    {
      fprintf (stderr, "bench-search: %s\n", error != NULL ? error->message : "bad --dim or --queries");
      return 2;
    }
  for (guint i = 0; rows_opt != NULL && rows_opt[i] != NULL && n_sizes < G_N_ELEMENTS (sizes); i++)
    sizes[n_sizes++] = g_ascii_strtoull (rows_opt[i], NULL, 10);
  if (n_sizes == 0)
    {
      sizes[n_sizes++] = 100000;
      sizes[n_sizes++] = 1000000;
    }

  g_string_append_printf (json, "{\"isa\": \"%s\", \"threads\": %u, \"dim\": %d, \"k\": %d, \"results\": [",
                          clip_vec_isa_name (), _cs_parallel_threads (), dim, K);
  if (!as_json)
    printf ("vector kernels %s, %u threads, %d dimensions, top %d, median of %d single queries\n",
            clip_vec_isa_name (), _cs_parallel_threads (), dim, K, n_queries);

  for (guint s = 0; s < n_sizes; s++)
    {
      guint64 n = sizes[s];
      float *rows = g_try_malloc_n (n, (gsize) dim * sizeof (float));
      g_autofree float *queries = g_new (float, (gsize) (n_queries + 1) * dim);
      g_autofree double *ours = g_new (double, n_queries);
      g_autofree double *exact = g_new (double, n_queries);
      g_autofree double *ours_cpu = g_new (double, n_queries);
      CsSegmentBuilder *builder;
      CsSegment *segment;
      CsVectorIndex *index;
      CsScanResult first, first_exact;
      guint64 i8_bytes, f32_bytes;
      gboolean same = TRUE;
      double faiss_ms = -1, build_ms;
      gint64 t0;

      if (rows == NULL)
        {
          fprintf (stderr, "bench-search: not enough memory for %" G_GUINT64_FORMAT " rows\n", n);
          return 1;
        }
      for (guint64 r = 0; r < n; r++)
        random_unit (rows + r * dim, dim);
      for (int q = 0; q <= n_queries; q++)
        random_unit (queries + (gsize) q * dim, dim);

      /* the index the library would load: ids 1..n in row order */
      t0 = g_get_monotonic_time ();
      builder = _cs_segment_builder_new (dim, (guint) n);
      for (guint64 r = 0; r < n; r++)
        {
          char path[32];
          CsStorePhoto p = { .id = (gint64) r + 1, .path = path, .taken_unix = (gint64) r };

          g_snprintf (path, sizeof path, "/bench/%" G_GUINT64_FORMAT ".jpg", r);
          _cs_segment_builder_add (builder, &p, rows + r * dim);
        }
      segment = _cs_segment_builder_end (builder);
      index = _cs_vector_index_new (dim, 1, "bench", 1, segment);
      _cs_segment_unref (segment);
      build_ms = (g_get_monotonic_time () - t0) / 1000.0;
      f32_bytes = _cs_vector_index_bytes (index, &i8_bytes);

      /* warm-up, then the timed queries (query 0 is the warm-up) */
      time_search (index, queries, FALSE, NULL, NULL);
      time_search (index, queries, TRUE, NULL, NULL);
      for (int q = 0; q < n_queries; q++)
        {
          const float *qv = queries + (gsize) (q + 1) * dim;

          ours[q] = time_search (index, qv, FALSE, q == 0 ? &first : NULL, &ours_cpu[q]);
          exact[q] = time_search (index, qv, TRUE, q == 0 ? &first_exact : NULL, NULL);
        }
      /* the int8 pass ranks the best K exactly as float32 does */
      for (guint i = 0; i < K && i < first.n; i++)
        same &= first.rows[i] == first_exact.rows[i];

#ifdef HAVE_FAISS
      {
        g_autofree gint64 *labels = g_new0 (gint64, K);

        if (cs_bench_faiss_flat_ip (rows, n, dim, queries + dim, n_queries, K, &faiss_ms, labels) == 0)
          for (guint i = 0; i < K && i < first.n; i++)
            {
              CsPhotoMeta meta;

              _cs_vector_index_meta (index, first.rows[i], &meta);
              /* faiss numbers rows from 0, the library's ids from 1; a
               * tie may order two equal scores differently */
              if (meta.id - 1 != labels[i] && fabsf (first.scores[i] - first.scores[MIN (i + 1, first.n - 1)]) > 1e-6f)
                same = FALSE;
            }
      }
#endif
      double ms = median (ours, n_queries), ms_exact = median (exact, n_queries);
      double ms_cpu = median (ours_cpu, n_queries);

      if (!as_json)
        {
          printf ("%8" G_GUINT64_FORMAT " photos: %7.2f ms a query (int8 pass + exact top %d + cutoff), "
                  "%7.2f ms all float32", n, ms, K, ms_exact);
          if (faiss_ms >= 0)
            printf (", faiss IndexFlatIP %7.2f ms: %.1fx faster", faiss_ms, faiss_ms / ms);
          else
            printf (", faiss not built in");
          printf ("\n          %.2f CPU-ms a query; matrix %.0f MB float32 + %.0f MB int8; "
                  "index built in %.0f ms; top %d %s\n",
                  ms_cpu, f32_bytes / 1048576.0, i8_bytes / 1048576.0, build_ms, K,
                  same ? "identical to float32 and faiss" : "DIFFERS");
        }
      g_string_append_printf (json, "%s{\"rows\": %" G_GUINT64_FORMAT ", \"ms\": %.3f, \"cpu_ms\": %.3f, \"ms_float32\": %.3f, "
                              "\"faiss_ms\": %.3f, \"faiss_ratio\": %.2f, \"same_top\": %s, "
                              "\"matrix_mb\": %.1f, \"int8_mb\": %.1f, \"build_ms\": %.0f}",
                              s ? ", " : "", n, ms, ms_cpu, ms_exact, faiss_ms,
                              faiss_ms >= 0 ? faiss_ms / ms : 0.0, same ? "true" : "false",
                              f32_bytes / 1048576.0, i8_bytes / 1048576.0, build_ms);
      _cs_scan_result_clear (&first);
      _cs_scan_result_clear (&first_exact);
      _cs_vector_index_unref (index);
      g_free (rows);
      if (!same)
        {
          fprintf (stderr, "bench-search: the best %d differ between the int8 pass, float32 and faiss\n", K);
          return 1;
        }
    }
  g_string_append (json, "]}\n");
  if (as_json)
    fputs (json->str, stdout);
  return 0;
}
