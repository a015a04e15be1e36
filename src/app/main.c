/* main.c - the clipsight executable.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "cs-application.h"

/* `clipsight FOLDER...` adds folders in the running instance, which cannot
 * answer this terminal: a path that is not a folder is refused here, before
 * anything is sent to it. */
static gboolean
arguments_are_folders (int    argc,
                       char **argv)
{
  gboolean options = TRUE, ok = TRUE;

  for (int i = 1; i < argc; i++)
    {
      if (options && strcmp (argv[i], "--") == 0)
        {
          options = FALSE;
          continue;
        }
      if (options && argv[i][0] == '-')
        continue;

      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          /* TRANSLATORS: %s is what was given on the command line */
          fprintf (stderr, _("clipsight: %s is not a folder: Clipsight adds folders of photos\n"), argv[i]);
          ok = FALSE;
        }
    }
  return ok;
}

/* Without its settings schema, GSettings aborts with a message about
 * the schema; say instead what the user can do (a build tree is run
 * through `meson devenv`, which points GSETTINGS_SCHEMA_DIR at it). */
static gboolean
schema_is_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, CS_SCHEMA_ID, TRUE);
  if (schema != NULL)
    return TRUE;
  /* TRANSLATORS: %s is the settings schema's id; keep the command as it is */
  fprintf (stderr, _("clipsight: the settings schema %s is not installed; from a build tree, run "
                     "the app with 'meson devenv -C build clipsight', or install it\n"), CS_SCHEMA_ID);
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CsApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* CLIPSIGHT_LOCALEDIR: catalogues of a build tree or a DESTDIR install (tests) */
  const char *localedir = g_getenv ("CLIPSIGHT_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : CS_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!schema_is_installed () || !arguments_are_folders (argc, argv))
    return 1;
  app = cs_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
