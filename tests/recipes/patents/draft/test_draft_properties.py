"""What claim 1 lists, shown on made-up disclosures: a measured property ("a peak flow rate",
"a seal depth") is no element of an apparatus, and an adverb grading an adjective ("a pair of
magnetically attractive members") stays inside the element it describes."""

from __future__ import annotations

from torchworks.recipes.patents.draft.builder import build
from torchworks.recipes.patents.draft.chunk import phrases, quantity
from torchworks.recipes.patents.draft.disclosure import analyse, element_name
from torchworks.recipes.patents.draft.pipeline import draft_claims


def _names(text: str) -> list[str]:
    return [element_name(p) for p in phrases(text)]


_TOILET = ("A toilet has a bowl and a trapway. A flush valve releases water from a tank into "
           "the bowl during a full flush cycle. The bowl and the trapway give a peak flow rate, "
           "a seal depth and a larger surface area of water in the bowl. The peak flow rate is "
           "at least about 2500 ml/s. The seal depth is at least 2 inches.")


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
    """A value is claimed as the disclosure says it, in a dependent: on the tune part 103 of
    115 granted claims 1 state no value (12 do), so a value is not essential by default."""
    claims = draft_claims(_TOILET, title="Siphonic toilet").claims
    assert any("peak flow rate is at least about 2500 ml/s" in c for c in claims[1:]), claims
    assert any("seal depth is at least 2 inches" in c for c in claims[1:]), claims


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


_FILTER = ("An air filter includes a main body, a fan and a filter module. The main body has a "
           "containing room, an entrance hole and an exit hole. The filter module comprises a "
           "first filter layer, a second filter layer and a frame body. A motor drives the fan, "
           "the fan pushing air into the containing room.")


def test_a_relation_keeps_the_whole_list_of_what_a_part_has() -> None:
    """"The main body has a containing room, an entrance hole and an exit hole" names three
    parts of the body: cut at its first comma, the draft names one and loses the others."""
    relations = {r.element: r for r in analyse(_FILTER, "Air filter").relations}
    assert relations["main body"].clause == (
        "has a containing room, an entrance hole and an exit hole")
    assert relations["filter module"].objects == (
        "first filter layer", "second filter layer", "frame body")
    # a clause of its own after the comma ends the relation, as before
    assert relations["motor"].clause == "drives the fan"
    result = draft_claims(_FILTER, title="Air filter")
    claim = result.claims[0]
    for part in ("an entrance hole", "an exit hole", "a second filter layer", "a frame body"):
        assert part in claim, claim
    assert result.report.errors == 0


def test_a_statement_naming_only_a_property_is_not_claim_1s_list() -> None:
    """"... to provide a kettle having a good heating property" states what the kettle is
    good at, not its parts: claim 1 lists the parts the next sentence states."""
    disclosure = ("An advantage of the invention is to provide a kettle having a good heating "
                  "property. The kettle has a body, a heating plate under the body and a lid "
                  "hinged to the body. The heating plate heats water in the body.")
    claim = build(analyse(disclosure, "Kettle"))[0].text
    assert "property" not in claim.split(", wherein")[0], claim
    for part in ("a body", "a heating plate under the body", "a lid hinged to the body"):
        assert part in claim, claim


def test_a_bare_item_the_disclosure_does_not_ground_as_a_part_is_not_listed() -> None:
    """"a front side" with nothing it is the side of: listed bare, it claims nothing (and a
    list holding such items gives way to a thinner statement of the invention)."""
    disclosure = ("A lamp has a base, an arm hinged to the base and a shade held by the arm. A "
                  "bulb sits in the shade. A switch on the base turns the bulb on. The shade "
                  "faces a front side. The base stands on a front side of a desk. A cord feeds "
                  "the switch.")
    result = draft_claims(disclosure, title="Desk lamp")
    items = [i.split(", wherein")[0].strip(" .").removeprefix("and ")
             for i in result.claims[0].split(":", 1)[1].split(";")]
    assert "a front side" not in items, result.claims[0]
    assert "a bulb that sits in the shade" in items
    assert result.report.errors == 0
