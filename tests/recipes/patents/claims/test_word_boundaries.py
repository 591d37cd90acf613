"""Where a term ends: a verb glued on after a term with basis, a plural noun that is also a
verb after an ordinal list, and an image label after the final period (issue 15, fifth round)."""

from __future__ import annotations

from torchworks.recipes.patents.claims.check import check_text


def findings(text: str, rule: str) -> dict[str, str]:
    """words -> severity of every finding of `rule`."""
    return {f.words: f.severity for f in check_text(text).findings if f.rule == rule}


def test_a_bare_verb_after_a_term_with_basis_is_only_a_warning() -> None:
    found = findings("1. A filter passing light in a first band and a second band, wherein "
                     "the light in the first band strike on a window and the light in the "
                     "second band travel through the window.", "antecedent-basis")
    assert found and set(found.values()) == {"warning"}
    found = findings("1. A cell comprising a substrate and a first electrode, wherein the "
                     "first electrode covering the substrate is thin.", "antecedent-basis")
    assert set(found.values()) <= {"warning"}


def test_the_last_word_stays_part_of_the_term_when_a_claim_introduces_it() -> None:
    # "a housing cover" makes "cover" a noun: "the housing cover" needs its own basis
    found = findings("1. A pump comprising a housing.\n2. A kit comprising a housing cover.\n"
                     "3. The pump of claim 1, wherein the housing cover on the housing is "
                     "sealed and the housing cover is grey.", "antecedent-basis")
    assert found == {"the housing cover": "error"}


def test_a_plural_noun_after_an_ordinal_list_is_introduced() -> None:
    found = findings("1. A method comprising: forming first and second contacts on a wafer; "
                     "and joining a first via to the first contact and a second via to the "
                     "second contact.", "antecedent-basis")
    assert found == {}


def test_an_image_label_after_the_final_period_is_a_lost_image() -> None:
    assert set(findings("1. A resin comprising a unit of formula 2: (C6H5)SiO3/2. [Formula 2]",
                        "claim-period").values()) == {"warning"}
    assert set(findings("1. A resin comprising a unit and a base [Formula 2] with a label",
                        "claim-period").values()) == {"error"}
