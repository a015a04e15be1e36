/* cs-duplicates.c - exact and near-duplicate groups over the index.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pairs: every pair of photos whose vectors have a cosine at or above the
 * threshold (tiles of the matrix against each other through BLAS), plus
 * every pair with the same content hash and size.  A pair involving a
 * nearly blank picture counts only when the two are exact copies: CLIP
 * puts blank pictures of any colour (and most nearly empty ones) close
 * together, so a cosine says nothing about them.
 *
 * Groups: complete linkage, greedily from the closest pair down: two
 * groups merge only when every photo of one is at or above the threshold
 * with every photo of the other.  Single linkage would chain a burst of
 * similar shots (each a little different from the last) into one group
 * of pictures that are not duplicates of each other.
 *
 * Cost: the pair search is all against all, n^2 x dim multiply-adds
 * (100,000 photos of 512 dimensions: 5 x 10^12, about a minute on two
 * cores); fine for a background job on a personal library.  A library of
 * millions would want a locality-sensitive pre-filter (not done).
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-decode.h"
#include "cs-duplicates.h"

#define TILE 1024
/* the cosine given to a pair whose vectors have no meaningful one: below
 * any threshold (thresholds lie in (0, 1]) */
#define NO_SIMILARITY (-2.0f)
/* blocks of the index (it keeps at most 12 segments) */
#define MAX_BLOCKS 64

typedef struct {
  float sim;
  guint a;   /* rows, a < b */
  guint b;
  gboolean exact;
} Pair;

typedef struct {
  GArray       *pairs;
  double        threshold;
  GCancellable *cancellable;
  CsVectorIndex *index;
  guint        *seg_first;   /* the blocks' first rows */
  guint        *seg_n;
  const float **seg_rows;
  guint         n_segs;
  CsDuplicatesProgress progress;  /* may be NULL */
  gpointer      progress_data;
  guint64       tiles_done;
  guint64       tiles_total;
} PairSearch;

/* Phase 1 (the pairs) is most of the work; phase 2 (decoding candidates
 * for the nearly blank test) the rest, at most. */
#define PAIRS_SHARE 0.8

static guint64
count_tiles (const PairSearch *ps)
{
  guint64 total = 0;

  for (guint sa = 0; sa < ps->n_segs; sa++)
    for (guint sb = sa; sb < ps->n_segs; sb++)
      {
        guint64 ta = (ps->seg_n[sa] + TILE - 1) / TILE, tb = (ps->seg_n[sb] + TILE - 1) / TILE;
        total += sa == sb ? ta * (ta + 1) / 2 : ta * tb;
      }
  return total;
}

static void
collect_segment (guint        first,
                 guint        n,
                 const float *rows,
                 gpointer     data)
{
  PairSearch *ps = data;

  g_assert (ps->n_segs < MAX_BLOCKS);
  ps->seg_first[ps->n_segs] = first;
  ps->seg_n[ps->n_segs] = n;
  ps->seg_rows[ps->n_segs] = rows;
  ps->n_segs++;
}

static void
find_pairs (PairSearch *ps)
{
  int dim = _cs_vector_index_dim (ps->index);
  g_autofree float *sims = g_new (float, (gsize) TILE * TILE);

  for (guint sa = 0; sa < ps->n_segs; sa++)
    for (guint sb = sa; sb < ps->n_segs; sb++)
      for (guint ia = 0; ia < ps->seg_n[sa]; ia += TILE)
        for (guint ib = (sa == sb ? ia : 0); ib < ps->seg_n[sb]; ib += TILE)
          {
            guint na = MIN (TILE, ps->seg_n[sa] - ia), nb = MIN (TILE, ps->seg_n[sb] - ib);

            if (g_cancellable_is_cancelled (ps->cancellable))
              return;
            if (ps->progress != NULL)
              ps->progress (PAIRS_SHARE * (double) ps->tiles_done / (double) MAX (ps->tiles_total, 1),
                            ps->progress_data);
            ps->tiles_done++;
            clip_vec_dot_matrix_f32 (ps->seg_rows[sa] + (gsize) ia * dim, na,
                                     ps->seg_rows[sb] + (gsize) ib * dim, nb, dim, sims);
            for (guint i = 0; i < na; i++)
              {
                guint ra = ps->seg_first[sa] + ia + i;

                if (!_cs_vector_index_is_live (ps->index, ra))
                  continue;
                for (guint j = 0; j < nb; j++)
                  {
                    guint rb = ps->seg_first[sb] + ib + j;
                    float s = sims[(gsize) i * nb + j];

                    /* written so that a NaN (a broken vector) is never a pair */
                    if (rb <= ra || !(s >= ps->threshold) || !_cs_vector_index_is_live (ps->index, rb))
                      continue;
                    Pair p = { s, ra, rb, FALSE };
                    g_array_append_val (ps->pairs, p);
                  }
              }
          }
}

typedef struct {
  gint64 size;
  const char *hash;
  guint row;
} HashRow;

static gint
compare_hash_rows (gconstpointer a,
                   gconstpointer b)
{
  const HashRow *x = a, *y = b;
  int c = strcmp (x->hash, y->hash);

  if (c != 0)
    return c;
  if (x->size != y->size)
    return x->size < y->size ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

static float
row_cos (CsVectorIndex *index,
         guint          a,
         guint          b)
{
  float s;
  int dim = _cs_vector_index_dim (index);

  clip_vec_dot_rows_f32 (_cs_vector_index_vector (index, a), dim, 1,
                         _cs_vector_index_vector (index, b), dim, &s);
  /* a vector with a NaN or an infinity (stored by an older version, or a
   * broken model) is like no other: below every threshold */
  return isfinite (s) ? s : NO_SIMILARITY;
}

/* Same content hash and size (the indexer's definition of a copy). */
static gboolean
same_content (CsVectorIndex *index,
              guint          a,
              guint          b)
{
  CsPhotoMeta ma, mb;

  _cs_vector_index_meta (index, a, &ma);
  _cs_vector_index_meta (index, b, &mb);
  return ma.hash != NULL && mb.hash != NULL && ma.size == mb.size && strcmp (ma.hash, mb.hash) == 0;
}

typedef struct {
  const char *database_path;
  CsStore    *store;      /* opened on first need; NULL: none or failed */
  gboolean    tried;
  GHashTable *known;      /* row + 1 -> 1 not blank, 2 blank */
  GArray     *computed;   /* PhotoStat: decoded here, to store at the end */
} BlankCache;

typedef struct {
  gint64 id;
  double stddev;
} PhotoStat;

/* Stores what was decoded, in one transaction (one wait at most while an
 * indexer writes); best effort: a failure only means decoding again next
 * time. */
static void
blank_cache_clear (BlankCache *cache)
{
  if (cache->store != NULL && cache->computed != NULL && cache->computed->len > 0
      && !cs_store_is_read_only (cache->store) && cs_store_begin (cache->store, NULL))
    {
      gboolean ok = TRUE;

      for (guint i = 0; ok && i < cache->computed->len; i++)
        {
          const PhotoStat *ps = &g_array_index (cache->computed, PhotoStat, i);
          ok = cs_store_set_photo_blank_stddev (cache->store, ps->id, ps->stddev, NULL);
        }
      if (!ok || !cs_store_commit (cache->store, NULL))
        cs_store_rollback (cache->store);
    }
  g_clear_pointer (&cache->computed, g_array_unref);
  g_clear_object (&cache->store);
  g_clear_pointer (&cache->known, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BlankCache, blank_cache_clear)

/* Whether row `r` is nearly blank: from the statistic the indexer stored
 * (no decoding), or, for photos indexed before it did, decoded once and
 * stored for the next searches. */
static gboolean
blank_row (CsVectorIndex *index,
           BlankCache    *cache,
           guint          r)
{
  gpointer key = GUINT_TO_POINTER (r + 1), known;

  if (!g_hash_table_lookup_extended (cache->known, key, NULL, &known))
    {
      CsPhotoMeta m;
      double stddev = -1;

      _cs_vector_index_meta (index, r, &m);
      if (!cache->tried && cache->database_path != NULL)
        {
          cache->tried = TRUE;
          cache->store = cs_store_open (cache->database_path, NULL);
        }
      if (cache->store == NULL || !cs_store_get_photo_blank_stddev (cache->store, m.id, &stddev, NULL))
        {
          stddev = cs_blank_file_stddev (m.path);
          if (stddev >= 0 && cache->store != NULL)
            {
              PhotoStat ps = { m.id, stddev };
              g_array_append_val (cache->computed, ps);
            }
        }
      known = GINT_TO_POINTER (stddev < CS_BLANK_STDDEV ? 2 : 1);
      g_hash_table_insert (cache->known, key, known);
    }
  return GPOINTER_TO_INT (known) == 2;
}

static gint
compare_pairs_desc (gconstpointer a,
                    gconstpointer b)
{
  const Pair *x = a, *y = b;

  if (x->exact != y->exact)
    return x->exact ? -1 : 1;
  if (x->sim != y->sim)
    return x->sim > y->sim ? -1 : 1;
  if (x->a != y->a)
    return x->a < y->a ? -1 : 1;
  return x->b < y->b ? -1 : x->b > y->b;
}

/* The keeper rule (cs-duplicate-group.h): more pixels, then a larger
 * file, then taken earlier, then the lower id.  Returns <0 when `a`
 * should be kept rather than `b`, and names the deciding criterion. */
static int
keeper_order (CsVectorIndex  *index,
              guint           a,
              guint           b,
              const char    **why)
{
  CsPhotoMeta ma, mb;
  gint64 pa, pb;

  _cs_vector_index_meta (index, a, &ma);
  _cs_vector_index_meta (index, b, &mb);
  pa = (gint64) ma.width * ma.height;
  pb = (gint64) mb.width * mb.height;
  if (pa != pb)
    {
      *why = "most pixels";
      return pa > pb ? -1 : 1;
    }
  if (ma.size != mb.size)
    {
      *why = "largest file";
      return ma.size > mb.size ? -1 : 1;
    }
  if (ma.taken != mb.taken)
    {
      *why = "taken first";
      return ma.taken < mb.taken ? -1 : 1;
    }
  *why = "indexed first";
  return ma.id < mb.id ? -1 : ma.id > mb.id;
}

typedef struct {
  GArray *rows;   /* guint */
  double  min_sim;
  gboolean exact;
} Group;

static void
group_free (gpointer p)
{
  Group *g = p;

  if (g == NULL)
    return;
  g_array_unref (g->rows);
  g_free (g);
}

static gint
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const Group *x = *(Group * const *) a, *y = *(Group * const *) b;

  if (x->rows->len != y->rows->len)
    return x->rows->len > y->rows->len ? -1 : 1;
  if (x->min_sim != y->min_sim)
    return x->min_sim > y->min_sim ? -1 : 1;
  return g_array_index (x->rows, guint, 0) < g_array_index (y->rows, guint, 0) ? -1 : 1;
}

static gint
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const CsPhotoListItem *x = a, *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

static CsDuplicateGroup *
make_group (CsVectorIndex *index,
            Group         *g)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(CsPhotoList) list = NULL;
  g_autofree guint *copy_of = NULL;
  guint keeper = g_array_index (g->rows, guint, 0);
  const char *why = NULL, *reason;

  for (guint i = 1; i < g->rows->len; i++)
    {
      guint r = g_array_index (g->rows, guint, i);
      if (keeper_order (index, r, keeper, &why) < 0)
        keeper = r;
    }
  /* The reason: the latest criterion any rival needed to be told from the
   * keeper (the keeper has the most pixels, and among those the largest
   * file, ...): the one that finally decided. */
  {
    static const char * const order[] = { "most pixels", "largest file", "taken first", "indexed first" };
    guint latest = 0;

    for (guint i = 0; i < g->rows->len; i++)
      {
        guint r = g_array_index (g->rows, guint, i);
        const char *w = NULL;

        if (r == keeper)
          continue;
        keeper_order (index, keeper, r, &w);
        for (guint k = 0; k < G_N_ELEMENTS (order); k++)
          if (strcmp (w, order[k]) == 0)
            latest = MAX (latest, k);
      }
    reason = order[latest];
  }

  CsPhotoListItem first = { keeper, 1.0f, 0, TRUE, 0 };
  g_array_append_val (items, first);
  for (guint i = 0; i < g->rows->len; i++)
    {
      guint r = g_array_index (g->rows, guint, i);
      if (r == keeper)
        continue;
      /* an exact copy is the keeper, whatever its vector says */
      CsPhotoListItem it = { r, same_content (index, keeper, r) ? 1.0f : row_cos (index, keeper, r),
                             0, TRUE, 0 };
      g_array_append_val (items, it);
    }
  /* the others after the keeper: sorting the keeper with them would let
   * an exact copy (its score is 1 too) on a lower row, or a cosine that
   * rounds above 1, take its place at the head, where the group's keeper
   * is read */
  qsort ((CsPhotoListItem *) items->data + 1, items->len - 1, sizeof (CsPhotoListItem), compare_members);
  /* byte-identical copies, in a near group too */
  copy_of = g_new (guint, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      copy_of[i] = i;
      for (guint j = 0; j < i; j++)
        if (same_content (index, g_array_index (items, CsPhotoListItem, j).row,
                          g_array_index (items, CsPhotoListItem, i).row))
          {
            copy_of[i] = j;
            break;
          }
    }
  list = _cs_photo_list_new (index, (CsPhotoListItem *) items->data, items->len, items->len,
                             items->len, 0.0, NULL);
  return _cs_duplicate_group_new (g->exact ? CS_DUPLICATE_EXACT : CS_DUPLICATE_NEAR, list,
                                  g->exact ? 1.0 : g->min_sim, reason, copy_of);
}

GListModel *
cs_duplicates_find (CsVectorIndex  *index,
                    double          threshold,
                    GCancellable   *cancellable,
                    GError        **error)
{
  return cs_duplicates_find_in (index, NULL, threshold, cancellable, error);
}

/* Phase 1: every pair of live rows at or above `threshold`, tile by tile
 * over the matrix blocks.  Returns FALSE when cancelled. */
static gboolean
find_similar_pairs (CsVectorIndex        *index,
                    double                threshold,
                    GArray               *pairs,
                    CsDuplicatesProgress  progress,
                    gpointer              progress_data,
                    GCancellable         *cancellable,
                    GError              **error)
{
  PairSearch ps = { pairs, threshold, cancellable, index, NULL, NULL, NULL, 0, progress, progress_data, 0, 0 };

  /* the matrix blocks */
  ps.seg_first = g_new (guint, MAX_BLOCKS);
  ps.seg_n = g_new (guint, MAX_BLOCKS);
  ps.seg_rows = g_new (const float *, MAX_BLOCKS);
  _cs_vector_index_foreach_block (index, collect_segment, &ps);
  ps.tiles_total = count_tiles (&ps);
  find_pairs (&ps);
  g_free (ps.seg_first);
  g_free (ps.seg_n);
  g_free (ps.seg_rows);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Phase 2: exact copies, whatever their vectors say: every pair of live
 * rows with the same content hash and size. */
static void
add_exact_pairs (CsVectorIndex *index,
                 GArray        *pairs)
{
  guint n_rows = _cs_vector_index_n_rows (index);
  g_autoptr(GArray) hashed = g_array_new (FALSE, FALSE, sizeof (HashRow));

  for (guint r = 0; r < n_rows; r++)
    {
      CsPhotoMeta m;

      if (!_cs_vector_index_is_live (index, r))
        continue;
      _cs_vector_index_meta (index, r, &m);
      if (m.hash != NULL)
        {
          HashRow h = { m.size, m.hash, r };
          g_array_append_val (hashed, h);
        }
    }
  g_array_sort (hashed, compare_hash_rows);
  for (guint i = 0; i < hashed->len;)
    {
      guint j = i + 1;
      HashRow *hi = &g_array_index (hashed, HashRow, i);

      while (j < hashed->len && compare_hash_rows (hi, &g_array_index (hashed, HashRow, j)) < 0
             && strcmp (hi->hash, g_array_index (hashed, HashRow, j).hash) == 0
             && hi->size == g_array_index (hashed, HashRow, j).size)
        j++;
      for (guint a = i; a < j; a++)
        for (guint b = a + 1; b < j; b++)
          {
            guint ra = g_array_index (hashed, HashRow, a).row, rb = g_array_index (hashed, HashRow, b).row;
            /* the same bytes: the same picture, whatever the vectors say
             * (a NaN vector must not drop the pair) */
            Pair p = { 1.0f, MIN (ra, rb), MAX (ra, rb), TRUE };
            g_array_append_val (pairs, p);
          }
      i = j;
    }
}

/* Phase 3: a pair with a nearly blank picture stands only as an exact
 * copy; the others are marked to be dropped.  Returns FALSE when
 * cancelled. */
static gboolean
mark_blank_pairs (CsVectorIndex        *index,
                  BlankCache           *blank,
                  GArray               *pairs,
                  CsDuplicatesProgress  progress,
                  gpointer              progress_data,
                  GCancellable         *cancellable,
                  GError              **error)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *p = &g_array_index (pairs, Pair, i);
      guint ends[2] = { p->a, p->b };

      if (progress != NULL)
        progress (PAIRS_SHARE + (1.0 - PAIRS_SHARE) * i / pairs->len, progress_data);

      if (p->exact)
        continue;
      if (same_content (index, p->a, p->b))
        {
          p->exact = TRUE;
          continue;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint e = 0; e < 2; e++)
        if (blank_row (index, blank, ends[e]))
          p->sim = -2.0f;   /* dropped below */
    }
  return TRUE;
}

/* The group of row `r`: a new one of that row alone when it has none. */
static gint
group_of_row (GPtrArray *groups,
              gint      *group_of,
              guint      r)
{
  Group *g;

  if (group_of[r] >= 0)
    return group_of[r];
  g = g_new0 (Group, 1);
  g->rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (g->rows, r);
  g->min_sim = 1.0;
  g->exact = TRUE;
  g_ptr_array_add (groups, g);
  return group_of[r] = (gint) groups->len - 1;
}

/* Whether groups A and B may merge (complete linkage): every photo of
 * one at or above the threshold with every photo of the other, and a
 * blank photo only with its exact copies.  *min_sim comes down to the
 * lowest cosine between them; *all_exact tells whether all are copies. */
static gboolean
can_merge (CsVectorIndex *index,
           BlankCache    *blank,
           const Group   *A,
           const Group   *B,
           double         threshold,
           double        *min_sim,
           gboolean      *all_exact)
{
  gboolean ok = TRUE;

  *all_exact = A->exact && B->exact;
  for (guint x = 0; ok && x < A->rows->len; x++)
    for (guint y = 0; ok && y < B->rows->len; y++)
      {
        guint ra = g_array_index (A->rows, guint, x), rb = g_array_index (B->rows, guint, y);
        gboolean exact = same_content (index, ra, rb);
        double s = exact ? 1.0 : row_cos (index, ra, rb);

        if (!exact)
          {
            *all_exact = FALSE;
            /* a blank photo joins only its exact copies */
            if (blank_row (index, blank, ra) || blank_row (index, blank, rb))
              ok = FALSE;
          }
        if (!(s >= threshold))
          ok = FALSE;
        *min_sim = MIN (*min_sim, s);
      }
  return ok;
}

/* Phase 4: complete linkage, closest pairs first.  The groups (Group*;
 * the merged-away ones are left empty). */
static GPtrArray *
link_groups (CsVectorIndex *index,
             BlankCache    *blank,
             GArray        *pairs,
             double         threshold)
{
  guint n_rows = _cs_vector_index_n_rows (index);
  g_autofree gint *group_of = g_new (gint, MAX (n_rows, 1));
  GPtrArray *groups = g_ptr_array_new_with_free_func (group_free);

  g_array_sort (pairs, compare_pairs_desc);
  for (guint r = 0; r < n_rows; r++)
    group_of[r] = -1;
  for (guint i = 0; i < pairs->len; i++)
    {
      Pair *p = &g_array_index (pairs, Pair, i);
      gint ga = group_of[p->a], gb = group_of[p->b];
      Group *A, *B;
      double min_sim = p->exact ? 1.0 : p->sim;
      gboolean all_exact;

      if (p->sim < -1.0f || (ga >= 0 && ga == gb))
        continue;
      ga = group_of_row (groups, group_of, p->a);
      gb = group_of_row (groups, group_of, p->b);
      A = groups->pdata[ga];
      B = groups->pdata[gb];
      if (!can_merge (index, blank, A, B, threshold, &min_sim, &all_exact))
        continue;
      /* merge B into A */
      for (guint y = 0; y < B->rows->len; y++)
        {
          guint rb = g_array_index (B->rows, guint, y);
          g_array_append_val (A->rows, rb);
          group_of[rb] = ga;
        }
      A->min_sim = MIN (MIN (A->min_sim, B->min_sim), min_sim);
      A->exact = all_exact;
      g_array_set_size (B->rows, 0);
    }
  return groups;
}

/* Phase 5: the groups of two photos or more, largest first. */
static GListModel *
list_groups (CsVectorIndex *index,
             GPtrArray     *groups)
{
  GListStore *store = g_list_store_new (CS_TYPE_DUPLICATE_GROUP);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; i < groups->len; i++)
    if (((Group *) groups->pdata[i])->rows->len >= 2)
      g_ptr_array_add (kept, groups->pdata[i]);
  g_ptr_array_sort (kept, compare_groups);
  for (guint i = 0; i < kept->len; i++)
    {
      g_autoptr(CsDuplicateGroup) group = make_group (index, kept->pdata[i]);
      g_list_store_append (store, group);
    }
  return G_LIST_MODEL (store);
}

GListModel *
cs_duplicates_find_in (CsVectorIndex  *index,
                       const char     *database_path,
                       double          threshold,
                       GCancellable   *cancellable,
                       GError        **error)
{
  return cs_duplicates_find_with_progress (index, database_path, threshold, NULL, NULL, cancellable, error);
}

GListModel *
cs_duplicates_find_with_progress (CsVectorIndex         *index,
                                  const char            *database_path,
                                  double                 threshold,
                                  CsDuplicatesProgress   progress,
                                  gpointer               progress_data,
                                  GCancellable          *cancellable,
                                  GError               **error)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  g_auto(BlankCache) blank_cache = { database_path, NULL, FALSE,
                                     g_hash_table_new (g_direct_hash, g_direct_equal),
                                     g_array_new (FALSE, FALSE, sizeof (PhotoStat)) };
  g_autoptr(GPtrArray) groups = NULL;

  if (!find_similar_pairs (index, threshold, pairs, progress, progress_data, cancellable, error))
    return NULL;
  add_exact_pairs (index, pairs);
  if (!mark_blank_pairs (index, &blank_cache, pairs, progress, progress_data, cancellable, error))
    return NULL;
  groups = link_groups (index, &blank_cache, pairs, threshold);
  if (progress != NULL)
    progress (1.0, progress_data);
  return list_groups (index, groups);
}
