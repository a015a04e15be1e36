/* cs-match-words.h - how good a search result is, in words.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 17: the details pane said "0.756 similarity", a number nobody can
 * read without the query's cutoff beside it.  The words are read against
 * the library's own cutoff for the query (cs_photo_list_get_cutoff()) and
 * its verdict on the photo (cs_photo_get_accepted()), so that they agree
 * with the grid's "Best Matches" and "More Results":
 *
 *   accepted, well above the cutoff     "Strong match"
 *   accepted                            "Good match"
 *   not accepted, just below the cutoff "Possible match"
 *   not accepted                        "Weak match"
 *
 * "Well above" and "just below" are CS_MATCH_MARGIN in cosine (the gap
 * cs-cutoff.c looks for between a query's matches and the rest is of
 * that order on CLIP ViT-B/32).  At the loosest strictness (cutoff -inf)
 * every photo is accepted and the cutoff says nothing: the score is read
 * against the photo list's best instead (`best`, its first photo's).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_MATCH_MARGIN 0.03

/* Translated words for a result scoring `score` in a list whose cutoff
 * is `cutoff` and whose best score is `best` (read only at cutoff -inf),
 * the photo accepted or not.  Static: do not free. */
const char *cs_match_words (double   score,
                            double   cutoff,
                            double   best,
                            gboolean accepted);

G_END_DECLS
