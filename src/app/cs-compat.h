/* cs-compat.h - what depends on the GTK version, in one place.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Debian 12 has GTK 4.8; newer GTK has better ways to do some things.
 * The rest of the app calls these and never tests the version itself.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows `file` in the file manager, selected (or at least its folder
 * opened), on behalf of `parent` (may be NULL).  GTK >= 4.10: its
 * GtkFileLauncher (which goes through the desktop portal where there is
 * one); before: the file manager's org.freedesktop.FileManager1.ShowItems
 * on the session bus, then the folder opened with the application for
 * folders (GIO goes through the OpenURI portal in a sandbox).  The finish
 * returns FALSE with an error saying why (for people) when every way
 * failed. */
void     cs_compat_show_in_folder_async  (GtkWindow           *parent,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean cs_compat_show_in_folder_finish (GAsyncResult        *result,
                                          GError             **error);

/* The About dialog with the given properties: AdwAboutDialog with
 * libadwaita >= 1.5, AdwAboutWindow before. */
void cs_compat_show_about (GtkWindow  *parent,
                           const char *first_property_name,
                           ...) G_GNUC_NULL_TERMINATED;

/* The Preferences' parent type: AdwPreferencesDialog (libadwaita >= 1.5,
 * shown inside its parent's window) or AdwPreferencesWindow (a window of
 * its own).  CsPreferences derives from it; the calls below do for either
 * what the window's or the dialog's API does. */
#if ADW_CHECK_VERSION (1, 5, 0)
typedef AdwPreferencesDialog      CsCompatPreferencesParent;
typedef AdwPreferencesDialogClass CsCompatPreferencesParentClass;
#else
typedef AdwPreferencesWindow      CsCompatPreferencesParent;
typedef AdwPreferencesWindowClass CsCompatPreferencesParentClass;
#endif
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCompatPreferencesParent, g_object_unref)
#define CS_COMPAT_TYPE_PREFERENCES_PARENT (cs_compat_preferences_parent_get_type ())
GType       cs_compat_preferences_parent_get_type      (void);
/* modal, 640 × 640, over `parent`'s window */
void        cs_compat_preferences_present              (GtkWidget          *prefs,
                                                        GtkWidget          *parent);
void        cs_compat_preferences_close                (GtkWidget          *prefs);
void        cs_compat_preferences_add_toast            (GtkWidget          *prefs,
                                                        AdwToast           *toast);
void        cs_compat_preferences_set_visible_page     (GtkWidget          *prefs,
                                                        AdwPreferencesPage *page);
const char *cs_compat_preferences_get_visible_page_name (GtkWidget         *prefs);
/* For tests: a shown window or dialog of `type` (or NULL). */
GtkWidget  *cs_compat_find_shown                       (GType               type);

/* The window's leaflet (sidebar | content), until it becomes a split
 * view: AdwLeaflet is deprecated in libadwaita 1.4, and these are the
 * only calls into it, so that the rest compiles with deprecations as
 * errors.  Navigating is a no-op while unfolded. */
void cs_compat_leaflet_navigate               (AdwLeaflet             *leaflet,
                                               AdwNavigationDirection  direction);
/* When folded, shows `content` (not the sidebar). */
void cs_compat_leaflet_show_content_if_folded (AdwLeaflet             *leaflet,
                                               GtkWidget              *content);

/* Asks for a file (a folder when `folder`) on behalf of `parent`'s
 * window: GtkFileDialog with GTK >= 4.10, GtkFileChooserNative before
 * (both the portal's chooser where there is one).  `filter` (may be NULL)
 * is the one filter offered.  `callback` runs only when a file was
 * chosen; `destroy` (may be NULL) frees `user_data` either way. */
typedef void (*CsCompatFileChosen) (GFile    *file,
                                    gpointer  user_data);
void cs_compat_choose_file (GtkWidget          *parent,
                            const char         *title,
                            gboolean            folder,
                            GtkFileFilter      *filter,
                            CsCompatFileChosen  callback,
                            gpointer            user_data,
                            GDestroyNotify      destroy);
/* For tests, where no portal answers and GTK shows its own chooser
 * window: that window (or NULL), its filter and file, choosing `file`
 * in it and pressing its Select button. */
GtkWidget     *cs_compat_chooser_find_shown (void);
GtkFileFilter *cs_compat_chooser_get_filter (GtkWidget *chooser);
GFile         *cs_compat_chooser_get_file   (GtkWidget *chooser);
gboolean       cs_compat_chooser_set_file   (GtkWidget *chooser,
                                             GFile     *file);
void           cs_compat_chooser_accept     (GtkWidget *chooser);

/* A message dialog ("alert"): AdwAlertDialog with libadwaita >= 1.5
 * (presented inside its parent's window), AdwMessageDialog before (a
 * modal window of its own).  Both emit "response" (widget, const char
 * *response, user_data) and close themselves after it; connect to it on
 * the GtkWidget returned.  `destructive` marks the response shown in red;
 * cs_compat_alert_set_cancel() names the response that is the default
 * and the one Escape gives. */
GtkWidget  *cs_compat_alert_new          (const char *heading,
                                          const char *body);
void        cs_compat_alert_add_response (GtkWidget  *alert,
                                          const char *id,
                                          const char *label,
                                          gboolean    destructive);
void        cs_compat_alert_set_cancel   (GtkWidget  *alert,
                                          const char *id);
void        cs_compat_alert_present      (GtkWidget  *alert,
                                          GtkWidget  *parent);
/* For tests: the alert shown (with `css_class` when not NULL) or NULL,
 * what it says, and answering it as a click on the response would. */
GtkWidget  *cs_compat_alert_find_shown   (const char *css_class);
const char *cs_compat_alert_get_heading  (GtkWidget  *alert);
const char *cs_compat_alert_get_body     (GtkWidget  *alert);
void        cs_compat_alert_respond      (GtkWidget  *alert,
                                          const char *id);

G_END_DECLS
