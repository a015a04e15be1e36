#!/usr/bin/env python3
"""Writes a hostile photo folder for Clipsight's indexer (no network).

    make-corpus.py OUT_DIR

Bombs in every format the decoder reads (tiny files announcing huge
images, RAW files with a huge embedded preview), truncated files, empty
files, lying headers (a PNG named .jpg, garbage, text), a tree 300 folders
deep, a FIFO, links to /dev/zero and /dev/urandom, a symlink loop, a
dangling link, and awkward names (a newline, invalid UTF-8, a leading
dash, 255 bytes, `&`, Pango markup), beside a few honest photos.  Prints
a JSON manifest on stdout: for each regular photo file (as bytes in
hex), what the indexer must do ("index" or "fail"), and the words its
failure reason must contain.
"""
import io
import json
import os
import struct
import subprocess
import sys
import shutil
import tempfile

from PIL import Image

Image.MAX_IMAGE_PIXELS = None

manifest = []


def record(path, expect, words=()):
    manifest.append({"path": os.fsencode(path).hex(), "expect": expect, "words": list(words)})


def write(path, data, expect, words=()):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    record(path, expect, words)


def photo(fmt, size=(96, 64), colour=(40, 120, 200), **kw):
    im = Image.new("RGB", size, colour)
    for x in range(size[0]):
        im.putpixel((x, x * size[1] // size[0]), (250, 250, 0))
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def patch_jpeg_size(data, width, height):
    d = bytearray(data)
    for i in range(2, len(d) - 9):
        if d[i] == 0xFF and d[i + 1] in (0xC0, 0xC2):
            d[i + 5:i + 7] = struct.pack(">H", height)
            d[i + 7:i + 9] = struct.pack(">H", width)
            return bytes(d)
    raise ValueError("no SOF")


def png_bomb(width, height):
    data = bytearray(photo("PNG", (16, 16)))
    data[16:24] = struct.pack(">II", width, height)
    # the IHDR CRC is left wrong on purpose: the size must be refused first
    return bytes(data)


class Bits:
    def __init__(self):
        self.out = bytearray()
        self.n = 0

    def put(self, value, count):
        for i in range(count):
            if self.n % 8 == 0:
                self.out.append(0)
            if (value >> i) & 1:
                self.out[self.n // 8] |= 1 << (self.n % 8)
            self.n += 1


def vp8l_chunk(width, height):
    """Lossless, every prefix code a single symbol: zero bits a pixel."""
    b = Bits()
    b.put(0x2F, 8)
    b.put(width - 1, 14)
    b.put(height - 1, 14)
    b.put(0, 4)
    b.put(0, 3)
    for sym in (0, 0, 0, 255, 0):
        b.put(1, 1)
        b.put(0, 1)
        if sym < 2:
            b.put(0, 1)
            b.put(sym, 1)
        else:
            b.put(1, 1)
            b.put(sym, 8)
    data = bytes(b.out)
    return b"VP8L" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def riff(chunks):
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind, payload, version=0, flags=0):
    return box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def heif_header_bomb(brand, width, height):
    """ftyp + meta announcing one primary item of width x height (no data)."""
    ftyp = box(b"ftyp", brand + b"\0\0\0\0" + b"mif1" + brand)
    hdlr = full_box(b"hdlr", b"\0\0\0\0pict" + b"\0" * 12 + b"\0")
    pitm = full_box(b"pitm", struct.pack(">H", 1))
    ispe = full_box(b"ispe", struct.pack(">II", width, height))
    ipco = box(b"ipco", ispe)
    ipma = full_box(b"ipma", struct.pack(">IHBB", 1, 1, 1, 0x81))
    meta = full_box(b"meta", hdlr + pitm + box(b"iprp", ipco + ipma))
    return ftyp + meta + box(b"mdat", b"\0" * 64)


def tiff_bomb(width, height):
    """A baseline RGB TIFF header announcing width x height, one tiny strip."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 2), (273, 4, 1, 8 + 2 + 9 * 12 + 4), (277, 3, 1, 3),
               (278, 4, 1, height), (279, 4, 1, 16)]
    out = bytearray(b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, typ, count, value in entries:
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    return bytes(out + struct.pack("<I", 0) + b"\x80" * 16)


def bmp_bomb(width, height):
    header = struct.pack("<2sIHHI", b"BM", 54 + 16, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 16, 2835, 2835, 0, 0)
    return header + info + b"\0" * 16


def gif_bomb(width, height):
    data = bytearray(photo("GIF", (16, 16)))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def tiff_ifd(entries, next_offset):
    out = bytearray(struct.pack("<H", len(entries)))
    for tag, typ, count, value in sorted(entries):
        if isinstance(value, bytes):
            out += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\0")
        elif typ == 3 and count == 1:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    return out + struct.pack("<I", next_offset)


def dng(preview):
    """A minimal DNG libraw opens: a 64 x 64 CFA, then a JPEG preview IFD."""
    sensor = 64
    raw = b"\0\x10" * (sensor * sensor)
    n0, n1 = 15, 10
    ifd1 = 8 + 2 + n0 * 12 + 4
    data = ifd1 + 2 + n1 * 12 + 4
    make_at, raw_at = data, data + 8
    jpeg_at = raw_at + len(raw)
    ifd0 = [(254, 4, 1, 0), (256, 4, 1, sensor), (257, 4, 1, sensor), (258, 3, 1, 16),
            (259, 3, 1, 1), (262, 3, 1, 32803), (271, 2, 6, make_at), (273, 4, 1, raw_at),
            (274, 3, 1, 1), (277, 3, 1, 1), (278, 4, 1, sensor), (279, 4, 1, len(raw)),
            (33421, 3, 2, struct.pack("<HH", 2, 2)), (33422, 1, 4, bytes([0, 1, 1, 2])),
            (50706, 1, 4, bytes([1, 4, 0, 0]))]
    ifd1_entries = [(254, 4, 1, 1), (256, 4, 1, 96), (257, 4, 1, 64), (258, 3, 1, 8),
                    (259, 3, 1, 7), (262, 3, 1, 6), (273, 4, 1, jpeg_at), (277, 3, 1, 3),
                    (278, 4, 1, 64), (279, 4, 1, len(preview))]
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    out += tiff_ifd(ifd0, ifd1) + tiff_ifd(ifd1_entries, 0)
    assert len(out) == data
    return bytes(out + b"Canon\0\0\0" + raw + preview)


def encode_with(tool_args, png_bytes, suffix):
    if shutil.which(tool_args[0]) is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.png")
        dst = os.path.join(tmp, "out" + suffix)
        with open(src, "wb") as f:
            f.write(png_bytes)
        args = [a.replace("IN", src).replace("OUT", dst) for a in tool_args]
        if subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            return None
        with open(dst, "rb") as f:
            return f.read()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    j = lambda *p: os.path.join(out, *p)
    jpeg = photo("JPEG", quality=90)
    png = photo("PNG")
    webp = photo("WEBP", quality=80)
    big = ["exceeds the limit"]

    # honest photos, and the same under awkward names
    write(j("good", "photo.jpg"), jpeg, "index")
    write(j("good", "photo.png"), png, "index")
    write(j("good", "photo.webp"), webp, "index")
    write(j("good", "progressive.jpg"), photo("JPEG", quality=90, progressive=True), "index")
    write(j("good", "photo.gif"), photo("GIF"), "index")
    write(j("good", "photo.bmp"), photo("BMP"), "index")
    write(j("good", "photo.tif"), photo("TIFF"), "index")
    write(j("good", "preview.dng"), dng(jpeg), "index")
    names = ["new\nline.jpg", "-leading-dash.jpg", "Tom & Jerry.jpg",
             "<span size='xx-large'>x</span>.jpg", "tab\there.jpg", "esc\x1b[31mred.jpg",
             "a" * 251 + ".jpg"]
    for name in names:
        write(j("names", name), jpeg, "index")
    bad_utf8 = os.path.join(os.fsencode(out), b"names", b"bad-\xff\xfe-utf8.jpg")
    with open(bad_utf8, "wb") as f:
        f.write(jpeg)
    record(os.fsdecode(bad_utf8), "index")

    # bombs: tiny files announcing huge images
    write(j("bombs", "bomb.png"), png_bomb(100000, 100000), "fail", big)
    write(j("bombs", "bomb.jpg"), patch_jpeg_size(jpeg, 60000, 60000), "fail", big)
    write(j("bombs", "bomb-progressive.jpg"),
          patch_jpeg_size(photo("JPEG", progressive=True), 40000, 40000), "fail", big)
    write(j("bombs", "bomb-lossless.webp"), riff(vp8l_chunk(16383, 16383)), "fail", big)
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + struct.pack("<I", 19999)[:3] * 2
    write(j("bombs", "bomb-canvas.webp"), riff(vp8x + vp8l_chunk(16, 16)), "fail", big)
    lossy = bytearray(webp)
    if lossy[12:16] == b"VP8 ":
        lossy[26:30] = struct.pack("<HH", 16383, 16383)
        write(j("bombs", "bomb-lossy.webp"), bytes(lossy), "fail", big)
    write(j("bombs", "bomb.gif"), gif_bomb(65535, 65535), "fail", big)
    write(j("bombs", "bomb.bmp"), bmp_bomb(100000, 100000), "fail", big)
    write(j("bombs", "bomb.tif"), tiff_bomb(60000, 60000), "fail", big)
    write(j("bombs", "bomb.heic"), heif_header_bomb(b"heic", 13500, 13500), "fail", big)
    write(j("bombs", "bomb.avif"), heif_header_bomb(b"avif", 20000, 20000), "fail", big)
    raw_bomb = dng(patch_jpeg_size(jpeg, 30000, 30000))
    write(j("bombs", "bomb.dng"), raw_bomb, "fail", big)
    write(j("bombs", "bomb.nef"), raw_bomb, "fail", big)

    # truncated
    write(j("truncated", "half.jpg"), jpeg[: len(jpeg) // 2], "fail", ["truncated"])
    write(j("truncated", "half.png"), png[: len(png) // 2], "fail")
    write(j("truncated", "half.webp"), webp[: len(webp) // 2], "fail")
    write(j("truncated", "half.gif"), photo("GIF")[:40], "fail")
    write(j("truncated", "half.dng"), dng(jpeg)[:300], "fail")
    heic = encode_with(["heif-enc", "-q", "50", "-o", "OUT", "IN"], png, ".heic")
    if heic is not None:
        write(j("good", "photo.heic"), heic, "index")
        write(j("truncated", "half.heic"), heic[: len(heic) // 2], "fail")

    # empty
    for ext in ("jpg", "png", "webp", "heic", "gif", "tif", "dng"):
        write(j("empty", "empty." + ext), b"", "fail", ["empty"] if ext != "dng" else [])

    # lying headers
    write(j("lying", "png-named.jpg"), png, "index")
    write(j("lying", "jpeg-named.webp"), jpeg, "index")
    write(j("lying", "garbage.jpg"), bytes(range(256)) * 8, "fail")
    write(j("lying", "text.png"), b"this is not a picture\n" * 10, "fail")
    write(j("lying", "garbage.dng"), b"\0" * 4096, "fail")
    write(j("lying", "garbage.heic"), b"\0\0\0\x18ftypheic" + b"\xff" * 200, "fail")

    # a tree 300 folders deep, with photos at depth 10, 256 and 300
    path = j("deep")
    for level in range(1, 301):
        path = os.path.join(path, "d")
        if level in (10, 250, 300):
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "deep-%d.jpg" % level), "wb") as f:
                f.write(jpeg)
            record(os.path.join(path, "deep-%d.jpg" % level), "index")
    os.makedirs(path, exist_ok=True)

    # special files: never regular, never opened for long
    os.makedirs(j("special"), exist_ok=True)
    os.mkfifo(j("special", "fifo.jpg"))
    os.symlink("/dev/zero", j("special", "zero.jpg"))
    os.symlink("/dev/urandom", j("special", "urandom.png"))
    os.symlink("loop-b.jpg", j("special", "loop-a.jpg"))
    os.symlink("loop-a.jpg", j("special", "loop-b.jpg"))
    os.symlink("nowhere.jpg", j("special", "dangling.jpg"))
    os.symlink("..", j("special", "parent-link"))

    json.dump(manifest, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
