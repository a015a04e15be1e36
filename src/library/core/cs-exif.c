/* cs-exif.c - the date a photo was taken, from its EXIF block.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A few dozen lines of TIFF-structure reading cover JPEG and every
 * TIFF-based RAW format; libexif would only cover JPEG.  Every offset is
 * checked against the buffer: the input is untrusted.
 */
#define G_LOG_DOMAIN "cs-exif"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-exif.h"

#define READ_LIMIT (512 * 1024)

#define TAG_DATETIME           0x0132
#define TAG_EXIF_IFD           0x8769
#define TAG_DATETIME_ORIGINAL  0x9003
#define TAG_DATETIME_DIGITIZED 0x9004
#define TAG_OFFSET_TIME        0x9010
#define TAG_OFFSET_TIME_ORIG   0x9011
#define TAG_OFFSET_TIME_DIGI   0x9012

typedef struct {
  const guint8 *t;   /* start of the TIFF header */
  gsize         len;
  gboolean      be;  /* big-endian ("MM") */
} Tiff;

static gboolean
rd16 (const Tiff *tf,
      gsize       off,
      guint      *out)
{
  if (off > tf->len || tf->len - off < 2)
    return FALSE;
  *out = tf->be ? (guint) (tf->t[off] << 8 | tf->t[off + 1])
                : (guint) (tf->t[off + 1] << 8 | tf->t[off]);
  return TRUE;
}

static gboolean
rd32 (const Tiff *tf,
      gsize       off,
      guint32    *out)
{
  if (off > tf->len || tf->len - off < 4)
    return FALSE;
  const guint8 *p = tf->t + off;
  *out = tf->be ? ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3])
                : ((guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0]);
  return TRUE;
}

/* Finds an ASCII tag in the IFD at `ifd` and copies it (NUL-terminated)
 * into buf; or, for a LONG/IFD tag, stores its value in *value. */
static gboolean
find_tag (const Tiff *tf,
          guint32     ifd,
          guint       tag,
          char       *buf,
          gsize       buf_len,
          guint32    *value)
{
  guint n;

  if (!rd16 (tf, ifd, &n) || n > 1000)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      gsize e = ifd + 2 + (gsize) i * 12;
      guint t, type;
      guint32 count, voff;

      if (!rd16 (tf, e, &t) || !rd16 (tf, e + 2, &type) || !rd32 (tf, e + 4, &count))
        return FALSE;
      if (t != tag)
        continue;
      if (value != NULL)
        return (type == 4 || type == 13) && rd32 (tf, e + 8, value);
      if (type != 2 || count == 0 || buf == NULL)
        return FALSE;
      gsize src = e + 8;
      if (count > 4)
        {
          if (!rd32 (tf, e + 8, &voff))
            return FALSE;
          src = voff;
        }
      if (src > tf->len || tf->len - src < count)
        return FALSE;
      gsize copy = MIN ((gsize) count, buf_len - 1);
      memcpy (buf, tf->t + src, copy);
      buf[copy] = '\0';
      return TRUE;
    }
  return FALSE;
}

/* "YYYY:MM:DD HH:MM:SS" (+ an optional "+HH:MM" offset) to Unix seconds. */
static gboolean
parse_exif_time (const char *s,
                 const char *offset,
                 gint64     *out)
{
  int y, mo, d, h, mi, se;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (s, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
    return FALSE;
  if (y < 1800 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return FALSE;
  /* a leap second (the standard allows :60), which GDateTime refuses */
  se = MIN (se, 59);
  if (offset != NULL && (offset[0] == '+' || offset[0] == '-') && strlen (offset) >= 6)
    tz = g_time_zone_new_identifier (offset);
  if (tz == NULL)
    tz = g_time_zone_new_local ();
  dt = g_date_time_new (tz, y, mo, d, h, mi, se);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* The date under DATE_TAG in IFD, read in the zone under OFFSET_TAG in
 * OFFSET_IFD (0: none), else in local time. */
static gboolean
try_date (const Tiff *tf,
          guint32     ifd,
          guint       date_tag,
          guint32     offset_ifd,
          guint       offset_tag,
          gint64     *out)
{
  char date[32], offset[16];
  gboolean have_offset;

  if (!find_tag (tf, ifd, date_tag, date, sizeof date, NULL))
    return FALSE;
  have_offset = offset_ifd != 0 && find_tag (tf, offset_ifd, offset_tag, offset, sizeof offset, NULL);
  return parse_exif_time (date, have_offset ? offset : NULL, out);
}

static gboolean
parse_tiff (const guint8 *t,
            gsize         len,
            gint64       *out)
{
  Tiff tf = { t, len, FALSE };
  guint magic;
  guint32 ifd0, exif_ifd;

  if (len < 8)
    return FALSE;
  if (t[0] == 'M' && t[1] == 'M')
    tf.be = TRUE;
  else if (!(t[0] == 'I' && t[1] == 'I'))
    return FALSE;
  if (!rd16 (&tf, 2, &magic) || (magic != 42 && magic != 0x4f52 && magic != 0x5352)
      || !rd32 (&tf, 4, &ifd0))
    return FALSE; /* 42: TIFF; 'RO'/'RS': Olympus ORF */

  if (!find_tag (&tf, ifd0, TAG_EXIF_IFD, NULL, 0, &exif_ifd))
    exif_ifd = 0;
  /* each in turn, each with its own offset (Exif 2.31's OffsetTime*,
   * in the Exif IFD): a date that is there but no date (the standard's
   * blanks for "unknown") must not hide the next one */
  return (exif_ifd != 0 && try_date (&tf, exif_ifd, TAG_DATETIME_ORIGINAL, exif_ifd, TAG_OFFSET_TIME_ORIG, out))
         || (exif_ifd != 0 && try_date (&tf, exif_ifd, TAG_DATETIME_DIGITIZED, exif_ifd, TAG_OFFSET_TIME_DIGI, out))
         || try_date (&tf, ifd0, TAG_DATETIME, exif_ifd, TAG_OFFSET_TIME, out);
}

gboolean
cs_exif_parse_date_taken (const guint8 *data,
                          gsize         len,
                          gint64       *unix_seconds)
{
  g_return_val_if_fail (unix_seconds != NULL, FALSE);

  if (len >= 4 && data[0] == 0xff && data[1] == 0xd8)
    {
      /* JPEG: walk the markers up to the image data, looking for APP1 Exif */
      gsize p = 2;
      while (p + 4 <= len && data[p] == 0xff)
        {
          guint8 marker = data[p + 1];
          gsize seg = (gsize) data[p + 2] << 8 | data[p + 3];
          if (marker == 0xda || marker == 0xd9 || seg < 2)
            break;
          if (marker == 0xe1 && seg >= 8 && p + 2 + seg <= len && memcmp (data + p + 4, "Exif\0\0", 6) == 0)
            return parse_tiff (data + p + 10, seg - 8, unix_seconds);
          p += 2 + seg;
        }
      return FALSE;
    }
  return parse_tiff (data, len, unix_seconds);
}

gboolean
cs_exif_read_date_taken (const char *path,
                         gint64     *unix_seconds)
{
  g_autofree guint8 *buf = g_malloc (READ_LIMIT);
  gsize got = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);

  if (fd < 0)
    return FALSE;
  while (got < READ_LIMIT)
    {
      ssize_t n = read (fd, buf + got, READ_LIMIT - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  close (fd);
  return cs_exif_parse_date_taken (buf, got, unix_seconds);
}
