"""Where one-time conversions live: the user's cache directory, not the current directory.

`$XDG_CACHE_HOME/torchworks`, else `~/.cache/torchworks` (the XDG base directory rule), so a
converted model is made once per user, wherever `torchworks` is started from, and deleting
the folder only costs the next start its conversion again. `cached_folder` builds an entry
under a temporary name and renames it into place, with a manifest holding a checksum of its
files (`checksum.py`, as for the registry): a crash never leaves half an entry, and an entry
whose files changed is built again instead of being loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torchworks import atomic
from torchworks.checksum import MANIFEST, compute_checksum


def cache_root() -> Path:
    """$TORCHWORKS_CACHE, else `$XDG_CACHE_HOME/torchworks`, else `~/.cache/torchworks` (an
    unset or relative XDG_CACHE_HOME is ignored, as the XDG rule says)."""
    if os.environ.get("TORCHWORKS_CACHE"):
        return Path(os.environ["TORCHWORKS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "torchworks"


def input_key(*parts: object) -> str:
    """A short, stable key for the inputs of a conversion (paths, sizes, versions, settings)."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:16]


def file_identity(path: Path) -> tuple[str, int, int]:
    """(resolved path, size, mtime in ns): changes whenever the file is replaced or edited."""
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def cached_folder(kind: str, key: str, build: Callable[[Path], dict[str, Any] | None]) -> Path:
    """The folder `cache_root()/kind/key`, made by `build(empty_dir)` unless a verified one
    exists. `build` may return facts to record in the entry's manifest. `key` names the
    inputs (`input_key`): new inputs give a new entry."""
    final = cache_root() / kind / key
    if _verified(final):
        return final
    shutil.rmtree(final, ignore_errors=True)  # missing, half-written or changed: build again
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
    try:
        facts = build(staging) or {}
        atomic.write_json(staging / MANIFEST, {"kind": kind, "key": key,
                                               "checksum": compute_checksum(staging), **facts})
        try:
            os.rename(staging, final)
        except OSError:  # another process finished the same entry first: use theirs
            if not _verified(final):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _verified(folder: Path) -> bool:
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("checksum")
    except (OSError, ValueError, AttributeError):
        return False
    return recorded == compute_checksum(folder)
