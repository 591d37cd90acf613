"""Claim parsing as users write claims: numbering styles, wrapped lines, references, abstract."""

from __future__ import annotations

import json
from pathlib import Path

from torchworks.recipes.patents.claims.parse import count_claims, parse_claims

STYLES = """What is claimed is:
1. A lamp comprising:
   a base; and
   a shade mounted on the base.
2) The lamp of claim 1, wherein the shade is glass.
Claim 3: The lamp according to any one of claims 1-2, consisting essentially of brass.
4 . A method of lighting a room, the method including switching on the lamp of claim 1.

Abstract
A lamp with a base and a shade.
"""


def test_every_numbering_style_and_wrapped_claims_parse() -> None:
    claim_set = parse_claims(STYLES)
    assert [c.number for c in claim_set.claims] == [1, 2, 3, 4]
    first, second, third, fourth = claim_set.claims
    assert first.kind == "independent" and first.transition == "comprising"
    assert first.preamble == "A lamp"
    assert first.elements == ["a base", "a shade mounted on the base"]
    assert second.parents == [1] and not second.multiple
    assert third.parents == [1, 2] and third.multiple and third.alternative
    assert third.transition == "consisting essentially of"
    assert fourth.parents == [1] and fourth.transition == "including"
    assert claim_set.abstract == "A lamp with a base and a shade."


def test_claims_on_one_line_split_at_the_next_number_not_at_references() -> None:
    claim_set = parse_claims("1. A cup comprising a handle. 2. The cup of claim 1. 3. The cup "
                             "of claim 2, wherein the handle is round.")
    assert [(c.number, c.parents) for c in claim_set.claims] == [(1, []), (2, [1]), (3, [2])]


def test_cumulative_multiple_dependency_is_not_alternative() -> None:
    claim = parse_claims("1. A cup comprising a handle.\n2. A cup comprising a lid.\n"
                         "3. The cup of claims 1 and 2, wherein the lid is red.").claims[2]
    assert claim.parents == [1, 2] and not claim.alternative


def test_dependency_tree(patents_dir: Path) -> None:
    record = json.loads((patents_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines()[0])
    text = "\n".join(record["claims"])
    claim_set = parse_claims(text)
    assert len(claim_set.claims) == len(record["claims"])
    roots = [c.number for c in claim_set.roots()]
    assert roots == [c.number for c in claim_set.claims if not c.dependent]
    assert [c.number for c in claim_set.ancestors(claim_set.claims[4])] == [1, 2, 3, 4]


def test_real_claim_sets_parse_completely(patents_dir: Path) -> None:
    for line in (patents_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        claim_set = parse_claims("\n".join(record["claims"]))
        assert [c.number for c in claim_set.claims] == list(range(1, len(record["claims"]) + 1))
        assert all(p < c.number for c in claim_set.claims for p in c.parents)


def test_count_claims_agrees_with_the_parse(patents_dir: Path) -> None:
    """The check service caps a request's claims with count_claims before parsing: it must
    count exactly the claims the parse builds (styles, one-line sets, wrapped references, an
    abstract after the claims, Windows line ends)."""
    texts = [STYLES, STYLES.replace("\n", "\r\n"),
             "1. A cup comprising a handle. 2. The cup of claim 1. 3. The cup of claim\n"
             "2, wherein the handle is round.", "no claims here", ""]
    texts += ["\n".join(json.loads(line)["claims"]) for line in
              (patents_dir / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    counts = [count_claims(text) for text in texts]
    assert counts == [len(parse_claims(text).claims) for text in texts]
    assert counts[:2] == [4, 4] and counts[3:5] == [0, 0]
    for text, count in zip(texts, counts, strict=True):  # exact up to the bound, then bound + 1
        assert count_claims(text, stop_after=3) == min(count, 4)
    flood = "1. A pole.\n" + "".join(f"{i}. The pole of claim 1.\n" for i in range(2, 8001))
    assert count_claims(flood) == 8000 and count_claims(flood, stop_after=1000) == 1001


def test_reference_matches_are_the_patterns_matches() -> None:
    from torchworks.recipes.patents.claims.references import (
        REFERENCE,
        reference_matches,
        without_references,
    )

    for text in ("The lamp of claim 1 or claims 2-3, claimsclaim 4 and CLAIM 5.",
                 "claims 1 and 2 to 3 and 90-0% by weight of aclaim 3 claim",
                 "The process of claim1 as in claim 2 claim 3",
                 "The caf\u00e9 of claim 2, with \u00e9 and claims 3 to 4",  # not ASCII
                 "A lamp comprising a base.", ""):
        fast = [(m.span(), m.groups()) for m in reference_matches(text)]
        assert fast == [(m.span(), m.groups()) for m in REFERENCE.finditer(text)]
        assert without_references(text, "claim") == REFERENCE.sub("claim", text)
