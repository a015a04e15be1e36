/* clip-encode-native.c - the native backend: packed GEMMs from the kernel
 * table over the context's thread pool, lanes of whole sequences, and the
 * attention split by sequence and head (clip-encode.c tells the whole).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "clip-encode-private.h"

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

/* Stage timing for benchmarks (clip_stage_times_take, clip.h): with
 * CLIP_STAGE_TIMES set, each step adds the wall time its threads spent
 * in it to one counter per stage.  Wall time, not thread CPU time: the
 * CPU clocks are system calls (about a microsecond here, with PTI), the
 * monotonic clock is not, and the layer norms and the quantiser are timed
 * row by row.  Off (the default), a step costs one predictable branch. */
static atomic_int stage_timing = -1;   /* -1: not read yet */
static _Atomic uint64_t stage_ns[CLIP_STAGE_COUNT];

static gboolean
timing_on (void)
{
  int on = atomic_load_explicit (&stage_timing, memory_order_relaxed);

  if (G_LIKELY (on == 0))
    return FALSE;
  if (on < 0)
    {
      const char *v = getenv ("CLIP_STAGE_TIMES");

      on = v != NULL && *v != '\0' && strcmp (v, "0") != 0;
      atomic_store_explicit (&stage_timing, on, memory_order_relaxed);
    }
  return on;
}

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void
stage_add (clip_stage stage,
           uint64_t   t0)
{
  atomic_fetch_add_explicit (&stage_ns[stage], now_ns () - t0, memory_order_relaxed);
}

int
clip_stage_times_take (double ms[CLIP_STAGE_COUNT])
{
  if (!timing_on ())
    return 0;
  for (int i = 0; i < CLIP_STAGE_COUNT; i++)
    ms[i] = atomic_exchange_explicit (&stage_ns[i], 0, memory_order_relaxed) / 1e6;
  return 1;
}

const char *
clip_stage_name (clip_stage stage)
{
  static const char *const names[CLIP_STAGE_COUNT] = {
    "gemm", "attention", "quantize", "layernorm", "other", "threads_x_wall",
  };

  return (unsigned) stage < CLIP_STAGE_COUNT ? names[stage] : NULL;
}

typedef struct {
  clip_pool_fn fn;
  void        *data;
  clip_stage   stage;
} timed_job;

static void
timed_task (void  *data,
            size_t c,
            int    ith)
{
  timed_job *j = data;
  uint64_t t0 = now_ns ();

  j->fn (j->data, c, ith);
  stage_add (j->stage, t0);
}

/* Runs fn on chunks 0 .. n-1: over the pool, or in order on the lane's
 * thread; timed as `stage` with CLIP_STAGE_TIMES (CLIP_STAGE_COUNT: fn
 * times itself). */
static void
lane_run (const lane  *ln,
          clip_pool_fn fn,
          void        *data,
          size_t       n,
          clip_stage   stage)
{
  if (G_UNLIKELY (timing_on ()) && stage != CLIP_STAGE_COUNT)
    {
      timed_job tj = { fn, data, stage };
      uint64_t t0 = now_ns ();

      if (ln->pool != NULL)
        clip_pool_run (ln->pool, timed_task, &tj, n);
      else
        {
          for (size_t c = 0; c < n; c++)
            fn (data, c, ln->ith);
          stage_add (stage, t0);
        }
      return;
    }
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
  lane_run (ln, gemm_task, &j, n_chunks, CLIP_STAGE_GEMM);
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

  gboolean timed = timing_on ();
  uint64_t t0 = 0, t1 = 0;

  chunk_rows (j->rows, j->chunks, c, &r0, &r1);
  for (size_t r = r0; r < r1; r++)
    {
      const float *row = j->src + r * j->lds;

      if (G_UNLIKELY (timed))
        t0 = now_ns ();
      if (j->ln_w != NULL)
        {
          k->layernorm_f32 (h + r * j->cols, row, j->ln_w, j->ln_b, j->cols, j->eps);
          row = h + r * j->cols;
        }
      if (G_UNLIKELY (timed))
        t1 = now_ns ();
      if (j->w->format == CLIP_WEIGHTS_BF16)
        k->to_bf16 (a16 + r * ac, row, j->cols, j->w->kp);
      else if (j->w->format == CLIP_WEIGHTS_I8)
        k->quantize_u8 (a8 + r * ac, scale + r, zero + r, row, j->cols, j->w->kp);
      if (G_UNLIKELY (timed))
        {
          atomic_fetch_add_explicit (&stage_ns[CLIP_STAGE_LAYERNORM], t1 - t0, memory_order_relaxed);
          stage_add (CLIP_STAGE_QUANTIZE, t1);
        }
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
    lane_run (ln, prep_task, &j, j.chunks, CLIP_STAGE_COUNT);
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

typedef struct {
  const clip_kernels *k;
  float              *x;
  size_t              rows, m, chunks;
} gelu_job;

static void
gelu_task (void  *data,
           size_t c,
           int    ith)
{
  gelu_job *j = data;
  size_t r0, r1;

  chunk_rows (j->rows, j->chunks, c, &r0, &r1);
  clip_gelu_tanh (j->k, j->x + r0 * j->m, (r1 - r0) * j->m);
}

/* The tanh GELU over `rows` rows of m floats, split like the other steps. */
static void
gelu_tanh_rows (const lane *ln,
                float      *x,
                size_t      rows,
                size_t      m)
{
  gelu_job j = { ln->ctx->k, x, rows, m, row_chunks (ln, rows, 1) };

  lane_run (ln, gelu_task, &j, j.chunks, CLIP_STAGE_OTHER);
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
  /* The kernels fuse QuickGELU and GELU; the tanh GELU (SigLIP) is a
   * pass of its own over the stored product. */
  clip_epilogue act = info->act == CLIP_ACT_GELU ? CLIP_EPI_GELU
                      : info->act == CLIP_ACT_GELU_TANH ? CLIP_EPI_STORE : CLIP_EPI_QUICK_GELU;
  /* SigLIP's vision head attends over every row of the last layer: only
   * CLIP and SigLIP's text tower pool a single row. */
  gboolean prune = ctx->model->info.family == CLIP_FAMILY_CLIP || tw != &ctx->model->vision;
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
      gboolean last = l == info->layers - 1 && prune;
      att_job aj = { ctx, qkv, attn, w, (size_t) info->heads, seq.start, seq.len,
                     last ? seq.query : NULL, r0, causal, head_major ? rows : 0 };

      if (ctx->params.abort_cb != NULL && ctx->params.abort_cb (ctx->params.abort_data))
        return clip_set_error (error, CLIP_STATUS_ABORTED, "encoding aborted");

      /* the pack's layer norms where it smoothed them (clip-pack.c) */
      a = prepare (ln, &lp->qkv, x, w, w, rows, lp->ln1_w != NULL ? lp->ln1_w : lw->ln1_w,
                   lp->ln1_w != NULL ? lp->ln1_b : lw->ln1_b, info->eps, &lda);
      run_gemm (ln, &lp->qkv, a, lda, rows, qkv, 3 * w, CLIP_EPI_STORE, head_major ? hd : 0);
      lane_run (ln, att_task, &aj, n_seq * (size_t) info->heads, CLIP_STAGE_ATTENTION);
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
      if (info->act == CLIP_ACT_GELU_TANH)
        gelu_tanh_rows (ln, mlp, rows, m);
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
  /* SigLIP's text head is a Linear with a bias */
  if (tw == &ctx->model->text && ctx->model->text_head_b != NULL)
    for (size_t i = 0; i < n; i++)
      ctx->k->add_f32 (out + i * e, ctx->model->text_head_b, e);
}

/* SigLIP's vision end, one image per chunk: post_layernorm on every patch
 * row, then the attention-pooling head (clip-siglip.c). */
typedef struct {
  clip_ctx *ctx;
  size_t    np;
  float    *out;
  gboolean  failed;
} siglip_pool_job;

static void
siglip_pool_task (void  *data,
                  size_t b,
                  int    ith)
{
  siglip_pool_job *j = data;
  const clip_model *m = j->ctx->model;
  size_t w = (size_t) m->info.vision.width;
  float *x = BUF (j->ctx, S_X, float) + b * j->np * w;
  float *h = BUF (j->ctx, S_H, float) + b * j->np * w;
  float *scratch = g_try_new (float, 4 * w + (size_t) m->info.vision.mlp + j->np);

  if (scratch == NULL)
    {
      j->failed = TRUE;
      return;
    }
  for (size_t i = 0; i < j->np; i++)
    j->ctx->k->layernorm_f32 (h + i * w, x + i * w, m->vision.final_ln_w, m->vision.final_ln_b, w,
                              m->info.vision.eps);
  clip_siglip_pool_image (j->ctx->k, m, h, j->np, j->out + b * w, scratch);
  g_free (scratch);
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

  if (m->info.family != CLIP_FAMILY_CLIP)
    {
      /* SigLIP: patches + bias + positions; no class token, no pre-norm */
      chunk_rows (j->n * np, j->chunks, c, &r0, &r1);
      for (size_t r = r0; r < r1; r++)
        {
          float *row = x + r * w;

          memcpy (row, h + r * w, w * sizeof (float));
          k->add_f32 (row, m->patch_bias, w);
          k->add_f32 (row, m->vision_position + (r % np) * w, w);
        }
      return;
    }
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
enc_images_native (clip_ctx    *ctx,
                   const float *pixels,
                   int          n,
                   float       *out,
                   char       **error)
{
  const clip_model *m = ctx->model;
  const clip_tower_info *vi = &m->info.vision;
  size_t w = (size_t) vi->width, p = (size_t) m->info.patch_size;
  gboolean siglip = m->info.family != CLIP_FAMILY_CLIP;
  size_t grid = (size_t) m->info.image_size / p, np = grid * grid, t = siglip ? np : np + 1;
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
  if (siglip)
    {
      siglip_pool_job pj = { ctx, np, out, FALSE };

      clip_pool_run (ctx->pool, siglip_pool_task, &pj, (size_t) n);
      if (pj.failed)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "cannot allocate the pooling head's scratch");
      return CLIP_STATUS_OK;
    }
  pool_and_project_native (ctx, vi, &m->vision, &ctx->pack->vision, (size_t) n, out);
  return CLIP_STATUS_OK;
}

/* With CLIP_STAGE_TIMES: the threads' capacity over a call, its wall
 * time times the pool's threads (CLIP_STAGE_THREADS_X_WALL). */
static void
stage_add_capacity (clip_ctx *ctx,
                    uint64_t  t0)
{
  atomic_fetch_add_explicit (&stage_ns[CLIP_STAGE_THREADS_X_WALL],
                             (now_ns () - t0) * (uint64_t) clip_pool_size (ctx->pool),
                             memory_order_relaxed);
}

clip_status
clip_enc_images_native (clip_ctx    *ctx,
                        const float *pixels,
                        int          n,
                        float       *out,
                        char       **error)
{
  uint64_t t0;
  clip_status status;

  if (G_LIKELY (!timing_on ()))
    return enc_images_native (ctx, pixels, n, out, error);
  t0 = now_ns ();
  status = enc_images_native (ctx, pixels, n, out, error);
  stage_add_capacity (ctx, t0);
  return status;
}

static clip_status
enc_texts_native (clip_ctx      *ctx,
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
          clip_model_token_row (m, seq[i], row);
          ctx->k->add_f32 (row, m->text_position + i * w, w);
        }
    }
  /* CLIP's text tower is causal; SigLIP's has no mask at all */
  status = run_tower_native (ctx, ti, &m->text, &ctx->pack->text, n, rows,
                             m->info.family == CLIP_FAMILY_CLIP, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pool_and_project_native (ctx, ti, &m->text, &ctx->pack->text, n, out);
  return CLIP_STATUS_OK;
}

clip_status
clip_enc_texts_native (clip_ctx      *ctx,
                       const int32_t *ids,
                       size_t         n,
                       const size_t  *starts,
                       const size_t  *lens,
                       size_t         rows,
                       float         *out,
                       char         **error)
{
  uint64_t t0;
  clip_status status;

  if (G_LIKELY (!timing_on ()))
    return enc_texts_native (ctx, ids, n, starts, lens, rows, out, error);
  t0 = now_ns ();
  status = enc_texts_native (ctx, ids, n, starts, lens, rows, out, error);
  stage_add_capacity (ctx, t0);
  return status;
}
