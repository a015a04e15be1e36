/* clip-encode-private.h - the encoder context and the backends' entry
 * points, shared by clip-encode.c (the context and the public calls),
 * clip-encode-classic.c (the float32 BLAS and reference backends) and
 * clip-encode-native.c (the native backend).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "clip-private.h"
#include "kernels/kernels.h"

/* Rows (tokens of all the images or texts) the native backend encodes at
 * a time. */
#ifndef ROWS_PER_PASS
#define ROWS_PER_PASS 420
#endif

/* Batches run in lanes (run_tower_native) once each thread's group has
 * this many rows. */
#ifndef LANE_MIN_ROWS
#define LANE_MIN_ROWS 96
#endif

/* The native backend's scratch buffers. */
enum {
  S_X,        /* [rows, width] the residual stream */
  S_H,        /* [rows, width] layer-norm output; the patch embedding's output */
  S_QKV,      /* [rows, 3 width] */
  S_ATTN,     /* [rows, width] */
  S_MLP,      /* [rows, mlp] */
  S_PATCH,    /* [patches, 3 p p] im2col */
  S_A16,      /* [rows, act_cols] bfloat16 activations */
  S_A8,       /* [rows, act_cols] uint8 activations */
  S_ASCALE,   /* [rows] */
  S_AZERO,    /* [rows] */
  S_ATT,      /* attention scratch, one slice per thread */
  S_SEQ,      /* 4 x [sequences]: seq_table's arrays */
  N_SCRATCH
};

typedef struct {
  void  *p;
  size_t cap;   /* bytes */
} scratch_buf;

struct clip_ctx {
  const clip_model   *model;
  clip_params         params;
  const clip_kernels *k;
  clip_pool          *pool;      /* native backend */
  clip_model_pack    *pack;      /* native backend */
  scratch_buf         s[N_SCRATCH];
  size_t              act_cols;  /* row stride of S_A16 and S_A8 */
  size_t              att_each;  /* floats of S_ATT per thread */
  size_t              head_major_bytes; /* q, k and v above this: written head by head */
  size_t              lane_min_rows;    /* lanes of fewer rows than this: never */

  /* Scratch of the float32 backends, grown on demand and reused. */
  float  *x, *h, *q, *kk, *v, *attn, *mlp, *scores;
  size_t  rows_cap;     /* rows the activation buffers hold */
  size_t  width_cap;    /* their width */
  size_t  mlp_cap;      /* width of the mlp buffer */
  size_t  scores_cap;   /* floats in scores */
  float  *patches;      /* im2col of a batch */
  size_t  patches_cap;
};


/* clip-encode-classic.c: the scratch of the float32 backends, their
 * linear layer (y = x W^T + b, or += when accumulate), their blocks and
 * their final layer norm and projection. */
clip_status
clip_enc_reserve (clip_ctx *ctx,
                  size_t    rows,
                  size_t    width,
                  size_t    mlp,
                  size_t    scores,
                  char    **error);
void
clip_enc_linear (clip_ctx    *ctx,
                 float       *y,
                 const float *x,
                 const float *w,
                 const float *b,
                 size_t       rows,
                 size_t       in,
                 size_t       out,
                 gboolean     accumulate);
clip_status
clip_enc_run_blocks_classic (clip_ctx                 *ctx,
                             const clip_tower_info    *info,
                             const clip_tower_weights *tw,
                             const size_t             *seq_start,
                             const size_t             *seq_len,
                             size_t                    n_seq,
                             size_t                    rows,
                             gboolean                  causal,
                             char                    **error);
void
clip_enc_pool_and_project_classic (clip_ctx                 *ctx,
                                   const clip_tower_info    *info,
                                   const clip_tower_weights *tw,
                                   const size_t             *pooled_row,
                                   size_t                    n,
                                   float                    *out);

/* clip-encode-native.c: one pass of images or texts, ROWS_PER_PASS rows
 * at most. */
clip_status
clip_enc_images_native (clip_ctx    *ctx,
                        const float *pixels,
                        int          n,
                        float       *out,
                        char       **error);
clip_status
clip_enc_texts_native (clip_ctx      *ctx,
                       const int32_t *ids,
                       size_t         n,
                       const size_t  *starts,
                       const size_t  *lens,
                       size_t         rows,
                       float         *out,
                       char         **error);
