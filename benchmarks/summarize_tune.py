"""Grid search of the default (structure) summarizer's weights, on the tune part only.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize_tune.py [--top 10]

The tune part (63 documents: the 13 shared development patents and the even-numbered
PatentsView grants, benchmarks/data/patents/README.md) is the only data read here; the
held-out part is never read. Everything that does not depend on the weights (sentences,
features, lead, paragraph windows, claim 1 in prose) is computed once per document, so each
grid point costs the sentence selection and the choice among candidates. Prints the best
settings by R-1 + R-2 (ROUGE F1 %, stemmed, against the abstracts) and their R-L.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _patent_data import PARTS, read_part

GRID = {  # sentence selection, then the choice among whole candidate summaries
    "claim_weight": (4.0, 8.0),
    "position_weight": (2.0, 3.0),
    "redundancy": (0.25, 0.5),
    "claim_agreement": (0.5, 1.0, 2.0),
    "consensus": (0.5, 1.0, 2.0),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    from torchworks.recipes.patents.summarize.baselines import lead_from
    from torchworks.recipes.patents.summarize.candidates import document_sentences
    from torchworks.recipes.patents.summarize.consensus import (
        choose,
        claim_prose,
        paragraph_windows,
    )
    from torchworks.recipes.patents.summarize.evaluate import rouge
    from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
    from torchworks.recipes.patents.summarize.structure import StructureConfig, features, select

    base = StructureConfig()
    patents = read_part(list(PARTS["tune"]))
    references = [p.abstract for p in patents]
    fixed = []
    for patent in patents:
        sentences = document_sentences(patent)
        judge = " ".join(claim_prose(patent.claims[0]).split()[:base.words]) \
            if patent.claims else ""
        fixed.append((features(patent, sentences),
                      drop_reference_numerals(lead_from(sentences, base.words)),
                      paragraph_windows(patent, base.words), judge))
    rows = []
    for values in itertools.product(*GRID.values()):
        config = replace(base, **dict(zip(GRID, values, strict=True)))
        summaries = [choose([select(found, config), lead, *windows], judge,
                            config.claim_agreement, config.consensus)
                     for found, lead, windows, judge in fixed]
        scores = rouge(summaries, references)
        rows.append((scores.rouge1 + scores.rouge2, scores, values))
    rows.sort(key=lambda row: -row[0])
    print(f"# {len(patents)} tune documents; {len(rows)} settings; defaults: "
          + ", ".join(f"{k}={getattr(base, k)}" for k in GRID))
    print("  ".join(f"{name:>15}" for name in GRID) + "     R-1    R-2    R-L")
    for _, scores, values in rows[:args.top]:
        print("  ".join(f"{v:15.2f}" for v in values)
              + f"  {scores.rouge1:6.2f} {scores.rouge2:6.2f} {scores.rougeL:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
