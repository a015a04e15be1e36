/* test-siglip-mem.c - what a SigLIP model costs in memory, and the
 * vectorised tanh GELU.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Memory is checked as accounting, never as timing or as a process-wide
 * RSS: the engine's own report of the weight bytes it materialised
 * (clip_model_get_memory) against sums this test computes from the
 * safetensors header alone (its own reader: the 8-byte length, the JSON),
 * for the vision tower loaded alone in each precision (what indexing
 * loads), and the text tower alone (what queries load), whose 256 k-row
 * table in SigLIP 2 must stay in the file.  On Linux the file mapping's
 * resident pages (/proc/self/smaps) are checked too after a text is
 * encoded: the token table's pages are not resident beyond the rows read.
 *
 * The tanh GELU of the native backend (through the kernel table's
 * QuickGELU) is checked against the formula in double precision on every
 * kernel table this CPU runs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip.h"
#include "clip-private.h"
#include "test-util.h"

static char *data_dir;

/* --- the header, read here ------------------------------------------------ */

typedef struct {
  char    *name;
  uint64_t numel, bytes, rows;   /* rows: shape[0] */
  int      n_dims;
} header_tensor;

static void
header_tensor_free (gpointer p)
{
  header_tensor *t = p;

  g_free (t->name);
  g_free (t);
}

static GPtrArray *
read_header (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *out = g_ptr_array_new_with_free_func (header_tensor_free);
  gsize len;
  uint64_t n = 0;
  JsonObject *root;
  GList *members;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_cmpuint (len, >=, 8);
  for (int i = 7; i >= 0; i--)
    n = n << 8 | (guint8) data[i];
  g_assert_cmpuint (n, <=, len - 8);
  g_assert_true (json_parser_load_from_data (parser, data + 8, (gssize) n, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (root);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *o;
      JsonArray *shape, *offsets;
      header_tensor *t;

      if (g_str_equal (l->data, "__metadata__"))
        continue;
      o = json_object_get_object_member (root, l->data);
      shape = json_object_get_array_member (o, "shape");
      offsets = json_object_get_array_member (o, "data_offsets");
      t = g_new0 (header_tensor, 1);
      t->name = g_strdup (l->data);
      t->n_dims = (int) json_array_get_length (shape);
      t->numel = 1;
      for (int d = 0; d < t->n_dims; d++)
        t->numel *= (uint64_t) json_array_get_int_element (shape, (guint) d);
      t->rows = t->n_dims > 0 ? (uint64_t) json_array_get_int_element (shape, 0) : 1;
      t->bytes = (uint64_t) json_array_get_int_element (offsets, 1)
                 - (uint64_t) json_array_get_int_element (offsets, 0);
      g_ptr_array_add (out, t);
    }
  g_list_free (members);
  return out;
}

/* A linear weight of an encoder block, or the patch embedding: what the
 * packs hold in the precision's own format. */
static gboolean
is_packed_linear (const char *name)
{
  static const char *const ends[] = { "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                                      "self_attn.v_proj.weight", "self_attn.out_proj.weight",
                                      "mlp.fc1.weight", "mlp.fc2.weight" };

  if (g_str_equal (name, "vision_model.embeddings.patch_embedding.weight"))
    return TRUE;
  if (strstr (name, ".encoder.layers.") == NULL)
    return FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS (ends); i++)
    if (g_str_has_suffix (name, ends[i]))
      return TRUE;
  return FALSE;
}

static size_t
precision_bytes (clip_precision p)
{
  return p == CLIP_PRECISION_F32 ? 4 : p == CLIP_PRECISION_INT8 ? 1 : 2;
}

typedef struct {
  uint64_t low;     /* the packed weights alone: less is impossible */
  uint64_t high;    /* everything the tower may hold */
  uint64_t table;   /* the token table's bytes in the file */
} expected_bytes;

/* From the header: the tower's (prefix's) linear weights in precision p,
 * their biases again in the pack (float32) with int8's two per-column
 * figures, every other tensor of the tower in float32 once; SigLIP's text
 * head in float32.  The token table is left out: it must stay in the
 * file. */
static expected_bytes
expected_for (GPtrArray     *tensors,
              const char    *prefix,
              clip_precision p)
{
  expected_bytes e = { 0 };
  uint64_t n_alloc = 0;

  for (guint i = 0; i < tensors->len; i++)
    {
      header_tensor *t = g_ptr_array_index (tensors, i);

      if (!g_str_has_prefix (t->name, prefix))
        continue;
      if (g_str_has_suffix (t->name, "embeddings.token_embedding.weight"))
        {
          e.table = t->bytes;
          continue;
        }
      if (is_packed_linear (t->name))
        {
          e.low += t->numel * precision_bytes (p);
          e.high += t->numel * precision_bytes (p) + t->rows * 4 * (p == CLIP_PRECISION_INT8 ? 3 : 1);
          n_alloc += 4;
        }
      else if (g_str_equal (t->name, "text_model.head.weight"))
        {
          e.low += t->numel * 4;
          e.high += t->numel * 4;
          n_alloc++;
        }
      else
        {
          /* float32, converted or in place; int8 may smooth layer norms
           * into a copy */
          e.high += t->numel * 4 * (p == CLIP_PRECISION_INT8 ? 2 : 1);
          n_alloc++;
        }
    }
  /* 64-byte alignment of each piece, and panels of 32 columns */
  e.high += n_alloc * 64 * 2;
  return e;
}

static void
check_tower (const char    *dir,
             clip_precision p,
             unsigned       tower)
{
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(GPtrArray) tensors = read_header (path);
  const char *prefix = tower == CLIP_TOWER_VISION ? "vision_model." : "text_model.";
  expected_bytes e = expected_for (tensors, prefix, p);
  g_autofree char *error = NULL;
  clip_model *model = NULL;
  clip_model_memory mem;
  uint64_t held;

  if (clip_model_load_for (dir, p, tower, &model, &error) != CLIP_STATUS_OK)
    g_error ("%s: %s", dir, error);
  clip_model_get_memory (model, &mem);
  held = (uint64_t) mem.packed + mem.converted + mem.in_place;
  g_test_message ("%s %s %s: packed %zu, converted %zu, in place %zu, table in file %zu; "
                  "expected %" G_GUINT64_FORMAT " .. %" G_GUINT64_FORMAT, dir, prefix,
                  clip_precision_name (p), mem.packed, mem.converted, mem.in_place, mem.token_file,
                  e.low, e.high);
  g_assert_cmpuint (held, >=, e.low);
  g_assert_cmpuint (held, <=, e.high);
  /* the text tower's table stays in the file, whatever its dtype */
  g_assert_cmpuint (mem.token_file, ==, tower == CLIP_TOWER_TEXT ? e.table : 0);
  clip_model_free (model);
}

/* Every precision, each tower alone, the committed SigLIP 2 models (F32,
 * F16, BF16). */
static void
test_accounting (void)
{
  const char *names[] = { "siglip2", "siglip2-f16", "siglip2-bf16", "siglip" };

  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *dir = g_build_filename (data_dir, names[i], NULL);

      for (int p = 0; p < CLIP_N_PRECISIONS; p++)
        {
          check_tower (dir, (clip_precision) p, CLIP_TOWER_VISION);
          check_tower (dir, (clip_precision) p, CLIP_TOWER_TEXT);
        }
    }
}

/* --- the mapping's resident pages ------------------------------------------ */

/* Rss of the mappings of `file` in /proc/self/smaps, in bytes; -1 when
 * there is no smaps. */
static int64_t
mapping_rss (const char *file)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in = FALSE;
  int64_t kb = 0;

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return -1;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      /* a mapping's first line: "start-end perms offset dev inode path" */
      if (g_ascii_isxdigit (l[0]) && strchr (l, '-') != NULL && strchr (l, ' ') != NULL
          && !g_str_has_suffix (l, ":"))
        in = g_str_has_suffix (l, file);
      else if (in && g_str_has_prefix (l, "Rss:"))
        kb += g_ascii_strtoll (l + 4, NULL, 10);
    }
  return kb * 1024;
}

/* A SigLIP 2 shape with a table large next to the rest (64 k rows of
 * 64, 8 MB in BF16), written by the engine's test model writer: loaded
 * for its text tower and used for a text, the file's resident pages are
 * the tensors read in place and the rows read, not the table. */
static void
test_table_pages (void)
{
  g_autofree char *tmp = test_make_temp_dir ();
  g_autofree char *dir = g_build_filename (tmp, "model", NULL);
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *error = NULL;
  clip_test_model_spec spec;
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  clip_model_memory mem;
  int32_t ids[64];
  float out[64];
  int64_t rss;

  g_assert_cmpint (clip_test_model_preset ("siglip2-tiny", &spec, NULL), ==, CLIP_STATUS_OK);
  spec.shape.vocab_size = 65536;
  spec.shape.dtype = CLIP_DTYPE_BF16;
  if (clip_test_model_write (&spec, dir, &error) != CLIP_STATUS_OK)
    g_error ("%s", error);
  g_assert_cmpint (clip_model_load_for (dir, CLIP_PRECISION_F32, CLIP_TOWER_TEXT, &model, &error), ==,
                   CLIP_STATUS_OK);
  g_assert_cmpint (clip_ctx_new (model, &params, &ctx, NULL), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_model_tokenize (model, "a dog on a beach", -1, ids), >, 0);
  g_assert_cmpint (clip_encode_texts (ctx, ids, 1, out, NULL), ==, CLIP_STATUS_OK);
  clip_model_get_memory (model, &mem);
  g_assert_cmpuint (mem.token_file, ==, (size_t) 65536 * 64 * 2);
  rss = mapping_rss (path);
  g_test_message ("file pages resident: %" G_GINT64_FORMAT " bytes; in place %zu, table %zu", rss,
                  mem.in_place, mem.token_file);
  if (rss >= 0)
    /* 64 rows touch at most 64 pages; the header's page and the ends of
     * released ranges a few more */
    g_assert_cmpint (rss, <=, (int64_t) mem.in_place + 80 * 4096 + 64 * 1024);
  clip_ctx_free (ctx);
  clip_model_free (model);
  test_rm_rf (tmp);
}

/* --- the tanh GELU ------------------------------------------------------------ */

static void
test_gelu_tanh_tables (void)
{
  const size_t n = 20011;   /* not a multiple of the block: the tail too */
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);

  for (size_t i = 0; i < n; i++)
    x[i] = (float) (-30.0 + 60.0 * (double) i / (double) (n - 1));
  /* and a few far out, where the formula's cube is large */
  x[0] = -1e6f, x[1] = 1e6f, x[2] = 0.0f, x[3] = -0.0f, x[4] = 1e-30f, x[5] = -5e3f, x[6] = 7e3f;
  for (const clip_kernels *const *t = clip_kernels_available (); *t != NULL; t++)
    {
      double worst = 0.0;

      memcpy (y, x, n * sizeof (float));
      clip_gelu_tanh (*t, y, n);
      for (size_t i = 0; i < n; i++)
        {
          double v = x[i];
          double want = 0.5 * v * (1.0 + tanh (0.7978845608028654 * (v + 0.044715 * v * v * v)));
          double err = fabs (y[i] - want) / MAX (1.0, fabs (want));

          if (!(err <= 2e-6))
            g_error ("%s: gelu_tanh(%g) = %.9g, want %.9g", (*t)->name, v, (double) y[i], want);
          worst = MAX (worst, err);
        }
      g_test_message ("%s: worst error %.2e", (*t)->name, worst);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  data_dir = g_test_build_filename (G_TEST_DIST, "data", "siglip", NULL);
  g_test_add_func ("/siglip-mem/gelu-tanh-tables", test_gelu_tanh_tables);
  g_test_add_func ("/siglip-mem/accounting", test_accounting);
  g_test_add_func ("/siglip-mem/table-pages", test_table_pages);
  return g_test_run ();
}
