/* cs-labels.h - zero-shot clustering of the library by labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  A clustering is an immutable, reference-
 * counted result for one index snapshot and one set of labels: for every
 * row, the label with the highest softmax probability (among the labels
 * the user did not reject for that photo) with that probability and the
 * cosine.  Thresholds are not part of it, so a threshold change needs no
 * new clustering: membership is best == label && probability >= threshold,
 * or a confirmation.
 */
#pragma once

#include "cs-clip-runtime.h"
#include "cs-library-private.h"

G_BEGIN_DECLS

/* Few-shot refinement (Rocchio), see cs-library.h: the label's vector is
 * normalise (t + d), d = A w(nc) (mean(confirmed) - mean(library))
 * - B w(nr) (mean(rejected) - mean(library)), w(n) = n / (n + 2),
 * |d| <= CAP (so the angle to t stays below atan (CAP) ~ 31 degrees).
 * Chosen on the toy set over random choices of the judged photos: a label
 * whose prompt names the wrong shape goes from F1 0.61 to 0.77 on the
 * photos not judged after 3 confirmations and 3 rejections (0.58 to 0.88
 * for the fixed choice of tests/library/test-labels.c), where larger
 * weights or caps let one wrong click move a label too far. */
#define CS_LABELS_CONFIRM_WEIGHT 2.0
#define CS_LABELS_REJECT_WEIGHT 1.0
#define CS_LABELS_SHIFT_CAP 0.6

typedef struct {
  gint64  id;
  char   *name;
  char  **prompts;    /* as stored; "{}" stands for the name; empty: the defaults */
  double  threshold;
  GArray *verdicts;   /* CsStoreVerdict by increasing photo id */
} CsLabelDef;

CsLabelDef *cs_label_def_new   (const CsStoreLabel *label,
                                GArray             *verdicts);
CsLabelDef *cs_label_def_copy  (const CsLabelDef   *def);
void        cs_label_def_free  (CsLabelDef         *def);
/* The user's verdict on photo `id` (binary search): -1, 0 or 1. */
int         cs_label_def_verdict (const CsLabelDef *def,
                                  gint64            photo_id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsLabelDef, cs_label_def_free)

/* The texts a label's prompts give (each "{}" replaced by the name; the
 * default templates when it has none).  NULL-terminated; g_strfreev. */
char      **cs_label_expand_prompts (const CsLabelDef *def);

typedef struct _CsClustering CsClustering;

/* Clusters `index` by the labels `defs` (CsLabelDef*, in order).  The
 * prompts' vectors come from `store`'s cache for the index's model when
 * it has them; the others are encoded and cached (not on a read-only
 * database).  `store` may be NULL: everything is encoded. */
CsClustering *cs_clustering_compute   (CsVectorIndex  *index,
                                       CsClipRuntime  *rt,
                                       CsStore        *store,
                                       GPtrArray      *defs,
                                       GCancellable   *cancellable,
                                       GError        **error);
CsClustering *cs_clustering_ref       (CsClustering   *cl);
void          cs_clustering_unref     (CsClustering   *cl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsClustering, cs_clustering_unref)

CsVectorIndex *cs_clustering_get_index (CsClustering *cl);
/* The position of label `id` in the clustering, or -1. */
int           cs_clustering_find_label (CsClustering *cl,
                                        gint64        id);
/* Photos in label `def` (matched to the clustering by id; none when it
 * was not clustered): count and, when `items` is not NULL, the list
 * items, most probable first. */
guint         cs_clustering_members   (CsClustering     *cl,
                                       const CsLabelDef *def,
                                       GArray           *items);
/* cs_clustering_members()'s count for every label of `defs` at once, into
 * counts[i] for defs->pdata[i]: one pass over the library whatever the
 * number of labels (the per-label count is a pass each: 10,000 labels
 * over 100,000 photos would be 10^9 steps). */
void          cs_clustering_count_members (CsClustering *cl,
                                           GPtrArray    *defs,
                                           guint        *counts);

/* The photos on either side of `threshold` for label `def`, among those
 * whose best label it is (the user's confirmations aside: the threshold
 * does not decide on them): into `above` the `n` with the lowest
 * probabilities >= threshold (members at that threshold), into `below`
 * the `n` with the highest probabilities < threshold (those a looser
 * threshold would take first); each most probable first, accepted set
 * for `above`.  One pass over the library, then a sort of the label's
 * members: for a worker thread. */
void          cs_clustering_boundary  (CsClustering     *cl,
                                       const CsLabelDef *def,
                                       double            threshold,
                                       guint             n,
                                       GArray           *above,
                                       GArray           *below);

/* How many texts label clusterings have given to the text encoder in
 * this process (the others came from the cache): for tests. */
guint64       _cs_labels_debug_n_encoded (void);

G_END_DECLS
