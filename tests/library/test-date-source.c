/* test-date-source.c - where a photo's date came from (issue 16: photos
 * without a date are not forced into events): the store's column and its
 * migration, what the indexer records, and the events that follow.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The indexer and event cases use the toy CLIP and the toy photos of
 * ../shared (skipped without).
 */
#include <string.h>
#include <utime.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-photo.h"
#include "cs-photo-list.h"
#include "cs-store.h"
#include "cs-suggestions.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;

/* ------------------------------------------------------------- the store */

/* The schema as it stood at version 5, written out again here (the
 * statements of migrations 0 to 4, less what an empty database does not
 * need: the indexes), so that the test does not depend on the store's
 * own code to make the "old" database. */
static const char old_schema[] =
  "CREATE TABLE folders (path BLOB PRIMARY KEY CHECK (typeof (path) = 'blob'),"
  "  excluded INTEGER NOT NULL CHECK (excluded IN (0, 1))) WITHOUT ROWID;"
  "CREATE TABLE models (id INTEGER PRIMARY KEY AUTOINCREMENT, model_id TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL, dim INTEGER NOT NULL CHECK (dim > 0), dtype TEXT NOT NULL);"
  "CREATE TABLE photos (id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  path BLOB NOT NULL UNIQUE CHECK (typeof (path) = 'blob'), size INTEGER NOT NULL,"
  "  mtime_us INTEGER NOT NULL, hash TEXT, width INTEGER NOT NULL DEFAULT 0,"
  "  height INTEGER NOT NULL DEFAULT 0, taken_unix INTEGER NOT NULL DEFAULT 0,"
  "  state INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX photos_by_hash ON photos (hash, size);"
  "CREATE TABLE vectors (id INTEGER PRIMARY KEY,"
  "  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,"
  "  model INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  vector BLOB NOT NULL, UNIQUE (photo_id, model));"
  "CREATE INDEX vectors_by_model ON vectors (model, photo_id);"
  "CREATE TRIGGER photos_hash_changed AFTER UPDATE OF hash ON photos"
  "  WHEN old.hash IS NOT new.hash BEGIN DELETE FROM vectors WHERE photo_id = new.id; END;"
  "CREATE TABLE failures (path BLOB PRIMARY KEY CHECK (typeof (path) = 'blob'),"
  "  reason TEXT NOT NULL, size INTEGER NOT NULL, mtime_us INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE labels (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
  "  threshold REAL NOT NULL CHECK (threshold >= 0.0 AND threshold <= 1.0));"
  "CREATE TABLE label_prompts (label_id INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL, prompt TEXT NOT NULL, PRIMARY KEY (label_id, position)) WITHOUT ROWID;"
  "CREATE TABLE label_feedback (label_id INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,"
  "  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,"
  "  verdict INTEGER NOT NULL CHECK (verdict IN (-1, 1)), PRIMARY KEY (label_id, photo_id)) WITHOUT ROWID;"
  "CREATE INDEX label_feedback_by_photo ON label_feedback (photo_id);"
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);"
  "INSERT INTO change_counter (id, seq) VALUES (1, 1);"
  "ALTER TABLE vectors ADD COLUMN seq INTEGER NOT NULL DEFAULT 1;"
  "CREATE INDEX vectors_by_seq ON vectors (model, seq);"
  "CREATE TRIGGER vectors_stamp_insert AFTER INSERT ON vectors BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1) WHERE id = new.id; END;"
  "CREATE TRIGGER vectors_stamp_update AFTER UPDATE OF vector ON vectors BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1) WHERE id = new.id; END;"
  "CREATE TRIGGER photos_stamp_update"
  "  AFTER UPDATE OF path, size, mtime_us, hash, width, height, taken_unix ON photos"
  "  WHEN old.path IS NOT new.path OR old.size IS NOT new.size"
  "    OR old.mtime_us IS NOT new.mtime_us OR old.hash IS NOT new.hash"
  "    OR old.width IS NOT new.width OR old.height IS NOT new.height"
  "    OR old.taken_unix IS NOT new.taken_unix BEGIN"
  "  UPDATE change_counter SET seq = seq + 1 WHERE id = 1;"
  "  UPDATE vectors SET seq = (SELECT seq FROM change_counter WHERE id = 1) WHERE photo_id = new.id; END;"
  "ALTER TABLE photos ADD COLUMN blank_stddev REAL;"
  "CREATE TRIGGER photos_hash_changed_blank AFTER UPDATE OF hash ON photos"
  "  WHEN old.hash IS NOT new.hash BEGIN UPDATE photos SET blank_stddev = NULL WHERE id = new.id; END;"
  "CREATE TABLE text_vectors (model INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,"
  "  text TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text));"
  /* two photos as a version-5 indexer wrote them: an EXIF date, a file time */
  "INSERT INTO models (model_id, name, dim, dtype) VALUES ('toy', 'Toy', 2, 'f32');"
  "INSERT INTO photos (path, size, mtime_us, hash, width, height, taken_unix, state)"
  "  VALUES (CAST ('/old/a.jpg' AS BLOB), 1000, 1600000000000000, 'aa', 640, 480, 1500000000, 1),"
  "         (CAST ('/old/b.png' AS BLOB), 2000, 1600000001000000, 'bb', 320, 200, 1600000001, 1);"
  "INSERT INTO vectors (photo_id, model, vector) VALUES (1, 1, x'0000803f00000000'),"
  "  (2, 1, x'000000000000803f');"
  "PRAGMA application_id = 1131180115;" /* CS_STORE_APPLICATION_ID */
  "PRAGMA user_version = 5;";

static void
exec_raw (const char *db_path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gint64
query_raw (const char *db_path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return v;
}

static gboolean
collect_seq_cb (const CsStorePhoto *photo,
                const float        *vector,
                int                 dim,
                gpointer            user_data)
{
  g_array_append_val (user_data, photo->id);
  return TRUE;
}

/* A version-5 database opens, migrates to the latest schema in place,
 * keeps every field of its rows and says their date's source is unknown;
 * the new column then round-trips, is refused outside its values, and a
 * change of it alone reaches the change tracking (the app shows it). */
static void
test_store_migration (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *db = g_build_filename (dir, "old.db", NULL);
  g_autoptr(CsStore) store = NULL;
  g_autoptr(CsStorePhoto) a = NULL;
  g_autoptr(CsStorePhoto) b = NULL;
  g_autoptr(CsStorePhoto) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 seq = 0;

  exec_raw (db, old_schema);
  store = cs_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  g_assert_cmpint (cs_store_schema_version_latest (), ==, 6);

  a = cs_store_lookup_photo (store, "/old/a.jpg", &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpint (a->size, ==, 1000);
  g_assert_cmpint (a->mtime_us, ==, 1600000000000000);
  g_assert_cmpstr (a->hash, ==, "aa");
  g_assert_cmpint (a->width, ==, 640);
  g_assert_cmpint (a->height, ==, 480);
  g_assert_cmpint (a->taken_unix, ==, 1500000000);
  g_assert_cmpint (a->state, ==, 1);
  g_assert_cmpint (a->taken_source, ==, CS_STORE_TAKEN_UNKNOWN);
  b = cs_store_lookup_photo (store, "/old/b.png", &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->taken_unix, ==, 1600000001);
  g_assert_cmpint (b->taken_source, ==, CS_STORE_TAKEN_UNKNOWN);
  g_assert_cmpint (cs_store_count_vectors (store, 1, &error), ==, 2);

  /* round trip of each value */
  for (int source = CS_STORE_TAKEN_UNKNOWN; source <= CS_STORE_TAKEN_FILE; source++)
    {
      b->taken_source = source;
      g_assert_cmpint (cs_store_upsert_photo (store, b, &error), ==, b->id);
      g_assert_no_error (error);
      g_clear_pointer (&back, cs_store_photo_free);
      back = cs_store_dup_photo (store, b->id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->taken_source, ==, source);
      g_assert_cmpint (back->taken_unix, ==, 1600000001);
    }
  /* anything else is refused, the row unchanged */
  b->taken_source = 7;
  g_assert_cmpint (cs_store_upsert_photo (store, b, &error), ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&back, cs_store_photo_free);
  back = cs_store_dup_photo (store, b->id, &error);
  g_assert_cmpint (back->taken_source, ==, CS_STORE_TAKEN_FILE);

  /* the source alone changing stamps the photo's vector */
  g_assert_true (cs_store_foreach_indexed_photo (store, 1, 0, collect_seq_cb, changed, &seq, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 2);
  g_array_set_size (changed, 0);
  a->taken_source = CS_STORE_TAKEN_CAPTURE;
  g_assert_cmpint (cs_store_upsert_photo (store, a, &error), ==, a->id);
  g_assert_true (cs_store_foreach_indexed_photo (store, 1, seq, collect_seq_cb, changed, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (g_array_index (changed, gint64, 0), ==, a->id);
  g_clear_object (&store);

  /* a database whose version was set back migrates again: the column is
   * there already, the step does not fail on it */
  exec_raw (db, "PRAGMA user_version = 5");
  store = cs_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, 6);
  g_clear_pointer (&back, cs_store_photo_free);
  back = cs_store_dup_photo (store, a->id, &error);
  g_assert_cmpint (back->taken_source, ==, CS_STORE_TAKEN_CAPTURE);
  g_clear_object (&store);
  g_assert_cmpint (query_raw (db, "SELECT count(*) FROM pragma_table_info ('photos') "
                                  "WHERE name = 'taken_source'"), ==, 1);
  test_rm_rf (dir);
}

/* ----------------------------------------------------------- the indexer */

typedef struct {
  gboolean        done;
  CsIndexSummary *summary;
  GError         *error;
} Run;

static void
on_rescan_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Run *run = data;

  run->summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &run->error);
  run->done = TRUE;
}

static void
index_once (const char *db,
            const char *folder)
{
  g_autoptr(CsIndexer) indexer = cs_indexer_new (db, toy_model);
  Run run = { 0 };
  gint64 end = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;

  cs_indexer_add_folder (indexer, folder);
  cs_indexer_rescan_async (indexer, NULL, on_rescan_cb, &run);
  while (!run.done && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (run.done);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.summary->failed, ==, 0);
  cs_index_summary_free (run.summary);
}

/* A little-endian TIFF block: IFD0 {ExifIFD}, Exif IFD {DateTimeOriginal,
 * OffsetTimeOriginal "+00:00"} (so the value does not depend on the
 * test's time zone). */
static GByteArray *
make_exif_tiff (const char *date)
{
  GByteArray *b = g_byte_array_new ();
  guint8 hdr[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  guint32 exif_ifd = 8 + 2 + 12 + 4;
  guint32 data = exif_ifd + 2 + 12 * 2 + 4;

#define U16(v) do { guint16 x = GUINT16_TO_LE (v); g_byte_array_append (b, (guint8 *) &x, 2); } while (0)
#define U32(v) do { guint32 x = GUINT32_TO_LE (v); g_byte_array_append (b, (guint8 *) &x, 4); } while (0)
  g_byte_array_append (b, hdr, 8);
  U16 (1);
  U16 (0x8769); U16 (4); U32 (1); U32 (exif_ifd);
  U32 (0);
  U16 (2);
  U16 (0x9003); U16 (2); U32 (20); U32 (data);
  U16 (0x9011); U16 (2); U32 (7); U32 (data + 20);
  U32 (0);
  g_byte_array_append (b, (const guint8 *) date, 20);
  g_byte_array_append (b, (const guint8 *) "+00:00", 7);
#undef U16
#undef U32
  return b;
}

/* `src` (a JPEG) written to `dst` with an APP1 Exif block after its SOI. */
static void
write_jpeg_with_exif (const char *jpeg_path,
                      const char *date)
{
  g_autoptr(GByteArray) tiff = make_exif_tiff (date);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *data = NULL;
  gsize len = 0, seg = tiff->len + 8;
  guint8 app1[4] = { 0xff, 0xe1, (guint8) (seg >> 8), (guint8) seg };

  g_assert_true (g_file_get_contents (jpeg_path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 2);
  g_assert_cmpuint ((guint8) data[0], ==, 0xff);
  g_assert_cmpuint ((guint8) data[1], ==, 0xd8);
  g_byte_array_append (out, (const guint8 *) data, 2);
  g_byte_array_append (out, app1, 4);
  g_byte_array_append (out, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (out, tiff->data, tiff->len);
  g_byte_array_append (out, (const guint8 *) data + 2, len - 2);
  g_assert_true (g_file_set_contents (jpeg_path, (const char *) out->data, out->len, NULL));
}

static void
write_image (const char *path,
             const char *type,
             guint8      shade)
{
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 96, 64);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pb, ((guint32) shade << 24) | 0x3060ffu);
  g_assert_true (gdk_pixbuf_save (pb, path, type, &error, NULL));
  g_assert_no_error (error);
}

static void
set_mtime (const char *path,
           gint64      unix_seconds)
{
  struct utimbuf times = { (time_t) unix_seconds, (time_t) unix_seconds };

  g_assert_no_errno (g_utime (path, &times));
}

static CsStorePhoto *
lookup (const char *db,
        const char *path)
{
  g_autoptr(CsStore) store = cs_store_open (db, NULL);
  g_autoptr(GError) error = NULL;
  CsStorePhoto *photo;

  g_assert_nonnull (store);
  photo = cs_store_lookup_photo (store, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (photo);
  return photo;
}

/* The indexer records an EXIF DateTimeOriginal as a capture date and the
 * file's time of a PNG or a JPEG without one as a file date; a row from
 * before (unknown) learns its source when the file is found touched. */
static void
test_indexer_sets_source (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  g_autofree char *exif = g_build_filename (photos, "camera.jpg", NULL);
  g_autofree char *plain = g_build_filename (photos, "download.jpg", NULL);
  g_autofree char *png = g_build_filename (photos, "screenshot.png", NULL);
  const gint64 exif_time = 1546398245; /* 2019-01-02T03:04:05Z, by hand */
  const gint64 file_time = 1700000000, touched_time = 1710000000;
  CsStorePhoto *p;

  g_mkdir_with_parents (photos, 0755);
  write_image (exif, "jpeg", 10);
  write_jpeg_with_exif (exif, "2019:01:02 03:04:05");
  write_image (plain, "jpeg", 90);
  write_image (png, "png", 200);
  set_mtime (exif, file_time);
  set_mtime (plain, file_time);
  set_mtime (png, file_time);
  index_once (db, photos);

  p = lookup (db, exif);
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_CAPTURE);
  g_assert_cmpint (p->taken_unix, ==, exif_time);
  cs_store_photo_free (p);
  p = lookup (db, plain);
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_FILE);
  g_assert_cmpint (p->taken_unix, ==, file_time);
  cs_store_photo_free (p);
  p = lookup (db, png);
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_FILE);
  g_assert_cmpint (p->taken_unix, ==, file_time);
  cs_store_photo_free (p);

  /* rows as the migration leaves them, then touched files: the next run
   * reads their dates again without re-embedding them */
  exec_raw (db, "UPDATE photos SET taken_source = 0");
  set_mtime (exif, touched_time);
  set_mtime (png, touched_time);
  index_once (db, photos);
  p = lookup (db, exif);
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_CAPTURE);
  g_assert_cmpint (p->taken_unix, ==, exif_time);
  g_assert_cmpint (p->mtime_us, ==, touched_time * G_USEC_PER_SEC);
  cs_store_photo_free (p);
  p = lookup (db, png);
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_FILE);
  g_assert_cmpint (p->taken_unix, ==, file_time); /* its date as before */
  cs_store_photo_free (p);
  p = lookup (db, plain); /* not touched: still unknown */
  g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_UNKNOWN);
  cs_store_photo_free (p);
  test_rm_rf (dir);
}

/* ------------------------------------------------------------ the events */

#define N_BURST 12
#define N_EVERYDAY 6
#define DAY 86400
#define T0 1704067200 /* 2024-01-01 00:00 UTC */

typedef struct {
  char   *path;
  int     group;   /* 0: burst A, 1: burst B, 2: everyday */
  gint64  taken;
  gint64  id;
} Shot;

/* The events of a fresh load of the library: for each, the groups of its
 * photos, checked to lie within one day (the bursts are 100 days apart
 * from each other and at least 10 from everyday photos, so any event
 * spanning more mixes what the timeline keeps apart). */
static void
events_by_group (const char *db,
                 Shot       *shots,
                 guint       n,
                 guint       counts[3])
{
  g_autoptr(CsLibrary) library = cs_library_new (db, toy_model);
  g_autoptr(GListModel) suggestions = NULL;
  g_autoptr(GError) error = NULL;

  counts[0] = counts[1] = counts[2] = 0;
  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  suggestions = cs_library_discover (library, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint s = 0; s < g_list_model_get_n_items (suggestions); s++)
    {
      g_autoptr(CsSuggestion) sug = g_list_model_get_item (suggestions, s);
      CsPhotoList *list;
      gint64 lo = G_MAXINT64, hi = G_MININT64;

      if (cs_suggestion_get_kind (sug) != CS_SUGGESTION_EVENT)
        continue;
      list = cs_suggestion_get_photos (sug);
      for (guint k = 0; k < cs_photo_list_get_n_items (list); k++)
        {
          CsPhoto *photo = cs_photo_list_get_photo (list, k);
          guint i;

          for (i = 0; i < n && shots[i].id != cs_photo_get_id (photo); i++)
            ;
          g_assert_cmpuint (i, <, n);
          counts[shots[i].group]++;
          lo = MIN (lo, shots[i].taken);
          hi = MAX (hi, shots[i].taken);
        }
      g_assert_cmpint (hi - lo, <, DAY);
    }
}

/* Two bursts of a dozen photos a day, 100 days apart, and everyday
 * photos: a burst is an event when its dates are capture dates, and is
 * never one when they are file times (a folder copied at once), whether
 * the store says so or, for rows from before it did, the guess does. */
static void
test_events_skip_file_dates (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *db = g_build_filename (dir, "library.db", NULL);
  static const int everyday_days[N_EVERYDAY] = { 10, 40, 150, 170, 250, 280 };
  Shot shots[2 * N_BURST + N_EVERYDAY];
  const guint n = G_N_ELEMENTS (shots);
  guint counts[3];
  g_autoptr(GDir) d = g_dir_open (toy_photos, 0, NULL);
  const char *name;
  guint k = 0;

  g_mkdir_with_parents (photos, 0755);
  while (k < n && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *src = g_build_filename (toy_photos, name, NULL);
      g_autofree char *data = NULL;
      gsize len;
      Shot *s = &shots[k];

      if (!g_str_has_prefix (name, "photo-") || !g_str_has_suffix (name, ".png"))
        continue;
      s->path = g_build_filename (photos, name, NULL);
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_assert_true (g_file_set_contents (s->path, data, (gssize) len, NULL));
      s->group = k < N_BURST ? 0 : k < 2 * N_BURST ? 1 : 2;
      if (s->group == 2)
        s->taken = T0 + (gint64) everyday_days[k - 2 * N_BURST] * DAY + 12 * 3600;
      else
        s->taken = T0 + (s->group == 0 ? 100 : 200) * (gint64) DAY + 9 * 3600
                   + (gint64) (k % N_BURST) * 1200;
      /* B's files were copied in one go: their times are the burst; the
       * others' file times are far from any date */
      set_mtime (s->path, s->group == 1 ? s->taken : T0 + 500 * (gint64) DAY + k);
      k++;
    }
  g_assert_cmpuint (k, ==, n);
  index_once (db, photos);

  {
    g_autoptr(CsStore) store = cs_store_open (db, NULL);

    for (guint i = 0; i < n; i++)
      {
        g_autoptr(CsStorePhoto) p = cs_store_lookup_photo (store, shots[i].path, NULL);

        g_assert_nonnull (p);
        shots[i].id = p->id;
        /* the toy PNGs have no EXIF: the indexer stored the file time */
        g_assert_cmpint (p->taken_source, ==, CS_STORE_TAKEN_FILE);
        if (shots[i].group == 1)
          g_assert_cmpint (p->taken_unix, ==, shots[i].taken);
        else
          {
            /* A and the everyday photos: as if their EXIF said so */
            p->taken_unix = shots[i].taken;
            p->taken_source = CS_STORE_TAKEN_CAPTURE;
            g_assert_cmpint (cs_store_upsert_photo (store, p, NULL), ==, p->id);
          }
      }
  }

  /* B's dates are file times: A is an event, B is in none */
  events_by_group (db, shots, n, counts);
  g_test_message ("file dates: %u, %u, %u photos of A, B, everyday in events", counts[0], counts[1], counts[2]);
  g_assert_cmpuint (counts[0], >=, N_BURST / 2);
  g_assert_cmpuint (counts[1], ==, 0);

  /* the same dates said to be capture dates: B is an event too (what
   * keeps it out above is the source, not its times) */
  exec_raw (db, "UPDATE photos SET taken_source = 1");
  events_by_group (db, shots, n, counts);
  g_test_message ("capture dates: %u, %u, %u", counts[0], counts[1], counts[2]);
  g_assert_cmpuint (counts[0], >=, N_BURST / 2);
  g_assert_cmpuint (counts[1], >=, N_BURST / 2);

  /* rows from before the store said (unknown): the guess tells A's dates
   * (not the files' times) from B's (the files' times, PNGs) */
  exec_raw (db, "UPDATE photos SET taken_source = 0");
  events_by_group (db, shots, n, counts);
  g_test_message ("unknown: %u, %u, %u", counts[0], counts[1], counts[2]);
  g_assert_cmpuint (counts[0], >=, N_BURST / 2);
  g_assert_cmpuint (counts[1], ==, 0);

  for (guint i = 0; i < n; i++)
    g_free (shots[i].path);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/date-source/store-migration", test_store_migration);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  toy_photos = test_shared_path_or_skip ("testdata/toy-photos");
  g_test_add_func ("/library/date-source/indexer", test_indexer_sets_source);
  g_test_add_func ("/library/date-source/events", test_events_skip_file_dates);
  rc = g_test_run ();
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
