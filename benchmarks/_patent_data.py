"""The two fixed parts of the summarizer's evaluation data, read the same way everywhere.

tune: what weights and rules may be fitted to (the 13 shared development patents and the
even-numbered PatentsView grants); held-out: what results are reported on and nothing is
fitted to (the go-uspto samples and the odd-numbered PatentsView grants). See
benchmarks/data/patents/README.md for provenance and how the split was fixed.
"""

from __future__ import annotations

import gzip
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "patents"
SHARED = HERE.parents[1] / "shared" / "data" / "patents" / "patents.jsonl"
PARTS = {
    "tune": (SHARED, DATA / "tune.xml.gz", DATA / "tune-more.xml.gz"),
    "heldout": (DATA / "heldout.xml", DATA / "heldout-pv.xml.gz"),
}


def read_part(paths: list[Path]) -> list:
    """Every readable patent in `paths` (.xml.gz decompressed here), in file order."""
    from torchworks.recipes.patents.text.readers import Patent, patents_from_xml, read_patents

    patents: list[Patent] = []
    for path in paths:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                found = patents_from_xml(handle.read(), str(path))
        else:
            found = list(read_patents(path))
        patents.extend(p for p in found if isinstance(p, Patent))
    return patents
