/* decode-test-child.c - a decode measured in a forked child: its error
 * and how much its peak resident size grew, and the check that a bomb is
 * refused from its header in a few megabytes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "cs-decode.h"
#include "cs-raw.h"
#include "decode-test-util.h"

/* A "VmRSS:" or "VmHWM:" figure of /proc/self/status in kB, or -1. */
static long
proc_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (at = strstr (status, field)) == NULL)
    return -1;
  return strtol (at + strlen (field), NULL, 10);
}

/* Starts measuring the peak resident size afresh: the current size, after
 * resetting the kernel's high-water mark when allowed ("5" to clear_refs),
 * else the peak so far. */
long
decode_test_peak_rss_reset_kb (void)
{
  struct rusage ru;

  if (g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL) &&
      proc_status_kb ("VmRSS:") >= 0)
    return proc_status_kb ("VmRSS:");
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

long
decode_test_peak_rss_kb (void)
{
  struct rusage ru;
  long hwm = proc_status_kb ("VmHWM:");

  if (hwm >= 0)
    return hwm;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

void
decode_test_in_child_for_size (const char  *path,
                               const char  *warm,
                               guint64      max_pixels,
                               gboolean     raw,
                               int          min_short_side,
                               ChildDecode *out)
{
  int fds[2];
  pid_t pid;
  int status;
  gsize got = 0;

  memset (out, 0, sizeof *out);
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      ChildDecode r = { 0 };
      CsDecodedImage *image = NULL;
      GdkPixbuf *preview = NULL;
      GError *error = NULL;
      long before;
      gsize off = 0;

      close (fds[0]);
      if (warm != NULL)
        {
          if (raw)
            preview = cs_raw_load_preview (warm, &error);
          else
            image = cs_decode_file (warm, 0, &error);
          cs_decoded_image_free (image);
          g_clear_object (&preview);
          g_clear_error (&error);
        }
      before = decode_test_peak_rss_reset_kb ();
      image = raw ? NULL : cs_decode_file_for_size (path, min_short_side, max_pixels, &error);
      preview = raw ? cs_raw_load_preview (path, &error) : NULL;
      r.growth_kb = decode_test_peak_rss_kb () - before;
      r.decoded = image != NULL || preview != NULL;
      if (error != NULL)
        {
          r.decode_domain = error->domain == CS_DECODE_ERROR;
          r.code = error->code;
          g_strlcpy (r.message, error->message, sizeof r.message);
        }
      while (off < sizeof r)
        {
          ssize_t n = write (fds[1], (const char *) &r + off, sizeof r - off);

          if (n <= 0)
            break;
          off += (gsize) n;
        }
      _exit (0);
    }
  close (fds[1]);
  while (got < sizeof *out)
    {
      ssize_t n = read (fds[0], (char *) out + got, sizeof *out - got);

      if (n <= 0)
        break;
      got += (gsize) n;
    }
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpuint (got, ==, sizeof *out);
  g_test_message ("%s: %s; peak RSS grew by %.1f MB", path,
                  out->decoded ? "decoded" : out->message, out->growth_kb / 1024.0);
}

static void
decode_in_child (const char  *path,
                 const char  *warm,
                 guint64      max_pixels,
                 gboolean     raw,
                 ChildDecode *out)
{
  decode_test_in_child_for_size (path, warm, max_pixels, raw, 0, out);
}

/* A bomb is refused from its header: TOO_LARGE, a message naming the
 * file and the announced size, and no more than `bound_mb` of memory. */
void
decode_test_assert_bomb_refused_as (const char *path,
                                    const char *warm,
                                    guint64     max_pixels,
                                    gboolean    raw,
                                    const char *size_text,
                                    long        bound_mb)
{
  ChildDecode r;
  g_autofree char *name = g_filename_display_name (path);

  decode_in_child (path, warm, max_pixels, raw, &r);
  g_assert_false (r.decoded);
  g_assert_true (r.decode_domain);
  g_assert_cmpint (r.code, ==, CS_DECODE_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (r.message, name));
  g_assert_nonnull (strstr (r.message, size_text));
  g_assert_cmpint (r.growth_kb, <, bound_mb * 1024);
}

void
decode_test_assert_bomb_refused (const char *path,
                                 const char *warm,
                                 guint64     max_pixels,
                                 const char *size_text,
                                 long        bound_mb)
{
  decode_test_assert_bomb_refused_as (path, warm, max_pixels, FALSE, size_text, bound_mb);
}
