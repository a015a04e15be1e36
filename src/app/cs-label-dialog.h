/* cs-label-dialog.h - add or edit a label: name, prompts, threshold.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For an existing label, moving the threshold applies it at once (the
 * library re-clusters from stored probabilities, no re-embedding) and
 * previews the photos just above and just below it; Cancel puts the old threshold back.
 */
#pragma once

#include <adwaita.h>

#include "cs-library.h"

G_BEGIN_DECLS

#define CS_TYPE_LABEL_DIALOG (cs_label_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsLabelDialog, cs_label_dialog, CS, LABEL_DIALOG, AdwWindow)

/* A dialog adding a label (`label` NULL) or editing `label`. */
CsLabelDialog *cs_label_dialog_new       (CsLibrary     *library,
                                          GSettings     *settings,
                                          CsLabel       *label);
/* Fills the fields, for tests. */
void           cs_label_dialog_set_name  (CsLabelDialog *self,
                                          const char    *name);
/* Saves (as the Save button does); the dialog closes when done. */
void           cs_label_dialog_save      (CsLabelDialog *self);

G_END_DECLS
