/* model-load-util.h - helpers of test-model-load.c and
 * test-model-safetensors.c (model-load-util.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "clip.h"
#include "clip-private.h"
#include "clip-safetensors.h"
#include "test-util.h"

#define TINY_PARAMS 3571329ull
#define TOY_PARAMS  5263233ull
#define VIT_B_32_PARAMS 151277313ull

typedef struct {
  char    *name;
  char    *dtype;
  int      n_dims;
  gint64   shape[8];
  guint8  *data;
  gsize    len;
  gboolean fixed_offsets; /* use begin/end as given instead of packing */
  gint64   begin, end;
} TEntry;

typedef struct {
  char *dir;
  char *st_path;
  char *config_path;
  char *preprocess_path;
} Broken;

extern const char *model_files[5]; /* a model directory's files */
extern char *base_dir;        /* a valid tiny F32 model every broken variant starts from */
extern char *base_parent;     /* base_dir's parent, removed at the end */

char *
shared_path (const char *relative);
clip_model *
load_ok (const char *dir);
void
expect_error (const char *dir,
              clip_status expected,
              ...);
void
write_bytes (const char *path,
             const void *data,
             gsize       len);
char *
read_bytes (const char *path,
            gsize      *len);
void
tentry_free (gpointer p);
guint64
read_le64 (const guint8 *p);
GPtrArray *
tst_read (const char *path);
TEntry *
tst_find (GPtrArray  *entries,
          const char *name);
void
tst_remove (GPtrArray  *entries,
            const char *name);
TEntry *
tst_add (GPtrArray    *entries,
         const char   *name,
         const char   *dtype,
         int           n_dims,
         const gint64 *shape,
         const void   *data,
         gsize         len);
void
tst_write (const char *path,
           GPtrArray  *entries,
           guint       misalign);
double
half_to_double (guint16 h);
double
bf16_to_double (guint16 h);
gboolean
is_rounded (float    v,
            guint16  h,
            double (*decode) (guint16));
guint16
entry_u16 (const TEntry *e,
           gsize         i);
float
entry_f32 (const TEntry *e,
           gsize         i);
const float *
model_tensor (clip_model *model,
              const char *name,
              guint64    *numel);
guint64
expected_params (const clip_model_info *s);
void
write_tiny (const char *dir,
            clip_dtype  dtype);
void
broken_setup (Broken        *f,
              gconstpointer  data);
void
broken_teardown (Broken        *f,
                 gconstpointer  data);
