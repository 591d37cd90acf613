"""Checkpoints that survive a SIGKILL and resume a run exactly.

A checkpoint is one `torch.save` file holding only tensors, numbers, strings, lists and dicts
(so `torch.load(weights_only=True)` reads it) under explicit, versioned keys:

    format      "torchworks.checkpoint"     version   CHECKPOINT_VERSION
    model       state_dict                   optimizer / scheduler / scaler   state_dicts or None
    rng         seed.capture_rng()           position  {"epoch", "step", "sampler": {...}}
    metrics     {"name": float}              extra     recipe data (its config, class names, ...)

Files are written atomically (temp file + fsync + rename via `torchworks.atomic`), so a crash at
any moment leaves the previous checkpoint intact. `CheckpointDir` keeps the last N
`step-XXXXXXXX.pt` files plus `best.pt`.

Usage::

    ckpts = CheckpointDir(out / "checkpoints", keep_last=3, best_metric="val_loss", best_mode="min")
    state = build_state(model, optimizer, scheduler=sched, scaler=scaler, step=step, epoch=epoch,
                        sampler=sampler.state_dict(), metrics={"val_loss": 0.1}, extra={...})
    ckpts.save(state)                                  # rank 0 only under DDP
    ...
    state = load_checkpoint(ckpts.latest())            # on --resume
    position = restore_state(state, model, optimizer, scheduler=sched, scaler=scaler)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch

from torchworks.atomic import atomic_path
from torchworks.engine.compile import unwrap_model
from torchworks.engine.seed import capture_rng, restore_rng
from torchworks.errors import DataError

CHECKPOINT_FORMAT = "torchworks.checkpoint"
CHECKPOINT_VERSION = 1
_STEP_FILE = re.compile(r"^step-(\d{8})\.pt$")


@dataclass(frozen=True)
class Position:
    """Where training stands: `step` counts optimizer steps, `sampler` is the sampler's state."""

    epoch: int
    step: int
    sampler: dict[str, Any] = field(default_factory=dict)


def build_state(model: torch.nn.Module, optimizer: torch.optim.Optimizer | None, *, step: int,
                epoch: int, scheduler: Any = None, scaler: torch.amp.GradScaler | None = None,
                sampler: dict[str, Any] | None = None, metrics: dict[str, float] | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything needed to continue this run; weights unwrapped (no DDP/compile key prefixes)."""
    return {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "model": unwrap_model(model).state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scaler": scaler.state_dict() if scaler is not None else None,
        "rng": capture_rng(),
        "position": {"epoch": epoch, "step": step, "sampler": dict(sampler or {})},
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
        "extra": dict(extra or {}),
    }


def save_checkpoint(path: str | os.PathLike[str], state: dict[str, Any]) -> Path:
    """Write `state` atomically to `path`; the old file stays valid until the rename."""
    target = Path(path)
    with atomic_path(target) as tmp:
        torch.save(state, tmp)
    return target


def load_checkpoint(path: str | os.PathLike[str],
                    map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint safely (weights_only) and check its format and version."""
    source = Path(path)
    if not source.is_file():
        raise DataError(f"checkpoint {source} does not exist",
                        fix="pass a file written by a torchworks training run (see its --out dir)")
    try:
        state = torch.load(source, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises several types for torn or foreign files
        raise DataError(f"checkpoint {source} cannot be read: {unreadable_reason(source, exc)}",
                        fix="use an intact checkpoint (an earlier step-*.pt or best.pt, e.g. "
                            "with --resume-from PATH)") from exc
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise DataError(f"{source} is not a torchworks checkpoint",
                        fix="pass a file from <out>/checkpoints/")
    if state.get("version", 0) > CHECKPOINT_VERSION:
        raise DataError(f"checkpoint {source} has version {state['version']}, newer than this "
                        f"torchworks reads ({CHECKPOINT_VERSION})", fix="upgrade torchworks")
    return state


def unreadable_reason(path: Path, exc: BaseException) -> str:
    """Why torch could not load `path`, in our words.

    torch's own text for a refused object advises loading with weights_only=False, which runs
    arbitrary code from the file; we never repeat that advice, and an empty file (torch says
    nothing at all) gets a reason too.
    """
    size = path.stat().st_size if path.is_file() else 0
    if size == 0:
        return "the file is empty (0 bytes): its write was cut off before any data reached it"
    text = str(exc)
    found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
    if found:
        return (f"it holds a Python object ({found.group(1)}) that a safe load refuses; "
                "torchworks checkpoints hold only tensors and plain data, so this file was "
                "written by something else or altered")
    if "zip archive" in text or "central directory" in text or isinstance(exc, EOFError):
        return f"the file is torn ({size} bytes, not a complete torch.save archive)"
    return f"the file is not a torch.save archive ({size} bytes; {type(exc).__name__})"


def restore_state(state: dict[str, Any], model: torch.nn.Module,
                  optimizer: torch.optim.Optimizer | None = None, *, scheduler: Any = None,
                  scaler: torch.amp.GradScaler | None = None,
                  restore_rng_state: bool = True) -> Position:
    """Load every part present in `state` into the given objects; return where to continue."""
    unwrap_model(model).load_state_dict(state["model"])
    if optimizer is not None and state.get("optimizer") is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler") is not None:
        scheduler.load_state_dict(state["scheduler"])
    if scaler is not None and state.get("scaler") is not None:
        scaler.load_state_dict(state["scaler"])
    if restore_rng_state:
        restore_rng(state["rng"])
    position = state["position"]
    return Position(epoch=int(position["epoch"]), step=int(position["step"]),
                    sampler=dict(position.get("sampler") or {}))


def _step_of(path: Path) -> int:
    return int(_STEP_FILE.match(path.name).group(1))  # type: ignore[union-attr]


class CheckpointDir:
    """A directory of `step-XXXXXXXX.pt` files (the last `keep_last` kept) plus `best.pt`.

    `best_metric` names a key of the state's `metrics`; `best_mode` says whether lower ("min")
    or higher ("max") is better. Leftover temp files from a killed write are ignored here and
removed by `engine.resume.remove_orphan_temps`.
    """

    def __init__(self, directory: str | os.PathLike[str], *, keep_last: int = 3,
                 best_metric: str | None = None, best_mode: Literal["min", "max"] = "min") -> None:
        if keep_last < 1:
            raise ValueError("keep_last must be at least 1")
        self.directory = Path(directory)
        self.keep_last = keep_last
        self.best_metric = best_metric
        self.best_mode = best_mode
        self._best_value: float | None = None  # cached so best.pt is read at most once

    def steps(self) -> list[Path]:
        """Step checkpoints, oldest first."""
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if _STEP_FILE.match(p.name)]
        return sorted(found, key=_step_of)

    def latest(self) -> Path | None:
        steps = self.steps()
        return steps[-1] if steps else None

    @property
    def best_path(self) -> Path:
        return self.directory / "best.pt"

    def save(self, state: dict[str, Any]) -> Path:
        """Save as `step-<step>.pt`, update `best.pt` if the metric improved, drop old steps.

        Step files numbered above the one just saved belong to another timeline (a run resumed
        from an earlier checkpoint, or an older run in this folder): they are removed, so that
        `latest()` and pruning only ever see this run's checkpoints.
        """
        step = int(state["position"]["step"])
        path = save_checkpoint(self.directory / f"step-{step:08d}.pt", state)
        if self._improves(state):
            save_checkpoint(self.best_path, state)
            self._best_value = state["metrics"][self.best_metric]
        current = [p for p in self.steps() if _step_of(p) <= step]
        stale = [p for p in self.steps() if _step_of(p) > step] + current[:-self.keep_last]
        for old in stale:
            old.unlink(missing_ok=True)
        return path

    def _improves(self, state: dict[str, Any]) -> bool:
        if self.best_metric is None or self.best_metric not in state["metrics"]:
            return False
        if not self.best_path.is_file():
            return True
        if self._best_value is None:
            try:
                self._best_value = load_checkpoint(self.best_path)["metrics"].get(self.best_metric)
            except DataError:  # a torn best.pt is replaced by the next good one
                return True
        previous = self._best_value
        if previous is None:
            return True
        value = state["metrics"][self.best_metric]
        return value < previous if self.best_mode == "min" else value > previous
