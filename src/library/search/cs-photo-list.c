/* cs-photo-list.c - an immutable, lazily materialised list of photos.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list keeps a reference to the index snapshot it was made from (the
 * snapshot shares its segments with the library's current one, so this
 * costs little) and 16 bytes per item; it makes each CsPhoto when it is
 * asked for and remembers it only through a weak reference.  A grid
 * scrolling through 100,000 results so holds the photos of the rows on
 * screen, not 100,000 objects: those it let go are freed, and made again
 * if it comes back to them.  cs_photo_list_get_photo() hands out borrowed
 * photos, so the ones it makes are kept (pinned) until the list goes.
 */
#define G_LOG_DOMAIN "cs-library"

#include "config.h"

#include "cs-library-private.h"

struct _CsPhotoList
{
  GObject          parent_instance;

  CsVectorIndex   *index;
  CsPhotoListItem *items;
  GWeakRef        *made;     /* n: the photo of each position while it lives */
  guint8          *used;     /* bitmap of the weak references ever set */
  CsPhoto        **pinned;   /* NULL or n: photos lent by cs_photo_list_get_photo */
  guint            n;
  guint            n_matched;
  guint            n_accepted;
  double           cutoff;
  CsQuery         *query;
};

static void cs_photo_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsPhotoList, cs_photo_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cs_photo_list_model_init))

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_N_MATCHED,
  PROP_N_ACCEPTED,
  PROP_CUTOFF,
  PROP_QUERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cs_photo_list_get_item_type (GListModel *model)
{
  return CS_TYPE_PHOTO;
}

static guint
cs_photo_list_model_get_n_items (GListModel *model)
{
  return CS_PHOTO_LIST (model)->n;
}

/* The photo at `position` (a new reference): the one made before if it is
 * still alive, else a new one. */
static gpointer
cs_photo_list_get_item (GListModel *model,
                        guint       position)
{
  CsPhotoList *self = CS_PHOTO_LIST (model);
  const CsPhotoListItem *it;
  CsPhotoMeta meta;
  CsPhoto *photo;

  if (position >= self->n)
    return NULL;
  if (self->pinned != NULL && self->pinned[position] != NULL)
    return g_object_ref (self->pinned[position]);
  photo = g_weak_ref_get (&self->made[position]);
  if (photo != NULL)
    return photo;

  it = &self->items[position];
  _cs_vector_index_meta (self->index, it->row, &meta);
  photo = _cs_photo_new (&meta, it->score, it->accepted, it->probability, it->verdict);
  g_weak_ref_set (&self->made[position], photo);
  self->used[position >> 3] |= (guint8) (1u << (position & 7));
  return photo;
}

static void
cs_photo_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_photo_list_get_item_type;
  iface->get_n_items = cs_photo_list_model_get_n_items;
  iface->get_item = cs_photo_list_get_item;
}

static void
cs_photo_list_dispose (GObject *object)
{
  CsPhotoList *self = CS_PHOTO_LIST (object);

  g_clear_object (&self->query);
  G_OBJECT_CLASS (cs_photo_list_parent_class)->dispose (object);
}

static void
cs_photo_list_finalize (GObject *object)
{
  CsPhotoList *self = CS_PHOTO_LIST (object);

  for (guint i = 0; self->pinned != NULL && i < self->n; i++)
    g_clear_object (&self->pinned[i]);
  g_clear_pointer (&self->pinned, g_free);
  for (guint i = 0; self->made != NULL && i < self->n; i++)
    if (self->used[i >> 3] & (1u << (i & 7)))
      g_weak_ref_clear (&self->made[i]);
  g_clear_pointer (&self->made, g_free);
  g_clear_pointer (&self->used, g_free);
  g_clear_pointer (&self->items, g_free);
  g_clear_pointer (&self->index, _cs_vector_index_unref);
  G_OBJECT_CLASS (cs_photo_list_parent_class)->finalize (object);
}

static void
cs_photo_list_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsPhotoList *self = CS_PHOTO_LIST (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE: g_value_set_gtype (value, CS_TYPE_PHOTO); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->n); break;
    case PROP_N_MATCHED: g_value_set_uint (value, self->n_matched); break;
    case PROP_N_ACCEPTED: g_value_set_uint (value, self->n_accepted); break;
    case PROP_CUTOFF: g_value_set_double (value, self->cutoff); break;
    case PROP_QUERY: g_value_set_object (value, self->query); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_photo_list_class_init (CsPhotoListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cs_photo_list_dispose;
  object_class->finalize = cs_photo_list_finalize;
  object_class->get_property = cs_photo_list_get_property;

  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_MATCHED] = g_param_spec_uint ("n-matched", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ACCEPTED] = g_param_spec_uint ("n-accepted", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_CUTOFF] = g_param_spec_double ("cutoff", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_QUERY] = g_param_spec_object ("query", NULL, NULL, CS_TYPE_QUERY, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_photo_list_init (CsPhotoList *self)
{
}

CsPhotoList *
_cs_photo_list_new (CsVectorIndex         *index,
                    const CsPhotoListItem *items,
                    guint                  n,
                    guint                  n_matched,
                    guint                  n_accepted,
                    double                 cutoff,
                    CsQuery               *query)
{
  CsPhotoList *self = g_object_new (CS_TYPE_PHOTO_LIST, NULL);

  self->index = index != NULL ? _cs_vector_index_ref (index) : NULL;
  self->n = index != NULL ? n : 0;
  self->items = g_memdup2 (items, sizeof (CsPhotoListItem) * self->n);
  /* zeroed weak references are valid empty ones */
  self->made = g_new0 (GWeakRef, MAX (self->n, 1));
  self->used = g_new0 (guint8, self->n / 8 + 1);
  self->n_matched = n_matched;
  self->n_accepted = n_accepted;
  self->cutoff = cutoff;
  self->query = query != NULL ? g_object_ref (query) : NULL;
  return self;
}

guint
cs_photo_list_get_n_items (CsPhotoList *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), 0);
  return self->n;
}

CsPhoto *
cs_photo_list_get_photo (CsPhotoList *self,
                         guint        position)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), NULL);

  if (position >= self->n)
    return NULL;
  if (self->pinned == NULL)
    self->pinned = g_new0 (CsPhoto *, self->n);
  if (self->pinned[position] == NULL)
    self->pinned[position] = cs_photo_list_get_item (G_LIST_MODEL (self), position);
  return self->pinned[position];
}

guint
cs_photo_list_get_n_matched (CsPhotoList *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), 0);
  return self->n_matched;
}

guint
cs_photo_list_get_n_accepted (CsPhotoList *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), 0);
  return self->n_accepted;
}

double
cs_photo_list_get_cutoff (CsPhotoList *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), 0.0);
  return self->cutoff;
}

CsQuery *
cs_photo_list_get_query (CsPhotoList *self)
{
  g_return_val_if_fail (CS_IS_PHOTO_LIST (self), NULL);
  return self->query;
}
