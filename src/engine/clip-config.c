/* clip-config.c - config.json and preprocessor_config.json.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads the two JSON files of a Hugging Face CLIPModel directory the way
 * transformers' CLIPConfig and CLIPImageProcessor do, including their
 * defaults for absent keys and the layouts older files use, and refuses
 * anything the engine could not run faithfully.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip-safetensors.h"

/* Config files are a few kilobytes; refuse to slurp a mislabelled blob. */
#define MAX_CONFIG_BYTES (16 * 1024 * 1024)

/* Upper bounds far above any real CLIP, low enough that every size product
 * the engine computes stays far from overflow. */
#define MAX_WIDTH      65536
#define MAX_MLP        (4 * 65536)
#define MAX_LAYERS     1024
#define MAX_CONTEXT    65536
#define MAX_VOCAB      (1 << 24)
#define MAX_IMAGE      8192
#define MAX_PIXELS     16384

/* Bounds on the numbers, far outside any real model's, inside which no
 * normalised pixel or layer norm can overflow float32: a pixel normalises
 * to at most (255 rescale_factor + |mean|) / std = 1.1e8, whose square
 * summed over any width stays finite. */
#define MAX_EPS        1.0
#define MAX_MEAN       1e4
#define MIN_STD        1e-4
#define MAX_STD        1e4

static clip_status
load_json (const char  *path,
           JsonParser **out,
           char       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) gerror = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", path, g_strerror (saved));
    }
  if (st.st_size > MAX_CONFIG_BYTES)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %lld bytes is implausibly large for a configuration file",
                           path, (long long) st.st_size);
  if (!g_file_get_contents (path, &text, &len, &gerror))
    return clip_set_error (error, CLIP_STATUS_IO, "%s: cannot read the file: %s",
                           path, gerror->message);
  if (!json_parser_load_from_data (parser, text, (gssize) len, &gerror))
    return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: not valid JSON: %s",
                           path, gerror->message);
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: not a JSON object", path);
  *out = g_steal_pointer (&parser);
  return CLIP_STATUS_OK;
}

/* The member `key` of `obj` (NULL-safe), NULL when absent. */
static JsonNode *
member (JsonObject *obj,
        const char *key)
{
  return obj != NULL ? json_object_get_member (obj, key) : NULL;
}

static bool
node_is_int (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static bool
node_is_number (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_INT64
             || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* A positive integer member, or `fallback` when absent.  `section` is the
 * prefix for messages ("vision_config"), NULL at top level. */
static clip_status
get_positive_int (const char *path,
                  JsonObject *obj,
                  const char *section,
                  const char *key,
                  int         fallback,
                  int        *out,
                  char      **error)
{
  JsonNode *node = member (obj, key);
  gint64 v;

  if (node == NULL)
    {
      *out = fallback;
      return CLIP_STATUS_OK;
    }
  if (!node_is_int (node) || (v = json_node_get_int (node)) <= 0 || v > G_MAXINT)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s%s%s must be a positive integer",
                           path, section ? section : "", section ? "." : "", key);
  *out = (int) v;
  return CLIP_STATUS_OK;
}

static clip_status
get_positive_float (const char *path,
                    JsonObject *obj,
                    const char *section,
                    const char *key,
                    float       fallback,
                    float      *out,
                    char      **error)
{
  JsonNode *node = member (obj, key);
  double v;

  if (node == NULL)
    {
      *out = fallback;
      return CLIP_STATUS_OK;
    }
  if (!node_is_number (node) || !isfinite (v = json_node_get_double (node))
      || v <= 0.0 || (float) v <= 0.0f)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s%s%s must be a positive number",
                           path, section ? section : "", section ? "." : "", key);
  *out = (float) v;
  return CLIP_STATUS_OK;
}

static clip_status
get_activation (const char      *path,
                JsonObject      *obj,
                const char      *section,
                clip_activation *out,
                char           **error)
{
  JsonNode *node = member (obj, "hidden_act");
  const char *name;

  if (node == NULL)
    {
      *out = CLIP_ACT_QUICK_GELU; /* CLIPTextConfig's and CLIPVisionConfig's default */
      return CLIP_STATUS_OK;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s.hidden_act must be a string", path, section);
  name = json_node_get_string (node);
  /* "gelu" is transformers' exact erf GELU; "gelu_new", "gelu_fast" and
   * "gelu_pytorch_tanh" are the same tanh approximation (SigLIP's);
   * anything else is refused rather than silently computed with the
   * wrong curve. */
  if (strcmp (name, "quick_gelu") == 0)
    *out = CLIP_ACT_QUICK_GELU;
  else if (strcmp (name, "gelu_pytorch_tanh") == 0 || strcmp (name, "gelu_new") == 0
           || strcmp (name, "gelu_fast") == 0)
    *out = CLIP_ACT_GELU_TANH;   /* all three are 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))) */
  else if (strcmp (name, "gelu") == 0)
    *out = CLIP_ACT_GELU;
  else
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "%s: %s.hidden_act '%s' is not supported (quick_gelu, gelu and gelu_pytorch_tanh are)",
                           path, section, name);
  return CLIP_STATUS_OK;
}

/* The object holding one tower's settings.  transformers lets an old
 * `text_config_dict` / `vision_config_dict` replace `text_config` /
 * `vision_config` entirely (CLIPConfig.__init__ rebuilds the config from
 * the _dict, defaults included), so the _dict wins when both exist.
 * Absent or null: NULL, every key takes its default. */
static const char *
dict_name_of (const char *name)
{
  return strcmp (name, "text_config") == 0 ? "text_config_dict" : "vision_config_dict";
}

static clip_status
get_section (const char  *path,
             JsonObject  *root,
             const char  *name,
             JsonObject **out,
             const char **out_name,
             char       **error)
{
  const char *candidates[2] = { dict_name_of (name), name };

  *out = NULL;
  *out_name = name;
  for (int i = 0; i < 2; i++)
    {
      JsonNode *node = member (root, candidates[i]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: %s must be an object",
                               path, candidates[i]);
      *out = json_node_get_object (node);
      *out_name = candidates[i];
      return CLIP_STATUS_OK;
    }
  return CLIP_STATUS_OK;
}

typedef struct {
  int width, mlp, layers, heads;
} tower_defaults;

static clip_status
read_tower (const char           *path,
            JsonObject           *obj,
            const char           *section,
            const tower_defaults *defaults,
            clip_tower_info      *tower,
            char                **error)
{
  clip_status status;

  if ((status = get_positive_int (path, obj, section, "hidden_size", defaults->width,
                                  &tower->width, error))
      || (status = get_positive_int (path, obj, section, "intermediate_size", defaults->mlp,
                                     &tower->mlp, error))
      || (status = get_positive_int (path, obj, section, "num_hidden_layers", defaults->layers,
                                     &tower->layers, error))
      || (status = get_positive_int (path, obj, section, "num_attention_heads", defaults->heads,
                                     &tower->heads, error))
      || (status = get_positive_float (path, obj, section, "layer_norm_eps", 1e-5f,
                                       &tower->eps, error))
      || (status = get_activation (path, obj, section, &tower->act, error)))
    return status;
  return CLIP_STATUS_OK;
}

/* A SiglipModel config.json: transformers' SiglipTextConfig and
 * SiglipVisionConfig defaults for absent keys (the published checkpoints
 * leave most of them out).  The family is CLIP_FAMILY_SIGLIP here; the
 * loader makes it SIGLIP2 from the tokenizer file. */
static clip_status
siglip_config_load (const char      *path,
                    JsonObject      *root,
                    clip_model_info *info,
                    char           **error)
{
  static const tower_defaults defaults = { 768, 3072, 12, 12 };
  JsonObject *text, *vision;
  const char *text_name, *vision_name;
  clip_model_info tmp = { 0 };
  int projection = 0;
  clip_status status;

  tmp.family = CLIP_FAMILY_SIGLIP;
  if ((status = get_section (path, root, "text_config", &text, &text_name, error))
      || (status = get_section (path, root, "vision_config", &vision, &vision_name, error))
      || (status = read_tower (path, text, text_name, &defaults, &tmp.text, error))
      || (status = get_positive_float (path, text, text_name, "layer_norm_eps", 1e-6f,
                                       &tmp.text.eps, error))
      || (status = get_positive_int (path, text, text_name, "max_position_embeddings", 64,
                                     &tmp.context_length, error))
      || (status = get_positive_int (path, text, text_name, "vocab_size", 32000,
                                     &tmp.vocab_size, error))
      || (status = read_tower (path, vision, vision_name, &defaults, &tmp.vision, error))
      || (status = get_positive_float (path, vision, vision_name, "layer_norm_eps", 1e-6f,
                                       &tmp.vision.eps, error))
      || (status = get_positive_int (path, vision, vision_name, "image_size", 224,
                                     &tmp.image_size, error))
      || (status = get_positive_int (path, vision, vision_name, "patch_size", 16,
                                     &tmp.patch_size, error))
      || (status = get_positive_int (path, vision, vision_name, "num_channels", 3,
                                     &tmp.num_channels, error)))
    return status;
  /* SigLIP's default activation is the tanh GELU, not CLIP's QuickGELU. */
  if (member (text, "hidden_act") == NULL)
    tmp.text.act = CLIP_ACT_GELU_TANH;
  if (member (vision, "hidden_act") == NULL)
    tmp.vision.act = CLIP_ACT_GELU_TANH;
  {
    JsonNode *pn = member (text, "projection_size");

    if (pn == NULL || JSON_NODE_HOLDS_NULL (pn))
      projection = tmp.text.width;
    else if ((status = get_positive_int (path, text, text_name, "projection_size", 0,
                                         &projection, error)))
      return status;
  }
  /* The image embedding is the pooled vision state itself: the text head
   * must land in the same space. */
  if (projection != tmp.vision.width)
    return clip_set_error (error, CLIP_STATUS_MISMATCH,
                           "%s: %s.projection_size %d differs from vision_config.hidden_size %d "
                           "(SigLIP compares the text head's output with the pooled image state)",
                           path, text_name, projection, tmp.vision.width);
  tmp.embed_dim = projection;

  if ((status = clip_model_info_check (&tmp, path, error)) != CLIP_STATUS_OK)
    return status;
  *info = tmp;
  return CLIP_STATUS_OK;
}

clip_status
clip_config_load (const char      *path,
                  clip_model_info *info,
                  char           **error)
{
  /* transformers' CLIPTextConfig() and CLIPVisionConfig() defaults. */
  static const tower_defaults text_defaults = { 512, 2048, 12, 8 };
  static const tower_defaults vision_defaults = { 768, 3072, 12, 12 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *root, *text, *vision;
  const char *text_name, *vision_name;
  clip_model_info tmp = { 0 };
  clip_status status;

  g_return_val_if_fail (path != NULL && info != NULL, CLIP_STATUS_INVALID_ARGUMENT);

  if ((status = load_json (path, &parser, error)) != CLIP_STATUS_OK)
    return status;
  root = json_node_get_object (json_parser_get_root (parser));

  {
    JsonNode *mt = member (root, "model_type");

    if (mt != NULL && JSON_NODE_HOLDS_VALUE (mt)
        && json_node_get_value_type (mt) == G_TYPE_STRING
        && strcmp (json_node_get_string (mt), "siglip") == 0)
      return siglip_config_load (path, root, info, error);
    if (mt != NULL && JSON_NODE_HOLDS_VALUE (mt)
        && json_node_get_value_type (mt) == G_TYPE_STRING
        && strcmp (json_node_get_string (mt), "clip") != 0)
      return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                             "%s: model_type '%s' is not supported (clip and siglip are)",
                             path, json_node_get_string (mt));
  }

  /* bos/eos/pad ids are deliberately not read: many hub checkpoints carry
   * the legacy 0/2/1, and the tokenizer's own ids are the truth. */
  if ((status = get_section (path, root, "text_config", &text, &text_name, error))
      || (status = get_section (path, root, "vision_config", &vision, &vision_name, error))
      || (status = get_positive_int (path, root, NULL, "projection_dim", 512,
                                     &tmp.embed_dim, error))
      || (status = read_tower (path, text, text_name, &text_defaults, &tmp.text, error))
      || (status = get_positive_int (path, text, text_name, "max_position_embeddings", 77,
                                     &tmp.context_length, error))
      || (status = get_positive_int (path, text, text_name, "vocab_size", 49408,
                                     &tmp.vocab_size, error))
      || (status = read_tower (path, vision, vision_name, &vision_defaults, &tmp.vision, error))
      || (status = get_positive_int (path, vision, vision_name, "image_size", 224,
                                     &tmp.image_size, error))
      || (status = get_positive_int (path, vision, vision_name, "patch_size", 32,
                                     &tmp.patch_size, error))
      || (status = get_positive_int (path, vision, vision_name, "num_channels", 3,
                                     &tmp.num_channels, error)))
    return status;

  /* The tanh GELU is SigLIP's; no CLIP checkpoint uses it, so a CLIP
   * config naming it is more likely a mislabelled file than a model:
   * refused, as before SigLIP support. */
  if (tmp.text.act == CLIP_ACT_GELU_TANH || tmp.vision.act == CLIP_ACT_GELU_TANH)
    {
      bool text_bad = tmp.text.act == CLIP_ACT_GELU_TANH;
      JsonNode *act = member (text_bad ? text : vision, "hidden_act");

      return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                             "%s: %s.hidden_act '%s' is not supported for CLIP models "
                             "(quick_gelu and gelu are)",
                             path, text_bad ? text_name : vision_name, json_node_get_string (act));
    }

  if ((status = clip_model_info_check (&tmp, path, error)) != CLIP_STATUS_OK)
    return status;
  *info = tmp;
  return CLIP_STATUS_OK;
}

static clip_status
check_size (const char *what,
            const char *key,
            int         value,
            int         max,
            char      **error)
{
  if (value <= 0)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s must be a positive integer", what, key);
  if (value > max)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "%s: %s = %d is implausibly large (at most %d is supported)",
                           what, key, value, max);
  return CLIP_STATUS_OK;
}

static clip_status
check_tower (const char            *what,
             const char            *section,
             const clip_tower_info *t,
             char                 **error)
{
  char key[64];
  clip_status status;

#define CHECK(field, name, max) \
  g_snprintf (key, sizeof key, "%s.%s", section, name); \
  if ((status = check_size (what, key, t->field, max, error)) != CLIP_STATUS_OK) \
    return status;
  CHECK (width, "hidden_size", MAX_WIDTH)
  CHECK (mlp, "intermediate_size", MAX_MLP)
  CHECK (layers, "num_hidden_layers", MAX_LAYERS)
  CHECK (heads, "num_attention_heads", MAX_WIDTH)
#undef CHECK
  if (t->width % t->heads != 0)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s.hidden_size %d is not divisible by num_attention_heads %d",
                           what, section, t->width, t->heads);
  if (!(t->eps > 0.0f) || !isfinite (t->eps))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s.layer_norm_eps must be a positive number", what, section);
  if (t->eps > MAX_EPS)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s.layer_norm_eps %g is implausibly large (at most %g; CLIP's is 1e-5)",
                           what, section, (double) t->eps, MAX_EPS);
  if (t->act != CLIP_ACT_QUICK_GELU && t->act != CLIP_ACT_GELU && t->act != CLIP_ACT_GELU_TANH)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "%s: %s.hidden_act is not supported", what, section);
  return CLIP_STATUS_OK;
}

clip_status
clip_model_info_check (const clip_model_info *info,
                       const char            *what,
                       char                 **error)
{
  clip_status status;

  if ((status = check_tower (what, "text_config", &info->text, error))
      || (status = check_tower (what, "vision_config", &info->vision, error))
      || (status = check_size (what, "projection_dim", info->embed_dim, MAX_WIDTH, error))
      || (status = check_size (what, "text_config.max_position_embeddings",
                               info->context_length, MAX_CONTEXT, error))
      || (status = check_size (what, "text_config.vocab_size", info->vocab_size, MAX_VOCAB, error))
      || (status = check_size (what, "vision_config.image_size", info->image_size, MAX_IMAGE, error))
      || (status = check_size (what, "vision_config.patch_size", info->patch_size, MAX_IMAGE, error))
      || (status = check_size (what, "vision_config.num_channels", info->num_channels,
                               G_MAXINT, error)))
    return status;
  /* A sequence needs at least its start and end tokens. */
  if (info->context_length < 2)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: text_config.max_position_embeddings %d leaves no room "
                           "for the start and end tokens", what, info->context_length);
  if (info->image_size % info->patch_size != 0)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: vision_config.image_size %d is not divisible by patch_size %d",
                           what, info->image_size, info->patch_size);
  /* Preprocessing always produces R, G, B. */
  if (info->num_channels != 3)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "%s: vision_config.num_channels %d is not supported (only 3)",
                           what, info->num_channels);
  return CLIP_STATUS_OK;
}

/* --- preprocessor_config.json ------------------------------------------ */

/* `size` / `crop_size`: an integer (old feature-extractor files) or an
 * object.  For `size`, {"shortest_edge": N} is CLIP's layout; an object
 * with "height" and "width" asks transformers for a fixed, aspect-
 * distorting resize, which this engine does not do: it resizes the short
 * side to min(height, width) instead, which is the same for a square
 * input and differs from transformers only in keeping the aspect ratio.
 * No CLIP checkpoint we know of uses it.  Absent: transformers' default,
 * 224. */
static clip_status
get_extent (const char *path,
            JsonObject *root,
            const char *key,
            bool        shortest_edge_ok,
            int        *height,
            int        *width,
            char      **error)
{
  JsonNode *node = member (root, key);
  JsonObject *obj;
  JsonNode *se, *h, *w;
  gint64 hv, wv;

  if (node == NULL)
    {
      *height = *width = 224;
      return CLIP_STATUS_OK;
    }
  if (node_is_int (node))
    {
      hv = json_node_get_int (node);
      if (hv <= 0 || hv > MAX_PIXELS)
        goto bad;
      *height = *width = (int) hv;
      return CLIP_STATUS_OK;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  obj = json_node_get_object (node);
  se = member (obj, "shortest_edge");
  h = member (obj, "height");
  w = member (obj, "width");
  if (shortest_edge_ok && se != NULL)
    {
      if (!node_is_int (se) || (hv = json_node_get_int (se)) <= 0 || hv > MAX_PIXELS)
        goto bad;
      *height = *width = (int) hv;
      return CLIP_STATUS_OK;
    }
  if (h == NULL || w == NULL || !node_is_int (h) || !node_is_int (w))
    goto bad;
  hv = json_node_get_int (h);
  wv = json_node_get_int (w);
  if (hv <= 0 || wv <= 0 || hv > MAX_PIXELS || wv > MAX_PIXELS)
    goto bad;
  *height = (int) hv;
  *width = (int) wv;
  return CLIP_STATUS_OK;

bad:
  return clip_set_error (error, CLIP_STATUS_FORMAT,
                         shortest_edge_ok
                         ? "%s: %s must be a positive integer, {\"shortest_edge\": N} or {\"height\": H, \"width\": W}"
                         : "%s: %s must be a positive integer or {\"height\": H, \"width\": W}",
                         path, key);
}

static clip_status
get_bool (const char *path,
          JsonObject *root,
          const char *key,
          int        *out,
          char      **error)
{
  JsonNode *node = member (root, key);

  if (node == NULL)
    {
      *out = 1;
      return CLIP_STATUS_OK;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return clip_set_error (error, CLIP_STATUS_FORMAT, "%s: %s must be true or false", path, key);
  *out = json_node_get_boolean (node) ? 1 : 0;
  return CLIP_STATUS_OK;
}

/* image_mean / image_std: three numbers, or one number for all channels
 * (transformers accepts both). */
static clip_status
get_triple (const char *path,
            JsonObject *root,
            const char *key,
            float       out[3],
            char      **error)
{
  JsonNode *node = member (root, key);

  if (node == NULL)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %s is missing (it must be given, the engine assumes no default)",
                           path, key);
  if (node_is_number (node))
    {
      out[0] = out[1] = out[2] = (float) json_node_get_double (node);
      return CLIP_STATUS_OK;
    }
  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 3)
    {
      JsonArray *arr = json_node_get_array (node);

      for (guint i = 0; i < 3; i++)
        {
          JsonNode *e = json_array_get_element (arr, i);

          if (!node_is_number (e))
            goto bad;
          out[i] = (float) json_node_get_double (e);
        }
      return CLIP_STATUS_OK;
    }
bad:
  return clip_set_error (error, CLIP_STATUS_FORMAT,
                         "%s: %s must be an array of three numbers", path, key);
}

/* `resample`: Pillow's filter number; absent is bicubic (CLIPImageProcessor's
 * default).  Only the two the published checkpoints use are implemented. */
static clip_status
get_resample (const char *path,
              JsonObject *root,
              int        *out,
              char      **error)
{
  JsonNode *node = member (root, "resample");
  gint64 v;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = CLIP_RESAMPLE_BICUBIC;
      return CLIP_STATUS_OK;
    }
  if (!node_is_int (node))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: resample must be an integer (Pillow's filter number)", path);
  v = json_node_get_int (node);
  if (v != CLIP_RESAMPLE_BILINEAR && v != CLIP_RESAMPLE_BICUBIC)
    return clip_set_error (error, CLIP_STATUS_UNSUPPORTED,
                           "%s: resample %lld is not supported (2 = bilinear and 3 = bicubic are)",
                           path, (long long) v);
  *out = (int) v;
  return CLIP_STATUS_OK;
}

clip_status
clip_preprocess_params_check (const clip_preprocess_params *p,
                              const char                   *what,
                              char                        **error)
{
  if (p->shortest_edge <= 0 || p->shortest_edge > MAX_PIXELS)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: size must be a positive integer (at most %d)", what, MAX_PIXELS);
  if (p->crop_height <= 0 || p->crop_width <= 0
      || p->crop_height > MAX_PIXELS || p->crop_width > MAX_PIXELS)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: crop_size must be positive (at most %d)", what, MAX_PIXELS);
  if (!(p->rescale_factor > 0.0f) || !isfinite (p->rescale_factor))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: rescale_factor must be a positive number", what);
  if (p->rescale_factor > 1.0f)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: rescale_factor %g is implausibly large (at most 1; CLIP's is 1/255)",
                           what, (double) p->rescale_factor);
  for (int c = 0; c < 3; c++)
    {
      if (!isfinite (p->mean[c]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: image_mean[%d] must be a finite number", what, c);
      if (fabsf (p->mean[c]) > MAX_MEAN)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: image_mean[%d] = %g is implausibly large (at most %g in size)",
                               what, c, (double) p->mean[c], MAX_MEAN);
      if (!(p->std[c] > 0.0f) || !isfinite (p->std[c]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: image_std[%d] must be a positive number", what, c);
      if (p->std[c] < MIN_STD || p->std[c] > MAX_STD)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: image_std[%d] = %g is implausible (it must be from %g to %g; "
                               "CLIP's are about 0.27)", what, c, (double) p->std[c], MIN_STD, MAX_STD);
    }
  return CLIP_STATUS_OK;
}

clip_status
clip_preprocess_params_load (const char             *path,
                             clip_preprocess_params *out,
                             char                  **error)
{
  g_autoptr(JsonParser) parser = NULL;
  clip_preprocess_params p = { 0 };
  JsonObject *root;
  int size_h = 0, size_w = 0, do_rescale = 1;
  bool straight;
  clip_status status;

  g_return_val_if_fail (path != NULL && out != NULL, CLIP_STATUS_INVALID_ARGUMENT);

  if ((status = load_json (path, &parser, error)) != CLIP_STATUS_OK)
    return status;
  root = json_node_get_object (json_parser_get_root (parser));

  if ((status = get_extent (path, root, "size", true, &size_h, &size_w, error)))
    return status;
  /* transformers resizes by the short side only for an int or
   * {"shortest_edge"}; {"height", "width"} (SigLIP) is the exact output
   * size, with no crop after it unless the file asks for one. */
  {
    JsonNode *size = member (root, "size");

    straight = size != NULL && JSON_NODE_HOLDS_OBJECT (size)
               && member (json_node_get_object (size), "shortest_edge") == NULL;
  }
  if (straight && member (root, "crop_size") == NULL)
    {
      p.crop_height = size_h;
      p.crop_width = size_w;
    }
  else if ((status = get_extent (path, root, "crop_size", false,
                                 &p.crop_height, &p.crop_width, error)))
    return status;
  if ((status = get_bool (path, root, "do_resize", &p.do_resize, error))
      || (status = get_bool (path, root, "do_center_crop", &p.do_center_crop, error))
      || (status = get_resample (path, root, &p.resample, error))
      || (status = get_bool (path, root, "do_normalize", &p.do_normalize, error))
      || (status = get_bool (path, root, "do_rescale", &do_rescale, error))
      || (status = get_positive_float (path, root, NULL, "rescale_factor", 1.0f / 255.0f,
                                       &p.rescale_factor, error)))
    return status;
  p.shortest_edge = MIN (size_h, size_w);
  if (straight)
    {
      p.resize_height = size_h;
      p.resize_width = size_w;
      if (member (root, "do_center_crop") == NULL)
        p.do_center_crop = 0;
    }
  /* The params have no do_rescale: not rescaling is rescaling by 1. */
  if (!do_rescale)
    p.rescale_factor = 1.0f;

  if (p.do_normalize)
    {
      if ((status = get_triple (path, root, "image_mean", p.mean, error))
          || (status = get_triple (path, root, "image_std", p.std, error)))
        return status;
    }
  else
    {
      /* Unused; the identity keeps the struct meaningful. */
      for (int c = 0; c < 3; c++)
        {
          p.mean[c] = 0.0f;
          p.std[c] = 1.0f;
        }
    }

  if ((status = clip_preprocess_params_check (&p, path, error)) != CLIP_STATUS_OK)
    return status;
  *out = p;
  return CLIP_STATUS_OK;
}
