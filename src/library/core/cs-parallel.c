/* cs-parallel.c - split a pass over the vector matrix across the CPUs.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin layer over the engine's shared pool (clip_parallel_run), so the
 * library's scans and the engine's encoders draw on one CPU budget
 * instead of a pool each: tasks are taken from a shared counter by
 * whoever is free, the caller included, and a caller that finds the pool
 * busy with another pass does its tasks itself.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "clip.h"

#include "cs-parallel.h"

typedef struct {
  void   (*fn) (guint task, gpointer data);
  gpointer data;
} Job;

static void
run_task (size_t task,
          void  *data)
{
  Job *job = data;

  job->fn ((guint) task, job->data);
}

guint
_cs_parallel_threads (void)
{
  return (guint) clip_cpu_budget ();
}

guint
_cs_parallel_threads_at_most (guint n)
{
  return MAX (1, MIN (n, _cs_parallel_threads ()));
}

void
_cs_parallel_run (guint     n_tasks,
                  void    (*fn) (guint task, gpointer data),
                  gpointer  data)
{
  Job job = { fn, data };

  clip_parallel_run (n_tasks, run_task, &job);
}
