/* cli-bench-photos.c - `clipsight-cli bench --photos`: the photos
 * (generated ones with --make-photos), and the figures of decoding,
 * encoding and indexing them (see cli-bench.c).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-clip-error.h"
#include "cs-decode-clip.h"
#include "cs-indexer.h"
#include "cs-raw.h"
#include "cs-scanner.h"

#include "cli-bench.h"
#include "cli-util.h"

/* Images per encoder call in the photo benchmark: the indexer's batch. */
#define PHOTO_BATCH 8
/* Photos decoded before they are encoded: bounds the tensors held. */
#define PHOTO_CHUNK 64
/* Generated photos: 12 megapixels, as a phone camera's. */
#define MADE_WIDTH  4000
#define MADE_HEIGHT 3000

/* ----------------------------------------------------------------- helpers */

static double
rusage_seconds (const struct rusage *ru)
{
  return (double) ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6
         + (double) ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* CPU time of the whole process (every thread). */
double
bench_cpu_seconds (void)
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

/* ------------------------------------------------------ generated photos */

static guint32
xorshift32 (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* A photo-like picture: per channel a plane, a broad product of two waves
 * and a finer one (texture), some soft-edged ellipses, and sensor-like
 * noise; at quality 90 it compresses to about what a 12-megapixel phone
 * photo does. */
static GdkPixbuf *
make_photo_pixbuf (guint32 seed)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, MADE_WIDTH, MADE_HEIGHT);
  g_autofree float *wave_x = NULL, *wave_y = NULL, *fine_x = NULL, *fine_y = NULL;
  GRand *rand;
  guint8 *pixels;
  int stride;
  float base[3], gx[3], gy[3], amp[3], fine_amp[3];
  guint32 noise = seed * 2654435761u + 1;

  if (pixbuf == NULL)
    return NULL;
  rand = g_rand_new_with_seed (seed);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  wave_x = g_new (float, 3 * MADE_WIDTH);
  wave_y = g_new (float, 3 * MADE_HEIGHT);
  fine_x = g_new (float, 3 * MADE_WIDTH);
  fine_y = g_new (float, 3 * MADE_HEIGHT);
  for (int c = 0; c < 3; c++)
    {
      double fx = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / MADE_WIDTH;
      double fy = g_rand_double_range (rand, 0.5, 6.0) * 2 * G_PI / MADE_HEIGHT;
      double px = g_rand_double_range (rand, 0, 2 * G_PI), py = g_rand_double_range (rand, 0, 2 * G_PI);
      double ffx = g_rand_double_range (rand, 100, 400) * 2 * G_PI / MADE_WIDTH;
      double ffy = g_rand_double_range (rand, 100, 400) * 2 * G_PI / MADE_HEIGHT;

      base[c] = (float) g_rand_double_range (rand, 40, 200);
      gx[c] = (float) g_rand_double_range (rand, -60, 60) / MADE_WIDTH;
      gy[c] = (float) g_rand_double_range (rand, -60, 60) / MADE_HEIGHT;
      amp[c] = (float) g_rand_double_range (rand, 10, 50);
      fine_amp[c] = (float) g_rand_double_range (rand, 4, 12);
      for (int x = 0; x < MADE_WIDTH; x++)
        {
          wave_x[c * MADE_WIDTH + x] = (float) sin (fx * x + px);
          fine_x[c * MADE_WIDTH + x] = (float) sin (ffx * x + px + x * x * 1e-5);
        }
      for (int y = 0; y < MADE_HEIGHT; y++)
        {
          wave_y[c * MADE_HEIGHT + y] = (float) cos (fy * y + py);
          fine_y[c * MADE_HEIGHT + y] = (float) cos (ffy * y + py + y * y * 1e-5);
        }
    }
  for (int y = 0; y < MADE_HEIGHT; y++)
    {
      guint8 *p = pixels + (gsize) y * stride;

      for (int x = 0; x < MADE_WIDTH; x++, p += 3)
        for (int c = 0; c < 3; c++)
          {
            float v = base[c] + gx[c] * x + gy[c] * y
                      + amp[c] * wave_x[c * MADE_WIDTH + x] * wave_y[c * MADE_HEIGHT + y]
                      + fine_amp[c] * fine_x[c * MADE_WIDTH + x] * fine_y[c * MADE_HEIGHT + y]
                      + (float) (xorshift32 (&noise) & 31) - 15.5f;

            p[c] = (guint8) CLAMP (v, 0.0f, 255.0f);
          }
    }
  /* Objects: ellipses blended in over a soft edge. */
  for (int k = 0; k < 8; k++)
    {
      double cx = g_rand_double_range (rand, 0, MADE_WIDTH), cy = g_rand_double_range (rand, 0, MADE_HEIGHT);
      double rx = g_rand_double_range (rand, 100, 900), ry = g_rand_double_range (rand, 100, 900);
      guint8 colour[3] = { g_rand_int_range (rand, 0, 256), g_rand_int_range (rand, 0, 256),
                           g_rand_int_range (rand, 0, 256) };
      int x0 = MAX (0, (int) (cx - rx)), x1 = MIN (MADE_WIDTH, (int) (cx + rx) + 1);
      int y0 = MAX (0, (int) (cy - ry)), y1 = MIN (MADE_HEIGHT, (int) (cy + ry) + 1);

      for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
          {
            double dx = (x - cx) / rx, dy = (y - cy) / ry;
            double r = sqrt (dx * dx + dy * dy);
            double a = CLAMP ((1.0 - r) * 20.0, 0.0, 0.85);   /* soft edge */
            guint8 *p = pixels + (gsize) y * stride + (gsize) x * 3;

            if (a <= 0)
              continue;
            for (int c = 0; c < 3; c++)
              p[c] = (guint8) lround (p[c] * (1 - a) + colour[c] * a);
          }
    }
  g_rand_free (rand);
  return pixbuf;
}

gboolean
bench_make_photos (const char *folder,
                   int         n,
                   gboolean    verbose,
                   GError    **error)
{
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *name = g_filename_display_name (folder);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", name, g_strerror (saved));
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      g_autofree char *base = g_strdup_printf ("bench-%05d.jpg", i + 1);
      g_autofree char *path = g_build_filename (folder, base, NULL);
      g_autoptr(GdkPixbuf) pixbuf = make_photo_pixbuf ((guint32) i + 1);

      if (pixbuf == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "not enough memory for a generated photo");
          return FALSE;
        }
      if (!gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "90", NULL))
        return FALSE;
      if (verbose)
        {
          fprintf (stderr, "\rwriting photos: %d/%d", i + 1, n);
          fflush (stderr);
        }
    }
  if (verbose && n > 0)
    fputc ('\n', stderr);
  return TRUE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The photos of `folder` (not of its subfolders), sorted; raw camera
 * files are left out (their previews take another path). */
GPtrArray *
bench_list_photos (const char *folder,
                   GError    **error)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, error);
  GPtrArray *photos;
  const char *name;

  if (dir == NULL)
    return NULL;
  photos = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!cs_scanner_is_photo_name (name) || cs_raw_is_raw_name (name))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (photos, g_steal_pointer (&path));
    }
  g_ptr_array_sort (photos, compare_paths);
  return photos;
}

/* Removes the files of a temporary folder of ours, then the folder. */
static void
remove_temp_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
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
gboolean
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
          double c0 = bench_cpu_seconds ();
          gint64 w0 = g_get_monotonic_time ();
          clip_status status = clip_encode_images (ctx, pix + nf * b, nb, emb, &message);

          fig->encode_wall_s += (g_get_monotonic_time () - w0) / 1e6;
          fig->encode_cpu_s += bench_cpu_seconds () - c0;
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
      t->cpu = bench_cpu_seconds ();
    }
}

/* (3) the indexer, end to end, into a database of its own. */
gboolean
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
  fig->embed_cpu_s = stage.wall > 0 ? bench_cpu_seconds () - stage.cpu : 0;
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

/* ----------------------------------------------------------------- report */

/* The photo benchmark's rates, from its measurements. */
typedef struct {
  double photos_per_s;    /* indexing end to end */
  double encoder_per_s;   /* the encoder alone */
  double ratio;
  double cpu_ms;          /* decoding + encoding, per photo */
  double stage_per_s;     /* the indexer's decode-and-encode stage */
  double ideal_per_s;
} PhotoRates;

static void
photo_rates (const PhotoFigures *fig,
             PhotoRates         *r)
{
  double n = fig->photos;

  r->photos_per_s = fig->index_wall_s > 0 ? fig->indexed / fig->index_wall_s : 0;
  r->encoder_per_s = fig->encode_wall_s > 0 ? n / fig->encode_wall_s : 0;
  r->ratio = r->encoder_per_s > 0 ? r->photos_per_s / r->encoder_per_s : 0;
  /* what the cores could do if decoding and encoding shared them
   * without an idle moment: CPU-seconds available / CPU-seconds needed */
  r->cpu_ms = (fig->decode_cpu_s + fig->encode_cpu_s) / n * 1000;
  r->stage_per_s = fig->embed_wall_s > 0 ? fig->indexed / fig->embed_wall_s : 0;
  r->ideal_per_s = r->cpu_ms > 0 ? 1000.0 * g_get_num_processors () / r->cpu_ms : 0;
}

JsonObject *
bench_photo_figures_json (const PhotoFigures *fig,
                          clip_precision      precision)
{
  JsonObject *object = json_object_new ();
  double n = fig->photos;
  PhotoRates r;

  photo_rates (fig, &r);
  json_object_set_int_member (object, "photos", fig->photos);
  bench_set_figure (object, "photos_per_s", r.photos_per_s, 3);
  bench_set_figure (object, "decode_cpu_ms", fig->decode_cpu_s / n * 1000, 1);
  bench_set_figure (object, "decode_full_cpu_ms", fig->decode_full_cpu_s / n * 1000, 1);
  bench_set_figure (object, "encode_cpu_ms", fig->encode_cpu_s / n * 1000, 1);
  bench_set_figure (object, "encoder_photos_per_s", r.encoder_per_s, 3);
  bench_set_figure (object, "ratio", r.ratio, 3);
  bench_set_figure (object, "seconds", fig->index_wall_s, 3);
  bench_set_figure (object, "stage_photos_per_s", r.stage_per_s, 3);
  bench_set_figure (object, "ideal_photos_per_s", r.ideal_per_s, 3);
  bench_set_figure (object, "ideal_share", r.ideal_per_s > 0 ? r.stage_per_s / r.ideal_per_s : 0, 3);
  bench_set_figure (object, "stage_cpu_ms", fig->embed_cpu_s / MAX (fig->indexed, 1) * 1000, 1);
  json_object_set_string_member (object, "precision", clip_precision_name (precision));
  return object;
}

void
bench_print_photo_figures (const PhotoFigures *fig,
                           clip_precision      precision,
                           const char         *folder,
                           double              load_ms)
{
  double n = fig->photos;
  PhotoRates r;

  photo_rates (fig, &r);
  printf ("photos: %u in %s\n", fig->photos, folder);
  printf ("decode + preprocess, 1 thread: %.1f ms CPU per photo (full-size decode: %.1f ms)\n",
          fig->decode_cpu_s / n * 1000, fig->decode_full_cpu_s / n * 1000);
  printf ("encoder alone, batches of %d: %.2f photos/s, %.1f ms CPU per photo\n",
          PHOTO_BATCH, r.encoder_per_s, fig->encode_cpu_s / n * 1000);
  printf ("indexing end to end: %.2f photos/s (%u photos in %.2f s, of which loading the "
          "model about %.1f s)\n", r.photos_per_s, fig->indexed, fig->index_wall_s, load_ms / 1000);
  printf ("indexing / encoder alone: %.3f\n", r.ratio);
  printf ("decode-and-encode stage (%s): %.2f photos/s in %.2f s; ideal on %u cores "
          "(%.1f ms CPU per photo): %.2f photos/s; share of ideal %.0f%%\n",
          clip_precision_name (precision), r.stage_per_s, fig->embed_wall_s,
          g_get_num_processors (), r.cpu_ms, r.ideal_per_s,
          r.ideal_per_s > 0 ? 100 * r.stage_per_s / r.ideal_per_s : 0);
  printf ("CPU time in that stage: %.1f ms per photo (decoding + encoding alone: %.1f ms)\n",
          fig->embed_cpu_s / MAX (fig->indexed, 1) * 1000, r.cpu_ms);
}
