/* cs-duplicates-view.h - groups of near-duplicate photos, and moving the
 * extra copies to the trash.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only place Clipsight ever touches a photo: on the user's explicit
 * word (a confirmation dialog), it moves the photos of a group other than
 * the keeper to the trash (GIO), with an Undo toast that moves them back.
 *
 * The list never reorders under the pointer: a search merges into the
 * groups shown (cs-duplicates-view.c says how), and a group leaves the
 * list only when the person acts on it.
 */
#pragma once

#include <adwaita.h>

#include "cs-library.h"

G_BEGIN_DECLS

#define CS_TYPE_DUPLICATES_VIEW (cs_duplicates_view_get_type ())
G_DECLARE_FINAL_TYPE (CsDuplicatesView, cs_duplicates_view, CS, DUPLICATES_VIEW, GtkWidget)

void        cs_duplicates_view_set_library (CsDuplicatesView *self,
                                            CsLibrary        *library);
/* Looks for the groups again (in the background). */
void        cs_duplicates_view_refresh     (CsDuplicatesView *self);
/* The groups shown (a GListModel of CsDuplicateGroup) or NULL. */
GListModel *cs_duplicates_view_get_groups  (CsDuplicatesView *self);
gboolean    cs_duplicates_view_get_busy    (CsDuplicatesView *self);
/* How far the running (or last) search got, 0 to 1, as the view shows it. */
double      cs_duplicates_view_get_progress (CsDuplicatesView *self);
/* Moves every photo of `group` but its keeper to the trash (no dialog:
 * the confirmation is the caller's), with an Undo toast; the group leaves
 * the list once they are moved.  Does nothing while a trash of the group
 * runs, or once it left the list. */
void        cs_duplicates_view_trash_extras (CsDuplicatesView *self,
                                             CsDuplicateGroup *group);
/* The photo of `group` that the trash leaves: the person's choice (a click
 * on its thumbnail), else the group's suggestion.  Borrowed. */
CsPhoto    *cs_duplicates_view_get_keeper  (CsDuplicatesView *self,
                                            CsDuplicateGroup *group);
void        cs_duplicates_view_set_keeper  (CsDuplicatesView *self,
                                            CsDuplicateGroup *group,
                                            CsPhoto          *keeper);
/* "Not Duplicates": hides `group` now and in every later search, until its
 * members change (kept in $XDG_DATA_HOME/clipsight/not-duplicates).
 * FALSE when the judgement could not be saved (it holds for the session). */
gboolean    cs_duplicates_view_mark_distinct (CsDuplicatesView *self,
                                              CsDuplicateGroup *group);

G_END_DECLS
