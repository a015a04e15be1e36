/* cs-vector-index-scan.c - the scan of an index for a query.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Storage.  Each segment holds its rows twice: float32 (the truth, for
 * exact scores, labels and duplicates) and int8 with a per-row scale (a
 * quarter of the bytes, for the first pass of a search, which is bound by
 * memory bandwidth: on a 2-CPU machine the float32 pass over 1,000,000 x
 * 512 takes ~65 ms, the int8 pass ~17 ms).  With the per-row quantisation
 * error e_x = |x - x^| and the query's e_q, the int8 estimate s~ of a
 * cosine s obeys |s - s~| <= e_x |q| + |x^| e_q =: B (for every row, with
 * the segment maxima).  A search keeps the `head` best rows by s~, scores
 * them exactly, and accepts the result only when the exact score of the
 * last row it must rank is at least T + B, T being the best s~ left out:
 * then no row outside can belong above it, and the ranking is exactly the
 * float32 one.  Otherwise it rescans in float32 (rare: a crowd of rows
 * within B of each other at the boundary).
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-path.h"
#include "cs-vector-index-private.h"

/* Rows per scan block (their scores stay in L1). */
#define BLOCK 256
/* Scan tasks per thread: each keeps its own heap of the head, so few and
 * large (the merge costs tasks x head), but more than one per thread so
 * that a thread slowed by other work does not hold the whole scan up. */
#define TASKS_PER_THREAD 2

/* --------------------------------------------------------------- scan */

typedef struct {
  float score;
  guint row;
} Cand;

/* A min-heap of the best candidates (the worst at the top). */
typedef struct {
  Cand  *items;
  guint  n;
  guint  cap;
} Heap;

static inline gboolean
cand_less (Cand a,
           Cand b)
{
  /* lower score first; at equal scores the higher row counts as lower,
   * so that ties keep the earliest rows whatever the task split */
  return a.score < b.score || (a.score == b.score && a.row > b.row);
}

static void
heap_push (Heap *h,
           Cand  c)
{
  guint i;

  if (h->cap == 0)
    return;
  if (h->n < h->cap)
    {
      i = h->n++;
      while (i > 0 && cand_less (c, h->items[(i - 1) / 2]))
        {
          h->items[i] = h->items[(i - 1) / 2];
          i = (i - 1) / 2;
        }
      h->items[i] = c;
      return;
    }
  if (!cand_less (h->items[0], c))
    return;
  /* replace the top and sift down */
  i = 0;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      Cand best = c;

      if (l < h->n && cand_less (h->items[l], best))
        {
          m = l;
          best = h->items[l];
        }
      if (r < h->n && cand_less (h->items[r], best))
        m = r;
      if (m == i)
        break;
      h->items[i] = h->items[m];
      i = m;
    }
  h->items[i] = c;
}

typedef enum {
  PASS_HEAD,      /* keep the best `head` (int8 or float32) */
  PASS_COLLECT,   /* keep every row above a threshold */
} PassKind;

typedef struct {
  guint seg;
  guint start;
  guint count;
} Task;

typedef struct {
  Heap     heap;
  guint32 *hist;
  guint    n_matched;
  GArray  *collected;  /* Cand, PASS_COLLECT */
} TaskOut;

typedef struct {
  CsVectorIndex      *index;
  const CsScanParams *params;
  PassKind            kind;
  gboolean            exact;
  float               threshold;    /* PASS_COLLECT, on the estimate */
  gint8              *q8;
  float               qscale;
  guint8            **folder_ok;    /* per segment, per folder: NULL = all */
  gboolean            filtered;     /* any filter at all */
  guint               hist_mask;    /* rows whose number & mask == 0 feed the histogram */
  GArray             *tasks;
  TaskOut            *outs;
  GCancellable       *cancellable;
} Pass;

static inline guint
hist_bin (float s)
{
  int b = (int) ((s + 1.0f) * 0.5f * CS_SCAN_HIST_BINS);

  return (guint) CLAMP (b, 0, CS_SCAN_HIST_BINS - 1);
}

static void
pass_task (guint     t,
           gpointer  data)
{
  Pass *pass = data;
  Task *task = &g_array_index (pass->tasks, Task, t);
  TaskOut *out = &pass->outs[t];
  CsSegment *s = pass->index->segments[task->seg];
  const guint8 *dead = pass->index->dead[task->seg];
  const guint8 *fok = pass->folder_ok[task->seg];
  const CsScanParams *p = pass->params;
  guint base = pass->index->offset[task->seg];
  float scores[BLOCK];
  gint32 dots[BLOCK];

  if (pass->cancellable != NULL && g_cancellable_is_cancelled (pass->cancellable))
    return;
  for (guint b = task->start; b < task->start + task->count; b += BLOCK)
    {
      guint nb = MIN (BLOCK, task->start + task->count - b);

      if (pass->exact)
        clip_vec_dot_rows_f32 (s->f32 + (gsize) b * s->dim, s->dim, nb, p->query, s->dim, scores);
      else
        {
          clip_vec_dot_rows_i8 (s->i8 + (gsize) b * s->i8_stride, s->i8_stride, nb, pass->q8,
                                s->dim, dots);
          for (guint i = 0; i < nb; i++)
            scores[i] = (float) dots[i] * s->scale[b + i] * pass->qscale;
        }
      if (!pass->filtered && pass->kind == PASS_HEAD)
        {
          /* the common case, kept tight: count, sample, and compare with
           * the worst kept (a tie loses: rows only grow within a task) */
          guint step = pass->hist_mask + 1;
          float worst = out->heap.n == out->heap.cap ? out->heap.items[0].score : -INFINITY;

          out->n_matched += nb;
          for (guint r = (base + b + pass->hist_mask) & ~pass->hist_mask; r < base + b + nb; r += step)
            out->hist[hist_bin (scores[r - base - b])]++;
          for (guint i = 0; i < nb; i++)
            if (scores[i] > worst)
              {
                heap_push (&out->heap, (Cand) { scores[i], base + b + i });
                if (out->heap.n == out->heap.cap)
                  worst = out->heap.items[0].score;
              }
          continue;
        }
      for (guint i = 0; i < nb; i++)
        {
          guint r = b + i;

          if (pass->filtered
              && (bit_get (dead, r) || s->taken[r] < p->after || s->taken[r] >= p->before
                  || (fok != NULL && !fok[s->folder[r]])))
            continue;
          if (pass->kind == PASS_HEAD)
            {
              out->n_matched++;
              if (((base + r) & pass->hist_mask) == 0)
                out->hist[hist_bin (scores[i])]++;
              /* most rows lose to the worst kept; rows only grow within a
               * task, so a tie loses too (cand_less) */
              if (out->heap.n == out->heap.cap && scores[i] <= out->heap.items[0].score)
                continue;
              heap_push (&out->heap, (Cand) { scores[i], base + r });
            }
          else if (scores[i] >= pass->threshold)
            {
              Cand c = { scores[i], base + r };
              g_array_append_val (out->collected, c);
            }
        }
    }
}

static void
pass_init (Pass               *pass,
           CsVectorIndex      *index,
           const CsScanParams *params,
           PassKind            kind,
           gboolean            exact,
           GCancellable       *cancellable)
{
  guint n_threads = _cs_parallel_threads ();

  memset (pass, 0, sizeof *pass);
  pass->index = index;
  pass->params = params;
  pass->kind = kind;
  pass->exact = exact;
  pass->cancellable = cancellable;
  if (!exact)
    {
      pass->q8 = g_malloc (index->dim);
      clip_vec_quantize_i8 (params->query, index->dim, pass->q8, &pass->qscale, NULL);
    }

  /* the distribution's shape needs no more than about 65,536 samples */
  {
    guint total = _cs_vector_index_n_rows (index);
    pass->hist_mask = 0;
    while ((total >> 16) > pass->hist_mask)
      pass->hist_mask = pass->hist_mask * 2 + 1;
  }
  pass->filtered = params->folder != NULL || params->after != G_MININT64 || params->before != G_MAXINT64;
  for (guint k = 0; k < index->n_segments; k++)
    pass->filtered |= index->dead[k] != NULL;

  /* folder filter: which of each segment's folders lie below it */
  pass->folder_ok = g_new0 (guint8 *, MAX (index->n_segments, 1));
  for (guint k = 0; params->folder != NULL && k < index->n_segments; k++)
    {
      CsSegment *s = index->segments[k];

      pass->folder_ok[k] = g_new0 (guint8, MAX (s->n_folders, 1));
      for (guint f = 0; f < s->n_folders; f++)
        pass->folder_ok[k][f] = cs_path_is_below (s->folders[f], params->folder);
    }

  /* tasks: the rows in TASKS_PER_THREAD pieces per thread (segments cut
   * where they end), none smaller than a few blocks */
  pass->tasks = g_array_new (FALSE, FALSE, sizeof (Task));
  guint total = _cs_vector_index_n_rows (index);
  guint per = MAX (BLOCK * 16, total / (n_threads * TASKS_PER_THREAD) + 1);
  per = (per + BLOCK - 1) / BLOCK * BLOCK;
  for (guint k = 0; k < index->n_segments; k++)
    for (guint start = 0; start < index->segments[k]->n; start += per)
      {
        Task t = { k, start, MIN (per, index->segments[k]->n - start) };
        g_array_append_val (pass->tasks, t);
      }
  pass->outs = g_new0 (TaskOut, MAX (pass->tasks->len, 1));
  for (guint t = 0; t < pass->tasks->len; t++)
    if (kind == PASS_HEAD)
      {
        pass->outs[t].heap.cap = params->head;
        pass->outs[t].heap.items = g_new (Cand, MAX (params->head, 1));
        pass->outs[t].hist = g_new0 (guint32, CS_SCAN_HIST_BINS);
      }
    else
      pass->outs[t].collected = g_array_new (FALSE, FALSE, sizeof (Cand));
}

static void
pass_clear (Pass *pass)
{
  for (guint t = 0; t < pass->tasks->len; t++)
    {
      g_free (pass->outs[t].heap.items);
      g_free (pass->outs[t].hist);
      if (pass->outs[t].collected != NULL)
        g_array_unref (pass->outs[t].collected);
    }
  for (guint k = 0; k < pass->index->n_segments; k++)
    g_free (pass->folder_ok[k]);
  g_free (pass->folder_ok);
  g_free (pass->outs);
  g_free (pass->q8);
  g_array_unref (pass->tasks);
}

/* Moves the best `k` candidates (by compare_cand_desc) to the front,
 * in no order: Hoare's selection, expected linear. */
static void
select_best (Cand  *c,
             guint  n,
             guint  k)
{
  guint lo = 0, hi = n;

  if (k >= n)
    return;
  while (hi - lo > 1)
    {
      Cand pivot = c[lo + (hi - lo) / 2];
      guint i = lo, j = hi - 1;

      while (i <= j)
        {
          while (cand_less (pivot, c[i]))
            i++;
          while (cand_less (c[j], pivot))
            j--;
          if (i <= j)
            {
              Cand t = c[i];
              c[i] = c[j];
              c[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      /* [lo, j] >= pivot >= [i, hi) */
      if (k <= j)
        hi = j + 1;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

static gint
compare_cand_desc (gconstpointer a,
                   gconstpointer b)
{
  const Cand *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* The most |s - s~| can be for this query, over the whole index. */
static float
error_bound (CsVectorIndex *index,
             const float   *query)
{
  g_autofree gint8 *q8 = g_malloc (index->dim);
  float qscale, qerr, qnorm = 0, bound = 0;

  clip_vec_quantize_i8 (query, index->dim, q8, &qscale, &qerr);
  for (int d = 0; d < index->dim; d++)
    qnorm += query[d] * query[d];
  qnorm = sqrtf (qnorm);
  for (guint k = 0; k < index->n_segments; k++)
    bound = MAX (bound, index->segments[k]->max_err * qnorm + index->segments[k]->max_xhat * qerr);
  /* float rounding of the scale products and of the exact dot */
  return bound * 1.001f + 1e-5f;
}

typedef struct {
  CsVectorIndex *index;
  const float   *query;
  Cand          *cands;
  guint          n;
  guint          per;
} ExactJob;

static void
exact_task (guint    t,
            gpointer data)
{
  ExactJob *job = data;
  guint first = t * job->per, last = MIN (job->n, first + job->per);

  for (guint i = first; i < last; i++)
    clip_vec_dot_rows_f32 (_cs_vector_index_vector (job->index, job->cands[i].row), job->index->dim, 1,
                           job->query, job->index->dim, &job->cands[i].score);
}

/* The float32 scores of `cands`, across the CPUs when they are many (a
 * loose cutoff collects a large part of the library). */
static void
exact_scores (CsVectorIndex *index,
              const float   *query,
              Cand          *cands,
              guint          n)
{
  ExactJob job = { index, query, cands, n, 8192 };
  guint n_tasks = (n + job.per - 1) / job.per;

  if (n_tasks <= 1)
    exact_task (0, &job);
  else
    _cs_parallel_run (n_tasks, exact_task, &job);
}

void
_cs_scan_result_clear (CsScanResult *result)
{
  g_clear_pointer (&result->rows, g_free);
  g_clear_pointer (&result->scores, g_free);
  g_clear_pointer (&result->hist, g_free);
  result->n = 0;
}

/* One head pass; fills `result` with the candidates by exact score.
 * *proven tells whether the int8 bound proves the order of the first
 * `need` candidates (always TRUE for an exact pass). */
static gboolean
head_pass (CsVectorIndex      *index,
           const CsScanParams *params,
           gboolean            exact,
           guint               need,
           GCancellable       *cancellable,
           CsScanResult       *result,
           gboolean           *proven)
{
  Pass pass;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Cand));
  float left_out = -INFINITY;
  gboolean dropped = FALSE;

  pass_init (&pass, index, params, PASS_HEAD, exact, cancellable);
  _cs_parallel_run (pass.tasks->len, pass_task, &pass);
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      pass_clear (&pass);
      return FALSE;
    }

  result->hist = g_new0 (guint32, CS_SCAN_HIST_BINS);
  result->n_matched = 0;
  for (guint t = 0; t < pass.tasks->len; t++)
    {
      TaskOut *o = &pass.outs[t];

      result->n_matched += o->n_matched;
      for (guint b = 0; b < CS_SCAN_HIST_BINS; b++)
        result->hist[b] += o->hist[b];
      g_array_append_vals (all, o->heap.items, o->heap.n);
      /* a full heap dropped rows no better than its top */
      if (o->heap.n == o->heap.cap && o->n_matched > o->heap.n)
        {
          dropped = TRUE;
          left_out = MAX (left_out, o->heap.items[0].score);
        }
    }
  if (all->len > params->head)
    {
      Cand *c = (Cand *) all->data;
      float worst_kept = INFINITY;

      select_best (c, all->len, params->head);
      for (guint i = 0; i < params->head; i++)
        worst_kept = MIN (worst_kept, c[i].score);
      /* what is left out is no better than the worst kept */
      dropped = TRUE;
      left_out = MAX (left_out, worst_kept);
      g_array_set_size (all, params->head);
    }
  g_array_sort (all, compare_cand_desc);
  pass_clear (&pass);

  if (!exact)
    {
      exact_scores (index, params->query, (Cand *) all->data, all->len);
      g_array_sort (all, compare_cand_desc);
    }
  *proven = TRUE;
  if (!exact && dropped)
    {
      float bound = error_bound (index, params->query);
      guint k = MIN (need, all->len);

      *proven = k == 0 || g_array_index (all, Cand, k - 1).score >= left_out + bound;
    }
  /* a row left out may tie the exact left_out (ties lose to the kept
   * rows), so the floor lies just above it; the int8 bound's slack covers
   * a tie of estimates */
  result->floor = !dropped ? -INFINITY
                 : exact ? nextafterf (left_out, INFINITY) : left_out + error_bound (index, params->query);
  result->n = all->len;
  result->rows = g_new (guint, MAX (all->len, 1));
  result->scores = g_new (float, MAX (all->len, 1));
  for (guint i = 0; i < all->len; i++)
    {
      result->rows[i] = g_array_index (all, Cand, i).row;
      result->scores[i] = g_array_index (all, Cand, i).score;
    }
  return TRUE;
}

gboolean
_cs_vector_index_scan (CsVectorIndex      *index,
                       const CsScanParams *params,
                       GCancellable       *cancellable,
                       CsScanResult       *result)
{
  gboolean proven = TRUE;
  /* the int8 pass keeps a margin beyond what must be ranked exactly */
  CsScanParams wide = *params;

  memset (result, 0, sizeof *result);
  wide.head = params->exact ? params->head : params->head + params->head / 4 + 64;
  if (!head_pass (index, &wide, params->exact, MIN (params->rank, params->head), cancellable,
                  result, &proven))
    return FALSE;
  if (!proven)
    {
      _cs_scan_result_clear (result);
      result->fell_back = TRUE;
      wide.head = params->head;
      if (!head_pass (index, &wide, TRUE, MIN (params->rank, params->head), cancellable, result,
                      &proven))
        return FALSE;
      result->fell_back = TRUE;
    }
  if (result->n > params->head)
    {
      /* what is cut here is no longer complete */
      result->floor = MAX (result->floor, nextafterf (result->scores[params->head], INFINITY));
      result->n = params->head;
    }
  return TRUE;
}

void
_cs_vector_index_collect (CsVectorIndex      *index,
                          const CsScanParams *params,
                          float               threshold,
                          GArray             *rows,
                          GArray             *scores)
{
  Pass pass;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Cand));
  /* with no threshold every row is kept: score them in float32 at once
   * rather than estimate all and rescore all */
  gboolean exact = params->exact || threshold == -INFINITY;

  /* int8 first, wide by the bound, then exact on what passed */
  pass_init (&pass, index, params, PASS_COLLECT, exact, NULL);
  pass.threshold = exact ? threshold : threshold - error_bound (index, params->query);
  _cs_parallel_run (pass.tasks->len, pass_task, &pass);
  for (guint t = 0; t < pass.tasks->len; t++)
    g_array_append_vals (all, pass.outs[t].collected->data, pass.outs[t].collected->len);
  pass_clear (&pass);
  if (!exact)
    exact_scores (index, params->query, (Cand *) all->data, all->len);
  g_array_sort (all, compare_cand_desc);
  for (guint i = 0; i < all->len; i++)
    {
      Cand c = g_array_index (all, Cand, i);

      if (c.score < threshold)
        break;
      g_array_append_val (rows, c.row);
      g_array_append_val (scores, c.score);
    }
}
