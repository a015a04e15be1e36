/* cs-model-probe.c - what a model folder is worth before the library
 * switches to it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-model-probe"

#include "config.h"

#include <errno.h>
#include <math.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-library-reports.h"
#include "cs-model-probe.h"

typedef struct {
  char      *tmp;       /* the throwaway folder */
  char      *database;  /* tmp/probe.db */
  CsLibrary *library;
  CsIndexer *indexer;
  double     images_per_second;
  char      *precision;
  char      *cpu;
} Probe;

/* The throwaway folder holds the database (and its -wal, -shm) and the
 * photo folder with its one photo: nothing deeper. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->library);
  g_clear_object (&probe->indexer);
  if (probe->tmp != NULL)
    remove_tree (probe->tmp);
  g_free (probe->tmp);
  g_free (probe->database);
  g_free (probe->precision);
  g_free (probe->cpu);
  g_free (probe);
}

static Probe *
probe_new (GError **error)
{
  Probe *probe = g_new0 (Probe, 1);

  probe->tmp = g_dir_make_tmp ("clipsight-model-probe-XXXXXX", error);
  if (probe->tmp == NULL)
    {
      probe_free (probe);
      return NULL;
    }
  probe->database = g_build_filename (probe->tmp, "probe.db", NULL);
  return probe;
}

/* ------------------------------------------------------------------ */
/* The check                                                            */
/* ------------------------------------------------------------------ */

static void
on_check_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cs_library_load_finish (CS_LIBRARY (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cs_model_probe_check_async (const char          *model_dir,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Probe *probe;

  g_return_if_fail (model_dir != NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_model_probe_check_async);
  if ((probe = probe_new (&error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);
  probe->library = cs_library_new (probe->database, model_dir);
  /* no labels in a throwaway database: nothing to cluster */
  cs_library_set_cluster_labels (probe->library, FALSE);
  cs_library_load_async (probe->library, cancellable, on_check_loaded_cb, g_steal_pointer (&task));
}

gboolean
cs_model_probe_check_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* The speed                                                            */
/* ------------------------------------------------------------------ */

/* A photo with some structure (gradients), so that decoding and scaling
 * do their usual work. */
static gboolean
write_photo (const char  *path,
             GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 320, 240);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < 240; y++)
    for (int x = 0; x < 320; x++)
      {
        guchar *p = pixels + y * stride + x * 3;

        p[0] = (guchar) (x * 255 / 319);
        p[1] = (guchar) (y * 255 / 239);
        p[2] = (guchar) (((x / 20) + (y / 20)) % 2 ? 200 : 40);
      }
  return gdk_pixbuf_save (pixbuf, path, "png", error, NULL);
}

static void
on_speed_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GArray) trials = NULL;
  g_autofree char *cpu = NULL;
  const char *precision = NULL;
  double cosine = 0;
  GError *error = NULL;

  if (!cs_precision_check_read_finish_full (result, &precision, &cosine, &cpu, &trials, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                     _("The speed could not be measured: the precision check kept no figures"));
      g_task_return_error (task, error);
      return;
    }
  if (isnan (cosine))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Not measured: CLIPSIGHT_PRECISION chooses the precision"));
      return;
    }
  for (guint i = 0; i < trials->len; i++)
    {
      const CsPrecisionTrial *t = &g_array_index (trials, CsPrecisionTrial, i);

      if (g_strcmp0 (t->name, precision) == 0 && isfinite (t->images_per_second)
          && t->images_per_second > 0)
        {
          probe->images_per_second = t->images_per_second;
          probe->precision = g_strdup (precision);
          probe->cpu = g_steal_pointer (&cpu);
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The speed could not be measured: the precision check did not time %s"),
                           precision);
}

static void
on_speed_indexed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(CsIndexSummary) summary = NULL;
  GError *error = NULL;

  summary = cs_indexer_rescan_finish (CS_INDEXER (source), result, &error);
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&probe->indexer);
  cs_precision_check_read_async (probe->database, g_task_get_cancellable (task), on_speed_read_cb,
                                 g_object_ref (task));
}

void
cs_model_probe_speed_async (const char          *model_dir,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *photos = NULL;
  g_autofree char *photo = NULL;
  GError *error = NULL;
  Probe *probe;

  g_return_if_fail (model_dir != NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_model_probe_speed_async);
  if ((probe = probe_new (&error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);
  photos = g_build_filename (probe->tmp, "photos", NULL);
  photo = g_build_filename (photos, "probe.png", NULL);
  if (g_mkdir (photos, 0700) != 0 || !write_photo (photo, &error))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", photos, g_strerror (errno));
      g_task_return_error (task, error);
      return;
    }
  probe->indexer = cs_indexer_new (probe->database, model_dir);
  cs_indexer_add_folder (probe->indexer, photos);
  cs_indexer_rescan_async (probe->indexer, cancellable, on_speed_indexed_cb, g_steal_pointer (&task));
}

gboolean
cs_model_probe_speed_finish (GAsyncResult  *result,
                             double        *images_per_second,
                             char         **precision,
                             char         **cpu,
                             GError       **error)
{
  Probe *probe;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  probe = g_task_get_task_data (G_TASK (result));
  if (images_per_second != NULL)
    *images_per_second = probe->images_per_second;
  if (precision != NULL)
    *precision = g_strdup (probe->precision);
  if (cpu != NULL)
    *cpu = g_strdup (probe->cpu != NULL ? probe->cpu : "");
  return TRUE;
}
