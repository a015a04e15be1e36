/* test-model-load.c - loading CLIPModel directories, and refusing broken ones.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The golden models of ../shared load with the dimensions their READMEs
 * give; generated test models round-trip in F32, F16 and BF16; and every
 * broken variant of a valid directory (a missing file, config.json,
 * preprocessor_config.json) fails with a status and a message naming the
 * file and the problem.  test-model-safetensors.c breaks the weights file;
 * both use model-load-util.c.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "model-load-util.h"

/* --- golden models ---------------------------------------------------------------- */

static void
check_clip_preprocess (const clip_preprocess_params *p,
                       int                           size)
{
  static const float mean[3] = { 0.48145466f, 0.4578275f, 0.40821073f };
  static const float std[3] = { 0.26862954f, 0.26130258f, 0.27577711f };

  g_assert_cmpint (p->shortest_edge, ==, size);
  g_assert_cmpint (p->crop_height, ==, size);
  g_assert_cmpint (p->crop_width, ==, size);
  g_assert_true (p->do_resize && p->do_center_crop && p->do_normalize);
  g_assert_cmpfloat (p->rescale_factor, ==, 1.0f / 255.0f);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (p->mean[c], ==, mean[c]);
      g_assert_cmpfloat (p->std[c], ==, std[c]);
    }
}

static void
check_tower (const clip_tower_info *t,
             int width, int layers, int heads, int mlp)
{
  g_assert_cmpint (t->width, ==, width);
  g_assert_cmpint (t->layers, ==, layers);
  g_assert_cmpint (t->heads, ==, heads);
  g_assert_cmpint (t->mlp, ==, mlp);
  g_assert_cmpint (t->act, ==, CLIP_ACT_QUICK_GELU);
  g_assert_cmpfloat (t->eps, ==, 1e-5f);
}

static void
check_tiny_info (const clip_model_info *info)
{
  check_tower (&info->vision, 64, 2, 2, 256);
  check_tower (&info->text, 64, 2, 2, 256);
  g_assert_cmpint (info->image_size, ==, 224);
  g_assert_cmpint (info->patch_size, ==, 32);
  g_assert_cmpint (info->num_channels, ==, 3);
  g_assert_cmpint (info->context_length, ==, 77);
  g_assert_cmpint (info->vocab_size, ==, 49408);
  g_assert_cmpint (info->embed_dim, ==, 32);
  g_assert_cmpuint (info->n_params, ==, TINY_PARAMS);
}

static void
test_golden_tiny (void)
{
  g_autofree char *dir = shared_path ("testdata/clip-reference/tiny-clip");
  clip_model *model;
  const clip_model_info *info;

  if (dir == NULL)
    {
      g_test_skip ("testdata/clip-reference/tiny-clip is absent");
      return;
    }
  model = load_ok (dir);
  info = clip_model_get_info (model);
  check_tiny_info (info);
  g_assert_cmpint (info->dtype, ==, CLIP_DTYPE_F32);
  g_assert_cmpfloat (info->logit_scale, ==, 2.6592600345611572f);
  check_clip_preprocess (clip_model_get_preprocess (model), 224);
  g_assert_cmpuint (clip_model_image_floats (model), ==, 3 * 224 * 224);
  g_assert_nonnull (clip_model_get_tokenizer (model));
  g_assert_cmpint (clip_tokenizer_eot_id (clip_model_get_tokenizer (model)), ==, 49407);
  /* F32, 4-aligned in the file: used in place, nothing converted. */
  g_assert_cmpuint (model->n_buffers, ==, 0);
  clip_model_free (model);
}

static void
test_golden_tiny_f16 (void)
{
  g_autofree char *dir = shared_path ("testdata/clip-reference/tiny-clip-f16");
  g_autofree char *f32_dir = shared_path ("testdata/clip-reference/tiny-clip");
  g_autofree char *st_path = NULL, *f32_st_path = NULL;
  g_autoptr(GPtrArray) entries = NULL, f32_entries = NULL;
  clip_model *model;
  const clip_model_info *info;
  const TEntry *ls;
  guint64 n_checked = 0;

  if (dir == NULL || f32_dir == NULL)
    {
      g_test_skip ("testdata/clip-reference is absent");
      return;
    }
  model = load_ok (dir);
  info = clip_model_get_info (model);
  check_tiny_info (info);
  g_assert_cmpint (info->dtype, ==, CLIP_DTYPE_F16);
  /* Legacy "size": 224, "crop_size": 224. */
  check_clip_preprocess (clip_model_get_preprocess (model), 224);

  /* logit_scale by hand: 0x4152 = sign 0, exponent 16 - 15 = 1, mantissa
   * 0x152 = 338: (1 + 338/1024) * 2 = 2.66015625. */
  st_path = g_build_filename (dir, "model.safetensors", NULL);
  entries = tst_read (st_path);
  ls = tst_find (entries, "logit_scale");
  g_assert_cmpstr (ls->dtype, ==, "F16");
  g_assert_cmphex (entry_u16 (ls, 0), ==, 0x4152);
  g_assert_cmpfloat (half_to_double (0x4152), ==, 2.66015625);
  g_assert_cmpfloat (info->logit_scale, ==, 2.66015625f);

  /* Every converted value equals its hand-decoded half, and (the README
   * says the F16 model is the F32 one rounded to nearest even) each half
   * is the rounding of the F32 golden's value. */
  f32_st_path = g_build_filename (f32_dir, "model.safetensors", NULL);
  f32_entries = tst_read (f32_st_path);
  for (guint i = 0; i < entries->len; i++)
    {
      const TEntry *e = g_ptr_array_index (entries, i);
      const TEntry *f = tst_find (f32_entries, e->name);
      guint64 numel;
      const float *data = model_tensor (model, e->name, &numel);

      g_assert_cmpuint (e->len, ==, 2 * numel);
      for (guint64 k = 0; k < numel; k++)
        {
          guint16 h = entry_u16 (e, k);

          if (data != NULL && (double) data[k] != half_to_double (h))
            g_error ("%s[%" G_GUINT64_FORMAT "]: %.9g is not the half 0x%04x = %.9g",
                     e->name, k, data[k], h, half_to_double (h));
          if (!is_rounded (entry_f32 (f, k), h, half_to_double))
            g_error ("%s[%" G_GUINT64_FORMAT "]: 0x%04x is not %.9g rounded",
                     e->name, k, h, entry_f32 (f, k));
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, ==, TINY_PARAMS);
  /* Everything converted, into one buffer. */
  g_assert_cmpuint (model->n_buffers, ==, 1);
  clip_model_free (model);
}

static void
test_golden_toy (void)
{
  g_autofree char *dir = shared_path ("models/toy-clip");
  clip_model *model;
  const clip_model_info *info;
  guint64 numel;
  const float *tok;

  if (dir == NULL)
    {
      g_test_skip ("models/toy-clip is absent");
      return;
    }
  model = load_ok (dir);
  info = clip_model_get_info (model);
  check_tower (&info->vision, 64, 3, 1, 256);
  check_tower (&info->text, 96, 3, 4, 384);
  g_assert_cmpint (info->image_size, ==, 64);
  g_assert_cmpint (info->patch_size, ==, 8);
  g_assert_cmpint (info->context_length, ==, 77);
  g_assert_cmpint (info->vocab_size, ==, 49408);
  g_assert_cmpint (info->embed_dim, ==, 64);
  g_assert_cmpint (info->dtype, ==, CLIP_DTYPE_F16);
  g_assert_cmpuint (info->n_params, ==, TOY_PARAMS);
  g_assert_cmpuint (info->n_params, ==, expected_params (info));
  /* 0x4234: exponent 16 - 15 = 1, mantissa 0x234 = 564: (1 + 564/1024) * 2. */
  g_assert_cmpfloat (info->logit_scale, ==, 3.1015625f);
  check_clip_preprocess (clip_model_get_preprocess (model), 64);
  g_assert_cmpuint (clip_model_image_floats (model), ==, 3 * 64 * 64);
  /* The first token embedding halves are 05 23, 23 a4, 99 24, d6 25 on
   * disk: 0x2305 = (1 + 773/1024) * 2^-7, 0xa423 negative, ... */
  tok = model_tensor (model, "text_model.embeddings.token_embedding.weight", &numel);
  g_assert_cmpuint (numel, ==, 49408 * 96);
  g_assert_cmpfloat (tok[0], ==, (1.0 + 773.0 / 1024.0) / 128.0);
  g_assert_cmpfloat (tok[0], ==, 0.01371002197265625);
  g_assert_cmpfloat (tok[1], ==, -0.0161590576171875);
  g_assert_cmpfloat (tok[2], ==, 0.0179595947265625);
  g_assert_cmpfloat (tok[3], ==, 0.022796630859375);
  clip_model_free (model);
}

/* --- generated models ------------------------------------------------------------ */


static void
test_generated_round_trip (void)
{
  g_autofree char *parent = test_make_temp_dir ();
  static const clip_dtype dtypes[3] = { CLIP_DTYPE_F32, CLIP_DTYPE_F16, CLIP_DTYPE_BF16 };
  static const char *names[3] = { "F32", "F16", "BF16" };
  static double (*decoders[3]) (guint16) = { NULL, half_to_double, bf16_to_double };
  clip_model *models[3];
  GPtrArray *entries[3];
  g_autofree clip_tensor_spec *specs = NULL;
  size_t n_specs;

  for (int d = 0; d < 3; d++)
    {
      g_autofree char *dir = g_build_filename (parent, names[d], NULL);
      g_autofree char *st = g_build_filename (dir, "model.safetensors", NULL);
      gsize len;
      g_autofree char *bytes = NULL;

      write_tiny (dir, dtypes[d]);
      models[d] = load_ok (dir);
      entries[d] = tst_read (st);
      check_tiny_info (clip_model_get_info (models[d]));
      g_assert_cmpuint (clip_model_get_info (models[d])->n_params, ==,
                        expected_params (clip_model_get_info (models[d])));
      g_assert_cmpint (clip_model_get_info (models[d])->dtype, ==, dtypes[d]);
      check_clip_preprocess (clip_model_get_preprocess (models[d]), 224);
      g_assert_cmpuint (entries[d]->len, ==, 78);
      /* The data section starts 8-aligned. */
      bytes = read_bytes (st, &len);
      g_assert_cmpuint ((8 + read_le64 ((const guint8 *) bytes)) % 8, ==, 0);
    }
  g_assert_cmpfloat (clip_model_get_info (models[0])->logit_scale, ==, (float) log (1 / 0.07));

  /* The F16 and BF16 files hold the F32 weights rounded to nearest even,
   * and the loader decodes them exactly. */
  specs = clip_model_tensor_specs (&models[0]->info, NULL, &n_specs);
  for (size_t i = 0; i < n_specs; i++)
    {
      const TEntry *f = tst_find (entries[0], specs[i].name);
      guint64 numel;
      const float *ref = model_tensor (models[0], specs[i].name, &numel);
      double sum = 0, sum2 = 0;

      for (guint64 k = 0; k < numel; k++)
        {
          float v = entry_f32 (f, k);

          g_assert_true (ref == NULL || ref[k] == v);
          g_assert_true (isfinite (v));
          sum += v;
          sum2 += (double) v * v;
        }
      /* Sensible scales: weights about 0.02, norm weights about 1. */
      if (specs[i].init == CLIP_INIT_NORM_WEIGHT)
        g_assert_cmpfloat (fabs (sum / (double) numel - 1.0), <, 0.02);
      else if (specs[i].init == CLIP_INIT_LINEAR && numel > 1000)
        g_assert_cmpfloat (fabs (sqrt (sum2 / (double) numel) - 0.02), <, 0.002);

      for (int d = 1; d < 3; d++)
        {
          const TEntry *e = tst_find (entries[d], specs[i].name);
          const float *data = model_tensor (models[d], specs[i].name, &numel);

          g_assert_cmpstr (e->dtype, ==, names[d]);
          for (guint64 k = 0; k < numel; k++)
            {
              guint16 h = entry_u16 (e, k);

              if (!is_rounded (entry_f32 (f, k), h, decoders[d]))
                g_error ("%s %s[%" G_GUINT64_FORMAT "]: 0x%04x is not %.9g rounded",
                         names[d], specs[i].name, k, h, entry_f32 (f, k));
              g_assert_true (data == NULL || (double) data[k] == decoders[d] (h));
            }
        }
    }
  g_assert_cmpfloat (clip_model_get_info (models[1])->logit_scale, ==,
                     (float) half_to_double (clip_f32_to_f16 ((float) log (1 / 0.07))));

  for (int d = 0; d < 3; d++)
    {
      clip_model_free (models[d]);
      g_ptr_array_unref (entries[d]);
    }
  test_rm_rf (parent);
}

static void
test_generated_deterministic (void)
{
  g_autofree char *parent = test_make_temp_dir ();
  g_autofree char *a = g_build_filename (parent, "a", NULL);
  g_autofree char *b = g_build_filename (parent, "b", NULL);

  write_tiny (a, CLIP_DTYPE_F16);
  write_tiny (b, CLIP_DTYPE_F16);
  for (gsize i = 0; i < G_N_ELEMENTS (model_files); i++)
    {
      g_autofree char *pa = g_build_filename (a, model_files[i], NULL);
      g_autofree char *pb = g_build_filename (b, model_files[i], NULL);
      gsize la, lb;
      g_autofree char *ca = read_bytes (pa, &la);
      g_autofree char *cb = read_bytes (pb, &lb);

      g_assert_cmpmem (ca, la, cb, lb);
    }
  test_rm_rf (parent);
}

static void
test_generated_tokenizer (void)
{
  g_autofree char *dir = test_make_temp_dir ();
  clip_test_model_spec spec;
  clip_model *model;
  const clip_tokenizer *tok;
  char *error = NULL;
  int32_t ids[16];
  int n;

  g_assert_cmpint (clip_test_model_preset ("tiny", &spec, NULL), ==, CLIP_STATUS_OK);
  spec.shape.vocab_size = 5000;
  g_assert_cmpint (clip_test_model_write (&spec, dir, &error), ==, CLIP_STATUS_OK);
  model = load_ok (dir);
  tok = clip_model_get_tokenizer (model);
  g_assert_cmpint (clip_tokenizer_vocab_size (tok), ==, 5000);
  g_assert_cmpint (clip_tokenizer_sot_id (tok), ==, 4998);
  g_assert_cmpint (clip_tokenizer_eot_id (tok), ==, 4999);
  n = clip_tokenizer_encode (tok, "a photo of a cat!", -1, ids, 16);
  g_assert_cmpint (n, >, 2);
  g_assert_cmpint (ids[0], ==, 4998);
  g_assert_cmpint (ids[n - 1], ==, 4999);
  for (int i = 0; i < n; i++)
    g_assert_cmpint (ids[i], <, 5000);
  clip_model_free (model);
  test_rm_rf (dir);

  /* Too small for the byte symbols and the two special tokens. */
  spec.shape.vocab_size = 513;
  g_assert_cmpint (clip_test_model_write (&spec, "/nonexistent/never-written", &error),
                   ==, CLIP_STATUS_INVALID_ARGUMENT);
  g_test_message ("%s", error);
  g_assert_nonnull (strstr (error, "513"));
  clip_free (error);
}

static void
test_presets (void)
{
  clip_test_model_spec spec;
  char *error = NULL;
  static const struct {
    const char *name;
    int image, patch, vw, vl, vh, vm, tw, tl, th, tm, embed;
  } presets[] = {
    { "vit-b-32", 224, 32, 768, 12, 12, 3072, 512, 12, 8, 2048, 512 },
    { "vit-b-16", 224, 16, 768, 12, 12, 3072, 512, 12, 8, 2048, 512 },
    { "vit-l-14", 224, 14, 1024, 24, 16, 4096, 768, 12, 12, 3072, 768 },
    { "vit-l-14-336", 336, 14, 1024, 24, 16, 4096, 768, 12, 12, 3072, 768 },
    { "tiny", 224, 32, 64, 2, 2, 256, 64, 2, 2, 256, 32 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      const clip_model_info *s = &spec.shape;

      g_assert_cmpint (clip_test_model_preset (presets[i].name, &spec, &error), ==, CLIP_STATUS_OK);
      g_assert_cmpint (s->image_size, ==, presets[i].image);
      g_assert_cmpint (s->patch_size, ==, presets[i].patch);
      check_tower (&s->vision, presets[i].vw, presets[i].vl, presets[i].vh, presets[i].vm);
      check_tower (&s->text, presets[i].tw, presets[i].tl, presets[i].th, presets[i].tm);
      g_assert_cmpint (s->embed_dim, ==, presets[i].embed);
      g_assert_cmpint (s->context_length, ==, 77);
      g_assert_cmpint (s->vocab_size, ==, 49408);
      g_assert_cmpfloat (fabs (s->logit_scale - 2.6592600f), <, 1e-6);
      g_assert_cmpint (spec.preprocess.shortest_edge, ==, presets[i].image);
      g_assert_cmpint (spec.preprocess.crop_width, ==, presets[i].image);
    }
  /* The parameter count of ViT-B/32 (openai/clip-vit-base-patch32):
   * text 25,296,896 + 39,424 + 12 x 3,152,384 + 1,024 + 262,144;
   * vision 768 + 2,359,296 + 38,400 + 1,536 + 12 x 7,087,872 + 1,536
   * + 393,216; plus logit_scale. */
  g_assert_cmpint (clip_test_model_preset ("vit-b-32", &spec, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpuint (expected_params (&spec.shape), ==, VIT_B_32_PARAMS);
  g_assert_cmpint (clip_test_model_preset ("tiny", &spec, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpuint (expected_params (&spec.shape), ==, TINY_PARAMS);

  g_assert_cmpint (clip_test_model_preset ("vit-h-14", &spec, &error), ==,
                   CLIP_STATUS_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error, "vit-h-14"));
  clip_free (error);
}

/* --- broken variants of the base model ------------------------------------------- */

static void
test_base_loads (Broken        *f,
                 gconstpointer  data)
{
  clip_model *model = load_ok (f->dir);

  check_tiny_info (clip_model_get_info (model));
  clip_model_free (model);
  clip_model_free (NULL);
}

static void
test_missing_file (Broken        *f,
                   gconstpointer  data)
{
  const char *name = data;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *expected = g_strdup_printf ("%s: No such file", path);

  g_assert_cmpint (g_unlink (path), ==, 0);
  expect_error (f->dir, CLIP_STATUS_IO, expected, NULL);
}

static void
test_missing_dir (void)
{
  expect_error ("/nonexistent/clipsight-model", CLIP_STATUS_IO,
                "/nonexistent/clipsight-model/config.json: No such file", NULL);
}

/* Puts the base model's file back into the fixture. */
static void
restore_file (Broken     *f,
              const char *name)
{
  g_autofree char *from = g_build_filename (base_dir, name, NULL);
  g_autofree char *to = g_build_filename (f->dir, name, NULL);
  gsize len;
  g_autofree char *text = read_bytes (from, &len);

  write_bytes (to, text, len);
}

/* Rewrites a JSON file of the fixture through `edit`. */
static void
edit_json (const char  *path,
           void       (*edit) (JsonObject *root, gconstpointer data),
           gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  GError *gerror = NULL;
  gsize len;

  json_parser_load_from_file (parser, path, &gerror);
  g_assert_no_error (gerror);
  edit (json_node_get_object (json_parser_get_root (parser)), data);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  write_bytes (path, text, len);
}

static void
test_config_not_json (Broken        *f,
                      gconstpointer  data)
{
  write_bytes (f->config_path, "{\"projection_dim\": 32,", 22);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->config_path, "not valid JSON", NULL);
  write_bytes (f->config_path, "[1, 2]", 6);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->config_path, "not a JSON object", NULL);
}

static void
remove_text_config (JsonObject   *root,
                    gconstpointer data)
{
  json_object_remove_member (root, "text_config");
}

static void
test_config_no_text_config (Broken        *f,
                            gconstpointer  data)
{
  /* Legal (CLIPTextConfig's defaults: width 512), but the weights are 64. */
  edit_json (f->config_path, remove_text_config, NULL);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, f->st_path, "has shape [",
                ", 64], config.json says [", ", 512]", NULL);
}

static void
rename_to_dict (JsonObject   *root,
                gconstpointer data)
{
  JsonNode *text = json_object_dup_member (root, "text_config");
  JsonNode *vision = json_object_dup_member (root, "vision_config");

  json_object_remove_member (root, "text_config");
  json_object_remove_member (root, "vision_config");
  json_object_set_member (root, "text_config_dict", text);
  json_object_set_member (root, "vision_config_dict", vision);
}

static void
add_wrong_text_config (JsonObject   *root,
                       gconstpointer data)
{
  /* transformers rebuilds the config from text_config_dict when both are
   * present, so these values must not be used. */
  json_object_set_member (root, "text_config",
                          json_from_string ("{\"hidden_size\": 512, \"num_hidden_layers\": 7}", NULL));
}

static void
test_config_legacy_dict (Broken        *f,
                         gconstpointer  data)
{
  clip_model *model;

  edit_json (f->config_path, rename_to_dict, NULL);
  model = load_ok (f->dir);
  check_tiny_info (clip_model_get_info (model));
  clip_model_free (model);

  edit_json (f->config_path, add_wrong_text_config, NULL);
  model = load_ok (f->dir);
  check_tiny_info (clip_model_get_info (model));
  clip_model_free (model);
}

static void
set_legacy_ids (JsonObject   *root,
                gconstpointer data)
{
  JsonObject *text = json_object_get_object_member (root, "text_config");

  /* openai/clip-vit-base-patch32's config.json still says this. */
  json_object_set_int_member (text, "bos_token_id", 0);
  json_object_set_int_member (text, "eos_token_id", 2);
  json_object_set_int_member (text, "pad_token_id", 1);
}

static void
test_config_legacy_ids (Broken        *f,
                        gconstpointer  data)
{
  clip_model *model;
  const clip_tokenizer *tok;

  edit_json (f->config_path, set_legacy_ids, NULL);
  model = load_ok (f->dir);
  tok = clip_model_get_tokenizer (model);
  g_assert_cmpint (clip_tokenizer_sot_id (tok), ==, clip_tokenizer_vocab_size (tok) - 2);
  g_assert_cmpint (clip_tokenizer_eot_id (tok), ==, clip_tokenizer_vocab_size (tok) - 1);
  clip_model_free (model);
}

typedef struct {
  const char *section; /* NULL: top level */
  const char *key;
  const char *json;    /* the new value; NULL removes the key */
} Edit;

static void
apply_edit (JsonObject   *root,
            gconstpointer data)
{
  const Edit *e = data;
  JsonObject *obj = e->section ? json_object_get_object_member (root, e->section) : root;

  if (e->json == NULL)
    json_object_remove_member (obj, e->key);
  else
    json_object_set_member (obj, e->key, json_from_string (e->json, NULL));
}

static void
test_config_activation (Broken        *f,
                        gconstpointer  data)
{
  Edit relu = { "vision_config", "hidden_act", "\"relu\"" };
  Edit gelu_new = { "text_config", "hidden_act", "\"gelu_new\"" };
  Edit gelu = { "vision_config", "hidden_act", "\"gelu\"" };
  clip_model *model;

  edit_json (f->config_path, apply_edit, &relu);
  expect_error (f->dir, CLIP_STATUS_UNSUPPORTED, f->config_path,
                "vision_config.hidden_act 'relu' is not supported", NULL);
  restore_file (f, "config.json");
  edit_json (f->config_path, apply_edit, &gelu_new);
  expect_error (f->dir, CLIP_STATUS_UNSUPPORTED, "text_config.hidden_act 'gelu_new'", NULL);

  gelu_new.json = "\"quick_gelu\"";
  edit_json (f->config_path, apply_edit, &gelu_new);
  edit_json (f->config_path, apply_edit, &gelu);
  model = load_ok (f->dir);
  g_assert_cmpint (clip_model_get_info (model)->vision.act, ==, CLIP_ACT_GELU);
  g_assert_cmpint (clip_model_get_info (model)->text.act, ==, CLIP_ACT_QUICK_GELU);
  clip_model_free (model);
}

typedef struct {
  Edit        edit;
  clip_status status;
  const char *message;
} ConfigCase;

static const ConfigCase config_cases[] = {
  { { "vision_config", "hidden_size", "-64" }, CLIP_STATUS_FORMAT,
    "config.json: vision_config.hidden_size must be a positive integer" },
  { { "vision_config", "hidden_size", "0" }, CLIP_STATUS_FORMAT,
    "vision_config.hidden_size must be a positive integer" },
  { { "text_config", "num_hidden_layers", "\"2\"" }, CLIP_STATUS_FORMAT,
    "config.json: text_config.num_hidden_layers must be a positive integer" },
  { { "text_config", "intermediate_size", "256.5" }, CLIP_STATUS_FORMAT,
    "text_config.intermediate_size must be a positive integer" },
  { { "text_config", "layer_norm_eps", "0" }, CLIP_STATUS_FORMAT,
    "text_config.layer_norm_eps must be a positive number" },
  { { "text_config", "layer_norm_eps", "-1e-5" }, CLIP_STATUS_FORMAT,
    "config.json: text_config.layer_norm_eps must be a positive number" },
  { { "vision_config", "layer_norm_eps", "100.0" }, CLIP_STATUS_FORMAT,
    "config.json: vision_config.layer_norm_eps 100 is implausibly large" },
  { { "text_config", "num_attention_heads", "3" }, CLIP_STATUS_FORMAT,
    "text_config.hidden_size 64 is not divisible by num_attention_heads 3" },
  { { "vision_config", "patch_size", "30" }, CLIP_STATUS_FORMAT,
    "vision_config.image_size 224 is not divisible by patch_size 30" },
  { { "vision_config", "num_channels", "1" }, CLIP_STATUS_UNSUPPORTED,
    "vision_config.num_channels 1 is not supported" },
  { { NULL, "projection_dim", "null" }, CLIP_STATUS_FORMAT,
    "config.json: projection_dim must be a positive integer" },
  { { NULL, "vision_config", "[]" }, CLIP_STATUS_FORMAT,
    "config.json: vision_config must be an object" },
  { { "text_config", "hidden_size", "1000000000" }, CLIP_STATUS_UNSUPPORTED,
    "text_config.hidden_size = 1000000000 is implausibly large" },
  { { "text_config", "max_position_embeddings", "1" }, CLIP_STATUS_FORMAT,
    "max_position_embeddings 1 leaves no room" },
  /* Agreeing JSON, disagreeing weights. */
  { { NULL, "projection_dim", "33" }, CLIP_STATUS_MISMATCH,
    "tensor 'text_projection.weight' has shape [32, 64], config.json says [33, 64]" },
  { { "vision_config", "num_hidden_layers", "3" }, CLIP_STATUS_MISMATCH,
    "tensor 'vision_model.encoder.layers.2.layer_norm1.bias' is missing" },
  { { "text_config", "max_position_embeddings", "78" }, CLIP_STATUS_MISMATCH,
    "tensor 'text_model.embeddings.position_embedding.weight' has shape [77, 64], "
    "config.json says [78, 64]" },
  /* The tokenizer has 49408 entries; the embedding table must cover them. */
  { { "text_config", "vocab_size", "49000" }, CLIP_STATUS_MISMATCH,
    "vocab.json: 49408 entries" },
};

static void
test_config_case (Broken        *f,
                  gconstpointer  data)
{
  const ConfigCase *c = data;

  edit_json (f->config_path, apply_edit, &c->edit);
  expect_error (f->dir, c->status, c->message, NULL);
}

static const ConfigCase preprocess_cases[] = {
  { { NULL, "image_mean", NULL }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_mean is missing" },
  { { NULL, "image_std", NULL }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_std is missing" },
  { { NULL, "image_std", "[0.26, 0.0, 0.27]" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_std[1] must be a positive number" },
  { { NULL, "image_mean", "[0.5, 0.5]" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_mean must be an array of three numbers" },
  { { NULL, "crop_size", "{\"height\": 224, \"width\": 200}" }, CLIP_STATUS_MISMATCH,
    "preprocessor_config.json: crop_size 200x224 differs from config.json's vision_config.image_size 224" },
  { { NULL, "crop_size", "256" }, CLIP_STATUS_MISMATCH, "crop_size 256x256 differs" },
  { { NULL, "size", "\"224\"" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: size must be a positive integer" },
  { { NULL, "do_resize", "1" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: do_resize must be true or false" },
  { { NULL, "rescale_factor", "-1" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: rescale_factor must be a positive number" },
  /* finite but absurd: a pixel over a std near 0 overflows the layer norm */
  { { NULL, "image_std", "1000000.0" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_std[0] = 1e+06 is implausible" },
  { { NULL, "image_mean", "[0.5, 1000000.0, 0.5]" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: image_mean[1] = 1e+06 is implausibly large" },
  { { NULL, "rescale_factor", "1000.0" }, CLIP_STATUS_FORMAT,
    "preprocessor_config.json: rescale_factor 1000 is implausibly large" },
};

static void
test_preprocess_case (Broken        *f,
                      gconstpointer  data)
{
  const ConfigCase *c = data;

  edit_json (f->preprocess_path, apply_edit, &c->edit);
  expect_error (f->dir, c->status, c->message, NULL);
}

static void
test_preprocess_layouts (Broken        *f,
                         gconstpointer  data)
{
  static const char legacy[] =
    "{\"crop_size\": 224, \"do_center_crop\": true, \"do_normalize\": false,"
    " \"do_resize\": true, \"size\": 224}";
  static const char hw[] =
    "{\"crop_size\": {\"height\": 224, \"width\": 224}, \"size\": {\"height\": 256, \"width\": 240},"
    " \"do_rescale\": false, \"image_mean\": 0.5, \"image_std\": [0.5, 0.25, 0.125]}";
  clip_model *model;
  const clip_preprocess_params *p;

  /* Without normalisation mean and std may be absent. */
  write_bytes (f->preprocess_path, legacy, strlen (legacy));
  model = load_ok (f->dir);
  p = clip_model_get_preprocess (model);
  g_assert_cmpint (p->shortest_edge, ==, 224);
  g_assert_cmpint (p->crop_height, ==, 224);
  g_assert_false (p->do_normalize);
  g_assert_cmpfloat (p->rescale_factor, ==, 1.0f / 255.0f);
  clip_model_free (model);

  /* {"height", "width"}: the short side gets the smaller; one number for
   * every channel; no rescaling is a factor of 1. */
  write_bytes (f->preprocess_path, hw, strlen (hw));
  model = load_ok (f->dir);
  p = clip_model_get_preprocess (model);
  g_assert_cmpint (p->shortest_edge, ==, 240);
  g_assert_cmpfloat (p->rescale_factor, ==, 1.0f);
  g_assert_cmpfloat (p->mean[2], ==, 0.5f);
  g_assert_cmpfloat (p->std[2], ==, 0.125f);
  clip_model_free (model);
}

/* Numbers such as 1e999 or 1e-30 (json-glib reads the first as an
 * infinity and writes neither back readably: the file is edited as
 * text). */
static void
edit_to_infinity (const char *path,
                  const Edit *edit,
                  const char *literal)
{
  Edit e = *edit;
  gsize len;
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *joined = NULL;

  e.json = "[123456.5, 654321.5, 0.25]";
  if (strchr (literal, '[') == NULL)
    e.json = "123456.5";
  edit_json (path, apply_edit, &e);
  text = read_bytes (path, &len);
  if (strchr (literal, '[') == NULL)
    {
      parts = g_strsplit (text, "123456.5", 2);
      joined = g_strjoinv (literal, parts);
    }
  else
    {
      char *open = strstr (text, "123456.5"), *close = strstr (text, "0.25");

      g_assert_nonnull (open);
      g_assert_nonnull (close);
      while (open > text && *open != '[')
        open--;
      close += 4;
      while (*close != ']')
        close++;
      joined = g_strdup_printf ("%.*s%s%s", (int) (open - text), text, literal, close + 1);
    }
  write_bytes (path, joined, strlen (joined));
}

static void
test_json_infinity (Broken        *f,
                    gconstpointer  data)
{
  static const Edit eps = { "text_config", "layer_norm_eps", NULL };
  static const Edit std = { NULL, "image_std", NULL };
  static const Edit mean = { NULL, "image_mean", NULL };

  edit_to_infinity (f->config_path, &eps, "1e999");
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->config_path,
                "text_config.layer_norm_eps must be a positive number", NULL);
  restore_file (f, "config.json");
  edit_to_infinity (f->preprocess_path, &std, "1e999");
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->preprocess_path,
                "image_std[0] must be a positive number", NULL);
  edit_to_infinity (f->preprocess_path, &std, "[0.26, 1e999, 0.27]");
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->preprocess_path,
                "image_std[1] must be a positive number", NULL);
  restore_file (f, "preprocessor_config.json");
  edit_to_infinity (f->preprocess_path, &mean, "[0.5, -1e999, 0.5]");
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->preprocess_path,
                "image_mean[1] must be a finite number", NULL);
  /* and finite, but a std near 0 sends pixels past float32 */
  restore_file (f, "preprocessor_config.json");
  edit_to_infinity (f->preprocess_path, &std, "[0.26, 1e-30, 0.27]");
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->preprocess_path,
                "image_std[1] = 1e-30 is implausible", NULL);
}

/* --- main ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  base_parent = test_make_temp_dir ();
  base_dir = g_build_filename (base_parent, "tiny", NULL);
  write_tiny (base_dir, CLIP_DTYPE_F32);

  g_test_add_func ("/engine/model-load/golden/tiny-clip", test_golden_tiny);
  g_test_add_func ("/engine/model-load/golden/tiny-clip-f16", test_golden_tiny_f16);
  g_test_add_func ("/engine/model-load/golden/toy-clip", test_golden_toy);
  g_test_add_func ("/engine/model-load/generated/round-trip", test_generated_round_trip);
  g_test_add_func ("/engine/model-load/generated/deterministic", test_generated_deterministic);
  g_test_add_func ("/engine/model-load/generated/tokenizer", test_generated_tokenizer);
  g_test_add_func ("/engine/model-load/generated/presets", test_presets);
  g_test_add_func ("/engine/model-load/missing/directory", test_missing_dir);

#define ADD(path, func, data) \
  g_test_add ("/engine/model-load/" path, Broken, data, broken_setup, func, broken_teardown)
  ADD ("base", test_base_loads, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (model_files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/model-load/missing/%s", model_files[i]);

      g_test_add (path, Broken, model_files[i], broken_setup, test_missing_file, broken_teardown);
    }
  ADD ("config/not-json", test_config_not_json, NULL);
  ADD ("config/no-text-config", test_config_no_text_config, NULL);
  ADD ("config/legacy-dict", test_config_legacy_dict, NULL);
  ADD ("config/legacy-special-ids", test_config_legacy_ids, NULL);
  ADD ("config/activation", test_config_activation, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (config_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/model-load/config/case-%02zu-%s",
                                               i, config_cases[i].edit.key);

      g_test_add (path, Broken, &config_cases[i], broken_setup, test_config_case, broken_teardown);
    }
  ADD ("preprocess/layouts", test_preprocess_layouts, NULL);
  ADD ("json-infinity", test_json_infinity, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (preprocess_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/model-load/preprocess/case-%02zu-%s",
                                               i, preprocess_cases[i].edit.key);

      g_test_add (path, Broken, &preprocess_cases[i], broken_setup, test_preprocess_case,
                  broken_teardown);
    }
#undef ADD

  result = g_test_run ();
  test_rm_rf (base_parent);
  g_free (base_dir);
  g_free (base_parent);
  return result;
}
