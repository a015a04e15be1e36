/* test-indexer.c - CsIndexer's GObject face: async runs on a main loop,
 * coalesced progress, pause, cancel and live watching.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uses the toy CLIP and the toy photos of ../shared (skipped without).
 */
#include <math.h>
#include <string.h>
#include <utime.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-blank.h"
#include "cs-indexer.h"
#include "cs-store.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;

typedef struct {
  char      *dir;
  char      *photos;
  char      *db;
  CsIndexer *indexer;
  guint      n_done_notifies;
  guint      n_batches;
  guint      n_finished;
  CsIndexSummary *summary;
  GError    *error;
  gboolean   done;
} Fixture;

/* copies the toy photos `copies` times into subfolders */
static guint
copy_photos (const char *dest,
             guint       copies,
             guint       limit)
{
  GDir *d = g_dir_open (toy_photos, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_prefix (name, "photo-") || (limit > 0 && n >= limit * copies))
        continue;
      g_autofree char *src = g_build_filename (toy_photos, name, NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      for (guint c = 0; c < copies; c++)
        {
          g_autofree char *sub = g_strdup_printf ("%s/set%u", dest, c);
          g_autofree char *dst = g_build_filename (sub, name, NULL);
          g_mkdir_with_parents (sub, 0755);
          g_assert_true (g_file_set_contents (dst, data, (gssize) len, NULL));
          n++;
        }
    }
  g_dir_close (d);
  return n;
}

static void
on_n_done_cb (GObject    *o,
              GParamSpec *p,
              gpointer    data)
{
  ((Fixture *) data)->n_done_notifies++;
}

static void
on_batch_cb (CsIndexer *indexer,
             gpointer   data)
{
  ((Fixture *) data)->n_batches++;
}

static void
on_finished_cb (CsIndexer *indexer,
                gpointer   data)
{
  ((Fixture *) data)->n_finished++;
}

static void
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  fx->dir = test_make_temp_dir ();
  fx->photos = g_build_filename (fx->dir, "photos", NULL);
  fx->db = g_build_filename (fx->dir, "library.db", NULL);
  g_mkdir_with_parents (fx->photos, 0755);
  fx->indexer = cs_indexer_new (fx->db, toy_model);
  cs_indexer_add_folder (fx->indexer, fx->photos);
  g_signal_connect (fx->indexer, "notify::n-done", G_CALLBACK (on_n_done_cb), fx);
  g_signal_connect (fx->indexer, "batch-committed", G_CALLBACK (on_batch_cb), fx);
  g_signal_connect (fx->indexer, "finished", G_CALLBACK (on_finished_cb), fx);
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  g_clear_object (&fx->indexer);
  g_clear_pointer (&fx->summary, cs_index_summary_free);
  g_clear_error (&fx->error);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->photos);
  g_free (fx->db);
}

static void
on_rescan_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Fixture *fx = data;
  fx->summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &fx->error);
  fx->done = TRUE;
}

static void
iterate_until (gboolean *flag,
               guint     seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  while (!*flag && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (*flag);
}

static gint64
count_vectors (const char *db)
{
  g_autoptr(CsStore) store = cs_store_open (db, NULL);
  g_autofree char *active = NULL;
  gint64 row;

  g_assert_nonnull (store);
  active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, NULL);
  if (active == NULL)
    return 0;
  row = cs_store_lookup_model (store, active, NULL, NULL);
  return row > 0 ? cs_store_count_vectors (store, row, NULL) : 0;
}

static void
test_async_run (Fixture      *fx,
                gconstpointer data)
{
  guint n = copy_photos (fx->photos, 2, 0);

  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  g_assert_true (cs_indexer_get_running (fx->indexer));
  iterate_until (&fx->done, 300);
  g_assert_no_error (fx->error);
  g_assert_nonnull (fx->summary);
  g_assert_cmpuint (fx->summary->added, ==, n);
  g_assert_cmpuint (fx->summary->failed, ==, 0);
  g_assert_false (cs_indexer_get_running (fx->indexer));
  g_assert_cmpuint (cs_indexer_get_n_done (fx->indexer), ==, n);
  g_assert_cmpuint (cs_indexer_get_n_total (fx->indexer), ==, n);
  g_assert_cmpfloat (cs_indexer_get_fraction (fx->indexer), ==, 1.0);
  g_assert_cmpint (cs_indexer_get_state (fx->indexer), ==, CS_INDEXER_STATE_IDLE);
  /* coalesced: far fewer notifications than photos, at most one per batch */
  g_test_message ("%u photos, %u n-done notifications, %u batch signals", n, fx->n_done_notifies, fx->n_batches);
  g_assert_cmpuint (fx->n_done_notifies, >=, 1);
  g_assert_cmpuint (fx->n_done_notifies, <=, n / 8 + 1);
  g_assert_cmpuint (fx->n_batches, >=, 1);
  g_assert_cmpuint (fx->n_finished, ==, 1);
  g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n);
}

static void
test_queued_runs (Fixture      *fx,
                  gconstpointer data)
{
  gboolean second_done = FALSE;
  Fixture other = { 0 };

  copy_photos (fx->photos, 1, 20);
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  other.done = FALSE;
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, &other);
  iterate_until (&fx->done, 300);
  iterate_until (&other.done, 300);
  second_done = other.done;
  g_assert_true (second_done);
  g_assert_no_error (fx->error);
  g_assert_no_error (other.error);
  /* the second call ran after the first: nothing left to add */
  g_assert_cmpuint (fx->summary->added, ==, 20);
  g_assert_cmpuint (other.summary->added, ==, 0);
  g_assert_cmpuint (other.summary->unchanged, ==, 20);
  cs_index_summary_free (other.summary);
}

static void
on_first_batch_pause_cb (CsIndexer *indexer,
                         gpointer   data)
{
  cs_indexer_set_paused (indexer, TRUE);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
test_pause_resume (Fixture      *fx,
                   gconstpointer data)
{
  guint n = copy_photos (fx->photos, 8, 0);
  gulong id;

  id = g_signal_connect (fx->indexer, "batch-committed", G_CALLBACK (on_first_batch_pause_cb), NULL);
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  while (!cs_indexer_get_paused (fx->indexer) && !fx->done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (fx->indexer, id);
  g_assert_false (fx->done);

  /* within a second the run stands still (a batch in flight may land) */
  spin (1200);
  gint64 a = count_vectors (fx->db);
  spin (800);
  gint64 b = count_vectors (fx->db);
  g_test_message ("paused at %" G_GINT64_FORMAT " of %u photos", a, n);
  g_assert_cmpint (a, ==, b);
  g_assert_cmpint (a, <, (gint64) n);
  g_assert_true (cs_indexer_get_running (fx->indexer));

  cs_indexer_set_paused (fx->indexer, FALSE);
  iterate_until (&fx->done, 300);
  g_assert_no_error (fx->error);
  g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n);
}

static void
on_first_batch_cancel_cb (CsIndexer *indexer,
                          gpointer   data)
{
  g_cancellable_cancel (data);
}

static void
test_cancel_and_resume (Fixture      *fx,
                        gconstpointer data)
{
  guint n = copy_photos (fx->photos, 8, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 committed;

  g_signal_connect (fx->indexer, "batch-committed", G_CALLBACK (on_first_batch_cancel_cb), cancellable);
  cs_indexer_rescan_async (fx->indexer, cancellable, on_rescan_cb, fx);
  iterate_until (&fx->done, 300);
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (fx->summary);
  committed = count_vectors (fx->db);
  g_test_message ("cancelled with %" G_GINT64_FORMAT " of %u committed", committed, n);
  g_assert_cmpint (committed, >, 0);
  g_assert_cmpint (committed, <, (gint64) n);

  /* the next run picks up where it stopped, re-embedding nothing */
  g_signal_handlers_disconnect_by_func (fx->indexer, on_first_batch_cancel_cb, cancellable);
  g_clear_error (&fx->error);
  fx->done = FALSE;
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  iterate_until (&fx->done, 300);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n - (guint64) committed);
  g_assert_cmpuint (fx->summary->unchanged, ==, (guint64) committed);
}

static void
test_watching (Fixture      *fx,
               gconstpointer data)
{
  g_autofree char *src = g_build_filename (toy_photos, "photo-0100.jpg", NULL);
  g_autofree char *dst = NULL;
  g_autofree char *content = NULL;
  gsize len;

  copy_photos (fx->photos, 1, 10);
  cs_indexer_set_watching (fx->indexer, TRUE);
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  iterate_until (&fx->done, 300);
  g_assert_no_error (fx->error);
  g_assert_cmpint (count_vectors (fx->db), ==, 10);

  /* a photo arrives in a watched folder: indexed without asking */
  guint finished = fx->n_finished;
  dst = g_build_filename (fx->photos, "set0", "arrived.jpg", NULL);
  g_assert_true (g_file_get_contents (src, &content, &len, NULL));
  g_assert_true (g_file_set_contents (dst, content, (gssize) len, NULL));
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (fx->n_finished == finished && g_get_monotonic_time () < end)
    spin (50);
  g_assert_cmpuint (fx->n_finished, >, finished);
  g_assert_cmpint (count_vectors (fx->db), ==, 11);

  /* and one deleted leaves */
  finished = fx->n_finished;
  g_assert_cmpint (g_unlink (dst), ==, 0);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (fx->n_finished == finished && g_get_monotonic_time () < end)
    spin (50);
  g_assert_cmpint (count_vectors (fx->db), ==, 10);
}

static void
run_once (Fixture *fx)
{
  fx->done = FALSE;
  g_clear_pointer (&fx->summary, cs_index_summary_free);
  g_clear_error (&fx->error);
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  iterate_until (&fx->done, 300);
}

/* the one photo test_not_finite poisons */
static char *poisoned;

static void
poison_cb (const char *path,
           float      *vector,
           int         dim)
{
  if (poisoned != NULL && g_str_has_suffix (path, poisoned))
    vector[dim / 2] = NAN;
}

/* An engine that hands back a NaN embedding (a broken model, a kernel
 * bug): the photo fails with its reason, nothing non-finite is stored or
 * counted as searchable. */
static void
test_not_finite (Fixture      *fx,
                 gconstpointer data)
{
  guint n = copy_photos (fx->photos, 1, 10);
  g_autofree char *victim = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsStorePhoto) row = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  {
    g_autofree char *set0 = g_build_filename (fx->photos, "set0", NULL);
    g_autoptr(GDir) d0 = g_dir_open (set0, 0, NULL);
    g_assert_nonnull (d0);
    name = g_dir_read_name (d0);
    g_assert_nonnull (name);
    victim = g_build_filename (set0, name, NULL);
    poisoned = g_strdup (name);
  }
  cs_indexer_set_embedding_hook_for_testing (poison_cb);
  run_once (fx);
  cs_indexer_set_embedding_hook_for_testing (NULL);
  g_clear_pointer (&poisoned, g_free);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n - 1);
  g_assert_cmpuint (fx->summary->failed, ==, 1);
  g_assert_cmpuint (fx->summary->failures->len, ==, 1);
  CsIndexFailure *f = fx->summary->failures->pdata[0];
  g_assert_cmpstr (f->path, ==, victim);
  g_assert_cmpstr (f->reason, ==, "embedding is not finite");
  g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n - 1);

  store = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  row = cs_store_lookup_photo (store, victim, &error);
  g_assert_no_error (error);
  g_assert_null (row);
  g_assert_true (cs_store_lookup_failure (store, victim, NULL, NULL, &reason, &error));
  g_assert_cmpstr (reason, ==, "embedding is not finite");
}

/* A store read that fails (another connection held the lock past the
 * busy timeout) is an error of the run, never "no vector" (re-embedding
 * an unchanged library) or "no failure" (retrying a broken file). */
static void
test_store_errors (Fixture      *fx,
                   gconstpointer data)
{
  static const char *const reads[] = {
    "cs_store_has_vector", "cs_store_lookup_failure", "cs_store_dup_setting",
    "cs_store_lookup_model", "cs_store_count_vectors", "cs_store_count_photos",
  };
  guint n = copy_photos (fx->photos, 1, 10);
  g_autofree char *broken = g_build_filename (fx->photos, "set0", "broken.jpg", NULL);

  g_assert_true (g_file_set_contents (broken, "not a photo", -1, NULL));
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n);
  g_assert_cmpuint (fx->summary->failed, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      g_test_message ("failing %s", reads[i]);
      cs_store_inject_failure_for_testing (reads[i], -1);
      run_once (fx);
      cs_store_inject_failure_for_testing (NULL, 0);
      if (fx->error != NULL)
        {
          g_assert_error (fx->error, CS_STORE_ERROR, CS_STORE_ERROR_BUSY);
          g_assert_nonnull (strstr (fx->error->message, "locked"));
        }
      else
        {
          g_assert_cmpuint (fx->summary->reembedded + fx->summary->added + fx->summary->updated, ==, 0);
          g_assert_cmpuint (fx->summary->failed, ==, 0);
        }
      g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n);
    }

  /* and once the lock is gone, nothing is left to do */
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->unchanged, ==, n);
  g_assert_cmpuint (fx->summary->still_failing, ==, 1);
  g_assert_cmpuint (fx->summary->reembedded + fx->summary->added + fx->summary->updated, ==, 0);
}

static gboolean
release_lock_cb (gpointer data)
{
  cs_store_commit (data, NULL);
  return G_SOURCE_REMOVE;
}

/* A second connection holds the write lock (BEGIN IMMEDIATE) while the
 * indexer re-checks touched files: it waits (busy timeout) or fails
 * clearly, and never re-embeds or keeps a stale vector. */
static void
test_write_lock (Fixture      *fx,
                 gconstpointer data)
{
  guint n = copy_photos (fx->photos, 1, 12);
  g_autoptr(CsStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *set0 = g_build_filename (fx->photos, "set0", NULL);
  g_autoptr(GDir) d = NULL;
  const char *name;
  gint64 later = (g_get_real_time () / G_USEC_PER_SEC + 100);

  run_once (fx);
  g_assert_no_error (fx->error);
  /* new mtimes, same content: every photo is looked at again */
  d = g_dir_open (set0, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (set0, name, NULL);
      struct utimbuf tb = { later, later };
      g_assert_cmpint (utime (p, &tb), ==, 0);
    }
  other = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_begin (other, &error));
  g_timeout_add (1500, release_lock_cb, other);
  run_once (fx);
  if (fx->error != NULL)
    g_assert_error (fx->error, CS_STORE_ERROR, CS_STORE_ERROR_BUSY);
  else
    {
      g_assert_cmpuint (fx->summary->unchanged, ==, n);
      g_assert_cmpuint (fx->summary->reembedded + fx->summary->added + fx->summary->updated, ==, 0);
    }
  cs_store_rollback (other);
  g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->unchanged, ==, n);
  g_assert_cmpuint (fx->summary->reembedded + fx->summary->added + fx->summary->updated, ==, 0);
}

static void
on_failed_cb (CsIndexer    *indexer,
              const GError *error,
              gpointer      data)
{
  g_assert_nonnull (error);
  g_ptr_array_add (data, g_strdup (error->message));
}

/* Another run holds the database's indexing lock (another process's, or
 * the app's): the run refuses at once, naming the holder, with "failed"
 * emitted (how a watched run's error is heard), and writes nothing; once
 * the lock is free the next run indexes. */
static void
test_index_lock (Fixture      *fx,
                 gconstpointer data)
{
  guint n = copy_photos (fx->photos, 1, 6);
  g_autoptr(CsStore) other = cs_store_open (fx->db, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStoreIndexLock) lock = NULL;
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected = g_strdup_printf ("another index run (pid %ld) is using this library",
                                               (long) getpid ());

  g_assert_nonnull (other);
  lock = cs_store_lock_indexing (other, &error);
  g_assert_no_error (error);
  g_signal_connect (fx->indexer, "failed", G_CALLBACK (on_failed_cb), failures);
  run_once (fx);
  g_assert_error (fx->error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (fx->error->message, ==, expected);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_cmpstr (failures->pdata[0], ==, expected);
  g_assert_cmpuint (fx->n_finished, ==, 0);
  g_assert_cmpint (cs_store_count_photos (other, &error), ==, 0);

  g_clear_pointer (&lock, cs_store_index_lock_free);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_cmpint (count_vectors (fx->db), ==, (gint64) n);
}

/* A nearly grey JPEG with strong per-pixel noise, big enough that the
 * indexer decodes it larger (at least twice the model's input) than the
 * duplicate search does for a photo without the statistic (at least 32
 * pixels): downscaling averages the noise away, so a statistic taken on
 * the decoded pixels differs between the two. */
static void
write_noisy_grey (const char *path,
                  int         width,
                  int         height)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  guint8 *pixels = gdk_pixbuf_get_pixels (pb);
  int stride = gdk_pixbuf_get_rowstride (pb);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        int v = 128 + g_rand_int_range (rand, -60, 61);

        for (int c = 0; c < 3; c++)
          pixels[(gsize) y * stride + x * 3 + c] = (guint8) v;
      }
  g_assert_true (gdk_pixbuf_save (pb, path, "jpeg", &error, "quality", "98", NULL));
  g_assert_no_error (error);
}

/* The blank statistic the indexer stores (from its decode) and the one
 * the duplicate search computes lazily for older photos (from a small
 * decode) agree: the nearly blank test judges a photo the same whichever
 * path measured it. */
static void
test_blank_statistic_scale (Fixture      *fx,
                            gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->photos, "noisy-grey.jpg", NULL);
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsStorePhoto) photo = NULL;
  g_autoptr(GError) error = NULL;
  double indexed = -1, lazy;

  write_noisy_grey (path, 800, 600);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, 1);
  store = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  photo = cs_store_lookup_photo (store, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (photo);
  g_assert_true (cs_store_get_photo_blank_stddev (store, photo->id, &indexed, &error));
  g_assert_no_error (error);
  lazy = cs_blank_file_stddev (path);
  g_test_message ("blank statistic: %.3f from indexing, %.3f from the lazy decode", indexed, lazy);
  g_assert_cmpfloat (lazy, >=, 0);
  g_assert_cmpfloat_with_epsilon (indexed, lazy, 0.25);
  g_assert_cmpint (indexed < CS_BLANK_STDDEV, ==, lazy < CS_BLANK_STDDEV);
}

/* A photo that does not decode is a CsIndexFailure of the run: its path,
 * a reason without the path, its size and mtime; the boxed copy and
 * g_autoptr work on it. */
static void
test_index_failure (Fixture      *fx,
                    gconstpointer data)
{
  g_autofree char *corrupt = g_build_filename (fx->photos, "corrupt.jpg", NULL);
  static const char junk[] = "\xff\xd8\xff\xe0 this is not a JPEG at all";
  g_autoptr(CsIndexFailure) copy = NULL;
  const CsIndexFailure *f;
  GStatBuf st;

  copy_photos (fx->photos, 1, 2);
  g_assert_true (g_file_set_contents (corrupt, junk, sizeof junk - 1, NULL));
  g_assert_cmpint (g_stat (corrupt, &st), ==, 0);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->failed, ==, 1);
  g_assert_cmpuint (fx->summary->failures->len, ==, 1);
  f = fx->summary->failures->pdata[0];
  g_assert_cmpstr (f->path, ==, corrupt);
  g_assert_nonnull (f->reason);
  g_assert_cmpuint (strlen (f->reason), >, 0);
  g_assert_null (strstr (f->reason, corrupt));
  g_assert_cmpint (f->size, ==, (gint64) sizeof junk - 1);
  g_assert_cmpint (f->mtime_us / G_USEC_PER_SEC, ==, (gint64) st.st_mtime);

  copy = g_boxed_copy (CS_TYPE_INDEX_FAILURE, f);
  g_assert_true (copy != f);
  g_assert_cmpstr (copy->path, ==, f->path);
  g_assert_cmpstr (copy->reason, ==, f->reason);
  g_assert_cmpint (copy->size, ==, f->size);
  g_assert_cmpint (copy->mtime_us, ==, f->mtime_us);
  cs_index_failure_free (NULL);
}

static void
on_batch_flag_cb (CsIndexer *indexer,
                  gpointer   data)
{
  *(gboolean *) data = TRUE;
}

/* Disposing the indexer during a run cancels the run: dispose returns at
 * once, the caller hears G_IO_ERROR_CANCELLED within seconds, the
 * indexer is then finalized, and what was committed is whole (every row
 * with its vector) and picked up by the next run. */
static void
test_dispose_cancels (Fixture      *fx,
                      gconstpointer data)
{
  guint n = copy_photos (fx->photos, 8, 0);
  gboolean batch = FALSE;
  CsIndexer *weak = fx->indexer;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsIndexer) next = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, committed, photos;

  g_signal_connect (fx->indexer, "batch-committed", G_CALLBACK (on_batch_flag_cb), &batch);
  cs_indexer_rescan_async (fx->indexer, NULL, on_rescan_cb, fx);
  iterate_until (&batch, 300);
  g_assert_false (fx->done);

  t0 = g_get_monotonic_time ();
  g_object_run_dispose (G_OBJECT (fx->indexer));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC / 2);
  iterate_until (&fx->done, 10);
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (fx->summary);
  g_test_message ("cancelled %.2f s after the dispose", (g_get_monotonic_time () - t0) / 1e6);

  /* nothing holds it any more: the job's task has no reference */
  g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
  g_clear_object (&fx->indexer);
  g_assert_null (weak);

  committed = count_vectors (fx->db);
  store = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  photos = cs_store_count_photos (store, &error);
  g_assert_no_error (error);
  g_test_message ("disposed with %" G_GINT64_FORMAT " of %u committed", committed, n);
  g_assert_cmpint (committed, >, 0);
  g_assert_cmpint (committed, <, (gint64) n);
  g_assert_cmpint (photos, ==, committed);
  g_clear_object (&store);

  next = cs_indexer_new (fx->db, toy_model);
  g_clear_error (&fx->error);
  fx->done = FALSE;
  cs_indexer_rescan_async (next, NULL, on_rescan_cb, fx);
  iterate_until (&fx->done, 300);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n - (guint64) committed);
  g_assert_cmpuint (fx->summary->unchanged, ==, (guint64) committed);
}

/* clipsight-cli (built next to the tests) with `args`; its stdout. */
static char *
run_cli (const char *const *args)
{
  g_autofree char *cli = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "src", "cli",
                                           "clipsight-cli", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, cli);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", cli, args[0], err);
  return g_steal_pointer (&out);
}

/* The included folders `clipsight-cli status --json` lists. */
static GStrv
cli_status_folders (const char *db)
{
  const char *args[] = { "status", "--database", db, "--json", NULL };
  g_autofree char *out = run_cli (args);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *folders;

  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  folders = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "folders");
  for (guint i = 0; i < json_array_get_length (folders); i++)
    g_strv_builder_add (builder, json_array_get_string_element (folders, i));
  return g_strv_builder_end (builder);
}

static void
on_folders_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Fixture *fx = data;
  g_assert_true (cs_indexer_load_folders_finish (CS_INDEXER (source), result, &fx->error));
  fx->done = TRUE;
}

static void
on_folders_changed_count_cb (CsIndexer *indexer,
                             gpointer   data)
{
  (*(guint *) data)++;
}

/* The store is the one home of the folders: one indexed with
 * clipsight-cli shows in a CsIndexer (the app's list), and one removed
 * through a CsIndexer leaves clipsight-cli's list and the index. */
static void
test_folders_shared (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  const char *index_args[] = { "index", "--database", db, "--model", toy_model, "--json", photos, NULL };
  g_autofree char *out = NULL;
  g_autoptr(CsIndexer) indexer = NULL;
  g_auto(GStrv) listed = NULL;
  Fixture fx = { 0, };
  guint n, changes = 0;

  g_mkdir_with_parents (photos, 0755);
  n = copy_photos (photos, 1, 3);
  out = run_cli (index_args);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "added"),
                     ==, n);
  }

  indexer = cs_indexer_new (db, toy_model);
  g_signal_connect (indexer, "folders-changed", G_CALLBACK (on_folders_changed_count_cb), &changes);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 0);
  cs_indexer_load_folders_async (indexer, NULL, on_folders_loaded_cb, &fx);
  iterate_until (&fx.done, 60);
  g_assert_no_error (fx.error);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 1);
  g_assert_cmpstr (cs_indexer_get_folders (indexer, FALSE)[0], ==, photos);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, TRUE)), ==, 0);

  /* shown at once, written by the next run, which drops its photos */
  cs_indexer_remove_folder (indexer, photos);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 0);
  listed = cli_status_folders (db);
  g_assert_true (g_strv_contains ((const char *const *) listed, photos));
  g_clear_pointer (&listed, g_strfreev);

  fx.done = FALSE;
  cs_indexer_rescan_async (indexer, NULL, on_rescan_cb, &fx);
  iterate_until (&fx.done, 300);
  g_assert_no_error (fx.error);
  g_assert_cmpuint (fx.summary->removed, ==, n);
  g_assert_cmpuint (g_strv_length ((char **) cs_indexer_get_folders (indexer, FALSE)), ==, 0);
  listed = cli_status_folders (db);
  g_assert_cmpuint (g_strv_length (listed), ==, 0);
  g_assert_cmpint (count_vectors (db), ==, 0);

  g_clear_pointer (&fx.summary, cs_index_summary_free);
  g_clear_object (&indexer);
  test_rm_rf (dir);
}

/* Folder changes show in the indexer's view at once, and the view a run
 * leaves is the store's: an excluded folder, un-excluded by removing it. */
static void
test_folders_view (Fixture      *fx,
                   gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fx->photos, "set0", NULL);
  g_autofree char *with_slash = g_strconcat (sub, "/", NULL);
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) excluded = NULL;
  g_autoptr(GError) error = NULL;
  guint n = copy_photos (fx->photos, 2, 2), changes = 0;
  const char *const *inc;

  g_signal_connect (fx->indexer, "folders-changed", G_CALLBACK (on_folders_changed_count_cb), &changes);
  inc = cs_indexer_get_folders (fx->indexer, FALSE);
  g_assert_cmpuint (g_strv_length ((char **) inc), ==, 1);
  g_assert_cmpstr (inc[0], ==, fx->photos);

  /* canonicalised: the trailing '/' goes */
  cs_indexer_exclude_folder (fx->indexer, with_slash);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpstr (cs_indexer_get_folders (fx->indexer, TRUE)[0], ==, sub);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n / 2);
  g_assert_cmpstr (cs_indexer_get_folders (fx->indexer, FALSE)[0], ==, fx->photos);
  g_assert_cmpstr (cs_indexer_get_folders (fx->indexer, TRUE)[0], ==, sub);
  store = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  excluded = cs_store_list_folders (store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (excluded->len, ==, 1);
  g_assert_cmpstr (excluded->pdata[0], ==, sub);
  g_clear_object (&store);

  /* removing the exclusion un-excludes: its photos join at the next run */
  cs_indexer_remove_folder (fx->indexer, sub);
  g_assert_null (cs_indexer_get_folders (fx->indexer, TRUE)[0]);
  g_assert_cmpstr (cs_indexer_get_folders (fx->indexer, FALSE)[0], ==, fx->photos);
  run_once (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpuint (fx->summary->added, ==, n / 2);
  g_assert_null (cs_indexer_get_folders (fx->indexer, TRUE)[0]);
}

static void
test_no_model (void)
{
  g_autoptr(CsIndexer) indexer = cs_indexer_new ("/nonexistent/never-created.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsIndexSummary) s = cs_indexer_rescan (indexer, NULL, &error);

  g_assert_null (s);
  g_assert_error (error, CS_INDEXER_ERROR, CS_INDEXER_ERROR_NO_MODEL);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  g_test_add_func ("/library/indexer/no-model", test_no_model);
  g_test_add_func ("/library/indexer/folders-shared", test_folders_shared);
  g_test_add ("/library/indexer/async-run", Fixture, NULL, fixture_setup, test_async_run, fixture_teardown);
  g_test_add ("/library/indexer/queued-runs", Fixture, NULL, fixture_setup, test_queued_runs, fixture_teardown);
  g_test_add ("/library/indexer/pause-resume", Fixture, NULL, fixture_setup, test_pause_resume, fixture_teardown);
  g_test_add ("/library/indexer/cancel-resume", Fixture, NULL, fixture_setup, test_cancel_and_resume, fixture_teardown);
  g_test_add ("/library/indexer/watching", Fixture, NULL, fixture_setup, test_watching, fixture_teardown);
  g_test_add ("/library/indexer/not-finite", Fixture, NULL, fixture_setup, test_not_finite, fixture_teardown);
  g_test_add ("/library/indexer/index-failure", Fixture, NULL, fixture_setup, test_index_failure, fixture_teardown);
  g_test_add ("/library/indexer/dispose-cancels", Fixture, NULL, fixture_setup, test_dispose_cancels, fixture_teardown);
  g_test_add ("/library/indexer/folders-view", Fixture, NULL, fixture_setup, test_folders_view, fixture_teardown);
  g_test_add ("/library/indexer/store-errors", Fixture, NULL, fixture_setup, test_store_errors, fixture_teardown);
  g_test_add ("/library/indexer/write-lock", Fixture, NULL, fixture_setup, test_write_lock, fixture_teardown);
  g_test_add ("/library/indexer/index-lock", Fixture, NULL, fixture_setup, test_index_lock, fixture_teardown);
  g_test_add ("/library/indexer/blank-statistic-scale", Fixture, NULL, fixture_setup,
              test_blank_statistic_scale, fixture_teardown);
  rc = g_test_run ();
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
