/* cs-export-dialog.c - "Export Album": a label's photos to a folder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built in code: two choices and a button do not need a template.  The
 * export outlives the dialog (it closes when the folder is chosen): the
 * job holds the window, whose toast reports it.
 */
#define G_LOG_DOMAIN "cs-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compat.h"
#include "cs-export.h"
#include "cs-export-dialog.h"
#include "cs-label-names.h"
#include "cs-markup.h"
#include "cs-window-private.h"

struct _CsExportDialog {
  AdwWindow       parent_instance;

  CsWindow       *window;
  CsLabel        *label;
  GtkCheckButton *links_button;
  GtkCheckButton *copies_button;
  GtkSwitch      *sidecars_switch;
};

G_DEFINE_FINAL_TYPE (CsExportDialog, cs_export_dialog, ADW_TYPE_WINDOW)

/* One export, from the folder chosen to the toast. */
typedef struct {
  CsWindow *window;
  char     *album;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->window);
  g_free (export->album);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

/* Whether we run in a Flatpak: there the photos' paths may be the
 * document portal's, which links would carry to a host that cannot
 * follow them. */
static gboolean
sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
on_folder_opened_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CsWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    _cs_window_toast (window, error->message);
}

static void
on_open_folder_clicked_cb (AdwToast *toast,
                           CsWindow *window)
{
  const char *folder = g_object_get_data (G_OBJECT (toast), "folder");
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GAppLaunchContext) context =
    G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (window))));

  /* through the OpenURI portal in a sandbox */
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_folder_opened_cb, g_object_ref (window));
}

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsExportReport) report = cs_library_export_label_finish (CS_LIBRARY (source), result, &error);
  g_autofree char *text = NULL;
  g_autofree char *folder_name = NULL;
  guint n_there, n_failed;
  AdwToast *toast;

  if (report == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cs_window_toast (export->window, error->message);
      return;
    }
  n_there = cs_export_report_count (report, CS_EXPORT_ADDED) + cs_export_report_count (report, CS_EXPORT_PRESENT);
  n_failed = cs_export_report_count (report, CS_EXPORT_FAILED);
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    {
      const GError *e = cs_export_report_get_error (report, i);
      const GError *se = cs_export_report_get_sidecar_error (report, i);

      /* the details for whoever looks; the toast has the counts */
      if (e != NULL || se != NULL)
        g_message ("export of “%s”: %s", export->album, e != NULL ? e->message : se->message);
    }
  folder_name = g_filename_display_basename (cs_export_report_get_folder (report));
  if (n_failed == 0 && cs_export_report_count_sidecar_failures (report) == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo of “%s” in “%s”",
                                         "%u photos of “%s” in “%s”", n_there),
                            n_there, export->album, folder_name);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo of “%s” in “%s”, some could not be exported",
                                         "%u photos of “%s” in “%s”, some could not be exported", n_there),
                            n_there, export->album, folder_name);
  toast = cs_toast_new_text (text);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  adw_toast_set_timeout (toast, 10);
  g_object_set_data_full (G_OBJECT (toast), "folder", g_strdup (cs_export_report_get_folder (report)), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_open_folder_clicked_cb), export->window, 0);
  adw_toast_overlay_add_toast (export->window->toast_overlay, toast);
}

static void
on_folder_chosen (GFile    *folder,
                  gpointer  user_data)
{
  CsExportDialog *self = user_data;
  g_autofree char *path = g_file_get_path (folder);
  CsLibrary *library = cs_application_get_library (self->window->app);
  CsExportFlags flags = CS_EXPORT_LINKS;
  Export *export;

  if (path == NULL)
    {
      _cs_window_toast (self->window, _("Albums can only be exported to a local folder"));
      return;
    }
  if (gtk_check_button_get_active (self->copies_button))
    flags |= CS_EXPORT_COPIES;
  if (gtk_switch_get_active (self->sidecars_switch))
    flags |= CS_EXPORT_SIDECARS;
  export = g_new0 (Export, 1);
  export->window = g_object_ref (self->window);
  export->album = g_strdup (cs_label_name_for_display (cs_label_get_name (self->label)));
  cs_library_export_label_async (library, self->label, path, export->album, flags,
                                 self->window->cancellable, on_exported_cb, export);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_choose_clicked_cb (GtkButton      *button,
                      CsExportDialog *self)
{
  /* the dialog stays until a folder is chosen: cancelling the chooser
   * comes back to it */
  cs_compat_choose_file (GTK_WIDGET (self), _("Choose a Folder for the Album"), TRUE, NULL,
                         on_folder_chosen, g_object_ref (self), g_object_unref);
}

static void
cs_export_dialog_dispose (GObject *object)
{
  CsExportDialog *self = CS_EXPORT_DIALOG (object);

  g_clear_object (&self->window);
  g_clear_object (&self->label);
  G_OBJECT_CLASS (cs_export_dialog_parent_class)->dispose (object);
}

static void
cs_export_dialog_class_init (CsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_export_dialog_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
check_row (const char     *title,
           const char     *subtitle,
           GtkCheckButton *check)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (GTK_WIDGET (check), GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), GTK_WIDGET (check));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (check));
  return row;
}

static void
cs_export_dialog_init (CsExportDialog *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *how = adw_preferences_group_new ();
  GtkWidget *with = adw_preferences_group_new ();
  GtkWidget *sidecars_row = adw_action_row_new ();
  GtkWidget *choose = gtk_button_new_with_mnemonic (_("_Choose Folder…"));

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);

  gtk_widget_add_css_class (choose, "suggested-action");
  g_signal_connect (choose, "clicked", G_CALLBACK (on_choose_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), choose);
  gtk_box_append (GTK_BOX (toolbar), header);

  self->links_button = GTK_CHECK_BUTTON (gtk_check_button_new ());
  self->copies_button = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_check_button_set_group (self->copies_button, self->links_button);
  /* in a sandbox the photos' paths may be the document portal's, and
   * links to them would not open outside it: copies there */
  gtk_check_button_set_active (sandboxed () ? self->copies_button : self->links_button, TRUE);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (how), _("Photos"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (how),
                             check_row (_("_Links"), _("Take no space; the photos stay where they are"),
                                        self->links_button));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (how),
                             check_row (_("C_opies"), _("For a folder that leaves this computer"),
                                        self->copies_button));

  self->sidecars_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_switch_set_active (self->sidecars_switch, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->sidecars_switch), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (sidecars_row), _("_XMP Sidecars"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (sidecars_row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (sidecars_row),
                               _("digiKam, darktable and other photo managers see the album as a tag"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (sidecars_row), GTK_WIDGET (self->sidecars_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (sidecars_row), GTK_WIDGET (self->sidecars_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (with), sidecars_row);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (how));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (with));
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (toolbar), page);
  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

CsExportDialog *
cs_export_dialog_present (GtkWidget *parent,
                          CsLabel   *label)
{
  CsExportDialog *self;
  g_autofree char *title = NULL;
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (parent), NULL);
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);
  root = gtk_widget_get_root (parent);
  g_return_val_if_fail (CS_IS_WINDOW (root), NULL);

  self = g_object_new (CS_TYPE_EXPORT_DIALOG, NULL);
  self->window = g_object_ref (CS_WINDOW (root));
  self->label = g_object_ref (label);
  title = g_strdup_printf (_("Export “%s”"), cs_label_name_for_display (cs_label_get_name (label)));
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
