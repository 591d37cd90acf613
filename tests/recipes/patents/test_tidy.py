"""Tidying sentences into abstract wording (summarize/tidy.py) and windows that skip a
problem statement."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.summarize.consensus import paragraph_windows
from torchworks.recipes.patents.summarize.tidy import (
    is_problem_statement,
    restate_object,
    tidy,
    trim_lead_in,
)
from torchworks.recipes.patents.text.readers import patent_from_text


@pytest.mark.parametrize(("text", "expected"), [
    ("Thus, the disclosure provides a flexible heater.", "The disclosure provides a flexible "
                                                         "heater."),
    ("In one embodiment of the present invention, a razor includes a handle.",
     "A razor includes a handle."),
    ("According to a first aspect of the invention, there is provided a lamp.",
     "There is provided a lamp."),
    ("To achieve these and other advantages and in accordance with the purpose of the "
     "present invention, as embodied and broadly described, the method includes a wash cycle.",
     "The method includes a wash cycle."),
    ("More particularly, the clip 14 is made of spring steel.", "The clip is made of spring "
                                                                "steel."),
    ("It is therefore an object of the present invention to provide a holder 10 that grips.",
     "A holder that grips is provided."),
    ("Another object of the invention is to provide an improved broom.",
     "An improved broom is provided."),
    ("Referring now to FIGS. 2 and 3, the hinge 30 has a pin, as shown in FIG. 4.",
     "The hinge has a pin."),
    ("Said clip grips said widget.", "The clip grips the widget."),
    ("The clip (see FIG. 2) is open and the lid (not shown) is shut.",
     "The clip is open and the lid is shut."),
    ("The invention relates generally to imaging, and more specifically to registration.",
     "The invention relates to imaging, and more specifically to registration."),
])
def test_lead_ins_and_numerals_are_dropped(text: str, expected: str) -> None:
    assert tidy(text) == expected


@pytest.mark.parametrize("text", [
    "Thus, it works.",  # too little would be left to stand as a sentence
    "In one aspect, 12 parts are used.",  # what follows does not start with a word
    "In one aspect the base carries a magnet.",  # no comma: not a lead-in we can cut
    "The present invention relates to lamps.",
    "It is an object of the invention to provide for quick assembly.",  # no noun phrase
])
def test_sentences_that_would_break_are_kept(text: str) -> None:
    assert trim_lead_in(text) == text and restate_object(text) == text


def test_problem_statements_are_told_from_statements_of_the_invention() -> None:
    assert is_problem_statement("Therefore, a better solution is lacking.")
    assert is_problem_statement("There is a need for a holder that does not slip.")
    assert is_problem_statement("Unfortunately, the clip wears out quickly.")
    assert not is_problem_statement("The present invention overcomes these drawbacks.")
    assert not is_problem_statement("A holder includes a base and a clip.")


def test_a_window_does_not_open_with_the_problem() -> None:
    text = ("SUMMARY\nTherefore, a better holder is lacking. In one aspect, a holder for small "
            "parts has a flat base and a bent clip that grips the widget firmly in place while "
            "it is being filed or drilled by hand. The clip is made of spring steel and returns "
            "to its shape after use, so the holder lasts for many years.\n")
    (window,) = paragraph_windows(patent_from_text(text, id="p"), words=80)
    assert window.startswith("A holder for small parts has a flat base")
    assert "lacking" not in window and window.endswith("many years.")
