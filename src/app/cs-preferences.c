/* cs-preferences.c - the preferences window.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-preferences"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-index-failure.h"
#include "cs-library-reports.h"
#include "cs-markup.h"
#include "cs-preferences.h"
#include "cs-compat.h"

struct _CsPreferences {
  CsCompatPreferencesParent parent_instance;

  AdwPreferencesGroup *folders_group;
  AdwPreferencesGroup *excluded_group;
  GtkSwitch           *battery_switch;
  GtkSwitch           *power_saver_switch;
  GtkSwitch           *watch_switch;
  AdwActionRow        *model_row;
  AdwActionRow        *precision_row;  /* the indexer's precision check; built here */
  GCancellable        *precision_cancellable;
  GtkProgressBar      *download_progress;
  GtkWidget           *download_button;
  AdwEntryRow         *prompt_row;
  GtkSpinButton       *threshold_spin;

  CsApplication       *app;
  GSettings           *settings;
  CsModelManager      *model_manager;
  GPtrArray           *folder_rows;    /* rows we added, to remove them */

  /* the files not indexed: every failure the database holds */
  AdwPreferencesPage  *failures_page;
  AdwPreferencesGroup *failures_group;
  GtkWidget           *retry_button;
  GPtrArray           *failure_rows;   /* rows we added, to remove them */
  GCancellable        *failures_cancellable;
};

G_DEFINE_FINAL_TYPE (CsPreferences, cs_preferences, CS_COMPAT_TYPE_PREFERENCES_PARENT)

static void
on_undo_remove_folder_cb (AdwToast      *toast,
                          CsPreferences *self)
{
  const char *path = g_object_get_data (G_OBJECT (toast), "path");

  if (g_object_get_data (G_OBJECT (toast), "excluded") != NULL)
    cs_application_exclude_folder (self->app, path);
  else
    cs_application_add_folder (self->app, path);
}

/* One click removes a folder, so the toast offers the way back: the
 * last folder gone empties the library. */
static void
on_remove_folder_cb (GtkButton     *button,
                     CsPreferences *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  gboolean excluded = g_object_get_data (G_OBJECT (button), "excluded") != NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *text = NULL;
  AdwToast *toast;

  text = excluded ? g_strdup_printf (_("%s is no longer excluded"), display)
                  : g_strdup_printf (_("%s is no longer a photo folder"), display);
  toast = cs_toast_new_text (text);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* a copy: the toast outlives the row the button is in */
  g_object_set_data_full (G_OBJECT (toast), "path", g_strdup (path), g_free);
  if (excluded)
    g_object_set_data (G_OBJECT (toast), "excluded", GINT_TO_POINTER (1));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_remove_folder_cb), self, 0);

  cs_application_remove_folder (self->app, path);
  cs_compat_preferences_add_toast (GTK_WIDGET (self), toast);
}

static void
add_folder_rows (CsPreferences       *self,
                 AdwPreferencesGroup *group,
                 gboolean             excluded,
                 const char          *empty_text)
{
  /* the store's folders, whoever added them (the app, clipsight-cli) */
  const char *const *folders = cs_indexer_get_folders (cs_application_get_indexer (self->app), excluded);

  for (guint i = 0; folders[i] != NULL; i++)
    {
      g_autofree char *name = g_filename_display_basename (folders[i]);
      g_autofree char *display = g_filename_display_name (folders[i]);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");

      /* folder names are text, not markup */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), display);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("folder-symbolic"));
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove"));
      g_object_set_data_full (G_OBJECT (remove), "path", g_strdup (folders[i]), g_free);
      if (excluded)
        g_object_set_data (G_OBJECT (remove), "excluded", GINT_TO_POINTER (1));
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_folder_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->folder_rows, row);
    }
  if (folders[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), empty_text);
      gtk_widget_add_css_class (row, "dim-label");
      adw_preferences_group_add (group, row);
      g_ptr_array_add (self->folder_rows, row);
    }
}

static void
rebuild_folders (CsPreferences *self)
{
  for (guint i = 0; i < self->folder_rows->len; i++)
    {
      GtkWidget *row = self->folder_rows->pdata[i];
      AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP));
      adw_preferences_group_remove (group, row);
    }
  g_ptr_array_set_size (self->folder_rows, 0);
  add_folder_rows (self, self->folders_group, FALSE, _("No photo folders yet"));
  add_folder_rows (self, self->excluded_group, TRUE, _("Nothing excluded"));
}

static void
on_folders_changed_cb (CsIndexer     *indexer,
                       CsPreferences *self)
{
  rebuild_folders (self);
}

static void
update_model (CsPreferences *self)
{
  const char *dir = cs_application_get_model_dir (self->app);
  CsModelState state = cs_model_manager_get_state (self->model_manager);
  const char *error = cs_model_manager_get_error_message (self->model_manager);

  if (state == CS_MODEL_STATE_DOWNLOADING)
    adw_action_row_set_subtitle (self->model_row, _("Downloading…"));
  else if (error != NULL && dir == NULL)
    adw_action_row_set_subtitle (self->model_row, error);
  else if (dir != NULL)
    {
      g_autofree char *display = g_filename_display_name (dir);
      adw_action_row_set_subtitle (self->model_row, display);
    }
  else
    adw_action_row_set_subtitle (self->model_row, _("None: download it or choose a folder"));
  gtk_widget_set_visible (GTK_WIDGET (self->download_progress), state == CS_MODEL_STATE_DOWNLOADING);
  gtk_progress_bar_set_fraction (self->download_progress, cs_model_manager_get_fraction (self->model_manager));
  gtk_widget_set_sensitive (self->download_button, state != CS_MODEL_STATE_DOWNLOADING
                                                   && state != CS_MODEL_STATE_READY);
}

static void
on_model_notify_cb (GObject       *object,
                    GParamSpec    *pspec,
                    CsPreferences *self)
{
  update_model (self);
}

/* One precision's measured figures, for the precision row. */
static char *
describe_trial (const CsPrecisionTrial *t)
{
  g_autofree char *speed = NULL;

  if (t->cosine < 0)
    /* TRANSLATORS: "int8 overflowed": its embeddings were not finite */
    return g_strdup_printf (_("%s overflowed"), t->name);
  speed = isfinite (t->images_per_second)
          /* TRANSLATORS: "int8: 61 images/s" */
          ? g_strdup_printf (_("%s: %.0f images/s"), t->name, t->images_per_second)
          : g_strdup (t->name);
  if (g_strcmp0 (t->name, "f32") == 0)
    return g_steal_pointer (&speed);
  if (t->cosine < 0.995)
    /* TRANSLATORS: "int8: 61 images/s, cosine 0.9800: too far from float32" */
    return g_strdup_printf (_("%s, cosine %.4f: too far from float32"), speed, t->cosine);
  /* TRANSLATORS: "int8: 61 images/s, cosine 0.9991" */
  return g_strdup_printf (_("%s, cosine %.4f"), speed, t->cosine);
}

/* The precision row: what the indexer's run-time check chose for the
 * model (cs_clip_check_precision), why, and the figures it measured,
 * read from the database in a thread. */
static void
on_precision_read_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CsPreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) trials = NULL;
  g_autoptr(GString) figures = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *cpu = NULL;
  const char *precision = NULL;
  double cosine = 0;

  if (!cs_precision_check_read_finish_full (result, &precision, &cosine, &cpu, &trials, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->precision_row == NULL)
        return;
      subtitle = g_strdup (error != NULL ? error->message
                                         : _("Not checked yet: the first indexing run times each precision against float32"));
    }
  else if (!isfinite (cosine))
    subtitle = g_strdup_printf (_("%s, as CLIPSIGHT_PRECISION asks (not checked)"), precision);
  else
    {
      figures = g_string_new (NULL);
      for (guint i = 0; i < trials->len; i++)
        {
          g_autofree char *one = describe_trial (&g_array_index (trials, CsPrecisionTrial, i));

          g_string_append_printf (figures, "%s%s", i > 0 ? "; " : "", one);
        }
      subtitle = *cpu != '\0'
                 /* TRANSLATORS: "int8, the fastest precision within a cosine of 0.995 of float32 on
                  * the check set, measured on AMD EPYC 7B13\n" then each precision's figures */
                 ? g_strdup_printf (_("%s, the fastest precision within a cosine of 0.995 of float32 on the check set, measured on %s\n%s"),
                                    precision, cpu, figures->str)
                 : g_strdup_printf (_("%s, the fastest precision within a cosine of 0.995 of float32 on the check set\n%s"),
                                    precision, figures->str);
    }
  if (self->precision_row != NULL)
    adw_action_row_set_subtitle (self->precision_row, subtitle);
}

static void
update_precision (CsPreferences *self)
{
  CsLibrary *library = cs_application_get_library (self->app);

  if (library == NULL)
    return;
  g_cancellable_cancel (self->precision_cancellable);
  g_clear_object (&self->precision_cancellable);
  self->precision_cancellable = g_cancellable_new ();
  cs_precision_check_read_async (cs_library_get_database_path (library), self->precision_cancellable,
                                 on_precision_read_cb, g_object_ref (self));
}

static void
on_indexer_running_cb (GObject       *object,
                       GParamSpec    *pspec,
                       CsPreferences *self)
{
  if (!cs_indexer_get_running (CS_INDEXER (object)))
    update_precision (self);
}

static void
add_precision_row (CsPreferences *self)
{
  GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (self->model_row), ADW_TYPE_PREFERENCES_GROUP);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Precision"));
  /* the subtitle may carry an error message: no markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "…");
  gtk_widget_add_css_class (row, "property");
  if (group == NULL)
    {
      g_object_unref (g_object_ref_sink (row));
      return;
    }
  self->precision_row = ADW_ACTION_ROW (row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
}

/* ------------------------------------------------------------------ */
/* Files not indexed                                                    */
/* ------------------------------------------------------------------ */

/* Every failure the database holds (a run lists only the files it
 * tried: one that failed before and has not changed is not tried again),
 * read when the window opens and after each run.  A row names the file
 * once: its name as the title, the reason and then its folder below. */
static void
set_failure_rows (CsPreferences *self,
                  GPtrArray     *failures)
{
  g_autofree char *count = NULL;

  for (guint i = 0; i < self->failure_rows->len; i++)
    adw_preferences_group_remove (self->failures_group, self->failure_rows->pdata[i]);
  g_ptr_array_set_size (self->failure_rows, 0);

  if (failures->len == 0)
    count = g_strdup (_("Every file found in the photo folders was indexed."));
  else
    /* Translators: %u is a number of files */
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u file could not be indexed. Clipsight tries it again when it changes.",
                                          "%u files could not be indexed. Clipsight tries them again when they change.",
                                          failures->len), failures->len);
  adw_preferences_group_set_description (self->failures_group, count);
  gtk_widget_set_visible (self->retry_button, failures->len > 0);

  for (guint i = 0; i < failures->len; i++)
    {
      const CsIndexFailure *f = failures->pdata[i];
      g_autofree char *name = g_filename_display_basename (f->path);
      g_autofree char *dir = g_path_get_dirname (f->path);
      g_autofree char *folder = g_filename_display_name (dir);
      g_autofree char *reason = g_utf8_make_valid (f->reason != NULL ? f->reason : "", -1);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      /* the library's reasons are lower case, to follow a path; here
       * they start the line */
      if (reason[0] != '\0')
        {
          char first[8] = { 0 };
          const char *rest = g_utf8_next_char (reason);

          g_unichar_to_utf8 (g_unichar_totitle (g_utf8_get_char (reason)), first);
          subtitle = g_strconcat (first, rest, NULL);
          g_free (reason);
          reason = g_steal_pointer (&subtitle);
        }
      /* Translators: a file's failure, then the folder it is in */
      subtitle = g_strdup_printf (_("%s\nIn %s"), reason, folder);
      /* names and reasons are text, not markup */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("image-missing-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "path", g_strdup (f->path), g_free);
      adw_preferences_group_add (self->failures_group, row);
      g_ptr_array_add (self->failure_rows, row);
    }
}

static void
on_failures_read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CsPreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) failures = cs_index_failures_read_finish (result, &error);

  if (failures == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->failures_group != NULL)
        adw_preferences_group_set_description (self->failures_group, error->message);
      return;
    }
  if (self->failure_rows != NULL)
    set_failure_rows (self, failures);
}

static void
update_failures (CsPreferences *self)
{
  CsLibrary *library = cs_application_get_library (self->app);

  if (library == NULL)
    return;
  g_cancellable_cancel (self->failures_cancellable);
  g_clear_object (&self->failures_cancellable);
  self->failures_cancellable = g_cancellable_new ();
  cs_index_failures_read_async (cs_library_get_database_path (library), self->failures_cancellable,
                                on_failures_read_cb, g_object_ref (self));
}

static void
on_indexer_running_failures_cb (GObject       *object,
                                GParamSpec    *pspec,
                                CsPreferences *self)
{
  gboolean running = cs_indexer_get_running (CS_INDEXER (object));

  /* forgetting the failures during a run would race with it */
  gtk_widget_set_sensitive (self->retry_button, !running);
  if (!running)
    update_failures (self);
}

static void
on_failures_forgotten_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(CsPreferences) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_index_failures_forget_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->app != NULL)
        cs_compat_preferences_add_toast (GTK_WIDGET (self), cs_toast_new_text (error->message));
      return;
    }
  if (self->app != NULL)
    cs_application_rescan (self->app);
}

/* The files are tried again at the next run only once the database no
 * longer says they failed (an unchanged failed file is skipped). */
static void
retry_failures_clicked_cb (GtkButton     *button,
                           CsPreferences *self)
{
  CsLibrary *library = cs_application_get_library (self->app);

  if (library == NULL || cs_indexer_get_running (cs_application_get_indexer (self->app)))
    return;
  gtk_widget_set_sensitive (self->retry_button, FALSE);
  /* no cancellable: a read started meanwhile must not cancel the retry */
  cs_index_failures_forget_async (cs_library_get_database_path (library), NULL,
                                  on_failures_forgotten_cb, g_object_ref (self));
}

void
cs_preferences_show_failures (CsPreferences *self)
{
  g_return_if_fail (CS_IS_PREFERENCES (self));

  cs_compat_preferences_set_visible_page (GTK_WIDGET (self), self->failures_page);
}

static void
init_failures (CsPreferences *self)
{
  g_signal_connect_object (cs_application_get_indexer (self->app), "notify::running",
                           G_CALLBACK (on_indexer_running_failures_cb), self, 0);
  gtk_widget_set_sensitive (self->retry_button, !cs_indexer_get_running (cs_application_get_indexer (self->app)));
  update_failures (self);
}

typedef void (*ChosenFunc) (CsPreferences *self, const char *path);

typedef struct {
  CsPreferences *self;
  ChosenFunc     func;
} Chosen;

static void
on_folder_chosen (GFile    *file,
                  gpointer  user_data)
{
  Chosen *chosen = user_data;
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    chosen->func (chosen->self, path);
}

static void
chosen_free (gpointer user_data)
{
  Chosen *chosen = user_data;

  g_object_unref (chosen->self);
  g_free (chosen);
}

static void
choose_folder (CsPreferences *self,
               const char    *title,
               ChosenFunc     func)
{
  Chosen *chosen = g_new0 (Chosen, 1);

  chosen->self = g_object_ref (self);
  chosen->func = func;
  cs_compat_choose_file (GTK_WIDGET (self), title, TRUE, NULL, on_folder_chosen, chosen, chosen_free);
}

static void
folder_chosen (CsPreferences *self,
               const char    *path)
{
  cs_application_add_folder (self->app, path);
}

static void
excluded_chosen (CsPreferences *self,
                 const char    *path)
{
  cs_application_exclude_folder (self->app, path);
}

static void
model_chosen (CsPreferences *self,
              const char    *path)
{
  g_autofree char *config = g_build_filename (path, "config.json", NULL);

  if (!g_file_test (config, G_FILE_TEST_IS_REGULAR))
    {
      cs_compat_preferences_add_toast (GTK_WIDGET (self),
                                        cs_toast_new_text (_("That folder holds no CLIP model (config.json is missing)")));
      return;
    }
  cs_application_set_model_dir (self->app, path);
}

static void
add_folder_clicked_cb (GtkButton     *button,
                       CsPreferences *self)
{
  choose_folder (self, _("Add a Photo Folder"), folder_chosen);
}

static void
exclude_folder_clicked_cb (GtkButton     *button,
                           CsPreferences *self)
{
  choose_folder (self, _("Exclude a Folder"), excluded_chosen);
}

static void
choose_model_clicked_cb (GtkButton     *button,
                         CsPreferences *self)
{
  choose_folder (self, _("Choose a CLIP Model Folder"), model_chosen);
}

static void
on_download_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  cs_model_manager_download_finish (CS_MODEL_MANAGER (source), result, NULL);
}

static void
download_clicked_cb (GtkButton     *button,
                     CsPreferences *self)
{
  cs_model_manager_download_async (self->model_manager, NULL, on_download_done_cb, NULL);
}

static void
on_forget_response_cb (GtkWidget        *dialog,
                       const char       *response,
                       CsPreferences    *self)
{
  g_auto(GStrv) folders = NULL;
  g_auto(GStrv) excluded = NULL;

  if (g_strcmp0 (response, "forget") != 0)
    return;
  /* every folder leaves the library; the next run empties the index
   * (copies: each removal changes the indexer's lists) */
  folders = g_strdupv ((char **) cs_indexer_get_folders (cs_application_get_indexer (self->app), FALSE));
  excluded = g_strdupv ((char **) cs_indexer_get_folders (cs_application_get_indexer (self->app), TRUE));
  for (guint i = 0; excluded[i] != NULL; i++)
    cs_application_remove_folder (self->app, excluded[i]);
  for (guint i = 0; folders[i] != NULL; i++)
    cs_application_remove_folder (self->app, folders[i]);
  cs_compat_preferences_add_toast (GTK_WIDGET (self),
                                    cs_toast_new_text (_("The index is being forgotten")));
}

static void
forget_clicked_cb (GtkButton     *button,
                   CsPreferences *self)
{
  GtkWidget *dialog = cs_compat_alert_new (_("Forget the Index?"),
                                           _("Clipsight forgets every photo folder and what it "
                                             "learnt about your photos. The photos themselves "
                                             "stay untouched."));

  cs_compat_alert_add_response (dialog, "cancel", _("_Cancel"), FALSE);
  cs_compat_alert_add_response (dialog, "forget", _("_Forget"), TRUE);
  cs_compat_alert_set_cancel (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_forget_response_cb), self, 0);
  cs_compat_alert_present (dialog, GTK_WIDGET (self));
}

static void
cs_preferences_dispose (GObject *object)
{
  CsPreferences *self = CS_PREFERENCES (object);

  g_clear_pointer (&self->folder_rows, g_ptr_array_unref);
  g_clear_pointer (&self->failure_rows, g_ptr_array_unref);
  g_cancellable_cancel (self->failures_cancellable);
  g_clear_object (&self->failures_cancellable);
  g_cancellable_cancel (self->precision_cancellable);
  g_clear_object (&self->precision_cancellable);
  self->precision_row = NULL;
  g_clear_object (&self->settings);
  g_clear_object (&self->model_manager);
  g_clear_object (&self->app);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PREFERENCES);
  G_OBJECT_CLASS (cs_preferences_parent_class)->dispose (object);
}

static void
cs_preferences_class_init (CsPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, folders_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, excluded_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, battery_switch);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, power_saver_switch);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, watch_switch);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, model_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, download_progress);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, download_button);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, prompt_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, threshold_spin);
  gtk_widget_class_bind_template_callback (widget_class, add_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exclude_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_model_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, failures_page);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, failures_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_failures_clicked_cb);
}

static void
cs_preferences_init (CsPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->folder_rows = g_ptr_array_new ();
  self->failure_rows = g_ptr_array_new ();
}

CsPreferences *
cs_preferences_new (CsApplication *application)
{
  CsPreferences *self;

  g_return_val_if_fail (CS_IS_APPLICATION (application), NULL);
  self = g_object_new (CS_TYPE_PREFERENCES, NULL);
  self->app = g_object_ref (application);
  self->settings = g_object_ref (cs_application_get_settings (application));
  self->model_manager = g_object_ref (cs_application_get_model_manager (application));

  g_settings_bind (self->settings, "index-on-battery", self->battery_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "index-on-power-saver", self->power_saver_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "watch-folders", self->watch_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "label-prompt", self->prompt_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "label-threshold", self->threshold_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (cs_application_get_indexer (application), "folders-changed",
                           G_CALLBACK (on_folders_changed_cb), self, 0);
  g_signal_connect_object (self->model_manager, "notify", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (application, "notify::model-dir", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (cs_application_get_indexer (application), "notify::running",
                           G_CALLBACK (on_indexer_running_cb), self, 0);
  rebuild_folders (self);
  update_model (self);
  add_precision_row (self);
  update_precision (self);
  init_failures (self);
  return self;
}
