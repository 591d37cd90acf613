"""Noun phrases in claim text, without a tagger: the words between function words.

Claim language is regular enough for this: an element is introduced as "a/an/one or more X"
and referred to as "the/said X", and X runs until a preposition, a verb, a conjunction or
punctuation. Each `Mention` records how X was introduced (its determiner), so the antecedent
rules can tell an introduction from a reference. "a first one of the polymer materials"
also introduces "first polymer material", and an acronym defined inside a term ("a session
initiation protocol (SIP) server") gives the term in both spellings. Words are compared by
`stem`, so "panels", "panel" and "paneling" match, as do "heating" and "heat".
"""

from __future__ import annotations

from collections.abc import Sequence

from torchworks.recipes.patents.claims.lexicon import DEFINITE, INDEFINITE, ORDINALS, STOP
from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.ordinal_lists import ordinal_list, plural_verb, split_ordinal
from torchworks.recipes.patents.claims.tokens import Tokens, tokenize
from torchworks.recipes.patents.claims.wordforms import (
    INSIDE,
    inside,
    phrase_stems,
    trimmed,
)

# Stop words that are also modifiers of a term when a determiner comes right before them and a
# noun right after ("the forward surface", "the via hole", "an inside wall").
MODIFIERS = frozenset({"forward", "rearward", "upward", "downward", "inward", "outward",
                       "backward", "via", "inside", "outside"})


class Mention:
    """A noun phrase: `words` as written (lower case), `determiner` before it ("" if bare).

    `followed_by` is the lower-cased token after the phrase ("of" marks "the X of Y", whose X
    is usually an inherent part of Y and needs no antecedent of its own); `proper`: a
    capitalized word mid-claim starts it, a name ("the Internet"). Stems are computed once
    per distinct phrase (`_PHRASES`): `head` is the stem set of the term without a trailing
    verb or adjective (`trimmed`), `versions` the stem sets of each of its `trimmed` versions.
    """

    __slots__ = (
        "definite",
        "determiner",
        "end",
        "followed_by",
        "head",
        "proper",
        "start",
        "stem_set",
        "stems",
        "versions",
        "words",
    )

    def __init__(self, words: tuple[str, ...], determiner: str, start: int, end: int,
                 followed_by: str = "", proper: bool = False) -> None:
        self.determiner = determiner
        self.start = start
        self.end = end
        self.followed_by = followed_by
        self.proper = proper
        self.definite = determiner in DEFINITE
        self.words, self.stems, self.stem_set, self.head, self.versions = _PHRASES[words]

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def _phrase_stems(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...],
                                                  frozenset[str], frozenset[str],
                                                  tuple[frozenset[str], ...]]:
    """The phrase itself (the one copy every mention of it shares, so a claim's token strings
    are freed with its tokens), its stems, their set, its head's stem set and its versions'
    (see `Mention`)."""
    stems = phrase_stems(words)
    versions = trimmed(words)
    return (words, stems, frozenset(stems), frozenset(phrase_stems(versions[-1])),
            tuple(frozenset(phrase_stems(version)) for version in versions))


_PHRASES = Memo(_phrase_stems)


def mentions(text: str, tokens: Tokens | None = None) -> list[Mention]:
    """Every noun phrase in `text` in order, with the determiner that precedes it (`tokens`:
    the text's tokens, when the caller has them already). Most tokens are a plain stop word,
    a plain determiner or a plain term word (`_kind`); only the others take the long path."""
    tokens = tokenize(text) if tokens is None else tokens
    lows, starts, ends, source = tokens.lows, tokens.starts, tokens.ends, tokens.source
    n = len(lows)
    found: list[Mention] = []
    definite, ordinals_ = DEFINITE, ORDINALS
    kinds = list(map(_KIND.__getitem__, lows))  # both tables are read in C, a token at a time
    insides = list(map(INSIDE.__getitem__, lows))
    insides.append(False)  # a sentinel: the phrase loop needs no bounds test
    determiner = prefix = numbered = ""
    ordinals: list[str]
    lead: tuple[str, ...]
    i = 0
    while i < n:
        low = lows[i]
        kind = kinds[i]
        if kind == _BREAK:
            determiner = numbered = ""
            i += 1
            continue
        if kind == _DETERMINER:
            determiner = "the" if low in definite else low
            i += 1
            continue
        if kind == _TERM:
            ordinals, j = [], i
        else:
            seconds = _QUANTIFIER_SECONDS.get(low)  # "a" is mostly just an article
            skip = _quantifier(lows, i) if seconds and i + 1 < n and lows[i + 1] in seconds \
                else 0
            if skip:
                determiner = determiner if determiner in definite else "a"
                i += skip
                continue
            if determiner and low in ordinals_:
                if determiner not in definite and i + 3 < n and lows[i + 1] == "one" \
                        and lows[i + 2] == "of" and lows[i + 3] in definite:
                    numbered = low  # "a first one of the polymer materials"
                    i += 3
                    continue
                if i + 2 < n and lows[i + 1] == "plurality" and lows[i + 2] == "of":
                    prefix = low  # "a first plurality of receptacles": the "first receptacles"
                    i += 3
                    continue
            if low in definite or low in INDEFINITE:
                determiner = "the" if low in definite else low
                i += 1
                continue
            if not low[:1].isalpha() or low.endswith("ly") or (low in STOP and not (
                    determiner and low in MODIFIERS and _noun_follows(lows, i))):
                determiner = numbered = ""
                i += 1
                continue
            ordinals, i = ordinal_list(lows, i) if low in ordinals_ else ([], i)
            j = i + 1 if low in MODIFIERS or (ordinals and plural_verb(lows[i])) else i
        while insides[j]:
            j += 1
        if j == i:
            continue
        begin, lead = i, ()
        if j < n and lows[j - 1] in ordinals_ and lows[j] in (",", "and", "or"):
            i, j, lead, ordinals = split_ordinal(lows, begin, j, ordinals, bool(determiner))
        words = tuple(lows[i:j]) if not lead or lead[0] != "," else lead[1:] + tuple(lows[i:j])
        lead = () if lead[:1] == (",",) else lead
        if j < n and lows[j] == "(":  # an acronym or a reference sign may follow
            versions, j = _with_acronym(tokens, words, j)
            if determiner in definite:
                versions = versions[:1]  # a reference is looked up as written in full
            after = _word_after(tokens, j)
        else:
            versions, after = (words,), lows[j] if j < n else ""
        start, end = starts[begin], ends[j - 1]
        proper = start > 0 and source[start].isupper() \
            and not source[start:ends[begin]].isupper()  # "the Internet", not "the CPU"
        if not ordinals and not prefix and len(versions) == 1:
            found.append(Mention(versions[0], determiner, start, end, after, proper))
        else:
            choices: Sequence[str | None] = ordinals or [prefix or None]
            for ordinal in choices:
                for version in versions:
                    phrase = version if ordinal is None else (*lead, ordinal, *version)
                    found.append(Mention(phrase, determiner, start, end, after, proper))
        if numbered:
            found.append(Mention((numbered, *words), "a", start, end, after, proper))
        determiner = prefix = numbered = ""
        i = j
    return _paired(text, found) if " and " in text or " or " in text else found


# Adjectives that come in pairs before one plural noun: "central and peripheral regions" names
# a central region and a peripheral region.
_PAIRED = frozenset({"inner", "outer", "upper", "lower", "front", "rear", "left", "right",
                     "top", "bottom", "central", "peripheral", "proximal", "distal", "inlet",
                     "outlet", "male", "female", "positive", "negative", "input", "output",
                     "primary", "secondary", "leading", "trailing", "forward", "rearward"})


def _paired(text: str, found: list[Mention]) -> list[Mention]:
    """`found` with "central region" added after "central" in "central and peripheral
    regions" (the first adjective of the pair is read as a phrase of its own)."""
    if _PAIRED.isdisjoint([m.words[0] for m in found if len(m.words) == 1]):
        return found  # no one-word phrase can start a pair
    out: list[Mention] = []
    for k, mention in enumerate(found):
        out.append(mention)
        after = found[k + 1] if k + 1 < len(found) else None
        if after is None or len(mention.words) != 1 or mention.words[0] not in _PAIRED \
                or len(after.words) < 2 or after.words[0] not in _PAIRED \
                or text[mention.end:after.start].strip() not in ("and", "or"):
            continue
        out.append(Mention((mention.words[0], *after.words[1:]), mention.determiner,
                           mention.start, after.end, after.followed_by, mention.proper))
    return out


_BREAK, _DETERMINER, _TERM, _OTHER = range(4)


def _kind(low: str) -> int:
    """How `mentions` treats a token when nothing around it matters: a stop word, number or
    mark or -ly word ends a phrase; a determiner sets the next phrase's; a term word starts
    one. Quantifier starts, ordinals and modifiers depend on their neighbours (`_OTHER`)."""
    if low in _QUANTIFIER_STARTS or low in ORDINALS or low in MODIFIERS:
        return _OTHER
    if low in DEFINITE or low in INDEFINITE:
        return _DETERMINER
    if not low[:1].isalpha() or low.endswith("ly") or low in STOP:
        return _BREAK
    return _TERM


def _with_acronym(tokens: Tokens, words: tuple[str, ...],
                  j: int) -> tuple[tuple[tuple[str, ...], ...], int]:
    """The phrase's versions and where it ends, past an acronym defined inside it: "a session
    initiation protocol (SIP) server" is both "session initiation protocol server" and "SIP
    server"; "an input direct current (DC) voltage" is also "input DC voltage"; "a light
    emitting diode (LED)" is also "LED"."""
    lows = tokens.lows
    if not (j + 2 < len(lows) and lows[j] == "(" and lows[j + 2] == ")"):
        return (words,), j
    acronym = tokens.texts[j + 1]
    if not (2 <= len(acronym) <= 6 and acronym.isalpha() and acronym.isupper()):
        return (words,), j
    n = len(acronym)
    if n <= len(words) and "".join(w[0] for w in words[-n:]) == acronym.lower():
        short = (*words[:-n], acronym.lower())
    else:
        short = (acronym.lower(),)
    k = j + 3
    while k < len(lows) and inside(lows[k]):
        k += 1
    if k == j + 3:
        return (words, short), j
    rest = tuple(lows[j + 3:k])
    return ((*words, *rest), (*short, *rest)), k


def _word_after(tokens: Tokens, j: int) -> str:
    """The token after a phrase ending before `j`, past a reference sign: in "the second
    subset (20) comprises" the phrase is followed by "comprises", not by "(" (which would read
    as a definition in place)."""
    lows = tokens.lows
    if j + 2 < len(lows) and lows[j] == "(" and lows[j + 2] == ")":
        sign = tokens.texts[j + 1]
        if len(sign) <= 4 and (sign[:1].isdigit() or sign.isupper()):
            j += 3
    return lows[j] if j < len(lows) else ""


_QUANTIFIERS = (("at", "least", "one", "of"), ("at", "least", "one"), ("at", "least", "two"),
                ("one", "or", "more", "of"), ("one", "or", "more"), ("a", "plurality", "of"),
                ("plurality", "of"), ("each", "of"), ("a", "pair", "of"), ("a", "set", "of"),
                ("a", "number", "of"), ("one", "of"), ("two", "or", "more"), ("all", "of"),
                ("any", "of"), ("at", "most", "one"), ("both", "of"))
_QUANTIFIER_STARTS: dict[str, list[tuple[str, ...]]] = {}
for _pattern in _QUANTIFIERS:
    _QUANTIFIER_STARTS.setdefault(_pattern[0], []).append(_pattern)
# first word -> the second words its patterns have (every pattern has two or more words)
_QUANTIFIER_SECONDS = {first: frozenset(p[1] for p in patterns)
                       for first, patterns in _QUANTIFIER_STARTS.items()}


def _quantifier(lows: list[str], i: int) -> int:
    """Tokens taken by "at least one (of)", "one or more (of)", "a plurality of", "each of",
    "a pair of", "a set of", "a number of": the phrase after them is introduced in plural."""
    patterns = _QUANTIFIER_STARTS.get(lows[i])
    if not patterns:
        return 0
    words = tuple(lows[i:i + 4])
    for pattern in patterns:
        if words[: len(pattern)] == pattern:
            return len(pattern)
    return 0


def _noun_follows(lows: list[str], i: int) -> bool:
    if i + 1 >= len(lows):
        return False
    after = lows[i + 1]
    return after[:1].isalpha() and after not in STOP and after not in DEFINITE \
        and after not in INDEFINITE


_KIND: Memo[str, int] = Memo(_kind)


