/* cs-library-search.c - searching the library.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See cs-cutoff.c for the adaptive cutoff and cs-vector-index-scan.c for
 * the scan; here the query's terms are embedded and summed, and the
 * result list assembled, on one of GLib's task threads.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "cs-cancel.h"
#include "cs-library-object-private.h"

/* ------------------------------------------------------------- search */

typedef struct {
  CsVectorIndex *index;
  CsClipRuntime *runtime;
  GError        *model_error;
  CsQueryData   *q;
  CsQuery       *query;
} SearchJob;

static void
search_job_free (gpointer p)
{
  SearchJob *job = p;

  g_clear_pointer (&job->index, _cs_vector_index_unref);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
  g_clear_error (&job->model_error);
  g_clear_pointer (&job->q, _cs_query_data_free);
  g_clear_object (&job->query);
  g_free (job);
}

static gboolean
need_model (SearchJob  *job,
            GError    **error)
{
  if (job->runtime != NULL)
    return TRUE;
  if (job->model_error != NULL)
    g_propagate_error (error, g_error_copy (job->model_error));
  else
    g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL,
                         "searching by text or image needs a CLIP model");
  return FALSE;
}

/* The query vector: the weighted sum of its terms, normalised.
 * *plain_text tells whether it is text terms with positive weights only
 * (the background prompts then apply). */
static float *
query_vector (SearchJob     *job,
              GCancellable  *cancellable,
              gboolean      *plain_text,
              guint         *self_row,
              GError       **error)
{
  int dim = _cs_vector_index_dim (job->index);
  g_autoptr(GPtrArray) terms = NULL;
  g_autofree float *q = NULL;
  double norm = 0;
  gboolean any = FALSE;

  /* browsing: a zero vector scores every photo 0, the filters still apply */
  if (job->q->all)
    {
      *plain_text = FALSE;
      *self_row = G_MAXUINT;
      return g_new0 (float, MAX (dim, 1));
    }
  terms = cs_query_parse_terms (job->q->text, error);

  if (terms == NULL)
    return NULL;
  q = g_new0 (float, MAX (dim, 1));

  *plain_text = terms->len > 0 && job->q->image_path == NULL && job->q->similar_to <= 0;
  *self_row = G_MAXUINT;
  if (terms->len > 0)
    {
      g_autofree const char **texts = g_new0 (const char *, terms->len + 1);
      g_autofree float *emb = NULL;

      if (!need_model (job, error))
        return NULL;
      for (guint i = 0; i < terms->len; i++)
        {
          const CsQueryTerm *t = terms->pdata[i];
          texts[i] = t->text;
          if (t->weight < 0)
            *plain_text = FALSE;
        }
      emb = g_new (float, (gsize) terms->len * dim);
      if (!cs_clip_runtime_embed_texts (job->runtime, texts, terms->len, emb, cancellable, error))
        return NULL;
      for (guint i = 0; i < terms->len; i++)
        for (int d = 0; d < dim; d++)
          q[d] += (float) (((CsQueryTerm *) terms->pdata[i])->weight * emb[(gsize) i * dim + d]);
      any = TRUE;
    }
  if (job->q->image_path != NULL)
    {
      g_autofree float *v = g_new (float, dim);

      if (!need_model (job, error)
          || !cs_clip_runtime_embed_image (job->runtime, job->q->image_path, v, cancellable, error))
        return NULL;
      for (int d = 0; d < dim; d++)
        q[d] += (float) (job->q->image_weight * v[d]);
      any = TRUE;
    }
  if (job->q->similar_to > 0)
    {
      guint row;
      const float *v;
      double vn = 0;

      if (!_cs_vector_index_find (job->index, job->q->similar_to, &row))
        {
          g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_PHOTO,
                       "photo %" G_GINT64_FORMAT " is not in the library (or not indexed yet)",
                       job->q->similar_to);
          return NULL;
        }
      *self_row = row;
      v = _cs_vector_index_vector (job->index, row);
      for (int d = 0; d < dim; d++)
        vn += (double) v[d] * v[d];
      vn = vn > 0 ? sqrt (vn) : 1;
      for (int d = 0; d < dim; d++)
        q[d] += (float) (job->q->image_weight * v[d] / vn);
      any = TRUE;
    }
  if (!any)
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY,
                           "the query is empty: give a text, an image or a photo");
      return NULL;
    }
  for (int d = 0; d < dim; d++)
    norm += (double) q[d] * q[d];
  norm = sqrt (norm);
  if (!(norm > 1e-6))
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY,
                           "the terms of the query cancel out");
      return NULL;
    }
  for (int d = 0; d < dim; d++)
    q[d] = (float) (q[d] / norm);
  return g_steal_pointer (&q);
}

/* How many of the rows (best first) beat every generic background prompt
 * before the first that does not: the accepted photos stay the top of the
 * ranking. */
static guint
count_beating_background (CsVectorIndex *index,
                          CsClipRuntime *rt,
                          const guint   *rows,
                          const float   *scores,
                          guint          n)
{
  guint n_bg;
  const float *bg = cs_clip_runtime_get_background (rt, &n_bg);
  int dim = _cs_vector_index_dim (index);
  g_autofree float *s = g_new (float, MAX (n_bg, 1));

  for (guint i = 0; i < n; i++)
    {
      clip_vec_dot_rows_f32 (bg, dim, n_bg, _cs_vector_index_vector (index, rows[i]), dim, s);
      for (guint g = 0; g < n_bg; g++)
        if (s[g] >= scores[i])
          return i;
    }
  return n;
}

/* SigLIP has no background prompts to beat: its sigmoid is a calibrated
 * probability of the photo matching the text, so a photo is accepted when
 * it also reaches this probability.  0.01 (log-odds -4.6) keeps partial
 * matches (the published checkpoints give related texts about 0.01 to
 * 0.1, right ones 0.2 to 0.99) and drops what the model calls unrelated
 * (below 0.001); the adaptive cutoff (cs-cutoff.c, on the cosines, which
 * the sigmoid orders alike) still decides where the group ends.  Not
 * tuned on data: the SigLIP test models have random weights (issue 13's
 * report). */
#define SIGLIP_MIN_PROBABILITY 0.01

/* How many of the rows (best first) reach SIGLIP_MIN_PROBABILITY before
 * the first that does not. */
static guint
count_probable (CsClipRuntime *rt,
                const float   *scores,
                guint          n)
{
  for (guint i = 0; i < n; i++)
    if (!(cs_clip_runtime_probability (rt, scores[i]) >= SIGLIP_MIN_PROBABILITY))
      return i;
  return n;
}

typedef struct {
  gint64          taken;
  gint64          id;
  CsPhotoListItem item;
} DateKey;

static gint
compare_by_date (gconstpointer a,
                 gconstpointer b)
{
  const DateKey *x = a, *y = b;

  if (x->taken != y->taken)
    return x->taken > y->taken ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

/* `items` newest first (ties: the higher id first).  The dates are read
 * once, not at every comparison: the list may be the whole library. */
static void
sort_by_date (CsVectorIndex *index,
              GArray        *items)
{
  g_autofree DateKey *keys = g_new (DateKey, MAX (items->len, 1));

  for (guint i = 0; i < items->len; i++)
    {
      CsPhotoMeta meta;

      keys[i].item = g_array_index (items, CsPhotoListItem, i);
      _cs_vector_index_meta (index, keys[i].item.row, &meta);
      keys[i].taken = meta.taken;
      keys[i].id = meta.id;
    }
  qsort (keys, items->len, sizeof (DateKey), compare_by_date);
  for (guint i = 0; i < items->len; i++)
    g_array_index (items, CsPhotoListItem, i) = keys[i].item;
}

/* Every photo scoring at least the cutoff, best first, into `rows` and
 * `scores`: from the head when it holds them all, else by a second pass.
 * Returns FALSE when cancelled. */
static gboolean
collect_accepted (CsVectorIndex       *index,
                  const CsScanParams  *params,
                  const CsScanResult  *scan,
                  double               cutoff,
                  GArray              *rows,
                  GArray              *scores,
                  GCancellable        *cancellable,
                  GError             **error)
{
  if (cutoff < scan->floor && scan->n > 0)
    {
      _cs_vector_index_collect (index, params, (float) cutoff, rows, scores);
      return !g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  for (guint i = 0; i < scan->n && scan->scores[i] >= cutoff; i++)
    {
      g_array_append_val (rows, scan->rows[i]);
      g_array_append_val (scores, scan->scores[i]);
    }
  return TRUE;
}

/* The list sorted by date: the accepted photos only, newest first. */
static void
list_by_date (CsVectorIndex *index,
              GArray        *acc_rows,
              GArray        *acc_scores,
              guint          n_accepted,
              guint          limit,
              GArray        *items)
{
  for (guint i = 0; i < n_accepted; i++)
    {
      CsPhotoListItem it = { g_array_index (acc_rows, guint, i), g_array_index (acc_scores, float, i),
                             0, TRUE, 0 };
      g_array_append_val (items, it);
    }
  sort_by_date (index, items);
  if (limit > 0 && items->len > limit)
    g_array_set_size (items, limit);
}

/* The list by relevance: the photos above the cutoff (the accepted ones
 * first), then, unless only the accepted ones are asked for, the near
 * misses of the head below it. */
static void
list_by_relevance (const CsQueryData  *q,
                   const CsScanResult *scan,
                   double              cutoff,
                   GArray             *acc_rows,
                   GArray             *acc_scores,
                   guint               n_accepted,
                   GArray             *items)
{
  guint limit = q->limit;
  guint n = q->accepted_only ? n_accepted : acc_rows->len;

  if (limit > 0)
    n = MIN (n, limit);
  g_array_set_size (items, n);
  for (guint i = 0; i < n; i++)
    {
      CsPhotoListItem it = { g_array_index (acc_rows, guint, i), g_array_index (acc_scores, float, i),
                             0, i < n_accepted, 0 };
      g_array_index (items, CsPhotoListItem, i) = it;
    }
  for (guint i = 0; !q->accepted_only && i < scan->n && (limit == 0 || items->len < limit); i++)
    if (scan->scores[i] < cutoff)
      {
        CsPhotoListItem it = { scan->rows[i], scan->scores[i], 0, FALSE, 0 };
        g_array_append_val (items, it);
      }
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchJob *job = task_data;
  CsVectorIndex *index = job->index;
  guint n_live = _cs_vector_index_n_live (index);
  g_autofree float *q = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (CsPhotoListItem));
  g_autoptr(GArray) acc_rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) acc_scores = g_array_new (FALSE, FALSE, sizeof (float));
  CsScanResult scan = { 0 };
  CsScanParams params = { 0 };
  CsCutoff cut;
  gboolean plain_text, everything;
  guint self_row, limit = job->q->limit, n_accepted = 0;
  GError *error = NULL;

  q = query_vector (job, cancellable, &plain_text, &self_row, &error);
  if (q == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  params.query = q;
  params.folder = job->q->folder;
  params.after = job->q->after;
  params.before = job->q->before;
  /* The head feeds the cutoff (cs-cutoff.c looks for the gap in it) and
   * the near misses that follow the accepted photos in a relevance list.
   * It does not bound the list: when the cutoff lies below what the head
   * holds completely, a second pass collects every photo above it. */
  params.head = MIN (n_live, MAX (limit, 100) + 1024 + n_live / 512);
  params.rank = limit > 0 ? MIN (limit, params.head) : params.head;
  if (!_cs_vector_index_scan (index, &params, cancellable, &scan))
    {
      g_cancellable_set_error_if_cancelled (cancellable, &error);
      g_task_return_error (task, error);
      return;
    }
  cut = _cs_cutoff_find (scan.scores, scan.n, scan.hist, scan.n_matched, job->q->strictness);
  if (job->q->all)
    cut.cutoff = -INFINITY;
  if (self_row != G_MAXUINT && scan.n > 0)
    cut.cutoff = MIN (cut.cutoff, scan.scores[0]);
  /* the loosest strictness: every photo passing the filters, ranked */
  everything = cut.cutoff == -INFINITY;

  if (!collect_accepted (index, &params, &scan, cut.cutoff, acc_rows, acc_scores, cancellable, &error))
    {
      g_task_return_error (task, error);
      _cs_scan_result_clear (&scan);
      return;
    }

  /* the accepted photos are a prefix of those: for a plain text query it
   * ends at the first photo that fails the background prompts */
  n_accepted = acc_rows->len;
  if (plain_text && !everything)
    n_accepted = cs_clip_runtime_is_sigmoid (job->runtime)
                 ? count_probable (job->runtime, (float *) acc_scores->data, acc_rows->len)
                 : count_beating_background (index, job->runtime, (guint *) acc_rows->data,
                                             (float *) acc_scores->data, acc_rows->len);

  if (job->q->sort == CS_SORT_DATE)
    list_by_date (index, acc_rows, acc_scores, n_accepted, limit, items);
  else
    list_by_relevance (job->q, &scan, cut.cutoff, acc_rows, acc_scores, n_accepted, items);

  /* a SigLIP text query's score is also a probability: the list shows it */
  if (plain_text && cs_clip_runtime_is_sigmoid (job->runtime))
    for (guint i = 0; i < items->len; i++)
      {
        CsPhotoListItem *it = &g_array_index (items, CsPhotoListItem, i);

        it->probability = (float) cs_clip_runtime_probability (job->runtime, it->score);
      }
  g_task_return_pointer (task,
                         _cs_photo_list_new (index, (CsPhotoListItem *) items->data, items->len,
                                             scan.n_matched, n_accepted, cut.cutoff, job->query),
                         g_object_unref);
  _cs_scan_result_clear (&scan);
}

void
cs_library_search_async (CsLibrary           *self,
                         CsQuery             *query,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_QUERY (query));

  /* without a cancellable of its own the newest such search wins; with
   * one, the caller decides (two callers' searches never cancel each
   * other) */
  if (cancellable == NULL)
    {
      cs_cancel_and_clear (&self->search_cancellable);
      self->search_cancellable = g_cancellable_new ();
      cancellable = self->search_cancellable;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_search_async);
  g_task_set_return_on_cancel (task, FALSE);
  if (self->index == NULL)
    {
      GError *error = NULL;
      _cs_library_set_not_loaded (&error);
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (SearchJob, 1);
  job->index = _cs_vector_index_ref (self->index);
  job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
  job->model_error = self->model_error != NULL ? g_error_copy (self->model_error) : NULL;
  job->q = _cs_query_data_new (query);
  job->query = cs_query_copy (query);
  g_task_set_task_data (task, job, search_job_free);
  g_task_run_in_thread (task, search_thread);
}

CsPhotoList *
cs_library_search_finish (CsLibrary     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CsPhoto *
cs_library_lookup_photo (CsLibrary *self,
                         gint64     id)
{
  CsPhotoMeta meta;
  guint row;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  if (self->index == NULL || !_cs_vector_index_find (self->index, id, &row))
    return NULL;
  _cs_vector_index_meta (self->index, row, &meta);
  return _cs_photo_new (&meta, 0.0, FALSE, 0.0, 0);
}

CsPhoto *
cs_library_lookup_path (CsLibrary  *self,
                        const char *path)
{
  CsPhotoMeta meta;
  guint row;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  if (self->index == NULL || !_cs_vector_index_find_path (self->index, path, &row))
    return NULL;
  _cs_vector_index_meta (self->index, row, &meta);
  return _cs_photo_new (&meta, 0.0, FALSE, 0.0, 0);
}
