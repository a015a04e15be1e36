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
        # the run-time precision check: what it chose, and its cosine to f32
        self.assertIsNone(status(db32)["precision"])  # asked for f32: nothing checked
        self.assertEqual(status(db32)["indexed_precision"], "f32")
        self.assertEqual(st["indexed_precision"], s["precision"])
        if not os.environ.get("CLIPSIGHT_PRECISION"):
            self.assertEqual(st["precision"], s["precision"])
            self.assertGreaterEqual(st["precision_check_cosine"], 0.995)
            self.assertLessEqual(st["precision_check_cosine"], 1.000001)
            if s["precision"] != "f32":
                self.assertEqual(st["precision_check"][s["precision"]], st["precision_check_cosine"])
        # a second run changes nothing, and reports the precision the
        # vectors were made in (it loads no model, so checks nothing)
        s = index(self.db, self.photos)
        self.assertEqual((s["added"], s["updated"], s["moved"], s["removed"], s["unchanged"]),
                         (0, 0, 0, 0, len(names)))
        self.assertEqual(s["precision"], st["indexed_precision"])

    def test_status_shows_the_precision_a_forced_run_used(self):
        # status reports the precision the vectors were made in, which a
        # forced run makes differ from the check's (null: nothing checked)
        names = self.copy_photos(3)
        s = index(self.db, self.photos, extra=("--precision", "bf16"))
        self.assertEqual((s["added"], s["precision"]), (len(names), "bf16"))
        st = status(self.db)
        self.assertEqual(st["indexed_precision"], "bf16")
        self.assertIsNone(st["precision"])
        # the stored vectors are bf16 ones: nearer a bf16 embed than f32's
        paths = [os.path.join(self.photos, f) for f in names if f.endswith(".png")]
        stored = stored_vectors(self.db)
        want = embed_files(paths, "bf16")
        self.assertGreaterEqual(min(cosine(stored[p], want[p]) for p in paths), 0.999999)
        # an unforced run that embeds nothing loads no model and checks
        # nothing: it reports the precision the vectors were made in
        if not os.environ.get("CLIPSIGHT_PRECISION"):
            s = index(self.db, self.photos)
            self.assertEqual((s["added"], s["precision"]), (0, "bf16"))
        # a run that embeds nothing keeps the record; one that does replaces it
        index(self.db, self.photos, extra=("--precision", "f16"))
        self.assertEqual(status(self.db)["indexed_precision"], "bf16")
        shutil.copy2(os.path.join(TOY_PHOTOS, photo_files(TOY_PHOTOS)[3]), self.photos)
        index(self.db, self.photos, extra=("--precision", "f16"))
        self.assertEqual(status(self.db)["indexed_precision"], "f16")
        rc, out, err = run("status", "--database", self.db)
        self.assertEqual(rc, 0, err)
        self.assertIn("indexed in: f16\n", out)

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
        # modify: another photo's content under this name, new mtime (the
        # copy kept the fixture's read-only mode, which only root writes
        # through: replaced, not written over)
        os.remove(p(names[4]))
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

    def test_same_size_is_not_same_photo(self):
        """A photo saved again at the same size is embedded again, a new
        file of a vanished photo's size is no move of it, and a moved
        photo without a vector gets one.  (JPEGs padded after their end
        marker, which decoders ignore, give two pictures of one size.)"""
        self.copy_photos(6)
        jpegs = [f for f in photo_files(TOY_PHOTOS) if f.endswith(".jpg")][10:14]
        data = []
        for f in jpegs:
            with open(os.path.join(TOY_PHOTOS, f), "rb") as fh:
                data.append(fh.read())
        size = max(len(d) for d in data) + 16
        padded = [d + b"\0" * (size - len(d)) for d in data]
        p = lambda name: os.path.join(self.photos, name)

        def write(name, blob, delay=0):
            with open(p(name), "wb") as fh:
                fh.write(blob)
            if delay:
                os.utime(p(name), (time.time() + delay, time.time() + delay))

        write("edited.jpg", padded[0])
        write("vanishing.jpg", padded[1])
        write("moving.jpg", padded[3])
        s = index(self.db, self.photos)
        self.assertEqual((s["added"], s["failed"]), (9, 0), s)
        # the moving photo loses its vector (as after a crash or a model
        # change), then moves
        con = sqlite3.connect(self.db)
        con.execute("DELETE FROM vectors WHERE photo_id = (SELECT id FROM photos WHERE path = ?)",
                    (os.fsencode(p("moving.jpg")),))
        con.commit()
        con.close()
        os.makedirs(p("sub"))
        os.rename(p("moving.jpg"), p("sub/moved.jpg"))
        write("edited.jpg", padded[2], delay=5)
        os.remove(p("vanishing.jpg"))
        write("lookalike.jpg", padded[3][:-1] + b"\1")  # same size, another file than any vanished
        write("lookalike2.jpg", padded[0])  # the size and bytes of the edited photo's old content
        s = index(self.db, self.photos)
        self.assertEqual((s["updated"], s["moved"], s["removed"], s["failed"]), (1, 1, 1, 0), s)
        self.assertEqual(s["added"], 2, s)
        after = stored_vectors(self.db)
        self.assertEqual(len(after), 10)
        fresh = embed_files([p("edited.jpg"), p("lookalike.jpg"), p("lookalike2.jpg"), p("sub/moved.jpg")],
                            s["precision"])
        for name in ("edited.jpg", "lookalike.jpg", "lookalike2.jpg", "sub/moved.jpg"):
            self.assertGreater(cosine(after[p(name)], fresh[p(name)]), 0.999999, name)

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


class FailureReasons(IndexCase):
    """Every file left out is reported with a reason that does not repeat
    its path: broken files as failures, SVG drawings and folders too deep
    to walk as skips (left out on purpose: nothing to retry, not kept as
    failures, so `status` and the run agree on what failed)."""

    def test_reasons_are_recorded_without_the_path(self):
        self.copy_photos(2)
        p = lambda name: os.path.join(self.photos, name)
        open(p("zero.jpg"), "wb").close()
        with open(p("text.png"), "w") as f:
            f.write("not an image\n" * 20)
        with open(p("drawing.svg"), "w") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
        deep = self.photos
        for d in range(1, 259):
            deep = os.path.join(deep, "d")
            if d >= 256:
                os.makedirs(deep)
                shutil.copy2(os.path.join(TOY_PHOTOS, photo_files(TOY_PHOTOS)[d - 250]),
                             os.path.join(deep, f"p{d}.jpg"))
                if d == 257:
                    too_deep = deep
        s = index(self.db, self.photos)
        failed = {f["path"]: f["reason"] for f in s["failures"]}
        skips = {f["path"]: f["reason"] for f in s["skips"]}
        reasons = dict(failed, **skips)
        print(json.dumps(reasons, indent=1))
        for path, reason in reasons.items():
            self.assertNotIn(path, reason, "the reason repeats the path")
            if "." in os.path.basename(path):
                self.assertNotIn(os.path.basename(path), reason, "the reason repeats the name")
        self.assertEqual(failed[p("zero.jpg")], "empty file")
        self.assertIn(p("text.png"), failed)
        self.assertIn("SVG", skips[p("drawing.svg")])
        self.assertIn("deep", skips[too_deep])
        self.assertEqual(s["added"], 3, "two photos and the one 256 folders deep")
        self.assertEqual((s["failed"], s["skipped"]), (2, 2), s)
        self.assertEqual(set(failed) | set(skips), {p("zero.jpg"), p("text.png"), p("drawing.svg"), too_deep})
        # a second run: the broken files are not retried, the skips are
        # listed again, and the run's failures are what `status` keeps
        again = index(self.db, self.photos)
        self.assertEqual((again["failed"], again["still_failing"], again["skipped"]), (0, 2, 2), again)
        self.assertEqual({f["path"] for f in again["skips"]}, set(skips))
        self.assertEqual(status(self.db)["failed"], s["failed"])
        # the text output names each path once
        rc, out, err = run("status", "--database", self.db)
        self.assertEqual(rc, 0, err)
        line = [ln for ln in out.splitlines() if "zero.jpg" in ln]
        self.assertEqual(len(line), 1, out)
        self.assertEqual(line[0].count("zero.jpg"), 1, line[0])
        st = status(self.db)
        stored = {f["path"]: f["reason"] for f in st["failures"]}
        self.assertEqual(stored[p("zero.jpg")], "empty file")
        self.assertNotIn(p("text.png"), stored[p("text.png")])


class ReadOnlyDatabase(IndexCase):
    """A library in a folder this user cannot write (read-only media,
    another user's): every reading command works, index fails clearly."""

    def test_read_only_folder(self):
        names = self.copy_photos(6)
        db_dir = os.path.join(self.tmp, "db")
        os.makedirs(db_dir)
        db = os.path.join(db_dir, "library.db")
        index(db, self.photos)
        rc, out, err = run("label", "add", "--database", db, "reddish", "--prompt", "a red photo")
        self.assertEqual(rc, 0, err)
        # the indexing lock's file stays (deleting it would race with a run opening it)
        self.assertEqual(sorted(os.listdir(db_dir)), ["library.db", "library.db.index-lock"],
                         "closed cleanly: no -wal, no -shm")
        os.chmod(self.tmp, 0o755)
        os.chmod(db_dir, 0o555)

        def as_nobody():
            # root writes everywhere: be someone the folder's mode applies to
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)

        def cli(*args):
            p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=as_nobody, timeout=600)
            return p.returncode, p.stdout.decode(), p.stderr.decode()

        try:
            rc, out, err = cli("status", "--database", db, "--json")
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(out)["searchable"], len(names))
            rc, out, err = cli("search", "--database", db, "--json", "--limit", "3", "red")
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(out.splitlines()), 3)
            rc, out, err = cli("label", "list", "--database", db)
            self.assertEqual(rc, 0, err)
            self.assertIn("reddish", out)
            rc, out, err = cli("duplicates", "--database", db, "--json")
            self.assertEqual(rc, 0, err)
            rc, out, err = cli("index", "--database", db, "--model", TOY_MODEL, self.photos)
            self.assertNotEqual(rc, 0)
            self.assertIn("read-only", err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertEqual(sorted(os.listdir(db_dir)), ["library.db", "library.db.index-lock"])
        finally:
            os.chmod(db_dir, 0o755)
        self.assertEqual(integrity(db), ("ok", []))


class DuplicatesKeepTheBlankStatistic(IndexCase):
    """duplicates does not decode photos again: the nearly blank test's
    statistic comes from indexing (or, for photos indexed before it was
    kept, from one decode, then stored).  Proof: it still groups a near
    pair whose files are gone (an unreadable photo counts as blank, which
    only exact copies may group)."""

    def duplicates(self):
        rc, out, err = run("duplicates", "--database", self.db, "--json")
        self.assertEqual(rc, 0, err)
        return [json.loads(ln) for ln in out.splitlines() if ln.strip()]

    def blank_stats(self):
        con = sqlite3.connect(self.db)
        try:
            return {os.path.basename(os.fsdecode(bytes(p))): v
                    for p, v in con.execute("SELECT path, blank_stddev FROM photos")}
        finally:
            con.close()

    def test_no_decoding_for_the_blank_test(self):
        names = self.copy_photos(3)
        a = os.path.join(self.photos, names[0])
        near = os.path.join(self.photos, "near.jpg")
        with open(a, "rb") as f, open(near, "wb") as g:
            g.write(f.read() + b"trailing bytes: another hash, the same pixels")
        index(self.db, self.photos)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 6)
        con.close()
        stats = self.blank_stats()
        self.assertTrue(all(v is not None and v > 6 for v in stats.values()), stats)
        pair = sorted([a, near])
        self.assertIn(pair, [sorted(g["photos"]) for g in self.duplicates()])

        away = os.path.join(self.tmp, "away")
        os.makedirs(away)
        move = lambda src, dst: [os.rename(os.path.join(src, n), os.path.join(dst, n))
                                 for n in (names[0], "near.jpg")]
        move(self.photos, away)
        self.assertIn(pair, [sorted(g["photos"]) for g in self.duplicates()],
                      "the stored statistic, not a decode, tells these are not blank")

        # photos indexed before the statistic was kept: decoded once, then stored
        move(away, self.photos)
        con = sqlite3.connect(self.db)
        con.execute("UPDATE photos SET blank_stddev = NULL")
        con.commit()
        con.close()
        self.assertIn(pair, [sorted(g["photos"]) for g in self.duplicates()])
        stats = self.blank_stats()
        self.assertIsNotNone(stats[names[0]])
        self.assertIsNotNone(stats["near.jpg"])
        move(self.photos, away)
        self.assertIn(pair, [sorted(g["photos"]) for g in self.duplicates()])


class InterruptedModelChange(IndexCase):
    """A model change killed half way: searches keep answering from the
    complete model, status tells both, and an abandoned model's vectors go."""

    def make_model(self, name, seed):
        d = os.path.join(self.tmp, name)
        rc, out, err = run("make-test-model", "--preset", "tiny", "--seed", str(seed), d)
        self.assertEqual(rc, 0, err)
        return d

    def vectors_by_dir(self):
        """model folder -> number of vectors, from SQLite and the settings
        (the model ids the indexer keeps there)."""
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute("SELECT m.model_id, count(v.id) FROM models m "
                               "LEFT JOIN vectors v ON v.model = m.id GROUP BY m.id").fetchall()
            settings = dict(con.execute("SELECT key, value FROM settings").fetchall())
        finally:
            con.close()
        return {mid: n for mid, n in rows}, settings

    def kill_mid_way(self, model, at_least):
        proc = subprocess.Popen([CLI, "index", "--database", self.db, "--model", model, "--json",
                                 "--precision", "f32", self.photos],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        embedded = 0
        while proc.poll() is None and time.monotonic() < deadline:
            st = status(self.db) if os.path.exists(self.db) else {}
            b = st.get("building") or {}
            if b.get("model") == model:
                embedded = b["embedded"]
                if embedded >= at_least:
                    break
            time.sleep(0.02)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if not running:
            self.skipTest("the run ended before it could be killed mid-way")
        return embedded

    def search_paths(self):
        rc, out, err = run("search", "--database", self.db, "--json", "--limit", "5", "red")
        self.assertEqual(rc, 0, "search fails during a model change: " + err)
        hits = [json.loads(ln) for ln in out.splitlines() if ln.strip()]
        self.assertEqual(len(hits), 5)
        return hits

    def test_interrupted_model_change(self):
        n = len(self.copy_photos())
        model_a = os.path.abspath(TOY_MODEL)
        model_b = self.make_model("model-b", 2)
        model_c = self.make_model("model-c", 3)
        index(self.db, self.photos)
        st = status(self.db)
        dim_a = st["dimension"]
        self.assertEqual((st["searchable"], st["building"]), (n, None))

        # B killed after some batches: A still answers, status tells both
        self.kill_mid_way(model_b, 16)
        st = status(self.db)
        self.assertEqual(st["model"], model_a, st)
        self.assertEqual(st["dimension"], dim_a, st)
        self.assertEqual(st["searchable"], n, st)
        self.assertIsNotNone(st["building"], st)
        self.assertEqual(st["building"]["model"], os.path.abspath(model_b))
        self.assertEqual(st["building"]["dimension"], 32)
        self.assertEqual(st["building"]["photos"], n)
        counts, settings = self.vectors_by_dir()
        self.assertEqual(counts[settings["building-model"]], st["building"]["embedded"])
        self.assertTrue(0 < st["building"]["embedded"] < n, st)
        self.search_paths()

        # C started and killed: B is abandoned, its vectors go
        b_id = settings["building-model"]
        self.kill_mid_way(model_c, 16)
        counts, settings = self.vectors_by_dir()
        self.assertNotIn(b_id, counts, "the abandoned model's vectors are deleted")
        c_id = settings["building-model"]
        self.assertEqual(status(self.db)["searchable"], n)
        self.search_paths()

        # B to the end: C goes as B starts, A once B covers the library
        a_id = settings["active-model"]
        s = index(self.db, self.photos, extra=("--model", model_b))
        counts, settings = self.vectors_by_dir()
        self.assertEqual(settings["active-model"], b_id)
        self.assertNotIn("building-model", settings)
        self.assertEqual(counts, {b_id: n}, "only the complete new model's vectors remain")
        self.assertNotIn(a_id, counts)
        self.assertNotIn(c_id, counts)
        st = status(self.db)
        self.assertEqual((st["model"], st["dimension"], st["searchable"], st["building"]),
                         (os.path.abspath(model_b), 32, n, None))
        self.search_paths()


class Watch(IndexCase):
    def wait_for(self, what, predicate, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.fail(f"index --watch exited ({self.proc.returncode}) while waiting for {what}: "
                          + self.proc.stderr.read().decode())
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail(f"timed out waiting for {what}")

    def searchable_paths(self):
        if not os.path.exists(self.db):
            return None
        rc, out, err = run("search", "--database", self.db, "--json", "--limit", "1000", "photo")
        if rc != 0:
            return None
        return {os.path.basename(json.loads(ln)["path"]) for ln in out.splitlines() if ln.strip()}

    def test_watch_follows_changes_until_sigint(self):
        names = self.copy_photos(12)
        self.proc = subprocess.Popen([CLI, "index", "--watch", "--json", "--database", self.db,
                                      "--model", TOY_MODEL, self.photos],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.wait_for("the first pass", lambda: self.searchable_paths() == set(names))
            # it keeps running: a new photo becomes searchable...
            shutil.copy2(os.path.join(TOY_PHOTOS, photo_files(TOY_PHOTOS)[20]),
                         os.path.join(self.photos, "arrived.jpg"))
            self.wait_for("the new photo", lambda: "arrived.jpg" in (self.searchable_paths() or ()))
            self.assertEqual(status(self.db)["searchable"], len(names) + 1)
            # ...and a deleted one leaves
            os.unlink(os.path.join(self.photos, names[0]))
            self.wait_for("the deleted photo to leave",
                          lambda: names[0] not in (self.searchable_paths() or {names[0]}))
            self.assertEqual(status(self.db)["searchable"], len(names))
            self.assertIsNone(self.proc.poll(), "still watching")
            self.proc.send_signal(signal.SIGINT)
            out, err = self.proc.communicate(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate()
        self.assertEqual(self.proc.returncode, 0, err.decode())
        summaries = [json.loads(ln) for ln in out.decode().splitlines() if ln.strip()]
        self.assertEqual(summaries[0]["added"], len(names))
        self.assertEqual(sum(s["added"] for s in summaries[1:]), 1, summaries)
        self.assertEqual(sum(s["removed"] for s in summaries[1:]), 1, summaries)
        self.assertEqual(integrity(self.db), ("ok", []))
        self.assertEqual(len(stored_vectors(self.db)), len(names))


class WatchFailure(IndexCase):
    wait_for = Watch.wait_for
    searchable_paths = Watch.searchable_paths

    def test_watch_reports_a_failed_run_and_keeps_watching(self):
        import fcntl
        import threading
        names = self.copy_photos(6)
        for sub, photo in (("a", names[0]), ("b", names[1])):
            os.makedirs(os.path.join(self.photos, sub))
            shutil.copy2(os.path.join(TOY_PHOTOS, photo), os.path.join(self.photos, sub, photo))
        self.proc = subprocess.Popen([CLI, "index", "--watch", "--json", "--database", self.db,
                                      "--model", TOY_MODEL, self.photos],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines, errs = [], []
        readers = [threading.Thread(target=lambda f, into: [into.append(ln.decode()) for ln in f],
                                    args=(f, into), daemon=True)
                   for f, into in ((self.proc.stdout, lines), (self.proc.stderr, errs))]
        for r in readers:
            r.start()
        extra = photo_files(TOY_PHOTOS)[20:22]
        try:
            self.wait_for("the first pass", lambda: len(lines) >= 1)
            self.assertEqual(json.loads(lines[0])["added"], len(names) + 2)
            # another index run holds the library: the watched change's run fails, says so
            with open(self.db + ".index-lock", "r+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                lock.truncate()
                lock.write(f"{os.getpid()}\n")
                lock.flush()
                shutil.copy2(os.path.join(TOY_PHOTOS, extra[0]), os.path.join(self.photos, "a", "first.jpg"))
                self.wait_for("the failure", lambda: len(lines) >= 2)
            failure = json.loads(lines[1])
            message = f"another index run (pid {os.getpid()}) is using this library"
            self.assertEqual(failure, {"error": message})
            self.assertTrue(any(message in e for e in errs), errs)
            # still watching: the next change, in another folder, indexes both new photos
            shutil.copy2(os.path.join(TOY_PHOTOS, extra[1]), os.path.join(self.photos, "b", "second.jpg"))
            self.wait_for("both new photos",
                          lambda: {"first.jpg", "second.jpg"} <= (self.searchable_paths() or set()))
            self.assertIsNone(self.proc.poll(), "still watching")
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        for r in readers:
            r.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.assertEqual(self.proc.returncode, 0, "".join(errs))
        later = [json.loads(ln) for ln in lines[2:] if ln.strip()]
        self.assertEqual(sum(s.get("added", 0) for s in later), 2, later)
        self.assertEqual(len(stored_vectors(self.db)), len(names) + 4)


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
        # one run at a time: a run that overlaps the other refuses, clearly
        for p, (out, err) in zip(procs, outs):
            if p.returncode != 0:
                self.assertIn("another index run (pid ", err.decode())
                self.assertIn(") is using this library", err.decode())
        self.assertIn(0, [p.returncode for p in procs])
        if any(p.returncode != 0 for p in procs):
            index(self.db, self.photos)
        self.assertEqual(integrity(self.db), ("ok", []))
        con = sqlite3.connect(self.db)
        n_photos = con.execute("SELECT count(*) FROM photos").fetchone()[0]
        n_paths = con.execute("SELECT count(DISTINCT path) FROM photos").fetchone()[0]
        n_vec = con.execute("SELECT count(*) FROM vectors").fetchone()[0]
        con.close()
        self.assertEqual((n_photos, n_paths, n_vec), (120, 120, 120))


class OneRunAtATime(IndexCase):
    def models(self):
        con = sqlite3.connect(self.db)
        try:
            counts = dict(con.execute("SELECT m.model_id, count(v.id) FROM models m "
                                      "LEFT JOIN vectors v ON v.model = m.id GROUP BY m.id").fetchall())
            settings = dict(con.execute("SELECT key, value FROM settings").fetchall())
        finally:
            con.close()
        return counts, settings

    def test_second_model_refused_while_a_run_goes_on(self):
        for k in range(6):
            self.copy_photos(dest=os.path.join(self.photos, f"set{k}"))
        total = 6 * len(photo_files(TOY_PHOTOS))
        model_b = os.path.join(self.tmp, "model-b")
        rc, out, err = run("make-test-model", "--preset", "tiny", "--seed", "2", model_b)
        self.assertEqual(rc, 0, err)
        first = subprocess.Popen([CLI, "index", "--database", self.db, "--model", TOY_MODEL, "--json",
                                  self.photos], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # mid-way: some photos embedded, many to go
            deadline = time.monotonic() + 120
            while first.poll() is None and time.monotonic() < deadline:
                if os.path.exists(self.db) and len(stored_vectors(self.db)) >= 16:
                    break
                time.sleep(0.01)
            running_before = first.poll() is None
            rc, out, err = run("index", "--database", self.db, "--model", model_b, "--json", self.photos)
            out1, err1 = first.communicate(timeout=600)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
        if not running_before:
            self.skipTest("the first run ended before the second started")
        self.assertNotEqual(rc, 0, "the second run must refuse while the first goes on")
        self.assertIn(f"another index run (pid {first.pid}) is using this library", err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertEqual(out, "")
        # the first completes, with its model intact and alone
        self.assertEqual(first.returncode, 0, err1.decode())
        self.assertEqual(json.loads(out1)["added"], total)
        counts, settings = self.models()
        self.assertEqual(counts, {settings["active-model"]: total})
        self.assertNotIn("building-model", settings)
        self.assertEqual(status(self.db)["model"], os.path.abspath(TOY_MODEL))
        self.assertEqual(integrity(self.db), ("ok", []))
        # and once it is over, the other model can take its turn
        s = index(self.db, self.photos, extra=("--model", model_b))
        self.assertEqual(s["reembedded"], total)
        self.assertEqual(status(self.db)["model"], os.path.abspath(model_b))


class NonFiniteVectors(IndexCase):
    """Vectors with a NaN or an infinity, as versions before the store's
    check could write, and damaged ones (another size, not a blob):
    searches never see them, the next index run embeds their photos
    again."""

    def poison(self, name, value, version=None):
        con = sqlite3.connect(self.db)
        try:
            (pid,) = con.execute("SELECT id FROM photos WHERE path = ?",
                                 (os.fsencode(os.path.join(self.photos, name)),)).fetchone()
            (blob,) = con.execute("SELECT vector FROM vectors WHERE photo_id = ?", (pid,)).fetchone()
            v = list(struct.unpack("<%df" % (len(blob) // 4), blob))
            v[3] = value
            con.execute("UPDATE vectors SET vector = ? WHERE photo_id = ?",
                        (struct.pack("<%df" % len(v), *v), pid))
            if version is not None:
                con.execute(f"PRAGMA user_version = {version}")
            con.commit()
        finally:
            con.close()

    def damage(self, name, value):
        con = sqlite3.connect(self.db)
        try:
            (pid,) = con.execute("SELECT id FROM photos WHERE path = ?",
                                 (os.fsencode(os.path.join(self.photos, name)),)).fetchone()
            con.execute("UPDATE vectors SET vector = ? WHERE photo_id = ?", (value, pid))
            con.commit()
        finally:
            con.close()

    def test_damaged_vectors_are_never_searched_and_get_reembedded(self):
        # one such row made every search fail ("the vector of photo 1 is
        # damaged (255 bytes)"), and index runs left it so
        names = self.copy_photos(12)
        index(self.db, self.photos)
        self.damage(names[1], b"\x3f" * 255)
        self.damage(names[7], "not a vector")
        hits = self.search_all()
        self.assertEqual(len(hits), len(names) - 2)
        self.assertFalse({names[1], names[7]} & {os.path.basename(h["path"]) for h in hits})
        s = index(self.db, self.photos)
        self.assertEqual((s["reembedded"], s["unchanged"], s["failed"]), (2, len(names) - 2, 0), s)
        stored = stored_vectors(self.db)
        paths = [os.path.join(self.photos, n) for n in (names[1], names[7])]
        fresh = embed_files(paths)
        for p in paths:
            self.assertGreater(cosine(stored[p], fresh[p]), 0.999)
        self.assertEqual(len(self.search_all()), len(names))

    def search_all(self):
        rc, out, err = run("search", "--database", self.db, "--json", "--limit", "1000", "photo")
        self.assertEqual(rc, 0, err)
        return [json.loads(ln) for ln in out.splitlines() if ln.strip()]

    def test_non_finite_vectors_are_never_searched_and_get_reembedded(self):
        names = self.copy_photos(12)
        index(self.db, self.photos)
        # the current schema: left out of searches until the next index run
        self.poison(names[2], float("nan"))
        hits = self.search_all()
        self.assertEqual(len(hits), len(names) - 1)
        self.assertNotIn(names[2], {os.path.basename(h["path"]) for h in hits})
        self.assertTrue(all(h["score"] == h["score"] and abs(h["score"]) <= 1.0001 for h in hits), hits)
        s = index(self.db, self.photos)
        self.assertEqual((s["reembedded"], s["unchanged"], s["failed"]), (1, len(names) - 1, 0), s)
        # schema 3 (an older version's file): gone as soon as it is opened
        self.poison(names[5], float("inf"), version=3)
        self.assertEqual(status(self.db)["searchable"], len(names) - 1)
        s = index(self.db, self.photos)
        self.assertEqual((s["reembedded"], s["unchanged"], s["failed"]), (1, len(names) - 1, 0), s)

        stored = stored_vectors(self.db)
        self.assertEqual(len(stored), len(names))
        self.assertTrue(all(all(x == x and abs(x) != float("inf") for x in v) for v in stored.values()))
        paths = [os.path.join(self.photos, n) for n in (names[2], names[5])]
        fresh = embed_files(paths)
        for p in paths:
            self.assertGreater(cosine(stored[p], fresh[p]), 0.999)
        self.assertEqual(len(self.search_all()), len(names))


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
        # a second run (the locked folder opened again above, for root and
        # the user alike) does not retry unchanged failures, and picks up
        # the photo it could not read before
        proc = subprocess.run([CLI, "index", "--database", db, "--json", self.photos],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        s = json.loads(proc.stdout)
        self.assertEqual((s["failed"], s["still_failing"], s["unchanged"]), (0, 4, 5), s)
        self.assertEqual(s["added"], 1, s)
        # a failure is retried once its file changes, even at the same size
        # (saved again over the broken one): a new time is enough
        later = time.time() + 60
        os.utime(p("truncated.jpg"), (later, later))
        proc = subprocess.run([CLI, "index", "--database", db, "--json", self.photos],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        s = json.loads(proc.stdout)
        self.assertEqual((s["failed"], s["still_failing"], s["unchanged"]), (1, 3, 6), s)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    ran = result.testsRun - len(result.skipped)
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if ran == 0 else 0)
