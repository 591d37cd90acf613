"""Build the claim checker's evaluation sets from public granted US claims (see README.md).

    .venv/bin/python benchmarks/data/granted_claims/build.py /path/to/ipg*.xml
    .venv/bin/python benchmarks/data/granted_claims/build.py --lens /path/to/pages/*/*.html
    .venv/bin/python benchmarks/data/granted_claims/build.py --unseen grant*.xml brs*.txt

USPTO weekly grant XML (ICE `us-patent-grant`): utility patents only (design and plant patents
have one formal claim each); the week of issue decides the split: weeks of odd years are the
tune part, even years the held-out part, so no patent's claims are in both.

Lens patent pages (`--lens`, saved HTML front pages): US granted patents only (kind B1/B2;
applications, WO and EP documents are left out), each patent once, none that is already in
the tune or held-out part or in the shared sample (../shared/data/patents/claims.jsonl, taken
from the same pages): all of them form the fresh part, measured once at the end.

Unseen part (`--unseen`, a third source): single-patent USPTO grant XML files (ICE v4 or the
2001-2004 v2.5 "PATDOC" form, both read by the project's XML reader) and USPTO BRS text dumps
(`*.txt`: "TAG value" lines, `CLPR` one claim each, `ABPR` the abstract, `DETX`/`BSTX` the
description); utility patents only, none already in another part or the shared sample. All of
it is the part measured once, after the last rule change of the round that added it.

Each output line: id, title, week (publication date for Lens pages), abstract, claims (list of
claim strings as the project's XML reader would give them), description ("" for Lens pages).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import sys
from pathlib import Path

from torchworks.recipes.patents.text.readers import patents_from_xml

HERE = Path(__file__).resolve().parent
SHARED_CLAIMS = HERE.parents[3] / "shared" / "data" / "patents" / "claims.jsonl"
_LENS_TITLE = re.compile(r'og:title" content="US (\d+) (B[12]) - (.*?) The Lens - ')
_LENS_CLAIMS = re.compile(r'<ol class="claims">(.*?)</ol>', re.S)
_LENS_CLAIM = re.compile(r'<li value="(\d+)">(.*?)</li>', re.S)
_LENS_ABSTRACT = re.compile(r'section="ABSTRACT"[^>]*>.*?</div>\s*<p>(.*?)</p>', re.S)
_LENS_PUBLISHED = re.compile(r"<b>Published:</b>\s*([A-Z][a-z]{2} \d{1,2}, \d{4})")
_SPACED_TAGS = re.compile(r"</?(?:blockquote|br|p|div)\b[^>]*>", re.I)  # as claim-text: a space


def main(argv: list[str]) -> int:
    if argv[:1] == ["--lens"]:
        return _write({"fresh": _lens_records(argv[1:])})
    if argv[:1] == ["--unseen"]:
        return _write({"unseen": _unseen_records(argv[1:])})
    parts: dict[str, list[dict]] = {"tune": [], "heldout": []}
    for name in sorted(argv):
        week = re.search(r"ipg(\d{6})", name).group(1)
        part = "tune" if int(week[:2]) % 2 else "heldout"
        for patent in patents_from_xml(Path(name).read_text(encoding="utf-8"), name):
            if not getattr(patent, "claims", None) or not patent.id.startswith("US0"):
                continue  # design (USD...), plant (USPP...), reissue and bad documents
            parts[part].append({"id": patent.id, "title": patent.title, "week": week,
                                "abstract": patent.abstract, "claims": patent.claims,
                                "description": patent.description})
    return _write(parts)


def _write(parts: dict[str, list[dict]]) -> int:
    for part, records in parts.items():
        with gzip.open(HERE / f"{part}.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(part, len(records), "patents", sum(len(r["claims"]) for r in records), "claims")
    return 0


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment: block tags become a space, inline tags (sub, sup,
    strong, em) vanish, entities are decoded, whitespace is folded."""
    fragment = re.sub(r"<[^>]+>", "", _SPACED_TAGS.sub(" ", fragment))
    return " ".join(html.unescape(fragment).split())


def _lens_records(paths: list[str]) -> list[dict]:
    """One record per US granted patent in the Lens pages, in patent-number order."""
    seen = {_lens_id(r["id"]) for r in _jsonl(SHARED_CLAIMS)}
    for part in ("tune", "heldout"):
        seen |= {r["id"] for r in _jsonl(HERE / f"{part}.jsonl.gz")}
    records: dict[str, dict] = {}
    for name in sorted(paths):
        page = Path(name).read_text(encoding="utf-8", errors="replace")
        title, block = _LENS_TITLE.search(page), _LENS_CLAIMS.search(page)
        if not title or not block:
            continue  # an application, a non-US document or a search-result page
        patent_id = f"US{int(title.group(1)):08d}{title.group(2)}"
        claims = [(int(n), _text(body)) for n, body in _LENS_CLAIM.findall(block.group(1))]
        if patent_id in seen or patent_id in records or not claims:
            continue
        if [n for n, _ in claims] != list(range(1, len(claims) + 1)):
            raise SystemExit(f"{name}: claim numbers are not 1..{len(claims)}")
        abstract = _LENS_ABSTRACT.search(page)
        published = _LENS_PUBLISHED.search(page)
        records[patent_id] = {"id": patent_id, "title": html.unescape(title.group(3)).strip(),
                              "week": published.group(1) if published else "",
                              "abstract": _text(abstract.group(1)) if abstract else "",
                              "claims": [text for _, text in claims], "description": ""}
    return [records[key] for key in sorted(records)]


def _unseen_records(paths: list[str]) -> list[dict]:
    """One record per US utility patent in the grant XML files and BRS dumps, by number."""
    seen = {_lens_id(r["id"]) for r in _jsonl(SHARED_CLAIMS)}
    seen |= {r["id"] for r in _jsonl(SHARED_CLAIMS.with_name("patents.jsonl"))}
    for part in ("tune", "heldout", "fresh"):
        seen |= {r["id"] for r in _jsonl(HERE / f"{part}.jsonl.gz")}
    records: dict[str, dict] = {}
    for name in sorted(paths):
        text = Path(name).read_text(encoding="utf-8")
        found = _brs_records(text) if name.endswith(".txt") else [
            {"id": p.id, "title": p.title, "week": "", "abstract": p.abstract,
             "claims": p.claims, "description": p.description}
            for p in patents_from_xml(text, name) if getattr(p, "claims", None)]
        for record in found:
            if re.fullmatch(r"US\d{8}B\d?", record["id"]) and record["id"] not in seen:
                records.setdefault(record["id"], record)
    return [records[key] for key in sorted(records)]


_BRS_FIELD = re.compile(r"^([A-Z]{2,5}) {1,2}(.*)$")
_BRS_CLAIM = re.compile(r"^(\d+)\. (.*)$", re.S)


def _brs_records(text: str) -> list[dict]:
    """Records from a BRS dump: documents split at "*** BRS DOCUMENT BOUNDARY ***", a field
    continued on lines indented by six spaces; ".sup."/".sub." markup dropped inline ("the
    2.sup.nd order" -> "the 2nd order"), as the XML reader drops sub/sup tags."""
    out = []
    for document in text.split("*** BRS DOCUMENT BOUNDARY ***")[1:]:
        fields: list[list[str]] = []
        for line in document.splitlines():
            match = _BRS_FIELD.match(line)
            if match:
                fields.append([match.group(1), match.group(2)])
            elif line.startswith("      ") and fields:
                fields[-1][1] += " " + line.strip()
        values: dict[str, list[str]] = {}
        for tag, value in fields:
            values.setdefault(tag, []).append(" ".join(re.sub(r"\.su[bp]\.", "", value).split()))
        claims = [_BRS_CLAIM.match(c) for c in values.get("CLPR", [])]
        if not claims or not all(claims) or [int(c.group(1)) for c in claims] != list(
                range(1, len(claims) + 1)):
            raise SystemExit(f"BRS document {values.get('WKU')}: claims are not 1..N")
        number, kind = values["WKU"][0], values.get("APT", [""])[0]
        out.append({"id": f"US{int(number):08d}{kind}", "title": values.get("TTL", [""])[0],
                    "week": values.get("GISD", [""])[0],
                    "abstract": " ".join(values.get("ABPR", [])),
                    "claims": [c.group(2) for c in claims],
                    "description": "\n".join(values.get("BSTX", []) + values.get("DETX", []))})
    return out


def _lens_id(text: str) -> str:
    """'US 10130047 B2' -> 'US10130047B2' (the XML reader's spelling); others unchanged."""
    match = re.fullmatch(r"US (\d+) (B[12])", text)
    return f"US{int(match.group(1)):08d}{match.group(2)}" if match else text


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
