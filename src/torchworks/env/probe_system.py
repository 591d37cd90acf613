"""Host facts read from /proc, /sys and package metadata: nothing here imports torch.

cgroup limits are read along this process's own cgroup path up to the root and the smallest one
wins, because a limit on any ancestor binds (v1 and v2 alike).
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import platform
import re
from pathlib import Path

from torchworks.env.cpu import read_cpu_features
from torchworks.env.facts import PackageFacts, SystemFacts
from torchworks.env.probe_companions import probe_extensions, probe_numpy_requirements
from torchworks.env.probe_toolkit import probe_ld_library_path, probe_nvcc

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")
KEY_PACKAGES = ("torch", "torchvision", "torchaudio", "triton", "numpy", "transformers",
                "accelerate", "onnxruntime", "onnxruntime-gpu", "onnx", "torchao",
                "nvidia-ml-py", "nvidia-cudnn-cu12", "nvidia-nccl-cu12",
                "nvidia-cuda-runtime-cu12", "nvidia-cudnn-cu13", "nvidia-nccl-cu13")
GPU_ENV_VARS = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_TF32_OVERRIDE",
                "TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", "LD_LIBRARY_PATH", "CUDA_HOME",
                "PYTORCH_CUDA_ALLOC_CONF", "NCCL_P2P_DISABLE", "NCCL_IB_DISABLE",
                "NCCL_SOCKET_IFNAME", "NCCL_DEBUG", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA",
                "DNNL_MAX_CPU_ISA")


def probe_system(disk_path: str) -> SystemFacts:
    shm_total, shm_free = _statvfs(Path("/dev/shm"))
    mem_total, mem_available = _meminfo()
    cg_version, cg_memory, cg_cpu = _cgroup_limits()
    evidence = _container_evidence()
    disk_at = _existing_ancestor(Path(disk_path).expanduser().absolute())
    disk_total, disk_free = _statvfs(disk_at)
    try:
        usable: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    cpu = read_cpu_features(environ={})  # the hardware; the ISA caps are judged from env
    nvcc_path, nvcc_version = probe_nvcc()
    return SystemFacts(
        python_version=platform.python_version(), platform=platform.platform(),
        cpu_count=os.cpu_count(), usable_cpus=usable,
        memory_total_bytes=mem_total, memory_available_bytes=mem_available,
        shm_total_bytes=shm_total, shm_free_bytes=shm_free,
        cgroup_version=cg_version, cgroup_memory_limit_bytes=cg_memory, cgroup_cpu_limit=cg_cpu,
        in_container=bool(evidence), container_evidence=evidence,
        disk_path=str(disk_at), disk_free_bytes=disk_free, disk_total_bytes=disk_total,
        cpu_architecture=cpu.architecture, cpu_model=cpu.model,
        cpu_flags=sorted(cpu.flags) if cpu.source != "none" else None,
        ulimit_memlock_bytes=_soft_limit("RLIMIT_MEMLOCK"),
        ulimit_nofile=_soft_limit("RLIMIT_NOFILE"),
        nvcc_path=nvcc_path, nvcc_version=nvcc_version,
        net_interfaces=_listdir(Path("/sys/class/net")),
        infiniband_devices=_listdir(Path("/sys/class/infiniband")),
        ld_library_path_libs=probe_ld_library_path(os.environ.get("LD_LIBRARY_PATH")),
    )


def _soft_limit(name: str) -> int | None:
    """A soft resource limit; -1 when unlimited (RLIM_INFINITY)."""
    try:
        import resource

        soft, _ = resource.getrlimit(getattr(resource, name))
    except (ImportError, AttributeError, OSError, ValueError):
        return None
    return -1 if soft == resource.RLIM_INFINITY else int(soft)


def _listdir(path: Path) -> list[str] | None:
    """Entries of a /sys class directory: [] when it is absent (no such devices)."""
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []
    except OSError:
        return None


def probe_packages() -> PackageFacts:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    pins = {}
    try:
        requires = metadata.requires("torch") or []
    except metadata.PackageNotFoundError:
        requires = []
    for line in requires:
        match = re.match(r"^(nvidia-[\w.-]+|triton)\s*==\s*([\w.]+)", line)
        if match:
            pins[match.group(1)] = match.group(2)
    return PackageFacts(versions=versions, torch_requires=pins, extensions=probe_extensions(),
                        numpy_requirements=probe_numpy_requirements())


def probe_env() -> dict[str, str]:
    return {name: os.environ[name] for name in GPU_ENV_VARS if name in os.environ}


def _statvfs(path: Path) -> tuple[int | None, int | None]:
    try:
        st = os.statvfs(path)
    except OSError:
        return None, None
    return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize


def _existing_ancestor(path: Path) -> Path:
    """Free space where the directory will be created: its nearest existing parent."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _meminfo() -> tuple[int | None, int | None]:
    values: dict[str, int] = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None, None
    return values.get("MemTotal"), values.get("MemAvailable")


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().split()[0]
        return None if text == "max" else int(text)
    except (OSError, IndexError, ValueError):
        return None


def _cgroup_paths(controller: str | None) -> list[Path]:
    """This process's cgroup dirs from leaf to root, for v2 (controller None) or a v1 controller."""
    try:
        lines = PROC_SELF_CGROUP.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, names, rel = parts
        if (controller is None and names == "") or controller in names.split(","):
            base = CGROUP_ROOT if controller is None else CGROUP_ROOT / controller
            leaf = base / rel.lstrip("/")
            return [p for p in [leaf, *leaf.parents] if p.is_relative_to(base)]
    return []


def _smallest(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _cgroup_limits() -> tuple[int | None, int | None, float | None]:
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        paths = _cgroup_paths(None)
        memory = _smallest([_read_int(p / "memory.max") for p in paths])
        quotas = []
        for p in paths:
            try:
                quota, period = (p / "cpu.max").read_text().split()
            except (OSError, ValueError):
                continue
            if quota != "max":
                quotas.append(int(quota) / int(period))
        return 2, memory, min(quotas) if quotas else None
    if not (CGROUP_ROOT / "memory").is_dir():
        return None, None, None
    limits = [_read_int(p / "memory.limit_in_bytes") for p in _cgroup_paths("memory")]
    # v1 reports "unlimited" as a huge page-rounded number near 2**63
    memory = _smallest([v for v in limits if v is not None and v < 2**62])
    quotas = []
    for p in _cgroup_paths("cpu"):
        quota, period = _read_int(p / "cpu.cfs_quota_us"), _read_int(p / "cpu.cfs_period_us")
        if quota is not None and period and quota > 0:
            quotas.append(quota / period)
    return 1, memory, min(quotas) if quotas else None


def _container_evidence() -> list[str]:
    evidence = [marker for marker in ("/.dockerenv", "/run/.containerenv") if Path(marker).exists()]
    try:
        cgroup = Path("/proc/1/cgroup").read_text()
    except OSError:
        cgroup = ""
    words = ("docker", "kubepods", "containerd", "lxc", "libpod")
    evidence += [f"/proc/1/cgroup mentions {word}" for word in words if word in cgroup]
    if "KUBERNETES_SERVICE_HOST" in os.environ:
        evidence.append("KUBERNETES_SERVICE_HOST is set")
    return evidence
