/* cs-date-range-dialog.c - "Custom Range": the days the photos shown were
 * taken in.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built in code, like the export dialog: two calendars side by side (a
 * popover each would hide the one while the other is chosen, and the two
 * fit a small window) under a header bar with Cancel and Apply.
 */
#define G_LOG_DOMAIN "cs-date-range-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compat.h"
#include "cs-date-range.h"
#include "cs-date-range-dialog.h"
#include "cs-query.h"
#include "cs-window-private.h"

struct _CsDateRangeDialog {
  AdwWindow    parent_instance;

  CsWindow    *window;
  GtkCalendar *from;
  GtkCalendar *to;
  GtkLabel    *from_label;   /* the day chosen, in words */
  GtkLabel    *to_label;
  GtkWidget   *order_error;  /* "To" before "From" */
};

G_DEFINE_FINAL_TYPE (CsDateRangeDialog, cs_date_range_dialog, ADW_TYPE_WINDOW)

char *
cs_date_range_format (gint64 after,
                      gint64 before)
{
  /* the bound is the next day's midnight: its last second is To's */
  return cs_discover_format_range (after, MAX (after, before - 1));
}

/* Midnight, local time, starting the day `calendar` shows chosen. */
static GDateTime *
chosen_day (GtkCalendar *calendar)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  int year, month, day;

  g_date_time_get_ymd (date, &year, &month, &day);
  return g_date_time_new_local (year, month, day, 0, 0, 0);
}

static char *
day_text (GDateTime *day)
{
  gint64 t = g_date_time_to_unix (day);
  return cs_discover_format_range (t, t);
}

static void
update (CsDateRangeDialog *self)
{
  g_autoptr(GDateTime) from = chosen_day (self->from);
  g_autoptr(GDateTime) to = chosen_day (self->to);
  g_autofree char *from_text = day_text (from);
  g_autofree char *to_text = day_text (to);
  gboolean ordered = g_date_time_compare (from, to) <= 0;

  gtk_label_set_label (self->from_label, from_text);
  gtk_label_set_label (self->to_label, to_text);
  gtk_widget_set_visible (self->order_error, !ordered);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "range.apply", ordered);
}

static void
apply_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  CsDateRangeDialog *self = CS_DATE_RANGE_DIALOG (widget);
  g_autoptr(GDateTime) from = chosen_day (self->from);
  g_autoptr(GDateTime) to = chosen_day (self->to);
  /* a day later at the same wall-clock time: the next midnight, however
   * long the day was (a change to or from summer time) */
  g_autoptr(GDateTime) end = g_date_time_add_days (to, 1);

  if (g_date_time_compare (from, to) > 0)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self->window), "win.date-range", "(xx)",
                              (gint64) g_date_time_to_unix (from), (gint64) g_date_time_to_unix (end));
  gtk_window_close (GTK_WINDOW (self));
}

static void
cs_date_range_dialog_dispose (GObject *object)
{
  CsDateRangeDialog *self = CS_DATE_RANGE_DIALOG (object);

  g_clear_object (&self->window);
  G_OBJECT_CLASS (cs_date_range_dialog_parent_class)->dispose (object);
}

static void
cs_date_range_dialog_class_init (CsDateRangeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_date_range_dialog_dispose;
  gtk_widget_class_install_action (widget_class, "range.apply", NULL, apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* A heading, the day in words under it, and the calendar. */
static GtkWidget *
day_column (const char   *heading,
            GtkCalendar **calendar,
            GtkLabel    **label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new_with_mnemonic (heading);

  *calendar = GTK_CALENDAR (gtk_calendar_new ());
  *label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title), GTK_WIDGET (*calendar));
  gtk_widget_add_css_class (GTK_WIDGET (*label), "dim-label");
  gtk_label_set_xalign (*label, 0);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (*calendar), GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, *label, NULL, -1);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*calendar));
  return box;
}

static void
cs_date_range_dialog_init (CsDateRangeDialog *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *apply = gtk_button_new_with_mnemonic (_("_Apply"));
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *days = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *note;

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Custom Range"));

  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (apply), "range.apply");
  gtk_widget_add_css_class (apply, "suggested-action");
  /* Enter: GtkWindow's own binding activates the default widget (a
   * binding of ours would come after it, never to run) */
  gtk_window_set_default_widget (GTK_WINDOW (self), apply);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), apply);
  gtk_box_append (GTK_BOX (toolbar), header);

  gtk_box_append (GTK_BOX (days), day_column (_("_From"), &self->from, &self->from_label));
  gtk_box_append (GTK_BOX (days), day_column (_("_To"), &self->to, &self->to_label));
  gtk_box_append (GTK_BOX (body), days);

  self->order_error = gtk_label_new (_("“To” is before “From”"));
  gtk_widget_add_css_class (self->order_error, "error");
  gtk_label_set_xalign (GTK_LABEL (self->order_error), 0);
  gtk_box_append (GTK_BOX (body), self->order_error);
  /* every photo has a date to filter by: the camera's, else the file's */
  note = gtk_label_new (_("Both days are included. A photo whose camera recorded no date counts by its "
                          "file’s date."));
  gtk_widget_add_css_class (note, "dim-label");
  gtk_widget_add_css_class (note, "caption");
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (note), 50);
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_box_append (GTK_BOX (body), note);
  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 18);
  gtk_widget_set_margin_start (body, 18);
  gtk_widget_set_margin_end (body, 18);
  gtk_box_append (GTK_BOX (toolbar), body);
  adw_window_set_content (ADW_WINDOW (self), toolbar);

  g_signal_connect_swapped (self->from, "day-selected", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->to, "day-selected", G_CALLBACK (update), self);
  /* the month and year buttons move the chosen day without "day-selected" */
  g_signal_connect_swapped (self->from, "notify::day", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->to, "notify::day", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->from, "notify::month", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->to, "notify::month", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->from, "notify::year", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->to, "notify::year", G_CALLBACK (update), self);
}

/* Shows the dialog with the days of `from` and `to` chosen. */
static void
show (CsWindow  *window,
      GDateTime *from,
      GDateTime *to)
{
  CsDateRangeDialog *self = g_object_new (CS_TYPE_DATE_RANGE_DIALOG, NULL);

  self->window = g_object_ref (window);
  cs_compat_calendar_set_date (self->from, from);
  cs_compat_calendar_set_date (self->to, to);
  update (self);
  /* Enter applies from here; on Cancel, the first in the focus chain, it
   * would cancel */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->from));
  gtk_window_set_transient_for (GTK_WINDOW (self), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (self));
}

static void
show_past_month (CsWindow *window)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) from = g_date_time_add_months (now, -1);

  show (window, from, now);
}

/* The library's photos, newest first: the first and the last give the
 * span of their days. */
static void
on_span_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsWindow) window = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsPhotoList) list = cs_library_search_finish (CS_LIBRARY (source), result, &error);
  guint n = list != NULL ? cs_photo_list_get_n_items (list) : 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (n == 0)
    show_past_month (window);
  else
    {
      CsPhoto *newest = cs_photo_list_get_photo (list, 0);
      CsPhoto *oldest = cs_photo_list_get_photo (list, n - 1);
      g_autoptr(GDateTime) from = g_date_time_new_from_unix_local (cs_photo_get_taken (oldest));
      g_autoptr(GDateTime) to = g_date_time_new_from_unix_local (cs_photo_get_taken (newest));

      if (from == NULL || to == NULL)
        show_past_month (window);
      else
        show (window, from, to);
    }
}

void
cs_date_range_dialog_present (CsWindow *window)
{
  g_return_if_fail (CS_IS_WINDOW (window));

  if (window->date_filter == CS_DATE_FILTER_CUSTOM)
    {
      g_autoptr(GDateTime) from = g_date_time_new_from_unix_local (window->range_after);
      g_autoptr(GDateTime) to = g_date_time_new_from_unix_local (window->range_before - 1);

      if (from != NULL && to != NULL)
        {
          show (window, from, to);
          return;
        }
    }
  if (!cs_library_get_loaded (window->library) || cs_library_get_n_photos (window->library) == 0)
    {
      show_past_month (window);
      return;
    }
  {
    g_autoptr(CsQuery) all = cs_query_new_all ();

    cs_library_search_async (window->library, all, window->cancellable, on_span_cb, g_object_ref (window));
  }
}
