"""Drafting from a disclosure that states its invention: the statement opens claim 1, a
method title gives a method claim of steps, a disclosure of a method and an apparatus gets
an independent claim for each, and background sentences name no elements."""

from __future__ import annotations

from torchworks.recipes.patents.claims.parse import parse_claims
from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.pipeline import draft_claims
from torchworks.recipes.patents.draft.statement import finite_body, passive_steps
from torchworks.recipes.patents.draft.strict import check_draft

MILKING = (
    "The present invention addresses the shortcomings of the prior art. According to one "
    "aspect there is provided a method of milking an animal comprising the steps of directing "
    "milk collected from the udder of the animal into a metering chamber which is repeatedly "
    "filled and emptied, checking the quality of the milk collected in the metering chamber, "
    "and counting the number of filling and emptying cycles of the metering chamber. Milk "
    "samples removed from the metering chamber can be analysed to determine the somatic cell "
    "count. According to another aspect the invention provides a milk metering apparatus "
    "comprising a metering chamber into which milk from an udder is delivered, a milk inlet "
    "and a milk outlet for repeated filling and emptying of the metering chamber, and a "
    "sampling duct communicating with the interior of the metering chamber.")
CORK = (
    "It is an object of the present invention to provide a cork extractor which is inexpensive "
    "to manufacture and has an attractive design. The cork extractor has a corkscrew, a driving "
    "collar on a first half-cylinder shell and an abutment collar on a second half-cylinder "
    "shell. The driving collar is lifted by an actuating lever to pull out the cork. The "
    "corkscrew may be made of metal.")
PRESSING = (
    "While a workpiece is heated and pressed by a first high-pressure vessel, a second "
    "workpiece is placed in a heated state in a second high-pressure vessel. The pressure "
    "medium gas released from the first high-pressure vessel is poured into the second "
    "high-pressure vessel. The gas is then sucked out of the first high-pressure vessel by a "
    "compressor.")
BANDING = (
    "A banding apparatus has a cutter, a pair of grippers and a conveyor. The method of banding "
    "uses these parts. A length of flat tube is advanced from a supply to the grippers. The "
    "grippers are extended to hold the flat tube. The cutter severs the flat tube from the "
    "supply, and the conveyor moves a container under the grippers.")


def test_a_method_title_gives_a_method_claim_of_gerund_steps() -> None:
    assert analyse("A milking procedure fills a metering chamber.", title="Milking").subject \
        == "method of milking"
    result = draft_claims(MILKING, title="Milking")
    first = result.claims[0]
    assert first.startswith("A method of milking an animal, comprising: directing milk "
                            "collected from an udder of the animal into a metering chamber")
    assert "; checking a quality of a milk collected in the metering chamber; and counting the "\
        "number of filling and emptying cycles of the metering chamber." in first
    assert all(c.startswith("The method of claim ") for c in result.claims[1:-1])
    assert result.report.errors == 0, result.findings


def test_a_method_and_an_apparatus_each_get_an_independent_claim_after_the_dependents() -> None:
    result = draft_claims(MILKING, title="Milking")
    claims = parse_claims(result.text).claims
    independent = [c.number for c in claims if not c.dependent]
    assert independent == [1, len(claims)] and len(claims) >= 3
    assert result.claims[-1].startswith("A milk metering apparatus comprising: a metering "
                                        "chamber into which milk from an udder is delivered;")
    assert "sampling duct communicating with an interior of the metering chamber" in \
        result.claims[-1]
    # an apparatus disclosure that describes its process gets a method claim last
    banding = draft_claims(BANDING, title="Banding apparatus and method")
    assert banding.claims[0].startswith("A banding apparatus comprising: a cutter")
    assert banding.claims[-1].startswith("A method of operating a banding apparatus, "
                                         "comprising: advancing a length of flat tube")
    assert "; severing the flat tube from the supply; and moving a container" in \
        banding.claims[-1]
    assert banding.report.errors == 0, banding.findings


def test_passive_sentences_become_steps_of_a_method_titled_claim() -> None:
    assert passive_steps("While a workpiece is heated and pressed by a vessel, a second "
                         "workpiece is placed in a heated state.") == [
        "heating and pressing a workpiece by a vessel",
        "placing a second workpiece in a heated state"]
    result = draft_claims(PRESSING, title="Hot isostatic pressing method")
    assert result.claims[0].startswith(
        "A hot isostatic pressing method, comprising: heating and pressing a workpiece by a "
        "first high-pressure vessel; placing a second workpiece in a heated state")
    # a dependent never restates a step ("wherein the workpiece is heated and pressed ...")
    assert not any("heated and pressed" in c for c in result.claims[1:])
    assert result.report.errors == 0, result.findings


def test_the_disclosures_statement_of_the_invention_opens_claim_1() -> None:
    text = ("A dual mode cooling system for an information handling system includes a heat "
            "exchanger for receiving heat generated by the information handling system and a "
            "condenser in communication with the heat exchanger.")
    result = draft_claims(text, title="Power management of a computer")
    assert result.claims[0].startswith(
        "A dual mode cooling system for an information handling system comprising: a heat "
        "exchanger for receiving heat generated by the information handling system; and a "
        "condenser in communication with the heat exchanger.")
    assert "power management" not in result.text and result.report.errors == 0


def test_objects_problems_and_advantages_name_no_elements() -> None:
    result = draft_claims(CORK, title="Cork extractor")
    assert result.claims[0].startswith("A cork extractor comprising: a corkscrew")
    assert "a driving collar on a first half-cylinder shell" in result.claims[0]
    assert "an abutment collar on a second half-cylinder shell" in result.claims[0]
    for background in ("attractive", "design", "inexpensive", "object"):
        assert background not in result.text
    assert "wherein the corkscrew is made of metal" in result.text


def test_wherein_bodies_are_statements_with_their_own_verb() -> None:
    assert finite_body("wherein the engine including the cylinder head") == \
        "wherein the engine includes the cylinder head"
    assert finite_body("wherein the fuel injector provided for the intake passage") == \
        "wherein the fuel injector is provided for the intake passage"
    assert finite_body("wherein the condenser are able to cool") == \
        "wherein the condenser is able to cool"
    assert finite_body("wherein the pins are long") == "wherein the pins are long"
    for nothing_stated in ("wherein the belly pan for reducing drag",
                           "wherein the film having a high constant is disclosed",
                           "wherein the joint is reduced in comparison to the state of the art"):
        assert finite_body(nothing_stated) == ""


def test_a_noun_after_its_article_is_no_cut_phrase() -> None:
    words = frozenset(["a", "board", "comprising", "via", "an", "hole", "cut", "between"])
    assert not check_draft(["A board comprising: a hole; and a via."], words).errors
    assert check_draft(["A board comprising: a hole cut between."], words).errors


def test_a_sentence_saying_how_the_problem_is_addressed_gives_its_semicolon_steps() -> None:
    text = ("Oxygen sensors may show drift during periods of high exhaust temperature. "
            "Therefore, problems with the consistency of the sensor output may be addressed in "
            "an engine by determining a first air/fuel ratio from a signal from an oxygen "
            "sensor; determining a second air/fuel ratio from a temperature upstream of a "
            "particulate filter, a pressure differential across the filter and an airflow into "
            "the engine; comparing the first air/fuel ratio and the second air/fuel ratio; and "
            "diagnosing an error condition of the oxygen sensor.")
    assert not analyse(text, title="Monitoring of oxygen sensor performance").aside
    result = draft_claims(text, title="Monitoring of oxygen sensor performance")
    assert result.claims[0].startswith(
        "A method of monitoring, comprising: determining a first air/fuel ratio from a signal "
        "from an oxygen sensor; determining a second air/fuel ratio from a temperature upstream "
        "of a particulate filter, a pressure differential across the particulate filter")
    assert result.claims[0].endswith("; and diagnosing an error condition of the oxygen sensor.")
    assert result.report.errors == 0
