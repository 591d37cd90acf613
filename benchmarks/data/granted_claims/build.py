"""Build the claim checker's evaluation sets from USPTO weekly grant XML (see README.md).

    .venv/bin/python benchmarks/data/granted_claims/build.py /path/to/ipg*.xml

Utility patents only (design and plant patents have one formal claim each). The week of
issue decides the split: weeks of odd years are the tune part, even years the held-out part,
so no patent's claims are in both. Each output line: id, title, week, abstract, claims (list
of claim strings as the project's XML reader gives them), description.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

from torchworks.recipes.patents.text.readers import patents_from_xml

HERE = Path(__file__).resolve().parent


def main(paths: list[str]) -> int:
    parts: dict[str, list[dict]] = {"tune": [], "heldout": []}
    for name in sorted(paths):
        week = re.search(r"ipg(\d{6})", name).group(1)
        part = "tune" if int(week[:2]) % 2 else "heldout"
        for patent in patents_from_xml(Path(name).read_text(encoding="utf-8"), name):
            if not getattr(patent, "claims", None) or not patent.id.startswith("US0"):
                continue  # design (USD...), plant (USPP...), reissue and bad documents
            parts[part].append({"id": patent.id, "title": patent.title, "week": week,
                                "abstract": patent.abstract, "claims": patent.claims,
                                "description": patent.description})
    for part, records in parts.items():
        with gzip.open(HERE / f"{part}.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(part, len(records), "patents", sum(len(r["claims"]) for r in records), "claims")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
