/* cs-photo-grid.h - a scrolling grid of photo thumbnails.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkGridView on a GtkMultiSelection over a GListModel of CsPhoto (a
 * CsPhotoList), with CsPhotoCell items made and bound by a
 * GtkSignalListItemFactory (cs-photo-grid.c says why not a builder one).
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-photo.h"

G_BEGIN_DECLS

#define CS_TYPE_PHOTO_GRID (cs_photo_grid_get_type ())
G_DECLARE_FINAL_TYPE (CsPhotoGrid, cs_photo_grid, CS, PHOTO_GRID, GtkWidget)

GListModel *cs_photo_grid_get_model    (CsPhotoGrid *self);
/* Shows `model` (a GListModel of CsPhoto, or NULL), keeping the scroll
 * position (a refreshed result list stays where the user is). */
void        cs_photo_grid_set_model    (CsPhotoGrid *self,
                                        GListModel  *model);
void        cs_photo_grid_scroll_to_top (CsPhotoGrid *self);
/* The selection model the grid view shows (borrowed). */
GtkSelectionModel *cs_photo_grid_get_selection (CsPhotoGrid *self);
/* The selected photos, in order: a GPtrArray of CsPhoto (refs). */
GPtrArray  *cs_photo_grid_dup_selected (CsPhotoGrid *self);
/* The grid view itself (borrowed), for focus and tests. */
GtkGridView *cs_photo_grid_get_view    (CsPhotoGrid *self);

G_END_DECLS
