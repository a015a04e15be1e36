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
  const clip_tokenizer *tok = clip_model_get_tokenizer (rt->text.model);
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
    clip_tokenizer_encode (tok, texts[which[j]], -1, ids + (gsize) j * ctxlen, ctxlen);

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
 * The reduced precisions are checked on random and toy weights in the
 * tests; a user's model may be harder (trained ViTs have activation
 * outliers, which int8 handles only through the smoothing of clip-pack.c).
 * So before a model is first indexed in a reduced precision, a fixed set
 * of four synthetic images (gradients, a disc, stripes, a checkerboard,
 * made here) and four short texts is embedded in float32 and in that
 * precision, a tower at a time (so that at most one tower's weights are
 * held at once), and the precision is used only when its worst cosine to
 * float32 reaches CS_CLIP_CHECK_FLOOR; otherwise the next one the CPU has
 * instructions for is tried (int8, then bf16), and float32 is the last.
 * The outcome is kept in the store's setting "precision-check". */

#define CHECK_VERSION  "v1"
#define CHECK_IMAGES   4
#define CHECK_W        240
#define CHECK_H        200

static const char *const check_texts[] = {
  "a photo of a dog", "a red car parked on a street at night",
  "sunset over the sea", "two children playing football in a park",
};

gboolean
cs_clip_precision_is_forced (void)
{
  const char *forced = g_getenv ("CLIPSIGHT_PRECISION");
  clip_precision p;

  return forced != NULL && *forced != '\0' && clip_precision_parse (forced, &p);
}

/* Image b of the check set, RGB8 CHECK_W x CHECK_H. */
static void
check_image (int     b,
             guint8 *rgb)
{
  for (int y = 0; y < CHECK_H; y++)
    for (int x = 0; x < CHECK_W; x++)
      {
        guint8 *p = rgb + ((gsize) y * CHECK_W + x) * 3;
        int r, g, bl;

        switch (b)
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
        p[0] = (guint8) r;
        p[1] = (guint8) g;
        p[2] = (guint8) bl;
      }
}

/* The check set's embeddings in `precision`: CHECK_IMAGES images into
 * *img, the texts into *txt (dim floats each; allocated here if NULL). */
static gboolean
check_embed (const char      *dir,
             clip_precision   precision,
             float          **img,
             float          **txt,
             int             *dim,
             clip_dtype      *file_dtype,
             GCancellable    *cancellable,
             GError         **error)
{
  for (int t = 0; t < 2; t++)
    {
      clip_model *model = NULL;
      clip_ctx *ctx = NULL;
      clip_params params = clip_params_default ();
      Ctx abort_data = { NULL, cancellable };
      char *message = NULL;
      clip_status status;

      status = clip_model_load_for (dir, precision, t == 0 ? CLIP_TOWER_VISION : CLIP_TOWER_TEXT,
                                    &model, &message);
      if (status == CLIP_STATUS_OK)
        {
          *dim = clip_model_get_info (model)->embed_dim;
          *file_dtype = clip_model_get_info (model)->dtype;
          if (*img == NULL)
            *img = g_new (float, (gsize) CHECK_IMAGES * *dim);
          if (*txt == NULL)
            *txt = g_new (float, G_N_ELEMENTS (check_texts) * *dim);
          params.precision = precision;
          params.abort_cb = abort_cb;
          params.abort_data = &abort_data;
          status = clip_ctx_new (model, &params, &ctx, &message);
        }
      if (status == CLIP_STATUS_OK && t == 0)
        {
          size_t nf = clip_model_image_floats (model);
          g_autofree float *pix = g_new (float, nf * CHECK_IMAGES);
          g_autofree guint8 *rgb = g_new (guint8, (gsize) CHECK_W * CHECK_H * 3);

          for (int b = 0; b < CHECK_IMAGES && status == CLIP_STATUS_OK; b++)
            {
              clip_image image = { rgb, CHECK_W, CHECK_H, CHECK_W * 3, CLIP_PIXELS_RGB8, 0 };

              check_image (b, rgb);
              status = clip_preprocess (clip_model_get_preprocess (model), &image, pix + nf * b, &message);
            }
          if (status == CLIP_STATUS_OK)
            status = clip_encode_images (ctx, pix, CHECK_IMAGES, *img, &message);
        }
      else if (status == CLIP_STATUS_OK)
        {
          const clip_tokenizer *tok = clip_model_get_tokenizer (model);
          int ctxlen = clip_model_get_info (model)->context_length;
          g_autofree int32_t *ids = g_new0 (int32_t, (gsize) ctxlen * G_N_ELEMENTS (check_texts));

          for (guint i = 0; i < G_N_ELEMENTS (check_texts); i++)
            clip_tokenizer_encode (tok, check_texts[i], -1, ids + (gsize) i * ctxlen, ctxlen);
          status = clip_encode_texts (ctx, ids, G_N_ELEMENTS (check_texts), *txt, &message);
        }
      clip_ctx_free (ctx);
      clip_model_free (model);
      if (status != CLIP_STATUS_OK)
        return propagate (error, status, message, cancellable);
    }
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

/* What the outcome depends on: the model's folder and weights file, the
 * kernel table, and whether the engine smooths int8 outliers. */
static char *
check_key (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  const char *smooth = g_getenv ("CLIP_NO_SMOOTHING");
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    memset (&st, 0, sizeof st);
  return g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s%s %s", CHECK_VERSION,
                          (gint64) st.st_size, (gint64) st.st_mtime, clip_kernels_name (),
                          smooth != NULL && *smooth != '\0' && !g_str_equal (smooth, "0") ? " nosmooth" : "",
                          dir);
}

/* The setting: "KEY\nCHOSEN\nNAME=COSINE NAME=COSINE..." (KEY ends with
 * the folder, which may hold anything but a newline is unlikely; a
 * folder with one is checked every time, which is only slower). */
static gboolean
check_parse (const char       *value,
             char            **key,
             CsPrecisionCheck *out)
{
  g_auto(GStrv) lines = value != NULL ? g_strsplit (value, "\n", -1) : NULL;
  g_auto(GStrv) pairs = NULL;

  if (lines == NULL || g_strv_length (lines) != 3 || !clip_precision_parse (lines[1], &out->precision))
    return FALSE;
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    out->tested[p] = NAN;
  pairs = g_strsplit (lines[2], " ", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (pairs[i], (gsize) (eq - pairs[i])) : NULL;
      clip_precision p;

      if (name != NULL && clip_precision_parse (name, &p))
        out->tested[p] = g_ascii_strtod (eq + 1, NULL);
    }
  out->cosine = out->precision == CLIP_PRECISION_F32 ? 1.0 : out->tested[out->precision];
  if (key != NULL)
    *key = g_strdup (lines[0]);
  return TRUE;
}

gboolean
cs_clip_precision_check_read (CsStore          *store,
                              CsPrecisionCheck *out)
{
  g_autofree char *value = cs_store_dup_setting (store, CS_STORE_SETTING_PRECISION_CHECK, NULL);

  return check_parse (value, NULL, out);
}

gboolean
cs_clip_check_precision (const char        *dir,
                         CsStore           *store,
                         CsPrecisionCheck  *out,
                         GCancellable      *cancellable,
                         GError           **error)
{
  /* f16 is not among them: where it is "fast" (F16C) it still encodes
   * slower than f32 (docs/performance.md: 43 against 45 images/s), so
   * the indexer never picks it */
  static const clip_precision order[] = { CLIP_PRECISION_INT8, CLIP_PRECISION_BF16 };
  g_autofree char *key = check_key (dir);
  g_autofree float *img32 = NULL, *txt32 = NULL, *img = NULL, *txt = NULL;
  g_autoptr(GString) record = NULL;
  gint64 t0;
  int dim = 0;
  clip_dtype file_dtype = CLIP_DTYPE_F32;

  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    out->tested[p] = NAN;
  out->precision = CLIP_PRECISION_F32;
  out->cosine = 1.0;
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

      if (check_parse (value, &old_key, &old) && g_str_equal (old_key, key))
        {
          *out = old;
          return TRUE;
        }
    }

  record = g_string_new (NULL);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      clip_precision p = order[i];
      double worst = 1.0;

      if (!clip_precision_is_fast (p))
        continue;
      {
        g_autoptr(GError) local = NULL;

        if (!check_embed (dir, p, &img, &txt, &dim, &file_dtype, cancellable, &local))
          {
            /* this precision overflows: it fails the check, as the worst
             * cosine there is (unless float32 overflows too, below) */
            if (!g_error_matches (local, CS_CLIP_ERROR, CLIP_STATUS_NOT_FINITE))
              {
                g_propagate_error (error, g_steal_pointer (&local));
                return FALSE;
              }
            worst = -1.0;
          }
      }
      if (img32 == NULL)
        {
          g_autoptr(GError) local = NULL;
          /* The reference is float32 arithmetic on the file's weights.
           * Where the file holds halves, the f16 precision is exactly that
           * (half weights, float32 activations and sums) in half the
           * memory: a ViT-B/32's vision tower costs 175 MB, not 350. */
          clip_precision ref = file_dtype == CLIP_DTYPE_F16 ? CLIP_PRECISION_F16 : CLIP_PRECISION_F32;

          if (!check_embed (dir, ref, &img32, &txt32, &dim, &file_dtype, cancellable, &local))
            {
              /* float32 itself overflows on the check set: there is
               * nothing to compare with, so index in float32, where each
               * photo whose embedding overflows fails on its own */
              if (g_error_matches (local, CS_CLIP_ERROR, CLIP_STATUS_NOT_FINITE))
                {
                  g_message ("%s: float32 overflows on the check set; indexing in float32", dir);
                  break;
                }
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      for (int b = 0; worst > -1.0 && b < CHECK_IMAGES; b++)
        worst = MIN (worst, cosine (img + (gsize) b * dim, img32 + (gsize) b * dim, dim));
      for (guint b = 0; worst > -1.0 && b < G_N_ELEMENTS (check_texts); b++)
        worst = MIN (worst, cosine (txt + (gsize) b * dim, txt32 + (gsize) b * dim, dim));
      out->tested[p] = worst;
      {
        char num[G_ASCII_DTOSTR_BUF_SIZE];
        /* not printf's %f: the locale's decimal comma would not read back */
        g_string_append_printf (record, "%s%s=%s", record->len ? " " : "", clip_precision_name (p),
                                g_ascii_formatd (num, sizeof num, "%.6f", worst));
      }
      if (worst >= CS_CLIP_CHECK_FLOOR)
        {
          out->precision = p;
          out->cosine = worst;
          break;
        }
      g_message ("%s: %s reaches only cosine %.4f to float32 on the check set; trying the next precision",
                 dir, clip_precision_name (p), worst);
    }

  g_debug ("%s: precision check: %s chosen (%s) in %.0f ms", dir, clip_precision_name (out->precision),
           record->str, (double) (g_get_monotonic_time () - t0) / 1000.0);
  if (store != NULL)
    {
      g_autofree char *value = g_strdup_printf ("%s\n%s\n%s", key, clip_precision_name (out->precision),
                                                record->str);
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
  /* only this model's check: another model's (or these weights' before
   * they changed) says nothing about how this one was indexed */
  value = cs_store_dup_setting (store, CS_STORE_SETTING_PRECISION_CHECK, NULL);
  /* the indexer checks its model folder canonicalised */
  canon = g_canonicalize_filename (dir, NULL);
  key = check_key (canon);
  if (check_parse (value, &old_key, &check) && g_str_equal (old_key, key))
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
