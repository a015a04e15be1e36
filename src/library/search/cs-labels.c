/* cs-labels.c - zero-shot clustering of the library by labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each label's text vector is the normalised mean of its prompts' CLIP
 * embeddings.  Membership is per label (the rule is in cs-labels.h): the
 * background's log-sum-exp is computed once per photo, then each label
 * scans the library on its own, the labels split across the CPUs.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-labels.h"
#include "cs-library.h"
#include "cs-text-vectors.h"

#define ROWS_PER_BLOCK 64
#define BLOCKS_PER_TASK 256
/* Label prompts per encoder call: at most this many token rows.  The
 * encoder runs a call of at most 420 rows as one pass (clip-encode.c,
 * ROWS_PER_PASS); staying under keeps one pass per call. */
#define BATCH_ROWS 420

/* At most the token rows of `text`: start and end tokens, and no more
 * tokens than bytes (every BPE token covers at least one byte), within
 * the context (77).  SigLIP's text tower runs every position of its
 * context (no mask): always the whole context. */
static guint
text_rows_bound (CsClipRuntime *rt,
                 const char    *text)
{
  guint context = (guint) cs_clip_runtime_get_context_length (rt);

  if (cs_clip_runtime_is_sigmoid (rt))
    return context;
  return (guint) MIN (strlen (text) + 2, context);
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
  float          *vectors;   /* n_labels x dim */
  float          *mean;      /* per label: the library's mean cosine */
  float          *sd;        /* per label: and their deviation */
  GArray        **cands;     /* per label: CsLabelCandidate by row */
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

/* The cosines of the rows [r0, r0 + nb) to the unit vector `v`, into
 * `out`: rows of one block are contiguous unless the block crosses a
 * segment; they are taken one by one then. */
static void
dot_block (CsVectorIndex *index,
           int            dim,
           guint          r0,
           guint          nb,
           const float   *v,
           float         *out)
{
  const float *start = _cs_vector_index_vector (index, r0);
  const float *end = _cs_vector_index_vector (index, r0 + nb - 1);

  if (end == start + (gsize) (nb - 1) * dim)
    clip_vec_dot_rows_f32 (start, dim, nb, v, dim, out);
  else
    for (guint i = 0; i < nb; i++)
      clip_vec_dot_rows_f32 (_cs_vector_index_vector (index, r0 + i), dim, 1, v, dim, &out[i]);
}

static double library_cutoff = CS_LABELS_LIBRARY_CUTOFF;

void
_cs_labels_debug_set_library_cutoff (double z)
{
  library_cutoff = isnan (z) ? CS_LABELS_LIBRARY_CUTOFF : z;
}

typedef struct {
  CsClustering  *cl;
  double         scale;
  gboolean       sigmoid;     /* SigLIP: p = sigmoid (scale cos + bias), no background */
  double         bias;
  guint          n_rows;
  const float   *background;  /* n_bg x dim */
  guint          n_bg;
  float         *bg_lse;      /* per row: log sum_b exp (scale cos_b) */
  GCancellable  *cancellable;
} AssignJob;

#define LABELS_PER_TASK 8

/* log sum exp of the scaled cosines to the background prompts, for the
 * rows of one task. */
static void
background_task (guint    task,
                 gpointer data)
{
  AssignJob *job = data;
  guint first = task * ROWS_PER_BLOCK * BLOCKS_PER_TASK;
  guint last = MIN (job->n_rows, first + ROWS_PER_BLOCK * BLOCKS_PER_TASK);
  g_autofree float *c = g_new (float, (gsize) ROWS_PER_BLOCK * MAX (job->n_bg, 1));

  for (guint r0 = first; r0 < last; r0 += ROWS_PER_BLOCK)
    {
      guint nb = MIN (ROWS_PER_BLOCK, last - r0);

      /* one row's cosines to every background prompt at a time */
      for (guint i = 0; i < nb; i++)
        {
          double max = -INFINITY, sum = 0;

          clip_vec_dot_rows_f32 (job->background, job->cl->dim, job->n_bg,
                                 _cs_vector_index_vector (job->cl->index, r0 + i), job->cl->dim, c);
          for (guint b = 0; b < job->n_bg; b++)
            max = MAX (max, job->scale * c[b]);
          for (guint b = 0; b < job->n_bg; b++)
            sum += exp (job->scale * c[b] - max);
          job->bg_lse[r0 + i] = job->n_bg > 0 ? (float) (max + log (sum)) : -INFINITY;
        }
    }
}

/* Each label of the task on its own: its cosine to every photo, the
 * library's mean and deviation of them, and the candidates (see
 * cs-labels.h) with their probability against the background. */
static void
assign_task (guint    task,
             gpointer data)
{
  AssignJob *job = data;
  CsClustering *cl = job->cl;
  guint first = task * LABELS_PER_TASK;
  guint last = MIN (cl->n_labels, first + LABELS_PER_TASK);
  g_autofree float *cos = g_new (float, MAX (job->n_rows, 1));

  for (guint l = first; l < last; l++)
    {
      const float *lv = cl->vectors + (gsize) l * cl->dim;
      double sum = 0, sum2 = 0, mean, sd, cut;
      guint n_live = 0;

      if (job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
        return;
      for (guint r0 = 0; r0 < job->n_rows; r0 += ROWS_PER_BLOCK)
        dot_block (cl->index, cl->dim, r0, MIN (ROWS_PER_BLOCK, job->n_rows - r0), lv, cos + r0);
      if (job->sigmoid)
        {
          /* SigLIP's probability is calibrated on its own: the candidates
           * are the photos it gives at least the floor, whatever the rest
           * of the library scores (cs-labels.h) */
          for (guint r = 0; r < job->n_rows; r++)
            if (_cs_vector_index_is_live (cl->index, r))
              {
                double p = cs_clip_sigmoid_probability (job->scale, job->bias, cos[r]);

                sum += cos[r];
                sum2 += (double) cos[r] * cos[r];
                n_live++;
                if (p >= CS_LABELS_SIGLIP_CANDIDATE_FLOOR)
                  {
                    CsLabelCandidate c = { r, cos[r], (float) p };
                    g_array_append_val (cl->cands[l], c);
                  }
              }
          if (n_live > 0)
            {
              mean = sum / n_live;
              cl->mean[l] = (float) mean;
              cl->sd[l] = (float) sqrt (MAX (0.0, sum2 / n_live - mean * mean));
            }
          continue;
        }
      for (guint r = 0; r < job->n_rows; r++)
        if (_cs_vector_index_is_live (cl->index, r))
          {
            sum += cos[r];
            sum2 += (double) cos[r] * cos[r];
            n_live++;
          }
      if (n_live == 0)
        continue;
      mean = sum / n_live;
      sd = sqrt (MAX (0.0, sum2 / n_live - mean * mean));
      cut = mean + library_cutoff * sd;
      cl->mean[l] = (float) mean;
      cl->sd[l] = (float) sd;
      for (guint r = 0; r < job->n_rows; r++)
        if (_cs_vector_index_is_live (cl->index, r) && cos[r] >= cut)
          {
            CsLabelCandidate c = {
              r, cos[r], (float) (1.0 / (1.0 + exp (job->bg_lse[r] - job->scale * cos[r]))),
            };
            g_array_append_val (cl->cands[l], c);
          }
    }
}

static gint n_encoded;  /* atomic: texts given to the encoder, for tests */

guint64
_cs_labels_debug_n_encoded (void)
{
  return (guint) g_atomic_int_get (&n_encoded);
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
  cl->n_labels = defs->len;
  cl->label_ids = g_new0 (gint64, MAX (cl->n_labels, 1));
  cl->vectors = g_new0 (float, (gsize) MAX (cl->n_labels, 1) * dim);
  cl->mean = g_new0 (float, MAX (cl->n_labels, 1));
  cl->sd = g_new0 (float, MAX (cl->n_labels, 1));
  cl->cands = g_new0 (GArray *, MAX (cl->n_labels, 1));
  for (guint l = 0; l < cl->n_labels; l++)
    {
      cl->cands[l] = g_array_new (FALSE, FALSE, sizeof (CsLabelCandidate));
      cl->label_ids[l] = ((const CsLabelDef *) defs->pdata[l])->id;
    }
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
              mine_rows += text_rows_bound (rt, mine[i]);
          }
        /* encode what is pending when this label's texts would not fit
         * in the batch, and at the end */
        if (texts->len > 0 && (l == cl->n_labels || rows + mine_rows > BATCH_ROWS))
          {
            g_autofree float *emb = g_new (float, (gsize) texts->len * dim);

            guint n_fresh = 0;
            gboolean ok = _cs_text_vectors_embed (rt, store, model_row, (const char * const *) texts->pdata,
                                                  texts->len, dim, emb, &n_fresh, cancellable, error);

            g_atomic_int_add (&n_encoded, (gint) n_fresh);
            if (!ok)
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

  g_autofree float *bg_lse = g_new (float, MAX (n_rows, 1));
  guint n_bg = 0;
  const float *bg = cs_clip_runtime_get_background (rt, &n_bg);
  AssignJob job = {
    .cl = cl,
    .scale = cs_clip_runtime_get_logit_scale (rt),
    .sigmoid = cs_clip_runtime_is_sigmoid (rt),
    .bias = cs_clip_runtime_get_logit_bias (rt),
    .n_rows = n_rows,
    .background = bg,
    .n_bg = n_bg,
    .bg_lse = bg_lse,
    .cancellable = cancellable,
  };
  guint span = ROWS_PER_BLOCK * BLOCKS_PER_TASK;
  if (!job.sigmoid)
    _cs_parallel_run ((n_rows + span - 1) / span, background_task, &job);
  _cs_parallel_run ((cl->n_labels + LABELS_PER_TASK - 1) / LABELS_PER_TASK, assign_task, &job);
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
  g_free (cl->mean);
  g_free (cl->sd);
  for (guint l = 0; l < cl->n_labels; l++)
    g_array_unref (cl->cands[l]);
  g_free (cl->cands);
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

/* The membership rule, in one place: a candidate (a photo that stands
 * out of the library for the label) belongs to it when its probability
 * against the background is at or above the threshold. */
static inline gboolean
passes_threshold (float  probability,
                  double threshold)
{
  return probability >= threshold;
}

/* Whether the user has judged the photo of row r for the label. */
static gboolean
is_judged (CsClustering     *cl,
           const CsLabelDef *def,
           guint             r)
{
  CsPhotoMeta meta;

  if (def->verdicts->len == 0)
    return FALSE;
  _cs_vector_index_meta (cl->index, r, &meta);
  return cs_label_def_verdict (def, meta.id) != 0;
}

/* The rule's members of label l (the user's judgements aside) and,
 * with `items`, them as list items; the confirmed photos are added by the
 * callers.  A member of the rule the user confirmed is counted once. */
static guint
rule_members (CsClustering     *cl,
              const CsLabelDef *def,
              int               l,
              GArray           *items)
{
  GArray *cands = cl->cands[l];
  guint count = 0;

  for (guint i = 0; i < cands->len; i++)
    {
      const CsLabelCandidate *c = &g_array_index (cands, CsLabelCandidate, i);

      if (!passes_threshold (c->prob, def->threshold) || is_judged (cl, def, c->row))
        continue;
      count++;
      if (items != NULL)
        {
          CsPhotoListItem it = { c->row, c->cos, c->prob, TRUE, 0 };
          g_array_append_val (items, it);
        }
    }
  return count;
}

/* The confirmed photos of `def` still in the library. */
static guint
confirmed_members (CsClustering     *cl,
                   const CsLabelDef *def,
                   int               l,
                   GArray           *items)
{
  guint count = 0;

  for (guint i = 0; i < def->verdicts->len; i++)
    {
      const CsStoreVerdict *vd = &g_array_index (def->verdicts, CsStoreVerdict, i);
      guint r;

      if (vd->verdict <= 0 || !_cs_vector_index_find (cl->index, vd->photo_id, &r)
          || !_cs_vector_index_is_live (cl->index, r))
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
  return count;
}

guint
cs_clustering_members (CsClustering     *cl,
                       const CsLabelDef *def,
                       GArray           *items)
{
  int l = cs_clustering_find_label (cl, def->id);
  guint count;

  if (l < 0)
    return 0;
  count = rule_members (cl, def, l, items) + confirmed_members (cl, def, l, items);
  if (items != NULL)
    g_array_sort (items, compare_items);
  return count;
}

void
cs_clustering_count_members (CsClustering *cl,
                             GPtrArray    *defs,
                             guint        *counts)
{
  g_autoptr(GHashTable) position = g_hash_table_new (g_int64_hash, g_int64_equal);

  /* each label by itself: its candidates are a small part of the library */
  for (guint l = 0; l < cl->n_labels; l++)
    g_hash_table_insert (position, &cl->label_ids[l], GUINT_TO_POINTER (l + 1));
  for (guint i = 0; i < defs->len; i++)
    {
      const CsLabelDef *def = defs->pdata[i];
      int l = (int) GPOINTER_TO_UINT (g_hash_table_lookup (position, &def->id)) - 1;

      counts[i] = l < 0 ? 0 : rule_members (cl, def, l, NULL) + confirmed_members (cl, def, l, NULL);
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
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));

  if (l < 0)
    return;
  for (guint i = 0; i < cl->cands[l]->len; i++)
    {
      const CsLabelCandidate *c = &g_array_index (cl->cands[l], CsLabelCandidate, i);

      if (!is_judged (cl, def, c->row))
        {
          CsPhotoListItem it = { c->row, c->cos, c->prob, passes_threshold (c->prob, threshold), 0 };

          g_array_append_val (it.accepted ? in : out, it);
        }
    }
  /* the least probable members, then the most probable of the others,
   * each most probable first */
  g_array_sort (in, compare_items);
  g_array_append_vals (above, in->data + (gsize) (in->len - MIN (in->len, n)) * sizeof (CsPhotoListItem),
                       MIN (in->len, n));
  g_array_sort (out, compare_items);
  g_array_append_vals (below, out->data, MIN (out->len, n));
}
