"""The NVIDIA driver and its GPUs through NVML (nvidia-ml-py); no driver is a fact, not a crash."""

from __future__ import annotations

import glob
from typing import Any

from torchworks.env.facts import NvmlFacts, NvmlGpu


def probe_nvml() -> NvmlFacts:
    """Driver version and every GPU the driver sees. NVML ignores CUDA_VISIBLE_DEVICES."""
    nodes = sorted(glob.glob("/dev/nvidia*"))
    try:
        import pynvml
    except ImportError as exc:
        return NvmlFacts(status="pynvml_missing", error=str(exc), device_nodes=nodes)
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        return NvmlFacts(status=_init_status(pynvml, exc), error=str(exc), device_nodes=nodes)
    try:
        return NvmlFacts(
            status="ok",
            driver_version=_text(pynvml.nvmlSystemGetDriverVersion()),
            cuda_driver_version=_cuda_version(pynvml),
            gpus=[_gpu(pynvml, i) for i in range(pynvml.nvmlDeviceGetCount())],
            device_nodes=nodes,
        )
    except pynvml.NVMLError as exc:
        return NvmlFacts(status="error", error=str(exc), device_nodes=nodes)
    finally:
        pynvml.nvmlShutdown()


def _init_status(pynvml: Any, exc: Exception) -> str:
    if isinstance(exc, pynvml.NVMLError_LibraryNotFound):
        return "library_missing"
    if isinstance(exc, pynvml.NVMLError_DriverNotLoaded):
        return "no_driver"
    return "error"


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _cuda_version(pynvml: Any) -> str | None:
    try:
        raw = pynvml.nvmlSystemGetCudaDriverVersion()  # e.g. 12080
    except pynvml.NVMLError:
        return None
    return f"{raw // 1000}.{raw % 1000 // 10}"


def _optional(call: Any, *args: Any) -> int | None:
    try:
        return int(call(*args))
    except Exception:
        return None


def _gpu(pynvml: Any, index: int) -> NvmlGpu:
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
    memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
    return NvmlGpu(
        index=index,
        name=_text(pynvml.nvmlDeviceGetName(handle)),
        uuid=_text(pynvml.nvmlDeviceGetUUID(handle)),
        cc_major=int(major),
        cc_minor=int(minor),
        memory_total_bytes=int(memory.total),
        memory_free_bytes=int(memory.free),
        pcie_max_gen=_optional(pynvml.nvmlDeviceGetMaxPcieLinkGeneration, handle),
        pcie_max_width=_optional(pynvml.nvmlDeviceGetMaxPcieLinkWidth, handle),
    )
