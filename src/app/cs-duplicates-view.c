/* cs-duplicates-view.c - groups of near-duplicate photos, and moving the
 * extra copies to the trash.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-duplicates-view"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-markup.h"
#include "cs-cancel.h"
#include "cs-duplicates-view.h"
#include "cs-photo-cell.h"

#define MAX_CELLS 6

struct _CsDuplicatesView {
  GtkWidget      parent_instance;

  GtkStack      *stack;
  GtkNoSelection *selection;
  AdwStatusPage *empty_page;

  CsLibrary     *library;
  GListModel    *groups;
  GCancellable  *cancellable;
  gboolean       busy;
};

G_DEFINE_FINAL_TYPE (CsDuplicatesView, cs_duplicates_view, GTK_TYPE_WIDGET)

/* The files trashed by one action, to undo it. */
typedef struct {
  GPtrArray *paths;   /* char*: original paths */
} TrashBatch;

static void
trash_batch_free (TrashBatch *batch)
{
  g_ptr_array_unref (batch->paths);
  g_free (batch);
}

static void
trash_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TrashBatch *batch = task_data;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  for (guint i = 0; i < batch->paths->len; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (batch->paths->pdata[i]);
      if (!g_file_trash (file, cancellable, &error))
        break;
      g_ptr_array_add (done, g_strdup (batch->paths->pdata[i]));
    }
  if (error != NULL && done->len == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_pointer (task, g_steal_pointer (&done), (GDestroyNotify) g_ptr_array_unref);
}

/* Moves back from the trash every item whose original path is one of
 * ours: the trash remembers it in trash::orig-path. */
static void
restore_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GPtrArray *paths = task_data;
  g_autoptr(GFile) trash = g_file_new_for_uri ("trash:///");
  g_autoptr(GFileEnumerator) children = NULL;
  GError *error = NULL;
  guint restored = 0;
  GFileInfo *info;

  children = g_file_enumerate_children (trash, G_FILE_ATTRIBUTE_STANDARD_NAME "," "trash::orig-path",
                                        G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (children == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while ((info = g_file_enumerator_next_file (children, cancellable, NULL)) != NULL)
    {
      const char *orig = g_file_info_get_attribute_byte_string (info, "trash::orig-path");

      for (guint i = 0; orig != NULL && i < paths->len; i++)
        if (g_strcmp0 (orig, paths->pdata[i]) == 0)
          {
            g_autoptr(GFile) item = g_file_get_child (trash, g_file_info_get_name (info));
            g_autoptr(GFile) dest = g_file_new_for_path (orig);
            if (g_file_move (item, dest, G_FILE_COPY_NONE, cancellable, NULL, NULL, NULL))
              restored++;
            break;
          }
      g_object_unref (info);
    }
  g_task_return_int (task, restored);
}

static void
toast (CsDuplicatesView *self,
       AdwToast         *t)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), t);
  else
    g_object_unref (g_object_ref_sink (t));
}

static void
on_restored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (source);
  gssize n = g_task_propagate_int (G_TASK (result), &error);

  if (n < 0)
    {
      toast (self, cs_toast_new_text (error->message));
      return;
    }
  toast (self, cs_toast_new_text (_("Photos restored")));
  cs_duplicates_view_refresh (self);
}

static void
on_undo_cb (AdwToast         *t,
            CsDuplicatesView *self)
{
  GPtrArray *paths = g_object_get_data (G_OBJECT (t), "paths");
  g_autoptr(GTask) task = g_task_new (self, NULL, on_restored_cb, NULL);

  g_task_set_task_data (task, g_ptr_array_ref (paths), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, restore_thread);
}

static void
on_trashed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (source);
  g_autoptr(GPtrArray) done = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;
  AdwToast *t;

  if (done == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot move to the trash: %s"), error->message);
      toast (self, cs_toast_new_text (message));
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo moved to the trash",
                                       "%u photos moved to the trash", done->len), done->len);
  t = cs_toast_new_text (text);
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_priority (t, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (t), "paths", g_ptr_array_ref (done), (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (t, "button-clicked", G_CALLBACK (on_undo_cb), self, 0);
  toast (self, t);
  cs_duplicates_view_refresh (self);
}

static void
on_trash_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (dialog), "group");

  if (g_strcmp0 (response, "trash") == 0)
    cs_duplicates_view_trash_extras (self, group);
}

static void
on_trash_clicked_cb (GtkButton        *button,
                     CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (button), "group");
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos) - 1;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Move %u Photo to the Trash?",
                                          "Move %u Photos to the Trash?", n), n);
  body = g_strdup_printf (_("“%s” is kept. You can restore the others from the trash."),
                          cs_photo_get_display_name (cs_duplicate_group_get_keeper (group)));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (root), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trash", _("_Move to Trash"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trash", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "group", g_object_ref (group), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_trash_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Rows are made lazily by a GtkListView: a large library can have
 * thousands of groups.  Each row widget keeps its parts in this struct. */
typedef struct {
  GtkLabel  *title;
  GtkLabel  *subtitle;
  GtkButton *button;
  GtkWidget *cells[MAX_CELLS];
} GroupRow;

static void
on_row_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 CsDuplicatesView         *self)
{
  GroupRow *row = g_new0 (GroupRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *cells = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (box, "duplicate-group");
  gtk_widget_add_css_class (box, "card");
  row->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->title), "heading");
  gtk_label_set_xalign (row->title, 0);
  row->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "caption");
  gtk_label_set_xalign (row->subtitle, 0);
  gtk_label_set_ellipsize (row->subtitle, PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (row->title));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (row->subtitle));
  gtk_widget_set_hexpand (texts, TRUE);
  row->button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("Move Others to _Trash")));
  gtk_widget_add_css_class (GTK_WIDGET (row->button), "destructive-action");
  gtk_widget_set_valign (GTK_WIDGET (row->button), GTK_ALIGN_CENTER);
  g_signal_connect_object (row->button, "clicked", G_CALLBACK (on_trash_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (header), texts);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (row->button));
  for (guint i = 0; i < MAX_CELLS; i++)
    {
      row->cells[i] = g_object_new (CS_TYPE_PHOTO_CELL, NULL);
      cs_photo_cell_set_fixed_size (CS_PHOTO_CELL (row->cells[i]), 88);
      gtk_box_append (GTK_BOX (cells), row->cells[i]);
    }
  gtk_widget_add_css_class (row->cells[0], "keeper");
  gtk_box_append (GTK_BOX (box), header);
  {
    /* the thumbnails scroll sideways in a narrow window (a phone's 360 px
     * holds three), instead of widening it */
    GtkWidget *strip = gtk_scrolled_window_new ();

    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (strip), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
    gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (strip), TRUE);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (strip), cells);
    gtk_box_append (GTK_BOX (box), strip);
  }
  g_object_set_data_full (G_OBJECT (box), "row", row, g_free);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
on_row_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                CsDuplicatesView         *self)
{
  CsDuplicateGroup *group = gtk_list_item_get_item (item);
  GroupRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (cs_duplicate_group_get_kind (group) == CS_DUPLICATE_EXACT)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u exact copy", "%u exact copies", n), n);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u similar photo", "%u similar photos", n), n);
  /* Translators: the photo kept, and why, e.g. "Keeps IMG_1.jpg: most pixels" */
  subtitle = g_strdup_printf (_("Keeps %s: %s"),
                              cs_photo_get_display_name (cs_duplicate_group_get_keeper (group)),
                              cs_duplicate_group_get_keeper_reason (group));
  gtk_label_set_label (row->title, title);
  gtk_label_set_label (row->subtitle, subtitle);
  g_object_set_data_full (G_OBJECT (row->button), "group", g_object_ref (group), g_object_unref);
  /* a group whose figures are not numbers (vectors with NaN) is no
   * evidence of anything: never offer to trash it */
  gtk_widget_set_visible (GTK_WIDGET (row->button), isfinite (cs_duplicate_group_get_similarity (group)));
  for (guint i = 0; i < MAX_CELLS; i++)
    {
      g_autoptr(CsPhoto) photo = i < n ? g_list_model_get_item (photos, i) : NULL;
      gboolean copy = photo != NULL && cs_duplicate_group_get_kind (group) == CS_DUPLICATE_NEAR
                      && cs_duplicate_group_is_exact_copy (group, i);
      g_autofree char *tip = NULL;

      cs_photo_cell_set_photo (CS_PHOTO_CELL (row->cells[i]), photo);
      gtk_widget_set_visible (row->cells[i], photo != NULL);
      /* byte-identical files inside a group of similar photos */
      if (copy)
        gtk_widget_add_css_class (row->cells[i], "exact-copy");
      else
        gtk_widget_remove_css_class (row->cells[i], "exact-copy");
      if (photo != NULL)
        /* Translators: a photo's name, then that another photo of the group has the same bytes */
        tip = copy ? g_strdup_printf (_("%s (exact copy)"), cs_photo_get_display_name (photo))
                   : g_strdup (cs_photo_get_display_name (photo));
      gtk_widget_set_tooltip_text (row->cells[i], tip);
    }
}

static void
on_row_unbind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  CsDuplicatesView         *self)
{
  GroupRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");

  for (guint i = 0; i < MAX_CELLS; i++)
    cs_photo_cell_set_photo (CS_PHOTO_CELL (row->cells[i]), NULL);
  g_object_set_data (G_OBJECT (row->button), "group", NULL);
}

static void
on_found_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates_finish (CS_LIBRARY (source), result, &error);
  CsDuplicatesView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_DUPLICATES_VIEW (user_data);
  self->busy = FALSE;
  g_set_object (&self->groups, groups);
  gtk_no_selection_set_model (self->selection, groups);
  if (groups == NULL || g_list_model_get_n_items (groups) == 0)
    {
      adw_status_page_set_title (self->empty_page, groups != NULL ? _("No Duplicates") : _("Cannot Look for Duplicates"));
      cs_status_page_set_description_text (self->empty_page,
                                           groups != NULL ? _("None of your indexed photos look alike.")
                                                          : error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
cs_duplicates_view_dispose (GObject *object)
{
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (object);

  cs_cancel_and_clear (&self->cancellable);
  g_clear_object (&self->groups);
  g_clear_object (&self->library);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_DUPLICATES_VIEW);
  /* the template's root is not a bound child */
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (cs_duplicates_view_parent_class)->dispose (object);
}

static void
cs_duplicates_view_class_init (CsDuplicatesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_duplicates_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-duplicates-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, stack);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, selection);
  gtk_widget_class_bind_template_callback (widget_class, on_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_unbind_cb);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, empty_page);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cs_duplicates_view_init (CsDuplicatesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
cs_duplicates_view_set_library (CsDuplicatesView *self,
                                CsLibrary        *library)
{
  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  g_set_object (&self->library, library);
}

void
cs_duplicates_view_refresh (CsDuplicatesView *self)
{
  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  if (self->library == NULL)
    return;
  cs_cancel_and_clear (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = TRUE;
  if (self->groups == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  cs_library_find_duplicates_async (self->library, 0, self->cancellable, on_found_cb, self);
}

GListModel *
cs_duplicates_view_get_groups (CsDuplicatesView *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), NULL);
  return self->groups;
}

gboolean
cs_duplicates_view_get_busy (CsDuplicatesView *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), FALSE);
  return self->busy;
}

void
cs_duplicates_view_trash_extras (CsDuplicatesView *self,
                                 CsDuplicateGroup *group)
{
  GListModel *photos;
  TrashBatch *batch;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  photos = cs_duplicate_group_get_photos (group);
  batch = g_new0 (TrashBatch, 1);
  batch->paths = g_ptr_array_new_with_free_func (g_free);
  /* the keeper comes first and stays */
  for (guint i = 1; i < g_list_model_get_n_items (photos); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      g_ptr_array_add (batch->paths, g_strdup (cs_photo_get_path (photo)));
    }
  task = g_task_new (self, NULL, on_trashed_cb, NULL);
  g_task_set_task_data (task, batch, (GDestroyNotify) trash_batch_free);
  g_task_run_in_thread (task, trash_thread);
}
