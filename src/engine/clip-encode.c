/* clip-encode.c - the vision and text transformers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The computation is Hugging Face's CLIPModel (equal to OpenAI's CLIP):
 * pre-norm blocks x += attn(ln1(x)); x += mlp(ln2(x)), attention scaled by
 * 1/sqrt(head_dim), a causal mask in the text tower.  All sequences of a
 * batch are stacked as rows of one activation matrix, so each linear layer
 * is one matrix product over the whole batch; attention runs per sequence
 * and head.  Text sequences are cut at their end-of-text token, since with
 * a causal mask nothing after it can change the pooled output.
 *
 * Three backends share this file.  CLIP_BACKEND_NATIVE, the default,
 * multiplies by weights packed once per precision (clip-pack.c) with the
 * kernel table's GEMMs, fuses the bias, the activation and the residual
 * add into them, and splits every step over the context's thread pool
 * (GEMMs by panels of 32 output columns pulled from an atomic counter,
 * attention by sequence and head, row ops by rows), or, for a batch of
 * several sequences, gives each thread a lane of whole sequences to run
 * through every step on its own.  In the last block
 * only the pooled rows (the class token, the end-of-text token) go past
 * the attention: no other row reaches the output.  CLIP_BACKEND_BLAS sends
 * the float32 products to cblas_sgemm; CLIP_BACKEND_REF uses plain loops
 * and the reference kernels, the specification the tests compare the
 * others with.  Scratch memory grows to the largest batch seen and is then
 * reused: no allocation per image.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#include <glib.h>

#include "clip-private.h"
#include "kernels/kernels.h"

/* OpenBLAS's thread count is process-wide; it has no public header
 * guarantee across distributions' cblas.h, so declare it here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wredundant-decls"
void openblas_set_num_threads (int num_threads);
#pragma GCC diagnostic pop

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

clip_params
clip_params_default (void)
{
  clip_params p = {
    .n_threads = 0,
    .backend = CLIP_BACKEND_NATIVE,
    .precision = CLIP_PRECISION_F32,
    .abort_cb = NULL,
    .abort_data = NULL,
  };
  return p;
}

static clip_weights_format
precision_format (clip_precision precision)
{
  switch (precision)
    {
    case CLIP_PRECISION_F16: return CLIP_WEIGHTS_F16;
    case CLIP_PRECISION_BF16: return CLIP_WEIGHTS_BF16;
    case CLIP_PRECISION_INT8: return CLIP_WEIGHTS_I8;
    default: return CLIP_WEIGHTS_F32;
    }
}

int
clip_precision_is_fast (clip_precision precision)
{
  if ((unsigned) precision >= CLIP_N_PRECISIONS)
    return 0;
  return clip_kernels_get ()->fast[precision_format (precision)];
}

static int
online_cpus (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int) n : 1;
}

clip_status
clip_ctx_new (const clip_model  *model,
              const clip_params *params,
              clip_ctx         **out,
              char             **error)
{
  clip_params p;
  clip_ctx *ctx;
  clip_status status;

  if (model == NULL || out == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_ctx_new: no model");
  p = params != NULL ? *params : clip_params_default ();
  if ((unsigned) p.backend > CLIP_BACKEND_BLAS || (unsigned) p.precision >= CLIP_N_PRECISIONS)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_ctx_new: unknown backend %d or precision %d",
                           (int) p.backend, (int) p.precision);
  if (p.backend != CLIP_BACKEND_NATIVE && p.precision != CLIP_PRECISION_F32)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_ctx_new: precision %s needs the native backend",
                           clip_precision_name (p.precision));
  if (model->load_packed && p.backend != CLIP_BACKEND_NATIVE)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "clip_ctx_new: a model loaded for %s has no float32 weights for backend %d",
                           clip_precision_name (model->load_precision), (int) p.backend);
  if (p.n_threads <= 0)
    p.n_threads = online_cpus ();

  ctx = g_new0 (clip_ctx, 1);
  ctx->model = model;
  ctx->params = p;
  ctx->k = p.backend == CLIP_BACKEND_REF ? clip_kernels_ref () : clip_kernels_get ();
  ctx->head_major_bytes = (size_t) 1 << 20;
  ctx->lane_min_rows = LANE_MIN_ROWS;
  if (p.backend == CLIP_BACKEND_BLAS)
    openblas_set_num_threads (p.n_threads);
  if (p.backend == CLIP_BACKEND_NATIVE)
    {
      status = clip_model_pack_ref (model, p.precision, &ctx->pack, error);
      if (status != CLIP_STATUS_OK)
        {
          g_free (ctx);
          return status;
        }
      ctx->pool = clip_pool_new (p.n_threads);
    }
  *out = ctx;
  return CLIP_STATUS_OK;
}

void
clip_ctx_set_kernels (clip_ctx           *ctx,
                      const clip_kernels *k)
{
  if (ctx->params.backend == CLIP_BACKEND_NATIVE && k != NULL)
    ctx->k = k;
}

void
clip_ctx_set_head_major_bytes (clip_ctx *ctx,
                               size_t    bytes)
{
  ctx->head_major_bytes = bytes;
}

void
clip_ctx_set_lane_min_rows (clip_ctx *ctx,
                            size_t    rows)
{
  ctx->lane_min_rows = rows;
}

void
clip_ctx_free (clip_ctx *ctx)
{
  if (ctx == NULL)
    return;
  clip_pool_free (ctx->pool);
  clip_model_pack_unref (ctx->model, ctx->pack);
  for (int i = 0; i < N_SCRATCH; i++)
    g_free (ctx->s[i].p);
  g_free (ctx->x);
  g_free (ctx->h);
  g_free (ctx->q);
  g_free (ctx->kk);
  g_free (ctx->v);
  g_free (ctx->attn);
  g_free (ctx->mlp);
  g_free (ctx->scores);
  g_free (ctx->patches);
  g_free (ctx);
}

static clip_status
reserve (clip_ctx *ctx,
         size_t    rows,
         size_t    width,
         size_t    mlp,
         size_t    scores,
         char    **error)
{
  if (rows > ctx->rows_cap || width > ctx->width_cap)
    {
      size_t r = MAX (rows, ctx->rows_cap), w = MAX (width, ctx->width_cap);
      float **bufs[] = { &ctx->x, &ctx->h, &ctx->q, &ctx->kk, &ctx->v, &ctx->attn };

      if (w != 0 && r > SIZE_MAX / sizeof (float) / w)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "batch too large (%zu rows)", rows);
      for (size_t i = 0; i < G_N_ELEMENTS (bufs); i++)
        {
          g_free (*bufs[i]);
          *bufs[i] = g_try_new (float, r * w);
          if (*bufs[i] == NULL)
            return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                                   "cannot allocate %zu x %zu activations", r, w);
        }
      ctx->rows_cap = r;
      ctx->width_cap = w;
      ctx->mlp_cap = 0; /* rows changed: the mlp buffer must follow */
    }
  if (mlp > ctx->mlp_cap)
    {
      g_free (ctx->mlp);
      ctx->mlp = g_try_new (float, ctx->rows_cap * mlp);
      if (ctx->mlp == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate the MLP buffer");
      ctx->mlp_cap = mlp;
    }
  if (scores > ctx->scores_cap)
    {
      g_free (ctx->scores);
      ctx->scores = g_try_new (float, scores);
      if (ctx->scores == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate attention scores");
      ctx->scores_cap = scores;
    }
  return CLIP_STATUS_OK;
}

/* --- the float32 backends: BLAS and the plain-C reference ------------------ */

/* y[rows, out] = x[rows, in] W[out, in]^T (+ b), or += when accumulate. */
static void
linear (clip_ctx    *ctx,
        float       *y,
        const float *x,
        const float *w,
        const float *b,
        size_t       rows,
        size_t       in,
        size_t       out,
        gboolean     accumulate)
{
  if (rows == 0)
    return;
  if (ctx->params.backend == CLIP_BACKEND_BLAS)
    {
      if (!accumulate)
        {
          if (b != NULL)
            for (size_t r = 0; r < rows; r++)
              memcpy (y + r * out, b, out * sizeof (float));
          else
            memset (y, 0, rows * out * sizeof (float));
        }
      else if (b != NULL)
        for (size_t r = 0; r < rows; r++)
          ctx->k->add_f32 (y + r * out, b, out);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   (int) rows, (int) out, (int) in,
                   1.0f, x, (int) in, w, (int) in,
                   1.0f, y, (int) out);
      return;
    }

  for (size_t r = 0; r < rows; r++)
    for (size_t o = 0; o < out; o++)
      {
        float s = ctx->k->dot_f32 (x + r * in, w + o * in, in) + (b != NULL ? b[o] : 0.0f);
        y[r * out + o] = accumulate ? y[r * out + o] + s : s;
      }
}

/* Multi-head self-attention of one sequence of `t` rows (stride `width`)
 * from q, k, v into out.  `causal`: row i sees rows 0..i only. */
static void
attention (clip_ctx    *ctx,
           float       *out,
           const float *q,
           const float *k,
           const float *v,
           size_t       t,
           size_t       width,
           size_t       heads,
           gboolean     causal)
{
  size_t hd = width / heads;
  float scale = 1.0f / sqrtf ((float) hd);
  float *s = ctx->scores;

  for (size_t h = 0; h < heads; h++)
    {
      const float *qh = q + h * hd, *kh = k + h * hd, *vh = v + h * hd;
      float *oh = out + h * hd;

      /* scores[t, t] = q_h k_h^T * scale */
      if (ctx->params.backend == CLIP_BACKEND_BLAS)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) t, (int) t, (int) hd,
                     scale, qh, (int) width, kh, (int) width, 0.0f, s, (int) t);
      else
        for (size_t i = 0; i < t; i++)
          for (size_t j = 0; j < t; j++)
            s[i * t + j] = ctx->k->dot_f32 (qh + i * width, kh + j * width, hd) * scale;

      for (size_t i = 0; i < t; i++)
        {
          size_t visible = causal ? i + 1 : t;
          ctx->k->softmax_f32 (s + i * t, visible);
          for (size_t j = visible; j < t; j++)
            s[i * t + j] = 0.0f;
        }

      /* out_h[t, hd] = scores v_h */
      if (ctx->params.backend == CLIP_BACKEND_BLAS)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) t, (int) hd, (int) t,
                     1.0f, s, (int) t, vh, (int) width, 0.0f, oh, (int) width);
      else
        for (size_t i = 0; i < t; i++)
          {
            float *row = oh + i * width;
            memset (row, 0, hd * sizeof (float));
            for (size_t j = 0; j < t; j++)
              ctx->k->axpy_f32 (row, s[i * t + j], vh + j * width, hd);
          }
    }
}

/* Runs the blocks of a tower over ctx->x: `n_seq` sequences whose rows
 * start at seq_start[i] and number seq_len[i]; `rows` in all. */
static clip_status
run_blocks_classic (clip_ctx                 *ctx,
                    const clip_tower_info    *info,
                    const clip_tower_weights *tw,
                    const size_t             *seq_start,
                    const size_t             *seq_len,
                    size_t                    n_seq,
                    size_t                    rows,
                    gboolean                  causal,
                    char                    **error)
{
  size_t w = (size_t) info->width, m = (size_t) info->mlp;
  const clip_kernels *k = ctx->k;

  for (int l = 0; l < info->layers; l++)
    {
      const clip_layer_weights *lw = &tw->layers[l];

      if (ctx->params.abort_cb != NULL && ctx->params.abort_cb (ctx->params.abort_data))
        return clip_set_error (error, CLIP_STATUS_ABORTED, "encoding aborted");

      for (size_t r = 0; r < rows; r++)
        k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, lw->ln1_w, lw->ln1_b, w, info->eps);
      linear (ctx, ctx->q, ctx->h, lw->q_w, lw->q_b, rows, w, w, FALSE);
      linear (ctx, ctx->kk, ctx->h, lw->k_w, lw->k_b, rows, w, w, FALSE);
      linear (ctx, ctx->v, ctx->h, lw->v_w, lw->v_b, rows, w, w, FALSE);
      for (size_t s = 0; s < n_seq; s++)
        {
          size_t off = seq_start[s] * w;
          attention (ctx, ctx->attn + off, ctx->q + off, ctx->kk + off, ctx->v + off,
                     seq_len[s], w, (size_t) info->heads, causal);
        }
      linear (ctx, ctx->x, ctx->attn, lw->o_w, lw->o_b, rows, w, w, TRUE);

      for (size_t r = 0; r < rows; r++)
        k->layernorm_f32 (ctx->h + r * w, ctx->x + r * w, lw->ln2_w, lw->ln2_b, w, info->eps);
      linear (ctx, ctx->mlp, ctx->h, lw->fc1_w, lw->fc1_b, rows, w, m, FALSE);
      if (info->act == CLIP_ACT_GELU)
        k->gelu_f32 (ctx->mlp, rows * m);
      else
        k->quick_gelu_f32 (ctx->mlp, rows * m);
      linear (ctx, ctx->x, ctx->mlp, lw->fc2_w, lw->fc2_b, rows, m, w, TRUE);
    }
  return CLIP_STATUS_OK;
}

/* Final layer norm of the pooled rows, then the projection into `out`. */
static void
pool_and_project_classic (clip_ctx                 *ctx,
                          const clip_tower_info    *info,
                          const clip_tower_weights *tw,
                          const size_t             *pooled_row,
                          size_t                    n,
                          float                    *out)
{
  size_t w = (size_t) info->width, e = (size_t) ctx->model->info.embed_dim;

  /* ctx->h holds the n pooled, normalised rows */
  for (size_t i = 0; i < n; i++)
    ctx->k->layernorm_f32 (ctx->h + i * w, ctx->x + pooled_row[i] * w,
                           tw->final_ln_w, tw->final_ln_b, w, info->eps);
  linear (ctx, out, ctx->h, tw->proj, NULL, n, w, e, FALSE);
}

/* --- the native backend ------------------------------------------------------ */

/* Makes scratch buffer `which` hold at least n elements of `size` bytes. */
static gboolean
grow (clip_ctx *ctx,
      int       which,
      size_t    n,
      size_t    size)
{
  scratch_buf *s = &ctx->s[which];

  if (n != 0 && size > SIZE_MAX / n)
    return FALSE;
  if (n * size <= s->cap)
    return TRUE;
  g_free (s->p);
  s->p = g_try_malloc (n * size);
  s->cap = s->p != NULL ? n * size : 0;
  return s->p != NULL;
}

#define BUF(ctx, which, type) ((type *) (ctx)->s[which].p)

static size_t
round_up (size_t x,
          size_t to)
{
  return (x + to - 1) / to * to;
}

/* Sizes every buffer of the native path for `rows` rows of a tower of
 * width w and mlp m, sequences up to t long, n_seq of them, and `patches`
 * im2col rows of pd floats. */
static clip_status
reserve_native (clip_ctx *ctx,
                size_t    rows,
                size_t    w,
                size_t    m,
                size_t    hd,
                size_t    t,
                size_t    n_seq,
                size_t    patches,
                size_t    pd,
                char    **error)
{
  size_t e = (size_t) ctx->model->info.embed_dim;
  size_t cols = round_up (MAX (MAX (w, m), MAX (pd, e)), 4);
  size_t nth = (size_t) clip_pool_size (ctx->pool);
  size_t att = (hd + 4) * (t + 16);

  if (cols > ctx->act_cols)
    {
      /* the row stride changes: drop what was sized for the old one */
      for (int i = S_A16; i <= S_A8; i++)
        {
          g_clear_pointer (&ctx->s[i].p, g_free);
          ctx->s[i].cap = 0;
        }
      ctx->act_cols = cols;
    }
  cols = ctx->act_cols;
  ctx->att_each = MAX (ctx->att_each, att);
  if (!grow (ctx, S_X, rows, w * sizeof (float))
      || !grow (ctx, S_H, MAX (rows, patches), MAX (w, e) * sizeof (float))
      || !grow (ctx, S_QKV, rows, 3 * w * sizeof (float))
      || !grow (ctx, S_ATTN, rows, w * sizeof (float))
      || !grow (ctx, S_MLP, rows, m * sizeof (float))
      || !grow (ctx, S_PATCH, patches, pd * sizeof (float))
      || !grow (ctx, S_A16, MAX (rows, patches), cols * sizeof (uint16_t))
      || !grow (ctx, S_A8, MAX (rows, patches), cols)
      || !grow (ctx, S_ASCALE, MAX (rows, patches), sizeof (float))
      || !grow (ctx, S_AZERO, MAX (rows, patches), sizeof (int32_t))
      || !grow (ctx, S_ATT, nth, ctx->att_each * sizeof (float))
      || !grow (ctx, S_SEQ, 4 * n_seq, sizeof (size_t)))
    return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                           "cannot allocate scratch memory for %zu rows", rows);
  return CLIP_STATUS_OK;
}

/* Where the steps of a pass run.  Over the whole pool (pool set, r0 0),
 * each step split between the threads; or inline on thread `ith` for one
 * lane: a group of whole sequences whose rows start at row r0 of every
 * row-indexed scratch buffer (see run_tower_native). */
typedef struct {
  clip_ctx  *ctx;
  clip_pool *pool;   /* NULL: inline */
  int        ith;
  size_t     r0;
} lane;

static lane
whole_pool (clip_ctx *ctx)
{
  lane l = { ctx, ctx->pool, 0, 0 };
  return l;
}

/* Runs fn on chunks 0 .. n-1: over the pool, or in order on the lane's
 * thread. */
static void
lane_run (const lane  *ln,
          clip_pool_fn fn,
          void        *data,
          size_t       n)
{
  if (ln->pool != NULL)
    clip_pool_run (ln->pool, fn, data, n);
  else
    for (size_t c = 0; c < n; c++)
      fn (data, c, ln->ith);
}

/* Row-parallel steps cut n rows into chunks of at least `min` rows, about
 * four per thread; a lane takes them in one. */
static size_t
row_chunks (const lane *ln,
            size_t      n,
            size_t      min)
{
  size_t want = ln->pool != NULL ? 4 * (size_t) clip_pool_size (ln->pool) : 1;
  size_t per = MAX ((n + want - 1) / MAX (want, 1), MAX (min, 1));

  return n == 0 ? 0 : (n + per - 1) / per;
}

/* Rows [r0, r1) of chunk c of n rows cut into `chunks`. */
static void
chunk_rows (size_t  n,
            size_t  chunks,
            size_t  c,
            size_t *r0,
            size_t *r1)
{
  *r0 = n * c / chunks;
  *r1 = n * (c + 1) / chunks;
}

/* One GEMM over the pool: chunks pulled from a counter, so a thread slowed
 * by another process takes fewer.  The chunks shrink as the work runs out
 * ("guided"): each is a quarter of what is left per thread, down to one
 * pair of panels, so the thread that finishes first waits for at most one
 * small chunk.  Equal chunks of a quarter of each thread's share left it
 * waiting half a big chunk on average: 8-10 % of the GEMMs' time went to
 * waiting at batch 8.
 *
 * With head_block > 0 (the QKV GEMM), C is written head-major: its
 * columns come in blocks of head_block (one head of q, k or v), block b
 * as a [m, head_block] matrix at c + b * m * head_block, and the chunks
 * count blocks, each run on a view of the packed weights.  Each head's
 * rows are then one contiguous run that the attention reads in order,
 * instead of rows 3 x width floats apart (where a third of the
 * attention's time went to waiting for them). */
#define GEMM_MAX_CHUNKS 64

typedef struct {
  clip_gemm_args        g;
  void                (*fn) (const clip_gemm_args *g, size_t p0, size_t p1);
  size_t                head_block;
  size_t                bound[GEMM_MAX_CHUNKS + 1]; /* chunk c: [bound[c], bound[c+1]) */
} gemm_job;

static void
gemm_task (void  *data,
           size_t c,
           int    ith)
{
  gemm_job *j = data;

  if (j->head_block == 0)
    {
      j->fn (&j->g, j->bound[c], j->bound[c + 1]);
      return;
    }
  for (size_t b = j->bound[c]; b < j->bound[c + 1]; b++)
    {
      clip_packed view;
      clip_gemm_args g = j->g;

      clip_packed_columns (j->g.w, b * j->head_block, j->head_block, &view);
      g.w = &view;
      g.c = j->g.c + b * j->g.m * j->head_block;
      g.ldc = j->head_block;
      j->fn (&g, 0, j->head_block / CLIP_PANEL);
    }
}

/* Cuts n units into guided chunks for nth threads, each a multiple of
 * `unit` units but the last; returns their number. */
static size_t
gemm_chunks (size_t  n,
             size_t  nth,
             size_t  unit,
             size_t *bound)
{
  size_t c = 0, p = 0;

  bound[0] = 0;
  while (p < n)
    {
      size_t left = n - p, size = left / (4 * nth);

      size = MAX ((size + unit - 1) / unit * unit, unit);
      if (c + 1 == GEMM_MAX_CHUNKS)
        size = left;
      p += MIN (size, left);
      bound[++c] = p;
    }
  return c;
}

/* C [m, n] = epilogue (A W^T + b) over the lane; head_block > 0 (whole
 * panels, dividing n): C head-major, as gemm_job says. */
static void
run_gemm (const lane        *ln,
          const clip_packed *w,
          const void        *a,
          size_t             lda,
          size_t             m,
          float             *c,
          size_t             ldc,
          clip_epilogue      epilogue,
          size_t             head_block)
{
  clip_ctx *ctx = ln->ctx;
  gemm_job j = {
    .g = { .w = w, .a = a, .lda = lda,
           .a_scale = BUF (ctx, S_ASCALE, float) + ln->r0,
           .a_zero = BUF (ctx, S_AZERO, int32_t) + ln->r0,
           .c = c, .ldc = ldc, .m = m, .epilogue = epilogue },
    .fn = ctx->k->gemm[w->format], .head_block = head_block,
  };
  size_t units = head_block > 0 ? w->n / head_block : (w->n + CLIP_PANEL - 1) / CLIP_PANEL;
  size_t n_chunks = 1;

  if (m == 0)
    return;
  j.bound[0] = 0;
  j.bound[1] = units;
  if (ln->pool != NULL) /* an even number of panels: the AVX-512 tiles take two at a time */
    n_chunks = gemm_chunks (units, (size_t) clip_pool_size (ln->pool), head_block > 0 ? 1 : 2,
                            j.bound);
  lane_run (ln, gemm_task, &j, n_chunks);
}

/* The activations of a GEMM by `w` from float32 rows: the rows themselves
 * for F32 and F16 weights, converted to bfloat16 or quantised to uint8
 * otherwise; optionally layer-normalised first (into S_H). */
typedef struct {
  clip_ctx           *ctx;
  size_t              r0;    /* the lane's first row in S_H, S_A16, S_A8, S_ASCALE, S_AZERO */
  const float        *src;
  size_t              lds, cols, rows;
  const clip_packed  *w;
  const float        *ln_w, *ln_b;
  float               eps;
  size_t              chunks;
} prep_job;

static void
prep_task (void  *data,
           size_t c,
           int    ith)
{
  prep_job *j = data;
  clip_ctx *ctx = j->ctx;
  const clip_kernels *k = ctx->k;
  size_t r0, r1, ac = ctx->act_cols;
  float *h = BUF (ctx, S_H, float) + j->r0 * j->cols;
  uint16_t *a16 = BUF (ctx, S_A16, uint16_t) + j->r0 * ac;
  uint8_t *a8 = BUF (ctx, S_A8, uint8_t) + j->r0 * ac;
  float *scale = BUF (ctx, S_ASCALE, float) + j->r0;
  int32_t *zero = BUF (ctx, S_AZERO, int32_t) + j->r0;

  chunk_rows (j->rows, j->chunks, c, &r0, &r1);
  for (size_t r = r0; r < r1; r++)
    {
      const float *row = j->src + r * j->lds;

      if (j->ln_w != NULL)
        {
          k->layernorm_f32 (h + r * j->cols, row, j->ln_w, j->ln_b, j->cols, j->eps);
          row = h + r * j->cols;
        }
      if (j->w->format == CLIP_WEIGHTS_BF16)
        k->to_bf16 (a16 + r * ac, row, j->cols, j->w->kp);
      else if (j->w->format == CLIP_WEIGHTS_I8)
        k->quantize_u8 (a8 + r * ac, scale + r, zero + r, row, j->cols, j->w->kp);
    }
}

/* Prepares the activations and returns them with their row stride. */
static const void *
prepare (const lane        *ln,
         const clip_packed *w,
         const float       *src,
         size_t             lds,
         size_t             cols,
         size_t             rows,
         const float       *ln_w,
         const float       *ln_b,
         float              eps,
         size_t            *lda)
{
  clip_ctx *ctx = ln->ctx;
  prep_job j = { ctx, ln->r0, src, lds, cols, rows, w, ln_w, ln_b, eps, row_chunks (ln, rows, 2) };
  gboolean f32 = w->format == CLIP_WEIGHTS_F32 || w->format == CLIP_WEIGHTS_F16;

  if (!f32 || ln_w != NULL)
    lane_run (ln, prep_task, &j, j.chunks);
  switch (w->format)
    {
    case CLIP_WEIGHTS_BF16:
      *lda = ctx->act_cols;
      return BUF (ctx, S_A16, uint16_t) + ln->r0 * ctx->act_cols;
    case CLIP_WEIGHTS_I8:
      *lda = ctx->act_cols;
      return BUF (ctx, S_A8, uint8_t) + ln->r0 * ctx->act_cols;
    default:
      *lda = ln_w != NULL ? cols : lds;
      return ln_w != NULL ? BUF (ctx, S_H, float) + ln->r0 * cols : src;
    }
}

/* The sequences of a pass: four arrays in S_SEQ. */
typedef struct {
  size_t *start;   /* first row */
  size_t *len;     /* rows */
  size_t *pooled;  /* the row that reaches the output */
  size_t *query;   /* that row's position in its sequence */
} seq_table;

static seq_table
seq_table_get (clip_ctx *ctx,
               size_t    n_seq)
{
  size_t *base = BUF (ctx, S_SEQ, size_t);
  seq_table t = { base, base + n_seq, base + 2 * n_seq, base + 3 * n_seq };
  return t;
}

/* Attention of every (sequence, head) pair, pulled from a counter.  With
 * `query` set, only row query[s] of sequence s is computed, into row s.
 * Rows are counted from `r0`, the lane's first. */
typedef struct {
  clip_ctx     *ctx;
  const float  *qkv;
  float        *out;
  size_t        w, heads;
  const size_t *start, *len, *query;
  size_t        r0;
  int           causal;
  size_t        head_major; /* 0: qkv is [rows, 3 w]; else head-major (gemm_job) with this many rows */
} att_job;

static void
att_task (void  *data,
          size_t idx,
          int    ith)
{
  att_job *j = data;
  size_t hd = j->w / j->heads;
  size_t s = idx / j->heads, h = idx % j->heads, first = j->start[s] - j->r0;
  float scale = 1.0f / sqrtf ((float) hd);
  float *scratch = BUF (j->ctx, S_ATT, float) + (size_t) ith * j->ctx->att_each;
  size_t q0 = j->query != NULL ? j->query[s] : 0;
  size_t q1 = j->query != NULL ? q0 + 1 : j->len[s];
  float *o = j->out + (j->query != NULL ? s : first) * j->w + h * hd;
  const float *q, *k, *v;
  size_t ld;

  if (j->head_major != 0)
    {
      /* blocks: q of heads 0 .. heads-1, then k, then v */
      size_t blk = j->head_major * hd;
      ld = hd;
      q = j->qkv + h * blk + first * hd;
      k = q + j->heads * blk;
      v = k + j->heads * blk;
    }
  else
    {
      ld = 3 * j->w;
      q = j->qkv + first * ld + h * hd;
      k = q + j->w;
      v = q + 2 * j->w;
    }
  j->ctx->k->attention_f32 (o, j->w, q, k, v, ld, j->len[s], hd, q0, q1, scale, j->causal,
                            scratch);
}

/* Runs a tower's blocks on the lane: n_seq sequences (`seq`, rows counted
 * from the start of S_X), which are rows r0 .. r0 + rows - 1.  Afterwards
 * seq.pooled[s] is the row of S_X that holds sequence s's pooled row. */
static clip_status
run_blocks_native (const lane               *ln,
                   const clip_tower_info    *info,
                   const clip_tower_weights *tw,
                   const clip_tower_packed  *tp,
                   seq_table                 seq,
                   size_t                    n_seq,
                   size_t                    rows,
                   gboolean                  causal,
                   char                    **error)
{
  clip_ctx *ctx = ln->ctx;
  size_t w = (size_t) info->width, m = (size_t) info->mlp, lda, r0 = ln->r0;
  float *x = BUF (ctx, S_X, float) + r0 * w, *qkv = BUF (ctx, S_QKV, float) + r0 * 3 * w;
  float *attn = BUF (ctx, S_ATTN, float) + r0 * w, *mlp = BUF (ctx, S_MLP, float) + r0 * m;
  clip_epilogue act = info->act == CLIP_ACT_GELU ? CLIP_EPI_GELU : CLIP_EPI_QUICK_GELU;
  /* Heads of whole panels (64 wide in every OpenAI and most OpenCLIP
   * models; ViT-H's 80 is not) are written head-major once q, k and v
   * outgrow L2 (ViT-B/32: from 3 images).  Below that, the rows are in
   * cache anyway and the per-head GEMMs cost more than they save: a
   * 10-token text took 3.7 -> 4.0 ms with them. */
  size_t hd = w / (size_t) info->heads;
  gboolean head_major = hd % CLIP_PANEL == 0 && rows * 3 * w * sizeof (float) > ctx->head_major_bytes;
  const void *a;

  for (int l = 0; l < info->layers; l++)
    {
      const clip_layer_weights *lw = &tw->layers[l];
      const clip_layer_packed *lp = &tp->layers[l];
      gboolean last = l == info->layers - 1;
      att_job aj = { ctx, qkv, attn, w, (size_t) info->heads, seq.start, seq.len,
                     last ? seq.query : NULL, r0, causal, head_major ? rows : 0 };

      if (ctx->params.abort_cb != NULL && ctx->params.abort_cb (ctx->params.abort_data))
        return clip_set_error (error, CLIP_STATUS_ABORTED, "encoding aborted");

      /* the pack's layer norms where it smoothed them (clip-pack.c) */
      a = prepare (ln, &lp->qkv, x, w, w, rows, lp->ln1_w != NULL ? lp->ln1_w : lw->ln1_w,
                   lp->ln1_w != NULL ? lp->ln1_b : lw->ln1_b, info->eps, &lda);
      run_gemm (ln, &lp->qkv, a, lda, rows, qkv, 3 * w, CLIP_EPI_STORE, head_major ? hd : 0);
      lane_run (ln, att_task, &aj, n_seq * (size_t) info->heads);
      if (last)
        {
          /* only the pooled rows matter from here on: move them to the
           * top (pooled[s] >= s, increasing, so nothing is overwritten
           * before it is read) */
          for (size_t s = 0; s < n_seq; s++)
            {
              if (seq.pooled[s] != r0 + s)
                memcpy (x + s * w, x + (seq.pooled[s] - r0) * w, w * sizeof (float));
              seq.pooled[s] = r0 + s;
            }
          rows = n_seq;
        }

      a = prepare (ln, &lp->o, attn, w, w, rows, NULL, NULL, 0.0f, &lda);
      run_gemm (ln, &lp->o, a, lda, rows, x, w, CLIP_EPI_ADD, 0);
      a = prepare (ln, &lp->fc1, x, w, w, rows, lp->ln2_w != NULL ? lp->ln2_w : lw->ln2_w,
                   lp->ln2_w != NULL ? lp->ln2_b : lw->ln2_b, info->eps, &lda);
      run_gemm (ln, &lp->fc1, a, lda, rows, mlp, m, act, 0);
      a = prepare (ln, &lp->fc2, mlp, m, m, rows, NULL, NULL, 0.0f, &lda);
      run_gemm (ln, &lp->fc2, a, lda, rows, x, w, CLIP_EPI_ADD, 0);
    }
  return CLIP_STATUS_OK;
}

/* Lanes: with a batch of several sequences, each thread runs every step
 * of the tower on its own group of whole sequences, with no barrier
 * between the steps (a layer has eight: the threads of a step wait for
 * the slowest at its end, 6-8 % of the time at batch 8).  Each group's
 * GEMMs still see 100+ rows, so the weights are read from memory once per
 * group, and the threads' scratch rows stay apart. */
#define MAX_LANES 64

typedef struct {
  clip_ctx                 *ctx;
  const clip_tower_info    *info;
  const clip_tower_weights *tw;
  const clip_tower_packed  *tp;
  seq_table                 seq;
  gboolean                  causal;
  size_t                    bound[MAX_LANES + 1];  /* lane i: sequences [bound[i], bound[i+1]) */
  clip_status               status[MAX_LANES];
  char                     *error[MAX_LANES];
} lanes_job;

static void
lane_task (void  *data,
           size_t i,
           int    ith)
{
  lanes_job *j = data;
  size_t s0 = j->bound[i], s1 = j->bound[i + 1];
  size_t r0 = j->seq.start[s0], r1 = j->seq.start[s1 - 1] + j->seq.len[s1 - 1];
  lane ln = { j->ctx, NULL, ith, r0 };
  seq_table t = { j->seq.start + s0, j->seq.len + s0, j->seq.pooled + s0, j->seq.query + s0 };

  j->status[i] = run_blocks_native (&ln, j->info, j->tw, j->tp, t, s1 - s0, r1 - r0, j->causal,
                                    &j->error[i]);
}

/* Cuts the n_seq sequences (rows `rows` in all, stacked in order) into
 * one group per thread of about equal rows; returns the number of groups,
 * or 0 where lanes do not pay: one sequence or thread, groups under
 * ctx->lane_min_rows, or groups so uneven that the largest is more than
 * an eighth over the mean (batch 3 on two threads).  A minimum of 0 (the
 * tests') takes any grouping. */
static size_t
lane_bounds (clip_ctx        *ctx,
             const seq_table *seq,
             size_t           n_seq,
             size_t           rows,
             size_t          *bound)
{
  size_t n = MIN ((size_t) clip_pool_size (ctx->pool), MIN (n_seq, MAX_LANES));
  size_t s = 0, largest = 0;

  if (n < 2 || rows / n < ctx->lane_min_rows)
    return 0;
  bound[0] = 0;
  for (size_t i = 1; i <= n; i++)
    {
      size_t target = seq->start[0] + rows * i / n;

      /* the first sequence that ends past the target closes group i - 1,
       * on whichever side of it the target is nearer */
      while (s < n_seq - (n - i) && seq->start[s] + seq->len[s] <= target)
        s++;
      if (i == n)
        s = n_seq;
      else if (s < n_seq - (n - i) && target - seq->start[s] > seq->start[s] + seq->len[s] - target)
        s++;
      s = MAX (s, bound[i - 1] + 1);
      bound[i] = s;
    }
  for (size_t i = 0; i < n; i++)
    {
      size_t r = seq->start[bound[i + 1] - 1] + seq->len[bound[i + 1] - 1] - seq->start[bound[i]];
      largest = MAX (largest, r);
    }
  return ctx->lane_min_rows > 0 && 8 * largest * n > 9 * rows ? 0 : n;
}

/* Runs a tower's blocks in lanes where they pay, else over the pool. */
static clip_status
run_tower_native (clip_ctx                 *ctx,
                  const clip_tower_info    *info,
                  const clip_tower_weights *tw,
                  const clip_tower_packed  *tp,
                  size_t                    n_seq,
                  size_t                    rows,
                  gboolean                  causal,
                  char                    **error)
{
  lanes_job j = { ctx, info, tw, tp, seq_table_get (ctx, n_seq), causal, { 0 }, { 0 }, { 0 } };
  size_t n = lane_bounds (ctx, &j.seq, n_seq, rows, j.bound);
  clip_status status = CLIP_STATUS_OK;

  if (n == 0)
    {
      lane all = whole_pool (ctx);
      return run_blocks_native (&all, info, tw, tp, j.seq, n_seq, rows, causal, error);
    }
  clip_pool_run (ctx->pool, lane_task, &j, n);
  for (size_t i = 0; i < n; i++)
    {
      if (status == CLIP_STATUS_OK && j.status[i] != CLIP_STATUS_OK)
        {
          status = j.status[i];
          if (error != NULL)
            {
              g_free (*error);
              *error = g_steal_pointer (&j.error[i]);
            }
        }
      g_free (j.error[i]);
    }
  return status;
}

/* Final layer norm of the pooled rows, then the projection into `out`. */
static void
pool_and_project_native (clip_ctx                 *ctx,
                         const clip_tower_info    *info,
                         const clip_tower_weights *tw,
                         const clip_tower_packed  *tp,
                         size_t                    n,
                         float                    *out)
{
  size_t w = (size_t) info->width, e = (size_t) ctx->model->info.embed_dim;
  const size_t *pooled = seq_table_get (ctx, n).pooled;
  float *x = BUF (ctx, S_X, float), *h = BUF (ctx, S_H, float);
  lane all = whole_pool (ctx);

  for (size_t i = 0; i < n; i++)
    ctx->k->layernorm_f32 (h + i * w, x + pooled[i] * w, tw->final_ln_w, tw->final_ln_b, w,
                           info->eps);
  run_gemm (&all, &tp->proj, h, w, n, out, e, CLIP_EPI_STORE, 0);
}

/* im2col and the embedding rows, split by image. */
typedef struct {
  clip_ctx    *ctx;
  const float *pixels;
  size_t       n;
  size_t       chunks;  /* of the embedding rows */
} image_job;

/* One image's patches. */
static void
im2col_task (void  *data,
             size_t b,
             int    ith)
{
  image_job *j = data;
  const clip_model *m = j->ctx->model;
  size_t p = (size_t) m->info.patch_size, s = (size_t) m->info.image_size;
  size_t grid = s / p, np = grid * grid, pd = 3 * p * p;
  float *patches = BUF (j->ctx, S_PATCH, float);

  const float *img = j->pixels + b * 3 * s * s;

  /* each patch as a row in (channel, y, x) order, the order of the
   * convolution weight [width, 3, p, p] */
  for (size_t gy = 0; gy < grid; gy++)
    for (size_t gx = 0; gx < grid; gx++)
      {
        float *row = patches + (b * np + gy * grid + gx) * pd;
        for (size_t c = 0; c < 3; c++)
          for (size_t ky = 0; ky < p; ky++)
            memcpy (row + (c * p + ky) * p, img + c * s * s + (gy * p + ky) * s + gx * p,
                    p * sizeof (float));
      }
}

static void
embed_task (void  *data,
            size_t c,
            int    ith)
{
  image_job *j = data;
  const clip_model *m = j->ctx->model;
  const clip_kernels *k = j->ctx->k;
  size_t w = (size_t) m->info.vision.width, grid = (size_t) (m->info.image_size / m->info.patch_size);
  size_t np = grid * grid, t = np + 1, r0, r1;
  float *x = BUF (j->ctx, S_X, float), *h = BUF (j->ctx, S_H, float);

  chunk_rows (j->n * t, j->chunks, c, &r0, &r1);
  for (size_t r = r0; r < r1; r++)
    {
      size_t b = r / t, i = r % t;
      float *row = x + r * w;

      memcpy (row, i == 0 ? m->class_embedding : h + (b * np + i - 1) * w, w * sizeof (float));
      k->add_f32 (row, m->vision_position + i * w, w);
      k->layernorm_f32 (row, row, m->pre_ln_w, m->pre_ln_b, w, m->info.vision.eps);
    }
}

static clip_status
encode_images_native (clip_ctx    *ctx,
                      const float *pixels,
                      int          n,
                      float       *out,
                      char       **error)
{
  const clip_model *m = ctx->model;
  const clip_tower_info *vi = &m->info.vision;
  size_t w = (size_t) vi->width, p = (size_t) m->info.patch_size;
  size_t grid = (size_t) m->info.image_size / p, np = grid * grid, t = np + 1;
  size_t rows = (size_t) n * t, pd = 3 * p * p, lda;
  image_job ij = { ctx, pixels, (size_t) n, 0 };
  lane all = whole_pool (ctx);
  const void *a;
  clip_status status;

  status = reserve_native (ctx, rows, w, (size_t) vi->mlp, w / (size_t) vi->heads, t, (size_t) n,
                           (size_t) n * np, pd, error);
  if (status != CLIP_STATUS_OK)
    return status;

  clip_pool_run (ctx->pool, im2col_task, &ij, (size_t) n);
  a = prepare (&all, &ctx->pack->patch, BUF (ctx, S_PATCH, float), pd, pd, (size_t) n * np,
               NULL, NULL, 0.0f, &lda);
  run_gemm (&all, &ctx->pack->patch, a, lda, (size_t) n * np, BUF (ctx, S_H, float), w,
            CLIP_EPI_STORE, 0);
  ij.chunks = row_chunks (&all, rows, 4);
  clip_pool_run (ctx->pool, embed_task, &ij, ij.chunks);

  seq_table st = seq_table_get (ctx, (size_t) n);
  for (int b = 0; b < n; b++)
    {
      st.start[b] = st.pooled[b] = (size_t) b * t;
      st.len[b] = t;
      st.query[b] = 0; /* the class token */
    }
  status = run_tower_native (ctx, vi, &m->vision, &ctx->pack->vision, (size_t) n, rows, FALSE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pool_and_project_native (ctx, vi, &m->vision, &ctx->pack->vision, (size_t) n, out);
  return CLIP_STATUS_OK;
}

static clip_status
encode_texts_native (clip_ctx      *ctx,
                     const int32_t *ids,
                     size_t         n,
                     const size_t  *starts,
                     const size_t  *lens,
                     size_t         rows,
                     float         *out,
                     char         **error)
{
  const clip_model *m = ctx->model;
  const clip_tower_info *ti = &m->info.text;
  size_t w = (size_t) ti->width, ctxlen = (size_t) m->info.context_length;
  clip_status status;
  float *x;

  status = reserve_native (ctx, rows, w, (size_t) ti->mlp, w / (size_t) ti->heads, ctxlen, n,
                           0, 0, error);
  if (status != CLIP_STATUS_OK)
    return status;

  seq_table st = seq_table_get (ctx, n);
  x = BUF (ctx, S_X, float);
  for (size_t b = 0; b < n; b++)
    {
      const int32_t *seq = ids + b * ctxlen;

      st.start[b] = starts[b];
      st.len[b] = lens[b];
      st.pooled[b] = starts[b] + lens[b] - 1; /* the end-of-text token ends the sequence */
      st.query[b] = lens[b] - 1;
      for (size_t i = 0; i < lens[b]; i++)
        {
          float *row = x + (starts[b] + i) * w;
          memcpy (row, m->token_embedding + (size_t) seq[i] * w, w * sizeof (float));
          ctx->k->add_f32 (row, m->text_position + i * w, w);
        }
    }
  status = run_tower_native (ctx, ti, &m->text, &ctx->pack->text, n, rows, TRUE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pool_and_project_native (ctx, ti, &m->text, &ctx->pack->text, n, out);
  return CLIP_STATUS_OK;
}

static clip_status
encode_images (clip_ctx    *ctx,
               const float *pixels,
               int          n,
               float       *out,
               char       **error)
{
  const clip_model *m;
  size_t w, p, grid, np, t, rows, pd, s;
  g_autofree size_t *starts = NULL;
  g_autofree size_t *lens = NULL;
  clip_status status;

  if (ctx == NULL || (n > 0 && (pixels == NULL || out == NULL)) || n < 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_encode_images: invalid arguments");
  if (!(ctx->model->towers & CLIP_TOWER_VISION))
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED, "this model was loaded without its vision tower");
  if (n == 0)
    return CLIP_STATUS_OK;
  if (ctx->params.backend == CLIP_BACKEND_NATIVE)
    {
      /* Passes of about ROWS_PER_PASS rows: the activations of a bigger
       * batch no longer fit in the caches (a batch of 32 ViT-B/32 images
       * costs a fifth more per image than one of 8), and nothing depends
       * on the other images of a batch, so the vectors are the same. */
      const clip_model *mm = ctx->model;
      size_t side = (size_t) (mm->info.image_size / mm->info.patch_size);
      int per = (int) MAX (ROWS_PER_PASS / (side * side + 1), 1);
      size_t nf = clip_model_image_floats (mm), e = (size_t) mm->info.embed_dim;

      for (int b = 0; b < n; b += per)
        {
          clip_status st = encode_images_native (ctx, pixels + (size_t) b * nf, MIN (per, n - b),
                                                 out + (size_t) b * e, error);
          if (st != CLIP_STATUS_OK)
            return st;
        }
      return CLIP_STATUS_OK;
    }

  m = ctx->model;
  w = (size_t) m->info.vision.width;
  p = (size_t) m->info.patch_size;
  s = (size_t) m->info.image_size;
  grid = s / p;
  np = grid * grid;
  t = np + 1;
  rows = (size_t) n * t;
  pd = 3 * p * p;

  status = reserve (ctx, rows, MAX (w, (size_t) m->info.embed_dim), (size_t) m->info.vision.mlp,
                    t * t, error);
  if (status != CLIP_STATUS_OK)
    return status;
  if ((size_t) n * np * pd > ctx->patches_cap)
    {
      g_free (ctx->patches);
      ctx->patches = g_try_new (float, (size_t) n * np * pd);
      if (ctx->patches == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate patches");
      ctx->patches_cap = (size_t) n * np * pd;
    }

  /* im2col: each patch as a row in (channel, y, x) order, the order of the
   * convolution weight [width, 3, p, p]; the convolution has no bias. */
  for (int b = 0; b < n; b++)
    {
      const float *img = pixels + (size_t) b * 3 * s * s;
      for (size_t gy = 0; gy < grid; gy++)
        for (size_t gx = 0; gx < grid; gx++)
          {
            float *row = ctx->patches + ((size_t) b * np + gy * grid + gx) * pd;
            for (size_t c = 0; c < 3; c++)
              for (size_t ky = 0; ky < p; ky++)
                memcpy (row + (c * p + ky) * p,
                        img + c * s * s + (gy * p + ky) * s + gx * p,
                        p * sizeof (float));
          }
    }
  linear (ctx, ctx->h, ctx->patches, m->patch_embedding, NULL, (size_t) n * np, pd, w, FALSE);

  starts = g_new (size_t, n);
  lens = g_new (size_t, n);
  for (int b = 0; b < n; b++)
    {
      float *x = ctx->x + (size_t) b * t * w;
      memcpy (x, m->class_embedding, w * sizeof (float));
      memcpy (x + w, ctx->h + (size_t) b * np * w, np * w * sizeof (float));
      for (size_t i = 0; i < t; i++)
        {
          ctx->k->add_f32 (x + i * w, m->vision_position + i * w, w);
          ctx->k->layernorm_f32 (x + i * w, x + i * w, m->pre_ln_w, m->pre_ln_b, w,
                                 m->info.vision.eps);
        }
      starts[b] = (size_t) b * t;
      lens[b] = t;
    }

  status = run_blocks_classic (ctx, &m->info.vision, &m->vision, starts, lens, (size_t) n, rows, FALSE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  /* the class token of each image is its first row */
  pool_and_project_classic (ctx, &m->info.vision, &m->vision, starts, (size_t) n, out);
  return CLIP_STATUS_OK;
}

static clip_status
encode_texts (clip_ctx      *ctx,
              const int32_t *ids,
              int            n,
              float         *out,
              char         **error)
{
  const clip_model *m;
  size_t w, ctxlen, rows = 0;
  g_autofree size_t *starts = NULL;
  g_autofree size_t *lens = NULL;
  g_autofree size_t *pooled = NULL;
  clip_status status;

  if (ctx == NULL || (n > 0 && (ids == NULL || out == NULL)) || n < 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "clip_encode_texts: invalid arguments");
  if (!(ctx->model->towers & CLIP_TOWER_TEXT))
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED, "this model was loaded without its text tower");
  if (n == 0)
    return CLIP_STATUS_OK;

  m = ctx->model;
  w = (size_t) m->info.text.width;
  ctxlen = (size_t) m->info.context_length;
  starts = g_new (size_t, n);
  lens = g_new (size_t, n);
  pooled = g_new (size_t, n);

  /* Each sequence ends at its pooled token: the first occurrence of the
   * highest id (the end-of-text token), as CLIP's argmax does. */
  for (int b = 0; b < n; b++)
    {
      const int32_t *seq = ids + (size_t) b * ctxlen;
      size_t best = 0;
      for (size_t i = 0; i < ctxlen; i++)
        {
          if (seq[i] < 0 || seq[i] >= m->info.vocab_size)
            return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                                   "token id %d at position %zu is outside the vocabulary (0..%d)",
                                   seq[i], i, m->info.vocab_size - 1);
          if (seq[i] > seq[best])
            best = i;
        }
      starts[b] = rows;
      lens[b] = best + 1;
      rows += best + 1;
      pooled[b] = starts[b] + best;
    }

  if (ctx->params.backend == CLIP_BACKEND_NATIVE)
    {
      /* Passes of about ROWS_PER_PASS rows too, whole texts each: a few
       * hundred prompts at once need no more scratch than a few. */
      size_t e = (size_t) m->info.embed_dim;

      for (size_t b0 = 0; b0 < (size_t) n;)
        {
          size_t b1 = b0 + 1, pass_rows = lens[b0], base = starts[b0];

          while (b1 < (size_t) n && pass_rows + lens[b1] <= ROWS_PER_PASS)
            pass_rows += lens[b1++];
          /* the pass's rows count from its first text's (read once: the
           * loop overwrites starts[b0] first) */
          for (size_t b = b0; b < b1; b++)
            starts[b] -= base;
          status = encode_texts_native (ctx, ids + b0 * ctxlen, b1 - b0, starts + b0, lens + b0,
                                        pass_rows, out + b0 * e, error);
          if (status != CLIP_STATUS_OK)
            return status;
          b0 = b1;
        }
      return CLIP_STATUS_OK;
    }

  status = reserve (ctx, MAX (rows, (size_t) n), MAX (w, (size_t) m->info.embed_dim),
                    (size_t) m->info.text.mlp, ctxlen * ctxlen, error);
  if (status != CLIP_STATUS_OK)
    return status;

  for (int b = 0; b < n; b++)
    {
      const int32_t *seq = ids + (size_t) b * ctxlen;
      for (size_t i = 0; i < lens[b]; i++)
        {
          float *x = ctx->x + (starts[b] + i) * w;
          memcpy (x, m->token_embedding + (size_t) seq[i] * w, w * sizeof (float));
          ctx->k->add_f32 (x, m->text_position + i * w, w);
        }
    }

  status = run_blocks_classic (ctx, &m->info.text, &m->text, starts, lens, (size_t) n, rows, TRUE, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pool_and_project_classic (ctx, &m->info.text, &m->text, pooled, (size_t) n, out);
  return CLIP_STATUS_OK;
}

/* An embedding with a NaN or an infinity is never handed out: one would
 * make every similarity with it NaN.  Finite weights and inputs can still
 * overflow (weights near FLT_MAX); the loader refuses non-finite ones. */
static clip_status
check_finite_out (const clip_ctx *ctx,
                  const float    *out,
                  int             n,
                  const char     *what,
                  char          **error)
{
  size_t e = (size_t) ctx->model->info.embed_dim;

  for (int b = 0; b < n; b++)
    for (size_t i = 0; i < e; i++)
      if (!isfinite (out[(size_t) b * e + i]))
        return clip_set_error (error, CLIP_STATUS_NOT_FINITE,
                               "the embedding of %s %d of %d is not a finite number "
                               "(the model's arithmetic overflowed)", what, b, n);
  return CLIP_STATUS_OK;
}

clip_status
clip_encode_images (clip_ctx    *ctx,
                    const float *pixels,
                    int          n,
                    float       *out,
                    char       **error)
{
  clip_status status;

  if (ctx != NULL && n > 0 && pixels != NULL)
    {
      size_t nf = clip_model_image_floats (ctx->model) * (size_t) n;

      /* inputs are checked as cheaply as outputs: a NaN pixel would make
       * its image's whole vector NaN */
      for (size_t i = 0; i < nf; i++)
        if (!isfinite (pixels[i]))
          return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                                 "clip_encode_images: value %zu of image %zu is not a finite number",
                                 i % clip_model_image_floats (ctx->model),
                                 i / clip_model_image_floats (ctx->model));
    }
  status = encode_images (ctx, pixels, n, out, error);
  if (status == CLIP_STATUS_OK && n > 0)
    status = check_finite_out (ctx, out, n, "image", error);
  return status;
}

clip_status
clip_encode_texts (clip_ctx      *ctx,
                   const int32_t *ids,
                   int            n,
                   float         *out,
                   char         **error)
{
  clip_status status = encode_texts (ctx, ids, n, out, error);

  if (status == CLIP_STATUS_OK && n > 0)
    status = check_finite_out (ctx, out, n, "text", error);
  return status;
}

/* --- peak measurement ------------------------------------------------------------ */

typedef struct {
  const clip_kernels *k;
  clip_weights_format format;
  long                iters;
  double              ops;
} peak_arg;

static gpointer
peak_thread (gpointer data)
{
  peak_arg *a = data;

  a->ops = a->k->peak_loop (a->format, a->iters);
  return NULL;
}

double
clip_kernels_peak_gops (clip_precision precision,
                        int            n_threads,
                        double         seconds)
{
  const clip_kernels *k = clip_kernels_get ();
  clip_weights_format format = precision_format (precision);
  long iters = 1 << 14;
  double dt, ops = 0.0;
  gint64 t0;

  if ((unsigned) precision >= CLIP_N_PRECISIONS)
    return 0.0;
  if (n_threads <= 0)
    n_threads = online_cpus ();
  /* calibrate on this thread: at least 20 ms */
  for (;;)
    {
      t0 = g_get_monotonic_time ();
      k->peak_loop (format, iters);
      dt = (double) (g_get_monotonic_time () - t0) / 1e6;
      if (dt >= 0.02 || iters > (1L << 40))
        break;
      iters *= 4;
    }
  iters = (long) MAX ((double) iters * MAX (seconds, 0.01) / MAX (dt, 1e-6), 1.0);

  g_autofree peak_arg *args = g_new0 (peak_arg, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < n_threads; i++)
    {
      args[i] = (peak_arg) { k, format, iters, 0.0 };
      if (i > 0)
        threads[i] = g_thread_try_new ("clip-peak", peak_thread, &args[i], NULL);
    }
  peak_thread (&args[0]);
  for (int i = 0; i < n_threads; i++)
    {
      if (i > 0 && threads[i] != NULL)
        g_thread_join (threads[i]);
      ops += args[i].ops;
    }
  dt = (double) (g_get_monotonic_time () - t0) / 1e6;
  return ops / MAX (dt, 1e-9) / 1e9;
}
