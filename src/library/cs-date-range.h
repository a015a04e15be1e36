/* cs-date-range.h - a span of days as people read it.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One formatter for every range the user reads: the discovered events'
 * titles (search/cs-discover.c, where it lives) and the app's date-range
 * chip, so both say a span the same way and translators see it once.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "12–14 July 2025", "30 June – 2 July 2025", "30 December 2024 – 2
 * January 2025" or "12 July 2025": the days of `start` and `end` (both
 * Unix seconds, `end` included) in the local time zone and the locale's
 * month names (new string). */
char *cs_discover_format_range (gint64 start,
                                gint64 end);

G_END_DECLS
