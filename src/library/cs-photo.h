/* cs-photo.h - one photo of the library, as the items of result lists.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsPhoto is immutable: every property is set when it is made and never
 * changes (so it has no notifications, and any thread may read it).  It is
 * a picture of the photo at the moment its list was made; after a
 * CsLibrary::changed a new search or listing gives fresh ones.  Lists of
 * the library (CsPhotoList) make their items lazily, on the thread that
 * calls g_list_model_get_item(), and hand back the same object for the
 * same position.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_PHOTO (cs_photo_get_type ())
G_DECLARE_FINAL_TYPE (CsPhoto, cs_photo, CS, PHOTO, GObject)

/* The store's row id of the photo (> 0): stable across moves and
 * renames, never reused for another photo. */
gint64      cs_photo_get_id           (CsPhoto *self);
/* The file's path in the file system's encoding (not necessarily UTF-8;
 * use it with GFile/open).  Borrowed, valid as long as the photo. */
const char *cs_photo_get_path         (CsPhoto *self);
/* The file name for people: valid UTF-8 (g_filename_display_basename). */
const char *cs_photo_get_display_name (CsPhoto *self);
/* The folder holding the file, for people: valid UTF-8. */
const char *cs_photo_get_folder       (CsPhoto *self);
/* A new GFile for the photo (unref it). */
GFile      *cs_photo_dup_file         (CsPhoto *self);
/* When it was taken (EXIF date, else the file's mtime): seconds since the
 * Unix epoch. */
gint64      cs_photo_get_taken        (CsPhoto *self);

/* Where cs_photo_get_taken() came from. */
typedef enum {
  CS_PHOTO_DATE_UNKNOWN, /* indexed before Clipsight recorded it: either */
  CS_PHOTO_DATE_CAPTURE, /* the photo's own capture date (EXIF) */
  CS_PHOTO_DATE_FILE,    /* the file's modification time: no capture date */
} CsPhotoDateSource;

CsPhotoDateSource cs_photo_get_date_source (CsPhoto *self);
/* Upright size in pixels; 0 when unknown. */
int         cs_photo_get_width        (CsPhoto *self);
int         cs_photo_get_height       (CsPhoto *self);
/* File size in bytes. */
gint64      cs_photo_get_size         (CsPhoto *self);
/* Partial content hash (lowercase hex) or NULL. */
const char *cs_photo_get_hash         (CsPhoto *self);

/* What the list that holds the photo says about it.
 *
 * score: cosine similarity to the query (search), to the label's vector
 * (label members) or to the group's keeper (duplicates), in [-1, 1].
 * accepted: inside the search's adaptive cutoff (search results); TRUE in
 * other lists.
 * probability: the label's probability against the background for the photo (label
 * members; 1.0 for photos the user confirmed), else 0.
 * verdict: the user's word on the photo for the listed label: +1
 * confirmed, -1 rejected, 0 none (label members; 0 elsewhere). */
double      cs_photo_get_score        (CsPhoto *self);
gboolean    cs_photo_get_accepted     (CsPhoto *self);
double      cs_photo_get_probability  (CsPhoto *self);
int         cs_photo_get_verdict      (CsPhoto *self);

G_END_DECLS
