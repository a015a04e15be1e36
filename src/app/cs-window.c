/* cs-window.c - the main window: search, labels, duplicates, one photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows the library's state and never waits for it: searches,
 * listings and label changes are _async calls whose results are applied
 * only if they are still the current request (a cancellable per request,
 * cancelled when a newer one starts).
 */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-markup.h"
#include "cs-cancel.h"
#include "cs-compat.h"
#include "cs-duplicates-view.h"
#include "cs-label-names.h"
#include "cs-label-row.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-stall-monitor.h"
#include "cs-window-private.h"

/* The sidebar's one width, and the least the photos get beside it: below
 * both together the window shows one at a time (issue 17: 360 px is the
 * narrowest a phone gives). */
#define CS_WINDOW_SIDEBAR_WIDTH     240
#define CS_WINDOW_CONTENT_MIN_WIDTH 360

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SIGNAL_RESULTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

void
_cs_window_toast (CsWindow   *self,
                  const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, cs_toast_new_text (message));
}

gboolean
_cs_window_needs_welcome (CsWindow *self)
{
  const char *const *folders = cs_indexer_get_folders (self->indexer, FALSE);
  return folders[0] == NULL || cs_application_get_model_dir (self->app) == NULL;
}

void
_cs_window_set_status (CsWindow   *self,
                       const char *icon,
                       const char *title,
                       const char *description)
{
  adw_status_page_set_icon_name (self->status_page, icon);
  adw_status_page_set_title (self->status_page, title);
  cs_status_page_set_description_text (self->status_page, description);
  /* the one status with a button: filters hiding every match */
  gtk_widget_set_visible (self->clear_filters_button, FALSE);
  gtk_stack_set_visible_child_name (self->content_stack, "status");
}

static void
on_index_failed_cb (CsApplication *app,
                    const char    *message,
                    CsWindow      *self)
{
  g_autofree char *text = g_strdup_printf (_("Indexing stopped: %s"), message);
  _cs_window_toast (self, text);
}

/* ------------------------------------------------------------------ */
/* The welcome page and the sidebar                                    */
/* ------------------------------------------------------------------ */

static void
on_model_dir_changed_cb (GObject    *object,
                         GParamSpec *pspec,
                         CsWindow   *self)
{
  _cs_window_update_view (self);
}

/* Collapsing keeps the photos in view, not the sidebar. */
static void
on_split_collapsed_cb (GObject    *split,
                       GParamSpec *pspec,
                       CsWindow   *self)
{
  if (cs_compat_split_view_get_collapsed (self->leaflet))
    cs_compat_split_view_show_content (self->leaflet, TRUE);
}

static void
on_folders_changed_cb (CsIndexer *indexer,
                       CsWindow  *self)
{
  _cs_window_update_folder_menu (self);
  _cs_window_update_view (self);
}

/* ------------------------------------------------------------------ */
/* What the content area shows                                          */
/* ------------------------------------------------------------------ */

void
_cs_window_update_photo_count (CsWindow *self)
{
  guint n = cs_library_get_n_photos (self->library);
  g_autofree char *text = g_strdup_printf ("%'u", n);
  gtk_label_set_label (self->photo_count_label, n > 0 ? text : "");
}

static void
update_search_status (CsWindow *self)
{
  guint n = cs_library_get_n_photos (self->library);

  if (self->search_error != NULL)
    {
      _cs_window_set_status (self, "dialog-warning-symbolic", _("Search Failed"), self->search_error);
      return;
    }
  if (!cs_library_get_has_model (self->library) && cs_library_get_loaded (self->library)
      && cs_application_get_model_dir (self->app) == NULL)
    {
      _cs_window_set_status (self, "system-search-symbolic", _("No Search Model"),
                             _("Download the model or choose a model folder in Preferences."));
      return;
    }
  /* no query: the photos by date, once they came (issue 17), else the
   * start page */
  if (!_cs_window_has_query (self)
      && (self->results == NULL || cs_photo_list_get_n_items (self->results) == 0))
    {
      if (n == 0)
        {
          if (cs_indexer_get_running (self->indexer))
            _cs_window_set_status (self, "image-x-generic-symbolic", _("Nothing Indexed Yet"),
                                   _("Your photos become searchable as they are indexed."));
          else
            _cs_window_set_status (self, "image-x-generic-symbolic", _("No Photos"),
                                   _("Add a folder of photos from the main menu."));
        }
      else
        {
          g_autofree char *desc =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Describe what you are looking for among %'u photo, "
                                          "like “a dog on the beach”. Combine ideas with + and −.",
                                          "Describe what you are looking for among %'u photos, "
                                          "like “a dog on the beach”. Combine ideas with + and −.",
                                          n), n);
          _cs_window_set_status (self, "system-search-symbolic", _("Search Your Photos"), desc);
        }
      return;
    }
  if (self->results == NULL)
    return;   /* the first results are on their way */
  {
    guint n_items = cs_photo_list_get_n_items (self->results);
    guint accepted = MIN (cs_photo_list_get_n_accepted (self->results), n_items);
    guint rest = n_items - accepted;
    CsQuery *query = cs_photo_list_get_query (self->results);
    g_autofree char *text = NULL;

    /* at the loosest every photo passing the filters is listed: they are
     * not all good matches */
    if (cs_photo_list_get_cutoff (self->results) == -INFINITY)
      {
        if (query != NULL && cs_query_get_sort (query) == CS_SORT_DATE)
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u photo, newest first",
                                               "%'u photos, newest first", n_items), n_items);
        else
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u photo, best matches first",
                                               "%'u photos, best matches first", n_items), n_items);
      }
    else
      {
        g_autofree char *first = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u good match",
                                                               "%'u good matches", accepted), accepted);
        g_autofree char *second = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "then %'u less likely photo",
                                                                "then %'u less likely photos", rest), rest);
        text = rest > 0 ? g_strdup_printf ("%s, %s", first, second) : g_strdup (first);
      }
    gtk_label_set_label (self->results_label, text);
    gtk_widget_set_visible (GTK_WIDGET (self->results_label), TRUE);
  }
  if (cs_photo_list_get_n_items (self->results) == 0)
    {
      if (n == 0)
        _cs_window_set_status (self, "image-x-generic-symbolic", _("Nothing Indexed Yet"),
                               _("Your photos become searchable as they are indexed."));
      else if (_cs_window_has_filters (self))
        {
          /* the filters, not the words, may be what leaves nothing: say
           * so, and offer the way out (issue 17) */
          _cs_window_set_status (self, "edit-find-symbolic", _("No Matches With These Filters"),
                                 _("No photo matches within the filters in use. "
                                   "Clear them to search all your photos."));
          gtk_widget_set_visible (self->clear_filters_button, TRUE);
        }
      else
        _cs_window_set_status (self, "edit-find-symbolic", _("No Matches"),
                               _("Try describing the photo differently, or make the search looser."));
      return;
    }
  gtk_stack_set_visible_child_name (self->content_stack, "grid");
}

void
_cs_window_update_view (CsWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  if (_cs_window_needs_welcome (self))
    {
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
      return;
    }
  if (g_strcmp0 (page, "photo") != 0)
    gtk_stack_set_visible_child_name (self->main_stack, "library");

  gtk_widget_set_visible (self->options_button, self->mode == MODE_SEARCH);
  gtk_widget_set_visible (self->label_menu_button, self->mode == MODE_LABEL);
  gtk_stack_set_visible_child_name (self->title_stack, self->mode == MODE_SEARCH ? "search" : "title");
  gtk_widget_set_visible (GTK_WIDGET (self->results_label), FALSE);
  gtk_widget_set_visible (self->clear_filters_button, FALSE);
  gtk_widget_set_visible (self->new_results_button, self->mode == MODE_SEARCH && self->held_results != NULL);
  _cs_window_update_photo_count (self);
  _cs_window_update_filter_bar (self);
  _cs_window_suggested_update_view (self);

  switch (self->mode)
    {
    case MODE_SEARCH:
      /* Results, a start page or "No Matches" follow the keys typed: they
       * show at once, a crossfade would only delay them (200 ms, issue
       * 17).  Going to a label or the duplicates keeps it. */
      gtk_stack_set_transition_type (self->content_stack, GTK_STACK_TRANSITION_TYPE_NONE);
      update_search_status (self);
      gtk_stack_set_transition_type (self->content_stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
      break;
    case MODE_LABEL:
      {
        guint count = cs_label_get_count (self->label);
        g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u photo", "%'u photos",
                                                                  count), count);
        adw_window_title_set_title (self->content_title, cs_label_get_display_name (self->label));
        adw_window_title_set_subtitle (self->content_title, subtitle);
        if (self->results != NULL && cs_photo_list_get_n_items (self->results) == 0)
          _cs_window_set_status (self, "cs-label-symbolic", _("No Photos in This Label"),
                                 _("Make the label looser in its settings, or describe it with other words."));
        else
          gtk_stack_set_visible_child_name (self->content_stack, "grid");
      }
      break;
    case MODE_DUPLICATES:
      adw_window_title_set_title (self->content_title, _("Duplicates"));
      adw_window_title_set_subtitle (self->content_title, NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "duplicates");
      break;
    case MODE_SUGGESTION:  /* cs-window-suggested.c, above */
      break;
    default:
      g_assert_not_reached ();
    }

  /* The library view just showed (the window opened, or the welcome page
   * went): the focus starts in the search entry, not on the sidebar's
   * first button, so that typing is a query from the first key.  Without
   * selecting the text: a query being typed while the page flips (the
   * only folder removed, then put back with Undo) would be replaced by
   * the next key. */
  if (self->mode == MODE_SEARCH && g_strcmp0 (page, "library") != 0 && g_strcmp0 (page, "photo") != 0)
    _cs_window_focus_search_entry (self);
}

void
_cs_window_update_selection (CsWindow *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (cs_photo_grid_get_selection (self->grid));
  guint64 n = gtk_bitset_get_size (set);

  gtk_revealer_set_reveal_child (self->selection_revealer, self->mode == MODE_LABEL && n > 0);
  if (n > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected",
                                                            "%u selected", (gulong) n), (guint) n);
      gtk_label_set_label (self->selection_label, text);
    }
}

static void
on_selection_changed_cb (GtkSelectionModel *model,
                         guint              position,
                         guint              n_items,
                         CsWindow          *self)
{
  _cs_window_update_selection (self);
}

/* ------------------------------------------------------------------ */
/* Labels                                                               */
/* ------------------------------------------------------------------ */

static void
show_label (CsWindow *self,
            CsLabel  *label)
{

  cs_cancel_and_clear (&self->search_cancellable);
  _cs_window_set_busy (self, FALSE);
  self->mode = MODE_LABEL;
  self->scroll_to_top = self->label != label;
  g_set_object (&self->label, label);
  g_signal_group_set_target (self->label_signals, label);
  cs_photo_view_set_label (self->photo_view, label);
  gtk_list_box_unselect_all (self->nav_list);
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->label_list, i);
      if (row == NULL)
        break;
      if (cs_label_row_get_label (CS_LABEL_ROW (row)) == label)
        gtk_list_box_select_row (self->label_list, row);
    }
  gtk_stack_set_visible_child_name (self->main_stack, "library");
  _cs_window_reload_label (self);
}

void
_cs_window_reload_label (CsWindow *self)
{
  g_autoptr(CsPhotoList) members = NULL;

  if (self->label == NULL)
    return;
  members = cs_library_list_label_members (self->library, self->label);
  _cs_window_set_results (self, members);
  _cs_window_update_view (self);
  _cs_window_update_selection (self);
}

/* The label's members again, the photos shown staying where they are: a
 * judgement or a threshold change must not reshuffle the grid under the
 * pointer (issue 16). */
static void
reload_label_in_place (CsWindow *self)
{
  g_autoptr(CsPhotoList) members = NULL;

  if (self->label == NULL)
    return;
  members = cs_library_list_label_members_keeping (self->library, self->label, self->results);
  _cs_window_set_results (self, members);
  _cs_window_update_view (self);
  _cs_window_update_selection (self);
}

static void
on_label_count_cb (CsLabel    *label,
                   GParamSpec *pspec,
                   CsWindow   *self)
{
  if (self->mode == MODE_LABEL)
    reload_label_in_place (self);
}

static GtkWidget *
create_label_row (gpointer item,
                  gpointer user_data)
{
  return cs_label_row_new (CS_LABEL (item));
}

static void
on_labels_changed_cb (GListModel *labels,
                      guint       position,
                      guint       removed,
                      guint       added,
                      CsWindow   *self)
{
  gboolean still_there = FALSE;

  gtk_widget_set_visible (self->starter_button, g_list_model_get_n_items (labels) == 0);
  /* the label shown was removed: back to search */
  if (self->mode == MODE_LABEL)
    {
      for (guint i = 0, n = g_list_model_get_n_items (labels); i < n && !still_there; i++)
        {
          g_autoptr(CsLabel) l = g_list_model_get_item (labels, i);
          still_there = l == self->label;
        }
      if (!still_there)
        _cs_window_show_search (self);
      else
        {
          /* rows were rebuilt: select the shown one again */
          for (guint i = 0; ; i++)
            {
              GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->label_list, i);
              if (row == NULL)
                break;
              if (cs_label_row_get_label (CS_LABEL_ROW (row)) == self->label)
                gtk_list_box_select_row (self->label_list, row);
            }
        }
    }
}

static void
on_label_row_activated_cb (GtkListBox    *box,
                           GtkListBoxRow *row,
                           CsWindow      *self)
{
  show_label (self, cs_label_row_get_label (CS_LABEL_ROW (row)));
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
_cs_window_show_duplicates (CsWindow *self)
{
  self->mode = MODE_DUPLICATES;
  g_signal_group_set_target (self->label_signals, NULL);
  g_clear_object (&self->label);
  cs_photo_view_set_label (self->photo_view, NULL);
  gtk_list_box_select_row (self->nav_list, self->duplicates_row);
  gtk_list_box_unselect_all (self->label_list);
  gtk_stack_set_visible_child_name (self->main_stack, "library");
  cs_duplicates_view_refresh (self->duplicates_view);
  _cs_window_update_view (self);
  _cs_window_update_selection (self);
}

static void
on_nav_row_activated_cb (GtkListBox    *box,
                         GtkListBoxRow *row,
                         CsWindow      *self)
{
  if (row == self->duplicates_row)
    _cs_window_show_duplicates (self);
  else
    _cs_window_show_search (self);
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* A judgement on its way: what it was, to explain it and undo it. */
typedef struct {
  CsWindow  *self;         /* weak: the toast is the window's */
  CsLabel   *label;
  GArray    *ids;          /* gint64 */
  GArray    *previous;     /* gint8: the verdict each photo had */
  CsVerdict  verdict;
  guint      count_before;
  gboolean   is_undo;
} Judgement;

static void
judgement_free (gpointer p)
{
  Judgement *j = p;

  g_clear_object (&j->label);
  g_array_unref (j->ids);
  g_array_unref (j->previous);
  g_free (j);
}

static void send_judgement (CsWindow *self, Judgement *j);

/* Undo: each photo back to the verdict it had, in one call per verdict. */
static void
on_undo_clicked_cb (AdwToast  *toast,
                    Judgement *j)
{
  CsWindow *self = j->self;

  for (int v = CS_VERDICT_REJECT; v <= CS_VERDICT_CONFIRM; v++)
    {
      Judgement *back = g_new0 (Judgement, 1);

      back->self = self;
      back->label = g_object_ref (j->label);
      back->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      back->previous = g_array_new (FALSE, FALSE, sizeof (gint8));
      back->verdict = (CsVerdict) v;
      back->is_undo = TRUE;
      for (guint i = 0; i < j->ids->len; i++)
        if (g_array_index (j->previous, gint8, i) == v)
          g_array_append_val (back->ids, g_array_index (j->ids, gint64, i));
      if (back->ids->len > 0)
        send_judgement (self, back);
      else
        judgement_free (back);
    }
}

/* The toast that says what a judgement did, with its count change, and
 * offers to undo it. */
static void
toast_judgement (CsWindow  *self,
                 Judgement *j)
{
  const char *name = cs_label_get_display_name (j->label);
  guint now = cs_label_get_count (j->label), n = j->ids->len;
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;
  AdwToast *t;

  if (j->verdict > 0)
    what = n == 1 ? g_strdup_printf (_("Added to “%s”"), name)
                  : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo added to “%s”", "%u photos added to “%s”", n), n, name);
  else
    what = n == 1 ? g_strdup_printf (_("Removed from “%s”"), name)
                  : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo removed from “%s”", "%u photos removed from “%s”", n), n, name);
  if (now != j->count_before)
    /* TRANSLATORS: "Added to “Beaches”: 60 → 61 photos" */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u → %u photo", "%s: %u → %u photos", now), what, j->count_before, now);
  else
    /* a photo the label already had (or did not have): said so, not silence */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: still %u photo", "%s: still %u photos", now), what, now);
  t = cs_toast_new_text (message);
  adw_toast_set_timeout (t, 5);
  adw_toast_set_button_label (t, _("_Undo"));
  g_signal_connect_data (t, "button-clicked", G_CALLBACK (on_undo_clicked_cb), j,
                         (GClosureNotify) (void (*) (void)) judgement_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
on_verdict_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Judgement *j = user_data;
  CsWindow *self;

  if (!cs_library_set_verdict_finish (CS_LIBRARY (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      judgement_free (j);
      return;
    }
  self = j->self;
  if (error != NULL)
    _cs_window_toast (self, error->message);
  if (self->mode == MODE_LABEL && self->label == j->label)
    reload_label_in_place (self);
  if (error == NULL && !j->is_undo)
    toast_judgement (self, j);   /* takes j */
  else
    judgement_free (j);
}

static void
send_judgement (CsWindow  *self,
                Judgement *j)
{
  j->count_before = cs_label_get_count (j->label);
  cs_library_set_verdict_async (self->library, j->label, (gint64 *) j->ids->data, j->ids->len, j->verdict,
                                self->cancellable, on_verdict_done_cb, j);
}

void
_cs_window_set_verdict (CsWindow  *self,
                        CsLabel   *label,
                        GPtrArray *photos,
                        CsVerdict  verdict)
{
  Judgement *j;

  if (label == NULL || photos->len == 0)
    return;
  j = g_new0 (Judgement, 1);
  j->self = self;
  j->label = g_object_ref (label);
  j->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), photos->len);
  j->previous = g_array_sized_new (FALSE, FALSE, sizeof (gint8), photos->len);
  j->verdict = verdict;
  for (guint i = 0; i < photos->len; i++)
    {
      gint64 id = cs_photo_get_id (photos->pdata[i]);
      /* the photos come from this label's list: they carry its verdict */
      gint8 was = (gint8) cs_photo_get_verdict (photos->pdata[i]);

      g_array_append_val (j->ids, id);
      g_array_append_val (j->previous, was);
    }
  send_judgement (self, j);
}

static void
on_photo_verdict_cb (CsPhotoView *view,
                     CsLabel     *label,
                     CsPhoto     *photo,
                     int          verdict,
                     CsWindow    *self)
{
  g_autoptr(GPtrArray) photos = g_ptr_array_new ();

  g_ptr_array_add (photos, photo);
  _cs_window_set_verdict (self, label, photos, verdict);
}

/* ------------------------------------------------------------------ */
/* Photos                                                               */
/* ------------------------------------------------------------------ */

static void
show_photo (CsWindow *self,
            guint     position)
{
  if (self->results == NULL || position >= cs_photo_list_get_n_items (self->results))
    return;
  cs_photo_view_set_list (self->photo_view, G_LIST_MODEL (self->results), position);
  gtk_stack_set_visible_child_name (self->main_stack, "photo");
  gtk_widget_grab_focus (GTK_WIDGET (self->photo_view));
}

static void
on_photo_activated_cb (CsPhotoGrid *grid,
                       CsPhoto     *photo,
                       guint        position,
                       CsWindow    *self)
{
  GtkSelectionModel *selection = cs_photo_grid_get_selection (grid);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);

  /* Opening a photo does not select it (issue 17): a double click's first
   * click made it the one photo selected, which the confirm/reject bar
   * would then act on. */
  if (gtk_bitset_get_size (selected) == 1 && gtk_bitset_contains (selected, position))
    gtk_selection_model_unselect_item (selection, position);
  show_photo (self, position);
}

static void
on_photo_view_close_cb (CsPhotoView *view,
                        CsWindow    *self)
{
  guint position = cs_photo_view_get_position (view);
  GtkGridView *grid_view = cs_photo_grid_get_view (self->grid);

  gtk_stack_set_visible_child_name (self->main_stack, "library");
  if (self->results != NULL && position < cs_photo_list_get_n_items (self->results))
    gtk_widget_activate_action (GTK_WIDGET (grid_view), "list.scroll-to-item", "u", position);
  gtk_widget_grab_focus (GTK_WIDGET (grid_view));
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

/* Connects the window to the application's objects ("application" is
 * set after construction, so this is not a constructed vfunc). */
static void
setup_window (CsWindow      *self,
              CsApplication *app)
{
  GListModel *labels;

  self->app = app;
  self->indexer = g_object_ref (cs_application_get_indexer (self->app));
  self->library = g_object_ref (cs_application_get_library (self->app));
  self->model_manager = g_object_ref (cs_application_get_model_manager (self->app));
  self->settings = g_object_ref (cs_application_get_settings (self->app));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  _cs_window_actions_init (self);

  cs_welcome_page_set_application (self->welcome_page, app);
  cs_indexing_bar_set_application (self->indexing_bar, app);
  _cs_window_update_folder_menu (self);

  g_signal_connect_object (self->app, "notify::model-dir", G_CALLBACK (on_model_dir_changed_cb), self, 0);
  g_signal_connect_object (self->app, "index-failed", G_CALLBACK (on_index_failed_cb), self, 0);
  g_signal_connect_object (self->indexer, "folders-changed", G_CALLBACK (on_folders_changed_cb), self, 0);
  cs_compat_split_view_connect_collapsed (self->leaflet, G_CALLBACK (on_split_collapsed_cb), self);
  g_signal_connect_object (cs_photo_grid_get_selection (self->grid), "selection-changed",
                           G_CALLBACK (on_selection_changed_cb), self, 0);
  g_signal_connect_object (self->photo_view, "verdict", G_CALLBACK (on_photo_verdict_cb), self, 0);

  labels = cs_library_get_labels (self->library);
  gtk_list_box_bind_model (self->label_list, labels, create_label_row, NULL, NULL);
  g_signal_connect_object (labels, "items-changed", G_CALLBACK (on_labels_changed_cb), self, G_CONNECT_AFTER);
  gtk_widget_set_visible (self->starter_button, g_list_model_get_n_items (labels) == 0);
  cs_photo_view_set_labels (self->photo_view, labels);
  cs_duplicates_view_set_library (self->duplicates_view, self->library);

  _cs_window_search_init (self);
  _cs_window_suggested_init (self);
  gtk_list_box_select_row (self->nav_list, self->search_row);

  _cs_window_update_view (self);
}

static void
cs_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cs_window_parent_class)->realize (widget);
  if (cs_stall_monitor_is_installed ())
    cs_stall_monitor_watch_frames (gtk_widget_get_frame_clock (widget));
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_handle_id (&self->rerun_id, g_source_remove);
  g_clear_handle_id (&self->strictness_id, g_source_remove);
  g_clear_handle_id (&self->empty_query_id, g_source_remove);
  g_clear_object (&self->held_results);
  cs_cancel_and_clear (&self->search_cancellable);
  cs_cancel_and_clear (&self->cancellable);
  _cs_window_suggested_dispose (self);
  if (self->label_list != NULL)
    gtk_list_box_bind_model (self->label_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->label_signals);
  g_clear_object (&self->label);
  g_clear_object (&self->results);
  g_clear_object (&self->indexer);
  g_clear_object (&self->library);
  g_clear_object (&self->model_manager);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);
  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_finalize (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_pointer (&self->folder_filter, g_free);
  g_clear_pointer (&self->image_query, g_free);
  g_clear_pointer (&self->search_error, g_free);
  G_OBJECT_CLASS (cs_window_parent_class)->finalize (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  object_class->finalize = cs_window_finalize;
  window_class->close_request = cs_window_close_request;
  widget_class->realize = cs_window_realize;

  /* The grid shows other results (a search finished, a label was opened). */
  signals[SIGNAL_RESULTS_CHANGED] =
    g_signal_new ("results-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  g_type_ensure (CS_TYPE_PHOTO_GRID);
  g_type_ensure (CS_TYPE_PHOTO_VIEW);
  g_type_ensure (CS_TYPE_DUPLICATES_VIEW);
  g_type_ensure (CS_TYPE_INDEXING_BAR);
  g_type_ensure (CS_TYPE_WELCOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_page);
  gtk_widget_class_bind_template_child_full (widget_class, "split_box", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "sidebar", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "back_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, content);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, nav_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, duplicates_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, photo_count_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, label_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, starter_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, title_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, options_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, options_popover);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, folder_section);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, label_menu_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, strictness_scale);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, indexing_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, grid);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, results_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, duplicates_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, photo_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, clear_filters_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, new_results_button);
  gtk_widget_class_bind_template_callback (widget_class, on_nav_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_label_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_view_close_cb);
  _cs_window_class_search_init (widget_class);
  _cs_window_class_actions_init (widget_class);

  /* Ctrl+W closes the window (the photo view takes it first, to close
   * the photo) */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
cs_window_init (CsWindow *self)
{
  GtkWidget *split_box;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The sidebar beside the photos: a split view where libadwaita has one
   * (issue 17), its sidebar one width in every view and at every window
   * size, collapsing to one pane below sidebar + content. */
  split_box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self), CS_TYPE_WINDOW, "split_box"));
  self->leaflet = cs_compat_split_view_new (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self),
                                                                                       CS_TYPE_WINDOW, "sidebar")),
                                            _("Labels"), self->content, _("Photos"),
                                            GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self),
                                                                                       CS_TYPE_WINDOW, "back_button")),
                                            CS_WINDOW_SIDEBAR_WIDTH, CS_WINDOW_CONTENT_MIN_WIDTH);
  gtk_widget_set_hexpand (self->leaflet, TRUE);
  gtk_box_append (GTK_BOX (split_box), self->leaflet);
  self->cancellable = g_cancellable_new ();
  self->date_filter = CS_DATE_FILTER_ANY;
  self->label_signals = g_signal_group_new (CS_TYPE_LABEL);
  g_signal_group_connect_object (self->label_signals, "notify::count", G_CALLBACK (on_label_count_cb),
                                 self, 0);
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

CsWindow *
cs_window_new (CsApplication *application)
{
  CsWindow *self;

  g_return_val_if_fail (CS_IS_APPLICATION (application), NULL);
  self = g_object_new (CS_TYPE_WINDOW, "application", application, NULL);
  setup_window (self, application);
  return self;
}

const char *
cs_window_get_view_name (CsWindow *self)
{
  const char *page;

  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  page = gtk_stack_get_visible_child_name (self->main_stack);
  if (g_strcmp0 (page, "library") != 0)
    return page;
  switch (self->mode)
    {
    case MODE_LABEL: return "label";
    case MODE_DUPLICATES: return "duplicates";
    case MODE_SUGGESTION: return "suggestion";
    case MODE_SEARCH:
    default: return "search";
    }
}

gboolean
cs_window_get_busy (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  return self->busy;
}

void
cs_window_search (CsWindow   *self,
                  const char *text)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}

void
cs_window_show_photo_file (CsWindow   *self,
                           const char *path)
{
  g_autoptr(CsPhoto) photo = NULL;
  g_autoptr(GListStore) one = NULL;
  g_autofree char *canon = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));
  canon = g_canonicalize_filename (path, NULL);
  photo = cs_library_lookup_path (self->library, canon);
  if (photo == NULL)
    {
      g_autofree char *display = g_filename_display_basename (path);
      g_autofree char *text = g_strdup_printf (_("%s is not in the library"), display);
      _cs_window_toast (self, text);
      return;
    }
  one = g_list_store_new (CS_TYPE_PHOTO);
  g_list_store_append (one, photo);
  if (_cs_window_needs_welcome (self))
    return;
  cs_photo_view_set_list (self->photo_view, G_LIST_MODEL (one), 0);
  gtk_stack_set_visible_child_name (self->main_stack, "photo");
  gtk_widget_grab_focus (GTK_WIDGET (self->photo_view));
}
