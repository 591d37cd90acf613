"""Reading what `patents check` is given: claims as text or JSON, a description in any layout."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def read_claims_input(path: Path) -> tuple[str, str | None]:
    """(claims as numbered text, abstract or None). A JSON object with a 'claims' list (the
    layout of the sample's claims.jsonl, first line) is turned into numbered text."""
    text = _read(path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped.splitlines()[0])
        except json.JSONDecodeError:
            return text, None
        claims = record.get("claims") if isinstance(record, dict) else None
        if isinstance(claims, list) and all(isinstance(c, str) for c in claims):
            numbered = [c if c.lstrip()[:1].isdigit() else f"{i}. {c}"
                        for i, c in enumerate(claims, start=1)]
            abstract = record.get("abstract")
            return "\n".join(numbered), abstract if isinstance(abstract, str) else None
    return text, None


def read_description(path: Path) -> str:
    """The description from a patent file (USPTO XML, JSON lines, text) via the patent readers;
    plain text that the readers find no sections in is used as it is."""
    if str(path) != "-" and path.suffix.lower() in (".xml", ".jsonl", ".json", ".sgml", ".sgm"):
        from torchworks.recipes.patents.text.readers import load_patent

        patent = load_patent(path)
        return patent.description or patent.abstract
    return _read(path)


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    from torchworks.recipes.patents.text.inputs import check_input

    check_input(path)  # missing, empty, too large, binary or not text: refused before reading
    return path.read_text(encoding="utf-8", errors="replace")
