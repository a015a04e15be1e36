/* test-model-pins.c - the table of models Clipsight offers to download.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every pin must be downloadable with every byte verified (a commit, and
 * a size and a SHA-256 per file), or be refused with its reason.  The
 * figures checked here are worked out by hand from the published values
 * (the sums of the sizes, the difference the patch size makes to the
 * weights), not read back from the table; the file names against the
 * SigLIP 2 test model the engine loads (tests/data/siglip/siglip2).
 */
#include "config.h"

#include <string.h>

#include "cs-model-manager.h"

static gboolean
is_hex (const char *s,
        gsize       n)
{
  if (s == NULL || strlen (s) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

static void
test_every_pin_verifiable (void)
{
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  g_assert_cmpuint (n, >=, 3);
  for (guint i = 0; i < n; i++)
    {
      const CsModelPin *pin = &pins[i];
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", pin->id);
      if (pin->unverifiable != NULL)
        {
          /* listed, never downloaded */
          g_assert_false (cs_model_pin_check (pin, &error));
          g_assert_nonnull (strstr (error->message, pin->unverifiable));
          continue;
        }
      g_assert_true (cs_model_pin_check (pin, &error));
      g_assert_no_error (error);
      g_assert_true (is_hex (pin->revision, 40));
      g_assert_cmpuint (pin->n_files, >, 0);
      for (guint j = 0; j < pin->n_files; j++)
        {
          g_assert_cmpint (pin->files[j].size, >, 0);
          g_assert_true (is_hex (pin->files[j].sha256, 64));
        }
      /* the weights last: the app takes a folder with them for complete */
      g_assert_cmpstr (pin->files[pin->n_files - 1].name, ==, "model.safetensors");
    }
}

static void
test_the_three_models (void)
{
  static const struct {
    const char      *repo;
    guint64          bytes;      /* the published sizes, summed by hand */
    CsModelLanguages languages;
    double           recall;     /* Immich's Crossmodal-3600 figures */
  } expected[] = {
    { "openai/clip-vit-base-patch32", 4186 + 316 + 862328 + 524657 + 605157884ULL,
      CS_MODEL_LANGUAGES_ENGLISH, 59.4 },
    { "google/siglip2-base-patch32-256", 298 + 394 + 47164 + 4241003 + 1507473288ULL,
      CS_MODEL_LANGUAGES_MULTILINGUAL, 73.2 },
    { "google/siglip2-base-patch16-224", 253 + 394 + 47164 + 4241003 + 1500800904ULL,
      CS_MODEL_LANGUAGES_MULTILINGUAL, 75.2 },
  };
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
    {
      const CsModelPin *pin = NULL;

      for (guint i = 0; i < n; i++)
        if (g_str_equal (pins[i].repo, expected[e].repo))
          pin = &pins[i];
      g_assert_nonnull (pin);
      g_assert_true (cs_model_pin_lookup (pin->id) == pin);
      g_assert_cmpuint (cs_model_pin_download_size (pin), ==, expected[e].bytes);
      g_assert_cmpint (pin->languages, ==, expected[e].languages);
      g_assert_cmpfloat_with_epsilon (pin->recall, expected[e].recall, 1e-9);
    }

  /* the default first, the very manifest the app's own download uses */
  {
    guint n_default;
    const CsModelFile *files = cs_model_manager_default_files (&n_default);
    g_autofree char *dir = cs_model_pin_dup_dir (&pins[0]);
    g_autofree char *default_dir = cs_model_manager_dup_default_dir ();

    g_assert_cmpstr (pins[0].repo, ==, "openai/clip-vit-base-patch32");
    g_assert_true (pins[0].files == files);
    g_assert_cmpuint (pins[0].n_files, ==, n_default);
    g_assert_cmpstr (pins[0].revision, ==, CS_MODEL_DEFAULT_REVISION);
    g_assert_cmpstr (dir, ==, default_dir);
  }
}

/* Both SigLIP 2 base checkpoints have the same tensors but the patch
 * kernel (768 × 3 × p × p) and the position table ((res/p)² × 768): in
 * float32 their weights files differ by exactly those bytes (the
 * safetensors headers have the same length).  Two independent pins agree. */
static void
test_siglip2_weights_agree (void)
{
  const CsModelPin *b32 = NULL, *b16 = NULL;
  gint64 w32 = 0, w16 = 0;
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (pins[i].repo, "google/siglip2-base-patch32-256"))
        b32 = &pins[i];
      if (g_str_equal (pins[i].repo, "google/siglip2-base-patch16-224"))
        b16 = &pins[i];
    }
  g_assert_nonnull (b32);
  g_assert_nonnull (b16);
  for (guint j = 0; j < b32->n_files; j++)
    if (g_str_equal (b32->files[j].name, "model.safetensors"))
      w32 = b32->files[j].size;
  for (guint j = 0; j < b16->n_files; j++)
    if (g_str_equal (b16->files[j].name, "model.safetensors"))
      w16 = b16->files[j].size;
  g_assert_cmpint (w32 - w16, ==, 4 * (768 * 3 * (32 * 32 - 16 * 16) - 768 * ((224 / 16) * (224 / 16) - (256 / 32) * (256 / 32))));
}

/* The files a SigLIP 2 pin fetches are the ones the engine reads: each is
 * in the test model the engine's tests load. */
static void
test_siglip2_files_are_the_engines (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "siglip", "siglip2", NULL);
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  if (!g_file_test (model, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("tests/data/siglip/siglip2 is not there");
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      if (pins[i].languages != CS_MODEL_LANGUAGES_MULTILINGUAL)
        continue;
      for (guint j = 0; j < pins[i].n_files; j++)
        {
          g_autofree char *path = g_build_filename (model, pins[i].files[j].name, NULL);

          g_test_message ("%s: %s", pins[i].id, pins[i].files[j].name);
          g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        }
    }
}

static void
test_broken_pins_refused (void)
{
  static const CsModelFile good[] = {
    { "config.json", 10, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
  };
  static const CsModelFile no_sha[] = { { "config.json", 10, NULL } };
  static const CsModelFile short_sha[] = {
    { "config.json", 10, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" },
  };
  static const CsModelFile no_size[] = {
    { "config.json", 0, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
  };
  static const CsModelFile in_folder[] = {
    { "onnx/model.onnx", 10, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
  };
  const char *commit = "9e7ee68506177b546b2d5dc578f54afdc5e425f1";
  const struct {
    CsModelPin  pin;
    const char *says;
  } cases[] = {
    { { "ok", "OK", "a/b", commit, good, 1, 0, 0, NULL }, NULL },
    { { "x", "X", "a/b", commit, good, 1, 0, 0, "no public SHA-256 of model.safetensors" },
      "no public SHA-256 of model.safetensors" },
    { { "x", "X", "a/b", commit, no_sha, 1, 0, 0, NULL }, "SHA-256" },
    { { "x", "X", "a/b", commit, short_sha, 1, 0, 0, NULL }, "SHA-256" },
    { { "x", "X", "a/b", commit, no_size, 1, 0, 0, NULL }, "size" },
    { { "x", "X", "a/b", commit, in_folder, 1, 0, 0, NULL }, "name" },
    { { "x", "X", "a/b", "main", good, 1, 0, 0, NULL }, "commit" },
    { { "x", "X", "a/b", NULL, good, 1, 0, 0, NULL }, "commit" },
    { { "x", "X", "a/b", commit, good, 0, 0, 0, NULL }, "no files" },
    { { "../x", "X", "a/b", commit, good, 1, 0, 0, NULL }, "plain id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = cs_model_pin_check (&cases[i].pin, &error);

      if (cases[i].says == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

static void
test_manager_for_pin (void)
{
  guint n;
  const CsModelPin *pins = cs_model_pins (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsModelManager) manager = NULL;
      g_autofree char *url = g_strdup_printf ("https://huggingface.co/%s/resolve/%s",
                                              pins[i].repo, pins[i].revision);
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "clipsight", "models",
                                               pins[i].id, NULL);

      if (pins[i].unverifiable != NULL)
        continue;
      manager = cs_model_manager_new_for_pin (&pins[i]);
      g_assert_cmpstr (cs_model_manager_get_base_url (manager), ==, url);
      g_assert_cmpstr (cs_model_manager_get_target_dir (manager), ==, dir);
      g_assert_cmpint (cs_model_manager_get_state (manager), ==, CS_MODEL_STATE_ABSENT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-pins/verifiable", test_every_pin_verifiable);
  g_test_add_func ("/model-pins/the-three-models", test_the_three_models);
  g_test_add_func ("/model-pins/siglip2-weights-agree", test_siglip2_weights_agree);
  g_test_add_func ("/model-pins/siglip2-files", test_siglip2_files_are_the_engines);
  g_test_add_func ("/model-pins/broken-refused", test_broken_pins_refused);
  g_test_add_func ("/model-pins/manager", test_manager_for_pin);
  return g_test_run ();
}
