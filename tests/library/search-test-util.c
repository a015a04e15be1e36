/* search-test-util.c - what the files of the test-search binary share:
 * the toy library main() indexes, and helpers that open it and search.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-library.h"
#include "search-test-util.h"

char *search_test_toy_model;
char *search_test_toy_photos;
char *search_test_work_dir; /* the library: work_dir/a (2020), work_dir/b (2023) */
char *search_test_db_path;
JsonNode *search_test_queries;

CsLibrary *
search_test_open_library (void)
{
  g_autoptr(CsLibrary) library = cs_library_new (search_test_db_path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_library_load (library, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_library_get_loaded (library));
  g_assert_true (cs_library_get_has_model (library));
  return g_steal_pointer (&library);
}

CsPhotoList *
search_test_search (CsLibrary *library,
                    CsQuery   *query)
{
  g_autoptr(GError) error = NULL;
  CsPhotoList *list = cs_library_search (library, query, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}
