/* cs-indexer-embed.c - the decode/embed pipeline of a run and the
 * commit of each batch.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include <math.h>
#include <string.h>

#include "clip.h"
#include "cs-blank.h"
#include "cs-clip-error.h"
#include "cs-clip-runtime.h"
#include "cs-decode-clip.h"
#include "cs-exif.h"
#include "cs-file-hash.h"
#include "cs-indexer-private.h"
#include "cs-parallel.h"
#include "cs-pixel-budget.h"
#include "cs-raw.h"
#include "cs-store.h"
#include "cs-thumbnail.h"

/* the precision check times the precisions on a batch of this size */
G_STATIC_ASSERT (BATCH_SIZE == CS_CLIP_CHECK_BATCH);

/* Hashes the item when the scan did not (FALSE on an error, in
 * it->error) and marks a file whose content did not change as touched. */
static gboolean
decode_hash (Job  *job,
             Item *it)
{
  if (it->hash == NULL)
    {
      it->hash = cs_file_hash_partial (it->path, job->cancellable, &it->error);
      if (it->hash == NULL)
        return FALSE;
    }
  if (it->kind == ITEM_UPDATED && it->has_vector && g_strcmp0 (it->hash, it->old_hash) == 0)
    it->touched = TRUE; /* touched, not changed: keep the row's vectors */
  return TRUE;
}

/* The pixels of the photo, at least `min_side` on its short side where
 * the format can decode reduced: a RAW's preview in *raw, else a decoded
 * image in *img; `ci` views them. */
static gboolean
decode_pixels (Item                         *it,
               const clip_preprocess_params *pp,
               int                           min_side,
               CsDecodedImage              **img,
               GdkPixbuf                   **raw,
               clip_image                   *ci)
{
  if (cs_raw_is_raw_name (it->path))
    {
      *raw = cs_raw_load_preview (it->path, &it->error);
      if (*raw == NULL)
        return FALSE;
      ci->pixels = gdk_pixbuf_read_pixels (*raw);
      ci->width = gdk_pixbuf_get_width (*raw);
      ci->height = gdk_pixbuf_get_height (*raw);
      ci->stride = gdk_pixbuf_get_rowstride (*raw);
      ci->format = gdk_pixbuf_get_has_alpha (*raw) ? CLIP_PIXELS_RGBA8 : CLIP_PIXELS_RGB8;
      ci->nearest = 0;
      return TRUE;
    }
  /* DCT-scaled JPEG decode to at least twice the model's input, then the
   * exact resize: embeddings stay within cosine 0.995 of the full decode
   * (test-decode measures it) at a sixth of the decoding time */
  *img = cs_decode_file_for_size (it->path, min_side, 0, &it->error);
  if (*img == NULL)
    return FALSE;
  *ci = cs_decoded_image_as_clip_for (*img, pp);
  return TRUE;
}

static void read_date (Item *it);

/* From the decoded pixels: the size, the nearly-blank statistic, the
 * model's input tensor and the date taken. */
static void
decode_preprocess (Item                         *it,
                   const clip_preprocess_params *pp,
                   const CsDecodedImage         *img,
                   const clip_image             *ci)
{
  char *msg = NULL;
  clip_status status;

  it->width = img != NULL ? img->orig_width : ci->width;
  it->height = img != NULL ? img->orig_height : ci->height;
  /* from this decode, so that the duplicate search need not decode */
  it->blank_stddev = cs_blank_pixel_stddev (ci->pixels, ci->width, ci->height, ci->stride, ci->format);
  it->tensor = g_try_new (float, 3 * (gsize) pp->crop_height * pp->crop_width);
  if (it->tensor == NULL)
    /* G_IO_ERROR_FAILED, not NO_SPACE (a full disk): memory is short
     * for now, and the reason tells the user so */
    it->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                     "not enough memory for the model's input");
  else if ((status = clip_preprocess (pp, ci, it->tensor, &msg)) != CLIP_STATUS_OK)
    {
      cs_clip_propagate (&it->error, status, msg);
      g_clear_pointer (&it->tensor, g_free);
    }
  read_date (it);
}

/* The photo's capture date, else its file time, and which it is: the
 * store says so, since a file time is not when the photo was taken. */
static void
read_date (Item *it)
{
  if (cs_exif_read_date_taken (it->path, &it->taken))
    it->taken_source = CS_STORE_TAKEN_CAPTURE;
  else
    {
      it->taken = it->mtime_us / G_USEC_PER_SEC;
      it->taken_source = CS_STORE_TAKEN_FILE;
    }
}

/* The photo's thumbnail in job->thumbnail_dir, from the pixels decoded
 * for the model (upright, as the app's are), so that the app's grid need
 * not decode the photo again.  Stamped with the mtime the scan saw, read
 * before this decode: were the file changed in between, the thumbnail
 * would only look stale and be made again.  A re-embedding (new model)
 * keeps a thumbnail that is still valid.  A decode reduced below the
 * thumbnail's size (only a model of under 128 pixels asks for so few:
 * twice its input on the short side) is made again at the thumbnail's, as
 * the app would, once the model's pixels are freed.  A RAW, whose preview
 * the app does not show, is left alone.  Failures cost only the
 * thumbnail.
 *
 * Whether the item wants a thumbnail: its URI and mtime then. */
static gboolean
thumbnail_wanted (Job        *job,
                  const Item *it,
                  char      **uri,
                  gint64     *mtime)
{
  if (job->thumbnail_dir == NULL || cs_raw_is_raw_name (it->path))
    return FALSE;
  *uri = g_filename_to_uri (it->path, NULL, NULL);
  if (*uri == NULL)
    return FALSE;
  /* whole seconds, rounded down as st_mtime is */
  *mtime = it->mtime_us >= 0 ? it->mtime_us / G_USEC_PER_SEC
           : -((-it->mtime_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  if (it->kind == ITEM_REEMBED)
    {
      g_autofree char *file = cs_thumbnail_file_for_uri (job->thumbnail_dir, *uri);
      g_autoptr(GdkPixbuf) valid = cs_thumbnail_load_valid (file, *uri, *mtime);
      if (valid != NULL)
        {
          g_clear_pointer (uri, g_free);
          return FALSE;
        }
    }
  return TRUE;
}

static void
save_thumbnail (Job        *job,
                const Item *it,
                GdkPixbuf  *thumbnail,
                const char *uri,
                gint64      mtime)
{
  g_autoptr(GError) error = NULL;

  if (!cs_thumbnail_save (thumbnail, job->thumbnail_dir, uri, mtime, &error))
    g_debug ("no thumbnail for %s: %s", it->path, error->message);
}

/* From the model's decode; FALSE when it is too small for one (the
 * caller then calls write_thumbnail_decoding() once it freed it). */
static gboolean
write_thumbnail_from (Job                  *job,
                      const Item           *it,
                      const CsDecodedImage *img)
{
  g_autofree char *uri = NULL;
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  gint64 mtime;

  if (!thumbnail_wanted (job, it, &uri, &mtime))
    return TRUE;
  if (!cs_thumbnail_can_make_from (img))
    return FALSE;
  thumbnail = cs_thumbnail_make_from_image (img);
  save_thumbnail (job, it, thumbnail, uri, mtime);
  return TRUE;
}

/* Decoding again, at the thumbnail's size, within the decoders' budget. */
static void
write_thumbnail_decoding (Job        *job,
                          const Item *it)
{
  g_autofree char *uri = NULL;
  g_autoptr(GdkPixbuf) thumbnail = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mtime;
  guint64 held;

  if (!thumbnail_wanted (job, it, &uri, &mtime))
    return;
  held = cs_pixel_budget_acquire (job->decode_budget,
                                  cs_decode_estimate_bytes (it->path, CS_THUMBNAIL_SIZE));
  thumbnail = cs_thumbnail_make (it->path, &error);
  cs_pixel_budget_release (job->decode_budget, held);
  if (thumbnail != NULL)
    save_thumbnail (job, it, thumbnail, uri, mtime);
  else
    g_debug ("no thumbnail for %s: %s", it->path, error->message);
}

/* Decoding (a pool thread): read-only decode, EXIF orientation, the
 * engine's exact preprocessing. */
static void
decode_task (gpointer data,
             gpointer user_data)
{
  Item *it = data;
  Job *job = user_data;
  const clip_preprocess_params *pp = clip_model_get_preprocess (job->model);
  g_autoptr(CsDecodedImage) img = NULL;
  g_autoptr(GdkPixbuf) raw = NULL;
  clip_image ci;
  int min_side;
  guint64 held;
  gboolean thumbnail_later = FALSE;

  if (g_cancellable_is_cancelled (job->cancellable))
    {
      it->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      g_async_queue_push (job->results, it);
      return;
    }
  if (!decode_hash (job, it) || it->touched)
    {
      /* A row from before the store recorded where its date came from
       * learns it here, while the file is at hand (the hash has just
       * read it), so that readers need not guess. */
      if (it->touched && it->old_taken_source == CS_STORE_TAKEN_UNKNOWN)
        read_date (it);
      g_async_queue_push (job->results, it);
      return;
    }
  min_side = 2 * clip_model_get_info (job->model)->image_size;
  held = cs_pixel_budget_acquire (job->decode_budget,
                                  cs_raw_is_raw_name (it->path) ? cs_raw_estimate_bytes (it->path)
                                  : cs_decode_estimate_bytes (it->path, min_side));
  if (decode_pixels (it, pp, min_side, &img, &raw, &ci))
    {
      decode_preprocess (it, pp, img, &ci);
      if (it->error == NULL && img != NULL)
        thumbnail_later = !write_thumbnail_from (job, it, img);
    }
  g_clear_pointer (&img, cs_decoded_image_free);
  g_clear_object (&raw);
  cs_pixel_budget_release (job->decode_budget, held);
  if (thumbnail_later)
    write_thumbnail_decoding (job, it);
  g_async_queue_push (job->results, it);
}

/* The reason of a failure, without the path: failures are shown as
 * "path: reason", and the decoders name the file in their messages
 * (sometimes twice, a RAW's preview error inside the RAW's). */
char *
cs_indexer_failure_reason (const char *path,
                           const char *message)
{
  g_autoptr(GString) reason = g_string_new (message);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *raw_prefix = g_strconcat (path, ": ", NULL);
  g_autofree char *display_prefix = g_strconcat (display, ": ", NULL);

  g_string_replace (reason, raw_prefix, "", 0);
  g_string_replace (reason, display_prefix, "", 0);
  if (reason->len == 0)
    return g_strdup (message);
  return g_string_free (g_steal_pointer (&reason), FALSE);
}

static char *
item_reason (const Item *it)
{
  if (g_error_matches (it->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_strdup ("vanished while indexing");
  return cs_indexer_failure_reason (it->path, it->error->message);
}

/* A new file whose content is already indexed under another path (a
 * copy): its twin's vector, or NULL (with *error set when a lookup
 * failed: the caller must not take that for "no twin"). */
static float *
twin_vector (Job     *job,
             Item    *it,
             int     *dim,
             GError **error)
{
  g_autoptr(GPtrArray) twins = cs_store_find_photos_by_hash (job->store, it->hash, it->size, error);

  for (guint i = 0; twins != NULL && i < twins->len; i++)
    {
      CsStorePhoto *t = twins->pdata[i];
      float *v;
      if (strcmp (t->path, it->path) == 0)
        continue;
      v = cs_store_dup_vector (job->store, t->id, job->model_row, dim, error);
      if (v != NULL || (error != NULL && *error != NULL))
        return v;
    }
  return NULL;
}

static gboolean
vector_is_finite (const float *v,
                  int          dim)
{
  for (int i = 0; i < dim; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

static CsIndexerEmbeddingHook embedding_hook;

void
cs_indexer_set_embedding_hook_for_testing (CsIndexerEmbeddingHook hook)
{
  embedding_hook = hook;
}

/* One batch on its way to the store: `ok` hold tensors (or are touched
 * files), `bad` errors; vec[i] is ok[i]'s vector once encoded. */
typedef struct {
  int        dim;
  size_t     nf;           /* floats of one preprocessed image */
  float     *pix;          /* the tensors to encode, packed */
  float     *emb;          /* their embeddings */
  float    **vec;          /* per item of ok: its vector */
  GPtrArray *reused;       /* twins' vectors (owned) */
  guint      n_encode;
} Batch;

static void
batch_clear (Batch *b)
{
  g_free (b->pix);
  g_free (b->emb);
  g_free (b->vec);
  g_clear_pointer (&b->reused, g_ptr_array_unref);
}

/* Copies reuse their twin's vector; the rest are packed for the encoder. */
static gboolean
batch_pack (Job       *job,
            Batch     *b,
            GPtrArray *ok,
            GError   **error)
{
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      int tdim = 0;
      float *tv;

      if (it->touched)
        continue;
      if (it->kind == ITEM_ADDED && (tv = twin_vector (job, it, &tdim, error)) != NULL && tdim == b->dim)
        {
          g_ptr_array_add (b->reused, tv);
          b->vec[i] = tv;
          continue;
        }
      else if (it->kind == ITEM_ADDED && tv != NULL)
        g_free (tv);
      if (error != NULL && *error != NULL)
        return FALSE;
      memcpy (b->pix + b->nf * b->n_encode, it->tensor, b->nf * sizeof (float));
      b->vec[i] = b->emb + (gsize) b->dim * b->n_encode++;
    }
  return TRUE;
}

/* Runs the packed tensors through the engine and normalises the
 * embeddings.  One that is not finite is left with a NaN, for
 * batch_reject_non_finite. */
static gboolean
batch_encode (Job     *job,
              Batch   *b,
              GError **error)
{
  int dim = b->dim;
  size_t nf = b->nf;
  char *msg = NULL;
  clip_status status;

  if (b->n_encode == 0)
    return TRUE;
  status = clip_encode_images (job->ctx, b->pix, (int) b->n_encode, b->emb, &msg);
  if (status == CLIP_STATUS_ABORTED)
    {
      clip_free (msg);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "indexing cancelled");
      return FALSE;
    }
  if (status == CLIP_STATUS_NOT_FINITE)
    {
      /* The engine refuses the whole batch when one embedding is not
       * finite: encode each image alone, so that only the photo whose
       * embedding overflowed fails (with its reason, below) and the
       * rest of the batch is stored. */
      clip_free (msg);
      msg = NULL;
      for (guint j = 0; j < b->n_encode; j++)
        {
          status = clip_encode_images (job->ctx, b->pix + nf * j, 1, b->emb + (gsize) dim * j, &msg);
          if (status == CLIP_STATUS_NOT_FINITE)
            {
              clip_free (msg);
              msg = NULL;
              b->emb[(gsize) dim * j] = NAN;  /* fails the finiteness check below */
              continue;
            }
          if (status == CLIP_STATUS_ABORTED)
            {
              clip_free (msg);
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "indexing cancelled");
              return FALSE;
            }
          if (status != CLIP_STATUS_OK)
            return cs_clip_propagate (error, status, msg);
        }
      status = CLIP_STATUS_OK;
    }
  if (status != CLIP_STATUS_OK)
    return cs_clip_propagate (error, status, msg);
  for (guint j = 0; j < b->n_encode; j++)
    clip_normalize (b->emb + (gsize) dim * j, dim);
  return TRUE;
}

/* Never store a NaN or an infinity (a broken model, or a kernel bug):
 * the photo moves from `ok` to `bad`, with its reason, and is not
 * searchable. */
static void
batch_reject_non_finite (Batch     *b,
                         GPtrArray *ok,
                         GPtrArray *bad)
{
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];

      if (it->touched)
        continue;
      if (embedding_hook != NULL)
        embedding_hook (it->path, b->vec[i], b->dim);
      if (!vector_is_finite (b->vec[i], b->dim))
        {
          g_clear_error (&it->error);
          it->error = g_error_new_literal (CS_INDEXER_ERROR, CS_INDEXER_ERROR_NOT_FINITE,
                                           "embedding is not finite");
          g_ptr_array_add (bad, it);
          ok->pdata[i] = NULL;
        }
    }
}

/* Same content, new mtime: updates the row and keeps its vectors.
 * Returns -1 on error, 0 when the row went (another indexer), 1. */
static int
write_touched (Job     *job,
               Item    *it,
               GError **error)
{
  g_autoptr(CsStorePhoto) row = cs_store_lookup_photo (job->store, it->path, error);

  if (row == NULL)
    return error != NULL && *error != NULL ? -1 : 0;
  row->size = it->size;
  row->mtime_us = it->mtime_us;
  if (row->taken_source == CS_STORE_TAKEN_UNKNOWN && it->taken_source != CS_STORE_TAKEN_UNKNOWN)
    {
      /* a file date stays the one it had (as for rows that know it) */
      if (it->taken_source == CS_STORE_TAKEN_CAPTURE)
        row->taken_unix = it->taken;
      row->taken_source = it->taken_source;
    }
  return cs_store_upsert_photo (job->store, row, error) < 0 ? -1 : 1;
}

/* Writes the batch in one transaction: rows, vectors and failures.
 * *n_touched counts the touched rows written. */
static gboolean
batch_write (Job       *job,
             Batch     *b,
             GPtrArray *ok,
             GPtrArray *bad,
             guint     *n_touched,
             GError   **error)
{
  if (!cs_store_begin (job->store, error))
    return FALSE;
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      gint64 id;

      if (it == NULL)
        continue; /* failed above */
      if (it->touched)
        {
          int r = write_touched (job, it, error);
          if (r < 0)
            goto fail;
          *n_touched += r;
          continue;
        }
      CsStorePhoto photo = {
        0, it->path, it->size, it->mtime_us, it->hash, it->width, it->height, it->taken,
        CS_STORE_PHOTO_STATE_INDEXED, it->taken_source
      };
      id = cs_store_upsert_photo (job->store, &photo, error);
      if (id < 0 || !cs_store_put_vector (job->store, id, job->model_row, b->vec[i], b->dim, error)
          || !cs_store_set_photo_blank_stddev (job->store, id, it->blank_stddev, error)
          || !cs_store_clear_failure (job->store, it->path, error))
        goto fail;
    }
  for (guint i = 0; i < bad->len; i++)
    {
      Item *it = bad->pdata[i];
      g_autofree char *reason = item_reason (it);
      g_autoptr(CsStorePhoto) stale = cs_store_lookup_photo (job->store, it->path, error);

      /* a changed file that no longer decodes: its old vector is wrong now */
      if (stale == NULL && error != NULL && *error != NULL)
        goto fail;
      if (stale != NULL && !cs_store_delete_photo (job->store, stale->id, error))
        goto fail;
      if (!cs_store_record_failure (job->store, it->path, reason, it->size, it->mtime_us, error))
        goto fail;
    }
  if (!cs_store_commit (job->store, error))
    goto fail;
  return TRUE;

fail:
  cs_store_rollback (job->store);
  return FALSE;
}

/* A committed batch: the summary's counters and the progress. */
static void
batch_account (Job       *job,
               GPtrArray *ok,
               GPtrArray *bad,
               guint      n_touched,
               guint      n_items)
{
  job->summary->unchanged += n_touched;
  for (guint i = 0; i < ok->len; i++)
    {
      Item *it = ok->pdata[i];
      if (it == NULL || it->touched)
        continue;
      if (it->kind == ITEM_ADDED)
        job->summary->added++;
      else if (it->kind == ITEM_UPDATED)
        job->summary->updated++;
      else
        job->summary->reembedded++;
    }
  for (guint i = 0; i < bad->len; i++)
    {
      Item *it = bad->pdata[i];
      g_autofree char *reason = item_reason (it);
      cs_index_summary_add_failure (job->summary, it->path, reason, it->size, it->mtime_us);
    }
  g_mutex_lock (&job->progress->mutex);
  job->progress->batches++;
  g_mutex_unlock (&job->progress->mutex);
  cs_index_job_add_progress (job, n_items, bad->len, 0);
}

/* Encodes and commits one batch in one transaction: `ok` hold tensors (or
 * are touched files), `bad` errors. */
static gboolean
commit_batch (Job       *job,
              GPtrArray *ok,
              GPtrArray *bad,
              GError   **error)
{
  guint n_slots = MAX (ok->len, 1), n_touched = 0, n_items = ok->len + bad->len;
  Batch b = { 0, };
  gboolean done;

  b.dim = clip_model_get_info (job->model)->embed_dim;
  b.nf = clip_model_image_floats (job->model);
  b.pix = g_new (float, b.nf * n_slots);
  b.emb = g_new (float, (gsize) b.dim * n_slots);
  b.vec = g_new0 (float *, n_slots);
  b.reused = g_ptr_array_new_with_free_func (g_free);
  done = batch_pack (job, &b, ok, error) && batch_encode (job, &b, error);
  if (done)
    {
      batch_reject_non_finite (&b, ok, bad);
      done = batch_write (job, &b, ok, bad, &n_touched, error);
    }
  if (done)
    batch_account (job, ok, bad, n_touched, n_items);
  batch_clear (&b);
  return done;
}

/* Loads the vision tower (once a run), straight into the packed weights
 * of the run's precision: the process holds those and little else.  A
 * run with nothing to embed (most runs of a watched library) never
 * calls it. */
gboolean
cs_index_job_load_model (Job     *job,
                         GError **error)
{
  clip_params params = clip_params_default ();
  char *msg = NULL;
  clip_status status;

  if (job->ctx != NULL)
    return TRUE;
  if (job->check_precision)
    {
      CsPrecisionCheck check;

      if (!cs_clip_check_precision (job->model_dir, job->store, &check, job->cancellable, error))
        return FALSE;
      job->precision = check.precision;
      job->check_precision = FALSE;
      if (job->summary != NULL)
        job->summary->precision = clip_precision_name (job->precision);
    }
  if (job->model == NULL)
    {
      status = clip_model_load_for (job->model_dir, job->precision, CLIP_TOWER_VISION, &job->model, &msg);
      if (status != CLIP_STATUS_OK)
        return cs_clip_propagate (error, status, msg);
    }
  params.precision = job->precision;
  params.abort_cb = cs_index_job_abort_cb;
  params.abort_data = job;
  status = clip_ctx_new (job->model, &params, &job->ctx, &msg);
  if (status != CLIP_STATUS_OK)
    return cs_clip_propagate (error, status, msg);
  return TRUE;
}

/* Hands queued items to the decoders while fewer than `max_in_flight`
 * are out: moved photos need nothing, items with an error go to `bad`. */
static void
feed_decoders (Job         *job,
               GThreadPool *pool,
               guint       *next,
               guint       *in_flight,
               guint        max_in_flight,
               GPtrArray   *bad)
{
  while (*next < job->queue->len && *in_flight < max_in_flight)
    {
      Item *it = job->queue->pdata[*next];
      job->queue->pdata[(*next)++] = NULL;
      if (it->kind == ITEM_MOVED)
        {
          cs_index_item_free (it);
          continue;
        }
      if (it->error != NULL)
        {
          g_ptr_array_add (bad, it);
          continue;
        }
      (*in_flight)++;
      g_thread_pool_push (pool, it, NULL);
    }
}

/* Sorts a decoded item into `ok` or `bad` (a cancelled one is dropped). */
static void
take_decoded (Job       *job,
              Item      *done,
              GPtrArray *ok,
              GPtrArray *bad)
{
  if (g_error_matches (done->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cs_index_item_free (done);
  else if (done->error != NULL)
    g_ptr_array_add (bad, done);
  else
    {
      cs_index_job_set_state (job, CS_INDEXER_STATE_INDEXING, done->path);
      g_ptr_array_add (ok, done);
    }
}

static guint
count_work (Job *job)
{
  guint n_work = 0;

  for (guint i = 0; i < job->queue->len; i++)
    if (((Item *) job->queue->pdata[i])->kind != ITEM_MOVED)
      n_work++;
  return n_work;
}

gboolean
cs_index_job_embed (Job     *job,
                    GError **error)
{
  GThreadPool *pool = NULL;
  g_autoptr(GPtrArray) ok = g_ptr_array_new_with_free_func (cs_index_item_free);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (cs_index_item_free);
  guint next = 0, in_flight = 0, max_in_flight = BATCH_SIZE * 2;
  gboolean cancelled = FALSE, failed = FALSE;
  guint n_work = count_work (job);
  Item *left;

  if (n_work == 0)
    return TRUE;
  if (!cs_index_job_load_model (job, error))
    return FALSE;
  cs_index_job_set_state (job, CS_INDEXER_STATE_INDEXING, NULL);
  cs_index_job_add_progress (job, 0, 0, n_work);
  job->results = g_async_queue_new ();
  pool = g_thread_pool_new (decode_task, job, _cs_parallel_threads_at_most (DECODE_THREADS), FALSE, error);
  if (pool == NULL)
    return FALSE;
  job->decode_budget = cs_pixel_budget_new (CS_DECODE_BUDGET_BYTES);

  while (next < job->queue->len || in_flight > 0)
    {
      /* keep the decoders busy, with a bounded number of tensors around */
      if (!cancelled && !failed)
        feed_decoders (job, pool, &next, &in_flight, max_in_flight, bad);
      if (in_flight == 0 && ok->len == 0 && bad->len == 0)
        break;

      Item *done = in_flight > 0 ? g_async_queue_timeout_pop (job->results, 200 * G_TIME_SPAN_MILLISECOND) : NULL;
      if (done != NULL)
        {
          in_flight--;
          take_decoded (job, done, ok, bad);
        }
      if (!cancelled && !failed && !cs_index_job_continue (job))
        cancelled = TRUE;

      gboolean drained = next >= job->queue->len && in_flight == 0;
      if (!cancelled && !failed && (ok->len >= BATCH_SIZE || bad->len >= BATCH_SIZE * 4
                                    || (drained && (ok->len > 0 || bad->len > 0))))
        {
          if (!commit_batch (job, ok, bad, error))
            {
              if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                cancelled = TRUE;
              failed = TRUE;
            }
          g_ptr_array_set_size (ok, 0);
          g_ptr_array_set_size (bad, 0);
        }
      if ((cancelled || failed) && in_flight == 0)
        break;
    }
  /* wait for the decoders; drop what they finish */
  g_thread_pool_free (pool, FALSE, TRUE);
  g_clear_pointer (&job->decode_budget, cs_pixel_budget_free);
  while ((left = g_async_queue_try_pop (job->results)) != NULL)
    cs_index_item_free (left);
  if (failed)
    return FALSE;
  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
  return TRUE;
}
