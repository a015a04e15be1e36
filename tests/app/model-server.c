/* model-server.c - the local HTTP server test-model-manager downloads
 * from, and the fixture that starts it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "model-server.h"
#include "test-util.h"

/* The files the engine reads, in the default manifest's order. */
const char *model_files[] = {
  "config.json", "preprocessor_config.json", "vocab.json", "merges.txt", BIG_FILE,
};

char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* ------------------------------------------------------------------ */
/* The server                                                           */
/* ------------------------------------------------------------------ */

static void
write_text (GOutputStream *out,
            const char    *text)
{
  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

static gboolean
serve (Server            *server,
       GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autofree char *request = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  const char *name;
  gint64 range_start = -1;
  gboolean cdn, cut = FALSE, hold = FALSE, bad_etag, corrupt;
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

  /* "GET /name HTTP/1.1" or "GET /cdn/name HTTP/1.1" */
  {
    g_auto(GStrv) parts = g_strsplit (request, " ", 3);
    g_assert_cmpstr (parts[0], ==, "GET");
    g_assert_true (parts[1][0] == '/');
    cdn = g_str_has_prefix (parts[1], "/cdn/");
    file = g_build_filename (server->root, parts[1] + (cdn ? 5 : 1), NULL);
  }
  name = strrchr (file, G_DIR_SEPARATOR) + 1;

  if (!g_file_get_contents (file, &contents, &len, NULL))
    {
      write_text (out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return TRUE;
    }
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);

  g_mutex_lock (&server->mutex);
  bad_etag = g_strcmp0 (server->bad_etag_file, name) == 0;
  corrupt = g_strcmp0 (server->corrupt_file, name) == 0;
  g_mutex_unlock (&server->mutex);

  /* Hugging Face sends large (LFS) files through a redirect to its CDN,
   * naming their SHA-256 and size on the redirect */
  if (!cdn && len > 1000000)
    {
      if (bad_etag)
        memset (sha, 'a', 64);
      g_string_append_printf (head, "HTTP/1.1 302 Found\r\nLocation: /cdn/%s\r\n"
                              "X-Linked-Etag: \"%s\"\r\nX-Linked-Size: %" G_GSIZE_FORMAT "\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n", name, sha, len);
      write_text (out, head->str);
      return TRUE;
    }

  if (range_start >= 0 && (gsize) range_start >= len)
    {
      g_string_append_printf (head, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%"
                              G_GSIZE_FORMAT "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", len);
      write_text (out, head->str);
      return TRUE;
    }

  g_mutex_lock (&server->mutex);
  g_ptr_array_add (server->served, g_strdup (name));
  if (range_start >= 0)
    server->n_range++;
  if (g_strcmp0 (server->cut_file, name) == 0)
    {
      cut = TRUE;
      g_clear_pointer (&server->cut_file, g_free);
    }
  if (g_strcmp0 (server->hold_file, name) == 0)
    {
      hold = TRUE;
      g_clear_pointer (&server->hold_file, g_free);
    }
  g_mutex_unlock (&server->mutex);

  if (corrupt)
    contents[len * 2 / 3] ^= 0x20;   /* the same size, another checksum */
  start = range_start >= 0 ? (gsize) range_start : 0;
  if (range_start >= 0)
    g_string_append_printf (head, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes %" G_GSIZE_FORMAT "-%"
                            G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT "\r\n", start, len - 1, len);
  else
    g_string_append (head, "HTTP/1.1 200 OK\r\n");
  g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          len - start);
  write_text (out, head->str);
  send = len - start;
  if (cut || hold)
    send /= 2;
  g_output_stream_write_all (out, contents + start, send, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  if (hold)
    {
      g_mutex_lock (&server->mutex);
      server->holding = TRUE;
      g_cond_broadcast (&server->cond);
      while (!server->released)
        g_cond_wait (&server->cond, &server->mutex);
      server->holding = FALSE;
      g_mutex_unlock (&server->mutex);
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* Counts the connection when the service accepts it, on the thread that
 * runs the fixture (the service accepts in its main context), before
 * GThreadedSocketService queues it for a handler thread; the handler
 * uncounts it once it no longer touches the server.  Counting it only when
 * the handler starts left a window: a connection accepted just before the
 * teardown (cancel/at-once's, whose client connects as it is cancelled)
 * could wait in the pool's queue, uncounted, while the teardown found no
 * handler running and freed the server, which the handler then read
 * (SIGSEGV at exit, the last test being cancel/at-once). */
static gboolean
on_accepted_cb (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source,
                gpointer           user_data)
{
  Server *server = user_data;

  g_atomic_int_inc (&server->n_pending);
  return FALSE;   /* on to GThreadedSocketService's handler, which queues it */
}

static gboolean
on_run_cb (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source,
           gpointer                user_data)
{
  Server *server = user_data;
  gboolean ret;

  ret = serve (server, connection);
  g_atomic_int_dec_and_test (&server->n_pending);
  return ret;
}

void
server_set (Fixture     *f,
            char       **field,
            const char  *name)
{
  g_mutex_lock (&f->server.mutex);
  g_free (*field);
  *field = g_strdup (name);
  g_mutex_unlock (&f->server.mutex);
}

void
server_release (Fixture *f)
{
  g_mutex_lock (&f->server.mutex);
  f->server.released = TRUE;
  g_cond_broadcast (&f->server.cond);
  g_mutex_unlock (&f->server.mutex);
}

/* How many times the content of `name` was sent (server_forget_served clears the count). */
guint
server_take_served (Fixture    *f,
                    const char *name)
{
  guint n = 0;

  g_mutex_lock (&f->server.mutex);
  for (guint i = 0; i < f->server.served->len; i++)
    if (strcmp (f->server.served->pdata[i], name) == 0)
      n++;
  g_mutex_unlock (&f->server.mutex);
  return n;
}

void
server_forget_served (Fixture *f)
{
  g_mutex_lock (&f->server.mutex);
  g_ptr_array_set_size (f->server.served, 0);
  g_mutex_unlock (&f->server.mutex);
}

guint
server_n_range (Fixture *f)
{
  guint n;

  g_mutex_lock (&f->server.mutex);
  n = f->server.n_range;
  g_mutex_unlock (&f->server.mutex);
  return n;
}

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                  */
/* ------------------------------------------------------------------ */

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  f->server.root = test_shared_path_or_skip ("models/toy-clip");
  g_mutex_init (&f->server.mutex);
  g_cond_init (&f->server.cond);
  f->server.served = g_ptr_array_new_with_free_func (g_free);
  f->service = g_threaded_socket_service_new (4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (f->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  f->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (f->service, "incoming", G_CALLBACK (on_accepted_cb), &f->server);
  g_signal_connect (f->service, "run", G_CALLBACK (on_run_cb), &f->server);
  g_socket_service_start (f->service);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u/", f->port);
  f->target = test_make_temp_dir ();

  /* the pins: the toy files' own sizes and checksums */
  f->strings = g_ptr_array_new_with_free_func (g_free);
  f->n_files = G_N_ELEMENTS (model_files);
  f->files = g_new0 (CsModelFile, f->n_files);
  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *p = g_build_filename (f->server.root, model_files[i], NULL);
      char *sha = file_sha256 (p);
      GStatBuf st;

      g_assert_cmpint (g_stat (p, &st), ==, 0);
      g_ptr_array_add (f->strings, sha);
      f->files[i].name = model_files[i];
      f->files[i].size = st.st_size;
      f->files[i].sha256 = sha;
      if (strcmp (model_files[i], BIG_FILE) == 0)
        f->big_size = st.st_size;
      else
        f->small_sum += st.st_size;
    }
  g_assert_cmpint (f->big_size, >, 1000000);   /* served through the redirect */
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  server_release (f);
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_clear_object (&f->service);
  /* every connection accepted, served or still queued */
  while (g_atomic_int_get (&f->server.n_pending) > 0)
    g_usleep (1000);
  test_rm_rf (f->target);
  g_free (f->target);
  g_free (f->base_url);
  g_free (f->files);
  g_ptr_array_unref (f->strings);
  g_ptr_array_unref (f->server.served);
  g_free (f->server.root);
  g_free (f->server.cut_file);
  g_free (f->server.hold_file);
  g_free (f->server.corrupt_file);
  g_free (f->server.bad_etag_file);
  g_cond_clear (&f->server.cond);
  g_mutex_clear (&f->server.mutex);
}
