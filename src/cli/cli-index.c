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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "cli-util.h"
#include "cs-indexer.h"
#include "cs-store.h"

typedef struct {
  CsIndexer    *indexer;
  GCancellable *cancellable;
  GMainLoop    *loop;
  CsIndexSummary *summary;
  GError       *error;
  gboolean      tty;
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

static void
on_index_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  IndexRun *run = user_data;

  run->summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_sigint_cb (gpointer user_data)
{
  IndexRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_summary (const CsIndexSummary *s,
               gboolean              as_json)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (as_json)
    {
      g_string_append_printf (out,
                              "{\"added\": %" G_GUINT64_FORMAT ", \"updated\": %" G_GUINT64_FORMAT
                              ", \"moved\": %" G_GUINT64_FORMAT ", \"removed\": %" G_GUINT64_FORMAT
                              ", \"reembedded\": %" G_GUINT64_FORMAT ", \"unchanged\": %" G_GUINT64_FORMAT
                              ", \"failed\": %" G_GUINT64_FORMAT ", \"still_failing\": %" G_GUINT64_FORMAT
                              ", \"seconds\": %.3f, \"precision\": \"%s\", \"failures\": [",
                              s->added, s->updated, s->moved, s->removed, s->reembedded, s->unchanged,
                              s->failed, s->still_failing, s->seconds, s->precision);
      for (guint i = 0; i < s->failures->len; i++)
        {
          const CsStoreFailure *f = s->failures->pdata[i];
          g_autofree char *p = display_path (f->path);
          g_string_append (out, i ? ", {\"path\": " : "{\"path\": ");
          json_append_string (out, p);
          g_string_append (out, ", \"reason\": ");
          json_append_string (out, f->reason);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "], \"unavailable\": [");
      for (guint i = 0; i < s->unavailable->len; i++)
        {
          g_autofree char *p = display_path (s->unavailable->pdata[i]);
          if (i)
            g_string_append (out, ", ");
          json_append_string (out, p);
        }
      g_string_append (out, "]}\n");
      fputs (out->str, stdout);
      return;
    }
  printf ("added %" G_GUINT64_FORMAT ", updated %" G_GUINT64_FORMAT ", moved %" G_GUINT64_FORMAT
          ", removed %" G_GUINT64_FORMAT ", re-embedded %" G_GUINT64_FORMAT ", unchanged %" G_GUINT64_FORMAT
          ", failed %" G_GUINT64_FORMAT " in %.1f s (encoder in %s)\n",
          s->added, s->updated, s->moved, s->removed, s->reembedded, s->unchanged, s->failed, s->seconds,
          s->precision);
  if (s->still_failing > 0)
    printf ("%" G_GUINT64_FORMAT " files that failed before are unchanged and were not retried "
            "(see 'clipsight-cli status')\n", s->still_failing);
  for (guint i = 0; i < s->failures->len; i++)
    {
      const CsStoreFailure *f = s->failures->pdata[i];
      g_autofree char *p = display_path (f->path);
      g_autofree char *reason = cli_printable (f->reason);
      printf ("  failed: %s: %s\n", p, reason);
    }
  for (guint i = 0; i < s->unavailable->len; i++)
    {
      g_autofree char *p = display_path (s->unavailable->pdata[i]);
      printf ("  unavailable (kept as it was): %s\n", p);
    }
}

/* The model to index with: --model, $CLIPSIGHT_MODEL, or the one the
 * database was last indexed with. */
static char *
resolve_model (const char *opt,
               const char *database)
{
  const char *dir = model_dir_or_env (opt);
  g_autoptr(CsStore) store = NULL;

  if (dir != NULL)
    return g_strdup (dir);
  store = cs_store_open (database, NULL);
  return store != NULL ? cs_store_get_setting (store, "model-dir", NULL) : NULL;
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
  model = resolve_model (model_opt, database);
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

  cs_indexer_rescan_async (run.indexer, run.cancellable, on_index_done_cb, &run);
  g_main_loop_run (run.loop);
  draw_progress (&run, TRUE);

  if (run.summary != NULL)
    print_summary (run.summary, as_json);
  if (run.summary != NULL && watch && !g_cancellable_is_cancelled (run.cancellable))
    {
      cs_indexer_set_watching (run.indexer, TRUE);
      cs_indexer_rescan_async (run.indexer, run.cancellable, on_index_done_cb, &run);
      g_clear_pointer (&run.summary, cs_index_summary_free);
      /* each watched change runs again; Ctrl+C ends */
      g_signal_connect_swapped (run.indexer, "finished", G_CALLBACK (fflush), stdout);
      g_main_loop_run (run.loop);
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

typedef struct {
  guint64 photos;
  guint64 bytes;
} Count;

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
  g_autoptr(GPtrArray) inc = NULL;
  g_autoptr(GPtrArray) exc = NULL;
  g_autoptr(GPtrArray) fails = NULL;
  g_autofree char *active = NULL;
  g_autofree char *model_dir = NULL;
  GError *error = NULL;
  gint64 photos, vectors = 0, row = 0;
  int dim = 0;

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
  photos = cs_store_count_photos (store, &error);
  inc = photos >= 0 ? cs_store_list_folders (store, FALSE, &error) : NULL;
  exc = inc != NULL ? cs_store_list_folders (store, TRUE, &error) : NULL;
  fails = exc != NULL ? cs_store_list_failures (store, &error) : NULL;
  if (fails == NULL)
    return fail_error (error);
  active = cs_store_get_setting (store, "active-model", NULL);
  model_dir = cs_store_get_setting (store, "model-dir", NULL);
  if (active != NULL && (row = cs_store_lookup_model (store, active, &dim, NULL)) > 0)
    vectors = cs_store_count_vectors (store, row, NULL);

  g_autoptr(GString) out = g_string_new (NULL);
  if (as_json)
    {
      g_autofree char *db = display_path (cs_store_get_path (store));
      g_string_append (out, "{\"database\": ");
      json_append_string (out, db);
      g_string_append_printf (out, ", \"photos\": %" G_GINT64_FORMAT ", \"searchable\": %" G_GINT64_FORMAT
                              ", \"failed\": %u, \"dimension\": %d, \"model\": ",
                              photos, vectors, fails->len, dim);
      if (model_dir != NULL)
        {
          g_autofree char *m = display_path (model_dir);
          json_append_string (out, m);
        }
      else
        g_string_append (out, "null");
      g_string_append (out, ", \"folders\": [");
      for (guint i = 0; i < inc->len; i++)
        {
          g_autofree char *p = display_path (inc->pdata[i]);
          if (i)
            g_string_append (out, ", ");
          json_append_string (out, p);
        }
      g_string_append (out, "], \"excluded\": [");
      for (guint i = 0; i < exc->len; i++)
        {
          g_autofree char *p = display_path (exc->pdata[i]);
          if (i)
            g_string_append (out, ", ");
          json_append_string (out, p);
        }
      g_string_append (out, "], \"failures\": [");
      for (guint i = 0; i < fails->len; i++)
        {
          const CsStoreFailure *f = fails->pdata[i];
          g_autofree char *p = display_path (f->path);
          g_string_append (out, i ? ", {\"path\": " : "{\"path\": ");
          json_append_string (out, p);
          g_string_append (out, ", \"reason\": ");
          json_append_string (out, f->reason);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}\n");
      fputs (out->str, stdout);
      return EXIT_SUCCESS;
    }

  g_autofree char *db = display_path (cs_store_get_path (store));
  printf ("database: %s\n", db);
  printf ("photos: %" G_GINT64_FORMAT ", searchable: %" G_GINT64_FORMAT ", failed: %u\n",
          photos, vectors, fails->len);
  if (model_dir != NULL)
    {
      g_autofree char *m = display_path (model_dir);
      printf ("model: %s (%d dimensions)\n", m, dim);
    }
  for (guint i = 0; i < inc->len; i++)
    {
      g_autofree char *p = display_path (inc->pdata[i]);
      printf ("folder: %s\n", p);
    }
  for (guint i = 0; i < exc->len; i++)
    {
      g_autofree char *p = display_path (exc->pdata[i]);
      printf ("excluded: %s\n", p);
    }
  for (guint i = 0; i < fails->len; i++)
    {
      const CsStoreFailure *f = fails->pdata[i];
      g_autofree char *p = display_path (f->path);
      printf ("  failed: %s: %s\n", p, f->reason);
    }
  return EXIT_SUCCESS;
}
