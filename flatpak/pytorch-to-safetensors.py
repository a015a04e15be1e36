#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The Clipsight authors
"""Converts a PyTorch state dict (pytorch_model.bin) to safetensors.

Clipsight's engine reads model.safetensors; openai/clip-vit-base-patch32
publishes its pinned weights as pytorch_model.bin.  This converts them at
Flatpak build time with nothing but the Python standard library (no torch,
no network): it reads the checkpoint's pickle with an unpickler that only
knows the few torch names a state dict uses (anything else is refused, so
the checkpoint cannot run code), and copies each tensor's bytes unchanged.

Both of torch's formats are read: the zip archive (torch >= 1.6) and the
older stream of pickles.  Integer buffers named *position_ids (HF's
position index, not weights) are left out.  Tensors are written in name
order, contiguous, row-major, little-endian, with their own dtype.

  pytorch-to-safetensors.py INPUT.bin OUTPUT.safetensors
"""

import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

# torch storage class -> (safetensors dtype, bytes per element)
STORAGE_TYPES = {
    "FloatStorage": ("F32", 4),
    "HalfStorage": ("F16", 2),
    "BFloat16Storage": ("BF16", 2),
    "DoubleStorage": ("F64", 8),
    "LongStorage": ("I64", 8),
    "IntStorage": ("I32", 4),
    "ShortStorage": ("I16", 2),
    "CharStorage": ("I8", 1),
    "ByteStorage": ("U8", 1),
    "BoolStorage": ("BOOL", 1),
}
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
CHUNK = 1 << 22


class StorageType:
    def __init__(self, name):
        self.dtype, self.itemsize = STORAGE_TYPES[name]


class Storage:
    """Where a storage's bytes are: a zip member or a legacy file offset."""

    def __init__(self, key, storage_type):
        self.key = key
        self.dtype = storage_type.dtype
        self.itemsize = storage_type.itemsize
        self.offset = None  # legacy format: file offset of the data


class Tensor:
    def __init__(self, storage, storage_offset, size, stride):
        self.storage = storage
        self.storage_offset = storage_offset
        self.shape = list(size)
        self.stride = list(stride)

    @property
    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self):
        return self.numel * self.storage.itemsize

    def contiguous(self):
        expected = 1
        for d, s in zip(reversed(self.shape), reversed(self.stride)):
            if d != 1 and s != expected:
                return False
            expected *= d
        return True


def rebuild_tensor(storage, storage_offset, size, stride, *unused):
    return Tensor(storage, storage_offset, size, stride)


def rebuild_parameter(data, *unused):
    return data


class StateDictUnpickler(pickle.Unpickler):
    ALLOWED = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
        ("torch._utils", "_rebuild_tensor"): rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
    }

    def __init__(self, file, storages):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        if module == "torch" and name in STORAGE_TYPES:
            return StorageType(name)
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing {module}.{name} in a state dict") from None

    def persistent_load(self, pid):
        # ('storage', storage_type, key, location, numel[, view_metadata])
        if not isinstance(pid, tuple) or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        storage_type, key = pid[1], str(pid[2])
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = Storage(key, storage_type)
        return self.storages[key]


def load_zip(path):
    archive = zipfile.ZipFile(path)
    pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl")
    prefix = pkl[: -len("data.pkl")]
    storages = {}
    with archive.open(pkl) as f:
        state = StateDictUnpickler(io.BytesIO(f.read()), storages).load()

    def read(tensor, out):
        member = f"{prefix}data/{tensor.storage.key}"
        with archive.open(member) as f:
            copy_tensor(tensor, f, 0, out)

    return state, read


def load_legacy(path):
    f = open(path, "rb")
    if pickle.load(f) != LEGACY_MAGIC:
        raise ValueError(f"{path}: not a PyTorch checkpoint")
    pickle.load(f)  # protocol version
    pickle.load(f)  # sys info
    storages = {}
    state = StateDictUnpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        (numel,) = struct.unpack("<q", f.read(8))
        storage = storages[str(key)]
        storage.offset = f.tell()
        f.seek(numel * storage.itemsize, os.SEEK_CUR)

    def read(tensor, out):
        copy_tensor(tensor, f, tensor.storage.offset, out)

    return state, read


def copy_tensor(tensor, f, base, out):
    """Writes the tensor's elements, row-major, from storage file `f`."""
    itemsize = tensor.storage.itemsize
    if tensor.contiguous():
        f.seek(base + tensor.storage_offset * itemsize)
        remaining = tensor.nbytes
        while remaining > 0:
            chunk = f.read(min(CHUNK, remaining))
            if not chunk:
                raise ValueError(f"storage {tensor.storage.key} is shorter than its tensors")
            out.write(chunk)
            remaining -= len(chunk)
        return
    # A strided view: gather element by element (never the case for CLIP).
    f.seek(base)
    data = f.read()
    index = [0] * len(tensor.shape)
    for _ in range(tensor.numel):
        at = tensor.storage_offset + sum(i * s for i, s in zip(index, tensor.stride))
        out.write(data[at * itemsize:(at + 1) * itemsize])
        for d in reversed(range(len(index))):
            index[d] += 1
            if index[d] < tensor.shape[d]:
                break
            index[d] = 0


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    source, target = sys.argv[1], sys.argv[2]
    state, read = load_zip(source) if zipfile.is_zipfile(source) else load_legacy(source)
    if not isinstance(state, dict):
        raise ValueError(f"{source}: not a state dict")

    tensors = {}
    for name, tensor in state.items():
        if not isinstance(tensor, Tensor):
            raise ValueError(f"{source}: {name} is not a tensor")
        if name.endswith("position_ids") and tensor.storage.dtype.startswith(("I", "U")):
            print(f"leaving out the buffer {name}")
            continue
        tensors[name] = tensor

    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name]
        header[name] = {"dtype": tensor.storage.dtype, "shape": tensor.shape,
                        "data_offsets": [offset, offset + tensor.nbytes]}
        offset += tensor.nbytes
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)

    partial = target + ".part"
    with open(partial, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for name in sorted(tensors):
            read(tensors[name], out)
    os.replace(partial, target)
    print(f"{target}: {len(tensors)} tensors, {offset} bytes of data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
