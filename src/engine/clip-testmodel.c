/* clip-testmodel.c - CLIPModel directories with random weights, for tests.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files are laid out exactly as Hugging Face writes them, so the loader
 * reads them through the same path as a downloaded checkpoint.  Weights are
 * deterministic (a seeded xorshift per tensor, independent of the dtype and
 * of the order tensors are written in) and scaled so that activations stay
 * finite through 24 layers.  model.safetensors is streamed: a ViT-L/14 is
 * 1.7 GB in F32 and is never held in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip-safetensors.h"

/* CLIP's (OpenAI's) normalisation, as in its preprocessor_config.json. */
static const float clip_mean[3] = { 0.48145466f, 0.4578275f, 0.40821073f };
static const float clip_std[3] = { 0.26862954f, 0.26130258f, 0.27577711f };

/* A generated vocabulary: 512 byte symbols, merges, two special tokens. */
#define N_BYTE_SYMBOLS   256
#define MIN_VOCAB        (2 * N_BYTE_SYMBOLS + 2)
#define MAX_VOCAB        (2 * N_BYTE_SYMBOLS + N_BYTE_SYMBOLS * 2 * N_BYTE_SYMBOLS + 2)

static void
set_tower (clip_tower_info *t,
           int              width,
           int              layers,
           int              heads,
           int              mlp)
{
  t->width = width;
  t->layers = layers;
  t->heads = heads;
  t->mlp = mlp;
  t->act = CLIP_ACT_QUICK_GELU;
  t->eps = 1e-5f;
}

clip_status
clip_test_model_preset (const char           *name,
                        clip_test_model_spec *spec,
                        char                **error)
{
  clip_model_info *s;
  clip_preprocess_params *p;

  g_return_val_if_fail (spec != NULL, CLIP_STATUS_INVALID_ARGUMENT);
  if (name == NULL)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT, "no test model preset named");

  memset (spec, 0, sizeof *spec);
  s = &spec->shape;
  s->image_size = 224;
  s->patch_size = 32;
  s->num_channels = 3;
  s->context_length = 77;
  s->vocab_size = 49408;
  s->embed_dim = 512;
  s->logit_scale = (float) log (1.0 / 0.07); /* CLIP's initial value */
  s->dtype = CLIP_DTYPE_F32;
  set_tower (&s->vision, 768, 12, 12, 3072);
  set_tower (&s->text, 512, 12, 8, 2048);

  if (strcmp (name, "vit-b-32") == 0)
    ;
  else if (strcmp (name, "vit-b-16") == 0)
    s->patch_size = 16;
  else if (strcmp (name, "vit-l-14") == 0 || strcmp (name, "vit-l-14-336") == 0)
    {
      s->patch_size = 14;
      if (strcmp (name, "vit-l-14-336") == 0)
        s->image_size = 336;
      set_tower (&s->vision, 1024, 24, 16, 4096);
      set_tower (&s->text, 768, 12, 12, 3072);
      s->embed_dim = 768;
    }
  else if (strcmp (name, "tiny") == 0)
    {
      /* The shape of the golden tiny-clip. */
      set_tower (&s->vision, 64, 2, 2, 256);
      set_tower (&s->text, 64, 2, 2, 256);
      s->embed_dim = 32;
    }
  else
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "unknown test model preset '%s' (known: vit-b-32, vit-b-16, "
                           "vit-l-14, vit-l-14-336, tiny)", name);

  p = &spec->preprocess;
  p->shortest_edge = s->image_size;
  p->crop_height = p->crop_width = s->image_size;
  p->do_resize = p->do_center_crop = p->do_normalize = 1;
  p->rescale_factor = 1.0f / 255.0f;
  memcpy (p->mean, clip_mean, sizeof p->mean);
  memcpy (p->std, clip_std, sizeof p->std);
  spec->seed = 0x5eed0c11f0000001ull;
  spec->tokenizer_from = NULL;
  return CLIP_STATUS_OK;
}

/* --- small writers -------------------------------------------------------- */

/* The shortest decimal that reads back as the same float32. */
static void
append_float (GString *s,
              float    v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 1; digits <= 9; digits++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  /* Keep it a JSON float ("1.0", not "1") so Python reads a float. */
  g_string_append (s, buf);
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (s, ".0");
}

static void
append_json_string (GString    *s,
                    const char *str)
{
  g_string_append_c (s, '"');
  for (const unsigned char *c = (const unsigned char *) str; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (s, "\\%c", *c);
      else if (*c < 0x20)
        g_string_append_printf (s, "\\u%04x", *c);
      else
        g_string_append_c (s, (char) *c);
    }
  g_string_append_c (s, '"');
}

static clip_status
write_file (const char *path,
            const char *contents,
            gssize      len,
            char      **error)
{
  g_autoptr(GError) gerror = NULL;

  /* g_file_set_contents writes a temporary file and renames it. */
  if (!g_file_set_contents (path, contents, len, &gerror))
    return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", path, gerror->message);
  return CLIP_STATUS_OK;
}

static const char *
act_name (clip_activation act)
{
  return act == CLIP_ACT_GELU ? "gelu" : "quick_gelu";
}

static void
append_tower (GString               *s,
              const clip_tower_info *t,
              int                    embed_dim)
{
  g_string_append_printf (s, "    \"hidden_act\": \"%s\",\n", act_name (t->act));
  g_string_append_printf (s, "    \"hidden_size\": %d,\n", t->width);
  g_string_append (s, "    \"initializer_factor\": 1.0,\n    \"initializer_range\": 0.02,\n");
  g_string_append_printf (s, "    \"intermediate_size\": %d,\n", t->mlp);
  g_string_append (s, "    \"layer_norm_eps\": ");
  append_float (s, t->eps);
  g_string_append (s, ",\n");
  g_string_append_printf (s, "    \"num_attention_heads\": %d,\n", t->heads);
  g_string_append_printf (s, "    \"num_hidden_layers\": %d,\n", t->layers);
  g_string_append_printf (s, "    \"projection_dim\": %d,\n", embed_dim);
}

static clip_status
write_config (const clip_test_model_spec *spec,
              const char                 *dir,
              char                      **error)
{
  static const char *torch_dtypes[] = { "float32", "float16", "bfloat16" };
  const clip_model_info *info = &spec->shape;
  g_autoptr(GString) s = g_string_new ("{\n");
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);

  g_string_append (s, "  \"architectures\": [\n    \"CLIPModel\"\n  ],\n");
  g_string_append (s, "  \"initializer_factor\": 1.0,\n  \"logit_scale_init_value\": ");
  append_float (s, info->logit_scale);
  g_string_append (s, ",\n  \"model_type\": \"clip\",\n");
  g_string_append_printf (s, "  \"projection_dim\": %d,\n", info->embed_dim);
  g_string_append (s, "  \"text_config\": {\n");
  append_tower (s, &info->text, info->embed_dim);
  g_string_append_printf (s, "    \"max_position_embeddings\": %d,\n", info->context_length);
  g_string_append (s, "    \"model_type\": \"clip_text_model\",\n");
  g_string_append_printf (s, "    \"vocab_size\": %d\n  },\n", info->vocab_size);
  g_string_append_printf (s, "  \"torch_dtype\": \"%s\",\n", torch_dtypes[info->dtype]);
  g_string_append (s, "  \"transformers_version\": \"4.36.2\",\n");
  g_string_append (s, "  \"vision_config\": {\n");
  append_tower (s, &info->vision, info->embed_dim);
  g_string_append_printf (s, "    \"image_size\": %d,\n", info->image_size);
  g_string_append (s, "    \"model_type\": \"clip_vision_model\",\n");
  g_string_append_printf (s, "    \"num_channels\": %d,\n", info->num_channels);
  g_string_append_printf (s, "    \"patch_size\": %d\n  }\n}\n", info->patch_size);
  return write_file (path, s->str, (gssize) s->len, error);
}

static void
append_triple (GString     *s,
               const float *v)
{
  g_string_append (s, "[\n");
  for (int c = 0; c < 3; c++)
    {
      g_string_append (s, "    ");
      append_float (s, v[c]);
      g_string_append (s, c < 2 ? ",\n" : "\n  ]");
    }
}

static clip_status
write_preprocessor_config (const clip_preprocess_params *p,
                           const char                   *dir,
                           char                        **error)
{
  g_autoptr(GString) s = g_string_new ("{\n");
  g_autofree char *path = g_build_filename (dir, "preprocessor_config.json", NULL);

  g_string_append_printf (s, "  \"crop_size\": {\n    \"height\": %d,\n    \"width\": %d\n  },\n",
                          p->crop_height, p->crop_width);
  g_string_append_printf (s, "  \"do_center_crop\": %s,\n", p->do_center_crop ? "true" : "false");
  g_string_append (s, "  \"do_convert_rgb\": true,\n");
  g_string_append_printf (s, "  \"do_normalize\": %s,\n", p->do_normalize ? "true" : "false");
  g_string_append (s, "  \"do_rescale\": true,\n");
  g_string_append_printf (s, "  \"do_resize\": %s,\n", p->do_resize ? "true" : "false");
  g_string_append (s, "  \"feature_extractor_type\": \"CLIPFeatureExtractor\",\n");
  g_string_append (s, "  \"image_mean\": ");
  append_triple (s, p->mean);
  g_string_append (s, ",\n  \"image_processor_type\": \"CLIPImageProcessor\",\n");
  g_string_append (s, "  \"image_std\": ");
  append_triple (s, p->std);
  g_string_append (s, ",\n  \"resample\": 3,\n  \"rescale_factor\": ");
  append_float (s, p->rescale_factor);
  g_string_append_printf (s, ",\n  \"size\": {\n    \"shortest_edge\": %d\n  }\n}\n",
                          p->shortest_edge);
  return write_file (path, s->str, (gssize) s->len, error);
}

/* --- the tokenizer --------------------------------------------------------- */

static clip_status
copy_file (const char *from_dir,
           const char *to_dir,
           const char *name,
           char      **error)
{
  g_autofree char *from = g_build_filename (from_dir, name, NULL);
  g_autofree char *to = g_build_filename (to_dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) gerror = NULL;
  gsize len;

  if (!g_file_get_contents (from, &contents, &len, &gerror))
    return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", from, gerror->message);
  return write_file (to, contents, (gssize) len, error);
}

/* GPT-2's byte-to-symbol table in vocabulary order: the printable bytes
 * stand for themselves, the other 68 become U+0100, U+0101, ... in byte
 * order, and vocab.json lists the printable ones first. */
static void
byte_symbols (char symbols[N_BYTE_SYMBOLS][4])
{
  int n = 0, extra = 0;

  for (int pass = 0; pass < 2; pass++)
    for (int b = 0; b < N_BYTE_SYMBOLS; b++)
      {
        bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae);
        gunichar c;
        int len;

        if (printable != (pass == 0))
          continue;
        c = printable ? (gunichar) b : (gunichar) (N_BYTE_SYMBOLS + extra++);
        len = g_unichar_to_utf8 (c, symbols[n]);
        symbols[n][len] = '\0';
        n++;
      }
  g_assert (n == N_BYTE_SYMBOLS);
}

/* A valid byte-level BPE vocabulary of `vocab_size` entries: the 256 byte
 * symbols, the same with "</w>", merges of one plain symbol with one of
 * the 512 (in vocabulary order) until two ids are left, then
 * <|startoftext|> and <|endoftext|>.  Not CLIP's vocabulary: its ids mean
 * nothing, but every text tokenizes. */
static clip_status
write_generated_tokenizer (int         vocab_size,
                           const char *dir,
                           char      **error)
{
  char symbols[N_BYTE_SYMBOLS][4];
  g_autoptr(GString) vocab = g_string_new ("{");
  g_autoptr(GString) merges = g_string_new ("#version: 0.2\n");
  g_autofree char *vocab_path = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges_path = g_build_filename (dir, "merges.txt", NULL);
  int id = 0, n_merges = vocab_size - MIN_VOCAB;
  clip_status status;

  byte_symbols (symbols);
  for (int end = 0; end < 2; end++)
    for (int i = 0; i < N_BYTE_SYMBOLS; i++)
      {
        g_autofree char *sym = g_strconcat (symbols[i], end ? "</w>" : "", NULL);

        if (id > 0)
          g_string_append (vocab, ", ");
        append_json_string (vocab, sym);
        g_string_append_printf (vocab, ": %d", id++);
      }
  for (int m = 0; m < n_merges; m++)
    {
      int a = m / (2 * N_BYTE_SYMBOLS), b = m % (2 * N_BYTE_SYMBOLS);
      const char *b_end = b >= N_BYTE_SYMBOLS ? "</w>" : "";
      g_autofree char *merged = g_strconcat (symbols[a], symbols[b % N_BYTE_SYMBOLS], b_end, NULL);

      g_string_append_printf (merges, "%s %s%s\n", symbols[a], symbols[b % N_BYTE_SYMBOLS], b_end);
      g_string_append (vocab, ", ");
      append_json_string (vocab, merged);
      g_string_append_printf (vocab, ": %d", id++);
    }
  g_string_append_printf (vocab, ", \"<|startoftext|>\": %d, \"<|endoftext|>\": %d}", id, id + 1);
  g_assert (id + 2 == vocab_size);

  if ((status = write_file (vocab_path, vocab->str, (gssize) vocab->len, error)))
    return status;
  return write_file (merges_path, merges->str, (gssize) merges->len, error);
}

/* --- model.safetensors ------------------------------------------------------ */

/* Per-tensor random streams: seeded from the spec's seed and the tensor's
 * name, so a tensor's values do not depend on the dtype or on its place. */
typedef struct {
  uint64_t s;
} rng;

static void
rng_init (rng        *r,
          uint64_t    seed,
          const char *name)
{
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

  for (const unsigned char *c = (const unsigned char *) name; *c; c++)
    h = (h ^ *c) * 0x100000001b3ull;
  r->s = (seed ^ h) * 0x9e3779b97f4a7c15ull;
  if (r->s == 0)
    r->s = 0x853c49e6748fea9bull;
}

/* xorshift64*: uniform in [0, 1) with 24 bits. */
static inline float
rng_uniform (rng *r)
{
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return (float) ((r->s * 0x2545f4914f6cdd1dull) >> 40) * (1.0f / 16777216.0f);
}

/* Mean 0, standard deviation 1, bounded by +-3.46: the sum of four
 * uniforms, which needs no libm and so is the same on every machine. */
static inline float
rng_normalish (rng *r)
{
  float sum = rng_uniform (r) + rng_uniform (r) + rng_uniform (r) + rng_uniform (r);

  return (sum - 2.0f) * 1.7320508f;
}

static inline float
init_value (rng                    *r,
            const clip_tensor_spec *spec,
            float                   logit_scale)
{
  /* transformers' initializer_range 0.02 for weights; the position
   * embeddings smaller; norms near 1 and biases near 0 but neither
   * exactly, so that a mixed-up tensor shows. */
  switch (spec->init)
    {
    case CLIP_INIT_LINEAR:
    case CLIP_INIT_EMBEDDING:
      return 0.02f * rng_normalish (r);
    case CLIP_INIT_POSITION:
      return 0.01f * rng_normalish (r);
    case CLIP_INIT_NORM_WEIGHT:
      return 1.0f + 0.02f * rng_normalish (r);
    case CLIP_INIT_BIAS:
      return 0.02f * rng_normalish (r);
    case CLIP_INIT_LOGIT_SCALE:
    default:
      return logit_scale;
    }
}

/* --- activation outliers (spec->outliers) ----------------------------------
 *
 * Trained ViTs have a few channels whose layer-norm outputs are one to two
 * orders of magnitude larger than the rest, the same channels in every
 * block of a tower: FQ-ViT (Lin et al. 2022) reports serious inter-channel
 * variation in the LayerNorm inputs of ViT, DeiT and Swin, a few channels'
 * ranges tens of times the median; RepQ-ViT (Li et al. 2023) the same for
 * the post-LayerNorm activations; SmoothQuant (Xiao et al. 2022) outliers
 * about 100x most activations, in a few fixed channels.  (No trained
 * weights are at hand here: the magnitudes follow those reports, not a
 * measurement of CLIP ViT-B/32.)  A layer norm's gain and bias are what
 * put them at a linear layer's input, so the test model puts them there:
 *
 *  - OUTLIER_CHANNELS (4 of 768 or 512; 2 in towers narrower than 256)
 *    channels per tower, picked with the spec's seed and the tower's name,
 *    the same in every layer norm of that tower (the reported outliers sit
 *    in fixed channels);
 *  - in every layer_norm1, layer_norm2, post_layernorm and final_layer_norm,
 *    each of those channels a gain of random sign and magnitude uniform in
 *    [20, 100] (the 10-100x above; 20 upwards so that each is a real
 *    outlier) and a bias of random sign and magnitude 0.1-0.5 times that
 *    gain (outlier channels are off-centre: their rows' range is lopsided,
 *    which a zero point alone does not fix);
 *  - q, k, v (after layer_norm1) and fc1 (after layer_norm2) take those
 *    input columns back by 1 / (|gain| u), u uniform in [0.5, 2]
 *    (compensation_of), so the outliers weigh about as much as the other
 *    channels in the products, as in a trained model whose outlier
 *    channels do not drown the rest, and the float32 model still tells its
 *    inputs apart (test-precision checks that).
 *
 * Not pre_layrnorm: its output is the residual stream itself, and a 20x
 * channel there comes out of every layer_norm1 another ~10x larger
 * (it takes most of the row's variance), 1000x in all at the linear
 * layers' inputs, beyond what the reports above measure after the layer
 * norms (and it left the random vision tower mapping every image to
 * nearly one vector). */
#define OUTLIER_CHANNELS   4
#define OUTLIER_GAIN_MIN   20.0f
#define OUTLIER_GAIN_MAX   100.0f

/* Whether `name` is a layer norm's weight or bias; *prefix_len gets the
 * length of the layer norm's name (without ".weight"/".bias"). */
static bool
is_layer_norm (const char *name,
               size_t     *prefix_len,
               bool       *is_bias)
{
  static const char *const norms[] = { "layer_norm1.", "layer_norm2.",
                                       "post_layernorm.", "final_layer_norm." };

  for (size_t i = 0; i < G_N_ELEMENTS (norms); i++)
    {
      const char *at = strstr (name, norms[i]);
      if (at != NULL)
        {
          const char *rest = at + strlen (norms[i]);
          *prefix_len = (size_t) (rest - 1 - name);
          *is_bias = strcmp (rest, "bias") == 0;
          return *is_bias || strcmp (rest, "weight") == 0;
        }
    }
  return false;
}

typedef struct {
  int   n;
  int   channel[OUTLIER_CHANNELS];
  float gain[OUTLIER_CHANNELS];
  float bias[OUTLIER_CHANNELS];
} outlier_set;

/* The outlier channels of the layer norm tensor `name` of `width`
 * channels, and their gains and biases; n = 0 for other tensors. */
static void
outliers_of (const clip_test_model_spec *spec,
             const char                 *name,
             uint64_t                    width,
             outlier_set                *out)
{
  size_t prefix_len;
  bool is_bias;
  const char *dot;
  rng r;

  memset (out, 0, sizeof *out);
  if (!spec->outliers || !is_layer_norm (name, &prefix_len, &is_bias)
      || (dot = strchr (name, '.')) == NULL)
    return;

  /* the tower's channels: seeded by its name ("vision_model", "text_model") */
  {
    g_autofree char *tower = g_strndup (name, (gsize) (dot - name));
    g_autofree char *key = g_strconcat (tower, "#outlier-channels", NULL);

    out->n = width >= 256 ? OUTLIER_CHANNELS : 2;
    rng_init (&r, spec->seed, key);
    for (int i = 0; i < out->n; i++)
      {
        int c, again;
        do
          {
            c = (int) (rng_uniform (&r) * (float) width);
            again = 0;
            for (int j = 0; j < i; j++)
              again |= out->channel[j] == c;
          }
        while (again || c >= (int) width);
        out->channel[i] = c;
      }
  }
  /* this layer norm's magnitudes: seeded by its name, so that its weight
   * and its bias agree */
  {
    g_autofree char *norm = g_strndup (name, prefix_len);
    g_autofree char *key = g_strconcat (norm, "#outliers", NULL);

    rng_init (&r, spec->seed, key);
    for (int i = 0; i < out->n; i++)
      {
        float gain = OUTLIER_GAIN_MIN + (OUTLIER_GAIN_MAX - OUTLIER_GAIN_MIN) * rng_uniform (&r);
        float bias = gain * (0.1f + 0.4f * rng_uniform (&r));
        out->gain[i] = rng_uniform (&r) < 0.5f ? -gain : gain;
        out->bias[i] = rng_uniform (&r) < 0.5f ? -bias : bias;
      }
  }
  if (is_bias)
    memcpy (out->gain, out->bias, sizeof out->gain);
}

/* For a linear weight that reads a layer norm with outliers (q, k and v
 * read layer_norm1, fc1 reads layer_norm2): the factor of each outlier
 * input column, 1 / (|gain| u) with u uniform in [0.5, 2], so that the
 * channel weighs about as much as the others in the product (a trained
 * model's outliers do not drown its other channels: they must stay
 * legible after a reduced precision rounds them) but not exactly as
 * much.  n = 0 for other tensors. */
static void
compensation_of (const clip_test_model_spec *spec,
                 const char                 *name,
                 uint64_t                    width,
                 outlier_set                *out)
{
  static const char *const readers[][2] = {
    { "self_attn.q_proj.weight", "layer_norm1.weight" },
    { "self_attn.k_proj.weight", "layer_norm1.weight" },
    { "self_attn.v_proj.weight", "layer_norm1.weight" },
    { "mlp.fc1.weight", "layer_norm2.weight" },
  };
  size_t len = strlen (name);

  memset (out, 0, sizeof *out);
  if (!spec->outliers)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      size_t rlen = strlen (readers[i][0]);

      if (len > rlen && strcmp (name + len - rlen, readers[i][0]) == 0)
        {
          g_autofree char *prefix = g_strndup (name, len - rlen);
          g_autofree char *norm = g_strconcat (prefix, readers[i][1], NULL);
          g_autofree char *key = g_strconcat (prefix, readers[i][1], "#compensation", NULL);
          rng r;

          outliers_of (spec, norm, width, out);
          rng_init (&r, spec->seed, key);
          for (int o = 0; o < out->n; o++)
            out->gain[o] = 1.0f / (fabsf (out->gain[o]) * (0.5f + 1.5f * rng_uniform (&r)));
          return;
        }
    }
}

static void
append_tensor_header (GString                *s,
                      const clip_tensor_spec *spec,
                      const char             *dtype,
                      uint64_t                begin,
                      uint64_t                end)
{
  g_string_append_printf (s, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", spec->name, dtype);
  for (int d = 0; d < spec->n_dims; d++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, d ? "," : "", spec->shape[d]);
  g_string_append_printf (s, "],\"data_offsets\":[%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]}",
                          begin, end);
}

static clip_status
write_safetensors (const clip_test_model_spec *spec,
                   const char                 *dir,
                   char                      **error)
{
  static const char *st_names[] = { "F32", "F16", "BF16" };
  static const size_t st_sizes[] = { 4, 2, 2 };
  const clip_dtype dtype = spec->shape.dtype;
  const size_t elem = st_sizes[dtype];
  g_autofree clip_tensor_spec *specs = NULL;
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *tmp_path = g_build_filename (dir, ".model.safetensors.XXXXXX", NULL);
  g_autoptr(GString) header = g_string_new ("{\"__metadata__\":{\"format\":\"pt\"}");
  g_autofree uint8_t *chunk = NULL;
  enum { CHUNK = 1 << 16 };
  uint64_t offset = 0;
  uint8_t len_bytes[8];
  size_t n_specs;
  FILE *fp;
  int fd, saved;

  specs = clip_model_tensor_specs (&spec->shape, NULL, &n_specs);
  for (size_t i = 0; i < n_specs; i++)
    {
      uint64_t n_bytes = specs[i].numel * elem;

      append_tensor_header (header, &specs[i], st_names[dtype], offset, offset + n_bytes);
      offset += n_bytes;
    }
  g_string_append_c (header, '}');
  /* Pad with spaces, as the format allows, so the data starts 8-aligned. */
  while ((8 + header->len) % 8 != 0)
    g_string_append_c (header, ' ');
  for (int i = 0; i < 8; i++)
    len_bytes[i] = (uint8_t) ((uint64_t) header->len >> (8 * i));

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", tmp_path, g_strerror (saved));
    }
  fp = fdopen (fd, "wb");
  if (fp == NULL)
    {
      saved = errno;
      close (fd);
      g_unlink (tmp_path);
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", tmp_path, g_strerror (saved));
    }
  setvbuf (fp, NULL, _IOFBF, 1 << 20);
  fwrite (len_bytes, 1, 8, fp);
  fwrite (header->str, 1, header->len, fp);

  chunk = g_malloc (CHUNK * 4);
  for (size_t i = 0; i < n_specs && !ferror (fp); i++)
    {
      const clip_tensor_spec *ts = &specs[i];
      rng r;

      outlier_set outliers, compensation;
      uint64_t k_in = ts->n_dims == 2 ? ts->shape[1] : 1;

      rng_init (&r, spec->seed, ts->name);
      outliers_of (spec, ts->name, ts->numel, &outliers);
      compensation_of (spec, ts->name, k_in, &compensation);
      for (uint64_t done = 0; done < ts->numel && !ferror (fp);)
        {
          size_t n = (size_t) MIN ((uint64_t) CHUNK, ts->numel - done);

          for (size_t k = 0; k < n; k++)
            {
              float v = init_value (&r, ts, spec->shape.logit_scale);
              uint32_t bits;

              /* (outliers_of put the bias into gain[] for a bias tensor) */
              for (int o = 0; o < outliers.n; o++)
                if ((uint64_t) outliers.channel[o] == done + k)
                  v = outliers.gain[o];
              for (int o = 0; o < compensation.n; o++)
                if ((uint64_t) compensation.channel[o] == (done + k) % k_in)
                  v *= compensation.gain[o];

              switch (dtype)
                {
                case CLIP_DTYPE_F16:
                  bits = clip_f32_to_f16 (v);
                  break;
                case CLIP_DTYPE_BF16:
                  bits = clip_f32_to_bf16 (v);
                  break;
                case CLIP_DTYPE_F32:
                default:
                  memcpy (&bits, &v, sizeof bits);
                  break;
                }
              for (size_t byte = 0; byte < elem; byte++) /* little-endian */
                chunk[k * elem + byte] = (uint8_t) (bits >> (8 * byte));
            }
          fwrite (chunk, elem, n, fp);
          done += n;
        }
    }

  saved = 0;
  if (fflush (fp) != 0 || ferror (fp))
    saved = errno ? errno : EIO;
  if (fclose (fp) != 0 && saved == 0)
    saved = errno ? errno : EIO;
  if (saved == 0 && g_rename (tmp_path, path) != 0)
    saved = errno;
  if (saved != 0)
    {
      g_unlink (tmp_path);
      return clip_set_error (error, CLIP_STATUS_IO, "%s: cannot write: %s",
                             path, g_strerror (saved));
    }
  return CLIP_STATUS_OK;
}

clip_status
clip_test_model_write (const clip_test_model_spec *spec,
                       const char                 *dir,
                       char                      **error)
{
  clip_status status;

  g_return_val_if_fail (spec != NULL && dir != NULL, CLIP_STATUS_INVALID_ARGUMENT);

  if ((status = clip_model_info_check (&spec->shape, "test model spec", error))
      || (status = clip_preprocess_params_check (&spec->preprocess, "test model spec", error)))
    return CLIP_STATUS_INVALID_ARGUMENT;
  if (spec->shape.dtype != CLIP_DTYPE_F32 && spec->shape.dtype != CLIP_DTYPE_F16
      && spec->shape.dtype != CLIP_DTYPE_BF16)
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "test model spec: unknown dtype %d", (int) spec->shape.dtype);
  if (!isfinite (spec->shape.logit_scale))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "test model spec: logit_scale must be finite");
  if (spec->tokenizer_from == NULL
      && (spec->shape.vocab_size < MIN_VOCAB || spec->shape.vocab_size > MAX_VOCAB))
    return clip_set_error (error, CLIP_STATUS_INVALID_ARGUMENT,
                           "test model spec: a generated vocabulary has %d to %d entries, not %d",
                           MIN_VOCAB, MAX_VOCAB, spec->shape.vocab_size);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", dir, g_strerror (saved));
    }

  if ((status = write_config (spec, dir, error))
      || (status = write_preprocessor_config (&spec->preprocess, dir, error)))
    return status;
  if (spec->tokenizer_from != NULL)
    {
      if ((status = copy_file (spec->tokenizer_from, dir, "vocab.json", error))
          || (status = copy_file (spec->tokenizer_from, dir, "merges.txt", error)))
        return status;
    }
  else if ((status = write_generated_tokenizer (spec->shape.vocab_size, dir, error)))
    return status;
  return write_safetensors (spec, dir, error);
}
