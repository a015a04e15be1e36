/* cs-text-vectors.c - prompt vectors, from the cache or the encoder.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <string.h>

#include "cs-text-vectors.h"

/* Stores the freshly encoded texts (found[i] FALSE) as one transaction.
 * The cache is an optimisation: a failure (another writer holding the
 * database past the busy timeout, a full disk) only costs encoding them
 * again next time, so it is logged, never an error. */
static void
store_encoded (CsStore            *store,
               gint64              model_row,
               const char * const *texts,
               guint               n,
               int                 dim,
               const float        *emb,
               const gboolean     *found)
{
  g_autoptr(GError) error = NULL;

  if (!cs_store_begin (store, &error))
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) one = NULL;

      if (found[i])
        continue;
      /* a non-finite vector is refused by the store: skip it, keep the rest */
      if (!cs_store_put_text_vector (store, model_row, texts[i], emb + (gsize) i * dim, dim, &one))
        {
          if (!g_error_matches (one, CS_STORE_ERROR, CS_STORE_ERROR_INVALID))
            {
              g_propagate_error (&error, g_steal_pointer (&one));
              cs_store_rollback (store);
              goto fail;
            }
          g_debug ("text vectors: not caching: %s", one->message);
        }
    }
  if (!cs_store_commit (store, &error))
    {
      cs_store_rollback (store);
      goto fail;
    }
  return;

fail:
  g_debug ("text vectors: cannot cache the prompt vectors: %s", error->message);
}

/* The cache first; what it lacks goes to the encoder as one batch. */
gboolean
_cs_text_vectors_embed (CsClipRuntime      *rt,
                        CsStore            *store,
                        gint64              model_row,
                        const char * const *texts,
                        guint               n,
                        int                 dim,
                        float              *emb,
                        guint              *n_fresh,
                        GCancellable       *cancellable,
                        GError            **error)
{
  g_autofree gboolean *found = g_new0 (gboolean, MAX (n, 1));
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree float *fresh = NULL;
  guint n_found = 0;

  if (n_fresh != NULL)
    *n_fresh = 0;
  if (store != NULL && model_row > 0)
    {
      g_autoptr(GError) local = NULL;

      n_found = cs_store_get_text_vectors (store, model_row, texts, n, dim, emb, found, &local);
      if (local != NULL)
        {
          g_debug ("text vectors: cannot read the cached prompt vectors: %s", local->message);
          memset (found, 0, n * sizeof (gboolean));
          n_found = 0;
        }
    }
  if (n_found == n)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (!found[i])
      g_ptr_array_add (missing, (gpointer) texts[i]);
  fresh = g_new (float, (gsize) missing->len * dim);
  if (n_fresh != NULL)
    *n_fresh = missing->len;
  if (!cs_clip_runtime_embed_texts (rt, (const char * const *) missing->pdata, missing->len, fresh,
                                    cancellable, error))
    return FALSE;
  for (guint i = 0, j = 0; i < n; i++)
    if (!found[i])
      memcpy (emb + (gsize) i * dim, fresh + (gsize) j++ * dim, (gsize) dim * sizeof (float));
  if (store != NULL && model_row > 0 && !cs_store_is_read_only (store))
    store_encoded (store, model_row, texts, n, dim, emb, found);
  return TRUE;
}
