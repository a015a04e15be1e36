/* cs-label-dialog.c - add or edit a label: name, prompts, threshold.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The threshold's preview shows the photos just inside it and just
 * outside it, which the library lists on a worker thread; each new
 * threshold cancels the listing in flight, and "preview-threshold" tells
 * which threshold the rows show (tests wait on it).
 */
#define G_LOG_DOMAIN "cs-label-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-cancel.h"
#include "cs-label-dialog.h"
#include "cs-label-names.h"
#include "cs-photo-cell.h"

#define PREVIEW_PHOTOS 6
#define THRESHOLD_DEBOUNCE_MS 150

struct _CsLabelDialog {
  AdwWindow       parent_instance;

  AdwWindowTitle *title;
  GtkButton      *save_button;
  AdwEntryRow    *name_row;
  GtkTextView    *prompts_view;
  GtkScale       *threshold_scale;
  GtkLabel       *threshold_label;
  GtkLabel       *count_label;
  GtkWidget      *above_label;
  GtkBox         *above_box;
  GtkWidget      *below_label;
  GtkBox         *below_box;
  GtkWidget      *preview_group;

  CsLibrary      *library;
  GSettings      *settings;
  CsLabel        *label;          /* NULL: a new label */
  double          old_threshold;
  gboolean        saved;
  guint           threshold_id;
  GCancellable   *cancellable;
  GCancellable   *preview_cancellable;
  double          preview_threshold;  /* what the rows show; -1: nothing yet */
};

G_DEFINE_FINAL_TYPE (CsLabelDialog, cs_label_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PREVIEW_THRESHOLD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char **
dup_prompts (CsLabelDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->prompts_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }
  return g_strv_builder_end (builder);
}

static void
update_save (CsLabelDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), name[0] != '\0');
}

static void
fill_row (GtkBox      *box,
          GtkWidget   *caption,
          CsPhotoList *photos)
{
  GtkWidget *child;
  guint n = photos != NULL ? g_list_model_get_n_items (G_LIST_MODEL (photos)) : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (photos), i);
      g_autofree char *tip = g_strdup_printf ("%s · %.0f %%", cs_photo_get_display_name (photo),
                                              100 * cs_photo_get_probability (photo));
      GtkWidget *cell = g_object_new (CS_TYPE_PHOTO_CELL, "photo", photo, NULL);

      cs_photo_cell_set_fixed_size (CS_PHOTO_CELL (cell), 64);
      gtk_widget_set_tooltip_text (cell, tip);
      gtk_box_append (box, cell);
    }
  gtk_widget_set_visible (GTK_WIDGET (box), n > 0);
  gtk_widget_set_visible (caption, n > 0);
}

static void
on_boundary_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) above = NULL;
  g_autoptr(CsPhotoList) below = NULL;
  CsLabelDialog *self;

  if (!cs_library_list_label_boundary_finish (CS_LIBRARY (source), result, &above, &below, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("cannot preview the threshold: %s", error->message);
      return;
    }
  /* not cancelled: the dialog is alive and this is the newest request */
  self = CS_LABEL_DIALOG (user_data);
  g_clear_object (&self->preview_cancellable);
  fill_row (self->above_box, self->above_label, above);
  fill_row (self->below_box, self->below_label, below);
  gtk_widget_set_visible (self->preview_group,
                          g_list_model_get_n_items (G_LIST_MODEL (above)) > 0
                          || g_list_model_get_n_items (G_LIST_MODEL (below)) > 0);
  self->preview_threshold = cs_photo_list_get_cutoff (above);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW_THRESHOLD]);
}

/* The count now (the label knows it) and, from a worker, the photos on
 * either side of the scale's threshold. */
static void
update_preview (CsLabelDialog *self)
{
  guint count;

  if (self->label == NULL)
    return;
  count = cs_label_get_count (self->label);
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u photo in the label",
                                                          "%'u photos in the label", count), count);
    gtk_label_set_label (self->count_label, text);
  }
  cs_cancel_and_clear (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();
  cs_library_list_label_boundary_async (self->library, self->label,
                                        gtk_range_get_value (GTK_RANGE (self->threshold_scale)),
                                        PREVIEW_PHOTOS, self->preview_cancellable, on_boundary_done_cb, self);
}

static void
on_edit_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsLabelDialog) self = user_data;

  if (!cs_library_edit_label_finish (CS_LIBRARY (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("cannot change the label: %s", error->message);
      return;
    }
  if (self->saved)
    gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
apply_threshold_cb (gpointer data)
{
  CsLabelDialog *self = data;

  self->threshold_id = 0;
  /* a threshold-only edit re-clusters at once, from stored probabilities */
  cs_library_edit_label_async (self->library, self->label, NULL, NULL,
                               gtk_range_get_value (GTK_RANGE (self->threshold_scale)),
                               NULL, on_edit_done_cb, g_object_ref (self));
  update_preview (self);
  return G_SOURCE_REMOVE;
}

static void
on_threshold_changed_cb (GtkRange      *range,
                         CsLabelDialog *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * gtk_range_get_value (range));

  gtk_label_set_label (self->threshold_label, text);
  if (self->label == NULL)
    return;
  g_clear_handle_id (&self->threshold_id, g_source_remove);
  self->threshold_id = g_timeout_add (THRESHOLD_DEBOUNCE_MS, apply_threshold_cb, self);
}

static void
on_name_changed_cb (GtkEditable   *editable,
                    CsLabelDialog *self)
{
  update_save (self);
}

static void
on_add_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsLabelDialog) self = user_data;
  g_autoptr(CsLabel) label = cs_library_add_label_finish (CS_LIBRARY (source), result, &error);

  if (label == NULL && !g_error_matches (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
          adw_window_title_set_subtitle (self->title, error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
        }
      self->saved = FALSE;
      return;
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_clicked_cb (GtkButton     *button,
                   CsLabelDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_clicked_cb (GtkButton     *button,
                 CsLabelDialog *self)
{
  cs_label_dialog_save (self);
}

static gboolean
cs_label_dialog_close_request (GtkWindow *window)
{
  CsLabelDialog *self = CS_LABEL_DIALOG (window);

  g_clear_handle_id (&self->threshold_id, g_source_remove);
  /* cancelled: the live threshold goes back */
  if (!self->saved && self->label != NULL
      && cs_label_get_threshold (self->label) != self->old_threshold)
    cs_library_edit_label_async (self->library, self->label, NULL, NULL, self->old_threshold,
                                 NULL, on_edit_done_cb, g_object_ref (self));
  return GTK_WINDOW_CLASS (cs_label_dialog_parent_class)->close_request (window);
}

static void
cs_label_dialog_dispose (GObject *object)
{
  CsLabelDialog *self = CS_LABEL_DIALOG (object);

  g_clear_handle_id (&self->threshold_id, g_source_remove);
  cs_cancel_and_clear (&self->cancellable);
  cs_cancel_and_clear (&self->preview_cancellable);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  g_clear_object (&self->label);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_LABEL_DIALOG);
  G_OBJECT_CLASS (cs_label_dialog_parent_class)->dispose (object);
}

static void
cs_label_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CsLabelDialog *self = CS_LABEL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PREVIEW_THRESHOLD: g_value_set_double (value, self->preview_threshold); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_label_dialog_class_init (CsLabelDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_label_dialog_dispose;
  object_class->get_property = cs_label_dialog_get_property;
  window_class->close_request = cs_label_dialog_close_request;

  /* The threshold whose neighbours the preview shows (-1: none yet). */
  properties[PROP_PREVIEW_THRESHOLD] =
    g_param_spec_double ("preview-threshold", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CS_TYPE_PHOTO_CELL);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-label-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, title);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, prompts_view);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, threshold_scale);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, threshold_label);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, count_label);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, above_label);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, above_box);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, below_label);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, below_box);
  gtk_widget_class_bind_template_child (widget_class, CsLabelDialog, preview_group);
  gtk_widget_class_bind_template_callback (widget_class, on_threshold_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_label_dialog_init (CsLabelDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->preview_threshold = -1.0;
}

CsLabelDialog *
cs_label_dialog_new (CsLibrary *library,
                     GSettings *settings,
                     CsLabel   *label)
{
  CsLabelDialog *self;
  GtkTextBuffer *buffer;
  g_autofree char *prompts_text = NULL;
  double threshold;

  g_return_val_if_fail (CS_IS_LIBRARY (library), NULL);
  self = g_object_new (CS_TYPE_LABEL_DIALOG, NULL);
  self->library = g_object_ref (library);
  self->settings = g_object_ref (settings);
  self->label = label != NULL ? g_object_ref (label) : NULL;
  buffer = gtk_text_view_get_buffer (self->prompts_view);

  if (label != NULL)
    {
      adw_window_title_set_title (self->title, _("Edit Label"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), cs_label_get_display_name (label));
      prompts_text = g_strjoinv ("\n", (char **) cs_label_get_prompts (label));
      threshold = cs_label_get_threshold (label);
      gtk_button_set_label (self->save_button, _("_Save"));
    }
  else
    {
      g_autofree char *prompt = g_settings_get_string (settings, "label-prompt");
      adw_window_title_set_title (self->title, _("New Label"));
      if (prompt[0] != '\0')
        prompts_text = g_strdup (prompt);
      else
        prompts_text = g_strjoinv ("\n", (char **) cs_library_default_prompts ());
      threshold = g_settings_get_double (settings, "label-threshold");
      gtk_button_set_label (self->save_button, _("_Add"));
      gtk_widget_set_visible (self->preview_group, FALSE);
    }
  self->old_threshold = threshold;
  gtk_text_buffer_set_text (buffer, prompts_text, -1);
  g_signal_handlers_block_by_func (self->threshold_scale, on_threshold_changed_cb, self);
  gtk_range_set_value (GTK_RANGE (self->threshold_scale), threshold);
  g_signal_handlers_unblock_by_func (self->threshold_scale, on_threshold_changed_cb, self);
  {
    g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * threshold);
    gtk_label_set_label (self->threshold_label, text);
  }
  update_save (self);
  update_preview (self);
  /* the name is what one types first; otherwise the focus would go to the
   * first focusable widget, Cancel, and Enter would cancel */
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return self;
}

void
cs_label_dialog_set_name (CsLabelDialog *self,
                          const char    *name)
{
  g_return_if_fail (CS_IS_LABEL_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

void
cs_label_dialog_save (CsLabelDialog *self)
{
  g_autofree char *name = NULL;
  g_auto(GStrv) prompts = NULL;
  double threshold;

  g_return_if_fail (CS_IS_LABEL_DIALOG (self));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (name[0] == '\0')
    return;
  g_clear_handle_id (&self->threshold_id, g_source_remove);
  prompts = dup_prompts (self);
  threshold = gtk_range_get_value (GTK_RANGE (self->threshold_scale));
  self->saved = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);

  if (self->label == NULL)
    cs_library_add_label_async (self->library, name, (const char * const *) prompts, threshold,
                                self->cancellable, on_add_done_cb, g_object_ref (self));
  else
    {
      const char * const *old = cs_label_get_prompts (self->label);
      gboolean same_prompts = g_strv_equal ((const char * const *) prompts, old);
      /* a starter label's name is shown translated: left as shown, it stays */
      gboolean same_name = g_strcmp0 (name, cs_label_get_name (self->label)) == 0
                           || g_strcmp0 (name, cs_label_get_display_name (self->label)) == 0;

      cs_library_edit_label_async (self->library, self->label, same_name ? NULL : name,
                                   same_prompts ? NULL : (const char * const *) prompts, threshold,
                                   self->cancellable, on_edit_done_cb, g_object_ref (self));
    }
}
