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
#include "cs-duplicates-view.h"
#include "cs-label-dialog.h"
#include "cs-label-row.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"
#include "cs-stall-monitor.h"
#include "cs-window.h"

typedef enum {
  MODE_SEARCH,
  MODE_LABEL,
  MODE_DUPLICATES,
} Mode;

struct _CsWindow {
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay   *toast_overlay;
  GtkStack          *main_stack;
  AdwActionRow      *welcome_folder_row;
  AdwActionRow      *model_row;
  GtkStack          *model_button_stack;
  GtkProgressBar    *model_progress;
  GtkLabel          *model_error_label;
  GtkButton         *start_button;
  AdwLeaflet        *leaflet;
  GtkWidget         *content;
  GtkListBox        *nav_list;
  GtkListBoxRow     *search_row;
  GtkListBoxRow     *duplicates_row;
  GtkLabel          *photo_count_label;
  GtkListBox        *label_list;
  GtkWidget         *starter_button;
  GtkStack          *title_stack;
  GtkSearchEntry    *search_entry;
  AdwWindowTitle    *content_title;
  GtkWidget         *options_button;
  GtkPopoverMenu    *options_popover;
  GMenu             *folder_section;
  GtkWidget         *label_menu_button;
  GtkRevealer       *indexing_revealer;
  GtkLabel          *indexing_label;
  GtkProgressBar    *indexing_progress;
  GtkLabel          *indexing_detail;
  GtkButton         *failures_button;
  GtkStack          *content_stack;
  AdwStatusPage     *status_page;
  CsPhotoGrid       *grid;
  GtkLabel          *results_label;
  CsDuplicatesView  *duplicates_view;
  GtkRevealer       *selection_revealer;
  GtkLabel          *selection_label;
  CsPhotoView       *photo_view;

  CsApplication     *app;
  CsIndexer         *indexer;
  CsLibrary         *library;
  CsModelManager    *model_manager;
  GSettings         *settings;

  Mode               mode;
  CsLabel           *label;          /* MODE_LABEL */
  GSignalGroup      *label_signals;
  char              *welcome_folder;
  char              *folder_filter;
  char              *date_filter;
  char              *image_query;    /* a file to find photos like */
  gint64             similar_to;     /* a photo id to find photos like */
  GCancellable      *search_cancellable;
  GCancellable      *cancellable;    /* everything else */
  CsPhotoList       *results;
  char              *search_error;
  gboolean           busy;

  gboolean           scroll_to_top;  /* the next results are for a new request */
  guint              rerun_id;       /* a search re-run after the library changed */
  guint              strictness_id;  /* a search re-run after the strictness moved */

  gint64             rate_started;   /* when the current indexing phase began */
  guint64            rate_base;
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SIGNAL_RESULTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_view (CsWindow *self);
static void update_folder_menu (CsWindow *self);
static void run_search (CsWindow *self);
static void reload_label (CsWindow *self);

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static void
toast (CsWindow   *self,
       const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, cs_toast_new_text (message));
}

static gboolean
needs_welcome (CsWindow *self)
{
  const char *const *folders = cs_indexer_get_folders (self->indexer, FALSE);
  return folders[0] == NULL || cs_application_get_model_dir (self->app) == NULL;
}

static const char *
search_text (CsWindow *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
}

static gboolean
has_query (CsWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (search_text (self)));
  return text[0] != '\0' || self->image_query != NULL || self->similar_to > 0;
}

static void
set_status (CsWindow   *self,
            const char *icon,
            const char *title,
            const char *description)
{
  adw_status_page_set_icon_name (self->status_page, icon);
  adw_status_page_set_title (self->status_page, title);
  cs_status_page_set_description_text (self->status_page, description);
  gtk_stack_set_visible_child_name (self->content_stack, "status");
}

/* GTK 4.8's GtkGridView asks a model that replaces a non-empty one for
 * every item, looking for those it shows already; a CsPhotoList makes its
 * photos when asked (none of them the old list's), so 100,000 results
 * held the main loop for 150 ms for nothing.  Through no model at all the
 * change costs what is on screen, but the view goes back to the top: the
 * results of the same request are scrolled back to the place that showed
 * the same positions (by item: GTK lays a long list out by estimate, so
 * the adjustment's value is not a place to go back to). */
static void
set_results (CsWindow    *self,
             CsPhotoList *results)
{
  GListModel *old = cs_photo_grid_get_model (self->grid);
  guint n_old = old != NULL ? g_list_model_get_n_items (old) : 0;
  GtkGridView *view = cs_photo_grid_get_view (self->grid);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double upper = gtk_adjustment_get_upper (adj);
  double value = gtk_adjustment_get_value (adj);
  guint keep = G_MAXUINT;

  if (!g_set_object (&self->results, results))
    return;
  /* the last photo in view, to be in view again */
  if (!self->scroll_to_top && results != NULL && n_old > 0 && value > 0 && upper > 0)
    {
      double end = (value + gtk_adjustment_get_page_size (adj)) / upper * n_old;

      keep = MIN ((guint) MIN (end, (double) n_old), cs_photo_list_get_n_items (results));
      keep = keep > 0 ? keep - 1 : G_MAXUINT;
    }
  cs_photo_grid_set_model (self->grid, NULL);
  cs_photo_grid_set_model (self->grid, G_LIST_MODEL (results));
  if (self->scroll_to_top)
    cs_photo_grid_scroll_to_top (self->grid);
  else if (keep != G_MAXUINT)
    gtk_widget_activate_action (GTK_WIDGET (view), "list.scroll-to-item", "u", keep);
  self->scroll_to_top = FALSE;
  g_signal_emit (self, signals[SIGNAL_RESULTS_CHANGED], 0);
}

static void
set_busy (CsWindow *self,
          gboolean  busy)
{
  self->busy = busy;
}

static char *
format_duration (guint64 seconds)
{
  if (seconds < 60)
    return g_strdup (_("less than a minute left"));
  if (seconds < 3600)
    {
      guint minutes = (guint) ((seconds + 30) / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %u minute left",
                                           "about %u minutes left", minutes), minutes);
    }
  {
    guint hours = (guint) (seconds / 3600), minutes = (guint) ((seconds % 3600) / 60);
    /* Translators: hours and minutes left, e.g. "about 2 h 05 min left" */
    return g_strdup_printf (_("about %u h %02u min left"), hours, minutes);
  }
}

/* ------------------------------------------------------------------ */
/* Indexing progress                                                    */
/* ------------------------------------------------------------------ */

static void
update_indexing (CsWindow *self)
{
  gboolean running = cs_indexer_get_running (self->indexer);
  CsIndexerState state = cs_indexer_get_state (self->indexer);
  guint64 done = cs_indexer_get_n_done (self->indexer);
  guint64 total = cs_indexer_get_n_total (self->indexer);
  guint64 failed = cs_indexer_get_n_failed (self->indexer);
  gboolean user_paused = cs_application_get_user_paused (self->app);
  gboolean policy_paused = cs_application_get_policy_paused (self->app);
  g_autoptr(GString) detail = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();

  gtk_revealer_set_reveal_child (self->indexing_revealer, running);
  if (!running)
    {
      self->rate_started = 0;
      return;
    }

  if (state != CS_INDEXER_STATE_INDEXING || done < self->rate_base)
    self->rate_started = 0;
  if (state == CS_INDEXER_STATE_INDEXING && self->rate_started == 0)
    {
      self->rate_started = now;
      self->rate_base = done;
    }

  if (user_paused)
    gtk_label_set_label (self->indexing_label, _("Indexing paused"));
  else if (policy_paused)
    gtk_label_set_label (self->indexing_label,
                         cs_power_policy_get_reason (cs_application_get_power_policy (self->app)));
  else if (state == CS_INDEXER_STATE_SCANNING)
    gtk_label_set_label (self->indexing_label, _("Looking for new photos…"));
  else
    gtk_label_set_label (self->indexing_label, _("Indexing photos…"));

  if (state == CS_INDEXER_STATE_SCANNING)
    {
      const char *folder = cs_indexer_get_current_folder (self->indexer);
      gtk_progress_bar_pulse (self->indexing_progress);
      if (folder != NULL)
        {
          g_autofree char *display = g_filename_display_name (folder);
          g_string_append (detail, display);
        }
    }
  else
    {
      double secs = self->rate_started ? (now - self->rate_started) / 1e6 : 0;
      double rate = secs > 2 ? (done - self->rate_base) / secs : 0;
      /* numbers go in as text: xgettext cannot read a msgid built with
       * G_GUINT64_FORMAT */
      g_autofree char *done_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, done);
      g_autofree char *total_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, total);

      gtk_progress_bar_set_fraction (self->indexing_progress, cs_indexer_get_fraction (self->indexer));
      /* Translators: photos indexed so far and in all, e.g. "120 of 2,400" */
      g_string_append_printf (detail, _("%s of %s"), done_text, total_text);
      if (rate > 0 && !user_paused && !policy_paused)
        {
          g_autofree char *eta = format_duration ((guint64) ((total - MIN (done, total)) / rate));
          g_string_append (detail, " · ");
          /* Translators: indexing speed */
          g_string_append_printf (detail, _("%.1f photos/s"), rate);
          g_string_append (detail, " · ");
          g_string_append (detail, eta);
        }
    }
  gtk_label_set_label (self->indexing_detail, detail->str);

  gtk_widget_set_visible (GTK_WIDGET (self->failures_button), failed > 0);
  if (failed > 0)
    {
      g_autofree char *number = g_strdup_printf ("%'" G_GUINT64_FORMAT, failed);
      /* Translators: %s is a number of photos, e.g. "1,204" */
      g_autofree char *tip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s photo could not be read",
                                                           "%s photos could not be read",
                                                           (gulong) MIN (failed, G_MAXULONG)), number);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->failures_button), tip);
    }
}

static void
on_indexer_notify_cb (GObject    *object,
                      GParamSpec *pspec,
                      CsWindow   *self)
{
  update_indexing (self);
}

static void
on_pause_changed_cb (GObject    *object,
                     GParamSpec *pspec,
                     CsWindow   *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "pause-indexing");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (cs_application_get_user_paused (self->app)));
  update_indexing (self);
}

static void
on_index_failed_cb (CsApplication *app,
                    const char    *message,
                    CsWindow      *self)
{
  g_autofree char *text = g_strdup_printf (_("Indexing stopped: %s"), message);
  toast (self, text);
}

/* ------------------------------------------------------------------ */
/* The model on the welcome page                                       */
/* ------------------------------------------------------------------ */

static void
update_model (CsWindow *self)
{
  CsModelState state = cs_model_manager_get_state (self->model_manager);
  const char *model_dir = cs_application_get_model_dir (self->app);
  const char *error = cs_model_manager_get_error_message (self->model_manager);
  const char *const *folders = cs_indexer_get_folders (self->indexer, FALSE);

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
                            model_dir != NULL && (self->welcome_folder != NULL || folders[0] != NULL));
}

static void
on_model_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    CsWindow   *self)
{
  update_model (self);
  if (g_strcmp0 (pspec->name, "model-dir") == 0)
    update_view (self);
}

/* Folding keeps the photos in view, not the sidebar. */
static void
on_leaflet_folded_cb (AdwLeaflet *leaflet,
                      GParamSpec *pspec,
                      CsWindow   *self)
{
  if (adw_leaflet_get_folded (leaflet))
    adw_leaflet_set_visible_child (leaflet, self->content);
}

static void
on_folders_changed_cb (CsIndexer *indexer,
                       CsWindow  *self)
{
  update_model (self);
  update_folder_menu (self);
  update_view (self);
}

static void
update_welcome_folder (CsWindow *self)
{
  if (self->welcome_folder != NULL)
    {
      g_autofree char *display = g_filename_display_name (self->welcome_folder);
      adw_action_row_set_subtitle (self->welcome_folder_row, display);
    }
  else
    adw_action_row_set_subtitle (self->welcome_folder_row, _("None chosen"));
  update_model (self);
}

/* ------------------------------------------------------------------ */
/* What the content area shows                                          */
/* ------------------------------------------------------------------ */

static void
update_photo_count (CsWindow *self)
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
      set_status (self, "dialog-warning-symbolic", _("Search Failed"), self->search_error);
      return;
    }
  if (!cs_library_get_has_model (self->library) && cs_library_get_loaded (self->library)
      && cs_application_get_model_dir (self->app) == NULL)
    {
      set_status (self, "system-search-symbolic", _("No Search Model"),
                  _("Download the model or choose a model folder in Preferences."));
      return;
    }
  if (!has_query (self))
    {
      if (n == 0)
        {
          if (cs_indexer_get_running (self->indexer))
            set_status (self, "image-x-generic-symbolic", _("Nothing Indexed Yet"),
                        _("Your photos become searchable as they are indexed."));
          else
            set_status (self, "image-x-generic-symbolic", _("No Photos"),
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
          set_status (self, "system-search-symbolic", _("Search Your Photos"), desc);
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
        set_status (self, "image-x-generic-symbolic", _("Nothing Indexed Yet"),
                    _("Your photos become searchable as they are indexed."));
      else
        set_status (self, "edit-find-symbolic", _("No Matches"),
                    _("Try describing the photo differently, or make the search looser."));
      return;
    }
  gtk_stack_set_visible_child_name (self->content_stack, "grid");
}

static void
update_view (CsWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  if (needs_welcome (self))
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
  update_photo_count (self);

  switch (self->mode)
    {
    case MODE_SEARCH:
      update_search_status (self);
      break;
    case MODE_LABEL:
      {
        guint count = cs_label_get_count (self->label);
        g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u photo", "%'u photos",
                                                                  count), count);
        adw_window_title_set_title (self->content_title, cs_label_get_name (self->label));
        adw_window_title_set_subtitle (self->content_title, subtitle);
        if (self->results != NULL && cs_photo_list_get_n_items (self->results) == 0)
          set_status (self, "cs-label-symbolic", _("No Photos in This Label"),
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
    default:
      g_assert_not_reached ();
    }
}

static void
update_selection (CsWindow *self)
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
  update_selection (self);
}

/* ------------------------------------------------------------------ */
/* Search                                                               */
/* ------------------------------------------------------------------ */

static void
on_search_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search_finish (CS_LIBRARY (source), result, &error);
  CsWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_WINDOW (user_data);
  g_clear_object (&self->search_cancellable);
  set_busy (self, FALSE);
  g_clear_pointer (&self->search_error, g_free);
  if (list == NULL)
    {
      if (g_error_matches (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED))
        {
          /* searched before the library finished loading: ::changed reruns it */
          set_status (self, "content-loading-symbolic", _("Loading Your Library…"), NULL);
          return;
        }
      if (!g_error_matches (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY))
        self->search_error = g_strdup (error->message);
      set_results (self, NULL);
    }
  else
    set_results (self, list);
  if (self->mode == MODE_SEARCH)
    update_view (self);
}

static CsQuery *
build_query (CsWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (search_text (self)));
  g_autoptr(CsQuery) query = cs_query_new (text[0] != '\0' ? text : NULL);
  GDateTime *now;

  if (self->image_query != NULL)
    cs_query_set_image_path (query, self->image_query);
  if (self->similar_to > 0)
    cs_query_set_similar_to (query, self->similar_to);
  cs_query_set_strictness (query, g_settings_get_double (self->settings, "strictness"));
  cs_query_set_sort (query, g_settings_get_enum (self->settings, "sort-order") == 1
                              ? CS_SORT_DATE : CS_SORT_RELEVANCE);
  /* relevance order: the accepted photos, then a tail of near misses */
  cs_query_set_limit (query, 0);
  cs_query_set_accepted_only (query, FALSE);
  if (self->folder_filter != NULL)
    cs_query_set_folder (query, self->folder_filter);
  if (g_strcmp0 (self->date_filter, "any") != 0)
    {
      g_autoptr(GDateTime) from = NULL;
      now = g_date_time_new_now_local ();
      from = g_strcmp0 (self->date_filter, "month") == 0 ? g_date_time_add_months (now, -1)
                                                        : g_date_time_add_years (now, -1);
      cs_query_set_after (query, g_date_time_to_unix (from));
      g_date_time_unref (now);
    }
  return g_steal_pointer (&query);
}

static void
run_search (CsWindow *self)
{
  g_autoptr(CsQuery) query = NULL;

  cs_cancel_and_clear (&self->search_cancellable);
  g_clear_pointer (&self->search_error, g_free);

  if (!has_query (self))
    {
      set_busy (self, FALSE);
      set_results (self, NULL);
      update_view (self);
      return;
    }
  query = build_query (self);
  self->search_cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  cs_library_search_async (self->library, query, self->search_cancellable, on_search_done_cb, self);
}

static void
show_search (CsWindow *self)
{
  gboolean changed = self->mode != MODE_SEARCH;

  self->mode = MODE_SEARCH;
  g_signal_group_set_target (self->label_signals, NULL);
  g_clear_object (&self->label);
  cs_photo_view_set_label (self->photo_view, NULL);
  gtk_list_box_select_row (self->nav_list, self->search_row);
  gtk_list_box_unselect_all (self->label_list);
  if (changed)
    {
      set_results (self, NULL);
      run_search (self);
    }
  update_view (self);
  update_selection (self);
}

static void
on_search_changed_cb (GtkSearchEntry *entry,
                      CsWindow       *self)
{
  /* a typed query replaces "find similar" */
  self->scroll_to_top = TRUE;
  self->similar_to = 0;
  g_clear_pointer (&self->image_query, g_free);
  if (self->mode != MODE_SEARCH)
    show_search (self);
  else
    run_search (self);
}

static void
on_search_activate_cb (GtkSearchEntry *entry,
                       CsWindow       *self)
{
  if (self->results != NULL && cs_photo_list_get_n_items (self->results) > 0)
    {
      GtkGridView *view = cs_photo_grid_get_view (self->grid);
      gtk_widget_grab_focus (GTK_WIDGET (view));
    }
}

static void
on_search_stop_cb (GtkSearchEntry *entry,
                   CsWindow       *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static gboolean
strictness_search_cb (gpointer data)
{
  CsWindow *self = data;

  self->strictness_id = 0;
  run_search (self);
  return G_SOURCE_REMOVE;
}

static void
on_strictness_changed_cb (GSettings  *settings,
                          const char *key,
                          CsWindow   *self)
{
  g_clear_handle_id (&self->strictness_id, g_source_remove);
  self->strictness_id = g_timeout_add (200, strictness_search_cb, self);
}

/* A photo dropped on the window: find photos like it. */
static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            CsWindow      *self)
{
  GFile *file;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE) || needs_welcome (self))
    return FALSE;
  file = g_value_get_object (value);
  g_free (self->image_query);
  self->image_query = g_file_get_path (file);
  if (self->image_query == NULL)
    return FALSE;
  self->similar_to = 0;
  self->scroll_to_top = TRUE;
  gtk_stack_set_visible_child_name (self->main_stack, "library");
  if (self->mode != MODE_SEARCH)
    show_search (self);
  run_search (self);
  {
    g_autofree char *name = g_file_get_basename (file);
    g_autofree char *display = g_filename_display_name (name);
    g_autofree char *text = g_strdup_printf (_("Photos like %s"), display);
    toast (self, text);
  }
  return TRUE;
}

static gboolean
rerun_search_cb (gpointer data)
{
  CsWindow *self = data;

  self->rerun_id = 0;
  if (self->mode == MODE_SEARCH && has_query (self))
    run_search (self);
  return G_SOURCE_REMOVE;
}

static void
on_library_changed_cb (CsLibrary *library,
                       CsWindow  *self)
{
  update_photo_count (self);
  /* while indexing, the library changes with every batch: refresh the
   * results at most once a second */
  if (self->mode == MODE_SEARCH && has_query (self))
    {
      if (self->rerun_id == 0)
        self->rerun_id = g_timeout_add (self->results != NULL ? 1000 : 0, rerun_search_cb, self);
    }
  else if (self->mode == MODE_LABEL)
    reload_label (self);
  else
    update_view (self);
}

static void
on_library_notify_cb (GObject    *object,
                      GParamSpec *pspec,
                      CsWindow   *self)
{
  if (g_strcmp0 (pspec->name, "loaded") == 0 && cs_library_get_loaded (self->library)
      && self->mode == MODE_SEARCH && has_query (self))
    run_search (self);
  else
    update_view (self);
}

/* ------------------------------------------------------------------ */
/* Labels                                                               */
/* ------------------------------------------------------------------ */

static void
reload_label (CsWindow *self)
{
  g_autoptr(CsPhotoList) members = NULL;

  if (self->label == NULL)
    return;
  members = cs_library_list_label_members (self->library, self->label);
  set_results (self, members);
  update_view (self);
  update_selection (self);
}

static void
on_label_count_cb (CsLabel    *label,
                   GParamSpec *pspec,
                   CsWindow   *self)
{
  if (self->mode == MODE_LABEL)
    reload_label (self);
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
        show_search (self);
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
  cs_window_show_label (self, cs_label_row_get_label (CS_LABEL_ROW (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_nav_row_activated_cb (GtkListBox    *box,
                         GtkListBoxRow *row,
                         CsWindow      *self)
{
  if (row == self->duplicates_row)
    cs_window_show_duplicates (self);
  else
    show_search (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_verdict_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CsWindow *self;

  if (!cs_library_set_verdict_finish (CS_LIBRARY (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_WINDOW (user_data);
  if (error != NULL)
    toast (self, error->message);
  reload_label (self);
}

static void
set_verdict (CsWindow  *self,
             CsLabel   *label,
             GPtrArray *photos,
             CsVerdict  verdict)
{
  g_autofree gint64 *ids = NULL;

  if (label == NULL || photos->len == 0)
    return;
  ids = g_new (gint64, photos->len);
  for (guint i = 0; i < photos->len; i++)
    ids[i] = cs_photo_get_id (photos->pdata[i]);
  cs_library_set_verdict_async (self->library, label, ids, photos->len, verdict,
                                self->cancellable, on_verdict_done_cb, self);
}

static void
on_photo_verdict_cb (CsPhotoView *view,
                     CsLabel     *label,
                     CsPhoto     *photo,
                     int          verdict,
                     CsWindow    *self)
{
  g_autoptr(GPtrArray) photos = g_ptr_array_new ();
  const char *name = cs_label_get_name (label);
  g_autofree char *message = NULL;
  AdwToast *t;

  g_ptr_array_add (photos, photo);
  set_verdict (self, label, photos, verdict);
  if (verdict > 0)
    message = g_strdup_printf (_("Added to “%s”"), name);
  else
    message = g_strdup_printf (_("Removed from “%s”"), name);
  t = cs_toast_new_text (message);
  adw_toast_set_timeout (t, 2);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* ------------------------------------------------------------------ */
/* Photos                                                               */
/* ------------------------------------------------------------------ */

static void
on_photo_activated_cb (CsPhotoGrid *grid,
                       CsPhoto     *photo,
                       guint        position,
                       CsWindow    *self)
{
  cs_window_show_photo (self, position);
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

static void
on_find_similar_cb (CsPhotoView *view,
                    CsPhoto     *photo,
                    CsWindow    *self)
{
  gint64 id = cs_photo_get_id (photo);

  gtk_stack_set_visible_child_name (self->main_stack, "library");
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed_cb, self);
  g_clear_pointer (&self->image_query, g_free);
  self->scroll_to_top = TRUE;
  self->similar_to = id;
  if (self->mode != MODE_SEARCH)
    show_search (self);
  run_search (self);
  {
    g_autofree char *text = g_strdup_printf (_("Photos like %s"), cs_photo_get_display_name (photo));
    toast (self, text);
  }
}

/* ------------------------------------------------------------------ */
/* File choosers                                                        */
/* ------------------------------------------------------------------ */

typedef void (*ChosenFunc) (CsWindow *self, GFile *file);

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        gpointer         user_data)
{
  CsWindow *self = g_object_get_data (G_OBJECT (dialog), "window");
  ChosenFunc func = (ChosenFunc) g_object_get_data (G_OBJECT (dialog), "func");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        func (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose (CsWindow             *self,
        const char           *title,
        GtkFileChooserAction  action,
        ChosenFunc            func)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Select"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "window", self);
  g_object_set_data (G_OBJECT (chooser), "func", (gpointer) func);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response_cb), NULL);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
welcome_folder_chosen (CsWindow *self,
                       GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  cs_window_set_welcome_folder (self, path);
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
  toast (self, message);
}

static void
model_chosen (CsWindow *self,
              GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *config = path != NULL ? g_build_filename (path, "config.json", NULL) : NULL;

  if (config == NULL || !g_file_test (config, G_FILE_TEST_IS_REGULAR))
    {
      toast (self, _("That folder holds no CLIP model (config.json is missing)"));
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

static void
image_chosen (CsWindow *self,
              GFile    *file)
{
  g_free (self->image_query);
  self->image_query = g_file_get_path (file);
  self->similar_to = 0;
  if (self->mode != MODE_SEARCH)
    show_search (self);
  run_search (self);
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
    show_search (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
add_folder_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Add a Photo Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, folder_chosen);
}

static void
choose_welcome_folder_action (GtkWidget  *widget,
                              const char *name,
                              GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Choose a Photo Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
          welcome_folder_chosen);
}

static void
choose_model_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Choose a CLIP Model Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
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
    toast (self, _("The search model is ready"));
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

  if (self->welcome_folder != NULL)
    cs_application_add_folder (self->app, self->welcome_folder);
  update_view (self);
}

static void
pause_indexing_action (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  cs_application_set_user_paused (self->app, g_variant_get_boolean (state));
}

static void
show_failures_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  GPtrArray *failures = cs_application_get_failures (self->app);
  g_autoptr(GString) body = g_string_new (NULL);
  AdwMessageDialog *dialog;

  if (failures->len == 0)
    g_string_append (body, _("The files that cannot be read are listed when the indexing run ends."));
  for (guint i = 0; i < failures->len && i < 50; i++)
    {
      g_string_append_printf (body, "%s%s", i ? "\n" : "", (const char *) failures->pdata[i]);
    }
  if (failures->len > 50)
    g_string_append_printf (body, "\n%s", _("…and more"));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Photos That Could Not Be Read"),
                                                       body->str));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sort_action (GSimpleAction *action,
             GVariant      *state,
             gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);

  g_simple_action_set_state (action, state);
  g_settings_set_string (self->settings, "sort-order", g_variant_get_string (state, NULL));
  run_search (self);
}

static void
date_filter_action (GSimpleAction *action,
                    GVariant      *state,
                    gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);

  g_simple_action_set_state (action, state);
  g_free (self->date_filter);
  self->date_filter = g_variant_dup_string (state, NULL);
  run_search (self);
}

/* The folder choices of the search options: all folders, the library's
 * folders (the name alone unless two share it), the folder chosen last if
 * it is none of them, and a chooser for any other. */
static void
update_folder_menu (CsWindow *self)
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
  update_folder_menu (self);
  run_search (self);
}

static void
choose_folder_filter_action (GtkWidget  *widget,
                             const char *name,
                             GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Search Only in Folder"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
          filter_folder_chosen);
}

static void
search_by_image_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  choose (CS_WINDOW (widget), _("Find Photos Like…"), GTK_FILE_CHOOSER_ACTION_OPEN, image_chosen);
}

static void
show_duplicates_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  cs_window_show_duplicates (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
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
    toast (self, error->message);
}

static void
on_remove_label_response_cb (AdwMessageDialog *dialog,
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
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  if (self->label == NULL)
    return;
  heading = g_strdup_printf (_("Remove “%s”?"), cs_label_get_name (self->label));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("The label and what you taught it are "
                                                         "forgotten. Your photos stay as they are.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "label", g_object_ref (self->label), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_label_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
        toast (self, error->message);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u label added",
                                                          "%u labels added", n), n);
    toast (self, text);
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
  set_verdict (self, self->label, photos, verdict);
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

static const GActionEntry stateful_actions[] = {
  { "pause-indexing", NULL, NULL, "false", pause_indexing_action },
  { "sort", NULL, "s", "'relevance'", sort_action },
  { "date-filter", NULL, "s", "'any'", date_filter_action },
  { "folder-filter", NULL, "s", "''", folder_filter_action },
};

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
  GAction *sort;
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

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

  g_action_map_add_action_entries (G_ACTION_MAP (self), stateful_actions, G_N_ELEMENTS (stateful_actions), self);
  sort = g_action_map_lookup_action (G_ACTION_MAP (self), "sort");
  g_simple_action_set_state (G_SIMPLE_ACTION (sort),
                             g_variant_new_string (g_settings_get_enum (self->settings, "sort-order") == 1
                                                   ? "date" : "relevance"));

  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    self->welcome_folder = g_strdup (pictures);
  update_welcome_folder (self);
  update_folder_menu (self);

  g_signal_connect_object (self->indexer, "notify", G_CALLBACK (on_indexer_notify_cb), self, 0);
  g_signal_connect_object (self->app, "notify::user-paused", G_CALLBACK (on_pause_changed_cb), self, 0);
  g_signal_connect_object (self->app, "notify::policy-paused", G_CALLBACK (on_pause_changed_cb), self, 0);
  g_signal_connect_object (self->app, "notify::model-dir", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (self->app, "index-failed", G_CALLBACK (on_index_failed_cb), self, 0);
  g_signal_connect_object (self->model_manager, "notify", G_CALLBACK (on_model_notify_cb), self, 0);
  g_signal_connect_object (self->indexer, "folders-changed", G_CALLBACK (on_folders_changed_cb), self, 0);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (on_leaflet_folded_cb), self, 0);
  g_signal_connect_object (self->library, "changed", G_CALLBACK (on_library_changed_cb), self, 0);
  g_signal_connect_object (self->library, "notify::loaded", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (self->library, "notify::n-photos", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (self->library, "notify::has-model", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (cs_photo_grid_get_selection (self->grid), "selection-changed",
                           G_CALLBACK (on_selection_changed_cb), self, 0);
  g_signal_connect_object (self->photo_view, "find-similar", G_CALLBACK (on_find_similar_cb), self, 0);
  g_signal_connect_object (self->photo_view, "verdict", G_CALLBACK (on_photo_verdict_cb), self, 0);

  labels = cs_library_get_labels (self->library);
  gtk_list_box_bind_model (self->label_list, labels, create_label_row, NULL, NULL);
  g_signal_connect_object (labels, "items-changed", G_CALLBACK (on_labels_changed_cb), self, G_CONNECT_AFTER);
  gtk_widget_set_visible (self->starter_button, g_list_model_get_n_items (labels) == 0);
  cs_photo_view_set_labels (self->photo_view, labels);
  cs_duplicates_view_set_library (self->duplicates_view, self->library);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  /* stricter / looser, in the search options */
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *looser = gtk_label_new (_("Looser"));
    GtkWidget *stricter = gtk_label_new (_("Stricter"));
    GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, -1.0, 1.0, 0.1);

    gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
    gtk_scale_add_mark (GTK_SCALE (scale), 0.0, GTK_POS_BOTTOM, NULL);
    gtk_widget_set_hexpand (scale, TRUE);
    gtk_widget_set_size_request (scale, 140, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Strictness of the search"), -1);
    gtk_widget_add_css_class (looser, "caption");
    gtk_widget_add_css_class (stricter, "caption");
    gtk_widget_set_margin_start (box, 12);
    gtk_widget_set_margin_end (box, 12);
    gtk_box_append (GTK_BOX (box), looser);
    gtk_box_append (GTK_BOX (box), scale);
    gtk_box_append (GTK_BOX (box), stricter);
    g_settings_bind (self->settings, "strictness", gtk_range_get_adjustment (GTK_RANGE (scale)), "value",
                     G_SETTINGS_BIND_DEFAULT);
    gtk_popover_menu_add_child (self->options_popover, box, "strictness");
    g_signal_connect_object (self->settings, "changed::strictness", G_CALLBACK (on_strictness_changed_cb),
                             self, 0);
  }

  /* drop a photo to find photos like it */
  {
    GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
    g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop_cb), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }
  gtk_list_box_select_row (self->nav_list, self->search_row);

  update_model (self);
  update_indexing (self);
  update_view (self);
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
  cs_cancel_and_clear (&self->search_cancellable);
  cs_cancel_and_clear (&self->cancellable);
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

  g_clear_pointer (&self->welcome_folder, g_free);
  g_clear_pointer (&self->folder_filter, g_free);
  g_clear_pointer (&self->date_filter, g_free);
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

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_folder_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, model_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, model_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, model_progress);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, model_error_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, leaflet);
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
  gtk_widget_class_bind_template_child (widget_class, CsWindow, indexing_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, indexing_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, indexing_progress);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, indexing_detail);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, failures_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, grid);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, results_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, duplicates_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, photo_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_nav_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_label_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_view_close_cb);

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

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-label", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.add-folder", NULL);
}

static void
cs_window_init (CsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->date_filter = g_strdup ("any");
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
cs_window_set_welcome_folder (CsWindow   *self,
                              const char *path)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_free (self->welcome_folder);
  self->welcome_folder = path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
  update_welcome_folder (self);
}

void
cs_window_search (CsWindow   *self,
                  const char *text)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}

void
cs_window_show_label (CsWindow *self,
                      CsLabel  *label)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (CS_IS_LABEL (label));

  cs_cancel_and_clear (&self->search_cancellable);
  set_busy (self, FALSE);
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
  reload_label (self);
}

CsLabel *
cs_window_get_label (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->label;
}

void
cs_window_show_duplicates (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  self->mode = MODE_DUPLICATES;
  g_signal_group_set_target (self->label_signals, NULL);
  g_clear_object (&self->label);
  cs_photo_view_set_label (self->photo_view, NULL);
  gtk_list_box_select_row (self->nav_list, self->duplicates_row);
  gtk_list_box_unselect_all (self->label_list);
  gtk_stack_set_visible_child_name (self->main_stack, "library");
  cs_duplicates_view_refresh (self->duplicates_view);
  update_view (self);
  update_selection (self);
}

void
cs_window_show_photo (CsWindow *self,
                      guint     position)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  if (self->results == NULL || position >= cs_photo_list_get_n_items (self->results))
    return;
  cs_photo_view_set_list (self->photo_view, G_LIST_MODEL (self->results), position);
  gtk_stack_set_visible_child_name (self->main_stack, "photo");
  gtk_widget_grab_focus (GTK_WIDGET (self->photo_view));
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
      toast (self, text);
      return;
    }
  one = g_list_store_new (CS_TYPE_PHOTO);
  g_list_store_append (one, photo);
  if (needs_welcome (self))
    return;
  cs_photo_view_set_list (self->photo_view, G_LIST_MODEL (one), 0);
  gtk_stack_set_visible_child_name (self->main_stack, "photo");
  gtk_widget_grab_focus (GTK_WIDGET (self->photo_view));
}

void
cs_window_add_toast (CsWindow *self,
                     AdwToast *t)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

CsPhotoGrid *
cs_window_get_grid (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->grid;
}

GtkEditable *
cs_window_get_search_entry (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return GTK_EDITABLE (self->search_entry);
}

GtkListBox *
cs_window_get_label_list (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->label_list;
}

CsPhotoView *
cs_window_get_photo_view (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->photo_view;
}

GtkWidget *
cs_window_get_indexing_bar (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->indexing_revealer);
}

GtkWidget *
cs_window_get_duplicates_view (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->duplicates_view);
}
