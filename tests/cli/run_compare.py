#!/usr/bin/env python3
"""Runs ../shared/checks/compare.py against the built clipsight-cli, as the
outside checks run it.  Skipped (77: this test uses the exitcode protocol)
when ../shared is absent, unless CLIPSIGHT_REQUIRE_SHARED=1 (CI sets it):
then an absent fixture fails the test."""
import os
import subprocess
import sys

shared = os.environ.get("CLIPSIGHT_SHARED", "")
script = os.path.join(shared, "checks", "compare.py")
if not shared or not os.path.isfile(script):
    if os.environ.get("CLIPSIGHT_REQUIRE_SHARED") == "1":
        print(f"FAIL: {script or '../shared/checks/compare.py'} is absent, and "
              "CLIPSIGHT_REQUIRE_SHARED=1 forbids skipping")
        sys.exit(1)
    print("SKIP: ../shared/checks/compare.py is absent")
    sys.exit(77)
sys.exit(subprocess.call([sys.executable, script, "--cli", sys.argv[1]]))
