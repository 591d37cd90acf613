"""Antecedent basis: every "the X" / "said X" needs an earlier "a X" in its claim chain.

The chain of a claim is the claim itself plus every claim it depends on (MPEP 2173.05(e)).
A reference has basis when some earlier mention in the chain holds all its words (compared by
stem, so plurals and "a plurality of panels" / "said panel" match, and "said mounting post"
finds "a telescoping mounting post"). Severity follows how sure the rule can be:

- error: no word of the reference occurs in any earlier mention ("the latch mechanism" in a
  chain that never mentions a latch or a mechanism), or the claim introduces it with "a" only
  after using it: the term plainly was never introduced;
- warning: some of its words were introduced ("the crop field" after "a crop", "the plant
  roots" after "a plant"), which examiners often accept as inherent, or the phrase reads
  "the X of Y", where X is usually an inherent part of Y ("the outer surface of the sphere").

Exempt: "the same", "the other", "the group consisting of" and the like, names ("the
Internet", "the Agricultural Research Service") and "the X thereof". An undefined acronym
("the PHYB") is a warning: it may be a name, or a term never introduced. A term
introduced twice with "a" in one chain makes later references ambiguous: a warning of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.parse import Claim, ClaimSet
from torchworks.recipes.patents.claims.terms import (
    EXEMPT_ALONE,
    EXEMPT_FIRST,
    ORDINALS,
    Mention,
    mentions,
    stem,
    trimmed,
)

# Nouns routinely introduced many times ("a first position ... a position"): no double-a warning.
GENERIC = frozenset({"portion", "part", "position", "value", "amount", "number", "plurality",
                     "level", "time", "period", "step", "method", "result", "signal", "set",
                     "group", "pair", "piece", "percent", "way", "manner", "means", "degree",
                     "side", "end", "surface", "direction", "point", "area", "region"})


def antecedent_basis(claim_set: ClaimSet) -> list[Finding]:
    findings: list[Finding] = []
    for claim in claim_set.claims:
        known = _Known([m for a in claim_set.ancestors(claim) for m in _mentions(a.text)])
        reported: set[tuple[str, ...]] = set()
        claim_mentions = _mentions(claim.text)
        for index, mention in enumerate(claim_mentions):
            if mention.definite and not _exempt(mention) and not _has_basis(mention, known) \
                    and mention.stems not in reported:
                reported.add(mention.stems)
                findings.append(_finding(claim, mention, known, claim_mentions[index + 1:]))
            known.append(mention)
    return findings


def double_introduction(claim_set: ClaimSet) -> list[Finding]:
    """A term introduced with "a" twice in one chain, then referred to with "the": which one?"""
    findings: list[Finding] = []
    for claim in claim_set.claims:
        introduced: dict[tuple[str, ...], int] = {}
        for ancestor in claim_set.ancestors(claim):
            for mention in _mentions(ancestor.text):
                if _introduction(mention):
                    introduced.setdefault(mention.stems, ancestor.number)
        for mention in _mentions(claim.text):
            if not _introduction(mention):
                continue
            if mention.stems not in introduced:
                introduced[mention.stems] = claim.number
                continue
            if not _referred_to_after(claim_set, claim, mention):
                continue
            first = introduced[mention.stems]
            where = "earlier in this claim" if first == claim.number else f"in claim {first}"
            words = _as_written(claim.text, mention)
            findings.append(claim_finding(
                claim, "antecedent-ambiguous", "warning", words,
                f"'{mention.phrase}' is introduced again with 'a' (first {where}), so later "
                f"references to 'the {mention.phrase}' are ambiguous",
                f"write 'the {mention.phrase}' if it is the same element, or tell them apart "
                f"('a second {mention.phrase}', 'another {mention.phrase}')", mention.start))
    return findings


def _referred_to_after(claim_set: ClaimSet, claim: Claim, mention: Mention) -> bool:
    """Whether "the <mention>" follows it in the claim or in any claim depending on it."""
    later = [m for m in _mentions(claim.text) if m.start > mention.start]
    for other in claim_set.descendants(claim):
        later.extend(_mentions(other.text))
    return any(m.definite and m.stems == mention.stems for m in later)


@lru_cache(maxsize=4096)
def _mentions(text: str) -> tuple[Mention, ...]:
    return tuple(mentions(text))


class _Known:
    """Mentions seen so far in a chain, indexed by stem so a basis lookup scans only the
    mentions that share a word with the reference (long chains repeat the same terms)."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.latest: dict[frozenset[str], Mention] = {}
        self.by_stem: dict[str, set[frozenset[str]]] = {}
        for mention in mentions:
            self.append(mention)

    def append(self, mention: Mention) -> None:
        stems = mention.stem_set
        self.latest.pop(stems, None)
        self.latest[stems] = mention  # re-inserted: dict order stays "most recent last"
        for word in stems:
            self.by_stem.setdefault(word, set()).add(stems)

    def covers(self, wanted: set[str]) -> bool:
        rarest = min(wanted, key=lambda w: len(self.by_stem.get(w, ())))
        return any(wanted <= candidate for candidate in self.by_stem.get(rarest, ()))

    def sharing(self, stems: frozenset[str]) -> Mention | None:
        """The most recent mention with a word in common with `stems`."""
        return next((m for m in reversed(self.latest.values()) if stems & m.stem_set), None)


def _has_basis(mention: Mention, known: _Known) -> bool:
    return any(known.covers({stem(w) for w in words}) for words in trimmed(mention.words))


def _exempt(mention: Mention) -> bool:
    words = mention.words
    return (words[0] in EXEMPT_FIRST or (len(words) == 1 and words[0] in EXEMPT_ALONE)
            or all(w in ORDINALS for w in words)
            or len(words[-1]) < 2 or mention.proper or mention.followed_by == "thereof"
            or _participle_only(mention))


def _finding(claim: Claim, mention: Mention, known: _Known,
             later: tuple[Mention, ...]) -> Finding:
    words = _as_written(claim.text, mention)
    partial = known.sharing(mention.stem_set)
    introduced_later = next((m for m in later if _introduction(m) and m.stems == mention.stems),
                            None)
    if introduced_later is not None:
        severity = "error"
        message = (f"'{words}' is used before it is introduced (it is introduced later in "
                   f"this claim as '{introduced_later.determiner} {introduced_later.phrase}')")
        fix = (f"introduce it at its first use: '{indefinite(mention.phrase)}', and refer to "
               f"it as 'the {mention.phrase}' afterwards")
    elif mention.followed_by in ("of", "(") or partial is not None or _acronym(claim, mention):
        severity = "warning"
        message = f"'{words}' may lack antecedent basis"
        if partial is not None:
            message += f" (the chain has '{partial.phrase}', in other words)"
            fix = (f"use exactly the words that introduced the element, or introduce "
                   f"'{indefinite(mention.phrase)}' first")
        else:
            fix = (f"fine if it is an inherent part of what follows 'of'; otherwise introduce "
                   f"'{indefinite(mention.phrase)}' first")
    else:
        severity = "error"
        message = (f"'{words}' has no antecedent basis: no earlier "
                   f"'{indefinite(mention.phrase)}' in claim {claim.number}"
                   + (" or the claims it depends on" if claim.parents else ""))
        fix = (f"introduce it first ('{indefinite(mention.phrase)}'), or refer to a term "
               "already introduced")
    return claim_finding(claim, "antecedent-basis", severity, words, message, fix, mention.start)


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


def _introduction(mention: Mention) -> bool:
    if mention.determiner not in ("a", "an") or mention.words[-1] in GENERIC or mention.proper:
        return False
    if _participle_only(mention) or len(mention.words[-1]) < 3:
        return False
    return not (len(mention.words) == 1 and mention.followed_by == "of")


def _participle_only(mention: Mention) -> bool:
    """"the identified" (of "the identified one or more computers"): no noun of its own."""
    return all(w.endswith(("ed", "ing")) for w in mention.words)


def _as_written(text: str, mention: Mention) -> str:
    """The mention with its determiner, as it appears in the claim ("said telescoping post")."""
    window = text[max(0, mention.start - 8):mention.start]
    before = re.search(r"\b(?:the|said|a|an)\s+$", window, re.IGNORECASE)
    start = mention.start - len(before.group(0)) if before else mention.start
    return text[start:mention.end]
