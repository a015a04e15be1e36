/* clip-model.c - loading a Hugging Face CLIPModel directory.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The loader reads the two JSON files, the tokenizer and the safetensors
 * header, checks that they all agree, and hands the encoder float32
 * pointers: F32 tensors straight from the read-only mapping (when aligned
 * and the host is little-endian), F16/BF16 tensors converted once into
 * buffers the model owns.  clip_model_load_for instead hands each linear
 * weight to clip-pack.c as it is converted, keeps no float32 copy of it,
 * returns its file pages, and skips the tower not asked for.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

#include "clip-safetensors.h"

/* --- the tensor layout --------------------------------------------------- */

typedef struct {
  clip_tensor_spec *v;
  size_t            n, cap;
} spec_list;

static void
spec_add (spec_list      *list,
          const float   **dest,
          clip_init_kind  init,
          int             n_dims,
          const uint64_t *shape,
          const char     *prefix,
          const char     *suffix)
{
  clip_tensor_spec *s;

  if (list->n == list->cap)
    {
      list->cap = list->cap ? 2 * list->cap : 64;
      list->v = g_renew (clip_tensor_spec, list->v, list->cap);
    }
  s = &list->v[list->n++];
  memset (s, 0, sizeof *s);
  g_snprintf (s->name, sizeof s->name, "%s%s", prefix, suffix);
  s->n_dims = n_dims;
  s->numel = 1;
  for (int d = 0; d < n_dims; d++)
    {
      s->shape[d] = shape[d];
      s->numel *= shape[d];
    }
  s->init = init;
  s->dest = dest;
}

#define SHAPE(...) ((const uint64_t[]) { __VA_ARGS__ })

static void
add_tower (spec_list             *list,
           const char            *model_prefix,
           const clip_tower_info *t,
           clip_layer_weights    *layers)
{
  const uint64_t w = (uint64_t) t->width, mlp = (uint64_t) t->mlp;

  for (int l = 0; l < t->layers; l++)
    {
      clip_layer_weights *lw = layers != NULL ? &layers[l] : NULL;
      char p[64];

#define DEST(field) (lw != NULL ? &lw->field : NULL)
      g_snprintf (p, sizeof p, "%s.encoder.layers.%d.", model_prefix, l);
      spec_add (list, DEST (ln1_w), CLIP_INIT_NORM_WEIGHT, 1, SHAPE (w), p, "layer_norm1.weight");
      spec_add (list, DEST (ln1_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "layer_norm1.bias");
      spec_add (list, DEST (ln2_w), CLIP_INIT_NORM_WEIGHT, 1, SHAPE (w), p, "layer_norm2.weight");
      spec_add (list, DEST (ln2_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "layer_norm2.bias");
      spec_add (list, DEST (q_w), CLIP_INIT_LINEAR, 2, SHAPE (w, w), p, "self_attn.q_proj.weight");
      spec_add (list, DEST (q_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "self_attn.q_proj.bias");
      spec_add (list, DEST (k_w), CLIP_INIT_LINEAR, 2, SHAPE (w, w), p, "self_attn.k_proj.weight");
      spec_add (list, DEST (k_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "self_attn.k_proj.bias");
      spec_add (list, DEST (v_w), CLIP_INIT_LINEAR, 2, SHAPE (w, w), p, "self_attn.v_proj.weight");
      spec_add (list, DEST (v_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "self_attn.v_proj.bias");
      spec_add (list, DEST (o_w), CLIP_INIT_LINEAR, 2, SHAPE (w, w), p, "self_attn.out_proj.weight");
      spec_add (list, DEST (o_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "self_attn.out_proj.bias");
      spec_add (list, DEST (fc1_w), CLIP_INIT_LINEAR, 2, SHAPE (mlp, w), p, "mlp.fc1.weight");
      spec_add (list, DEST (fc1_b), CLIP_INIT_BIAS, 1, SHAPE (mlp), p, "mlp.fc1.bias");
      spec_add (list, DEST (fc2_w), CLIP_INIT_LINEAR, 2, SHAPE (w, mlp), p, "mlp.fc2.weight");
      spec_add (list, DEST (fc2_b), CLIP_INIT_BIAS, 1, SHAPE (w), p, "mlp.fc2.bias");
#undef DEST
    }
}

static int
compare_spec_names (const void *a,
                    const void *b)
{
  return strcmp (((const clip_tensor_spec *) a)->name, ((const clip_tensor_spec *) b)->name);
}

/* SiglipModel's tensors: the same encoder layers (add_tower), and the
 * family's own ends: a patch convolution with a bias and no class token
 * or pre-layernorm, the attention-pooling head instead of a visual
 * projection, a text head with a bias, logit_bias. */
static void
siglip_specs (spec_list             *list,
              const clip_model_info *info,
              clip_model            *model)
{
  const uint64_t tw = (uint64_t) info->text.width, vw = (uint64_t) info->vision.width;
  const uint64_t embed = (uint64_t) info->embed_dim, p = (uint64_t) info->patch_size;
  const uint64_t grid = (uint64_t) (info->image_size / info->patch_size);
  const uint64_t vm = (uint64_t) info->vision.mlp;
  const bool m = model != NULL;

#define D(field) (m ? &model->field : NULL)
  spec_add (list, NULL, CLIP_INIT_LOGIT_SCALE, 0, NULL, "logit_bias", "");
  spec_add (list, D (token_embedding), CLIP_INIT_EMBEDDING, 2,
            SHAPE ((uint64_t) info->vocab_size, tw), "text_model.embeddings.token_embedding.weight", "");
  spec_add (list, D (text_position), CLIP_INIT_POSITION, 2,
            SHAPE ((uint64_t) info->context_length, tw),
            "text_model.embeddings.position_embedding.weight", "");
  add_tower (list, "text_model", &info->text, m ? model->text.layers : NULL);
  spec_add (list, D (text.final_ln_w), CLIP_INIT_NORM_WEIGHT, 1, SHAPE (tw),
            "text_model.final_layer_norm.weight", "");
  spec_add (list, D (text.final_ln_b), CLIP_INIT_BIAS, 1, SHAPE (tw),
            "text_model.final_layer_norm.bias", "");
  spec_add (list, D (text.proj), CLIP_INIT_LINEAR, 2, SHAPE (embed, tw), "text_model.head.weight", "");
  spec_add (list, D (text_head_b), CLIP_INIT_BIAS, 1, SHAPE (embed), "text_model.head.bias", "");

  spec_add (list, D (patch_embedding), CLIP_INIT_LINEAR, 4,
            SHAPE (vw, (uint64_t) info->num_channels, p, p),
            "vision_model.embeddings.patch_embedding.weight", "");
  spec_add (list, D (patch_bias), CLIP_INIT_BIAS, 1, SHAPE (vw),
            "vision_model.embeddings.patch_embedding.bias", "");
  spec_add (list, D (vision_position), CLIP_INIT_POSITION, 2, SHAPE (grid * grid, vw),
            "vision_model.embeddings.position_embedding.weight", "");
  add_tower (list, "vision_model", &info->vision, m ? model->vision.layers : NULL);
  spec_add (list, D (vision.final_ln_w), CLIP_INIT_NORM_WEIGHT, 1, SHAPE (vw),
            "vision_model.post_layernorm.weight", "");
  spec_add (list, D (vision.final_ln_b), CLIP_INIT_BIAS, 1, SHAPE (vw),
            "vision_model.post_layernorm.bias", "");
  spec_add (list, D (probe), CLIP_INIT_EMBEDDING, 3, SHAPE (1, 1, vw), "vision_model.head.probe", "");
  spec_add (list, D (pool_in_w), CLIP_INIT_LINEAR, 2, SHAPE (3 * vw, vw),
            "vision_model.head.attention.in_proj_weight", "");
  spec_add (list, D (pool_in_b), CLIP_INIT_BIAS, 1, SHAPE (3 * vw),
            "vision_model.head.attention.in_proj_bias", "");
  spec_add (list, D (pool_out_w), CLIP_INIT_LINEAR, 2, SHAPE (vw, vw),
            "vision_model.head.attention.out_proj.weight", "");
  spec_add (list, D (pool_out_b), CLIP_INIT_BIAS, 1, SHAPE (vw),
            "vision_model.head.attention.out_proj.bias", "");
  spec_add (list, D (pool_ln_w), CLIP_INIT_NORM_WEIGHT, 1, SHAPE (vw),
            "vision_model.head.layernorm.weight", "");
  spec_add (list, D (pool_ln_b), CLIP_INIT_BIAS, 1, SHAPE (vw), "vision_model.head.layernorm.bias", "");
  spec_add (list, D (pool_fc1_w), CLIP_INIT_LINEAR, 2, SHAPE (vm, vw), "vision_model.head.mlp.fc1.weight", "");
  spec_add (list, D (pool_fc1_b), CLIP_INIT_BIAS, 1, SHAPE (vm), "vision_model.head.mlp.fc1.bias", "");
  spec_add (list, D (pool_fc2_w), CLIP_INIT_LINEAR, 2, SHAPE (vw, vm), "vision_model.head.mlp.fc2.weight", "");
  spec_add (list, D (pool_fc2_b), CLIP_INIT_BIAS, 1, SHAPE (vw), "vision_model.head.mlp.fc2.bias", "");
#undef D
}

clip_tensor_spec *
clip_model_tensor_specs (const clip_model_info *info,
                         clip_model            *model,
                         size_t                *n_out)
{
  spec_list list = { 0 };
  const uint64_t tw = (uint64_t) info->text.width, vw = (uint64_t) info->vision.width;
  const uint64_t embed = (uint64_t) info->embed_dim, p = (uint64_t) info->patch_size;
  const uint64_t grid = (uint64_t) (info->image_size / info->patch_size);
  const uint64_t channels = (uint64_t) info->num_channels;
  const bool m = model != NULL;

  spec_add (&list, NULL, CLIP_INIT_LOGIT_SCALE, 0, NULL, "logit_scale", "");
  if (info->family != CLIP_FAMILY_CLIP)
    {
      siglip_specs (&list, info, model);
      qsort (list.v, list.n, sizeof *list.v, compare_spec_names);
      *n_out = list.n;
      return list.v;
    }

  spec_add (&list, m ? &model->token_embedding : NULL, CLIP_INIT_EMBEDDING, 2,
            SHAPE ((uint64_t) info->vocab_size, tw),
            "text_model.embeddings.token_embedding.weight", "");
  spec_add (&list, m ? &model->text_position : NULL, CLIP_INIT_POSITION, 2,
            SHAPE ((uint64_t) info->context_length, tw),
            "text_model.embeddings.position_embedding.weight", "");
  add_tower (&list, "text_model", &info->text, m ? model->text.layers : NULL);
  spec_add (&list, m ? &model->text.final_ln_w : NULL, CLIP_INIT_NORM_WEIGHT, 1, SHAPE (tw),
            "text_model.final_layer_norm.weight", "");
  spec_add (&list, m ? &model->text.final_ln_b : NULL, CLIP_INIT_BIAS, 1, SHAPE (tw),
            "text_model.final_layer_norm.bias", "");
  spec_add (&list, m ? &model->text.proj : NULL, CLIP_INIT_LINEAR, 2, SHAPE (embed, tw),
            "text_projection.weight", "");

  spec_add (&list, m ? &model->class_embedding : NULL, CLIP_INIT_EMBEDDING, 1, SHAPE (vw),
            "vision_model.embeddings.class_embedding", "");
  spec_add (&list, m ? &model->patch_embedding : NULL, CLIP_INIT_LINEAR, 4,
            SHAPE (vw, channels, p, p),
            "vision_model.embeddings.patch_embedding.weight", "");
  spec_add (&list, m ? &model->vision_position : NULL, CLIP_INIT_POSITION, 2,
            SHAPE (grid * grid + 1, vw),
            "vision_model.embeddings.position_embedding.weight", "");
  spec_add (&list, m ? &model->pre_ln_w : NULL, CLIP_INIT_NORM_WEIGHT, 1, SHAPE (vw),
            "vision_model.pre_layrnorm.weight", ""); /* sic: transformers' spelling */
  spec_add (&list, m ? &model->pre_ln_b : NULL, CLIP_INIT_BIAS, 1, SHAPE (vw),
            "vision_model.pre_layrnorm.bias", "");
  add_tower (&list, "vision_model", &info->vision, m ? model->vision.layers : NULL);
  spec_add (&list, m ? &model->vision.final_ln_w : NULL, CLIP_INIT_NORM_WEIGHT, 1, SHAPE (vw),
            "vision_model.post_layernorm.weight", "");
  spec_add (&list, m ? &model->vision.final_ln_b : NULL, CLIP_INIT_BIAS, 1, SHAPE (vw),
            "vision_model.post_layernorm.bias", "");
  spec_add (&list, m ? &model->vision.proj : NULL, CLIP_INIT_LINEAR, 2, SHAPE (embed, vw),
            "visual_projection.weight", "");

  qsort (list.v, list.n, sizeof *list.v, compare_spec_names);
  *n_out = list.n;
  return list.v;
}

#undef SHAPE

/* --- loading -------------------------------------------------------------- */

/* What model->mapping points to: everything the loader keeps alive for the
 * encoder's pointers.  Converted tensors live in one arena (also listed as
 * model->buffers[0]), each 64-byte aligned.  On Linux the arena is an
 * anonymous mapping made with MAP_POPULATE: faulting in 600 MB page by page
 * costs seconds on some virtual machines, populating it costs a tenth of
 * that. */
typedef struct {
  clip_st_file *file;         /* NULL when no tensor is used in place */
  void         *arena;
  size_t        arena_bytes;
  bool          arena_mapped; /* mmap()ed, else g_malloc()ed */
} model_storage;

#define ARENA_ALIGN 64

static void
model_storage_free (model_storage *storage)
{
  if (storage == NULL)
    return;
  clip_st_close (storage->file);
#ifdef MAP_POPULATE
  if (storage->arena_mapped)
    munmap (storage->arena, storage->arena_bytes);
  else
#endif
    g_free (storage->arena);
  g_free (storage);
}

void
clip_model_free (clip_model *model)
{
  if (model == NULL)
    return;
  clip_tokenizer_free (model->tokenizer);
  clip_spm_free (model->spm);
  clip_model_pack_drop (model);
  g_free (model->vision.layers);
  g_free (model->text.layers);
  /* buffers[0] is the arena, owned by the storage. */
  g_free (model->buffers);
  model_storage_free (model->mapping);
  g_free (model);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (clip_model, clip_model_free)

const clip_model_info *
clip_model_get_info (const clip_model *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->info;
}

const clip_preprocess_params *
clip_model_get_preprocess (const clip_model *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return &model->preprocess;
}

const clip_tokenizer *
clip_model_get_tokenizer (const clip_model *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->tokenizer;
}

const clip_spm *
clip_model_get_spm (const clip_model *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->spm;
}

int
clip_model_tokenize (const clip_model *model,
                     const char       *text,
                     long              len,
                     int32_t          *ids)
{
  g_return_val_if_fail (model != NULL && ids != NULL, -1);
  switch (model->info.family)
    {
    case CLIP_FAMILY_SIGLIP:
      return clip_spm_encode_siglip (model->spm, text, len, ids, model->info.context_length);
    case CLIP_FAMILY_SIGLIP2:
      return clip_spm_encode_siglip2 (model->spm, text, len, ids, model->info.context_length);
    case CLIP_FAMILY_CLIP:
    default:
      return clip_tokenizer_encode (model->tokenizer, text, len, ids, model->info.context_length);
    }
}

size_t
clip_model_image_floats (const clip_model *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return (size_t) model->info.num_channels * (size_t) model->info.image_size
         * (size_t) model->info.image_size;
}

static void
format_dims (GString        *s,
             int             n_dims,
             const uint64_t *shape)
{
  g_string_append_c (s, '[');
  for (int d = 0; d < n_dims; d++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, d ? ", " : "", shape[d]);
  g_string_append_c (s, ']');
}

static bool
shape_matches (const clip_st_tensor   *t,
               const clip_tensor_spec *spec)
{
  if (spec->init == CLIP_INIT_LOGIT_SCALE)
    /* A 0-dimensional tensor in transformers' files; some exporters
     * write it as [1]. */
    return t->n_dims == 0 || (t->n_dims == 1 && t->shape[0] == 1);
  if (t->n_dims != spec->n_dims)
    return false;
  for (int d = 0; d < t->n_dims; d++)
    if (t->shape[d] != spec->shape[d])
      return false;
  return true;
}

/* Whether the encoder can use `t`'s bytes in place. */
static bool
usable_in_place (const clip_st_tensor *t)
{
  return t->dtype == CLIP_ST_F32 && G_BYTE_ORDER == G_LITTLE_ENDIAN
         && ((uintptr_t) t->data % G_ALIGNOF (float)) == 0;
}

static void
convert_tensor (const clip_st_tensor *t,
                const float          *f16_table,
                float                *out)
{
  const uint8_t *src = t->data;

  switch (t->dtype)
    {
    case CLIP_ST_F32: /* unaligned, or a big-endian host */
      for (size_t i = 0; i < t->numel; i++)
        {
          uint32_t bits = (uint32_t) src[4 * i] | (uint32_t) src[4 * i + 1] << 8
                          | (uint32_t) src[4 * i + 2] << 16 | (uint32_t) src[4 * i + 3] << 24;
          memcpy (&out[i], &bits, sizeof bits);
        }
      break;
    case CLIP_ST_F16:
      /* A table makes this a memory-bound gather. */
      for (size_t i = 0; i < t->numel; i++)
        out[i] = f16_table[src[2 * i] | src[2 * i + 1] << 8];
      break;
    case CLIP_ST_BF16:
      for (size_t i = 0; i < t->numel; i++)
        out[i] = clip_bf16_to_f32 ((uint16_t) (src[2 * i] | src[2 * i + 1] << 8));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The index of the first NaN or infinity in `t`'s bytes (an exponent of
 * all ones, in any of the three float formats), or -1.  It runs on every
 * tensor at every load, so the common case (none) reads 8 bytes a step
 * and tests four halves or two floats at once: a lane's exponent is all
 * ones exactly when adding its lowest exponent bit carries into the lane's
 * sign bit (cleared first, so nothing carries into the next lane). */
static int64_t
first_non_finite_in (clip_st_dtype  dtype,
                     const uint8_t *data,
                     size_t         numel)
{
  const uint8_t *src = data;
  size_t size = clip_st_dtype_size (dtype), n = numel * size;
  uint64_t exp, low, sign, any = 0;
  size_t i;

  switch (dtype)
    {
    case CLIP_ST_F32:
      exp = UINT64_C (0x7f8000007f800000);
      low = UINT64_C (0x0080000000800000);
      sign = UINT64_C (0x8000000080000000);
      break;
    case CLIP_ST_F16:
      exp = UINT64_C (0x7c007c007c007c00);
      low = UINT64_C (0x0400040004000400);
      sign = UINT64_C (0x8000800080008000);
      break;
    case CLIP_ST_BF16:
      exp = UINT64_C (0x7f807f807f807f80);
      low = UINT64_C (0x0080008000800080);
      sign = UINT64_C (0x8000800080008000);
      break;
    default:
      return -1;
    }
  /* little-endian data: on a big-endian host the lanes are byte-swapped
   * words, so fall back to the element loop below */
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      for (i = 0; i + 32 <= n; i += 32)
        {
          uint64_t w[4];

          memcpy (w, src + i, sizeof w);
          any |= ((w[0] & exp) + low) | ((w[1] & exp) + low)
                 | ((w[2] & exp) + low) | ((w[3] & exp) + low);
        }
      if ((any & sign) == 0)
        src += i, n -= i;
      else
        i = 0; /* find it below */
    }
  for (size_t e = 0; e < n / size; e++)
    {
      const uint8_t *b = src + e * size;
      gboolean bad;

      if (size == 4)
        bad = ((uint32_t) b[2] >> 7 | (uint32_t) (b[3] & 0x7f) << 1) == 0xff;
      else if (dtype == CLIP_ST_F16)
        bad = (b[1] & 0x7c) == 0x7c;
      else
        bad = ((uint32_t) b[0] >> 7 | (uint32_t) (b[1] & 0x7f) << 1) == 0xff;
      if (bad)
        return (int64_t) ((src - data) / size + e);
    }
  return -1;
}

/* Bytes first_non_finite reads between releases: a multiple of every
 * element size and of the 32 bytes a step. */
#define SCAN_CHUNK ((size_t) 4 << 20)

/* first_non_finite_in over all of `t`, a chunk at a time; with `release`,
 * each chunk's file pages are given back once read.  The check reads every
 * byte of the file, the unused tower's too, and a SigLIP 2 token table is
 * 393 MB in BF16 (786 MB in F32): read whole, it would be resident all at
 * once, the peak of the load.  Released, it stays in the page cache only,
 * and what the encoder uses comes back on demand: a tensor read in place
 * faults its pages in again from the page cache when first used (minor
 * faults, about 0.1 s for a whole ViT-B), and the linear weights a pack
 * takes are never read again (clip_model_release_in_place). */
static int64_t
first_non_finite (const clip_st_tensor *t,
                  bool                  release)
{
  size_t size = clip_st_dtype_size (t->dtype), per_chunk = SCAN_CHUNK / MAX (size, 1);

  for (size_t e0 = 0; e0 < (size_t) t->numel; e0 += per_chunk)
    {
      size_t ne = MIN (per_chunk, (size_t) t->numel - e0);
      const uint8_t *chunk = t->data + e0 * size;
      int64_t bad = first_non_finite_in (t->dtype, chunk, ne);

      if (bad >= 0)
        return (int64_t) e0 + bad;
      if (release)
        clip_release_pages (chunk, ne * size);
    }
  return -1;
}

static void *
arena_alloc (size_t  bytes,
             bool   *mapped)
{
  *mapped = false;
#ifdef MAP_POPULATE
  {
    void *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

    if (p != MAP_FAILED)
      {
        *mapped = true;
        return p;
      }
  }
#endif
  /* g_malloc's alignment (16) would do for the encoder; 64 is a bonus
   * only the mmap path gives. */
  return g_try_malloc (bytes);
}

static clip_status
check_file (const char *path,
            char      **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", path,
                             saved == ENOENT ? "No such file" : g_strerror (saved));
    }
  if (!S_ISREG (st.st_mode))
    return clip_set_error (error, CLIP_STATUS_IO, "%s: not a regular file", path);
  return CLIP_STATUS_OK;
}

static clip_dtype
to_clip_dtype (clip_st_dtype dtype)
{
  switch (dtype)
    {
    case CLIP_ST_F16: return CLIP_DTYPE_F16;
    case CLIP_ST_BF16: return CLIP_DTYPE_BF16;
    default: return CLIP_DTYPE_F32;
    }
}

/* Whether a tensor belongs to a tower clip_model_load_for left out. */
static bool
skip_tensor (const clip_model       *model,
             const clip_tensor_spec *spec)
{
  unsigned tower = clip_tensor_tower (spec->name);

  return tower != 0 && (model->towers & tower) == 0;
}

/* A SigLIP token embedding in F16/BF16 stays in the mapped file: real
 * SigLIP 2's has 256 k rows, and a text reads 64 of them. */
static bool
token_table_in_file (const clip_model       *model,
                     const clip_tensor_spec *spec)
{
  return model->info.family != CLIP_FAMILY_CLIP && spec->dest == &model->token_embedding;
}

void
clip_model_token_row (const clip_model *model,
                      int32_t           id,
                      float            *out)
{
  size_t w = (size_t) model->info.text.width;
  const uint8_t *src;

  if (model->token_embedding != NULL)
    {
      memcpy (out, model->token_embedding + (size_t) id * w, w * sizeof (float));
      return;
    }
  src = (const uint8_t *) model->token_file + (size_t) id * w * 2;
  for (size_t i = 0; i < w; i++)
    {
      uint16_t h = (uint16_t) (src[2 * i] | src[2 * i + 1] << 8);

      out[i] = model->token_file_dtype == CLIP_DTYPE_F16 ? clip_f16_to_f32 (h) : clip_bf16_to_f32 (h);
    }
}

void
clip_model_release_in_place (const clip_model *model,
                             const float      *data,
                             size_t            n)
{
  const model_storage *storage = model->mapping;
  const char *p = (const char *) data;

  /* only pages of the file mapping: the arena's would come back zeroed */
  if (storage == NULL || storage->file == NULL || data == NULL
      || (storage->arena != NULL && p >= (const char *) storage->arena
          && p < (const char *) storage->arena + storage->arena_bytes))
    return;
  clip_release_pages (data, n * sizeof (float));
}

void
clip_model_get_memory (const clip_model  *model,
                       clip_model_memory *out)
{
  const model_storage *storage = model->mapping;

  memset (out, 0, sizeof *out);
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (model->packs[p] != NULL)
      out->packed += model->packs[p]->arena_bytes + model->packs[p]->smoothed_bytes;
  out->converted = storage != NULL ? storage->arena_bytes : 0;
  out->in_place = model->in_place_bytes;
  out->token_file = model->token_file_bytes;
}

/* Pass 1: every tensor present, of a supported dtype and of the shape the
 * config says; tensors[i] gets specs[i]'s; the parameter count, the dtype
 * holding most of them and the bytes the float32 arena needs. */
static clip_status
check_tensors (clip_model              *model,
               const clip_st_file      *file,
               const char              *config_path,
               const clip_tensor_spec  *specs,
               size_t                   n_specs,
               const clip_st_tensor   **tensors,
               uint64_t                *arena_bytes,
               char                   **error)
{
  const char *path = clip_st_get_path (file);
  uint64_t by_dtype[3] = { 0 };

  *arena_bytes = 0;
  for (size_t i = 0; i < n_specs; i++)
    {
      const clip_tensor_spec *spec = &specs[i];
      const clip_st_tensor *t = clip_st_find (file, spec->name);

      if (t == NULL)
        return clip_set_error (error, CLIP_STATUS_MISMATCH,
                               "%s: tensor '%s' is missing", path, spec->name);
      if (t->dtype != CLIP_ST_F32 && t->dtype != CLIP_ST_F16 && t->dtype != CLIP_ST_BF16)
        return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                               "%s: tensor '%s' has dtype %s (only F32, F16 and BF16 weights are supported)",
                               path, spec->name, clip_st_dtype_name (t->dtype));
      if (!shape_matches (t, spec))
        {
          g_autoptr(GString) have = g_string_new (NULL);
          g_autoptr(GString) want = g_string_new (NULL);
          g_autofree char *config_name = g_path_get_basename (config_path);

          format_dims (have, t->n_dims, t->shape);
          format_dims (want, spec->n_dims, spec->shape);
          return clip_set_error (error, CLIP_STATUS_MISMATCH,
                                 "%s: tensor '%s' has shape %s, %s says %s",
                                 path, spec->name, have->str, config_name, want->str);
        }
      tensors[i] = t;
      /* Cannot overflow: the header check bounded every tensor by the
       * file's size, and a float is at most twice an F16. */
      if (!usable_in_place (t) && !skip_tensor (model, spec) && !clip_model_pack_wants (model, spec->dest)
          && !token_table_in_file (model, spec))
        *arena_bytes += (t->numel * sizeof (float) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
      model->info.n_params += t->numel;
      by_dtype[to_clip_dtype (t->dtype)] += t->numel;
    }

  /* Files may mix dtypes (an F32 logit_scale beside F16 weights): report
   * the one holding most of the parameters. */
  model->info.dtype = CLIP_DTYPE_F32;
  for (int d = 1; d < 3; d++)
    if (by_dtype[d] > by_dtype[model->info.dtype])
      model->info.dtype = (clip_dtype) d;
  return CLIP_STATUS_OK;
}

/* The model's storage, with an arena of `arena_bytes` for the converted
 * tensors (none for 0). */
static clip_status
make_storage (clip_model     *model,
              const char     *path,
              uint64_t        arena_bytes,
              model_storage **out,
              char          **error)
{
  model_storage *storage = g_new0 (model_storage, 1);

  model->mapping = storage;
  *out = storage;
  if (arena_bytes > 0)
    {
      if (arena_bytes > G_MAXSIZE
          || (storage->arena = arena_alloc ((size_t) arena_bytes, &storage->arena_mapped)) == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY,
                               "%s: out of memory converting the weights to float32 (%" G_GUINT64_FORMAT
                               " bytes)", path, arena_bytes);
      storage->arena_bytes = (size_t) arena_bytes;
      model->buffers = g_new (void *, 1);
      model->buffers[0] = storage->arena;
      model->n_buffers = 1;
    }
  return CLIP_STATUS_OK;
}

/* The F16 -> float32 table, made when the first F16 tensor needs it. */
static const float *
f16_table_for (const clip_st_tensor *t,
               float               **table)
{
  if (t->dtype == CLIP_ST_F16 && *table == NULL)
    {
      *table = g_new (float, 65536);
      for (uint32_t h = 0; h < 65536; h++)
        (*table)[h] = clip_f16_to_f32 ((uint16_t) h);
    }
  return *table;
}

/* A linear weight that clip_model_load_for packs: converted one tensor at
 * a time, packed, its file pages let go. */
static clip_status
pack_tensor (clip_model             *model,
             const clip_tensor_spec *spec,
             const clip_st_tensor   *t,
             const char             *path,
             float                 **f16_table,
             char                  **error)
{
  g_autofree float *tmp = NULL;

  if (!usable_in_place (t))
    {
      const float *table = f16_table_for (t, f16_table);

      if ((tmp = g_try_new (float, t->numel)) == NULL)
        return clip_set_error (error, CLIP_STATUS_NO_MEMORY, "%s: out of memory converting '%s'",
                               path, spec->name);
      convert_tensor (t, table, tmp);
    }
  clip_model_pack_tensor (model, spec->dest, tmp != NULL ? tmp : (const float *) (const void *) t->data);
  clip_release_pages (t->data, (size_t) (t->end - t->begin));
  return CLIP_STATUS_OK;
}

/* logit_scale, once it is float32. */
static clip_status
set_logit_scale (clip_model  *model,
                 const float *data,
                 const char  *path,
                 char       **error)
{
  if (!isfinite (data[0]))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor 'logit_scale' is not a finite number", path);
  /* its exponential scales the label logits: CLIP clamps that
   * to 100 (4.6 here); e^20 leaves any softmax finite */
  if (fabsf (data[0]) > 20.0f)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor 'logit_scale' = %g is implausible (its size must be "
                           "at most 20; CLIP's is ln 100 = 4.6)", path, (double) data[0]);
  model->info.logit_scale = data[0];
  return CLIP_STATUS_OK;
}

/* Pass 2: every tensor checked for non-finite values, then skipped,
 * packed, used in place or converted into the arena, and the model's
 * pointer set.  *in_place tells whether any tensor points into the file. */
static clip_status
place_tensors (clip_model              *model,
               const char              *path,
               const clip_tensor_spec  *specs,
               size_t                   n_specs,
               const clip_st_tensor   **tensors,
               model_storage           *storage,
               bool                    *in_place,
               char                   **error)
{
  g_autofree float *f16_table = NULL;
  uint64_t arena_used = 0;
  clip_status status;

  *in_place = false;
  for (size_t i = 0; i < n_specs; i++)
    {
      const clip_tensor_spec *spec = &specs[i];
      const clip_st_tensor *t = tensors[i];
      const float *data;
      int64_t bad;

      /* Every tensor, the skipped tower's too: a model loads or is refused
       * whatever it is loaded for.  One NaN or infinity would reach every
       * vector. */
      if ((bad = first_non_finite (t, true)) >= 0)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: tensor '%s' has a value that is not a finite number "
                               "(NaN or infinity) at element %" G_GINT64_FORMAT,
                               path, spec->name, bad);
      if (skip_tensor (model, spec))
        {
          clip_release_pages (t->data, (size_t) (t->end - t->begin));
          continue;
        }
      if (clip_model_pack_wants (model, spec->dest))
        {
          if ((status = pack_tensor (model, spec, t, path, &f16_table, error)) != CLIP_STATUS_OK)
            return status;
          continue;
        }
      if (token_table_in_file (model, spec) && usable_in_place (t))
        {
          /* an F32 table is read in place as well, and a row at a time */
          data = (const float *) (const void *) t->data;
          model->token_file_bytes += (size_t) (t->end - t->begin);
          *in_place = true;
        }
      else if (usable_in_place (t))
        {
          data = (const float *) (const void *) t->data;
          model->in_place_bytes += (size_t) (t->end - t->begin);
          *in_place = true;
        }
      else if (token_table_in_file (model, spec))
        {
          model->token_file_bytes += (size_t) (t->end - t->begin);
          model->token_file = t->data;
          model->token_file_dtype = to_clip_dtype (t->dtype);
          *in_place = true;   /* keeps the mapping */
          /* the check above read it all: the rows come back on demand */
          clip_release_pages (t->data, (size_t) (t->end - t->begin));
          continue;
        }
      else
        {
          float *out = (float *) (void *) ((char *) storage->arena + arena_used);

          convert_tensor (t, f16_table_for (t, &f16_table), out);
          clip_release_pages (t->data, (size_t) (t->end - t->begin));
          arena_used += (t->numel * sizeof (float) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
          data = out;
        }

      if (spec->init == CLIP_INIT_LOGIT_SCALE && strcmp (spec->name, "logit_bias") == 0)
        {
          if (!isfinite (data[0]) || fabsf (data[0]) > 1000.0f)
            return clip_set_error (error, CLIP_STATUS_FORMAT,
                                   "%s: tensor 'logit_bias' = %g is not a plausible bias", path,
                                   (double) data[0]);
          model->info.logit_bias = data[0];
        }
      else if (spec->init == CLIP_INIT_LOGIT_SCALE)
        {
          if ((status = set_logit_scale (model, data, path, error)) != CLIP_STATUS_OK)
            return status;
        }
      else
        {
          g_assert (spec->dest != NULL);
          *spec->dest = data;
        }
    }
  return CLIP_STATUS_OK;
}

/* Checks every tensor against the config, then converts what needs it
 * into one arena (or, when packed, the linear weights into the pack).
 * Takes `file` over. */
static clip_status
load_tensors (clip_model    *model,
              clip_st_file  *file_in,
              const char    *config_path,
              gboolean       packed,
              clip_precision precision,
              unsigned       towers,
              char         **error)
{
  g_autoptr(clip_st_file) file = file_in;
  g_autofree clip_tensor_spec *specs = NULL;
  g_autofree const clip_st_tensor **tensors = NULL;
  const char *path = clip_st_get_path (file);
  model_storage *storage;
  uint64_t arena_bytes;
  bool in_place;
  size_t n_specs;
  clip_status status;

  model->vision.layers = g_new0 (clip_layer_weights, model->info.vision.layers);
  model->text.layers = g_new0 (clip_layer_weights, model->info.text.layers);
  specs = clip_model_tensor_specs (&model->info, model, &n_specs);
  tensors = g_new0 (const clip_st_tensor *, n_specs);
  model->towers = towers;
  if (packed && (status = clip_model_pack_begin (model, precision, towers, error)) != CLIP_STATUS_OK)
    return status;

  if ((status = check_tensors (model, file, config_path, specs, n_specs, tensors, &arena_bytes, error))
      || (status = make_storage (model, path, arena_bytes, &storage, error))
      || (status = place_tensors (model, path, specs, n_specs, tensors, storage, &in_place, error)))
    return status;

  if (packed)
    clip_model_pack_end (model);

  /* Once everything is converted the file mapping is dead weight: drop it
   * so that its pages leave the resident set. */
  if (in_place)
    storage->file = g_steal_pointer (&file);
  return CLIP_STATUS_OK;
}

/* A SiglipModel directory's tokenizer and preprocessor: the tokenizer
 * file tells the family (SigLIP 1's spiece.model, SigLIP 2's Gemma
 * tokenizer.model); tokenizer_config.json's class confirms it when it
 * names one. */
static clip_status
load_siglip_files (clip_model *model,
                   const char *dir,
                   char      **error)
{
  g_autofree char *spiece = g_build_filename (dir, "spiece.model", NULL);
  g_autofree char *gemma = g_build_filename (dir, "tokenizer.model", NULL);
  g_autofree char *preprocess_path = g_build_filename (dir, "preprocessor_config.json", NULL);
  const char *tok_path;
  clip_status status;

  if (g_file_test (gemma, G_FILE_TEST_EXISTS))
    {
      model->info.family = CLIP_FAMILY_SIGLIP2;
      tok_path = gemma;
    }
  else if (g_file_test (spiece, G_FILE_TEST_EXISTS))
    {
      model->info.family = CLIP_FAMILY_SIGLIP;
      tok_path = spiece;
    }
  else
    return clip_set_error (error, CLIP_STATUS_IO,
                           "%s: a SigLIP model needs its tokenizer: neither spiece.model (SigLIP) "
                           "nor tokenizer.model (SigLIP 2) is there", dir);
  if ((status = check_file (preprocess_path, error))
      || (status = clip_preprocess_params_load (preprocess_path, &model->preprocess, error)))
    return status;
  if (model->preprocess.crop_height != model->info.image_size
      || model->preprocess.crop_width != model->info.image_size)
    return clip_set_error (error, CLIP_STATUS_MISMATCH,
                           "%s: size %dx%d differs from config.json's vision_config.image_size %d",
                           preprocess_path, model->preprocess.crop_width,
                           model->preprocess.crop_height, model->info.image_size);
  if ((status = clip_spm_load (tok_path, &model->spm, error)))
    return status;
  if (clip_spm_vocab_size (model->spm) > model->info.vocab_size)
    return clip_set_error (error, CLIP_STATUS_MISMATCH,
                           "%s: %d pieces do not fit config.json's text_config.vocab_size %d",
                           tok_path, clip_spm_vocab_size (model->spm), model->info.vocab_size);
  if (clip_spm_eos_id (model->spm) < 0
      || (model->info.family == CLIP_FAMILY_SIGLIP2 && clip_spm_pad_id (model->spm) < 0))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the model has no end-of-text%s piece", tok_path,
                           model->info.family == CLIP_FAMILY_SIGLIP2 ? " or padding" : "");
  return CLIP_STATUS_OK;
}

static clip_status
load_model (const char    *dir,
            gboolean       packed,
            clip_precision precision,
            unsigned       towers,
            clip_model   **out,
            char         **error)
{
  g_autoptr(clip_model) model = NULL;
  g_autoptr(clip_st_file) file = NULL;
  g_autofree char *config_path = NULL, *weights_path = NULL, *vocab_path = NULL;
  g_autofree char *merges_path = NULL, *preprocess_path = NULL;
  clip_status status;
  int32_t n_vocab;

  g_return_val_if_fail (dir != NULL && out != NULL, CLIP_STATUS_INVALID_ARGUMENT);

  config_path = g_build_filename (dir, "config.json", NULL);
  weights_path = g_build_filename (dir, "model.safetensors", NULL);
  if ((status = check_file (config_path, error)))
    return status;
  model = g_new0 (clip_model, 1);
  if ((status = clip_config_load (config_path, &model->info, error)))
    return status;
  if (model->info.family != CLIP_FAMILY_CLIP)
    {
      if ((status = load_siglip_files (model, dir, error)))
        return status;
      goto weights;
    }

  vocab_path = g_build_filename (dir, "vocab.json", NULL);
  merges_path = g_build_filename (dir, "merges.txt", NULL);
  preprocess_path = g_build_filename (dir, "preprocessor_config.json", NULL);
  {
    const char *all[] = { config_path, weights_path, vocab_path, merges_path, preprocess_path };

    for (size_t i = 0; i < G_N_ELEMENTS (all); i++)
      if ((status = check_file (all[i], error)) != CLIP_STATUS_OK)
        return status;
  }

  if ((status = clip_preprocess_params_load (preprocess_path, &model->preprocess, error)))
    return status;
  if (model->preprocess.crop_height != model->info.image_size
      || model->preprocess.crop_width != model->info.image_size)
    return clip_set_error (error, CLIP_STATUS_MISMATCH,
                           "%s: crop_size %dx%d differs from config.json's vision_config.image_size %d",
                           preprocess_path, model->preprocess.crop_width,
                           model->preprocess.crop_height, model->info.image_size);

  if ((status = clip_tokenizer_load (vocab_path, merges_path, &model->tokenizer, error)))
    return status;
  /* Every id the tokenizer can produce must have a row in the token
   * embedding, whose row count is text_config.vocab_size. */
  n_vocab = clip_tokenizer_vocab_size (model->tokenizer);
  if (n_vocab > model->info.vocab_size
      || clip_tokenizer_sot_id (model->tokenizer) >= model->info.vocab_size
      || clip_tokenizer_eot_id (model->tokenizer) >= model->info.vocab_size)
    return clip_set_error (error, CLIP_STATUS_MISMATCH,
                           "%s: %d entries (end of text %d) do not fit config.json's "
                           "text_config.vocab_size %d",
                           vocab_path, n_vocab, clip_tokenizer_eot_id (model->tokenizer),
                           model->info.vocab_size);
  /* vocab.json's ids run from 0 to its entry count - 1 (the tokenizer
   * refuses gaps), so every id has a row */

weights:
  if ((status = check_file (weights_path, error))
      || (status = clip_st_open (weights_path, &file, error))
      || (status = load_tensors (model, g_steal_pointer (&file), config_path, packed, precision,
                                 towers, error)))
    return status;

  *out = g_steal_pointer (&model);
  return CLIP_STATUS_OK;
}

clip_status
clip_model_load (const char  *dir,
                 clip_model **out,
                 char       **error)
{
  return load_model (dir, FALSE, CLIP_PRECISION_F32, CLIP_TOWERS_ALL, out, error);
}

clip_status
clip_model_load_for (const char     *dir,
                     clip_precision  precision,
                     unsigned        towers,
                     clip_model    **out,
                     char          **error)
{
  if ((unsigned) precision >= CLIP_N_PRECISIONS || towers == 0 || (towers & ~(unsigned) CLIP_TOWERS_ALL))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "clip_model_load_for: precision %d, towers %u", (int) precision, towers);
  return load_model (dir, TRUE, precision, towers, out, error);
}
