/* cs-jpeg-dc.h - the DC coefficients of a progressive JPEG, as pixels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint8 *rgb;          /* width x height x 3, rows packed; g_free() it */
  int     width;        /* ceil (frame width / 8) */
  int     height;       /* ceil (frame height / 8) */
  int     frame_width;  /* the frame's stored size */
  int     frame_height;
  int     orientation;  /* EXIF orientation, 1-8 (1 when absent) */
} CsJpegDc;

typedef enum {
  CS_JPEG_DC_NOT_HANDLED,  /* not a file for this decoder: use libjpeg */
  CS_JPEG_DC_DECODED,
  CS_JPEG_DC_FAILED,       /* `error` set (CS_DECODE_ERROR) */
} CsJpegDcResult;

guint64        cs_jpeg_dc_min_coef_bytes     (void);
void           cs_jpeg_dc_set_min_coef_bytes (guint64 bytes);
guint64        cs_jpeg_dc_coef_bytes         (guint width,
                                              guint height,
                                              guint n_comp,
                                              const guint *h,
                                              const guint *v);
CsJpegDcResult cs_jpeg_dc_decode             (int         fd,
                                              const char *name,
                                              int         min_short_side,
                                              guint64     max_pixels,
                                              CsJpegDc   *out,
                                              GError    **error);

G_END_DECLS
