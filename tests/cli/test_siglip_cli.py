#!/usr/bin/python3
# test_siglip_cli.py - clipsight-cli tokenize / embed / preprocess on the
# SigLIP and SigLIP 2 golden directories (tests/data/siglip, written by
# tools/make-siglip-reference.py): the same commands and JSON shapes as for
# CLIP, the numbers of the independent reference.
#
# Copyright 2026 The Clipsight authors
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "siglip")

with open(os.path.join(DATA, "embeddings.json"), encoding="utf-8") as f:
    GOLD = json.load(f)


def run(*args):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args, p.returncode, p.stderr.decode()))
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line]


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


class SiglipCli(unittest.TestCase):
    def test_tokenize(self):
        for model, key in (("siglip", "ids_siglip"), ("siglip2", "ids_siglip2")):
            rows = run("tokenize", "-m", os.path.join(DATA, model), "--", *GOLD["texts"])
            self.assertEqual(len(rows), len(GOLD["texts"]))
            for row, text, ids in zip(rows, GOLD["texts"], GOLD[key]):
                self.assertEqual(row["ids"], ids, "%s: %r" % (model, text))

    def test_preprocess(self):
        with tempfile.TemporaryDirectory() as tmp:
            for stem in GOLD["images"]:
                out = os.path.join(tmp, stem + ".f32")
                subprocess.run([CLI, "preprocess", "-m", os.path.join(DATA, "siglip2"), "-i",
                                os.path.join(DATA, "images", stem + ".png"), "-o", out], check=True)
                with open(out, "rb") as f:
                    got = f.read()
                with open(os.path.join(DATA, "preprocess", stem + ".f32"), "rb") as f:
                    want = f.read()
                self.assertEqual(len(got), len(want))
                n = len(got) // 4
                d = max(abs(a - b) for a, b in zip(struct.unpack("<%df" % n, got),
                                                   struct.unpack("<%df" % n, want)))
                self.assertLessEqual(d, 0.02, stem)

    def test_embed(self):
        for model in ("siglip", "siglip2-f16"):
            gold = GOLD["models"][model]
            args = ["embed", "-m", os.path.join(DATA, model)]
            for stem in GOLD["images"]:
                args += ["-i", os.path.join(DATA, "images", stem + ".png")]
            for text in GOLD["texts"]:
                args += ["-t", text]
            rows = run(*args)
            self.assertEqual(len(rows), len(GOLD["images"]) + len(GOLD["texts"]))
            for row in rows:
                self.assertEqual(len(row["embedding"]), gold["embed_dim"])
                if "image" in row:
                    stem = os.path.splitext(os.path.basename(row["image"]))[0]
                    want = gold["image_embeddings"][stem]["normalized"]
                else:
                    want = gold["text_embeddings"][GOLD["texts"].index(row["text"])]["normalized"]
                self.assertGreaterEqual(cosine(row["embedding"], want), 0.9999,
                                        "%s: %s" % (model, row.get("image", row.get("text"))))


if __name__ == "__main__":
    sys.exit(unittest.main())
