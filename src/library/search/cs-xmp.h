/* cs-xmp.h - XMP sidecars that name an album: a small writer and a
 * keyword merger.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An album reaches other tools as a keyword of each photo, in the two
 * properties they read: dc:subject (an rdf:Bag: darktable, Lightroom,
 * exiftool, GNOME's Shotwell) and digiKam:TagsList (an rdf:Seq: digiKam's
 * own tag list, which it prefers to dc:subject when both are there).
 *
 * The writer is ours, written from the XMP specification (part 1, the
 * RDF serialisation): no code from another project.  The merger reads an
 * existing sidecar with GLib's GMarkup (a real XML parser, already a
 * dependency; exempi or exiv2 would be a new one for one feature) and
 * writes back every element, attribute, text, comment and processing
 * instruction it read, adding the keyword where it is missing.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `name` as an XMP keyword: valid UTF-8 (invalid bytes replaced), and
 * without the characters XML 1.0 cannot hold even escaped (C0 controls
 * but tab, newline and carriage return; U+FFFE, U+FFFF), which are
 * dropped.  New string. */
char     *cs_xmp_keyword         (const char  *name);

/* `text` escaped for XML element content: & < > " and ' as entities,
 * carriage return as a character reference (a parser would turn a
 * literal one into a newline); the rest as is (UTF-8).  `text` must
 * already be a cs_xmp_keyword().  New string. */
char     *cs_xmp_escape          (const char  *text);

/* A complete sidecar (UTF-8 XML) holding `keyword` (a cs_xmp_keyword())
 * in dc:subject and digiKam:TagsList.  New string. */
char     *cs_xmp_new_sidecar     (const char  *keyword);

/* Adds `keyword` to the sidecar `text` (`length` bytes; -1: NUL-
 * terminated): to its dc:subject bag and its digiKam:TagsList seq, each
 * created in the first rdf:Description when the document has none.
 * Sets *out to the new document, or to NULL when the keyword was already
 * in both (nothing to write).  Errors: G_MARKUP_ERROR when the text is
 * not well-formed XML, G_IO_ERROR_INVALID_DATA when it is XML but holds
 * no rdf:Description to add to. */
gboolean  cs_xmp_merge_keyword   (const char  *text,
                                  gssize       length,
                                  const char  *keyword,
                                  char       **out,
                                  GError     **error);

G_END_DECLS
