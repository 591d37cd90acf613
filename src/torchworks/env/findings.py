"""A finding: one diagnosis with a stable id, how bad it is, what was seen, why, and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    OK = "ok"
    WARN = "warn"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"ok": 0, "warn": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """`id` is stable across releases (scripts match on it); `fix` is a command, flag or version.

    An ok finding may still carry a fix: a recommendation that costs nothing to follow.
    """

    id: str
    severity: Severity
    seen: str
    why: str
    fix: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"id": self.id, "severity": self.severity.value, "seen": self.seen,
                "why": self.why, "fix": self.fix}


def exit_code(findings: list[Finding]) -> int:
    """0 all ok, 1 warnings, 2 errors: the doctor's exit status."""
    return max((f.severity.rank for f in findings), default=0)


def ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then ok; stable within a severity."""
    return sorted(findings, key=lambda f: -f.severity.rank)
