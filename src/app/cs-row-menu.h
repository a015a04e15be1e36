/* cs-row-menu.h - the context menu of a sidebar row.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The label rows and the suggested-album rows open their menu the same
 * four ways (right click, long press on a touch screen, Menu and
 * Shift+F10) as a popover without an arrow, at the pointer or under the
 * row: one piece of code for both.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The menu's items, asked for when it is first shown. */
typedef GMenuModel *(*CsRowMenuModelFunc) (GtkWidget *row);

/* In class_init: installs `action_name` (e.g. "label-row.menu"), which
 * shows the menu under the row, on Menu and Shift+F10. */
void cs_row_menu_install_action (GtkWidgetClass     *widget_class,
                                 const char         *action_name);

/* In init: right click and long press show the menu at the pointer. */
void cs_row_menu_init           (GtkWidget          *row,
                                 CsRowMenuModelFunc  make_model);

/* The menu at (x, y) in the row (negative: under the row). */
void cs_row_menu_popup          (GtkWidget          *row,
                                 double              x,
                                 double              y);

/* In dispose: the popover goes (it is a child of the row). */
void cs_row_menu_dispose        (GtkWidget          *row);

G_END_DECLS
