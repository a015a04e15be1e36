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
#include "cs-row-menu.h"

struct _CsLabelRow {
  GtkListBoxRow  parent_instance;

  GtkLabel      *name_label;
  GtkLabel      *count_label;

  CsLabel       *label;
  GBindingGroup *bindings;
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

static GMenuModel *
make_menu (GtkWidget *row)
{
  GMenu *model = g_menu_new ();

  g_menu_append (model, _("_Export Album…"), "label-row.export");
  return G_MENU_MODEL (model);
}

static void
cs_label_row_dispose (GObject *object)
{
  CsLabelRow *self = CS_LABEL_ROW (object);

  cs_row_menu_dispose (GTK_WIDGET (self));
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
  cs_row_menu_install_action (widget_class, "label-row.menu");
}

static void
cs_label_row_init (CsLabelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cs_row_menu_init (GTK_WIDGET (self), make_menu);
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
