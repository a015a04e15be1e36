/* cs-duplicate-group.h - photos that are copies or near-copies of each
 * other.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A group is immutable once made (no notifications); like its photo list
 * it is used from one thread at a time.  Its photos come keeper first,
 * then by decreasing similarity to the keeper.
 *
 * The suggested keeper is the photo with the most pixels (the most
 * detail: a re-encoded or downscaled copy has no more), then the largest
 * file (at equal size, the one least compressed), then the oldest date
 * taken (the original rather than a later export), then the lowest id
 * (the one the library saw first).
 */
#pragma once

#include <gio/gio.h>

#include "cs-photo.h"

G_BEGIN_DECLS

typedef enum {
  CS_DUPLICATE_EXACT,  /* every photo has the same content hash and size */
  CS_DUPLICATE_NEAR,   /* nearly identical pictures (vectors above the threshold) */
} CsDuplicateKind;

#define CS_TYPE_DUPLICATE_GROUP (cs_duplicate_group_get_type ())
G_DECLARE_FINAL_TYPE (CsDuplicateGroup, cs_duplicate_group, CS, DUPLICATE_GROUP, GObject)

CsDuplicateKind cs_duplicate_group_get_kind       (CsDuplicateGroup *self);
/* The photos, keeper first: a GListModel of CsPhoto (borrowed).  Each
 * photo's score is its cosine to the keeper. */
GListModel     *cs_duplicate_group_get_photos     (CsDuplicateGroup *self);
/* The suggested keeper (borrowed). */
CsPhoto        *cs_duplicate_group_get_keeper     (CsDuplicateGroup *self);
/* The lowest cosine between any two photos of the group (1.0 for exact
 * copies). */
double          cs_duplicate_group_get_similarity (CsDuplicateGroup *self);
/* Why the keeper was chosen, for people (UTF-8, e.g. "most pixels"). */
const char     *cs_duplicate_group_get_keeper_reason (CsDuplicateGroup *self);
/* Byte-identical copies inside a group (in a near group too, where a
 * re-encode may sit beside two copies of the same file): the position of
 * the first photo of the group with the same content (content hash and
 * size) as the photo at `position`; `position` itself when none comes
 * before it.  So the photo at `position` is an exact copy of another one
 * of the group when the result differs from `position`, or when a later
 * photo's result is `position`. */
guint           cs_duplicate_group_get_copy_of    (CsDuplicateGroup *self,
                                                   guint             position);
/* Whether the photo at `position` has a byte-identical copy in the group. */
gboolean        cs_duplicate_group_is_exact_copy  (CsDuplicateGroup *self,
                                                   guint             position);

G_END_DECLS
