#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A model whose arithmetic overflows: the engine refuses the embedding
(CLIP_STATUS_NOT_FINITE), and the indexer must record each photo as failed
with its reason and finish the run, not abort it or store a NaN vector.

The model is the toy CLIP with its vision tower's last layer norm biased to
3e38 (stored as F32) and a projection of ones, so every image embedding sums
64 values of 3e38 and overflows in float32 whatever the photo.  Truth: the
same photos index normally with the untouched toy model."""
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
SHARED = os.environ.get("CLIPSIGHT_SHARED", "")
TOY_MODEL = os.path.join(SHARED, "models", "toy-clip")
TOY_PHOTOS = os.path.join(SHARED, "testdata", "toy-photos")


def overflowing_model(src, dst):
    os.makedirs(dst)
    for f in os.listdir(src):
        if f != "model.safetensors":
            shutil.copy(os.path.join(src, f), dst)
    with open(os.path.join(src, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out, blobs, off = {}, [], 0
    for name, t in header.items():
        if name == "__metadata__":
            out[name] = t
            continue
        a, b = t["data_offsets"]
        raw, dtype = data[a:b], t["dtype"]
        count = 1
        for d in t["shape"]:
            count *= d
        value = {"vision_model.post_layernorm.bias": 3e38,
                 "vision_model.post_layernorm.weight": 0.0,
                 "visual_projection.weight": 1.0}.get(name)
        if value is not None:
            raw, dtype = struct.pack("<%df" % count, *([value] * count)), "F32"
        out[name] = {"dtype": dtype, "shape": t["shape"], "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(out).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(dst, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for blob in blobs:
            f.write(blob)


def index(db, model, folder):
    p = subprocess.run([CLI, "index", "--database", db, "--model", model, "--json", folder],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Overflow(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(TOY_MODEL):
            self.skipTest("../shared is absent")
        self.tmp = tempfile.mkdtemp(prefix="cs-overflow-")
        self.photos = os.path.join(self.tmp, "photos")
        os.makedirs(self.photos)
        for name in sorted(os.listdir(TOY_PHOTOS)):
            if name.endswith(".png") and len(os.listdir(self.photos)) < 5:
                shutil.copy(os.path.join(TOY_PHOTOS, name), self.photos)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_every_photo_fails_with_its_reason(self):
        model = os.path.join(self.tmp, "model")
        overflowing_model(TOY_MODEL, model)
        db = os.path.join(self.tmp, "library.db")
        rc, out, err = index(db, model, self.photos)
        self.assertEqual(rc, 0, err)
        summary = json.loads(out)
        self.assertEqual(summary["added"], 0)
        self.assertEqual(summary["failed"], 5)
        self.assertEqual(sorted(f["reason"] for f in summary["failures"]),
                         ["embedding is not finite"] * 5)
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("SELECT count(*) FROM vectors").fetchone()[0], 0)
        finally:
            con.close()

    def test_the_same_photos_index_with_the_toy_model(self):
        db = os.path.join(self.tmp, "library.db")
        rc, out, err = index(db, TOY_MODEL, self.photos)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["added"], 5)


if __name__ == "__main__":
    unittest.main()
