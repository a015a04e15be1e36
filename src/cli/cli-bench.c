/* cli-bench.c - `clipsight-cli bench`: how fast the engine, and indexing, go.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without --photos the figures are the engine's alone, for each precision
 * asked for: images per second through the vision tower at each batch
 * size (random tensors; best and median call, wall clock and per CPU
 * second), the GFLOP/s that makes and its share of the peak of the
 * precision's GEMM instruction measured by the same program
 * (clip_kernels_peak_gops), and the text tower's latency at 10 and 77
 * tokens.  With --photos FOLDER three more, on the photos of
 * that folder (not its subfolders):
 *
 *  1. decode + preprocess, on one thread, by the fast path meant for
 *     indexing (the reduced JPEG decode, cs_decode_file_for_size() at twice
 *     the model's input, then the exact resize); and by the exact full-size
 *     decode, for comparison.  CPU time of this thread per photo.
 *  2. the image encoder alone on those tensors, in batches of 8: CPU time
 *     (all threads) per photo and photos per second.
 *  3. the real indexer (CsIndexer, as `clipsight-cli index` runs it) on the
 *     folder into a temporary database, deleted afterwards: photos per
 *     second end to end, wall clock, loading the model and scanning
 *     included.  Its ratio to (2) says how much of the encoder's speed
 *     indexing keeps.
 *
 * --make-photos N first fills an empty (or missing) folder with N
 * generated 12-megapixel JPEGs, so the benchmark needs no outside files.
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-clip-error.h"
#include "cs-decode.h"
#include "cs-indexer.h"

#include "cli-bench.h"
#include "cli-util.h"

/* Images per encoder call in the photo benchmark: the indexer's batch. */
#define PHOTO_BATCH 8
/* Photos decoded before they are encoded: bounds the tensors held. */
#define PHOTO_CHUNK 64

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

/* ----------------------------------------------------------------- helpers */

static double
rusage_seconds (const struct rusage *ru)
{
  return (double) ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6
         + (double) ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* CPU time of the whole process (every thread). */
static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return rusage_seconds (&ru);
}

/* CPU time of the calling thread only: the engine's idle workers, which
 * may spin for a while after a call, are not counted. */
static double
thread_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_THREAD, &ru);
  return rusage_seconds (&ru);
}

static double
peak_rss_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Multiply-adds of one image through the vision tower, as FLOPs (2 per MAC). */
static double
image_gflop (const clip_model_info *in)
{
  double w = in->vision.width, m = in->vision.mlp, p = in->patch_size;
  double g = in->image_size / in->patch_size, np = g * g, t = np + 1;
  double per_layer = t * (4 * w * w + 2 * w * m) + 2 * t * t * w;
  return 2.0 * (np * 3 * p * p * w + in->vision.layers * per_layer + w * in->embed_dim) / 1e9;
}

/* Resident memory now (VmRSS), in MB; 0 where unknown. */
static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* The median of n values (sorts them). */
static double
median (double *v,
        int     n)
{
  qsort (v, (size_t) n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* `"key": value` with `decimals` digits, whatever the locale's decimal
 * separator. */
static void
json_append_number (GString    *out,
                    const char *key,
                    double      value,
                    int         decimals)
{
  char format[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  if (!isfinite (value))
    value = 0.0;
  g_string_append_printf (out, "\"%s\": %s", key, g_ascii_formatd (buf, sizeof buf, format, value));
}

/* ---------------------------------------------------- the photo benchmark */

/* Decodes and preprocesses photos[first, first + n) into `pix`, reduced
 * (the indexing path) and, timed apart, exact; returns how many decoded. */
static guint
decode_chunk (const clip_model *model,
              GPtrArray        *photos,
              guint             first,
              guint             n,
              float            *pix,
              float            *scratch,
              PhotoFigures     *fig)
{
  const clip_preprocess_params *pp = clip_model_get_preprocess (model);
  size_t nf = clip_model_image_floats (model);
  int min_short_side = 2 * clip_model_get_info (model)->image_size;
  guint done = 0;

  for (guint i = first; i < first + n; i++)
    {
      const char *path = photos->pdata[i];
      g_autoptr(CsDecodedImage) image = NULL;
      g_autoptr(GError) error = NULL;
      clip_image view;
      char *message = NULL;
      double c0 = thread_cpu_seconds ();
      double c1;

      image = cs_decode_file_for_size (path, min_short_side, 0, &error);
      if (image != NULL)
        {
          clip_status status;

          view = cs_decoded_image_as_clip_for (image, pp);
          status = clip_preprocess (pp, &view, pix + nf * done, &message);
          if (status != CLIP_STATUS_OK)
            {
              cs_clip_propagate (&error, status, message);
              g_clear_pointer (&image, cs_decoded_image_free);
            }
        }
      c1 = thread_cpu_seconds ();
      if (image == NULL)
        {
          g_autofree char *m = g_strdup_printf ("bench: skipping a photo: %s", error->message);
          fail_message (m);
          continue;
        }
      fig->decode_cpu_s += c1 - c0;
      g_clear_pointer (&image, cs_decoded_image_free);

      /* The exact path, for comparison. */
      c1 = thread_cpu_seconds ();
      image = cs_decode_file (path, 0, &error);
      if (image != NULL)
        {
          view = cs_decoded_image_as_clip (image);
          if (clip_preprocess (pp, &view, scratch, &message) != CLIP_STATUS_OK)
            clip_free (message);
        }
      fig->decode_full_cpu_s += thread_cpu_seconds () - c1;
      g_clear_error (&error);
      done++;
    }
  return done;
}

/* (1) and (2), a chunk at a time so that the tensors held stay few. */
static gboolean
bench_decode_and_encode (clip_ctx         *ctx,
                         const clip_model *model,
                         GPtrArray        *photos,
                         gboolean          verbose,
                         PhotoFigures     *fig,
                         GError          **error)
{
  const clip_model_info *info = clip_model_get_info (model);
  size_t nf = clip_model_image_floats (model);
  g_autofree float *pix = g_new (float, nf * PHOTO_CHUNK);
  g_autofree float *scratch = g_new (float, nf);
  g_autofree float *emb = g_new (float, (size_t) PHOTO_BATCH * info->embed_dim);

  for (guint first = 0; first < photos->len; first += PHOTO_CHUNK)
    {
      guint n = MIN (PHOTO_CHUNK, photos->len - first);
      guint decoded = decode_chunk (model, photos, first, n, pix, scratch, fig);

      for (guint b = 0; b < decoded; b += PHOTO_BATCH)
        {
          int nb = (int) MIN (PHOTO_BATCH, decoded - b);
          char *message = NULL;
          double c0 = cpu_seconds ();
          gint64 w0 = g_get_monotonic_time ();
          clip_status status = clip_encode_images (ctx, pix + nf * b, nb, emb, &message);

          fig->encode_wall_s += (g_get_monotonic_time () - w0) / 1e6;
          fig->encode_cpu_s += cpu_seconds () - c0;
          if (status != CLIP_STATUS_OK)
            {
              cs_clip_propagate (error, status, message);
              return FALSE;
            }
        }
      fig->photos += decoded;
      if (verbose)
        {
          fprintf (stderr, "\rdecoding and encoding: %u/%u", first + n, photos->len);
          fflush (stderr);
        }
    }
  if (verbose)
    fputc ('\n', stderr);
  if (fig->photos == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "bench: no photo could be decoded");
      return FALSE;
    }
  return TRUE;
}

/* When the run got past loading the model and scanning. */
typedef struct {
  gint64 wall;
  double cpu;
} StageStart;

static void
on_indexer_state_cb (CsIndexer  *indexer,
                     GParamSpec *pspec,
                     gpointer    data)
{
  StageStart *t = data;

  if (t->wall == 0 && cs_indexer_get_state (indexer) == CS_INDEXER_STATE_INDEXING)
    {
      t->wall = g_get_monotonic_time ();
      t->cpu = cpu_seconds ();
    }
}

/* (3) the indexer, end to end, into a database of its own. */
static gboolean
bench_index (const char   *model_dir,
             clip_precision precision,
             const char   *folder,
             gboolean      verbose,
             PhotoFigures *fig,
             GError      **error)
{
  g_autofree char *tmp = g_dir_make_tmp ("clipsight-bench-XXXXXX", error);
  g_autofree char *db = NULL;
  g_autoptr(CsIndexer) indexer = NULL;
  g_autoptr(CsIndexSummary) summary = NULL;
  StageStart stage = { 0, 0 };
  gint64 w0, w1;

  if (tmp == NULL)
    return FALSE;
  if (verbose)
    fprintf (stderr, "indexing...\n");
  db = g_build_filename (tmp, "bench.db", NULL);
  indexer = cs_indexer_new (db, model_dir);
  cs_indexer_set_precision (indexer, clip_precision_name (precision));
  cs_indexer_add_folder (indexer, folder);
  g_signal_connect (indexer, "notify::state", G_CALLBACK (on_indexer_state_cb), &stage);
  w0 = g_get_monotonic_time ();
  summary = cs_indexer_rescan (indexer, NULL, error);
  w1 = g_get_monotonic_time ();
  fig->index_wall_s = (w1 - w0) / 1e6;
  fig->embed_wall_s = stage.wall > 0 ? (w1 - stage.wall) / 1e6 : fig->index_wall_s;
  fig->embed_cpu_s = stage.wall > 0 ? cpu_seconds () - stage.cpu : 0;
  g_clear_object (&indexer);
  remove_temp_folder (tmp);
  if (summary == NULL)
    return FALSE;
  fig->indexed = (guint) (summary->added + summary->updated + summary->reembedded);
  if (summary->failed > 0)
    {
      g_autofree char *m = g_strdup_printf ("bench: the indexer failed on %" G_GUINT64_FORMAT " photos",
                                            summary->failed);
      fail_message (m);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ bench */

int
cli_cmd_bench (int    argc,
               char **argv)
{
  g_autofree char *model_opt = NULL;
  g_auto(GStrv) batches_opt = NULL;
  g_auto(GStrv) precisions_opt = NULL;
  g_autofree char *backend_opt = NULL;
  g_autofree char *photos_opt = NULL;
  gboolean as_json = FALSE;
  int threads = 0, reps = 3, make_n = 0;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- measure the engine's speed");
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (or $CLIPSIGHT_MODEL)", "DIR" },
    { "batch", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &batches_opt, "Image batch size (repeatable; default 1, 8 and 32)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING_ARRAY, &precisions_opt, "f32, f16, bf16, int8 or all (repeatable; default f32)", "P" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default: all CPUs)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &reps, "Timed calls per figure, after one warm-up (default 3)", "N" },
    { "photos", 0, 0, G_OPTION_ARG_FILENAME, &photos_opt, "Also time decoding, encoding and indexing the photos in FOLDER", "FOLDER" },
    { "make-photos", 0, 0, G_OPTION_ARG_INT, &make_n, "First write N generated 12-megapixel JPEGs into the --photos folder if it holds none", "N" },
    { "backend", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &backend_opt, "native, blas or ref", "B" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object", NULL },
    { NULL }
  };
  clip_precision precisions[CLIP_N_PRECISIONS];
  int n_precisions = 0;
  clip_model *model = NULL;
  clip_ctx *ctx = NULL;
  clip_params params = clip_params_default ();
  char *message = NULL;
  clip_status status;
  const char *dir;
  int batches[16], n_batches = 0;
  g_autofree int32_t *ids = NULL;
  g_autoptr(GPtrArray) photos = NULL;
  PhotoFigures fig = { 0 };
  GError *gerror = NULL;

  g_option_context_set_description (octx,
    "Each precision gets its own context (its weights packed first: pack_ms)\n"
    "and its own figures; the image objects of the JSON carry per_s (the best\n"
    "call), median_per_s, per_cpu_s, gflops, peak_gops (the peak of the\n"
    "precision's GEMM instruction on these threads, measured first) and\n"
    "peak_share (gflops over it); the text objects ms (best) and median_ms;\n"
    "\"precisions\" lists, per precision, the kernel table, whether it has\n"
    "instructions made for that precision (fast), pack_ms and rss_mb (resident\n"
    "memory after its runs).  Photos are encoded in the first precision.\n"
    "With a single precision the model is loaded for it alone\n"
    "(clip_model_load_for: no float32 copy), so peak_rss_mb is what that\n"
    "precision needs; with several, every precision packs from float32.\n"
    "\n"
    "With --photos FOLDER, the photos in FOLDER (not in its subfolders) are\n"
    "decoded and preprocessed on one thread by the fast path meant for\n"
    "indexing (JPEGs decoded at reduced scale, down to twice the model's input\n"
    "size), and, for comparison, at full size; then encoded in batches of 8;\n"
    "then indexed end to end by the real indexer into a temporary database\n"
    "that is deleted afterwards.  The JSON object then has an \"index\"\n"
    "member: photos_per_s (indexing, wall clock, loading the model included),\n"
    "encoder_photos_per_s, ratio (the first over the second), decode_cpu_ms,\n"
    "decode_full_cpu_ms and encode_cpu_ms (CPU milliseconds per photo),\n"
    "photos (how many were timed), seconds (how long indexing took),\n"
    "precision (the encoder's, the indexer's too), stage_photos_per_s (the\n"
    "indexer's decode-and-encode stage alone, after loading and scanning),\n"
    "ideal_photos_per_s (all cores busy: cores x 1000 / (decode_cpu_ms +\n"
    "encode_cpu_ms)), ideal_share (the stage's rate over the ideal) and\n"
    "stage_cpu_ms (the process's CPU milliseconds per photo in the stage:\n"
    "above decode_cpu_ms + encode_cpu_ms by what the pipeline adds).\n"
    "\n"
    "--make-photos N writes N generated 4000x3000 JPEGs (quality 90) named\n"
    "bench-NNNNN.jpg into the --photos folder first, creating it if needed,\n"
    "unless it already holds photos.");
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("bench: unexpected argument '%s'", argv[1]);
      fail_message (m);
      return EXIT_USAGE;
    }
  dir = model_dir_or_env (model_opt);
  if (dir == NULL || reps < 1 || !cli_parse_backend (backend_opt, &params.backend))
    {
      fail_message ("bench: give --model DIR (or CLIPSIGHT_MODEL); --repeat at least 1");
      return EXIT_USAGE;
    }
  if (make_n < 0 || make_n > MADE_MAX || (make_n > 0 && photos_opt == NULL))
    {
      g_autofree char *m = g_strdup_printf ("bench: --make-photos takes 0 to %d and needs --photos FOLDER",
                                            MADE_MAX);
      fail_message (m);
      return EXIT_USAGE;
    }
  for (int i = 0; precisions_opt != NULL && precisions_opt[i] != NULL; i++)
    {
      clip_precision p;
      gboolean all = g_str_equal (precisions_opt[i], "all"), seen = FALSE;

      if (!all && !clip_precision_parse (precisions_opt[i], &p))
        {
          g_autofree char *m = g_strdup_printf ("bench: unknown precision '%s' (f32, f16, bf16, int8 or all)",
                                                precisions_opt[i]);
          fail_message (m);
          return EXIT_USAGE;
        }
      for (int q = 0; q < CLIP_N_PRECISIONS; q++)
        {
          if (!all && q != (int) p)
            continue;
          seen = FALSE;
          for (int j = 0; j < n_precisions; j++)
            seen |= precisions[j] == (clip_precision) q;
          if (!seen)
            precisions[n_precisions++] = (clip_precision) q;
        }
    }
  if (n_precisions == 0)
    precisions[n_precisions++] = CLIP_PRECISION_F32;
  if (params.backend != CLIP_BACKEND_NATIVE && (n_precisions > 1 || precisions[0] != CLIP_PRECISION_F32))
    {
      fail_message ("bench: precisions other than f32 need the native backend");
      return EXIT_USAGE;
    }
  for (int i = 0; batches_opt != NULL && batches_opt[i] != NULL && n_batches < 16; i++)
    {
      int b = atoi (batches_opt[i]);
      if (b < 1 || b > 256)
        {
          fail_message ("bench: --batch must be between 1 and 256");
          return EXIT_USAGE;
        }
      batches[n_batches++] = b;
    }
  if (n_batches == 0)
    {
      batches[n_batches++] = 1;
      batches[n_batches++] = 8;
      batches[n_batches++] = 32;
    }

  /* The photos first: a missing folder should fail before minutes of
   * benchmarking. */
  if (photos_opt != NULL)
    {
      if (make_n > 0)
        {
          photos = g_file_test (photos_opt, G_FILE_TEST_IS_DIR) ? list_photos (photos_opt, NULL) : NULL;
          if (photos == NULL || photos->len == 0)
            {
              if (!make_photos (photos_opt, make_n, !as_json, &gerror))
                return fail_error (gerror);
            }
          else if (!as_json)
            fprintf (stderr, "%s already holds photos: none written\n", photos_opt);
          g_clear_pointer (&photos, g_ptr_array_unref);
        }
      photos = list_photos (photos_opt, &gerror);
      if (photos == NULL)
        return fail_error (gerror);
      if (photos->len == 0)
        {
          g_autofree char *name = g_filename_display_name (photos_opt);
          g_autofree char *m = g_strdup_printf ("bench: %s: no photos (try --make-photos N)", name);
          fail_message (m);
          return EXIT_FAILURE;
        }
    }

  /* One precision on the native backend: load the model for it alone, so
   * that the peak resident size is that precision's weights, not those
   * plus a float32 copy. */
  gboolean lean = n_precisions == 1 && params.backend == CLIP_BACKEND_NATIVE;
  gint64 t0 = g_get_monotonic_time ();
  status = lean ? clip_model_load_for (dir, precisions[0], CLIP_TOWERS_ALL, &model, &message)
                : clip_model_load (dir, &model, &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  double load_ms = (g_get_monotonic_time () - t0) / 1000.0;
  params.n_threads = threads;

  const clip_model_info *info = clip_model_get_info (model);
  size_t nf = clip_model_image_floats (model);
  int max_batch = 1;
  for (int i = 0; i < n_batches; i++)
    max_batch = MAX (max_batch, batches[i]);
  g_autofree float *pix = g_new (float, nf * (size_t) max_batch);
  g_autofree float *out = g_new (float, (size_t) max_batch * info->embed_dim);
  g_autofree double *times = g_new (double, (size_t) reps * 3 + 1);
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GString) image_json = g_string_new (NULL);
  g_autoptr(GString) text_json = g_string_new (NULL);
  g_autoptr(GString) prec_json = g_string_new (NULL);
  GRand *rand = g_rand_new_with_seed (7);
  for (size_t i = 0; i < nf * (size_t) max_batch; i++)
    pix[i] = (float) g_rand_double_range (rand, -1.8, 2.1);
  g_rand_free (rand);

  const char *kernels = params.backend == CLIP_BACKEND_REF ? "ref" : clip_kernels_name ();
  g_string_append_printf (json, "{\"kernels\": \"%s\", ", kernels);
  json_append_number (json, "load_ms", load_ms, 1);
  if (!as_json)
    printf ("model %s: load %.1f ms, kernels %s, %.2f GFLOP per image\n", dir, load_ms,
            kernels, image_gflop (info));

  const int token_counts[] = { 10, 77 };
  const clip_tokenizer *tok = clip_model_get_tokenizer (model);
  int ctxlen = info->context_length;
  ids = g_new0 (int32_t, ctxlen);

  for (int pi = 0; pi < n_precisions; pi++)
    {
      const char *pname = clip_precision_name (precisions[pi]);
      clip_ctx *pctx = NULL;
      double pack_ms, peak;
      gboolean fast = params.backend == CLIP_BACKEND_NATIVE && clip_precision_is_fast (precisions[pi]);

      params.precision = precisions[pi];
      t0 = g_get_monotonic_time ();
      status = clip_ctx_new (model, &params, &pctx, &message);
      if (status != CLIP_STATUS_OK)
        goto fail;
      pack_ms = (g_get_monotonic_time () - t0) / 1000.0;
      /* the instruction's peak on as many threads as the encoder uses */
      peak = params.backend == CLIP_BACKEND_NATIVE ? clip_kernels_peak_gops (precisions[pi], threads, 0.25) : 0;
      if (pi == 0)
        ctx = pctx;
      if (!as_json)
        printf ("precision %s: kernels %s%s, weights packed in %.0f ms, instruction peak %.1f GOP/s\n",
                pname, kernels, fast ? "" : " (generic loops)", pack_ms, peak);

      for (int bi = 0; bi < n_batches; bi++)
        {
          int b = batches[bi];
          double best = 1e30, cpu = 0;
          for (int r = 0; r <= reps; r++)
            {
              double c0 = cpu_seconds ();
              gint64 w0 = g_get_monotonic_time ();
              status = clip_encode_images (pctx, pix, b, out, &message);
              double dt = (g_get_monotonic_time () - w0) / 1e6;
              if (status != CLIP_STATUS_OK)
                {
                  if (pctx != ctx)
                    clip_ctx_free (pctx);
                  goto fail;
                }
              if (r == 0)
                continue; /* warm-up */
              best = MIN (best, dt);
              times[r - 1] = dt;
              cpu += cpu_seconds () - c0;
            }
          double per_s = b / best, med_per_s = b / median (times, reps), per_cpu_s = b * reps / cpu;
          double gflops = per_s * image_gflop (info);
          g_string_append_printf (image_json, "%s{\"precision\": \"%s\", \"batch\": %d, ",
                                  image_json->len ? ", " : "", pname, b);
          json_append_number (image_json, "per_s", per_s, 3);
          g_string_append (image_json, ", ");
          json_append_number (image_json, "median_per_s", med_per_s, 3);
          g_string_append (image_json, ", ");
          json_append_number (image_json, "per_cpu_s", per_cpu_s, 3);
          g_string_append (image_json, ", ");
          json_append_number (image_json, "gflops", gflops, 2);
          g_string_append (image_json, ", ");
          json_append_number (image_json, "peak_gops", peak, 1);
          g_string_append (image_json, ", ");
          json_append_number (image_json, "peak_share", peak > 0 ? gflops / peak : 0, 3);
          g_string_append (image_json, "}");
          if (!as_json)
            printf ("image %-4s batch %3d: %8.2f images/s (best of %d; median %.2f), %7.2f per CPU-second, "
                    "%6.1f GFLOP/s = %2.0f%% of peak\n",
                    pname, b, per_s, reps, med_per_s, per_cpu_s, gflops, peak > 0 ? 100 * gflops / peak : 0);
        }

      for (size_t ti = 0; ti < G_N_ELEMENTS (token_counts); ti++)
        {
          int tokens = MIN (token_counts[ti], ctxlen);
          double best = 1e30;
          /* SOT, filler words, EOT at position tokens-1 */
          ids[0] = clip_tokenizer_sot_id (tok);
          for (int i = 1; i < tokens - 1; i++)
            ids[i] = 320 % info->vocab_size;
          ids[tokens - 1] = clip_tokenizer_eot_id (tok);
          for (int i = tokens; i < ctxlen; i++)
            ids[i] = 0;
          for (int r = 0; r <= reps * 3; r++)
            {
              gint64 w0 = g_get_monotonic_time ();
              status = clip_encode_texts (pctx, ids, 1, out, &message);
              if (status != CLIP_STATUS_OK)
                {
                  if (pctx != ctx)
                    clip_ctx_free (pctx);
                  goto fail;
                }
              if (r > 0)
                {
                  times[r - 1] = (g_get_monotonic_time () - w0) / 1000.0;
                  best = MIN (best, times[r - 1]);
                }
            }
          double med = median (times, reps * 3);
          g_string_append_printf (text_json, "%s{\"precision\": \"%s\", \"tokens\": %d, ",
                                  text_json->len ? ", " : "", pname, tokens);
          json_append_number (text_json, "ms", best, 3);
          g_string_append (text_json, ", ");
          json_append_number (text_json, "median_ms", med, 3);
          g_string_append (text_json, "}");
          if (!as_json)
            printf ("text  %-4s %2d tokens: %8.2f ms (best of %d; median %.2f)\n", pname, tokens, best,
                    reps * 3, med);
        }

      g_string_append_printf (prec_json, "%s{\"precision\": \"%s\", \"kernels\": \"%s\", \"fast\": %s, ",
                              prec_json->len ? ", " : "", pname, kernels, fast ? "true" : "false");
      json_append_number (prec_json, "pack_ms", pack_ms, 1);
      g_string_append (prec_json, ", ");
      json_append_number (prec_json, "rss_mb", rss_mb (), 0);
      g_string_append (prec_json, "}");
      if (pctx != ctx)
        clip_ctx_free (pctx);
    }
  g_string_append_printf (json, ", \"image\": [%s], \"text\": [%s], \"precisions\": [%s]",
                          image_json->str, text_json->str, prec_json->str);

  if (photos != NULL &&
      !bench_decode_and_encode (ctx, model, photos, !as_json, &fig, &gerror))
    {
      clip_ctx_free (ctx);
      clip_model_free (model);
      return fail_error (gerror);
    }
  /* The indexer loads the model itself: ours goes first, so that the peak
   * resident size is the indexer's, not the sum. */
  g_clear_pointer (&ctx, clip_ctx_free);
  g_clear_pointer (&model, clip_model_free);
  if (photos != NULL && !bench_index (dir, precisions[0], photos_opt, !as_json, &fig, &gerror))
    return fail_error (gerror);

  g_string_append (json, ", ");
  json_append_number (json, "peak_rss_mb", peak_rss_mb (), 0);
  if (photos != NULL)
    {
      double n = fig.photos;
      double photos_per_s = fig.index_wall_s > 0 ? fig.indexed / fig.index_wall_s : 0;
      double encoder_per_s = fig.encode_wall_s > 0 ? n / fig.encode_wall_s : 0;
      double ratio = encoder_per_s > 0 ? photos_per_s / encoder_per_s : 0;
      /* what the cores could do if decoding and encoding shared them
       * without an idle moment: CPU-seconds available / CPU-seconds needed */
      double cpu_ms = (fig.decode_cpu_s + fig.encode_cpu_s) / n * 1000;
      double stage_per_s = fig.embed_wall_s > 0 ? fig.indexed / fig.embed_wall_s : 0;
      double ideal_per_s = cpu_ms > 0 ? 1000.0 * g_get_num_processors () / cpu_ms : 0;

      g_string_append_printf (json, ", \"index\": {\"photos\": %u, ", fig.photos);
      json_append_number (json, "photos_per_s", photos_per_s, 3);
      g_string_append (json, ", ");
      json_append_number (json, "decode_cpu_ms", fig.decode_cpu_s / n * 1000, 1);
      g_string_append (json, ", ");
      json_append_number (json, "decode_full_cpu_ms", fig.decode_full_cpu_s / n * 1000, 1);
      g_string_append (json, ", ");
      json_append_number (json, "encode_cpu_ms", fig.encode_cpu_s / n * 1000, 1);
      g_string_append (json, ", ");
      json_append_number (json, "encoder_photos_per_s", encoder_per_s, 3);
      g_string_append (json, ", ");
      json_append_number (json, "ratio", ratio, 3);
      g_string_append (json, ", ");
      json_append_number (json, "seconds", fig.index_wall_s, 3);
      g_string_append (json, ", ");
      json_append_number (json, "stage_photos_per_s", stage_per_s, 3);
      g_string_append (json, ", ");
      json_append_number (json, "ideal_photos_per_s", ideal_per_s, 3);
      g_string_append (json, ", ");
      json_append_number (json, "ideal_share", ideal_per_s > 0 ? stage_per_s / ideal_per_s : 0, 3);
      g_string_append (json, ", ");
      json_append_number (json, "stage_cpu_ms", fig.embed_cpu_s / MAX (fig.indexed, 1) * 1000, 1);
      g_string_append_printf (json, ", \"precision\": \"%s\"}", clip_precision_name (precisions[0]));
      if (!as_json)
        {
          printf ("photos: %u in %s\n", fig.photos, photos_opt);
          printf ("decode + preprocess, 1 thread: %.1f ms CPU per photo (full-size decode: %.1f ms)\n",
                  fig.decode_cpu_s / n * 1000, fig.decode_full_cpu_s / n * 1000);
          printf ("encoder alone, batches of %d: %.2f photos/s, %.1f ms CPU per photo\n",
                  PHOTO_BATCH, encoder_per_s, fig.encode_cpu_s / n * 1000);
          printf ("indexing end to end: %.2f photos/s (%u photos in %.2f s, of which loading the "
                  "model about %.1f s)\n", photos_per_s, fig.indexed, fig.index_wall_s, load_ms / 1000);
          printf ("indexing / encoder alone: %.3f\n", ratio);
          printf ("decode-and-encode stage (%s): %.2f photos/s in %.2f s; ideal on %u cores "
                  "(%.1f ms CPU per photo): %.2f photos/s; share of ideal %.0f%%\n",
                  clip_precision_name (precisions[0]), stage_per_s, fig.embed_wall_s,
                  g_get_num_processors (), cpu_ms, ideal_per_s,
                  ideal_per_s > 0 ? 100 * stage_per_s / ideal_per_s : 0);
          printf ("CPU time in that stage: %.1f ms per photo (decoding + encoding alone: %.1f ms)\n",
                  fig.embed_cpu_s / MAX (fig.indexed, 1) * 1000, cpu_ms);
        }
    }
  g_string_append (json, "}\n");
  if (as_json)
    fputs (json->str, stdout);
  else
    printf ("peak RSS %.0f MB\n", peak_rss_mb ());
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;

fail:
  clip_ctx_free (ctx);
  clip_model_free (model);
  return fail_clip (status, message);
}
