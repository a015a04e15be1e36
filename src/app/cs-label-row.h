/* cs-label-row.h - a label in the sidebar: its name and photo count.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-label.h"

G_BEGIN_DECLS

#define CS_TYPE_LABEL_ROW (cs_label_row_get_type ())
G_DECLARE_FINAL_TYPE (CsLabelRow, cs_label_row, CS, LABEL_ROW, GtkListBoxRow)

GtkWidget *cs_label_row_new       (CsLabel    *label);
CsLabel   *cs_label_row_get_label (CsLabelRow *self);

G_END_DECLS
