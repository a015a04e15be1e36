/* clip-safetensors.c - a validating, memory-mapped safetensors reader.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the header says is checked before any tensor is handed out, so
 * that the loader and the encoder can trust every pointer and size they get:
 * a lying header is a format error naming the file and the tensor, never an
 * out-of-bounds read.
 *
 * Deliberately lenient on two points the Rust `safetensors` crate refuses:
 * gaps between tensors and bytes after the last tensor.  Neither can make a
 * read go wrong (every range is checked on its own), and refusing them would
 * only turn away files that are otherwise sound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clip-safetensors.h"

struct clip_st_file {
  char           *path;
  GMappedFile    *mapped;
  const uint8_t  *data;        /* the data section, after the header */
  uint64_t        data_len;
  clip_st_tensor *tensors;     /* sorted by name */
  size_t          n_tensors;
  GStringChunk   *strings;
  GHashTable     *metadata;    /* char * -> char *, both in `strings` */
};

static const struct {
  const char *name;
  size_t      size;
} dtype_table[CLIP_ST_N_DTYPES] = {
  [CLIP_ST_BOOL]    = { "BOOL", 1 },
  [CLIP_ST_U8]      = { "U8", 1 },
  [CLIP_ST_I8]      = { "I8", 1 },
  [CLIP_ST_I16]     = { "I16", 2 },
  [CLIP_ST_U16]     = { "U16", 2 },
  [CLIP_ST_F16]     = { "F16", 2 },
  [CLIP_ST_BF16]    = { "BF16", 2 },
  [CLIP_ST_I32]     = { "I32", 4 },
  [CLIP_ST_U32]     = { "U32", 4 },
  [CLIP_ST_F32]     = { "F32", 4 },
  [CLIP_ST_F64]     = { "F64", 8 },
  [CLIP_ST_I64]     = { "I64", 8 },
  [CLIP_ST_U64]     = { "U64", 8 },
  [CLIP_ST_F8_E4M3] = { "F8_E4M3", 1 },
  [CLIP_ST_F8_E5M2] = { "F8_E5M2", 1 },
};

const char *
clip_st_dtype_name (clip_st_dtype dtype)
{
  g_assert (dtype < CLIP_ST_N_DTYPES);
  return dtype_table[dtype].name;
}

size_t
clip_st_dtype_size (clip_st_dtype dtype)
{
  g_assert (dtype < CLIP_ST_N_DTYPES);
  return dtype_table[dtype].size;
}

bool
clip_st_dtype_parse (const char    *name,
                     clip_st_dtype *out)
{
  for (int i = 0; i < CLIP_ST_N_DTYPES; i++)
    if (strcmp (name, dtype_table[i].name) == 0)
      {
        *out = (clip_st_dtype) i;
        return true;
      }
  return false;
}

/* --- half precision ------------------------------------------------------ */

static inline float
bits_to_f32 (uint32_t bits)
{
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

static inline uint32_t
f32_to_bits (float f)
{
  uint32_t bits;

  memcpy (&bits, &f, sizeof bits);
  return bits;
}

float
clip_f16_to_f32 (uint16_t h)
{
  uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;

  if (exp == 0)
    {
      uint32_t e = 113; /* biased float exponent of 2^-14, plus one */

      if (mant == 0)
        return bits_to_f32 (sign);
      /* A subnormal, mant * 2^-24: normalise it, float has the range. */
      do
        {
          mant <<= 1;
          e--;
        }
      while ((mant & 0x400u) == 0);
      return bits_to_f32 (sign | (e << 23) | ((mant & 0x3ffu) << 13));
    }
  if (exp == 31)
    return bits_to_f32 (sign | 0x7f800000u | (mant << 13));
  return bits_to_f32 (sign | ((exp + 112) << 23) | (mant << 13));
}

float
clip_bf16_to_f32 (uint16_t h)
{
  return bits_to_f32 ((uint32_t) h << 16);
}

/* v >> shift, rounded to nearest, ties to even (1 <= shift <= 31). */
static inline uint32_t
shift_round_even (uint32_t v,
                  unsigned shift)
{
  uint32_t q = v >> shift;
  uint32_t rem = v & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);

  if (rem > half || (rem == half && (q & 1u)))
    q++;
  return q;
}

uint16_t
clip_f32_to_f16 (float f)
{
  uint32_t x = f32_to_bits (f);
  uint16_t sign = (uint16_t) ((x >> 16) & 0x8000u);
  uint32_t ax = x & 0x7fffffffu;

  if (ax >= 0x7f800000u)
    {
      if (ax == 0x7f800000u)
        return sign | 0x7c00u;
      /* NaN: keep it quiet and keep the top of the payload. */
      return sign | 0x7e00u | (uint16_t) ((ax >> 13) & 0x1ffu);
    }
  if (ax >= 0x477ff000u) /* 65520 and up round past 65504 */
    return sign | 0x7c00u;
  if (ax >= 0x38800000u) /* 2^-14 and up: a normal half */
    {
      /* Rebias the exponent; a carry out of the mantissa bumps it, which
       * is the right answer (at most 0x7bff here, by the test above). */
      uint32_t r = shift_round_even (ax - (112u << 23), 13);
      return sign | (uint16_t) r;
    }
  if (ax <= 0x33000000u) /* 2^-25 (a tie, to even: zero) and below */
    return sign;
  /* Subnormal: the result counts units of 2^-24. */
  {
    uint32_t e = ax >> 23;
    uint32_t mant = (ax & 0x7fffffu) | 0x800000u;

    return sign | (uint16_t) shift_round_even (mant, 126 - e);
  }
}

uint16_t
clip_f32_to_bf16 (float f)
{
  uint32_t x = f32_to_bits (f);

  if ((x & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t) ((x >> 16) | 0x40u);
  x += 0x7fffu + ((x >> 16) & 1u);
  return (uint16_t) (x >> 16);
}

/* --- the file ------------------------------------------------------------ */

void
clip_st_close (clip_st_file *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  if (file->mapped != NULL)
    g_mapped_file_unref (file->mapped);
  g_free (file->tensors);
  if (file->strings != NULL)
    g_string_chunk_free (file->strings);
  if (file->metadata != NULL)
    g_hash_table_destroy (file->metadata);
  g_free (file);
}

const char *
clip_st_get_path (const clip_st_file *file)
{
  return file->path;
}

size_t
clip_st_get_n_tensors (const clip_st_file *file)
{
  return file->n_tensors;
}

const clip_st_tensor *
clip_st_get_tensor (const clip_st_file *file,
                    size_t              i)
{
  g_assert (i < file->n_tensors);
  return &file->tensors[i];
}

static int
compare_by_name (const void *a,
                 const void *b)
{
  const clip_st_tensor *ta = a, *tb = b;

  return strcmp (ta->name, tb->name);
}

const clip_st_tensor *
clip_st_find (const clip_st_file *file,
              const char         *name)
{
  clip_st_tensor key = { .name = name };

  if (file->n_tensors == 0)
    return NULL;
  return bsearch (&key, file->tensors, file->n_tensors, sizeof key, compare_by_name);
}

const char *
clip_st_get_metadata (const clip_st_file *file,
                      const char         *key)
{
  return g_hash_table_lookup (file->metadata, key);
}

/* A JSON integer >= 0 (json-glib stores integers as gint64). */
static bool
node_get_uint (JsonNode *node,
               uint64_t *out)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return false;
  v = json_node_get_int (node);
  if (v < 0)
    return false;
  *out = (uint64_t) v;
  return true;
}

static void
format_shape (GString              *s,
              const clip_st_tensor *t)
{
  g_string_append_c (s, '[');
  for (int d = 0; d < t->n_dims; d++)
    g_string_append_printf (s, "%s%" G_GUINT64_FORMAT, d ? ", " : "", t->shape[d]);
  g_string_append_c (s, ']');
}

/* Fills `t` from one header entry; `t->name` is already set. */
static clip_status
parse_entry (const char     *path,
             JsonNode       *node,
             clip_st_tensor *t,
             char          **error)
{
  JsonObject *obj;
  JsonNode *dtype_node, *shape_node, *offsets_node;
  JsonArray *arr;
  const char *dtype_name;
  uint64_t elem_size, n_bytes;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': the header entry is not an object",
                           path, t->name);
  obj = json_node_get_object (node);

  dtype_node = json_object_get_member (obj, "dtype");
  if (dtype_node == NULL || !JSON_NODE_HOLDS_VALUE (dtype_node)
      || json_node_get_value_type (dtype_node) != G_TYPE_STRING)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': \"dtype\" is missing or not a string",
                           path, t->name);
  dtype_name = json_node_get_string (dtype_node);
  if (!clip_st_dtype_parse (dtype_name, &t->dtype))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s' has unknown dtype '%s'",
                           path, t->name, dtype_name);

  shape_node = json_object_get_member (obj, "shape");
  if (shape_node == NULL || !JSON_NODE_HOLDS_ARRAY (shape_node))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': \"shape\" is missing or not an array",
                           path, t->name);
  arr = json_node_get_array (shape_node);
  if (json_array_get_length (arr) > CLIP_ST_MAX_DIMS)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s' has %u dimensions (at most %d are supported)",
                           path, t->name, json_array_get_length (arr), CLIP_ST_MAX_DIMS);
  t->n_dims = (int) json_array_get_length (arr);
  t->numel = 1;
  for (int d = 0; d < t->n_dims; d++)
    {
      if (!node_get_uint (json_array_get_element (arr, (guint) d), &t->shape[d]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: tensor '%s': shape entry %d is not a non-negative integer",
                               path, t->name, d);
      if (!g_uint64_checked_mul (&t->numel, t->numel, t->shape[d]))
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: tensor '%s': the element count of its shape overflows",
                               path, t->name);
    }
  elem_size = clip_st_dtype_size (t->dtype);
  if (!g_uint64_checked_mul (&n_bytes, t->numel, elem_size))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': the byte count of its shape overflows",
                           path, t->name);

  offsets_node = json_object_get_member (obj, "data_offsets");
  if (offsets_node == NULL || !JSON_NODE_HOLDS_ARRAY (offsets_node)
      || json_array_get_length (json_node_get_array (offsets_node)) != 2
      || !node_get_uint (json_array_get_element (json_node_get_array (offsets_node), 0), &t->begin)
      || !node_get_uint (json_array_get_element (json_node_get_array (offsets_node), 1), &t->end))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': \"data_offsets\" must be two non-negative integers",
                           path, t->name);
  if (t->end < t->begin)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: tensor '%s': data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                           "] end before they begin",
                           path, t->name, t->begin, t->end);
  if (t->end - t->begin != n_bytes)
    {
      g_autoptr(GString) shape = g_string_new (NULL);

      format_shape (shape, t);
      return clip_set_error (error, CLIP_STATUS_FORMAT,
                             "%s: tensor '%s' (%s %s) needs %" G_GUINT64_FORMAT
                             " bytes but its data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                             "] hold %" G_GUINT64_FORMAT,
                             path, t->name, dtype_name, shape->str, n_bytes,
                             t->begin, t->end, t->end - t->begin);
    }
  return CLIP_STATUS_OK;
}

static int
compare_by_range (const void *a,
                  const void *b)
{
  const clip_st_tensor *ta = *(const clip_st_tensor * const *) a;
  const clip_st_tensor *tb = *(const clip_st_tensor * const *) b;

  if (ta->begin != tb->begin)
    return ta->begin < tb->begin ? -1 : 1;
  if (ta->end != tb->end)
    return ta->end < tb->end ? -1 : 1;
  return 0;
}

static clip_status
check_overlaps (clip_st_file *file,
                char        **error)
{
  g_autofree clip_st_tensor **by_range = g_new (clip_st_tensor *, file->n_tensors + 1);
  const clip_st_tensor *reach = NULL; /* the range seen so far ending last */

  for (size_t i = 0; i < file->n_tensors; i++)
    by_range[i] = &file->tensors[i];
  qsort (by_range, file->n_tensors, sizeof *by_range, compare_by_range);
  for (size_t i = 0; i < file->n_tensors; i++)
    {
      const clip_st_tensor *t = by_range[i];

      if (t->begin == t->end) /* an empty tensor occupies no bytes */
        continue;
      if (reach != NULL && t->begin < reach->end)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: the bytes of tensors '%s' [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               ") and '%s' [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") overlap",
                               file->path, reach->name, reach->begin, reach->end,
                               t->name, t->begin, t->end);
      if (reach == NULL || t->end > reach->end)
        reach = t;
    }
  return CLIP_STATUS_OK;
}

static clip_status
parse_metadata (clip_st_file *file,
                JsonNode     *node,
                char        **error)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: \"__metadata__\" is not an object", file->path);
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: \"__metadata__\" entry '%s' is not a string",
                               file->path, key);
      g_hash_table_insert (file->metadata,
                           g_string_chunk_insert_const (file->strings, key),
                           g_string_chunk_insert_const (file->strings, json_node_get_string (value)));
    }
  return CLIP_STATUS_OK;
}

static clip_status
parse_header (clip_st_file *file,
              const char   *header,
              size_t        header_len,
              char        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) gerror = NULL;
  JsonObject *root;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  size_t n = 0;
  clip_status status;

  if (!json_parser_load_from_data (parser, header, (gssize) header_len, &gerror))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the header is not valid JSON: %s", file->path, gerror->message);
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the header is not a JSON object", file->path);
  root = json_node_get_object (json_parser_get_root (parser));

  /* json-glib keeps the last of duplicated keys, so a name appears once. */
  file->tensors = g_new0 (clip_st_tensor, json_object_get_size (root) + 1);
  json_object_iter_init (&iter, root);
  while (json_object_iter_next (&iter, &name, &node))
    {
      clip_st_tensor *t;

      if (strcmp (name, "__metadata__") == 0)
        {
          if ((status = parse_metadata (file, node, error)) != CLIP_STATUS_OK)
            return status;
          continue;
        }
      t = &file->tensors[n];
      t->name = g_string_chunk_insert_const (file->strings, name);
      if ((status = parse_entry (file->path, node, t, error)) != CLIP_STATUS_OK)
        return status;
      if (t->end > file->data_len)
        return clip_set_error (error, CLIP_STATUS_FORMAT,
                               "%s: tensor '%s': bytes [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                               ") lie outside the %" G_GUINT64_FORMAT
                               "-byte data section (the file is truncated or its header is wrong)",
                               file->path, t->name, t->begin, t->end, file->data_len);
      t->data = file->data + t->begin;
      n++;
    }
  file->n_tensors = n;
  qsort (file->tensors, n, sizeof *file->tensors, compare_by_name);
  return check_overlaps (file, error);
}

clip_status
clip_st_open (const char    *path,
              clip_st_file **out,
              char         **error)
{
  g_autoptr(clip_st_file) file = NULL;
  g_autoptr(GError) gerror = NULL;
  const uint8_t *bytes;
  size_t len;
  uint64_t header_len = 0;
  struct stat st;
  clip_status status;
  int fd;

  g_return_val_if_fail (path != NULL && out != NULL, CLIP_STATUS_INVALID_ARGUMENT);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", path, g_strerror (saved));
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      return clip_set_error (error, CLIP_STATUS_IO, "%s: %s", path, g_strerror (saved));
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      return clip_set_error (error, CLIP_STATUS_IO, "%s: not a regular file", path);
    }

  file = g_new0 (clip_st_file, 1);
  file->path = g_strdup (path);
  file->strings = g_string_chunk_new (4096);
  file->metadata = g_hash_table_new (g_str_hash, g_str_equal);
  if (st.st_size > 0)
    {
      file->mapped = g_mapped_file_new_from_fd (fd, FALSE, &gerror);
      close (fd);
      if (file->mapped == NULL)
        return clip_set_error (error, CLIP_STATUS_IO, "%s: cannot map the file: %s",
                               path, gerror->message);
      bytes = (const uint8_t *) g_mapped_file_get_contents (file->mapped);
      len = g_mapped_file_get_length (file->mapped);
    }
  else
    {
      close (fd);
      bytes = NULL;
      len = 0;
    }

  if (len < 8)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: %zu bytes is too short for a safetensors file", path, len);
  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | bytes[i];
  if (header_len > len - 8)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the header length %" G_GUINT64_FORMAT
                           " runs past the end of the file (%zu bytes)",
                           path, header_len, len);
  if (header_len > CLIP_ST_MAX_HEADER)
    return clip_set_error (error, CLIP_STATUS_FORMAT,
                           "%s: the header length %" G_GUINT64_FORMAT
                           " is implausibly large (the limit is %u bytes)",
                           path, header_len, CLIP_ST_MAX_HEADER);
  file->data = bytes + 8 + header_len;
  file->data_len = len - 8 - header_len;

  if ((status = parse_header (file, (const char *) bytes + 8, header_len, error)) != CLIP_STATUS_OK)
    return status;

  *out = g_steal_pointer (&file);
  return CLIP_STATUS_OK;
}
