"""A tiny random-init BART with a tokenizer trained on the real patent sample (the path, not
the quality): small enough to build, save, load and run in a second on a CPU."""

from __future__ import annotations

import json
from pathlib import Path


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
                        decoder_start_token_id=tokenizer.eos_token_id,
                        forced_eos_token_id=tokenizer.eos_token_id)
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
