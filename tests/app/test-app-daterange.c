/* test-app-daterange.c - issue 17, "a date range": the Custom Range
 * dialog of the search options, the photos it keeps when browsing and
 * when searching, its chip, and the chip's text on dates written by hand.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <utime.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-date-range-dialog.h"
#include "cs-photo-grid.h"

static gint64
local_unix (int year,
            int month,
            int day,
            int hour,
            int minute,
            int second)
{
  g_autoptr(GDateTime) t = g_date_time_new_local (year, month, day, hour, minute, second);
  return g_date_time_to_unix (t);
}

/* The chip's text, on ranges whose words were written by hand: the range
 * ends the second before its bound, so the bound's day is not in it. */
void
test_date_range_format (void)
{
  static const struct {
    int from[3], before[3];
    const char *text;
  } cases[] = {
    { { 2025, 7, 12 }, { 2025, 7, 13 }, "12 July 2025" },
    { { 2025, 7, 12 }, { 2025, 7, 15 }, "12–14 July 2025" },
    { { 2025, 6, 3 }, { 2025, 8, 15 }, "3 June – 14 August 2025" },
    { { 2025, 6, 30 }, { 2025, 7, 1 }, "30 June 2025" },
    { { 2025, 6, 30 }, { 2025, 7, 2 }, "30 June – 1 July 2025" },
    { { 2024, 12, 30 }, { 2025, 1, 3 }, "30 December 2024 – 2 January 2025" },
    { { 2024, 2, 1 }, { 2024, 3, 1 }, "1–29 February 2024" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 after = local_unix (cases[i].from[0], cases[i].from[1], cases[i].from[2], 0, 0, 0);
      gint64 before = local_unix (cases[i].before[0], cases[i].before[1], cases[i].before[2], 0, 0, 0);
      g_autofree char *text = cs_date_range_format (after, before);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static CsDateRangeDialog *
shown_range_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CS_IS_DATE_RANGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
range_dialog_shown (gpointer data)
{
  CsDateRangeDialog *dialog = shown_range_dialog ();
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
range_dialog_gone (gpointer data)
{
  return shown_range_dialog () == NULL;
}

static GListModel *
grid_model (void)
{
  return cs_photo_grid_get_model (CS_PHOTO_GRID (window_part ("grid")));
}

static char *
date_filter_state (void)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window), "date-filter");
  return g_variant_dup_string (state, NULL);
}

/* The chips' texts, joined by '|'. */
static char *
chip_texts (void)
{
  GtkWidget *bar = window_part ("filter_bar");
  g_autoptr(GString) s = g_string_new (NULL);

  if (!gtk_widget_get_visible (bar))
    return g_string_free (g_steal_pointer (&s), FALSE);
  for (GtkWidget *chip = gtk_widget_get_first_child (bar); chip != NULL; chip = gtk_widget_get_next_sibling (chip))
    {
      GtkWidget *label = find_widget (chip, "GtkLabel", NULL, NULL);

      g_string_append_printf (s, "%s%s", s->len > 0 ? "|" : "", gtk_label_get_label (GTK_LABEL (label)));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The grid shows exactly the photos of `taken` (path -> taken) taken in
 * [after, before): a brute force over every photo of the library. */
static void
check_grid (GHashTable *taken,
            gint64      after,
            gint64      before)
{
  GListModel *model = grid_model ();
  g_autoptr(GHashTable) want = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer key, value;
  guint n = g_list_model_get_n_items (model);

  g_hash_table_iter_init (&it, taken);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (*(gint64 *) value >= after && *(gint64 *) value < before)
      g_hash_table_add (want, key);
  g_test_message ("%u photos shown, %u expected", n, g_hash_table_size (want));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (want, cs_photo_get_path (photo)))
        g_error ("%s is shown, taken %" G_GINT64_FORMAT ", out of [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                 cs_photo_get_path (photo), cs_photo_get_taken (photo), after, before);
    }
  g_assert_cmpuint (n, ==, g_hash_table_size (want));
}

static void
select_day (GtkCalendar *calendar,
            int          year,
            int          month,
            int          day)
{
  g_autoptr(GDateTime) t = g_date_time_new_local (year, month, day, 12, 0, 0);

  cs_compat_calendar_set_date (calendar, t);
  g_signal_emit_by_name (calendar, "day-selected");
  spin (0.05);
}

static GtkCalendar *
dialog_calendar (CsDateRangeDialog *dialog,
                 guint              which)
{
  GtkWidget *first = find_widget (GTK_WIDGET (dialog), "GtkCalendar", NULL, NULL);
  GtkWidget *column = gtk_widget_get_parent (first);

  if (which == 0)
    return GTK_CALENDAR (first);
  return GTK_CALENDAR (find_widget (gtk_widget_get_next_sibling (column), "GtkCalendar", NULL, NULL));
}

static gboolean
apply_enabled (CsDateRangeDialog *dialog)
{
  GtkWidget *apply = find_widget (GTK_WIDGET (dialog), "GtkButton", "label", "_Apply");

  g_assert_nonnull (apply);
  return gtk_widget_is_sensitive (apply);
}

static void
assert_calendar_day (GtkCalendar *calendar,
                     gint64       t)
{
  g_autoptr(GDateTime) want = g_date_time_new_from_unix_local (t);
  g_autoptr(GDateTime) got = gtk_calendar_get_date (calendar);

  g_assert_cmpint (g_date_time_get_year (got), ==, g_date_time_get_year (want));
  g_assert_cmpint (g_date_time_get_day_of_year (got), ==, g_date_time_get_day_of_year (want));
}

static gboolean
option_active (const char *text)
{
  GtkWidget *item = find_widget (options_popover (), "GtkModelButton", "text", text);
  gboolean active = FALSE;

  g_assert_nonnull (item);
  g_object_get (item, "active", &active, NULL);
  return active;
}

static void
wait_results (guint seen)
{
  g_assert_true (wait_for (results_since, GUINT_TO_POINTER (seen), 30));
  g_assert_true (wait_for (search_settled, NULL, 30));
}

/* A folder of photos dated around the range 10–12 March 2025 (the
 * seconds either side of its bounds among them), a range set through
 * the dialog, kept in browsing and in a search, and its chip. */
void
test_date_range (void)
{
  static const int dates[][6] = {
    { 2025, 3, 9, 23, 59, 59 },   /* out: the second before */
    { 2025, 3, 10, 0, 0, 0 },     /* in: From's first second */
    { 2025, 3, 11, 12, 0, 0 },    /* in */
    { 2025, 3, 12, 23, 59, 59 },  /* in: To's last second */
    { 2025, 3, 13, 0, 0, 0 },     /* out: the second after */
    { 2025, 2, 1, 12, 0, 0 },     /* out */
    { 2024, 12, 31, 12, 0, 0 },   /* out */
    { 2025, 6, 1, 12, 0, 0 },     /* out */
  };
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "Range", NULL);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) mine = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) d = g_dir_open (photos_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  CsLibrary *library = cs_application_get_library (app);
  GtkRange *strictness = GTK_RANGE (find_widget (options_popover (), "GtkScale", NULL, NULL));
  gint64 after = local_unix (2025, 3, 10, 0, 0, 0);
  gint64 before = local_unix (2025, 3, 13, 0, 0, 0);
  gint64 oldest = G_MAXINT64, newest = G_MININT64;
  CsDateRangeDialog *dialog;
  const char *name;
  guint n_all, seen;
  gulong handler;
  char *s;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "");
  g_action_group_change_action_state (G_ACTION_GROUP (window), "folder-filter", g_variant_new_string (""));
  g_action_group_change_action_state (G_ACTION_GROUP (window), "date-filter", g_variant_new_string ("any"));
  g_assert_true (wait_for (search_settled, NULL, 30));

  /* the photos, dated by their files (the toy photos carry no EXIF date) */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "photo-"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *from = g_build_filename (photos_dir, names->pdata[i * 5 + 3], NULL);
      char *to = g_build_filename (dir, names->pdata[i * 5 + 3], NULL);
      g_autofree char *data = NULL;
      gsize len;
      gint64 *when = g_new (gint64, 1);
      struct utimbuf t;

      *when = local_unix (dates[i][0], dates[i][1], dates[i][2], dates[i][3], dates[i][4], dates[i][5]);
      t.actime = t.modtime = (time_t) *when;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
      g_assert_cmpint (utime (to, &t), ==, 0);
      g_hash_table_insert (mine, to, when);
    }
  {
    guint n_before = cs_library_get_n_photos (library);

    cs_application_add_folder (app, dir);
    g_assert_true (wait_for (library_has_all, GUINT_TO_POINTER (n_before + G_N_ELEMENTS (dates)), 120));
    g_assert_true (wait_for (indexer_idle, NULL, 120));
  }

  /* the truth: every photo of the library with its stored date (mine
   * with the date their files were given) */
  handler = g_signal_connect (window, "results-changed", G_CALLBACK (on_results_changed_cb), NULL);
  g_assert_true (wait_for (search_settled, NULL, 30));
  n_all = cs_library_get_n_photos (library);
  {
    g_autoptr(CsQuery) all = cs_query_new_all ();
    g_autoptr(CsPhotoList) list = cs_library_search (library, all, NULL, NULL);

    g_assert_nonnull (list);
    g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, n_all);
    for (guint i = 0; i < n_all; i++)
      {
        CsPhoto *photo = cs_photo_list_get_photo (list, i);
        gint64 *when = g_new (gint64, 1);

        *when = cs_photo_get_taken (photo);
        oldest = MIN (oldest, *when);
        newest = MAX (newest, *when);
        g_hash_table_insert (taken, g_strdup (cs_photo_get_path (photo)), when);
      }
  }
  {
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, mine);
    while (g_hash_table_iter_next (&it, &key, &value))
      {
        g_autofree char *canon = g_canonicalize_filename (key, NULL);
        gint64 *stored = g_hash_table_lookup (taken, canon);

        g_assert_nonnull (stored);
        g_assert_cmpint (*stored, ==, *(gint64 *) value);
      }
  }

  /* the dialog, from the search options: preset to the library's span */
  click_option ("Custom Range…");
  g_assert_true (wait_for (range_dialog_shown, NULL, 30));
  dialog = shown_range_dialog ();
  assert_calendar_day (dialog_calendar (dialog, 0), oldest);
  assert_calendar_day (dialog_calendar (dialog, 1), newest);
  g_assert_true (apply_enabled (dialog));

  /* From after To: Apply is off, Enter does nothing */
  select_day (dialog_calendar (dialog, 1), 2025, 3, 12);
  select_day (dialog_calendar (dialog, 0), 2025, 3, 14);
  g_assert_false (apply_enabled (dialog));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "“To” is before “From”"));
  press_key_in (GTK_WIDGET (dialog), GDK_KEY_Return, 0);
  g_assert_true (shown_range_dialog () == dialog);
  s = date_filter_state ();
  g_assert_cmpstr (s, ==, "any");
  g_free (s);

  /* 10 to 12 March: Enter applies */
  select_day (dialog_calendar (dialog, 0), 2025, 3, 10);
  g_assert_true (apply_enabled (dialog));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "10 March 2025"));
  g_assert_true (label_shows (GTK_WIDGET (dialog), "12 March 2025"));
  save_screenshot (GTK_WIDGET (dialog), "date-range-dialog.png");
  seen = n_results_changed;
  press_key_in (GTK_WIDGET (dialog), GDK_KEY_Return, 0);
  g_assert_true (wait_for (range_dialog_gone, NULL, 10));
  wait_results (seen);
  s = date_filter_state ();
  g_assert_cmpstr (s, ==, "custom");
  g_free (s);
  s = chip_texts ();
  g_assert_cmpstr (s, ==, "10–12 March 2025");
  g_free (s);
  /* the options menu says which filter is in use */
  g_assert_true (option_active ("Custom Range…"));
  g_assert_false (option_active ("Any Time"));
  /* browsing: every photo of those days, by date */
  check_grid (taken, after, before);
  save_screenshot (GTK_WIDGET (window), "date-range-browse.png");

  /* searching, at the loosest strictness (every photo passing the
   * filters is a result): the same photos */
  gtk_range_set_value (strictness, -1.0);
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "a red circle");
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_assert_cmpstr (cs_query_get_text (cs_photo_list_get_query (CS_PHOTO_LIST (grid_model ()))), ==, "a red circle");
  check_grid (taken, after, before);

  /* opened again: the range in use; Escape leaves it */
  click_option ("Custom Range…");
  g_assert_true (wait_for (range_dialog_shown, NULL, 30));
  dialog = shown_range_dialog ();
  assert_calendar_day (dialog_calendar (dialog, 0), after);
  assert_calendar_day (dialog_calendar (dialog, 1), before - 1);
  select_day (dialog_calendar (dialog, 0), 2025, 1, 1);
  press_key_in (GTK_WIDGET (dialog), GDK_KEY_Escape, 0);
  g_assert_true (wait_for (range_dialog_gone, NULL, 10));
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  s = chip_texts ();
  g_assert_cmpstr (s, ==, "10–12 March 2025");
  g_free (s);
  check_grid (taken, after, before);

  /* a range with no photo: the empty state offers Clear Filters */
  seen = n_results_changed;
  g_action_group_activate_action (G_ACTION_GROUP (window), "date-range",
                                  g_variant_new ("(xx)", local_unix (1999, 1, 1, 0, 0, 0),
                                                 local_unix (1999, 1, 2, 0, 0, 0)));
  wait_results (seen);
  g_assert_cmpuint (g_list_model_get_n_items (grid_model ()), ==, 0);
  g_assert_true (gtk_widget_get_mapped (window_part ("clear_filters_button")));
  s = chip_texts ();
  g_assert_cmpstr (s, ==, "1 January 1999");
  g_free (s);

  /* the longest range a chip says, whole */
  seen = n_results_changed;
  g_action_group_activate_action (G_ACTION_GROUP (window), "date-range",
                                  g_variant_new ("(xx)", local_unix (2024, 9, 30, 0, 0, 0),
                                                 local_unix (2025, 9, 3, 0, 0, 0)));
  wait_results (seen);
  spin (0.2);
  s = chip_texts ();
  g_assert_cmpstr (s, ==, "30 September 2024 – 2 September 2025");
  g_free (s);
  {
    GtkWidget *label = find_widget (window_part ("filter_bar"), "GtkLabel", NULL, NULL);

    g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label))));
  }

  /* back to 10–12 March, then the chip's close button: every photo */
  seen = n_results_changed;
  g_action_group_activate_action (G_ACTION_GROUP (window), "date-range", g_variant_new ("(xx)", after, before));
  wait_results (seen);
  check_grid (taken, after, before);
  gtk_editable_set_text (GTK_EDITABLE (window_part ("search_entry")), "");
  spin (0.2);
  g_assert_true (wait_for (search_settled, NULL, 30));
  check_grid (taken, after, before);
  {
    GtkWidget *bar = window_part ("filter_bar");
    GtkWidget *close = find_widget (gtk_widget_get_first_child (bar), "GtkButton", "tooltip-text", "Remove Filter");

    seen = n_results_changed;
    g_signal_emit_by_name (close, "clicked");
    wait_results (seen);
  }
  s = date_filter_state ();
  g_assert_cmpstr (s, ==, "any");
  g_free (s);
  s = chip_texts ();
  g_assert_cmpstr (s, ==, "");
  g_free (s);
  check_grid (taken, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (g_list_model_get_n_items (grid_model ()), ==, n_all);
  g_assert_false (option_active ("Custom Range…"));
  g_assert_true (option_active ("Any Time"));

  gtk_range_set_value (strictness, 0.0);
  g_assert_true (wait_for (search_settled, NULL, 30));
  g_signal_handler_disconnect (window, handler);
}
