"""The default summarizer: sentences chosen by the patent's own structure, no model.

A granted patent's abstract restates what the invention is and its key elements, and the
drafter usually writes it from two places: the opening of the summary (or field) section and
claim 1. So instead of generic centrality this scores each candidate sentence of the
description by

- where it is: section prior (summary and field high; drawings lists, related applications
  and claims never) and its place within the section (the opening states the invention);
- what it says: cue phrases ("the present invention relates to", "in one aspect ... is
  provided") up, figure walk-throughs and legal boilerplate down, statements of objects and
  advantages down (abstracts state what the invention is, not what it hopes for);
- whether it names the invention's key elements: content-word cosine to claim 1 (what is
  protected), to the title, and to the summary section as a whole;

then picks sentences greedily under the word budget, each pick discounting the sentences
that repeat it (content-word cosine), in document order, each sentence tidied into abstract
wording (tidy.py: "Thus, the housing 12 ..." -> "The housing ...").

That selection is one candidate summary; the selection of the learned sentence scorer
(learned.py, `learned="add"`), the lead and a window of whole sentences from each early
summary paragraph are the others, and `consensus.choose` returns the one that best
restates claim 1 and agrees with the rest (`summarize_one`; options to let claim 1 itself
win and to favour the lead stay off: see consensus.py). All of it is word counting:
tens of ~10k-word documents per second on one core, most of it sentence splitting.

The weights in `StructureConfig` were chosen by `benchmarks/summarize_tune.py` on the tune
part only (164 documents); `benchmarks/summarize.py` reports them on the 65 held-out patents
(benchmarks/data/patents/README.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from torchworks.config import field
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.patents.summarize.baselines import lead_from
from torchworks.recipes.patents.summarize.candidates import (
    Sentence,
    document_sentences,
    first_claim,
    is_candidate,
    structure_scores,
)
from torchworks.recipes.patents.summarize.consensus import (
    Candidate,
    ChoiceWeights,
    choose,
    claim_prose,
    paragraph_windows,
)
from torchworks.recipes.patents.summarize.select import MIN_GAP
from torchworks.recipes.patents.summarize.tidy import tidy
from torchworks.recipes.patents.summarize.words import content_words
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent

_OBJECTS = re.compile(
    r"\b(?:(?:an?|another|the|further|primary|principal) (?:\w+ )?objects? of|it is (?:therefore |"
    r"also |thus )?(?:an?|the) (?:\w+ )?(?:object|aim|purpose)|advantages? of the (?:present )?"
    r"invention|will become (?:more )?apparent|need exists|there (?:is|remains) a need)",
    re.IGNORECASE,
)


_LEADING = (S.SUMMARY, S.FIELD)
OTHER_RANKS = 12  # outside summary and field only a section's opening sentences compete


@dataclass
class StructureConfig:
    words: int = field(150, "word budget of each summary (a US abstract is at most 150)")
    claim_weight: float = field(4.0, "weight of a sentence's cosine to claim 1")
    title_weight: float = field(0.5, "weight of its cosine to the title")
    summary_weight: float = field(1.0, "weight of its cosine to the summary section")
    structure_weight: float = field(0.5, "weight of section prior and cue phrases")
    position_weight: float = field(2.0, "weight of being early in its section (1/sqrt(1+rank))")
    objects_penalty: float = field(1.0, "subtracted from statements of objects/advantages")
    redundancy: float = field(0.5, "how much a pick discounts sentences that repeat it")
    claim_agreement: float = field(1.0, "choice of summary: weight of agreeing with claim 1")
    consensus: float = field(1.0, "choice of summary: weight of agreeing with the others")
    lead_prior: float = field(0.0, "choice of summary: added to the lead's score")
    statement_prior: float = field(0.0, "choice of summary: added to a candidate that opens "
                                   "with a statement of the invention")
    claim_candidate: bool = field(False, "choice of summary: may claim 1 in prose itself win")
    claim_prior: float = field(1.0, "choice of summary: the claim candidate's score in place "
                               "of agreeing with itself")
    learned: str = field("add", "the learned sentence scorer (learned.py) in the choice: off, "
                         "replace (its selection for the hand-weighted one), add (its selection "
                         "as one more candidate), windows (add, and runs from its best starts)")

    def choice(self) -> ChoiceWeights:
        claim_prior = self.claim_prior if self.claim_candidate else float("-inf")
        return ChoiceWeights(self.claim_agreement, self.consensus, self.lead_prior,
                             self.statement_prior, claim_prior)

    def weights(self) -> np.ndarray:
        """In the column order of `Features.matrix`."""
        return np.array([self.structure_weight, self.position_weight, self.claim_weight,
                         self.title_weight, self.summary_weight, -self.objects_penalty])


@dataclass
class Features:
    """What the selection needs of one patent, computed once whatever the weights."""

    texts: list[str]  # candidate sentences tidied (tidy.py: numerals, lead-ins dropped)
    order: list[int]  # their places in the document
    matrix: np.ndarray  # [n, 6]: structure, position, cos claim 1, cos title, cos summary, objects
    vectors: np.ndarray  # [n, V] unit content-word vectors, for redundancy


def _vector(words: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    row = np.zeros(len(vocabulary), dtype=np.float64)
    for word, count in Counter(words).items():
        index = vocabulary.get(word)
        if index is not None:
            row[index] = count
    norm = np.linalg.norm(row)
    return row / norm if norm > 0 else row


def candidates(patent: Patent, sentences: list[Sentence] | None = None) -> list[Sentence]:
    """Sentences that may stand in the summary: all of summary and field, the opening of
    every other section; a few short ones when nothing else qualifies."""
    sentences = document_sentences(patent) if sentences is None else sentences
    pool = [s for s in sentences if (s.kind in _LEADING or s.rank < OTHER_RANKS)
            and is_candidate(s)]
    pool = pool or [s for s in sentences if s.words >= 3][:20]
    if not pool:
        raise DataError("the document has no description sentences",
                        fix="pass the full text (description paragraphs)")
    return pool


def features(patent: Patent, sentences: list[Sentence] | None = None) -> Features:
    pool = candidates(patent, sentences)
    words = [content_words(s.text) for s in pool]
    vocabulary: dict[str, int] = {}
    for row in words:
        for word in row:
            vocabulary.setdefault(word, len(vocabulary))
    vectors = np.stack([_vector(row, vocabulary) for row in words])
    claim = _vector(content_words(first_claim(patent.claims)), vocabulary)
    title = _vector(content_words(patent.title), vocabulary)
    summary = _vector(content_words(patent.section_text(*_LEADING)), vocabulary)
    matrix = np.column_stack([
        structure_scores(pool).astype(np.float64),
        [1.0 / np.sqrt(1.0 + s.rank) for s in pool],
        vectors @ claim, vectors @ title, vectors @ summary,
        [float(bool(_OBJECTS.search(s.text))) for s in pool],
    ])
    return Features([tidy(s.text) for s in pool], [s.index for s in pool], matrix, vectors)


def select(found: Features, config: StructureConfig) -> str:
    """Best-first by the hand-set weights under the word budget (`pick`)."""
    return pick(found, found.matrix @ config.weights(), config.words, config.redundancy)


def pick(found: Features, scores: np.ndarray, budget: int, redundancy: float) -> str:
    """Best-first by `scores` under the word budget; each pick discounts the sentences that
    repeat it (content-word cosine times `redundancy`); the picks in document order."""
    lengths = [len(t.split()) for t in found.texts]
    chosen: list[int] = []
    total = 0
    gain = scores.copy()
    available = np.ones(len(scores), dtype=bool)
    while available.any() and budget - total >= MIN_GAP:
        best = int(np.argmax(np.where(available, gain, -np.inf)))
        available[best] = False
        if total + lengths[best] <= budget:
            chosen.append(best)
            total += lengths[best]
            gain -= redundancy * np.maximum(found.vectors @ found.vectors[best], 0.0)
    if not chosen:  # even the best sentence is longer than the budget: cut it
        return " ".join(found.texts[int(np.argmax(scores))].split()[:budget])
    return " ".join(found.texts[i] for i in sorted(chosen, key=lambda i: found.order[i]))


def tidied_lead_pool(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences the lead is taken from (the summary section's, or else the first ones),
    tidied (tidy.py) so that the budget counts the words that stay."""
    summary = [s for s in sentences if s.kind == S.SUMMARY] or sentences[:LEAD_POOL]
    return [replace(s, text=tidy(s.text)) for s in summary]


LEAD_POOL = 40  # without a summary section the lead comes from the first sentences


def candidate_summaries(patent: Patent, config: StructureConfig) -> tuple[list[Candidate], str]:
    """The whole candidate summaries (sentence selection, lead, paragraph windows, claim 1 in
    prose) and the judge (claim 1 in prose, cut at the budget)."""
    sentences = document_sentences(patent)
    found = features(patent, sentences)
    picked = [] if config.learned == "replace" else [Candidate(select(found, config),
                                                               "selection")]
    lead = lead_from(tidied_lead_pool(sentences), config.words)
    claim = claim_prose(first_claim(patent.claims))
    judge = " ".join(claim.split()[:config.words])
    learned, windows = _learned_candidates(patent, sentences, found, config)
    return ([*learned, *picked, Candidate(lead, "lead"),
             *(Candidate(w, "window") for w in paragraph_windows(patent, config.words)),
             Candidate(judge, "claim"), *windows], judge)


LEARNED_STARTS = 3  # learned="windows": runs of sentences from the 3 best-scored starts


def _learned_candidates(patent: Patent, sentences: list[Sentence], found: Features,
                        config: StructureConfig) -> tuple[list[Candidate], list[Candidate]]:
    """The learned scorer's selection and (learned="windows") its runs of sentences."""
    if config.learned == "off":
        return [], []
    if config.learned not in ("replace", "add", "windows"):
        raise ConfigError(f"unknown learned mode '{config.learned}'",
                          fix="use one of: off, replace, add, windows")
    # learned.py builds on this module's features, so it is imported where it is used
    from torchworks.recipes.patents.summarize.learned import (
        feature_matrix,
        learned_windows,
        load_scorer,
    )

    scorer = load_scorer()
    _, matrix = feature_matrix(patent, sentences, found)
    scores = scorer.score(matrix)
    selection = [Candidate(pick(found, scores, config.words, scorer.redundancy), "selection")]
    if config.learned != "windows":
        return selection, []
    return selection, [Candidate(w, "window") for w in
                       learned_windows(found, scores, config.words, LEARNED_STARTS)]


def summarize_one(patent: Patent, config: StructureConfig) -> str:
    """The candidate summary that best restates claim 1 and agrees with the others (and the
    optional priors of `StructureConfig`): see consensus.py."""
    candidates, judge = candidate_summaries(patent, config)
    return choose(candidates, judge, config.choice())


@dataclass
class StructureSummarizer:
    """Summarizes each patent on its own; no model, no state beyond the config."""

    config: StructureConfig
    name: str = "structure"

    def with_words(self, words: int) -> StructureSummarizer:
        return StructureSummarizer(replace(self.config, words=words), self.name)

    def summarize(self, patents: list[Patent]) -> list[str | Exception]:
        results: list[str | Exception] = []
        for patent in patents:
            try:
                results.append(summarize_one(patent, self.config))
            except DataError as exc:
                results.append(exc)
        return results
