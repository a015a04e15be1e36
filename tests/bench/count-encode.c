/* count-encode - encodes N images with a small random model, for counting
 * the instructions one image costs on a kernel table under qemu-user
 * (tests/bench/insn-count-plugin.c): run it with N = 1 and N = 3, the
 * difference over 2 is one image, model writing, loading and packing
 * cancelled out.  CLIP_ISA chooses the table.
 *
 *   count-encode MODEL_DIR PRECISION N     (PRECISION: f32 f16 bf16 int8)
 *
 * MODEL_DIR is written first if it has no config.json: a ViT of 224-pixel
 * images in 32-pixel patches (50 tokens), width 256, 2 layers, 4 heads,
 * MLP 1024, random weights.  One thread, so one counter counts it all.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "clip.h"

int
main (int    argc,
      char **argv)
{
  clip_test_model_spec spec;
  clip_params params = clip_params_default ();
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  char *error = NULL;
  g_autofree char *config = NULL;
  g_autofree float *pix = NULL, *out = NULL;
  int n, found = 0;

  if (argc != 4 || (n = atoi (argv[3])) < 1)
    {
      fprintf (stderr, "usage: count-encode MODEL_DIR f32|f16|bf16|int8 N\n");
      return 2;
    }
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (strcmp (argv[2], clip_precision_name ((clip_precision) p)) == 0)
      {
        params.precision = (clip_precision) p;
        found = 1;
      }
  if (!found)
    {
      fprintf (stderr, "count-encode: unknown precision '%s'\n", argv[2]);
      return 2;
    }
  config = g_build_filename (argv[1], "config.json", NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    {
      if (clip_test_model_preset ("vit-b-32", &spec, &error) != CLIP_STATUS_OK)
        goto fail;
      spec.shape.vision.width = 256;
      spec.shape.vision.layers = 2;
      spec.shape.vision.heads = 4;
      spec.shape.vision.mlp = 1024;
      spec.shape.text.width = 64;
      spec.shape.text.layers = 1;
      spec.shape.text.heads = 1;
      spec.shape.text.mlp = 128;
      spec.shape.vocab_size = 1024;
      spec.shape.embed_dim = 128;
      if (clip_test_model_write (&spec, argv[1], &error) != CLIP_STATUS_OK)
        goto fail;
    }
  if (clip_model_load (argv[1], &model, &error) != CLIP_STATUS_OK)
    goto fail;
  params.n_threads = g_getenv ("COUNT_THREADS") != NULL ? atoi (g_getenv ("COUNT_THREADS")) : 1;
  if (clip_ctx_new (model, &params, &ctx, &error) != CLIP_STATUS_OK)
    goto fail;

  size_t nf = clip_model_image_floats (model);
  int dim = clip_model_get_info (model)->embed_dim;
  pix = g_new (float, nf * n);
  out = g_new (float, (size_t) dim * n);
  for (size_t i = 0; i < nf * n; i++)
    pix[i] = (float) sin ((double) i * 0.003) * 1.5f;
  if (clip_encode_images (ctx, pix, n, out, &error) != CLIP_STATUS_OK)
    goto fail;
  printf ("%s %s %d images: out[0] %g\n", clip_kernels_name (), argv[2], n, out[0]);
  clip_ctx_free (ctx);
  clip_model_free (model);
  return 0;

fail:
  fprintf (stderr, "count-encode: %s\n", error);
  g_free (error);
  return 1;
}
