#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""Every translatable string of the sources is translated in every language.

Extracts the strings of the files po/POTFILES.in names with xgettext, as
`meson compile clipsight-pot` does (the keywords and flags of Meson's
"glib" preset, which po/meson.build uses), into a temporary template, and
checks with msgcmp that po/<lang>.po translates every one of them (an entry
missing, empty or fuzzy fails).  Languages that ship must not fall behind
the interface: German and French had fallen 161 interface strings and the
1,305 names of the built-in vocabulary behind before this check.

  check_translations_complete.py SOURCE_ROOT XGETTEXT MSGCMP
"""

import os
import subprocess
import sys
import tempfile

# Meson's i18n preset 'glib' (mesonbuild/modules/i18n.py, PRESET_ARGS)
GLIB_PRESET = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
]


def main():
    root, xgettext, msgcmp = sys.argv[1:4]
    po = os.path.join(root, "po")
    with open(os.path.join(po, "LINGUAS"), encoding="utf-8") as f:
        languages = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "clipsight.pot")
        subprocess.run([xgettext, "--package-name=clipsight", "-D", root, "-f",
                        os.path.join(po, "POTFILES.in"), "-o", pot, *GLIB_PRESET], check=True)
        for lang in languages:
            r = subprocess.run([msgcmp, os.path.join(po, f"{lang}.po"), pot],
                               capture_output=True, text=True)
            if r.returncode != 0:
                lines = [l for l in r.stderr.splitlines() if "this message" in l and "warning:" not in l]
                print(f"FAIL: po/{lang}.po lacks {len(lines)} translations; the first:", file=sys.stderr)
                for line in lines[:8]:
                    print("  " + line, file=sys.stderr)
                print(f"  (merge with `meson compile -C build clipsight-update-po`, then translate)",
                      file=sys.stderr)
                failures += 1
            else:
                print(f"{lang}: every string translated")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
