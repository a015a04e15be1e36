/* cs-decode-clip.h - decoded images as the CLIP engine's input.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The indexer's and the command line's bridge from cs-decode.h to the
 * engine (clip.h); the app, which never sees the engine, does not use it.
 * Any thread.
 */
#pragma once

#include <glib.h>

#include "clip.h"
#include "cs-decode.h"

G_BEGIN_DECLS

/* The engine's view of a decoded image (borrowing its pixels). */
clip_image cs_decoded_image_as_clip (const CsDecodedImage *image);

/* The view to preprocess with `pp`: the whole image at full size.  For a
 * DCT-reduced image (scale_denom > 1) the view may leave out up to 8 of
 * the reduced image's columns and rows at its edges, so that
 * clip_preprocess() resizes it to the same size as the full image, and so
 * crops the same window.  Without this a fifth of photo sizes would be
 * resized one pixel longer or shorter: libjpeg rounds the reduced size up
 * (its last row and column hold the partial last 8x8 block), and the
 * resized long side, the truncated shortest_edge x long / short, flips on
 * a small change of aspect.  Over the crop that is a shift of up to half a
 * pixel, which cost a 64-pixel model 0.01 of cosine on one of ten photos.
 * Among the views giving the full image's resized size, the one whose
 * crop lands closest to the full image's is chosen: within 0.44 of a
 * resized pixel at the crop's ends over 62,000 sizes the tests try.
 * With SigLIP's straight resize (pp->resize_width and resize_height set)
 * every view gives that size: the one whose source window is closest to
 * the full image's over the whole output (or its crop) is chosen. */
clip_image cs_decoded_image_as_clip_for (const CsDecodedImage         *image,
                                         const clip_preprocess_params *pp);

/* Decodes `path` with the default pixel limit and runs clip_preprocess()
 * on it: `out` receives 3 x pp->crop_height x pp->crop_width floats
 * (C x H x W, R, G, B).  Engine failures come back as CS_CLIP_ERROR,
 * prefixed with the file name. */
gboolean cs_decode_file_to_tensor (const char                   *path,
                                   const clip_preprocess_params *pp,
                                   float                        *out,
                                   GError                      **error);

G_END_DECLS
