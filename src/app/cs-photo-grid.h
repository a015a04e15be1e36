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

/* What the grid heads with a heading (GTK 4.8's GtkGridView has no
 * sections: the first photo of each section carries its heading, see
 * cs_photo_cell_set_heading()). */
typedef enum {
  CS_PHOTO_GRID_SECTIONS_NONE,
  CS_PHOTO_GRID_SECTIONS_MONTH,   /* newest first, by the month taken */
  CS_PHOTO_GRID_SECTIONS_MATCH,   /* "Best Matches", then "More Results" */
} CsPhotoGridSections;

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

/* Sections are read when cells bind: set them before the model. */
void        cs_photo_grid_set_sections (CsPhotoGrid         *self,
                                        CsPhotoGridSections  sections);
CsPhotoGridSections cs_photo_grid_get_sections (CsPhotoGrid *self);
/* The heading the photo at `position` starts, or NULL (free it). */
char       *cs_photo_grid_dup_heading  (CsPhotoGrid *self,
                                        guint        position);
/* Opens the photos' context menu on the photo at (x, y) of the grid view
 * (selecting it when it is not): FALSE when no photo is there. */
gboolean    cs_photo_grid_popup_menu   (CsPhotoGrid *self,
                                        double       x,
                                        double       y);
/* The context menu (a GtkPopoverMenu, borrowed), for tests. */
GtkWidget  *cs_photo_grid_get_menu     (CsPhotoGrid *self);

G_END_DECLS
