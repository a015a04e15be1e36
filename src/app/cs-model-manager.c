/* cs-model-manager.c - downloads and verifies the CLIP model.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-model-manager"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cs-cancel.h"
#include "cs-model-manager-private.h"

#define DONE_MARKER  ".clipsight-complete"
#define FORMER_DEFAULT_URL "https://huggingface.co/openai/clip-vit-base-patch32/resolve/main"

G_DEFINE_QUARK (cs-model-error-quark, cs_model_error)

/* openai/clip-vit-base-patch32 at CS_MODEL_DEFAULT_REVISION, the weights
 * last: the app takes a folder with config.json and model.safetensors for a
 * model, and each file is renamed into place only once it matched.
 *
 * Where the checksums come from (no access to huggingface.co from where they
 * were written; every one is checked again by each download):
 * - config.json, preprocessor_config.json: public copies of the files' text
 *   hash to these values here; independent public projects pin the same
 *   values for main's revision 3d74acf9 and for the conversion revisions,
 *   which keep its small files.
 * - vocab.json: byte for byte the vocabulary of the toy model in ../shared
 *   (the standard CLIP vocabulary), pinned likewise by many projects.
 * - merges.txt: the toy model's merges with this repository's first line,
 *   "#version: 0.2 - Trained by `huggingface/tokenizers`" (clip-vit-large-
 *   patch14 and the toy model have "#version: 0.2", 524619 bytes,
 *   9fd691f7...); the same value is pinned by many projects.
 * - model.safetensors: the Hugging Face safetensors conversion (SFconvertbot)
 *   of pytorch_model.bin, 605157884 bytes, as pinned by at least four public
 *   projects for the conversion revisions eaee4c87, b33cedfd (refs/pr/15)
 *   and c237dc49, one of them from the Hub API's LFS metadata.  It cannot be
 *   recomputed without the file.
 *
 * The Flatpak bundles the same small files (flatpak/modules/
 * clip-vit-base-patch32.yml): tests/data/check_flatpak.py reads this table
 * and fails when the two disagree.  Keep one entry per line. */
static const CsModelFile default_files[] = {
  { "config.json", 4186, "b575ef3c36f2a057fa19e221650105052d61cc9c1a972ec15019c6261ec98770" },
  { "preprocessor_config.json", 316, "910e70b3956ac9879ebc90b22fb3bc8a75b6a0677814500101a4c072bd7857bd" },
  { "vocab.json", 862328, "5047b556ce86ccaf6aa22b3ffccfc52d391ea4accdab9c2f2407da5b742d4363" },
  { "merges.txt", 524657, "f526393189112391ce6f9795d4695f704121ce452c3aad1f5335cc41337eba85" },
  { "model.safetensors", 605157884, "99d28a652e6ec46629ab7047a0ac82c69b1fe11e0ce672c43af65d3a9a3fc05d" },
};

/* The SigLIP 2 pins.  The engine reads config.json, preprocessor_config.json,
 * tokenizer_config.json (the tokenizer's class), tokenizer.model (the Gemma
 * SentencePiece model) and model.safetensors; tokenizer.json (34 MB) and
 * special_tokens_map.json are not fetched.  No access to huggingface.co from
 * where these were written either: every value below is one that public
 * projects pin for these repositories at these revisions, cross-checked
 * where more than one does, and every download checks each file again.
 *
 * google/siglip2-base-patch32-256 at 9e7ee685 (a source lock listing all
 * seven files of that revision with size and SHA-256):
 * - model.safetensors: the same 7d241bb3... is pinned by at least three
 *   other projects (at this revision and at 94dffa8c, which kept the
 *   weights).  Its size agrees to the byte with the B/16-224 file below:
 *   +4 × (768 × 3 × (32² − 16²)) bytes of patch kernel, −4 × 768 × (196 − 64)
 *   of position embeddings (tests/app/test-model-pins.c checks it).
 * - preprocessor_config.json: d14ba2ee..., pinned for every 256-pixel SigLIP 2
 *   base checkpoint by several projects.
 * - tokenizer.model, tokenizer_config.json: the Gemma tokenizer shared by
 *   every SigLIP 2 checkpoint; 61a7b147... is Gemma's own published
 *   tokenizer.model, pinned by many projects.
 * - config.json: one public source only (the source lock).
 *
 * google/siglip2-base-patch16-224 at 75de2d55: every file (sizes and
 * checksums) pinned alike by at least three independent projects. */
static const CsModelFile siglip2_b32_files[] = {
  { "config.json", 298, "52deee7a2d6fb2e73c45720d9c4056f0e4dc582ef84524aac229c6d5aa348dee" },
  { "preprocessor_config.json", 394, "d14ba2ee3fd816f3de8abaddc31953565128eaf37c73ad4bed32101a98465aff" },
  { "tokenizer_config.json", 47164, "14afe629fe4959b9e0d51e1852b8d9f7ad074f90a1a7125a4fcdd17f06e78fc8" },
  { "tokenizer.model", 4241003, "61a7b147390c64585d6c3543dd6fc636906c9af3865a5548f27f31aee1d4c8e2" },
  { "model.safetensors", 1507473288, "7d241bb3becad218f211f480487f491df4f8c0a472ecf7afdec5615815a301f1" },
};

static const CsModelFile siglip2_b16_files[] = {
  { "config.json", 253, "fe8b5fe6d5734360678fd71c11c21e1ea3364bd8598d34295d9206335973ffd7" },
  { "preprocessor_config.json", 394, "9b36b57ebaf20f09bf4c22100ccc21877ea6bfe5aead0c00c59f8af8ccefacfc" },
  { "tokenizer_config.json", 47164, "14afe629fe4959b9e0d51e1852b8d9f7ad074f90a1a7125a4fcdd17f06e78fc8" },
  { "tokenizer.model", 4241003, "61a7b147390c64585d6c3543dd6fc636906c9af3865a5548f27f31aee1d4c8e2" },
  { "model.safetensors", 1500800904, "612923381c76ec5a9bed335d1c48827e3f2e506ac31b044b63b2031fadee6a0b" },
};

/* Recall: Immich's published Crossmodal-3600 figures (mean of R@1, R@5 and
 * R@10, English), issue 13. */
static const CsModelPin pins[] = {
  { "clip-vit-base-patch32", "OpenAI CLIP ViT-B/32", "openai/clip-vit-base-patch32",
    CS_MODEL_DEFAULT_REVISION, default_files, G_N_ELEMENTS (default_files),
    CS_MODEL_LANGUAGES_ENGLISH, 59.4, NULL },
  { "siglip2-base-patch32-256", "SigLIP 2 ViT-B/32, 256 px", "google/siglip2-base-patch32-256",
    "9e7ee68506177b546b2d5dc578f54afdc5e425f1", siglip2_b32_files, G_N_ELEMENTS (siglip2_b32_files),
    CS_MODEL_LANGUAGES_MULTILINGUAL, 73.2, NULL },
  { "siglip2-base-patch16-224", "SigLIP 2 ViT-B/16, 224 px", "google/siglip2-base-patch16-224",
    "75de2d55ec2d0b4efc50b3e9ad70dba96a7b2fa2", siglip2_b16_files, G_N_ELEMENTS (siglip2_b16_files),
    CS_MODEL_LANGUAGES_MULTILINGUAL, 75.2, NULL },
};

struct _CsModelManager {
  GObject       parent_instance;

  char         *target_dir;
  char         *base_url;
  GPtrArray    *files;          /* FileSpec* */
  Progress     *progress;

  CsModelState  state;
  guint64       bytes_done, bytes_total;
  char         *current_file;
  char         *error_message;
  GCancellable *cancellable;    /* of the download in flight */
  guint         refresh_serial;
};

G_DEFINE_FINAL_TYPE (CsModelManager, cs_model_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TARGET_DIR,
  PROP_BASE_URL,
  PROP_STATE,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_FRACTION,
  PROP_CURRENT_FILE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
file_spec_free (FileSpec *spec)
{
  g_free (spec->name);
  g_free (spec->sha256);
  g_free (spec);
}

static GPtrArray *
copy_files (GPtrArray *files)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) file_spec_free);

  for (guint i = 0; i < files->len; i++)
    {
      const FileSpec *s = files->pdata[i];
      FileSpec *c = g_new0 (FileSpec, 1);
      c->name = g_strdup (s->name);
      c->size = s->size;
      c->sha256 = g_strdup (s->sha256);
      g_ptr_array_add (copy, c);
    }
  return copy;
}

static Progress *
progress_new (GObject *owner)
{
  Progress *p = g_new0 (Progress, 1);

  g_atomic_ref_count_init (&p->ref);
  g_mutex_init (&p->mutex);
  g_weak_ref_init (&p->owner, owner);
  p->home = g_main_context_ref_thread_default ();
  return p;
}

static Progress *
progress_ref (Progress *p)
{
  g_atomic_ref_count_inc (&p->ref);
  return p;
}

static void
progress_unref (Progress *p)
{
  if (!g_atomic_ref_count_dec (&p->ref))
    return;
  g_mutex_clear (&p->mutex);
  g_weak_ref_clear (&p->owner);
  g_main_context_unref (p->home);
  g_free (p->current);
  g_free (p);
}

static void
job_free (Job *job)
{
  g_free (job->target_dir);
  g_free (job->base_url);
  g_ptr_array_unref (job->files);
  progress_unref (job->progress);
  g_free (job);
}

static Job *
job_new (CsModelManager *self)
{
  Job *job = g_new0 (Job, 1);

  job->target_dir = g_strdup (self->target_dir);
  job->base_url = g_strdup (self->base_url);
  job->files = copy_files (self->files);
  job->progress = progress_ref (self->progress);
  return job;
}

/* ------------------------------------------------------------------ */
/* Home thread: mirroring the progress                                 */
/* ------------------------------------------------------------------ */

static void
set_state (CsModelManager *self,
           CsModelState    state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error_message (CsModelManager *self,
                   const char     *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
apply_progress (CsModelManager *self)
{
  Progress *p = self->progress;
  guint64 done, total;
  g_autofree char *current = NULL;

  g_mutex_lock (&p->mutex);
  p->idle_pending = FALSE;
  done = p->done;
  total = p->total;
  current = g_strdup (p->current);
  g_mutex_unlock (&p->mutex);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->bytes_total != total)
    {
      self->bytes_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_TOTAL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (self->bytes_done != done)
    {
      self->bytes_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (g_strcmp0 (self->current_file, current) != 0)
    {
      g_free (self->current_file);
      self->current_file = g_steal_pointer (&current);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_FILE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
progress_idle_cb (gpointer data)
{
  Progress *p = data;
  g_autoptr(CsModelManager) self = g_weak_ref_get (&p->owner);

  if (self != NULL)
    apply_progress (self);
  else
    {
      g_mutex_lock (&p->mutex);
      p->idle_pending = FALSE;
      g_mutex_unlock (&p->mutex);
    }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Worker thread                                                        */
/* ------------------------------------------------------------------ */

void
_cs_model_report (Progress   *p,
                  gint64      done_delta,
                  gint64      total_delta,
                  const char *current)
{
  gboolean schedule;

  g_mutex_lock (&p->mutex);
  p->done += done_delta;
  p->total += total_delta;
  if (current != NULL && g_strcmp0 (p->current, current) != 0)
    {
      g_free (p->current);
      p->current = g_strdup (current);
    }
  schedule = !p->idle_pending;
  p->idle_pending = TRUE;
  g_mutex_unlock (&p->mutex);
  if (schedule)
    {
      GSource *source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_LOW);
      g_source_set_callback (source, progress_idle_cb, progress_ref (p),
                             (GDestroyNotify) progress_unref);
      g_source_attach (source, p->home);
      g_source_unref (source);
    }
}

gboolean
_cs_model_is_sha256 (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

/* What a completed download leaves in its marker: sha256sum's listing. */
static char *
manifest_listing (GPtrArray *files)
{
  GString *listing = g_string_new (NULL);

  for (guint i = 0; i < files->len; i++)
    {
      const FileSpec *spec = files->pdata[i];
      g_string_append_printf (listing, "%s  %s\n", spec->sha256, spec->name);
    }
  return g_string_free (listing, FALSE);
}

static void
download_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *marker = g_build_filename (job->target_dir, DONE_MARKER, NULL);
  g_autofree char *part_dir = g_build_filename (job->target_dir, PART_DIR, NULL);
  g_autofree char *listing = NULL;
  GError *error = NULL;
  gint64 known_total = 0;

  session = soup_session_new_with_options ("user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                           "timeout", 60, NULL);
  g_unlink (marker);
  for (guint i = 0; i < job->files->len; i++)
    known_total += ((FileSpec *) job->files->pdata[i])->size;
  _cs_model_report (job->progress, 0, known_total, NULL);

  for (guint i = 0; i < job->files->len; i++)
    {
      const FileSpec *spec = job->files->pdata[i];
      gboolean good;

      if (!_cs_model_check_in_place (job, spec, &good, cancellable, &error)
          || (!good && !_cs_model_fetch_file (session, job, spec, cancellable, &error)))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_rmdir (part_dir);
  listing = manifest_listing (job->files);
  if (!g_file_set_contents (marker, listing, -1, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* READY: the marker lists this manifest, and every file has its size. */
static void
refresh_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autofree char *marker = g_build_filename (job->target_dir, DONE_MARKER, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = manifest_listing (job->files);
  gboolean ready;

  ready = g_file_get_contents (marker, &contents, NULL, NULL) && strcmp (contents, listing) == 0;
  for (guint i = 0; ready && i < job->files->len; i++)
    {
      const FileSpec *spec = job->files->pdata[i];
      g_autofree char *path = g_build_filename (job->target_dir, spec->name, NULL);
      GStatBuf st;

      ready = g_stat (path, &st) == 0 && (spec->size <= 0 || st.st_size == spec->size);
    }
  g_task_return_boolean (task, ready);
}

/* ------------------------------------------------------------------ */
/* Callbacks, overrides                                                 */
/* ------------------------------------------------------------------ */

static void
on_refresh_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CsModelManager *self = CS_MODEL_MANAGER (source);
  gboolean ready = g_task_propagate_boolean (G_TASK (result), NULL);

  if (GPOINTER_TO_UINT (user_data) != self->refresh_serial || self->state == CS_MODEL_STATE_DOWNLOADING)
    return;
  set_state (self, ready ? CS_MODEL_STATE_READY : CS_MODEL_STATE_ABSENT);
}

static void
cs_model_manager_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CsModelManager *self = CS_MODEL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_TARGET_DIR: g_value_set_string (value, self->target_dir); break;
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_BYTES_DONE: g_value_set_uint64 (value, self->bytes_done); break;
    case PROP_BYTES_TOTAL: g_value_set_uint64 (value, self->bytes_total); break;
    case PROP_FRACTION: g_value_set_double (value, cs_model_manager_get_fraction (self)); break;
    case PROP_CURRENT_FILE: g_value_set_string (value, self->current_file); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_model_manager_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CsModelManager *self = CS_MODEL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_TARGET_DIR: self->target_dir = g_value_dup_string (value); break;
    case PROP_BASE_URL: cs_model_manager_set_base_url (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_model_manager_dispose (GObject *object)
{
  CsModelManager *self = CS_MODEL_MANAGER (object);

  cs_cancel_and_clear (&self->cancellable);
  G_OBJECT_CLASS (cs_model_manager_parent_class)->dispose (object);
}

static void
cs_model_manager_finalize (GObject *object)
{
  CsModelManager *self = CS_MODEL_MANAGER (object);

  g_clear_pointer (&self->target_dir, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->progress, progress_unref);
  g_clear_pointer (&self->current_file, g_free);
  g_clear_pointer (&self->error_message, g_free);
  G_OBJECT_CLASS (cs_model_manager_parent_class)->finalize (object);
}

static void
cs_model_manager_class_init (CsModelManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = cs_model_manager_get_property;
  object_class->set_property = cs_model_manager_set_property;
  object_class->dispose = cs_model_manager_dispose;
  object_class->finalize = cs_model_manager_finalize;

  properties[PROP_TARGET_DIR] =
    g_param_spec_string ("target-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, CS_MODEL_DEFAULT_URL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, CS_MODEL_STATE_ABSENT, CS_MODEL_STATE_FAILED,
                      CS_MODEL_STATE_ABSENT, ro);
  properties[PROP_BYTES_DONE] = g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TOTAL] = g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_CURRENT_FILE] = g_param_spec_string ("current-file", NULL, NULL, NULL, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_model_manager_init (CsModelManager *self)
{
  self->progress = progress_new (G_OBJECT (self));
  cs_model_manager_set_files (self, default_files, G_N_ELEMENTS (default_files));
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

const CsModelFile *
cs_model_manager_default_files (guint *n_files)
{
  if (n_files != NULL)
    *n_files = G_N_ELEMENTS (default_files);
  return default_files;
}

CsModelManager *
cs_model_manager_new (const char *target_dir,
                      const char *base_url)
{
  g_return_val_if_fail (target_dir != NULL, NULL);
  return g_object_new (CS_TYPE_MODEL_MANAGER, "target-dir", target_dir, "base-url", base_url, NULL);
}

const CsModelPin *
cs_model_pins (guint *n_pins)
{
  if (n_pins != NULL)
    *n_pins = G_N_ELEMENTS (pins);
  return pins;
}

const CsModelPin *
cs_model_pin_lookup (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (pins); i++)
    if (g_str_equal (pins[i].id, id))
      return &pins[i];
  return NULL;
}

static gboolean
is_commit (const char *s)
{
  if (s == NULL || strlen (s) != 40)
    return FALSE;
  for (guint i = 0; i < 40; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

gboolean
cs_model_pin_check (const CsModelPin *pin,
                    GError          **error)
{
  g_return_val_if_fail (pin != NULL, FALSE);

  if (pin->unverifiable != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s cannot be downloaded: its files cannot be verified (%s)"),
                   pin->title, pin->unverifiable);
      return FALSE;
    }
  if (pin->id == NULL || pin->id[0] == '\0' || strchr (pin->id, '/') != NULL
      || pin->id[0] == '.' || pin->repo == NULL || strchr (pin->repo, '/') == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the pin needs a plain id and an owner/name repository", pin->title);
      return FALSE;
    }
  if (!is_commit (pin->revision))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the revision “%s” is not a commit (40 hexadecimal digits)",
                   pin->title, pin->revision != NULL ? pin->revision : "");
      return FALSE;
    }
  if (pin->n_files == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: the pin has no files", pin->title);
      return FALSE;
    }
  for (guint i = 0; i < pin->n_files; i++)
    {
      const CsModelFile *f = &pin->files[i];

      if (f->name == NULL || f->name[0] == '\0' || strchr (f->name, '/') != NULL
          || g_str_equal (f->name, ".") || g_str_equal (f->name, ".."))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: file %u has no plain name", pin->title, i);
          return FALSE;
        }
      if (f->size <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: %s has no pinned size", pin->title, f->name);
          return FALSE;
        }
      if (!_cs_model_is_sha256 (f->sha256))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: %s has no pinned SHA-256", pin->title, f->name);
          return FALSE;
        }
    }
  return TRUE;
}

guint64
cs_model_pin_download_size (const CsModelPin *pin)
{
  guint64 total = 0;

  g_return_val_if_fail (pin != NULL, 0);
  for (guint i = 0; i < pin->n_files; i++)
    total += (guint64) MAX (pin->files[i].size, 0);
  return total;
}

char *
cs_model_pin_dup_url (const CsModelPin *pin)
{
  g_return_val_if_fail (pin != NULL, NULL);
  return g_strdup_printf ("https://huggingface.co/%s/resolve/%s", pin->repo, pin->revision);
}

char *
cs_model_pin_dup_dir (const CsModelPin *pin)
{
  g_return_val_if_fail (pin != NULL, NULL);
  return g_build_filename (g_get_user_data_dir (), "clipsight", "models", pin->id, NULL);
}

CsModelManager *
cs_model_manager_new_for_pin (const CsModelPin *pin)
{
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  CsModelManager *self;

  g_return_val_if_fail (pin != NULL && cs_model_pin_check (pin, NULL), NULL);
  dir = cs_model_pin_dup_dir (pin);
  url = cs_model_pin_dup_url (pin);
  self = cs_model_manager_new (dir, url);
  cs_model_manager_set_files (self, pin->files, pin->n_files);
  return self;
}

char *
cs_model_manager_dup_default_dir (void)
{
  return cs_model_pin_dup_dir (&pins[0]);
}

void
cs_model_manager_set_files (CsModelManager    *self,
                            const CsModelFile *files,
                            guint              n_files)
{
  g_return_if_fail (CS_IS_MODEL_MANAGER (self));
  g_return_if_fail (files != NULL || n_files == 0);
  for (guint i = 0; i < n_files; i++)
    {
      /* a plain name (it becomes a path in the target folder), and a pin */
      g_return_if_fail (files[i].name != NULL && files[i].name[0] != '\0');
      g_return_if_fail (strchr (files[i].name, '/') == NULL && strcmp (files[i].name, "..") != 0
                        && strcmp (files[i].name, ".") != 0);
      g_return_if_fail (_cs_model_is_sha256 (files[i].sha256));
    }

  g_clear_pointer (&self->files, g_ptr_array_unref);
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_spec_free);
  for (guint i = 0; i < n_files; i++)
    {
      FileSpec *s = g_new0 (FileSpec, 1);
      s->name = g_strdup (files[i].name);
      s->size = files[i].size;
      s->sha256 = g_ascii_strdown (files[i].sha256, -1);
      g_ptr_array_add (self->files, s);
    }
}

const char *
cs_model_manager_get_target_dir (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), NULL);
  return self->target_dir;
}

const char *
cs_model_manager_get_base_url (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), NULL);
  return self->base_url;
}

void
cs_model_manager_set_base_url (CsModelManager *self,
                               const char     *base_url)
{
  g_autofree char *trimmed = NULL;
  size_t n;

  g_return_if_fail (CS_IS_MODEL_MANAGER (self));
  /* main, the settings' first default, has no model.safetensors: it means
   * the default too */
  if (base_url == NULL || base_url[0] == '\0' || g_str_equal (base_url, FORMER_DEFAULT_URL)
      || g_str_equal (base_url, FORMER_DEFAULT_URL "/"))
    base_url = CS_MODEL_DEFAULT_URL;
  trimmed = g_strdup (base_url);
  n = strlen (trimmed);
  while (n > 0 && trimmed[n - 1] == '/')
    trimmed[--n] = '\0';
  if (g_strcmp0 (self->base_url, trimmed) == 0)
    return;
  g_free (self->base_url);
  self->base_url = g_steal_pointer (&trimmed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

CsModelState
cs_model_manager_get_state (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), CS_MODEL_STATE_ABSENT);
  return self->state;
}

guint64
cs_model_manager_get_bytes_done (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), 0);
  return self->bytes_done;
}

guint64
cs_model_manager_get_bytes_total (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), 0);
  return self->bytes_total;
}

double
cs_model_manager_get_fraction (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), 0);
  if (self->bytes_total == 0)
    return 0;
  return MIN (1.0, (double) self->bytes_done / (double) self->bytes_total);
}

const char *
cs_model_manager_get_current_file (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), NULL);
  return self->current_file;
}

const char *
cs_model_manager_get_error_message (CsModelManager *self)
{
  g_return_val_if_fail (CS_IS_MODEL_MANAGER (self), NULL);
  return self->error_message;
}

void
cs_model_manager_refresh (CsModelManager *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_MODEL_MANAGER (self));
  task = g_task_new (self, NULL, on_refresh_done_cb, GUINT_TO_POINTER (++self->refresh_serial));
  g_task_set_task_data (task, job_new (self), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, refresh_thread);
}

static void
on_download_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CsModelManager *self = CS_MODEL_MANAGER (source);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->cancellable);
  apply_progress (self);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_error_message (self, NULL);
      set_state (self, CS_MODEL_STATE_READY);
      g_task_return_boolean (outer, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_error_message (self, NULL);
      set_state (self, CS_MODEL_STATE_ABSENT);
    }
  else
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, CS_MODEL_ERROR, CS_MODEL_ERROR_OFFLINE))
        message = g_strdup (_("The model could not be downloaded: this computer seems to be "
                              "offline. Connect to the internet and try again, or choose a "
                              "model folder."));
      else if (g_error_matches (error, CS_MODEL_ERROR, CS_MODEL_ERROR_INTERRUPTED))
        message = g_strdup_printf (_("%s Try again to resume the download."), error->message);
      else if (g_error_matches (error, CS_MODEL_ERROR, CS_MODEL_ERROR_CHECKSUM))
        message = g_strdup_printf (_("%s Try again to download it afresh."), error->message);
      else
        message = g_strdup (error->message);
      set_error_message (self, message);
      set_state (self, CS_MODEL_STATE_FAILED);
    }
  g_task_return_error (outer, g_steal_pointer (&error));
}

void
cs_model_manager_download_async (CsModelManager      *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  Job *job;

  g_return_if_fail (CS_IS_MODEL_MANAGER (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cs_model_manager_download_async);
  if (self->state == CS_MODEL_STATE_DOWNLOADING)
    {
      g_task_return_new_error (outer, CS_MODEL_ERROR, CS_MODEL_ERROR_BUSY,
                               _("The model is being downloaded already"));
      return;
    }

  /* our own cancellable, chained to the caller's, so cancel() works too */
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                           g_object_ref (self->cancellable), g_object_unref);

  g_mutex_lock (&self->progress->mutex);
  self->progress->done = 0;
  self->progress->total = 0;
  g_clear_pointer (&self->progress->current, g_free);
  g_mutex_unlock (&self->progress->mutex);
  apply_progress (self);
  set_error_message (self, NULL);
  set_state (self, CS_MODEL_STATE_DOWNLOADING);

  job = job_new (self);
  inner = g_task_new (self, self->cancellable, on_download_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, download_thread);
}

gboolean
cs_model_manager_download_finish (CsModelManager *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_model_manager_cancel (CsModelManager *self)
{
  g_return_if_fail (CS_IS_MODEL_MANAGER (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

CsModelManager *
cs_model_manager_get_for_pin (const CsModelPin *pin,
                              CsModelManager   *default_manager)
{
  static GHashTable *managers;
  CsModelManager *manager;

  if (pin == cs_model_pins (NULL))
    return default_manager;
  if (!cs_model_pin_check (pin, NULL))
    return NULL;
  if (managers == NULL)
    managers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  manager = g_hash_table_lookup (managers, pin->id);
  if (manager == NULL)
    {
      manager = cs_model_manager_new_for_pin (pin);
      g_hash_table_insert (managers, (gpointer) pin->id, manager);
      cs_model_manager_refresh (manager);
    }
  return manager;
}

gboolean
cs_model_pin_is_current (const CsModelPin *pin,
                         const char       *dir)
{
  g_autofree char *own = NULL;
  g_autofree char *bundled = NULL;

  if (dir == NULL)
    return FALSE;
  own = cs_model_pin_dup_dir (pin);
  bundled = g_build_filename (DATADIR, "clipsight", "models", pin->id, NULL);
  return g_str_equal (dir, own) || g_str_equal (dir, bundled);
}
