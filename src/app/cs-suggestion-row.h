/* cs-suggestion-row.h - a suggested album in the sidebar: its cover, name
 * and photo count, and its context menu (Keep as Label, Dismiss).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The menu's items are the window's "suggested.keep" and
 * "suggested.dismiss" actions with the suggestion's key as target, so
 * the row needs nothing from the window (issue 16).
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-suggestions.h"

G_BEGIN_DECLS

#define CS_TYPE_SUGGESTION_ROW (cs_suggestion_row_get_type ())
G_DECLARE_FINAL_TYPE (CsSuggestionRow, cs_suggestion_row, CS, SUGGESTION_ROW, GtkListBoxRow)

GtkWidget    *cs_suggestion_row_new            (CsSuggestion    *suggestion);
CsSuggestion *cs_suggestion_row_get_suggestion (CsSuggestionRow *self);
/* The menu for a suggestion's actions (the row's and the header's). */
GMenuModel   *cs_suggestion_menu_new           (CsSuggestion    *suggestion);

G_END_DECLS
