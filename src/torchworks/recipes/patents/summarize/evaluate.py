"""ROUGE-1/2/L F1 against each record's abstract, the way BigPatent results are reported.

Scores are F1 in percent from Google's `rouge-score` with Porter stemming, averaged over the
documents that have an abstract (macro average, as in the BigPatent and PEGASUS papers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from torchworks.errors import DataError, require
from torchworks.recipes.patents.text.patent import Patent


@dataclass
class RougeScores:
    rouge1: float
    rouge2: float
    rougeL: float


@dataclass
class EvalResult:
    """What `torchworks patents eval` prints as one JSON object."""

    method: str
    rouge1: float
    rouge2: float
    rougeL: float
    docs: int
    docs_per_second: float
    words_per_second: float  # description words summarized per second
    words_per_summary: float
    failed: int = 0

    def to_dict(self) -> dict[str, float | int | str]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def rouge(summaries: Sequence[str], references: Sequence[str]) -> RougeScores:
    """Mean ROUGE-1/2/L F1 (percent) of `summaries` against `references`, pairwise."""
    rouge_scorer = require("rouge_score.rouge_scorer", "nlp")
    if len(summaries) != len(references) or not summaries:
        raise DataError(f"need the same non-zero number of summaries and references, got "
                        f"{len(summaries)} and {len(references)}")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for summary, reference in zip(summaries, references, strict=True):
        scores = scorer.score(reference, summary)
        for key in totals:
            totals[key] += scores[key].fmeasure
    n = len(summaries)
    return RougeScores(**{k: 100.0 * v / n for k, v in totals.items()})


def evaluate(method: str, summarize: Callable[[list[Patent]], list[str | Exception]],
             patents: list[Patent]) -> EvalResult:
    """Time `summarize` over `patents` (one batch) and score it against their abstracts.

    Documents without an abstract cannot be scored and are refused up front; a document the
    summarizer fails on counts as an empty summary (it scores 0, it is not skipped).
    """
    missing = [p.id for p in patents if not p.abstract.strip()]
    if missing:
        raise DataError(f"{len(missing)} record(s) have no 'abstract' to compare with "
                        f"(first: {missing[0]})", fix="evaluate on records that have an abstract")
    if not patents:
        raise DataError("no documents to evaluate", fix="check --data and --limit")
    start = time.perf_counter()
    outputs = summarize(patents)
    elapsed = max(time.perf_counter() - start, 1e-9)
    summaries = [o if isinstance(o, str) else "" for o in outputs]
    scores = rouge(summaries, [p.abstract for p in patents])
    return EvalResult(
        method=method,
        rouge1=scores.rouge1,
        rouge2=scores.rouge2,
        rougeL=scores.rougeL,
        docs=len(patents),
        docs_per_second=len(patents) / elapsed,
        words_per_second=sum(p.word_count for p in patents) / elapsed,
        words_per_summary=sum(len(s.split()) for s in summaries) / len(summaries),
        failed=sum(not isinstance(o, str) for o in outputs),
    )
