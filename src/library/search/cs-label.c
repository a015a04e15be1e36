/* cs-label.c - a zero-shot label ("auto-organised album").
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-private.h"

struct _CsLabel
{
  GObject   parent_instance;

  gint64    id;
  char     *name;
  char    **prompts;
  double    threshold;
  guint     count;
  guint     n_confirmed;
  guint     n_rejected;
};

G_DEFINE_FINAL_TYPE (CsLabel, cs_label, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PROMPTS,
  PROP_THRESHOLD,
  PROP_COUNT,
  PROP_N_CONFIRMED,
  PROP_N_REJECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_label_finalize (GObject *object)
{
  CsLabel *self = CS_LABEL (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->prompts, g_strfreev);
  G_OBJECT_CLASS (cs_label_parent_class)->finalize (object);
}

static void
cs_label_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsLabel *self = CS_LABEL (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_PROMPTS: g_value_set_boxed (value, self->prompts); break;
    case PROP_THRESHOLD: g_value_set_double (value, self->threshold); break;
    case PROP_COUNT: g_value_set_uint (value, self->count); break;
    case PROP_N_CONFIRMED: g_value_set_uint (value, self->n_confirmed); break;
    case PROP_N_REJECTED: g_value_set_uint (value, self->n_rejected); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_label_class_init (CsLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cs_label_finalize;
  object_class->get_property = cs_label_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_PROMPTS] = g_param_spec_boxed ("prompts", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_THRESHOLD] = g_param_spec_double ("threshold", NULL, NULL, 0.0, 1.0, 0.5, ro);
  properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_CONFIRMED] = g_param_spec_uint ("n-confirmed", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_REJECTED] = g_param_spec_uint ("n-rejected", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_label_init (CsLabel *self)
{
}

CsLabel *
_cs_label_new (gint64              id,
               const char         *name,
               const char * const *prompts,
               double              threshold)
{
  CsLabel *self = g_object_new (CS_TYPE_LABEL, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->prompts = g_strdupv ((char **) prompts);
  if (self->prompts == NULL)
    self->prompts = g_new0 (char *, 1);
  self->threshold = threshold;
  return self;
}

void
_cs_label_set_name (CsLabel    *self,
                    const char *name)
{
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

void
_cs_label_set_prompts (CsLabel            *self,
                       const char * const *prompts)
{
  if (prompts != NULL && g_strv_equal ((const char * const *) self->prompts, prompts))
    return;
  g_strfreev (self->prompts);
  self->prompts = prompts != NULL ? g_strdupv ((char **) prompts) : g_new0 (char *, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROMPTS]);
}

void
_cs_label_set_threshold (CsLabel *self,
                         double   threshold)
{
  if (self->threshold == threshold)
    return;
  self->threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

void
_cs_label_set_counts (CsLabel *self,
                      guint    count,
                      guint    n_confirmed,
                      guint    n_rejected)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->count != count)
    {
      self->count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
    }
  if (self->n_confirmed != n_confirmed)
    {
      self->n_confirmed = n_confirmed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONFIRMED]);
    }
  if (self->n_rejected != n_rejected)
    {
      self->n_rejected = n_rejected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_REJECTED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
cs_label_get_id (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), 0);
  return self->id;
}

const char *
cs_label_get_name (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), NULL);
  return self->name;
}

const char * const *
cs_label_get_prompts (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), NULL);
  return (const char * const *) self->prompts;
}

double
cs_label_get_threshold (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), 0.0);
  return self->threshold;
}

guint
cs_label_get_count (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), 0);
  return self->count;
}

guint
cs_label_get_n_confirmed (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), 0);
  return self->n_confirmed;
}

guint
cs_label_get_n_rejected (CsLabel *self)
{
  g_return_val_if_fail (CS_IS_LABEL (self), 0);
  return self->n_rejected;
}
