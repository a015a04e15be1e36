#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`clipsight` run where its settings schema is not installed (a build tree
run directly) prints one line saying how to run it, and exits 1, instead of
GLib's abort; with the build's schemas it gets past that check (--help)."""
import os
import subprocess
import sys
import tempfile

app, schema_dir = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as empty:
    env = dict(os.environ, XDG_DATA_DIRS=empty, GSETTINGS_SCHEMA_DIR=empty, LANGUAGE="C", LC_ALL="C")
    p = subprocess.run([app], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=60)
    err = p.stderr.decode()
    assert p.returncode == 1, (p.returncode, err)
    assert p.stdout == b"", p.stdout
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "settings schema io.github.clipsight.Clipsight is not installed" in lines[0], err
    assert "meson devenv -C build clipsight" in lines[0], err

    env["GSETTINGS_SCHEMA_DIR"] = schema_dir
    p = subprocess.run([app, "--help"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    assert b"Usage:" in p.stdout, p.stdout
print("ok")
