/* cs-indexing-bar.h - the bar that shows how indexing goes.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown while the indexer runs: what it does (looking for photos,
 * indexing, paused and why), how far it got, its speed and the time left,
 * and a button for the photos that could not be read.  Its buttons
 * activate the window's win.pause-indexing and win.show-failures.
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-application.h"

G_BEGIN_DECLS

#define CS_TYPE_INDEXING_BAR (cs_indexing_bar_get_type ())
G_DECLARE_FINAL_TYPE (CsIndexingBar, cs_indexing_bar, CS, INDEXING_BAR, GtkWidget)

/* Follows `application`'s indexer and pause state from now on. */
void cs_indexing_bar_set_application (CsIndexingBar *self,
                                      CsApplication *application);

/* The indexing speed shown in the bar, in photos per second, from
 * samples of the count of photos done.  `running` says whether indexing
 * goes on from this sample to the next (FALSE while paused). */
typedef struct _CsIndexingRate CsIndexingRate;

CsIndexingRate *cs_indexing_rate_new    (void);
void            cs_indexing_rate_free   (CsIndexingRate *self);
/* Forgets the samples: a new indexing phase begins. */
void            cs_indexing_rate_reset  (CsIndexingRate *self);
void            cs_indexing_rate_sample (CsIndexingRate *self,
                                         gint64          now_us,
                                         guint64         count,
                                         gboolean        running);
/* Photos per second; 0 while too little is known. */
double          cs_indexing_rate_get    (CsIndexingRate *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsIndexingRate, cs_indexing_rate_free)

G_END_DECLS
