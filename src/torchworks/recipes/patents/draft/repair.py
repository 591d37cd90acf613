"""Turn whatever a (small) model wrote into well-formed claims, and apply the checker's fixes.

The model only ever writes a claim *body*; numbering, the preamble and the dependency clause
("The <subject> of claim N, wherein") are ours, so every drafted set parses with valid numbering
and dependencies by construction. Bodies too short to mean anything are replaced by a plain
template built from the disclosure's key terms.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.claims.findings import Finding
from torchworks.recipes.patents.claims.rules_antecedent import indefinite

_NUMBERING = re.compile(r"^\s*(?:claim\s*)?\d{1,3}\s*[.):]\s*", re.IGNORECASE)
_NEXT_CLAIM = re.compile(r"^(?:claim\s*)?\d{1,3}\s*[.):]\s", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•]|\(?[a-z0-9]{1,2}\)|[a-z]\.)\s+", re.IGNORECASE)
_DEPENDENT_HEAD = re.compile(r"^(?:the|a|an)\s[^,]{0,80}?\bclaims?\s+\d+\s*,?\s*(?:wherein|"
                             r"further comprising|comprising)?\s*", re.IGNORECASE)


def clean_body(raw: str) -> str:
    """The first claim of a completion as one line: numbering, markdown and list bullets
    removed, list items joined with ';', cut at the end of the first sentence or claim 2."""
    lines: list[str] = []
    for line in raw.replace("**", "").replace("`", "").splitlines():
        line = line.strip().strip('"')
        if not line:
            if sum(len(x.split()) for x in lines) >= 6:
                break
            continue
        if lines and _NEXT_CLAIM.match(line):
            break
        line = _NUMBERING.sub("", line) if not lines else _BULLET.sub("", line)
        lines.append(re.sub(r"[;,]?\s*\b(?:and|or)$", "", line).rstrip(";,. "))
    items = lines[1:]
    if len(items) > 1:
        items[-1] = "and " + re.sub(r"^(?:and|or)\s+", "", items[-1])
    text = " ".join([*lines[:1], "; ".join(items)] if items else lines)
    text = " ".join(text.replace(":;", ":").split())
    end = re.search(r"\.(?:\s+(?:\d|[A-Z])|\s*$)", text)
    if end:
        text = text[:end.start()]
    return text.strip(" .,;:")


def independent_claim(raw: str, subject: str, terms: list[str]) -> str:
    body = clean_body(raw)
    match = re.search(r"\b(?:comprising|comprises|including)\b:?\s*", body, re.IGNORECASE)
    if match:
        body = body[match.end():]
    if len(body.split()) < 4:
        parts = [indefinite(t) for t in (terms[:3] or ["body"])]
        body = "; ".join(parts[:-1]) + ("; and " if len(parts) > 1 else "") + parts[-1]
    return f"{indefinite(subject)[0].upper()}{indefinite(subject)[1:]} comprising: {body}."


def dependent_claim(raw: str, subject: str, parent: int, term: str) -> str:
    body = _DEPENDENT_HEAD.sub("", clean_body(raw))
    body = re.sub(r"^(?:wherein|and)\s+", "", body, flags=re.IGNORECASE)
    if len(body.split()) < 3:
        body = f"the {subject} further comprises {indefinite(term)}"
    return f"The {subject} of claim {parent}, wherein {body[0].lower()}{body[1:]}."


def apply_fixes(text: str, findings: list[Finding]) -> str:
    """Apply the fixes the checker can make itself to one claim's text.

    Missing antecedent ("the X" never introduced): write "a X" at that first use. A term
    introduced twice: the second "a X" becomes "the X". Offsets are applied from the end so
    earlier edits do not shift later ones.
    """
    edits: list[tuple[int, int, str]] = []
    for finding in findings:
        if finding.start is None:
            continue
        if finding.rule == "antecedent-basis" and finding.severity == "error":
            head = re.match(r"(?:the|said)\s+", finding.words, re.IGNORECASE)
            phrase = finding.words[head.end():] if head else finding.words
            at = text.rfind(finding.words, 0, finding.start + len(phrase))
            if at >= 0:
                edits.append((at, at + len(finding.words), indefinite(phrase)))
        elif finding.rule == "antecedent-ambiguous":
            head = re.match(r"(?:an?)\s+", finding.words, re.IGNORECASE)
            at = text.rfind(finding.words, 0, finding.start + len(finding.words))
            if head and at >= 0:
                edits.append((at, at + len(finding.words), "the " + finding.words[head.end():]))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
