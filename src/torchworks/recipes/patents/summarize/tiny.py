"""A tiny random-init BART folder built in-process: the abstractive path without a download.

Tests and `benchmarks/summarize.py --tiny-abstractive` use it to run chunked map-reduce end to
end and time it on CPU. Its summaries are noise (random weights); what it measures is the
pipeline: chunking, length bucketing, batched generation and the reduce rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def build_tiny_bart(folder: Path, texts: Sequence[str], vocab_size: int = 400,
                    max_positions: int = 128) -> Path:
    """Train a byte-level BPE on `texts`, save a random-init 1+1-layer BART beside it in
    `folder`, and return `folder`."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([t[:20_000] for t in texts], vocab_size=vocab_size,
                            special_tokens=specials, show_progress=False)
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
