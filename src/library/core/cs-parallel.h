/* cs-parallel.h - split a pass across the CPUs.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/ (core).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs fn (task, data) for task = 0 .. n_tasks - 1 on the engine's shared
 * pool (clip_parallel_run) and the calling thread, and returns when all
 * are done.  Any thread; calls may overlap. */
void     _cs_parallel_run     (guint     n_tasks,
                               void    (*fn) (guint task, gpointer data),
                               gpointer  data);
/* Threads _cs_parallel_run uses: the process's CPU budget
 * (clip_cpu_budget: the CPUs unless set). */
guint    _cs_parallel_threads (void);
/* n, but no more than the budget (and at least 1): for threads of the
 * library's own, such as the indexer's decoders. */
guint    _cs_parallel_threads_at_most (guint n);

G_END_DECLS
