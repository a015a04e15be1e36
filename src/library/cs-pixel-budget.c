/* cs-pixel-budget.c - bounding the memory of decodes running at once.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-pixel-budget"

#include "cs-pixel-budget.h"

struct _CsPixelBudget {
  GMutex  lock;
  GCond   released;
  guint64 capacity;
  guint64 in_use;
  guint64 peak;
  guint64 next_ticket;   /* first come, first served: a large request */
  guint64 serving;       /* is not overtaken forever by small ones */
};

CsPixelBudget *
cs_pixel_budget_new (guint64 capacity)
{
  CsPixelBudget *budget = g_new0 (CsPixelBudget, 1);

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
