"""Rebuild the summarizer's tune and held-out files from the public repositories' fixtures.

    git -C PatentsView-DB archive 1ded46d2427e6a556819d29b0a6498b8ea0da909 \
        Assignee_Lawyer_Disambiguation/test/fixtures | tar -x -C /tmp/pv
    PYTHONPATH=src .venv/bin/python benchmarks/data/patents/build_split.py \
        /tmp/pv/Assignee_Lawyer_Disambiguation/test/fixtures

`fixtures/ipgxml/ipgYYMMDD.small.xml` are the first ~25 documents of nine USPTO weekly grant
files (2005-2013). A grant qualifies when it is a utility grant (B1/B2) with an abstract of at
least 20 words, at least one claim and at least 1,000 description words. The split is fixed by
the patent number alone, before any tuning: even numbers go to the tune part, odd numbers to
the held-out part. The held-out part takes `HELDOUT_PER_PART` odd grants round-robin over the
nine weeks (document order within a week), so every year is represented; the tune part takes
every qualifying even grant (`tune.xml.gz`).

`tune-more.xml.gz` adds what the weekly excerpts lack, applications above all: the
pre-grant publications (A1/A2) among PatentsView-DB's other fixtures (`xml/`, same qualifying
rule with "application" for "grant") and the even-numbered utility grants there and in
`alchemy/` that are in no part yet. Odd-numbered grants found there are left out (they belong
to the held-out side of the rule, whose files stay as they are). No document already in the
held-out part (`heldout.xml`, `heldout-pv.xml.gz`) or the shared tune patents is written, and
each document is written once, byte for byte as the USPTO published it.

A second source, given as a second argument, adds 79 applications of 2001 and 2004 (USPTO
`patent-application-publication` XML, the weekly files' first ~40 documents, kept as samples in
eraserx99/RubyXML):

    git -C RubyXML archive 4b72c7a417735fbc8bd23026de77bb8a3b129513 applications/xml1 \
        | tar -x -C /tmp/rubyxml
    PYTHONPATH=src .venv/bin/python benchmarks/data/patents/build_split.py \
        /tmp/pv/Assignee_Lawyer_Disambiguation/test/fixtures /tmp/rubyxml/applications/xml1

Split by the same rule and before any of them was summarized: even publication numbers to
`tune-rx.xml.gz`, odd ones to `heldout-rx.xml.gz`, a second held-out part that no method was
tuned on and that is read only for the final report. Documents already in a part are skipped.
"""

from __future__ import annotations

import gzip
import re
import sys
from itertools import chain, zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/, for _patent_data
from _patent_data import PARTS, read_part

from torchworks.recipes.patents.text.readers import Patent, patents_from_xml

HELDOUT_PER_PART = 50
HERE = Path(__file__).resolve().parent
MORE = ("xml/*.xml", "alchemy/*.xml")  # PatentsView-DB fixtures beyond ipgxml/
_KIND = re.compile(r"US0?(\d+)(B[12]|A[12])")


def documents(path: Path) -> list[str]:
    """The `<?xml ...?>`-delimited documents of a (bulk) file."""
    text = path.read_text(encoding="utf-8")
    return ["<?xml" + c for c in text.split("<?xml")[1:]]


def qualifies(chunk: str, source: str) -> tuple[str, str, int]:
    """(id, "grant" | "application" | "", number) of one document; "" when it does not
    qualify (not one utility document, abstract < 20 words, no claim, < 1,000 words)."""
    parsed = patents_from_xml(chunk, source)
    if len(parsed) != 1 or not isinstance(parsed[0], Patent):
        return "", "", 0
    patent = parsed[0]
    match = _KIND.fullmatch(patent.id)
    if match is None or len(patent.abstract.split()) < 20 or not patent.claims \
            or patent.word_count < 1000:
        return patent.id, "", 0
    return patent.id, "grant" if match.group(2)[0] == "B" else "application", \
        int(match.group(1))


def write(name: str, chosen: list[str]) -> None:
    body = "".join(c if c.endswith("\n") else c + "\n" for c in chosen)
    target = HERE / name
    if target.exists():  # keep an unchanged file byte for byte (gzip stores a time stamp)
        with gzip.open(target, "rt", encoding="utf-8") as old:
            if old.read() == body:
                print(f"{name}: {len(chosen)} documents (unchanged)")
                return
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(body)
    print(f"{name}: {len(chosen)} documents")


def main(fixtures: Path) -> int:
    weeks: dict[int, list[list[str]]] = {0: [], 1: []}
    taken: set[str] = set()
    for path in sorted((fixtures / "ipgxml").glob("ipg*.small.xml")):
        parts: dict[int, list[str]] = {0: [], 1: []}
        for chunk in documents(path):
            id_, kind, number = qualifies(chunk, path.name)
            if kind == "grant":
                parts[number % 2].append(chunk)
                taken.add(id_)
        for parity in parts:
            weeks[parity].append(parts[parity])
    write("tune.xml.gz", [c for c in chain(*zip_longest(*weeks[0])) if c])
    write("heldout-pv.xml.gz",
          [c for c in chain(*zip_longest(*weeks[1])) if c][:HELDOUT_PER_PART])

    known = taken | {p.id for p in read_part([PARTS["tune"][0], *PARTS["heldout"]])}
    more: list[str] = []
    for path in sorted(chain(*(fixtures.glob(pattern) for pattern in MORE))):
        for chunk in documents(path):
            id_, kind, number = qualifies(chunk, path.name)
            if kind and id_ not in known and (kind == "application" or number % 2 == 0):
                more.append(chunk)
                known.add(id_)
    write("tune-more.xml.gz", more)
    return 0


def split_rubyxml(folder: Path) -> int:
    """`applications_sample_*.xml` of eraserx99/RubyXML: qualifying applications not in a part
    yet, even publication numbers to `tune-rx.xml.gz`, odd ones to `heldout-rx.xml.gz`."""
    known = {p.id for paths in (PARTS["tune"][:3], PARTS["heldout"][:2]) for p in
             read_part(list(paths))}
    parts: dict[int, list[str]] = {0: [], 1: []}
    for path in sorted(folder.glob("applications_sample_*.xml")):
        for chunk in documents(path):
            id_, kind, number = qualifies(chunk, path.name)
            if kind == "application" and id_ not in known:
                parts[number % 2].append(chunk)
                known.add(id_)
    write("tune-rx.xml.gz", parts[0])
    write("heldout-rx.xml.gz", parts[1])
    return 0


if __name__ == "__main__":
    code = main(Path(sys.argv[1]))
    sys.exit(code or (split_rubyxml(Path(sys.argv[2])) if len(sys.argv) > 2 else 0))
