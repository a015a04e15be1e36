/* cs-store.h - the SQLite store of folders, photos, vectors, failures,
 * labels and settings.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One database file per user (by default
 * `$XDG_DATA_HOME/clipsight/library.db`).  This header is the contract:
 * no sqlite3_ name leaves src/store/.
 *
 * Threads: a CsStore wraps one SQLite connection and is used by one thread
 * at a time (it may be handed from one thread to another, never shared
 * concurrently).  Each thread that needs the database opens its own
 * CsStore; any number of them, in any number of processes, may use one
 * file at once.  Writers serialise (WAL mode, BEGIN IMMEDIATE and a 10 s
 * busy timeout), readers never wait for writers.
 *
 * Durability: every committed transaction survives the process being
 * killed at any moment.  On power loss the last few commits may be lost
 * (synchronous=NORMAL in WAL mode) but the file is never corrupted.
 *
 * Paths: file and folder paths are arbitrary bytes in the file system's
 * encoding (not necessarily UTF-8) and round-trip exactly; they are stored
 * as BLOBs and compared bytewise.
 *
 * Units: sizes in bytes; `mtime_us` in microseconds since the Unix epoch
 * (GLib's g_file_info_get_modification_date_time precision); `taken_unix`
 * in seconds since the Unix epoch.
 *
 * Ownership: arguments are borrowed for the call.  What a function
 * returns is the caller's, and its comment names the call that frees it:
 * "g_free it", "cs_store_photo_free it", "g_ptr_array_unref it" (the
 * array frees its elements), "g_array_unref it".  A `get_` function
 * returns borrowed data or a plain value, a `dup_` function a copy.  What
 * a callback receives is borrowed for the call: copy it to keep it.  Every
 * free function accepts NULL.
 *
 * Errors: runtime failures come back as CS_STORE_ERROR (or G_IO_ERROR when
 * the folder of the database cannot be created) with a FALSE/NULL/-1
 * return; the message names the operation and carries SQLite's reason,
 * e.g. "cannot store the vector of photo 12: database is locked".
 * Functions documented to return "NULL/FALSE without an error" when a row
 * is absent leave *error unset in that case, so check the error, not the
 * return value, to tell "absent" from "failed".  Passing NULL for the
 * store, a required string or a callback is a programmer error
 * (g_return_val_if_fail), not a runtime one.
 *
 * Callbacks (cs_store_foreach_*) run synchronously inside the call, on the
 * calling thread.  They may call any other function of the same store
 * except the same foreach function (the statement is in use; that is a
 * programmer error, reported with g_critical and an error).  Writing to
 * the rows being walked from inside the callback is allowed but whether
 * the walk then sees those changes is unspecified; collect, then write.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Errors and versions                                                */
/* ------------------------------------------------------------------ */

#define CS_STORE_ERROR (cs_store_error_quark ())
GQuark cs_store_error_quark (void);

typedef enum {
  CS_STORE_ERROR_SQLITE,   /* SQLite reported an error (I/O, constraint, ...) */
  CS_STORE_ERROR_SCHEMA,   /* the database was written by a newer Clipsight */
  CS_STORE_ERROR_BUSY,     /* another connection held the lock past the busy timeout */
  CS_STORE_ERROR_CORRUPT,  /* the file is damaged or not a database at all */
  CS_STORE_ERROR_FOREIGN,  /* the file is another program's SQLite database */
  CS_STORE_ERROR_INVALID,  /* a value the store cannot accept (wrong dimension, unknown model row) */
  CS_STORE_ERROR_EXISTS,   /* a unique name is taken (labels) */
  CS_STORE_ERROR_LOCKED,   /* another index run holds the library (cs_store_lock_indexing) */
} CsStoreError;

/* The SQLite library version in use, e.g. "3.40.1" (static, never free
 * it).  Any thread. */
const char *cs_store_sqlite_version (void);

/* The schema version this build writes (PRAGMA user_version of a fully
 * migrated database).  Any thread. */
int cs_store_schema_version_latest (void);

/* ------------------------------------------------------------------ */
/* Opening and the database                                           */
/* ------------------------------------------------------------------ */

#define CS_TYPE_STORE (cs_store_get_type ())
G_DECLARE_FINAL_TYPE (CsStore, cs_store, CS, STORE, GObject)

/* Opens (creating it if needed) the database at `path`, a file name in the
 * file system's encoding, or at the default location when `path` is NULL.
 * The folder holding it is created (mode 0700) when missing.  The schema
 * is migrated to cs_store_schema_version_latest(), each step in its own
 * transaction, safely against other processes opening the same file.
 * Also constructible with g_initable_new (CS_TYPE_STORE, ..., "path", p).
 *
 * Returns a new store (g_object_unref it; the last unref closes the
 * connection, rolling back an open transaction), or NULL with:
 * CS_STORE_ERROR_SCHEMA when the file was written by a newer Clipsight,
 * CS_STORE_ERROR_FOREIGN when it is another program's database,
 * CS_STORE_ERROR_CORRUPT when it is not a database, CS_STORE_ERROR_BUSY
 * when another process kept it locked, G_IO_ERROR when its folder cannot
 * be created.  Blocks (up to the busy timeout): not on the main thread. */
CsStore    *cs_store_open                  (const char  *path,
                                            GError     **error);

/* TRUE when the database was opened read-only because this process
 * cannot write its folder or its file (a library on read-only media, or
 * another user's): every read works, every write fails with
 * CS_STORE_ERROR_SQLITE.  A read-only database must already have the
 * latest schema (else CS_STORE_ERROR_SCHEMA at open). */
gboolean    cs_store_is_read_only          (CsStore     *self);

/* The database's file name (borrowed, valid as long as the store). */
const char *cs_store_get_path              (CsStore     *self);

/* The schema version of the open database (== latest once opened); -1
 * with an error on failure. */
int         cs_store_get_schema_version    (CsStore     *self,
                                            GError     **error);

/* The journal mode, e.g. "wal" (g_free it).  "wal" unless the file system
 * cannot share memory between processes, in which case open logs a
 * warning and the store runs in rollback-journal mode. */
char       *cs_store_dup_journal_mode      (CsStore     *self,
                                            GError     **error);

/* PRAGMA integrity_check reports "ok" and PRAGMA foreign_key_check reports
 * nothing.  Otherwise FALSE with CS_STORE_ERROR_CORRUPT naming the first
 * problem.  Reads the whole file: slow on a large library. */
gboolean    cs_store_check_integrity       (CsStore     *self,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Transactions                                                       */
/* ------------------------------------------------------------------ */

/* Writes outside a transaction commit one by one.  Batch them: begin,
 * write N photos and their vectors, commit.  A batch is all or nothing,
 * even when the process is killed.
 *
 * cs_store_begin() starts a write transaction at once (BEGIN IMMEDIATE),
 * waiting up to the busy timeout while another connection writes, so two
 * writers serialise instead of failing half way.  Transactions do not nest
 * (calling begin inside one is a programmer error).
 * cs_store_commit() makes the batch durable; when it fails the transaction
 * is still open: call cs_store_rollback().
 * cs_store_rollback() drops everything since begin; it does nothing
 * outside a transaction (so it is safe in every error path).  SQLite may
 * already have rolled back after some errors (disk full, I/O); rollback
 * still is the right call.
 * cs_store_in_transaction() tells whether one is open. */
gboolean    cs_store_begin                 (CsStore     *self,
                                            GError     **error);
gboolean    cs_store_commit                (CsStore     *self,
                                            GError     **error);
void        cs_store_rollback              (CsStore     *self);
gboolean    cs_store_in_transaction        (CsStore     *self);

/* ------------------------------------------------------------------ */
/* Settings: UTF-8 key → UTF-8 value, for what lives with the library  */
/* (not the app's GSettings).                                         */
/* ------------------------------------------------------------------ */

/* The keys of the model the vectors were made with: the indexer writes
 * them when a run adopts a model; the library, the command line and the
 * tests read them. */
#define CS_STORE_SETTING_ACTIVE_MODEL "active-model"  /* its model id */
#define CS_STORE_SETTING_MODEL_DIR    "model-dir"     /* its folder */
/* The model a model change is embedding with, until its vectors cover the
 * library (then it becomes the active one). */
#define CS_STORE_SETTING_BUILDING_MODEL     "building-model"      /* its model id */
#define CS_STORE_SETTING_BUILDING_MODEL_DIR "building-model-dir"  /* its folder */
/* The precision the last run encoded images in (clip_precision_name). */
#define CS_STORE_SETTING_INDEXED_PRECISION  "indexed-precision"
/* The outcome of a model's one-time precision check (cs-clip-runtime.c). */
#define CS_STORE_SETTING_PRECISION_CHECK    "precision-check"

/* The value of `key` (g_free it), or NULL without an error when unset. */
char       *cs_store_dup_setting           (CsStore     *self,
                                            const char  *key,
                                            GError     **error);
/* Sets `key`; a NULL value unsets it. */
gboolean    cs_store_set_setting           (CsStore     *self,
                                            const char  *key,
                                            const char  *value,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Folders the user chose: included ones are indexed, excluded ones    */
/* (below an included one) are skipped.                                */
/* ------------------------------------------------------------------ */

/* Adds `path` (or switches an existing folder to `excluded`). */
gboolean    cs_store_add_folder            (CsStore     *self,
                                            const char  *path,
                                            gboolean     excluded,
                                            GError     **error);
/* Forgets `path`; TRUE also when it was not there.  Photos below it stay
 * until the indexer removes them. */
gboolean    cs_store_remove_folder         (CsStore     *self,
                                            const char  *path,
                                            GError     **error);
/* The included (or excluded) folders' paths (char *), sorted bytewise
 * (g_ptr_array_unref it), or NULL with an error. */
GPtrArray  *cs_store_list_folders          (CsStore     *self,
                                            gboolean     excluded,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Models                                                             */
/* ------------------------------------------------------------------ */

/* Vectors are tagged with the model that made them, so a model change
 * re-embeds and never mixes.  `model_id` is a stable string the caller
 * derives from the model files (e.g. a hash of config and weights);
 * `name` is for people ("openai/clip-vit-base-patch32"); `dim` the
 * embedding dimension; `dtype` what the vectors were computed in ("f32",
 * "f16", ...), informational.
 *
 * Returns the model's row id (> 0), creating the row on first use.  The
 * name is updated when it changed.  The same `model_id` with another `dim`
 * or `dtype` is CS_STORE_ERROR_INVALID (a model id must describe one
 * model); -1 with an error on failure. */
gint64      cs_store_ensure_model          (CsStore     *self,
                                            const char  *model_id,
                                            const char  *name,
                                            int          dim,
                                            const char  *dtype,
                                            GError     **error);
/* The row of `model_id`, or 0 without an error when it has none; -1 with
 * an error on failure.  *dim (may be NULL) gets its dimension. */
gint64      cs_store_lookup_model          (CsStore     *self,
                                            const char  *model_id,
                                            int         *dim,
                                            GError     **error);
/* The row ids (gint64) of every model, increasing (g_array_unref it), or
 * NULL with an error. */
GArray     *cs_store_list_model_rows       (CsStore     *self,
                                            GError     **error);
/* Drops a model and every vector it made; TRUE also when absent. */
gboolean    cs_store_delete_model          (CsStore     *self,
                                            gint64       model_row,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Photos, keyed by path                                              */
/* ------------------------------------------------------------------ */

/* Values for CsStorePhoto.state.  The store keeps any int; these are the
 * meanings the indexer and the app agree on. */
typedef enum {
  CS_STORE_PHOTO_STATE_NEW     = 0, /* known, not embedded yet */
  CS_STORE_PHOTO_STATE_INDEXED = 1, /* embedded with the current model */
} CsStorePhotoState;

/* Values for CsStorePhoto.taken_source: where taken_unix came from. */
typedef enum {
  CS_STORE_TAKEN_UNKNOWN = 0, /* written before the store recorded it (schema < 6) */
  CS_STORE_TAKEN_CAPTURE = 1, /* the photo's own capture date (EXIF DateTimeOriginal, ...) */
  CS_STORE_TAKEN_FILE    = 2, /* the file's modification time: no capture date */
} CsStoreTakenSource;

typedef struct {
  gint64  id;          /* row id (> 0); ignored by cs_store_upsert_photo */
  char   *path;        /* file system encoding, not NULL */
  gint64  size;        /* bytes */
  gint64  mtime_us;    /* modification time, µs since the epoch */
  char   *hash;        /* partial content hash, lowercase hex, or NULL */
  int     width;       /* pixels, upright; 0 when unknown */
  int     height;
  gint64  taken_unix;  /* EXIF date taken (or mtime), s since the epoch */
  int     state;       /* a CsStorePhotoState */
  int     taken_source; /* a CsStoreTakenSource */
} CsStorePhoto;

/* Deep copy (cs_store_photo_free it) and free of a CsStorePhoto; the
 * store returns photos allocated this way. */
CsStorePhoto *cs_store_photo_copy          (const CsStorePhoto *photo);
void          cs_store_photo_free          (CsStorePhoto       *photo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStorePhoto, cs_store_photo_free)

/* The photo at `path` (cs_store_photo_free it), or NULL without an error
 * when there is none; NULL with an error on failure. */
CsStorePhoto *cs_store_lookup_photo        (CsStore     *self,
                                            const char  *path,
                                            GError     **error);
/* The photo with row id `id`, as above. */
CsStorePhoto *cs_store_dup_photo           (CsStore     *self,
                                            gint64       id,
                                            GError     **error);
/* Photos (CsStorePhoto *) whose content hash and size are `hash` and
 * `size`, candidates for a move or a copy, sorted by path, possibly none
 * (g_ptr_array_unref it); NULL with an error on failure. */
GPtrArray    *cs_store_find_photos_by_hash (CsStore     *self,
                                            const char  *hash,
                                            gint64       size,
                                            GError     **error);
/* Inserts the photo, or updates every field of the row with the same path
 * (never two rows for one path, even with several writers).  Returns the
 * row id (> 0), kept across updates; -1 with an error on failure.
 * When an update changes the hash, the photo's vectors are dropped: they
 * describe content that is gone. */
gint64        cs_store_upsert_photo        (CsStore            *self,
                                            const CsStorePhoto *photo,
                                            GError            **error);
/* Gives photo `id` a new path and mtime, keeping its row, vectors and
 * label feedback (a moved or renamed file).  A different photo already at
 * `new_path` is deleted first: the file there is now this one.  Moving a
 * photo that does not exist is CS_STORE_ERROR_INVALID. */
gboolean      cs_store_move_photo          (CsStore     *self,
                                            gint64       id,
                                            const char  *new_path,
                                            gint64       mtime_us,
                                            GError     **error);
/* Deletes photo `id` with its vectors and label feedback; TRUE also when
 * it was absent. */
gboolean      cs_store_delete_photo        (CsStore     *self,
                                            gint64       id,
                                            GError     **error);
/* Number of photos; -1 with an error on failure. */
gint64        cs_store_count_photos        (CsStore     *self,
                                            GError     **error);

/* The "blank statistic" of photo `id`: the largest per-channel standard
 * deviation of its pixels (0-255 scale), which tells a nearly one-colour
 * picture.  The indexer stores it from the decode it does anyway, so that
 * the duplicate search need not decode photos again.  Set:
 * CS_STORE_ERROR_INVALID for a negative or non-finite value; TRUE also
 * when the photo is absent.  Get: TRUE with *stddev set when known, FALSE
 * without an error when unknown (indexed before schema 3, or absent).
 * New content (another hash) forgets it, as it drops the vectors. */
gboolean      cs_store_set_photo_blank_stddev (CsStore  *self,
                                               gint64    id,
                                               double    stddev,
                                               GError  **error);
gboolean      cs_store_get_photo_blank_stddev (CsStore  *self,
                                               gint64    id,
                                               double   *stddev,
                                               GError  **error);

/* Return FALSE to stop the walk (not an error).  `photo` is borrowed for
 * the call: cs_store_photo_copy() it to keep it. */
typedef gboolean (*CsStorePhotoFunc) (const CsStorePhoto *photo,
                                      gpointer            user_data);

/* Calls `func` for each photo, sorted bytewise by path.  With
 * `under_folder` only photos strictly below that folder (a '/' boundary:
 * /a/b/x is below /a/b, /a/bc/x is not; a trailing '/' is ignored; any
 * bytes, '%' and '_' included, match literally).  The walk reads one
 * consistent snapshot of the database. */
gboolean      cs_store_foreach_photo       (CsStore          *self,
                                            const char       *under_folder,
                                            CsStorePhotoFunc  func,
                                            gpointer          user_data,
                                            GError          **error);
/* The photos (CsStorePhoto *) without a vector of `model_row`, to embed
 * after a model change, sorted by path (g_ptr_array_unref it); NULL with
 * an error on failure. */
GPtrArray    *cs_store_list_photos_missing_vector (CsStore  *self,
                                                   gint64    model_row,
                                                   GError  **error);

/* ------------------------------------------------------------------ */
/* Vectors: float32 embeddings of photos, tagged with a model row     */
/* ------------------------------------------------------------------ */

/* Stored as little-endian IEEE-754 float32 blobs, so a database moves
 * between machines; values round-trip bit for bit.  The store never
 * normalises them, but refuses NaN and infinity: one such vector would
 * make every search and duplicate scan that reads it meaningless.  One
 * written by an older version (or another program), and a value that is
 * not a blob of exactly the model's dimension (damage, or another
 * program), is left out by every reader below, as if absent
 * (cs_store_dup_vector returns NULL without an error, cs_store_has_vector
 * still says TRUE), so that one bad row does not make the library
 * unreadable, until an index run deletes it
 * (cs_store_delete_unusable_vectors); opening a database of schema 3 or
 * older deletes the non-finite ones. */

/* Stores (or replaces) the vector of photo `photo_id` made by `model_row`.
 * `dim` must be the model's dimension and every component finite (else
 * CS_STORE_ERROR_INVALID, nothing stored); the photo must exist (else a
 * foreign-key CS_STORE_ERROR_SQLITE). */
gboolean      cs_store_put_vector          (CsStore     *self,
                                            gint64       photo_id,
                                            gint64       model_row,
                                            const float *vector,
                                            int          dim,
                                            GError     **error);
/* TRUE when the photo has a vector of that model; FALSE without an error
 * when not. */
gboolean      cs_store_has_vector          (CsStore     *self,
                                            gint64       photo_id,
                                            gint64       model_row,
                                            GError     **error);
/* The vector (g_free it) with *dim set, or NULL without an error when
 * there is none. */
float        *cs_store_dup_vector          (CsStore     *self,
                                            gint64       photo_id,
                                            gint64       model_row,
                                            int         *dim,
                                            GError     **error);
/* Number of vectors of `model_row`; -1 with an error on failure. */
gint64        cs_store_count_vectors       (CsStore     *self,
                                            gint64       model_row,
                                            GError     **error);

/* `vector` is borrowed for the call (aligned, native byte order).  Return
 * FALSE to stop the walk. */
typedef gboolean (*CsStoreVectorFunc) (gint64       photo_id,
                                       const float *vector,
                                       int          dim,
                                       gpointer     user_data);

/* Calls `func` for every vector of `model_row`, by increasing photo id. */
gboolean      cs_store_foreach_vector      (CsStore           *self,
                                            gint64             model_row,
                                            CsStoreVectorFunc  func,
                                            gpointer           user_data,
                                            GError           **error);

/* Loads every vector of `model_row` into one row-major n × dim float
 * matrix (*matrix, g_free it) with the photo id of each row in
 * *photo_ids (g_free it), both from one consistent snapshot, by
 * increasing photo id.  With no vectors: TRUE, *n_rows 0, both NULL.
 * CS_STORE_ERROR_INVALID when the matrix cannot be allocated. */
gboolean      cs_store_load_vectors        (CsStore     *self,
                                            gint64       model_row,
                                            float      **matrix,
                                            gint64     **photo_ids,
                                            gsize       *n_rows,
                                            int         *dim,
                                            GError     **error);

/* Deletes the vectors of `model_row` that the readers above leave out: a
 * NaN or an infinity (only versions before the store refused them, or
 * another program, can have written one), or a value that is not a blob
 * of the model's dimension (damage), so that their photos are missing a
 * vector again and get embedded anew.  Reads every vector of the model:
 * for the start of an index run, not for hot paths.  Returns how many
 * went, -1 with an error on failure. */
gint64        cs_store_delete_unusable_vectors (CsStore  *self,
                                                gint64    model_row,
                                                GError  **error);

/* ------------------------------------------------------------------ */
/* Following the indexer: what changed since a moment                  */
/* ------------------------------------------------------------------ */

/* Every change to a vector (added or replaced) or to the row of a photo
 * that has vectors (moved, renamed, new size, mtime, hash, dimensions or
 * date) stamps that photo's vectors with the next value of one counter,
 * the "change" (triggers do it, for every writer).  Deleted vectors leave
 * no stamp: compare the count, then cs_store_list_vector_ids().  */

/* `photo` and `vector` are borrowed for the call.  Return FALSE to stop
 * the walk. */
typedef gboolean (*CsStoreIndexedFunc) (const CsStorePhoto *photo,
                                        const float        *vector,
                                        int                 dim,
                                        gpointer            user_data);

/* Calls `func` for every photo with a vector of `model_row` stamped after
 * change `since` (0: every one, by increasing photo id; otherwise in no
 * particular order), with that vector; all from one consistent snapshot,
 * in which *change (may be NULL) is the current change (pass it as
 * `since` next time) and *n_vectors (may be NULL) the number of vectors
 * of `model_row`.  Reads only the changed rows: cheap for a batch. */
gboolean      cs_store_foreach_indexed_photo (CsStore            *self,
                                              gint64              model_row,
                                              gint64              since,
                                              CsStoreIndexedFunc  func,
                                              gpointer            user_data,
                                              gint64             *change,
                                              gint64             *n_vectors,
                                              GError            **error);

/* The ids (gint64) of the photos with a vector of `model_row`, increasing
 * (g_array_unref it), or NULL with an error. */
GArray       *cs_store_list_vector_ids     (CsStore     *self,
                                            gint64       model_row,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Text vectors: the text encoder's vectors of the label prompts,      */
/* cached per model so that loading the labels encodes only new ones.  */
/* They go when their model is deleted.                                */
/* ------------------------------------------------------------------ */

/* Fills vectors[i * dim ...] (the caller's array of n_texts × dim floats)
 * and sets found[i] for each of `texts` it holds (a stored vector of
 * another size or with a non-finite component counts as absent) and
 * returns how many; 0 with `error` set when the database cannot be
 * read. */
guint         cs_store_get_text_vectors    (CsStore            *self,
                                            gint64              model_row,
                                            const char * const *texts,
                                            guint               n_texts,
                                            int                 dim,
                                            float              *vectors,
                                            gboolean           *found,
                                            GError            **error);
/* Stores (or replaces) the vector of `text`; `dim` must be the model's and
 * every component finite (else CS_STORE_ERROR_INVALID). */
gboolean      cs_store_put_text_vector     (CsStore     *self,
                                            gint64       model_row,
                                            const char  *text,
                                            const float *vector,
                                            int          dim,
                                            GError     **error);
/* Number of text vectors of `model_row`; -1 with an error on failure. */
gint64        cs_store_count_text_vectors  (CsStore     *self,
                                            gint64       model_row,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* The indexing lock: one index run at a time per database, whichever  */
/* process (the app, the CLI) runs it.                                  */
/* ------------------------------------------------------------------ */

typedef struct _CsStoreIndexLock CsStoreIndexLock;

/* Takes the lock of this database (an flock on "<database>.index-lock"),
 * without waiting, and returns it (cs_store_index_lock_free it to release
 * it).  When another run holds it: NULL with CS_STORE_ERROR_LOCKED,
 * "another index run (pid N) is using this library".  The kernel releases
 * it when its holder exits or is killed, so a crashed run never blocks the
 * next.  Other errors: G_IO_ERROR. */
CsStoreIndexLock *cs_store_lock_indexing   (CsStore          *self,
                                            GError          **error);
void          cs_store_index_lock_free     (CsStoreIndexLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStoreIndexLock, cs_store_index_lock_free)

/* ------------------------------------------------------------------ */
/* Failures: files that could not be indexed, and the size and mtime   */
/* they had then, so they are retried only once they change.          */
/* ------------------------------------------------------------------ */

typedef struct {
  char   *path;      /* file system encoding */
  char   *reason;    /* UTF-8, for people */
  gint64  size;      /* bytes, when it failed */
  gint64  mtime_us;  /* µs since the epoch, when it failed */
} CsStoreFailure;

void          cs_store_failure_free        (CsStoreFailure *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStoreFailure, cs_store_failure_free)

/* Records (or replaces) the failure of `path`. */
gboolean      cs_store_record_failure      (CsStore     *self,
                                            const char  *path,
                                            const char  *reason,
                                            gint64       size,
                                            gint64       mtime_us,
                                            GError     **error);
/* TRUE with the out values set (each may be NULL; g_free *reason) when
 * `path` has a failure recorded; FALSE without an error when not. */
gboolean      cs_store_lookup_failure      (CsStore     *self,
                                            const char  *path,
                                            gint64      *size,
                                            gint64      *mtime_us,
                                            char       **reason,
                                            GError     **error);
/* Forgets the failure of `path`; TRUE also when there was none. */
gboolean      cs_store_clear_failure       (CsStore     *self,
                                            const char  *path,
                                            GError     **error);
/* Every failure (CsStoreFailure *), sorted by path (g_ptr_array_unref
 * it), or NULL with an error. */
GPtrArray    *cs_store_list_failures       (CsStore     *self,
                                            GError     **error);

/* ------------------------------------------------------------------ */
/* Labels: a name, prompts and a threshold; and the user's verdicts on  */
/* photos for them (kept by photo: they survive moves, renames and      */
/* model changes, and go with the photo or the label).                  */
/* ------------------------------------------------------------------ */

typedef struct {
  gint64   id;         /* row id (> 0), never reused */
  char    *name;       /* UTF-8, unique */
  double   threshold;  /* in [0, 1] */
  char   **prompts;    /* UTF-8, NULL-terminated, in their order; may be empty */
} CsStoreLabel;

void          cs_store_label_free          (CsStoreLabel *label);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStoreLabel, cs_store_label_free)

typedef struct {
  gint64  photo_id;
  int     verdict;     /* 1 confirmed, -1 rejected */
} CsStoreVerdict;

/* Every label (CsStoreLabel *) with its prompts, by increasing id
 * (g_ptr_array_unref it), or NULL with an error. */
GPtrArray    *cs_store_list_labels         (CsStore            *self,
                                            GError            **error);
/* Adds a label and its prompts (NULL: none) atomically.  Returns its row
 * id, or -1 with CS_STORE_ERROR_EXISTS when `name` is taken,
 * CS_STORE_ERROR_INVALID when `threshold` is outside [0, 1] or the name is
 * empty. */
gint64        cs_store_add_label           (CsStore            *self,
                                            const char         *name,
                                            const char * const *prompts,
                                            double              threshold,
                                            GError            **error);
/* Changes label `id` atomically: its name (NULL: keep), its prompts (NULL:
 * keep; an empty list: none) and its threshold (negative: keep).  Errors
 * as cs_store_add_label(), and CS_STORE_ERROR_INVALID when there is no
 * such label. */
gboolean      cs_store_update_label        (CsStore            *self,
                                            gint64              id,
                                            const char         *name,
                                            const char * const *prompts,
                                            double              threshold,
                                            GError            **error);
/* Deletes label `id` with its prompts and verdicts; TRUE also when absent. */
gboolean      cs_store_delete_label        (CsStore            *self,
                                            gint64              id,
                                            GError            **error);
/* Records the user's verdict on photo `photo_id` for label `label_id`: 1
 * confirmed, -1 rejected, 0 forgets it.  The label and the photo must
 * exist (else a foreign-key CS_STORE_ERROR_SQLITE). */
gboolean      cs_store_set_label_verdict   (CsStore            *self,
                                            gint64              label_id,
                                            gint64              photo_id,
                                            int                 verdict,
                                            GError            **error);
/* The verdicts (CsStoreVerdict) for label `label_id`, by increasing photo
 * id (g_array_unref it), or NULL with an error. */
GArray       *cs_store_list_label_verdicts (CsStore            *self,
                                            gint64              label_id,
                                            GError            **error);

/* ------------------------------------------------------------------ */
/* Testing                                                            */
/* ------------------------------------------------------------------ */

/* For tests only: the next `count` calls (-1: every call, 0: none) of the
 * read function named `function` (e.g. "cs_store_has_vector"), from any
 * store and thread, fail with CS_STORE_ERROR_BUSY as if another
 * connection held the lock past the busy timeout.  NULL turns it off. */
void          cs_store_inject_failure_for_testing (const char *function,
                                                   int         count);

G_END_DECLS
