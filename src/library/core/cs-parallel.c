/* cs-parallel.c - split a pass over the vector matrix across the CPUs.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process-wide pool of (CPUs - 1) threads; the caller works too, so a
 * scan uses every CPU and a pool thread that is busy with another scan
 * never leaves a task waiting: tasks are taken from a shared counter by
 * whoever is free, the caller included.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-parallel.h"

typedef struct {
  gatomicrefcount ref;
  void          (*fn) (guint task, gpointer data);
  gpointer        data;
  guint           n_tasks;
  gint            next;      /* atomic: the next task to take */
  GMutex          mutex;
  GCond           cond;
  guint           n_done;
} Batch;

static GThreadPool *pool;
static guint n_threads;

static void
batch_unref (Batch *batch)
{
  if (!g_atomic_ref_count_dec (&batch->ref))
    return;
  g_mutex_clear (&batch->mutex);
  g_cond_clear (&batch->cond);
  g_free (batch);
}

/* Takes tasks until none is left. */
static void
batch_work (Batch *batch)
{
  guint done = 0;
  gint task;

  while ((task = g_atomic_int_add (&batch->next, 1)) < (gint) batch->n_tasks)
    {
      batch->fn ((guint) task, batch->data);
      done++;
    }
  if (done > 0)
    {
      g_mutex_lock (&batch->mutex);
      batch->n_done += done;
      if (batch->n_done == batch->n_tasks)
        g_cond_broadcast (&batch->cond);
      g_mutex_unlock (&batch->mutex);
    }
}

static void
pool_thread (gpointer data,
             gpointer user_data)
{
  Batch *batch = data;

  batch_work (batch);
  batch_unref (batch);
}

static gpointer
init_pool (gpointer data)
{
  n_threads = MAX (1, g_get_num_processors ());
  if (n_threads > 1)
    pool = g_thread_pool_new (pool_thread, NULL, (gint) n_threads - 1, FALSE, NULL);
  return NULL;
}

guint
_cs_parallel_threads (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_pool, NULL);
  return n_threads;
}

void
_cs_parallel_run (guint     n_tasks,
                  void    (*fn) (guint task, gpointer data),
                  gpointer  data)
{
  Batch *batch;
  guint helpers;

  if (n_tasks == 0)
    return;
  helpers = MIN (_cs_parallel_threads () - 1, n_tasks - 1);
  if (helpers == 0 || pool == NULL)
    {
      for (guint i = 0; i < n_tasks; i++)
        fn (i, data);
      return;
    }

  batch = g_new0 (Batch, 1);
  g_atomic_ref_count_init (&batch->ref);
  batch->fn = fn;
  batch->data = data;
  batch->n_tasks = n_tasks;
  g_mutex_init (&batch->mutex);
  g_cond_init (&batch->cond);
  for (guint i = 0; i < helpers; i++)
    {
      g_atomic_ref_count_inc (&batch->ref);
      g_thread_pool_push (pool, batch, NULL);
    }
  batch_work (batch);
  g_mutex_lock (&batch->mutex);
  while (batch->n_done < batch->n_tasks)
    g_cond_wait (&batch->cond, &batch->mutex);
  g_mutex_unlock (&batch->mutex);
  batch_unref (batch);
}
