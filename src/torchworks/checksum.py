"""One checksum for a folder of files, shared by the model registry and the conversion cache.

It lives beside `atomic.py` (used by every layer) so that neither the cache nor the registry
has to import the other: a folder's files are hashed the same way wherever they are kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST = "manifest.json"  # the file in a folder that records the checksum (never hashed)


def compute_checksum(folder: Path) -> str:
    """sha256 over (relative path, size, bytes) of every file but the manifest, sorted by path;
    read in 1 MiB chunks, so a large model is streamed, not held in memory."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        rel = path.relative_to(folder).as_posix()
        digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()
