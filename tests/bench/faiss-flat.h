/* faiss-flat.h - faiss's exact inner-product index, for comparison.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Adds `n_rows` rows to a faiss::IndexFlatIP, runs one warm-up query then
 * `n_queries` single queries for the best `k`, and gives the median time
 * of a query and the ids found for the first one (k of them).  Returns 0,
 * or -1 when faiss threw. */
int cs_bench_faiss_flat_ip (const float *rows,
                            size_t       n_rows,
                            int          dim,
                            const float *queries,
                            int          n_queries,
                            int          k,
                            double      *median_ms,
                            int64_t     *first_labels);

#ifdef __cplusplus
}
#endif
