/* cs-text-vectors.h - prompt vectors, from the cache or the encoder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  Labels and the vocabulary of Discover both
 * describe their concepts by prompts; both read the prompts' vectors
 * through here, so that a prompt is encoded once per model whichever
 * asked first.
 */
#pragma once

#include "cs-clip-runtime.h"
#include "cs-store.h"

G_BEGIN_DECLS

/* The vectors of `texts` into `emb` (n × dim): those `store` holds for
 * the model row `model_row`, the others from the text encoder (then
 * stored, unless the database is read-only; a failure to store only
 * costs encoding them again and is logged).  `store` NULL or `model_row`
 * 0: all encoded.  `n_fresh` (may be NULL) is set to how many texts were
 * given to the encoder, also when it then failed. */
gboolean _cs_text_vectors_embed (CsClipRuntime      *rt,
                                 CsStore            *store,
                                 gint64              model_row,
                                 const char * const *texts,
                                 guint               n,
                                 int                 dim,
                                 float              *emb,
                                 guint              *n_fresh,
                                 GCancellable       *cancellable,
                                 GError            **error);

G_END_DECLS
