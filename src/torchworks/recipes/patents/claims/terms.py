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

import re
from functools import lru_cache

from torchworks.recipes.patents.claims.lexicon import (
    ABLE_NOUNS,
    BARE_VERBS,
    ING_ED_NOUNS,
    IRREGULAR_PARTICIPLES,
    STOP,
    TRAILING,
)
from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.tokens import Tokens, tokenize

DEFINITE = frozenset({"the", "said"})
# Determiners that introduce a term; multi-word ones are matched as token sequences.
INDEFINITE = frozenset({"a", "an", "another", "one", "plural", "multiple", "several", "some",
                        "two", "three", "four", "five", "six", "many", "any", "no", "each",
                        "every", "all", "both", "either", "only", "single", "respective"})
ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                      "eighth", "ninth", "tenth"})
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


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix stripper: plural, -ing, -ed, -ly, trailing -e; enough to match claim
    words with each other and with the description ("generating" ~ "generate" ~ "generated")."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]  # "mapped" -> "mapp" -> "map"
    return w


@lru_cache(maxsize=1 << 16)
def phrase_stems(words: tuple[str, ...]) -> tuple[str, ...]:
    """The stems of a phrase's words, hyphenated and slashed words taken apart: "a time base
    distribution" and "the time-base distribution", "a foot-containing structure" and "the
    foot", "an inlet/outlet opening" and "the outlet opening" meet."""
    return tuple(stem(part) for w in words
                 for part in (_PARTS.split(w) if "-" in w or "/" in w else (w,)) if part)


_PARTS = re.compile(r"[-/]")


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
    inside = list(map(_INSIDE.__getitem__, lows))
    inside.append(False)  # a sentinel: the phrase loop needs no bounds test
    determiner = prefix = numbered = ""
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
            ordinals, i = _ordinal_list(lows, i) if low in ordinals_ else ([], i)
            j = i + 1 if low in MODIFIERS or (ordinals and _plural_verb(lows[i])) else i
        while inside[j]:
            j += 1
        if j == i:
            continue
        begin, lead = i, ()
        if j < n and lows[j - 1] in ordinals_ and lows[j] in (",", "and", "or"):
            i, j, lead, ordinals = _split_ordinal(lows, begin, j, ordinals, bool(determiner))
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
            for ordinal in ordinals or [prefix or None]:
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
    while k < len(lows) and _inside(lows[k]):
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


@lru_cache(maxsize=1 << 16)
def participle(word: str) -> bool:
    """An -ing or -ed form that is not a noun ("mounted", "telescoping", "using"; not
    "housing", "spring", "bed", "speed"), or an irregular past participle ("sent")."""
    if word in ING_ED_NOUNS:
        return False
    if word in IRREGULAR_PARTICIPLES:
        return True
    if word.endswith("ing"):
        return len(word) > 4
    return word.endswith("ed") and len(word) > 4 and not word.endswith("eed")



@lru_cache(maxsize=1 << 16)
def trimmed(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """`words`, then shorter versions without what a tagger would not call part of the term:
    a trailing participle ("panel array mounting" is "panel array" and a verb), a trailing
    adjective ("the wall adjacent"), or a verb glued on ("the refrigerant circulates", "said
    motor drives": an -s word after a singular one). Nouns in -ing/-ed/-able ("housing",
    "cable") stay; the head noun of the term is the last word of the shortest version.
    Cached: several rules ask for the same phrases, 50,000 times on a long claim set."""
    versions = [words]
    while len(words) > 1 and (participle(words[-1]) or words[-1] in TRAILING
                              or _able(words[-1]) or _verb_after(words[-2], words[-1])):
        words = words[:-1]
        versions.append(words)
    return tuple(versions)



def _able(word: str) -> bool:
    """"the force resistible", "the parts movable": an adjective after the term."""
    return word.endswith(("able", "ible")) and len(word) >= 7 and word not in ABLE_NOUNS


def _verb_after(before: str, word: str) -> bool:
    """A verb after the term's noun: "-s" after a singular ("said motor drives") or a bare
    form after a plural ("the diffuser elements maintain")."""
    if before in ORDINALS or len(word) <= 3:
        return False
    if word in BARE_VERBS:
        return True
    plural_before = before.endswith("s") and not before.endswith(("ss", "us", "is")) \
        and before not in ("means", "series", "apparatus", "species")
    if plural_before:
        return not word.endswith("s") and not word.endswith(("ness", "ment", "tion"))
    return word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))


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


def _inside_word(low: str) -> bool:
    """Whether a token can be part of a term (a word, not a stop word, determiner or -ly
    adverb)."""
    if not low[:1].isalpha() or low in STOP or low in DEFINITE or low in INDEFINITE:
        return False
    return not (low.endswith("ly") and len(low) > 4 and low not in ("assembly", "supply"))


_KIND: Memo[str, int] = Memo(_kind)
_INSIDE: Memo[str, bool] = Memo(_inside_word)
_inside = _INSIDE.__getitem__


_LIST_ARTICLES = frozenset({"a", "an", "the", "said"})


def _split_ordinal(lows: list[str], i: int, j: int, ordinals: list[str],
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
    listed, k = _ordinal_list(lows, j - 1)
    if not listed:
        return i, j, (), ordinals
    end = k + 1 if k < len(lows) and _plural_verb(lows[k]) else k
    while end < len(lows) and _inside(lows[end]):
        end += 1
    if end == k:
        return i, j, (), ordinals
    lead = tuple(w for w in lows[i:j - 1] if not participle(w) and w not in BARE_VERBS)
    return k, end, lead, listed


def _plural_verb(low: str) -> bool:
    """A stop word that is a verb in -s but a plural noun after an ordinal list: "first and
    second contacts", "first and second supports" (a list of ordinals always names a noun)."""
    return low in STOP and len(low) > 4 and low.isalpha() and low.endswith("s") \
        and low not in DEFINITE and low not in INDEFINITE


def _ordinal_list(lows: list[str], i: int) -> tuple[list[str], int]:
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
