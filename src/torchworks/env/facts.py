"""What the doctor knows about a machine: typed facts, serializable to JSON and back losslessly.

Facts are observations only, never judgements (those are rules' job), so a maintainer can load
a user's recorded facts (`torchworks doctor --facts FILE`) and get the same diagnosis the user
would. Every field a probe could not read is None (unknown), which is different from an empty
list (looked, found nothing). Sizes are bytes; versions are strings exactly as their source
reports them. The JSON layout is documented in docs/doctor.md; bump FACTS_SCHEMA_VERSION on
any change and keep reading the older versions: fields added later have defaults (None: not
recorded), so a version-1 file from an older torchworks still diagnoses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from torchworks import atomic
from torchworks.env.jsonable import SchemaMismatch, from_jsonable, to_jsonable
from torchworks.errors import DataError

FACTS_SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)  # 2 added the CPU, toolkit, NCCL, ulimit and extension facts


@dataclass
class NvmlGpu:
    """One GPU as the NVIDIA driver sees it (all GPUs, whatever CUDA_VISIBLE_DEVICES says)."""

    index: int
    name: str
    uuid: str
    cc_major: int
    cc_minor: int
    memory_total_bytes: int
    memory_free_bytes: int
    pcie_max_gen: int | None = None
    pcie_max_width: int | None = None

    @property
    def capability(self) -> tuple[int, int]:
        return (self.cc_major, self.cc_minor)


@dataclass
class NvmlFacts:
    """The driver through NVML.

    status: ok | pynvml_missing | library_missing | no_driver | error.
    """

    status: str
    error: str | None = None
    driver_version: str | None = None
    cuda_driver_version: str | None = None  # the newest CUDA this driver runs, e.g. "12.8"
    gpus: list[NvmlGpu] = field(default_factory=list)
    device_nodes: list[str] = field(default_factory=list)  # /dev/nvidia* present


@dataclass
class TorchDevice:
    """One GPU as torch sees it (after CUDA_VISIBLE_DEVICES)."""

    index: int
    name: str
    cc_major: int
    cc_minor: int
    total_memory_bytes: int
    bf16_supported: bool


@dataclass
class TorchFacts:
    """torch as a fresh interpreter imports it. status: ok | missing | import_error | timeout."""

    status: str
    error: str | None = None
    version: str | None = None
    cuda: str | None = None  # CUDA runtime torch was built with; None for CPU/ROCm builds
    hip: str | None = None
    arch_list: list[str] = field(default_factory=list)  # e.g. ["sm_80", "sm_90", "compute_90"]
    cudnn_version: int | None = None  # as torch.backends.cudnn.version() reports, e.g. 91002
    cudnn_error: str | None = None
    nccl_version: str | None = None
    nccl_error: str | None = None
    cuda_available: bool = False
    cuda_init_error: str | None = None
    devices: list[TorchDevice] = field(default_factory=list)
    float32_matmul_precision: str | None = None  # "highest" means TF32 off for matmuls
    cudnn_allow_tf32: bool | None = None
    cpu_capability: str | None = None  # ATen's kernel ISA: torch.backends.cpu.get_cpu_capability()
    loaded_libs: list[str] | None = None  # cuDNN/NCCL/cudart files torch mapped (/proc/self/maps)


@dataclass
class SystemFacts:
    """Host, container and filesystem facts. cgroup limits are None when unlimited/unknown."""

    python_version: str
    platform: str
    cpu_count: int | None
    usable_cpus: int | None  # CPUs this process may run on (affinity)
    memory_total_bytes: int | None
    memory_available_bytes: int | None
    shm_total_bytes: int | None  # None: no /dev/shm at all
    shm_free_bytes: int | None
    cgroup_version: int | None
    cgroup_memory_limit_bytes: int | None
    cgroup_cpu_limit: float | None  # CPUs' worth of quota, e.g. 2.5
    in_container: bool
    container_evidence: list[str]
    disk_path: str
    disk_free_bytes: int | None
    disk_total_bytes: int | None
    # schema 2; None = not recorded (a version-1 file) or unreadable
    cpu_architecture: str | None = None  # platform.machine(): x86_64, aarch64
    cpu_model: str | None = None
    cpu_flags: list[str] | None = None  # /proc/cpuinfo flags torch cares about (env.cpu)
    ulimit_memlock_bytes: int | None = None  # soft `ulimit -l`; -1 = unlimited
    ulimit_nofile: int | None = None  # soft `ulimit -n`; -1 = unlimited
    nvcc_path: str | None = None  # $CUDA_HOME/bin/nvcc, else nvcc on PATH
    nvcc_version: str | None = None  # "12.1" from `nvcc --version`
    net_interfaces: list[str] | None = None  # /sys/class/net
    infiniband_devices: list[str] | None = None  # /sys/class/infiniband (mlx5_0, ...)
    ld_library_path_libs: list[str] | None = None  # libcudnn*/libnccl* in LD_LIBRARY_PATH dirs


@dataclass
class NativeExtension:
    """A compiled file (.so) shipped by a torch companion, judged without loading it.

    python_tag: "cpython-310" (one interpreter only), "abi3" (any CPython 3) or None (a plain
    library); torch_libs: its DT_NEEDED entries of torch and CUDA (libtorch_cuda.so means it
    needs a CUDA torch, libcudart.so.13 a CUDA 13 one); None when the file is not ELF.
    """

    package: str
    path: str  # relative to site-packages
    python_tag: str | None
    torch_libs: list[str] | None


@dataclass
class PackageFacts:
    """Installed distributions (read from metadata, never imported) and torch's pinned deps."""

    versions: dict[str, str]
    torch_requires: dict[str, str] = field(default_factory=dict)  # nvidia-* and triton pins
    extensions: list[NativeExtension] | None = None  # companions' compiled files (schema 2)
    numpy_requirements: dict[str, str] | None = None  # package -> its numpy specifier (schema 2)


@dataclass
class Workload:
    """What the user intends to run, from the doctor's flags; rules size shm, disk against it."""

    dataloader_workers: int
    checkpoint_dir: str


@dataclass
class Facts:
    schema_version: int
    torchworks_version: str
    collected_at: str  # ISO 8601, UTC
    system: SystemFacts
    packages: PackageFacts
    env: dict[str, str]  # the GPU-relevant environment variables that are set
    nvml: NvmlFacts
    torch: TorchFacts
    workload: Workload

    def to_json(self) -> str:
        return json.dumps(to_jsonable(self), indent=2, sort_keys=True) + "\n"


def save_facts(facts: Facts, path: str | Path) -> None:
    """Write the facts atomically: a reader never sees half a file."""
    atomic.write_text(path, facts.to_json())


def facts_from_dict(data: object, source: str = "facts") -> Facts:
    """Validate recorded facts; every problem is named in one DataError."""
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected a JSON object with the doctor's facts",
                        fix="record facts with `torchworks doctor --collect facts.json`")
    version = data.get("schema_version")
    if version not in READABLE_SCHEMA_VERSIONS:
        raise DataError(
            f"{source}: facts schema_version is {version!r}; this torchworks reads "
            f"{', '.join(map(str, READABLE_SCHEMA_VERSIONS))}",
            fix="re-record with this torchworks: `torchworks doctor --collect facts.json`",
        )
    try:
        return from_jsonable(Facts, data)
    except SchemaMismatch as exc:
        shown = "; ".join(exc.problems[:8]) + ("; ..." if len(exc.problems) > 8 else "")
        raise DataError(f"{source}: not valid doctor facts: {shown}",
                        fix="record facts with `torchworks doctor --collect facts.json`") from exc


def load_facts(path: str | Path) -> Facts:
    """Read facts recorded by `--collect`, or say clearly why the file is unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read facts file {path}: {exc.strerror or exc}",
                        fix="pass a file written by `torchworks doctor --collect FILE`") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                        fix="pass a file written by `torchworks doctor --collect FILE`") from exc
    return facts_from_dict(data, source=str(path))
