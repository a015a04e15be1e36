/* cs-window.h - the main window: search, labels, duplicates, one photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-application.h"
#include "cs-photo-grid.h"
#include "cs-photo-view.h"

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, AdwApplicationWindow)

CsWindow     *cs_window_new                (CsApplication *application);

/* What the window shows: "welcome", "search" (the status page or the
 * grid of results), "label", "duplicates" or "photo". */
const char   *cs_window_get_view_name      (CsWindow      *self);
/* Whether a search or listing is in flight. */
gboolean      cs_window_get_busy           (CsWindow      *self);

/* The folder the welcome page will add (default: the Pictures folder). */
void          cs_window_set_welcome_folder (CsWindow      *self,
                                            const char    *path);
/* Runs a search for `text` as if typed into the search entry. */
void          cs_window_search             (CsWindow      *self,
                                            const char    *text);
/* Shows the photos of `label` (a CsLabel) in the grid. */
void          cs_window_show_label         (CsWindow      *self,
                                            CsLabel       *label);
/* The label being shown, or NULL. */
CsLabel      *cs_window_get_label          (CsWindow      *self);
void          cs_window_show_duplicates    (CsWindow      *self);
void          cs_window_show_photo         (CsWindow      *self,
                                            guint          position);
/* Shows the library's photo at `path` in the photo view. */
void          cs_window_show_photo_file    (CsWindow      *self,
                                            const char    *path);
void          cs_window_add_toast          (CsWindow      *self,
                                            AdwToast      *toast);

/* Parts, for tests. */
CsPhotoGrid  *cs_window_get_grid           (CsWindow      *self);
GtkEditable  *cs_window_get_search_entry   (CsWindow      *self);
GtkListBox   *cs_window_get_label_list     (CsWindow      *self);
CsPhotoView  *cs_window_get_photo_view     (CsWindow      *self);
GtkWidget    *cs_window_get_indexing_bar   (CsWindow      *self);
GtkWidget    *cs_window_get_duplicates_view (CsWindow     *self);

G_END_DECLS
