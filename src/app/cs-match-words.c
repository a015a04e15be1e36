/* cs-match-words.c - how good a search result is, in words.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-match-words.h"

const char *
cs_match_words (double   score,
                double   cutoff,
                double   best,
                gboolean accepted)
{
  if (isinf (cutoff) && cutoff < 0)
    {
      /* everything listed: near the best is strong, the rest possible */
      if (score >= best - CS_MATCH_MARGIN)
        return _("Strong match");
      return score >= best - 3 * CS_MATCH_MARGIN ? _("Possible match") : _("Weak match");
    }
  if (accepted)
    return score >= cutoff + CS_MATCH_MARGIN ? _("Strong match") : _("Good match");
  return score >= cutoff - CS_MATCH_MARGIN ? _("Possible match") : _("Weak match");
}
