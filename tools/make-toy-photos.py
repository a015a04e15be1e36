#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fresh toy photos for the toy CLIP (../shared/models/toy-clip).

Pictures in the style of ../shared/testdata/toy-photos: one or two
coloured shapes (circle, square, triangle, star, cross, ring; red, green,
blue, yellow, purple, orange, black, white) on a plain, tinted or noisy
background, inside the picture's central square (CLIP's resize and centre
crop keep them), 80-640 px, some non-square, JPEG and PNG, with a
labels.csv of the same columns (file, shapes, colours, caption, sizes,
positions, background, width, height; list fields ';'-separated, one entry
per object, in the same order).

Why: every shared toy photo has been looked at while the discovery rules
were designed, so a held-out figure needs pictures nobody has seen.  The
same seed gives the same files, byte for byte, with the same Pillow (the
output depends only on Python's random.Random and Pillow's drawing, blur
and encoders).

The proportions follow what labels.csv and the shared pictures show (see
the constants below): about 63 % single objects; single objects in the
centre, left, right, top or bottom of the central square, pairs side by
side or one above the other; large objects about 42-60 % of the square's
side, small 28-38 % (a circle's diameter; the other shapes as large as
they look in the shared pictures); a few pictures of two same-sized yellow stars; no object
whose colour is too close to its background's (a white shape on white,
beige or pink, black on black, green on teal).

Only Python 3 and Pillow (Debian's python3-pil).

  make-toy-photos.py --seed 7 --count 240 --out DIR
"""
import argparse
import math
import os
import random
import sys

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SHAPES = ["circle", "square", "triangle", "star", "cross", "ring"]
PLURAL = {"cross": "crosses"}

# Mean RGB of each colour as measured on the shared pictures; each object
# varies by a few levels around it.
COLOURS = {
    "red": (218, 30, 38),
    "green": (32, 158, 61),
    "blue": (35, 71, 216),
    "yellow": (244, 210, 32),
    "purple": (142, 49, 187),
    "orange": (245, 135, 24),
    "black": (14, 14, 19),
    "white": (244, 246, 242),
}

# name: (mean RGB, weight); "noisy" is drawn apart.
BACKGROUNDS = {
    "grey": ((130, 130, 131), 51),
    "black": ((10, 10, 10), 49),
    "white": ((248, 248, 249), 42),
    "noisy": (None, 34),
    "teal": ((35, 125, 126), 21),
    "beige": ((224, 210, 176), 16),
    "brown": ((115, 75, 45), 14),
    "pink": ((243, 185, 200), 13),
}

# Centre of an object in units of the central square's side.
PLACES = {
    "centre": (0.50, 0.50),
    "left": (0.26, 0.50),
    "right": (0.72, 0.50),
    "top": (0.50, 0.27),
    "bottom": (0.50, 0.73),
}
PHRASE = {"centre": "in the centre", "left": "on the left", "right": "on the right",
          "top": "at the top", "bottom": "at the bottom"}

MIN_CONTRAST = 80.0   # RGB distance below which an object would melt into its background


def distance(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def weighted(rng, table):
    names = list(table)
    return rng.choices(names, weights=[table[n][1] for n in names])[0]


def jitter(rng, rgb, sd):
    return tuple(max(0, min(255, int(round(c + rng.gauss(0, sd))))) for c in rgb)


def picture_size(rng):
    """Short side log-uniform in 80-640; about a quarter non-square, the
    long side up to 1.8 times the short one (at most 640)."""
    short = int(round(80 * 8 ** rng.random()))
    if rng.random() < 0.72:
        return short, short
    long_side = min(640, int(round(short * rng.uniform(1.02, 1.8))))
    short = min(short, long_side)
    return (short, long_side) if rng.random() < 0.6 else (long_side, short)


def grain(rng, size, amplitude):
    """Independent uniform noise per pixel and channel, centred on 128,
    spanning +-amplitude (for ImageChops.add with offset -128)."""
    w, h = size
    noise = Image.frombytes("RGB", size, rng.randbytes(w * h * 3))
    scale = amplitude / 128.0
    return noise.point(lambda v: int(round(128 + (v - 128) * scale)))


def background(rng, name, size):
    """The background and the amplitude of its grain (0: none), added
    after the objects are drawn and the picture blurred, on the background
    only (the shared pictures' shapes are clean, their grain sharp even
    when the picture is blurred)."""
    w, h = size
    if name != "noisy":
        # a plain colour, tinted a little, sometimes with a fine grain
        image = Image.new("RGB", size, jitter(rng, BACKGROUNDS[name][0], 4))
        return image, (rng.uniform(3, 9) if rng.random() < 0.35 else 0)
    # blotches: a coarse grid of shades of one random tint (mostly lighter
    # or darker, a little more or less of each channel), smoothly enlarged,
    # under a strong grain
    base = jitter(rng, (122, 116, 117), 35)
    light = rng.uniform(20, 45)
    chroma = rng.uniform(8, 25)
    cells = rng.randint(3, 12)
    gw = max(2, int(round(cells * w / max(w, h))))
    gh = max(2, int(round(cells * h / max(w, h))))
    grid = Image.new("RGB", (gw, gh))
    cell_colours = []
    for _ in range(gw * gh):
        shade = rng.gauss(0, light)
        cell_colours.append(jitter(rng, tuple(c + shade for c in base), chroma))
    grid.putdata(cell_colours)
    return grid.resize(size, Image.BICUBIC), rng.uniform(15, 45)


def outline(shape, r, angle):
    """The polygon of `shape` (not circle or ring) of radius r around the
    origin, turned by angle (radians)."""
    # sizes relative to a circle of radius r as measured on the shared
    # pictures (areas: square 0.93, triangle 0.49, star 0.47, cross 0.77
    # of the circle's)
    if shape == "square":
        h = 0.86 * r
        points = [(-h, -h), (h, -h), (h, h), (-h, h)]
    elif shape == "triangle":
        t = 1.1 * r
        points = [(t * math.cos(math.radians(a)), t * math.sin(math.radians(a))) for a in (-90, 30, 150)]
        # the centroid sits high: move the triangle down so its box is centred
        points = [(x, y + t / 4) for x, y in points]
    elif shape == "star":
        outer = 1.05 * r
        inner = 0.45 * outer
        points = []
        for k in range(10):
            a = math.radians(-90 + 36 * k)
            rr = outer if k % 2 == 0 else inner
            points.append((rr * math.cos(a), rr * math.sin(a)))
    elif shape == "cross":
        a, b = r * 1.05, r * 0.345
        points = [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a),
                  (-b, b), (-a, b), (-a, -b), (-b, -b)]
    else:
        raise ValueError(shape)
    c, s = math.cos(angle), math.sin(angle)
    return [(x * c - y * s, x * s + y * c) for x, y in points]


def draw_object(rng, image, objects, shape, rgb, cx, cy, extent):
    """Paint `shape` of overall size `extent` px centred on (cx, cy),
    antialiased (drawn four times larger on a mask, then reduced); mark
    it on the mask `objects`."""
    ss = 4
    r = extent / 2.0
    box = int(math.ceil(extent)) + 4
    x0, y0 = int(round(cx - box / 2)), int(round(cy - box / 2))
    mask = Image.new("L", (box * ss, box * ss), 0)
    d = ImageDraw.Draw(mask)
    ox, oy = (cx - x0) * ss, (cy - y0) * ss
    R = r * ss
    if shape == "circle":
        d.ellipse([ox - R, oy - R, ox + R, oy + R], fill=255)
    elif shape == "ring":
        inner = R * rng.uniform(0.48, 0.64)
        d.ellipse([ox - R, oy - R, ox + R, oy + R], fill=255)
        d.ellipse([ox - inner, oy - inner, ox + inner, oy + inner], fill=0)
    else:
        angle = math.radians(rng.uniform(-15, 15))
        d.polygon([(ox + x, oy + y) for x, y in outline(shape, R, angle)], fill=255)
    mask = mask.resize((box, box), Image.BOX)
    image.paste(Image.new("RGB", (box, box), rgb), (x0, y0), mask)
    objects.paste(255, (x0, y0), mask)


def contrasts(colour, bg_name):
    bg = BACKGROUNDS[bg_name][0]
    return bg is None or distance(COLOURS[colour], bg) >= MIN_CONTRAST


def pick_colour(rng, bg_name):
    while True:
        colour = rng.choice(list(COLOURS))
        if contrasts(colour, bg_name):
            return colour


def one_picture(rng):
    bg_name = weighted(rng, BACKGROUNDS)
    u = rng.random()
    if u < 0.05:
        # two same-sized yellow stars, one above the other or side by side
        size = rng.choice(["small", "large"])
        shapes, colours, sizes = ["star", "star"], ["yellow", "yellow"], [size, size]
        places = rng.choice([["top", "bottom"], ["left", "right"]])
    elif u < 0.37:
        shapes = [rng.choice(SHAPES), rng.choice(SHAPES)]
        colours = [pick_colour(rng, bg_name), pick_colour(rng, bg_name)]
        sizes = [rng.choice(["small", "large"]), rng.choice(["small", "large"])]
        places = ["left", "right"] if rng.random() < 0.67 else ["top", "bottom"]
    else:
        shapes = [rng.choice(SHAPES)]
        colours = [pick_colour(rng, bg_name)]
        sizes = ["large" if rng.random() < 0.57 else "small"]
        places = [rng.choices(["centre", "top", "left", "right", "bottom"],
                              weights=[40, 20, 19, 11, 10])[0]]

    w, h = picture_size(rng)
    image, amplitude = background(rng, bg_name, (w, h))
    objects = Image.new("L", (w, h), 0)
    side = min(w, h)
    sx, sy = (w - side) / 2.0, (h - side) / 2.0
    for shape, colour, size, place in zip(shapes, colours, sizes, places):
        if size == "large":
            frac = rng.uniform(0.42, 0.60 if place == "centre" else 0.52)
        else:
            frac = rng.uniform(0.28, 0.38)
        px, py = PLACES[place]
        px += rng.uniform(-0.025, 0.025)
        py += rng.uniform(-0.025, 0.025)
        # keep the whole object inside the central square
        half = frac / 2
        px = min(max(px, half), 1 - half)
        py = min(max(py, half), 1 - half)
        draw_object(rng, image, objects, shape, jitter(rng, COLOURS[colour], 7),
                    sx + px * side, sy + py * side, frac * side)
    if rng.random() < 0.3:
        radius = side * rng.uniform(0.004, 0.015)
        image = image.filter(ImageFilter.GaussianBlur(radius))
        objects = objects.filter(ImageFilter.GaussianBlur(radius))
    if amplitude > 0:
        grained = ImageChops.add(image, grain(rng, (w, h), amplitude), 1.0, -128)
        image = Image.composite(image, grained, objects)
    return image, shapes, colours, sizes, places, bg_name


def caption(shapes, colours, sizes, places, bg_name):
    def thing(k):
        return "a %s %s %s" % (sizes[k], colours[k], shapes[k])

    if len(shapes) == 1:
        what = "%s %s" % (thing(0), PHRASE[places[0]])
    elif shapes[0] == shapes[1] and colours[0] == colours[1] and sizes[0] == sizes[1]:
        what = "two %s %s %s" % (sizes[0], colours[0], PLURAL.get(shapes[0], shapes[0] + "s"))
    else:
        relation = "to the left of" if places[0] == "left" else "above"
        what = "%s %s %s" % (thing(0), relation, thing(1))
    return "%s on a %s background" % (what, bg_name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--out", required=True, help="folder to write into (created; must hold no photo-* yet)")
    args = ap.parse_args()
    if args.count < 1 or args.count > 9999:
        ap.error("--count must be 1-9999")
    os.makedirs(args.out, exist_ok=True)
    if any(n.startswith("photo-") for n in os.listdir(args.out)):
        ap.error("%s already holds photo-* files" % args.out)

    rng = random.Random(args.seed)
    lines = ["file,shapes,colours,caption,sizes,positions,background,width,height"]
    for i in range(1, args.count + 1):
        image, shapes, colours, sizes, places, bg_name = one_picture(rng)
        jpeg = rng.random() < 0.63
        name = "photo-%04d.%s" % (i, "jpg" if jpeg else "png")
        path = os.path.join(args.out, name)
        if jpeg:
            image.save(path, "JPEG", quality=rng.randint(70, 95))
        else:
            image.save(path, "PNG")
        lines.append(",".join([name, ";".join(shapes), ";".join(colours),
                               caption(shapes, colours, sizes, places, bg_name), ";".join(sizes),
                               ";".join(places), bg_name, str(image.width), str(image.height)]))
    with open(os.path.join(args.out, "labels.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
