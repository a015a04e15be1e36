/* cli-util.h - output and error helpers shared by the commands.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "clip.h"

#define EXIT_USAGE 2

/* "clipsight-cli: MESSAGE" on stderr, on one line. */
void        fail_message        (const char *message);
/* Text for a person's terminal (the human-readable outputs): invalid
 * UTF-8 replaced, and every control character a name may hold written
 * as an escape, so that a name can neither break a line nor drive the
 * terminal: \n \r \t, \xHH for the other C0 controls and DEL, \u00HH for
 * the C1 controls (U+0080 to U+009F).  A backslash stays as it is. */
char       *cli_printable       (const char *s);
/* A path as cli_printable() shows it (g_filename_display_name first). */
char       *cli_display_path    (const char *path);
/* Prints the message (freed) and returns EXIT_FAILURE. */
int         fail_clip           (clip_status status,
                                 char       *message);
/* Prints the error (freed) and returns EXIT_FAILURE. */
int         fail_error          (GError     *error);

/* The JSON outputs: one object a line, written by JsonGenerator. */

/* A number node (new) holding `value` as printf's `format` ("%.3f",
 * "%.6g") writes it: what a reader parses is what that text said (an
 * integer where it has no '.' nor exponent); null when not finite. */
JsonNode   *cli_json_number        (const char  *format,
                                    double       value);
/* An array node (new) of float32s, 9 significant digits each (they
 * round-trip). */
JsonNode   *cli_json_floats        (const float *v,
                                    int          n);
/* Appends `object` to `out` as one line: compact JSON, then '\n'. */
void        cli_json_append_object (GString     *out,
                                    JsonObject  *object);
/* Writes `object` on stdout as one line; FALSE on a write error. */
gboolean    cli_json_print_object  (JsonObject  *object);

/* `opt`, or $CLIPSIGHT_MODEL when opt is NULL. */
const char *model_dir_or_env    (const char *opt);
/* --backend NAME: native (default, also for NULL), blas or ref. */
gboolean    cli_parse_backend   (const char   *name,
                                 clip_backend *out);
/* --precision NAME (f32, f16, bf16, int8) for `command`: on an unknown
 * name prints "COMMAND: unknown precision ..." and returns FALSE. */
gboolean    cli_parse_precision (const char     *command,
                                 const char     *name,
                                 clip_precision *out);
/* Parses options, printing the error on failure. */
gboolean    parse_options       (GOptionContext *octx,
                                 int            *argc,
                                 char         ***argv);

int cli_cmd_index  (int argc, char **argv);
int cli_cmd_status (int argc, char **argv);
int cli_cmd_search (int argc, char **argv);
int cli_cmd_label  (int argc, char **argv);
int cli_cmd_duplicates (int argc, char **argv);
int cli_cmd_bench  (int argc, char **argv);
