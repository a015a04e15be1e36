/* cs-window-actions.c - the window's win.* actions and the file choosers
 * they open.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-app-enums.h"
#include "cs-compat.h"
#include "cs-compat-grid.h"
#include "cs-date-range-dialog.h"
#include "cs-label-dialog.h"
#include "cs-label-names.h"
#include "cs-markup.h"
#include "cs-photo-trash.h"
#include "cs-preferences.h"
#include "cs-window-private.h"

typedef void (*ChosenFunc) (CsWindow *self, GFile *file);

typedef struct {
  CsWindow   *window;
  ChosenFunc  func;
} Chosen;

static void
on_file_chosen (GFile    *file,
                gpointer  user_data)
{
  Chosen *chosen = user_data;

  chosen->func (chosen->window, file);
}

static void
chosen_free (gpointer user_data)
{
  Chosen *chosen = user_data;

  g_object_unref (chosen->window);
  g_free (chosen);
}

/* a folder, or a file passing `filter` when that is not NULL */
static void
choose (CsWindow      *self,
        const char    *title,
        GtkFileFilter *filter,
        ChosenFunc     func)
{
  Chosen *chosen = g_new0 (Chosen, 1);

  chosen->window = g_object_ref (self);
  chosen->func = func;
  cs_compat_choose_file (GTK_WIDGET (self), title, filter == NULL, filter, on_file_chosen, chosen,
                         chosen_free);
}

static void
welcome_folder_chosen (CsWindow *self,
                       GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  cs_welcome_page_set_folder (self->welcome_page, path);
}

static void
folder_chosen (CsWindow *self,
               GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *display = NULL;
  g_autofree char *message = NULL;

  if (path == NULL)
    return;
  cs_application_add_folder (self->app, path);
  display = g_filename_display_basename (path);
  message = g_strdup_printf (_("Adding photos from “%s”"), display);
  _cs_window_toast (self, message);
}

static void
model_chosen (CsWindow *self,
              GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *config = path != NULL ? g_build_filename (path, "config.json", NULL) : NULL;

  if (config == NULL || !g_file_test (config, G_FILE_TEST_IS_REGULAR))
    {
      _cs_window_toast (self, _("That folder holds no CLIP model (config.json is missing)"));
      return;
    }
  cs_application_set_model_dir (self->app, path);
}

static void
filter_folder_chosen (CsWindow *self,
                      GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    g_action_group_change_action_state (G_ACTION_GROUP (self), "folder-filter", g_variant_new_string (path));
}

/* The entry's placeholder names the file while "Find Photos Like a
 * File" is the search (its text is empty then: text and file together
 * would make one combined query nobody asked for), and says what to type
 * otherwise. */
static void
sync_search_placeholder (CsWindow *self)
{
  const char *plain = g_object_get_data (G_OBJECT (self->search_entry), "cs-plain-placeholder");
  g_autofree char *text = NULL;

  if (self->image_query != NULL)
    {
      g_autofree char *name = g_filename_display_basename (self->image_query);
      /* Translators: shown in the empty search entry; %s is a file name */
      text = g_strdup_printf (_("Photos like %s"), name);
    }
  g_object_set (self->search_entry, "placeholder-text", text != NULL ? text : plain, NULL);
}

static void
on_search_shown_cb (CsWindow *self)
{
  sync_search_placeholder (self);
}

static void
image_chosen (CsWindow *self,
              GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  gboolean had_text;

  if (path == NULL)
    {
      _cs_window_toast (self, _("Only local files can be searched for"));
      return;
    }
  /* the file replaces a typed query (the entry's handler, which drops
   * the file when the text changes, is held off meanwhile) */
  had_text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0';
  g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA,
                                   g_signal_lookup ("search-changed", GTK_TYPE_SEARCH_ENTRY), 0,
                                   NULL, NULL, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA,
                                     g_signal_lookup ("search-changed", GTK_TYPE_SEARCH_ENTRY), 0,
                                     NULL, NULL, self);
  g_free (self->image_query);
  self->image_query = g_steal_pointer (&path);
  self->similar_to = 0;
  self->scroll_to_top = TRUE;
  sync_search_placeholder (self);
  if (self->mode != MODE_SEARCH)
    _cs_window_show_search (self);
  _cs_window_run_search (self);

  name = g_filename_display_basename (self->image_query);
  if (had_text)
    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Photos like %s, instead of the words typed"), name);
  else
    text = g_strdup_printf (_("Photos like %s"), name);
  _cs_window_toast (self, text);
}

/* RAW files are read through the preview the camera embedded
 * (cs_raw_is_raw_name(): keep the two lists alike).  By suffix: few
 * systems know a MIME type for each of them. */
static const char *const raw_suffixes[] = {
  "cr2", "cr3", "nef", "nrw", "arw", "srf", "sr2", "dng", "orf", "rw2", "raf", "pef", "srw", "3fr",
  "rwl", "iiq", "x3f",
};

/* The images Clipsight can find photos like: what GdkPixbuf reads
 * (but drawings, which are not indexed either) and camera RAW. */
static GtkFileFilter *
image_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  GSList *formats = gdk_pixbuf_get_formats ();

  gtk_file_filter_set_name (filter, _("Images"));
  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (l->data);

      if (gdk_pixbuf_format_is_disabled (l->data) || types == NULL)
        continue;
      for (guint i = 0; types[i] != NULL; i++)
        if (!g_str_has_prefix (types[i], "image/svg"))
          gtk_file_filter_add_mime_type (filter, types[i]);
    }
  g_slist_free (formats);
  for (guint i = 0; i < G_N_ELEMENTS (raw_suffixes); i++)
    gtk_file_filter_add_suffix (filter, raw_suffixes[i]);
  return filter;
}

/* ------------------------------------------------------------------ */
/* Actions                                                              */
/* ------------------------------------------------------------------ */

static void
search_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "library") != 0)
    return;
  if (self->mode != MODE_SEARCH)
    _cs_window_show_search (self);
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
add_folder_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Add a Photo Folder"), NULL, folder_chosen);
}

static void
choose_welcome_folder_action (GtkWidget  *widget,
                              const char *name,
                              GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Choose a Photo Folder"), NULL,
          welcome_folder_chosen);
}

static void
choose_model_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Choose a CLIP Model Folder"), NULL,
          model_chosen);
}

static void
on_download_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsWindow) self = user_data;

  if (cs_model_manager_download_finish (CS_MODEL_MANAGER (source), result, &error))
    _cs_window_toast (self, _("The search model is ready"));
}

static void
download_model_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  cs_model_manager_download_async (self->model_manager, NULL, on_download_done_cb, g_object_ref (self));
}

static void
cancel_download_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  cs_model_manager_cancel (CS_WINDOW (widget)->model_manager);
}

static void
start_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *folder = cs_welcome_page_get_folder (self->welcome_page);

  if (folder != NULL)
    cs_application_add_folder (self->app, folder);
  _cs_window_update_view (self);
}

static void
pause_indexing_action (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  cs_application_set_user_paused (self->app, g_variant_get_boolean (state));
}

/* The indexing bar's warning: the files not indexed, every one the
 * database holds (the run's own list lacks those that failed in earlier
 * runs and were not tried again), in the preferences where they stay
 * listed after the bar is gone. */
static void
show_failures_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsPreferences *prefs = cs_preferences_new (self->app);

  cs_preferences_show_failures (prefs);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (self));
}

static void
sort_action (GSimpleAction *action,
             GVariant      *state,
             gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);

  g_simple_action_set_state (action, state);
  g_settings_set_string (self->settings, "sort-order", g_variant_get_string (state, NULL));
  _cs_window_run_search (self);
}

static CsDateFilter
date_filter_from_nick (const char *nick)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (CS_TYPE_DATE_FILTER);
  GEnumValue *value = g_enum_get_value_by_nick (enum_class, nick);

  return value != NULL ? (CsDateFilter) value->value : CS_DATE_FILTER_ANY;
}

static void
date_filter_action (GSimpleAction *action,
                    GVariant      *state,
                    gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  CsDateFilter filter = date_filter_from_nick (g_variant_get_string (state, NULL));

  /* "Custom Range…" asks for the range (again, when one is in use): the
   * filter changes when the dialog applies it, through win.date-range */
  if (filter == CS_DATE_FILTER_CUSTOM)
    {
      cs_date_range_dialog_present (self);
      return;
    }
  g_simple_action_set_state (action, state);
  self->date_filter = filter;
  _cs_window_run_search (self);
}

/* The photos taken at or after the first bound and strictly before the
 * second (Unix seconds, CsQuery's bounds): the Custom Range dialog's
 * Apply, and a way for tests and scripts to set a range. */
static void
date_range_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  GAction *filter = g_action_map_lookup_action (G_ACTION_MAP (self), "date-filter");
  gint64 after, before;

  g_variant_get (param, "(xx)", &after, &before);
  if (before <= after)
    {
      g_warning ("win.date-range: the range ends (%" G_GINT64_FORMAT ") at or before it starts (%"
                 G_GINT64_FORMAT "): ignored", before, after);
      return;
    }
  self->range_after = after;
  self->range_before = before;
  self->date_filter = CS_DATE_FILTER_CUSTOM;
  g_simple_action_set_state (G_SIMPLE_ACTION (filter), g_variant_new_string ("custom"));
  _cs_window_run_search (self);
}

/* The folder choices of the search options: all folders, the library's
 * folders (the name alone unless two share it), the folder chosen last if
 * it is none of them, and a chooser for any other. */
void
_cs_window_update_folder_menu (CsWindow *self)
{
  const char *const *folders = cs_indexer_get_folders (self->indexer, FALSE);
  gboolean listed = self->folder_filter == NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  g_menu_remove_all (self->folder_section);
  g_menu_append (self->folder_section, _("_All Folders"), "win.folder-filter::");
  for (guint i = 0; folders[i] != NULL; i++)
    {
      g_ptr_array_add (paths, (gpointer) folders[i]);
      listed |= g_strcmp0 (folders[i], self->folder_filter) == 0;
    }
  if (!listed)
    g_ptr_array_add (paths, self->folder_filter);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add (names, g_filename_display_basename (paths->pdata[i]));
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *full = NULL;
      const char *name = names->pdata[i];
      g_autoptr(GMenuItem) item = NULL;

      /* a name two folders share is shown as the whole path */
      for (guint j = 0; j < names->len; j++)
        if (j != i && g_str_equal (name, names->pdata[j]))
          {
            name = full = g_filename_display_name (paths->pdata[i]);
            break;
          }
      g_auto(GStrv) parts = g_strsplit (name, "_", -1);
      g_autofree char *label = g_strjoinv ("__", parts);  /* the name as it is, no mnemonic */

      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.folder-filter",
                                               g_variant_new_string (paths->pdata[i]));
      g_menu_append_item (self->folder_section, item);
    }
  g_menu_append (self->folder_section, _("Only in _Folder…"), "win.choose-folder-filter");
}

static void
folder_filter_action (GSimpleAction *action,
                      GVariant      *state,
                      gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  const char *path = g_variant_get_string (state, NULL);

  g_simple_action_set_state (action, state);
  g_free (self->folder_filter);
  self->folder_filter = path[0] != '\0' ? g_strdup (path) : NULL;
  _cs_window_update_folder_menu (self);
  _cs_window_run_search (self);
}

static void
choose_folder_filter_action (GtkWidget  *widget,
                             const char *name,
                             GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Search Only in Folder"), NULL,
          filter_folder_chosen);
}

static void
search_by_image_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  g_autoptr(GtkFileFilter) filter = image_filter_new ();

  choose (CS_WINDOW (widget), _("Find Photos Like…"), filter, image_chosen);
}

static void
show_duplicates_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  _cs_window_show_duplicates (self);
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
new_label_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsLabelDialog *dialog = cs_label_dialog_new (self->library, self->settings, NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_label_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsLabelDialog *dialog;

  if (self->label == NULL)
    return;
  dialog = cs_label_dialog_new (self->library, self->settings, self->label);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_label_removed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsWindow) self = user_data;

  if (!cs_library_remove_label_finish (CS_LIBRARY (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _cs_window_toast (self, error->message);
}

static void
on_remove_label_response_cb (GtkWidget        *dialog,
                             const char       *response,
                             CsWindow         *self)
{
  CsLabel *label = g_object_get_data (G_OBJECT (dialog), "label");

  if (g_strcmp0 (response, "remove") == 0)
    cs_library_remove_label_async (self->library, label, self->cancellable, on_label_removed_cb,
                                   g_object_ref (self));
}

static void
remove_label_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->label == NULL)
    return;
  heading = g_strdup_printf (_("Remove “%s”?"), cs_label_get_display_name (self->label));
  dialog = cs_compat_alert_new (heading,
                                _("The label and what you taught it are "
                                  "forgotten. Your photos stay as they are."));
  cs_compat_alert_add_response (dialog, "cancel", _("_Cancel"), FALSE);
  cs_compat_alert_add_response (dialog, "remove", _("_Remove"), TRUE);
  cs_compat_alert_set_cancel (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "label", g_object_ref (self->label), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_label_response_cb), self, 0);
  cs_compat_alert_present (dialog, GTK_WIDGET (self));
}

static void
on_starter_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsWindow) self = user_data;
  guint n = 0;

  if (!cs_library_add_starter_labels_finish (CS_LIBRARY (source), result, &n, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _cs_window_toast (self, error->message);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u label added",
                                                          "%u labels added", n), n);
    _cs_window_toast (self, text);
  }
}

static void
starter_labels_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  cs_library_add_starter_labels_async (self->library, self->cancellable, on_starter_done_cb,
                                       g_object_ref (self));
}

static void
selected_verdict (CsWindow  *self,
                  CsVerdict  verdict)
{
  g_autoptr(GPtrArray) photos = cs_photo_grid_dup_selected (self->grid);

  if (self->mode != MODE_LABEL)
    return;
  _cs_window_set_verdict (self, self->label, photos, verdict);
  gtk_selection_model_unselect_all (cs_photo_grid_get_selection (self->grid));
}

static void
confirm_selected_action (GtkWidget  *widget,
                         const char *name,
                         GVariant   *param)
{
  selected_verdict (CS_WINDOW (widget), CS_VERDICT_CONFIRM);
}

static void
reject_selected_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  selected_verdict (CS_WINDOW (widget), CS_VERDICT_REJECT);
}

/* ------------------------------------------------------------------ */
/* The photos' actions (the grid's context menu, Delete)                */
/* ------------------------------------------------------------------ */

/* The first selected photo and its position, or NULL. */
static CsPhoto *
dup_first_selected (CsWindow *self,
                    guint    *position)
{
  GtkSelectionModel *model = cs_photo_grid_get_selection (self->grid);
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (model);

  if (gtk_bitset_is_empty (set))
    return NULL;
  *position = gtk_bitset_get_minimum (set);
  return g_list_model_get_item (G_LIST_MODEL (model), *position);
}

static void
open_photo_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  guint position;
  g_autoptr(CsPhoto) photo = dup_first_selected (self, &position);

  if (photo != NULL)
    g_signal_emit_by_name (self->grid, "photo-activated", photo, position);
}

static void
on_opened_with_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_compat_open_with_finish (result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot open the photo: %s"), error->message);
      _cs_window_toast (self, text);
    }
}

/* What Open With and Show in Files have in common: the first selected
 * photo's file handed to the desktop, `done` called with a reference on
 * the window. */
typedef void (*LaunchFunc) (GtkWindow           *parent,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);

static void
launch_first_selected (CsWindow            *self,
                       LaunchFunc           launch,
                       GAsyncReadyCallback  done)
{
  guint position;
  g_autoptr(CsPhoto) photo = dup_first_selected (self, &position);
  g_autoptr(GFile) file = NULL;

  if (photo == NULL)
    return;
  file = cs_photo_dup_file (photo);
  launch (GTK_WINDOW (self), file, NULL, done, g_object_ref (self));
}

static void
open_photo_with_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  launch_first_selected (CS_WINDOW (widget), cs_compat_open_with_async, on_opened_with_cb);
}

static void
on_shown_in_files_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_compat_show_in_folder_finish (result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot show the photo in Files: %s"), error->message);
      _cs_window_toast (self, text);
    }
}

static void
show_photo_in_files_action (GtkWidget  *widget,
                            const char *name,
                            GVariant   *param)
{
  launch_first_selected (CS_WINDOW (widget), cs_compat_show_in_folder_async, on_shown_in_files_cb);
}

/* The whole image, upright, decoded off the main loop (a 50-megapixel
 * photo takes a second). */
static void
load_texture_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autoptr(GdkPixbuf) upright = NULL;

  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  upright = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (upright != NULL ? upright : pixbuf), g_object_unref);
}

static void
on_texture_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  CsWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_WINDOW (source);
  if (texture == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot copy the image: %s"), error->message);
      _cs_window_toast (self, text);
      return;
    }
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  _cs_window_toast (self, _("Image copied"));
}

static void
copy_photo_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  guint position;
  g_autoptr(CsPhoto) photo = dup_first_selected (self, &position);
  g_autoptr(GTask) task = NULL;

  if (photo == NULL)
    return;
  task = g_task_new (self, self->cancellable, on_texture_loaded_cb, NULL);
  g_task_set_source_tag (task, copy_photo_action);
  g_task_set_task_data (task, g_strdup (cs_photo_get_path (photo)), g_free);
  g_task_run_in_thread (task, load_texture_thread);
}

static void
find_similar_photo_action (GtkWidget  *widget,
                           const char *name,
                           GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  guint position;
  g_autoptr(CsPhoto) photo = dup_first_selected (self, &position);

  if (photo == NULL)
    return;
  _cs_window_find_similar (self, photo);
  /* the keyboard stays on the photos (from a menu that closed, it went to
   * the next focusable widget: the toast's button, which holds the toast
   * up for as long as it has the focus) */
  gtk_widget_grab_focus (GTK_WIDGET (cs_photo_grid_get_view (self->grid)));
}

static void
on_restored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = cs_photo_restore_finish (result, &error);

  if (n < 0)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot restore the photos: %s"), error->message);
      _cs_window_toast (self, text);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Restored %u photo",
                                                          "Restored %u photos", (guint) n), (guint) n);
    _cs_window_toast (self, text);
  }
}

static void
on_trash_undo_cb (AdwToast *toast,
                  CsWindow *self)
{
  g_autoptr(GPtrArray) paths = g_object_steal_data (G_OBJECT (toast), "cs-trashed");

  if (paths != NULL)   /* once */
    cs_photo_restore_async (paths, NULL, on_restored_cb, g_object_ref (self));
}

static void
on_trashed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) done = cs_photo_trash_finish (result, &error);

  if (done != NULL && done->len > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Moved %u photo to trash",
                                                            "Moved %u photos to trash", done->len), done->len);
      AdwToast *toast = cs_toast_new_text (text);

      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "cs-trashed", g_ptr_array_ref (done),
                              (GDestroyNotify) g_ptr_array_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_trash_undo_cb), self, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  if (error != NULL)
    {
      /* the whole reason, which a toast would cut off, and what stayed */
      GtkWidget *alert = cs_compat_alert_new (_("Cannot Move to the Trash"), error->message);

      gtk_widget_add_css_class (alert, "photos-trash-error");
      cs_compat_alert_add_response (alert, "close", _("_Close"), FALSE);
      cs_compat_alert_set_cancel (alert, "close");
      cs_compat_alert_present (alert, GTK_WIDGET (self));
      /* the alert's words where a log reader (or the sandbox smoke test,
       * with G_MESSAGES_DEBUG=cs-window) can see them */
      g_debug ("Move to Trash refused, said in an alert: %s", error->message);
    }
}

static void
trash_photos_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GPtrArray) photos = cs_photo_grid_dup_selected (self->grid);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (photos->len == 0)
    return;
  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, (gpointer) cs_photo_get_path (photos->pdata[i]));
  cs_photo_trash_async (paths, NULL, on_trashed_cb, g_object_ref (self));
  /* the trashed photos go from the grid when the library sees them go */
  gtk_selection_model_unselect_all (cs_photo_grid_get_selection (self->grid));
}

/* win.trash-photo, on the window's action group (exported on D-Bus with
 * it): one photo of the library, named by its path or file URI, moved to
 * the trash as the grid's Move to Trash does, with the same toast or
 * alert.  For what acts on the app from outside (the sandbox smoke test
 * checks a refused trash through it); a file the library does not have
 * is refused, never trashed. */
static void
trash_photo_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (param, NULL));
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *canon = path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
  g_autoptr(CsPhoto) photo = canon != NULL && self->library != NULL
                             ? cs_library_lookup_path (self->library, canon) : NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (photo == NULL)
    {
      g_autofree char *display = g_file_get_parse_name (file);
      g_autofree char *text = g_strdup_printf (_("%s is not in the library"), display);

      g_debug ("not trashed: %s", text);
      _cs_window_toast (self, text);
      return;
    }
  g_ptr_array_add (paths, (gpointer) cs_photo_get_path (photo));
  cs_photo_trash_async (paths, NULL, on_trashed_cb, g_object_ref (self));
}

static const char *const photo_actions[] = {
  "win.open-photo", "win.open-photo-with", "win.show-photo-in-files", "win.copy-photo",
  "win.find-similar-photo", "win.trash-photos",
};

/* The photos' actions act on the selection: none, nothing to act on. */
static void
on_photo_selection_changed_cb (GtkSelectionModel *model,
                               guint              position,
                               guint              n_items,
                               CsWindow          *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (model);
  gboolean any = !gtk_bitset_is_empty (set);

  for (guint i = 0; i < G_N_ELEMENTS (photo_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), photo_actions[i], any);
}

static void
on_pause_changed_cb (GObject    *object,
                     GParamSpec *pspec,
                     CsWindow   *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "pause-indexing");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (cs_application_get_user_paused (self->app)));
}

/* In the window's GActionMap, exported on D-Bus (the widget actions above
 * are not) */
static const GActionEntry map_actions[] = {
  { "pause-indexing", NULL, NULL, "false", pause_indexing_action },
  { "sort", NULL, "s", "'relevance'", sort_action },
  { "date-filter", NULL, "s", "'any'", date_filter_action },
  { "date-range", date_range_action, "(xx)" },
  { "folder-filter", NULL, "s", "''", folder_filter_action },
  { "trash-photo", trash_photo_action, "s" },
};

void
_cs_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.add-folder", NULL, add_folder_action);
  gtk_widget_class_install_action (widget_class, "win.choose-welcome-folder", NULL, choose_welcome_folder_action);
  gtk_widget_class_install_action (widget_class, "win.choose-model", NULL, choose_model_action);
  gtk_widget_class_install_action (widget_class, "win.download-model", NULL, download_model_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-download", NULL, cancel_download_action);
  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.show-failures", NULL, show_failures_action);
  gtk_widget_class_install_action (widget_class, "win.choose-folder-filter", NULL, choose_folder_filter_action);
  gtk_widget_class_install_action (widget_class, "win.search-by-image", NULL, search_by_image_action);
  gtk_widget_class_install_action (widget_class, "win.show-duplicates", NULL, show_duplicates_action);
  gtk_widget_class_install_action (widget_class, "win.new-label", NULL, new_label_action);
  gtk_widget_class_install_action (widget_class, "win.edit-label", NULL, edit_label_action);
  gtk_widget_class_install_action (widget_class, "win.remove-label", NULL, remove_label_action);
  gtk_widget_class_install_action (widget_class, "win.starter-labels", NULL, starter_labels_action);
  gtk_widget_class_install_action (widget_class, "win.confirm-selected", NULL, confirm_selected_action);
  gtk_widget_class_install_action (widget_class, "win.reject-selected", NULL, reject_selected_action);

  gtk_widget_class_install_action (widget_class, "win.open-photo", NULL, open_photo_action);
  gtk_widget_class_install_action (widget_class, "win.open-photo-with", NULL, open_photo_with_action);
  gtk_widget_class_install_action (widget_class, "win.show-photo-in-files", NULL, show_photo_in_files_action);
  gtk_widget_class_install_action (widget_class, "win.copy-photo", NULL, copy_photo_action);
  gtk_widget_class_install_action (widget_class, "win.find-similar-photo", NULL, find_similar_photo_action);
  gtk_widget_class_install_action (widget_class, "win.trash-photos", NULL, trash_photos_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-label", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-folder", NULL);
}

/* What needs a library is off on the welcome page, so the main menu
 * offers nothing there that would do nothing (or add a folder behind the
 * page's own choice): New Label (Ctrl+N), Add Folder (Ctrl+O), Find
 * Duplicates. */
static void
on_main_page_changed_cb (GtkStack   *stack,
                         GParamSpec *pspec,
                         CsWindow   *self)
{
  static const char *const library_actions[] = { "win.new-label", "win.add-folder", "win.show-duplicates" };
  gboolean library = g_strcmp0 (gtk_stack_get_visible_child_name (stack), "welcome") != 0;

  for (guint i = 0; i < G_N_ELEMENTS (library_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), library_actions[i], library);
}

/* The stateful actions, and the menus they fill. */
void
_cs_window_actions_init (CsWindow *self)
{
  GAction *sort;
  char *plain = NULL;

  g_action_map_add_action_entries (G_ACTION_MAP (self), map_actions, G_N_ELEMENTS (map_actions), self);
  sort = g_action_map_lookup_action (G_ACTION_MAP (self), "sort");
  g_simple_action_set_state (G_SIMPLE_ACTION (sort),
                             g_variant_new_take_string (g_settings_get_string (self->settings, "sort-order")));
  g_signal_connect_object (self->app, "notify::user-paused", G_CALLBACK (on_pause_changed_cb), self, 0);
  g_signal_connect_object (self->app, "notify::policy-paused", G_CALLBACK (on_pause_changed_cb), self, 0);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name", G_CALLBACK (on_main_page_changed_cb),
                           self, 0);
  on_main_page_changed_cb (self->main_stack, NULL, self);
  g_signal_connect_object (cs_photo_grid_get_selection (self->grid), "selection-changed",
                           G_CALLBACK (on_photo_selection_changed_cb), self, 0);
  on_photo_selection_changed_cb (cs_photo_grid_get_selection (self->grid), 0, 0, self);

  g_object_get (self->search_entry, "placeholder-text", &plain, NULL);
  g_object_set_data_full (G_OBJECT (self->search_entry), "cs-plain-placeholder", plain, g_free);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (on_search_shown_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self, "results-changed", G_CALLBACK (on_search_shown_cb), self, G_CONNECT_SWAPPED);
}
