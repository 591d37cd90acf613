"""Baselines from the BigPatent paper, on the same sentences as the default summarizer.

- lead: the first sentences of the summary section (or of the description when there is
  none) up to the budget;
- textrank (Mihalcea & Tarau 2004): PageRank over sentences, edges weighted by word overlap
  normalized by log lengths;
- lexrank (Erkan & Radev 2004): PageRank over the graph of TF-IDF cosine similarities above
  0.1 (the paper's threshold).

All take every sentence of at least `MIN_WORDS` words (no section or cue knowledge: that is
what the default adds) and fill the same word budget, best first, printed in document order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from torchworks.errors import DataError, require
from torchworks.recipes.patents.summarize.candidates import (
    MIN_WORDS,
    Sentence,
    document_sentences,
)
from torchworks.recipes.patents.summarize.select import fill_budget, join_in_order
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent

DAMPING = 0.85
LEXRANK_THRESHOLD = 0.1


def pagerank(weights: np.ndarray, iterations: int = 50, tol: float = 1e-6) -> np.ndarray:
    """Stationary scores of the random walk on a non-negative weight matrix [n, n]."""
    n = weights.shape[0]
    np.fill_diagonal(weights, 0.0)
    out = weights.sum(axis=1, keepdims=True)
    transition = np.divide(weights, out, out=np.full_like(weights, 1.0 / n), where=out > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - DAMPING) / n + DAMPING * (transition.T @ scores)
        if np.abs(new - scores).sum() < tol:
            return new
        scores = new
    return scores


def _sentences(patent: Patent) -> list[Sentence]:
    sentences = [s for s in document_sentences(patent) if s.words >= MIN_WORDS]
    if not sentences:
        raise DataError("the document has no description sentences",
                        fix="pass the full text (description paragraphs)")
    return sentences


def lead(patent: Patent, words: int) -> str:
    sentences = _sentences(patent)
    summary = [s for s in sentences if s.kind == S.SUMMARY]
    return join_in_order(fill_budget(summary or sentences, words))


def _rank(sentences: list[Sentence], scores: np.ndarray, words: int) -> str:
    order = np.argsort(-scores, kind="stable")
    return join_in_order(fill_budget([sentences[i] for i in order], words))


def textrank(patent: Patent, words: int) -> str:
    CountVectorizer = require("sklearn.feature_extraction.text", "nlp").CountVectorizer

    sentences = _sentences(patent)
    counts = CountVectorizer(binary=True, token_pattern=r"(?u)\b\w\w+\b").fit_transform(
        [s.text for s in sentences])
    overlap = (counts @ counts.T).toarray().astype(np.float64)
    lengths = np.log(np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 2))
    weights = overlap / (lengths[:, None] + lengths[None, :])
    return _rank(sentences, pagerank(weights), words)


def lexrank(patent: Patent, words: int) -> str:
    TfidfVectorizer = require("sklearn.feature_extraction.text", "nlp").TfidfVectorizer

    sentences = _sentences(patent)
    tfidf = TfidfVectorizer().fit_transform([s.text for s in sentences])
    cosine = (tfidf @ tfidf.T).toarray()
    adjacency = (cosine > LEXRANK_THRESHOLD).astype(np.float64)
    return _rank(sentences, pagerank(adjacency), words)


BASELINES = {"lead": lead, "textrank": textrank, "lexrank": lexrank}


@dataclass
class BaselineSummarizer:
    """One of `BASELINES` behind the same batch interface as the other summarizers."""

    name: str
    words: int = 150

    def with_words(self, words: int) -> BaselineSummarizer:
        return replace(self, words=words)

    def summarize(self, patents: list[Patent]) -> list[str | Exception]:
        function = BASELINES[self.name]
        results: list[str | Exception] = []
        for patent in patents:
            try:
                results.append(function(patent, self.words))
            except DataError as exc:
                results.append(exc)
        return results
