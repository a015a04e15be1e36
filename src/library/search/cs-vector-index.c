/* cs-vector-index.c - the searchable photos in RAM and the scan over them.
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
 *
 * Snapshots.  A CsVectorIndex is immutable and reference-counted; an
 * update makes a new one sharing the old segments, with its own bitmap of
 * dead rows (replaced by a newer segment or gone).  Segments are merged as
 * they pile up, newest first, whenever one is not clearly smaller than its
 * predecessor (the log-structured merge rule), so there are O(log n) of
 * them and each row is copied O(log n) times over its life.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-library-private.h"

/* Rows per scan block (their scores stay in L1). */
#define BLOCK 256
/* Scan tasks per thread: each keeps its own heap of the head, so few and
 * large (the merge costs tasks x head), but more than one per thread so
 * that a thread slowed by other work does not hold the whole scan up. */
#define TASKS_PER_THREAD 2
/* Segments beyond this many are merged whatever their sizes. */
#define MAX_SEGMENTS 12

struct _CsSegment
{
  gatomicrefcount ref;
  guint          n;
  int            dim;
  gsize          i8_stride;   /* bytes per int8 row (dim rounded up to 64) */
  float         *f32;         /* n x dim, 64-byte aligned */
  gint8         *i8;          /* n x i8_stride, 64-byte aligned */
  float         *scale;       /* n: int8 scale per row */
  float          max_err;     /* max |x - x^| over rows */
  float          max_xhat;    /* max |x^| over rows */
  gint64        *ids;         /* n, increasing */
  gint64        *size;
  gint64        *taken;
  gint32        *width;
  gint32        *height;
  const char   **path;        /* into strings */
  const char   **hash;        /* into strings, or NULL */
  guint32       *folder;      /* n: index into folders */
  const char   **folders;     /* n_folders dirnames, into strings */
  guint          n_folders;
  GStringChunk  *strings;
  double        *sum;         /* dim: sum of the rows */
};

typedef struct {
  gint64  id;
  gint64  size;
  gint64  taken;
  gint32  width;
  gint32  height;
  char   *path;   /* into the builder's chunk */
  char   *hash;
  gsize   vec;    /* index of the vector in the builder's array */
} BuildRow;

struct _CsSegmentBuilder
{
  int           dim;
  GArray       *rows;      /* BuildRow */
  GArray       *vectors;   /* float */
  GStringChunk *strings;
};

struct _CsVectorIndex
{
  gatomicrefcount ref;
  int          dim;
  gint64       model_row;
  char        *model_id;
  gint64       change;
  guint        n_segments;
  CsSegment  **segments;
  guint       *offset;     /* n_segments + 1: first global row of each */
  guint8     **dead;       /* per segment: NULL (none dead) or a bitmap */
  guint        n_live;
  float       *mean;
};

/* ------------------------------------------------------------ helpers */

static inline gboolean
bit_get (const guint8 *bits,
         guint         i)
{
  return bits != NULL && (bits[i >> 3] >> (i & 7)) & 1;
}

static inline void
bit_set (guint8 *bits,
         guint   i)
{
  bits[i >> 3] |= (guint8) (1u << (i & 7));
}

/* Not zeroed: every row is written before use (zeroing a 2 GB matrix
 * would cost as much as filling it). */
static gpointer
aligned_new (gsize n,
             gsize size)
{
  /* at least one element so that an empty segment has valid pointers */
  return g_aligned_alloc (MAX (n, 1), size, 64);
}

/* Row `id` in `segment`, by binary search; FALSE when absent. */
static gboolean
segment_find (const CsSegment *segment,
              gint64           id,
              guint           *local)
{
  guint lo = 0, hi = segment->n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (segment->ids[mid] < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < segment->n && segment->ids[lo] == id)
    {
      *local = lo;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------ segments */

static CsSegment *
segment_alloc (guint n,
               int   dim)
{
  CsSegment *s = g_new0 (CsSegment, 1);

  g_atomic_ref_count_init (&s->ref);
  s->n = n;
  s->dim = dim;
  s->i8_stride = ((gsize) dim + 63) & ~(gsize) 63;
  s->f32 = aligned_new ((gsize) n * dim, sizeof (float));
  s->i8 = aligned_new ((gsize) n * s->i8_stride, 1);
  s->scale = g_new (float, MAX (n, 1));
  s->ids = g_new (gint64, MAX (n, 1));
  s->size = g_new (gint64, MAX (n, 1));
  s->taken = g_new (gint64, MAX (n, 1));
  s->width = g_new (gint32, MAX (n, 1));
  s->height = g_new (gint32, MAX (n, 1));
  s->path = g_new (const char *, MAX (n, 1));
  s->hash = g_new (const char *, MAX (n, 1));
  s->folder = g_new (guint32, MAX (n, 1));
  s->strings = g_string_chunk_new (4096);
  s->sum = g_new0 (double, dim);
  return s;
}

/* Fills the folder table from the paths. */
static void
segment_index_folders (CsSegment *s)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) folders = g_ptr_array_new ();

  for (guint i = 0; i < s->n; i++)
    {
      const char *slash = strrchr (s->path[i], '/');
      g_autofree char *dir = slash != NULL ? g_strndup (s->path[i], slash - s->path[i]) : g_strdup ("");
      gpointer index;

      if (!g_hash_table_lookup_extended (seen, dir, NULL, &index))
        {
          const char *kept = g_string_chunk_insert_const (s->strings, dir);
          index = GUINT_TO_POINTER (folders->len);
          g_ptr_array_add (folders, (gpointer) kept);
          g_hash_table_insert (seen, (gpointer) kept, index);
        }
      s->folder[i] = GPOINTER_TO_UINT (index);
    }
  s->n_folders = folders->len;
  s->folders = (const char **) g_ptr_array_free (g_steal_pointer (&folders), FALSE);
}

CsSegment *
_cs_segment_ref (CsSegment *segment)
{
  g_atomic_ref_count_inc (&segment->ref);
  return segment;
}

void
_cs_segment_unref (CsSegment *s)
{
  if (s == NULL || !g_atomic_ref_count_dec (&s->ref))
    return;
  g_aligned_free (s->f32);
  g_aligned_free (s->i8);
  g_free (s->scale);
  g_free (s->ids);
  g_free (s->size);
  g_free (s->taken);
  g_free (s->width);
  g_free (s->height);
  g_free (s->path);
  g_free (s->hash);
  g_free (s->folder);
  g_free (s->folders);
  g_string_chunk_free (s->strings);
  g_free (s->sum);
  g_free (s);
}

CsSegmentBuilder *
_cs_segment_builder_new (int   dim,
                         guint expected)
{
  CsSegmentBuilder *b = g_new0 (CsSegmentBuilder, 1);

  b->dim = dim;
  b->rows = g_array_sized_new (FALSE, FALSE, sizeof (BuildRow), expected);
  b->vectors = g_array_sized_new (FALSE, FALSE, sizeof (float), (guint) MIN ((guint64) expected * dim, G_MAXUINT / 2));
  b->strings = g_string_chunk_new (4096);
  return b;
}

void
_cs_segment_builder_free (CsSegmentBuilder *b)
{
  if (b == NULL)
    return;
  g_array_unref (b->rows);
  g_array_unref (b->vectors);
  g_string_chunk_free (b->strings);
  g_free (b);
}

void
_cs_segment_builder_add (CsSegmentBuilder   *b,
                         const CsStorePhoto *photo,
                         const float        *vector)
{
  BuildRow row = {
    .id = photo->id,
    .size = photo->size,
    .taken = photo->taken_unix,
    .width = photo->width,
    .height = photo->height,
    .path = g_string_chunk_insert (b->strings, photo->path),
    .hash = photo->hash != NULL ? g_string_chunk_insert_const (b->strings, photo->hash) : NULL,
    .vec = b->vectors->len,
  };

  g_array_append_vals (b->vectors, vector, b->dim);
  g_array_append_val (b->rows, row);
}

guint
_cs_segment_builder_n_rows (CsSegmentBuilder *b)
{
  return b->rows->len;
}

static gint
compare_build_rows (gconstpointer a,
                    gconstpointer b)
{
  const BuildRow *x = a, *y = b;

  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  /* the later one last, so that it wins */
  return x->vec < y->vec ? -1 : x->vec > y->vec;
}

typedef struct {
  CsSegment *s;
  guint      per;
  double    *sums;     /* per task: dim */
  float     *max_err;  /* per task */
  float     *max_xhat;
} FinishJob;

static void
finish_task (guint    t,
             gpointer data)
{
  FinishJob *job = data;
  CsSegment *s = job->s;
  guint first = t * job->per, last = MIN (s->n, first + job->per);
  double *sum = job->sums + (gsize) t * s->dim;

  job->max_err[t] = job->max_xhat[t] = 0;
  for (guint i = first; i < last; i++)
    {
      const float *x = s->f32 + (gsize) i * s->dim;
      gint8 *q = s->i8 + (gsize) i * s->i8_stride;
      float err = 0, norm2 = 0;

      clip_vec_quantize_i8 (x, s->dim, q, &s->scale[i], &err);
      memset (q + s->dim, 0, s->i8_stride - s->dim);
      for (int d = 0; d < s->dim; d++)
        {
          float xh = s->scale[i] * q[d];
          norm2 += xh * xh;
          sum[d] += x[d];
        }
      job->max_err[t] = MAX (job->max_err[t], err);
      job->max_xhat[t] = MAX (job->max_xhat[t], sqrtf (norm2));
    }
}

/* Quantises every row (float32 in place) across the CPUs and fills the
 * sum and the error maxima. */
static void
segment_finish_rows (CsSegment *s)
{
  guint n_tasks = MAX (1, MIN (_cs_parallel_threads () * 4, s->n / 4096 + 1));
  FinishJob job = { s, (s->n + n_tasks - 1) / n_tasks };

  job.sums = g_new0 (double, (gsize) n_tasks * s->dim);
  job.max_err = g_new0 (float, n_tasks);
  job.max_xhat = g_new0 (float, n_tasks);
  _cs_parallel_run (n_tasks, finish_task, &job);
  s->max_err = s->max_xhat = 0;
  for (guint t = 0; t < n_tasks; t++)
    {
      for (int d = 0; d < s->dim; d++)
        s->sum[d] += job.sums[(gsize) t * s->dim + d];
      s->max_err = MAX (s->max_err, job.max_err[t]);
      s->max_xhat = MAX (s->max_xhat, job.max_xhat[t]);
    }
  g_free (job.sums);
  g_free (job.max_err);
  g_free (job.max_xhat);
}

CsSegment *
_cs_segment_builder_end (CsSegmentBuilder *b)
{
  g_autoptr(CsSegmentBuilder) builder = b;
  CsSegment *s;
  guint n = 0;

  if (b->rows->len == 0)
    return NULL;
  g_array_sort (b->rows, compare_build_rows);
  /* keep the last row of each id */
  for (guint i = 0; i < b->rows->len; i++)
    {
      BuildRow *r = &g_array_index (b->rows, BuildRow, i);
      if (i + 1 < b->rows->len && g_array_index (b->rows, BuildRow, i + 1).id == r->id)
        continue;
      g_array_index (b->rows, BuildRow, n++) = *r;
    }
  s = segment_alloc (n, b->dim);
  for (guint i = 0; i < n; i++)
    {
      BuildRow *r = &g_array_index (b->rows, BuildRow, i);

      memcpy (s->f32 + (gsize) i * b->dim, &g_array_index (b->vectors, float, r->vec),
              (gsize) b->dim * sizeof (float));
      s->ids[i] = r->id;
      s->size[i] = r->size;
      s->taken[i] = r->taken;
      s->width[i] = r->width;
      s->height[i] = r->height;
      s->path[i] = g_string_chunk_insert (s->strings, r->path);
      s->hash[i] = r->hash != NULL ? g_string_chunk_insert_const (s->strings, r->hash) : NULL;
    }
  segment_finish_rows (s);
  segment_index_folders (s);
  return s;
}

/* One segment of the live rows of `segs` (each sorted by id, no id live in
 * two of them), sorted by id: a k-way merge. */
static CsSegment *
segments_merge (CsSegment    **segs,
                guint8       **dead,
                guint          n_segs)
{
  g_autofree guint *pos = g_new0 (guint, n_segs);
  guint n = 0, out = 0;
  CsSegment *s;
  int dim = segs[0]->dim;

  for (guint k = 0; k < n_segs; k++)
    for (guint i = 0; i < segs[k]->n; i++)
      n += !bit_get (dead[k], i);
  s = segment_alloc (n, dim);
  s->max_err = 0;
  s->max_xhat = 0;
  for (;;)
    {
      guint best = n_segs;

      for (guint k = 0; k < n_segs; k++)
        {
          while (pos[k] < segs[k]->n && bit_get (dead[k], pos[k]))
            pos[k]++;
          if (pos[k] < segs[k]->n
              && (best == n_segs || segs[k]->ids[pos[k]] < segs[best]->ids[pos[best]]))
            best = k;
        }
      if (best == n_segs)
        break;

      const CsSegment *from = segs[best];
      guint i = pos[best]++;
      memcpy (s->f32 + (gsize) out * dim, from->f32 + (gsize) i * dim, (gsize) dim * sizeof (float));
      memcpy (s->i8 + (gsize) out * s->i8_stride, from->i8 + (gsize) i * from->i8_stride, s->i8_stride);
      s->scale[out] = from->scale[i];
      s->ids[out] = from->ids[i];
      s->size[out] = from->size[i];
      s->taken[out] = from->taken[i];
      s->width[out] = from->width[i];
      s->height[out] = from->height[i];
      s->path[out] = g_string_chunk_insert (s->strings, from->path[i]);
      s->hash[out] = from->hash[i] != NULL ? g_string_chunk_insert_const (s->strings, from->hash[i]) : NULL;
      for (int d = 0; d < dim; d++)
        s->sum[d] += from->f32[(gsize) i * dim + d];
      out++;
    }
  g_assert (out == n);
  for (guint k = 0; k < n_segs; k++)
    {
      s->max_err = MAX (s->max_err, segs[k]->max_err);
      s->max_xhat = MAX (s->max_xhat, segs[k]->max_xhat);
    }
  segment_index_folders (s);
  return s;
}

/* -------------------------------------------------------------- index */

static guint
segment_live (CsVectorIndex *index,
              guint          k)
{
  guint live = 0;

  for (guint i = 0; i < index->segments[k]->n; i++)
    live += !bit_get (index->dead[k], i);
  return live;
}

/* Offsets, live count and mean from the segments and bitmaps. */
static void
index_finish (CsVectorIndex *index)
{
  g_autofree double *sum = g_new0 (double, MAX (index->dim, 1));

  g_free (index->offset);
  index->offset = g_new (guint, index->n_segments + 1);
  index->offset[0] = 0;
  index->n_live = 0;
  for (guint k = 0; k < index->n_segments; k++)
    {
      CsSegment *s = index->segments[k];

      index->offset[k + 1] = index->offset[k] + s->n;
      for (int d = 0; d < index->dim; d++)
        sum[d] += s->sum[d];
      for (guint i = 0; i < s->n; i++)
        if (bit_get (index->dead[k], i))
          for (int d = 0; d < index->dim; d++)
            sum[d] -= s->f32[(gsize) i * s->dim + d];
          else
            index->n_live++;
    }
  g_free (index->mean);
  index->mean = g_new0 (float, MAX (index->dim, 1));
  for (int d = 0; d < index->dim && index->n_live > 0; d++)
    index->mean[d] = (float) (sum[d] / index->n_live);
}

static CsVectorIndex *
index_alloc (int         dim,
             gint64      model_row,
             const char *model_id,
             gint64      change)
{
  CsVectorIndex *index = g_new0 (CsVectorIndex, 1);

  g_atomic_ref_count_init (&index->ref);
  index->dim = dim;
  index->model_row = model_row;
  index->model_id = g_strdup (model_id);
  index->change = change;
  return index;
}

CsVectorIndex *
_cs_vector_index_new (int         dim,
                      gint64      model_row,
                      const char *model_id,
                      gint64      change,
                      CsSegment  *segment)
{
  CsVectorIndex *index = index_alloc (dim, model_row, model_id, change);

  if (segment != NULL)
    {
      index->n_segments = 1;
      index->segments = g_new (CsSegment *, 1);
      index->segments[0] = _cs_segment_ref (segment);
    }
  index->dead = g_new0 (guint8 *, MAX (index->n_segments, 1));
  index_finish (index);
  return index;
}

static void
mark_dead (CsVectorIndex *index,
           guint          n_old_segments,
           gint64         id)
{
  for (guint k = 0; k < n_old_segments; k++)
    {
      guint local;

      if (!segment_find (index->segments[k], id, &local))
        continue;
      if (index->dead[k] == NULL)
        index->dead[k] = g_new0 (guint8, index->segments[k]->n / 8 + 1);
      bit_set (index->dead[k], local);
    }
}

CsVectorIndex *
_cs_vector_index_update (CsVectorIndex *old,
                         CsSegment     *segment,
                         GArray        *removed,
                         gint64         change)
{
  CsVectorIndex *index = index_alloc (old->dim, old->model_row, old->model_id, change);
  guint n_old = old->n_segments;

  index->n_segments = n_old + (segment != NULL);
  index->segments = g_new (CsSegment *, MAX (index->n_segments, 1));
  index->dead = g_new0 (guint8 *, MAX (index->n_segments, 1));
  for (guint k = 0; k < n_old; k++)
    {
      index->segments[k] = _cs_segment_ref (old->segments[k]);
      if (old->dead[k] != NULL)
        index->dead[k] = g_memdup2 (old->dead[k], old->segments[k]->n / 8 + 1);
    }
  if (segment != NULL)
    {
      index->segments[n_old] = _cs_segment_ref (segment);
      for (guint i = 0; i < segment->n; i++)
        mark_dead (index, n_old, segment->ids[i]);
    }
  for (guint i = 0; removed != NULL && i < removed->len; i++)
    mark_dead (index, index->n_segments, g_array_index (removed, gint64, i));

  /* Merge newest first while a segment is not clearly smaller (a quarter)
   * than the one before it, or while there are too many. */
  while (index->n_segments >= 2)
    {
      guint k = index->n_segments - 2;
      guint live_prev = segment_live (index, k), live_last = segment_live (index, k + 1);
      gboolean mostly_dead = live_prev < index->segments[k]->n / 2;

      if (!(live_prev < 4 * live_last || index->n_segments > MAX_SEGMENTS || mostly_dead))
        break;
      CsSegment *merged = segments_merge (index->segments + k, index->dead + k, 2);
      _cs_segment_unref (index->segments[k]);
      _cs_segment_unref (index->segments[k + 1]);
      g_free (index->dead[k]);
      g_free (index->dead[k + 1]);
      index->segments[k] = merged;
      index->dead[k] = NULL;
      index->n_segments--;
    }
  /* a segment holding nothing live goes */
  for (guint k = 0; k < index->n_segments;)
    if (segment_live (index, k) == 0)
      {
        _cs_segment_unref (index->segments[k]);
        g_free (index->dead[k]);
        memmove (index->segments + k, index->segments + k + 1, (index->n_segments - k - 1) * sizeof (gpointer));
        memmove (index->dead + k, index->dead + k + 1, (index->n_segments - k - 1) * sizeof (gpointer));
        index->n_segments--;
      }
    else
      k++;
  index_finish (index);
  return index;
}

guint
_cs_vector_index_count_new (CsVectorIndex *index,
                            CsSegment     *segment)
{
  guint n = 0, row;

  for (guint i = 0; segment != NULL && i < segment->n; i++)
    n += !_cs_vector_index_find (index, segment->ids[i], &row);
  return n;
}

CsVectorIndex *
_cs_vector_index_ref (CsVectorIndex *index)
{
  g_atomic_ref_count_inc (&index->ref);
  return index;
}

void
_cs_vector_index_unref (CsVectorIndex *index)
{
  if (index == NULL || !g_atomic_ref_count_dec (&index->ref))
    return;
  for (guint k = 0; k < index->n_segments; k++)
    {
      _cs_segment_unref (index->segments[k]);
      g_free (index->dead[k]);
    }
  g_free (index->segments);
  g_free (index->dead);
  g_free (index->offset);
  g_free (index->mean);
  g_free (index->model_id);
  g_free (index);
}

int
_cs_vector_index_dim (CsVectorIndex *index)
{
  return index->dim;
}

gint64
_cs_vector_index_model_row (CsVectorIndex *index)
{
  return index->model_row;
}

const char *
_cs_vector_index_model_id (CsVectorIndex *index)
{
  return index->model_id;
}

gint64
_cs_vector_index_change (CsVectorIndex *index)
{
  return index->change;
}

guint
_cs_vector_index_n_rows (CsVectorIndex *index)
{
  return index->offset[index->n_segments];
}

guint
_cs_vector_index_n_live (CsVectorIndex *index)
{
  return index->n_live;
}

/* The segment holding global row `row`. */
static guint
segment_of (CsVectorIndex *index,
            guint          row,
            guint         *local)
{
  guint k = 0;

  while (k + 1 < index->n_segments && index->offset[k + 1] <= row)
    k++;
  *local = row - index->offset[k];
  return k;
}

gboolean
_cs_vector_index_is_live (CsVectorIndex *index,
                          guint          row)
{
  guint local, k;

  if (row >= _cs_vector_index_n_rows (index))
    return FALSE;
  k = segment_of (index, row, &local);
  return !bit_get (index->dead[k], local);
}

gboolean
_cs_vector_index_find (CsVectorIndex *index,
                       gint64         id,
                       guint         *row)
{
  for (guint k = index->n_segments; k-- > 0;)
    {
      guint local;

      if (segment_find (index->segments[k], id, &local) && !bit_get (index->dead[k], local))
        {
          *row = index->offset[k] + local;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
_cs_vector_index_find_path (CsVectorIndex *index,
                            const char    *path,
                            guint         *row)
{
  for (guint k = 0; k < index->n_segments; k++)
    for (guint i = 0; i < index->segments[k]->n; i++)
      if (!bit_get (index->dead[k], i) && strcmp (index->segments[k]->path[i], path) == 0)
        {
          *row = index->offset[k] + i;
          return TRUE;
        }
  return FALSE;
}

const float *
_cs_vector_index_vector (CsVectorIndex *index,
                         guint          row)
{
  guint local, k = segment_of (index, row, &local);

  return index->segments[k]->f32 + (gsize) local * index->dim;
}

void
_cs_vector_index_meta (CsVectorIndex *index,
                       guint          row,
                       CsPhotoMeta   *meta)
{
  guint i, k = segment_of (index, row, &i);
  CsSegment *s = index->segments[k];

  meta->id = s->ids[i];
  meta->path = s->path[i];
  meta->hash = s->hash[i];
  meta->size = s->size[i];
  meta->taken = s->taken[i];
  meta->width = s->width[i];
  meta->height = s->height[i];
}

const float *
_cs_vector_index_mean (CsVectorIndex *index)
{
  return index->mean;
}

guint64
_cs_vector_index_bytes (CsVectorIndex *index,
                        guint64       *int8_bytes)
{
  guint64 f32 = 0, i8 = 0;

  for (guint k = 0; k < index->n_segments; k++)
    {
      f32 += (guint64) index->segments[k]->n * index->dim * sizeof (float);
      i8 += (guint64) index->segments[k]->n * (index->segments[k]->i8_stride + sizeof (float));
    }
  if (int8_bytes != NULL)
    *int8_bytes = i8;
  return f32;
}

void
_cs_vector_index_foreach_block (CsVectorIndex *index,
                                void         (*fn) (guint        first,
                                                    guint        n,
                                                    const float *rows,
                                                    gpointer     data),
                                gpointer       data)
{
  for (guint k = 0; k < index->n_segments; k++)
    fn (index->offset[k], index->segments[k]->n, index->segments[k]->f32, data);
}

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
  gsize folder_len = params->folder != NULL ? strlen (params->folder) : 0;

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
  while (folder_len > 1 && params->folder[folder_len - 1] == '/')
    folder_len--;
  pass->folder_ok = g_new0 (guint8 *, MAX (index->n_segments, 1));
  for (guint k = 0; params->folder != NULL && k < index->n_segments; k++)
    {
      CsSegment *s = index->segments[k];

      pass->folder_ok[k] = g_new0 (guint8, MAX (s->n_folders, 1));
      for (guint f = 0; f < s->n_folders; f++)
        pass->folder_ok[k][f] = (strncmp (s->folders[f], params->folder, folder_len) == 0
                                 && (s->folders[f][folder_len] == '\0' || s->folders[f][folder_len] == '/'));
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
  result->floor = !dropped ? -INFINITY
                 : exact ? left_out : left_out + error_bound (index, params->query);
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
