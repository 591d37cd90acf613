"""The steps a disclosure describes, in its words and order, for a method claim.

A method claim needs steps someone performs, and the disclosure says them in one of three
ways: a gerund list ("including parsing pages, identifying rules and presenting displays",
with commas or semicolons), a passive sentence ("a workpiece is heated"), or a relation whose
verb acts on a thing ("a motor retracts a pin"). The builder writes them with the claim's
articles.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.draft.disclosure import Disclosure
from torchworks.recipes.patents.draft.parts import list_items
from torchworks.recipes.patents.draft.statement import passive_steps
from torchworks.recipes.patents.draft.wording import gerund

# Words that open a list of steps: "including parsing ...", "by heating ...", "steps of ...".
_STEP_LIST = re.compile(r"\b(?:including|comprising|includes|comprises|by|steps? of)\s+"
                        r"(?=(?:\w+ly\s+)?\w+ing\b)", re.IGNORECASE)


def method_steps(disclosure: Disclosure) -> list[str]:
    """Steps in the disclosure's words, in its order: the gerund lists it states ("including
    parsing pages, identifying rules and presenting displays"), its passive sentences made
    active ("a workpiece is heated" -> "heating a workpiece"), else each relation's verb as a
    gerund ("a motor retracts a pin" -> "retracting a pin")."""
    listed: list[str] = []
    for index, sentence in enumerate(disclosure.sentences[:8]):
        if index in disclosure.aside:
            continue
        for match in _STEP_LIST.finditer(sentence):
            listed += _semicolon_steps(sentence[match.end():])
            tail = re.split(r"[;.]", sentence[match.end():])[0]
            listed += [item for item in list_items(tail)
                       if re.match(r"(?:\w+ly\s+)?\w+ing\b", item) and 3 <= len(item.split()) <= 25]
        listed += passive_steps(sentence)
        for relation in disclosure.relations:  # "the cutter severs the tube": severing it
            verb, _, rest = relation.clause.partition(" ")
            step = gerund(verb) if relation.sentence == index else ""
            if step and re.match(r"(?:a|an|the|said|each)\s", rest):  # acts on a thing
                listed.append(f"{step} {rest}")
    unique = list(dict.fromkeys(listed))
    return unique[:5]


def _semicolon_steps(tail: str) -> list[str]:
    """"determining a first ratio from a signal; determining a second ratio ...; and diagnosing
    an error ...": steps a sentence lists with semicolons, each a gerund clause whose commas
    are its own; [] when the list is not so written."""
    pieces = re.split(r";\s*(?:and\s+)?", tail.rstrip(" ."))
    steps = []
    for piece in pieces:
        if not re.match(r"(?:\w+ly\s+)?\w+ing\b", piece) or not 3 <= len(piece.split()) <= 45:
            break
        steps.append(piece.strip(" ,"))
    return steps if len(steps) >= 2 else []
