"""Choosing the summary: of a few whole candidate summaries, the one that best restates claim 1
and agrees most with the other candidates.

Why whole summaries and not sentences: a drafter writes the abstract as one passage, usually
by condensing a paragraph of the summary section that restates claim 1 ("In one aspect, a
holder is provided that comprises ..."). A run of consecutive sentences from the right
paragraph keeps the drafter's word order, which is what ROUGE-2 and ROUGE-L reward; sentences
picked one by one from all over the section do not. Which paragraph is "right" differs from
patent to patent (the opening is often background or objects), so several candidates are
made and the choice is left to two judges that need no model:

- claim 1, in prose (`claim_prose`): what is protected, which the abstract must restate;
- the other candidates: a passage many candidates share is what the patent keeps repeating
  about itself (minimum-Bayes-risk selection, as in MT system combination).

The candidates are the sentence-level selection of `structure.select`, the lead (first
sentences of the summary section), a window of whole sentences (up to the budget) starting at
each of the first `MAX_PARAGRAPHS` paragraphs of the summary and field sections, and claim 1
in prose itself. The agreement of two texts is unigram F1 + bigram F1 over stemmed words,
ROUGE-1 + ROUGE-2 as the metric defines them.

Three options lean the choice towards what a drafter might copy: a prior for the lead, a
prior for a candidate that opens with a statement of the invention ("The present invention
relates to", "In one aspect, ... is provided"), and letting claim 1 itself win (it sits on no
one's jury, being the judge, and gets `claim_prior` in place of agreeing with itself). On the
tune part they gained +1.3 R-1 and +2.7 R-2 (126 documents), on applications and grants
alike; on the held-out part they lost 0.2 R-1, 0.8 R-2 and 1.0 R-L (gaining on its 15
go-uspto documents, losing on its 50 PatentsView grants). So they ship off
(`ChoiceWeights`), and `benchmarks/summarize_tune.py` keeps them in its grid.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from torchworks.recipes.patents.summarize.numerals import drop_reference_numerals
from torchworks.recipes.patents.summarize.tidy import is_problem_statement, tidy
from torchworks.recipes.patents.summarize.words import stem, tokens
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent
from torchworks.recipes.patents.text.sentences import split_sentences

MAX_PARAGRAPHS = 15  # windows start at one of the first paragraphs of summary and field
MIN_WINDOW_WORDS = 40  # a window shorter than this is a heading or a lone remark
MIN_FIRST_WORDS = 6  # a window must not open with a fragment ("Summary of the invention.")

# the opening of a statement of the invention, as drafters write it in the summary section
STATEMENT = re.compile(
    r"\b(?:(?:present|this|the) (?:invention|disclosure|application)|embodiments?|aspects?) "
    r"(?:\w+ ){0,2}(?:relates?|is directed|are directed|pertains?|concerns?|provides?|includes?|"
    r"comprises?)|in (?:one|an|a first|some|certain) (?:aspect|embodiment)|there is provided|"
    r"is provided", re.IGNORECASE)

# claim labels that are drawing or list marks: "(10)", "(a)", "(iv)", "(C1)", "(P2)"
_CLAIM_LABEL = re.compile(r"\s*\((?:[a-z]|[ivx]+|\d+[a-z]?'?|[A-Z]\d*[a-z]?\d*)\)")


def claim_prose(claim: str) -> str:
    """Claim text in the words an abstract uses: labels and reference numerals dropped,
    "said" read as "the", the colon and semicolons of the element list as commas."""
    text = drop_reference_numerals(_CLAIM_LABEL.sub("", claim))
    text = re.sub(r"\bsaid\b", "the", text)
    text = re.sub(r"\bSaid\b", "The", text)
    text = re.sub(r"\s*:\s*", " ", text)
    text = re.sub(r";\s*(and\s+)?", r", \1", text)
    return re.sub(r"\s+", " ", text).strip()


def paragraph_windows(patent: Patent, words: int) -> list[str]:
    """For each of the first paragraphs of the summary and field sections: the whole sentences
    from its start on (into the next paragraphs) that fit in `words`, each tidied (tidy.py),
    the problem statements a paragraph opens with skipped (an abstract states the invention,
    not the need for it)."""
    paragraphs = [[tidy(t) for t in split_sentences(p)] for s in patent.sections
                  if s.kind in (S.SUMMARY, S.FIELD) for p in s.paragraphs]
    windows: list[str] = []
    for start in range(min(MAX_PARAGRAPHS, len(paragraphs))):
        sentences = [t for q in paragraphs[start:] for t in q]
        while sentences and is_problem_statement(sentences[0]):
            sentences = sentences[1:]
        if not sentences or len(sentences[0].split()) < MIN_FIRST_WORDS:
            continue
        picked: list[str] = []
        total = 0
        for sentence in sentences:
            if total + len(sentence.split()) > words:
                break
            picked.append(sentence)
            total += len(sentence.split())
        if total >= MIN_WINDOW_WORDS:
            windows.append(" ".join(picked))
    return windows


def _grams(text: str) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    words = [stem(w) for w in tokens(text)]
    return Counter(words), Counter(pairwise(words))


def _f1(a: Counter, b: Counter) -> float:
    if len(a) > len(b):
        a, b = b, a
    overlap = sum(min(count, b[key]) for key, count in a.items() if key in b)
    return 2.0 * overlap / (a.total() + b.total()) if overlap else 0.0


def _agreement(a: tuple[Counter, Counter], b: tuple[Counter, Counter]) -> float:
    """Unigram F1 + bigram F1 of two texts' stemmed words (0..2)."""
    return _f1(a[0], b[0]) + _f1(a[1], b[1])


@dataclass(frozen=True)
class Candidate:
    """One whole candidate summary and where it came from: "selection", "lead", "window" or
    "claim" (claim 1 in prose, which is also the judge)."""

    text: str
    role: str


@dataclass(frozen=True)
class ChoiceWeights:
    """How `choose` weighs its judges and priors. The defaults are the shipped ones
    (`StructureConfig`): the priors off and claim 1 never winning as a candidate, because
    what the tune part preferred did not carry over to the held-out part (see
    benchmarks/data/patents/README.md)."""

    claim: float = 1.0  # agreement with claim 1 in prose
    consensus: float = 1.0  # mean agreement with the other (non-claim) candidates
    lead: float = 0.0  # prior for the lead
    statement: float = 0.0  # prior for a candidate that opens with a statement of the invention
    claim_prior: float = float("-inf")  # the claim candidate's score for agreeing with itself


def opens_with_statement(text: str) -> bool:
    """Does the first sentence state what the invention is ("The present invention relates
    to", "In one aspect, a holder is provided")?"""
    sentences = split_sentences(text)
    return bool(sentences and STATEMENT.search(sentences[0]))


@dataclass(frozen=True)
class Ballot:
    """What `choose` weighs, per candidate: computed once, whatever the weights."""

    texts: list[str]
    roles: list[str]
    claim: list[float]  # agreement with the judge (claim 1 in prose)
    consensus: list[float]  # mean agreement with the other non-claim candidates
    statement: list[bool]  # opens with a statement of the invention


def ballot(candidates: Sequence[Candidate], judge: str) -> Ballot:
    """Agreements of every candidate with the judge and with the others (the claim candidate
    is not on the jury: it is the judge)."""
    pool = [c for c in candidates if c.text]
    grams = [_grams(c.text) for c in pool]
    claim = _grams(judge)
    jury = [i for i, c in enumerate(pool) if c.role != "claim"]
    n = len(pool)
    pairs = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            pairs[i][j] = pairs[j][i] = _agreement(grams[i], grams[j])
    consensus = []
    for i in range(n):
        others = [j for j in jury if j != i]
        consensus.append(sum(pairs[i][j] for j in others) / max(1, len(others)))
    return Ballot([c.text for c in pool], [c.role for c in pool],
                  [_agreement(g, claim) for g in grams], consensus,
                  [opens_with_statement(c.text) for c in pool])


def choose_from(found: Ballot, weights: ChoiceWeights = ChoiceWeights()) -> str:
    """The candidate with the highest weights.claim * agreement with the judge +
    weights.consensus * mean agreement with the others + its priors."""
    if not found.texts:
        return ""

    def score(i: int) -> float:
        total = weights.consensus * found.consensus[i]
        if found.roles[i] == "claim":
            return total + weights.claim_prior
        total += weights.claim * found.claim[i] + weights.lead * (found.roles[i] == "lead")
        return total + weights.statement * found.statement[i]

    return found.texts[max(range(len(found.texts)), key=score)]


def choose(candidates: Sequence[Candidate], judge: str,
           weights: ChoiceWeights = ChoiceWeights()) -> str:
    """The candidate that best restates `judge` (claim 1 in prose) and agrees with the
    others, with its priors (`choose_from`).

    Repeats are kept on purpose: a passage that two generators both produce (the lead that
    is also the first paragraph's window) is nominated twice, and the vote counts it so
    (dropping repeats cost 1.3 ROUGE-1 on the tune part)."""
    return choose_from(ballot(candidates, judge), weights)
