/* cs-export-dialog.h - "Export Album": a label's photos to a folder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small modal window over the main window: links or copies, XMP
 * sidecars or not, then "Choose Folder…" asks for the folder (through
 * the file chooser portal in a sandbox).  Once one is chosen the dialog
 * closes and the export runs on a worker thread
 * (cs_library_export_label_async()); the main window's toast says how
 * many photos are there, with "Open Folder".
 */
#pragma once

#include <adwaita.h>

#include "cs-label.h"

G_BEGIN_DECLS

#define CS_TYPE_EXPORT_DIALOG (cs_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsExportDialog, cs_export_dialog, CS, EXPORT_DIALOG, AdwWindow)

/* The dialog for `label` over `parent` (a CsWindow), shown. */
CsExportDialog *cs_export_dialog_present (GtkWidget *parent,
                                          CsLabel   *label);

G_END_DECLS
