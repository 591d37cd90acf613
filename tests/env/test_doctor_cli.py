"""`torchworks doctor` through the real CLI: this machine, a broken torch, recorded facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from torchworks import cli

FACTS_DIR = Path(__file__).parent / "facts"
TORCHWORKS = Path(sys.executable).with_name("torchworks")
TOP_KEYS = {"schema_version", "torchworks_version", "source", "facts", "findings",
            "measurements", "summary"}


def doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TORCHWORKS), "doctor", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=180, check=False)


def check_schema(doc: dict) -> None:
    assert set(doc) == TOP_KEYS and doc["schema_version"] == 1
    for finding in doc["findings"]:
        assert set(finding) == {"id", "severity", "seen", "why", "fix"}
        assert finding["severity"] in {"ok", "warn", "error"}
    ranks = [{"error": 0, "warn": 1, "ok": 2}[f["severity"]] for f in doc["findings"]]
    assert ranks == sorted(ranks), "errors first, then warnings, then ok"
    summary = doc["summary"]
    assert summary["errors"] == sum(f["severity"] == "error" for f in doc["findings"])
    assert summary["status"] == ("ok", "warn", "error")[summary["exit_code"]]


def test_real_run_on_this_machine_json() -> None:
    import torch

    proc = doctor("--json")
    doc = json.loads(proc.stdout)
    check_schema(doc)
    assert proc.returncode == doc["summary"]["exit_code"]
    assert doc["source"] == "this machine"
    assert doc["facts"]["torch"]["version"] == str(torch.__version__)
    assert "torch.ok" in {f["id"] for f in doc["findings"]}
    assert doc["measurements"] and all(m["value"] > 0 for m in doc["measurements"])


def test_broken_torch_still_gets_a_report(tmp_path) -> None:
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text(
        "raise OSError('libcudnn.so.9: cannot open shared object file: No such file')\n")
    proc = doctor("--json", env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)
    check_schema(doc)
    assert doc["facts"]["torch"]["status"] == "import_error"
    (first, *_) = doc["findings"]
    assert first["id"] == "cudnn.unavailable" and "libcudnn.so.9" in first["seen"]
    assert doc["measurements"] == []


def test_human_output_lists_errors_first_with_fixes(capsys) -> None:
    code = cli.main(["doctor", "--facts", str(FACTS_DIR / "a100x4_cpu_torch.json")])
    out = capsys.readouterr().out
    assert code == 2
    assert out.index("torch.cpu_build") < out.index("disk.low") < out.index("torch.ok")
    assert "fix: pip install --force-reinstall" in out
    assert "broken: fix the errors above" in out


def test_collect_then_diagnose_elsewhere_gives_the_same_findings(tmp_path) -> None:
    facts_file = tmp_path / "facts.json"
    proc = doctor("--collect", str(facts_file), "--json", "--no-bench")
    here = json.loads(proc.stdout)
    assert here["measurements"] == [] and f"--facts {facts_file}" in proc.stderr
    recorded = json.loads(facts_file.read_text())
    assert recorded == here["facts"], "--collect writes the facts alone"
    again = doctor("--facts", str(facts_file), "--json")
    there = json.loads(again.stdout)
    assert there["findings"] == here["findings"] and again.returncode == proc.returncode
    assert there["source"] == str(facts_file)


@pytest.mark.parametrize(("workers", "code"), [(None, 2), ("0", 0)])
def test_exit_code_follows_the_worst_finding(workers, code, capsys) -> None:
    args = ["doctor", "--json", "--facts", str(FACTS_DIR / "container_shm64m_l4.json")]
    assert cli.main(args + (["--workers", workers] if workers else [])) == code
    assert json.loads(capsys.readouterr().out)["summary"]["exit_code"] == code


@pytest.mark.parametrize("flags", [["--workers", "-1"], ["--torch-timeout", "0"]])
def test_bad_flags_are_one_line_errors(flags, capsys) -> None:
    assert cli.main(["doctor", *flags]) == 2
    assert capsys.readouterr().err.startswith("torchworks: error: --")


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read facts file"),
    ("not json at all", "is not JSON"),
    ('{"schema_version": 1, "torch": {}}', "not valid doctor facts"),
])
def test_bad_facts_file_is_one_clean_line(tmp_path, content, message) -> None:
    path = tmp_path / "facts.json"
    if content is not None:
        path.write_text(content)
    proc = doctor("--facts", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("torchworks: error:") and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_non_utf8_locale_still_gets_the_report() -> None:
    """LANG=C with Python's UTF-8 coercion off: stdout is ASCII; '·' and '✓' once crashed the
    report with UnicodeEncodeError after the diagnosis was done."""
    proc = doctor("--facts", str(FACTS_DIR / "h100x8_nccl_toolkit.json"),
                  env={"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                       "PYTHONIOENCODING": ""})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "toolkit.nvcc_mismatch" in proc.stdout
