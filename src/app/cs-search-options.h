/* cs-search-options.h - the window's search options, as C enums.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GSettings schema's enums are generated from these and from the
 * library's CsSortOrder (cs-query.h) by data/schemas/meson.build, so the
 * values stored and the values searched with are one list.  The nicks are
 * also the targets of the win.date-filter and win.sort actions.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How recent the photos a search lists are. */
typedef enum {
  CS_DATE_FILTER_ANY,    /*< nick=any >*/
  CS_DATE_FILTER_MONTH,  /*< nick=month >*/
  CS_DATE_FILTER_YEAR,   /*< nick=year >*/
  /* the window's own range: win.date-range sets it, asking for it opens
   * the Custom Range dialog (cs-date-range-dialog.h) */
  CS_DATE_FILTER_CUSTOM, /*< nick=custom >*/
} CsDateFilter;

G_END_DECLS
