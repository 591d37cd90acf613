"""Input files are checked (exists, size, layout) before anything is parsed or loaded."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from torchworks.cli import main
from torchworks.errors import DataError
from torchworks.recipes.patents.text.inputs import check_input

CITATIONS = "\n".join([  # what a raw BRS/citation export looks like: references, no prose
    "L1  US 6334226 B1  20020101  Faucet support member  Smith; John  4/675",
    "L2  US 6530116 B2  20030311  Vacuum cleaner  Doe et al.  15/326",
    "L3  US 7062920 B2  20060620  Combustor dome assembly  Lee  60/796",
] * 20)


def test_each_layout_is_recognised(patents_dir: Path, sample_jsonl: Path, tmp_path: Path) -> None:
    assert check_input(sample_jsonl) == "jsonl"
    for layout in ("pap", "sgml", "xml2004", "xml2014", "xmlApp2004"):
        for path in (patents_dir / "uspto-xml" / layout).glob("*.xml"):
            assert check_input(path) == "xml", path
    text = tmp_path / "spec.txt"
    text.write_text(json.loads(sample_jsonl.read_text().splitlines()[0])["description"])
    assert check_input(text) == "text"


def test_missing_empty_and_oversized_files_are_refused_without_reading(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        check_input(tmp_path / "nope.xml")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(DataError, match="is empty"):
        check_input(tmp_path / "empty.txt")
    huge = tmp_path / "bulk.xml"
    with huge.open("wb") as handle:  # a sparse 200 MiB file: nothing is written or read
        handle.truncate(200 * 2**20)
    with pytest.raises(DataError, match="200 MiB, over the 100 MiB limit") as refused:
        check_input(huge)
    assert "--max-file-mb 201" in str(refused.value)


def test_binary_foreign_xml_and_citation_lists_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "ipg.xml.gz"
    archive.write_bytes(gzip.compress(b"<us-patent-grant>" * 100))
    with pytest.raises(DataError, match=r"binary|not UTF-8"):
        check_input(archive)
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss><channel><title>News</title></channel></rss>')
    with pytest.raises(DataError, match="not a USPTO patent layout"):
        check_input(feed)
    brs = tmp_path / "search.txt"
    brs.write_text(CITATIONS)
    with pytest.raises(DataError, match="does not read like patent text"):
        check_input(brs)


def test_summarize_checks_inputs_before_the_model(
        tmp_path: Path, patents_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the model folder does not exist either: the missing input is reported first
    code = main(["patents", "summarize", str(patents_dir / "uspto-xml/sgml/US06336130.xml"),
                 str(tmp_path / "missing.xml"), "--method", "abstractive", "--model",
                 str(tmp_path / "no-model")])
    assert code == 2
    err = capsys.readouterr().err
    assert "missing.xml does not exist" in err and "no-model" not in err
    brs = tmp_path / "search.txt"
    brs.write_text(CITATIONS)
    assert main(["patents", "summarize", str(brs)]) == 2
    assert "does not read like patent text" in capsys.readouterr().err
    small = tmp_path / "one.txt"
    small.write_text("The present invention relates to holders for widgets of all kinds.\n" * 30)
    assert main(["patents", "summarize", str(small), "--max-file-mb", "0.001"]) == 2
    assert "over the 0.001 MiB limit" in capsys.readouterr().err
    assert main(["patents", "summarize", str(small), "--max-file-mb", "1"]) == 0


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["patents", "summarize", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: 150" in help_text and "(default: structure)" in help_text


def test_eval_names_the_broken_line_and_its_json_error(
        tmp_path: Path, sample_jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = sample_jsonl.read_text().splitlines()[:3]
    lines[1] = lines[1][:40]  # cut mid-string
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    assert main(["patents", "eval", "--data", str(broken), "--method", "lead"]) == 2
    err = capsys.readouterr().err
    assert "broken.jsonl:2: line 2 is not valid JSON: Invalid control character (column 41)" \
        in err and "Traceback" not in err
