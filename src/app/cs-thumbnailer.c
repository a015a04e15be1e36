/* cs-thumbnailer.c - photo thumbnails, loaded off the main thread.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-thumbnailer"

#include "config.h"


#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "cs-thumbnail.h"
#include "cs-thumbnailer.h"

#define N_THREADS      2
#define MEMORY_ENTRIES 256

typedef struct {
  char       *path;
  GdkTexture *texture;
} Entry;

struct _CsThumbnailer {
  GObject      parent_instance;

  char        *cache_dir;      /* .../large is where thumbnails go */
  char        *shared_dir;     /* the desktop's cache, read only */
  GThreadPool *pool;           /* one item per pending job: a wake-up */
  GMutex       lock;
  GQueue       pending;        /* Job*, newest first; under lock */
  gboolean     shutting_down;  /* read by workers: atomic */

  GHashTable  *entries;        /* path -> GList* link in lru */
  GQueue       lru;            /* Entry*, most recent first */
  GHashTable  *failed;         /* paths that cannot be thumbnailed */
  gint         n_generated;    /* for tests: decoded and made (atomic) */
  gint         n_from_cache;   /* for tests: read from a cache (atomic) */
};

/* A request; the worker sees only this (and the atomic shutdown flag). */
typedef struct {
  GTask   *task;
  char    *path;
  char    *cache_dir;
  char    *shared_dir;
  gint    *shutting_down;
} Job;

G_DEFINE_FINAL_TYPE (CsThumbnailer, cs_thumbnailer, G_TYPE_OBJECT)

static CsThumbnailer *default_thumbnailer;

static void
entry_free (Entry *entry)
{
  g_free (entry->path);
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->cache_dir);
  g_free (job->shared_dir);
  g_free (job);
}

/* The thumbnail of the photo: ours (the indexer may have written it), the
 * desktop's, or a new one, saved in ours.  The format is cs-thumbnail.h's. */
static GdkTexture *
load_thumbnail (CsThumbnailer *self,
                Job           *job,
                GError       **error)
{
  g_autofree char *uri = NULL;
  g_autofree char *own = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) save_error = NULL;
  gint64 mtime;

  if (!cs_thumbnail_stamp (job->path, &uri, &mtime, error))
    return NULL;
  own = cs_thumbnail_file_for_uri (job->cache_dir, uri);
  pixbuf = cs_thumbnail_load_valid (own, uri, mtime);
  if (pixbuf == NULL && job->shared_dir != NULL)
    {
      g_autofree char *shared = cs_thumbnail_file_for_uri (job->shared_dir, uri);
      pixbuf = cs_thumbnail_load_valid (shared, uri, mtime);
    }
  if (pixbuf != NULL)
    g_atomic_int_inc (&self->n_from_cache);
  else
    {
      pixbuf = cs_thumbnail_make (job->path, error);
      if (pixbuf == NULL)
        return NULL;
      g_atomic_int_inc (&self->n_generated);
      if (!cs_thumbnail_save (pixbuf, job->cache_dir, uri, mtime, &save_error))
        g_debug ("%s", save_error->message);
    }
  return gdk_texture_new_for_pixbuf (pixbuf);
}

/* Workers take the newest request first: those are the cells on screen
 * now (a LIFO stack, O(1) either way, where a sorted GThreadPool queue
 * costs the main thread O(n) a push while a fast scroll piles requests
 * up). */
static void
run_job (gpointer data,
         gpointer user_data)
{
  CsThumbnailer *self = user_data;
  GError *error = NULL;
  GdkTexture *texture;
  GTask *task;
  Job *job;
#ifdef __linux__
  static GPrivate niced;

  /* the main thread draws the thumbnails: it goes first */
  if (g_private_get (&niced) == NULL)
    {
      setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&niced, GINT_TO_POINTER (1));
    }
#endif

  g_mutex_lock (&self->lock);
  job = g_queue_pop_head (&self->pending);
  g_mutex_unlock (&self->lock);
  if (job == NULL)
    return;
  task = job->task;

  if (g_atomic_int_get (job->shutting_down))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "shutting down");
  else if (!g_task_return_error_if_cancelled (task))
    {
      texture = load_thumbnail (self, job, &error);
      if (texture != NULL)
        g_task_return_pointer (task, texture, g_object_unref);
      else
        g_task_return_error (task, error);
    }
  g_object_unref (task);
  job_free (job);
}

static void
remember (CsThumbnailer *self,
          const char    *path,
          GdkTexture    *texture)
{
  GList *link = g_hash_table_lookup (self->entries, path);
  Entry *entry;

  if (link != NULL)
    {
      entry = link->data;
      g_set_object (&entry->texture, texture);
      g_queue_unlink (&self->lru, link);
      g_queue_push_head_link (&self->lru, link);
      return;
    }
  entry = g_new0 (Entry, 1);
  entry->path = g_strdup (path);
  entry->texture = g_object_ref (texture);
  g_queue_push_head (&self->lru, entry);
  g_hash_table_insert (self->entries, entry->path, self->lru.head);
  while (self->lru.length > MEMORY_ENTRIES)
    {
      Entry *old = g_queue_pop_tail (&self->lru);
      g_hash_table_remove (self->entries, old->path);
      entry_free (old);
    }
}

static void
cs_thumbnailer_dispose (GObject *object)
{
  CsThumbnailer *self = CS_THUMBNAILER (object);

  if (self->pool != NULL)
    {
      g_atomic_int_set (&self->shutting_down, TRUE);
      g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
    }
  G_OBJECT_CLASS (cs_thumbnailer_parent_class)->dispose (object);
}

static void
cs_thumbnailer_finalize (GObject *object)
{
  CsThumbnailer *self = CS_THUMBNAILER (object);

  g_queue_clear_full (&self->lru, (GDestroyNotify) entry_free);
  g_assert (g_queue_is_empty (&self->pending));
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->failed, g_hash_table_unref);
  g_clear_pointer (&self->cache_dir, g_free);
  g_clear_pointer (&self->shared_dir, g_free);
  G_OBJECT_CLASS (cs_thumbnailer_parent_class)->finalize (object);
}

static void
cs_thumbnailer_class_init (CsThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_thumbnailer_dispose;
  object_class->finalize = cs_thumbnailer_finalize;
}

static void
cs_thumbnailer_init (CsThumbnailer *self)
{
  self->entries = g_hash_table_new (g_str_hash, g_str_equal);
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* run_job frees the jobs it runs; none is left unrun (dispose waits) */
  g_mutex_init (&self->lock);
  /* Exclusive: run_job lowers its thread's priority (nice 10), and a
   * thread of GLib's shared pool would carry that into other pools' work
   * and into the threads it starts, which GLib then tries to set back to
   * the process's priority: not permitted unless root ("Failed to set
   * scheduler settings", a critical, seen running the tests as a user). */
  self->pool = g_thread_pool_new (run_job, self, N_THREADS, TRUE, NULL);
}

CsThumbnailer *
cs_thumbnailer_new (const char *cache_dir)
{
  CsThumbnailer *self = g_object_new (CS_TYPE_THUMBNAILER, NULL);
  g_autofree char *shared = g_build_filename (g_get_user_cache_dir (), "thumbnails", NULL);

  self->cache_dir = g_strdup (cache_dir);
  if (g_strcmp0 (shared, cache_dir) != 0 && g_file_test (shared, G_FILE_TEST_IS_DIR))
    self->shared_dir = g_steal_pointer (&shared);
  return self;
}

CsThumbnailer *
cs_thumbnailer_get_default (void)
{
  if (default_thumbnailer == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "clipsight", "thumbnails", NULL);
      default_thumbnailer = cs_thumbnailer_new (dir);
    }
  return default_thumbnailer;
}

void
cs_thumbnailer_clear_default (void)
{
  g_clear_object (&default_thumbnailer);
}

GdkTexture *
cs_thumbnailer_lookup (CsThumbnailer *self,
                       const char    *path)
{
  GList *link;

  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  link = g_hash_table_lookup (self->entries, path);
  return link != NULL ? ((Entry *) link->data)->texture : NULL;
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsThumbnailer *self = CS_THUMBNAILER (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = g_task_propagate_pointer (G_TASK (result), &error);
  const char *path = g_task_get_task_data (outer);

  if (texture != NULL)
    {
      remember (self, path, texture);
      g_task_return_pointer (outer, texture, g_object_unref);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_hash_table_add (self->failed, g_strdup (path));
  g_task_return_error (outer, g_steal_pointer (&error));
}

void
cs_thumbnailer_load_async (CsThumbnailer       *self,
                           const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *inner;
  GdkTexture *texture;
  Job *job;

  g_return_if_fail (CS_IS_THUMBNAILER (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_thumbnailer_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);

  texture = cs_thumbnailer_lookup (self, path);
  if (texture != NULL)
    {
      remember (self, path, texture);
      g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      return;
    }
  if (g_hash_table_contains (self->failed, path))
    {
      g_autofree char *display = g_filename_display_name (path);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "%s: cannot be read", display);
      return;
    }

  /* The inner task belongs to the worker; the outer one is answered on
   * this thread, where the memory cache lives. */
  inner = g_task_new (self, cancellable, on_job_done_cb, g_steal_pointer (&task));
  job = g_new0 (Job, 1);
  job->task = inner;
  job->path = g_strdup (path);
  job->cache_dir = g_strdup (self->cache_dir);
  job->shared_dir = g_strdup (self->shared_dir);
  job->shutting_down = &self->shutting_down;
  g_mutex_lock (&self->lock);
  g_queue_push_head (&self->pending, job);
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->pool, GINT_TO_POINTER (1), NULL);
}

GdkTexture *
cs_thumbnailer_load_finish (CsThumbnailer *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cs_thumbnailer_dup_thumbnail_path (CsThumbnailer *self,
                                   const char    *path)
{
  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  return cs_thumbnail_file_for_path (self->cache_dir, path);
}

const char *
cs_thumbnailer_get_cache_dir (CsThumbnailer *self)
{
  g_return_val_if_fail (CS_IS_THUMBNAILER (self), NULL);
  return self->cache_dir;
}

void
cs_thumbnailer_get_counts_for_testing (CsThumbnailer *self,
                                       guint         *n_generated,
                                       guint         *n_from_cache)
{
  g_return_if_fail (CS_IS_THUMBNAILER (self));
  if (n_generated != NULL)
    *n_generated = (guint) g_atomic_int_get (&self->n_generated);
  if (n_from_cache != NULL)
    *n_from_cache = (guint) g_atomic_int_get (&self->n_from_cache);
}
