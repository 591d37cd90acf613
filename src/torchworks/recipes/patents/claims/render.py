"""A check report for people (grouped by claim, under the claim tree) and as JSON.

The JSON schema is stable: {"claims": [...], "findings": [...], "summary": {...}}; each finding
has claim, rule, severity, words, message, fix, start.
"""

from __future__ import annotations

import json
from typing import Any

from torchworks.recipes.patents.claims.findings import Report
from torchworks.recipes.patents.claims.parse import Claim

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


MAX_INDENT = 8  # deeper claims are drawn at this depth with their depth written out


def to_text(report: Report) -> str:
    """The claim tree, each claim followed by its findings, then set-level findings.

    Linear in claims + findings: findings are grouped once, the tree is walked without
    recursion, and indentation stops growing at MAX_INDENT levels (a 50,000-claim chain would
    otherwise be drawn with 100,000 spaces on its last line).
    """
    lines: list[str] = []
    claim_set = report.claim_set
    by_index: dict[int | None, list] = {}
    for finding in report.findings:
        by_index.setdefault(None if finding.claim is None else finding.index, []).append(finding)
    for finding in by_index.get(None, []):
        lines.extend(_finding_lines(finding.severity, finding.rule, finding.message,
                                    finding.fix, "  "))
    depth = 0
    for entering, claim in claim_set.walk():
        if not entering:
            depth -= 1
            continue
        _claim_lines(claim, depth, by_index.get(claim.index, []), lines)
        depth += 1
    lines.append("")
    lines.append(f"{len(claim_set.claims)} claims "
                 f"({sum(1 for c in claim_set.claims if not c.dependent)} independent): "
                 f"{report.errors} errors, {report.warnings} warnings"
                 + (f", {infos} info" if (infos := report.count("info")) else ""))
    return "\n".join(lines)


def _claim_lines(claim: Claim, depth: int, findings: list, lines: list[str]) -> None:
    indent = "  " * min(depth, MAX_INDENT)
    deep = f"(depth {depth}) " if depth > MAX_INDENT else ""
    summary = claim.text if len(claim.text) <= 70 else claim.text[:67] + "..."
    refs = f" (claims {', '.join(map(str, claim.parents))})" if claim.multiple else ""
    lines.append(f"{indent}{deep}{claim.number}. [{claim.kind}{refs}] {summary}")
    for finding in findings:
        lines.extend(_finding_lines(finding.severity, finding.rule,
                                    finding.message, finding.fix, indent + "    "))


def _finding_lines(severity: str, rule: str, message: str, fix: str, indent: str) -> list[str]:
    return [f"{indent}{_MARK.get(severity, '?')} {rule}: {message}", f"{indent}  fix: {fix}"]
