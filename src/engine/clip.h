/* clip.h - the Clipsight CLIP engine: the public specification.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine loads a Hugging Face `CLIPModel` directory (config.json,
 * model.safetensors, vocab.json, merges.txt, preprocessor_config.json),
 * tokenizes text exactly as OpenAI's CLIP does, prepares an RGB(A) buffer
 * exactly as CLIP's preprocessing does (PIL's antialiased bicubic resize of
 * the short side, centre crop, normalise), and runs the vision and text
 * transformers.  It knows nothing of GTK, GdkPixbuf, SQLite or folders; it
 * never decodes image files.
 *
 * Conventions
 *  - Handles are opaque.  Every destructor accepts NULL.
 *  - A function that can fail returns a clip_status and, when `error` is not
 *    NULL, stores a newly allocated one-line message naming the file and the
 *    problem in *error (free it with clip_free()).  On success *error is left
 *    untouched.
 *  - Tensors are float32, row-major, the last dimension contiguous.
 *  - Threads: a clip_model and a clip_tokenizer are immutable after loading
 *    and may be shared by any number of threads.  A clip_ctx (scratch memory
 *    plus a thread pool) is used by one thread at a time.  The process has
 *    one CPU budget and one pool of that many threads, shared by every
 *    context made with n_threads 0 and by clip_parallel_run: see
 *    clip_cpu_budget.
 *  - The engine never aborts on bad input; it returns a status.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CLIP_STATUS_OK = 0,
  CLIP_STATUS_IO,               /* a file is missing or cannot be read */
  CLIP_STATUS_FORMAT,           /* a file is malformed (bad JSON, a lying header) */
  CLIP_STATUS_MISMATCH,         /* files disagree (tensor shape vs config, vocab vs merges) */
  CLIP_STATUS_UNSUPPORTED,      /* well-formed but not supported (e.g. an activation) */
  CLIP_STATUS_INVALID_ARGUMENT, /* the caller passed something impossible */
  CLIP_STATUS_NO_MEMORY,
  CLIP_STATUS_ABORTED,          /* the abort callback asked to stop */
  CLIP_STATUS_NOT_FINITE,       /* an embedding came out NaN or infinite (the
                                 * arithmetic overflowed); no vector is returned */
} clip_status;

/* A short English description of a status ("format error", ...). Static. */
const char *clip_status_to_string (clip_status status);

/* Frees a string or buffer the engine allocated for the caller. NULL is fine. */
void clip_free (void *p);

typedef enum {
  CLIP_ACT_QUICK_GELU = 0, /* x * sigmoid(1.702 x): OpenAI's checkpoints */
  CLIP_ACT_GELU,           /* exact erf GELU: OpenCLIP/LAION checkpoints */
  CLIP_ACT_GELU_TANH,      /* gelu_pytorch_tanh, the tanh approximation: SigLIP */
} clip_activation;

/* The model family a directory holds (config.json `model_type`, and for
 * SigLIP the tokenizer file next to it). */
typedef enum {
  CLIP_FAMILY_CLIP = 0,    /* CLIPModel: class token, pre_layrnorm, causal text,
                            * EOT pooling, projections, softmax scores */
  CLIP_FAMILY_SIGLIP,      /* SiglipModel with spiece.model (SigLIP 1) */
  CLIP_FAMILY_SIGLIP2,     /* SiglipModel with Gemma's tokenizer.model (SigLIP 2) */
} clip_family;

typedef enum {
  CLIP_DTYPE_F32 = 0,
  CLIP_DTYPE_F16,
  CLIP_DTYPE_BF16,
} clip_dtype;

/* The arithmetic of the transformer blocks' matrix products (the native
 * backend; the others are float32 only).  Layer norms, softmax, the
 * attention products, the activations and the final projection are
 * float32 in every precision.  Accuracy against F32 (cosine of the
 * embeddings; tests check it on a trained toy model and a random
 * ViT-B/32): at least 0.9999 for F16, 0.999 for BF16, 0.995 for INT8. */
typedef enum {
  CLIP_PRECISION_F32 = 0, /* float32: exact mode, what the goldens are checked in */
  CLIP_PRECISION_F16,     /* IEEE half weights, float32 activations and sums */
  CLIP_PRECISION_BF16,    /* bfloat16 weights and activations, float32 sums */
  CLIP_PRECISION_INT8,    /* int8 weights with a scale per output channel, uint8
                           * activations with a scale and zero point per row,
                           * int32 sums; layer-norm channels over 4x the median
                           * gain are smoothed into the next weights at pack
                           * time (clip-pack.c; CLIP_NO_SMOOTHING=1 turns it off) */
  CLIP_N_PRECISIONS
} clip_precision;

/* ---------------------------------------------------------------------------
 * Tokenizer: byte-level BPE identical to OpenAI's CLIP `simple_tokenizer`.
 * ------------------------------------------------------------------------- */

typedef struct clip_tokenizer clip_tokenizer;

/* Loads vocab.json and merges.txt.  Checks that the 256 byte symbols (with
 * and without "</w>"), "<|startoftext|>" and "<|endoftext|>" are present
 * and that every merge's parts and result are in the vocabulary; a
 * disagreement is CLIP_STATUS_MISMATCH naming the file and line. */
clip_status clip_tokenizer_load (const char      *vocab_path,
                                 const char      *merges_path,
                                 clip_tokenizer **out,
                                 char           **error);
void        clip_tokenizer_free (clip_tokenizer *tok);

/* The largest vocab.json or merges.txt clip_tokenizer_load reads: bigger
 * files are refused (CLIP_STATUS_FORMAT) before they are read.  CLIP's
 * are 0.9 MB and 0.5 MB. */
#define CLIP_TOKENIZER_MAX_FILE (64u << 20)

/* Ids of "<|startoftext|>" and "<|endoftext|>" (49406 and 49407 for CLIP). */
int32_t     clip_tokenizer_sot_id     (const clip_tokenizer *tok);
int32_t     clip_tokenizer_eot_id     (const clip_tokenizer *tok);
/* Number of entries in vocab.json. */
int32_t     clip_tokenizer_vocab_size (const clip_tokenizer *tok);

/* Tokenizes `len` bytes of UTF-8 (len < 0: NUL-terminated) exactly as
 * `clip.tokenize(text, context_length, truncate=True)`: clean (NFC, HTML
 * unescape twice, whitespace collapsed, lower case), pre-tokenize, BPE, then
 * SOT, ids, EOT; truncated to `context_length` keeping EOT last; padded with
 * 0.  Writes exactly `context_length` ids.  Returns the number of ids before
 * padding (at least 2), or -1 if `context_length` < 2.  Invalid UTF-8 is
 * replaced by U+FFFD first.  Linear in the input (no quadratic BPE). */
int         clip_tokenizer_encode (const clip_tokenizer *tok,
                                   const char           *text,
                                   long                  len,
                                   int32_t              *ids,
                                   int                   context_length);

/* ---------------------------------------------------------------------------
 * Preprocessing: an 8-bit image buffer to the tensor the image encoder takes.
 * ------------------------------------------------------------------------- */

typedef struct {
  int   shortest_edge;   /* the short side is resized to this */
  int   crop_height;     /* then a centre crop of this size */
  int   crop_width;
  int   do_resize, do_center_crop, do_normalize;
  float rescale_factor;  /* 1/255 */
  float mean[3];
  float std[3];
  /* SigLIP's processors: when both are > 0 the image is resized straight
   * to resize_width x resize_height (aspect ratio not kept, as
   * `size: {"height", "width"}` asks) instead of by its short side; the
   * crop is then that size. */
  int   resize_height, resize_width;
  /* Pillow's filter (preprocessor_config.json `resample`): 0 (unset) or
   * CLIP_RESAMPLE_BICUBIC, or CLIP_RESAMPLE_BILINEAR; both antialiased
   * when downscaling, as Pillow's resize is. */
  int   resample;
} clip_preprocess_params;

#define CLIP_RESAMPLE_BILINEAR 2   /* PIL.Image.BILINEAR */
#define CLIP_RESAMPLE_BICUBIC  3   /* PIL.Image.BICUBIC */

typedef enum {
  CLIP_PIXELS_GRAY8 = 1, /* 1 byte per pixel (PIL mode "L") */
  CLIP_PIXELS_RGB8  = 3, /* R, G, B */
  CLIP_PIXELS_RGBA8 = 4, /* R, G, B, straight (not premultiplied) alpha */
} clip_pixel_format;

typedef struct {
  const uint8_t    *pixels;  /* top row first */
  int               width;
  int               height;
  int               stride;  /* bytes from one row to the next */
  clip_pixel_format format;
  /* PIL resamples palette ("P") and 1-bit images with nearest neighbour
   * whatever filter is asked for; set this for such sources. */
  int               nearest;
} clip_image;

/* Prepares one image, already upright (EXIF orientation applied by the
 * caller), as CLIP's `_transform` does: short side resized to
 * `shortest_edge` (long side truncated, as Python's int()) with Pillow's
 * 8-bit antialiased bicubic (horizontal pass, then vertical, each rounded
 * and clamped to 8 bits; RGBA resampled premultiplied, then unpremultiplied
 * and alpha dropped), centre crop with round-half-to-even offsets, v/255,
 * (x - mean)/std in float32.  Writes 3 x crop_height x crop_width floats,
 * layout C x H x W, channels R, G, B. */
clip_status clip_preprocess (const clip_preprocess_params *params,
                             const clip_image             *image,
                             float                        *out,
                             char                        **error);

/* ---------------------------------------------------------------------------
 * Model
 * ------------------------------------------------------------------------- */

typedef struct clip_model clip_model;

typedef struct {
  int             width;          /* hidden_size */
  int             layers;         /* num_hidden_layers */
  int             heads;          /* num_attention_heads */
  int             mlp;            /* intermediate_size */
  clip_activation act;            /* hidden_act */
  float           eps;            /* layer_norm_eps */
} clip_tower_info;

typedef struct {
  clip_tower_info vision;
  clip_tower_info text;
  int             image_size;     /* vision_config.image_size */
  int             patch_size;     /* vision_config.patch_size */
  int             num_channels;   /* 3 */
  int             context_length; /* text_config.max_position_embeddings */
  int             vocab_size;     /* text_config.vocab_size */
  int             embed_dim;      /* projection_dim */
  float           logit_scale;    /* the stored tensor: ln of the softmax scale */
  clip_dtype      dtype;          /* dtype of the weights in the file */
  uint64_t        n_params;       /* parameters loaded (ignored tensors excluded) */
  /* Additions for SigLIP (zero for CLIP).  For SigLIP embed_dim is the
   * vision hidden_size (= text_config.projection_size); scores are
   * sigmoid(exp(logit_scale) cos + logit_bias). */
  clip_family     family;
  float           logit_bias;     /* the stored logit_bias tensor */
} clip_model_info;

/* Loads a Hugging Face CLIPModel directory.  model.safetensors is
 * memory-mapped; every tensor's presence, dtype, shape and byte range is
 * checked against config.json and the file; F16/BF16 weights are converted
 * to float32 at load time.  Unknown extra tensors are ignored.  Errors name
 * the file (and the tensor or key) and what is wrong. */
clip_status clip_model_load (const char  *dir,
                             clip_model **out,
                             char       **error);
void        clip_model_free (clip_model *model);

/* The towers of a model, as flags. */
typedef enum {
  CLIP_TOWER_VISION = 1 << 0,
  CLIP_TOWER_TEXT   = 1 << 1,
  CLIP_TOWERS_ALL   = CLIP_TOWER_VISION | CLIP_TOWER_TEXT,
} clip_towers;

/* Like clip_model_load, checking the same, but converts the linear layers
 * of the towers in `towers` straight from the file into the packed layout
 * of `precision` (see clip_params.precision), one tensor at a time, keeps
 * no float32 copy of them, skips the other tower's weights, and lets go of
 * the file's pages as it goes: the process then holds the weights of that
 * precision and little else (a ViT-B/32 vision tower in int8: about 90 MB
 * instead of 605 MB).  Such a model serves only native-backend contexts of
 * that precision, and encodes only with the towers it has; anything else
 * is CLIP_STATUS_UNSUPPORTED.  For a process that only indexes
 * (CLIP_TOWER_VISION) or only searches (CLIP_TOWER_TEXT). */
clip_status clip_model_load_for (const char     *dir,
                                 clip_precision  precision,
                                 unsigned        towers,
                                 clip_model    **out,
                                 char          **error);

const clip_model_info        *clip_model_get_info       (const clip_model *model);
const clip_preprocess_params *clip_model_get_preprocess (const clip_model *model);
const clip_tokenizer         *clip_model_get_tokenizer  (const clip_model *model);

/* A SigLIP model's SentencePiece model (NULL for CLIP, whose tokenizer
 * clip_model_get_tokenizer gives). */
typedef struct clip_spm clip_spm;
const clip_spm *clip_model_get_spm (const clip_model *model);
/* The model's text input for `len` bytes of text (len < 0: NUL-
 * terminated), whatever its family: clip_tokenizer_encode for CLIP,
 * clip_spm_encode_siglip / _siglip2 for SigLIP 1 / 2.  Writes exactly
 * info.context_length ids; returns how many precede the padding, or -1. */
int             clip_model_tokenize (const clip_model *model,
                                     const char       *text,
                                     long              len,
                                     int32_t          *ids);

/* Floats in one preprocessed image: 3 x image_size x image_size. */
size_t      clip_model_image_floats (const clip_model *model);

/* ---------------------------------------------------------------------------
 * Inference
 * ------------------------------------------------------------------------- */

typedef enum {
  CLIP_BACKEND_NATIVE = 0, /* the engine's own packed GEMMs and kernel table: the default */
  CLIP_BACKEND_REF,        /* float32, plain C loops: the specification, for tests */
  CLIP_BACKEND_BLAS,       /* float32, matrix products through cblas_sgemm (OpenBLAS, its
                            * thread count set to n_threads): a second reference */
} clip_backend;

/* "f32", "f16", "bf16", "int8"; NULL for an unknown value. Static. */
const char *clip_precision_name  (clip_precision precision);
/* Parses those names (and "fp32", "fp16"); returns 0 for an unknown one. */
int         clip_precision_parse (const char     *name,
                                  clip_precision *out);
/* Whether the kernel table in use has instructions made for `precision`
 * (F32 always; F16 with F16C; BF16 with AVX512_BF16; INT8 with
 * AVX2, AVX-VNNI or AVX512-VNNI).  The others still run, on slower generic loops. */
int         clip_precision_is_fast (clip_precision precision);

typedef struct {
  int            n_threads;   /* 0 (the default): the process's shared pool
                               * of clip_cpu_budget () threads; else a pool
                               * of this many threads of its own */
  clip_backend   backend;
  clip_precision precision;   /* CLIP_PRECISION_F32 by default */
  /* Polled between layers, from the calling thread or, where a batch
   * runs in lanes, from several of the context's threads at once (so it
   * must be thread-safe, as g_cancellable_is_cancelled is); returning
   * non-zero stops the call with CLIP_STATUS_ABORTED. */
  int          (*abort_cb) (void *user_data);
  void          *abort_data;
} clip_params;

clip_params clip_params_default (void);

typedef struct clip_ctx clip_ctx;

/* A context holds scratch memory for `model`, which must outlive it, and
 * uses the process's shared pool or, with n_threads > 0, a pool of
 * n_threads - 1 worker threads of its own.  The first context of a
 * precision packs the model's weights into that precision's layout (about
 * a second for a ViT-B/32 in INT8); later contexts of the same precision
 * share the packed weights, which are freed with the last of them.  A
 * precision other than F32 with a backend other than NATIVE is
 * CLIP_STATUS_INVALID_ARGUMENT. */
clip_status clip_ctx_new  (const clip_model  *model,
                           const clip_params *params,
                           clip_ctx         **out,
                           char             **error);
void        clip_ctx_free (clip_ctx *ctx);

/* ---------------------------------------------------------------------------
 * The CPU budget
 *
 * Every context made with n_threads 0 (the default), and every
 * clip_parallel_run, computes on one process-wide pool: the calling
 * thread plus clip_cpu_budget () - 1 workers.  The pool runs one job (a
 * step of an encoder, a pass of a scan) at a time; a caller that finds it
 * busy runs its own job's chunks on its own thread instead of waiting.  So
 * two contexts encoding at once, or an encode beside a scan, use at most
 * the budget plus one thread per extra caller, not the budget each.  The
 * BLAS backend's OpenBLAS threads are set to the same number.
 * ------------------------------------------------------------------------- */

/* The budget: the CPUs this process may run on (g_get_num_processors)
 * unless clip_set_cpu_budget set it. */
int         clip_cpu_budget     (void);
/* Sets the budget (0: back to the CPUs) before the shared pool exists,
 * that is before the first context with n_threads 0 or the first
 * clip_parallel_run; returns 1, or 0 (changing nothing) once it exists. */
int         clip_set_cpu_budget (int n_threads);

/* One task of clip_parallel_run. */
typedef void (*clip_task_fn) (size_t task,
                              void  *data);
/* Runs fn (task, data) for task = 0 .. n_tasks - 1, each once, on the
 * shared pool and the calling thread, and returns when all are done.  Any
 * thread; calls may overlap (see above). */
void        clip_parallel_run   (size_t       n_tasks,
                                 clip_task_fn fn,
                                 void        *data);

/* Encodes `n` preprocessed images (n x 3 x S x S floats, as clip_preprocess
 * writes them) into `out` (n x embed_dim floats): the raw visual projection,
 * not normalised. */
clip_status clip_encode_images (clip_ctx    *ctx,
                                const float *pixels,
                                int          n,
                                float       *out,
                                char       **error);

/* Encodes `n` token sequences (n x context_length ids, as
 * clip_tokenizer_encode writes them) into `out` (n x embed_dim floats):
 * the raw text projection at the first end-of-text token (the argmax of
 * the ids), not normalised.  Positions after it are never computed. */
clip_status clip_encode_texts (clip_ctx      *ctx,
                               const int32_t *ids,
                               int            n,
                               float         *out,
                               char         **error);

/* Scales `v` (dim floats) to unit L2 norm; a zero vector is left as is. */
void        clip_normalize (float *v,
                            int    dim);

/* Instruction sets.  The engine detects the CPU's features once and uses
 * the highest of these levels that the CPU (and, for the encoder's kernel
 * tables, the build) supports, in this order:
 *   ref         plain C
 *   avx2        AVX2, FMA and F16C (the OS saving YMM state)
 *   avxvnni     avx2 and AVX-VNNI (the int8 GEMM on 256-bit vectors)
 *   avx512      avx2 and AVX-512 F, BW, VL and DQ (the OS saving ZMM state)
 *   avx512vnni  avx512 and AVX512-VNNI (the int8 GEMM and int8 vector dots)
 *   avx512bf16  avx512vnni and AVX512_BF16 (the bfloat16 GEMM)
 * A level needs what its line says, not every level above it: a CPU with
 * AVX-512 may lack AVX-VNNI (Zen 4) and the other way round (Alder Lake).
 * The vector kernels have no avxvnni path: at that level they use avx2.
 * and on aarch64 (Linux, from the kernel's HWCAP bits):
 *   neon        Advanced SIMD (every aarch64 CPU: the float32 and half GEMMs)
 *   neondot     neon and the dot-product extension, SDOT (the int8 GEMM)
 * The x86 levels are never available on aarch64 nor the Arm ones on x86,
 * and a ceiling of the other architecture leaves the kernels at ref.
 * The environment variable CLIP_ISA, read once, sets a ceiling: one of
 * these names (exactly, lower case) makes the encoder's table and the
 * vector kernels (clip_vec_*) use the highest level at most that one;
 * unset, empty or "auto" means no ceiling.  Any other value is ignored
 * with a warning on stderr, and so is a level the CPU or build lacks
 * (with the level used instead).  CLIP_ISA=ref: plain C everywhere.
 *
 * Name of the kernel table in use ("ref", "avx2", "avxvnni", "avx512",
 * "avx512vnni", "avx512bf16", "neon", "neondot"). */
const char *clip_kernels_name (void);

/* Measures the peak of the instruction the GEMM of `precision` is built on
 * (FMA, VDPBF16PS, VPDPBUSD...) in the kernel table in use, with a
 * register-resident loop on `n_threads` threads at once (0: the budget) for
 * about `seconds`: arithmetic operations per second (2 per multiply-add),
 * in billions.  For benchmarks: what share of it the encoder reaches. */
double      clip_kernels_peak_gops (clip_precision precision,
                                    int            n_threads,
                                    double         seconds);

/* Stage timing, for benchmarks.  With CLIP_STAGE_TIMES set (not "0") in
 * the environment, the native encoder adds up the wall time its threads
 * spend in each stage: the GEMMs, the attention, quantising (or converting
 * to bfloat16) the GEMMs' activations, the layer norms before them, and
 * other row steps (the tanh GELU); CLIP_STAGE_THREADS_X_WALL adds each
 * encode call's wall time times the pool's threads, so that what it has
 * beyond the stages is waiting, preemption and untimed work.  Unset, it
 * costs a predictable branch per step.  Copies the sums since the last
 * call, in milliseconds, into ms and resets them; returns 0 (ms untouched)
 * when timing is off. */
typedef enum {
  CLIP_STAGE_GEMM,
  CLIP_STAGE_ATTENTION,
  CLIP_STAGE_QUANTIZE,
  CLIP_STAGE_LAYERNORM,
  CLIP_STAGE_OTHER,
  CLIP_STAGE_THREADS_X_WALL,
  CLIP_STAGE_COUNT
} clip_stage;

int         clip_stage_times_take (double ms[CLIP_STAGE_COUNT]);
/* "gemm", "attention", "quantize", "layernorm", "other", "threads_x_wall" */
const char *clip_stage_name       (clip_stage stage);

/* ---------------------------------------------------------------------------
 * Test models: random weights in the Hugging Face layout
 * ------------------------------------------------------------------------- */

typedef struct {
  clip_model_info shape;   /* every dimension; logit_scale; dtype of the file */
  clip_preprocess_params preprocess;
  uint64_t        seed;
  /* If set, vocab.json and merges.txt are copied from this directory;
   * otherwise a byte-level vocabulary of shape.vocab_size entries is
   * generated (valid, but not CLIP's). */
  const char     *tokenizer_from;
  /* If set, the layer norms of both towers (layer_norm1, layer_norm2,
   * post_layernorm, final_layer_norm) give a few fixed channels a gain of
   * 20-100 and a bias offset, as trained ViTs have, and the next linear
   * weights take them back (clip-testmodel.c says which and why):
   * activation outliers for testing the reduced precisions. */
  int             outliers;
} clip_test_model_spec;

/* Fills `spec` with a named preset: "vit-b-32", "vit-b-16", "vit-l-14",
 * "vit-l-14-336", "tiny".  Returns CLIP_STATUS_INVALID_ARGUMENT for an
 * unknown name. */
clip_status clip_test_model_preset (const char           *name,
                                    clip_test_model_spec *spec,
                                    char                **error);

/* Writes config.json, preprocessor_config.json, model.safetensors,
 * vocab.json and merges.txt into `dir` (created if missing). */
clip_status clip_test_model_write (const clip_test_model_spec *spec,
                                   const char                 *dir,
                                   char                      **error);

/* ===========================================================================
 * Vector search kernels (clip-vector.c)
 *
 * Inner products of one query with many stored embeddings, for brute-force
 * search.  The instruction set is chosen once at run time (AVX-512 with
 * VNNI, AVX-512, AVX2, or plain C) from the levels and the CLIP_ISA
 * ceiling described at clip_kernels_name, but not limited by which kernel
 * tables the build has (these use GCC target attributes).  Every function may
 * be called from any number of threads at once; none allocates.  Rows may
 * start at any address (no alignment needed; 64-byte alignment is fastest).
 * ========================================================================= */

/* "ref", "avx2", "avx512" or "avx512vnni". */
const char *clip_vec_isa_name (void);

/* scores[i] = sum over d < dim of matrix[i * stride + d] * query[d], for
 * i < n_rows (stride >= dim, in floats).  Float32 accumulation in a fixed
 * order per instruction set: results may differ from the plain-C order by
 * float rounding (relative 1e-6 for unit vectors of dim 512). */
void  clip_vec_dot_rows_f32 (const float *matrix,
                             size_t       stride,
                             size_t       n_rows,
                             const float *query,
                             int          dim,
                             float       *scores);

/* Symmetric int8 quantisation of one vector: out[d] = round (v[d] / scale)
 * with scale = max |v[d]| / 127, so out lies in [-127, 127].  *scale gets
 * the scale (0 for a zero vector) and *error, when not NULL, the L2 norm
 * of v - scale * out (the most the quantisation can move an inner product
 * with a unit vector). */
void  clip_vec_quantize_i8  (const float *v,
                             int          dim,
                             int8_t      *out,
                             float       *scale,
                             float       *error);

/* dots[i] = sum over d < dim of matrix[i * stride + d] * query[d] exactly,
 * in 32-bit integers, for int8 rows and query in [-127, 127] (stride in
 * bytes, >= dim).  Multiply by the two scales for the float estimate. */
void  clip_vec_dot_rows_i8  (const int8_t *matrix,
                             size_t        stride,
                             size_t        n_rows,
                             const int8_t *query,
                             int           dim,
                             int32_t      *dots);

/* out[i * n_b + j] = dot (a + i * dim, b + j * dim) for i < n_a, j < n_b:
 * all inner products of two sets of dense row-major vectors (a matrix
 * product through BLAS, using the engine's BLAS threads). */
void  clip_vec_dot_matrix_f32 (const float *a,
                               size_t       n_a,
                               const float *b,
                               size_t       n_b,
                               int          dim,
                               float       *out);

/* ---------------------------------------------------------------------------
 * SentencePiece tokenizer (SigLIP's spiece.model, Gemma's tokenizer.model).
 *
 * Reads a SentencePiece `.model` (a ModelProto protobuf) and gives the ids
 * SentencePiece's EncodeAsIds gives: its normaliser (the precompiled
 * charsmap, dummy prefix, whitespace handling, user-defined symbols), then
 * a unigram model (Viterbi) or BPE (merges by piece score), unknown
 * characters as the unknown id or, with byte_fallback, as <0xXX> pieces.
 * No SigLIP wrapping (lower case, punctuation, EOS, padding) is done here.
 * ------------------------------------------------------------------------- */

typedef struct clip_spm clip_spm;

typedef enum {
  CLIP_SPM_UNIGRAM = 1,   /* trainer_spec.model_type values */
  CLIP_SPM_BPE     = 2,
} clip_spm_kind;

/* The largest .model clip_spm_load reads (Gemma's is 4.2 MB). */
#define CLIP_SPM_MAX_FILE (64u << 20)

/* Loads a .model file, or `size` bytes of one.  A file that is not a
 * well-formed ModelProto (truncated, a field of the wrong wire type, sizes
 * past its end, duplicate or empty pieces, no unknown piece, byte pieces
 * without byte_fallback...) is CLIP_STATUS_FORMAT with a message saying
 * what and where; a word or char model is CLIP_STATUS_UNSUPPORTED. */
clip_status   clip_spm_load      (const char     *path,
                                  clip_spm      **out,
                                  char          **error);
clip_status   clip_spm_load_data (const void     *data,
                                  size_t          size,
                                  clip_spm      **out,
                                  char          **error);
void          clip_spm_free      (clip_spm       *spm);

clip_spm_kind clip_spm_get_kind   (const clip_spm *spm);
int32_t       clip_spm_vocab_size (const clip_spm *spm);
/* The unknown piece's id (always present), and the ids of the pieces
 * trainer_spec names bos, eos and pad, -1 for those it has not. */
int32_t       clip_spm_unk_id     (const clip_spm *spm);
int32_t       clip_spm_bos_id     (const clip_spm *spm);
int32_t       clip_spm_eos_id     (const clip_spm *spm);
int32_t       clip_spm_pad_id     (const clip_spm *spm);

/* Encodes `len` bytes of text (len < 0: NUL-terminated), as they are: a
 * malformed UTF-8 byte is U+FFFD as in SentencePiece.  Returns the ids
 * (g_free them) and their number in `n_ids`; an empty text (or one only of
 * removed whitespace) is an empty array, not NULL. */
int32_t      *clip_spm_encode (const clip_spm *spm,
                               const char     *text,
                               long            len,
                               size_t         *n_ids);

/* SigLIP's text input for `len` bytes of text (len < 0: NUL-terminated),
 * as Hugging Face's SiglipTokenizer with SiglipProcessor's
 * padding="max_length" gives it for SigLIP 1's spiece.model: lower case
 * (Python's str.lower), ASCII punctuation removed, whitespace runs one
 * space, stripped, "▁" in front, encoded without the model's dummy
 * prefix; then at most context_length - 1 ids, the end-of-text id, and
 * that id again as padding.  Writes exactly `context_length` ids (64 for
 * SigLIP) and returns how many precede the padding, or -1 when the model
 * has no "</s>" control piece or context_length < 1.  Malformed UTF-8
 * bytes are U+FFFD each.  The literal texts "</s>" and "<unk>", which
 * Hugging Face splits off as special tokens, are encoded as text. */
int           clip_spm_encode_siglip (const clip_spm *spm,
                                      const char     *text,
                                      long            len,
                                      int32_t        *ids,
                                      int             context_length);

/* SigLIP 2's text input with Gemma's tokenizer.model, as Hugging Face
 * sets it up (Siglip2Tokenizer's lower case, GemmaTokenizerFast with
 * add_eos_token, padding="max_length"): lower case one character at a
 * time, the model's own encoding, at most context_length - 1 ids, the
 * end-of-text id, then the pad id.  Writes exactly `context_length` ids
 * and returns how many precede the padding, or -1 when the model has no
 * eos or pad piece or context_length < 1. */
int           clip_spm_encode_siglip2 (const clip_spm *spm,
                                       const char     *text,
                                       long            len,
                                       int32_t        *ids,
                                       int             context_length);

#ifdef __cplusplus
}
#endif
