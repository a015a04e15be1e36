/* cs-label-row.c - a label in the sidebar: its name and photo count,
 * and its context menu (right click, long press, Menu or Shift+F10).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-label-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-export-dialog.h"
#include "cs-label-names.h"
#include "cs-label-row.h"

struct _CsLabelRow {
  GtkListBoxRow  parent_instance;

  GtkLabel      *name_label;
  GtkLabel      *count_label;

  CsLabel       *label;
  GBindingGroup *bindings;
  GtkWidget     *menu;       /* the context menu, made when first shown */
};

G_DEFINE_FINAL_TYPE (CsLabelRow, cs_label_row, GTK_TYPE_LIST_BOX_ROW)

static gboolean
count_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%'u", g_value_get_uint (from)));
  return TRUE;
}

static gboolean
name_to_text (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_string (to, cs_label_name_for_display (g_value_get_string (from)));
  return TRUE;
}

static void
export_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CsLabelRow *self = CS_LABEL_ROW (widget);

  cs_export_dialog_present (widget, self->label);
}

/* The context menu at (x, y) in the row (negative: under the row). */
static void
popup_menu (CsLabelRow *self,
            double      x,
            double      y)
{
  if (self->menu == NULL)
    {
      g_autoptr(GMenu) model = g_menu_new ();

      g_menu_append (model, _("_Export Album…"), "label-row.export");
      self->menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (model));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
      gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
    }
  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  else
    gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
menu_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  popup_menu (CS_LABEL_ROW (widget), -1, -1);
}

static void
on_secondary_pressed_cb (GtkGestureClick *gesture,
                         int              n_press,
                         double           x,
                         double           y,
                         CsLabelRow      *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu (self, x, y);
}

static void
on_long_pressed_cb (GtkGestureLongPress *gesture,
                    double               x,
                    double               y,
                    CsLabelRow          *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_menu (self, x, y);
}

static void
cs_label_row_dispose (GObject *object)
{
  CsLabelRow *self = CS_LABEL_ROW (object);

  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_object (&self->bindings);
  g_clear_object (&self->label);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_LABEL_ROW);
  G_OBJECT_CLASS (cs_label_row_parent_class)->dispose (object);
}

static void
cs_label_row_class_init (CsLabelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_label_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-label-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CsLabelRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, CsLabelRow, count_label);

  gtk_widget_class_install_action (widget_class, "label-row.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "label-row.menu", NULL, menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "label-row.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "label-row.menu", NULL);
}

static void
cs_label_row_init (CsLabelRow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *press = gtk_gesture_long_press_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (press));
  self->bindings = g_binding_group_new ();
  g_binding_group_bind_full (self->bindings, "name", self->name_label, "label", G_BINDING_SYNC_CREATE,
                             name_to_text, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "count", self->count_label, "label", G_BINDING_SYNC_CREATE,
                             count_to_text, NULL, NULL, NULL);
}

GtkWidget *
cs_label_row_new (CsLabel *label)
{
  CsLabelRow *self;

  g_return_val_if_fail (CS_IS_LABEL (label), NULL);
  self = g_object_new (CS_TYPE_LABEL_ROW, NULL);
  self->label = g_object_ref (label);
  g_binding_group_set_source (self->bindings, label);
  return GTK_WIDGET (self);
}

CsLabel *
cs_label_row_get_label (CsLabelRow *self)
{
  g_return_val_if_fail (CS_IS_LABEL_ROW (self), NULL);
  return self->label;
}
