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
    offsets are running sums of the matches' lengths (no match object per token).

    ASCII text is cut lower-cased (one `str.lower` for the text, not one per token; `texts`
    is then sliced from the text when first asked for): lower-casing ASCII moves no token
    boundary unless the text has "/OR" in capitals ("and/or" is two words, "AND/OR" one),
    and then each token is lowered on its own."""

    __slots__ = ("_texts", "ends", "lows", "source", "starts")

    def __init__(self, text: str) -> None:
        self.source = text
        ascii_text = text.isascii()
        lowered = text.lower() if ascii_text else ""
        if ascii_text and lowered.count("/or") == text.count("/or"):
            spaced = _SPACED_WORD.findall(lowered)
            lows = written = list(map(str.lstrip, spaced))  # as long as the tokens as written
            self._texts: list[str] | None = None
        else:
            spaced = _SPACED_WORD.findall(text)
            written = self._texts = list(map(str.lstrip, spaced))
            lows = list(map(str.lower, written)) if ascii_text else [
                t.lower().replace("\u2019", "'") for t in written]
        self.lows: list[str] = lows
        self.ends: list[int] = list(accumulate(map(len, spaced)))
        self.starts: list[int] = list(map(sub, self.ends, map(len, written)))

    @property
    def texts(self) -> list[str]:
        """The tokens as written."""
        if self._texts is None:
            self._texts = [self.source[a:b] for a, b in zip(self.starts, self.ends, strict=True)]
        return self._texts

    def __len__(self) -> int:
        return len(self.lows)


def tokenize(text: str) -> Tokens:
    return Tokens(text)
