#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes src/library/search/cs-vocabulary-data.c from data/vocabulary.txt.

The vocabulary is data, but the built-in list must be in the binary (the
library reads no data files) and its names must be in the C sources for
xgettext, marked NC_() with the context "photo concept" (a concept's name
can be a word the interface uses otherwise: "Library", a building here, is
the photo library in Preferences): this script turns the one into the
other.  Run it
from the source root after editing data/vocabulary.txt; the test
test-vocabulary checks that the two agree."""

import sys


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else 'data/vocabulary.txt'
    dst = sys.argv[2] if len(sys.argv) > 2 else 'src/library/search/cs-vocabulary-data.c'
    rows = []
    with open(src, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = [p.strip() for p in line.split('|')]
            rows.append((parts[0], '|'.join(p for p in parts[1:] if p)))
    out = ['/* cs-vocabulary-data.c - the built-in vocabulary (generated: do not edit).',
           ' *',
           ' * Copyright 2026 The Clipsight authors',
           ' * SPDX-License-Identifier: GPL-3.0-or-later',
           ' *',
           ' * Written by data/vocabulary-to-c.py from data/vocabulary.txt.',
           ' */',
           '#include "config.h"',
           '',
           '#include <glib/gi18n-lib.h>',
           '',
           '#include "cs-vocabulary.h"',
           '',
           'const CsBuiltinConcept cs_vocabulary_builtin_data[] = {']
    for name, prompts in rows:
        out.append('  { NC_("photo concept", %s), %s },' % (c_string(name), c_string(prompts)))
    out += ['};', '',
            'const guint cs_vocabulary_builtin_n = G_N_ELEMENTS (cs_vocabulary_builtin_data);', '']
    with open(dst, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))


if __name__ == '__main__':
    main()
