/* fuzz-util.h - what the libFuzzer targets in tests/fuzz share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target defines LLVMFuzzerInitialize() and LLVMFuzzerTestOneInput().
 * Built with -Dfuzzing=true (clang) they link libFuzzer; otherwise
 * fuzz-main.c runs them once over every file of the committed corpus, so
 * the regression seeds are checked by every `meson test`.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Replaces the contents of the file `name` in this process's scratch
 * directory (made on first use in $TMPDIR, or /dev/shm without it;
 * removed at exit) with `size` bytes of `data`, and returns its path (owned here,
 * the same for every call with the same name).  For the APIs that take a
 * path: the file is kept open and rewritten in place, so a run costs a
 * truncate and a write. */
const char *fuzz_write_file (const char    *name,
                             const uint8_t *data,
                             size_t         size);

/* Drops GLib warnings and messages (image loaders warn about every bad
 * file: noise that slows a run down); criticals and errors still print. */
void fuzz_quiet_warnings (void);

/* The scratch directory itself (made on first use). */
const char *fuzz_scratch_dir (void);

/* With FUZZ_VERBOSE set in the environment, prints what an input came to
 * (`error`, or "ok" when it is NULL): to see that the seeds are valid. */
void fuzz_report (const char *what,
                  const char *error);
