/* test-util.h - helpers shared by the GTest binaries.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit status meson reads as "skipped" for a test of the exitcode
 * protocol.  Not for TAP tests: Meson 1.0 (Debian 12) reads a TAP skip plan
 * followed by 77 as ERROR; use test_skip_all() there. */
#define TEST_EXIT_SKIP 77

/* Skips a whole TAP test binary: prints the skip plan "1..0 # SKIP
 * <reason>" and exits 0, which every Meson reads as SKIP. */
G_NORETURN void test_skip_all (const char *format,
                               ...) G_GNUC_PRINTF (1, 2);

/* Path of ../shared (from $CLIPSIGHT_SHARED), or NULL when it is absent;
 * with CLIPSIGHT_REQUIRE_SHARED=1, its absence is a failure ("Bail out!",
 * exit 1) rather than NULL. */
const char *test_shared_dir (void);

/* A path below ../shared (g_free it), or, when ../shared or the path is
 * absent, skips the whole binary (test_skip_all()): call it in main()
 * before g_test_run().  With CLIPSIGHT_REQUIRE_SHARED=1 in the environment
 * (CI sets it) an absent fixture is a failure instead: "Bail out!" and
 * exit 1. */
char *test_shared_path_or_skip (const char *relative);

/* Cosine similarity of two float vectors, computed in double. */
double test_cosine (const float *a,
                    const float *b,
                    size_t       n);

/* Reads a whole little-endian float32 file; *n_out gets the float count. */
float *test_read_f32 (const char *path,
                      size_t     *n_out);

/* A fresh temporary directory (removed by test_rm_rf). */
char *test_make_temp_dir (void);
void  test_rm_rf (const char *path);

G_END_DECLS
