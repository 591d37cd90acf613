"""Short smoke measurements: matmul throughput vs the card's peak, host-to-device bandwidth,
NCCL all-reduce; a CPU matmul when there is no GPU. Each takes a fraction of a second.

These are sanity checks (is this GPU delivering roughly what it should?), not benchmarks: a
figure far below peak points at a throttled, shared or misconfigured card.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from torchworks.env.facts import Facts
from torchworks.env.rules_gpu import visible_gpus
from torchworks.env.tables import GPU_PEAKS, PCIE_GBPS_PER_LANE, GpuPeak

TIME_BUDGET_S = 0.25  # per measurement, after warm-up


@dataclass
class Measurement:
    """value in `unit` (TFLOP/s, GFLOP/s or GB/s); peak in the same unit when known."""

    name: str
    device: str
    value: float | None
    unit: str
    peak: float | None = None
    detail: str = ""
    error: str | None = None

    @property
    def fraction_of_peak(self) -> float | None:
        if self.value is None or not self.peak:
            return None
        return self.value / self.peak

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "device": self.device, "value": self.value, "unit": self.unit,
                "peak": self.peak, "fraction_of_peak": self.fraction_of_peak,
                "detail": self.detail, "error": self.error}


def peak_for(name: str) -> GpuPeak | None:
    return next((p for p in GPU_PEAKS if re.search(p.pattern, name)), None)


def _repeat(step: Callable[[], None], sync: Callable[[], None]) -> tuple[int, float]:
    """Run `step` after one warm-up until the time budget is spent; (iterations, seconds)."""
    step()
    sync()
    iterations, start = 0, time.perf_counter()
    while iterations < 3 or time.perf_counter() - start < TIME_BUDGET_S:
        step()
        iterations += 1
        if iterations % 4 == 0:
            sync()
    sync()
    return iterations, time.perf_counter() - start


def matmul_flops(device: str, dtype_name: str, n: int, tf32: bool = False) -> float:
    """FLOP/s of an n x n x n matmul (2 n^3 FLOPs) on `device`."""
    import torch

    dtype = getattr(torch, dtype_name)
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)

    def sync() -> None:
        if a.is_cuda:
            torch.cuda.synchronize(a.device)

    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        iterations, seconds = _repeat(lambda: torch.mm(a, b), sync)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return 2 * n**3 * iterations / seconds


def h2d_bandwidth(index: int, size_bytes: int = 256 * 1024**2) -> float:
    """GB/s copying a pinned host buffer to GPU `index`."""
    import torch

    host = torch.empty(size_bytes, dtype=torch.uint8).pin_memory()
    dev = torch.empty(size_bytes, dtype=torch.uint8, device=f"cuda:{index}")
    iterations, seconds = _repeat(lambda: dev.copy_(host, non_blocking=True),
                                  lambda: torch.cuda.synchronize(index))
    return size_bytes * iterations / seconds / 1e9


def allreduce_busbw(size_bytes: int = 64 * 1024**2) -> float:
    """NCCL all-reduce bus bandwidth (GB/s) across every visible GPU, single process.

    Bus bandwidth = bytes * 2 (n - 1) / n / time, the figure nccl-tests report.
    """
    import torch

    count = torch.cuda.device_count()
    tensors = [torch.ones(size_bytes // 4, device=f"cuda:{i}") for i in range(count)]
    iterations, seconds = _repeat(lambda: torch.cuda.nccl.all_reduce(tensors),
                                  lambda: [torch.cuda.synchronize(i) for i in range(count)])
    return size_bytes * 2 * (count - 1) / count * iterations / seconds / 1e9


def _guarded(name: str, device: str, unit: str, peak: float | None, detail: str,
             run: Callable[[], float]) -> Measurement:
    try:
        return Measurement(name, device, run(), unit, peak, detail)
    except Exception as exc:  # a failing kernel is a result to show, not a crash
        return Measurement(name, device, None, unit, peak, detail,
                           error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}")


def gpu_measurements() -> list[Measurement]:
    import torch

    results = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        device, peak = f"cuda:{index}", peak_for(props.name)
        n = 8192 if props.total_memory >= 8 * 1024**3 else 4096
        variants = [("matmul_fp32", "float32", False, peak and peak.fp32)]
        if props.major >= 8:
            variants += [("matmul_tf32", "float32", True, peak and peak.tf32),
                         ("matmul_bf16", "bfloat16", False, peak and peak.bf16)]
        else:
            variants.append(("matmul_fp16", "float16", False, peak and peak.fp16))
        for name, dtype, tf32, peak_value in variants:
            results.append(_guarded(
                name, device, "TFLOP/s", peak_value, f"{n}x{n} on {props.name}",
                lambda dev=device, d=dtype, t=tf32, k=n: matmul_flops(dev, d, k, tf32=t) / 1e12))
        results.append(_guarded("h2d_pinned", device, "GB/s", None, f"256 MiB pinned to "
                                f"{props.name}", lambda i=index: h2d_bandwidth(i)))
    if torch.cuda.device_count() > 1:
        results.append(_guarded("allreduce_nccl", f"cuda:0-{torch.cuda.device_count() - 1}",
                                "GB/s", None, "64 MiB fp32, bus bandwidth", allreduce_busbw))
    return results


def measure_here() -> list[Measurement]:
    """GPU smoke tests when CUDA works in this process, else one CPU matmul.

    The doctor runs this inside the torch probe's child process, so a kernel that hangs or
    crashes the interpreter costs a timeout, not the doctor.
    """
    import torch

    if torch.cuda.is_available():
        return gpu_measurements()
    n = 1024
    return [_guarded("cpu_matmul_fp32", "cpu", "GFLOP/s", None,
                     f"{n}x{n} fp32, {torch.get_num_threads()} threads",
                     lambda: matmul_flops("cpu", "float32", n) / 1e9)]


def with_link_peaks(measurements: list[Measurement], facts: Facts) -> list[Measurement]:
    """Give each host-to-device figure its PCIe link's peak, from NVML's facts.

    Matched by GPU name as well as index, since CUDA may order devices differently from NVML.
    """
    nvml = visible_gpus(facts)[0]
    out = []
    for m in measurements:
        index = int(m.device.partition(":")[2]) if m.device.startswith("cuda:") else -1
        gpu = nvml[index] if m.name == "h2d_pinned" and 0 <= index < len(nvml) else None
        if gpu and gpu.name in m.detail and gpu.pcie_max_gen and gpu.pcie_max_width:
            peak = PCIE_GBPS_PER_LANE.get(gpu.pcie_max_gen, 0) * gpu.pcie_max_width
            m = replace(m, peak=peak or None,
                        detail=f"{m.detail}, PCIe gen{gpu.pcie_max_gen} x{gpu.pcie_max_width}")
        out.append(m)
    return out
