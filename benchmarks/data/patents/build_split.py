"""Rebuild tune.xml.gz and heldout-pv.xml.gz from PatentsView-DB's test fixtures.

    git -C PatentsView-DB archive 1ded46d2427e6a556819d29b0a6498b8ea0da909 \
        Assignee_Lawyer_Disambiguation/test/fixtures/ipgxml | tar -x -C /tmp/pv
    PYTHONPATH=src .venv/bin/python benchmarks/data/patents/build_split.py \
        /tmp/pv/Assignee_Lawyer_Disambiguation/test/fixtures/ipgxml

The nine `ipgYYMMDD.small.xml` files are the first ~25 documents of USPTO weekly grant
files (2005-2013). A document qualifies when it is a utility grant (B1/B2) with an abstract
of at least 20 words, at least one claim and at least 1,000 description words. The split is
fixed by the patent number alone, before any tuning: even numbers go to the tune part, odd
numbers to the held-out part. Each part takes up to `PER_PART` documents round-robin over the
nine weeks (document order within a week), so every year is represented. Documents are
written byte for byte as the USPTO published them.
"""

from __future__ import annotations

import gzip
import re
import sys
from itertools import chain, zip_longest
from pathlib import Path

from torchworks.recipes.patents.text.readers import Patent, patents_from_xml

PER_PART = 50
HERE = Path(__file__).resolve().parent


def qualifies(chunk: str, source: str) -> tuple[bool, int]:
    parsed = patents_from_xml(chunk, source)
    if len(parsed) != 1 or not isinstance(parsed[0], Patent):
        return False, 0
    patent = parsed[0]
    number = re.fullmatch(r"US0?(\d+)B[12]", patent.id)
    ok = (number is not None and len(patent.abstract.split()) >= 20 and bool(patent.claims)
          and patent.word_count >= 1000)
    return ok, int(number.group(1)) if number else 0


def main(folder: Path) -> int:
    weeks: dict[int, list[list[str]]] = {0: [], 1: []}
    for path in sorted(folder.glob("ipg*.small.xml")):
        text = path.read_text(encoding="utf-8")
        parts: dict[int, list[str]] = {0: [], 1: []}
        for chunk in ("<?xml" + c for c in text.split("<?xml")[1:]):
            ok, number = qualifies(chunk, path.name)
            if ok:
                parts[number % 2].append(chunk)
        for parity in parts:
            weeks[parity].append(parts[parity])
    for parity, name in ((0, "tune.xml.gz"), (1, "heldout-pv.xml.gz")):
        chosen = [c for c in chain(*zip_longest(*weeks[parity])) if c][:PER_PART]
        with gzip.open(HERE / name, "wt", encoding="utf-8", compresslevel=9) as out:
            out.write("".join(c if c.endswith("\n") else c + "\n" for c in chosen))
        print(f"{name}: {len(chosen)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
