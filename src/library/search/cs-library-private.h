/* cs-library-private.h - what the files behind CsLibrary share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only for src/library/.  The vector index is an immutable, reference-
 * counted snapshot: any thread may read one while the home thread swaps
 * in the next.  It is made of segments (each an immutable block of rows:
 * the float32 vectors, their int8 copy and the photos' metadata) shared
 * between successive snapshots, so that following the indexer costs the
 * size of a batch, not of the library; a snapshot adds a bitmap of the
 * rows that later segments replaced or that left the library.
 */
#pragma once

#include <gio/gio.h>

#include "clip.h"
#include "cs-duplicate-group.h"
#include "cs-label.h"
#include "cs-photo.h"
#include "cs-photo-list.h"
#include "cs-query.h"
#include "cs-store.h"

#include "cs-parallel.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------- the index */

typedef struct {
  gint64      id;
  const char *path;     /* file system encoding */
  const char *hash;     /* may be NULL */
  gint64      size;
  gint64      taken;
  int         taken_source; /* a CsStoreTakenSource */
  int         width;
  int         height;
} CsPhotoMeta;

typedef struct _CsSegment CsSegment;
typedef struct _CsSegmentBuilder CsSegmentBuilder;
typedef struct _CsVectorIndex CsVectorIndex;

/* `expected`: rows to make room for (0: unknown). */
CsSegmentBuilder *_cs_segment_builder_new    (int                 dim,
                                              guint               expected);
void              _cs_segment_builder_free   (CsSegmentBuilder   *builder);
/* Adds a row; a later row with the same id replaces an earlier one. */
void              _cs_segment_builder_add    (CsSegmentBuilder   *builder,
                                              const CsStorePhoto *photo,
                                              const float        *vector);
/* The rows as a segment (sorted by id; NULL when empty); frees the
 * builder. */
CsSegment        *_cs_segment_builder_end    (CsSegmentBuilder   *builder);

CsSegment        *_cs_segment_ref            (CsSegment          *segment);
void              _cs_segment_unref          (CsSegment          *segment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSegmentBuilder, _cs_segment_builder_free)

/* A new index of `model_row` (`model_id`) made of `segment` (may be NULL:
 * empty), up to date with the store's `change`. */
CsVectorIndex *_cs_vector_index_new        (int             dim,
                                            gint64          model_row,
                                            const char     *model_id,
                                            gint64          change,
                                            CsSegment      *segment);
/* The next snapshot: `old` plus the rows of `segment` (may be NULL; they
 * replace the rows with the same ids), minus the photos in `removed`
 * (gint64 ids; may be NULL).  Small segments are merged as they pile up.
 * `old` is left as it was. */
CsVectorIndex *_cs_vector_index_update     (CsVectorIndex  *old,
                                            CsSegment      *segment,
                                            GArray         *removed,
                                            gint64          change);
/* How many of `segment`'s photos `index` does not hold yet. */
guint          _cs_vector_index_count_new  (CsVectorIndex  *index,
                                            CsSegment      *segment);
CsVectorIndex *_cs_vector_index_ref        (CsVectorIndex  *index);
void           _cs_vector_index_unref      (CsVectorIndex  *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsVectorIndex, _cs_vector_index_unref)

int            _cs_vector_index_dim        (CsVectorIndex  *index);
gint64         _cs_vector_index_model_row  (CsVectorIndex  *index);
const char    *_cs_vector_index_model_id   (CsVectorIndex  *index);
gint64         _cs_vector_index_change     (CsVectorIndex  *index);
/* Row slots (live or not): rows are numbered 0 .. n_rows - 1. */
guint          _cs_vector_index_n_rows     (CsVectorIndex  *index);
guint          _cs_vector_index_n_live     (CsVectorIndex  *index);
gboolean       _cs_vector_index_is_live    (CsVectorIndex  *index,
                                            guint           row);
/* The live row of photo `id`, or FALSE. */
gboolean       _cs_vector_index_find       (CsVectorIndex  *index,
                                            gint64          id,
                                            guint          *row);
/* The live row of the photo at `path` (linear: for the command line). */
gboolean       _cs_vector_index_find_path  (CsVectorIndex  *index,
                                            const char     *path,
                                            guint          *row);
const float   *_cs_vector_index_vector     (CsVectorIndex  *index,
                                            guint           row);
void           _cs_vector_index_meta       (CsVectorIndex  *index,
                                            guint           row,
                                            CsPhotoMeta    *meta);
/* The mean of the live rows (dim floats, not normalised; borrowed). */
/* Bytes of the float32 and int8 matrices. */
guint64        _cs_vector_index_bytes      (CsVectorIndex  *index,
                                            guint64        *int8_bytes);
/* Calls fn for every segment's rows: (first global row, n rows, float32
 * rows of `dim` floats, contiguous).  For whole-library passes. */
void           _cs_vector_index_foreach_block (CsVectorIndex *index,
                                               void         (*fn) (guint        first,
                                                                   guint        n,
                                                                   const float *rows,
                                                                   gpointer     data),
                                               gpointer       data);

/* --------------------------------------------------------------- scan */

#define CS_SCAN_HIST_BINS 4096

typedef struct {
  const float *query;     /* unit length, dim floats */
  const char  *folder;    /* NULL: all */
  gint64       after;     /* taken >= after */
  gint64       before;    /* taken < before */
  guint        head;      /* candidates to keep, by exact score */
  guint        rank;      /* how many of them must be exactly the float32 best (<= head) */
  gboolean     exact;     /* scan float32 only (no int8 pass): for tests and benchmarks */
} CsScanParams;

typedef struct {
  guint    n;              /* candidates, best first */
  guint   *rows;
  float   *scores;         /* exact float32 cosines */
  guint    n_matched;      /* live rows passing the filters */
  guint32 *hist;           /* CS_SCAN_HIST_BINS bins over [-1, 1] of the matched scores
                            * (of a regular sample of rows in a large library) */
  float    floor;          /* every matched row scoring >= floor is a candidate (-inf: all are) */
  gboolean fell_back;      /* the int8 bound could not prove the ranking: float32 rescan */
} CsScanResult;

void     _cs_scan_result_clear (CsScanResult *result);

/* Scores every live row passing the filters against the query and keeps
 * about the `head` best, ordered by exact float32 score (ties by row).
 * The first `rank` are exactly the float32 best: the int8 pass keeps a
 * margin of candidates and proves, from the quantisation error bound,
 * that no row outside could enter them; when it cannot, it rescans in
 * float32.  Beyond `rank` the candidates are complete down to `floor`.
 * Returns FALSE only when cancelled. */
gboolean _cs_vector_index_scan (CsVectorIndex      *index,
                                const CsScanParams *params,
                                GCancellable       *cancellable,
                                CsScanResult       *result);

/* The live rows passing the filters whose exact score is at least
 * `threshold`, best first (rows and scores appended). */
void     _cs_vector_index_collect (CsVectorIndex      *index,
                                   const CsScanParams *params,
                                   float               threshold,
                                   GArray             *rows,
                                   GArray             *scores);

/* ------------------------------------------------------------- cutoff */

typedef struct {
  double cutoff;       /* accept scores >= cutoff */
  const char *method;  /* "gap" or "outlier": how it was found */
  double median, spread;
} CsCutoff;

/* The adaptive cutoff of a query from its best scores (sorted, best
 * first), the histogram of its scores and the number of photos scored;
 * strictness in [-1, 1]. */
CsCutoff _cs_cutoff_find (const float   *head,
                          guint          n_head,
                          const guint32 *hist,
                          guint          n_matched,
                          double         strictness);

/* ------------------------------------------------------------- photos */

CsPhoto     *_cs_photo_new         (const CsPhotoMeta *meta,
                                    double             score,
                                    gboolean           accepted,
                                    double             probability,
                                    int                verdict);

typedef struct {
  guint  row;
  float  score;
  float  probability;
  gint8  accepted;
  gint8  verdict;
} CsPhotoListItem;

/* A list over `index` (referenced) of `n` items (copied). */
CsPhotoList *_cs_photo_list_new    (CsVectorIndex         *index,
                                    const CsPhotoListItem *items,
                                    guint                  n,
                                    guint                  n_matched,
                                    guint                  n_accepted,
                                    double                 cutoff,
                                    CsQuery               *query);

/* ---------------------------------------------------------- query parse */

/* A copy of the query's plain values for a worker. */
typedef struct {
  char       *text;
  char       *image_path;
  double      image_weight;
  gint64      similar_to;
  char       *folder;
  gint64      after;
  gint64      before;
  double      strictness;
  CsSortOrder sort;
  guint       limit;
  gboolean    accepted_only;
  gboolean    all;
} CsQueryData;

CsQueryData *_cs_query_data_new  (CsQuery     *query);
void         _cs_query_data_free (CsQueryData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsQueryData, _cs_query_data_free)

/* ------------------------------------------------------------- labels */

CsLabel  *_cs_label_new            (gint64              id,
                                    const char         *name,
                                    const char * const *prompts,
                                    double              threshold);
void      _cs_label_set_name       (CsLabel            *label,
                                    const char         *name);
void      _cs_label_set_prompts    (CsLabel            *label,
                                    const char * const *prompts);
void      _cs_label_set_threshold  (CsLabel            *label,
                                    double              threshold);
void      _cs_label_set_counts     (CsLabel            *label,
                                    guint               count,
                                    guint               n_confirmed,
                                    guint               n_rejected);

/* ---------------------------------------------------------- duplicates */

/* `copy_of`: for each photo of the list, see
 * cs_duplicate_group_get_copy_of() (copied). */
CsDuplicateGroup *_cs_duplicate_group_new (CsDuplicateKind  kind,
                                           CsPhotoList     *photos,
                                           double           similarity,
                                           const char      *keeper_reason,
                                           const guint     *copy_of);

G_END_DECLS
