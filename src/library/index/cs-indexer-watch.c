/* cs-indexer-watch.c - live mode: folder monitors and the debounced
 * partial runs they start.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-indexer"

#include "config.h"

#include "cs-indexer-private.h"

static void
on_monitor_changed_cb (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       gpointer           user_data);

void
cs_indexer_update_monitors (CsIndexer *self,
                            GPtrArray *folders)
{
  if (!self->watching || folders == NULL)
    return;
  for (guint i = 0; i < folders->len; i++)
    {
      const char *path = folders->pdata[i];
      if (g_hash_table_contains (self->monitors, path))
        continue;
      g_autoptr(GFile) f = g_file_new_for_path (path);
      GFileMonitor *m = g_file_monitor_directory (f, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (m == NULL)
        continue; /* out of inotify watches: the next full rescan still finds changes */
      g_signal_connect_object (m, "changed", G_CALLBACK (on_monitor_changed_cb), self, 0);
      g_hash_table_insert (self->monitors, g_strdup (path), m);
    }
}

static gboolean
on_debounce_cb (gpointer user_data)
{
  CsIndexer *self = user_data;
  GHashTableIter iter;
  gpointer key;

  self->debounce_id = 0;
  if (self->current != NULL)
    {
      /* try again once the current run is over */
      self->debounce_id = g_timeout_add (MONITOR_DEBOUNCE_MS, on_debounce_cb, self);
      return G_SOURCE_REMOVE;
    }
  self->queued_roots = cs_index_strv_array_new ();
  g_hash_table_iter_init (&iter, self->pending_roots);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (self->queued_roots, g_strdup (key));
  g_hash_table_remove_all (self->pending_roots);
  cs_indexer_start_run (self);
  return G_SOURCE_REMOVE;
}

static void
note_changed_folder (CsIndexer *self,
                     GFile     *file,
                     gboolean   is_folder_itself)
{
  g_autoptr(GFile) parent = is_folder_itself ? g_object_ref (file) : g_file_get_parent (file);
  g_autofree char *path = parent != NULL ? g_file_get_path (parent) : NULL;

  if (path == NULL)
    return;
  g_hash_table_add (self->pending_roots, g_steal_pointer (&path));
  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (MONITOR_DEBOUNCE_MS, on_debounce_cb, self);
}

static void
on_monitor_changed_cb (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other,
                       GFileMonitorEvent  event,
                       gpointer           user_data)
{
  CsIndexer *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      note_changed_folder (self, file, FALSE);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      note_changed_folder (self, file, FALSE);
      if (other != NULL)
        note_changed_folder (self, other, FALSE);
      break;
    default:
      break;
    }
}
