/* test-app-filters.c - issue 17, defects 7 and 8: the active filters as
 * removable chips and an empty state that names them; retyping a query
 * without the start page flashing between the two result lists; and
 * results refreshed during an index run without reordering those in
 * view.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-photo-grid.h"
#include "test-util.h"

static GListModel *
grid_model (void)
{
  return cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
}

static guint
n_results (void)
{
  GListModel *model = grid_model ();
  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static char *
action_state (const char *name)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window), name);
  return g_variant_dup_string (state, NULL);
}

static void
set_filter (const char *action,
            const char *value)
{
  g_action_group_change_action_state (G_ACTION_GROUP (window), action, g_variant_new_string (value));
  g_assert_true (wait_for (search_settled, NULL, 30));
}

/* The chips of the filter bar: its children, each with a label (its text
 * into `texts`) and a close button. */
static guint
chips (GPtrArray *texts)
{
  GtkWidget *bar = window_part ("filter_bar");
  guint n = 0;

  if (texts != NULL)
    g_ptr_array_set_size (texts, 0);
  if (!gtk_widget_get_visible (bar))
    return 0;
  for (GtkWidget *chip = gtk_widget_get_first_child (bar); chip != NULL; chip = gtk_widget_get_next_sibling (chip))
    {
      GtkWidget *label = find_widget (chip, "GtkLabel", NULL, NULL);

      g_assert_nonnull (label);
      g_assert_nonnull (find_widget (chip, "GtkButton", "tooltip-text", "Remove Filter"));
      if (texts != NULL)
        g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (label))));
      n++;
    }
  return n;
}

static GtkWidget *
chip_close_button (const char *text)
{
  GtkWidget *bar = window_part ("filter_bar");

  for (GtkWidget *chip = gtk_widget_get_first_child (bar); chip != NULL; chip = gtk_widget_get_next_sibling (chip))
    if (find_widget (chip, "GtkLabel", "label", text) != NULL)
      return find_widget (chip, "GtkButton", "tooltip-text", "Remove Filter");
  return NULL;
}

static gboolean
strv_has (GPtrArray  *texts,
          const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (texts->pdata[i], text))
      return TRUE;
  return FALSE;
}

/* Defect 8: a folder filter on a folder with no photos in the library
 * leaves nothing of "a red circle": the empty state names the filters
 * and Clear Filters brings every result back; each active filter shows
 * as a chip, and closing a chip removes that filter alone. */
void
test_filter_chips (void)
{
  g_autofree char *empty = g_build_filename (g_get_home_dir (), "NoPhotos", NULL);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *status = window_part ("status_page");
  g_autofree char *folder = NULL, *date = NULL;
  CsQuery *query;
  guint n_all;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);
  set_filter ("folder-filter", "");
  set_filter ("date-filter", "any");
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a red circle");
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  n_all = n_results ();
  g_assert_cmpuint (n_all, >, 0);
  g_assert_cmpuint (chips (NULL), ==, 0);

  /* two filters: one leaves nothing */
  set_filter ("folder-filter", empty);
  set_filter ("date-filter", "year");
  spin (0.2);
  g_assert_cmpuint (n_results (), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (window_part ("content_stack"))), ==, "status");
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Matches With These Filters");
  g_assert_true (gtk_widget_get_mapped (window_part ("clear_filters_button")));
  g_assert_cmpuint (chips (texts), ==, 2);
  g_assert_true (strv_has (texts, "NoPhotos"));
  g_assert_true (strv_has (texts, "Past Year"));
  g_assert_true (gtk_widget_get_mapped (window_part ("filter_bar")));
  save_screenshot (GTK_WIDGET (window), "filters-no-matches.png");

  /* Clear Filters: both gone, every result back */
  g_signal_emit_by_name (window_part ("clear_filters_button"), "clicked");
  g_assert_true (wait_for (search_settled, NULL, 30));
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  folder = action_state ("folder-filter");
  date = action_state ("date-filter");
  g_assert_cmpstr (folder, ==, "");
  g_assert_cmpstr (date, ==, "any");
  g_assert_cmpuint (n_results (), ==, n_all);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (window_part ("content_stack"))), ==, "grid");
  g_assert_cmpuint (chips (NULL), ==, 0);
  g_assert_false (gtk_widget_get_visible (window_part ("clear_filters_button")));

  /* closing a chip removes its filter, and only it */
  set_filter ("folder-filter", empty);
  set_filter ("date-filter", "month");
  g_assert_cmpuint (chips (texts), ==, 2);
  g_assert_true (strv_has (texts, "Past Month"));
  {
    guint seen = n_results_changed;
    gulong handler = g_signal_connect (window, "results-changed", G_CALLBACK (on_results_changed_cb), NULL);

    g_signal_emit_by_name (chip_close_button ("NoPhotos"), "clicked");
    g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 30));
    g_signal_handler_disconnect (window, handler);
  }
  g_clear_pointer (&folder, g_free);
  g_clear_pointer (&date, g_free);
  folder = action_state ("folder-filter");
  date = action_state ("date-filter");
  g_assert_cmpstr (folder, ==, "");
  g_assert_cmpstr (date, ==, "month");
  g_assert_cmpuint (chips (texts), ==, 1);
  g_assert_cmpstr (texts->pdata[0], ==, "Past Month");
  /* the search ran again without the folder, with the date */
  query = cs_photo_list_get_query (CS_PHOTO_LIST (grid_model ()));
  g_assert_nonnull (query);
  g_assert_null (cs_query_get_folder (query));
  g_assert_cmpint (cs_query_get_after (query), >, 0);

  g_signal_emit_by_name (chip_close_button ("Past Month"), "clicked");
  g_assert_true (wait_for (search_settled, NULL, 30));
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_clear_pointer (&date, g_free);
  date = action_state ("date-filter");
  g_assert_cmpstr (date, ==, "any");
  g_assert_cmpuint (chips (NULL), ==, 0);
  g_assert_false (gtk_widget_get_visible (window_part ("filter_bar")));
  g_assert_cmpuint (n_results (), ==, n_all);
  g_assert_no_errno (g_rmdir (empty));
}

/* --- retyping: no start page between two result lists --------------- */

static GPtrArray *pages_seen;

static void
on_page_cb (GtkStack   *stack,
            GParamSpec *pspec,
            gpointer    which)
{
  const char *name = gtk_stack_get_visible_child_name (stack);
  const char *title = adw_status_page_get_title (ADW_STATUS_PAGE (window_part ("status_page")));

  g_ptr_array_add (pages_seen, g_strdup_printf ("%s:%s%s%s", (const char *) which, name,
                                                g_strcmp0 (name, "status") == 0 ? ":" : "",
                                                g_strcmp0 (name, "status") == 0 ? title : ""));
}

static gboolean
grid_shows_query (gpointer text)
{
  GListModel *model = grid_model ();
  CsQuery *query;

  if (model == NULL || cs_window_get_busy (window))
    return FALSE;
  query = cs_photo_list_get_query (CS_PHOTO_LIST (model));
  return query != NULL && g_strcmp0 (cs_query_get_text (query), text) == 0;
}

static void
check_no_page_change (const char *typed)
{
  g_autofree char *joined = NULL;

  g_ptr_array_add (pages_seen, NULL);
  joined = g_strjoinv (", ", (char **) pages_seen->pdata);
  g_ptr_array_remove_index (pages_seen, pages_seen->len - 1);
  g_test_message ("typing “%s”: pages shown: [%s]", typed, joined);
  /* the grid stayed: not the start page, not any other, in either stack */
  g_assert_cmpuint (pages_seen->len, ==, 0);
}

/* Defect 7: a query retyped key by key, from the grid (the first key
 * replaces the query) and over the selected query in the entry: every
 * visible-child change of the window's stacks is recorded, and none
 * happens: the previous results stay until the new ones replace them.
 * An empty query still shows the start page. */
void
test_retype_no_flash (void)
{
  GtkEditable *entry = GTK_EDITABLE (window_part ("search_entry"));
  GtkStack *content = window_part ("content_stack");
  GtkStack *main_stack = window_part ("main_stack");
  GtkWidget *grid_view = GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid"))));
  gulong h1, h2;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_editable_set_text (entry, "a red circle");
  g_assert_true (wait_for (grid_shows_query, (gpointer) "a red circle", 30));
  spin (0.5);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "grid");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (main_stack), ==, "library");

  pages_seen = g_ptr_array_new_with_free_func (g_free);
  h1 = g_signal_connect (content, "notify::visible-child", G_CALLBACK (on_page_cb), (gpointer) "content");
  h2 = g_signal_connect (main_stack, "notify::visible-child", G_CALLBACK (on_page_cb), (gpointer) "main");

  /* from the grid: the first key replaces the query */
  g_assert_true (gtk_widget_grab_focus (grid_view));
  type_text ("a blue square");
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "a blue square");
  g_assert_true (wait_for (grid_shows_query, (gpointer) "a blue square", 30));
  spin (0.3);
  check_no_page_change ("a blue square");

  /* in the entry, over its selected text */
  gtk_editable_select_region (entry, 0, -1);
  type_text ("a yellow star");
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "a yellow star");
  g_assert_true (wait_for (grid_shows_query, (gpointer) "a yellow star", 30));
  spin (0.3);
  check_no_page_change ("a yellow star");

  /* an empty query: every photo by date (issue 17's landing view), with
   * no start page between the results and it either */
  gtk_editable_set_text (entry, "");
  g_assert_true (wait_for (grid_shows_query, NULL, 30));
  spin (0.3);
  check_no_page_change ("");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "grid");
  g_assert_cmpint (cs_query_get_sort (cs_photo_list_get_query (CS_PHOTO_LIST (grid_model ()))), ==, CS_SORT_DATE);

  g_signal_handler_disconnect (content, h1);
  g_signal_handler_disconnect (main_stack, h2);
  g_clear_pointer (&pages_seen, g_ptr_array_unref);
}

/* --- results refreshed while indexing -------------------------------- */

#define N_SEEN 12

static void
first_ids (gint64 *ids)
{
  GListModel *model = grid_model ();

  g_assert_nonnull (model);
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, N_SEEN);
  for (guint i = 0; i < N_SEEN; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
      ids[i] = cs_photo_get_id (photo);
    }
}

static gboolean
indexed_exactly (gpointer data)
{
  return cs_library_get_n_photos (cs_application_get_library (app)) == GPOINTER_TO_UINT (data)
         && !cs_indexer_get_running (cs_application_get_indexer (app));
}

/* Defect 7, the reshuffle: copies of the twelve best matches of "a red
 * circle" are indexed while the query is shown.  They score as their
 * originals do, so a refreshed list would interleave them with the
 * photos in view: the first twelve results shown stay the same, in the
 * same order, all along the run and after it; the refreshed list waits
 * for "Show New Matches", which then shows the copies among the first.
 * Removing the copies' folder takes them out of the view at once. */
void
test_index_keeps_order (void)
{
  g_autofree char *copies = g_build_filename (g_get_home_dir (), "Copies", NULL);
  g_autofree char *canon = NULL;
  GtkEditable *entry = GTK_EDITABLE (window_part ("search_entry"));
  guint n_before = cs_library_get_n_photos (cs_application_get_library (app));
  gint64 ids[N_SEEN], now[N_SEEN];
  gint64 end;
  guint n_copies = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "sort", g_variant_new_string ("relevance"));
  gtk_editable_set_text (entry, "a red circle");
  g_assert_true (wait_for (grid_shows_query, (gpointer) "a red circle", 30));
  spin (0.5);
  first_ids (ids);

  g_assert_cmpint (g_mkdir_with_parents (copies, 0755), ==, 0);
  canon = g_canonicalize_filename (copies, NULL);
  for (guint i = 0; i < N_SEEN; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (grid_model (), i);
      g_autofree char *data = NULL;
      g_autofree char *to = g_strdup_printf ("%s/copy-%02u.jpg", canon, i);
      gsize len;

      g_assert_true (g_file_get_contents (cs_photo_get_path (photo), &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
      n_copies++;
    }
  cs_application_add_folder (app, canon);

  /* all along the run, and the refreshes after it */
  end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!indexed_exactly (GUINT_TO_POINTER (n_before + n_copies)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin (0.1);
      first_ids (now);
      g_assert_true (memcmp (ids, now, sizeof ids) == 0);
    }
  spin (2.5);   /* the window refreshes at most once a second */
  g_assert_true (wait_for (search_settled, NULL, 30));
  first_ids (now);
  g_assert_true (memcmp (ids, now, sizeof ids) == 0);

  /* the newer results were kept, not lost: shown on request */
  g_assert_true (gtk_widget_get_mapped (window_part ("new_results_button")));
  g_signal_emit_by_name (window_part ("new_results_button"), "clicked");
  spin (0.2);
  first_ids (now);
  g_assert_false (memcmp (ids, now, sizeof ids) == 0);
  {
    g_autofree char *prefix = g_strconcat (canon, "/", NULL);
    guint n_copies_first = 0;

    for (guint i = 0; i < N_SEEN; i++)
      {
        g_autoptr(CsPhoto) photo = g_list_model_get_item (grid_model (), i);
        n_copies_first += g_str_has_prefix (cs_photo_get_path (photo), prefix);
      }
    g_test_message ("after Show New Matches: %u copies among the first %u", n_copies_first, N_SEEN);
    g_assert_cmpuint (n_copies_first, >, 0);
  }
  g_assert_false (gtk_widget_get_visible (window_part ("new_results_button")));

  /* photos removed are not held back: the copies leave the view */
  cs_application_remove_folder (app, canon);
  g_assert_true (wait_for (indexed_exactly, GUINT_TO_POINTER (n_before), 120));
  spin (2.5);
  g_assert_true (wait_for (search_settled, NULL, 30));
  {
    g_autofree char *prefix = g_strconcat (canon, "/", NULL);
    GListModel *model = grid_model ();

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);
        g_assert_false (g_str_has_prefix (cs_photo_get_path (photo), prefix));
      }
    g_assert_false (gtk_widget_get_visible (window_part ("new_results_button")));
  }
  test_rm_rf (copies);
}
