/* test-app-export.c - "Export Album…" from a label's context menu.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As a person would: the label row's context menu, its item, copies
 * chosen in the dialog (sidecars on, the default), "Choose Folder…", the
 * folder chosen in GTK's own chooser (no portal under Xvfb, as for "Find
 * Photos Like a File"), then the toast.  The folder must then hold a copy
 * of each member of the label with the original's bytes (SHA-256 here)
 * and a sidecar naming the album, and the originals must be as they were.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "app-test-util.h"
#include "cs-compat.h"
#include "cs-export-dialog.h"
#include "cs-label-row.h"
#include "test-util.h"

#define ALBUM "Café & \"Friends\" <2025>"

void test_export_album (void);

static char *
sha256_of (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static char *
fingerprint (const char *path)
{
  g_autofree char *sha = sha256_of (path);
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return g_strdup_printf ("%s %lld.%09ld", sha, (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static CsLabelRow *
row_of (CsLabel *label)
{
  for (guint i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (window_part ("label_list")), i);

      if (row == NULL)
        return NULL;
      if (cs_label_row_get_label (CS_LABEL_ROW (row)) == label)
        return CS_LABEL_ROW (row);
    }
}

static gboolean
row_shown (gpointer label)
{
  return row_of (label) != NULL;
}

static CsExportDialog *
shown_export_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CS_IS_EXPORT_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
export_dialog_shown (gpointer data)
{
  CsExportDialog *dialog = shown_export_dialog ();
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
export_dialog_gone (gpointer data)
{
  return shown_export_dialog () == NULL;
}

static gboolean
chooser_shown (gpointer data)
{
  GtkWidget *chooser = cs_compat_chooser_find_shown ();
  return chooser != NULL && gtk_widget_get_mapped (chooser);
}

typedef struct {
  GtkWidget *chooser;
  GFile     *file;
} ChooserWait;

/* Whether the chooser has selected `file` (in a folder chooser the
 * current folder stands for the selection until it is made) */
static gboolean
chooser_has_file (gpointer data)
{
  ChooserWait *w = data;
  g_autoptr(GFile) file = cs_compat_chooser_get_file (w->chooser);
  return file != NULL && g_file_equal (file, w->file);
}

static gboolean
popover_shown (gpointer row)
{
  GtkWidget *popover = find_widget (row, "GtkPopoverMenu", NULL, NULL);
  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* The label `data` has members: a new label's are worked out off the
 * main thread, later under a sanitizer than the row shows. */
static gboolean
label_has_members (gpointer data)
{
  g_autoptr(CsPhotoList) members = cs_library_list_label_members (cs_application_get_library (app), data);

  return cs_photo_list_get_n_items (members) > 0;
}

void
test_export_album (void)
{
  CsLibrary *library = cs_application_get_library (app);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsLabel) label = NULL;
  g_autoptr(CsPhotoList) members = NULL;
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *tmp = test_make_temp_dir ();
  g_autofree char *out = g_build_filename (tmp, "Album out", NULL);
  g_autoptr(GFile) out_file = NULL;
  CsLabelRow *row;
  CsExportDialog *dialog;
  GtkWidget *item, *copies, *choose, *chooser, *toast;
  guint n;

  label = cs_library_add_label (library, ALBUM, NULL, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for (row_shown, label, 10));
  row = row_of (label);
  g_assert_true (wait_for (label_has_members, label, 30));
  members = cs_library_list_label_members (library, label);
  n = cs_photo_list_get_n_items (members);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      const char *path = cs_photo_get_path (cs_photo_list_get_photo (members, i));
      g_hash_table_insert (before, g_strdup (path), fingerprint (path));
    }
  g_assert_cmpint (g_mkdir (out, 0755), ==, 0);
  out_file = g_file_new_for_path (out);

  /* the row's context menu (Shift+F10 and Menu give it; a right click
   * or a long press too), its one item */
  gtk_widget_activate_action (GTK_WIDGET (row), "label-row.menu", NULL);
  g_assert_true (wait_for (popover_shown, row, 10));
  item = find_widget (GTK_WIDGET (row), "GtkModelButton", "text", "_Export Album…");
  if (item == NULL)
    item = find_widget (GTK_WIDGET (row), "GtkModelButton", "text", "Export Album…");
  g_assert_nonnull (item);
  g_signal_emit_by_name (item, "clicked");
  g_assert_true (wait_for (export_dialog_shown, NULL, 10));
  dialog = shown_export_dialog ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Export “" ALBUM "”");

  /* copies, sidecars (on by default) */
  copies = find_widget (GTK_WIDGET (dialog), "AdwActionRow", "title", "C_opies");
  g_assert_nonnull (copies);
  adw_action_row_activate (ADW_ACTION_ROW (copies));
  save_screenshot (GTK_WIDGET (dialog), "export-dialog.png");
  choose = find_widget (GTK_WIDGET (dialog), "GtkButton", "label", "_Choose Folder…");
  g_assert_nonnull (choose);
  g_signal_emit_by_name (choose, "clicked");

  g_assert_true (wait_for (chooser_shown, NULL, 10));
  chooser = cs_compat_chooser_find_shown ();
  g_assert_true (cs_compat_chooser_set_file (chooser, out_file));
  {
    ChooserWait w = { chooser, out_file };
    g_assert_true (wait_for (chooser_has_file, &w, 20));
  }
  cs_compat_chooser_accept (chooser);

  g_assert_true (wait_for (export_dialog_gone, NULL, 10));
  {
    g_autofree char *text = g_strdup_printf ("%u photos of “" ALBUM "” in “Album out”", n);

    if (!wait_for (toast_shows, text, 60))
      {
        GtkWidget *shown = find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL);
        GtkWidget *title = shown != NULL ? find_widget (shown, "GtkLabel", NULL, NULL) : NULL;

        g_error ("the toast shows “%s”, not “%s”", title != NULL ? gtk_label_get_text (GTK_LABEL (title)) : "(none)",
                 text);
      }
  }
  toast = find_widget (GTK_WIDGET (window), "AdwToastWidget", NULL, NULL);
  g_assert_nonnull (find_widget (toast, "GtkButton", "label", "_Open Folder"));

  /* a copy of each member with its bytes (the same set of SHA-256s:
   * byte-identical members share one file, and names may have a "(2)"),
   * a sidecar beside each copy, the originals as they were */
  {
    g_autoptr(GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) got = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GDir) d = g_dir_open (out, 0, NULL);
    const char *name;

    for (guint i = 0; i < n; i++)
      {
        const char *path = cs_photo_get_path (cs_photo_list_get_photo (members, i));
        g_autofree char *now = fingerprint (path);

        g_hash_table_add (want, sha256_of (path));
        g_assert_cmpstr (now, ==, g_hash_table_lookup (before, path));
      }
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (out, name, NULL);
        g_autofree char *sidecar = g_strconcat (file, ".xmp", NULL);
        g_autofree char *xmp = NULL;

        if (g_str_has_suffix (name, ".xmp"))
          continue;
        g_assert_false (g_file_test (file, G_FILE_TEST_IS_SYMLINK));
        g_hash_table_add (got, sha256_of (file));
        g_assert_true (g_file_get_contents (sidecar, &xmp, NULL, NULL));
        g_assert_nonnull (strstr (xmp, "<rdf:li>Café &amp; &quot;Friends&quot; &lt;2025&gt;</rdf:li>"));
      }
    g_assert_cmpuint (g_hash_table_size (got), ==, g_hash_table_size (want));
    {
      GHashTableIter it;
      gpointer key;

      g_hash_table_iter_init (&it, want);
      while (g_hash_table_iter_next (&it, &key, NULL))
        g_assert_true (g_hash_table_contains (got, key));
    }
  }

  g_assert_true (cs_library_remove_label (library, label, NULL, &error));
  g_assert_no_error (error);
  test_rm_rf (tmp);
}
