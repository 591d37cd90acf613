"""Single-prompt generation: greedy matches transformers, streaming, stops, sampling knobs."""

from __future__ import annotations

import pytest
import torch

from torchworks.errors import ConfigError
from torchworks.llm.generate import chat_prompt, generate, stream
from torchworks.llm.load import LoadedLM
from torchworks.llm.sampling import SamplingParams, pick_token

PROMPT = "A reconfigurable solar collector comprising a telescoping base"


def test_greedy_matches_transformers_generate(tiny_lm: LoadedLM) -> None:
    ids = tiny_lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        expected = tiny_lm.model.generate(torch.tensor([ids]), max_new_tokens=20, do_sample=False,
                                          min_new_tokens=20)[0, len(ids):].tolist()
    ours = generate(tiny_lm, ids, SamplingParams(max_new_tokens=20, ignore_eos=True))
    assert ours.token_ids == expected


def test_stream_pieces_add_up_to_the_whole_text(tiny_lm: LoadedLM) -> None:
    params = SamplingParams(max_new_tokens=24, ignore_eos=True)
    pieces = list(stream(tiny_lm, PROMPT, params))
    assert len(pieces) > 1
    assert "".join(pieces) == generate(tiny_lm, PROMPT, params).text


def test_stop_string_ends_generation_before_it(tiny_lm: LoadedLM) -> None:
    full = generate(tiny_lm, PROMPT, SamplingParams(max_new_tokens=40, ignore_eos=True)).text
    stop = full[len(full) // 2:len(full) // 2 + 3]
    assert stop.strip(), "the tiny model's text should have printable characters mid-way"
    cut = generate(tiny_lm, PROMPT, SamplingParams(max_new_tokens=40, ignore_eos=True,
                                                   stop=(stop,)))
    assert cut.finish_reason == "stop" and stop not in cut.text
    assert full.startswith(cut.text)
    assert "".join(stream(tiny_lm, PROMPT, SamplingParams(max_new_tokens=40, ignore_eos=True,
                                                          stop=(stop,)))) == cut.text


def test_seeded_sampling_is_reproducible(tiny_lm: LoadedLM) -> None:
    params = SamplingParams(max_new_tokens=16, temperature=1.0, top_p=0.9, seed=7,
                            ignore_eos=True)
    first = generate(tiny_lm, PROMPT, params).token_ids
    assert generate(tiny_lm, PROMPT, params).token_ids == first
    others = {tuple(generate(tiny_lm, PROMPT, SamplingParams(
        max_new_tokens=16, temperature=1.0, seed=s, ignore_eos=True)).token_ids) for s in range(3)}
    assert len(others) > 1


def test_repetition_penalty_moves_away_from_seen_tokens() -> None:
    logits = torch.tensor([2.0, 1.9, 0.5])
    assert pick_token(logits, SamplingParams()) == 0
    assert pick_token(logits, SamplingParams(repetition_penalty=1.5), torch.tensor([0, 0])) == 1


def test_top_p_keeps_only_the_nucleus() -> None:
    logits = torch.tensor([5.0, 4.9, -10.0, -10.0])
    params = SamplingParams(temperature=1.0, top_p=0.5)
    picks = {pick_token(logits, params, generator=torch.Generator().manual_seed(s))
             for s in range(30)}
    assert picks == {0}


def test_chat_prompt_uses_the_model_template(tiny_lm: LoadedLM) -> None:
    text = chat_prompt(tiny_lm.tokenizer, "Draft a claim.", system="Be brief.")
    assert text.startswith("<|im_start|>system\nBe brief.<|im_end|>")
    assert text.endswith("<|im_start|>assistant\n")


def test_bad_sampling_settings_are_reported_together() -> None:
    with pytest.raises(ConfigError, match=r"temperature.*top_p"):
        SamplingParams(temperature=-1, top_p=0)
