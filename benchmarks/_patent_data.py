"""The fixed parts of the summarizer's evaluation data, read the same way everywhere.

tune: what weights and rules may be fitted to (the 13 shared development patents, the
even-numbered PatentsView grants, the applications and further grants of PatentsView-DB's
other fixtures, the even-numbered RubyXML applications); heldout: what results are reported
on and nothing is fitted to (the go-uspto samples and the odd-numbered PatentsView grants);
heldout-rx: a second held-out part added in the fourth round, the odd-numbered RubyXML
applications, read only for the final report; unseen: the sixth round's part, 51 grants in
no other part (PatentsView odd grants no part took, patent-dev/uspto-odp's test grants,
PatentPublicData's BRS sample), read once at the end of that round; unseen2: the seventh
round's, 41 grants and 12 applications from seven repositories no other part drew on (ST.32
grants of 2001, ICE grants of 2011-2022, applications of 2001-2025), in no other part by id or
abstract, read once; unseen-all: unseen and unseen2 pooled (every document nobody tuned on),
a re-computation over parts already read, not a new read. See
benchmarks/data/patents/README.md for provenance and how the split was fixed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "patents"
SHARED = HERE.parents[1] / "shared" / "data" / "patents" / "patents.jsonl"
PARTS = {
    "tune": (SHARED, DATA / "tune.xml.gz", DATA / "tune-more.xml.gz", DATA / "tune-rx.xml.gz"),
    "heldout": (DATA / "heldout.xml", DATA / "heldout-pv.xml.gz"),
    "heldout-rx": (DATA / "heldout-rx.xml.gz",),
    "unseen": (DATA / "unseen-pv.xml.gz", DATA / "unseen-odp.xml.gz",
               DATA / "unseen-brs.jsonl.gz"),
    "unseen2": tuple(DATA / f"unseen2-{name}.xml.gz" for name in (
        "rubyxml", "ntut", "patentqa", "patentdata", "teamlab", "sax2pats", "extractor")),
}
PARTS["unseen-all"] = PARTS["unseen"] + PARTS["unseen2"]


def is_application(patent_id: str) -> bool:
    """A US pre-grant publication (kind A1/A2), as opposed to a grant (B1/B2, or no kind)."""
    return patent_id[-2:] in ("A1", "A2")


def read_part(paths: list[Path]) -> list:
    """Every readable patent in `paths` (.xml.gz and .jsonl.gz decompressed here), in file
    order."""
    from torchworks.recipes.patents.text.readers import (
        Patent,
        patent_from_record,
        patents_from_xml,
        read_patents,
    )

    patents: list[Patent] = []
    for path in paths:
        if path.name.endswith(".jsonl.gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                found = [patent_from_record(json.loads(line), source=f"{path}:{number}")
                         for number, line in enumerate(handle, start=1) if line.strip()]
        elif path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                found = patents_from_xml(handle.read(), str(path))
        else:
            found = list(read_patents(path))
        patents.extend(p for p in found if isinstance(p, Patent))
    return patents
