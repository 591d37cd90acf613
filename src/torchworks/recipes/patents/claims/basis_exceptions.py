"""Why a reference without antecedent basis may be only a warning: tests on the term and its
chain that `basis_grading` uses to grade a lapse (see the policy in its docstring).

Each test names a way granted claims refer to something the chain has in substance but not
in the same words: a spelling variant ("said work piece" after "a workpiece"), a participle
naming an act the chain recites ("the selected block" after "a selection of a block"), a part
of the body or a person the claim is about ("wearable on the wrist", "the player"), a part
of an introduced thing ("the alcohol fraction" of "an aromatic alcohol"), a relational word
before an introduced term ("the associated photoreceptor"), a symbol after an inherent
property ("the maximum valley depth Rv").
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.chain import ChainTerms
from torchworks.recipes.patents.claims.lexicon import BODY_IF_WORN, BODY_OR_PERSON, ORDINALS
from torchworks.recipes.patents.claims.terms import Mention
from torchworks.recipes.patents.claims.wordforms import (
    act_stem,
    participle,
    phrase_stems,
    stem,
    trimmed,
)

# Words that make a claim one about a person, so "the head", "the hand" are the person's.
_PERSON_CONTEXT = re.compile(r"\b(?:users?|wearers?|persons?|patients?|humans?|garments?|"
                             r"worn|wear|wearable|wearing|subjects?|individuals?)\b", re.I)


def body_or_person(text: str, head: tuple[str, ...]) -> bool:
    """A one-word reference to a part of the body or to a person ("the nostril", "the
    player"; "the head" only in a claim about a person or garment)."""
    if len(head) != 1:
        return False
    word = head[0]
    return word in BODY_OR_PERSON or (word in BODY_IF_WORN and bool(_PERSON_CONTEXT.search(text)))


def spelled_differently(mention: Mention, chain: ChainTerms) -> bool:
    """An earlier mention spells the term with words joined or split ("said work piece" after
    "a workpiece", "the pre-selected range" after "a preselected range")."""
    text = "".join(trimmed(mention.words)[-1]).replace("-", "")
    joined = text[:-1] if text.endswith("s") else text
    if len(joined) < 6:
        return False
    return chain.looked_up(joined)  # any earlier mention's `wordforms.lookup_keys`


def acted_modifier(mention: Mention, chain: ChainTerms) -> bool:
    """A past participle in the term names an act the chain recites with another form of the
    verb, and the rest of the term has basis: "the selected block" after "a selection of a
    block", "the measured value" after "a measurement of a value"."""
    words = trimmed(mention.words)[-1]
    for k, word in enumerate(words[:-1]):
        if not (word.endswith("ed") and participle(word)):
            continue
        rest = words[:k] + words[k + 1:]
        if not chain.covers(frozenset(phrase_stems(rest))):
            continue
        if chain.looked_up("act:" + act_stem(word)):  # an earlier mention's word not in -ed
            return True
    return False


def without_symbol(text: str, mention: Mention, head: tuple[str, ...]) -> tuple[str, ...]:
    """The head without a symbol written after it ("the maximum valley depth Rv", "the first
    depth d1"): the noun before the symbol says what kind of thing it is."""
    written = text[mention.start:mention.end].split()
    if len(head) < 2 or not written:
        return head
    last = written[-1]
    symbol = len(last) <= 3 and any(c.isupper() or c.isdigit() for c in last)
    return head[:-1] if symbol else head


# Nouns naming a part of what the word before them names ("the alcohol fraction").
_PART_NOUNS = frozenset({"fraction", "portion", "part", "moiety", "residue", "remainder"})
# Words relating a term to one just mentioned ("the associated photoreceptor").
_RELATIONAL = frozenset({"associated", "respective", "corresponding", "related", "relevant"})


def part_of(mention: Mention, chain: ChainTerms) -> bool:
    """"the alcohol fraction" after "an aromatic alcohol": a part of an introduced thing;
    "the associated photoreceptor" after "a photoreceptor": the one related to it. Not with
    an ordinal ("the first portion" numbers one of several, which must be introduced)."""
    head = trimmed(mention.words)[-1]
    if len(head) < 2 or head[0] in ORDINALS:
        return False
    if head[0] in _RELATIONAL:
        return chain.covers(frozenset(phrase_stems(head[1:])))
    return head[-1] in _PART_NOUNS and len(head) == 2 and chain.has_stem(stem(head[0]))
