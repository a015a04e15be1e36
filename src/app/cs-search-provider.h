/* cs-search-provider.h - Clipsight's results in the GNOME Shell search.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsSearchProvider exports org.gnome.Shell.SearchProvider2 on the
 * application's own D-Bus connection, so that typing a description in the
 * Activities overview shows the matching photos.  GNOME Shell finds it
 * through data/<app id>.search-provider.ini, which names the app's bus name
 * and the object path <the app's object path>/SearchProvider, and starts
 * the app through D-Bus activation (data/<app id>.service) when it is not
 * running.
 *
 * How the application uses it: it makes one provider for its library,
 * cs_search_provider_new (library) (or with NULL and
 * cs_search_provider_set_library () once it has one: GApplication's
 * dbus_register runs before startup), registers it from dbus_register
 * after chaining up, cs_search_provider_register (provider, app,
 * connection, object_path, error), with the object path GApplication gave
 * it, and unregisters it in dbus_unregister before chaining up.  Calls
 * that come while there is no library wait for one as for its loading.
 *
 * The contract with the application's actions (the app must install them):
 *
 *   app.show-photo  parameter "s": a file URI (file:///...).  Show that
 *                   photo in Clipsight, opening a window when there is none
 *                   (the app may have been started by D-Bus activation and
 *                   have no window yet).  Sent by ActivateResult.
 *   app.search      parameter "s": search text.  Show the main window with
 *                   that text in the search entry.  Sent by LaunchSearch.
 *
 * Result identifiers are the photos' row ids in the library (decimal
 * strings), which are stable across moves and never reused.  The search
 * keeps only the photos inside the query's adaptive cutoff, best first.
 * Each method call holds the application (g_application_hold ()) until it
 * is answered, and for a minute after the last call, so that an app the
 * Shell started through D-Bus activation (with --gapplication-service, no
 * window) stays up while the user types instead of loading the model again
 * for every keystroke.  Calls that arrive before the library is loaded
 * wait for it (for a few seconds at most, then answer with no results).
 * A new GetInitialResultSet or GetSubsearchResultSet supersedes the same
 * caller's (D-Bus sender's) search still open, which is answered with no
 * results; other callers' searches are left alone.
 *
 * Home thread: the main one; the provider runs no SQL, CLIP or file I/O on
 * it (searches run through cs_library_search_async (), and the thumbnail
 * look-ups for GetResultMetas in a worker thread).
 */
#pragma once

#include <gio/gio.h>

#include "cs-library.h"

G_BEGIN_DECLS

/* The provider's object path below the application's. */
#define CS_SEARCH_PROVIDER_PATH_SUFFIX "/SearchProvider"

#define CS_TYPE_SEARCH_PROVIDER (cs_search_provider_get_type ())
G_DECLARE_FINAL_TYPE (CsSearchProvider, cs_search_provider, CS, SEARCH_PROVIDER, GObject)

/* A provider searching `library` (NULL: none yet).  The provider builds
 * without GTK: it needs a GApplication for the actions, not CsApplication. */
CsSearchProvider *cs_search_provider_new          (CsLibrary         *library);
void              cs_search_provider_set_library  (CsSearchProvider  *self,
                                                   CsLibrary         *library);

/* Exports the provider at `object_path` + CS_SEARCH_PROVIDER_PATH_SUFFIX on
 * `connection`, for `application`, whose app.show-photo and app.search
 * actions it activates and which it holds while calls are open (weakly
 * referenced).  Returns FALSE with `error` set when the object cannot be
 * exported. */
gboolean          cs_search_provider_register     (CsSearchProvider  *self,
                                                   GApplication      *application,
                                                   GDBusConnection   *connection,
                                                   const char        *object_path,
                                                   GError           **error);
/* Stops exporting, answers the calls still waiting with no results and
 * cancels the searches in flight.  Safe to call when not registered. */
void              cs_search_provider_unregister   (CsSearchProvider  *self);

/* The path of a thumbnail for `uri` following the freedesktop Thumbnail
 * Managing Standard (the "large" size first, then "normal") in
 * `cache_dirs` (NULL-terminated, each holding large/ and normal/), or NULL
 * when none exists.  Blocking (stats files): for worker threads and tests. */
char             *cs_search_provider_find_thumbnail (const char        *uri,
                                                     const char * const *cache_dirs);

G_END_DECLS
