"""Drafting from a disclosure: the subject, elements and relations come from its words, the
form is guaranteed, and the strict check holds every drafted set to the disclosure."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.claims.parse import parse_claims
from torchworks.recipes.patents.draft.chunk import article, phrases
from torchworks.recipes.patents.draft.disclosure import analyse
from torchworks.recipes.patents.draft.pipeline import DraftConfig, draft_claims
from torchworks.recipes.patents.draft.strict import check_draft

BICYCLE_LOCK = (
    "A bicycle lock that is unlocked by a fingerprint. The lock has a shackle and a lock body "
    "with a notch. A motor retracts a locking pin from the notch in the shackle. A fingerprint "
    "sensor on the lock body reads the fingerprint of a user, and a small microcontroller "
    "compares the fingerprint with stored templates. A rechargeable battery powers the motor "
    "and the microcontroller. The shackle may be made of hardened steel.")
COFFEE_MUG = (
    "A coffee mug keeps a drink warm. The mug has a double wall with a vacuum gap between an "
    "inner wall and an outer wall, and a lid that seals an opening of the mug. A handle is "
    "attached to the outer wall. The lid may include a sliding shutter that closes a drinking "
    "hole. The inner wall can be made of stainless steel.")
SOLAR = (
    "A foldable solar panel assembly for camping is disclosed. The assembly has a rigid frame "
    "with a central hinge so that two photovoltaic panels fold onto each other. A latch on the "
    "frame holds the panels open. A charge controller mounted on the frame regulates the "
    "current from the photovoltaic panels to a battery pack. The battery pack slides into a "
    "pocket of the frame. A kickstand pivots from the frame to hold the assembly upright.")


def test_noun_phrases_end_at_verbs_and_keep_ing_nouns() -> None:
    found = [p.name for p in phrases("The refrigerant circulates through the housing and a "
                                     "motor drives a locking pin into the opening.")]
    assert found == ["refrigerant", "housing", "motor", "locking pin", "opening"]


@pytest.mark.parametrize(("text", "subject"), [
    (BICYCLE_LOCK, "bicycle lock"),  # not "fingerprint", the thing it is unlocked by
    (COFFEE_MUG, "coffee mug"),
    ("The present invention relates to a learned database index. The index maps keys to "
     "positions.", "learned database index"),
])
def test_the_subject_is_the_invention_not_its_first_noun(text: str, subject: str) -> None:
    assert analyse(text).subject == subject


def test_a_kind_only_title_gives_a_subject_with_its_purpose() -> None:
    assert analyse("Pages are parsed.", title="Methods and systems for transactional "
                   "tunneling").subject == "method for transactional tunneling"


def test_claim_1_has_the_subject_and_the_disclosures_elements_related_in_its_words() -> None:
    result = draft_claims(BICYCLE_LOCK)
    first = result.claims[0]
    assert first.startswith("A bicycle lock comprising: a shackle; a lock body with a notch;")
    assert "a motor that retracts a locking pin from the notch in the shackle" in first
    assert "a fingerprint sensor on the lock body that reads a fingerprint of a user" in first
    assert result.report.errors == 0 and not check_text(result.text).errors


def test_dependents_add_optional_features_and_depend_where_their_terms_are_introduced() -> None:
    result = draft_claims(COFFEE_MUG, config=DraftConfig(dependents=4))
    claims = parse_claims(result.text).claims
    assert claims[0].number == 1 and not claims[0].dependent
    bodies = [c.text for c in claims[1:]]
    assert any("the lid includes a sliding shutter that closes a drinking hole" in b
               for b in bodies)
    assert any("the inner wall is made of stainless steel" in b for b in bodies)
    assert len(set(bodies)) == len(bodies)  # no two claims alike
    assert "microwave" not in result.text and "drink warm" not in result.text
    assert all(c.parents for c in claims[1:])


def test_every_drafted_word_comes_from_the_disclosure() -> None:
    for text in (BICYCLE_LOCK, COFFEE_MUG, SOLAR):
        result = draft_claims(text)
        assert result.report.errors == 0, result.findings
        vocabulary = analyse(text).vocabulary
        assert not [f for f in check_draft(result.claims, vocabulary).findings
                    if f.rule == "draft-unsupported-term"]


def test_the_strict_check_flags_what_a_weak_model_writes() -> None:
    vocabulary = analyse(COFFEE_MUG).vocabulary
    bad = ["A coffee mug comprising: a microwave-safe container with a microwave-safe lid",
           "The coffee mug of claim 1, wherein the lid is round. This claim describes the lid.",
           "The coffee mug of claim 1, wherein the lid is round."
           , "The coffee mug of claim 1, wherein the lid is round."]
    bad += ["The coffee mug of claim 1, wherein the lid is held between the handle and.",
            "The coffee mug of claim 1, wherein the the lid is round.",
            "The coffee mug of claim 1, wherein the lid is round The handle is red."]
    rules = {(f.claim, f.rule) for f in check_draft(bad, vocabulary).findings
             if f.severity == "error"}
    assert {(1, "draft-unsupported-term"), (1, "draft-not-one-sentence"),
            (2, "draft-not-one-sentence"), (2, "draft-not-claim-language"),
            (4, "draft-duplicate-claim"), (5, "draft-broken-phrase"),
            (6, "draft-broken-phrase"), (7, "draft-broken-phrase")} <= rules


def test_a_dependent_that_fails_the_strict_check_is_dropped_and_the_rest_renumbered() -> None:
    text = COFFEE_MUG + " The handle may be the coolest thing ever. Note: this claim is great."
    result = draft_claims(text, config=DraftConfig(dependents=6))
    numbers = [c.number for c in parse_claims(result.text).claims]
    assert numbers == list(range(1, len(numbers) + 1))
    assert result.report.errors == 0


def test_a_method_subject_gets_a_method_claim_of_steps() -> None:
    result = draft_claims(
        "Methods and systems for executing an electronic transaction are provided, including "
        "parsing pages of a web server, identifying rules for executing the transaction, and "
        "presenting displays to a user.", title="Methods and systems for transactional tunneling")
    assert result.claims[0].startswith("A method for transactional tunneling, comprising: "
                                       "parsing pages of a web server;")


@pytest.mark.parametrize(("name", "expected"), [
    ("inner wall", "an inner wall"), ("user", "a user"), ("USB port", "a USB port"),
    ("LED", "an LED"), ("media servers", "a plurality of media servers"), ("lens", "a lens")])
def test_articles_follow_sound_and_number(name: str, expected: str) -> None:
    assert article(name) == expected


def test_drafting_is_deterministic_and_fast() -> None:
    first = draft_claims(SOLAR)
    assert draft_claims(SOLAR).text == first.text
    assert first.seconds < 2.0


def test_a_disclosure_that_names_no_parts_is_refused_with_what_to_write() -> None:
    from torchworks.errors import DataError

    with pytest.raises(DataError, match="names no parts") as refused:
        draft_claims("Magnetic resonance imaging with ultra short echo times is improved.")
    assert "has a base" in refused.value.fix


def test_a_binary_disclosure_file_is_refused_before_drafting(tmp_path) -> None:
    from torchworks.errors import DataError
    from torchworks.recipes.patents.claims.inputs import read_description

    binary = tmp_path / "disclosure.txt"
    binary.write_bytes(b"\x00\x01\x02 not text" * 100)
    with pytest.raises(DataError, match="binary file") as refused:
        read_description(binary)
    assert refused.value.fix
