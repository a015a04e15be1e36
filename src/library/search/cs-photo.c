/* cs-photo.c - one photo of the library, as the items of result lists.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-private.h"

struct _CsPhoto
{
  GObject   parent_instance;

  gint64    id;
  char     *path;
  char     *display_name;
  char     *folder;
  char     *hash;
  gint64    taken;
  CsPhotoDateSource date_source;
  gint64    size;
  int       width;
  int       height;
  double    score;
  double    probability;
  gboolean  accepted;
  int       verdict;
};

G_DEFINE_FINAL_TYPE (CsPhoto, cs_photo, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PATH,
  PROP_DISPLAY_NAME,
  PROP_FOLDER,
  PROP_HASH,
  PROP_TAKEN,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_SIZE,
  PROP_SCORE,
  PROP_ACCEPTED,
  PROP_PROBABILITY,
  PROP_VERDICT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_photo_finalize (GObject *object)
{
  CsPhoto *self = CS_PHOTO (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->hash, g_free);
  G_OBJECT_CLASS (cs_photo_parent_class)->finalize (object);
}

static void
cs_photo_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsPhoto *self = CS_PHOTO (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, self->display_name); break;
    case PROP_FOLDER: g_value_set_string (value, self->folder); break;
    case PROP_HASH: g_value_set_string (value, self->hash); break;
    case PROP_TAKEN: g_value_set_int64 (value, self->taken); break;
    case PROP_WIDTH: g_value_set_int (value, self->width); break;
    case PROP_HEIGHT: g_value_set_int (value, self->height); break;
    case PROP_SIZE: g_value_set_int64 (value, self->size); break;
    case PROP_SCORE: g_value_set_double (value, self->score); break;
    case PROP_ACCEPTED: g_value_set_boolean (value, self->accepted); break;
    case PROP_PROBABILITY: g_value_set_double (value, self->probability); break;
    case PROP_VERDICT: g_value_set_int (value, self->verdict); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_class_init (CsPhotoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cs_photo_finalize;
  object_class->get_property = cs_photo_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /* filename encoding, not necessarily UTF-8 */
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_FOLDER] = g_param_spec_string ("folder", NULL, NULL, NULL, ro);
  properties[PROP_HASH] = g_param_spec_string ("hash", NULL, NULL, NULL, ro);
  properties[PROP_TAKEN] = g_param_spec_int64 ("taken", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_WIDTH] = g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_HEIGHT] = g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SCORE] = g_param_spec_double ("score", NULL, NULL, -1.0, 1.0, 0.0, ro);
  properties[PROP_ACCEPTED] = g_param_spec_boolean ("accepted", NULL, NULL, FALSE, ro);
  properties[PROP_PROBABILITY] = g_param_spec_double ("probability", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_VERDICT] = g_param_spec_int ("verdict", NULL, NULL, -1, 1, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_photo_init (CsPhoto *self)
{
}

CsPhoto *
_cs_photo_new (const CsPhotoMeta *meta,
               double             score,
               gboolean           accepted,
               double             probability,
               int                verdict)
{
  CsPhoto *self = g_object_new (CS_TYPE_PHOTO, NULL);
  g_autofree char *dir = g_path_get_dirname (meta->path);

  self->id = meta->id;
  self->path = g_strdup (meta->path);
  self->display_name = g_filename_display_basename (meta->path);
  self->folder = g_filename_display_name (dir);
  self->hash = g_strdup (meta->hash);
  self->taken = meta->taken;
  self->date_source = meta->taken_source == CS_STORE_TAKEN_CAPTURE ? CS_PHOTO_DATE_CAPTURE
                      : meta->taken_source == CS_STORE_TAKEN_FILE ? CS_PHOTO_DATE_FILE
                      : CS_PHOTO_DATE_UNKNOWN;
  self->size = MAX (meta->size, 0);
  self->width = MAX (meta->width, 0);
  self->height = MAX (meta->height, 0);
  self->score = CLAMP (score, -1.0, 1.0);
  self->accepted = accepted;
  self->probability = CLAMP (probability, 0.0, 1.0);
  self->verdict = CLAMP (verdict, -1, 1);
  return self;
}

gint64
cs_photo_get_id (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->id;
}

const char *
cs_photo_get_path (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), NULL);
  return self->path;
}

const char *
cs_photo_get_display_name (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), NULL);
  return self->display_name;
}

const char *
cs_photo_get_folder (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), NULL);
  return self->folder;
}

GFile *
cs_photo_dup_file (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), NULL);
  return g_file_new_for_path (self->path);
}

gint64
cs_photo_get_taken (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->taken;
}

CsPhotoDateSource
cs_photo_get_date_source (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), CS_PHOTO_DATE_UNKNOWN);
  return self->date_source;
}

int
cs_photo_get_width (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->width;
}

int
cs_photo_get_height (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->height;
}

gint64
cs_photo_get_size (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->size;
}

const char *
cs_photo_get_hash (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), NULL);
  return self->hash;
}

double
cs_photo_get_score (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0.0);
  return self->score;
}

gboolean
cs_photo_get_accepted (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), FALSE);
  return self->accepted;
}

double
cs_photo_get_probability (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0.0);
  return self->probability;
}

int
cs_photo_get_verdict (CsPhoto *self)
{
  g_return_val_if_fail (CS_IS_PHOTO (self), 0);
  return self->verdict;
}
