/* cs-library-sync.c - the library's blocking calls.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each starts its _async twin and iterates the library's home context
 * until it finished: for the command line and tests.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-object-private.h"

/* ------------------------------------------------------ blocking twins */

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
on_wait_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
}

/* Iterates the home context until the operation finished. */
static void
wait_for (CsLibrary *self,
          Waiter    *w)
{
  gboolean acquired = g_main_context_acquire (self->context);

  g_return_if_fail (acquired);
  while (w->result == NULL)
    g_main_context_iteration (self->context, TRUE);
  g_main_context_release (self->context);
}

#define BLOCKING(call_async, finish_expr)                                   \
  G_STMT_START {                                                            \
    Waiter w = { NULL };                                                    \
    call_async;                                                             \
    wait_for (self, &w);                                                    \
    finish_expr;                                                            \
    g_object_unref (w.result);                                              \
  } G_STMT_END

gboolean
cs_library_load (CsLibrary     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_load_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_load_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_refresh (CsLibrary     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_refresh_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_refresh_finish (self, w.result, error));
  return ok;
}

CsPhotoList *
cs_library_search (CsLibrary     *self,
                   CsQuery       *query,
                   GCancellable  *cancellable,
                   GError       **error)
{
  CsPhotoList *list;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_search_async (self, query, cancellable, on_wait_done_cb, &w),
            list = cs_library_search_finish (self, w.result, error));
  return list;
}

CsLabel *
cs_library_add_label (CsLibrary           *self,
                      const char          *name,
                      const char * const  *prompts,
                      double               threshold,
                      GCancellable        *cancellable,
                      GError             **error)
{
  CsLabel *label;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_add_label_async (self, name, prompts, threshold, cancellable, on_wait_done_cb, &w),
            label = cs_library_add_label_finish (self, w.result, error));
  return label;
}

gboolean
cs_library_edit_label (CsLibrary           *self,
                       CsLabel             *label,
                       const char          *name,
                       const char * const  *prompts,
                       double               threshold,
                       GCancellable        *cancellable,
                       GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_edit_label_async (self, label, name, prompts, threshold, cancellable,
                                         on_wait_done_cb, &w),
            ok = cs_library_edit_label_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_remove_label (CsLibrary     *self,
                         CsLabel       *label,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_remove_label_async (self, label, cancellable, on_wait_done_cb, &w),
            ok = cs_library_remove_label_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_set_verdict (CsLibrary     *self,
                        CsLabel       *label,
                        const gint64  *photo_ids,
                        guint          n_photos,
                        CsVerdict      verdict,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_set_verdict_async (self, label, photo_ids, n_photos, verdict, cancellable,
                                          on_wait_done_cb, &w),
            ok = cs_library_set_verdict_finish (self, w.result, error));
  return ok;
}

gboolean
cs_library_add_starter_labels (CsLibrary     *self,
                               guint         *n_added,
                               GCancellable  *cancellable,
                               GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CS_IS_LIBRARY (self), FALSE);
  BLOCKING (cs_library_add_starter_labels_async (self, cancellable, on_wait_done_cb, &w),
            ok = cs_library_add_starter_labels_finish (self, w.result, n_added, error));
  return ok;
}

GListModel *
cs_library_find_duplicates (CsLibrary     *self,
                            double         threshold,
                            GCancellable  *cancellable,
                            GError       **error)
{
  GListModel *groups;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  BLOCKING (cs_library_find_duplicates_async (self, threshold, cancellable, on_wait_done_cb, &w),
            groups = cs_library_find_duplicates_finish (self, w.result, error));
  return groups;
}
