/* cs-xmp.c - XMP sidecars that name an album.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The merger parses the sidecar twice with GMarkup: the first pass finds
 * which of the two properties exist and whether they already hold the
 * keyword, the second writes the document back event by event, adding
 * what the first found missing.  Two passes because a property may sit in
 * any of several rdf:Description elements, and the place to add a missing
 * one (the end of the first Description) comes before the others.
 * Writing back re-escapes what GMarkup unescaped: the document means the
 * same, though entities and quotes may be spelt differently.
 */
#define G_LOG_DOMAIN "cs-xmp"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "cs-xmp.h"

#define NS_RDF     "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC      "http://purl.org/dc/elements/1.1/"
#define NS_DIGIKAM "http://www.digikam.org/ns/1.0/"

#define UTF8_BOM "\xef\xbb\xbf"

char *
cs_xmp_keyword (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name != NULL ? name : "", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* XML 1.0's Char production: not even &#x1; may stand for these */
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
        continue;
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

/* Escapes for element content (`in_attribute` FALSE) or a double-quoted
 * attribute value, where a literal tab or newline would be read back as
 * a space. */
static void
append_escaped (GString    *out,
                const char *text,
                gboolean    in_attribute)
{
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&apos;"); break;
      /* a parser turns a literal CR (and CR LF) into LF */
      case '\r': g_string_append (out, "&#xD;"); break;
      case '\n': g_string_append (out, in_attribute ? "&#xA;" : "\n"); break;
      case '\t': g_string_append (out, in_attribute ? "&#x9;" : "\t"); break;
      default: g_string_append_c (out, *p); break;
      }
}

char *
cs_xmp_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, text, FALSE);
  return g_string_free (out, FALSE);
}

char *
cs_xmp_new_sidecar (const char *keyword)
{
  GString *out = g_string_new (NULL);

  g_string_append (out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Clipsight\">\n"
                   " <rdf:RDF xmlns:rdf=\"" NS_RDF "\">\n"
                   "  <rdf:Description rdf:about=\"\"\n"
                   "    xmlns:dc=\"" NS_DC "\"\n"
                   "    xmlns:digiKam=\"" NS_DIGIKAM "\">\n"
                   "   <dc:subject>\n"
                   "    <rdf:Bag>\n"
                   "     <rdf:li>");
  append_escaped (out, keyword, FALSE);
  g_string_append (out,
                   "</rdf:li>\n"
                   "    </rdf:Bag>\n"
                   "   </dc:subject>\n"
                   "   <digiKam:TagsList>\n"
                   "    <rdf:Seq>\n"
                   "     <rdf:li>");
  append_escaped (out, keyword, FALSE);
  g_string_append (out,
                   "</rdf:li>\n"
                   "    </rdf:Seq>\n"
                   "   </digiKam:TagsList>\n"
                   "  </rdf:Description>\n"
                   " </rdf:RDF>\n"
                   "</x:xmpmeta>\n");
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ merging */

typedef enum {
  KIND_OTHER,
  KIND_RDF,          /* rdf:RDF */
  KIND_DESCRIPTION,  /* rdf:Description in rdf:RDF */
  KIND_SUBJECT,      /* dc:subject in a Description */
  KIND_TAGS,         /* digiKam:TagsList in a Description */
  KIND_SUBJECT_LIST, /* its rdf:Bag (or Seq) */
  KIND_TAGS_LIST,    /* its rdf:Seq (or Bag) */
  KIND_ITEM,         /* an rdf:li of one of those lists */
} Kind;

typedef struct {
  char       *qname;
  GHashTable *ns;            /* prefix -> URI declared on the element, or NULL */
  Kind        kind;
  GString    *text;          /* KIND_ITEM: its text */
  gboolean    has_list;      /* KIND_SUBJECT, KIND_TAGS: a list inside */
  gboolean    has_keyword;   /* the lists: an item is the keyword */
} Element;

typedef struct {
  const char *keyword;
  GString    *out;           /* NULL in the first pass */
  GPtrArray  *stack;         /* Element */
  gboolean    open_pending;  /* a start tag written without its '>' */
  /* what the first pass found */
  gboolean    has_description, has_subject, has_tags;
  gboolean    subject_has_keyword, tags_has_keyword;
  /* the second pass */
  guint       n_descriptions;
  gboolean    changed;
} Merge;

static void
element_free (gpointer p)
{
  Element *e = p;

  g_free (e->qname);
  g_clear_pointer (&e->ns, g_hash_table_unref);
  if (e->text != NULL)
    g_string_free (e->text, TRUE);
  g_free (e);
}

/* The URI bound to `prefix` ("" the default namespace) where the stack
 * stands, or NULL. */
static const char *
lookup_ns (Merge      *m,
           const char *prefix)
{
  for (guint i = m->stack->len; i > 0; i--)
    {
      Element *e = g_ptr_array_index (m->stack, i - 1);
      const char *uri = e->ns != NULL ? g_hash_table_lookup (e->ns, prefix) : NULL;

      if (uri != NULL)
        return uri;
    }
  return NULL;
}

/* Whether the element named `qname` is `local` in namespace `uri`. */
static gboolean
is_name (Merge      *m,
         const char *qname,
         const char *uri,
         const char *local)
{
  const char *colon = strchr (qname, ':');
  g_autofree char *prefix = colon != NULL ? g_strndup (qname, colon - qname) : g_strdup ("");
  const char *bound = lookup_ns (m, prefix);

  return g_strcmp0 (bound, uri) == 0 && strcmp (colon != NULL ? colon + 1 : qname, local) == 0;
}

/* The prefix part of `qname` with its colon ("rdf:"), or "". */
static char *
prefix_of (const char *qname)
{
  const char *colon = strchr (qname, ':');

  return colon != NULL ? g_strndup (qname, colon - qname + 1) : g_strdup ("");
}

static void
close_pending (Merge *m)
{
  if (m->out != NULL && m->open_pending)
    g_string_append_c (m->out, '>');
  m->open_pending = FALSE;
}

static Kind
kind_of (Merge      *m,
         const char *qname,
         Kind        parent)
{
  switch (parent)
    {
    case KIND_OTHER:
      return is_name (m, qname, NS_RDF, "RDF") ? KIND_RDF : KIND_OTHER;
    case KIND_RDF:
      return is_name (m, qname, NS_RDF, "Description") ? KIND_DESCRIPTION : KIND_OTHER;
    case KIND_DESCRIPTION:
      if (is_name (m, qname, NS_DC, "subject"))
        return KIND_SUBJECT;
      if (is_name (m, qname, NS_DIGIKAM, "TagsList"))
        return KIND_TAGS;
      return KIND_OTHER;
    case KIND_SUBJECT:
    case KIND_TAGS:
      /* the specification says Bag for dc:subject and digiKam writes
       * Seq, but a list of the other kind is still the list */
      if (is_name (m, qname, NS_RDF, "Bag") || is_name (m, qname, NS_RDF, "Seq"))
        return parent == KIND_SUBJECT ? KIND_SUBJECT_LIST : KIND_TAGS_LIST;
      return KIND_OTHER;
    case KIND_SUBJECT_LIST:
    case KIND_TAGS_LIST:
      return is_name (m, qname, NS_RDF, "li") ? KIND_ITEM : KIND_OTHER;
    case KIND_ITEM:
    default:
      return KIND_OTHER;
    }
}

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  Merge *m = user_data;
  Element *parent = m->stack->len > 0 ? g_ptr_array_index (m->stack, m->stack->len - 1) : NULL;
  Element *e = g_new0 (Element, 1);

  e->qname = g_strdup (name);
  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      const char *a = attribute_names[i];

      if (strcmp (a, "xmlns") == 0 || g_str_has_prefix (a, "xmlns:"))
        {
          if (e->ns == NULL)
            e->ns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_hash_table_insert (e->ns, g_strdup (a[5] == ':' ? a + 6 : ""), g_strdup (attribute_values[i]));
        }
    }
  /* the element's own declarations count for its name */
  g_ptr_array_add (m->stack, e);
  e->kind = kind_of (m, name, parent != NULL ? parent->kind : KIND_OTHER);
  if (e->kind == KIND_ITEM)
    e->text = g_string_new (NULL);
  else if (e->kind == KIND_DESCRIPTION)
    m->has_description = TRUE;
  else if (e->kind == KIND_SUBJECT)
    m->has_subject = TRUE;
  else if (e->kind == KIND_TAGS)
    m->has_tags = TRUE;
  else if (e->kind == KIND_SUBJECT_LIST || e->kind == KIND_TAGS_LIST)
    parent->has_list = TRUE;

  if (m->out != NULL)
    {
      close_pending (m);
      g_string_append_printf (m->out, "<%s", name);
      for (guint i = 0; attribute_names[i] != NULL; i++)
        {
          g_string_append_printf (m->out, " %s=\"", attribute_names[i]);
          append_escaped (m->out, attribute_values[i], TRUE);
          g_string_append_c (m->out, '"');
        }
      m->open_pending = TRUE;
    }
}

/* `rdf` the prefix (with its colon) bound to RDF where the text goes. */
static void
append_item (Merge      *m,
             const char *rdf)
{
  g_string_append_printf (m->out, "<%sli>", rdf);
  append_escaped (m->out, m->keyword, FALSE);
  g_string_append_printf (m->out, "</%sli>", rdf);
}

static void
append_list (Merge      *m,
             const char *rdf,
             const char *list)
{
  g_string_append_printf (m->out, "<%s%s>", rdf, list);
  append_item (m, rdf);
  g_string_append_printf (m->out, "</%s%s>", rdf, list);
}

/* What the second pass adds before the end tag of `e`, if anything. */
static void
append_missing (Merge   *m,
                Element *e)
{
  g_autofree char *rdf = NULL;

  switch (e->kind)
    {
    case KIND_SUBJECT_LIST:
    case KIND_TAGS_LIST:
      if (e->has_keyword)
        return;
      rdf = prefix_of (e->qname);
      close_pending (m);
      append_item (m, rdf);
      break;
    case KIND_SUBJECT:
    case KIND_TAGS:
      if (e->has_list)
        return;
      /* an empty property: give it the list (the Description's prefix
       * for RDF is in scope) */
      rdf = prefix_of (((Element *) g_ptr_array_index (m->stack, m->stack->len - 2))->qname);
      close_pending (m);
      append_list (m, rdf, e->kind == KIND_SUBJECT ? "Bag" : "Seq");
      break;
    case KIND_DESCRIPTION:
      if (++m->n_descriptions != 1 || (m->has_subject && m->has_tags))
        return;
      rdf = prefix_of (e->qname);
      close_pending (m);
      /* declared on the property itself: whatever the document binds
       * "dc" or "digiKam" to elsewhere, here they mean these */
      if (!m->has_subject)
        {
          g_string_append (m->out, "<dc:subject xmlns:dc=\"" NS_DC "\">");
          append_list (m, rdf, "Bag");
          g_string_append (m->out, "</dc:subject>");
        }
      if (!m->has_tags)
        {
          g_string_append (m->out, "<digiKam:TagsList xmlns:digiKam=\"" NS_DIGIKAM "\">");
          append_list (m, rdf, "Seq");
          g_string_append (m->out, "</digiKam:TagsList>");
        }
      break;
    case KIND_OTHER:
    case KIND_RDF:
    case KIND_ITEM:
    default:
      return;
    }
  m->changed = TRUE;
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *name,
                gpointer              user_data,
                GError              **error)
{
  Merge *m = user_data;
  Element *e = g_ptr_array_index (m->stack, m->stack->len - 1);

  if (e->kind == KIND_ITEM && strcmp (e->text->str, m->keyword) == 0)
    {
      Element *list = g_ptr_array_index (m->stack, m->stack->len - 2);

      list->has_keyword = TRUE;
      if (list->kind == KIND_SUBJECT_LIST)
        m->subject_has_keyword = TRUE;
      else
        m->tags_has_keyword = TRUE;
    }
  if (m->out != NULL)
    {
      append_missing (m, e);
      if (m->open_pending)
        {
          g_string_append (m->out, "/>");
          m->open_pending = FALSE;
        }
      else
        g_string_append_printf (m->out, "</%s>", name);
    }
  g_ptr_array_set_size (m->stack, m->stack->len - 1);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  Merge *m = user_data;
  Element *e = m->stack->len > 0 ? g_ptr_array_index (m->stack, m->stack->len - 1) : NULL;
  g_autofree char *copy = g_strndup (text, text_len);

  if (e != NULL && e->kind == KIND_ITEM)
    g_string_append (e->text, copy);
  if (m->out != NULL)
    {
      close_pending (m);
      append_escaped (m->out, copy, FALSE);
    }
}

/* Comments, processing instructions (<?xml?>, <?xpacket?>), CDATA and
 * DOCTYPE: written back as they were. */
static void
on_passthrough (GMarkupParseContext  *context,
                const char           *text,
                gsize                 text_len,
                gpointer              user_data,
                GError              **error)
{
  Merge *m = user_data;

  if (m->out == NULL)
    return;
  close_pending (m);
  g_string_append_len (m->out, text, text_len);
  /* GMarkup drops the white space outside the root element */
  if (m->stack->len == 0)
    g_string_append_c (m->out, '\n');
}

static const GMarkupParser merge_parser = {
  on_start_element, on_end_element, on_text, on_passthrough, NULL,
};

static gboolean
merge_pass (Merge       *m,
            const char  *text,
            gsize        length,
            GError     **error)
{
  g_autoptr(GMarkupParseContext) context =
    g_markup_parse_context_new (&merge_parser, G_MARKUP_PREFIX_ERROR_POSITION, m, NULL);

  m->stack = g_ptr_array_new_with_free_func (element_free);
  m->open_pending = FALSE;
  if (!g_markup_parse_context_parse (context, text, (gssize) length, error)
      || !g_markup_parse_context_end_parse (context, error))
    {
      g_clear_pointer (&m->stack, g_ptr_array_unref);
      return FALSE;
    }
  g_clear_pointer (&m->stack, g_ptr_array_unref);
  return TRUE;
}

gboolean
cs_xmp_merge_keyword (const char  *text,
                      gssize       length,
                      const char  *keyword,
                      char       **out,
                      GError     **error)
{
  Merge m = { .keyword = keyword };
  gboolean bom;
  gsize len;

  g_return_val_if_fail (text != NULL && keyword != NULL && out != NULL, FALSE);
  *out = NULL;
  len = length < 0 ? strlen (text) : (gsize) length;
  bom = len >= 3 && memcmp (text, UTF8_BOM, 3) == 0;
  if (bom)
    {
      text += 3;
      len -= 3;
    }
  if (!merge_pass (&m, text, len, error))
    return FALSE;
  if (!m.has_description)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "no rdf:Description to add the keyword to");
      return FALSE;
    }
  if (m.has_subject && m.has_tags && m.subject_has_keyword && m.tags_has_keyword)
    return TRUE;

  m.out = g_string_sized_new (len + 512);
  if (bom)
    g_string_append (m.out, UTF8_BOM);
  if (!merge_pass (&m, text, len, error))
    {
      g_string_free (m.out, TRUE);
      return FALSE;
    }
  g_warn_if_fail (m.changed);
  *out = g_string_free (m.out, FALSE);
  return TRUE;
}
