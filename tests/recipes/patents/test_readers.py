"""Readers on every USPTO XML layout in the sample, on JSON lines and on plain text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from torchworks.errors import DataError
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.readers import (
    BadDocument,
    Patent,
    load_patent,
    patent_from_text,
    read_patents,
)

# one document per layout: (path, id, title start, number of claims, section kinds present)
LAYOUTS = [
    ("pap/US20010000044A1.xml", "US20010000044A1", "Systems and Methods For Transacting", 21,
     {S.FIELD, S.BACKGROUND, S.SUMMARY, S.DRAWINGS, S.DETAILED}),
    ("sgml/US06336130.xml", "US06336130B1", "Arrangement for improving availability", 22,
     {S.RELATED, S.FIELD, S.BACKGROUND, S.DRAWINGS, S.DETAILED}),
    ("xml2004/US06859910.xml", "US06859910B2", "Methods and systems for transactional", 2,
     {S.RELATED, S.FIELD, S.BACKGROUND, S.SUMMARY, S.DRAWINGS, S.DETAILED}),
    ("xml2006/US07272630B2.xml", "US07272630B2", "Locating potentially identical objects", 17,
     {S.RELATED, S.FIELD, S.BACKGROUND, S.SUMMARY, S.DRAWINGS, S.DETAILED}),
    ("xml2014/US08930553.xml", "US08930553B2", "Managing mid-dialog session initiation", 8,
     {S.FIELD, S.BACKGROUND, S.SUMMARY, S.DRAWINGS, S.DETAILED}),
    ("xmlApp2004/US20050004437A1.xml", "US20050004437A1", "Simulation device for playful", 10,
     {S.RELATED, S.BACKGROUND, S.SUMMARY, S.DRAWINGS, S.DETAILED}),
]


@pytest.mark.parametrize(("relative", "doc_id", "title", "n_claims", "kinds"), LAYOUTS)
def test_each_xml_layout_reads_into_a_full_patent(patents_dir: Path, relative: str,
                                                  doc_id: str, title: str, n_claims: int,
                                                  kinds: set[str]) -> None:
    patent = load_patent(patents_dir / "uspto-xml" / relative)
    assert patent.id == doc_id
    assert patent.title.startswith(title)
    assert len(patent.claims) == n_claims
    assert patent.claims[0][:2] in ("A ", "An")  # the number is stripped, the text kept
    assert {s.kind for s in patent.sections} >= kinds
    assert len(patent.abstract.split()) > 15
    assert patent.word_count > 1000


def test_xml_and_jsonl_agree_on_every_sample_document(patents_dir: Path,
                                                      sample_patents: list[Patent]) -> None:
    by_title = {p.title.lower(): p for p in sample_patents}
    for path in sorted((patents_dir / "uspto-xml").glob("*/*.xml")):
        patent = load_patent(path)
        flat = by_title[patent.title.lower()]
        assert len(patent.claims) == len(flat.claims), path.name
        # the XML reader drops tables and formulas as the flattening did: within 10 %
        assert abs(patent.word_count - flat.word_count) < 0.1 * flat.word_count, path.name
        assert patent.abstract.split()[-3:] == flat.abstract.split()[-3:], path.name


def test_sgml_entities_and_reference_markup_become_text(patents_dir: Path) -> None:
    patent = load_patent(patents_dir / "uspto-xml" / "sgml" / "US06337117.xml")
    text = patent.description
    assert "λ" in text and "&lgr;" not in text  # ISO Greek entity resolved
    assert "FIG. 1" in text  # <FGREF> text kept in place


def test_bulk_file_with_concatenated_documents_yields_each(patents_dir: Path,
                                                           tmp_path: Path) -> None:
    xml = patents_dir / "uspto-xml"
    bulk = tmp_path / "ipg_week.xml"
    bulk.write_text((xml / "xml2014" / "US08930553.xml").read_text(encoding="utf-8")
                    + (xml / "xmlApp2004" / "US20050004437A1.xml").read_text(encoding="utf-8")
                    + '<?xml version="1.0"?>\n<broken><unclosed>\n', encoding="utf-8")
    items = list(read_patents(bulk))
    assert [i.id for i in items[:2]] == ["US08930553B2", "US20050004437A1"]
    assert isinstance(items[2], BadDocument) and "not readable XML" in items[2].error


def test_st32_sgml_bulk_file_with_unclosed_empty_elements_yields_each(patents_dir: Path,
                                                                     tmp_path: Path) -> None:
    # The USPTO's 2001 grant files are SGML: no <?xml ...?>, and empty elements such as
    # <CITED-BY-EXAMINER> or <B597US> are never closed (the shared samples close them).
    sgml = patents_dir / "uspto-xml" / "sgml"
    names = ("US06336130.xml", "US06337117.xml")
    expected = [load_patent(sgml / name) for name in names]
    raw = "".join(re.sub(r"<([A-Z0-9-]+)/>", r"<\1>", (sgml / name).read_text(encoding="utf-8")
                         .split("?>", 1)[1]) for name in names)
    assert "<CITED-BY-EXAMINER>" in raw and "<?xml" not in raw
    bulk = tmp_path / "pg010101.sgm"
    bulk.write_text(raw, encoding="utf-8")
    items = list(read_patents(bulk))
    assert [i.id for i in items] == ["US06336130B1", "US06337117B1"]
    for got, want in zip(items, expected, strict=True):
        assert (got.claims, got.abstract, got.description) == \
            (want.claims, want.abstract, want.description)


def test_jsonl_bad_lines_are_reported_and_the_rest_read(tmp_path: Path,
                                                        sample_jsonl: Path) -> None:
    good = sample_jsonl.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good, "{not json", json.dumps({"id": "x", "text": "no"}), good]),
                    encoding="utf-8")
    items = list(read_patents(path))
    assert [type(i).__name__ for i in items] == ["Patent", "BadDocument", "BadDocument",
                                                 "Patent"]
    assert "not valid JSON" in items[1].error
    assert items[2].id == "x" and "description" in items[2].error


def test_plain_text_with_abstract_and_claims(tmp_path: Path) -> None:
    text = (
        "Widget holder\n"
        "TECHNICAL FIELD\n"
        "The present invention relates to a holder for widgets.\n"
        "SUMMARY OF THE INVENTION\n"
        "In one aspect, a holder 10 has a base 12 and a clip 14.\n"
        "ABSTRACT\n"
        "A holder for widgets with a base and a clip.\n"
        "\n"
        "What is claimed is:\n"
        "1. A holder comprising a base and a clip.\n"
        "2. The holder of claim 1, wherein the clip is steel.\n"
    )
    path = tmp_path / "widget.txt"
    path.write_text(text)
    patent = load_patent(path)
    assert patent.id == "widget"
    assert patent.abstract == "A holder for widgets with a base and a clip."
    assert patent.claims == ["A holder comprising a base and a clip.",
                             "The holder of claim 1, wherein the clip is steel."]
    assert [s.kind for s in patent.sections][-2:] == [S.FIELD, S.SUMMARY]
    assert "base 12" in patent.section_text(S.SUMMARY)


def test_missing_file_and_empty_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_patent(tmp_path / "nope.xml")
    with pytest.raises(DataError, match="not a file"):
        load_patent(tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(DataError, match="is empty"):
        load_patent(empty)
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n")
    with pytest.raises(DataError, match="does not start with a JSON object"):
        load_patent(blank)


def test_patent_from_text_without_headings_is_one_section() -> None:
    patent = patent_from_text("A device holds things. It is small.", id="d")
    assert [s.kind for s in patent.sections] == [S.OTHER]
    assert patent.word_count == 7
