/* model-load-util.c - what the model-loading tests share: the base model
 * every broken variant starts from, an independent safetensors reader and
 * writer, and number decoding of their own.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "model-load-util.h"

const char *model_files[5] = {
  "config.json", "model.safetensors", "vocab.json", "merges.txt", "preprocessor_config.json",
};

/* A valid tiny F32 model every broken variant starts from. */
char *base_dir;
char *base_parent;

/* --- helpers -------------------------------------------------------------- */

char *
shared_path (const char *relative)
{
  const char *dir = test_shared_dir ();
  char *path;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_clear_pointer (&path, g_free);
  return path;
}

clip_model *
load_ok (const char *dir)
{
  clip_model *model = NULL;
  char *error = NULL;
  clip_status status = clip_model_load (dir, &model, &error);

  if (status != CLIP_STATUS_OK)
    g_error ("loading %s: %s: %s", dir, clip_status_to_string (status), error);
  g_assert_null (error);
  g_assert_nonnull (model);
  return model;
}

/* Loads `dir`, expects `status` and a message containing every string of
 * the NULL-terminated list. */
void
expect_error (const char *dir,
              clip_status expected,
              ...)
{
  clip_model *model = NULL;
  char *error = NULL;
  clip_status status = clip_model_load (dir, &model, &error);
  const char *part;
  va_list args;

  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", clip_status_to_string (status), error);
  g_assert_cmpstr (clip_status_to_string (status), ==, clip_status_to_string (expected));
  va_start (args, expected);
  while ((part = va_arg (args, const char *)) != NULL)
    if (strstr (error, part) == NULL)
      g_error ("message \"%s\" does not contain \"%s\"", error, part);
  va_end (args);
  clip_free (error);
}

void
write_bytes (const char *path,
             const void *data,
             gsize       len)
{
  GError *gerror = NULL;

  /* Replace, never write through a symlink into the base directory. */
  g_unlink (path);
  g_file_set_contents (path, data, (gssize) len, &gerror);
  g_assert_no_error (gerror);
}

char *
read_bytes (const char *path,
            gsize      *len)
{
  GError *gerror = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, len, &gerror);
  g_assert_no_error (gerror);
  return data;
}

/* --- an independent safetensors reader and writer for the tests ------------ */


void
tentry_free (gpointer p)
{
  TEntry *e = p;

  g_free (e->name);
  g_free (e->dtype);
  g_free (e->data);
  g_free (e);
}

guint64
read_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

/* Every tensor of a safetensors file, in header order, with its bytes. */
GPtrArray *
tst_read (const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func (tentry_free);
  gsize len;
  g_autofree guint8 *bytes = (guint8 *) read_bytes (path, &len);
  guint64 n = read_le64 (bytes);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *gerror = NULL;
  JsonObject *root;
  GList *members;

  json_parser_load_from_data (parser, (const char *) bytes + 8, (gssize) n, &gerror);
  g_assert_no_error (gerror);
  root = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (root);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *o;
      JsonArray *shape, *offsets;
      TEntry *e;
      gint64 begin, end;

      if (strcmp (l->data, "__metadata__") == 0)
        continue;
      o = json_object_get_object_member (root, l->data);
      e = g_new0 (TEntry, 1);
      e->name = g_strdup (l->data);
      e->dtype = g_strdup (json_object_get_string_member (o, "dtype"));
      shape = json_object_get_array_member (o, "shape");
      e->n_dims = (int) json_array_get_length (shape);
      for (int d = 0; d < e->n_dims; d++)
        e->shape[d] = json_array_get_int_element (shape, (guint) d);
      offsets = json_object_get_array_member (o, "data_offsets");
      begin = json_array_get_int_element (offsets, 0);
      end = json_array_get_int_element (offsets, 1);
      e->len = (gsize) (end - begin);
      e->data = g_memdup2 (bytes + 8 + n + begin, e->len);
      g_ptr_array_add (entries, e);
    }
  g_list_free (members);
  return entries;
}

TEntry *
tst_find (GPtrArray  *entries,
          const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    {
      TEntry *e = g_ptr_array_index (entries, i);

      if (strcmp (e->name, name) == 0)
        return e;
    }
  g_error ("no tensor %s", name);
  return NULL;
}

void
tst_remove (GPtrArray  *entries,
            const char *name)
{
  g_ptr_array_remove (entries, tst_find (entries, name));
}

TEntry *
tst_add (GPtrArray    *entries,
         const char   *name,
         const char   *dtype,
         int           n_dims,
         const gint64 *shape,
         const void   *data,
         gsize         len)
{
  TEntry *e = g_new0 (TEntry, 1);

  e->name = g_strdup (name);
  e->dtype = g_strdup (dtype);
  e->n_dims = n_dims;
  memcpy (e->shape, shape, sizeof (gint64) * (gsize) n_dims);
  e->data = g_memdup2 (data, len);
  e->len = len;
  g_ptr_array_add (entries, e);
  return e;
}

/* Writes the entries packed in order (unless an entry fixes its offsets),
 * padding the header so that the data starts `misalign` bytes past a
 * multiple of 8. */
void
tst_write (const char *path,
           GPtrArray  *entries,
           guint       misalign)
{
  g_autoptr(GString) header = g_string_new ("{\"__metadata__\":{\"format\":\"pt\"}");
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint8 len_bytes[8];

  for (guint i = 0; i < entries->len; i++)
    {
      TEntry *e = g_ptr_array_index (entries, i);
      gint64 begin = (gint64) data->len, end = begin + (gint64) e->len;

      if (e->fixed_offsets)
        {
          begin = e->begin;
          end = e->end;
        }
      g_string_append_printf (header, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", e->name, e->dtype);
      for (int d = 0; d < e->n_dims; d++)
        g_string_append_printf (header, "%s%" G_GINT64_FORMAT, d ? "," : "", e->shape[d]);
      g_string_append_printf (header, "],\"data_offsets\":[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]}",
                              begin, end);
      if (!e->fixed_offsets)
        g_byte_array_append (data, e->data, (guint) e->len);
    }
  g_string_append_c (header, '}');
  while ((8 + header->len) % 8 != misalign)
    g_string_append_c (header, ' ');
  for (int i = 0; i < 8; i++)
    len_bytes[i] = (guint8) ((guint64) header->len >> (8 * i));
  g_byte_array_append (file, len_bytes, 8);
  g_byte_array_append (file, (const guint8 *) header->str, (guint) header->len);
  g_byte_array_append (file, data->data, data->len);
  write_bytes (path, file->data, file->len);
}

/* --- independent number decoding --------------------------------------------- */

double
half_to_double (guint16 h)
{
  int e = (h >> 10) & 31, m = h & 1023;
  double v;

  if (e == 0)
    v = ldexp (m, -24);
  else if (e == 31)
    v = m ? NAN : INFINITY;
  else
    v = ldexp (1024 + m, e - 25);
  return (h & 0x8000) ? -v : v;
}

double
bf16_to_double (guint16 h)
{
  int e = (h >> 7) & 255, m = h & 127;
  double v;

  if (e == 0)
    v = ldexp (m, -133);
  else if (e == 255)
    v = m ? NAN : INFINITY;
  else
    v = ldexp (128 + m, e - 134);
  return (h & 0x8000) ? -v : v;
}

/* Whether `h` is `v` rounded to nearest, ties to even, in the format that
 * `decode` reads: no neighbour of h is nearer, and a tie picks the even. */
gboolean
is_rounded (float    v,
            guint16  h,
            double (*decode) (guint16))
{
  guint16 sign = h & 0x8000, mag = h & 0x7fff;
  double d = decode (h), dv = fabs ((double) v - d);
  double up = fabs ((double) v - decode (sign | (guint16) (mag + 1)));
  double down = mag > 0 ? fabs ((double) v - decode (sign | (guint16) (mag - 1))) : INFINITY;

  if (v != 0.0f && d != 0.0 && (v < 0) != (d < 0))
    return FALSE;
  if (dv > up || dv > down)
    return FALSE;
  if ((dv == up || dv == down) && (h & 1))
    return FALSE;
  return TRUE;
}

guint16
entry_u16 (const TEntry *e,
           gsize         i)
{
  return (guint16) (e->data[2 * i] | e->data[2 * i + 1] << 8);
}

float
entry_f32 (const TEntry *e,
           gsize         i)
{
  guint32 bits = (guint32) e->data[4 * i] | (guint32) e->data[4 * i + 1] << 8
                 | (guint32) e->data[4 * i + 2] << 16 | (guint32) e->data[4 * i + 3] << 24;
  float f;

  memcpy (&f, &bits, 4);
  return f;
}

/* The float32 data the model holds for a tensor name. */
const float *
model_tensor (clip_model *model,
              const char *name,
              guint64    *numel)
{
  g_autofree clip_tensor_spec *specs = NULL;
  size_t n;

  specs = clip_model_tensor_specs (&model->info, model, &n);
  for (size_t i = 0; i < n; i++)
    if (strcmp (specs[i].name, name) == 0)
      {
        *numel = specs[i].numel;
        if (specs[i].dest == NULL)
          return NULL;
        return *specs[i].dest;
      }
  g_error ("no tensor %s in the model", name);
  return NULL;
}

/* Parameters of a CLIPModel, counted by hand from the shapes. */
guint64
expected_params (const clip_model_info *s)
{
  guint64 tw = (guint64) s->text.width, vw = (guint64) s->vision.width;
  guint64 grid = (guint64) (s->image_size / s->patch_size), p = (guint64) s->patch_size;
  guint64 text_layer = 4 * (tw * tw + tw) + 4 * tw
                       + 2 * tw * (guint64) s->text.mlp + (guint64) s->text.mlp + tw;
  guint64 vision_layer = 4 * (vw * vw + vw) + 4 * vw
                         + 2 * vw * (guint64) s->vision.mlp + (guint64) s->vision.mlp + vw;
  guint64 text = (guint64) s->vocab_size * tw + (guint64) s->context_length * tw
                 + (guint64) s->text.layers * text_layer + 2 * tw + (guint64) s->embed_dim * tw;
  guint64 vision = vw + vw * 3 * p * p + (grid * grid + 1) * vw + 2 * vw
                   + (guint64) s->vision.layers * vision_layer + 2 * vw
                   + (guint64) s->embed_dim * vw;

  return text + vision + 1;
}


void
write_tiny (const char *dir,
            clip_dtype  dtype)
{
  clip_test_model_spec spec;
  g_autofree char *tok = shared_path ("testdata/clip-reference/tiny-clip");
  char *error = NULL;

  g_assert_cmpint (clip_test_model_preset ("tiny", &spec, &error), ==, CLIP_STATUS_OK);
  spec.shape.dtype = dtype;
  spec.tokenizer_from = tok; /* NULL: a generated vocabulary */
  if (clip_test_model_write (&spec, dir, &error) != CLIP_STATUS_OK)
    g_error ("writing %s: %s", dir, error);
}

void
broken_setup (Broken        *f,
              gconstpointer  data)
{
  f->dir = test_make_temp_dir ();
  /* Links to the base files; a test replaces the one it breaks. */
  for (gsize i = 0; i < G_N_ELEMENTS (model_files); i++)
    {
      g_autofree char *from = g_build_filename (base_dir, model_files[i], NULL);
      g_autofree char *to = g_build_filename (f->dir, model_files[i], NULL);

      g_assert_cmpint (symlink (from, to), ==, 0);
    }
  f->st_path = g_build_filename (f->dir, "model.safetensors", NULL);
  f->config_path = g_build_filename (f->dir, "config.json", NULL);
  f->preprocess_path = g_build_filename (f->dir, "preprocessor_config.json", NULL);
}

void
broken_teardown (Broken        *f,
                 gconstpointer  data)
{
  test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->st_path);
  g_free (f->config_path);
  g_free (f->preprocess_path);
}
