"""Issue 13's new failure classes, each diagnosed from a recorded facts file with its exact fix.

cpu_avx2_torchao_cp310: an AVX2-only AMD box with this venv's real torchao 0.18.0 files (a
cpython-310 extension and CUDA builds next to a CPU torch) and a numpy-1 pandas under numpy 2.
h100x8_nccl_toolkit: an 8x H100 node with a CUDA 11.8 toolkit and a system NCCL in
LD_LIBRARY_PATH, NCCL switches set, Docker's 8 MiB memlock and a stale triton.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from torchworks.env.findings import Severity
from torchworks.env.rules import diagnose


def by_id(facts):
    return {f.id: f for f in diagnose(facts)}


def test_torchao_built_for_python_310_and_for_cuda_next_to_a_cpu_torch(recorded) -> None:
    f = by_id(recorded("cpu_avx2_torchao_cp310"))["packages.torchao_binaries"]
    assert f.severity is Severity.ERROR
    assert ("torchao/_C_mxfp8.cpython-310-x86_64-linux-gnu.so: built for Python 3.10, this is "
            "3.11, needs a CUDA torch (links libtorch_cuda.so); torch is a CPU build") in f.seen
    assert "torchao/_C_cutlass_90a.abi3.so: needs a CUDA torch" in f.seen
    assert f.fix == ("pip install --force-reinstall --no-deps 'torchao==0.18.0' --index-url "
                     "https://download.pytorch.org/whl/cpu  # the build made for this torch")


def test_companion_built_for_another_cuda_major(recorded) -> None:
    f = by_id(recorded("h100x8_nccl_toolkit"))["packages.torchao_binaries"]
    assert f.seen == "torchao/_C.abi3.so: links the CUDA 13 runtime; torch is built with CUDA 12.8"
    assert f.fix.startswith("pip install --force-reinstall --no-deps 'torchao==0.14.1' "
                            "--index-url https://download.pytorch.org/whl/cu128")


def test_numpy_2_with_a_package_built_for_numpy_1(recorded) -> None:
    f = by_id(recorded("cpu_avx2_torchao_cp310"))["packages.numpy_abi"]
    assert f.severity is Severity.ERROR
    assert f.seen == "numpy 2.4.6 is installed but pandas (<2,>=1.23.2) require an older numpy"
    assert "compiled using NumPy 1.x cannot be run in NumPy 2.x" in f.why
    assert f.fix == ("pip install --upgrade pandas  # releases built for numpy 2; or "
                     "pip install 'numpy<2'")


def test_triton_other_than_torchs_pin(recorded) -> None:
    f = by_id(recorded("h100x8_nccl_toolkit"))["packages.triton_mismatch"]
    assert f.seen == "triton 3.4.0 with torch 2.9.1+cu128, whose wheel pins triton==3.5.1"
    assert f.fix == "pip install 'triton==3.5.1' --index-url https://download.pytorch.org/whl/cu128"


def test_torchao_older_than_its_torch_minimum(recorded) -> None:
    base = recorded("h100x8_nccl_toolkit")
    facts = replace(base, packages=replace(base.packages, versions={
        **base.packages.versions, "torchao": "0.18.0"}))
    f = by_id(facts)["packages.torchao_mismatch"]
    assert f.seen == "torchao 0.18.0 needs torch >= 2.11.0; torch is 2.9.1+cu128"
    assert f.fix == ("pip install 'torchao==0.15.*' --index-url "
                     "https://download.pytorch.org/whl/cu128")


def test_nvcc_of_another_cuda_major_breaks_extension_builds(recorded) -> None:
    f = by_id(recorded("h100x8_nccl_toolkit"))["toolkit.nvcc_mismatch"]
    assert f.severity is Severity.ERROR
    assert f.seen == ("nvcc 11.8 (/usr/local/cuda-11.8/bin/nvcc); torch is built with CUDA 12.8")
    assert f.fix.startswith("export CUDA_HOME=/usr/local/cuda-12.8")
    base = recorded("h100x8_nccl_toolkit")
    minor = replace(base, system=replace(base.system, nvcc_version="12.4"))
    assert by_id(minor)["toolkit.nvcc_minor"].severity is Severity.WARN


def test_ld_library_path_nccl_shadows_the_wheels_even_though_torch_imports(recorded) -> None:
    findings = by_id(recorded("h100x8_nccl_toolkit"))
    assert findings["torch.ok"].severity is Severity.OK
    f = findings["toolkit.ld_library_path_shadows"]
    assert f.seen.startswith("torch loads /opt/nccl/lib/libnccl.so.2.18.3 from LD_LIBRARY_PATH")
    assert "nvidia-nccl-cu12 2.27.5" in f.seen
    assert f.fix.startswith("export LD_LIBRARY_PATH=/usr/local/nvidia/lib64  #")


def test_nccl_switches_are_judged(recorded) -> None:
    findings = by_id(recorded("h100x8_nccl_toolkit"))
    ifname = findings["nccl.socket_ifname_none"]
    assert ifname.severity is Severity.ERROR
    assert ifname.seen == "NCCL_SOCKET_IFNAME=eth0 matches none of docker0, ens21f0np0, lo"
    assert ifname.fix == "export NCCL_SOCKET_IFNAME=ens21f0np0  # or unset it"
    assert findings["nccl.p2p_disabled"].fix.startswith("unset NCCL_P2P_DISABLE")
    assert "mlx5_0" in findings["nccl.ib_disabled"].seen
    assert findings["nccl.ib_disabled"].fix == "unset NCCL_IB_DISABLE"


@pytest.mark.parametrize("value, chosen", [
    ("ens", ["ens21f0np0"]), ("=ens21f0np0", ["ens21f0np0"]), ("=ens", []),
    ("^docker,lo", ["ens21f0np0"]), ("^ens,docker", []), ("eth0,ens21", ["ens21f0np0"])])
def test_socket_ifname_follows_nccls_syntax(recorded, value, chosen) -> None:
    from torchworks.env.rules_multigpu import socket_ifname_matches

    assert socket_ifname_matches(value, ["docker0", "ens21f0np0", "lo"]) == chosen


def test_ulimits(recorded) -> None:
    memlock = by_id(recorded("h100x8_nccl_toolkit"))["limits.memlock_low"]
    assert memlock.seen.startswith("ulimit -l is 8.0 MiB with InfiniBand/RoCE devices")
    assert memlock.fix.startswith("ulimit -l unlimited  (docker: --ulimit memlock=-1:-1")
    nofile = by_id(recorded("cpu_avx2_torchao_cp310"))["limits.nofile_low"]
    assert nofile.seen == "ulimit -n is 1024 with 8 DataLoader workers"
    assert nofile.fix.startswith("ulimit -n 65536  (docker: --ulimit nofile=65536:65536")
    base = recorded("h100x8_nccl_toolkit")
    unlimited = replace(base, system=replace(base.system, ulimit_memlock_bytes=-1))
    assert "limits.memlock_low" not in by_id(unlimited)


def test_cpu_finding_names_isa_fast_paths_and_precision(recorded) -> None:
    avx2 = by_id(recorded("cpu_avx2_torchao_cp310"))["cpu.features"]
    assert avx2.seen == ("AMD EPYC 7R32: AVX2; no native bf16; no int8 dot products; "
                         "torch kernels: AVX2")
    assert "training fp32, inference fp32" in avx2.why and "bf16 variants are refused" in avx2.why
    amx = by_id(recorded("h100x8_nccl_toolkit"))["cpu.features"]
    assert amx.seen.startswith("Intel(R) Xeon(R) Platinum 8480+: AMX; bf16 via AMX-BF16; "
                               "int8 via AMX-INT8")
    assert "training bf16, inference bf16" in amx.why and "--amp bf16 (AMX)" in amx.fix


def test_cpu_isa_caps_from_the_environment_are_warned(recorded) -> None:
    base = recorded("h100x8_nccl_toolkit")
    capped = by_id(replace(base, env={"ONEDNN_MAX_CPU_ISA": "AVX2",
                                      "ATEN_CPU_CAPABILITY": "avx2"}))
    assert capped["cpu.onednn_capped"].seen == \
        "ONEDNN_MAX_CPU_ISA=AVX2 hides AMX, AVX512-BF16 from oneDNN"
    assert capped["cpu.aten_capped"].fix == "unset ATEN_CPU_CAPABILITY"
    assert "no native bf16" in capped["cpu.features"].seen


def test_cuda_visible_devices_hiding_every_gpu_is_an_error(recorded) -> None:
    base = recorded("h100x8_nccl_toolkit")
    f = by_id(replace(base, env={"CUDA_VISIBLE_DEVICES": ""}))[
        "env.cuda_visible_devices_hides_all"]
    assert f.severity is Severity.ERROR
    assert f.fix == "export CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7  # or unset it"


def test_fix_that_reinstalls_torch_moves_its_companions_in_one_command(recorded) -> None:
    findings = by_id(recorded("a100x4_cpu_torch"))
    command = ("pip install --force-reinstall 'torch==2.9.1' 'torchvision==0.24.*' --index-url "
               "https://download.pytorch.org/whl/cu128")
    assert findings["torch.cpu_build"].fix.startswith(command + "  # cu128")
    assert findings["packages.torchvision_mismatch"].fix.startswith(command + "  # the torch fix")


@pytest.mark.parametrize("status", ["cpu_build", "import_error"])
def test_no_gpu_bf16_advice_when_torch_cannot_use_the_gpus(recorded, status) -> None:
    base = recorded("h100x8_nccl_toolkit")
    torch = (replace(base.torch, cuda=None, devices=[], cuda_available=False)
             if status == "cpu_build" else replace(base.torch, status="import_error",
                                                   error="ImportError: libcudnn.so.9"))
    findings = diagnose(replace(base, torch=torch))
    assert not [f for f in findings if "bf16 on every GPU" in f.seen]
    assert not [f for f in findings if f.id.startswith("precision.tf32")]
    assert "cpu.features" in {f.id for f in findings}, "the CPU's precision is still given"


def test_version_1_facts_still_diagnose_without_the_new_checks(recorded) -> None:
    facts = recorded("t4_driver470_cu128")
    assert facts.schema_version == 1 and facts.system.cpu_flags is None
    ids = {f.id for f in diagnose(facts)}
    assert "driver.too_old" in ids and not any(i.startswith(("cpu.", "nccl.", "limits."))
                                               for i in ids)
