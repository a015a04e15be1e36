/* cs-window-search.c - the window's search: the query, its results and
 * what runs it again.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-cancel.h"
#include "cs-date-range-dialog.h"
#include "cs-window-private.h"

static const char *
search_text (CsWindow *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
}

gboolean
_cs_window_has_query (CsWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (search_text (self)));
  return text[0] != '\0' || self->image_query != NULL || self->similar_to > 0;
}

/* ------------------------------------------------------------------ */
/* The active filters, as chips                                         */
/* ------------------------------------------------------------------ */

gboolean
_cs_window_has_filters (CsWindow *self)
{
  return self->folder_filter != NULL || self->date_filter != CS_DATE_FILTER_ANY;
}

/* A filter in use, shown under the header bar as a chip: what it keeps,
 * and a button that removes it (the filter's own action, set back to "no
 * filter", so the options menu and the chips never disagree, and the
 * search runs again).  GTK 4.8 has no chip widget: a .card box holding a
 * label and a flat round close button reads as one. */
static GtkWidget *
filter_chip_new (const char *icon_name,
                 const char *text,
                 const char *action,
                 const char *no_filter)
{
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_autofree char *a11y = g_strdup_printf (_("Remove the filter “%s”"), text);

  gtk_widget_add_css_class (chip, "card");
  gtk_widget_set_margin_start (icon, 10);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_add_css_class (close, "circular");
  gtk_widget_set_margin_top (close, 2);
  gtk_widget_set_margin_bottom (close, 2);
  gtk_widget_set_margin_end (close, 2);
  gtk_widget_set_tooltip_text (close, _("Remove Filter"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (close), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (close), "s", no_filter);
  gtk_box_append (GTK_BOX (chip), icon);
  gtk_box_append (GTK_BOX (chip), label);
  gtk_box_append (GTK_BOX (chip), close);
  return chip;
}

/* Rebuilt only when the filters change: the library changes every second
 * while indexing, and a rebuild would take the keyboard focus off a
 * chip's button. */
void
_cs_window_update_filter_bar (CsWindow *self)
{
  GtkWidget *bar = GTK_WIDGET (self->filter_bar);
  g_autofree char *key = g_strdup_printf ("%s\n%d\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT,
                                          self->folder_filter ? self->folder_filter : "",
                                          (int) self->date_filter, self->range_after, self->range_before);
  GtkWidget *child;

  gtk_widget_set_visible (bar, self->mode == MODE_SEARCH && _cs_window_has_filters (self));
  if (g_strcmp0 (g_object_get_data (G_OBJECT (bar), "cs-filters"), key) == 0)
    return;
  g_object_set_data_full (G_OBJECT (bar), "cs-filters", g_steal_pointer (&key), g_free);
  while ((child = gtk_widget_get_first_child (bar)) != NULL)
    gtk_box_remove (self->filter_bar, child);
  if (self->folder_filter != NULL)
    {
      g_autofree char *name = g_filename_display_basename (self->folder_filter);
      GtkWidget *chip = filter_chip_new ("folder-symbolic", name, "win.folder-filter", "");

      gtk_widget_set_tooltip_text (chip, self->folder_filter);
      gtk_box_append (self->filter_bar, chip);
    }
  if (self->date_filter == CS_DATE_FILTER_CUSTOM)
    {
      g_autofree char *range = cs_date_range_format (self->range_after, self->range_before);
      g_autofree char *tooltip = NULL;
      GtkWidget *chip = filter_chip_new ("x-office-calendar-symbolic", range, "win.date-filter", "any");
      GtkWidget *label = gtk_widget_get_next_sibling (gtk_widget_get_first_child (chip));

      /* a range cut in its middle reads as another range: room for the
       * longest ("30 September 2024 – 2 September 2025") */
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);

      /* TRANSLATORS: the tooltip of the date range's chip; %s is the
       * range, as "12–14 July 2025" */
      tooltip = g_strdup_printf (_("Taken %s, both days included. A photo whose camera recorded no date "
                                   "counts by its file’s date."), range);
      gtk_widget_set_tooltip_text (chip, tooltip);
      gtk_box_append (self->filter_bar, chip);
    }
  else if (self->date_filter != CS_DATE_FILTER_ANY)
    gtk_box_append (self->filter_bar,
                    filter_chip_new ("x-office-calendar-symbolic",
                                     self->date_filter == CS_DATE_FILTER_MONTH ? _("Past Month") : _("Past Year"),
                                     "win.date-filter", "any"));
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  GActionGroup *group = G_ACTION_GROUP (widget);

  g_action_group_change_action_state (group, "folder-filter", g_variant_new_string (""));
  g_action_group_change_action_state (group, "date-filter", g_variant_new_string ("any"));
}

/* ------------------------------------------------------------------ */
/* Results                                                              */
/* ------------------------------------------------------------------ */

/* The headings a list gets: months for photos newest first (browsing,
 * or a search sorted by date), "Best Matches" and "More Results" for a
 * search by relevance with a cutoff (at the loosest strictness every
 * photo is accepted: no split), none for the others (a label's). */
static CsPhotoGridSections
sections_for (CsPhotoList *list)
{
  CsQuery *query = list != NULL ? cs_photo_list_get_query (list) : NULL;

  if (query == NULL)
    return CS_PHOTO_GRID_SECTIONS_NONE;
  if (cs_query_get_sort (query) == CS_SORT_DATE)
    return CS_PHOTO_GRID_SECTIONS_MONTH;
  if (cs_photo_list_get_cutoff (list) == -INFINITY)
    return CS_PHOTO_GRID_SECTIONS_NONE;
  return CS_PHOTO_GRID_SECTIONS_MATCH;
}

/* The most selected photos a refresh keeps selected: finding them in the
 * new list reads it whole (a CsPhoto made per item), which a selection
 * of a few photos is worth, not one of the whole library. */
#define MAX_KEPT_SELECTED 1000

/* The ids of the selected photos (a set of gint64), or NULL for none or
 * too many. */
static GHashTable *
selected_ids (CsWindow *self)
{
  GtkSelectionModel *model = cs_photo_grid_get_selection (self->grid);
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (model);
  GHashTable *ids;
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_is_empty (set) || gtk_bitset_get_size (set) > MAX_KEPT_SELECTED)
    return NULL;
  ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (model), position);

      if (photo != NULL)
        g_hash_table_add (ids, g_memdup2 (&(gint64) { cs_photo_get_id (photo) }, sizeof (gint64)));
    }
  return ids;
}

/* A refresh (the library changed while indexing) must not drop what the
 * person selected, to act on it: the same photos are selected again in
 * the new list. */
static void
reselect (CsWindow    *self,
          CsPhotoList *list,
          GHashTable  *ids)
{
  GtkSelectionModel *model = cs_photo_grid_get_selection (self->grid);
  g_autoptr(GtkBitset) set = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  guint n = cs_photo_list_get_n_items (list);

  for (guint i = 0; i < n && gtk_bitset_get_size (set) < g_hash_table_size (ids); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_hash_table_contains (ids, &(gint64) { cs_photo_get_id (photo) }))
        gtk_bitset_add (set, i);
    }
  if (gtk_bitset_is_empty (set))
    return;
  mask = gtk_bitset_new_range (0, n);
  gtk_selection_model_set_selection (model, set, mask);
}

/* GTK 4.8's GtkGridView asks a model that replaces a non-empty one for
 * every item, looking for those it shows already; a CsPhotoList makes its
 * photos when asked (none of them the old list's), so 100,000 results
 * held the main loop for 150 ms for nothing.  Through no model at all the
 * change costs what is on screen, but the view goes back to the top: the
 * results of the same request are scrolled back to the place that showed
 * the same positions (by item: GTK lays a long list out by estimate, so
 * the adjustment's value is not a place to go back to). */
void
_cs_window_set_results (CsWindow    *self,
                        CsPhotoList *results)
{
  GListModel *old = cs_photo_grid_get_model (self->grid);
  guint n_old = old != NULL ? g_list_model_get_n_items (old) : 0;
  GtkGridView *view = cs_photo_grid_get_view (self->grid);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double upper = gtk_adjustment_get_upper (adj);
  double value = gtk_adjustment_get_value (adj);
  guint keep = G_MAXUINT;
  g_autoptr(GHashTable) selected = NULL;

  if (!g_set_object (&self->results, results))
    return;
  self->shown_n_photos = cs_library_get_n_photos (self->library);
  /* the last photo in view, to be in view again */
  if (!self->scroll_to_top && results != NULL && n_old > 0 && value > 0 && upper > 0)
    {
      double end = (value + gtk_adjustment_get_page_size (adj)) / upper * n_old;

      keep = MIN ((guint) MIN (end, (double) n_old), cs_photo_list_get_n_items (results));
      keep = keep > 0 ? keep - 1 : G_MAXUINT;
    }
  selected = self->scroll_to_top ? NULL : selected_ids (self);
  cs_photo_grid_set_sections (self->grid, sections_for (results));
  cs_photo_grid_set_model (self->grid, NULL);
  cs_photo_grid_set_model (self->grid, G_LIST_MODEL (results));
  if (selected != NULL && results != NULL)
    reselect (self, results, selected);
  if (self->scroll_to_top)
    cs_photo_grid_scroll_to_top (self->grid);
  else if (keep != G_MAXUINT)
    gtk_widget_activate_action (GTK_WIDGET (view), "list.scroll-to-item", "u", keep);
  self->scroll_to_top = FALSE;
  g_signal_emit_by_name (self, "results-changed");
}

void
_cs_window_set_busy (CsWindow *self,
                     gboolean  busy)
{
  self->busy = busy;
}

/* Whether `list`, newer results of the request shown, would change what
 * the grid shows from its top down to the last photo in view (estimated
 * as _cs_window_set_results() does, a row of slack added).  Photos added
 * below that, or a count that grows, change nothing seen.  A library
 * that shrank is never held back: removed photos must not stay shown. */
static gboolean
reorders_view (CsWindow    *self,
               CsPhotoList *list)
{
  GListModel *old = G_LIST_MODEL (self->results);
  GtkGridView *view = cs_photo_grid_get_view (self->grid);
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  double upper = gtk_adjustment_get_upper (adj);
  guint n_old = old != NULL ? g_list_model_get_n_items (old) : 0;
  guint n_seen;

  /* photos went (a folder removed): they go from the view too */
  if (n_old == 0 || upper <= 0 || cs_library_get_n_photos (self->library) < self->shown_n_photos)
    return FALSE;
  n_seen = (guint) MIN ((gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)) / upper * n_old
                        + gtk_grid_view_get_max_columns (view) + 1, (double) n_old);
  for (guint i = 0; i < n_seen; i++)
    {
      g_autoptr(CsPhoto) a = g_list_model_get_item (old, i);
      g_autoptr(CsPhoto) b = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (b == NULL || cs_photo_get_id (a) != cs_photo_get_id (b))
        return TRUE;
    }
  return FALSE;
}

static void
on_search_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search_finish (CS_LIBRARY (source), result, &error);
  CsWindow *self;
  gboolean refresh;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_WINDOW (user_data);
  g_clear_object (&self->search_cancellable);
  _cs_window_set_busy (self, FALSE);
  refresh = self->refreshing;
  self->refreshing = FALSE;
  g_clear_pointer (&self->search_error, g_free);
  if (list == NULL)
    {
      if (g_error_matches (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED))
        {
          /* searched before the library finished loading: ::changed reruns it */
          _cs_window_set_status (self, "content-loading-symbolic", _("Loading Your Library…"), NULL);
          return;
        }
      if (!g_error_matches (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_EMPTY_QUERY))
        self->search_error = g_strdup (error->message);
      _cs_window_set_results (self, NULL);
    }
  else if (refresh && reorders_view (self, list))
    g_set_object (&self->held_results, list);   /* for "Show New Matches" */
  else
    _cs_window_set_results (self, list);
  if (self->mode == MODE_SEARCH)
    _cs_window_update_view (self);
}

/* The filters of the search options, on `query`. */
static void
apply_filters (CsWindow *self,
               CsQuery  *query)
{
  if (self->folder_filter != NULL)
    cs_query_set_folder (query, self->folder_filter);
  if (self->date_filter == CS_DATE_FILTER_CUSTOM)
    {
      /* every photo has a date (the camera's, else the file's): none is
       * dropped for want of one */
      cs_query_set_after (query, self->range_after);
      cs_query_set_before (query, self->range_before);
    }
  else if (self->date_filter != CS_DATE_FILTER_ANY)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) from = self->date_filter == CS_DATE_FILTER_MONTH ? g_date_time_add_months (now, -1)
                                                                            : g_date_time_add_years (now, -1);
      cs_query_set_after (query, g_date_time_to_unix (from));
    }
}

static CsQuery *
build_query (CsWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (search_text (self)));
  g_autoptr(CsQuery) query = cs_query_new (text[0] != '\0' ? text : NULL);

  if (self->image_query != NULL)
    cs_query_set_image_path (query, self->image_query);
  if (self->similar_to > 0)
    cs_query_set_similar_to (query, self->similar_to);
  cs_query_set_strictness (query, g_settings_get_double (self->settings, "strictness"));
  cs_query_set_sort (query, g_settings_get_enum (self->settings, "sort-order"));
  /* relevance order: the accepted photos, then a tail of near misses */
  cs_query_set_limit (query, 0);
  cs_query_set_accepted_only (query, FALSE);
  apply_filters (self, query);
  return g_steal_pointer (&query);
}

/* With no query the grid shows every photo, newest first (issue 17:
 * "browse without typing"): no model is needed, the stored vectors are. */
static CsQuery *
build_browse_query (CsWindow *self)
{
  g_autoptr(CsQuery) query = cs_query_new_all ();

  apply_filters (self, query);
  return g_steal_pointer (&query);
}

gboolean
_cs_window_is_browsing (CsWindow *self)
{
  return self->mode == MODE_SEARCH && !_cs_window_has_query (self);
}

/* `refresh`: the same request again, the library having changed (its
 * results may wait for "Show New Matches"); otherwise a new request. */
static void
run_search (CsWindow *self,
            gboolean  refresh)
{
  g_autoptr(CsQuery) query = NULL;

  /* a refresh that replaces a new request still running is that request:
   * its results show whatever they reorder */
  if (self->search_cancellable != NULL && !self->refreshing)
    refresh = FALSE;
  cs_cancel_and_clear (&self->search_cancellable);
  g_clear_pointer (&self->search_error, g_free);
  self->refreshing = refresh;
  if (!refresh)
    g_clear_object (&self->held_results);
  _cs_window_update_filter_bar (self);

  if (!_cs_window_has_query (self))
    {
      if (cs_library_get_n_photos (self->library) == 0 || !cs_library_get_loaded (self->library))
        {
          _cs_window_set_busy (self, FALSE);
          _cs_window_set_results (self, NULL);
          _cs_window_update_view (self);
          return;
        }
      query = build_browse_query (self);
    }
  else
    query = build_query (self);
  self->search_cancellable = g_cancellable_new ();
  _cs_window_set_busy (self, TRUE);
  cs_library_search_async (self->library, query, self->search_cancellable, on_search_done_cb, self);
}

void
_cs_window_run_search (CsWindow *self)
{
  run_search (self, FALSE);
}

static void
show_new_results_action (GtkWidget  *widget,
                         const char *name,
                         GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(CsPhotoList) list = g_steal_pointer (&self->held_results);

  if (list == NULL || self->mode != MODE_SEARCH)
    return;
  self->scroll_to_top = TRUE;   /* where the new best matches are */
  _cs_window_set_results (self, list);
  _cs_window_update_view (self);
}

void
_cs_window_show_search (CsWindow *self)
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
      _cs_window_set_results (self, NULL);
      _cs_window_run_search (self);
    }
  _cs_window_update_view (self);
  _cs_window_update_selection (self);
}

static gboolean
empty_query_cb (gpointer data)
{
  CsWindow *self = data;

  self->empty_query_id = 0;
  if (self->mode == MODE_SEARCH && !_cs_window_has_query (self))
    {
      self->scroll_to_top = TRUE;
      _cs_window_run_search (self);
    }
  return G_SOURCE_REMOVE;
}

static void
on_search_changed_cb (GtkSearchEntry *entry,
                      CsWindow       *self)
{
  /* a typed query replaces "find similar" */
  self->scroll_to_top = TRUE;
  self->similar_to = 0;
  g_clear_pointer (&self->image_query, g_free);
  g_clear_handle_id (&self->empty_query_id, g_source_remove);
  if (self->mode != MODE_SEARCH)
    _cs_window_show_search (self);
  else if (!_cs_window_has_query (self))
    {
      /* The text went empty, maybe only on the way to another: a key
       * typed over a selected query (or over the whole query, from the
       * grid) deletes it, then inserts, and GtkSearchEntry reports the
       * empty text at once, without its delay.  The start page flashed
       * between the two result lists (issue 17).  It waits for the end of
       * this main-loop turn: if text came back, the old results stay
       * until the new ones replace them. */
      self->empty_query_id = g_idle_add (empty_query_cb, self);
    }
  else
    _cs_window_run_search (self);
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

/* Escape in the entry: the text goes; with none, a "find similar" or
 * "photos like a file" goes too, back to every photo by date. */
static void
on_search_stop_cb (GtkSearchEntry *entry,
                   CsWindow       *self)
{
  if (gtk_editable_get_text (GTK_EDITABLE (entry))[0] != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (entry), "");
      return;
    }
  if (self->similar_to == 0 && self->image_query == NULL)
    return;
  self->similar_to = 0;
  g_clear_pointer (&self->image_query, g_free);
  self->scroll_to_top = TRUE;
  _cs_window_run_search (self);
}

static gboolean
strictness_search_cb (gpointer data)
{
  CsWindow *self = data;

  self->strictness_id = 0;
  _cs_window_run_search (self);
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

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE) || _cs_window_needs_welcome (self))
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
    _cs_window_show_search (self);
  _cs_window_run_search (self);
  {
    g_autofree char *name = g_file_get_basename (file);
    g_autofree char *display = g_filename_display_name (name);
    g_autofree char *text = g_strdup_printf (_("Photos like %s"), display);
    _cs_window_toast (self, text);
  }
  return TRUE;
}

static gboolean
rerun_search_cb (gpointer data)
{
  CsWindow *self = data;

  self->rerun_id = 0;
  if (self->mode == MODE_SEARCH)
    run_search (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_library_changed_cb (CsLibrary *library,
                       CsWindow  *self)
{
  _cs_window_update_photo_count (self);
  /* while indexing, the library changes with every batch: refresh the
   * results at most once a second, in place: new photos below the last
   * one in view join the list, but results that would move what is in
   * view wait for "Show New Matches" (issue 17: the grid reshuffled every
   * second under the reader's eyes) */
  if (self->mode == MODE_SEARCH)
    {
      /* browsing too: new photos join the landing view the same way */
      if (self->rerun_id == 0)
        self->rerun_id = g_timeout_add (self->results != NULL ? 1000 : 0, rerun_search_cb, self);
    }
  else if (self->mode == MODE_LABEL)
    _cs_window_reload_label (self);
  else
    _cs_window_update_view (self);
}

static void
on_library_notify_cb (GObject    *object,
                      GParamSpec *pspec,
                      CsWindow   *self)
{
  if (g_strcmp0 (pspec->name, "loaded") == 0 && cs_library_get_loaded (self->library)
      && self->mode == MODE_SEARCH)
    _cs_window_run_search (self);
  else
    _cs_window_update_view (self);
}

static void
on_find_similar_cb (CsPhotoView *view,
                    CsPhoto     *photo,
                    CsWindow    *self)
{
  _cs_window_find_similar (self, photo);
}

void
_cs_window_find_similar (CsWindow *self,
                         CsPhoto  *photo)
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
    _cs_window_show_search (self);
  _cs_window_run_search (self);
  {
    g_autofree char *text = g_strdup_printf (_("Photos like %s"), cs_photo_get_display_name (photo));
    _cs_window_toast (self, text);
  }
}

/* Typing anywhere in the library view is typing a query.  GtkSearchEntry's
 * own key capture is not used: it lets a space through to whatever has the
 * focus (a space on the sidebar's "+" opened New Label and the rest of the
 * query went into its dialog), and it forwards keys to the entry without
 * moving the focus there, so after arrowing through the results the typing
 * was appended to the old query.  Decision: a printable key other than a
 * space (which keeps activating the focused button, as keyboard users
 * expect) typed while the focus is outside any text field REPLACES the
 * query, as in a search field whose text is selected when it gets the focus
 * back, and moves the focus into the entry so that the keys after it (and
 * input methods) go there directly.  Keys with Control, Alt or Super, and
 * keys that move the focus (arrows, Tab, Return, Escape), stay where they
 * were going.  The controller is on the library view only: the photo view
 * keeps its keys (issue 17). */
static gboolean
on_library_key_pressed_cb (GtkEventControllerKey *controller,
                           guint                  keyval,
                           guint                  keycode,
                           GdkModifierType        state,
                           CsWindow              *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gunichar c = gdk_keyval_to_unicode (keyval);
  char utf8[7] = { 0 };

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK | GDK_HYPER_MASK)) != 0
      || c == 0 || !g_unichar_isprint (c))
    return GDK_EVENT_PROPAGATE;
  /* The library view only, but wherever the window's focus is in it, or
   * with none: caught on the window, not on the split view.  On libadwaita
   * >= 1.5 the preferences are a dialog inside the window, and when one
   * closes it gives the focus back to the widget it came from, which can
   * be on a page no longer shown (the welcome page, after the only folder
   * was removed and put back), from where GTK moves it to a toast's button
   * and on: the keys typed meanwhile went nowhere (issue 17, Debian 13).
   * An open dialog (a sibling of the toast overlay) keeps its keys. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "library") != 0
      || (focus != NULL && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->toast_overlay))))
    return GDK_EVENT_PROPAGATE;
  /* the entry itself, another text field, or an open menu or popover */
  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_EDITABLE (w) || GTK_IS_POPOVER (w))
      return GDK_EVENT_PROPAGATE;

  /* a space alone starts nothing: it keeps its role of activating the
   * focused button (after the first letter the focus is in the entry,
   * which takes the spaces of the query itself) */
  if (g_unichar_isspace (c))
    return GDK_EVENT_PROPAGATE;

  g_unichar_to_utf8 (c, utf8);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), utf8);
  /* a label or the duplicates: the entry shows with the search */
  if (self->mode != MODE_SEARCH)
    _cs_window_show_search (self);
  _cs_window_focus_search_entry (self);
  return GDK_EVENT_STOP;
}

/* The focus into the search entry, its text kept and the cursor at its
 * end, so that the next key adds to the query: gtk_widget_grab_focus ()
 * selects the whole text, which that key would replace, and so does a
 * GtkStack giving a page shown again the focus it had (the library page
 * after the welcome page). */
void
_cs_window_focus_search_entry (CsWindow *self)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self->search_entry));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || (focus != GTK_WIDGET (self->search_entry)
                        && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->search_entry))))
    {
      if (text != NULL && GTK_IS_TEXT (text))
        gtk_text_grab_focus_without_selecting (GTK_TEXT (text));
      else
        gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

void
_cs_window_class_search_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop_cb);
  gtk_widget_class_install_action (widget_class, "win.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "win.show-new-results", NULL, show_new_results_action);
}

void
_cs_window_search_init (CsWindow *self)
{
  g_signal_connect_object (self->library, "changed", G_CALLBACK (on_library_changed_cb), self, 0);
  g_signal_connect_object (self->library, "notify::loaded", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (self->library, "notify::n-photos", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (self->library, "notify::has-model", G_CALLBACK (on_library_notify_cb), self, 0);
  g_signal_connect_object (self->photo_view, "find-similar", G_CALLBACK (on_find_similar_cb), self, 0);

  /* keys typed in the library view (not in the photo view) go to the query */
  {
    GtkEventController *keys = gtk_event_controller_key_new ();
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_library_key_pressed_cb), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }

  g_settings_bind (self->settings, "strictness", gtk_range_get_adjustment (GTK_RANGE (self->strictness_scale)),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::strictness", G_CALLBACK (on_strictness_changed_cb), self, 0);

  /* drop a photo to find photos like it */
  {
    GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
    g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop_cb), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  }
}
