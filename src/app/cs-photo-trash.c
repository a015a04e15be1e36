/* cs-photo-trash.c - photos moved to the trash, and back.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-photo-trash"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cs-photo-trash.h"

/* The thread's own copy of the caller's paths: the caller may change
 * or free its array while the thread runs. */
static GPtrArray *
dup_paths (GPtrArray *paths)
{
  GPtrArray *copy = g_ptr_array_new_full (paths->len, g_free);

  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add (copy, g_strdup (paths->pdata[i]));
  return copy;
}

static void
trash_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GPtrArray *paths = task_data;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths->pdata[i]);
      g_autoptr(GError) error = NULL;

      if (!g_file_trash (file, cancellable, &error))
        {
          g_autofree char *name = g_filename_display_basename (paths->pdata[i]);
          GError *said;

          /* GIO's words name no file and, for a folder without a trash
           * (a read-only disk, a network share), say "not supported":
           * the message says which photo, and that it was left as it is */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
            said = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                _("“%s” cannot be moved to the trash: its folder has no trash (%s). "
                                  "It was left where it is."), name, error->message);
          else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
            said = g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                _("“%s” cannot be moved to the trash: its folder is read-only (%s). "
                                  "It was left where it is."), name, error->message);
          else
            said = g_error_new (error->domain, error->code,
                                _("“%s” cannot be moved to the trash: %s. It was left where it is."),
                                name, error->message);
          g_task_set_task_data (task, g_steal_pointer (&done), (GDestroyNotify) g_ptr_array_unref);
          g_task_return_error (task, said);
          return;
        }
      g_ptr_array_add (done, g_strdup (paths->pdata[i]));
    }
  g_task_return_pointer (task, g_steal_pointer (&done), (GDestroyNotify) g_ptr_array_unref);
}

void
cs_photo_trash_async (GPtrArray           *paths,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GPtrArray *copy = dup_paths (paths);

  g_task_set_source_tag (task, cs_photo_trash_async);
  /* the task data is the request until the thread replaces it with what
   * was moved before a refusal */
  g_object_set_data_full (G_OBJECT (task), "cs-request", copy, (GDestroyNotify) g_ptr_array_unref);
  g_task_set_task_data (task, g_ptr_array_ref (copy), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, trash_thread);
}

/* The paths moved, also when one was refused (then with `error` set):
 * NULL only when none was. */
GPtrArray *
cs_photo_trash_finish (GAsyncResult  *result,
                       GError       **error)
{
  GPtrArray *done;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  done = g_task_propagate_pointer (G_TASK (result), error);
  if (done == NULL)
    {
      GPtrArray *partial = g_task_get_task_data (G_TASK (result));
      if (partial != NULL && partial != g_object_get_data (G_OBJECT (result), "cs-request")
          && partial->len > 0)
        done = g_ptr_array_ref (partial);
    }
  return done;
}

/* ------------------------------------------------------------------ */
/* Restore                                                              */
/* ------------------------------------------------------------------ */

/* Through gvfs's trash:/// when it runs: each item's trash::orig-path
 * says where it was.  TRUE when `orig` was found and moved back. */
static gboolean
restore_through_gvfs (const char    *orig,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GFile) trash = g_file_new_for_uri ("trash:///");
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (trash, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                            G_FILE_ATTRIBUTE_TRASH_ORIG_PATH ","
                                                            G_FILE_ATTRIBUTE_TRASH_DELETION_DATE,
                                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                            cancellable, NULL);
  g_autoptr(GFile) best = NULL;
  g_autoptr(GDateTime) best_date = NULL;
  GFileInfo *info;

  if (e == NULL)
    return FALSE;
  /* the newest trashed of that path: the one this action moved */
  while ((info = g_file_enumerator_next_file (e, cancellable, NULL)) != NULL)
    {
      const char *where = g_file_info_get_attribute_byte_string (info, G_FILE_ATTRIBUTE_TRASH_ORIG_PATH);
      g_autoptr(GDateTime) date = g_file_info_get_deletion_date (info);

      if (g_strcmp0 (where, orig) == 0
          && (best == NULL || (date != NULL && best_date != NULL && g_date_time_compare (date, best_date) > 0)))
        {
          g_set_object (&best, g_file_enumerator_get_child (e, info));
          g_clear_pointer (&best_date, g_date_time_unref);
          best_date = date != NULL ? g_date_time_ref (date) : NULL;
        }
      g_object_unref (info);
    }
  if (best == NULL)
    return FALSE;
  {
    g_autoptr(GFile) dest = g_file_new_for_path (orig);
    /* never over a file that took its place meanwhile */
    return g_file_move (best, dest, G_FILE_COPY_NONE, cancellable, NULL, NULL, error);
  }
}

/* The top of the mount `path` is on (the trash spec's $topdir). */
static char *
mount_top (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  GStatBuf st;
  dev_t dev;

  if (g_stat (dir, &st) != 0)
    return NULL;
  dev = st.st_dev;
  for (;;)
    {
      g_autofree char *parent = g_path_get_dirname (dir);
      if (g_strcmp0 (parent, dir) == 0 || g_stat (parent, &st) != 0 || st.st_dev != dev)
        return g_steal_pointer (&dir);
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
}

/* Without gvfs: the trash directory `trash` as g_file_trash() writes it
 * (files/ and info/, the freedesktop.org trash spec), where a .trashinfo
 * names `orig` (absolute, or relative to `top`). */
static gboolean
restore_from_dir (const char  *trash,
                  const char  *top,
                  const char  *orig,
                  GError     **error)
{
  g_autofree char *info_dir = g_build_filename (trash, "info", NULL);
  g_autoptr(GDir) dir = g_dir_open (info_dir, 0, NULL);
  g_autofree char *best = NULL;
  g_autofree char *best_date = NULL;
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *info = g_build_filename (info_dir, name, NULL);
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *escaped = NULL;
      g_autofree char *unescaped = NULL;
      g_autofree char *full = NULL;
      g_autofree char *date = NULL;

      if (!g_str_has_suffix (name, ".trashinfo")
          || !g_key_file_load_from_file (kf, info, G_KEY_FILE_NONE, NULL)
          || (escaped = g_key_file_get_string (kf, "Trash Info", "Path", NULL)) == NULL
          || (unescaped = g_uri_unescape_string (escaped, NULL)) == NULL)
        continue;
      full = g_path_is_absolute (unescaped) ? g_strdup (unescaped) : g_build_filename (top, unescaped, NULL);
      if (g_strcmp0 (full, orig) != 0)
        continue;
      /* ISO 8601 dates compare as strings: the newest is this action's */
      date = g_key_file_get_string (kf, "Trash Info", "DeletionDate", NULL);
      if (best == NULL || g_strcmp0 (date, best_date) > 0)
        {
          g_free (best);
          best = g_strdup (name);
          g_free (best_date);
          best_date = g_steal_pointer (&date);
        }
    }
  if (best == NULL)
    return FALSE;
  {
    g_autofree char *base = g_strndup (best, strlen (best) - strlen (".trashinfo"));
    g_autofree char *item = g_build_filename (trash, "files", base, NULL);
    g_autofree char *info = g_build_filename (info_dir, best, NULL);
    g_autoptr(GFile) src = g_file_new_for_path (item);
    g_autoptr(GFile) dest = g_file_new_for_path (orig);

    if (!g_file_move (src, dest, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
      return FALSE;
    g_unlink (info);
    return TRUE;
  }
}

static gboolean
gvfs_has_trash (void)
{
  const char *const *schemes = g_vfs_get_supported_uri_schemes (g_vfs_get_default ());

  return schemes != NULL && g_strv_contains (schemes, "trash");
}

/* GLib 2.74 has no restore.  gvfs's trash:/// is asked first (it knows
 * every trash of the system); a desktop without gvfs (and the tests, on
 * Xvfb) has the trash directories read directly: the home trash, then
 * .Trash/$uid and .Trash-$uid at the top of the file's mount. */
static void
restore_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GPtrArray *paths = task_data;
  g_autofree char *home_trash = g_build_filename (g_get_user_data_dir (), "Trash", NULL);
  g_autofree char *uid = g_strdup_printf ("%u", (unsigned) getuid ());
  g_autofree char *uid_dir = g_strdup_printf (".Trash-%u", (unsigned) getuid ());
  gboolean gvfs = gvfs_has_trash ();
  guint restored = 0;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *orig = paths->pdata[i];
      g_autofree char *top = mount_top (orig);
      g_autofree char *top_trash = top != NULL ? g_build_filename (top, ".Trash", uid, NULL) : NULL;
      g_autofree char *top_trash2 = top != NULL ? g_build_filename (top, uid_dir, NULL) : NULL;
      GError *error = NULL;

      if ((gvfs && restore_through_gvfs (orig, cancellable, &error))
          || (error == NULL && restore_from_dir (home_trash, "/", orig, &error))
          || (error == NULL && top != NULL && restore_from_dir (top_trash, top, orig, &error))
          || (error == NULL && top != NULL && restore_from_dir (top_trash2, top, orig, &error)))
        {
          restored++;
          continue;
        }
      if (error == NULL)
        {
          g_autofree char *name = g_filename_display_basename (orig);
          error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("“%s” is no longer in the trash"), name);
        }
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, restored);
}

void
cs_photo_restore_async (GPtrArray           *paths,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_photo_restore_async);
  g_task_set_task_data (task, dup_paths (paths), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, restore_thread);
}

gssize
cs_photo_restore_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  return g_task_propagate_int (G_TASK (result), error);
}
