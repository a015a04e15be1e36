/* cs-photo-cell.c - one square thumbnail of the photo grid.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-photo-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-cancel.h"
#include "cs-photo-cell.h"
#include "cs-thumbnailer.h"

#define MIN_SIZE CS_PHOTO_CELL_MIN_SIZE
#define NAT_SIZE 168

struct _CsPhotoCell {
  GtkWidget     parent_instance;

  GtkWidget    *overlay;
  GtkPicture   *picture;
  GtkImage     *verdict_icon;
  GtkImage     *missing_icon;
  GtkLabel     *heading;      /* the section this photo starts, or NULL */

  CsPhoto      *photo;
  GCancellable *cancellable;
  int           fixed_size;  /* > 0: always this size (previews) */
};

G_DEFINE_FINAL_TYPE (CsPhotoCell, cs_photo_cell, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PHOTO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void show_missing (CsPhotoCell *self,
                          gboolean     missing);

static void
on_thumbnail_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = cs_thumbnailer_load_finish (CS_THUMBNAILER (source), result, &error);
  CsPhotoCell *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* not cancelled: the cell is alive and still shows this photo */
  self = CS_PHOTO_CELL (user_data);
  g_clear_object (&self->cancellable);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  show_missing (self, texture == NULL);
  if (texture != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "loading");
}

/* Square cells: as tall as the grid makes them wide. */
static void
cs_photo_cell_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CsPhotoCell *self = CS_PHOTO_CELL (widget);

  gtk_widget_measure (self->overlay, orientation, -1, NULL, NULL, NULL, NULL);
  if (self->fixed_size > 0)
    *minimum = *natural = self->fixed_size;
  else if (orientation == GTK_ORIENTATION_VERTICAL && for_size > 0)
    *minimum = *natural = for_size;
  else
    {
      *minimum = MIN_SIZE;
      *natural = NAT_SIZE;
    }
}

static void
cs_photo_cell_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CsPhotoCell *self = CS_PHOTO_CELL (widget);

  gtk_widget_allocate (self->overlay, width, height, baseline, NULL);
  /* the heading as wide as its text, up to the cell's width, where it
   * wraps (two lines at most): "December 2026" was "December 20…" in
   * the default 133 px cells */
  if (self->heading != NULL && gtk_widget_get_visible (GTK_WIDGET (self->heading)))
    {
      int natural, h;

      gtk_widget_measure (GTK_WIDGET (self->heading), GTK_ORIENTATION_HORIZONTAL, -1,
                          NULL, &natural, NULL, NULL);
      if (natural > width)
        {
          /* wrapped: as wide as its widest line, not the whole cell */
          g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->heading),
                                                                          gtk_label_get_text (self->heading));
          PangoRectangle logical;
          int text_width, extra;

          pango_layout_get_pixel_size (layout, &text_width, NULL);
          extra = MAX (0, natural - text_width);  /* margins, padding, border */
          pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
          pango_layout_set_width (layout, MAX (1, width - extra) * PANGO_SCALE);
          pango_layout_get_pixel_extents (layout, NULL, &logical);
          natural = MIN (width, logical.width + extra);
        }
      gtk_widget_measure (GTK_WIDGET (self->heading), GTK_ORIENTATION_VERTICAL, natural,
                          NULL, &h, NULL, NULL);
      gtk_widget_allocate (GTK_WIDGET (self->heading), natural, MIN (h, height), -1, NULL);
    }
}

static GtkSizeRequestMode
cs_photo_cell_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cs_photo_cell_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsPhotoCell *self = CS_PHOTO_CELL (object);

  switch (prop_id)
    {
    case PROP_PHOTO: g_value_set_object (value, self->photo); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_cell_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsPhotoCell *self = CS_PHOTO_CELL (object);

  switch (prop_id)
    {
    case PROP_PHOTO: cs_photo_cell_set_photo (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_cell_dispose (GObject *object)
{
  CsPhotoCell *self = CS_PHOTO_CELL (object);

  cs_cancel_and_clear (&self->cancellable);
  g_clear_object (&self->photo);
  g_clear_pointer (&self->overlay, gtk_widget_unparent);
  if (self->heading != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->heading));
      self->heading = NULL;
    }
  G_OBJECT_CLASS (cs_photo_cell_parent_class)->dispose (object);
}

static void
cs_photo_cell_class_init (CsPhotoCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_photo_cell_get_property;
  object_class->set_property = cs_photo_cell_set_property;
  object_class->dispose = cs_photo_cell_dispose;
  widget_class->measure = cs_photo_cell_measure;
  widget_class->size_allocate = cs_photo_cell_size_allocate;
  widget_class->get_request_mode = cs_photo_cell_get_request_mode;

  properties[PROP_PHOTO] =
    g_param_spec_object ("photo", NULL, NULL, CS_TYPE_PHOTO,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cs-photo-cell");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

/* Built in C rather than from a template: a grid makes a hundred of
 * these in one frame, and instantiating a GtkBuilder template cost about
 * half a millisecond each (measured with CLIPSIGHT_DEBUG_STALLS). */
static void
cs_photo_cell_init (CsPhotoCell *self)
{
  self->overlay = gtk_overlay_new ();
  gtk_widget_set_overflow (self->overlay, GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (self->overlay, "thumbnail");
  gtk_widget_set_parent (self->overlay, GTK_WIDGET (self));

  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_COVER);
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->picture));

  /* the two badges are made when first needed */
}

static void
show_missing (CsPhotoCell *self,
              gboolean     missing)
{
  if (missing && self->missing_icon == NULL)
    {
      self->missing_icon = GTK_IMAGE (gtk_image_new_from_icon_name ("image-missing-symbolic"));
      gtk_image_set_pixel_size (self->missing_icon, 32);
      gtk_widget_set_halign (GTK_WIDGET (self->missing_icon), GTK_ALIGN_CENTER);
      gtk_widget_set_valign (GTK_WIDGET (self->missing_icon), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (self->missing_icon), "dim-label");
      gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->missing_icon));
    }
  if (self->missing_icon != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->missing_icon), missing);
}

static void
show_verdict (CsPhotoCell *self,
              int          verdict)
{
  if (verdict != 0 && self->verdict_icon == NULL)
    {
      self->verdict_icon = GTK_IMAGE (gtk_image_new ());
      gtk_widget_set_halign (GTK_WIDGET (self->verdict_icon), GTK_ALIGN_END);
      gtk_widget_set_valign (GTK_WIDGET (self->verdict_icon), GTK_ALIGN_END);
      gtk_widget_set_margin_end (GTK_WIDGET (self->verdict_icon), 6);
      gtk_widget_set_margin_bottom (GTK_WIDGET (self->verdict_icon), 6);
      gtk_widget_add_css_class (GTK_WIDGET (self->verdict_icon), "verdict");
      gtk_widget_add_css_class (GTK_WIDGET (self->verdict_icon), "osd");
      gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), GTK_WIDGET (self->verdict_icon));
    }
  if (self->verdict_icon == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->verdict_icon), verdict != 0);
  if (verdict > 0)
    {
      gtk_image_set_from_icon_name (self->verdict_icon, "emblem-ok-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->verdict_icon), _("Confirmed for this label"));
    }
  else if (verdict < 0)
    {
      gtk_image_set_from_icon_name (self->verdict_icon, "action-unavailable-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->verdict_icon), _("Rejected for this label"));
    }
}

CsPhoto *
cs_photo_cell_get_photo (CsPhotoCell *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_CELL (self), NULL);
  return self->photo;
}

void
cs_photo_cell_set_photo (CsPhotoCell *self,
                         CsPhoto     *photo)
{
  CsThumbnailer *thumbnailer;
  GdkTexture *texture;
  int verdict;

  g_return_if_fail (CS_IS_PHOTO_CELL (self));
  g_return_if_fail (photo == NULL || CS_IS_PHOTO (photo));

  if (self->photo == photo)
    return;
  cs_cancel_and_clear (&self->cancellable);
  g_set_object (&self->photo, photo);
  show_missing (self, FALSE);

  if (photo == NULL)
    {
      gtk_picture_set_paintable (self->picture, NULL);
      show_verdict (self, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHOTO]);
      return;
    }

  /* near misses are no longer dimmed (55 % opacity said nothing in
   * words): the grid heads them "More Results" (issue 17) */
  verdict = cs_photo_get_verdict (photo);
  show_verdict (self, verdict);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cs_photo_get_display_name (photo), -1);

  thumbnailer = cs_thumbnailer_get_default ();
  texture = cs_thumbnailer_lookup (thumbnailer, cs_photo_get_path (photo));
  if (texture != NULL)
    {
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      gtk_widget_remove_css_class (GTK_WIDGET (self), "loading");
    }
  else
    {
      gtk_picture_set_paintable (self->picture, NULL);
      gtk_widget_add_css_class (GTK_WIDGET (self), "loading");
      self->cancellable = g_cancellable_new ();
      cs_thumbnailer_load_async (thumbnailer, cs_photo_get_path (photo), self->cancellable,
                                 on_thumbnail_cb, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHOTO]);
}

gboolean
cs_photo_cell_get_loaded (CsPhotoCell *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_CELL (self), FALSE);
  return gtk_picture_get_paintable (self->picture) != NULL;
}

/* Over the photo's top edge: GTK 4.8's grid has no full-width header
 * rows (cs-photo-grid.h), so the first photo of a section carries it. */
void
cs_photo_cell_set_heading (CsPhotoCell *self,
                           const char  *heading)
{
  g_return_if_fail (CS_IS_PHOTO_CELL (self));
  if (heading != NULL && self->heading == NULL)
    {
      self->heading = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_set_halign (GTK_WIDGET (self->heading), GTK_ALIGN_START);
      gtk_widget_set_valign (GTK_WIDGET (self->heading), GTK_ALIGN_START);
      gtk_widget_set_margin_start (GTK_WIDGET (self->heading), 6);
      gtk_widget_set_margin_end (GTK_WIDGET (self->heading), 6);
      gtk_widget_set_margin_top (GTK_WIDGET (self->heading), 6);
      gtk_label_set_wrap (self->heading, TRUE);
      gtk_label_set_wrap_mode (self->heading, PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (self->heading, 2);
      gtk_label_set_ellipsize (self->heading, PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (self->heading, 0);
      gtk_widget_add_css_class (GTK_WIDGET (self->heading), "heading");
      gtk_widget_add_css_class (GTK_WIDGET (self->heading), "osd");
      gtk_widget_add_css_class (GTK_WIDGET (self->heading), "section-heading");
      /* the cell's own child, after the photo (drawn over it), placed by
       * cs_photo_cell_size_allocate (): an overlay gives a child its
       * one-line height, so a wrapped heading lost its second line */
      gtk_widget_set_parent (GTK_WIDGET (self->heading), GTK_WIDGET (self));
    }
  if (self->heading == NULL)
    return;
  gtk_label_set_label (self->heading, heading != NULL ? heading : "");
  gtk_widget_set_visible (GTK_WIDGET (self->heading), heading != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  heading != NULL ? heading : "", -1);
}

const char *
cs_photo_cell_get_heading (CsPhotoCell *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_CELL (self), NULL);
  if (self->heading == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->heading)))
    return NULL;
  return gtk_label_get_label (self->heading);
}

void
cs_photo_cell_set_fixed_size (CsPhotoCell *self,
                              int          size)
{
  g_return_if_fail (CS_IS_PHOTO_CELL (self));
  self->fixed_size = size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
