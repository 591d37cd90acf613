"""Rules on the claim set's structure: numbering, dependencies, transitions, abstract length.

Legal basis (US): claims numbered consecutively in Arabic numerals (37 CFR 1.126); a dependent
claim refers back to a previous claim (35 USC 112(d), MPEP 608.01(n)); a multiple dependent
claim refers in the alternative only and may not serve as a basis for another multiple
dependent claim (35 USC 112(e), 37 CFR 1.75(c)); the abstract is at most 150 words
(37 CFR 1.72(b), MPEP 608.01(b)).
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.findings import Finding, claim_finding
from torchworks.recipes.patents.claims.lexicon import STOP
from torchworks.recipes.patents.claims.parse import COMMA_LIST, Claim, ClaimSet
from torchworks.recipes.patents.claims.references import (
    expand_numbers,
    reference_matches,
    without_references,
)

ABSTRACT_MAX_WORDS = 150


def numbering(claim_set: ClaimSet) -> list[Finding]:
    """Claims must run 1, 2, 3, ... with no number skipped or used twice."""
    findings: list[Finding] = []
    seen: set[int] = set()
    expected = 1
    for claim in claim_set.claims:
        head = f"{claim.number}."
        if claim.number in seen:
            findings.append(claim_finding(
                claim, "numbering-duplicate", "error", head,
                f"claim number {claim.number} is used more than once",
                f"renumber this claim {expected} and update the claims that refer to it"))
        elif claim.number > expected:
            missing = (f"claim {expected}" if claim.number == expected + 1
                       else f"claims {expected}-{claim.number - 1}")
            findings.append(claim_finding(
                claim, "numbering-gap", "error", head,
                f"{missing} missing: claims must be numbered consecutively from 1",
                f"renumber this claim {expected} (and the claims after it) or add {missing}"))
        elif claim.number < expected:
            findings.append(claim_finding(
                claim, "numbering-order", "error", head,
                f"claim {claim.number} comes after claim {expected - 1}",
                f"put the claims in numerical order or renumber this claim {expected}"))
        seen.add(claim.number)
        expected = max(expected, claim.number + 1)
    return findings


def dependencies(claim_set: ClaimSet) -> list[Finding]:
    """Each referenced claim must exist and come earlier; multiple dependency rules."""
    findings: list[Finding] = []
    table = claim_set.by_number()
    for claim in claim_set.claims:
        named = _reference_words(claim.text) if claim.cited else {}
        for parent in claim.cited:
            words = named.get(parent) or claim.reference
            if parent == claim.number:
                findings.append(claim_finding(
                    claim, "dependency-self", "error", words,
                    f"claim {claim.number} depends on itself",
                    _earlier_fix(claim.number),
                    claim.text.find(words)))
            elif parent not in table:
                findings.append(claim_finding(
                    claim, "dependency-missing", "error", words,
                    f"claim {claim.number} refers to claim {parent}, which does not exist",
                    _earlier_fix(claim.number), claim.text.find(words)))
            elif parent > claim.number:
                findings.append(claim_finding(
                    claim, "dependency-later", "error", words,
                    f"claim {claim.number} refers to a later claim ({parent})",
                    "a dependent claim may only refer to a preceding claim: "
                    + _earlier_fix(claim.number), claim.text.find(words)))
        if claim.multiple:
            findings.extend(_multiple(claim_set, claim))
    return findings


def _multiple(claim_set: ClaimSet, claim: Claim) -> list[Finding]:
    findings: list[Finding] = []
    table = claim_set.by_number()
    if not claim.alternative:
        findings.append(claim_finding(
            claim, "multiple-dependency-form", "error", claim.reference,
            "a multiple dependent claim must refer to the other claims in the alternative only",
            "write 'according to any one of claims ...' or 'claim 1 or claim 2'",
            claim.text.find(claim.reference)))
    bases = [p for p in claim.parents if p in table and p < claim.number and table[p].multiple]
    if bases:
        listed = ", ".join(str(p) for p in bases)
        findings.append(claim_finding(
            claim, "multiple-dependency-chain", "error", claim.reference,
            f"multiple dependent claim {claim.number} depends on multiple dependent claim(s) "
            f"{listed}",
            f"refer to the claims that {listed} depend on, or split this claim into single "
            "dependent claims", claim.text.find(claim.reference)))
    return findings


def transitions(claim_set: ClaimSet) -> list[Finding]:
    """An independent claim needs a transitional phrase that says how the body limits it.

    An error where the body plainly starts without one ("A vacuum cleaner: a housing ...",
    "A VCO circuit having low jitter: a first stage; ...", "A treatment system, at least one
    tank ..., an air supply, ..."), and where a 'wherein' clause or a reference to an element
    lists its elements without a verb ("wherein each photodiode: a substrate; ...", "A blade
    comprising an alloy, said alloy: from 5 to 30% platinum; ..."); a warning where the claim may be
    written in another accepted form ("A compound selected from: ...", "A controller
    configured to: ...", a medium whose instructions name the steps, a claim with no colon).
    """
    findings = []
    for claim in claim_set.claims:
        if claim.dependent or not claim.text.strip():
            continue
        if claim.transition:
            clause = _verbless_clause(claim.text)
            if clause:
                findings.append(claim_finding(
                    claim, "transition-missing", "error", clause.group(0).strip(),
                    f"'{clause.group(1)}' is followed by its elements with no transitional "
                    "phrase: the clause has no verb", "add one before the colon: "
                    f"'{clause.group(1)} comprises:'", clause.start()))
            continue
        head = " ".join(claim.text.split()[:6])
        plain = _body_without_transition(claim.text)
        findings.append(claim_finding(
            claim, "transition-missing", "error" if plain else "warning", head,
            "no transitional phrase (comprising, consisting of, consisting essentially of, "
            "including, having) between the preamble and the body"
            + (": the body starts right after the preamble's colon" if plain else ""),
            "add one after the preamble, e.g. 'A device comprising: ...' (open-ended) or "
            "'consisting of' (closed)", 0))
    return findings


_FUNCTION_BEFORE_COLON = frozenset({"to", "for", "from", "of", "by", "in", "which", "that", "as",
                                    "wherein", "whereby", "formula", "structure", "steps"})


_ELEMENT_START = re.compile(r"\s*(?:\(?[a-z0-9]{1,3}[.)]\s*)?(?:a|an|at\s+least|one\s+or\s+more|"
                            r"two|three|a\s+plurality|first|said|the|[a-z]+ing)\b|[^;:]{1,80};"
                            r"|\s*(?:[\w-]+\s+){1,5}means\s+for\b",  # "I and Q FIR means for"
                            re.IGNORECASE)


# "wherein each photodiode:", and a reference to an element after a comma or "and" (", said
# alloy:", "and the oil phase:"), followed by a list of elements with no verb.
_WHEREIN_CLAUSE = re.compile(r"(?:\bwherein\s+|(?:,|\band)\s+(?=each|the|said))"
                             r"((?:each|the|said|an?)\s+[^,;:()]{1,60}):", re.IGNORECASE)


def _verbless_clause(text: str) -> re.Match[str] | None:
    """"..., wherein each avalanche photodiode: a substrate ...; ...": a clause that lists
    elements after a noun, without "comprises" (the sub-element's transition)."""
    if ":" not in text:
        return None
    clause = _WHEREIN_CLAUSE.search(text)
    while clause:  # overlapping: "wherein A comprises 5% water and the oil phase: a) ..."
        words = clause.group(1).lower().split()[1:]
        if words[-1:] == ["further"]:
            words = words[:-1]  # "wherein the method further: injecting ...; ..."
        if words and not any(w in STOP or w.endswith("ed") for w in words) \
                and _ELEMENT_START.match(text, clause.end()) \
                and ";" in text[clause.end():clause.end() + 300]:
            return clause
        clause = _WHEREIN_CLAUSE.search(text, clause.start() + 1)
    return None


# A claim to a medium or program that says what its instructions do ("..., the instructions,
# when executed by a processor, causing the processor to perform a method:") names its body
# through the instructions; that is the accepted form, not a missing transition.
_INSTRUCTIONS = re.compile(r"\b(?:instructions|program|code|software)\b.*\b(?:execut|caus|perform)",
                           re.IGNORECASE)


def _body_without_transition(text: str) -> bool:
    """The preamble ends in a noun and a colon, and an element ("a ...", "at least one ...",
    a method's step "forming ...", or a short part ending in ';') follows: "A vacuum cleaner
    for dust, with a handle: a housing; ...". Not when the preamble
    ends in a word that asks for what follows ("configured to:", "selected from:", "the
    steps of:", "represented by formula:")."""
    colon = text.find(":")
    if colon < 0:
        return bool(COMMA_LIST.match(text))  # "A system, at least one tank ..., a header, ..."
    if colon == 0:
        return False
    words = text[:colon].rstrip(" ,").split()
    if not words:
        return False
    if re.fullmatch(r"\([A-Z][A-Z0-9]*\)", words[-1]) and len(words) > 1:
        words = words[:-1]  # "A light emitting diode (LED): ..." ends in a noun
    last = words[-1].lower().strip("()")
    if _INSTRUCTIONS.search(text, 0, colon):
        return False
    return last.isalpha() and last not in _FUNCTION_BEFORE_COLON \
        and not last.endswith("ed") and bool(_ELEMENT_START.match(text, colon + 1))


def empty_claims(claim_set: ClaimSet) -> list[Finding]:
    findings = []
    if not claim_set.claims:
        findings.append(Finding(
            None, "no-claims", "error", "",
            "no numbered claims were found",
            "number each claim at the start of a line: '1. A device comprising ...'"))
    for claim in claim_set.claims:
        if len(claim.text.split()) < 3:
            findings.append(claim_finding(
                claim, "claim-empty", "error", claim.text,
                f"claim {claim.number} has no substance ({len(claim.text.split())} words)",
                "write the claim out in full or delete it and renumber", 0))
    return findings


def duplicate_claims(claim_set: ClaimSet) -> list[Finding]:
    """A claim that repeats another word for word, or repeats an ancestor apart from the claim
    it refers to, adds nothing (MPEP 608.01(m), 706.03(k); 35 USC 112(d)). The same wording
    under two different independent claims is normal and not reported."""
    findings = []
    exact: dict[str, Claim] = {}  # whole text -> first claim with it
    on_path: dict[str, list[Claim]] = {}  # text apart from references -> ancestors with it
    entered: dict[int, str] = {}  # claim index -> its words (computed once per claim)
    for entering, claim in claim_set.walk():
        if not entering:
            words = entered.pop(claim.index, "")
            if words:
                on_path[words].pop()
            continue
        text = " ".join(claim.text.lower().split()).strip(" .")
        words = without_references(text, "claim") if "claim" in text else text
        if words.count(" ") < 2:
            continue
        entered[claim.index] = words
        same = exact.get(text)
        earlier = same if same is not None and same.index < claim.index else None
        if earlier is None and on_path.get(words):
            earlier = on_path[words][-1]
        exact.setdefault(text, claim)
        on_path.setdefault(words, []).append(claim)
        if earlier is None:
            continue
        findings.append(claim_finding(
            claim, "claim-duplicate", "warning", claim.text[:60],
            f"claim {claim.number} repeats claim {earlier.number} and adds no limitation",
            f"delete claim {claim.number} (and renumber), or add the feature it should claim",
            0))
    return findings


def abstract_length(claim_set: ClaimSet) -> list[Finding]:
    words = claim_set.abstract.split()
    if len(words) <= ABSTRACT_MAX_WORDS:
        return []
    return [Finding(
        None, "abstract-length", "error", " ".join(words[ABSTRACT_MAX_WORDS:][:12]) + " ...",
        f"the abstract has {len(words)} words; the limit is {ABSTRACT_MAX_WORDS}",
        f"cut {len(words) - ABSTRACT_MAX_WORDS} words: keep what the invention is and does, "
        "drop background and advantages")]


def _reference_words(text: str) -> dict[int, str]:
    """Claim number -> the words that first name it ("claim 3", "claims 1-3"), as written."""
    named: dict[int, str] = {}
    for match in reference_matches(text):
        for number in expand_numbers(match.group(1)):
            named.setdefault(number, match.group(0))
    return named


def _earlier_fix(number: int) -> str:
    if number <= 1:
        return "claim 1 must be independent: drop the reference"
    choices = "claim 1" if number == 2 else f"one of claims 1-{number - 1}"
    return f"refer to the earlier claim this one narrows ({choices})"
