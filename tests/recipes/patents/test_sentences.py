"""The sentence splitter on real sentences from the patent sample."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.text.sentences import split_sentences, strip_paragraph_number

# (paragraph as published, the sentences a reader sees)
REAL = [
    (  # US20010009014A1: "FIG. 9." ends a sentence, "FIG. 9" inside one does not
        "A mesh configuration for a conference embodiment with a high priority feed is shown in "
        "FIG. 9. As discussed above, certain data streams from specific clients or sources may "
        "be given a higher priority than other data streams.",
        ["A mesh configuration for a conference embodiment with a high priority feed is shown "
         "in FIG. 9.", "As discussed above, certain data streams from specific clients or "
         "sources may be given a higher priority than other data streams."],
    ),
    (  # US20010000943A1: "FIGS. 2 to 7" and a spaced stop after a numeral
        "The minimum values of the CIE chromaticity coordinates will be described referring to "
        "FIGS. 2 to 7 . Furthermore, the constitution of the organic EL device 100 shown in "
        "FIG. 1 will be specifically described.",
        ["The minimum values of the CIE chromaticity coordinates will be described referring "
         "to FIGS. 2 to 7 .", "Furthermore, the constitution of the organic EL device 100 "
         "shown in FIG. 1 will be specifically described."],
    ),
    (  # US20010009014A1: Ser. No. and U.S. Pat. inside one sentence
        "The present application is a continuation-in-part of U.S. Pat. application Ser. No. "
        "09/312,927 filed on May 17, 1999. The entire disclosure is incorporated herein.",
        ["The present application is a continuation-in-part of U.S. Pat. application Ser. No. "
         "09/312,927 filed on May 17, 1999.", "The entire disclosure is incorporated herein."],
    ),
    (  # US08926509: e.g. and i.e. do not end sentences
        "In some embodiments, the μ-Base will have multiple antennas, e.g. 4 antennas, for "
        "implementation of the smart antenna schemes. Providers give access to their "
        "subscribers, i.e., the remote clients, via the ISPs' web sites.",
        ["In some embodiments, the μ-Base will have multiple antennas, e.g. 4 antennas, for "
         "implementation of the smart antenna schemes.", "Providers give access to their "
         "subscribers, i.e., the remote clients, via the ISPs' web sites."],
    ),
    (  # US08927118: chemistry: n-BuLi, "−78° C." ends a sentence, formulas with parentheses
        "Compound 41 (12.9 g, 50 mmol) and THF (300 mL) were loaded into a three-necked flask, "
        "and the mixture was cooled to −78° C. Then, n-BuLi (2.63 M solution in hexane, 20.0 "
        "mL, 52.5 mmol) was added to the flask. The concentration of Ir(Ph-ppy)3 was 5 mass %.",
        ["Compound 41 (12.9 g, 50 mmol) and THF (300 mL) were loaded into a three-necked "
         "flask, and the mixture was cooled to −78° C.", "Then, n-BuLi (2.63 M solution in "
         "hexane, 20.0 mL, 52.5 mmol) was added to the flask.", "The concentration of "
         "Ir(Ph-ppy)3 was 5 mass %."],
    ),
    (  # US06337117: "wt. %" and approx. are abbreviations
        "The organic compound is usually contained in an amount of 0.01 to 100 wt. %, "
        "preferably 1 to 50 wt. % with respect to the weight of the luminous nanoparticles. "
        "The particles measure approx. 5 nm.",
        ["The organic compound is usually contained in an amount of 0.01 to 100 wt. %, "
         "preferably 1 to 50 wt. % with respect to the weight of the luminous nanoparticles.",
         "The particles measure approx. 5 nm."],
    ),
    (  # reference numerals keep their nouns; a sentence may end on one
        "The lid 14 is hinged to the housing 12. The housing 12 holds the battery 16.",
        ["The lid 14 is hinged to the housing 12.", "The housing 12 holds the battery 16."],
    ),
    (  # a sentence may start with a chemical locant prefix
        "The mixture was filtered. p-Toluenesulfonic acid (0.5 g) was then added.",
        ["The mixture was filtered.", "p-Toluenesulfonic acid (0.5 g) was then added."],
    ),
    (  # et al. inside a citation
        "Oxadiazole derivatives were disclosed by Hamada et al. at the conference of the "
        "Japan Society of Applied Physics. They emit blue light.",
        ["Oxadiazole derivatives were disclosed by Hamada et al. at the conference of the "
         "Japan Society of Applied Physics.", "They emit blue light."],
    ),
]


@pytest.mark.parametrize(("paragraph", "expected"), REAL)
def test_real_sentences_split_where_a_reader_would(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_figs_ranges_stay_inside_the_sentence() -> None:
    text = "FIGS. 2A-2C show the housing. FIGS. 3A and 3B show the lid."
    assert split_sentences(text) == ["FIGS. 2A-2C show the housing.",
                                     "FIGS. 3A and 3B show the lid."]


def test_newlines_are_paragraph_boundaries() -> None:
    assert split_sentences("First paragraph without a stop\nSecond one.") == [
        "First paragraph without a stop", "Second one."]


@pytest.mark.parametrize(("raw", "clean"), [
    ("[0012] The system's conferencing capacity is allocated.",
     "The system's conferencing capacity is allocated."),
    ("2. Many businesses have recently begun expanding into e-commerce.",
     "Many businesses have recently begun expanding into e-commerce."),
    ("0.5 g of the compound was added.", "0.5 g of the compound was added."),
])
def test_paragraph_numbers_are_removed_not_split(raw: str, clean: str) -> None:
    assert strip_paragraph_number(raw) == clean


def test_lowercased_text_still_splits_but_abbreviations_hold() -> None:
    text = "the housing 12 is shown in fig. 1. the lid 14 is hinged, e.g. with a pin."
    assert split_sentences(text) == ["the housing 12 is shown in fig. 1.",
                                      "the lid 14 is hinged, e.g. with a pin."]
