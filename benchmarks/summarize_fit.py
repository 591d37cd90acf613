"""Fit the learned sentence scorer (summarize/learned.py) on the tune part, by cross-validation.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize_fit.py [--folds 5] [--write]

Only the tune part is read (164 documents, benchmarks/data/patents/README.md); the held-out
part never. Each candidate sentence is labelled by how much of its document's abstract it
restates (stemmed unigram + bigram overlap: F1 or precision), and a
ridge regression on standardised features (learned.FEATURE_NAMES) predicts it. The documents
are split into `--folds` folds (document i in fold i mod k); every setting (label, ridge
strength, redundancy discount) is fitted on k-1 folds and summarizes the held-back fold, so
every tune figure printed is out-of-fold. For each setting it prints ROUGE F1 (%) of:

- learned: the learned selection alone (greedy by predicted score, repeats discounted);
- replace: the default's choice among whole candidates with the learned selection in place
  of the hand-weighted one;
- add: the same choice with the learned selection as one more candidate;
- windows: as add, plus runs of consecutive sentences from the `STARTS` best-scored ones;

next to the default (fd3aa79's `structure`) and lead and claim 1 on the same documents.
`--write` refits the best setting (by the out-of-fold R-1 + R-2 of `--mode`) on all tune
documents and writes src/torchworks/recipes/patents/summarize/configs/learned_scorer.json.
The shipped file came from the full grid (best by `add`: precision, alpha 30, redundancy
0.1), written with `--mode add --labels precision --alphas 30 --redundancy 0.1 --write`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _patent_data import PARTS, read_part

LABELS = ("precision", "f1")
ALPHAS = (30.0, 1000.0)
REDUNDANCY = (0.05, 0.1, 0.25)
MODES = ("learned", "replace", "add", "windows")
STARTS = 3  # learned windows: runs of sentences from the best-scored starts


def _overlap(grams, reference) -> tuple[float, float]:
    """(F1, precision) of unigrams + bigrams of one sentence against the abstract."""
    f1 = precision = 0.0
    for mine, theirs in zip(grams, reference, strict=True):
        common = sum(min(c, theirs[k]) for k, c in mine.items() if k in theirs)
        if common:
            f1 += 2.0 * common / (mine.total() + theirs.total())
            precision += common / mine.total()
    return f1, precision


def ridge(x: np.ndarray, y: np.ndarray, alpha: float):
    """Standardised ridge least squares: (mean, scale, coef, intercept)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    coef = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return mean, scale, coef, float(y.mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--mode", choices=MODES, default="replace",
                        help="which composition picks the setting that --write ships")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--labels", nargs="+", choices=LABELS, default=LABELS)
    parser.add_argument("--alphas", nargs="+", type=float, default=ALPHAS)
    parser.add_argument("--redundancy", nargs="+", type=float, default=REDUNDANCY)
    args = parser.parse_args()

    from torchworks.recipes.patents.summarize.candidates import document_sentences
    from torchworks.recipes.patents.summarize.consensus import Candidate, _grams, choose
    from torchworks.recipes.patents.summarize.evaluate import rouge
    from torchworks.recipes.patents.summarize.learned import (
        FEATURE_NAMES,
        SCORER_PATH,
        LearnedScorer,
        feature_matrix,
        learned_windows,
    )
    from torchworks.recipes.patents.summarize.structure import (
        StructureConfig,
        candidate_summaries,
        pick,
    )

    config = StructureConfig(learned="off")  # candidates without the shipped scorer's pick
    patents = read_part(list(PARTS["tune"]))
    abstracts = [p.abstract for p in patents]
    docs = []  # per document: features, matrix, labels, default candidates and judge
    for patent in patents:
        sentences = document_sentences(patent)
        found, matrix = feature_matrix(patent, sentences)
        reference = _grams(patent.abstract)
        pairs = np.array([_overlap(_grams(t), reference) for t in found.texts])
        labels = {"f1": pairs[:, 0], "precision": pairs[:, 1]}
        others, judge = candidate_summaries(patent, config)
        docs.append((found, matrix, labels, others, judge))
    fold = [i % args.folds for i in range(len(docs))]
    base = {"default, learned off": [choose(d[3], d[4], config.choice()) for d in docs],
            "lead": [d[3][1].text for d in docs], "claim1": [d[4] for d in docs]}

    def compose(i: int, learned: tuple[str, list[str]], mode: str) -> str:
        others, judge = docs[i][3], docs[i][4]
        if mode == "learned":
            return learned[0]
        rest = others[1:] if mode == "replace" else others
        extra = [Candidate(w, "window") for w in learned[1]] if mode == "windows" else []
        return choose([Candidate(learned[0], "selection"), *rest, *extra], judge,
                      config.choice())

    print(f"# {len(docs)} tune documents, {sum(len(d[0].texts) for d in docs)} candidate "
          f"sentences, {len(FEATURE_NAMES)} features, {args.folds} folds by document; "
          "ROUGE F1 % (R-1 R-2 R-L), out-of-fold")
    for name, summaries in base.items():
        r = rouge(summaries, abstracts)
        print(f"{name:<36} {r.rouge1:6.2f} {r.rouge2:6.2f} {r.rougeL:6.2f}")
    rows = []
    for label, alpha in itertools.product(args.labels, args.alphas):
        models = []
        for k in range(args.folds):
            train = [d for d, f in zip(docs, fold, strict=True) if f != k]
            models.append(ridge(np.vstack([d[1] for d in train]),
                                np.concatenate([d[2][label] for d in train]), alpha))
        for redundancy in args.redundancy:
            learned = []
            for i, d in enumerate(docs):
                mean, scale, coef, intercept = models[fold[i]]
                scorer = LearnedScorer(mean, scale, coef, intercept, redundancy)
                scores = scorer.score(d[1])
                learned.append((pick(d[0], scores, config.words, redundancy),
                                learned_windows(d[0], scores, config.words, STARTS)))
            scores = {mode: rouge([compose(i, s, mode) for i, s in enumerate(learned)],
                                  abstracts) for mode in MODES}
            rows.append(((label, alpha, redundancy), scores))
            cells = "  ".join(f"{m} {r.rouge1:5.2f} {r.rouge2:5.2f} {r.rougeL:5.2f}"
                              for m, r in scores.items())
            print(f"{label:<10} alpha {alpha:6.0f} red {redundancy:4.2f}  {cells}", flush=True)
    best, scores = max(rows, key=lambda row: row[1][args.mode].rouge1 + row[1][args.mode].rouge2)
    print(f"# best by {args.mode} R-1 + R-2: label {best[0]}, alpha {best[1]}, redundancy "
          f"{best[2]}: " + "  ".join(f"{m} {r.rouge1:.2f} {r.rouge2:.2f} {r.rougeL:.2f}"
                                      for m, r in scores.items()))
    if args.write:
        label, alpha, redundancy = best
        mean, scale, coef, intercept = ridge(np.vstack([d[1] for d in docs]),
                                             np.concatenate([d[2][label] for d in docs]), alpha)
        data = LearnedScorer(mean, scale, coef, intercept, redundancy).to_dict()
        data["fit"] = {"by": "benchmarks/summarize_fit.py " + " ".join(sys.argv[1:]),
                       "part": "tune",
                       "documents": len(docs), "label": label, "alpha": alpha,
                       "folds": args.folds, "mode": args.mode,
                       "out_of_fold": {m: [round(v, 2) for v in (r.rouge1, r.rouge2, r.rougeL)]
                                       for m, r in scores.items()}}
        SCORER_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"# wrote {SCORER_PATH}")
        for name, weight in sorted(zip(FEATURE_NAMES, coef, strict=True), key=lambda t: -abs(t[1])):
            print(f"{name:<20} {weight:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
