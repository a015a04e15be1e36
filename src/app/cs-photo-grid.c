/* cs-photo-grid.c - a scrolling grid of photo thumbnails.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-photo-grid"

#include "config.h"

#include "cs-photo-cell.h"
#include "cs-photo-grid.h"

struct _CsPhotoGrid {
  GtkWidget          parent_instance;

  GtkScrolledWindow *scroller;
  GtkGridView       *view;
  GtkMultiSelection *selection;
};

G_DEFINE_FINAL_TYPE (CsPhotoGrid, cs_photo_grid, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

enum {
  SIGNAL_PHOTO_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The cells are made in C, not parsed from a GtkBuilder template for each
 * item as GtkBuilderListItemFactory does: the first results fill a
 * screen with a hundred cells in one frame, and parsing cost ~1 ms each
 * (measured with CLIPSIGHT_DEBUG_STALLS). */
static void
on_factory_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  gtk_list_item_set_child (item, g_object_new (CS_TYPE_PHOTO_CELL, NULL));
}

static void
on_factory_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  cs_photo_cell_set_photo (CS_PHOTO_CELL (gtk_list_item_get_child (item)),
                           gtk_list_item_get_item (item));
}

static void
on_factory_unbind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  /* cancels the thumbnail load of a recycled cell */
  cs_photo_cell_set_photo (CS_PHOTO_CELL (gtk_list_item_get_child (item)), NULL);
}

static void
on_view_activate_cb (GtkGridView *view,
                     guint        position,
                     CsPhotoGrid *self)
{
  g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (photo != NULL)
    g_signal_emit (self, signals[SIGNAL_PHOTO_ACTIVATED], 0, photo, position);
}

static void
cs_photo_grid_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsPhotoGrid *self = CS_PHOTO_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL: g_value_set_object (value, cs_photo_grid_get_model (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_grid_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsPhotoGrid *self = CS_PHOTO_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL: cs_photo_grid_set_model (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_grid_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_PHOTO_GRID);
  /* the template's root is not a bound child */
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (cs_photo_grid_parent_class)->dispose (object);
}

static void
cs_photo_grid_class_init (CsPhotoGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_photo_grid_get_property;
  object_class->set_property = cs_photo_grid_set_property;
  object_class->dispose = cs_photo_grid_dispose;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A photo was activated (double click, Enter): photo, position. */
  signals[SIGNAL_PHOTO_ACTIVATED] =
    g_signal_new ("photo-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, CS_TYPE_PHOTO, G_TYPE_UINT);

  g_type_ensure (CS_TYPE_PHOTO_CELL);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-photo-grid.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPhotoGrid, scroller);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoGrid, view);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoGrid, selection);
  gtk_widget_class_bind_template_callback (widget_class, on_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_factory_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_factory_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_factory_unbind_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cs-photo-grid");
}

static void
cs_photo_grid_init (CsPhotoGrid *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GListModel *
cs_photo_grid_get_model (CsPhotoGrid *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), NULL);
  return gtk_multi_selection_get_model (self->selection);
}

void
cs_photo_grid_set_model (CsPhotoGrid *self,
                         GListModel  *model)
{
  g_return_if_fail (CS_IS_PHOTO_GRID (self));
  if (cs_photo_grid_get_model (self) == model)
    return;
  gtk_multi_selection_set_model (self->selection, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
cs_photo_grid_scroll_to_top (CsPhotoGrid *self)
{
  g_return_if_fail (CS_IS_PHOTO_GRID (self));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

GtkSelectionModel *
cs_photo_grid_get_selection (CsPhotoGrid *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

GPtrArray *
cs_photo_grid_dup_selected (CsPhotoGrid *self)
{
  g_autoptr(GtkBitset) set = NULL;
  GPtrArray *photos = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), photos);
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (photos, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return photos;
}

GtkGridView *
cs_photo_grid_get_view (CsPhotoGrid *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), NULL);
  return self->view;
}
