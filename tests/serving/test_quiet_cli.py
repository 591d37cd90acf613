"""Normal commands print no library noise: the real CLI on a real patent, stderr read back.

The noise was torchao's (imported by transformers whenever it is installed: native extensions
that fail to load, deprecated pytree registrations), transformers' loading bars and its
`past_key_values` deprecation; each is fixed where it arose (torchworks.hf, llm/stepper.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

NOISE = re.compile(r"warning|deprecat|failed to load|traceback|^[WE]\d{4} |it/s\]",
                   re.IGNORECASE | re.MULTILINE)


def torchworks(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "torchworks", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_patents_summarize_and_check_are_quiet(patents_dir: Path, tmp_path: Path) -> None:
    sample = patents_dir / "uspto-xml" / "xml2014" / "US08926509.xml"
    summary = torchworks("patents", "summarize", str(sample), cwd=tmp_path)
    assert summary.returncode == 0 and len(summary.stdout.split()) > 50, summary.stderr
    assert not NOISE.search(summary.stderr), summary.stderr
    record = (patents_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "claims.jsonl").write_text(record + "\n", encoding="utf-8")
    check = torchworks("patents", "check", "claims.jsonl", cwd=tmp_path)
    assert check.returncode in (0, 1, 2) and "1. [independent]" in check.stdout
    assert check.stderr == "", check.stderr


def test_patents_draft_is_quiet_and_transformers_leaves_torchao_alone(
        tiny_lm_dir: Path, patents_dir: Path, tmp_path: Path) -> None:
    disclosure = json.loads((patents_dir / "patents.jsonl").read_text().splitlines()[0])
    (tmp_path / "disclosure.txt").write_text(disclosure["description"][:3000])
    draft = torchworks("patents", "draft", "--model", str(tiny_lm_dir), "--dependents", "1",
                       "--max-new-tokens", "8", "disclosure.txt", cwd=tmp_path)
    assert draft.returncode == 0 and "1. A" in draft.stdout, draft.stderr
    status = [line for line in draft.stderr.splitlines() if not line.startswith("[")]
    assert not NOISE.search("\n".join(status)), draft.stderr  # "[claim] ..." lines are ours
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from torchworks.llm.load import load_causal_lm; "
         f"load_causal_lm({str(tiny_lm_dir)!r}); print('torchao' in sys.modules)"],
        capture_output=True, text=True, timeout=300)
    assert probe.stdout.strip() == "False" and probe.stderr == "", probe.stderr
