"""What this CPU does fast, decided once: vector ISA, native bf16, int8 dot products.

Every CPU-feature decision in torchworks asks `cpu_features()` (the LLM variants' availability,
the engine's `--amp auto`, the doctor), so a test fakes one answer, never the code that uses it:
`monkeypatch.setattr(torchworks.env.cpu, "cpu_features", lambda: CpuFeatures.from_flags(...))`.

Sources, first that answers: the kernel's `/proc/cpuinfo` flags (they already drop what the OS
does not enable, e.g. AVX-512 state in some VMs or AMX tiles on kernels before 5.16), then
torch's cpuinfo view (`torch.cpu.get_capabilities()` from torch 2.10, the `torch.cpu._is_*`
helpers before), only if torch is already imported: probing never pays for `import torch`.
`ONEDNN_MAX_CPU_ISA` (oneDNN, which runs torch's bf16 matmuls) lowers what counts as fast.

"Fast" means native instructions: oneDNN also runs bf16 on plain AVX-512 by converting to fp32
(correct, no faster than fp32), which is why `torch.ops.mkldnn._is_mkldnn_bf16_supported()`
is not the question asked here.
"""

from __future__ import annotations

import functools
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC_CPUINFO = Path("/proc/cpuinfo")

# torch.cpu.get_capabilities() / older torch.cpu._is_* names -> /proc/cpuinfo flag names.
TORCH_TO_KERNEL_FLAG = {"avx512_f": "avx512f", "avx512_bw": "avx512bw", "avx512_vl": "avx512vl",
                        "dot": "asimddp", "sve_bf16": "svebf16"}
_TORCH_HELPERS = {"_is_avx2_supported": "avx2", "_is_avx512_supported": "avx512f",
                  "_is_avx512_bf16_supported": "avx512_bf16", "_is_vnni_supported": "avx512_vnni",
                  "_is_amx_tile_supported": "amx_tile"}
# Flags the probe keeps (recorded in the doctor's facts); everything else is noise for torch.
RELEVANT_FLAGS = frozenset({
    "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_bf16",
    "avx512_vnni", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8", "amx_fp16",
    "asimd", "asimddp", "i8mm", "bf16", "sve", "sve2", "svebf16",
})
# oneDNN's ONEDNN_MAX_CPU_ISA values, weakest first (the AVX10 names are oneDNN 3.5+ aliases).
ONEDNN_ISA_ORDER = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE",
                    "AVX512_CORE_VNNI", "AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX512_CORE_AMX",
                    "AVX512_CORE_AMX_FP16")
_ONEDNN_ALIASES = {"AVX10_1_512": "AVX512_CORE_FP16", "AVX10_1_512_AMX": "AVX512_CORE_AMX",
                   "AVX10_1_512_AMX_FP16": "AVX512_CORE_AMX_FP16"}


def usable_cores() -> int:
    """CPUs this process may run on (affinity / cgroup cpusets), not the machine's count: the
    one answer thread defaults (LLM decoding, the server's model threads) start from."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def onednn_allows(cap: str | None, needed: str) -> bool:
    """Whether ONEDNN_MAX_CPU_ISA=`cap` (None/DEFAULT/ALL: no cap) lets oneDNN use `needed`."""
    if not cap:
        return True
    name = _ONEDNN_ALIASES.get(cap.strip().upper(), cap.strip().upper())
    if name not in ONEDNN_ISA_ORDER:  # DEFAULT, ALL or a name newer than this table
        return True
    return ONEDNN_ISA_ORDER.index(name) >= ONEDNN_ISA_ORDER.index(needed)


@dataclass(frozen=True)
class CpuFeatures:
    """The answer. `flags` are /proc/cpuinfo names (subset RELEVANT_FLAGS); `source` says where
    they came from ("/proc/cpuinfo", "torch", "none"); `onednn_cap` is ONEDNN_MAX_CPU_ISA."""

    architecture: str
    flags: frozenset[str]
    model: str | None = None
    source: str = "/proc/cpuinfo"
    onednn_cap: str | None = None

    @classmethod
    def from_flags(cls, flags: Iterable[str], architecture: str = "x86_64",
                   model: str | None = None, source: str = "/proc/cpuinfo",
                   onednn_cap: str | None = None) -> CpuFeatures:
        names = {TORCH_TO_KERNEL_FLAG.get(f.lower(), f.lower()) for f in flags}
        return cls(architecture, frozenset(names & RELEVANT_FLAGS), model, source, onednn_cap)

    @property
    def x86(self) -> bool:
        return self.architecture in ("x86_64", "amd64", "i686", "x86")

    def _has(self, flag: str, onednn_needs: str | None = None) -> bool:
        return flag in self.flags and (onednn_needs is None
                                       or onednn_allows(self.onednn_cap, onednn_needs))

    @property
    def isa(self) -> str:
        """The widest vector ISA: AMX, AVX-512, AVX2, AVX, SSE (x86); SVE, NEON (Arm)."""
        if not self.flags:
            return "unknown" if self.source == "none" else ("SSE" if self.x86 else "scalar")
        if not self.x86:
            return "SVE" if "sve" in self.flags else "NEON"
        for flag, name in (("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2"),
                           ("avx", "AVX")):
            if flag in self.flags:
                return name
        return "SSE"

    @property
    def bf16_via(self) -> str | None:
        """The instructions that make bf16 matmuls fast here, or None."""
        if self.x86:
            if self._has("amx_bf16", "AVX512_CORE_AMX"):
                return "AMX-BF16"
            if self._has("avx512_bf16", "AVX512_CORE_BF16"):
                return "AVX512-BF16"
            return None
        return "BF16" if "bf16" in self.flags or "svebf16" in self.flags else None

    @property
    def int8_via(self) -> str | None:
        """The int8 dot-product instructions (VNNI family, Arm dot/i8mm), or None."""
        for flag, name in (("amx_int8", "AMX-INT8"), ("avx512_vnni", "AVX512-VNNI"),
                           ("avx_vnni", "AVX-VNNI"), ("i8mm", "I8MM"), ("asimddp", "DOTPROD")):
            if flag in self.flags:
                return name
        return None

    @property
    def fast_bf16(self) -> bool:
        return self.bf16_via is not None

    @property
    def fast_int8(self) -> bool:
        return self.int8_via is not None

    @property
    def int8_kernels(self) -> bool:
        """torch's x86 int8 kernels (fbgemm) need AVX2; Arm has QNNPACK everywhere."""
        return "avx2" in self.flags if self.x86 else True

    @property
    def train_precision(self) -> str:
        """bf16 autocast only with AMX: tiles make bf16 GEMMs several times faster than fp32.
        AVX512-BF16 speeds up dot products alone while autocast's casts cost extra, so a small
        model's training step gains little and loses gradient precision: fp32 there."""
        return "bf16" if self.bf16_via == "AMX-BF16" else "fp32"

    @property
    def inference_precision(self) -> str:
        """bf16 weights wherever bf16 is native (half the memory traffic), else fp32."""
        return "bf16" if self.fast_bf16 else "fp32"

    def describe(self) -> str:
        """One line: 'AMD EPYC: AVX-512; bf16 via AVX512-BF16; int8 via AVX512-VNNI'."""
        bf16 = f"bf16 via {self.bf16_via}" if self.bf16_via else "no native bf16"
        int8 = f"int8 via {self.int8_via}" if self.int8_via else "no int8 dot products"
        return f"{self.model or self.architecture}: {self.isa}; {bf16}; {int8}"


def parse_cpuinfo(text: str) -> tuple[set[str], str | None]:
    """(flags, model name) of the first processor in /proc/cpuinfo (x86 `flags`, Arm
    `Features`); every core of a machine reports the same set."""
    flags: set[str] = set()
    model = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("flags", "features") and not flags:
            flags = set(value.split())
        elif key == "model name" and model is None:
            model = value.strip() or None
        elif not line.strip() and flags:
            break
    return flags, model


def _torch_flags() -> set[str] | None:
    torch = sys.modules.get("torch")
    cpu = getattr(torch, "cpu", None)
    if cpu is None:
        return None
    try:
        if hasattr(cpu, "get_capabilities"):  # torch >= 2.10
            return {name for name, on in cpu.get_capabilities().items() if on is True}
        return {flag for helper, flag in _TORCH_HELPERS.items()
                if getattr(cpu, helper, lambda: False)()}
    except Exception:  # a torch whose CPU probe fails must not break callers
        return None


def read_cpu_features(cpuinfo: Path = PROC_CPUINFO,
                      environ: Mapping[str, str] = os.environ) -> CpuFeatures:
    """Probe now, without caching (the doctor and tests call this; code calls cpu_features)."""
    arch = platform.machine().lower() or "unknown"
    cap = environ.get("ONEDNN_MAX_CPU_ISA") or environ.get("DNNL_MAX_CPU_ISA")
    try:
        flags, model = parse_cpuinfo(cpuinfo.read_text(errors="replace"))
    except OSError:
        flags, model = set(), None
    if flags:
        return CpuFeatures.from_flags(flags, arch, model, "/proc/cpuinfo", cap)
    from_torch = _torch_flags()
    if from_torch:
        return CpuFeatures.from_flags(from_torch, arch, None, "torch", cap)
    return CpuFeatures(arch, frozenset(), None, "none", cap)


@functools.lru_cache(maxsize=1)
def cpu_features() -> CpuFeatures:
    """This machine's CPU features, probed once per process."""
    return read_cpu_features()
