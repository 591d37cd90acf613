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


_NUMPY_REQUIREMENT = re.compile(
    r"^Requires-Dist:[ \t]*numpy(?![\w.-])[ \t]*([^;\n]*?)[ \t]*(;[^\n]*)?$",
    re.IGNORECASE | re.MULTILINE)
_NAME = re.compile(r"^Name:\s*(\S+)", re.MULTILINE)


def probe_numpy_requirements(paths: list[str] | None = None) -> dict[str, str]:
    """Each installed distribution's numpy specifier (unconditional requirements only).

    METADATA is scanned as text: the email parser behind `dist.requires` costs ~0.5 s over a
    few hundred distributions, most of the doctor's budget."""
    found = {}
    for dist in metadata.distributions(**({"path": paths} if paths is not None else {})):
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
        for match in _NUMPY_REQUIREMENT.finditer(text):
            name = _NAME.search(text)
            if name and "extra" not in (match.group(2) or ""):
                found[name.group(1)] = match.group(1).strip("() ") or "*"
    return found
