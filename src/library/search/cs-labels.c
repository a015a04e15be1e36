/* cs-labels.c - zero-shot clustering of the library by labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each label's text vector is the normalised mean of its prompts' CLIP
 * embeddings; the user's verdicts move it (bounded Rocchio, cs-labels.h).
 * Every photo then gets softmax (logit_scale x cosine) over the labels it
 * was not rejected from, and its best label with that probability.  The
 * cosines are computed 64 rows at a time against every label, so each
 * block of the matrix is read from memory once whatever the number of
 * labels, the blocks split across the CPUs.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-labels.h"
#include "cs-library.h"

#define ROWS_PER_BLOCK 64
#define BLOCKS_PER_TASK 256
/* Label prompts per encoder call: at most this many token rows.  The
 * encoder runs a call of at most 420 rows as one pass (clip-encode.c,
 * ROWS_PER_PASS); staying under keeps one pass per call. */
#define BATCH_ROWS 420

/* At most the token rows of `text`: start and end tokens, and no more
 * tokens than bytes (every BPE token covers at least one byte), within
 * the context (77). */
static guint
text_rows_bound (const char *text)
{
  return (guint) MIN (strlen (text) + 2, 77);
}

static const char * const default_templates[] = {
  "a photo of a {}.", "a photo of the {}.", "a picture of a {}.", "an image of a {}.", NULL,
};

const char * const *
cs_library_default_prompts (void)
{
  return default_templates;
}

struct _CsClustering
{
  gatomicrefcount ref;
  CsVectorIndex  *index;
  guint           n_labels;
  gint64         *label_ids;
  int             dim;
  float          *vectors;   /* n_labels x dim, refined */
  gint16         *best;      /* per row: label position, -1 for none */
  float          *prob;      /* per row: probability of best */
  float          *cos;       /* per row: cosine to best */
};

/* --------------------------------------------------------- definitions */

CsLabelDef *
cs_label_def_new (const CsStoreLabel *label,
                  GArray             *verdicts)
{
  CsLabelDef *def = g_new0 (CsLabelDef, 1);

  def->id = label->id;
  def->name = g_strdup (label->name);
  def->prompts = g_strdupv (label->prompts);
  if (def->prompts == NULL)
    def->prompts = g_new0 (char *, 1);
  def->threshold = label->threshold;
  def->verdicts = verdicts != NULL ? g_array_ref (verdicts)
                                   : g_array_new (FALSE, FALSE, sizeof (CsStoreVerdict));
  return def;
}

CsLabelDef *
cs_label_def_copy (const CsLabelDef *def)
{
  CsLabelDef *copy = g_new0 (CsLabelDef, 1);

  copy->id = def->id;
  copy->name = g_strdup (def->name);
  copy->prompts = g_strdupv (def->prompts);
  copy->threshold = def->threshold;
  copy->verdicts = g_array_copy (def->verdicts);
  return copy;
}

void
cs_label_def_free (CsLabelDef *def)
{
  if (def == NULL)
    return;
  g_free (def->name);
  g_strfreev (def->prompts);
  g_array_unref (def->verdicts);
  g_free (def);
}

int
cs_label_def_verdict (const CsLabelDef *def,
                      gint64            photo_id)
{
  guint lo = 0, hi = def->verdicts->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 id = g_array_index (def->verdicts, CsStoreVerdict, mid).photo_id;

      if (id == photo_id)
        return g_array_index (def->verdicts, CsStoreVerdict, mid).verdict;
      if (id < photo_id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return 0;
}

char **
cs_label_expand_prompts (const CsLabelDef *def)
{
  const char * const *prompts = (const char * const *) def->prompts;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (prompts == NULL || prompts[0] == NULL)
    prompts = default_templates;
  for (guint i = 0; prompts[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (prompts[i], "{}", -1);
      g_autofree char *text = g_strjoinv (def->name, parts);

      g_strv_builder_add (b, text);
    }
  return g_strv_builder_end (b);
}

/* --------------------------------------------------------- clustering */

static void
normalize_d (float *v,
             int    dim)
{
  double n = 0;

  for (int d = 0; d < dim; d++)
    n += (double) v[d] * v[d];
  n = sqrt (n);
  if (n > 0)
    for (int d = 0; d < dim; d++)
      v[d] = (float) (v[d] / n);
}

/* Moves `v` (unit) by the user's verdicts; see cs-labels.h. */
static void
refine (CsVectorIndex    *index,
        const CsLabelDef *def,
        float            *v)
{
  int dim = _cs_vector_index_dim (index);
  const float *mean = _cs_vector_index_mean (index);
  g_autofree double *conf = g_new0 (double, dim);
  g_autofree double *rej = g_new0 (double, dim);
  g_autofree double *shift = g_new0 (double, dim);
  guint nc = 0, nr = 0;
  double norm = 0;

  for (guint i = 0; i < def->verdicts->len; i++)
    {
      const CsStoreVerdict *vd = &g_array_index (def->verdicts, CsStoreVerdict, i);
      guint row;

      if (!_cs_vector_index_find (index, vd->photo_id, &row))
        continue;
      const float *x = _cs_vector_index_vector (index, row);
      double *acc = vd->verdict > 0 ? conf : rej;
      for (int d = 0; d < dim; d++)
        acc[d] += x[d];
      if (vd->verdict > 0)
        nc++;
      else
        nr++;
    }
  if (nc == 0 && nr == 0)
    return;
  for (int d = 0; d < dim; d++)
    {
      if (nc > 0)
        shift[d] += CS_LABELS_CONFIRM_WEIGHT * nc / (nc + 2.0) * (conf[d] / nc - mean[d]);
      if (nr > 0)
        shift[d] -= CS_LABELS_REJECT_WEIGHT * nr / (nr + 2.0) * (rej[d] / nr - mean[d]);
      norm += shift[d] * shift[d];
    }
  norm = sqrt (norm);
  double k = norm > CS_LABELS_SHIFT_CAP ? CS_LABELS_SHIFT_CAP / norm : 1.0;
  for (int d = 0; d < dim; d++)
    v[d] += (float) (k * shift[d]);
  normalize_d (v, dim);
}

typedef struct {
  CsClustering *cl;
  double        scale;
  GHashTable   *rejected;   /* photo id -> GArray of label positions (gint) */
  guint         n_rows;
  GCancellable *cancellable;
} AssignJob;

static void
assign_task (guint    task,
             gpointer data)
{
  AssignJob *job = data;
  CsClustering *cl = job->cl;
  guint L = cl->n_labels;
  guint first = task * ROWS_PER_BLOCK * BLOCKS_PER_TASK;
  guint last = MIN (job->n_rows, first + ROWS_PER_BLOCK * BLOCKS_PER_TASK);
  g_autofree float *cos = g_new (float, (gsize) ROWS_PER_BLOCK * L);
  float col[ROWS_PER_BLOCK];
  g_autofree double *logit = g_new (double, L);
  g_autofree gboolean *out = g_new (gboolean, L);

  if (job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
    return;
  for (guint r0 = first; r0 < last; r0 += ROWS_PER_BLOCK)
    {
      guint nb = MIN (ROWS_PER_BLOCK, last - r0);

      /* rows of one block are contiguous unless the block crosses a
       * segment: take them one by one then */
      for (guint l = 0; l < L; l++)
        {
          const float *lv = cl->vectors + (gsize) l * cl->dim;
          const float *start = _cs_vector_index_vector (cl->index, r0);
          const float *end = _cs_vector_index_vector (cl->index, r0 + nb - 1);

          if (end == start + (gsize) (nb - 1) * cl->dim)
            clip_vec_dot_rows_f32 (start, cl->dim, nb, lv, cl->dim, col);
          else
            for (guint i = 0; i < nb; i++)
              clip_vec_dot_rows_f32 (_cs_vector_index_vector (cl->index, r0 + i), cl->dim, 1, lv,
                                     cl->dim, &col[i]);
          for (guint i = 0; i < nb; i++)
            cos[(gsize) i * L + l] = col[i];
        }
      for (guint i = 0; i < nb; i++)
        {
          guint r = r0 + i;
          const float *c = cos + (gsize) i * L;
          double max = -INFINITY, sum = 0;
          int best = -1;

          cl->best[r] = -1;
          cl->prob[r] = 0;
          cl->cos[r] = 0;
          if (!_cs_vector_index_is_live (cl->index, r))
            continue;
          memset (out, 0, L * sizeof (gboolean));
          if (g_hash_table_size (job->rejected) > 0)
            {
              CsPhotoMeta meta;
              GArray *rej;

              _cs_vector_index_meta (cl->index, r, &meta);
              rej = g_hash_table_lookup (job->rejected, &meta.id);
              for (guint k = 0; rej != NULL && k < rej->len; k++)
                out[g_array_index (rej, gint, k)] = TRUE;
            }
          for (guint l = 0; l < L; l++)
            if (!out[l])
              {
                logit[l] = job->scale * c[l];
                if (logit[l] > max)
                  {
                    max = logit[l];
                    best = (int) l;
                  }
              }
          if (best < 0)
            continue;
          for (guint l = 0; l < L; l++)
            if (!out[l])
              sum += exp (logit[l] - max);
          cl->best[r] = (gint16) best;
          cl->prob[r] = (float) (1.0 / sum);
          cl->cos[r] = c[best];
        }
    }
}

static void
garray_free (gpointer p)
{
  g_array_unref (p);
}

static gint n_encoded;  /* atomic: texts given to the encoder, for tests */

guint64
_cs_labels_debug_n_encoded (void)
{
  return (guint) g_atomic_int_get (&n_encoded);
}

/* Stores the freshly encoded texts (found[i] FALSE) as one transaction.
 * The cache is an optimisation: a failure (another writer holding the
 * database past the busy timeout, a full disk) only costs encoding them
 * again next time, so it is logged, never an error. */
static void
store_encoded (CsStore            *store,
               gint64              model_row,
               const char * const *texts,
               guint               n,
               int                 dim,
               const float        *emb,
               const gboolean     *found)
{
  g_autoptr(GError) error = NULL;

  if (!cs_store_begin (store, &error))
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) one = NULL;

      if (found[i])
        continue;
      /* a non-finite vector is refused by the store: skip it, keep the rest */
      if (!cs_store_put_text_vector (store, model_row, texts[i], emb + (gsize) i * dim, dim, &one))
        {
          if (!g_error_matches (one, CS_STORE_ERROR, CS_STORE_ERROR_INVALID))
            {
              g_propagate_error (&error, g_steal_pointer (&one));
              cs_store_rollback (store);
              goto fail;
            }
          g_debug ("labels: not caching: %s", one->message);
        }
    }
  if (!cs_store_commit (store, &error))
    {
      cs_store_rollback (store);
      goto fail;
    }
  return;

fail:
  g_debug ("labels: cannot cache the prompt vectors: %s", error->message);
}

/* The vectors of `texts` into `emb`: those `store` holds for the model
 * row `model_row`, the others from the text encoder (then stored, unless
 * the database is read-only).  `store` NULL or `model_row` 0: all
 * encoded. */
static gboolean
embed_cached (CsClipRuntime      *rt,
              CsStore            *store,
              gint64              model_row,
              const char * const *texts,
              guint               n,
              int                 dim,
              float              *emb,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autofree gboolean *found = g_new0 (gboolean, n);
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree float *fresh = NULL;
  guint n_found = 0;

  if (store != NULL && model_row > 0)
    {
      g_autoptr(GError) local = NULL;

      n_found = cs_store_get_text_vectors (store, model_row, texts, n, dim, emb, found, &local);
      if (local != NULL)
        {
          g_debug ("labels: cannot read the cached prompt vectors: %s", local->message);
          memset (found, 0, n * sizeof (gboolean));
          n_found = 0;
        }
    }
  if (n_found == n)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (!found[i])
      g_ptr_array_add (missing, (gpointer) texts[i]);
  fresh = g_new (float, (gsize) missing->len * dim);
  g_atomic_int_add (&n_encoded, (gint) missing->len);
  if (!cs_clip_runtime_embed_texts (rt, (const char * const *) missing->pdata, missing->len, fresh,
                                    cancellable, error))
    return FALSE;
  for (guint i = 0, j = 0; i < n; i++)
    if (!found[i])
      memcpy (emb + (gsize) i * dim, fresh + (gsize) j++ * dim, (gsize) dim * sizeof (float));
  if (store != NULL && model_row > 0 && !cs_store_is_read_only (store))
    store_encoded (store, model_row, texts, n, dim, emb, found);
  return TRUE;
}

CsClustering *
cs_clustering_compute (CsVectorIndex  *index,
                       CsClipRuntime  *rt,
                       CsStore        *store,
                       GPtrArray      *defs,
                       GCancellable   *cancellable,
                       GError        **error)
{
  gint64 model_row = _cs_vector_index_model_row (index);
  g_autoptr(CsClustering) cl = g_new0 (CsClustering, 1);
  int dim = _cs_vector_index_dim (index);
  guint n_rows = _cs_vector_index_n_rows (index);

  g_atomic_ref_count_init (&cl->ref);
  cl->index = _cs_vector_index_ref (index);
  cl->dim = dim;
  cl->n_labels = MIN (defs->len, G_MAXINT16);
  cl->label_ids = g_new0 (gint64, MAX (cl->n_labels, 1));
  cl->vectors = g_new0 (float, (gsize) MAX (cl->n_labels, 1) * dim);
  cl->best = g_new (gint16, MAX (n_rows, 1));
  cl->prob = g_new0 (float, MAX (n_rows, 1));
  cl->cos = g_new0 (float, MAX (n_rows, 1));
  for (guint r = 0; r < n_rows; r++)
    cl->best[r] = -1;
  if (cl->n_labels == 0 || n_rows == 0)
    return g_steal_pointer (&cl);

  /* label vectors: the mean of the prompts, then the user's verdicts;
   * the prompts of several labels per encoder call (one call per label
   * cost 10,000 thread-pool rounds for 10,000 labels) */
  {
    g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GArray) owner = g_array_new (FALSE, FALSE, sizeof (guint));  /* label of each text */
    g_autofree guint *n_prompts = g_new0 (guint, cl->n_labels);
    guint rows = 0, done = 0;

    for (guint l = 0; l <= cl->n_labels; l++)
      {
        g_auto(GStrv) mine = NULL;
        guint mine_rows = 0, n_mine;

        if (l < cl->n_labels)
          {
            mine = cs_label_expand_prompts (defs->pdata[l]);
            n_mine = g_strv_length (mine);
            cl->label_ids[l] = ((const CsLabelDef *) defs->pdata[l])->id;
            n_prompts[l] = n_mine;
            for (guint i = 0; i < n_mine; i++)
              mine_rows += text_rows_bound (mine[i]);
          }
        /* encode what is pending when this label's texts would not fit
         * in the batch, and at the end */
        if (texts->len > 0 && (l == cl->n_labels || rows + mine_rows > BATCH_ROWS))
          {
            g_autofree float *emb = g_new (float, (gsize) texts->len * dim);

            if (!embed_cached (rt, store, model_row, (const char * const *) texts->pdata, texts->len,
                               dim, emb, cancellable, error))
              return NULL;
            for (guint i = 0; i < texts->len; i++)
              {
                guint lab = g_array_index (owner, guint, i);
                float *v = cl->vectors + (gsize) lab * dim;

                for (int d = 0; d < dim; d++)
                  v[d] += emb[(gsize) i * dim + d] / n_prompts[lab];
              }
            for (; done < (l == cl->n_labels ? l : g_array_index (owner, guint, owner->len - 1) + 1); done++)
              {
                float *v = cl->vectors + (gsize) done * dim;

                normalize_d (v, dim);
                refine (index, defs->pdata[done], v);
              }
            g_ptr_array_set_size (texts, 0);
            g_array_set_size (owner, 0);
            rows = 0;
          }
        for (guint i = 0; mine != NULL && mine[i] != NULL; i++)
          {
            g_ptr_array_add (texts, g_steal_pointer (&mine[i]));
            g_array_append_val (owner, l);
          }
        rows += mine_rows;
      }
  }

  AssignJob job = {
    .cl = cl,
    .scale = cs_clip_runtime_get_logit_scale (rt),
    .rejected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, garray_free),
    .n_rows = n_rows,
    .cancellable = cancellable,
  };
  for (guint l = 0; l < cl->n_labels; l++)
    {
      const CsLabelDef *def = defs->pdata[l];

      for (guint i = 0; i < def->verdicts->len; i++)
        {
          const CsStoreVerdict *vd = &g_array_index (def->verdicts, CsStoreVerdict, i);
          GArray *rej;
          gint pos = (gint) l;

          if (vd->verdict >= 0)
            continue;
          rej = g_hash_table_lookup (job.rejected, &vd->photo_id);
          if (rej == NULL)
            {
              rej = g_array_new (FALSE, FALSE, sizeof (gint));
              g_hash_table_insert (job.rejected, g_memdup2 (&vd->photo_id, sizeof (gint64)), rej);
            }
          g_array_append_val (rej, pos);
        }
    }
  guint span = ROWS_PER_BLOCK * BLOCKS_PER_TASK;
  _cs_parallel_run ((n_rows + span - 1) / span, assign_task, &job);
  g_hash_table_unref (job.rejected);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&cl);
}

CsClustering *
cs_clustering_ref (CsClustering *cl)
{
  g_atomic_ref_count_inc (&cl->ref);
  return cl;
}

void
cs_clustering_unref (CsClustering *cl)
{
  if (cl == NULL || !g_atomic_ref_count_dec (&cl->ref))
    return;
  _cs_vector_index_unref (cl->index);
  g_free (cl->label_ids);
  g_free (cl->vectors);
  g_free (cl->best);
  g_free (cl->prob);
  g_free (cl->cos);
  g_free (cl);
}

CsVectorIndex *
cs_clustering_get_index (CsClustering *cl)
{
  return cl->index;
}

int
cs_clustering_find_label (CsClustering *cl,
                          gint64        id)
{
  for (guint l = 0; l < cl->n_labels; l++)
    if (cl->label_ids[l] == id)
      return (int) l;
  return -1;
}

static gint
compare_items (gconstpointer a,
               gconstpointer b)
{
  const CsPhotoListItem *x = a, *y = b;

  if (x->probability != y->probability)
    return x->probability > y->probability ? -1 : 1;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* The membership rule, in one place: a photo whose best label is `l`
 * belongs to it when its probability is at or above the threshold (a
 * threshold of 0.5 takes a photo exactly between two labels). */
static inline gboolean
passes_threshold (float  probability,
                  double threshold)
{
  return probability >= threshold;
}

/* Whether row r is in label l by the clustering's choice and the user
 * has not judged it for that label. */
static gboolean
is_unjudged_member (CsClustering     *cl,
                    const CsLabelDef *def,
                    int               l,
                    guint             r)
{
  CsPhotoMeta meta;

  if (cl->best[r] != l)
    return FALSE;
  if (def->verdicts->len == 0)
    return TRUE;
  _cs_vector_index_meta (cl->index, r, &meta);
  return cs_label_def_verdict (def, meta.id) == 0;
}

guint
cs_clustering_members (CsClustering     *cl,
                       const CsLabelDef *def,
                       GArray           *items)
{
  int l = cs_clustering_find_label (cl, def->id);
  guint n_rows = _cs_vector_index_n_rows (cl->index);
  guint count = 0;

  if (l < 0)
    return 0;
  /* the clustering's choice, unless the user said otherwise (the
   * confirmed ones are counted below) */
  for (guint r = 0; r < n_rows; r++)
    if (passes_threshold (cl->prob[r], def->threshold) && is_unjudged_member (cl, def, l, r))
      {
        count++;
        if (items != NULL)
          {
            CsPhotoListItem it = { r, cl->cos[r], cl->prob[r], TRUE, 0 };
            g_array_append_val (items, it);
          }
      }
  /* confirmed photos belong whatever the clustering says */
  for (guint i = 0; i < def->verdicts->len; i++)
    {
      const CsStoreVerdict *vd = &g_array_index (def->verdicts, CsStoreVerdict, i);
      guint r;

      if (vd->verdict <= 0 || !_cs_vector_index_find (cl->index, vd->photo_id, &r))
        continue;
      count++;
      if (items != NULL)
        {
          CsPhotoListItem it = { r, 0, 1.0f, TRUE, 1 };
          clip_vec_dot_rows_f32 (_cs_vector_index_vector (cl->index, r), cl->dim, 1,
                                 cl->vectors + (gsize) l * cl->dim, cl->dim, &it.score);
          g_array_append_val (items, it);
        }
    }
  if (items != NULL)
    g_array_sort (items, compare_items);
  return count;
}

void
cs_clustering_count_members (CsClustering *cl,
                             GPtrArray    *defs,
                             guint        *counts)
{
  guint n_rows = _cs_vector_index_n_rows (cl->index);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  /* the clustering's label positions -> index in `defs`, or -1 */
  g_autofree gint *def_of = g_new (gint, MAX (cl->n_labels, 1));

  for (guint i = 0; i < defs->len; i++)
    {
      CsLabelDef *def = defs->pdata[i];

      counts[i] = 0;
      g_hash_table_insert (by_id, &def->id, GUINT_TO_POINTER (i + 1));
    }
  g_autofree gboolean *clustered = g_new0 (gboolean, MAX (defs->len, 1));

  for (guint l = 0; l < cl->n_labels; l++)
    {
      def_of[l] = (gint) GPOINTER_TO_UINT (g_hash_table_lookup (by_id, &cl->label_ids[l])) - 1;
      if (def_of[l] >= 0)
        clustered[def_of[l]] = TRUE;
    }

  /* the clustering's choice, unless the user judged the photo */
  for (guint r = 0; r < n_rows; r++)
    {
      int l = cl->best[r];
      const CsLabelDef *def;

      if (l < 0 || def_of[l] < 0)
        continue;
      def = defs->pdata[def_of[l]];
      if (passes_threshold (cl->prob[r], def->threshold) && is_unjudged_member (cl, def, l, r))
        counts[def_of[l]]++;
    }
  /* confirmed photos belong whatever the clustering says (to a label it
   * clustered: cs_clustering_members() counts none for another) */
  for (guint i = 0; i < defs->len; i++)
    {
      const CsLabelDef *def = defs->pdata[i];

      if (!clustered[i])
        continue;
      for (guint v = 0; v < def->verdicts->len; v++)
        {
          const CsStoreVerdict *vd = &g_array_index (def->verdicts, CsStoreVerdict, v);
          guint r;

          if (vd->verdict > 0 && _cs_vector_index_find (cl->index, vd->photo_id, &r))
            counts[i]++;
        }
    }
}

void
cs_clustering_boundary (CsClustering     *cl,
                        const CsLabelDef *def,
                        double            threshold,
                        guint             n,
                        GArray           *above,
                        GArray           *below)
{
  int l = cs_clustering_find_label (cl, def->id);
  guint n_rows = _cs_vector_index_n_rows (cl->index);
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));

  if (l < 0)
    return;
  for (guint r = 0; r < n_rows; r++)
    if (is_unjudged_member (cl, def, l, r))
      {
        CsPhotoListItem it = { r, cl->cos[r], cl->prob[r], passes_threshold (cl->prob[r], threshold), 0 };

        g_array_append_val (it.accepted ? in : out, it);
      }
  /* the least probable members, then the most probable of the others,
   * each most probable first */
  g_array_sort (in, compare_items);
  g_array_append_vals (above, in->data + (gsize) (in->len - MIN (in->len, n)) * sizeof (CsPhotoListItem),
                       MIN (in->len, n));
  g_array_sort (out, compare_items);
  g_array_append_vals (below, out->data, MIN (out->len, n));
}
