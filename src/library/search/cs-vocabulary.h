/* cs-vocabulary.h - the concepts that name themes and events.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  A vocabulary is a GPtrArray of CsConcept:
 * the built-in one (about 1,300 everyday photo concepts from
 * data/vocabulary.txt, names translated) or one read from a file with
 * the same syntax: one concept a line, its name then optionally '|' and
 * extra prompts; blank lines and lines starting with '#' are skipped.
 * Every concept is described by the default prompts made from its
 * English name ("a photo of a beach.", "beach") and its extra prompts;
 * its vector is the normalised mean of theirs.
 */
#pragma once

#include "cs-clip-runtime.h"
#include "cs-store.h"

G_BEGIN_DECLS

/* The translation context of the built-in concepts' names (what
 * data/vocabulary-to-c.py writes in their NC_() marks) */
#define CS_VOCABULARY_CONTEXT "photo concept"

typedef struct {
  const char *name;     /* English, marked NC_() in CS_VOCABULARY_CONTEXT */
  const char *prompts;  /* extra prompts, '|'-separated; "" when none */
} CsBuiltinConcept;

extern const CsBuiltinConcept cs_vocabulary_builtin_data[];
extern const guint cs_vocabulary_builtin_n;

typedef struct {
  char  *id;       /* as the vocabulary names it (English for the built-in ones) */
  char  *name;     /* for people: translated for the built-in concepts */
  char **prompts;  /* the texts to encode, defaults included */
} CsConcept;

void       cs_concept_free              (CsConcept   *concept);

/* The built-in vocabulary (a new array of CsConcept*). */
GPtrArray *cs_vocabulary_new_builtin    (void);
/* A vocabulary from the text of a file (UTF-8).  Errors (G_IO_ERROR_
 * INVALID_DATA, with the line): invalid UTF-8, a line with prompts but
 * no name, a name given twice, no concept at all. */
GPtrArray *cs_vocabulary_parse          (const char   *text,
                                         gsize         length,
                                         GError      **error);
/* cs_vocabulary_parse() of the file at `path`; G_IO_ERROR when it cannot
 * be read. */
GPtrArray *cs_vocabulary_load           (const char   *path,
                                         GError      **error);

/* The concepts' vectors into `out` (n x dim, unit rows): the prompts'
 * vectors come from `store`'s text cache for `model_row` when it has
 * them (store NULL or model_row <= 0: not cached), else from `rt` (then
 * cached when the store is writable). */
gboolean   cs_vocabulary_embed          (GPtrArray     *vocabulary,
                                         CsClipRuntime *rt,
                                         CsStore       *store,
                                         gint64         model_row,
                                         float         *out,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS
