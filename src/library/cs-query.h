/* cs-query.h - what to search for, and how.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsQuery is a plain settable object (bind its properties to the search
 * entry, the strictness slider, the folder and date choosers).  It lives
 * on its home thread; cs_library_search_async() copies what it needs when
 * it is called, so changing the query afterwards does not affect a search
 * in flight.
 *
 * The terms of a query, summed with their weights and normalised to unit
 * length before scoring:
 *  - "text": a composed text query.  Terms are separated by '+' or '-'
 *    surrounded by spaces (or at the start); '-' subtracts the term.  A
 *    term may start with a weight "N:" (a decimal number, e.g. "2:dog",
 *    "0.5:sunset").  "beach + sunset - people" is beach + sunset - people
 *    with weights 1; "2:dog - cat" is 2*dog - cat.  A '+' or '-' inside a
 *    word ("t-shirt", "a+b") is part of the text.  Each term is embedded
 *    with CLIP's text encoder and normalised before weighting.
 *  - "image-path": an image file (any format the library decodes): find
 *    photos like it; weight "image-weight" (default 1).
 *  - "similar-to": a photo id of the library (its stored vector); weight
 *    "image-weight" too.
 * At least one term must be set, unless the query lists "all" photos.
 *
 * Filters (applied before ranking): "folder" (photos strictly below it, a
 * '/' boundary), "after" (taken at or after, Unix seconds; G_MININT64: no
 * bound) and "before" (taken strictly before; G_MAXINT64: no bound).
 *
 * "strictness" in [-1, 1] moves the adaptive cutoff: 0 is the default,
 * positive keeps fewer photos (1: the best only), negative more, each
 * step multiplying the count by about the same factor, and -1 accepts
 * every photo that passes the filters.
 *
 * "sort": CS_SORT_RELEVANCE lists the photos best first: every accepted
 * photo (they are a prefix of the list, however many), then the near
 * misses the scan ranked (about the best thousand photos); CS_SORT_DATE
 * lists the accepted photos only, newest first (ties: the higher id
 * first).  "accepted-only" drops the photos outside the cutoff from a
 * relevance-sorted list too.  "limit" is the most items the list may hold
 * (0: no limit; default 200).  So at strictness -1 with no limit, both
 * orders list the whole (filtered) library.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  CS_SORT_RELEVANCE,  /* best score first */
  CS_SORT_DATE,       /* newest taken first (accepted photos only) */
} CsSortOrder;

#define CS_TYPE_QUERY (cs_query_get_type ())
G_DECLARE_FINAL_TYPE (CsQuery, cs_query, CS, QUERY, GObject)

/* A query for `text` (may be NULL: set an image or a photo instead). */
CsQuery    *cs_query_new               (const char  *text);
/* A query for photos like photo `photo_id` ("find similar"). */
CsQuery    *cs_query_new_similar       (gint64       photo_id);
/* A deep copy (all properties). */
CsQuery    *cs_query_copy              (CsQuery     *self);

const char *cs_query_get_text          (CsQuery     *self);
void        cs_query_set_text          (CsQuery     *self,
                                        const char  *text);
/* File system encoding. */
const char *cs_query_get_image_path    (CsQuery     *self);
void        cs_query_set_image_path    (CsQuery     *self,
                                        const char  *path);
double      cs_query_get_image_weight  (CsQuery     *self);
void        cs_query_set_image_weight  (CsQuery     *self,
                                        double       weight);
/* 0: none. */
gint64      cs_query_get_similar_to    (CsQuery     *self);
void        cs_query_set_similar_to    (CsQuery     *self,
                                        gint64       photo_id);
/* File system encoding; NULL: the whole library. */
const char *cs_query_get_folder        (CsQuery     *self);
void        cs_query_set_folder        (CsQuery     *self,
                                        const char  *folder);
gint64      cs_query_get_after         (CsQuery     *self);
void        cs_query_set_after         (CsQuery     *self,
                                        gint64       unix_seconds);
gint64      cs_query_get_before        (CsQuery     *self);
void        cs_query_set_before        (CsQuery     *self,
                                        gint64       unix_seconds);
double      cs_query_get_strictness    (CsQuery     *self);
void        cs_query_set_strictness    (CsQuery     *self,
                                        double       strictness);
CsSortOrder cs_query_get_sort          (CsQuery     *self);
void        cs_query_set_sort          (CsQuery     *self,
                                        CsSortOrder  sort);
guint       cs_query_get_limit         (CsQuery     *self);
void        cs_query_set_limit         (CsQuery     *self,
                                        guint        limit);
gboolean    cs_query_get_accepted_only (CsQuery     *self);
void        cs_query_set_accepted_only (CsQuery     *self,
                                        gboolean     accepted_only);
/* "all": every photo passing the filters, with no term to rank them by
 * (the terms, if any, are ignored; no model is needed): the way to browse
 * the library.  Every photo is accepted with score 0; sort by date for a
 * timeline.  cs_query_new_all () is such a query sorted by date, with no
 * limit. */
CsQuery    *cs_query_new_all           (void);
gboolean    cs_query_get_all           (CsQuery     *self);
void        cs_query_set_all           (CsQuery     *self,
                                        gboolean     all);

/* Parsing of the composed text syntax, exposed for the UI (e.g. to show
 * the terms as chips) and for tests.  Any thread.
 *
 * Returns the terms of `text` in order, as a GPtrArray of CsQueryTerm*
 * owning them; an empty array for an empty or blank text.  What does not
 * parse as a weight is text.  Fails (NULL, CS_LIBRARY_ERROR_INVALID) only
 * for a weight that parses but is unusable: infinite ("1e999:cat") or
 * above CS_QUERY_MAX_WEIGHT, the bound of the image weight too. */
#define CS_QUERY_MAX_WEIGHT 100.0

typedef struct {
  char   *text;    /* the term, trimmed, UTF-8 */
  double  weight;  /* signed: "- 2:cat" gives -2 */
} CsQueryTerm;

void       cs_query_term_free   (CsQueryTerm *term);
GPtrArray *cs_query_parse_terms (const char  *text,
                                 GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsQueryTerm, cs_query_term_free)

G_END_DECLS
