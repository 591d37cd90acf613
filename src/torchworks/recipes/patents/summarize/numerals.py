"""Dropping reference numerals from extracted sentences: "the housing 12 holds the lid 14a"
-> "the housing holds the lid".

A reference numeral labels a part in the drawings; out of the drawings' context it is noise
in a summary. It is recognisable by grammar: a number (optionally with a letter or prime,
or a list/range of such: "arms 20a, 20b", "rollers 30-34", "(12)") right after a noun-like
word. A number is kept when dropping it would change the meaning or the grammar: after a
word that takes a number ("claim 1", "FIG. 2", "step 3", "about 5", "of 10", "at least 2"),
before a unit ("12 mm", "5%", "30 degrees"), a lone digit before the noun it counts
("2 rollers"), or when the word before it is capitalised
("Example 3", "Table 2", "SEQ ID NO 4").
"""

from __future__ import annotations

import re

# words after which a number is a quantity or a name, not a drawing label
_KEEPS_LIST = """
about above after again against all almost among an and any approximately are around as at
be been before below between beyond but by can chapter claim claims col column columns than
could degree degrees each embodiment embodiments equal equals every example examples exceed
exceeding exceeds fewer fig figs figure figures for formula from group greater has have having
in including into is item least less line lines list lists more most no nor not number numbers
of on only or over page pages paragraph paragraph per phase plus range ranging reaching sample
samples section sections sequence ser set size some step steps table than that the then there
these this those through times to total type under up upto version was were which with within
year years zone numeral numerals character characters designated denoted indicated labeled
labelled referenced numbered
"""
_KEEPS_NUMBER = frozenset(_KEEPS_LIST.split())

_LABEL = r"\d{1,4}[a-zA-Z]?['′]{0,2}"
_LABELS = rf"{_LABEL}(?:\s*(?:,|-|–|and|or|to|through)\s*{_LABEL})*"
# a unit is a whole word: "12 mA" is a current, "system 12 may" and "clip 14 made" are labels
_UNIT_AFTER = re.compile(
    r"\s*(?:%|°|(?:mm|cm|nm|µm|um|m|km|kg|mg|g|mol|ml|l|hz|khz|mhz|ghz|v|mv|kv|a|ma|w|"
    r"kw|s|ms|sec|min|h|hours?|days?|percent|degrees?|times|bits?|bytes?|x|psi|pa|kpa|"
    r"mpa|rpm|dpi|inch|inches|feet|ft|wt|ppm)\b)",
    re.IGNORECASE,
)
# after a lone digit, a word that is no counted noun: "shaft 4 within", "buckle 8 comprises"
_COUNTED = re.compile(r" (?!(?:and|or|is|are|has|have|of|in|on|to|with|which|that|for|"
                      r"may|can|being|was|were|within|from|at|by|as|into|onto|through|when|"
                      r"where|while|so|comprises|comprising|includes|including|contains|"
                      r"containing|defines|defining|extends|extending|forms|forming|provides|"
                      r"providing|made|formed|mounted|connected|attached|disposed)\b)[a-z]")
_CANDIDATE = re.compile(
    rf"(?P<word>\b[A-Za-z][A-Za-z-]*)(?P<gap>\s+)(?:\((?P<par>{_LABELS})\)|(?P<bare>{_LABELS}))"
    rf"(?=[\s,.;:)]|$)"
)


def _keep(match: re.Match[str], text: str) -> bool:
    word = match.group("word")
    if word.lower() in _KEEPS_NUMBER or word[0].isupper():
        return True
    if _UNIT_AFTER.match(text, match.end()):
        return True
    # "uses 2 rollers": a lone digit before a noun counts something
    return bool(re.fullmatch(r"\d", match.group("bare") or "")
                and _COUNTED.match(text, match.end()))


def drop_reference_numerals(text: str) -> str:
    """`text` without the drawing labels that follow its nouns; everything else untouched."""

    def replace(match: re.Match[str]) -> str:
        if _keep(match, text):
            return match.group(0)
        return match.group("word")

    cleaned = _CANDIDATE.sub(replace, text)
    cleaned = re.sub(r"\s+([,.;:)])", r"\1", cleaned)
    return re.sub(r"\s{2,}", " ", cleaned).strip()
