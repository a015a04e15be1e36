/* test-meta.c - EXIF dates and the partial content hash, against values
 * computed by hand (Python's hashlib and datetime).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "cs-exif.h"
#include "cs-file-hash.h"
#include "cs-raw.h"
#include "test-util.h"

/* Appends a little-endian TIFF block with IFD0 {ExifIFD} and the Exif IFD
 * {DateTimeOriginal, OffsetTimeOriginal (when offset != NULL)}. */
static GByteArray *
make_tiff (const char *date,
           const char *offset)
{
  GByteArray *b = g_byte_array_new ();
  guint8 hdr[8] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  int n_exif = offset != NULL ? 2 : 1;
  guint32 exif_ifd = 8 + 2 + 12 + 4;
  guint32 data = exif_ifd + 2 + 12 * n_exif + 4;

#define U16(v) do { guint16 x = GUINT16_TO_LE (v); g_byte_array_append (b, (guint8 *) &x, 2); } while (0)
#define U32(v) do { guint32 x = GUINT32_TO_LE (v); g_byte_array_append (b, (guint8 *) &x, 4); } while (0)
  g_byte_array_append (b, hdr, 8);
  U16 (1);                                   /* IFD0: one entry */
  U16 (0x8769); U16 (4); U32 (1); U32 (exif_ifd);
  U32 (0);
  U16 (n_exif);                              /* Exif IFD */
  U16 (0x9003); U16 (2); U32 (20); U32 (data);
  if (offset != NULL)
    {
      U16 (0x9011); U16 (2); U32 (7); U32 (data + 20);
    }
  U32 (0);
  g_byte_array_append (b, (const guint8 *) date, 20); /* 19 chars + NUL */
  if (offset != NULL)
    g_byte_array_append (b, (const guint8 *) offset, 7);
#undef U16
#undef U32
  return b;
}

static void
test_exif_tiff_with_offset (void)
{
  g_autoptr(GByteArray) t = make_tiff ("2021:07:04 12:30:00", "+02:00");
  gint64 when = 0;

  g_assert_true (cs_exif_parse_date_taken (t->data, t->len, &when));
  g_assert_cmpint (when, ==, 1625394600); /* 2021-07-04T10:30:00Z */
}

static void
test_exif_in_jpeg (void)
{
  g_autoptr(GByteArray) t = make_tiff ("2019:01:02 03:04:05", "+00:00");
  g_autoptr(GByteArray) j = g_byte_array_new ();
  guint8 soi[2] = { 0xff, 0xd8 }, app1[4] = { 0xff, 0xe1, 0, 0 };
  guint8 app0[6] = { 0xff, 0xe0, 0, 4, 'J', 'F' }, eoi[2] = { 0xff, 0xd9 };
  gsize seg = t->len + 8;
  gint64 when = 0;

  app1[2] = (guint8) (seg >> 8);
  app1[3] = (guint8) seg;
  g_byte_array_append (j, soi, 2);
  g_byte_array_append (j, app0, 6);          /* another segment first */
  g_byte_array_append (j, app1, 4);
  g_byte_array_append (j, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (j, t->data, t->len);
  g_byte_array_append (j, eoi, 2);
  g_assert_true (cs_exif_parse_date_taken (j->data, j->len, &when));
  g_assert_cmpint (when, ==, 1546398245);    /* 2019-01-02T03:04:05Z */

  /* and from a file */
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "x.jpg", NULL);
  g_assert_true (g_file_set_contents (path, (const char *) j->data, j->len, NULL));
  when = 0;
  g_assert_true (cs_exif_read_date_taken (path, &when));
  g_assert_cmpint (when, ==, 1546398245);
  test_rm_rf (dir);
}

static void
test_exif_hostile (void)
{
  g_autoptr(GByteArray) t = make_tiff ("2021:07:04 12:30:00", NULL);
  gint64 when = 0;

  /* every truncation is refused or parsed, never read out of bounds (ASan) */
  for (guint len = 0; len < t->len; len++)
    (void) cs_exif_parse_date_taken (t->data, len, &when);
  /* offsets pointing far outside */
  t->data[4] = 0xff;
  t->data[5] = 0xff;
  g_assert_false (cs_exif_parse_date_taken (t->data, t->len, &when));
  g_autoptr(GByteArray) bad = make_tiff ("2021:13:45 99:99:99", NULL);
  g_assert_false (cs_exif_parse_date_taken (bad->data, bad->len, &when));
  g_assert_false (cs_exif_parse_date_taken ((const guint8 *) "not an image", 12, &when));
  g_assert_false (cs_exif_read_date_taken ("/nonexistent/x.jpg", &when));
}

static void
test_partial_hash (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *small = g_build_filename (dir, "small", NULL);
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autoptr(GError) error = NULL;
  const gsize big_len = 3 * 1024 * 1024 + 17;
  g_autofree char *data = g_malloc (big_len);

  g_assert_true (g_file_set_contents (small, "abc", 3, NULL));
  g_autofree char *h = cs_file_hash_partial (small, NULL, &error);
  g_assert_no_error (error);
  /* hashlib.sha256(struct.pack('<Q', 3) + b'abc') */
  g_assert_cmpstr (h, ==, "ce91dc5eec0139adf091900d225971d6ad246a845bad791b5693a9d0d55dd391");

  for (gsize i = 0; i < big_len; i++)
    data[i] = (char) (i * 7 + i / 1000);
  g_assert_true (g_file_set_contents (big, data, (gssize) big_len, NULL));
  g_autofree char *h1 = cs_file_hash_partial (big, NULL, NULL);
  /* the middle is not read: same hash */
  data[2 * 1024 * 1024] ^= 1;
  g_assert_true (g_file_set_contents (big, data, (gssize) big_len, NULL));
  g_autofree char *h2 = cs_file_hash_partial (big, NULL, NULL);
  g_assert_cmpstr (h1, ==, h2);
  /* the head and the tail are */
  data[10] ^= 1;
  g_assert_true (g_file_set_contents (big, data, (gssize) big_len, NULL));
  g_autofree char *h3 = cs_file_hash_partial (big, NULL, NULL);
  g_assert_cmpstr (h3, !=, h2);
  data[big_len - 5] ^= 1;
  g_assert_true (g_file_set_contents (big, data, (gssize) big_len, NULL));
  g_autofree char *h4 = cs_file_hash_partial (big, NULL, NULL);
  g_assert_cmpstr (h4, !=, h3);

  g_assert_null (cs_file_hash_partial ("/nonexistent/file", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/file"));
  test_rm_rf (dir);
}

static void
test_raw_refusals (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  g_autofree char *fake = g_build_filename (dir, "IMG_0001.CR2", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pb = NULL;

  g_assert_true (cs_raw_is_raw_name ("x.nef"));
  g_assert_true (cs_raw_is_raw_name ("/a.b/IMG.ARW"));
  g_assert_false (cs_raw_is_raw_name ("/a.cr2/photo"));
  g_assert_false (cs_raw_is_raw_name ("x.jpg"));
  g_assert_true (g_file_set_contents (fake, "not a raw file at all", -1, NULL));
  pb = cs_raw_load_preview (fake, &error);
  g_assert_null (pb);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "IMG_0001.CR2"));
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/meta/exif-tiff-offset", test_exif_tiff_with_offset);
  g_test_add_func ("/library/meta/exif-in-jpeg", test_exif_in_jpeg);
  g_test_add_func ("/library/meta/exif-hostile", test_exif_hostile);
  g_test_add_func ("/library/meta/partial-hash", test_partial_hash);
  g_test_add_func ("/library/meta/raw-refusals", test_raw_refusals);
  return g_test_run ();
}
