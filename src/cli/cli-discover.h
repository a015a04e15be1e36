/* cli-discover.h - clipsight-cli discover.
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

int cli_cmd_discover (int argc, char **argv);
