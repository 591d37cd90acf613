"""Turning sentence scores into a summary: a word budget, redundancy control, document order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from torchworks.recipes.patents.summarize.candidates import Sentence

MIN_GAP = 8  # stop once fewer words than this are left: no useful sentence is that short


def join_in_order(chosen: Sequence[Sentence]) -> str:
    """Sentences in the order they appear in the patent, so the summary reads like it."""
    return " ".join(s.text for s in sorted(chosen, key=lambda s: s.index))


def fill_budget(ranked: Sequence[Sentence], words: int) -> list[Sentence]:
    """Take sentences best-first while they fit in `words`; a sentence that does not fit is
    skipped (a shorter one further down may), never cut. If even the best sentence is longer
    than the budget it is cut at the budget, so the summary is never empty."""
    chosen: list[Sentence] = []
    total = 0
    for sentence in ranked:
        if total + sentence.words <= words:
            chosen.append(sentence)
            total += sentence.words
        if words - total < MIN_GAP:
            break
    if not chosen and ranked:
        first = ranked[0]
        cut = " ".join(first.text.split()[:words])
        chosen = [Sentence(cut, first.kind, first.index, first.rank)]
    return chosen


def mmr_order(scores: np.ndarray, embeddings: np.ndarray, diversity: float,
              budget_words: Sequence[int], words: int) -> list[int]:
    """Maximal marginal relevance under a word budget; returns chosen indices.

    At each step pick argmax of (1 - diversity) * score - diversity * max cosine to the
    sentences already chosen. Scores are z-normalized first so `diversity` means the same for
    every document. `embeddings` are unit rows, shape [n, d]; `budget_words[i]` is sentence
    i's length in words.
    """
    n = len(scores)
    if n == 0:
        return []
    z = (scores - scores.mean()) / (scores.std() + 1e-6)
    similarity = embeddings @ embeddings.T
    redundancy = np.zeros(n, dtype=np.float32)
    available = np.ones(n, dtype=bool)
    chosen: list[int] = []
    total = 0
    while available.any() and words - total >= MIN_GAP:
        gain = (1.0 - diversity) * z - diversity * 3.0 * redundancy
        gain[~available] = -np.inf
        best = int(np.argmax(gain))
        available[best] = False
        if total + budget_words[best] <= words:
            chosen.append(best)
            total += budget_words[best]
            redundancy = np.maximum(redundancy, similarity[best])
    return chosen
