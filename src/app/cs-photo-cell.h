/* cs-photo-cell.h - one square thumbnail of the photo grid.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-photo.h"

G_BEGIN_DECLS

/* The least width of a cell in the grid (its natural one is larger). */
#define CS_PHOTO_CELL_MIN_SIZE 132

#define CS_TYPE_PHOTO_CELL (cs_photo_cell_get_type ())
G_DECLARE_FINAL_TYPE (CsPhotoCell, cs_photo_cell, CS, PHOTO_CELL, GtkWidget)

CsPhoto *cs_photo_cell_get_photo (CsPhotoCell *self);
/* Shows `photo` (NULL: nothing).  Cancels the load of the previous
 * photo's thumbnail, since cells are recycled as the grid scrolls. */
void     cs_photo_cell_set_photo (CsPhotoCell *self,
                                  CsPhoto     *photo);
/* A fixed size in pixels (previews), instead of filling the grid's column. */
void     cs_photo_cell_set_fixed_size (CsPhotoCell *self,
                                       int          size);
/* Whether the thumbnail is on screen (loaded), for tests. */
gboolean cs_photo_cell_get_loaded (CsPhotoCell *self);

/* The heading of the section this photo starts (NULL: none). */
void        cs_photo_cell_set_heading (CsPhotoCell *self,
                                       const char  *heading);
const char *cs_photo_cell_get_heading (CsPhotoCell *self);

G_END_DECLS
