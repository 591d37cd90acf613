"""The --amp policy: what each choice resolves to, and clear errors for impossible ones."""

from __future__ import annotations

import pytest
import torch

from torchworks.engine import precision
from torchworks.errors import ConfigError

CPU = torch.device("cpu")


@pytest.mark.parametrize("profile", ["this CPU", "avx2-only", "avx512-bf16", "amx"])
def test_auto_is_fp32_on_every_cpu_without_scaler(fake_cpu, profile: str) -> None:
    """Same numbers on every CPU: even where the probe recommends bf16 (AMX), auto stays fp32."""
    if profile != "this CPU":
        fake_cpu(profile)  # only the probe's answer; the policy and autocast are real
    policy = precision.resolve_precision("auto", CPU)
    assert policy.name == "fp32"
    assert policy.grad_scaler() is None
    with policy.autocast():
        out = torch.nn.Linear(4, 4)(torch.randn(2, 4))
    assert out.dtype == torch.float32


def test_bf16_on_cpu_when_asked_runs_matmuls_in_bf16() -> None:
    policy = precision.resolve_precision("bf16", CPU)
    assert policy.name == "bf16" and policy.grad_scaler() is None
    with policy.autocast():
        out = torch.nn.Linear(4, 4)(torch.randn(2, 4))
    assert out.dtype == torch.bfloat16


def test_off_is_fp32_everywhere() -> None:
    assert precision.resolve_precision("off", torch.device("cuda", 0)).name == "fp32"


@pytest.mark.parametrize("supports_bf16, expected", [(True, "bf16"), (False, "fp16")])
def test_auto_on_gpu_prefers_bf16_else_fp16_with_scaler(
        monkeypatch: pytest.MonkeyPatch, supports_bf16: bool, expected: str) -> None:
    # no GPU here: fake only the hardware answer, the policy is ours
    monkeypatch.setattr(precision, "bf16_supported", lambda device: supports_bf16)
    policy = precision.resolve_precision("auto", torch.device("cuda", 0))
    assert policy.name == expected
    assert policy.uses_scaler == (expected == "fp16")


def test_bf16_on_gpu_without_support_says_what_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)
    with pytest.raises(ConfigError, match="fp16"):
        precision.resolve_precision("bf16", torch.device("cuda", 0))


def test_unknown_amp_lists_choices() -> None:
    with pytest.raises(ConfigError) as info:
        precision.resolve_precision("fp8", CPU)
    assert "auto" in str(info.value) and "bf16" in str(info.value)
