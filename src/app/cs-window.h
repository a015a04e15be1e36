/* cs-window.h - the main window: search, labels, duplicates, one photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tests drive the window as a person would: through its actions (win.*)
 * and its template children (gtk_widget_get_template_child ()).
 */
#pragma once

#include <adwaita.h>

#include "cs-application.h"

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, AdwApplicationWindow)

CsWindow     *cs_window_new                (CsApplication *application);

/* What the window shows: "welcome", "search" (the status page or the
 * grid of results), "label", "duplicates" or "photo". */
const char   *cs_window_get_view_name      (CsWindow      *self);
/* Whether a search or listing is in flight. */
gboolean      cs_window_get_busy           (CsWindow      *self);

/* Runs a search for `text` as if typed into the search entry. */
void          cs_window_search             (CsWindow      *self,
                                            const char    *text);
/* Shows the library's photo at `path` in the photo view. */
void          cs_window_show_photo_file    (CsWindow      *self,
                                            const char    *path);

G_END_DECLS
