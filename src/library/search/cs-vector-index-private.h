/* cs-vector-index-private.h - the insides of segments and index snapshots.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only for cs-segment.c, cs-vector-index.c and cs-vector-index-scan.c,
 * which share the layout of the rows (see cs-library-private.h for what
 * the rest of the library sees).
 */
#pragma once

#include "cs-library-private.h"

G_BEGIN_DECLS

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
  guint8        *taken_source; /* CsStoreTakenSource */
  gint32        *width;
  gint32        *height;
  const char   **path;        /* into strings */
  const char   **hash;        /* into strings, or NULL */
  guint32       *folder;      /* n: index into folders */
  const char   **folders;     /* n_folders dirnames, into strings */
  guint          n_folders;
  GStringChunk  *strings;
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
};

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

/* Row `id` in `segment`, by binary search; FALSE when absent. */
gboolean   _cs_segment_find    (const CsSegment  *segment,
                                gint64            id,
                                guint            *local);
/* One segment of the live rows of `segs` (each sorted by id, no id live in
 * two of them), sorted by id: a k-way merge. */
CsSegment *_cs_segments_merge  (CsSegment       **segs,
                                guint8          **dead,
                                guint             n_segs);

G_END_DECLS
