#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""Fails when po/POTFILES.in misses a source file with translatable strings.

A file is translatable when it marks strings: _( ), N_( ), C_( ), NC_( ) or
the g_d*gettext family in C, translatable="yes" in GtkBuilder files, a
<summary> in a GSettings schema, and always for the desktop entry and the
AppStream metainfo templates.  Also fails on entries that name no file, and
on entries that are not sorted.

  check_potfiles.py SOURCE_ROOT
"""

import os
import re
import sys

C_MARK = re.compile(r"(?<![A-Za-z0-9_])(?:N|C|NC)?_\s*\(|\bg_d[np]?c?gettext2?\s*\(|\bn?gettext\s*\(")
UI_MARK = re.compile(r"""translatable\s*=\s*["'](?:yes|true|1)["']""")
SCHEMA_MARK = re.compile(r"<summary>|<description>")
SCANNED = ("src", "ui", "data")


def translatable(path, text):
    name = os.path.basename(path)
    if name.endswith((".c", ".h")):
        # Comments and string literals cannot hide a mark, nor fake one.
        code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
        code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', code)
        return bool(C_MARK.search(code))
    if name.endswith((".ui", ".blp")):
        return bool(UI_MARK.search(text))
    if name.endswith(".gschema.xml"):
        return bool(SCHEMA_MARK.search(text))
    if name.endswith((".desktop.in", ".metainfo.xml.in", ".appdata.xml.in")):
        return True
    return False


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        entries = [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]
    listed = set(entries)
    problems = []

    for entry in entries:
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append(f"po/POTFILES.in names {entry}, which does not exist")
    if entries != sorted(entries):
        problems.append("po/POTFILES.in is not sorted")

    found = []
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                if translatable(rel, text):
                    found.append(rel)
                    if rel not in listed:
                        problems.append(f"{rel} has translatable strings but is not in po/POTFILES.in")

    print(f"{len(found)} files with translatable strings, {len(entries)} in po/POTFILES.in")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
