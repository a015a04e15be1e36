/* cs-cancel.h - stopping the operation a cancellable belongs to.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Cancels *cancellable, if set, and drops the reference to it, leaving
 * NULL: what an object does with its pending operation when it is
 * disposed or starts a new one in its place.  The operation's callback
 * still runs, with G_IO_ERROR_CANCELLED. */
static inline void
cs_cancel_and_clear (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
}

G_END_DECLS
