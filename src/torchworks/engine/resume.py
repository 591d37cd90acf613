"""Resuming a run: pick the newest intact checkpoint, say so, and clear what a crash left.

A SIGKILL can leave two kinds of debris: the temp file of an interrupted atomic write (the old
file is intact, but the temp file is never removed by anyone else), and, if a disk fills or a
file is damaged later, a torn newest checkpoint. `resume_checkpoint` removes the first and
falls back past the second to the newest checkpoint that loads, with a warning per skipped
file; `--resume-from PATH` (the `chosen` argument) picks one explicitly.

Usage (every rank calls it; one rank tidies up)::

    resumed = resume_checkpoint(ckpts, chosen=cfg.resume_from, map_location=device,
                                tidy=info.is_main)
    if resumed is not None:
        position = restore_state(resumed.state, model, optimizer, ...)
        announce_resume(resumed)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from torchworks.engine.checkpoint import CheckpointDir, load_checkpoint
from torchworks.errors import DataError

# atomic.atomic_path names its temp files ".<target name>.<mkstemp random part>.tmp"
_ORPHAN_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


@dataclass(frozen=True)
class Resumed:
    """The checkpoint a run continues from; `skipped` lists (file, reason) of unreadable ones."""

    path: Path
    state: dict[str, Any]
    skipped: tuple[tuple[Path, str], ...] = ()

    @property
    def step(self) -> int:
        return int(self.state["position"]["step"])

    @property
    def epoch(self) -> int:
        return int(self.state["position"]["epoch"])


def warn(message: str) -> None:
    """One line on stderr, where the CLI prints its errors too."""
    print(f"torchworks: warning: {message}", file=sys.stderr, flush=True)


def remove_orphan_temps(directory: Path) -> list[Path]:
    """Delete temp files of interrupted atomic writes in `directory`; return what was removed.

    Only call this when no write into `directory` is in flight (before a run starts writing).
    """
    if not directory.is_dir():
        return []
    removed = [p for p in directory.iterdir() if p.is_file() and _ORPHAN_TEMP.match(p.name)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def resume_checkpoint(ckpts: CheckpointDir, *, chosen: Path | None = None,
                      map_location: str | torch.device = "cpu",
                      log: Callable[[str], None] = warn, tidy: bool = True) -> Resumed | None:
    """The checkpoint to continue from, or None when the directory has none at all.

    `chosen` is loaded as given (its errors are the user's to see). Otherwise the step files
    are tried newest first, then best.pt; each unreadable one is skipped with a warning and,
    once an intact one is found, renamed to `<name>.unreadable`. When files exist but none
    loads, a DataError lists every reason. Under DDP only one rank may `tidy` (remove temp
    files, rename unreadable ones); the others only read.
    """
    if tidy:
        remove_orphan_temps(ckpts.directory)
    if chosen is not None:
        return Resumed(chosen, load_checkpoint(chosen, map_location=map_location))
    candidates = list(reversed(ckpts.steps()))
    if ckpts.best_path.is_file():
        candidates.append(ckpts.best_path)
    skipped: list[tuple[Path, str]] = []
    for path in candidates:
        try:
            state = load_checkpoint(path, map_location=map_location)
        except DataError as exc:
            skipped.append((path, exc.message))
            log(f"skipping {exc.message}; trying an earlier checkpoint")
            continue
        for bad, _ in skipped if tidy else ():  # out of the way of latest() and pruning
            bad.replace(bad.with_name(bad.name + ".unreadable"))
        return Resumed(path, state, tuple(skipped))
    if skipped:
        raise DataError(f"no intact checkpoint in {ckpts.directory}: "
                        + "; ".join(reason for _, reason in skipped),
                        fix="pass --resume-from PATH with a good copy, or start over with "
                            "--overwrite")
    return None


def describe_resume(resumed: Resumed) -> str:
    """The line a resumed run prints: which file, which step and epoch."""
    fallback = (f" (skipped {len(resumed.skipped)} unreadable newer file(s), renamed "
                "*.unreadable)" if resumed.skipped else "")
    return (f"resuming from step {resumed.step} (epoch {resumed.epoch}) of "
            f"{resumed.path}{fallback}")
