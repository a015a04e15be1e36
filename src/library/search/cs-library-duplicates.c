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
  /* progress, from the search's thread to the caller's context: the
   * latest fraction (per mille), and whether an idle is on its way */
  CsLibraryProgressFunc progress;
  gpointer       progress_data;
  GTask         *task;           /* unowned: the job lives in it */
  gint           permille;
  gint           last_permille;  /* the thread's last one sent */
  gint           pending;
} DupJob;

static void
dup_job_free (gpointer p)
{
  DupJob *job = p;

  _cs_vector_index_unref (job->index);
  g_free (job->database_path);
  g_free (job);
}

/* In the caller's context.  Never after the search finished (its
 * callback ran) or was cancelled: the caller may be gone then. */
static gboolean
report_progress_cb (gpointer data)
{
  GTask *task = data;
  DupJob *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_atomic_int_set (&job->pending, 0);
  if (!g_task_get_completed (task) && !g_cancellable_is_cancelled (cancellable))
    job->progress (g_atomic_int_get (&job->permille) / 1000.0, job->progress_data);
  return G_SOURCE_REMOVE;
}

/* On the search's thread: at most one idle waiting, and one per 0.1 %. */
static void
on_search_progress (double   fraction,
                    gpointer data)
{
  DupJob *job = data;
  gint permille = (gint) (CLAMP (fraction, 0.0, 1.0) * 1000);

  if (permille <= job->last_permille)
    return;
  job->last_permille = permille;
  g_atomic_int_set (&job->permille, permille);
  /* Always through a source on the caller's context, never
   * g_main_context_invoke: that calls straight away, on this thread, when
   * the context happens to be free, and the caller would hear of
   * progress on the wrong thread (and after it cancelled). */
  if (g_atomic_int_compare_and_exchange (&job->pending, 0, 1))
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, report_progress_cb, g_object_ref (job->task), g_object_unref);
      g_source_set_static_name (source, "[clipsight] duplicates progress");
      g_source_attach (source, g_task_get_context (job->task));
      g_source_unref (source);
    }
}

static void
duplicates_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DupJob *job = task_data;
  GError *error = NULL;
  GListModel *groups = cs_duplicates_find_with_progress (job->index, job->database_path, job->threshold,
                                                        job->progress != NULL ? on_search_progress : NULL,
                                                        job, cancellable, &error);

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
  cs_library_find_duplicates_with_progress_async (self, threshold, NULL, NULL, cancellable, callback, user_data);
}

void
cs_library_find_duplicates_with_progress_async (CsLibrary             *self,
                                                double                 threshold,
                                                CsLibraryProgressFunc  progress,
                                                gpointer               progress_data,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  DupJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  /* one tag for both: one _finish */
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
  job->threshold = threshold > 0 ? MIN (threshold, 1.0) : cs_library_get_default_duplicate_threshold (self);
  job->database_path = g_strdup (self->database_path);
  job->progress = progress;
  job->progress_data = progress_data;
  job->task = task;
  job->last_permille = -1;
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
