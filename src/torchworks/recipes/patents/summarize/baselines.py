"""The free baselines, on the same sentences as the default summarizer.

- lead: the first sentences of the summary section (or of the description when there is
  none) up to the budget: what a reader would take without any tool;
- claim1: the first claim that is not canceled, cut at the budget (an abstract often
  restates it);
- textrank (Mihalcea & Tarau 2004): PageRank over sentences, edge weight = shared content
  words / (log |S_i| + log |S_j|);
- lexrank (Erkan & Radev 2004): PageRank over the graph of idf-modified cosine similarities
  above 0.1 (the paper's threshold). Its terms include numbers, as the paper's and sumy's
  tokens do: in a patent "12" is the housing, and idf makes such a label a strong link
  between the sentences about that part (tune part, 164 documents: R-1 46.02 -> 46.84;
  for TextRank's unweighted overlap they are noise, 46.17 -> 46.06, so it leaves them out).

"Content words" as the papers define them: stop words removed, the rest stemmed (Snowball,
the stemmer sumy uses), so that "the", "of" and "a" do not make every pair of sentences
similar. TextRank and LexRank take every sentence of at least `MIN_WORDS` words (no section
or cue knowledge: that is what the default adds) and fill the same word budget, best first,
printed in document order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from torchworks.errors import DataError
from torchworks.recipes.patents.summarize.candidates import (
    MIN_WORDS,
    Sentence,
    document_sentences,
    first_claim,
)
from torchworks.recipes.patents.summarize.select import fill_budget, join_in_order
from torchworks.recipes.patents.summarize.words import content_words
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent

DAMPING = 0.85
LEXRANK_THRESHOLD = 0.1


def pagerank(weights: np.ndarray, iterations: int = 100, tol: float = 1e-8) -> np.ndarray:
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


def baseline_sentences(patent: Patent) -> list[Sentence]:
    """The sentences every graph baseline ranks (and the outside peers are given)."""
    sentences = [s for s in document_sentences(patent) if s.words >= MIN_WORDS]
    if not sentences:
        raise DataError("the document has no description sentences",
                        fix="pass the full text (description paragraphs)")
    return sentences


def term_counts(sentences: list[Sentence], numbers: bool = False) -> np.ndarray:
    """Content-word counts (`numbers`: numeric tokens too), one row per sentence, shape
    [n, vocabulary]."""
    rows = [content_words(s.text, numbers) for s in sentences]
    vocabulary: dict[str, int] = {}
    for row in rows:
        for word in row:
            vocabulary.setdefault(word, len(vocabulary))
    counts = np.zeros((len(rows), max(1, len(vocabulary))), dtype=np.float64)
    for i, row in enumerate(rows):
        for word in row:
            counts[i, vocabulary[word]] += 1.0
    return counts


def lead_from(sentences: list[Sentence], words: int) -> str:
    """The lead of a patent split into `document_sentences` already."""
    sentences = [s for s in sentences if s.words >= MIN_WORDS]
    summary = [s for s in sentences if s.kind == S.SUMMARY]
    return join_in_order(fill_budget(summary or sentences, words))


def lead(patent: Patent, words: int) -> str:
    return lead_from(baseline_sentences(patent), words)


def claim1(patent: Patent, words: int) -> str:
    claim = first_claim(patent.claims)
    if not claim:
        raise DataError("the document has no claims (or only canceled ones)",
                        fix="use --method lead or extractive")
    return " ".join(claim.split()[:words])


def _rank(sentences: list[Sentence], scores: np.ndarray, words: int) -> str:
    order = np.argsort(-scores, kind="stable")
    return join_in_order(fill_budget([sentences[i] for i in order], words))


def textrank(patent: Patent, words: int) -> str:
    sentences = baseline_sentences(patent)
    counts = term_counts(sentences)
    overlap = counts @ counts.T
    lengths = np.log(np.maximum(counts.sum(axis=1), 1.0))
    norm = lengths[:, None] + lengths[None, :]
    weights = np.divide(overlap, norm, out=overlap.copy(), where=norm > 0)
    return _rank(sentences, pagerank(weights), words)


def lexrank(patent: Patent, words: int) -> str:
    sentences = baseline_sentences(patent)
    counts = term_counts(sentences, numbers=True)
    idf = np.log(len(sentences) / np.maximum((counts > 0).sum(axis=0), 1.0))
    tfidf = counts * idf
    norms = np.linalg.norm(tfidf, axis=1)
    tfidf /= np.where(norms > 0, norms, 1.0)[:, None]
    adjacency = ((tfidf @ tfidf.T) > LEXRANK_THRESHOLD).astype(np.float64)
    return _rank(sentences, pagerank(adjacency), words)


BASELINES = {"lead": lead, "claim1": claim1, "textrank": textrank, "lexrank": lexrank}


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
