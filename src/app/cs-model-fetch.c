/* cs-model-fetch.c - fetches and checks the model's files (worker thread).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file goes to a part in PART_DIR, resumed where an earlier download
 * stopped, is checked against its pinned size and SHA-256, and only then
 * renamed into place.  A server offering another version of a file (by
 * size or Hugging Face's linked ETag) is refused before its body is kept.
 */
#define G_LOG_DOMAIN "cs-model-manager"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cs-model-manager-private.h"

static gboolean
is_offline_error (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED);
}

static char *
hash_file (const char   *path,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (CHUNK_SIZE);
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, CHUNK_SIZE, cancellable, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

/* Hugging Face's ETag of a large file is its SHA-256, in quotes. */
static char *
linked_sha256 (SoupMessageHeaders *headers)
{
  const char *etag = soup_message_headers_get_one (headers, "X-Linked-Etag");
  g_autofree char *v = NULL;

  if (etag == NULL)
    return NULL;
  v = g_strdup (etag);
  g_strstrip (v);
  if (g_str_has_prefix (v, "W/"))
    memmove (v, v + 2, strlen (v + 2) + 1);
  if (v[0] == '"')
    {
      size_t n = strlen (v);
      if (n >= 2 && v[n - 1] == '"')
        {
          v[n - 1] = '\0';
          memmove (v, v + 1, n - 1);
        }
    }
  if (!_cs_model_is_sha256 (v))
    return NULL;
  return g_ascii_strdown (v, -1);
}

/* What the server says about the whole file, on any response of the
 * exchange: Hugging Face puts X-Linked-Etag / X-Linked-Size on the redirect
 * to its CDN, which the session follows by itself. */
typedef struct {
  char   *sha256;
  gint64  size;
} Announced;

static void
announced_free (Announced *a)
{
  g_free (a->sha256);
  g_free (a);
}

static void
on_got_headers_cb (SoupMessage *msg,
                   gpointer     user_data)
{
  Announced *a = user_data;
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *size = soup_message_headers_get_one (headers, "X-Linked-Size");
  char *sha = linked_sha256 (headers);
  guint64 v;

  if (sha != NULL)
    {
      g_free (a->sha256);
      a->sha256 = sha;
    }
  if (size != NULL && g_ascii_string_to_unsigned (size, 10, 0, G_MAXINT64, &v, NULL))
    a->size = (gint64) v;
}

static gboolean
announced_matches (const Announced *a,
                   const FileSpec  *spec)
{
  if (a->sha256 != NULL && strcmp (a->sha256, spec->sha256) != 0)
    return FALSE;
  if (a->size >= 0 && spec->size > 0 && a->size != spec->size)
    return FALSE;
  return TRUE;
}

/* The server has another file than the pinned one: keep nothing of it. */
static gboolean
refuse_other_version (const FileSpec *spec,
                      const char     *part,
                      GError        **error)
{
  g_unlink (part);
  g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_CHECKSUM,
               _("The server offers a different %s than the expected one (another size or "
                 "checksum); nothing of it was kept"), spec->name);
  return FALSE;
}

/* One file's transfer, from its part to its place. */
typedef struct {
  const FileSpec    *spec;
  char              *dest;       /* where it goes once it matched */
  char              *part;       /* where it is written meanwhile */
  gint64             offset;     /* bytes the part held before the response */
  gint64             length;     /* the response body's length, -1 unknown */
  SoupMessage       *msg;
  Announced         *announced;  /* borrowed from msg */
  GInputStream      *in;
  GFileOutputStream *out;
} Transfer;

static void
transfer_clear (Transfer *t)
{
  g_clear_object (&t->out);
  g_clear_object (&t->in);
  g_clear_object (&t->msg);
  g_clear_pointer (&t->part, g_free);
  g_clear_pointer (&t->dest, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Transfer, transfer_clear)

/* Makes the part's folder and finds what the part holds already. */
static gboolean
prepare_part (Job       *job,
              Transfer  *t,
              GError   **error)
{
  g_autofree char *part_dir = g_build_filename (job->target_dir, PART_DIR, NULL);
  GStatBuf st;

  t->part = g_strconcat (part_dir, G_DIR_SEPARATOR_S, t->spec->name, ".part", NULL);
  if (g_mkdir_with_parents (part_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), part_dir, g_strerror (saved));
      return FALSE;
    }
  if (g_stat (t->part, &st) == 0)
    t->offset = st.st_size;
  if (t->spec->size > 0 && t->offset > t->spec->size)
    {
      /* longer than the file it should become: start it again */
      g_unlink (t->part);
      t->offset = 0;
    }
  return TRUE;
}

/* Asks for the file from the part's end, and waits for the response's
 * headers. */
static gboolean
send_request (SoupSession   *session,
              Job           *job,
              Transfer      *t,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *url = g_strconcat (job->base_url, "/", t->spec->name, NULL);
  g_autoptr(GError) local = NULL;
  SoupMessageHeaders *response;

  t->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (t->msg == NULL)
    {
      g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_HTTP, _("Invalid address: %s"), url);
      return FALSE;
    }
  if (t->offset > 0)
    soup_message_headers_set_range (soup_message_get_request_headers (t->msg), t->offset, -1);
  t->announced = g_new0 (Announced, 1);
  t->announced->size = -1;
  g_object_set_data_full (G_OBJECT (t->msg), "cs-announced", t->announced, (GDestroyNotify) announced_free);
  g_signal_connect (t->msg, "got-headers", G_CALLBACK (on_got_headers_cb), t->announced);
  _cs_model_report (job->progress, 0, 0, t->spec->name);

  t->in = soup_session_send (session, t->msg, cancellable, &local);
  if (t->in == NULL)
    {
      if (is_offline_error (local))
        g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_OFFLINE, "%s", local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  response = soup_message_get_response_headers (t->msg);
  if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_CONTENT_LENGTH)
    t->length = soup_message_headers_get_content_length (response);
  return TRUE;
}

/* Opens the part for the response: appended to when the server resumes
 * it, replaced when it sends the whole file.  `*complete` is set instead
 * when the part holds the whole file already. */
static gboolean
open_part (Job           *job,
           Transfer      *t,
           gboolean      *complete,
           GCancellable  *cancellable,
           GError       **error)
{
  const FileSpec *spec = t->spec;
  SoupMessageHeaders *response = soup_message_get_response_headers (t->msg);
  guint status = soup_message_get_status (t->msg);
  g_autoptr(GFile) part_file = g_file_new_for_path (t->part);

  *complete = FALSE;
  if (status == SOUP_STATUS_PARTIAL_CONTENT && t->offset > 0)
    {
      goffset start = -1, end = -1, total = -1;
      if (!soup_message_headers_get_content_range (response, &start, &end, &total) || start != t->offset)
        {
          g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_HTTP,
                       _("The server resumed %s at the wrong place"), spec->name);
          g_unlink (t->part);
          return FALSE;
        }
      if ((spec->size > 0 && total >= 0 && total != spec->size) || !announced_matches (t->announced, spec))
        return refuse_other_version (spec, t->part, error);
      t->out = g_file_append_to (part_file, G_FILE_CREATE_NONE, cancellable, error);
      _cs_model_report (job->progress, t->offset,
              spec->size > 0 ? 0 : (total >= 0 ? total : t->offset + MAX (t->length, 0)), NULL);
    }
  else if (status == SOUP_STATUS_OK)
    {
      if ((spec->size > 0 && t->length >= 0 && t->length != spec->size)
          || !announced_matches (t->announced, spec))
        return refuse_other_version (spec, t->part, error);
      t->offset = 0;
      t->out = g_file_replace (part_file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
      _cs_model_report (job->progress, 0, spec->size > 0 ? 0 : MAX (t->length, 0), NULL);
    }
  else if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && t->offset > 0)
    {
      /* the part holds the whole file already (or the server's is shorter,
       * which the check finds): only the check is left */
      _cs_model_report (job->progress, t->offset, spec->size > 0 ? 0 : t->offset, NULL);
      g_input_stream_close (t->in, NULL, NULL);
      *complete = TRUE;
      return TRUE;
    }
  else
    {
      g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_HTTP,
                   _("The server answered “%u %s” for %s"), status,
                   soup_message_get_reason_phrase (t->msg), spec->name);
      return FALSE;
    }
  return t->out != NULL;
}

/* Copies the response's body into the part, no further than the file's
 * pinned size. */
static gboolean
receive_body (Job           *job,
              Transfer      *t,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree guchar *buf = g_malloc (CHUNK_SIZE);
  g_autoptr(GError) local = NULL;
  gint64 received = 0;
  gssize n;

  while ((n = g_input_stream_read (t->in, buf, CHUNK_SIZE, cancellable, &local)) > 0)
    {
      if (t->spec->size > 0 && t->offset + received + n > t->spec->size)
        {
          g_output_stream_close (G_OUTPUT_STREAM (t->out), NULL, NULL);
          return refuse_other_version (t->spec, t->part, error);
        }
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (t->out), buf, n, NULL, cancellable, error))
        return FALSE;
      received += n;
      _cs_model_report (job->progress, n, 0, NULL);
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (t->out), NULL, error))
    return FALSE;
  if (n < 0 && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (n < 0 || (t->length >= 0 && received < t->length))
    {
      g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_INTERRUPTED,
                   _("The transfer of %s was interrupted"), t->spec->name);
      return FALSE;
    }
  return TRUE;
}

/* Checks the part against its pin and renames it into place. */
static gboolean
verify_and_install (Transfer      *t,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *actual = NULL;

  /* a failure to read it (or a cancel) keeps the part, to be checked again */
  actual = hash_file (t->part, cancellable, error);
  if (actual == NULL)
    return FALSE;
  if (strcmp (actual, t->spec->sha256) != 0)
    {
      g_unlink (t->part);
      g_set_error (error, CS_MODEL_ERROR, CS_MODEL_ERROR_CHECKSUM,
                   _("%s is damaged (its checksum does not match); it was deleted"), t->spec->name);
      return FALSE;
    }
  if (g_rename (t->part, t->dest) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot move %s into place: %s"), t->spec->name, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
_cs_model_fetch_file (SoupSession    *session,
                      Job            *job,
                      const FileSpec *spec,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_auto(Transfer) t = { .spec = spec, .length = -1 };
  gboolean complete = FALSE;

  t.dest = g_build_filename (job->target_dir, spec->name, NULL);
  if (!prepare_part (job, &t, error))
    return FALSE;
  if (spec->size > 0 && t.offset == spec->size)
    {
      /* complete already (cancelled while it was checked): only the check is left */
      _cs_model_report (job->progress, t.offset, 0, spec->name);
      return verify_and_install (&t, cancellable, error);
    }
  if (!send_request (session, job, &t, cancellable, error)
      || !open_part (job, &t, &complete, cancellable, error)
      || (!complete && !receive_body (job, &t, cancellable, error)))
    return FALSE;
  return verify_and_install (&t, cancellable, error);
}

gboolean
_cs_model_check_in_place (Job            *job,
                          const FileSpec *spec,
                          gboolean       *good,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autofree char *dest = g_build_filename (job->target_dir, spec->name, NULL);
  g_autofree char *actual = NULL;
  GStatBuf st;

  *good = FALSE;
  if (!g_file_test (dest, G_FILE_TEST_IS_REGULAR) || g_stat (dest, &st) != 0)
    return TRUE;
  if (spec->size <= 0 || st.st_size == spec->size)
    {
      _cs_model_report (job->progress, 0, 0, spec->name);
      actual = hash_file (dest, cancellable, error);
      if (actual == NULL)
        return FALSE;
      if (strcmp (actual, spec->sha256) == 0)
        {
          *good = TRUE;
          _cs_model_report (job->progress, st.st_size, spec->size > 0 ? 0 : st.st_size, NULL);
          return TRUE;
        }
    }
  g_unlink (dest);
  return TRUE;
}
