/* test-label-names.c - the starter labels are shown in the user's language.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run with LANGUAGE=de and the build's catalogues (CLIPSIGHT_LOCALEDIR),
 * gettext set up as the app's main () does: the library stores the
 * starter labels under their English names, the app shows them in German;
 * the user's own names are shown as they are.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "cs-label-names.h"
#include "cs-library.h"
#include "cs-vocabulary.h"

static void
test_starters_translated (void)
{
  const char * const *names = cs_library_starter_label_names ();

  /* what the "Add Starter Labels" tooltip promises in German */
  g_assert_cmpstr (cs_label_name_for_display ("People"), ==, "Personen");
  g_assert_cmpstr (cs_label_name_for_display ("Pets"), ==, "Haustiere");
  g_assert_cmpstr (cs_label_name_for_display ("Screenshots"), ==, "Bildschirmfotos");
  g_assert_cmpuint (g_strv_length ((char **) names), >, 0);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_test_message ("%s: %s", names[i], cs_label_name_for_display (names[i]));
      g_assert_cmpstr (cs_label_name_for_display (names[i]), !=, names[i]);
    }
}

static void
test_own_names_as_they_are (void)
{
  g_assert_cmpstr (cs_label_name_for_display ("my cat"), ==, "my cat");
  g_assert_cmpstr (cs_label_name_for_display ("people"), ==, "people");
  g_assert_cmpstr (cs_label_name_for_display ("Personen"), ==, "Personen");
  g_assert_null (cs_label_name_for_display (NULL));
}

/* The built-in vocabulary's concepts: named in German for people (the
 * names suggested albums take), by their English ids for the code, and
 * looked up in their own translation context. */
static void
test_vocabulary_translated (void)
{
  g_autoptr(GPtrArray) v = cs_vocabulary_new_builtin ();
  const struct { const char *id, *name; } expected[] = {
    { "Beach", "Strand" }, { "Sunset", "Sonnenuntergang" }, { "Birthday", "Geburtstag" },
    { "Library", "Bibliothek" }, { "Receipt", "Kassenbon" },
  };
  guint found = 0, same = 0;

  for (guint i = 0; i < v->len; i++)
    {
      CsConcept *c = v->pdata[i];

      g_assert_nonnull (c->name);
      g_assert_cmpstr (c->name, !=, "");
      same += g_str_equal (c->name, c->id);
      for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
        if (g_str_equal (c->id, expected[k].id))
          {
            g_assert_cmpstr (c->name, ==, expected[k].name);
            found++;
          }
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (expected));
  /* words German shares ("Bar", "Hotel", "Pizza": 164 of 1,305) stay as they are;
   * nearly all others change */
  g_test_message ("%u of %u concept names are the same in German", same, v->len);
  g_assert_cmpuint (same, <, v->len / 5);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CLIPSIGHT_LOCALEDIR");

  g_test_init (&argc, &argv, NULL);
  /* Debian 13's glibc (2.41) ignores LANGUAGE under the C.UTF-8
   * that tests/app/meson.build sets, as under C: the German locale where it
   * is installed, as a German user has it, else the environment's (Debian
   * 12's glibc honours LANGUAGE under C.UTF-8) */
  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/app/label-names/starters-translated", test_starters_translated);
  g_test_add_func ("/app/label-names/own-names-as-they-are", test_own_names_as_they_are);
  g_test_add_func ("/app/label-names/vocabulary-translated", test_vocabulary_translated);
  return g_test_run ();
}
