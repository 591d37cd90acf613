"""How sure the antecedent rule can be that a lapse is the drafter's error: the severity,
message and fix of each reference without basis, once its whole chain is seen.

Policy, pattern by pattern (how sure the rule can be that the drafter erred):

- error: a term used before the claim introduces it with "a" (also when an earlier mention
  holds its words only with another word between them: "the ferroelectric film" after "a
  ferroelectric seed film" and before "a ferroelectric film"); a term only introduced in a
  claim outside the chain (the message names that claim); and, for a term of two or more
  words whose head is not an inherent noun (`lexicon.INHERENT_WORDS`; a symbol after it, as
  in "the valley depth Rv", does not count), when it names one of several numbered elements
  ("the first refrigerant line" with no "a first refrigerant line"), when the claims
  go on to use it as an element (referred to again, even as "the X of Y") unless every word of
  it is in the chain in other combinations, or when none of its words occurs earlier in the
  chain and nothing after it defines it; a one-word term only when it is used again, no
  earlier mention has the word and it is not an abstract noun ("said bulb ... said bulb", not
  "the performance");
- warning: the head noun was introduced in other words ("the mounting post" after "a support
  post"); the head is an inherent noun, a direction, dimension, place or quantity every thing
  has ("the vertical direction", "the drying temperature", "the left edge": MPEP 2173.05(e)
  accepts inherent properties); the phrase is defined in place and not used again ("the
  outer surface of the sphere", "the distance between A and B", "the polymer obtained in
  step (c)"), also when the claim introduces another one later ("the distance between A and
  B is smaller than a distance between C and D"); a spelling variant ("said work piece"
  after "a workpiece"); a participle naming an act the chain recites ("the selected block"
  after "a selection of a block"); a part of an introduced thing ("the alcohol fraction"
  after "an aromatic alcohol") or the one related to it ("the associated photoreceptor"
  after "a photoreceptor"); a term whose last word reads as a verb glued on, because the term
  without it has basis, a determiner, preposition or -ly adverb follows it, and no claim
  introduces that word as a noun ("the first wavelength range impinge on", "the cell surface
  interfere constructively", "the first electrode coating the protrusions": the noun-phrase
  reader cannot be sure where the term ends); a one-word reference to a part of the body or a
  person ("the nostril", "the player"; "the head" in a claim about a wearer), even when a
  claim outside the chain introduces it; an ordinal that says which one acts first, not
  which of several elements ("declaring the first team to accumulate 100 points the
  winner"); a role ("uses the element of claim 1 as the light source") or a standard of
  comparison ("relative to the wild-type plant"); a possessive ("the patient's heart
  wall"); an undefined acronym ("the PHYB"); any other one-word term ("the body", "the form");
- no finding: standard formulas and unique things ("in the event that", "the vicinity of",
  "the improvement", "the same", "the other", "the corresponding", "the total X",
  "the balance (rhodium)", "the group consisting of", "the sea", "the ground"), names ("the
  Internet", "the Agricultural Research Service"), "the X thereof". A reference sign after a
  term ("the second subset (20)") is not a definition. These are left out before grading, by
  `rules_antecedent` (`_exempt`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torchworks.recipes.patents.claims.basis_exceptions import body_or_person, without_symbol
from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.lexicon import ING_ED_NOUNS, INHERENT_WORDS, ORDINALS
from torchworks.recipes.patents.claims.parse import Claim
from torchworks.recipes.patents.claims.terms import Mention
from torchworks.recipes.patents.claims.wordforms import participle, stem, trimmed

INHERENT = frozenset(stem(w) for w in INHERENT_WORDS)  # by stem: "sides", "lengths"
# Words after "the X" that define X in place: an inherent or relational property.
DEFINING = frozenset({"of", "between", "since", "from", "among", "relative", "formed",
                      "defined", "thereof", "(", "measured", "taken", "along", ":", "as"})



@dataclass
class Lapse:
    """A reference without basis; its severity is decided once the whole chain is seen."""

    claim: Claim
    mention: Mention
    later: tuple[Mention, ...]  # the claim's mentions after it
    known_words: bool  # some word of it occurs in an earlier mention of the chain
    rephrased: bool  # every word of its head occurs in earlier mentions, in other combinations
    partial: Mention | None  # an earlier mention with its head noun
    body_from: int  # where the claim's body starts (after "The lamp of claim 1")
    variant: bool  # an earlier mention has it in other spelling or with another verb form
    part_of: bool  # "the alcohol fraction" of an introduced alcohol, "the associated lamp"
    glued: bool = False  # its last word reads as a verb after a term with basis
    reused: bool = False  # the chain refers to it again afterwards: it is used as an element


def head_key(mention: Mention) -> frozenset[str]:
    """The stems of the term without trailing verbs and adjectives ("the refrigerant
    circulates" and "the refrigerant" are one term)."""
    return mention.head


def grade(lapse: Lapse, introduced: dict[frozenset[str], int]) -> Finding:
    claim, mention = lapse.claim, lapse.mention
    head = trimmed(mention.words)[-1]
    # the term as the basis lookup saw it: "the dimmer", not "the dimmer sets" (a glued verb)
    words = as_written(claim.text, mention)
    cut = len(mention.words) - len(head)
    if cut and len(words.split()) > cut:
        words = words.rsplit(None, cut)[0]
    phrase = " ".join(head) if cut else mention.phrase
    introduced_later = next((m for m in lapse.later
                             if introduces(m) and m.stems == mention.stems), None)
    elsewhere = introduced.get(head_key(mention))
    defined_here = mention.followed_by in DEFINING or mention.followed_by[:1].isdigit() \
        or _role(claim.text, mention) or _made_as_stated(mention, len(head))
    outside = elsewhere is not None and elsewhere != claim.number and not defined_here \
        and introduced_later is None
    in_preamble = claim.dependent and mention.start < lapse.body_from
    fix = (f"introduce it first ('{indefinite(phrase)}'), or refer to a term already "
           "introduced")
    no_basis = (f"'{words}' has no antecedent basis: no earlier "
                f"'{indefinite(phrase)}' in claim {claim.number}"
                + (" or the claims it depends on" if claim.parents else ""))
    inherent = stem(without_symbol(claim.text, mention, head)[-1]) in INHERENT
    severity = "error"
    if introduced_later is not None and not (inherent and defined_here):
        message = (f"'{words}' is used before it is introduced (it is introduced later in "
                   f"this claim as '{introduced_later.determiner} {introduced_later.phrase}')")
        fix = (f"introduce it at its first use: '{indefinite(phrase)}', and refer to "
               f"it as 'the {phrase}' afterwards")
    elif lapse.variant or body_or_person(claim.text, head) or lapse.part_of or lapse.glued:
        severity = "warning"
    elif outside and not in_preamble and not any(w.endswith("'s") for w in head):
        message = (f"'{words}' has no antecedent basis in claim {claim.number}'s chain: claim "
                   f"{elsewhere} introduces it, but claim {claim.number} does not depend on it")
        if elsewhere is not None and elsewhere < claim.number:
            fix = f"depend on claim {elsewhere}, or {fix}"
    elif in_preamble or (len(head) == 1 and not (
            _lone_element(lapse) and not defined_here)) \
            or inherent \
            or _acronym(claim, mention) or _role(claim.text, mention) \
            or _first_to_act(claim.text, mention, head) \
            or any(w.endswith("'s") for w in head):
        severity = "warning"
    elif head[0] in ORDINALS and len(head) > 1:
        message = no_basis + (f": '{head[0]}' numbers one of several elements, which must be "
                              "introduced")
    elif lapse.reused and not lapse.rephrased:
        message = no_basis + ", and the claims go on to use it as an element"
    elif not defined_here and not lapse.known_words:
        message = no_basis
    else:
        severity = "warning"
    if severity == "warning":
        message = f"'{words}' may lack antecedent basis"
        if lapse.partial is not None:
            message += f" (the chain has '{lapse.partial.phrase}', in other words)"
            fix = (f"use exactly the words that introduced the element, or introduce "
                   f"'{indefinite(phrase)}' first")
        elif defined_here:
            fix = (f"fine if what follows defines it or it is inherent in it; otherwise "
                   f"introduce '{indefinite(phrase)}' first")
        else:
            fix = (f"fine if it is inherent in what the claim already recites; otherwise "
                   f"introduce '{indefinite(phrase)}' first")
    return claim_finding(claim, "antecedent-basis", severity, words, message, fix, mention.start)


# Suffixes of abstract nouns (a quality, state or act: "the performance", "the parallax" aside)
_ABSTRACT = ("ance", "ence", "ity", "ness", "ion", "ment", "ing", "ure", "sis", "ism", "ship",
             "age", "cy", "th")


def _lone_element(lapse: Lapse) -> bool:
    """A one-word reference that names an element: "said bulb" used again later, while no
    earlier mention of the chain has the word at all. One-word references are otherwise
    mostly inherent ("the body", "the reactants", "the form") and only warned about."""
    word = lapse.mention.words[-1]
    return lapse.reused and not lapse.known_words and (
        word in ING_ED_NOUNS or not word.endswith(_ABSTRACT))


def _made_as_stated(mention: Mention, kept: int) -> bool:
    """"the polymer obtained in step (c)", "the signal sent by the hub": a past participle
    after the term says which one it is (the lookup cut it off the term)."""
    if kept >= len(mention.words):
        return False
    word = mention.words[kept]
    return participle(word) and not word.endswith("ing")


def _first_to_act(text: str, mention: Mention, head: tuple[str, ...]) -> bool:
    """"declaring the first team to accumulate 100 points the winner": 'first' says which
    one does something first, it does not number one of several introduced elements."""
    if head[0] not in ORDINALS or mention.followed_by != "to":
        return False
    after = text[mention.end:mention.end + 40].split()
    return len(after) > 1 and after[1].lower() in _ATTAIN  # not "the first buffer to store"


# Verbs of reaching a goal: "the first team to accumulate", "the first player to reach".
_ATTAIN = frozenset({"accumulate", "reach", "exceed", "finish", "win", "complete", "score",
                     "arrive", "achieve", "attain", "collect", "match"})


_ROLE = re.compile(r"\b(?:as|being|relative\s+to|compared\s+(?:to|with))\s+(?:the|said)\s+$",
                   re.IGNORECASE)


def _role(text: str, mention: Mention) -> bool:
    """"uses the element of claim 1 as the light source": 'as' names the role it plays;
    "increased length relative to the wild-type plant": the standard it is compared with."""
    return bool(_ROLE.search(text, max(0, mention.start - 24), mention.start))


def _acronym(claim: Claim, mention: Mention) -> bool:
    """"the PHYB", "the T3 generation": a code or symbol, often a name the claim never defines."""
    return any(any(c.isupper() or c.isdigit() for c in word[1:])
               for word in claim.text[mention.start:mention.end].split())


def indefinite(phrase: str) -> str:
    """The phrase with the article that would introduce it: "an arm", "one or more arms"."""
    last = phrase.split()[-1] if phrase.split() else phrase
    if stem(last) != last.lower() and last.lower().endswith("s") and not last.endswith("ss"):
        return f"one or more {phrase}"
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


INTRODUCING = frozenset({"a", "an"})


def introduces(mention: Mention) -> bool:
    return mention.determiner in INTRODUCING and not mention.proper


def as_written(text: str, mention: Mention) -> str:
    """The mention with its determiner, as it appears in the claim ("said telescoping post")."""
    window = text[max(0, mention.start - 8):mention.start]
    before = re.search(r"\b(?:the|said|a|an)\s+$", window, re.IGNORECASE)
    start = mention.start - len(before.group(0)) if before else mention.start
    return text[start:mention.end]
