"""Claim references: "claim 3", "claims 1-3", "any one of the preceding claims", as the
parents a dependent claim names and every claim it cites. Kept apart from `parse` (which
splits a text into claims and calls `find_references` for each) so each stays short."""

from __future__ import annotations

import re
from itertools import chain

# "claim 3", "claims 1-3", "claims 1, 2 or 5", "claim 1 or claim 2", "any one of claims 1 to 4"
# A number followed by "%" is an amount ("claims 1 and 2 to 3 and 90-0% by weight of ..."), not
# a claim.
_NUM = r"\d{1,5}(?:[ \t]*(?:-|–|to|through)[ \t]*\d{1,5})?(?![\d%]|[ \t]*(?:[-–][ \t]*\d+)?[ \t]*%)"
REFERENCE = re.compile(
    rf"\bclaims?[ \t]+({_NUM}(?:[ \t]*(?:,|,?[ \t]*or|,?[ \t]*and)[ \t]*"
    rf"(?:claims?[ \t]+)?{_NUM})*)",
    re.IGNORECASE,
)
# "any one of the preceding claims", "one or more of the previous claims", "all preceding claims"
_ALL_PRECEDING = re.compile(r"\b(?:any|one|all|each|either|one\s+or\s+more)\s+(?:one\s+)?"
                            r"(?:of\s+)?(?:the\s+)?(?:preceding|previous|foregoing|prior|"
                            r"above(?:-mentioned)?|aforementioned|aforesaid)\s+claims?\b",
                            re.IGNORECASE)
_PRECEDING_WORDS = ("preceding", "previous", "foregoing", "prior", "above", "aforementioned",
                    "aforesaid")  # one of them is in every match of _ALL_PRECEDING
_ALTERNATIVE = re.compile(r"\bor\b|\bany\b|\bone of\b|\beither\b", re.IGNORECASE)
_MAX_RANGE = 1000  # "claims 1-999999" is a typo, not a thousand parents


def find_references(text: str, number: int) -> tuple[list[int], list[int], str, bool]:
    """(parents, every claim cited, the words naming the parents, alternative form?).

    The first reference names the parents ("The cup of claim 2"); later ones ("... the lid of
    claim 1") cite a claim without adding a dependency, but must still exist and come earlier.
    """
    low = text.lower() if text.isascii() else None  # cheap tests before the patterns' scans
    if low is not None and "claim" not in low:
        return [], [], "", False  # both patterns need the word
    groups: list[tuple[int, str, list[int], bool]] = []  # (offset, words, numbers, alternative)
    for match in reference_matches(text):
        numbers = expand_numbers(match.group(1))
        groups.append((match.start(), match.group(0), numbers,
                       len(numbers) > 1 and _alternative(text, match)))
    preceding = _ALL_PRECEDING.search(text) if low is None or any(
        word in low for word in _PRECEDING_WORDS) else None
    if preceding:
        groups.append((preceding.start(), preceding.group(0), list(range(1, number)),
                       "all" not in preceding.group(0).lower()))
    if not groups:
        return [], [], "", False
    groups.sort(key=lambda g: g[0])
    _, words, parents, alternative = groups[0]
    cited = list(dict.fromkeys(chain.from_iterable(numbers for _, _, numbers, _ in groups)))
    return parents, cited, words, alternative


def reference_matches(text: str) -> list[re.Match[str]]:
    """`REFERENCE.finditer(text)`, found faster: every match starts with the word "claim", so
    on ASCII text the pattern is tried only where `str.find` finds the word (the regex engine
    would try it at every character). Matches are taken left to right without overlap, as
    `finditer` takes them."""
    if not text.isascii():
        return list(REFERENCE.finditer(text))
    low = text.lower()
    found = []
    at = low.find("claim")
    while at >= 0:
        match = REFERENCE.match(text, at)
        if match:
            found.append(match)
            at = low.find("claim", match.end())
        else:
            at = low.find("claim", at + 1)
    return found


def without_references(text: str, replacement: str) -> str:
    """`REFERENCE.sub(replacement, text)`, with the matches of `reference_matches`."""
    parts, last = [], 0
    for match in reference_matches(text):
        parts.append(text[last:match.start()])
        parts.append(replacement)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _alternative(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 20):match.start()]
    return bool(_ALTERNATIVE.search(match.group(1)) or re.search(r"\b(?:any|one of|either)\b",
                                                                  before, re.IGNORECASE))


def expand_numbers(numbers: str) -> list[int]:
    result: dict[int, None] = {}  # ordered and de-duplicated in linear time
    for first, last in re.findall(r"(\d{1,5})(?:\s*(?:-|–|to|through)\s*(\d{1,5}))?", numbers):
        low = int(first)
        high = int(last) if last else low
        if high < low or high - low > _MAX_RANGE:
            high = low
        result.update(dict.fromkeys(range(low, high + 1)))
    return list(result)
