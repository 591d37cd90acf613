"""Section detection on the headings drafters actually write."""

from __future__ import annotations

import pytest

from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.sections import (
    assemble_sections,
    blocks_from_text,
    classify_heading,
    split_claims,
)


@pytest.mark.parametrize(("heading", "kind"), [
    ("CROSS REFERENCE TO RELATED APPLICATION", S.RELATED),
    ("PRIORITY CLAIM", S.RELATED),
    ("Field OF Invention", S.FIELD),
    ("1. Technical Field", S.FIELD),
    ("TECHNICAL FIELD", S.FIELD),
    ("BACKGROUND ART", S.BACKGROUND),
    ("2. Description of the Related Art", S.BACKGROUND),
    ("DISCLOSURE OF THE INVENTION", S.SUMMARY),
    ("Means for Solving the Problems", S.SUMMARY),
    ("BACKGROUND AND SUMMARY", S.SUMMARY),
    ("BRIEF DESCRIPTION OF THE FIGURES", S.DRAWINGS),
    ("DETAILED DESCRIPTION OF THE DRAWINGS", S.DRAWINGS),
    ("BEST MODE FOR CARRYING OUT THE INVENTION", S.DETAILED),
    ("DETAILED DESCRIPTION OF SPECIFIC EMBODIMENTS", S.DETAILED),
    ("What is claimed is:", S.CLAIMS),
    ("First Embodiment", None),
    ("Example 1-1", None),
    ("Field Effect Transistors", None),
])
def test_real_headings_are_classified(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


def test_subheadings_keep_the_section_and_numbered_field_headings_open_one() -> None:
    text = ("BACKGROUND OF THE INVENTION\n1. Field of the Invention\n"
            "The present invention relates to memory.\n2. Description of the Related Art\n"
            "Memories are known.\nDETAILED DESCRIPTION\nFirst Embodiment\n"
            "A first embodiment is a memory cell.\nSecond Embodiment\nA second one.")
    sections = assemble_sections(blocks_from_text(text))
    assert [(s.kind, len(s.paragraphs)) for s in sections] == [
        (S.FIELD, 1), (S.BACKGROUND, 1), (S.DETAILED, 2)]


def test_one_line_description_gets_its_inline_headings_back() -> None:
    body = "The present invention relates to widgets. " * 30
    text = (f"TECHNICAL FIELD {body} BACKGROUND OF THE INVENTION {body} "
            f"SUMMARY OF THE INVENTION In one aspect a widget is provided. {body}")
    kinds = [s.kind for s in assemble_sections(blocks_from_text(text))]
    assert kinds == [S.FIELD, S.BACKGROUND, S.SUMMARY]


def test_claims_split_by_counting_numbers_not_at_every_digit() -> None:
    text = ("1. A device comprising a housing 12. The housing has a lid.\n"
            "2. The device of claim 1, wherein the lid 14 is hinged.\n"
            "3. The device of claim 2. wherein the hinge is steel.")
    assert split_claims(text) == [
        "A device comprising a housing 12. The housing has a lid.",
        "The device of claim 1, wherein the lid 14 is hinged.",
        "The device of claim 2. wherein the hinge is steel.",
    ]
