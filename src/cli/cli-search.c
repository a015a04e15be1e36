/* cli-search.c - `clipsight-cli search`, `label` and `duplicates`.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commands drive the same CsLibrary the app uses, through its
 * blocking twins (they iterate this thread's main context).  Output is a
 * contract (../shared/DESIGN.md): with --json, one object per line.
 * Paths are printed for people (UTF-8, g_filename_display_name), as the
 * index command prints them.
 */
#define G_LOG_DOMAIN "clipsight-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli-util.h"
#include "cs-library.h"

/* ------------------------------------------------------------- helpers */

/* A path as g_filename_display_name() shows it, as a JSON string. */
static JsonNode *
path_node (const char *path)
{
  g_autofree char *shown = g_filename_display_name (path);

  return json_node_init_string (json_node_alloc (), shown);
}

/* The library of --database with the model of --model, else
 * $CLIPSIGHT_MODEL, else the database's own setting; loaded. */
static CsLibrary *
open_library (const char  *command,
              const char  *database,
              const char  *model_opt,
              GError     **error)
{
  g_autoptr(CsLibrary) library = NULL;

  if (database != NULL && !g_file_test (database, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shown = g_filename_display_name (database);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: %s: no such database", command, shown);
      return NULL;
    }
  library = cs_library_new (database, model_dir_or_env (model_opt));
  /* only `label` uses the labels' members: search and duplicates skip
   * encoding the prompts and scoring every photo against them */
  cs_library_set_cluster_labels (library, g_strcmp0 (command, "label") == 0);
  if (!cs_library_load (library, NULL, error))
    return NULL;
  /* a model change in progress: the model the photos were indexed with
   * answers until the new one's vectors are complete (cs-library.h) */
  if (cs_library_get_model_pending (library))
    {
      g_autofree char *answering = g_filename_display_name (cs_library_get_answering_model_dir (library));

      g_printerr ("%s: the photos are not indexed with this model yet: answering with %s\n",
                  command, answering);
    }
  return g_steal_pointer (&library);
}

/* A date: YYYY-MM-DD (local midnight), an ISO 8601 date and time (local
 * when it has no zone), or Unix seconds ("@1700000000"). */
static gboolean
parse_date (const char *s,
            gint64     *out)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;
  char tail;

  if (s[0] == '@')
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (s + 1, &end, 10);
      if (end == s + 1 || *end != '\0')
        return FALSE;
      *out = v;
      return TRUE;
    }
  if (sscanf (s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
    dt = g_date_time_new (local, y, m, d, 0, 0, 0);
  else
    dt = g_date_time_new_from_iso8601 (s, local);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* The library's photo at `file` (any spelling of its path), or NULL. */
static CsPhoto *
lookup_file (CsLibrary  *library,
             const char *file)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *abs = g_canonicalize_filename (file, cwd);
  g_autofree char *real = NULL;
  CsPhoto *photo = cs_library_lookup_path (library, abs);

  if (photo != NULL)
    return photo;
  real = realpath (abs, NULL);
  if (real != NULL && strcmp (real, abs) != 0)
    {
      /* realpath allocates with malloc */
      g_autofree char *copy = g_strdup (real);
      free (g_steal_pointer (&real));
      return cs_library_lookup_path (library, copy);
    }
  free (g_steal_pointer (&real));
  return NULL;
}

/* -------------------------------------------------------------- search */

/* --after and --before, when given.  FALSE after saying why. */
static gboolean
set_query_dates (CsQuery    *query,
                 const char *after,
                 const char *before)
{
  gint64 t;

  if (after != NULL)
    {
      if (!parse_date (after, &t))
        {
          fail_message ("search: --after: not a date (YYYY-MM-DD, ISO 8601 or @UNIX)");
          return FALSE;
        }
      cs_query_set_after (query, t);
    }
  if (before != NULL)
    {
      if (!parse_date (before, &t))
        {
          fail_message ("search: --before: not a date (YYYY-MM-DD, ISO 8601 or @UNIX)");
          return FALSE;
        }
      cs_query_set_before (query, t);
    }
  return TRUE;
}

/* --image: a photo of the library is found by its stored vector (exactly
 * itself); any other file is embedded.  Returns an exit status. */
static int
set_query_image (CsQuery    *query,
                 CsLibrary  *library,
                 const char *image)
{
  g_autoptr(CsPhoto) photo = lookup_file (library, image);

  if (photo != NULL)
    cs_query_set_similar_to (query, cs_photo_get_id (photo));
  else if (!g_file_test (image, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shown = g_filename_display_name (image);
      g_autofree char *m = g_strdup_printf ("search: %s: no such file", shown);
      fail_message (m);
      return EXIT_FAILURE;
    }
  else
    cs_query_set_image_path (query, image);
  return EXIT_SUCCESS;
}

/* A line per result, best first, then (for people) the count inside the
 * cutoff. */
static void
print_results (CsPhotoList *results,
               gboolean     sigmoid,
               gboolean     as_json)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < cs_photo_list_get_n_items (results); i++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (results, i);

      if (as_json)
        {
          g_autoptr(JsonObject) object = json_object_new ();

          json_object_set_int_member (object, "rank", i + 1);
          json_object_set_member (object, "path", path_node (cs_photo_get_path (photo)));
          json_object_set_member (object, "score", cli_json_number ("%.6g", cs_photo_get_score (photo)));
          /* a SigLIP text query's calibrated probability (0 for others) */
          if (sigmoid && cs_photo_get_probability (photo) > 0)
            json_object_set_member (object, "probability",
                                    cli_json_number ("%.6g", cs_photo_get_probability (photo)));
          json_object_set_boolean_member (object, "accepted", cs_photo_get_accepted (photo));
          cli_json_append_object (out, object);
        }
      else
        {
          g_autofree char *shown = cli_display_path (cs_photo_get_path (photo));
          g_string_append_printf (out, "%4u  %6.3f  %s  %s\n", i + 1, cs_photo_get_score (photo),
                                  cs_photo_get_accepted (photo) ? "*" : " ", shown);
        }
    }
  if (!as_json)
    g_string_append_printf (out, "%u of %u photos inside the cutoff (%.3f)\n",
                            cs_photo_list_get_n_accepted (results), cs_photo_list_get_n_matched (results),
                            cs_photo_list_get_cutoff (results));
  fputs (out->str, stdout);
}


int
cli_cmd_search (int    argc,
                char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *model_opt = NULL;
  g_autofree char *image = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *after = NULL;
  g_autofree char *before = NULL;
  double strictness = 0.0;
  int limit = 20;
  gboolean as_json = FALSE, accepted_only = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("[QUERY] - search the photos of a library");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (default: $CLIPSIGHT_MODEL, else the database's)", "DIR" },
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &image, "Find photos like this image (or photo of the library)", "FILE" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "Most results to print (default 20; 0: no limit)", "N" },
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort, "relevance (default) or date (the accepted photos, newest first)", "ORDER" },
    { "folder", 'f', 0, G_OPTION_ARG_FILENAME, &folder, "Only photos below this folder", "DIR" },
    { "after", 0, 0, G_OPTION_ARG_STRING, &after, "Only photos taken on or after DATE (YYYY-MM-DD, ISO 8601 or @UNIX)", "DATE" },
    { "before", 0, 0, G_OPTION_ARG_STRING, &before, "Only photos taken before DATE", "DATE" },
    { "strictness", 0, 0, G_OPTION_ARG_DOUBLE, &strictness, "Move the cutoff: -1 (looser) to 1 (stricter); default 0", "X" },
    { "accepted-only", 'a', 0, G_OPTION_ARG_NONE, &accepted_only, "Print only the photos inside the cutoff", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per line", NULL },
    { NULL }
  };
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(CsQuery) query = NULL;
  g_autoptr(CsPhotoList) results = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GError *error = NULL;
  int rc;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  for (int i = 1; i < argc; i++)
    g_string_append_printf (text, "%s%s", i > 1 ? " " : "", argv[i]);
  if (text->len == 0 && image == NULL)
    {
      fail_message ("search: give a QUERY, --image FILE, or both");
      return EXIT_USAGE;
    }
  if (limit < 0 || !(strictness >= -1.0 && strictness <= 1.0)
      || (sort != NULL && !g_str_equal (sort, "relevance") && !g_str_equal (sort, "date")))
    {
      fail_message ("search: --limit must be at least 0, --strictness within [-1, 1], --sort relevance or date");
      return EXIT_USAGE;
    }

  query = cs_query_new (text->len > 0 ? text->str : NULL);
  cs_query_set_limit (query, (guint) limit);
  cs_query_set_strictness (query, strictness);
  cs_query_set_accepted_only (query, accepted_only);
  cs_query_set_sort (query, sort != NULL && g_str_equal (sort, "date") ? CS_SORT_DATE : CS_SORT_RELEVANCE);
  if (!set_query_dates (query, after, before))
    return EXIT_USAGE;
  if (folder != NULL)
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *abs = g_canonicalize_filename (folder, cwd);
      cs_query_set_folder (query, abs);
    }

  library = open_library ("search", database, model_opt, &error);
  if (library == NULL)
    return fail_error (error);
  if (image != NULL && (rc = set_query_image (query, library, image)) != EXIT_SUCCESS)
    return rc;

  results = cs_library_search (library, query, NULL, &error);
  if (results == NULL)
    return fail_error (error);

  print_results (results, cs_library_get_sigmoid_scores (library), as_json);
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --------------------------------------------------------------- label */

static const char label_usage[] =
  "label: give a subcommand:\n"
  "  add NAME [--prompt TEXT]... [--threshold P]\n"
  "  edit NAME [--name NEW] [--prompt TEXT]... [--threshold P]\n"
  "  remove NAME | list | show NAME | starter\n"
  "  confirm|reject|forget NAME FILE...";

static void
print_label (GString *out,
             CsLabel *label,
             gboolean as_json)
{
  const char * const *prompts = cs_label_get_prompts (label);
  g_autofree char *name = NULL;

  if (as_json)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      JsonArray *array = json_array_new ();

      for (guint i = 0; prompts[i] != NULL; i++)
        json_array_add_string_element (array, prompts[i]);
      json_object_set_string_member (object, "name", cs_label_get_name (label));
      json_object_set_array_member (object, "prompts", array);
      json_object_set_member (object, "threshold", cli_json_number ("%.6g", cs_label_get_threshold (label)));
      json_object_set_int_member (object, "count", cs_label_get_count (label));
      json_object_set_int_member (object, "confirmed", cs_label_get_n_confirmed (label));
      json_object_set_int_member (object, "rejected", cs_label_get_n_rejected (label));
      cli_json_append_object (out, object);
      return;
    }
  name = cli_printable (cs_label_get_name (label));
  g_string_append_printf (out, "%s: %u photos (threshold %.2f, %u confirmed, %u rejected)",
                          name, cs_label_get_count (label),
                          cs_label_get_threshold (label), cs_label_get_n_confirmed (label),
                          cs_label_get_n_rejected (label));
  if (prompts[0] == NULL)
    g_string_append (out, ", default prompts");
  for (guint i = 0; prompts[i] != NULL; i++)
    {
      g_autofree char *prompt = cli_printable (prompts[i]);
      g_string_append_printf (out, "%s“%s”", i == 0 ? ": " : ", ", prompt);
    }
  g_string_append_c (out, '\n');
}

static CsLabel *
need_label (CsLibrary  *library,
            const char *name)
{
  CsLabel *label = cs_library_lookup_label (library, name);

  if (label == NULL)
    {
      g_autofree char *m = g_strdup_printf ("label: no label called “%s”", name);
      fail_message (m);
    }
  return label;
}

/* A `label` run: its options, its arguments (argv[1] the subcommand,
 * argv[2] the label's name, then files), the library, the label named
 * (for the subcommands that take an existing one) and the output, printed
 * once the subcommand has succeeded. */
typedef struct {
  char      *database;
  char      *model;
  char      *new_name;
  GStrv      prompts;
  double     threshold;
  int        limit;
  gboolean   as_json;
  int        argc;
  char     **argv;
  CsLibrary *library;
  CsLabel   *label;     /* borrowed from the library */
  GString   *out;
} LabelRun;

static void
label_run_clear (LabelRun *run)
{
  g_clear_pointer (&run->database, g_free);
  g_clear_pointer (&run->model, g_free);
  g_clear_pointer (&run->new_name, g_free);
  g_clear_pointer (&run->prompts, g_strfreev);
  g_clear_object (&run->library);
  if (run->out != NULL)
    g_string_free (g_steal_pointer (&run->out), TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LabelRun, label_run_clear)

static int
label_list (LabelRun *run)
{
  GListModel *labels = cs_library_get_labels (run->library);

  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    {
      g_autoptr(CsLabel) item = g_list_model_get_item (labels, i);
      print_label (run->out, item, run->as_json);
    }
  return EXIT_SUCCESS;
}

static int
label_starter (LabelRun *run)
{
  GError *error = NULL;
  guint n_added = 0;

  if (!cs_library_add_starter_labels (run->library, &n_added, NULL, &error))
    return fail_error (error);
  if (!run->as_json)
    g_string_append_printf (run->out, "added %u starter labels\n", n_added);
  else
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_int_member (object, "added", n_added);
      cli_json_append_object (run->out, object);
    }
  return EXIT_SUCCESS;
}

static int
label_add (LabelRun *run)
{
  GError *error = NULL;
  g_autoptr(CsLabel) added = cs_library_add_label (run->library, run->argv[2],
                                                  (const char * const *) run->prompts, run->threshold,
                                                  NULL, &error);

  if (added == NULL)
    return fail_error (error);
  print_label (run->out, added, run->as_json);
  return EXIT_SUCCESS;
}

static int
label_edit (LabelRun *run)
{
  GError *error = NULL;

  if (!cs_library_edit_label (run->library, run->label, run->new_name, (const char * const *) run->prompts,
                              run->threshold, NULL, &error))
    return fail_error (error);
  print_label (run->out, run->label, run->as_json);
  return EXIT_SUCCESS;
}

static int
label_remove (LabelRun *run)
{
  GError *error = NULL;

  if (!cs_library_remove_label (run->library, run->label, NULL, &error))
    return fail_error (error);
  return EXIT_SUCCESS;
}

static int
label_show (LabelRun *run)
{
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (run->library, run->label);
  guint n = cs_photo_list_get_n_items (members);

  if (run->limit > 0)
    n = MIN (n, (guint) run->limit);
  for (guint i = 0; i < n; i++)
    {
      CsPhoto *photo = cs_photo_list_get_photo (members, i);

      if (run->as_json)
        {
          g_autoptr(JsonObject) object = json_object_new ();

          json_object_set_member (object, "path", path_node (cs_photo_get_path (photo)));
          json_object_set_member (object, "probability",
                                  cli_json_number ("%.6g", cs_photo_get_probability (photo)));
          cli_json_append_object (run->out, object);
        }
      else
        {
          g_autofree char *shown = cli_display_path (cs_photo_get_path (photo));
          int v = cs_photo_get_verdict (photo);
          g_string_append_printf (run->out, "%6.3f  %s%s\n", cs_photo_get_probability (photo), shown,
                                  v > 0 ? "  (confirmed)" : "");
        }
    }
  return EXIT_SUCCESS;
}

/* confirm, reject and forget: the files (argv[3]...) must be photos of
 * the library. */
static int
label_set_verdict (LabelRun *run)
{
  const char *sub = run->argv[1];
  CsVerdict verdict = g_str_equal (sub, "confirm") ? CS_VERDICT_CONFIRM
                      : g_str_equal (sub, "reject") ? CS_VERDICT_REJECT : CS_VERDICT_NONE;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GError *error = NULL;

  for (int i = 3; i < run->argc; i++)
    {
      g_autoptr(CsPhoto) photo = lookup_file (run->library, run->argv[i]);
      gint64 id;

      if (photo == NULL)
        {
          g_autofree char *shown = g_filename_display_name (run->argv[i]);
          g_autofree char *m = g_strdup_printf ("label: %s is not a photo of the library", shown);
          fail_message (m);
          return EXIT_FAILURE;
        }
      id = cs_photo_get_id (photo);
      g_array_append_val (ids, id);
    }
  if (!cs_library_set_verdict (run->library, run->label, (gint64 *) ids->data, ids->len, verdict, NULL, &error))
    return fail_error (error);
  print_label (run->out, run->label, run->as_json);
  return EXIT_SUCCESS;
}

typedef enum {
  LABEL_TAKES_NOTHING,
  LABEL_TAKES_NEW_NAME,
  LABEL_TAKES_LABEL,            /* the name of an existing label */
  LABEL_TAKES_LABEL_AND_FILES,
} LabelTakes;

static const struct {
  const char *name;
  LabelTakes  takes;
  int       (*run) (LabelRun *run);
} label_subcommands[] = {
  { "add", LABEL_TAKES_NEW_NAME, label_add },
  { "edit", LABEL_TAKES_LABEL, label_edit },
  { "remove", LABEL_TAKES_LABEL, label_remove },
  { "list", LABEL_TAKES_NOTHING, label_list },
  { "show", LABEL_TAKES_LABEL, label_show },
  { "starter", LABEL_TAKES_NOTHING, label_starter },
  { "confirm", LABEL_TAKES_LABEL_AND_FILES, label_set_verdict },
  { "reject", LABEL_TAKES_LABEL_AND_FILES, label_set_verdict },
  { "forget", LABEL_TAKES_LABEL_AND_FILES, label_set_verdict },
};

/* Parses the options; the subcommand (its index in label_subcommands)
 * and its count of arguments checked.  FALSE after printing why. */
static gboolean
parse_label_args (int        argc,
                  char     **argv,
                  LabelRun  *run,
                  guint     *sub)
{
  g_autoptr(GOptionContext) octx = g_option_context_new ("SUBCOMMAND ... - zero-shot labels");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &run->database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &run->model, "Model directory (default: $CLIPSIGHT_MODEL, else the database's)", "DIR" },
    { "prompt", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &run->prompts, "A prompt (repeatable; \"{}\" stands for the name)", "TEXT" },
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &run->threshold, "Membership threshold on the probability, 0 to 1", "P" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &run->new_name, "edit: the new name", "NEW" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &run->limit, "show: most photos to print (default all)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &run->as_json, "One JSON object per line", NULL },
    { NULL }
  };
  LabelTakes takes;

  run->threshold = -1.0;
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return FALSE;
  run->argc = argc;
  run->argv = argv;
  if (argc < 2)
    {
      fail_message (label_usage);
      return FALSE;
    }
  if (run->threshold != -1.0 && !(run->threshold >= 0.0 && run->threshold <= 1.0))
    {
      fail_message ("label: --threshold must lie between 0 and 1");
      return FALSE;
    }
  for (*sub = 0; *sub < G_N_ELEMENTS (label_subcommands); (*sub)++)
    if (g_str_equal (argv[1], label_subcommands[*sub].name))
      break;
  takes = *sub < G_N_ELEMENTS (label_subcommands) ? label_subcommands[*sub].takes : LABEL_TAKES_NOTHING;
  if (*sub == G_N_ELEMENTS (label_subcommands)
      || (takes == LABEL_TAKES_NOTHING && argc != 2)
      || ((takes == LABEL_TAKES_NEW_NAME || takes == LABEL_TAKES_LABEL) && argc != 3)
      || (takes == LABEL_TAKES_LABEL_AND_FILES && argc < 4))
    {
      fail_message (label_usage);
      return FALSE;
    }
  return TRUE;
}

int
cli_cmd_label (int    argc,
               char **argv)
{
  g_auto(LabelRun) run = { 0 };
  GError *error = NULL;
  guint sub;
  int rc;

  if (!parse_label_args (argc, argv, &run, &sub))
    return EXIT_USAGE;
  run.library = open_library ("label", run.database, run.model, &error);
  if (run.library == NULL)
    return fail_error (error);
  if (label_subcommands[sub].takes == LABEL_TAKES_LABEL
      || label_subcommands[sub].takes == LABEL_TAKES_LABEL_AND_FILES)
    {
      run.label = need_label (run.library, run.argv[2]);
      if (run.label == NULL)
        return EXIT_FAILURE;
    }
  run.out = g_string_new (NULL);
  rc = label_subcommands[sub].run (&run);
  if (rc != EXIT_SUCCESS)
    return rc;
  fputs (run.out->str, stdout);
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---------------------------------------------------------- duplicates */

/* {"kind", "similarity", "keeper", "reason", "photos", "copies"}: copies
 * lists the sets of byte-identical photos (in a near group too). */
static void
append_group_json (GString          *out,
                   CsDuplicateGroup *group)
{
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos);
  gboolean exact = cs_duplicate_group_get_kind (group) == CS_DUPLICATE_EXACT;
  g_autoptr(JsonObject) object = json_object_new ();
  JsonArray *paths = json_array_sized_new (n);
  JsonArray *copies = json_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      json_array_add_element (paths, path_node (cs_photo_get_path (photo)));
    }
  for (guint i = 0; i < n; i++)
    {
      JsonArray *set;

      if (cs_duplicate_group_get_copy_of (group, i) != i || !cs_duplicate_group_is_exact_copy (group, i))
        continue;
      set = json_array_new ();
      for (guint j = i; j < n; j++)
        if (cs_duplicate_group_get_copy_of (group, j) == i)
          {
            g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, j);
            json_array_add_element (set, path_node (cs_photo_get_path (photo)));
          }
      json_array_add_array_element (copies, set);
    }
  json_object_set_string_member (object, "kind", exact ? "exact" : "near");
  json_object_set_member (object, "similarity", cli_json_number ("%.6g", cs_duplicate_group_get_similarity (group)));
  json_object_set_member (object, "keeper",
                          path_node (cs_photo_get_path (cs_duplicate_group_get_keeper (group))));
  json_object_set_string_member (object, "reason", cs_duplicate_group_get_keeper_reason (group));
  json_object_set_array_member (object, "photos", paths);
  json_object_set_array_member (object, "copies", copies);
  cli_json_append_object (out, object);
}

int
cli_cmd_duplicates (int    argc,
                    char **argv)
{
  g_autofree char *database = NULL;
  g_autofree char *model_opt = NULL;
  double threshold = 0;  /* the model family's default */
  gboolean as_json = FALSE;
  g_autoptr(GOptionContext) octx = g_option_context_new ("- find exact and near-duplicate photos");
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "Database (default: $XDG_DATA_HOME/clipsight/library.db)", "DB" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_opt, "Model directory (not needed)", "DIR" },
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold, "Cosine at or above which photos are near-duplicates (default 0.97; 0.99 for SigLIP)", "X" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per group per line", NULL },
    { NULL }
  };
  g_autoptr(CsLibrary) library = NULL;
  g_autoptr(GListModel) groups = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GError *error = NULL;

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!parse_options (octx, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1 || !(threshold == 0 || (threshold > 0.0 && threshold <= 1.0)))
    {
      fail_message ("duplicates: takes no arguments; --threshold must lie in (0, 1]");
      return EXIT_USAGE;
    }
  library = open_library ("duplicates", database, model_opt, &error);
  if (library == NULL)
    return fail_error (error);
  groups = cs_library_find_duplicates (library, threshold, NULL, &error);
  if (groups == NULL)
    return fail_error (error);

  for (guint g = 0; g < g_list_model_get_n_items (groups); g++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, g);
      GListModel *photos = cs_duplicate_group_get_photos (group);
      gboolean exact = cs_duplicate_group_get_kind (group) == CS_DUPLICATE_EXACT;

      if (as_json)
        {
          append_group_json (out, group);
          continue;
        }
      g_string_append_printf (out, "%s group of %u (similarity %.3f), keep the first (%s):\n",
                              exact ? "exact" : "near", g_list_model_get_n_items (photos),
                              cs_duplicate_group_get_similarity (group),
                              cs_duplicate_group_get_keeper_reason (group));
      for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_autofree char *shown = cli_display_path (cs_photo_get_path (photo));
          g_string_append_printf (out, "  %6.3f  %dx%d  %s%s\n", cs_photo_get_score (photo),
                                  cs_photo_get_width (photo), cs_photo_get_height (photo), shown,
                                  !exact && cs_duplicate_group_is_exact_copy (group, i) ? "  (exact copy)" : "");
        }
    }
  if (!as_json)
    g_string_append_printf (out, "%u groups\n", g_list_model_get_n_items (groups));
  fputs (out->str, stdout);
  return fflush (stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
