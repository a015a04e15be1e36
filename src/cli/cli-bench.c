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
 * that folder (not its subfolders), measured in cli-bench-photos.c:
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

#include "clip.h"

#include "cli-bench.h"
#include "cli-util.h"

/* ----------------------------------------------------------------- helpers */

static double
peak_rss_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Multiply-adds of one image through the vision tower, as FLOPs (2 per
 * MAC): CLIP's class token and projection, or SigLIP's attention-pool
 * head (k and v of every patch, the probe's q and out_proj, its MLP). */
static double
image_gflop (const clip_model_info *in)
{
  gboolean clip = in->family == CLIP_FAMILY_CLIP;
  double w = in->vision.width, m = in->vision.mlp, p = in->patch_size;
  double g = in->image_size / in->patch_size, np = g * g, t = clip ? np + 1 : np;
  double per_layer = t * (4 * w * w + 2 * w * m) + 2 * t * t * w;
  double head = clip ? w * in->embed_dim : np * 2 * w * w + 2 * w * w + 2 * w * m + 2 * np * w;
  return 2.0 * (np * 3 * p * p * w + in->vision.layers * per_layer + head) / 1e9;
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

void
bench_set_figure (JsonObject *object,
                  const char *key,
                  double      value,
                  int         decimals)
{
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  json_object_set_member (object, key, cli_json_number (format, isfinite (value) ? value : 0.0));
}

/* ------------------------------------------------------------------ bench */

/* The command line, checked. */
typedef struct {
  char          *model_dir;
  char          *photos_dir;     /* --photos, or NULL */
  int            make_n;         /* --make-photos */
  clip_precision precisions[CLIP_N_PRECISIONS];
  int            n_precisions;
  int            batches[16];
  int            n_batches;
  int            threads;
  int            reps;
  unsigned       towers;         /* --towers: CLIP_TOWER_VISION, _TEXT or both */
  clip_backend   backend;
  gboolean       as_json;
} BenchOptions;

/* A run of the engine benchmark: the model, its inputs and the figures
 * measured so far, as the JSON arrays "image", "text" and "precisions". */
typedef struct {
  const BenchOptions *opt;
  clip_model         *model;
  clip_ctx           *first_ctx;  /* the first precision's: photos use it */
  const char         *kernels;
  double              load_ms;
  float              *pix;        /* random image tensors, largest batch */
  float              *out;
  double             *times;      /* one per timed call */
  int32_t            *ids;
  JsonArray          *image;
  JsonArray          *text;
  JsonArray          *precisions;
} Bench;

static void
bench_options_clear (BenchOptions *opt)
{
  g_clear_pointer (&opt->model_dir, g_free);
  g_clear_pointer (&opt->photos_dir, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BenchOptions, bench_options_clear)

static void
bench_clear (Bench *b)
{
  g_clear_pointer (&b->first_ctx, clip_ctx_free);
  g_clear_pointer (&b->model, clip_model_free);
  g_clear_pointer (&b->pix, g_free);
  g_clear_pointer (&b->out, g_free);
  g_clear_pointer (&b->times, g_free);
  g_clear_pointer (&b->ids, g_free);
  g_clear_pointer (&b->image, json_array_unref);
  g_clear_pointer (&b->text, json_array_unref);
  g_clear_pointer (&b->precisions, json_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Bench, bench_clear)

static const char bench_description[] =
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
  "--towers vision loads the vision tower alone, as the indexer does (its\n"
  "peak_rss_mb is what indexing needs), --towers text the text tower alone,\n"
  "as queries do; each then skips the other tower's figures.  A SigLIP\n"
  "model's texts are always its 64 tokens: its text figure is that one.\n"
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
  "unless it already holds photos.\n"
  "\n"
  "With CLIP_STAGE_TIMES=1 in the environment, each image figure is\n"
  "followed by the threads' milliseconds per image in each stage of the\n"
  "encoder (gemm, attention, quantize, layernorm, other; rest: the threads'\n"
  "capacity beyond them, waiting or preempted), and per 100 in the GEMMs\n"
  "(JSON: stage_ms_per_image).  Wall-clock timers: on a loaded machine\n"
  "preemption counts in whatever stage was running.";

/* --precision, repeatable, "all" for every one: each precision once, in
 * the order first named; f32 when none. */
static gboolean
parse_precisions (char         **names,
                  BenchOptions  *opt)
{
  for (int i = 0; names != NULL && names[i] != NULL; i++)
    {
      clip_precision p;
      gboolean all = g_str_equal (names[i], "all"), seen = FALSE;

      if (!all && !clip_precision_parse (names[i], &p))
        {
          g_autofree char *m = g_strdup_printf ("bench: unknown precision '%s' (f32, f16, bf16, int8 or all)",
                                                names[i]);
          fail_message (m);
          return FALSE;
        }
      for (int q = 0; q < CLIP_N_PRECISIONS; q++)
        {
          if (!all && q != (int) p)
            continue;
          seen = FALSE;
          for (int j = 0; j < opt->n_precisions; j++)
            seen |= opt->precisions[j] == (clip_precision) q;
          if (!seen)
            opt->precisions[opt->n_precisions++] = (clip_precision) q;
        }
    }
  if (opt->n_precisions == 0)
    opt->precisions[opt->n_precisions++] = CLIP_PRECISION_F32;
  if (opt->backend != CLIP_BACKEND_NATIVE
      && (opt->n_precisions > 1 || opt->precisions[0] != CLIP_PRECISION_F32))
    {
      fail_message ("bench: precisions other than f32 need the native backend");
      return FALSE;
    }
  return TRUE;
}

/* --batch, repeatable (the first 16): 1, 8 and 32 when none. */
static gboolean
parse_batches (char         **sizes,
               BenchOptions  *opt)
{
  for (int i = 0; sizes != NULL && sizes[i] != NULL && opt->n_batches < 16; i++)
    {
      int b = atoi (sizes[i]);
      if (b < 1 || b > 256)
        {
          fail_message ("bench: --batch must be between 1 and 256");
          return FALSE;
        }
      opt->batches[opt->n_batches++] = b;
    }
  if (opt->n_batches == 0)
    {
      opt->batches[opt->n_batches++] = 1;
      opt->batches[opt->n_batches++] = 8;
      opt->batches[opt->n_batches++] = 32;
    }
  return TRUE;
}

static gboolean
parse_bench_options (int           argc,
                     char        **argv,
                     BenchOptions *opt)
{
  g_autofree char *model_opt = NULL;
  g_auto(GStrv) batches_opt = NULL;
  g_auto(GStrv) precisions_opt = NULL;
  g_autofree char *backend_opt = NULL;
  g_autofree char *towers_opt = NULL;
  int threads = 0, reps = 3, make_n = 0;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- measure the engine's speed");
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (or $CLIPSIGHT_MODEL)", "DIR" },
    { "batch", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &batches_opt, "Image batch size (repeatable; default 1, 8 and 32)", "N" },
    { "precision", 0, 0, G_OPTION_ARG_STRING_ARRAY, &precisions_opt, "f32, f16, bf16, int8 or all (repeatable; default f32)", "P" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (default: all CPUs)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &reps, "Timed calls per figure, after one warm-up (default 3)", "N" },
    { "photos", 0, 0, G_OPTION_ARG_FILENAME, &opt->photos_dir, "Also time decoding, encoding and indexing the photos in FOLDER", "FOLDER" },
    { "make-photos", 0, 0, G_OPTION_ARG_INT, &make_n, "First write N generated 12-megapixel JPEGs into the --photos folder if it holds none", "N" },
    { "towers", 0, 0, G_OPTION_ARG_STRING, &towers_opt, "all (default), vision (as indexing loads it) or text (as queries do)", "T" },
    { "backend", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &backend_opt, "native, blas or ref", "B" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt->as_json, "Print one JSON object", NULL },
    { NULL }
  };
  const char *dir;

  g_option_context_set_description (octx, bench_description);
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return FALSE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("bench: unexpected argument '%s'", argv[1]);
      fail_message (m);
      return FALSE;
    }
  dir = model_dir_or_env (model_opt);
  if (dir == NULL || reps < 1 || !cli_parse_backend (backend_opt, &opt->backend))
    {
      fail_message ("bench: give --model DIR (or CLIPSIGHT_MODEL); --repeat at least 1");
      return FALSE;
    }
  if (make_n < 0 || make_n > MADE_MAX || (make_n > 0 && opt->photos_dir == NULL))
    {
      g_autofree char *m = g_strdup_printf ("bench: --make-photos takes 0 to %d and needs --photos FOLDER",
                                            MADE_MAX);
      fail_message (m);
      return FALSE;
    }
  if (towers_opt == NULL || g_str_equal (towers_opt, "all"))
    opt->towers = CLIP_TOWERS_ALL;
  else if (g_str_equal (towers_opt, "vision"))
    opt->towers = CLIP_TOWER_VISION;
  else if (g_str_equal (towers_opt, "text"))
    opt->towers = CLIP_TOWER_TEXT;
  else
    {
      g_autofree char *m = g_strdup_printf ("bench: unknown --towers '%s' (all, vision or text)", towers_opt);
      fail_message (m);
      return FALSE;
    }
  if (opt->towers != CLIP_TOWERS_ALL && opt->photos_dir != NULL && !(opt->towers & CLIP_TOWER_VISION))
    {
      fail_message ("bench: --photos needs the vision tower");
      return FALSE;
    }
  opt->model_dir = g_strdup (dir);
  opt->threads = threads;
  opt->reps = reps;
  opt->make_n = make_n;
  return parse_precisions (precisions_opt, opt) && parse_batches (batches_opt, opt);
}

/* The photos of --photos, written first with --make-photos N if the
 * folder holds none: a missing folder should fail before minutes of
 * benchmarking.  Returns an exit status. */
static int
prepare_photos (const BenchOptions *opt,
                GPtrArray         **out)
{
  g_autoptr(GPtrArray) photos = NULL;
  GError *error = NULL;

  if (opt->make_n > 0)
    {
      photos = g_file_test (opt->photos_dir, G_FILE_TEST_IS_DIR) ? bench_list_photos (opt->photos_dir, NULL) : NULL;
      if (photos == NULL || photos->len == 0)
        {
          if (!bench_make_photos (opt->photos_dir, opt->make_n, !opt->as_json, &error))
            return fail_error (error);
        }
      else if (!opt->as_json)
        fprintf (stderr, "%s already holds photos: none written\n", opt->photos_dir);
      g_clear_pointer (&photos, g_ptr_array_unref);
    }
  photos = bench_list_photos (opt->photos_dir, &error);
  if (photos == NULL)
    return fail_error (error);
  if (photos->len == 0)
    {
      g_autofree char *name = g_filename_display_name (opt->photos_dir);
      g_autofree char *m = g_strdup_printf ("bench: %s: no photos (try --make-photos N)", name);
      fail_message (m);
      return EXIT_FAILURE;
    }
  *out = g_steal_pointer (&photos);
  return EXIT_SUCCESS;
}

/* Loads the model and makes the inputs: random image tensors for the
 * largest batch. */
static clip_status
bench_load (Bench  *b,
            char  **message)
{
  const BenchOptions *opt = b->opt;
  /* One precision on the native backend: load the model for it alone, so
   * that the peak resident size is that precision's weights, not those
   * plus a float32 copy. */
  gboolean lean = opt->n_precisions == 1 && opt->backend == CLIP_BACKEND_NATIVE;
  gint64 t0 = g_get_monotonic_time ();
  const clip_model_info *info;
  clip_status status;
  size_t nf;
  int max_batch = 1;
  GRand *rand;

  status = lean ? clip_model_load_for (opt->model_dir, opt->precisions[0], opt->towers, &b->model, message)
                : clip_model_load (opt->model_dir, &b->model, message);
  if (status != CLIP_STATUS_OK)
    return status;
  b->load_ms = (g_get_monotonic_time () - t0) / 1000.0;

  info = clip_model_get_info (b->model);
  nf = clip_model_image_floats (b->model);
  for (int i = 0; i < opt->n_batches; i++)
    max_batch = MAX (max_batch, opt->batches[i]);
  b->pix = g_new (float, nf * (size_t) max_batch);
  b->out = g_new (float, (size_t) max_batch * info->embed_dim);
  b->times = g_new (double, (size_t) opt->reps * 3 + 1);
  b->ids = g_new0 (int32_t, info->context_length);
  rand = g_rand_new_with_seed (7);
  for (size_t i = 0; i < nf * (size_t) max_batch; i++)
    b->pix[i] = (float) g_rand_double_range (rand, -1.8, 2.1);
  g_rand_free (rand);

  b->kernels = opt->backend == CLIP_BACKEND_REF ? "ref" : clip_kernels_name ();
  if (!opt->as_json)
    printf ("model %s: load %.1f ms, kernels %s, %.2f GFLOP per image\n", opt->model_dir, b->load_ms,
            b->kernels, image_gflop (info));
  return CLIP_STATUS_OK;
}

/* CLIP_STAGE_TIMES (clip.h): the threads' milliseconds per image in each
 * stage of the timed calls, and per 100 in the GEMMs; "rest" is the
 * threads' capacity (wall x threads) beyond the stages: waiting for each
 * other, preempted by other processes, or in untimed steps. */
static void
bench_stages (Bench      *b,
              JsonObject *figures,
              const double *ms,
              int         images)
{
  JsonObject *st = json_object_new ();
  double busy = 0;

  if (!b->opt->as_json)
    printf ("      stages, ms per image (per 100 in gemm):");
  for (int i = 0; i <= CLIP_STAGE_COUNT; i++)
    {
      const char *name = i < CLIP_STAGE_COUNT ? clip_stage_name (i) : "rest";
      double v = i < CLIP_STAGE_THREADS_X_WALL ? ms[i]
                 : i == CLIP_STAGE_THREADS_X_WALL ? ms[i] : MAX (ms[CLIP_STAGE_THREADS_X_WALL] - busy, 0);

      if (i < CLIP_STAGE_THREADS_X_WALL)
        busy += ms[i];
      bench_set_figure (st, name, v / images, 3);
      if (!b->opt->as_json)
        printf (" %s %.2f (%.1f)", name, v / images, ms[0] > 0 ? 100 * v / ms[0] : 0);
    }
  if (!b->opt->as_json)
    printf ("\n");
  json_object_set_object_member (figures, "stage_ms_per_image", st);
}

/* Images per second through the vision tower at each batch size: the
 * best call and the median after a warm-up, and per CPU second. */
static clip_status
bench_images (Bench         *b,
              clip_ctx      *ctx,
              clip_precision precision,
              double         peak,
              char         **message)
{
  const char *pname = clip_precision_name (precision);
  int reps = b->opt->reps;

  for (int bi = 0; bi < b->opt->n_batches; bi++)
    {
      int batch = b->opt->batches[bi];
      double best = 1e30, cpu = 0, stage_ms[CLIP_STAGE_COUNT];
      JsonObject *figures;

      for (int r = 0; r <= reps; r++)
        {
          double c0 = bench_cpu_seconds ();
          gint64 w0 = g_get_monotonic_time ();
          clip_status status = clip_encode_images (ctx, b->pix, batch, b->out, message);
          double dt = (g_get_monotonic_time () - w0) / 1e6;

          if (status != CLIP_STATUS_OK)
            return status;
          if (r == 0)
            {
              clip_stage_times_take (stage_ms); /* drops the warm-up's */
              continue;
            }
          best = MIN (best, dt);
          b->times[r - 1] = dt;
          cpu += bench_cpu_seconds () - c0;
        }
      double per_s = batch / best, med_per_s = batch / median (b->times, reps), per_cpu_s = batch * reps / cpu;
      double gflops = per_s * image_gflop (clip_model_get_info (b->model));

      figures = json_object_new ();
      json_object_set_string_member (figures, "precision", pname);
      json_object_set_int_member (figures, "batch", batch);
      bench_set_figure (figures, "per_s", per_s, 3);
      bench_set_figure (figures, "median_per_s", med_per_s, 3);
      bench_set_figure (figures, "per_cpu_s", per_cpu_s, 3);
      bench_set_figure (figures, "gflops", gflops, 2);
      bench_set_figure (figures, "peak_gops", peak, 1);
      bench_set_figure (figures, "peak_share", peak > 0 ? gflops / peak : 0, 3);
      json_array_add_object_element (b->image, figures);
      if (!b->opt->as_json)
        printf ("image %-4s batch %3d: %8.2f images/s (best of %d; median %.2f), %7.2f per CPU-second, "
                "%6.1f GFLOP/s = %2.0f%% of peak\n",
                pname, batch, per_s, reps, med_per_s, per_cpu_s, gflops, peak > 0 ? 100 * gflops / peak : 0);
      if (clip_stage_times_take (stage_ms))
        bench_stages (b, figures, stage_ms, batch * reps);
    }
  return CLIP_STATUS_OK;
}

/* The text tower's latency at 10 and 77 tokens (at most the context);
 * a SigLIP model's at its context alone (64), which every text fills. */
static clip_status
bench_texts (Bench         *b,
             clip_ctx      *ctx,
             clip_precision precision,
             char         **message)
{
  static const int token_counts[] = { 10, 77 };
  const clip_model_info *info = clip_model_get_info (b->model);
  const clip_tokenizer *tok = clip_model_get_tokenizer (b->model);
  const char *pname = clip_precision_name (precision);
  int ctxlen = info->context_length, calls = b->opt->reps * 3;
  gboolean siglip = info->family != CLIP_FAMILY_CLIP;

  for (size_t ti = 0; ti < (siglip ? 1 : G_N_ELEMENTS (token_counts)); ti++)
    {
      int tokens = siglip ? ctxlen : MIN (token_counts[ti], ctxlen);
      double best = 1e30;
      JsonObject *figures;

      if (siglip)
        {
          /* a query as the tokenizer makes it, padded to the context;
           * the ids it reads are rows of the (mapped) token table */
          if (clip_model_tokenize (b->model, "a photo of two dogs playing in the snow", -1, b->ids) < 0)
            {
              *message = g_strdup ("bench: the tokenizer failed");
              return CLIP_STATUS_FORMAT;
            }
        }
      else
        {
          /* SOT, filler words, EOT at position tokens-1 */
          b->ids[0] = clip_tokenizer_sot_id (tok);
          for (int i = 1; i < tokens - 1; i++)
            b->ids[i] = 320 % info->vocab_size;
          b->ids[tokens - 1] = clip_tokenizer_eot_id (tok);
          for (int i = tokens; i < ctxlen; i++)
            b->ids[i] = 0;
        }
      for (int r = 0; r <= calls; r++)
        {
          gint64 w0 = g_get_monotonic_time ();
          clip_status status = clip_encode_texts (ctx, b->ids, 1, b->out, message);

          if (status != CLIP_STATUS_OK)
            return status;
          if (r > 0)
            {
              b->times[r - 1] = (g_get_monotonic_time () - w0) / 1000.0;
              best = MIN (best, b->times[r - 1]);
            }
        }
      double med = median (b->times, calls);

      figures = json_object_new ();
      json_object_set_string_member (figures, "precision", pname);
      json_object_set_int_member (figures, "tokens", tokens);
      bench_set_figure (figures, "ms", best, 3);
      bench_set_figure (figures, "median_ms", med, 3);
      json_array_add_object_element (b->text, figures);
      if (!b->opt->as_json)
        printf ("text  %-4s %2d tokens: %8.2f ms (best of %d; median %.2f)\n", pname, tokens, best,
                calls, med);
    }
  return CLIP_STATUS_OK;
}

/* One precision in a context of its own (kept as b->first_ctx for the
 * first): packing, the instruction's peak, images, texts. */
static clip_status
bench_precision (Bench         *b,
                 clip_precision precision,
                 char         **message)
{
  const BenchOptions *opt = b->opt;
  clip_params params = clip_params_default ();
  gboolean fast = opt->backend == CLIP_BACKEND_NATIVE && clip_precision_is_fast (precision);
  clip_ctx *ctx = NULL;
  clip_status status;
  double pack_ms, peak;
  gint64 t0;
  JsonObject *figures;

  params.backend = opt->backend;
  params.n_threads = opt->threads;
  params.precision = precision;
  t0 = g_get_monotonic_time ();
  status = clip_ctx_new (b->model, &params, &ctx, message);
  if (status != CLIP_STATUS_OK)
    return status;
  pack_ms = (g_get_monotonic_time () - t0) / 1000.0;
  /* the instruction's peak on as many threads as the encoder uses */
  peak = opt->backend == CLIP_BACKEND_NATIVE ? clip_kernels_peak_gops (precision, opt->threads, 0.25) : 0;
  if (b->first_ctx == NULL)
    b->first_ctx = ctx;
  if (!opt->as_json)
    printf ("precision %s: kernels %s%s, weights packed in %.0f ms, instruction peak %.1f GOP/s\n",
            clip_precision_name (precision), b->kernels, fast ? "" : " (generic loops)", pack_ms, peak);

  status = CLIP_STATUS_OK;
  if (opt->towers & CLIP_TOWER_VISION)
    status = bench_images (b, ctx, precision, peak, message);
  if (status == CLIP_STATUS_OK && (opt->towers & CLIP_TOWER_TEXT))
    status = bench_texts (b, ctx, precision, message);
  if (status == CLIP_STATUS_OK)
    {
      figures = json_object_new ();
      json_object_set_string_member (figures, "precision", clip_precision_name (precision));
      json_object_set_string_member (figures, "kernels", b->kernels);
      json_object_set_boolean_member (figures, "fast", fast);
      bench_set_figure (figures, "pack_ms", pack_ms, 1);
      bench_set_figure (figures, "rss_mb", rss_mb (), 0);
      json_array_add_object_element (b->precisions, figures);
    }
  if (ctx != b->first_ctx)
    clip_ctx_free (ctx);
  return status;
}

/* The engine's figures, each precision in turn.  Returns an exit status. */
static int
bench_engine (Bench *b)
{
  char *message = NULL;
  clip_status status = bench_load (b, &message);

  for (int pi = 0; pi < b->opt->n_precisions && status == CLIP_STATUS_OK; pi++)
    status = bench_precision (b, b->opt->precisions[pi], &message);
  if (status != CLIP_STATUS_OK)
    return fail_clip (status, message);
  return EXIT_SUCCESS;
}

/* The photo benchmark: (1) and (2) in the first precision's context,
 * then (3).  Returns an exit status. */
static int
bench_photos (Bench        *b,
              GPtrArray    *photos,
              PhotoFigures *fig)
{
  const BenchOptions *opt = b->opt;
  GError *error = NULL;

  if (!bench_decode_and_encode (b->first_ctx, b->model, photos, !opt->as_json, fig, &error))
    return fail_error (error);
  /* The indexer loads the model itself: ours goes first, so that the peak
   * resident size is the indexer's, not the sum. */
  g_clear_pointer (&b->first_ctx, clip_ctx_free);
  g_clear_pointer (&b->model, clip_model_free);
  if (!bench_index (opt->model_dir, opt->precisions[0], opt->photos_dir, !opt->as_json, fig, &error))
    return fail_error (error);
  return EXIT_SUCCESS;
}

static void
print_bench_json (Bench              *b,
                  const PhotoFigures *fig)
{
  g_autoptr(JsonObject) root = json_object_new ();

  json_object_set_string_member (root, "kernels", b->kernels);
  bench_set_figure (root, "load_ms", b->load_ms, 1);
  json_object_set_array_member (root, "image", g_steal_pointer (&b->image));
  json_object_set_array_member (root, "text", g_steal_pointer (&b->text));
  json_object_set_array_member (root, "precisions", g_steal_pointer (&b->precisions));
  bench_set_figure (root, "peak_rss_mb", peak_rss_mb (), 0);
  if (fig != NULL)
    json_object_set_object_member (root, "index", bench_photo_figures_json (fig, b->opt->precisions[0]));
  cli_json_print_object (root);
}

int
cli_cmd_bench (int    argc,
               char **argv)
{
  g_auto(BenchOptions) opt = { 0 };
  g_auto(Bench) b = { 0 };
  g_autoptr(GPtrArray) photos = NULL;
  PhotoFigures fig = { 0 };
  int rc;

  if (!parse_bench_options (argc, argv, &opt))
    return EXIT_USAGE;
  if (opt.towers != CLIP_TOWERS_ALL && (opt.n_precisions > 1 || opt.backend != CLIP_BACKEND_NATIVE))
    {
      /* one tower is clip_model_load_for's, which packs one precision */
      fail_message ("bench: --towers vision or text takes one precision on the native backend");
      return EXIT_USAGE;
    }
  if (opt.photos_dir != NULL && (rc = prepare_photos (&opt, &photos)) != EXIT_SUCCESS)
    return rc;
  b.opt = &opt;
  b.image = json_array_new ();
  b.text = json_array_new ();
  b.precisions = json_array_new ();
  if ((rc = bench_engine (&b)) != EXIT_SUCCESS)
    return rc;
  if (photos != NULL && (rc = bench_photos (&b, photos, &fig)) != EXIT_SUCCESS)
    return rc;
  /* without --photos too, the model goes before the peak is read */
  g_clear_pointer (&b.first_ctx, clip_ctx_free);
  g_clear_pointer (&b.model, clip_model_free);
  if (opt.as_json)
    print_bench_json (&b, photos != NULL ? &fig : NULL);
  else
    {
      if (photos != NULL)
        bench_print_photo_figures (&fig, opt.precisions[0], opt.photos_dir, b.load_ms);
      printf ("peak RSS %.0f MB\n", peak_rss_mb ());
    }
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
