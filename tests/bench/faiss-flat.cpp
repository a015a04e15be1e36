/* faiss-flat.cpp - faiss's exact inner-product index, for comparison.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian's libfaiss-dev ships C++ headers and a static library only (no C
 * API), so this small file wraps what bench-search.c needs; it is built
 * only when faiss is found.
 */
#include <algorithm>
#include <chrono>
#include <vector>

#include <faiss/IndexFlat.h>

#include "faiss-flat.h"

int
cs_bench_faiss_flat_ip (const float *rows,
                        size_t       n_rows,
                        int          dim,
                        const float *queries,
                        int          n_queries,
                        int          k,
                        double      *median_ms,
                        int64_t     *first_labels)
{
  try
    {
      faiss::IndexFlatIP index (dim);
      std::vector<float> distances (k);
      std::vector<int64_t> labels (k); // faiss::idx_t: Index::idx_t before faiss 1.7.4
      std::vector<double> times;

      index.add ((int64_t) n_rows, rows);
      /* one warm-up, then one query at a time, as a search box asks */
      index.search (1, queries, k, distances.data (), labels.data ());
      for (int q = 0; q < n_queries; q++)
        {
          auto t0 = std::chrono::steady_clock::now ();
          index.search (1, queries + (size_t) q * dim, k, distances.data (), labels.data ());
          auto t1 = std::chrono::steady_clock::now ();
          times.push_back (std::chrono::duration<double, std::milli> (t1 - t0).count ());
          if (q == 0)
            std::copy (labels.begin (), labels.end (), first_labels);
        }
      std::sort (times.begin (), times.end ());
      *median_ms = times[times.size () / 2];
      return 0;
    }
  catch (...)
    {
      return -1;
    }
}
