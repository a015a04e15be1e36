#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli index and status, end to end: the toy photos with the toy
CLIP, the rename/move/delete/modify cycle, kills at random moments, two
indexers on one database, and a corpus of hostile files.

Truth is independent of the indexer: vectors are compared with
`clipsight-cli embed` of the same files, counts with what the test did to
the folder, the database with SQLite's own integrity check.  Needs
../shared (skips with 77 without it) and Pillow (python3-pil) for the
hostile corpus."""
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
SHARED = os.environ.get("CLIPSIGHT_SHARED", "")
TOY_MODEL = os.path.join(SHARED, "models", "toy-clip")
TOY_PHOTOS = os.path.join(SHARED, "testdata", "toy-photos")
HAVE_SHARED = os.path.isdir(TOY_MODEL) and os.path.isdir(TOY_PHOTOS)

try:
    from PIL import Image
    HAVE_PIL = True
except ImportError:
    HAVE_PIL = False


def run(*args, timeout=600):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def index(db, *folders, extra=()):
    rc, out, err = run("index", "--database", db, "--model", TOY_MODEL, "--json", *extra, *folders)
    assert rc == 0, f"index failed: {err}"
    return json.loads(out)


def status(db):
    rc, out, err = run("status", "--database", db, "--json")
    assert rc == 0, err
    return json.loads(out)


def integrity(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0], \
            con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()


def stored_vectors(db):
    """path -> vector, straight from SQLite (little-endian float32 blobs)."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT p.path, v.vector FROM photos p JOIN vectors v ON v.photo_id = p.id").fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" not in str(e):
            raise
        rows = []  # killed before the schema was created: an empty library
    finally:
        con.close()
    out = {}
    for path, blob in rows:
        out[os.fsdecode(bytes(path))] = struct.unpack("<%df" % (len(blob) // 4), blob)
    return out


def embed_files(paths, precision="f32"):
    args = ["embed", "--model", TOY_MODEL, "--precision", precision]
    for p in paths:
        args += ["--image", p]
    rc, out, err = run(*args)
    assert rc == 0, err
    return {json.loads(ln)["image"]: json.loads(ln)["embedding"] for ln in out.splitlines() if ln.strip()}


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return dot / (na * nb)


def photo_files(folder):
    return sorted(f for f in os.listdir(folder) if f.startswith("photo-"))


@unittest.skipUnless(HAVE_SHARED, "../shared is absent")
class IndexCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="clipsight-index-test-")
        self.db = os.path.join(self.tmp, "library.db")
        self.photos = os.path.join(self.tmp, "photos")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def copy_photos(self, n=None, dest=None):
        dest = dest or self.photos
        os.makedirs(dest, exist_ok=True)
        names = photo_files(TOY_PHOTOS)[:n]
        for f in names:
            shutil.copy2(os.path.join(TOY_PHOTOS, f), os.path.join(dest, f))
        return names


class EndToEnd(IndexCase):
    def test_vectors_equal_embed(self):
        names = self.copy_photos()
        # the indexer's own precision (the fastest the CPU has), then float32
        s = index(self.db, self.photos)
        self.assertEqual((s["added"], s["failed"], s["removed"]), (len(names), 0, 0))
        self.assertIn(s["precision"], ("f32", "f16", "bf16", "int8"))
        stored = stored_vectors(self.db)
        self.assertEqual(len(stored), len(names))
        paths = [os.path.join(self.photos, f) for f in names]
        want = embed_files(paths, s["precision"])
        # PNGs go through the exact decode; JPEGs through the DCT-scaled fast
        # path, which the design allows to move a vector by cosine 0.005
        exact = [p for p in want if not p.endswith(".jpg")]
        fast = [p for p in want if p.endswith(".jpg")]
        worst = min(cosine(stored[p], want[p]) for p in exact)
        worst_fast = min(cosine(stored[p], want[p]) for p in fast)
        print(f"stored ({s['precision']}) vs embed: worst cosine {worst:.9f} over {len(exact)} exact "
              f"decodes, {worst_fast:.6f} over {len(fast)} DCT-scaled JPEG decodes")
        self.assertGreaterEqual(worst, 0.999999)
        self.assertGreaterEqual(worst_fast, 0.995)
        # against float32: the floors, 0.999 for 16-bit, 0.995 for int8
        if s["precision"] != "f32":
            ref = embed_files(exact)
            worst_ref = min(cosine(stored[p], ref[p]) for p in exact)
            print(f"stored ({s['precision']}) vs float32 embed: worst cosine {worst_ref:.6f}")
            self.assertGreaterEqual(worst_ref, 0.995 if s["precision"] == "int8" else 0.999)
        db32 = os.path.join(self.tmp, "f32.db")
        s32 = index(db32, self.photos, extra=("--precision", "f32"))
        self.assertEqual((s32["added"], s32["precision"]), (len(names), "f32"))
        stored32 = stored_vectors(db32)
        want32 = want if s["precision"] == "f32" else embed_files(exact)
        self.assertGreaterEqual(min(cosine(stored32[p], want32[p]) for p in exact), 0.999999)
        st = status(self.db)
        self.assertEqual((st["photos"], st["searchable"], st["failed"]), (len(names), len(names), 0))
        # a second run changes nothing
        s = index(self.db, self.photos)
        self.assertEqual((s["added"], s["updated"], s["moved"], s["removed"], s["unchanged"]),
                         (0, 0, 0, 0, len(names)))

    def test_rename_move_delete_modify_cycle(self):
        names = self.copy_photos(40)
        index(self.db, self.photos)
        before = stored_vectors(self.db)
        p = lambda *parts: os.path.join(self.photos, *parts)
        os.makedirs(p("sub"))
        os.rename(p(names[0]), p("renamed.png" if names[0].endswith(".png") else "renamed.jpg"))
        os.rename(p(names[1]), p("sub", names[1]))
        os.remove(p(names[2]))
        shutil.copy2(p(names[3]), p("copy-" + names[3]))
        # modify: another photo's content under this name, new mtime
        shutil.copyfile(os.path.join(TOY_PHOTOS, photo_files(TOY_PHOTOS)[100]), p(names[4]))
        os.utime(p(names[4]), (time.time() + 5, time.time() + 5))
        # touch only: same content, new mtime
        os.utime(p(names[5]), (time.time() + 10, time.time() + 10))
        s = index(self.db, self.photos)
        self.assertEqual(s["moved"], 2, s)
        self.assertEqual(s["removed"], 1, s)
        self.assertEqual(s["added"], 1, s)      # the copy, given its twin's vector
        self.assertEqual(s["updated"], 1, s)
        self.assertEqual(s["unchanged"], 40 - 2 - 1 - 1, s)
        self.assertEqual(s["failed"], 0, s)
        after = stored_vectors(self.db)
        self.assertEqual(len(after), 40)
        renamed = [k for k in after if os.path.basename(k).startswith("renamed")][0]
        self.assertEqual(after[renamed], before[p(names[0])])     # kept, not re-embedded
        self.assertEqual(after[p("sub", names[1])], before[p(names[1])])
        self.assertEqual(after[p("copy-" + names[3])], before[p(names[3])])
        self.assertNotIn(p(names[2]), after)
        # the modified photo's vector is its new content's
        want = embed_files([p(names[4])], s["precision"])[p(names[4])]
        self.assertGreater(cosine(after[p(names[4])], want), 0.999999)
        self.assertLess(cosine(after[p(names[4])], before[p(names[4])]), 0.9999)

    def test_exclusions_are_retroactive(self):
        self.copy_photos(10)
        self.copy_photos(5, dest=os.path.join(self.photos, "private"))
        self.copy_photos(3, dest=os.path.join(self.photos, "@eaDir"))
        self.copy_photos(2, dest=os.path.join(self.photos, "nomedia"))
        open(os.path.join(self.photos, "nomedia", ".nomedia"), "w").close()
        s = index(self.db, self.photos)
        self.assertEqual(s["added"], 15)
        s = index(self.db, self.photos, extra=("--exclude", os.path.join(self.photos, "private")))
        self.assertEqual((s["removed"], s["unchanged"]), (5, 10))
        self.assertEqual(status(self.db)["excluded"], [os.path.join(self.photos, "private")])

    def test_missing_folder_keeps_its_photos(self):
        self.copy_photos(6)
        index(self.db, self.photos)
        os.rename(self.photos, self.photos + "-unmounted")
        s = index(self.db)
        self.assertEqual(s["removed"], 0)
        self.assertEqual(s["unavailable"], [self.photos])
        self.assertEqual(status(self.db)["photos"], 6)

    def test_photos_are_never_written(self):
        names = self.copy_photos(20)
        def content(f):
            with open(os.path.join(self.photos, f), "rb") as fh:
                return fh.read()
        before = {f: (os.stat(os.path.join(self.photos, f)).st_mtime_ns, content(f)) for f in names}
        index(self.db, self.photos)
        self.assertEqual(sorted(os.listdir(self.photos)), sorted(names))   # nothing written beside them
        for f in names:
            st = os.stat(os.path.join(self.photos, f))
            self.assertEqual(st.st_mtime_ns, before[f][0])
            self.assertEqual(content(f), before[f][1])


class ModelChange(IndexCase):
    def test_new_model_reembeds_and_never_mixes(self):
        other = os.path.join(SHARED, "testdata", "clip-reference", "tiny-clip")
        if not os.path.isdir(other):
            self.skipTest("the golden tiny-clip model is absent")
        names = self.copy_photos(24)
        index(self.db, self.photos)
        con = sqlite3.connect(self.db)
        old_model = con.execute("SELECT value FROM settings WHERE key = 'active-model'").fetchone()[0]
        con.close()
        # interrupted re-embedding: the old model stays the searchable one
        proc = subprocess.Popen([CLI, "index", "--database", self.db, "--model", other, "--json", self.photos],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.15)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.communicate()
        con = sqlite3.connect(self.db)
        active = con.execute("SELECT value FROM settings WHERE key = 'active-model'").fetchone()[0]
        n_new = con.execute("SELECT count(*) FROM vectors v JOIN models m ON v.model = m.id "
                            "WHERE m.model_id != ?", (old_model,)).fetchone()[0]
        con.close()
        if n_new < len(names):
            self.assertEqual(active, old_model, "a half-embedded model is not searched")
        # the complete run switches over and drops the old vectors
        rc, out, err = run("index", "--database", self.db, "--model", other, "--json", self.photos)
        self.assertEqual(rc, 0, err)
        s = json.loads(out)
        self.assertEqual(s["reembedded"] + s["unchanged"], len(names), s)
        con = sqlite3.connect(self.db)
        active = con.execute("SELECT value FROM settings WHERE key = 'active-model'").fetchone()[0]
        models = con.execute("SELECT DISTINCT m.model_id, length(v.vector) FROM vectors v "
                             "JOIN models m ON v.model = m.id").fetchall()
        con.close()
        self.assertNotEqual(active, old_model)
        self.assertEqual(models, [(active, 32 * 4)], "only the new model's 32-d vectors remain")
        self.assertEqual(status(self.db)["searchable"], len(names))


class CrashSafety(IndexCase):
    def test_kill_at_random_points(self):
        # eight copies of the toy photos: enough work to be killed mid-way many times
        for k in range(8):
            self.copy_photos(dest=os.path.join(self.photos, f"set{k}"))
        total = 8 * len(photo_files(TOY_PHOTOS))
        rng = random.Random(1234)
        kills_mid_run, last, rounds = 0, 0, 0
        while rounds < 6 and last < total:
            rounds += 1
            proc = subprocess.Popen([CLI, "index", "--database", self.db, "--model", TOY_MODEL, "--json",
                                     self.photos], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.02, 0.3))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills_mid_run += 1
            proc.communicate()
            if not os.path.exists(self.db):
                continue
            self.assertEqual(integrity(self.db), ("ok", []), f"round {rounds}")
            n = len(stored_vectors(self.db))
            self.assertGreaterEqual(n, last, "committed batches survive a kill")
            last = n
        s = index(self.db, self.photos)
        print(f"{rounds} rounds, {kills_mid_run} killed mid-run; {last} of {total} photos were committed "
              f"before the last kill, the resuming run embedded {s['added']}")
        self.assertEqual(s["added"], total - last, "the resumed run embeds only what was not committed")
        self.assertEqual(s["unchanged"], last)
        self.assertEqual(s["failed"], 0)
        self.assertEqual(len(stored_vectors(self.db)), total)
        self.assertGreaterEqual(kills_mid_run, 3)

    def test_two_indexers_at_once(self):
        self.copy_photos(120)
        procs = [subprocess.Popen([CLI, "index", "--database", self.db, "--model", TOY_MODEL, "--json",
                                   self.photos], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err.decode())
        self.assertEqual(integrity(self.db), ("ok", []))
        con = sqlite3.connect(self.db)
        n_photos = con.execute("SELECT count(*) FROM photos").fetchone()[0]
        n_paths = con.execute("SELECT count(DISTINCT path) FROM photos").fetchone()[0]
        n_vec = con.execute("SELECT count(*) FROM vectors").fetchone()[0]
        con.close()
        self.assertEqual((n_photos, n_paths, n_vec), (120, 120, 120))


@unittest.skipUnless(HAVE_PIL, "Pillow (python3-pil) is absent")
class Hostile(IndexCase):
    def test_hostile_corpus(self):
        os.makedirs(self.photos)
        p = lambda name: os.path.join(self.photos, name)
        good = Image.new("RGB", (64, 48), (200, 30, 30))
        good.save(p("good.jpg"), quality=90)
        with open(p("good.jpg"), "rb") as f:
            data = f.read()
        with open(p("truncated.jpg"), "wb") as f:
            f.write(data[: len(data) // 2])
        open(p("zero.jpg"), "wb").close()
        with open(p("text.jpg"), "w") as f:
            f.write("not an image\n" * 50)
        # a PNG header announcing 30000 x 30000 (no pixel data follows)
        ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
        import zlib
        chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        with open(p("huge.png"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
        good.convert("CMYK").save(p("cmyk.jpg"), quality=90)
        Image.new("I;16", (40, 30), 40000).save(p("sixteen.png"))
        frames = [Image.new("P", (32, 32), c) for c in (1, 2, 3)]
        frames[0].save(p("animated.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
        os.symlink(self.photos, p("loop"))
        os.makedirs(p("locked"))
        good.save(p("locked/inside.jpg"))
        weird = os.path.join(os.fsencode(self.photos), b"caf\xe9-latin1.jpg")
        good.save(os.fsdecode(weird), format="JPEG")
        os.chmod(self.tmp, 0o755)
        os.chmod(self.photos, 0o777)
        os.chmod(p("locked"), 0)

        def as_nobody():
            # root reads everything: run as nobody so the locked folder is locked
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)

        db_dir = os.path.join(self.tmp, "db")
        os.makedirs(db_dir)
        os.chmod(db_dir, 0o777)
        db = os.path.join(db_dir, "library.db")
        proc = subprocess.run([CLI, "index", "--database", db, "--model", TOY_MODEL, "--json", self.photos],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=as_nobody,
                              timeout=600)
        os.chmod(p("locked"), 0o755)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        s = json.loads(proc.stdout)
        reasons = {os.path.basename(f["path"]): f["reason"] for f in s["failures"]}
        print("failures:", json.dumps(reasons, indent=1))
        for name, words in (("truncated.jpg", "truncated"), ("zero.jpg", "empty"),
                            ("text.jpg", "not an image"), ("huge.png", "30000"), ("locked", "cannot read")):
            self.assertIn(name, reasons)
            self.assertIn(words, reasons[name].lower() if words.islower() else reasons[name])
        # valid oddities are indexed: CMYK JPEG, 16-bit PNG, animated GIF, a Latin-1 file name
        self.assertEqual(s["added"], 5, s)
        self.assertEqual(s["failed"], 5, s)
        con = sqlite3.connect(db)
        paths = {bytes(r[0]) for r in con.execute("SELECT path FROM photos")}
        con.close()
        self.assertIn(weird, paths)
        self.assertEqual(len(paths), 5, "the symlink loop adds nothing twice")
        # a second run (as root: the locked folder opens) does not retry
        # unchanged failures, and picks up the photo it could not read before
        proc = subprocess.run([CLI, "index", "--database", db, "--json", self.photos],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        s = json.loads(proc.stdout)
        self.assertEqual((s["failed"], s["still_failing"], s["unchanged"]), (0, 4, 5), s)
        self.assertEqual(s["added"], 1 if os.geteuid() == 0 else 0, s)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if ran == 0 else 0)
