/* synthetic-library.h - a database of fake photos for the large-library
 * tests and benchmarks.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes `n` photos under `folder` (paths that need not exist), each with
 * a random unit vector (seeded: the same every run) of the toy model's 64
 * dimensions, tagged with the id of the model at `model` so the library
 * loads them, into the database at `db`, through the store API (a test
 * may; the app never does).  With `record_model_dir` the database also
 * names `model` as the library's model folder. */
void synthetic_library_fill (const char *db,
                             const char *model,
                             const char *folder,
                             guint       n,
                             gboolean    record_model_dir);

G_END_DECLS
