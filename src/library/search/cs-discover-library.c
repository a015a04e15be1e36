/* cs-discover-library.c - CsSuggestion and cs_library_discover_async().
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The library's side of cs-discover.c: a snapshot of the index and the
 * model goes to a worker thread, which reads which photos have a real
 * date from the database, embeds the vocabulary (cached), runs the
 * discovery and makes the suggestion objects.
 */
#define G_LOG_DOMAIN "cs-discover"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-discover.h"
#include "cs-exif.h"
#include "cs-library-object-private.h"
#include "cs-suggestions.h"
#include "cs-vocabulary.h"

struct _CsSuggestion
{
  GObject           parent_instance;

  CsSuggestionKind  kind;
  char             *name;
  char             *concept;
  char            **prompts;
  char             *key;
  double            score;
  CsPhoto          *cover;
  CsPhotoList      *photos;
  gint64            start;
  gint64            end;
};

G_DEFINE_FINAL_TYPE (CsSuggestion, cs_suggestion, G_TYPE_OBJECT)

static void
cs_suggestion_finalize (GObject *object)
{
  CsSuggestion *self = CS_SUGGESTION (object);

  g_free (self->name);
  g_free (self->concept);
  g_strfreev (self->prompts);
  g_free (self->key);
  g_clear_object (&self->cover);
  g_clear_object (&self->photos);
  G_OBJECT_CLASS (cs_suggestion_parent_class)->finalize (object);
}

static void
cs_suggestion_class_init (CsSuggestionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_suggestion_finalize;
}

static void
cs_suggestion_init (CsSuggestion *self)
{
}

CsSuggestionKind
cs_suggestion_get_kind (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), CS_SUGGESTION_THEME);
  return self->kind;
}

const char *
cs_suggestion_get_name (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return self->name;
}

const char *
cs_suggestion_get_concept (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return self->concept;
}

const char * const *
cs_suggestion_get_prompts (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return (const char * const *) self->prompts;
}

const char *
cs_suggestion_get_key (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return self->key;
}

double
cs_suggestion_get_score (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), 0);
  return self->score;
}

CsPhoto *
cs_suggestion_get_cover (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return self->cover;
}

CsPhotoList *
cs_suggestion_get_photos (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), NULL);
  return self->photos;
}

gint64
cs_suggestion_get_start (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), 0);
  return self->start;
}

gint64
cs_suggestion_get_end (CsSuggestion *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION (self), 0);
  return self->end;
}

/* -------------------------------------------------------------- the job */

typedef struct {
  CsVectorIndex *index;
  CsClipRuntime *runtime;        /* NULL: no names */
  char          *database_path;
  char          *vocabulary_path;
} DiscoverJob;

static void
discover_job_free (gpointer data)
{
  DiscoverJob *job = data;

  _cs_vector_index_unref (job->index);
  g_clear_pointer (&job->runtime, cs_clip_runtime_unref);
  g_free (job->database_path);
  g_free (job->vocabulary_path);
  g_free (job);
}

typedef struct {
  CsVectorIndex *index;
  const guint   *input_of_row;
  gint64        *taken;         /* by input index */
} Dated;

/* The indexer stores the file's modification time as the date of a
 * photo without an EXIF date, and says which it stored (taken_source,
 * carried by the index's snapshot): a file time says nothing of when the
 * photo was taken (the time it was copied, saved, downloaded), so such
 * photos are in no event.  Rows written before the store said so
 * (CS_STORE_TAKEN_UNKNOWN: until the indexer writes the row again, or
 * finds the file touched) are guessed as before.  A date that is not the
 * file's time is an EXIF date, or a touched file's old time.  One that is
 * can be either: a camera's original file has its EXIF time as its
 * modification time (to the second), while a file without EXIF has only
 * the time it was copied or saved.  For those, formats cameras write are
 * checked for an EXIF date (the first 64 KiB, where a JPEG's APP1 block
 * is; remembered per photo, file time and size for the process's later
 * runs, since such rows may stay unknown for long in a library that does
 * not change), and the others (PNG, GIF, WebP, BMP: screenshots,
 * downloads) have no date. */
#define EXIF_HEAD (64 * 1024)

typedef struct {
  gint64 mtime_us;
  gint64 size;
  gboolean dated;
} ExifSeen;

static GMutex exif_lock;
static GHashTable *exif_seen;  /* gint64 id -> ExifSeen */

static gboolean
camera_format (const char *path)
{
  static const char * const ext[] = {
    ".jpg", ".jpeg", ".jpe", ".heic", ".heif", ".tif", ".tiff", ".dng", ".cr2", ".cr3", ".nef",
    ".nrw", ".arw", ".srf", ".sr2", ".orf", ".rw2", ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf",
    ".kdc", ".mrw", ".iiq", NULL,
  };
  const char *dot = strrchr (path, '.');

  if (dot == NULL)
    return FALSE;
  for (guint i = 0; ext[i] != NULL; i++)
    if (g_ascii_strcasecmp (dot, ext[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_exif_date (const CsStorePhoto *photo)
{
  g_autofree guint8 *buf = NULL;
  ExifSeen *seen;
  gboolean dated = FALSE;
  gint64 when;
  gsize got = 0;
  int fd;

  if (!camera_format (photo->path))
    return FALSE;
  g_mutex_lock (&exif_lock);
  if (exif_seen == NULL)
    exif_seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  seen = g_hash_table_lookup (exif_seen, &photo->id);
  if (seen != NULL && seen->mtime_us == photo->mtime_us && seen->size == photo->size)
    dated = seen->dated;
  g_mutex_unlock (&exif_lock);
  if (seen != NULL && seen->mtime_us == photo->mtime_us && seen->size == photo->size)
    return dated;

  buf = g_malloc (EXIF_HEAD);
  fd = g_open (photo->path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd >= 0)
    {
      while (got < EXIF_HEAD)
        {
          ssize_t n = read (fd, buf + got, EXIF_HEAD - got);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          got += (gsize) n;
        }
      close (fd);
      dated = cs_exif_parse_date_taken (buf, got, &when) && when == photo->taken_unix;
    }
  g_mutex_lock (&exif_lock);
  {
    gint64 *key = g_new (gint64, 1);
    ExifSeen *value = g_new (ExifSeen, 1);

    *key = photo->id;
    *value = (ExifSeen) { photo->mtime_us, photo->size, dated };
    g_hash_table_replace (exif_seen, key, value);
  }
  g_mutex_unlock (&exif_lock);
  return dated;
}

/* For the rows of the snapshot that do not know where their date came
 * from (CS_STORE_TAKEN_UNKNOWN): the store's row may know by now, else
 * the guess above. */
static gboolean
mark_dated (const CsStorePhoto *photo,
            gpointer            user_data)
{
  Dated *dd = user_data;
  CsPhotoMeta meta;
  guint row;

  if (!_cs_vector_index_find (dd->index, photo->id, &row))
    return TRUE;
  _cs_vector_index_meta (dd->index, row, &meta);
  if (meta.taken_source != CS_STORE_TAKEN_UNKNOWN || photo->taken_source == CS_STORE_TAKEN_FILE)
    return TRUE;
  if (photo->taken_unix > 0
      && (photo->taken_source == CS_STORE_TAKEN_CAPTURE
          || photo->taken_unix != photo->mtime_us / G_USEC_PER_SEC || has_exif_date (photo)))
    /* the snapshot's date, in case the database moved on since */
    dd->taken[dd->input_of_row[row]] = meta.taken;
  return TRUE;
}

static CsSuggestion *
make_suggestion (const CsDiscoverInput *in,
                 CsVectorIndex         *index,
                 const guint           *rows,
                 const CsDiscoverGroup *g,
                 GPtrArray             *vocabulary)
{
  CsSuggestion *s = g_object_new (CS_TYPE_SUGGESTION, NULL);
  g_autoptr(GArray) items = g_array_sized_new (FALSE, FALSE, sizeof (CsPhotoListItem), g->members->len);
  g_autofree float *centre = g_new0 (float, in->dim);
  CsConcept *concept = g->concept >= 0 ? vocabulary->pdata[g->concept] : NULL;
  CsPhotoMeta meta;
  double norm = 0, cover_cos = 0;

  for (guint k = 0; k < g->members->len; k++)
    {
      const float *x = in->vectors[g_array_index (g->members, guint, k)];
      for (int d = 0; d < in->dim; d++)
        centre[d] += x[d];
    }
  for (int d = 0; d < in->dim; d++)
    norm += (double) centre[d] * centre[d];
  norm = sqrt (norm);
  for (int d = 0; d < in->dim; d++)
    centre[d] = norm > 0 ? (float) (centre[d] / norm) : 0.0f;
  for (guint k = 0; k < g->members->len; k++)
    {
      guint i = g_array_index (g->members, guint, k);
      CsPhotoListItem it = { 0 };
      float c;

      clip_vec_dot_rows_f32 (in->vectors[i], (size_t) in->dim, 1, centre, in->dim, &c);
      it.row = rows[i];
      it.score = c;
      it.accepted = TRUE;
      g_array_append_val (items, it);
      if (i == g->cover)
        cover_cos = c;
    }

  s->kind = g->kind == CS_DISCOVER_EVENT ? CS_SUGGESTION_EVENT : CS_SUGGESTION_THEME;
  s->score = g->score;
  s->start = g->start;
  s->end = g->end;
  s->photos = _cs_photo_list_new (index, (CsPhotoListItem *) items->data, items->len, items->len,
                                  items->len, 0.0, NULL);
  _cs_vector_index_meta (index, rows[g->cover], &meta);
  s->cover = _cs_photo_new (&meta, cover_cos, TRUE, 0.0, 0);
  if (concept != NULL)
    {
      s->concept = g_strdup (concept->id);
      s->prompts = g_strdupv (concept->prompts);
    }
  if (s->kind == CS_SUGGESTION_EVENT)
    {
      g_autofree char *range = cs_discover_format_range (g->start, g->end);

      s->name = concept != NULL
        /* TRANSLATORS: an event's title: its dominant concept and its dates, as in "Beach · 12–14 July 2025" */
        ? g_strdup_printf (_("%s · %s"), concept->name, range)
        : g_steal_pointer (&range);
      s->key = g_strdup_printf ("event:%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, g->start, g->end);
    }
  else if (concept != NULL)
    {
      s->name = g_strdup (concept->name);
      s->key = g_strdup_printf ("theme:%s", concept->id);
    }
  else
    {
      s->name = g_strdup (_("Similar photos"));
      s->key = g_strdup_printf ("theme:similar:%" G_GINT64_FORMAT, meta.id);
    }
  return s;
}

static void
discover_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DiscoverJob *job = task_data;
  CsVectorIndex *index = job->index;
  guint n_rows = _cs_vector_index_n_rows (index);
  guint n = _cs_vector_index_n_live (index);
  int dim = _cs_vector_index_dim (index);
  g_autofree const float **vectors = g_new (const float *, MAX (n, 1));
  g_autofree gint64 *ids = g_new (gint64, MAX (n, 1));
  g_autofree gint64 *taken = g_new0 (gint64, MAX (n, 1));
  g_autofree guint64 *keys = g_new0 (guint64, MAX (n, 1));
  g_autofree guint *rows = g_new (guint, MAX (n, 1));
  g_autofree guint *input_of_row = g_new (guint, MAX (n_rows, 1));
  g_autofree float *concept_vectors = NULL;
  g_autoptr(GPtrArray) vocabulary = NULL;
  g_autoptr(GPtrArray) themes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GListStore) out = g_list_store_new (CS_TYPE_SUGGESTION);
  CsDiscoverConcepts concepts = { 0 };
  CsDiscoverInput in;
  GError *error = NULL;
  guint k = 0, n_unknown = 0;

  for (guint r = 0; r < n_rows; r++)
    {
      CsPhotoMeta meta;

      if (!_cs_vector_index_is_live (index, r))
        continue;
      _cs_vector_index_meta (index, r, &meta);
      vectors[k] = _cs_vector_index_vector (index, r);
      ids[k] = meta.id;
      /* the file's content hash, FNV-1a; without one, the vector's bytes */
      {
        guint64 h = G_GUINT64_CONSTANT (14695981039346656037);
        const guint8 *p = meta.hash != NULL ? (const guint8 *) meta.hash : (const guint8 *) vectors[k];
        gsize len = meta.hash != NULL ? strlen (meta.hash) : (gsize) dim * sizeof (float);

        for (gsize b = 0; b < len; b++)
          h = (h ^ p[b]) * G_GUINT64_CONSTANT (1099511628211);
        keys[k] = h;
      }
      rows[k] = r;
      input_of_row[r] = k;
      /* a file's time is not when the photo was taken: no events */
      if (meta.taken_source == CS_STORE_TAKEN_CAPTURE)
        taken[k] = meta.taken;
      else if (meta.taken_source == CS_STORE_TAKEN_UNKNOWN)
        n_unknown++;
      k++;
    }
  in.n = k;
  in.dim = dim;
  in.vectors = vectors;
  in.ids = ids;
  in.taken = taken;
  in.keys = keys;

  store = cs_store_open (job->database_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* rows indexed before the store said where dates come from */
  if (n_unknown > 0)
  {
    Dated dd = { index, input_of_row, taken };

    if (!cs_store_foreach_photo (store, NULL, mark_dated, &dd, &error))
      {
        g_task_return_error (task, error);
        return;
      }
  }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* the vocabulary's vectors, when there is a model of the index's size */
  if (job->vocabulary_path != NULL)
    vocabulary = cs_vocabulary_load (job->vocabulary_path, &error);
  else
    vocabulary = cs_vocabulary_new_builtin ();
  if (vocabulary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->runtime != NULL && cs_clip_runtime_get_dim (job->runtime) == dim)
    {
      concept_vectors = g_new (float, (gsize) vocabulary->len * dim);
      if (!cs_vocabulary_embed (vocabulary, job->runtime, store, _cs_vector_index_model_row (index),
                                concept_vectors, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      concepts.n = vocabulary->len;
      concepts.dim = dim;
      concepts.vectors = concept_vectors;
    }

  if (!cs_discover_run (&in, &concepts, NULL, &themes, &events, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < themes->len; i++)
    {
      g_autoptr(CsSuggestion) s = make_suggestion (&in, index, rows, themes->pdata[i], vocabulary);
      g_list_store_append (out, s);
    }
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(CsSuggestion) s = make_suggestion (&in, index, rows, events->pdata[i], vocabulary);
      g_list_store_append (out, s);
    }
  g_task_return_pointer (task, g_steal_pointer (&out), g_object_unref);
}

static GTask *
discover_task (CsLibrary           *self,
               const char          *vocabulary_path,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  DiscoverJob *job;

  g_task_set_source_tag (task, cs_library_discover_async);
  if (self->index == NULL)
    {
      GError *error = NULL;

      _cs_library_set_not_loaded (&error);
      g_task_return_error (task, error);
      return task;
    }
  job = g_new0 (DiscoverJob, 1);
  job->index = _cs_vector_index_ref (self->index);
  job->runtime = self->runtime != NULL ? cs_clip_runtime_ref (self->runtime) : NULL;
  job->database_path = g_strdup (self->database_path);
  job->vocabulary_path = g_strdup (vocabulary_path);
  g_task_set_task_data (task, job, discover_job_free);
  return task;
}

void
cs_library_discover_async (CsLibrary           *self,
                           const char          *vocabulary_path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_LIBRARY (self));
  task = discover_task (self, vocabulary_path, cancellable, callback, user_data);
  if (g_task_get_task_data (task) != NULL)
    g_task_run_in_thread (task, discover_thread);
}

GListModel *
cs_library_discover_finish (CsLibrary     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GListModel *
cs_library_discover (CsLibrary     *self,
                     const char    *vocabulary_path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  task = discover_task (self, vocabulary_path, cancellable, NULL, NULL);
  if (g_task_get_task_data (task) != NULL)
    g_task_run_in_thread_sync (task, discover_thread);
  return g_task_propagate_pointer (task, error);
}
