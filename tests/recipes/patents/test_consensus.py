"""Choosing the default summary among whole candidates: claim 1 in prose as the judge, the
other candidates as the jury, and windows of whole summary sentences as candidates."""

from __future__ import annotations

from torchworks.recipes.patents.summarize.consensus import (
    Candidate,
    ChoiceWeights,
    choose,
    claim_prose,
    opens_with_statement,
    paragraph_windows,
)
from torchworks.recipes.patents.summarize.methods import build_summarizer
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.readers import patent_from_text


def test_claim_prose_reads_like_an_abstract() -> None:
    claim = ("A holder (10) comprising: a base 12; said base having a clip (a) 14; and "
             "a spring (C1) pressing said clip.")
    assert claim_prose(claim) == ("A holder comprising a base, the base having a clip, and a "
                                  "spring pressing the clip.")


def _windows(*texts: str) -> list[Candidate]:
    return [Candidate(t, "window") for t in texts]


def test_choose_prefers_the_candidate_that_restates_claim_one() -> None:
    claim = "A holder comprising a base and a spring clip that grips a widget."
    restates = "The holder has a base and a spring clip that grips the widget."
    background = "Widgets are hard to hold in a crowded workshop full of tools."
    assert choose(_windows(background, restates), claim) == restates
    assert choose(_windows(restates, background), claim) == restates
    # with no claim, the candidate the others agree with wins
    echo = "A holder has a base and a spring clip."
    assert choose(_windows(background, restates, echo), "") == restates
    assert choose(_windows("", restates), claim) == restates and choose([], claim) == ""


def test_claim_one_itself_wins_when_no_passage_restates_it() -> None:
    claim = "A holder comprising a base and a spring clip that grips a widget."
    pool = [*_windows("Widgets are hard to hold in a crowded workshop full of tools.",
                      "Old holders slip off the bench and fall on the floor."),
            Candidate(claim, "claim")]
    weights = ChoiceWeights(consensus=0.5, claim_prior=1.0)
    assert choose(pool, claim, weights) == claim
    # by default (no prior) the claim cannot win: it is on no one's jury, not even its own
    assert choose(pool, claim) != claim
    # a passage that restates the claim and that the other candidates echo beats it
    restates = "The holder has a base and a spring clip that grips the widget firmly."
    echo = "The holder has a base and a spring clip."
    assert choose([*_windows(restates, echo, "A spring clip grips the widget."),
                   Candidate(claim, "claim")], claim, weights) == restates


def test_priors_lean_towards_the_lead_and_statements_of_the_invention() -> None:
    claim = "A lamp comprising a shade and a dimmer."
    lead = "Lamps light rooms at night in dark corners."
    other = "Rooms at night in dark corners need lamps."  # as close to claim and lead: a tie
    pair = [Candidate(other, "window"), Candidate(lead, "lead")]
    assert choose(pair, claim, ChoiceWeights(lead=0.1)) == lead
    assert choose(pair, claim) == other  # no prior by default: the first of equals
    statement = "The present invention relates to lamps that light rooms at night."
    plain = "Many lamps that light rooms at night are sold in shops."
    assert opens_with_statement(statement) and not opens_with_statement(plain)
    assert opens_with_statement("In one aspect, a lamp is provided. It has a shade.")
    assert not opens_with_statement("A lamp is sold. In one aspect, a lamp is provided.")
    assert choose(_windows(plain, statement), "", ChoiceWeights(statement=0.1)) == statement
    assert choose(_windows(plain, statement), "") == plain


def test_windows_are_whole_sentences_from_summary_paragraphs_within_the_budget() -> None:
    text = ("BACKGROUND\nOld holders slip off the bench and fall on the floor very often.\n"
            "SUMMARY\n"
            "A holder 10 for small parts has a flat base 12 and a bent clip 14 that grips the "
            "widget firmly in place while it is being filed or drilled by hand. The clip is "
            "made of spring steel and returns to its shape after use, so the holder lasts for "
            "many years.\n"
            "In another aspect the flat base carries a strong magnet that holds it on any steel "
            "bench or on the side of a steel tool box. The magnet is glued into a round pocket "
            "of the base and is covered by a thin rubber pad against scratches.\n")
    patent = patent_from_text(text, id="w")
    assert [s.kind for s in patent.sections] == [S.BACKGROUND, S.SUMMARY]
    first, second = paragraph_windows(patent, words=55)
    assert first.startswith("A holder for small parts has a flat base and a bent clip that")
    assert first.endswith("lasts for many years.")  # the next sentence would not fit
    assert second.startswith("In another aspect") and second.endswith("against scratches.")
    assert "Old holders" not in first + second
    assert all(40 <= len(w.split()) <= 55 for w in (first, second))
    patent.claims = ["A holder comprising a base with a magnet glued into a round pocket of the "
                     "base and covered by a rubber pad."]
    (summary,) = build_summarizer("structure", words=55).summarize([patent])
    # whichever candidate wins (claim 1 in prose is one), it names claim 1's elements
    assert "glued into a round pocket of the base" in summary
    assert len(summary.split()) <= 55 and "Old holders" not in summary
