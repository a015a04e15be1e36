/* cs-clip-error.h - the engine's statuses as GErrors.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The library is the one place that maps clip_status to GError.
 */
#pragma once

#include <glib.h>

#include "clip.h"

G_BEGIN_DECLS

#define CS_CLIP_ERROR (cs_clip_error_quark ())
GQuark cs_clip_error_quark (void);

/* Codes of CS_CLIP_ERROR are the clip_status values. */

/* Sets `error` from an engine status and its message (which is freed);
 * returns FALSE so a caller can `return cs_clip_propagate (...)`. */
gboolean cs_clip_propagate (GError    **error,
                            clip_status status,
                            char       *message);

G_END_DECLS
