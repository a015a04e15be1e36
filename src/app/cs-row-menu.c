/* cs-row-menu.c - the context menu of a sidebar row.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-row-menu.h"

#define ROW_MENU_KEY "cs-row-menu"

typedef struct {
  CsRowMenuModelFunc  make_model;
  GtkWidget          *menu;       /* the popover, made when first shown */
} RowMenu;

void
cs_row_menu_popup (GtkWidget *row,
                   double     x,
                   double     y)
{
  RowMenu *rm = g_object_get_data (G_OBJECT (row), ROW_MENU_KEY);

  g_return_if_fail (rm != NULL);
  if (rm->menu == NULL)
    {
      g_autoptr(GMenuModel) model = rm->make_model (row);

      rm->menu = gtk_popover_menu_new_from_model (model);
      gtk_popover_set_has_arrow (GTK_POPOVER (rm->menu), FALSE);
      gtk_widget_set_halign (rm->menu, GTK_ALIGN_START);
      gtk_widget_set_parent (rm->menu, row);
    }
  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (rm->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    gtk_popover_set_pointing_to (GTK_POPOVER (rm->menu), NULL);
  gtk_popover_popup (GTK_POPOVER (rm->menu));
}

static void
menu_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  cs_row_menu_popup (widget, -1, -1);
}

void
cs_row_menu_install_action (GtkWidgetClass *widget_class,
                            const char     *action_name)
{
  gtk_widget_class_install_action (widget_class, action_name, NULL, menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, action_name, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, action_name, NULL);
}

static void
on_secondary_pressed_cb (GtkGestureClick *gesture,
                         int              n_press,
                         double           x,
                         double           y,
                         GtkWidget       *row)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  cs_row_menu_popup (row, x, y);
}

static void
on_long_pressed_cb (GtkGestureLongPress *gesture,
                    double               x,
                    double               y,
                    GtkWidget           *row)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  cs_row_menu_popup (row, x, y);
}

void
cs_row_menu_init (GtkWidget          *row,
                  CsRowMenuModelFunc  make_model)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();
  RowMenu *rm = g_new0 (RowMenu, 1);

  rm->make_model = make_model;
  g_object_set_data_full (G_OBJECT (row), ROW_MENU_KEY, rm, g_free);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_pressed_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_long_pressed_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (press));
}

void
cs_row_menu_dispose (GtkWidget *row)
{
  RowMenu *rm = g_object_get_data (G_OBJECT (row), ROW_MENU_KEY);

  if (rm != NULL)
    g_clear_pointer (&rm->menu, gtk_widget_unparent);
}
