"""Run every claim rule on a claim set: deterministic, no model, never raises on any text.

    report = check_text(open("claims.txt").read(), description=open("spec.txt").read())
    for finding in report.findings: print(finding.claim, finding.rule, finding.fix)

Rules live in `rules_structure` (numbering, dependencies, multiple dependency, transitional
phrase, duplicate claims, abstract length), `rules_antecedent` (antecedent basis, double
introduction) and `rules_language` (indefinite terms, description support). A rule that fails
on some odd input does not take the report down: the failure becomes an `internal` finding
naming the rule, so the user still gets every other rule's findings.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from torchworks.recipes.patents.claims import (
    rules_antecedent,
    rules_form,
    rules_introduction,
    rules_language,
    rules_structure,
)
from torchworks.recipes.patents.claims.findings import Finding, Report, sort_findings
from torchworks.recipes.patents.claims.parse import ClaimSet, parse_claims

Rule = Callable[[ClaimSet], list[Finding]]

RULES: tuple[Rule, ...] = (
    rules_structure.empty_claims,
    rules_structure.numbering,
    rules_structure.dependencies,
    rules_structure.transitions,
    rules_form.sentence_form,
    rules_structure.duplicate_claims,
    rules_structure.abstract_length,
    rules_antecedent.antecedent_basis,
    rules_introduction.double_introduction,
    rules_language.indefinite_terms,
)


def check_text(text: str, description: str | None = None, abstract: str | None = None) -> Report:
    """Parse `text` (claims, optionally with an "Abstract" part) and check it."""
    with _collector_paused():
        claim_set = parse_claims(text if isinstance(text, str) else "")
        if abstract is not None:
            claim_set.abstract = " ".join(abstract.split())
        report = check(claim_set, description)
        # The per-claim noun phrases are the rules' scratch (a million objects on a 50,000-claim
        # set): freed here, while the collector is paused, its first pass after it resumes
        # does not walk them all (that pass cost a quarter of the checking time).
        claim_set._memo.pop("analysed", None)
        return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a claim set is read and checked. The
    rules make some 15 small objects per claim (tokens, mentions, chain entries) that form no
    cycles and are freed by reference counting; the collector's passes over them cost a
    fifth of the checking time on a large set. Its state is restored afterwards, also on error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check(claim_set: ClaimSet, description: str | None = None) -> Report:
    rules: list[tuple[str, Rule]] = [(rule.__name__, rule) for rule in RULES]
    if description:
        rules.append(("description_support",
                      lambda cs: rules_language.description_support(cs, description)))
    findings: list[Finding] = []
    for name, rule in rules:
        try:
            findings.extend(rule(claim_set))
        except Exception as exc:  # one broken rule must not hide the others' findings
            findings.append(Finding(
                None, "internal", "info", name,
                f"rule '{name}' could not run on this text ({type(exc).__name__}: {exc})",
                "report this claim set to the torchworks maintainers"))
    return Report(claim_set=claim_set, findings=sort_findings(findings))
