"""The doctor's reference data, in one place: NVIDIA's driver table, the torch wheel variants,
torch/torchvision pairs, GPU peak throughput and the sizing thresholds.

Sources: NVIDIA CUDA Toolkit release notes (table 3, minimum Linux driver) and the wheels
published on download.pytorch.org (their `torch.cuda.get_arch_list()`). Update here, not in
the rules, when a new CUDA or torch release lands.
"""

from __future__ import annotations

from dataclasses import dataclass

# CUDA major -> minimum Linux driver that runs any minor of it (minor-version compatibility).
DRIVER_MIN_FOR_MAJOR: dict[int, str] = {11: "450.80.02", 12: "525.60.13", 13: "580.65.06"}

# CUDA major.minor -> driver that runs it with full features (no minor-version-compat limits:
# PTX from that toolkit can be JIT-compiled, all APIs available).
DRIVER_FULL_FOR_MINOR: dict[str, str] = {
    "11.8": "520.61.05",
    "12.0": "525.60.13", "12.1": "530.30.02", "12.2": "535.54.03", "12.3": "545.23.06",
    "12.4": "550.54.14", "12.5": "555.42.02", "12.6": "560.28.03", "12.8": "570.26",
    "12.9": "575.51.03",
    "13.0": "580.65.06",
}

WHEEL_INDEX = "https://download.pytorch.org/whl"


@dataclass(frozen=True)
class WheelVariant:
    """One torch CUDA wheel flavour: its newest torch release and what GPUs it has code for.

    sass: compute capabilities with native code (86 means sm_86); ptx: capabilities shipped as
    PTX, which newer GPUs JIT-compile.
    """

    tag: str
    cuda: str
    torch: str
    sass: tuple[int, ...]
    ptx: tuple[int, ...] = ()
    default_on_pypi: bool = False

    def arch_list(self) -> list[str]:
        return [f"sm_{c}" for c in self.sass] + [f"compute_{c}" for c in self.ptx]


# Preference order: the PyPI default first, then newer, then older toolkits.
WHEEL_VARIANTS: tuple[WheelVariant, ...] = (
    WheelVariant("cu128", "12.8", "2.9.1", (70, 75, 80, 86, 90, 100, 120), default_on_pypi=True),
    WheelVariant("cu130", "13.0", "2.9.1", (75, 80, 86, 90, 100, 120), ptx=(120,)),
    WheelVariant("cu126", "12.6", "2.9.1", (50, 60, 70, 75, 80, 86, 90)),
    WheelVariant("cu118", "11.8", "2.7.1", (50, 60, 70, 75, 80, 86, 90)),
)

# Companions that a torch reinstall must move in the same pip command (same index URL).
TORCH_COMPANIONS = ("torchvision", "torchaudio", "torchao", "triton")

# torchao major.minor -> the oldest torch its prebuilt extensions load into. Sources:
# pytorch/ao torchao/__init__.py compatibility list (PR #3455: 0.14.1 built against 2.9.0,
# 0.15.0 against 2.9.1) and torchao 0.18.0's own check ("Please upgrade to torch >= 2.11.0").
# Releases in between are not listed, so they are not judged by version (only their files).
TORCHAO_MIN_TORCH: dict[str, str] = {"0.14": "2.9.0", "0.15": "2.9.1", "0.18": "2.11.0"}

# torch major.minor -> the torchvision major.minor built against it (torchvision's README).
TORCHVISION_FOR_TORCH: dict[str, str] = {
    "2.0": "0.15", "2.1": "0.16", "2.2": "0.17", "2.3": "0.18", "2.4": "0.19", "2.5": "0.20",
    "2.6": "0.21", "2.7": "0.22", "2.8": "0.23", "2.9": "0.24", "2.10": "0.25",
}


@dataclass(frozen=True)
class GpuPeak:
    """Vendor datasheet dense peaks in TFLOP/s (no sparsity); bf16 with fp32 accumulate."""

    pattern: str  # regex searched in the NVML/torch device name, most specific first
    fp32: float
    tf32: float | None
    bf16: float | None
    fp16: float


GPU_PEAKS: tuple[GpuPeak, ...] = (
    GpuPeak(r"H100.*PCIe", 51.2, 378.0, 756.0, 756.0),
    GpuPeak(r"H100.*NVL", 60.0, 417.0, 835.0, 835.0),
    GpuPeak(r"H100|H200|GH200", 66.9, 494.7, 989.4, 989.4),
    GpuPeak(r"B200", 75.0, 1100.0, 2250.0, 2250.0),
    GpuPeak(r"A100", 19.5, 156.0, 312.0, 312.0),
    GpuPeak(r"L40S", 91.6, 183.0, 362.0, 362.0),
    GpuPeak(r"\bL4\b", 30.3, 60.0, 121.0, 121.0),
    GpuPeak(r"\bA10\b", 31.2, 62.5, 125.0, 125.0),
    GpuPeak(r"RTX 5090", 104.8, 104.8, 209.5, 209.5),
    GpuPeak(r"RTX 4090", 82.6, 82.6, 165.2, 165.2),
    GpuPeak(r"RTX 3090", 35.6, 35.6, 71.0, 71.0),
    GpuPeak(r"\bT4\b", 8.1, None, None, 65.0),
    GpuPeak(r"V100", 15.7, None, None, 125.0),
)

# PCIe generation -> GB/s per lane, one direction (after encoding overhead).
PCIE_GBPS_PER_LANE: dict[int, float] = {1: 0.25, 2: 0.5, 3: 0.985, 4: 1.969, 5: 3.938, 6: 7.563}

GIB = 1024**3
SHM_PER_WORKER_BYTES = 1 * GIB  # prefetch_factor (2) batches of decoded tensors per worker
SHM_ERROR_BELOW_BYTES = 512 * 1024**2  # Docker's 64 MB default and friends: bus errors
MEMORY_ERROR_BELOW_BYTES = 2 * GIB  # torch + a CUDA context + a small model
MEMORY_WARN_BELOW_BYTES = 8 * GIB
DISK_ERROR_BELOW_BYTES = 2 * GIB
DISK_WARN_BELOW_BYTES = 20 * GIB
# DataLoader workers pass each batch's tensors as file descriptors (torch's default sharing
# strategy on Linux): 1024, the common default, runs out ("received 0 items of ancdata").
NOFILE_WARN_BELOW = 4096
NOFILE_RECOMMENDED = 65536
# RDMA (InfiniBand/RoCE) registers NCCL's buffers as locked memory; Docker's default is 8 MiB.
MEMLOCK_IB_MIN_BYTES = 64 * GIB
