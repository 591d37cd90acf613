"""A run folder knows its run: `run.json` records the run's id and config.

Why: every config fixes its output folder, so a second run into the same folder is easy to
start by accident. Mixing two runs there goes wrong quietly: the old run's higher step numbers
outrank (and prune) the new run's checkpoints, and `--resume` picks up the old model. So:

- a fresh run into a folder that holds a run refuses, unless `overwrite` (then the previous
  run's outputs, and only those, are removed first);
- a resumed run compares its config with the recorded one and refuses when a key that matters
  differs (the recipe names the keys that do not: paths of outputs, logging, threads...).

Usage (every rank calls `claim_run_dir`; only rank 0 writes)::

    run_id = claim_run_dir(cfg.out, config=asdict(cfg), resume=cfg.resume,
                           overwrite=cfg.overwrite, harmless=HARMLESS_KEYS,
                           outputs=("metrics.csv", "metrics.json"), write=info.is_main)
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from torchworks import atomic
from torchworks.engine.resume import remove_orphan_temps
from torchworks.errors import ConfigError

RUN_FILE = "run.json"
CHECKPOINTS = "checkpoints"


def config_differences(recorded: Mapping[str, Any], current: Mapping[str, Any],
                       harmless: Collection[str] = ()) -> list[str]:
    """'key: was A, now B' for each key that differs and is not `harmless`, sorted by key."""
    found = []
    for key in sorted(set(recorded) | set(current)):
        if key in harmless:
            continue
        before, now = recorded.get(key, "<unset>"), current.get(key, "<unset>")
        if _plain(before) != _plain(now):
            found.append(f"{key}: was {before!r}, now {now!r}")
    return found


def run_outputs(out: Path, outputs: Iterable[str], *, clean_temps: bool = True) -> list[Path]:
    """What in `out` belongs to a run: checkpoint files and the recipe's output names.

    run.json alone (a run that failed before writing anything) and orphan temp files of killed
    writes do not make a run; with `clean_temps` the temp files are removed.
    """
    found = [out / name for name in outputs if (out / name).exists()]
    if clean_temps:
        remove_orphan_temps(out / CHECKPOINTS)
        remove_orphan_temps(out)
    checkpoints = out / CHECKPOINTS
    if checkpoints.is_dir() and any(not _is_temp(p) for p in checkpoints.iterdir()):
        found.append(checkpoints)
    if found and (out / RUN_FILE).is_file():
        found.append(out / RUN_FILE)
    return found


def claim_run_dir(out: Path, *, config: Mapping[str, Any], resume: bool, overwrite: bool = False,
                  harmless: Collection[str] = (), outputs: Iterable[str] = (),
                  write: bool = True, barrier: Callable[[], None] | None = None) -> str:
    """Check that `out` may hold this run, record it in run.json, and return the run id.

    Raises ConfigError for a fresh run into another run's folder (without `overwrite`) and for
    a resume whose config differs from the recorded one in keys outside `harmless`. Under DDP
    every rank checks, `barrier` runs after the check, and only the rank with `write` changes
    files, so no rank sees the folder half-claimed.
    """
    outputs = tuple(outputs)
    recorded = _read_run_file(out)
    if resume:
        if recorded is not None:
            changed = config_differences(recorded.get("config", {}), _plain(config), harmless)
            if changed:
                raise ConfigError(
                    f"--resume: {out} holds run {recorded.get('run_id')} with a different "
                    "config:\n  - " + "\n  - ".join(changed),
                    fix="resume with the run's own settings (its config is in "
                        f"{out / RUN_FILE}), or start a new run with --out NEW_DIR")
            _sync(barrier)
            return str(recorded.get("run_id"))
        existing: list[Path] = []
    else:
        existing = run_outputs(out, outputs, clean_temps=write)
        if existing and not overwrite:
            who = f"run {recorded['run_id']}" if recorded and "run_id" in recorded else "a run"
            names = ", ".join(sorted(p.name for p in existing))
            raise ConfigError(f"{out} already holds {who} ({names}); a fresh run there would mix "
                              "with it",
                              fix="pass --resume to continue that run, --overwrite to replace it, "
                                  "or --out NEW_DIR")
    _sync(barrier)
    run_id = uuid.uuid4().hex[:12]
    if write:
        for path in existing:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        atomic.write_json(out / RUN_FILE, {"run_id": run_id, "started": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "config": _plain(config)})
    return run_id


def _sync(barrier: Callable[[], None] | None) -> None:
    if barrier is not None:
        barrier()


def _is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _read_run_file(out: Path) -> dict[str, Any] | None:
    path = out / RUN_FILE
    if not path.is_file():
        return None
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is unreadable ({exc})",
                          fix="restore it, or start over with --overwrite") from exc
    return loaded if isinstance(loaded, dict) else None


def _plain(value: Any) -> Any:
    """JSON-shaped copy (paths and tuples as JSON would store them) so configs compare equal."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
