#!/usr/bin/env python3
"""Prints one closing line 'N passed, N failed, N skipped' over meson test logs.

With CLIPSIGHT_REQUIRE_SHARED=1 (CI), a test that skipped because a fixture
of ../shared is absent (its output names ../shared or CLIPSIGHT_SHARED)
counts as failed: CI must not pass on tests that did not run."""
import json
import os
import sys

require_shared = os.environ.get("CLIPSIGHT_REQUIRE_SHARED") == "1"
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                entry = json.loads(line)
                result = entry.get("result", "")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    out = (entry.get("stdout") or "") + (entry.get("stderr") or "")
                    if require_shared and ("shared" in out or "CLIPSIGHT_SHARED" in out):
                        print(f"{path}: {entry.get('name')} skipped for want of ../shared, "
                              "which CLIPSIGHT_REQUIRE_SHARED=1 forbids", file=sys.stderr)
                        failed += 1
                    else:
                        skipped += 1
                else:
                    failed += 1
    except OSError as e:
        print(f"cannot read {path}: {e}", file=sys.stderr)
        failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
