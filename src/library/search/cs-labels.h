/* cs-labels.h - zero-shot clustering of the library by labels.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  A clustering is an immutable, reference-
 * counted result for one index snapshot and one set of labels.  Each
 * label decides for itself (issue 16: a softmax over the user's own
 * labels gave one label alone the whole library, and a judgement in one
 * label moved the others):
 *
 *   p_l(x) = e^(s cos(x, t_l)) / (e^(s cos(x, t_l)) + sum_b e^(s cos(x, b)))
 *
 * over the runtime's B generic background prompts b ("a photo", "an
 * image", ...) with the model's logit scale s: how much better the label
 * describes the photo than nothing in particular.  A photo is in label l
 * when it stands out of the library for it,
 *
 *   cos(x, t_l) >= mean_l + CS_LABELS_LIBRARY_CUTOFF x sd_l
 *
 * (the mean and deviation of the label's cosines over the live photos),
 * and p_l(x) >= the label's threshold (default 0.2, cs-library.h).  The photos that
 * pass the first test are the label's candidates, kept with p_l, so a
 * threshold change needs no new clustering.  A photo may be in several
 * labels.  The user's verdicts are applied exactly and change nothing
 * else: confirmed photos are in (probability 1), rejected ones out, and
 * the label's vector stays the prompts' (no few-shot refinement: it made
 * two confirmations grow "Beaches" from 60 to 80; see the report of
 * issue 16 for the measurements).
 */
#pragma once

#include "cs-clip-runtime.h"
#include "cs-library-private.h"

G_BEGIN_DECLS

/* The library test above, in standard deviations of the label's cosines
 * over the library: a member must be above the library's mean for the
 * label.  Chosen on the tuning half of the toy photos (files whose name
 * hash is even; tests/library/test-labels.c measures the other half), the
 * best mean F1 of the 14 toy labels alone with the default threshold 0.2:
 * cutoff -0.5 sd 0.680, 0 sd 0.681, 0.25 sd 0.671, 0.5 sd 0.665, 1 sd
 * 0.657 (held-out: 0.694, 0.685, 0.666, 0.633, 0.602).  0 takes the
 * stricter of the two best. */
#define CS_LABELS_LIBRARY_CUTOFF 0.0

/* SigLIP and SigLIP 2 (cs_clip_runtime_is_sigmoid) score a photo against
 * a text on their own: the label's probability is the model's
 *
 *   p_l(x) = sigmoid (exp (logit_scale) cos(x, t_l) + logit_bias),
 *
 * calibrated by its training, so neither the background prompts nor the
 * library test above apply (they correct CLIP's softmax, which says only
 * how a text compares with others).  A photo is in label l when p_l(x) >=
 * the label's threshold (default CS_LIBRARY_SIGLIP_LABEL_THRESHOLD).  The
 * candidates kept for the threshold preview are the photos with p_l(x) >=
 * this floor (what the model calls unrelated lies far below it), so a
 * label of a large library does not keep every photo. */
#define CS_LABELS_SIGLIP_CANDIDATE_FLOOR 0.01

typedef struct {
  guint row;
  float cos;
  float prob;   /* p_l against the background */
} CsLabelCandidate;

/* For the tuning sweep of the tests: the library cutoff (NAN: the
 * default).  Not thread-safe; call before clustering. */
void _cs_labels_debug_set_library_cutoff (double z);

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

/* The photos on either side of `threshold` for label `def`, among its
 * candidates (the user's confirmations aside: the threshold
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
