"""Shared fixtures: the real sample read once, the MiniLM summarizer loaded once, and a tiny
random-init BART with a tokenizer trained on the sample (the abstractive path, not quality)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torchworks.recipes.patents.text.readers import Patent, read_patents


@pytest.fixture(scope="session")
def sample_jsonl(patents_dir: Path) -> Path:
    return patents_dir / "patents.jsonl"


@pytest.fixture(scope="session")
def sample_patents(sample_jsonl: Path) -> list[Patent]:
    patents = [p for p in read_patents(sample_jsonl) if isinstance(p, Patent)]
    assert len(patents) == 13
    return patents


@pytest.fixture(scope="session")
def extractive_summarizer():
    from torchworks.recipes.patents.summarize.methods import build_summarizer

    return build_summarizer("extractive", device="cpu")


@pytest.fixture(scope="session")
def sample_summaries(extractive_summarizer, sample_patents: list[Patent]) -> list[str]:
    """The default summaries of all 13 sample patents, computed once for several tests."""
    summaries = extractive_summarizer.summarize(sample_patents)
    assert all(isinstance(s, str) for s in summaries)
    return summaries


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory, sample_jsonl: Path) -> Path:
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"), sample_jsonl)


def build_tiny_bart(folder: Path, corpus_file: Path, vocab_size: int = 400,
                    max_positions: int = 128) -> Path:
    """Train a byte-level BPE on `corpus_file` (JSON lines with 'description'), save a
    random-init 1+1-layer BART beside it in `folder`, and return `folder`."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    lines = [json.loads(line)["description"][:20_000] for line in corpus_file.open()]
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(lines, vocab_size=vocab_size, special_tokens=specials,
                            show_progress=False)
    bpe.post_processor = None
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token="<s>",
                                        eos_token="</s>", pad_token="<pad>",
                                        unk_token="<unk>", mask_token="<mask>",
                                        model_max_length=max_positions)
    torch.manual_seed(0)
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=1,
                        decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                        encoder_ffn_dim=64, decoder_ffn_dim=64,
                        max_position_embeddings=max_positions,
                        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                        eos_token_id=tokenizer.eos_token_id,
                        decoder_start_token_id=tokenizer.eos_token_id)
    model = BartForConditionalGeneration(config)
    with torch.no_grad():  # random weights may end at once; never ending tests the budget
        model.final_logits_bias[0, tokenizer.eos_token_id] = -1e4
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
