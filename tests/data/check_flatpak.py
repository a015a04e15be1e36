#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""Checks the Flatpak manifests as far as a machine without Flathub can.

For flatpak/io.github.clipsight.Clipsight.yml and its .Devel twin: they
parse (PyYAML, or flatpak-builder --show-manifest), `flatpak-builder
--show-manifest` accepts them when it is installed, the app id matches the
desktop file, metainfo, search provider and D-Bus service templates, the
GSettings schema and meson's profile, the permissions are exactly the
minimal set and each has a comment, and every downloaded source is pinned
(https URL and a real sha256), and every module builds for both x86_64
and aarch64 (no x86-only flag outside an architecture's block).  The bundled model's files carry the same
checksums (and sizes, where its comments give them) as the app's model
download, src/app/cs-model-manager.c's default_files, which is where they
are pinned for the app.  Exits 77 (skipped) when neither PyYAML nor
flatpak-builder is there to read YAML.

  check_flatpak.py SOURCE_ROOT
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

BASE_ID = "io.github.clipsight.Clipsight"
PERMISSIONS = [
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
    "--filesystem=xdg-pictures:ro",
]
SHA256 = re.compile(r"^[0-9a-f]{64}$")
problems = []


def problem(message):
    problems.append(message)


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    builder = shutil.which("flatpak-builder")
    if builder is None:
        return None
    out = subprocess.run([builder, "--show-manifest", path], capture_output=True, text=True)
    if out.returncode != 0:
        problem(f"{path}: flatpak-builder --show-manifest failed: {out.stderr.strip()}")
        return {}
    return json.loads(out.stdout)


def modules_of(manifest, manifest_dir):
    """Every module, with the directory its relative paths start from."""
    for module in manifest.get("modules", []):
        if isinstance(module, str):
            path = os.path.join(manifest_dir, module)
            if not os.path.isfile(path):
                problem(f"module file {module} does not exist")
                continue
            loaded = load_yaml(path)
            if loaded is None:
                continue
            yield loaded, os.path.dirname(path)
            yield from modules_of(loaded, os.path.dirname(path))
        else:
            yield module, manifest_dir
            yield from modules_of(module, manifest_dir)


def check_comments(path):
    """Each finish-arg line has a comment above it (or above its group)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    try:
        start = lines.index("finish-args:")
    except ValueError:
        problem(f"{path}: no finish-args block")
        return
    previous = []
    for line in lines[start + 1:]:
        stripped = line.strip()
        if line and not line.startswith(" "):
            break
        if stripped.startswith("- --"):
            above = [p for p in previous if not p.startswith("- --")]
            if not above or not above[-1].startswith("#"):
                problem(f"{path}: {stripped[2:]} has no comment explaining it")
            previous.append(stripped)
        elif stripped:
            previous = [stripped] if stripped.startswith("#") else []


def check_manifest(path, expected_id, profile):
    manifest = load_yaml(path)
    if manifest is None:
        return False
    if not manifest:
        return True
    name = os.path.basename(path)
    if manifest.get("id", manifest.get("app-id")) != expected_id:
        problem(f"{name}: id {manifest.get('id')} is not {expected_id}")
    if name != expected_id + ".yml":
        problem(f"{name}: the file is not named after its id")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        problem(f"{name}: not on the GNOME runtime and SDK")
    if not str(manifest.get("runtime-version", "")).isdigit():
        problem(f"{name}: runtime-version should be a GNOME release number")
    if manifest.get("command") != "clipsight":
        problem(f"{name}: command is not clipsight")

    args = manifest.get("finish-args", [])
    if sorted(args) != sorted(PERMISSIONS):
        problem(f"{name}: finish-args {args} are not exactly {PERMISSIONS}")
    check_comments(path)

    app_modules = []
    n_sources = 0
    for module, where in modules_of(manifest, os.path.dirname(path)):
        for source in module.get("sources", []):
            if isinstance(source, str):
                problem(f"{name}: module {module['name']}: external source files are not used here")
                continue
            n_sources += 1
            kind = source.get("type")
            if kind in ("archive", "file"):
                if "path" in source:
                    if not os.path.isfile(os.path.join(where, source["path"])):
                        problem(f"{name}: {module['name']}: {source['path']} does not exist")
                    continue
                url = source.get("url", "")
                if not url.startswith("https://"):
                    problem(f"{name}: {module['name']}: {url or 'a source'} is not an https URL")
                sha = str(source.get("sha256", ""))
                if not SHA256.match(sha) or len(set(sha)) < 4:
                    problem(f"{name}: {module['name']}: {url} has no real sha256 ({sha!r})")
                for mirror in source.get("mirror-urls", []):
                    if not mirror.startswith("https://"):
                        problem(f"{name}: {module['name']}: mirror {mirror} is not https")
            elif kind == "git":
                if not re.match(r"^[0-9a-f]{40}$", source.get("commit", "")):
                    problem(f"{name}: {module['name']}: git source without a pinned commit")
            elif kind == "dir":
                app_modules.append(module)
            elif kind not in ("shell", "patch"):
                problem(f"{name}: {module['name']}: unexpected source type {kind}")

    if len(app_modules) != 1 or app_modules[0].get("buildsystem") != "meson":
        problem(f"{name}: expected one meson module building Clipsight from this tree")
    else:
        opts = app_modules[0].get("config-opts", [])
        if f"-Dprofile={profile}" not in opts:
            problem(f"{name}: the clipsight module does not build the {profile} profile")
    print(f"{name}: id {expected_id}, {len(args)} permissions, {n_sources} sources")
    check_arches(name, manifest, os.path.dirname(path))

    builder = shutil.which("flatpak-builder")
    if builder is not None:
        out = subprocess.run([builder, "--show-manifest", path], capture_output=True, text=True)
        if out.returncode != 0:
            problem(f"{name}: flatpak-builder --show-manifest failed: {out.stderr.strip()}")
        else:
            print(f"{name}: flatpak-builder --show-manifest accepts it")
    return True


# Flags and settings that tie a build to x86 (the Flatpak is built for
# x86_64 and aarch64 from the same manifest).
X86_ONLY = re.compile(r"-m(avx|sse|f16c|fma|bmi|popcnt)|-march=(native|x86-64|haswell|skylake|znver)"
                      r"|\bx86_64\b|\bTARGET=(HASWELL|SKYLAKEX|ZEN|SANDYBRIDGE)\b")
ARCHES = ("x86_64", "aarch64")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def check_arches(name, manifest, manifest_dir):
    """Every module builds on both x86_64 and aarch64: nothing x86-only
    outside an architecture's own block (build-options' arch, a source's
    only-arches), and an architecture block for one has one for the other."""
    for module, _ in modules_of(manifest, manifest_dir):
        if not isinstance(module, dict):
            continue
        mname = module.get("name", "?")
        options = dict(module.get("build-options", {}))
        arch = options.pop("arch", {})
        if arch and sorted(arch) != sorted(ARCHES):
            problem(f"{name}: module {mname}: build-options.arch has {sorted(arch)}, "
                    f"not both of {list(ARCHES)}")
        shared = {k: v for k, v in module.items()
                  if k in ("config-opts", "build-commands", "make-args", "post-install")}
        shared["build-options"] = options
        for text in strings_in(shared):
            if X86_ONLY.search(text):
                problem(f"{name}: module {mname}: {text!r} is x86-only outside an arch block")
        for source in module.get("sources", []):
            if isinstance(source, dict) and "only-arches" not in source:
                for text in strings_in(source.get("commands", [])):
                    if X86_ONLY.search(text):
                        problem(f"{name}: module {mname}: source command {text!r} is x86-only "
                                "and has no only-arches")
            if isinstance(source, dict) and "only-arches" in source:
                for a in source["only-arches"]:
                    if a not in ARCHES:
                        problem(f"{name}: module {mname}: only-arches names {a}")
    if manifest.get("build-options", {}).get("arch"):
        if sorted(manifest["build-options"]["arch"]) != sorted(ARCHES):
            problem(f"{name}: build-options.arch is not both of {list(ARCHES)}")
    print(f"{name}: every module builds for {' and '.join(ARCHES)}")


def check_data_files(root):
    """The templates and the schema carry the same app id as the manifests."""
    data = os.path.join(root, "data")
    for template in ("desktop.in", "metainfo.xml.in", "search-provider.ini.in", "service.in"):
        path = os.path.join(data, f"{BASE_ID}.{template}")
        if not os.path.isfile(path):
            problem(f"data/{BASE_ID}.{template} is missing")
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "@APP_ID@" not in text:
            problem(f"data/{BASE_ID}.{template} does not take the app id from meson (@APP_ID@)")
    with open(os.path.join(root, "meson.build"), encoding="utf-8") as f:
        meson = f.read()
    if f"app_id = '{BASE_ID}'" not in meson or "app_id += '.Devel'" not in meson:
        problem("meson.build does not define the app id and its .Devel profile as expected")
    schemas = glob.glob(os.path.join(data, "schemas", "*.gschema.xml"))
    for schema in schemas:
        with open(schema, encoding="utf-8") as f:
            ids = re.findall(r'<schema\s+[^>]*\bid="([^"]+)"', f.read())
        if BASE_ID not in ids:
            problem(f"{os.path.relpath(schema, root)}: no schema with id {BASE_ID}")


MODEL_MODULE = "clip-vit-base-patch32.yml"
MODEL_REPO = "https://huggingface.co/openai/clip-vit-base-patch32/resolve/"


def manager_pins(root):
    """(name, size, sha256) of the app's model download, in its order."""
    path = os.path.join(root, "src", "app", "cs-model-manager.c")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"default_files\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not m:
        problem("src/app/cs-model-manager.c: no default_files table")
        return []
    entries = re.findall(r'\{\s*"([^"]+)",\s*(\d+),\s*"([^"]*)"\s*\}', m.group(1))
    if len(entries) != m.group(1).count("{"):
        problem("src/app/cs-model-manager.c: default_files has an entry this check cannot read "
                "(one { \"name\", size, \"sha256\" } per line)")
    for name, size, sha in entries:
        if not SHA256.match(sha):
            problem(f"src/app/cs-model-manager.c: {name} has no real sha256 ({sha!r})")
    with open(os.path.join(root, "src", "app", "cs-model-manager.h"), encoding="utf-8") as f:
        if not re.search(r'#define CS_MODEL_DEFAULT_REVISION "[0-9a-f]{40}"', f.read()):
            problem("src/app/cs-model-manager.h: CS_MODEL_DEFAULT_REVISION is not a commit")
    return [(name, int(size), sha) for name, size, sha in entries]


def check_model_pins(root):
    """The Flatpak's model and the app's download pin the same files."""
    before = len(problems)
    pins = manager_pins(root)
    path = os.path.join(root, "flatpak", "modules", MODEL_MODULE)
    module = load_yaml(path)
    if not module or not pins:
        return
    with open(path, encoding="utf-8") as f:
        comments = "\n".join(line for line in f.read().splitlines() if line.startswith("#"))
    sources = {}
    for source in module.get("sources", []):
        url = source.get("url") if isinstance(source, dict) else None
        if url:
            if not re.match(re.escape(MODEL_REPO) + r"[0-9a-f]{40}/[^/]+$", url):
                problem(f"{MODEL_MODULE}: {url} is not a file of a pinned revision of the model")
            sources[url.rsplit("/", 1)[1]] = str(source.get("sha256", ""))
    commands = " ".join(module.get("build-commands", []))
    names = [name for name, _, _ in pins]
    if names[-1] != "model.safetensors":
        problem("src/app/cs-model-manager.c: default_files does not end with the weights")
    for name, size, sha in pins:
        if name not in commands:
            problem(f"{MODEL_MODULE}: {name} is not installed with the bundled model")
        for stated in re.findall(r"(?<![\w.])" + re.escape(name) + r" \((\d+) bytes\)", comments):
            if int(stated) != size:
                problem(f"{MODEL_MODULE}: its comment gives {name} {stated} bytes, "
                        f"cs-model-manager.c pins {size}")
        if name == "model.safetensors":
            # the pinned revision publishes pytorch_model.bin, converted at build time
            if "pytorch_model.bin" not in sources or "pytorch-to-safetensors.py" not in commands:
                problem(f"{MODEL_MODULE}: model.safetensors is neither a source nor converted "
                        "from pytorch_model.bin")
        elif name not in sources:
            problem(f"{MODEL_MODULE}: {name}, which the app downloads, is not a source")
        elif sources[name] != sha:
            problem(f"{MODEL_MODULE}: {name} is pinned to {sources[name]}, "
                    f"but cs-model-manager.c pins {sha}")
    if len(problems) == before:
        print(f"{MODEL_MODULE}: the {len(pins) - 1} files it shares with the app's model download "
              "have the same sha256")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    flatpak = os.path.join(root, "flatpak")
    checked = [
        check_manifest(os.path.join(flatpak, f"{BASE_ID}.yml"), BASE_ID, "default"),
        check_manifest(os.path.join(flatpak, f"{BASE_ID}.Devel.yml"), BASE_ID + ".Devel", "development"),
    ]
    if not all(checked):
        print("SKIP: neither PyYAML nor flatpak-builder is installed to read the manifests")
        return 77
    check_data_files(root)
    check_model_pins(root)
    for message in problems:
        print(f"FAIL: {message}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
