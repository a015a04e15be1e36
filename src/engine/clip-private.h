/* clip-private.h - the engine's internal structures, shared by its files.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>

#include "clip.h"

/* One pre-norm transformer block.  Linear weights are float32 in the
 * Hugging Face `nn.Linear` layout [out, in], applied as y = x W^T + b. */
typedef struct {
  const float *ln1_w, *ln1_b;      /* [width] */
  const float *q_w, *q_b;          /* [width, width], [width] */
  const float *k_w, *k_b;
  const float *v_w, *v_b;
  const float *o_w, *o_b;          /* out_proj */
  const float *ln2_w, *ln2_b;      /* [width] */
  const float *fc1_w, *fc1_b;      /* [mlp, width], [mlp] */
  const float *fc2_w, *fc2_b;      /* [width, mlp], [width] */
} clip_layer_weights;

typedef struct {
  clip_layer_weights *layers;      /* info.layers entries */
  const float *final_ln_w;         /* vision: post_layernorm; text: final_layer_norm */
  const float *final_ln_b;
  const float *proj;               /* [embed_dim, width]: visual_/text_projection */
} clip_tower_weights;

struct clip_model {
  clip_model_info        info;
  clip_preprocess_params preprocess;
  clip_tokenizer        *tokenizer;

  clip_tower_weights vision;
  const float *class_embedding;    /* [vision.width] */
  const float *patch_embedding;    /* [vision.width, 3 * patch * patch]: conv weight, (c, ky, kx) */
  const float *vision_position;    /* [(image/patch)^2 + 1, vision.width] */
  const float *pre_ln_w, *pre_ln_b;/* pre_layrnorm [vision.width] */

  clip_tower_weights text;
  const float *token_embedding;    /* [vocab_size, text.width] */
  const float *text_position;      /* [context_length, text.width] */

  /* Loader-owned storage: the mapping and converted buffers. */
  void  *mapping;                  /* opaque to the encoder */
  void **buffers;                  /* float buffers allocated at load time */
  size_t n_buffers;
};

/* Stores a printf-formatted message in *error (if error is not NULL) and
 * returns `status`: the one way engine files report failures. */
clip_status clip_set_error (char      **error,
                            clip_status status,
                            const char *format,
                            ...) __attribute__ ((format (printf, 3, 4)));

/* Reads preprocessor_config.json (both the `size: 224` and the
 * `size: {"shortest_edge": 224}` layouts). */
clip_status clip_preprocess_params_load (const char             *path,
                                         clip_preprocess_params *out,
                                         char                  **error);
