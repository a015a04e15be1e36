/* cs-preferences.h - the preferences window.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Folders to include and exclude, the model (current, the pinned models
 * to download and switch to, a folder of one),
 * label defaults, the indexing policy (battery, power saver, watching)
 * and forgetting the index; stored with GSettings.
 */
#pragma once

#include <adwaita.h>

#include "cs-application.h"
#include "cs-compat.h"

G_BEGIN_DECLS

#define CS_TYPE_PREFERENCES (cs_preferences_get_type ())
/* an AdwPreferencesDialog, or an AdwPreferencesWindow before libadwaita 1.5:
 * cs_compat_preferences_present() shows it */
G_DECLARE_FINAL_TYPE (CsPreferences, cs_preferences, CS, PREFERENCES, CsCompatPreferencesParent)

CsPreferences *cs_preferences_new (CsApplication *application);
/* Shows the page of the files that could not be indexed. */
void           cs_preferences_show_failures (CsPreferences *self);
/* What "Use a Model Folder…" does with the folder chosen: checks it with
 * the engine (refused with its reason, shown in the folder's row),
 * measures its speed once per CPU, then switches the library to it. */
void           cs_preferences_use_model_folder (CsPreferences *self,
                                                const char    *path);

G_END_DECLS
