/* cs-welcome-page.h - the first run: a folder of photos and the model.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown until the library has a folder and a search model.  It shows the
 * folder the window's win.start will add (the Pictures folder unless
 * another is chosen), and the model: absent, downloading or ready.  Its
 * buttons activate the window's win.choose-welcome-folder,
 * win.download-model, win.cancel-download, win.choose-model and win.start.
 */
#pragma once

#include <adwaita.h>

#include "cs-application.h"

G_BEGIN_DECLS

#define CS_TYPE_WELCOME_PAGE (cs_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (CsWelcomePage, cs_welcome_page, CS, WELCOME_PAGE, GtkWidget)

/* Follows `application`'s model, download and folders from now on. */
void        cs_welcome_page_set_application (CsWelcomePage *self,
                                             CsApplication *application);
/* The folder to add (canonical), or NULL when none is chosen. */
const char *cs_welcome_page_get_folder      (CsWelcomePage *self);
void        cs_welcome_page_set_folder      (CsWelcomePage *self,
                                             const char    *path);

G_END_DECLS
