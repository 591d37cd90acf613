"""A learned sentence scorer: the classic supervised extractive approach, on cheap features.

Each candidate sentence of a patent (`structure.candidates`) gets a row of features that cost
only word counting and a few regular expressions: where it is (section kind, place in its
section and in the document), what it says (cue phrases, a statement of the invention,
objects and advantages, figure walk-throughs), how much of claim 1 and of the title it
repeats (content-word stems), its length and its density of reference numerals. A linear
model (ridge least squares on standardised features) predicts how much of the abstract the
sentence restates (unigram + bigram F1 of stems, the ROUGE-1 + ROUGE-2 the metric counts).

The coefficients are fitted by `benchmarks/summarize_fit.py` on the tune part only, the
ridge strength and label chosen by cross-validation across documents, and shipped as
`configs/learned_scorer.json` so that the fit is reproducible and loading it needs nothing
but numpy. Scoring is a matrix product: deterministic and microseconds per document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from torchworks.errors import ConfigError
from torchworks.recipes.patents.summarize.candidates import (
    NEGATIVE_CUES,
    POSITIVE_CUES,
    Sentence,
    document_sentences,
    first_claim,
)
from torchworks.recipes.patents.summarize.consensus import STATEMENT
from torchworks.recipes.patents.summarize.structure import Features, candidates, features, pick
from torchworks.recipes.patents.summarize.words import content_words
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent

SCORER_PATH = Path(__file__).resolve().parent / "configs" / "learned_scorer.json"

# the first six are `structure.features`' columns, in its order
FEATURE_NAMES = (
    "structure", "position", "cos_claim", "cos_title", "cos_summary", "objects",
    "in_summary", "in_field", "in_background", "in_detailed", "first_in_section",
    "place_in_document", "length", "length_squared", "claim_recall", "title_coverage",
    "statement", "positive_cues", "negative_cues", "numeral_density",
)
_NUMERAL = re.compile(r"\b\d+[a-z]?'*\b")


def feature_matrix(patent: Patent, sentences: list[Sentence] | None = None,
                   found: Features | None = None) -> tuple[Features, np.ndarray]:
    """The candidates' `Features` (texts, order, redundancy vectors; `found` if the caller
    has them already) and the learned scorer's [n, len(FEATURE_NAMES)] feature rows."""
    sentences = document_sentences(patent) if sentences is None else sentences
    found = features(patent, sentences) if found is None else found
    pool = candidates(patent, sentences)
    claim = set(content_words(first_claim(patent.claims)))
    title = set(content_words(patent.title))
    last = max(1, len(sentences) - 1)
    rows = []
    for s, cleaned in zip(pool, found.texts, strict=True):  # cleaned: numerals dropped
        words = content_words(s.text)
        length = s.words / 50.0
        numerals = len(_NUMERAL.findall(s.text)) - len(_NUMERAL.findall(cleaned))
        rows.append([
            float(s.kind == S.SUMMARY), float(s.kind == S.FIELD),
            float(s.kind == S.BACKGROUND), float(s.kind == S.DETAILED), float(s.rank == 0),
            s.index / last, length, length * length,
            sum(w in claim for w in words) / max(1, len(words)),
            len(title.intersection(words)) / max(1, len(title)),
            float(bool(STATEMENT.search(s.text))),
            float(min(2, len(POSITIVE_CUES.findall(s.text)))),
            float(min(2, len(NEGATIVE_CUES.findall(s.text)))),
            numerals / max(1, s.words),
        ])
    matrix = np.column_stack([found.matrix, np.asarray(rows, dtype=np.float64)])
    return found, matrix


@dataclass(frozen=True)
class LearnedScorer:
    """A fitted linear scorer: score = ((x - mean) / scale) @ coef + intercept."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    redundancy: float  # how much each pick discounts the sentences that repeat it

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return ((matrix - self.mean) / self.scale) @ self.coef + self.intercept

    def to_dict(self) -> dict[str, object]:
        return {"features": list(FEATURE_NAMES), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": self.intercept, "redundancy": self.redundancy}

    @classmethod
    def from_dict(cls, data: dict, source: str = "the scorer") -> LearnedScorer:
        if list(data.get("features", ())) != list(FEATURE_NAMES):
            raise ConfigError(f"{source} was fitted on other features than this version "
                              "computes", fix="refit it: benchmarks/summarize_fit.py --write")
        arrays = [np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")]
        if any(a.shape != (len(FEATURE_NAMES),) for a in arrays) or (arrays[1] <= 0).any():
            raise ConfigError(f"{source} has malformed coefficients",
                              fix="refit it: benchmarks/summarize_fit.py --write")
        return cls(*arrays, float(data["intercept"]), float(data["redundancy"]))


@lru_cache(maxsize=4)
def load_scorer(path: Path = SCORER_PATH) -> LearnedScorer:
    """The shipped (or given) fitted scorer, read once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the learned scorer {path}: {exc}",
                          fix="restore it from git or refit: benchmarks/summarize_fit.py "
                              "--write") from exc
    return LearnedScorer.from_dict(data, str(path))


def learned_selection(patent: Patent, sentences: list[Sentence], words: int,
                      scorer: LearnedScorer | None = None) -> str:
    """Sentences best-first by the learned score under the budget, repeats discounted,
    in document order (`structure.pick`)."""
    scorer = load_scorer() if scorer is None else scorer
    found, matrix = feature_matrix(patent, sentences)
    return pick(found, scorer.score(matrix), words, scorer.redundancy)


def learned_windows(found: Features, scores: np.ndarray, words: int, starts: int) -> list[str]:
    """Runs of consecutive candidate sentences (document order, up to the budget) starting at
    each of the `starts` best-scored ones: the learned choice of where to start, with the
    drafter's own word order kept (what ROUGE-2 and ROUGE-L reward)."""
    order = sorted(range(len(found.texts)), key=lambda i: found.order[i])
    place = {i: k for k, i in enumerate(order)}
    windows: list[str] = []
    for best in np.argsort(-scores, kind="stable")[:starts]:
        picked: list[str] = []
        total = 0
        for i in order[place[int(best)]:]:
            length = len(found.texts[i].split())
            if total + length > words:
                break
            picked.append(found.texts[i])
            total += length
        if picked:
            windows.append(" ".join(picked))
    return windows
