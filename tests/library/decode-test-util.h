/* decode-test-util.h - what the files of the test-decode binary share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-decode.c holds main(), the golden tensors and the pixel budget;
 * test-decode-formats.c, -bombs.c, -refusals.c, -reduced.c, -progressive.c
 * and -fast-path.c each add theirs through a decode_test_add_*() function,
 * all under /library/decode/.  decode-test-util.c builds files by hand and
 * checks refusals; decode-test-child.c measures decodes in forked children.
 */
#pragma once

#include <gio/gio.h>

#include "cs-decode.h"
#include "test-util.h"

G_BEGIN_DECLS

extern char *decode_test_ref_dir; /* ../shared/testdata/clip-reference */

void decode_test_add_formats     (void);
void decode_test_add_bombs       (void);
void decode_test_add_refusals    (void);
void decode_test_add_reduced     (void);
void decode_test_add_progressive (void);
void decode_test_add_fast_path   (void);

/* Fixture: a temporary folder, removed afterwards. */
typedef struct {
  char *dir;
} TempFixture;

void         decode_test_temp_setup               (TempFixture          *fixture,
                                                   gconstpointer         data);
void         decode_test_temp_teardown            (TempFixture          *fixture,
                                                   gconstpointer         data);
/* Adds a test of this fixture under /library/decode/. */
#define DECODE_TEST_ADD(name, func) \
  g_test_add ("/library/decode/" name, TempFixture, NULL, \
              decode_test_temp_setup, func, decode_test_temp_teardown)
/* Writes `data` to `name` in the fixture's folder: the path. */
char        *decode_test_write_temp               (TempFixture          *fixture,
                                                   const char           *name,
                                                   const guint8         *data,
                                                   gsize                 len);

/* The EXIF orientation pattern: four coloured quadrants. */
#define PATTERN_W 64
#define PATTERN_H 32

extern const guint8 decode_test_quadrant_colours[4][3];

/* The quadrant colour at upright (x, y) of a `w` x `h` pattern. */
const guint8 *decode_test_upright_colour_in       (int                   x,
                                                   int                   y,
                                                   int                   w,
                                                   int                   h);
/* A JPEG of the `w` x `h` (upright) pattern stored for orientation `o`,
 * with an APP1 Exif segment after SOI; decode_test_make_oriented_jpeg() at
 * PATTERN_W x PATTERN_H. */
GByteArray  *decode_test_make_oriented_jpeg_sized (int                   o,
                                                   int                   w,
                                                   int                   h);
GByteArray  *decode_test_make_oriented_jpeg       (int                   o);
void         decode_test_assert_colour_near       (const CsDecodedImage *image,
                                                   int                   x,
                                                   int                   y,
                                                   const guint8         *want);

/* Files written byte by byte. */
void         decode_test_append_le16              (GByteArray           *a,
                                                   guint                 v);
void         decode_test_append_le32              (GByteArray           *a,
                                                   guint32               v);
void         decode_test_append_be16              (GByteArray           *a,
                                                   guint                 v);
/* A PNG with the given header fields and raw (unfiltered) rows, each
 * row `row_bytes` long; `plte`/`trns` are optional chunk payloads. */
GByteArray  *decode_test_make_png                 (guint32               width,
                                                   guint32               height,
                                                   guint8                depth,
                                                   guint8                colour_type,
                                                   const guint8         *rows,
                                                   gsize                 row_bytes,
                                                   const guint8         *plte,
                                                   gsize                 plte_len,
                                                   const guint8         *trns,
                                                   gsize                 trns_len);
void         decode_test_assert_pixel             (const CsDecodedImage *image,
                                                   int                   x,
                                                   int                   y,
                                                   guint8                r,
                                                   guint8                g,
                                                   guint8                b);
/* The quantisation and Huffman tables of the hand-made JPEGs. */
void         decode_test_append_unit_tables       (GByteArray           *jpeg);
/* A lossless WebP of `width` x `height` black pixels in a few dozen bytes:
 * its VP8L chunk, a RIFF WebP file around chunks, and both together. */
GByteArray  *decode_test_make_vp8l_chunk          (guint                 width,
                                                   guint                 height);
GByteArray  *decode_test_riff_webp                (GByteArray           *chunks);
GByteArray  *decode_test_make_vp8l_webp           (guint                 width,
                                                   guint                 height);
/* A flat-coloured PNG saved by GdkPixbuf: the path. */
char        *decode_test_save_flat_png            (const char           *dir,
                                                   const char           *name,
                                                   int                   width,
                                                   int                   height);

/* Refusals: the message names the file on one line;
 * decode_test_assert_refused() checks that the exact decode refuses
 * `path` with `code` and `word`. */
void         decode_test_assert_error_names_file  (GError               *error,
                                                   const char           *path);
void         decode_test_assert_refused           (const char           *path,
                                                   int                   code,
                                                   const char           *word);

/* Peak resident size (decode-test-child.c). */
long         decode_test_peak_rss_reset_kb        (void);
long         decode_test_peak_rss_kb              (void);

/* What a decode did in a forked child: its error (domain CS_DECODE_ERROR
 * or not, code, message) and how much its peak resident size grew, in kB.
 * `warm`, when not NULL, is decoded first so that the loader module and
 * its libraries are in memory before the measure starts. */
typedef struct {
  gboolean decoded;       /* an image came back */
  gboolean decode_domain; /* the error is CS_DECODE_ERROR */
  int      code;
  long     growth_kb;
  char     message[1024];
} ChildDecode;

void         decode_test_in_child_for_size        (const char           *path,
                                                   const char           *warm,
                                                   guint64               max_pixels,
                                                   gboolean              raw,
                                                   int                   min_short_side,
                                                   ChildDecode          *out);
/* A bomb is refused from its header: TOO_LARGE, a message naming the
 * file and the announced size, and no more than `bound_mb` of memory. */
void         decode_test_assert_bomb_refused_as   (const char           *path,
                                                   const char           *warm,
                                                   guint64               max_pixels,
                                                   gboolean              raw,
                                                   const char           *size_text,
                                                   long                  bound_mb);
void         decode_test_assert_bomb_refused      (const char           *path,
                                                   const char           *warm,
                                                   guint64               max_pixels,
                                                   const char           *size_text,
                                                   long                  bound_mb);

G_END_DECLS
