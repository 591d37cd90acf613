"""A sentence splitter for patent prose.

Generic splitters break patents at every "FIG. 1", "Ser. No. 09/312,927", "e.g." or "approx.",
and at reference numerals ("the housing 12. The lid 14 ...") they must not swallow the real
boundary. This one splits only at ". ", "? " or "! " (plus closing quotes/brackets) when:

- the word before the stop is not a known abbreviation (FIG, FIGS, No, Ser, Pat, e.g, i.e,
  approx, wt, et al, ...), not a dotted abbreviation ("U.S."), and not a lone capital initial;
- the next text starts like a sentence: a capital, a digit, a quote or bracket, or a chemical
  locant prefix such as "p-Toluene", "n-butyl", "tert-Butyl" or "1,2-" (in an all-lowercase
  paragraph, any letter).

Paragraph breaks (newlines) always end a sentence; a leading paragraph number ("[0012]",
"12.") is removed by `strip_paragraph_number`, not treated as a sentence.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset([
    "fig", "figs", "no", "nos", "ser", "pat", "pats", "appl", "publ", "pub", "app", "apps", "eg",
    "ie", "al", "approx", "ca", "cf", "vs", "viz", "resp", "esp", "incl", "wt", "vol", "vols",
    "mol", "eq", "eqs", "ex", "exs", "ref", "refs", "sec", "secs", "min", "hr", "hrs", "deg",
    "temp", "conc", "ltd", "inc", "co", "corp", "dr", "mr", "mrs", "ms", "prof", "st", "jr",
    "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "art", "arts", "para", "paras", "ch", "chap", "pp", "pg", "tab", "ed", "eds", "dept", "univ",
    "int", "intl", "mfg", "avg", "dia", "ht", "lb", "lbs", "oz", "ft", "sq",
])

# a stop, optional closing quotes/brackets, whitespace; the match is a candidate boundary
_CANDIDATE = re.compile(r"[.!?][\"'”’)\]]*\s+")
_WORD_BEFORE = re.compile(r"([\w.&-]+)[.!?][\"'”’)\]]*$")
_SENTENCE_START = re.compile(
    r"""(?:[A-Z0-9"'“‘(\[]        # capital, digit, quote or bracket
        |(?:[a-z]{1,4}|sec|tert|iso|cis|trans)-   # chemical prefix: p-, n-, tert-
        |[α-ωΑ-Ω])""",
    re.VERBOSE,
)
_PARAGRAPH_NUMBER = re.compile(r"^\s*(?:\[\d{1,5}\]|\d{1,4}\s?\.(?=\s+[A-Z(\"“]))\s*")


def strip_paragraph_number(paragraph: str) -> str:
    """Remove a leading "[0012]" or "12." paragraph number (kept nowhere else in the text)."""
    return _PARAGRAPH_NUMBER.sub("", paragraph, count=1)


def _is_abbreviation(text_before: str) -> bool:
    match = _WORD_BEFORE.search(text_before)
    if not match:
        return False
    word = match.group(1)
    lower = word.lower()
    if lower in ABBREVIATIONS or lower.rstrip(".") in ABBREVIATIONS:
        return True
    if "." in word.strip("."):  # dotted abbreviation: U.S., e.g., i.e., a.m.
        return True
    if len(word) == 1 and word.isupper():  # an initial ("J. Smith"), but not "at 78° C."
        before = text_before[:match.start()].rstrip()
        return not (before.endswith("°") or before[-1:].isdigit())
    return False


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences; newlines are hard paragraph boundaries."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        # lowercased corpora (some BigPatent releases) have no capitals to start sentences
        lowercased = paragraph.islower()
        start = 0
        for match in _CANDIDATE.finditer(paragraph):
            end = match.end()
            if end >= len(paragraph):
                break
            if not (_SENTENCE_START.match(paragraph, end)
                    or (lowercased and paragraph[end].isalpha())):
                continue
            if _is_abbreviation(paragraph[start:match.start() + 1]):
                continue
            sentence = paragraph[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
