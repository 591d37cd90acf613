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

`--unseen` writes the sixth round's unseen part, every document of it held out (nothing is
tuned on it; it is read once, at the end):

    git -C uspto-odp archive ed4a2b478d6717ec162509c1478dd681872d2f07 testdata | tar -x -C /tmp/odp
    PYTHONPATH=src .venv/bin/python benchmarks/data/patents/build_split.py --unseen \
        /tmp/pv/Assignee_Lawyer_Disambiguation/test/fixtures /tmp/odp/testdata

`unseen-pv.xml.gz`: the qualifying odd-numbered PatentsView grants that no part took (the
weekly excerpts' odd grants after the held-out part's first 50, and those of the other
fixtures); `unseen-odp.xml.gz`: the grants kept as test data in patent-dev/uspto-odp;
`unseen-brs.jsonl.gz`: the grants of PatentPublicData's BRS text sample, as
`benchmarks/data/granted_claims/build.py --unseen` read them (`../granted_claims/unseen.jsonl.gz`),
that are in no part.
"""

from __future__ import annotations

import gzip
import json
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
    """Write `chosen` documents (or JSON lines) to `name` in this folder, gzip-compressed."""
    body = "".join(c if c.endswith("\n") else c + "\n" for c in chosen)
    target = HERE / name
    # keep an unchanged file byte for byte (gzip stores a time stamp); newline="": a
    # document's "\r\n" stays as published, and an unchanged one compares equal
    if target.exists():
        with gzip.open(target, "rt", encoding="utf-8", newline="") as old:
            if old.read() == body:
                print(f"{name}: {len(chosen)} documents (unchanged)")
                return
    with gzip.open(target, "wt", encoding="utf-8", newline="", compresslevel=9) as out:
        out.write(body)
    print(f"{name}: {len(chosen)} documents")


def weekly_grants(fixtures: Path) -> tuple[dict[int, list[str]], set[str]]:
    """The qualifying grants of the weekly excerpts by parity, round-robin over the weeks
    (the order the held-out part takes its first 50 in), and their ids."""
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
    return {parity: [c for c in chain(*zip_longest(*weeks[parity])) if c]
            for parity in weeks}, taken


def main(fixtures: Path) -> int:
    grants, taken = weekly_grants(fixtures)
    write("tune.xml.gz", grants[0])
    write("heldout-pv.xml.gz", grants[1][:HELDOUT_PER_PART])

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


def split_unseen(fixtures: Path, odp: Path) -> int:
    """The unseen part: qualifying grants in no other part, from PatentsView-DB's fixtures
    (odd numbers the held-out part did not take), patent-dev/uspto-odp's test data and the
    BRS sample the claim checker's unseen part was read from."""
    known = {p.id for paths in PARTS.values() for path in paths if "unseen" not in path.name
             for p in read_part([path])}
    odd, _ = weekly_grants(fixtures)
    leftover = [c for c in odd[1][HELDOUT_PER_PART:] if qualifies(c, "")[0] not in known]
    known |= {qualifies(c, "")[0] for c in leftover}
    for path in sorted(chain(*(fixtures.glob(pattern) for pattern in MORE))):
        for chunk in documents(path):
            id_, kind, number = qualifies(chunk, path.name)
            if kind == "grant" and number % 2 and id_ not in known:
                leftover.append(chunk)
                known.add(id_)
    write("unseen-pv.xml.gz", leftover)
    grants = []
    for path in sorted(odp.glob("grant_*.xml")):
        for chunk in documents(path):
            id_, kind, _ = qualifies(chunk, path.name)
            if kind == "grant" and id_ not in known:
                grants.append(chunk)
                known.add(id_)
    write("unseen-odp.xml.gz", grants)
    brs = HERE.parent / "granted_claims" / "unseen.jsonl.gz"
    with gzip.open(brs, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    write("unseen-brs.jsonl.gz", [
        json.dumps({k: r[k] for k in ("id", "title", "abstract", "description", "claims")})
        for r in records if r.get("week") and r["id"] not in known
        and len(r["abstract"].split()) >= 20 and r["claims"]
        and len(r["description"].split()) >= 1000])
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--unseen":
        sys.exit(split_unseen(Path(sys.argv[2]), Path(sys.argv[3])))
    code = main(Path(sys.argv[1]))
    sys.exit(code or (split_rubyxml(Path(sys.argv[2])) if len(sys.argv) > 2 else 0))
