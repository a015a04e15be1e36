#!/usr/bin/python3
# test_siglip_library_cli.py - clipsight-cli index / search / label on the
# SigLIP and SigLIP 2 test models (tests/data/siglip), against the
# independent reference's numbers (embeddings.json, written by
# tools/make-siglip-reference.py in float64): every photo's search score is
# the reference's cosine, its probability the reference's sigmoid
# probability, and a label's members are the photos whose reference
# probability reaches its threshold.
#
# Copyright 2026 The Clipsight authors
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "siglip")

with open(os.path.join(DATA, "embeddings.json"), encoding="utf-8") as f:
    GOLD = json.load(f)

# Texts the query syntax takes as one plain term (no comma, no weight),
# in several scripts.
QUERIES = [0, 1, 4, 7, 8, 13, 15, 16]
# the reference is float64 on the stored weights; the engine float32
TOLERANCE = 1e-4


def run(*args, env=None):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args, p.returncode, p.stderr.decode()))
    return p.stdout.decode()


def rows(*args):
    return [json.loads(line) for line in run(*args).splitlines() if line]


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


class SiglipLibraryCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.photos = os.path.join(self.tmp, "photos")
        os.mkdir(self.photos)
        for stem in GOLD["images"]:
            shutil.copy(os.path.join(DATA, "images", stem + ".png"), self.photos)
        self.db = os.path.join(self.tmp, "library.db")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def index(self, model):
        out = json.loads(run("index", "-d", self.db, "-m", os.path.join(DATA, model), "--precision", "f32",
                             "--json", self.photos))
        self.assertEqual(out["failed"], 0)

    def stem(self, path):
        return os.path.splitext(os.path.basename(path))[0]

    def check_model(self, model):
        gold = GOLD["models"][model]
        self.index(model)
        for t in QUERIES:
            text = GOLD["texts"][t]
            tv = gold["text_embeddings"][t]["normalized"]
            got = rows("search", "-d", self.db, "--json", "-n", "0", "--strictness", "-1", "--", text)
            self.assertEqual(sorted(self.stem(r["path"]) for r in got), sorted(GOLD["images"]), text)
            for r in got:
                s = self.stem(r["path"])
                want_cos = cosine(gold["image_embeddings"][s]["normalized"], tv)
                self.assertAlmostEqual(r["score"], want_cos, delta=TOLERANCE, msg="%s %s %r" % (model, s, text))
                self.assertAlmostEqual(r["probability"], gold["probs"][s][t], delta=TOLERANCE,
                                       msg="%s %s %r" % (model, s, text))
            # best first
            self.assertEqual([r["score"] for r in got], sorted((r["score"] for r in got), reverse=True))

        # a label of one prompt, its threshold between two reference
        # probabilities: the members are exactly those above it
        t = 4  # "a cat"
        probs = sorted(gold["probs"][s][t] for s in GOLD["images"])
        threshold = (probs[2] + probs[3]) / 2
        run("label", "-d", self.db, "add", "cat", "-p", GOLD["texts"][t], "-t", "%.9f" % threshold)
        shown = rows("label", "-d", self.db, "show", "cat", "--json")
        want = {s for s in GOLD["images"] if gold["probs"][s][t] >= threshold}
        self.assertEqual({self.stem(r["path"]) for r in shown}, want)
        for r in shown:
            self.assertAlmostEqual(r["probability"], gold["probs"][self.stem(r["path"])][t], delta=TOLERANCE)
        # a label without a threshold gets SigLIP's default, 0.1
        out = json.loads(run("label", "-d", self.db, "add", "rocket", "--json"))
        self.assertAlmostEqual(out["threshold"], 0.1)

    def test_siglip2(self):
        self.check_model("siglip2")

    def test_siglip(self):
        self.check_model("siglip")

    def test_switch_keeps_labels(self):
        # SigLIP -> SigLIP 2 on the same folder: the second model's vectors
        # replace the first's; the label and its threshold stay and its
        # members follow the new model's probabilities
        self.index("siglip")
        run("label", "-d", self.db, "add", "cat", "-p", GOLD["texts"][4], "-t", "0.05")
        self.index("siglip2")
        gold = GOLD["models"]["siglip2"]
        shown = rows("label", "-d", self.db, "show", "cat", "--json")
        want = {s for s in GOLD["images"] if gold["probs"][s][4] >= 0.05}
        self.assertEqual({self.stem(r["path"]) for r in shown}, want)
        status = run("label", "-d", self.db, "list")
        self.assertIn("threshold 0.05", status)

    def test_pending_model_answers_with_the_indexed_one(self):
        # the photos have SigLIP vectors; a search naming SigLIP 2 (whose
        # vectors are not made yet) is answered by SigLIP, with a note
        self.index("siglip")
        t = 4
        p = subprocess.run([CLI, "search", "-d", self.db, "-m", os.path.join(DATA, "siglip2"), "--json",
                            "-n", "0", "--strictness", "-1", "--", GOLD["texts"][t]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("not indexed with this model yet", p.stderr.decode())
        gold = GOLD["models"]["siglip"]
        for line in p.stdout.decode().splitlines():
            r = json.loads(line)
            self.assertAlmostEqual(r["probability"], gold["probs"][self.stem(r["path"])][t], delta=TOLERANCE)


if __name__ == "__main__":
    sys.exit(unittest.main())
