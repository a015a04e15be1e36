#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli bench: the JSON contract of the speed figures, with
--photos (decode, encoder, indexer end to end) on generated photos.

Checks shapes and signs only, never speeds.  Needs only the Python
standard library and the built clipsight-cli; exits 77 if every test
skipped."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
HAVE_CLI = shutil.which(CLI) is not None or os.access(CLI, os.X_OK)
need_cli = unittest.skipUnless(HAVE_CLI, "clipsight-cli is not built")


def run(*args, env=None):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=600, env=env)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


@need_cli
class Bench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="clipsight-bench-test-")
        cls.model = os.path.join(cls.tmp, "tiny")
        rc, _, err = run("make-test-model", "--preset", "tiny", cls.model)
        assert rc == 0, err
        cls.photos = os.path.join(cls.tmp, "photos")
        # the benchmark's own temporary database goes here: it must be gone after
        cls.scratch = os.path.join(cls.tmp, "scratch")
        os.mkdir(cls.scratch)
        cls.env = dict(os.environ, TMPDIR=cls.scratch)
        rc, out, err = run("bench", "--model", cls.model, "--batch", "2", "--repeat", "1",
                           "--photos", cls.photos, "--make-photos", "3", "--json", env=cls.env)
        assert rc == 0, err
        cls.out, cls.err = out, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertPositive(self, obj, key):
        self.assertIn(key, obj)
        self.assertIsInstance(obj[key], (int, float), key)
        self.assertGreater(obj[key], 0, key)

    def test_json_shape(self):
        lines = [ln for ln in self.out.splitlines() if ln.strip()]
        self.assertEqual(len(lines), 1, "one JSON object on one line")
        obj = json.loads(lines[0])
        self.assertIsInstance(obj["kernels"], str)
        self.assertTrue(obj["kernels"])
        self.assertEqual([im["batch"] for im in obj["image"]], [2])
        for im in obj["image"]:
            self.assertEqual(im["precision"], "f32")
            for key in ("per_s", "per_cpu_s", "gflops"):
                self.assertPositive(im, key)
        self.assertEqual([t["tokens"] for t in obj["text"]], [10, 77])
        for t in obj["text"]:
            self.assertEqual(t["precision"], "f32")
            self.assertPositive(t, "ms")
        self.assertPositive(obj, "peak_rss_mb")

        index = obj["index"]
        self.assertEqual(index["photos"], 3)
        for key in ("photos_per_s", "decode_cpu_ms", "decode_full_cpu_ms", "encode_cpu_ms",
                    "encoder_photos_per_s", "ratio", "seconds"):
            self.assertPositive(index, key)
        self.assertAlmostEqual(index["ratio"],
                               index["photos_per_s"] / index["encoder_photos_per_s"], delta=0.01)

    def test_made_photos(self):
        made = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.photos, "*")))
        self.assertEqual(made, ["bench-00001.jpg", "bench-00002.jpg", "bench-00003.jpg"])
        for name in made:
            with open(os.path.join(self.photos, name), "rb") as f:
                data = f.read()
            self.assertEqual(data[:2], b"\xff\xd8")
            self.assertGreater(len(data), 100_000)
        self.assertEqual(os.listdir(self.scratch), [], "the temporary database is removed")

    def test_photos_kept_and_human_output(self):
        # the folder holds photos now: --make-photos writes none
        before = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(self.photos, "*"))}
        rc, out, err = run("bench", "--model", self.model, "--batch", "1", "--repeat", "1",
                           "--photos", self.photos, "--make-photos", "5", env=self.env)
        self.assertEqual(rc, 0, err)
        after = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(self.photos, "*"))}
        self.assertEqual(before, after)
        for fragment in ("images/s", "photos: 3", "ms CPU per photo", "encoder alone",
                         "indexing end to end", "indexing / encoder alone", "peak RSS"):
            self.assertIn(fragment, out)
        self.assertEqual(os.listdir(self.scratch), [])

    def test_no_photos(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty, exist_ok=True)
        rc, out, err = run("bench", "--model", self.model, "--photos", empty, "--json")
        self.assertNotEqual(rc, 0)
        self.assertEqual(out, "")
        err_lines = [ln for ln in err.splitlines() if ln.strip()]
        self.assertEqual(len(err_lines), 1, err)
        self.assertIn("no photos", err_lines[0])

    def test_usage(self):
        for args in (["--make-photos", "2"],
                     ["--photos", self.photos, "--make-photos", "-1"]):
            rc, out, err = run("bench", "--model", self.model, *args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, "")
            self.assertEqual(len([ln for ln in err.splitlines() if ln.strip()]), 1, err)
        rc, out, _ = run("bench", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--photos", out)
        self.assertIn("--make-photos", out)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if ran == 0 else 0)
