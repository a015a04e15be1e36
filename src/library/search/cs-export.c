/* cs-export.c - a label's photos as a folder of links or copies, with
 * XMP sidecars.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The contract is in cs-export.h.  The work is plain file operations, so
 * it runs on any thread; cs_library_export_label_async() reads the
 * label's members on the home thread (a CsPhotoList belongs to one
 * thread) and hands the paths to a GTask thread.
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-export.h"
#include "cs-xmp.h"

/* "NAME (n).EXT" gives up after this many taken names. */
#define MAX_CANDIDATES 10000

typedef struct {
  char            *source;
  char            *destination;
  CsExportOutcome  outcome;
  GError          *error;
  GError          *sidecar_error;
} Entry;

struct _CsExportReport {
  char   *folder;
  GArray *entries;  /* Entry */
};

static void
entry_clear (gpointer p)
{
  Entry *e = p;

  g_free (e->source);
  g_free (e->destination);
  g_clear_error (&e->error);
  g_clear_error (&e->sidecar_error);
}

/* ------------------------------------------------------------- report */

static Entry *
entry_at (CsExportReport *report,
          guint           i)
{
  g_return_val_if_fail (report != NULL && i < report->entries->len, NULL);
  return &g_array_index (report->entries, Entry, i);
}

guint
cs_export_report_get_n_photos (CsExportReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->entries->len;
}

const char *
cs_export_report_get_source (CsExportReport *report,
                             guint           i)
{
  Entry *e = entry_at (report, i);
  return e != NULL ? e->source : NULL;
}

const char *
cs_export_report_get_destination (CsExportReport *report,
                                  guint           i)
{
  Entry *e = entry_at (report, i);
  return e != NULL ? e->destination : NULL;
}

CsExportOutcome
cs_export_report_get_outcome (CsExportReport *report,
                              guint           i)
{
  Entry *e = entry_at (report, i);
  return e != NULL ? e->outcome : CS_EXPORT_FAILED;
}

const GError *
cs_export_report_get_error (CsExportReport *report,
                            guint           i)
{
  Entry *e = entry_at (report, i);
  return e != NULL ? e->error : NULL;
}

const GError *
cs_export_report_get_sidecar_error (CsExportReport *report,
                                    guint           i)
{
  Entry *e = entry_at (report, i);
  return e != NULL ? e->sidecar_error : NULL;
}

guint
cs_export_report_count (CsExportReport  *report,
                        CsExportOutcome  outcome)
{
  guint n = 0;

  g_return_val_if_fail (report != NULL, 0);
  for (guint i = 0; i < report->entries->len; i++)
    n += g_array_index (report->entries, Entry, i).outcome == outcome;
  return n;
}

guint
cs_export_report_count_sidecar_failures (CsExportReport *report)
{
  guint n = 0;

  g_return_val_if_fail (report != NULL, 0);
  for (guint i = 0; i < report->entries->len; i++)
    n += g_array_index (report->entries, Entry, i).sidecar_error != NULL;
  return n;
}

const char *
cs_export_report_get_folder (CsExportReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->folder;
}

void
cs_export_report_free (CsExportReport *report)
{
  if (report == NULL)
    return;
  g_array_unref (report->entries);
  g_free (report->folder);
  g_free (report);
}

/* ------------------------------------------------------------ helpers */

/* `error` from `saved_errno`: "WHAT: REASON"; `format` names the file
 * with %s. */
static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
}

/* A path for people (freed at scope exit by the caller). */
#define SHOWN(path) g_autofree char *shown = g_filename_display_name (path)

/* The destination folder made and checked: a folder we may write. */
static gboolean
prepare_folder (const char  *folder,
                GError     **error)
{
  struct stat st;

  int saved_errno;
  SHOWN (folder);

  if (g_mkdir_with_parents (folder, 0777) != 0)
    {
      saved_errno = errno;
      set_errno_error (error, saved_errno, _("Cannot make the folder %s"), shown);
      return FALSE;
    }
  if (g_stat (folder, &st) != 0)
    {
      saved_errno = errno;
      set_errno_error (error, saved_errno, _("Cannot read the folder %s"), shown);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      set_errno_error (error, ENOTDIR, _("Cannot export to %s"), shown);
      return FALSE;
    }
  if (access (folder, W_OK | X_OK) != 0)
    {
      saved_errno = errno;
      set_errno_error (error, saved_errno, _("Cannot write to the folder %s"), shown);
      return FALSE;
    }
  return TRUE;
}

/* The `k`th candidate name for `base` (k >= 1): the name itself, then
 * "STEM (k).EXT", the extension being what follows the last dot (none
 * for ".hidden" or a name without one). */
static char *
candidate_name (const char *base,
                guint       k)
{
  const char *dot = strrchr (base, '.');

  if (k == 1)
    return g_strdup (base);
  if (dot == NULL || dot == base)
    return g_strdup_printf ("%s (%u)", base, k);
  return g_strdup_printf ("%.*s (%u)%s", (int) (dot - base), base, k, dot);
}

/* Whether the files at `a` and `b` (followed) hold the same bytes; both
 * opened read-only.  FALSE on any error. */
static gboolean
same_bytes (const char *a,
            const char *b)
{
  struct stat sa, sb;
  int fa = -1, fb = -1;
  gboolean same = FALSE;
  enum { CHUNK = 64 * 1024 };
  g_autofree char *ba = NULL, *bb = NULL;

  fa = g_open (a, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  fb = g_open (b, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fa < 0 || fb < 0 || fstat (fa, &sa) != 0 || fstat (fb, &sb) != 0
      || !S_ISREG (sa.st_mode) || !S_ISREG (sb.st_mode) || sa.st_size != sb.st_size)
    goto out;
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
    {
      same = TRUE;
      goto out;
    }
  ba = g_malloc (CHUNK);
  bb = g_malloc (CHUNK);
  for (;;)
    {
      ssize_t na = read (fa, ba, CHUNK);
      ssize_t got = 0;

      if (na < 0 && errno == EINTR)
        continue;
      if (na < 0)
        goto out;
      while (got < na)
        {
          ssize_t nb = read (fb, bb + got, (size_t) (na - got));

          if (nb < 0 && errno == EINTR)
            continue;
          if (nb <= 0)
            goto out;
          got += nb;
        }
      if (memcmp (ba, bb, (size_t) na) != 0)
        goto out;
      if (na == 0)
        {
          char c;
          same = read (fb, &c, 1) == 0;
          goto out;
        }
    }
out:
  if (fa >= 0)
    close (fa);
  if (fb >= 0)
    close (fb);
  return same;
}

/* Whether the entry at `dest` (which exists) already is `source`'s
 * export: for links, a link that resolves to the original or a regular
 * file with its bytes; for copies, only a regular file with its bytes (a
 * link would not survive the folder leaving the machine). */
static gboolean
is_export_of (const char *dest,
              const char *source,
              gboolean    copies)
{
  struct stat ld, sd, ss;

  if (g_lstat (dest, &ld) != 0)
    return FALSE;
  if (S_ISLNK (ld.st_mode))
    {
      if (copies)
        return FALSE;
      if (g_stat (dest, &sd) != 0 || g_stat (source, &ss) != 0)
        return FALSE;
      if (sd.st_dev == ss.st_dev && sd.st_ino == ss.st_ino)
        return TRUE;
    }
  else if (!S_ISREG (ld.st_mode))
    return FALSE;
  return same_bytes (dest, source);
}

/* Makes `dest` (absent) the export of `source`.  G_IO_ERROR_EXISTS when
 * something took the name meanwhile. */
static gboolean
make_export (const char    *source,
             const char    *dest,
             gboolean       copies,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFile) to = g_file_new_for_path (dest);

  if (!copies)
    return g_file_make_symbolic_link (to, source, cancellable, error);
  {
    g_autoptr(GFile) from = g_file_new_for_path (source);
    g_autoptr(GError) local = NULL;
    struct stat st;

    /* GIO reads `from` through a read-only stream; ALL_METADATA gives
     * the copy the original's times (photo tools sort by them), and a
     * file system that cannot hold them does not fail the copy */
    if (g_file_copy (from, to, G_FILE_COPY_ALL_METADATA, cancellable, NULL, NULL, &local))
      return TRUE;
    /* never leave half a copy under the photo's name */
    if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS) && g_lstat (dest, &st) == 0)
      g_unlink (dest);
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
}

/* Writes or merges `dest`.xmp with `keyword`. */
static gboolean
write_sidecar (const char  *dest,
               const char  *keyword,
               GError     **error)
{
  g_autofree char *path = g_strconcat (dest, ".xmp", NULL);
  g_autofree char *text = NULL;
  g_autofree char *merged = NULL;
  g_autoptr(GError) local = NULL;
  struct stat st;
  gsize len;

  if (g_lstat (path, &st) != 0)
    {
      g_autofree char *fresh = cs_xmp_new_sidecar (keyword);
      return g_file_set_contents (path, fresh, -1, error);
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("%s is in the way of the sidecar and is not a file: left as it is"), shown);
      return FALSE;
    }
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (!cs_xmp_merge_keyword (text, (gssize) len, keyword, &merged, &local))
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The sidecar %s cannot be read (%s): left as it is"), shown, local->message);
      return FALSE;
    }
  if (merged == NULL)
    return TRUE;  /* the album is already there */
  return g_file_set_contents (path, merged, -1, error);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
export_one (const char    *source,
            const char    *folder,
            const char    *keyword,
            CsExportFlags  flags,
            GCancellable  *cancellable,
            Entry         *e)
{
  gboolean copies = (flags & CS_EXPORT_COPIES) != 0;
  g_autofree char *base = g_path_get_basename (source);
  struct stat st;
  int stat_rc = g_stat (source, &st);
  int saved_errno = stat_rc != 0 ? errno : EINVAL;  /* EINVAL: not a file */

  e->source = g_strdup (source);
  /* a link to nothing is no export: the original must be there */
  if (stat_rc != 0 || !S_ISREG (st.st_mode))
    {
      SHOWN (source);

      set_errno_error (&e->error, saved_errno, _("Cannot read the photo %s"), shown);
      e->outcome = CS_EXPORT_FAILED;
      return;
    }
  for (guint k = 1; k <= MAX_CANDIDATES && e->destination == NULL && e->error == NULL; k++)
    {
      g_autofree char *name = candidate_name (base, k);
      g_autofree char *dest = g_build_filename (folder, name, NULL);
      g_autoptr(GError) local = NULL;

      if (g_lstat (dest, &st) == 0)
        {
          if (is_export_of (dest, source, copies))
            {
              e->outcome = CS_EXPORT_PRESENT;
              e->destination = g_steal_pointer (&dest);
            }
          continue;
        }
      if (errno != ENOENT)
        {
          int lstat_errno = errno;
          SHOWN (dest);

          set_errno_error (&e->error, lstat_errno, _("Cannot export to %s"), shown);
          break;
        }
      if (make_export (source, dest, copies, cancellable, &local))
        {
          e->outcome = CS_EXPORT_ADDED;
          e->destination = g_steal_pointer (&dest);
        }
      else if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
        e->error = g_steal_pointer (&local);
    }
  if (e->destination == NULL && e->error == NULL)
    {
      g_autofree char *shown = g_filename_display_name (base);
      g_set_error (&e->error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%u files called like %s are already in the folder"), MAX_CANDIDATES, shown);
    }
  if (e->error != NULL)
    {
      e->outcome = CS_EXPORT_FAILED;
      return;
    }
  if ((flags & CS_EXPORT_SIDECARS) != 0)
    write_sidecar (e->destination, keyword, &e->sidecar_error);
}

/* ------------------------------------------------------------ exports */

CsExportReport *
cs_export_files (const char * const *paths,
                 guint               n_paths,
                 const char         *folder,
                 const char         *album,
                 CsExportFlags       flags,
                 GCancellable       *cancellable,
                 GError            **error)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autofree char *keyword = NULL;
  CsExportReport *report;

  g_return_val_if_fail (paths != NULL || n_paths == 0, NULL);
  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!prepare_folder (folder, error))
    return NULL;
  keyword = cs_xmp_keyword (album);
  for (guint i = 0; i < n_paths; i++)
    g_ptr_array_add (sorted, (gpointer) paths[i]);
  g_ptr_array_sort (sorted, compare_paths);

  report = g_new0 (CsExportReport, 1);
  report->folder = g_strdup (folder);
  report->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (report->entries, entry_clear);
  for (guint i = 0; i < sorted->len; i++)
    {
      const char *source = g_ptr_array_index (sorted, i);
      Entry e = { 0 };

      if (i > 0 && strcmp (source, g_ptr_array_index (sorted, i - 1)) == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          cs_export_report_free (report);
          return NULL;
        }
      export_one (source, folder, keyword, flags, cancellable, &e);
      g_array_append_val (report->entries, e);
    }
  return report;
}

typedef struct {
  GStrv          paths;
  char          *folder;
  char          *album;
  CsExportFlags  flags;
} ExportJob;

static void
export_job_free (gpointer p)
{
  ExportJob *job = p;

  g_strfreev (job->paths);
  g_free (job->folder);
  g_free (job->album);
  g_free (job);
}

/* The job for `label` read on the home thread, or NULL after setting
 * `error`. */
static ExportJob *
export_job_new (CsLibrary     *self,
                CsLabel       *label,
                const char    *folder,
                const char    *album,
                CsExportFlags  flags,
                GError       **error)
{
  g_autoptr(CsPhotoList) members = NULL;
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  ExportJob *job;

  if (!cs_library_get_loaded (self))
    {
      g_set_error_literal (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NOT_LOADED,
                           _("The library is not loaded"));
      return NULL;
    }
  if (cs_library_lookup_label (self, cs_label_get_name (label)) != label)
    {
      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_SUCH_LABEL,
                   _("The label “%s” was removed"), cs_label_get_name (label));
      return NULL;
    }
  if (!cs_library_get_has_model (self))
    {
      g_set_error (error, CS_LIBRARY_ERROR, CS_LIBRARY_ERROR_NO_MODEL,
                   _("The photos of “%s” are known only with the CLIP model the library was indexed with"),
                   cs_label_get_name (label));
      return NULL;
    }
  members = cs_library_list_label_members (self, label);
  for (guint i = 0; i < cs_photo_list_get_n_items (members); i++)
    {
      g_autoptr(CsPhoto) photo = g_list_model_get_item (G_LIST_MODEL (members), i);
      g_strv_builder_add (paths, cs_photo_get_path (photo));
    }
  job = g_new0 (ExportJob, 1);
  job->paths = g_strv_builder_end (paths);
  job->folder = g_strdup (folder);
  job->album = g_strdup (album != NULL ? album : cs_label_get_name (label));
  job->flags = flags;
  return job;
}

static CsExportReport *
export_job_run (ExportJob     *job,
                GCancellable  *cancellable,
                GError       **error)
{
  return cs_export_files ((const char * const *) job->paths, g_strv_length (job->paths), job->folder,
                          job->album, job->flags, cancellable, error);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  CsExportReport *report = export_job_run (task_data, cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) cs_export_report_free);
}

void
cs_library_export_label_async (CsLibrary           *self,
                               CsLabel             *label,
                               const char          *folder,
                               const char          *album,
                               CsExportFlags        flags,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ExportJob *job;

  g_return_if_fail (CS_IS_LIBRARY (self));
  g_return_if_fail (CS_IS_LABEL (label));
  g_return_if_fail (folder != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_library_export_label_async);
  job = export_job_new (self, label, folder, album, flags, &error);
  if (job == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread (task, export_thread);
}

CsExportReport *
cs_library_export_label_finish (CsLibrary     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CsExportReport *
cs_library_export_label (CsLibrary     *self,
                         CsLabel       *label,
                         const char    *folder,
                         const char    *album,
                         CsExportFlags  flags,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ExportJob *job;
  CsExportReport *report;

  g_return_val_if_fail (CS_IS_LIBRARY (self), NULL);
  g_return_val_if_fail (CS_IS_LABEL (label), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  job = export_job_new (self, label, folder, album, flags, error);
  if (job == NULL)
    return NULL;
  report = export_job_run (job, cancellable, error);
  export_job_free (job);
  return report;
}
