/* cli-export.c - `clipsight-cli export`: a label as a folder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * clipsight-cli export --database DB --label NAME --to DIR [--copy] [--xmp]
 *
 * Links (or, with --copy, copies) of the label's photos in DIR, with an
 * XMP sidecar each under --xmp (cs-export.h says how names, existing
 * files and sidecars are handled).  Prints a line per photo and a
 * summary, or with --json one object per photo per line:
 * {"path": "...", "exported": "..." | null, "outcome": "added" |
 * "present" | "failed", "error": null | "...", "sidecar_error": null |
 * "..."}.  Exit status 0 when every photo (and sidecar) is there, 1 with
 * a one-line reason on stderr when some failed (the others are
 * exported) or nothing could be, 2 for a bad command line.
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli-export.h"
#include "cli-util.h"
#include "cs-export.h"
#include "cs-library.h"

static const char *
outcome_name (CsExportOutcome outcome)
{
  switch (outcome)
    {
    case CS_EXPORT_ADDED: return "added";
    case CS_EXPORT_PRESENT: return "present";
    case CS_EXPORT_FAILED:
    default: return "failed";
    }
}

static JsonNode *
path_or_null (const char *path)
{
  g_autofree char *shown = NULL;

  if (path == NULL)
    return json_node_init_null (json_node_alloc ());
  shown = g_filename_display_name (path);
  return json_node_init_string (json_node_alloc (), shown);
}

static JsonNode *
message_or_null (const GError *error)
{
  if (error == NULL)
    return json_node_init_null (json_node_alloc ());
  return json_node_init_string (json_node_alloc (), error->message);
}

static void
print_report (GString        *out,
              CsExportReport *report,
              gboolean        as_json)
{
  for (guint i = 0; i < cs_export_report_get_n_photos (report); i++)
    {
      const char *source = cs_export_report_get_source (report, i);
      const char *dest = cs_export_report_get_destination (report, i);
      CsExportOutcome outcome = cs_export_report_get_outcome (report, i);
      const GError *error = cs_export_report_get_error (report, i);
      const GError *sidecar_error = cs_export_report_get_sidecar_error (report, i);

      if (as_json)
        {
          g_autoptr(JsonObject) object = json_object_new ();

          json_object_set_member (object, "path", path_or_null (source));
          json_object_set_member (object, "exported", path_or_null (dest));
          json_object_set_string_member (object, "outcome", outcome_name (outcome));
          json_object_set_member (object, "error", message_or_null (error));
          json_object_set_member (object, "sidecar_error", message_or_null (sidecar_error));
          cli_json_append_object (out, object);
          continue;
        }
      {
        g_autofree char *shown = cli_display_path (source);
        g_autofree char *to = dest != NULL ? cli_display_path (dest) : NULL;

        if (outcome == CS_EXPORT_FAILED)
          {
            g_autofree char *why = cli_printable (error->message);
            g_string_append_printf (out, "failed   %s: %s\n", shown, why);
          }
        else
          g_string_append_printf (out, "%-8s %s -> %s\n", outcome_name (outcome), shown, to);
        if (sidecar_error != NULL)
          {
            g_autofree char *why = cli_printable (sidecar_error->message);
            g_string_append_printf (out, "         sidecar: %s\n", why);
          }
      }
    }
  if (!as_json)
    g_string_append_printf (out, "%u added, %u already there, %u failed\n",
                            cs_export_report_count (report, CS_EXPORT_ADDED),
                            cs_export_report_count (report, CS_EXPORT_PRESENT),
                            cs_export_report_count (report, CS_EXPORT_FAILED));
}

int
cli_cmd_export (int    argc,
                char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *model_opt = NULL;
  g_autofree char *label_name = NULL;
  g_autofree char *to = NULL;
  gboolean copy = FALSE, xmp = FALSE, as_json = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- export a label's photos to a folder");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (default: $CLIPSIGHT_MODEL, else the database's)", "DIR" },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label_name, "The label to export", "NAME" },
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to, "The folder (made when missing)", "DIR" },
    { "copy", 0, 0, G_OPTION_ARG_NONE, &copy, "Copy the photos (default: symbolic links)", NULL },
    { "xmp", 0, 0, G_OPTION_ARG_NONE, &xmp, "Write an XMP sidecar per photo with the label as a keyword", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per photo per line", NULL },
    { NULL }
  };
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(CsExportReport) report = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GError *error = NULL;
  CsLabel *label;
  guint n_failed, n_sidecar_failed;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("export: unexpected argument '%s'", argv[1]);
      fail_message (m);
      return EXIT_USAGE;
    }
  if (label_name == NULL || to == NULL || *to == '\0')
    {
      fail_message ("export: give --label NAME and --to DIR");
      return EXIT_USAGE;
    }
  if (database != NULL && !g_file_test (database, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shown = g_filename_display_name (database);
      g_autofree char *m = g_strdup_printf ("export: %s: no such database", shown);
      fail_message (m);
      return EXIT_FAILURE;
    }

  library = cs_library_new (database, model_dir_or_env (model_opt));
  if (!cs_library_load (library, NULL, &error))
    return fail_error (error);
  label = cs_library_lookup_label (library, label_name);
  if (label == NULL)
    {
      g_autofree char *m = g_strdup_printf ("export: no label called “%s”", label_name);
      fail_message (m);
      return EXIT_FAILURE;
    }
  {
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *folder = g_canonicalize_filename (to, cwd);

    report = cs_library_export_label (library, label, folder, NULL,
                                      (copy ? CS_EXPORT_COPIES : CS_EXPORT_LINKS)
                                      | (xmp ? CS_EXPORT_SIDECARS : 0),
                                      NULL, &error);
  }
  if (report == NULL)
    {
      g_autofree char *m = g_strdup_printf ("export: %s", error->message);
      g_error_free (error);
      fail_message (m);
      return EXIT_FAILURE;
    }

  print_report (out, report, as_json);
  fputs (out->str, stdout);
  if (fflush (stdout) != 0)
    return EXIT_FAILURE;
  n_failed = cs_export_report_count (report, CS_EXPORT_FAILED);
  n_sidecar_failed = cs_export_report_count_sidecar_failures (report);
  if (n_failed > 0 || n_sidecar_failed > 0)
    {
      g_autofree char *m = g_strdup_printf ("export: %u of %u photos and %u sidecars failed (the others are exported)",
                                            n_failed, cs_export_report_get_n_photos (report), n_sidecar_failed);
      fail_message (m);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
