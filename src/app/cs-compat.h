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

/* The window's split: `sidebar` beside `content`, each a vertical GtkBox
 * whose first child is its AdwHeaderBar.  The sidebar keeps one width,
 * `sidebar_width`, at every window size and in every view; below
 * `sidebar_width` + `content_width` the split collapses to one pane at a
 * time.  libadwaita >= 1.4: an AdwNavigationSplitView (its sidebar's
 * minimum and maximum width both `sidebar_width`) collapsed by an
 * AdwBreakpoint of an AdwBreakpointBin, each pane an AdwToolbarView with
 * its header bar on top (whose own back button goes to the sidebar, so
 * `back_button` is hidden).  Before: an AdwLeaflet that folds at the same
 * width (the content's width request), its sidebar held at
 * `sidebar_width` by an AdwClamp, `back_button` shown while folded and
 * the window buttons moved as a folded leaflet needs.  Returns the widget
 * to put in the window; the calls below take it. */
GtkWidget *cs_compat_split_view_new           (GtkWidget  *sidebar,
                                               const char *sidebar_title,
                                               GtkWidget  *content,
                                               const char *content_title,
                                               GtkWidget  *back_button,
                                               int         sidebar_width,
                                               int         content_width);
gboolean   cs_compat_split_view_get_collapsed (GtkWidget  *split);
/* When collapsed, shows the content (TRUE) or the sidebar (FALSE);
 * remembered for the next collapse otherwise. */
void       cs_compat_split_view_show_content  (GtkWidget  *split,
                                               gboolean    show_content);
/* `callback` (object, pspec, user_data) runs when the split collapses or
 * expands, while `gobject` lives. */
void       cs_compat_split_view_connect_collapsed (GtkWidget *split,
                                                   GCallback  callback,
                                                   gpointer   gobject);
/* The name kept for the callers written against the leaflet: FORWARD
 * shows the content, BACK the sidebar (a no-op while not collapsed). */
void       cs_compat_leaflet_navigate         (GtkWidget              *split,
                                               AdwNavigationDirection  direction);

/* The photo view's details beside the photo: `sidebar` at the end, its
 * width `sidebar_width`, shown while `toggle` is active; below
 * `sidebar_width` + `content_width` it overlays the photo instead of
 * narrowing it, and hides.  libadwaita >= 1.4: an AdwOverlaySplitView
 * collapsed by an AdwBreakpoint of an AdwBreakpointBin; before: an
 * AdwFlap that folds at the same width. */
GtkWidget *cs_compat_overlay_split_new (GtkWidget       *content,
                                        GtkWidget       *sidebar,
                                        GtkToggleButton *toggle,
                                        int              sidebar_width,
                                        int              content_width);
gboolean   cs_compat_overlay_split_get_collapsed (GtkWidget *split);

/* `box` (a vertical GtkBox whose first child is its header bar) as an
 * AdwToolbarView with that header bar on top (libadwaita >= 1.4), or
 * `box` itself before.  `box` must have no parent. */
GtkWidget *cs_compat_toolbar_view_from_box (GtkWidget *box);

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

/* Shows `date`'s month in `calendar` with its day chosen:
 * gtk_calendar_set_date() with GTK >= 4.20, gtk_calendar_select_day()
 * (deprecated there) before. */
void cs_compat_calendar_set_date (GtkCalendar *calendar,
                                  GDateTime   *date);

G_END_DECLS
