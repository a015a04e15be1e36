/* test-export.c - a label exported as a folder: links, copies, names,
 * re-exports, sidecars, failures.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thirteen toy photos of ../shared (skipped without it) are copied into
 * two folders, one name in both with different pictures, indexed with
 * the real indexer and the toy CLIP, and a label with a hostile name gets
 * confirmed and rejected photos.  What the exports write is checked
 * against the files themselves: SHA-256 computed here, realpath() of the
 * links, the originals' times and hashes before and after.  The sidecars'
 * XMP is read back with exiv2 in tests/cli/test_export.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-export.h"
#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-xmp.h"
#include "test-util.h"

#define ALBUM "Café & \"Friends\" <2025>"

static char *toy_model;
static char *toy_photos;

typedef struct {
  char       *dir;
  char       *photos;      /* dir/photos/{a,b} */
  char       *db;
  char       *out;         /* dir/out (not made) */
  CsLibrary  *library;
  CsLabel    *label;       /* borrowed */
  char       *rejected;    /* the path of the photo the user rejected */
  GHashTable *originals;   /* path -> "sha256 mtime-ns size" before any export */
} Fixture;

static char *
sha256_of (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* What must not change in an original: its bytes, its time, its size. */
static char *
fingerprint (const char *path)
{
  g_autofree char *sha = sha256_of (path);
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return g_strdup_printf ("%s %lld.%09ld %lld", sha, (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                          (long long) st.st_size);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A time long before the test, with microseconds, so that a copy made
 * now that did not take the original's time cannot have it by chance. */
static void
set_old_time (const char *path,
              guint       i)
{
  struct timespec times[2];

  times[0].tv_sec = times[1].tv_sec = 1623456789 + 86400 * (time_t) i;
  times[0].tv_nsec = times[1].tv_nsec = 123456000 + 1000 * (long) i;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static char *
real (const char *path)
{
  char *r = realpath (path, NULL);
  char *copy;

  g_assert_nonnull (r);
  copy = g_strdup (r);
  free (r);
  return copy;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr(CsIndexer) indexer = NULL;
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(CsPhotoList) members = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *files[] = { "photo-0001.png", "photo-0002.png", "photo-0003.png", "photo-0004.jpg",
                          "photo-0005.jpg", "photo-0006.jpg", "photo-0007.jpg", "photo-0008.jpg",
                          "photo-0009.png", "photo-0010.png", "photo-0011.png", "photo-0012.png" };
  g_autoptr(CsLabel) label = NULL;
  const char *confirm[3];
  GHashTableIter it;
  gpointer key;

  {
    /* as the indexer stores paths: canonical */
    g_autofree char *tmp = test_make_temp_dir ();
    fx->dir = real (tmp);
  }
  fx->photos = g_build_filename (fx->dir, "photos", NULL);
  a = g_build_filename (fx->photos, "a", NULL);
  b = g_build_filename (fx->photos, "b", NULL);
  g_assert_cmpint (g_mkdir_with_parents (a, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (b, 0755), ==, 0);
  fx->originals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (toy_photos, files[i], NULL);
      g_autofree char *to = g_build_filename (a, files[i], NULL);
      copy_file (from, to);
      set_old_time (to, i);
      g_hash_table_insert (fx->originals, g_steal_pointer (&to), NULL);
    }
  {
    /* the same name as a/photo-0001.png, another picture */
    g_autofree char *from = g_build_filename (toy_photos, "photo-0020.png", NULL);
    g_autofree char *to = g_build_filename (b, "photo-0001.png", NULL);
    copy_file (from, to);
    set_old_time (to, 99);
    g_hash_table_insert (fx->originals, g_steal_pointer (&to), NULL);
  }

  fx->db = g_build_filename (fx->dir, "library.db", NULL);
  fx->out = g_build_filename (fx->dir, "out", NULL);
  indexer = cs_indexer_new (fx->db, toy_model);
  cs_indexer_add_folder (indexer, fx->photos);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);

  fx->library = cs_library_new (fx->db, NULL);
  g_assert_true (cs_library_load (fx->library, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_library_get_n_photos (fx->library), ==, 13);

  label = cs_library_add_label (fx->library, ALBUM, NULL, 0.05, NULL, &error);
  g_assert_no_error (error);
  fx->label = label;
  confirm[0] = "a/photo-0001.png";
  confirm[1] = "b/photo-0001.png";
  confirm[2] = "a/photo-0004.jpg";
  for (guint i = 0; i < G_N_ELEMENTS (confirm); i++)
    {
      g_autofree char *path = g_build_filename (fx->photos, confirm[i], NULL);
      g_autoptr(CsPhoto) photo = cs_library_lookup_path (fx->library, path);
      gint64 id;

      g_assert_nonnull (photo);
      id = cs_photo_get_id (photo);
      g_array_append_val (ids, id);
    }
  g_assert_true (cs_library_set_verdict (fx->library, fx->label, (gint64 *) ids->data, ids->len,
                                         CS_VERDICT_CONFIRM, NULL, &error));
  g_assert_no_error (error);

  /* reject the most probable photo the rule took by itself */
  members = cs_library_list_label_members (fx->library, fx->label);
  for (guint i = 0; i < cs_photo_list_get_n_items (members) && fx->rejected == NULL; i++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (members, i);
      gint64 id = cs_photo_get_id (photo);

      if (cs_photo_get_verdict (photo) != 0)
        continue;
      fx->rejected = g_strdup (cs_photo_get_path (photo));
      g_assert_true (cs_library_set_verdict (fx->library, fx->label, &id, 1, CS_VERDICT_REJECT, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (fx->rejected);

  /* the originals read-only, and what they are before any export */
  g_hash_table_iter_init (&it, fx->originals);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      g_assert_cmpint (g_chmod (key, 0444), ==, 0);
      g_hash_table_iter_replace (&it, fingerprint (key));
    }
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_object (&fx->library);
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->photos);
  g_free (fx->db);
  g_free (fx->out);
  g_free (fx->rejected);
  g_hash_table_unref (fx->originals);
}

static void
assert_originals_unchanged (Fixture *fx)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, fx->originals);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      g_autofree char *now = NULL;

      if (!g_file_test (key, G_FILE_TEST_EXISTS))
        continue;  /* removed by the test itself */
      now = fingerprint (key);
      g_assert_cmpstr (now, ==, value);
    }
}

/* The paths of the label's members now (as the app shows them). */
static GHashTable *
member_paths (Fixture *fx)
{
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (fx->library, fx->label);
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    g_hash_table_add (set, g_strdup (cs_photo_get_path (cs_photo_list_get_photo (members, i))));
  return set;
}

static CsExportReport *
export (Fixture       *fx,
        CsExportFlags  flags)
{
  g_autoptr(GError) error = NULL;
  CsExportReport *report = cs_library_export_label (fx->library, fx->label, fx->out, NULL, flags, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

/* The destination of `relative` (below photos/) in `report`, or NULL. */
static const char *
destination_of (Fixture        *fx,
                CsExportReport *report,
                const char     *relative)
{
  g_autofree char *path = g_build_filename (fx->photos, relative, NULL);

  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    if (g_str_equal (cs_export_report_get_source (report, i), path))
      return cs_export_report_get_destination (report, i);
  return NULL;
}

/* Each member once in the report, the confirmed ones in, the rejected
 * one out, and the two photo-0001.png named in the order of their
 * paths. */
static void
assert_members_and_names (Fixture        *fx,
                          CsExportReport *report)
{
  g_autoptr(GHashTable) members = member_paths (fx);
  g_autofree char *first = g_build_filename (fx->out, "photo-0001.png", NULL);
  g_autofree char *second = g_build_filename (fx->out, "photo-0001 (2).png", NULL);
  g_autofree char *jpg = g_build_filename (fx->out, "photo-0004.jpg", NULL);

  g_assert_cmpuint (cs_export_report_get_n_photos (report), ==, g_hash_table_size (members));
  g_assert_cmpuint (g_hash_table_size (members), >=, 4);
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    g_assert_true (g_hash_table_contains (members, cs_export_report_get_source (report, i)));
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    g_assert_cmpstr (cs_export_report_get_source (report, i), !=, fx->rejected);
  g_assert_cmpstr (destination_of (fx, report, "a/photo-0001.png"), ==, first);
  g_assert_cmpstr (destination_of (fx, report, "b/photo-0001.png"), ==, second);
  g_assert_cmpstr (destination_of (fx, report, "a/photo-0004.jpg"), ==, jpg);
  {
    g_autofree char *base = g_path_get_basename (fx->rejected);
    g_autofree char *rejected_dest = g_build_filename (fx->out, base, NULL);
    g_assert_false (g_file_test (rejected_dest, G_FILE_TEST_EXISTS));
  }
}

static void
test_links (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(CsExportReport) report = export (fx, CS_EXPORT_LINKS);
  g_autoptr(CsExportReport) again = NULL;
  guint n_files;

  assert_members_and_names (fx, report);
  g_assert_cmpuint (cs_export_report_count (report, CS_EXPORT_ADDED), ==, cs_export_report_get_n_photos (report));
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    {
      const char *dest = cs_export_report_get_destination (report, i);
      g_autofree char *resolved = real (dest);
      g_autofree char *original = real (cs_export_report_get_source (report, i));
      struct stat st;

      g_assert_null (cs_export_report_get_error (report, i));
      g_assert_cmpint (g_lstat (dest, &st), ==, 0);
      g_assert_true (S_ISLNK (st.st_mode));
      g_assert_cmpstr (resolved, ==, original);
    }
  n_files = count_entries (fx->out);
  g_assert_cmpuint (n_files, ==, cs_export_report_get_n_photos (report));

  /* again: everything is there, nothing is added */
  again = export (fx, CS_EXPORT_LINKS);
  g_assert_cmpuint (cs_export_report_count (again, CS_EXPORT_PRESENT), ==, cs_export_report_get_n_photos (report));
  g_assert_cmpuint (count_entries (fx->out), ==, n_files);
  for (guint i = 0; i < cs_export_report_get_n_photos (again); i++)
    g_assert_cmpstr (cs_export_report_get_destination (again, i), ==, cs_export_report_get_destination (report, i));
  /* the names follow the paths, whatever order the photos come in */
  {
    g_autofree char *b1 = g_build_filename (fx->photos, "b", "photo-0001.png", NULL);
    g_autofree char *a1 = g_build_filename (fx->photos, "a", "photo-0001.png", NULL);
    g_autofree char *other = g_build_filename (fx->dir, "other", NULL);
    g_autofree char *plain = g_build_filename (other, "photo-0001.png", NULL);
    g_autofree char *second = g_build_filename (other, "photo-0001 (2).png", NULL);
    const char *reversed[] = { b1, a1, b1 };
    g_autoptr(GError) error = NULL;
    g_autoptr(CsExportReport) direct = cs_export_files (reversed, G_N_ELEMENTS (reversed), other, ALBUM,
                                                        CS_EXPORT_LINKS, NULL, &error);

    g_assert_no_error (error);
    /* b1 twice is one photo */
    g_assert_cmpuint (cs_export_report_get_n_photos (direct), ==, 2);
    g_assert_cmpstr (cs_export_report_get_source (direct, 0), ==, a1);
    g_assert_cmpstr (cs_export_report_get_destination (direct, 0), ==, plain);
    g_assert_cmpstr (cs_export_report_get_destination (direct, 1), ==, second);
  }
  assert_originals_unchanged (fx);
}

static void
test_copies (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(CsExportReport) report = NULL;
  g_autoptr(CsExportReport) again = NULL;
  g_autofree char *foreign = g_build_filename (fx->out, "photo-0004.jpg", NULL);
  g_autofree char *foreign2 = g_build_filename (fx->out, "photo-0004 (2).jpg", NULL);
  g_autofree char *foreign3 = g_build_filename (fx->out, "photo-0004 (3).jpg", NULL);
  g_autofree char *moved = g_build_filename (fx->out, "photo-0004 (4).jpg", NULL);
  g_autofree char *first = g_build_filename (fx->out, "photo-0001.png", NULL);
  g_autofree char *second = g_build_filename (fx->out, "photo-0001 (2).png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) sidecars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint n_files;

  /* someone else's files where a photo's name and its next two would go */
  g_assert_cmpint (g_mkdir_with_parents (fx->out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (foreign, "not the photo", -1, &error));
  g_assert_true (g_file_set_contents (foreign2, "not the photo either", -1, &error));
  g_assert_true (g_file_set_contents (foreign3, "nor this", -1, &error));
  g_assert_no_error (error);

  report = export (fx, CS_EXPORT_COPIES | CS_EXPORT_SIDECARS);
  g_assert_cmpuint (cs_export_report_count (report, CS_EXPORT_ADDED), ==, cs_export_report_get_n_photos (report));
  g_assert_cmpstr (destination_of (fx, report, "a/photo-0004.jpg"), ==, moved);
  g_assert_cmpstr (destination_of (fx, report, "a/photo-0001.png"), ==, first);
  g_assert_cmpstr (destination_of (fx, report, "b/photo-0001.png"), ==, second);
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (foreign, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "not the photo");
  }
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    {
      const char *source = cs_export_report_get_source (report, i);
      const char *dest = cs_export_report_get_destination (report, i);
      g_autofree char *sidecar = g_strconcat (dest, ".xmp", NULL);
      g_autofree char *want = sha256_of (source);
      g_autofree char *got = sha256_of (dest);
      g_autofree char *text = NULL;
      struct stat sd, ss;

      g_assert_null (cs_export_report_get_error (report, i));
      g_assert_null (cs_export_report_get_sidecar_error (report, i));
      g_assert_cmpint (g_lstat (dest, &sd), ==, 0);
      g_assert_true (S_ISREG (sd.st_mode));
      g_assert_cmpstr (got, ==, want);
      /* the copy has the original's time, photo tools sort by it */
      g_assert_cmpint (g_stat (source, &ss), ==, 0);
      g_assert_cmpint (sd.st_mtim.tv_sec, ==, ss.st_mtim.tv_sec);
      g_assert_cmpint (sd.st_mtim.tv_nsec / 1000, ==, ss.st_mtim.tv_nsec / 1000);
      g_assert_cmpint (ss.st_mtim.tv_sec, <, 1700000000);
      g_assert_true (g_file_get_contents (sidecar, &text, NULL, NULL));
      /* the album, escaped (exiv2 reads it back in test_export.py) */
      g_assert_nonnull (strstr (text, "<rdf:li>Café &amp; &quot;Friends&quot; &lt;2025&gt;</rdf:li>"));
      g_hash_table_insert (sidecars, g_steal_pointer (&sidecar), g_steal_pointer (&text));
    }
  /* the photos, their sidecars and the foreign files */
  n_files = count_entries (fx->out);
  g_assert_cmpuint (n_files, ==, 2 * cs_export_report_get_n_photos (report) + 3);

  /* again: nothing new, the sidecars untouched (they hold the album) */
  again = export (fx, CS_EXPORT_COPIES | CS_EXPORT_SIDECARS);
  g_assert_cmpuint (cs_export_report_count (again, CS_EXPORT_PRESENT), ==, cs_export_report_get_n_photos (report));
  g_assert_cmpuint (count_entries (fx->out), ==, n_files);
  {
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, sidecars);
    while (g_hash_table_iter_next (&it, &key, &value))
      {
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (key, &text, NULL, NULL));
        g_assert_cmpstr (text, ==, value);
      }
  }

  /* links asked where copies are: the copies count as the photos */
  {
    g_autoptr(CsExportReport) links = export (fx, CS_EXPORT_LINKS);
    g_assert_cmpuint (cs_export_report_count (links, CS_EXPORT_PRESENT), ==, cs_export_report_get_n_photos (report));
  }
  assert_originals_unchanged (fx);
}

/* A photo gone since indexing and a sidecar in the way fail alone;
 * a folder that cannot be one fails the export. */
static void
test_failures (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *gone = g_build_filename (fx->photos, "a", "photo-0004.jpg", NULL);
  g_autofree char *first = g_build_filename (fx->out, "photo-0001.png", NULL);
  g_autofree char *broken = g_build_filename (fx->out, "photo-0001.png.xmp", NULL);
  const char *broken_text = "<x:xmpmeta><rdf:RDF>not closed";
  g_autoptr(CsExportReport) report = NULL;
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;

  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fx->out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (broken, broken_text, -1, &error));
  g_assert_no_error (error);

  report = export (fx, CS_EXPORT_LINKS | CS_EXPORT_SIDECARS);
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    {
      const char *source = cs_export_report_get_source (report, i);
      const GError *e = cs_export_report_get_error (report, i);
      const GError *se = cs_export_report_get_sidecar_error (report, i);

      if (g_str_equal (source, gone))
        {
          g_assert_cmpint (cs_export_report_get_outcome (report, i), ==, CS_EXPORT_FAILED);
          g_assert_error (e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
          g_assert_null (cs_export_report_get_destination (report, i));
          n_failed++;
          continue;
        }
      g_assert_cmpint (cs_export_report_get_outcome (report, i), ==, CS_EXPORT_ADDED);
      /* the broken sidecar is the one of out/photo-0001.png */
      if (g_str_equal (cs_export_report_get_destination (report, i), first))
        {
          g_assert_error (se, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_nonnull (strstr (se->message, "photo-0001.png.xmp"));
        }
      else
        g_assert_null (se);
    }
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_cmpuint (cs_export_report_count (report, CS_EXPORT_FAILED), ==, 1);
  g_assert_cmpuint (cs_export_report_count_sidecar_failures (report), ==, 1);
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (broken, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, broken_text);
  }
  {
    g_autofree char *dangling = g_build_filename (fx->out, "photo-0004.jpg", NULL);
    struct stat st;
    g_assert_cmpint (g_lstat (dangling, &st), !=, 0);
  }

  /* a file where the folder should be */
  {
    g_autofree char *file = g_build_filename (fx->dir, "a-file", NULL);
    g_autofree char *below = g_build_filename (file, "album", NULL);
    CsExportReport *none;

    g_assert_true (g_file_set_contents (file, "x", -1, NULL));
    none = cs_library_export_label (fx->library, fx->label, file, NULL, CS_EXPORT_LINKS, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
    g_assert_nonnull (strstr (error->message, "a-file"));
    g_clear_error (&error);
    none = cs_library_export_label (fx->library, fx->label, below, NULL, CS_EXPORT_LINKS, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
    g_clear_error (&error);
  }
  /* a folder we may not write: root may write anywhere, so only as a user */
  if (geteuid () != 0)
    {
      g_autofree char *ro = g_build_filename (fx->dir, "read-only", NULL);
      CsExportReport *none;

      g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
      none = cs_library_export_label (fx->library, fx->label, ro, NULL, CS_EXPORT_LINKS, NULL, &error);
      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_chmod (ro, 0755);
    }
  /* cancelled */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autofree char *other = g_build_filename (fx->dir, "other", NULL);
    CsExportReport *none;

    g_cancellable_cancel (cancellable);
    none = cs_library_export_label (fx->library, fx->label, other, NULL, CS_EXPORT_LINKS, cancellable, &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (count_entries (other), ==, 0);
  }
  assert_originals_unchanged (fx);
}

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsExportReport **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cs_library_export_label_finish (CS_LIBRARY (source), result, &error);
  g_assert_no_error (error);
}

/* The app's way: the work on a thread, the answer on the home thread;
 * then the label removed. */
static void
test_async (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(CsExportReport) report = NULL;
  g_autoptr(GHashTable) members = member_paths (fx);
  g_autoptr(GError) error = NULL;
  CsExportReport *none;

  cs_library_export_label_async (fx->library, fx->label, fx->out, "Album", CS_EXPORT_COPIES, NULL,
                                 on_exported_cb, &report);
  while (report == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_export_report_count (report, CS_EXPORT_ADDED), ==, g_hash_table_size (members));
  g_assert_cmpstr (cs_export_report_get_folder (report), ==, fx->out);

  g_object_ref (fx->label);
  g_assert_true (cs_library_remove_label (fx->library, fx->label, NULL, &error));
  g_assert_no_error (error);
  none = cs_library_export_label (fx->library, fx->label, fx->out, NULL, CS_EXPORT_LINKS, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL);
  g_object_unref (fx->label);
  assert_originals_unchanged (fx);
}

/* The writer's escaping and the merger, on documents written here. */
static void
test_xmp_text (void)
{
  g_autofree char *keyword = cs_xmp_keyword ("a\x01" "b\xff" "c");
  g_autofree char *escaped = cs_xmp_escape ("<&>\"'\r");
  g_autofree char *merged = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  const char *foreign =
    "<?xml version=\"1.0\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><r:RDF xmlns:r=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
    "<r:Description r:about=\"\" xmlns:p=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"3\">"
    "<p:subject><r:Bag><r:li>Holiday</r:li></r:Bag></p:subject>"
    "</r:Description></r:RDF></x:xmpmeta>";

  /* a C0 control dropped, an invalid byte replaced */
  g_assert_cmpstr (keyword, ==, "ab\xef\xbf\xbd" "c");
  g_assert_cmpstr (escaped, ==, "&lt;&amp;&gt;&quot;&apos;&#xD;");

  /* other prefixes for RDF and DC: the bag found by namespace, the tags
   * list added with its own declaration */
  g_assert_true (cs_xmp_merge_keyword (foreign, -1, "A & B", &merged, &error));
  g_assert_no_error (error);
  g_assert_nonnull (merged);
  g_assert_nonnull (strstr (merged, "<r:li>Holiday</r:li><r:li>A &amp; B</r:li></r:Bag>"));
  g_assert_nonnull (strstr (merged, "<digiKam:TagsList xmlns:digiKam=\"http://www.digikam.org/ns/1.0/\">"
                                    "<r:Seq><r:li>A &amp; B</r:li></r:Seq></digiKam:TagsList></r:Description>"));
  g_assert_nonnull (strstr (merged, "xmp:Rating=\"3\""));
  /* merging again changes nothing */
  g_assert_true (cs_xmp_merge_keyword (merged, -1, "A & B", &again, &error));
  g_assert_no_error (error);
  g_assert_null (again);
  /* not XML, and XML without a Description */
  g_assert_false (cs_xmp_merge_keyword ("<a><b></a>", -1, "k", &again, &error));
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_false (cs_xmp_merge_keyword ("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>", -1, "k", &again, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* two bytes, not terminated: no read past them for a byte order mark */
  {
    g_autofree char *two = g_memdup2 ("<a", 2);
    g_assert_false (cs_xmp_merge_keyword (two, 2, "k", &again, &error));
    g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
    g_clear_error (&error);
  }
}

/* Namespaces as XML allows them and as no tool we know writes them
 * (exiv2 reads neither shape, so the expected text is written out by
 * hand here): "dc" bound to another namespace, RDF as the default
 * namespace; and every C0 control and U+FFFE out of a keyword. */
static void
test_xmp_namespaces (void)
{
  g_autofree char *controls = NULL;
  g_autofree char *merged = NULL;
  g_autofree char *merged2 = NULL;
  g_autoptr(GError) error = NULL;
  const char *foreign_dc =
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://example.com/not-dublin-core/\" xmp:Label=\"a&#xA;b\" "
    "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">"
    "<dc:subject><rdf:Bag><rdf:li>Physics</rdf:li></rdf:Bag></dc:subject>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>";
  const char *default_rdf =
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><RDF xmlns=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
    "<Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:digiKam=\"http://www.digikam.org/ns/1.0/\">"
    "<dc:subject><Bag><li>Old</li></Bag></dc:subject>"
    "<digiKam:TagsList><Seq><li>K</li></Seq></digiKam:TagsList>"
    "</Description></RDF></x:xmpmeta>";

  {
    GString *in = g_string_new ("a");
    for (char c = 1; c < 0x20; c++)
      g_string_append_c (in, c);
    g_string_append (in, "b\xef\xbf\xbe" "c\xef\xbf\xbf" "d");
    controls = cs_xmp_keyword (in->str);
    g_string_free (in, TRUE);
  }
  /* tab, newline and carriage return are XML characters, the rest not */
  g_assert_cmpstr (controls, ==, "a\t\n\rbcd");

  g_assert_true (cs_xmp_merge_keyword (foreign_dc, -1, "K", &merged, &error));
  g_assert_no_error (error);
  /* the other namespace's subject untouched, Dublin Core's added with
   * its own declaration, the newline still a newline */
  g_assert_nonnull (strstr (merged, "<dc:subject><rdf:Bag><rdf:li>Physics</rdf:li></rdf:Bag></dc:subject>"));
  g_assert_nonnull (strstr (merged, "<dc:subject xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                                    "<rdf:Bag><rdf:li>K</rdf:li></rdf:Bag></dc:subject>"));
  g_assert_nonnull (strstr (merged, "xmp:Label=\"a&#xA;b\""));

  g_assert_true (cs_xmp_merge_keyword (default_rdf, -1, "K", &merged2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (merged2, ==,
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><RDF xmlns=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                   "<Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:digiKam=\"http://www.digikam.org/ns/1.0/\">"
                   "<dc:subject><Bag><li>Old</li><li>K</li></Bag></dc:subject>"
                   "<digiKam:TagsList><Seq><li>K</li></Seq></digiKam:TagsList>"
                   "</Description></RDF></x:xmpmeta>");
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  {
    g_autofree char *raw = test_shared_path_or_skip ("testdata/toy-photos");
    toy_photos = g_canonicalize_filename (raw, NULL);
  }
  g_test_add_func ("/library/export/xmp-text", test_xmp_text);
  g_test_add_func ("/library/export/xmp-namespaces", test_xmp_namespaces);
  g_test_add ("/library/export/links", Fixture, NULL, fixture_setup, test_links, fixture_teardown);
  g_test_add ("/library/export/copies", Fixture, NULL, fixture_setup, test_copies, fixture_teardown);
  g_test_add ("/library/export/failures", Fixture, NULL, fixture_setup, test_failures, fixture_teardown);
  g_test_add ("/library/export/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
  rc = g_test_run ();
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
