"""A term introduced twice in one chain: which one do later references mean?

- error `element-reintroduced`: a dependent claim adds as an element ("comprising/including/
  containing a X", after its reference to the claim it narrows) exactly the element a claim
  it depends on already introduced ("a microcontroller" in claim 1, "..., further comprising
  a microcontroller" in claim 3): either a second element that needs a name of its own ("a
  second microcontroller") or the same one, which must be "the microcontroller". Naming it
  again in passing ("immersed in an aqueous solution", "A device as in claim 7") is common in
  granted claims and not reported;
- warning `antecedent-ambiguous`: the chain introduces the term twice otherwise (twice in one
  claim, or again in passing) and later says "the <term>".

Generic nouns claims routinely introduce many times ("a portion", "a position", "a signal")
are left alone on their own (not "a hollow portion"), as are terms whose head is a participle,
and an "a X" that what follows tells apart ("a metal wiring for reading a signal") or that
only modifies the next words ("a door opening and closing drive unit").
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.basis_grading import as_written
from torchworks.recipes.patents.claims.chain import claim_mentions
from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.lexicon import ORDINALS
from torchworks.recipes.patents.claims.memo import Memo
from torchworks.recipes.patents.claims.parse import Claim, ClaimSet
from torchworks.recipes.patents.claims.terms import Mention
from torchworks.recipes.patents.claims.wordforms import participle, trimmed

# Nouns routinely introduced many times ("a first position ... a position"): no finding.
GENERIC = frozenset({"portion", "part", "position", "value", "amount", "number", "plurality",
                     "level", "time", "period", "step", "method", "result", "signal", "set",
                     "group", "pair", "piece", "percent", "way", "manner", "means", "degree",
                     "side", "end", "surface", "direction", "point", "area", "region"})


def double_introduction(claim_set: ClaimSet) -> list[Finding]:
    findings: list[Finding] = []
    introduced: dict[tuple[str, ...], list[tuple[Claim, Mention]]] = {}
    log: list[tuple[str, ...]] = []
    marks: dict[int, int] = {}
    ambiguous_done: set[tuple[int, tuple[str, ...]]] = set()
    for entering, claim in claim_set.walk():
        if not entering:
            mark = marks.pop(id(claim))
            while len(log) > mark:
                introduced[log.pop()].pop()
            continue
        marks[id(claim)] = len(log)
        for extra in claim_set.extra_ancestors(claim):
            for mention in claim_mentions(claim_set, extra):
                if _introduction(mention):
                    introduced.setdefault(mention.stems, []).append((extra, mention))
                    log.append(mention.stems)
        at = claim.text.find(claim.reference) if claim.reference else -1
        body_from = at + len(claim.reference) if at >= 0 else 0  # not the preamble
        for mention in claim_mentions(claim_set, claim):
            earlier = introduced.get(mention.stems)
            if mention.definite and earlier and len(earlier) > 1:
                second_claim, second = earlier[1]
                key = (second_claim.index, mention.stems)
                if key not in ambiguous_done:
                    ambiguous_done.add(key)
                    findings.append(_ambiguous(second_claim, second))
            if not _introduction(mention):
                continue
            if earlier and earlier[0][0] is not claim and claim.dependent \
                    and mention.start > body_from and _added_as_element(claim.text, mention) \
                    and mention.followed_by not in _TELLS_APART:
                findings.append(_reintroduced(claim, mention, earlier[0][0]))
                continue  # reported: not an ambiguity of its own
            introduced.setdefault(mention.stems, []).append((claim, mention))
            log.append(mention.stems)
    return findings


_ADDS = re.compile(r"\b(?:compris\w*|includ\w*|contain\w*)\s*:?\s*(?:at\s+least\s+)?an?\s+$",
                   re.IGNORECASE)


def _added_as_element(text: str, mention: Mention) -> bool:
    """"..., further comprising a microcontroller": the claim adds it as an element (not "a
    device as in claim 7", "immersed in an aqueous solution", which only name it)."""
    if all(w in ORDINALS for w in mention.words):
        return False  # "including a first, outer rocker arm"
    return bool(_ADDS.search(text, max(0, mention.start - 40), mention.start))


# Words after "a X" that make it a different X ("a metal wiring for reading a signal"), or show
# that X only modifies what follows ("a door opening and closing drive unit").
_TELLS_APART = frozenset({"for", "that", "which", "of", "to", "and", "or", "having", "with",
                          "in", "on", "at", "from", "between", "wherein", "whose"})


def _introduction(mention: Mention) -> bool:
    """An "a/an X" that names an element. Generic nouns ("a portion", "a method") are only
    left alone on their own: "a hollow portion" names one."""
    if mention.determiner not in _INTRODUCING or mention.proper:
        return False
    return _NAMES_ELEMENT[mention.words] and not (
        len(mention.words) == 1 and mention.followed_by == "of")


def _names_element(words: tuple[str, ...]) -> bool:
    """What `_introduction` decides from the words alone: the head is not a lone generic noun,
    a participle or a word of under three letters."""
    head = trimmed(words)[-1]
    return not ((len(head) == 1 and head[-1] in GENERIC) or participle(head[-1])
                or len(head[-1]) < 3)


_INTRODUCING = frozenset({"a", "an"})
_NAMES_ELEMENT: Memo[tuple[str, ...], bool] = Memo(_names_element)


def _reintroduced(claim: Claim, mention: Mention, first: Claim) -> Finding:
    return _again(claim, mention, "element-reintroduced", "error",
                  f" although claim {first.number}, which this claim depends on, already "
                  "introduced it", "name the new one")


def _ambiguous(claim: Claim, mention: Mention) -> Finding:
    return _again(claim, mention, "antecedent-ambiguous", "warning",
                  f", so later references to 'the {mention.phrase}' are ambiguous",
                  "tell them apart")


def _again(claim: Claim, mention: Mention, rule: str, severity: str, why: str,
           otherwise: str) -> Finding:
    """A term introduced with 'a' a second time: what that breaks, and the two ways out."""
    return claim_finding(
        claim, rule, severity, as_written(claim.text, mention),
        f"'{mention.phrase}' is introduced again with 'a'{why}",
        f"write 'the {mention.phrase}' if it is the same element, or {otherwise} "
        f"('a second {mention.phrase}', 'another {mention.phrase}')", mention.start)
