/* cs-welcome-page.c - the first run: a folder of photos and the model.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-welcome-page.h"

struct _CsWelcomePage {
  GtkWidget       parent_instance;

  AdwActionRow   *folder_row;
  AdwActionRow   *model_row;
  GtkStack       *model_button_stack;
  GtkProgressBar *model_progress;
  GtkLabel       *model_error_label;
  GtkButton      *start_button;

  CsApplication  *app;             /* borrowed: the app outlives its windows */
  CsModelManager *model_manager;
  GSettings      *settings;
  char           *folder;
};

G_DEFINE_FINAL_TYPE (CsWelcomePage, cs_welcome_page, GTK_TYPE_WIDGET)

static void
update (CsWelcomePage *self)
{
  CsModelState state = cs_model_manager_get_state (self->model_manager);
  const char *model_dir = cs_application_get_model_dir (self->app);
  const char *error = cs_model_manager_get_error_message (self->model_manager);
  const char *const *folders = cs_indexer_get_folders (cs_application_get_indexer (self->app), FALSE);

  if (state == CS_MODEL_STATE_DOWNLOADING)
    {
      guint64 done = cs_model_manager_get_bytes_done (self->model_manager);
      guint64 total = cs_model_manager_get_bytes_total (self->model_manager);
      g_autofree char *d = g_format_size (done);
      g_autofree char *t = g_format_size (total);
      g_autofree char *text = total > 0 ? g_strdup_printf (_("%s of %s"), d, t) : g_strdup (d);

      gtk_stack_set_visible_child_name (self->model_button_stack, "downloading");
      adw_action_row_set_subtitle (self->model_row, _("Downloading…"));
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), TRUE);
      gtk_progress_bar_set_fraction (self->model_progress, cs_model_manager_get_fraction (self->model_manager));
      gtk_progress_bar_set_text (self->model_progress, text);
    }
  else if (model_dir != NULL)
    {
      g_autofree char *display = g_filename_display_name (model_dir);
      g_autofree char *name = g_filename_display_basename (model_dir);
      gtk_stack_set_visible_child_name (self->model_button_stack, "ready");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->model_row), name);
      adw_action_row_set_subtitle (self->model_row, display);
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), FALSE);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->model_button_stack, "absent");
      adw_action_row_set_subtitle (self->model_row,
                                   state == CS_MODEL_STATE_FAILED ? _("Download failed")
                                                                  : _("Not downloaded yet"));
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->model_error_label), error != NULL && model_dir == NULL);
  gtk_label_set_label (self->model_error_label, error != NULL ? error : "");
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button),
                            model_dir != NULL && (self->folder != NULL || folders[0] != NULL));
}

static void
update_folder (CsWelcomePage *self)
{
  if (self->folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->folder);
      adw_action_row_set_subtitle (self->folder_row, display);
    }
  else
    adw_action_row_set_subtitle (self->folder_row, _("None chosen"));
  update (self);
}

static void
on_model_notify_cb (GObject       *object,
                    GParamSpec    *pspec,
                    CsWelcomePage *self)
{
  update (self);
}

static void
on_folders_changed_cb (CsIndexer     *indexer,
                       CsWelcomePage *self)
{
  update (self);
}

static void
cs_welcome_page_dispose (GObject *object)
{
  CsWelcomePage *self = CS_WELCOME_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->model_manager);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WELCOME_PAGE);
  /* the template's root is bound to no field: unparented by hand */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cs_welcome_page_parent_class)->dispose (object);
}

static void
cs_welcome_page_finalize (GObject *object)
{
  CsWelcomePage *self = CS_WELCOME_PAGE (object);

  g_clear_pointer (&self->folder, g_free);
  G_OBJECT_CLASS (cs_welcome_page_parent_class)->finalize (object);
}

static void
cs_welcome_page_class_init (CsWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_welcome_page_dispose;
  object_class->finalize = cs_welcome_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clipsight/Clipsight/ui/cs-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_row);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_progress);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_error_label);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, start_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cs_welcome_page_init (CsWelcomePage *self)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  gtk_widget_init_template (GTK_WIDGET (self));
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    self->folder = g_strdup (pictures);
}

void
cs_welcome_page_set_application (CsWelcomePage *self,
                                 CsApplication *application)
{
  g_return_if_fail (CS_IS_WELCOME_PAGE (self));
  g_return_if_fail (CS_IS_APPLICATION (application));
  g_return_if_fail (self->app == NULL);

  self->app = application;
  self->model_manager = g_object_ref (cs_application_get_model_manager (application));
  self->settings = g_object_ref (cs_application_get_settings (application));
  g_signal_connect_object (application, "notify::model-dir", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (self->model_manager, "notify", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (cs_application_get_indexer (application), "folders-changed",
                           G_CALLBACK (on_folders_changed_cb), self, 0);
  update_folder (self);
}

const char *
cs_welcome_page_get_folder (CsWelcomePage *self)
{
  g_return_val_if_fail (CS_IS_WELCOME_PAGE (self), NULL);
  return self->folder;
}

void
cs_welcome_page_set_folder (CsWelcomePage *self,
                            const char    *path)
{
  g_return_if_fail (CS_IS_WELCOME_PAGE (self));
  g_free (self->folder);
  self->folder = path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
  if (self->app != NULL)
    update_folder (self);
}
