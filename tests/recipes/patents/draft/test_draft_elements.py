"""Elements as an attorney names them, shown on made-up disclosures: "a pair of X" is one
element (not a bare "pair" a claim cannot refer back to), elements that carry nothing ("a
provision of", "a plurality of types", a bare "a state") are not claimed, and a subjunctive
"that the rails be mounted" is claimed as a participle, not "rails that be mounted"."""

from __future__ import annotations

from torchworks.recipes.patents.draft.chunk import article, phrases
from torchworks.recipes.patents.draft.disclosure import analyse, element_name
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.wording import connect, is_part, vague


def _names(text: str) -> list[str]:
    return [element_name(p) for p in phrases(text)]


def test_a_pair_of_x_is_one_element_named_with_what_it_pairs() -> None:
    assert _names("A cart has a pair of guide rails and a motor.") == [
        "cart", "pair of guide rails", "motor"]
    assert _names("one of a pair of pressure vessels is heated") == ["pair of pressure vessels"]
    assert article("pair of guide rails") == "a pair of guide rails"  # not "a plurality of"
    # nothing nameable after "of": the pair alone, as before
    assert _names("the pair of first and second terminals") == ["pair"]


def test_a_pair_is_claimed_and_referred_back_to_whole() -> None:
    disclosure = ("A sliding door has a pair of guide rails mounted on a frame. A carriage "
                  "runs along the guide rails. A motor drives the carriage.")
    result = draft_claims(disclosure, title="Sliding door")
    claim = result.claims[0]
    assert "a pair of guide rails" in claim and "a pair;" not in claim and "pair," not in claim
    assert "a plurality of guide rails" not in " ".join(result.claims)
    assert result.report.errors == 0
    assert "pair of guide rails" in analyse(disclosure, "Sliding door").elements


def test_elements_that_carry_nothing_are_not_claimed() -> None:
    for name in ("types", "provision", "teachings", "reduction", "operation", "low price"):
        assert vague(name) and not is_part(name)
    for name in ("reduction gear", "cooling operation", "guide rail"):
        assert not vague(name) and is_part(name)
    disclosure = ("A grinder has a hopper and a burr set driven by a motor. A provision of "
                  "the grinder having the hopper allows a reduction. The burr set grinds "
                  "beans of a plurality of types. The hopper feeds the burr set.")
    claims = draft_claims(disclosure, title="Coffee grinder").claims
    text = " ".join(claims)
    assert "a provision" not in text and "types" not in text and "a reduction" not in text
    assert "a hopper" in claims[0] and "a burr set" in claims[0]


def test_a_subjunctive_be_is_claimed_as_a_participle() -> None:
    assert connect("be mounted on the frame") == "mounted on the frame"


def test_a_relation_waits_when_a_later_item_introduces_its_object() -> None:
    """"a hopper that feeds a burr set; and the burr set driven by a motor" would list a
    reference as an element: the later item introduces the burr set, the relation follows."""
    disclosure = ("A grinder has a hopper and a burr set driven by a motor. A motor housing "
                  "holds the motor. The hopper feeds the burr set.")
    claims = draft_claims(disclosure, title="Coffee grinder").claims
    assert "the burr set driven" not in claims[0] and "a burr set driven by a motor" in claims[0]
    assert "the hopper feeds the burr set" in " ".join(claims)


def test_a_short_reference_means_the_element_named_last() -> None:
    """Two modules named, then "the module": the one the disclosure named last, not the first
    element ending in "module"; "the voltage of the output" names itself and stays."""
    disclosure = ("A translator has a translation module and a parsing module. The parsing "
                  "module parses a text. The module outputs a tree to a memory. The "
                  "translation module translates the tree.")
    text = " ".join(draft_claims(disclosure, title="Translator").claims)
    assert "the parsing module outputs a tree" in text
    assert "the translation module outputs" not in text
    analysis = analyse("A converter has an output voltage and a pre-set voltage. A diode "
                       "lowers the voltage of the output.")
    assert "the voltage of the output" in analysis.sentences[1]
