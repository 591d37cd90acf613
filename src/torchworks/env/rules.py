"""All the doctor's rules, in report order; `diagnose` turns facts into findings.

Rules are pure functions of recorded facts, so the same file diagnoses the same way on any
machine (`torchworks doctor --facts FILE`). The themed modules hold the rules themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from torchworks.env import (
    rules_cpu,
    rules_extensions,
    rules_gpu,
    rules_multigpu,
    rules_packages,
    rules_precision,
    rules_system,
    rules_toolkit,
)
from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, ordered

Rule = Callable[[Facts], list[Finding]]

RULES: tuple[Rule, ...] = (
    rules_gpu.torch_import,
    rules_gpu.torch_sees_gpus,
    rules_gpu.driver_vs_runtime,
    rules_gpu.gpu_arch,
    rules_gpu.cudnn,
    rules_gpu.nccl,
    rules_gpu.cuda_visible_devices,
    rules_gpu.compile_support,
    rules_toolkit.nvcc,
    rules_toolkit.ld_library_path,
    rules_multigpu.nccl_env,
    rules_precision.precision,
    rules_precision.tf32,
    rules_cpu.cpu,
    rules_packages.companions,
    rules_extensions.native_extensions,
    rules_extensions.numpy_abi,
    rules_packages.onnxruntime_flavours,
    rules_multigpu.ulimits,
    rules_system.shared_memory,
    rules_system.memory_limit,
    rules_system.cpu_limit,
    rules_system.disk,
)


def diagnose(facts: Facts) -> list[Finding]:
    """Every rule's findings, errors first."""
    return ordered([finding for rule in RULES for finding in rule(facts)])
