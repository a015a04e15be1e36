/* clip-pack.c - the model's weights in the native backend's layouts.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each precision has its own copy of the transformer's linear layers,
 * packed into the panels kernels/kernels.h describes, all of it in one
 * 64-byte-aligned arena.  Two ways to get there:
 *
 *  - clip_model_load: the loader keeps float32 weights; the first context
 *    of a precision packs them (clip_model_pack_ref), and the last context
 *    of that precision frees the pack again.
 *  - clip_model_load_for: the loader hands each linear weight over as it
 *    converts it (clip_model_pack_tensor) and keeps no float32 copy; the
 *    pack belongs to the model.
 *
 * What each precision keeps wider than itself (the "sensitive" layers):
 *
 *   precision  blocks' linears  patch embedding  projections
 *   F32        F32              F32              F32
 *   F16        F16              F16              F32
 *   BF16       BF16             BF16             F32
 *   INT8       I8               I8               F32
 *
 * The patch embedding is 3 % of a ViT-B/32's work and sees raw pixels; the
 * projections are a single row per input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

#include "clip-private.h"

#define ALIGN 64

static GMutex pack_lock;

static size_t
round_up (size_t x,
          size_t to)
{
  return (x + to - 1) / to * to;
}

static size_t
group_of (clip_weights_format format)
{
  return format == CLIP_WEIGHTS_I8 ? 4 : format == CLIP_WEIGHTS_BF16 ? 2 : 1;
}

static size_t
element_size (clip_weights_format format)
{
  return format == CLIP_WEIGHTS_F32 ? 4 : format == CLIP_WEIGHTS_I8 ? 1 : 2;
}

void
clip_packed_columns (const clip_packed *w,
                     size_t             col0,
                     size_t             ncols,
                     clip_packed       *view)
{
  g_assert (col0 % CLIP_PANEL == 0 && col0 + ncols <= w->n);
  *view = *w;
  view->n = ncols;
  view->data = (const char *) w->data + col0 / CLIP_PANEL * w->kp * CLIP_PANEL * element_size (w->format);
  if (w->bias != NULL)
    view->bias = w->bias + col0;
  if (w->scale != NULL)
    view->scale = w->scale + col0;
  if (w->colsum != NULL)
    view->colsum = w->colsum + col0;
}

/* --- precisions ---------------------------------------------------------------- */

static const char *const precision_names[CLIP_N_PRECISIONS] = { "f32", "f16", "bf16", "int8" };

const char *
clip_precision_name (clip_precision precision)
{
  return (unsigned) precision < CLIP_N_PRECISIONS ? precision_names[precision] : NULL;
}

int
clip_precision_parse (const char     *name,
                      clip_precision *out)
{
  if (name == NULL)
    return 0;
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (g_ascii_strcasecmp (name, precision_names[p]) == 0)
      {
        *out = (clip_precision) p;
        return 1;
      }
  if (g_ascii_strcasecmp (name, "fp32") == 0)
    *out = CLIP_PRECISION_F32;
  else if (g_ascii_strcasecmp (name, "fp16") == 0)
    *out = CLIP_PRECISION_F16;
  else
    return 0;
  return 1;
}

/* --- one linear layer ------------------------------------------------------- */

size_t
clip_pack_linear_size (clip_weights_format format,
                       size_t              n,
                       size_t              k,
                       int                 has_bias)
{
  size_t np = round_up (n, CLIP_PANEL), kp = round_up (k, group_of (format));
  size_t bytes = round_up (np * kp * element_size (format), ALIGN);

  if (has_bias)
    bytes += round_up (np * sizeof (float), ALIGN);
  if (format == CLIP_WEIGHTS_I8)
    bytes += 2 * round_up (np * sizeof (float), ALIGN);
  return bytes;
}

/* Sets `out` up for W [n, k] in `format`; the memory `alloc` returns must
 * be zeroed. */
static int
pack_alloc (clip_packed        *out,
            clip_weights_format format,
            size_t              n,
            size_t              k,
            int                 has_bias,
            clip_pack_alloc_fn  alloc,
            void               *alloc_data)
{
  size_t np = round_up (n, CLIP_PANEL), kp = round_up (k, group_of (format));

  memset (out, 0, sizeof *out);
  out->format = format;
  out->n = n;
  out->k = k;
  out->kp = kp;
  if ((out->data = alloc (alloc_data, round_up (np * kp * element_size (format), ALIGN))) == NULL)
    return 0;
  if (has_bias && (out->bias = alloc (alloc_data, round_up (np * sizeof (float), ALIGN))) == NULL)
    return 0;
  if (format == CLIP_WEIGHTS_I8
      && ((out->scale = alloc (alloc_data, round_up (np * sizeof (float), ALIGN))) == NULL
          || (out->colsum = alloc (alloc_data, round_up (np * sizeof (int32_t), ALIGN))) == NULL))
    return 0;
  return 1;
}

/* Element (kk, j) of a panel, written in the format's order. */
static inline void
put (clip_weights_format format,
     void               *panel,
     size_t              kk,
     size_t              j,
     float               v,
     float               inv)
{
  switch (format)
    {
    case CLIP_WEIGHTS_F32:
      ((float *) panel)[kk * CLIP_PANEL + j] = v;
      break;
    case CLIP_WEIGHTS_F16:
      ((uint16_t *) panel)[kk * CLIP_PANEL + j] = clip_f32_to_f16_bits (v);
      break;
    case CLIP_WEIGHTS_BF16:
      ((uint16_t *) panel)[(kk / 2) * 2 * CLIP_PANEL + j * 2 + kk % 2] = clip_f32_to_bf16_bits (v);
      break;
    default:
      {
        float q = nearbyintf (v * inv);
        ((int8_t *) panel)[(kk / 4) * 4 * CLIP_PANEL + j * 4 + kk % 4]
          = (int8_t) (q > 127.0f ? 127 : q < -127.0f ? -127 : q);
      }
    }
}

/* Packs W's rows (rows of k floats) as output columns row0 .. row0+rows-1
 * of `out`: panel by panel, in blocks of 64 k (32 columns x 64 k stay in
 * L1), W read a cache line at a time.  Padding stays zero. */
static void
pack_rows_scaled (clip_packed *out,
                  size_t       row0,
                  const float *w,
                  size_t       rows,
                  const float *colscale)
{
  const size_t KB = 64;
  clip_weights_format format = out->format;
  size_t k = out->k, kp = out->kp, panel_bytes = kp * CLIP_PANEL * element_size (format);
  float *scale = (float *) out->scale;
  int32_t *colsum = (int32_t *) out->colsum;
  g_autofree float *inv = NULL;

  if (format == CLIP_WEIGHTS_I8)
    {
      /* symmetric, one scale per output column (a row of W) */
      inv = g_new0 (float, rows);
      for (size_t r = 0; r < rows; r++)
        {
          float max = 0.0f;
          for (size_t kk = 0; kk < k; kk++)
            max = MAX (max, fabsf (w[r * k + kk] * (colscale != NULL ? colscale[kk] : 1.0f)));
          scale[row0 + r] = max / 127.0f;
          inv[r] = max > 0.0f ? 127.0f / max : 0.0f;
        }
    }
  for (size_t p = row0 / CLIP_PANEL; p * CLIP_PANEL < row0 + rows; p++)
    {
      void *panel = (char *) out->data + p * panel_bytes;
      size_t j0 = MAX (row0, p * CLIP_PANEL) - p * CLIP_PANEL;
      size_t j1 = MIN (row0 + rows, (p + 1) * CLIP_PANEL) - p * CLIP_PANEL;

      for (size_t k0 = 0; k0 < k; k0 += KB)
        for (size_t j = j0; j < j1; j++)
          {
            size_t r = p * CLIP_PANEL + j - row0;
            const float *row = w + r * k;
            float iv = inv != NULL ? inv[r] : 0.0f;
            if (colscale != NULL)
              for (size_t kk = k0; kk < MIN (k0 + KB, k); kk++)
                put (format, panel, kk, j, row[kk] * colscale[kk], iv);
            else
              for (size_t kk = k0; kk < MIN (k0 + KB, k); kk++)
                put (format, panel, kk, j, row[kk], iv);
          }
      if (format == CLIP_WEIGHTS_I8)
        for (size_t j = j0; j < j1; j++)
          {
            const int8_t *d = panel;
            int32_t sum = 0;
            for (size_t kk = 0; kk < k; kk++)
              sum += d[(kk / 4) * 4 * CLIP_PANEL + j * 4 + kk % 4];
            colsum[p * CLIP_PANEL + j] = sum;
          }
    }
}

static void
pack_rows (clip_packed *out,
           size_t       row0,
           const float *w,
           size_t       rows)
{
  pack_rows_scaled (out, row0, w, rows, NULL);
}

static void
pack_bias (clip_packed *out,
           size_t       row0,
           const float *b,
           size_t       rows)
{
  if (out->bias != NULL && b != NULL)
    memcpy ((float *) out->bias + row0, b, rows * sizeof (float));
}

int
clip_pack_linear (clip_packed        *out,
                  clip_weights_format format,
                  const float        *w,
                  const float        *bias,
                  size_t              n,
                  size_t              k,
                  clip_pack_alloc_fn  alloc,
                  void               *alloc_data)
{
  if (format != CLIP_WEIGHTS_F32 && format != CLIP_WEIGHTS_F16 && format != CLIP_WEIGHTS_BF16
      && format != CLIP_WEIGHTS_I8)
    return 0;
  if (!pack_alloc (out, format, n, k, bias != NULL, alloc, alloc_data))
    return 0;
  pack_rows (out, 0, w, n);
  pack_bias (out, 0, bias, n);
  return 1;
}

/* --- the model's pack --------------------------------------------------------- */

typedef struct {
  char  *base;
  size_t used, size;
} bump;

static void *
bump_alloc (void  *data,
            size_t bytes)
{
  bump *b = data;
  void *p;

  bytes = round_up (bytes, ALIGN);
  if (b->used + bytes > b->size)
    return NULL;
  p = b->base + b->used;
  b->used += bytes;
  return p;
}

/* The packed format of the linear layers in `precision`; all of them,
 * patch embedding included, take the same one.  (Tried: the second MLP
 * layer, whose inputs after GELU are the most skewed, in bfloat16 within
 * int8 moved the toy model's worst image cosine to float32 from 0.99984
 * to 0.99986 only, for 16 % of the speed.) */
static clip_weights_format
linear_format (clip_precision precision)
{
  switch (precision)
    {
    case CLIP_PRECISION_F16: return CLIP_WEIGHTS_F16;
    case CLIP_PRECISION_BF16: return CLIP_WEIGHTS_BF16;
    case CLIP_PRECISION_INT8: return CLIP_WEIGHTS_I8;
    default: return CLIP_WEIGHTS_F32;
    }
}

/* The arena: on Linux an anonymous mapping in transparent huge pages when
 * the system allows them (2 MB pages: 512 times fewer page faults while
 * packing, and fewer TLB misses while the GEMMs stream the weights),
 * faulted in at once.  Zeroed either way. */
#define HUGE_PAGE (2u << 20)

static void *
arena_alloc (size_t  bytes,
             size_t *mapped)
{
  *mapped = 0;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (bytes >= HUGE_PAGE)
    {
      size_t len = round_up (bytes, HUGE_PAGE) + HUGE_PAGE;
      char *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

      if (p != MAP_FAILED)
        {
          /* keep a 2 MB-aligned part, give back the rest */
          char *start = (char *) round_up ((uintptr_t) p, HUGE_PAGE);
          size_t keep = round_up (bytes, HUGE_PAGE);
          if (start > p)
            munmap (p, (size_t) (start - p));
          if (start + keep < p + len)
            munmap (start + keep, (size_t) (p + len - (start + keep)));
          madvise (start, keep, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
          /* fault it all in at once (Linux 5.14): page by page costs far
           * more on some virtual machines */
          madvise (start, keep, MADV_POPULATE_WRITE);
#endif
          *mapped = keep;
          return start;
        }
    }
#endif
  return g_aligned_alloc0 (bytes, 1, ALIGN);
}

static void
pack_free (clip_model_pack *pack)
{
  if (pack == NULL)
    return;
  g_free (pack->vision.layers);
  g_free (pack->text.layers);
  g_free (pack->smoothed);
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (pack->arena_mapped != 0)
    munmap (pack->arena, pack->arena_mapped);
  else
#endif
    g_aligned_free (pack->arena);
  g_free (pack);
}

/* The towers' linear layers, and the projection where the tower has one
 * (embed_dim > 0; SigLIP's vision tower has a head instead, in float32
 * in the model). */
static size_t
tower_size (const clip_tower_info *info,
            int                    embed_dim,
            clip_weights_format    format)
{
  size_t w = (size_t) info->width, m = (size_t) info->mlp, e = (size_t) embed_dim;

  return (size_t) info->layers
         * (clip_pack_linear_size (format, 3 * w, w, 1) + clip_pack_linear_size (format, w, w, 1)
            + clip_pack_linear_size (format, m, w, 1) + clip_pack_linear_size (format, w, m, 1))
         + (e > 0 ? clip_pack_linear_size (CLIP_WEIGHTS_F32, e, w, 0) : 0);
}

static int
tower_alloc (clip_tower_packed     *out,
             const clip_tower_info *info,
             int                    embed_dim,
             clip_weights_format    format,
             bump                  *b)
{
  size_t w = (size_t) info->width, m = (size_t) info->mlp, e = (size_t) embed_dim;

  for (int l = 0; l < info->layers; l++)
    {
      clip_layer_packed *lp = &out->layers[l];
      if (!pack_alloc (&lp->qkv, format, 3 * w, w, 1, bump_alloc, b)
          || !pack_alloc (&lp->o, format, w, w, 1, bump_alloc, b)
          || !pack_alloc (&lp->fc1, format, m, w, 1, bump_alloc, b)
          || !pack_alloc (&lp->fc2, format, w, m, 1, bump_alloc, b))
        return 0;
    }
  return e == 0 || pack_alloc (&out->proj, CLIP_WEIGHTS_F32, e, w, 0, bump_alloc, b);
}

/* An empty pack for the towers in `towers`, its memory allocated and
 * zeroed. */
static clip_status
pack_create (const clip_model *model,
             clip_precision    precision,
             unsigned          towers,
             clip_model_pack **out,
             char            **error)
{
  const clip_model_info *info = &model->info;
  clip_weights_format format = linear_format (precision);
  size_t pd = (size_t) info->num_channels * info->patch_size * info->patch_size;
  clip_model_pack *pack = g_new0 (clip_model_pack, 1);
  bump b = { 0 };
  int vision_embed = info->family == CLIP_FAMILY_CLIP ? info->embed_dim : 0;

  pack->precision = precision;
  pack->towers = towers;
  if (towers & CLIP_TOWER_VISION)
    {
      pack->vision.layers = g_new0 (clip_layer_packed, info->vision.layers);
      b.size += tower_size (&info->vision, vision_embed, format)
                + clip_pack_linear_size (format, (size_t) info->vision.width, pd, 0);
    }
  if (towers & CLIP_TOWER_TEXT)
    {
      pack->text.layers = g_new0 (clip_layer_packed, info->text.layers);
      b.size += tower_size (&info->text, info->embed_dim, format);
    }
  pack->arena = arena_alloc (MAX (b.size, 1), &pack->arena_mapped);
  pack->arena_bytes = b.size;
  b.base = pack->arena;
  if (pack->arena == NULL
      || ((towers & CLIP_TOWER_VISION)
          && (!tower_alloc (&pack->vision, &info->vision, vision_embed, format, &b)
              || !pack_alloc (&pack->patch, format, (size_t) info->vision.width, pd, 0, bump_alloc, &b)))
      || ((towers & CLIP_TOWER_TEXT)
          && !tower_alloc (&pack->text, &info->text, info->embed_dim, format, &b)))
    {
      pack_free (pack);
      return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                             "cannot allocate %zu bytes for the %s weights", b.size,
                             clip_precision_name (precision));
    }
  *out = pack;
  return CLIP_STATUS_OK;
}

/* The biases, copied from the model's float32 ones. */
static void
pack_biases (clip_model_pack          *pack,
             const clip_tower_info    *info,
             const clip_tower_weights *tw,
             clip_tower_packed        *tp)
{
  size_t w = (size_t) info->width, m = (size_t) info->mlp;

  for (int l = 0; l < info->layers; l++)
    {
      const clip_layer_weights *lw = &tw->layers[l];
      clip_layer_packed *lp = &tp->layers[l];
      pack_bias (&lp->qkv, 0, lw->q_b, w);
      pack_bias (&lp->qkv, w, lw->k_b, w);
      pack_bias (&lp->qkv, 2 * w, lw->v_b, w);
      pack_bias (&lp->o, 0, lw->o_b, w);
      pack_bias (&lp->fc1, 0, lw->fc1_b, m);
      pack_bias (&lp->fc2, 0, lw->fc2_b, w);
    }
}

/* Where a linear weight of the model goes in a pack: the packed matrix,
 * the first output column and how many (q, k and v are a third of qkv
 * each); NULL for any other tensor. */
static clip_packed *
slot_of (const clip_model *model,
         clip_model_pack  *pack,
         const float     **dest,
         size_t           *row0,
         size_t           *rows)
{
  const clip_tower_weights *tws[2] = { &model->vision, &model->text };
  clip_tower_packed *tps[2] = { &pack->vision, &pack->text };
  const clip_tower_info *infos[2] = { &model->info.vision, &model->info.text };
  unsigned flags[2] = { CLIP_TOWER_VISION, CLIP_TOWER_TEXT };

  *row0 = 0;
  if (dest == &model->patch_embedding)
    {
      *rows = pack->patch.n;
      return (pack->towers & CLIP_TOWER_VISION) ? &pack->patch : NULL;
    }
  for (int t = 0; t < 2; t++)
    {
      size_t w = (size_t) infos[t]->width;
      if (!(pack->towers & flags[t]))
        continue;
      if (dest == &tws[t]->proj)
        {
          *rows = tps[t]->proj.n;
          return &tps[t]->proj;
        }
      for (int l = 0; l < infos[t]->layers; l++)
        {
          clip_layer_weights *lw = &tws[t]->layers[l];
          clip_layer_packed *lp = &tps[t]->layers[l];
          const float **qkv[3] = { &lw->q_w, &lw->k_w, &lw->v_w };
          for (size_t i = 0; i < 3; i++)
            if (dest == qkv[i])
              {
                *row0 = i * w;
                *rows = w;
                return &lp->qkv;
              }
          *rows = dest == &lw->fc1_w ? lp->fc1.n : w;
          if (dest == &lw->o_w)
            return &lp->o;
          if (dest == &lw->fc1_w)
            return &lp->fc1;
          if (dest == &lw->fc2_w)
            return &lp->fc2;
        }
    }
  return NULL;
}

/* --- smoothing activation outliers (INT8) -------------------------------------
 *
 * Trained ViTs have a few channels whose layer-norm outputs are 10-100x
 * the rest (clip-testmodel.c's --outliers says where that is measured).
 * INT8 activations have one scale per row, so such a channel takes the
 * row's range and every other channel of the row is left a few of the
 * 255 steps.  SmoothQuant's remedy, folded into the weights at pack time:
 * divide the layer norm's gain and bias of channel c by s_c and multiply
 * column c of the next linear weights (q, k and v after layer_norm1, fc1
 * after layer_norm2) by s_c, which leaves the product unchanged in exact
 * arithmetic and moves the outlier's magnitude from the activations, which
 * are quantised per row, into weights, which are quantised per output
 * column.
 *
 * Without calibration data the activations' channel ranges are estimated
 * from the layer norm alone: a_c = |gain_c| + |bias_c| bounds channel c
 * for a normalised input of magnitude 1.  Channels with a_c over
 * SMOOTH_THRESHOLD (4) times the median are brought down to that bound,
 * s_c = a_c / (4 median), and the others are left alone (s_c = 1), so a
 * model without outliers packs exactly as before, and one with a broad
 * spread of gains is barely touched.  The weights do not enter s (as
 * SmoothQuant's alpha would have them): q, k and v arrive one at a time
 * when a model is loaded straight into INT8, and both ways of packing
 * must give the same numbers.  Measured on make-test-model --outliers
 * (ViT-B/32, gains 20-100; worst cosine to f32 of 8 images, 8 texts):
 * no smoothing 0.987, 0.393; s = (a_c / median)^alpha with alpha 0.5
 * 0.99976, 0.99733, alpha 0.75 0.99989, 0.99930, alpha 1 0.99987,
 * 0.99856; this rule 0.99991, 0.99932.  Other precisions keep the
 * model's layer norms (bfloat16 and half floats have an exponent per
 * value: outliers cost them nothing).  The run-time check of
 * src/library (cs_clip_check_precision) is the net for what this
 * estimate misses.
 *
 * CLIP_NO_SMOOTHING=1 in the environment turns it off (for tests and
 * measurements). */
#define SMOOTH_THRESHOLD 4.0f

static gboolean
smoothing_wanted (const clip_model_pack *pack)
{
  const char *off = g_getenv ("CLIP_NO_SMOOTHING");

  return pack->precision == CLIP_PRECISION_INT8
         && (off == NULL || off[0] == '\0' || g_str_equal (off, "0"));
}

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

/* s[c] for the layer norm (g, b) of w channels; FALSE when all are 1. */
static gboolean
smoothing_factors (const float *g,
                   const float *b,
                   size_t       w,
                   float       *s)
{
  g_autofree float *a = g_new (float, w);
  float median;
  gboolean any = FALSE;

  for (size_t c = 0; c < w; c++)
    a[c] = fabsf (g[c]) + fabsf (b[c]);
  qsort (a, w, sizeof *a, compare_floats);
  median = a[w / 2];
  for (size_t c = 0; c < w; c++)
    {
      float ac = fabsf (g[c]) + fabsf (b[c]);

      s[c] = 1.0f;
      if (median > 0.0f && isfinite (ac) && ac > SMOOTH_THRESHOLD * median)
        {
          s[c] = ac / (SMOOTH_THRESHOLD * median);
          any = TRUE;
        }
    }
  return any;
}

/* The layer norm in front of the linear weight `dest` (layer_norm1 for q,
 * k and v, layer_norm2 for fc1); FALSE for the others. */
static gboolean
norm_of (const clip_model *model,
         const float     **dest,
         const float     **g,
         const float     **b)
{
  const clip_tower_weights *tws[2] = { &model->vision, &model->text };
  const clip_tower_info *infos[2] = { &model->info.vision, &model->info.text };

  for (int t = 0; t < 2; t++)
    for (int l = 0; l < infos[t]->layers; l++)
      {
        clip_layer_weights *lw = &((clip_tower_weights *) tws[t])->layers[l];

        if (dest == &lw->q_w || dest == &lw->k_w || dest == &lw->v_w)
          {
            *g = lw->ln1_w;
            *b = lw->ln1_b;
            return TRUE;
          }
        if (dest == &lw->fc1_w)
          {
            *g = lw->ln2_w;
            *b = lw->ln2_b;
            return TRUE;
          }
      }
  return FALSE;
}

/* Packs the linear weight `dest` (w: its float32 values), its input
 * columns smoothed where its layer norm calls for it. */
static void
pack_weight (const clip_model *model,
             clip_model_pack  *pack,
             const float     **dest,
             const float      *w)
{
  size_t row0, rows;
  clip_packed *pk = slot_of (model, pack, dest, &row0, &rows);
  const float *g, *b;
  g_autofree float *s = NULL;

  g_assert (pk != NULL);
  if (smoothing_wanted (pack) && norm_of (model, dest, &g, &b))
    {
      /* the loader hands tensors over in name order: a block's layer
       * norms come before its linear weights */
      g_assert (g != NULL && b != NULL);
      s = g_new (float, pk->k);
      if (!smoothing_factors (g, b, pk->k, s))
        g_clear_pointer (&s, g_free);
    }
  pack_rows_scaled (pk, row0, w, rows, s);
}

/* The layer norms' side of pack_weight: gains and biases divided by the
 * same s, for the towers of the pack, once all of it is in. */
static void
smooth_norms (const clip_model *model,
              clip_model_pack  *pack)
{
  const clip_tower_weights *tws[2] = { &model->vision, &model->text };
  clip_tower_packed *tps[2] = { &pack->vision, &pack->text };
  const clip_tower_info *infos[2] = { &model->info.vision, &model->info.text };
  unsigned flags[2] = { CLIP_TOWER_VISION, CLIP_TOWER_TEXT };
  size_t total = 0;
  float *out;

  if (!smoothing_wanted (pack))
    return;
  for (int t = 0; t < 2; t++)
    if (pack->towers & flags[t])
      total += (size_t) infos[t]->layers * 4 * (size_t) infos[t]->width;
  out = pack->smoothed = g_new (float, MAX (total, 1));
  pack->smoothed_bytes = MAX (total, 1) * sizeof (float);
  for (int t = 0; t < 2; t++)
    {
      size_t w = (size_t) infos[t]->width;
      g_autofree float *s = g_new (float, w);

      if (!(pack->towers & flags[t]))
        continue;
      for (int l = 0; l < infos[t]->layers; l++)
        {
          const clip_layer_weights *lw = &tws[t]->layers[l];
          clip_layer_packed *lp = &tps[t]->layers[l];

          for (int n = 0; n < 2; n++)
            {
              const float *g = n == 0 ? lw->ln1_w : lw->ln2_w, *b = n == 0 ? lw->ln1_b : lw->ln2_b;

              if (!smoothing_factors (g, b, w, s))
                continue;
              for (size_t c = 0; c < w; c++)
                {
                  out[c] = g[c] / s[c];
                  out[w + c] = b[c] / s[c];
                }
              if (n == 0)
                {
                  lp->ln1_w = out;
                  lp->ln1_b = out + w;
                }
              else
                {
                  lp->ln2_w = out;
                  lp->ln2_b = out + w;
                }
              out += 2 * w;
            }
        }
    }
}

/* Packs every linear weight of the model's float32 copy. */
static void
pack_all (const clip_model *model,
          clip_model_pack  *pack)
{
  const clip_tower_weights *tws[2] = { &model->vision, &model->text };
  const clip_tower_info *infos[2] = { &model->info.vision, &model->info.text };
  unsigned flags[2] = { CLIP_TOWER_VISION, CLIP_TOWER_TEXT };

  if (pack->towers & CLIP_TOWER_VISION)
    {
      pack_rows (&pack->patch, 0, model->patch_embedding, pack->patch.n);
      clip_model_release_in_place (model, model->patch_embedding, pack->patch.n * pack->patch.k);
    }
  for (int t = 0; t < 2; t++)
    {
      if (!(pack->towers & flags[t]))
        continue;
      for (int l = 0; l < infos[t]->layers; l++)
        {
          clip_layer_weights *lw = &((clip_tower_weights *) tws[t])->layers[l];
          const float **all[] = { &lw->q_w, &lw->k_w, &lw->v_w, &lw->o_w, &lw->fc1_w, &lw->fc2_w };
          size_t w = (size_t) infos[t]->width, m = (size_t) infos[t]->mlp;
          size_t sizes[] = { w * w, w * w, w * w, w * w, m * w, w * m };

          for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
            {
              pack_weight (model, pack, all[i], *all[i]);
              /* a float32 file's weights, read in place: the pack has
               * them now, their pages can go */
              clip_model_release_in_place (model, *all[i], sizes[i]);
            }
        }
      /* SigLIP's vision tower has no projection (its head is float32) */
      if (tws[t]->proj != NULL)
        pack_rows (&(t == 0 ? &pack->vision : &pack->text)->proj, 0, tws[t]->proj,
                   (size_t) model->info.embed_dim);
      pack_biases (pack, infos[t], tws[t], t == 0 ? &pack->vision : &pack->text);
    }
  smooth_norms (model, pack);
}

clip_status
clip_model_pack_ref (const clip_model *model,
                     clip_precision    precision,
                     clip_model_pack **out,
                     char            **error)
{
  clip_model *m = (clip_model *) model; /* the cache is the one mutable part */
  clip_status status = CLIP_STATUS_OK;

  g_mutex_lock (&pack_lock);
  if (m->packs[precision] == NULL)
    {
      if (m->load_packed)
        status = clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                                 "this model was loaded for %s only, not %s",
                                 clip_precision_name (m->load_precision), clip_precision_name (precision));
      else if ((status = pack_create (model, precision, CLIP_TOWERS_ALL, &m->packs[precision], error))
               == CLIP_STATUS_OK)
        pack_all (model, m->packs[precision]);
    }
  if (status == CLIP_STATUS_OK)
    {
      m->packs[precision]->refs++;
      *out = m->packs[precision];
    }
  g_mutex_unlock (&pack_lock);
  return status;
}

void
clip_model_pack_unref (const clip_model *model,
                       clip_model_pack  *pack)
{
  clip_model *m = (clip_model *) model;

  if (pack == NULL)
    return;
  g_mutex_lock (&pack_lock);
  if (--pack->refs == 0)
    {
      m->packs[pack->precision] = NULL;
      pack_free (pack);
    }
  g_mutex_unlock (&pack_lock);
}

/* --- packing while loading ------------------------------------------------------ */

unsigned
clip_tensor_tower (const char *name)
{
  if (g_str_has_prefix (name, "vision_model.") || g_str_has_prefix (name, "visual_projection"))
    return CLIP_TOWER_VISION;
  if (g_str_has_prefix (name, "text_model.") || g_str_has_prefix (name, "text_projection"))
    return CLIP_TOWER_TEXT;
  return 0;
}

clip_status
clip_model_pack_begin (clip_model    *model,
                       clip_precision precision,
                       unsigned       towers,
                       char         **error)
{
  clip_model_pack *pack = NULL;
  clip_status status;

  if ((unsigned) precision >= CLIP_N_PRECISIONS || (towers & ~(unsigned) CLIP_TOWERS_ALL) || towers == 0)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_model_load_for: precision %d, towers %u", (int) precision, towers);
  status = pack_create (model, precision, towers, &pack, error);
  if (status != CLIP_STATUS_OK)
    return status;
  pack->refs = 1; /* the model's own */
  model->packs[precision] = pack;
  model->load_packed = 1;
  model->load_precision = precision;
  model->towers = towers;
  return CLIP_STATUS_OK;
}

int
clip_model_pack_wants (const clip_model *model,
                       const float     **dest)
{
  size_t row0, rows;

  return model->load_packed && dest != NULL
         && slot_of (model, model->packs[model->load_precision], dest, &row0, &rows) != NULL;
}

void
clip_model_pack_tensor (clip_model   *model,
                        const float **dest,
                        const float  *w)
{
  pack_weight (model, model->packs[model->load_precision], dest, w);
}

void
clip_model_pack_end (clip_model *model)
{
  clip_model_pack *pack = model->packs[model->load_precision];

  if (pack->towers & CLIP_TOWER_VISION)
    pack_biases (pack, &model->info.vision, &model->vision, &pack->vision);
  if (pack->towers & CLIP_TOWER_TEXT)
    pack_biases (pack, &model->info.text, &model->text, &pack->text);
  smooth_norms (model, pack);
}

void
clip_model_pack_drop (clip_model *model)
{
  if (model->load_packed)
    clip_model_pack_unref (model, model->packs[model->load_precision]);
}

void
clip_release_pages (const void *data,
                    size_t      bytes)
{
#if defined(G_OS_UNIX) && defined(MADV_DONTNEED)
  long page = sysconf (_SC_PAGESIZE);
  uintptr_t start = round_up ((uintptr_t) data, (size_t) page);
  uintptr_t end = ((uintptr_t) data + bytes) / (uintptr_t) page * (uintptr_t) page;

  if (page > 0 && end > start)
    madvise ((void *) start, end - start, MADV_DONTNEED);
#endif
}
