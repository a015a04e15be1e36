/* cs-clip-runtime.c - the CLIP model as the library uses it from many
 * threads: one shared model, a clip_ctx per thread at a time, and caches.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A clip_model is immutable and shareable; a clip_ctx is not.  Workers
 * borrow a context from a free list for one call and give it back, so no
 * context is ever used by two threads at once and there are never more
 * contexts than concurrent calls.  Text embeddings are cached by text:
 * labels are re-clustered often and their prompts rarely change.
 *
 * Searching needs the text tower; it is loaded alone, in float32, so that
 * queries rank exactly as the reference does (a 10-token query costs about
 * 5 ms this way) and the process holds no vision weights.  The vision
 * tower, which only an example photo from outside the library needs, is
 * loaded on first use, in the precision the library's vectors were made in
 * (cs_clip_image_precision: the run-time check's choice), so that such a
 * photo's vector is made the way theirs were.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "cs-clip-error.h"
#include "cs-clip-runtime.h"
#include "cs-decode-clip.h"
#include "cs-file-hash.h"

/* Generic prompts a photo of anything matches about as well as any: a
 * plain text query must beat them for a photo to count as a match. */
static const char * const background_prompts[] = {
  "a photo", "an image", "a picture", "a photo of something",
};

typedef struct {
  clip_ctx     *ctx;
  GCancellable *cancellable;  /* of the call in progress */
} Ctx;

/* One tower's weights and the contexts made for them. */
typedef struct {
  clip_model     *model;
  clip_precision  precision;
  GPtrArray      *free_ctxs;     /* Ctx*, guarded by the runtime's lock */
} Tower;

struct _CsClipRuntime
{
  gatomicrefcount ref;
  Tower           text;
  Tower           vision;        /* loaded on first use, under vision_lock */
  GMutex          vision_lock;
  char           *dir;
  char           *model_id;
  int             dim;
  double          logit_scale;   /* exp of the stored value */
  double          logit_bias;    /* SigLIP's; 0 for CLIP */
  clip_family     family;
  GMutex          lock;
  GHashTable     *text_cache;    /* char* -> float[dim] */
  float          *background;    /* n_background x dim */
};

clip_precision
cs_clip_indexing_precision (void)
{
  const char *forced = g_getenv ("CLIPSIGHT_PRECISION");
  clip_precision p;

  if (forced != NULL && *forced != '\0' && clip_precision_parse (forced, &p))
    return p;
  /* int8 where the CPU has VNNI (3.3x float32 on a ViT-B/32, cosine
   * 0.9999 to it), bfloat16 where it has AVX512_BF16, else float32: the
   * other modes run on generic loops there, slower than float32 */
  if (clip_precision_is_fast (CLIP_PRECISION_INT8))
    return CLIP_PRECISION_INT8;
  if (clip_precision_is_fast (CLIP_PRECISION_BF16))
    return CLIP_PRECISION_BF16;
  return CLIP_PRECISION_F32;
}

static int
abort_cb (void *data)
{
  Ctx *c = data;

  return c->cancellable != NULL && g_cancellable_is_cancelled (c->cancellable);
}

static void
ctx_free (gpointer p)
{
  Ctx *c = p;

  clip_ctx_free (c->ctx);
  g_free (c);
}

static Ctx *
take_ctx (CsClipRuntime  *rt,
          Tower          *tower,
          GCancellable   *cancellable,
          GError        **error)
{
  Ctx *c = NULL;

  g_mutex_lock (&rt->lock);
  if (tower->free_ctxs->len > 0)
    c = g_ptr_array_steal_index_fast (tower->free_ctxs, tower->free_ctxs->len - 1);
  g_mutex_unlock (&rt->lock);
  if (c == NULL)
    {
      clip_params params = clip_params_default ();
      char *message = NULL;
      clip_status status;

      c = g_new0 (Ctx, 1);
      params.precision = tower->precision;
      params.abort_cb = abort_cb;
      params.abort_data = c;
      status = clip_ctx_new (tower->model, &params, &c->ctx, &message);
      if (status != CLIP_STATUS_OK)
        {
          g_free (c);
          cs_clip_propagate (error, status, message);
          return NULL;
        }
    }
  c->cancellable = cancellable;
  return c;
}

static void
give_ctx (CsClipRuntime *rt,
          Tower         *tower,
          Ctx           *c)
{
  c->cancellable = NULL;
  g_mutex_lock (&rt->lock);
  g_ptr_array_add (tower->free_ctxs, c);
  g_mutex_unlock (&rt->lock);
}

/* Maps an engine failure to an error, or to G_IO_ERROR_CANCELLED when the
 * abort came from our cancellable. */
static gboolean
propagate (GError       **error,
           clip_status    status,
           char          *message,
           GCancellable  *cancellable)
{
  if (status == CLIP_STATUS_ABORTED && g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      clip_free (message);
      return FALSE;
    }
  return cs_clip_propagate (error, status, message);
}

CsClipRuntime *
cs_clip_runtime_load (const char    *dir,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(CsClipRuntime) rt = g_new0 (CsClipRuntime, 1);
  char *message = NULL;
  clip_status status;

  g_atomic_ref_count_init (&rt->ref);
  g_mutex_init (&rt->lock);
  g_mutex_init (&rt->vision_lock);
  rt->text.free_ctxs = g_ptr_array_new_with_free_func (ctx_free);
  rt->text.precision = CLIP_PRECISION_F32;
  rt->vision.free_ctxs = g_ptr_array_new_with_free_func (ctx_free);
  rt->vision.precision = cs_clip_indexing_precision ();
  rt->text_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rt->dir = g_strdup (dir);

  rt->model_id = cs_model_id_for_dir (dir, cancellable, error);
  if (rt->model_id == NULL)
    return NULL;
  status = clip_model_load_for (dir, rt->text.precision, CLIP_TOWER_TEXT, &rt->text.model, &message);
  if (status != CLIP_STATUS_OK)
    {
      cs_clip_propagate (error, status, message);
      return NULL;
    }
  rt->dim = clip_model_get_info (rt->text.model)->embed_dim;
  rt->logit_scale = exp (clip_model_get_info (rt->text.model)->logit_scale);
  rt->logit_bias = clip_model_get_info (rt->text.model)->logit_bias;
  rt->family = clip_model_get_info (rt->text.model)->family;

  rt->background = g_new (float, G_N_ELEMENTS (background_prompts) * rt->dim);
  if (!cs_clip_runtime_embed_texts (rt, background_prompts, G_N_ELEMENTS (background_prompts),
                                    rt->background, cancellable, error))
    return NULL;
  return g_steal_pointer (&rt);
}

CsClipRuntime *
cs_clip_runtime_ref (CsClipRuntime *rt)
{
  g_atomic_ref_count_inc (&rt->ref);
  return rt;
}

void
cs_clip_runtime_unref (CsClipRuntime *rt)
{
  if (rt == NULL || !g_atomic_ref_count_dec (&rt->ref))
    return;
  g_clear_pointer (&rt->text.free_ctxs, g_ptr_array_unref);
  g_clear_pointer (&rt->vision.free_ctxs, g_ptr_array_unref);
  g_clear_pointer (&rt->text_cache, g_hash_table_unref);
  clip_model_free (rt->text.model);
  clip_model_free (rt->vision.model);
  g_mutex_clear (&rt->lock);
  g_mutex_clear (&rt->vision_lock);
  g_free (rt->background);
  g_free (rt->dir);
  g_free (rt->model_id);
  g_free (rt);
}

const char *
cs_clip_runtime_get_model_id (CsClipRuntime *rt)
{
  return rt->model_id;
}

const char *
cs_clip_runtime_get_dir (CsClipRuntime *rt)
{
  return rt->dir;
}

int
cs_clip_runtime_get_dim (CsClipRuntime *rt)
{
  return rt->dim;
}

double
cs_clip_runtime_get_logit_scale (CsClipRuntime *rt)
{
  return rt->logit_scale;
}

int
cs_clip_runtime_get_context_length (CsClipRuntime *rt)
{
  return clip_model_get_info (rt->text.model)->context_length;
}

double
cs_clip_runtime_get_logit_bias (CsClipRuntime *rt)
{
  return rt->logit_bias;
}

gboolean
cs_clip_runtime_is_sigmoid (CsClipRuntime *rt)
{
  return rt->family != CLIP_FAMILY_CLIP;
}

double
cs_clip_runtime_probability (CsClipRuntime *rt,
                             double         cosine)
{
  return cs_clip_sigmoid_probability (rt->logit_scale, rt->logit_bias, cosine);
}

const float *
cs_clip_runtime_get_background (CsClipRuntime *rt,
                                guint         *n)
{
  *n = G_N_ELEMENTS (background_prompts);
  return rt->background;
}

gboolean
cs_clip_runtime_embed_texts (CsClipRuntime       *rt,
                             const char * const  *texts,
                             guint                n,
                             float               *out,
                             GCancellable        *cancellable,
                             GError             **error)
{
  const clip_model_info *info = clip_model_get_info (rt->text.model);
  int ctxlen = info->context_length;
  g_autofree int32_t *ids = NULL;
  g_autofree guint *which = g_new (guint, MAX (n, 1));
  guint n_new = 0;

  /* what is cached is copied; the rest is encoded in one call */
  g_mutex_lock (&rt->lock);
  for (guint i = 0; i < n; i++)
    {
      const float *hit = g_hash_table_lookup (rt->text_cache, texts[i]);

      if (hit != NULL)
        memcpy (out + (gsize) i * rt->dim, hit, rt->dim * sizeof (float));
      else
        which[n_new++] = i;
    }
  g_mutex_unlock (&rt->lock);
  if (n_new == 0)
    return TRUE;

  ids = g_new0 (int32_t, (gsize) n_new * ctxlen);
  for (guint j = 0; j < n_new; j++)
    /* the model's own tokenizer: CLIP's BPE or SigLIP's SentencePiece */
    if (clip_model_tokenize (rt->text.model, texts[which[j]], -1, ids + (gsize) j * ctxlen) < 0)
      {
        g_set_error (error, CS_CLIP_ERROR, CLIP_STATUS_INVALID_ARGUMENT,
                     "cannot tokenize the text \"%s\"", texts[which[j]]);
        return FALSE;
      }

  g_autofree float *emb = g_new (float, (gsize) n_new * rt->dim);
  Ctx *c = take_ctx (rt, &rt->text, cancellable, error);
  char *message = NULL;
  clip_status status;

  if (c == NULL)
    return FALSE;
  status = clip_encode_texts (c->ctx, ids, (int) n_new, emb, &message);
  give_ctx (rt, &rt->text, c);
  if (status != CLIP_STATUS_OK)
    return propagate (error, status, message, cancellable);

  g_mutex_lock (&rt->lock);
  for (guint j = 0; j < n_new; j++)
    {
      float *v = emb + (gsize) j * rt->dim;

      clip_normalize (v, rt->dim);
      memcpy (out + (gsize) which[j] * rt->dim, v, rt->dim * sizeof (float));
      if (g_hash_table_size (rt->text_cache) < 4096)
        g_hash_table_replace (rt->text_cache, g_strdup (texts[which[j]]),
                              g_memdup2 (v, rt->dim * sizeof (float)));
    }
  g_mutex_unlock (&rt->lock);
  return TRUE;
}

void
cs_clip_runtime_set_image_precision (CsClipRuntime  *rt,
                                     clip_precision  precision)
{
  g_mutex_lock (&rt->vision_lock);
  if (rt->vision.model == NULL)
    rt->vision.precision = precision;
  g_mutex_unlock (&rt->vision_lock);
}

/* The vision tower, loaded by the first call that needs it. */
static clip_model *
vision_model (CsClipRuntime  *rt,
              GError        **error)
{
  clip_model *model;

  g_mutex_lock (&rt->vision_lock);
  if (rt->vision.model == NULL)
    {
      char *message = NULL;
      clip_status status = clip_model_load_for (rt->dir, rt->vision.precision, CLIP_TOWER_VISION,
                                                &rt->vision.model, &message);

      if (status != CLIP_STATUS_OK)
        cs_clip_propagate (error, status, message);
    }
  model = rt->vision.model;
  g_mutex_unlock (&rt->vision_lock);
  return model;
}

gboolean
cs_clip_runtime_embed_image (CsClipRuntime  *rt,
                             const char     *path,
                             float          *out,
                             GCancellable   *cancellable,
                             GError        **error)
{
  const clip_model *model = vision_model (rt, error);
  g_autofree float *pixels = NULL;
  char *message = NULL;
  clip_status status;
  Ctx *c;

  if (model == NULL)
    return FALSE;
  pixels = g_new (float, clip_model_image_floats (model));
  if (!cs_decode_file_to_tensor (path, clip_model_get_preprocess (model), pixels, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  c = take_ctx (rt, &rt->vision, cancellable, error);
  if (c == NULL)
    return FALSE;
  status = clip_encode_images (c->ctx, pixels, 1, out, &message);
  give_ctx (rt, &rt->vision, c);
  if (status != CLIP_STATUS_OK)
    return propagate (error, status, message, cancellable);
  clip_normalize (out, rt->dim);
  return TRUE;
}

/* --- the run-time precision check -------------------------------------------
 *
 * Which precision indexes fastest is measured, not assumed: how much
 * faster int8 or bf16 runs than float32 depends on the CPU's instructions,
 * on the kernel tables this build has for them and on the model's shape
 * (f16 with F16C runs near float32, sometimes under it, sometimes over).
 * And a user's model may be harder than the test models (trained ViTs
 * have activation outliers, which int8 handles only through the smoothing
 * of clip-pack.c).  So before a model is first indexed, the vision tower
 * is loaded in float32 and in every precision the CPU has instructions for
 * (clip_precision_is_fast), one at a time and freed before the next (so
 * at most one precision's weights are held at once), and each encodes a
 * fixed set of eight synthetic images (gradients, a disc, stripes, a
 * checkerboard, and their mirrored negatives, made here) as one batch of
 * the indexer's size on the indexer's threads, after a warm-up of two:
 * the batch's time is its speed, its embeddings its accuracy (worst
 * cosine to float32's).
 * cs_clip_precision_choose then takes the fastest that reaches
 * CS_CLIP_CHECK_FLOOR.  The text tower is not checked: it always runs in
 * float32 (queries must rank as the reference does).  The outcome is kept
 * in the store's setting "precision-check" for this model and CPU. */

#define CHECK_VERSION  "precision-check v2"
#define CHECK_IMAGES   CS_CLIP_CHECK_BATCH
#define CHECK_W        240
#define CHECK_H        200
#define CHECK_WARMUP   2

gboolean
cs_clip_precision_is_forced (void)
{
  const char *forced = g_getenv ("CLIPSIGHT_PRECISION");
  clip_precision p;

  return forced != NULL && *forced != '\0' && clip_precision_parse (forced, &p);
}

/* Whether precision `p` qualifies, and its figures as the choice sees
 * them. */
static gboolean
choice_figures (clip_precision  p,
                const double    cosine[CLIP_N_PRECISIONS],
                const double    images_per_s[CLIP_N_PRECISIONS],
                double         *cos_out,
                double         *ips_out)
{
  *cos_out = p == CLIP_PRECISION_F32 ? 1.0 : cosine[p];
  *ips_out = images_per_s[p];
  /* written so that NAN fails every comparison */
  return isfinite (*cos_out) && *cos_out >= CS_CLIP_CHECK_FLOOR
         && isfinite (*ips_out) && *ips_out > 0.0;
}

clip_precision
cs_clip_precision_choose (const double cosine[CLIP_N_PRECISIONS],
                          const double images_per_s[CLIP_N_PRECISIONS])
{
  clip_precision best = CLIP_PRECISION_F32;
  double best_cos = 0.0, best_ips = 0.0;
  gboolean found = FALSE;

  for (int i = 0; i < CLIP_N_PRECISIONS; i++)
    {
      double c, ips;

      if (!choice_figures ((clip_precision) i, cosine, images_per_s, &c, &ips))
        continue;
      /* in enum order, so that an exact tie keeps the lower one (f32) */
      if (!found || ips > best_ips || (ips == best_ips && c > best_cos))
        {
          best = (clip_precision) i;
          best_cos = c;
          best_ips = ips;
          found = TRUE;
        }
    }
  return best;
}

/* `s` with runs of white space made one space, control characters and
 * anything not ASCII made '?' (the record is line-based and ASCII), cut
 * to `max` - 1 bytes. */
static void
squeeze_name (const char *s,
              char       *out,
              gsize       max)
{
  gsize n = 0;
  gboolean space = TRUE;  /* drops leading spaces */

  for (; s != NULL && *s != '\0' && n + 1 < max; s++)
    {
      guchar c = (guchar) *s;

      if (g_ascii_isspace (c))
        {
          if (!space)
            out[n++] = ' ';
          space = TRUE;
          continue;
        }
      out[n++] = c < 0x20 || c >= 0x7f ? '?' : (char) c;
      space = FALSE;
    }
  while (n > 0 && out[n - 1] == ' ')
    n--;
  out[n] = '\0';
}

/* The value of the first "field : value" line of /proc/cpuinfo named
 * `field`, or NULL. */
static char *
cpuinfo_field (const char *cpuinfo,
               const char *field)
{
  g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL)
        continue;
      name = g_strstrip (g_strndup (lines[i], (gsize) (colon - lines[i])));
      if (g_ascii_strcasecmp (name, field) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

static char *
read_cpu_name (void)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *model = NULL;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      /* x86 and some ARM kernels say "model name"; others only give the
       * implementer and part numbers, which name the core as well */
      model = cpuinfo_field (cpuinfo, "model name");
      if (model == NULL || *model == '\0')
        {
          g_autofree char *impl = cpuinfo_field (cpuinfo, "CPU implementer");
          g_autofree char *part = cpuinfo_field (cpuinfo, "CPU part");

          g_clear_pointer (&model, g_free);
          if (impl != NULL && part != NULL)
            model = g_strdup_printf ("CPU implementer %s part %s", impl, part);
        }
      if (model != NULL && *model != '\0')
        return g_steal_pointer (&model);
    }
#if defined(__x86_64__) || defined(__i386__)
  {
    /* no /proc (a sandbox without it): CPUID's brand string */
    unsigned int regs[12];

    if ((unsigned int) __get_cpuid_max (0x80000000, NULL) >= 0x80000004u)
      {
        for (unsigned int leaf = 0; leaf < 3; leaf++)
          __get_cpuid (0x80000002 + leaf, &regs[leaf * 4], &regs[leaf * 4 + 1], &regs[leaf * 4 + 2],
                       &regs[leaf * 4 + 3]);
        return g_strndup ((const char *) regs, sizeof regs);
      }
  }
#endif
  return g_strdup ("");
}

const char *
cs_clip_cpu_name (void)
{
  static char name[CS_CLIP_CPU_NAME_MAX];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autofree char *raw = read_cpu_name ();

      squeeze_name (raw, name, sizeof name);
      g_once_init_leave (&done, 1);
    }
  return name;
}

/* Image b of the check set, RGB8 CHECK_W x CHECK_H: four patterns, and
 * from 4 on the same mirrored left to right in negative. */
static void
check_image (int     b,
             guint8 *rgb)
{
  gboolean negative = b >= 4;

  for (int y = 0; y < CHECK_H; y++)
    for (int x0 = 0; x0 < CHECK_W; x0++)
      {
        guint8 *p = rgb + ((gsize) y * CHECK_W + x0) * 3;
        int x = negative ? CHECK_W - 1 - x0 : x0;
        int r, g, bl;

        switch (b % 4)
          {
          case 0: /* a horizontal gradient, red to blue */
            r = 255 * (CHECK_W - 1 - x) / (CHECK_W - 1);
            g = 40;
            bl = 255 * x / (CHECK_W - 1);
            break;
          case 1: /* a white disc on a vertical green gradient */
            {
              int dx = x - CHECK_W / 2, dy = y - CHECK_H / 2;
              gboolean in = dx * dx + dy * dy < 60 * 60;
              r = in ? 250 : 20;
              g = in ? 250 : 255 * y / (CHECK_H - 1);
              bl = in ? 250 : 60;
            }
            break;
          case 2: /* diagonal stripes of yellow and dark blue */
            {
              gboolean on = ((x + y) / 12) % 2 == 0;
              r = on ? 240 : 20;
              g = on ? 210 : 30;
              bl = on ? 30 : 120;
            }
            break;
          default: /* a grey checkerboard with an orange square */
            {
              gboolean sq = x > 140 && x < 210 && y > 30 && y < 100;
              int v = ((x / 20) + (y / 20)) % 2 ? 200 : 60;
              r = sq ? 250 : v;
              g = sq ? 140 : v;
              bl = sq ? 20 : v;
            }
            break;
          }
        p[0] = (guint8) (negative ? 255 - r : r);
        p[1] = (guint8) (negative ? 255 - g : g);
        p[2] = (guint8) (negative ? 255 - bl : bl);
      }
}

/* Loads the vision tower in `precision`, encodes the check images as one
 * batch with the indexer's parameters (clip_params_default: the process's
 * shared thread pool) after a warm-up, and frees it: the embeddings into
 * *img (CHECK_IMAGES x *dim, allocated here if NULL), the batch's speed
 * into *images_per_s.  Packing the weights is not timed: the indexer does
 * it once a run. */
static gboolean
check_measure (const char      *dir,
               clip_precision   precision,
               float          **img,
               int             *dim,
               double          *images_per_s,
               GCancellable    *cancellable,
               GError         **error)
{
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  Ctx abort_data = { NULL, cancellable };
  char *message = NULL;
  clip_status status;
  g_autofree float *pix = NULL;
  gint64 elapsed = 0;
  gint64 start = g_get_monotonic_time ();

  status = clip_model_load_for (dir, precision, CLIP_TOWER_VISION, &model, &message);
  if (status == CLIP_STATUS_OK)
    {
      *dim = clip_model_get_info (model)->embed_dim;
      if (*img == NULL)
        *img = g_new (float, (gsize) CHECK_IMAGES * *dim);
      params.precision = precision;
      params.abort_cb = abort_cb;
      params.abort_data = &abort_data;
      status = clip_ctx_new (model, &params, &ctx, &message);
    }
  if (status == CLIP_STATUS_OK)
    {
      size_t nf = clip_model_image_floats (model);
      g_autofree guint8 *rgb = g_new (guint8, (gsize) CHECK_W * CHECK_H * 3);

      pix = g_new (float, nf * CHECK_IMAGES);
      for (int b = 0; b < CHECK_IMAGES && status == CLIP_STATUS_OK; b++)
        {
          clip_image image = { rgb, CHECK_W, CHECK_H, CHECK_W * 3, CLIP_PIXELS_RGB8, 0 };

          check_image (b, rgb);
          status = clip_preprocess (clip_model_get_preprocess (model), &image, pix + nf * b, &message);
        }
    }
  /* a short warm-up first (the pool's threads waking up, the weights
   * coming into the caches), then the timed batch: on a ViT-B/32 in
   * float32 a full batch costs about 0.4 s, a warm-up of the whole batch
   * would double the check's cost for little */
  if (status == CLIP_STATUS_OK)
    status = clip_encode_images (ctx, pix, CHECK_WARMUP, *img, &message);
  if (status == CLIP_STATUS_OK)
    {
      gint64 t0 = g_get_monotonic_time ();

      status = clip_encode_images (ctx, pix, CHECK_IMAGES, *img, &message);
      elapsed = g_get_monotonic_time () - t0;
    }
  clip_ctx_free (ctx);
  clip_model_free (model);
  g_debug ("%s: %s: %.0f ms in all, the batch %.0f ms", dir, clip_precision_name (precision),
           (double) (g_get_monotonic_time () - start) / 1000.0, (double) elapsed / 1000.0);
  if (status != CLIP_STATUS_OK)
    return propagate (error, status, message, cancellable);
  /* a run under the clock's microsecond counts as one */
  *images_per_s = CHECK_IMAGES / ((double) MAX (elapsed, 1) / G_USEC_PER_SEC);
  return TRUE;
}

static double
cosine (const float *a,
        const float *b,
        int          dim)
{
  double ab = 0.0, aa = 0.0, bb = 0.0;

  for (int d = 0; d < dim; d++)
    {
      ab += (double) a[d] * b[d];
      aa += (double) a[d] * a[d];
      bb += (double) b[d] * b[d];
    }
  return aa > 0.0 && bb > 0.0 ? ab / sqrt (aa * bb) : (aa == bb ? 1.0 : 0.0);
}

/* The kernel table, and whether the engine smooths int8 outliers. */
static char *
kernels_field (void)
{
  const char *smooth = g_getenv ("CLIP_NO_SMOOTHING");

  return g_strdup_printf ("%s%s", clip_kernels_name (),
                          smooth != NULL && *smooth != '\0' && !g_str_equal (smooth, "0") ? " nosmooth" : "");
}

/* Four lines: the version, "cpu: NAME", "kernels: NAME[ nosmooth]",
 * "model: SIZE MTIME FOLDER" (the folder may hold anything but a newline
 * is unlikely; a folder with one is checked every time, which is only
 * slower). */
char *
cs_clip_check_key (const char *dir,
                   const char *cpu)
{
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *kernels = kernels_field ();
  char cpu_line[CS_CLIP_CPU_NAME_MAX];
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    memset (&st, 0, sizeof st);
  squeeze_name (cpu, cpu_line, sizeof cpu_line);
  return g_strdup_printf ("%s\ncpu: %s\nkernels: %s\nmodel: %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s",
                          CHECK_VERSION, cpu_line, kernels, (gint64) st.st_size, (gint64) st.st_mtime, dir);
}

/* The record: the key's four lines, "chosen: NAME", then a line
 * "tried: NAME COSINE IMAGES_PER_S" a precision tried (the numbers in the
 * C locale: printf's %f would write the locale's decimal comma). */
char *
cs_clip_check_record_format (const char             *key,
                             const CsPrecisionCheck *check)
{
  GString *s = g_string_new (key);

  g_string_append_printf (s, "\nchosen: %s", clip_precision_name (check->precision));
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    {
      char c[G_ASCII_DTOSTR_BUF_SIZE], ips[G_ASCII_DTOSTR_BUF_SIZE];

      if (isnan (check->tested[p]))
        continue;
      g_string_append_printf (s, "\ntried: %s %s %s", clip_precision_name (p),
                              g_ascii_formatd (c, sizeof c, "%.6f", check->tested[p]),
                              isfinite (check->images_per_s[p])
                              ? g_ascii_formatd (ips, sizeof ips, "%.2f", check->images_per_s[p]) : "-");
    }
  return g_string_free (s, FALSE);
}

/* A number of the record, all of `s`; "-" is NAN. */
static gboolean
parse_number (const char *s,
              double     *out)
{
  char *end = NULL;

  if (g_str_equal (s, "-"))
    {
      *out = NAN;
      return TRUE;
    }
  *out = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (*out);
}

gboolean
cs_clip_check_record_parse (const char        *value,
                            char             **key,
                            CsPrecisionCheck  *out)
{
  g_auto(GStrv) lines = value != NULL ? g_strsplit (value, "\n", -1) : NULL;
  CsPrecisionCheck c;
  guint n;

  /* a record of version 1 ("v1 SIZE MTIME KERNELS DIR", "CHOSEN",
   * "NAME=COSINE...") has no speeds: it fails here, so the check runs
   * again and measures them */
  if (lines == NULL || (n = g_strv_length (lines)) < 5 || !g_str_equal (lines[0], CHECK_VERSION)
      || !g_str_has_prefix (lines[1], "cpu: ") || !g_str_has_prefix (lines[2], "kernels: ")
      || !g_str_has_prefix (lines[3], "model: ") || !g_str_has_prefix (lines[4], "chosen: ")
      || !clip_precision_parse (lines[4] + strlen ("chosen: "), &c.precision))
    return FALSE;
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    c.tested[p] = c.images_per_s[p] = NAN;
  for (guint i = 5; i < n; i++)
    {
      g_auto(GStrv) f = g_str_has_prefix (lines[i], "tried: ") ? g_strsplit (lines[i] + strlen ("tried: "), " ", -1)
                                                                : NULL;
      clip_precision p;

      if (f == NULL || g_strv_length (f) != 3 || !clip_precision_parse (f[0], &p)
          || !parse_number (f[1], &c.tested[p]) || !parse_number (f[2], &c.images_per_s[p]))
        return FALSE;
    }
  c.cosine = c.precision == CLIP_PRECISION_F32 ? 1.0 : c.tested[c.precision];
  g_strlcpy (c.cpu, lines[1] + strlen ("cpu: "), sizeof c.cpu);
  g_strlcpy (c.kernels, lines[2] + strlen ("kernels: "), sizeof c.kernels);
  *out = c;
  if (key != NULL)
    *key = g_strjoin ("\n", lines[0], lines[1], lines[2], lines[3], NULL);
  return TRUE;
}

gboolean
cs_clip_precision_check_read (CsStore          *store,
                              CsPrecisionCheck *out)
{
  g_autofree char *value = cs_store_dup_setting (store, CS_STORE_SETTING_PRECISION_CHECK, NULL);

  return cs_clip_check_record_parse (value, NULL, out);
}

gboolean
cs_clip_check_precision (const char        *dir,
                         CsStore           *store,
                         CsPrecisionCheck  *out,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autofree char *key = cs_clip_check_key (dir, cs_clip_cpu_name ());
  g_autofree char *kernels = kernels_field ();
  g_autofree float *img32 = NULL, *img = NULL;
  g_autoptr(GString) figures = NULL;
  gint64 t0;
  int dim = 0;

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    out->tested[p] = out->images_per_s[p] = NAN;
  out->precision = CLIP_PRECISION_F32;
  out->cosine = 1.0;
  g_strlcpy (out->cpu, cs_clip_cpu_name (), sizeof out->cpu);
  g_strlcpy (out->kernels, kernels, sizeof out->kernels);
  if (cs_clip_precision_is_forced ())
    {
      out->precision = cs_clip_indexing_precision ();
      out->cosine = NAN;
      return TRUE;
    }
  if (store != NULL)
    {
      g_autofree char *value = cs_store_dup_setting (store, CS_STORE_SETTING_PRECISION_CHECK, NULL);
      g_autofree char *old_key = NULL;
      CsPrecisionCheck old;

      if (cs_clip_check_record_parse (value, &old_key, &old) && g_str_equal (old_key, key))
        {
          *out = old;
          return TRUE;
        }
    }

  t0 = g_get_monotonic_time ();
  /* float32 first: it is the reference the others are compared with */
  {
    g_autoptr(GError) local = NULL;

    if (!check_measure (dir, CLIP_PRECISION_F32, &img32, &dim, &out->images_per_s[CLIP_PRECISION_F32],
                        cancellable, &local))
      {
        if (!g_error_matches (local, CS_CLIP_ERROR, CLIP_STATUS_NOT_FINITE))
          {
            g_propagate_error (error, g_steal_pointer (&local));
            return FALSE;
          }
        /* float32 itself overflows on the check set: there is nothing to
         * compare with, so index in float32, where each photo whose
         * embedding overflows fails on its own */
        g_message ("%s: float32 overflows on the check set; indexing in float32", dir);
        out->tested[CLIP_PRECISION_F32] = -1.0;
        out->images_per_s[CLIP_PRECISION_F32] = NAN;
      }
    else
      out->tested[CLIP_PRECISION_F32] = 1.0;
  }
  for (int i = 0; i < CLIP_N_PRECISIONS && out->tested[CLIP_PRECISION_F32] == 1.0; i++)
    {
      clip_precision p = (clip_precision) i;
      g_autoptr(GError) local = NULL;
      double worst = 1.0;

      /* whichever the kernel tables make fast: none is assumed */
      if (p == CLIP_PRECISION_F32 || !clip_precision_is_fast (p))
        continue;
      if (!check_measure (dir, p, &img, &dim, &out->images_per_s[p], cancellable, &local))
        {
          /* this precision overflows: it fails the check, as the worst
           * cosine there is */
          if (!g_error_matches (local, CS_CLIP_ERROR, CLIP_STATUS_NOT_FINITE))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          out->tested[p] = -1.0;
          out->images_per_s[p] = NAN;
          continue;
        }
      for (int b = 0; b < CHECK_IMAGES; b++)
        worst = MIN (worst, cosine (img + (gsize) b * dim, img32 + (gsize) b * dim, dim));
      /* a NAN (which MIN would drop) fails as an overflow does */
      out->tested[p] = isnan (worst) ? -1.0 : worst;
    }

  out->precision = cs_clip_precision_choose (out->tested, out->images_per_s);
  out->cosine = out->precision == CLIP_PRECISION_F32 ? 1.0 : out->tested[out->precision];
  figures = g_string_new (NULL);
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (!isnan (out->tested[p]))
      g_string_append_printf (figures, "%s%s %.1f images/s cosine %.4f", figures->len ? ", " : "",
                              clip_precision_name (p), out->images_per_s[p], out->tested[p]);
  g_debug ("%s: precision check on %s (%s): %s chosen (%s) in %.0f ms", dir, out->cpu, out->kernels,
           clip_precision_name (out->precision), figures->str,
           (double) (g_get_monotonic_time () - t0) / 1000.0);
  if (store != NULL)
    {
      g_autofree char *value = cs_clip_check_record_format (key, out);

      /* a cache: failing to keep it only means checking again */
      cs_store_set_setting (store, CS_STORE_SETTING_PRECISION_CHECK, value, NULL);
    }
  return TRUE;
}

clip_precision
cs_clip_image_precision (CsStore    *store,
                         const char *dir)
{
  g_autofree char *value = NULL;
  g_autofree char *key = NULL;
  g_autofree char *old_key = NULL;
  g_autofree char *canon = NULL;
  CsPrecisionCheck check;

  if (cs_clip_precision_is_forced () || store == NULL)
    return cs_clip_indexing_precision ();
  /* only this model's check on this CPU: another model's (or these
   * weights' before they changed) says nothing about how this one was
   * indexed */
  value = cs_store_dup_setting (store, CS_STORE_SETTING_PRECISION_CHECK, NULL);
  /* the indexer checks its model folder canonicalised */
  canon = g_canonicalize_filename (dir, NULL);
  key = cs_clip_check_key (canon, cs_clip_cpu_name ());
  if (cs_clip_check_record_parse (value, &old_key, &check) && g_str_equal (old_key, key))
    return check.precision;
  return cs_clip_indexing_precision ();
}

static void
check_read_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr(CsStore) store = cs_store_open (task_data, &error);
  CsPrecisionCheck *check;

  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  check = g_new0 (CsPrecisionCheck, 1);
  if (!cs_clip_precision_check_read (store, check))
    g_clear_pointer (&check, g_free);
  g_task_return_pointer (task, check, g_free);
}

void
cs_clip_precision_check_read_async (const char          *database_path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_clip_precision_check_read_async);
  g_task_set_task_data (task, g_strdup (database_path), g_free);
  g_task_run_in_thread (task, check_read_thread);
}

gboolean
cs_clip_precision_check_read_finish (GAsyncResult      *result,
                                     CsPrecisionCheck  *out,
                                     GError           **error)
{
  g_autofree CsPrecisionCheck *check = g_task_propagate_pointer (G_TASK (result), error);

  if (check == NULL)
    return FALSE;
  *out = *check;
  return TRUE;
}
