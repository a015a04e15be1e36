/* translate-probe.c - prints the translations of its arguments.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sets up gettext exactly as the app's main () does (the user's locale,
 * GETTEXT_PACKAGE bound to $CLIPSIGHT_LOCALEDIR or LOCALEDIR, UTF-8) and
 * prints _(ARG) for each argument (or its translation in a context, for
 * an argument CONTEXT \004 MSGID), one per line, so that a test can check
 * that the built or installed catalogues load under LANGUAGE=de or fr.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CLIPSIGHT_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (int i = 1; i < argc; i++)
    {
      /* CONTEXT \004 MSGID: the translation in that context, as NC_()
       * strings are looked up (the vocabulary's concept names) */
      const char *eot = strchr (argv[i], '\004');

      if (eot != NULL)
        {
          g_autofree char *context = g_strndup (argv[i], eot - argv[i]);
          printf ("%s\n", g_dpgettext2 (GETTEXT_PACKAGE, context, eot + 1));
        }
      else
        printf ("%s\n", _(argv[i]));
    }

  return 0;
}
