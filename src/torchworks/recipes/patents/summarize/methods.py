"""One entry point for every summarization method, used by the CLI, eval, service and benchmark.

A summarizer is anything with `name` and `summarize(patents) -> list[str | Exception]`: one
answer per patent, where an Exception explains why that one document has no summary (the rest
of the batch is unaffected). `summarize_checked` adds the checks every method shares: empty
documents and documents too large to summarize are refused per document, up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from torchworks.errors import ConfigError, DataError
from torchworks.recipes.patents.text.patent import Patent

METHODS = ("structure", "extractive", "lead", "claim1", "textrank", "lexrank", "abstractive")
DEFAULT_METHOD = "structure"  # patent structure, no model: see summarize/structure.py
MAX_DOC_WORDS = 200_000  # about 5x the longest patent in the sample; BigPatent averages ~3.6k


class Summarizer(Protocol):
    name: str

    def summarize(self, patents: list[Patent]) -> list[str | Exception]: ...

    def with_words(self, words: int) -> Summarizer:
        """The same summarizer (sharing its loaded model) with another word budget."""
        ...


def build_summarizer(method: str = DEFAULT_METHOD, words: int = 150, model: Path | None = None,
                     device: str = "auto", compile: bool = False) -> Summarizer:
    """The summarizer for `method` with a budget of `words` words."""
    if words < 10:
        raise ConfigError(f"--words {words} is too small for a summary", fix="use --words 50..400")
    if method == "structure":
        from torchworks.recipes.patents.summarize.structure import (
            StructureConfig,
            StructureSummarizer,
        )

        return StructureSummarizer(StructureConfig(words=words))
    if method in ("lead", "claim1", "textrank", "lexrank"):
        from torchworks.recipes.patents.summarize.baselines import BaselineSummarizer

        return BaselineSummarizer(method, words)
    from torchworks.env.device import resolve_device

    torch_device = resolve_device(device)
    if method == "extractive":
        from torchworks.recipes.patents.summarize.extractive import (
            ExtractiveConfig,
            ExtractiveSummarizer,
        )

        return ExtractiveSummarizer.load(ExtractiveConfig(words=words), device=str(torch_device))
    if method == "abstractive":
        from torchworks.recipes.patents.summarize.abstractive import (
            AbstractiveConfig,
            AbstractiveSummarizer,
        )

        if model is None:
            raise ConfigError("--method abstractive needs --model DIR (a local Hugging Face "
                              "seq2seq folder: BART, PEGASUS, LED, LongT5)",
                              fix="pass --model /path/to/model, or use --method extractive")
        config = AbstractiveConfig(words=words, compile=compile)
        return AbstractiveSummarizer.load(model, config, device=torch_device)
    raise ConfigError(f"unknown method '{method}'", fix=f"choose from: {', '.join(METHODS)}")


def check_patent(patent: Patent, max_words: int = MAX_DOC_WORDS) -> DataError | None:
    """Why this document cannot be summarized, or None when it can."""
    words = patent.word_count
    if words == 0:
        return DataError("the document is empty (no description text)",
                         fix="pass the description, e.g. a JSON line with a 'description' field")
    if words > max_words:
        return DataError(f"the document has {words:,} words, over the "
                         f"{max_words:,}-word limit", fix="split it, or raise --max-doc-words")
    return None


def summarize_checked(summarizer: Summarizer, patents: Sequence[Patent],
                      max_words: int = MAX_DOC_WORDS) -> list[str | Exception]:
    """Summaries in input order; refused or failed documents get their exception instead."""
    problems = [check_patent(p, max_words) for p in patents]
    good = [p for p, problem in zip(patents, problems, strict=True) if problem is None]
    answers = iter(summarizer.summarize(good) if good else [])
    return [problem if problem is not None else next(answers) for problem in problems]
