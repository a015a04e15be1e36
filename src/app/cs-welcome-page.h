/* cs-welcome-page.h - the first run: a folder of photos and the model.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown until the library has a folder and a search model.  It shows the
 * folder the window's win.start will add (the Pictures folder unless
 * another is chosen), and the model: a choice of the pinned models
 * (cs_model_pins (), the same as Preferences → Model), the model folder
 * in use, or "Use a Model Folder…" (the window's win.choose-model), with
 * the chosen one's state: absent, downloading, failed (Try Again) or
 * ready.  It downloads and cancels the chosen pin itself (welcome.download,
 * welcome.cancel); its other buttons activate the window's
 * win.choose-welcome-folder and win.start.  Start stays in view below the
 * page, with a line saying what is missing while it cannot act.
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
