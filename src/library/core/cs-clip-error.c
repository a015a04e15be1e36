/* cs-clip-error.c - the engine's statuses as GErrors.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cs-clip-error.h"

G_DEFINE_QUARK (cs-clip-error-quark, cs_clip_error)

gboolean
cs_clip_propagate (GError    **error,
                   clip_status status,
                   char       *message)
{
  g_set_error_literal (error, CS_CLIP_ERROR, (int) status,
                       message != NULL ? message : clip_status_to_string (status));
  clip_free (message);
  return FALSE;
}
