/* test-discover.c - themes and events (cs-suggestions.h, cs-discover.h).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Themes on the toy photos with the toy CLIP (skipped without ../shared)
 * and a vocabulary of the toy concepts (the six shapes, the eight
 * colours): the truth is labels.csv, which the code never sees.  The
 * parameters were tuned on the photos with an odd number (the tuning
 * half, whose sweep this test prints); the goals are asserted on the
 * photos with an even number (the held-out half), each half indexed as a
 * library of its own, and measured again on a second held-out library
 * (the photos whose number is 2 modulo 4).  All of those photos were
 * looked at while the rules were designed, so the goals are measured
 * again on fresh toy photos drawn by tools/make-toy-photos.py
 * (/library/discover/toy-fresh, run as the meson test
 * test-discover-fresh).  Events on generated timelines with known trips
 * (cs_discover_events() on synthetic vectors and dates, truth known by
 * construction).
 */

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cs-discover.h"
#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-suggestions.h"
#include "cs-vocabulary.h"
#include "test-util.h"

static char *toy_model;
static char *toy_photos;
static GHashTable *truth;   /* the shared toy photos: basename -> char*[2]: "shape;shape", "colour;colour" */

static const char *toy_shapes[] = { "circle", "square", "triangle", "star", "cross", "ring" };
static const char *toy_colours[] = { "red", "green", "blue", "yellow", "purple", "orange", "black", "white" };

/* The goals of issue 16. */
#define MIN_PURITY    0.85
#define MIN_NAMED     0.80
#define MIN_COVERAGE  0.80

typedef struct {
  char       *dir;
  char       *db;
  char       *vocabulary;
  CsLibrary  *library;
  GHashTable *truth;   /* labels (borrowed): its photos' and maybe others' */
  guint       n_objects[2]; /* its photos showing one object, and two */
} Half;

/* labels.csv of a folder of toy photos (the shared ones, or fresh ones
 * from tools/make-toy-photos.py, which writes the same columns). */
static GHashTable *
read_truth (const char *folder)
{
  g_autofree char *path = g_build_filename (folder, "labels.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) < 3)
        continue;
      g_hash_table_insert (table, g_strdup (f[0]), g_strdupv ((char *[]) { f[1], f[2], NULL }));
    }
  return table;
}

static int
photo_number (const char *base)
{
  return atoi (base + strlen ("photo-"));
}

/* A library of the toy photos of `source` (labelled by `labels`) whose
 * number is `residue` modulo `modulus`, copied into a folder of its own,
 * and the toy vocabulary file. */
static void
set_make (Half       *h,
          const char *source,
          GHashTable *labels,
          guint       modulus,
          guint       residue)
{
  g_autoptr(GDir) dir = g_dir_open (source, 0, NULL);
  g_autofree char *folder = NULL;
  g_autoptr(CsIndexer) indexer = NULL;
  g_autoptr(CsIndexSummary) summary = NULL;
  g_autoptr(GString) vocab = g_string_new ("# the toy world\n");
  g_autoptr(GError) error = NULL;
  const char *name;

  h->dir = test_make_temp_dir ();
  folder = g_build_filename (h->dir, "photos", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = NULL;
      g_autofree char *dst = NULL;
      g_autofree char *data = NULL;
      char **row;
      gsize len;

      if (!g_str_has_prefix (name, "photo-") || (guint) photo_number (name) % modulus != residue)
        continue;
      row = g_hash_table_lookup (labels, name);
      g_assert_nonnull (row);
      h->n_objects[strchr (row[0], ';') != NULL]++;
      src = g_build_filename (source, name, NULL);
      dst = g_build_filename (folder, name, NULL);
      g_assert_true (g_file_get_contents (src, &data, &len, NULL));
      g_assert_true (g_file_set_contents (dst, data, (gssize) len, NULL));
    }
  h->db = g_build_filename (h->dir, "library.db", NULL);
  indexer = cs_indexer_new (h->db, toy_model);
  cs_indexer_add_folder (indexer, folder);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (toy_shapes); i++)
    g_string_append_printf (vocab, "%s\n", toy_shapes[i]);
  for (guint i = 0; i < G_N_ELEMENTS (toy_colours); i++)
    g_string_append_printf (vocab, "%s|a %s shape|%s things\n", toy_colours[i], toy_colours[i], toy_colours[i]);
  h->vocabulary = g_build_filename (h->dir, "toy-vocabulary.txt", NULL);
  g_assert_true (g_file_set_contents (h->vocabulary, vocab->str, -1, NULL));

  h->library = cs_library_new (h->db, NULL);
  cs_library_set_cluster_labels (h->library, FALSE);
  g_assert_true (cs_library_load (h->library, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_library_get_n_photos (h->library), ==, g_hash_table_size (labels) / modulus);
  h->truth = labels;
}

static void
split_make (Half  *h,
            guint  modulus,
            guint  residue)
{
  set_make (h, toy_photos, truth, modulus, residue);
}

/* The tuning half (odd numbers) or the held-out half (even numbers). */
static void
half_make (Half     *h,
           gboolean  odd)
{
  split_make (h, 2, odd ? 1 : 0);
}

static void
half_clear (Half *h)
{
  g_clear_object (&h->library);
  test_rm_rf (h->dir);
  g_free (h->dir);
  g_free (h->db);
  g_free (h->vocabulary);
}

static GListModel *
discover (CsLibrary  *library,
          const char *vocabulary)
{
  g_autoptr(GError) error = NULL;
  GListModel *s = cs_library_discover (library, vocabulary, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* How often each of `values` is among `field` (0: shapes, 1: colours) of
 * the theme's photos; the most frequent one (first on a tie) and its
 * share. */
static const char *
majority (GHashTable         *labels,
          CsPhotoList        *photos,
          guint               field,
          const char * const *values,
          guint               n_values,
          double             *share)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (photos));
  g_autofree guint *count = g_new0 (guint, n_values);
  guint best = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) p = g_list_model_get_item (G_LIST_MODEL (photos), i);
      g_autofree char *base = g_path_get_basename (cs_photo_get_path (p));
      char **t = g_hash_table_lookup (labels, base);
      g_auto(GStrv) items = NULL;

      g_assert_nonnull (t);
      items = g_strsplit (t[field], ";", -1);
      for (guint v = 0; v < n_values; v++)
        if (g_strv_contains ((const char * const *) items, values[v]))
          count[v]++;
    }
  for (guint v = 1; v < n_values; v++)
    if (count[v] > count[best])
      best = v;
  *share = n > 0 ? (double) count[best] / n : 0;
  return values[best];
}

typedef struct {
  guint  n_themes;
  double min_purity;
  double mean_purity;
  double named_right;   /* share of the themes whose name is their majority shape or colour */
  double coverage;      /* share of the photos in some theme */
  guint  smallest;      /* photos in the smallest theme */
} Figures;

static Figures
measure (Half     *h,
         gboolean  verbose)
{
  CsLibrary *library = h->library;
  g_autoptr(GListModel) s = discover (library, h->vocabulary);
  g_autoptr(GHashTable) covered = g_hash_table_new (g_str_hash, g_str_equal);
  Figures f = { 0, 1.0, 0, 0, 0, G_MAXUINT };
  guint n_right = 0;
  guint placed[2] = { 0, 0 }, misnamed[2] = { 0, 0 };
  double last_score = INFINITY;

  for (guint i = 0; i < g_list_model_get_n_items (s); i++)
    {
      g_autoptr(CsSuggestion) sg = g_list_model_get_item (s, i);
      CsPhotoList *photos = cs_suggestion_get_photos (sg);
      double ps, pc;
      const char *shape, *colour;
      const char *concept = cs_suggestion_get_concept (sg);
      gboolean right;

      if (cs_suggestion_get_kind (sg) != CS_SUGGESTION_THEME)
        continue;
      /* the best first: a theme's name separates it no better than the
       * one before's */
      if (concept != NULL)
        {
          g_assert_cmpfloat (cs_suggestion_get_score (sg), <=, last_score);
          last_score = cs_suggestion_get_score (sg);
        }
      f.n_themes++;
      f.smallest = MIN (f.smallest, g_list_model_get_n_items (G_LIST_MODEL (photos)));
      shape = majority (h->truth, photos, 0, toy_shapes, G_N_ELEMENTS (toy_shapes), &ps);
      colour = majority (h->truth, photos, 1, toy_colours, G_N_ELEMENTS (toy_colours), &pc);
      f.min_purity = MIN (f.min_purity, MAX (ps, pc));
      f.mean_purity += MAX (ps, pc);
      /* an unnamed theme ("Similar photos") counts as wrongly named */
      right = concept != NULL && (g_str_equal (concept, shape) || g_str_equal (concept, colour));
      n_right += right;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (photos)); k++)
        {
          g_autoptr(CsPhoto) p = g_list_model_get_item (G_LIST_MODEL (photos), k);
          g_hash_table_add (covered, (gpointer) g_intern_string (cs_photo_get_path (p)));
          if (verbose)
            {
              g_autofree char *base = g_path_get_basename (cs_photo_get_path (p));
              char **t = g_hash_table_lookup (h->truth, base);
              guint two = strchr (t[0], ';') != NULL;
              g_auto(GStrv) shapes = g_strsplit (t[0], ";", -1);
              g_auto(GStrv) colours = g_strsplit (t[1], ";", -1);

              placed[two]++;
              if (concept == NULL || (!g_strv_contains ((const char * const *) shapes, concept)
                                      && !g_strv_contains ((const char * const *) colours, concept)))
                misnamed[two]++;
            }
        }
      if (verbose)
        g_test_message ("  %-16s %3u photos  score %.2f  shape %s %.2f  colour %s %.2f  %s",
                        cs_suggestion_get_name (sg), g_list_model_get_n_items (G_LIST_MODEL (photos)),
                        cs_suggestion_get_score (sg),
                        shape, ps, colour, pc, right ? "right" : "WRONG");
    }
  if (verbose)
    /* where the misses are: photos of one object and of two, how many
     * are in some theme, and how many in a theme whose name is neither
     * their shapes nor their colours */
    g_test_message ("  one object: %u of %u in a theme, %u misnamed; two objects: %u of %u, %u misnamed",
                    placed[0], h->n_objects[0], misnamed[0], placed[1], h->n_objects[1], misnamed[1]);
  f.named_right = f.n_themes > 0 ? (double) n_right / f.n_themes : 0;
  f.mean_purity = f.n_themes > 0 ? f.mean_purity / f.n_themes : 0;
  f.coverage = (double) g_hash_table_size (covered) / cs_library_get_n_photos (library);
  return f;
}

/* The sweep the defaults were chosen by, on the tuning half (printed,
 * not asserted): the defaults must be the best of it by the goals'
 * margins (see cs_discover_params_init). */
static void
test_toy_tuning (void)
{
  Half h = { 0 };
  const guint micros[] = { 3, 5 };
  const double merges[] = { 0.9 };
  const double zs[] = { 1.5, 2.0, 3.0 };
  const double seps[] = { 0.5, 1.0 };
  const double fits[] = { -2.0, -1.0, -0.5, 0.0 };

  if (!g_test_slow ())
    {
      g_test_skip ("the tuning sweep runs with -m slow");
      return;
    }
  half_make (&h, TRUE);
  for (guint u = 0; u < G_N_ELEMENTS (micros); u++)
  for (guint a = 0; a < G_N_ELEMENTS (merges); a++)
    for (guint b = 0; b < G_N_ELEMENTS (zs); b++)
      for (guint c = 0; c < G_N_ELEMENTS (seps); c++)
      for (guint e = 0; e < G_N_ELEMENTS (fits); e++)
        {
          CsDiscoverParams p;
          Figures f;

          cs_discover_params_init (&p);
          p.micro_size = micros[u];
          p.merge_cosine = merges[a];
          p.member_z = zs[b];
          p.min_separation = seps[c];
          p.name_fit = fits[e];
          _cs_discover_debug_set_params (&p);
          f = measure (&h, FALSE);
          g_test_message ("micro %u merge %.2f z %.1f sep %.1f fit %.1f: %u themes, purity >= %.2f, named %.2f, coverage %.2f",
                          micros[u], merges[a], zs[b], seps[c], fits[e], f.n_themes, f.min_purity, f.named_right, f.coverage);
        }
  _cs_discover_debug_set_params (NULL);
  half_clear (&h);
}

/* What the held-out libraries must keep (regression floors, below what
 * was measured), apart from issue 16's goals (MIN_PURITY, MIN_NAMED,
 * MIN_COVERAGE), which are reported as not met (g_test_incomplete: TAP
 * "not ok # TODO") rather than pretended.  Measured with the defaults and
 * the samples drawn in the order of the files' content hashes (the same
 * on every build and CPU): held-out half 9 themes, least purity 0.583
 * ("purple"), mean 0.855, names right 1.00, coverage 0.85; second split 5
 * themes, least purity 0.556, mean 0.726, names right 1.00, coverage 0.70.
 * With the rules of session 11 (a name stands out for each of its
 * photos; see cs_discover_params_init): held-out half 9 themes, least
 * purity 0.588 ("ring": stars and crosses the toy model takes for rings),
 * mean 0.940, coverage 0.817; second split 5 themes, 0.545, mean 0.709,
 * coverage 0.750; tuning half 0.875, mean 0.972, coverage 0.867.
 * (An earlier order, by a hash of the vectors' bytes, gave 0.714 on the
 * held-out half with -O2 and 0.538 with -O0: the themes depend on the
 * draw of samples and seeds, and the goal is far on data the rules were
 * not tuned on.) */
#define HELD_OUT_MIN_PURITY      0.50
#define HELD_OUT_MEAN_PURITY     0.80
#define HELD_OUT_MIN_COVERAGE    0.65

/* The figures of a library made by the caller, against the floors;
 * clears it.  Whether issue 16's goals are met. */
static gboolean
check_library (const char *what,
               Half       *h,
               guint       min_themes,
               double      min_purity,
               double      min_mean_purity,
               double      min_named,
               double      min_coverage)
{
  Figures f = measure (h, TRUE);
  CsDiscoverParams params;

  cs_discover_params_init (&params);
  g_test_message ("%s: %u themes, purity >= %.3f (mean %.3f), named right %.3f, coverage %.3f",
                  what, f.n_themes, f.min_purity, f.mean_purity, f.named_right, f.coverage);
  g_assert_cmpuint (f.n_themes, >=, min_themes);
  /* a theme its photos left for other names is dropped once it is under
   * the least size (these libraries are under 5,000 photos, so the least
   * size is min_size itself) */
  if (f.n_themes > 0)
    g_assert_cmpuint (f.smallest, >=, params.min_size);
  g_assert_cmpfloat (f.mean_purity, >=, min_mean_purity);
  g_assert_cmpfloat (f.min_purity, >=, min_purity);
  g_assert_cmpfloat (f.named_right, >=, min_named);
  g_assert_cmpfloat (f.coverage, >=, min_coverage);
  half_clear (h);
  return f.min_purity >= MIN_PURITY && f.coverage >= MIN_COVERAGE && f.named_right >= MIN_NAMED;
}

static void
goals_not_met (void)
{
  g_test_incomplete ("issue 16's goals: every theme's purity >= 0.85, 80 % of the themes named by "
                     "their majority, 80 % of the photos in a theme; not met here");
}

static void
check_goals (const char *what,
             guint       modulus,
             guint       residue,
             guint       min_themes,
             double      min_purity,
             double      min_mean_purity,
             double      min_coverage)
{
  Half h = { 0 };

  split_make (&h, modulus, residue);
  if (!check_library (what, &h, min_themes, min_purity, min_mean_purity, MIN_NAMED, min_coverage))
    goals_not_met ();
}

static void
test_toy_held_out (void)
{
  check_goals ("held-out half", 2, 0, 6, HELD_OUT_MIN_PURITY, HELD_OUT_MEAN_PURITY, HELD_OUT_MIN_COVERAGE);
}

/* A second held-out library the rules never saw being tuned: the photos
 * whose number is 2 modulo 4 (60 photos, a quarter of the toy set, half
 * of the held-out half), a smaller library with another mix of shapes
 * and colours.  Same floors as the held-out half (figures above). */

static void
test_toy_second_split (void)
{
  check_goals ("second split (number mod 4 = 2)", 4, 2, 5, HELD_OUT_MIN_PURITY, 0.65, HELD_OUT_MIN_COVERAGE);
}

static void
test_toy_tuning_half (void)
{
  /* tuned here, with the samples drawn in another order (by the vectors'
   * bytes): least purity 0.895 then, 0.810 in the content-hash order */
  check_goals ("tuning half", 2, 1, 6, 0.75, MIN_PURITY, MIN_COVERAGE);
}

/* Fresh toy photos: every shared toy photo was looked at while the rules
 * were designed, so the honest held-out figure is on pictures nobody
 * has seen, drawn in the same style by tools/make-toy-photos.py (which
 * writes labels.csv with the same columns) from seeds used for nothing
 * else: three draws of 240 photos, each a library of its own, because
 * one draw is luck (the first meets the goals, the second is far off).
 * Only the toy model is needed from ../shared; the generator needs
 * Debian's python3-pil (CLIPSIGHT_PYTHON, default /usr/bin/python3).
 *
 * Measured with the rules of session 9 (no rule tuned on any fresh draw):
 *   seed 20261216: 12 themes, least purity 0.864, mean 0.965, names right 0.833, coverage 0.912
 *   seed 20261217: 12 themes, least purity 0.593, mean 0.884, names right 0.750, coverage 0.917
 *   seed 20261218: 10 themes, least purity 0.750, mean 0.941, names right 0.900, coverage 0.892
 * and with names competing for photos and no "Similar photos" beside a
 * vocabulary (chosen on fresh seeds 301-308, checked on 401-408; these
 * three draws were not looked at until the rules were fixed):
 *   seed 20261216: 11 themes, least purity 0.778, mean 0.948, names right 0.909, coverage 0.896
 *   seed 20261217: 10 themes, least purity 0.857, mean 0.974, names right 0.900, coverage 0.883
 *   seed 20261218:  9 themes, least purity 0.917, mean 0.986, names right 1.000, coverage 0.871
 * and with a name standing out for every photo it is given to, the
 * photos of no theme joining by name, and a theme its name no longer
 * separates dropped (chosen on fresh seeds 301-308, checked on 401-708;
 * these three draws looked at once the rules were fixed):
 *   seed 20261216: 10 themes, least purity 0.833, mean 0.967, names right 1.000, coverage 0.867
 *   seed 20261217:  9 themes, least purity 0.947, mean 0.987, names right 1.000, coverage 0.854
 *   seed 20261218:  9 themes, least purity 0.889, mean 0.973, names right 1.000, coverage 0.875
 * Seed 1001 (drawn in session 15 to check rules chosen elsewhere, none
 * taken) is there for the least size: 9 themes, least purity 0.861,
 * mean 0.985, names right 1.000, coverage 0.867; with the competition's
 * drop of themes it leaves too small undone, it ends with a "triangle"
 * theme of 4 photos (as 5 of its neighbours 1002-1012 do).
 * The floors below are regression floors under those (a theme of about
 * 20 photos moves by 0.05 a photo); the goals are reported as TODO when
 * a draw misses them.  CLIPSIGHT_FRESH_SEED=N (and CLIPSIGHT_FRESH_COUNT)
 * measure another draw instead and only print its figures. */
typedef struct {
  guint  seed;
  guint  min_themes;
  double min_purity;
  double min_mean_purity;
  double min_named;
  double min_coverage;
} FreshDraw;

static const FreshDraw fresh_draws[] = {
  { 20261216, 9, 0.78, 0.93, 0.85, 0.83 },
  { 20261217, 8, 0.89, 0.95, 0.85, 0.82 },
  { 20261218, 8, 0.83, 0.94, 0.85, 0.84 },
  { 1001, 8, 0.81, 0.94, 0.85, 0.83 },
};

#define FRESH_COUNT 240

static gboolean
check_fresh (const char      *seed,
             guint            n,
             const FreshDraw *floors)
{
  const char *python = g_getenv ("CLIPSIGHT_PYTHON");
  g_autofree char *generator = g_test_build_filename (G_TEST_DIST, "..", "tools", "make-toy-photos.py", NULL);
  g_autofree char *tmp = test_make_temp_dir ();
  g_autofree char *out = g_build_filename (tmp, "fresh", NULL);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *err = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GHashTable) labels = NULL;
  g_autoptr(GError) error = NULL;
  Half h = { 0 };
  gboolean met;
  int status;
  const char *argv[] = { python != NULL ? python : "/usr/bin/python3", generator,
                         "--seed", seed, "--count", count, "--out", out, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", generator, error->message, err);
  labels = read_truth (out);
  g_assert_cmpuint (g_hash_table_size (labels), ==, n);
  set_make (&h, out, labels, 1, 0);
  what = g_strdup_printf ("fresh photos (seed %s, %u photos)", seed, n);
  if (floors != NULL)
    met = check_library (what, &h, floors->min_themes, floors->min_purity, floors->min_mean_purity,
                         floors->min_named, floors->min_coverage);
  else
    met = check_library (what, &h, 0, 0, 0, 0, 0);
  test_rm_rf (tmp);
  return met;
}

static void
test_toy_fresh (void)
{
  const char *seed_env = g_getenv ("CLIPSIGHT_FRESH_SEED");
  const char *count_env = g_getenv ("CLIPSIGHT_FRESH_COUNT");
  gboolean met = TRUE;

  if (seed_env != NULL || count_env != NULL)
    {
      met = check_fresh (seed_env != NULL ? seed_env : "1",
                         count_env != NULL ? (guint) atoi (count_env) : FRESH_COUNT, NULL);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (fresh_draws); i++)
        {
          g_autofree char *seed = g_strdup_printf ("%u", fresh_draws[i].seed);

          /* every draw, even after one misses the goals */
          met &= check_fresh (seed, FRESH_COUNT, &fresh_draws[i]);
        }
    }
  if (!met)
    goals_not_met ();
}

static char *
describe (GListModel *s)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (s); i++)
    {
      g_autoptr(CsSuggestion) sg = g_list_model_get_item (s, i);
      GListModel *photos = G_LIST_MODEL (cs_suggestion_get_photos (sg));

      g_string_append_printf (out, "%d|%s|%s|%.9g|%s|", cs_suggestion_get_kind (sg), cs_suggestion_get_name (sg),
                              cs_suggestion_get_key (sg), cs_suggestion_get_score (sg),
                              cs_photo_get_path (cs_suggestion_get_cover (sg)));
      for (guint k = 0; k < g_list_model_get_n_items (photos); k++)
        {
          g_autoptr(CsPhoto) p = g_list_model_get_item (photos, k);
          g_string_append_printf (out, "%s,", cs_photo_get_path (p));
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* The same library gives the same suggestions in the same order: run
 * twice, and again from a library loaded afresh. */
static void
test_stable (void)
{
  Half h = { 0 };
  g_autoptr(GListModel) a = NULL;
  g_autoptr(GListModel) b = NULL;
  g_autoptr(GListModel) c = NULL;
  g_autoptr(CsLibrary) again = NULL;
  g_autofree char *da = NULL;
  g_autofree char *db = NULL;
  g_autofree char *dc = NULL;
  g_autoptr(GError) error = NULL;

  half_make (&h, FALSE);
  a = discover (h.library, h.vocabulary);
  b = discover (h.library, h.vocabulary);
  again = cs_library_new (h.db, NULL);
  g_assert_true (cs_library_load (again, NULL, &error));
  c = discover (again, h.vocabulary);
  da = describe (a);
  db = describe (b);
  dc = describe (c);
  g_assert_cmpuint (g_list_model_get_n_items (a), >, 0);
  g_assert_cmpstr (da, ==, db);
  g_assert_cmpstr (da, ==, dc);
  half_clear (&h);
}

/* The async call finishes in the caller's context with the same result. */
static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GListModel **out = data;
  g_autoptr(GError) error = NULL;

  *out = cs_library_discover_finish (CS_LIBRARY (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async_and_errors (void)
{
  Half h = { 0 };
  g_autoptr(GListModel) sync = NULL;
  g_autoptr(GListModel) async = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *ds = NULL;
  g_autofree char *da = NULL;
  g_autoptr(CsLibrary) unloaded = NULL;
  GListModel *none;

  half_make (&h, FALSE);
  sync = discover (h.library, h.vocabulary);
  cs_library_discover_async (h.library, h.vocabulary, NULL, on_discovered, &async);
  while (async == NULL)
    g_main_context_iteration (NULL, TRUE);
  ds = describe (sync);
  da = describe (async);
  g_assert_cmpstr (ds, ==, da);

  /* a bad vocabulary says what and where */
  bad = g_build_filename (h.dir, "bad.txt", NULL);
  g_assert_true (g_file_set_contents (bad, "red\n|a prompt without a name\n", -1, NULL));
  none = cs_library_discover (h.library, bad, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  none = cs_library_discover (h.library, "/nonexistent/vocabulary.txt", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  unloaded = cs_library_new (h.db, NULL);
  none = cs_library_discover (unloaded, NULL, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED);
  half_clear (&h);
}

/* ---------------------------------------------------------------- events */

typedef struct {
  guint   n;
  int     dim;
  float  *vectors;
  gint64 *ids;
  gint64 *taken;
  int    *trip;      /* -1: everyday or undated */
  guint   n_trips;
} Timeline;

static void
timeline_free (Timeline *t)
{
  g_free (t->vectors);
  g_free (t->ids);
  g_free (t->taken);
  g_free (t->trip);
}

static void
random_unit (GRand  *rand,
             float  *v,
             int     dim)
{
  double n = 0;

  for (int d = 0; d < dim; d++)
    {
      /* Box-Muller */
      double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);
      v[d] = (float) (sqrt (-2 * log (u1)) * cos (2 * G_PI * u2));
      n += (double) v[d] * v[d];
    }
  n = sqrt (n);
  for (int d = 0; d < dim; d++)
    v[d] = (float) (v[d] / n);
}

/* Two years of a person's photos: everyday ones about every `every_days`
 * days at daytime hours, and trips of 2 to 7 days with `per_day` photos
 * a day (8:00 to 22:00), each with its own content; trips at least 3 days
 * apart except one pair back to back (the second starts the morning
 * after the first ends), which only the content tells apart; and some
 * photos without a date. */
static void
timeline_make (Timeline *t,
               guint32   seed,
               double    every_days,
               int       per_day)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GArray) when = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) which = g_array_new (FALSE, FALSE, sizeof (int));
  const gint64 t0 = 1704067200;  /* 2024-01-01 00:00 UTC */
  const gint64 day = 86400;
  gint64 trip_start[12];
  int trip_days[12];
  int dim = 64;
  g_autofree float *themes = g_new (float, 13 * dim);
  g_autofree float *noise = g_new (float, dim);
  double everyday = 0;

  t->dim = dim;
  t->n_trips = 12;
  for (guint k = 0; k < 13; k++)
    random_unit (rand, themes + k * dim, dim);
  /* trips: one every ~2 months, trips 4 and 5 back to back */
  for (guint k = 0; k < t->n_trips; k++)
    {
      trip_days[k] = g_rand_int_range (rand, 2, 8);
      if (k == 5)
        trip_start[k] = trip_start[4] + trip_days[4] * day;
      else
        trip_start[k] = t0 + (gint64) (k * 60 + g_rand_int_range (rand, 0, 20)) * day;
    }
  for (guint k = 0; k < t->n_trips; k++)
    for (int d = 0; d < trip_days[k]; d++)
      {
        int n_today = per_day / 2 + g_rand_int_range (rand, 0, per_day);
        for (int p = 0; p < n_today; p++)
          {
            gint64 at = trip_start[k] + d * day + 8 * 3600 + g_rand_int_range (rand, 0, 14 * 3600);
            int kk = (int) k;
            g_array_append_val (when, at);
            g_array_append_val (which, kk);
          }
      }
  /* everyday photos, never during a trip nor within two days of one */
  while (everyday < 730)
    {
      gint64 at;
      gboolean near = FALSE;
      int none = -1;

      everyday += -log (g_rand_double_range (rand, 1e-9, 1.0)) * every_days;
      at = t0 + (gint64) floor (everyday) * day + 9 * 3600 + g_rand_int_range (rand, 0, 12 * 3600);
      for (guint k = 0; k < t->n_trips; k++)
        near |= at > trip_start[k] - 2 * day && at < trip_start[k] + (trip_days[k] + 2) * day;
      if (near)
        continue;
      g_array_append_val (when, at);
      g_array_append_val (which, none);
    }
  /* photos without a date (taken 0), in the middle of everything */
  for (int p = 0; p < 40; p++)
    {
      gint64 zero = 0;
      int none = -2;
      g_array_append_val (when, zero);
      g_array_append_val (which, none);
    }

  t->n = when->len;
  t->vectors = g_new (float, (gsize) t->n * dim);
  t->ids = g_new (gint64, t->n);
  t->taken = g_new (gint64, t->n);
  t->trip = g_new (int, t->n);
  for (guint i = 0; i < t->n; i++)
    {
      int k = g_array_index (which, int, i);
      float *v = t->vectors + (gsize) i * dim;
      /* ids in no particular relation to time */
      t->ids[i] = 1 + (gint64) ((i * 7919u) % 100003u);
      t->taken[i] = g_array_index (when, gint64, i);
      t->trip[i] = k >= 0 ? k : -1;
      random_unit (rand, noise, dim);
      for (int d = 0; d < dim; d++)
        v[d] = k >= 0 ? themes[k * dim + d] + 0.9f * noise[d] : noise[d] + 0.3f * themes[12 * dim + d];
      {
        double n = 0;
        for (int d = 0; d < dim; d++)
          n += (double) v[d] * v[d];
        n = sqrt (n);
        for (int d = 0; d < dim; d++)
          v[d] = (float) (v[d] / n);
      }
    }
}

static void
check_events (guint32 seed,
              double  every_days,
              int     per_day)
{
  Timeline t = { 0 };
  g_autofree const float **rows = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint *event_of = NULL;
  CsDiscoverInput in;
  guint n_trip_photos = 0, n_right = 0, n_everyday = 0;

  timeline_make (&t, seed, every_days, per_day);
  rows = g_new (const float *, t.n);
  for (guint i = 0; i < t.n; i++)
    rows[i] = t.vectors + (gsize) i * t.dim;
  in = (CsDiscoverInput) { t.n, t.dim, rows, t.ids, t.taken, NULL };
  events = cs_discover_events (&in, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  event_of = g_new (guint, t.n);
  for (guint i = 0; i < t.n; i++)
    event_of[i] = G_MAXUINT;
  for (guint e = 0; e < events->len; e++)
    {
      CsDiscoverGroup *g = events->pdata[e];
      int trip = -1;

      for (guint k = 0; k < g->members->len; k++)
        {
          guint i = g_array_index (g->members, guint, k);

          /* photos without a date are never in an event */
          g_assert_cmpint (t.taken[i], >, 0);
          g_assert_cmpuint (event_of[i], ==, G_MAXUINT);
          event_of[i] = e;
          /* no event spans two trips */
          if (t.trip[i] >= 0)
            {
              if (trip >= 0)
                g_assert_cmpint (trip, ==, t.trip[i]);
              trip = t.trip[i];
            }
        }
      n_everyday += trip < 0;
      g_assert_cmpint (g->start, <=, g->end);
      if (e > 0)
        g_assert_cmpint (((CsDiscoverGroup *) events->pdata[e - 1])->start, >=, g->start);
    }
  /* each trip's event is the one holding most of its photos */
  for (guint k = 0; k < t.n_trips; k++)
    {
      g_autofree guint *count = g_new0 (guint, events->len + 1);
      guint best = 0, n_k = 0;

      for (guint i = 0; i < t.n; i++)
        if (t.trip[i] == (int) k)
          {
            n_k++;
            if (event_of[i] != G_MAXUINT)
              count[event_of[i]]++;
          }
      for (guint e = 0; e < events->len; e++)
        best = MAX (best, count[e]);
      n_trip_photos += n_k;
      n_right += best;
    }
  g_test_message ("seed %u, everyday every %.1f days, %d a day on trips: %u events (%u of everyday photos only), %u of %u trip photos (%.1f %%) in their trip's event",
                  seed, every_days, per_day, events->len, n_everyday, n_right, n_trip_photos, 100.0 * n_right / n_trip_photos);
  g_assert_cmpfloat ((double) n_right / n_trip_photos, >=, 0.90);
  /* everyday photos come at their steady pace, with no burst to be an
   * event of (without the rule that an event is several times the rate
   * of the month around it, seeds 2 and 4 make 19 and 4 such events) */
  g_assert_cmpuint (n_everyday, ==, 0);
  timeline_free (&t);
}

static void
test_events (void)
{
  /* a sparse photographer, a steady one, and slow and busy trips */
  check_events (1, 2.0, 30);
  check_events (2, 0.5, 30);
  check_events (3, 3.0, 8);
  check_events (4, 1.0, 60);
}

static void
test_date_range (void)
{
  g_autofree char *one = NULL;
  g_autofree char *month = NULL;
  g_autofree char *year = NULL;
  g_autofree char *years = NULL;

  /* the test runs with TZ=UTC and the C locale */
  one = cs_discover_format_range (1752321600, 1752321600 + 3600);     /* 2025-07-12 */
  month = cs_discover_format_range (1752321600, 1752494400);          /* 12-14 July */
  year = cs_discover_format_range (1751284800, 1751457600);           /* 30 June - 2 July */
  years = cs_discover_format_range (1735560000, 1735819200);          /* 30 Dec 2024 - 2 Jan 2025 */
  g_assert_cmpstr (one, ==, "12 July 2025");
  g_assert_cmpstr (month, ==, "12–14 July 2025");
  g_assert_cmpstr (year, ==, "30 June – 2 July 2025");
  g_assert_cmpstr (years, ==, "30 December 2024 – 2 January 2025");
}

/* ------------------------------------------------------------ vocabulary */

static void
test_vocabulary (void)
{
  g_autoptr(GPtrArray) builtin = cs_vocabulary_new_builtin ();
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) file = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "vocabulary.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *bad[][2] = {
    { "beach\n\xff\n", "line 2" },
    { "beach\n  | lonely prompt\n", "line 2" },
    { "Beach\n# c\nbeach|again\n", "line 3" },
    { "# only comments\n\n", "no concept" },
  };

  /* about a thousand everyday concepts, each with its default prompts */
  g_assert_cmpuint (builtin->len, >=, 1000);
  for (guint i = 0; i < builtin->len; i++)
    g_assert_cmpuint (g_strv_length (((CsConcept *) builtin->pdata[i])->prompts), >=, 2);

  /* the generated source is data/vocabulary.txt as it is now */
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  file = cs_vocabulary_parse (text, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file->len, ==, cs_vocabulary_builtin_n);
  for (guint i = 0; i < file->len; i++)
    {
      CsConcept *c = file->pdata[i];
      CsConcept *b = builtin->pdata[i];
      g_assert_cmpstr (c->id, ==, cs_vocabulary_builtin_data[i].name);
      g_assert_true (g_strv_equal ((const char * const *) c->prompts, (const char * const *) b->prompts));
    }

  parsed = cs_vocabulary_parse ("# x\n  red circle | a round red thing |\nApple\nMountains\n", 54, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 3);
  g_assert_cmpstr (((CsConcept *) parsed->pdata[0])->name, ==, "red circle");
  g_assert_true (g_strv_equal ((const char * const *) ((CsConcept *) parsed->pdata[0])->prompts,
                               (const char * const []) { "a photo of a red circle.", "red circle",
                                                                   "a round red thing", NULL }));
  g_assert_cmpstr (((CsConcept *) parsed->pdata[1])->prompts[0], ==, "a photo of an apple.");
  g_assert_cmpstr (((CsConcept *) parsed->pdata[2])->prompts[0], ==, "a photo of mountains.");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GPtrArray *none = cs_vocabulary_parse (bad[i][0], strlen (bad[i][0]), &error);
      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, bad[i][1]));
      g_clear_error (&error);
    }
}

/* Normalises `v` (dim floats) and makes it photo `i`: rows[i], id i + 1. */
static void
put_row (const float **rows,
         gint64       *ids,
         int           dim,
         guint         i,
         float        *v)
{
  double norm = 0;

  for (int d = 0; d < dim; d++)
    norm += (double) v[d] * v[d];
  for (int d = 0; d < dim; d++)
    v[d] /= (float) sqrt (norm);
  rows[i] = v;
  ids[i] = (gint64) i + 1;
}

/* Without a vocabulary, tight groups are proposed unnamed ("Similar
 * photos"); beside a vocabulary none of whose concepts separates them,
 * they are not proposed at all.  Three clusters of 40 unit vectors around
 * orthogonal directions (dim 16, noise 0.1 a coordinate), their truth
 * known; the one concept lies along a coordinate no photo uses. */
static void
test_unnamed (void)
{
  const guint per = 40, n = 3 * per;
  const int dim = 16;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1206);
  g_autofree float *data = g_new0 (float, (gsize) n * dim);
  g_autofree const float **rows = g_new (const float *, n);
  g_autofree gint64 *ids = g_new (gint64, n);
  float concept[16] = { 0 };
  CsDiscoverConcepts concepts = { 1, dim, concept };
  CsDiscoverInput in = { n, dim, rows, ids, NULL, NULL };
  CsDiscoverParams params;
  g_autoptr(GPtrArray) themes = NULL;
  g_autoptr(GError) error = NULL;
  guint covered = 0;

  for (guint i = 0; i < n; i++)
    {
      float *v = data + (gsize) i * dim;

      for (int d = 0; d < 12; d++)
        v[d] = (float) g_rand_double_range (rand, -0.1, 0.1);
      v[(i / per) * 4] += 1.0f;
      put_row (rows, ids, dim, i, v);
    }
  concept[15] = 1.0f;
  cs_discover_params_init (&params);

  themes = cs_discover_themes (&in, NULL, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (themes->len, ==, 3);
  for (guint t = 0; t < themes->len; t++)
    {
      CsDiscoverGroup *g = themes->pdata[t];
      guint cluster = g_array_index (g->members, guint, 0) / per;

      g_assert_cmpint (g->concept, ==, -1);
      for (guint k = 0; k < g->members->len; k++)
        g_assert_cmpuint (g_array_index (g->members, guint, k) / per, ==, cluster);
      covered += g->members->len;
    }
  g_assert_cmpuint (covered, >=, n * 9 / 10);
  g_clear_pointer (&themes, g_ptr_array_unref);

  themes = cs_discover_themes (&in, &concepts, &params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (themes->len, ==, 0);
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Photos of no theme join the nearest one only when they are as close
 * to its centre as its own photos are.  Without a vocabulary: a loose
 * group of 60 photos around one direction, two tight ones of 40, four
 * photos a little off the loose group's direction (they belong with it),
 * and four outliers along directions no group uses (their own cluster is
 * too small to be a theme, and the nearest theme is far: they stay out;
 * with adopt_strays' closeness floor undone they join the nearest
 * theme). */
static void
test_strays (void)
{
  const guint loose = 60, tight = 40, near = 4, far = 4;
  const guint n = loose + 2 * tight + near + far;
  const int dim = 16;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1209);
  g_autofree float *data = g_new0 (float, (gsize) n * dim);
  g_autofree const float **rows = g_new (const float *, n);
  g_autofree gint64 *ids = g_new (gint64, n);
  CsDiscoverInput in = { n, dim, rows, ids, NULL, NULL };
  CsDiscoverParams params;
  g_autoptr(GPtrArray) themes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree int *theme_of = g_new (int, n);

  for (guint i = 0; i < n; i++)
    {
      float *v = data + (gsize) i * dim;

      theme_of[i] = -1;
      if (i < loose)
        {
          for (int d = 0; d < 12; d++)
            v[d] = (float) g_rand_double_range (rand, -0.2, 0.2);
          v[0] += 1.0f;
        }
      else if (i < loose + 2 * tight)
        {
          for (int d = 0; d < 12; d++)
            v[d] = (float) g_rand_double_range (rand, -0.1, 0.1);
          v[i < loose + tight ? 4 : 8] += 1.0f;
        }
      else if (i < loose + 2 * tight + near)
        {
          for (int d = 0; d < 12; d++)
            v[d] = (float) g_rand_double_range (rand, -0.05, 0.05);
          v[0] += 1.0f;
          v[1] += 0.4f;
        }
      else
        {
          v[13] = (float) g_rand_double_range (rand, 0.2, 1.0);
          v[14] = (float) g_rand_double_range (rand, 0.2, 1.0);
        }
      put_row (rows, ids, dim, i, v);
    }
  cs_discover_params_init (&params);
  themes = cs_discover_themes (&in, NULL, &params, NULL, &error);
  g_assert_no_error (error);
  for (guint t = 0; t < themes->len; t++)
    {
      CsDiscoverGroup *g = themes->pdata[t];
      for (guint k = 0; k < g->members->len; k++)
        theme_of[g_array_index (g->members, guint, k)] = (int) t;
    }
  g_assert_cmpint (theme_of[0], >=, 0);
  for (guint i = loose + 2 * tight; i < loose + 2 * tight + near; i++)
    g_assert_cmpint (theme_of[i], ==, theme_of[0]);
  for (guint i = loose + 2 * tight + near; i < n; i++)
    g_assert_cmpint (theme_of[i], ==, -1);
}

/* The cosine statistics of concept `c` over the photos, brute force:
 * its mean and (population) deviation, as the names are scored by. */
static void
concept_stats (const float **rows,
               guint         n,
               int           dim,
               const float  *c,
               double       *mean,
               double       *sd)
{
  double s1 = 0, s2 = 0;

  for (guint i = 0; i < n; i++)
    {
      double x = 0;
      for (int d = 0; d < dim; d++)
        x += (double) rows[i][d] * c[d];
      s1 += x;
      s2 += x * x;
    }
  *mean = s1 / n;
  *sd = sqrt (MAX (s2 / n - *mean * *mean, 1e-12));
}

/* The separation of concept `c` for a theme's photos, brute force: the
 * members' mean cosine to it minus the rest of the library's, in its
 * deviations over the library; and in *n_weak how many members have a
 * cosine under its mean + name_z sd (NULL: not counted). */
static double
separation_of (const CsDiscoverInput *in,
               const float           *c,
               GArray                *members,
               double                 name_z,
               guint                 *n_weak)
{
  double mean, sd, sum_in = 0;

  concept_stats (in->vectors, in->n, in->dim, c, &mean, &sd);
  for (guint k = 0; k < members->len; k++)
    {
      const float *v = in->vectors[g_array_index (members, guint, k)];
      double x = 0;

      for (int d = 0; d < in->dim; d++)
        x += (double) v[d] * c[d];
      sum_in += x;
      if (n_weak != NULL)
        *n_weak += x < mean + name_z * sd - 1e-4;
    }
  return (sum_in / members->len - (mean * in->n - sum_in) / (in->n - members->len)) / sd;
}

/* How many photos of named themes a name does not stand out for (their
 * cosine to it under its mean + name_z sd over the library); in
 * *n_unseparated, how many named themes their name does not separate by
 * final_separation sd. */
static guint
name_violations (const CsDiscoverInput    *in,
                 const CsDiscoverConcepts *concepts,
                 GPtrArray                *themes,
                 double                    name_z,
                 double                    final_separation,
                 guint                    *n_named,
                 guint                    *n_unseparated)
{
  guint bad = 0;

  *n_named = 0;
  *n_unseparated = 0;
  for (guint t = 0; t < themes->len; t++)
    {
      CsDiscoverGroup *g = themes->pdata[t];

      if (g->concept < 0)
        continue;
      (*n_named)++;
      *n_unseparated += separation_of (in, concepts->vectors + (gsize) g->concept * concepts->dim,
                                       g->members, name_z, &bad) < final_separation - 1e-4;
    }
  return bad;
}

/* A name must stand out for every photo it is given to (name_z sd above
 * its mean over the library) and still separate the photos its theme
 * ends with (final_separation sd) after names compete and strays are
 * adopted.  A toy world in 32 dimensions: each of 600 photos has one of
 * six shapes and one of eight colours (a direction each), a fifth of
 * them a faint second shape, and noise; the concepts are the fourteen
 * directions with a common part (as CLIP's texts share one).  Checked by
 * brute force over the library, with the rules, and shown to be broken
 * without them (the data exercise both). */
static void
test_names_stand_out (void)
{
  const guint n = 600;
  const int dim = 32;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1207);
  g_autofree float *data = g_new0 (float, (gsize) n * dim);
  g_autofree const float **rows = g_new (const float *, n);
  g_autofree gint64 *ids = g_new (gint64, n);
  g_autofree float *cv = g_new0 (float, (gsize) 14 * dim);
  CsDiscoverConcepts concepts = { 14, dim, cv };
  CsDiscoverInput in = { n, dim, rows, ids, NULL, NULL };
  CsDiscoverParams params;
  g_autoptr(GPtrArray) themes = NULL;
  g_autoptr(GError) error = NULL;
  guint named, bad, unseparated;

  for (guint i = 0; i < n; i++)
    {
      float *v = data + (gsize) i * dim;

      for (int d = 0; d < dim; d++)
        v[d] = (float) g_rand_double_range (rand, -0.5, 0.5);
      v[g_rand_int_range (rand, 0, 6)] += 0.6f;
      v[6 + g_rand_int_range (rand, 0, 8)] += 1.0f;
      if (g_rand_int_range (rand, 0, 5) < 2)
        v[g_rand_int_range (rand, 0, 6)] += 0.4f;
      put_row (rows, ids, dim, i, v);
    }
  for (guint c = 0; c < 14; c++)
    {
      cv[(gsize) c * dim + c] = 0.8f;
      cv[(gsize) c * dim + 31] = 0.6f;
    }

  cs_discover_params_init (&params);
  themes = cs_discover_themes (&in, &concepts, &params, NULL, &error);
  g_assert_no_error (error);
  bad = name_violations (&in, &concepts, themes, params.name_z, params.final_separation, &named, &unseparated);
  g_test_message ("with the rules: %u named themes, %u photos their name does not stand out for, %u themes it does not separate",
                  named, bad, unseparated);
  g_assert_cmpuint (named, >=, 6);
  g_assert_cmpuint (bad, ==, 0);
  g_assert_cmpuint (unseparated, ==, 0);
  g_clear_pointer (&themes, g_ptr_array_unref);

  /* the same library without the two rules breaks them */
  {
    CsDiscoverParams off = params;

    off.name_z = -INFINITY;
    off.final_separation = -INFINITY;
    themes = cs_discover_themes (&in, &concepts, &off, NULL, &error);
    g_assert_no_error (error);
    bad = name_violations (&in, &concepts, themes, params.name_z, params.final_separation, &named, &unseparated);
    g_test_message ("without them: %u named themes, %u photos their name does not stand out for, %u themes it does not separate",
                    named, bad, unseparated);
    g_assert_cmpuint (bad, >, 0);
  }
  g_clear_pointer (&themes, g_ptr_array_unref);

  /* the separation rule at a level a quarter of the themes miss without
   * it (the lower quartile of their separations there): they are dropped,
   * their photos go to names that stand out for them or stay out, and
   * every theme left holds */
  {
    CsDiscoverParams off = params;
    g_autoptr(GArray) seps = g_array_new (FALSE, FALSE, sizeof (double));
    double level;

    off.final_separation = -INFINITY;
    themes = cs_discover_themes (&in, &concepts, &off, NULL, &error);
    g_assert_no_error (error);
    for (guint t = 0; t < themes->len; t++)
      {
        CsDiscoverGroup *g = themes->pdata[t];
        double sep;

        if (g->concept < 0)
          continue;
        sep = separation_of (&in, cv + (gsize) g->concept * dim, g->members, 0, NULL);
        g_array_append_val (seps, sep);
      }
    g_array_sort (seps, cmp_double);
    level = g_array_index (seps, double, seps->len / 4);
    bad = name_violations (&in, &concepts, themes, params.name_z, level, &named, &unseparated);
    g_test_message ("separation level %.3f: without the rule %u of %u named themes miss it", level, unseparated, named);
    g_assert_cmpuint (unseparated, >, 0);
    g_clear_pointer (&themes, g_ptr_array_unref);

    off.final_separation = level;
    themes = cs_discover_themes (&in, &concepts, &off, NULL, &error);
    g_assert_no_error (error);
    bad = name_violations (&in, &concepts, themes, params.name_z, level, &named, &unseparated);
    g_test_message ("with it: %u named themes, %u photos their name does not stand out for, %u themes it does not separate",
                    named, bad, unseparated);
    g_assert_cmpuint (named, >=, 1);
    g_assert_cmpuint (bad, ==, 0);
    g_assert_cmpuint (unseparated, ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_setenv ("TZ", "UTC", TRUE);
  /* the same vectors whatever the precision check would choose */
  g_setenv ("CLIPSIGHT_PRECISION", "f32", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/discover/vocabulary", test_vocabulary);
  g_test_add_func ("/library/discover/date-range", test_date_range);
  g_test_add_func ("/library/discover/events", test_events);
  g_test_add_func ("/library/discover/unnamed", test_unnamed);
  g_test_add_func ("/library/discover/names-stand-out", test_names_stand_out);
  g_test_add_func ("/library/discover/strays", test_strays);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  {
    g_autofree char *raw = test_shared_path_or_skip ("testdata/toy-photos");
    toy_photos = g_canonicalize_filename (raw, NULL);
  }
  truth = read_truth (toy_photos);
  g_assert_cmpuint (g_hash_table_size (truth), ==, 240);
  g_test_add_func ("/library/discover/toy-held-out", test_toy_held_out);
  g_test_add_func ("/library/discover/toy-second-split", test_toy_second_split);
  g_test_add_func ("/library/discover/toy-tuning-half", test_toy_tuning_half);
  g_test_add_func ("/library/discover/toy-tuning-sweep", test_toy_tuning);
  g_test_add_func ("/library/discover/stable", test_stable);
  g_test_add_func ("/library/discover/toy-fresh", test_toy_fresh);
  g_test_add_func ("/library/discover/async-and-errors", test_async_and_errors);
  rc = g_test_run ();
  g_hash_table_unref (truth);
  g_free (toy_model);
  g_free (toy_photos);
  return rc;
}
