"""Ask a child interpreter what torch reports; a broken or hanging torch becomes a fact."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from torchworks.env.facts import TorchFacts
from torchworks.env.jsonable import SchemaMismatch, from_jsonable

_CHILD = Path(__file__).with_name("torch_probe_child.py")
_MARKER = "TORCHWORKS_TORCH_FACTS "


def probe_torch(timeout_s: float = 60.0) -> TorchFacts:
    """Import torch in a fresh `python` (same interpreter, same environment) with a deadline.

    The child inherits PYTHONPATH, LD_LIBRARY_PATH and CUDA_VISIBLE_DEVICES, so it sees torch
    exactly as the user's own scripts would.
    """
    try:
        proc = subprocess.run([sys.executable, str(_CHILD)], capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return TorchFacts(status="timeout",
                          error=f"`import torch` and CUDA init did not finish in {timeout_s:.0f} s")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARKER):
            try:
                return from_jsonable(TorchFacts, json.loads(line[len(_MARKER):]))
            except (json.JSONDecodeError, SchemaMismatch) as exc:
                return TorchFacts(status="import_error", error=f"unreadable torch probe: {exc}")
    return TorchFacts(status="import_error", error=_crash_reason(proc))


def _crash_reason(proc: subprocess.CompletedProcess[str]) -> str:
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return f"the python process importing torch was killed by {name}"
    tail = [line for line in proc.stderr.splitlines() if line.strip()]
    return (tail[-1] if tail else f"exit status {proc.returncode}")[:500]
