/* test-model-manager.c - the model download against a local HTTP server.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small HTTP/1.1 server on 127.0.0.1 (model-server.c) serves the toy
 * model's five files the way Hugging Face does: small files directly, large
 * ones through a redirect to /cdn/NAME that announces their SHA-256
 * (X-Linked-Etag) and size (X-Linked-Size); Range requests are answered
 * with 206.  It can cut a transfer half way, hold one half way until the
 * test lets it go, serve damaged bytes, announce a wrong checksum, or be
 * absent (offline).
 *
 * The pinned checksums are computed here from the toy files themselves (the
 * truth for them); the default manifest's pins are checked against what can
 * be recomputed locally.  No test waits for time: every wait is for an
 * event (the download's end, a property reaching a value).
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cs-model-manager.h"
#include "model-server.h"
#include "test-util.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static char *
target_path (Fixture    *f,
             const char *name)
{
  return g_build_filename (f->target, name, NULL);
}

static char *
part_path (Fixture    *f,
           const char *name)
{
  g_autofree char *part = g_strconcat (name, ".part", NULL);
  return g_build_filename (f->target, ".download", part, NULL);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;
  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static void
flip_byte (const char *path,
           gsize       at)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (at, <, len);
  data[at] ^= 0x01;
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

static CsModelManager *
new_manager (Fixture *f)
{
  CsModelManager *manager = cs_model_manager_new (f->target, f->base_url);
  cs_model_manager_set_files (manager, f->files, f->n_files);
  return manager;
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  if (!cs_model_manager_download_finish (CS_MODEL_MANAGER (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, 0, "ok");   /* a marker: done, no error */
}

static GError *
finish (GError *error)
{
  if (error->domain == G_IO_ERROR && error->code == 0 && strcmp (error->message, "ok") == 0)
    g_clear_error (&error);
  return error;
}

/* Runs one download to its end; returns the error (NULL on success). */
static GError *
download (CsModelManager *manager)
{
  GError *error = NULL;

  cs_model_manager_download_async (manager, NULL, on_done_cb, &error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_DOWNLOADING);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  return finish (error);
}

static void
on_notify_count_cb (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  guint *n = user_data;
  (*n)++;
}

static void
wait_for_state (CsModelManager *manager,
                CsModelState    state)
{
  while (cs_model_manager_get_state (manager) != state)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_model_complete (Fixture *f)
{
  g_autofree char *part_dir = g_build_filename (f->target, ".download", NULL);

  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *got = target_path (f, model_files[i]);
      g_autofree char *want = g_build_filename (f->server.root, model_files[i], NULL);
      g_autofree char *a = file_sha256 (got);
      g_autofree char *b = file_sha256 (want);
      g_assert_cmpstr (a, ==, b);
    }
  g_assert_false (g_file_test (part_dir, G_FILE_TEST_EXISTS));
}

static void
assert_failed_on (CsModelManager *manager,
                  GError         *error,
                  gint            code,
                  const char     *name)
{
  const char *message = cs_model_manager_get_error_message (manager);

  g_assert_error (error, CS_MODEL_ERROR, code);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_FAILED);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, name));
  g_assert_nonnull (strstr (error->message, name));
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(CsModelManager) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = target_path (f, ".clipsight-complete");
  g_autofree char *listing = NULL;
  g_autofree char *vocab = target_path (f, "vocab.json");
  CsModelFile *other = g_memdup2 (f->files, sizeof (CsModelFile) * f->n_files);
  guint n_progress = 0;

  g_signal_connect (manager, "notify::bytes-done", G_CALLBACK (on_notify_count_cb), &n_progress);
  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  g_assert_null (cs_model_manager_get_error_message (manager));
  g_assert_cmpuint (cs_model_manager_get_bytes_total (manager), ==, f->small_sum + f->big_size);
  g_assert_cmpuint (cs_model_manager_get_bytes_done (manager), ==, f->small_sum + f->big_size);
  g_assert_cmpfloat (cs_model_manager_get_fraction (manager), ==, 1.0);
  g_assert_cmpuint (n_progress, >, 0);
  assert_model_complete (f);
  for (guint i = 0; i < f->n_files; i++)
    g_assert_cmpuint (server_take_served (f, model_files[i]), ==, 1);
  g_assert_cmpuint (server_n_range (f), ==, 0);

  /* the marker lists what was verified, as sha256sum does */
  g_assert_true (g_file_get_contents (marker, &listing, NULL, NULL));
  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *line = g_strdup_printf ("%s  %s\n", f->files[i].sha256, f->files[i].name);
      g_assert_nonnull (strstr (listing, line));
    }

  /* downloading a complete model again checks it and fetches nothing */
  server_forget_served (f);
  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpuint (f->server.served->len, ==, 0);
  assert_model_complete (f);

  /* a second manager on the same folder finds it ready ... */
  again = new_manager (f);
  cs_model_manager_refresh (again);
  wait_for_state (again, CS_MODEL_STATE_READY);
  /* ... but not for another manifest ... */
  other[0].sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  cs_model_manager_set_files (again, other, f->n_files);
  cs_model_manager_refresh (again);
  wait_for_state (again, CS_MODEL_STATE_ABSENT);
  cs_model_manager_set_files (again, f->files, f->n_files);
  cs_model_manager_refresh (again);
  wait_for_state (again, CS_MODEL_STATE_READY);
  /* ... nor once a file is gone */
  g_assert_cmpint (g_unlink (vocab), ==, 0);
  cs_model_manager_refresh (again);
  wait_for_state (again, CS_MODEL_STATE_ABSENT);
  g_free (other);
}

/* The default manifest: the five files the engine reads, each pinned, the
 * weights last; the pins that can be recomputed here match. */
static void
test_default_manifest (void)
{
  static const char *engine_files[] = {
    "config.json", "preprocessor_config.json", "vocab.json", "merges.txt", BIG_FILE,
  };
  g_autofree char *toy = test_shared_path_or_skip ("models/toy-clip");
  g_autofree char *toy_vocab = g_build_filename (toy, "vocab.json", NULL);
  g_autofree char *toy_merges = g_build_filename (toy, "merges.txt", NULL);
  g_autofree char *vocab_sha = file_sha256 (toy_vocab);
  g_autofree char *merges = NULL;
  g_autofree char *merges_sha = NULL;
  g_autoptr(GString) hf_merges = NULL;
  g_autoptr(CsModelManager) manager = NULL;
  g_autofree char *dir = cs_model_manager_dup_default_dir ();
  const CsModelFile *files;
  guint n = 0;
  gsize len;

  files = cs_model_manager_default_files (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (engine_files));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (files[i].name, ==, engine_files[i]);
      g_assert_cmpint (files[i].size, >, 0);
      g_assert_cmpuint (strlen (files[i].sha256), ==, 64);
      for (const char *c = files[i].sha256; *c; c++)
        g_assert_true (g_ascii_isdigit (*c) || (*c >= 'a' && *c <= 'f'));
    }

  /* vocab.json: the standard CLIP vocabulary, byte for byte the toy model's */
  g_assert_cmpstr (files[2].sha256, ==, vocab_sha);
  g_assert_cmpint (files[2].size, ==, file_size (toy_vocab));

  /* merges.txt: the toy model's merges (those of clip-vit-large-patch14)
   * under the first line that openai/clip-vit-base-patch32's file has */
  g_assert_true (g_file_get_contents (toy_merges, &merges, &len, NULL));
  g_assert_true (g_str_has_prefix (merges, "#version: 0.2\n"));
  hf_merges = g_string_new ("#version: 0.2 - Trained by `huggingface/tokenizers`\n");
  g_string_append_len (hf_merges, merges + strlen ("#version: 0.2\n"), len - strlen ("#version: 0.2\n"));
  merges_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) hf_merges->str,
                                            hf_merges->len);
  g_assert_cmpstr (files[3].sha256, ==, merges_sha);
  g_assert_cmpint (files[3].size, ==, hf_merges->len);

  /* without a base URL: the pinned revision, never a branch */
  manager = cs_model_manager_new (dir, NULL);
  g_assert_cmpstr (cs_model_manager_get_base_url (manager), ==, CS_MODEL_DEFAULT_URL);
  g_assert_true (g_str_has_suffix (CS_MODEL_DEFAULT_URL, "/resolve/" CS_MODEL_DEFAULT_REVISION));
  g_assert_cmpuint (strlen (CS_MODEL_DEFAULT_REVISION), ==, 40);
  cs_model_manager_set_base_url (manager, "https://example.org/mirror/");
  g_assert_cmpstr (cs_model_manager_get_base_url (manager), ==, "https://example.org/mirror");
  cs_model_manager_set_base_url (manager, "");
  g_assert_cmpstr (cs_model_manager_get_base_url (manager), ==, CS_MODEL_DEFAULT_URL);
  /* the settings' former default, main, has no model.safetensors */
  cs_model_manager_set_base_url (manager,
                                 "https://huggingface.co/openai/clip-vit-base-patch32/resolve/main");
  g_assert_cmpstr (cs_model_manager_get_base_url (manager), ==, CS_MODEL_DEFAULT_URL);
}

/* A manifest entry without a checksum, or with a path for a name, is a
 * programmer's error and is refused. */
static void
test_invalid_manifest (void)
{
  g_autofree char *dir = cs_model_manager_dup_default_dir ();
  g_autoptr(CsModelManager) manager = cs_model_manager_new (dir, NULL);
  const CsModelFile unpinned[] = { { "config.json", 10, NULL } };
  const CsModelFile escaping[] = {
    { "../config.json", 10, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
  };

  g_test_expect_message ("cs-model-manager", G_LOG_LEVEL_CRITICAL, "*is_sha256*");
  cs_model_manager_set_files (manager, unpinned, 1);
  g_test_assert_expected_messages ();
  g_test_expect_message ("cs-model-manager", G_LOG_LEVEL_CRITICAL, "*strchr*");
  cs_model_manager_set_files (manager, escaping, 1);
  g_test_assert_expected_messages ();
}

/* A small file arrives damaged: refused, named, nothing kept of it; the
 * files before it stay (they matched), and a retry fetches only the rest. */
static void
test_small_damaged (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = target_path (f, "vocab.json");
  g_autofree char *part = part_path (f, "vocab.json");
  g_autofree char *config = target_path (f, "config.json");
  g_autofree char *preprocessor = target_path (f, "preprocessor_config.json");

  server_set (f, &f->server.corrupt_file, "vocab.json");
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, "vocab.json");
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (config, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (preprocessor, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (server_take_served (f, "merges.txt"), ==, 0);
  g_clear_error (&error);

  server_set (f, &f->server.corrupt_file, NULL);
  server_forget_served (f);
  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  g_assert_null (cs_model_manager_get_error_message (manager));
  g_assert_cmpuint (server_take_served (f, "config.json"), ==, 0);
  g_assert_cmpuint (server_take_served (f, "preprocessor_config.json"), ==, 0);
  g_assert_cmpuint (server_take_served (f, "vocab.json"), ==, 1);
  g_assert_cmpuint (server_take_served (f, BIG_FILE), ==, 1);
  g_assert_cmpuint (server_n_range (f), ==, 0);
  assert_model_complete (f);
}

/* The weights arrive damaged: refused, named, not kept; a clean retry. */
static void
test_big_damaged (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = target_path (f, BIG_FILE);
  g_autofree char *part = part_path (f, BIG_FILE);

  server_set (f, &f->server.corrupt_file, BIG_FILE);
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, BIG_FILE);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  server_set (f, &f->server.corrupt_file, NULL);
  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  g_assert_cmpuint (server_n_range (f), ==, 0);
  assert_model_complete (f);
}

/* The server is right but the pin says otherwise: the pin wins. */
static void
test_wrong_pin (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = target_path (f, "config.json");
  g_autofree char *toy_config = g_build_filename (f->server.root, "config.json", NULL);
  g_autofree char *config_data = NULL;
  g_autofree char *preprocessor = target_path (f, "preprocessor_config.json");
  g_autofree char *merges = target_path (f, "merges.txt");
  g_autofree char *merges_part = part_path (f, "merges.txt");
  CsModelFile *files = g_memdup2 (f->files, sizeof (CsModelFile) * f->n_files);

  /* another checksum: fetched, refused, deleted */
  files[0].sha256 = "0000000000000000000000000000000000000000000000000000000000000001";
  cs_model_manager_set_files (manager, files, f->n_files);
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, "config.json");
  g_assert_false (g_file_test (config, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (server_take_served (f, "preprocessor_config.json"), ==, 0);
  g_clear_error (&error);

  /* another size: refused from the answer's length, before the transfer */
  files[0].sha256 = f->files[0].sha256;
  files[3].size += 1;
  cs_model_manager_set_files (manager, files, f->n_files);
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, "merges.txt");
  g_assert_false (g_file_test (merges, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (merges_part, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (cs_model_manager_get_bytes_done (manager), ==,
                    f->files[0].size + f->files[1].size + f->files[2].size);
  g_clear_error (&error);

  cs_model_manager_set_files (manager, f->files, f->n_files);
  error = download (manager);
  g_assert_no_error (error);
  assert_model_complete (f);
  g_free (files);
}

/* The server announces another checksum for the weights (on its redirect,
 * as Hugging Face does): refused before their transfer. */
static void
test_announced_mismatch (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = target_path (f, BIG_FILE);
  g_autofree char *part = part_path (f, BIG_FILE);

  server_set (f, &f->server.bad_etag_file, BIG_FILE);
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, BIG_FILE);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  /* not one byte of the weights was counted, let alone written */
  g_assert_cmpuint (cs_model_manager_get_bytes_done (manager), ==, f->small_sum);
  g_clear_error (&error);

  server_set (f, &f->server.bad_etag_file, NULL);
  error = download (manager);
  g_assert_no_error (error);
  assert_model_complete (f);
}

/* The connection drops half way: the part stays, and the next download
 * resumes it with a Range request (through the redirect). */
static void
test_interrupted (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *part = part_path (f, BIG_FILE);

  server_set (f, &f->server.cut_file, BIG_FILE);
  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_INTERRUPTED, BIG_FILE);
  g_assert_cmpint (file_size (part), ==, f->big_size / 2);
  g_clear_error (&error);

  server_forget_served (f);
  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpuint (server_n_range (f), ==, 1);
  g_assert_cmpuint (server_take_served (f, BIG_FILE), ==, 1);
  g_assert_cmpuint (server_take_served (f, "vocab.json"), ==, 0);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  g_assert_cmpuint (cs_model_manager_get_bytes_done (manager), ==, f->small_sum + f->big_size);
  assert_model_complete (f);
}

/* The kept part was damaged on disk: the resumed file does not match, so
 * it is deleted, and the retry after that starts clean (no Range). */
static void
test_interrupted_damaged_part (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *part = part_path (f, BIG_FILE);

  server_set (f, &f->server.cut_file, BIG_FILE);
  error = download (manager);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_INTERRUPTED);
  g_clear_error (&error);
  flip_byte (part, 1000);

  error = download (manager);
  assert_failed_on (manager, error, CS_MODEL_ERROR_CHECKSUM, BIG_FILE);
  g_assert_cmpuint (server_n_range (f), ==, 1);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpuint (server_n_range (f), ==, 1);
  assert_model_complete (f);
}

/* Cancelled in the middle of the weights: no error for people, the part
 * stays, and the next download resumes it. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autofree char *part = part_path (f, BIG_FILE);
  guint64 half = f->small_sum + f->big_size / 2;
  GError *error = NULL;

  server_set (f, &f->server.hold_file, BIG_FILE);
  cs_model_manager_download_async (manager, NULL, on_done_cb, &error);
  /* the server sent half of the weights and waits: wait until they are in */
  while (cs_model_manager_get_bytes_done (manager) < half)
    {
      g_assert_null (error);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (cs_model_manager_get_bytes_done (manager), ==, half);
  g_assert_cmpstr (cs_model_manager_get_current_file (manager), ==, BIG_FILE);
  cs_model_manager_cancel (manager);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_ABSENT);
  g_assert_null (cs_model_manager_get_error_message (manager));
  g_assert_cmpint (file_size (part), ==, f->big_size / 2);
  server_release (f);

  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpuint (server_n_range (f), ==, 1);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  assert_model_complete (f);
}

/* Cancelled before anything arrived. */
static void
test_cancel_at_once (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  GError *error = NULL;

  cs_model_manager_download_async (manager, NULL, on_done_cb, &error);
  cs_model_manager_cancel (manager);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_ABSENT);
  g_assert_null (cs_model_manager_get_error_message (manager));
  g_clear_error (&error);
}

/* Files already in the folder count only when they match: a wrong one (of
 * another size, or of the same size) is replaced, a right one is not
 * fetched again, an overlong part restarts. */
static void
test_files_in_place (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = new_manager (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = target_path (f, "config.json");
  g_autofree char *toy_config = g_build_filename (f->server.root, "config.json", NULL);
  g_autofree char *config_data = NULL;
  g_autofree char *preprocessor = target_path (f, "preprocessor_config.json");
  g_autofree char *merges = target_path (f, "merges.txt");
  g_autofree char *toy_merges = g_build_filename (f->server.root, "merges.txt", NULL);
  g_autofree char *merges_data = NULL;
  g_autofree char *part_dir = g_build_filename (f->target, ".download", NULL);
  g_autofree char *vocab_part = part_path (f, "vocab.json");
  g_autofree char *junk = g_strnfill (f->files[2].size + 10, 'x');
  gsize len;

  g_assert_true (g_file_get_contents (toy_config, &config_data, &len, NULL));
  config_data[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (config, config_data, len, NULL));
  g_assert_true (g_file_set_contents (preprocessor, "{}", -1, NULL));
  g_assert_true (g_file_get_contents (toy_merges, &merges_data, &len, NULL));
  g_assert_true (g_file_set_contents (merges, merges_data, len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (part_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (vocab_part, junk, -1, NULL));

  error = download (manager);
  g_assert_no_error (error);
  g_assert_cmpuint (server_take_served (f, "config.json"), ==, 1);
  g_assert_cmpuint (server_take_served (f, "preprocessor_config.json"), ==, 1);
  g_assert_cmpuint (server_take_served (f, "merges.txt"), ==, 0);
  g_assert_cmpuint (server_take_served (f, "vocab.json"), ==, 1);
  g_assert_cmpuint (server_n_range (f), ==, 0);
  assert_model_complete (f);
}

/* Nobody listens: the message says so. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* nobody listens on the port once the server is closed */
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  manager = cs_model_manager_new (f->target, url);
  cs_model_manager_set_files (manager, f->files, f->n_files);
  error = download (manager);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_OFFLINE);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_FAILED);
  g_assert_nonnull (strstr (cs_model_manager_get_error_message (manager), "offline"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *skip = NULL;

  /* every file goes to a temporary target folder: no need to isolate the
   * XDG dirs (and GLib leaks their names between test cases) */
  g_test_init (&argc, &argv, NULL);
  skip = test_shared_path_or_skip ("models/toy-clip");
#define ADD(path, fn) \
  g_test_add ("/app/model-manager/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("download", test_download);
  g_test_add_func ("/app/model-manager/default-manifest", test_default_manifest);
  g_test_add_func ("/app/model-manager/invalid-manifest", test_invalid_manifest);
  ADD ("checksum/small-file-damaged", test_small_damaged);
  ADD ("checksum/big-file-damaged", test_big_damaged);
  ADD ("checksum/wrong-pin", test_wrong_pin);
  ADD ("checksum/announced-mismatch", test_announced_mismatch);
  ADD ("resume/interrupted", test_interrupted);
  ADD ("resume/damaged-part", test_interrupted_damaged_part);
  ADD ("cancel/mid-transfer", test_cancel);
  ADD ("cancel/at-once", test_cancel_at_once);
  ADD ("files-in-place", test_files_in_place);
  ADD ("offline", test_offline);
#undef ADD
  return g_test_run ();
}
