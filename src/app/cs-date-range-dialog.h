/* cs-date-range-dialog.h - "Custom Range": the days the photos shown were
 * taken in.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small modal window over the main window with a "From" and a "To"
 * calendar, whole local days both included.  Apply (or Enter) activates
 * win.date-range with the range as "(xx)": taken at or after From's
 * midnight and strictly before the midnight after To, the bounds of
 * CsQuery; Cancel (or Escape) leaves the filter as it was.  Apply is off
 * while To comes before From.
 */
#pragma once

#include <adwaita.h>

#include "cs-window.h"

G_BEGIN_DECLS

#define CS_TYPE_DATE_RANGE_DIALOG (cs_date_range_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsDateRangeDialog, cs_date_range_dialog, CS, DATE_RANGE_DIALOG, AdwWindow)

/* Shows the dialog over `window`: preset to the window's custom range if
 * it has one, else to the days of the library's oldest and newest photos
 * (a search of them all, on a worker: the dialog comes when it is done),
 * else to the past month. */
void  cs_date_range_dialog_present (CsWindow *window);

/* The range [`after`, `before`) in Unix seconds as the filter's chip
 * reads it, its last day being the one before `before`: "12–14 July
 * 2025", as an event's title says it (new string). */
char *cs_date_range_format         (gint64    after,
                                    gint64    before);

G_END_DECLS
