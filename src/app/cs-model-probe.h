/* cs-model-probe.h - what a model folder is worth before the library
 * switches to it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both probes go through the library's public API only (the app never
 * calls the engine), on a throwaway database in a temporary folder that
 * is deleted afterwards; the user's library is not touched:
 * - the check loads the folder the way searches will (a CsLibrary load),
 *   so a broken folder is refused with the engine's own reason;
 * - the speed is the library's precision check (the one the indexer runs
 *   before its first batch), run by indexing one small generated photo:
 *   its timing of the precision it chose is the figure, in images per
 *   second, with the CPU it was measured on.
 * Everything heavy runs on the library's worker threads.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     cs_model_probe_check_async  (const char          *model_dir,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* FALSE with the library's error (CS_CLIP_ERROR: the engine's message)
 * when the folder is not a model the engine loads. */
gboolean cs_model_probe_check_finish (GAsyncResult        *result,
                                      GError             **error);

void     cs_model_probe_speed_async  (const char          *model_dir,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* The measured images per second of the precision the check chose, its
 * name ("int8"...) and the CPU's name ("" if unknown); free both.
 * G_IO_ERROR_NOT_SUPPORTED when CLIPSIGHT_PRECISION forces a precision
 * (nothing is timed then). */
gboolean cs_model_probe_speed_finish (GAsyncResult        *result,
                                      double              *images_per_second,
                                      char               **precision,
                                      char               **cpu,
                                      GError             **error);

G_END_DECLS
