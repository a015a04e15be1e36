/* cli-bench.h - what cli-bench.c and cli-bench-photos.c share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "clip.h"

/* --make-photos: at most this many. */
#define MADE_MAX 10000

/* What the photo benchmark measured. */
typedef struct {
  guint  photos;            /* decoded and encoded */
  double decode_cpu_s;      /* reduced decode + preprocess, this thread */
  double decode_full_cpu_s; /* exact decode + preprocess, this thread */
  double encode_cpu_s;      /* all threads */
  double embed_wall_s;      /* the indexer's decode-and-encode stage */
  double embed_cpu_s;       /* the process's CPU time in that stage */
  double encode_wall_s;
  guint  indexed;
  double index_wall_s;
} PhotoFigures;

/* `key`: value with `decimals` digits after the point (0 when not
 * finite), as the figures have always been written. */
void        bench_set_figure        (JsonObject *object,
                                     const char *key,
                                     double      value,
                                     int         decimals);
/* CPU time of the whole process (every thread), in seconds. */
double      bench_cpu_seconds       (void);
/* Writes n generated 12-megapixel JPEGs, bench-NNNNN.jpg, into folder
 * (created if needed); a progress line on stderr when verbose. */
gboolean    bench_make_photos       (const char *folder,
                                     int         n,
                                     gboolean    verbose,
                                     GError    **error);
/* The photos of `folder` (not of its subfolders), sorted; raw camera
 * files are left out (their previews take another path). */
GPtrArray  *bench_list_photos       (const char *folder,
                                     GError    **error);
/* (1) decoding and preprocessing, and (2) the encoder alone, in `ctx`. */
gboolean    bench_decode_and_encode (clip_ctx         *ctx,
                                     const clip_model *model,
                                     GPtrArray        *photos,
                                     gboolean          verbose,
                                     PhotoFigures     *fig,
                                     GError          **error);
/* (3) the real indexer on `folder`, into a temporary database. */
gboolean    bench_index             (const char    *model_dir,
                                     clip_precision precision,
                                     const char    *folder,
                                     gboolean       verbose,
                                     PhotoFigures  *fig,
                                     GError       **error);
/* The "index" member of the JSON. */
JsonObject *bench_photo_figures_json  (const PhotoFigures *fig,
                                       clip_precision      precision);
void        bench_print_photo_figures (const PhotoFigures *fig,
                                       clip_precision      precision,
                                       const char         *folder,
                                       double              load_ms);
