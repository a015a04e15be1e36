/* cs-indexing-bar.c - the bar that shows how indexing goes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-indexing-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-indexing-bar.h"

struct _CsIndexingBar {
  GtkWidget       parent_instance;

  GtkRevealer    *revealer;
  GtkLabel       *label;
  GtkProgressBar *progress;
  GtkLabel       *detail;
  GtkButton      *failures_button;

  CsApplication  *app;             /* borrowed: the app outlives its windows */
  CsIndexer      *indexer;

  CsIndexingRate *rate;
};

G_DEFINE_FINAL_TYPE (CsIndexingBar, cs_indexing_bar, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------ */
/* The speed                                                            */
/* ------------------------------------------------------------------ */

struct _CsIndexingRate {
  gint64  started;    /* when the phase began; 0: not yet */
  guint64 base;       /* photos done then */
  gint64  now;
  guint64 count;
};

CsIndexingRate *
cs_indexing_rate_new (void)
{
  return g_new0 (CsIndexingRate, 1);
}

void
cs_indexing_rate_free (CsIndexingRate *self)
{
  g_free (self);
}

void
cs_indexing_rate_reset (CsIndexingRate *self)
{
  self->started = 0;
}

void
cs_indexing_rate_sample (CsIndexingRate *self,
                         gint64          now_us,
                         guint64         count,
                         gboolean        running)
{
  if (count < self->base)
    self->started = 0;
  if (self->started == 0)
    {
      self->started = now_us;
      self->base = count;
    }
  self->now = now_us;
  self->count = count;
}

double
cs_indexing_rate_get (CsIndexingRate *self)
{
  double secs = self->started ? (self->now - self->started) / 1e6 : 0;
  return secs > 2 ? (self->count - self->base) / secs : 0;
}

/* ------------------------------------------------------------------ */
/* The bar                                                              */
/* ------------------------------------------------------------------ */

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

static void
update (CsIndexingBar *self)
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

  gtk_revealer_set_reveal_child (self->revealer, running);
  if (!running)
    {
      cs_indexing_rate_reset (self->rate);
      return;
    }

  if (state != CS_INDEXER_STATE_INDEXING)
    cs_indexing_rate_reset (self->rate);
  else
    cs_indexing_rate_sample (self->rate, now, done, !user_paused && !policy_paused);

  if (user_paused)
    gtk_label_set_label (self->label, _("Indexing paused"));
  else if (policy_paused)
    gtk_label_set_label (self->label,
                         cs_power_policy_get_reason (cs_application_get_power_policy (self->app)));
  else if (state == CS_INDEXER_STATE_SCANNING)
    gtk_label_set_label (self->label, _("Looking for new photos…"));
  else
    gtk_label_set_label (self->label, _("Indexing photos…"));

  if (state == CS_INDEXER_STATE_SCANNING)
    {
      const char *folder = cs_indexer_get_current_folder (self->indexer);
      gtk_progress_bar_pulse (self->progress);
      if (folder != NULL)
        {
          g_autofree char *display = g_filename_display_name (folder);
          g_string_append (detail, display);
        }
    }
  else
    {
      double rate = cs_indexing_rate_get (self->rate);
      /* numbers go in as text: xgettext cannot read a msgid built with
       * G_GUINT64_FORMAT */
      g_autofree char *done_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, done);
      g_autofree char *total_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, total);

      gtk_progress_bar_set_fraction (self->progress, cs_indexer_get_fraction (self->indexer));
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
  gtk_label_set_label (self->detail, detail->str);

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
on_changed_cb (GObject       *object,
               GParamSpec    *pspec,
               CsIndexingBar *self)
{
  update (self);
}

static void
cs_indexing_bar_dispose (GObject *object)
{
  CsIndexingBar *self = CS_INDEXING_BAR (object);

  g_clear_object (&self->indexer);
  g_clear_pointer (&self->rate, cs_indexing_rate_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_INDEXING_BAR);
  G_OBJECT_CLASS (cs_indexing_bar_parent_class)->dispose (object);
}

static void
cs_indexing_bar_class_init (CsIndexingBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_indexing_bar_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clipsight/Clipsight/ui/cs-indexing-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, revealer);
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, label);
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, progress);
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, detail);
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, failures_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cs_indexing_bar_init (CsIndexingBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rate = cs_indexing_rate_new ();
}

void
cs_indexing_bar_set_application (CsIndexingBar *self,
                                 CsApplication *application)
{
  g_return_if_fail (CS_IS_INDEXING_BAR (self));
  g_return_if_fail (CS_IS_APPLICATION (application));
  g_return_if_fail (self->app == NULL);

  self->app = application;
  self->indexer = g_object_ref (cs_application_get_indexer (application));
  g_signal_connect_object (self->indexer, "notify", G_CALLBACK (on_changed_cb), self, 0);
  g_signal_connect_object (application, "notify::user-paused", G_CALLBACK (on_changed_cb), self, 0);
  g_signal_connect_object (application, "notify::policy-paused", G_CALLBACK (on_changed_cb), self, 0);
  update (self);
}
