/* cli-export.h - `clipsight-cli export`.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

int cli_cmd_export (int argc, char **argv);
