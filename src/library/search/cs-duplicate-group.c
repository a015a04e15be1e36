/* cs-duplicate-group.c - photos that are copies or near-copies of each
 * other.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-enums.h"
#include "cs-library-private.h"

struct _CsDuplicateGroup
{
  GObject          parent_instance;

  CsDuplicateKind  kind;
  CsPhotoList     *photos;
  double           similarity;
  char            *keeper_reason;
  guint           *copy_of;   /* per photo */
  guint            n;
};

G_DEFINE_FINAL_TYPE (CsDuplicateGroup, cs_duplicate_group, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_PHOTOS,
  PROP_KEEPER,
  PROP_SIMILARITY,
  PROP_KEEPER_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_duplicate_group_dispose (GObject *object)
{
  CsDuplicateGroup *self = CS_DUPLICATE_GROUP (object);

  g_clear_object (&self->photos);
  G_OBJECT_CLASS (cs_duplicate_group_parent_class)->dispose (object);
}

static void
cs_duplicate_group_finalize (GObject *object)
{
  CsDuplicateGroup *self = CS_DUPLICATE_GROUP (object);

  g_clear_pointer (&self->keeper_reason, g_free);
  g_clear_pointer (&self->copy_of, g_free);
  G_OBJECT_CLASS (cs_duplicate_group_parent_class)->finalize (object);
}

static void
cs_duplicate_group_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CsDuplicateGroup *self = CS_DUPLICATE_GROUP (object);

  switch (prop_id)
    {
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_PHOTOS: g_value_set_object (value, self->photos); break;
    case PROP_KEEPER: g_value_set_object (value, cs_duplicate_group_get_keeper (self)); break;
    case PROP_SIMILARITY: g_value_set_double (value, self->similarity); break;
    case PROP_KEEPER_REASON: g_value_set_string (value, self->keeper_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_duplicate_group_class_init (CsDuplicateGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cs_duplicate_group_dispose;
  object_class->finalize = cs_duplicate_group_finalize;
  object_class->get_property = cs_duplicate_group_get_property;

  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, CS_TYPE_DUPLICATE_KIND,
                                             CS_DUPLICATE_EXACT, ro);
  properties[PROP_PHOTOS] = g_param_spec_object ("photos", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_KEEPER] = g_param_spec_object ("keeper", NULL, NULL, CS_TYPE_PHOTO, ro);
  properties[PROP_SIMILARITY] = g_param_spec_double ("similarity", NULL, NULL, -1.0, 1.0, 1.0, ro);
  properties[PROP_KEEPER_REASON] = g_param_spec_string ("keeper-reason", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_duplicate_group_init (CsDuplicateGroup *self)
{
}

CsDuplicateGroup *
_cs_duplicate_group_new (CsDuplicateKind  kind,
                         CsPhotoList     *photos,
                         double           similarity,
                         const char      *keeper_reason,
                         const guint     *copy_of)
{
  CsDuplicateGroup *self = g_object_new (CS_TYPE_DUPLICATE_GROUP, NULL);

  self->n = g_list_model_get_n_items (G_LIST_MODEL (photos));
  self->copy_of = g_new (guint, MAX (self->n, 1));
  for (guint i = 0; i < self->n; i++)
    self->copy_of[i] = copy_of != NULL ? copy_of[i] : i;

  self->kind = kind;
  self->photos = g_object_ref (photos);
  self->similarity = CLAMP (similarity, -1.0, 1.0);
  self->keeper_reason = g_strdup (keeper_reason);
  return self;
}

CsDuplicateKind
cs_duplicate_group_get_kind (CsDuplicateGroup *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), CS_DUPLICATE_EXACT);
  return self->kind;
}

GListModel *
cs_duplicate_group_get_photos (CsDuplicateGroup *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), NULL);
  return G_LIST_MODEL (self->photos);
}

CsPhoto *
cs_duplicate_group_get_keeper (CsDuplicateGroup *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), NULL);
  return cs_photo_list_get_photo (self->photos, 0);
}

double
cs_duplicate_group_get_similarity (CsDuplicateGroup *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), 0.0);
  return self->similarity;
}

const char *
cs_duplicate_group_get_keeper_reason (CsDuplicateGroup *self)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), NULL);
  return self->keeper_reason;
}

guint
cs_duplicate_group_get_copy_of (CsDuplicateGroup *self,
                                guint             position)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), position);
  g_return_val_if_fail (position < self->n, position);
  return self->copy_of[position];
}

gboolean
cs_duplicate_group_is_exact_copy (CsDuplicateGroup *self,
                                  guint             position)
{
  g_return_val_if_fail (CS_IS_DUPLICATE_GROUP (self), FALSE);
  g_return_val_if_fail (position < self->n, FALSE);
  if (self->copy_of[position] != position)
    return TRUE;
  for (guint i = position + 1; i < self->n; i++)
    if (self->copy_of[i] == position)
      return TRUE;
  return FALSE;
}
