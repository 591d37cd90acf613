"""A check report for people (grouped by claim, under the claim tree) and as JSON.

The JSON schema is stable: {"claims": [...], "findings": [...], "summary": {...}}; each finding
has claim, rule, severity, words, message, fix, start.
"""

from __future__ import annotations

import json
from typing import Any

from torchworks.recipes.patents.claims.findings import Report
from torchworks.recipes.patents.claims.parse import Claim, ClaimSet

_MARK = {"error": "E", "warning": "W", "info": "i"}


def to_json(report: Report) -> dict[str, Any]:
    claim_set = report.claim_set
    return {
        "claims": [{
            "number": c.number, "kind": c.kind, "parents": c.parents,
            "multiple": c.multiple, "preamble": c.preamble, "transition": c.transition,
            "elements": c.elements, "text": c.text,
        } for c in claim_set.claims],
        "abstract_words": len(claim_set.abstract.split()),
        "findings": [f.to_dict() for f in report.findings],
        "summary": {"claims": len(claim_set.claims), "errors": report.errors,
                    "warnings": report.warnings, "infos": report.count("info")},
    }


def to_json_text(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False)


def to_text(report: Report) -> str:
    """The claim tree, each claim followed by its findings, then set-level findings."""
    lines: list[str] = []
    claim_set = report.claim_set
    for finding in report.for_claim(None):
        lines.extend(_finding_lines(finding.severity, finding.rule, finding.message,
                                    finding.fix, "  "))
    shown: set[int] = set()
    for root in claim_set.roots():
        _walk(report, claim_set, root, 0, lines, shown)
    for claim in claim_set.claims:  # claims only reachable through forward references
        if id(claim) not in shown:
            _walk(report, claim_set, claim, 0, lines, shown)
    lines.append("")
    lines.append(f"{len(claim_set.claims)} claims "
                 f"({sum(1 for c in claim_set.claims if not c.dependent)} independent): "
                 f"{report.errors} errors, {report.warnings} warnings")
    return "\n".join(lines)


def _walk(report: Report, claim_set: ClaimSet, claim: Claim, depth: int, lines: list[str],
          shown: set[int]) -> None:
    if id(claim) in shown:
        return
    shown.add(id(claim))
    indent = "  " * depth
    summary = claim.text if len(claim.text) <= 70 else claim.text[:67] + "..."
    refs = f" (claims {', '.join(map(str, claim.parents))})" if claim.multiple else ""
    lines.append(f"{indent}{claim.number}. [{claim.kind}{refs}] {summary}")
    for finding in report.for_index(claim.index):
        lines.extend(_finding_lines(finding.severity, finding.rule,
                                    finding.message, finding.fix, indent + "    "))
    for child in claim_set.children(claim.number):
        if child.number > claim.number:  # a multiple dependent claim shows under its first
            _walk(report, claim_set, child, depth + 1, lines, shown)


def _finding_lines(severity: str, rule: str, message: str, fix: str, indent: str) -> list[str]:
    return [f"{indent}{_MARK.get(severity, '?')} {rule}: {message}", f"{indent}  fix: {fix}"]
