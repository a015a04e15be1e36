/* cs-file-hash.c - a partial content hash that recognises a moved photo.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hashing whole photos would read the library twice; the head (which holds
 * the EXIF block and the start of the image data), the tail and the size
 * tell two photos apart in practice and cost one bounded read.
 */
#define G_LOG_DOMAIN "cs-file-hash"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-file-hash.h"

#define HEAD_BYTES (1024 * 1024)
#define TAIL_BYTES (64 * 1024)

static gboolean
read_at (int           fd,
         guint8       *buf,
         gsize         len,
         goffset       offset,
         const char   *path,
         GError      **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pread (fd, buf + done, len - done, offset + (goffset) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;
          g_autofree char *display = g_filename_display_name (path);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "%s: cannot read: %s", display, n < 0 ? g_strerror (saved) : "file shrank while reading");
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

char *
cs_file_hash_partial (const char   *path,
                      GCancellable *cancellable,
                      GError      **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = NULL;
  struct stat st;
  guint8 size_le[8];
  gsize head, tail;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: cannot open: %s", display, g_strerror (saved));
      return NULL;
    }

  for (int i = 0; i < 8; i++)
    size_le[i] = (guint8) (((guint64) st.st_size >> (8 * i)) & 0xff);
  g_checksum_update (sum, size_le, sizeof size_le);

  head = (gsize) MIN ((goffset) HEAD_BYTES, (goffset) st.st_size);
  tail = (gsize) MIN ((goffset) TAIL_BYTES, (goffset) st.st_size - (goffset) head);
  buf = g_malloc (MAX (head, 1));
  if (!read_at (fd, buf, head, 0, path, error))
    goto fail;
  g_checksum_update (sum, buf, head);
  if (tail > 0)
    {
      if (!read_at (fd, buf, tail, st.st_size - (goffset) tail, path, error))
        goto fail;
      g_checksum_update (sum, buf, tail);
    }
  close (fd);
  return g_strdup (g_checksum_get_string (sum));

fail:
  close (fd);
  return NULL;
}

char *
cs_model_id_for_dir (const char   *dir,
                     GCancellable *cancellable,
                     GError      **error)
{
  static const char *const clip_files[] = {
    "config.json", "preprocessor_config.json", "vocab.json", "merges.txt", NULL,
  };
  /* SigLIP's tokenizer is a SentencePiece model (spiece.model for SigLIP,
   * tokenizer.model for SigLIP 2) and its configuration; whichever the
   * folder has (the engine says which it needs) */
  static const char *const siglip_files[] = {
    "config.json", "preprocessor_config.json", "spiece.model", "tokenizer.model",
    "tokenizer_config.json", NULL,
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *weights_hash = NULL;
  g_autofree char *vocab = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *spiece = g_build_filename (dir, "spiece.model", NULL);
  g_autofree char *gemma = g_build_filename (dir, "tokenizer.model", NULL);
  /* a CLIP folder's id is what it always was */
  gboolean siglip = !g_file_test (vocab, G_FILE_TEST_EXISTS)
                    && (g_file_test (spiece, G_FILE_TEST_EXISTS) || g_file_test (gemma, G_FILE_TEST_EXISTS));
  const char *const *files = siglip ? siglip_files : clip_files;

  for (gsize i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (siglip && i >= 2 && !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (!g_file_get_contents (path, &data, &len, error))
        return NULL;
      g_checksum_update (sum, (const guchar *) files[i], (gssize) strlen (files[i]) + 1);
      g_checksum_update (sum, (const guchar *) data, (gssize) len);
    }
  weights_hash = cs_file_hash_partial (weights, cancellable, error);
  if (weights_hash == NULL)
    return NULL;
  g_checksum_update (sum, (const guchar *) weights_hash, -1);
  return g_strdup (g_checksum_get_string (sum));
}
