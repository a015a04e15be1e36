/* cs-suggestions.h - albums the library proposes: themes and events.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From the photos themselves, without labels (issue 16):
 *
 * - A theme is a group of photos that look alike (clusters of the active
 *   model's vectors), named after the concept of the vocabulary that best
 *   tells its photos from the rest of the library ("Beach", "Dog"), or
 *   "Similar photos" when no concept does but the group is tight.
 * - An event is a burst of photos in time (cut where the gaps are long
 *   for the pace of the photos around them, and where the content
 *   changes sharply), titled with its dominant concept and its dates
 *   ("Beach · 12–14 July 2025").  Photos without an EXIF date (whose date
 *   the indexer took from the file's modification time) are never put in
 *   events; when the two times agree, files of camera formats are checked
 *   for an EXIF date (a camera's original file), the others have none.
 *
 * The vocabulary is the built-in one (about 1,300 everyday photo
 * concepts, names translated) or a file: one concept a line, its name
 * then optionally '|' and extra prompts ("Beach|a sandy beach by the
 * sea"); blank lines and '#' comments skipped.  Naming needs the CLIP
 * model: a library without one ("has-model" FALSE) proposes only unnamed
 * themes and events titled by their dates.
 *
 * Stable: the same photos give the same suggestions in the same order
 * (a fixed seed, every tie decided by photo id).  Order: the named
 * themes, most distinctive first, then the unnamed ones, then the
 * events, newest first.
 *
 * Threads: the computation runs on a worker thread from a snapshot of the
 * library (its vectors, its model); the callback runs in the thread-
 * default main context of the call.  At 100,000 photos of 512 floats the
 * themes and events take about 1.5 s of CPU and 5 MB beyond the vectors
 * (tests/bench/bench-discover.c), plus reading the photos' dates from
 * the database and, the first time with a model, encoding the
 * vocabulary's prompts (cached in the database afterwards).  Suggestions hold what they show and stay
 * valid after the library is gone.
 */
#pragma once

#include <gio/gio.h>

#include "cs-library.h"
#include "cs-photo.h"
#include "cs-photo-list.h"

G_BEGIN_DECLS

typedef enum {
  CS_SUGGESTION_THEME,
  CS_SUGGESTION_EVENT,
} CsSuggestionKind;

#define CS_TYPE_SUGGESTION (cs_suggestion_get_type ())
G_DECLARE_FINAL_TYPE (CsSuggestion, cs_suggestion, CS, SUGGESTION, GObject)

/* A suggestion is immutable; any thread may read it. */
CsSuggestionKind    cs_suggestion_get_kind    (CsSuggestion *self);
/* For people: "Beach", "Similar photos", "Beach · 12–14 July 2025",
 * "12–14 July 2025" (translated). */
const char         *cs_suggestion_get_name    (CsSuggestion *self);
/* The concept it is named after, as the vocabulary identifies it (the
 * built-in list's English, whatever the language of the name), or NULL. */
const char         *cs_suggestion_get_concept (CsSuggestion *self);
/* The concept's prompts (for "Keep as label"), or NULL without one. */
const char * const *cs_suggestion_get_prompts (CsSuggestion *self);
/* A key that stays the same while the photos do (to remember a dismissal):
 * "theme:" or "event:" then the concept or the cover's id, and for
 * events the date span. */
const char         *cs_suggestion_get_key     (CsSuggestion *self);
/* How distinctive it is: the name's separation in standard deviations
 * (named themes and events), else the group's tightness in [0, 1]. */
double              cs_suggestion_get_score   (CsSuggestion *self);
/* The most central photo (borrowed). */
CsPhoto            *cs_suggestion_get_cover   (CsSuggestion *self);
/* Its photos (borrowed): themes most central first, events in time
 * order; each photo's score is its cosine to the group's centre. */
CsPhotoList        *cs_suggestion_get_photos  (CsSuggestion *self);
/* Events: the dates of the first and last photo (Unix seconds); themes: 0. */
gint64              cs_suggestion_get_start   (CsSuggestion *self);
gint64              cs_suggestion_get_end     (CsSuggestion *self);

/* Computes the suggestions of `library` (loaded) on a worker thread with
 * the vocabulary in the file `vocabulary_path` (NULL: the built-in one).
 * Finishes with a new GListModel of CsSuggestion.  Errors:
 * CS_LIBRARY_ERROR_NOT_LOADED, G_IO_ERROR (the vocabulary file cannot be
 * read: G_IO_ERROR_INVALID_DATA for what is wrong in it, with the line),
 * CS_CLIP_ERROR (encoding the prompts), G_IO_ERROR_CANCELLED. */
void        cs_library_discover_async  (CsLibrary           *library,
                                        const char          *vocabulary_path,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GListModel *cs_library_discover_finish (CsLibrary           *library,
                                        GAsyncResult        *result,
                                        GError             **error);
/* The same, blocking (the command line, tests). */
GListModel *cs_library_discover        (CsLibrary           *library,
                                        const char          *vocabulary_path,
                                        GCancellable        *cancellable,
                                        GError             **error);

G_END_DECLS
