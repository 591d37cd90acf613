"""Each finding class, fed recorded facts with the one fact that matters changed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from torchworks.env.facts import NvmlGpu, TorchDevice, TorchFacts
from torchworks.env.findings import Severity, exit_code
from torchworks.env.rules import diagnose
from torchworks.env.wheels import arch_list_covers

GIB = 1024**3


def ids(facts) -> dict:
    return {f.id: f for f in diagnose(facts)}


def with_torch(facts, **changes):
    return replace(facts, torch=replace(facts.torch, **changes))


def with_system(facts, **changes):
    return replace(facts, system=replace(facts.system, **changes))


def gpus(count: int, name: str = "NVIDIA A100-SXM4-80GB", cc=(8, 0)) -> list[NvmlGpu]:
    return [NvmlGpu(i, name, f"GPU-{i}aaa-{i}", cc[0], cc[1], 80 * GIB, 79 * GIB, 4, 16)
            for i in range(count)]


@pytest.mark.parametrize(("arch_list", "cc", "runs"), [
    (["sm_80", "sm_86"], (8, 9), True),  # SASS of the same major at or below the minor
    (["sm_80", "sm_90"], (8, 6), True),
    (["sm_86"], (8, 0), False),  # never a higher minor
    (["sm_90", "sm_100"], (12, 0), False),  # never another major
    (["sm_80", "compute_90"], (12, 0), True),  # PTX JIT-compiles forward
    (["sm_90a"], (9, 0), True),
    (["sm_90a"], (10, 0), False),  # arch-specific code runs on that exact arch only
])
def test_arch_coverage_follows_cuda_binary_compatibility(arch_list, cc, runs) -> None:
    assert arch_list_covers(arch_list, *cc) is runs


def test_sm50_gpu_with_the_default_wheel_is_sent_to_cu126(recorded) -> None:
    facts = recorded("t4_driver470_cu128")
    maxwell = replace(facts, nvml=replace(facts.nvml, driver_version="570.195.03",
                                          gpus=gpus(1, "Tesla M60", (5, 2))))
    arch = ids(maxwell)["gpu.arch_unsupported"]
    assert "sm_52" in arch.seen and "whl/cu126" in arch.fix


@pytest.mark.parametrize(("cuda", "driver", "expected"), [
    ("12.8", "570.26", "driver.ok"),
    ("12.8", "560.35.03", "driver.minor_compat"),
    ("12.8", "525.60.13", "driver.minor_compat"),
    ("12.8", "520.61.05", "driver.too_old"),
    ("12.9", "575.51.03", "driver.ok"),
    ("12.6", "555.42.06", "driver.minor_compat"),
    ("11.8", "450.80.02", "driver.minor_compat"),
    ("11.8", "440.33.01", "driver.too_old"),
    ("13.0", "575.57.08", "driver.too_old"),
    ("13.0", "580.65.06", "driver.ok"),
])
def test_driver_against_the_cuda_runtime_table(recorded, cuda, driver, expected) -> None:
    facts = with_torch(recorded("container_shm64m_l4"), cuda=cuda)
    facts = replace(facts, nvml=replace(facts.nvml, driver_version=driver))
    finding = ids(facts)[expected]
    assert finding.severity is {"driver.ok": Severity.OK, "driver.minor_compat": Severity.WARN,
                                "driver.too_old": Severity.ERROR}[expected]
    if expected != "driver.ok":
        assert driver in finding.seen and ">=" in finding.fix


def test_cuda_build_that_cannot_init_cuda(recorded) -> None:
    facts = with_torch(recorded("container_shm64m_l4"), cuda_available=False, devices=[],
                       cuda_init_error="RuntimeError: CUDA unknown error")
    finding = ids(facts)["torch.cuda_init_failed"]
    assert finding.severity is Severity.ERROR and "CUDA unknown error" in finding.seen
    assert "--gpus all" in finding.fix


def test_torch_missing_or_broken_or_hanging(recorded) -> None:
    base = recorded("container_shm64m_l4")
    missing = ids(replace(base, torch=TorchFacts(status="missing", error="No module 'torch'")))
    assert missing["torch.missing"].severity is Severity.ERROR
    assert "pip install" in missing["torch.missing"].fix
    broken = ids(replace(base, torch=TorchFacts(status="import_error",
                                                error="ImportError: undefined symbol: ncclX")))
    assert "torch.import_failed" in broken and "gpu.arch_supported" not in broken
    hung = ids(replace(base, torch=TorchFacts(status="timeout", error="timed out after 60 s")))
    assert "nvidia-smi" in hung["torch.import_hangs"].fix


def test_cudnn_not_loadable_at_import_names_torchs_pinned_cudnn(recorded) -> None:
    error = ("OSError: libcudnn.so.9: cannot open shared object file: No such file or directory")
    facts = replace(recorded("container_shm64m_l4"),
                    torch=TorchFacts(status="import_error", error=error))
    finding = ids(facts)["cudnn.unavailable"]
    assert finding.severity is Severity.ERROR
    assert "pip install 'nvidia-cudnn-cu12==9.10.2.21'" in finding.fix


def test_cudnn_unavailable_after_import(recorded) -> None:
    facts = with_torch(recorded("container_shm64m_l4"), cudnn_version=None,
                       cudnn_error="torch.backends.cudnn.is_available() is False")
    assert ids(facts)["cudnn.unavailable"].severity is Severity.ERROR
    assert ids(recorded("container_shm64m_l4"))["cudnn.ok"].seen == "torch loads cuDNN 9.10.2"


def test_nccl_missing_matters_only_with_several_gpus(recorded) -> None:
    base = recorded("container_shm64m_l4")
    no_nccl = with_torch(base, nccl_version=None, nccl_error="RuntimeError: NCCL not built")
    assert not any(i.startswith("nccl.") for i in ids(no_nccl))
    four = replace(no_nccl, nvml=replace(no_nccl.nvml, gpus=gpus(4)))
    finding = ids(four)["nccl.unavailable"]
    assert finding.severity is Severity.ERROR and "4 GPUs" in finding.seen
    assert "nvidia-nccl-cu12==2.27.5" in finding.fix
    assert ids(replace(base, nvml=replace(base.nvml, gpus=gpus(4))))["nccl.ok"]


@pytest.mark.parametrize(("value", "expected", "visible"), [
    ("", "env.cuda_visible_devices_hides_all", 0),
    ("-1", "env.cuda_visible_devices_hides_all", 0),
    ("7", "env.cuda_visible_devices_hides_all", 0),
    ("0,7,1", "env.cuda_visible_devices_missing", 1),  # CUDA stops at the unknown entry
    ("GPU-2aaa", "env.cuda_visible_devices", 1),  # UUID prefixes count
    ("3,1", "env.cuda_visible_devices", 2),
    ("MIG-5c2f9a10-3b4d-5e6f-8a9b-0c1d2e3f4a5b", "env.cuda_visible_devices", 4),
])
def test_cuda_visible_devices(recorded, value, expected, visible) -> None:
    base = recorded("container_shm64m_l4")
    facts = replace(base, env={"CUDA_VISIBLE_DEVICES": value},
                    nvml=replace(base.nvml, gpus=gpus(4)))
    finding = ids(facts)[expected]
    assert finding.severity is {"env.cuda_visible_devices": Severity.OK,
                                "env.cuda_visible_devices_missing": Severity.WARN,
                                "env.cuda_visible_devices_hides_all": Severity.ERROR}[expected]
    if expected.endswith("missing"):
        assert f"only {visible} GPU(s)" in finding.why
    if finding.severity is Severity.WARN:
        assert "CUDA_VISIBLE_DEVICES=0,1,2,3" in finding.fix


@pytest.mark.parametrize(("limit", "severity"), [(1 * GIB, Severity.ERROR),
                                                 (6 * GIB, Severity.WARN)])
def test_container_memory_limit(recorded, limit, severity) -> None:
    finding = ids(with_system(recorded("container_shm64m_l4"),
                              cgroup_memory_limit_bytes=limit))["memory.too_low"]
    assert finding.severity is severity and "container memory limit" in finding.seen
    assert "--memory=" in finding.fix


def test_cpu_quota_below_visible_cores_and_too_many_workers(recorded) -> None:
    facts = with_system(recorded("container_shm64m_l4"), cgroup_cpu_limit=4.0, cpu_count=32)
    found = ids(facts)
    assert "OMP_NUM_THREADS=4" in found["cpu.quota_below_cores"].fix
    assert "num_workers=3" in found["cpu.workers_exceed_cpus"].fix


@pytest.mark.parametrize(("free", "severity"), [(1 * GIB, Severity.ERROR),
                                                (10 * GIB, Severity.WARN)])
def test_low_disk(recorded, free, severity) -> None:
    finding = ids(with_system(recorded("rtx5090_cu124"), disk_free_bytes=free))["disk.low"]
    assert finding.severity is severity and "--checkpoint-dir" in finding.fix


def test_shm_warns_when_merely_smaller_than_the_workers_need(recorded) -> None:
    facts = with_system(recorded("container_shm64m_l4"), shm_total_bytes=2 * GIB)
    finding = ids(facts)["shm.too_small"]
    assert finding.severity is Severity.WARN and "num_workers=2" in finding.fix


def test_no_bf16_recommends_fp16_with_gradscaler(recorded) -> None:
    finding = ids(recorded("t4_driver470_cu128"))["precision.no_bf16"]
    assert "GradScaler" in finding.fix and "float16" in finding.fix


def test_tf32_off_on_ampere_says_how_to_enable_and_a_forced_override_warns(recorded) -> None:
    base = recorded("container_shm64m_l4")
    off = ids(base)["precision.tf32_off"]
    assert off.severity is Severity.OK
    assert 'set_float32_matmul_precision("high")' in off.fix and "allow_tf32" in off.fix
    assert "precision.tf32_on" in ids(with_torch(base, float32_matmul_precision="high"))
    forced = ids(replace(base, env={"NVIDIA_TF32_OVERRIDE": "0"}))["precision.tf32_forced_off"]
    assert forced.severity is Severity.WARN
    assert "precision.tf32_off" not in ids(recorded("t4_driver470_cu128")), "no TF32 on Turing"


@pytest.mark.parametrize(("torch_v", "vision_v", "ok"), [
    ("2.9.1+cu128", "0.24.1+cu128", True),
    ("2.9.1+cu128", "0.23.0+cu128", False),
    ("2.9.1+cu128", "0.24.1+cpu", False),  # same release, another build
    ("2.13.0+cpu", "0.28.0+cpu", True),  # beyond the table: torchvision's minor+15 rule
    ("2.6.0", "0.21.0", True),
])
def test_torch_torchvision_pairs(recorded, torch_v, vision_v, ok) -> None:
    base = recorded("container_shm64m_l4")
    facts = replace(base, packages=replace(base.packages,
                                           versions={"torch": torch_v, "torchvision": vision_v}))
    found = ids(facts)
    assert ("packages.torchvision_ok" in found) is ok
    assert ("packages.torchvision_mismatch" in found) is not ok


def test_torch_compile_needs_volta_or_newer(recorded) -> None:
    base = recorded("t4_driver470_cu128")
    pascal = replace(base, nvml=replace(base.nvml, gpus=gpus(1, "Tesla P100-PCIE-16GB", (6, 0))))
    finding = ids(pascal)["compile.unsupported"]
    assert finding.severity is Severity.WARN and "cc 6.0" in finding.seen
    assert "compile.unsupported" not in ids(base)


def test_no_gpu_machine_is_healthy_with_cpu_advice(recorded) -> None:
    base = recorded("container_shm64m_l4")
    cpu_only = replace(base, nvml=replace(base.nvml, status="library_missing", gpus=[],
                                          driver_version=None, device_nodes=[]),
                       torch=TorchFacts(status="ok", version="2.9.1+cpu"),
                       system=replace(base.system, shm_total_bytes=16 * GIB))
    found = ids(cpu_only)
    assert found["gpu.none"].severity is Severity.OK
    assert exit_code(list(found.values())) == 0


def test_torch_devices_stand_in_when_nvml_is_unavailable(recorded) -> None:
    base = recorded("rtx5090_cu124")
    no_nvml = replace(base, nvml=replace(base.nvml, status="library_missing", gpus=[],
                                         driver_version=None))
    no_nvml = with_torch(no_nvml, devices=[TorchDevice(0, "NVIDIA GeForce RTX 5090", 12, 0,
                                                       32 * GIB, True)])
    assert ids(no_nvml)["gpu.arch_unsupported"].severity is Severity.ERROR


def test_gpus_in_torch_without_nvml_says_how_to_mount_it(recorded) -> None:
    base = recorded("container_shm64m_l4")
    nvml = replace(base.nvml, status="library_missing", gpus=[], driver_version=None,
                   error="NVML Shared Library Not Found")
    finding = ids(replace(base, nvml=nvml))["driver.unknown"]
    assert finding.severity is Severity.WARN and "NVIDIA_DRIVER_CAPABILITIES" in finding.fix


def test_cpu_torch_in_a_gpu_container_without_nvml_is_caught_by_device_nodes(recorded) -> None:
    base = recorded("a100x4_cpu_torch")
    nvml = replace(base.nvml, status="library_missing", gpus=[], driver_version=None)
    finding = ids(replace(base, nvml=nvml, env={}))["torch.cpu_build"]
    assert "/dev/nvidia0" in finding.seen and finding.severity is Severity.ERROR


def test_both_onnxruntime_flavours_installed(recorded) -> None:
    base = recorded("container_shm64m_l4")
    versions = {**base.packages.versions, "onnxruntime": "1.23.2", "onnxruntime-gpu": "1.23.2"}
    facts = replace(base, packages=replace(base.packages, versions=versions))
    finding = ids(facts)["packages.onnxruntime_conflict"]
    assert finding.severity is Severity.WARN and finding.fix.endswith("pip install onnxruntime-gpu")
