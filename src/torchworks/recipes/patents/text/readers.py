"""Read patents from plain text, USPTO full-text XML or JSON lines into `Patent` objects.

The API other patent tools use:

- `read_patents(path)` yields a `Patent` or a `BadDocument` per document in a file (a JSONL
  line, one of the documents of a USPTO bulk XML file, a text file), so a batch tool reports a
  bad document and carries on;
- `load_patent(path)` returns the one patent in a file or raises `DataError`;
- `patent_from_text(text)`, `patent_from_record(dict)` and `patents_from_xml(text)` build
  patents from strings already in memory (a request body, a pasted disclosure).

The format is chosen by `inputs.check_input` (suffix, then content), which also refuses
missing, oversized, binary and unknown-layout files before any of them is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from torchworks.errors import DataError
from torchworks.recipes.patents.text.inputs import DEFAULT_MAX_FILE_MB, check_input
from torchworks.recipes.patents.text.patent import BadDocument, Patent
from torchworks.recipes.patents.text.sections import (
    assemble_sections,
    blocks_from_text,
    split_claims,
    split_off_claims,
)
from torchworks.recipes.patents.text.uspto_xml import parse_documents

__all__ = [
    "BadDocument",
    "Patent",
    "load_patent",
    "patent_from_record",
    "patent_from_text",
    "patents_from_xml",
    "read_patents",
]

_ABSTRACT_HEADING = re.compile(r"^\s*abstract( of (the )?(disclosure|invention))?\s*:?\s*$",
                               re.IGNORECASE)


def patents_from_xml(text: str, source: str = "<xml>") -> list[Patent | BadDocument]:
    """Every document in a USPTO XML string (one document or a concatenated bulk file)."""
    return parse_documents(text, source)


def patent_from_text(text: str, id: str = "document", title: str = "",
                     source: str = "") -> Patent:
    """Plain text -> Patent: headings found line by line, an "Abstract" part and a
    "What is claimed is:" part split off when present."""
    description, claims = split_off_claims(text)
    lines = description.splitlines()
    abstract_lines: list[str] = []
    for i, line in enumerate(lines):
        if _ABSTRACT_HEADING.match(line):
            end = i + 1
            while end < len(lines) and (lines[end].strip() or end == i + 1):
                end += 1
            abstract_lines = lines[i + 1:end]
            lines = lines[:i] + lines[end:]
            break
    return Patent(
        id=id,
        title=title,
        abstract=" ".join(" ".join(abstract_lines).split()),
        sections=assemble_sections(blocks_from_text("\n".join(lines))),
        claims=claims,
        source=source,
    )


def patent_from_record(record: dict[str, Any], default_id: str = "document",
                       source: str = "") -> Patent:
    """A BigPatent-style record (`description`, optional `abstract`, `claims`, `id`,
    `title`) -> Patent. Raises DataError naming the field that is wrong."""
    if not isinstance(record, dict):
        raise DataError(f"expected a JSON object, got {type(record).__name__}")
    description = record.get("description")
    if not isinstance(description, str):
        raise DataError("the record has no 'description' string",
                        fix='each line needs {"description": "...", ...}')
    claims_field = record.get("claims") or []
    if isinstance(claims_field, str):
        claims = split_claims(claims_field)
    elif isinstance(claims_field, list) and all(isinstance(c, str) for c in claims_field):
        claims = [re.sub(r"^\s*\d{1,3}\s?\.\s*", "", c).strip() for c in claims_field]
    else:
        raise DataError("'claims' must be a string or a list of strings")
    patent = patent_from_text(
        description,
        id=str(record.get("id") or record.get("publication_number") or default_id),
        title=str(record.get("title") or ""),
        source=source,
    )
    patent.abstract = " ".join(str(record.get("abstract") or patent.abstract).split())
    patent.claims = [c for c in claims if c] or patent.claims
    return patent


def _read_jsonl(path: Path) -> Iterator[Patent | BadDocument]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
                yield patent_from_record(record, default_id=f"{path.stem}:{number}",
                                         source=where)
            except json.JSONDecodeError as exc:
                yield BadDocument(id=f"{path.stem}:{number}", source=where,
                                  error=f"line {number} is not valid JSON: "
                                        f"{re.sub(r'( starting)? at$', '', exc.msg)} "
                                        f"(column {exc.colno})")
            except DataError as exc:
                record_id = record.get("id") if isinstance(record, dict) else None
                yield BadDocument(id=str(record_id or f"{path.stem}:{number}"), source=where,
                                  error=exc.message)


def read_patents(path: str | Path, max_mb: float = DEFAULT_MAX_FILE_MB
                 ) -> Iterator[Patent | BadDocument]:
    """Every document in `path`; unreadable ones come back as `BadDocument`, never raised.

    Raises DataError only when the file itself is unusable (missing, over `max_mb` MiB,
    binary, or not a layout the readers know), before any of it is parsed.
    """
    path = Path(path)
    kind = check_input(path, max_mb)
    if kind == "jsonl":
        yield from _read_jsonl(path)
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    if kind == "xml":
        yield from patents_from_xml(text, str(path))
    else:
        yield patent_from_text(text, id=path.stem, source=str(path))


def load_patent(path: str | Path) -> Patent:
    """The first document in `path`; DataError if it cannot be read."""
    for item in read_patents(path):
        if isinstance(item, BadDocument):
            raise DataError(f"{item.source}: {item.error}")
        return item
    raise DataError(f"{path} holds no document", fix="pass a non-empty patent file")
