/* test-app-models.c - Preferences → Model: the pinned models, and
 * switching the library to a model folder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real preferences window over the shared application (the earlier
 * cases indexed the toy photos with the toy CLIP model):
 * - the Models group lists OpenAI CLIP ViT-B/32 and the two SigLIP 2 base
 *   models, each with its download size (the published file sizes summed
 *   here by hand), its languages, its published recall and what a switch
 *   costs (the library's photo count);
 * - a folder that is no model the engine loads (the SigLIP 2 test model
 *   without its tokenizer) is refused with the engine's reason, and the
 *   library keeps its model;
 * - the SigLIP 2 test model (tests/data/siglip/siglip2) is checked, its
 *   speed measured once and remembered for it, then the library and the
 *   indexer switch to it; the case ends by switching back.
 * Nothing here is downloaded (the SigLIP 2 pins weigh 1.5 GB).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "clip.h"
#include "cs-library.h"
#include "cs-model-manager.h"
#include "cs-preferences.h"
#include "test-util.h"

static AdwActionRow *
row_named (GtkWidget  *root,
           const char *name)
{
  if (ADW_IS_ACTION_ROW (root) && g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return ADW_ACTION_ROW (root);
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      AdwActionRow *found = row_named (w, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

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

typedef struct {
  AdwActionRow *row;
  const char   *text;
} RowText;

static gboolean
subtitle_has (gpointer data)
{
  RowText *rt = data;
  const char *s = adw_action_row_get_subtitle (rt->row);

  return s != NULL && strstr (s, rt->text) != NULL;
}

static gboolean
library_model_is (gpointer data)
{
  return g_strcmp0 (cs_library_get_model_dir (cs_application_get_library (app)), data) == 0
         && g_strcmp0 (cs_application_get_model_dir (app), data) == 0;
}

static void
copy_file (const char *from_dir,
           const char *to_dir,
           const char *name)
{
  g_autofree char *from = g_build_filename (from_dir, name, NULL);
  g_autofree char *to = g_build_filename (to_dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  GError *error = NULL;

  g_file_get_contents (from, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, data, (gssize) len, &error);
  g_assert_no_error (error);
}

void
test_models (void)
{
  static const struct {
    const char *repo;
    guint64     bytes;
    const char *languages;
    const char *recall;
  } expected[] = {
    { "openai/clip-vit-base-patch32", 4186 + 316 + 862328 + 524657 + 605157884ULL, "English only", "59.4" },
    { "google/siglip2-base-patch32-256", 298 + 394 + 47164 + 4241003 + 1507473288ULL, "Multilingual", "73.2" },
    { "google/siglip2-base-patch16-224", 253 + 394 + 47164 + 4241003 + 1500800904ULL, "Multilingual", "75.2" },
  };
  CsLibrary *library = cs_application_get_library (app);
  g_autofree char *siglip2 = g_test_build_filename (G_TEST_DIST, "data", "siglip", "siglip2", NULL);
  g_autofree char *siglip2_canon = NULL;
  g_autofree char *before = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *good = NULL;
  g_autofree char *good_canon = NULL;
  g_autofree char *engine_says = NULL;
  g_autofree char *toy = test_shared_path_or_skip ("models/toy-clip");
  static const char *toy_files[] = {
    "config.json", "preprocessor_config.json", "vocab.json", "merges.txt", "model.safetensors",
  };
  g_autofree char *reindex = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.clipsight.Clipsight");
  g_autoptr(GVariant) speeds = NULL;
  const char *cpu = NULL, *precision = NULL;
  double ips = 0;
  guint n_pins;
  const CsModelPin *pins = cs_model_pins (&n_pins);
  CsPreferences *prefs;
  AdwActionRow *folder_row, *model_row;
  RowText rt;

  if (!g_file_test (siglip2, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("tests/data/siglip/siglip2 is not there");
      return;
    }
  siglip2_canon = g_canonicalize_filename (siglip2, NULL);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  before = g_strdup (cs_application_get_model_dir (app));
  g_assert_nonnull (before);

  prefs = cs_preferences_new (app);
  cs_compat_preferences_present (GTK_WIDGET (prefs), GTK_WIDGET (window));
  g_assert_true (wait_for ((Condition) gtk_widget_get_mapped, prefs, 10));

  /* the three pins, as a person reads them */
  reindex = g_strdup_printf ("re-indexes all %u photos", cs_library_get_n_photos (library));
  for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
    {
      const CsModelPin *pin = NULL;
      g_autofree char *size = g_format_size (expected[e].bytes);
      const char *subtitle;
      AdwActionRow *row;

      for (guint i = 0; i < n_pins; i++)
        if (g_str_equal (pins[i].repo, expected[e].repo))
          pin = &pins[i];
      g_assert_nonnull (pin);
      row = row_named (GTK_WIDGET (prefs), pin->id);
      g_assert_nonnull (row);
      g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (row)));
      subtitle = adw_action_row_get_subtitle (row);
      g_test_message ("%s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), subtitle);
      g_assert_nonnull (strstr (subtitle, size));
      g_assert_nonnull (strstr (subtitle, expected[e].languages));
      g_assert_nonnull (strstr (subtitle, expected[e].recall));
      /* none of them is the toy model in use */
      g_assert_nonnull (strstr (subtitle, reindex));
    }
  /* the Search page, where the model is chosen, for the screenshots */
  cs_compat_preferences_set_visible_page (GTK_WIDGET (prefs),
                                          ADW_PREFERENCES_PAGE (gtk_widget_get_ancestor (
                                            GTK_WIDGET (row_named (GTK_WIDGET (prefs), pins[0].id)),
                                            ADW_TYPE_PREFERENCES_PAGE)));
  spin (0.3);
  save_screenshot (GTK_WIDGET (prefs), "preferences-models.png");

  /* a broken folder (the toy model with a config.json cut short): the
   * engine's own reason, as it gives it when asked directly, and no
   * switch */
  folder_row = row_titled (GTK_WIDGET (prefs), "Model Folder");
  g_assert_nonnull (folder_row);
  broken = test_make_temp_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (toy_files); i++)
    copy_file (toy, broken, toy_files[i]);
  {
    g_autofree char *config = g_build_filename (broken, "config.json", NULL);
    clip_model *model = NULL;
    char *msg = NULL;

    g_assert_true (g_file_set_contents (config, "{ \"model_type\": \"clip\", ", -1, NULL));
    g_assert_cmpint (clip_model_load (broken, &model, &msg), !=, CLIP_STATUS_OK);
    g_assert_null (model);
    engine_says = g_strdup (msg);
    clip_free (msg);
  }
  cs_preferences_use_model_folder (prefs, broken);
  rt.row = folder_row;
  rt.text = engine_says;
  if (!wait_for (subtitle_has, &rt, 60))
    g_error ("not refused with “%s”: “%s”", engine_says, adw_action_row_get_subtitle (folder_row));
  g_test_message ("refused: %s", adw_action_row_get_subtitle (folder_row));
  g_assert_cmpstr (cs_application_get_model_dir (app), ==, before);
  g_assert_cmpstr (cs_library_get_model_dir (library), ==, before);
  save_screenshot (GTK_WIDGET (prefs), "preferences-model-refused.png");

  /* a sound folder (a copy of the toy model): checked, its speed measured
   * and remembered for it, then the library and the indexer switch */
  good = test_make_temp_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (toy_files); i++)
    copy_file (toy, good, toy_files[i]);
  good_canon = g_canonicalize_filename (good, NULL);
  cs_preferences_use_model_folder (prefs, good);
  g_assert_true (wait_for (library_model_is, good_canon, 300));
  g_assert_cmpstr (cs_indexer_get_model_dir (cs_application_get_indexer (app)), ==, good_canon);
  g_clear_pointer (&speeds, g_variant_unref);
  speeds = g_settings_get_value (settings, "model-speeds");
  g_assert_true (g_variant_lookup (speeds, good_canon, "(&sd&s)", &cpu, &ips, &precision));
  g_test_message ("%s: %.1f images/s in %s on %s", good_canon, ips, precision, cpu);
  /* the figure itself is the machine's: finite and positive */
  g_assert_true (isfinite (ips) && ips > 0);
  g_assert_true (g_str_equal (precision, "f32") || g_str_equal (precision, "f16")
                 || g_str_equal (precision, "bf16") || g_str_equal (precision, "int8"));
  model_row = row_titled (GTK_WIDGET (prefs), "Current Model");
  g_assert_nonnull (model_row);
  rt.row = model_row;
  rt.text = "images/s on this computer";
  g_assert_true (wait_for (subtitle_has, &rt, 10));
  g_assert_true (wait_for (indexer_idle, NULL, 300));

  /* the SigLIP 2 test model: the library answers from it once indexed */
  cs_preferences_use_model_folder (prefs, siglip2);
  g_assert_true (wait_for (library_model_is, siglip2_canon, 300));
  g_assert_true (wait_for (indexer_idle, NULL, 300));
  g_clear_pointer (&speeds, g_variant_unref);
  speeds = g_settings_get_value (settings, "model-speeds");
  g_assert_true (g_variant_lookup (speeds, siglip2_canon, "(&sd&s)", &cpu, &ips, &precision));
  g_test_message ("%s: %.1f images/s in %s on %s", siglip2_canon, ips, precision, cpu);
  g_assert_true (isfinite (ips) && ips > 0);
  save_screenshot (GTK_WIDGET (prefs), "preferences-model-siglip2.png");
  cs_compat_preferences_close (GTK_WIDGET (prefs));

  /* back to the model the later cases expect, once this one is indexed */
  g_assert_true (wait_for (indexer_idle, NULL, 300));
  cs_application_set_model_dir (app, before);
  g_assert_true (wait_for (library_model_is, before, 10));
  g_assert_true (wait_for (indexer_idle, NULL, 300));
  test_rm_rf (broken);
  test_rm_rf (good);
}
