/* cs-vector-index.c - the searchable photos in RAM.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
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

#include <string.h>

#include "cs-vector-index-private.h"

/* Segments beyond this many are merged whatever their sizes. */
#define MAX_SEGMENTS 12

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

/* Offsets and live count from the segments and bitmaps. */
static void
index_finish (CsVectorIndex *index)
{
  g_free (index->offset);
  index->offset = g_new (guint, index->n_segments + 1);
  index->offset[0] = 0;
  index->n_live = 0;
  for (guint k = 0; k < index->n_segments; k++)
    {
      CsSegment *s = index->segments[k];

      index->offset[k + 1] = index->offset[k] + s->n;
      index->n_live += segment_live (index, k);
    }
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

      if (!_cs_segment_find (index->segments[k], id, &local))
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
      CsSegment *merged = _cs_segments_merge (index->segments + k, index->dead + k, 2);
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

      if (_cs_segment_find (index->segments[k], id, &local) && !bit_get (index->dead[k], local))
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
  meta->taken_source = s->taken_source[i];
  meta->width = s->width[i];
  meta->height = s->height[i];
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
