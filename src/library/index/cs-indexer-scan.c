/* cs-indexer-scan.c - the scan-and-plan phase of a run: what is new,
 * changed, moved or gone.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include <sys/stat.h>

#include "cs-file-hash.h"
#include "cs-indexer-private.h"
#include "cs-scanner.h"
#include "cs-store.h"

static gint64
stat_mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* Scan writes (moves, touches) are grouped in transactions too. */
static gboolean
scan_write_begin (Job     *job,
                  GError **error)
{
  if (cs_store_in_transaction (job->store))
    return TRUE;
  job->scan_ops = 0;
  return cs_store_begin (job->store, error);
}

static gboolean
scan_write_done (Job     *job,
                 GError **error)
{
  if (++job->scan_ops < SCAN_TXN_OPS)
    return TRUE;
  job->scan_ops = 0;
  return cs_store_commit (job->store, error);
}

static gboolean
scan_flush (Job     *job,
            GError **error)
{
  if (!cs_store_in_transaction (job->store))
    return TRUE;
  return cs_store_commit (job->store, error);
}

static void
queue_item (Job               *job,
            ItemKind           kind,
            const char        *path,
            const struct stat *st,
            char              *hash)
{
  Item *it = g_new0 (Item, 1);
  it->kind = kind;
  it->path = g_strdup (path);
  it->size = st->st_size;
  it->mtime_us = stat_mtime_us (st);
  it->hash = hash;
  g_ptr_array_add (job->queue, it);
}

/* The walk only stats and looks up: no file is read, so a first index
 * of a million photos starts embedding after seconds, not after hashing a
 * terabyte.  Hashes are computed where they are needed: by the decode
 * task (which reads the file anyway), and here only for new files whose
 * size matches a photo that vanished (move candidates). */
static gboolean
scan_photo (Job               *job,
            const char        *path,
            const struct stat *st,
            GError           **error)
{
  g_autoptr(CsStorePhoto) existing = NULL;
  g_autoptr(GError) local = NULL;
  gint64 mtime = stat_mtime_us (st), f_size = 0, f_mtime = 0;

  g_hash_table_add (job->seen, g_strdup (path));
  existing = cs_store_lookup_photo (job->store, path, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* Every lookup's error is the run's: taking a failed lookup for "no
   * vector" would re-embed an unchanged photo, for "no failure" retry a
   * broken file, for "same content" keep a stale vector. */
  if (existing != NULL && existing->size == st->st_size && existing->mtime_us == mtime)
    {
      gboolean has = cs_store_has_vector (job->store, existing->id, job->model_row, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (has)
        job->summary->unchanged++;
      else
        queue_item (job, ITEM_REEMBED, path, st, g_strdup (existing->hash));
      return TRUE;
    }
  gboolean failed_before = cs_store_lookup_failure (job->store, path, &f_size, &f_mtime, NULL, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (failed_before && f_size == st->st_size && f_mtime == mtime)
    {
      job->summary->still_failing++;
      return TRUE;
    }
  if (existing != NULL)
    {
      /* changed size or mtime: the decode task hashes it and skips the
       * decode when only the mtime moved */
      gboolean has = cs_store_has_vector (job->store, existing->id, job->model_row, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      queue_item (job, ITEM_UPDATED, path, st, NULL);
      Item *it = job->queue->pdata[job->queue->len - 1];
      it->old_hash = g_strdup (existing->hash);
      it->has_vector = has;
      it->old_taken_source = existing->taken_source;
      return TRUE;
    }
  queue_item (job, ITEM_ADDED, path, st, NULL);
  return TRUE;
}

typedef struct {
  Job    *job;
  GError *error;
} ScanCtx;

static gboolean
on_scan_entry_cb (const char        *path,
                  CsScanKind         kind,
                  const struct stat *st,
                  const char        *reason,
                  gpointer           user_data)
{
  ScanCtx *sc = user_data;
  Job *job = sc->job;

  if (!cs_index_job_continue (job))
    return FALSE;
  switch (kind)
    {
    case CS_SCAN_FOLDER:
      g_ptr_array_add (job->folders_seen, g_strdup (path));
      cs_index_job_set_state (job, CS_INDEXER_STATE_SCANNING, path);
      return TRUE;
    case CS_SCAN_UNREADABLE:
      cs_index_summary_add_failure (job->summary, path, reason, 0, 0);
      return TRUE;
    case CS_SCAN_SKIPPED:
      /* not a failure: nothing to retry, and `status` has none to show */
      cs_index_summary_add_skip (job->summary, path, reason);
      return TRUE;
    case CS_SCAN_PHOTO:
    default:
      return scan_photo (job, path, st, &sc->error);
    }
}

/* Walks `roots` (below the excluded folders), deciding for each photo
 * what the run does with it; the scan's writes are committed. */
gboolean
cs_index_job_scan (Job       *job,
                   GPtrArray *roots,
                   GError   **error)
{
  ScanCtx sc = { job, NULL };

  if (!cs_scanner_walk (cs_index_ptr_array_as_strv (roots), cs_index_ptr_array_as_strv (job->excluded),
                        on_scan_entry_cb, &sc, job->cancellable, error))
    {
      g_clear_error (&sc.error);
      scan_flush (job, NULL);
      return FALSE;
    }
  if (sc.error != NULL)
    {
      g_propagate_error (error, sc.error);
      return FALSE;
    }
  return scan_flush (job, error);
}

gboolean
cs_index_path_is_under_any (const char *path,
                            GPtrArray  *folders)
{
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    if (cs_path_is_below (path, folders->pdata[i]))
      return TRUE;
  return FALSE;
}

typedef struct {
  Job        *job;
  GPtrArray  *unavailable;
  GPtrArray  *vanished;   /* CsStorePhoto*: in the index, not seen on disk */
} SweepCtx;

static gboolean
on_sweep_photo_cb (const CsStorePhoto *photo,
                   gpointer            user_data)
{
  SweepCtx *sw = user_data;

  if (g_hash_table_contains (sw->job->seen, photo->path))
    return TRUE;
  if (cs_index_path_is_under_any (photo->path, sw->unavailable))
    return TRUE; /* its folder is missing (unmounted?): keep it */
  g_ptr_array_add (sw->vanished, cs_store_photo_copy (photo));
  return TRUE;
}

/* New files whose size and content hash equal a vanished photo's are that
 * photo, moved or renamed: it keeps its row, vectors and label feedback. */
static gboolean
job_find_moves (Job       *job,
                GPtrArray *vanished,
                GError   **error)
{
  g_autoptr(GHashTable) by_size = NULL;

  if (vanished->len == 0)
    return TRUE;
  by_size = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < vanished->len; i++)
    {
      CsStorePhoto *v = vanished->pdata[i];
      g_hash_table_insert (by_size, &v->size, v);
    }
  for (guint i = 0; i < job->queue->len; i++)
    {
      Item *it = job->queue->pdata[i];
      g_autoptr(GError) local = NULL;

      if (it->kind != ITEM_ADDED || it->error != NULL || !g_hash_table_contains (by_size, &it->size))
        continue;
      if (!cs_index_job_continue (job))
        return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
      it->hash = cs_file_hash_partial (it->path, job->cancellable, &local);
      if (it->hash == NULL)
        {
          it->error = g_steal_pointer (&local);
          continue;
        }
      for (guint j = 0; j < vanished->len; j++)
        {
          CsStorePhoto *v = vanished->pdata[j];
          if (v == NULL || v->size != it->size || g_strcmp0 (v->hash, it->hash) != 0)
            continue;
          gboolean has;

          if (!scan_write_begin (job, error)
              || !cs_store_move_photo (job->store, v->id, it->path, it->mtime_us, error))
            return FALSE;
          has = cs_store_has_vector (job->store, v->id, job->model_row, &local);
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          job->summary->moved++;
          it->kind = has ? ITEM_MOVED : ITEM_REEMBED;
          cs_store_photo_free (v);
          vanished->pdata[j] = NULL;
          if (!scan_write_done (job, error))
            return FALSE;
          break;
        }
    }
  return TRUE;
}

gboolean
cs_index_job_sweep (Job       *job,
                    GPtrArray *roots,
                    GError   **error)
{
  g_autoptr(GPtrArray) vanished = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_store_photo_free);
  SweepCtx sw = { job, job->summary->unavailable, vanished };
  gboolean ok = TRUE;

  if (roots == NULL)
    ok = cs_store_foreach_photo (job->store, NULL, on_sweep_photo_cb, &sw, error);
  else
    for (guint i = 0; ok && i < roots->len; i++)
      ok = cs_store_foreach_photo (job->store, roots->pdata[i], on_sweep_photo_cb, &sw, error);
  if (ok)
    ok = job_find_moves (job, vanished, error);

  for (guint i = 0; ok && i < vanished->len; i++)
    {
      CsStorePhoto *v = vanished->pdata[i];
      if (v == NULL)
        continue; /* moved */
      ok = scan_write_begin (job, error)
           && cs_store_delete_photo (job->store, v->id, error)
           && scan_write_done (job, error);
      if (ok)
        job->summary->removed++;
    }

  /* failures of files that are no longer there (or no longer ours) */
  if (ok && roots == NULL)
    {
      g_autoptr(GPtrArray) fails = cs_store_list_failures (job->store, error);
      ok = fails != NULL;
      for (guint i = 0; ok && fails != NULL && i < fails->len; i++)
        {
          CsStoreFailure *f = fails->pdata[i];
          if (!g_hash_table_contains (job->seen, f->path)
              && !cs_index_path_is_under_any (f->path, job->summary->unavailable))
            ok = scan_write_begin (job, error) && cs_store_clear_failure (job->store, f->path, error)
                 && scan_write_done (job, error);
        }
    }
  return ok && scan_flush (job, error);
}

