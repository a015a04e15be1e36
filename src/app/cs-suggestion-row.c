/* cs-suggestion-row.c - a suggested album in the sidebar, with its context
 * menu (right click, long press, Menu or Shift+F10).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cs-row-menu.h"
#include "cs-suggestion-row.h"
#include "cs-thumbnailer.h"

#define COVER_SIZE 32

struct _CsSuggestionRow {
  GtkListBoxRow  parent_instance;

  CsSuggestion  *suggestion;
  GtkWidget     *cover;       /* GtkImage */
  GCancellable  *cancellable; /* the cover's thumbnail */
};

G_DEFINE_FINAL_TYPE (CsSuggestionRow, cs_suggestion_row, GTK_TYPE_LIST_BOX_ROW)

GMenuModel *
cs_suggestion_menu_new (CsSuggestion *suggestion)
{
  GMenu *menu = g_menu_new ();
  const char *key = cs_suggestion_get_key (suggestion);
  g_autoptr(GMenuItem) keep = g_menu_item_new (_("_Keep as Label"), NULL);
  g_autoptr(GMenuItem) dismiss = g_menu_item_new (_("_Dismiss"), NULL);

  /* the key, not a position: the list may be recomputed while the menu
   * is open, and the action must still apply to what was shown */
  g_menu_item_set_action_and_target_value (keep, "suggested.keep", g_variant_new_string (key));
  g_menu_item_set_action_and_target_value (dismiss, "suggested.dismiss", g_variant_new_string (key));
  g_menu_append_item (menu, keep);
  g_menu_append_item (menu, dismiss);
  return G_MENU_MODEL (menu);
}

static void
on_cover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = cs_thumbnailer_load_finish (CS_THUMBNAILER (source), result, &error);
  CsSuggestionRow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* not cancelled: the row is alive */
  self = CS_SUGGESTION_ROW (user_data);
  g_clear_object (&self->cancellable);
  if (texture != NULL)
    gtk_image_set_from_paintable (GTK_IMAGE (self->cover), GDK_PAINTABLE (texture));
}

static GMenuModel *
make_menu (GtkWidget *row)
{
  return cs_suggestion_menu_new (CS_SUGGESTION_ROW (row)->suggestion);
}

static void
cs_suggestion_row_dispose (GObject *object)
{
  CsSuggestionRow *self = CS_SUGGESTION_ROW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cs_row_menu_dispose (GTK_WIDGET (self));
  g_clear_object (&self->suggestion);
  G_OBJECT_CLASS (cs_suggestion_row_parent_class)->dispose (object);
}

static void
cs_suggestion_row_class_init (CsSuggestionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_suggestion_row_dispose;
  cs_row_menu_install_action (widget_class, "suggestion-row.menu");
}

static void
cs_suggestion_row_init (CsSuggestionRow *self)
{
  cs_row_menu_init (GTK_WIDGET (self), make_menu);
}

GtkWidget *
cs_suggestion_row_new (CsSuggestion *suggestion)
{
  CsSuggestionRow *self = g_object_new (CS_TYPE_SUGGESTION_ROW, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *name = gtk_label_new (cs_suggestion_get_name (suggestion));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (cs_suggestion_get_photos (suggestion)));
  g_autofree char *count_text = g_strdup_printf ("%'u", n);
  GtkWidget *count = gtk_label_new (count_text);
  CsPhoto *cover = cs_suggestion_get_cover (suggestion);
  g_autofree char *description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %'u photo",
                                                               "%s, %'u photos", n),
                                                  cs_suggestion_get_name (suggestion), n);

  self->suggestion = g_object_ref (suggestion);

  /* a small cover, the same size whatever the photo's shape, so that the
   * names line up (a GtkPicture asks for its photo's width) */
  self->cover = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (self->cover), COVER_SIZE);
  gtk_frame_set_child (GTK_FRAME (frame), self->cover);
  gtk_widget_set_overflow (frame, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_valign (frame, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), frame);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_set_tooltip_text (name, cs_suggestion_get_name (suggestion));
  gtk_box_append (GTK_BOX (box), name);

  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_box_append (GTK_BOX (box), count);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);

  if (cover != NULL)
    {
      CsThumbnailer *thumbnailer = cs_thumbnailer_get_default ();
      GdkTexture *texture = cs_thumbnailer_lookup (thumbnailer, cs_photo_get_path (cover));

      if (texture != NULL)
        gtk_image_set_from_paintable (GTK_IMAGE (self->cover), GDK_PAINTABLE (texture));
      else
        {
          self->cancellable = g_cancellable_new ();
          cs_thumbnailer_load_async (thumbnailer, cs_photo_get_path (cover), self->cancellable,
                                     on_cover_cb, self);
        }
    }
  return GTK_WIDGET (self);
}

CsSuggestion *
cs_suggestion_row_get_suggestion (CsSuggestionRow *self)
{
  g_return_val_if_fail (CS_IS_SUGGESTION_ROW (self), NULL);
  return self->suggestion;
}
