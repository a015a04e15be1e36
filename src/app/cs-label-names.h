/* cs-label-names.h - the name a label is shown under.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The library stores the starter labels under their English names
 * (cs_library_starter_label_names (), marked N_() for the catalogue); the
 * app shows them in the user's language.  Any other name is the user's
 * own and is shown as it is.
 */
#pragma once

#include "cs-label.h"

G_BEGIN_DECLS

/* `name` translated if it is a starter label's, else `name` (static or
 * borrowed from `name`). */
const char *cs_label_name_for_display (const char *name);
/* The same for `label`'s name. */
const char *cs_label_get_display_name (CsLabel    *label);

G_END_DECLS
