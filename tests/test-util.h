/* test-util.h - helpers shared by the GTest binaries.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit status meson reads as "skipped". */
#define TEST_EXIT_SKIP 77

/* Path of ../shared (from $CLIPSIGHT_SHARED), or NULL when it is absent. */
const char *test_shared_dir (void);

/* A path below ../shared (g_free it), or, when ../shared is absent, prints
 * why and exits with TEST_EXIT_SKIP: call it in main() before g_test_run(). */
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
