/* cs-export.h - a label's photos as a folder ("albums out of the app").
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exporting puts each photo of a label into a folder the user chose, as
 * a symbolic link to the original (the default: no space, and the folder
 * follows edits) or as a copy (for a folder that leaves the machine),
 * optionally with an XMP sidecar per photo naming the album as a keyword
 * (cs-xmp.h), so that digiKam, darktable and other XMP-aware tools show
 * the album.
 *
 * Originals are only ever read: opened read-only to be copied or
 * compared, never written, renamed nor touched (a copy's times are the
 * original's, set on the copy).
 *
 * Names.  Each exported file keeps its photo's file name; photos are
 * placed in the order of their paths (bytes), so the same photos always
 * get the same names.  A name taken by another file becomes
 * "NAME (2).EXT", "NAME (3).EXT", ... .  A file already at a candidate
 * name with the photo's content (a link to the original, or a regular
 * file with the same bytes; for copies only a regular file) is the
 * photo's, and is left as it is: exporting again adds only what is new.
 *
 * Sidecars are "<exported name>.xmp" ("IMG_0001.jpg.xmp"), the name
 * darktable writes and reads and the one digiKam writes by default (it
 * reads "IMG_0001.xmp" too): one name both find, and one that cannot
 * collide between "IMG_0001.jpg" and "IMG_0001.png".  An existing sidecar
 * is not replaced: the keyword is added to it (and it is left untouched
 * when it already holds it); one that is not well-formed XML is left as
 * it is and reported.
 *
 * Failures are per photo: one that cannot be exported is reported with
 * its reason and the others go on.  Only a destination that cannot be
 * used at all (not a folder, not writable) fails the whole export.
 */
#pragma once

#include <gio/gio.h>

#include "cs-library.h"

G_BEGIN_DECLS

typedef enum {
  CS_EXPORT_LINKS    = 0,       /* symbolic links to the originals */
  CS_EXPORT_COPIES   = 1 << 0,  /* copies */
  CS_EXPORT_SIDECARS = 1 << 1,  /* and an XMP sidecar each */
} CsExportFlags;

/* What became of one photo. */
typedef enum {
  CS_EXPORT_ADDED,    /* a new link or copy */
  CS_EXPORT_PRESENT,  /* already there (same content): left as it is */
  CS_EXPORT_FAILED,   /* see cs_export_report_get_error() */
} CsExportOutcome;

typedef struct _CsExportReport CsExportReport;

/* Photos in the report: one per distinct path asked for, in the order
 * they were placed (by path). */
guint           cs_export_report_get_n_photos      (CsExportReport *report);
/* The photo's path (filename encoding). */
const char     *cs_export_report_get_source        (CsExportReport *report,
                                                    guint           i);
/* The exported file's path, or NULL when it failed. */
const char     *cs_export_report_get_destination   (CsExportReport *report,
                                                    guint           i);
CsExportOutcome cs_export_report_get_outcome       (CsExportReport *report,
                                                    guint           i);
/* Why the photo failed, or NULL. */
const GError   *cs_export_report_get_error         (CsExportReport *report,
                                                    guint           i);
/* Why its sidecar was not written or merged (the photo itself may be
 * fine), or NULL. */
const GError   *cs_export_report_get_sidecar_error (CsExportReport *report,
                                                    guint           i);
/* Photos with that outcome. */
guint           cs_export_report_count             (CsExportReport *report,
                                                    CsExportOutcome outcome);
/* Sidecars that failed. */
guint           cs_export_report_count_sidecar_failures (CsExportReport *report);
/* The destination folder (filename encoding). */
const char     *cs_export_report_get_folder        (CsExportReport *report);
void            cs_export_report_free              (CsExportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsExportReport, cs_export_report_free)

/* Exports the `n_paths` files at `paths` (filename encoding; repeated
 * paths once) into `folder` (made when missing, with its parents) as
 * album `album` (UTF-8; the sidecars' keyword).  Blocks: for any thread.
 * Returns the report, or NULL when `folder` cannot be used (G_IO_ERROR:
 * NOT_DIRECTORY, PERMISSION_DENIED, ...) or on `cancellable`
 * (G_IO_ERROR_CANCELLED; the files already exported stay). */
CsExportReport *cs_export_files                    (const char * const *paths,
                                                    guint               n_paths,
                                                    const char         *folder,
                                                    const char         *album,
                                                    CsExportFlags       flags,
                                                    GCancellable       *cancellable,
                                                    GError            **error);

/* Exports the photos of `label` as cs_library_list_label_members() has
 * them now (the user's confirmed photos and those the label's rule
 * takes; never the rejected), on a worker thread.  `album`: the
 * sidecars' keyword (NULL: the label's name; the app passes the name as
 * it shows it).  Errors: those of cs_export_files(),
 * CS_LIBRARY_ERROR_NOT_LOADED, CS_LIBRARY_ERROR_NO_MODEL (the labels
 * are not clustered without the model), CS_LIBRARY_ERROR_NO_SUCH_LABEL. */
void            cs_library_export_label_async      (CsLibrary           *self,
                                                    CsLabel             *label,
                                                    const char          *folder,
                                                    const char          *album,
                                                    CsExportFlags        flags,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
CsExportReport *cs_library_export_label_finish     (CsLibrary           *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* The blocking twin (the command line, tests). */
CsExportReport *cs_library_export_label            (CsLibrary           *self,
                                                    CsLabel             *label,
                                                    const char          *folder,
                                                    const char          *album,
                                                    CsExportFlags        flags,
                                                    GCancellable        *cancellable,
                                                    GError             **error);

G_END_DECLS
