"""Sentences of a patent, and the cheap first pass that picks which ones are worth embedding.

Every summarizer sees the same sentences (`document_sentences`), so the methods differ only in
how they choose. The first pass scores all sentences with TF-IDF and patent structure in
milliseconds, so that only `k` sentences per document reach the MiniLM encoder (which embeds
only ~100 sentences/s on two CPU cores). Its features are the ones that make a sentence
abstract-like in any patent, not in a particular sample:

- section: the field and summary sections restate the invention; drawings lists, related
  applications and legal boilerplate never belong in an abstract;
- cue phrases: "the present invention relates to", "in one aspect ... is provided";
- overlap with the independent claims (what is actually protected) and with the title;
- TF-IDF centrality to the whole description; early position within its section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from torchworks.errors import require
from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent
from torchworks.recipes.patents.text.sentences import split_sentences

MIN_WORDS = 6
MAX_WORDS = 110

SECTION_PRIOR = {S.FIELD: 0.8, S.SUMMARY: 1.0, S.BACKGROUND: 0.15, S.DETAILED: 0.2,
                 S.OTHER: 0.2, S.DRAWINGS: -2.0, S.RELATED: -2.0, S.CLAIMS: -2.0}

POSITIVE_CUES = re.compile(
    r"\b(?:(?:present|this|the) (?:invention|disclosure|application|embodiments?) "
    r"(?:generally |particularly |specifically )?(?:relates?|is directed|pertains|concerns|"
    r"provides?)|(?:invention|disclosure) (?:relates|is directed)|embodiments (?:relate|"
    r"provide)|in (?:one|an|another) (?:aspect|embodiment)|(?:is|are) (?:provided|disclosed|"
    r"described)|there is provided|an? (?:object|aspect|feature) of the (?:present )?"
    r"invention|according to the (?:present )?invention|in accordance with the (?:present )?"
    r"invention|the invention provides|comprising|includ(?:es|ing))\b",
    re.IGNORECASE,
)
NEGATIVE_CUES = re.compile(
    r"\b(?:FIGS?\.|figure|table|incorporated (?:herein )?by reference|continuation|"
    r"provisional|priority|skilled in the art|without departing|spirit and scope|"
    r"not (?:intended to be )?limit|for example|e\.g\.|such as|claim \d|example \d|"
    r"hereinafter|is shown|are shown|illustrat|depicted|Ser\. No)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a description. `index` is its place in the document (for output
    order); `rank` its place within its section (0 = first)."""

    text: str
    kind: str
    index: int
    rank: int

    @property
    def words(self) -> int:
        return len(self.text.split())


def document_sentences(patent: Patent) -> list[Sentence]:
    """All description sentences in document order, tagged with their section kind."""
    out: list[Sentence] = []
    for section in patent.sections:
        for rank, sentence in enumerate(split_sentences(section.text)):
            out.append(Sentence(sentence, section.kind, len(out), rank))
    return out


def is_candidate(sentence: Sentence) -> bool:
    """Could this sentence stand in an abstract at all (length, section, not a list item)?"""
    words = sentence.words
    if not MIN_WORDS <= words <= MAX_WORDS or SECTION_PRIOR[sentence.kind] < -1:
        return False
    text = sentence.text
    if not (text[0].isupper() or text.islower()) or text[-1] not in ".!?)\"”":
        return False
    # tables, formulas, data; reference numerals ("the housing 12") do not count
    return len(_DIGITS.findall(drop_reference_numerals(text))) <= max(4, words // 4)


# what is left of a claim an amendment took out: "1-18. (canceled)", "(Cancelled)", "5. (deleted)"
_CANCELED = re.compile(r"[\s\d,.\-\u2013]*\(?\s*(?:cancell?ed|deleted|withdrawn)\s*\)?[\s.]*",
                       re.IGNORECASE)


def live_claims(claims: list[str]) -> list[str]:
    """The claims that are still claims: republished applications (A2) and amended texts
    keep "1-18. (canceled)" in place of the claims taken out, and those state nothing."""
    return [c for c in claims if not _CANCELED.fullmatch(c)]


def first_claim(claims: list[str]) -> str:
    """Claim 1 as a reader means it: the first claim that is not canceled ("" if none)."""
    live = live_claims(claims)
    return live[0] if live else ""


def independent_claims(claims: list[str], limit: int = 3) -> list[str]:
    """The first `limit` live claims that refer to no other claim."""
    return [c for c in live_claims(claims) if not re.search(r"\bclaims? \d", c)][:limit]


def structure_scores(sentences: list[Sentence]) -> np.ndarray:
    """Section prior + cue phrases + early position, one score per sentence."""
    scores = np.empty(len(sentences), dtype=np.float32)
    for i, s in enumerate(sentences):
        score = SECTION_PRIOR[s.kind] + 0.6 / (1.0 + s.rank)
        score += 0.5 * min(2, len(POSITIVE_CUES.findall(s.text)))
        score -= 0.6 * min(2, len(NEGATIVE_CUES.findall(s.text)))
        scores[i] = score
    return scores


def first_pass(patent: Patent, sentences: list[Sentence], k: int) -> tuple[list[Sentence],
                                                                           np.ndarray]:
    """The `k` most promising candidate sentences and their first-pass scores (higher is better).

    Score = structure + 2 * TF-IDF cosine to the document centroid + 2 * to the independent
    claims + 1 * to the title. The weights only order candidates for the second pass, which
    re-scores them with embeddings.
    """
    TfidfVectorizer = require("sklearn.feature_extraction.text", "nlp").TfidfVectorizer

    pool = [s for s in sentences if is_candidate(s)] or sentences[:k]
    if not pool:
        return [], np.zeros(0, dtype=np.float32)
    queries = [" ".join(independent_claims(patent.claims)), patent.title]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]+\b")
    try:
        matrix = vectorizer.fit_transform([s.text for s in sentences])
    except ValueError:  # no usable words at all
        return pool[:k], np.zeros(min(k, len(pool)), dtype=np.float32)
    rows = matrix[[s.index for s in pool]]
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    centroid /= np.linalg.norm(centroid) or 1.0
    query = vectorizer.transform(queries)
    scores = structure_scores(pool)
    scores += 2.0 * (rows @ centroid)
    scores += 2.0 * (rows @ query[0].T).toarray().ravel()
    scores += 1.0 * (rows @ query[1].T).toarray().ravel()
    order = np.argsort(-scores, kind="stable")[:k]
    return [pool[i] for i in order], scores[order]
