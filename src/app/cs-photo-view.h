/* cs-photo-view.h - one photo, larger, with its details and actions.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the photo at a position of a list (Left/Right or Page Up/Down
 * move through it, Escape or Ctrl+W close; +, -, 1, 0, Ctrl+scroll and
 * a pinch zoom, a drag pans; F11 is fullscreen), with its name, folder, date taken,
 * size and dimensions, and the actions photo.open, photo.show-in-files,
 * photo.copy, photo.find-similar, photo.confirm and photo.reject (the
 * last two for the "label" being shown, or through "Add to Label").
 */
#pragma once

#include <adwaita.h>

#include "cs-label.h"
#include "cs-photo.h"

G_BEGIN_DECLS

#define CS_TYPE_PHOTO_VIEW (cs_photo_view_get_type ())
G_DECLARE_FINAL_TYPE (CsPhotoView, cs_photo_view, CS, PHOTO_VIEW, GtkWidget)

/* Shows item `position` of `list` (a GListModel of CsPhoto). */
void        cs_photo_view_set_list     (CsPhotoView *self,
                                        GListModel  *list,
                                        guint        position);
CsPhoto    *cs_photo_view_get_photo    (CsPhotoView *self);
guint       cs_photo_view_get_position (CsPhotoView *self);
/* The label the photo is seen in (confirm/reject act on it), or NULL. */
void        cs_photo_view_set_label    (CsPhotoView *self,
                                        CsLabel     *label);
/* The labels offered by "Add to Label" (a GListModel of CsLabel). */
void        cs_photo_view_set_labels   (CsPhotoView *self,
                                        GListModel  *labels);
/* The scale the photo is zoomed to (1.0: 100 %), or 0 when it is fitted
 * to the stage (never above 100 %). */
double      cs_photo_view_get_zoom     (CsPhotoView *self);
/* Whether the photo view made its window fullscreen (F11, its button). */
gboolean    cs_photo_view_get_fullscreen (CsPhotoView *self);
/* Whether the large image is on screen, for tests. */
gboolean    cs_photo_view_get_loaded   (CsPhotoView *self);

G_END_DECLS
