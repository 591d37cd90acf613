"""Run as a script in a child interpreter: import torch and print what it reports, as JSON.

It lives in a separate process so a torch that is missing, raises on import, segfaults or hangs
(a stuck driver) cannot take the doctor down: the parent reads one marker line or a timeout.
It imports nothing from torchworks, so it works even if torchworks itself is half-installed.
Versions are read from torch itself (what it loads), not from the system libraries.
"""

import json
import os
import sys

MARKER = "TORCHWORKS_TORCH_FACTS "
BENCH_MARKER = "TORCHWORKS_MEASUREMENTS "

# Python put this file's directory first on sys.path; its module names must not shadow
# anything torch imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()[:500]


def _arch_list(torch) -> list:
    # torch.cuda.get_arch_list() returns [] whenever CUDA cannot initialize (old driver, no GPU),
    # which is exactly when the build's list matters most; the C flag is the build's own list.
    flags = getattr(torch._C, "_cuda_getArchFlags", None)
    value = flags() if flags is not None else None
    return value.split() if value else []


def _cuda_facts(torch, out: dict) -> None:
    try:
        torch.cuda.init()
    except Exception as exc:
        out["cuda_init_error"] = _error(exc)
    out["cuda_available"] = bool(torch.cuda.is_available())
    if out["cuda_available"]:
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            out["devices"].append({
                "index": index, "name": props.name, "cc_major": props.major,
                "cc_minor": props.minor, "total_memory_bytes": int(props.total_memory),
                "bf16_supported": props.major >= 8,
            })
    try:
        out["cudnn_version"] = torch.backends.cudnn.version()
        if out["cudnn_version"] is None:
            out["cudnn_error"] = "torch.backends.cudnn.is_available() is False"
    except Exception as exc:
        out["cudnn_error"] = _error(exc)
    try:
        version = torch.cuda.nccl.version()
        if isinstance(version, tuple):
            version = ".".join(map(str, version))
        out["nccl_version"] = str(version)
    except Exception as exc:
        out["nccl_error"] = _error(exc)


def _loaded_libs() -> list:
    """cuDNN/NCCL/CUDA runtime files this process mapped: which copy torch really loaded."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split(None, 5)[-1].strip() for line in maps if ".so" in line}
    except OSError:
        return []
    wanted = ("libcudnn", "libnccl", "libcudart")
    return sorted(p for p in paths if os.path.basename(p).startswith(wanted))


def collect() -> dict:
    out: dict = {"status": "ok", "arch_list": [], "devices": [], "cuda_available": False}
    try:
        import torch
    except ModuleNotFoundError as exc:
        out["status"] = "missing" if exc.name == "torch" else "import_error"
        out["error"] = _error(exc)
        return out
    except BaseException as exc:
        out["status"] = "import_error"
        out["error"] = _error(exc)
        return out
    out["version"] = str(torch.__version__)
    out["cuda"] = torch.version.cuda
    out["hip"] = getattr(torch.version, "hip", None)
    try:
        out["float32_matmul_precision"] = torch.get_float32_matmul_precision()
        out["cudnn_allow_tf32"] = bool(torch.backends.cudnn.allow_tf32)
        cpu = getattr(torch.backends, "cpu", None)  # absent before torch 2.1
        out["cpu_capability"] = cpu.get_cpu_capability() if cpu is not None else None
        if torch.version.cuda is not None:
            out["arch_list"] = _arch_list(torch)
            _cuda_facts(torch, out)
        out["loaded_libs"] = _loaded_libs()
    except Exception as exc:  # torch imports; a failing query must not read as "torch broken"
        out["error"] = "probe: " + _error(exc)
    return out


def bench() -> list:
    """The doctor's smoke measurements, reusing this process's torch import."""
    try:
        from dataclasses import asdict

        from torchworks.env.measure import measure_here

        return [asdict(m) for m in measure_here()]
    except Exception as exc:
        return [{"name": "setup", "device": "?", "value": None, "unit": "", "error": _error(exc)}]


if __name__ == "__main__":
    facts = collect()
    sys.stdout.write(MARKER + json.dumps(facts) + "\n")
    sys.stdout.flush()  # the parent keeps these facts even if the measurements hang
    if "--bench" in sys.argv[1:] and facts["status"] == "ok":
        sys.stdout.write(BENCH_MARKER + json.dumps(bench()) + "\n")
