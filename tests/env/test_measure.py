"""Smoke measurements: the CPU matmul here, the GPU ones where a GPU exists."""

from __future__ import annotations

import pytest

from torchworks.env.measure import (
    Measurement,
    matmul_flops,
    measure_here,
    peak_for,
    with_link_peaks,
)
from torchworks.env.probe_torch import probe_torch


def test_cpu_matmul_reports_gflops_on_this_machine(machine_facts) -> None:
    if machine_facts.torch.cuda_available:
        pytest.skip("this machine has a GPU; the GPU test covers it")
    (result,) = measure_here()
    assert result.name == "cpu_matmul_fp32" and result.unit == "GFLOP/s"
    assert result.error is None and result.value > 0.1  # any real CPU does > 0.1 GFLOP/s
    assert "threads" in result.detail


def test_bf16_matmul_runs_on_cpu_too() -> None:
    assert matmul_flops("cpu", "bfloat16", 128) > 0


def test_probe_child_measures_with_its_own_torch_import() -> None:
    probe = probe_torch(bench=True)
    assert probe.facts.status == "ok"
    assert probe.measurements and all(m.error is None for m in probe.measurements)


def test_host_to_device_gets_the_pcie_link_peak(recorded) -> None:
    facts = recorded("container_shm64m_l4")
    h2d = Measurement("h2d_pinned", "cuda:0", 24.1, "GB/s", detail="256 MiB pinned to NVIDIA L4")
    (result,) = with_link_peaks([h2d], facts)
    assert result.peak == pytest.approx(1.969 * 16) and "PCIe gen4 x16" in result.detail
    assert 0.7 < result.fraction_of_peak < 0.8


@pytest.mark.parametrize(("name", "fp32"), [
    ("NVIDIA H100 80GB HBM3", 66.9), ("NVIDIA H100 PCIe", 51.2), ("NVIDIA A100-SXM4-80GB", 19.5),
    ("NVIDIA A10", 31.2), ("NVIDIA L4", 30.3), ("NVIDIA L40S", 91.6), ("Tesla T4", 8.1),
])
def test_peak_table_tells_similar_names_apart(name, fp32) -> None:
    assert peak_for(name).fp32 == fp32


def test_unknown_gpu_has_no_peak() -> None:
    assert peak_for("NVIDIA Mystery 9000") is None


@pytest.mark.gpu
def test_gpu_matmul_and_bandwidth_are_plausible() -> None:
    results = {(m.name, m.device): m for m in measure_here()}
    assert ("matmul_fp32", "cuda:0") in results and ("h2d_pinned", "cuda:0") in results
    for m in results.values():
        assert m.error is None, m
        assert m.value > 0
        if m.fraction_of_peak is not None:
            assert m.fraction_of_peak < 1.5, f"{m.name} above the datasheet peak: table is off"
