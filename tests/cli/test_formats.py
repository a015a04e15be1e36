#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every photo format Clipsight reads gives the embedding of the same
picture stored losslessly (PNG): the same vector for lossless formats,
a close one for lossy ones.  The files are written by Pillow and by
libheif's and libavif's own encoders (heif-enc, avifenc), not by us."""
import json
import math
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

try:
    from PIL import Image
    HAVE_PIL = True
except ImportError:
    HAVE_PIL = False


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@unittest.skipUnless(HAVE_PIL and os.path.isdir(TOY_MODEL), "Pillow or ../shared is absent")
class Formats(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="clipsight-formats-")
        self.src = os.path.join(self.tmp, "source.png")
        with Image.open(os.path.join(TOY_PHOTOS, "photo-0010.png")) as im:
            im.convert("RGB").save(self.src)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def embed(self, paths):
        args = ["embed", "--model", TOY_MODEL]
        for p in paths:
            args += ["--image", p]
        p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return [json.loads(ln)["embedding"] for ln in p.stdout.decode().splitlines() if ln.strip()]

    def test_lossless_formats_give_the_same_vector(self):
        files = []
        with Image.open(self.src) as im:
            for ext, kw in (("bmp", {}), ("tif", {}), ("webp", {"lossless": True})):
                path = os.path.join(self.tmp, "copy." + ext)
                im.save(path, **kw)
                files.append(path)
        vecs = self.embed([self.src] + files)
        for path, v in zip(files, vecs[1:]):
            self.assertGreater(cosine(vecs[0], v), 0.999999, path)

    def test_lossy_formats_stay_close(self):
        files = []
        with Image.open(self.src) as im:
            for ext, kw in (("jpg", {"quality": 95}), ("webp", {"quality": 95})):
                path = os.path.join(self.tmp, "lossy." + ext)
                im.save(path, **kw)
                files.append(path)
        tools = (("heic", ["heif-enc", "-q", "95", "-o"]), ("avif", ["avifenc", "-q", "95", "-o"]))
        for ext, cmd in tools:
            if shutil.which(cmd[0]) is None:
                continue
            path = os.path.join(self.tmp, "lossy." + ext)
            if ext == "avif":
                r = subprocess.run(["avifenc", "--min", "0", "--max", "10", self.src, path],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            else:
                r = subprocess.run(cmd + [path, self.src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(r.returncode, 0, r.stdout.decode())
            files.append(path)
        vecs = self.embed([self.src] + files)
        for path, v in zip(files, vecs[1:]):
            c = cosine(vecs[0], v)
            print(f"{os.path.basename(path)}: cosine {c:.5f} to the PNG")
            self.assertGreater(c, 0.97, path)
        if os.environ.get("CI") == "true":
            self.assertTrue(any(f.endswith(".heic") for f in files), "heif-enc is installed in CI")
            self.assertTrue(any(f.endswith(".avif") for f in files), "avifenc is installed in CI")

    def test_gif_first_frame(self):
        with Image.open(self.src) as im:
            first = im.convert("P", palette=Image.ADAPTIVE, colors=255)
            other = Image.new("P", im.size, 0)
            path = os.path.join(self.tmp, "anim.gif")
            first.save(path, save_all=True, append_images=[other], duration=100, loop=0)
            single = os.path.join(self.tmp, "single.gif")
            first.save(single)
        vecs = self.embed([path, single])
        self.assertGreater(cosine(vecs[0], vecs[1]), 0.999999, "the first frame is the one embedded")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if ran == 0 else 0)
