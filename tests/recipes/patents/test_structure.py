"""The structure summarizer (the default), reference numerals and content words, on the real
development sample."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.summarize.baselines import BaselineSummarizer
from torchworks.recipes.patents.summarize.evaluate import evaluate
from torchworks.recipes.patents.summarize.methods import DEFAULT_METHOD, build_summarizer
from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
from torchworks.recipes.patents.summarize.tidy import tidy
from torchworks.recipes.patents.summarize.words import content_words
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.readers import Patent, patent_from_text
from torchworks.recipes.patents.text.sentences import split_sentences


@pytest.fixture(scope="module")
def structure_summaries(sample_patents: list[Patent]) -> list[str]:
    summaries = build_summarizer("structure").summarize(sample_patents)
    assert all(isinstance(s, str) for s in summaries)
    return summaries


def test_the_default_method_needs_no_model() -> None:
    assert DEFAULT_METHOD == "structure"
    assert not hasattr(build_summarizer(), "encoder")


def test_summaries_are_cleaned_description_text_in_order(
        structure_summaries: list[str], sample_patents: list[Patent]) -> None:
    for patent, summary in zip(sample_patents, structure_summaries, strict=True):
        assert 40 <= len(summary.split()) <= 150, patent.id
        cleaned = " ".join(tidy(s) for s in split_sentences(patent.description))
        positions = [cleaned.find(s) for s in split_sentences(summary)]
        assert -1 not in positions and positions == sorted(positions), patent.id
        banned = {tidy(s) for s in
                  split_sentences(patent.section_text(S.RELATED, S.DRAWINGS))}
        assert not banned & set(split_sentences(summary)), patent.id


def test_structure_beats_the_graph_baselines_and_lead_on_the_tune_part(
        structure_summaries: list[str], sample_patents: list[Patent]) -> None:
    ours = evaluate("structure", lambda _: structure_summaries, sample_patents)
    for name in ("lead", "claim1", "textrank", "lexrank"):
        other = evaluate(name, BaselineSummarizer(name).summarize, sample_patents)
        assert ours.rouge1 > other.rouge1 and ours.rouge2 > other.rouge2, name


def test_claim_one_picks_the_sentence_and_numerals_go_without_a_summary_section() -> None:
    text = ("BACKGROUND\nWidgets are hard to hold in a crowded workshop full of tools.\n"
            "DETAILED DESCRIPTION\nA holder 10 has a base 12 and a clip 14 that grips the "
            "widget firmly. The clip 14 is made of spring steel and returns to its shape.")
    patent = patent_from_text(text, id="bare")
    patent.claims = ["A holder comprising a base and a clip."]
    (summary,) = build_summarizer("structure", words=20).summarize([patent])
    assert summary == "A holder has a base and a clip that grips the widget firmly."
    (empty,) = build_summarizer("structure").summarize([patent_from_text("", id="e")])
    assert isinstance(empty, Exception)


@pytest.mark.parametrize(("text", "expected"), [
    ("The apparatus 100 includes a housing 12 and arms 20a, 20b.",
     "The apparatus includes a housing and arms."),
    ("The lid (14) covers the base 16-18 of the frame 20'.",
     "The lid covers the base of the frame."),
    ("As shown in FIG. 2, claim 1 recites about 5 parts of 12 mm at 30 degrees.",
     "As shown in FIG. 2, claim 1 recites about 5 parts of 12 mm at 30 degrees."),
    ("Example 3 uses 2 rollers 30 and 32 per step 4.", "Example 3 uses 2 rollers per step 4."),
    ("a first end 22 and a second end 24 of the tube 20.", "a first end and a second end of "
                                                           "the tube."),
    ("The system 12 may hold a clip 14 made of steel and a current of 5 mA.",
     "The system may hold a clip made of steel and a current of 5 mA."),
    ("The shaft 4 within the buckle 8 comprises 2 pins.",
     "The shaft within the buckle comprises 2 pins."),
    ("The circuit is indicated by reference numeral 2 and denoted 4 in FIG. 3.",
     "The circuit is indicated by reference numeral 2 and denoted 4 in FIG. 3."),
])
def test_reference_numerals_are_dropped_where_grammar_allows(text: str, expected: str) -> None:
    assert drop_reference_numerals(text) == expected


def test_content_words_drop_stop_words_and_stem() -> None:
    assert content_words("The holders are holding the widget of the present invention") == [
        "holder", "hold", "widget", "present", "invent"]


def test_content_words_keep_numbers_only_when_asked() -> None:
    text = "The housing 12 holds shaft 14a."
    assert content_words(text) == ["hous", "hold", "shaft"]
    assert content_words(text, numbers=True) == ["hous", "12", "hold", "shaft", "14a"]
