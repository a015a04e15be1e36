/* synthetic-library.c - a database of fake photos (synthetic-library.h).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-file-hash.h"
#include "cs-store.h"
#include "synthetic-library.h"

#define DIM 64 /* toy-clip's embedding */

void
synthetic_library_fill (const char *db,
                        const char *model,
                        const char *folder,
                        guint       n,
                        gboolean    record_model_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsStore) store = cs_store_open (db, &error);
  g_autofree char *model_id = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  float vec[DIM];
  gint64 row;

  g_assert_no_error (error);
  model_id = cs_model_id_for_dir (model, NULL, &error);
  g_assert_no_error (error);
  row = cs_store_ensure_model (store, model_id, "toy-clip", DIM, "f32", &error);
  g_assert_no_error (error);
  g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_ACTIVE_MODEL, model_id, &error));
  if (record_model_dir)
    g_assert_true (cs_store_set_setting (store, CS_STORE_SETTING_MODEL_DIR, model, &error));
  g_assert_true (cs_store_add_folder (store, folder, FALSE, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%03u/photo-%06u.jpg", folder, i / 1000, i);
      g_autofree char *hash = g_strdup_printf ("%032x", i);
      CsStorePhoto photo = { 0, path, 1000000 + i, 1700000000000000LL + i, hash, 4000, 3000,
                             1600000000 + (gint64) i * 60, CS_STORE_PHOTO_STATE_INDEXED };
      double norm = 0;
      gint64 id;

      /* a transaction per 5,000 photos */
      if (i % 5000 == 0)
        g_assert_true (cs_store_begin (store, &error));
      for (int d = 0; d < DIM; d++)
        {
          vec[d] = (float) g_rand_double_range (rand, -1, 1);
          norm += vec[d] * vec[d];
        }
      for (int d = 0; d < DIM; d++)
        vec[d] = (float) (vec[d] / sqrt (norm));
      id = cs_store_upsert_photo (store, &photo, &error);
      g_assert_no_error (error);
      g_assert_true (cs_store_put_vector (store, id, row, vec, DIM, &error));
      if (i % 5000 == 4999 || i + 1 == n)
        g_assert_true (cs_store_commit (store, &error));
    }
}
