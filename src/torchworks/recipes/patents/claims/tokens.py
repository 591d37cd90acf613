"""Claim text as tokens: words, numbers and punctuation marks with their offsets, cut by one
regex so the noun-phrase reader (`terms`) walks plain lists."""

from __future__ import annotations

import re
from itertools import accumulate
from operator import add, sub

# A word may join parts with "-", "'" or "/" ("fuel/air", "inlet/outlet"), but "and/or" is two
# conjunctions.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'\u2019][A-Za-z0-9]+|/(?!or\b)[A-Za-z][A-Za-z0-9]*)*"
                   r"|\d+(?:[.,]\d+)*|[^\sA-Za-z0-9]")
_SPACED_WORD = re.compile(r"(\s*)(" + _WORD.pattern + ")")


class Tokens:
    """A text's words, numbers and punctuation marks as parallel lists, made by the regex
    engine in one pass each (no object per token: the checker reads 50,000-claim sets).
    `texts` as written, `lows` lower-cased with "\u2019" as "'" ("the user\u2019s skin");
    token i spans `starts[i]:ends[i]` in the text. Every character that is not white space
    belongs to a token, so the offsets are running sums of the lengths of each token and the
    white space before it (no match object per token)."""

    __slots__ = ("ends", "lows", "starts", "texts")

    def __init__(self, text: str) -> None:
        pairs = _SPACED_WORD.findall(text)
        spaces, texts = (list(part) for part in zip(*pairs, strict=True)) if pairs else ([], [])
        self.texts: list[str] = texts
        self.ends: list[int] = list(accumulate(map(add, map(len, spaces), map(len, texts))))
        self.starts: list[int] = list(map(sub, self.ends, map(len, texts)))
        plain = text.replace("\u2019", "'")
        # Lower-casing ASCII text changes no token boundary, so the regex can cut it again.
        self.lows: list[str] = _WORD.findall(plain.lower()) if plain.isascii() else [
            t.lower().replace("\u2019", "'") for t in self.texts]

    def __len__(self) -> int:
        return len(self.lows)


def tokenize(text: str) -> Tokens:
    return Tokens(text)
