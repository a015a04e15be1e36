/* cs-stall-monitor.c - reports main-loop iterations that take too long.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-stall-monitor"

#include "config.h"

#include <time.h>

#include "cs-stall-monitor.h"

static GPollFunc orig_poll;
static gint64 threshold_us;
static gint64 woke_at;       /* when the last poll returned; 0: not yet */
static gint64 max_us;
static gint64 max_busy_us;   /* less frame drawing */
static guint n_stalls;
static gint64 frame_started; /* 0: not drawing */
static gint64 frame_us;      /* drawing in the current iteration */
/* The main thread's CPU time, to tell work from waiting for the CPU (a
 * busy machine preempts the thread: that is not our code's doing). */
static gint64 cpu_woke;
static gint64 frame_cpu_started;
static gint64 frame_cpu_us;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
measure (gint64 now)
{
  gint64 busy, cpu, work;

  if (woke_at == 0)
    return;
  busy = now - woke_at;
  cpu = thread_cpu_us () - cpu_woke;
  /* what our code and GLib did: on the CPU, outside frame drawing */
  work = MAX (0, cpu - frame_cpu_us);
  woke_at = 0;
  if (busy > max_us)
    max_us = busy;
  if (work > max_busy_us)
    max_busy_us = work;
  if (busy > threshold_us)
    {
      n_stalls++;
      g_message ("main loop stalled: one iteration took %.1f ms (drawing a frame: %.1f ms; "
                 "on the CPU: %.1f ms, %.1f ms of it outside drawing)",
                 busy / 1000.0, frame_us / 1000.0, cpu / 1000.0, work / 1000.0);
    }
  frame_us = 0;
  frame_cpu_us = 0;
}

static void
on_before_paint_cb (GdkFrameClock *clock)
{
  frame_started = g_get_monotonic_time ();
  frame_cpu_started = thread_cpu_us ();
}

static void
on_after_paint_cb (GdkFrameClock *clock)
{
  if (frame_started != 0)
    {
      frame_us += g_get_monotonic_time () - frame_started;
      frame_cpu_us += thread_cpu_us () - frame_cpu_started;
    }
  frame_started = 0;
}

static gint
stall_poll (GPollFD *fds,
            guint    n_fds,
            gint     timeout)
{
  gint ret;

  measure (g_get_monotonic_time ());
  ret = orig_poll (fds, n_fds, timeout);
  woke_at = g_get_monotonic_time ();
  cpu_woke = thread_cpu_us ();
  return ret;
}

void
cs_stall_monitor_install (guint threshold_ms)
{
  GMainContext *context = g_main_context_default ();

  threshold_us = (gint64) MAX (threshold_ms, 1) * G_TIME_SPAN_MILLISECOND;
  if (orig_poll != NULL)
    return;
  orig_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, stall_poll);
  cs_stall_monitor_reset ();
}

void
cs_stall_monitor_uninstall (void)
{
  if (orig_poll == NULL)
    return;
  g_main_context_set_poll_func (g_main_context_default (), orig_poll);
  orig_poll = NULL;
}

gboolean
cs_stall_monitor_is_installed (void)
{
  return orig_poll != NULL;
}

void
cs_stall_monitor_watch_frames (GdkFrameClock *clock)
{
  g_return_if_fail (GDK_IS_FRAME_CLOCK (clock));
  if (g_object_get_data (G_OBJECT (clock), "cs-stall-monitor") != NULL)
    return;
  g_object_set_data (G_OBJECT (clock), "cs-stall-monitor", GINT_TO_POINTER (1));
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint_cb), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), NULL);
}

void
cs_stall_monitor_reset (void)
{
  woke_at = 0;
  max_busy_us = 0;
  frame_us = 0;
  frame_cpu_us = 0;
  max_us = 0;
  n_stalls = 0;
}

void
cs_stall_monitor_end_iteration (void)
{
  if (orig_poll != NULL)
    measure (g_get_monotonic_time ());
}

double
cs_stall_monitor_get_max_ms (void)
{
  return max_us / 1000.0;
}

double
cs_stall_monitor_get_max_busy_ms (void)
{
  return max_busy_us / 1000.0;
}

guint
cs_stall_monitor_get_n_stalls (void)
{
  return n_stalls;
}
