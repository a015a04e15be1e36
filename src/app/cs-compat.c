/* cs-compat.c - what depends on the GTK version, in one place.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compat"

/* The build caps the GTK API at 4.8 (Debian 12) so that nothing newer
 * slips in by accident; this file alone may use newer API, and only
 * behind GTK_CHECK_VERSION. */
#undef GDK_VERSION_MAX_ALLOWED
/* the same for libadwaita (capped at 1.2), behind ADW_CHECK_VERSION */
#undef ADW_VERSION_MAX_ALLOWED

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compat.h"

/* ------------------------------------------------------------------ */
/* Show in Files                                                        */
/* ------------------------------------------------------------------ */

#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_folder_opened_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (gtk_file_launcher_open_containing_folder_finish (GTK_FILE_LAUNCHER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
show_with_launcher (GtkWindow *parent,
                    GFile     *file,
                    GTask     *task)
{
  g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (file);

  gtk_file_launcher_open_containing_folder (launcher, parent, g_task_get_cancellable (task),
                                            on_folder_opened_cb, task);
}

#endif /* GTK >= 4.10 */

typedef struct {
  GFile *folder;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_clear_object (&data->folder);
  g_free (data);
}

static void
on_folder_launched_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("no application opens folders: %s", error->message);
  /* both ways failed: say what is missing rather than GIO's last word */
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                           _("no file manager is running and no application opens folders"));
}

static void
launch_folder (GTask *task)
{
  ShowData *data = g_task_get_task_data (task);
  g_autofree char *uri = g_file_get_uri (data->folder);

  g_app_info_launch_default_for_uri_async (uri, NULL, g_task_get_cancellable (task), on_folder_launched_cb,
                                           task);
}

static void
on_show_items_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ret = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (ret != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* no file manager on the bus: open the folder instead */
  g_debug ("FileManager1.ShowItems: %s", error->message);
  launch_folder (task);
}

void
cs_compat_show_in_folder_async (GtkWindow           *parent,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  ShowData *data = g_new0 (ShowData, 1);
  g_autofree char *uri = g_file_get_uri (file);
  const char *uris[2] = { uri, NULL };

  g_task_set_source_tag (task, cs_compat_show_in_folder_async);
#if GTK_CHECK_VERSION (4, 10, 0)
  /* In a sandbox the portal (OpenDirectory) is there and shows the file
   * selected.  Outside one, GtkFileLauncher finds no portal on many
   * desktops and only warns ("Not a supported version of the OpenURI
   * portal"), so the file manager is asked directly, as before 4.10. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_free (data);
      show_with_launcher (parent, file, task);
      return;
    }
#else
  (void) parent;
#endif
  data->folder = g_file_get_parent (file);
  if (data->folder == NULL)
    data->folder = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) show_data_free);
  if (bus == NULL)
    {
      launch_folder (task);
      return;
    }
  /* NO_AUTO_START would miss a file manager that D-Bus starts on demand */
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL, G_DBUS_CALL_FLAGS_NONE, 5000,
                          cancellable, on_show_items_cb, task);
}

gboolean
cs_compat_show_in_folder_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_compat_show_in_folder_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Alerts                                                               */
/* ------------------------------------------------------------------ */

#if ADW_CHECK_VERSION (1, 5, 0)

/* AdwAlertDialog shows its heading in a large label that does not wrap,
 * or a smaller one that does when the large one is too wide, but
 * libadwaita 1.7 measures the large one at the dialog's width first, and
 * GTK warns when it is wider ("Cannot Move the Photos to the Trash" is
 * 380 px; an alert over a 360 px window has 324).  The large label wraps
 * too, then: whole words on two lines, no warning. */
static gboolean
wrap_heading (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "title-2"))
    {
      gtk_label_set_wrap (GTK_LABEL (widget), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (widget), PANGO_WRAP_WORD_CHAR);
      return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (wrap_heading (child))
      return TRUE;
  return FALSE;
}

GtkWidget *
cs_compat_alert_new (const char *heading,
                     const char *body)
{
  GtkWidget *alert = GTK_WIDGET (adw_alert_dialog_new (heading, body));

  /* the dialog's child is parented when it is presented */
  if (!wrap_heading (adw_dialog_get_child (ADW_DIALOG (alert))))
    g_debug ("no heading label to wrap in the alert");
  return alert;
}

void
cs_compat_alert_add_response (GtkWidget  *alert,
                              const char *id,
                              const char *label,
                              gboolean    destructive)
{
  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (alert), id, label);
  if (destructive)
    adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (alert), id, ADW_RESPONSE_DESTRUCTIVE);
}

void
cs_compat_alert_set_cancel (GtkWidget  *alert,
                            const char *id)
{
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (alert), id);
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (alert), id);
}

void
cs_compat_alert_present (GtkWidget *alert,
                         GtkWidget *parent)
{
  adw_dialog_present (ADW_DIALOG (alert), parent);
}

GtkWidget *
cs_compat_alert_find_shown (const char *css_class)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      AdwDialog *dialog = NULL;

      if (ADW_IS_APPLICATION_WINDOW (l->data))
        dialog = adw_application_window_get_visible_dialog (l->data);
      else if (ADW_IS_WINDOW (l->data))
        dialog = adw_window_get_visible_dialog (l->data);
      if (ADW_IS_ALERT_DIALOG (dialog)
          && (css_class == NULL || gtk_widget_has_css_class (GTK_WIDGET (dialog), css_class)))
        return GTK_WIDGET (dialog);
    }
  return NULL;
}

const char *
cs_compat_alert_get_heading (GtkWidget *alert)
{
  return adw_alert_dialog_get_heading (ADW_ALERT_DIALOG (alert));
}

const char *
cs_compat_alert_get_body (GtkWidget *alert)
{
  return adw_alert_dialog_get_body (ADW_ALERT_DIALOG (alert));
}

void
cs_compat_alert_respond (GtkWidget  *alert,
                         const char *id)
{
  /* what a click on the response's button does: "response", then the
   * dialog closes (libadwaita has no public call for it) */
  g_signal_emit_by_name (alert, "response", id);
  adw_dialog_force_close (ADW_DIALOG (alert));
}

#else /* libadwaita < 1.5 */

GtkWidget *
cs_compat_alert_new (const char *heading,
                     const char *body)
{
  return g_object_new (ADW_TYPE_MESSAGE_DIALOG, "heading", heading, "body", body, "modal", TRUE, NULL);
}

void
cs_compat_alert_add_response (GtkWidget  *alert,
                              const char *id,
                              const char *label,
                              gboolean    destructive)
{
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (alert), id, label);
  if (destructive)
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (alert), id, ADW_RESPONSE_DESTRUCTIVE);
}

void
cs_compat_alert_set_cancel (GtkWidget  *alert,
                            const char *id)
{
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (alert), id);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (alert), id);
}

void
cs_compat_alert_present (GtkWidget *alert,
                         GtkWidget *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (alert), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (alert));
}

GtkWidget *
cs_compat_alert_find_shown (const char *css_class)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data)
        && (css_class == NULL || gtk_widget_has_css_class (l->data, css_class)))
      return l->data;
  return NULL;
}

const char *
cs_compat_alert_get_heading (GtkWidget *alert)
{
  return adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (alert));
}

const char *
cs_compat_alert_get_body (GtkWidget *alert)
{
  return adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (alert));
}

void
cs_compat_alert_respond (GtkWidget  *alert,
                         const char *id)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (alert), id);
}

#endif /* libadwaita < 1.5 */

/* ------------------------------------------------------------------ */
/* Choosing a file                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
  CsCompatFileChosen callback;
  gpointer           user_data;
  GDestroyNotify     destroy;
} ChooseData;

static void
choose_data_free (ChooseData *data)
{
  if (data->destroy != NULL)
    data->destroy (data->user_data);
  g_free (data);
}

static GtkWindow *
parent_window (GtkWidget *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_file_dialog_done_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ChooseData *data = user_data;
  g_autoptr(GFile) file = NULL;

  if (g_object_get_data (source, "folder") != NULL)
    file = gtk_file_dialog_select_folder_finish (GTK_FILE_DIALOG (source), result, NULL);
  else
    file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (source), result, NULL);
  /* a cancel or a dismissal is no error to report */
  if (file != NULL)
    data->callback (file, data->user_data);
  choose_data_free (data);
}

void
cs_compat_choose_file (GtkWidget          *parent,
                       const char         *title,
                       gboolean            folder,
                       GtkFileFilter      *filter,
                       CsCompatFileChosen  callback,
                       gpointer            user_data,
                       GDestroyNotify      destroy)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  ChooseData *data = g_new0 (ChooseData, 1);

  data->callback = callback;
  data->user_data = user_data;
  data->destroy = destroy;
  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, _("_Select"));
  gtk_file_dialog_set_modal (dialog, TRUE);
  if (filter != NULL)
    {
      g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);

      g_list_store_append (filters, filter);
      gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
      gtk_file_dialog_set_default_filter (dialog, filter);
    }
  if (folder)
    {
      g_object_set_data (G_OBJECT (dialog), "folder", GINT_TO_POINTER (TRUE));
      gtk_file_dialog_select_folder (dialog, parent_window (parent), NULL, on_file_dialog_done_cb, data);
    }
  else
    gtk_file_dialog_open (dialog, parent_window (parent), NULL, on_file_dialog_done_cb, data);
}

#else /* GTK < 4.10 */

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        gpointer         user_data)
{
  ChooseData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        data->callback (file, data->user_data);
    }
  choose_data_free (data);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
cs_compat_choose_file (GtkWidget          *parent,
                       const char         *title,
                       gboolean            folder,
                       GtkFileFilter      *filter,
                       CsCompatFileChosen  callback,
                       gpointer            user_data,
                       GDestroyNotify      destroy)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, parent_window (parent),
                                 folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                 _("_Select"), _("_Cancel"));
  ChooseData *data = g_new0 (ChooseData, 1);

  data->callback = callback;
  data->user_data = user_data;
  data->destroy = destroy;
  if (filter != NULL)
    {
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

#endif /* GTK < 4.10 */

/* Without a portal both GtkFileDialog and GtkFileChooserNative show a
 * GtkFileChooserDialog: driving it needs the GtkFileChooser API, which
 * GTK 4.10 deprecated; the tests reach it only through here. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

GtkWidget *
cs_compat_chooser_find_shown (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

GtkFileFilter *
cs_compat_chooser_get_filter (GtkWidget *chooser)
{
  return gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
}

GFile *
cs_compat_chooser_get_file (GtkWidget *chooser)
{
  return gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
}

gboolean
cs_compat_chooser_set_file (GtkWidget *chooser,
                            GFile     *file)
{
  return gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL);
}

void
cs_compat_chooser_accept (GtkWidget *chooser)
{
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
}

G_GNUC_END_IGNORE_DEPRECATIONS

/* ------------------------------------------------------------------ */
/* About                                                                */
/* ------------------------------------------------------------------ */

void
cs_compat_show_about (GtkWindow  *parent,
                      const char *first_property_name,
                      ...)
{
  va_list args;
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *about = adw_about_dialog_new ();

  va_start (args, first_property_name);
  g_object_set_valist (G_OBJECT (about), first_property_name, args);
  va_end (args);
  adw_dialog_present (about, GTK_WIDGET (parent));
#else
  GtkWidget *about = adw_about_window_new ();

  va_start (args, first_property_name);
  g_object_set_valist (G_OBJECT (about), first_property_name, args);
  va_end (args);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_present (GTK_WINDOW (about));
#endif
}

/* ------------------------------------------------------------------ */
/* Preferences                                                          */
/* ------------------------------------------------------------------ */

#if ADW_CHECK_VERSION (1, 5, 0)

GType
cs_compat_preferences_parent_get_type (void)
{
  return ADW_TYPE_PREFERENCES_DIALOG;
}

void
cs_compat_preferences_present (GtkWidget *prefs,
                               GtkWidget *parent)
{
  adw_dialog_set_content_width (ADW_DIALOG (prefs), 640);
  adw_dialog_set_content_height (ADW_DIALOG (prefs), 640);
  adw_dialog_present (ADW_DIALOG (prefs), parent);
}

void
cs_compat_preferences_close (GtkWidget *prefs)
{
  adw_dialog_force_close (ADW_DIALOG (prefs));
}

void
cs_compat_preferences_add_toast (GtkWidget *prefs,
                                 AdwToast  *toast)
{
  adw_preferences_dialog_add_toast (ADW_PREFERENCES_DIALOG (prefs), toast);
}

void
cs_compat_preferences_set_visible_page (GtkWidget          *prefs,
                                        AdwPreferencesPage *page)
{
  adw_preferences_dialog_set_visible_page (ADW_PREFERENCES_DIALOG (prefs), page);
}

const char *
cs_compat_preferences_get_visible_page_name (GtkWidget *prefs)
{
  return adw_preferences_dialog_get_visible_page_name (ADW_PREFERENCES_DIALOG (prefs));
}

GtkWidget *
cs_compat_find_shown (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      AdwDialog *dialog = NULL;

      if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
        return l->data;
      if (ADW_IS_APPLICATION_WINDOW (l->data))
        dialog = adw_application_window_get_visible_dialog (l->data);
      else if (ADW_IS_WINDOW (l->data))
        dialog = adw_window_get_visible_dialog (l->data);
      if (dialog != NULL && G_TYPE_CHECK_INSTANCE_TYPE (dialog, type))
        return GTK_WIDGET (dialog);
    }
  return NULL;
}

#else /* libadwaita < 1.5 */

GType
cs_compat_preferences_parent_get_type (void)
{
  return ADW_TYPE_PREFERENCES_WINDOW;
}

void
cs_compat_preferences_present (GtkWidget *prefs,
                               GtkWidget *parent)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;

  gtk_window_set_modal (GTK_WINDOW (prefs), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (prefs), 640, 640);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (prefs));
}

void
cs_compat_preferences_close (GtkWidget *prefs)
{
  gtk_window_destroy (GTK_WINDOW (prefs));
}

void
cs_compat_preferences_add_toast (GtkWidget *prefs,
                                 AdwToast  *toast)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (prefs), toast);
}

void
cs_compat_preferences_set_visible_page (GtkWidget          *prefs,
                                        AdwPreferencesPage *page)
{
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), page);
}

const char *
cs_compat_preferences_get_visible_page_name (GtkWidget *prefs)
{
  return adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (prefs));
}

GtkWidget *
cs_compat_find_shown (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

#endif /* libadwaita < 1.5 */

/* ------------------------------------------------------------------ */
/* The window's split and the photo's details                          */
/* ------------------------------------------------------------------ */

/* `widget` out of its parent (a GtkBox in the .ui files), with a
 * reference for the caller. */
static GtkWidget *
take_from_parent (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  g_object_ref (widget);
  if (GTK_IS_BOX (parent))
    gtk_box_remove (GTK_BOX (parent), widget);
  else if (parent != NULL)
    gtk_widget_unparent (widget);
  return widget;
}

#if ADW_CHECK_VERSION (1, 4, 0)

GtkWidget *
cs_compat_toolbar_view_from_box (GtkWidget *box)
{
  GtkWidget *header = gtk_widget_get_first_child (box);
  GtkWidget *view = adw_toolbar_view_new ();

  g_object_ref (header);
  gtk_box_remove (GTK_BOX (box), header);
  adw_toolbar_view_add_top_bar (ADW_TOOLBAR_VIEW (view), header);
  g_object_unref (header);
  adw_toolbar_view_set_content (ADW_TOOLBAR_VIEW (view), box);
  return view;
}

/* A breakpoint bin around `child` whose one breakpoint, below `width`
 * px, sets `first_property` ... on `target`.  A breakpoint bin needs a
 * minimum size of its own (its child's is not asked for). */
static GtkWidget *
breakpoint_bin_new (GtkWidget  *child,
                    int         width,
                    int         min_width,
                    int         min_height,
                    GObject    *target,
                    const char *first_property,
                    ...)
{
  GtkWidget *bin = adw_breakpoint_bin_new ();
  AdwBreakpointCondition *condition =
    adw_breakpoint_condition_new_length (ADW_BREAKPOINT_CONDITION_MAX_WIDTH, width - 1, ADW_LENGTH_UNIT_PX);
  AdwBreakpoint *breakpoint = adw_breakpoint_new (condition);
  va_list args;

  va_start (args, first_property);
  for (const char *name = first_property; name != NULL; name = va_arg (args, const char *))
    {
      GValue value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, va_arg (args, gboolean));
      adw_breakpoint_add_setter (breakpoint, target, name, &value);
      g_value_unset (&value);
    }
  va_end (args);
  adw_breakpoint_bin_add_breakpoint (ADW_BREAKPOINT_BIN (bin), breakpoint);
  adw_breakpoint_bin_set_child (ADW_BREAKPOINT_BIN (bin), child);
  gtk_widget_set_size_request (bin, min_width, min_height);
  return bin;
}

static AdwNavigationSplitView *
navigation_split (GtkWidget *split)
{
  return ADW_NAVIGATION_SPLIT_VIEW (adw_breakpoint_bin_get_child (ADW_BREAKPOINT_BIN (split)));
}

GtkWidget *
cs_compat_split_view_new (GtkWidget  *sidebar,
                          const char *sidebar_title,
                          GtkWidget  *content,
                          const char *content_title,
                          GtkWidget  *back_button,
                          int         sidebar_width,
                          int         content_width)
{
  g_autoptr(GtkWidget) side = take_from_parent (sidebar);
  g_autoptr(GtkWidget) main = take_from_parent (content);
  AdwNavigationSplitView *split = ADW_NAVIGATION_SPLIT_VIEW (adw_navigation_split_view_new ());

  /* the header bar's own back button does this in a split view */
  gtk_widget_set_visible (back_button, FALSE);
  adw_navigation_split_view_set_sidebar (split, adw_navigation_page_new (cs_compat_toolbar_view_from_box (side),
                                                                         sidebar_title));
  adw_navigation_split_view_set_content (split, adw_navigation_page_new (cs_compat_toolbar_view_from_box (main),
                                                                         content_title));
  adw_navigation_split_view_set_min_sidebar_width (split, sidebar_width);
  adw_navigation_split_view_set_max_sidebar_width (split, sidebar_width);
  adw_navigation_split_view_set_show_content (split, TRUE);
  return breakpoint_bin_new (GTK_WIDGET (split), sidebar_width + content_width, content_width, 240,
                             G_OBJECT (split), "collapsed", TRUE, NULL);
}

gboolean
cs_compat_split_view_get_collapsed (GtkWidget *split)
{
  return adw_navigation_split_view_get_collapsed (navigation_split (split));
}

void
cs_compat_split_view_show_content (GtkWidget *split,
                                   gboolean   show_content)
{
  adw_navigation_split_view_set_show_content (navigation_split (split), show_content);
}

void
cs_compat_split_view_connect_collapsed (GtkWidget *split,
                                        GCallback  callback,
                                        gpointer   gobject)
{
  g_signal_connect_object (navigation_split (split), "notify::collapsed", callback, gobject, 0);
}

GtkWidget *
cs_compat_overlay_split_new (GtkWidget       *content,
                             GtkWidget       *sidebar,
                             GtkToggleButton *toggle,
                             int              sidebar_width,
                             int              content_width)
{
  g_autoptr(GtkWidget) side = take_from_parent (sidebar);
  g_autoptr(GtkWidget) main = take_from_parent (content);
  AdwOverlaySplitView *split = ADW_OVERLAY_SPLIT_VIEW (adw_overlay_split_view_new ());

  adw_overlay_split_view_set_sidebar_position (split, GTK_PACK_END);
  adw_overlay_split_view_set_enable_show_gesture (split, FALSE);
  adw_overlay_split_view_set_min_sidebar_width (split, sidebar_width);
  adw_overlay_split_view_set_max_sidebar_width (split, sidebar_width);
  adw_overlay_split_view_set_content (split, main);
  adw_overlay_split_view_set_sidebar (split, side);
  g_object_bind_property (split, "show-sidebar", toggle, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  /* narrow: over the photo, and only when asked for */
  return breakpoint_bin_new (GTK_WIDGET (split), sidebar_width + content_width, 200, 200,
                             G_OBJECT (split), "collapsed", TRUE, "show-sidebar", FALSE, NULL);
}

gboolean
cs_compat_overlay_split_get_collapsed (GtkWidget *split)
{
  AdwOverlaySplitView *view = ADW_OVERLAY_SPLIT_VIEW (adw_breakpoint_bin_get_child (ADW_BREAKPOINT_BIN (split)));

  return adw_overlay_split_view_get_collapsed (view);
}

#else /* libadwaita < 1.4 */

GtkWidget *
cs_compat_toolbar_view_from_box (GtkWidget *box)
{
  return box;
}

GtkWidget *
cs_compat_split_view_new (GtkWidget  *sidebar,
                          const char *sidebar_title,
                          GtkWidget  *content,
                          const char *content_title,
                          GtkWidget  *back_button,
                          int         sidebar_width,
                          int         content_width)
{
  g_autoptr(GtkWidget) side = take_from_parent (sidebar);
  g_autoptr(GtkWidget) main = take_from_parent (content);
  GtkWidget *leaflet = adw_leaflet_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *separator = gtk_separator_new (GTK_ORIENTATION_VERTICAL);

  adw_leaflet_set_can_navigate_back (ADW_LEAFLET (leaflet), TRUE);
  adw_leaflet_set_fold_threshold_policy (ADW_LEAFLET (leaflet), ADW_FOLD_THRESHOLD_POLICY_MINIMUM);
  /* The sidebar's natural width follows its longest label name, and its
   * rows' expanding labels would make it take a share of a wide window:
   * the clamp gives it one width, and it does not expand. */
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), sidebar_width);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), sidebar_width);
  adw_clamp_set_child (ADW_CLAMP (clamp), side);
  gtk_widget_set_size_request (clamp, sidebar_width, -1);
  gtk_widget_set_hexpand (clamp, FALSE);
  /* folds below sidebar + content, as the breakpoint does */
  gtk_widget_set_size_request (main, content_width, -1);
  gtk_widget_set_hexpand (main, TRUE);
  gtk_widget_add_css_class (separator, "sidebar");
  adw_leaflet_append (ADW_LEAFLET (leaflet), clamp);
  adw_leaflet_page_set_navigatable (adw_leaflet_append (ADW_LEAFLET (leaflet), separator), FALSE);
  adw_leaflet_append (ADW_LEAFLET (leaflet), main);
  adw_leaflet_set_visible_child (ADW_LEAFLET (leaflet), main);
  g_object_set_data (G_OBJECT (leaflet), "cs-sidebar", clamp);
  g_object_set_data (G_OBJECT (leaflet), "cs-content", main);

  g_object_bind_property (leaflet, "folded", back_button, "visible", G_BINDING_SYNC_CREATE);
  g_object_bind_property (leaflet, "folded", gtk_widget_get_first_child (side), "show-end-title-buttons",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (leaflet, "folded", gtk_widget_get_first_child (main), "show-start-title-buttons",
                          G_BINDING_SYNC_CREATE);
  return leaflet;
}

gboolean
cs_compat_split_view_get_collapsed (GtkWidget *split)
{
  return adw_leaflet_get_folded (ADW_LEAFLET (split));
}

void
cs_compat_split_view_show_content (GtkWidget *split,
                                   gboolean   show_content)
{
  adw_leaflet_set_visible_child (ADW_LEAFLET (split),
                                 g_object_get_data (G_OBJECT (split), show_content ? "cs-content" : "cs-sidebar"));
}

void
cs_compat_split_view_connect_collapsed (GtkWidget *split,
                                        GCallback  callback,
                                        gpointer   gobject)
{
  g_signal_connect_object (split, "notify::folded", callback, gobject, 0);
}

GtkWidget *
cs_compat_overlay_split_new (GtkWidget       *content,
                             GtkWidget       *sidebar,
                             GtkToggleButton *toggle,
                             int              sidebar_width,
                             int              content_width)
{
  g_autoptr(GtkWidget) side = take_from_parent (sidebar);
  g_autoptr(GtkWidget) main = take_from_parent (content);
  GtkWidget *flap = adw_flap_new ();

  adw_flap_set_flap_position (ADW_FLAP (flap), GTK_PACK_END);
  adw_flap_set_swipe_to_open (ADW_FLAP (flap), FALSE);
  adw_flap_set_fold_threshold_policy (ADW_FLAP (flap), ADW_FOLD_THRESHOLD_POLICY_MINIMUM);
  /* folds (over the photo) below sidebar + content: the photo keeps
   * most of a narrow window */
  gtk_widget_set_size_request (main, content_width, -1);
  gtk_widget_set_size_request (side, sidebar_width, -1);
  adw_flap_set_content (ADW_FLAP (flap), main);
  adw_flap_set_flap (ADW_FLAP (flap), side);
  adw_flap_set_separator (ADW_FLAP (flap), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  g_object_bind_property (flap, "reveal-flap", toggle, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  return flap;
}

gboolean
cs_compat_overlay_split_get_collapsed (GtkWidget *split)
{
  return adw_flap_get_folded (ADW_FLAP (split));
}

#endif /* libadwaita < 1.4 */

void
cs_compat_leaflet_navigate (GtkWidget              *split,
                            AdwNavigationDirection  direction)
{
  cs_compat_split_view_show_content (split, direction == ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
cs_compat_calendar_set_date (GtkCalendar *calendar,
                             GDateTime   *date)
{
#if GTK_CHECK_VERSION (4, 20, 0)
  gtk_calendar_set_date (calendar, date);
#else
  gtk_calendar_select_day (calendar, date);
#endif
}
