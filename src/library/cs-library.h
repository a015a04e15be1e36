/* cs-library.h - the indexed photo library: search, zero-shot labels and
 * near-duplicates.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CsLibrary is the searchable face of one database (the one a CsIndexer
 * fills).  It keeps the active model's vectors in RAM as one matrix
 * (float32, row-major, L2-normalised rows, scanned with SIMD on every
 * core) with the metadata of every indexed photo, the CLIP model for text
 * and image queries, and the labels with their clustering.
 *
 * Threads.  A CsLibrary lives on the thread that made it (its home,
 * normally the main thread with a GMainContext running): its properties
 * change, its signals fire and its async callbacks run there, and the
 * CsLabel objects of cs_library_get_labels() are updated there.  The work
 * itself (SQL, CLIP, scanning the matrix) runs on worker threads and never
 * blocks the home thread; each worker uses its own SQLite connection and
 * its own clip_ctx.  The home thread runs no SQL, no CLIP and no scan.
 * The blocking twins (no _async suffix) are for the command line and
 * tests: they run on the calling thread, which must be the home thread,
 * and block it.
 *
 * Lifetime.  Every _async takes a GCancellable; disposing the library
 * cancels what is in flight (their callbacks then see
 * G_IO_ERROR_CANCELLED).  Results (CsPhotoList, CsDuplicateGroup) hold
 * what they show and stay valid after the library is gone.
 *
 * Staying in step with the indexer.  Connect CsIndexer::batch-committed
 * (and ::finished) to cs_library_refresh_async(): a refresh reads only
 * what changed since the last one (the store counts changes), so it costs
 * in proportion to the batch, not the library.  Refreshes are coalesced:
 * while one runs, further requests make at most one more.  After each
 * refresh that changed anything, CsLibrary::changed fires (the app may
 * run its current search again).  A model change (another active model in
 * the database) makes the refresh a full reload.
 *
 * Errors: CS_LIBRARY_ERROR below; G_IO_ERROR_CANCELLED when cancelled or
 * superseded; CS_STORE_ERROR for the database; CS_CLIP_ERROR for the
 * model; G_IO_ERROR / CS_DECODE_ERROR for an image query's file.
 */
#pragma once

#include <gio/gio.h>

#include "cs-duplicate-group.h"
#include "cs-label.h"
#include "cs-photo.h"
#include "cs-photo-list.h"
#include "cs-query.h"

G_BEGIN_DECLS

#define CS_LIBRARY_ERROR (cs_library_error_quark ())
GQuark cs_library_error_quark (void);

typedef enum {
  CS_LIBRARY_ERROR_NOT_LOADED,    /* call cs_library_load_async() first */
  CS_LIBRARY_ERROR_NO_MODEL,      /* a text/image query or a label needs the CLIP model, and there is none */
  CS_LIBRARY_ERROR_MODEL_MISMATCH,/* the model is not the one the photos were indexed with */
  CS_LIBRARY_ERROR_EMPTY_QUERY,   /* the query has no term */
  CS_LIBRARY_ERROR_NO_SUCH_PHOTO, /* a photo id or path the library does not hold */
  CS_LIBRARY_ERROR_NO_SUCH_LABEL, /* the label was removed */
  CS_LIBRARY_ERROR_LABEL_EXISTS,  /* another label has that name */
  CS_LIBRARY_ERROR_INVALID,       /* an impossible argument: empty name, threshold outside [0, 1] */
} CsLibraryError;

/* The user's word on a photo for a label. */
typedef enum {
  CS_VERDICT_REJECT  = -1,  /* the photo does not have the label */
  CS_VERDICT_NONE    = 0,   /* forget an earlier verdict */
  CS_VERDICT_CONFIRM = 1,   /* the photo has the label */
} CsVerdict;

/* Defaults. */
/* A label's threshold is on p_l, the label against the runtime's B = 4
 * generic background prompts (cs-labels.h): 1 / (1 + B) = 0.2 is the
 * label beating the background's log-mean-exp, and the best mean F1 of
 * the 14 toy labels on the tuning half of the toy photos (0.681; 0.685 on
 * the held-out half; 0.5 gave 0.599 and 0.587). */
#define CS_LIBRARY_DEFAULT_LABEL_THRESHOLD 0.2
#define CS_LIBRARY_DEFAULT_DUPLICATE_THRESHOLD 0.97
/* The same for a SigLIP / SigLIP 2 model, whose score of a photo against
 * a text is a calibrated probability, sigmoid (exp (logit_scale) cos +
 * logit_bias), with no background prompts (cs-labels.h).  A label's
 * threshold is on that probability: 0.1 (log-odds -2.2) lies between
 * what the published SigLIP checkpoints give related but wrong texts
 * (about 0.01) and right ones (0.2 to 0.99); the test models here have
 * random weights, so it could not be tuned on data (see the report of
 * issue 13).  Near-duplicates compare images with images, which the
 * sigmoid does not calibrate: a cosine again, measured on the SigLIP 2
 * test model with each toy photo and a copy of it shrunk to 70 % and saved
 * as a JPEG of quality 70 (the duplicates) against every other pair: on
 * the tuning half (photos 1-120) 0.99 has the best pair F1, 0.941 (0.97:
 * 0.781); on the held-out half 0.747 (0.97: 0.524).  That model's
 * weights are random: real SigLIP checkpoints need measuring again. */
#define CS_LIBRARY_SIGLIP_LABEL_THRESHOLD 0.1
#define CS_LIBRARY_SIGLIP_DUPLICATE_THRESHOLD 0.99

#define CS_TYPE_LIBRARY (cs_library_get_type ())
G_DECLARE_FINAL_TYPE (CsLibrary, cs_library, CS, LIBRARY, GObject)

/* A library on the database at `database_path` (NULL: the default
 * location) with the CLIP model in `model_dir` (NULL: the database's
 * "model-dir" setting, i.e. the model it was indexed with).  Nothing is
 * opened until cs_library_load_async(). */
CsLibrary  *cs_library_new                (const char *database_path,
                                           const char *model_dir);

/* Properties (all read-only but model-dir; notified on the home thread):
 *  "database-path" (construct-only, filename encoding or NULL),
 *  "model-dir" (the model for queries and labels; setting it takes effect
 *      at the next load),
 *  "loaded" (TRUE once a load succeeded),
 *  "n-photos" (searchable photos: those with a vector of the active model),
 *  "has-model" (text and image queries and labels are possible),
 *  "labels" (the GListModel of cs_library_get_labels()). */
const char *cs_library_get_database_path  (CsLibrary  *self);
const char *cs_library_get_model_dir      (CsLibrary  *self);
void        cs_library_set_model_dir      (CsLibrary  *self,
                                           const char *model_dir);
/* Whether loads and refreshes cluster the photos by the labels (default
 * TRUE).  A caller that uses no label membership (a text search, the
 * duplicates) sets FALSE before loading: the labels are still read, with
 * counts of 0, and no prompt is encoded nor photo scored against them
 * (with 10,000 labels that is most of a load).  Label changes made
 * through the library still cluster. */
void        cs_library_set_cluster_labels (CsLibrary  *self,
                                           gboolean    cluster);
gboolean    cs_library_get_loaded         (CsLibrary  *self);
guint       cs_library_get_n_photos       (CsLibrary  *self);
gboolean    cs_library_get_has_model      (CsLibrary  *self);

/* Changing the model (issue 13).  cs_library_set_model_dir () names the
 * model queries and labels should use; the indexer (cs_indexer_set_model_dir
 * and a run) makes its vectors.  Until they cover every photo the photos'
 * vectors are the old model's, and the old model (the database's
 * "model-dir" setting) keeps answering queries and labels: "model-pending"
 * is TRUE and cs_library_get_answering_model_dir () names the old folder.
 * When the indexer has made the new model's vectors for every photo it
 * makes that model active in one transaction (the old vectors go); the
 * next refresh (CsIndexer::batch-committed / ::finished) reloads with the
 * new model and "model-pending" turns FALSE.  Labels and the user's
 * judgements are stored by photo and are kept.
 *
 * Progress, read at every load and refresh: "building-model-dir" (the
 * folder of the model whose vectors are being made, NULL when no change
 * is in progress), "building-n-done" (photos that have its vector),
 * "building-n-total" (photos in the library).  All notified on the home
 * thread. */
gboolean    cs_library_get_model_pending  (CsLibrary  *self);
/* The folder of the model answering queries (NULL: none). */
const char *cs_library_get_answering_model_dir (CsLibrary *self);
/* The building model's folder (NULL: no change in progress) and the
 * counts above (either may be NULL). */
const char *cs_library_get_building_model_dir  (CsLibrary *self,
                                                guint64   *n_done,
                                                guint64   *n_total);

/* Scores by family.  TRUE when the answering model is SigLIP or SigLIP
 * 2: a label's probability (CsLabel "threshold", the photo list items'
 * probability) is then the model's calibrated sigmoid probability of the
 * photo matching the text, not CLIP's label-against-background softmax.
 * The defaults for such a model: CS_LIBRARY_SIGLIP_*. */
gboolean    cs_library_get_sigmoid_scores (CsLibrary  *self);
/* The default label threshold and near-duplicate threshold of the
 * answering model's family (CLIP's when there is no model). */
double      cs_library_get_default_label_threshold     (CsLibrary *self);
double      cs_library_get_default_duplicate_threshold (CsLibrary *self);

/* Signal "changed" (no arguments): a refresh or load changed the photos
 * the library holds. */

/* ------------------------------------------------------------------ */
/* Loading and staying in step                                        */
/* ------------------------------------------------------------------ */

/* Opens the database, loads the active model's vectors and the metadata
 * of their photos into RAM, loads the CLIP model (when there is one: a
 * library without a model can still find similar photos and duplicates),
 * derives the label vectors from their prompts with that model and
 * clusters the photos.  A second load reloads everything.  A library
 * whose database holds no vectors yet loads empty (n-photos 0).  Errors:
 * CS_STORE_ERROR, or CS_CLIP_ERROR when the "model-dir" property names a
 * broken model.  A model taken from the database's setting that cannot be
 * loaded, or a model that is not the one the photos were indexed with,
 * does not fail the load: "has-model" stays FALSE, and text and image
 * searches and labels fail with that reason (CS_CLIP_ERROR or
 * CS_LIBRARY_ERROR_MODEL_MISMATCH) while find-similar and duplicates
 * work. */
void        cs_library_load_async         (CsLibrary           *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean    cs_library_load_finish        (CsLibrary           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
gboolean    cs_library_load               (CsLibrary           *self,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* Reads what the indexer committed since the last load or refresh (new,
 * changed, moved and removed photos; a new active model reloads all) and
 * clusters the new photos.  Before the first load it loads. */
void        cs_library_refresh_async      (CsLibrary           *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean    cs_library_refresh_finish     (CsLibrary           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
gboolean    cs_library_refresh            (CsLibrary           *self,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* ------------------------------------------------------------------ */
/* Search                                                             */
/* ------------------------------------------------------------------ */

/* Searches with `query` (see cs-query.h; copied at the call).  The
 * result is a new CsPhotoList (best first, or newest first for
 * CS_SORT_DATE), each photo with its score and accepted flag, and the
 * list with the cutoff and counts.
 *
 * The cutoff adapts to each query: a photo is accepted when its score
 * stands out both from this query's score distribution over the library
 * and from the scores of generic background prompts ("a photo", "an
 * image", ...) for that photo, as described in cs-library-search.c;
 * strictness shifts it, and at -1 every photo passing the filters is
 * accepted (the background prompts too are waived then).  A find-similar
 * query always accepts the photo itself.  The list is not capped: with no
 * limit it holds every accepted photo (the whole library at strictness
 * -1), and the cost of that is 16 bytes a photo, the photos' objects being
 * made as they are shown (cs-photo-list.h).
 *
 * Without a `cancellable`, a newer such search supersedes an older one
 * still running: the older one finishes with G_IO_ERROR_CANCELLED.  With
 * one, only that cancellable stops the search, so callers that each keep
 * their own (the window, each caller of the search provider) never cancel
 * one another's.  Errors: CS_LIBRARY_ERROR_NOT_LOADED,
 * _EMPTY_QUERY, _NO_MODEL (text or image terms without a model),
 * _NO_SUCH_PHOTO (similar-to), G_IO_ERROR/CS_DECODE_ERROR (image-path). */
void         cs_library_search_async      (CsLibrary           *self,
                                           CsQuery             *query,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
CsPhotoList *cs_library_search_finish     (CsLibrary           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
CsPhotoList *cs_library_search            (CsLibrary           *self,
                                           CsQuery             *query,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* The photo with row id `id` or at `path` (filename encoding), as the
 * library holds it now: a new CsPhoto (score 0), or NULL when it is not
 * searchable.  No I/O. */
CsPhoto     *cs_library_lookup_photo      (CsLibrary           *self,
                                           gint64               id);
CsPhoto     *cs_library_lookup_path       (CsLibrary           *self,
                                           const char          *path);

/* ------------------------------------------------------------------ */
/* Zero-shot labels                                                   */
/* ------------------------------------------------------------------ */

/* The labels, sorted by name: a GListModel of CsLabel (borrowed; it
 * changes on the home thread as labels are added, removed or renamed). */
GListModel  *cs_library_get_labels        (CsLibrary           *self);
/* The label called `name` (borrowed) or NULL. */
CsLabel     *cs_library_lookup_label      (CsLibrary           *self,
                                           const char          *name);

/* The prompts a new label gets when none are given: templates in which
 * "{}" stands for the label's name ("a photo of a {}.", ...).  Static. */
const char * const *cs_library_default_prompts (void);

/* Adds a label `name` (UTF-8, not empty, unique) with `prompts` (NULL or
 * empty: cs_library_default_prompts()) and `threshold` in [0, 1] (a
 * negative value: cs_library_get_default_label_threshold ()), stores it, and
 * re-clusters the library.  Finishes with the new CsLabel (a reference
 * to the object now in cs_library_get_labels()).  Errors:
 * CS_LIBRARY_ERROR_LABEL_EXISTS, _INVALID, _NO_MODEL (the label is still
 * stored and clustered once a model is there), CS_STORE_ERROR. */
void         cs_library_add_label_async   (CsLibrary           *self,
                                           const char          *name,
                                           const char * const  *prompts,
                                           double               threshold,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
CsLabel     *cs_library_add_label_finish  (CsLibrary           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
CsLabel     *cs_library_add_label         (CsLibrary           *self,
                                           const char          *name,
                                           const char * const  *prompts,
                                           double               threshold,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* Changes a label: a new name (NULL: keep), new prompts (NULL: keep;
 * empty: the defaults) and/or a new threshold (negative: keep).  A
 * threshold-only change re-clusters at once, on the home thread, from
 * the probabilities already computed (no CLIP, no scan): the label's
 * "count" is updated before this returns, and only the write to the
 * database runs in the background.  New prompts are embedded and the
 * library re-clustered in the background.  Errors as for add, and
 * CS_LIBRARY_ERROR_NO_SUCH_LABEL. */
void         cs_library_edit_label_async  (CsLibrary           *self,
                                           CsLabel             *label,
                                           const char          *name,
                                           const char * const  *prompts,
                                           double               threshold,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean     cs_library_edit_label_finish (CsLibrary           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
gboolean     cs_library_edit_label        (CsLibrary           *self,
                                           CsLabel             *label,
                                           const char          *name,
                                           const char * const  *prompts,
                                           double               threshold,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* Removes a label and the user's verdicts for it; the other labels do
 * not change (each decides for itself). */
void         cs_library_remove_label_async  (CsLibrary           *self,
                                             CsLabel             *label,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     cs_library_remove_label_finish (CsLibrary           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
gboolean     cs_library_remove_label        (CsLibrary           *self,
                                             CsLabel             *label,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* Records the user's `verdict` on `n_photos` photos (row ids) for
 * `label`, stored by photo (so it survives moves and model changes).
 * Membership follows the user's word exactly: confirmed photos belong to
 * the label (probability 1), rejected ones never do, CS_VERDICT_NONE
 * gives the photo back to the label's rule (an undo).  Nothing else
 * changes: the label's rule is not refined by verdicts and each label
 * decides for itself (cs-labels.h), so no other photo of the label and
 * no other label moves; no re-clustering.  Errors: _NO_SUCH_LABEL,
 * _NO_SUCH_PHOTO (nothing is recorded then), CS_STORE_ERROR. */
void         cs_library_set_verdict_async  (CsLibrary           *self,
                                            CsLabel             *label,
                                            const gint64        *photo_ids,
                                            guint                n_photos,
                                            CsVerdict            verdict,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     cs_library_set_verdict_finish (CsLibrary           *self,
                                            GAsyncResult        *result,
                                            GError             **error);
gboolean     cs_library_set_verdict        (CsLibrary           *self,
                                            CsLabel             *label,
                                            const gint64        *photo_ids,
                                            guint                n_photos,
                                            CsVerdict            verdict,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* The photos in `label` now, most probable first: a new CsPhotoList
 * whose photos carry their probability, their cosine to the label's
 * vector (score) and the user's verdict.  No I/O; linear in the library
 * (use it on the home thread for the label being shown). */
CsPhotoList *cs_library_list_label_members (CsLibrary          *self,
                                            CsLabel            *label);

/* cs_library_list_label_members(), in the order of `shown` (a list of
 * the label shown before; NULL: as cs_library_list_label_members()):
 * its photos still in the label where they were, the ones the user has
 * since rejected kept in their places (verdict -1, not accepted) so a
 * judgement changes one cell and never reorders the grid, then the new
 * members most probable first. */
CsPhotoList *cs_library_list_label_members_keeping (CsLibrary   *self,
                                                    CsLabel     *label,
                                                    CsPhotoList *shown);

/* The photos on either side of `threshold` (in [0, 1]) for `label`, for
 * a live preview of a threshold before it is applied: `above` gets the
 * `n` photos that are in the label at that threshold with the lowest
 * probability, `below` the `n` photos that are not but would be first at
 * a lower one (among those that stand out of the library for the label),
 * each most probable first,
 * the photos carrying their probability and cosine.  The user's verdicts
 * aside: the threshold does not decide on them.  Computed on a worker
 * thread from the current clustering (no SQL, no CLIP); both lists are
 * empty while the label is not clustered.  Errors:
 * CS_LIBRARY_ERROR_NO_SUCH_LABEL, G_IO_ERROR_CANCELLED. */
void         cs_library_list_label_boundary_async  (CsLibrary           *self,
                                                    CsLabel             *label,
                                                    double               threshold,
                                                    guint                n,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean     cs_library_list_label_boundary_finish (CsLibrary           *self,
                                                    GAsyncResult        *result,
                                                    CsPhotoList        **above,
                                                    CsPhotoList        **below,
                                                    GError             **error);

/* The starter labels (people, pets, food, documents and receipts,
 * screenshots, landscapes, beaches, mountains, cities, vehicles, ...),
 * each with its prompts.  Static; NULL-terminated names. */
const char * const *cs_library_starter_label_names (void);

/* Adds every starter label the library does not have yet (by name) in
 * one step, then re-clusters once.  Finishes TRUE with the number added
 * in *n_added. */
void         cs_library_add_starter_labels_async  (CsLibrary           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean     cs_library_add_starter_labels_finish (CsLibrary           *self,
                                                   GAsyncResult        *result,
                                                   guint               *n_added,
                                                   GError             **error);
gboolean     cs_library_add_starter_labels        (CsLibrary           *self,
                                                   guint               *n_added,
                                                   GCancellable        *cancellable,
                                                   GError             **error);

/* ------------------------------------------------------------------ */
/* Near-duplicates                                                    */
/* ------------------------------------------------------------------ */

/* Finds groups of exact copies (same content hash and size) and of
 * near-duplicates (every pair of the group at cosine >= `threshold`;
 * <= 0: cs_library_get_default_duplicate_threshold (), the answering
 * model family's default).  Groups are complete
 * (every pair close), never chains of neighbours, so a series of similar
 * shots does not melt into one group.  Nearly blank pictures (almost
 * uniform colour: checked on their pixels) join only exact copies, since
 * CLIP maps very different blank pictures close together.  Finishes with
 * a new GListModel of CsDuplicateGroup, the largest groups first. */
void         cs_library_find_duplicates_async  (CsLibrary           *self,
                                                double               threshold,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* How far a long job is, from 0 to 1, never decreasing. */
typedef void (*CsLibraryProgressFunc) (double   fraction,
                                       gpointer user_data);
/* The same, calling `progress` with how far the search is (the pairs of
 * the similarity matrix, then the candidates' nearly blank test) in the
 * thread-default main context of the call (once per 0.1 % at most, with
 * never more than one call waiting), never after `callback` nor once
 * `cancellable` is cancelled.  Finish
 * with cs_library_find_duplicates_finish(). */
void         cs_library_find_duplicates_with_progress_async (CsLibrary             *self,
                                                             double                 threshold,
                                                             CsLibraryProgressFunc  progress,
                                                             gpointer               progress_data,
                                                             GCancellable          *cancellable,
                                                             GAsyncReadyCallback    callback,
                                                             gpointer               user_data);
GListModel  *cs_library_find_duplicates_finish (CsLibrary           *self,
                                                GAsyncResult        *result,
                                                GError             **error);
GListModel  *cs_library_find_duplicates        (CsLibrary           *self,
                                                double               threshold,
                                                GCancellable        *cancellable,
                                                GError             **error);

G_END_DECLS
