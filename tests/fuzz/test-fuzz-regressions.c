/* test-fuzz-regressions.c - what the fuzz targets found, checked exactly.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The crash-* inputs of tests/fuzz/corpus are run through their targets by
 * every `meson test` (fuzz-main.c), which only catches crashes and
 * sanitizer reports.  Where a finding was a wrong answer rather than a
 * crash (an allocation bomb that succeeds on a machine with memory to
 * spare), the answer is asserted here.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-decode.h"

static char *
corpus_path (const char *target,
             const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_SRCDIR"), "fuzz", "corpus", target, name, NULL);
}

static guint8 *
read_file (const char *path,
           gsize      *len)
{
  char *data = NULL;
  GError *error = NULL;

  g_file_get_contents (path, &data, len, &error);
  g_assert_no_error (error);
  return (guint8 *) data;
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len)
{
  GError *error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
}

/* Decodes `path` and checks it is refused with `code` and a message
 * holding `message` (any message when NULL). */
static void
assert_refused (const char *path,
                int         code,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsDecodedImage) image = cs_decode_file (path, 0, &error);

  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, code);
  if (message != NULL && strstr (error->message, message) == NULL)
    g_error ("%s: \"%s\" does not say \"%s\"", path, error->message, message);
}

/* A 380-byte 8-bit BMP announcing 3,070,230,784 palette colours:
 * GdkPixbuf's loader reallocated 4 bytes a colour in 32 bits (3.7 GB)
 * and, where that succeeded, decoded it; Pillow refuses more than 65,536
 * colours, and so does the decoder now, from the header. */
static void
test_bmp_huge_palette (void)
{
  g_autofree char *path = corpus_path ("fuzz-decode", "crash-bmp-huge-palette");
  g_autofree char *seed = corpus_path ("fuzz-decode", "seed-palette.bmp");
  g_autofree char *dir = g_dir_make_tmp ("clipsight-fuzz-XXXXXX", NULL);
  g_autofree char *over = g_build_filename (dir, "over.bmp", NULL);
  g_autofree guint8 *data = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  assert_refused (path, CS_DECODE_ERROR_CORRUPT, "palette of 3070230784 colours");

  /* a valid 8-bit BMP decodes; announcing 65,537 colours (bytes 46..49),
   * one over Pillow's limit, it is refused from its header */
  image = cs_decode_file (seed, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_clear_pointer (&image, cs_decoded_image_free);
  data = read_file (seed, &len);
  g_assert_cmpuint (len, >, 54);
  g_assert_cmpuint (data[28], ==, 8);
  data[46] = 0x01, data[47] = 0x00, data[48] = 0x01, data[49] = 0x00;
  write_file (over, data, len);
  assert_refused (over, CS_DECODE_ERROR_CORRUPT, "palette of 65537 colours");
  g_unlink (over);
  g_rmdir (dir);
}

/* A 26-byte BMP whose info header announces 4,294,967,111 bytes:
 * GdkPixbuf's loader reallocated that much before reading on; Pillow
 * knows seven header sizes and refuses the rest, as the decoder now does,
 * and a valid BMP's header (40 bytes) changed to another size is refused
 * the same way. */
static void
test_bmp_huge_header (void)
{
  g_autofree char *path = corpus_path ("fuzz-decode", "crash-bmp-huge-header");
  g_autofree char *seed = corpus_path ("fuzz-decode", "seed-rgb.bmp");
  g_autofree char *dir = g_dir_make_tmp ("clipsight-fuzz-XXXXXX", NULL);
  g_autofree char *odd = g_build_filename (dir, "odd.bmp", NULL);
  g_autofree guint8 *data = NULL;
  gsize len;

  assert_refused (path, CS_DECODE_ERROR_CORRUPT, "unknown header size of 4294967111 bytes");

  data = read_file (seed, &len);
  g_assert_cmpuint (len, >, 54);
  g_assert_cmpuint (data[14], ==, 40);
  data[14] = 44;
  write_file (odd, data, len);
  assert_refused (odd, CS_DECODE_ERROR_CORRUPT, "unknown header size of 44 bytes");
  g_unlink (odd);
  g_rmdir (dir);
}

/* A 634-byte 24-bit BMP whose file header puts the pixels at byte
 * 2,483,028,022: GdkPixbuf's loader reallocated its buffer to reach them
 * (2.5 GB, which libFuzzer's 2 GB limit stopped).  Pixels past the end
 * of the file are refused from the header now; a valid BMP's offset moved
 * one byte past its end is refused, and moved to exactly its end (no
 * pixels left to read) fails as truncated, as in Pillow, where the loader
 * returned a blank image.  So does the valid BMP cut one byte short. */
static void
test_bmp_pixels_past_end (void)
{
  g_autofree char *path = corpus_path ("fuzz-decode", "crash-bmp-pixels-past-end");
  g_autofree char *seed = corpus_path ("fuzz-decode", "seed-rgb.bmp");
  g_autofree char *dir = g_dir_make_tmp ("clipsight-fuzz-XXXXXX", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.bmp", NULL);
  g_autofree guint8 *data = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  assert_refused (path, CS_DECODE_ERROR_CORRUPT, "pixels at byte 2483028022, past the end of the 634-byte file");

  data = read_file (seed, &len);
  image = cs_decode_file (seed, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_clear_pointer (&image, cs_decoded_image_free);

  data[10] = (guint8) ((len + 1) & 0xff);
  data[11] = (guint8) (((len + 1) >> 8) & 0xff);
  data[12] = data[13] = 0;
  write_file (moved, data, len);
  assert_refused (moved, CS_DECODE_ERROR_CORRUPT, "past the end");

  data[10] = (guint8) (len & 0xff);
  data[11] = (guint8) ((len >> 8) & 0xff);
  write_file (moved, data, len);
  assert_refused (moved, CS_DECODE_ERROR_TRUNCATED, NULL);

  data[10] = 54;
  data[11] = 0;
  write_file (moved, data, len - 1);
  assert_refused (moved, CS_DECODE_ERROR_TRUNCATED, "truncated BMP (1205 of the 1206 bytes");
  g_unlink (moved);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fuzz/decode/bmp-huge-palette", test_bmp_huge_palette);
  g_test_add_func ("/fuzz/decode/bmp-huge-header", test_bmp_huge_header);
  g_test_add_func ("/fuzz/decode/bmp-pixels-past-end", test_bmp_pixels_past_end);
  return g_test_run ();
}
