/* cs-query.c - what to search for, and how.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-library-enums.h"
#include "cs-library.h"
#include "cs-library-private.h"

#define DEFAULT_LIMIT 200

struct _CsQuery
{
  GObject      parent_instance;

  char        *text;
  char        *image_path;
  double       image_weight;
  gint64       similar_to;
  char        *folder;
  gint64       after;
  gint64       before;
  double       strictness;
  CsSortOrder  sort;
  guint        limit;
  gboolean     accepted_only;
  gboolean     all;
};

G_DEFINE_FINAL_TYPE (CsQuery, cs_query, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_IMAGE_PATH,
  PROP_IMAGE_WEIGHT,
  PROP_SIMILAR_TO,
  PROP_FOLDER,
  PROP_AFTER,
  PROP_BEFORE,
  PROP_STRICTNESS,
  PROP_SORT,
  PROP_LIMIT,
  PROP_ACCEPTED_ONLY,
  PROP_ALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------ parsing */

void
cs_query_term_free (CsQueryTerm *term)
{
  if (term == NULL)
    return;
  g_free (term->text);
  g_free (term);
}

/* An operator: '+' or '-' with white space (or the text's edge) on both
 * sides, or at the very start of the text. */
static gboolean
is_operator (const char *text,
             const char *p)
{
  if (*p != '+' && *p != '-')
    return FALSE;
  if (p == text)
    return TRUE;
  return g_ascii_isspace (p[-1]) && (p[1] == '\0' || g_ascii_isspace (p[1]));
}

/* Adds the term between `start` and `end`; FALSE with `error` set when its
 * weight prefix is a number that is not a usable weight (infinite, or
 * beyond CS_QUERY_MAX_WEIGHT: "1e999:cat" would make every score
 * infinite or NaN). */
static gboolean
add_term (GPtrArray   *terms,
          const char  *start,
          const char  *end,
          double       sign,
          GError     **error)
{
  g_autofree char *raw = g_strndup (start, end - start);
  char *text = g_strstrip (raw);
  double weight = 1.0;
  char *num_end = NULL;

  /* "N:" weight prefix */
  if (g_ascii_isdigit (text[0]) || (text[0] == '.' && g_ascii_isdigit (text[1])))
    {
      double w = g_ascii_strtod (text, &num_end);
      if (num_end != NULL && *num_end == ':' && w >= 0)
        {
          if (!isfinite (w) || w > CS_QUERY_MAX_WEIGHT)
            {
              g_autofree char *number = g_strndup (text, num_end - text);
              g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_INVALID,
                           "query weight %s is out of range (0 to %g)",
                           number, (double) CS_QUERY_MAX_WEIGHT);
              return FALSE;
            }
          weight = w;
          text = g_strstrip (num_end + 1);
        }
    }
  if (*text == '\0' || weight == 0.0)
    return TRUE;

  CsQueryTerm *term = g_new0 (CsQueryTerm, 1);
  term->text = g_strdup (text);
  term->weight = sign * weight;
  g_ptr_array_add (terms, term);
  return TRUE;
}

GPtrArray *
cs_query_parse_terms (const char  *text,
                      GError     **error)
{
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_query_term_free);
  const char *start, *p;
  double sign = 1.0;

  if (text == NULL)
    return g_steal_pointer (&terms);
  while (g_ascii_isspace (*text))
    text++;
  start = text;
  for (p = text; *p != '\0'; p++)
    if (is_operator (text, p))
      {
        if (!add_term (terms, start, p, sign, error))
          return NULL;
        sign = *p == '-' ? -1.0 : 1.0;
        start = p + 1;
      }
  if (!add_term (terms, start, p, sign, error))
    return NULL;
  return g_steal_pointer (&terms);
}

/* ---------------------------------------------------------- snapshot */

CsQueryData *
_cs_query_data_new (CsQuery *query)
{
  CsQueryData *d = g_new0 (CsQueryData, 1);

  d->text = g_strdup (query->text);
  d->image_path = g_strdup (query->image_path);
  d->image_weight = query->image_weight;
  d->similar_to = query->similar_to;
  d->folder = g_strdup (query->folder);
  d->after = query->after;
  d->before = query->before;
  d->strictness = query->strictness;
  d->sort = query->sort;
  d->limit = query->limit;
  d->accepted_only = query->accepted_only;
  d->all = query->all;
  return d;
}

void
_cs_query_data_free (CsQueryData *data)
{
  if (data == NULL)
    return;
  g_free (data->text);
  g_free (data->image_path);
  g_free (data->folder);
  g_free (data);
}

/* ----------------------------------------------------------- GObject */

static void
cs_query_finalize (GObject *object)
{
  CsQuery *self = CS_QUERY (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->image_path, g_free);
  g_clear_pointer (&self->folder, g_free);
  G_OBJECT_CLASS (cs_query_parent_class)->finalize (object);
}

static void
cs_query_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CsQuery *self = CS_QUERY (object);

  switch (prop_id)
    {
    case PROP_TEXT: g_value_set_string (value, self->text); break;
    case PROP_IMAGE_PATH: g_value_set_string (value, self->image_path); break;
    case PROP_IMAGE_WEIGHT: g_value_set_double (value, self->image_weight); break;
    case PROP_SIMILAR_TO: g_value_set_int64 (value, self->similar_to); break;
    case PROP_FOLDER: g_value_set_string (value, self->folder); break;
    case PROP_AFTER: g_value_set_int64 (value, self->after); break;
    case PROP_BEFORE: g_value_set_int64 (value, self->before); break;
    case PROP_STRICTNESS: g_value_set_double (value, self->strictness); break;
    case PROP_SORT: g_value_set_enum (value, self->sort); break;
    case PROP_LIMIT: g_value_set_uint (value, self->limit); break;
    case PROP_ACCEPTED_ONLY: g_value_set_boolean (value, self->accepted_only); break;
    case PROP_ALL: g_value_set_boolean (value, self->all); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_query_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CsQuery *self = CS_QUERY (object);

  switch (prop_id)
    {
    case PROP_TEXT: cs_query_set_text (self, g_value_get_string (value)); break;
    case PROP_IMAGE_PATH: cs_query_set_image_path (self, g_value_get_string (value)); break;
    case PROP_IMAGE_WEIGHT: cs_query_set_image_weight (self, g_value_get_double (value)); break;
    case PROP_SIMILAR_TO: cs_query_set_similar_to (self, g_value_get_int64 (value)); break;
    case PROP_FOLDER: cs_query_set_folder (self, g_value_get_string (value)); break;
    case PROP_AFTER: cs_query_set_after (self, g_value_get_int64 (value)); break;
    case PROP_BEFORE: cs_query_set_before (self, g_value_get_int64 (value)); break;
    case PROP_STRICTNESS: cs_query_set_strictness (self, g_value_get_double (value)); break;
    case PROP_SORT: cs_query_set_sort (self, g_value_get_enum (value)); break;
    case PROP_LIMIT: cs_query_set_limit (self, g_value_get_uint (value)); break;
    case PROP_ACCEPTED_ONLY: cs_query_set_accepted_only (self, g_value_get_boolean (value)); break;
    case PROP_ALL: cs_query_set_all (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_query_class_init (CsQueryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cs_query_finalize;
  object_class->get_property = cs_query_get_property;
  object_class->set_property = cs_query_set_property;

  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, rw);
  properties[PROP_IMAGE_PATH] = g_param_spec_string ("image-path", NULL, NULL, NULL, rw);
  properties[PROP_IMAGE_WEIGHT] = g_param_spec_double ("image-weight", NULL, NULL, -CS_QUERY_MAX_WEIGHT,
                                                       CS_QUERY_MAX_WEIGHT, 1.0, rw);
  properties[PROP_SIMILAR_TO] = g_param_spec_int64 ("similar-to", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_FOLDER] = g_param_spec_string ("folder", NULL, NULL, NULL, rw);
  properties[PROP_AFTER] = g_param_spec_int64 ("after", NULL, NULL, G_MININT64, G_MAXINT64, G_MININT64, rw);
  properties[PROP_BEFORE] = g_param_spec_int64 ("before", NULL, NULL, G_MININT64, G_MAXINT64, G_MAXINT64, rw);
  properties[PROP_STRICTNESS] = g_param_spec_double ("strictness", NULL, NULL, -1.0, 1.0, 0.0, rw);
  properties[PROP_SORT] = g_param_spec_enum ("sort", NULL, NULL, CS_TYPE_SORT_ORDER, CS_SORT_RELEVANCE, rw);
  properties[PROP_LIMIT] = g_param_spec_uint ("limit", NULL, NULL, 0, G_MAXUINT, DEFAULT_LIMIT, rw);
  properties[PROP_ACCEPTED_ONLY] = g_param_spec_boolean ("accepted-only", NULL, NULL, FALSE, rw);
  properties[PROP_ALL] = g_param_spec_boolean ("all", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_query_init (CsQuery *self)
{
  self->image_weight = 1.0;
  self->after = G_MININT64;
  self->before = G_MAXINT64;
  self->limit = DEFAULT_LIMIT;
}

/* ---------------------------------------------------------------- API */

CsQuery *
cs_query_new (const char *text)
{
  return g_object_new (CS_TYPE_QUERY, "text", text, NULL);
}

CsQuery *
cs_query_new_similar (gint64 photo_id)
{
  return g_object_new (CS_TYPE_QUERY, "similar-to", photo_id, NULL);
}

CsQuery *
cs_query_copy (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), NULL);

  return g_object_new (CS_TYPE_QUERY,
                       "text", self->text,
                       "image-path", self->image_path,
                       "image-weight", self->image_weight,
                       "similar-to", self->similar_to,
                       "folder", self->folder,
                       "after", self->after,
                       "before", self->before,
                       "strictness", self->strictness,
                       "sort", self->sort,
                       "limit", self->limit,
                       "accepted-only", self->accepted_only,
                       "all", self->all,
                       NULL);
}

static void
set_string (CsQuery     *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

const char *
cs_query_get_text (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), NULL);
  return self->text;
}

void
cs_query_set_text (CsQuery    *self,
                   const char *text)
{
  g_return_if_fail (CS_IS_QUERY (self));
  set_string (self, &self->text, text, PROP_TEXT);
}

const char *
cs_query_get_image_path (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), NULL);
  return self->image_path;
}

void
cs_query_set_image_path (CsQuery    *self,
                         const char *path)
{
  g_return_if_fail (CS_IS_QUERY (self));
  set_string (self, &self->image_path, path, PROP_IMAGE_PATH);
}

double
cs_query_get_image_weight (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), 0.0);
  return self->image_weight;
}

void
cs_query_set_image_weight (CsQuery *self,
                           double   weight)
{
  g_return_if_fail (CS_IS_QUERY (self));
  /* the property's bounds, for callers of this function too: an infinite
   * weight would make every score NaN */
  g_return_if_fail (isfinite (weight) && fabs (weight) <= CS_QUERY_MAX_WEIGHT);
  if (self->image_weight == weight)
    return;
  self->image_weight = weight;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_WEIGHT]);
}

gint64
cs_query_get_similar_to (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), 0);
  return self->similar_to;
}

void
cs_query_set_similar_to (CsQuery *self,
                         gint64   photo_id)
{
  g_return_if_fail (CS_IS_QUERY (self));
  g_return_if_fail (photo_id >= 0);
  if (self->similar_to == photo_id)
    return;
  self->similar_to = photo_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIMILAR_TO]);
}

const char *
cs_query_get_folder (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), NULL);
  return self->folder;
}

void
cs_query_set_folder (CsQuery    *self,
                     const char *folder)
{
  g_return_if_fail (CS_IS_QUERY (self));
  set_string (self, &self->folder, folder, PROP_FOLDER);
}

gint64
cs_query_get_after (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), G_MININT64);
  return self->after;
}

void
cs_query_set_after (CsQuery *self,
                    gint64   unix_seconds)
{
  g_return_if_fail (CS_IS_QUERY (self));
  if (self->after == unix_seconds)
    return;
  self->after = unix_seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AFTER]);
}

gint64
cs_query_get_before (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), G_MAXINT64);
  return self->before;
}

void
cs_query_set_before (CsQuery *self,
                     gint64   unix_seconds)
{
  g_return_if_fail (CS_IS_QUERY (self));
  if (self->before == unix_seconds)
    return;
  self->before = unix_seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEFORE]);
}

double
cs_query_get_strictness (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), 0.0);
  return self->strictness;
}

void
cs_query_set_strictness (CsQuery *self,
                         double   strictness)
{
  g_return_if_fail (CS_IS_QUERY (self));
  strictness = CLAMP (strictness, -1.0, 1.0);
  if (self->strictness == strictness)
    return;
  self->strictness = strictness;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRICTNESS]);
}

CsSortOrder
cs_query_get_sort (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), CS_SORT_RELEVANCE);
  return self->sort;
}

void
cs_query_set_sort (CsQuery     *self,
                   CsSortOrder  sort)
{
  g_return_if_fail (CS_IS_QUERY (self));
  if (self->sort == sort)
    return;
  self->sort = sort;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT]);
}

guint
cs_query_get_limit (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), 0);
  return self->limit;
}

void
cs_query_set_limit (CsQuery *self,
                    guint    limit)
{
  g_return_if_fail (CS_IS_QUERY (self));
  if (self->limit == limit)
    return;
  self->limit = limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
}

gboolean
cs_query_get_accepted_only (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), FALSE);
  return self->accepted_only;
}

void
cs_query_set_accepted_only (CsQuery  *self,
                            gboolean  accepted_only)
{
  g_return_if_fail (CS_IS_QUERY (self));
  accepted_only = !!accepted_only;
  if (self->accepted_only == accepted_only)
    return;
  self->accepted_only = accepted_only;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPTED_ONLY]);
}

CsQuery *
cs_query_new_all (void)
{
  return g_object_new (CS_TYPE_QUERY, "all", TRUE, "sort", CS_SORT_DATE, "limit", 0, NULL);
}

gboolean
cs_query_get_all (CsQuery *self)
{
  g_return_val_if_fail (CS_IS_QUERY (self), FALSE);
  return self->all;
}

void
cs_query_set_all (CsQuery  *self,
                  gboolean  all)
{
  g_return_if_fail (CS_IS_QUERY (self));
  all = !!all;
  if (self->all == all)
    return;
  self->all = all;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALL]);
}
