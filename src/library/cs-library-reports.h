/* cs-library-reports.h - what the app shows of the precision check.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app includes neither the store's header (cs-store.h) nor the
 * engine's (clip.h): this reads what it shows of the precision check in
 * plain C types.
 */
#pragma once

#include <gio/gio.h>


G_BEGIN_DECLS

/* The precision check kept in the database at `database_path` (NULL: the
 * default), read in a thread.  The finish returns FALSE (error unset)
 * when no check is kept; else the precision's name ("int8", "f32"...,
 * static) and its worst cosine to float32 on the check set: NAN when
 * CLIPSIGHT_PRECISION forced it (not checked), 1 for f32. */
void        cs_precision_check_read_async       (const char           *database_path,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    cs_precision_check_read_finish      (GAsyncResult         *result,
                                                 const char          **precision,
                                                 double               *cosine,
                                                 GError              **error);

/* One precision the check tried. */
typedef struct {
  const char *name;               /* "int8", "f32"... (static) */
  double      cosine;             /* worst cosine to float32 on the check set: 1 for
                                   * f32, negative when it overflowed */
  double      images_per_second;  /* its measured speed, NAN when not timed */
} CsPrecisionTrial;

/* cs_precision_check_read_finish with the figures behind the choice:
 * `cpu`, the name of the CPU they were measured on ("" if unknown; free
 * it), and `trials` (CsPrecisionTrial), fastest first (unref it).  Call
 * one finish or the other. */
gboolean    cs_precision_check_read_finish_full (GAsyncResult         *result,
                                                 const char          **precision,
                                                 double               *cosine,
                                                 char                **cpu,
                                                 GArray              **trials,
                                                 GError              **error);

G_END_DECLS
