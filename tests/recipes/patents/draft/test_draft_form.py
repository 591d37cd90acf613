"""Claim 1's form, each fault a reading of draft_unseen2 showed fixed as a general rule and shown
here on a made-up disclosure with the same pattern (never the unseen text): an element
introduced twice in one claim (a bare item, then again with its relation), an adverb put
before "that" ("rotatably that couples"), "one of" a single thing (the relation cut before
its "and the second member"), a transition after what is left of a clause ("..., while
comprising:"), a "the" in the preamble with nothing to refer to, and a step made of a
relative clause ("connecting a resistor which to ...")."""

from __future__ import annotations

from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.garbled import garbled, open_one_of, repaired
from torchworks.recipes.patents.draft.mend import completed_one_of
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.statement import passive_steps
from torchworks.recipes.patents.draft.strict import broken_transition, check_draft
from torchworks.recipes.patents.draft.twice import introduced_twice, once_introduced
from torchworks.recipes.patents.draft.wording import preamble_of

ARM = ("In some embodiments, a robotic arm is provided that comprises a first link, a second "
       "link, a pivot joint assembly, and a tool holder. The pivot joint assembly rotatably "
       "couples the first link to the second link. The tool holder is disposed on an outer "
       "surface of the second link. In some embodiments, a robotic arm comprises a first link, "
       "a second link, a pivot joint assembly, and a camera mount.")
HEATER = ("An object of the invention is to provide a water heater capable of operating with "
          "multiple heating modes, while having a larger tank of water to keep a supply warm. "
          "The water heater has a burner and a flue. The burner heats the tank.")


def _errors(claims: list[str], disclosure: str) -> set[str]:
    analysis = analyse(disclosure)
    report = check_draft(claims, analysis.vocabulary, analysis.modifiers)
    return {f.rule for f in report.findings if f.severity == "error"}


def test_an_element_introduced_twice_is_an_error_whatever_follows_it() -> None:
    twice = ("A robotic arm comprising: a first link; a pivot joint assembly; a camera mount; "
             "and a pivot joint assembly that couples the first link to a second link.")
    assert "draft-element-twice" in _errors([twice], ARM)
    first, second = introduced_twice(twice)
    assert first.words == second.words == ("pivot", "joint", "assembly")
    assert first.start < second.start
    # a generic noun introduced for two owners, and the thing compared against, are not twice
    assert introduced_twice("A lock comprising: a portion of a pin; and a portion of a shackle.") \
        is None
    assert introduced_twice("A reader comprising: a part, wherein a density value of a read "
                            "image is higher than a density value of a read image.") is None


def test_the_bare_introduction_goes_and_the_one_with_its_relation_stays() -> None:
    assert once_introduced(
        "A robotic arm comprising: a first link; a pivot joint assembly; a camera mount; and a "
        "pivot joint assembly that couples the first link to a second link.") == (
        "A robotic arm comprising: a first link; a camera mount; and a pivot joint assembly "
        "that couples the first link to a second link.")
    assert once_introduced("A lamp comprising: a lamp; a base; and an arm hinged to the base.") \
        == "A lamp comprising: a base; and an arm hinged to the base."
    # the only item: nothing is left to claim once it goes, so the strict check keeps faulting
    assert once_introduced("A lamp comprising: a lamp.") == "A lamp comprising: a lamp."
    # referred to between the two: the first introduction is the antecedent and stays
    assert once_introduced(
        "A cart comprising: a frame; a wheel fixed to the frame; and a frame that carries a "
        "basket.") == ("A cart comprising: a frame; a wheel fixed to the frame; and the frame "
                       "that carries a basket.")


def test_an_adverb_before_that_is_garbled_and_mended_into_the_clause() -> None:
    broken = ("A robotic arm comprising: a first link; and a pivot joint assembly rotatably that "
              "couples the first link to a second link.")
    assert garbled(broken) == "rotatably that couples"
    assert "draft-broken-phrase" in _errors([broken], ARM)
    assert "that rotatably couples" in repaired(broken)
    assert "that is rotatably coupled" in repaired(
        "A hinge comprising: a leaf; and a pin rotatably that is coupled to the leaf.")
    assert not garbled("A device comprising: a supply that feeds a pump; and an assembly that "
                       "holds the pump.")  # nouns in -ly


def test_a_connective_before_the_transition_is_no_transition() -> None:
    broken = ("A water heater capable of operating with multiple heating modes, while "
              "comprising: a burner; and a flue.")
    assert broken_transition(broken) == "while"
    assert "draft-broken-transition" in _errors([broken], HEATER)
    assert broken_transition("A recording plate more comprising: a layer; and a base.") == "more"
    assert repaired(broken).startswith(
        "A water heater capable of operating with multiple heating modes, comprising: a burner")
    assert not broken_transition("A water heater comprising: a burner; and a flue.")
    assert not broken_transition("The water heater of claim 1, wherein the flue is steel.")


def test_drafted_claim_1_introduces_each_element_once_in_claim_language() -> None:
    arm = draft_claims(ARM, title="Robotic arm with camera")
    first = arm.claims[0]
    assert first.count("a pivot joint assembly") == 1
    assert "that rotatably couples the first link to the second link" in first
    assert introduced_twice(first) is None and not garbled(first)
    heater = draft_claims(HEATER, title="Water heater")
    assert heater.claims[0].startswith(
        "A water heater capable of operating with multiple heating modes, comprising: ")
    for result in (arm, heater):
        assert result.report.errors == 0, result.findings


def test_one_of_a_single_thing_is_completed_from_the_disclosure() -> None:
    cut = ("A robotic arm comprising: a first link; a second link; and a tool holder disposed on "
           "an outer surface of one of the first link.")
    assert open_one_of(cut) == "one of the first link"
    holder = ARM.replace("on an outer surface of the second link",
                         "on an outer surface of one of the first link and a pivot arm")
    assert "draft-broken-phrase" in _errors([cut], holder)
    assert completed_one_of(cut, analyse(holder)).endswith(
        "one of the first link and a pivot arm.")  # "a": the claim has no pivot arm yet
    assert completed_one_of(cut, analyse(holder.replace("a pivot arm", "the second link"))) \
        .endswith("one of the first link and the second link.")
    # no sentence lists the others, but one says "one of the <plural>": the plural is meant
    plural = analyse("A tray has a base and cups. A pump fills at least one of the cups.")
    assert completed_one_of("A tray comprising: a base; and a pump filling one of the cup.",
                            plural).endswith("one of the cups.")
    assert not open_one_of("A mixer that feeds each one of the plurality of terminals.")
    assert not open_one_of("A mixer that feeds one of the terminals and the hub.")


def test_a_the_inside_the_subject_is_introduced_by_the_preamble() -> None:
    assert preamble_of("method of enhancing the tonal characteristics of digital images") == (
        "a method of enhancing tonal characteristics of digital images")
    assert preamble_of("device for cleaning the filter of a pump") == (
        "a device for cleaning a filter of a pump")
    assert preamble_of("system for routing contact records") == (
        "a system for routing contact records")
    disclosure = "A pump has a filter and a brush. The brush cleans the filter."
    assert "antecedent-basis" in _errors(
        ["A device for cleaning the filter comprising: a brush; and a filter."], disclosure)
    assert "antecedent-basis" not in _errors(
        [f"{preamble_of('device for cleaning the filter').capitalize()} comprising: a brush."],
        disclosure)


def test_a_relative_clause_in_the_passive_is_a_step_on_its_element() -> None:
    assert passive_steps("The divider includes a first resistor, and a second resistor which "
                         "is connected to the first resistor in series.") == [
        "connecting a second resistor to the first resistor in series"]
    assert garbled("A method comprising: dividing a voltage; and connecting a second resistor "
                   "which to a first resistor.") == "which to"
    assert not garbled("A frame comprising: a sleeve which at least partially surrounds a rod; "
                       "and a hole through which the rod passes.")
