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

/* A TIFF block built entry by entry, in either byte order: IFD0 at 8,
 * the Exif IFD (when n_exif > 0) right after it, then the strings. */
typedef struct {
  guint16     tag;
  guint16     type;   /* 2: ASCII, the string below; 4 or 13: the Exif IFD's offset */
  const char *ascii;
} Tag;

static void
put (GByteArray *b,
     gboolean    be,
     guint32     v,
     guint       size)
{
  for (guint i = 0; i < size; i++)
    {
      guint shift = 8 * (be ? size - 1 - i : i);
      guint8 byte = (guint8) (v >> shift);

      g_byte_array_append (b, &byte, 1);
    }
}

static GByteArray *
build_tiff (gboolean   be,
            guint16    magic,
            const Tag *ifd0,
            guint      n0,
            const Tag *exif,
            guint      n_exif)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr(GByteArray) strings = g_byte_array_new ();
  guint32 exif_at = 8 + 2 + 12 * n0 + 4;
  guint32 data = exif_at + (n_exif > 0 ? 2 + 12 * n_exif + 4 : 0);

  g_byte_array_append (b, (const guint8 *) (be ? "MM" : "II"), 2);
  put (b, be, magic, 2);
  put (b, be, 8, 4);
  for (guint k = 0; k < (n_exif > 0 ? 2 : 1); k++)
    {
      const Tag *tags = k == 0 ? ifd0 : exif;
      guint n = k == 0 ? n0 : n_exif;

      put (b, be, n, 2);
      for (guint i = 0; i < n; i++)
        {
          put (b, be, tags[i].tag, 2);
          put (b, be, tags[i].type, 2);
          if (tags[i].type == 2)
            {
              guint32 len = (guint32) strlen (tags[i].ascii) + 1;

              g_assert_cmpuint (len, >, 4);  /* not inline */
              put (b, be, len, 4);
              put (b, be, data + strings->len, 4);
              g_byte_array_append (strings, (const guint8 *) tags[i].ascii, len);
            }
          else
            {
              put (b, be, 1, 4);
              put (b, be, exif_at, 4);
            }
        }
      put (b, be, 0, 4);
    }
  g_byte_array_append (b, strings->data, strings->len);
  return b;
}

#define EXIF_IFD(type) { 0x8769, type, NULL }
#define ORIGINAL(s)    { 0x9003, 2, s }
#define DIGITIZED(s)   { 0x9004, 2, s }
#define OFFSET(s)      { 0x9011, 2, s }
#define OFFSET_DIGI(s) { 0x9012, 2, s }
#define OFFSET_DT(s)   { 0x9010, 2, s }
#define DATETIME(s)    { 0x0132, 2, s }

static gint64
date_of (GByteArray *t)
{
  gint64 when = G_MININT64;

  g_assert_true (cs_exif_parse_date_taken (t->data, t->len, &when));
  return when;
}

/* Big-endian ("MM") blocks as well as little-endian ones, the Exif IFD's
 * pointer as a LONG or as an IFD (type 13), and Olympus' ORF headers
 * ("IIRO", "IIRS" in place of 42). */
static void
test_exif_byte_orders (void)
{
  static const Tag exif[] = { ORIGINAL ("2020:02:29 23:59:59"), OFFSET ("+00:00") };
  static const Tag as_long[] = { EXIF_IFD (4) }, as_ifd[] = { EXIF_IFD (13) };
  const gint64 want = 1583020799; /* 2020-02-29T23:59:59Z */

  for (guint be = 0; be < 2; be++)
    {
      g_autoptr(GByteArray) l = build_tiff (be, 42, as_long, 1, exif, 2);
      g_autoptr(GByteArray) i = build_tiff (be, 42, as_ifd, 1, exif, 2);

      g_assert_cmpuint (l->data[0], ==, be ? 'M' : 'I');
      g_assert_cmpint (date_of (l), ==, want);
      g_assert_cmpint (date_of (i), ==, want);
    }
  for (guint m = 0; m < 2; m++)
    {
      g_autoptr(GByteArray) orf = build_tiff (FALSE, m == 0 ? 0x4f52 : 0x5352, as_long, 1, exif, 2);

      g_assert_cmpmem (orf->data, 4, m == 0 ? "IIRO" : "IIRS", 4);
      g_assert_cmpint (date_of (orf), ==, want);
    }
}

/* DateTimeOriginal, else DateTimeDigitized, else IFD0's DateTime (read
 * as local time: main() sets the zone to UTC+3); a date that is there
 * but no date (blanks, for unknown) counts as absent. */
static void
test_exif_which_date (void)
{
  static const Tag ifd0_dt[] = { EXIF_IFD (4), DATETIME ("2003:03:03 10:00:00") };
  static const Tag all[] = { DIGITIZED ("2002:02:02 10:00:00"), ORIGINAL ("2001:01:01 10:00:00"),
                             OFFSET ("+00:00") };
  static const Tag digitized[] = { DIGITIZED ("2002:02:02 10:00:00") };
  static const Tag no_date[] = { OFFSET ("+00:00") };
  /* the EXIF standard's "unknown" date: blanks */
  static const Tag blank[] = { ORIGINAL ("    :  :     :  :  "), DIGITIZED ("2002:02:02 10:00:00") };
  g_autoptr(GByteArray) a = build_tiff (FALSE, 42, ifd0_dt, 2, all, 3);
  g_autoptr(GByteArray) d = build_tiff (TRUE, 42, ifd0_dt, 2, digitized, 1);
  g_autoptr(GByteArray) n = build_tiff (FALSE, 42, ifd0_dt, 2, no_date, 1);
  g_autoptr(GByteArray) o = build_tiff (FALSE, 42, ifd0_dt + 1, 1, NULL, 0);
  g_autoptr(GByteArray) b = build_tiff (FALSE, 42, ifd0_dt, 2, blank, 2);

  g_assert_cmpint (date_of (a), ==, 978343200);  /* 2001-01-01T10:00:00Z */
  g_assert_cmpint (date_of (d), ==, 1012633200); /* 2002-02-02T10:00:00+03:00 */
  g_assert_cmpint (date_of (n), ==, 1046674800); /* 2003-03-03T10:00:00+03:00 */
  g_assert_cmpint (date_of (o), ==, 1046674800);
  g_assert_cmpint (date_of (b), ==, 1012633200); /* the digitized one */
}

/* OffsetTimeOriginal either side of UTC; without it, local time. */
static void
test_exif_time_zones (void)
{
  static const struct {
    const char *offset;   /* NULL: none */
    gint64      want;     /* 2021-07-04 12:30:00 there */
  } cases[] = {
    { "+02:00", 1625394600 },
    { "-05:00", 1625419800 },
    { "+05:30", 1625382000 },
    { NULL, 1625391000 },   /* local: UTC+3 */
  };
  static const Tag ifd0[] = { EXIF_IFD (4) };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Tag exif[] = { ORIGINAL ("2021:07:04 12:30:00"), OFFSET (cases[c].offset) };
      g_autoptr(GByteArray) t = build_tiff (c % 2 == 1, 42, ifd0, 1, exif, cases[c].offset != NULL ? 2 : 1);

      g_assert_cmpint (date_of (t), ==, cases[c].want);
    }
}

/* Each date in its own zone (Exif 2.31): OffsetTimeDigitized for
 * DateTimeDigitized, OffsetTime for IFD0's DateTime; OffsetTimeOriginal
 * belongs to DateTimeOriginal alone (a camera can write it beside a
 * digitized date taken elsewhere, as a scanner's). */
static void
test_exif_offset_per_date (void)
{
  static const Tag ifd0[] = { EXIF_IFD (4) };
  static const Tag ifd0_dt[] = { EXIF_IFD (4), DATETIME ("2003:03:03 10:00:00") };
  static const Tag digi[] = { DIGITIZED ("2021:07:04 12:30:00"), OFFSET ("+02:00"), OFFSET_DIGI ("-05:00") };
  static const Tag digi_orig_offset[] = { DIGITIZED ("2021:07:04 12:30:00"), OFFSET ("+02:00") };
  static const Tag dt_offset[] = { OFFSET_DT ("+05:30"), OFFSET ("+02:00"), OFFSET_DIGI ("-05:00") };
  g_autoptr(GByteArray) a = build_tiff (FALSE, 42, ifd0, 1, digi, 3);
  g_autoptr(GByteArray) b = build_tiff (TRUE, 42, ifd0, 1, digi_orig_offset, 2);
  g_autoptr(GByteArray) c = build_tiff (FALSE, 42, ifd0_dt, 2, dt_offset, 3);

  g_assert_cmpint (date_of (a), ==, 1625419800); /* 12:30 at UTC-5 */
  g_assert_cmpint (date_of (b), ==, 1625391000); /* 12:30 local, UTC+3 */
  g_assert_cmpint (date_of (c), ==, 1046665800); /* 2003-03-03 10:00 at UTC+5:30 */
}

/* The standard allows a leap second (":60"); GDateTime does not, so it
 * reads as the second before rather than as no date. */
static void
test_exif_leap_second (void)
{
  static const Tag ifd0[] = { EXIF_IFD (4) };
  static const Tag exif[] = { ORIGINAL ("2016:12:31 23:59:60"), OFFSET ("+00:00") };
  g_autoptr(GByteArray) t = build_tiff (FALSE, 42, ifd0, 1, exif, 2);

  g_assert_cmpint (date_of (t), ==, 1483228799); /* 2016-12-31T23:59:59Z */
}

/* Years from 1800 to 2200 are dates; others (a camera whose clock was
 * never set, a broken writer) are none. */
static void
test_exif_years (void)
{
  static const struct {
    const char *date;
    gboolean    ok;
    gint64      want;
  } cases[] = {
    { "1799:12:31 23:59:59", FALSE, 0 },
    { "1800:01:01 00:00:00", TRUE, -5364662400 },
    { "2200:12:31 23:59:59", TRUE, 7289654399 },
    { "2201:01:01 00:00:00", FALSE, 0 },
    { "0001:01:01 00:00:00", FALSE, 0 },
  };
  static const Tag ifd0[] = { EXIF_IFD (4) };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Tag exif[] = { ORIGINAL (cases[c].date), OFFSET ("+00:00") };
      g_autoptr(GByteArray) t = build_tiff (FALSE, 42, ifd0, 1, exif, 2);
      gint64 when = 0;

      g_assert_cmpint (cs_exif_parse_date_taken (t->data, t->len, &when), ==, cases[c].ok);
      if (cases[c].ok)
        g_assert_cmpint (when, ==, cases[c].want);
    }
}

/* The parser reads only the `len` bytes it is given, although the
 * buffers here go on past `len` with the bytes that were cut off: a read
 * past the end would find a date there. */
static void
test_exif_bounds (void)
{
  g_autoptr(GByteArray) t = make_tiff ("2021:07:04 12:30:00", "+02:00");
  gint64 when;

  /* the offset string is last: cut, the date is local time */
  for (guint len = 0; len < t->len; len++)
    {
      when = 0;
      if (cs_exif_parse_date_taken (t->data, len, &when))
        g_assert_cmpint (when, ==, 1625391000); /* 12:30 at UTC+3 */
    }
  g_assert_cmpint (date_of (t), ==, 1625394600);

  /* a date before its IFD, which ends the block (as the IFD0 entry's
   * offset): bytes 8..27 the date, 28 the IFD of one entry, 30..41 the
   * entry, then the next IFD's offset (unread) */
  {
    g_autoptr(GByteArray) b = g_byte_array_new ();

    g_byte_array_append (b, (const guint8 *) "II*\0\x1c\0\0\0", 8); /* IFD0 at 28 */
    g_byte_array_append (b, (const guint8 *) "2003:03:03 10:00:00", 20);
    put (b, FALSE, 1, 2);
    put (b, FALSE, 0x0132, 2);
    put (b, FALSE, 2, 2);
    put (b, FALSE, 20, 4);
    put (b, FALSE, 8, 4);
    put (b, FALSE, 0, 4);
    g_assert_cmpuint (b->len, ==, 46);
    for (guint len = 0; len <= b->len; len++)
      {
        when = 0;
        g_assert_cmpint (cs_exif_parse_date_taken (b->data, len, &when), ==, len >= 42);
        if (len >= 42)
          g_assert_cmpint (when, ==, 1046674800);
      }
  }

  /* an IFD has as many entries as its count says: the 12 bytes after
   * them (the next IFD's offset, 0x00020132, and what follows) are no
   * entry, though they would read as a DateTime */
  {
    g_autoptr(GByteArray) b = g_byte_array_new ();

    g_byte_array_append (b, (const guint8 *) "II*\0\x08\0\0\0", 8);
    put (b, FALSE, 1, 2);                    /* IFD0 at 8: ImageWidth only */
    put (b, FALSE, 0x0100, 2);
    put (b, FALSE, 4, 2);
    put (b, FALSE, 1, 4);
    put (b, FALSE, 640, 4);
    put (b, FALSE, 0x00020132, 4);           /* next IFD, past the end */
    put (b, FALSE, 20, 4);
    put (b, FALSE, 34, 4);                   /* the date below */
    g_byte_array_append (b, (const guint8 *) "2003:03:03 10:00:00", 20);
    g_assert_cmpuint (b->len, ==, 54);
    g_assert_false (cs_exif_parse_date_taken (b->data, b->len, &when));
  }

  /* in a JPEG: the Exif TIFF ends with its APP1 segment, and the segment
   * with the file */
  {
    g_autoptr(GByteArray) d = make_tiff ("2019:01:02 03:04:05", NULL);
    guint8 soi[2] = { 0xff, 0xd8 }, app1[4] = { 0xff, 0xe1, 0, 0 };

    for (guint c = 0; c < 4; c++)
      {
        g_autoptr(GByteArray) j = g_byte_array_new ();
        /* 0: whole; 1: the segment 2 bytes short of its TIFF; 2: a
         * segment too short for the Exif header, the TIFF after it; 3: the
         * file cut inside the segment */
        gsize seg = c == 1 ? d->len + 6 : c == 2 ? 6 : d->len + 8;

        app1[2] = (guint8) (seg >> 8);
        app1[3] = (guint8) seg;
        g_byte_array_append (j, soi, 2);
        g_byte_array_append (j, app1, 4);
        g_byte_array_append (j, (const guint8 *) "Exif\0\0", 6);
        g_byte_array_append (j, d->data, d->len);
        when = 0;
        g_assert_cmpint (cs_exif_parse_date_taken (j->data, c == 3 ? j->len - 1 : j->len, &when), ==, c == 0);
        if (c == 0)
          g_assert_cmpint (when, ==, 1546398245 - 3 * 3600); /* 03:04:05 at UTC+3 */
      }
  }

  /* a value longer than the buffer it is copied into is cut (ASan) */
  {
    static const Tag ifd0[] = { EXIF_IFD (4) };
    static const Tag exif[] = { ORIGINAL ("2021:07:04 12:30:00 and then some more words"),
                                OFFSET ("+02:00") };
    g_autoptr(GByteArray) l = build_tiff (FALSE, 42, ifd0, 1, exif, 2);

    g_assert_cmpint (date_of (l), ==, 1625394600);
  }
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
  /* a zone of our own for the dates without an offset (local time), so
   * that the figures do not depend on the machine's: UTC+3, no DST */
  g_setenv ("TZ", "<+03>-3", TRUE);
  g_test_add_func ("/library/meta/exif-tiff-offset", test_exif_tiff_with_offset);
  g_test_add_func ("/library/meta/exif-in-jpeg", test_exif_in_jpeg);
  g_test_add_func ("/library/meta/exif-hostile", test_exif_hostile);
  g_test_add_func ("/library/meta/exif-byte-orders", test_exif_byte_orders);
  g_test_add_func ("/library/meta/exif-which-date", test_exif_which_date);
  g_test_add_func ("/library/meta/exif-time-zones", test_exif_time_zones);
  g_test_add_func ("/library/meta/exif-offset-per-date", test_exif_offset_per_date);
  g_test_add_func ("/library/meta/exif-leap-second", test_exif_leap_second);
  g_test_add_func ("/library/meta/exif-years", test_exif_years);
  g_test_add_func ("/library/meta/exif-bounds", test_exif_bounds);
  g_test_add_func ("/library/meta/partial-hash", test_partial_hash);
  g_test_add_func ("/library/meta/raw-refusals", test_raw_refusals);
  return g_test_run ();
}
