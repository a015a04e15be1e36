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
#include "cs-model-probe.h"
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
  AdwPreferencesGroup *models_group;
  AdwActionRow        *folder_row;
  GtkWidget           *folder_button;
  GPtrArray           *pin_rows;       /* PinRow* */
  char                *folder_status;  /* what the folder's switch is doing, or NULL */
  char                *folder_failure; /* why the last folder was refused, or NULL */
  char                *cpu;            /* this CPU, as the precision check names it */
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
  /* a copy: removing the folder rebuilds the rows, this button's too */
  g_autofree char *path = g_strdup (g_object_get_data (G_OBJECT (button), "path"));
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

/* ------------------------------------------------------------------ */
/* The model: the pinned ones, a folder, switching                     */
/* ------------------------------------------------------------------ */

typedef struct {
  const CsModelPin *pin;
  CsModelManager   *manager;  /* NULL when the pin cannot be verified */
  AdwActionRow     *row;
  GtkWidget        *button;
  GtkProgressBar   *progress;
  char             *status;   /* what the switch is doing, or NULL */
  char             *failure;  /* why the last switch to it failed, or NULL */
  char             *refusal;  /* why the pin is never downloaded, or NULL */
} PinRow;

static void update_model (CsPreferences *self);

static void
pin_row_free (PinRow *pr)
{
  g_clear_object (&pr->manager);
  g_free (pr->status);
  g_free (pr->failure);
  g_free (pr->refusal);
  g_free (pr);
}

/* How a model is remembered in "model-speeds": a pin by its id, a
 * folder by its path. */
static char *
model_key (const char *dir)
{
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  for (guint i = 0; dir != NULL && i < n; i++)
    if (cs_model_pin_is_current (&pins[i], dir))
      return g_strdup (pins[i].id);
  return g_strdup (dir);
}

/* The speed measured for `key` on this CPU (`cpu`: NULL or "" when not
 * known yet, then any figure counts); FALSE when none. */
static gboolean
lookup_speed (GSettings   *settings,
              const char  *key,
              const char  *cpu,
              double      *images_per_second,
              char       **precision)
{
  g_autoptr(GVariant) speeds = g_settings_get_value (settings, "model-speeds");
  const char *their_cpu = NULL, *their_precision = NULL;
  double ips = 0;

  if (key == NULL || !g_variant_lookup (speeds, key, "(&sd&s)", &their_cpu, &ips, &their_precision))
    return FALSE;
  if (cpu != NULL && *cpu != '\0' && g_strcmp0 (cpu, their_cpu) != 0)
    return FALSE;
  *images_per_second = ips;
  if (precision != NULL)
    *precision = g_strdup (their_precision);
  return TRUE;
}

static void
remember_speed (GSettings  *settings,
                const char *key,
                const char *cpu,
                double      images_per_second,
                const char *precision)
{
  g_autoptr(GVariant) speeds = g_settings_get_value (settings, "model-speeds");
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{s(sds)}"));
  GVariantIter iter;
  const char *k;
  GVariant *value;

  g_variant_iter_init (&iter, speeds);
  while (g_variant_iter_next (&iter, "{&s@(sds)}", &k, &value))
    {
      if (!g_str_equal (k, key))
        g_variant_builder_add (&builder, "{s@(sds)}", k, value);
      g_variant_unref (value);
    }
  g_variant_builder_add (&builder, "{s(sds)}", key, cpu != NULL ? cpu : "", images_per_second,
                         precision != NULL ? precision : "");
  g_settings_set_value (settings, "model-speeds", g_variant_builder_end (&builder));
}

static char *
describe_speed (CsPreferences *self,
                const char    *key)
{
  g_autofree char *precision = NULL;
  double ips;

  if (!lookup_speed (self->settings, key, self->cpu, &ips, &precision))
    return g_strdup (_("Speed: measured on this computer when first chosen"));
  /* TRANSLATORS: "12 images/s on this computer (int8)" */
  return g_strdup_printf (_("%.0f images/s on this computer (%s)"), ips, precision);
}

static void
update_pin_row (CsPreferences *self,
                PinRow        *pr)
{
  const char *dir = cs_application_get_model_dir (self->app);
  CsLibrary *library = cs_application_get_library (self->app);
  guint n_photos = library != NULL ? cs_library_get_n_photos (library) : 0;
  gboolean current = cs_model_pin_is_current (pr->pin, dir);
  CsModelState state = pr->manager != NULL ? cs_model_manager_get_state (pr->manager) : CS_MODEL_STATE_ABSENT;
  g_autofree char *size = g_format_size (cs_model_pin_download_size (pr->pin));
  g_autofree char *speed = describe_speed (self, pr->pin->id);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  const char *languages = pr->pin->languages == CS_MODEL_LANGUAGES_MULTILINGUAL
                          ? _("Multilingual") : _("English only");

  /* TRANSLATORS: "1.5 GB download · Multilingual · recall 73.2 on Crossmodal-3600" */
  g_string_append_printf (subtitle, _("%s download · %s · recall %.1f on Crossmodal-3600"),
                          size, languages, pr->pin->recall);
  g_string_append_printf (subtitle, "\n%s\n", speed);
  if (pr->refusal != NULL)
    g_string_append (subtitle, pr->refusal);
  else if (state == CS_MODEL_STATE_DOWNLOADING)
    {
      g_autofree char *done = g_format_size (cs_model_manager_get_bytes_done (pr->manager));
      g_autofree char *total = g_format_size (cs_model_manager_get_bytes_total (pr->manager));

      /* TRANSLATORS: "Downloading… 120.0 MB of 1.5 GB" */
      g_string_append_printf (subtitle, _("Downloading… %s of %s"), done, total);
    }
  else if (pr->status != NULL)
    g_string_append (subtitle, pr->status);
  else if (pr->failure != NULL)
    g_string_append (subtitle, pr->failure);
  else if (current)
    g_string_append (subtitle, _("In use"));
  else
    g_string_append_printf (subtitle,
                            /* TRANSLATORS: what switching to this model costs */
                            g_dngettext (GETTEXT_PACKAGE,
                                         "Switching re-indexes all %u photo; the current model keeps answering until it is done.",
                                         "Switching re-indexes all %u photos; the current model keeps answering until it is done.",
                                         n_photos), n_photos);
  adw_action_row_set_subtitle (pr->row, subtitle->str);

  gtk_widget_set_visible (GTK_WIDGET (pr->progress), state == CS_MODEL_STATE_DOWNLOADING);
  if (pr->manager != NULL)
    gtk_progress_bar_set_fraction (pr->progress, cs_model_manager_get_fraction (pr->manager));
  gtk_button_set_label (GTK_BUTTON (pr->button),
                        state == CS_MODEL_STATE_READY ? _("_Use") : _("_Download and Use"));
  gtk_widget_set_sensitive (pr->button, pr->refusal == NULL && !current && pr->status == NULL
                                        && state != CS_MODEL_STATE_DOWNLOADING);
  gtk_widget_set_sensitive (GTK_WIDGET (pr->row), pr->refusal == NULL);
}

static void
update_model (CsPreferences *self)
{
  const char *dir = cs_application_get_model_dir (self->app);
  CsModelManager *manager = cs_application_get_model_manager (self->app);
  const char *error = cs_model_manager_get_error_message (manager);

  if (dir != NULL)
    {
      g_autofree char *display = g_filename_display_name (dir);
      g_autofree char *key = model_key (dir);
      g_autofree char *speed = describe_speed (self, key);
      g_autofree char *text = g_strdup_printf ("%s\n%s", display, speed);

      adw_action_row_set_subtitle (self->model_row, text);
    }
  else if (error != NULL)
    adw_action_row_set_subtitle (self->model_row, error);
  else
    adw_action_row_set_subtitle (self->model_row, _("None: download one below or use a model folder"));

  adw_action_row_set_subtitle (self->folder_row,
                               self->folder_status != NULL ? self->folder_status
                               : self->folder_failure != NULL ? self->folder_failure
                               : _("A Hugging Face CLIP or SigLIP folder already on this computer"));
  gtk_widget_set_sensitive (self->folder_button, self->folder_status == NULL);
  for (guint i = 0; self->pin_rows != NULL && i < self->pin_rows->len; i++)
    update_pin_row (self, self->pin_rows->pdata[i]);
}

static void
on_model_notify_cb (GObject       *object,
                    GParamSpec    *pspec,
                    CsPreferences *self)
{
  update_model (self);
}

static void
on_speeds_changed_cb (GSettings     *settings,
                      const char    *key,
                      CsPreferences *self)
{
  update_model (self);
}

/* A switch in flight: it outlives the window (a download goes on), and
 * reports to it while it is open. */
typedef struct {
  CsApplication    *app;
  GSettings        *settings;
  GWeakRef          prefs;
  const CsModelPin *pin;      /* NULL for a folder */
  char             *dir;
  char             *key;
  char             *cpu;      /* this CPU as last measured, or NULL */
} Switch;

static void
switch_free (Switch *sw)
{
  g_object_unref (sw->app);
  g_object_unref (sw->settings);
  g_weak_ref_clear (&sw->prefs);
  g_free (sw->dir);
  g_free (sw->key);
  g_free (sw->cpu);
  g_free (sw);
}

static PinRow *
find_pin_row (CsPreferences    *self,
              const CsModelPin *pin)
{
  for (guint i = 0; self->pin_rows != NULL && i < self->pin_rows->len; i++)
    if (((PinRow *) self->pin_rows->pdata[i])->pin == pin)
      return self->pin_rows->pdata[i];
  return NULL;
}

/* Shows where the switch is in its row (`status`, NULL when it is no
 * longer busy), or why it failed (`failure`, kept until the next try and
 * shown as a toast as well). */
static void
switch_report (Switch     *sw,
               const char *status,
               const char *failure)
{
  g_autoptr(CsPreferences) self = g_weak_ref_get (&sw->prefs);
  char **busy, **failed;

  if (self == NULL || self->pin_rows == NULL)
    return;
  if (sw->pin != NULL)
    {
      PinRow *pr = find_pin_row (self, sw->pin);

      if (pr == NULL)
        return;
      busy = &pr->status;
      failed = &pr->failure;
    }
  else
    {
      busy = &self->folder_status;
      failed = &self->folder_failure;
    }
  g_free (*busy);
  *busy = g_strdup (status);
  g_free (*failed);
  *failed = g_strdup (failure);
  update_model (self);
  if (failure != NULL)
    cs_compat_preferences_add_toast (GTK_WIDGET (self), cs_toast_new_text (failure));
}

static void
switch_finish (Switch *sw)
{
  switch_report (sw, NULL, NULL);
  cs_application_set_model_dir (sw->app, sw->dir);
  switch_free (sw);
}

static void
on_speed_measured_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Switch *sw = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *cpu = NULL;
  double ips;

  if (cs_model_probe_speed_finish (result, &ips, &precision, &cpu, &error))
    remember_speed (sw->settings, sw->key, cpu, ips, precision);
  else
    /* no figure is no reason not to switch */
    g_message ("%s: %s", sw->dir, error->message);
  switch_finish (sw);
}

static void
on_model_checked_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Switch *sw = user_data;
  g_autoptr(GError) error = NULL;
  double ips;

  if (!cs_model_probe_check_finish (result, &error))
    {
      /* the engine's own reason: the library is not switched */
      switch_report (sw, NULL, error->message);
      switch_free (sw);
      return;
    }
  if (lookup_speed (sw->settings, sw->key, sw->cpu, &ips, NULL))
    {
      switch_finish (sw);
      return;
    }
  switch_report (sw, _("Measuring its speed on this computer…"), NULL);
  cs_model_probe_speed_async (sw->dir, NULL, on_speed_measured_cb, sw);
}

static void
switch_check (Switch *sw)
{
  switch_report (sw, _("Checking the model…"), NULL);
  cs_model_probe_check_async (sw->dir, NULL, on_model_checked_cb, sw);
}

static void
on_pin_downloaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Switch *sw = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_model_manager_download_finish (CS_MODEL_MANAGER (source), result, &error))
    {
      const char *message = cs_model_manager_get_error_message (CS_MODEL_MANAGER (source));

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        switch_report (sw, NULL, NULL);
      else
        switch_report (sw, NULL, message != NULL ? message : error->message);
      switch_free (sw);
      return;
    }
  switch_check (sw);
}

static Switch *
switch_new (CsPreferences    *self,
            const CsModelPin *pin,
            const char       *dir)
{
  Switch *sw = g_new0 (Switch, 1);

  sw->app = g_object_ref (self->app);
  sw->settings = g_object_ref (self->settings);
  g_weak_ref_init (&sw->prefs, self);
  sw->pin = pin;
  sw->dir = g_canonicalize_filename (dir, NULL);
  sw->key = pin != NULL ? g_strdup (pin->id) : model_key (sw->dir);
  sw->cpu = g_strdup (self->cpu);
  return sw;
}

static void
on_use_pin_clicked_cb (GtkButton     *button,
                       CsPreferences *self)
{
  PinRow *pr = g_object_get_data (G_OBJECT (button), "pin-row");
  g_autofree char *dir = NULL;
  Switch *sw;

  if (pr == NULL || pr->manager == NULL || pr->status != NULL)
    return;
  dir = g_strdup (cs_model_manager_get_target_dir (pr->manager));
  sw = switch_new (self, pr->pin, dir);
  if (cs_model_manager_get_state (pr->manager) == CS_MODEL_STATE_READY)
    switch_check (sw);
  else
    {
      /* the row follows the manager's progress */
      switch_report (sw, _("Downloading…"), NULL);
      cs_model_manager_download_async (pr->manager, NULL, on_pin_downloaded_cb, sw);
    }
}

void
cs_preferences_use_model_folder (CsPreferences *self,
                                 const char    *path)
{
  g_return_if_fail (CS_IS_PREFERENCES (self));
  g_return_if_fail (path != NULL);
  if (self->folder_status != NULL)
    return;
  switch_check (switch_new (self, NULL, path));
}

static void
add_pin_rows (CsPreferences *self)
{
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  self->pin_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pin_row_free);
  for (guint i = 0; i < n; i++)
    {
      PinRow *pr = g_new0 (PinRow, 1);
      g_autoptr(GError) error = NULL;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

      pr->pin = &pins[i];
      if (!cs_model_pin_check (pr->pin, &error))
        pr->refusal = g_strdup (error->message);
      else
        {
          pr->manager = g_object_ref (cs_model_manager_get_for_pin (pr->pin, cs_application_get_model_manager (self->app)));
          g_signal_connect_object (pr->manager, "notify", G_CALLBACK (on_model_notify_cb), self, 0);
        }
      pr->row = ADW_ACTION_ROW (adw_action_row_new ());
      gtk_widget_set_name (GTK_WIDGET (pr->row), pr->pin->id);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (pr->row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (pr->row), pr->pin->title);
      pr->button = gtk_button_new_with_mnemonic (_("_Use"));
      g_object_set_data (G_OBJECT (pr->button), "pin-row", pr);
      g_signal_connect_object (pr->button, "clicked", G_CALLBACK (on_use_pin_clicked_cb), self, 0);
      pr->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
      gtk_widget_set_size_request (GTK_WIDGET (pr->progress), 120, -1);
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), pr->button);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (pr->progress));
      adw_action_row_add_suffix (pr->row, box);
      adw_preferences_group_add (self->models_group, GTK_WIDGET (pr->row));
      g_ptr_array_add (self->pin_rows, pr);
    }
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
  else if (self->app == NULL)
    return;
  else
    {
      figures = g_string_new (NULL);
      for (guint i = 0; i < trials->len; i++)
        {
          g_autofree char *one = describe_trial (&g_array_index (trials, CsPrecisionTrial, i));

          g_string_append_printf (figures, "%s%s", i > 0 ? "; " : "", one);
        }
      /* the CPU the speeds of the models are remembered for */
      if (*cpu != '\0' && g_strcmp0 (self->cpu, cpu) != 0)
        {
          g_free (self->cpu);
          self->cpu = g_strdup (cpu);
          update_model (self);
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
  cs_preferences_use_model_folder (self, path);
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
  choose_folder (self, _("Use a Model Folder"), model_chosen);
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
  g_clear_pointer (&self->pin_rows, g_ptr_array_unref);
  g_clear_pointer (&self->folder_status, g_free);
  g_clear_pointer (&self->folder_failure, g_free);
  g_clear_pointer (&self->cpu, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, models_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, folder_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, folder_button);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, prompt_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferences, threshold_spin);
  gtk_widget_class_bind_template_callback (widget_class, add_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, exclude_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_model_clicked_cb);
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
  g_signal_connect_object (self->settings, "changed::model-speeds", G_CALLBACK (on_speeds_changed_cb), self, 0);
  if (cs_application_get_library (application) != NULL)
    g_signal_connect_object (cs_application_get_library (application), "notify::n-photos",
                             G_CALLBACK (on_model_notify_cb), self, 0);
  add_pin_rows (self);
  g_signal_connect_object (cs_application_get_indexer (application), "notify::running",
                           G_CALLBACK (on_indexer_running_cb), self, 0);
  rebuild_folders (self);
  update_model (self);
  add_precision_row (self);
  update_precision (self);
  init_failures (self);
  return self;
}
