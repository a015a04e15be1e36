/* test-model-safetensors.c - refusing broken model.safetensors files, and
 * the checks of the values in a loaded model (non-finite values, an absurd
 * logit_scale, an overflow, a token id past the embedding).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The broken files are written by model-load-util.c's own small writer,
 * never by the production one.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "model-load-util.h"

/* --- broken safetensors -------------------------------------------------------- */

static GPtrArray *
base_entries (void)
{
  g_autofree char *path = g_build_filename (base_dir, "model.safetensors", NULL);

  return tst_read (path);
}

static void
test_st_rewrite_loads (Broken        *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  clip_model *model;

  /* The test writer's own output is accepted as it is. */
  tst_write (f->st_path, entries, 0);
  model = load_ok (f->dir);
  clip_model_free (model);
}

static void
test_st_header_past_end (Broken        *f,
                         gconstpointer  data)
{
  gsize len;
  g_autofree guint8 *bytes = (guint8 *) read_bytes (f->st_path, &len);
  guint64 lie = len; /* 8 more than is there */

  for (int i = 0; i < 8; i++)
    bytes[i] = (guint8) (lie >> (8 * i));
  write_bytes (f->st_path, bytes, len);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path,
                "runs past the end of the file", NULL);

  lie = G_MAXUINT64;
  for (int i = 0; i < 8; i++)
    bytes[i] = (guint8) (lie >> (8 * i));
  write_bytes (f->st_path, bytes, len);
  expect_error (f->dir, CLIP_STATUS_FORMAT, "runs past the end of the file", NULL);
}

static void
test_st_header_not_json (Broken        *f,
                         gconstpointer  data)
{
  static const guint8 bad[] = { 16, 0, 0, 0, 0, 0, 0, 0,
                                '{', '"', 'a', '"', ':', ' ', 'n', 'o', 'p', 'e', ' ', ' ', ' ', ' ', ' ', ' ',
                                0, 0, 0, 0 };
  static const guint8 array[] = { 8, 0, 0, 0, 0, 0, 0, 0, '[', ']', ' ', ' ', ' ', ' ', ' ', ' ' };

  write_bytes (f->st_path, bad, sizeof bad);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "the header is not valid JSON", NULL);
  write_bytes (f->st_path, array, sizeof array);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "the header is not a JSON object", NULL);
}

static void
test_st_too_short (Broken        *f,
                   gconstpointer  data)
{
  write_bytes (f->st_path, "\x10\0\0", 3);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "3 bytes is too short", NULL);
  write_bytes (f->st_path, "", 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "0 bytes is too short", NULL);
}

static void
test_st_truncated (Broken        *f,
                   gconstpointer  data)
{
  gsize len;
  g_autofree char *bytes = read_bytes (f->st_path, &len);

  /* The last tensor (by offset) loses its final 100 bytes. */
  write_bytes (f->st_path, bytes, len - 100);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "lie outside the",
                "the file is truncated", NULL);
}

static void
test_st_outside (Broken        *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "vision_model.post_layernorm.bias");

  e->fixed_offsets = TRUE;
  e->begin = 100000000;
  e->end = e->begin + 256;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path,
                "tensor 'vision_model.post_layernorm.bias': bytes [100000000, 100000256) lie outside",
                NULL);
}

static void
test_st_overlap (Broken        *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "vision_model.post_layernorm.bias");

  /* Inside the text position embedding, which follows the four bytes of
   * logit_scale in the production writer's (name) order. */
  e->fixed_offsets = TRUE;
  e->begin = 4 + 128;
  e->end = e->begin + 256;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "overlap",
                "'vision_model.post_layernorm.bias' [132, 388)", NULL);
}

static void
test_st_unknown_dtype (Broken        *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "text_model.final_layer_norm.weight");

  g_free (e->dtype);
  e->dtype = g_strdup ("F7");
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path,
                "tensor 'text_model.final_layer_norm.weight' has unknown dtype 'F7'", NULL);
}

static void
test_st_size_mismatch (Broken        *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "text_model.final_layer_norm.weight");

  /* 64 F32 values are 256 bytes; claim 65 elements. */
  e->shape[0] = 65;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path,
                "tensor 'text_model.final_layer_norm.weight' (F32 [65]) needs 260 bytes", NULL);
}

static void
test_st_bad_entries (Broken        *f,
                     gconstpointer  data)
{
  static const struct {
    const char *header;
    const char *message;
  } cases[] = {
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
      "tensor 't': shape entry 0 is not a non-negative integer" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
      "tensor 't': shape entry 0 is not a non-negative integer" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
      "tensor 't': the element count of its shape overflows" },
    { "{\"t\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,4]}}",
      "tensor 't': the byte count of its shape overflows" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
      "tensor 't': data_offsets [4, 0] end before they begin" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
      "tensor 't': \"data_offsets\" must be two non-negative integers" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}",
      "tensor 't': \"data_offsets\" must be two non-negative integers" },
    { "{\"t\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}",
      "tensor 't': \"dtype\" is missing or not a string" },
    { "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
      "tensor 't': \"shape\" is missing or not an array" },
    { "{\"t\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}",
      "tensor 't' has 9 dimensions" },
    { "{\"t\":[]}", "tensor 't': the header entry is not an object" },
    { "{\"__metadata__\":{\"format\":1}}", "\"__metadata__\" entry 'format' is not a string" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) file = g_byte_array_new ();
      guint64 n = strlen (cases[i].header);
      guint8 len_bytes[8];

      for (int b = 0; b < 8; b++)
        len_bytes[b] = (guint8) (n >> (8 * b));
      g_byte_array_append (file, len_bytes, 8);
      g_byte_array_append (file, (const guint8 *) cases[i].header, (guint) n);
      g_byte_array_append (file, (const guint8 *) "\0\0\0\0", 4);
      write_bytes (f->st_path, file->data, file->len);
      expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, cases[i].message, NULL);
    }
}

static void
test_st_shape_mismatch (Broken        *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "text_projection.weight");

  /* Transposed: same bytes, the wrong way round. */
  e->shape[0] = 64;
  e->shape[1] = 32;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, f->st_path,
                "tensor 'text_projection.weight' has shape [64, 32], config.json says [32, 64]",
                NULL);

  g_ptr_array_unref (entries);
  entries = base_entries ();
  e = tst_find (entries, "vision_model.embeddings.patch_embedding.weight");
  e->n_dims = 2;
  e->shape[0] = 64;
  e->shape[1] = 3 * 32 * 32;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_MISMATCH,
                "tensor 'vision_model.embeddings.patch_embedding.weight' has shape [64, 3072], "
                "config.json says [64, 3, 32, 32]", NULL);
}

static void
test_st_missing_tensor (Broken        *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();

  tst_remove (entries, "vision_model.encoder.layers.1.self_attn.v_proj.bias");
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, f->st_path,
                "tensor 'vision_model.encoder.layers.1.self_attn.v_proj.bias' is missing", NULL);

  g_ptr_array_unref (entries);
  entries = base_entries ();
  tst_remove (entries, "logit_scale");
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, "tensor 'logit_scale' is missing", NULL);
}

static void
test_st_wrong_dtype (Broken        *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "text_model.encoder.layers.0.layer_norm2.weight");
  static const struct { const char *dtype; gsize size; } dtypes[] = {
    { "I64", 8 }, { "F64", 8 }, { "I32", 4 }, { "U8", 1 }, { "F8_E4M3", 1 }, { "BOOL", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autofree char *expected = g_strdup_printf (
        "tensor 'text_model.encoder.layers.0.layer_norm2.weight' has dtype %s "
        "(only F32, F16 and BF16 weights are supported)", dtypes[i].dtype);

      g_free (e->dtype);
      e->dtype = g_strdup (dtypes[i].dtype);
      g_free (e->data);
      e->len = 64 * dtypes[i].size;
      e->data = g_malloc0 (e->len);
      tst_write (f->st_path, entries, 0);
      expect_error (f->dir, CLIP_STATUS_UNSUPPORTED, f->st_path, expected, NULL);
    }
}

static void
test_st_extras_ignored (Broken        *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  gint64 ids[77];
  gint64 shape[2] = { 1, 77 };
  clip_model *model;

  for (int i = 0; i < 77; i++)
    ids[i] = GINT64_TO_LE (i);
  /* transformers' int64 buffers, and an unrelated tensor. */
  tst_add (entries, "text_model.embeddings.position_ids", "I64", 2, shape, ids, sizeof ids);
  shape[1] = 50;
  tst_add (entries, "vision_model.embeddings.position_ids", "I64", 2, shape, ids, 50 * 8);
  tst_add (entries, "something.else", "U8", 1, (gint64[]) { 3 }, "abc", 3);
  tst_add (entries, "empty", "F32", 2, (gint64[]) { 0, 5 }, "", 0);
  tst_write (f->st_path, entries, 0);
  model = load_ok (f->dir);
  g_assert_cmpuint (clip_model_get_info (model)->n_params, ==, TINY_PARAMS);
  clip_model_free (model);
}

static void
test_st_logit_scale_1 (Broken        *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "logit_scale");
  clip_model *model;

  e->n_dims = 1;
  e->shape[0] = 1;
  tst_write (f->st_path, entries, 0);
  model = load_ok (f->dir);
  g_assert_cmpfloat (clip_model_get_info (model)->logit_scale, ==, (float) log (1 / 0.07));
  clip_model_free (model);

  e->shape[0] = 2;
  g_free (e->data);
  e->data = g_malloc0 (8);
  e->len = 8;
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, "tensor 'logit_scale' has shape [2], config.json says []",
                NULL);
}

static void
test_st_unaligned_and_mixed (Broken        *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "text_model.final_layer_norm.weight");
  clip_model *model;
  guint64 numel;
  const float *w;

  /* A BF16 tensor among F32 ones, by hand: 0x3f80 = 1.0, 0xc040 = -3.0. */
  g_free (e->data);
  e->data = g_malloc0 (128);
  e->len = 128;
  g_free (e->dtype);
  e->dtype = g_strdup ("BF16");
  e->data[0] = 0x80;
  e->data[1] = 0x3f;
  e->data[10] = 0x40;
  e->data[11] = 0xc0;
  /* The data starts at an odd offset, so no F32 tensor is aligned. */
  tst_write (f->st_path, entries, 1);
  model = load_ok (f->dir);
  g_assert_cmpint (clip_model_get_info (model)->dtype, ==, CLIP_DTYPE_F32);
  w = model_tensor (model, "text_model.final_layer_norm.weight", &numel);
  g_assert_cmpfloat (w[0], ==, 1.0f);
  g_assert_cmpfloat (w[5], ==, -3.0f);
  g_assert_cmpfloat (w[6], ==, 0.0f);
  w = model_tensor (model, "text_model.final_layer_norm.bias", &numel);
  e = tst_find (entries, "text_model.final_layer_norm.bias");
  for (guint64 k = 0; k < numel; k++)
    g_assert_cmpfloat (w[k], ==, entry_f32 (e, k));
  /* All copied, into one buffer. */
  g_assert_cmpuint (model->n_buffers, ==, 1);
  clip_model_free (model);
}

/* --- values that are not finite numbers ----------------------------------------- */

/* Sets element k of e (little-endian, e's dtype) to the bits `v`. */
static void
entry_set_bits (TEntry  *e,
                guint64  k,
                guint32  v)
{
  gsize size = strcmp (e->dtype, "F32") == 0 ? 4 : 2;

  g_assert_cmpuint ((k + 1) * size, <=, e->len);
  for (gsize b = 0; b < size; b++)
    e->data[k * size + b] = (guint8) (v >> (8 * b));
}

typedef struct {
  const char *name;     /* safetensors dtype */
  clip_dtype  dtype;
  guint32     nan, inf, neg_inf, nan_payload, max_finite, min_subnormal;
} NonFiniteCase;

static const NonFiniteCase non_finite_cases[] = {
  { "F32", CLIP_DTYPE_F32, 0x7fc00000, 0x7f800000, 0xff800000, 0x7f800001, 0x7f7fffff, 0x00000001 },
  { "F16", CLIP_DTYPE_F16, 0x7e00, 0x7c00, 0xfc00, 0x7c01, 0x7bff, 0x0001 },
  { "BF16", CLIP_DTYPE_BF16, 0x7fc0, 0x7f80, 0xff80, 0x7f81, 0x7f7f, 0x0001 },
};

/* A NaN or an infinity anywhere in any tensor is refused at load, with the
 * file, the tensor and the element named; the largest finite values and
 * the subnormals are not. */
static void
test_st_non_finite (void)
{
  for (gsize c = 0; c < G_N_ELEMENTS (non_finite_cases); c++)
    {
      const NonFiniteCase *nc = &non_finite_cases[c];
      g_autofree char *dir = test_make_temp_dir ();
      g_autofree char *st_path = g_build_filename (dir, "model.safetensors", NULL);
      g_autoptr(GPtrArray) entries = NULL;
      struct {
        const char *tensor;
        gint64      element;  /* -1: the last */
        guint32     bits;
      } poison[] = {
        { "vision_model.encoder.layers.1.mlp.fc1.weight", 12345, nc->nan },
        { "text_model.embeddings.token_embedding.weight", -1, nc->inf },
        { "vision_model.post_layernorm.bias", 0, nc->neg_inf },
        { "text_projection.weight", 7, nc->nan_payload },
      };

      write_tiny (dir, nc->dtype);
      entries = tst_read (st_path);
      g_assert_cmpstr (tst_find (entries, "text_projection.weight")->dtype, ==, nc->name);
      for (gsize i = 0; i < G_N_ELEMENTS (poison); i++)
        {
          TEntry *e = tst_find (entries, poison[i].tensor);
          gsize size = strcmp (e->dtype, "F32") == 0 ? 4 : 2;
          guint64 k = poison[i].element >= 0 ? (guint64) poison[i].element : e->len / size - 1;
          g_autofree guint8 *saved = g_memdup2 (e->data, e->len);
          g_autofree char *name = g_strdup_printf ("tensor '%s'", poison[i].tensor);
          g_autofree char *where = g_strdup_printf ("element %" G_GUINT64_FORMAT, k);
          clip_model *model = NULL;
          char *error = NULL;

          entry_set_bits (e, k, poison[i].bits);
          tst_write (st_path, entries, 0);
          expect_error (dir, CLIP_STATUS_FORMAT, st_path, name, where, "not a finite number", NULL);
          /* also when its tower is not loaded */
          g_assert_cmpint (clip_model_load_for (dir, CLIP_PRECISION_F32,
                                                g_str_has_prefix (poison[i].tensor, "text")
                                                ? CLIP_TOWER_VISION : CLIP_TOWER_TEXT,
                                                &model, &error), ==, CLIP_STATUS_FORMAT);
          g_assert_null (model);
          g_assert_nonnull (strstr (error, name));
          clip_free (error);
          memcpy (e->data, saved, e->len);
        }

      /* the extremes of the finite range load */
      entry_set_bits (tst_find (entries, "vision_model.encoder.layers.1.mlp.fc1.weight"), 12345,
                      nc->max_finite);
      entry_set_bits (tst_find (entries, "text_projection.weight"), 7, nc->max_finite | (nc->name[1] == '3' ? 0x80000000u : 0x8000u));
      entry_set_bits (tst_find (entries, "vision_model.post_layernorm.bias"), 0, nc->min_subnormal);
      tst_write (st_path, entries, 0);
      clip_model_free (load_ok (dir));
      test_rm_rf (dir);
    }
}

/* An embedding that overflows is an error, not a vector of infinities:
 * a finite model whose final layer norm gives 3e38 in every channel and
 * whose projection sums them. */
static void
test_overflow_refused (Broken        *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  const char *towers[] = { "vision_model.post_layernorm", "text_model.final_layer_norm" };
  const char *proj[] = { "visual_projection.weight", "text_projection.weight" };
  static const clip_backend backends[] = { CLIP_BACKEND_NATIVE, CLIP_BACKEND_REF };
  clip_model *model;

  for (int t = 0; t < 2; t++)
    {
      g_autofree char *w = g_strdup_printf ("%s.weight", towers[t]);
      g_autofree char *b = g_strdup_printf ("%s.bias", towers[t]);
      TEntry *ew = tst_find (entries, w), *eb = tst_find (entries, b), *ep = tst_find (entries, proj[t]);
      float big = 3e38f, one = 1.0f, zero = 0.0f;

      for (gsize k = 0; k < ew->len / 4; k++)
        {
          memcpy (ew->data + 4 * k, &zero, 4);
          memcpy (eb->data + 4 * k, &big, 4);
        }
      for (gsize k = 0; k < ep->len / 4; k++)
        memcpy (ep->data + 4 * k, &one, 4);
    }
  tst_write (f->st_path, entries, 0);
  model = load_ok (f->dir);

  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      clip_params p = clip_params_default ();
      const clip_model_info *info = clip_model_get_info (model);
      g_autofree float *pix = g_new0 (float, 2 * clip_model_image_floats (model));
      g_autofree int32_t *ids = g_new0 (int32_t, (gsize) info->context_length);
      g_autofree float *out = g_new (float, 2 * (gsize) info->embed_dim);
      clip_ctx *ctx = NULL;
      char *error = NULL;

      p.backend = backends[i];
      g_assert_cmpint (clip_ctx_new (model, &p, &ctx, NULL), ==, CLIP_STATUS_OK);
      g_assert_cmpint (clip_encode_images (ctx, pix, 2, out, &error), ==, CLIP_STATUS_NOT_FINITE);
      g_assert_nonnull (strstr (error, "image 0 of 2"));
      g_assert_nonnull (strstr (error, "not a finite number"));
      g_clear_pointer (&error, clip_free);
      ids[0] = 49406;
      ids[1] = 49407;
      g_assert_cmpint (clip_encode_texts (ctx, ids, 1, out, &error), ==, CLIP_STATUS_NOT_FINITE);
      g_assert_nonnull (strstr (error, "text 0 of 1"));
      g_clear_pointer (&error, clip_free);

      /* and a pixel that is not a number is refused before encoding */
      pix[clip_model_image_floats (model) + 5] = NAN;
      g_assert_cmpint (clip_encode_images (ctx, pix, 2, out, &error), ==, CLIP_STATUS_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error, "value 5 of image 1"));
      g_clear_pointer (&error, clip_free);
      clip_ctx_free (ctx);
    }
  clip_model_free (model);
}

/* logit_scale: finite is not enough, its exponential scales the logits. */
static void
test_st_logit_scale_absurd (Broken        *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = base_entries ();
  TEntry *e = tst_find (entries, "logit_scale");
  float v = 1e30f;

  memcpy (e->data, &v, 4);
  tst_write (f->st_path, entries, 0);
  expect_error (f->dir, CLIP_STATUS_FORMAT, f->st_path, "tensor 'logit_scale' = 1e+30 is implausible",
                NULL);
  v = 4.6f;
  memcpy (e->data, &v, 4);
  tst_write (f->st_path, entries, 0);
  clip_model_free (load_ok (f->dir));
}

/* vocab.json's ids must all be rows of the token embedding: as many
 * entries as rows is not enough when one id is past the end. */
static void
test_vocab_id_past_embedding (Broken        *f,
                              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "vocab.json", NULL);
  g_autofree char *from = g_build_filename (base_dir, "vocab.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  GError *gerror = NULL;
  JsonObject *root;
  GList *members;
  g_autofree char *text = NULL;
  g_autofree char *victim = NULL;
  gsize len;

  json_parser_load_from_file (parser, from, &gerror);
  g_assert_no_error (gerror);
  root = json_node_get_object (json_parser_get_root (parser));
  /* a token with id 49408, one past the embedding's last row, in a file
   * whose ids still run from 0 without a gap (so the tokenizer alone
   * accepts it and the model's vocab_size must refuse it); then an
   * ordinary token moved to 2147483647, a gap the tokenizer refuses */
  json_object_set_int_member (root, "zzqj</w>", 49408);
  json_generator_set_root (gen, json_parser_get_root (parser));
  text = json_generator_to_data (gen, &len);
  write_bytes (path, text, len);
  expect_error (f->dir, CLIP_STATUS_MISMATCH, path, "49409 entries",
                "text_config.vocab_size 49408", NULL);
  json_object_remove_member (root, "zzqj</w>");
  g_clear_pointer (&text, g_free);

  members = json_object_get_members (root);
  for (GList *l = members; l != NULL; l = l->next)
    if (json_object_get_int_member (root, l->data) == 40000)
      victim = g_strdup (l->data);
  g_assert_nonnull (victim);
  g_list_free (members);
  json_object_set_int_member (root, victim, 2147483647);
  text = json_generator_to_data (gen, &len);
  write_bytes (path, text, len);
  expect_error (f->dir, CLIP_STATUS_FORMAT, path, "the id 2147483647 of", "is not below", NULL);
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

#define ADD(path, func, data) \
  g_test_add ("/engine/model-load/" path, Broken, data, broken_setup, func, broken_teardown)
  ADD ("safetensors/rewrite-loads", test_st_rewrite_loads, NULL);
  ADD ("safetensors/header-past-end", test_st_header_past_end, NULL);
  ADD ("safetensors/header-not-json", test_st_header_not_json, NULL);
  ADD ("safetensors/too-short", test_st_too_short, NULL);
  ADD ("safetensors/truncated", test_st_truncated, NULL);
  ADD ("safetensors/outside", test_st_outside, NULL);
  ADD ("safetensors/overlap", test_st_overlap, NULL);
  ADD ("safetensors/unknown-dtype", test_st_unknown_dtype, NULL);
  ADD ("safetensors/size-mismatch", test_st_size_mismatch, NULL);
  ADD ("safetensors/bad-entries", test_st_bad_entries, NULL);
  ADD ("safetensors/shape-mismatch", test_st_shape_mismatch, NULL);
  ADD ("safetensors/missing-tensor", test_st_missing_tensor, NULL);
  ADD ("safetensors/wrong-dtype", test_st_wrong_dtype, NULL);
  ADD ("safetensors/extras-ignored", test_st_extras_ignored, NULL);
  ADD ("safetensors/logit-scale-1", test_st_logit_scale_1, NULL);
  ADD ("safetensors/unaligned-and-mixed", test_st_unaligned_and_mixed, NULL);
  ADD ("safetensors/logit-scale-absurd", test_st_logit_scale_absurd, NULL);
  ADD ("encode/overflow-refused", test_overflow_refused, NULL);
  ADD ("tokenizer/id-past-embedding", test_vocab_id_past_embedding, NULL);
  g_test_add_func ("/engine/model-load/safetensors/non-finite", test_st_non_finite);
#undef ADD

  result = g_test_run ();
  test_rm_rf (base_parent);
  g_free (base_dir);
  g_free (base_parent);
  return result;
}
