/* cs-application.h - the Clipsight application: one instance per session.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what every window shares: the settings, the library's indexer and
 * search objects, the model manager and the indexing policy (pause on
 * battery or in power-saver mode).  A second launch raises the window;
 * `clipsight FOLDER...` adds folders to the library.
 */
#pragma once

#include <adwaita.h>

#include "cs-indexer.h"
#include "cs-library.h"
#include "cs-model-manager.h"
#include "cs-power-policy.h"

G_BEGIN_DECLS

/* The settings schema's id: the same for every profile's app id. */
#define CS_SCHEMA_ID "io.github.clipsight.Clipsight"

#define CS_TYPE_APPLICATION (cs_application_get_type ())
G_DECLARE_FINAL_TYPE (CsApplication, cs_application, CS, APPLICATION, AdwApplication)

CsApplication  *cs_application_new               (void);

GSettings      *cs_application_get_settings      (CsApplication *self);
CsIndexer      *cs_application_get_indexer       (CsApplication *self);
CsModelManager *cs_application_get_model_manager (CsApplication *self);
CsLibrary      *cs_application_get_library       (CsApplication *self);
CsPowerPolicy  *cs_application_get_power_policy  (CsApplication *self);
/* The model folder in use (borrowed), or NULL when there is none. */
const char     *cs_application_get_model_dir     (CsApplication *self);
/* Uses the model in `model_dir` (a CLIPModel folder) from now on. */
void            cs_application_set_model_dir     (CsApplication *self,
                                                  const char    *model_dir);

/* Adds `path` to the photo folders (settings and library) and indexes it. */
void            cs_application_add_folder        (CsApplication *self,
                                                  const char    *path);
void            cs_application_remove_folder     (CsApplication *self,
                                                  const char    *path);
void            cs_application_exclude_folder    (CsApplication *self,
                                                  const char    *path);
/* Starts a run of the indexer over the folders in the settings (no-op
 * without a model or folders); errors are shown by the window. */
void            cs_application_rescan            (CsApplication *self);

/* Whether the indexing policy holds indexing back (battery, power saver),
 * and the user's own pause; the indexer is paused when either is. */
gboolean        cs_application_get_policy_paused (CsApplication *self);
gboolean        cs_application_get_user_paused   (CsApplication *self);
void            cs_application_set_user_paused   (CsApplication *self,
                                                  gboolean       paused);

G_END_DECLS
