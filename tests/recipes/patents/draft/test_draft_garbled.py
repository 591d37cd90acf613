"""The strict draft check catches text that is claim language word by word but garbled as a
sentence (one test per pattern found in tune drafts and the issue's examples), the mendable
ones are repaired before the check, and clean claim text is left alone."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.draft.chunk import phrases
from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.garbled import garbled, repaired
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.strict import check_draft


def _errors(claim: str) -> list[str]:
    vocabulary = frozenset(w.strip(".,;:()").lower() for w in claim.split())
    return [f.rule for f in check_draft([claim], vocabulary).findings if f.severity == "error"]


@pytest.mark.parametrize("claim", [
    # an item that is a sentence of its own
    "An engine comprising: a cavity; a housing defining an auxiliary combustion chamber is "
    "coupled to a multi-cylinder engine; and a valve.",
    "A cooling system comprising: a heat exchanger; a heat received at the heat exchanger is "
    "transferred to a condenser; and a fan.",
    # "between" left without its "and": the other end split into the next item
    "A device comprising: a wall having an aperture; a door movable between a closed position "
    "covering the aperture; and an open position uncovering the aperture.",
    # a statement continued by a purpose
    "The engine of claim 1, wherein the first combustion chamber is of minimum volume, and for "
    "moving the valve to a retracted position.",
    # an element introduced again where a clause refers to it
    "An engine comprising: a passage; and a valve moveable between an extended position where a "
    "valve provides a high impedance to flow and a retracted position.",
    # a "wherein" that says nothing of what it names
    "An actuator comprising: a fixed core; and a coil wound around a bobbin, wherein the movable "
    "member; and a movable core coupled to the fixed core.",
    # a verb without its subject, a modal without its verb
    "An engine comprising: a sensor; and a vacuum that is not detected, can be obtained from "
    "the sensor.",
    "The engine of claim 1, wherein the vacuum is not detected, is obtained by predetermining "
    "a ratio.",
    "A position locating system, which may comprising: a plurality of reference nodes; and a "
    "sensor node.",
    "A locating system comprising: a control section that generating a signal; and a node.",
    # a "wherein" that names a thing and has no verb for it; an item that is only an -ing form
    "The wing of claim 1, wherein the cells near wing tips, compared with those central to the "
    "wing.",
    "A cork extractor comprising: a driving collar; a lifting; and a cork build-up.",
    # words an attorney does not put in a claim
    "A device comprising: a conveyor receiving cobs, as discussed above; and a container.",
    "A device comprising: a container that is preferably a wall structure; and a lid.",
])
def test_garbled_claim_text_is_an_error_of_the_strict_check(claim: str) -> None:
    assert _errors(claim), claim


@pytest.mark.parametrize("claim", [
    "A device comprising: a spacer between the plates; and a door movable between a closed "
    "position and an open position.",
    "A device comprising: a controller, wherein the controller is configured for receiving a "
    "signal, and for sending a command.",
    "A device comprising: a first layer and a layer of a thermal oxide, wherein the layer of "
    "the thermal oxide is formed on the first layer.",
    "A method comprising: heating a workpiece, wherein the workpiece is pressed by a vessel.",
    "A device comprising: a drive unit, wherein the drive unit which operates in a direction is "
    "connected to a lifting device.",
    "A process comprising a) heating a diamine and b) passing the diamine over a baffle.",
])
def test_clean_claim_text_is_not_garbled(claim: str) -> None:
    assert garbled(claim) == ""
    assert _errors(claim) == []


@pytest.mark.parametrize(("claim", "mended"), [
    ("An engine comprising: a passage; and a valve moveable between an extended position where "
     "a valve provides a high impedance and a retracted position.",
     "An engine comprising: a passage; and a valve moveable between an extended position where "
     "the valve provides a high impedance and a retracted position."),
    ("A device comprising: a wall; a door movable between a closed position covering the wall; "
     "and an open position uncovering the wall.",
     "A device comprising: a wall; and a door movable between a closed position covering the "
     "wall and an open position uncovering the wall."),
    ("An engine comprising: a passage; a valve moveable between an extended position where "
     "the valve impedes flow between the passage and a chamber; and a retracted position where "
     "the valve opens the passage.",
     "An engine comprising: a passage; and a valve moveable between an extended position where "
     "the valve impedes flow between the passage and a chamber and a retracted position where "
     "the valve opens the passage."),
    ("A structure comprising: a channel is configured to distribute elements into chambers; and "
     "a gel.", "A structure comprising: a channel configured to distribute elements into "
     "chambers; and a gel."),
    ("A probe cover dispenser, which comprising: a storage member; and a slide.",
     "A probe cover dispenser comprising: a storage member; and a slide."),
    ("An element comprising: a film in which bodies are oriented (preferably parallel to each "
     "other); and a device.", "An element comprising: a film in which bodies are oriented; and "
     "a device."),
])
def test_mendable_faults_are_repaired_without_losing_a_part(claim: str, mended: str) -> None:
    assert repaired(claim) == mended
    assert _errors(mended) == []


def test_is_disclosed_makes_no_method_step() -> None:
    result = draft_claims("A method for fabricating a transistor is disclosed. First, a spacer "
                          "is formed around a gate structure. Next, an ion implantation is "
                          "performed to form a source region.", title="Transistor fabrication")
    assert not any("disclosing" in c for c in result.claims)


def test_a_draft_from_a_disclosure_with_a_sentence_among_its_parts_shows_no_error() -> None:
    text = ("A cooling system includes a heat exchanger for receiving heat, a heat received at "
            "the heat exchanger is transferred to a condenser, and a fan for cooling the "
            "condenser. The fan is driven by a motor.")
    result = draft_claims(text, title="Cooling system")
    assert result.report.errors == 0
    assert not any(garbled(c) for c in result.claims)
    assert "fan" in result.claims[0]  # the other parts stay
    assert analyse(text).subject == "cooling system"


def test_a_verb_after_a_noun_with_its_object_ends_the_phrase() -> None:
    """"The reservoir feeds water to ...": "feeds" is the reservoir's verb, not a plural noun
    ("a plurality of reservoir feeds that water ..." in a claim); plural nouns stay whole."""
    for sentence, names in (
            ("The reservoir feeds water to the squeegee blade.", ["reservoir", "squeegee blade"]),
            ("The server stores records for the client.", ["server", "client"]),
            ("Two photovoltaic panels fold onto each other.", ["photovoltaic panels", "other"]),
            ("Two connector parts that engage the first housing.", ["connector parts",
                                                                    "first housing"]),
            ("Two casting rolls are used in a casting process.", ["casting rolls",
                                                                   "casting process"])):
        assert [p.name for p in phrases(sentence)][-len(names):] == names, sentence
    result = draft_claims("A window cleaner has a squeegee blade and a reservoir. The reservoir "
                          "feeds water to the squeegee blade.", title="Window cleaner")
    assert "reservoir feeds" not in result.claims[0] and result.report.errors == 0
