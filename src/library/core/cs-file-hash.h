/* cs-file-hash.h - a partial content hash that recognises a moved photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* SHA-256 over the file's size (8 bytes, little-endian), its first 1 MiB
 * and its last 64 KiB (the whole file when it is shorter), as lowercase
 * hex.  Reads at most 1.06 MiB whatever the file's size; the file is
 * opened read-only.  Any thread.  Returns NULL with G_IO_ERROR set on
 * failure. */
char *cs_file_hash_partial (const char   *path,
                            GCancellable *cancellable,
                            GError      **error);

/* An id for the model in `dir`, stored with every vector it made: SHA-256
 * over config.json, preprocessor_config.json, vocab.json, merges.txt and
 * the partial hash of model.safetensors, as 64 hex digits (a SigLIP
 * folder, which has no vocab.json but a SentencePiece model: those of
 * spiece.model, tokenizer.model and tokenizer_config.json it has instead
 * of vocab.json and merges.txt).  Two folders
 * holding the same model get the same id; any change to the weights'
 * header, size or ends, or to the tokenizer or preprocessing, gives a new
 * one.  NULL with an error naming the file that could not be read. */
char *cs_model_id_for_dir (const char   *dir,
                           GCancellable *cancellable,
                           GError      **error);

G_END_DECLS
