"""The CPU probe: real /proc/cpuinfo files in, the fast-path answers and recommendations out."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchworks.env import cpu
from torchworks.env.cpu import CpuFeatures, onednn_allows, parse_cpuinfo, read_cpu_features

CPUINFO = Path(__file__).parent / "cpuinfo"


def test_recorded_amd_epyc_has_avx512_bf16_and_vnni_but_no_amx() -> None:
    flags, model = parse_cpuinfo((CPUINFO / "amd_epyc_zen4_2vcpu.txt").read_text())
    found = CpuFeatures.from_flags(flags, "x86_64", model)
    assert model == "AMD EPYC" and found.isa == "AVX-512"
    assert found.bf16_via == "AVX512-BF16" and found.int8_via == "AVX512-VNNI"
    assert (found.train_precision, found.inference_precision) == ("fp32", "bf16")
    assert "sse4a" not in found.flags, "only the flags torch cares about are kept"
    assert found.describe() == "AMD EPYC: AVX-512; bf16 via AVX512-BF16; int8 via AVX512-VNNI"


def test_recorded_arm_core_reads_features_of_the_first_processor_only() -> None:
    flags, model = parse_cpuinfo((CPUINFO / "graviton_aarch64_excerpt.txt").read_text())
    found = CpuFeatures.from_flags(flags, "aarch64", model)
    assert model is None and found.isa == "SVE"
    assert (found.bf16_via, found.int8_via) == ("BF16", "I8MM")
    assert found.int8_kernels and found.inference_precision == "bf16"


@pytest.mark.parametrize("flags, isa, bf16, int8, train", [
    ({"avx", "avx2", "fma"}, "AVX2", None, None, "fp32"),
    ({"avx", "avx2", "avx_vnni"}, "AVX2", None, "AVX-VNNI", "fp32"),  # Alder Lake P-cores
    ({"avx2", "avx512f", "avx512_vnni"}, "AVX-512", None, "AVX512-VNNI", "fp32"),  # Cascade Lake
    ({"avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"}, "AMX", "AMX-BF16",
     "AMX-INT8", "bf16"),
    ({"sse4_2"}, "SSE", None, None, "fp32"),
])
def test_fast_paths_and_recommendations_per_isa(flags, isa, bf16, int8, train) -> None:
    found = CpuFeatures.from_flags(flags)
    assert (found.isa, found.bf16_via, found.int8_via, found.train_precision) == \
        (isa, bf16, int8, train)
    assert found.fast_bf16 == (bf16 is not None) and found.fast_int8 == (int8 is not None)
    assert found.int8_kernels == ("avx2" in flags)


def test_onednn_max_cpu_isa_caps_what_counts_as_fast() -> None:
    amx = {"avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16"}
    assert CpuFeatures.from_flags(amx, onednn_cap="AVX512_CORE_BF16").bf16_via == "AVX512-BF16"
    assert CpuFeatures.from_flags(amx, onednn_cap="avx2").bf16_via is None
    assert CpuFeatures.from_flags(amx, onednn_cap="AVX10_1_512_AMX").bf16_via == "AMX-BF16"
    assert onednn_allows(None, "AVX512_CORE_AMX") and onednn_allows("ALL", "AVX512_CORE_AMX")


def test_probe_falls_back_to_torch_when_there_is_no_proc_cpuinfo(tmp_path: Path) -> None:
    import torch

    found = read_cpu_features(tmp_path / "missing", environ={})
    assert found.source == "torch"
    if hasattr(torch.cpu, "get_capabilities"):
        assert ("avx2" in found.flags) == bool(torch.cpu.get_capabilities().get("avx2"))


def test_probe_with_nothing_to_read_says_unknown(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(cpu, "_torch_flags", lambda: None)
    found = read_cpu_features(tmp_path / "missing", environ={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    assert (found.source, found.isa, found.fast_bf16, found.onednn_cap) == \
        ("none", "unknown", False, "AVX2")


def test_this_machine_kernel_and_torch_agree_on_the_flags_that_decide() -> None:
    """Real behaviour, not a fake: the kernel's flags and torch's cpuinfo give one answer."""
    import torch

    if not Path("/proc/cpuinfo").exists() or not hasattr(torch.cpu, "get_capabilities"):
        pytest.skip("needs Linux /proc/cpuinfo and torch >= 2.10's torch.cpu.get_capabilities")
    kernel = read_cpu_features(environ={})
    via_torch = read_cpu_features(Path("/nonexistent"), environ={})
    assert kernel.source == "/proc/cpuinfo" and via_torch.source == "torch"
    for prop in ("isa", "bf16_via", "int8_via", "int8_kernels", "train_precision",
                 "inference_precision"):
        assert getattr(kernel, prop) == getattr(via_torch, prop), prop


def test_cpu_features_is_probed_once(monkeypatch) -> None:
    cpu.cpu_features.cache_clear()
    calls = []
    monkeypatch.setattr(cpu, "read_cpu_features", lambda: calls.append(1) or
                        CpuFeatures.from_flags({"avx2"}))
    assert cpu.cpu_features() is cpu.cpu_features() and calls == [1]
    cpu.cpu_features.cache_clear()  # the next caller probes the real machine again
