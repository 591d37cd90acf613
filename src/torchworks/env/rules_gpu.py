"""Rules about torch, the driver and the GPUs: does this torch build run on these cards?

Each rule is a pure function Facts -> list[Finding]; they never probe the machine.
"""

from __future__ import annotations

import re

from torchworks.env.facts import Facts, NvmlGpu
from torchworks.env.findings import Finding, Severity
from torchworks.env.wheels import (
    arch_list_covers,
    driver_at_least,
    driver_minimum,
    install_advice,
)

HIDING_VALUES = ("", "-1", "none", "nodevfiles", "void")


def cudnn_text(version: int | None) -> str:
    """torch's integer cuDNN version as text: 91002 -> 9.10.2 (cuDNN 9), 8902 -> 8.9.2."""
    if version is None:
        return "none"
    if version >= 90000:
        return f"{version // 10000}.{version % 10000 // 100}.{version % 100}"
    return f"{version // 1000}.{version % 1000 // 100}.{version % 100}"


def visible_gpus(facts: Facts) -> tuple[list[NvmlGpu], str | None]:
    """The driver's GPUs that CUDA_VISIBLE_DEVICES lets through, and the first bad entry.

    CUDA reads the list left to right and stops at the first entry naming no device, so
    "0,7,1" on a 2-GPU box exposes only GPU 0. MIG instance ids are taken on trust.
    """
    gpus = facts.nvml.gpus
    raw = facts.env.get("CUDA_VISIBLE_DEVICES")
    if raw is None:
        return list(gpus), None
    if raw.strip().lower() in HIDING_VALUES:
        return [], None
    if "MIG-" in raw:  # MIG instance UUIDs are not in the facts: trust the selection
        return list(gpus), None
    chosen: list[NvmlGpu] = []
    for token in (t.strip() for t in raw.split(",")):
        match = [g for g in gpus if (token.isdigit() and g.index == int(token))
                 or (not token.isdigit() and token and g.uuid.startswith(token))]
        if not match:
            return chosen, token
        chosen.append(match[0])
    return chosen, None


def gpu_list(facts: Facts) -> list[tuple[int, str, tuple[int, int]]]:
    """(index, name, capability) of the GPUs CUDA will use: NVML's after CUDA_VISIBLE_DEVICES,
    or torch's own list when NVML is unavailable."""
    gpus, _ = visible_gpus(facts)
    if gpus:
        return [(g.index, g.name, g.capability) for g in gpus]
    return [(d.index, d.name, (d.cc_major, d.cc_minor)) for d in facts.torch.devices]


def _caps(facts: Facts) -> list[tuple[int, int]]:
    return [cc for _, _, cc in gpu_list(facts)]


def _pip_pin(facts: Facts, package: str) -> str:
    """pip command for the exact NVIDIA library version torch's wheel declares."""
    pin = facts.packages.torch_requires.get(package)
    return f"pip install '{package}{'==' + pin if pin else ''}'"


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def torch_reinstall_command(facts: Facts) -> str | None:
    """The torch reinstall a GPU finding prescribes (CPU build on a GPU machine, or no kernels
    for a GPU), or None. Companion findings reuse it, so the report holds one command."""
    t = facts.torch
    caps = _caps(facts)
    if t.status != "ok" or not caps:
        return None
    cpu_build_on_gpus = not t.cuda and not t.hip and bool(visible_gpus(facts)[0])
    uncovered = bool(t.cuda and t.arch_list
                     and any(not arch_list_covers(t.arch_list, *cc) for cc in caps))
    if not (cpu_build_on_gpus or uncovered):
        return None
    return install_advice(caps, facts.nvml.driver_version, facts.packages.versions)


def torch_import(facts: Facts) -> list[Finding]:
    t = facts.torch
    advice = install_advice(_caps(facts), facts.nvml.driver_version,
                            facts.packages.versions)
    if t.status == "missing":
        return [Finding("torch.missing", Severity.ERROR, "torch is not installed in this Python "
                        f"({facts.system.python_version})", "nothing in torchworks can train, "
                        "export or serve without it", advice)]
    if t.status == "timeout":
        return [Finding("torch.import_hangs", Severity.ERROR, t.error or "import torch timed out",
                        "a hanging import usually means a stuck GPU driver or a network "
                        "filesystem under site-packages",
                        "run `nvidia-smi`; if it also hangs, reload the driver or reboot; "
                        "else `python -X importtime -c 'import torch'` shows the slow part")]
    if t.status != "ok":
        error = t.error or "unknown error"
        for lib, package in (("libcudnn", "nvidia-cudnn-cu12"), ("libnccl", "nvidia-nccl-cu12")):
            if lib in error:
                return [Finding(f"{lib[3:]}.unavailable", Severity.ERROR,
                                f"`import torch` fails: {error}",
                                f"torch's CUDA build links {lib}; without it torch cannot load",
                                _pip_pin(facts, package) + f" and drop other {lib} dirs from "
                                "LD_LIBRARY_PATH")]
        return [Finding("torch.import_failed", Severity.ERROR, f"`import torch` fails: {error}",
                        "torch is installed but broken, so nothing that uses it can run",
                        f"reinstall torch: {advice}")]
    build = f"CUDA {t.cuda}" if t.cuda else ("ROCm " + t.hip if t.hip else "CPU-only")
    gpus = f", sees {len(t.devices)} GPU(s)" if t.cuda_available else ""
    return [Finding("torch.ok", Severity.OK, f"torch {t.version} ({build} build) imports{gpus}",
                    "torch is usable")]


def gpu_arch(facts: Facts) -> list[Finding]:
    t = facts.torch
    if t.status != "ok" or not t.cuda or not t.arch_list:
        return []
    caps = gpu_list(facts)
    bad = [c for c in caps if not arch_list_covers(t.arch_list, *c[2])]
    if not bad:
        return [Finding("gpu.arch_supported", Severity.OK, f"torch has kernels for every GPU "
                        f"({', '.join(t.arch_list)})", "kernels launch natively")] if caps else []
    names = "; ".join(f"GPU {i} {name} is sm_{m}{n}" for i, name, (m, n) in bad)
    return [Finding(
        "gpu.arch_unsupported", Severity.ERROR,
        f"{names}; torch {t.version} has code for {', '.join(t.arch_list)}",
        "every CUDA kernel fails with 'no kernel image is available for execution on the "
        "device': a GPU runs SASS of its own major arch at or below its minor, or PTX",
        install_advice([c[2] for c in caps], facts.nvml.driver_version,
                       facts.packages.versions))]


def driver_vs_runtime(facts: Facts) -> list[Finding]:
    t, driver = facts.torch, facts.nvml.driver_version
    if t.status == "ok" and t.cuda_available and not driver:
        fix = ("pip install nvidia-ml-py" if facts.nvml.status == "pynvml_missing" else
               "start the container with NVIDIA_DRIVER_CAPABILITIES=compute,utility (utility "
               "mounts libnvidia-ml.so)")
        return [Finding("driver.unknown", Severity.WARN,
                        f"torch uses {len(t.devices)} GPU(s) but NVML is unavailable "
                        f"({facts.nvml.status}: {facts.nvml.error})",
                        "the driver version, and so its fit with CUDA "
                        f"{t.cuda}, cannot be checked; nvidia-smi will not work either", fix)]
    if t.status != "ok" or not t.cuda or not driver:
        return []
    minimum, full = driver_minimum(t.cuda)
    advice = install_advice(_caps(facts), driver, facts.packages.versions)
    seen = (f"driver {driver} (runs CUDA <= {facts.nvml.cuda_driver_version or '?'}); "
            f"torch {t.version} needs CUDA {t.cuda}")
    if minimum and not driver_at_least(driver, minimum):
        init = f"; torch says: {_first_sentence(t.cuda_init_error)}" if t.cuda_init_error else ""
        return [Finding("driver.too_old", Severity.ERROR, seen + init,
                        f"CUDA {t.cuda} needs driver >= {full or minimum} (>= {minimum} with "
                        "minor-version compatibility); older drivers fail with 'CUDA driver "
                        "version is insufficient' and torch.cuda.is_available() is False",
                        f"upgrade the driver to >= {full or minimum}, or {advice}")]
    if full and not driver_at_least(driver, full):
        return [Finding("driver.minor_compat", Severity.WARN, seen,
                        f"the driver is below {full}, the full-feature minimum for CUDA {t.cuda}: "
                        "it runs through minor-version compatibility, so PTX built by this "
                        "toolkit cannot be JIT-compiled and some APIs fail",
                        f"upgrade the NVIDIA driver to >= {full}")]
    return [Finding("driver.ok", Severity.OK, seen, "the driver runs this CUDA runtime")]


def torch_sees_gpus(facts: Facts) -> list[Finding]:
    """The 'nvidia-smi sees the GPU but torch.cuda.is_available() is False' family."""
    t, nvml = facts.torch, facts.nvml
    visible, _ = visible_gpus(facts)
    nodes = [n for n in nvml.device_nodes if re.fullmatch(r"/dev/nvidia\d+", n)]
    if t.status == "ok" and not nvml.gpus and not nodes and not t.cuda_available:
        return [Finding("gpu.none", Severity.OK, f"no NVIDIA GPU (NVML: {nvml.status})",
                        "running on CPU; every torchworks command works, slower")]
    if t.status != "ok" or t.cuda_available or not (visible or (nodes and not nvml.gpus)):
        return []
    count = (f"the driver sees {len(nvml.gpus)} GPU(s) ({visible[0].name})" if visible else
             f"GPU device nodes exist ({', '.join(nodes)}; NVML: {nvml.status})")
    if not t.cuda:
        return [Finding("torch.cpu_build", Severity.ERROR,
                        f"{count} but torch {t.version} is a CPU-only build",
                        "torch will never use the GPU",
                        install_advice(_caps(facts), nvml.driver_version,
                                       facts.packages.versions))]
    minimum, _ = driver_minimum(t.cuda)
    if minimum and nvml.driver_version and not driver_at_least(nvml.driver_version, minimum):
        return []  # driver.too_old explains it
    return [Finding("torch.cuda_init_failed", Severity.ERROR,
                    f"{count} but torch cannot initialize CUDA: {t.cuda_init_error or 'unknown'}",
                    "torch.cuda.is_available() is False, so everything runs on CPU",
                    "check that /dev/nvidia* exist in this container (run it with `--gpus all` "
                    "and the NVIDIA Container Toolkit) and that `nvidia-smi` works; then "
                    "`python -c 'import torch; torch.cuda.init()'` shows the cause")]


def cudnn(facts: Facts) -> list[Finding]:
    t = facts.torch
    if t.status != "ok" or not t.cuda:
        return []
    if t.cudnn_version is None:
        return [Finding("cudnn.unavailable", Severity.ERROR,
                        f"torch cannot load cuDNN: {t.cudnn_error or 'unknown'}",
                        "convolutions, RNNs and attention fall back or fail",
                        _pip_pin(facts, "nvidia-cudnn-cu12") + " (the version torch was built "
                        "with) and drop other cuDNN dirs from LD_LIBRARY_PATH")]
    return [Finding("cudnn.ok", Severity.OK, f"torch loads cuDNN {cudnn_text(t.cudnn_version)}",
                    "read from torch itself, not the system library")]


def nccl(facts: Facts) -> list[Finding]:
    t = facts.torch
    count = max(len(visible_gpus(facts)[0]), len(t.devices))
    if t.status != "ok" or not t.cuda or count < 2:
        return []
    if t.nccl_version is None:
        return [Finding("nccl.unavailable", Severity.ERROR,
                        f"{count} GPUs but torch has no NCCL: {t.nccl_error or 'unknown'}",
                        "multi-GPU training (DDP over torchrun) needs NCCL",
                        _pip_pin(facts, "nvidia-nccl-cu12") + ", or train with the gloo "
                        "backend (slow)")]
    return [Finding("nccl.ok", Severity.OK, f"NCCL {t.nccl_version} for {count} GPUs",
                    "multi-GPU training can use NCCL")]


def cuda_visible_devices(facts: Facts) -> list[Finding]:
    raw = facts.env.get("CUDA_VISIBLE_DEVICES")
    gpus = facts.nvml.gpus
    if raw is None or not gpus:
        return []
    visible, bad = visible_gpus(facts)
    fix = f"export CUDA_VISIBLE_DEVICES={','.join(str(g.index) for g in gpus)}  # or unset it"
    if not visible:
        what = f"names no existing GPU ('{bad}')" if bad is not None else "hides every GPU"
        return [Finding("env.cuda_visible_devices_hides_all", Severity.ERROR,
                        f"CUDA_VISIBLE_DEVICES='{raw}' {what}; the driver has {len(gpus)} GPU(s)",
                        "torch sees no GPU and silently runs everything on CPU, every GPU idle",
                        fix)]
    if bad is not None:
        return [Finding("env.cuda_visible_devices_missing", Severity.WARN,
                        f"CUDA_VISIBLE_DEVICES='{raw}' names '{bad}', which does not exist "
                        f"(GPUs: {', '.join(str(g.index) for g in gpus)})",
                        "CUDA stops reading the list at the first unknown entry, so only "
                        f"{len(visible)} GPU(s) are used", fix)]
    return [Finding("env.cuda_visible_devices", Severity.OK,
                    f"CUDA_VISIBLE_DEVICES='{raw}' exposes {len(visible)} of {len(gpus)} GPU(s)",
                    "the selection names existing GPUs")]


def compile_support(facts: Facts) -> list[Finding]:
    old = [(i, name, cc) for i, name, cc in gpu_list(facts) if cc < (7, 0)]
    if not old:
        return []
    names = ", ".join(f"GPU {i} {name} (cc {m}.{n})" for i, name, (m, n) in old)
    return [Finding("compile.unsupported", Severity.WARN, names,
                    "torch.compile (Triton) needs compute capability >= 7.0",
                    "run without --compile (eager mode) on these GPUs")]
