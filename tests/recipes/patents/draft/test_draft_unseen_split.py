"""The drafting benchmark's unseen part (benchmarks/data/granted_claims/draft_unseen.jsonl.gz)
shares no patent with what drafting was tuned on or has read: not by number (however it is
spelled) and not by abstract (a continuation re-filed under a new number keeps it)."""

from __future__ import annotations

import gzip
import json
import re
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
