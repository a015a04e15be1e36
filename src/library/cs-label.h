/* cs-label.h - a zero-shot label ("auto-organised album").
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A label is a name plus one or more prompts.  Its vector is the
 * normalised mean of its prompts' CLIP text embeddings.  Each label
 * decides for itself: a photo is in it when its cosine to the label is
 * above the library's mean for the label and its probability against a
 * few generic background prompts (softmax(logit_scale * cosine) of the
 * label and the background) reaches the label's threshold; a photo may
 * be in several labels.  Confirmed photos always belong, rejected ones
 * never, and the user's verdicts change nothing else.
 *
 * CsLabel objects belong to their CsLibrary and live on its home thread;
 * the library updates them there (count, threshold, ... with
 * notifications).  Change a label through cs_library_edit_label_async(),
 * not here: the getters are all there is.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_LABEL (cs_label_get_type ())
G_DECLARE_FINAL_TYPE (CsLabel, cs_label, CS, LABEL, GObject)

/* The store's row id (> 0). */
gint64              cs_label_get_id          (CsLabel *self);
/* UTF-8, unique in the library. */
const char         *cs_label_get_name        (CsLabel *self);
/* The prompts (UTF-8, NULL-terminated; borrowed: valid until the next
 * notify::prompts).  A prompt may hold "{}", replaced by the name. */
const char * const *cs_label_get_prompts     (CsLabel *self);
/* Membership threshold on the probability against the background, in
 * [0, 1]. */
double              cs_label_get_threshold   (CsLabel *self);
/* Photos in the label now ("count"; notified after each re-clustering). */
guint               cs_label_get_count       (CsLabel *self);
/* Photos the user confirmed / rejected for this label. */
guint               cs_label_get_n_confirmed (CsLabel *self);
guint               cs_label_get_n_rejected  (CsLabel *self);

G_END_DECLS
