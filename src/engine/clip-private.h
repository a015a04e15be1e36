/* clip-private.h - the engine's internal structures, shared by its files.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>

#include "clip.h"
#include "kernels/kernels.h"

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

/* --- packed weights (clip-pack.c) ------------------------------------------
 *
 * The native backend multiplies by weights packed once per precision into
 * the kernels' panel layout (kernels/kernels.h).  q, k and v are one
 * matrix [3 width, width], so their product is one GEMM. */
typedef struct {
  clip_packed qkv, o, fc1, fc2;
  /* The layer norms in front of qkv and fc1 with the smoothing of
   * clip-pack.c folded in (INT8), the next weights' input columns scaled
   * to match; NULL: the model's own. */
  const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
} clip_layer_packed;

typedef struct {
  clip_layer_packed *layers;
  clip_packed        proj;         /* float32: [embed_dim, width], no bias */
} clip_tower_packed;

typedef struct {
  clip_precision     precision;
  unsigned           towers;       /* clip_towers it holds */
  int                refs;         /* contexts using it, and the model if it
                                    * was packed at load (under the pack lock) */
  clip_tower_packed  vision, text;
  clip_packed        patch;        /* [width, 3 p p], no bias */
  float             *smoothed;     /* the smoothed layer norms' gains and biases, or NULL */
  size_t             smoothed_bytes;
  void              *arena;        /* all the packed data */
  size_t             arena_bytes;
  size_t             arena_mapped; /* bytes mmap()ed, 0 when malloc()ed */
} clip_model_pack;

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
  const float *token_embedding;    /* [vocab_size, text.width]; NULL for a SigLIP
                                    * table left in the file (token_file) */
  const float *text_position;      /* [context_length, text.width] */

  /* SigLIP (info.family != CLIP_FAMILY_CLIP); NULL for CLIP.  The class
   * embedding, pre_layrnorm and visual projection are then NULL. */
  clip_spm    *spm;                /* spiece.model or tokenizer.model */
  const float *patch_bias;         /* [vision.width] */
  const float *text_head_b;        /* [embed_dim]: text.proj is head.weight */
  const float *probe;              /* [vision.width]: the attention pool's query */
  const float *pool_in_w;          /* [3 width, width]: q, k, v packed */
  const float *pool_in_b;          /* [3 width] */
  const float *pool_out_w, *pool_out_b;
  const float *pool_ln_w, *pool_ln_b;
  const float *pool_fc1_w, *pool_fc1_b;  /* [mlp, width] */
  const float *pool_fc2_w, *pool_fc2_b;  /* [width, mlp] */
  /* The token embedding where it was not converted at load (a SigLIP 2
   * table has 256 k rows, 768 MB in float32): the rows a text needs are
   * read from the mapped file (clip_model_token_row). */
  const void  *token_file;
  clip_dtype   token_file_dtype;

  /* Loader-owned storage: the mapping and converted buffers. */
  void  *mapping;                  /* opaque to the encoder */
  void **buffers;                  /* float buffers allocated at load time */
  size_t n_buffers;

  /* Packed weights per precision, shared by the contexts that use them
   * (clip_model_pack_ref/unref); NULL until a context asks. */
  clip_model_pack *packs[CLIP_N_PRECISIONS];

  /* clip_model_load_for: the linear layers were packed at load time into
   * packs[load_precision] (which the model holds a reference on) and have
   * no float32 copy; only the towers in `towers` were loaded.  For
   * clip_model_load, load_packed is 0 and towers CLIP_TOWERS_ALL. */
  int              load_packed;
  clip_precision   load_precision;
  unsigned         towers;

  /* Bytes of tensors the encoder reads in place from the mapped file (the
   * token table left there not counted: clip_model_get_memory). */
  size_t           in_place_bytes;
  size_t           token_file_bytes;
};

/* What a model holds for its weights: the bytes it materialised (its
 * packs and its float32 arena), the bytes of the file it reads in place
 * (resident once read), and the token table it left in the file, of
 * which a text reads its rows alone. */
typedef struct {
  size_t packed;        /* every pack the model has now */
  size_t converted;     /* the float32 arena (converted at load) */
  size_t in_place;      /* tensors read in place from the mapping */
  size_t token_file;    /* the token table left in the file */
} clip_model_memory;

void             clip_model_get_memory (const clip_model  *model,
                                        clip_model_memory *out);

/* Gives back the file pages of `data` (n floats) when the model reads it
 * in place from the mapping (a float32 file); nothing for a converted
 * tensor.  For a linear weight once packed: only the float32 backends read
 * it again, and they fault it back in. */
void             clip_model_release_in_place (const clip_model *model,
                                              const float      *data,
                                              size_t            n);

/* Row `id` of the token embedding as float32 (text.width floats). */
void             clip_model_token_row  (const clip_model *model,
                                        int32_t           id,
                                        float            *out);

/* SigLIP's vision head (clip-siglip.c) on kernel table `k`: `x` holds
 * the `np` patch rows after post_layernorm; writes the pooled embedding
 * (vision.width floats) to `out`.  `scratch` holds at least 4 width +
 * mlp + np floats. */
void             clip_siglip_pool_image (const clip_kernels *k,
                                         const clip_model   *model,
                                         const float        *x,
                                         size_t              np,
                                         float              *out,
                                         float              *scratch);
/* The tanh GELU in place on n floats (gelu_pytorch_tanh): one tanhf
 * each, the reference; and through the kernel table's QuickGELU, the
 * native backend's (relative error about 1e-6). */
void             clip_gelu_tanh_inplace (float  *x,
                                         size_t  n);
void             clip_gelu_tanh         (const clip_kernels *k,
                                         float              *x,
                                         size_t              n);

/* Packs `model`'s weights for `precision` on first use and returns them
 * with one more reference; thread-safe. */
clip_status      clip_model_pack_ref   (const clip_model *model,
                                        clip_precision    precision,
                                        clip_model_pack **out,
                                        char            **error);
/* Drops a reference; the last one frees the packed weights. */
void             clip_model_pack_unref (const clip_model *model,
                                        clip_model_pack  *pack);

/* Packing while loading (clip_model_load_for), called by the loader:
 * which tower a tensor belongs to (0: logit_scale); an empty pack for the
 * towers kept; whether a tensor is a linear weight the pack takes instead
 * of the float32 arena; handing one over (float32, [n, k]); the biases at
 * the end, from the arena; and the model's reference, in
 * clip_model_free. */
unsigned         clip_tensor_tower      (const char *name);
clip_status      clip_model_pack_begin  (clip_model    *model,
                                         clip_precision precision,
                                         unsigned       towers,
                                         char         **error);
int              clip_model_pack_wants  (const clip_model *model,
                                         const float     **dest);
void             clip_model_pack_tensor (clip_model   *model,
                                         const float **dest,
                                         const float  *w);
void             clip_model_pack_end    (clip_model *model);
void             clip_model_pack_drop   (clip_model *model);
/* Returns the whole pages inside [data, data + bytes) to the system
 * (madvise MADV_DONTNEED): for file pages already converted. */
void             clip_release_pages     (const void *data,
                                         size_t      bytes);

/* Fills `out` with W [n, k] (row-major, nn.Linear) and bias [n] (or NULL)
 * packed in `format`, in memory from `alloc` (64-byte aligned and zeroed;
 * returns NULL only when out of memory).  Exposed for the kernel tests. */
typedef void *(*clip_pack_alloc_fn) (void *data, size_t bytes);
int              clip_pack_linear      (clip_packed        *out,
                                        clip_weights_format format,
                                        const float        *w,
                                        const float        *bias,
                                        size_t              n,
                                        size_t              k,
                                        clip_pack_alloc_fn  alloc,
                                        void               *alloc_data);
/* Bytes clip_pack_linear asks `alloc` for, in all. */
size_t           clip_pack_linear_size (clip_weights_format format,
                                        size_t              n,
                                        size_t              k,
                                        int                 has_bias);

/* `view` = columns [col0, col0 + ncols) of packed `w`, sharing its memory;
 * col0 must start a panel. */
void             clip_packed_columns   (const clip_packed *w,
                                        size_t             col0,
                                        size_t             ncols,
                                        clip_packed       *view);

/* For tests: makes a native-backend context run on kernel table `k` (one
 * from clip_kernels_available) instead of the one chosen for the CPU. */
void             clip_ctx_set_kernels   (clip_ctx           *ctx,
                                         const clip_kernels *k);
/* For tests: q, k and v are written head by head (where heads are whole
 * panels) once they take more than `bytes`; 1 MiB by default, 0 always. */
void             clip_ctx_set_head_major_bytes (clip_ctx *ctx,
                                                size_t    bytes);
/* For tests: batches of several sequences run in lanes (each thread one
 * group of whole sequences through every step) once each group has at
 * least `rows` rows and are about even; LANE_MIN_ROWS by default, 0
 * always (even uneven groups), SIZE_MAX never. */
void             clip_ctx_set_lane_min_rows (clip_ctx *ctx,
                                             size_t    rows);


/* --- thread pools (clip-threads.c) -------------------------------------- */

typedef struct clip_pool clip_pool;
/* One chunk of a parallel step, run by thread ith (the caller is 0; ith
 * picks per-thread scratch). */
typedef void (*clip_pool_fn) (void  *data,
                              size_t chunk,
                              int    ith);

clip_pool *clip_pool_new  (int n_threads);
void       clip_pool_free (clip_pool *pool);
int        clip_pool_size (const clip_pool *pool);
/* Runs fn on chunks 0 .. n_chunks-1, each once, spread over the caller
 * and the workers that are free, and returns when all are done.  On the
 * shared pool, when another caller's job is running, the caller runs
 * every chunk itself as thread 0. */
void       clip_pool_run  (clip_pool   *pool,
                           clip_pool_fn fn,
                           void        *data,
                           size_t       n_chunks);
/* The process's pool of clip_cpu_budget () threads (made on first use,
 * never freed: clip_pool_free ignores it). */
clip_pool *clip_pool_shared (void);

/* Stores a printf-formatted message in *error (if error is not NULL) and
 * returns `status`: the one way engine files report failures. */
clip_status clip_set_error (char      **error,
                            clip_status status,
                            const char *format,
                            ...) __attribute__ ((format (printf, 3, 4)));

/* Whether the capital sigma at s[i] (of n characters) is word-final, so
 * that Python's str.lower() makes it U+03C2 (Unicode's Final_Sigma). */
gboolean    clip_sigma_is_final (const gunichar *s,
                                 size_t          n,
                                 size_t          i);

/* Reads a whole file of at most `max_bytes` into *data_out (g_malloc'd,
 * NUL-terminated past *len_out).  A missing or unreadable file is
 * CLIP_STATUS_IO; a bigger one CLIP_STATUS_FORMAT, refused from its size
 * before reading (and, for a file that is not regular or grows, as soon
 * as it passes the bound), the message naming `what` ("a tokenizer
 * file"). */
clip_status clip_read_file_bounded (const char  *path,
                                    size_t       max_bytes,
                                    const char  *what,
                                    char       **data_out,
                                    size_t      *len_out,
                                    char       **error);

/* Reads preprocessor_config.json (both the `size: 224` and the
 * `size: {"shortest_edge": 224}` layouts). */
clip_status clip_preprocess_params_load (const char             *path,
                                         clip_preprocess_params *out,
                                         char                  **error);
