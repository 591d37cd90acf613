"""Claim text as tokens: words, numbers and punctuation marks with their offsets, cut by one
regex so the noun-phrase reader (`terms`) walks plain lists."""

from __future__ import annotations

import re
from itertools import accumulate
from operator import sub

# A word may join parts with "-", "'" or "/" ("fuel/air", "inlet/outlet"), but "and/or" is two
# conjunctions.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'\u2019][A-Za-z0-9]+|/(?!or\b)[A-Za-z][A-Za-z0-9]*)*"
                   r"|\d+(?:[.,]\d+)*|[^\sA-Za-z0-9]")
_SPACED_WORD = re.compile(r"\s*(?:" + _WORD.pattern + ")")  # a token with the space before it


class Tokens:
    """A text's words, numbers and punctuation marks as parallel lists, made by the regex
    engine in one pass (no object per token: the checker reads 50,000-claim sets).
    `texts` as written, `lows` lower-cased with "\u2019" as "'" ("the user\u2019s skin");
    token i spans `starts[i]:ends[i]` in the text. Every character that is not white space
    belongs to a token, so each match is a token with the white space before it, and the
    offsets are running sums of the matches' lengths (no match object per token)."""

    __slots__ = ("ends", "lows", "starts", "texts")

    def __init__(self, text: str) -> None:
        spaced = _SPACED_WORD.findall(text)
        texts = list(map(str.lstrip, spaced))
        self.texts: list[str] = texts
        self.ends: list[int] = list(accumulate(map(len, spaced)))
        self.starts: list[int] = list(map(sub, self.ends, map(len, texts)))
        # Lower-casing ASCII changes no token boundary, so each token is lowered on its own.
        self.lows: list[str] = list(map(str.lower, texts)) if text.isascii() else [
            t.lower().replace("\u2019", "'") for t in texts]

    def __len__(self) -> int:
        return len(self.lows)


def tokenize(text: str) -> Tokens:
    return Tokens(text)
