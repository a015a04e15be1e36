/* cs-clip-runtime.h - the CLIP model shared by the library's workers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  A runtime is reference-counted and may be
 * used by any number of threads at once: each call borrows a clip_ctx of
 * its own.  Embeddings come back L2-normalised.
 */
#pragma once

#include <gio/gio.h>

#include "clip.h"
#include "cs-store.h"

G_BEGIN_DECLS

typedef struct _CsClipRuntime CsClipRuntime;

/* The precision photos are encoded in: CLIPSIGHT_PRECISION (f32, f16,
 * bf16, int8) when set, else the fastest mode the CPU has instructions
 * for (see docs/performance.md). */
clip_precision cs_clip_indexing_precision  (void);

/* The run-time check of the reduced precisions (cs-clip-runtime.c): the
 * worst cosine to float32 a precision must reach on a fixed set of
 * synthetic images and texts to be used. */
#define CS_CLIP_CHECK_FLOOR 0.995

typedef struct {
  clip_precision precision;                /* the one chosen */
  double         cosine;                   /* its worst cosine to f32 (1 for f32) */
  double         tested[CLIP_N_PRECISIONS]; /* each precision's worst cosine, NAN if untried */
} CsPrecisionCheck;

/* Whether CLIPSIGHT_PRECISION names a precision (which is then used
 * without a check). */
gboolean       cs_clip_precision_is_forced   (void);

/* The precision to index the model in `dir` with: the forced one, else
 * the first of int8, bf16 that the CPU has instructions for (see
 * clip_precision_is_fast) and whose embeddings of the check set reach
 * CS_CLIP_CHECK_FLOOR, else f32 (as cs_clip_indexing_precision, never
 * f16: it is slower than f32).  The outcome is kept in `store`'s
 * settings (when not NULL) for the model's folder, the size and time of
 * its model.safetensors and the kernel table, so the check runs once per
 * model.  Errors: loading the model, G_IO_ERROR_CANCELLED. */
gboolean       cs_clip_check_precision       (const char          *dir,
                                              CsStore             *store,
                                              CsPrecisionCheck    *out,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* The last check kept in `store` (whatever the model); FALSE if none. */
gboolean       cs_clip_precision_check_read  (CsStore             *store,
                                              CsPrecisionCheck    *out);

/* cs_clip_precision_check_read on the database at `database_path` (NULL:
 * the default), opened in a thread: for the app's Preferences.  The
 * finish returns FALSE (error unset) when no check is kept. */
void           cs_clip_precision_check_read_async  (const char          *database_path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean       cs_clip_precision_check_read_finish (GAsyncResult        *result,
                                                    CsPrecisionCheck    *out,
                                                    GError             **error);

/* The precision to embed an example photo in for the model in `dir`, so
 * that it is made the way the library's vectors were: the forced one
 * (CLIPSIGHT_PRECISION), else the outcome of the check kept in `store`
 * for this model (cs_clip_check_precision), else
 * cs_clip_indexing_precision () when none is kept for it. */
clip_precision cs_clip_image_precision       (CsStore             *store,
                                              const char          *dir);

/* Loads the model in `dir` and derives its id (cs_model_id_for_dir). */
CsClipRuntime *cs_clip_runtime_load          (const char          *dir,
                                              GCancellable        *cancellable,
                                              GError             **error);
CsClipRuntime *cs_clip_runtime_ref           (CsClipRuntime       *rt);
void           cs_clip_runtime_unref         (CsClipRuntime       *rt);
const char    *cs_clip_runtime_get_model_id  (CsClipRuntime       *rt);
const char    *cs_clip_runtime_get_dir       (CsClipRuntime       *rt);
int            cs_clip_runtime_get_dim       (CsClipRuntime       *rt);
/* The softmax scale: exp of the model's stored logit_scale. */
double         cs_clip_runtime_get_logit_scale (CsClipRuntime     *rt);
/* The generic background prompts' embeddings (n x dim; borrowed). */
const float   *cs_clip_runtime_get_background (CsClipRuntime      *rt,
                                               guint              *n);
/* `n` texts into `out` (n x dim).  G_IO_ERROR_CANCELLED or CS_CLIP_ERROR. */
gboolean       cs_clip_runtime_embed_texts   (CsClipRuntime       *rt,
                                              const char * const  *texts,
                                              guint                n,
                                              float               *out,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Sets the precision of the vision tower (cs_clip_indexing_precision ()
 * unless set); it has an effect only before the first
 * cs_clip_runtime_embed_image. */
void           cs_clip_runtime_set_image_precision (CsClipRuntime *rt,
                                                    clip_precision precision);
/* An image file into `out` (dim).  Errors of decoding (G_IO_ERROR,
 * CS_DECODE_ERROR) or of the engine. */
gboolean       cs_clip_runtime_embed_image   (CsClipRuntime       *rt,
                                              const char          *path,
                                              float               *out,
                                              GCancellable        *cancellable,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsClipRuntime, cs_clip_runtime_unref)

G_END_DECLS
