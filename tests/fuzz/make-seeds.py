#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/.

Usage: tests/fuzz/make-seeds.py [CORPUS-DIR]

Every seed is small and valid (or, for the parsers, a typical input), made
here from scratch: Pillow (Debian's python3-pil) for JPEG, PNG, GIF, WebP,
TIFF and BMP, heif-enc and avifenc (libheif-examples, libavif-bin) for HEIF
and AVIF, and hand-built TIFF structures for EXIF and the DNG containers.
Seeds are named seed-*; regression inputs from fuzzing runs are committed
beside them as crash-* (never rewritten here).  The script is
deterministic, so rerunning it leaves the committed files unchanged.
"""
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ----------------------------------------------------------------- images

def gradient(w, h, mode="RGB"):
    img = Image.new("RGB", (w, h))
    img.putdata([((x * 255) // max(w - 1, 1), (y * 255) // max(h - 1, 1), (x * y) % 256)
                 for y in range(h) for x in range(w)])
    return img.convert(mode) if mode != "RGB" else img


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def tiff_ifd(entries, offset, byteorder="<"):
    """One IFD at `offset` from (tag, type, values) entries; values of
    type 2 (ASCII) are bytes.  Returns (ifd bytes + out-of-line data, the
    offset of the next-IFD pointer relative to `offset`)."""
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}
    fmt = {1: "B", 3: "H", 4: "I", 7: "B"}
    entries = sorted(entries)
    head = struct.pack(byteorder + "H", len(entries))
    data_off = offset + 2 + 12 * len(entries) + 4
    extra = b""
    for tag, typ, vals in entries:
        if typ == 2:
            raw = vals + b"\0"
            count = len(raw)
        elif typ == 5:
            raw = b"".join(struct.pack(byteorder + "II", n, d) for n, d in vals)
            count = len(vals)
        else:
            raw = b"".join(struct.pack(byteorder + fmt[typ], v) for v in vals)
            count = len(vals)
        if len(raw) <= 4:
            field = raw.ljust(4, b"\0")
        else:
            if (data_off + len(extra)) % 2:
                extra += b"\0"
            field = struct.pack(byteorder + "I", data_off + len(extra))
            extra += raw
        head += struct.pack(byteorder + "HHI", tag, typ, count) + field
    next_ptr = len(head)
    head += b"\0\0\0\0"
    assert sizes
    return head + extra, next_ptr


def exif_block(date=b"2021:06:15 14:30:05", byteorder="<", offset_time=None):
    """A TIFF structure: IFD0 (DateTime, an EXIF pointer) and the EXIF IFD
    (DateTimeOriginal, DateTimeDigitized, optionally OffsetTimeOriginal)."""
    magic = (b"II*\0" if byteorder == "<" else b"MM\0*") + struct.pack(byteorder + "I", 8)
    exif_entries = [(0x9003, 2, date), (0x9004, 2, date)]
    if offset_time:
        exif_entries.append((0x9011, 2, offset_time))
    # IFD0 first with a placeholder EXIF pointer, then the EXIF IFD after it
    ifd0_entries = [(0x0112, 3, [1]), (0x0132, 2, b"2020:01:01 00:00:00"), (0x8769, 4, [0])]
    ifd0, _ = tiff_ifd(ifd0_entries, 8, byteorder)
    exif_off = 8 + len(ifd0)
    ifd0, _ = tiff_ifd([e if e[0] != 0x8769 else (0x8769, 4, [exif_off]) for e in ifd0_entries],
                       8, byteorder)
    exif, _ = tiff_ifd(exif_entries, exif_off, byteorder)
    return magic + ifd0 + exif


def jpeg_with_app1(jpeg, tiff):
    app1 = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def image_seeds():
    small = gradient(24, 16)
    put("fuzz-decode", "baseline.jpg", encode(small, "JPEG", quality=80))
    put("fuzz-decode", "progressive.jpg", encode(gradient(40, 24), "JPEG", quality=70,
                                                 progressive=True))
    put("fuzz-decode", "gray.jpg", encode(small.convert("L"), "JPEG", quality=75))
    put("fuzz-decode", "cmyk.jpg", encode(small.convert("CMYK"), "JPEG", quality=75))
    # orientation 6 (rotate 90 clockwise) in an EXIF block
    tiff = bytearray(exif_block())
    rotated = jpeg_with_app1(encode(gradient(20, 12), "JPEG", quality=75), bytes(tiff))
    put("fuzz-decode", "orientation.jpg", rotated.replace(
        b"\x12\x01\x03\x00\x01\x00\x00\x00\x01\x00", b"\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00", 1))
    put("fuzz-decode", "rgb.png", encode(small, "PNG"))
    put("fuzz-decode", "rgba.png", encode(small.convert("RGBA"), "PNG"))
    pal = small.convert("P", palette=Image.ADAPTIVE, colors=8)
    put("fuzz-decode", "palette-trns.png", encode(pal, "PNG", transparency=0))
    put("fuzz-decode", "gray16.png", encode(small.convert("I").point(lambda v: v * 200), "PNG"))
    put("fuzz-decode", "bilevel.png", encode(small.convert("1"), "PNG"))
    put("fuzz-decode", "interlaced.gif", encode(pal, "GIF", transparency=1, interlace=True))
    put("fuzz-decode", "lossy.webp", encode(small, "WEBP", quality=60))
    put("fuzz-decode", "lossless.webp", encode(small.convert("RGBA"), "WEBP", lossless=True))
    put("fuzz-decode", "rgb.tif", encode(small, "TIFF"))
    put("fuzz-decode", "deflate.tif", encode(small, "TIFF", compression="tiff_adobe_deflate"))
    put("fuzz-decode", "rgb.bmp", encode(small, "BMP"))
    put("fuzz-decode", "palette.bmp", encode(pal, "BMP"))
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "in.png")
        small.save(png)
        for tool, args, name in (
                ("heif-enc", ["-q", "40", "-o"], "photo.heic"),
                ("avifenc", [], "photo.avif")):
            out = os.path.join(tmp, name)
            if shutil.which(tool) is None:
                print(f"{tool} is missing: no {name} seed", file=sys.stderr)
                continue
            if tool == "avifenc":
                cmd = [tool, "-s", "10", "--min", "30", "--max", "40", png, out]
            else:
                cmd = [tool] + args + [out, png]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(out, "rb") as f:
                put("fuzz-decode", name, f.read())


def exif_seeds():
    jpeg = encode(gradient(8, 8), "JPEG", quality=50)
    put("fuzz-exif", "jpeg-le.jpg", jpeg_with_app1(jpeg, exif_block()))
    put("fuzz-exif", "jpeg-be-offset.jpg",
        jpeg_with_app1(jpeg, exif_block(byteorder=">", offset_time=b"+02:00")))
    put("fuzz-exif", "tiff-le.tif", exif_block(date=b"1999:12:31 23:59:59"))
    put("fuzz-exif", "tiff-be.tif", exif_block(byteorder=">"))
    put("fuzz-exif", "no-exif.jpg", jpeg)


def dng(preview_jpeg, preview_size, orientation=1, bitmap=False):
    """A minimal DNG: IFD0 holds the preview (a JPEG, or an 8-bit RGB
    bitmap), a SubIFD the 32 x 32 raw CFA image (libraw wants 22 x 22 at least)."""
    w, h = preview_size
    rw = rh = 32
    raw = bytes((x * 7 + y) & 0xff for y in range(rh) for x in range(rw * 2))
    if bitmap:
        pixels = gradient(w, h).tobytes()
        ifd0_preview = [(259, 3, [1]), (262, 3, [2]), (258, 3, [8, 8, 8]), (277, 3, [3])]
    else:
        pixels = preview_jpeg
        ifd0_preview = [(259, 3, [7]), (262, 3, [6]), (258, 3, [8, 8, 8]), (277, 3, [3])]

    def ifd0_entries(sub_off, strip_off):
        return ifd0_preview + [
            (254, 4, [1]), (256, 4, [w]), (257, 4, [h]), (273, 4, [strip_off]),
            (278, 4, [h]), (279, 4, [len(pixels)]), (274, 3, [orientation]),
            (271, 2, b"Clipsight"), (272, 2, b"Fuzz Seed"), (330, 4, [sub_off]),
            (50706, 1, [1, 4, 0, 0]), (50707, 1, [1, 1, 0, 0]), (50708, 2, b"Clipsight Fuzz Seed"),
            (50721, 5, [(1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]),
            (50728, 5, [(1, 1), (1, 1), (1, 1)]),
        ]

    def sub_entries(raw_off):
        return [
            (254, 4, [0]), (256, 4, [rw]), (257, 4, [rh]), (258, 3, [16]), (259, 3, [1]),
            (262, 3, [32803]), (273, 4, [raw_off]), (277, 3, [1]), (278, 4, [rh]),
            (279, 4, [len(raw)]), (33421, 3, [2, 2]), (33422, 1, [0, 1, 1, 2]),
            (50717, 4, [65535]),
        ]

    # two passes: sizes first, then the real offsets
    ifd0, _ = tiff_ifd(ifd0_entries(0, 0), 8)
    sub_off = 8 + len(ifd0)
    sub, _ = tiff_ifd(sub_entries(0), sub_off)
    strip_off = sub_off + len(sub)
    raw_off = strip_off + len(pixels) + (len(pixels) % 2)
    ifd0, _ = tiff_ifd(ifd0_entries(sub_off, strip_off), 8)
    sub, _ = tiff_ifd(sub_entries(raw_off), sub_off)
    body = b"II*\0" + struct.pack("<I", 8) + ifd0 + sub + pixels
    body += b"\0" * (raw_off - len(body))
    return body + raw


def raw_seeds():
    preview = gradient(32, 24)
    jpeg = encode(preview, "JPEG", quality=70)
    put("fuzz-raw", "jpeg-preview.dng", dng(jpeg, preview.size))
    put("fuzz-raw", "jpeg-preview-rot.dng", dng(jpeg, preview.size, orientation=6))
    put("fuzz-raw", "bitmap-preview.dng", dng(None, (16, 12), bitmap=True))


# ------------------------------------------------------- model files

def safetensors(tensors, metadata=None):
    header = {}
    data = b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def model_seeds():
    f32 = struct.pack("<6f", 1, -2, 0.5, 3.25, 0, 1e-3)
    f16 = struct.pack("<4H", 0x3c00, 0xc000, 0x7bff, 0x0001)
    put("fuzz-safetensors", "mixed.safetensors", safetensors([
        ("logit_scale", "F32", [], struct.pack("<f", 2.6592)),
        ("text_model.embeddings.token_embedding.weight", "F32", [3, 2], f32),
        ("visual_projection.weight", "F16", [2, 2], f16),
        ("position_ids", "I64", [1, 2], struct.pack("<2q", 0, 1)),
        ("half", "BF16", [2], struct.pack("<2H", 0x3f80, 0xbf80)),
    ], {"format": "pt"}))
    put("fuzz-safetensors", "empty-tensor.safetensors", safetensors([
        ("a", "F32", [0, 4], b""), ("b", "U8", [3], b"\1\2\3"),
    ]))
    put("fuzz-safetensors", "empty.safetensors", safetensors([]))

    vision = {"hidden_size": 64, "intermediate_size": 256, "num_attention_heads": 2,
              "num_hidden_layers": 2, "image_size": 64, "patch_size": 16, "num_channels": 3,
              "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5}
    text = {"hidden_size": 64, "intermediate_size": 256, "num_attention_heads": 2,
            "num_hidden_layers": 2, "max_position_embeddings": 77, "vocab_size": 49408,
            "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "eos_token_id": 49407}
    put("fuzz-config", "config.json", json.dumps({
        "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": 32,
        "logit_scale_init_value": 2.6592, "torch_dtype": "float32",
        "text_config": text, "vision_config": vision}, indent=2))
    put("fuzz-config", "config-defaults.json", json.dumps({"projection_dim": 512}))
    put("fuzz-config", "preprocessor-dict.json", json.dumps({
        "crop_size": {"height": 64, "width": 64}, "do_center_crop": True,
        "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
        "resample": 3, "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": 64}}, indent=2))
    put("fuzz-config", "preprocessor-int.json", json.dumps({
        "crop_size": 224, "size": 224, "do_normalize": False,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}))


def byte_symbol(b):
    printable = lambda k: (33 <= k <= 126) or (0xa1 <= k <= 0xac) or (0xae <= k <= 0xff)
    if printable(b):
        return chr(b)
    return chr(0x100 + sum(1 for k in range(b) if not printable(k)))


def tokenizer_seeds():
    vocab = {}
    for suffix in ("", "</w>"):
        for b in range(256):
            vocab[byte_symbol(b) + suffix] = len(vocab)
    merges = [("a", "b"), ("ab", "c</w>"), ("d", "o"), ("do", "g</w>"), ("c", "a"),
              ("ca", "t</w>"), ("t", "h"), ("th", "e</w>")]
    for left, right in merges:
        vocab.setdefault(left + right, len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    v = json.dumps(vocab, ensure_ascii=False, indent=0)
    m = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
    put("fuzz-tokenizer-load", "small", v + "\0" + m)
    put("fuzz-tokenizer-load", "no-merges", v)
    put("fuzz-tokenizer-load", "escaped", json.dumps(vocab, ensure_ascii=True) + "\0" + m)

    for name, text in (
            ("photo", "a photo of a dog"),
            ("entities", "Tom &amp;amp; Jerry &lt;b&gt; &#39;quoted&#39; &nbsp;&eacute;"),
            ("unicode", "Ｃａｆé naïve 東京タワー 😀👍🏽 \u0301e"),
            ("numbers", "it's 2023's 10,000 photos... don't we'll I'M"),
            ("special", "<|startoftext|>x<|endoftext|> <|endoftext|>"),
            ("space", "  \t\n  lots   of\r\nspace\x0b\x0c "),
            ("long", "word " * 120)):
        put("fuzz-tokenizer", name, text)
    put("fuzz-tokenizer", "invalid-utf8", b"caf\xc3 \xff\xfe na\xe2\x82 \xed\xa0\x80 \xc0\xaf x\0y")

    for name, text in (
            ("plain", "dog on a beach"),
            ("composed", "beach + 2:sunset - people"),
            ("weights", "0.5:cat + .25:dog - 1e3:rain"),
            ("operators", "t-shirt + a+b - -x + + -"),
            ("leading", "- 2:night sky +"),
            ("huge-weight", "1e999:cat + 3:"),
            ("unicode", "chat 🐈 + chien")):
        put("fuzz-query", name, text)


def main():
    image_seeds()
    exif_seeds()
    raw_seeds()
    model_seeds()
    tokenizer_seeds()


if __name__ == "__main__":
    main()
