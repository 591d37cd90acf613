"""Ask a child interpreter what torch reports; a broken or hanging torch becomes a fact.

The same child optionally runs the smoke measurements, so torch is imported once per doctor
run and a GPU kernel that hangs or crashes is contained like a bad import.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torchworks.env.facts import TorchFacts
from torchworks.env.jsonable import SchemaMismatch, from_jsonable
from torchworks.env.measure import Measurement

_CHILD = Path(__file__).with_name("torch_probe_child.py")
_FACTS_MARKER = "TORCHWORKS_TORCH_FACTS "
_BENCH_MARKER = "TORCHWORKS_MEASUREMENTS "


@dataclass
class TorchProbe:
    facts: TorchFacts
    measurements: list[Measurement]  # empty unless asked for and torch imports


def probe_torch(timeout_s: float = 60.0, bench: bool = False) -> TorchProbe:
    """Import torch in a fresh `python` (same interpreter, same environment) with a deadline.

    The child inherits PYTHONPATH, LD_LIBRARY_PATH and CUDA_VISIBLE_DEVICES, so it sees torch
    exactly as the user's own scripts would.
    """
    command = [sys.executable, str(_CHILD), *(["--bench"] if bench else [])]
    timed_out, returncode, stderr = False, 0, ""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                              check=False)
        stdout, stderr, returncode = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        timed_out, stdout = True, _text(exc.stdout)
    facts_data = _marked(stdout, _FACTS_MARKER)
    if facts_data is None:
        if timed_out:
            return TorchProbe(TorchFacts(status="timeout", error=f"`import torch` and CUDA init "
                                         f"did not finish in {timeout_s:.0f} s"), [])
        return TorchProbe(TorchFacts(status="import_error",
                                     error=_crash_reason(returncode, stderr)), [])
    try:
        facts = from_jsonable(TorchFacts, facts_data)
    except SchemaMismatch as exc:
        return TorchProbe(TorchFacts(status="import_error", error=f"unreadable probe: {exc}"), [])
    if not bench or facts.status != "ok":
        return TorchProbe(facts, [])
    bench_data = _marked(stdout, _BENCH_MARKER)
    if bench_data is None:
        why = (f"timed out after {timeout_s:.0f} s" if timed_out
               else _crash_reason(returncode, stderr))
        return TorchProbe(facts, [Measurement("measurements", "?", None, "", error=why)])
    try:
        return TorchProbe(facts, [from_jsonable(Measurement, m) for m in bench_data])
    except SchemaMismatch as exc:
        return TorchProbe(facts, [Measurement("measurements", "?", None, "", error=str(exc))])


def _text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):  # TimeoutExpired keeps bytes even with text=True
        return output.decode(errors="replace")
    return output or ""


def _marked(stdout: str, marker: str) -> Any:
    for line in reversed(stdout.splitlines()):
        if line.startswith(marker):
            try:
                return json.loads(line[len(marker):])
            except json.JSONDecodeError:
                return None
    return None


def _crash_reason(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the python process importing torch was killed by {name}"
    tail = [line for line in stderr.splitlines() if line.strip()]
    return (tail[-1] if tail else f"exit status {returncode}")[:500]
