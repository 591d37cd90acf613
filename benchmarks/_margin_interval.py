"""How sure a margin over the free baselines is: a paired bootstrap over documents.

Issue 17's bar is a margin of means, mean(default) - max(mean(lead), mean(claim1)), per ROUGE
metric. On ~50 documents its standard error (~2.6 R-1) is larger than the +2 bar, so a margin
printed without an interval invites reading noise as a result. Resampling documents (the same
resample for all three methods: their scores on one document are correlated) and recomputing
the margin each time gives a percentile interval that carries the max() as it is. Where lead
and claim 1 are close, a resample's max() of their means is on average above the max() of the
observed means, so the interval sits a little below the observed margin: it is conservative
for a claim that the margin is positive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 2000
SEED = 0
METRICS = ("rouge1", "rouge2", "rougeL")
LABELS = {"rouge1": "R-1", "rouge2": "R-2", "rougeL": "R-L"}


def margin_interval(ours: Sequence[float], lead: Sequence[float], claim1: Sequence[float],
                    resamples: int = RESAMPLES, seed: int = SEED,
                    level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of mean(ours) - max(mean(lead), mean(claim1)) over `resamples`
    paired resamples of the documents (one score per document in each column)."""
    lengths = {len(ours), len(lead), len(claim1)}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"need three equally long, non-empty score columns, got lengths "
                         f"{len(ours)}, {len(lead)}, {len(claim1)}")
    columns = np.asarray([ours, lead, claim1], dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, columns.shape[1], size=(resamples, columns.shape[1]))
    means = columns[:, picks].mean(axis=2)  # (3, resamples)
    margins = means[0] - np.maximum(means[1], means[2])
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(margins, [tail, 100 - tail])
    return float(low), float(high)


def per_document(summaries: Sequence[object], references: Sequence[str]) -> dict[str, list[float]]:
    """ROUGE F1 (%) of each summary against its reference, by metric; a failed summary (not a
    string) scores as an empty one, as `evaluate` counts it."""
    from torchworks.recipes.patents.summarize.evaluate import rouge

    pairs = [rouge([s if isinstance(s, str) else ""], [r])
             for s, r in zip(summaries, references, strict=True)]
    return {metric: [getattr(p, metric) for p in pairs] for metric in METRICS}


def interval_line(scores: dict[str, dict[str, Sequence[float]]], members: Sequence[int],
                  resamples: int = RESAMPLES) -> str:
    """The 95 % interval of the default's margin on `members`, every metric; `scores` maps
    method ("structure", "lead", "claim1") to metric to per-document scores."""
    pieces = []
    for metric in METRICS:
        columns = [[scores[m][metric][i] for i in members] for m in ("structure", "lead",
                                                                       "claim1")]
        low, high = margin_interval(*columns, resamples=resamples)
        pieces.append(f"{LABELS[metric]} [{low:+.2f}, {high:+.2f}]")
    return (f"#   95% interval of that margin (paired bootstrap over {len(members)} documents, "
            f"{resamples} resamples, seed {SEED}): " + ", ".join(pieces))
