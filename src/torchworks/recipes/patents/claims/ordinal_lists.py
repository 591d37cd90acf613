"""Lists of ordinals in a term: "first and second outer layers" names a first outer layer and
a second outer layer, "a first and a second L-shaped frame" too, and "a second, complementary
shell" is one second complementary shell. `terms.mentions` asks these when an ordinal starts
or ends a phrase; they are apart from it because they look past the phrase's end.
"""

from __future__ import annotations

from torchworks.recipes.patents.claims.lexicon import (
    BARE_VERBS,
    DEFINITE,
    INDEFINITE,
    ORDINALS,
    STOP,
)
from torchworks.recipes.patents.claims.wordforms import inside as _inside
from torchworks.recipes.patents.claims.wordforms import participle

_LIST_ARTICLES = frozenset({"a", "an", "the", "said"})


def split_ordinal(lows: list[str], i: int, j: int, ordinals: list[str],
                   determined: bool) -> tuple[int, int, tuple[str, ...], list[str]]:
    """A phrase `lows[i:j]` that ends in an ordinal before "and", "or" or a comma: "separate
    first and second compartments" and "define first and second flow paths" name a first
    and a second one (a word before the list that is not a verb leads each phrase); "a
    second, complementary shell" is the second complementary shell. Returns the noun's start
    and end, the leading words (a "," first for the comma form) and the ordinals."""
    if lows[j] == "," and determined and j - i == 1 and j + 1 < len(lows) \
            and _inside(lows[j + 1]) and lows[j + 1] not in ORDINALS:
        k = j + 1
        while k < len(lows) and _inside(lows[k]):
            k += 1
        return j + 1, k, (",", lows[i]), ordinals
    if ordinals or j - i < 2:
        return i, j, (), ordinals
    listed, k = ordinal_list(lows, j - 1)
    if not listed:
        return i, j, (), ordinals
    end = k + 1 if k < len(lows) and plural_verb(lows[k]) else k
    while end < len(lows) and _inside(lows[end]):
        end += 1
    if end == k:
        return i, j, (), ordinals
    lead = tuple(w for w in lows[i:j - 1] if not participle(w) and w not in BARE_VERBS)
    return k, end, lead, listed


def plural_verb(low: str) -> bool:
    """A stop word that is a verb in -s but a plural noun after an ordinal list: "first and
    second contacts", "first and second supports" (a list of ordinals always names a noun)."""
    return low in STOP and len(low) > 4 and low.isalpha() and low.endswith("s") \
        and low not in DEFINITE and low not in INDEFINITE


def ordinal_list(lows: list[str], i: int) -> tuple[list[str], int]:
    """"first and second outer layers" names two phrases: (["first", "second"], index of
    "outer"). Returns ([], i) when `i` does not start such a list."""
    ordinals: list[str] = []
    j = i
    while j < len(lows) and lows[j] in ORDINALS:
        ordinals.append(lows[j])
        k = j + 1
        while k < len(lows) and lows[k] in (",", "and", "or"):
            k += 1
        if k > j + 1 and k + 1 < len(lows) and lows[k] in _LIST_ARTICLES \
                and lows[k + 1] in ORDINALS:
            k += 1  # "a first and a second L-shaped frame", "said first and said second arm"
        if k == j + 1 or k >= len(lows) or lows[k] not in ORDINALS:
            return (ordinals, j + 1) if len(ordinals) > 1 else ([], i)
        j = k
    return ([], i)
