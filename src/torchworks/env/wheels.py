"""Which torch builds can run on which GPUs and drivers: pure functions over tables.py.

The CUDA rule for running a binary: a GPU of compute capability M.m runs SASS built for M.k
with k <= m (same major only), or JIT-compiles PTX built for any capability <= M.m.
Arch-specific targets (sm_90a, sm_100a) run only on exactly that capability.
"""

from __future__ import annotations

import re

from torchworks.env.companions import companion_pins
from torchworks.env.tables import (
    DRIVER_FULL_FOR_MINOR,
    DRIVER_MIN_FOR_MAJOR,
    WHEEL_INDEX,
    WHEEL_VARIANTS,
    WheelVariant,
)

_ARCH = re.compile(r"^(sm|compute)_(\d+)([af]?)$")


def version_tuple(version: str) -> tuple[int, ...]:
    """'570.26' -> (570, 26); '2.9.1+cu128' -> (2, 9, 1); non-numeric parts are dropped."""
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0]))


def capability_code(major: int, minor: int) -> int:
    return major * 10 + minor


def arch_runs(arch: str, major: int, minor: int) -> bool:
    """Whether one entry of a torch arch list (sm_86, compute_90, sm_90a) runs on M.m."""
    match = _ARCH.match(arch)
    if not match:
        return False
    kind, code, suffix = match.group(1), int(match.group(2)), match.group(3)
    target = capability_code(major, minor)
    if kind == "compute":
        return code <= target
    if suffix == "a":
        return code == target
    return code // 10 == major and code % 10 <= minor


def arch_list_covers(arch_list: list[str], major: int, minor: int) -> bool:
    return any(arch_runs(a, major, minor) for a in arch_list)


def driver_minimum(cuda: str) -> tuple[str | None, str | None]:
    """(minimum driver at all, driver for full features) for a CUDA runtime like '12.8'."""
    parts = version_tuple(cuda)
    if not parts:
        return None, None
    key = f"{parts[0]}.{parts[1] if len(parts) > 1 else 0}"
    return DRIVER_MIN_FOR_MAJOR.get(parts[0]), DRIVER_FULL_FOR_MINOR.get(key)


def driver_at_least(driver: str, minimum: str) -> bool:
    return version_tuple(driver) >= version_tuple(minimum)


def variant_runs_on_driver(variant: WheelVariant, driver: str | None) -> bool:
    minimum, _ = driver_minimum(variant.cuda)
    return driver is None or minimum is None or driver_at_least(driver, minimum)


def _full_support(variant: WheelVariant, driver: str | None) -> bool:
    _, full = driver_minimum(variant.cuda)
    return driver is None or full is None or driver_at_least(driver, full)


def variants_for(capabilities: list[tuple[int, int]], driver: str | None) -> list[WheelVariant]:
    """Wheel variants with code for every GPU and a CUDA runtime the driver can run."""
    return [v for v in WHEEL_VARIANTS
            if all(arch_list_covers(v.arch_list(), *cc) for cc in capabilities)
            and variant_runs_on_driver(v, driver)]


def install_command(variant: WheelVariant, installed: dict[str, str] | None = None) -> str:
    """One pip command moving torch and every installed companion (torchvision, torchaudio,
    torchao, triton) together, from the variant's own index: the index URL is explicit even
    for PyPI's default build, whose CUDA flavour differs by platform and release."""
    pins = "".join(f" '{pin}'" for pin in companion_pins(variant.torch, installed or {}))
    return (f"pip install --force-reinstall 'torch=={variant.torch}'{pins} "
            f"--index-url {WHEEL_INDEX}/{variant.tag}")


def install_advice(capabilities: list[tuple[int, int]], driver: str | None,
                   installed: dict[str, str] | None = None) -> str:
    """The exact install command for a torch that runs here, or what to change first."""
    fitting = sorted(variants_for(capabilities, driver),
                     key=lambda v: not _full_support(v, driver))  # stable: keeps preference
    if fitting:
        best = fitting[0]
        return f"{install_command(best, installed)}  # {best.tag}: {', '.join(best.arch_list())}"
    for_arch = variants_for(capabilities, None)
    if for_arch:
        best = for_arch[0]
        minimum, full = driver_minimum(best.cuda)
        return (f"upgrade the NVIDIA driver to >= {full or minimum} (e.g. `sudo apt install "
                f"nvidia-driver-{version_tuple(full or minimum or '0')[0]}`), then "
                f"{install_command(best, installed)}")
    caps = ", ".join(f"{m}.{n}" for m, n in capabilities)
    return (f"no published torch wheel covers compute capability {caps}: build torch from "
            f"source with TORCH_CUDA_ARCH_LIST set to it")
