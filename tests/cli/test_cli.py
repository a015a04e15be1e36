#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli end to end: the command-line contract, the error messages,
and real retrieval with the toy CLIP on the toy photos (against the
reference implementation's embeddings and figures in ../shared).

Needs only the Python standard library.  Tests that need ../shared are
skipped when it is absent; the whole file exits 77 if every test skipped."""
import hashlib
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
SHARED = os.environ.get("CLIPSIGHT_SHARED", "")
TOY_MODEL = os.path.join(SHARED, "models", "toy-clip")
TOY_PHOTOS = os.path.join(SHARED, "testdata", "toy-photos")
GOLDEN = os.path.join(SHARED, "testdata", "clip-reference")
HAVE_SHARED = os.path.isdir(TOY_MODEL) and os.path.isdir(TOY_PHOTOS) and os.path.isdir(GOLDEN)
need_shared = unittest.skipUnless(HAVE_SHARED, "../shared is absent")


def run(*args, stdin=b""):
    p = subprocess.run([CLI, *args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def lines(out):
    return [json.loads(ln) for ln in out.splitlines() if ln.strip()]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest(), os.stat(path).st_mtime_ns


class TempDirCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="clipsight-cli-test-")
        # a tiny random model with a generated tokenizer: needs nothing from ../shared
        cls.model = os.path.join(cls.tmp, "tiny")
        rc, _, err = run("make-test-model", "--preset", "tiny", "--dtype", "f16", cls.model)
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertFailsWith(self, args, *fragments):
        rc, out, err = run(*args)
        self.assertNotEqual(rc, 0, f"{args} succeeded")
        self.assertEqual(out, "", "nothing on stdout on failure")
        err_lines = [ln for ln in err.splitlines() if ln.strip()]
        self.assertEqual(len(err_lines), 1, f"one line on stderr, got {err!r}")
        for frag in fragments:
            self.assertIn(frag, err_lines[0])
        return err_lines[0]


class Contract(TempDirCase):
    def test_tokenize_stdin_and_arguments(self):
        rc, out, err = run("tokenize", "--model", self.model, stdin=b"hello world\n\nsecond line\n")
        self.assertEqual(rc, 0, err)
        objs = lines(out)
        self.assertEqual([o["text"] for o in objs], ["hello world", "", "second line"])
        for o in objs:
            self.assertEqual(len(o["ids"]), 77)
        # empty text: start, end, zero padding
        self.assertEqual(objs[1]["ids"][:3], [objs[1]["ids"][0], objs[1]["ids"][1], 0])
        rc, out, err = run("tokenize", "--model", self.model, "--", "-dash first", "two\nlines")
        self.assertEqual(rc, 0, err)
        self.assertEqual([o["text"] for o in lines(out)], ["-dash first", "two\nlines"])

    def test_json_escapes_every_control_character(self):
        # JSON forbids raw C0 controls in a string (json.loads is strict);
        # json-glib 1.6 leaves U+001F raw, which the CLI must make up for.
        # Lines split at "\n" alone: str.splitlines() would split at
        # U+001C to U+001E, U+0085 and U+2028 too.
        def json_lines(out):
            return [json.loads(ln) for ln in out.split("\n") if ln]
        text = "".join(chr(c) for c in range(1, 0x20)) + "\x7f\u0080\u009f \" \\ / \u2028 é"
        rc, out, err = run("tokenize", "--model", self.model, "--", text, "unit\x1fsep")
        self.assertEqual(rc, 0, err)
        self.assertEqual([o["text"] for o in json_lines(out)], [text, "unit\x1fsep"])
        rc, out, err = run("embed", "--model", self.model, "--text", text)
        self.assertEqual(rc, 0, err)
        self.assertEqual([o["text"] for o in json_lines(out)], [text])

    def test_embed_keeps_order_and_normalises(self):
        img = os.path.join(self.tmp, "grey.png")
        # a valid 2x2 grey PNG written by hand (zlib stored block)
        write_png(img, 2, 2, bytes([128] * 12))
        rc, out, err = run("embed", "--model", self.model, "--text", "a", "--image", img,
                           "--text", "b", "--image", img)
        self.assertEqual(rc, 0, err)
        objs = lines(out)
        self.assertEqual([("text" in o, o.get("text", o.get("image"))) for o in objs],
                         [(True, "a"), (False, img), (True, "b"), (False, img)])
        for o in objs:
            self.assertEqual(len(o["embedding"]), 32)
            self.assertAlmostEqual(math.sqrt(sum(x * x for x in o["embedding"])), 1.0, places=5)
        self.assertGreater(cosine(objs[1]["embedding"], objs[3]["embedding"]), 0.999999)

    def test_embed_never_prints_non_finite(self):
        # finite but huge projection weights (3e38, valid float32, so a
        # load-time check of finiteness lets them through): the projected
        # vector overflows to infinity, its normalisation gives NaN.  embed
        # must not print "nan" or "inf" (not JSON), but fail saying why.
        model = os.path.join(self.tmp, "overflowing")
        rc, _, err = run("make-test-model", "--preset", "tiny", "--dtype", "f32", model)
        self.assertEqual(rc, 0, err)
        path = os.path.join(model, "model.safetensors")
        with open(path, "rb") as f:
            data = bytearray(f.read())
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        for name in ("text_projection.weight", "visual_projection.weight"):
            start, end = header[name]["data_offsets"]
            for off in range(8 + n + start, 8 + n + end, 4):
                x = struct.unpack_from("<f", data, off)[0]
                struct.pack_into("<f", data, off, 3e38 if x >= 0 else -3e38)
        with open(path, "wb") as f:
            f.write(data)
        img = os.path.join(self.tmp, "grey-nf.png")
        write_png(img, 2, 2, bytes([128] * 12))
        for args in (["--text", "hello"], ["--image", img], ["--text", "a", "--image", img]):
            rc, out, err = run("embed", "--model", model, *args)
            self.assertNotEqual(rc, 0, args)
            self.assertNotIn("nan", out.lower())
            self.assertNotIn("inf", out.lower())
            self.assertEqual(out, "", "nothing on stdout on failure")
            self.assertEqual(len(err.splitlines()), 1, err)
            # the engine refuses ("is not a finite number"), or the CLI does ("is not finite")
            self.assertRegex(err, r"not (a )?finite")

    def test_preprocess_writes_chw_float32(self):
        img = os.path.join(self.tmp, "red.png")
        write_png(img, 3, 2, bytes([255, 0, 0] * 6))
        out_path = os.path.join(self.tmp, "red.f32")
        rc, _, err = run("preprocess", "--model", self.model, "--image", img, "--output", out_path)
        self.assertEqual(rc, 0, err)
        import array
        a = array.array("f")
        with open(out_path, "rb") as f:
            a.frombytes(f.read())
        self.assertEqual(len(a), 3 * 224 * 224)
        # a constant image stays constant through the resize: (1 - mean) / std, (0 - mean) / std
        with open(os.path.join(self.model, "preprocessor_config.json")) as f:
            pp = json.load(f)
        want_r = (1.0 - pp["image_mean"][0]) / pp["image_std"][0]
        want_g = (0.0 - pp["image_mean"][1]) / pp["image_std"][1]
        self.assertAlmostEqual(a[0], want_r, places=5)
        self.assertAlmostEqual(a[224 * 224 + 500], want_g, places=5)

    def test_make_test_model_presets_and_dtypes(self):
        for dtype in ("f32", "bf16"):
            d = os.path.join(self.tmp, "m-" + dtype)
            rc, _, err = run("make-test-model", "--preset", "tiny", "--dtype", dtype, d)
            self.assertEqual(rc, 0, err)
            rc, out, err = run("embed", "--model", d, "--text", "x")
            self.assertEqual(rc, 0, err)
        self.assertFailsWith(["make-test-model", "--preset", "vit-z-99", os.path.join(self.tmp, "z")],
                             "vit-z-99")
        self.assertFailsWith(["make-test-model", "--dtype", "f8", os.path.join(self.tmp, "z")], "f8")

    def test_make_test_model_outliers(self):
        """--outliers: the same few channels of every block layer norm get
        gains of 20-100 and biases of 0.1-0.5 times them; q/k/v and fc1 take
        them back in those input columns; without it, no channel stands out."""
        def tensors(d):
            with open(os.path.join(d, "model.safetensors"), "rb") as f:
                n = struct.unpack("<Q", f.read(8))[0]
                header = json.loads(f.read(n))
                data = f.read()
            def get(name):
                t = header[name]
                b, e = t["data_offsets"]
                return list(struct.unpack("<%df" % ((e - b) // 4), data[b:e])), t["shape"]
            return get
        plain, outl = os.path.join(self.tmp, "plain"), os.path.join(self.tmp, "outliers")
        for d, extra in ((plain, []), (outl, ["--outliers"])):
            rc, _, err = run("make-test-model", "--preset", "tiny", *extra, d)
            self.assertEqual(rc, 0, err)
        get = tensors(plain)
        g, _ = get("vision_model.encoder.layers.0.layer_norm1.weight")
        self.assertLess(max(abs(x) for x in g), 1.2)
        get = tensors(outl)
        channels = None
        for tower in ("vision_model", "text_model"):
            for norm in ("encoder.layers.0.layer_norm1", "encoder.layers.1.layer_norm2"):
                g, _ = get("%s.%s.weight" % (tower, norm))
                b, _ = get("%s.%s.bias" % (tower, norm))
                big = [c for c in range(len(g)) if abs(g[c]) > 2]
                self.assertEqual(len(big), 2, (tower, norm))  # 2 in a 64-wide tower
                if tower == "vision_model":
                    channels = channels or big
                    self.assertEqual(big, channels)
                for c in big:
                    self.assertTrue(20 <= abs(g[c]) <= 100, g[c])
                    self.assertTrue(0.1 * abs(g[c]) - 1e-4 <= abs(b[c]) <= 0.5 * abs(g[c]) + 1e-4, b[c])
        g, _ = get("vision_model.encoder.layers.0.layer_norm1.weight")
        q, shape = get("vision_model.encoder.layers.0.self_attn.q_proj.weight")
        k = shape[1]
        for c in channels:
            col = max(abs(q[r * k + c]) for r in range(shape[0]))
            # the others are ~N(0, 0.02): bounded by 3.5 x 0.02; these by that / (|g| / 2)
            self.assertLess(col, 0.07 * 2 / abs(g[c]) + 1e-6)


class Errors(TempDirCase):
    """Each bad input: a non-zero exit, one line naming the file and the problem."""

    def copy_model(self, name):
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.model, d)
        return d

    def test_missing_model_directory(self):
        missing = os.path.join(self.tmp, "nope")
        self.assertFailsWith(["embed", "--model", missing, "--text", "x"], "nope")

    def test_missing_each_model_file(self):
        for name in ("config.json", "model.safetensors", "vocab.json", "merges.txt",
                     "preprocessor_config.json"):
            d = self.copy_model("missing-" + name)
            os.remove(os.path.join(d, name))
            self.assertFailsWith(["embed", "--model", d, "--text", "x"], name)

    def test_malformed_config(self):
        d = self.copy_model("bad-config")
        with open(os.path.join(d, "config.json"), "w") as f:
            f.write("{ not json")
        self.assertFailsWith(["embed", "--model", d, "--text", "x"], "config.json")

    def test_truncated_safetensors(self):
        d = self.copy_model("truncated-st")
        p = os.path.join(d, "model.safetensors")
        size = os.path.getsize(p)
        with open(p, "r+b") as f:
            f.truncate(size // 2)
        self.assertFailsWith(["embed", "--model", d, "--text", "x"], "model.safetensors")

    def test_bad_images(self):
        text_jpg = os.path.join(self.tmp, "notes.jpg")
        with open(text_jpg, "w") as f:
            f.write("this is a text file, not a JPEG\n" * 20)
        empty = os.path.join(self.tmp, "empty.png")
        open(empty, "wb").close()
        missing = os.path.join(self.tmp, "missing.jpg")
        for path in (text_jpg, empty, missing):
            before = file_digest(path) if os.path.exists(path) else None
            self.assertFailsWith(["embed", "--model", self.model, "--image", path], os.path.basename(path))
            if before:
                self.assertEqual(file_digest(path), before, "the photo was not modified")

    @need_shared
    def test_truncated_jpeg(self):
        src = os.path.join(GOLDEN, "images", "rocket.jpg")
        dst = os.path.join(self.tmp, "rocket-cut.jpg")
        with open(src, "rb") as f:
            data = f.read()
        with open(dst, "wb") as f:
            f.write(data[: len(data) // 2])
        self.assertFailsWith(["embed", "--model", self.model, "--image", dst], "rocket-cut.jpg")

    def test_usage_errors(self):
        rc, _, _ = run("no-such-command")
        self.assertEqual(rc, 2)
        rc, _, err = run("embed", "--text", "x")
        if "CLIPSIGHT_MODEL" not in os.environ:
            self.assertEqual(rc, 2)
            self.assertIn("model", err)


@need_shared
class ToyRetrieval(unittest.TestCase):
    """Real search with a really trained (tiny) CLIP: 'a red circle' finds red circles."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(TOY_PHOTOS, "queries.json")) as f:
            cls.queries = json.load(f)
        with open(os.path.join(TOY_PHOTOS, "reference_embeddings.json")) as f:
            cls.ref = json.load(f)
        cls.files = sorted(fn for fn in os.listdir(TOY_PHOTOS) if fn.startswith("photo-"))
        cls.digests = {fn: file_digest(os.path.join(TOY_PHOTOS, fn)) for fn in cls.files}
        texts = [q["query"] for q in cls.queries["queries"]]
        args = ["embed", "--model", TOY_MODEL]
        for fn in cls.files:
            args += ["--image", os.path.join(TOY_PHOTOS, fn)]
        for t in texts:
            args += ["--text", t]
        rc, out, err = run(*args)
        assert rc == 0, err
        objs = lines(out)
        cls.img = {os.path.basename(o["image"]): o["embedding"] for o in objs if "image" in o}
        cls.txt = {o["text"]: o["embedding"] for o in objs if "text" in o}

    def test_photos_untouched(self):
        for fn in self.files:
            self.assertEqual(file_digest(os.path.join(TOY_PHOTOS, fn)), self.digests[fn])

    def test_embeddings_match_reference(self):
        worst = min(cosine(self.img[fn], self.ref["images"][fn]) for fn in self.files)
        worst_t = min(cosine(v, self.ref["texts"][t]) for t, v in self.txt.items())
        print(f"toy-clip vs reference: worst image cosine {worst:.6f}, worst text cosine {worst_t:.6f}")
        self.assertGreaterEqual(worst, 0.999)
        self.assertGreaterEqual(worst_t, 0.999)

    def test_queries_find_their_photos(self):
        total = 0.0
        for q in self.queries["queries"]:
            qv = self.txt[q["query"]]
            ranked = sorted(self.files, key=lambda fn: -sum(a * b for a, b in zip(qv, self.img[fn])))
            p10 = sum(1 for fn in ranked[:10] if fn in set(q["relevant"])) / 10
            total += p10
            # the reference's own figure, give or take one near-tie
            self.assertGreaterEqual(p10, q["reference"]["precision_at_10"] - 0.1, q["query"])
        mean = total / len(self.queries["queries"])
        print(f"toy retrieval: mean P@10 {mean:.3f} over {len(self.queries['queries'])} queries")
        self.assertGreaterEqual(mean, 0.8)

    def test_red_circle(self):
        q = next(q for q in self.queries["queries"] if q["query"] == "a red circle")
        qv = self.txt["a red circle"]
        ranked = sorted(self.files, key=lambda fn: -sum(a * b for a, b in zip(qv, self.img[fn])))
        self.assertIn(ranked[0], q["relevant"])
        self.assertGreaterEqual(sum(fn in q["relevant"] for fn in ranked[:10]), 7)


def write_png(path, w, h, rgb):
    import struct
    import zlib
    raw = b"".join(b"\x00" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if ran == 0 else 0)
