"""Compiled files of torch's companions and who pins numpy, read from package metadata.

Nothing is imported: a companion whose extension cannot load must not break (or slow) the
doctor. The files are named by the wheels' RECORD; each is judged by its name (a
`cpython-310` tag runs only in Python 3.10) and its ELF DT_NEEDED list (env/elf.py).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re

from torchworks.env.elf import needed_libraries
from torchworks.env.facts import NativeExtension

COMPANIONS = ("torchvision", "torchaudio", "torchao", "triton")
_PY_TAG = re.compile(r"\.(cpython-\d+|abi3)[^/]*\.so$")
_TORCH_LIB = re.compile(r"^(libtorch\w*|libc10\w*|libcudart)\.so")


def probe_extensions(packages: tuple[str, ...] = COMPANIONS) -> list[NativeExtension]:
    found = []
    for name in packages:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            if not str(file).endswith(".so") and ".so." not in str(file):
                continue
            tag = _PY_TAG.search(str(file))
            needed = needed_libraries(file.locate())
            torch_libs = None if needed is None else [n for n in needed if _TORCH_LIB.match(n)]
            found.append(NativeExtension(name, str(file), tag.group(1) if tag else None,
                                         torch_libs))
    return found


def probe_numpy_requirements() -> dict[str, str]:
    """Each installed distribution's numpy specifier (unconditional requirements only)."""
    found = {}
    for dist in metadata.distributions():
        for line in dist.requires or []:
            requirement, _, marker = line.partition(";")
            match = re.match(r"^\s*numpy\s*(\(?[^;]*?\)?)\s*$", requirement, re.IGNORECASE)
            if match and "extra" not in marker:
                name = dist.metadata["Name"]
                if name:
                    found[name] = match.group(1).strip("() ") or "*"
    return found
