"""Grid search of the default (structure) summarizer's weights, on the tune part only.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize_tune.py [--top 10]

The tune part (164 documents: the 13 shared development patents, the even-numbered
PatentsView grants, the applications and grants of PatentsView-DB's other fixtures and the
even-numbered RubyXML applications,
benchmarks/data/patents/README.md) is the only data read here; the held-out part is never
read. Everything that does not depend on the weights (sentences, features, lead, paragraph
windows, claim 1 in prose) is computed once per document, and the agreements among the
candidates once per sentence-selection setting, so each choice setting costs a max per
document. Prints the best settings by R-1 + R-2 (ROUGE F1 %, stemmed, against the abstracts)
and their R-L, over all tune documents and, for the same settings, over its applications
and its grants alone; then the best setting of each kind alone (does the choice need to
depend on the document kind?).

What it found in the second round (benchmarks/data/patents/README.md): the best setting on
tune (claim_weight 8, consensus 0.5, lead and statement priors 0.1, claim 1 as a candidate)
beat the defaults by +1.3 R-1 / +2.7 R-2 on tune and lost 0.2 R-1 / 0.8 R-2 / 1.0 R-L on
held-out, so the defaults stayed. Gains under ~2 ROUGE points from this grid are noise.
The learned scorer's candidate (`StructureConfig.learned`) is not in this grid: it is fitted
and scored out-of-fold by benchmarks/summarize_fit.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _patent_data import PARTS, is_application, read_part

SELECTION = {"claim_weight": (4.0, 8.0), "redundancy": (0.25, 0.5)}
CHOICE = {
    "consensus": (0.5, 1.0),
    "lead_prior": (0.0, 0.1, 0.2),
    "statement_prior": (0.0, 0.1, 0.2),
    "claim_candidate": (False, True),  # may claim 1 in prose itself win (claim_prior 1.0)
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    from torchworks.recipes.patents.summarize.baselines import lead_from
    from torchworks.recipes.patents.summarize.candidates import document_sentences, first_claim
    from torchworks.recipes.patents.summarize.consensus import (
        Candidate,
        ballot,
        choose_from,
        claim_prose,
        paragraph_windows,
    )
    from torchworks.recipes.patents.summarize.evaluate import rouge
    from torchworks.recipes.patents.summarize.structure import (
        StructureConfig,
        features,
        select,
        tidied_lead_pool,
    )

    base = StructureConfig()
    patents = read_part(list(PARTS["tune"]))
    kinds = {"all": list(range(len(patents))),
             "applications": [i for i, p in enumerate(patents) if is_application(p.id)],
             "grants": [i for i, p in enumerate(patents) if not is_application(p.id)]}
    fixed = []
    for patent in patents:
        sentences = document_sentences(patent)
        judge = " ".join(claim_prose(first_claim(patent.claims)).split()[:base.words])
        others = [Candidate(lead_from(tidied_lead_pool(sentences), base.words), "lead"),
                  *(Candidate(w, "window") for w in paragraph_windows(patent, base.words)),
                  Candidate(judge, "claim")]
        fixed.append((features(patent, sentences), others, judge))

    results = []  # (settings, summaries)
    for picked in itertools.product(*SELECTION.values()):
        selection = replace(base, **dict(zip(SELECTION, picked, strict=True)))
        ballots = [ballot([Candidate(select(found, selection), "selection"), *others], judge)
                   for found, others, judge in fixed]
        for chosen in itertools.product(*CHOICE.values()):
            config = replace(selection, **dict(zip(CHOICE, chosen, strict=True)))
            weights = config.choice()
            results.append((picked + chosen, [choose_from(b, weights) for b in ballots]))

    def scores(summaries: list[str], kind: str):
        return rouge([summaries[i] for i in kinds[kind]],
                     [patents[i].abstract for i in kinds[kind]])

    names = [*SELECTION, *CHOICE]
    defaults = tuple(getattr(base, k) for k in names)
    print(f"# {len(patents)} tune documents ({len(kinds['applications'])} applications, "
          f"{len(kinds['grants'])} grants); {len(results)} settings; defaults: "
          + ", ".join(f"{k}={v}" for k, v in zip(names, defaults, strict=True)))
    table = {kind: sorted(((scores(s, kind), values) for values, s in results),
                          key=lambda row: -(row[0].rouge1 + row[0].rouge2)) for kind in kinds}
    by_values = {kind: {values: r for r, values in rows} for kind, rows in table.items()}
    header = "  ".join(f"{name[:15]:>15}" for name in names)
    print(f"{header}   all R-1/R-2/R-L     applications        grants")

    def line(values: tuple) -> str:
        cells = "  ".join(f"{v:15.2f}" for v in values)
        parts = [by_values[kind][values] for kind in kinds]
        return cells + "  " + "  ".join(f"{r.rouge1:5.2f} {r.rouge2:5.2f} {r.rougeL:5.2f}"
                                        for r in parts)

    for _, values in table["all"][:args.top]:
        print(line(values))
    print("# the defaults:")
    print(line(defaults))
    for kind in ("applications", "grants"):
        print(f"# best on {kind} alone:")
        print(line(table[kind][0][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
