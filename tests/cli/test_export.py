#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""clipsight-cli export, end to end, and its XMP sidecars read back with a
real XMP parser: exiv2, through gexiv2's GObject binding (Debian's
gir1.2-gexiv2-0.10 with python3-gi; exempi's python3-libxmp is not in
Debian 12).  exiv2 is what darktable links and one of digiKam's two
readers, so what it reads is what they see.

The toy photos (../shared; skips with 77 without it) are indexed with the
toy CLIP; a label with a hostile name (& < > quotes, non-ASCII) gets three
confirmed photos.  Checked: the output contract (one JSON object per
photo per line, a one-line reason and status 1 on failure, 2 on a bad
command line), links and copies (SHA-256 here), the originals untouched,
dc:subject and digiKam:TagsList holding the album exactly, and sidecars
other tools wrote (darktable's and digiKam's shapes) keeping everything
they held with the album added."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("CLIPSIGHT_CLI", "clipsight-cli")
SHARED = os.environ.get("CLIPSIGHT_SHARED", "")
TOY_MODEL = os.path.join(SHARED, "models", "toy-clip")
TOY_PHOTOS = os.path.realpath(os.path.join(SHARED, "testdata", "toy-photos"))
HAVE_SHARED = os.path.isdir(TOY_MODEL) and os.path.isdir(TOY_PHOTOS)

ALBUM = 'Café & "Friends" <2025>'

try:
    import gi
    gi.require_version("GExiv2", "0.10")
    from gi.repository import GExiv2
except (ImportError, ValueError) as e:  # reported in main
    GExiv2 = None
    GEXIV2_ERROR = str(e)


def run(*args, timeout=600):
    p = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def ok(*args):
    rc, out, err = run(*args)
    assert rc == 0, f"{args[0]} failed ({rc}): {err}"
    assert err == "", f"{args[0]} wrote to stderr: {err}"
    return out


def json_lines(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fingerprint(path):
    st = os.stat(path)
    return (sha256(path), st.st_mtime_ns, st.st_size)


def read_xmp(path):
    """The sidecar's (dc:subject, digiKam:TagsList, every tag) as exiv2
    reads them."""
    m = GExiv2.Metadata()
    m.open_path(path)
    tags = m.get_xmp_tags()

    def values(tag):
        get = getattr(m, "try_get_tag_multiple", None) or m.get_tag_multiple
        return list(get(tag)) if tag in tags else []
    return values("Xmp.dc.subject"), values("Xmp.digiKam.TagsList"), m, tags


DARKTABLE = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:darktable="http://darktable.sf.net/"
    xmp:Rating="4"
    darktable:xmp_version="5">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Holiday</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <dc:title>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">Tom &amp; Jerry</rdf:li>
    </rdf:Alt>
   </dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

# digiKam's shape: the tag list only, no dc:subject; a self-closing
# second Description
DIGIKAM = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>People/Anna</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


# Namespaces declared on the root only; the album already in dc:subject
# but not in the tag list; a value with a newline and a tab (character
# references, as attribute values must carry them)
ROOT_DECLARED = """<x:xmpmeta xmlns:x="adobe:ns:meta/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:digiKam="http://www.digikam.org/ns/1.0/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/">
 <rdf:RDF>
  <rdf:Description rdf:about="" xmp:Label="line one&#xA;line two&#x9;tabbed">
   <dc:subject><rdf:Bag><rdf:li>Old</rdf:li><rdf:li>%s</rdf:li></rdf:Bag></dc:subject>
   <digiKam:TagsList><rdf:Seq><rdf:li>Places/Home</rdf:li></rdf:Seq></digiKam:TagsList>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

# The album already in the tag list only, a subject list without it
TAGS_ONLY = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
   <digiKam:TagsList><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></digiKam:TagsList>
   <dc:subject><rdf:Bag><rdf:li>Physics</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

# Both lists hold the album already: nothing to write
COMPLETE = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
<dc:subject><rdf:Bag><rdf:li>%s</rdf:li></rdf:Bag></dc:subject>
<digiKam:TagsList><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></digiKam:TagsList>
</rdf:Description></rdf:RDF></x:xmpmeta>
"""


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class ExportCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cs-export-")
        cls.photos = os.path.join(cls.tmp, "photos")
        os.makedirs(os.path.join(cls.photos, "b"))
        names = ["photo-%04d.%s" % (i, "png" if i in (1, 2, 3, 9, 10, 11, 12) else "jpg") for i in range(1, 13)]
        for n in names:
            shutil.copy(os.path.join(TOY_PHOTOS, n), os.path.join(cls.photos, n))
        # one name twice, other pictures
        shutil.copy(os.path.join(TOY_PHOTOS, "photo-0020.png"), os.path.join(cls.photos, "b", "photo-0001.png"))
        cls.db = os.path.join(cls.tmp, "library.db")
        ok("index", "--database", cls.db, "--model", TOY_MODEL, "--json", cls.photos)
        ok("label", "--database", cls.db, "add", ALBUM)
        cls.confirmed = [os.path.join(cls.photos, p) for p in ("photo-0001.png", "b/photo-0001.png", "photo-0004.jpg")]
        ok("label", "--database", cls.db, "confirm", ALBUM, *cls.confirmed)
        cls.members = sorted(r["path"] for r in json_lines(ok("label", "--database", cls.db, "show", "--json", ALBUM)))
        cls.originals = {}
        for root, _, files in os.walk(cls.photos):
            for f in files:
                p = os.path.join(root, f)
                os.chmod(p, 0o444)
                cls.originals[p] = fingerprint(p)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        for p, fp in self.originals.items():
            self.assertEqual(fingerprint(p), fp, f"{p} changed")

    def export(self, to, *args):
        return json_lines(ok("export", "--database", self.db, "--label", ALBUM, "--to", to, "--json", *args))

    def test_links_with_sidecars(self):
        out = os.path.join(self.tmp, "links")
        rows = self.export(out, "--xmp")
        self.assertEqual(sorted(r["path"] for r in rows), self.members)
        for p in self.confirmed:
            self.assertIn(p, self.members)
        for r in rows:
            self.assertEqual(set(r), {"path", "exported", "outcome", "error", "sidecar_error"})
            self.assertEqual(r["outcome"], "added")
            self.assertIsNone(r["error"])
            self.assertTrue(os.path.islink(r["exported"]))
            self.assertEqual(os.path.realpath(r["exported"]), os.path.realpath(r["path"]))
            subject, tags, _, _ = read_xmp(r["exported"] + ".xmp")
            self.assertEqual(subject, [ALBUM])
            self.assertEqual(tags, [ALBUM])
        # names in the order of the paths: ".../photos/b/photo-0001.png"
        # before ".../photos/photo-0001.png"
        by_path = {r["path"]: r["exported"] for r in rows}
        self.assertEqual(by_path[self.confirmed[1]], os.path.join(out, "photo-0001.png"))
        self.assertEqual(by_path[self.confirmed[0]], os.path.join(out, "photo-0001 (2).png"))
        # again: nothing new
        before = sorted(os.listdir(out))
        again = self.export(out, "--xmp")
        self.assertEqual({r["outcome"] for r in again}, {"present"})
        self.assertEqual(sorted(os.listdir(out)), before)

    def test_copies(self):
        out = os.path.join(self.tmp, "copies")
        rows = self.export(out, "--copy")
        self.assertEqual(len(rows), len(self.members))
        for r in rows:
            self.assertFalse(os.path.islink(r["exported"]))
            self.assertEqual(sha256(r["exported"]), sha256(r["path"]))
            self.assertFalse(os.path.exists(r["exported"] + ".xmp"))
        # the human output: a line per photo and a summary
        rc, text, err = run("export", "--database", self.db, "--label", ALBUM, "--to", out, "--copy")
        self.assertEqual((rc, err), (0, ""))
        self.assertTrue(text.endswith("0 added, %d already there, 0 failed\n" % len(rows)), text)

    def test_existing_sidecars_merged(self):
        out = os.path.join(self.tmp, "merge")
        os.makedirs(out)
        # the photos' names are known: the members sorted by path, first
        # of each name plain
        names = {os.path.basename(p) for p in self.members}
        self.assertIn("photo-0004.jpg", names)
        dt = os.path.join(out, "photo-0004.jpg.xmp")
        dk = os.path.join(out, "photo-0001.png.xmp")
        with open(dt, "w") as f:
            f.write(DARKTABLE)
        with open(dk, "w") as f:
            f.write(DIGIKAM)
        rows = self.export(out, "--xmp")
        self.assertTrue(all(r["sidecar_error"] is None for r in rows), rows)

        subject, tags, m, _ = read_xmp(dt)
        self.assertEqual(subject, ["Holiday", ALBUM])
        self.assertEqual(tags, [ALBUM])
        self.assertEqual(m.get_tag_string("Xmp.xmp.Rating"), "4")
        self.assertEqual(m.get_tag_string("Xmp.darktable.xmp_version"), "5")
        self.assertIn("Tom & Jerry", m.get_tag_string("Xmp.dc.title"))

        subject, tags, m, _ = read_xmp(dk)
        self.assertEqual(subject, [ALBUM])
        self.assertEqual(tags, ["People/Anna", ALBUM])
        self.assertEqual(m.get_tag_string("Xmp.xmp.Rating"), "2")

        # a second export leaves them byte for byte
        with open(dt, "rb") as f:
            dt_bytes = f.read()
        with open(dk, "rb") as f:
            dk_bytes = f.read()
        self.export(out, "--xmp")
        with open(dt, "rb") as f:
            self.assertEqual(f.read(), dt_bytes)
        with open(dk, "rb") as f:
            self.assertEqual(f.read(), dk_bytes)

    def test_other_shapes_merged(self):
        """Sidecars in shapes no tool above writes but XML and RDF allow,
        each read back by exiv2: the album in each list once, nothing
        else lost."""
        out = os.path.join(self.tmp, "shapes")
        os.makedirs(out)
        album = xml_text(ALBUM)
        rooted = os.path.join(out, "photo-0001.png.xmp")
        tags_only = os.path.join(out, "photo-0001 (2).png.xmp")
        complete = os.path.join(out, "photo-0004.jpg.xmp")
        for path, text in ((rooted, ROOT_DECLARED % album), (tags_only, TAGS_ONLY % album),
                           (complete, COMPLETE % (album, album))):
            with open(path, "w") as f:
                f.write(text)
            # exiv2 reads each as it is, before we touch it
            self.assertTrue(read_xmp(path)[3], path)
        with open(complete, "rb") as f:
            complete_bytes = f.read()
        rows = self.export(out, "--xmp")
        self.assertTrue(all(r["sidecar_error"] is None for r in rows), rows)

        subject, tags, m, _ = read_xmp(rooted)
        self.assertEqual(subject, ["Old", ALBUM])
        self.assertEqual(tags, ["Places/Home", ALBUM])
        self.assertEqual(m.get_tag_string("Xmp.xmp.Label"), "line one\nline two\ttabbed")

        subject, tags, _, _ = read_xmp(tags_only)
        self.assertEqual(subject, ["Physics", ALBUM])
        self.assertEqual(tags, [ALBUM])

        with open(complete, "rb") as f:
            self.assertEqual(f.read(), complete_bytes)

    def test_broken_sidecar_left_alone(self):
        out = os.path.join(self.tmp, "broken")
        os.makedirs(out)
        broken = os.path.join(out, "photo-0004.jpg.xmp")
        with open(broken, "w") as f:
            f.write("<x:xmpmeta><rdf:RDF>")
        rc, text, err = run("export", "--database", self.db, "--label", ALBUM, "--to", out, "--xmp", "--json")
        self.assertEqual(rc, 1)
        self.assertEqual(len(err.rstrip("\n").split("\n")), 1, err)
        self.assertIn("1 sidecars failed", err)
        rows = json_lines(text)
        bad = [r for r in rows if r["sidecar_error"] is not None]
        self.assertEqual(len(bad), 1)
        self.assertIn("photo-0004.jpg.xmp", bad[0]["sidecar_error"])
        self.assertEqual(bad[0]["outcome"], "added")
        with open(broken) as f:
            self.assertEqual(f.read(), "<x:xmpmeta><rdf:RDF>")

    def test_errors(self):
        # unknown label: one line, status 1
        rc, out, err = run("export", "--database", self.db, "--label", "No such", "--to", self.tmp)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertIn("no label called “No such”", err)
        self.assertEqual(len(err.rstrip("\n").split("\n")), 1)
        # a file where the folder should be
        f = os.path.join(self.tmp, "a-file")
        with open(f, "w") as fh:
            fh.write("x")
        rc, out, err = run("export", "--database", self.db, "--label", ALBUM, "--to", f)
        self.assertEqual(rc, 1)
        self.assertIn("a-file", err)
        self.assertIn("Not a directory", err)
        self.assertEqual(len(err.rstrip("\n").split("\n")), 1)
        # a folder nobody may write (as root, writable anyway: skipped)
        if os.geteuid() != 0:
            ro = os.path.join(self.tmp, "read-only")
            os.mkdir(ro, 0o555)
            rc, out, err = run("export", "--database", self.db, "--label", ALBUM, "--to", ro)
            self.assertEqual(rc, 1)
            self.assertIn("Cannot write", err)
        # bad command lines: status 2
        for args in (["--label", ALBUM], ["--to", self.tmp], ["--label", ALBUM, "--to", self.tmp, "extra"]):
            rc, out, err = run("export", "--database", self.db, *args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(len(err.rstrip("\n").split("\n")), 1)
        rc, out, err = run("export", "--database", os.path.join(self.tmp, "none.db"), "--label", ALBUM,
                           "--to", self.tmp)
        self.assertEqual(rc, 1)
        self.assertIn("no such database", err)


if __name__ == "__main__":
    if not HAVE_SHARED:
        print("skipped: ../shared (toy model and photos) is absent")
        sys.exit(77)
    if GExiv2 is None:
        # the XMP reader is a dependency of the tests (.ci/install-deps):
        # its absence is a failure, not a skip
        print(f"gexiv2 (gir1.2-gexiv2-0.10, python3-gi) is missing: {GEXIV2_ERROR}")
        sys.exit(1)
    unittest.main(verbosity=2)
