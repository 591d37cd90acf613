"""`torchworks patents summarize` and `torchworks patents eval` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks.cli import main


def test_summarize_reports_bad_documents_and_completes_the_rest(
        tmp_path: Path, patents_dir: Path, sample_jsonl: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    good = sample_jsonl.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "batch.jsonl"
    data.write_text("\n".join([good[3], '{"id": "blank", "description": ""}', "{oops",
                               good[0], good[1]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["patents", "summarize", str(patents_dir / "uspto-xml/xml2014/US08930553.xml"),
                 "--input", str(data), "--output", str(out), "--method", "textrank",
                 "--max-doc-words", "15000"])
    assert code == 1  # some documents failed, the rest were written
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["US08930553B2", "US06336130", "blank", "batch:3",
                                       "US20010000044A1", "US20010000943A1"]
    assert [("summary" in r) for r in rows] == [True, True, False, False, True, False]
    assert "empty" in rows[2]["error"]
    assert "not valid JSON" in rows[3]["error"]
    assert "15,000-word limit" in rows[5]["error"] and "--max-doc-words" in rows[5]["error"]
    err = capsys.readouterr().err
    assert "blank: the document is empty" in err and "Traceback" not in err


def test_summarize_prints_summaries_of_xml_files(patents_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["patents", "summarize", "--method", "lead", "--words", "60",
                 str(patents_dir / "uspto-xml/sgml/US06336130.xml"),
                 str(patents_dir / "uspto-xml/pap/US20010000044A1.xml")])
    assert code == 0
    out = capsys.readouterr().out
    assert "# US06336130B1" in out and "# US20010000044A1" in out
    assert "The present invention comprises a business model" in out


def test_abstractive_without_model_is_a_one_line_error(
        patents_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["patents", "summarize", "--method", "abstractive",
                 str(patents_dir / "uspto-xml/sgml/US06336130.xml")])
    assert code == 2
    err = capsys.readouterr().err
    assert "needs --model DIR" in err and "Traceback" not in err


def test_eval_prints_one_json_object_with_the_metrics(
        sample_jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["patents", "eval", "--data", str(sample_jsonl), "--method", "lead",
                 "--limit", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["docs"] == 3 and result["method"] == "lead"
    for key in ("rouge1", "rouge2", "rougeL", "docs_per_second", "words_per_summary"):
        assert result[key] > 0
    assert result["rouge1"] > result["rouge2"]
    assert result["words_per_summary"] <= 150
