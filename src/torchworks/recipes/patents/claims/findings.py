"""What the checker reports: one `Finding` per problem, each naming the claim, words and fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from torchworks.recipes.patents.claims.parse import Claim, ClaimSet

SEVERITIES = ("error", "warning", "info")  # most severe first


@dataclass(frozen=True)
class Finding:
    """One problem. `claim` is None for set-level findings (the abstract, an empty set).

    `words` are the exact words concerned as they appear in the claim; `start` is their offset
    in the claim's text (None when the finding is about the claim as a whole).
    """

    claim: int | None
    rule: str
    severity: str  # "error" | "warning" | "info"
    words: str
    message: str
    fix: str
    start: int | None = None
    index: int | None = None  # the claim's position in the set (tells duplicated numbers apart)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def claim_finding(claim: Claim, rule: str, severity: str, words: str, message: str, fix: str,
                  start: int | None = None) -> Finding:
    """A finding about one claim; `start` < 0 (words not found in the text) becomes None."""
    return Finding(claim.number, rule, severity, words, message, fix,
                   start if start is None or start >= 0 else None, claim.index)


@dataclass
class Report:
    claim_set: ClaimSet
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    def for_claim(self, number: int | None) -> list[Finding]:
        return [f for f in self.findings if f.claim == number]

    def for_index(self, index: int) -> list[Finding]:
        return [f for f in self.findings if f.index == index]

    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors (like `torchworks doctor`)."""
        return 2 if self.errors else 1 if self.warnings else 0


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """By claim (set-level first), then by position in the claim, then by severity."""
    return sorted(findings, key=lambda f: (
        -1 if f.claim is None else f.claim,
        -1 if f.start is None else f.start,
        SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES),
        f.rule,
    ))
