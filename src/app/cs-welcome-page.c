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
  GtkButton      *folder_button;
  AdwComboRow    *model_row;
  GtkStack       *model_button_stack;
  GtkButton      *download_button;
  GtkProgressBar *model_progress;
  GtkLabel       *model_error_label;
  GtkButton      *start_button;
  GtkLabel       *start_hint;

  CsApplication  *app;             /* borrowed: the app outlives its windows */
  CsModelManager *model_manager;   /* the default pin's: the application's */
  GSettings      *settings;
  char           *folder;

  /* The model row's items: the pins that can be downloaded, then the
   * model folder in use when it is none of theirs, then "Use a Model
   * Folder…".  `choices` holds a CsModelPin* per pin item. */
  GtkStringList  *model_items;
  GPtrArray      *choices;
  guint           chosen;          /* the item last chosen (never "Use…") */
  gboolean        rebuilding;
};

G_DEFINE_FINAL_TYPE (CsWelcomePage, cs_welcome_page, GTK_TYPE_WIDGET)

/* The pins' managers are the process's own (cs_model_manager_get_for_pin),
 * shared with Preferences: one download of a pin at a time. */
static CsModelManager *
manager_for_pin (CsWelcomePage    *self,
                 const CsModelPin *pin)
{
  return cs_model_manager_get_for_pin (pin, self->model_manager);
}

static const CsModelPin *
chosen_pin (CsWelcomePage *self)
{
  return self->chosen < self->choices->len ? self->choices->pdata[self->chosen] : NULL;
}

static void update (CsWelcomePage *self);

/* The row's items again, after the model folder changed: the folder in
 * use gets an item of its own when no pin is it. */
static void
rebuild_model_items (CsWelcomePage *self)
{
  const char *model_dir = cs_application_get_model_dir (self->app);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model_items));
  g_autofree char *folder_name = NULL;
  const char *items[3] = { NULL, };
  guint n = 0;
  gboolean pin_current = FALSE;

  /* the folder item goes with the folder: back to the first pin */
  if (self->chosen >= self->choices->len)
    self->chosen = 0;
  for (guint i = 0; i < self->choices->len; i++)
    if (cs_model_pin_is_current (self->choices->pdata[i], model_dir))
      {
        self->chosen = i;
        pin_current = TRUE;
      }
  if (model_dir != NULL && !pin_current)
    {
      folder_name = g_filename_display_basename (model_dir);
      items[n++] = folder_name;
      self->chosen = self->choices->len;
    }
  items[n++] = _("Use a Model Folder…");

  self->rebuilding = TRUE;
  gtk_string_list_splice (self->model_items, self->choices->len, n_items - self->choices->len, items);
  adw_combo_row_set_selected (self->model_row, self->chosen);
  self->rebuilding = FALSE;
}

static void
update (CsWelcomePage *self)
{
  const CsModelPin *pin = chosen_pin (self);
  CsModelManager *manager = pin != NULL ? manager_for_pin (self, pin) : NULL;
  CsModelState state = manager != NULL ? cs_model_manager_get_state (manager) : CS_MODEL_STATE_ABSENT;
  const char *model_dir = cs_application_get_model_dir (self->app);
  const char *error = manager != NULL ? cs_model_manager_get_error_message (manager) : NULL;
  const char *const *folders = cs_indexer_get_folders (cs_application_get_indexer (self->app), FALSE);
  gboolean have_folder = self->folder != NULL || folders[0] != NULL;
  /* the item shown is the library's model, ready to use */
  gboolean ready = model_dir != NULL && (pin == NULL || cs_model_pin_is_current (pin, model_dir));

  if (state == CS_MODEL_STATE_DOWNLOADING)
    {
      guint64 done = cs_model_manager_get_bytes_done (manager);
      guint64 total = cs_model_manager_get_bytes_total (manager);
      g_autofree char *d = g_format_size (done);
      g_autofree char *t = g_format_size (total);
      g_autofree char *text = total > 0 ? g_strdup_printf (_("%s of %s"), d, t) : g_strdup (d);

      gtk_stack_set_visible_child_name (self->model_button_stack, "downloading");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->model_row), _("Downloading…"));
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), TRUE);
      gtk_progress_bar_set_fraction (self->model_progress, cs_model_manager_get_fraction (manager));
      gtk_progress_bar_set_text (self->model_progress, text);
    }
  else if (ready)
    {
      g_autofree char *display = g_filename_display_name (model_dir);
      gtk_stack_set_visible_child_name (self->model_button_stack, "ready");
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->model_row), display);
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), FALSE);
    }
  else if (pin != NULL)
    {
      g_autofree char *size = g_format_size (cs_model_pin_download_size (pin));
      g_autofree char *text = NULL;

      if (state == CS_MODEL_STATE_FAILED)
        text = g_strdup (_("Download failed"));
      else
        /* TRANSLATORS: %s is a size, "600 MB" */
        text = g_strdup_printf (pin->languages == CS_MODEL_LANGUAGES_MULTILINGUAL
                                  ? _("Not downloaded yet · %s · understands many languages")
                                  : _("Not downloaded yet · %s · understands English"), size);
      gtk_stack_set_visible_child_name (self->model_button_stack, "absent");
      /* after a failure the same button tries again, and says so */
      gtk_button_set_label (self->download_button,
                            state == CS_MODEL_STATE_FAILED ? _("_Try Again") : _("_Download"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->model_row), text);
      gtk_widget_set_visible (GTK_WIDGET (self->model_progress), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->model_error_label), error != NULL && !ready);
  gtk_label_set_label (self->model_error_label, error != NULL ? error : "");

  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), ready && have_folder);
  /* Start is always in view; when it cannot act, it says why */
  if (!have_folder)
    gtk_label_set_label (self->start_hint, _("Choose a photo folder to start."));
  else if (!ready)
    gtk_label_set_label (self->start_hint, _("Download a model or use a model folder to start."));
  else
    gtk_label_set_label (self->start_hint, "");
  gtk_widget_set_visible (GTK_WIDGET (self->start_hint), !(ready && have_folder));
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
  /* nothing to change yet: the button chooses */
  gtk_button_set_label (self->folder_button, self->folder != NULL ? _("_Change…") : _("_Choose…"));
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
on_model_dir_notify_cb (GObject       *object,
                        GParamSpec    *pspec,
                        CsWelcomePage *self)
{
  rebuild_model_items (self);
  update (self);
}

static void
on_folders_changed_cb (CsIndexer     *indexer,
                       CsWelcomePage *self)
{
  update (self);
}

static void
on_model_selected_cb (GObject       *object,
                      GParamSpec    *pspec,
                      CsWelcomePage *self)
{
  guint selected = adw_combo_row_get_selected (self->model_row);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model_items));
  const CsModelPin *pin;

  if (self->rebuilding || selected == GTK_INVALID_LIST_POSITION)
    return;
  if (selected == n_items - 1)
    {
      /* "Use a Model Folder…" is a command, not a state: the row goes back
       * to what it showed, and shows the folder once one is chosen */
      self->rebuilding = TRUE;
      adw_combo_row_set_selected (self->model_row, self->chosen);
      self->rebuilding = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.choose-model", NULL);
      return;
    }
  self->chosen = selected;
  pin = chosen_pin (self);
  /* a pin already downloaded is used at once */
  if (pin != NULL && cs_model_manager_get_state (manager_for_pin (self, pin)) == CS_MODEL_STATE_READY)
    cs_application_set_model_dir (self->app, cs_model_manager_get_target_dir (manager_for_pin (self, pin)));
  update (self);
}

static void
on_download_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CsWelcomePage) self = user_data;
  g_autoptr(GError) error = NULL;
  CsModelManager *manager = CS_MODEL_MANAGER (source);

  /* the error is shown from the manager's "error-message" */
  if (!cs_model_manager_download_finish (manager, result, &error) || self->app == NULL)
    return;
  /* the pin still chosen becomes the library's model (the application
   * takes the default pin's by itself, unless another was chosen) */
  if (self->chosen < self->choices->len && manager_for_pin (self, chosen_pin (self)) == manager)
    cs_application_set_model_dir (self->app, cs_model_manager_get_target_dir (manager));
}

static void
download_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  CsWelcomePage *self = CS_WELCOME_PAGE (widget);
  const CsModelPin *pin = chosen_pin (self);

  if (pin == NULL || self->app == NULL)
    return;
  cs_model_manager_download_async (manager_for_pin (self, pin), NULL, on_download_done_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CsWelcomePage *self = CS_WELCOME_PAGE (widget);
  const CsModelPin *pin = chosen_pin (self);

  if (pin != NULL && self->app != NULL)
    cs_model_manager_cancel (manager_for_pin (self, pin));
}

static void
cs_welcome_page_dispose (GObject *object)
{
  CsWelcomePage *self = CS_WELCOME_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->model_manager);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, folder_button);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_row);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, download_button);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_progress);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, model_error_label);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, start_button);
  gtk_widget_class_bind_template_child (widget_class, CsWelcomePage, start_hint);
  gtk_widget_class_install_action (widget_class, "welcome.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "welcome.cancel", NULL, cancel_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cs_welcome_page_init (CsWelcomePage *self)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->choices = g_ptr_array_new ();
  self->model_items = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (self->model_items));
  g_object_unref (self->model_items); /* the row holds it */
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

  /* the same pins as Preferences → Model, those that can be verified */
  {
    guint n;
    const CsModelPin *pins = cs_model_pins (&n);

    for (guint i = 0; i < n; i++)
      if (cs_model_pin_check (&pins[i], NULL))
        {
          g_ptr_array_add (self->choices, (gpointer) &pins[i]);
          gtk_string_list_append (self->model_items, pins[i].title);
          g_signal_connect_object (manager_for_pin (self, &pins[i]), "notify",
                                   G_CALLBACK (on_model_notify_cb), self, 0);
        }
  }
  rebuild_model_items (self);
  g_signal_connect_object (self->model_row, "notify::selected", G_CALLBACK (on_model_selected_cb), self, 0);
  g_signal_connect_object (application, "notify::model-dir", G_CALLBACK (on_model_dir_notify_cb), self, 0);
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
