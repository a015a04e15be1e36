#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""The translations load: German and French strings come back under LANGUAGE.

For every language in po/LINGUAS, runs translate-probe (gettext set up as
in the app's main ()) with LANGUAGE=<lang> and LC_ALL set to the language's
own UTF-8 locale where one is installed (else C.UTF-8) on the
single-line msgids of po/<lang>.po, and checks that each comes back as its
msgstr.  With the app built, also runs `clipsight --help` in English and in
the language and checks that the app's own option texts are translated.

  test_translations.py SOURCE_ROOT LOCALEDIR PROBE [APP]
"""

import os
import re
import subprocess
import sys


def po_entries(path):
    """Translated, non-fuzzy, non-plural entries whose text is one line
    (however the file wraps it): msgid -> msgstr (CONTEXT \\004 msgid for an
    entry with a context)."""
    unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
    entries = {}
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        if "#, fuzzy" in block or "msgid_plural" in block:
            continue
        fields, key = {}, None
        for line in block.splitlines():
            m = re.match(r'^(msgctxt|msgid|msgstr) "((?:[^"\\]|\\.)*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif key and re.match(r'^"((?:[^"\\]|\\.)*)"$', line):
                fields[key] += line[1:-1]
            else:
                key = None
        msgid, msgstr = unescape(fields.get("msgid", "")), unescape(fields.get("msgstr", ""))
        if msgid and msgstr and "\n" not in msgid and msgid != msgstr:
            # with a context, as translate-probe takes it: CONTEXT \004 MSGID
            context = fields.get("msgctxt")
            entries[(unescape(context) + "\x04" if context is not None else "") + msgid] = msgstr
    return entries


def locale_for(lang):
    """The LC_ALL under which gettext follows LANGUAGE=lang.

    Debian 13's glibc (2.41) ignores LANGUAGE under C.UTF-8 as under
    C; Debian 12's (2.36) honours it there.  So the language's own
    UTF-8 locale when one is installed, as its speakers have (the Debian 13
    CI leg generates de_DE and fr_FR), else C.UTF-8."""
    try:
        installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    except OSError:
        installed = []
    for name in sorted(installed):
        if name.startswith(lang + "_") and name.lower().endswith((".utf8", ".utf-8")):
            return name
    return "C.UTF-8"


def main():
    root, localedir, probe = sys.argv[1:4]
    app = sys.argv[4] if len(sys.argv) > 4 else None
    with open(os.path.join(root, "po", "LINGUAS"), encoding="utf-8") as f:
        languages = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    failures = 0
    for lang in languages:
        if not os.path.isfile(os.path.join(localedir, lang, "LC_MESSAGES", "clipsight.mo")):
            print(f"FAIL: no {lang} catalogue in {localedir}", file=sys.stderr)
            failures += 1
            continue
        entries = po_entries(os.path.join(root, "po", f"{lang}.po"))
        lc_all = locale_for(lang)
        env = dict(os.environ, LANGUAGE=lang, LC_ALL=lc_all, CLIPSIGHT_LOCALEDIR=localedir)
        msgids = sorted(entries)
        out = subprocess.run([probe, *msgids], env=env, capture_output=True, text=True,
                             check=True).stdout.split("\n")
        wrong = [(m, got) for m, got in zip(msgids, out) if got != entries[m]]
        for msgid, got in wrong[:5]:
            print(f"FAIL: {lang}: {msgid!r} gave {got!r}, not {entries[msgid]!r}", file=sys.stderr)
        failures += len(wrong)
        if wrong and len(wrong) == len(msgids) and lc_all == "C.UTF-8":
            print(f"FAIL: {lang}: nothing translated under LC_ALL=C.UTF-8, which this C library may "
                  f"treat as C (ignoring LANGUAGE): install a {lang}_* UTF-8 locale, e.g. "
                  f"localedef -i {lang}_{lang.upper()} -f UTF-8 {lang}_{lang.upper()}.UTF-8",
                  file=sys.stderr)
        print(f"{lang}: {len(msgids) - len(wrong)} of {len(msgids)} strings translated by gettext "
              f"(LC_ALL={lc_all})")

        if app:
            english = subprocess.run([app, "--help"], env=dict(env, LANGUAGE="C"),
                                     capture_output=True, text=True).stdout
            local = subprocess.run([app, "--help"], env=env, capture_output=True, text=True).stdout
            # Whole texts only: a line, or an option's description.
            texts = lambda out: {t.strip() for line in out.splitlines()
                                 for t in [line, *re.split(r"\s{2,}", line.strip())[1:]]}
            shown = [m for m in msgids if m in texts(english)]
            if not shown:
                # a check of nothing is no check: the app did not run
                print(f"FAIL: {lang}: clipsight --help showed none of the catalogue's strings:\n"
                      f"{english or '(no output)'}", file=sys.stderr)
                failures += 1
            missing = [m for m in shown if entries[m] not in texts(local)]
            for msgid in missing:
                print(f"FAIL: {lang}: clipsight --help shows {msgid!r} untranslated", file=sys.stderr)
            failures += len(missing)
            print(f"{lang}: clipsight --help: {len(shown) - len(missing)} of {len(shown)} "
                  "of the app's own strings translated")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
