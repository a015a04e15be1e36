/* cs-photo-grid.c - a scrolling grid of photo thumbnails.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-photo-grid"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-photo-cell.h"
#include "cs-photo-grid.h"

struct _CsPhotoGrid {
  GtkWidget          parent_instance;

  GtkScrolledWindow *scroller;
  GtkGridView       *view;
  GtkMultiSelection *selection;

  CsPhotoGridSections sections;
  GtkWidget         *menu;      /* the photos' context menu, a GtkPopoverMenu */
  GPtrArray         *cells;     /* CsPhotoCell: the cells made, to be used again */
  guint              next_cell; /* where to look for a free one */
  guint              want_columns; /* max-columns for the width allocated */
  guint              columns_idle; /* sets it, outside the allocation */
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

#define MAX_COLUMNS 16

/* The cells are made in C, not parsed from a GtkBuilder template for each
 * item as GtkBuilderListItemFactory does: the first results fill a
 * screen with a hundred cells in one frame, and parsing cost ~1 ms each
 * (measured with CLIPSIGHT_DEBUG_STALLS). */
/* GTK 4.8 does not recycle item widgets: a new result list (none of whose
 * photos are the old list's objects) destroys every one and makes as many
 * again, and making and destroying their cells was a third of that work.
 * The grid keeps a reference to the cells it makes (up to MAX_CELLS), so
 * that a cell GTK lets go of is not destroyed but left without a parent,
 * unbound, for the next item widget.  (The factory's "teardown" comes too
 * late to take the cell: GTK 4.8 has dropped it by then.) */
#define MAX_CELLS (MAX_COLUMNS * 32)

static void
on_factory_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  CsPhotoGrid *self = user_data;
  GtkWidget *cell = NULL;

  /* the cells are let go of and taken again in runs: look on from the
   * last one taken */
  for (guint i = 0; self->cells != NULL && i < self->cells->len && cell == NULL; i++)
    {
      guint k = (self->next_cell + i) % self->cells->len;

      if (gtk_widget_get_parent (self->cells->pdata[k]) == NULL)
        {
          cell = self->cells->pdata[k];
          self->next_cell = k + 1;
        }
    }
  if (cell == NULL)
    {
      cell = g_object_new (CS_TYPE_PHOTO_CELL, NULL);
      if (self->cells != NULL && self->cells->len < MAX_CELLS)
        g_ptr_array_add (self->cells, g_object_ref_sink (cell));
    }
  gtk_list_item_set_child (item, cell);
}

static void
on_factory_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  CsPhotoGrid *self = user_data;
  CsPhotoCell *cell = CS_PHOTO_CELL (gtk_list_item_get_child (item));
  guint position = gtk_list_item_get_position (item);
  g_autofree char *heading = NULL;

  cs_photo_cell_set_photo (cell, gtk_list_item_get_item (item));
  g_object_set_data (G_OBJECT (cell), "cs-position", GUINT_TO_POINTER (position + 1));
  heading = cs_photo_grid_dup_heading (self, position);
  cs_photo_cell_set_heading (cell, heading);
}

static void
on_factory_unbind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  /* cancels the thumbnail load of a recycled cell */
  cs_photo_cell_set_photo (CS_PHOTO_CELL (gtk_list_item_get_child (item)), NULL);
  cs_photo_cell_set_heading (CS_PHOTO_CELL (gtk_list_item_get_child (item)), NULL);
  g_object_set_data (G_OBJECT (gtk_list_item_get_child (item)), "cs-position", NULL);
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

/* ------------------------------------------------------------------ */
/* Section headings                                                     */
/* ------------------------------------------------------------------ */

static char *
month_heading (CsPhoto *photo)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (cs_photo_get_taken (photo));

  if (when == NULL)
    return g_strdup (_("Unknown Date"));
  /* Translators: a heading over the photos taken in one month, as
   * g_date_time_format() writes it: "March 2026" */
  return g_date_time_format (when, C_("photo grid month heading", "%B %Y"));
}

static gboolean
same_month (CsPhoto *a,
            CsPhoto *b)
{
  g_autoptr(GDateTime) x = g_date_time_new_from_unix_local (cs_photo_get_taken (a));
  g_autoptr(GDateTime) y = g_date_time_new_from_unix_local (cs_photo_get_taken (b));

  if (x == NULL || y == NULL)
    return x == y;
  return g_date_time_get_year (x) == g_date_time_get_year (y)
         && g_date_time_get_month (x) == g_date_time_get_month (y);
}

char *
cs_photo_grid_dup_heading (CsPhotoGrid *self,
                           guint        position)
{
  GListModel *model;
  g_autoptr(CsPhoto) photo = NULL;
  g_autoptr(CsPhoto) before = NULL;

  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), NULL);
  model = G_LIST_MODEL (self->selection);
  if (self->sections == CS_PHOTO_GRID_SECTIONS_NONE
      || (photo = g_list_model_get_item (model, position)) == NULL)
    return NULL;
  if (position > 0)
    before = g_list_model_get_item (model, position - 1);
  switch (self->sections)
    {
    case CS_PHOTO_GRID_SECTIONS_MONTH:
      return before == NULL || !same_month (before, photo) ? month_heading (photo) : NULL;
    case CS_PHOTO_GRID_SECTIONS_MATCH:
      /* the library's cutoff splits the list: the accepted photos are its
       * prefix (cs-query.h), the near misses follow */
      if (cs_photo_get_accepted (photo))
        return before == NULL ? g_strdup (_("Best Matches")) : NULL;
      return before == NULL || cs_photo_get_accepted (before) ? g_strdup (_("More Results")) : NULL;
    case CS_PHOTO_GRID_SECTIONS_NONE:
    default:
      return NULL;
    }
}

void
cs_photo_grid_set_sections (CsPhotoGrid         *self,
                            CsPhotoGridSections  sections)
{
  g_return_if_fail (CS_IS_PHOTO_GRID (self));
  self->sections = sections;
}

CsPhotoGridSections
cs_photo_grid_get_sections (CsPhotoGrid *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), CS_PHOTO_GRID_SECTIONS_NONE);
  return self->sections;
}

/* ------------------------------------------------------------------ */
/* The photo under a point, or with the focus                           */
/* ------------------------------------------------------------------ */

static CsPhotoCell *
cell_of (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (CS_IS_PHOTO_CELL (w))
      return CS_PHOTO_CELL (w);
  /* a grid's item widget holds the cell: the focus is on the item */
  for (GtkWidget *w = widget != NULL ? gtk_widget_get_first_child (widget) : NULL; w != NULL;
       w = gtk_widget_get_first_child (w))
    if (CS_IS_PHOTO_CELL (w))
      return CS_PHOTO_CELL (w);
  return NULL;
}

/* The position of the cell at (x, y) in the view, or G_MAXUINT. */
static guint
position_at (CsPhotoGrid *self,
             double       x,
             double       y)
{
  CsPhotoCell *cell = cell_of (gtk_widget_pick (GTK_WIDGET (self->view), x, y, GTK_PICK_DEFAULT));
  gpointer p = cell != NULL ? g_object_get_data (G_OBJECT (cell), "cs-position") : NULL;

  return p != NULL ? GPOINTER_TO_UINT (p) - 1 : G_MAXUINT;
}

/* A photo acted on that is not selected becomes the selection, as in a
 * file manager: the actions then act on what is shown selected. */
static void
select_for_action (CsPhotoGrid *self,
                   guint        position)
{
  GtkSelectionModel *model = GTK_SELECTION_MODEL (self->selection);

  if (position != G_MAXUINT && !gtk_selection_model_is_selected (model, position))
    gtk_selection_model_select_item (model, position, TRUE);
}

/* ------------------------------------------------------------------ */
/* The context menu                                                     */
/* ------------------------------------------------------------------ */

static GMenuModel *
photo_menu_new (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) open = g_menu_new ();
  g_autoptr(GMenu) find = g_menu_new ();
  g_autoptr(GMenu) trash = g_menu_new ();

  g_menu_append (open, _("_Open"), "win.open-photo");
  g_menu_append (open, _("Open _With…"), "win.open-photo-with");
  g_menu_append (open, _("Show in _Files"), "win.show-photo-in-files");
  g_menu_append (open, _("_Copy Image"), "win.copy-photo");
  g_menu_append (find, _("Find _Similar"), "win.find-similar-photo");
  g_menu_append (trash, _("Move to _Trash"), "win.trash-photos");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (open));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (find));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (trash));
  return G_MENU_MODEL (menu);
}

static void
popup_menu_at (CsPhotoGrid *self,
               double       x,
               double       y)
{
  GdkRectangle where = { (int) x, (int) y, 1, 1 };
  graphene_point_t in, out;

  /* (x, y) are the view's: the popover is the grid's child */
  graphene_point_init (&in, (float) x, (float) y);
  if (gtk_widget_compute_point (GTK_WIDGET (self->view), GTK_WIDGET (self), &in, &out))
    {
      where.x = (int) out.x;
      where.y = (int) out.y;
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu), &where);
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

gboolean
cs_photo_grid_popup_menu (CsPhotoGrid *self,
                          double       x,
                          double       y)
{
  guint position;

  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), FALSE);
  position = position_at (self, x, y);
  if (position == G_MAXUINT)
    return FALSE;
  select_for_action (self, position);
  popup_menu_at (self, x, y);
  return TRUE;
}

GtkWidget *
cs_photo_grid_get_menu (CsPhotoGrid *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_GRID (self), NULL);
  return self->menu;
}

static void
on_secondary_click_cb (GtkGestureClick *gesture,
                       int              n_press,
                       double           x,
                       double           y,
                       CsPhotoGrid     *self)
{
  if (cs_photo_grid_popup_menu (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_long_press_cb (GtkGestureLongPress *gesture,
                  double               x,
                  double               y,
                  CsPhotoGrid         *self)
{
  if (cs_photo_grid_popup_menu (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* The Menu key (and Shift+F10): the menu of the focused photo, under it. */
static gboolean
menu_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  CsPhotoGrid *self = user_data;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  CsPhotoCell *cell = cell_of (focus);
  gpointer p = cell != NULL ? g_object_get_data (G_OBJECT (cell), "cs-position") : NULL;
  graphene_point_t in, out;

  if (p == NULL)
    return FALSE;
  graphene_point_init (&in, gtk_widget_get_width (GTK_WIDGET (cell)) / 2.f,
                       gtk_widget_get_height (GTK_WIDGET (cell)) / 2.f);
  if (!gtk_widget_compute_point (GTK_WIDGET (cell), GTK_WIDGET (self->view), &in, &out))
    return FALSE;
  select_for_action (self, GPOINTER_TO_UINT (p) - 1);
  popup_menu_at (self, out.x, out.y);
  return TRUE;
}

/* Escape leaves the selection (when there is one: else it goes on, to
 * close what an Escape closes). */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  CsPhotoGrid *self = user_data;
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_is_empty (set))
    return FALSE;
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Dragging photos out                                                  */
/* ------------------------------------------------------------------ */

/* The photos dragged: the selection when the drag starts on a selected
 * photo, else the photo under the pointer alone, as files (a GdkFileList,
 * which GTK offers as text/uri-list to other apps). */
static GdkContentProvider *
on_drag_prepare_cb (GtkDragSource *source,
                    double         x,
                    double         y,
                    CsPhotoGrid   *self)
{
  guint position = position_at (self, x, y);
  GSList *files = NULL;
  GdkFileList *list;
  GdkContentProvider *provider;

  if (position == G_MAXUINT)
    return NULL;
  if (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    {
      g_autoptr(GPtrArray) photos = cs_photo_grid_dup_selected (self);
      for (guint i = photos->len; i > 0; i--)
        files = g_slist_prepend (files, cs_photo_dup_file (photos->pdata[i - 1]));
    }
  else
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
      if (photo != NULL)
        files = g_slist_prepend (files, cs_photo_dup_file (photo));
    }
  if (files == NULL)
    return NULL;
  list = gdk_file_list_new_from_list (files);
  g_slist_free_full (files, g_object_unref);
  provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  return provider;
}

static void
on_drag_begin_cb (GtkDragSource *source,
                  GdkDrag       *drag,
                  CsPhotoGrid   *self)
{
  /* the thumbnail under the pointer, as GTK has no icon for file lists */
  double x, y;
  GtkWidget *picked;

  if (!gtk_gesture_get_point (GTK_GESTURE (source), NULL, &x, &y))
    return;
  picked = gtk_widget_pick (GTK_WIDGET (self->view), x, y, GTK_PICK_DEFAULT);
  if (cell_of (picked) != NULL)
    {
      g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (GTK_WIDGET (cell_of (picked)));
      gtk_drag_source_set_icon (source, icon, 16, 16);
    }
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
  CsPhotoGrid *self = CS_PHOTO_GRID (object);

  g_clear_pointer (&self->menu, gtk_widget_unparent);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_handle_id (&self->columns_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_PHOTO_GRID);
  /* the template's root is not a bound child */
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (cs_photo_grid_parent_class)->dispose (object);
}

/* GTK 4.8's GtkGridView keeps an item widget for 30 rows of
 * max-columns items around the place in view, whatever the number of
 * columns it shows: with max-columns at 16 a grid six photos wide made,
 * bound, measured and (at each new search) destroyed about 500 cells
 * where it showed 30 (issue 17: most of the main thread's time per key).
 * So max-columns follows the width: no more columns than cells of the
 * least width fit (an upper bound of what the view computes, so the
 * layout is the same), up to MAX_COLUMNS. */
static void
cs_photo_grid_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CsPhotoGrid *self = CS_PHOTO_GRID (widget);

  gtk_widget_measure (GTK_WIDGET (self->scroller), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static GtkSizeRequestMode
cs_photo_grid_get_request_mode (GtkWidget *widget)
{
  return gtk_widget_get_request_mode (GTK_WIDGET (CS_PHOTO_GRID (widget)->scroller));
}

static gboolean
set_max_columns_cb (gpointer data)
{
  CsPhotoGrid *self = data;

  self->columns_idle = 0;
  if (self->want_columns != gtk_grid_view_get_max_columns (self->view))
    gtk_grid_view_set_max_columns (self->view, self->want_columns);
  return G_SOURCE_REMOVE;
}

static void
cs_photo_grid_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CsPhotoGrid *self = CS_PHOTO_GRID (widget);
  guint columns = (guint) MAX (width, 0) / CS_PHOTO_CELL_MIN_SIZE;

  columns = CLAMP (columns, gtk_grid_view_get_min_columns (self->view), MAX_COLUMNS);
  /* Not here: setting it queues a resize of the view in the middle of
   * this allocation, and GTK 4.8 then snapshots item widgets it has not
   * allocated ("Trying to snapshot GtkBox without a current
   * allocation", seen opening a photo in a narrow window).  Before the
   * next layout instead: one frame at the old bound costs nothing. */
  self->want_columns = columns;
  if (columns != gtk_grid_view_get_max_columns (self->view) && self->columns_idle == 0)
    self->columns_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, set_max_columns_cb, self, NULL);
  gtk_widget_allocate (GTK_WIDGET (self->scroller), width, height, baseline, NULL);
  if (self->menu != NULL && gtk_widget_get_visible (self->menu))
    gtk_popover_present (GTK_POPOVER (self->menu));
}

static void
cs_photo_grid_class_init (CsPhotoGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_photo_grid_get_property;
  object_class->set_property = cs_photo_grid_set_property;
  object_class->dispose = cs_photo_grid_dispose;
  widget_class->measure = cs_photo_grid_measure;
  widget_class->get_request_mode = cs_photo_grid_get_request_mode;
  widget_class->size_allocate = cs_photo_grid_size_allocate;

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
  gtk_widget_class_set_css_name (widget_class, "cs-photo-grid");
}

static void
cs_photo_grid_init (CsPhotoGrid *self)
{
  g_autoptr(GMenuModel) model = photo_menu_new ();
  GtkGesture *click, *press;
  GtkDragSource *drag;
  GtkEventController *keys;

  self->cells = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->menu = gtk_popover_menu_new_from_model (model);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->view), GTK_EVENT_CONTROLLER (click));

  press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (press), TRUE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_long_press_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->view), GTK_EVENT_CONTROLLER (press));

  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare_cb), self);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->view), GTK_EVENT_CONTROLLER (drag));

  keys = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                      gtk_callback_action_new (menu_key_cb, self, NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_callback_action_new (escape_cb, self, NULL)));
  /* Delete: the window's action, on the selection */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0)),
                      gtk_named_action_new ("win.trash-photos")));
  gtk_widget_add_controller (GTK_WIDGET (self->view), keys);
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
