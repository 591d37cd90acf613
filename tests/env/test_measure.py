"""Smoke measurements: the CPU matmul here, the GPU ones where a GPU exists."""

from __future__ import annotations

from dataclasses import replace

import pytest

from torchworks.env.facts import TorchFacts
from torchworks.env.measure import matmul_flops, measure, peak_for


def test_cpu_matmul_reports_gflops_on_this_machine(machine_facts) -> None:
    if machine_facts.torch.cuda_available:
        pytest.skip("this machine has a GPU; the GPU test covers it")
    (result,) = measure(machine_facts)
    assert result.name == "cpu_matmul_fp32" and result.unit == "GFLOP/s"
    assert result.error is None and result.value > 0.1  # any real CPU does > 0.1 GFLOP/s
    assert "threads" in result.detail


def test_bf16_matmul_runs_on_cpu_too() -> None:
    assert matmul_flops("cpu", "bfloat16", 128) > 0


def test_no_measurement_when_torch_is_broken(recorded) -> None:
    facts = replace(recorded("container_shm64m_l4"),
                    torch=TorchFacts(status="import_error", error="boom"))
    assert measure(facts) == []


@pytest.mark.parametrize(("name", "fp32"), [
    ("NVIDIA H100 80GB HBM3", 66.9), ("NVIDIA H100 PCIe", 51.2), ("NVIDIA A100-SXM4-80GB", 19.5),
    ("NVIDIA A10", 31.2), ("NVIDIA L4", 30.3), ("NVIDIA L40S", 91.6), ("Tesla T4", 8.1),
])
def test_peak_table_tells_similar_names_apart(name, fp32) -> None:
    assert peak_for(name).fp32 == fp32


def test_unknown_gpu_has_no_peak() -> None:
    assert peak_for("NVIDIA Mystery 9000") is None


@pytest.mark.gpu
def test_gpu_matmul_and_bandwidth_are_plausible(machine_facts) -> None:
    results = {(m.name, m.device): m for m in measure(machine_facts)}
    assert ("matmul_fp32", "cuda:0") in results and ("h2d_pinned", "cuda:0") in results
    for m in results.values():
        assert m.error is None, m
        assert m.value > 0
        if m.fraction_of_peak is not None:
            assert m.fraction_of_peak < 1.5, f"{m.name} above the datasheet peak: table is off"
