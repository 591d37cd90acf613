"""Grid search of the structure summarizer's weights, on the tune part only.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize_tune.py \
        [--data ../shared/data/patents/patents.jsonl] [--top 10]

The tune part is the 13-document development sample; the held-out part
(benchmarks/data/patents/heldout.xml) is never read here. Features are computed once per
document, so each grid point costs only the greedy selection. Prints the best settings by
R-1 + R-2 (ROUGE F1 %, stemmed, against the abstracts) and their R-L.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "patents" \
    / "patents.jsonl"
GRID = {  # a first, coarser grid put the optimum at the edges of this one
    "claim_weight": (4.0, 6.0, 8.0),
    "title_weight": (0.5,),
    "summary_weight": (0.5, 1.0),
    "structure_weight": (0.5,),
    "position_weight": (2.0, 3.0, 4.0),
    "objects_penalty": (1.0,),
    "redundancy": (0.0, 0.25, 0.5),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    from torchworks.recipes.patents.summarize.evaluate import rouge
    from torchworks.recipes.patents.summarize.structure import StructureConfig, features, select
    from torchworks.recipes.patents.text.readers import Patent, read_patents

    patents = [p for p in read_patents(args.data) if isinstance(p, Patent)]
    references = [p.abstract for p in patents]
    found = [features(p) for p in patents]
    rows = []
    for values in itertools.product(*GRID.values()):
        config = replace(StructureConfig(), **dict(zip(GRID, values, strict=True)))
        scores = rouge([select(f, config) for f in found], references)
        rows.append((scores.rouge1 + scores.rouge2, scores, values))
    rows.sort(key=lambda row: -row[0])
    print(f"# {len(patents)} tune documents from {args.data}; {len(rows)} settings")
    print("  ".join(f"{name:>16}" for name in GRID) + "     R-1    R-2    R-L")
    for _, scores, values in rows[:args.top]:
        print("  ".join(f"{v:16.2f}" for v in values)
              + f"  {scores.rouge1:6.2f} {scores.rouge2:6.2f} {scores.rougeL:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
