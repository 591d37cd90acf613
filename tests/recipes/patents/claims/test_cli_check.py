"""`torchworks patents check` as a user runs it: tree output, --json, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks import cli

CLAIMS = """What is claimed is:
1. A lamp comprising:
   a base; and
   a shade mounted on the base.
2. The lamp of claim 1, wherein the bulb is about 5 cm long and the bulb is white.
3. The lamp of claim 1, wherein the shade is paper.
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_human_report_groups_findings_under_the_claim_tree(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "claims.txt"
    path.write_text(CLAIMS)
    code, out, _ = run(["patents", "check", str(path)], capsys)
    assert code == 2  # errors present
    lines = out.splitlines()
    claim2 = lines.index(next(line for line in lines if line.startswith("  2. [dependent]")))
    assert "antecedent-basis" in lines[claim2 + 1] and "'the bulb'" in lines[claim2 + 1]
    assert lines[claim2 + 2].strip().startswith("fix: introduce it first ('a bulb')")
    assert any(line.startswith("  3. [dependent]") for line in lines)
    assert "3 claims (1 independent): 1 errors, 0 warnings, 1 info" in out  # "about 5 cm"


def test_json_report_and_description_support(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    claims = tmp_path / "claims.txt"
    claims.write_text("1. A lamp comprising a base and a shade.\n")
    description = tmp_path / "description.txt"
    description.write_text("The lamp has a heavy base.")
    code, out, _ = run(["patents", "check", str(claims), "--description", str(description),
                        "--json"], capsys)
    report = json.loads(out)
    assert code == 1  # warnings only
    assert report["summary"] == {"claims": 1, "errors": 0, "warnings": 1, "infos": 0}
    (finding,) = report["findings"]
    assert finding["rule"] == "description-support" and finding["words"] == "shade"
    assert report["claims"][0]["elements"] == ["a base and a shade"]


def test_clean_claims_exit_zero_and_missing_file_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("1. A lamp comprising a base.\n2. The lamp of claim 1, wherein the base "
                    "is round.\n")
    assert run(["patents", "check", str(path)], capsys)[0] == 0
    code, _, err = run(["patents", "check", str(tmp_path / "nope.txt")], capsys)
    assert code == 2 and err.startswith("torchworks: error:") and "Traceback" not in err
