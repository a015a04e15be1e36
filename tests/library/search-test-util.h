/* search-test-util.h - what the files of the test-search binary share.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-search.c holds main(), which indexes the toy photos in two folders,
 * and the term parsing, refresh and not-loaded cases; test-search-scan.c,
 * test-search-queries.c, test-search-large.c and test-search-cutoff.c each
 * add theirs through a search_test_add_*() function, all under
 * /library/search/.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-library.h"
#include "test-util.h"

G_BEGIN_DECLS

extern char *search_test_toy_model;
extern char *search_test_toy_photos;
extern char *search_test_work_dir; /* the library: work_dir/a (2020), work_dir/b (2023) */
extern char *search_test_db_path;
extern JsonNode *search_test_queries;

#define DATE_A 1577880000  /* 2020-01-01 12:00 UTC */
#define DATE_B 1685620800  /* 2023-06-01 12:00 UTC */

void         search_test_add_scan     (void);
void         search_test_add_queries  (void);
void         search_test_add_large    (void);
void         search_test_add_cutoff   (void);

/* The library at search_test_db_path, loaded. */
CsLibrary   *search_test_open_library (void);
/* `query` run on `library`, asserting success. */
CsPhotoList *search_test_search       (CsLibrary *library,
                                       CsQuery   *query);

G_END_DECLS
