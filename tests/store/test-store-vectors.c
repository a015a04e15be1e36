/* test-store-vectors.c - the store's models and vectors: round trips,
 * readers, text vectors, non-finite vectors.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "store-test-fixture.h"

/* Tests: vectors and models */

typedef struct {
  GArray *ids;
  int     bad;
} VectorWalk;

static gboolean
check_vector_cb (gint64       photo_id,
                 const float *vector,
                 int          dim,
                 gpointer     user_data)
{
  VectorWalk *walk = user_data;
  float expected[DIM];

  fill_vector (expected, (guint32) photo_id, 0, 0);
  if (dim != DIM || memcmp (vector, expected, sizeof expected) != 0)
    walk->bad++;
  g_array_append_val (walk->ids, photo_id);
  return TRUE;
}

static void
test_vectors (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 model = ensure_model (fixture->store);
  gint64 ids[5];
  float special[DIM];
  g_autofree float *back = NULL;
  g_autofree float *matrix = NULL;
  g_autofree gint64 *matrix_ids = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  VectorWalk walk = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  gsize n_rows = 0;
  int dim = 0;

  /* Values whose bits must survive: signed zero, subnormals, extremes
   * (NaN and infinity are refused, below). */
  static const guint32 bits[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000,
    0x3effffff, 0x7f7ffffe, 0xff7fffff, 0x7f7fffff, 0x3f800000, 0xbeaaaaab,
  };
  static const guint32 non_finite[] = { 0x7fc00000, 0x7fa5a5a5, 0xffc12345, 0x7f800000, 0xff800000 };
  for (int i = 0; i < DIM; i++)
    {
      guint32 b = bits[i % G_N_ELEMENTS (bits)] ^ (i >= (int) G_N_ELEMENTS (bits) ? (guint32) i << 3 : 0);

      memcpy (&special[i], &b, sizeof b);
    }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/v/%u.jpg", i);

      ids[i] = add_photo (fixture->store, path, NULL);
    }
  g_assert_false (cs_store_has_vector (fixture->store, ids[0], model, &error));
  g_assert_no_error (error);
  g_assert_null (cs_store_dup_vector (fixture->store, ids[0], model, &dim, &error));
  g_assert_no_error (error);

  g_assert_true (cs_store_put_vector (fixture->store, ids[0], model, special, DIM, &error));
  g_assert_no_error (error);
  back = cs_store_dup_vector (fixture->store, ids[0], model, &dim, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dim, ==, DIM);
  g_assert_cmpmem (back, dim * sizeof (float), special, sizeof special);

  /* Putting again replaces. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      float v[DIM];

      fill_vector (v, (guint32) ids[i], 0, 0);
      g_assert_true (cs_store_put_vector (fixture->store, ids[i], model, v, DIM, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, G_N_ELEMENTS (ids));

  g_assert_true (cs_store_foreach_vector (fixture->store, model, check_vector_cb, &walk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (walk.bad, ==, 0);
  g_assert_cmpuint (walk.ids->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_assert_cmpint (g_array_index (walk.ids, gint64, i), ==, ids[i]);
  g_array_unref (walk.ids);

  g_assert_true (cs_store_load_vectors (fixture->store, model, &matrix, &matrix_ids,
                                        &n_rows, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, G_N_ELEMENTS (ids));
  g_assert_cmpint (dim, ==, DIM);
  for (gsize r = 0; r < n_rows; r++)
    {
      float v[DIM];

      g_assert_cmpint (matrix_ids[r], ==, ids[r]);
      fill_vector (v, (guint32) ids[r], 0, 0);
      g_assert_cmpmem (matrix + r * DIM, DIM * sizeof (float), v, sizeof v);
    }
  g_assert_false (cs_store_in_transaction (fixture->store));

  /* The wrong dimension, an unknown model, an unknown photo. */
  g_assert_false (cs_store_put_vector (fixture->store, ids[0], model, special, DIM - 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_store_put_vector (fixture->store, ids[0], model + 100, special, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  /* A NaN or an infinity anywhere: refused, and the stored vector stays. */
  for (guint k = 0; k < G_N_ELEMENTS (non_finite); k++)
    {
      float v[DIM];
      g_autofree float *kept = NULL;
      int at = (int) (k * 7) % DIM;

      fill_vector (v, (guint32) ids[1], 0, 0);
      memcpy (&v[at], &non_finite[k], sizeof (float));
      g_assert_false (cs_store_put_vector (fixture->store, ids[1], model, v, DIM, &error));
      g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "not finite"));
      g_clear_error (&error);
      fill_vector (v, (guint32) ids[1], 0, 0);
      kept = cs_store_dup_vector (fixture->store, ids[1], model, &dim, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (kept, dim * sizeof (float), v, sizeof v);
    }
  g_assert_cmpint (cs_store_count_vectors (fixture->store, model, &error), ==, G_N_ELEMENTS (ids));
  g_assert_false (cs_store_put_vector (fixture->store, 987654, model, special, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "cannot store the vector of photo 987654"));
  g_test_message ("refused: %s", error->message);
  g_clear_error (&error);

  /* A photo without a vector is listed for embedding. */
  add_photo (fixture->store, "/v/new.jpg", NULL);
  missing = cs_store_list_photos_missing_vector (fixture->store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_cmpstr (((CsStorePhoto *) missing->pdata[0])->path, ==, "/v/new.jpg");
  assert_integrity (fixture->store);
}

static void
test_models (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 again = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:other", "other", 768, "f16", &error);
  gint64 photo = add_photo (fixture->store, "/m/p.jpg", NULL);
  int dim = 0;

  g_assert_no_error (error);
  g_assert_cmpint (a, ==, again);
  g_assert_cmpint (b, >, 0);
  g_assert_cmpint (b, !=, a);
  g_assert_cmpint (cs_store_lookup_model (fixture->store, "sha256:other", &dim, &error), ==, b);
  g_assert_cmpint (dim, ==, 768);
  g_assert_cmpint (cs_store_lookup_model (fixture->store, "sha256:none", NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* One id, one shape. */
  g_assert_cmpint (cs_store_ensure_model (fixture->store, "sha256:other", "other", 512, "f16", &error),
                   ==, -1);
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Vectors of one model are not another's. */
  put_vector (fixture->store, photo, a, 1);
  g_assert_false (cs_store_has_vector (fixture->store, photo, b, &error));
  g_assert_cmpint (cs_store_count_vectors (fixture->store, b, &error), ==, 0);
  missing = cs_store_list_photos_missing_vector (fixture->store, b, &error);
  g_assert_cmpuint (missing->len, ==, 1);

  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_count_vectors (fixture->store, a, &error), ==, 0);
  g_assert_cmpint (cs_store_count_photos (fixture->store, &error), ==, 1);
  assert_integrity (fixture->store);
}

/* Replaces the vector of `photo_id`, with raw SQL past the store's checks,
 * by `n_bytes` bytes of `bytes`, or by a text when `bytes` is NULL: what
 * damage, an older version or another program can leave behind. */
static void
damage_vector (const char *path,
               gint64      photo_id,
               const void *bytes,
               int         n_bytes)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE vectors SET vector = ?1 WHERE photo_id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (bytes != NULL)
    sqlite3_bind_blob (stmt, 1, bytes, n_bytes, SQLITE_TRANSIENT);
  else
    sqlite3_bind_text (stmt, 1, "not a vector", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, photo_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Writes `value` into component 7 of the vector of `photo_id` with raw
 * SQL, past the store's check, as a version before it (or another
 * program) could have; `version` > 0 also sets the schema version. */
static void
poison_vector (const char *path,
               gint64      photo_id,
               float       value,
               int         version)
{
  float v[DIM];

  fill_vector (v, (guint32) photo_id, 1, 2);
  v[7] = value;
  damage_vector (path, photo_id, v, sizeof v);
  if (version > 0)
    {
      sqlite3 *db = NULL;
      g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version);

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
    }
}

static gboolean
collect_vector_id_cb (gint64       photo_id,
                      const float *vector,
                      int          dim,
                      gpointer     user_data)
{
  for (int i = 0; i < dim; i++)
    g_assert_true (isfinite (vector[i]));
  g_array_append_val (user_data, photo_id);
  return TRUE;
}

static gboolean
collect_indexed_id_cb (const CsStorePhoto *photo,
                       const float        *vector,
                       int                 dim,
                       gpointer            user_data)
{
  return collect_vector_id_cb (photo->id, vector, dim, user_data);
}

/* The ids every reader of the vectors gives, checked equal to each other
 * and finite; with the count of rows in the table. */
static GArray *
readable_vector_ids (CsStore *store,
                     gint64   model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) walked = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *indexed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree float *matrix = NULL;
  g_autofree gint64 *ids = NULL;
  gsize n_rows = 0;
  int dim = 0;

  g_assert_true (cs_store_foreach_vector (store, model, collect_vector_id_cb, walked, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_foreach_indexed_photo (store, model, 0, collect_indexed_id_cb, indexed,
                                                 NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_load_vectors (store, model, &matrix, &ids, &n_rows, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, walked->len);
  g_assert_cmpuint (indexed->len, ==, walked->len);
  for (gsize i = 0; i < n_rows; i++)
    {
      g_assert_cmpint (ids[i], ==, g_array_index (walked, gint64, i));
      g_assert_cmpint (g_array_index (indexed, gint64, i), ==, ids[i]);
      for (int j = 0; j < dim; j++)
        g_assert_true (isfinite (matrix[i * dim + j]));
    }
  return indexed;
}

/* The index run's call on a store whose unusable vectors are those of
 * `gone` (n_gone photos, in id order): it deletes exactly them, once,
 * their photos are then missing a vector, and `n_left` vectors stay. */
static void
assert_unusable_deleted (CsStore      *store,
                         gint64        model,
                         const gint64 *gone,
                         guint         n_gone,
                         gint64        n_left)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) missing = NULL;

  g_assert_cmpint (cs_store_delete_unusable_vectors (store, model, &error), ==, n_gone);
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_delete_unusable_vectors (store, model, &error), ==, 0);
  missing = cs_store_list_photos_missing_vector (store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, n_gone);
  for (guint i = 0; i < n_gone; i++)
    g_assert_cmpint (((CsStorePhoto *) missing->pdata[i])->id, ==, gone[i]);
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, n_left);
  assert_integrity (store);
}

/* Vectors with a NaN or an infinity written past the store (an older
 * version, another program): a database of an older schema loses them
 * on open; in a current one every reader leaves them out until
 * cs_store_delete_unusable_vectors deletes them, and their photos are
 * then missing a vector (so the indexer embeds them again). */
static void
test_non_finite_vectors (StoreFixture  *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = open_store (fixture->path);
  gint64 model = ensure_model (store);
  gint64 a = add_photo (store, "/n/a.jpg", "aaaa");
  gint64 b = add_photo (store, "/n/b.jpg", "bbbb");
  gint64 c = add_photo (store, "/n/c.jpg", "cccc");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  float *v;
  int dim = -1;

  put_vector (store, a, model, 1);
  put_vector (store, b, model, 2);
  put_vector (store, c, model, 3);
  g_clear_object (&store);

  /* schema 3 (and before): gone on open */
  poison_vector (fixture->path, b, NAN, 3);
  poison_vector (fixture->path, c, INFINITY, 0);
  store = open_store (fixture->path);
  g_assert_cmpint (cs_store_get_schema_version (store, &error), ==, cs_store_schema_version_latest ());
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_false (cs_store_has_vector (store, b, model, &error));
  g_assert_false (cs_store_has_vector (store, c, model, &error));
  g_assert_true (cs_store_has_vector (store, a, model, &error));
  g_assert_no_error (error);
  missing = cs_store_list_photos_missing_vector (store, model, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 2);
  g_assert_cmpint (((CsStorePhoto *) missing->pdata[0])->id, ==, b);
  g_assert_cmpint (((CsStorePhoto *) missing->pdata[1])->id, ==, c);
  g_clear_pointer (&missing, g_ptr_array_unref);
  put_vector (store, b, model, 2);
  put_vector (store, c, model, 3);
  assert_integrity (store);
  g_clear_object (&store);

  /* the current schema: never read, deleted by the index run's call */
  poison_vector (fixture->path, b, -INFINITY, 0);
  store = open_store (fixture->path);
  v = cs_store_dup_vector (store, b, model, &dim, &error);
  g_assert_no_error (error);
  g_assert_null (v);
  v = cs_store_dup_vector (store, a, model, &dim, &error);
  g_assert_nonnull (v);
  g_free (v);
  ids = readable_vector_ids (store, model);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, a);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, c);
  assert_unusable_deleted (store, model, (gint64[]) { b }, 1, 2);
}

static void
test_model_rows (StoreFixture  *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:b", "b", 32, "f32", &error);
  g_autoptr(GArray) rows = NULL;

  g_assert_no_error (error);
  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  a = ensure_model (fixture->store);
  rows = cs_store_list_model_rows (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (g_array_index (rows, gint64, 0), ==, b);
  g_assert_cmpint (g_array_index (rows, gint64, 1), ==, a);
}

/* The label prompts' vectors: a stored one comes back bit for bit, per
 * model and per exact text; a non-finite or wrong-sized one is refused;
 * they go with their model. */
static void
test_text_vectors (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 a = ensure_model (fixture->store);
  gint64 b = cs_store_ensure_model (fixture->store, "sha256:b", "b", DIM, "f32", &error);
  const char *texts[] = { "a photo of a star", "a photo of a ring", "a photo of a star " };
  float v[DIM], w[DIM], out[3 * DIM];
  gboolean found[3];

  g_assert_no_error (error);
  for (int i = 0; i < DIM; i++)
    {
      v[i] = (float) ((i * 37) % 101) / 101.0f - 0.5f;
      w[i] = (float) ((i * 53) % 89) / 89.0f - 0.5f;
    }
  g_assert_true (cs_store_put_text_vector (fixture->store, a, texts[0], v, DIM, &error));
  g_assert_no_error (error);
  g_assert_true (cs_store_put_text_vector (fixture->store, b, texts[0], w, DIM, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 3, DIM, out, found, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (found[0]);
  g_assert_false (found[1]);
  g_assert_false (found[2]);  /* another text, however close */
  g_assert_cmpmem (out, sizeof v, v, sizeof v);
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, b, texts, 1, DIM, out, found, &error), ==, 1);
  g_assert_cmpmem (out, sizeof w, w, sizeof w);

  /* replaced, not duplicated */
  g_assert_true (cs_store_put_text_vector (fixture->store, a, texts[0], w, DIM, &error));
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM, out, found, &error), ==, 1);
  g_assert_cmpmem (out, sizeof w, w, sizeof w);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 1);

  /* refused: non-finite, another size (nothing stored) */
  v[7] = NAN;
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], v, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  v[7] = INFINITY;
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], v, DIM, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cs_store_put_text_vector (fixture->store, a, texts[1], w, DIM - 1, &error));
  g_assert_error (error, CS_STORE_ERROR, CS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 1);
  /* asked for another size: as if absent */
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM / 2, out, found, &error), ==, 0);
  g_assert_false (found[0]);

  /* the model goes, its text vectors with it; the other's stay */
  g_assert_true (cs_store_delete_model (fixture->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, a, &error), ==, 0);
  g_assert_cmpint (cs_store_count_text_vectors (fixture->store, b, &error), ==, 1);
  a = ensure_model (fixture->store);
  g_assert_cmpuint (cs_store_get_text_vectors (fixture->store, a, texts, 1, DIM, out, found, &error), ==, 0);
  g_assert_no_error (error);
}

/* Vectors of another size or type (a damaged row, another program): one
 * of them made every load of the library fail ("the vector of photo 1 is
 * damaged (255 bytes)") and an index run did not mend it.  Every reader
 * now leaves them out and the index run's call deletes them, as it does
 * non-finite ones; the good vectors around them are read as they were. */
static void
test_damaged_vectors (StoreFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = open_store (fixture->path);
  gint64 model = ensure_model (store);
  const char *names[] = { "/d/0.jpg", "/d/1.jpg", "/d/2.jpg", "/d/3.jpg", "/d/4.jpg", "/d/5.jpg", "/d/6.jpg" };
  gint64 ids[G_N_ELEMENTS (names)];
  g_autofree float *longer = g_new0 (float, DIM + 1);
  g_autoptr(GArray) readable = NULL;
  guint8 odd[255];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *hash = g_strdup_printf ("hash%u", i);
      ids[i] = add_photo (store, names[i], hash);
      put_vector (store, ids[i], model, i + 1);
    }
  g_clear_object (&store);

  memset (odd, 0x3f, sizeof odd);
  damage_vector (fixture->path, ids[1], odd, sizeof odd);                   /* no whole number of floats */
  damage_vector (fixture->path, ids[2], longer, (DIM - 1) * sizeof (float)); /* one float short */
  damage_vector (fixture->path, ids[4], longer, (DIM + 1) * sizeof (float)); /* one float too many */
  damage_vector (fixture->path, ids[5], NULL, 0);                            /* not a blob */
  damage_vector (fixture->path, ids[6], odd, 0);                             /* empty */

  store = open_store (fixture->path);
  g_assert_cmpint (cs_store_count_vectors (store, model, &error), ==, 7);
  /* the good ones, bit for bit; the damaged ones as if absent */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      int dim = -1;
      g_autofree float *v = cs_store_dup_vector (store, ids[i], model, &dim, &error);

      g_assert_no_error (error);
      if (i == 0 || i == 3)
        {
          float want[DIM];

          g_assert_nonnull (v);
          g_assert_cmpint (dim, ==, DIM);
          fill_vector (want, i + 1, 0, 0);
          g_assert_cmpmem (v, DIM * sizeof (float), want, sizeof want);
        }
      else
        g_assert_null (v);
    }
  readable = readable_vector_ids (store, model);
  g_assert_cmpuint (readable->len, ==, 2);
  g_assert_cmpint (g_array_index (readable, gint64, 0), ==, ids[0]);
  g_assert_cmpint (g_array_index (readable, gint64, 1), ==, ids[3]);

  /* the index run's call: gone, their photos to embed again */
  assert_unusable_deleted (store, model, (gint64[]) { ids[1], ids[2], ids[4], ids[5], ids[6] }, 5, 2);

  /* a reader that races a model switch (the model row gone, its vectors
   * with it) finds nothing, as before, rather than an error */
  g_assert_true (cs_store_delete_model (store, model, &error));
  g_assert_no_error (error);
  {
    int dim = -1;
    g_autofree float *v = cs_store_dup_vector (store, ids[0], model, &dim, &error);
    g_autoptr(GArray) walked = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) indexed = g_array_new (FALSE, FALSE, sizeof (gint64));

    g_assert_no_error (error);
    g_assert_null (v);
    g_assert_true (cs_store_foreach_vector (store, model, collect_vector_id_cb, walked, &error));
    g_assert_no_error (error);
    g_assert_true (cs_store_foreach_indexed_photo (store, model, 0, collect_indexed_id_cb, indexed,
                                                   NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (walked->len + indexed->len, ==, 0);
    g_assert_cmpint (cs_store_delete_unusable_vectors (store, model, &error), ==, 0);
    g_assert_no_error (error);
  }
}

void
store_test_add_vectors (void)
{
  STORE_TEST_ADD ("vectors", setup_store, test_vectors);
  STORE_TEST_ADD ("models", setup_store, test_models);
  STORE_TEST_ADD ("model-rows", setup_store, test_model_rows);
  STORE_TEST_ADD ("text-vectors", setup_store, test_text_vectors);
  STORE_TEST_ADD ("non-finite-vectors", setup_dir, test_non_finite_vectors);
  STORE_TEST_ADD ("damaged-vectors", setup_dir, test_damaged_vectors);
}
