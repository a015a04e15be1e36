/* model-server.h - the local HTTP server test-model-manager downloads
 * from, and the fixture that starts it with the toy model's pins.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server serves the toy model's files the way Hugging Face does (see
 * test-model-manager.c); the fields of Server below make it cut, hold,
 * damage or misannounce a file.
 */
#pragma once

#include <gio/gio.h>

#include "cs-model-manager.h"

G_BEGIN_DECLS


#define BIG_FILE "model.safetensors"

typedef struct {
  char       *root;          /* the files served */
  GMutex      mutex;
  GCond       cond;
  char       *cut_file;      /* this file's next transfer stops half way */
  char       *hold_file;     /* this file's next transfer sends half, then waits */
  gboolean    released;      /* ... until this is set */
  gboolean    holding;       /* a transfer is being held */
  char       *corrupt_file;  /* this file is served with one byte changed */
  char       *bad_etag_file; /* this file is announced with a wrong X-Linked-Etag */
  GPtrArray  *served;        /* names whose content was sent (200 or 206) */
  guint       n_range;       /* content answers to Range requests */
  gint        n_pending;     /* connections accepted, not yet served (atomic) */
} Server;

typedef struct {
  Server            server;
  GSocketService   *service;
  guint16           port;
  char             *base_url;
  char             *target;
  CsModelFile      *files;
  guint             n_files;
  GPtrArray        *strings;
  gint64            big_size;
  gint64            small_sum;   /* the sizes of the files before the big one */
} Fixture;

/* The files the engine reads, in the default manifest's order. */
extern const char *model_files[];

/* The SHA-256 of the file at `path`, in hex (g_free it). */
char *file_sha256 (const char *path);

/* Sets one of the server's file names (cut_file, hold_file, corrupt_file,
 * bad_etag_file) to `name` (NULL: none). */
void  server_set           (Fixture     *f,
                            char       **field,
                            const char  *name);
/* Lets the held transfer go on. */
void  server_release       (Fixture     *f);
/* How many times the content of `name` was sent. */
guint server_take_served   (Fixture     *f,
                            const char  *name);
void  server_forget_served (Fixture     *f);
/* How many content answers to Range requests were sent. */
guint server_n_range       (Fixture     *f);

/* A server on 127.0.0.1 (any free port), a temporary target folder and
 * the toy files' pins; the teardown waits until every connection the
 * server accepted is served. */
void fixture_setup    (Fixture       *f,
                       gconstpointer  data);
void fixture_teardown (Fixture       *f,
                       gconstpointer  data);

G_END_DECLS
