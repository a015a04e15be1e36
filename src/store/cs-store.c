/* cs-store.c - the CsStore object: opening the database, its settings,
 * transactions and savepoints, the indexing lock.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-store"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-store-private.h"

/* Long enough for another process's batch (a few hundred photos and their
 * vectors) to commit; short enough that a stuck writer is reported. */
#define BUSY_TIMEOUT_MS 10000

/* The WAL file is truncated back to this after a checkpoint, so a burst of
 * writes does not leave a large file behind. */
#define JOURNAL_SIZE_LIMIT "67108864"

static void cs_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsStore, cs_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      cs_store_initable_iface_init))

G_DEFINE_QUARK (cs-store-error-quark, cs_store_error)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Runs one of the statements that take no value and return no row. */
static gboolean
run_simple (CsStore    *self,
            Stmt        id,
            const char *what,
            GError    **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "%s", what);
  return TRUE;
}

gboolean
_cs_store_savepoint_begin (CsStore  *self,
                           GError  **error)
{
  return run_simple (self, STMT_SAVEPOINT, "cannot start a change", error);
}

/* Ends what _cs_store_savepoint_begin() started: keeps it when `ok`,
 * else undoes it (leaving a caller's enclosing transaction open and
 * intact). */
gboolean
_cs_store_savepoint_end (CsStore   *self,
                         gboolean   ok,
                         GError   **error)
{
  if (ok)
    {
      if (run_simple (self, STMT_RELEASE, "cannot finish a change", error))
        return TRUE;
    }
  /* Best effort: SQLite may already have rolled the whole transaction
   * back, and then the savepoint is gone too. */
  if (!sqlite3_get_autocommit (self->db))
    {
      run_simple (self, STMT_ROLLBACK_TO, "cannot undo a change", NULL);
      run_simple (self, STMT_RELEASE, "cannot undo a change", NULL);
    }
  return FALSE;
}

static gboolean
query_text (sqlite3     *db,
            const char  *sql,
            char       **value,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot set up the database (%s)", sql);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
exec_setup (sqlite3     *db,
            const char  *sql,
            GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, db, rc, "cannot set up the database (%s)", sql);
      return FALSE;
    }
  return TRUE;
}

/* Connection settings.  Only constant SQL here.
 *
 * synchronous=NORMAL is safe in WAL mode: a commit appends to the WAL and
 * the WAL is synced at each checkpoint, so a killed process loses nothing
 * that was committed (the writes are in the kernel), and a power loss can
 * only drop the last transactions, never corrupt the file.  FULL would
 * buy durability against power loss at one fsync per batch. */
static gboolean
configure (CsStore  *self,
           GError  **error)
{
  g_autofree char *mode = NULL;
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_GINT64_CONSTANT (1000);

  /* Switching a new file to WAL needs an exclusive lock, and SQLite does
   * not wait for it (the busy handler is skipped to avoid a deadlock
   * between two connections that both hold a shared lock), so two
   * processes creating the library at once must retry here. */
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (query_text (self->db, "PRAGMA journal_mode = WAL", &mode, &local_error))
        break;
      if (!g_error_matches (local_error, CS_STORE_ERROR, CS_STORE_ERROR_BUSY) ||
          g_get_monotonic_time () > deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (g_random_int_range (1000, 10000));
    }
  if (g_ascii_strcasecmp (mode, "wal") != 0)
    g_warning ("%s: no WAL on this file system, using journal mode “%s”: readers will wait for writers",
               self->path, mode);

  return exec_setup (self->db, "PRAGMA synchronous = NORMAL", error) &&
         exec_setup (self->db, "PRAGMA foreign_keys = ON", error) &&
         exec_setup (self->db, "PRAGMA journal_size_limit = " JOURNAL_SIZE_LIMIT, error);
}

static gboolean
ensure_parent_dir (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *shown = _cs_store_display_path (dir);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create the folder %s: %s", shown, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* A database whose folder (or file) this process cannot write: in WAL
 * mode SQLite needs to create the -shm (and -wal) files next to it, so a
 * normal open fails even to read.  Opened read-only instead; with no -wal
 * file (every writer closed cleanly: the WAL was checkpointed into the
 * file) as immutable, which needs no -shm and no locks. */
static gboolean
wants_read_only (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_access (path, F_OK) != 0)
    return FALSE;
  return g_access (dir, W_OK) != 0 || g_access (path, W_OK) != 0;
}

static int
open_read_only (CsStore *self)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  g_autofree char *escaped = g_uri_escape_bytes ((const guint8 *) self->path, strlen (self->path), "/");
  gboolean has_wal = g_access (wal, F_OK) == 0;
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro%s", escaped, has_wal ? "" : "&immutable=1");

  self->read_only = TRUE;
  return sqlite3_open_v2 (uri, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
}

/* GInitable */

static gboolean
cs_store_initable_init (GInitable     *initable,
                        GCancellable  *cancellable,
                        GError       **error)
{
  CsStore *self = CS_STORE (initable);
  g_autofree char *shown = NULL;
  int rc;

  g_return_val_if_fail (self->db == NULL, FALSE);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "clipsight", "library.db", NULL);
  shown = _cs_store_display_path (self->path);

  if (wants_read_only (self->path))
    rc = open_read_only (self);
  else if (!ensure_parent_dir (self->path, error))
    return FALSE;
  else
    /* NOMUTEX: one thread at a time uses a connection (see the header), so
     * SQLite's per-connection mutex would be pure cost. */
    rc = sqlite3_open_v2 (self->path, &self->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                          NULL);
  if (rc != SQLITE_OK)
    {
      _cs_store_set_sqlite_error (error, self->db, rc, "cannot open the database %s", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (!_cs_store_register_functions (self->db, error))
    {
      g_prefix_error (error, "%s: ", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }

  if (self->read_only)
    {
      gint64 version = 0;

      if (!_cs_store_schema_check (self->db, error) ||
          !_cs_store_query_int (self->db, "PRAGMA user_version", &version, error) ||
          !exec_setup (self->db, "PRAGMA foreign_keys = ON", error))
        {
          g_prefix_error (error, "%s: ", shown);
          g_clear_pointer (&self->db, sqlite3_close_v2);
          return FALSE;
        }
      if (version != cs_store_schema_version_latest ())
        {
          g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SCHEMA,
                       "%s: the database is read-only (its folder or file cannot be written) "
                       "and needs upgrading from schema %" G_GINT64_FORMAT " to %d: open it once "
                       "where it can be written",
                       shown, version, cs_store_schema_version_latest ());
          g_clear_pointer (&self->db, sqlite3_close_v2);
          return FALSE;
        }
      return TRUE;
    }
  if (!_cs_store_schema_check (self->db, error) ||
      !configure (self, error) ||
      !_cs_store_schema_migrate (self->db, error))
    {
      g_prefix_error (error, "%s: ", shown);
      g_clear_pointer (&self->db, sqlite3_close_v2);
      return FALSE;
    }
  return TRUE;
}

static void
cs_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = cs_store_initable_init;
}

gboolean
cs_store_is_read_only (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), TRUE);
  return self->read_only;
}

/* GObject */

static void
cs_store_finalize (GObject *object)
{
  CsStore *self = CS_STORE (object);

  /* Statements first: closing with statements alive would leave the
   * connection a zombie. sqlite3_close_v2 rolls back an open transaction. */
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (cs_store_parent_class)->finalize (object);
}

static void
cs_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsStore *self = CS_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_store_class_init (CsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_store_finalize;
  object_class->get_property = cs_store_get_property;
  object_class->set_property = cs_store_set_property;

  /* The database file; NULL at construction means the default location,
   * and reading the property then gives the path chosen. */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_store_init (CsStore *self)
{
}

/* Public API: opening */

CsStore *
cs_store_open (const char  *path,
               GError     **error)
{
  g_return_val_if_fail (path == NULL || *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (CS_TYPE_STORE, NULL, error, "path", path, NULL);
}

const char *
cs_store_get_path (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  return self->path;
}

int
cs_store_get_schema_version (CsStore  *self,
                             GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), -1);

  stmt = _cs_store_use_stmt (self, STMT_USER_VERSION, error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot read the schema version");
      return -1;
    }
  return sqlite3_column_int (stmt, 0);
}

char *
cs_store_dup_journal_mode (CsStore  *self,
                           GError  **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);

  stmt = _cs_store_use_stmt (self, STMT_JOURNAL_MODE, error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot read the journal mode");
      return NULL;
    }
  return _cs_store_column_dup_text (stmt, 0);
}

static gboolean
check_foreign_keys (CsStore  *self,
                    GError  **error)
{
  g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_FOREIGN_KEY_CHECK, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* Columns: table, rowid, referred table, foreign key index. */
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                   "the database is inconsistent: row %" G_GINT64_FORMAT " of %s refers to a missing %s",
                   (gint64) sqlite3_column_int64 (stmt, 1),
                   (const char *) sqlite3_column_text (stmt, 0),
                   (const char *) sqlite3_column_text (stmt, 2));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return _cs_store_set_error (self, error, rc, "cannot check the database's references");
  return TRUE;
}

gboolean
cs_store_check_integrity (CsStore  *self,
                          GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto (StmtUse) stmt = _cs_store_use_stmt (self, STMT_INTEGRITY_CHECK, error);
    const char *first;
    int rc;

    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      return _cs_store_set_error (self, error, rc, "cannot check the database");
    first = (const char *) sqlite3_column_text (stmt, 0);
    if (g_strcmp0 (first, "ok") != 0)
      {
        g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_CORRUPT,
                     "the database is damaged: %s", first ? first : "(no reason)");
        return FALSE;
      }
  }
  return check_foreign_keys (self, error);
}

/* Public API: transactions */

gboolean
cs_store_begin (CsStore  *self,
                GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (sqlite3_get_autocommit (self->db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_simple (self, STMT_BEGIN, "cannot start a transaction", error);
}

gboolean
cs_store_commit (CsStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sqlite3_get_autocommit (self->db))
    {
      /* SQLite rolled the transaction back after an error the caller
       * ignored: committing now would report a batch that is not there. */
      g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID,
                   "cannot commit: no transaction is open (it was rolled back after an error)");
      return FALSE;
    }
  return run_simple (self, STMT_COMMIT, "cannot commit the transaction", error);
}

void
cs_store_rollback (CsStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CS_IS_STORE (self));

  if (sqlite3_get_autocommit (self->db))
    return;
  if (!run_simple (self, STMT_ROLLBACK, "cannot roll back the transaction", &error))
    g_warning ("%s", error->message);
}

gboolean
cs_store_in_transaction (CsStore *self)
{
  g_return_val_if_fail (CS_IS_STORE (self), FALSE);

  return !sqlite3_get_autocommit (self->db);
}

/* Public API: the indexing lock */

struct _CsStoreIndexLock {
  int fd;
};

CsStoreIndexLock *
cs_store_lock_indexing (CsStore  *self,
                        GError  **error)
{
  g_autofree char *lock_path = NULL;
  g_autofree char *shown = NULL;
  CsStoreIndexLock *lock;
  char pid_text[32];
  int fd, n;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lock_path = g_strconcat (self->path, ".index-lock", NULL);
  shown = _cs_store_display_path (lock_path);
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open the lock file %s: %s", shown, g_strerror (saved_errno));
      return NULL;
    }
  /* flock, not fcntl: it belongs to this open file, so an indexer in the
   * same process (the app's) and one in another conflict alike, and the
   * kernel drops it when the process dies, however it dies. */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      gint64 pid = 0;

      if (saved_errno == EINTR)
        continue;
      if (saved_errno == EWOULDBLOCK)
        {
          /* the holder writes its pid right after taking the lock: read
           * between the two, the file is empty or holds a previous run's
           * pid, whose process is gone; wait a little for the new one */
          for (int tries = 0; tries < 50; tries++)
            {
              n = pread (fd, pid_text, sizeof pid_text - 1, 0);
              pid_text[MAX (n, 0)] = '\0';
              pid = g_ascii_strtoll (pid_text, NULL, 10);
              if (pid > 0 && pid <= G_MAXINT && (kill ((pid_t) pid, 0) == 0 || errno == EPERM))
                break;
              pid = 0;
              g_usleep (4000);
            }
          if (pid > 0)
            g_set_error (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED,
                         "another index run (pid %" G_GINT64_FORMAT ") is using this library",
                         pid);
          else
            g_set_error_literal (error, CS_STORE_ERROR, CS_STORE_ERROR_LOCKED,
                                 "another index run is using this library");
        }
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "cannot lock %s: %s", shown, g_strerror (saved_errno));
      close (fd);
      return NULL;
    }

  n = g_snprintf (pid_text, sizeof pid_text, "%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid_text, n, 0) != n)
    g_debug ("%s: cannot write the pid: %s", shown, g_strerror (errno));
  lock = g_new0 (CsStoreIndexLock, 1);
  lock->fd = fd;
  return lock;
}

void
cs_store_index_lock_free (CsStoreIndexLock *lock)
{
  if (lock == NULL)
    return;
  /* the file stays: removing it would let a run that opened it just
   * before lock an unlinked file while the next one locks a new file */
  close (lock->fd);
  g_free (lock);
}

/* Public API: settings */

char *
cs_store_dup_setting (CsStore     *self,
                      const char  *key,
                      GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (_cs_store_injected_failure (G_STRFUNC, error))
    return NULL;

  stmt = _cs_store_use_stmt (self, STMT_SETTING_GET, error);
  if (stmt == NULL)
    return NULL;
  rc = _cs_store_bind_text (stmt, 1, key);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      _cs_store_set_error (self, error, rc, "cannot read the setting %s", key);
      return NULL;
    }
  return _cs_store_column_dup_text (stmt, 0);
}

gboolean
cs_store_set_setting (CsStore     *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  g_auto (StmtUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (CS_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _cs_store_use_stmt (self, value != NULL ? STMT_SETTING_SET : STMT_SETTING_UNSET, error);
  if (stmt == NULL)
    return FALSE;
  rc = _cs_store_bind_text (stmt, 1, key);
  if (rc == SQLITE_OK && value != NULL)
    rc = _cs_store_bind_text (stmt, 2, value);
  if (rc == SQLITE_OK)
    rc = _cs_store_step_done (stmt);
  if (rc != SQLITE_OK)
    return _cs_store_set_error (self, error, rc, "cannot change the setting %s", key);
  return TRUE;
}
