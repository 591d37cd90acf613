"""The strict check's two new errors on drafts (an element cut before its noun, a claim 1 with
no transitional phrase) and the mending that fixes such a claim before it is rebuilt."""

from __future__ import annotations

from torchworks.recipes.patents.draft.chunk import phrases
from torchworks.recipes.patents.draft.disclosure import analyse, element_name
from torchworks.recipes.patents.draft.mend import complete_cut, mended_claim, with_transition
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.strict import check_draft, cut_element, no_transition


def _rules(claims: list[str], disclosure: str) -> set[str]:
    report = check_draft(claims, analyse(disclosure).vocabulary)
    return {f.rule for f in report.findings if f.severity == "error"}


def test_an_element_cut_after_its_adjective_is_a_broken_phrase() -> None:
    disclosure = ("A combustor has a swirler located between a forward surface of a dome and an "
                  "inner liner. The swirler is movable in a radial direction at a high speed.")
    for claim in ("A combustor comprising: a swirler located between a forward surface of a dome "
                  "and an inner; and a dome.",
                  "A combustor comprising: a dome; and a swirler movable in a radial.",
                  "A combustor comprising: a dome; and a high-speed."):
        assert cut_element(claim), claim
        assert "draft-broken-phrase" in _rules([claim], disclosure)


def test_adjectives_sharing_a_noun_or_standing_for_one_are_not_cut() -> None:
    assert cut_element("A device comprising: a housing; and a first and a second arm.") is None
    assert cut_element("A device comprising: a housing; and a lid of the same.") is None
    assert cut_element("A device comprising: a low-voltage supply; and a liner.") is None
    assert cut_element("A device comprising: a housing, wherein the wall is flexible.") is None


def test_a_claim_1_that_is_prose_after_its_subject_has_no_transition() -> None:
    prose = ("A histone deacetylase nucleic acid sequences also called HDAC herein, as well as "
             "methods and reagents for detecting them.")
    assert no_transition(prose)
    assert "draft-no-transition" in _rules([prose], prose)
    for claim in ("A lock comprising: a shackle; and a pin.",
                  "A compound of formula (I), wherein R is a hydrogen atom.",
                  "A process for making a strip, in which a melt is cast onto a roll."):
        assert not no_transition(claim), claim
    dependent = ["A lock comprising: a shackle; and a pin.", "The lock of claim 1, the pin."]
    assert "draft-no-transition" not in _rules(dependent, "A lock has a shackle and a pin.")


def test_a_cut_element_is_completed_from_the_disclosure_sentence() -> None:
    sentences = ["A swirler is located between a forward surface of a dome and an inner liner."]
    cut = "A combustor comprising: a swirler located between a dome and an inner; and a dome."
    assert complete_cut(cut, sentences) == ("A combustor comprising: a swirler located between "
                                            "a dome and an inner liner; and a dome.")


def test_a_cut_element_no_sentence_completes_loses_its_item_when_two_stay() -> None:
    cut = "A device comprising: a housing; a motor; and a radial."
    assert complete_cut(cut, ["The housing holds a motor."]) == (
        "A device comprising: a housing; and a motor.")
    alone = "A device comprising: a housing; and a radial."
    assert complete_cut(alone, ["The housing is round."]) == alone  # one item: rebuilt instead


def test_the_transition_is_inserted_where_the_rest_names_parts_or_says_what_it_does() -> None:
    assert with_transition("An IQ modulator for modulating a signal using derivative filters "
                           "and programmable accumulators.") == (
        "An IQ modulator for modulating a signal, comprising: derivative filters and "
        "programmable accumulators.")
    assert with_transition("A lamp with a base and a bulb.") == (
        "A lamp comprising: a base and a bulb.")
    assert with_transition("A cooking device that folds up for compact storage.") == (
        "A cooking device, wherein the cooking device folds up for compact storage.")
    assert with_transition("An optical fiber produced so as to have a ring-shape profile.") == (
        "An optical fiber, wherein the optical fiber is produced so as to have a ring-shape "
        "profile.")
    listed = "A lock comprising: a shackle; and a pin."
    assert with_transition(listed) == listed


def test_the_documents_words_in_an_item_are_mended_away() -> None:
    disclosure = analyse("A disk drive has a slider that creates an air-bearing surface. A "
                         "slider is described. The disk drive has a channel.")
    claim = ("A disk drive comprising: a slider that creates an air-bearing surface is "
             "described; and a channel.")
    assert "draft-not-claim-language" in _rules([claim], " ".join(disclosure.sentences))
    assert mended_claim(claim, disclosure) == (
        "A disk drive comprising: a slider that creates an air-bearing surface; and a channel.")


def test_a_drafted_claim_1_never_keeps_prose_without_a_transition() -> None:
    result = draft_claims("A cooking device that is convertible between a rotisserie and a "
                          "grill folds up for compact storage. The cooking device has a heating "
                          "element and a door.", title="Convertible cooking device")
    assert not no_transition(result.claims[0])
    assert result.report.errors == 0


def test_the_document_naming_itself_is_no_element() -> None:
    found = phrases("The present invention concerns amide derivatives of hyaluronic acid.")
    names = [element_name(p) for p in found]
    assert "invention concerns amide derivatives" not in names
    assert all("invention" not in n for n in names)


def test_a_list_keeps_no_items_that_are_no_parts() -> None:
    """US06837520B2's abstract (tune part): "a body part" and "a motor vehicle" are context of
    the assembly, not its parts; the list leaves them out (it was once left with them and a
    statement of the invention replaced it)."""
    result = draft_claims(
        "The invention relates to an assembly for fastening a belt retractor to the body part of "
        "a motor vehicle. Said assembly comprises a mounting plate, which is involved in the "
        "fastening of the belt retractor, and which is provided as a separate reinforcement "
        "plate (13) with a continuous opening (14) for a fastening means. The reinforcement "
        "plate (13) comprises a slot-like opening (25) for placing it on the fastening bracket "
        "(12) of the belt retractor (10) such that the fastening bracket (12), when mounting the "
        "belt retractor (10) on the body part (26), rests between the reinforcement plate (13) "
        "and the body part (26), and the continuous openings (14) of the fastening bracket (12) "
        "and reinforcement plate (13) are aligned with one another.",
        title="Fastening assembly for a safety belt reactor comprising a reinforcement plate")
    claim = result.claims[0]
    assert "comprising: a mounting plate" in claim and "a slot-like opening" in claim
    assert "; a body part" not in claim and "; a motor vehicle" not in claim
    assert result.report.errors == 0
