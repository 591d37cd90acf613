"""The abstractive path (chunked map-reduce, length bucketing) on a tiny random-init BART."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from torchworks.cli import main
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.patents.summarize.abstractive import (
    AbstractiveConfig,
    AbstractiveSummarizer,
)
from torchworks.recipes.patents.text.readers import Patent, patent_from_text
from torchworks.recipes.patents.text.sentences import split_sentences


@pytest.fixture
def short_patent(sample_patents: list[Patent]) -> Patent:
    """The first ~120 words of a real description: a few 128-token chunks."""
    paragraphs = [p for s in sample_patents[3].sections for p in s.paragraphs][:3]
    return patent_from_text("\n".join(paragraphs), id="short")


def test_long_input_is_chunked_summarized_and_reduced_within_budget(
        tiny_bart_dir: Path, short_patent: Patent) -> None:
    summarizer = AbstractiveSummarizer.load(tiny_bart_dir, AbstractiveConfig(
        words=20, num_beams=1, overlap_tokens=16))
    assert summarizer.chunk_tokens == 128  # the tiny model's position table
    chunks = summarizer._chunks(short_patent.description)
    assert len(chunks) >= 2
    empty = patent_from_text("", id="empty")
    results = summarizer.summarize([short_patent, empty])
    assert isinstance(results[0], str) and 0 < len(results[0].split()) <= 20
    assert summarizer.chunks_generated > len(chunks)  # the map round, then a reduce round
    assert isinstance(results[1], DataError)


def test_chunks_overlap_by_whole_sentences(tiny_bart_dir: Path, sample_patents: list[Patent]
                                           ) -> None:
    # the tiny tokenizer spends ~2.5 tokens a word: 512-token chunks hold ~5 sentences,
    # 100 overlap tokens about one (chunking only; nothing runs past the position table)
    summarizer = AbstractiveSummarizer.load(tiny_bart_dir, AbstractiveConfig(
        chunk_tokens=512, overlap_tokens=100))
    chunks = [split_sentences(c) for c in summarizer._chunks(sample_patents[0].description)]
    assert len(chunks) > 10
    shared = [second[0] in first for first, second in itertools.pairwise(chunks)]
    assert sum(shared) >= len(shared) // 2  # a sentence longer than the overlap is not repeated
    assert all(second[0] not in first[:-3] for first, second in itertools.pairwise(chunks))


def test_a_folder_that_is_not_seq2seq_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ConfigError):
        AbstractiveSummarizer.load(tmp_path)
    with pytest.raises(ConfigError, match=r"no config\.json"):
        AbstractiveSummarizer.load(tmp_path / "missing")


def test_cli_runs_the_abstractive_method_from_a_local_folder(
        tiny_bart_dir: Path, tmp_path: Path, short_patent: Patent) -> None:
    text = tmp_path / "disclosure.txt"
    text.write_text(short_patent.sections[0].paragraphs[1])
    out = tmp_path / "out.jsonl"
    code = main(["patents", "summarize", str(text), "--method", "abstractive", "--model",
                 str(tiny_bart_dir), "--words", "15", "--device", "cpu", "--output", str(out)])
    assert code == 0
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["id"] == "disclosure" and 0 < len(row["summary"].split()) <= 15
