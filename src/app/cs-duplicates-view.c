/* cs-duplicates-view.c - groups of near-duplicate photos, and moving the
 * extra copies to the trash.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is the view's own GListStore, not the search's result: a
 * search that finishes while a person looks at the list (after an Undo,
 * or on coming back to the view) is merged into it, so that a group never
 * moves under the pointer.  A group that the person acted on (moved to
 * the trash, or said are not duplicates) leaves the list at once and is
 * not brought back by a search that still sees the trashed files (the
 * indexer notices them a few seconds later).
 */
#define G_LOG_DOMAIN "cs-duplicates-view"

#include "config.h"

#include <errno.h>
#include <math.h>

#include <glib/gi18n.h>

#include "cs-markup.h"
#include "cs-cancel.h"
#include "cs-duplicates-view.h"
#include "cs-compat.h"
#include "cs-photo-cell.h"
#include "cs-photo-trash.h"
#include "cs-window.h"

struct _CsDuplicatesView {
  GtkWidget      parent_instance;

  GtkStack      *stack;
  GtkNoSelection *selection;
  AdwStatusPage *empty_page;
  GtkProgressBar *progress;          /* on the loading page */
  GtkProgressBar *refresh_progress;  /* above the list, while it searches again */
  GtkScrolledWindow *scroller;

  GPtrArray     *rows;        /* GroupRow*: the rows bound */
  gboolean       needs_request;  /* ask for the thumbnails on screen after the next frame */
  GdkFrameClock *frame_clock;

  CsLibrary     *library;
  GListStore    *store;       /* CsDuplicateGroup, in the order first shown */
  gboolean       loaded;      /* a search has filled the store once */
  GCancellable  *cancellable;
  gboolean       busy;
  GHashTable    *trashed;     /* gint64* photo ids moved to the trash */
  GHashTable    *distinct;    /* group keys the person said are not duplicates */
};

G_DEFINE_FINAL_TYPE (CsDuplicatesView, cs_duplicates_view, GTK_TYPE_WIDGET)

#define THUMB_SIZE 88

/* Per-group state kept on the (immutable) group object. */
#define KEEPER_KEY    "cs-keeper"      /* char*: the path of the keeper the person chose */
#define BUSY_KEY      "cs-busy"        /* a trash of this group is under way */
#define ROW_KEY       "cs-row"         /* the GroupRow showing it, if any */

static void update_row (CsDuplicatesView *self, CsDuplicateGroup *group);
static void schedule_request (CsDuplicatesView *self);

/* ------------------------------------------------------------------ */
/* Group identity                                                       */
/* ------------------------------------------------------------------ */

/* A group's identity across searches: its members' paths, sorted.  Paths,
 * not ids, so that a "not duplicates" judgement survives a rebuilt
 * database; a new copy joining the group makes it a new question. */
static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
group_key (CsDuplicateGroup *group)
{
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      g_ptr_array_add (paths, g_strdup (cs_photo_get_path (photo)));
    }
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++)
    {
      g_string_append (joined, paths->pdata[i]);
      g_string_append_c (joined, '\n');
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, joined->str, (gssize) joined->len);
}

/* Where the "not duplicates" judgements are kept: one group key a line.
 * A file of the app's, beside the library: the judgement is about what
 * a person saw in this view, which the library's search does not need. */
static char *
distinct_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "clipsight", "not-duplicates", NULL);
}

static void
load_distinct (CsDuplicatesView *self)
{
  g_autofree char *path = distinct_path ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_hash_table_add (self->distinct, g_strdup (lines[i]));
}

static gboolean
save_distinct (CsDuplicatesView  *self,
               GError           **error)
{
  g_autofree char *path = distinct_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  g_hash_table_iter_init (&iter, self->distinct);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_string_append_printf (text, "%s\n", (const char *) key);
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}

/* ------------------------------------------------------------------ */
/* The keeper                                                           */
/* ------------------------------------------------------------------ */

static guint
keeper_position (CsDuplicateGroup *group)
{
  const char *chosen = g_object_get_data (G_OBJECT (group), KEEPER_KEY);
  GListModel *photos = cs_duplicate_group_get_photos (group);

  if (chosen != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
      {
        g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
        if (g_strcmp0 (cs_photo_get_path (photo), chosen) == 0)
          return i;
      }
  return 0;  /* the suggested keeper comes first */
}

CsPhoto *
cs_duplicates_view_get_keeper (CsDuplicatesView *self,
                               CsDuplicateGroup *group)
{
  CsPhoto *photo;

  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), NULL);
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (group), NULL);
  photo = g_list_model_get_item (cs_duplicate_group_get_photos (group), keeper_position (group));
  g_object_unref (photo);  /* the group holds it */
  return photo;
}

void
cs_duplicates_view_set_keeper (CsDuplicatesView *self,
                               CsDuplicateGroup *group,
                               CsPhoto          *keeper)
{
  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  g_return_if_fail (CS_IS_DUPLICATE_GROUP (group));
  g_return_if_fail (CS_IS_PHOTO (keeper));
  if (g_object_get_data (G_OBJECT (group), BUSY_KEY) != NULL)
    return;  /* the trash is moving the others already */
  g_object_set_data_full (G_OBJECT (group), KEEPER_KEY, g_strdup (cs_photo_get_path (keeper)), g_free);
  update_row (self, group);
}

/* ------------------------------------------------------------------ */
/* Trash and restore                                                    */
/* ------------------------------------------------------------------ */

/* The files trashed by one action, to undo it.  The moving and the
 * restoring are cs-photo-trash.c's, as for the grid's Move to Trash. */
typedef struct {
  CsDuplicatesView *self;
  CsDuplicateGroup *group;
  GPtrArray        *paths;    /* char*: original paths */
  GArray           *ids;      /* gint64, as paths */
  guint             position; /* the group's place in the list */
} TrashBatch;

static void
trash_batch_free (TrashBatch *batch)
{
  g_clear_object (&batch->self);
  g_clear_object (&batch->group);
  g_ptr_array_unref (batch->paths);
  g_array_unref (batch->ids);
  g_free (batch);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrashBatch, trash_batch_free)

typedef struct {
  CsDuplicatesView *self;     /* set while the restore runs */
  CsDuplicateGroup *group;
  guint             position;
  GPtrArray        *paths;
  GArray           *ids;
} UndoData;

static void
undo_data_free (UndoData *undo)
{
  g_clear_object (&undo->self);
  g_object_unref (undo->group);
  g_ptr_array_unref (undo->paths);
  g_array_unref (undo->ids);
  g_free (undo);
}

static void
toast (CsDuplicatesView *self,
       AdwToast         *t)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), t);
  else
    g_object_unref (g_object_ref_sink (t));
}

/* An error in full (a toast cuts a long GIO message off). */
static void
show_error (CsDuplicatesView *self,
            const char       *heading,
            const char       *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (!GTK_IS_WINDOW (root))
    {
      g_warning ("%s: %s", heading, message);
      return;
    }
  /* a zero-width space after each slash: a long path may then wrap, where
   * it would otherwise be one word wider than the alert (libadwaita 1.7
   * warns, and cuts it) */
  {
    g_auto(GStrv) parts = g_strsplit (message, "/", -1);
    g_autofree char *breakable = g_strjoinv ("/\u200b", parts);

    dialog = cs_compat_alert_new (heading, breakable);
  }
  cs_compat_alert_add_response (dialog, "close", _("_Close"), FALSE);
  gtk_widget_add_css_class (dialog, "duplicates-error");
  cs_compat_alert_present (dialog, GTK_WIDGET (root));
}

static void
show_empty_if_needed (CsDuplicatesView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  adw_status_page_set_title (self->empty_page, _("No Duplicates"));
  cs_status_page_set_description_text (self->empty_page, _("None of your indexed photos look alike."));
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
on_restored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  UndoData *undo = user_data;
  g_autoptr(GError) error = NULL;
  CsDuplicatesView *self = undo->self;
  gssize n = cs_photo_restore_finish (result, &error);
  guint where;

  if (n < 0)
    {
      show_error (self, _("Cannot Restore the Photos"), error->message);
      undo_data_free (undo);
      return;
    }
  for (guint i = 0; i < undo->ids->len; i++)
    g_hash_table_remove (self->trashed, &g_array_index (undo->ids, gint64, i));
  /* the group comes back where it was */
  g_object_set_data (G_OBJECT (undo->group), BUSY_KEY, NULL);
  if (!g_list_store_find (self->store, undo->group, &where))
    g_list_store_insert (self->store, MIN (undo->position, g_list_model_get_n_items (G_LIST_MODEL (self->store))),
                         undo->group);
  show_empty_if_needed (self);
  toast (self, cs_toast_new_text (_("Photos restored")));
  undo_data_free (undo);
}

static void
on_undo_cb (AdwToast         *t,
            CsDuplicatesView *self)
{
  UndoData *undo = g_object_steal_data (G_OBJECT (t), "undo");

  if (undo == NULL)
    return;  /* once */
  undo->self = g_object_ref (self);
  cs_photo_restore_async (undo->paths, NULL, on_restored_cb, undo);
}

static void
on_trashed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TrashBatch) batch = user_data;
  CsDuplicatesView *self = batch->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) done = cs_photo_trash_finish (result, &error);
  g_autoptr(GArray) done_ids = NULL;
  guint where;

  if (done == NULL)
    {
      /* nothing moved: the group stays as it was, and says why */
      g_object_set_data (G_OBJECT (batch->group), BUSY_KEY, NULL);
      update_row (self, batch->group);
      show_error (self, _("Cannot Move the Photos to the Trash"), error->message);
      return;
    }

  /* the trash goes in order and stops at a refusal: the first ones moved */
  done_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), done->len);
  g_array_append_vals (done_ids, batch->ids->data, done->len);
  for (guint i = 0; i < done_ids->len; i++)
    {
      gint64 *id = g_new (gint64, 1);
      *id = g_array_index (done_ids, gint64, i);
      g_hash_table_add (self->trashed, id);
    }
  /* the person acted on the group: it goes at once */
  if (g_list_store_find (self->store, batch->group, &where))
    g_list_store_remove (self->store, where);
  else
    where = batch->position;
  show_empty_if_needed (self);

  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo moved to the trash",
                                                          "%u photos moved to the trash", done->len),
                                             done->len);
    AdwToast *t = cs_toast_new_text (text);
    UndoData *undo = g_new0 (UndoData, 1);

    undo->group = g_object_ref (batch->group);
    undo->position = where;
    undo->paths = g_ptr_array_ref (done);
    undo->ids = g_array_ref (done_ids);
    adw_toast_set_button_label (t, _("_Undo"));
    /* not ADW_TOAST_PRIORITY_HIGH: libadwaita 1.2.0 crashes when a
     * high priority toast pushes back one that is going (a double unref
     * in its overlay's hide animation) */
    g_object_set_data_full (G_OBJECT (t), "undo", undo, (GDestroyNotify) undo_data_free);
    g_signal_connect_object (t, "button-clicked", G_CALLBACK (on_undo_cb), self, 0);
    toast (self, t);
  }
  if (error != NULL)
    {
      g_autofree char *body = g_strdup_printf (_("%u of %u photos were moved. %s"), done->len,
                                               batch->paths->len, error->message);
      show_error (self, _("Some Photos Were Not Moved to the Trash"), body);
    }
}

static void
on_trash_response_cb (GtkWidget        *dialog,
                      const char       *response,
                      CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (dialog), "group");

  if (g_strcmp0 (response, "trash") == 0)
    cs_duplicates_view_trash_extras (self, group);
}

static void
on_trash_clicked_cb (GtkButton        *button,
                     CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (button), "group");
  GListModel *photos;
  guint n;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (group == NULL || g_object_get_data (G_OBJECT (group), BUSY_KEY) != NULL)
    return;
  photos = cs_duplicate_group_get_photos (group);
  n = g_list_model_get_n_items (photos) - 1;
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Move %u Photo to the Trash?",
                                          "Move %u Photos to the Trash?", n), n);
  body = g_strdup_printf (_("“%s” is kept. You can restore the others from the trash."),
                          cs_photo_get_display_name (cs_duplicates_view_get_keeper (self, group)));
  dialog = cs_compat_alert_new (heading, body);
  cs_compat_alert_add_response (dialog, "cancel", _("_Cancel"), FALSE);
  cs_compat_alert_add_response (dialog, "trash", _("_Move to Trash"), TRUE);
  cs_compat_alert_set_cancel (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "group", g_object_ref (group), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_trash_response_cb), self, 0);
  cs_compat_alert_present (dialog, GTK_WIDGET (root));
}

static void
on_distinct_clicked_cb (GtkButton        *button,
                        CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (button), "group");

  if (group != NULL)
    cs_duplicates_view_mark_distinct (self, group);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

/* Rows are made lazily by a GtkListView: a large library can have
 * thousands of groups.  Each row widget keeps its parts in this struct.
 * Every member of the group shows (the cells wrap), so that the trash
 * never moves a photo the person has not seen. */
typedef struct {
  CsDuplicateGroup *group;     /* borrowed, while bound */
  GtkWidget *card;
  gboolean   requested;        /* its cells asked for their thumbnails */
  GtkLabel  *title;
  GtkLabel  *subtitle;
  GtkButton *distinct_button;
  GtkButton *trash_button;
  GtkFlowBox *cells;
} GroupRow;

static void
on_open_clicked_cb (GtkButton        *button,
                    CsDuplicatesView *self)
{
  CsPhoto *photo = g_object_get_data (G_OBJECT (button), "photo");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (photo != NULL && CS_IS_WINDOW (root))
    cs_window_show_photo_file (CS_WINDOW (root), cs_photo_get_path (photo));
}

static void
on_cell_activated_cb (GtkFlowBox       *box,
                      GtkFlowBoxChild  *child,
                      CsDuplicatesView *self)
{
  GroupRow *row = g_object_get_data (G_OBJECT (box), "row");
  guint position = (guint) gtk_flow_box_child_get_index (child);
  g_autoptr(CsPhoto) photo = NULL;

  if (row->group == NULL)
    return;
  photo = g_list_model_get_item (cs_duplicate_group_get_photos (row->group), position);
  if (photo != NULL)
    cs_duplicates_view_set_keeper (self, row->group, photo);
}

/* The cell for the photo at `position` of a group: a thumbnail to click
 * (makes it the keeper), its keeper mark, and a button that opens it. */
static GtkWidget *
make_member (CsDuplicatesView *self,
             CsDuplicateGroup *group,
             guint             position)
{
  g_autoptr(CsPhoto) photo = g_list_model_get_item (cs_duplicate_group_get_photos (group), position);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *cell = g_object_new (CS_TYPE_PHOTO_CELL, NULL);
  GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");
  GtkWidget *open = gtk_button_new_from_icon_name ("view-fullscreen-symbolic");
  g_autofree char *open_label = g_strdup_printf (_("Open %s"), cs_photo_get_display_name (photo));
  CsPhoto *shown = photo;
  gboolean copy = cs_duplicate_group_get_kind (group) == CS_DUPLICATE_NEAR
                  && cs_duplicate_group_is_exact_copy (group, position);

  cs_photo_cell_set_fixed_size (CS_PHOTO_CELL (cell), THUMB_SIZE);
  /* the thumbnail is asked for once the card is on screen (request_visible) */
  g_object_set_data_full (G_OBJECT (cell), "cs-photo", g_object_ref (shown), g_object_unref);
  /* byte-identical files inside a group of similar photos */
  if (copy)
    gtk_widget_add_css_class (cell, "exact-copy");
  gtk_overlay_set_child (GTK_OVERLAY (overlay), cell);

  gtk_widget_add_css_class (mark, "keeper-mark");
  gtk_widget_add_css_class (mark, "osd");
  gtk_widget_set_halign (mark, GTK_ALIGN_START);
  gtk_widget_set_valign (mark, GTK_ALIGN_START);
  gtk_widget_set_margin_start (mark, 4);
  gtk_widget_set_margin_top (mark, 4);
  gtk_widget_set_can_target (mark, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), mark);

  gtk_widget_add_css_class (open, "circular");
  gtk_widget_add_css_class (open, "osd");
  gtk_widget_set_halign (open, GTK_ALIGN_END);
  gtk_widget_set_valign (open, GTK_ALIGN_END);
  gtk_widget_set_margin_end (open, 4);
  gtk_widget_set_margin_bottom (open, 4);
  gtk_widget_set_tooltip_text (open, _("Open"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
  g_object_set_data_full (G_OBJECT (open), "photo", g_object_ref (photo), g_object_unref);
  g_signal_connect_object (open, "clicked", G_CALLBACK (on_open_clicked_cb), self, 0);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), open);
  return overlay;
}

/* Shows which member is the keeper, and says on the trash button how
 * many photos it moves. */
static void
update_row (CsDuplicatesView *self,
            CsDuplicateGroup *group)
{
  GroupRow *row = g_object_get_data (G_OBJECT (group), ROW_KEY);
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos);
  guint keeper = keeper_position (group);
  gboolean busy = g_object_get_data (G_OBJECT (group), BUSY_KEY) != NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *trash_label = NULL;
  guint i = 0;

  if (row == NULL)
    return;  /* not on screen: bind does it */
  {
    g_autoptr(CsPhoto) kept = g_list_model_get_item (photos, keeper);
    /* Translators: the photo kept, and why, e.g. "Keeps IMG_1.jpg: most pixels" */
    subtitle = g_strdup_printf (_("Keeps %s: %s"), cs_photo_get_display_name (kept),
                                g_object_get_data (G_OBJECT (group), KEEPER_KEY) != NULL
                                ? _("your choice") : cs_duplicate_group_get_keeper_reason (group));
  }
  gtk_label_set_label (row->subtitle, subtitle);
  trash_label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Move %u Other to _Trash",
                                              "Move %u Others to _Trash", n - 1), n - 1);
  gtk_button_set_label (row->trash_button, trash_label);
  gtk_widget_set_sensitive (GTK_WIDGET (row->trash_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (row->distinct_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (row->cells), !busy);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (row->cells));
       child != NULL; child = gtk_widget_get_next_sibling (child), i++)
    {
      GtkWidget *overlay = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      GtkWidget *cell = gtk_overlay_get_child (GTK_OVERLAY (overlay));
      GtkWidget *mark = gtk_widget_get_next_sibling (cell);
      CsPhoto *photo = g_object_get_data (G_OBJECT (cell), "cs-photo");
      gboolean copy = gtk_widget_has_css_class (cell, "exact-copy");
      g_autofree char *label = NULL;

      if (photo == NULL)
        continue;
      gtk_widget_set_visible (mark, i == keeper);
      if (i == keeper)
        gtk_widget_add_css_class (cell, "keeper");
      else
        gtk_widget_remove_css_class (cell, "keeper");
      /* Translators: a photo's name, then what the group does with it */
      if (i == keeper)
        label = g_strdup_printf (_("%s, kept"), cs_photo_get_display_name (photo));
      else if (copy)
        /* Translators: a photo's name, then that another photo of the group has the same bytes */
        label = g_strdup_printf (_("%s (exact copy)"), cs_photo_get_display_name (photo));
      else
        label = g_strdup (cs_photo_get_display_name (photo));
      gtk_widget_set_tooltip_text (child, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

/* Asks for the thumbnails of the cards on screen, and only those.  The
 * list view binds a couple of hundred rows beyond the screen, and the
 * thumbnailer serves the newest request first (right for the grid, which
 * binds the rows a scroll brings on screen last): the cards below the
 * screen, bound last, went first and the ones a person looks at stayed
 * grey for tens of seconds behind them. */
static void
request_visible (CsDuplicatesView *self)
{
  GtkWidget *scroller = GTK_WIDGET (self->scroller);
  double height = gtk_widget_get_height (scroller);

  if (!gtk_widget_get_mapped (scroller) || height <= 0)
    return;
  self->needs_request = FALSE;
  for (guint r = 0; r < self->rows->len; r++)
    {
      GroupRow *row = self->rows->pdata[r];
      graphene_rect_t bounds;

      if (row->requested || !gtk_widget_compute_bounds (row->card, scroller, &bounds)
          || bounds.origin.y >= height || bounds.origin.y + bounds.size.height <= 0)
        continue;
      /* GTK 4.8's list view makes rows beyond the screen without giving
       * them a place (no height, not even a thumbnail's): those are not
       * on screen either */
      if (bounds.size.height < THUMB_SIZE)
        continue;
      row->requested = TRUE;
      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (row->cells));
           child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *overlay = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
          GtkWidget *cell = gtk_overlay_get_child (GTK_OVERLAY (overlay));

          cs_photo_cell_set_photo (CS_PHOTO_CELL (cell), g_object_get_data (G_OBJECT (cell), "cs-photo"));
        }
    }
}

/* After the frame that follows a bind or a scroll: then every row has
 * its place (an idle may run before the layout, and a recycled row still
 * has the place of the group it showed before). */
static void
on_after_paint_cb (GdkFrameClock    *clock,
                   CsDuplicatesView *self)
{
  if (self->needs_request)
    request_visible (self);
}

static void
schedule_request (CsDuplicatesView *self)
{
  self->needs_request = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_realize_cb (GtkWidget *widget)
{
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (widget);

  self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  g_signal_connect_object (self->frame_clock, "after-paint", G_CALLBACK (on_after_paint_cb), self, 0);
}

static void
on_unrealize_cb (GtkWidget *widget)
{
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (widget);

  if (self->frame_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->frame_clock, self);
  g_clear_object (&self->frame_clock);
}

static void
on_scrolled_cb (GtkAdjustment    *adjustment,
                CsDuplicatesView *self)
{
  schedule_request (self);
}

static void
on_row_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 CsDuplicatesView         *self)
{
  GroupRow *row = g_new0 (GroupRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (box, "duplicate-group");
  gtk_widget_add_css_class (box, "card");
  row->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->title), "heading");
  gtk_label_set_xalign (row->title, 0);
  row->subtitle = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->subtitle), "caption");
  gtk_label_set_xalign (row->subtitle, 0);
  gtk_label_set_ellipsize (row->subtitle, PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (row->title));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (row->subtitle));
  gtk_widget_set_hexpand (texts, TRUE);

  row->distinct_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Not Duplicates")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->distinct_button), _("Never show this group again"));
  g_signal_connect_object (row->distinct_button, "clicked", G_CALLBACK (on_distinct_clicked_cb), self, 0);
  row->trash_button = GTK_BUTTON (gtk_button_new_with_mnemonic (""));
  gtk_widget_add_css_class (GTK_WIDGET (row->trash_button), "destructive-action");
  g_signal_connect_object (row->trash_button, "clicked", G_CALLBACK (on_trash_clicked_cb), self, 0);
  /* the buttons go under the thumbnails, the trash one last, the one a
   * narrow window (a phone's 360 px) has room for beside the other */
  /* side by side they need 360 px, the card's padding and the list's
   * margins 60 more: their labels wrap instead (issue 17, defect 4; on
   * libadwaita >= 1.4 the window does not grow past its breakpoints) */
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (row->distinct_button)), TRUE);
  gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (row->trash_button)), TRUE);
  gtk_label_set_justify (GTK_LABEL (gtk_button_get_child (row->distinct_button)), GTK_JUSTIFY_CENTER);
  gtk_label_set_justify (GTK_LABEL (gtk_button_get_child (row->trash_button)), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (row->distinct_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (row->trash_button));
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (header), texts);

  /* every member, wrapping: a click makes one the keeper */
  row->cells = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (row->cells, GTK_SELECTION_NONE);
  gtk_flow_box_set_activate_on_single_click (row->cells, TRUE);
  gtk_flow_box_set_homogeneous (row->cells, TRUE);
  gtk_flow_box_set_max_children_per_line (row->cells, 100);
  gtk_flow_box_set_column_spacing (row->cells, 6);
  gtk_flow_box_set_row_spacing (row->cells, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->cells), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Photos of the group: activate one to keep it"), -1);
  g_object_set_data (G_OBJECT (row->cells), "row", row);
  g_signal_connect_object (row->cells, "child-activated", G_CALLBACK (on_cell_activated_cb), self, 0);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->cells));
  gtk_box_append (GTK_BOX (box), buttons);
  row->card = box;
  g_object_set_data_full (G_OBJECT (box), "row", row, g_free);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
on_row_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                CsDuplicatesView         *self)
{
  CsDuplicateGroup *group = gtk_list_item_get_item (item);
  GroupRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");
  GListModel *photos = cs_duplicate_group_get_photos (group);
  guint n = g_list_model_get_n_items (photos);
  g_autofree char *title = NULL;

  row->group = group;
  g_object_set_data (G_OBJECT (group), ROW_KEY, row);
  if (cs_duplicate_group_get_kind (group) == CS_DUPLICATE_EXACT)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u exact copy", "%u exact copies", n), n);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u similar photo", "%u similar photos", n), n);
  gtk_label_set_label (row->title, title);
  g_object_set_data_full (G_OBJECT (row->trash_button), "group", g_object_ref (group), g_object_unref);
  g_object_set_data_full (G_OBJECT (row->distinct_button), "group", g_object_ref (group), g_object_unref);
  /* a group whose figures are not numbers (vectors with NaN) is no
   * evidence of anything: never offer to trash it */
  gtk_widget_set_visible (GTK_WIDGET (row->trash_button), isfinite (cs_duplicate_group_get_similarity (group)));
  for (guint i = 0; i < n; i++)
    gtk_flow_box_append (row->cells, make_member (self, group, i));
  update_row (self, group);
  row->requested = FALSE;
  g_ptr_array_add (self->rows, row);
  schedule_request (self);
}

static void
on_row_unbind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  CsDuplicatesView         *self)
{
  GroupRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");
  GtkWidget *child;

  if (row->group != NULL && g_object_get_data (G_OBJECT (row->group), ROW_KEY) == row)
    g_object_set_data (G_OBJECT (row->group), ROW_KEY, NULL);
  row->group = NULL;
  row->requested = FALSE;
  g_ptr_array_remove_fast (self->rows, row);
  /* the cells go: their thumbnail loads are cancelled as they dispose */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (row->cells))) != NULL)
    gtk_flow_box_remove (row->cells, child);
  g_object_set_data (G_OBJECT (row->trash_button), "group", NULL);
  g_object_set_data (G_OBJECT (row->distinct_button), "group", NULL);
}

/* ------------------------------------------------------------------ */
/* Searching, and merging a search into the list                        */
/* ------------------------------------------------------------------ */

static gboolean
has_trashed_member (CsDuplicatesView *self,
                    CsDuplicateGroup *group)
{
  GListModel *photos = cs_duplicate_group_get_photos (group);

  for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      gint64 id = cs_photo_get_id (photo);
      if (g_hash_table_contains (self->trashed, &id))
        return TRUE;
    }
  return FALSE;
}

/* Puts a search's groups into the list without moving any group shown:
 * a group that shares a photo with one shown takes its place (same
 * position), a new one goes at the end, one the search no longer finds
 * stays until the person acts on it.  Groups the person acted on do not
 * come back (the index may still hold the trashed files for a while). */
static void
merge_groups (CsDuplicatesView *self,
              GListModel       *found)
{
  /* by path: a photo the indexer saw go and come back (an Undo) has a
   * new id, and is the same photo to a person */
  g_autoptr(GHashTable) member_pos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) replaced = g_hash_table_new (NULL, NULL);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint p = 0; p < n_old; p++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (G_LIST_MODEL (self->store), p);
      GListModel *photos = cs_duplicate_group_get_photos (group);

      for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          g_hash_table_insert (member_pos, g_strdup (cs_photo_get_path (photo)), GUINT_TO_POINTER (p + 1));
        }
    }

  for (guint k = 0; k < g_list_model_get_n_items (found); k++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (found, k);
      g_autofree char *key = group_key (group);
      GListModel *photos = cs_duplicate_group_get_photos (group);
      guint at = 0;

      if (g_hash_table_contains (self->distinct, key) || has_trashed_member (self, group))
        continue;
      for (guint i = 0; at == 0 && i < g_list_model_get_n_items (photos); i++)
        {
          g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
          at = GPOINTER_TO_UINT (g_hash_table_lookup (member_pos, cs_photo_get_path (photo)));
        }
      if (at != 0 && !g_hash_table_contains (replaced, GUINT_TO_POINTER (at)))
        {
          g_autoptr(CsDuplicateGroup) old = g_list_model_get_item (G_LIST_MODEL (self->store), at - 1);
          g_autofree char *old_key = group_key (old);

          g_hash_table_add (replaced, GUINT_TO_POINTER (at));
          if (g_strcmp0 (old_key, key) == 0
              || g_object_get_data (G_OBJECT (old), BUSY_KEY) != NULL)
            continue;  /* the same group, or one being trashed: left alone */
          /* the person's keeper stays theirs */
          if (g_object_get_data (G_OBJECT (old), KEEPER_KEY) != NULL)
            {
              g_object_set_data_full (G_OBJECT (group), KEEPER_KEY,
                                      g_strdup (g_object_get_data (G_OBJECT (old), KEEPER_KEY)), g_free);
            }
          g_list_store_splice (self->store, at - 1, 1, (gpointer *) &group, 1);
        }
      else if (at == 0)
        g_list_store_append (self->store, group);
      /* else: a second group out of one shown (it split): the first took
       * its place, this one waits for the next search, since appending
       * it would show its photos twice */
    }
}

static void
on_progress_cb (double   fraction,
                gpointer data)
{
  CsDuplicatesView *self = data;   /* alive: the search is cancelled at dispose */
  g_autofree char *text = NULL;

  /* Translators: how far the search for duplicates is */
  text = g_strdup_printf (_("%d %%"), (int) (fraction * 100));
  gtk_progress_bar_set_fraction (self->progress, fraction);
  gtk_progress_bar_set_text (self->progress, text);
  gtk_progress_bar_set_fraction (self->refresh_progress, fraction);
}

/* For tests: the fraction the loading page shows. */
double
cs_duplicates_view_get_progress (CsDuplicatesView *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), 0);
  return gtk_progress_bar_get_fraction (self->progress);
}

static void
on_found_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) groups = cs_library_find_duplicates_finish (CS_LIBRARY (source), result, &error);
  CsDuplicatesView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CS_DUPLICATES_VIEW (user_data);
  self->busy = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->refresh_progress), FALSE);
  if (groups == NULL)
    {
      if (self->loaded && g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
        {
          /* the list shown stays: say what went wrong in full */
          show_error (self, _("Cannot Look for Duplicates"), error->message);
          return;
        }
      adw_status_page_set_title (self->empty_page, _("Cannot Look for Duplicates"));
      cs_status_page_set_description_text (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  self->loaded = TRUE;
  merge_groups (self, groups);
  show_empty_if_needed (self);
}

static void
cs_duplicates_view_dispose (GObject *object)
{
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (object);

  cs_cancel_and_clear (&self->cancellable);
  if (self->frame_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->frame_clock, self);
  g_clear_object (&self->frame_clock);
  g_clear_object (&self->library);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_DUPLICATES_VIEW);
  /* the template's root is not a bound child */
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cs_duplicates_view_parent_class)->dispose (object);
}

static void
cs_duplicates_view_finalize (GObject *object)
{
  CsDuplicatesView *self = CS_DUPLICATES_VIEW (object);

  g_hash_table_unref (self->trashed);
  g_hash_table_unref (self->distinct);
  g_ptr_array_unref (self->rows);
  G_OBJECT_CLASS (cs_duplicates_view_parent_class)->finalize (object);
}

static void
cs_duplicates_view_class_init (CsDuplicatesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_duplicates_view_dispose;
  object_class->finalize = cs_duplicates_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clipsight/Clipsight/ui/cs-duplicates-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, stack);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, selection);
  gtk_widget_class_bind_template_callback (widget_class, on_row_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_unbind_cb);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, progress);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, refresh_progress);
  gtk_widget_class_bind_template_child (widget_class, CsDuplicatesView, scroller);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
on_map_cb (GtkWidget *widget)
{
  schedule_request (CS_DUPLICATES_VIEW (widget));
}

static void
cs_duplicates_view_init (CsDuplicatesView *self)
{
  GtkAdjustment *adjustment;

  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  /* a scroll, or a change of the list's height (rows added, a resize) */
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_scrolled_cb), self, 0);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_scrolled_cb), self, 0);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  g_signal_connect (self, "realize", G_CALLBACK (on_realize_cb), NULL);
  g_signal_connect (self, "unrealize", G_CALLBACK (on_unrealize_cb), NULL);
  self->store = g_list_store_new (CS_TYPE_DUPLICATE_GROUP);
  self->trashed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load_distinct (self);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->store));
}

void
cs_duplicates_view_set_library (CsDuplicatesView *self,
                                CsLibrary        *library)
{
  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  if (self->library != library)
    {
      g_list_store_remove_all (self->store);
      g_hash_table_remove_all (self->trashed);
      self->loaded = FALSE;
    }
  g_set_object (&self->library, library);
}

void
cs_duplicates_view_refresh (CsDuplicatesView *self)
{
  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  if (self->library == NULL)
    return;
  cs_cancel_and_clear (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = TRUE;
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, NULL);
  gtk_progress_bar_set_fraction (self->refresh_progress, 0);
  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_widget_set_visible (GTK_WIDGET (self->refresh_progress), TRUE);
  /* the search takes a minute in a large library: say how far it is */
  cs_library_find_duplicates_with_progress_async (self->library, 0, on_progress_cb, self, self->cancellable,
                                                  on_found_cb, self);
}

GListModel *
cs_duplicates_view_get_groups (CsDuplicatesView *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), NULL);
  return self->loaded ? G_LIST_MODEL (self->store) : NULL;
}

gboolean
cs_duplicates_view_get_busy (CsDuplicatesView *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), FALSE);
  return self->busy;
}

void
cs_duplicates_view_trash_extras (CsDuplicatesView *self,
                                 CsDuplicateGroup *group)
{
  GListModel *photos;
  TrashBatch *batch;
  guint keeper;

  g_return_if_fail (CS_IS_DUPLICATES_VIEW (self));
  g_return_if_fail (CS_IS_DUPLICATE_GROUP (group));
  /* once: a second press while the first runs, or after it, moves nothing */
  if (g_object_get_data (G_OBJECT (group), BUSY_KEY) != NULL
      || !g_list_store_find (self->store, group, NULL))
    return;
  g_object_set_data (G_OBJECT (group), BUSY_KEY, GINT_TO_POINTER (1));
  update_row (self, group);

  photos = cs_duplicate_group_get_photos (group);
  keeper = keeper_position (group);
  batch = g_new0 (TrashBatch, 1);
  batch->group = g_object_ref (group);
  g_list_store_find (self->store, group, &batch->position);
  batch->paths = g_ptr_array_new_with_free_func (g_free);
  batch->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      gint64 id = cs_photo_get_id (photo);

      if (i == keeper)
        continue;
      g_ptr_array_add (batch->paths, g_strdup (cs_photo_get_path (photo)));
      g_array_append_val (batch->ids, id);
    }
  batch->self = g_object_ref (self);
  cs_photo_trash_async (batch->paths, NULL, on_trashed_cb, batch);
}

/* Undo of "Not Duplicates": the judgement goes, the group comes back
 * where it was. */
static void
on_distinct_undo_cb (AdwToast         *t,
                     CsDuplicatesView *self)
{
  CsDuplicateGroup *group = g_object_get_data (G_OBJECT (t), "group");
  guint position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (t), "position"));
  g_autofree char *key = group_key (group);
  g_autoptr(GError) error = NULL;

  g_hash_table_remove (self->distinct, key);
  if (!save_distinct (self, &error))
    show_error (self, _("Cannot Remember This Judgement"), error->message);
  if (!g_list_store_find (self->store, group, NULL))
    g_list_store_insert (self->store, MIN (position, g_list_model_get_n_items (G_LIST_MODEL (self->store))), group);
  show_empty_if_needed (self);
}

gboolean
cs_duplicates_view_mark_distinct (CsDuplicatesView *self,
                                  CsDuplicateGroup *group)
{
  AdwToast *t;
  g_autoptr(CsDuplicateGroup) hold = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  guint where = 0;

  g_return_val_if_fail (CS_IS_DUPLICATES_VIEW (self), FALSE);
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (group), FALSE);
  if (g_object_get_data (G_OBJECT (group), BUSY_KEY) != NULL)
    return FALSE;
  /* the list (and the row's button, unbound with it) may hold the last
   * reference: the toast keeps the group for its Undo */
  hold = g_object_ref (group);
  key = group_key (group);
  g_hash_table_add (self->distinct, g_strdup (key));
  if (!save_distinct (self, &error))
    {
      /* hidden for this session all the same; say it will come back */
      show_error (self, _("Cannot Remember This Judgement"), error->message);
    }
  if (g_list_store_find (self->store, group, &where))
    g_list_store_remove (self->store, where);
  show_empty_if_needed (self);
  t = cs_toast_new_text (_("The photos will not be shown as duplicates again"));
  adw_toast_set_button_label (t, _("_Undo"));
  g_object_set_data_full (G_OBJECT (t), "group", g_object_ref (group), g_object_unref);
  g_object_set_data (G_OBJECT (t), "position", GUINT_TO_POINTER (where));
  g_signal_connect_object (t, "button-clicked", G_CALLBACK (on_distinct_undo_cb), self, 0);
  toast (self, t);
  return error == NULL;
}
