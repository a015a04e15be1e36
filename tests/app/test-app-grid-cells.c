/* test-app-grid-cells.c - issue 17, defect 7: what a new result list
 * costs the grid.  GTK 4.8's GtkGridView keeps item widgets for 30 rows
 * of max-columns items, and recycles none when the list is replaced; the
 * grid bounds max-columns by its width and keeps its cells for the next
 * item widgets (cs-photo-grid.c).  Checked here as behaviour, not time:
 * the grid still shows as many columns as fit, keeps widgets for about
 * 30 rows of those columns, destroys no cell when the results change,
 * and every cell on screen shows the photo (and the heading) of its
 * position, against the list itself and a heading worked out here.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "app-test-util.h"
#include "cs-photo-cell.h"
#include "cs-photo-grid.h"
#include "test-util.h"

static CsPhotoGrid *
grid (void)
{
  return CS_PHOTO_GRID (window_part ("grid"));
}

static GtkWidget *
view (void)
{
  return GTK_WIDGET (cs_photo_grid_get_view (grid ()));
}

/* The grid shows the results of `text` (NULL: browsing), settled. */
static gboolean
grid_shows (gpointer text)
{
  GListModel *model = cs_photo_grid_get_model (grid ());
  CsQuery *query;

  if (model == NULL || cs_window_get_busy (window))
    return FALSE;
  query = cs_photo_list_get_query (CS_PHOTO_LIST (model));
  return query != NULL && g_strcmp0 (cs_query_get_text (query), text) == 0
         && g_strcmp0 (gtk_stack_get_visible_child_name (window_part ("content_stack")), "grid") == 0;
}

static guint shown_columns (int *pitch);

/* The item widgets shown are laid out: a top row of two columns or more,
 * every one with a size. */
static gboolean
laid_out (gpointer data)
{
  GtkWidget *v = GTK_WIDGET (cs_photo_grid_get_view (CS_PHOTO_GRID (window_part ("grid"))));
  guint n_mapped = 0;
  int pitch;

  for (GtkWidget *w = gtk_widget_get_first_child (v); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (gtk_widget_get_mapped (w))
      {
        if (gtk_widget_get_width (w) <= 0 || gtk_widget_get_height (w) <= 0)
          return FALSE;
        n_mapped++;
      }
  return n_mapped >= 2 && shown_columns (&pitch) >= 2 && pitch > 0;
}

static void
show_query (const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), text != NULL ? text : "");
  g_assert_true (wait_for (grid_shows, (gpointer) text, 60));
  /* laid out, the cells bound (a refresh may still land: again) */
  g_assert_true (wait_for (laid_out, NULL, 30));
  spin (0.4);
  g_assert_true (wait_for (grid_shows, (gpointer) text, 60));
  g_assert_true (wait_for (laid_out, NULL, 30));
}

static CsPhotoCell *
cell_of_item (GtkWidget *item)
{
  GtkWidget *child = gtk_widget_get_first_child (item);
  return child != NULL && CS_IS_PHOTO_CELL (child) ? CS_PHOTO_CELL (child) : NULL;
}

/* The columns the grid shows: the item widgets on the first row (the
 * first photo's), which is full when there are more photos than it
 * holds; and the distance from one column to the next. */
static guint
shown_columns (int *pitch)
{
  graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0), p;
  double y0 = G_MAXDOUBLE, x0 = G_MAXDOUBLE, x1 = G_MAXDOUBLE;
  guint n = 0;

  /* the top row, and its first two columns (of the item widgets shown:
   * those out of view have no place) */
  for (GtkWidget *w = gtk_widget_get_first_child (view ()); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (gtk_widget_get_mapped (w) && gtk_widget_compute_point (w, view (), &origin, &p))
      y0 = MIN (y0, p.y);
  for (GtkWidget *w = gtk_widget_get_first_child (view ()); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (gtk_widget_get_mapped (w) && gtk_widget_compute_point (w, view (), &origin, &p) && (int) p.y == (int) y0)
      {
        n++;
        if (p.x < x0)
          {
            x1 = x0;
            x0 = p.x;
          }
        else if (p.x < x1)
          x1 = p.x;
      }
  *pitch = n >= 2 ? (int) (x1 - x0 + 0.5) : 0;
  return n;
}

static guint
n_item_widgets (void)
{
  guint n = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (view ()); w != NULL; w = gtk_widget_get_next_sibling (w))
    n++;
  return n;
}

/* The heading of `position`, worked out from the list (the rules of
 * cs-photo-grid.h, not its code). */
static char *
expected_heading (GListModel          *model,
                  CsPhotoGridSections  sections,
                  guint                position)
{
  g_autoptr(CsPhoto) photo = g_list_model_get_item (model, position);
  g_autoptr(CsPhoto) before = position > 0 ? g_list_model_get_item (model, position - 1) : NULL;

  if (sections == CS_PHOTO_GRID_SECTIONS_MATCH)
    {
      if (cs_photo_get_accepted (photo))
        return position == 0 ? g_strdup ("Best Matches") : NULL;
      return before == NULL || cs_photo_get_accepted (before) ? g_strdup ("More Results") : NULL;
    }
  if (sections == CS_PHOTO_GRID_SECTIONS_MONTH)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (cs_photo_get_taken (photo));
      g_autoptr(GDateTime) prev = before != NULL ? g_date_time_new_from_unix_local (cs_photo_get_taken (before)) : NULL;

      g_assert_nonnull (when);
      if (prev != NULL && g_date_time_get_year (prev) == g_date_time_get_year (when)
          && g_date_time_get_month (prev) == g_date_time_get_month (when))
        return NULL;
      return g_date_time_format (when, "%B %Y");
    }
  return NULL;
}

/* Every cell bound shows the photo at its position in the grid's list,
 * with that position's heading; the cells on screen are all bound; no
 * cell is in two places.  Returns the number of bound cells. */
static guint
check_cells (void)
{
  GListModel *model = cs_photo_grid_get_model (grid ());
  CsPhotoGridSections sections = cs_photo_grid_get_sections (grid ());
  g_autoptr(GHashTable) positions = g_hash_table_new (NULL, NULL);
  guint n_bound = 0, n_mapped = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (view ()); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      CsPhotoCell *cell = cell_of_item (w);
      guint position;
      g_autoptr(CsPhoto) photo = NULL;
      g_autofree char *heading = NULL;

      g_assert_nonnull (cell);
      g_assert_true (gtk_widget_get_parent (GTK_WIDGET (cell)) == w);
      if (gtk_widget_get_mapped (w))
        n_mapped++;
      position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "cs-position"));
      if (position == 0)
        {
          /* an item widget not bound to a position is not on screen */
          g_assert_false (gtk_widget_get_mapped (w));
          g_assert_null (cs_photo_cell_get_photo (cell));
          continue;
        }
      position--;
      g_assert_false (g_hash_table_contains (positions, GUINT_TO_POINTER (position + 1)));
      g_hash_table_add (positions, GUINT_TO_POINTER (position + 1));
      photo = g_list_model_get_item (model, position);
      g_assert_nonnull (photo);
      g_assert_nonnull (cs_photo_cell_get_photo (cell));
      g_assert_cmpint (cs_photo_get_id (cs_photo_cell_get_photo (cell)), ==, cs_photo_get_id (photo));
      heading = expected_heading (model, sections, position);
      g_assert_cmpstr (cs_photo_cell_get_heading (cell), ==, heading);
      n_bound++;
    }
  g_assert_cmpuint (n_mapped, >, 0);
  return n_bound;
}

static void
on_cell_finalized (gpointer  data,
                   GObject  *where)
{
  (*(guint *) data)++;
}

void
test_grid_cells (void)
{
  static const char *const queries_typed[] = { "a red circle", "a blue square", "a green triangle",
                                               "a yellow star", "a red" };
  static const int widths[] = { 1100, 700, 1500 };
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint n_finalized = 0;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  g_assert_true (wait_for (view_is, (gpointer) "search", 10));
  g_action_group_change_action_state (G_ACTION_GROUP (window), "folder-filter", g_variant_new_string (""));
  g_action_group_change_action_state (G_ACTION_GROUP (window), "sort", g_variant_new_string ("relevance"));

  /* As many columns as fit, whatever bound the grid sets on them, and
   * item widgets for about 30 rows of those (GTK's own margin: one more
   * column's worth, as the bound may exceed the columns by one). */
  for (guint k = 0; k < G_N_ELEMENTS (widths); k++)
    {
      GListModel *model;
      GtkWidget *item;
      int pitch, item_min;
      guint columns, n;

      resize_window (widths[k], 720);
      show_query (NULL);
      model = cs_photo_grid_get_model (grid ());
      columns = shown_columns (&pitch);
      g_assert_cmpuint (columns, >=, 2);
      item = gtk_widget_get_first_child (view ());
      gtk_widget_measure (item, GTK_ORIENTATION_HORIZONTAL, -1, &item_min, NULL, NULL, NULL);
      n = n_item_widgets ();
      g_test_message ("%d px wide: %u columns %d px apart (an item at least %d px), %u item widgets for %u photos",
                      widths[k], columns, pitch, item_min, n, g_list_model_get_n_items (model));
      g_assert_cmpuint (g_list_model_get_n_items (model), >, columns);
      g_assert_cmpint (pitch + 1, >=, item_min);
      /* no room for one more column: the columns shown share the width
       * (a pixel of rounding each) */
      g_assert_cmpint ((int) (columns + 1) * item_min, >, (int) columns * (pitch - 1));
      g_assert_cmpuint (n, <=, (columns + 1) * 31);
      check_cells ();
    }
  resize_window (1100, 720);

  /* New result lists, one after another: no cell destroyed (they are
   * used again), each cell showing its position's photo and heading. */
  show_query ("a blue circle");
  for (GtkWidget *w = gtk_widget_get_first_child (view ()); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      g_ptr_array_add (cells, cell_of_item (w));
      g_object_weak_ref (G_OBJECT (cell_of_item (w)), on_cell_finalized, &n_finalized);
    }
  for (guint q = 0; q < G_N_ELEMENTS (queries_typed); q++)
    {
      show_query (queries_typed[q]);
      g_assert_cmpuint (check_cells (), >, 0);
      g_assert_cmpuint (n_finalized, ==, 0);
    }
  /* browsing: months */
  show_query (NULL);
  g_assert_cmpint (cs_photo_grid_get_sections (grid ()), ==, CS_PHOTO_GRID_SECTIONS_MONTH);
  check_cells ();
  g_assert_cmpuint (n_finalized, ==, 0);
  for (guint i = 0; i < cells->len; i++)
    g_object_weak_unref (cells->pdata[i], on_cell_finalized, &n_finalized);
}
