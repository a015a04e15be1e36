/* cs-pixel-budget.c - bounding the memory of decodes running at once.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-pixel-budget"

#include "cs-pixel-budget.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

struct _CsPixelBudget {
  GMutex  lock;
  GCond   released;
  guint64 capacity;
  guint64 in_use;
  guint64 peak;
  guint64 next_ticket;   /* first come, first served: a large request */
  guint64 serving;       /* is not overtaken forever by small ones */
};

/* glibc serves a block from its heaps, which keep freed memory, unless it
 * is over the mmap threshold; and after freeing an mmapped block it raises
 * that threshold to the block's size (up to 32 MB).  So after the first
 * photo, decode buffers of a few megabytes (reduced images, libjpeg's
 * coefficients) stayed resident once freed, in every thread's arena, and
 * the peak grew past what the budget holds (mixed wallpapers: 274 MB
 * instead of 223).  A fixed threshold turns the adjustment off: blocks of
 * 1 MB and more go back to the system when freed. */
#define DECODE_MMAP_THRESHOLD (1024 * 1024)

static void
fix_mmap_threshold (void)
{
#ifdef __GLIBC__
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      mallopt (M_MMAP_THRESHOLD, DECODE_MMAP_THRESHOLD);
      g_once_init_leave (&done, 1);
    }
#endif
}

CsPixelBudget *
cs_pixel_budget_new (guint64 capacity)
{
  CsPixelBudget *budget = g_new0 (CsPixelBudget, 1);

  fix_mmap_threshold ();

  g_mutex_init (&budget->lock);
  g_cond_init (&budget->released);
  budget->capacity = MAX (capacity, 1);
  return budget;
}

void
cs_pixel_budget_free (CsPixelBudget *budget)
{
  if (budget == NULL)
    return;
  g_warn_if_fail (budget->in_use == 0);
  g_mutex_clear (&budget->lock);
  g_cond_clear (&budget->released);
  g_free (budget);
}

guint64
cs_pixel_budget_acquire (CsPixelBudget *budget,
                         guint64        bytes)
{
  guint64 ticket;

  g_return_val_if_fail (budget != NULL, 0);

  g_mutex_lock (&budget->lock);
  ticket = budget->next_ticket++;
  /* In turn; then an over-budget request waits for an empty budget, the
   * others for room beside what is held. */
  while (ticket != budget->serving ||
         (budget->in_use > 0 &&
          (bytes > budget->capacity || budget->in_use > budget->capacity - bytes)))
    g_cond_wait (&budget->released, &budget->lock);
  budget->serving++;
  g_cond_broadcast (&budget->released);
  budget->in_use += bytes;
  budget->peak = MAX (budget->peak, budget->in_use);
  g_mutex_unlock (&budget->lock);
  return bytes;
}

void
cs_pixel_budget_release (CsPixelBudget *budget,
                         guint64        held)
{
  g_return_if_fail (budget != NULL);

  g_mutex_lock (&budget->lock);
  g_warn_if_fail (held <= budget->in_use);
  budget->in_use -= MIN (held, budget->in_use);
  g_cond_broadcast (&budget->released);
  g_mutex_unlock (&budget->lock);
}

guint64
cs_pixel_budget_capacity (CsPixelBudget *budget)
{
  g_return_val_if_fail (budget != NULL, 0);
  return budget->capacity;
}

guint64
cs_pixel_budget_in_use (CsPixelBudget *budget)
{
  guint64 v;

  g_return_val_if_fail (budget != NULL, 0);
  g_mutex_lock (&budget->lock);
  v = budget->in_use;
  g_mutex_unlock (&budget->lock);
  return v;
}

guint64
cs_pixel_budget_peak (CsPixelBudget *budget)
{
  guint64 v;

  g_return_val_if_fail (budget != NULL, 0);
  g_mutex_lock (&budget->lock);
  v = budget->peak;
  g_mutex_unlock (&budget->lock);
  return v;
}
