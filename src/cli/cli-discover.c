/* cli-discover.c - clipsight-cli discover: the albums the library proposes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints the themes and events of cs-suggestions.h.  With --json, one
 * object per suggestion per line (../shared/DESIGN.md): {"kind": "theme"
 * | "event", "name": "...", "score": 0.0, "start": "YYYY-MM-DD" or null,
 * "end": ..., "photos": ["path", ...]}, the dates local days, the paths
 * as indexed (shown as g_filename_display_name() does).
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "cs-library.h"
#include "cs-suggestions.h"

#include "cli-discover.h"
#include "cli-util.h"

static JsonNode *
date_node (gint64 unix_s,
           gboolean is_event)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *s = NULL;

  if (!is_event || (dt = g_date_time_new_from_unix_local (unix_s)) == NULL)
    return json_node_init_null (json_node_alloc ());
  s = g_date_time_format (dt, "%Y-%m-%d");
  return json_node_init_string (json_node_alloc (), s);
}

static void
append_json (GString      *out,
             CsSuggestion *s)
{
  CsPhotoList *photos = cs_suggestion_get_photos (s);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (photos));
  gboolean event = cs_suggestion_get_kind (s) == CS_SUGGESTION_EVENT;
  g_autoptr(JsonObject) object = json_object_new ();
  JsonArray *paths = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (photos), i);
      g_autofree char *shown = g_filename_display_name (cs_photo_get_path (photo));

      json_array_add_string_element (paths, shown);
    }
  json_object_set_string_member (object, "kind", event ? "event" : "theme");
  json_object_set_string_member (object, "name", cs_suggestion_get_name (s));
  json_object_set_member (object, "score", cli_json_number ("%.3f", cs_suggestion_get_score (s)));
  json_object_set_member (object, "start", date_node (cs_suggestion_get_start (s), event));
  json_object_set_member (object, "end", date_node (cs_suggestion_get_end (s), event));
  json_object_set_array_member (object, "photos", paths);
  cli_json_append_object (out, object);
}

int
cli_cmd_discover (int    argc,
                  char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *model_opt = NULL;
  g_autofree char *vocabulary = NULL;
  gboolean as_json = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- propose albums: themes and events");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory, to name the albums (or $CLIPSIGHT_MODEL, else the database's)", "DIR" },
    { "vocabulary", 0, 0, G_OPTION_ARG_FILENAME, &vocabulary, "Concepts to name albums with, one a line, optional |-separated prompts (default: the built-in list)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per suggestion per line", NULL },
    { NULL }
  };
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(GListModel) suggestions = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GError *error = NULL;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      g_autofree char *m = g_strdup_printf ("discover: unexpected argument '%s' (takes no arguments)", argv[1]);
      fail_message (m);
      return EXIT_USAGE;
    }
  if (database != NULL && !g_file_test (database, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shown = g_filename_display_name (database);
      g_autofree char *m = g_strdup_printf ("discover: %s: no such database", shown);
      fail_message (m);
      return EXIT_FAILURE;
    }
  if (vocabulary != NULL && !g_file_test (vocabulary, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *shown = g_filename_display_name (vocabulary);
      g_autofree char *m = g_strdup_printf ("discover: %s: no such vocabulary file", shown);
      fail_message (m);
      return EXIT_FAILURE;
    }
  library = cs_library_new (database, model_dir_or_env (model_opt));
  /* discovery uses no label membership: skip encoding the labels' prompts */
  cs_library_set_cluster_labels (library, FALSE);
  if (!cs_library_load (library, NULL, &error))
    return fail_error (error);
  suggestions = cs_library_discover (library, vocabulary, NULL, &error);
  if (suggestions == NULL)
    {
      g_prefix_error (&error, "discover: ");
      return fail_error (error);
    }

  for (guint i = 0; i < g_list_model_get_n_items (suggestions); i++)
    {
      g_autoptr(CsSuggestion) s = g_list_model_get_item (suggestions, i);
      CsPhotoList *photos = cs_suggestion_get_photos (s);
      g_autofree char *name = NULL;
      g_autofree char *cover = NULL;

      if (as_json)
        {
          append_json (out, s);
          continue;
        }
      name = cli_printable (cs_suggestion_get_name (s));
      cover = cli_display_path (cs_photo_get_path (cs_suggestion_get_cover (s)));
      g_string_append_printf (out, "%s  %s  (%u photos, score %.2f)\n  cover: %s\n",
                              cs_suggestion_get_kind (s) == CS_SUGGESTION_EVENT ? "event" : "theme",
                              name, g_list_model_get_n_items (G_LIST_MODEL (photos)),
                              cs_suggestion_get_score (s), cover);
    }
  if (!as_json)
    g_string_append_printf (out, "%u suggestions\n", g_list_model_get_n_items (suggestions));
  fputs (out->str, stdout);
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
