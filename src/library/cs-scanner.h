/* cs-scanner.h - walk photo folders, deciding what counts as a photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/stat.h>

#include <gio/gio.h>

#include "cs-path.h"

G_BEGIN_DECLS

typedef enum {
  CS_SCAN_PHOTO,        /* a file with a photo's extension: index it */
  CS_SCAN_UNREADABLE,   /* a folder or file that could not be read: record it */
  CS_SCAN_FOLDER,       /* a folder about to be walked (st filled): to watch it */
  CS_SCAN_SKIPPED,      /* an image or folder left out on purpose: report it */
} CsScanKind;

/* Folders deeper than this below a root are not walked (reported as
 * CS_SCAN_SKIPPED): the walk recurses, and real libraries are far
 * shallower. */
#define CS_SCANNER_MAX_DEPTH 256

/* Called for each folder entered (CS_SCAN_FOLDER), each photo (kind
 * CS_SCAN_PHOTO, st filled), for each entry that could not be read (kind
 * CS_SCAN_UNREADABLE, reason set, st NULL) and for each image or folder
 * left out on purpose (CS_SCAN_SKIPPED, reason set, st NULL: an SVG
 * drawing, a folder more than CS_SCANNER_MAX_DEPTH deep).  Reasons do not
 * repeat the path.
 * `path` is in the file system's encoding (not necessarily UTF-8).
 * Return FALSE to stop the walk. */
typedef gboolean (*CsScanFunc) (const char        *path,
                                CsScanKind         kind,
                                const struct stat *st,
                                const char        *reason,
                                gpointer           user_data);

/* TRUE when the file name's extension is one Clipsight indexes (JPEG, PNG,
 * WebP, GIF, TIFF, BMP, HEIC/HEIF, AVIF and camera RAW). */
gboolean cs_scanner_is_photo_name (const char *name);

/* TRUE when the file name's extension is an image format Clipsight does
 * not index (SVG drawings), which is reported rather than ignored. */
gboolean cs_scanner_is_unsupported_image_name (const char *name);

/* TRUE when a folder of this name is never entered: hidden folders and NAS
 * metadata folders (@eaDir, #recycle, #snapshot, .thumbnails, lost+found). */
gboolean cs_scanner_is_skipped_dir_name (const char *name);

/* Walks `roots` depth-first, in sorted order, calling `func`.  Skipped:
 * hidden files and folders, the folders above, folders holding a
 * `.nomedia` or `.noimage` file, anything at or below an `excluded`
 * folder, and folders already visited (same device and inode: symlink
 * loops and bind mounts are walked once).  Symlinks to files are followed.
 * Runs on any thread; checks `cancellable` between entries.  Returns
 * FALSE with G_IO_ERROR_CANCELLED when cancelled; an unreadable root is
 * reported through func, not as an error. */
gboolean cs_scanner_walk (const char * const *roots,
                          const char * const *excluded,
                          CsScanFunc          func,
                          gpointer            user_data,
                          GCancellable       *cancellable,
                          GError            **error);

G_END_DECLS
