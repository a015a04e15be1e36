/* store-test-fixture.h - what the files of the test-store binary share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-store.c holds main() and the opening, schema, folder, failure,
 * setting, transaction, lock and read-only cases; test-store-photos.c,
 * test-store-vectors.c and test-store-processes.c each add theirs through
 * a store_test_add_*() function, all under /store/store/.
 */
#pragma once

#include "cs-store.h"
#include "test-util.h"

G_BEGIN_DECLS

/* The dimension of the test model's vectors. */
#define DIM 512

typedef struct {
  char    *dir;
  char    *path;
  CsStore *store;
} StoreFixture;

/* Fixture: setup_dir makes the folder of fixture->path (a database not
 * created yet), setup_store opens fixture->store there too. */
void      setup_dir        (StoreFixture  *fixture,
                            gconstpointer  data);
void      setup_store      (StoreFixture  *fixture,
                            gconstpointer  data);
void      teardown         (StoreFixture  *fixture,
                            gconstpointer  data);

#define STORE_TEST_ADD(name, setup, func) \
  g_test_add ("/store/store/" name, StoreFixture, NULL, setup, func, teardown)

void      store_test_add_photos    (void);
void      store_test_add_vectors   (void);
void      store_test_add_processes (void);

/* Helpers that assert success. */
CsStore  *open_store       (const char    *path);
/* The test model, of DIM dimensions. */
gint64    ensure_model     (CsStore       *store);
gint64    add_photo        (CsStore       *store,
                            const char    *path,
                            const char    *hash);
/* A deterministic vector of DIM components for (a, b, c). */
void      fill_vector      (float         *v,
                            guint32        a,
                            guint32        b,
                            guint32        c);
/* Stores fill_vector (seed, 0, 0) for the photo. */
void      put_vector       (CsStore       *store,
                            gint64         photo_id,
                            gint64         model_row,
                            guint32        seed);
void      assert_integrity (CsStore       *store);
void      patch_header     (const char    *path,
                            goffset        offset,
                            guint32        value);

G_END_DECLS
