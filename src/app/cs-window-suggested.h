/* cs-window-suggested.h - the "Suggested" section of the window's sidebar
 * (issue 16): albums the library proposes, kept as labels or dismissed.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the tests and the window's other files call.  The suggestions are
 * computed by cs_library_discover_async() on a worker thread, once the
 * library is loaded and again each time indexing settles with a changed
 * photo count (debounced).  Dismissed (and kept) suggestions are
 * remembered by key in $XDG_DATA_HOME/clipsight/dismissed-suggestions,
 * one key a line, like the duplicates view's "not duplicates".
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-window.h"

G_BEGIN_DECLS

/* The dismissed keys in the file now (a set of strings), read afresh. */
GHashTable *cs_dismissed_suggestions_load (void);

/* The sidebar's list of suggestions (rows are CsSuggestionRow). */
GtkListBox *cs_window_get_suggested_list  (CsWindow *self);
/* How many discoveries have finished (successfully or not) so far. */
guint       cs_window_get_discover_runs   (CsWindow *self);
/* Computes the suggestions again now; with `reload_dismissed`, reads the
 * dismissed keys from the file first, as at a start. */
void        cs_window_rediscover          (CsWindow *self,
                                           gboolean  reload_dismissed);
/* The vocabulary file themes are named from ($CLIPSIGHT_VOCABULARY), or
 * NULL for the built-in list. */
const char *cs_window_suggested_vocabulary (void);

G_END_DECLS
