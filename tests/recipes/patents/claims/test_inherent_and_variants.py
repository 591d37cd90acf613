"""The checker on issue 15's fourth round: references that have basis in substance but not in
the same words (spelling variants, an act named with another verb form, a part of an introduced
thing, the body or person a claim is about, a symbol after an inherent property), ordinal lists
after a leading word or comma, and transitions missing before an element's own list."""

from __future__ import annotations

from torchworks.recipes.patents.claims.check import check_text


def basis(text: str) -> dict[str, str]:
    """words -> severity of every antecedent-basis finding."""
    return {f.words: f.severity for f in check_text(text).findings
            if f.rule == "antecedent-basis"}


def severities(text: str, rule: str) -> list[str]:
    return [f.severity for f in check_text(text).findings if f.rule == rule]


def test_a_spelling_variant_is_a_warning_and_a_new_term_still_an_error() -> None:
    found = basis("1. A method comprising: placing a workpiece on a table; and scanning said "
                  "work piece with said drill bit, and cooling said drill bit.")
    assert found == {"said work piece": "warning", "said drill bit": "error"}


def test_a_participle_naming_an_act_the_claim_recites_is_a_warning() -> None:
    found = basis("1. A method comprising: displaying a plurality of blocks; and based on a "
                  "selection of a block, displaying a result of the selected block and a "
                  "size of the selected block and of the chosen panel and of the chosen panel.")
    assert found == {"the selected block": "warning", "the chosen panel": "error"}


def test_a_part_of_an_introduced_thing_is_a_warning_not_with_an_ordinal() -> None:
    found = basis("1. A composition comprising an aromatic alcohol having 6 carbon atoms in "
                  "the alcohol fraction and a salt, wherein the first salt portion is dry and "
                  "the first salt portion is cold.")
    assert found["the alcohol fraction"] == "warning"
    assert found["the first salt portion"] == "error"


def test_a_body_part_or_person_is_a_warning_even_when_another_claim_introduces_it() -> None:
    text = ("1. A watch comprising a case, wherein the watch is wearable on the wrist and "
            "the case faces the wrist.\n2. The watch of claim 1, wherein a strap holds the "
            "case.\n3. A strap for a wrist, comprising a buckle.")
    assert basis(text) == {"the wrist": "warning"}
    # a body word that also names parts of things counts only in a claim about a person
    assert basis("1. A garment comprising a collar positioned behind the head, and a pad "
                 "below the head.") == {"the head": "warning"}
    assert basis("1. A bolt comprising a shank, and a flange below the head, and a slot in "
                 "the head.") == {"the head": "error"}


def test_an_inherent_property_with_a_symbol_or_defined_before_another_is_a_warning() -> None:
    found = basis("1. A substrate comprising a surface of which the maximum valley depth Rv "
                  "is 4 nm, wherein the distance between a first point and a second point "
                  "is smaller than a distance between a third point and a fourth point.")
    assert found == {"the maximum valley depth Rv": "warning", "the distance": "warning"}


def test_an_ordinal_list_after_a_leading_word_or_comma_introduces_each() -> None:
    found = basis("1. A cannula comprising a body divided into separate first and second "
                  "compartments, a first shell and a second, complementary shell, wherein "
                  "the first compartment and the second compartment respectively define "
                  "first and second flow paths, the first flow path is open, and the second "
                  "shell and the second complementary shell are closed.")
    assert found == {}


def test_a_bare_list_label_at_the_end_is_a_lost_image_not_a_cut_claim() -> None:
    assert severities("1. A compound selected from the group consisting of: (a) X; (b) (c)",
                      "claim-period") == ["warning"]
    assert severities("1. A lamp comprising a base and a bulb (12)", "claim-period") == ["error"]


def test_an_element_listing_its_parts_without_a_verb_is_a_missing_transition() -> None:
    assert severities("1. A blade comprising an alloy, said alloy: from 5 to 30 atomic "
                      "percent platinum; from 1 to 6 atomic percent palladium; and the balance "
                      "rhodium.", "transition-missing") == ["error"]
    assert severities("1. A composition comprising a water phase and an oil phase, wherein "
                      "the water phase comprises 5% water and the oil phase: a) 10% of an "
                      "oil; b) 2% of a wax.", "transition-missing") == ["error"]
    assert severities("1. A blade comprising an alloy, said alloy comprising: from 5 to 30 "
                      "atomic percent platinum; and the balance rhodium.",
                      "transition-missing") == []
    # a medium whose instructions are "for:" the steps is the accepted form: a warning
    assert severities("1. A computer readable medium including computer instructions for "
                      "configuring a device, the computer instructions including instructions "
                      "for: detecting a status; and configuring a pad.",
                      "transition-missing") == ["warning"]


def test_paired_adjectives_before_one_noun_introduce_each() -> None:
    found = basis("1. A lens comprising an objective having central and peripheral regions, "
                  "wherein a beam passes through the central region and the peripheral region "
                  "and the upper region.")
    assert found == {"the upper region": "warning"}


def test_a_standard_of_comparison_is_a_warning() -> None:
    found = basis("1. A transgenic plant comprising a construct, wherein the plant has fibers "
                  "of increased length relative to the wild-type plant and the mature seed.")
    assert found == {"the wild-type plant": "warning", "the mature seed": "error"}


def test_token_offsets_from_running_lengths_match_the_regex() -> None:
    from torchworks.recipes.patents.claims.tokens import _WORD, tokenize

    for text in ("", "  ", "1. A lamp,  comprising:\ta base (12); and the user\u2019s bulb "
                 "\u00e9.\n2. The lamp of claim 1.  ",  # not ASCII: tokens lowered one by one
                 "A valve AND/OR a pump and/or a Fan/Or SIP server/ORx",  # "/OR": one by one
                 "1. A lamp (12) having a base/cap and a shade."):  # ASCII: the text lowered
        tokens = tokenize(text)
        assert list(zip(tokens.starts, tokens.ends, strict=True)) == [
            m.span() for m in _WORD.finditer(text)]
        assert tokens.lows == [t.lower().replace("\u2019", "'") for t in _WORD.findall(text)]
        assert tokens.texts == _WORD.findall(text)


def test_checking_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            assert check_text("1. A lamp comprising a base.").findings == []
            assert gc.isenabled() is state
    finally:
        (gc.enable if was else gc.disable)()
