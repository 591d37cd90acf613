"""Draft a claim set from an invention disclosure with any `Backend`, checked and revised once.

Steps, each visible below: (1) key terms: the disclosure's most frequent noun phrases and its
subject ("a foldable solar panel assembly"); (2) the independent claim: the model writes the
body of "A <subject> comprising: ..."; (3) dependent claims, one prompt each, every one about
one key term, the model writing only what follows "wherein"; (4) repair: numbering, preambles
and dependency clauses are ours (see `repair.py`), antecedent fixes the checker can make are
applied; (5) check; (6) one revision round: each claim with findings goes back to the model
with the findings and their fixes, and the rewrite is kept only if it has fewer findings;
(7) optionally an abstract, cut to at most 150 words.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from torchworks.recipes.patents.claims.check import check_text
from torchworks.recipes.patents.claims.findings import Finding, Report
from torchworks.recipes.patents.claims.rules_structure import ABSTRACT_MAX_WORDS
from torchworks.recipes.patents.claims.terms import EXEMPT_ALONE, STOP, mentions
from torchworks.recipes.patents.draft.backends import Backend, GenerateParams, Message
from torchworks.recipes.patents.draft.repair import (
    apply_fixes,
    dependent_claim,
    independent_claim,
)

SYSTEM = ("You are a US patent attorney. You write patent claims: one sentence each, every "
          "element introduced with 'a' or 'an' before it is referred to with 'the'.")
_FIXABLE_BY_MODEL = ("antecedent-basis", "antecedent-ambiguous", "indefinite-term",
                     "transition-missing", "claim-duplicate")

Emit = Callable[[str, str], None]  # (event, text): "token", "claim", "status"


@dataclass
class DraftConfig:
    dependents: int = 4  # dependent claims to draft
    max_new_tokens: int = 120  # per generated claim
    revise: bool = True  # run the revision round
    abstract: bool = False
    max_disclosure_words: int = 350  # the prompt carries at most this much of the disclosure


@dataclass
class DraftResult:
    claims: list[str]  # claim texts without numbers; claim N is claims[N - 1]
    report: Report  # the final check
    findings_before: int  # findings after repair, before the revision round
    abstract: str
    subject: str
    key_terms: list[str]
    seconds: float
    revised: list[int] = field(default_factory=list)  # claims whose rewrite was kept

    @property
    def text(self) -> str:
        return claims_text(self.claims)

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings


def claims_text(claims: list[str]) -> str:
    return "\n".join(f"{n}. {text}" for n, text in enumerate(claims, start=1))


def key_terms(disclosure: str, limit: int = 8) -> tuple[str, list[str]]:
    """(subject, key terms). The subject is the first "a/an X"; terms are the word runs (1-3
    words, taken from noun phrases) that recur most, longer runs weighted up, none inside or
    around one already chosen (so "battery pack" wins over "pack" and "battery pack slides")."""
    found = [m for m in mentions(disclosure[:20000]) if _term_like(m.words)]
    subject = next((" ".join(m.words[-3:]) for m in found if m.determiner in ("a", "an")),
                   "device")
    counts: Counter[tuple[str, ...]] = Counter()
    for m in found:
        for size in range(1, min(3, len(m.words)) + 1):
            for start in range(len(m.words) - size + 1):
                counts[m.words[start:start + size]] += 1
    ranked = sorted(counts, key=lambda k: (-counts[k] * len(k) ** 0.5, k))
    chosen: list[tuple[str, ...]] = []
    for words in ranked:
        text = " ".join(words)
        if (counts[words] < 2 and len(words) < 2) or text in subject or any(
                text in " ".join(c) or " ".join(c) in text for c in chosen):
            continue
        chosen.append(words)
    return subject, [" ".join(c) for c in chosen[:limit]]


def draft_claims(disclosure: str, backend: Backend, config: DraftConfig | None = None,
                 emit: Emit | None = None) -> DraftResult:
    config = config or DraftConfig()
    began = time.perf_counter()
    say = emit or (lambda _event, _text: None)
    subject, terms = key_terms(disclosure)
    context = " ".join(disclosure.split()[: config.max_disclosure_words])
    params = GenerateParams(max_new_tokens=config.max_new_tokens, stop=("\n2.", "\n\n\n"))

    say("status", f"subject: {subject}; key terms: {', '.join(terms)}")
    raw = _ask(backend, [independent_prompt(context, subject, terms)], params, say)
    claims = [independent_claim(raw, subject, terms)]
    say("claim", f"1. {claims[0]}")
    for index in range(config.dependents):
        term = terms[index % len(terms)] if terms else "feature"
        parent = 1
        raw = _ask(backend, [_user(
            f"Invention disclosure:\n{context}\n\nClaim 1: {claims[0]}\n"
            f"Write a dependent claim that adds one detail about the {term}. Complete the "
            f"sentence 'The {subject} of claim {parent}, wherein ...'. Give only the claim.")],
            params, say)
        claims.append(dependent_claim(raw, subject, parent, term))
        say("claim", f"{len(claims)}. {claims[-1]}")

    claims = _autofix(claims)
    report = _check(claims)
    findings_before = len(report.findings)
    revised: list[int] = []
    if config.revise:
        claims, revised = _revise(claims, report, backend, params, subject, terms, say)
        report = _check(claims)
    abstract = _abstract(backend, context, subject, params, say) if config.abstract else ""
    if abstract:
        report = check_text(claims_text(claims), abstract=abstract)
    return DraftResult(claims=claims, report=report, findings_before=findings_before,
                       abstract=abstract, subject=subject, key_terms=terms,
                       seconds=time.perf_counter() - began, revised=revised)


def independent_prompt(context: str, subject: str, terms: list[str]) -> Message:
    """The user turn asking for claim 1 (also the prompt of the streaming endpoint)."""
    return _user(
        f"Invention disclosure:\n{context}\n\nKey elements: {', '.join(terms[:5])}.\n"
        f"Write claim 1, an independent claim: 'A {subject} comprising: a ...; a ...; and "
        "a ....' Give only the claim.")


def _user(content: str) -> Message:
    return {"role": "user", "content": content}


def _ask(backend: Backend, user: list[Message], params: GenerateParams, say: Emit) -> str:
    pieces = []
    for piece in backend.stream([system_message(), *user], params):
        pieces.append(piece)
        say("token", piece)
    return "".join(pieces)


def system_message() -> Message:
    return {"role": "system", "content": SYSTEM}


def _check(claims: list[str]) -> Report:
    return check_text(claims_text(claims))


def _autofix(claims: list[str]) -> list[str]:
    """Apply the checker's own antecedent fixes claim by claim until nothing changes."""
    for _ in range(3):
        report = _check(claims)
        fixed = [apply_fixes(text, report.for_index(i)) for i, text in enumerate(claims)]
        if fixed == claims:
            break
        claims = fixed
    return claims


def _score(findings: list[Finding]) -> int:
    return sum(10 if f.severity == "error" else 1 for f in findings)


def _revise(claims: list[str], report: Report, backend: Backend, params: GenerateParams,
            subject: str, terms: list[str], say: Emit) -> tuple[list[str], list[int]]:
    """One round: every claim with fixable findings is rewritten by the model, kept if better."""
    claims = list(claims)
    revised = []
    for index, text in enumerate(claims):
        findings = [f for f in report.for_index(index) if f.rule in _FIXABLE_BY_MODEL]
        if not findings:
            continue
        problems = "\n".join(f"- {f.message}. Fix: {f.fix}" for f in findings)
        say("status", f"revising claim {index + 1}")
        raw = _ask(backend, [_user(
            f"Claim {index + 1}: {text}\n\nProblems:\n{problems}\n\nRewrite claim {index + 1} "
            "with these problems fixed. Give only the claim.")], params, say)
        if index == 0:
            candidate = independent_claim(raw, subject, terms)
        else:
            candidate = dependent_claim(raw, subject, 1, terms[(index - 1) % len(terms)]
                                        if terms else "feature")
        trial = _autofix([*claims[:index], candidate, *claims[index + 1:]])
        if _score(_check(trial).for_index(index)) < _score(report.for_index(index)):
            claims = trial
            revised.append(index + 1)
    return claims, revised


def _abstract(backend: Backend, context: str, subject: str, params: GenerateParams,
              say: Emit) -> str:
    raw = _ask(backend, [_user(
        f"Invention disclosure:\n{context}\n\nWrite the abstract of a patent for this "
        f"{subject} in at most 100 words. Give only the abstract.")],
        GenerateParams(max_new_tokens=min(200, 2 * params.max_new_tokens)), say)
    text = " ".join(raw.replace("**", "").split()[:ABSTRACT_MAX_WORDS])
    end = text.rfind(".")
    if end > 0:
        text = text[: end + 1]  # whole sentences only
    return text if len(text.split()) >= 5 else f"A {subject} is disclosed."


def _term_like(words: tuple[str, ...]) -> bool:
    return (all(len(w) > 2 and w.isalpha() and w not in STOP for w in words)
            and words[-1] not in EXEMPT_ALONE and not words[-1].endswith(("ing", "ed")))
