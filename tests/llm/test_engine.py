"""The fast engine: same numbers as transformers, and batching that does not change answers."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from torchworks.env import cpu as cpu_env
from torchworks.errors import ConfigError
from torchworks.llm.engine import DecodeEngine, EngineStepper
from torchworks.llm.generate import generate
from torchworks.llm.llama import FastLlama
from torchworks.llm.load import LoadedLM
from torchworks.llm.sampling import SamplingParams
from torchworks.llm.variants import engine_for

PROMPTS = ["A method of managing crop yield", "A telescoping base comprising a fixed tube and",
           "The system of claim 1, wherein", "Solar"]


def _ids(lm: LoadedLM, text: str) -> list[int]:
    return lm.tokenizer(text, add_special_tokens=False)["input_ids"]


def test_logits_match_transformers_at_every_position(tiny_lm: LoadedLM) -> None:
    ids = _ids(tiny_lm, PROMPTS[1])
    with torch.no_grad():
        expected = tiny_lm.model(torch.tensor([ids])).logits[0]
    engine = DecodeEngine(FastLlama.from_hf(tiny_lm.model), slots=2, max_seq=64)
    got = EngineStepper(engine, slot=1).score(ids)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)


def test_decode_steps_match_transformers_token_for_token(tiny_lm: LoadedLM) -> None:
    """The single-row fast path (cache slices, attention over the filled part only, RoPE from
    tables) computes the same greedy tokens, and close logits, as transformers' own forward."""
    for prompt in PROMPTS[:3]:
        ids = _ids(tiny_lm, prompt)
        with torch.no_grad():
            out = tiny_lm.model.generate(torch.tensor([ids]), max_new_tokens=24, min_new_tokens=24,
                                         do_sample=False, output_logits=True,
                                         return_dict_in_generate=True)
        expected = out.sequences[0, len(ids):].tolist()
        stepper = EngineStepper(engine_for(tiny_lm, "eager-fp32", slots=2, max_seq=64), slot=1)
        logits = [stepper.prefill(ids)]
        for token in expected[:-1]:
            logits.append(stepper.decode(token))
        assert [int(row.argmax()) for row in logits] == expected
        torch.testing.assert_close(torch.stack(logits), torch.cat(out.logits), atol=1e-4,
                                   rtol=1e-4)


def test_sequences_joining_and_leaving_a_batch_get_their_solo_tokens(tiny_lm: LoadedLM) -> None:
    """Continuous batching's invariant: a sequence's greedy tokens do not depend on who shares
    its decode steps, when it joined, or which cache row it got."""
    new_tokens = 12
    solo_engine = engine_for(tiny_lm, "eager-fp32", max_seq=128)
    solo = [generate(tiny_lm, _ids(tiny_lm, p),
                     SamplingParams(max_new_tokens=new_tokens, ignore_eos=True),
                     stepper=EngineStepper(solo_engine)).token_ids for p in PROMPTS]
    engine = engine_for(tiny_lm, "eager-fp32", slots=3, max_seq=128)
    running: dict[int, int] = {}  # prompt index -> cache slot
    outputs: dict[int, list[int]] = {}
    pending = list(range(len(PROMPTS)))
    step = 0
    while pending or running:
        if pending and engine.free_slots and step % 3 == 0:  # join between decode steps
            index = pending.pop(0)
            running[index] = engine.allocate()
            outputs[index] = [int(engine.prefill(running[index],
                                                 _ids(tiny_lm, PROMPTS[index])).argmax())]
        order = sorted(running, reverse=True)  # any order, as the scheduler allows
        step += 1
        if not order:
            continue
        logits = engine.decode([running[i] for i in order], [outputs[i][-1] for i in order])
        for row, index in enumerate(order):
            outputs[index].append(int(logits[row].argmax()))
            if len(outputs[index]) == new_tokens:
                engine.release(running.pop(index))  # leaves; its row is reused
    assert [outputs[i] for i in range(len(PROMPTS))] == solo
    assert engine.free_slots == 3


def test_growing_the_cache_keeps_live_sequences_and_adds_rows(tiny_lm: LoadedLM) -> None:
    """The server may run more sequences than the engine was sized for (`--max-running`):
    the engine grows, and a sequence decoding across the growth keeps its solo tokens."""
    new_tokens = 10
    solo = generate(tiny_lm, _ids(tiny_lm, PROMPTS[1]),
                    SamplingParams(max_new_tokens=new_tokens, ignore_eos=True),
                    stepper=EngineStepper(engine_for(tiny_lm, "eager-fp32", max_seq=64))).token_ids
    engine = engine_for(tiny_lm, "eager-fp32", slots=1, max_seq=64)
    slot = engine.allocate()
    tokens = [int(engine.prefill(slot, _ids(tiny_lm, PROMPTS[1])).argmax())]
    for step in range(new_tokens - 1):
        if step == 4:
            engine.grow(3)
            assert engine.free_slots == 2
            other = engine.allocate()
            engine.prefill(other, _ids(tiny_lm, PROMPTS[0]))
            logits = engine.decode([other, slot], [5, tokens[-1]])[1]
        else:
            logits = engine.decode([slot], [tokens[-1]])[0]
        tokens.append(int(logits.argmax()))
    assert tokens == solo
    assert sorted({engine.allocate(), slot, other}) == [0, 1, 2]


# What each cheaper variant needs from the CPU, asked of the probe (not of the code under test).
CPU_NEEDS = {"bf16": lambda cpu: cpu.fast_bf16, "int8-dynamic": lambda cpu: cpu.int8_kernels,
             "int8-weight": lambda cpu: True, "int8-packed": lambda cpu: True,
             "int4-g32": lambda cpu: True}


def _close_to_fp32_or_refused(lm: LoadedLM, name: str) -> str:
    """The variant's top-1 agrees with fp32 where the CPU runs it, else a clear refusal;
    returns which branch ran."""
    if not CPU_NEEDS[name](cpu_env.cpu_features()):
        with pytest.raises(ConfigError, match=f"variant '{name}' is not available: ") as info:
            engine_for(lm, name, max_seq=64)
        assert "this CPU" in str(info.value) and info.value.fix
        return "refused"
    ids = _ids(lm, PROMPTS[0])
    reference = EngineStepper(engine_for(lm, "eager-fp32", max_seq=64)).score(ids)
    got = EngineStepper(engine_for(lm, name, max_seq=64)).score(ids).float()
    assert torch.isfinite(got).all()
    agree = (got.argmax(-1) == reference.argmax(-1)).float().mean()
    assert agree >= 0.5, f"{name} top-1 agreement with fp32 is only {agree:.2f}"
    return "ran"


@pytest.mark.parametrize("name", ["bf16", "int8-dynamic", "int8-weight", "int8-packed",
                                  "int4-g32"])
def test_cheaper_variants_stay_close_to_fp32(tiny_lm: LoadedLM, name: str) -> None:
    """On this machine's real CPU: the supported path where it runs, the refusal elsewhere."""
    if name == "int8-weight" and importlib.util.find_spec("torchao") is None:
        with pytest.raises(ConfigError, match="torchao is not installed"):
            engine_for(tiny_lm, name, max_seq=64)
        return
    _close_to_fp32_or_refused(tiny_lm, name)


@pytest.mark.parametrize("profile, expected", [
    ("avx2-only", "refused"), ("avx512-no-bf16", "refused"), ("avx512-bf16", "ran"),
    ("amx", "ran")])
def test_bf16_variant_follows_the_cpu_probe(tiny_lm: LoadedLM, fake_cpu, profile: str,
                                            expected: str) -> None:
    """Both branches on any machine: only the probe's answer is faked (bf16 kernels run,
    slowly, on every x86-64 CPU, so the 'ran' branch is real arithmetic everywhere)."""
    fake_cpu(profile)
    assert _close_to_fp32_or_refused(tiny_lm, "bf16") == expected


def test_int8_dynamic_needs_avx2_and_says_so(tiny_lm: LoadedLM, fake_cpu) -> None:
    fake_cpu(["sse4_2"])
    with pytest.raises(ConfigError, match=r"fbgemm.*need AVX2; this CPU has SSE"):
        engine_for(tiny_lm, "int8-dynamic", max_seq=64)


@pytest.mark.slow
def test_compiled_static_decode_matches_eager(tiny_lm: LoadedLM) -> None:
    params = SamplingParams(max_new_tokens=10, ignore_eos=True)
    ids = _ids(tiny_lm, PROMPTS[1])
    eager = generate(tiny_lm, ids, params, stepper=EngineStepper(
        engine_for(tiny_lm, "eager-fp32", max_seq=64))).token_ids
    compiled = generate(tiny_lm, ids, params, stepper=EngineStepper(
        engine_for(tiny_lm, "compile-static", max_seq=64))).token_ids
    assert compiled == eager
