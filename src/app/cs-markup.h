/* cs-markup.h - showing user-controlled text where libadwaita expects
 * Pango markup.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * File, folder, label and model names, failure reasons and error messages
 * are text, never markup: "Tom & Jerry.jpg" is not valid markup (the
 * label shows nothing) and "<span size='xx-large'>" would be obeyed.
 * Where a widget has a switch (AdwPreferencesRow:use-markup, off for
 * every row of ours, in the .ui files and in code), it is off; where it
 * has none in libadwaita 1.2 (AdwToast:title, AdwStatusPage:description),
 * the text is escaped with these.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* `text` (UTF-8 or not) as markup that shows it as it is; NULL for NULL. */
static inline char *
cs_markup_escape (const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  return g_markup_escape_text (valid, -1);
}

/* A toast whose title shows `text` as it is. */
static inline AdwToast *
cs_toast_new_text (const char *text)
{
  g_autofree char *escaped = cs_markup_escape (text);

  return adw_toast_new (escaped);
}

/* A status page's description showing `text` as it is (NULL: none). */
static inline void
cs_status_page_set_description_text (AdwStatusPage *page,
                                     const char    *text)
{
  g_autofree char *escaped = cs_markup_escape (text);

  adw_status_page_set_description (page, escaped);
}

G_END_DECLS
