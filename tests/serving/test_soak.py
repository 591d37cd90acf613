"""A bounded run of the soak (benchmarks/serve_soak.py): every default service, hostile
requests mixed in, rec-recommend hot-swapped between v1, a corrupt v3 and "newest".

What is asserted is what must hold on any machine: no well-formed request fails, nothing
answers 5xx, the swaps do what they should. Latency and memory are printed by the soak and
judged in its 10-minute run on a quiet machine, not here (a test's timing is not a benchmark).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "serve_soak.py"


@pytest.mark.slow
def test_bounded_soak_over_every_default_service_fails_no_well_formed_request() -> None:
    run = subprocess.run(
        [sys.executable, str(SOAK), "--duration-s", "40", "--clients", "12",
         "--swap-every-s", "9", "--warmup-s", "10", "--flood-claims", "8000"],
        capture_output=True, text=True, timeout=900)
    out = run.stdout + run.stderr
    services = re.search(r"services \(version\): (.*); ready", out)
    assert services, out[-3000:]
    for name in ("smollm2-135m-instruct", "patents-summarize", "patents-draft", "patents-check",
                 "rec-recommend"):
        assert name in services.group(1), services.group(1)
    totals = re.search(r"well-formed requests: (\d+), failed: (\d+) .*5xx of any kind: (\d+)", out)
    assert totals, out[-3000:]
    assert int(totals.group(1)) > 50 and totals.group(2) == "0" and totals.group(3) == "0", \
        out[-3000:]
    for kind in ("generate", "stream", "summarize", "draft", "check", "recommend"):
        assert re.search(rf"^{kind} .*'200': \d+", out, re.MULTILINE), f"no {kind}: {out[-3000:]}"
    assert "swaps as expected (v3 409, others 200) ok" in out, out[-3000:]
    assert "3->409" in out and "1->200:1" in out, out[-3000:]
