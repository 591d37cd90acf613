"""Noun phrases in claim text, without a tagger: the words between function words.

Claim language is regular enough for this: an element is introduced as "a/an/one or more X"
and referred to as "the/said X", and X runs until a preposition, a verb, a conjunction or
punctuation. Each `Mention` records how X was introduced (its determiner), so the antecedent
rules can tell an introduction from a reference. Words are compared by `stem`, so "panels",
"panel" and "paneling" match, as do "heating" and "heat".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

DEFINITE = frozenset({"the", "said"})
# Determiners that introduce a term; multi-word ones are matched as token sequences.
INDEFINITE = frozenset({"a", "an", "another", "one", "plural", "multiple", "several", "some",
                        "two", "three", "four", "five", "six", "many", "any", "no", "each",
                        "every", "all", "both", "either", "only", "single", "respective"})
ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                      "eighth", "ninth", "tenth"})
# Words that end a noun phrase: prepositions, conjunctions, auxiliaries, pronouns, claim verbs.
_STOP_WORDS = """
of in on to from with for at by into onto upon between among through over under within without
about above below across along around after before during against toward towards via per than
as like near beyond behind beneath beside inside outside throughout until unless whether while
and or but nor so then thus thereby therein thereon thereof therefrom thereto therebetween
whereby wherein where when which that who whom whose what such if because since though
is are was were be being been has have had having do does did can could may might must shall
should will would not also further only still yet even just very more most less least
it its they them their this these those he she his her we our us you your i
comprising comprises comprise comprised including includes include included consisting
consists consist containing contains contain having composed characterized characterised
configured adapted arranged operable capable designed constructed programmed structured
located positioned disposed provided formed defined used based coupled connected
attached mounted secured affixed spaced extending extends extend
upward upwards upwardly downward downwards downwardly inward inwardly outward outwardly forward
forwards rearward rearwards backward backwards away together apart here there
holds receives transmits generates stores sends controls causes moves rotates engages supports
defines forms provides determines outputs converts produces measures communicates indicates
represents corresponds operates performs allows enables carries connects couples executes
claim claims according recited set forth
"""
STOP = frozenset(_STOP_WORDS.split())
# Definite phrases that need no antecedent: "the same X", "the other X" (first word), and a few
# words that name something unique on their own ("the art", "the group consisting of").
EXEMPT_FIRST = frozenset({"same", "other", "following", "latter", "former", "respective",
                          "whole", "entire", "rest", "remainder", "foregoing", "above"})
EXEMPT_ALONE = frozenset({"art", "invention", "world", "environment", "atmosphere", "earth",
                          "ground", "air", "user", "operator", "time", "group", "case",
                          "contrary", "like", "sun", "internet", "step", "steps"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:[.,]\d+)*|[^\sA-Za-z0-9]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offset in the text it came from
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def word(self) -> bool:
        return self.text[:1].isalpha()


@dataclass(frozen=True)
class Mention:
    """A noun phrase: `words` as written (lower case), `determiner` before it ("" if bare).

    `followed_by` is the lower-cased token after the phrase ("of" marks "the X of Y", whose X
    is usually an inherent part of Y and needs no antecedent of its own).
    """

    words: tuple[str, ...]
    determiner: str
    start: int
    end: int
    followed_by: str = ""
    proper: bool = False  # a capitalized word mid-claim starts it: a name ("the Internet")

    @property
    def definite(self) -> bool:
        return self.determiner in DEFINITE

    @cached_property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)

    @cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(self.stems)

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


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


def mentions(text: str) -> list[Mention]:
    """Every noun phrase in `text` in order, with the determiner that precedes it."""
    tokens = tokenize(text)
    found: list[Mention] = []
    determiner = ""
    i = 0
    while i < len(tokens):
        low = tokens[i].lower
        skip = _quantifier(tokens, i)
        if skip:
            determiner = determiner if determiner in DEFINITE else "a"
            i += skip
            continue
        if low in DEFINITE or low in INDEFINITE:
            determiner = "the" if low in DEFINITE else low
            i += 1
            continue
        if not tokens[i].word or low in STOP or low.endswith("ly"):
            determiner = ""
            i += 1
            continue
        ordinals, i = _ordinal_list(tokens, i)
        j = i
        while j < len(tokens) and _inside_phrase(tokens, j):
            j += 1
        if j == i:
            continue
        words = tuple(t.lower for t in tokens[i:j])
        after = tokens[j].lower if j < len(tokens) else ""
        span = (tokens[i].start, tokens[j - 1].end)
        first = tokens[i].text
        proper = first[:1].isupper() and not first.isupper() and tokens[i].start > 0
        for ordinal in ordinals or [None]:
            phrase = words if ordinal is None else (ordinal, *words)
            found.append(Mention(phrase, determiner, span[0], span[1], after, proper))
        determiner = ""
        i = j
    return found


def trimmed(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`words`, then shorter versions without trailing participles ("panel array mounting")."""
    versions = [words]
    while len(words) > 1 and words[-1].endswith(("ing", "ed", "able", "ible")):
        words = words[:-1]
        versions.append(words)
    return versions


def _quantifier(tokens: list[Token], i: int) -> int:
    """Tokens taken by "at least one (of)", "one or more (of)", "a plurality of", "each of",
    "a pair of", "a set of", "a number of": the phrase after them is introduced in plural."""
    words = [t.lower for t in tokens[i:i + 5]]
    for pattern in (("at", "least", "one", "of"), ("at", "least", "one"), ("at", "least", "two"),
                    ("one", "or", "more", "of"), ("one", "or", "more"), ("a", "plurality", "of"),
                    ("plurality", "of"), ("each", "of"), ("a", "pair", "of"), ("a", "set", "of"),
                    ("a", "number", "of"), ("one", "of"), ("two", "or", "more"), ("all", "of"),
                    ("any", "of"), ("at", "most", "one"), ("both", "of")):
        if tuple(words[: len(pattern)]) == pattern:
            return len(pattern)
    return 0


def _inside_phrase(tokens: list[Token], j: int) -> bool:
    token = tokens[j]
    low = token.lower
    if not token.word or low in STOP or low in DEFINITE or low in INDEFINITE:
        return False
    return not (low.endswith("ly") and len(low) > 4 and low not in ("assembly", "supply"))


def _ordinal_list(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """"first and second outer layers" names two phrases: (["first", "second"], index of
    "outer"). Returns ([], i) when `i` does not start such a list."""
    ordinals: list[str] = []
    j = i
    while j < len(tokens) and tokens[j].lower in ORDINALS:
        ordinals.append(tokens[j].lower)
        k = j + 1
        while k < len(tokens) and tokens[k].lower in (",", "and", "or"):
            k += 1
        if k == j + 1 or k >= len(tokens) or tokens[k].lower not in ORDINALS:
            return (ordinals, j + 1) if len(ordinals) > 1 else ([], i)
        j = k
    return ([], i)
