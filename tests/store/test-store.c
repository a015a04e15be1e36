/* test-store.c - the SQLite store: opening, schema, folders, failures,
 * settings, transactions, the index lock and read-only libraries.  The
 * other test-store-*.c files add the rest of the /store/store/ cases.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store-test-fixture.h"

/* Tests: opening and schema */

static void
test_default_path (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "clipsight",
                                                "library.db", NULL);

  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  store = cs_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_true (cs_store_add_folder (store, "/home/me/Pictures", FALSE, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Reopened: the data is still there. */
  store = cs_store_open (NULL, &error);
  g_assert_no_error (error);
  folders = cs_store_list_folders (store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  g_assert_cmpstr (folders->pdata[0], ==, "/home/me/Pictures");
}

static void
test_schema_fresh (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = NULL;
  int version;

  g_assert_cmpint (cs_store_schema_version_latest (), >=, 1);
  version = cs_store_get_schema_version (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, cs_store_schema_version_latest ());

  mode = cs_store_dup_journal_mode (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mode, ==, "wal");

  assert_integrity (fixture->store);

  /* Reopening an up-to-date file changes nothing. */
  g_clear_object (&fixture->store);
  fixture->store = open_store (fixture->path);
  version = cs_store_get_schema_version (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, cs_store_schema_version_latest ());
  g_test_message ("SQLite %s, schema %d", cs_store_sqlite_version (), version);
}

static void
test_schema_future (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;

  g_clear_object (&fixture->store);
  patch_header (fixture->path, 60, cs_store_schema_version_latest () + 1);

  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SCHEMA);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "database was written by a newer Clipsight"));
  g_test_message ("refused: %s", error->message);
}

static void
test_not_ours (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autofree char *garbage = g_build_filename (fixture->dir, "garbage.db", NULL);
  char bytes[4096];

  /* Another program's SQLite file. */
  g_clear_object (&fixture->store);
  patch_header (fixture->path, 68, 0x12345678);
  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN);
  g_assert_null (store);
  g_clear_error (&error);

  /* Tables but no Clipsight schema version. */
  patch_header (fixture->path, 68, 0);
  patch_header (fixture->path, 60, 0);
  store = cs_store_open (fixture->path, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_FOREIGN);
  g_assert_null (store);
  g_clear_error (&error);

  /* An empty file is a new database. */
  g_assert_true (g_file_set_contents (garbage, "", 0, NULL));
  store = open_store (garbage);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_no_errno (g_unlink (garbage));
  {
    g_autofree char *wal = g_strconcat (garbage, "-wal", NULL);
    g_autofree char *shm = g_strconcat (garbage, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }

  /* Not a database at all. */
  memset (bytes, 'x', sizeof bytes);
  g_assert_true (g_file_set_contents (garbage, bytes, sizeof bytes, NULL));
  store = cs_store_open (garbage, &error);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_test_message ("refused: %s", error->message);
}

/* Tests: folders, failures, settings */

static void
test_folders (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) included = NULL;
  g_autoptr(GPtrArray) excluded = NULL;

  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/media/\xe9t\xe9", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/home/me/Pictures/private", TRUE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/tmp/x", FALSE, &error));
  g_assert_true (cs_store_add_folder (fixture->store, "/tmp/x", TRUE, &error));
  g_assert_true (cs_store_remove_folder (fixture->store, "/tmp/x", &error));
  g_assert_true (cs_store_remove_folder (fixture->store, "/never/added", &error));
  g_assert_no_error (error);

  included = cs_store_list_folders (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (included->len, ==, 2);
  g_assert_cmpstr (included->pdata[0], ==, "/home/me/Pictures");
  g_assert_cmpstr (included->pdata[1], ==, "/media/\xe9t\xe9");
  excluded = cs_store_list_folders (fixture->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (excluded->len, ==, 1);
  g_assert_cmpstr (excluded->pdata[0], ==, "/home/me/Pictures/private");
}

static void
test_failures (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *reason = NULL;
  gint64 size = 0, mtime = 0;
  const char *bad = "/p/bad \xff.jpg";

  g_assert_false (cs_store_lookup_failure (fixture->store, bad, &size, &mtime, &reason, &error));
  g_assert_no_error (error);
  g_assert_null (reason);

  g_assert_true (cs_store_record_failure (fixture->store, bad, "truncated JPEG", 10, 20, &error));
  g_assert_true (cs_store_record_failure (fixture->store, "/p/other.png", "unknown format", 1, 2, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_lookup_failure (fixture->store, bad, &size, &mtime, &reason, &error));
  g_assert_cmpstr (reason, ==, "truncated JPEG");
  g_assert_cmpint (size, ==, 10);
  g_assert_cmpint (mtime, ==, 20);
  g_clear_pointer (&reason, g_free);

  /* Failing again after a change replaces the record. */
  g_assert_true (cs_store_record_failure (fixture->store, bad, "still broken", 11, 21, &error));
  g_assert_true (cs_store_lookup_failure (fixture->store, bad, &size, NULL, &reason, &error));
  g_assert_cmpstr (reason, ==, "still broken");
  g_assert_cmpint (size, ==, 11);

  list = cs_store_list_failures (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((CsStoreFailure *) list->pdata[0])->path, ==, bad);
  g_assert_cmpint (((CsStoreFailure *) list->pdata[0])->mtime_us, ==, 21);
  g_assert_cmpstr (((CsStoreFailure *) list->pdata[1])->reason, ==, "unknown format");

  g_assert_true (cs_store_clear_failure (fixture->store, bad, &error));
  g_assert_true (cs_store_clear_failure (fixture->store, bad, &error));
  g_assert_no_error (error);
  g_assert_false (cs_store_lookup_failure (fixture->store, bad, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_settings (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_null (cs_store_dup_setting (fixture->store, "model", &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_set_setting (fixture->store, "model", "clip-vit-b-32", &error));
  g_assert_true (cs_store_set_setting (fixture->store, "model", "clip-vit-l-14 ✓", &error));
  g_assert_true (cs_store_set_setting (fixture->store, "empty", "", &error));
  g_assert_no_error (error);
  value = cs_store_dup_setting (fixture->store, "model", &error);
  g_assert_cmpstr (value, ==, "clip-vit-l-14 ✓");
  g_clear_pointer (&value, g_free);
  value = cs_store_dup_setting (fixture->store, "empty", &error);
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);

  g_assert_true (cs_store_set_setting (fixture->store, "model", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_dup_setting (fixture->store, "model", &error));
  g_assert_no_error (error);
}

/* Tests: transactions */

static void
test_rollback (StoreFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 id;

  g_assert_false (cs_store_in_transaction (fixture->store));
  g_assert_true (cs_store_begin (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_in_transaction (fixture->store));
  id = add_photo (fixture->store, "/t/a.jpg", "aa");
  put_vector (fixture->store, id, model, 1);
  g_assert_true (cs_store_record_failure (fixture->store, "/t/b.jpg", "bad", 1, 1, &error));
  g_assert_true (cs_store_set_setting (fixture->store, "k", "v", &error));
  /* A failing step inside a batch leaves the batch open and intact. */
  g_assert_false (cs_store_move_photo (fixture->store, 4242, "/t/c.jpg", 1, &error));
  g_clear_error (&error);
  g_assert_true (cs_store_in_transaction (fixture->store));
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  cs_store_rollback (fixture->store);
  g_assert_false (cs_store_in_transaction (fixture->store));

  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 0);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, 0);
  g_assert_false (cs_store_lookup_failure (fixture->store, "/t/b.jpg", NULL, NULL, NULL, &error));
  g_assert_null (cs_store_dup_setting (fixture->store, "k", &error));
  g_assert_no_error (error);
  /* Rolling back with nothing open does nothing. */
  cs_store_rollback (fixture->store);

  /* And a committed batch is there, also for a second connection. */
  g_assert_true (cs_store_begin (fixture->store, &error));
  id = add_photo (fixture->store, "/t/a.jpg", "aa");
  put_vector (fixture->store, id, model, 1);
  g_assert_true (cs_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CsStore) other = open_store (fixture->path);

    g_assert_cmpint (cs_store_count_photos (other, &error), ==, 1);
    g_assert_cmpint (cs_store_count_vectors (other, model, &error), ==, 1);
    g_assert_no_error (error);
  }
}

static void
write_pid (int   fd,
           pid_t pid)
{
  char text[32];
  int n = g_snprintf (text, sizeof text, "%ld\n", (long) pid);

  g_assert_cmpint (ftruncate (fd, 0), ==, 0);
  g_assert_cmpint (pwrite (fd, text, n, 0), ==, n);
}

/* empties the lock file, then writes this process's pid 20 ms later, as
 * a holder between its flock and its pid */
static gpointer
write_own_pid_later (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);

  g_assert_cmpint (ftruncate (fd, 0), ==, 0);
  g_usleep (20000);
  write_pid (fd, getpid ());
  return NULL;
}

/* One index run per database: the second lock is refused, naming the
 * holder's pid, in the same process (another open file) as in another;
 * freeing it, or the holder dying, lets the next one in. */
static void
test_index_lock (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) other = open_store (fixture->path);
  g_autoptr(CsStoreIndexLock) lock = cs_store_lock_indexing (fixture->store, &error);
  g_autofree char *expected = g_strdup_printf ("another index run (pid %ld) is using this library",
                                               (long) getpid ());
  g_autofree char *lock_path = NULL;
  CsStoreIndexLock *second;
  GThread *writer;
  pid_t child;
  int status, pipe_fds[2], lock_fd;
  char byte;

  g_assert_no_error (error);
  g_assert_nonnull (lock);
  second = cs_store_lock_indexing (other, &error);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&lock, cs_store_index_lock_free);
  second = cs_store_lock_indexing (other, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  cs_store_index_lock_free (second);

  /* read between a holder's flock and its pid: a previous run's pid, its
   * process gone, is not named; the holder's, written a moment later, is */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  lock_path = g_strconcat (fixture->path, ".index-lock", NULL);
  lock_fd = open (lock_path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (lock_fd, >=, 0);
  g_assert_cmpint (flock (lock_fd, LOCK_EX | LOCK_NB), ==, 0);
  write_pid (lock_fd, child);
  second = cs_store_lock_indexing (other, &error);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, "another index run is using this library");
  g_clear_error (&error);
  writer = g_thread_new ("pid-writer", write_own_pid_later, GINT_TO_POINTER (lock_fd));
  second = cs_store_lock_indexing (other, &error);
  g_thread_join (writer);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  close (lock_fd);

  /* a holder killed with SIGKILL leaves no lock behind */
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      CsStore *store = cs_store_open (fixture->path, NULL);
      CsStoreIndexLock *held = store != NULL ? cs_store_lock_indexing (store, NULL) : NULL;

      byte = held != NULL ? 'y' : 'n';
      if (write (pipe_fds[1], &byte, 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (pipe_fds[1]);
  g_assert_cmpint (read (pipe_fds[0], &byte, 1), ==, 1);
  close (pipe_fds[0]);
  g_assert_cmpint (byte, ==, 'y');
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("another index run (pid %ld) is using this library", (long) child);
  second = cs_store_lock_indexing (other, &error);
  g_assert_null (second);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  kill (child, SIGKILL);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  second = cs_store_lock_indexing (other, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  cs_store_index_lock_free (second);
}

/* A library in a folder this process cannot write: it opens read-only
 * (WAL would need to create -shm there), reads work, writes fail. */
static void
test_read_only_folder (StoreFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *value = NULL;
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  if (geteuid () == 0)
    {
      g_test_skip ("root writes every folder (tests/cli/test_index.py covers it as nobody)");
      return;
    }
  store = open_store (fixture->path);
  g_assert_true (cs_store_add_folder (store, "/photos", FALSE, &error));
  g_assert_true (cs_store_set_setting (store, "k", "v", &error));
  g_assert_false (cs_store_is_read_only (store));
  g_clear_object (&store);
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (fixture->dir, 0555), ==, 0);

  store = cs_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_is_read_only (store));
  folders = cs_store_list_folders (store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);
  value = cs_store_dup_setting (store, "k", &error);
  g_assert_cmpstr (value, ==, "v");
  g_assert_false (cs_store_set_setting (store, "k", "w", &error));
  g_assert_nonnull (error);
  g_clear_object (&store);
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (fixture->dir, 0700), ==, 0);
}

/* GLib 2.74's g_set_user_dirs(), which G_TEST_OPTION_ISOLATE_DIRS calls
 * before each test, never frees the directories it replaces (callers may
 * still hold them).  These two hooks, read by the sanitizers only when
 * they are linked in, suppress exactly that leak: the suppression needs
 * the full stack (GLib has no frame pointers, so the fast unwinder stops at
 * g_malloc), and the store's own allocations stay checked.  ASAN_OPTIONS
 * in the environment still overrides them. */
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_set_user_dirs\n";
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  STORE_TEST_ADD ("default-path", setup_dir, test_default_path);
  STORE_TEST_ADD ("schema-fresh", setup_store, test_schema_fresh);
  STORE_TEST_ADD ("schema-future", setup_store, test_schema_future);
  STORE_TEST_ADD ("not-ours", setup_store, test_not_ours);
  store_test_add_photos ();
  store_test_add_vectors ();
  STORE_TEST_ADD ("folders", setup_store, test_folders);
  STORE_TEST_ADD ("failures", setup_store, test_failures);
  STORE_TEST_ADD ("settings", setup_store, test_settings);
  STORE_TEST_ADD ("rollback", setup_store, test_rollback);
  store_test_add_processes ();
  STORE_TEST_ADD ("read-only-folder", setup_dir, test_read_only_folder);
  STORE_TEST_ADD ("index-lock", setup_store, test_index_lock);

  return g_test_run ();
}
