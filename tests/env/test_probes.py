"""The probes on this real machine, plus a torch that is broken or hangs on import."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from torchworks.env import probe_system
from torchworks.env.probe_nvml import probe_nvml
from torchworks.env.probe_torch import probe_torch


def fake_torch(tmp_path: Path, body: str) -> Path:
    """A directory that shadows the real torch when put on PYTHONPATH."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text(body)
    return tmp_path


def test_torch_probe_reads_torch_itself() -> None:
    import torch

    facts = probe_torch().facts
    assert facts.status == "ok" and facts.version == str(torch.__version__)
    assert facts.cuda == torch.version.cuda
    assert facts.float32_matmul_precision == torch.get_float32_matmul_precision()


def test_torch_that_raises_on_import_is_a_fact(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(fake_torch(
        tmp_path, "raise ImportError('libtorch_cuda.so: undefined symbol: cudaGraphX')\n")))
    facts = probe_torch().facts
    assert facts.status == "import_error"
    assert "undefined symbol: cudaGraphX" in facts.error


def test_torch_that_hangs_on_import_times_out(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(fake_torch(tmp_path, "import time\ntime.sleep(60)\n")))
    facts = probe_torch(timeout_s=3).facts
    assert facts.status == "timeout" and "3 s" in facts.error


def test_torch_that_crashes_the_interpreter(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(fake_torch(
        tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")))
    facts = probe_torch().facts
    assert facts.status == "import_error" and "SIGSEGV" in facts.error


def test_nvml_without_a_driver_is_a_status_not_a_crash() -> None:
    facts = probe_nvml()
    assert facts.status in {"ok", "pynvml_missing", "library_missing", "no_driver", "error"}
    if facts.status != "ok":
        assert facts.gpus == [] and facts.error


def test_this_machine(machine_facts) -> None:
    facts = machine_facts
    s = facts.system
    assert s.cpu_count and s.usable_cpus and s.memory_total_bytes
    ckpt = Path(facts.workload.checkpoint_dir)
    assert s.disk_path == str(ckpt.parent.parent), "free space is read at the nearest existing dir"
    assert s.disk_free_bytes and s.disk_free_bytes > 0
    assert facts.packages.versions["torch"] == importlib.metadata.version("torch")
    assert 1 <= facts.workload.dataloader_workers <= 8


def _cgroup_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.mark.parametrize(("files", "expected"), [
    ({"cgroup.controllers": "cpu memory", "memory.max": "17179869184\n",
      "cpu.max": "400000 100000\n"}, (2, 16 * 1024**3, 4.0)),
    ({"cgroup.controllers": "cpu memory", "memory.max": "max\n", "cpu.max": "max 100000\n"},
     (2, None, None)),
    ({"memory/memory.limit_in_bytes": "9223372036854771712\n",
      "cpu/cpu.cfs_quota_us": "250000\n", "cpu/cpu.cfs_period_us": "100000\n"}, (1, None, 2.5)),
    ({"memory/memory.limit_in_bytes": "8589934592\n", "cpu/cpu.cfs_quota_us": "-1\n",
      "cpu/cpu.cfs_period_us": "100000\n"}, (1, 8 * 1024**3, None)),
])
def test_cgroup_limits_v1_and_v2(tmp_path, monkeypatch, files, expected) -> None:
    """cgroup files as the kernel writes them, at a root-level cgroup like a container's."""
    proc_cgroup = tmp_path / "proc_self_cgroup"
    proc_cgroup.write_text("0::/\n" if "cgroup.controllers" in files
                           else "4:memory:/\n1:cpu,cpuacct:/\n")
    _cgroup_tree(tmp_path / "cg", files)
    monkeypatch.setattr(probe_system, "CGROUP_ROOT", tmp_path / "cg")
    monkeypatch.setattr(probe_system, "PROC_SELF_CGROUP", proc_cgroup)
    assert probe_system._cgroup_limits() == expected


def test_cuda_queries_on_a_build_without_cuda_record_why() -> None:
    """The child's CUDA branch, run on this CPU torch: every query fails softly, into a fact."""
    import torch

    from torchworks.env import torch_probe_child

    out: dict = {"devices": [], "cuda_available": False}
    torch_probe_child._cuda_facts(torch, out)
    assert out["cuda_available"] is torch.cuda.is_available()
    if not torch.cuda.is_available():
        assert out["cuda_init_error"] and out["devices"] == []
        assert out.get("cudnn_version") is None and out["cudnn_error"]
    assert isinstance(torch_probe_child._arch_list(torch), list)


HANGING_GPU_TORCH = '''
import time, types
__version__ = "2.9.1+cu128"
version = types.SimpleNamespace(cuda=None, hip=None)
backends = types.SimpleNamespace(cudnn=types.SimpleNamespace(allow_tf32=True))
def get_float32_matmul_precision():
    return "highest"
class cuda:
    @staticmethod
    def is_available():
        time.sleep(60)  # a wedged GPU: the measurement never returns
'''


def test_hanging_measurement_keeps_the_facts(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(fake_torch(tmp_path, HANGING_GPU_TORCH)))
    probe = probe_torch(timeout_s=4, bench=True)
    assert probe.facts.status == "ok" and probe.facts.version == "2.9.1+cu128"
    (failed,) = probe.measurements
    assert failed.value is None and "timed out after 4 s" in failed.error


@pytest.mark.gpu
def test_gpu_machine_reports_driver_arch_and_libraries(machine_facts) -> None:
    t, nvml = machine_facts.torch, machine_facts.nvml
    assert t.cuda_available and t.devices and t.arch_list
    assert t.cudnn_version and nvml.status == "ok" and nvml.driver_version and nvml.gpus


def test_this_machine_cpu_and_limits_match_the_cpu_probe_and_resource(machine_facts) -> None:
    import resource

    from torchworks.env.cpu import read_cpu_features

    s = machine_facts.system
    assert set(s.cpu_flags or []) == set(read_cpu_features(environ={}).flags)
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert s.ulimit_nofile == (-1 if soft == resource.RLIM_INFINITY else soft)
    assert s.net_interfaces is None or "lo" in s.net_interfaces
    assert machine_facts.torch.loaded_libs is not None


def test_companion_extensions_are_read_from_their_files_not_imported() -> None:
    """torchao's real wheel here: each .so named with its Python tag and torch libraries."""
    from torchworks.env.probe_companions import probe_extensions

    try:
        importlib.metadata.version("torchao")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("torchao is not installed")
    found = [e for e in probe_extensions(("torchao",)) if e.path.endswith(".so")]
    assert found, "torchao ships compiled kernels"
    for ext in found:
        assert ext.python_tag in ("abi3",) or (ext.python_tag or "").startswith("cpython-")
        assert ext.torch_libs is not None and "libc10.so" in ext.torch_libs


def test_elf_reader_lists_needed_libraries_of_real_files(tmp_path) -> None:
    import torch

    from torchworks.env.elf import needed_libraries

    lib = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    assert "libc10.so" in (needed_libraries(lib) or [])
    (tmp_path / "text.so").write_text("not an ELF file")
    assert needed_libraries(tmp_path / "text.so") is None
    assert needed_libraries(tmp_path / "missing.so") is None


def test_nvcc_is_found_under_cuda_home_and_its_release_read(tmp_path, monkeypatch) -> None:
    from torchworks.env.probe_toolkit import probe_nvcc

    nvcc = tmp_path / "cuda-12.8" / "bin" / "nvcc"
    nvcc.parent.mkdir(parents=True)
    nvcc.write_text("#!/bin/sh\necho 'Cuda compilation tools, release 12.8, V12.8.93'\n")
    nvcc.chmod(0o755)
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "cuda-12.8"))
    assert probe_nvcc() == (str(nvcc), "12.8")
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert probe_nvcc() == (str(tmp_path / "nowhere" / "bin" / "nvcc"), None)


def test_ld_library_path_cudnn_and_nccl_files_are_listed(tmp_path) -> None:
    from torchworks.env.probe_toolkit import probe_ld_library_path

    for name in ("libcudnn.so.8", "libnccl.so.2", "libcublas.so.12"):
        (tmp_path / name).write_bytes(b"")
    found = probe_ld_library_path(f"{tmp_path}::/does/not/exist")
    assert found == [str(tmp_path / "libcudnn.so.8"), str(tmp_path / "libnccl.so.2")]
    assert probe_ld_library_path(None) == []


def test_numpy_requirements_come_from_installed_metadata() -> None:
    from torchworks.env.probe_companions import probe_numpy_requirements

    found = probe_numpy_requirements()
    assert "numpy" not in found
    for name in ("pandas", "scipy", "scikit-learn"):
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        assert found.get(name)


def test_numpy_specifiers_are_read_from_metadata_files(tmp_path) -> None:
    from torchworks.env.probe_companions import probe_numpy_requirements

    for name, lines in {"oldext": ["numpy (<2,>=1.21); python_version >= '3.9'"],
                        "fin": ["numpy-financial>=1.0", "numpy"],
                        "opt": ["numpy>=3; extra == 'fast'"]}.items():
        info = tmp_path / f"{name}-1.0.dist-info"
        info.mkdir()
        requires = "".join(f"Requires-Dist: {line}\n" for line in lines)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
                                       f"{requires}\nlong description\n")
    assert probe_numpy_requirements([str(tmp_path)]) == {"oldext": "<2,>=1.21", "fin": "*"}
