"""Checking input files before anything expensive happens: exists, size, layout.

A command that loads a model first and then finds its input missing wastes the user's minute;
one that "summarizes" a binary file or a list of citation lines as if it were prose gives an
answer that looks right and is not. So `check_input` looks at each path in milliseconds,
reading at most `SNIFF_BYTES` of it, and raises `DataError` naming the file, the problem and
the fix. The layouts it accepts are the ones the readers understand:

- USPTO full-text XML (ICE `us-patent-grant`/`us-patent-application`, the 2001 pre-grant and
  ST.32 grant layouts): the text starts with "<" and names one of their root elements;
- JSON lines (one object per line; checked line by line later, with line numbers);
- plain patent text: mostly prose lines (sentences of words), the way a specification reads.

Anything else (NUL bytes, invalid UTF-8 in the head, another XML vocabulary, lines that are
citations, numbers or codes rather than sentences, such as a raw BRS or citation export) is
refused with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from torchworks.errors import DataError

SNIFF_BYTES = 64 * 1024
DEFAULT_MAX_FILE_MB = 100  # the largest single grant is a few MB; a weekly bulk file is ~1 GB
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
XML_SUFFIXES = (".xml", ".sgm", ".sgml")
XML_ROOTS = re.compile(r"<(?:us-patent-grant|us-patent-application|patent-application-"
                       r"publication|PATDOC)\b", re.IGNORECASE)
_WORD = re.compile(r"\b[a-z]{2,}\b")


def _prose_share(text: str) -> float:
    """Share of the non-empty lines' characters that sit in prose lines (at least 4 lowercase
    words, and they are at least half of the line's tokens)."""
    total = prose = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        total += len(stripped)
        tokens = stripped.split()
        words = len(_WORD.findall(stripped))
        if words >= 4 and words >= 0.5 * len(tokens):
            prose += len(stripped)
    return prose / total if total else 0.0


def sniff_layout(path: Path, head: bytes) -> str:
    """'xml', 'jsonl' or 'text' for a file whose first bytes are `head`; DataError if none."""
    if b"\x00" in head:
        raise DataError(f"{path} is a binary file (it holds NUL bytes), not patent text",
                        fix="pass USPTO XML, JSON lines or plain text (unzip bulk files first)")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            raise DataError(f"{path} is not UTF-8 text (byte {exc.start} is invalid)",
                            fix="convert it to UTF-8, or pass USPTO XML / JSON lines") from None
        text = head[:exc.start].decode("utf-8")
    stripped = text.lstrip("\ufeff \t\r\n")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES or stripped.startswith("{"):
        if not stripped.startswith("{"):
            raise DataError(f"{path} does not start with a JSON object",
                            fix='each line must be {"description": "...", ...}')
        return "jsonl"
    if suffix in XML_SUFFIXES or stripped.startswith("<"):
        if not XML_ROOTS.search(text):
            raise DataError(f"{path} is XML but not a USPTO patent layout (no "
                            "<us-patent-grant>, <us-patent-application>, "
                            "<patent-application-publication> or <PATDOC>)",
                            fix="pass USPTO full-text XML, JSON lines or plain text")
        return "xml"
    if _prose_share(text) < 0.3:
        raise DataError(f"{path} does not read like patent text: most of its lines are not "
                        "sentences (citation lists, tables, codes or a search export?)",
                        fix="pass the full text of a patent (description, claims), USPTO XML "
                            "or JSON lines with a 'description'")
    return "text"


def check_input(path: str | Path, max_mb: float = DEFAULT_MAX_FILE_MB) -> str:
    """The layout of `path` ('xml', 'jsonl', 'text'), or DataError saying why it is unusable."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist", fix="check the path (and the current directory)")
    if not path.is_file():
        raise DataError(f"{path} is not a file", fix="pass an .xml, .jsonl or .txt file")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{path} is empty", fix="pass a patent file with text in it")
    if size > max_mb * 2**20:
        raise DataError(f"{path} is {size / 2**20:,.0f} MiB, over the {max_mb:g} MiB limit",
                        fix=f"split it, or raise the limit with --max-file-mb "
                            f"{int(size / 2**20) + 1}")
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise DataError(f"{path} cannot be read: {exc.strerror}",
                        fix="check the file's permissions") from None
    return sniff_layout(path, head)
