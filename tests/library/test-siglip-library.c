/* test-siglip-library.c - the library on SigLIP models (issue 13).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forty toy photos indexed with the SigLIP 2 test model of tests/data/siglip,
 * checked against truth computed here by another path:
 *  - the stored image vectors against the engine run directly on the file
 *    (decoded by GdkPixbuf, not the library's decoder, at full size);
 *  - search scores and probabilities, label members and probabilities
 *    against a brute-force sigmoid (exp (logit_scale) cos + logit_bias)
 *    over those vectors and text vectors the engine makes here;
 *  - a model change CLIP (toy-clip) -> SigLIP -> CLIP: queries keep
 *    answering from the old model while the new one's vectors are
 *    incomplete, and labels and judgements survive both switches.
 * Float32 throughout (CLIPSIGHT_PRECISION=f32), so vectors compare tightly.
 */
#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "clip.h"
#include "cs-indexer.h"
#include "cs-labels.h"
#include "cs-library.h"
#include "cs-store.h"
#include "test-util.h"

#define N_PHOTOS 40

static char *toy_photos;   /* ../shared/testdata/toy-photos */
static char *toy_model;    /* ../shared/models/toy-clip */
static char *siglip2_dir;  /* tests/data/siglip/siglip2 */
static char *siglip1_dir;  /* tests/data/siglip/siglip */

typedef struct {
  char *dir;
  char *photos;
  char *db;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->dir = test_make_temp_dir ();
  fx->photos = g_build_filename (fx->dir, "photos", NULL);
  fx->db = g_build_filename (fx->dir, "library.db", NULL);
  g_assert_cmpint (g_mkdir (fx->photos, 0755), ==, 0);
  for (int i = 1; i <= N_PHOTOS; i++)
    for (int e = 0; e < 2; e++)
      {
        g_autofree char *name = g_strdup_printf ("photo-%04d.%s", i, e == 0 ? "jpg" : "png");
        g_autofree char *from = g_build_filename (toy_photos, name, NULL);
        g_autofree char *to = g_build_filename (fx->photos, name, NULL);
        g_autoptr(GFile) src = g_file_new_for_path (from);
        g_autoptr(GFile) dst = g_file_new_for_path (to);
        g_autoptr(GError) error = NULL;

        if (!g_file_test (from, G_FILE_TEST_EXISTS))
          continue;
        g_assert_true (g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
      }
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->photos);
  g_free (fx->db);
}

static CsIndexSummary *
index_with (Fixture    *fx,
            const char *model)
{
  g_autoptr(CsIndexer) indexer = cs_indexer_new (fx->db, model);
  g_autoptr(GError) error = NULL;
  CsIndexSummary *summary;

  cs_indexer_add_folder (indexer, fx->photos);
  summary = cs_indexer_rescan (indexer, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  return summary;
}

static CsLibrary *
load (Fixture    *fx,
      const char *model)
{
  g_autoptr(CsLibrary) library = cs_library_new (fx->db, model);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&library);
}

static void
refresh (CsLibrary *library)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_refresh (library, NULL, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------ the independent truth */

typedef struct {
  clip_model *model;
  clip_ctx   *ctx;
  int         dim;
  double      scale;  /* exp (logit_scale) */
  double      bias;
} Engine;

static void
engine_open (Engine     *e,
             const char *dir)
{
  clip_params params = clip_params_default ();
  char *message = NULL;

  params.precision = CLIP_PRECISION_F32;
  g_assert_cmpint (clip_model_load (dir, &e->model, &message), ==, CLIP_STATUS_OK);
  g_assert_cmpint (clip_ctx_new (e->model, &params, &e->ctx, &message), ==, CLIP_STATUS_OK);
  e->dim = clip_model_get_info (e->model)->embed_dim;
  e->scale = exp (clip_model_get_info (e->model)->logit_scale);
  e->bias = clip_model_get_info (e->model)->logit_bias;
}

static void
engine_close (Engine *e)
{
  clip_ctx_free (e->ctx);
  clip_model_free (e->model);
}

/* The engine's vector of the image file at `path`, decoded at full size
 * by GdkPixbuf (EXIF orientation applied), as `clipsight-cli embed` does
 * with its own decoder. */
static float *
engine_image (Engine     *e,
              const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) raw = gdk_pixbuf_new_from_file (path, &error);
  g_autoptr(GdkPixbuf) pb = NULL;
  g_autofree float *pix = g_new (float, clip_model_image_floats (e->model));
  float *v = g_new (float, e->dim);
  clip_image img = { 0 };
  char *message = NULL;

  g_assert_no_error (error);
  pb = gdk_pixbuf_apply_embedded_orientation (raw);
  img.pixels = gdk_pixbuf_read_pixels (pb);
  img.width = gdk_pixbuf_get_width (pb);
  img.height = gdk_pixbuf_get_height (pb);
  img.stride = gdk_pixbuf_get_rowstride (pb);
  img.format = gdk_pixbuf_get_has_alpha (pb) ? CLIP_PIXELS_RGBA8 : CLIP_PIXELS_RGB8;
  g_assert_cmpint (clip_preprocess (clip_model_get_preprocess (e->model), &img, pix, &message), ==,
                   CLIP_STATUS_OK);
  g_assert_cmpint (clip_encode_images (e->ctx, pix, 1, v, &message), ==, CLIP_STATUS_OK);
  clip_normalize (v, e->dim);
  return v;
}

static float *
engine_text (Engine     *e,
             const char *text)
{
  int ctxlen = clip_model_get_info (e->model)->context_length;
  g_autofree int32_t *ids = g_new0 (int32_t, ctxlen);
  float *v = g_new (float, e->dim);
  char *message = NULL;

  g_assert_cmpint (clip_model_tokenize (e->model, text, -1, ids), >, 0);
  g_assert_cmpint (clip_encode_texts (e->ctx, ids, 1, v, &message), ==, CLIP_STATUS_OK);
  clip_normalize (v, e->dim);
  return v;
}

static double
dot (const float *a,
     const float *b,
     int          dim)
{
  double s = 0;

  for (int d = 0; d < dim; d++)
    s += (double) a[d] * b[d];
  return s;
}

static double
sigmoid_p (Engine *e,
           double  cos)
{
  return 1.0 / (1.0 + exp (-(e->scale * cos + e->bias)));
}

/* The stored vector of every photo of the active model, by photo id. */
static GHashTable *
stored_vectors (Fixture *fx,
                int      dim)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = cs_store_open (fx->db, &error);
  g_autofree char *active = NULL;
  GHashTable *vectors = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GDir) d = g_dir_open (fx->photos, 0, &error);
  gint64 row;
  const char *name;

  g_assert_no_error (error);
  active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, &error);
  g_assert_no_error (error);
  row = cs_store_lookup_model (store, active, NULL, &error);
  g_assert_cmpint (row, >, 0);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx->photos, name, NULL);
      CsStorePhoto *photo = cs_store_lookup_photo (store, path, &error);
      int got = 0;
      float *v;

      g_assert_no_error (error);
      g_assert_nonnull (photo);
      v = cs_store_dup_vector (store, photo->id, row, &got, &error);
      g_assert_no_error (error);
      g_assert_nonnull (v);
      g_assert_cmpint (got, ==, dim);
      g_hash_table_insert (vectors, g_memdup2 (&photo->id, sizeof (gint64)), v);
      cs_store_photo_free (photo);
    }
  return vectors;
}

/* ------------------------------------------------------------------ tests */

/* The indexer's vectors are the engine's for the same files: exact (to
 * float rounding) where the photo is decoded at full size, within the
 * reduced decode's cosine 0.995 (docs/performance.md) where a large JPEG
 * is decoded at 1/2 to 1/8 scale and resized straight to 64 x 64. */
static void
test_vectors (Fixture       *fx,
              gconstpointer  data)
{
  const char *model = data;
  g_autoptr(CsIndexSummary) summary = index_with (fx, model);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = NULL;
  g_autoptr(GDir) d = g_dir_open (fx->photos, 0, &error);
  g_autofree char *active = NULL;
  Engine e;
  const char *name;
  double worst_full = 1, worst_reduced = 1;
  guint n = 0, n_reduced = 0;
  gint64 row;

  g_assert_cmpuint (summary->failed, ==, 0);
  engine_open (&e, model);
  store = cs_store_open (fx->db, &error);
  g_assert_no_error (error);
  active = cs_store_dup_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, &error);
  row = cs_store_lookup_model (store, active, NULL, &error);
  g_assert_cmpint (row, >, 0);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx->photos, name, NULL);
      g_autofree float *truth = engine_image (&e, path);
      CsStorePhoto *photo = cs_store_lookup_photo (store, path, &error);
      g_autofree float *v = NULL;
      int dim = 0;
      double c;
      /* libjpeg reduces a JPEG whose short side reaches twice the input */
      gboolean reduced = g_str_has_suffix (name, ".jpg") && MIN (photo->width, photo->height) >= 256;

      v = cs_store_dup_vector (store, photo->id, row, &dim, &error);
      g_assert_no_error (error);
      g_assert_cmpint (dim, ==, e.dim);
      c = dot (truth, v, dim);
      if (reduced)
        worst_reduced = MIN (worst_reduced, c), n_reduced++;
      else
        worst_full = MIN (worst_full, c);
      n++;
      cs_store_photo_free (photo);
    }
  g_test_message ("%u photos: worst cosine at full size %.7f, reduced (%u) %.5f", n, worst_full,
                  n_reduced, worst_reduced);
  g_assert_cmpuint (n, ==, N_PHOTOS);
  g_assert_cmpuint (n_reduced, >=, 3);
  g_assert_cmpfloat (worst_full, >=, 0.99999);
  g_assert_cmpfloat (worst_reduced, >=, 0.995);
  engine_close (&e);
}

/* A text query's list against the brute force: every photo's score is
 * its cosine to the engine's text vector, its probability the sigmoid;
 * the list is best first and the accepted ones a prefix reaching the
 * SigLIP floor of 0.01. */
static void
check_search (CsLibrary  *library,
              Engine     *e,
              GHashTable *vectors,
              const char *text)
{
  g_autoptr(CsQuery) q = cs_query_new (text);
  g_autoptr(CsPhotoList) list = NULL;
  g_autofree float *t = engine_text (e, text);
  g_autoptr(GError) error = NULL;
  guint n_acc = 0;

  cs_query_set_limit (q, 0);
  cs_query_set_strictness (q, -1);  /* every photo, ranked */
  list = cs_library_search (library, q, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cs_photo_list_get_n_items (list), ==, g_hash_table_size (vectors));
  for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
    {
      CsPhoto *p = cs_photo_list_get_photo (list, i);
      gint64 id = cs_photo_get_id (p);
      const float *v = g_hash_table_lookup (vectors, &id);
      double c = dot (t, v, e->dim);

      g_assert_cmpfloat_with_epsilon (cs_photo_get_score (p), c, 2e-5);
      g_assert_cmpfloat_with_epsilon (cs_photo_get_probability (p), sigmoid_p (e, c), 2e-5);
      if (i > 0)
        g_assert_cmpfloat (cs_photo_get_score (p), <=,
                           cs_photo_get_score (cs_photo_list_get_photo (list, i - 1)));
    }

  /* at the adaptive cutoff: the accepted ones reach the floor */
  g_clear_object (&list);
  cs_query_set_strictness (q, 0);
  list = cs_library_search (library, q, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
    {
      CsPhoto *p = cs_photo_list_get_photo (list, i);

      if (cs_photo_get_accepted (p))
        {
          g_assert_cmpuint (i, ==, n_acc);
          g_assert_cmpfloat (cs_photo_get_probability (p), >=, 0.01);
          n_acc++;
        }
    }
  g_assert_cmpuint (n_acc, ==, cs_photo_list_get_n_accepted (list));

  /* and it holds every photo from the top that reaches both the cutoff
   * and the floor, by the brute force's cosines (a floor above 0.01
   * would leave some out) */
  {
    guint want = 0;

    for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
      {
        gint64 id = cs_photo_get_id (cs_photo_list_get_photo (list, i));
        double c = dot (t, g_hash_table_lookup (vectors, &id), e->dim);

        /* clear of both edges by more than the float scores' error */
        if (c < cs_photo_list_get_cutoff (list) + 2e-5 || sigmoid_p (e, c) < 0.0101)
          break;
        want++;
      }
    g_test_message ("%s: %u accepted", text, n_acc);
    g_assert_cmpuint (n_acc, >=, want);
  }
}

/* A label's members against the brute force: the label's vector is the
 * normalised mean of its prompts' vectors; a photo is a member when
 * sigmoid (scale cos + bias) >= the threshold (and the candidates' floor),
 * with that probability; but photo `yes` is (confirmed), `no` is not
 * (rejected). */
static void
check_label (CsLibrary  *library,
             Engine     *e,
             GHashTable *vectors,
             CsLabel    *label,
             const char *const *texts,
             gint64      yes,
             gint64      no,
             guint      *n_members)
{
  g_autofree float *lv = g_new0 (float, e->dim);
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (library, label);
  g_autoptr(GHashTable) in = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  double threshold = MAX (cs_label_get_threshold (label), CS_LABELS_SIGLIP_CANDIDATE_FLOOR);
  GHashTableIter it;
  gpointer key, value;
  guint expected = 0;

  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree float *t = engine_text (e, texts[i]);

      for (int d = 0; d < e->dim; d++)
        lv[d] += t[d];
    }
  clip_normalize (lv, e->dim);
  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    {
      CsPhoto *p = cs_photo_list_get_photo (members, i);
      gint64 id = cs_photo_get_id (p);

      g_hash_table_add (in, g_memdup2 (&id, sizeof id));
    }
  g_hash_table_iter_init (&it, vectors);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      double prob = sigmoid_p (e, dot (lv, value, e->dim));

      gint64 id = *(gint64 *) key;
      gboolean member = id == yes || (id != no && prob >= threshold);

      if (id != yes && id != no && fabs (prob - threshold) < 1e-5)
        continue;  /* too close to call in float32 */
      if (member)
        expected++;
      g_assert_cmpint (member, ==, g_hash_table_contains (in, key));
    }
  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    {
      CsPhoto *p = cs_photo_list_get_photo (members, i);
      gint64 id = cs_photo_get_id (p);

      if (cs_photo_get_verdict (p) != 0)
        continue;
      g_assert_cmpfloat_with_epsilon (cs_photo_get_probability (p),
                                      sigmoid_p (e, dot (lv, g_hash_table_lookup (vectors, &id), e->dim)),
                                      2e-5);
    }
  *n_members = expected;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

typedef struct {
  CsPhotoList *above;
  CsPhotoList *below;
  gboolean     done;
} Boundary;

static void
on_boundary_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Boundary *b = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_list_label_boundary_finish (CS_LIBRARY (source), result, &b->above, &b->below,
                                                        &error));
  g_assert_no_error (error);
  b->done = TRUE;
}

/* The threshold preview at `threshold` against the brute force: the `n`
 * least probable members (p >= threshold), the `n` most probable others
 * (the candidates' floor <= p < threshold), each most probable first,
 * with their sigmoid probabilities. */
static void
check_boundary (CsLibrary  *library,
                Engine     *e,
                GHashTable *vectors,
                CsLabel    *label,
                const char *const *texts,
                double      threshold,
                guint       n)
{
  g_autofree float *lv = g_new0 (float, e->dim);
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (double));
  Boundary b = { 0 };
  GHashTableIter it;
  gpointer value;

  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree float *t = engine_text (e, texts[i]);

      for (int d = 0; d < e->dim; d++)
        lv[d] += t[d];
    }
  clip_normalize (lv, e->dim);
  g_hash_table_iter_init (&it, vectors);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      double p = sigmoid_p (e, dot (lv, value, e->dim));

      if (p >= threshold)
        g_array_append_val (in, p);
      else if (p >= CS_LABELS_SIGLIP_CANDIDATE_FLOOR)
        g_array_append_val (out, p);
    }
  g_array_sort (in, compare_doubles);   /* ascending */
  g_array_sort (out, compare_doubles);

  cs_library_list_label_boundary_async (library, label, threshold, n, NULL, on_boundary_cb, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (cs_photo_list_get_n_items (b.above), ==, MIN (n, in->len));
  g_assert_cmpuint (cs_photo_list_get_n_items (b.below), ==, MIN (n, out->len));
  for (guint i = 0; i < cs_photo_list_get_n_items (b.above); i++)
    {
      /* most probable first: the i-th is the (k - 1 - i)-th least probable */
      guint k = cs_photo_list_get_n_items (b.above);

      g_assert_cmpfloat_with_epsilon (cs_photo_get_probability (cs_photo_list_get_photo (b.above, i)),
                                      g_array_index (in, double, k - 1 - i), 2e-5);
    }
  for (guint i = 0; i < cs_photo_list_get_n_items (b.below); i++)
    g_assert_cmpfloat_with_epsilon (cs_photo_get_probability (cs_photo_list_get_photo (b.below, i)),
                                    g_array_index (out, double, out->len - 1 - i), 2e-5);
  g_clear_object (&b.above);
  g_clear_object (&b.below);
}

static const char *const default_prompts_circle[] = {
  "a photo of a circle.", "a photo of the circle.", "a picture of a circle.", "an image of a circle.", NULL,
};

/* The probabilities of `texts`' label over the photos, sorted: to put a
 * threshold between two of them. */
static double
middle_threshold (Engine     *e,
                  GHashTable *vectors,
                  const char *const *texts)
{
  g_autofree float *lv = g_new0 (float, e->dim);
  g_autoptr(GArray) ps = g_array_new (FALSE, FALSE, sizeof (double));
  GHashTableIter it;
  gpointer value;
  guint m;

  for (guint i = 0; texts[i] != NULL; i++)
    {
      g_autofree float *t = engine_text (e, texts[i]);

      for (int d = 0; d < e->dim; d++)
        lv[d] += t[d];
    }
  clip_normalize (lv, e->dim);
  g_hash_table_iter_init (&it, vectors);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      double p = sigmoid_p (e, dot (lv, value, e->dim));

      g_array_append_val (ps, p);
    }
  g_array_sort (ps, compare_doubles);
  m = ps->len / 3;
  return (g_array_index (ps, double, m) + g_array_index (ps, double, m + 1)) / 2;
}

/* Near-duplicates of the first `n` photos: each shrunk to 70 % and saved
 * as a JPEG of quality 70 next to them. */
static void
add_near_duplicates (Fixture *fx,
                     guint    n)
{
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%04u.png", i);
      g_autofree char *alt = g_strdup_printf ("photo-%04u.jpg", i);
      g_autofree char *path = g_build_filename (fx->photos, name, NULL);
      g_autofree char *copy = g_strdup_printf ("%s/copy-%04u.jpg", fx->photos, i);
      g_autoptr(GdkPixbuf) pb = NULL;
      g_autoptr(GdkPixbuf) small = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_free (path);
          path = g_build_filename (fx->photos, alt, NULL);
        }
      pb = gdk_pixbuf_new_from_file (path, &error);
      g_assert_no_error (error);
      small = gdk_pixbuf_scale_simple (pb, MAX (8, gdk_pixbuf_get_width (pb) * 7 / 10),
                                       MAX (8, gdk_pixbuf_get_height (pb) * 7 / 10), GDK_INTERP_BILINEAR);
      g_assert_true (gdk_pixbuf_save (small, copy, "jpeg", &error, "quality", "70", NULL));
      g_assert_no_error (error);
    }
}

static void
test_scores (Fixture       *fx,
             gconstpointer  data)
{
  const char *model = data;
  g_autoptr(CsIndexSummary) summary = (add_near_duplicates (fx, 12), index_with (fx, model));
  g_autoptr(CsLibrary) library = load (fx, NULL);
  g_autoptr(GHashTable) vectors = NULL;
  g_autoptr(CsLabel) fresh = NULL;
  g_autoptr(GError) error = NULL;
  Engine e;
  guint n = 0;
  double t;

  engine_open (&e, model);
  vectors = stored_vectors (fx, e.dim);
  g_assert_true (cs_library_get_sigmoid_scores (library));
  g_assert_false (cs_library_get_model_pending (library));
  g_assert_cmpfloat (cs_library_get_default_label_threshold (library), ==, CS_LIBRARY_SIGLIP_LABEL_THRESHOLD);
  g_assert_cmpfloat (cs_library_get_default_duplicate_threshold (library), ==,
                     CS_LIBRARY_SIGLIP_DUPLICATE_THRESHOLD);

  /* English, German with ß, Greek: SentencePiece tokenizes them all */
  check_search (library, &e, vectors, "a red circle");
  check_search (library, &e, vectors, "ein großer grüner Stern");
  check_search (library, &e, vectors, "ένα μπλε τετράγωνο");

  /* a label at the family's default threshold, then one between two
   * photos' probabilities (so both sides are populated) */
  fresh = cs_library_add_label (library, "circle", NULL, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_label_get_threshold (fresh), ==, CS_LIBRARY_SIGLIP_LABEL_THRESHOLD);
  check_label (library, &e, vectors, fresh, default_prompts_circle, 0, 0, &n);
  g_assert_cmpuint (cs_label_get_count (fresh), ==, n);

  /* near-duplicates at the family's default: every pair of a group at
   * cosine >= 0.99 by the brute force */
  {
    g_autoptr(GListModel) groups = cs_library_find_duplicates (library, 0, NULL, &error);
    guint n_pairs = 0;

    g_assert_no_error (error);
    for (guint g = 0; g < g_list_model_get_n_items (groups); g++)
      {
        g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, g);
        GListModel *photos = cs_duplicate_group_get_photos (group);

        for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
          for (guint j = i + 1; j < g_list_model_get_n_items (photos); j++)
            {
              g_autoptr(CsPhoto) a = g_list_model_get_item (photos, i);
              g_autoptr(CsPhoto) b = g_list_model_get_item (photos, j);
              gint64 ia = cs_photo_get_id (a), ib = cs_photo_get_id (b);

              g_assert_cmpfloat (dot (g_hash_table_lookup (vectors, &ia), g_hash_table_lookup (vectors, &ib),
                                      e.dim), >=, CS_LIBRARY_SIGLIP_DUPLICATE_THRESHOLD - 1e-6);
              n_pairs++;
            }
      }
    g_test_message ("%u near-duplicate groups, %u pairs", g_list_model_get_n_items (groups), n_pairs);
    g_assert_cmpuint (n_pairs, >, 0);
  }

  t = middle_threshold (&e, vectors, default_prompts_circle);
  g_assert_true (cs_library_edit_label (library, fresh, NULL, NULL, t, NULL, &error));
  g_assert_no_error (error);
  check_label (library, &e, vectors, fresh, default_prompts_circle, 0, 0, &n);
  g_test_message ("threshold %.4f: %u members of %u", t, n, g_hash_table_size (vectors));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, g_hash_table_size (vectors));
  g_assert_cmpuint (cs_label_get_count (fresh), ==, n);
  /* the threshold preview, at a threshold not applied */
  check_boundary (library, &e, vectors, fresh, default_prompts_circle, t * 1.5, 5);
  engine_close (&e);
}

/* --------------------------------------------------------- model change */

/* Cancels the run at its `cancel_after`th fresh embedding (in the
 * commit of a batch: the batches before it are stored). */
static GCancellable *run_cancellable;
static guint n_embedded, cancel_after;

static void
cancel_hook (const char *path,
             float      *vector,
             int         dim)
{
  if (++n_embedded == cancel_after)
    g_cancellable_cancel (run_cancellable);
}

/* The ids and scores of a text query's whole ranking. */
static GArray *
ranking (CsLibrary  *library,
         const char *text)
{
  g_autoptr(CsQuery) q = cs_query_new (text);
  g_autoptr(CsPhotoList) list = NULL;
  g_autoptr(GError) error = NULL;
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));

  cs_query_set_limit (q, 0);
  cs_query_set_strictness (q, -1);
  list = cs_library_search (library, q, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < cs_photo_list_get_n_items (list); i++)
    {
      CsPhoto *p = cs_photo_list_get_photo (list, i);
      double pair[2] = { (double) cs_photo_get_id (p), cs_photo_get_score (p) };

      g_array_append_vals (out, pair, 2);
    }
  return out;
}

static void
assert_same_ranking (GArray *a,
                     GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i += 2)
    {
      g_assert_cmpfloat (g_array_index (a, double, i), ==, g_array_index (b, double, i));
      g_assert_cmpfloat_with_epsilon (g_array_index (a, double, i + 1), g_array_index (b, double, i + 1), 1e-6);
    }
}

static gint64
photo_id (Fixture    *fx,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = cs_store_open (fx->db, &error);
  g_autofree char *path = g_build_filename (fx->photos, name, NULL);
  CsStorePhoto *photo = cs_store_lookup_photo (store, path, &error);
  gint64 id;

  g_assert_nonnull (photo);
  id = photo->id;
  cs_store_photo_free (photo);
  return id;
}

/* The label "circle" has photo `yes` confirmed and `no` rejected, by the
 * user's word, whatever the model. */
static void
assert_judgements (CsLibrary *library,
                   gint64     yes,
                   gint64     no)
{
  CsLabel *label = cs_library_lookup_label (library, "circle");
  g_autoptr(CsPhotoList) members = NULL;
  gboolean has_yes = FALSE, has_no = FALSE;

  g_assert_nonnull (label);
  g_assert_cmpuint (cs_label_get_n_confirmed (label), ==, 1);
  g_assert_cmpuint (cs_label_get_n_rejected (label), ==, 1);
  members = cs_library_list_label_members (library, label);
  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    {
      gint64 id = cs_photo_get_id (cs_photo_list_get_photo (members, i));

      has_yes |= id == yes;
      has_no |= id == no;
    }
  g_assert_true (has_yes);
  g_assert_false (has_no);
}

static void
test_switch (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(CsIndexSummary) s1 = index_with (fx, toy_model);
  g_autoptr(CsIndexSummary) s2 = NULL;
  g_autoptr(CsIndexSummary) s3 = NULL;
  g_autoptr(CsIndexSummary) s4 = NULL;
  g_autoptr(CsLibrary) library = load (fx, toy_model);
  g_autoptr(CsLabel) label = NULL;
  g_autoptr(GArray) clip_before = NULL;
  g_autoptr(GArray) during = NULL;
  g_autoptr(GArray) clip_after = NULL;
  g_autoptr(GHashTable) vectors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *canon_siglip = g_canonicalize_filename (siglip2_dir, NULL);
  g_autofree char *canon_toy = g_canonicalize_filename (toy_model, NULL);
  gint64 yes = photo_id (fx, "photo-0001.png"), no = photo_id (fx, "photo-0002.png");
  guint64 done = 0, total = 0;
  Engine e;
  guint n;

  /* CLIP: a label (threshold 0: every candidate) and two judgements */
  label = cs_library_add_label (library, "circle", NULL, 0.0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cs_library_set_verdict (library, label, &yes, 1, CS_VERDICT_CONFIRM, NULL, &error));
  g_assert_true (cs_library_set_verdict (library, label, &no, 1, CS_VERDICT_REJECT, NULL, &error));
  g_assert_no_error (error);
  assert_judgements (library, yes, no);
  clip_before = ranking (library, "a red circle");
  g_assert_false (cs_library_get_sigmoid_scores (library));

  /* the app names the new model; the indexer's run stops part way (the
   * app quit, say): the change is incomplete */
  cs_library_set_model_dir (library, siglip2_dir);
  {
    g_autoptr(CsIndexer) indexer = cs_indexer_new (fx->db, siglip2_dir);

    run_cancellable = g_cancellable_new ();
    n_embedded = 0;
    cancel_after = 12;
    cs_indexer_set_embedding_hook_for_testing (cancel_hook);
    cs_indexer_add_folder (indexer, fx->photos);
    s2 = cs_indexer_rescan (indexer, run_cancellable, &error);
    cs_indexer_set_embedding_hook_for_testing (NULL);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&run_cancellable);
  }

  /* a refresh and a load both keep answering from CLIP meanwhile */
  refresh (library);
  g_assert_true (cs_library_get_has_model (library));
  g_assert_cmpstr (cs_library_get_building_model_dir (library, &done, &total), ==, canon_siglip);
  g_test_message ("after the cancelled run: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, done, total);
  g_assert_cmpuint (done, >=, 8);  /* the first batch */
  g_assert_cmpuint (done, <, N_PHOTOS);
  g_assert_cmpuint (total, ==, N_PHOTOS);
  {
    g_autoptr(CsLibrary) fresh = load (fx, siglip2_dir);

    g_assert_true (cs_library_get_has_model (fresh));
    g_assert_true (cs_library_get_model_pending (fresh));
    g_assert_cmpstr (cs_library_get_answering_model_dir (fresh), ==, canon_toy);
    g_assert_false (cs_library_get_sigmoid_scores (fresh));
    during = ranking (fresh, "a red circle");
    assert_same_ranking (clip_before, during);
    assert_judgements (fresh, yes, no);
    g_assert_cmpuint (cs_library_get_n_photos (fresh), ==, N_PHOTOS);
  }
  g_clear_pointer (&during, g_array_unref);
  during = ranking (library, "a red circle");
  assert_same_ranking (clip_before, during);

  /* the next run completes it: SigLIP answers, with the judgements */
  s3 = index_with (fx, siglip2_dir);
  g_assert_cmpuint (s3->failed, ==, 0);
  g_assert_cmpuint (s3->reembedded, ==, N_PHOTOS - done);
  refresh (library);
  g_assert_false (cs_library_get_model_pending (library));
  g_assert_true (cs_library_get_sigmoid_scores (library));
  g_assert_cmpstr (cs_library_get_answering_model_dir (library), ==, siglip2_dir);
  g_assert_null (cs_library_get_building_model_dir (library, NULL, NULL));
  engine_open (&e, siglip2_dir);
  vectors = stored_vectors (fx, e.dim);
  check_search (library, &e, vectors, "a red circle");
  assert_judgements (library, yes, no);
  {
    CsLabel *l = cs_library_lookup_label (library, "circle");
    g_autoptr(CsLabel) again = g_object_ref (l);

    /* threshold 0 still: every photo the rule keeps (p >= the 0.01
     * candidate floor), the judgements exact */
    check_label (library, &e, vectors, again, default_prompts_circle, yes, no, &n);
    g_assert_cmpuint (cs_label_get_count (again), ==, n);
  }
  engine_close (&e);

  /* and back to CLIP: the same ranking as before the round trip */
  cs_library_set_model_dir (library, toy_model);
  s4 = index_with (fx, toy_model);
  g_assert_cmpuint (s4->failed, ==, 0);
  refresh (library);
  g_assert_false (cs_library_get_model_pending (library));
  g_assert_false (cs_library_get_sigmoid_scores (library));
  clip_after = ranking (library, "a red circle");
  assert_same_ranking (clip_before, clip_after);
  assert_judgements (library, yes, no);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *raw = NULL;

  /* float32: the vectors compare with the engine's to float rounding */
  g_setenv ("CLIPSIGHT_PRECISION", "f32", TRUE);
  g_test_init (&argc, &argv, NULL);
  toy_model = test_shared_path_or_skip ("models/toy-clip");
  raw = test_shared_path_or_skip ("testdata/toy-photos");
  toy_photos = g_canonicalize_filename (raw, NULL);
  siglip2_dir = g_test_build_filename (G_TEST_DIST, "data", "siglip", "siglip2", NULL);
  siglip1_dir = g_test_build_filename (G_TEST_DIST, "data", "siglip", "siglip", NULL);

  g_test_add ("/library/siglip/vectors/siglip2", Fixture, siglip2_dir, fixture_setup, test_vectors, fixture_teardown);
  g_test_add ("/library/siglip/vectors/siglip", Fixture, siglip1_dir, fixture_setup, test_vectors, fixture_teardown);
  g_test_add ("/library/siglip/scores/siglip2", Fixture, siglip2_dir, fixture_setup, test_scores, fixture_teardown);
  g_test_add ("/library/siglip/scores/siglip", Fixture, siglip1_dir, fixture_setup, test_scores, fixture_teardown);
  g_test_add ("/library/siglip/switch", Fixture, NULL, fixture_setup, test_switch, fixture_teardown);
  return g_test_run ();
}
