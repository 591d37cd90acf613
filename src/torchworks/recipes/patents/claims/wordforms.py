"""What one word is in claim language, apart from the words around it: its stem, whether it
is a participle or can sit inside a term, and a phrase without the words a tagger would not
call part of it (`trimmed`). Kept apart from `terms` (which finds the phrases) so each module
has one job; every result is cached per word or phrase, as a 50,000-claim set asks again.
"""

from __future__ import annotations

import re
from functools import lru_cache

from torchworks.recipes.patents.claims.lexicon import (
    ABLE_NOUNS,
    BARE_VERBS,
    DEFINITE,
    INDEFINITE,
    ING_ED_NOUNS,
    IRREGULAR_PARTICIPLES,
    ORDINALS,
    STOP,
    TRAILING,
)
from torchworks.recipes.patents.claims.memo import Memo


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


def inside_word(low: str) -> bool:
    """Whether a token can be part of a term (a word, not a stop word, determiner or -ly
    adverb)."""
    if not low[:1].isalpha() or low in STOP or low in DEFINITE or low in INDEFINITE:
        return False
    return not (low.endswith("ly") and len(low) > 4 and low not in ("assembly", "supply"))


INSIDE: Memo[str, bool] = Memo(inside_word)
inside = INSIDE.__getitem__


_ACT_SUFFIXES = ("ments", "ment", "ations", "ation", "ions", "ion", "als", "al", "ing", "ed",
                 "es", "s", "e")


def act_stem(word: str) -> str:
    """The verb under a noun of action, cut to 6 letters so the forms meet: "measurement",
    "measuring", "measured" -> "measur"; "fabrication", "fabricating" -> "fabric"."""
    return ACT_STEM[word]


def _cut_act_stem(word: str) -> str:
    for suffix in _ACT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return stem(word[: -len(suffix)])[:6]
    return stem(word)[:6]


ACT_STEM: Memo[str, str] = Memo(_cut_act_stem)


def lookup_keys(words: tuple[str, ...]) -> frozenset[str]:
    """What a lapse looks up in an earlier mention (`basis_exceptions`): each version of the
    phrase (see `trimmed`) with no space or hyphen and without a plural s ("workpiece" for
    "work pieces"), and, as "act:" + stem, the act stems of its words not in -ed ("selection"
    gives "act:select"). `chain.ChainTerms` counts them for the mentions in a chain."""
    acts = ACT_STEM
    keys = {"act:" + acts[w] for w in words if w[-2:] != "ed"}
    for version in trimmed(words):
        text = "".join(version).replace("-", "")
        keys.add(text[:-1] if text[-1:] == "s" else text)
    return frozenset(keys)
