"""A learned chooser among the default's whole candidate summaries, scored out of fold on tune.

    PYTHONPATH=src .venv/bin/python benchmarks/summarize_choose.py [--folds 5] [--repeats 4]

Only the tune part is read (164 documents, benchmarks/data/patents/README.md). The default
(`structure`) makes ~20 whole candidate summaries per document and keeps the one that best
restates claim 1 and agrees most with the others (`consensus.choose_from`); picking the best
candidate by its ROUGE against the abstract (the oracle) would reach ~70 R-1 against the
default's ~60.7, so the headroom is in the choice. This fits a linear scorer over cheap
candidate features (`FEATURES`: the choice's own two judges, the candidate's source, its
length, its agreement with the title, the lead and the selection, repeats among candidates),
all taken relative to the document's other candidates, and keeps the top-scored candidate.

Two fits, each with a ridge penalty that pulls the weights towards the default's choice
(claim 1 agreement + consensus, nothing else), so a strong penalty is the default itself:

- `ridge`: least squares on the candidate's ROUGE-1 + ROUGE-2 F1 minus its document's mean;
- `listwise`: a softmax over each document's candidates fitted to the softmax of their
  ROUGE-1 + ROUGE-2 (temperature `TEMPERATURE` points), the ListNet loss.

Documents are split into `--folds` folds, `--repeats` times with different shuffles; each
setting is fitted on k-1 folds and chooses on the held-back fold, so every figure printed is
out-of-fold. The penalty is chosen inside the training folds too (nested: an inner split of
the training documents), so the "nested" line is the honest estimate of what shipping the
method would give; the per-penalty lines show how the figure moves with it. The paired
difference against the default is printed with its standard error over documents.

What it found (sixth round, benchmarks/data/patents/README.md): no setting beats the default
out of fold; the nested fits lose 0.71 (ridge) and 0.33 (listwise) R-1 + R-2, the strongest
penalties tend to the default itself. So the default's choice stays as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _patent_data import PARTS, is_application, read_part

ROLES = ("learned", "selection", "lead", "window", "claim")
FEATURES = ("claim_agreement", "consensus", "statement", "length", "title", "lead_agreement",
            "selection_agreement", "repeats", "window_rank", *(f"is_{r}" for r in ROLES),
            "claim_precision_1", "claim_recall_1", "claim_precision_2", "claim_recall_2",
            "sentences")
DEFAULT = {"claim_agreement": 1.0, "consensus": 1.0}
PENALTIES = (1.0, 10.0, 100.0, 1000.0)
TEMPERATURE = 5.0  # ROUGE points: how sharply the listwise target prefers the best candidate


def candidate_table(patents) -> list[dict]:
    """Per document: each candidate's features, its ROUGE-1/2/L F1 against the abstract, and
    which one the default chooses."""
    from rouge_score.rouge_scorer import RougeScorer

    from torchworks.recipes.patents.summarize.consensus import _agreement, _grams, ballot
    from torchworks.recipes.patents.summarize.structure import (
        StructureConfig,
        candidate_summaries,
    )
    from torchworks.recipes.patents.text.sentences import split_sentences

    config = StructureConfig()
    scorer = RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    table = []
    for patent in patents:
        candidates, judge = candidate_summaries(patent, config)
        # the learned selection comes first (learned="add"), then the hand-weighted one
        roles = [c.role for c in candidates if c.text]
        if config.learned in ("add", "windows") and roles and roles[0] == "selection":
            roles[0] = "learned"
        found = ballot(candidates, judge)
        texts, n = found.texts, len(found.texts)
        grams = [_grams(t) for t in texts]
        title = _grams(patent.title)
        claim = _grams(judge)
        lead = next((g for g, r in zip(grams, roles, strict=True) if r == "lead"), None)
        picked = next((g for g, r in zip(grams, roles, strict=True) if r == "selection"),
                      None)
        window_rank, rows = 0, []
        for i in range(n):
            if roles[i] == "window":
                window_rank += 1
            rows.append([
                found.claim[i], found.consensus[i], float(found.statement[i]),
                len(texts[i].split()) / config.words,
                _agreement(grams[i], title),
                _agreement(grams[i], lead) if lead is not None else 0.0,
                _agreement(grams[i], picked) if picked is not None else 0.0,
                float(sum(t == texts[i] for t in texts) - 1),
                1.0 / window_rank if roles[i] == "window" else 0.0,
                *(float(roles[i] == r) for r in ROLES),
                *(v for order in (0, 1) for v in _precision_recall(grams[i][order],
                                                                  claim[order])),
                len(split_sentences(texts[i])) / 10.0])
        scores = [scorer.score(patent.abstract, t) for t in texts]
        default = max((i for i in range(n) if roles[i] != "claim"),
                      key=lambda i: found.claim[i] + found.consensus[i])
        table.append({
            "id": patent.id, "application": is_application(patent.id),
            "x": np.array(rows), "roles": roles, "default": default,
            "rouge": 100.0 * np.array([[s[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")]
                                       for s in scores])})
    return table


def _precision_recall(mine, theirs) -> tuple[float, float]:
    """Share of `mine` in `theirs` and of `theirs` in `mine` (clipped n-gram counts)."""
    common = sum(min(c, theirs[k]) for k, c in mine.items() if k in theirs)
    return common / max(1, mine.total()), common / max(1, theirs.total())


def _relative(x: np.ndarray) -> np.ndarray:
    """Features minus the document's mean (what a choice within a document can use)."""
    return x - x.mean(axis=0, keepdims=True)


def _prior() -> np.ndarray:
    return np.array([DEFAULT.get(name, 0.0) for name in FEATURES])


def fit_ridge(docs: list[dict], penalty: float) -> np.ndarray:
    """Least squares of R-1 + R-2 minus the document mean on relative features, shrunk to the
    default's weights (scaled to the target's units by a one-parameter fit first)."""
    x = np.concatenate([_relative(d["x"]) for d in docs])
    y = np.concatenate([d["rouge"][:, :2].sum(1) - d["rouge"][:, :2].sum(1).mean() for d in docs])
    prior = _prior()
    base = x @ prior
    scale = float(base @ y / max(base @ base, 1e-12))
    target = scale * prior
    a = x.T @ x + penalty * np.eye(len(prior))
    return np.linalg.solve(a, x.T @ y + penalty * target)


def fit_listwise(docs: list[dict], penalty: float, steps: int = 300) -> np.ndarray:
    """ListNet: softmax of w.x over a document's candidates fitted to the softmax of their
    R-1 + R-2 / TEMPERATURE, by gradient descent, with penalty * |w - prior|^2 / docs."""
    prior = 5.0 * _prior()  # softmax units: a 0.2 lead in agreement is a factor e over the rest
    xs = [_relative(d["x"]) for d in docs]
    targets = []
    for d in docs:
        r = d["rouge"][:, :2].sum(1) / TEMPERATURE
        p = np.exp(r - r.max())
        targets.append(p / p.sum())
    w = prior.copy()
    rate = 0.5 / (1.0 + 2.0 * penalty / len(docs))  # stable for any penalty
    for _ in range(steps):
        grad = 2.0 * penalty * (w - prior) / len(docs)
        for x, t in zip(xs, targets, strict=True):
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += x.T @ (p - t) / len(docs)
        w -= rate * grad
    return w


FITS = {"ridge": fit_ridge, "listwise": fit_listwise}


def choose(doc: dict, w: np.ndarray) -> int:
    """The top-scored candidate; claim 1 itself never (as in the default)."""
    s = _relative(doc["x"]) @ w
    s[[i for i, r in enumerate(doc["roles"]) if r == "claim"]] = -np.inf
    return int(np.argmax(s))


def _nested(train: list[dict], fit, folds: int, rng) -> float:
    """The penalty that chooses best (R-1 + R-2) on an inner split of the training docs."""
    order = rng.permutation(len(train))
    best, best_penalty = -np.inf, PENALTIES[-1]
    for penalty in PENALTIES:
        total = 0.0
        for k in range(folds):
            inner = [train[i] for j, i in enumerate(order) if j % folds != k]
            held = [train[i] for j, i in enumerate(order) if j % folds == k]
            w = fit(inner, penalty)
            total += sum(d["rouge"][choose(d, w), :2].sum() for d in held)
        if total > best:
            best, best_penalty = total, penalty
    return best_penalty


def out_of_fold(table: list[dict], folds: int, repeats: int, seed: int = 0) -> dict:
    """{setting: array [repeats, docs, 3]} of the chosen candidates' ROUGE, out of fold."""
    rng = np.random.default_rng(seed)
    settings = [(name, p) for name in FITS for p in PENALTIES] + [(n, "nested") for n in FITS]
    out = {s: np.zeros((repeats, len(table), 3)) for s in settings}
    for rep in range(repeats):
        order = rng.permutation(len(table))
        for k in range(folds):
            test = [i for j, i in enumerate(order) if j % folds == k]
            train = [table[i] for j, i in enumerate(order) if j % folds != k]
            for name, fit in FITS.items():
                weights = {p: fit(train, p) for p in PENALTIES}
                chosen_penalty = _nested(train, fit, folds - 1, rng)
                for i in test:
                    for p in PENALTIES:
                        out[(name, p)][rep, i] = table[i]["rouge"][choose(table[i], weights[p])]
                    out[(name, "nested")][rep, i] = table[i]["rouge"][
                        choose(table[i], weights[chosen_penalty])]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()

    table = candidate_table(read_part(list(PARTS["tune"])))
    default = np.array([d["rouge"][d["default"]] for d in table])
    oracle = np.array([d["rouge"][int(np.argmax(d["rouge"][:, :2].sum(1)))] for d in table])
    groups = {"all": np.ones(len(table), bool),
              "applications": np.array([d["application"] for d in table])}
    groups["grants"] = ~groups["applications"]
    print(f"# tune: {len(table)} documents, {np.mean([len(d['roles']) for d in table]):.1f} "
          f"candidates each; R-1 / R-2 / R-L F1 (%); diff = R-1 + R-2 minus the default's, "
          f"mean over documents +- its standard error")
    print(f"{'setting':<22}" + "".join(f"{g:>34}" for g in groups) + f"{'diff':>16}")

    def line(name: str, rows: np.ndarray) -> None:
        diff = rows[:, :2].sum(1) - default[:, :2].sum(1)
        cells = "".join(f"{' / '.join(f'{v:.2f}' for v in rows[m].mean(0)):>34}"
                        for m in groups.values())
        print(f"{name:<22}{cells}{diff.mean():>+9.2f} +- {diff.std() / np.sqrt(len(diff)):.2f}")

    line("default", default)
    line("oracle", oracle)
    for (name, penalty), rows in out_of_fold(table, args.folds, args.repeats).items():
        line(f"{name} {penalty}", rows.mean(0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
