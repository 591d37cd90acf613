"""Abstractive summaries from any local Hugging Face seq2seq folder (BART, PEGASUS, LED, LongT5).

Patents are longer than most encoders' inputs (BigPatent descriptions average ~3.6k words;
BART reads 1024 tokens), so long documents go through map-reduce:

1. map: the description (minus related-application boilerplate and the list of drawings) is
   packed sentence by sentence into chunks of at most `chunk_tokens`, consecutive chunks
   sharing `overlap_tokens` worth of sentences so no statement is cut off from its context;
   every chunk is summarized;
2. reduce: a document's chunk summaries are joined and summarized again, chunking again if
   they are still too long (at most `max_rounds` rounds), down to the target length.

Chunks of all documents in a batch are generated together, sorted by token length and cut
into batches of `batch_size` (length bucketing: little padding per batch). On a GPU the model
runs in bf16 (fp16 where bf16 is unsupported); `compile` wraps the forward in torch.compile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from torchworks import hf
from torchworks.config import field
from torchworks.errors import ConfigError, DataError
from torchworks.recipes.patents.text import sections as S
from torchworks.recipes.patents.text.patent import Patent
from torchworks.recipes.patents.text.sentences import split_sentences

TOKENS_PER_WORD = 1.4  # English patent prose in BPE/SentencePiece vocabularies
MIN_CHUNK_SUMMARY = 24  # tokens: a chunk summary shorter than this says nothing


@dataclass
class AbstractiveConfig:
    words: int = field(150, "word budget of each summary")
    chunk_tokens: int = field(0, "input tokens per chunk (0 = the model's maximum, <= 4096)")
    overlap_tokens: int = field(64, "tokens of sentences repeated between neighbouring chunks")
    batch_size: int = field(8, "chunks per generate() call")
    num_beams: int = field(2, "beam search width")
    max_rounds: int = field(3, "reduce rounds before the last summary is cut to the budget")
    compile: bool = field(False, "torch.compile the model (worth it on a GPU for big batches)")


@dataclass
class _Job:
    """Text still to be summarized for document `doc`."""

    doc: int
    text: str


class AbstractiveSummarizer:
    name = "abstractive"

    def __init__(self, model: Any, tokenizer: Any, config: AbstractiveConfig,
                 device: torch.device) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.device = device
        self.chunk_tokens = config.chunk_tokens or max_input_tokens(model, tokenizer)
        self.chunks_generated = 0  # for tests and reports: how much map-reduce work was done

    @classmethod
    def load(cls, folder: Path, config: AbstractiveConfig | None = None,
             device: torch.device | str = "cpu") -> AbstractiveSummarizer:
        transformers = hf.transformers()
        config = config or AbstractiveConfig()
        device = torch.device(device)
        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise ConfigError(f"{folder} is not a Hugging Face model folder (no config.json)",
                              fix="pass a folder saved with save_pretrained()")
        model_config = transformers.AutoConfig.from_pretrained(folder, local_files_only=True)
        if not getattr(model_config, "is_encoder_decoder", False):
            raise ConfigError(f"{folder} holds a {model_config.model_type} model, which is not "
                              "sequence-to-sequence", fix="use a BART, PEGASUS, LED or T5 folder")
        dtype = torch.float32
        if device.type == "cuda":
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        model = transformers.AutoModelForSeq2SeqLM.from_pretrained(folder, local_files_only=True)
        model = model.to(device=device, dtype=dtype).eval()
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        if config.compile:
            model.forward = torch.compile(model.forward, dynamic=True)
        return cls(model, tokenizer, config, device)

    def with_words(self, words: int) -> AbstractiveSummarizer:
        return AbstractiveSummarizer(self.model, self.tokenizer,
                                     replace(self.config, words=words), self.device)

    def summarize(self, patents: list[Patent]) -> list[str | Exception]:
        texts: list[str | Exception] = []
        for patent in patents:
            text = patent.section_text(S.FIELD, S.BACKGROUND, S.SUMMARY, S.DETAILED, S.OTHER)
            texts.append(text if text.strip() else DataError(
                "the document has no description text to summarize"))
        results: list[str | Exception] = list(texts)
        pending = [_Job(i, t) for i, t in enumerate(texts) if isinstance(t, str)]
        target = int(self.config.words * TOKENS_PER_WORD)
        for round_ in range(self.config.max_rounds + 1):
            if not pending:
                break
            # each chunk of a document gets an equal share of one chunk, so that the joined
            # summaries fit a single chunk next round (a ~chunk/target-fold reduction a round)
            jobs: dict[int, list[tuple[int, str]]] = {}
            for job in pending:
                parts = self._chunks(job.text)
                share = max(MIN_CHUNK_SUMMARY, min(target, self.chunk_tokens // len(parts)))
                jobs.setdefault(share, []).extend((job.doc, part) for part in parts)
            joined: dict[int, list[str]] = {}
            for share, flat in jobs.items():
                outputs = self._generate([chunk for _, chunk in flat], share)
                for (doc, _), output in zip(flat, outputs, strict=True):
                    joined.setdefault(doc, []).append(output)
            pending = []
            for doc, parts in joined.items():
                if not any(parts):
                    results[doc] = DataError("the model generated an empty summary",
                                             fix="check that --model is a trained summarizer")
                elif len(parts) == 1 or round_ == self.config.max_rounds:
                    results[doc] = " ".join(" ".join(parts).split()[: self.config.words])
                else:
                    pending.append(_Job(doc, "\n".join(parts)))
        return results

    def _chunks(self, text: str) -> list[str]:
        """Sentence-aligned chunks of at most `chunk_tokens`, overlapping by whole sentences."""
        sentences = split_sentences(text)
        lengths = [len(ids) for ids in self.tokenizer(sentences, add_special_tokens=False)[
            "input_ids"]] if sentences else []
        budget = max(16, self.chunk_tokens - 2)
        chunks: list[str] = []
        start = 0
        while start < len(sentences):
            end, used = start, 0
            while end < len(sentences) and (used + lengths[end] <= budget or end == start):
                used += lengths[end]
                end += 1
            chunks.append(" ".join(sentences[start:end]))
            if end >= len(sentences):
                break
            back, overlap = end, 0
            while back - 1 > start and overlap + lengths[back - 1] <= self.config.overlap_tokens:
                back -= 1
                overlap += lengths[back]
            start = back
        return chunks

    @torch.inference_mode()
    def _generate(self, texts: list[str], max_new_tokens: int) -> list[str]:
        """Generate for all `texts`, batched by similar token length; answers in input order."""
        lengths = [len(ids) for ids in self.tokenizer(texts, truncation=True,
                                                       max_length=self.chunk_tokens)["input_ids"]]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        answers: list[str] = [""] * len(texts)
        for start in range(0, len(order), self.config.batch_size):
            indices = order[start:start + self.config.batch_size]
            batch = self.tokenizer([texts[i] for i in indices], return_tensors="pt",
                                   padding=True, truncation=True,
                                   max_length=self.chunk_tokens).to(self.device)
            generated = self.model.generate(**batch, max_new_tokens=max_new_tokens,
                                            num_beams=self.config.num_beams,
                                            early_stopping=self.config.num_beams > 1 or None,
                                            no_repeat_ngram_size=3)
            decoded = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, text in zip(indices, decoded, strict=True):
                answers[i] = " ".join(text.split())
        self.chunks_generated += len(texts)
        return answers


def max_input_tokens(model: Any, tokenizer: Any) -> int:
    """The longest input the encoder takes: position table size, tokenizer limit, or 4096."""
    config = model.config
    limits = [getattr(config, name, None) for name in
              ("max_encoder_position_embeddings", "max_position_embeddings", "n_positions")]
    limits.append(getattr(tokenizer, "model_max_length", None))
    usable = [int(v) for v in limits if isinstance(v, int) and 0 < v < 100_000]
    return min([*usable, 4096])
