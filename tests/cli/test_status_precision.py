#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli status: the measured precision choice.

The first index run over a model times f32 and every precision the CPU
has instructions for and keeps the fastest within cosine 0.995 of f32;
`status --json` shows it as "precision_calibration" (its own member:
"precision" already names the chosen precision) and plain `status` in one
line.  Truth is independent of the choice code: the CPU's name comes from
/proc/cpuinfo here, and the fastest passing precision is found by brute
force over the figures shown.  No timing is asserted.  Needs ../shared
(skips with 77 without it)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
SHARED = os.environ.get("CLIPSIGHT_SHARED", "")
TOY_MODEL = os.path.join(SHARED, "models", "toy-clip")
TOY_PHOTOS = os.path.join(SHARED, "testdata", "toy-photos")
HAVE_SHARED = os.path.isdir(TOY_MODEL) and os.path.isdir(TOY_PHOTOS)
FLOOR = 0.995
# what `status --json` printed before the calibration: kept as it was
OLD_FIELDS = ("database", "photos", "searchable", "failed", "dimension", "model", "building",
              "indexed_precision", "precision", "precision_check_cosine", "precision_check",
              "folders", "excluded", "failures")


def run(*args, env=None):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, env=env)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def cpuinfo_model_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                name, sep, value = line.partition(":")
                if sep and name.strip().lower() == "model name" and value.strip():
                    return " ".join(value.split())
    except OSError:
        pass
    return None


class StatusPrecision(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cs-status-precision-")
        self.photos = os.path.join(self.tmp, "photos")
        os.mkdir(self.photos)
        for name in sorted(os.listdir(TOY_PHOTOS))[:4]:
            shutil.copy(os.path.join(TOY_PHOTOS, name), self.photos)
        self.env = dict(os.environ)
        self.env.pop("CLIPSIGHT_PRECISION", None)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def status(self, db, *extra):
        rc, out, err = run("status", "--database", db, *extra, env=self.env)
        self.assertEqual(rc, 0, err)
        return out

    def index(self, db, *extra):
        rc, out, err = run("index", "--database", db, "--model", TOY_MODEL, "--json", *extra, self.photos,
                           env=self.env)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_status_shows_the_measured_choice(self):
        db = os.path.join(self.tmp, "library.db")
        s = self.index(db)
        st = json.loads(self.status(db, "--json"))
        for field in OLD_FIELDS:
            self.assertIn(field, st)
        self.assertIsInstance(st["precision"], str)
        cal = st["precision_calibration"]
        print(json.dumps(cal))
        self.assertEqual(set(cal), {"chosen", "cpu", "kernels", "tried"})
        self.assertEqual(cal["chosen"], s["precision"])
        self.assertEqual(cal["chosen"], st["precision"])
        self.assertEqual(st["indexed_precision"], s["precision"])
        name = cpuinfo_model_name()
        if name is not None:
            self.assertEqual(cal["cpu"], name[:127].rstrip())
        self.assertIsInstance(cal["kernels"], str)
        self.assertTrue(cal["kernels"])

        tried = cal["tried"]
        self.assertIn("f32", tried)
        self.assertEqual(tried["f32"]["cosine"], 1.0)
        self.assertTrue(set(tried) <= {"f32", "f16", "bf16", "int8"})
        passing = {}
        for p, fig in tried.items():
            self.assertEqual(set(fig), {"images_per_second", "cosine"})
            # the same cosines as the older member
            self.assertEqual(fig["cosine"], st["precision_check"][p])
            if fig["cosine"] < 0:
                continue  # overflowed
            self.assertGreater(fig["images_per_second"], 0)
            if p == "f32" or fig["cosine"] >= FLOOR:
                passing[p] = fig["images_per_second"]
        # the choice passed the floor and is the fastest that did
        self.assertIn(cal["chosen"], passing)
        self.assertEqual(passing[cal["chosen"]], max(passing.values()))
        self.assertEqual(st["precision_check_cosine"], tried[cal["chosen"]]["cosine"])

        # plain status: the old line as it was, and one line of figures
        text = self.status(db).splitlines()
        self.assertEqual(len([l for l in text if l.startswith("precision: ")]), 1)
        measured = [l for l in text if l.startswith("precision measured:")]
        self.assertEqual(len(measured), 1, text)
        for p in tried:
            self.assertIn(f" {p} ", measured[0])
        self.assertIn(f"on {cal['cpu']} ({cal['kernels']})", measured[0])

    def test_no_check_no_calibration(self):
        db = os.path.join(self.tmp, "forced.db")
        # a forced precision is not checked: nothing to show
        self.index(db, "--precision", "f32")
        st = json.loads(self.status(db, "--json"))
        self.assertIsNone(st["precision_calibration"])
        self.assertIsNone(st["precision"])
        self.assertFalse([l for l in self.status(db).splitlines() if l.startswith("precision measured:")])


if __name__ == "__main__":
    if not HAVE_SHARED:
        print("../shared missing: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
