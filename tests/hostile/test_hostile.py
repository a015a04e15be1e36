#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Indexes the hostile corpus (make-corpus.py) under a memory cap.

`clipsight-cli index --json` must exit 0, finish within the test's
timeout, stay under the cap (an address-space limit of the weights + 1 GB
where the binary is not sanitized -- AddressSanitizer reserves terabytes
of address space -- and a peak resident size under the weights + 256 MB,
+ 1 GB when sanitized: any bomb decoded costs more), and account for every regular photo file: indexed when the
manifest says "index", listed in the failures with a reason that names
the file and says what is wrong otherwise.

Photos more than 256 folders deep are not indexed; the run's JSON summary
lists the folder where the walk stopped among its "skips" (left out on
purpose, not failures: the store does not keep them).
"""
import json
import math
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import shutil
import struct
import unittest
import zlib

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_DEPTH = 256          # the scanner's limit (cs-scanner.c)
RSS_MARGIN = 256 << 20   # bytes over the weights
RSS_MARGIN_SANITIZED = 1 << 30   # AddressSanitizer's quarantine and shadow
AS_MARGIN = 1 << 30

try:
    import PIL  # noqa: F401
    HAVE_PIL = True
except ImportError:
    HAVE_PIL = False


def sanitized(binary):
    try:
        out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return True
    return b"libasan" in out or b"libubsan" in out or b"libtsan" in out


@unittest.skipUnless(HAVE_PIL, "Pillow is absent")
class Hostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="clipsight-hostile-")
        cls.corpus = os.path.join(cls.tmp, "corpus")
        p = subprocess.run([sys.executable, os.path.join(HERE, "make-corpus.py"), cls.corpus],
                           stdout=subprocess.PIPE, check=True, timeout=300)
        cls.manifest = {bytes.fromhex(e["path"]): e for e in json.loads(p.stdout)}
        cls.model = os.path.join(cls.tmp, "model")
        subprocess.run([CLI, "make-test-model", "--preset", "tiny", cls.model],
                       stdout=subprocess.DEVNULL, check=True, timeout=300)
        cls.weights = os.path.getsize(os.path.join(cls.model, "model.safetensors"))
        cls.db = os.path.join(cls.tmp, "library.db")
        cls.capped = not sanitized(CLI)
        limit = cls.weights + AS_MARGIN

        def cap():
            if cls.capped:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cls.proc = subprocess.run([CLI, "index", "--json", "--database", cls.db, "--model", cls.model,
                                  cls.corpus], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, preexec_fn=cap, timeout=600)
        # the children's peak so far: make-corpus, make-test-model and the index run
        cls.peak_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        cls.before_rss = before * 1024
        sys.stderr.write(cls.proc.stderr.decode(errors="replace"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_exit_and_json(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr.decode(errors="replace"))
        summary = json.loads(self.proc.stdout)
        self.assertIn("failures", summary)
        for f in summary["failures"]:
            self.assertTrue(f["reason"], f)

    def test_memory(self):
        print("peak RSS of the children: %.1f MB (weights %.1f MB, address-space cap %s)"
              % (self.peak_rss / 1e6, self.weights / 1e6,
                 "%.0f MB" % ((self.weights + AS_MARGIN) / 1e6) if self.capped else "off (sanitized)"))
        self.assertLess(self.peak_rss, self.weights + (RSS_MARGIN if self.capped else RSS_MARGIN_SANITIZED))

    def test_every_file_accounted(self):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        indexed = {bytes(r[0]) for r in con.execute(
            "SELECT p.path FROM photos p JOIN vectors v ON v.photo_id = p.id")}
        failures = {bytes(r[0]): r[1] for r in con.execute("SELECT path, reason FROM failures")}
        con.close()
        corpus = os.fsencode(self.corpus)
        regular = set()
        for root, dirs, files in os.walk(corpus, followlinks=False):
            for name in files:
                path = os.path.join(root, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    regular.add(path)
        self.assertEqual(regular, set(self.manifest), "the manifest lists every regular file")

        skipped = {f["path"]: f["reason"] for f in json.loads(self.proc.stdout)["skips"]}
        problems = []
        for path, entry in sorted(self.manifest.items()):
            depth = path[len(corpus):].count(b"/") - 1
            shown = path.decode(errors="backslashreplace")
            if depth > MAX_DEPTH:
                # the scanner does not descend past the limit: the folder
                # where it stopped is listed, with the reason
                text = path.decode(errors="replace")
                reason = next((r for p, r in skipped.items()
                               if (text + "/").startswith(p.rstrip("/") + "/")), "")
                if path in indexed or "deep" not in reason:
                    problems.append("%s: %d folders deep, not skipped with its reason (%r)"
                                    % (shown[-60:], depth, reason))
                continue
            if entry["expect"] == "index":
                if path not in indexed:
                    problems.append("%s: not indexed (%s)" % (shown, failures.get(path, "no failure")))
            else:
                reason = failures.get(path)
                if path in indexed:
                    problems.append("%s: indexed, should have failed" % shown)
                elif reason is None:
                    problems.append("%s: neither indexed nor listed as failed" % shown)
                else:
                    lower = reason.lower()
                    for word in entry["words"]:
                        if word not in lower:
                            problems.append("%s: reason %r lacks %r" % (shown, reason, word))
                    if "unknown error" in lower:
                        problems.append("%s: vague reason %r" % (shown, reason))
        self.assertEqual(problems, [])


def poisoned_copy(src, dst, tensor=None, value=None, preprocess=None):
    """A copy of the model in src with one float of `tensor` set to `value`
    (written in the tensor's own dtype), or preprocessor_config.json's
    keys replaced from `preprocess`."""
    shutil.copytree(src, dst)
    if tensor is not None:
        path = os.path.join(dst, "model.safetensors")
        with open(path, "r+b") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            entry = header[tensor]
            fmt = {"F32": "<f", "F16": "<e"}[entry["dtype"]]
            f.seek(8 + n + entry["data_offsets"][0] + struct.calcsize(fmt) * 3)
            f.write(struct.pack(fmt, value))
    if preprocess is not None:
        path = os.path.join(dst, "preprocessor_config.json")
        with open(path) as f:
            config = json.load(f)
        config.update(preprocess)
        with open(path, "w") as f:
            json.dump(config, f)


class HostileModels(unittest.TestCase):
    """A model with a NaN or an infinity in its weights, or an image_std of
    1e-30, is refused at load with a reason that names what is wrong, and
    nothing is stored.  (A library already indexed with the unpoisoned
    model would not notice a change deep inside the weights: the model's id
    hashes the configs and part of the weights, so it would not load it.)"""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="clipsight-hostile-models-")
        cls.model = os.path.join(cls.tmp, "model")
        subprocess.run([CLI, "make-test-model", "--preset", "tiny", cls.model],
                       stdout=subprocess.DEVNULL, check=True, timeout=300)
        cls.photos = os.path.join(cls.tmp, "photos")
        os.makedirs(cls.photos)
        # a 2 x 2 grey PNG written by hand (no Pillow needed)
        raw = b"".join(b"\x00" + bytes([128] * 6) for _ in range(2))
        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        with open(os.path.join(cls.photos, "grey.png"), "wb") as f:
            f.write(png)
        with open(os.path.join(cls.model, "model.safetensors"), "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            cls.tensors = [k for k in json.loads(f.read(n)) if k != "__metadata__"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def index(self, db, model):
        return subprocess.run([CLI, "index", "--json", "--database", db, "--model", model, self.photos],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              timeout=300)

    def refused(self, name, words, **poison):
        model = os.path.join(self.tmp, name)
        poisoned_copy(self.model, model, **poison)
        db = os.path.join(self.tmp, name + ".db")
        p = self.index(db, model)
        err = p.stderr.decode(errors="replace")
        self.assertNotEqual(p.returncode, 0, "a %s model was accepted" % name)
        for w in words:
            self.assertIn(w, err)
        if os.path.exists(db):
            con = sqlite3.connect(db)
            try:
                self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                self.assertEqual(con.execute("SELECT count(*) FROM vectors").fetchone()[0], 0)
            finally:
                con.close()
        # and the same photos index with the model it was poisoned from
        good = self.index(os.path.join(self.tmp, name + "-good.db"), self.model)
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertEqual(json.loads(good.stdout)["added"], 1)

    def test_nan_weight(self):
        tensor = next(t for t in self.tensors if t.endswith("mlp.fc1.weight"))
        self.refused("nan", [tensor, "not a finite number"], tensor=tensor, value=float("nan"))

    def test_infinite_weight(self):
        tensor = next(t for t in self.tensors if "embeddings" in t)
        self.refused("inf", [tensor, "not a finite number"], tensor=tensor, value=float("inf"))

    def test_image_std_near_zero(self):
        self.refused("std", ["image_std"], preprocess={"image_std": [1e-30, 1e-30, 1e-30]})


if __name__ == "__main__":
    unittest.main(verbosity=2)
