"""The drafting benchmark's unseen part (benchmarks/data/granted_claims/draft_unseen.jsonl.gz)
shares no patent with what drafting was tuned on or has read: not by number (however it is
spelled) and not by abstract (a continuation re-filed under a new number keeps it)."""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[4] / "benchmarks" / "data" / "granted_claims"


def _records(name: str) -> list[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _number(patent_id: str) -> int:
    """The patent number alone: 'US06836899B1' and 'US 6836899 B1' are both 6836899."""
    return int(re.search(r"\d{6,}", patent_id.replace(" ", "")).group(0))


def _abstract(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_unseen_drafting_part_shares_nothing_with_tune_or_heldout() -> None:
    unseen = _records("draft_unseen.jsonl.gz")
    seen = _records("tune.jsonl.gz") + _records("heldout.jsonl.gz")
    numbers = [_number(r["id"]) for r in unseen]
    assert len(unseen) >= 60 and len(set(numbers)) == len(numbers)
    assert not set(numbers) & {_number(r["id"]) for r in seen}
    seen_abstracts = {_abstract(r["abstract"]) for r in seen}
    assert not {_abstract(r["abstract"]) for r in unseen} & seen_abstracts
    # the 42 PatentsView grants of the summarizer's unseen part are in tune/held-out already
    assert sum(r["source"] == "patents/unseen-pv.xml.gz" for r in unseen) == 1


def test_unseen_drafting_part_is_grants_with_claim_one_and_an_abstract() -> None:
    unseen = _records("draft_unseen.jsonl.gz")
    assert all(re.fullmatch(r"US\d{7,8}B\d?", r["id"]) for r in unseen)
    assert all(r["claims"] and r["claims"][0].strip() for r in unseen)
    assert all(len(r["abstract"].split()) >= 15 for r in unseen)
    with_summary = [r for r in unseen if "SUMMARY" in r.get("description", "")]
    assert len(with_summary) >= 10


def test_second_unseen_drafting_part_shares_nothing_with_what_drafting_read() -> None:
    """draft_unseen2 (the summarizer's unseen2 grants) is disjoint from tune, held-out and the
    first unseen part, by number and by abstract, and holds grants with claim 1 only."""
    unseen2 = _records("draft_unseen2.jsonl.gz")
    seen = _records("tune.jsonl.gz") + _records("heldout.jsonl.gz") + _records(
        "draft_unseen.jsonl.gz")
    numbers = [_number(r["id"]) for r in unseen2]
    assert len(unseen2) >= 40 and len(set(numbers)) == len(numbers)
    assert not set(numbers) & {_number(r["id"]) for r in seen}
    assert not {_abstract(r["abstract"]) for r in unseen2} & {
        _abstract(r["abstract"]) for r in seen}
    assert all(re.fullmatch(r"US\d{7,8}B\d?", r["id"]) for r in unseen2)
    assert all(r["claims"] and r["claims"][0].strip() for r in unseen2)
    assert sum("SUMMARY" in r.get("description", "") for r in unseen2) >= 30


def test_third_unseen_drafting_part_shares_nothing_with_any_other_granted_claims_part() -> None:
    """draft_unseen3 (dumps no other part drew on) is disjoint, by number and abstract,
    from every other file here, and holds US utility grants with claim 1 and an abstract."""
    unseen3 = _records("draft_unseen3.jsonl.gz")
    seen = [r for name in ("tune", "heldout", "fresh", "unseen", "draft_unseen",
                           "draft_unseen2") for r in _records(f"{name}.jsonl.gz")]
    numbers = [_number(r["id"]) for r in unseen3]
    assert len(unseen3) >= 150 and len(set(numbers)) == len(numbers)
    assert not set(numbers) & {_number(r["id"]) for r in seen}
    assert not {_abstract(r["abstract"]) for r in unseen3} & {
        _abstract(r["abstract"]) for r in seen if r.get("abstract")}
    assert all(re.fullmatch(r"US\d{7,8}B\d?", r["id"]) for r in unseen3)
    assert all(r["claims"] and re.match(r"[A-Z]", r["claims"][0]) for r in unseen3)
    assert all(len(r["abstract"].split()) >= 5 for r in unseen3)
    assert sum("SUMMARY" in r["description"] for r in unseen3) >= 20


def test_course_dump_claims_split_at_each_next_number_and_join_elements_with_a_space() -> None:
    """The course dump's claims string joins claims and claim-text elements with bare commas;
    claim 1 must come back whole and readable, with commas inside numbers and names kept."""
    sys.path.insert(0, str(DATA))
    try:
        from draft_unseen3_sources import split_claims
    finally:
        sys.path.remove(str(DATA))
    claims = split_claims("[1. A method comprising:1) mixing 1,000 g of N,N-dimethyl at 1:2;,"
                          "2) drying it; and,3) heating the mix to 2. degrees.,2. The method "
                          "of claim 1, wherein the mix is &#x3c;5% water.,3. The method of "
                          "claim 2.]")
    assert claims == [
        "A method comprising: 1) mixing 1,000 g of N,N-dimethyl at 1:2; 2) drying it; and 3) "
        "heating the mix to 2. degrees.",
        "The method of claim 1, wherein the mix is <5% water.",
        "The method of claim 2."]


def test_third_part_readers_give_back_every_claim_the_dumps_count() -> None:
    """Each dump states its own claim count (`number_of_claims`, `NCLS::`): the readers behind
    draft_unseen3 split out exactly that many claims for every grant."""
    sys.path.insert(0, str(DATA))
    try:
        from draft_unseen3_sources import (
            COURSE_FILES,
            FLAT_FILE,
            RAW,
            course_records,
            flat_file_records,
        )
    finally:
        sys.path.remove(str(DATA))
    stated = {}
    for name in COURSE_FILES:
        with gzip.open(RAW / name, "rt", encoding="utf-8") as handle:
            stated |= {k: int(v["number_of_claims"]) for k, v in json.load(handle).items()}
    with gzip.open(RAW / FLAT_FILE, "rt", encoding="utf-8") as handle:
        stated |= {f"US{n}": int(c) for n, c in re.findall(
            r"^PTNO:: (\d+)\n(?:.*\n)*?NCLS:: (\d+)$", handle.read(), flags=re.M)}
    found = course_records() + flat_file_records()
    assert len(found) >= 150
    assert all(len(r["claims"]) == stated[r["id"][:-2]] for r in found)


def test_html_dumps_give_claims_numbered_in_order_and_a_summary_section() -> None:
    """The PatFT pages and the Public Search documents behind draft_unseen3: claims come back
    without the "What is claimed is:" statement, every dependent points back to an earlier
    claim, and the summary section the drafting benchmark reads is found in most of them."""
    sys.path.insert(0, str(DATA))
    try:
        from draft_unseen3_sources import patft_records, ppubs_records
    finally:
        sys.path.remove(str(DATA))
    found = patft_records() + ppubs_records()
    assert len(found) == 16
    for record in found:
        assert not re.match(r"(?i)(what is claimed|i claim|we claim)", record["claims"][0])
        for number, claim in enumerate(record["claims"], start=1):
            refers = [int(n) for n in re.findall(r"\bclaim (\d+)", claim)]
            assert all(0 < n < number for n in refers), (record["id"], number)
    assert sum("SUMMARY" in r["description"] for r in found) >= 12
