"""The faults a reading of the tune drafts showed, each fixed as a general rule and shown here
on a made-up disclosure with the same pattern: a statement whose item is a sentence ("... has
the following structure"), a preamble carrying a relative clause ("a circuit, which provides
advantages ..., including"), an optional appositive in an item ("a device, preferably a
relay, ..."), and a joining verb cut before its second object ("interconnecting the table")."""

from __future__ import annotations

import pytest

from torchworks.errors import DataError
from torchworks.recipes.patents.draft.articles import rewrite
from torchworks.recipes.patents.draft.chunk import phrases
from torchworks.recipes.patents.draft.clause import before_purpose, clause_end
from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.statement import statements_in
from torchworks.recipes.patents.draft.wording import connect


def test_an_item_with_its_own_has_is_a_sentence_not_a_statement() -> None:
    sentence = "A first lamp having a stand of the present invention has the following structure."
    assert statements_in(sentence, 0) == []
    disclosure = (f"{sentence} That is, the lamp comprises a base, an arm hinged to the base "
                  "and a shade held by the arm. The arm carries a bulb.")
    claim = draft_claims(disclosure).claims[0]
    assert "following structure" not in claim
    assert "comprising: the" not in claim


def test_has_after_a_comma_is_the_sentence_verb_and_leaves_the_statement() -> None:
    found = statements_in("A chip having a dummy layer in an upper part of a substrate, has its "
                          "noise immunity improved.", 0)
    assert [s.preamble for s in found] == ["a chip"]


def test_a_relative_clause_in_the_preamble_owns_what_it_lists() -> None:
    sentence = ("What is disclosed is a cut-out circuit for a heater, which provides advantages "
                "of the known systems, including protecting the heater components, and avoiding "
                "the necessity for manually resetting the system.")
    assert statements_in(sentence, 0) == []
    stated = statements_in("The circuit includes a relay connected to a voltage source and a "
                           "switch connected to the relay.", 1)
    assert [s.preamble for s in stated] == ["The circuit"]


def test_a_preferred_alternative_is_the_item_not_optional_words() -> None:
    found = statements_in("The circuit includes a device, preferably a relay, connectable to a "
                          "voltage source, and a switch connected to the relay.", 0)
    assert found and found[0].items[0] == "a relay connectable to a voltage source"
    disclosure = ("An heater cut-out circuit includes a device, preferably a relay, connectable "
                  "to a voltage source, and a switch connected to the relay. The switch is "
                  "operable to open at a low pressure.")
    claim = draft_claims(disclosure).claims[0]
    assert "preferably" not in claim and "a relay connectable" in claim


def test_a_joining_verb_keeps_both_its_objects() -> None:
    sentence = ("The saw includes a guide rail interconnecting the table and the carriage for "
                "guiding sliding movement of the carriage over the table between a rear "
                "position and a front position, and a lock.")
    start = sentence.index("interconnecting")
    following = [p for p in phrases(sentence) if p.start > start]
    end = clause_end(sentence, start, following)
    assert sentence[start:end].startswith("interconnecting the table and the carriage for")
    assert sentence[start:before_purpose(sentence, start, end)] == (
        "interconnecting the table and the carriage")
    analysis = analyse("A saw comprises a table and a carriage. " + sentence)
    assert any(r.element == "guide rail" and r.objects == ("table", "carriage")
               for r in analysis.relations)


def test_a_long_clause_without_a_joining_verb_is_not_cut_at_its_purpose() -> None:
    sentence = ("A pulse based on friction of a piston or the viscosity of oil for lubricating "
                "the engine may act on a shaft.")
    start = sentence.index("based")
    assert before_purpose(sentence, start, len(sentence)) == len(sentence)


def test_a_method_that_names_no_parts_nor_steps_is_refused_with_steps_to_write() -> None:
    with pytest.raises(DataError, match="no parts and no steps") as refused:
        draft_claims("Systems and techniques for imaging samples including grains with small "
                     "values of moisture.", title="Thermal imaging with short exposure times")
    assert "is detected" in refused.value.fix
    with pytest.raises(DataError, match="names no parts of the"):  # a device: its parts
        draft_claims("Dryers for heating samples including grains with small values of "
                     "moisture.", title="Grain dryer")


def test_a_wherein_clause_keeps_its_and_the_not_an_item_opening_with_the() -> None:
    found = statements_in("There is provided an actuator comprising: a fixed core; a movable "
                          "core arranged opposite to the fixed core; and a coil wound around a "
                          "bobbin, wherein the movable member and the movable core are coupled "
                          "by a screw.", 0)
    assert found and found[0].items[-1].endswith(
        "wherein the movable member and the movable core are coupled by a screw")
    assert not any(item.startswith("the ") for item in found[0].items)


def test_a_bounded_count_referred_to_again_is_the_not_at_least_the() -> None:
    analysis = analyse("A nozzle has at least two melt channels. A manifold is coupled to the "
                       "nozzle having at least two melt channels ending at a gate.")
    chain = {"melt channels"}
    assert rewrite("the nozzle having at least two melt channels ending at a gate", chain,
                   analysis) == "the nozzle having the melt channels ending at a gate"
    assert rewrite("a tip with at least two melt channels", set(), analysis) == (
        "a tip with at least two melt channels")  # introduced here: the bound stays


def test_a_clause_opening_with_a_place_preposition_takes_no_that() -> None:
    assert connect("near the hinge") == "near the hinge"  # "near" is also a verb
    assert connect("retracts a pin") == "that retracts a pin"
    claim = draft_claims("A cabinet comprises a door, a hinge and a holder. The door opens "
                         "around the hinge. The door is held against the holder near the "
                         "hinge.").claims[0]
    assert "a holder near the hinge" in claim and "that near" not in claim


def test_a_feature_of_the_invention_is_the_document_s_not_an_element() -> None:
    analysis = analyse("According to a first feature of the present invention, there is "
                       "provided a pump comprising a housing, a rotor in the housing and a "
                       "seal. With the first feature, the rotor is easily replaced. A locking "
                       "feature holds the seal.")
    assert "first feature" not in analysis.elements
    assert "locking feature" in analysis.elements  # a feature named alone may be a part
    assert "first feature" not in draft_claims(
        "According to a first feature of the present invention, a pump has a housing, a rotor "
        "in the housing and a seal. With the first feature, the rotor turns in the housing "
        "and the seal closes the housing.").claims[0]
