"""Which element a noun phrase names: the words kept of it, and the element a short reference means.

Shared by the disclosure's analysis and the relation and feature readers (`relations.py`), and
by the claim builders that look an element up again in their own text, so all of them agree on
what "the two connector parts" or "the pin" (after "a locking pin") is.
"""

from __future__ import annotations

from torchworks.recipes.patents.draft.chunk import ABSTRACT, GENERIC, META, Phrase
from torchworks.recipes.patents.draft.statement import JUDGING


def canonical(name: str, elements: list[str]) -> str:
    """The element a short reference means: "battery" after "a rechargeable battery"."""
    if not name or name in elements:
        return name
    return next((e for e in elements if e.endswith(" " + name)), name)


def element_name(phrase: Phrase) -> str:
    pair = phrase.words[:2] in (("pair", "of"), ("pairs", "of")) and len(phrase.words) > 2
    words = [w for w in phrase.words[2 * pair:] if w not in ("first", "second", "third")]
    if not words or words[-1] in META or words[-1] in ABSTRACT or len(words) > 5 or (
            words[0] in JUDGING) or _DOCUMENT_WORDS & set(words[:-1]):
        return ""  # "invention concerns amide derivatives": the document speaking, no part
    if len(words) == 1 and words[0] in GENERIC:
        return ""
    if pair:  # "a pair of gripping members": the pair, with what it pairs
        return "pair of " + " ".join(phrase.words[2:][-3:])
    named = phrase.words[1:] if phrase.words[0] in _COUNTS and len(phrase.words) > 1 else \
        phrase.words  # "the two connector parts" are the "two connector parts"
    if named[0] in INTENSIFIERS and len(named) > 1:
        named = named[1:]  # "the entire outer perimeter" is the outer perimeter, all of it
    kept = list(named[-4:])
    if len(named) > 4 and named[-5].endswith("ly") and len(kept) > 1:
        kept = kept[1:]  # "normally closed first pressure switch": what the cut adverb
        # graded goes with it ("first pressure switch", not "closed first pressure switch")
    return " ".join(kept)


_DOCUMENT_WORDS = frozenset({"invention", "inventions", "disclosure", "presently"})
_COUNTS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                     "twelve", "multiple", "several", "plural"})
INTENSIFIERS = frozenset({"entire", "whole"})


def is_subject(name: str, subject: str) -> bool:
    """"the lock" refers back to "a bicycle lock": the subject's head alone is the subject."""
    return subject.endswith(" " + name) or name == subject.split()[-1]
