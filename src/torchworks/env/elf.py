"""The libraries a compiled file needs (ELF DT_NEEDED), read without loading it.

Loading a companion's extension to see whether it works runs its code and, for a CUDA build
on a CPU torch, only says "Could not load this library"; its DT_NEEDED list says why (it needs
libtorch_cuda.so). Only the headers and the dynamic string table are read, so a 300 MB
libtriton.so costs a few reads, not its size.
"""

from __future__ import annotations

import struct
from pathlib import Path

_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NULL, _DT_NEEDED, _DT_STRTAB = 0, 1, 5


def needed_libraries(path: str | Path) -> list[str] | None:
    """DT_NEEDED sonames of a 64-bit little-endian ELF file, or None when it is not one."""
    try:
        with open(path, "rb") as handle:
            return _needed(handle)
    except (OSError, struct.error, ValueError):
        return None


def _needed(handle) -> list[str] | None:
    header = handle.read(64)
    if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:  # ELF64, little-endian
        return None
    phoff, = struct.unpack_from("<Q", header, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
    handle.seek(phoff)
    table = handle.read(phentsize * phnum)
    loads, dynamic = [], None
    for i in range(phnum):
        kind, _, offset, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", table,
                                                                     i * phentsize)
        if kind == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    handle.seek(dynamic[0])
    raw = handle.read(dynamic[1])
    needed, strtab = [], None
    for i in range(len(raw) // 16):
        tag, value = struct.unpack_from("<qQ", raw, i * 16)
        if tag == _DT_NULL:
            break
        if tag == _DT_NEEDED:
            needed.append(value)
        elif tag == _DT_STRTAB:
            strtab = value
    if strtab is None:
        return None
    base = next((off + strtab - va for va, off, size in loads if va <= strtab < va + size), None)
    if base is None:
        return None
    names = []
    for index in needed:
        handle.seek(base + index)
        names.append(handle.read(256).split(b"\0", 1)[0].decode(errors="replace"))
    return names
