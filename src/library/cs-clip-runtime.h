/* cs-clip-runtime.h - the CLIP model shared by the library's workers.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/library/.  A runtime is reference-counted and may be
 * used by any number of threads at once: each call borrows a clip_ctx of
 * its own.  Embeddings come back L2-normalised.
 */
#pragma once

#include <math.h>

#include <gio/gio.h>

#include "clip.h"
#include "cs-store.h"

G_BEGIN_DECLS

typedef struct _CsClipRuntime CsClipRuntime;

/* The precision photos are encoded in: CLIPSIGHT_PRECISION (f32, f16,
 * bf16, int8) when set, else the fastest mode the CPU has instructions
 * for (see docs/performance.md). */
clip_precision cs_clip_indexing_precision  (void);

/* The run-time check of the precisions (cs-clip-runtime.c): the worst
 * cosine to float32 a precision must reach on a fixed set of synthetic
 * images to be used. */
#define CS_CLIP_CHECK_FLOOR 0.995
/* The check's batch of images: the indexer's batch size (BATCH_SIZE),
 * so that the precisions are timed as they will run. */
#define CS_CLIP_CHECK_BATCH 8

/* Room for the CPU's and the kernel table's names in a check. */
#define CS_CLIP_CPU_NAME_MAX     128
#define CS_CLIP_KERNELS_NAME_MAX 64

typedef struct {
  clip_precision precision;                      /* the one chosen */
  double         cosine;                         /* its worst cosine to f32 (1 for f32) */
  double         tested[CLIP_N_PRECISIONS];      /* each precision's worst cosine to f32: NAN
                                                  * if untried, -1 if it overflowed (f32 too:
                                                  * then nothing else is tried), else 1 for f32 */
  double         images_per_s[CLIP_N_PRECISIONS]; /* each one's measured speed, NAN if untimed */
  char           cpu[CS_CLIP_CPU_NAME_MAX];      /* the CPU it was measured on ("" if unknown) */
  char           kernels[CS_CLIP_KERNELS_NAME_MAX]; /* and its kernel table (clip_kernels_name) */
} CsPrecisionCheck;

/* Whether CLIPSIGHT_PRECISION names a precision (which is then used
 * without a check). */
gboolean       cs_clip_precision_is_forced   (void);

/* The choice itself, from the measured figures (indexed by precision):
 * the fastest precision whose worst cosine reaches CS_CLIP_CHECK_FLOOR
 * (f32's cosine is taken as 1 whatever it says) and whose speed is a
 * finite, positive number; on a tie of speed the higher cosine, then the
 * lower enum (f32 first).  f32 when none qualifies.  NAN (untried), a
 * negative cosine (overflowed) or an infinite figure never qualifies. */
clip_precision cs_clip_precision_choose      (const double         cosine[CLIP_N_PRECISIONS],
                                              const double         images_per_s[CLIP_N_PRECISIONS]);

/* The CPU's name, as /proc/cpuinfo (or CPUID's brand string) gives it,
 * spaces squeezed; "" when neither says.  Static. */
const char    *cs_clip_cpu_name              (void);

/* The stored form of a check (the setting "precision-check") and back:
 * `key` is what the outcome depends on (cs_clip_check_key).  Parsing
 * fails (FALSE) on anything else, records of older versions included,
 * which then count as absent: the check runs again. */
char          *cs_clip_check_record_format   (const char             *key,
                                              const CsPrecisionCheck *check);
gboolean       cs_clip_check_record_parse    (const char             *value,
                                              char                  **key,
                                              CsPrecisionCheck       *out);
/* What a check of the model in `dir` on the CPU named `cpu` depends on:
 * the record's version, the CPU, the kernel table, the int8 smoothing,
 * and the model's weights file (size, time) and folder. */
char          *cs_clip_check_key             (const char             *dir,
                                              const char             *cpu);

/* The precision to index the model in `dir` with: the forced one, else
 * the fastest (cs_clip_precision_choose) of f32 and every precision the
 * CPU has instructions for (clip_precision_is_fast), each timed on the
 * indexer's batch of the check images, in its own tower loaded and freed
 * in turn (so at most one precision's vision weights are held at once).
 * The outcome is kept in `store`'s settings (when not NULL) for this
 * model and CPU (cs_clip_check_key), so the check runs once per model and
 * CPU.  Errors: loading the model, G_IO_ERROR_CANCELLED. */
gboolean       cs_clip_check_precision       (const char          *dir,
                                              CsStore             *store,
                                              CsPrecisionCheck    *out,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* The last check kept in `store` (whatever the model); FALSE if none. */
gboolean       cs_clip_precision_check_read  (CsStore             *store,
                                              CsPrecisionCheck    *out);

/* cs_clip_precision_check_read on the database at `database_path` (NULL:
 * the default), opened in a thread: for the app's Preferences.  The
 * finish returns FALSE (error unset) when no check is kept. */
void           cs_clip_precision_check_read_async  (const char          *database_path,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean       cs_clip_precision_check_read_finish (GAsyncResult        *result,
                                                    CsPrecisionCheck    *out,
                                                    GError             **error);

/* The precision to embed an example photo in for the model in `dir`, so
 * that it is made the way the library's vectors were: the forced one
 * (CLIPSIGHT_PRECISION), else the outcome of the check kept in `store`
 * for this model (cs_clip_check_precision), else
 * cs_clip_indexing_precision () when none is kept for it. */
clip_precision cs_clip_image_precision       (CsStore             *store,
                                              const char          *dir);

/* Loads the model in `dir` and derives its id (cs_model_id_for_dir). */
CsClipRuntime *cs_clip_runtime_load          (const char          *dir,
                                              GCancellable        *cancellable,
                                              GError             **error);
CsClipRuntime *cs_clip_runtime_ref           (CsClipRuntime       *rt);
void           cs_clip_runtime_unref         (CsClipRuntime       *rt);
const char    *cs_clip_runtime_get_model_id  (CsClipRuntime       *rt);
const char    *cs_clip_runtime_get_dir       (CsClipRuntime       *rt);
int            cs_clip_runtime_get_dim       (CsClipRuntime       *rt);
/* The softmax scale: exp of the model's stored logit_scale. */
double         cs_clip_runtime_get_logit_scale (CsClipRuntime     *rt);
/* The text tower's context: token rows per text. */
int            cs_clip_runtime_get_context_length (CsClipRuntime  *rt);
/* SigLIP's logit_bias (0 for CLIP). */
double         cs_clip_runtime_get_logit_bias  (CsClipRuntime     *rt);
/* Whether the model scores a photo against a text on its own, with a
 * sigmoid (SigLIP, SigLIP 2), rather than by a softmax over texts (CLIP):
 * the library's rules differ by family (cs-labels.h, cs-library-search.c,
 * cs-library.h). */
gboolean       cs_clip_runtime_is_sigmoid      (CsClipRuntime     *rt);
/* SigLIP's calibrated probability that an image of cosine `cosine` to a
 * text matches it: sigmoid (exp (logit_scale) cosine + logit_bias).
 * Meaningful only when cs_clip_runtime_is_sigmoid (). */
double         cs_clip_runtime_probability     (CsClipRuntime     *rt,
                                                double             cosine);
/* The same from the figures: `scale` already exp'd. */
static inline double
cs_clip_sigmoid_probability (double scale,
                             double bias,
                             double cosine)
{
  return 1.0 / (1.0 + exp (-(scale * cosine + bias)));
}
/* The generic background prompts' embeddings (n x dim; borrowed). */
const float   *cs_clip_runtime_get_background (CsClipRuntime      *rt,
                                               guint              *n);
/* `n` texts into `out` (n x dim).  G_IO_ERROR_CANCELLED or CS_CLIP_ERROR. */
gboolean       cs_clip_runtime_embed_texts   (CsClipRuntime       *rt,
                                              const char * const  *texts,
                                              guint                n,
                                              float               *out,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Sets the precision of the vision tower (cs_clip_indexing_precision ()
 * unless set); it has an effect only before the first
 * cs_clip_runtime_embed_image. */
void           cs_clip_runtime_set_image_precision (CsClipRuntime *rt,
                                                    clip_precision precision);
/* An image file into `out` (dim).  Errors of decoding (G_IO_ERROR,
 * CS_DECODE_ERROR) or of the engine. */
gboolean       cs_clip_runtime_embed_image   (CsClipRuntime       *rt,
                                              const char          *path,
                                              float               *out,
                                              GCancellable        *cancellable,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsClipRuntime, cs_clip_runtime_unref)

G_END_DECLS
