/* cs-indexing-bar.h - the bar that shows how indexing goes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown while the indexer runs: what it does (looking for photos,
 * indexing, paused and why), how far it got, its speed and the time left,
 * and a button for the photos that could not be read.  Its buttons
 * activate the window's win.pause-indexing and win.show-failures.
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-application.h"

G_BEGIN_DECLS

#define CS_TYPE_INDEXING_BAR (cs_indexing_bar_get_type ())
G_DECLARE_FINAL_TYPE (CsIndexingBar, cs_indexing_bar, CS, INDEXING_BAR, GtkWidget)

/* Follows `application`'s indexer and pause state from now on. */
void cs_indexing_bar_set_application (CsIndexingBar *self,
                                      CsApplication *application);

G_END_DECLS
