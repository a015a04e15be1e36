/* cs-label-names.c - the name a label is shown under.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-label-names"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-label-names.h"
#include "cs-library.h"

const char *
cs_label_name_for_display (const char *name)
{
  const char * const *starters = cs_library_starter_label_names ();

  if (name == NULL)
    return NULL;
  for (guint i = 0; starters[i] != NULL; i++)
    if (g_str_equal (name, starters[i]))
      return _(starters[i]);
  return name;
}

const char *
cs_label_get_display_name (CsLabel *label)
{
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);
  return cs_label_name_for_display (cs_label_get_name (label));
}
