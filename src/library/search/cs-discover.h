/* cs-discover.h - themes and events found in the library's vectors.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  Plain computation on arrays, no I/O: the
 * caller (cs-discover-library.c for a CsLibrary, the tests and the
 * benchmark for generated data) hands in the photos' unit vectors, ids
 * and dates, and the concepts' vectors; it gets back groups of photos.
 *
 * Themes: spherical k-means on a regular sample of the photos makes
 * micro-clusters, merged (average linkage on their centroids) while the
 * closest two are above a cosine threshold, so the number of themes comes
 * from the data; every photo then goes to its nearest theme when it is
 * close enough to it; themes too small or too loose are dropped.  A theme
 * is named by the concept that best separates its members from the rest
 * of the library (the difference of the mean cosines, in standard
 * deviations of that concept's cosines over the library: a name that fits
 * every photo equally separates nothing); then names compete for photos
 * (each photo of a named theme goes to the named theme whose name stands
 * out most for it).  A theme no name separates is dropped; without any
 * concepts, a tight one is kept unnamed ("Similar photos").
 *
 * Events: the dated photos in time order are cut at the gaps that are
 * long for the photos' local pace (see find_events() in cs-discover.c), then where
 * the content shifts sharply; runs too small or too sparse are not
 * events.
 *
 * Deterministic: a fixed seed, and every order decided by value then by
 * photo id, so the same photos give the same groups in the same order.
 */
#pragma once

#include <gio/gio.h>

#include "cs-date-range.h"   /* cs_discover_format_range (): public, for the app's date chip */

G_BEGIN_DECLS

typedef struct {
  guint          n;        /* photos */
  int            dim;
  const float  **vectors;  /* n unit rows of dim floats */
  const gint64  *ids;      /* photo ids, unique (the ties' order) */
  const gint64  *taken;    /* seconds since the epoch; 0: no date (NULL: none has one) */
  const guint64 *keys;     /* per photo, a key of its file's content (NULL: a hash of its
                            * vector's bytes): the order samples and seeds are drawn in */
} CsDiscoverInput;

typedef struct {
  guint         n;         /* concepts */
  int           dim;
  const float  *vectors;   /* n x dim, unit rows (the mean of each concept's prompts) */
} CsDiscoverConcepts;

typedef enum {
  CS_DISCOVER_THEME,
  CS_DISCOVER_EVENT,
} CsDiscoverKind;

typedef struct {
  CsDiscoverKind kind;
  int            concept;  /* index of the name in the concepts; -1: none ("Similar photos") */
  double         score;    /* themes: the name's separation (or the tightness when unnamed); events: the photos' tightness */
  guint          cover;    /* the most central member (an index into the input) */
  GArray        *members;  /* guint indices into the input: most central first (themes), by time (events) */
  gint64         start;    /* events: first and last date; themes: 0 */
  gint64         end;
  double         name_floor; /* themes: the least cosine to the name of a member (internal) */
} CsDiscoverGroup;

void cs_discover_group_free (CsDiscoverGroup *group);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsDiscoverGroup, cs_discover_group_free)

/* Tunables, exposed for the tuning sweep of the tests. */
typedef struct {
  guint  micro_size;      /* photos of the k-means sample per micro-cluster (k = sample / this, at most 64) */
  double merge_cosine;    /* micro-clusters merge while their centroids' cosine is above this */
  double min_separation;  /* a name must separate the theme by this many standard deviations */
  double member_z;        /* a photo joins its nearest theme when its cosine is above mean - z sd */
  double name_fit;        /* and, in a named theme, its cosine to the name is above the midpoint of the
                           * members' and the rest's means + this many sd of the name's cosines */
  double name_z;          /* and at least this many sd above the name's mean over the library */
  double min_tightness;   /* without concepts, an unnamed theme is kept when its tightness is above this */
  guint  min_size;        /* themes smaller than max (min_size, n / 1000), events smaller than min_size, are dropped */
  double final_separation; /* a named theme's name must still separate the photos it ends with by this many sd */
} CsDiscoverParams;

/* The defaults (see cs-discover.c for how they were chosen). */
void       cs_discover_params_init (CsDiscoverParams        *params);
/* For the tuning sweep of the tests: what cs_discover_params_init()
 * gives from now on (NULL: the defaults again).  Not thread-safe. */
void       _cs_discover_debug_set_params (const CsDiscoverParams *params);

/* Themes and events at once (they share the names' statistics): either
 * of `themes` and `events` may be NULL.  FALSE when cancelled. */
gboolean   cs_discover_run         (const CsDiscoverInput    *in,
                                    const CsDiscoverConcepts *concepts,
                                    const CsDiscoverParams   *params,
                                    GPtrArray               **themes,
                                    GPtrArray               **events,
                                    GCancellable             *cancellable,
                                    GError                  **error);

/* The themes (CsDiscoverGroup*, best first), NULL when cancelled
 * (G_IO_ERROR_CANCELLED).  `concepts` may be NULL or empty: then every
 * theme is unnamed. */
GPtrArray *cs_discover_themes      (const CsDiscoverInput    *in,
                                    const CsDiscoverConcepts *concepts,
                                    const CsDiscoverParams   *params,
                                    GCancellable             *cancellable,
                                    GError                  **error);

/* The events (CsDiscoverGroup*, newest first), named by the concept that
 * separates them best (-1 when none or no concepts). */
GPtrArray *cs_discover_events      (const CsDiscoverInput    *in,
                                    const CsDiscoverConcepts *concepts,
                                    const CsDiscoverParams   *params,
                                    GCancellable             *cancellable,
                                    GError                  **error);


G_END_DECLS
