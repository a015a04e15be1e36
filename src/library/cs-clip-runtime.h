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

G_BEGIN_DECLS

typedef struct _CsClipRuntime CsClipRuntime;

/* The precision photos are encoded in: CLIPSIGHT_PRECISION (f32, f16,
 * bf16, int8) when set, else the fastest mode the CPU has instructions
 * for (see README, "Performance"). */
clip_precision cs_clip_indexing_precision  (void);

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
/* An image file into `out` (dim).  Errors of decoding (G_IO_ERROR,
 * CS_DECODE_ERROR) or of the engine. */
gboolean       cs_clip_runtime_embed_image   (CsClipRuntime       *rt,
                                              const char          *path,
                                              float               *out,
                                              GCancellable        *cancellable,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsClipRuntime, cs_clip_runtime_unref)

G_END_DECLS
