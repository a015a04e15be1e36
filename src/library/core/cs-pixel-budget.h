/* cs-pixel-budget.h - bounding the memory of decodes running at once.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decode threads share a budget of bytes: each acquires what its image
 * will need (cs_decode_estimate_bytes()) before decoding and releases it
 * when its pixels are gone.  A thread waits while the others hold too much
 * of the budget, so two large photos are decoded one after the other
 * while small ones go side by side.  A request larger than the whole
 * budget is granted once nothing else is held: such an image is decoded
 * alone, never refused.  Thread-safe.
 *
 * Creating a budget also fixes glibc's mmap threshold at 1 MB for the
 * process (see cs-pixel-budget.c): otherwise freed decode buffers stay
 * resident and the budget bounds nothing.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The indexer's budget for its decode threads.  With the engine's working
 * memory beside the weights (about 50 MB for ViT-B/32 in int8, batches of
 * 8) it keeps the indexer's peak within the weights + 150 MB docs/design.md
 * promises: two 12-megapixel JPEGs reduced by libjpeg fit side by side,
 * two 4K WebPs (64 MB of RGBA each) go one after the other. */
#define CS_DECODE_BUDGET_BYTES (G_GUINT64_CONSTANT (96) * 1024 * 1024)

typedef struct _CsPixelBudget CsPixelBudget;

/* A budget of `capacity` bytes (at least 1); the first call fixes the
 * process's mmap threshold (glibc). */
CsPixelBudget *cs_pixel_budget_new      (guint64        capacity);
void           cs_pixel_budget_free     (CsPixelBudget *budget);

/* Blocks until `bytes` fit beside what is held (or, for a request larger
 * than the capacity, until nothing is held), then holds them.  Returns
 * the amount held, to hand back to cs_pixel_budget_release(). */
guint64        cs_pixel_budget_acquire  (CsPixelBudget *budget,
                                         guint64        bytes);
void           cs_pixel_budget_release  (CsPixelBudget *budget,
                                         guint64        held);

guint64        cs_pixel_budget_capacity (CsPixelBudget *budget);
/* The bytes held now, and the most ever held at once. */
guint64        cs_pixel_budget_in_use   (CsPixelBudget *budget);
guint64        cs_pixel_budget_peak     (CsPixelBudget *budget);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsPixelBudget, cs_pixel_budget_free)

G_END_DECLS
