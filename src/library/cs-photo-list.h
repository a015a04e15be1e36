/* cs-photo-list.h - an immutable, lazily materialised list of photos.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsPhotoList is a GListModel of CsPhoto: the result of a search, the
 * members of a label, the photos of a duplicate group.  Its items never
 * change once it is made ("items-changed" is never emitted): a new search
 * makes a new list.  It holds the data of its photos in memory (16 bytes
 * each, so a list may be the whole library), and g_list_model_get_item()
 * does no I/O: it makes the CsPhoto when asked and remembers it weakly,
 * so a position gives the same object for as long as anyone holds it,
 * and a grid scrolling through 100,000 photos keeps only those it shows
 * alive.  Use it from one thread at a time (normally the home thread of
 * the CsLibrary that made it).
 */
#pragma once

#include <gio/gio.h>

#include "cs-photo.h"
#include "cs-query.h"

G_BEGIN_DECLS

#define CS_TYPE_PHOTO_LIST (cs_photo_list_get_type ())
G_DECLARE_FINAL_TYPE (CsPhotoList, cs_photo_list, CS, PHOTO_LIST, GObject)

/* Items: the property "n-items" too. */
guint       cs_photo_list_get_n_items    (CsPhotoList *self);
/* The item at `position` (borrowed, valid as long as the list), or NULL
 * past the end: the same object g_list_model_get_item() returns, without
 * the reference.  The list keeps every photo it lends this way until it
 * is finalized: for short lists and tests; a view of a long list uses
 * g_list_model_get_item(). */
CsPhoto    *cs_photo_list_get_photo      (CsPhotoList *self,
                                          guint        position);

/* For a search: how many photos passed the query's filters and were
 * scored ("n-matched"); how many of them lie inside the adaptive cutoff
 * ("n-accepted", which may exceed n-items when the limit cut the list);
 * the cutoff score itself ("cutoff", a cosine: photos scoring at least
 * this are accepted; -inf at the loosest strictness, where every photo
 * passing the filters is); and a copy of the query ("query", or NULL for
 * lists that are not searches).  Other lists: n-matched = n-accepted =
 * n-items, cutoff 0. */
guint       cs_photo_list_get_n_matched  (CsPhotoList *self);
guint       cs_photo_list_get_n_accepted (CsPhotoList *self);
double      cs_photo_list_get_cutoff     (CsPhotoList *self);
CsQuery    *cs_photo_list_get_query      (CsPhotoList *self);

G_END_DECLS
