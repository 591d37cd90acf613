"""The faults a later reading of the tune drafts showed in claim 1's list, each fixed as a general
rule and shown here on a made-up disclosure with the same pattern: conditions listed as bare
items, a placing participle without its "on", a disclosure that only states its objects, the
same element named with and without "entire", an element introduced twice with a relation
each time, and a participial clause cut before its second participle; and one the made-up
steering wheel showed on the way, a stated list split at the "and" of a joining verb."""

from __future__ import annotations

import pytest

from torchworks.errors import DataError
from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.twice import once_introduced

_CUT_OUT = ("A cut-out circuit includes a relay connectable to a voltage source and through a "
            "first pressure switch to a compressor clutch, the relay being operable in a closed "
            "state to output a voltage to the clutch. The first pressure switch is operable to "
            "open responsive to a low pressure condition, to interrupt voltage flow to the "
            "clutch. The circuit also includes a second pressure switch connected to the relay, "
            "the second pressure switch being operable to close responsive to a high pressure "
            "condition.")


def test_a_condition_is_no_bare_item_but_stays_in_what_happens_under_it() -> None:
    claims = draft_claims(_CUT_OUT).claims
    assert "; a low pressure condition" not in claims[0]
    assert "and a high pressure condition." not in claims[0]
    assert "a second pressure switch connected to the relay" in claims[0]
    assert any("open responsive to a low pressure condition" in c for c in claims[1:])


def test_a_placing_participle_gets_the_on_the_disclosure_left_out() -> None:
    claim = draft_claims("A steering wheel comprises a ring, a boss disposed on a center of the "
                         "ring and a spoke. A switch operating portion is disposed at least one "
                         "of the boss and the spoke.").claims[0]
    assert "disposed on at least one of the boss and the spoke" in claim
    assert "disposed at least" not in claim


def test_a_disclosure_of_objects_only_is_refused_with_what_to_write() -> None:
    with pytest.raises(DataError, match="what the invention is for") as refused:
        draft_claims("It is an object of the present invention to provide a bicycle lock which "
                     "can be opened by a fingerprint. It is another object of the invention to "
                     "provide a lock that is safe to carry.")
    assert "describe its parts" in refused.value.fix
    claim = draft_claims("It is an object of the invention to provide a secure lock. The lock "
                         "has a shackle, a body with a notch and a pin held by the body.").claims[0]
    assert "a shackle" in claim and "a pin held by the body" in claim  # objects and parts: drafted


def test_the_entire_outer_perimeter_is_the_outer_perimeter_named_once() -> None:
    text = ("A baking tray includes a base and a rim raised along an outer perimeter of the "
            "base. A gasket covers the entire outer perimeter of the base. The rim holds a lid.")
    assert "entire outer perimeter" not in analyse(text).elements
    claim = draft_claims(text).claims[0]
    assert claim.count("outer perimeter") == 2
    assert "an outer perimeter" in claim and "covers the entire outer perimeter" in claim


def test_a_second_introduction_with_its_own_relation_becomes_a_wherein_clause() -> None:
    assert once_introduced("A lock comprising: a spring that biases a pin; a body; a spring "
                           "connected to the body; and a shackle.") == (
        "A lock comprising: a spring that biases a pin; a body; and a shackle, wherein the "
        "spring is connected to the body.")
    assert once_introduced("A lock comprising: a spring that biases a pin; a spring that "
                           "presses a body; and a shackle, wherein the shackle is steel.") == (
        "A lock comprising: a spring that biases a pin; and a shackle, wherein the shackle is "
        "steel, and the spring presses a body.")
    # a relation that states nothing as a clause: the later one refers back instead
    assert once_introduced("A lock comprising: a spring that biases a pin; a spring for a "
                           "body; and a shackle.") == (
        "A lock comprising: a spring that biases a pin; the spring for a body; and a shackle.")


def test_a_second_participle_of_the_element_stays_with_its_relation() -> None:
    claim = draft_claims("A pump includes a housing and a shaft. The pump has a collar fitted "
                         "around the shaft and pressed against the housing, and a seal held by "
                         "the collar.").claims[0]
    assert "a collar fitted around the shaft and pressed against the housing;" in claim
    # the sentence's own verb after the second participle ends the element's clause before it
    claim = draft_claims("A pump includes a housing and a shaft. A collar is fitted around the "
                         "shaft. A seal extending around the shaft and pressed against the "
                         "housing keeps oil in the housing.").claims[0]
    assert "and pressed against the housing keeps" not in claim


def test_a_joining_verb_keeps_its_second_object_in_a_stated_list() -> None:
    claim = draft_claims("A steering wheel comprises a ring, a boss disposed on a center of the "
                         "ring and a spoke connecting the ring and the boss.").claims[0]
    assert "a spoke connecting the ring and the boss" in claim
    assert "; the boss" not in claim and "; and the boss" not in claim
