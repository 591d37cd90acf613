"""sumy's TextRank and LexRank, run on exactly the sentences our baselines rank.

sumy is the outside peer for the graph baselines. Its default English tokenizer needs NLTK's
punkt model, which cannot be downloaded here, so it gets our sentence list instead
(`baseline_sentences`, as one sumy paragraph) and a word tokenizer that needs no data. Stop
words and stemming are sumy's own (`get_stop_words("english")`, its Snowball `Stemmer`), the
way its documentation runs it. sumy returns its top N sentences in document order; to fill a
word budget we need its full ranking, so `ratings` reads the sentence ratings the summarizer
computes and the word budget is filled best-first with the same `fill_budget` our methods use.
"""

from __future__ import annotations

import re

from torchworks.recipes.patents.summarize.baselines import baseline_sentences
from torchworks.recipes.patents.summarize.select import fill_budget, join_in_order
from torchworks.recipes.patents.text.patent import Patent

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


class _Words:
    """What sumy asks of a tokenizer for ready-made sentences: words of one sentence."""

    language = "english"

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:  # pragma: no cover - unused
        raise NotImplementedError("sentences come from torchworks' splitter")


class SumyPeer:
    """sumy's `TextRankSummarizer` or `LexRankSummarizer` behind our batch interface."""

    def __init__(self, kind: str, words: int = 150) -> None:
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words

        cls = {"textrank": TextRankSummarizer, "lexrank": LexRankSummarizer}[kind]
        self.name = f"sumy-{kind}"
        self.kind = kind
        self.words = words
        self.summarizer = cls(Stemmer("english"))
        self.summarizer.stop_words = get_stop_words("english")
        self.tokenizer = _Words()

    def ratings(self, sentences: list[str]) -> list[float]:
        """sumy's rating of each sentence of one document, in the order given."""
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        objects = [SumySentence(text, self.tokenizer) for text in sentences]
        document = ObjectDocumentModel([Paragraph(objects)])
        summarizer = self.summarizer
        if self.kind == "textrank":
            rated = summarizer.rate_sentences(document)
        else:  # the body of LexRankSummarizer.__call__ up to its ratings
            words = [summarizer._to_words_set(s) for s in document.sentences]
            tf = summarizer._compute_tf(words)
            idf = summarizer._compute_idf(words)
            matrix = summarizer._create_matrix(words, summarizer.threshold, tf, idf)
            rated = dict(zip(document.sentences, summarizer.power_method(matrix,
                                                                         summarizer.epsilon),
                             strict=True))
        return [float(rated[o]) for o in objects]

    def summarize(self, patents: list[Patent]) -> list[str | Exception]:
        out: list[str | Exception] = []
        for patent in patents:
            sentences = baseline_sentences(patent)
            ratings = self.ratings([s.text for s in sentences])
            order = sorted(range(len(sentences)), key=lambda i: -ratings[i])
            out.append(join_in_order(fill_budget([sentences[i] for i in order], self.words)))
        return out
