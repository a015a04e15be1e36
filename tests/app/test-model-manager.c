/* test-model-manager.c - the model download against a local HTTP server.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small HTTP/1.1 server on 127.0.0.1 serves the toy model's files the way
 * Hugging Face does (X-Linked-Etag carrying the SHA-256 of large files,
 * Range requests answered with 206).  It can cut a transfer half way,
 * lie about a checksum, or be absent (offline).
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cs-model-manager.h"
#include "test-util.h"

typedef struct {
  char       *root;          /* the files served */
  GMutex      mutex;
  char       *cut_file;      /* this file's next transfer stops half way */
  char       *bad_etag_file; /* this file gets a wrong X-Linked-Etag */
  guint       n_range;       /* Range requests seen */
  guint       n_requests;
  gint        n_active;      /* handler threads running (atomic) */
} Server;

typedef struct {
  Server            server;
  GSocketService   *service;
  guint16           port;
  char             *base_url;
  char             *target;
  CsModelFile      *files;
  guint             n_files;
  GPtrArray        *strings;
} Fixture;

static const char *model_files[] = {
  "config.json", "preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json",
  "vocab.json", "merges.txt", "model.safetensors",
};

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static gboolean serve (Server *server, GSocketConnection *connection);

/* The fixture waits for the handler threads before it frees the server. */
static gboolean
on_incoming_cb (GThreadedSocketService *service,
                GSocketConnection      *connection,
                GObject                *source,
                gpointer                user_data)
{
  Server *server = user_data;
  gboolean ret;

  g_atomic_int_inc (&server->n_active);
  ret = serve (server, connection);
  g_atomic_int_dec_and_test (&server->n_active);
  return ret;
}

static gboolean
serve (Server            *server,
       GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autofree char *request = NULL;
  g_autofree char *path = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  gint64 range_start = -1;
  gboolean cut = FALSE, bad_etag = FALSE;
  gsize len = 0, start, send;
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  request = g_data_input_stream_read_line (data, NULL, NULL, NULL);
  if (request == NULL)
    return TRUE;
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, NULL)) != NULL && line[0] != '\0')
    {
      if (g_ascii_strncasecmp (line, "Range: bytes=", 13) == 0)
        range_start = g_ascii_strtoll (line + 13, NULL, 10);
      g_free (line);
    }
  g_free (line);

  /* "GET /name HTTP/1.1" */
  {
    g_auto(GStrv) parts = g_strsplit (request, " ", 3);
    g_assert_cmpstr (parts[0], ==, "GET");
    path = g_strdup (parts[1] + 1);
  }
  file = g_build_filename (server->root, path, NULL);

  g_mutex_lock (&server->mutex);
  server->n_requests++;
  if (range_start >= 0)
    server->n_range++;
  if (g_strcmp0 (server->cut_file, path) == 0)
    {
      cut = TRUE;
      g_clear_pointer (&server->cut_file, g_free);
    }
  bad_etag = g_strcmp0 (server->bad_etag_file, path) == 0;
  g_mutex_unlock (&server->mutex);

  if (!g_file_get_contents (file, &contents, &len, NULL))
    {
      const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      g_output_stream_write_all (out, nf, strlen (nf), NULL, NULL, NULL);
      return TRUE;
    }
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  if (bad_etag)
    memset (sha, 'a', 64);
  start = range_start >= 0 && (gsize) range_start <= len ? (gsize) range_start : 0;
  if (range_start >= 0 && (gsize) range_start >= len)
    {
      g_string_append_printf (head, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%" G_GSIZE_FORMAT
                              "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", len);
      g_output_stream_write_all (out, head->str, head->len, NULL, NULL, NULL);
      return TRUE;
    }
  if (range_start >= 0)
    g_string_append_printf (head, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %" G_GSIZE_FORMAT "-%"
                            G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT "\r\n", start, len - 1, len);
  else
    g_string_append (head, "HTTP/1.1 200 OK\r\n");
  g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", len - start);
  /* Hugging Face names the SHA-256 of large (LFS) files */
  if (len > 1000000)
    g_string_append_printf (head, "X-Linked-Etag: \"%s\"\r\n", sha);
  g_string_append (head, "Connection: close\r\n\r\n");
  g_output_stream_write_all (out, head->str, head->len, NULL, NULL, NULL);
  send = len - start;
  if (cut)
    send /= 2;
  g_output_stream_write_all (out, contents + start, send, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  f->server.root = test_shared_path_or_skip ("models/toy-clip");
  g_mutex_init (&f->server.mutex);
  f->service = g_threaded_socket_service_new (4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (f->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  f->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (f->service, "run", G_CALLBACK (on_incoming_cb), &f->server);
  g_socket_service_start (f->service);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u/", f->port);
  f->target = test_make_temp_dir ();

  f->strings = g_ptr_array_new_with_free_func (g_free);
  f->n_files = G_N_ELEMENTS (model_files);
  f->files = g_new0 (CsModelFile, f->n_files);
  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *p = g_build_filename (f->server.root, model_files[i], NULL);
      GStatBuf st;
      g_assert_cmpint (g_stat (p, &st), ==, 0);
      f->files[i].name = model_files[i];
      f->files[i].size = st.st_size;
      /* the big file is checked through the server's X-Linked-Etag, as on Hugging Face */
      if (strcmp (model_files[i], "model.safetensors") != 0)
        {
          char *sha = file_sha256 (p);
          g_ptr_array_add (f->strings, sha);
          f->files[i].sha256 = sha;
        }
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_clear_object (&f->service);
  while (g_atomic_int_get (&f->server.n_active) > 0)
    g_usleep (1000);
  test_rm_rf (f->target);
  g_free (f->target);
  g_free (f->base_url);
  g_free (f->files);
  g_ptr_array_unref (f->strings);
  g_free (f->server.root);
  g_free (f->server.cut_file);
  g_free (f->server.bad_etag_file);
  g_mutex_clear (&f->server.mutex);
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

/* Runs one download to its end; returns the error (NULL on success). */
static GError *
download (CsModelManager *manager,
          guint          *n_progress)
{
  GError *error = NULL;

  cs_model_manager_download_async (manager, NULL, on_done_cb, &error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_DOWNLOADING);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (error->domain == G_IO_ERROR && error->code == 0)
    g_clear_error (&error);
  return error;
}

static void
on_progress_cb (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  guint *n = user_data;
  (*n)++;
}

static void
assert_model_complete (Fixture *f)
{
  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *got = g_build_filename (f->target, model_files[i], NULL);
      g_autofree char *want = g_build_filename (f->server.root, model_files[i], NULL);
      g_autofree char *a = file_sha256 (got);
      g_autofree char *b = file_sha256 (want);
      g_assert_cmpstr (a, ==, b);
    }
}

static void
test_download (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = cs_model_manager_new (f->target, f->base_url);
  g_autoptr(GError) error = NULL;
  guint n_progress = 0;

  cs_model_manager_set_files (manager, f->files, f->n_files);
  g_signal_connect (manager, "notify::bytes-done", G_CALLBACK (on_progress_cb), &n_progress);
  error = download (manager, &n_progress);
  g_assert_no_error (error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  g_assert_cmpfloat (cs_model_manager_get_fraction (manager), ==, 1.0);
  g_assert_cmpuint (n_progress, >, 0);
  assert_model_complete (f);
  g_assert_cmpuint (f->server.n_range, ==, 0);

  /* a second manager on the same folder finds it ready */
  {
    g_autoptr(CsModelManager) again = cs_model_manager_new (f->target, f->base_url);
    cs_model_manager_refresh (again);
    while (cs_model_manager_get_state (again) != CS_MODEL_STATE_READY)
      g_main_context_iteration (NULL, TRUE);
  }
}

static void
test_wrong_checksum (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = cs_model_manager_new (f->target, f->base_url);
  g_autoptr(GError) error = NULL;
  g_autofree char *part = g_build_filename (f->target, ".download", "model.safetensors.part", NULL);
  g_autofree char *dest = g_build_filename (f->target, "model.safetensors", NULL);
  CsModelFile *files = g_memdup2 (f->files, sizeof (CsModelFile) * f->n_files);

  /* the server's checksum of the weights is wrong: the file is refused and deleted */
  f->server.bad_etag_file = g_strdup ("model.safetensors");
  cs_model_manager_set_files (manager, f->files, f->n_files);
  error = download (manager, NULL);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_CHECKSUM);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_FAILED);
  g_assert_nonnull (cs_model_manager_get_error_message (manager));
  g_assert_nonnull (strstr (cs_model_manager_get_error_message (manager), "model.safetensors"));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a pinned checksum that does not match is refused too */
  g_clear_pointer (&f->server.bad_etag_file, g_free);
  files[0].sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
  {
    g_autofree char *config = g_build_filename (f->target, "config.json", NULL);
    g_unlink (config);
  }
  cs_model_manager_set_files (manager, files, f->n_files);
  error = download (manager, NULL);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_CHECKSUM);
  g_clear_error (&error);

  /* a clean retry with the right checksums completes */
  cs_model_manager_set_files (manager, f->files, f->n_files);
  error = download (manager, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  assert_model_complete (f);
  g_free (files);
}

static void
test_interrupted (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = cs_model_manager_new (f->target, f->base_url);
  g_autoptr(GError) error = NULL;
  g_autofree char *part = g_build_filename (f->target, ".download", "model.safetensors.part", NULL);
  GStatBuf st;

  f->server.cut_file = g_strdup ("model.safetensors");
  cs_model_manager_set_files (manager, f->files, f->n_files);
  error = download (manager, NULL);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_INTERRUPTED);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_FAILED);
  /* the part stays, to be resumed */
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  g_clear_error (&error);

  error = download (manager, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (f->server.n_range, ==, 1);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_READY);
  assert_model_complete (f);
}

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
  error = download (manager, NULL);
  g_assert_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_OFFLINE);
  g_assert_nonnull (strstr (cs_model_manager_get_error_message (manager), "offline"));
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsModelManager) manager = cs_model_manager_new (f->target, f->base_url);
  GError *error = NULL;

  cs_model_manager_set_files (manager, f->files, f->n_files);
  cs_model_manager_download_async (manager, NULL, on_done_cb, &error);
  cs_model_manager_cancel (manager);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_ABSENT);
  g_assert_null (cs_model_manager_get_error_message (manager));
  g_clear_error (&error);
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
  g_test_add ("/app/model-manager/download", Fixture, NULL, fixture_setup, test_download, fixture_teardown);
  g_test_add ("/app/model-manager/wrong-checksum", Fixture, NULL, fixture_setup, test_wrong_checksum, fixture_teardown);
  g_test_add ("/app/model-manager/interrupted", Fixture, NULL, fixture_setup, test_interrupted, fixture_teardown);
  g_test_add ("/app/model-manager/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/app/model-manager/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  return g_test_run ();
}
