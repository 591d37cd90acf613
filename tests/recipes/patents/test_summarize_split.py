"""The summarizer's evaluation data (benchmarks/data/patents): tune and held-out are disjoint,
the held-out part is the fixed 65 documents, the second held-out part (RubyXML applications)
shares nothing with either, the unseen part (sixth round) shares nothing with any of them,
the second unseen part (seventh round) shares no document id and no abstract with any
other part, and the tune part now holds applications too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


@pytest.fixture(scope="module")
def documents() -> dict[str, list]:
    """The patents of every part and of every file, by part name and by file name."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from _patent_data import PARTS, read_part
    finally:
        sys.path.remove(str(BENCHMARKS))
    if not PARTS["tune"][0].exists():
        pytest.skip("the shared development patents are not here")
    found = {path.name: read_part([path]) for paths in PARTS.values() for path in paths}
    return {name: [p for path in paths for p in found[path.name]]
            for name, paths in PARTS.items()} | found


@pytest.fixture(scope="module")
def parts(documents) -> dict[str, list[str]]:
    return {name: [p.id for p in patents] for name, patents in documents.items()}


def test_tune_and_heldout_are_disjoint_and_heldout_is_unchanged(parts) -> None:
    tune, heldout, fresh = parts["tune"], parts["heldout"], parts["heldout-rx"]
    for ids in (tune, heldout, fresh):
        assert len(set(ids)) == len(ids)
    assert not set(tune) & set(heldout) and not set(tune) & set(fresh)
    assert not set(heldout) & set(fresh)
    assert len(heldout) == 65
    assert sum(i.endswith(("A1", "A2")) for i in heldout) == 8
    assert len(fresh) == 41 and all(i.endswith(("A1", "A2")) for i in fresh)


def test_tune_part_holds_applications_and_follows_the_parity_rule(parts) -> None:
    tune = parts["tune"]
    applications = [i for i in tune if i.endswith(("A1", "A2"))]
    assert len(applications) >= 46 and len(tune) >= 160
    # the PatentsView grants: even numbers in tune, odd ones held out
    for name, parity in (("tune.xml.gz", 0), ("tune-more.xml.gz", 0), ("heldout-pv.xml.gz", 1)):
        numbers = [int(i[2:-2]) for i in parts[name] if i[-2] == "B"]
        assert numbers and {n % 2 for n in numbers} == {parity}
    # the RubyXML applications: even publication numbers in tune, odd ones held out
    for name, parity in (("tune-rx.xml.gz", 0), ("heldout-rx.xml.gz", 1)):
        numbers = [int(i[2:-2]) for i in parts[name]]
        assert len(numbers) >= 38 and {n % 2 for n in numbers} == {parity}


def test_unseen_part_is_new_grants_only(parts) -> None:
    unseen = parts["unseen"]
    others = {i for name in ("tune", "heldout", "heldout-rx") for i in parts[name]}
    assert len(unseen) == len(set(unseen)) == 51 and not set(unseen) & others
    assert all(i[-2] == "B" for i in unseen)
    # the PatentsView grants no part took are odd-numbered: the held-out side of the rule
    assert {int(i[2:-2]) % 2 for i in parts["unseen-pv.xml.gz"]} == {1}
    assert len(parts["unseen-odp.xml.gz"]) == 2 and len(parts["unseen-brs.jsonl.gz"]) == 6


def test_unseen2_shares_no_id_and_no_abstract_with_any_other_part(documents, parts) -> None:
    def abstract(patent) -> str:
        return " ".join(patent.abstract.split()).lower()

    unseen2 = documents["unseen2"]
    others = [p for name in ("tune", "heldout", "heldout-rx", "unseen") for p in documents[name]]
    ids = [p.id for p in unseen2]
    assert len(ids) == len(set(ids)) == 53
    assert len({abstract(p) for p in unseen2}) == 53
    assert not set(ids) & {p.id for p in others}
    assert not {abstract(p) for p in unseen2} & {abstract(p) for p in others}
    assert sum(i.endswith(("A1", "A2")) for i in ids) == 12
    assert [len(parts[f"unseen2-{name}.xml.gz"]) for name in (
        "rubyxml", "ntut", "patentqa", "patentdata", "teamlab", "sax2pats", "extractor")] == \
        [23, 10, 5, 10, 1, 2, 2]
    # every document qualifies as the other parts' do
    assert all(len(p.abstract.split()) >= 20 and p.claims and p.word_count >= 1000
               for p in unseen2)
    assert parts["unseen-all"] == parts["unseen"] + ids
