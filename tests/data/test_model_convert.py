#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""flatpak/pytorch-to-safetensors.py against torch's own files.

The Flatpak converts openai/clip-vit-base-patch32's pytorch_model.bin to
model.safetensors at build time.  This saves the toy model's tensors with
torch.save (both of torch's formats, plus position_ids buffers and a
transposed view), converts them back, and checks every tensor's dtype,
shape and bytes, and that clipsight-cli embeds identically with the
converted model.  Needs a Python with torch (Debian's python3-torch):
skipped without it.

  test_model_convert.py CONVERTER   (env CLIPSIGHT_SHARED, CLIPSIGHT_CLI)
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
TORCH_PYTHONS = ("/usr/bin/python3", sys.executable)

SAVE = r"""
import json, struct, sys, torch
src, out_zip, out_legacy, out_plain = sys.argv[1:5]
dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
with open(src, "rb") as f:
    (n,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(n))
    data = f.read()
state = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    a, b = info["data_offsets"]
    t = torch.frombuffer(bytearray(data[a:b]), dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    state[name] = t.clone()
state["text_model.embeddings.position_ids"] = torch.arange(77).unsqueeze(0)
state["vision_model.embeddings.position_ids"] = torch.arange(65).unsqueeze(0)
torch.save(state, out_plain)
w = state["text_model.final_layer_norm.weight"]
state["test.transposed"] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()
state["test.bf16"] = w.to(torch.bfloat16)
torch.save(state, out_zip)
torch.save(state, out_legacy, _use_new_zipfile_serialization=False)
"""


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        tensors[name] = (info["dtype"], info["shape"], data[a:b])
    return n, tensors


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    converter = sys.argv[1]
    shared = os.environ.get("CLIPSIGHT_SHARED", "")
    model = os.path.join(shared, "models", "toy-clip")
    if not os.path.isfile(os.path.join(model, "model.safetensors")):
        print("SKIP: no toy model")
        return SKIP
    python = next((p for p in TORCH_PYTHONS if os.path.exists(p) and subprocess.run(
        [p, "-c", "import torch"], capture_output=True).returncode == 0), None)
    if python is None:
        print("SKIP: no Python with torch (python3-torch)")
        return SKIP

    work = tempfile.mkdtemp(prefix="clipsight-convert-")
    try:
        saved_zip = os.path.join(work, "zip.bin")
        saved_legacy = os.path.join(work, "legacy.bin")
        saved_plain = os.path.join(work, "plain.bin")
        subprocess.run([python, "-c", SAVE, os.path.join(model, "model.safetensors"),
                        saved_zip, saved_legacy, saved_plain], check=True)
        _, original = read_safetensors(os.path.join(model, "model.safetensors"))

        for kind, saved in (("zip", saved_zip), ("legacy", saved_legacy)):
            converted_dir = os.path.join(work, kind)
            os.mkdir(converted_dir)
            for name in os.listdir(model):
                if name != "model.safetensors":
                    shutil.copy(os.path.join(model, name), converted_dir)
            target = os.path.join(converted_dir, "model.safetensors")
            # The converter needs nothing but the standard library.
            subprocess.run([sys.executable, "-I", converter, saved, target], check=True)
            header_len, converted = read_safetensors(target)
            if header_len % 8 != 0:
                fail(f"{kind}: header length {header_len} is not 8-byte aligned")

            if any(n.endswith("position_ids") for n in converted):
                fail(f"{kind}: position_ids buffers were kept")
            transposed = converted.pop("test.transposed")
            expect = struct.pack("<12f", *[0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
            if transposed != ("F32", [4, 3], expect):
                fail(f"{kind}: the transposed view was not made contiguous: {transposed[:2]}")
            if converted.pop("test.bf16")[0] != "BF16":
                fail(f"{kind}: bf16 tensor lost its dtype")
            if converted.keys() != original.keys():
                fail(f"{kind}: tensor names differ: {sorted(set(converted) ^ set(original))}")
            for name, value in original.items():
                if converted[name] != value:
                    fail(f"{kind}: {name} differs ({converted[name][:2]} vs {value[:2]})")

            print(f"{kind}: {len(original)} tensors identical, buffers left out, views made contiguous")

        # The engine reads the converted model (no test tensors) as the original.
        cli = os.environ.get("CLIPSIGHT_CLI")
        if cli:
            converted_dir = os.path.join(work, "zip")
            subprocess.run([sys.executable, "-I", converter, saved_plain,
                            os.path.join(converted_dir, "model.safetensors")],
                           check=True, capture_output=True)
            args = ["--text", "a red circle", "--image",
                    os.path.join(shared, "testdata", "toy-photos", "photo-0001.png")]
            embeddings = [subprocess.run([cli, "embed", "--model", m, *args], capture_output=True,
                                         text=True, check=True).stdout
                          for m in (model, converted_dir)]
            if embeddings[0] != embeddings[1]:
                fail("clipsight-cli embeds differently with the converted model")
            print("clipsight-cli embeds identically with the converted model")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
