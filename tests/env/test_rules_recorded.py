"""The three recorded user environments from the issue, diagnosed from their facts files."""

from __future__ import annotations

from torchworks.env.findings import Severity, exit_code
from torchworks.env.rules import diagnose


def by_id(findings):
    return {f.id: f for f in findings}


def test_rtx5090_with_cu124_build_is_told_to_install_a_cu128_wheel(recorded) -> None:
    findings = diagnose(recorded("rtx5090_cu124"))
    arch = by_id(findings)["gpu.arch_unsupported"]
    assert arch.severity is Severity.ERROR
    assert "sm_120" in arch.seen and "no kernel image is available" in arch.why
    # one command moves torch and its installed companions, from the CUDA variant's own index
    assert arch.fix.startswith("pip install --force-reinstall 'torch==2.9.1' 'torchvision==0.24.*' "
                               "'torchaudio==2.9.*' 'triton' --index-url "
                               "https://download.pytorch.org/whl/cu128  # cu128: ")
    assert arch.fix.count("pip install") == 1
    assert findings[0].id == "gpu.arch_unsupported", "errors come first"
    assert exit_code(findings) == 2


def test_old_driver_with_cu128_build_names_the_driver_minimum_and_a_wheel_it_runs(recorded):
    findings = by_id(diagnose(recorded("t4_driver470_cu128")))
    driver = findings["driver.too_old"]
    assert driver.severity is Severity.ERROR
    assert "470.256.02" in driver.seen and "found version 11040" in driver.seen
    assert ">= 570.26" in driver.fix
    assert "whl/cu118" in driver.fix, "a CUDA 11.8 wheel runs on driver 470 and a T4"
    assert "torch.cuda_init_failed" not in findings, "the driver finding already explains it"
    assert findings["precision.no_bf16"].severity is Severity.WARN


def test_container_with_64mb_shm_and_8_workers_gets_the_shm_size_flag(recorded) -> None:
    findings = diagnose(recorded("container_shm64m_l4"))
    shm = by_id(findings)["shm.too_small"]
    assert shm.severity is Severity.ERROR
    assert "64.0 MiB" in shm.seen and "8 DataLoader workers" in shm.seen
    assert "docker run --shm-size=8g" in shm.fix and "shm_size: '8gb'" in shm.fix
    assert [f.id for f in findings if f.severity is not Severity.OK] == ["shm.too_small"]


def test_cpu_torch_on_a_gpu_node_and_a_mismatched_torchvision(recorded) -> None:
    findings = by_id(diagnose(recorded("a100x4_cpu_torch")))
    cpu_build = findings["torch.cpu_build"]
    assert cpu_build.severity is Severity.ERROR and "4 GPU(s)" in cpu_build.seen
    assert "torch==2.9.1" in cpu_build.fix
    tv = findings["packages.torchvision_mismatch"]
    assert "0.23.0" in tv.seen and "torchvision==0.24.*" in tv.fix
    assert findings["disk.low"].severity is Severity.WARN


def test_every_finding_is_complete_and_every_problem_has_a_fix(recorded) -> None:
    names = ["rtx5090_cu124", "t4_driver470_cu128", "container_shm64m_l4", "a100x4_cpu_torch",
             "cpu_avx2_torchao_cp310", "h100x8_nccl_toolkit"]
    for name in names:
        for f in diagnose(recorded(name)):
            assert f.id.count(".") == 1 and f.seen and f.why, (name, f)
            if f.severity is not Severity.OK:
                assert f.fix, f"{name}: {f.id} has no fix"
