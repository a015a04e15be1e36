/* clipsight-cli.c - the command-line face of the engine and the library.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The output formats of tokenize, embed and preprocess are a contract that
 * tools outside the project check (../shared/DESIGN.md): one JSON object
 * per line on stdout, a one-line reason on stderr and a non-zero status on
 * failure.
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-clip-error.h"
#include "cs-decode-clip.h"

#include "cli-export.h"
#include "cli-discover.h"
#include "cli-util.h"


typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

/* ---------------------------------------------------------------- tokenize */

static int
tokenize_one (const clip_model *model,
              int               context_length,
              const char       *text,
              long              len)
{
  g_autofree int32_t *ids = g_new0 (int32_t, context_length);
  g_autoptr(JsonObject) object = json_object_new ();
  JsonArray *array = json_array_sized_new ((guint) context_length);
  g_autofree char *valid = g_utf8_make_valid (text, len);

  /* CLIP's BPE or SigLIP's SentencePiece, whichever the model has */
  clip_model_tokenize (model, text, len, ids);
  for (int i = 0; i < context_length; i++)
    json_array_add_int_element (array, ids[i]);
  json_object_set_string_member (object, "text", valid);
  json_object_set_array_member (object, "ids", array);
  return cli_json_print_object (object) ? 0 : -1;
}

static int
cmd_tokenize (int    argc,
              char **argv)
{
  g_autofree char *model_opt = NULL;
  g_autoptr(GOptionContext) octx = g_option_context_new ("[-- TEXT...] - print CLIP token ids");
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (or $CLIPSIGHT_MODEL)", "DIR" },
    { NULL }
  };
  clip_model *model = NULL;
  char *message = NULL;
  clip_status status;
  const char *dir;
  int rc = EXIT_SUCCESS;

  /* Everything after the first "--" is a text, verbatim: GOption would
   * keep or drop that "--" depending on what follows it. */
  int n_texts = 0;
  char **texts = NULL;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      {
        texts = argv + i + 1;
        n_texts = argc - i - 1;
        argc = i;
        break;
      }
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("tokenize: unexpected argument '%s' (texts go after --)", argv[1]);
      fail_message (m);
      return EXIT_USAGE;
    }
  dir = model_dir_or_env (model_opt);
  if (dir == NULL)
    {
      fail_message ("tokenize: no model: give --model DIR or set CLIPSIGHT_MODEL");
      return EXIT_USAGE;
    }
  status = clip_model_load (dir, &model, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);

  int context_length = clip_model_get_info (model)->context_length;

  if (texts != NULL)
    {
      for (int i = 0; i < n_texts && rc == EXIT_SUCCESS; i++)
        if (tokenize_one (model, context_length, texts[i], -1) != 0)
          rc = EXIT_FAILURE;
    }
  else
    {
      char *line = NULL;
      size_t cap = 0;
      ssize_t n;

      while (rc == EXIT_SUCCESS && (n = getline (&line, &cap, stdin)) >= 0)
        {
          if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
          if (tokenize_one (model, context_length, line, (long) n) != 0)
            rc = EXIT_FAILURE;
        }
      free (line);
    }
  clip_model_free (model);
  if (rc != EXIT_SUCCESS)
    fail_message ("tokenize: cannot write to standard output");
  return rc;
}

/* ------------------------------------------------------------------- embed */

typedef struct {
  gboolean is_image;
  char    *value;
} EmbedInput;

static GArray *embed_inputs; /* EmbedInput, in the order given */

static gboolean
on_embed_input_cb (const char *option_name,
                   const char *value,
                   gpointer    data,
                   GError    **error)
{
  EmbedInput in = { g_str_equal (option_name, "--image") || g_str_equal (option_name, "-i"),
                    g_strdup (value) };
  g_array_append_val (embed_inputs, in);
  return TRUE;
}

static void
embed_input_clear (gpointer p)
{
  g_free (((EmbedInput *) p)->value);
}

/* Prints one input's embedding as a line of JSON. */
static void
print_embedding (const EmbedInput *in,
                 const float      *v,
                 int               dim)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *valid = g_utf8_make_valid (in->value, -1);

  json_object_set_string_member (object, in->is_image ? "image" : "text", valid);
  json_object_set_member (object, "embedding", cli_json_floats (v, dim));
  cli_json_print_object (object);
}

/* The images of `inputs` into their rows of `emb`, `batch` at a time;
 * every file is decoded before any output so that a bad file stops the
 * command before it prints anything.  Returns an exit status. */
static int
embed_images (clip_ctx         *ctx,
              const clip_model *model,
              GArray           *inputs,
              int               batch,
              float            *emb)
{
  const clip_preprocess_params *pp = clip_model_get_preprocess (model);
  size_t img_floats = clip_model_image_floats (model);
  int dim = clip_model_get_info (model)->embed_dim;
  guint n = inputs->len, n_img = 0, total_img = 0;
  g_autofree float *pix = g_new (float, img_floats * (size_t) batch);
  g_autofree float *tmp = g_new (float, (size_t) MAX (n, 1) * dim);
  g_autofree guint *which = g_new (guint, MAX (n, 1));
  char *message = NULL;
  clip_status status;

  for (guint i = 0; i < n; i++)
    total_img += g_array_index (inputs, EmbedInput, i).is_image ? 1 : 0;
  for (guint i = 0; i < n; i++)
    {
      EmbedInput *in = &g_array_index (inputs, EmbedInput, i);
      GError *gerror = NULL;

      if (!in->is_image)
        continue;
      if (!cs_decode_file_to_tensor (in->value, pp, pix + img_floats * (n_img % batch), &gerror))
        return fail_error (gerror);
      which[n_img++] = i;
      if (n_img % batch == 0 || n_img == total_img)
        {
          int nb = (int) ((n_img - 1) % batch) + 1;
          status = clip_encode_images (ctx, pix, nb, tmp, &message);
          if (status != CLIP_STATUS_OK)
            return fail_clip (status, message);
          for (int b = 0; b < nb; b++)
            memcpy (emb + (size_t) which[n_img - nb + b] * dim, tmp + (size_t) b * dim,
                    (size_t) dim * sizeof (float));
        }
    }
  return EXIT_SUCCESS;
}

/* The texts of `inputs` into their rows of `emb`, all in one call.
 * Returns an exit status. */
static int
embed_texts (clip_ctx         *ctx,
             const clip_model *model,
             GArray           *inputs,
             float            *emb)
{
  const clip_model_info *info = clip_model_get_info (model);
  int dim = info->embed_dim, ctxlen = info->context_length;
  guint n = inputs->len, n_txt = 0;
  g_autofree int32_t *ids = g_new0 (int32_t, (size_t) MAX (n, 1) * ctxlen);
  g_autofree guint *which = g_new (guint, MAX (n, 1));
  g_autofree float *tmp = NULL;
  char *message = NULL;
  clip_status status;

  for (guint i = 0; i < n; i++)
    {
      EmbedInput *in = &g_array_index (inputs, EmbedInput, i);
      if (in->is_image)
        continue;
      clip_model_tokenize (model, in->value, -1, ids + (size_t) n_txt * ctxlen);
      which[n_txt++] = i;
    }
  if (n_txt == 0)
    return EXIT_SUCCESS;
  tmp = g_new (float, (size_t) n_txt * dim);
  status = clip_encode_texts (ctx, ids, (int) n_txt, tmp, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  for (guint t = 0; t < n_txt; t++)
    memcpy (emb + (size_t) which[t] * dim, tmp + (size_t) t * dim, (size_t) dim * sizeof (float));
  return EXIT_SUCCESS;
}

/* L2-normalises every row.  NaN or infinity would print as invalid JSON
 * (and mean nothing): refused before printing anything.  Returns an exit
 * status. */
static int
normalize_embeddings (GArray *inputs,
                      float  *emb,
                      int     dim)
{
  for (guint i = 0; i < inputs->len; i++)
    {
      const EmbedInput *in = &g_array_index (inputs, EmbedInput, i);

      clip_normalize (emb + (size_t) i * dim, dim);
      for (int d = 0; d < dim; d++)
        if (!isfinite (emb[(size_t) i * dim + d]))
          {
            g_autofree char *valid = g_utf8_make_valid (in->value, -1);
            g_autofree char *m = g_strdup_printf ("embed: the embedding of %s '%s' is not finite "
                                                  "(NaN or infinity): the model's weights or "
                                                  "configuration are broken",
                                                  in->is_image ? "image" : "text", valid);
            fail_message (m);
            return EXIT_FAILURE;
          }
    }
  return EXIT_SUCCESS;
}

static int
cmd_embed (int    argc,
           char **argv)
{
  g_autofree char *model_opt = NULL;
  g_autofree char *backend_opt = NULL;
  g_autofree char *precision_opt = NULL;
  int threads = 0, batch = 8;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- print L2-normalised CLIP embeddings");
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (or $CLIPSIGHT_MODEL)", "DIR" },
    { "image", 'i', 0, G_OPTION_ARG_CALLBACK, on_embed_input_cb, "Embed an image file", "FILE" },
    { "text", 't', 0, G_OPTION_ARG_CALLBACK, on_embed_input_cb, "Embed a text", "TEXT" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision_opt, "Arithmetic: f32 (default, exact), f16, bf16 or int8", "P" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default: all CPUs)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Images per encoder call (default 8)", "N" },
    { "backend", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &backend_opt, "native, blas or ref", "B" },
    { NULL }
  };
  g_autoptr(GArray) inputs = NULL;
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  char *message = NULL;
  clip_status status;
  const char *dir;
  int rc = EXIT_FAILURE;

  embed_inputs = inputs = g_array_new (FALSE, TRUE, sizeof (EmbedInput));
  g_array_set_clear_func (inputs, embed_input_clear);
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("embed: unexpected argument '%s' (use --image or --text)", argv[1]);
      fail_message (m);
      return EXIT_USAGE;
    }
  if (precision_opt != NULL && !cli_parse_precision ("embed", precision_opt, &params.precision))
    return EXIT_USAGE;
  if (!cli_parse_backend (backend_opt, &params.backend) || batch < 1)
    {
      fail_message ("embed: --backend must be native, blas or ref, --batch at least 1");
      return EXIT_USAGE;
    }
  dir = model_dir_or_env (model_opt);
  if (dir == NULL)
    {
      fail_message ("embed: no model: give --model DIR or set CLIPSIGHT_MODEL");
      return EXIT_USAGE;
    }

  /* the native backend loads only the towers the inputs need, packed in
   * the one precision asked for (no float32 copy of a 16-bit file: a
   * BF16 SigLIP 2 B/32 peaks at about 720 MB instead of 1.4 GB) */
  if (params.backend == CLIP_BACKEND_NATIVE)
    {
      unsigned towers = 0;

      for (guint i = 0; i < inputs->len; i++)
        towers |= g_array_index (inputs, EmbedInput, i).is_image ? CLIP_TOWER_VISION : CLIP_TOWER_TEXT;
      status = clip_model_load_for (dir, params.precision, towers != 0 ? towers : CLIP_TOWERS_ALL,
                                    &model, &message);
    }
  else
    status = clip_model_load (dir, &model, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  params.n_threads = threads;
  status = clip_ctx_new (model, &params, &ctx, &message);
  if (status != CLIP_STATUS_OK)
    {
      clip_model_free (model);
      return fail_clip (status, message);
    }

  int dim = clip_model_get_info (model)->embed_dim;
  g_autofree float *emb = g_new0 (float, (size_t) MAX (inputs->len, 1) * dim);

  if ((rc = embed_images (ctx, model, inputs, batch, emb)) == EXIT_SUCCESS
      && (rc = embed_texts (ctx, model, inputs, emb)) == EXIT_SUCCESS
      && (rc = normalize_embeddings (inputs, emb, dim)) == EXIT_SUCCESS)
    {
      for (guint i = 0; i < inputs->len; i++)
        print_embedding (&g_array_index (inputs, EmbedInput, i), emb + (size_t) i * dim, dim);
      rc = fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    }
  clip_ctx_free (ctx);
  clip_model_free (model);
  embed_inputs = NULL;
  return rc;
}

/* -------------------------------------------------------------- preprocess */

static int
cmd_preprocess (int    argc,
                char **argv)
{
  g_autofree char *model_opt = NULL;
  g_autofree char *image = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- write the image encoder's input tensor");
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (or $CLIPSIGHT_MODEL)", "DIR" },
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &image, "Image file", "FILE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output: float32 little-endian, C x H x W", "OUT.f32" },
    { NULL }
  };
  clip_model *model = NULL;
  char *message = NULL;
  GError *gerror = NULL;
  clip_status status;
  const char *dir;
  int rc = EXIT_FAILURE;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  dir = model_dir_or_env (model_opt);
  if (dir == NULL || image == NULL || output == NULL)
    {
      fail_message ("preprocess: give --model DIR (or CLIPSIGHT_MODEL), --image FILE and --output OUT.f32");
      return EXIT_USAGE;
    }
  status = clip_model_load (dir, &model, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);

  size_t nf = clip_model_image_floats (model);
  g_autofree float *pix = g_new (float, nf);
  if (!cs_decode_file_to_tensor (image, clip_model_get_preprocess (model), pix, &gerror))
    {
      rc = fail_error (gerror);
      goto out;
    }
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (size_t i = 0; i < nf; i++)
    {
      guint32 u;
      memcpy (&u, pix + i, 4);
      u = GUINT32_SWAP_LE_BE (u);
      memcpy (pix + i, &u, 4);
    }
#endif
  if (!g_file_set_contents (output, (const char *) pix, (gssize) (nf * sizeof (float)), &gerror))
    {
      rc = fail_error (gerror);
      goto out;
    }
  rc = EXIT_SUCCESS;
out:
  clip_model_free (model);
  return rc;
}

/* --------------------------------------------------------- make-test-model */

static int
cmd_make_test_model (int    argc,
                     char **argv)
{
  g_autofree char *preset = NULL;
  g_autofree char *dtype = NULL;
  g_autofree char *tokenizer_from = NULL;
  gint64 seed = 1;
  gboolean outliers = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("DIR - write a CLIP model with random weights");
  GOptionEntry entries[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset, "vit-b-32 (default), vit-b-16, vit-l-14, vit-l-14-336, tiny, siglip2-base-patch32-256, siglip2-base-patch16-224, siglip2-base-patch16-256, siglip2-large-patch16-256, siglip2-tiny", "NAME" },
    { "dtype", 'd', 0, G_OPTION_ARG_STRING, &dtype, "f32 (default), f16 or bf16", "TYPE" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
    { "tokenizer-from", 0, 0, G_OPTION_ARG_FILENAME, &tokenizer_from, "Copy vocab.json and merges.txt from this model", "DIR" },
    { "outliers", 0, 0, G_OPTION_ARG_NONE, &outliers, "Give a few channels of every layer norm a gain of 20-100, as trained ViTs have", NULL },
    { NULL }
  };
  clip_test_model_spec spec;
  char *message = NULL;
  clip_status status;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      fail_message ("make-test-model: give one output directory");
      return EXIT_USAGE;
    }
  status = clip_test_model_preset (preset != NULL ? preset : "vit-b-32", &spec, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  if (dtype == NULL || g_ascii_strcasecmp (dtype, "f32") == 0)
    spec.shape.dtype = CLIP_DTYPE_F32;
  else if (g_ascii_strcasecmp (dtype, "f16") == 0)
    spec.shape.dtype = CLIP_DTYPE_F16;
  else if (g_ascii_strcasecmp (dtype, "bf16") == 0)
    spec.shape.dtype = CLIP_DTYPE_BF16;
  else
    {
      g_autofree char *m = g_strdup_printf ("make-test-model: unknown dtype '%s' (f32, f16 or bf16)", dtype);
      fail_message (m);
      return EXIT_USAGE;
    }
  spec.seed = (uint64_t) seed;
  spec.tokenizer_from = tokenizer_from;
  spec.outliers = outliers;
  status = clip_test_model_write (&spec, argv[1], &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  return EXIT_SUCCESS;
}

/* -------------------------------------------------------------------- main */

static const Command commands[] = {
  { "tokenize", cmd_tokenize, "print CLIP token ids of texts" },
  { "embed", cmd_embed, "print CLIP embeddings of images and texts" },
  { "preprocess", cmd_preprocess, "write the image encoder's input tensor" },
  { "bench", cli_cmd_bench, "measure the engine's speed" },
  { "index", cli_cmd_index, "index photo folders into a database" },
  { "status", cli_cmd_status, "print the state of a photo library database" },
  { "search", cli_cmd_search, "search the photos of a library by text or image" },
  { "label", cli_cmd_label, "add, edit, list and teach zero-shot labels" },
  { "duplicates", cli_cmd_duplicates, "find exact and near-duplicate photos" },
  { "export", cli_cmd_export, "export a label's photos to a folder (links or copies, XMP)" },
  { "discover", cli_cmd_discover, "propose albums: themes and events" },
  { "make-test-model", cmd_make_test_model, "write a CLIP model with random weights" },
};

static void
usage (FILE *f)
{
  fprintf (f, "Usage: clipsight-cli COMMAND [OPTION...]\n\nCommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (f, "  %-16s %s\n", commands[i].name, commands[i].summary);
  fprintf (f, "\n'clipsight-cli COMMAND --help' describes a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return EXIT_SUCCESS;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("clipsight-cli %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        /* the command sees itself as argv[0] */
        g_autofree char *prgname = g_strdup_printf ("clipsight-cli %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, "clipsight-cli: unknown command '%s'\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
