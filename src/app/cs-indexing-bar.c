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
  GtkButton      *pause_button;

  CsApplication  *app;             /* borrowed: the app outlives its windows */
  CsIndexer      *indexer;

  CsIndexingRate *rate;
};

G_DEFINE_FINAL_TYPE (CsIndexingBar, cs_indexing_bar, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------ */
/* The speed                                                            */
/* ------------------------------------------------------------------ */

/* Over the last RATE_WINDOW seconds of running time: the speed now, not
 * since the start (it changes with the photos' sizes, the machine's
 * load), and paused time counts for nothing. */
#define RATE_WINDOW (10 * G_USEC_PER_SEC)
/* Samples closer than this are merged, so a window holds few. */
#define RATE_STEP   (G_USEC_PER_SEC / 4)
/* Below this much running time the speed is not known yet. */
#define RATE_MIN    (2 * G_USEC_PER_SEC)

typedef struct {
  gint64  clock;      /* running time (µs) when sampled */
  guint64 count;
} RateSample;

struct _CsIndexingRate {
  GArray  *samples;   /* RateSample, oldest first */
  gint64   clock;     /* running time so far, µs */
  gint64   last;      /* monotonic time of the last sample */
  gboolean running;   /* as the last sample said */
};

CsIndexingRate *
cs_indexing_rate_new (void)
{
  CsIndexingRate *self = g_new0 (CsIndexingRate, 1);

  self->samples = g_array_new (FALSE, FALSE, sizeof (RateSample));
  return self;
}

void
cs_indexing_rate_free (CsIndexingRate *self)
{
  g_array_unref (self->samples);
  g_free (self);
}

void
cs_indexing_rate_reset (CsIndexingRate *self)
{
  g_array_set_size (self->samples, 0);
  self->clock = 0;
  self->running = FALSE;
}

void
cs_indexing_rate_sample (CsIndexingRate *self,
                         gint64          now_us,
                         guint64         count,
                         gboolean        running)
{
  RateSample sample;
  guint n = self->samples->len;

  if (n > 0 && count < g_array_index (self->samples, RateSample, n - 1).count)
    {
      cs_indexing_rate_reset (self);  /* a new run */
      n = 0;
    }
  /* the time since the last sample runs only if indexing ran then */
  if (n > 0 && self->running && now_us > self->last)
    self->clock += now_us - self->last;
  self->last = now_us;
  self->running = running;

  sample.clock = self->clock;
  sample.count = count;
  if (n >= 2 && self->clock - g_array_index (self->samples, RateSample, n - 2).clock < RATE_STEP)
    g_array_index (self->samples, RateSample, n - 1) = sample;
  else
    g_array_append_val (self->samples, sample);

  /* keep one sample at or before the window's start */
  while (self->samples->len > 2
         && self->clock - g_array_index (self->samples, RateSample, 1).clock >= RATE_WINDOW)
    g_array_remove_index (self->samples, 0);
}

double
cs_indexing_rate_get (CsIndexingRate *self)
{
  guint n = self->samples->len;
  RateSample first, last;

  if (n < 2)
    return 0;
  first = g_array_index (self->samples, RateSample, 0);
  last = g_array_index (self->samples, RateSample, n - 1);
  if (last.clock - first.clock < RATE_MIN)
    return 0;
  return (double) (last.count - first.count) * G_USEC_PER_SEC / (double) (last.clock - first.clock);
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
  const char *pause_icon = user_paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic";

  /* the button says what a click does: resume while paused (the
   * template's icon and tooltip are those of running) */
  if (g_strcmp0 (gtk_button_get_icon_name (self->pause_button), pause_icon) != 0)
    {
      gtk_button_set_icon_name (self->pause_button, pause_icon);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                                   user_paused ? _("Resume Indexing") : _("Pause Indexing"));
    }
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
  gtk_widget_class_bind_template_child (widget_class, CsIndexingBar, pause_button);
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
