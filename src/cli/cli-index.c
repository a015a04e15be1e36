/* cli-index.c - `clipsight-cli index` and `clipsight-cli status`.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * index drives the same CsIndexer the app uses, from a main loop: progress
 * arrives as coalesced property notifications and is drawn as one line on
 * a terminal; Ctrl+C cancels cleanly (everything committed stays).
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "cli-util.h"
#include "cs-clip-runtime.h"
#include "cs-indexer.h"
#include "cs-store.h"

typedef struct {
  CsIndexer    *indexer;
  GCancellable *cancellable;
  GMainLoop    *loop;
  CsIndexSummary *summary;
  GError       *error;
  gboolean      tty;
  gboolean      watch;           /* --watch: keep running after the first run */
  gboolean      as_json;
  gboolean      stopping;        /* watching, and a signal asked to stop */
  gboolean      started_watching;/* the first run of --watch is over */
  gint64        started;
  gint64        last_draw;
} IndexRun;

static char *
display_path (const char *path)
{
  return cli_display_path (path);
}

static void
draw_progress (IndexRun *run,
               gboolean  final)
{
  guint64 done = cs_indexer_get_n_done (run->indexer), total = cs_indexer_get_n_total (run->indexer);
  guint64 failed = cs_indexer_get_n_failed (run->indexer);
  gint64 now = g_get_monotonic_time ();
  double secs = (now - run->started) / 1e6;
  g_autoptr(GString) line = g_string_new (NULL);

  if (!run->tty || (!final && now - run->last_draw < 200 * G_TIME_SPAN_MILLISECOND))
    return;
  run->last_draw = now;
  if (cs_indexer_get_state (run->indexer) == CS_INDEXER_STATE_SCANNING)
    {
      const char *folder = cs_indexer_get_current_folder (run->indexer);
      g_string_append_printf (line, "scanning %s", folder != NULL ? folder : "");
    }
  else if (total > 0)
    {
      double rate = secs > 0 ? done / secs : 0;
      g_string_append_printf (line, "indexed %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " (%.0f%%)",
                              done, total, 100.0 * done / total);
      if (rate > 0)
        {
          guint64 eta = (guint64) ((total - done) / rate);
          g_string_append_printf (line, ", %.1f photos/s, ETA %" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
                                  rate, eta / 60, eta % 60);
        }
      if (failed > 0)
        g_string_append_printf (line, ", %" G_GUINT64_FORMAT " failed", failed);
    }
  if (line->len > 100)
    {
      g_string_truncate (line, 97);
      g_string_append (line, "...");
    }
  fprintf (stderr, "\r\033[K%s%s", line->str, final ? "\n" : "");
  fflush (stderr);
}

static void
on_progress_cb (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  draw_progress (user_data, FALSE);
}

static void print_summary (const CsIndexSummary *s,
                           gboolean              as_json);

static void
on_index_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  IndexRun *run = user_data;

  run->summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &run->error);
  if (!run->watch || run->summary == NULL || run->stopping)
    {
      g_main_loop_quit (run->loop);
      return;
    }
  /* watching: the first run's summary now, then one per watched change,
   * until a signal */
  draw_progress (run, TRUE);
  print_summary (run->summary, run->as_json);
  fflush (stdout);
  g_clear_pointer (&run->summary, cs_index_summary_free);
  /* "finished" of this first run came before this callback: from the next
   * run on, each watched change prints its summary */
  run->started_watching = TRUE;
}

/* A run for a watched change is over. */
static void
on_watch_finished_cb (CsIndexer *indexer,
                      gpointer   user_data)
{
  IndexRun *run = user_data;
  const CsIndexSummary *s = cs_indexer_get_last_summary (indexer);

  if (!run->watch || run->stopping || s == NULL || !run->started_watching)
    return;
  draw_progress (run, TRUE);
  print_summary (s, run->as_json);
  fflush (stdout);
}

/* A run for a watched change failed: say so and keep watching (the next
 * change runs again).  In --json mode stdout stays one JSON object a
 * line, so the failure is one too, {"error": "..."}, besides stderr. */
static void
on_watch_failed_cb (CsIndexer    *indexer,
                    const GError *error,
                    gpointer      user_data)
{
  IndexRun *run = user_data;

  if (!run->watch || run->stopping || !run->started_watching
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_autofree char *line = g_strdup_printf ("index --watch: a run failed, still watching: %s",
                                           error->message);

  draw_progress (run, TRUE);
  fail_message (line);
  fflush (stderr);
  if (run->as_json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "error", error->message);
      cli_json_print_object (object);
      fflush (stdout);
    }
}

static void
on_running_cb (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  IndexRun *run = user_data;

  if (run->stopping && !cs_indexer_get_running (run->indexer))
    g_main_loop_quit (run->loop);
}

static gboolean
on_sigint_cb (gpointer user_data)
{
  IndexRun *run = user_data;

  if (!run->watch || !run->started_watching)
    {
      /* a one-off run (or the first run of --watch) stops, with an error */
      g_cancellable_cancel (run->cancellable);
      return G_SOURCE_CONTINUE;
    }
  /* watching: stop watching, let a watched change's run stop at its next
   * batch (what it committed stays), then leave with success */
  run->stopping = TRUE;
  cs_indexer_set_watching (run->indexer, FALSE);
  cs_indexer_cancel (run->indexer);
  if (!cs_indexer_get_running (run->indexer))
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* The paths as people read them (display_path), as a JSON array. */
static JsonArray *
path_array (GPtrArray *paths)
{
  JsonArray *array = json_array_sized_new (paths->len);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *p = display_path (paths->pdata[i]);
      json_array_add_string_element (array, p);
    }
  return array;
}

/* Adds {"path": ..., "reason": ...} to `array`; with `old_reasons`, a
 * reason recorded by an older version loses the path it had in front. */
static void
add_failure (JsonArray  *array,
             const char *path,
             const char *reason,
             gboolean    old_reasons)
{
  g_autofree char *p = display_path (path);
  g_autofree char *text = old_reasons ? cs_indexer_failure_reason (path, reason) : g_strdup (reason);
  JsonObject *failure = json_object_new ();

  json_object_set_string_member (failure, "path", p);
  json_object_set_string_member (failure, "reason", text);
  json_array_add_object_element (array, failure);
}

/* A run's failures (CsIndexFailure*). */
static JsonArray *
run_failure_array (GPtrArray *failures)
{
  JsonArray *array = json_array_sized_new (failures->len);

  for (guint i = 0; i < failures->len; i++)
    {
      const CsIndexFailure *f = failures->pdata[i];
      add_failure (array, f->path, f->reason, FALSE);
    }
  return array;
}

/* The failures the store keeps (CsStoreFailure*). */
static JsonArray *
stored_failure_array (GPtrArray *failures)
{
  JsonArray *array = json_array_sized_new (failures->len);

  for (guint i = 0; i < failures->len; i++)
    {
      const CsStoreFailure *f = failures->pdata[i];
      add_failure (array, f->path, f->reason, TRUE);
    }
  return array;
}

static void
print_summary_json (const CsIndexSummary *s)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_int_member (object, "added", (gint64) s->added);
  json_object_set_int_member (object, "updated", (gint64) s->updated);
  json_object_set_int_member (object, "moved", (gint64) s->moved);
  json_object_set_int_member (object, "removed", (gint64) s->removed);
  json_object_set_int_member (object, "reembedded", (gint64) s->reembedded);
  json_object_set_int_member (object, "unchanged", (gint64) s->unchanged);
  json_object_set_int_member (object, "failed", (gint64) s->failed);
  json_object_set_int_member (object, "still_failing", (gint64) s->still_failing);
  json_object_set_int_member (object, "skipped", (gint64) s->skipped);
  json_object_set_member (object, "seconds", cli_json_number ("%.3f", s->seconds));
  json_object_set_string_member (object, "precision", s->precision);
  json_object_set_array_member (object, "failures", run_failure_array (s->failures));
  json_object_set_array_member (object, "skips", run_failure_array (s->skips));
  json_object_set_array_member (object, "unavailable", path_array (s->unavailable));
  cli_json_print_object (object);
}

/* One line per CsIndexFailure* of `entries`: "  WHAT: PATH: REASON". */
static void
print_entries (const char *what,
               GPtrArray  *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const CsIndexFailure *f = entries->pdata[i];
      g_autofree char *p = display_path (f->path);
      g_autofree char *reason = cli_printable (f->reason);
      printf ("  %s: %s: %s\n", what, p, reason);
    }
}

static void
print_summary (const CsIndexSummary *s,
               gboolean              as_json)
{
  if (as_json)
    {
      print_summary_json (s);
      return;
    }
  printf ("added %" G_GUINT64_FORMAT ", updated %" G_GUINT64_FORMAT ", moved %" G_GUINT64_FORMAT
          ", removed %" G_GUINT64_FORMAT ", re-embedded %" G_GUINT64_FORMAT ", unchanged %" G_GUINT64_FORMAT
          ", failed %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT " in %.1f s (encoder in %s)\n",
          s->added, s->updated, s->moved, s->removed, s->reembedded, s->unchanged, s->failed, s->skipped,
          s->seconds, s->precision);
  if (s->still_failing > 0)
    printf ("%" G_GUINT64_FORMAT " files that failed before are unchanged and were not retried "
            "(see 'clipsight-cli status')\n", s->still_failing);
  print_entries ("failed", s->failures);
  print_entries ("skipped", s->skips);
  for (guint i = 0; i < s->unavailable->len; i++)
    {
      g_autofree char *p = display_path (s->unavailable->pdata[i]);
      printf ("  unavailable (kept as it was): %s\n", p);
    }
}

/* The model to index with: --model, $CLIPSIGHT_MODEL, the one an
 * interrupted model change was building (finish it), or the active one.
 * NULL with *error set when the database cannot be read, NULL alone when
 * there is none. */
static char *
resolve_model (const char  *opt,
               const char  *database,
               GError     **error)
{
  const char *dir = model_dir_or_env (opt);
  g_autoptr(CsStore) store = NULL;
  char *building;

  if (dir != NULL)
    return g_strdup (dir);
  if (database != NULL && !g_file_test (database, G_FILE_TEST_EXISTS))
    return NULL; /* a new library: nothing to resume */
  store = cs_store_open (database, error);
  if (store == NULL)
    return NULL;
  building = cs_store_dup_setting (store, CS_STORE_SETTING_BUILDING_MODEL_DIR, error);
  if (building != NULL || *error != NULL)
    return building;
  return cs_store_dup_setting (store, CS_STORE_SETTING_MODEL_DIR, error);
}

int
cli_cmd_index (int    argc,
               char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *model_opt = NULL;
  g_autofree char *precision_opt = NULL;
  g_auto(GStrv) excludes = NULL;
  gboolean as_json = FALSE, watch = FALSE;
  clip_precision precision;
  g_autoptr(GOptionContext) octx = g_option_context_new ("FOLDER... - index photo folders");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (default: $CLIPSIGHT_MODEL, else the last one used)", "DIR" },
    { "exclude", 'x', 0, G_OPTION_ARG_FILENAME_ARRAY, &excludes, "Leave this folder out (repeatable)", "DIR" },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision_opt, "Arithmetic of the image encoder: f32, f16, bf16 or int8 (default: $CLIPSIGHT_PRECISION, else the fastest the CPU has)", "P" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the summary as one JSON object", NULL },
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "Keep running and index changes as they happen", NULL },
    { NULL }
  };
  IndexRun run = { 0 };
  g_autofree char *model = NULL;
  guint sigint_id, sigterm_id;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (precision_opt != NULL && !cli_parse_precision ("index", precision_opt, &precision))
    return EXIT_USAGE;
  model = resolve_model (model_opt, database, &run.error);
  if (run.error != NULL)
    return fail_error (g_steal_pointer (&run.error));
  if (model == NULL)
    {
      fail_message ("index: no model: give --model DIR or set CLIPSIGHT_MODEL");
      return EXIT_USAGE;
    }

  run.indexer = cs_indexer_new (database, model);
  cs_indexer_set_precision (run.indexer, precision_opt);
  for (int i = 1; i < argc; i++)
    {
      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autofree char *p = display_path (argv[i]);
          g_autofree char *m = g_strdup_printf ("index: %s: not a folder", p);
          fail_message (m);
          g_object_unref (run.indexer);
          return EXIT_FAILURE;
        }
      cs_indexer_add_folder (run.indexer, argv[i]);
    }
  for (int i = 0; excludes != NULL && excludes[i] != NULL; i++)
    cs_indexer_exclude_folder (run.indexer, excludes[i]);

  run.cancellable = g_cancellable_new ();
  run.loop = g_main_loop_new (NULL, FALSE);
  run.tty = isatty (STDERR_FILENO) && !as_json;
  run.started = g_get_monotonic_time ();
  g_signal_connect (run.indexer, "notify::n-done", G_CALLBACK (on_progress_cb), &run);
  g_signal_connect (run.indexer, "notify::current-folder", G_CALLBACK (on_progress_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigint_cb, &run);

  run.watch = watch;
  run.as_json = as_json;
  if (watch)
    {
      /* the monitors go on the folders the first run walks */
      cs_indexer_set_watching (run.indexer, TRUE);
      g_signal_connect (run.indexer, "finished", G_CALLBACK (on_watch_finished_cb), &run);
      g_signal_connect (run.indexer, "failed", G_CALLBACK (on_watch_failed_cb), &run);
      g_signal_connect (run.indexer, "notify::running", G_CALLBACK (on_running_cb), &run);
    }
  cs_indexer_rescan_async (run.indexer, run.cancellable, on_index_done_cb, &run);
  g_main_loop_run (run.loop);
  if (!watch)
    {
      draw_progress (&run, TRUE);
      if (run.summary != NULL)
        print_summary (run.summary, as_json);
    }

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  int rc = EXIT_SUCCESS;
  if (run.error != NULL)
    rc = fail_error (g_steal_pointer (&run.error));
  g_clear_pointer (&run.summary, cs_index_summary_free);
  g_main_loop_unref (run.loop);
  g_object_unref (run.cancellable);
  g_object_unref (run.indexer);
  return rc;
}

/* The precision the last index run that embedded photos used (the
 * indexer's setting "indexed-precision"): the check's choice, or the one
 * forced with --precision or CLIPSIGHT_PRECISION.  FALSE if none. */
static gboolean
read_indexed_precision (CsStore        *store,
                        clip_precision *out)
{
  g_autofree char *value = cs_store_dup_setting (store, CS_STORE_SETTING_INDEXED_PRECISION, NULL);

  return value != NULL && clip_precision_parse (value, out);
}

/* The indexer's run-time precision check (cs_clip_check_precision):
 * "precision" chosen, "precision_check_cosine" its worst cosine to f32,
 * "precision_check" every precision tried; null before the first run;
 * "indexed_precision" first, the one the last run used. */
static void
add_precision_check_members (JsonObject *object,
                             CsStore    *store)
{
  CsPrecisionCheck check;
  clip_precision indexed;
  JsonObject *tested;

  if (read_indexed_precision (store, &indexed))
    json_object_set_string_member (object, "indexed_precision", clip_precision_name (indexed));
  else
    json_object_set_null_member (object, "indexed_precision");
  if (!cs_clip_precision_check_read (store, &check))
    {
      json_object_set_null_member (object, "precision");
      json_object_set_null_member (object, "precision_check_cosine");
      json_object_set_null_member (object, "precision_check");
      return;
    }
  json_object_set_string_member (object, "precision", clip_precision_name (check.precision));
  json_object_set_member (object, "precision_check_cosine", cli_json_number ("%.6f", check.cosine));
  tested = json_object_new ();
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (isfinite (check.tested[p]))
      json_object_set_member (tested, clip_precision_name (p), cli_json_number ("%.6f", check.tested[p]));
  json_object_set_object_member (object, "precision_check", tested);
}

/* The measured figures behind the choice (the calibration): "chosen",
 * "cpu", "kernels" and "tried", per precision its "images_per_second"
 * (null if not timed) and "cosine" (worst to f32 on the check set; -1
 * when it overflowed); null before the first check.  A member of its
 * own: "precision" already names the chosen precision. */
static void
add_precision_calibration_member (JsonObject *object,
                                  CsStore    *store)
{
  CsPrecisionCheck check;
  JsonObject *calibration, *tried;

  if (!cs_clip_precision_check_read (store, &check))
    {
      json_object_set_null_member (object, "precision_calibration");
      return;
    }
  calibration = json_object_new ();
  json_object_set_string_member (calibration, "chosen", clip_precision_name (check.precision));
  json_object_set_string_member (calibration, "cpu", check.cpu);
  json_object_set_string_member (calibration, "kernels", check.kernels);
  tried = json_object_new ();
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (!isnan (check.tested[p]))
      {
        JsonObject *one = json_object_new ();

        json_object_set_member (one, "images_per_second", cli_json_number ("%.2f", check.images_per_s[p]));
        json_object_set_member (one, "cosine", cli_json_number ("%.6f", check.tested[p]));
        json_object_set_object_member (tried, clip_precision_name (p), one);
      }
  json_object_set_object_member (calibration, "tried", tried);
  json_object_set_object_member (object, "precision_calibration", calibration);
}

static void
print_precision_check (CsStore *store)
{
  CsPrecisionCheck check;
  clip_precision indexed;

  if (read_indexed_precision (store, &indexed))
    printf ("indexed in: %s\n", clip_precision_name (indexed));
  if (!cs_clip_precision_check_read (store, &check))
    return;
  printf ("precision: %s", clip_precision_name (check.precision));
  if (isfinite (check.cosine) && check.precision != CLIP_PRECISION_F32)
    printf (" (worst cosine %.4f to f32 on the check set)", check.cosine);
  /* f32 is the reference, tried since the check measures speeds: the
   * line stays as it was */
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (isfinite (check.tested[p]) && p != (int) check.precision && p != CLIP_PRECISION_F32)
      printf (", %s rejected (%.4f)", clip_precision_name (p), check.tested[p]);
  printf ("\n");
  /* the calibration's figures, in one line */
  printf ("precision measured:");
  for (int p = 0, n = 0; p < CLIP_N_PRECISIONS; p++)
    if (!isnan (check.tested[p]))
      {
        printf ("%s %s ", n++ ? "," : "", clip_precision_name (p));
        if (isfinite (check.images_per_s[p]))
          printf ("%.1f images/s", check.images_per_s[p]);
        else
          printf ("not timed");
        if (check.tested[p] < 0)
          printf (" (overflowed)");
        else if (p != CLIP_PRECISION_F32)
          printf (" (cosine %.4f)", check.tested[p]);
      }
  printf (" on %s (%s)\n", *check.cpu != '\0' ? check.cpu : "an unknown CPU", check.kernels);
}

/* What `status` prints, read from the database. */
typedef struct {
  gint64     photos;
  GPtrArray *folders;
  GPtrArray *excluded;
  GPtrArray *failures;         /* CsStoreFailure */
  char      *model_dir;        /* the model searches use */
  gint64     vectors;          /* its vectors: the searchable photos */
  int        dim;
  char      *building_dir;     /* the model a model change is building, */
  gint64     building_vectors; /* whose vectors are not searched until */
  int        building_dim;     /* they cover the library */
} LibraryStatus;

static void
library_status_clear (LibraryStatus *st)
{
  g_clear_pointer (&st->folders, g_ptr_array_unref);
  g_clear_pointer (&st->excluded, g_ptr_array_unref);
  g_clear_pointer (&st->failures, g_ptr_array_unref);
  g_clear_pointer (&st->model_dir, g_free);
  g_clear_pointer (&st->building_dir, g_free);
}

static gboolean
read_library_status (CsStore        *store,
                     LibraryStatus  *st,
                     GError        **error)
{
  g_autofree char *active = NULL;
  g_autofree char *building = NULL;
  gint64 row = 0, b_row = 0;

  st->photos = cs_store_count_photos (store, error);
  if (st->photos < 0
      || (st->folders = cs_store_list_folders (store, FALSE, error)) == NULL
      || (st->excluded = cs_store_list_folders (store, TRUE, error)) == NULL
      || (st->failures = cs_store_list_failures (store, error)) == NULL)
    return FALSE;
  active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, error);
  if (*error == NULL)
    st->model_dir = cs_store_dup_setting (store, CS_STORE_SETTING_MODEL_DIR, error);
  if (*error == NULL)
    building = cs_store_dup_setting (store, CS_STORE_SETTING_BUILDING_MODEL, error);
  if (*error == NULL)
    st->building_dir = cs_store_dup_setting (store, CS_STORE_SETTING_BUILDING_MODEL_DIR, error);
  if (*error == NULL && active != NULL && (row = cs_store_lookup_model (store, active, &st->dim, error)) > 0)
    st->vectors = cs_store_count_vectors (store, row, error);
  if (*error == NULL && building != NULL
      && (b_row = cs_store_lookup_model (store, building, &st->building_dim, error)) > 0)
    st->building_vectors = cs_store_count_vectors (store, b_row, error);
  if (*error != NULL)
    return FALSE;
  if (b_row <= 0)
    g_clear_pointer (&st->building_dir, g_free);
  return TRUE;
}

static void
print_status_json (CsStore             *store,
                   const LibraryStatus *st)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *db = display_path (cs_store_get_path (store));

  json_object_set_string_member (object, "database", db);
  json_object_set_int_member (object, "photos", st->photos);
  json_object_set_int_member (object, "searchable", st->vectors);
  json_object_set_int_member (object, "failed", st->failures->len);
  json_object_set_int_member (object, "dimension", st->dim);
  if (st->model_dir != NULL)
    {
      g_autofree char *m = display_path (st->model_dir);
      json_object_set_string_member (object, "model", m);
    }
  else
    json_object_set_null_member (object, "model");
  if (st->building_dir != NULL)
    {
      g_autofree char *m = display_path (st->building_dir);
      JsonObject *building = json_object_new ();

      json_object_set_string_member (building, "model", m);
      json_object_set_int_member (building, "dimension", st->building_dim);
      json_object_set_int_member (building, "embedded", st->building_vectors);
      json_object_set_int_member (building, "photos", st->photos);
      json_object_set_object_member (object, "building", building);
    }
  else
    json_object_set_null_member (object, "building");
  add_precision_check_members (object, store);
  add_precision_calibration_member (object, store);
  json_object_set_array_member (object, "folders", path_array (st->folders));
  json_object_set_array_member (object, "excluded", path_array (st->excluded));
  /* failures recorded by older versions had the path in front */
  json_object_set_array_member (object, "failures", stored_failure_array (st->failures));
  cli_json_print_object (object);
}

static void
print_status_text (CsStore             *store,
                   const LibraryStatus *st)
{
  g_autofree char *db = display_path (cs_store_get_path (store));

  printf ("database: %s\n", db);
  printf ("photos: %" G_GINT64_FORMAT ", searchable: %" G_GINT64_FORMAT ", failed: %u\n",
          st->photos, st->vectors, st->failures->len);
  if (st->model_dir != NULL)
    {
      g_autofree char *m = display_path (st->model_dir);
      printf ("model: %s (%d dimensions)\n", m, st->dim);
    }
  if (st->building_dir != NULL)
    {
      g_autofree char *m = display_path (st->building_dir);
      printf ("changing to model: %s (%d dimensions), %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
              " photos embedded; searches use the model above until it is done (run 'index' again)\n",
              m, st->building_dim, st->building_vectors, st->photos);
    }
  print_precision_check (store);
  for (guint i = 0; i < st->folders->len; i++)
    {
      g_autofree char *p = display_path (st->folders->pdata[i]);
      printf ("folder: %s\n", p);
    }
  for (guint i = 0; i < st->excluded->len; i++)
    {
      g_autofree char *p = display_path (st->excluded->pdata[i]);
      printf ("excluded: %s\n", p);
    }
  for (guint i = 0; i < st->failures->len; i++)
    {
      const CsStoreFailure *f = st->failures->pdata[i];
      g_autofree char *p = display_path (f->path);
      g_autofree char *reason = cs_indexer_failure_reason (f->path, f->reason);
      printf ("  failed: %s: %s\n", p, reason);
    }
}

int
cli_cmd_status (int    argc,
                char **argv)
{
  g_autofree char *database = NULL;
  gboolean as_json = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- print the state of a photo library");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(CsStore) store = NULL;
  LibraryStatus st = { 0 };
  GError *error = NULL;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (database != NULL && !g_file_test (database, G_FILE_TEST_EXISTS))
    {
      g_autofree char *p = display_path (database);
      g_autofree char *m = g_strdup_printf ("status: %s: no such database", p);
      fail_message (m);
      return EXIT_FAILURE;
    }
  store = cs_store_open (database, &error);
  if (store == NULL)
    return fail_error (error);
  if (!read_library_status (store, &st, &error))
    {
      library_status_clear (&st);
      return fail_error (error);
    }
  if (as_json)
    print_status_json (store, &st);
  else
    print_status_text (store, &st);
  library_status_clear (&st);
  return EXIT_SUCCESS;
}
