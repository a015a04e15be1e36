#!/usr/bin/env python3
"""Runs ../shared/checks/compare.py against the built clipsight-cli, as the
outside checks run it; skipped (77) when ../shared is absent."""
import os
import subprocess
import sys

shared = os.environ.get("CLIPSIGHT_SHARED", "")
script = os.path.join(shared, "checks", "compare.py")
if not shared or not os.path.isfile(script):
    print("SKIP: ../shared/checks/compare.py is absent")
    sys.exit(77)
sys.exit(subprocess.call([sys.executable, script, "--cli", sys.argv[1]]))
