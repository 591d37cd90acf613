"""The checker on the patterns of issue 15: -ing nouns, terms inside stop words, transitions,
glued verbs, standard formulas, inherent terms, sentence form, and deep claim sets."""

from __future__ import annotations

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.claims.parse import parse_claims
from torchworks.recipes.patents.claims.render import MAX_INDENT, to_text


def basis(text: str) -> dict[str, str]:
    """words -> severity of every antecedent-basis finding."""
    return {f.words: f.severity for f in check_text(text).findings
            if f.rule == "antecedent-basis"}


def test_ing_and_ed_nouns_are_checked_like_any_term() -> None:
    found = basis("1. A lamp comprising a base.\n2. The lamp of claim 1, wherein the housing "
                  "holds the spring, the housing is round and the spring is on the bed.")
    # used again: errors; "the bed", used once, is a warning like any single passing use
    assert found == {"the housing": "error", "the spring": "error", "the bed": "warning"}


def test_a_trailing_able_noun_is_not_dropped_when_looking_for_basis() -> None:
    found = basis("1. A harness comprising a cylindrical sleeve.\n2. The harness of claim 1, "
                  "wherein the cylindrical cable is red.")
    assert "the cylindrical cable" in found


def test_modifiers_that_are_stop_words_stay_inside_the_term() -> None:
    found = basis("1. A board comprising a hole and a rear surface.\n2. The board of claim 1, "
                  "wherein the via hole is plated and the forward surface is flat.")
    assert set(found) == {"the via hole", "the forward surface"}


def test_the_transition_is_the_one_right_after_the_preamble() -> None:
    claim = parse_claims("1. A vacuum cleaner: a housing having a filter.").claims[0]
    assert claim.transition == ""
    findings = [(f.rule, f.severity) for f in check_text(
        "1. A vacuum cleaner: a housing having a filter.").findings]
    assert ("transition-missing", "error") in findings
    jepson = parse_claims("1. In a lamp having a base, wherein the improvement comprises: a "
                          "shade on the base.").claims[0]
    assert jepson.transition == "wherein the improvement comprises"


def test_verbs_after_a_term_are_not_part_of_it() -> None:
    found = basis("1. A cooler comprising a refrigerant, a motor and a pair of diffuser "
                  "elements.\n2. The cooler of claim 1, wherein the refrigerant circulates, "
                  "said motor drives a fan and the diffuser elements maintain a flow.")
    assert found == {}


def test_standard_formulas_are_not_findings() -> None:
    text = ("1. In a lamp having a base, wherein the improvement comprises a shade mounted in "
            "the vicinity of the base.\n2. A lamp according to one or more of the previous "
            "claims, wherein in the event that the shade is removed, the base is dark.")
    report = check_text(text)
    assert report.claim_set.claims[1].parents == [1]
    assert not [f for f in report.findings if f.severity == "error"], report.findings


def test_inherent_and_defined_in_place_terms_are_warnings_or_nothing() -> None:
    found = basis("1. A method comprising measuring a voltage across a resistor and a "
                  "capacitor, and storing the measurement, wherein the distance between the "
                  "resistor and the capacitor is small.")
    assert found == {"the distance": "warning"}


def test_a_term_introduced_outside_the_chain_is_an_error_naming_the_claim() -> None:
    report = check_text("1. A lamp comprising a base and a glass shade.\n2. A stand comprising "
                        "a pole.\n3. The stand of claim 2, wherein the glass shade is red.")
    (finding,) = [f for f in report.findings if f.rule == "antecedent-basis"]
    assert (finding.claim, finding.severity) == (3, "error")
    assert "claim 1 introduces it" in finding.message


def test_a_term_used_as_an_element_but_never_introduced_is_an_error() -> None:
    found = basis("1. A lamp comprising a base.\n2. The lamp of claim 1, wherein the shade is "
                  "red.\n3. The lamp of claim 2, wherein the shade is round.")
    assert found == {"the shade": "error"}
    once = basis("1. A lamp comprising a base, wherein the shade is red.")
    assert once == {"the shade": "warning"}  # a single passing use: often inherent


def test_a_claim_is_one_sentence_ending_with_a_period_and_no_commentary() -> None:
    findings = {(f.claim, f.rule, f.severity) for f in check_text(
        "1. A lamp comprising a base.\n2. The lamp of claim 1, wherein the base is red\n"
        "3. The lamp of claim 1, wherein the base is round. It is also heavy.\n"
        "4. The lamp of claim 1, wherein the base is square. This claim describes the base.\n"
        "5. The lamp of claim 1, wherein the base is No. 5 in FIG. 2 and U.S. Pat. No. 5."
    ).findings}
    assert (2, "claim-period", "error") in findings
    assert (3, "claim-sentences", "warning") in findings
    assert (4, "claim-commentary", "error") in findings
    assert not {f for f in findings if f[0] in (1, 5)}


def test_deep_chains_check_and_render_without_recursion_or_runaway_indentation() -> None:
    text = "1. A lamp comprising a base.\n" + "\n".join(
        f"{n}. The lamp of claim {n - 1}, wherein the base is red." for n in range(2, 3001))
    report = check_text(text)
    assert len(report.claim_set.claims) == 3000 and report.errors == 0
    lines = to_text(report).splitlines()
    assert max(len(line) - len(line.lstrip()) for line in lines) <= 2 * MAX_INDENT + 6
    assert any(line.lstrip().startswith("(depth 2999) 3000.") for line in lines)
