"""The regression gate on the real patent prompts: passes the same model, rejects another."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from torchworks.export.llm.gate import (
    GateConfig,
    GeneratedSample,
    ScoreFinding,
    build_reference,
    judge,
)
from torchworks.export.llm.prompts import gate_prompts, held_texts
from torchworks.llm.engine import EngineStepper
from torchworks.llm.load import LoadedLM, load_causal_lm
from torchworks.llm.onnx_runtime import OnnxLM, OnnxStepper
from torchworks.llm.stepper import HFStepper
from torchworks.llm.tiny import build_tiny_lm
from torchworks.llm.variants import engine_for

CONFIG = GateConfig(new_tokens=6, held_tokens=48)


@pytest.fixture(scope="module")
def reference(tiny_lm: LoadedLM, patents_dir: Path):
    prompts = gate_prompts(patents_dir, 2)
    stepper = EngineStepper(engine_for(tiny_lm, "eager-fp32", max_seq=512))
    return build_reference(tiny_lm, stepper, prompts, held_texts(patents_dir, 1), CONFIG)


def test_prompt_set_is_fixed_and_mixes_disclosures_and_claims(patents_dir: Path) -> None:
    first, again = gate_prompts(patents_dir, 4), gate_prompts(patents_dir, 4)
    assert first == again
    assert [p.kind for p in first] == ["disclosure", "claims", "disclosure", "claims"]
    assert all(len(p.description) > 200 for p in first)
    assert len(held_texts(patents_dir, 3)) == 3


def test_same_model_through_another_runtime_passes(tiny_lm: LoadedLM, reference) -> None:
    report = judge(tiny_lm, reference, HFStepper(tiny_lm.model), CONFIG)
    assert report.passed, report.reasons
    assert report.token_agreement == 1.0
    assert abs(report.ppl_increase_pct) < 0.01


def test_a_different_model_is_rejected_with_reasons(tiny_lm: LoadedLM, reference,
                                                    tmp_path: Path, tiny_texts: list[str]
                                                    ) -> None:
    other = load_causal_lm(build_tiny_lm(tmp_path / "other", tiny_texts, seed=1))
    report = judge(tiny_lm, reference, HFStepper(other.model), CONFIG)
    assert not report.passed
    assert report.token_agreement < 0.5
    assert any(r.startswith("token agreement") for r in report.reasons)


def test_extra_scorers_judge_the_generated_text(tiny_lm: LoadedLM, patents_dir: Path) -> None:
    def strict(sample: GeneratedSample) -> list[ScoreFinding]:
        if sample.prompt.kind != "claims":
            return []
        return [ScoreFinding("strict", "claim 1", False, "never satisfied")]

    config = dataclasses.replace(CONFIG, max_extra_findings=0)
    stepper = EngineStepper(engine_for(tiny_lm, "eager-fp32", max_seq=512))
    prompts, held = gate_prompts(patents_dir, 4), held_texts(patents_dir, 1)
    unscored = build_reference(tiny_lm, stepper, prompts, held, config)
    report = judge(tiny_lm, unscored, stepper, config, scorers=[strict])
    assert not report.passed and "2 failed scorer findings vs 0" in report.reasons[0]
    assert [f.subject for f in report.findings] == ["claim 1", "claim 1"]
    scored = build_reference(tiny_lm, stepper, prompts, held, config, scorers=[strict])
    assert judge(tiny_lm, scored, stepper, config, scorers=[strict]).passed


def test_onnx_runtime_variant_agrees_with_the_reference(tiny_lm: LoadedLM, reference,
                                                        tmp_path: Path) -> None:
    from torchworks.export.llm.build import build_variant
    from torchworks.llm.variants import variant

    built = build_variant(tiny_lm, variant("onnx"), tmp_path)
    assert isinstance(built.stepper, OnnxStepper) and isinstance(built.stepper.model, OnnxLM)
    report = judge(tiny_lm, reference, built.stepper, CONFIG)
    assert report.passed and report.token_agreement == 1.0


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["fp16", "bf16", "tensorrt-fp16"])
def test_gpu_variants_pass_the_gate(tiny_lm_dir: Path, patents_dir: Path, tmp_path: Path,
                                    name: str) -> None:
    from torchworks.export.llm.build import build_variant
    from torchworks.llm.variants import unavailable_reason, variant

    lm = load_causal_lm(tiny_lm_dir, device="cuda")
    reason = unavailable_reason(variant(name), lm.device)
    if reason:
        pytest.skip(reason)
    stepper = EngineStepper(engine_for(lm, "eager-fp32", max_seq=512))
    reference = build_reference(lm, stepper, gate_prompts(patents_dir, 2),
                                held_texts(patents_dir, 1), CONFIG)
    report = judge(lm, reference, build_variant(lm, variant(name), tmp_path).stepper,
                   dataclasses.replace(CONFIG, min_token_agreement=0.5))
    assert report.passed, report.reasons
