/* cs-library-duplicates.c - finding the library's duplicates.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The search itself is cs-duplicates.c, on one of GLib's task threads.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-duplicates.h"
#include "cs-library-object-private.h"

/* --------------------------------------------------------- duplicates */

typedef struct {
  CsVectorIndex *index;
  double         threshold;
  char          *database_path;  /* where the blank statistics are */
} DupJob;

static void
dup_job_free (gpointer p)
{
  DupJob *job = p;

  _cs_vector_index_unref (job->index);
  g_free (job->database_path);
  g_free (job);
}

static void
duplicates_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DupJob *job = task_data;
  GError *error = NULL;
  GListModel *groups = cs_duplicates_find_in (job->index, job->database_path, job->threshold,
                                              cancellable, &error);

  if (groups == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, groups, g_object_unref);
}

void
cs_library_find_duplicates_async (CsLibrary           *self,
                                  double               threshold,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DupJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_find_duplicates_async);
  if (self->index == NULL)
    {
      GError *error = NULL;
      _cs_library_set_not_loaded (&error);
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (DupJob, 1);
  job->index = _cs_vector_index_ref (self->index);
  job->threshold = threshold > 0 ? MIN (threshold, 1.0) : CS_LIBRARY_DEFAULT_DUPLICATE_THRESHOLD;
  job->database_path = g_strdup (self->database_path);
  g_task_set_task_data (task, job, dup_job_free);
  g_task_run_in_thread (task, duplicates_thread);
}

GListModel *
cs_library_find_duplicates_finish (CsLibrary     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
