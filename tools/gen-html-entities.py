#!/usr/bin/env python3
# gen-html-entities.py - writes src/engine/clip-html-entities.h.
#
# Copyright 2026 The Clipsight authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The CLIP tokenizer cleans text with Python's html.unescape(), so the C
# tokenizer needs the very tables that function uses: the HTML5 named
# character references (html.entities.html5, legacy names without ';'
# included), the numeric references the HTML5 spec remaps
# (html._invalid_charrefs) and the code points it drops
# (html._invalid_codepoints).  Only the standard library is used.
#
# Usage: tools/gen-html-entities.py > src/engine/clip-html-entities.h

import html
import html.entities
import platform
import sys


def main():
    entities = html.entities.html5
    charrefs = html._invalid_charrefs
    codepoints = html._invalid_codepoints

    names = sorted(entities, key=lambda n: n.encode("ascii"))
    for name in names:
        # The C side relies on these: ASCII names, one or two code points,
        # and a replacement never longer than "&" + the name it replaces.
        value = entities[name]
        if not name.isascii() or len(value) not in (1, 2) or len(value) > len(name) + 1:
            sys.exit("unexpected entity %r" % name)
    for value in charrefs.values():
        if len(value) != 1:
            sys.exit("unexpected charref value %r" % value)

    out = []
    w = out.append
    w("/* clip-html-entities.h - the tables of Python's html.unescape(); generated.")
    w(" * Do not edit: regenerate with tools/gen-html-entities.py.")
    w(" *")
    w(" * Copyright 2026 The Clipsight authors")
    w(" * SPDX-License-Identifier: GPL-3.0-or-later")
    w(" *")
    w(" * Written by tools/gen-html-entities.py from the standard library of")
    w(" * Python %s.  Tables are sorted for binary search." % platform.python_version())
    w(" */")
    w("#pragma once")
    w("")
    w("#include <stdint.h>")
    w("")
    w("typedef struct {")
    w("  const char *name;     /* ASCII, with its ';' when it has one */")
    w("  uint32_t    value[2]; /* one or two code points; 0 ends a short one */")
    w("} clip_html_entity;")
    w("")
    w("typedef struct {")
    w("  uint32_t from;")
    w("  uint32_t to;")
    w("} clip_html_charref;")
    w("")
    w("#define CLIP_HTML_ENTITY_MAX_NAME %d" % max(len(n) for n in names))
    w("")
    w("/* html.entities.html5: %d names, sorted by strcmp(). */" % len(names))
    w("static const clip_html_entity clip_html_entities[%d] = {" % len(names))
    for name in names:
        cps = [ord(c) for c in entities[name]] + [0]
        w('  { "%s", { 0x%04X, 0x%04X } },' % (name, cps[0], cps[1]))
    w("};")
    w("")
    w("/* html._invalid_charrefs: numeric references that are remapped. */")
    w("static const clip_html_charref clip_html_invalid_charrefs[%d] = {" % len(charrefs))
    for num in sorted(charrefs):
        w("  { 0x%04X, 0x%04X }," % (num, ord(charrefs[num])))
    w("};")
    w("")
    w("/* html._invalid_codepoints: numeric references that are dropped. */")
    w("static const uint32_t clip_html_invalid_codepoints[%d] = {" % len(codepoints))
    cps = sorted(codepoints)
    for i in range(0, len(cps), 6):
        w("  " + " ".join("0x%06X," % c for c in cps[i:i + 6]))
    w("};")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
