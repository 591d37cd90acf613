"""Incremental detokenization: same text as one full decode, never a broken character, and a
cost per token that does not grow with the output."""

from __future__ import annotations

from typing import Any

import pytest

from torchworks.llm.detokenize import REPLACEMENT_CHAR, GrowingListDecoder, IncrementalDetokenizer
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.sequence import SequenceState

tokenizers = pytest.importorskip("tokenizers")
transformers = pytest.importorskip("transformers")

TEXT = ("Un café naïve à Zürich; 日本語のテキストと絵文字 🙂🚀 mixed with plain words, "
        "Ελληνικά и кириллица, and more plain ASCII words after them. ") * 3


def _tokenizer(style: str) -> Any:
    """A tokenizer trained here on TEXT with few merges, so multi-byte characters span tokens
    (byte-level) or words carry a leading-space marker (metaspace, SentencePiece style)."""
    if style == "bytes":
        model = tokenizers.Tokenizer(tokenizers.models.BPE())
        model.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
        model.decoder = tokenizers.decoders.ByteLevel()
        alphabet = tokenizers.pre_tokenizers.ByteLevel.alphabet()
    else:
        model = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="<unk>"))
        model.pre_tokenizer = tokenizers.pre_tokenizers.Metaspace()
        model.decoder = tokenizers.decoders.Metaspace()
        alphabet = []
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<eos>"],
                                             initial_alphabet=alphabet, show_progress=False)
    model.train_from_iterator([TEXT], trainer=trainer)
    return transformers.PreTrainedTokenizerFast(tokenizer_object=model, eos_token="<eos>")


class CountingTokenizer:
    """The real tokenizer, counting how many ids all decode calls together were given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.decoded_ids = 0

    def decode(self, ids: list[int], **kwargs: Any) -> str:
        self.decoded_ids += len(ids)
        return self.inner.decode(ids, **kwargs)


@pytest.mark.parametrize("style", ["bytes", "metaspace"])
def test_pieces_add_up_to_the_full_decode_without_broken_characters(style: str) -> None:
    tokenizer = _tokenizer(style)
    ids = tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    detokenizer = IncrementalDetokenizer(tokenizer)
    pieces = [detokenizer.push([i]) for i in ids]
    pieces.append(detokenizer.flush())
    assert "".join(pieces) == tokenizer.decode(ids, skip_special_tokens=True)
    assert not any(REPLACEMENT_CHAR in p for p in pieces)
    if style == "bytes":  # the test really splits characters across tokens
        assert any(tokenizer.decode([i]).endswith(REPLACEMENT_CHAR) for i in ids)


def test_cost_per_token_does_not_grow_with_the_output() -> None:
    counting = CountingTokenizer(_tokenizer("bytes"))
    ids = counting.inner(TEXT * 4, add_special_tokens=False)["input_ids"]
    detokenizer = IncrementalDetokenizer(counting)
    for i in ids:
        detokenizer.push([i])
    detokenizer.flush()
    assert len(ids) > 1000
    # Two short windows per token; decoding everything each time would be len(ids)**2 / 2.
    assert counting.decoded_ids < 8 * len(ids)


def test_sequence_state_streams_multibyte_text_in_whole_characters() -> None:
    tokenizer = _tokenizer("bytes")
    ids = tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    state = SequenceState(tokenizer, [ids[0]], SamplingParams(max_new_tokens=len(ids)))
    pieces = [state.append(i) for i in ids]
    assert state.finish_reason == "length"
    assert "".join(pieces) == state.text == tokenizer.decode(ids, skip_special_tokens=True)
    assert not any(REPLACEMENT_CHAR in p for p in pieces)


def test_growing_list_decoder_matches_a_full_decode_at_every_step() -> None:
    counting = CountingTokenizer(_tokenizer("bytes"))
    ids = counting.inner(TEXT, add_special_tokens=False)["input_ids"]
    decode = GrowingListDecoder(counting)
    generated: list[int] = []  # one list, grown in place, as the serving scheduler does
    for i in ids:
        generated.append(i)
        assert decode(generated) == counting.inner.decode(generated, skip_special_tokens=True)
    assert counting.decoded_ids < 12 * len(ids)
    assert decode(ids[:5]) == counting.inner.decode(ids[:5])  # another list: a full decode
