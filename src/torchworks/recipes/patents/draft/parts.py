"""The parts a disclosure says its subject has, as written ("The lock has a shackle, a body
with a notch and a pin" -> three items with their own modifiers): claim 1's list when the
disclosure states no claim of its own (`builder.py`), and the list splitter the method steps
(`steps.py`) use too.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.chunk import phrases
from torchworks.recipes.patents.draft.disclosure import Disclosure, element_name, is_subject


def subject_parts(disclosure: Disclosure) -> list[str]:
    """What the subject is said to have ("The lock has a shackle and a body with a notch"):
    each listed part with its own modifiers, as written, in a non-optional sentence."""
    optional = {f.sentence for f in disclosure.features}
    parts: list[str] = []
    has = re.compile(r"\b(?:has|have|includes?|comprises?|contains?|consists of|is provided "
                     r"with)\s+", re.IGNORECASE)
    for index, sentence in enumerate(disclosure.sentences):
        if index in optional or index in disclosure.aside:
            continue
        first = next(iter(phrases(sentence)), None)
        if first is None or (not is_subject(element_name(first), disclosure.subject) and \
                element_name(first) != disclosure.subject):
            continue
        match = has.match(sentence, first.end + 1) or has.match(sentence, first.end)
        if not match:
            continue
        rest = re.split(r"[;.]|,\s+(?:which|wherein|whereby|so that)\b", sentence[match.end():])[0]
        for part in list_items(rest):
            if phrases(part) and len(part.split()) <= 20 and not _FINITE.search(part):
                parts.append(part)
    return parts


# A listed part that holds its own finite verb is a sentence, not a part ("a heat received at
# a heat exchanger is transferred to a condenser").
_FINITE = re.compile(r"(?<!\bthat)(?<!\bwhich)(?<!\bwherein)\s(?:is|are|was|were)\s")


def list_items(text: str) -> list[str]:
    """"a shackle, a body with a notch and a pin" -> its three items; the "and" of "between
    A and B" stays inside its item."""
    items, current = [], ""
    for piece in re.split(r"(,\s*(?:and\s+)?|\s+and\s+(?=(?:a|an|one|two|at least)\s))", text):
        if re.fullmatch(r",\s*(?:and\s+)?|\s+and\s+", piece):
            if re.search(r"\bbetween\s+(?!.*\band\b)", current) and "and" in piece:
                current += piece
                continue
            items.append(current.strip(" ,"))
            current = ""
        else:
            current += piece
    items.append(current.strip(" ,"))
    return [item for item in items if item]
