"""Rules on wording: relative or exemplary terms, and claim terms the description never uses.

Terms of degree ("about", "substantially") and exemplary language ("such as", "for example")
are not wrong in themselves (MPEP 2173.05(b), (d)), but they differ in how often they matter.
Terms of degree are routine claim language that examiners accept whenever the description gives
a standard, so they are `info`: in a graded sample of 40 warnings on granted claims, none of the
14 terms of degree was worth an attorney's look. Exemplary, optional and open-ended language
("such as", "preferably", "etc.") leaves the claim's bounds unclear and is commonly rejected, so
it stays a warning. Claim terms must find support in the
description (35 USC 112(a)); a word the description never uses, compared by stem, is a warning
that names the term.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.lexicon import ORDINALS, STOP
from torchworks.recipes.patents.claims.parse import ClaimSet
from torchworks.recipes.patents.claims.terms import mentions
from torchworks.recipes.patents.claims.tokens import tokenize
from torchworks.recipes.patents.claims.wordforms import stem

# term -> why it is risky; matched as whole words, case-insensitive
INDEFINITE_TERMS = {
    "about": "a term of degree",
    "approximately": "a term of degree",
    "substantially": "a term of degree",
    "essentially": "a term of degree",
    "generally": "a term of degree",
    "relatively": "a relative term",
    "roughly": "a term of degree",
    "nearly": "a term of degree",
    "significantly": "a relative term",
    "sufficient": "a relative term",
    "suitable": "a subjective term",
    "adequate": "a subjective term",
    "similar": "a relative term",
    "such as": "exemplary language",
    "for example": "exemplary language",
    "for instance": "exemplary language",
    "e.g.": "exemplary language",
    "preferably": "optional language",
    "optionally": "optional language",
    "if desired": "optional language",
    "or the like": "an open-ended list",
    "and the like": "an open-ended list",
    "etc.": "an open-ended list",
}
_EXEMPLARY = frozenset({"such as", "for example", "for instance", "e.g.", "preferably",
                        "optionally", "if desired"})
_OPEN_LIST = frozenset({"or the like", "and the like", "etc."})
_UNBOUNDED = _EXEMPLARY | _OPEN_LIST  # warnings; terms of degree are info
# "about" is a term of degree before a quantity ("about 5 mm"), a preposition elsewhere
# ("rotate about the hinge").
_INDEFINITE = re.compile(
    r"(?<![\w.])(about(?=\s+[\d.])|" + "|".join(
        re.escape(t) for t in sorted(INDEFINITE_TERMS, key=len, reverse=True) if t != "about")
    + r")(?![\w])",
    re.IGNORECASE,
)
_CONSISTING_ESSENTIALLY = re.compile(r"consist\w*\s+essentially\s+of", re.IGNORECASE)


def indefinite_terms(claim_set: ClaimSet) -> list[Finding]:
    findings = []
    for claim in claim_set.claims:
        if not _may_hold_term(claim.text):
            continue
        allowed = [m.span() for m in _CONSISTING_ESSENTIALLY.finditer(claim.text)]
        for match in _INDEFINITE.finditer(claim.text):
            if any(a <= match.start() < b for a, b in allowed):
                continue
            term = match.group(1)
            why = INDEFINITE_TERMS[term.lower()]
            severity = "warning" if term.lower() in _UNBOUNDED else "info"
            findings.append(claim_finding(
                claim, "indefinite-term", severity, term,
                f"'{term}' is {why}; the claim may be indefinite unless the description gives "
                "a standard for it",
                _indefinite_fix(term.lower()), match.start()))
    return findings


def _may_hold_term(text: str) -> bool:
    """A cheap test before `_INDEFINITE` (whose scan 50,000-claim sets would otherwise pay
    for): some listed term occurs as a substring. Text that is not ASCII goes to the regex,
    whose case folding knows more than `str.lower`."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(term in low for term in INDEFINITE_TERMS)


def description_support(claim_set: ClaimSet, description: str) -> list[Finding]:
    """Introduced claim terms whose words (by stem) never appear in the description."""
    vocabulary = {stem(t) for t in tokenize(description).texts if t[:1].isalpha()}
    findings = []
    reported: set[str] = set()
    for claim in claim_set.claims:
        for mention in mentions(claim.text):
            if mention.definite:
                continue
            missing = [w for w in mention.words
                       if len(w) > 2 and w not in STOP and w not in ORDINALS
                       and stem(w) not in vocabulary]
            if not missing or mention.phrase in reported:
                continue
            reported.add(mention.phrase)
            findings.append(claim_finding(
                claim, "description-support", "warning", mention.phrase,
                f"'{', '.join(missing)}' in '{mention.phrase}' does not appear in the "
                "description, so the claim term may lack written support",
                "use the description's own word for it, or describe it in the description",
                mention.start))
    return findings


def _indefinite_fix(term: str) -> str:
    if term in _EXEMPLARY:
        return (f"delete '{term} ...' from this claim and claim the example in a dependent "
                "claim of its own")
    if term in _OPEN_LIST:
        return f"delete '{term}' and list every member, or name the class they belong to"
    return (f"replace '{term}' with a number or range (e.g. 'within 5%'), or make sure the "
            "description defines the degree")
