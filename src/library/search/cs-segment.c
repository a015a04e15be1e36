/* cs-segment.c - blocks of index rows and how they are built.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A segment is an immutable block of rows, sorted by id: each row twice,
 * float32 (the truth, for exact scores, labels and duplicates) and int8
 * with a per-row scale (for the first pass of a search: see
 * cs-vector-index-scan.c), and the photos' metadata.  A builder collects
 * rows from the store; merging makes one segment of several.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-vector-index-private.h"

typedef struct {
  gint64  id;
  gint64  size;
  gint64  taken;
  int     taken_source;
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

/* Not zeroed: every row is written before use (zeroing a 2 GB matrix
 * would cost as much as filling it). */
static gpointer
aligned_new (gsize n,
             gsize size)
{
  /* at least one element so that an empty segment has valid pointers */
  return g_aligned_alloc (MAX (n, 1), size, 64);
}

gboolean
_cs_segment_find (const CsSegment *segment,
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
  s->taken_source = g_new (guint8, MAX (n, 1));
  s->width = g_new (gint32, MAX (n, 1));
  s->height = g_new (gint32, MAX (n, 1));
  s->path = g_new (const char *, MAX (n, 1));
  s->hash = g_new (const char *, MAX (n, 1));
  s->folder = g_new (guint32, MAX (n, 1));
  s->strings = g_string_chunk_new (4096);
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
  g_free (s->taken_source);
  g_free (s->width);
  g_free (s->height);
  g_free (s->path);
  g_free (s->hash);
  g_free (s->folder);
  g_free (s->folders);
  g_string_chunk_free (s->strings);
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
    .taken_source = photo->taken_source,
    .width = photo->width,
    .height = photo->height,
    .path = g_string_chunk_insert (b->strings, photo->path),
    .hash = photo->hash != NULL ? g_string_chunk_insert_const (b->strings, photo->hash) : NULL,
    .vec = b->vectors->len,
  };

  g_array_append_vals (b->vectors, vector, b->dim);
  g_array_append_val (b->rows, row);
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
        }
      job->max_err[t] = MAX (job->max_err[t], err);
      job->max_xhat[t] = MAX (job->max_xhat[t], sqrtf (norm2));
    }
}

/* Quantises every row (float32 in place) across the CPUs and fills the
 * error maxima. */
static void
segment_finish_rows (CsSegment *s)
{
  guint n_tasks = MAX (1, MIN (_cs_parallel_threads () * 4, s->n / 4096 + 1));
  FinishJob job = { s, (s->n + n_tasks - 1) / n_tasks };

  job.max_err = g_new0 (float, n_tasks);
  job.max_xhat = g_new0 (float, n_tasks);
  _cs_parallel_run (n_tasks, finish_task, &job);
  s->max_err = s->max_xhat = 0;
  for (guint t = 0; t < n_tasks; t++)
    {
      s->max_err = MAX (s->max_err, job.max_err[t]);
      s->max_xhat = MAX (s->max_xhat, job.max_xhat[t]);
    }
  g_free (job.max_err);
  g_free (job.max_xhat);
}

CsSegment *
_cs_segment_builder_end (CsSegmentBuilder *b)
{
  G_GNUC_UNUSED g_autoptr(CsSegmentBuilder) builder = b;   /* frees b on return */
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
      s->taken_source[i] = (guint8) r->taken_source;
      s->width[i] = r->width;
      s->height[i] = r->height;
      s->path[i] = g_string_chunk_insert (s->strings, r->path);
      s->hash[i] = r->hash != NULL ? g_string_chunk_insert_const (s->strings, r->hash) : NULL;
    }
  segment_finish_rows (s);
  segment_index_folders (s);
  return s;
}

CsSegment *
_cs_segments_merge (CsSegment    **segs,
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
      s->taken_source[out] = from->taken_source[i];
      s->width[out] = from->width[i];
      s->height[out] = from->height[i];
      s->path[out] = g_string_chunk_insert (s->strings, from->path[i]);
      s->hash[out] = from->hash[i] != NULL ? g_string_chunk_insert_const (s->strings, from->hash[i]) : NULL;
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
