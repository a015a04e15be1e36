/* test-app-duplicates.c - the duplicates view as a person uses it (issue
 * 17): every member shown, the keeper chosen by a click, the trash moving
 * exactly the others once, Undo, no reorder under the pointer, and "Not
 * Duplicates" remembered.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The groups are made here from pictures drawn by the test and written
 * as byte-identical copies (an exact group whatever the model thinks), in
 * folders of their own: the toy photos are never trashed.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-duplicates-view.h"
#include "cs-photo-cell.h"
#include "cs-photo-view.h"
#include "test-util.h"

static CsDuplicatesView *
dup_view (void)
{
  return CS_DUPLICATES_VIEW (window_part ("duplicates_view"));
}

static gboolean
dup_search_done (gpointer data)
{
  return !cs_duplicates_view_get_busy (dup_view ()) && cs_duplicates_view_get_groups (dup_view ()) != NULL;
}

static void
dup_refresh (void)
{
  cs_duplicates_view_refresh (dup_view ());
  g_assert_true (wait_for (dup_search_done, NULL, 120));
}

/* A picture unlike the toy photos: `kind` 0 stripes, 1 a checkerboard. */
static void
write_picture (const char *path,
               guint       kind)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 120);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  g_autoptr(GError) error = NULL;

  for (int y = 0; y < 120; y++)
    for (int x = 0; x < 160; x++)
      {
        guchar *p = pixels + y * stride + x * 3;
        gboolean on = kind == 0 ? (x / 10) % 2 == 0 : ((x / 20) + (y / 20)) % 2 == 0;
        p[0] = on ? (kind == 0 ? 220 : 20) : 30;
        p[1] = on ? (kind == 0 ? 40 : 200) : (kind == 0 ? 60 : 240);
        p[2] = on ? (kind == 0 ? 40 : 60) : (kind == 0 ? 200 : 30);
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
}

/* Copies of one drawn picture: folder/prefix-<first..first+n-1>.png. */
static void
write_copies (const char *folder,
              const char *prefix,
              guint       kind,
              guint       first,
              guint       n)
{
  g_autofree char *model = g_build_filename (folder, "model.tmp", NULL);
  g_autofree char *data = NULL;
  gsize len;

  write_picture (model, kind);
  g_assert_true (g_file_get_contents (model, &data, &len, NULL));
  g_assert_no_errno (g_unlink (model));
  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u.png", prefix, i);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
    }
}

static char *
copy_path (const char *folder,
           const char *prefix,
           guint       i)
{
  g_autofree char *name = g_strdup_printf ("%s-%u.png", prefix, i);
  return g_build_filename (folder, name, NULL);
}

typedef struct {
  const char *folder;
  const char *prefix;
  guint       n;
} Copies;

static gboolean
library_has_copies (gpointer data)
{
  Copies *c = data;
  CsLibrary *library = cs_application_get_library (app);

  for (guint i = 0; i < c->n; i++)
    {
      g_autofree char *path = copy_path (c->folder, c->prefix, i);
      g_autoptr(CsPhoto) photo = cs_library_lookup_path (library, path);
      if (photo == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
group_has_path (CsDuplicateGroup *group,
                const char       *path)
{
  GListModel *photos = cs_duplicate_group_get_photos (group);

  for (guint i = 0; i < g_list_model_get_n_items (photos); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (photos, i);
      if (g_strcmp0 (cs_photo_get_path (photo), path) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The position in the view's list of the group holding `path`, or -1. */
static int
group_position (const char *path)
{
  GListModel *groups = cs_duplicates_view_get_groups (dup_view ());

  for (guint p = 0; p < g_list_model_get_n_items (groups); p++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, p);
      if (group_has_path (group, path))
        return (int) p;
    }
  return -1;
}

static CsDuplicateGroup *
group_at (int position)
{
  GListModel *groups = cs_duplicates_view_get_groups (dup_view ());
  g_autoptr(CsDuplicateGroup) group = NULL;

  g_assert_cmpint (position, >=, 0);
  group = g_list_model_get_item (groups, (guint) position);
  return group;  /* the list holds it */
}

/* The card on screen showing the group that holds `path` (its CsPhotoCell
 * for that path, up to the card). */
static GtkWidget *
find_cell_for (GtkWidget  *root,
               const char *path)
{
  if (CS_IS_PHOTO_CELL (root))
    {
      CsPhoto *photo = cs_photo_cell_get_photo (CS_PHOTO_CELL (root));
      if (photo != NULL && g_strcmp0 (cs_photo_get_path (photo), path) == 0)
        return root;
    }
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found = find_cell_for (w, path);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list's scrolled window (the status pages have theirs too). */
static GtkWidget *
list_scroller (void)
{
  GtkWidget *list = find_widget (GTK_WIDGET (dup_view ()), "GtkListView", NULL, NULL);

  g_assert_nonnull (list);
  return gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
}

static GtkWidget *
card_for (const char *path)
{
  GtkWidget *scrolled = list_scroller ();
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  GtkWidget *cell;

  /* the list view binds only the rows near the visible ones: scroll
   * down a page at a time, as a person would, until the group shows */
  gtk_adjustment_set_value (adj, 0);
  spin (0.2);
  while ((cell = find_cell_for (GTK_WIDGET (dup_view ()), path)) == NULL
         && gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) < gtk_adjustment_get_upper (adj))
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj));
      spin (0.2);
    }
  g_assert_nonnull (cell);
  for (GtkWidget *w = cell; w != NULL; w = gtk_widget_get_parent (w))
    if (gtk_widget_has_css_class (w, "duplicate-group"))
      return w;
  g_assert_not_reached ();
}

static void
count_cells (GtkWidget *root,
             guint     *n)
{
  if (CS_IS_PHOTO_CELL (root) && cs_photo_cell_get_photo (CS_PHOTO_CELL (root)) != NULL
      && gtk_widget_get_visible (root))
    (*n)++;
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    count_cells (w, n);
}

/* an AdwMessageDialog before libadwaita 1.5, an AdwAlertDialog after */
static GtkWidget *
shown_message_dialog (const char *css_class)
{
  return cs_compat_alert_find_shown (css_class);
}

static gboolean
message_dialog_shown (gpointer data)
{
  return shown_message_dialog (data) != NULL;
}


/* The Undo button of the toast saying `text` (an earlier toast may still
 * be going away, with its own). */
static GtkWidget *
undo_of_toast (GtkWidget  *root,
               const char *text)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget") && label_shows (root, text))
    return find_widget (root, "GtkButton", "label", "_Undo");
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found = undo_of_toast (w, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
distinct_undo_shows (gpointer data)
{
  GtkWidget **button = data;

  *button = undo_of_toast (GTK_WIDGET (window), "The photos will not be shown as duplicates again");
  return *button != NULL;
}

static gboolean
trash_undo_shows (gpointer data)
{
  GtkWidget **button = data;

  *button = undo_of_toast (GTK_WIDGET (window), "7 photos moved to the trash");
  return *button != NULL;
}

static gboolean
no_toast (gpointer data)
{
  return find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL) == NULL;
}

static gboolean
all_exist (gpointer data)
{
  Copies *c = data;

  for (guint i = 0; i < c->n; i++)
    {
      g_autofree char *path = copy_path (c->folder, c->prefix, i);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return FALSE;
    }
  return TRUE;
}

static gboolean
group_shown (gpointer path)
{
  return group_position (path) >= 0;
}

static gboolean
group_gone (gpointer path)
{
  return group_position (path) < 0;
}

static void
remove_test_folder (const char *folder)
{
  cs_application_remove_folder (app, folder);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  test_rm_rf (folder);
}

static void
collect_cards (GtkWidget *root,
               GPtrArray *cards)
{
  if (gtk_widget_has_css_class (root, "duplicate-group"))
    {
      g_ptr_array_add (cards, root);
      return;
    }
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    collect_cards (w, cards);
}

static void
count_requested (GtkWidget *root,
                 guint     *cells,
                 guint     *requested)
{
  if (CS_IS_PHOTO_CELL (root))
    {
      (*cells)++;
      if (cs_photo_cell_get_photo (CS_PHOTO_CELL (root)) != NULL)
        (*requested)++;
    }
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    count_requested (w, cells, requested);
}

/* The thumbnails asked for are those of the cards on screen: every cell
 * of a card on screen, none of a card the list view made below it (it
 * makes a couple of hundred; the thumbnailer serves the newest request
 * first, so theirs kept the ones on screen grey), and those on screen
 * load.  Again after a scroll down.  Runs before the cases below that
 * scroll the list. */
void
test_duplicates_thumbnails (void)
{
  GtkWidget *scroller = list_scroller ();
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_true (wait_for (dup_search_done, NULL, 120));
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GPtrArray) cards = g_ptr_array_new ();
      guint on_screen = 0, off_screen = 0;

      gtk_adjustment_set_value (adj, pass == 0 ? 0 : gtk_adjustment_get_page_size (adj) * 2.5);
      spin (0.5);
      collect_cards (GTK_WIDGET (dup_view ()), cards);
      for (guint c = 0; c < cards->len; c++)
        {
          graphene_rect_t b;
          guint cells = 0, requested = 0;

          g_assert_true (gtk_widget_compute_bounds (cards->pdata[c], scroller, &b));
          count_requested (cards->pdata[c], &cells, &requested);
          g_assert_cmpuint (cells, >=, 2);
          /* the list view makes rows beyond the screen without a place
           * (GTK 4.8: no height); the thumbnails are 88 px high */
          if (b.size.height < 88)
            {
              off_screen++;
              if (pass == 0)
                g_assert_cmpuint (requested, ==, 0);
            }
          else if (b.origin.y < gtk_widget_get_height (scroller) && b.origin.y + b.size.height > 0)
            {
              on_screen++;
              g_assert_cmpuint (requested, ==, cells);
            }
          else if (b.origin.y >= gtk_widget_get_height (scroller) + 100)
            {
              /* below the screen, never scrolled to (the scroll goes
               * down only; those above were on screen before) */
              off_screen++;
              g_assert_cmpuint (requested, ==, 0);
            }
        }
      g_assert_cmpuint (on_screen, >=, 1);
      /* the list view did make cards off screen: the check means something */
      g_assert_cmpuint (off_screen, >=, 1);
      g_assert_true (wait_for (thumbnails_loaded, scroller, 60));
    }
  gtk_adjustment_set_value (adj, 0);
}

/* A group of eight copies: every member shows (the view showed six), a
 * click on the fourth makes it the keeper, the trash button says it moves
 * seven and moves those seven (the fourth stays), the group leaves the
 * list at once and does not come back from a search that still sees the
 * trashed files, a second trash of it moves nothing, and Undo brings the
 * seven back from the trash and the group back to its place. */
void
test_duplicates_trash (void)
{
  g_autofree char *made = g_build_filename (g_get_home_dir (), "dups-trash", NULL);
  g_autoptr(GFile) dir = NULL;
  Copies copies = { NULL, "same", 8 };
  g_autofree char *kept_path = NULL;
  g_autofree char *first_path = NULL;
  g_autoptr(CsDuplicateGroup) group = NULL;
  GtkWidget *card, *trash, *undo = NULL;
  GtkFlowBoxChild *child;
  CsPhoto *keeper;
  guint n = 0;
  int position;

  g_assert_no_errno (g_mkdir_with_parents (made, 0755));
  copies.folder = made;
  write_copies (made, "same", 0, 0, 8);
  dir = g_file_new_for_path (made);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_copies, &copies, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_true (wait_for (dup_search_done, NULL, 120));
  first_path = copy_path (made, "same", 0);
  position = group_position (first_path);
  /* held: it leaves the list */
  group = g_object_ref (group_at (position));
  g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (group)), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = copy_path (made, "same", i);
      g_assert_true (group_has_path (group, path));
    }

  /* every member on screen, and the button says how many it moves */
  card = card_for (first_path);
  count_cells (card, &n);
  g_assert_cmpuint (n, ==, 8);
  trash = find_widget (card, "GtkButton", "label", "Move 7 Others to _Trash");
  g_assert_nonnull (trash);
  save_screenshot (GTK_WIDGET (window), "duplicates-all-members.png");

  /* a click on the fourth thumbnail makes it the keeper, marked */
  {
    GtkWidget *flow = find_widget (card, "GtkFlowBox", NULL, NULL);
    g_autoptr(CsPhoto) fourth = NULL;

    g_assert_nonnull (flow);
    child = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), 3);
    g_assert_nonnull (child);
    g_signal_emit_by_name (child, "activate");
    fourth = g_list_model_get_item (cs_duplicate_group_get_photos (group), 3);
    keeper = cs_duplicates_view_get_keeper (dup_view (), group);
    g_assert_true (keeper == fourth);
    kept_path = g_strdup (cs_photo_get_path (keeper));
    for (guint i = 0; i < 8; i++)
      {
        GtkFlowBoxChild *c = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), (int) i);
        GtkWidget *cell = find_widget (GTK_WIDGET (c), "CsPhotoCell", NULL, NULL);
        GtkWidget *mark = find_widget (GTK_WIDGET (c), "GtkImage", "icon-name", "object-select-symbolic");

        g_assert_nonnull (mark);
        g_assert_cmpint (gtk_widget_get_visible (mark), ==, i == 3);
        g_assert_cmpint (gtk_widget_has_css_class (cell, "keeper"), ==, i == 3);
      }
  }

  /* a thumbnail opens in the photo view, and Back comes back here */
  {
    GtkWidget *flow = find_widget (card, "GtkFlowBox", NULL, NULL);
    GtkFlowBoxChild *second = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), 1);
    GtkWidget *open = find_widget (GTK_WIDGET (second), "GtkButton", "tooltip-text", "Open");
    g_autoptr(CsPhoto) photo = g_list_model_get_item (cs_duplicate_group_get_photos (group), 1);
    CsPhotoView *view = CS_PHOTO_VIEW (window_part ("photo_view"));

    g_assert_nonnull (open);
    g_signal_emit_by_name (open, "clicked");
    g_assert_cmpstr (cs_window_get_view_name (window), ==, "photo");
    g_assert_cmpstr (cs_photo_get_path (cs_photo_view_get_photo (view)), ==, cs_photo_get_path (photo));
    gtk_widget_activate_action (GTK_WIDGET (view), "photo.back", NULL);
    g_assert_cmpstr (cs_window_get_view_name (window), ==, "duplicates");
    card = card_for (first_path);
    trash = find_widget (card, "GtkButton", "label", "Move 7 Others to _Trash");
    g_assert_nonnull (trash);
  }

  /* the trash, through its dialog */
  g_signal_emit_by_name (trash, "clicked");
  g_assert_true (wait_for (message_dialog_shown, NULL, 10));
  cs_compat_alert_respond (shown_message_dialog (NULL), "trash");
  g_assert_true (wait_for (toast_shows, (gpointer) "7 photos moved to the trash", 60));
  /* gone from the list at once; the keeper the person chose stays */
  g_assert_cmpint (group_position (first_path), ==, -1);
  g_assert_true (g_file_test (kept_path, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = copy_path (made, "same", i);
      g_assert_cmpint (g_file_test (path, G_FILE_TEST_EXISTS), ==, g_strcmp0 (path, kept_path) == 0);
    }

  /* a second trash of the same group moves nothing, the keeper included */
  cs_duplicates_view_trash_extras (dup_view (), group);
  spin (1);
  g_assert_true (g_file_test (kept_path, G_FILE_TEST_EXISTS));
  g_assert_null (shown_message_dialog ("duplicates-error"));

  /* Undo: the seven come back, and so does the group, where it was */
  g_assert_true (wait_for (trash_undo_shows, &undo, 30));
  g_signal_emit_by_name (undo, "clicked");
  g_assert_true (wait_for (all_exist, &copies, 60));
  g_assert_true (wait_for (group_shown, kept_path, 10));
  g_assert_cmpint (group_position (kept_path), ==, position);
  {
    /* and the trash no longer holds them */
    g_autofree char *info = g_build_filename (g_get_user_data_dir (), "Trash", "info", NULL);
    g_autoptr(GDir) d = g_dir_open (info, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, "same-"));
  }

  /* trashed again: a search that still sees the trashed files (or no
   * longer does) does not bring the group back */
  cs_duplicates_view_trash_extras (dup_view (), group);
  g_assert_true (wait_for (group_gone, kept_path, 60));
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *path = copy_path (made, "same", i);
      g_assert_cmpint (g_file_test (path, G_FILE_TEST_EXISTS), ==, g_strcmp0 (path, kept_path) == 0);
    }
  dup_refresh ();
  g_assert_cmpint (group_position (kept_path), ==, -1);
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  dup_refresh ();
  g_assert_cmpint (group_position (kept_path), ==, -1);
  g_assert_true (g_file_test (kept_path, G_FILE_TEST_EXISTS));

  remove_test_folder (made);
}

/* A refresh that finds a group grown larger (which the search sorts
 * first) keeps every group shown where it was; "Not Duplicates" hides a
 * group from this view, the next search and a new view (the judgement is
 * kept). */
void
test_duplicates_no_reorder (void)
{
  g_autofree char *made = g_build_filename (g_get_home_dir (), "dups-order", NULL);
  g_autoptr(GFile) dir = NULL;
  Copies small = { NULL, "small", 2 };
  Copies big = { NULL, "big", 3 };
  Copies grown = { NULL, "small", 6 };
  g_autofree char *small_path = NULL;
  g_autofree char *big_path = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  GListModel *groups;
  int small_at, big_at;

  /* the toasts of the case before go first (see below) */
  g_assert_true (wait_for (no_toast, NULL, 30));
  g_assert_no_errno (g_mkdir_with_parents (made, 0755));
  small.folder = big.folder = grown.folder = made;
  write_copies (made, "small", 0, 0, 2);
  write_copies (made, "big", 1, 0, 3);
  dir = g_file_new_for_path (made);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_copies, &small, 120));
  g_assert_true (wait_for (library_has_copies, &big, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_true (wait_for (dup_search_done, NULL, 120));
  dup_refresh ();
  /* the search said how far it was, to the end (the library reports the
   * end before the result) */
  g_assert_cmpfloat (cs_duplicates_view_get_progress (dup_view ()), ==, 1.0);
  small_path = copy_path (made, "small", 0);
  big_path = copy_path (made, "big", 0);
  small_at = group_position (small_path);
  big_at = group_position (big_path);
  g_assert_cmpint (small_at, >=, 0);
  g_assert_cmpint (big_at, >=, 0);
  /* the search puts larger groups first */
  g_assert_cmpint (big_at, <, small_at);
  groups = cs_duplicates_view_get_groups (dup_view ());
  for (guint p = 0; p < g_list_model_get_n_items (groups); p++)
    {
      g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (groups, p);
      g_autoptr(CsPhoto) photo = g_list_model_get_item (cs_duplicate_group_get_photos (group), 0);
      g_ptr_array_add (before, g_strdup (cs_photo_get_path (photo)));
    }

  /* the small group grows to six: a fresh search puts it before the
   * three; the list keeps it where it was, with its six */
  write_copies (made, "small", 0, 2, 4);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_copies, &grown, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  dup_refresh ();
  groups = cs_duplicates_view_get_groups (dup_view ());
  g_assert_cmpuint (g_list_model_get_n_items (groups), >=, before->len);
  for (guint p = 0; p < before->len; p++)
    g_assert_cmpint (group_position (before->pdata[p]), ==, (int) p);
  g_assert_cmpuint (g_list_model_get_n_items (cs_duplicate_group_get_photos (group_at (small_at))), ==, 6);

  /* Not Duplicates: the three go, from this search and the next */
  {
    GtkWidget *card = card_for (big_path);
    GtkWidget *button = find_widget (card, "GtkButton", "label", "_Not Duplicates");

    g_assert_nonnull (button);
    g_signal_emit_by_name (button, "clicked");
  }
  g_assert_cmpint (group_position (big_path), ==, -1);
  /* Undo brings it back where it was, and a second press hides it again */
  {
    GtkWidget *undo = NULL;

    g_assert_true (wait_for (distinct_undo_shows, &undo, 30));
    g_signal_emit_by_name (undo, "clicked");
    g_assert_cmpint (group_position (big_path), ==, big_at);
    /* the toast goes first: libadwaita 1.2 crashes (a double unref in
     * its toast overlay's hide animation) when a toast comes while the
     * one whose button was clicked is still going */
    g_assert_true (wait_for (no_toast, NULL, 10));
    g_signal_emit_by_name (find_widget (card_for (big_path), "GtkButton", "label", "_Not Duplicates"), "clicked");
    g_assert_cmpint (group_position (big_path), ==, -1);
  }
  /* the groups after it move up by one; none before it moves */
  for (guint p = 0; p < before->len; p++)
    if (p < (guint) big_at)
      g_assert_cmpint (group_position (before->pdata[p]), ==, (int) p);
    else if (p > (guint) big_at)
      g_assert_cmpint (group_position (before->pdata[p]), ==, (int) p - 1);
  dup_refresh ();
  g_assert_cmpint (group_position (big_path), ==, -1);
  g_assert_cmpint (group_position (small_path), >=, 0);

  /* a new view (as after a restart) does not show it either */
  {
    CsDuplicatesView *fresh = g_object_ref_sink (g_object_new (CS_TYPE_DUPLICATES_VIEW, NULL));
    GListModel *found;
    gboolean big_found = FALSE, small_found = FALSE;

    cs_duplicates_view_set_library (fresh, cs_application_get_library (app));
    cs_duplicates_view_refresh (fresh);
    while (cs_duplicates_view_get_busy (fresh))
      g_main_context_iteration (NULL, TRUE);
    found = cs_duplicates_view_get_groups (fresh);
    g_assert_nonnull (found);
    for (guint p = 0; p < g_list_model_get_n_items (found); p++)
      {
        g_autoptr(CsDuplicateGroup) group = g_list_model_get_item (found, p);
        big_found |= group_has_path (group, big_path);
        small_found |= group_has_path (group, small_path);
      }
    g_assert_false (big_found);
    g_assert_true (small_found);
    g_object_unref (fresh);
  }

  remove_test_folder (made);
}

/* A trash that fails shows GIO's message whole, in a dialog (a toast cut
 * it off): a copy deleted behind the view's back cannot be trashed. */
void
test_duplicates_trash_error (void)
{
  g_autofree char *made = g_build_filename (g_get_home_dir (), "dups-error", NULL);
  g_autoptr(GFile) dir = NULL;
  Copies copies = { NULL, "gone", 3 };
  g_autofree char *path = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *display = NULL;
  g_autoptr(CsDuplicateGroup) group = NULL;
  GtkWidget *dialog;
  const char *body;

  g_assert_no_errno (g_mkdir_with_parents (made, 0755));
  copies.folder = made;
  write_copies (made, "gone", 0, 0, 3);
  dir = g_file_new_for_path (made);
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_true (wait_for (library_has_copies, &copies, 120));
  g_assert_true (wait_for (indexer_idle, NULL, 120));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-duplicates", NULL);
  g_assert_true (wait_for (dup_search_done, NULL, 120));
  dup_refresh ();
  path = copy_path (made, "gone", 0);
  group = g_object_ref (group_at (group_position (path)));

  /* the first photo the trash moves is no longer there */
  {
    g_autoptr(CsPhoto) photo = g_list_model_get_item (cs_duplicate_group_get_photos (group), 1);
    gone = g_strdup (cs_photo_get_path (photo));
  }
  g_assert_no_errno (g_unlink (gone));
  cs_duplicates_view_trash_extras (dup_view (), group);
  g_assert_true (wait_for (message_dialog_shown, (gpointer) "duplicates-error", 60));
  dialog = shown_message_dialog ("duplicates-error");
  body = cs_compat_alert_get_body (dialog);
  display = g_filename_display_name (gone);
  g_test_message ("%s: %s", cs_compat_alert_get_heading (dialog), body);
  /* whole: the file's full path (its zero-width break points aside) and
   * the system's reason */
  {
    g_auto(GStrv) parts = g_strsplit (body, "\u200b", -1);
    g_autofree char *seen = g_strjoinv ("", parts);

    g_assert_nonnull (strstr (seen, display));
  }
  g_assert_nonnull (strstr (body, g_strerror (ENOENT)));
  cs_compat_alert_respond (dialog, "close");   /* a window on 1.2, an AdwDialog on >= 1.5 */
  /* nothing moved: the group stays, its buttons live again */
  g_assert_cmpint (group_position (path), >=, 0);
  {
    GtkWidget *card = card_for (path);
    GtkWidget *trash = find_widget (card, "GtkButton", "label", "Move 2 Others to _Trash");

    g_assert_nonnull (trash);
    g_assert_true (gtk_widget_get_sensitive (trash));
  }
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *p = copy_path (made, "gone", i);
      g_assert_cmpint (g_file_test (p, G_FILE_TEST_EXISTS), ==, g_strcmp0 (p, gone) != 0);
    }

  remove_test_folder (made);
}
