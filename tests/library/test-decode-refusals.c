/* test-decode-refusals.c - files the decoder refuses (too many pixels,
 * empty, truncated, corrupt, text named .jpg, missing), engine errors, and
 * files left unchanged by a decode.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <stdio.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cs-clip-error.h"
#include "cs-decode-clip.h"
#include "decode-test-util.h"

static void
test_max_pixels (void)
{
  g_autofree char *path = g_build_filename (decode_test_ref_dir, "images", "rocket.jpg", NULL);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 640 * 427 - 1, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TOO_LARGE);
  decode_test_assert_error_names_file (error, path);
  g_assert_nonnull (strstr (error->message, "640x427"));
  g_clear_error (&error);

  image = cs_decode_file (path, 640 * 427, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 640);
}

static void
test_empty_file (TempFixture  *fixture,
                 gconstpointer data)
{
  g_autofree char *path = decode_test_write_temp (fixture, "empty.jpg", (const guint8 *) "", 0);

  decode_test_assert_refused (path, CS_DECODE_ERROR_EMPTY, "empty");
}

static void
test_truncated_jpeg (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autofree char *src = g_build_filename (decode_test_ref_dir, "images", "rocket.jpg", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  gsize len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = decode_test_write_temp (fixture, "half.jpg", (const guint8 *) contents, len / 2);

  decode_test_assert_refused (path, CS_DECODE_ERROR_TRUNCATED, "truncated JPEG");

  /* All but the end-of-image marker: still refused, as Pillow does. */
  g_clear_pointer (&path, g_free);
  path = decode_test_write_temp (fixture, "no-eoi.jpg", (const guint8 *) contents, len - 2);
  image = cs_decode_file (path, 0, &error);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* Data after the end-of-image marker (as in "motion photos") is fine. */
  {
    g_autoptr(GByteArray) longer = g_byte_array_new ();

    g_byte_array_append (longer, (const guint8 *) contents, (guint) len);
    g_byte_array_append (longer, (const guint8 *) "trailing data \xff\xd8", 16);
    g_clear_pointer (&path, g_free);
    path = decode_test_write_temp (fixture, "trailer.jpg", longer->data, longer->len);
    image = cs_decode_file (path, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (image->width, ==, 640);
  }
}

static void
test_truncated_png (TempFixture  *fixture,
                    gconstpointer data)
{
  g_autofree char *src = g_build_filename (decode_test_ref_dir, "images", "astronaut.png", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  gsize len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = decode_test_write_temp (fixture, "half.png", (const guint8 *) contents, len / 2);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_TRUNCATED);
  decode_test_assert_error_names_file (error, path);
  g_clear_error (&error);

  /* Only the IEND chunk missing: the image data is whole; Pillow accepts
   * it, so do we. */
  g_assert_cmpmem (contents + len - 8, 4, "IEND", 4);
  g_clear_pointer (&path, g_free);
  path = decode_test_write_temp (fixture, "no-iend.png", (const guint8 *) contents, len - 12);
  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 512);
}

static void
test_corrupt_png (TempFixture  *fixture,
                  gconstpointer data)
{
  const guint8 rows[12] = { 0 };
  g_autoptr(GByteArray) png = decode_test_make_png (2, 2, 8, 2, rows, 6, NULL, 0, NULL, 0);
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  /* Break the zlib header inside IDAT (offset: 8 signature + 25 IHDR +
   * 8 IDAT length and type). */
  png->data[8 + 25 + 8] = 0x00;
  path = decode_test_write_temp (fixture, "corrupt.png", png->data, png->len);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_CORRUPT);
  decode_test_assert_error_names_file (error, path);
  g_clear_error (&error);
}

static void
test_text_as_jpeg (TempFixture  *fixture,
                   gconstpointer data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "This is not a photograph, only some text.\n");
  path = decode_test_write_temp (fixture, "notes.jpg", (const guint8 *) text->str, text->len);

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, CS_DECODE_ERROR, CS_DECODE_ERROR_UNKNOWN_FORMAT);
  decode_test_assert_error_names_file (error, path);
  g_clear_error (&error);
}

static void
test_nonexistent (TempFixture  *fixture,
                  gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "missing.jpg", NULL);
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;

  image = cs_decode_file (path, 0, &error);
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  decode_test_assert_error_names_file (error, path);
  g_clear_error (&error);

  /* A directory is not an image either. */
  image = cs_decode_file (fixture->dir, 0, &error);
  g_assert_null (image);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);
}

/* An engine failure comes back as CS_CLIP_ERROR, prefixed with the file. */
static void
test_engine_error (void)
{
  g_autofree char *path = g_build_filename (decode_test_ref_dir, "images", "rocket.jpg", NULL);
  clip_preprocess_params pp = { 224, 0, 224, 1, 1, 1, 1.0f / 255, { 0 }, { 1, 1, 1 } };
  float out[3];
  GError *error = NULL;

  g_assert_false (cs_decode_file_to_tensor (path, &pp, out, &error));
  g_assert_error (error, CS_CLIP_ERROR, CLIP_STATUS_INVALID_ARGUMENT);
  decode_test_assert_error_names_file (error, path);
  g_clear_error (&error);
}

/* Decoding never writes: content and mtime are unchanged, and a file
 * without write permission decodes. */
static void
test_file_unchanged (TempFixture  *fixture,
                     gconstpointer data)
{
  g_autofree char *src = g_build_filename (decode_test_ref_dir, "images", "chelsea-exif6.jpg", NULL);
  g_autofree char *contents = NULL, *after = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CsDecodedImage) image = NULL;
  GError *error = NULL;
  GStatBuf before_st, after_st;
  gsize len, after_len;

  g_file_get_contents (src, &contents, &len, &error);
  g_assert_no_error (error);
  path = decode_test_write_temp (fixture, "photo.jpg", (const guint8 *) contents, len);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_cmpint (g_stat (path, &before_st), ==, 0);

  image = cs_decode_file (path, 0, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &after_st), ==, 0);
  g_assert_cmpint (after_st.st_mtim.tv_sec, ==, before_st.st_mtim.tv_sec);
  g_assert_cmpint (after_st.st_mtim.tv_nsec, ==, before_st.st_mtim.tv_nsec);
  g_assert_cmpint (after_st.st_ctim.tv_sec, ==, before_st.st_ctim.tv_sec);
  g_assert_cmpint (after_st.st_ctim.tv_nsec, ==, before_st.st_ctim.tv_nsec);
  g_assert_cmpint (after_st.st_mode & 0777, ==, 0444);
  g_file_get_contents (path, &after, &after_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (after, after_len, contents, len);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
}

void
decode_test_add_refusals (void)
{
  g_test_add_func ("/library/decode/max-pixels", test_max_pixels);
  DECODE_TEST_ADD ("empty", test_empty_file);
  DECODE_TEST_ADD ("truncated-jpeg", test_truncated_jpeg);
  DECODE_TEST_ADD ("truncated-png", test_truncated_png);
  DECODE_TEST_ADD ("corrupt-png", test_corrupt_png);
  DECODE_TEST_ADD ("text-as-jpeg", test_text_as_jpeg);
  DECODE_TEST_ADD ("nonexistent", test_nonexistent);
  g_test_add_func ("/library/decode/engine-error", test_engine_error);
  DECODE_TEST_ADD ("file-unchanged", test_file_unchanged);
}
