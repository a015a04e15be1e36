/* cs-window-suggested.c - the window's "Suggested" section (issue 16).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of CsWindow (see cs-window-private.h), kept in its own file and
 * built from code so that the window's template and main file change in
 * one place each: the section goes below the labels in the sidebar, a
 * menu button beside the label menu in the content's header.
 *
 * The suggestions are recomputed on a worker thread (the library's
 * discover call) when the library has loaded and when indexing settles
 * with a different number of photos, a little later so that a burst of
 * changes gives one run.  The library keeps the order stable, and the
 * list is replaced only between the first and the last suggestion that
 * changed, so the rows around stay where they are.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cs-cancel.h"
#include "cs-compat.h"
#include "cs-label-names.h"
#include "cs-label-row.h"
#include "cs-suggestion-row.h"
#include "cs-suggestions.h"
#include "cs-window-private.h"
#include "cs-window-suggested.h"

/* Indexing "settled": this long without a new change before recomputing. */
#define SETTLE_SECONDS 2

typedef struct _CsSuggested CsSuggested;

struct _CsSuggested {
  GtkWidget    *section;      /* heading + list, hidden when empty */
  GtkListBox   *list;
  GListStore   *store;        /* CsSuggestion shown, in the library's order */
  GtkWidget    *menu_button;  /* in the content's header */
  GtkRevealer  *bar;          /* under the grid: what a suggestion is, Keep and Dismiss */
  GtkWidget    *keep_button;
  GtkWidget    *dismiss_button;
  GHashTable   *dismissed;    /* keys */
  CsSuggestion *shown;        /* MODE_SUGGESTION */
  GCancellable *cancellable;  /* the discovery running */
  GCancellable *jobs;         /* keeping as labels */
  guint         settle_id;
  guint         n_at_discover;  /* photos when the last run started */
  gboolean      discovered;     /* a run was started at least once */
  guint         runs;
};

/* ------------------------------------------------------------------ */
/* The dismissed keys                                                   */
/* ------------------------------------------------------------------ */

static char *
dismissed_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "clipsight", "dismissed-suggestions", NULL);
}

GHashTable *
cs_dismissed_suggestions_load (void)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = dismissed_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return set;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_hash_table_add (set, g_strdup (lines[i]));
  return set;
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
save_dismissed (GHashTable  *set,
                GError     **error)
{
  g_autofree char *path = dismissed_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree gpointer *keys = NULL;
  guint n;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* sorted: the same set gives the same file */
  keys = g_hash_table_get_keys_as_array (set, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s\n", (const char *) keys[i]);
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}

/* ------------------------------------------------------------------ */
/* The list                                                             */
/* ------------------------------------------------------------------ */

static gboolean
same_suggestion (CsSuggestion *a,
                 CsSuggestion *b)
{
  CsPhotoList *pa = cs_suggestion_get_photos (a), *pb = cs_suggestion_get_photos (b);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (pa));

  if (g_strcmp0 (cs_suggestion_get_key (a), cs_suggestion_get_key (b)) != 0
      || g_strcmp0 (cs_suggestion_get_name (a), cs_suggestion_get_name (b)) != 0
      || n != g_list_model_get_n_items (G_LIST_MODEL (pb)))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) x = g_list_model_get_item (G_LIST_MODEL (pa), i);
      g_autoptr(CsPhoto) y = g_list_model_get_item (G_LIST_MODEL (pb), i);
      if (cs_photo_get_id (x) != cs_photo_get_id (y))
        return FALSE;
    }
  return TRUE;
}

static CsSuggestion *
find_by_key (CsSuggested *s,
             const char  *key,
             guint       *position)
{
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (s->store)); i < n; i++)
    {
      g_autoptr(CsSuggestion) item = g_list_model_get_item (G_LIST_MODEL (s->store), i);
      if (g_strcmp0 (cs_suggestion_get_key (item), key) == 0)
        {
          if (position != NULL)
            *position = i;
          return item;  /* the store holds it */
        }
    }
  return NULL;
}

static void
select_shown (CsWindow *self)
{
  CsSuggested *s = self->suggested;
  guint position;

  if (s->shown != NULL && find_by_key (s, cs_suggestion_get_key (s->shown), &position))
    gtk_list_box_select_row (s->list, gtk_list_box_get_row_at_index (s->list, (int) position));
}

static void
update_section (CsWindow *self)
{
  CsSuggested *s = self->suggested;
  gtk_widget_set_visible (s->section, g_list_model_get_n_items (G_LIST_MODEL (s->store)) > 0);
}

/* Replaces the rows with `suggestions` less the dismissed ones, touching
 * only the span between the first and the last that differ. */
static void
apply (CsWindow   *self,
       GListModel *suggestions)
{
  CsSuggested *s = self->suggested;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (s->store));
  guint head = 0, tail = 0;

  for (guint i = 0, n = g_list_model_get_n_items (suggestions); i < n; i++)
    {
      CsSuggestion *item = g_list_model_get_item (suggestions, i);
      if (g_hash_table_contains (s->dismissed, cs_suggestion_get_key (item)))
        g_object_unref (item);
      else
        g_ptr_array_add (fresh, item);
    }

  while (head < n_old && head < fresh->len)
    {
      g_autoptr(CsSuggestion) old = g_list_model_get_item (G_LIST_MODEL (s->store), head);
      if (!same_suggestion (old, fresh->pdata[head]))
        break;
      head++;
    }
  while (tail < n_old - head && tail < fresh->len - head)
    {
      g_autoptr(CsSuggestion) old = g_list_model_get_item (G_LIST_MODEL (s->store), n_old - 1 - tail);
      if (!same_suggestion (old, fresh->pdata[fresh->len - 1 - tail]))
        break;
      tail++;
    }
  if (head + tail < n_old || head + tail < fresh->len)
    g_list_store_splice (s->store, head, n_old - head - tail,
                         fresh->pdata + head, fresh->len - head - tail);
  update_section (self);

  /* the suggestion shown: its new photos if it is still suggested */
  if (self->mode == MODE_SUGGESTION && s->shown != NULL)
    {
      CsSuggestion *now = find_by_key (s, cs_suggestion_get_key (s->shown), NULL);
      if (now != NULL && now != s->shown)
        {
          g_set_object (&s->shown, now);
          _cs_window_set_results (self, cs_suggestion_get_photos (now));
          _cs_window_update_view (self);
        }
      select_shown (self);
    }
}

/* ------------------------------------------------------------------ */
/* Discovery                                                            */
/* ------------------------------------------------------------------ */

/* The vocabulary file themes are named from: $CLIPSIGHT_VOCABULARY (as
 * `clipsight-cli discover --vocabulary` reads one; tools/demo.sh and
 * `meson devenv` set it to the toy model's words), else NULL, the
 * built-in list. */
const char *
cs_window_suggested_vocabulary (void)
{
  const char *path = g_getenv ("CLIPSIGHT_VOCABULARY");

  return path != NULL && path[0] != '\0' ? path : NULL;
}

static void
on_discovered_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) suggestions = cs_library_discover_finish (CS_LIBRARY (source), result, &error);
  CsWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* not cancelled: the window is alive */
  self = CS_WINDOW (user_data);
  g_clear_object (&self->suggested->cancellable);
  self->suggested->runs++;
  if (suggestions == NULL)
    {
      /* no model yet, or nothing loaded: the next change tries again;
       * nothing for a person to do about it.  A vocabulary file that
       * cannot be read is the developer's to fix: said once a process. */
      static gboolean warned;

      if (cs_window_suggested_vocabulary () != NULL && !warned
          && (error->domain == G_FILE_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)))
        {
          warned = TRUE;
          g_warning ("No suggestions: $CLIPSIGHT_VOCABULARY: %s", error->message);
        }
      else
        g_debug ("No suggestions: %s", error->message);
      return;
    }
  apply (self, suggestions);
}

static void
discover_now (CsWindow *self)
{
  CsSuggested *s = self->suggested;

  cs_cancel_and_clear (&s->cancellable);
  s->cancellable = g_cancellable_new ();
  s->n_at_discover = cs_library_get_n_photos (self->library);
  s->discovered = TRUE;
  cs_library_discover_async (self->library, cs_window_suggested_vocabulary (), s->cancellable,
                             on_discovered_cb, self);
}

static gboolean
settle_cb (gpointer data)
{
  CsWindow *self = data;

  self->suggested->settle_id = 0;
  discover_now (self);
  return G_SOURCE_REMOVE;
}

/* Indexing settled or the library changed: again, if the photos did. */
static void
maybe_rediscover (CsWindow *self)
{
  CsSuggested *s = self->suggested;
  gboolean loaded = FALSE;

  g_object_get (self->library, "loaded", &loaded, NULL);
  if (!loaded || cs_indexer_get_running (self->indexer))
    return;
  if (s->discovered && cs_library_get_n_photos (self->library) == s->n_at_discover)
    return;
  g_clear_handle_id (&s->settle_id, g_source_remove);
  s->settle_id = g_timeout_add_seconds (SETTLE_SECONDS, settle_cb, self);
}

static void
on_changed_cb (GObject    *object,
               GParamSpec *pspec,
               CsWindow   *self)
{
  if (self->suggested != NULL)  /* not while the window goes */
    maybe_rediscover (self);
}

void
cs_window_rediscover (CsWindow *self,
                      gboolean  reload_dismissed)
{
  CsSuggested *s = self->suggested;

  if (reload_dismissed)
    {
      g_clear_pointer (&s->dismissed, g_hash_table_unref);
      s->dismissed = cs_dismissed_suggestions_load ();
    }
  g_clear_handle_id (&s->settle_id, g_source_remove);
  discover_now (self);
}

guint
cs_window_get_discover_runs (CsWindow *self)
{
  return self->suggested->runs;
}

GtkListBox *
cs_window_get_suggested_list (CsWindow *self)
{
  return self->suggested->list;
}

/* ------------------------------------------------------------------ */
/* Showing one                                                          */
/* ------------------------------------------------------------------ */

static void
show_suggestion (CsWindow     *self,
                 CsSuggestion *suggestion)
{
  CsSuggested *s = self->suggested;
  g_autoptr(GMenuModel) menu = cs_suggestion_menu_new (suggestion);

  cs_cancel_and_clear (&self->search_cancellable);
  _cs_window_set_busy (self, FALSE);
  self->mode = MODE_SUGGESTION;
  self->scroll_to_top = s->shown != suggestion;
  g_set_object (&s->shown, suggestion);
  g_signal_group_set_target (self->label_signals, NULL);
  g_clear_object (&self->label);
  cs_photo_view_set_label (self->photo_view, NULL);
  gtk_list_box_unselect_all (self->nav_list);
  gtk_list_box_unselect_all (self->label_list);
  select_shown (self);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (s->menu_button), menu);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (s->keep_button),
                                          g_variant_new_string (cs_suggestion_get_key (suggestion)));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (s->dismiss_button),
                                          g_variant_new_string (cs_suggestion_get_key (suggestion)));
  gtk_stack_set_visible_child_name (self->main_stack, "library");
  _cs_window_set_results (self, cs_suggestion_get_photos (suggestion));
  _cs_window_update_view (self);
  _cs_window_update_selection (self);
}

void
_cs_window_suggested_update_view (CsWindow *self)
{
  CsSuggested *s = self->suggested;

  if (s == NULL)
    return;
  gtk_widget_set_visible (s->menu_button, self->mode == MODE_SUGGESTION);
  gtk_revealer_set_reveal_child (s->bar, self->mode == MODE_SUGGESTION && s->shown != NULL);
  if (self->mode != MODE_SUGGESTION || s->shown == NULL)
    return;
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (cs_suggestion_get_photos (s->shown)));
    g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Suggested, %'u photo",
                                                              "Suggested, %'u photos", n), n);
    adw_window_title_set_title (self->content_title, cs_suggestion_get_name (s->shown));
    adw_window_title_set_subtitle (self->content_title, subtitle);
    gtk_stack_set_visible_child_name (self->content_stack, "grid");
  }
}

static void
on_row_activated_cb (GtkListBox    *box,
                     GtkListBoxRow *row,
                     CsWindow      *self)
{
  show_suggestion (self, cs_suggestion_row_get_suggestion (CS_SUGGESTION_ROW (row)));
  cs_compat_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* Another row of the sidebar was chosen: this list's selection goes. */
static void
on_other_row_selected_cb (GtkListBox    *box,
                          GtkListBoxRow *row,
                          CsWindow      *self)
{
  if (row != NULL && self->suggested != NULL)
    gtk_list_box_unselect_all (self->suggested->list);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return cs_suggestion_row_new (CS_SUGGESTION (item));
}

/* ------------------------------------------------------------------ */
/* Keep, dismiss                                                        */
/* ------------------------------------------------------------------ */

/* Hides `key` for good and, if it was shown, goes back to searching. */
static void
forget (CsWindow   *self,
        const char *key)
{
  CsSuggested *s = self->suggested;
  g_autoptr(GError) error = NULL;
  guint position;
  gboolean was_shown = self->mode == MODE_SUGGESTION && s->shown != NULL
                       && g_strcmp0 (cs_suggestion_get_key (s->shown), key) == 0;

  g_hash_table_add (s->dismissed, g_strdup (key));
  if (!save_dismissed (s->dismissed, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot remember the dismissed suggestion: %s"),
                                               error->message);
      _cs_window_toast (self, text);
    }
  if (find_by_key (s, key, &position) != NULL)
    g_list_store_remove (s->store, position);
  update_section (self);
  if (was_shown)
    {
      g_clear_object (&s->shown);
      _cs_window_show_search (self);
    }
}

static void
dismiss_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  const char *key = g_variant_get_string (parameter, NULL);
  CsSuggestion *suggestion = find_by_key (self->suggested, key, NULL);
  g_autofree char *text = NULL;

  if (suggestion == NULL)
    return;  /* gone meanwhile */
  text = g_strdup_printf (_("“%s” dismissed"), cs_suggestion_get_name (suggestion));
  forget (self, key);
  _cs_window_toast (self, text);
}

typedef struct {
  CsWindow     *self;
  CsSuggestion *suggestion;
  CsLabel      *label;
} KeepJob;

static void
keep_job_free (KeepJob *j)
{
  g_clear_object (&j->self);
  g_clear_object (&j->suggestion);
  g_clear_object (&j->label);
  g_free (j);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeepJob, keep_job_free)

static void
open_label (CsWindow *self,
            CsLabel  *label)
{
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->label_list, (int) i);
      if (row == NULL)
        return;
      if (cs_label_row_get_label (CS_LABEL_ROW (row)) == label)
        {
          g_signal_emit_by_name (self->label_list, "row-activated", row);
          return;
        }
    }
}

static void
on_confirmed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KeepJob) j = user_data;
  g_autoptr(GError) error = NULL;
  CsSuggested *s;
  gboolean was_shown;
  g_autofree char *text = NULL;

  if (!cs_library_set_verdict_finish (CS_LIBRARY (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || j->self->suggested == NULL)
        return;
      text = g_strdup_printf (_("The label “%s” was made but its photos could not be added: %s"),
                              cs_label_get_display_name (j->label), error->message);
      _cs_window_toast (j->self, text);
      return;
    }
  s = j->self->suggested;
  if (s == NULL)
    return;  /* the window closed meanwhile */
  was_shown = j->self->mode == MODE_SUGGESTION && s->shown == j->suggestion;
  forget (j->self, cs_suggestion_get_key (j->suggestion));
  if (was_shown)
    open_label (j->self, j->label);
  text = g_strdup_printf (_("Kept “%s” as a label"), cs_label_get_display_name (j->label));
  _cs_window_toast (j->self, text);
}

static void
on_label_added_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(KeepJob) j = user_data;
  g_autoptr(GError) error = NULL;
  CsPhotoList *photos;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  KeepJob *next;

  j->label = cs_library_add_label_finish (CS_LIBRARY (source), result, &error);
  /* without a model the label is still stored: its photos can be added */
  if (j->label == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || j->self->suggested == NULL)
        return;
      text = g_strdup_printf (_("Cannot keep “%s” as a label: %s"),
                              cs_suggestion_get_name (j->suggestion), error->message);
      _cs_window_toast (j->self, text);
      return;
    }
  if (j->self->suggested == NULL)
    return;
  photos = cs_suggestion_get_photos (j->suggestion);
  for (guint i = 0, n = g_list_model_get_n_items (G_LIST_MODEL (photos)); i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (photos), i);
      gint64 id = cs_photo_get_id (photo);
      g_array_append_val (ids, id);
    }
  next = g_steal_pointer (&j);
  cs_library_set_verdict_async (next->self->library, next->label, (const gint64 *) ids->data, ids->len,
                                CS_VERDICT_CONFIRM, next->self->suggested->jobs, on_confirmed_cb, next);
}

static void
keep_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CsWindow *self = CS_WINDOW (user_data);
  CsSuggestion *suggestion = find_by_key (self->suggested, g_variant_get_string (parameter, NULL), NULL);
  g_autofree char *name = NULL;
  KeepJob *j;

  if (suggestion == NULL)
    return;
  /* two unnamed themes are both "Similar photos": the second kept one
   * gets a number rather than an error */
  name = g_strdup (cs_suggestion_get_name (suggestion));
  for (guint i = 2; cs_library_lookup_label (self->library, name) != NULL; i++)
    {
      g_free (name);
      /* Translators: a label's name made unique: "Similar photos 2" */
      name = g_strdup_printf (C_("label name", "%s %u"), cs_suggestion_get_name (suggestion), i);
    }
  j = g_new0 (KeepJob, 1);
  j->self = g_object_ref (self);
  j->suggestion = g_object_ref (suggestion);
  /* the concept's prompts when it has some, else the library's default
   * templates filled with the name */
  cs_library_add_label_async (self->library, name,
                              cs_suggestion_get_prompts (suggestion), -1, self->suggested->jobs,
                              on_label_added_cb, j);
}

/* ------------------------------------------------------------------ */
/* Set up                                                               */
/* ------------------------------------------------------------------ */

void
_cs_window_suggested_init (CsWindow *self)
{
  CsSuggested *s = g_new0 (CsSuggested, 1);
  GtkWidget *heading_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *heading = gtk_label_new (_("Suggested"));
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { .name = "keep", .activate = keep_action, .parameter_type = "s" },
    { .name = "dismiss", .activate = dismiss_action, .parameter_type = "s" },
  };

  self->suggested = s;
  s->dismissed = cs_dismissed_suggestions_load ();
  s->store = g_list_store_new (CS_TYPE_SUGGESTION);
  s->jobs = g_cancellable_new ();

  /* the section, styled as the "Labels" heading and list above it */
  s->section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_start (heading_box, 18);
  gtk_widget_set_margin_end (heading_box, 12);
  gtk_widget_set_margin_top (heading_box, 12);
  gtk_widget_set_margin_bottom (heading_box, 4);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_add_css_class (heading, "dim-label");
  gtk_box_append (GTK_BOX (heading_box), heading);
  gtk_box_append (GTK_BOX (s->section), heading_box);
  s->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (s->list), "navigation-sidebar");
  gtk_list_box_set_selection_mode (s->list, GTK_SELECTION_SINGLE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (s->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Suggested"), -1);
  gtk_list_box_bind_model (s->list, G_LIST_MODEL (s->store), create_row, NULL, NULL);
  g_signal_connect_object (s->list, "row-activated", G_CALLBACK (on_row_activated_cb), self, 0);
  gtk_box_append (GTK_BOX (s->section), GTK_WIDGET (s->list));
  gtk_widget_set_visible (s->section, FALSE);
  gtk_widget_insert_after (s->section, gtk_widget_get_parent (self->starter_button), self->starter_button);

  /* Keep and Dismiss for the suggestion shown, beside the label menu */
  s->menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (s->menu_button), "view-more-symbolic");
  gtk_widget_set_tooltip_text (s->menu_button, _("Suggestion Menu"));
  gtk_widget_set_visible (s->menu_button, FALSE);
  gtk_widget_insert_after (s->menu_button, gtk_widget_get_parent (self->label_menu_button),
                           self->label_menu_button);

  /* ... and in a bar under the grid, where a newcomer sees them: where
   * the photos come from, the two answers beside it (Keep's tooltip says
   * what keeping does) */
  {
    GtkWidget *action_bar = gtk_action_bar_new ();
    GtkWidget *text = gtk_label_new (_("Suggested from your photos"));

    gtk_label_set_ellipsize (GTK_LABEL (text), PANGO_ELLIPSIZE_END);
    gtk_label_set_xalign (GTK_LABEL (text), 0);
    gtk_widget_add_css_class (text, "dim-label");
    gtk_action_bar_pack_start (GTK_ACTION_BAR (action_bar), text);
    s->keep_button = gtk_button_new_with_mnemonic (_("_Keep as Label"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (s->keep_button), "suggested.keep");
    gtk_widget_add_css_class (s->keep_button, "suggested-action");
    gtk_widget_set_tooltip_text (s->keep_button,
                                 _("Make it a label: these photos stay in it, and new photos like them join it as they are indexed"));
    s->dismiss_button = gtk_button_new_with_mnemonic (_("_Dismiss"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (s->dismiss_button), "suggested.dismiss");
    gtk_widget_set_tooltip_text (s->dismiss_button, _("Hide this suggestion for good"));
    /* a target of the action's type from the start (no suggestion has
     * the empty key): GTK warns of a button whose target type differs */
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (s->keep_button), g_variant_new_string (""));
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (s->dismiss_button), g_variant_new_string (""));
    gtk_action_bar_pack_end (GTK_ACTION_BAR (action_bar), s->keep_button);
    gtk_action_bar_pack_end (GTK_ACTION_BAR (action_bar), s->dismiss_button);
    s->bar = GTK_REVEALER (gtk_revealer_new ());
    gtk_revealer_set_transition_type (s->bar, GTK_REVEALER_TRANSITION_TYPE_SLIDE_UP);
    gtk_revealer_set_child (s->bar, action_bar);
    gtk_widget_insert_after (GTK_WIDGET (s->bar), gtk_widget_get_parent (GTK_WIDGET (self->selection_revealer)),
                             GTK_WIDGET (self->selection_revealer));
  }

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "suggested", G_ACTION_GROUP (group));

  g_signal_connect_object (self->nav_list, "row-selected", G_CALLBACK (on_other_row_selected_cb), self, 0);
  g_signal_connect_object (self->label_list, "row-selected", G_CALLBACK (on_other_row_selected_cb), self, 0);
  g_signal_connect_object (self->indexer, "notify::running", G_CALLBACK (on_changed_cb), self, 0);
  g_signal_connect_object (self->library, "notify::n-photos", G_CALLBACK (on_changed_cb), self, 0);
  g_signal_connect_object (self->library, "notify::loaded", G_CALLBACK (on_changed_cb), self, 0);
  maybe_rediscover (self);
}

void
_cs_window_suggested_dispose (CsWindow *self)
{
  CsSuggested *s = self->suggested;

  if (s == NULL)
    return;
  self->suggested = NULL;
  g_clear_handle_id (&s->settle_id, g_source_remove);
  cs_cancel_and_clear (&s->cancellable);
  cs_cancel_and_clear (&s->jobs);
  if (s->list != NULL)
    gtk_list_box_bind_model (s->list, NULL, NULL, NULL, NULL);
  g_clear_object (&s->store);
  g_clear_object (&s->shown);
  g_clear_pointer (&s->dismissed, g_hash_table_unref);
  g_free (s);
}
