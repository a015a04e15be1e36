/* clip-safetensors.h - the model-file internals: safetensors, config.json,
 * the CLIPModel tensor layout and half-precision conversions.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to the engine: shared by clip-safetensors.c, clip-config.c,
 * clip-model.c and clip-testmodel.c.  Nothing here is public API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "clip-private.h"

/* ---------------------------------------------------------------------------
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * mapping tensor names to {dtype, shape, data_offsets [begin, end)} (offsets
 * relative to the data section that follows the header), then the data.
 * ------------------------------------------------------------------------- */

typedef enum {
  CLIP_ST_BOOL = 0,
  CLIP_ST_U8,
  CLIP_ST_I8,
  CLIP_ST_I16,
  CLIP_ST_U16,
  CLIP_ST_F16,
  CLIP_ST_BF16,
  CLIP_ST_I32,
  CLIP_ST_U32,
  CLIP_ST_F32,
  CLIP_ST_F64,
  CLIP_ST_I64,
  CLIP_ST_U64,
  CLIP_ST_F8_E4M3,
  CLIP_ST_F8_E5M2,
  CLIP_ST_N_DTYPES
} clip_st_dtype;

/* The largest header accepted: real headers are tens of kilobytes. */
#define CLIP_ST_MAX_HEADER (100u * 1024u * 1024u)
/* The most dimensions a tensor may have (CLIP's have at most 4). */
#define CLIP_ST_MAX_DIMS 8

typedef struct {
  const char    *name;        /* owned by the file */
  clip_st_dtype  dtype;
  int            n_dims;      /* 0 for a scalar */
  uint64_t       shape[CLIP_ST_MAX_DIMS];
  uint64_t       numel;       /* product of shape (1 for a scalar) */
  uint64_t       begin, end;  /* byte range in the data section */
  const uint8_t *data;        /* begin's address in the mapping */
} clip_st_tensor;

typedef struct clip_st_file clip_st_file;

/* Maps `path` read-only and validates the whole header: every dtype known,
 * every shape non-negative with a numel that does not overflow, every byte
 * range exactly numel * element size, inside the file, and no two ranges
 * overlapping.  Errors: CLIP_STATUS_IO (cannot open/map) or
 * CLIP_STATUS_FORMAT, the message naming `path` and the tensor. */
clip_status           clip_st_open          (const char     *path,
                                             clip_st_file  **out,
                                             char          **error);
void                  clip_st_close         (clip_st_file   *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (clip_st_file, clip_st_close)

const char           *clip_st_get_path      (const clip_st_file *file);
size_t                clip_st_get_n_tensors (const clip_st_file *file);
/* Tensors sorted by name. */
const clip_st_tensor *clip_st_get_tensor    (const clip_st_file *file,
                                             size_t              i);
/* NULL when absent. */
const clip_st_tensor *clip_st_find          (const clip_st_file *file,
                                             const char         *name);
/* A string value of "__metadata__", or NULL. */
const char           *clip_st_get_metadata  (const clip_st_file *file,
                                             const char         *key);

/* "F32", ...; and back (false for an unknown name). */
const char           *clip_st_dtype_name    (clip_st_dtype       dtype);
bool                  clip_st_dtype_parse   (const char         *name,
                                             clip_st_dtype      *out);
size_t                clip_st_dtype_size    (clip_st_dtype       dtype);

/* Half-precision conversions.  Decoding is exact (subnormals, infinities
 * and NaNs included); encoding rounds to nearest, ties to even, overflowing
 * to infinity as a hardware conversion does. */
float                 clip_f16_to_f32       (uint16_t            h);
float                 clip_bf16_to_f32      (uint16_t            h);
uint16_t              clip_f32_to_f16       (float               f);
uint16_t              clip_f32_to_bf16      (float               f);

/* ---------------------------------------------------------------------------
 * config.json (clip-config.c)
 * ------------------------------------------------------------------------- */

/* Reads config.json into every field of `info` except logit_scale, dtype and
 * n_params (zeroed).  Absent keys take the defaults of Hugging Face's
 * CLIPTextConfig / CLIPVisionConfig.  Errors: CLIP_STATUS_IO,
 * CLIP_STATUS_FORMAT (bad JSON, wrong types, impossible values),
 * CLIP_STATUS_UNSUPPORTED (activation, channel count). */
clip_status clip_config_load (const char      *path,
                              clip_model_info *info,
                              char           **error);

/* Checks the dimensions of `info` as clip_config_load does; `what` names
 * the source in messages ("config.json"). */
clip_status clip_model_info_check (const clip_model_info *info,
                                   const char            *what,
                                   char                 **error);

/* Checks preprocessing parameters (positive sizes, std > 0, finite). */
clip_status clip_preprocess_params_check (const clip_preprocess_params *params,
                                          const char                   *what,
                                          char                        **error);

/* ---------------------------------------------------------------------------
 * The CLIPModel tensor layout (clip-model.c): one list used by the loader
 * and by the test-model writer, so both agree by construction.
 * ------------------------------------------------------------------------- */

typedef enum {
  CLIP_INIT_LINEAR,       /* nn.Linear / conv weight */
  CLIP_INIT_EMBEDDING,    /* token and class embeddings */
  CLIP_INIT_POSITION,     /* position embeddings */
  CLIP_INIT_NORM_WEIGHT,  /* LayerNorm weight: near 1 */
  CLIP_INIT_BIAS,         /* LayerNorm and linear biases: near 0 */
  CLIP_INIT_LOGIT_SCALE,  /* the scalar logit_scale */
} clip_init_kind;

typedef struct {
  char           name[80];
  int            n_dims;
  uint64_t       shape[4];
  uint64_t       numel;
  clip_init_kind init;
  const float  **dest;    /* where the loader stores the data, or NULL */
} clip_tensor_spec;

/* The tensors a CLIPModel of shape `info` has, in name order; *n_out gets
 * the count.  With `model` not NULL (its vision.layers and text.layers
 * already allocated), each spec's `dest` points into it.  g_free the
 * result. */
clip_tensor_spec *clip_model_tensor_specs (const clip_model_info *info,
                                           clip_model            *model,
                                           size_t                *n_out);
