/* cs-library-object-private.h - the CsLibrary object, for its own files.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CsLibrary is one object in several files, one per concern (the way
 * GNOME Text Editor splits its window): cs-library.c (the object and its
 * serial queue), cs-library-load.c, cs-library-search.c,
 * cs-library-labels.c (the labels on the home thread),
 * cs-library-label-jobs.c (changing them), cs-library-duplicates.c and
 * cs-library-sync.c (the blocking calls).  This header is their instance
 * struct and the calls they share; nothing else includes it.
 */
#pragma once

#include "cs-clip-runtime.h"
#include "cs-labels.h"
#include "cs-library.h"
#include "cs-library-private.h"

G_BEGIN_DECLS

struct _CsLibrary
{
  GObject        parent_instance;

  char          *database_path;
  char          *model_dir;
  gboolean       loaded;
  GMainContext  *context;           /* home */

  CsVectorIndex *index;
  CsClipRuntime *runtime;
  GError        *model_error;       /* why there is no runtime */
  gboolean       pending;           /* model_dir's vectors are not complete: the
                                     * active model's runtime answers */
  char          *building_dir;      /* the model change in progress (NULL: none) */
  guint64        building_done;
  guint64        building_total;
  GListStore    *labels;            /* CsLabel, by name */
  GPtrArray     *defs;              /* CsLabelDef*, by id */
  CsClustering  *clustering;

  GCancellable  *cancellable;       /* cancelled at dispose */
  GCancellable  *search_cancellable;
  GThreadPool   *serial;

  /* refresh coalescing */
  gboolean       refreshing;
  gboolean       skip_clustering;   /* cs_library_set_cluster_labels (FALSE) */
  GPtrArray     *refresh_waiting;   /* GTask*: finish with the running refresh */
  GPtrArray     *refresh_queued;    /* GTask*: need one more */
};

/* cs-library.c */

/* Runs `task`'s work on the serial thread. */
typedef void (*SerialFunc) (GTask *task);

void        _cs_library_serial_push         (CsLibrary     *self,
                                             GTask         *task,
                                             SerialFunc     func);
/* Cancelled by the caller or by the library's disposal. */
gboolean    _cs_library_job_cancelled       (GCancellable  *mine,
                                             GCancellable  *library,
                                             GError       **error);
gboolean    _cs_library_set_not_loaded      (GError       **error);
/* After a load or a refresh swapped its result in: the labels follow,
 * then the properties that changed are notified and "changed" emitted
 * when `changed`. */
void        _cs_library_finish_load         (CsLibrary     *self,
                                             guint          old_n_photos,
                                             gboolean       had_model,
                                             gboolean       changed);

/* Records the model change in progress (NULL: none) and notifies. */
void        _cs_library_set_building        (CsLibrary     *self,
                                             const char    *dir,
                                             guint64        done,
                                             guint64        total);

void        _cs_library_set_pending         (CsLibrary     *self,
                                             gboolean       pending);

/* cs-library-labels.c */

/* The labels of `store` as CsLabelDef* (by id). */
GPtrArray  *_cs_library_read_defs           (CsStore       *store,
                                             GError       **error);
GPtrArray  *_cs_library_copy_defs           (GPtrArray     *defs);
CsLabelDef *_cs_library_find_def            (CsLibrary     *self,
                                             gint64         id);
/* Makes the CsLabel objects match `self->defs`, then their counts. */
void        _cs_library_sync_labels         (CsLibrary     *self);
void        _cs_library_update_label_counts (CsLibrary     *self);
gboolean    _cs_library_label_is_ours       (CsLibrary     *self,
                                             CsLabel       *label,
                                             GError       **error);

G_END_DECLS
