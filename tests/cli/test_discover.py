#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli discover, end to end: the toy photos indexed with the toy
CLIP, two "trips" of photos given EXIF dates (written here into copies of
the JPEGs), the others left without a date (their date is the file's
time).  Checks the output contract of ../shared/DESIGN.md (one JSON
object per line: kind, name, score, start, end, photos), that the trips
come out as events titled with their dates and that no undated photo is
in one, that themes are named from the given vocabulary, that two runs
print the same, and the errors.  Needs ../shared (skips with 77)."""
import calendar
import csv
import json
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
TOY_PHOTOS = os.path.realpath(os.path.join(SHARED, "testdata", "toy-photos"))
HAVE_SHARED = os.path.isdir(TOY_MODEL) and os.path.isdir(TOY_PHOTOS)
ENV = dict(os.environ, TZ="UTC", LC_ALL="C", CLIPSIGHT_PRECISION="f32")

VOCABULARY = """# the toy world
circle
square
triangle
star
cross
ring
red|a red shape
green|a green shape
blue|a blue shape
yellow|a yellow shape
purple|a purple shape
orange|an orange shape
black|a black shape
white|a white shape
"""


def run(*args):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=600)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def exif_app1(when):
    """An APP1 segment with a little-endian TIFF: IFD0 {ExifIFD}, Exif IFD
    {DateTimeOriginal = when ("YYYY:MM:DD HH:MM:SS")}."""
    date = when.encode("ascii") + b"\0"
    assert len(date) == 20
    exif_ifd = 8 + 2 + 12 + 4
    data = exif_ifd + 2 + 12 + 4
    tiff = b"II*\0" + struct.pack("<I", 8)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 0x8769, 4, 1, exif_ifd) + struct.pack("<I", 0)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 0x9003, 2, 20, data) + struct.pack("<I", 0)
    tiff += date
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_date(src, dst, when):
    with open(src, "rb") as f:
        jpeg = f.read()
    assert jpeg[:2] == b"\xff\xd8"
    with open(dst, "wb") as f:
        f.write(jpeg[:2] + exif_app1(when) + jpeg[2:])


class DiscoverCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cs-discover-")
        cls.photos = os.path.join(cls.tmp, "photos")
        os.makedirs(cls.photos)
        with open(os.path.join(TOY_PHOTOS, "labels.csv")) as f:
            rows = list(csv.DictReader(f))
        # trip A: JPEGs of one red object, 12-14 July 2025; trip B: JPEGs
        # of one blue object, 1-2 September 2025 (each trip's photos look
        # alike, as a trip's do); everything else undated
        red = [r["file"] for r in rows if r["file"].endswith(".jpg") and r["colours"] == "red"][:12]
        blue = [r["file"] for r in rows if r["file"].endswith(".jpg") and r["colours"] == "blue"][:12]
        assert len(red) >= 8 and len(blue) >= 8, (len(red), len(blue))
        cls.trips = {}
        for name, files, days in (("a", red, ["2025:07:12", "2025:07:13", "2025:07:14"]),
                                  ("b", blue, ["2025:09:01", "2025:09:02"])):
            for k, file in enumerate(files):
                when = "%s %02d:%02d:00" % (days[k % len(days)], 9 + k // len(days), (k * 7) % 60)
                dst = os.path.join(cls.photos, "trip-%s-%s" % (name, file))
                with_date(os.path.join(TOY_PHOTOS, file), dst, when)
                cls.trips[dst] = name
                if name == "a":
                    # as a camera leaves it: the file's time is the EXIF
                    # time (so the date the indexer stores is both)
                    t = calendar.timegm(tuple(int(x) for x in when.replace(":", " ").split()) + (0, 0, 0))
                    os.utime(dst, (t, t))
        # photos without EXIF whose file time falls in trip A: a date the
        # indexer falls back on, not a date taken; never in an event
        others = [r["file"] for r in rows if r["file"] not in red and r["file"] not in blue]
        decoys = [f for f in others if f.endswith(".png")][:6] + [f for f in others if f.endswith(".jpg")][:6]
        for k, file in enumerate(decoys):
            dst = os.path.join(cls.photos, "decoy-" + file)
            shutil.copy(os.path.join(TOY_PHOTOS, file), dst)
            t = calendar.timegm((2025, 7, 12 + k % 3, 10 + k // 3, 0, 0, 0, 0, 0))
            os.utime(dst, (t, t))
        for r in rows:
            if r["file"] not in red and r["file"] not in blue:
                shutil.copy(os.path.join(TOY_PHOTOS, r["file"]), os.path.join(cls.photos, r["file"]))
        cls.db = os.path.join(cls.tmp, "library.db")
        rc, out, err = run("index", "--database", cls.db, "--model", TOY_MODEL, cls.photos)
        assert rc == 0, err
        cls.vocabulary = os.path.join(cls.tmp, "toy.txt")
        with open(cls.vocabulary, "w") as f:
            f.write(VOCABULARY)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def discover(self, *extra):
        rc, out, err = run("discover", "--database", self.db, "--model", TOY_MODEL,
                           "--vocabulary", self.vocabulary, *extra)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        return out

    def test_json_contract_and_events(self):
        lines = [json.loads(l) for l in self.discover("--json").splitlines()]
        self.assertTrue(lines)
        for o in lines:
            self.assertEqual(set(o), {"kind", "name", "score", "start", "end", "photos"})
            self.assertIn(o["kind"], ("theme", "event"))
            self.assertIsInstance(o["name"], str)
            self.assertIsInstance(o["score"], (int, float))
            self.assertTrue(o["photos"])
            for p in o["photos"]:
                self.assertTrue(os.path.isfile(p), p)
                self.assertTrue(p.startswith(self.photos + os.sep), p)
        themes = [o for o in lines if o["kind"] == "theme"]
        events = [o for o in lines if o["kind"] == "event"]
        self.assertTrue(themes)
        words = {l.split("|")[0] for l in VOCABULARY.splitlines() if l and not l.startswith("#")}
        for t in themes:
            self.assertIsNone(t["start"])
            self.assertIsNone(t["end"])
            self.assertTrue(t["name"] in words or t["name"] == "Similar photos", t["name"])
        # the two trips and nothing else: no undated photo in an event, no
        # event with photos of both trips, each trip (almost) whole
        self.assertEqual(len(events), 2, [e["name"] for e in events])
        for e in events:
            names = {self.trips.get(p) for p in e["photos"]}
            self.assertNotIn(None, names, "an undated photo in an event: %s" % e["photos"])
            self.assertEqual(len(names), 1)
        by_trip = {self.trips[e["photos"][0]]: e for e in events}
        for trip in ("a", "b"):
            n = sum(1 for v in self.trips.values() if v == trip)
            self.assertGreaterEqual(len(by_trip[trip]["photos"]), 0.9 * n)
        # newest first, dates as ISO days, titles with the range
        self.assertEqual([e["start"] for e in events], ["2025-09-01", "2025-07-12"])
        self.assertEqual(by_trip["a"]["end"], "2025-07-14")
        self.assertTrue(by_trip["a"]["name"].endswith("12\u201314 July 2025"), by_trip["a"]["name"])
        self.assertTrue(by_trip["b"]["name"].endswith("1\u20132 September 2025"), by_trip["b"]["name"])

    def test_stable(self):
        self.assertEqual(self.discover("--json"), self.discover("--json"))
        text = self.discover()
        self.assertTrue(text.endswith(" suggestions\n"), text)

    def test_errors(self):
        rc, out, err = run("discover", "--database", self.db, "--vocabulary", os.path.join(self.tmp, "none.txt"))
        self.assertNotEqual(rc, 0)
        self.assertEqual(out, "")
        self.assertEqual(len(err.strip().splitlines()), 1)
        self.assertIn("none.txt", err)
        bad = os.path.join(self.tmp, "bad.txt")
        with open(bad, "w") as f:
            f.write("red\n|a prompt without a name\n")
        rc, out, err = run("discover", "--database", self.db, "--model", TOY_MODEL, "--vocabulary", bad)
        self.assertNotEqual(rc, 0)
        self.assertIn("line 2", err)
        self.assertEqual(len(err.strip().splitlines()), 1)
        rc, out, err = run("discover", "--database", os.path.join(self.tmp, "no.db"))
        self.assertNotEqual(rc, 0)
        self.assertIn("no such database", err)
        rc, out, err = run("discover", "--database", self.db, "extra")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    if not HAVE_SHARED:
        print("../shared is absent: skipping", file=sys.stderr)
        sys.exit(77)
    unittest.main()
