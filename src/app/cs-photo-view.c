/* cs-photo-view.c - one photo, larger, with its details and actions.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The large image is decoded on a worker thread (cs_decode_file_for_size
 * at about the screen's size), a request at a time: moving on cancels the
 * previous one.  The thumbnail stands in until it arrives.
 *
 * The photo is shown whole and never above 100 % ("fit"), until zoomed
 * (+, -, 1 and 0, Ctrl+scroll, a pinch): then at that scale, in a
 * scrolled window that a drag pans.  100 % is a pixel of the image
 * shown, which is at most VIEW_SIZE pixels on its long side.
 */
#define G_LOG_DOMAIN "cs-photo-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-cancel.h"
#include "cs-compat.h"
#include "cs-decode.h"
#include "cs-label-names.h"
#include "cs-markup.h"
#include "cs-match-words.h"
#include "cs-photo-list.h"
#include "cs-photo-view.h"
#include "cs-thumbnailer.h"

#include <math.h>

#define VIEW_SIZE 1600
/* the details' width, and the least the photo keeps beside them: below
 * both together the details cover the photo instead (issue 17: the
 * photo had 95 px of a 360 px window) */
#define DETAILS_WIDTH  300
#define STAGE_MIN_WIDTH 300
#define STAGE_MARGIN   12
#define ZOOM_STEP      1.25
#define ZOOM_MAX       8.0

struct _CsPhotoView {
  GtkWidget       parent_instance;

  AdwWindowTitle *title;
  GtkPicture     *picture;
  GtkWidget      *root;
  GtkWidget      *split_box;
  GtkWidget      *stage;
  GtkScrolledWindow *scroller;
  GtkWidget      *details;
  GtkWidget      *split;
  GtkToggleButton *details_button;
  GtkButton      *fullscreen_button;
  AdwActionRow   *name_row;
  AdwActionRow   *folder_row;
  AdwActionRow   *date_row;
  AdwActionRow   *size_row;
  AdwActionRow   *dimensions_row;
  AdwActionRow   *score_row;
  GtkWidget      *verdict_box;
  GtkButton      *confirm_button;
  GtkButton      *reject_button;
  GtkMenuButton  *label_menu_button;

  GListModel     *list;
  guint           position;
  CsPhoto        *photo;
  CsLabel        *label;
  GListModel     *labels;
  GCancellable   *cancellable;
  gboolean        loaded;

  double          zoom;            /* 0: fit, else the scale shown */
  double          pinch_start;     /* the scale when a pinch began */
  double          drag_start_x;    /* the scroll position when a drag began */
  double          drag_start_y;
  double          pointer_x;       /* last seen over the photo, for Ctrl+scroll */
  double          pointer_y;
  gboolean        fullscreened;    /* the photo view made the window fullscreen */
};

G_DEFINE_FINAL_TYPE (CsPhotoView, cs_photo_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CLOSE,
  SIGNAL_FIND_SIMILAR,
  SIGNAL_VERDICT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_photo (CsPhotoView *self);
static void set_zoom   (CsPhotoView *self,
                        double       zoom,
                        double       x,
                        double       y);

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static void
free_decoded (guchar  *pixels,
              gpointer data)
{
  cs_decoded_image_free (data);
}

static void
decode_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  CsDecodedImage *image = cs_decode_file_for_size (task_data, VIEW_SIZE / 2, 0, &error);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;
  int w, h;
  double scale;

  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      cs_decoded_image_free (image);
      return;
    }
  w = image->width;
  h = image->height;
  pixbuf = gdk_pixbuf_new_from_data (image->pixels, GDK_COLORSPACE_RGB, image->channels == 4, 8, w, h,
                                     image->stride, free_decoded, image);
  scale = (double) VIEW_SIZE / MAX (w, h);
  if (scale < 1.0)
    scaled = gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) (w * scale)), MAX (1, (int) (h * scale)),
                                      GDK_INTERP_BILINEAR);
  else
    scaled = gdk_pixbuf_copy (pixbuf);
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (scaled), g_object_unref);
}

static void
on_decoded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  CsPhotoView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_PHOTO_VIEW (user_data);
  g_clear_object (&self->cancellable);
  if (texture != NULL)
    {
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      self->loaded = TRUE;
      set_zoom (self, 0, -1, -1);
    }
  else
    g_debug ("cannot show the photo: %s", error->message);
}

static void
on_thumbnail_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GdkTexture) texture = cs_thumbnailer_load_finish (CS_THUMBNAILER (source), result, NULL);
  CsPhotoView *self;

  if (texture == NULL)
    return;
  self = CS_PHOTO_VIEW (user_data);
  if (!self->loaded)
    gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
}

/* ------------------------------------------------------------------ */
/* Showing                                                              */
/* ------------------------------------------------------------------ */

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_time);

  if (unix_time <= 0 || dt == NULL)
    return g_strdup (_("Unknown"));
  /* Translators: date and time a photo was taken; see g_date_time_format()
   * ("%-d": the day without padding, "3 March 2024") */
  return g_date_time_format (dt, _("%-d %B %Y, %H:%M"));
}

static void
update_verdict_buttons (CsPhotoView *self)
{
  int verdict = self->photo != NULL && self->label != NULL ? cs_photo_get_verdict (self->photo) : 0;

  gtk_widget_set_visible (self->verdict_box, self->label != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->label_menu_button),
                          self->label == NULL && self->labels != NULL && g_list_model_get_n_items (self->labels) > 0);
  if (self->label != NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), verdict <= 0);
      gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), verdict >= 0);
    }
}

static void
show_photo (CsPhotoView *self)
{
  CsThumbnailer *thumbnailer = cs_thumbnailer_get_default ();
  g_autoptr(GTask) task = NULL;
  g_autofree char *date = NULL;
  g_autofree char *size = NULL;
  g_autofree char *dims = NULL;
  g_autofree char *score = NULL;
  GdkTexture *thumb;
  const char *path;
  int w, h;

  cs_cancel_and_clear (&self->cancellable);
  self->loaded = FALSE;
  set_zoom (self, 0, -1, -1);
  gtk_picture_set_paintable (self->picture, NULL);
  if (self->photo == NULL)
    return;

  path = cs_photo_get_path (self->photo);
  adw_window_title_set_title (self->title, cs_photo_get_display_name (self->photo));
  if (self->list != NULL)
    {
      g_autofree char *sub = g_strdup_printf (_("%u of %u"), self->position + 1,
                                              g_list_model_get_n_items (self->list));
      adw_window_title_set_subtitle (self->title, sub);
    }
  date = format_date (cs_photo_get_taken (self->photo));
  size = g_format_size (cs_photo_get_size (self->photo));
  w = cs_photo_get_width (self->photo);
  h = cs_photo_get_height (self->photo);
  /* Translators: width × height of a photo in pixels */
  dims = w > 0 ? g_strdup_printf (_("%d × %d pixels"), w, h) : g_strdup (_("Unknown"));
  adw_action_row_set_subtitle (self->name_row, cs_photo_get_display_name (self->photo));
  adw_action_row_set_subtitle (self->folder_row, cs_photo_get_folder (self->photo));
  /* a file's time is when it was saved or copied, not when the photo
   * was taken: say so (a photo indexed before Clipsight recorded which
   * keeps the old title) */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->date_row),
                                 cs_photo_get_date_source (self->photo) == CS_PHOTO_DATE_FILE
                                 ? _("File Modified") : _("Date Taken"));
  adw_action_row_set_subtitle (self->date_row, date);
  adw_action_row_set_subtitle (self->size_row, size);
  adw_action_row_set_subtitle (self->dimensions_row, dims);
  if (self->label != NULL)
    score = g_strdup_printf (_("%.0f %% likely in this label"), 100 * cs_photo_get_probability (self->photo));
  else if (self->list != NULL && CS_IS_PHOTO_LIST (self->list))
    {
      /* in words, read against the query's own cutoff, as the grid's
       * "Best Matches" and "More Results" are */
      g_autoptr(CsPhoto) first = g_list_model_get_item (self->list, 0);
      double best = first != NULL ? cs_photo_get_score (first) : cs_photo_get_score (self->photo);

      score = g_strdup (cs_match_words (cs_photo_get_score (self->photo),
                                        cs_photo_list_get_cutoff (CS_PHOTO_LIST (self->list)), best,
                                        cs_photo_get_accepted (self->photo)));
    }
  else
    score = g_strdup_printf (_("%.3f similarity"), cs_photo_get_score (self->photo));
  adw_action_row_set_subtitle (self->score_row, score);
  gtk_widget_set_visible (GTK_WIDGET (self->score_row), cs_photo_get_score (self->photo) != 0);
  update_verdict_buttons (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.previous", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.next",
                                 self->list != NULL && self->position + 1 < g_list_model_get_n_items (self->list));

  self->cancellable = g_cancellable_new ();
  thumb = cs_thumbnailer_lookup (thumbnailer, path);
  if (thumb != NULL)
    gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (thumb));
  else
    cs_thumbnailer_load_async (thumbnailer, path, self->cancellable, on_thumbnail_cb, self);
  task = g_task_new (NULL, self->cancellable, on_decoded_cb, self);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, decode_thread);
}

static void
move_to (CsPhotoView *self,
         guint        position)
{
  g_autoptr(CsPhoto) photo = NULL;

  if (self->list == NULL || position >= g_list_model_get_n_items (self->list))
    return;
  photo = g_list_model_get_item (self->list, position);
  self->position = position;
  g_set_object (&self->photo, photo);
  show_photo (self);
}

/* ------------------------------------------------------------------ */
/* Zoom and pan                                                         */
/* ------------------------------------------------------------------ */

static void
image_size (CsPhotoView *self,
            double      *width,
            double      *height)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);

  *width = paintable != NULL ? gdk_paintable_get_intrinsic_width (paintable) : 0;
  *height = paintable != NULL ? gdk_paintable_get_intrinsic_height (paintable) : 0;
}

/* The scale the photo is drawn at: the picture keeps the aspect ratio
 * inside its allocation. */
static double
shown_scale (CsPhotoView *self)
{
  double w, h;

  image_size (self, &w, &h);
  if (w <= 0 || h <= 0)
    return 1.0;
  return MIN (gtk_widget_get_width (GTK_WIDGET (self->picture)) / w,
              gtk_widget_get_height (GTK_WIDGET (self->picture)) / h);
}

/* The whole photo in the stage, never above 100 %. */
static double
fit_scale (CsPhotoView *self)
{
  double w, h;
  int aw = gtk_widget_get_width (GTK_WIDGET (self->scroller)) - 2 * STAGE_MARGIN;
  int ah = gtk_widget_get_height (GTK_WIDGET (self->scroller)) - 2 * STAGE_MARGIN;

  image_size (self, &w, &h);
  if (w <= 0 || h <= 0 || aw <= 0 || ah <= 0)
    return 1.0;
  return MIN (1.0, MIN (aw / w, ah / h));
}

static void
set_fit (CsPhotoView *self)
{
  GtkWidget *picture = GTK_WIDGET (self->picture);
  /* the thumbnail standing in for a large photo fills the stage as the
   * photo will; the photo itself is never shown above 100 % */
  GtkAlign align = self->loaded ? GTK_ALIGN_CENTER : GTK_ALIGN_FILL;

  self->zoom = 0;
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_NEVER);
  gtk_widget_set_size_request (picture, -1, -1);
  gtk_widget_set_halign (picture, align);
  gtk_widget_set_valign (picture, align);
  gtk_widget_set_margin_start (picture, STAGE_MARGIN);
  gtk_widget_set_margin_end (picture, STAGE_MARGIN);
  gtk_widget_set_margin_top (picture, STAGE_MARGIN);
  gtk_widget_set_margin_bottom (picture, STAGE_MARGIN);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.zoom-out", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.zoom-fit", FALSE);
}

/* One axis of a zoom: the scroll position that keeps the photo's point
 * under `at` (in the stage) there, the picture going from `old_size` at
 * `old_origin` (its drawn image's left or top edge, in the stage) to
 * `new_size`. */
static void
zoom_axis (GtkAdjustment *adj,
           double         at,
           double         old_origin,
           double         old_size,
           double         new_size)
{
  double page = gtk_adjustment_get_page_size (adj);
  double upper = MAX (page, new_size);
  double fraction = old_size > 0 ? CLAMP ((at - old_origin) / old_size, 0, 1) : 0.5;
  double value = (upper - new_size) / 2 + fraction * new_size - at;

  /* set now: the scrolled window keeps the value through its next
   * allocation, where the new upper bound holds */
  gtk_adjustment_configure (adj, CLAMP (value, 0, upper - page), 0, upper,
                            page / 10, page * 0.9, page);
}

/* Shows the photo at `zoom` (0 or at most the fit: fitted), the point
 * under (x, y) of the stage staying there (the middle when x < 0). */
static void
set_zoom (CsPhotoView *self,
          double       zoom,
          double       x,
          double       y)
{
  GtkWidget *picture = GTK_WIDGET (self->picture);
  GtkWidget *scroller = GTK_WIDGET (self->scroller);
  graphene_rect_t bounds;
  double w, h, fit, old_scale;

  image_size (self, &w, &h);
  fit = fit_scale (self);
  if (!self->loaded || w <= 0 || h <= 0 || zoom <= fit * 1.001)
    {
      set_fit (self);
      return;
    }
  zoom = MIN (zoom, ZOOM_MAX);
  if (x < 0)
    {
      x = gtk_widget_get_width (scroller) / 2.0;
      y = gtk_widget_get_height (scroller) / 2.0;
    }
  old_scale = shown_scale (self);
  if (!gtk_widget_compute_bounds (picture, scroller, &bounds))
    graphene_rect_init (&bounds, 0, 0, w * old_scale, h * old_scale);
  zoom_axis (gtk_scrolled_window_get_hadjustment (self->scroller), x,
             bounds.origin.x + (bounds.size.width - w * old_scale) / 2, w * old_scale, w * zoom);
  zoom_axis (gtk_scrolled_window_get_vadjustment (self->scroller), y,
             bounds.origin.y + (bounds.size.height - h * old_scale) / 2, h * old_scale, h * zoom);

  self->zoom = zoom;
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_margin_start (picture, 0);
  gtk_widget_set_margin_end (picture, 0);
  gtk_widget_set_margin_top (picture, 0);
  gtk_widget_set_margin_bottom (picture, 0);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (picture, (int) ceil (w * zoom), (int) ceil (h * zoom));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.zoom-out", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "photo.zoom-fit", TRUE);
}

static void
zoom_by (CsPhotoView *self,
         double       factor,
         double       x,
         double       y)
{
  set_zoom (self, (self->zoom > 0 ? self->zoom : shown_scale (self)) * factor, x, y);
}

static void
zoom_in_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  zoom_by (CS_PHOTO_VIEW (widget), ZOOM_STEP, -1, -1);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  zoom_by (CS_PHOTO_VIEW (widget), 1 / ZOOM_STEP, -1, -1);
}

static void
zoom_fit_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  set_zoom (CS_PHOTO_VIEW (widget), 0, -1, -1);
}

static void
zoom_original_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  set_zoom (CS_PHOTO_VIEW (widget), 1.0, -1, -1);
}

static void
on_pointer_motion_cb (GtkEventControllerMotion *motion,
                      double                    x,
                      double                    y,
                      CsPhotoView              *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

/* Ctrl+scroll zooms at the pointer; a plain scroll scrolls. */
static gboolean
on_scroll_cb (GtkEventControllerScroll *scroll,
              double                    dx,
              double                    dy,
              CsPhotoView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if ((state & GDK_CONTROL_MASK) == 0 || dy == 0)
    return FALSE;
  zoom_by (self, pow (ZOOM_STEP, -dy), self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
on_pinch_begin_cb (GtkGesture       *gesture,
                   GdkEventSequence *sequence,
                   CsPhotoView      *self)
{
  self->pinch_start = self->zoom > 0 ? self->zoom : shown_scale (self);
}

static void
on_pinch_scale_cb (GtkGestureZoom *gesture,
                   double          scale,
                   CsPhotoView    *self)
{
  double x, y;

  /* about the fingers' middle (the stage's, when it has no points) */
  if (!gtk_gesture_is_active (GTK_GESTURE (gesture))
      || !gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    x = y = -1;
  if (self->pinch_start <= 0)
    self->pinch_start = self->zoom > 0 ? self->zoom : shown_scale (self);
  set_zoom (self, self->pinch_start * scale, x, y);
}

/* A drag pans a zoomed photo. */
static void
on_drag_begin_cb (GtkGestureDrag *drag,
                  double          x,
                  double          y,
                  CsPhotoView    *self)
{
  if (self->zoom <= 0)
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_start_x = gtk_adjustment_get_value (gtk_scrolled_window_get_hadjustment (self->scroller));
  self->drag_start_y = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->scroller), "grabbing");
}

static void
on_drag_update_cb (GtkGestureDrag *drag,
                   double          dx,
                   double          dy,
                   CsPhotoView    *self)
{
  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (self->scroller), self->drag_start_x - dx);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), self->drag_start_y - dy);
}

static void
on_drag_end_cb (GtkGestureDrag *drag,
                double          dx,
                double          dy,
                CsPhotoView    *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self->scroller), NULL);
}

static void
setup_gestures (CsPhotoView *self)
{
  GtkWidget *scroller = GTK_WIDGET (self->scroller);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *pinch = gtk_gesture_zoom_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (motion, "motion", G_CALLBACK (on_pointer_motion_cb), self);
  gtk_widget_add_controller (scroller, motion);
  /* before the scrolled window scrolls */
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll_cb), self);
  gtk_widget_add_controller (scroller, scroll);
  g_signal_connect (pinch, "begin", G_CALLBACK (on_pinch_begin_cb), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (on_pinch_scale_cb), self);
  gtk_widget_add_controller (scroller, GTK_EVENT_CONTROLLER (pinch));
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end_cb), self);
  gtk_widget_add_controller (scroller, GTK_EVENT_CONTROLLER (drag));
}

/* ------------------------------------------------------------------ */
/* Fullscreen                                                           */
/* ------------------------------------------------------------------ */

static void
set_fullscreen (CsPhotoView *self,
                gboolean     fullscreen)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!GTK_IS_WINDOW (root) || fullscreen == self->fullscreened)
    return;
  self->fullscreened = fullscreen;
  if (fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (root));
  else
    gtk_window_unfullscreen (GTK_WINDOW (root));
  gtk_button_set_icon_name (self->fullscreen_button,
                            fullscreen ? "view-restore-symbolic" : "view-fullscreen-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fullscreen_button),
                               fullscreen ? _("Leave Fullscreen") : _("Fullscreen"));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);

  set_fullscreen (self, !self->fullscreened);
}

/* ------------------------------------------------------------------ */
/* Actions                                                              */
/* ------------------------------------------------------------------ */

static void
back_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  set_fullscreen (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_CLOSE], 0);
}

/* Escape leaves fullscreen first, then the photo. */
static void
escape_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);

  if (self->fullscreened)
    set_fullscreen (self, FALSE);
  else
    gtk_widget_activate_action (widget, "photo.back", NULL);
}

static void
previous_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  if (self->position > 0)
    move_to (self, self->position - 1);
}

static void
next_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  move_to (self, self->position + 1);
}

static void
on_launched_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("cannot open the photo: %s", error->message);
}

static void
open_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->photo == NULL)
    return;
  file = cs_photo_dup_file (self->photo);
  uri = g_file_get_uri (file);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, on_launched_cb, NULL);
}

static void
on_shown_in_folder_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CsPhotoView) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;
  g_autofree char *text = NULL;

  if (cs_compat_show_in_folder_finish (result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* a click that does nothing says why */
  text = g_strdup_printf (_("Cannot show the folder: %s"), error->message);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), cs_toast_new_text (text));
  else
    g_warning ("%s", text);
}

static void
show_in_files_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  g_autoptr(GFile) file = NULL;
  GtkRoot *root;

  if (self->photo == NULL)
    return;
  file = cs_photo_dup_file (self->photo);
  root = gtk_widget_get_root (widget);
  cs_compat_show_in_folder_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, file, NULL,
                                  on_shown_in_folder_cb, g_object_ref (self));
}

static void
copy_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkContentProvider) provider = NULL;
  GdkContentProvider *parts[2];
  GSList list = { NULL, NULL };
  GValue value = G_VALUE_INIT;
  g_autofree char *path_text = NULL;

  if (self->photo == NULL)
    return;
  file = cs_photo_dup_file (self->photo);
  list.data = file;
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (&list));
  path_text = g_file_get_uri (file);
  parts[0] = gdk_content_provider_new_for_value (&value);
  parts[1] = gdk_content_provider_new_typed (G_TYPE_STRING, path_text);
  provider = gdk_content_provider_new_union (parts, 2);
  gdk_clipboard_set_content (clipboard, provider);
  g_value_unset (&value);
}

static void
find_similar_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  g_autoptr(CsPhoto) photo = NULL;

  if (self->photo == NULL)
    return;
  photo = g_object_ref (self->photo);
  g_signal_emit (self, signals[SIGNAL_FIND_SIMILAR], 0, photo);
}

static void
verdict_for (CsPhotoView *self,
             CsLabel     *label,
             int          verdict)
{
  if (self->photo == NULL || label == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_VERDICT], 0, label, self->photo, verdict);
}

static void
confirm_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  verdict_for (self, self->label, 1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), TRUE);
}

static void
reject_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  verdict_for (self, self->label, -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), FALSE);
}

static void
add_to_label_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CsPhotoView *self = CS_PHOTO_VIEW (widget);
  guint index = g_variant_get_uint32 (param);
  g_autoptr(CsLabel) label = NULL;

  if (self->labels == NULL || index >= g_list_model_get_n_items (self->labels))
    return;
  label = g_list_model_get_item (self->labels, index);
  verdict_for (self, label, 1);
}

static void
rebuild_label_menu (CsPhotoView *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  guint n = self->labels != NULL ? g_list_model_get_n_items (self->labels) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsLabel) label = g_list_model_get_item (self->labels, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (cs_label_get_display_name (label), NULL);
      g_menu_item_set_action_and_target_value (item, "photo.add-to-label", g_variant_new_uint32 (i));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->label_menu_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->label_menu_button), self->label == NULL && n > 0);
}

static void
on_labels_changed_cb (GListModel  *labels,
                      guint        position,
                      guint        removed,
                      guint        added,
                      CsPhotoView *self)
{
  rebuild_label_menu (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cs_photo_view_dispose (GObject *object)
{
  CsPhotoView *self = CS_PHOTO_VIEW (object);

  cs_cancel_and_clear (&self->cancellable);
  if (self->labels != NULL)
    g_signal_handlers_disconnect_by_func (self->labels, on_labels_changed_cb, self);
  g_clear_object (&self->labels);
  g_clear_object (&self->list);
  g_clear_object (&self->photo);
  g_clear_object (&self->label);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PHOTO_VIEW);
  /* the template's root is not a bound child */
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (cs_photo_view_parent_class)->dispose (object);
}

static void
cs_photo_view_class_init (CsPhotoViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_photo_view_dispose;

  /* The user leaves the photo (Back, Escape). */
  signals[SIGNAL_CLOSE] =
    g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* "Find Similar" on the photo. */
  signals[SIGNAL_FIND_SIMILAR] =
    g_signal_new ("find-similar", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, CS_TYPE_PHOTO);
  /* The user's word on the photo for a label: label, photo, +1 or -1. */
  signals[SIGNAL_VERDICT] =
    g_signal_new ("verdict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, CS_TYPE_LABEL, CS_TYPE_PHOTO, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-photo-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, title);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, picture);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, root);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, split_box);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, stage);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, scroller);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, details);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, fullscreen_button);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, details_button);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, name_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, folder_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, date_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, size_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, dimensions_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, score_row);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, verdict_box);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, reject_button);
  gtk_widget_class_bind_template_child (widget_class, CsPhotoView, label_menu_button);

  gtk_widget_class_install_action (widget_class, "photo.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "photo.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "photo.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "photo.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "photo.show-in-files", NULL, show_in_files_action);
  gtk_widget_class_install_action (widget_class, "photo.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "photo.find-similar", NULL, find_similar_action);
  gtk_widget_class_install_action (widget_class, "photo.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "photo.reject", NULL, reject_action);
  gtk_widget_class_install_action (widget_class, "photo.add-to-label", "u", add_to_label_action);
  gtk_widget_class_install_action (widget_class, "photo.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "photo.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "photo.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "photo.zoom-original", NULL, zoom_original_action);
  gtk_widget_class_install_action (widget_class, "photo.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "photo.escape", NULL, escape_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "photo.escape", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "photo.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "photo.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "photo.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "photo.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "photo.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "photo.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "photo.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "photo.copy", NULL);
  /* not Ctrl+S, which is Save everywhere else; Ctrl+F is the window's
   * search */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "photo.find-similar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "photo.fullscreen", NULL);
  {
    static const guint in_keys[] = { GDK_KEY_plus, GDK_KEY_equal, GDK_KEY_KP_Add };
    static const guint out_keys[] = { GDK_KEY_minus, GDK_KEY_KP_Subtract };

    for (guint i = 0; i < G_N_ELEMENTS (in_keys); i++)
      {
        gtk_widget_class_add_binding_action (widget_class, in_keys[i], 0, "photo.zoom-in", NULL);
        gtk_widget_class_add_binding_action (widget_class, in_keys[i], GDK_CONTROL_MASK, "photo.zoom-in", NULL);
      }
    for (guint i = 0; i < G_N_ELEMENTS (out_keys); i++)
      {
        gtk_widget_class_add_binding_action (widget_class, out_keys[i], 0, "photo.zoom-out", NULL);
        gtk_widget_class_add_binding_action (widget_class, out_keys[i], GDK_CONTROL_MASK, "photo.zoom-out", NULL);
      }
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "photo.zoom-fit", NULL);
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "photo.zoom-fit", NULL);
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "photo.zoom-fit", NULL);
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "photo.zoom-original", NULL);
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_1, 0, "photo.zoom-original", NULL);
  }

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cs-photo-view");
}

static void
cs_photo_view_init (CsPhotoView *self)
{
  GtkWidget *toolbar;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->split = cs_compat_overlay_split_new (self->stage, self->details, self->details_button,
                                             DETAILS_WIDTH, STAGE_MIN_WIDTH);
  gtk_widget_set_hexpand (self->split, TRUE);
  gtk_box_append (GTK_BOX (self->split_box), self->split);
  g_object_ref (self->root);
  gtk_widget_unparent (self->root);
  toolbar = cs_compat_toolbar_view_from_box (self->root);
  gtk_widget_set_parent (toolbar, GTK_WIDGET (self));
  g_object_unref (self->root);
  setup_gestures (self);
  set_fit (self);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  update_verdict_buttons (self);
  rebuild_label_menu (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

void
cs_photo_view_set_list (CsPhotoView *self,
                        GListModel  *list,
                        guint        position)
{
  g_return_if_fail (CS_IS_PHOTO_VIEW (self));
  g_set_object (&self->list, list);
  g_clear_object (&self->photo);
  move_to (self, position);
}

CsPhoto *
cs_photo_view_get_photo (CsPhotoView *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_VIEW (self), NULL);
  return self->photo;
}

guint
cs_photo_view_get_position (CsPhotoView *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_VIEW (self), 0);
  return self->position;
}

void
cs_photo_view_set_label (CsPhotoView *self,
                         CsLabel     *label)
{
  g_return_if_fail (CS_IS_PHOTO_VIEW (self));
  g_set_object (&self->label, label);
  update_verdict_buttons (self);
}

void
cs_photo_view_set_labels (CsPhotoView *self,
                          GListModel  *labels)
{
  g_return_if_fail (CS_IS_PHOTO_VIEW (self));
  if (self->labels != NULL)
    g_signal_handlers_disconnect_by_func (self->labels, on_labels_changed_cb, self);
  g_set_object (&self->labels, labels);
  if (labels != NULL)
    g_signal_connect (labels, "items-changed", G_CALLBACK (on_labels_changed_cb), self);
  rebuild_label_menu (self);
}

double
cs_photo_view_get_zoom (CsPhotoView *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_VIEW (self), 0);
  return self->zoom;
}

gboolean
cs_photo_view_get_fullscreen (CsPhotoView *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_VIEW (self), FALSE);
  return self->fullscreened;
}

gboolean
cs_photo_view_get_loaded (CsPhotoView *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_VIEW (self), FALSE);
  return self->loaded;
}
