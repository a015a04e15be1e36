/* cs-stall-monitor.h - reports main-loop iterations that take too long.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A debugging aid: wraps the poll function of the default main context and
 * measures the time between one poll returning and the next one starting,
 * which is the work one iteration did (dispatching sources, layout,
 * drawing).  Iterations over the threshold are reported with g_message.
 * The app installs it when CLIPSIGHT_DEBUG_STALLS is set (to "1", or to a
 * threshold in milliseconds); tests read the figures directly.
 * A report says how much of the iteration went into drawing a frame
 * (layout and rendering, GTK's work) for the frame clocks it watches, and
 * how much the thread was on the CPU (the rest it waited to be scheduled).
 * Main thread only.
 */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

void    cs_stall_monitor_install     (guint threshold_ms);
void    cs_stall_monitor_uninstall   (void);
gboolean cs_stall_monitor_is_installed (void);
/* Starts counting afresh (the longest iteration and the number of stalls). */
void    cs_stall_monitor_reset       (void);
/* The longest iteration since install or reset, in milliseconds. */
double  cs_stall_monitor_get_max_ms  (void);
/* The longest time the main thread spent on the CPU in one iteration
 * outside drawing a frame of a watched frame clock (GTK's layout and
 * rendering): the longest our own code (with GLib's) held the loop.  On
 * the CPU, so that a busy machine preempting the thread does not count. */
double  cs_stall_monitor_get_max_busy_ms (void);
/* Tells frame drawing apart in the reports. */
void    cs_stall_monitor_watch_frames (GdkFrameClock *clock);
guint   cs_stall_monitor_get_n_stalls (void);
/* For a caller that iterates the context itself (a test): ends the
 * measure of the iteration that just returned, so that what the caller
 * does before the next one is not counted as main-loop work. */
void    cs_stall_monitor_end_iteration (void);

G_END_DECLS
