/* test-store-processes.c - the store under other processes: writers
 * killed with SIGKILL mid-batch, two writers at once.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store-test-fixture.h"

/* Tests: processes.  The children use only their own connection, opened
 * after fork (an SQLite connection must not cross a fork), and leave with
 * _exit() so nothing of the test harness runs twice. */

#define CRASH_ROUNDS 20
#define CRASH_BATCH 40
#define CRASH_MAX_BATCHES 100000

static char *
crash_path (int round,
            int batch,
            int i)
{
  return g_strdup_printf ("/crash/r%02d/b%06d/p%03d.jpg", round, batch, i);
}

static void G_GNUC_NORETURN
child_fail (const char *what,
            GError     *error)
{
  fprintf (stderr, "child %d: %s: %s\n", (int) getpid (), what, error ? error->message : "?");
  _exit (1);
}

/* Writes batches of CRASH_BATCH photos and their vectors, one transaction
 * each, until killed.  Reports on `fd` -(b + 1) once batch b's transaction
 * is open and b once it is committed. */
static void G_GNUC_NORETURN
crash_child (const char *db,
             int         round,
             int         fd)
{
  GError *error = NULL;
  CsStore *store = cs_store_open (db, &error);
  gint64 model;

  if (store == NULL)
    child_fail ("open", error);
  model = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);
  if (model < 0)
    child_fail ("model", error);

  for (gint32 batch = 0; batch < CRASH_MAX_BATCHES; batch++)
    {
      gint32 opened = -(batch + 1);

      if (!cs_store_begin (store, &error))
        child_fail ("begin", error);
      if (write (fd, &opened, sizeof opened) != sizeof opened)
        _exit (2);
      for (int i = 0; i < CRASH_BATCH; i++)
        {
          g_autofree char *path = crash_path (round, batch, i);
          CsStorePhoto photo = { .path = path, .size = batch, .mtime_us = i, .hash = (char *) "ff" };
          float v[DIM];
          gint64 id = cs_store_upsert_photo (store, &photo, &error);

          if (id < 0)
            child_fail ("upsert", error);
          fill_vector (v, round, batch, i);
          if (!cs_store_put_vector (store, id, model, v, DIM, &error))
            child_fail ("vector", error);
        }
      if (!cs_store_commit (store, &error))
        child_fail ("commit", error);
      if (write (fd, &batch, sizeof batch) != sizeof batch)
        _exit (2);
    }
  _exit (0);
}

static gboolean
count_cb (const CsStorePhoto *photo,
          gpointer            user_data)
{
  (*(gint64 *) user_data)++;
  return TRUE;
}

static gint64
count_under (CsStore    *store,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 0;

  g_assert_true (cs_store_foreach_photo (store, folder, count_cb, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* Every photo of a batch, with its exact vector. */
static void
assert_batch_complete (CsStore *store,
                       gint64   model,
                       int      round,
                       int      batch)
{
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < CRASH_BATCH; i++)
    {
      g_autofree char *path = crash_path (round, batch, i);
      g_autoptr(CsStorePhoto) photo = cs_store_lookup_photo (store, path, &error);
      g_autofree float *v = NULL;
      float expected[DIM];
      int dim = 0;

      g_assert_no_error (error);
      g_assert_nonnull (photo);
      v = cs_store_dup_vector (store, photo->id, model, &dim, &error);
      g_assert_no_error (error);
      g_assert_nonnull (v);
      fill_vector (expected, round, batch, i);
      g_assert_cmpmem (v, dim * sizeof (float), expected, sizeof expected);
    }
}

static void
test_crash_sigkill (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(CsStore) first = NULL;
  gint64 model;
  int total_reported = 0, total_found = 0, n_unreported = 0, n_early = 0, n_open_at_kill = 0;

  /* Created once by the parent, so every round also recovers the previous
   * round's interrupted WAL. */
  first = open_store (fixture->path);
  model = ensure_model (first);
  g_clear_object (&first);

  for (int round = 0; round < CRASH_ROUNDS; round++)
    {
      g_autoptr(CsStore) store = NULL;
      g_autofree char *folder = g_strdup_printf ("/crash/r%02d", round);
      int target = g_test_rand_int_range (0, 12);
      int delay_us = g_test_rand_int_range (0, 4000);
      int fds[2];
      int last = -1;
      gboolean open_at_kill;
      gint32 batch;
      gint64 n_found;
      int status = 0;
      pid_t pid;

      g_assert_no_errno (pipe (fds));
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_child (fixture->path, round, fds[1]);
        }
      close (fds[1]);

      /* Let it commit `target` batches, then kill it somewhere in the
       * next ones: mid-statement, mid-commit, mid-checkpoint.  One round
       * in four kills it early instead, while it opens the file (WAL
       * recovery, setup) or writes its first batch. */
      if (g_test_rand_int_range (0, 4) == 0)
        n_early++;
      else
        while (last < target && read (fds[0], &batch, sizeof batch) == sizeof batch)
          last = batch >= 0 ? batch : last;
      g_usleep (delay_us);
      g_assert_no_errno (kill (pid, SIGKILL));
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      /* The rest of the reports: was a transaction open at the kill? */
      open_at_kill = FALSE;
      while (read (fds[0], &batch, sizeof batch) == sizeof batch)
        {
          if (batch < 0)
            {
              g_assert_cmpint (-batch - 1, ==, last + 1);
              open_at_kill = TRUE;
            }
          else
            {
              g_assert_cmpint (batch, ==, last + 1);
              last = batch;
              open_at_kill = FALSE;
            }
        }
      close (fds[0]);
      n_open_at_kill += open_at_kill;

      store = open_store (fixture->path);
      assert_integrity (store);
      for (int b = 0; b <= last; b++)
        assert_batch_complete (store, model, round, b);
      /* The batch in flight is all there (committed, not yet reported) or
       * not at all. */
      n_found = count_under (store, folder);
      g_assert_cmpint (n_found % CRASH_BATCH, ==, 0);
      g_assert_cmpint (n_found / CRASH_BATCH, >=, last + 1);
      g_assert_cmpint (n_found / CRASH_BATCH, <=, last + 2);
      if (n_found / CRASH_BATCH == last + 2)
        {
          assert_batch_complete (store, model, round, last + 1);
          n_unreported++;
        }
      g_assert_cmpint (cs_store_count_vectors (store, model, NULL), ==,
                       cs_store_count_photos (store, NULL));
      total_reported += last + 1;
      total_found += n_found / CRASH_BATCH;
    }

  g_test_message ("%d SIGKILL rounds: %d batches of %d photos + %d-d vectors reported committed, "
                  "%d found (%d committed but killed before reporting); %d kills inside an open "
                  "transaction, %d early (0-4 ms after fork); integrity ok after every round",
                  CRASH_ROUNDS, total_reported, CRASH_BATCH, DIM, total_found, n_unreported,
                  n_open_at_kill, n_early);
}

#define WRITERS 2
#define WRITER_PHOTOS 300
#define WRITER_BATCH 25
#define WRITER_PASSES 3

/* Upserts every photo of a shared set (in an order of its own) with its
 * vector, alternating transactions and autocommit writes, plus a failure
 * and a setting per batch. */
static void G_GNUC_NORETURN
writer_child (const char *db,
              int         who,
              int         barrier)
{
  GError *error = NULL;
  CsStore *store;
  gint64 model;
  char go;

  /* Start together: the parent closes the barrier's write end. */
  if (read (barrier, &go, 1) != 0)
    _exit (3);
  store = cs_store_open (db, &error);
  if (store == NULL)
    child_fail ("open", error);
  model = cs_store_ensure_model (store, "sha256:test-model", "test/model", DIM, "f32", &error);
  if (model < 0)
    child_fail ("model", error);

  for (int pass = 0; pass < WRITER_PASSES; pass++)
    for (int start = 0; start < WRITER_PHOTOS; start += WRITER_BATCH)
      {
        gboolean batched = (start / WRITER_BATCH + who) % 2 == 0;
        g_autofree char *value = g_strdup_printf ("writer %d pass %d", who, pass);

        if (batched && !cs_store_begin (store, &error))
          child_fail ("begin", error);
        for (int k = start; k < start + WRITER_BATCH && k < WRITER_PHOTOS; k++)
          {
            int i = who == 0 ? k : WRITER_PHOTOS - 1 - k;
            g_autofree char *path = g_strdup_printf ("/shared/%04d.jpg", i);
            CsStorePhoto photo = { .path = path, .size = i, .mtime_us = pass, .hash = (char *) "ab" };
            float v[DIM];
            gint64 id = cs_store_upsert_photo (store, &photo, &error);

            if (id < 0)
              child_fail ("upsert", error);
            fill_vector (v, i, 0, 0);
            if (!cs_store_put_vector (store, id, model, v, DIM, &error))
              child_fail ("vector", error);
          }
        if (!cs_store_record_failure (store, "/shared/bad.jpg", value, start, pass, &error))
          child_fail ("failure", error);
        if (!cs_store_set_setting (store, "last-writer", value, &error))
          child_fail ("setting", error);
        if (batched && !cs_store_commit (store, &error))
          child_fail ("commit", error);
      }
  g_object_unref (store);
  _exit (0);
}

static gboolean
collect_unique_cb (const CsStorePhoto *photo,
                   gpointer            user_data)
{
  g_hash_table_add (user_data, g_strdup (photo->path));
  return TRUE;
}

static void
test_two_writers (StoreFixture  *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GHashTable) unique = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) failures = NULL;
  pid_t pids[WRITERS];
  int barrier[2];
  gint64 model;
  gint64 n_photos;

  /* The file does not exist yet: the writers race to create and migrate
   * it too. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_assert_no_errno (pipe (barrier));
  for (int w = 0; w < WRITERS; w++)
    {
      pids[w] = fork ();
      g_assert_cmpint (pids[w], >=, 0);
      if (pids[w] == 0)
        {
          close (barrier[1]);
          writer_child (fixture->path, w, barrier[0]);
        }
    }
  close (barrier[0]);
  close (barrier[1]);

  for (int w = 0; w < WRITERS; w++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[w], &status, 0), ==, pids[w]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  store = open_store (fixture->path);
  assert_integrity (store);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  model = cs_store_lookup_model (store, "sha256:test-model", NULL, &error);
  g_assert_cmpint (model, >, 0);
  n_photos = cs_store_count_photos (store, &error);
  g_assert_true (cs_store_foreach_photo (store, NULL, collect_unique_cb, unique, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_photos, ==, WRITER_PHOTOS);
  g_assert_cmpuint (g_hash_table_size (unique), ==, WRITER_PHOTOS);
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, WRITER_PHOTOS);
  failures = cs_store_list_failures (store, &error);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_no_error (error);

  g_test_message ("%d writers x %d passes over %d shared paths (%d upserts + vectors in all, "
                  "half in %d-photo transactions, half autocommit), racing to create the file: "
                  "%" G_GINT64_FORMAT " rows, %u distinct paths, integrity ok",
                  WRITERS, WRITER_PASSES, WRITER_PHOTOS, WRITERS * WRITER_PASSES * WRITER_PHOTOS,
                  WRITER_BATCH, n_photos, g_hash_table_size (unique));
}

void
store_test_add_processes (void)
{
  STORE_TEST_ADD ("crash-sigkill", setup_dir, test_crash_sigkill);
  STORE_TEST_ADD ("two-writers", setup_dir, test_two_writers);
}
