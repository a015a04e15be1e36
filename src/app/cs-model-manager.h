/* cs-model-manager.h - downloads and verifies the CLIP model.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fetches the files of a Hugging Face CLIPModel folder over HTTP(S) into a
 * target folder: each file as BASE-URL/NAME, into a ".download/NAME.part"
 * file first, then renamed into place once its SHA-256 matches the one
 * pinned in the manifest.  Every file has a pinned SHA-256; nothing the
 * server says replaces it (a server that announces another size or
 * checksum, X-Linked-Size / X-Linked-Etag as Hugging Face does, is refused
 * before the transfer).  An interrupted or cancelled transfer keeps its part
 * and the next download resumes it with a Range request; a file that does
 * not match is deleted, part and all, so the next try starts it clean.
 * Files already in the target folder are checked again before they count.
 * Once every file matched, ".clipsight-complete" lists their checksums
 * (sha256sum's format).
 *
 * The transfer, hashing and every file operation run on a worker thread;
 * progress reaches the home thread coalesced (one pending idle at most).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_MODEL_ERROR (cs_model_error_quark ())
GQuark cs_model_error_quark (void);

typedef enum {
  CS_MODEL_ERROR_OFFLINE,     /* the server cannot be reached */
  CS_MODEL_ERROR_HTTP,        /* the server answered with an error status */
  CS_MODEL_ERROR_INTERRUPTED, /* the transfer ended early (resumable) */
  CS_MODEL_ERROR_CHECKSUM,    /* a file (or what the server announces) did not
                               * match its pinned size or SHA-256: nothing kept */
  CS_MODEL_ERROR_BUSY,        /* a download is already running */
} CsModelError;

typedef enum {
  CS_MODEL_STATE_ABSENT,      /* not (completely) downloaded */
  CS_MODEL_STATE_DOWNLOADING,
  CS_MODEL_STATE_READY,       /* every file is there and verified */
  CS_MODEL_STATE_FAILED,      /* the last download failed: see "error-message" */
} CsModelState;

/* One file of a model: its name (no folder), its size in bytes (0 when
 * unknown) and its SHA-256 (64 hex digits), which is required. */
typedef struct {
  const char *name;
  gint64      size;
  const char *sha256;
} CsModelFile;

/* The revision of https://huggingface.co/openai/clip-vit-base-patch32 the
 * default files are pinned to: the safetensors conversion whose parent is
 * main's 3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268 (main publishes the
 * weights as pytorch_model.bin only), with the same small files. */
#define CS_MODEL_DEFAULT_REVISION "eaee4c876b93e66f7fac584b529025a96d71ad66"
#define CS_MODEL_DEFAULT_URL \
  "https://huggingface.co/openai/clip-vit-base-patch32/resolve/" CS_MODEL_DEFAULT_REVISION

/* The files of openai/clip-vit-base-patch32 the engine reads, with their
 * pinned sizes and checksums, the weights last. */
const CsModelFile *cs_model_manager_default_files (guint *n_files);

/* The languages a pinned model understands queries in. */
typedef enum {
  CS_MODEL_LANGUAGES_ENGLISH,      /* CLIP: trained on English captions */
  CS_MODEL_LANGUAGES_MULTILINGUAL, /* SigLIP 2: trained on many languages */
} CsModelLanguages;

/* A model Clipsight offers to download: a Hugging Face repository at one
 * revision, and the files the engine reads from it, each pinned by size
 * and SHA-256 as published (see cs-model-manager.c for the sources).
 * A pin whose checksums could not be found in public sources names why
 * in `unverifiable`; it is listed, never downloaded. */
typedef struct {
  const char        *id;           /* its folder under the models folder */
  const char        *title;        /* product name, not translated */
  const char        *repo;         /* "owner/name" on huggingface.co */
  const char        *revision;     /* a commit: 40 hexadecimal digits */
  const CsModelFile *files;
  guint              n_files;
  CsModelLanguages   languages;
  double             recall;       /* Crossmodal-3600 mean of R@1/5/10, %, as Immich
                                    * publishes it (English queries) */
  const char        *unverifiable; /* NULL, or why it cannot be verified */
} CsModelPin;

/* The pinned models, the default (OpenAI CLIP ViT-B/32) first. */
const CsModelPin *cs_model_pins               (guint            *n_pins);
/* The pin with that id, or NULL. */
const CsModelPin *cs_model_pin_lookup         (const char       *id);
/* Whether every file of `pin` has a plain name, a size and a SHA-256,
 * and its revision is a commit; else FALSE with G_IO_ERROR_INVALID_DATA
 * saying what is missing (the `unverifiable` reason first). */
gboolean          cs_model_pin_check          (const CsModelPin *pin,
                                               GError          **error);
/* The bytes a download of `pin` fetches: the sum of its files' sizes. */
guint64           cs_model_pin_download_size  (const CsModelPin *pin);
/* https://huggingface.co/REPO/resolve/REVISION */
char             *cs_model_pin_dup_url        (const CsModelPin *pin);
/* $XDG_DATA_HOME/clipsight/models/ID: for the default pin, what
 * cs_model_manager_dup_default_dir () returns. */
char             *cs_model_pin_dup_dir        (const CsModelPin *pin);

#define CS_TYPE_MODEL_MANAGER (cs_model_manager_get_type ())
G_DECLARE_FINAL_TYPE (CsModelManager, cs_model_manager, CS, MODEL_MANAGER, GObject)

/* A manager of the model in `target_dir`, fetched from `base_url`
 * (NULL, "" or the main branch of openai/clip-vit-base-patch32, which lacks
 * model.safetensors: CS_MODEL_DEFAULT_URL), with the default files. */
CsModelManager *cs_model_manager_new             (const char        *target_dir,
                                                  const char        *base_url);
/* A manager of `pin`'s files in cs_model_pin_dup_dir (), fetched from
 * its URL.  `pin` must pass cs_model_pin_check (g_return_val_if_fail). */
CsModelManager *cs_model_manager_new_for_pin    (const CsModelPin  *pin);
/* The one manager of `pin` for the process (made and refreshed on first
 * use, kept, so a download goes on when a window closes and two parts of
 * the app never fetch one pin at once); the default pin's is
 * `default_manager` (the application's).  NULL for a pin that fails
 * cs_model_pin_check. */
CsModelManager *cs_model_manager_get_for_pin    (const CsModelPin  *pin,
                                                  CsModelManager    *default_manager);
/* Whether `dir` (may be NULL) is `pin`'s model: its download, or the copy
 * a package bundles in DATADIR/clipsight/models/ID. */
gboolean        cs_model_pin_is_current         (const CsModelPin  *pin,
                                                  const char        *dir);
/* The default target: $XDG_DATA_HOME/clipsight/models/clip-vit-base-patch32. */
char           *cs_model_manager_dup_default_dir (void);

/* Replaces the manifest (copied).  Every file needs a SHA-256 and a plain
 * name; a manifest without them is refused (g_return_if_fail). */
void            cs_model_manager_set_files       (CsModelManager    *self,
                                                  const CsModelFile *files,
                                                  guint              n_files);
const char     *cs_model_manager_get_target_dir  (CsModelManager    *self);
const char     *cs_model_manager_get_base_url    (CsModelManager    *self);
void            cs_model_manager_set_base_url    (CsModelManager    *self,
                                                  const char        *base_url);

CsModelState    cs_model_manager_get_state       (CsModelManager    *self);
/* Bytes transferred (resumed parts count as done) and expected in all,
 * and their ratio in [0, 1] ("fraction"). */
guint64         cs_model_manager_get_bytes_done  (CsModelManager    *self);
guint64         cs_model_manager_get_bytes_total (CsModelManager    *self);
double          cs_model_manager_get_fraction    (CsModelManager    *self);
/* The file being fetched now, or NULL. */
const char     *cs_model_manager_get_current_file (CsModelManager   *self);
/* Why the last download failed, for people (translated), or NULL. */
const char     *cs_model_manager_get_error_message (CsModelManager  *self);

/* Looks at the target folder on a worker thread and updates "state":
 * READY when a download of this manifest completed there and every file
 * still has its size.  Async, never fails. */
void            cs_model_manager_refresh         (CsModelManager    *self);

/* Downloads what is missing or does not match; resumes parts.  The
 * callback runs on the home thread; "state" is READY or FAILED (or ABSENT
 * when cancelled). */
void            cs_model_manager_download_async  (CsModelManager    *self,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean        cs_model_manager_download_finish (CsModelManager    *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
/* Cancels the download in flight, if any (its part files stay). */
void            cs_model_manager_cancel          (CsModelManager    *self);

G_END_DECLS
