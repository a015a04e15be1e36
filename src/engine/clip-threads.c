/* clip-threads.c - pools of worker threads, and the process's CPU budget.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An encoder call runs about a hundred short parallel steps in a row (a
 * GEMM, the attention, a row op), some of them a few tens of microseconds
 * long for a short caption.  Each step is cut into chunks; the caller and
 * the workers claim chunks from one atomic word until none is left, and
 * the caller returns when every chunk is done.  So the caller never waits
 * for a worker that has not started: on a machine where another process
 * holds the other core, the caller simply does all the chunks itself
 * instead of stalling each step for a scheduler time slice.
 *
 * The atomic word is (job id << 32 | next chunk).  A new job first closes
 * the word (chunk index CLOSED, so nothing can be claimed), then writes its
 * function, data and chunk count, then opens it (chunk 0).  A worker reads
 * the word, the job's fields, then the word again: the same job id means
 * the fields belong to that job, and a claim is a compare-and-swap that
 * fails once the job changed.  Workers spin for a while before sleeping
 * on a condition variable; the pool never holds more threads than asked.
 *
 * One pool is shared by the whole process: clip_cpu_budget () threads,
 * used by every context created with n_threads 0 and by
 * clip_parallel_run (the library's scans).  It runs one job at a time;
 * a caller that finds it busy runs its job's chunks itself, as thread 0,
 * rather than wait, so overlapping callers share the CPUs without adding
 * threads beyond one each, and a call from inside a job cannot deadlock.
 */
#include <stdatomic.h>
#include <stdbool.h>

#include <glib.h>

#include "clip-private.h"

/* How long a thread spins before it sleeps, in microseconds. */
#define SPIN_US 100
#define CLOSED  0xffffffffu

typedef struct {
  clip_pool *pool;
  int        ith;
  GThread   *thread;
} worker;

struct clip_pool {
  int                    n;        /* threads, the caller included */
  worker                *workers;  /* [1, n) */

  _Atomic uint64_t       word;     /* job id << 32 | next chunk */
  _Atomic (clip_pool_fn) fn;
  _Atomic (void *)       data;
  atomic_size_t          n_chunks;
  atomic_size_t          done;     /* chunks finished */

  atomic_int             sleepers; /* workers waiting on wake */
  atomic_int             caller_asleep;
  atomic_bool            quit;
  bool                   shared;   /* the process's pool: one job at a time */
  GMutex                 busy;     /* held by the shared pool's caller */
  GMutex                 mutex;
  GCond                  wake;     /* a new job, or quit */
  GCond                  finished; /* the last chunk is done */
};

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Claims and runs chunks of the job whose id is in `word`, until none is
 * left or the job changes.  Returns that job's id. */
static uint32_t
work (clip_pool *pool,
      int        ith)
{
  uint64_t w = atomic_load_explicit (&pool->word, memory_order_acquire), w2;
  uint32_t id = (uint32_t) (w >> 32);
  clip_pool_fn fn;
  void *data;
  size_t n;

  if ((uint32_t) w == CLOSED)
    return id - 1; /* being set up: not this one yet */
  fn = atomic_load_explicit (&pool->fn, memory_order_relaxed);
  data = atomic_load_explicit (&pool->data, memory_order_relaxed);
  n = atomic_load_explicit (&pool->n_chunks, memory_order_relaxed);
  atomic_thread_fence (memory_order_acquire);
  w2 = atomic_load_explicit (&pool->word, memory_order_acquire);
  if ((uint32_t) (w2 >> 32) != id || (uint32_t) w2 == CLOSED)
    return id - 1; /* the fields may be another job's: look again */

  for (;;)
    {
      size_t c = (uint32_t) w2;
      if (c >= n)
        return id;
      if (atomic_compare_exchange_weak_explicit (&pool->word, &w2, w2 + 1,
                                                 memory_order_acq_rel, memory_order_acquire))
        {
          fn (data, c, ith);
          /* sequentially consistent: pairs with the caller's caller_asleep */
          if (atomic_fetch_add (&pool->done, 1) + 1 == n
              && atomic_load (&pool->caller_asleep))
            {
              g_mutex_lock (&pool->mutex);
              g_cond_signal (&pool->finished);
              g_mutex_unlock (&pool->mutex);
            }
          w2 = atomic_load_explicit (&pool->word, memory_order_acquire);
        }
      if ((uint32_t) (w2 >> 32) != id)
        return id;
    }
}

static gpointer
worker_main (gpointer p)
{
  worker *wk = p;
  clip_pool *pool = wk->pool;
  uint32_t seen = 0; /* the last job id this worker found exhausted */

  while (!atomic_load (&pool->quit))
    {
      gint64 spin_end = 0;
      int spins = 0;

      /* wait for a job other than `seen` */
      while ((uint32_t) (atomic_load_explicit (&pool->word, memory_order_acquire) >> 32) == seen
             && !atomic_load (&pool->quit))
        {
          cpu_relax ();
          if (++spins % 64 != 0)
            continue;
          if (spin_end == 0)
            spin_end = g_get_monotonic_time () + SPIN_US;
          else if (g_get_monotonic_time () > spin_end)
            {
              g_mutex_lock (&pool->mutex);
              atomic_fetch_add (&pool->sleepers, 1);
              while ((uint32_t) (atomic_load (&pool->word) >> 32) == seen && !atomic_load (&pool->quit))
                g_cond_wait (&pool->wake, &pool->mutex);
              atomic_fetch_sub (&pool->sleepers, 1);
              g_mutex_unlock (&pool->mutex);
            }
        }
      if (atomic_load (&pool->quit))
        break;
      seen = work (pool, wk->ith);
    }
  return NULL;
}

clip_pool *
clip_pool_new (int n_threads)
{
  clip_pool *pool = g_new0 (clip_pool, 1);

  pool->n = MAX (n_threads, 1);
  g_mutex_init (&pool->busy);
  g_mutex_init (&pool->mutex);
  g_cond_init (&pool->wake);
  g_cond_init (&pool->finished);
  atomic_init (&pool->word, 0);
  pool->workers = g_new0 (worker, pool->n);
  for (int i = 1; i < pool->n; i++)
    {
      worker *wk = &pool->workers[i];
      GError *error = NULL;

      wk->pool = pool;
      wk->ith = i;
      wk->thread = g_thread_try_new ("clip-worker", worker_main, wk, &error);
      if (wk->thread == NULL)
        {
          /* fewer threads compute the same result */
          g_clear_error (&error);
          pool->n = i;
          break;
        }
    }
  return pool;
}

void
clip_pool_free (clip_pool *pool)
{
  if (pool == NULL || pool->shared)
    return;
  g_mutex_lock (&pool->mutex);
  atomic_store (&pool->quit, true);
  g_cond_broadcast (&pool->wake);
  g_mutex_unlock (&pool->mutex);
  for (int i = 1; i < pool->n; i++)
    g_thread_join (pool->workers[i].thread);
  g_free (pool->workers);
  g_mutex_clear (&pool->busy);
  g_mutex_clear (&pool->mutex);
  g_cond_clear (&pool->wake);
  g_cond_clear (&pool->finished);
  g_free (pool);
}

int
clip_pool_size (const clip_pool *pool)
{
  return pool->n;
}

/* Runs a job on the workers and the caller. */
static void
run_job (clip_pool   *pool,
         clip_pool_fn fn,
         void        *data,
         size_t       n_chunks)
{
  uint32_t id;
  gint64 spin_end = 0;
  int spins = 0;

  g_assert (n_chunks < CLOSED);

  /* close the word, set the job up, open it */
  id = (uint32_t) (atomic_load (&pool->word) >> 32) + 1;
  atomic_store (&pool->word, (uint64_t) id << 32 | CLOSED);
  atomic_store_explicit (&pool->fn, fn, memory_order_relaxed);
  atomic_store_explicit (&pool->data, data, memory_order_relaxed);
  atomic_store_explicit (&pool->n_chunks, n_chunks, memory_order_relaxed);
  atomic_store_explicit (&pool->done, 0, memory_order_relaxed);
  atomic_store (&pool->word, (uint64_t) id << 32);
  if (atomic_load (&pool->sleepers) > 0)
    {
      g_mutex_lock (&pool->mutex);
      g_cond_broadcast (&pool->wake);
      g_mutex_unlock (&pool->mutex);
    }

  work (pool, 0);

  /* wait only for chunks that workers claimed */
  while (atomic_load_explicit (&pool->done, memory_order_acquire) != n_chunks)
    {
      cpu_relax ();
      if (++spins % 64 != 0)
        continue;
      if (spin_end == 0)
        spin_end = g_get_monotonic_time () + SPIN_US;
      else if (g_get_monotonic_time () > spin_end)
        {
          g_mutex_lock (&pool->mutex);
          atomic_store (&pool->caller_asleep, 1);
          while (atomic_load (&pool->done) != n_chunks)
            g_cond_wait (&pool->finished, &pool->mutex);
          atomic_store (&pool->caller_asleep, 0);
          g_mutex_unlock (&pool->mutex);
        }
    }
}

void
clip_pool_run (clip_pool   *pool,
               clip_pool_fn fn,
               void        *data,
               size_t       n_chunks)
{
  if (n_chunks == 0)
    return;
  if (pool->n == 1 || n_chunks == 1 || (pool->shared && !g_mutex_trylock (&pool->busy)))
    {
      for (size_t c = 0; c < n_chunks; c++)
        fn (data, c, 0);
      return;
    }
  run_job (pool, fn, data, n_chunks);
  if (pool->shared)
    g_mutex_unlock (&pool->busy);
}

/* --- the process's budget and shared pool ------------------------------ */

static GMutex shared_lock;
static int budget;          /* clip_set_cpu_budget's, 0: the CPUs */
static clip_pool *shared;   /* made on first use, never freed */

int
clip_cpu_budget (void)
{
  int n;

  g_mutex_lock (&shared_lock);
  n = shared != NULL ? shared->n : budget > 0 ? budget : (int) MAX (g_get_num_processors (), 1);
  g_mutex_unlock (&shared_lock);
  return n;
}

int
clip_set_cpu_budget (int n_threads)
{
  int done = 0;

  g_mutex_lock (&shared_lock);
  if (shared == NULL)
    {
      budget = MAX (n_threads, 0);
      done = 1;
    }
  g_mutex_unlock (&shared_lock);
  return done;
}

clip_pool *
clip_pool_shared (void)
{
  clip_pool *pool;

  g_mutex_lock (&shared_lock);
  if (shared == NULL)
    {
      shared = clip_pool_new (budget > 0 ? budget : (int) MAX (g_get_num_processors (), 1));
      shared->shared = true;
    }
  pool = shared;
  g_mutex_unlock (&shared_lock);
  return pool;
}

typedef struct {
  clip_task_fn fn;
  void        *data;
} task_job;

static void
task_chunk (void  *data,
            size_t chunk,
            int    ith)
{
  task_job *j = data;

  j->fn (chunk, j->data);
}

void
clip_parallel_run (size_t       n_tasks,
                   clip_task_fn fn,
                   void        *data)
{
  task_job j = { fn, data };

  clip_pool_run (clip_pool_shared (), task_chunk, &j, n_tasks);
}
