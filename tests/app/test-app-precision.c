/* test-app-precision.c - the preferences' precision row shows the
 * measured choice.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After the earlier cases indexed the toy photos, the database holds the
 * precision check's record; the row must name the chosen precision, the
 * CPU it was measured on and each tried precision's speed, as read here
 * from the database itself (cs_clip_precision_check_read).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "cs-clip-runtime.h"
#include "cs-library.h"
#include "cs-preferences.h"
#include "cs-store.h"

/* The AdwActionRow titled `title` below `root`. */
static AdwActionRow *
row_titled (GtkWidget  *root,
            const char *title)
{
  if (ADW_IS_ACTION_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return ADW_ACTION_ROW (root);
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      AdwActionRow *found = row_titled (w, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
subtitle_read (gpointer data)
{
  const char *s = adw_action_row_get_subtitle (data);

  return s != NULL && g_strcmp0 (s, "…") != 0;
}

void
test_precision_row (void)
{
  CsLibrary *library = cs_application_get_library (app);
  g_autoptr(CsStore) store = NULL;
  GError *error = NULL;
  CsPrecisionCheck check;
  CsPreferences *prefs;
  AdwActionRow *row;
  const char *subtitle;

  g_assert_true (wait_for (indexer_idle, NULL, 120));
  store = cs_store_open (cs_library_get_database_path (library), &error);
  g_assert_no_error (error);
  /* the earlier cases indexed without CLIPSIGHT_PRECISION: checked */
  g_assert_true (cs_clip_precision_check_read (store, &check));

  prefs = cs_preferences_new (app);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));
  row = row_titled (GTK_WIDGET (prefs), "Precision");
  g_assert_nonnull (row);
  g_assert_true (wait_for (subtitle_read, row, 10));
  subtitle = adw_action_row_get_subtitle (row);
  g_test_message ("precision row: %s", subtitle);

  /* what was chosen, why, where */
  g_assert_true (g_str_has_prefix (subtitle, clip_precision_name (check.precision)));
  g_assert_nonnull (strstr (subtitle, "fastest"));
  g_assert_nonnull (strstr (subtitle, "0.995"));
  if (*check.cpu != '\0')
    g_assert_nonnull (strstr (subtitle, check.cpu));
  /* every tried precision's speed, as the record has it */
  for (int p = 0; p < CLIP_N_PRECISIONS; p++)
    if (!isnan (check.tested[p]) && check.tested[p] >= 0)
      {
        g_autofree char *figure = g_strdup_printf ("%s: %.0f images/s", clip_precision_name (p),
                                                   check.images_per_s[p]);

        g_assert_nonnull (strstr (subtitle, figure));
      }
  save_screenshot (GTK_WIDGET (prefs), "preferences-precision.png");
  cs_compat_preferences_close (GTK_WIDGET (prefs));
}
