"""What claim 1 lists, shown on made-up disclosures: a measured property ("a peak flow rate",
"a seal depth") is no element of an apparatus, and an adverb grading an adjective ("a pair of
magnetically attractive members") stays inside the element it describes."""

from __future__ import annotations

from torchworks.recipes.patents.draft.chunk import phrases
from torchworks.recipes.patents.draft.disclosure import analyse, element_name, quantity
from torchworks.recipes.patents.draft.pipeline import draft_claims


def _names(text: str) -> list[str]:
    return [element_name(p) for p in phrases(text)]


_TOILET = ("A toilet has a bowl, a rim and a trapway connected to the bowl. A siphon jet "
           "directs water into the trapway. The bowl holds water at a seal depth. A flush "
           "valve releases water from a tank into the rim during a full flush cycle. The "
           "toilet has a peak flow rate of at least about 2500 ml/s. The seal depth and the "
           "peak flow rate keep the bowl clean.")


def test_measured_properties_are_not_listed_as_elements() -> None:
    for name in ("peak flow rate", "seal depth", "full flush cycle", "larger surface area",
                 "strip temperature"):
        assert quantity(name), name
    for name in ("flush valve", "trapway", "display area", "pressure sensor", "rate limiter"):
        assert not quantity(name), name
    analysis = analyse(_TOILET, "Siphonic toilet")
    assert "seal depth" in analysis.elements  # read, just not a part
    assert not any(quantity(n) for n in analysis.essential(9))
    result = draft_claims(_TOILET, title="Siphonic toilet")
    claim = result.claims[0]
    assert "a bowl" in claim and "a flush valve" in claim
    items = [i.strip(" .").removeprefix("and ") for i in claim.split(":", 1)[1].split(";")]
    assert not {"a seal depth", "a peak flow rate", "a full flush cycle"} & set(items), claim
    assert not any(c.endswith(("comprising a seal depth.", "comprising a peak flow rate."))
                   for c in result.claims)
    assert result.report.errors == 0


def test_a_property_with_its_value_is_claimed_as_a_feature_in_the_disclosures_words() -> None:
    claims = draft_claims(_TOILET, title="Siphonic toilet").claims
    assert any("peak flow rate of at least about 2500 ml/s" in c for c in claims[1:]), claims


def test_an_adverb_grading_an_adjective_stays_in_the_element() -> None:
    assert _names("The clip has a pair of magnetically attractive members and a strap.") == [
        "clip", "pair of magnetically attractive members", "strap"]
    assert _names("a substantially planar surface is formed") == ["substantially planar surface"]
    assert _names("a removably attached cover") == ["removably attached cover"]
    # an adverb before a verb or a preposition ends the phrase
    assert _names("the motor quickly retracts a pin") == ["motor", "pin"]
    assert _names("a pin slidably received in a slot") == ["pin", "slot"]
    assert _names("the layer is highly conductive") == ["layer"]
    # a cut long name drops what the cut adverb graded
    assert _names("a normally closed first pressure switch") == ["first pressure switch"]


def test_a_pair_of_graded_members_is_claimed_whole() -> None:
    disclosure = ("A napkin holder has a pair of magnetically attractive members secured to "
                  "the ends of a lanyard. The lanyard fits around the neck of a user. Each "
                  "member grips a napkin.")
    result = draft_claims(disclosure, title="Napkin holder")
    claim = result.claims[0]
    assert "a pair of magnetically attractive members" in claim, claim
    assert "a pair;" not in claim and "a pair of magnetically;" not in claim
    assert result.report.errors == 0
