"""Items a draft lists must be parts the disclosure grounds ("a filling", "a front side" and
"a traction kite" are not), and a relative clause cut from its main verb is mended."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.garbled import (
    garbled,
    grounded_only,
    repaired,
    ungrounded_items,
)
from torchworks.recipes.patents.draft.pipeline import draft_claims

MILKING = ("A milk metering apparatus has a metering chamber which is filled and emptied, and a "
           "probe for sample analysis. A counter counts the number of filling and emptying "
           "cycles. A housing holds the probe at its front side. The housing consists of a plug "
           "connector and comprises a plurality of relays.")


def test_items_the_disclosure_does_not_ground_as_parts_are_named() -> None:
    claim = ("A milk metering apparatus comprising: a metering chamber; a probe; a filling; a "
             "front side; and a sample analysis.")
    sentences = analyse(MILKING).sentences
    assert ungrounded_items(claim, sentences) == ["a filling", "a front side",
                                                  "a sample analysis"]
    assert grounded_only(claim, sentences) == (
        "A milk metering apparatus comprising: a metering chamber; and a probe.")


def test_parts_the_disclosure_names_stay() -> None:
    claim = ("A milk metering apparatus comprising: a housing; a plug connector; a counter; and "
             "a plurality of relays.")
    sentences = analyse(MILKING).sentences
    assert ungrounded_items(claim, sentences) == []
    assert grounded_only(claim, sentences) == claim


def test_a_claim_is_not_cut_to_one_item() -> None:
    claim = "A milk metering apparatus comprising: a probe; and a filling."
    assert grounded_only(claim, analyse(MILKING).sentences) == claim


@pytest.mark.parametrize(("claim", "mended"), [
    ("A milk metering apparatus comprising: a metering chamber which is filled and emptied in a "
     "course of milking an animal is provided with a probe; and a counter.",
     "A milk metering apparatus comprising: a metering chamber which is filled and emptied in a "
     "course of milking an animal, and which is provided with a probe; and a counter."),
])
def test_a_relative_clause_left_with_its_main_verb_is_garbled_and_mended(claim: str,
                                                                         mended: str) -> None:
    assert garbled(claim)
    assert repaired(claim) == mended
    assert garbled(mended) == ""


def test_a_relative_clause_with_its_own_second_verb_is_left_alone() -> None:
    claim = ("A device comprising: a lever which is pivoted to a frame and is connected to a "
             "spring; and a spring.")
    assert garbled(claim) == ""


def test_a_draft_lists_no_context_as_a_part() -> None:
    text = ("A wing for a traction kite has a plurality of cells formed by ribs. Valved "
            "openings to the cells allow ram air to inflate the wing. A bridle is attached to "
            "the ribs.")
    result = draft_claims(text, title="Wing for a traction kite")
    assert result.report.errors == 0
    assert "; and a traction kite" not in result.claims[0]
    assert "cells" in result.claims[0]


def test_an_item_the_claim_refers_to_again_stays() -> None:
    claim = ("A shooting pot comprising: a piston having a proximal end; a distal end; and a "
             "piston extension disposed at the distal end of the piston.")
    sentences = analyse("A shooting pot has a piston having a proximal end and a distal end. A "
                        "piston extension is disposed at the distal end of the piston.").sentences
    assert ungrounded_items(claim, sentences) == ["a distal end"]
    assert grounded_only(claim, sentences) == claim



def test_an_item_placed_by_an_adverb_is_named_by_its_noun_phrase() -> None:
    claim = "A device comprising: a base; a second electrode thereon; and a front side."
    sentences = ["A device has a base with a second electrode thereon."]
    assert ungrounded_items(claim, sentences) == ["a front side"]
    referred = ("A device comprising: a base; a fourth electrode thereon; a lid; and a cover, "
                "the lid covering the fourth electrode.")
    kept = grounded_only(referred, ["A device has a base, a lid and a cover."])
    assert "a fourth electrode thereon" in kept
