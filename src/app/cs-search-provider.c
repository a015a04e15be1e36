/* cs-search-provider.c - Clipsight's results in the GNOME Shell search.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cs-search-provider"

#include "config.h"

#include <glib/gstdio.h>

#include "cs-library.h"
#include "cs-search-provider.h"

/* How many photos one search offers the Shell: it shows a handful and
 * keeps the rest for the "more results" of a subsearch. */
#define MAX_RESULTS 25
/* How long a call may wait for the library to load (a D-Bus activated
 * app loads it just after start-up) before it answers with nothing, and
 * how often it looks (polling also sees a library given later, or one
 * loaded again for a new model). */
#define LOAD_WAIT_MS 8000
#define LOAD_POLL_MS 200
/* How long the app stays up after a call when it has no window (started
 * by D-Bus activation for the Shell): the user is probably still typing,
 * and loading the model again would make every keystroke slow. */
#define KEEP_ALIVE_SECONDS 60

typedef struct _Request Request;

struct _CsSearchProvider
{
  GObject          parent_instance;

  CsLibrary       *library;
  GWeakRef         application;

  GDBusConnection *connection;
  guint            registration_id;

  /* The newest search of each caller (its unique bus name -> Request*,
   * borrowed): a newer search from the same caller supersedes it, since
   * the Shell only wants the answer to what is typed now.  Another
   * caller's (a second Shell, a test, another tool) is not its business. */
  GHashTable      *newest;
  /* Request*: calls waiting for a loaded library. */
  GPtrArray       *waiting;

  /* The application held for KEEP_ALIVE_SECONDS after the last call. */
  GApplication    *kept_alive;
  guint            keep_alive_id;
};

/* One GetInitialResultSet or GetSubsearchResultSet call: it waits for the
 * library, or its search runs (to its cancellation once superseded). */
struct _Request
{
  CsSearchProvider      *provider;
  GDBusMethodInvocation *invocation;
  GApplication          *application;  /* held while the call is open */
  char                  *caller;       /* the sender's unique name, or "" */
  char                  *text;
  GCancellable          *cancellable;  /* cancelled when superseded */
  guint                  poll_id;
  gint64                 deadline;     /* monotonic, µs */
};

/* What GetResultMetas needs of one photo, taken on the home thread. */
typedef struct
{
  char *id;
  char *name;
  char *description;
  char *uri;
} Meta;

static void provider_unregister (CsSearchProvider *self);

G_DEFINE_FINAL_TYPE (CsSearchProvider, cs_search_provider, G_TYPE_OBJECT)

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gnome.Shell.SearchProvider2'>"
  "    <method name='GetInitialResultSet'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetSubsearchResultSet'>"
  "      <arg type='as' name='previous_results' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetResultMetas'>"
  "      <arg type='as' name='identifiers' direction='in'/>"
  "      <arg type='aa{sv}' name='metas' direction='out'/>"
  "    </method>"
  "    <method name='ActivateResult'>"
  "      <arg type='s' name='identifier' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='LaunchSearch'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* Parsed once, in class_init, and kept for the life of the process like
 * a static table. */
static GDBusNodeInfo *introspection_data;

/* The Shell splits what the user typed at white space; the library's
 * query syntax ("beach + sunset - people") reads it joined again. */
static char *
join_terms (const char * const *terms)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) terms);

  return g_strdup (g_strstrip (joined));
}

static GApplication *
hold_application (CsSearchProvider *self)
{
  GApplication *application = g_weak_ref_get (&self->application);

  if (application != NULL)
    g_application_hold (application);

  return application;
}

static void
release_application (GApplication *application)
{
  if (application == NULL)
    return;

  g_application_release (application);
  g_object_unref (application);
}

static gboolean
on_keep_alive_done_cb (gpointer user_data)
{
  CsSearchProvider *self = user_data;

  self->keep_alive_id = 0;
  release_application (g_steal_pointer (&self->kept_alive));

  return G_SOURCE_REMOVE;
}

static void
keep_alive (CsSearchProvider *self)
{
  if (self->kept_alive == NULL)
    self->kept_alive = hold_application (self);
  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  if (self->kept_alive != NULL)
    self->keep_alive_id = g_timeout_add_seconds (KEEP_ALIVE_SECONDS, on_keep_alive_done_cb, self);
}

static void
stop_keeping_alive (CsSearchProvider *self)
{
  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  release_application (g_steal_pointer (&self->kept_alive));
}

static Request *
request_new (CsSearchProvider      *self,
             GDBusMethodInvocation *invocation,
             const char            *text)
{
  Request *request = g_new0 (Request, 1);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  request->provider = g_object_ref (self);
  request->invocation = invocation;  /* the handler's reference */
  request->application = hold_application (self);
  /* no sender on a peer-to-peer connection: one caller */
  request->caller = g_strdup (sender != NULL ? sender : "");
  request->text = g_strdup (text);
  request->cancellable = g_cancellable_new ();

  return request;
}

static void
request_free (Request *request)
{
  CsSearchProvider *self = request->provider;

  if (g_hash_table_lookup (self->newest, request->caller) == request)
    g_hash_table_remove (self->newest, request->caller);
  g_clear_handle_id (&request->poll_id, g_source_remove);
  g_clear_object (&request->invocation);
  release_application (g_steal_pointer (&request->application));
  g_clear_pointer (&request->caller, g_free);
  g_clear_pointer (&request->text, g_free);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->provider);
  g_free (request);
}

/* Answers the call with `ids` (NULL: no results) and frees the request. */
static void
request_reply (Request            *request,
               const char * const *ids)
{
  static const char * const none[] = { NULL };

  g_dbus_method_invocation_return_value (g_steal_pointer (&request->invocation),
                                         g_variant_new ("(^as)", ids != NULL ? ids : none));
  request_free (request);
}

static void
meta_free (Meta *meta)
{
  g_free (meta->id);
  g_free (meta->name);
  g_free (meta->description);
  g_free (meta->uri);
  g_free (meta);
}

/* The library (borrowed), when there is one and it is loaded. */
static CsLibrary *
get_loaded_library (CsSearchProvider *self)
{
  if (self->library == NULL || !cs_library_get_loaded (self->library))
    return NULL;

  return self->library;
}

static gboolean on_wait_poll_cb (gpointer user_data);

/* Waits for a loaded library (LOAD_WAIT_MS from the call at most). */
static void
request_wait (Request *request)
{
  CsSearchProvider *self = request->provider;

  if (request->deadline == 0)
    request->deadline = g_get_monotonic_time () + LOAD_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  request->poll_id = g_timeout_add (LOAD_POLL_MS, on_wait_poll_cb, request);
  g_ptr_array_add (self->waiting, request);
}

static void
on_search_finished_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  guint n_items;

  list = cs_library_search_finish (CS_LIBRARY (source), result, &error);
  if (list == NULL)
    {
      /* No model yet, an empty library, a newer search of this caller's:
       * nothing to show. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Search for “%s” failed: %s", request->text, error->message);
      request_reply (request, NULL);
      return;
    }

  ids = g_ptr_array_new_with_free_func (g_free);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (guint i = 0; i < n_items && ids->len < MAX_RESULTS; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (!cs_photo_get_accepted (photo))
        continue;
      g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT, cs_photo_get_id (photo)));
    }
  g_ptr_array_add (ids, NULL);

  request_reply (request, (const char * const *) ids->pdata);
}

/* Runs the request's search, or lets it wait while there is no loaded
 * library (at start-up, or loading again for a new model).  Searches
 * of different callers run side by side: each has its own cancellable,
 * which only a newer search of the same caller cancels (supersede ()). */
static void
request_start (Request *request)
{
  CsLibrary *library = get_loaded_library (request->provider);
  g_autoptr(CsQuery) query = NULL;

  if (library == NULL)
    {
      request_wait (request);
      return;
    }
  query = cs_query_new (request->text);
  cs_query_set_sort (query, CS_SORT_RELEVANCE);
  cs_query_set_accepted_only (query, TRUE);
  cs_query_set_limit (query, MAX_RESULTS);
  cs_library_search_async (library, query, request->cancellable, on_search_finished_cb, request);
}

/* Polls for the library while the call waits (a newer call from the same
 * caller answers it with nothing at once: supersede ()). */
static gboolean
on_wait_poll_cb (gpointer user_data)
{
  Request *request = user_data;
  CsSearchProvider *self = request->provider;

  if (get_loaded_library (self) != NULL)
    {
      request->poll_id = 0;
      g_ptr_array_remove (self->waiting, request);
      request_start (request);
      return G_SOURCE_REMOVE;
    }

  if (g_get_monotonic_time () < request->deadline)
    return G_SOURCE_CONTINUE;

  request->poll_id = 0;
  g_debug ("No library after %d ms; answering “%s” with no results",
           LOAD_WAIT_MS, request->text);
  g_ptr_array_remove (self->waiting, request);
  request_reply (request, NULL);

  return G_SOURCE_REMOVE;
}

/* Makes `request` its caller's newest search.  The caller's older one,
 * if still open, is answered with nothing: now when it waits for the
 * library, through its cancellation when it runs. */
static void
supersede (CsSearchProvider *self,
           Request          *request)
{
  Request *older = g_hash_table_lookup (self->newest, request->caller);

  if (older != NULL)
    {
      g_hash_table_remove (self->newest, request->caller);
      if (g_ptr_array_remove (self->waiting, older))
        request_reply (older, NULL);
      else
        g_cancellable_cancel (older->cancellable);
    }
  g_hash_table_replace (self->newest, g_strdup (request->caller), request);
}

static void
search (CsSearchProvider      *self,
        GDBusMethodInvocation *invocation,
        const char * const    *terms)
{
  g_autofree char *text = join_terms (terms);
  Request *request;

  request = request_new (self, invocation, text);
  if (text[0] == '\0')
    {
      request_reply (request, NULL);
      return;
    }

  supersede (self, request);
  request_start (request);
}

char *
cs_search_provider_find_thumbnail (const char         *uri,
                                   const char * const *cache_dirs)
{
  static const char * const sizes[] = { "large", "normal", "x-large", "xx-large" };
  g_autofree char *name = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *path = NULL;
  GStatBuf photo_stat;
  gboolean have_photo_stat;

  g_return_val_if_fail (uri != NULL, NULL);

  md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  name = g_strconcat (md5, ".png", NULL);
  path = g_filename_from_uri (uri, NULL, NULL);
  have_photo_stat = path != NULL && g_stat (path, &photo_stat) == 0;

  for (guint d = 0; cache_dirs != NULL && cache_dirs[d] != NULL; d++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        g_autofree char *thumbnail = g_build_filename (cache_dirs[d], sizes[s], name, NULL);
        GStatBuf thumbnail_stat;

        if (g_stat (thumbnail, &thumbnail_stat) != 0 || thumbnail_stat.st_size == 0)
          continue;
        /* A thumbnail older than its photo shows what the photo was
         * before an edit (the spec's Thumb::MTime check, done cheaply). */
        if (have_photo_stat && thumbnail_stat.st_mtime < photo_stat.st_mtime)
          continue;
        return g_steal_pointer (&thumbnail);
      }

  return NULL;
}

static void
build_metas_in_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GPtrArray *metas = task_data;
  g_autofree char *own_cache = g_build_filename (g_get_user_cache_dir (), "clipsight", "thumbnails", NULL);
  g_autofree char *shared_cache = g_build_filename (g_get_user_cache_dir (), "thumbnails", NULL);
  const char * const cache_dirs[] = { own_cache, shared_cache, NULL };
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < metas->len; i++)
    {
      Meta *meta = g_ptr_array_index (metas, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_string (meta->id));
      g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (meta->name));
      if (meta->description != NULL)
        g_variant_builder_add (&builder, "{sv}", "description",
                               g_variant_new_string (meta->description));
      if (meta->uri != NULL)
        {
          g_autofree char *thumbnail = cs_search_provider_find_thumbnail (meta->uri, cache_dirs);
          g_autoptr(GFile) file = thumbnail != NULL ? g_file_new_for_path (thumbnail)
                                                    : g_file_new_for_uri (meta->uri);
          g_autoptr(GIcon) icon = g_file_icon_new (file);
          g_autofree char *icon_string = g_icon_to_string (icon);
          GVariant *serialized = g_icon_serialize (icon);

          /* "icon" for current Shells, "gicon" for older ones. */
          if (serialized != NULL)
            g_variant_builder_add (&builder, "{sv}", "icon", serialized);
          if (icon_string != NULL)
            g_variant_builder_add (&builder, "{sv}", "gicon", g_variant_new_string (icon_string));
          g_clear_pointer (&serialized, g_variant_unref);
        }
      g_variant_builder_close (&builder);
    }

  g_task_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&builder)),
                         (GDestroyNotify) g_variant_unref);
}

static void
on_metas_built_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GDBusMethodInvocation *invocation = user_data;  /* the handler's reference */
  g_autoptr(GVariant) metas = g_task_propagate_pointer (G_TASK (result), NULL);

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aa{sv})", metas));
}

static void
get_result_metas (CsSearchProvider      *self,
                  GDBusMethodInvocation *invocation,
                  const char * const    *ids)
{
  g_autoptr(GPtrArray) metas = g_ptr_array_new_with_free_func ((GDestroyNotify) meta_free);
  g_autoptr(GTask) task = NULL;
  CsLibrary *library = get_loaded_library (self);
  GApplication *application;

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(CsPhoto) photo = NULL;
      Meta *meta = g_new0 (Meta, 1);
      char *end = NULL;
      gint64 id = g_ascii_strtoll (ids[i], &end, 10);

      meta->id = g_strdup (ids[i]);
      if (end != NULL && end != ids[i] && *end == '\0' && library != NULL)
        photo = cs_library_lookup_photo (library, id);

      if (photo != NULL)
        {
          g_autoptr(GFile) file = cs_photo_dup_file (photo);

          meta->name = g_strdup (cs_photo_get_display_name (photo));
          meta->description = g_strdup (cs_photo_get_folder (photo));
          meta->uri = g_file_get_uri (file);
        }
      else
        {
          /* Gone since the search (the Shell wants one meta per id). */
          meta->name = g_strdup (ids[i]);
        }
      g_ptr_array_add (metas, meta);
    }

  /* The held application is released with the task. */
  application = hold_application (self);
  task = g_task_new (self, NULL, on_metas_built_cb, invocation);
  g_task_set_source_tag (task, get_result_metas);
  if (application != NULL)
    g_object_set_data_full (G_OBJECT (task), "cs-held-application", application,
                            (GDestroyNotify) release_application);
  g_task_set_task_data (task, g_steal_pointer (&metas), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, build_metas_in_thread);
}

static void
activate_action (CsSearchProvider *self,
                 const char       *action,
                 GVariant         *parameter)
{
  g_autoptr(GApplication) application = g_weak_ref_get (&self->application);
  g_autoptr(GVariant) owned = g_variant_ref_sink (parameter);

  if (application == NULL)
    {
      g_autofree char *printed = g_variant_print (owned, TRUE);

      g_debug ("No application for app.%s(%s)", action, printed);
      return;
    }

  if (g_action_group_has_action (G_ACTION_GROUP (application), action))
    g_action_group_activate_action (G_ACTION_GROUP (application), action, owned);
  else
    g_application_activate (application);
}

static void
activate_result (CsSearchProvider *self,
                 const char       *id_string,
                 const char * const *terms)
{
  g_autoptr(CsPhoto) photo = NULL;
  CsLibrary *library = get_loaded_library (self);
  char *end = NULL;
  gint64 id = g_ascii_strtoll (id_string, &end, 10);

  if (end != NULL && end != id_string && *end == '\0' && library != NULL)
    photo = cs_library_lookup_photo (library, id);

  if (photo != NULL)
    {
      g_autoptr(GFile) file = cs_photo_dup_file (photo);
      g_autofree char *uri = g_file_get_uri (file);

      activate_action (self, "show-photo", g_variant_new_string (uri));
    }
  else
    {
      /* The photo left the library since the search: show the search. */
      g_autofree char *text = join_terms (terms);

      activate_action (self, "search", g_variant_new_string (text));
    }
}

static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  CsSearchProvider *self = user_data;

  keep_alive (self);

  if (g_strcmp0 (method_name, "GetInitialResultSet") == 0)
    {
      g_autofree const char **terms = NULL;

      g_variant_get (parameters, "(^a&s)", &terms);
      search (self, invocation, terms);
    }
  else if (g_strcmp0 (method_name, "GetSubsearchResultSet") == 0)
    {
      g_autofree const char **previous = NULL;
      g_autofree const char **terms = NULL;

      /* CLIP reads the whole description again: a longer one is a new
       * query, not a filter on the previous results. */
      g_variant_get (parameters, "(^a&s^a&s)", &previous, &terms);
      search (self, invocation, terms);
    }
  else if (g_strcmp0 (method_name, "GetResultMetas") == 0)
    {
      g_autofree const char **ids = NULL;

      g_variant_get (parameters, "(^a&s)", &ids);
      get_result_metas (self, invocation, ids);
    }
  else if (g_strcmp0 (method_name, "ActivateResult") == 0)
    {
      const char *id = NULL;
      g_autofree const char **terms = NULL;
      guint32 timestamp = 0;

      g_variant_get (parameters, "(&s^a&su)", &id, &terms, &timestamp);
      activate_result (self, id, terms);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_strcmp0 (method_name, "LaunchSearch") == 0)
    {
      g_autofree const char **terms = NULL;
      g_autofree char *text = NULL;
      guint32 timestamp = 0;

      g_variant_get (parameters, "(^a&su)", &terms, &timestamp);
      text = join_terms (terms);
      activate_action (self, "search", g_variant_new_string (text));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "Unknown method %s", method_name);
    }
}

static const GDBusInterfaceVTable interface_vtable = {
  .method_call = handle_method_call,
};

static void
cs_search_provider_dispose (GObject *object)
{
  CsSearchProvider *self = CS_SEARCH_PROVIDER (object);

  provider_unregister (self);

  G_OBJECT_CLASS (cs_search_provider_parent_class)->dispose (object);
}

static void
cs_search_provider_finalize (GObject *object)
{
  CsSearchProvider *self = CS_SEARCH_PROVIDER (object);

  g_weak_ref_clear (&self->application);
  g_clear_object (&self->library);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->newest, g_hash_table_unref);

  G_OBJECT_CLASS (cs_search_provider_parent_class)->finalize (object);
}

static void
cs_search_provider_class_init (CsSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_search_provider_dispose;
  object_class->finalize = cs_search_provider_finalize;

  introspection_data = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_assert (introspection_data != NULL);
}

static void
cs_search_provider_init (CsSearchProvider *self)
{
  g_weak_ref_init (&self->application, NULL);
  self->waiting = g_ptr_array_new ();
  self->newest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
provider_unregister (CsSearchProvider *self)
{
  g_autoptr(GPtrArray) waiting = NULL;
  GHashTableIter iter;
  gpointer request;

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);

  waiting = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    request_reply (g_ptr_array_index (waiting, i), NULL);
  /* the searches still running (each its caller's newest) answer with
   * nothing once cancelled */
  g_hash_table_iter_init (&iter, self->newest);
  while (g_hash_table_iter_next (&iter, NULL, &request))
    g_cancellable_cancel (((Request *) request)->cancellable);

  stop_keeping_alive (self);
}

CsSearchProvider *
cs_search_provider_new (CsLibrary *library)
{
  CsSearchProvider *self;

  g_return_val_if_fail (library == NULL || CS_IS_LIBRARY (library), NULL);

  self = g_object_new (CS_TYPE_SEARCH_PROVIDER, NULL);
  cs_search_provider_set_library (self, library);

  return self;
}

void
cs_search_provider_set_library (CsSearchProvider *self,
                                CsLibrary        *library)
{
  g_return_if_fail (CS_IS_SEARCH_PROVIDER (self));
  g_return_if_fail (library == NULL || CS_IS_LIBRARY (library));

  g_set_object (&self->library, library);
}

gboolean
cs_search_provider_register (CsSearchProvider  *self,
                             GApplication      *application,
                             GDBusConnection   *connection,
                             const char        *object_path,
                             GError           **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CS_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_APPLICATION (application), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* one connection at a time: the session bus of GApplication */
  provider_unregister (self);
  g_weak_ref_set (&self->application, application);

  path = g_strconcat (object_path, CS_SEARCH_PROVIDER_PATH_SUFFIX, NULL);
  self->registration_id = g_dbus_connection_register_object (connection, path,
                                                             introspection_data->interfaces[0],
                                                             &interface_vtable, self, NULL,
                                                             error);
  if (self->registration_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);

  return TRUE;
}

void
cs_search_provider_unregister (CsSearchProvider *self)
{
  g_return_if_fail (CS_IS_SEARCH_PROVIDER (self));

  provider_unregister (self);
}
